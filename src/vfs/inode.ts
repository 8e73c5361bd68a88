// The interface every file system implements (man 7 inode). The VFS does the
// generic work (path resolution, permissions, sticky bits, mounts, the
// dentry cache, the rules of man 2 rename); a file system stores and answers.
// Methods return a value or a negative errno; they never throw.
//
// Names are byte strings: each char code is one byte of the guest's name
// (decode guest memory as latin1), so lengths are byte lengths.
import { FileMode } from '../abi/linux/stat.js';
import type { GuestMemory, IoResult } from './guest_memory.js';
import type { InotifyMark } from './inotify_marks.js';
import type { Clock, Timestamp } from './timestamp.js';

/** The attributes stat(2) reports. Timestamps are replaced, never mutated. */
export interface InodeAttrs {
  /** File type and permission bits (S_IFMT | 07777). */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  /** Device number of a character or block special file. */
  rdev: number;
  size: number;
  /** 512-byte blocks allocated. */
  blocks: number;
  blksize: number;
  atime: Timestamp;
  mtime: Timestamp;
  ctime: Timestamp;
  btime: Timestamp;
}

/** A change of attributes. The file system applies exactly the fields given; the VFS decides which. */
export interface SetAttrRequest {
  /** Permission bits only (07777); the type never changes. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Truncate or extend (regular files). May fail with ENOSPC or EFBIG. */
  size?: number;
  atime?: Timestamp;
  mtime?: Timestamp;
  ctime?: Timestamp;
}

/** The owner and mode of a new inode, computed by the VFS (umask, setgid directories). */
export interface NewInodeSpec {
  /** Type and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  /** Device number for S_IFCHR / S_IFBLK, else 0. */
  rdev: number;
}

/** One directory entry as readdir gives it. */
export interface DirEntry {
  name: string;
  ino: number;
  /** DT_* type (S_IFMT >> 12). */
  type: number;
  /** The cookie that resumes after this entry (getdents d_off). */
  next: number;
}

/** readdir's callback: false stops the iteration (the caller's buffer is full). */
export type DirEmitter = (entry: DirEntry) => boolean;

/** renameat2(2) flags. */
export const enum RenameFlag {
  RENAME_NOREPLACE = 1,
  RENAME_EXCHANGE = 2,
  RENAME_WHITEOUT = 4,
}

/** setxattr(2) flags. */
export const enum XattrFlag {
  XATTR_CREATE = 1,
  XATTR_REPLACE = 2,
}

/** fallocate(2) modes. */
export const enum FallocFlag {
  FALLOC_FL_KEEP_SIZE = 0x01,
  FALLOC_FL_PUNCH_HOLE = 0x02,
  FALLOC_FL_NO_HIDE_STALE = 0x04,
  FALLOC_FL_COLLAPSE_RANGE = 0x08,
  FALLOC_FL_ZERO_RANGE = 0x10,
  FALLOC_FL_INSERT_RANGE = 0x20,
  FALLOC_FL_UNSHARE_RANGE = 0x40,
}

/** statfs(2) values. */
export interface StatFsValues {
  type: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
  frsize: number;
  /** ST_* mount flags; the VFS adds the mount's own. */
  flags: number;
}

/**
 * The I/O of one open regular file (or device), chosen by the file system at
 * open. Offsets are decided by the VFS's OpenFile; pos is where to act.
 */
export interface FileImpl {
  read(mm: GuestMemory, addr: number, len: number, pos: number): IoResult;
  write(mm: GuestMemory, addr: number, len: number, pos: number): IoResult;
  /** False for pipes and terminals: pread, pwrite and lseek are ESPIPE. */
  readonly seekable: boolean;
  /** SEEK_DATA / SEEK_HOLE (man 2 lseek); absent: all data up to the size. */
  seekData?(pos: number, hole: boolean): number;
  fsync?(): number;
  ioctl?(mm: GuestMemory, request: number, arg: number): number;
  /** The last reference to the open file description went away. */
  release?(): void;
}

