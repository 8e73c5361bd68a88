// Open file descriptions (man 2 open: "open file description"): shared by
// dup'd descriptors and, later, across fork. The file-system issue extends
// this with inodes, dentries and offsets; here: the I/O surface.
import type { StatxValues } from '../abi/linux/stat.js';
import type { MemoryManager } from '../mm/memory_manager.js';

/** A result, a negative errno, or a pending result for a call that blocks. */
export type IoResult = number | Promise<number>;

export interface FileDescription {
  /** Human-readable name for logs and /proc/PID/fd links. */
  readonly name: string;
  /** O_* status flags (O_APPEND, O_NONBLOCK …) and access mode. */
  flags: number;
  /** FMODE_PREAD|FMODE_PWRITE: pread/pwrite are allowed (false for pipes, sockets, ttys: ESPIPE). */
  readonly positional: boolean;
  read(mm: MemoryManager, addr: number, len: number): IoResult;
  write(mm: MemoryManager, addr: number, len: number): IoResult;
  pread(mm: MemoryManager, addr: number, len: number, pos: number): IoResult;
  pwrite(mm: MemoryManager, addr: number, len: number, pos: number): IoResult;
  ioctl(mm: MemoryManager, request: number, arg: number): number;
  /** Drops one reference; the last one releases host resources. */
  decRef(): void;
  incRef(): void;
  /**
   * fstat(2) of a description that is not a file of the mount tree (pipes,
   * sockets, anonymous files): fills out. Without it fstat answers as for an
   * anonymous inode (mode 0600, no type), as Linux does for eventfd & co.
   */
  stat?(out: StatxValues): void;
  /** lseek(2) of such a description; without it lseek is ESPIPE. */
  seek?(off: number, whence: number): number;
  /** read(2) of 0 bytes reaches read() (inotify: EINVAL or a wait) instead of returning 0 at once. */
  readonly zeroLengthReads?: boolean;
  /** Lines /proc/PID/fdinfo shows after the common ones, each ending in "\n" (inotify watches). */
  fdinfo?(): string;
}
