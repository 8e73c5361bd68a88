// Per-thread scheduling state (policy, priority, nice, deadline parameters,
// affinity) as sched_setattr and friends record it and fork inherits it
// (kernel/sched/core.c sched_fork). The host schedules the stub threads as it
// likes; this is what the guest sees. The sandbox's CPUs are the host's,
// numbered 0..N-1 with N = os.cpus().length.
import os from 'node:os';
import { Sched } from '../abi/linux/sched.js';
import type { Task } from './task.js';

let ncpu = 0;

/** The sandbox's CPU count (nr_cpu_ids). */
export function sandboxCpus(): number {
  if (ncpu === 0) ncpu = Math.max(1, os.cpus().length);
  return ncpu;
}

/** cpumask_size(): the kernel's cpumask in bytes (whole longs covering nr_cpu_ids). */
export function maskBytes(): number {
  return Math.ceil(sandboxCpus() / 64) * 8;
}

/** Per-thread scheduling state. */
export interface SchedState {
  policy: number;
  resetOnFork: boolean;
  /** rt_priority: 1-99 for SCHED_FIFO/SCHED_RR, 0 otherwise (kept by SCHED_DEADLINE from sched_setattr). */
  rtPriority: number;
  nice: number;
  /** SCHED_DEADLINE parameters in ns, and its entity flags. */
  dlRuntime: bigint;
  dlDeadline: bigint;
  dlPeriod: bigint;
  dlFlags: number;
  /** Allowed CPUs (cpumask_size() bytes), or null for all. */
  affinity: Uint8Array | null;
}

export const states = new WeakMap<Task, SchedState>();

export function defaultState(): SchedState {
  return { policy: Sched.SCHED_NORMAL, resetOnFork: false, rtPriority: 0, nice: 0, dlRuntime: 0n, dlDeadline: 0n, dlPeriod: 0n, dlFlags: 0, affinity: null };
}

export function stateOf(t: Task): SchedState {
  let s = states.get(t);
  if (!s) {
    s = defaultState();
    states.set(t, s);
  }
  return s;
}

/** The nice value of a thread (-20..19), for /proc/PID/stat. */
export function niceOf(t: Task): number {
  return states.get(t)?.nice ?? 0;
}

/** A thread's scheduling policy (SCHED_*), for /proc and the futex PI code. */
export function policyOf(t: Task): number {
  return states.get(t)?.policy ?? Sched.SCHED_NORMAL;
}

/** The CPUs a thread may run on, for /proc/PID/status Cpus_allowed. */
export function cpusAllowed(t: Task): number[] {
  const m = states.get(t)?.affinity;
  const out: number[] = [];
  for (let c = 0; c < sandboxCpus(); c++) if (!m || (m[c >> 3] & (1 << (c & 7))) !== 0) out.push(c);
  return out;
}

/**
 * sched_fork: the child inherits policy, priority, nice and affinity;
 * SCHED_RESET_ON_FORK sends an RT or deadline parent's child back to
 * SCHED_NORMAL at nice 0, clamps a negative nice to 0, and is not inherited.
 */
export function forkSchedState(parent: Task, child: Task): void {
  const p = states.get(parent);
  if (!p) return;
  const c: SchedState = { ...p, affinity: p.affinity ? p.affinity.slice() : null };
  if (c.resetOnFork) {
    if (dlPolicy(c.policy) || rtPolicy(c.policy)) {
      c.policy = Sched.SCHED_NORMAL;
      c.nice = 0;
      c.rtPriority = 0;
      c.dlRuntime = c.dlDeadline = c.dlPeriod = 0n;
      c.dlFlags = 0;
    } else if (c.nice < 0) {
      c.nice = 0;
    }
    c.resetOnFork = false;
  }
  states.set(child, c);
}

export function fairPolicy(p: number): boolean {
  return p === Sched.SCHED_NORMAL || p === Sched.SCHED_BATCH;
}
export function rtPolicy(p: number): boolean {
  return p === Sched.SCHED_FIFO || p === Sched.SCHED_RR;
}
export function dlPolicy(p: number): boolean {
  return p === Sched.SCHED_DEADLINE;
}
