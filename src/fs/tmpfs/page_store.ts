// Where a tmpfs file's bytes live: a sparse set of 4 KiB pages, indexed by
// page number. Absent pages are holes (read as zeros). In the sandbox the
// pages are MemoryFile pages (MemoryFilePageStore), so that shared mappings
// of tmpfs files and memfds map them directly (src/memory/file_pages.ts);
// SparsePageStore keeps them on the JavaScript heap (no kernel: unit tests).
import { defaultPageMemory } from '../../memory/file_pages.js';
import type { MemoryFile } from '../../memory/memory_file.js';

export const PAGE_SIZE = 4096;

export interface PageStore {
  /** The page at index, or undefined for a hole. */
  get(index: number): Uint8Array | undefined;
  /** A new zeroed page at index (the file system has charged it), or null if memory is exhausted. */
  allocate(index: number): Uint8Array | null;
  /** True if the page at index is present. */
  has(index: number): boolean;
  /** Drops the page at index, if any; true if there was one. */
  free(index: number): boolean;
  /** Drops every page with an index in [first, end); the number dropped. */
  freeRange(first: number, end: number): number;
  /** Indices of present pages, in no particular order. */
  indices(): IterableIterator<number>;
  readonly count: number;
  /** The MemoryFile holding the pages, or null if they are not in one. */
  readonly mf: MemoryFile | null;
  /** The MemoryFile page number of the page at index, or -1 (a hole, or no MemoryFile). */
  filePage(index: number): number;
}

export class SparsePageStore implements PageStore {
  private readonly pages = new Map<number, Uint8Array>();
  readonly mf = null;

  get(index: number): Uint8Array | undefined {
    return this.pages.get(index);
  }

  has(index: number): boolean {
    return this.pages.has(index);
  }

  allocate(index: number): Uint8Array {
    const p = new Uint8Array(PAGE_SIZE);
    this.pages.set(index, p);
    return p;
  }

  free(index: number): boolean {
    return this.pages.delete(index);
  }

  freeRange(first: number, end: number): number {
    let n = 0;
    if (end - first < this.pages.size) {
      for (let i = first; i < end; i++) if (this.pages.delete(i)) n++;
    } else {
      for (const i of [...this.pages.keys()]) if (i >= first && i < end && this.pages.delete(i)) n++;
    }
    return n;
  }

  indices(): IterableIterator<number> {
    return this.pages.keys();
  }

  get count(): number {
    return this.pages.size;
  }

  filePage(_index: number): number {
    return -1;
  }
}

/** Pages in the MemoryFile: file page index -> MemoryFile page number. Counted in the MemoryFile's limit. */
export class MemoryFilePageStore implements PageStore {
  private readonly pages = new Map<number, number>();

  constructor(readonly mf: MemoryFile) {}

  get(index: number): Uint8Array | undefined {
    const fp = this.pages.get(index);
    return fp === undefined ? undefined : (this.mf.bytes(fp * PAGE_SIZE, PAGE_SIZE) ?? undefined);
  }

  has(index: number): boolean {
    return this.pages.has(index);
  }

  allocate(index: number): Uint8Array | null {
    const off = this.mf.allocate(PAGE_SIZE);
    if (off < 0) return null;
    const page = this.mf.bytes(off, PAGE_SIZE);
    if (page === null) {
      this.mf.free(off, PAGE_SIZE);
      return null;
    }
    this.pages.set(index, off / PAGE_SIZE);
    return page;
  }

  free(index: number): boolean {
    const fp = this.pages.get(index);
    if (fp === undefined) return false;
    this.pages.delete(index);
    this.mf.free(fp * PAGE_SIZE, PAGE_SIZE);
    return true;
  }

  /** Frees in runs of contiguous MemoryFile pages (one hole punch per run). */
  freeRange(first: number, end: number): number {
    const fps: number[] = [];
    if (end - first < this.pages.size) {
      for (let i = first; i < end; i++) {
        const fp = this.pages.get(i);
        if (fp !== undefined) {
          fps.push(fp);
          this.pages.delete(i);
        }
      }
    } else {
      for (const [i, fp] of [...this.pages]) {
        if (i >= first && i < end) {
          fps.push(fp);
          this.pages.delete(i);
        }
      }
    }
    fps.sort((x, y) => x - y);
    for (let k = 0; k < fps.length;) {
      let j = k + 1;
      while (j < fps.length && fps[j] === fps[k] + (j - k)) j++;
      this.mf.free(fps[k] * PAGE_SIZE, (j - k) * PAGE_SIZE);
      k = j;
    }
    return fps.length;
  }

  indices(): IterableIterator<number> {
    return this.pages.keys();
  }

  get count(): number {
    return this.pages.size;
  }

  filePage(index: number): number {
    return this.pages.get(index) ?? -1;
  }
}

/** The store for a new tmpfs file: in the kernel's MemoryFile when there is one. */
export function defaultPageStore(): PageStore {
  const mf = defaultPageMemory.mf;
  return mf === null ? new SparsePageStore() : new MemoryFilePageStore(mf);
}
