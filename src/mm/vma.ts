// Virtual memory areas: page-granular, non-overlapping ranges with uniform
// attributes, kept in an array sorted by address (binary search; splice for
// insertions). Gap search is top-down like Linux's arch_get_unmapped_area_topdown,
// with a cache so that placing many mappings does not rescan every VMA.
import { PAGE_SIZE } from '../memory/memory_file.js';
import type { FilePages } from '../memory/file_pages.js';
import type { MappedFile } from './mapped_file.js';
import type { SharedMemory } from './shared_memory.js';

/** VMA flags beyond protection (a subset of Linux's vm_flags). */
export const enum VmFlag {
  /** MAP_SHARED: writes are seen by every mapper of obj ('s' in /proc/PID/maps). */
  Shared = 1 << 0,
  GrowsDown = 1 << 1,
  /** MAP_NORESERVE: not counted against the commit limit. */
  NoReserve = 1 << 2,
  /** Counted against the commit limit (VM_ACCOUNT). */
  Account = 1 << 3,
  /** MAP_LOCKED (mlock). */
  Locked = 1 << 4,
  /** MADV_DONTFORK. */
  DontCopy = 1 << 5,
  /** MADV_WIPEONFORK. */
  WipeOnFork = 1 << 6,
  /** MADV_DONTDUMP. */
  DontDump = 1 << 7,
  /** MAP_DROPPABLE. */
  Droppable = 1 << 8,
  /**
   * A host mapping of the stub (the host's vDSO, docs/vdso.md), not backed by
   * the MemoryFile: never populated or faulted in by us, no kernel access.
   */
  Special = 1 << 9,
}

export class Vma {
  constructor(
    public start: number,
    public end: number,
    /** PROT_READ|PROT_WRITE|PROT_EXEC. */
    public prot: number,
    /** The protections mprotect may grant (VM_MAY*). */
    public maxProt: number,
    public flags: number,
    /** The shared object mapped (shared mappings), or null for private anonymous memory. */
    public obj: SharedMemory | null,
    /**
     * Page offset of `start` in obj. For private anonymous memory, the page
     * number the memory had when mapped (as Linux): it follows the memory
     * through mremap, so a moved VMA does not merge with unrelated neighbours.
     */
    public pgoff: number,
    /** Name shown in /proc/PID/maps ("[vdso]", "[anon:x]"), or null. */
    public name: string | null,
    /**
     * The file mapped (vm_file), or null for anonymous memory. A private file
     * mapping (obj null) fills its pages from it; a shared one has obj, the
     * file's FileMemory. pgoff is then the page offset in the file.
     */
    public file: MappedFile | null = null,
  ) {}

  /** The file pages this VMA counts itself a mapper of (taken at hold, given back at release), or null. */
  filePages: FilePages | null = null;

  get pages(): number { return (this.end - this.start) / PAGE_SIZE; }

  /** Takes the references a VMA holds (on obj and file; counted as a mapper of the file's pages). */
  hold(): void {
    this.obj?.incRef();
    const f = this.file;
    if (f !== null) {
      f.incRef();
      const pages = f.pages;
      if (pages != null && this.filePages === null) {
        pages.mappers++;
        this.filePages = pages;
      }
    }
  }

  /** Drops the references a VMA holds. */
  release(): void {
    this.obj?.decRef();
    const f = this.file;
    if (f !== null) {
      const pages = this.filePages;
      if (pages !== null) {
        pages.mappers--;
        this.filePages = null;
      }
      f.decRef();
    }
  }

  /** A copy of this VMA's attributes over [start, end) (taking references on obj and file). */
  slice(start: number, end: number): Vma {
    const v = new Vma(start, end, this.prot, this.maxProt, this.flags, this.obj, this.pgoff + (start - this.start) / PAGE_SIZE, this.name, this.file);
    v.hold();
    return v;
  }

  /** True if `next` (starting at this.end) can be merged into this VMA. */
  canMerge(next: Vma): boolean {
    return this.end === next.start && this.prot === next.prot && this.maxProt === next.maxProt && this.flags === next.flags &&
      this.obj === next.obj && this.file === next.file && this.name === next.name && this.pgoff + this.pages === next.pgoff;
  }
}

export class VmaSet {
  readonly list: Vma[] = [];
  /** Bumped on every change, for callers caching a Vma. */
  gen = 0;
  /** Guard gap below MAP_GROWSDOWN VMAs that other mappings keep clear of (Linux stack_guard_gap). */
  readonly guardGap: number;
  // Top-down search cache: no hole above cacheAddr (within the cached bounds) is larger than cacheHole.
  private cacheLow = -1;
  private cacheHigh = -1;
  private cacheAddr = 0;
  private cacheHole = 0;

  constructor(guardGap = 256 * PAGE_SIZE) {
    this.guardGap = guardGap;
  }

  get count(): number { return this.list.length; }

