// The object behind a MAP_SHARED|MAP_ANONYMOUS mapping (Linux: a shmem file
// named "/dev/zero (deleted)"): pages addressed by page offset, allocated on
// first touch, kept while any VMA (in any address space) refers to it. Its
// size is fixed at creation, as in Linux: pages past it raise SIGBUS (a
// shared mapping grown by mremap sees SIGBUS in the new part).
//
// This is also the seam for file mappings: a VMA maps `obj` at page offset
// `pgoff`; tmpfs files and memfds will provide the same operations.
import type { MemoryFile } from '../memory/memory_file.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import { PageTable } from './page_table.js';

let nextInode = 1;

export class SharedMemory {
  /** Inode number shown in /proc/PID/maps. */
  readonly ino = nextInode++;
  private readonly pages = new PageTable();
  private refs = 0;

  constructor(private readonly mf: MemoryFile, readonly sizePages: number) {}

  /** Name shown in /proc/PID/maps. */
  get name(): string { return '/dev/zero (deleted)'; }
  /** Pages that have backing. */
  get residentPages(): number { return this.pages.size; }

  /** The MemoryFile page backing page offset pg, or -1. */
  filePage(pg: number): number {
    return this.pages.filePage(pg);
  }

  /**
   * Gives backing to the pages of [pg, pg+n) that have none, in as few
   * contiguous allocations as possible. Returns 0, or -ENOMEM if the MemoryFile
   * is exhausted (pages allocated before that keep their backing).
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
        const fp = off / PAGE_SIZE;
        for (let i = 0; i < want; i++) this.pages.set(p + i, fp + i, 0);
        p += want;
      }
    }
    return 0;
  }

  /** MADV_REMOVE: zeroes [pg, pg+n) for every mapper (the pages stay allocated, so every mapping stays coherent). */
  decommit(pg: number, n: number): void {
    const end = Math.min(pg + n, this.sizePages);
    for (let p = this.pages.next(pg, end); p < end; p = this.pages.next(p + 1, end)) {
      const fp = this.pages.filePage(p);
      let q = p + 1;
      while (q < end && this.pages.filePage(q) === fp + (q - p)) q++;
      this.mf.zero(fp * PAGE_SIZE, (q - p) * PAGE_SIZE);
      p = q - 1;
    }
  }

  incRef(): void { this.refs++; }

  /** Drops a reference; the last one frees every page (no address space may map them by then). */
  decRef(): void {
    if (--this.refs > 0) return;
    const end = this.sizePages;
    for (let p = this.pages.next(0, end); p < end; p = this.pages.next(p + 1, end)) {
      const fp = this.pages.filePage(p);
      let q = p + 1;
      while (q < end && this.pages.filePage(q) === fp + (q - p)) q++;
      this.mf.free(fp * PAGE_SIZE, (q - p) * PAGE_SIZE);
      p = q - 1;
    }
    this.pages.reset();
  }

  get refCount(): number { return this.refs; }
}
