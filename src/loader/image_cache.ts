// Loaded ELF images shared by every process running the same file: a page
// cache of program segments (Linux maps them from the file's page cache;
// here the segment pages, as load_elf_binary leaves them, live once in the
// MemoryFile). An exec of a cached file reads nothing and copies nothing:
// the new address space becomes one more owner of the pages, copy-on-write
// (src/mm/README.md), so a process writing its .data gets its own copy.
//
// Entries are keyed by the file's inode and checked against its size, mtime
// and ctime at every exec: a file changed on disk (or through the VFS) is
// never served stale, its entry is dropped and the file read again. The cache
// holds one ownership of its pages; an entry in use by an exec in progress is
// pinned (eviction then waits for the unpin). Bounded in bytes (least
// recently used entries go first).
import { Errno } from '../abi/linux/errno.js';
import { PAGE_SIZE, type MemoryFile } from '../memory/memory_file.js';
import type { ElfImage } from './elf.js';
import { pageDown, pageUp } from './memory.js';

/** The attributes an entry was made from: any change makes it stale. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeSec: number;
  readonly mtimeNsec: number;
  readonly ctimeSec: number;
  readonly ctimeNsec: number;
}

/** Pages [vaddr, vaddr + pages * PAGE_SIZE) of the unbiased image are MemoryFile pages [off, …). */
export interface PageRun {
  readonly vaddr: number;
  readonly off: number;
  readonly pages: number;
}

/** The contents of an image's file-backed pages (bss pages beyond them are zero-fill). */
export interface SegmentPages {
  readonly runs: readonly PageRun[];
}

/** A cached executable: its parsed headers, its first bytes (for "#!" checks) and its segment pages. */
export class CachedElf implements SegmentPages {
  pins = 0;
  evicted = false;
  constructor(
    private readonly owner: ElfImageCache,
    readonly key: object,
    readonly stamp: FileStamp,
    readonly image: ElfImage,
    readonly head: Uint8Array,
    readonly runs: readonly PageRun[],
    readonly bytes: number,
  ) {}

  /** The exec that looked it up is done with it (loaded or failed). */
  unpin(): void {
    if (--this.pins === 0 && this.evicted) this.owner.releasePages(this);
  }
}

/** Bytes of the head kept for "#!" and magic checks (binfmt's BINPRM_BUF_SIZE). */
const HEAD_BYTES = 256;
/** Largest span of pages one cached image may have. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeSec === b.mtimeSec && a.mtimeNsec === b.mtimeNsec && a.ctimeSec === b.ctimeSec && a.ctimeNsec === b.ctimeNsec;
}

/** elf_map's file range for a PT_LOAD: whole file pages from p_offset's page, up to the page end unless there is a bss. */
function fileRange(p: ElfImage['loads'][number], fileLen: number): [number, number] {
  const fileStart = p.offset - (p.vaddr % PAGE_SIZE);
  const fileEnd = p.memsz > p.filesz ? p.offset + p.filesz : Math.min(fileLen, fileStart + pageUp(p.filesz + (p.vaddr % PAGE_SIZE)));
  return [fileStart, fileEnd];
}

/**
 * The pages the loader writes for image's PT_LOADs (elf_map's whole file
 * pages, padzero's zeros), as sorted, merged page ranges of the unbiased image.
 */
