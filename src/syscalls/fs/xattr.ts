// Extended attributes: getxattr(2), setxattr(2), listxattr(2),
// removexattr(2) with their l* (no trailing link followed) and f*
// (descriptor) forms (fs/xattr.c). The name and value are copied in first,
// then the file is found, then the VFS decides.
import { Errno } from '../../abi/linux/errno.js';
import { At } from '../../abi/linux/stat.js';
import { SYS } from '../../abi/linux/syscalls.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { XATTR_NAME_MAX } from '../../vfs/limits.js';
import { OpenFile } from '../../vfs/open_file.js';
import type { VfsPath } from '../../vfs/path.js';
import { lookupAt } from '../../vfs/resolve.js';
import { checkSetxattrArgs, getxattrPath, listxattrPath, removexattrPath, setxattrPath } from '../../vfs/xattr.js';
import type { SyscallTable } from '../table.js';
import { callerOf, copyOut, plainFile, readPath, readString } from './common.js';

/** How the file is named: a path (following a trailing link or not) or a descriptor. */
type Target = { path: number; follow: boolean } | { fd: number };

/** import_xattr_name: EFAULT, or ERANGE for an empty name or one longer than XATTR_NAME_MAX. */
function readName(t: Task, addr: number): string | number {
  const n = readString(t, addr, XATTR_NAME_MAX + 1);
  if (n === -Errno.ENAMETOOLONG || n === '') return -Errno.ERANGE;
  return n;
}

/**
 * The file of a call: for a path, getname then the lookup; for a
 * descriptor, fdget (O_PATH is EBADF). A description outside the mount tree
 * (a pipe, the host's stdio) is reported as `outside`.
 */
function resolve(t: Task, target: Target): VfsPath | number | 'outside' {
  if ('fd' in target) {
    const f = plainFile(t, target.fd);
    if (typeof f === 'number') return f;
    return f instanceof OpenFile ? f.path : 'outside';
  }
  const path = readPath(t, target.path);
  if (typeof path === 'number') return path;
  return lookupAt(callerOf(t), At.AT_FDCWD, path, { follow: target.follow });
}

/** A value or list the VFS produced: its length when size is 0, else copied out. */
function reply(t: Task, r: Uint8Array | number, addr: number, size: number): number {
  if (typeof r === 'number') return r;
  if (size === 0) return r.length;
  const w = copyOut(t, addr, r);
  return w < 0 ? w : r.length;
}

function getxattr(t: Task, target: Target, nameAddr: number, value: number, size: number): number {
  const name = readName(t, nameAddr);
  if (typeof name === 'number') return name;
  const p = resolve(t, target);
  // A pipe's inode has no user.* attributes (xattr_permission: ENODATA for reads).
  if (p === 'outside') return -Errno.ENODATA;
  if (typeof p === 'number') return p;
  return reply(t, getxattrPath(callerOf(t), p, name, size), value, size);
}

/** setxattr_copy: flags, then the name, then the size, then the value. */
function setxattr(t: Task, target: Target, nameAddr: number, valueAddr: number, size: number, flags: number): number {
  const name = readName(t, nameAddr);
  let err = checkSetxattrArgs(typeof name === 'string' ? name : 'user.x', 0, flags);
  if (err < 0) return err;
  if (typeof name === 'number') return name;
  err = checkSetxattrArgs(name, size, flags);
  if (err < 0) return err;
  const value = new Uint8Array(size);
  if (size > 0) {
    const r = t.tg.mm.readBytes(valueAddr, value, 0, size);
    if (r < 0) return r;
  }
  const p = resolve(t, target);
  if (p === 'outside') return -Errno.EPERM;
  if (typeof p === 'number') return p;
  return setxattrPath(callerOf(t), p, name, value, flags);
}

function listxattr(t: Task, target: Target, list: number, size: number): number {
  const p = resolve(t, target);
  if (p === 'outside') return 0;
  if (typeof p === 'number') return p;
  return reply(t, listxattrPath(callerOf(t), p, size), list, size);
}

function removexattr(t: Task, target: Target, nameAddr: number): number {
  const name = readName(t, nameAddr);
  if (typeof name === 'number') return name;
  const p = resolve(t, target);
  if (p === 'outside') return -Errno.EPERM;
  if (typeof p === 'number') return p;
  return removexattrPath(callerOf(t), p, name);
}

export function registerXattr(table: SyscallTable, _k: Kernel): void {
  const path = (addr: number, follow: boolean): Target => ({ path: addr, follow });
  table[SYS.getxattr] = (t, a) => getxattr(t, path(a.u64(0), true), a.u64(1), a.u64(2), a.u64(3));
  table[SYS.lgetxattr] = (t, a) => getxattr(t, path(a.u64(0), false), a.u64(1), a.u64(2), a.u64(3));
  table[SYS.fgetxattr] = (t, a) => getxattr(t, { fd: a.int(0) }, a.u64(1), a.u64(2), a.u64(3));
  table[SYS.setxattr] = (t, a) => setxattr(t, path(a.u64(0), true), a.u64(1), a.u64(2), a.u64(3), a.int(4));
  table[SYS.lsetxattr] = (t, a) => setxattr(t, path(a.u64(0), false), a.u64(1), a.u64(2), a.u64(3), a.int(4));
  table[SYS.fsetxattr] = (t, a) => setxattr(t, { fd: a.int(0) }, a.u64(1), a.u64(2), a.u64(3), a.int(4));
  table[SYS.listxattr] = (t, a) => listxattr(t, path(a.u64(0), true), a.u64(1), a.u64(2));
  table[SYS.llistxattr] = (t, a) => listxattr(t, path(a.u64(0), false), a.u64(1), a.u64(2));
  table[SYS.flistxattr] = (t, a) => listxattr(t, { fd: a.int(0) }, a.u64(1), a.u64(2));
  table[SYS.removexattr] = (t, a) => removexattr(t, path(a.u64(0), true), a.u64(1));
  table[SYS.lremovexattr] = (t, a) => removexattr(t, path(a.u64(0), false), a.u64(1));
  table[SYS.fremovexattr] = (t, a) => removexattr(t, { fd: a.int(0) }, a.u64(1));
}
