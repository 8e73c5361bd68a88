// getdents(2), getdents64(2), getcwd(2), chdir(2), fchdir(2), chroot(2)
// (fs/readdir.c, fs/d_path.c, fs/open.c).
import { Errno } from '../../abi/linux/errno.js';
import { SYS } from '../../abi/linux/syscalls.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { chdirAt, chrootAt, fchdir, fillDirents, fillDirents64, getcwd } from '../../vfs/dir_ops.js';
import { PATH_MAX } from '../../vfs/limits.js';
import { OpenFile } from '../../vfs/open_file.js';
import { scratch } from '../scratch.js';
import type { SyscallTable } from '../table.js';
import { callerOf, plainFile, rawFile, readPath, stringBytes } from './common.js';

/**
 * getdents64 / getdents: records from the directory's position on, as many
 * as fit in count bytes (at most a scratch buffer's worth per call: fewer is
 * allowed). EINVAL if even the first does not fit; the position moves only
 * past records that reached the guest.
 */
function getdents(t: Task, fd: number, dirp: number, count: number, wide: boolean): number {
  const f = plainFile(t, fd);
  if (typeof f === 'number') return f;
  if (!(f instanceof OpenFile)) return -Errno.ENOTDIR;
  const buf = scratch.subarray(0, Math.min(count, scratch.length));
  const before = f.offset;
  const n = wide ? fillDirents64(f, buf) : fillDirents(f, buf);
  if (n <= 0) return n;
  const r = t.tg.mm.writeBytes(dirp, buf, 0, n);
  if (r < 0) {
    f.offset = before;
    return r;
  }
  return n;
}

/** getcwd(2): the length with the NUL; ERANGE if size cannot hold it. */
function getcwdCall(t: Task, buf: number, size: number): number {
  const cwd = getcwd(callerOf(t));
  if (typeof cwd === 'number') return cwd;
  const bytes = stringBytes(cwd + '\0');
  if (bytes.length > PATH_MAX) return -Errno.ENAMETOOLONG;
  if (bytes.length > size) return -Errno.ERANGE;
  const r = t.tg.mm.writeBytes(buf, bytes, 0, bytes.length);
  return r < 0 ? r : bytes.length;
}

function chdir(t: Task, pathAddr: number): number {
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  return chdirAt(callerOf(t), path);
}

/** fchdir(2): O_PATH descriptors too; a descriptor outside the tree is no directory. */
function fchdirCall(t: Task, fd: number): number {
  const f = rawFile(t, fd);
  if (typeof f === 'number') return f;
  if (!(f instanceof OpenFile)) return -Errno.ENOTDIR;
  return fchdir(callerOf(t), f);
}

function chroot(t: Task, pathAddr: number): number {
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  return chrootAt(callerOf(t), path);
}

export function registerDir(table: SyscallTable, _k: Kernel): void {
  table[SYS.getdents64] = (t, a) => getdents(t, a.int(0), a.u64(1), a.u32(2), true);
  table[SYS.getdents] = (t, a) => getdents(t, a.int(0), a.u64(1), a.u32(2), false);
  table[SYS.getcwd] = (t, a) => getcwdCall(t, a.u64(0), a.u64(1));
  table[SYS.chdir] = (t, a) => chdir(t, a.u64(0));
  table[SYS.fchdir] = (t, a) => fchdirCall(t, a.int(0));
  table[SYS.chroot] = (t, a) => chroot(t, a.u64(0));
}
