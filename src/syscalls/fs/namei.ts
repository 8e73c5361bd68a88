// The calls that make, remove and move names: mkdir(2), mknod(2), rmdir(2),
// unlink(2), rename(2) and renameat2(2), link(2), symlink(2), readlink(2),
// each with its *at form (fs/namei.c, fs/stat.c). Paths that cannot be read
// fail where Linux reports them: at their lookup, after flag checks.
import { SYS } from '../../abi/linux/syscalls.js';
import { At } from '../../abi/linux/stat.js';
import { Errno } from '../../abi/linux/errno.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { linkAt, mkdirAt, mknodAt, readlinkAt, renameAt, rmdirAt, symlinkAt, unlinkAt } from '../../vfs/namei_ops.js';
import type { SyscallTable } from '../table.js';
import { callerOf, readPath, restorePathError, stringBytes, vfsPath } from './common.js';

/** umode_t: the low 16 bits. */
function umode(v: number): number {
  return v & 0xffff;
}

function mkdirat(t: Task, dirfd: number, pathAddr: number, mode: number): number {
  const path = readPath(t, pathAddr);
  return restorePathError(mkdirAt(callerOf(t), dirfd, vfsPath(path), umode(mode)), path);
}

/** mknodat(2): dev is the userspace encoding (new_encode_dev), the same bits as our device numbers. */
function mknodat(t: Task, dirfd: number, pathAddr: number, mode: number, dev: number): number {
  const path = readPath(t, pathAddr);
  return restorePathError(mknodAt(callerOf(t), dirfd, vfsPath(path), umode(mode), dev >>> 0), path);
}

function unlinkat(t: Task, dirfd: number, pathAddr: number, flags: number): number {
  const path = readPath(t, pathAddr);
  return restorePathError(unlinkAt(callerOf(t), dirfd, vfsPath(path), flags), path);
}

function rmdir(t: Task, pathAddr: number): number {
  const path = readPath(t, pathAddr);
  return restorePathError(rmdirAt(callerOf(t), At.AT_FDCWD, vfsPath(path)), path);
}

function renameat2(t: Task, olddirfd: number, oldAddr: number, newdirfd: number, newAddr: number, flags: number): number {
  const from = readPath(t, oldAddr);
  const to = readPath(t, newAddr);
  return restorePathError(renameAt(callerOf(t), olddirfd, vfsPath(from), newdirfd, vfsPath(to), flags), from, to);
}

function linkat(t: Task, olddirfd: number, oldAddr: number, newdirfd: number, newAddr: number, flags: number): number {
  const from = readPath(t, oldAddr);
  const to = readPath(t, newAddr);
  return restorePathError(linkAt(callerOf(t), olddirfd, vfsPath(from), newdirfd, vfsPath(to), flags), from, to);
}

/** symlinkat(2): the target is read first and its errors come first (an empty one is ENOENT). */
function symlinkat(t: Task, targetAddr: number, newdirfd: number, linkAddr: number): number {
  const target = readPath(t, targetAddr);
  if (typeof target === 'number') return target;
  const link = readPath(t, linkAddr);
  return restorePathError(symlinkAt(callerOf(t), target, newdirfd, vfsPath(link)), link);
}

/** readlinkat(2): bufsiz must be positive; the text is copied without a NUL, cut at bufsiz. */
function readlinkat(t: Task, dirfd: number, pathAddr: number, buf: number, size: number): number {
  if (size <= 0) return -Errno.EINVAL;
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  const r = readlinkAt(callerOf(t), dirfd, path);
  if (typeof r === 'number') return r;
  const bytes = stringBytes(r);
  const n = Math.min(size, bytes.length);
  if (n === 0) return 0;
  const w = t.tg.mm.writeBytes(buf, bytes, 0, n);
  return w < 0 ? w : n;
}

export function registerNamei(table: SyscallTable, _k: Kernel): void {
  table[SYS.mkdir] = (t, a) => mkdirat(t, At.AT_FDCWD, a.u64(0), a.u32(1));
  table[SYS.mkdirat] = (t, a) => mkdirat(t, a.int(0), a.u64(1), a.u32(2));
  table[SYS.mknod] = (t, a) => mknodat(t, At.AT_FDCWD, a.u64(0), a.u32(1), a.u32(2));
  table[SYS.mknodat] = (t, a) => mknodat(t, a.int(0), a.u64(1), a.u32(2), a.u32(3));
  table[SYS.rmdir] = (t, a) => rmdir(t, a.u64(0));
  table[SYS.unlink] = (t, a) => unlinkat(t, At.AT_FDCWD, a.u64(0), 0);
  table[SYS.unlinkat] = (t, a) => unlinkat(t, a.int(0), a.u64(1), a.int(2));
  table[SYS.rename] = (t, a) => renameat2(t, At.AT_FDCWD, a.u64(0), At.AT_FDCWD, a.u64(1), 0);
  table[SYS.renameat] = (t, a) => renameat2(t, a.int(0), a.u64(1), a.int(2), a.u64(3), 0);
  table[SYS.renameat2] = (t, a) => renameat2(t, a.int(0), a.u64(1), a.int(2), a.u64(3), a.u32(4));
  table[SYS.link] = (t, a) => linkat(t, At.AT_FDCWD, a.u64(0), At.AT_FDCWD, a.u64(1), 0);
  table[SYS.linkat] = (t, a) => linkat(t, a.int(0), a.u64(1), a.int(2), a.u64(3), a.int(4));
  table[SYS.symlink] = (t, a) => symlinkat(t, a.u64(0), At.AT_FDCWD, a.u64(1));
  table[SYS.symlinkat] = (t, a) => symlinkat(t, a.u64(0), a.int(1), a.u64(2));
  table[SYS.readlink] = (t, a) => readlinkat(t, At.AT_FDCWD, a.u64(0), a.u64(1), a.int(2));
  table[SYS.readlinkat] = (t, a) => readlinkat(t, a.int(0), a.u64(1), a.u64(2), a.int(3));
}
