// A guest thread (DESIGN.md: kernel). Its registers live in the platform
// context; the kernel edits them and resumes.
import type { Context } from '../platform/platform.js';
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

  constructor(
    readonly tid: number,
    readonly tg: ThreadGroup,
    readonly ctx: Context,
    public creds: Credentials,
  ) {}

  get regs(): Uint32Array {
    return this.ctx.regs32;
  }
}
