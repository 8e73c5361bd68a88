// epoll_create(2), epoll_create1(2), epoll_ctl(2), epoll_wait(2),
// epoll_pwait(2), epoll_pwait2(2) (fs/eventpoll.c). The instance lives in
// src/vfs/epoll.ts.
//
// epoll_ctl checks in Linux's order: the event is copied in for ADD and MOD
// (EFAULT); epfd and fd (EBADF; O_PATH descriptors are not seen); the target
// must have a poll method (EPERM: regular files, directories); epfd must be
// an epoll instance other than the target (EINVAL); EPOLLEXCLUSIVE only with
// ADD, on a non-epoll file, with EPOLLEXCLUSIVE_OK_BITS (EINVAL); a nested
// instance must not close a loop or chain too deep (ELOOP); then the
// operation (EEXIST, ENOENT, EINVAL for an unknown op or a MOD of an
// exclusive item). EPOLLERR and EPOLLHUP are always watched; EPOLLWAKEUP is
// dropped without CAP_BLOCK_SUSPEND.
//
// epoll_wait returns -EINTR when a signal interrupts it: it is never restarted.
import { Capability } from '../abi/linux/capability.js';
import {
  EP_MAX_EVENTS,
  EPOLL_CLOEXEC,
  EPOLL_EVENT_SIZE,
  EPOLLEXCLUSIVE_OK_BITS,
  Epoll,
  EpollCtl,
} from '../abi/linux/epoll.js';
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { SYS } from '../abi/linux/syscalls.js';
import { NO_RESUME, type Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { EpollFile } from '../vfs/epoll.js';
import type { FileDescription } from '../vfs/file.js';
import { pollableOf } from '../vfs/poll.js';
import { rangeOk } from './access.js';
import {
  KEEP_WAITING,
  NO_TIMEOUT,
  ReadyWait,
  ZERO_TIMEOUT,
  deadlineAfterMs,
  readTimespecDeadline,
  restoreSigmask,
  setUserSigmask,
} from './poll_wait.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

/** fdget: the file at fd, unless closed or O_PATH. */
function getFile(t: Task, fd: number): FileDescription | undefined {
  const f = t.tg.fds.get(fd);
  if (!f || (f.flags & OpenFlag.O_PATH) !== 0) return undefined;
  return f;
}

/** do_epoll_create: a new instance at the lowest free descriptor. */
function epollCreate(t: Task, flags: number): number {
  if ((flags & ~EPOLL_CLOEXEC) !== 0) return -Errno.EINVAL;
  const ep = new EpollFile(t.creds.uid);
  return t.tg.fds.install(ep, (flags & EPOLL_CLOEXEC) !== 0, t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur);
}

/** do_epoll_ctl. */
function epollCtl(t: Task, epfd: number, op: number, fd: number, event: number): number {
  let events = 0;
  let dataLo = 0;
  let dataHi = 0;
  if (op !== EpollCtl.EPOLL_CTL_DEL) {
    if (t.tg.mm.readBytes(event, scratch, 0, EPOLL_EVENT_SIZE) < 0) return -Errno.EFAULT;
    events = scratchView.getUint32(0, true);
    dataLo = scratchView.getUint32(4, true);
    dataHi = scratchView.getUint32(8, true);
  }
  const f = getFile(t, epfd);
  if (!f) return -Errno.EBADF;
  const tf = getFile(t, fd);
  if (!tf) return -Errno.EBADF;
  const target = pollableOf(tf);
  if (!target) return -Errno.EPERM;
  if (op !== EpollCtl.EPOLL_CTL_DEL && (events & Epoll.EPOLLWAKEUP) !== 0 && !t.creds.hasCapability(Capability.CAP_BLOCK_SUSPEND)) {
    events &= ~Epoll.EPOLLWAKEUP;
  }
  if (f === tf || !(f instanceof EpollFile)) return -Errno.EINVAL;
  const ep = f;
  if (op !== EpollCtl.EPOLL_CTL_DEL && (events & Epoll.EPOLLEXCLUSIVE) !== 0) {
    if (op === EpollCtl.EPOLL_CTL_MOD) return -Errno.EINVAL;
    if (op === EpollCtl.EPOLL_CTL_ADD && (tf instanceof EpollFile || (events & ~EPOLLEXCLUSIVE_OK_BITS) !== 0)) return -Errno.EINVAL;
  }
  if (op === EpollCtl.EPOLL_CTL_ADD && tf instanceof EpollFile && ep.loopCheck(tf)) return -Errno.ELOOP;
  const it = ep.find(tf, fd);
  switch (op) {
    case EpollCtl.EPOLL_CTL_ADD:
      if (it) return -Errno.EEXIST;
      return ep.insert(tf, fd, target, (events | Epoll.EPOLLERR | Epoll.EPOLLHUP) >>> 0, dataLo, dataHi);
    case EpollCtl.EPOLL_CTL_DEL:
      if (!it) return -Errno.ENOENT;
      ep.remove(it);
      return 0;
    case EpollCtl.EPOLL_CTL_MOD:
      if (!it) return -Errno.ENOENT;
      if ((it.events & Epoll.EPOLLEXCLUSIVE) !== 0) return -Errno.EINVAL;
      ep.modify(it, (events | Epoll.EPOLLERR | Epoll.EPOLLHUP) >>> 0, dataLo, dataHi);
      return 0;
    default:
      return -Errno.EINVAL;
  }
}

/** epoll_wait's wake-up by the kernel: a signal is EINTR (never restarted); a death passes through. */
function waitInterrupted(r: number): number {
  return r === NO_RESUME ? NO_RESUME : -Errno.EINTR;
}

/**
 * do_epoll_wait then ep_poll: the event count, an error, or a pending
 * result. Checks as Linux 6.15 on (ep_check_params): the descriptor
 * (EBADF), maxevents (EINVAL), the buffer's range (EFAULT), the file's type
 * (EINVAL).
 */
function epollWait(t: Task, epfd: number, events: number, maxevents: number, deadline: number): number | Promise<number> {
  const f = getFile(t, epfd);
  if (!f) return -Errno.EBADF;
  if (maxevents <= 0 || maxevents > EP_MAX_EVENTS) return -Errno.EINVAL;
  if (!rangeOk(events, maxevents * EPOLL_EVENT_SIZE)) return -Errno.EFAULT;
  if (!(f instanceof EpollFile)) return -Errno.EINVAL;
  const ep = f;
  const mm = t.tg.mm;
  const n = ep.harvest(mm, events, maxevents);
  if (n !== 0 || deadline === ZERO_TIMEOUT) return n;
  let unsubscribe: (() => void) | null = null;
  const wait = new ReadyWait(
    t,
    deadline,
    () => {
      const r = ep.harvest(mm, events, maxevents);
      return r !== 0 ? r : KEEP_WAITING;
    },
    waitInterrupted,
    (wake) => {
      unsubscribe = ep.addWaiter(wake);
    },
    () => unsubscribe?.(),
  );
  return wait.promise;
}

/** do_epoll_pwait: the temporary mask around the wait (kept when EINTR, in Linux). */
function epollPwait(
  t: Task,
  epfd: number,
  events: number,
  maxevents: number,
  deadline: number,
  sigmask: number,
  sigsetsize: number,
): number | Promise<number> {
  const saved = setUserSigmask(t, sigmask, sigsetsize);
  if (typeof saved === 'number') return saved;
  const r = epollWait(t, epfd, events, maxevents, deadline);
  if (saved === null) return r;
  const finish = (ret: number): number => {
    restoreSigmask(t, saved, ret === -Errno.EINTR);
    return ret;
  };
  return typeof r === 'number' ? finish(r) : r.then(finish);
}

export function registerEpoll(table: SyscallTable, _k: Kernel): void {
  table[SYS.epoll_create] = (t, a) => (a.int(0) <= 0 ? -Errno.EINVAL : epollCreate(t, 0));
  table[SYS.epoll_create1] = (t, a) => epollCreate(t, a.int(0));
  table[SYS.epoll_ctl] = (t, a) => epollCtl(t, a.int(0), a.int(1), a.int(2), a.u64(3));
  table[SYS.epoll_wait] = (t, a) => epollWait(t, a.int(0), a.u64(1), a.int(2), deadlineAfterMs(a.int(3)));
  table[SYS.epoll_pwait] = (t, a) => epollPwait(t, a.int(0), a.u64(1), a.int(2), deadlineAfterMs(a.int(3)), a.u64(4), a.u64(5));
  table[SYS.epoll_pwait2] = (t, a) => {
    const ts = a.u64(3);
    let deadline = NO_TIMEOUT;
    if (ts !== 0) {
      deadline = readTimespecDeadline(t, ts);
      if (deadline < 0) return deadline;
    }
    return epollPwait(t, a.int(0), a.u64(1), a.int(2), deadline, a.u64(4), a.u64(5));
  };
}
