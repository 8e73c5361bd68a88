// File contents in the MemoryFile, for mappings of files.
//
// readFile fills fresh pages from a file: private file mappings (MAP_PRIVATE)
// call it when a page is first populated; the page is then an ordinary
// private page (copy-on-write across fork like any other).
//
// FileMemory is the shared object behind MAP_SHARED mappings of a file whose
// pages are not in the MemoryFile (host files; tmpfs files and memfds have
// ShmemMemory, shmem_memory.ts, which maps their own pages): one
// per file (MappedFile.key) and MemoryFile while any VMA maps it, so every
// shared mapping of the file in the sandbox sees the same pages. A page is
// read from the file when first populated ("snapshot at fault"); writes
// through mappings mark it dirty (clean pages are mapped read-only, the first
// write fault marks them), and dirty pages are written back through the
// file's write path on msync, munmap and exit (never past the file's current
// size: a mapping does not extend its file). Partial, by design for now:
// read(2)/write(2) on the file do not see or update mapped pages until
// writeback (a write(2) made while a page is mapped is overwritten by the
// next writeback of that page if it is dirty), there is no page cache shared
// with read(2), and MADV_REMOVE (hole punching) is EOPNOTSUPP.
import { Errno } from '../abi/linux/errno.js';
import type { MemoryFile } from '../memory/memory_file.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import type { MappedFile } from './mapped_file.js';
import { PAGE_DIRTY, SharedMemory } from './shared_memory.js';
import { ShmemMemory } from './shmem_memory.js';

/**
 * Fills the zeroed MemoryFile range [off, off+bytes) with the file's bytes
 * from position pos; what lies past the end of the file stays zero. Returns 0
 * or -errno (a read error, or -EFAULT if the range is outside the MemoryFile).
 */
export function readFile(mf: MemoryFile, file: MappedFile, pos: number, off: number, bytes: number): number {
  const n = Math.min(bytes, file.size - pos);
  if (n <= 0) return 0;
  let err = 0;
  let p = pos;
  const done = mf.forEachSegment(off, n, (buf, o, len) => {
    let got = 0;
    while (got < len) {
      const r = file.read(p, buf, o + got, len - got);
      if (r < 0) {
        err = r;
        return 0;
      }
      if (r === 0) return len; // the file shrank meanwhile: the rest stays zero
      got += r;
      p += r;
    }
    return len;
  });
  if (err < 0) return err;
  return done < 0 ? done : 0;
}

/** Writes the MemoryFile range [off, off+bytes) to the file at pos. 0 or -errno (EIO for a short write). */
function writeFile(mf: MemoryFile, file: MappedFile, pos: number, off: number, bytes: number): number {
  let err = 0;
  let p = pos;
  mf.forEachSegment(off, bytes, (buf, o, len) => {
    let put = 0;
    while (put < len) {
      const r = file.write(p, buf, o + put, len - put);
      if (r <= 0) {
        err = r < 0 ? r : -Errno.EIO;
        return 0;
      }
      put += r;
      p += r;
    }
    return len;
  });
  return err;
}

const registries = new WeakMap<MemoryFile, Map<object, SharedMemory>>();

export class FileMemory extends SharedMemory {
  override readonly tracksWrites = true;

  /**
   * The shared object of file's pages: the existing one if the file is
   * mapped shared already; a ShmemMemory when the file's own pages are in
   * this MemoryFile (tmpfs, memfd: coherent with read/write), else a
   * FileMemory (pages read from the file, written back).
   */
  static forFile(mf: MemoryFile, file: MappedFile): SharedMemory {
    let reg = registries.get(mf);
    if (reg === undefined) registries.set(mf, (reg = new Map()));
    let fm = reg.get(file.key);
    if (fm === undefined) {
      const pages = file.pages;
      fm = pages != null && pages.mf === mf ? new ShmemMemory(mf, file, pages, reg) : new FileMemory(mf, file, reg);
      reg.set(file.key, fm);
    }
    return fm;
  }

  private constructor(mf: MemoryFile, private readonly file: MappedFile, private readonly registry: Map<object, SharedMemory>) {
    super(mf, 0);
    file.incRef(); // the file pages are read through (released with the object)
  }

  override get sizePages(): number { return Math.ceil(this.file.size / PAGE_SIZE); }
  override get name(): string { return this.file.name(); }

  protected override fill(pg: number, off: number, n: number): number {
    return readFile(this.mf, this.file, pg * PAGE_SIZE, off, n * PAGE_SIZE);
  }

  /** Hole punching is not offered by the file interface. */
  override decommit(_pg: number, _n: number): number {
    return -Errno.EOPNOTSUPP;
  }

  /**
   * Writes the dirty pages of [pg, pg+n) that lie inside the file back
   * through `via` (a writable open file of it). 0, or the first error (the
   * other pages are still written).
   */
  writeback(via: MappedFile, pg: number, n: number): number {
    const size = via.size;
    const end = Math.min(pg + n, Math.ceil(size / PAGE_SIZE));
    const pages = this.pages;
    let err = 0;
    for (let p = pages.next(pg, end); p < end; p = pages.next(p + 1, end)) {
      if (!(pages.flags(p) & PAGE_DIRTY)) continue;
      const fp = pages.filePage(p);
      let q = p + 1;
      while (q < end && pages.filePage(q) === fp + (q - p) && pages.flags(q) & PAGE_DIRTY) q++;
      const pos = p * PAGE_SIZE;
      const r = writeFile(this.mf, via, pos, fp * PAGE_SIZE, Math.min(q * PAGE_SIZE, size) - pos);
      if (r < 0 && err === 0) err = r;
      p = q - 1;
    }
    return err;
  }

  protected override released(): void {
    if (this.registry.get(this.file.key) === this) this.registry.delete(this.file.key);
    this.file.decRef();
  }
}
