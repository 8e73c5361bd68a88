// Where a tmpfs file's bytes live: a sparse set of 4 KiB pages, indexed by
// page number. Absent pages are holes (read as zeros). The interface lets
// the pages move into the MemoryFile later (so shared mappings of tmpfs
// files can point at them) without touching the file system's logic.

export const PAGE_SIZE = 4096;

export interface PageStore {
  /** The page at index, or undefined for a hole. */
  get(index: number): Uint8Array | undefined;
  /** A new zeroed page at index (the file system has charged it). */
  allocate(index: number): Uint8Array;
  /** Drops the page at index, if any; true if there was one. */
  free(index: number): boolean;
  /** Indices of present pages, in no particular order. */
  indices(): IterableIterator<number>;
  readonly count: number;
}

export class SparsePageStore implements PageStore {
  private readonly pages = new Map<number, Uint8Array>();

  get(index: number): Uint8Array | undefined {
    return this.pages.get(index);
  }

  allocate(index: number): Uint8Array {
    const p = new Uint8Array(PAGE_SIZE);
    this.pages.set(index, p);
    return p;
  }

  free(index: number): boolean {
    return this.pages.delete(index);
  }

  indices(): IterableIterator<number> {
    return this.pages.keys();
  }

  get count(): number {
    return this.pages.size;
  }
}
