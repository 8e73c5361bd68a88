// read/write and their vector and positional forms, close, dup, fcntl
// (man 2 read, write, readv, pread, close, dup, fcntl).
import { Errno } from '../abi/linux/errno.js';
import { Fcntl, FdFlag, OpenFlag, SETFL_MASK } from '../abi/linux/fcntl.js';
import { Ioctl } from '../abi/linux/ioctl.js';
import { IOV_MAX, MAX_RW_COUNT } from '../abi/linux/iovec.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import type { FileDescription, IoResult } from '../vfs/file.js';
import { OpenFile } from '../vfs/open_file.js';
import { isOwnerOrCapable } from '../vfs/permissions.js';
import { callerOf } from '../kernel/fs_context.js';
import type { SyscallArgs } from './args.js';
import { PipeEnd } from '../fs/pipe/index.js';
import { Socket } from '../net/socket.js';
import { accessOk } from './access.js';
import { pipeFcntl } from './pipe.js';
import { fcntlLock } from './fs/locks.js';
import { fasyncChanged, fownFcntl, installOwnerLookup } from './fown.js';
import { memfdFcntl } from './fs/memfd.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';
import { installTtyKernel } from './tty.js';


/** The file for fd, open for reading or writing (vfs_read/vfs_write: EBADF). */
function fileFor(t: Task, fd: number, write: boolean): FileDescription | number {
  const f = t.tg.fds.get(fd);
  if (!f || (f.flags & OpenFlag.O_PATH) !== 0) return -Errno.EBADF;
  const mode = f.flags & OpenFlag.O_ACCMODE;
  if (write ? mode === OpenFlag.O_RDONLY : mode === OpenFlag.O_WRONLY) return -Errno.EBADF;
  return f;
}

/**
 * read/write/pread64/pwrite64 in the order of fs/read_write.c: negative
 * position (EINVAL, before the fd is looked up), fd (EBADF), positional
 * support (ESPIPE), access mode (EBADF), access_ok (EFAULT), then the count.
 */
function rw(t: Task, a: SyscallArgs, write: boolean, positional: boolean): IoResult {
  const pos = positional ? a.i64(3) : -1;
  if (positional && pos < 0) return -Errno.EINVAL;
  const fd = a.int(0);
  if (!t.tg.fds.get(fd)) return -Errno.EBADF;
  if (positional && !t.tg.fds.get(fd)!.positional) return -Errno.ESPIPE;
  const f = fileFor(t, fd, write);
  if (typeof f === 'number') return f;
  const r = a.regs;
  if (!accessOk(r[2 * 13], r[2 * 13 + 1], r[2 * 12], r[2 * 12 + 1])) return -Errno.EFAULT; // rsi, rdx
  const count = Math.min(a.u64(2), MAX_RW_COUNT);
  // A socket sees zero-length I/O (an empty datagram is sent).
  if (count === 0 && !(f instanceof Socket) && !(f.zeroLengthReads === true && !write)) return 0;
  const buf = a.u64(1);
  const mm = t.tg.mm;
  if (!positional) return write ? f.write(mm, buf, count) : f.read(mm, buf, count);
  return write ? f.pwrite(mm, buf, count, pos) : f.pread(mm, buf, count, pos);
}

/** Decoded iovecs of the current vector call (reused). */
const iovBase: number[] = [];
const iovLen: number[] = [];

/**
 * import_iovec (lib/iov_iter.c): count (EINVAL), the array (EFAULT), negative
 * lengths (EINVAL), then access_ok on every segment (EFAULT) with the total
 * clipped to MAX_RW_COUNT. Returns the number of entries or -errno.
 */
