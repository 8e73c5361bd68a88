// read/write and their vector and positional forms, close, dup, fcntl
// (man 2 read, write, readv, pread, close, dup, fcntl).
import { Errno } from '../abi/linux/errno.js';
import { Fcntl, FdFlag, OpenFlag, SETFL_MASK } from '../abi/linux/fcntl.js';
import { IOV_MAX, MAX_RW_COUNT } from '../abi/linux/iovec.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import type { FileDescription, IoResult } from '../vfs/file.js';
import type { SyscallArgs } from './args.js';
import { getU64, scratch } from './scratch.js';
import type { SyscallTable } from './table.js';


function fileFor(t: Task, fd: number, write: boolean): FileDescription | number {
  const f = t.tg.fds.get(fd);
  if (!f || (f.flags & OpenFlag.O_PATH) !== 0) return -Errno.EBADF;
  const mode = f.flags & OpenFlag.O_ACCMODE;
  if (write ? mode === OpenFlag.O_RDONLY : mode === OpenFlag.O_WRONLY) return -Errno.EBADF;
  return f;
}

/** Checks a (buf, count) pair as vfs_read/vfs_write do; returns the clipped count or -errno. */
function checkBuffer(t: Task, a: SyscallArgs, bufArg: number, countArg: number): number {
  if (a.hi(countArg) >= 0x80000000) return -Errno.EINVAL; // (ssize_t)count < 0
  const count = a.u64(countArg);
  if (count === 0) return 0;
  const buf = a.u64(bufArg);
  if (buf + count > t.tg.as.maxAddress) return -Errno.EFAULT; // access_ok
  return Math.min(count, MAX_RW_COUNT);
}

function rw(t: Task, a: SyscallArgs, write: boolean, positional: boolean): IoResult {
  const f = fileFor(t, a.int(0), write);
  if (typeof f === 'number') return f;
  const count = checkBuffer(t, a, 1, 2);
  if (count <= 0) return count;
  const buf = a.u64(1);
  const mm = t.tg.mm;
  if (!positional) return write ? f.write(mm, buf, count) : f.read(mm, buf, count);
  const pos = a.i64(3);
  if (pos < 0) return -Errno.EINVAL;
  return write ? f.pwrite(mm, buf, count, pos) : f.pread(mm, buf, count, pos);
}

/** Decoded iovecs of the current vector call (reused). */
const iovBase: number[] = [];
const iovLen: number[] = [];

/** Reads and checks an iovec array (man 2 readv: EINVAL, EFAULT); returns the count of entries or -errno. */
function readIovecs(t: Task, addr: number, cnt: number): number {
  if (cnt < 0 || cnt > IOV_MAX) return -Errno.EINVAL;
  if (cnt === 0) return 0;
  const r = t.tg.mm.readBytes(addr, scratch, 0, cnt * 16);
  if (r < 0) return r;
  let total = 0;
  for (let i = 0; i < cnt; i++) {
    const len = getU64(i * 16 + 8);
    if (len > 0x7fffffffffffffff || scratch[i * 16 + 15] >= 0x80) return -Errno.EINVAL;
    total += len;
    if (total > 0x7fffffffffffffff) return -Errno.EINVAL;
    iovBase[i] = getU64(i * 16);
    iovLen[i] = len;
  }
  return cnt;
}

/** Runs the vector operation one segment at a time, stopping at the first short transfer. */
function vector(t: Task, f: FileDescription, n: number, write: boolean, pos: number): IoResult {
  const mm = t.tg.mm;
  const bases = iovBase.slice(0, n);
  const lens = iovLen.slice(0, n);
  let done = 0;
  let i = 0;
  const step = (r: number): IoResult => {
    for (;;) {
      if (r < 0) return done > 0 ? done : r;
      done += r;
      if (i > 0 && r < Math.min(lens[i - 1], MAX_RW_COUNT - (done - r))) return done;
      if (i >= n || done >= MAX_RW_COUNT) return done;
      const len = Math.min(lens[i], MAX_RW_COUNT - done);
      const base = bases[i++];
      if (len === 0) {
        r = 0;
        continue;
      }
      if (base + len > t.tg.as.maxAddress) {
        r = -Errno.EFAULT;
        continue;
      }
      const p = pos < 0 ? -1 : pos + done;
      const next = write
        ? p < 0 ? f.write(mm, base, len) : f.pwrite(mm, base, len, p)
        : p < 0 ? f.read(mm, base, len) : f.pread(mm, base, len, p);
      if (typeof next !== 'number') return next.then(step);
      r = next;
    }
  };
  return step(0);
}

