// Resource limits (man 2 getrlimit) and resource usage (man 2 getrusage).
// RLIM_INFINITY is Infinity here and is encoded as ~0 at the ABI boundary.
import fs from 'node:fs';
import { USER_HZ } from '../abi/linux/resource.js';
import { RLIM_NLIMITS } from '../abi/linux/rlimit.js';
import { native } from '../platform/native.js';
export interface Limit {
  cur: number;
  max: number;
}

/** The number of resources (RLIM_NLIMITS). */
export const RLIMIT_COUNT = RLIM_NLIMITS;
const MiB = 1024 * 1024;

/** Linux defaults for a container's init process (index = RLIMIT_*). */
function defaults(): Limit[] {
  const inf = { cur: Infinity, max: Infinity };
  const l: Limit[] = [];
  for (let i = 0; i < RLIMIT_COUNT; i++) l.push({ ...inf });
  l[3] = { cur: 8 * MiB, max: Infinity }; // RLIMIT_STACK
  l[4] = { cur: 0, max: Infinity }; // RLIMIT_CORE
  l[6] = { cur: 63_704, max: 63_704 }; // RLIMIT_NPROC
  l[7] = { cur: 1024, max: 524_288 }; // RLIMIT_NOFILE
  l[8] = { cur: 8 * MiB, max: 8 * MiB }; // RLIMIT_MEMLOCK
  l[11] = { cur: 63_704, max: 63_704 }; // RLIMIT_SIGPENDING
  l[12] = { cur: 819_200, max: 819_200 }; // RLIMIT_MSGQUEUE
  l[13] = { cur: 0, max: 0 }; // RLIMIT_NICE
  l[14] = { cur: 0, max: 0 }; // RLIMIT_RTPRIO
  return l;
}

export class Limits {
  readonly table: Limit[];
  constructor(table?: Limit[]) {
    this.table = table ? table.map((x) => ({ ...x })) : defaults();
  }
  get(resource: number): Limit {
    return this.table[resource];
  }
  clone(): Limits {
    return new Limits(this.table);
  }
}

// ---------------------------------------------------------------------------
// Resource usage (getrusage(2), times(2), wait4's rusage). A guest thread runs
// on a host thread of its process's stub, so its CPU time and page faults are
// the host's accounting of that thread or process, read from the host's
// /proc (the sentry's own time serving syscalls is not counted). The values
// are split and kept monotonic as Linux's cputime_adjust does.

/** What the host counts for a stub process or thread. */
export interface HostUsage {
  /** Total CPU time in nanoseconds (sum_exec_runtime). */
  cpuNs: number;
  /** User and system time in clock ticks (their ratio splits cpuNs). */
  utimeTicks: number;
  stimeTicks: number;
  minflt: number;
  majflt: number;
  /** The CPU the thread last ran on (/proc/PID/task/TID/stat field 39). */
  processor: number;
}

/** Usage as getrusage reports it (times in microseconds, maxrss in KiB). */
export interface Usage {
  utimeUs: number;
  stimeUs: number;
  maxRssKb: number;
  minflt: number;
  majflt: number;
}

const cpuTime = new Float64Array(2);

function zeroUsage(): HostUsage {
  return { cpuNs: 0, utimeTicks: 0, stimeTicks: 0, minflt: 0, majflt: 0, processor: 0 };
}

/** Parses /proc/…/stat fields after the command name: minflt, majflt, utime, stime, processor. */
function parseStat(text: string, out: HostUsage): void {
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state).
  out.minflt = Number(f[7]) || 0;
  out.majflt = Number(f[9]) || 0;
  out.utimeTicks = Number(f[11]) || 0;
  out.stimeTicks = Number(f[12]) || 0;
  out.processor = Number(f[36]) || 0;
}