  /** Index of the first VMA with end > addr (list.length if none). */
  indexAfter(addr: number): number {
    const l = this.list;
    let lo = 0;
    let hi = l.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (l[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The VMA containing addr. */
  find(addr: number): Vma | undefined {
    const i = this.indexAfter(addr);
    const v = this.list[i];
    return v && v.start <= addr ? v : undefined;
  }

  /** True if any VMA intersects [start, end). */
  overlaps(start: number, end: number): boolean {
    const v = this.list[this.indexAfter(start)];
    return v !== undefined && v.start < end;
  }

  /** Lowest address other mappings may reach up to below v (Linux vm_start_gap). */
  startGap(v: Vma): number {
    return v.flags & VmFlag.GrowsDown ? Math.max(0, v.start - this.guardGap) : v.start;
  }

  /** Makes addr a VMA boundary (splitting the VMA containing it); returns the index of the VMA starting at addr, or of the first VMA above it. */
  split(addr: number): number {
    const i = this.indexAfter(addr);
    const v = this.list[i];
    if (!v || v.start >= addr) return i;
    const upper = v.slice(addr, v.end);
    v.end = addr;
    this.list.splice(i + 1, 0, upper);
    this.gen++;
    return i + 1;
  }

  /** True if making [start, end) its own VMA range would split a VMA in the middle (into three). */
  splitsInside(start: number, end: number): boolean {
    const v = this.find(start);
    return v !== undefined && v.start < start && v.end > end;
  }

  /** Number of splits needed to make start and end boundaries. */
  splitsNeeded(start: number, end: number): number {
    let n = 0;
    const a = this.find(start);
    if (a && a.start < start) n++;
    const b = this.find(end);
    if (b && b.start < end) n++;
    return n;
  }

  /** Inserts v (which must not overlap any VMA); returns its index. */
  insert(v: Vma): number {
    const i = this.indexAfter(v.start);
    this.list.splice(i, 0, v);
    this.gen++;
    return i;
  }

  /** Removes list[i, j) and returns the removed VMAs (the caller releases their objects). */
  removeAt(i: number, j: number): Vma[] {
    if (j <= i) return [];
    const removed = this.list.splice(i, j - i);
    this.holeCreated(removed[removed.length - 1].end);
    this.gen++;
    return removed;
  }

  /** Splits at start and end, then removes and returns every VMA inside [start, end). */
  removeRange(start: number, end: number): Vma[] {
    const i = this.split(start);
    const j = this.split(end);
    return this.removeAt(i, j);
  }

  /** Merges mergeable neighbours among list[i-1 .. j] (indices clamped); returns nothing. */
  mergeAround(i: number, j: number): void {
    const l = this.list;
    const lo = Math.max(1, i);
    for (let k = Math.min(j, l.length - 1); k >= lo; k--) {
      const a = l[k - 1];
      const b = l[k];
      if (a.canMerge(b)) {
        a.end = b.end;
        b.release();
        l.splice(k, 1);
        this.gen++;
      }
    }
  }

  /** Tells the gap cache that free space appeared below `end` (a VMA shrank or went away). */
  holeCreated(end: number): void {
    if (end > this.cacheAddr - this.guardGap) this.cacheLow = -1;
    this.gen++;
  }

  /**
   * Highest address a with low <= a, a+len <= high and [a, a+len) clear of
   * every VMA and guard gap; -1 if none. (Linux vm_unmapped_area, top-down.)
   */
  gapTopDown(len: number, low: number, high: number): number {
    const cached = this.cacheLow === low && this.cacheHigh === high && len > this.cacheHole;
    const top = cached ? this.cacheAddr : high;
    const l = this.list;
    // k: first VMA starting at or above top; gaps are below l[k] and above l[k-1].
    let lo = 0;
    let hi = l.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (l[mid].start < top) lo = mid + 1;
      else hi = mid;
    }
    let largest = cached ? this.cacheHole : 0;
    for (let k = lo; k >= 0; k--) {
      const gapEnd = Math.min(top, k < l.length ? this.startGap(l[k]) : top);
      const gapStart = Math.max(low, k > 0 ? l[k - 1].end : 0);
      if (gapEnd - gapStart >= len) {
        // Searches for longer lengths may resume at gapEnd: every hole above it is at most `largest`.
        this.cacheLow = low;
        this.cacheHigh = high;
        this.cacheAddr = gapEnd;
        this.cacheHole = largest;
        return gapEnd - len;
      }
      if (gapEnd > gapStart && gapEnd - gapStart > largest) largest = gapEnd - gapStart;
      if (gapStart <= low) break;
    }
    return -1;
  }

  /** Lowest address a with low <= a, a+len <= high, clear of VMAs and guard gaps; -1 if none. */
  gapBottomUp(len: number, low: number, high: number): number {
    const l = this.list;
    for (let k = this.indexAfter(low); k <= l.length; k++) {
      const gapStart = Math.max(low, k > 0 ? l[k - 1].end : 0);
      const gapEnd = Math.min(high, k < l.length ? this.startGap(l[k]) : high);
      if (gapStart + len > high) return -1;
      if (gapEnd - gapStart >= len) return gapStart;
    }
    return -1;
  }

  /** True if a mapping at hint [addr, addr+len) fits below the next VMA's guard gap (Linux's hint test). */
  hintFits(addr: number, len: number): boolean {
    const v = this.list[this.indexAfter(addr)];
    return !v || addr + len <= this.startGap(v);
  }
}
