// A free list of page extents over [0, totalPages): sorted, coalesced on free.
// Allocation is first fit, with a bounded scan so that a fragmented list does
// not make every allocation linear: after SCAN_LIMIT extents it tries the last
// extent (normally the never-used tail of the file), then the rest.

const SCAN_LIMIT = 32;

export class ExtentAllocator {
  /** Free extents [starts[i], ends[i]), sorted by start, never adjacent. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private freeCount: number;

  constructor(readonly totalPages: number) {
    if (totalPages > 0) {
      this.starts.push(0);
      this.ends.push(totalPages);
    }
    this.freeCount = totalPages;
  }

  get freePages(): number { return this.freeCount; }
  get extentCount(): number { return this.starts.length; }

  /** Allocates n contiguous pages; returns the first page, or -1 if no extent is large enough. */
  alloc(n: number): number {
    const { starts, ends } = this;
    const len = starts.length;
    const limit = Math.min(len, SCAN_LIMIT);
    for (let i = 0; i < limit; i++) if (ends[i] - starts[i] >= n) return this.take(i, n);
    if (len > limit) {
      if (ends[len - 1] - starts[len - 1] >= n) return this.take(len - 1, n);
      for (let i = limit; i < len - 1; i++) if (ends[i] - starts[i] >= n) return this.take(i, n);
    }
    return -1;
  }

  private take(i: number, n: number): number {
    const p = this.starts[i];
    if (this.ends[i] - p === n) {
      this.starts.splice(i, 1);
      this.ends.splice(i, 1);
    } else {
      this.starts[i] = p + n;
    }
    this.freeCount -= n;
    return p;
  }

  /** Returns [page, page+n) to the free list; false (and no change) if any of it is already free or out of range. */
  free(page: number, n: number): boolean {
    if (!(n > 0) || page < 0 || page + n > this.totalPages) return false;
    const { starts, ends } = this;
    // i = first extent starting after page.
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= page) lo = mid + 1;
      else hi = mid;
    }
    const i = lo;
    const end = page + n;
    if (i > 0 && ends[i - 1] > page) return false;
    if (i < starts.length && starts[i] < end) return false;
    const joinPrev = i > 0 && ends[i - 1] === page;
    const joinNext = i < starts.length && starts[i] === end;
    if (joinPrev && joinNext) {
      ends[i - 1] = ends[i];
      starts.splice(i, 1);
      ends.splice(i, 1);
    } else if (joinPrev) {
      ends[i - 1] = end;
    } else if (joinNext) {
      starts[i] = page;
    } else {
      starts.splice(i, 0, page);
      ends.splice(i, 0, end);
    }
    this.freeCount += n;
    return true;
  }

  /** True if every page of [page, page+n) is allocated. */
  isAllocated(page: number, n: number): boolean {
    const { starts, ends } = this;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] < page + n) lo = mid + 1;
      else hi = mid;
    }
    // lo-1 = last extent starting before page+n: it must end at or before page.
    return page >= 0 && page + n <= this.totalPages && (lo === 0 || ends[lo - 1] <= page);
  }
}
