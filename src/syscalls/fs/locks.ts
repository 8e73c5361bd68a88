// flock(2) and the record-lock commands of fcntl(2): F_GETLK, F_SETLK,
// F_SETLKW and their open-file-description forms F_OFD_* (fs/locks.c:
// SYSCALL flock, fcntl_getlk, fcntl_setlk, flock_to_posix_lock). The lock
// tables are the VFS's (src/vfs/file_locks.ts); this decodes, validates and
// picks the owner: the descriptor table for POSIX locks (so every thread of
// a process, and every process sharing the table, is one owner), the open
// file description for flock and OFD locks.
import { Errno } from '../../abi/linux/errno.js';
import { decodeFlockExact, encodeFlockExact, Fcntl, FLOCK_SIZE, LockType, OFFSET_MAX, OpenFlag, Seek, type FlockExact } from '../../abi/linux/fcntl.js';
import { SYS } from '../../abi/linux/syscalls.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file.js';
import { flockFile, lockKeyOf, releasePosixLocks, setRecordLock, testRecordLock, type RecordLockRequest } from '../../vfs/file_locks.js';
import { OpenFile } from '../../vfs/open_file.js';
import { scratch, scratchView } from '../scratch.js';
import type { SyscallTable } from '../table.js';
import { plainFile } from './common.js';

/** FMODE_READ / FMODE_WRITE of a description from its access mode (3 is neither). */
function canRead(f: FileDescription): boolean {
  const acc = f.flags & OpenFlag.O_ACCMODE;
  return (f.flags & OpenFlag.O_PATH) === 0 && (acc === OpenFlag.O_RDONLY || acc === OpenFlag.O_RDWR);
}

function canWrite(f: FileDescription): boolean {
  const acc = f.flags & OpenFlag.O_ACCMODE;
  return (f.flags & OpenFlag.O_PATH) === 0 && (acc === OpenFlag.O_WRONLY || acc === OpenFlag.O_RDWR);
}

/** The file position (f_pos) and size (i_size) a lock's l_whence counts from; 0 for pipes and the like. */
function filePosition(f: FileDescription): number {
  return f instanceof OpenFile ? f.offset : 0;
}

function fileSize(f: FileDescription): number {
  return f instanceof OpenFile ? f.inode.getattr().size : 0;
}

/**
 * flock(2) (SYSCALL_DEFINE2(flock)): LOCK_MAND requests are ignored (0,
 * whatever the descriptor); the operation (EINVAL) comes before the
 * descriptor (EBADF); locking needs a descriptor open for reading or
 * writing. LOCK_NB makes a conflict EWOULDBLOCK instead of a wait.
 */
export function sysFlock(t: Task, fd: number, cmd: number): number | Promise<number> {
  if ((cmd & LockType.LOCK_MAND) !== 0) return 0;
  let type: number;
  switch (cmd & ~LockType.LOCK_NB) {
    case LockType.LOCK_SH:
      type = LockType.F_RDLCK;
      break;
    case LockType.LOCK_EX:
      type = LockType.F_WRLCK;
      break;
    case LockType.LOCK_UN:
      type = LockType.F_UNLCK;
      break;
    default:
      return -Errno.EINVAL;
  }
  const f = plainFile(t, fd);
  if (typeof f === 'number') return f;
  if (type !== LockType.F_UNLCK && !canRead(f) && !canWrite(f)) return -Errno.EBADF;
  const wait = (cmd & LockType.LOCK_NB) === 0;
  const r = flockFile(lockKeyOf(f), f, type, wait, t);
  if (typeof r === 'number') return r;
  // Like fdget for the whole call: the description stays alive while the caller waits.
  f.incRef();
  return r.then((v) => {
    f.decRef();
    return v;
  });
}

/** The decoded request of one fcntl lock call (reused: the kernel serves one call at a time). */
const flk: FlockExact = { type: 0, whence: 0, start: 0n, len: 0n, pid: 0 };
const range = { start: 0n, end: 0n };

/**
 * flock_to_posix_lock: l_whence (EINVAL), l_start (EOVERFLOW past
 * OFFSET_MAX, EINVAL before 0), l_len (> 0: that many bytes; 0: to the end
 * of any file; < 0: the bytes before l_start), then l_type (EINVAL).
 */