/** A file system instance (a superblock). */
export interface FileSystem {
  /** Its name in /proc/filesystems and /proc/mounts ("tmpfs"). */
  readonly type: string;
  /** st_dev of every inode. */
  readonly dev: number;
  readonly root: Inode;
  /** The file system itself is read-only (sb_rdonly): writes are EROFS whatever the mount says. */
  readonly readOnly: boolean;
  readonly clock: Clock;
  statfs(): StatFsValues;
}

/**
 * An inode. The directory methods are called only on directories, readlink
 * only on symlinks, open only on regular files and directories; the VFS has
 * checked permissions, existence and types before each call unless a
 * method's comment says otherwise.
 */
export interface Inode {
  readonly fs: FileSystem;
  readonly ino: number;
  /** S_IFMT bits; fixed for the inode's life. */
  readonly type: number;
  /** The current attributes; a live view, not to be modified by callers. */
  getattr(): Readonly<InodeAttrs>;
  setattr(req: SetAttrRequest): number;

  // Directories. name is a single component, never "." or "..", at most NAME_MAX bytes.
  /** The child called name, or -ENOENT. */
  lookup(name: string): Inode | number;
  /**
   * Whether a cached child dentry is still what name means (d_revalidate):
   * asked on every cache hit when present (procfs's /proc/PID once the
   * process is gone). False drops the dentry and the name is looked up again.
   */
  revalidate?(name: string, child: Inode): boolean;
  /** Creates a regular file, a device node, a FIFO or a socket (spec.mode's type). EEXIST if name exists. */
  mknod(name: string, spec: NewInodeSpec): Inode | number;
  mkdir(name: string, spec: NewInodeSpec): Inode | number;
  symlink(name: string, target: string, spec: NewInodeSpec): Inode | number;
  /** Adds a name for target (not a directory). */
  link(name: string, target: Inode): number;
  /** Removes a non-directory entry. */
  unlink(name: string): number;
  /** Removes an empty directory: ENOTEMPTY otherwise. */
  rmdir(name: string): number;
  /**
   * Moves name to newDir/newName (same file system), replacing a compatible
   * target (the VFS checked types; the file system checks ENOTEMPTY), or
   * swaps the two with RENAME_EXCHANGE.
   */
  rename(name: string, newDir: Inode, newName: string, flags: number): number;
  /** Entries from cookie on ("." at 0 and ".." at 1 included); 0 or -errno. */
  readdir(cookie: number, emit: DirEmitter): number;
  /** An unnamed inode for O_TMPFILE (nlink 0), or -EOPNOTSUPP. */
  tmpfile?(spec: NewInodeSpec): Inode | number;

  // Symlinks.
  readlink(): string | number;

  // Regular files: the I/O implementation for a new open file description.
  open(flags: number): FileImpl | number;
  /** fallocate(2) on a regular file; EOPNOTSUPP for modes it lacks. */
  allocate(mode: number, offset: number, len: number): number;

  // Extended attributes, by full name ("user.x"). The VFS has validated names and checked permission.
  getxattr(name: string): Uint8Array | number;
  setxattr(name: string, value: Uint8Array, flags: number): number;
  listxattr(): string[] | number;
  removexattr(name: string): number;

  /** The inotify watches on this inode (set by the VFS, src/vfs/inotify_marks.ts); absent when none. */
  inotifyMarks?: InotifyMark[] | undefined;

  /** References from open files (and, later, mappings): an unlinked inode is freed at zero. */
  incRef(): void;
  decRef(): void;
}

export function isDir(inode: Inode): boolean {
  return inode.type === FileMode.S_IFDIR;
}

export function isSymlink(inode: Inode): boolean {
  return inode.type === FileMode.S_IFLNK;
}

export function isRegular(inode: Inode): boolean {
  return inode.type === FileMode.S_IFREG;
}

/** DT_* from a mode: the dirent d_type (man 3 readdir). */
export function dtType(mode: number): number {
  return (mode & FileMode.S_IFMT) >>> 12;
}
