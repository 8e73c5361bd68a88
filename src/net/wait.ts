// Blocking socket calls. A call that cannot go on now (no data, a full
// buffer, no connection to accept) waits on the queue of the socket whose
// change it needs. Every change to a socket wakes its queue, and each waiter
// simply tries its operation again: the operation knows what it needs, so
// there is no per-condition bookkeeping. An attempt that must wait names
// the socket to wait on (ctl.target): a datagram send first waits for its
// own buffer space, then for room in the receiver's queue.
//
// A waiter ends when its attempt gives a result, when its timeout
// (SO_RCVTIMEO, SO_SNDTIMEO) passes (one last attempt, then onTimeout), or
// when the task is interrupted: a signal (-ERESTARTSYS, which onInterrupt
// may turn into -EINTR or a partial count), or the task's death.
import { Errno } from '../abi/linux/errno.js';
import type { Parker } from '../vfs/poll.js';
import { blockingPromise } from '../kernel/blocking.js';

/** An attempt's answer meaning "would block: wait and try again". */
export const AGAIN = -0x7ffffff1;

/** A timeout meaning "wait forever" (MAX_SCHEDULE_TIMEOUT). */
export const FOREVER = Infinity;

/** What a socket offers waiters: its queue. */
export interface Waitable {
  readonly waitq: WaitQueue;
}

/** Where the current attempt wants to wait. */
export interface WaitCtl {
  target: Waitable;
}

export type Attempt = (ctl: WaitCtl) => number;

export interface WaitOptions {
  /** Milliseconds, or FOREVER. */
  timeoutMs: number;
  /** The result when the timeout passes and the attempt still cannot go on. */
  onTimeout: () => number;
  /** The result when the wait is cut short with r (-ERESTARTSYS for a signal). */
  onInterrupt: (r: number) => number;
}

class Waiter {
  queue: WaitQueue | null = null;
  timer: ReturnType<typeof setTimeout> | null = null;
  done = false;
  constructor(
    readonly attempt: Attempt,
    readonly ctl: WaitCtl,
    readonly parker: Parker | null,
    readonly resolve: (r: number) => void,
  ) {}

  /** Tries again; true if the call ended. */
  retry(): boolean {
    const r = this.attempt(this.ctl);
    if (r !== AGAIN) {
      this.finish(r, true);
      return true;
    }
    const q = this.ctl.target.waitq;
    if (q !== this.queue) {
      this.queue?.remove(this);
      q.add(this);
    }
    return false;
  }

  finish(r: number, unpark: boolean): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.queue?.remove(this);
    if (unpark) this.parker?.unpark();
    this.resolve(r);
  }
}

export class WaitQueue {
  private waiters: Waiter[] = [];
  private waking = false;
  private again = false;

  get length(): number {
    return this.waiters.length;
  }

  add(w: Waiter): void {
    w.queue = this;
    this.waiters.push(w);
  }

  remove(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
    if (w.queue === this) w.queue = null;
  }

  /** The state changed: every waiter tries again, in order, until none can progress. */
  wake(): void {
    if (this.waiters.length === 0) return;
    if (this.waking) {
      this.again = true;
      return;
    }
    this.waking = true;
    try {
      do {
        this.again = false;
        for (const w of [...this.waiters]) {
          if (!w.done && w.queue === this) w.retry();
        }
      } while (this.again && this.waiters.length > 0);
    } finally {
      this.waking = false;
    }
  }
}

/**
 * Parks the caller until attempt gives a result; ctl.target (set by the
 * attempt that returned AGAIN) is the socket to wait on.
 */
export function waitFor(parker: Parker | null, ctl: WaitCtl, attempt: Attempt, opts: WaitOptions): Promise<number> {
  return blockingPromise<number>((resolve) => {
    const w = new Waiter(attempt, ctl, parker, resolve);
    ctl.target.waitq.add(w);
    // A signal goes through onInterrupt; anything else (the task's death) is passed on as it is.
    parker?.park((r) => {
      if (!w.done) w.finish(r === -Errno.ERESTARTSYS ? opts.onInterrupt(r) : r, false);
    });
    // Beyond Node's timer range (24.8 days) a timeout is as good as none.
    if (opts.timeoutMs <= 0x7fffffff) {
      w.timer = setTimeout(() => {
        if (w.done) return;
        const r = attempt(ctl);
        w.finish(r === AGAIN ? opts.onTimeout() : r, true);
      }, Math.max(0, opts.timeoutMs));
    }
  });
}

/**
 * The common shape of a blocking socket call: try; if it would block,
 * answer onTimeout at once for a non-blocking call (timeoutMs 0), or
 * onInterrupt(-ERESTARTSYS) if a signal is already pending, else wait.
 */
export function blockOn(
  caller: { readonly parker: Parker | null; signalPending(): boolean } | null,
  self: Waitable,
  attempt: Attempt,
  opts: WaitOptions,
): number | Promise<number> {
  const ctl: WaitCtl = { target: self };
  const r = attempt(ctl);
  if (r !== AGAIN) return r;
  if (opts.timeoutMs === 0) return opts.onTimeout();
  if (caller?.signalPending()) return opts.onInterrupt(-Errno.ERESTARTSYS);
  return waitFor(caller?.parker ?? null, ctl, attempt, opts);
}

/** sock_intr_errno: a wait without a timeout restarts; one with a timeout is EINTR. */
export function intrErrno(timeoutMs: number, r: number): number {
  return r === -Errno.ERESTARTSYS && timeoutMs !== FOREVER ? -Errno.EINTR : r;
}
