// File data that lives in the MemoryFile (tmpfs files and memfds, DESIGN.md:
// Memory): the file system owns the pages; shared mappings of the file map
// them directly, so a store through a mapping and read(2)/write(2) see the
// same bytes at once, in every process.
//
// The file system (src/fs/tmpfs) implements FilePages; the memory manager
// (src/mm) maps the pages and answers `filePagesHooks.invalidate`, which the
// file system calls before it frees pages that may be mapped (truncate, hole
// punching): Linux's unmap_mapping_range.
import type { MemoryFile } from './memory_file.js';

export interface FilePages {
  /** The MemoryFile the pages are in (a mapping through another one cannot use them directly). */
  readonly mf: MemoryFile;
  /** MemoryFile page number backing page pg of the file, or -1 for a hole. */
  filePage(pg: number): number;
  /**
   * Gives zeroed pages to the holes of [pg, pg+n), charged to the file
   * system (the caller keeps within the file's size): 0, -ENOSPC when the
   * file system is full, -ENOMEM when the MemoryFile is (a fault: SIGBUS or
   * OOM). Pages allocated before a failure stay.
   */
  fill(pg: number, n: number): number;
  /** MADV_REMOVE: punches the hole [pg, pg+n) as fallocate(PUNCH_HOLE|KEEP_SIZE) would. 0 or -errno. */
  punch(pg: number, n: number): number;
  /** VMAs (shared or private, in any address space) mapping the file; kept by the memory manager. */
  mappers: number;
}

export const filePagesHooks = {
  /**
   * Before pages [pg, end) of the file are freed or replaced: every address
   * space unmaps them and forgets their translation; with evenCows
   * (truncation), private mappings drop their copies of those pages too, so
   * that an access past the new end of the file raises SIGBUS. Only called
   * while `mappers` > 0. Set by the memory manager.
   */
  invalidate: (_pages: FilePages, _pg: number, _end: number, _evenCows: boolean): void => {},
  /**
   * True if a shared mapping that is or may become writable (VM_SHARED with
   * VM_MAYWRITE) maps the file in some address space: F_SEAL_WRITE is then
   * EBUSY (mapping_deny_writable). Set by the memory manager.
   */
  sharedWritable: (_pages: FilePages): boolean => false,
};

/**
 * The MemoryFile that new tmpfs files keep their pages in (the kernel's),
 * or null: pages then live on the JavaScript heap, and shared mappings copy
 * them (unit tests without a kernel).
 */
export const defaultPageMemory: { mf: MemoryFile | null } = { mf: null };
