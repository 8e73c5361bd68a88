// What the file-system syscalls share: reading guest paths (getname), the
// order in which Linux reports a path that could not be read, and the
// descriptor lookups (fdget, fdget_raw).
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { callerOf } from '../../kernel/fs_context.js';
import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file.js';
import type { Caller } from '../../vfs/fs_struct.js';
import { PATH_MAX } from '../../vfs/limits.js';
import { OpenFile } from '../../vfs/open_file.js';

export { callerOf };
export type { Caller };

/** A guest path as read: the string (one char per byte), or the -errno getname gave. */
export type PathArg = string | number;

/** Bytes as a byte string: one char per byte (latin1), as the VFS names are. */
export function byteString(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** A byte string's bytes. */
export function stringBytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/**
 * getname(): the NUL-terminated path at addr. EFAULT if unreadable,
 * ENAMETOOLONG without a NUL in PATH_MAX bytes. An empty path is returned as
 * is (the VFS answers ENOENT unless AT_EMPTY_PATH allows it).
 */
export function readPath(t: Task, addr: number): PathArg {
  const b = t.tg.mm.readCStringBytes(addr, PATH_MAX);
  if (typeof b === 'number') return b;
  return byteString(b);
}

/** A NUL-terminated string of at most max-1 bytes (xattr names): the string, or -errno (ENAMETOOLONG if longer). */
export function readString(t: Task, addr: number, max: number): PathArg {
  const b = t.tg.mm.readCStringBytes(addr, max);
  if (typeof b === 'number') return b;
  return byteString(b);
}

/**
 * Linux reads a path early but reports a failure to read it (EFAULT,
 * ENAMETOOLONG) only when the lookup starts, after the call's own checks of
 * its other arguments. The handlers pass the VFS this stand-in for such a
 * path: the VFS makes its argument checks, then fails at the start of the
 * lookup with ENAMETOOLONG (a path of PATH_MAX bytes), before touching
 * anything; restorePathError then puts the real errno back.
 */
export const UNREADABLE_PATH = 'x'.repeat(PATH_MAX);

/** The path to hand the VFS: the string, or the stand-in for an unreadable one. */
export function vfsPath(p: PathArg): string {
  return typeof p === 'string' ? p : UNREADABLE_PATH;
}

/**
 * A VFS result for paths given through vfsPath: ENAMETOOLONG from a
 * stand-in becomes the errno of the first unreadable path (paths in the
 * order the call looks them up).
 */
export function restorePathError<T>(r: T, ...paths: PathArg[]): T | number {
  if (r !== -Errno.ENAMETOOLONG) return r;
  for (const p of paths) if (typeof p === 'number') return p;
  return r;
}

/** fdget_raw: any open descriptor, O_PATH included. */
export function rawFile(t: Task, fd: number): FileDescription | number {
  return t.tg.fds.get(fd) ?? -Errno.EBADF;
}

/** fdget: an open descriptor that is not O_PATH (those are EBADF for I/O and attribute calls). */
export function plainFile(t: Task, fd: number): FileDescription | number {
  const f = t.tg.fds.get(fd);
  if (!f || (f.flags & OpenFlag.O_PATH) !== 0) return -Errno.EBADF;
  return f;
}

/** fdget, for calls that need a file of the mount tree: others are answered with `other`. */
export function treeFile(t: Task, fd: number, other: number): OpenFile | number {
  const f = plainFile(t, fd);
  if (typeof f === 'number') return f;
  return f instanceof OpenFile ? f : other;
}

/** Copies bytes out to the guest: 0 or -EFAULT. */
export function copyOut(t: Task, addr: number, bytes: Uint8Array, len = bytes.length): number {
  if (len === 0) return 0;
  return t.tg.mm.writeBytes(addr, bytes, 0, len);
}
