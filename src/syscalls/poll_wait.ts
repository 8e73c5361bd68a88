// What poll, select and epoll_wait share (fs/select.c, fs/eventpoll.c):
// timeouts on CLOCK_MONOTONIC, the temporary signal mask of ppoll, pselect6
// and epoll_pwait, and the blocking wait itself.
//
// A wait (ReadyWait) parks its task (Task.park: a signal or death cuts it
// short; a signal already pending ends it before it starts), rescans whenever a watched file reports a change (coalesced in a
// microtask, after the notifier's bookkeeping is done), and keeps a Node
// timer for its deadline, rechecked against the clock since timers may fire
// early. At the deadline it scans one last time, as Linux's do_poll does.
import { Errno } from '../abi/linux/errno.js';
import { SIGSET_SIZE } from '../abi/linux/signal.js';
import { Clock, NSEC_PER_SEC, getI64, setI64 } from '../abi/linux/time.js';
import { NO_RESUME } from '../kernel/kernel.js';
import { hasSignalWork, setMask } from '../kernel/signals.js';
import type { Task } from '../kernel/task.js';
import { native } from '../platform/native.js';
import { scratch, scratchView } from './scratch.js';
import { blockingPromise } from '../kernel/blocking.js';

/** A deadline meaning "no timeout" (a NULL timeout pointer, a negative timeout in ms). */
export const NO_TIMEOUT = -1;
/** A deadline meaning "do not wait" (a zero timeout: Linux's end_time {0, 0}). */
export const ZERO_TIMEOUT = 0;

/** A scan's answer meaning "nothing yet, keep waiting". */
export const KEEP_WAITING = -0x7ffffff0;

/** Timeouts beyond this many seconds saturate (timespec64_add_safe): about 292 years, never reached. */
const MAX_TIMEOUT_SEC = 9_223_372_036;

const clockBuf = new Float64Array(2);

/** CLOCK_MONOTONIC in nanoseconds (always > 0). */
export function monotonicNs(): number {
  native().hostClockGettime(Clock.CLOCK_MONOTONIC, clockBuf);
  return clockBuf[0] * NSEC_PER_SEC + clockBuf[1];
}

/**
 * poll_select_set_timeout for a valid (sec, nsec): ZERO_TIMEOUT for 0, else
 * the absolute deadline in monotonic nanoseconds. -EINVAL for an invalid
 * one (timespec64_valid: sec >= 0, 0 <= nsec < 1e9).
 */
export function deadlineAfter(sec: number, nsec: number): number {
  if (!(sec >= 0) || !(nsec >= 0) || nsec >= NSEC_PER_SEC) return -Errno.EINVAL;
  if (sec === 0 && nsec === 0) return ZERO_TIMEOUT;
  return monotonicNs() + Math.min(sec, MAX_TIMEOUT_SEC) * NSEC_PER_SEC + nsec;
}

/** A timeout in milliseconds (poll, epoll_wait): negative waits forever. */
export function deadlineAfterMs(ms: number): number {
  if (ms < 0) return NO_TIMEOUT;
  if (ms === 0) return ZERO_TIMEOUT;
  return monotonicNs() + ms * 1e6;
}

/**
 * Reads a struct timespec at addr into a deadline: the deadline, -EFAULT or
 * -EINVAL. The raw fields are checked before any rounding.
 */
export function readTimespecDeadline(t: Task, addr: number): number {
  const r = t.tg.mm.readBytes(addr, scratch, 0, 16);
  if (r < 0) return r;
  if (scratchView.getInt32(4, true) < 0) return -Errno.EINVAL;
  if (scratchView.getUint32(12, true) !== 0 || scratchView.getUint32(8, true) >= NSEC_PER_SEC) return -Errno.EINVAL;
  return deadlineAfter(getI64(scratchView, 0), scratchView.getUint32(8, true));
}

/** How poll_select_finish writes the time left. */
export const enum TimeFormat {
  TIMEVAL,
  TIMESPEC,
}

/**
 * poll_select_finish's write-back of the time left before deadline (none
 * for a zero or absent timeout): a struct timeval (select) or timespec
 * (pselect6, ppoll). If it faults, an -ERESTARTNOHAND result becomes -EINTR
 * (the call could not be restarted with the right timeout). Returns ret.
 */
export function writeTimeLeft(t: Task, addr: number, deadline: number, format: TimeFormat, ret: number): number {
  if (addr === 0 || deadline === ZERO_TIMEOUT || deadline === NO_TIMEOUT || ret === NO_RESUME) return ret;
  let left = deadline - monotonicNs();
  if (left < 0) left = 0;
  const sec = Math.floor(left / NSEC_PER_SEC);
  const nsec = Math.floor(left - sec * NSEC_PER_SEC);
  setI64(scratchView, 0, sec);
  setI64(scratchView, 8, format === TimeFormat.TIMEVAL ? Math.floor(nsec / 1000) : nsec);
  if (t.tg.mm.writeBytes(addr, scratch, 0, 16) === 0) return ret;
  return ret === -Errno.ERESTARTNOHAND ? -Errno.EINTR : ret;
}

