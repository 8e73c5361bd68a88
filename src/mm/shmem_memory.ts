// The shared object behind MAP_SHARED mappings of a file whose pages are in
// the MemoryFile already (tmpfs files and memfds: src/memory/file_pages.ts).
// It has no pages of its own: a mapping maps the file's pages, so stores
// through any mapping and read(2)/write(2) are one and the same bytes, in
// every process, with nothing to write back. Holes get pages on first touch
// (charged to the file system: a full tmpfs is SIGBUS, as shmem_fault's
// ENOSPC), one page per fault (fault-around only maps pages that exist, as
// Linux's filemap_map_pages). Truncation and hole punching unmap the pages
// they free from every address space first (MmCore.invalidateFilePages).
import type { FilePages } from '../memory/file_pages.js';
import type { MemoryFile } from '../memory/memory_file.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import type { MappedFile } from './mapped_file.js';
import { SharedMemory } from './shared_memory.js';

export class ShmemMemory extends SharedMemory {
  override readonly faultAroundAllocates: boolean = false;

  constructor(mf: MemoryFile, private readonly file: MappedFile, readonly data: FilePages, private readonly registry: Map<object, SharedMemory>) {
    super(mf, 0);
    file.incRef(); // released with the object
  }

  override get filePagesOf(): FilePages { return this.data; }
  override get sizePages(): number { return Math.ceil(this.file.size / PAGE_SIZE); }
  override get name(): string { return this.file.name(); }
  override get residentPages(): number {
    let n = 0;
    for (let p = 0, end = this.sizePages; p < end; p++) if (this.data.filePage(p) >= 0) n++;
    return n;
  }

  override filePage(pg: number): number {
    return this.data.filePage(pg);
  }

  /** The file's pages are always current: nothing is ever dirty here. */
  override isDirty(_pg: number): boolean { return false; }
  override markDirty(_pg: number, _n: number): void {}

  override populate(pg: number, n: number): number {
    const end = Math.min(pg + n, this.sizePages);
    return pg < end ? this.data.fill(pg, end - pg) : 0;
  }

  /** MADV_REMOVE: the file punches the hole (every mapper then sees zeros). */
  override decommit(pg: number, n: number): number {
    return this.data.punch(pg, n);
  }

  protected override released(): void {
    if (this.registry.get(this.file.key) === this) this.registry.delete(this.file.key);
    this.file.decRef();
  }
}