function rwv(t: Task, a: SyscallArgs, write: boolean, positional: boolean): IoResult {
  const f = fileFor(t, a.int(0), write);
  if (typeof f === 'number') return f;
  const n = readIovecs(t, a.u64(1), a.int(2));
  if (n <= 0) return n;
  let pos = -1;
  if (positional) {
    // preadv/pwritev: on 64-bit, pos_l holds the whole offset (pos_from_hilo).
    pos = a.i64(3);
    if (pos < 0) return -Errno.EINVAL;
  }
  return vector(t, f, n, write, pos);
}

function dupTo(t: Task, oldfd: number, newfd: number, flags: number): number {
  const f = t.tg.fds.get(oldfd);
  if (!f) return -Errno.EBADF;
  if (newfd < 0 || newfd >= t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur) return -Errno.EBADF;
  t.tg.fds.installAt(newfd, f, (flags & OpenFlag.O_CLOEXEC) !== 0);
  return newfd;
}

export function registerReadWrite(table: SyscallTable, _k: Kernel): void {
  table[SYS.read] = (t, a) => rw(t, a, false, false);
  table[SYS.write] = (t, a) => rw(t, a, true, false);
  table[SYS.pread64] = (t, a) => rw(t, a, false, true);
  table[SYS.pwrite64] = (t, a) => rw(t, a, true, true);
  table[SYS.readv] = (t, a) => rwv(t, a, false, false);
  table[SYS.writev] = (t, a) => rwv(t, a, true, false);
  table[SYS.preadv] = (t, a) => rwv(t, a, false, true);
  table[SYS.pwritev] = (t, a) => rwv(t, a, true, true);
  table[SYS.close] = (t, a) => t.tg.fds.close(a.int(0));
  table[SYS.dup] = (t, a) => {
    const f = t.tg.fds.get(a.int(0));
    if (!f) return -Errno.EBADF;
    return t.tg.fds.install(f, false, t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur);
  };
  table[SYS.dup2] = (t, a) => {
    const oldfd = a.int(0);
    const newfd = a.int(1);
    if (oldfd === newfd) return t.tg.fds.get(oldfd) ? newfd : -Errno.EBADF;
    return dupTo(t, oldfd, newfd, 0);
  };
  table[SYS.dup3] = (t, a) => {
    const oldfd = a.int(0);
    const newfd = a.int(1);
    const flags = a.int(2);
    if ((flags & ~OpenFlag.O_CLOEXEC) !== 0 || oldfd === newfd) return -Errno.EINVAL;
    return dupTo(t, oldfd, newfd, flags);
  };
  table[SYS.fcntl] = (t, a) => {
    const fd = a.int(0);
    const f = t.tg.fds.get(fd);
    if (!f) return -Errno.EBADF;
    const arg = a.int(2);
    switch (a.int(1)) {
      case Fcntl.F_DUPFD:
      case Fcntl.F_DUPFD_CLOEXEC: {
        const limit = t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur;
        if (arg < 0 || arg >= limit) return -Errno.EINVAL;
        return t.tg.fds.install(f, a.int(1) === Fcntl.F_DUPFD_CLOEXEC, limit, arg);
      }
      case Fcntl.F_GETFD:
        return t.tg.fds.getCloexec(fd) ? FdFlag.FD_CLOEXEC : 0;
      case Fcntl.F_SETFD:
        return t.tg.fds.setCloexec(fd, (arg & FdFlag.FD_CLOEXEC) !== 0);
      case Fcntl.F_GETFL:
        return f.flags;
      case Fcntl.F_SETFL:
        f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        return 0;
      default:
        // Locks, leases, owners, pipe sizes and seals come with the file-system issue.
        return -Errno.EINVAL;
    }
  };
  table[SYS.ioctl] = (t, a) => {
    const f = t.tg.fds.get(a.int(0));
    if (!f) return -Errno.EBADF;
    return f.ioctl(t.tg.mm, a.u32(1), a.u64(2));
  };
}
