// A guest thread (DESIGN.md: kernel). Its registers live in the platform
// context; the kernel edits them and resumes.
import type { Context } from '../platform/platform.js';
import { SigQueue } from './sigqueue.js';
import type { Credentials } from './creds.js';
import type { ThreadGroup } from './thread_group.js';

export class Task {
  /** Blocked-signal mask as two 32-bit halves (signals 1-32, 33-64). */
  sigmaskLo = 0;
  sigmaskHi = 0;
  /** set_tid_address / CLONE_CHILD_CLEARTID pointer (man 2 set_tid_address). */
  clearChildTid = 0;
  /** set_robust_list head and length, kept for the futex issue. */
  robustListHead = 0;
  robustListLen = 0;
  /** True while the thread runs guest code (resumed, no stop seen yet). */
  inGuest = false;
  /** True while a blocking syscall is pending. */
  blocked = false;
  /**
   * How to cut the pending blocking syscall short: set by whatever parks the
   * task (futex, wait4, sleeps, pipes), cleared when the wait ends. The kernel
   * calls it with -EINTR / -ERESTARTSYS for a signal, or any value when the
   * task dies (the value is then never delivered).
   */
  private waker: ((r: number) => void) | null = null;

  /** The thread has left: exit(2), or its group died. */
  exited = false;
  /** Signals sent to this thread (tkill, faults); the process's are in ThreadGroup.sharedPending. */
  readonly pending = new SigQueue();
  /** sigaltstack(2): base, size and flags (SS_DISABLE when none). */
  altSp = 0;
  altSize = 0;
  altFlags = 2;
  /** The mask to restore after a handler, set by sigsuspend/ppoll/pselect (Linux's saved_sigmask). */
  savedMaskLo = 0;
  savedMaskHi = 0;
  hasSavedMask = false;
  /** The signals rt_sigtimedwait is waiting for (Linux's real_blocked side): never fatal while waited for. */
  sigwaitLo = 0;
  sigwaitHi = 0;
  /** The syscall just served may ask for a restart (its result is an ERESTART* code). */
  syscallReturn = false;
  /** A fault being reported: sigcontext's trapno, err and cr2. */
  faultTrapno = 0;
  faultErr = 0;
  faultAddr = 0;

  constructor(
    /** Thread ID (changes only when a non-leader thread execs and takes the leader's). */
    public tid: number,
    readonly tg: ThreadGroup,
    /** The platform thread (replaced by execve, which moves the task to a new address space). */
    public ctx: Context,
    public creds: Credentials,
  ) {}

  /** Records how to wake the syscall this task is parking in (one at a time). */
  park(waker: (r: number) => void): void {
    this.waker = waker;
  }

  /** The wait ended by itself: forget the waker. */
  unpark(): void {
    this.waker = null;
  }

  /** Wakes the parked syscall with r; false if the task is not parked. */
  interrupt(r: number): boolean {
    const w = this.waker;
    if (w === null) return false;
    this.waker = null;
    w(r);
    return true;
  }

  get regs(): Uint32Array {
    return this.ctx.regs32;
  }
}
