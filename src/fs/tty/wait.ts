// Blocking on a terminal: calls that cannot finish park their task and
// retry whenever the terminal's state changes (coalesced in a microtask,
// after the operation that changed it is done), when their timer (VTIME)
// fires, or end when a signal interrupts them. Readiness listeners (poll,
// select, epoll) hear about the same changes.
import { ttyKernel, type TaskToken } from './hooks.js';
import { blockingPromise } from '../../kernel/blocking.js';

/** An attempt: the call's result, or null to keep waiting. */
export type Attempt = () => number | null;

/** A blocked call's timer (VTIME) and its state. */
export class Sleeper {
  timedOut = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Set while the call is parked: retries it. */
  kick: (() => void) | null = null;

  /** (Re)starts the timer: after ms, timedOut is set and the call retried. */
  arm(ms: number): void {
    this.disarm();
    this.timedOut = false;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timedOut = true;
      this.kick?.();
    }, ms);
  }

  disarm(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}

interface Waiter {
  attempt: Attempt;
  finish(r: number): void;
}

export class WaitQueue {
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<() => void>();
  private queued = false;

  /** Blocked calls now (for tests). */
  get parked(): number {
    return this.waiters.size;
  }

  /** The state changed: parked calls retry and listeners hear, once the current operation is done. */
  notify(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(this.run);
  }

  private readonly run = (): void => {
    this.queued = false;
    for (const w of [...this.waiters]) {
      if (!this.waiters.has(w)) continue;
      const r = w.attempt();
      if (r !== null) w.finish(r);
    }
    for (const fn of [...this.listeners]) fn();
  };

  /** fn after every change; returns the unsubscriber. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /**
   * Parks task until attempt gives a result. A signal (or the task's death)
   * ends the wait with interrupted(r), r being -ERESTARTSYS (or whatever the
   * kernel passes for a dying task).
   */
  block(task: TaskToken | undefined, attempt: Attempt, interrupted: (r: number) => number, sleeper?: Sleeper): Promise<number> {
    const k = ttyKernel();
    return blockingPromise<number>((resolve) => {
      let done = false;
      const w: Waiter = {
        attempt,
        finish: (r) => {
          if (done) return;
          done = true;
          this.waiters.delete(w);
          if (sleeper) {
            sleeper.disarm();
            sleeper.kick = null;
          }
          if (task !== undefined) k.unpark(task);
          resolve(r);
        },
      };
      if (sleeper) {
        sleeper.kick = () => {
          if (done) return;
          const r = attempt();
          if (r !== null) w.finish(r);
        };
      }
      this.waiters.add(w);
      if (task !== undefined) {
        k.park(task, (r) => {
          if (done) return;
          w.finish(interrupted(r));
        });
      }
    });
  }

  /** Ends every parked call with r (a terminal going away for good). */
  abortAll(r: number): void {
    for (const w of [...this.waiters]) w.finish(r);
  }
}
