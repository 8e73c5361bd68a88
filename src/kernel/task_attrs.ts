// Per-task and per-process attributes that prctl(2) sets and fork, execve
// and credential changes carry or reset (kernel/sys.c, commit_creds in
// kernel/cred.c, begin_new_exec in fs/exec.c), kept beside Task and
// ThreadGroup until they become fields of them:
//   per task:    the parent-death signal, timer slack, machine-check kill
//                policy, PR_SET_IO_FLUSHER;
//   per process: dumpable (Linux keeps it in the mm), THP disable.
// fork/clone and execve must call forkTaskAttrs and execTaskAttrs.
import { MceKill } from '../abi/linux/prctl.js';
import { DEFAULT_TIMER_SLACK_NS, Dumpable } from '../abi/linux/prctl_kernel.js';
import type { ExecCreds } from './capabilities.js';
import type { Credentials } from './creds.js';
import { forkSchedState } from './sched_state.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';

export interface TaskAttrs {
  pdeathSignal: number;
  timerSlackNs: number;
  defaultTimerSlackNs: number;
  /** PR_MCE_KILL policy: PR_MCE_KILL_DEFAULT, _EARLY or _LATE. */
  mceKill: number;
  ioFlusher: boolean;
}

export interface ProcessAttrs {
  dumpable: number;
  thpDisable: boolean;
}

export const taskAttrs = new WeakMap<Task, TaskAttrs>();
export const processAttrs = new WeakMap<ThreadGroup, ProcessAttrs>();

export function attrsOf(t: Task): TaskAttrs {
  let a = taskAttrs.get(t);
  if (!a) {
    a = { pdeathSignal: 0, timerSlackNs: DEFAULT_TIMER_SLACK_NS, defaultTimerSlackNs: DEFAULT_TIMER_SLACK_NS, mceKill: MceKill.PR_MCE_KILL_DEFAULT, ioFlusher: false };
    taskAttrs.set(t, a);
  }
  return a;
}

export function processAttrsOf(tg: ThreadGroup): ProcessAttrs {
  let a = processAttrs.get(tg);
  if (!a) {
    a = { dumpable: Dumpable.SUID_DUMP_USER, thpDisable: false };
    processAttrs.set(tg, a);
  }
  return a;
}

/** The signal the task gets when its parent dies (PR_SET_PDEATHSIG); 0 for none. */
export function pdeathSignal(t: Task): number {
  return taskAttrs.get(t)?.pdeathSignal ?? 0;
}

/** The task's timer slack in nanoseconds (PR_GET_TIMERSLACK), for timers that round their expiry. */
export function timerSlackNs(t: Task): number {
  return taskAttrs.get(t)?.timerSlackNs ?? DEFAULT_TIMER_SLACK_NS;
}

/** SUID_DUMP_DISABLE (0) or SUID_DUMP_USER (1): core dumps and /proc/PID ownership (not dumpable: root's). */
export function dumpable(tg: ThreadGroup): number {
  return processAttrs.get(tg)?.dumpable ?? Dumpable.SUID_DUMP_USER;
}

export function setDumpable(tg: ThreadGroup, v: number): void {
  processAttrsOf(tg).dumpable = v;
}

/**
 * Installs new credentials for t (commit_creds): when the effective or
 * file-system IDs change, or the permitted set is not a subset of the old
 * one, the process becomes non-dumpable (fs.suid_dumpable is 0) and the
 * parent-death signal is cleared.
 */
export function commitCreds(t: Task, next: Credentials): void {
  const old = t.creds;
  if (
    old.euid !== next.euid ||
    old.egid !== next.egid ||
    old.fsuid !== next.fsuid ||
    old.fsgid !== next.fsgid ||
    !next.permitted.subsetOf(old.permitted)
  ) {
    setDumpable(t.tg, Dumpable.SUID_DUMP_DISABLE);
    const a = taskAttrs.get(t);
    if (a) a.pdeathSignal = 0;
  }
  t.creds = next;
}

/**
 * fork/clone (copy_process): what the child inherits beyond creds. The
 * parent-death signal is not inherited; timer slack is, and becomes the
 * child's default; a new process (not a thread) copies its parent's
 * dumpable and THP-disable flags (mm->flags & MMF_INIT_MASK); scheduling
 * policy, nice and affinity follow sched.ts's rules (SCHED_RESET_ON_FORK).
 */
export function forkTaskAttrs(parent: Task, child: Task, thread: boolean): void {
  const p = taskAttrs.get(parent);
  if (p) {
    taskAttrs.set(child, {
      pdeathSignal: 0,
      timerSlackNs: p.timerSlackNs,
      defaultTimerSlackNs: p.timerSlackNs,
      mceKill: p.mceKill,
      ioFlusher: p.ioFlusher,
    });
  }
  if (!thread && child.tg !== parent.tg) {
    const pp = processAttrs.get(parent.tg);
    if (pp) processAttrs.set(child.tg, { ...pp });
  }
  forkSchedState(parent, child);
}

/**
 * execve's credential step, after the new address space is in place
 * (begin_new_exec / setup_new_exec): installs r.creds (commitCreds), clears
 * the parent-death signal for a privileged exec (AT_SECURE), and sets
 * dumpable: 1 unless the program is not readable by the caller or the
 * process runs with euid ≠ uid or egid ≠ gid. (A secure exec also clamps
 * RLIMIT_STACK's soft limit to 8 MiB before the stack is laid out: that is
 * the caller's, as it sizes the new stack.)
 */
export function execTaskAttrs(t: Task, r: ExecCreds, fileReadable = true): void {
  commitCreds(t, r.creds);
  if (r.secure) {
    const a = taskAttrs.get(t);
    if (a) a.pdeathSignal = 0;
  }
  const c = r.creds;
  setDumpable(t.tg, fileReadable && c.euid === c.uid && c.egid === c.gid ? Dumpable.SUID_DUMP_USER : Dumpable.SUID_DUMP_DISABLE);
}