function filePageRanges(image: ElfImage, fileLen: number): [number, number][] {
  const out: [number, number][] = [];
  for (const p of image.loads) {
    if (p.filesz === 0) continue;
    const lo = pageDown(p.vaddr);
    const [fileStart, fileEnd] = fileRange(p, fileLen);
    const hi = pageUp(Math.max(lo + (fileEnd - fileStart), p.vaddr + p.filesz));
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/**
 * Writes the segments' file bytes into the runs exactly as the loader's
 * mapSegments does (later segments win in a shared page; padzero clears the
 * bss part of each segment's last file page).
 */
function fillRuns(mf: MemoryFile, image: ElfImage, bytes: Uint8Array, runs: readonly PageRun[]): boolean {
  const at = (vaddr: number): number => {
    for (const r of runs) if (vaddr >= r.vaddr && vaddr < r.vaddr + r.pages * PAGE_SIZE) return r.off + (vaddr - r.vaddr);
    return -1;
  };
  const write = (vaddr: number, src: Uint8Array, from: number, len: number): boolean => {
    if (len <= 0) return true;
    const off = at(vaddr);
    if (off < 0) return false;
    let s = from;
    return mf.forEachSegment(off, len, (buf, o, n) => {
      buf.set(src.subarray(s, s + n), o);
      s += n;
      return n;
    }) === len;
  };
  const zeros = new Uint8Array(PAGE_SIZE);
  for (const p of image.loads) {
    if (p.filesz > 0) {
      const [fileStart, fileEnd] = fileRange(p, bytes.length);
      if (!write(pageDown(p.vaddr), bytes, fileStart, fileEnd - fileStart)) return false;
    }
    const zeroStart = p.vaddr + p.filesz;
    const zeroEnd = Math.min(p.vaddr + p.memsz, pageUp(zeroStart));
    // (only in a page with file bytes: the others are zero-fill anyway)
    if (zeroEnd > zeroStart && at(zeroStart) >= 0 && !write(zeroStart, zeros, 0, zeroEnd - zeroStart)) return false;
  }
  return true;
}

/**
 * Allocates and fills the segment pages of image from the file's bytes. The
 * caller owns the pages (MemoryFile.release each run). -ENOMEM, -EFBIG (too
 * large to cache), -EFAULT.
 */
export function buildSegmentPages(mf: MemoryFile, image: ElfImage, bytes: Uint8Array): PageRun[] | number {
  const ranges = filePageRanges(image, bytes.length);
  let total = 0;
  for (const [a, b] of ranges) total += b - a;
  if (total > MAX_ENTRY_BYTES) return -Errno.EFBIG;
  const runs: PageRun[] = [];
  const undo = (): void => { for (const r of runs) mf.release(r.off, r.pages * PAGE_SIZE); };
  for (const [a, b] of ranges) {
    const off = mf.allocate(b - a);
    if (off < 0) {
      undo();
      return off;
    }
    runs.push({ vaddr: a, off, pages: (b - a) / PAGE_SIZE });
  }
  if (!fillRuns(mf, image, bytes, runs)) {
    undo();
    return -Errno.EFAULT;
  }
  return runs;
}

const caches = new WeakMap<MemoryFile, ElfImageCache>();

export class ElfImageCache {
  private readonly entries = new Map<object, CachedElf>();
  private used = 0;

  /** The cache of images in mf (one per MemoryFile). */
  static of(mf: MemoryFile): ElfImageCache {
    let c = caches.get(mf);
    if (c === undefined) caches.set(mf, (c = new ElfImageCache(mf)));
    return c;
  }

  /** limit: most bytes of pages held (default: 96 MiB or an eighth of the MemoryFile's limit, the smaller). */
  constructor(private readonly mf: MemoryFile, readonly limit = Math.min(96 * 1024 * 1024, Math.floor(mf.limit / 8))) {}

  /** Bytes of pages the cache holds. */
  get usedBytes(): number { return this.used; }
  get size(): number { return this.entries.size; }

  /** The entry for key if it was made from a file with this stamp, pinned (unpin it when done); a stale one is dropped. */
  lookup(key: object, stamp: FileStamp): CachedElf | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.entries.delete(key);
    if (!sameStamp(e.stamp, stamp)) {
      this.evict(e);
      return undefined;
    }
    this.entries.set(key, e); // most recently used last
    e.pins++;
    return e;
  }

  /**
   * Caches the image of a file just read (bytes: all of it), pinned; null if
   * it cannot be (too large, or the MemoryFile is full: the caller loads
   * from the bytes).
   */
  insert(key: object, stamp: FileStamp, image: ElfImage, bytes: Uint8Array): CachedElf | null {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.evict(old);
    }
    const runs = buildSegmentPages(this.mf, image, bytes);
    if (typeof runs === 'number') return null;
    let size = 0;
    for (const r of runs) size += r.pages * PAGE_SIZE;
    const e = new CachedElf(this, key, stamp, image, bytes.slice(0, HEAD_BYTES), runs, size);
    e.pins = 1;
    this.used += size;
    this.entries.set(key, e);
    for (const [k, o] of this.entries) {
      if (this.used <= this.limit) break;
      if (o === e) continue;
      this.entries.delete(k);
      this.evict(o);
    }
    if (this.used > this.limit) {
      // Larger than the whole cache: used once, released at its unpin.
      this.entries.delete(key);
      this.evict(e);
    }
    return e;
  }

  /** Drops every entry (pinned ones are released at their unpin). */
  clear(): void {
    for (const e of this.entries.values()) this.evict(e);
    this.entries.clear();
  }

  private evict(e: CachedElf): void {
    if (e.evicted) return;
    e.evicted = true;
    this.used -= e.bytes;
    if (e.pins === 0) this.releasePages(e);
  }

  /** @internal Gives the cache's ownership of e's pages back (address spaces using them keep theirs). */
  releasePages(e: CachedElf): void {
    for (const r of e.runs) this.mf.release(r.off, r.pages * PAGE_SIZE);
  }
}
