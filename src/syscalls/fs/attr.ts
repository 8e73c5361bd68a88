// access(2) family, chmod(2) family, chown(2) family, umask(2), truncate(2),
// ftruncate(2), fallocate(2), and the timestamp calls utime(2), utimes(2),
// futimesat(2), utimensat(2) (fs/open.c, fs/utimes.c).
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { At, Utime } from '../../abi/linux/stat.js';
import { SYS } from '../../abi/linux/syscalls.js';
import { getI64 } from '../../abi/linux/time.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { accessAt, chmodAt, chmodPath, chownAt, chownPath, fallocate, ftruncate, truncatePath, utimensPath, type TimeSpec } from '../../vfs/attr_ops.js';
import { OpenFile } from '../../vfs/open_file.js';
import type { VfsPath } from '../../vfs/path.js';
import { atFlagsToLookup, lookupAt } from '../../vfs/resolve.js';
import { scratch, scratchView } from '../scratch.js';
import type { SyscallTable } from '../table.js';
import { callerOf, plainFile, readPath, restorePathError, treeFile, vfsPath } from './common.js';

function faccessat(t: Task, dirfd: number, pathAddr: number, mode: number, flags: number): number {
  const path = readPath(t, pathAddr);
  return restorePathError(accessAt(callerOf(t), dirfd, vfsPath(path), mode, flags), path);
}

function fchmodat(t: Task, dirfd: number, pathAddr: number, mode: number, flags: number): number {
  const path = readPath(t, pathAddr);
  return restorePathError(chmodAt(callerOf(t), dirfd, vfsPath(path), mode & 0xffff, flags), path);
}

/** fchmod(2): not on O_PATH descriptors. A description outside the tree keeps no mode (Linux changes its pseudo-inode). */
function fchmod(t: Task, fd: number, mode: number): number {
  const f = treeFile(t, fd, 0);
  if (typeof f === 'number') return f;
  return chmodPath(callerOf(t), f.path, mode & 0xffff);
}

/** uid_t / gid_t: -1 (0xffffffff) leaves the id alone. */
function fchownat(t: Task, dirfd: number, pathAddr: number, uid: number, gid: number, flags: number): number {
  const path = readPath(t, pathAddr);
  return restorePathError(chownAt(callerOf(t), dirfd, vfsPath(path), uid, gid, flags), path);
}

function fchown(t: Task, fd: number, uid: number, gid: number): number {
  const f = treeFile(t, fd, 0);
  if (typeof f === 'number') return f;
  return chownPath(callerOf(t), f.path, uid, gid);
}

/** umask(2): the new mask's permission bits; returns the old one. */
function umask(t: Task, mask: number): number {
  const fs = t.tg.fsContext.fs;
  const old = fs.umask;
  fs.umask = mask & 0o777;
  return old;
}

/** truncate(2): a negative length is EINVAL before the path is looked up; a trailing link is followed. */
function truncate(t: Task, pathAddr: number, length: number): number {
  if (length < 0) return -Errno.EINVAL;
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  const caller = callerOf(t);
  const p = lookupAt(caller, At.AT_FDCWD, path, { follow: true });
  if (typeof p === 'number') return p;
  return truncatePath(caller, p, length);
}

/** ftruncate(2): EINVAL for a negative length (first), then the descriptor, then the file's checks. */
function ftruncateCall(t: Task, fd: number, length: number): number {
  if (length < 0) return -Errno.EINVAL;
  const f = treeFile(t, fd, -Errno.EINVAL);
  if (typeof f === 'number') return f;
  return ftruncate(callerOf(t), f, length);
}

/** fallocate(2): the descriptor first, then vfs_fallocate's order. */
function fallocateCall(t: Task, fd: number, mode: number, offset: number, len: number): number {
  const f = plainFile(t, fd);
  if (typeof f === 'number') return f;
  if (f instanceof OpenFile) return fallocate(f, mode, offset, len);
  // Outside the tree: a pipe is ESPIPE, anything else has no blocks to allocate.
  if (offset < 0 || len <= 0) return -Errno.EINVAL;
  const acc = f.flags & OpenFlag.O_ACCMODE;
  if (acc !== OpenFlag.O_WRONLY && acc !== OpenFlag.O_RDWR) return -Errno.EBADF;
  return f.positional ? -Errno.ENODEV : -Errno.ESPIPE;
}

/** The times of a utimensat(2) call: UTIME_NOW / UTIME_OMIT, or an instant; tv_nsec is checked later (nsec_valid). */
interface Times {
  atime: TimeSpec;
  mtime: TimeSpec;
  /** Every tv_nsec is UTIME_NOW, UTIME_OMIT or within [0, 1e9). */
  valid: boolean;
}

function timeSpecAt(off: number): { spec: TimeSpec; valid: boolean } {
  const sec = getI64(scratchView, off);
  const hi = scratchView.getInt32(off + 12, true);
  const lo = scratchView.getUint32(off + 8, true);
  if (hi === 0 && lo === Utime.UTIME_NOW) return { spec: 'now', valid: true };
  if (hi === 0 && lo === Utime.UTIME_OMIT) return { spec: 'omit', valid: true };
  return { spec: { sec, nsec: hi === 0 && lo < 1e9 ? lo : 0 }, valid: hi === 0 && lo < 1e9 };
}

/**
 * do_utimes: the file named by dirfd alone (a NULL path with a descriptor:
 * flags must be 0) or by a path; nsec_valid is checked once the file is
 * found (vfs_utimes); both UTIME_NOW means "touch" (no explicit time).
 */