// ---------------------------------------------------------------------------
// The temporary signal mask (set_user_sigmask, restore_saved_sigmask_unless)

/** The caller's mask, saved while a temporary one is in force. */
export interface SavedSigmask {
  lo: number;
  hi: number;
}

/**
 * set_user_sigmask: with a mask pointer, its size must be sizeof(sigset_t)
 * (EINVAL) and it must be readable (EFAULT); the task's mask becomes it
 * (less SIGKILL and SIGSTOP) and the old one is kept as the task's saved
 * mask (Linux's saved_sigmask, TIF_RESTORE_SIGMASK). Returns the old mask,
 * or null without a mask pointer (the size is then not checked).
 */
export function setUserSigmask(t: Task, addr: number, size: number): SavedSigmask | null | number {
  if (addr === 0) return null;
  if (size !== SIGSET_SIZE) return -Errno.EINVAL;
  const r = t.tg.mm.readBytes(addr, scratch, 0, 8);
  if (r < 0) return r;
  const saved = { lo: t.sigmaskLo, hi: t.sigmaskHi };
  t.savedMaskLo = saved.lo;
  t.savedMaskHi = saved.hi;
  t.hasSavedMask = true;
  setMask(t, scratchView.getUint32(0, true), scratchView.getUint32(4, true));
  return saved;
}

/**
 * restore_saved_sigmask_unless(interrupted): the caller's mask comes back
 * now, unless a signal interrupted the call: then the temporary mask stays
 * until that signal's handler frame is set up (the frame carries the saved
 * mask, restored by rt_sigreturn), or until the return to the guest if no
 * handler runs (the kernel's signal delivery does both).
 */
export function restoreSigmask(t: Task, saved: SavedSigmask | null, interrupted: boolean): void {
  if (saved === null || interrupted || !t.hasSavedMask) return;
  t.hasSavedMask = false;
  setMask(t, saved.lo, saved.hi);
}

// ---------------------------------------------------------------------------
// Blocking

/**
 * One blocked poll, select or epoll_wait. scan(timedOut) looks at the files
 * again and returns the result to finish with, or KEEP_WAITING (ignored
 * once timed out: the result is then 0). interrupted(r) maps the kernel's
 * wake-up value (a signal's, or NO_RESUME for a dying task) to the result.
 * subscribe(wake) registers the wait with what it watches, unless it ended
 * at once; done() runs once at the end, whatever ended the wait (unsubscribe
 * there). A signal already pending and not blocked ends the wait at once, as
 * Linux's signal_pending check before sleeping.
 */
export class ReadyWait {
  readonly promise: Promise<number>;
  private resolve!: (r: number) => void;
  private finished = false;
  private scheduled = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly task: Task,
    private readonly deadline: number,
    private readonly scan: (timedOut: boolean) => number,
    private readonly interrupted: (r: number) => number,
    subscribe: (wake: () => void) => void,
    private readonly done: () => void,
  ) {
    this.promise = blockingPromise<number>((resolve) => {
      this.resolve = resolve;
    });
    if (hasSignalWork(task)) {
      this.finished = true;
      this.resolve(this.interrupted(-Errno.ERESTARTSYS));
      return;
    }
    task.park((r) => this.end(this.interrupted(r), false));
    subscribe(this.wake);
    this.arm();
  }

  /** A watched file changed: scan again once the current call stack is done. */
  readonly wake = (): void => {
    if (this.finished || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.rescan);
  };

  private readonly rescan = (): void => {
    this.scheduled = false;
    if (this.finished) return;
    const r = this.scan(false);
    if (r !== KEEP_WAITING) this.end(r, true);
  };

  private arm(): void {
    if (this.deadline === NO_TIMEOUT) return;
    const left = this.deadline - monotonicNs();
    // Past already: time out on the next turn of the loop.
    this.timer = setTimeout(this.onTimer, left <= 0 ? 0 : Math.min(Math.ceil(left / 1e6), 0x7fffffff));
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    if (this.finished) return;
    if (this.deadline - monotonicNs() > 0) {
      this.arm();
      return;
    }
    const r = this.scan(true);
    this.end(r === KEEP_WAITING ? 0 : r, true);
  };

  private end(r: number, byItself: boolean): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (byItself) this.task.unpark();
    this.done();
    this.resolve(r);
  }
}