function readIovecs(t: Task, addr: number, cnt: number): number {
  if (cnt < 0 || cnt > IOV_MAX) return -Errno.EINVAL;
  if (cnt === 0) return 0;
  const r = t.tg.mm.readBytes(addr, scratch, 0, cnt * 16);
  if (r < 0) return r;
  for (let i = 0; i < cnt; i++) if (scratch[i * 16 + 15] >= 0x80) return -Errno.EINVAL;
  let total = 0;
  for (let i = 0; i < cnt; i++) {
    const o = i * 16;
    const bLo = scratchView.getUint32(o, true);
    const bHi = scratchView.getUint32(o + 4, true);
    const lLo = scratchView.getUint32(o + 8, true);
    const lHi = scratchView.getUint32(o + 12, true);
    if (!accessOk(bLo, bHi, lLo, lHi)) return -Errno.EFAULT;
    const len = Math.min(lLo + lHi * 4294967296, MAX_RW_COUNT - total);
    iovBase[i] = bLo + bHi * 4294967296;
    iovLen[i] = len;
    total += len;
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
  let want = 0;
  const step = (r: number): IoResult => {
    for (;;) {
      if (r < 0) return done > 0 ? done : r;
      done += r;
      if (r < want || i >= n) return done;
      want = lens[i];
      const base = bases[i++];
      if (want === 0) {
        r = 0;
        continue;
      }
      const p = pos < 0 ? -1 : pos + done;
      const next = write
        ? p < 0 ? f.write(mm, base, want) : f.pwrite(mm, base, want, p)
        : p < 0 ? f.read(mm, base, want) : f.pread(mm, base, want, p);
      if (typeof next !== 'number') return next.then(step);
      r = next;
    }
  };
  return step(0);
}

/** readv/writev/preadv/pwritev in the order of fs/read_write.c (do_readv, do_preadv). */
function rwv(t: Task, a: SyscallArgs, write: boolean, positional: boolean): IoResult {
  // preadv/pwritev: on 64-bit, pos_l holds the whole offset (pos_from_hilo).
  const pos = positional ? a.i64(3) : -1;
  if (positional && pos < 0) return -Errno.EINVAL;
  const fd = a.int(0);
  if (!t.tg.fds.get(fd)) return -Errno.EBADF;
  if (positional && !t.tg.fds.get(fd)!.positional) return -Errno.ESPIPE;
  const f = fileFor(t, fd, write);
  if (typeof f === 'number') return f;
  // vlen is an unsigned long, narrowed to unsigned int by import_iovec (nr_segs).
  const n = readIovecs(t, a.u64(1), a.u32(2));
  if (n <= 0) return n;
  // A pipe does the whole vector as one read or write (PIPE_BUF atomicity,
  // O_DIRECT packets, no blocking once some data was read).
  if (f instanceof PipeEnd) return write ? f.writev(t.tg.mm, iovBase, iovLen, n) : f.readv(t.tg.mm, iovBase, iovLen, n);
  // So does a socket (one datagram or record for the whole vector).
  if (f instanceof Socket) return write ? f.writev(t.tg.mm, iovBase, iovLen, n) : f.readv(t.tg.mm, iovBase, iovLen, n);
  return vector(t, f, n, write, pos);
}

function dupTo(t: Task, oldfd: number, newfd: number, flags: number): number {
  const f = t.tg.fds.get(oldfd);
  if (!f) return -Errno.EBADF;
  if (newfd < 0 || newfd >= t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur) return -Errno.EBADF;
  t.tg.fds.installAt(newfd, f, (flags & OpenFlag.O_CLOEXEC) !== 0);
  return newfd;
}

export function registerReadWrite(table: SyscallTable, k: Kernel): void {
  installOwnerLookup(k);
  // Terminals (ioctl, read and write of ptys) reach the kernel through this.
  installTtyKernel(k);
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
        // setfl: turning O_NOATIME on needs the file's owner or CAP_FOWNER.
        if ((arg & OpenFlag.O_NOATIME) !== 0 && (f.flags & OpenFlag.O_NOATIME) === 0 && f instanceof OpenFile &&
          !isOwnerOrCapable(callerOf(t).creds, f.inode.getattr())) return -Errno.EPERM;
        fasyncChanged(f, fd, f.flags, arg);
        f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        return 0;
      case Fcntl.F_GETPIPE_SZ:
      case Fcntl.F_SETPIPE_SZ:
        return pipeFcntl(t, f, a.int(1), a.u32(2));
      case Fcntl.F_GETLK:
      case Fcntl.F_SETLK:
      case Fcntl.F_SETLKW:
      case Fcntl.F_OFD_GETLK:
      case Fcntl.F_OFD_SETLK:
      case Fcntl.F_OFD_SETLKW:
        return fcntlLock(t, fd, f, a.int(1), a.u64(2));
      case Fcntl.F_ADD_SEALS:
      case Fcntl.F_GET_SEALS:
        return memfdFcntl(f, a.int(1), a.u32(2));
      case Fcntl.F_GETOWN:
      case Fcntl.F_SETOWN:
      case Fcntl.F_GETOWN_EX:
      case Fcntl.F_SETOWN_EX:
      case Fcntl.F_GETSIG:
      case Fcntl.F_SETSIG:
        return fownFcntl(t, f, a.int(1), arg, a.u64(2));
      default:
        // Leases come with the rest of the file-system issue.
        return -Errno.EINVAL;
    }
  };
  table[SYS.ioctl] = (t, a) => {
    const fd = a.int(0);
    const f = t.tg.fds.get(fd);
    if (!f) return -Errno.EBADF;
    const req = a.u32(1);
    // The requests every file understands (fs/ioctl.c do_vfs_ioctl).
    switch (req) {
      case Ioctl.FIOCLEX:
        return t.tg.fds.setCloexec(fd, true);
      case Ioctl.FIONCLEX:
        return t.tg.fds.setCloexec(fd, false);
      case Ioctl.FIONBIO:
      case Ioctl.FIOASYNC: {
        const r = t.tg.mm.readBytes(a.u64(2), scratch, 0, 4);
        if (r < 0) return r;
        const bit = req === Ioctl.FIONBIO ? OpenFlag.O_NONBLOCK : OpenFlag.FASYNC;
        const flags = scratchView.getInt32(0, true) !== 0 ? f.flags | bit : f.flags & ~bit;
        fasyncChanged(f, fd, f.flags, flags);
        f.flags = flags;
        return 0;
      }
    }
    return f.ioctl(t.tg.mm, req, a.u64(2));
  };
}
