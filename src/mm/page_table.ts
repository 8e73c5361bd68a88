// A sparse table from page numbers to MemoryFile pages plus a byte of flags,
// stored in 512-page chunks (one per 2 MiB) kept in a sorted array. Used per
// address space (guest page -> backing, stub mapping state) and per shared
// memory object (page offset -> backing).

const CHUNK_SHIFT = 9;
const CHUNK_PAGES = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_PAGES - 1;

/** Page flags stored beside each translation. */
export const enum Pte {
  /** PROT_READ|PROT_WRITE|PROT_EXEC the page is mapped with in the stub (when Mapped). */
  ProtMask = 7,
  /** The page is mapped in the stub. */
  Mapped = 8,
  /**
   * This table owns the backing page (a private page: it releases it when
   * dropped); otherwise it is a shared object's page.
   */
  Owned = 16,
  /**
   * An owned page that may have other owners (copy-on-write since a fork:
   * MemoryFile.extraOwners says whether it still has): never mapped writable;
   * a write gives this table a copy of its own, or the page itself once no
   * other owner is left.
   */
  Cow = 32,
  /** The bits that describe ownership (kept when the stub mapping changes). */
  Keep = Owned | Cow,
}

class Chunk {
  /** MemoryFile page index + 1; 0 = no entry. */
  readonly fp = new Uint32Array(CHUNK_PAGES);
  readonly fl = new Uint8Array(CHUNK_PAGES);
  count = 0;
  constructor(readonly key: number) {}
}

export class PageTable {
  private readonly keys: number[] = [];
  private readonly chunks: Chunk[] = [];
  private last: Chunk | null = null;
  private total = 0;

  /** Number of pages with an entry. */
  get size(): number { return this.total; }

  private index(key: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private chunk(key: number): Chunk | null {
    const l = this.last;
    if (l && l.key === key) return l;
    const i = this.index(key);
    if (i < this.keys.length && this.keys[i] === key) return (this.last = this.chunks[i]);
    return null;
  }

  /** The MemoryFile page backing pn, or -1. */
  filePage(pn: number): number {
    const c = this.chunk(Math.floor(pn / CHUNK_PAGES));
    return c ? c.fp[pn & CHUNK_MASK] - 1 : -1;
  }

  /** The flags of pn (0 if no entry). */
  flags(pn: number): number {
    const c = this.chunk(Math.floor(pn / CHUNK_PAGES));
    return c ? c.fl[pn & CHUNK_MASK] : 0;
  }

  /** Sets pn's translation and flags. */
  set(pn: number, filePage: number, flags: number): void {
    const c = this.chunkFor(Math.floor(pn / CHUNK_PAGES));
    const j = pn & CHUNK_MASK;
    if (c.fp[j] === 0) {
      c.count++;
      this.total++;
    }
    c.fp[j] = filePage + 1;
    c.fl[j] = flags;
  }

  /** Replaces the flags of an existing entry. */
  setFlags(pn: number, flags: number): void {
    const c = this.chunk(Math.floor(pn / CHUNK_PAGES));
    if (c && c.fp[pn & CHUNK_MASK] !== 0) c.fl[pn & CHUNK_MASK] = flags;
  }

  /** Removes pn's entry. */
  clear(pn: number): void {
    const key = Math.floor(pn / CHUNK_PAGES);
    const c = this.chunk(key);
    if (!c) return;
    const j = pn & CHUNK_MASK;
    if (c.fp[j] === 0) return;
    c.fp[j] = 0;
    c.fl[j] = 0;
    this.total--;
    if (--c.count === 0) {
      const i = this.index(key);
      this.keys.splice(i, 1);
      this.chunks.splice(i, 1);
      if (this.last === c) this.last = null;
    }
  }

  /** The first page in [pn, end) with an entry, or end. */
  next(pn: number, end: number): number {
    if (pn >= end || this.total === 0) return end;
    let key = Math.floor(pn / CHUNK_PAGES);
    let i: number;
    const l = this.last;
    if (l && l.key === key) {
      const r = this.scan(l, pn, end);
      if (r >= 0) return r;
      i = this.index(key + 1);
    } else {
      i = this.index(key);
    }
    for (; i < this.keys.length; i++) {
      const c = this.chunks[i];
      key = c.key;
      const base = key * CHUNK_PAGES;
      if (base >= end) return end;
      const r = this.scan(c, Math.max(pn, base), end);
      if (r >= 0) {
        this.last = c;
        return r;
      }
    }
    return end;
  }

  private scan(c: Chunk, from: number, end: number): number {
    const base = c.key * CHUNK_PAGES;
    const stop = Math.min(end - base, CHUNK_PAGES);
    const fp = c.fp;
    for (let j = from - base; j < stop; j++) if (fp[j] !== 0) return base + j;
    return -1;
  }

  /** Calls fn(pn, filePage, flags) for each entry in [a, b), in order (fn must not add or remove entries). */
  forEach(a: number, b: number, fn: (pn: number, filePage: number, flags: number) => void): void {
    if (a >= b || this.total === 0) return;
    const keys = this.keys;
    for (let i = this.index(Math.floor(a / CHUNK_PAGES)); i < keys.length; i++) {
      const c = this.chunks[i];
      const base = c.key * CHUNK_PAGES;
      if (base >= b) return;
      const from = Math.max(a, base) - base;
      const to = Math.min(b - base, CHUNK_PAGES);
      const fp = c.fp;
      const fl = c.fl;
      for (let j = from; j < to; j++) if (fp[j] !== 0) fn(base + j, fp[j] - 1, fl[j]);
    }
  }

  /**
   * fork: every entry of [a, b) with Pte.Owned gets Pte.Cow here and is
   * copied into dst (which has no entries there) as Owned|Cow, unmapped;
   * onRun(filePage, n) is called for each run of contiguous backing copied.
   */
  shareInto(dst: PageTable, a: number, b: number, onRun: (filePage: number, n: number) => void): void {
    if (a >= b || this.total === 0) return;
    const keys = this.keys;
    let runFp = -1;
    let runN = 0;
    for (let i = this.index(Math.floor(a / CHUNK_PAGES)); i < keys.length; i++) {
      const c = this.chunks[i];
      const base = c.key * CHUNK_PAGES;
      if (base >= b) break;
      const from = Math.max(a, base) - base;
      const to = Math.min(b - base, CHUNK_PAGES);
      const fp = c.fp;
      const fl = c.fl;
      let d: Chunk | null = null;
      for (let j = from; j < to; j++) {
        if (fp[j] === 0 || !(fl[j] & Pte.Owned)) continue;
        fl[j] |= Pte.Cow;
        if (d === null) d = dst.chunkFor(c.key);
        if (d.fp[j] === 0) {
          d.count++;
          dst.total++;
        }
        d.fp[j] = fp[j];
        d.fl[j] = Pte.Owned | Pte.Cow;
        const f = fp[j] - 1;
        if (runN > 0 && f === runFp + runN) {
          runN++;
        } else {
          if (runN > 0) onRun(runFp, runN);
          runFp = f;
          runN = 1;
        }
      }
    }
    if (runN > 0) onRun(runFp, runN);
  }

  private chunkFor(key: number): Chunk {
    let c = this.chunk(key);
    if (!c) {
      const i = this.index(key);
      c = new Chunk(key);
      this.keys.splice(i, 0, key);
      this.chunks.splice(i, 0, c);
      this.last = c;
    }
    return c;
  }

  /** Removes every entry. */
  reset(): void {
    this.keys.length = 0;
    this.chunks.length = 0;
    this.last = null;
    this.total = 0;
  }
}
