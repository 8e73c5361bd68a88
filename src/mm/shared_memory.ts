// The object behind a MAP_SHARED|MAP_ANONYMOUS mapping (Linux: a shmem file
// named "/dev/zero (deleted)"): pages addressed by page offset, allocated on
// first touch, kept while any VMA (in any address space) refers to it. Its
// size is fixed at creation, as in Linux: pages past it raise SIGBUS (a
// shared mapping grown by mremap sees SIGBUS in the new part).
//
// This is also the base of the other shared objects: FileMemory
// (file_memory.ts, MAP_SHARED of a file) fills its pages from the file,
// tracks which were written, and takes its size from the file. A VMA maps
// `obj` at page offset `pgoff`.
import type { FilePages } from '../memory/file_pages.js';
import type { MemoryFile } from '../memory/memory_file.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import { PageTable } from './page_table.js';

let nextInode = 1;

/** Page flag of a shared object: the page was written through a mapping or by the kernel. */
export const PAGE_DIRTY = 1;

export class SharedMemory {
  /** Inode number shown in /proc/PID/maps. */
  readonly ino = nextInode++;
  /**
   * Writes are tracked per page (PAGE_DIRTY): clean pages are mapped without
   * PROT_WRITE, and the first write fault marks them dirty.
   */
  readonly tracksWrites: boolean = false;
  /**
   * A fault may give backing to the holes around the faulting page (its
   * fault-around window). False for file pages whose allocation is visible
   * (tmpfs space, st_blocks): one page per fault.
   */
  readonly faultAroundAllocates: boolean = true;
  protected readonly pages = new PageTable();
  private refs = 0;

  constructor(protected readonly mf: MemoryFile, private readonly fixedSize: number) {}

  /** Size in pages: accesses at or past it raise SIGBUS. */
  get sizePages(): number { return this.fixedSize; }
  /** The file pages this object maps directly (ShmemMemory), or null. */
  get filePagesOf(): FilePages | null { return null; }
  /** Name shown in /proc/PID/maps. */
  get name(): string { return '/dev/zero (deleted)'; }
  /** Pages that have backing. */
  get residentPages(): number { return this.pages.size; }

  /** The MemoryFile page backing page offset pg, or -1. */
  filePage(pg: number): number {
    return this.pages.filePage(pg);
  }

  /** True if page pg was written (tracksWrites objects). */
  isDirty(pg: number): boolean {
    return (this.pages.flags(pg) & PAGE_DIRTY) !== 0;
  }

  /** Marks the pages of [pg, pg+n) that have backing as written. */
  markDirty(pg: number, n: number): void {
    const end = pg + n;
    for (let p = this.pages.next(pg, end); p < end; p = this.pages.next(p + 1, end)) this.pages.setFlags(p, PAGE_DIRTY);
  }

  /**
   * Gives backing to the pages of [pg, pg+n) below sizePages that have none,
   * in as few contiguous allocations as possible, filled by fill(). Returns 0,
   * -ENOMEM if the MemoryFile is exhausted, or fill's error (pages allocated
   * before that keep their backing).
   */
  populate(pg: number, n: number): number {
    const end = Math.min(pg + n, this.sizePages);
    let p = pg;
    while (p < end) {
      if (this.pages.filePage(p) >= 0) { p++; continue; }
      let q = p + 1;
      while (q < end && this.pages.filePage(q) < 0) q++;
      while (p < q) {
        let want = q - p;
        let off = this.mf.allocate(want * PAGE_SIZE);
        while (off < 0 && want > 1) {
          want = Math.ceil(want / 2);
          off = this.mf.allocate(want * PAGE_SIZE);
        }
        if (off < 0) return off;
        const r = this.fill(p, off, want);
        if (r < 0) {
          this.mf.free(off, want * PAGE_SIZE);
          return r;
        }
        const fp = off / PAGE_SIZE;
        for (let i = 0; i < want; i++) this.pages.set(p + i, fp + i, 0);
        p += want;
      }
    }
    return 0;
  }

  /** Initial contents of the n fresh (zeroed) pages at MemoryFile offset off for page offset pg: 0 or -errno. */
  protected fill(_pg: number, _off: number, _n: number): number {
    return 0;
  }

  /**
   * MADV_REMOVE: zeroes [pg, pg+n) for every mapper (the pages stay
   * allocated, so every mapping stays coherent). 0 or -errno.
   */
  decommit(pg: number, n: number): number {
    const end = Math.min(pg + n, this.sizePages);
    for (let p = this.pages.next(pg, end); p < end; p = this.pages.next(p + 1, end)) {
      const fp = this.pages.filePage(p);
      let q = p + 1;
      while (q < end && this.pages.filePage(q) === fp + (q - p)) q++;
      this.mf.zero(fp * PAGE_SIZE, (q - p) * PAGE_SIZE);
      p = q - 1;
    }
    return 0;
  }

  incRef(): void { this.refs++; }

  /** Drops a reference; the last one frees every page (no address space may map them by then). */
  decRef(): void {
    if (--this.refs > 0) return;
    const pages = this.pages;
    const end = Infinity;
    for (let p = pages.next(0, end); p < end; p = pages.next(p + 1, end)) {
      const fp = pages.filePage(p);
      let q = p + 1;
      while (pages.filePage(q) === fp + (q - p)) q++;
      this.mf.free(fp * PAGE_SIZE, (q - p) * PAGE_SIZE);
      p = q - 1;
    }
    pages.reset();
    this.released();
  }

  /** Called once the last reference is gone. */
  protected released(): void {}

  get refCount(): number { return this.refs; }
}
