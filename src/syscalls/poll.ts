// poll(2), ppoll(2), select(2) and pselect6(2) (fs/select.c).
//
// poll: nfds above RLIMIT_NOFILE is EINVAL; the pollfd array is copied in
// (EFAULT); a negative fd is skipped (revents 0), a closed one (or an O_PATH
// descriptor, which fdget does not see) is POLLNVAL; the events asked are
// always joined by POLLERR and POLLHUP; only revents are written back, after
// the wait, interrupted or not. The result counts the entries with nonzero
// revents.
//
// select: nfds < 0 is EINVAL, and a larger nfds than the descriptor table's
// size (max_fds) is cut to it; the sets are read and written in whole longs
// (FDS_BYTES); a bit set for a descriptor that is not open is EBADF; the
// result counts set bits. POLLIN_SET / POLLOUT_SET / POLLEX_SET decide which
// events make a descriptor readable, writable or exceptional.
//
// Timeouts: select writes the time left back into its timeval, pselect6 and
// ppoll into their timespec (poll_select_finish), whatever the result,
// unless the timeout was zero. A signal ends the wait with -ERESTARTNOHAND
// (EINTR once a handler runs; poll's restart block is not modelled: a
// restarted poll starts its timeout over).
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import {
  DEFAULT_POLLMASK,
  NR_OPEN_DEFAULT,
  Poll,
  POLLEX_SET,
  POLLFD_SIZE,
  POLLIN_SET,
  POLLOUT_SET,
  SIGSET_ARGPACK_SIZE,
  fdsBytes,
} from '../abi/linux/poll.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { SYS } from '../abi/linux/syscalls.js';
import { USEC_PER_SEC, getI64, getU64 } from '../abi/linux/time.js';
import { NO_RESUME, type Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import type { FileDescription } from '../vfs/file.js';
import { pollableOf, type Pollable } from '../vfs/poll.js';
import {
  KEEP_WAITING,
  ReadyWait,
  TimeFormat,
  ZERO_TIMEOUT,
  deadlineAfter,
  deadlineAfterMs,
  readTimespecDeadline,
  restoreSigmask,
  setUserSigmask,
  writeTimeLeft,
  NO_TIMEOUT,
  type SavedSigmask,
} from './poll_wait.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

/** The file poll sees at fd: undefined when closed or O_PATH (fdget skips FMODE_PATH files). */
function pollFile(t: Task, fd: number): FileDescription | undefined {
  const f = t.tg.fds.get(fd);
  if (!f || (f.flags & OpenFlag.O_PATH) !== 0) return undefined;
  return f;
}

/** Subscriptions of one blocked call: each readiness source once. */
class Subscriptions {
  private readonly subs = new Map<Pollable, () => void>();
  constructor(private readonly wake: () => void) {}

  add(p: Pollable): void {
    if (!this.subs.has(p)) this.subs.set(p, p.onReadinessChange(this.wake));
  }

  clear(): void {
    for (const unsub of this.subs.values()) unsub();
    this.subs.clear();
  }
}

/** vfs_poll with the events asked for (the poll table's key), subscribing the wait to the file when it blocks. */
function pollOne(f: FileDescription, interest: number, subs: Subscriptions | null): number {
  const p = pollableOf(f);
  if (!p) return DEFAULT_POLLMASK;
  if (subs) subs.add(p);
  return p.readiness(interest);
}

/** Maps the kernel's wake-up of a blocked poll or select: a signal is -ERESTARTNOHAND; a death passes through. */
function pollInterrupted(r: number): number {
  return r === NO_RESUME ? NO_RESUME : -Errno.ERESTARTNOHAND;
}

// ---------------------------------------------------------------------------
// poll

/** The decoded pollfd array of the call being served (reused; a call that blocks copies it). */
let pfdFd = new Int32Array(256);
let pfdFilter = new Uint16Array(256);
let pfdRevents = new Uint16Array(256);
let pfdBytes = new Uint8Array(256 * POLLFD_SIZE);
let pfdView = new DataView(pfdBytes.buffer);

function ensurePollfds(n: number): void {
  if (pfdFd.length >= n) return;
  let cap = pfdFd.length;
  while (cap < n) cap *= 2;
  pfdFd = new Int32Array(cap);
  pfdFilter = new Uint16Array(cap);
  pfdRevents = new Uint16Array(cap);
  pfdBytes = new Uint8Array(cap * POLLFD_SIZE);
  pfdView = new DataView(pfdBytes.buffer);
}

interface PollSet {
  n: number;
  fd: Int32Array;
  /** events | POLLERR | POLLHUP. */
  filter: Uint16Array;
  revents: Uint16Array;
}

/** The call being served, over the reused arrays. */
const sharedPoll: PollSet = { n: 0, fd: pfdFd, filter: pfdFilter, revents: pfdRevents };

/** do_poll's scan: fills revents; returns the entries with nonzero revents. */
function scanPoll(t: Task, s: PollSet, subs: Subscriptions | null): number {
  let count = 0;
  for (let i = 0; i < s.n; i++) {
    const fd = s.fd[i];
    let mask = 0;
    if (fd >= 0) {
      const f = pollFile(t, fd);
      mask = f ? pollOne(f, s.filter[i], subs) & s.filter[i] : Poll.POLLNVAL;
    }
    s.revents[i] = mask;
    if (mask !== 0) count++;
  }
  return count;
}

/** Writes each revents back (only that field of each pollfd); 0 or -EFAULT. */
function writeRevents(t: Task, addr: number, s: PollSet): number {
  if (s.n === 0) return 0;
  const total = s.n * POLLFD_SIZE;
  let pos = 0;
  const r = t.tg.mm.forEachSegment(addr, total, true, (buf, off, len) => {
    // Bytes [pos, pos+len) of the array are buf[off, off+len).
    const end = pos + len;
    let i = Math.floor(pos / POLLFD_SIZE);
    for (; i * POLLFD_SIZE < end; i++) {
      const b = i * POLLFD_SIZE + 6;
      const v = s.revents[i];
      if (b >= pos && b < end) buf[off + b - pos] = v & 0xff;
      if (b + 1 >= pos && b + 1 < end) buf[off + b + 1 - pos] = v >>> 8;
    }
    pos = end;
    return len;
  });
  return r < 0 ? -Errno.EFAULT : r < total ? -Errno.EFAULT : 0;
}

/**
 * do_sys_poll: the count, an error, or a pending result. deadline is
 * ZERO_TIMEOUT, NO_TIMEOUT or a monotonic deadline.
 */
function doPoll(t: Task, ufds: number, nfds: number, deadline: number): number | Promise<number> {
  if (nfds > t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur) return -Errno.EINVAL;
  ensurePollfds(nfds);
  if (nfds > 0) {
    const r = t.tg.mm.readBytes(ufds, pfdBytes, 0, nfds * POLLFD_SIZE);
    if (r < 0) return -Errno.EFAULT;
  }
  for (let i = 0; i < nfds; i++) {
    pfdFd[i] = pfdView.getInt32(i * POLLFD_SIZE, true);
    pfdFilter[i] = pfdView.getUint16(i * POLLFD_SIZE + 4, true) | Poll.POLLERR | Poll.POLLHUP;
  }
  const shared = sharedPoll;
  shared.n = nfds;
  shared.fd = pfdFd;
  shared.filter = pfdFilter;
  shared.revents = pfdRevents;
  const count = scanPoll(t, shared, null);
  if (count > 0 || deadline === ZERO_TIMEOUT) {
    const w = writeRevents(t, ufds, shared);
    return w < 0 ? w : count;
  }
  // Block: the call keeps its own copy of the array.
  const s: PollSet = {
    n: nfds,
    fd: pfdFd.slice(0, nfds),
    filter: pfdFilter.slice(0, nfds),
    revents: new Uint16Array(nfds),
  };
  let subs: Subscriptions | null = null;
  const wait = new ReadyWait(
    t,
    deadline,
    (timedOut) => {
      const c = scanPoll(t, s, subs);
      return c > 0 || timedOut ? c : KEEP_WAITING;
    },
    pollInterrupted,
    (wake) => {
      // Subscribe to everything watched (Linux's first pass registers on each wait queue).
      subs = new Subscriptions(wake);
      if (scanPoll(t, s, subs) > 0) wake();
    },
    () => subs?.clear(),
  );
  return wait.promise.then((ret) => {
    if (ret === NO_RESUME) return ret;
    const w = writeRevents(t, ufds, s);
    return w < 0 ? w : ret;
  });
}

// ---------------------------------------------------------------------------
// select

/** The sets of the call being served (reused): in, out, ex, and the results. */
let selIn = new Uint8Array(128);
let selOut = new Uint8Array(128);
let selEx = new Uint8Array(128);
let resIn = new Uint8Array(128);
let resOut = new Uint8Array(128);
let resEx = new Uint8Array(128);

function ensureSets(bytes: number): void {
  if (selIn.length >= bytes) return;
  let cap = selIn.length;
  while (cap < bytes) cap *= 2;
  selIn = new Uint8Array(cap);
  selOut = new Uint8Array(cap);
  selEx = new Uint8Array(cap);
  resIn = new Uint8Array(cap);
  resOut = new Uint8Array(cap);
  resEx = new Uint8Array(cap);
}

interface SelectSet {
  n: number;
  inp: Uint8Array;
  out: Uint8Array;
  ex: Uint8Array;
  resIn: Uint8Array;
  resOut: Uint8Array;
  resEx: Uint8Array;
}

/** The call being served, over the reused sets. */
const sharedSelect: SelectSet = { n: 0, inp: selIn, out: selOut, ex: selEx, resIn, resOut, resEx };

/** Round up to a power of two. */
function pow2(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/**
 * The descriptor table's size (fdt->max_fds) as Linux would have grown it
 * for the highest descriptor open now: 64, then 128 times a power of two
 * (expand_fdtable). Only computed when nfds exceeds 64.
 */
function maxFds(t: Task, n: number): number {
  const open = t.tg.fds.openIn(NR_OPEN_DEFAULT, n - 1);
  if (open.length === 0) return NR_OPEN_DEFAULT;
  const high = open[open.length - 1]!;
  return 128 * pow2(Math.floor(high / 128) + 1);
}

/** get_fd_set: n bits in whole longs, or zeros for a NULL pointer; 0 or -EFAULT. */
function readSet(t: Task, addr: number, bytes: number, dst: Uint8Array): number {
  if (addr === 0) {
    dst.fill(0, 0, bytes);
    return 0;
  }
  return t.tg.mm.readBytes(addr, dst, 0, bytes) < 0 ? -Errno.EFAULT : 0;
}

/** max_select_fd's check: a bit for a descriptor that is not open (O_PATH ones are) is EBADF. */
function checkOpen(t: Task, s: SelectSet): number {
  const fds = t.tg.fds;
  const bytes = (s.n + 7) >> 3;
  for (let b = 0; b < bytes; b++) {
    let bits = s.inp[b] | s.out[b] | s.ex[b];
    if (bits === 0) continue;
    for (let j = 0; bits !== 0; j++, bits >>>= 1) {
      if ((bits & 1) === 0) continue;
      const fd = b * 8 + j;
      if (fd >= s.n) break;
      if (!fds.get(fd)) return -Errno.EBADF;
    }
  }
  return 0;
}

/** do_select's scan: fills the result sets; returns the bits set. */
function scanSelect(t: Task, s: SelectSet, subs: Subscriptions | null): number {
  const bytes = fdsBytes(s.n);
  s.resIn.fill(0, 0, bytes);
  s.resOut.fill(0, 0, bytes);
  s.resEx.fill(0, 0, bytes);
  let count = 0;
  const used = (s.n + 7) >> 3;
  for (let b = 0; b < used; b++) {
    const inb = s.inp[b];
    const outb = s.out[b];
    const exb = s.ex[b];
    let all = inb | outb | exb;
    if (all === 0) continue;
    for (let j = 0; all !== 0; j++, all >>>= 1) {
      if ((all & 1) === 0) continue;
      const fd = b * 8 + j;
      if (fd >= s.n) break;
      const bit = 1 << j;
      const f = pollFile(t, fd);
      const interest = ((inb & bit) !== 0 ? POLLIN_SET : 0) | ((outb & bit) !== 0 ? POLLOUT_SET : 0) | ((exb & bit) !== 0 ? POLLEX_SET : 0);
      const mask = f ? pollOne(f, interest, subs) : Poll.POLLNVAL;
      if ((mask & POLLIN_SET) !== 0 && (inb & bit) !== 0) {
        s.resIn[b] |= bit;
        count++;
      }
      if ((mask & POLLOUT_SET) !== 0 && (outb & bit) !== 0) {
        s.resOut[b] |= bit;
        count++;
      }
      if ((mask & POLLEX_SET) !== 0 && (exb & bit) !== 0) {
        s.resEx[b] |= bit;
        count++;
      }
    }
  }
  return count;
}

/** set_fd_set for each set given; 0 or -EFAULT. */
function writeSets(t: Task, s: SelectSet, inp: number, outp: number, exp: number): number {
  const bytes = fdsBytes(s.n);
  const mm = t.tg.mm;
  if (inp !== 0 && mm.writeBytes(inp, s.resIn, 0, bytes) < 0) return -Errno.EFAULT;
  if (outp !== 0 && mm.writeBytes(outp, s.resOut, 0, bytes) < 0) return -Errno.EFAULT;
  if (exp !== 0 && mm.writeBytes(exp, s.resEx, 0, bytes) < 0) return -Errno.EFAULT;
  return 0;
}

/** core_sys_select: the bit count, an error, or a pending result. */
function coreSelect(t: Task, n: number, inp: number, outp: number, exp: number, deadline: number): number | Promise<number> {
  if (n < 0) return -Errno.EINVAL;
  if (n > NR_OPEN_DEFAULT) n = Math.min(n, maxFds(t, n));
  const bytes = fdsBytes(n);
  ensureSets(bytes);
  let r = readSet(t, inp, bytes, selIn);
  if (r === 0) r = readSet(t, outp, bytes, selOut);
  if (r === 0) r = readSet(t, exp, bytes, selEx);
  if (r < 0) return r;
  const shared = sharedSelect;
  shared.n = n;
  shared.inp = selIn;
  shared.out = selOut;
  shared.ex = selEx;
  shared.resIn = resIn;
  shared.resOut = resOut;
  shared.resEx = resEx;
  r = checkOpen(t, shared);
  if (r < 0) return r;
  const count = scanSelect(t, shared, null);
  if (count > 0 || deadline === ZERO_TIMEOUT) {
    const w = writeSets(t, shared, inp, outp, exp);
    return w < 0 ? w : count;
  }
  const s: SelectSet = {
    n,
    inp: selIn.slice(0, bytes),
    out: selOut.slice(0, bytes),
    ex: selEx.slice(0, bytes),
    resIn: new Uint8Array(bytes),
    resOut: new Uint8Array(bytes),
    resEx: new Uint8Array(bytes),
  };
  let subs: Subscriptions | null = null;
  const wait = new ReadyWait(
    t,
    deadline,
    (timedOut) => {
      const c = scanSelect(t, s, subs);
      return c > 0 || timedOut ? c : KEEP_WAITING;
    },
    pollInterrupted,
    (wake) => {
      subs = new Subscriptions(wake);
      if (scanSelect(t, s, subs) > 0) wake();
    },
    () => subs?.clear(),
  );
  return wait.promise.then((ret) => {
    // Results are written back only for a count (a signal leaves the sets alone).
    if (ret < 0) return ret;
    const w = writeSets(t, s, inp, outp, exp);
    return w < 0 ? w : ret;
  });
}

// ---------------------------------------------------------------------------
// Entry points

/** Runs call (which may block) with the temporary mask in force, then poll_select_finish. */
function finishWith(
  t: Task,
  saved: SavedSigmask | null,
  r: number | Promise<number>,
  timeAddr: number,
  deadline: number,
  format: TimeFormat,
): number | Promise<number> {
  const finish = (ret: number): number => {
    restoreSigmask(t, saved, ret === -Errno.ERESTARTNOHAND);
    return writeTimeLeft(t, timeAddr, deadline, format, ret);
  };
  return typeof r === 'number' ? finish(r) : r.then(finish);
}

/** select(2): the timeval (EFAULT; EINVAL for a negative time, tv_usec may exceed a second). */
function sysSelect(t: Task, n: number, inp: number, outp: number, exp: number, tvp: number): number | Promise<number> {
  let deadline = NO_TIMEOUT;
  if (tvp !== 0) {
    if (t.tg.mm.readBytes(tvp, scratch, 0, 16) < 0) return -Errno.EFAULT;
    const sec = getI64(scratchView, 0);
    const usec = getI64(scratchView, 8);
    // C division and remainder truncate toward zero: a negative tv_usec gives a negative nsec (EINVAL).
    const q = Math.trunc(usec / USEC_PER_SEC);
    deadline = deadlineAfter(sec + q, (usec - q * USEC_PER_SEC) * 1000);
    if (deadline < 0) return deadline;
  }
  return finishWith(t, null, coreSelect(t, n, inp, outp, exp, deadline), tvp, deadline, TimeFormat.TIMEVAL);
}

/** pselect6(2): the sigset argpack, the timespec, then the mask. */
function sysPselect6(t: Task, n: number, inp: number, outp: number, exp: number, tsp: number, sig: number): number | Promise<number> {
  let maskAddr = 0;
  let maskSize = 0;
  if (sig !== 0) {
    if (t.tg.mm.readBytes(sig, scratch, 0, SIGSET_ARGPACK_SIZE) < 0) return -Errno.EFAULT;
    maskAddr = getU64(scratchView, 0);
    maskSize = getU64(scratchView, 8);
  }
  let deadline = NO_TIMEOUT;
  if (tsp !== 0) {
    deadline = readTimespecDeadline(t, tsp);
    if (deadline < 0) return deadline;
  }
  const saved = setUserSigmask(t, maskAddr, maskSize);
  if (typeof saved === 'number') return saved;
  return finishWith(t, saved, coreSelect(t, n, inp, outp, exp, deadline), tsp, deadline, TimeFormat.TIMESPEC);
}

/** ppoll(2). */
function sysPpoll(t: Task, ufds: number, nfds: number, tsp: number, sigmask: number, sigsetsize: number): number | Promise<number> {
  let deadline = NO_TIMEOUT;
  if (tsp !== 0) {
    deadline = readTimespecDeadline(t, tsp);
    if (deadline < 0) return deadline;
  }
  const saved = setUserSigmask(t, sigmask, sigsetsize);
  if (typeof saved === 'number') return saved;
  return finishWith(t, saved, doPoll(t, ufds, nfds, deadline), tsp, deadline, TimeFormat.TIMESPEC);
}

export function registerPoll(table: SyscallTable, _k: Kernel): void {
  table[SYS.poll] = (t, a) => doPoll(t, a.u64(0), a.u32(1), deadlineAfterMs(a.int(2)));
  table[SYS.ppoll] = (t, a) => sysPpoll(t, a.u64(0), a.u32(1), a.u64(2), a.u64(3), a.u64(4));
  table[SYS.select] = (t, a) => sysSelect(t, a.int(0), a.u64(1), a.u64(2), a.u64(3), a.u64(4));
  table[SYS.pselect6] = (t, a) => sysPselect6(t, a.int(0), a.u64(1), a.u64(2), a.u64(3), a.u64(4), a.u64(5));
}