function toRange(f: FileDescription, l: FlockExact): number {
  let base: bigint;
  switch (l.whence) {
    case Seek.SEEK_SET:
      base = 0n;
      break;
    case Seek.SEEK_CUR:
      base = BigInt(filePosition(f));
      break;
    case Seek.SEEK_END:
      base = BigInt(fileSize(f));
      break;
    default:
      return -Errno.EINVAL;
  }
  if (l.start > OFFSET_MAX - base) return -Errno.EOVERFLOW;
  let start = base + l.start;
  if (start < 0n) return -Errno.EINVAL;
  let end: bigint;
  if (l.len > 0n) {
    if (l.len - 1n > OFFSET_MAX - start) return -Errno.EOVERFLOW;
    end = start + l.len - 1n;
  } else if (l.len < 0n) {
    if (start + l.len < 0n) return -Errno.EINVAL;
    end = start - 1n;
    start += l.len;
  } else {
    end = OFFSET_MAX;
  }
  if (l.type !== LockType.F_RDLCK && l.type !== LockType.F_WRLCK && l.type !== LockType.F_UNLCK) return -Errno.EINVAL;
  range.start = start;
  range.end = end;
  return 0;
}

/** fcntl_getlk: the first lock that would conflict, or l_type F_UNLCK (the rest as given). */
function getlk(t: Task, f: FileDescription, cmd: number, addr: number): number {
  const ofd = cmd === Fcntl.F_OFD_GETLK;
  if (!ofd && flk.type !== LockType.F_RDLCK && flk.type !== LockType.F_WRLCK) return -Errno.EINVAL;
  const err = toRange(f, flk);
  if (err < 0) return err;
  if (ofd && flk.pid !== 0) return -Errno.EINVAL;
  const owner = ofd ? f : t.tg.fds;
  const c = testRecordLock(lockKeyOf(f), owner, flk.type, range.start, range.end);
  if (c === null) {
    flk.type = LockType.F_UNLCK;
  } else {
    flk.type = c.type;
    flk.whence = Seek.SEEK_SET;
    flk.start = c.start;
    flk.len = c.end === OFFSET_MAX ? 0n : c.end - c.start + 1n;
    flk.pid = c.ofd ? -1 : c.pid;
  }
  encodeFlockExact(scratchView, 0, flk);
  return t.tg.mm.writeBytes(addr, scratch, 0, FLOCK_SIZE);
}

/**
 * fcntl_setlk: the range and type, the access mode the type needs (EBADF),
 * l_pid 0 for OFD locks (EINVAL), then the lock. A POSIX lock that was
 * waited for while another thread closed fd is dropped again (EBADF).
 */
function setlk(t: Task, fd: number, f: FileDescription, cmd: number): number | Promise<number> {
  const err = toRange(f, flk);
  if (err < 0) return err;
  if (flk.type === LockType.F_RDLCK && !canRead(f)) return -Errno.EBADF;
  if (flk.type === LockType.F_WRLCK && !canWrite(f)) return -Errno.EBADF;
  const ofd = cmd === Fcntl.F_OFD_SETLK || cmd === Fcntl.F_OFD_SETLKW;
  if (ofd && flk.pid !== 0) return -Errno.EINVAL;
  const wait = cmd === Fcntl.F_SETLKW || cmd === Fcntl.F_OFD_SETLKW;
  const owner = ofd ? f : t.tg.fds;
  const req: RecordLockRequest = { owner, ofd, pid: t.tg.pid, type: flk.type, start: range.start, end: range.end };
  const r = setRecordLock(lockKeyOf(f), req, wait, t);
  if (typeof r === 'number') return r;
  f.incRef();
  return r.then((v) => {
    if (v === 0 && !ofd && req.type !== LockType.F_UNLCK && t.tg.fds.get(fd) !== f) {
      releasePosixLocks(owner, f);
      v = -Errno.EBADF;
    }
    f.decRef();
    return v;
  });
}

/**
 * fcntl(fd, cmd, struct flock *) for the six lock commands, f being fd's
 * description (fdget_raw: O_PATH descriptors are EBADF here). The struct
 * is read first (EFAULT).
 */
export function fcntlLock(t: Task, fd: number, f: FileDescription, cmd: number, addr: number): number | Promise<number> {
  if ((f.flags & OpenFlag.O_PATH) !== 0) return -Errno.EBADF;
  const r = t.tg.mm.readBytes(addr, scratch, 0, FLOCK_SIZE);
  if (r < 0) return r;
  decodeFlockExact(scratchView, 0, flk);
  if (cmd === Fcntl.F_GETLK || cmd === Fcntl.F_OFD_GETLK) return getlk(t, f, cmd, addr);
  return setlk(t, fd, f, cmd);
}

export function registerLocks(table: SyscallTable, _k: Kernel): void {
  table[SYS.flock] = (t, a) => sysFlock(t, a.int(0), a.u32(1));
}
