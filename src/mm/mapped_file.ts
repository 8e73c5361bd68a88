// What the memory manager needs from a file to map it (mmap(2) with an fd).
// The syscall layer adapts an open file description to this interface, so
// src/mm does not depend on the VFS. One MappedFile stands for one open file
// description (Linux's vma->vm_file): every VMA mapping it holds a reference.
import type { FilePages } from '../memory/file_pages.js';

export interface MappedFile {
  /** Opened for reading (FMODE_READ): every mapping needs it (else EACCES). */
  readonly readable: boolean;
  /** Opened for writing (FMODE_WRITE): MAP_SHARED with PROT_WRITE needs it; without it a shared mapping never becomes writable. */
  readonly writable: boolean;
  /** The file can be mapped (Linux: f_op->mmap exists): regular files of disk-like file systems, /dev/zero. Else ENODEV. */
  readonly mappable: boolean;
  /** A regular file (mmap's offset limit is MAX_LFS_FILESIZE for those, ULONG_MAX for others). */
  readonly regular: boolean;
  /** /dev/zero: a mapping of it is anonymous memory (shared: a fresh shared object). */
  readonly zero: boolean;
  /** The inode is append-only (chattr +a): MAP_SHARED of it is EACCES if opened for writing. */
  readonly appendOnly: boolean;
  /**
   * A memfd with F_SEAL_WRITE or F_SEAL_FUTURE_WRITE: a shared writable
   * mapping is EPERM, a shared read-only one can never become writable.
   */
  readonly writeSealed: boolean;
  /** On a noexec mount: PROT_EXEC is EPERM and mprotect cannot add it. */
  readonly noexec: boolean;
  /** The current size of the file in bytes (pages wholly past it raise SIGBUS). */
  readonly size: number;
  /** st_dev and st_ino, for /proc/PID/maps. */
  readonly dev: number;
  readonly ino: number;
  /** The underlying file's identity (its inode): shared mappings of one key share their pages. */
  readonly key: object;
  /**
   * The file's own pages when they live in a MemoryFile (tmpfs, memfd):
   * shared mappings map them directly. Null or absent otherwise.
   */
  readonly pages?: FilePages | null;
  /** The path shown in /proc/PID/maps (with " (deleted)" once unlinked). */
  name(): string;
  /** Reads up to len bytes at file position pos into dst[off..]: the count read (0 at the end of the file) or -errno. */
  read(pos: number, dst: Uint8Array, off: number, len: number): number;
  /** Writes len bytes of src[off..] at file position pos (not moving the file offset, O_APPEND ignored): the count written or -errno. */
  write(pos: number, src: Uint8Array, off: number, len: number): number;
  /** fsync(2) of the file (msync MS_SYNC): 0 or -errno. */
  sync(): number;
  /** References from VMAs: the first keeps the open file description alive, the last lets it go. */
  incRef(): void;
  decRef(): void;
}