function doUtimes(t: Task, dirfd: number, pathAddr: number, times: Times | null, flags: number): number {
  const caller = callerOf(t);
  let p: VfsPath;
  if (pathAddr === 0 && dirfd !== At.AT_FDCWD) {
    if (flags !== 0) return -Errno.EINVAL;
    const f = treeFile(t, dirfd, 0);
    if (typeof f === 'number') return f;
    p = f.path;
  } else {
    const opts = atFlagsToLookup(flags, At.AT_SYMLINK_NOFOLLOW | At.AT_EMPTY_PATH);
    if (typeof opts === 'number') return opts;
    const path = readPath(t, pathAddr);
    if (typeof path === 'number') return path;
    const r = lookupAt(caller, dirfd, path, opts);
    if (typeof r === 'number') return r;
    p = r;
  }
  if (times && !times.valid) return -Errno.EINVAL;
  return utimensPath(caller, p, times?.atime ?? 'now', times?.mtime ?? 'now');
}

/** utimensat(2): both UTIME_OMIT returns 0 before anything else is looked at. */
function utimensat(t: Task, dirfd: number, pathAddr: number, timesAddr: number, flags: number): number {
  let times: Times | null = null;
  if (timesAddr !== 0) {
    const r = t.tg.mm.readBytes(timesAddr, scratch, 0, 32);
    if (r < 0) return r;
    const a = timeSpecAt(0);
    const m = timeSpecAt(16);
    if (a.spec === 'omit' && m.spec === 'omit') return 0;
    times = { atime: a.spec, mtime: m.spec, valid: a.valid && m.valid };
  }
  return doUtimes(t, dirfd, pathAddr, times, flags);
}

/** utimes(2) / futimesat(2): struct timeval[2]; tv_usec outside [0, 1e6) is EINVAL (UTIME_NOW/OMIT included). */
function futimesat(t: Task, dirfd: number, pathAddr: number, tvAddr: number): number {
  let times: Times | null = null;
  if (tvAddr !== 0) {
    const r = t.tg.mm.readBytes(tvAddr, scratch, 0, 32);
    if (r < 0) return r;
    const usec = (off: number): number => (scratchView.getInt32(off + 12, true) !== 0 ? -1 : scratchView.getUint32(off + 8, true));
    const au = usec(0);
    const mu = usec(16);
    if (au < 0 || au >= 1e6 || mu < 0 || mu >= 1e6) return -Errno.EINVAL;
    times = {
      atime: { sec: getI64(scratchView, 0), nsec: au * 1000 },
      mtime: { sec: getI64(scratchView, 16), nsec: mu * 1000 },
      valid: true,
    };
  }
  return doUtimes(t, dirfd, pathAddr, times, 0);
}

/** utime(2): struct utimbuf { actime; modtime } in whole seconds. */
function utime(t: Task, pathAddr: number, bufAddr: number): number {
  let times: Times | null = null;
  if (bufAddr !== 0) {
    const r = t.tg.mm.readBytes(bufAddr, scratch, 0, 16);
    if (r < 0) return r;
    times = { atime: { sec: getI64(scratchView, 0), nsec: 0 }, mtime: { sec: getI64(scratchView, 8), nsec: 0 }, valid: true };
  }
  return doUtimes(t, At.AT_FDCWD, pathAddr, times, 0);
}

export function registerAttr(table: SyscallTable, _k: Kernel): void {
  table[SYS.access] = (t, a) => faccessat(t, At.AT_FDCWD, a.u64(0), a.int(1), 0);
  table[SYS.faccessat] = (t, a) => faccessat(t, a.int(0), a.u64(1), a.int(2), 0);
  table[SYS.faccessat2] = (t, a) => faccessat(t, a.int(0), a.u64(1), a.int(2), a.int(3));
  table[SYS.chmod] = (t, a) => fchmodat(t, At.AT_FDCWD, a.u64(0), a.u32(1), 0);
  table[SYS.fchmodat] = (t, a) => fchmodat(t, a.int(0), a.u64(1), a.u32(2), 0);
  table[SYS.fchmod] = (t, a) => fchmod(t, a.int(0), a.u32(1));
  table[SYS.chown] = (t, a) => fchownat(t, At.AT_FDCWD, a.u64(0), a.u32(1), a.u32(2), 0);
  table[SYS.lchown] = (t, a) => fchownat(t, At.AT_FDCWD, a.u64(0), a.u32(1), a.u32(2), At.AT_SYMLINK_NOFOLLOW);
  table[SYS.fchownat] = (t, a) => fchownat(t, a.int(0), a.u64(1), a.u32(2), a.u32(3), a.int(4));
  table[SYS.fchown] = (t, a) => fchown(t, a.int(0), a.u32(1), a.u32(2));
  table[SYS.umask] = (t, a) => umask(t, a.u32(0));
  table[SYS.truncate] = (t, a) => truncate(t, a.u64(0), a.i64(1));
  table[SYS.ftruncate] = (t, a) => ftruncateCall(t, a.int(0), a.i64(1));
  table[SYS.fallocate] = (t, a) => fallocateCall(t, a.int(0), a.int(1), a.i64(2), a.i64(3));
  table[SYS.utimensat] = (t, a) => utimensat(t, a.int(0), a.u64(1), a.u64(2), a.int(3));
  table[SYS.futimesat] = (t, a) => futimesat(t, a.int(0), a.u64(1), a.u64(2));
  table[SYS.utimes] = (t, a) => futimesat(t, At.AT_FDCWD, a.u64(0), a.u64(1));
  table[SYS.utime] = (t, a) => utime(t, a.u64(0), a.u64(1));
}