function readText(path: string): string | null {
  try {
    return fs.readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

/**
 * The host's usage of a stub process (all its threads, dead ones included)
 * or, with hostTid, of one of its threads. Zeros when the host process is
 * gone or its /proc cannot be read.
 */
export function readHostUsage(hostPid: number, hostTid?: number): HostUsage {
  const u = zeroUsage();
  if (!(hostPid > 0)) return u;
  const dir = hostTid === undefined ? `/proc/${hostPid}` : `/proc/${hostPid}/task/${hostTid}`;
  const stat = readText(`${dir}/stat`);
  if (stat !== null) parseStat(stat, u);
  if (hostTid === undefined) {
    // The process CPU clock (MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)).
    if (native().hostClockGettime((~hostPid << 3) | 2, cpuTime) === 0) u.cpuNs = cpuTime[0] * 1e9 + cpuTime[1];
  } else {
    const s = readText(`${dir}/schedstat`);
    if (s !== null) u.cpuNs = Number(s.slice(0, s.indexOf(' '))) || 0;
  }
  if (u.cpuNs === 0) u.cpuNs = (u.utimeTicks + u.stimeTicks) * (1e9 / USER_HZ);
  return u;
}

/** cputime_adjust's memory: the last split reported for a process or thread. */
const prevSplit = new WeakMap<object, { u: number; s: number }>();
/** CPU time and faults of address spaces a process left by execve (its older stubs). */
const retired = new WeakMap<object, HostUsage>();

/**
 * Splits rtime (ns) into user and system time in the ratio of the tick
 * counts, never letting either go backwards for key (cputime_adjust).
 */
export function adjustCputime(key: object, rtime: number, uticks: number, sticks: number): { utimeNs: number; stimeNs: number } {
  let prev = prevSplit.get(key);
  if (!prev) {
    prev = { u: 0, s: 0 };
    prevSplit.set(key, prev);
  }
  if (prev.u + prev.s >= rtime) return { utimeNs: prev.u, stimeNs: prev.s };
  let stime: number;
  if (sticks === 0) stime = 0;
  else if (uticks === 0) stime = rtime;
  else stime = Math.floor((sticks * rtime) / (sticks + uticks));
  if (stime < prev.s) stime = prev.s;
  let utime = rtime - stime;
  if (utime < prev.u) {
    utime = prev.u;
    stime = rtime - utime;
  }
  prev.u = utime;
  prev.s = stime;
  return { utimeNs: utime, stimeNs: stime };
}

/**
 * execve gives a process a new stub: call this with the old stub's host PID
 * while it still exists (before it is killed), so the process's CPU time
 * and faults carry over, as Linux keeps them across execve.
 */
export function retireHostUsage(tg: object, hostPid: number): void {
  const u = readHostUsage(hostPid);
  const r = retired.get(tg);
  if (!r) {
    retired.set(tg, u);
    return;
  }
  r.cpuNs += u.cpuNs;
  r.utimeTicks += u.utimeTicks;
  r.stimeTicks += u.stimeTicks;
  r.minflt += u.minflt;
  r.majflt += u.majflt;
}

/**
 * The usage of a whole process (RUSAGE_SELF, times(2), and what its parent
 * collects at wait): its current stub plus the ones it left by execve.
 * maxRssKb is the caller's (the memory manager's resident size). tg is the
 * ThreadGroup; hostPid its stub's (tg.as.hostPid). Call it before the stub
 * is killed when recording a dying process's final usage.
 */
export function processUsage(tg: object, hostPid: number, maxRssKb: number): Usage {
  const u = readHostUsage(hostPid);
  const r = retired.get(tg);
  if (r) {
    u.cpuNs += r.cpuNs;
    u.utimeTicks += r.utimeTicks;
    u.stimeTicks += r.stimeTicks;
    u.minflt += r.minflt;
    u.majflt += r.majflt;
  }
  const t = adjustCputime(tg, u.cpuNs, u.utimeTicks, u.stimeTicks);
  return { utimeUs: Math.floor(t.utimeNs / 1000), stimeUs: Math.floor(t.stimeNs / 1000), maxRssKb, minflt: u.minflt, majflt: u.majflt };
}

/** The usage of one thread (RUSAGE_THREAD): task is the Task, hostPid/hostTid its stub thread. */
export function threadUsage(task: object, hostPid: number, hostTid: number, maxRssKb: number): Usage {
  const u = readHostUsage(hostPid, hostTid);
  const t = adjustCputime(task, u.cpuNs, u.utimeTicks, u.stimeTicks);
  return { utimeUs: Math.floor(t.utimeNs / 1000), stimeUs: Math.floor(t.stimeNs / 1000), maxRssKb, minflt: u.minflt, majflt: u.majflt };
}
