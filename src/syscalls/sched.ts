// Scheduling and CPU accounting (kernel/sched/syscalls.c, kernel/sys.c):
// nice values (getpriority, setpriority), policies and parameters
// (sched_setscheduler, sched_setparam, sched_setattr and their getters),
// CPU affinity, sched_yield, sched_rr_get_interval, getcpu, and the CPU-time
// reports getrusage and times.
//
// The sandbox records policies, nice values and affinity per thread (as
// Linux does) and reports them back; the host schedules the stub threads as
// it likes (guest threads are not re-prioritised or pinned on the host). The
// sandbox's CPUs are the host's, numbered 0..N-1 with N = os.cpus().length,
// as /proc/cpuinfo and /sys show them.
import fs from 'node:fs';
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import { MAX_NICE, MIN_NICE, Prio, RusageOffset, RusageWho, TMS_SIZE, encodeTms } from '../abi/linux/resource.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { SCHED_PARAM_SIZE, Sched, SchedFlag } from '../abi/linux/sched.js';
import {
  DL_SCALE,
  MAX_RT_PRIO,
  RR_TIMESLICE_NS,
  SCHED_ATTR_SIZE_VER0,
  SCHED_ATTR_SIZE_VER1,
  SCHED_DL_PERIOD_MAX_US,
  SCHED_DL_PERIOD_MIN_US,
  SCHED_FLAG_SUGOV,
  SchedAttrOffset,
} from '../abi/linux/sched_attr.js';
import { SYS } from '../abi/linux/syscalls.js';
import { Clock, setI64 } from '../abi/linux/time.js';
import { RUSAGE_SIZE, encodeRusage } from '../abi/linux/wait.js';
import type { Kernel } from '../kernel/kernel.js';
import { processUsage, threadUsage, readHostUsage, type Usage } from '../kernel/limits.js';
import { cpusAllowed, defaultState, dlPolicy, fairPolicy, maskBytes, niceOf, policyOf, rtPolicy, sandboxCpus, stateOf, states, type SchedState } from '../kernel/sched_state.js';
import type { Task } from '../kernel/task.js';
import { native } from '../platform/native.js';
import { rangeOk } from './access.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

const PAGE_SIZE = 4096;
/** SETPARAM_POLICY: sched_setparam keeps the policy. */
const SETPARAM_POLICY = -1;
/** The flags SCHED_DEADLINE keeps in its entity (SCHED_DL_FLAGS). */
const SCHED_DL_FLAGS = SchedFlag.SCHED_FLAG_RECLAIM | SchedFlag.SCHED_FLAG_DL_OVERRUN | SCHED_FLAG_SUGOV;
/** HZ of the reported kernel (times(2)'s tick count runs at it before conversion to USER_HZ). */
const HZ = 250;
/** INITIAL_JIFFIES: jiffies start 300 s before a 32-bit wrap, so wrap bugs show early. */
const INITIAL_JIFFIES = 4294967296 - 300 * HZ;
/** Global SCHED_DEADLINE bandwidth: 95% of each CPU (sched_rt_runtime_us / sched_rt_period_us). */
const DL_BW_LIMIT = 0.95;

function validPolicy(p: number): boolean {
  return fairPolicy(p) || rtPolicy(p) || dlPolicy(p) || p === Sched.SCHED_IDLE;
}

/** find_process_by_pid: 0 is the caller; otherwise the thread with that TID. */
function findTask(k: Kernel, t: Task, pid: number): Task | undefined {
  return pid === 0 ? t : k.tasks.get(pid);
}

/** check_same_owner: the caller's euid is the target's euid or uid. */
function sameOwner(t: Task, p: Task): boolean {
  return t.creds.euid === p.creds.euid || t.creds.euid === p.creds.uid;
}

/** is_nice_reduction: RLIMIT_NICE allows nice (its limit is 20 - nice). */
function niceAllowed(p: Task, nice: number): boolean {
  return 20 - nice <= p.tg.limits.get(Rlimit.RLIMIT_NICE).cur;
}

/** sched_attr as __sched_setscheduler takes it. */
interface Attr {
  policy: number;
  /** Low word of sched_flags; flagsHi its high word. */
  flags: number;
  flagsHi: number;
  nice: number;
  /** u32. */
  priority: number;
  runtime: bigint;
  deadline: bigint;
  period: bigint;
}

/** __checkparam_dl: deadline set, runtime ≥ 2^DL_SCALE, runtime ≤ deadline ≤ period, period within the sysctl range. */
function checkparamDl(a: Attr): boolean {
  if ((a.flags & SCHED_FLAG_SUGOV) !== 0) return true;
  if (a.deadline === 0n) return false;
  if (a.runtime < 1n << BigInt(DL_SCALE)) return false;
  if ((a.deadline & (1n << 63n)) !== 0n || (a.period & (1n << 63n)) !== 0n) return false;
  const period = a.period !== 0n ? a.period : a.deadline;
  if (period < a.deadline || a.deadline < a.runtime) return false;
  return period >= BigInt(SCHED_DL_PERIOD_MIN_US) * 1000n && period <= BigInt(SCHED_DL_PERIOD_MAX_US) * 1000n;
}

/** user_check_sched_setscheduler: 0, or -EPERM when the change needs CAP_SYS_NICE the caller lacks. */
function userCheck(t: Task, p: Task, st: SchedState, a: Attr, policy: number, resetOnFork: boolean): number {
  let priv = false;
  if (fairPolicy(policy) && a.nice < st.nice && !niceAllowed(p, a.nice)) priv = true;
  if (rtPolicy(policy)) {
    const rlim = p.tg.limits.get(Rlimit.RLIMIT_RTPRIO).cur;
    if (policy !== st.policy && rlim === 0) priv = true;
    if (a.priority > st.rtPriority && a.priority > rlim) priv = true;
  }
  if (dlPolicy(policy)) priv = true;
  if (st.policy === Sched.SCHED_IDLE && policy !== Sched.SCHED_IDLE && !niceAllowed(p, st.nice)) priv = true;
  if (!sameOwner(t, p)) priv = true;
  if (st.resetOnFork && !resetOnFork) priv = true;
  return priv && !t.creds.hasCapability(Capability.CAP_SYS_NICE) ? -Errno.EPERM : 0;
}

/** to_ratio(period, runtime): bandwidth as a 20-bit fixed-point fraction, here a plain ratio. */
function dlBandwidth(st: { dlRuntime: bigint; dlDeadline: bigint; dlPeriod: bigint }): number {
  const period = st.dlPeriod !== 0n ? st.dlPeriod : st.dlDeadline;
  return period === 0n ? 0 : Number(st.dlRuntime) / Number(period);
}

/** sched_dl_overflow: the deadline tasks' total bandwidth must stay within 95% of the CPUs. */
function dlOverflow(k: Kernel, p: Task, a: Attr): boolean {
  let total = 0;
  for (const o of k.tasks.values()) {
    if (o === p) continue;
    const s = states.get(o);
    if (s && dlPolicy(s.policy)) total += dlBandwidth(s);
  }
  const mine = dlBandwidth({ dlRuntime: a.runtime, dlDeadline: a.deadline, dlPeriod: a.period });
  return total + mine > DL_BW_LIMIT * sandboxCpus();
}

/** __sched_setscheduler(p, attr, user = true): the checks in Linux's order, then the update. */
function setScheduler(k: Kernel, t: Task, p: Task, a: Attr): number {
  const st = stateOf(p);
  let policy = a.policy;
  let resetOnFork: boolean;
  if (policy < 0) {
    resetOnFork = st.resetOnFork;
    policy = st.policy;
  } else {
    resetOnFork = (a.flags & SchedFlag.SCHED_FLAG_RESET_ON_FORK) !== 0;
    if (!validPolicy(policy)) return -Errno.EINVAL;
  }
  if (a.flagsHi !== 0 || (a.flags & ~(SchedFlag.SCHED_FLAG_ALL | SCHED_FLAG_SUGOV)) !== 0) return -Errno.EINVAL;
  if (a.priority > MAX_RT_PRIO - 1) return -Errno.EINVAL;
  if ((dlPolicy(policy) && !checkparamDl(a)) || rtPolicy(policy) !== (a.priority !== 0)) return -Errno.EINVAL;
  const perm = userCheck(t, p, st, a, policy, resetOnFork);
  if (perm < 0) return perm;
  if ((a.flags & SCHED_FLAG_SUGOV) !== 0) return -Errno.EINVAL;
  // Utilization clamping (CONFIG_UCLAMP_TASK) is not offered.
  if ((a.flags & SchedFlag.SCHED_FLAG_UTIL_CLAMP) !== 0) return -Errno.EOPNOTSUPP;
  if (dlPolicy(policy)) {
    // A deadline task must be allowed on every CPU of its root domain, within the bandwidth limit.
    if (st.affinity && cpusAllowed(p).length !== sandboxCpus()) return -Errno.EPERM;
    if (dlOverflow(k, p, a)) return -Errno.EBUSY;
  }
  st.resetOnFork = resetOnFork;
  // SCHED_FLAG_KEEP_PARAMS: checked as if applied, but the policy and parameters stay (only reset-on-fork and clamps change).
  if ((a.flags & SchedFlag.SCHED_FLAG_KEEP_PARAMS) !== 0) return 0;
  st.policy = policy;
  if (dlPolicy(policy)) {
    st.dlRuntime = a.runtime;
    st.dlDeadline = a.deadline;
    st.dlPeriod = a.period;
    st.dlFlags = a.flags & SCHED_DL_FLAGS;
  } else if (fairPolicy(policy)) {
    st.nice = a.nice;
  }
  st.rtPriority = a.priority;
  return 0;
}

/** do_sched_setscheduler: sched_setscheduler (policy ≥ 0) and sched_setparam (SETPARAM_POLICY). */
function doSetScheduler(k: Kernel, t: Task, pid: number, policy: number, paramAddr: number): number {
  if (paramAddr === 0 || pid < 0) return -Errno.EINVAL;
  const r = t.tg.mm.readBytes(paramAddr, scratch, 0, SCHED_PARAM_SIZE);
  if (r < 0) return r;
  const priority = scratchView.getUint32(0, true);
  const p = findTask(k, t, pid);
  if (!p) return -Errno.ESRCH;
  const a: Attr = { policy, flags: 0, flagsHi: 0, nice: stateOf(p).nice, priority, runtime: 0n, deadline: 0n, period: 0n };
  // The legacy SCHED_RESET_ON_FORK bit in the policy.
  if (policy !== SETPARAM_POLICY && (policy & Sched.SCHED_RESET_ON_FORK) !== 0) {
    a.flags |= SchedFlag.SCHED_FLAG_RESET_ON_FORK;
    a.policy = policy & ~Sched.SCHED_RESET_ON_FORK;
  }
  return setScheduler(k, t, p, a);
}

/** get_params: the current parameters into a (nice for the fair classes and SCHED_IDLE, priority for RT, the deadline triple). */
function getParams(st: SchedState, a: Attr): void {
  if (dlPolicy(st.policy)) {
    a.priority = st.rtPriority;
    a.runtime = st.dlRuntime;
    a.deadline = st.dlDeadline;
    a.period = st.dlPeriod;
    a.flags = (a.flags & ~SCHED_DL_FLAGS) | st.dlFlags;
  } else if (rtPolicy(st.policy)) {
    a.priority = st.rtPriority;
  } else {
    a.nice = st.nice;
  }
}

/** sched_copy_attr: the caller's struct sched_attr (size rules: 0 means VER0; E2BIG writes the kernel's size back). */
function copyAttr(t: Task, addr: number, out: Attr): number {
  const mm = t.tg.mm;
  // readU32 returns the value or -EFAULT: read the word as bytes to tell them apart.
  const e = mm.readBytes(addr, scratch, 0, 4);
  if (e < 0) return e;
  let size = scratchView.getUint32(0, true);
  if (size === 0) size = SCHED_ATTR_SIZE_VER0;
  const tooBig = (): number => {
    mm.writeU32(addr + SchedAttrOffset.SIZE, SCHED_ATTR_SIZE_VER1);
    return -Errno.E2BIG;
  };
  if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE) return tooBig();
  if (size > SCHED_ATTR_SIZE_VER1) {
    // copy_struct_from_user: bytes the kernel does not know must be zero.
    const extra = size - SCHED_ATTR_SIZE_VER1;
    const r = mm.readBytes(addr + SCHED_ATTR_SIZE_VER1, scratch, 0, extra);
    if (r < 0) return r;
    for (let i = 0; i < extra; i++) if (scratch[i] !== 0) return tooBig();
  }
  const n = Math.min(size, SCHED_ATTR_SIZE_VER1);
  scratch.fill(0, 0, SCHED_ATTR_SIZE_VER1);
  const r = mm.readBytes(addr, scratch, 0, n);
  if (r < 0) return r;
  const dv = scratchView;
  out.policy = dv.getInt32(SchedAttrOffset.POLICY, true);
  out.flags = dv.getUint32(SchedAttrOffset.FLAGS, true);
  out.flagsHi = dv.getUint32(SchedAttrOffset.FLAGS + 4, true);
  out.nice = dv.getInt32(SchedAttrOffset.NICE, true);
  out.priority = dv.getUint32(SchedAttrOffset.PRIORITY, true);
  out.runtime = dv.getBigUint64(SchedAttrOffset.RUNTIME, true);
  out.deadline = dv.getBigUint64(SchedAttrOffset.DEADLINE, true);
  out.period = dv.getBigUint64(SchedAttrOffset.PERIOD, true);
  if ((out.flags & SchedFlag.SCHED_FLAG_UTIL_CLAMP) !== 0 && size < SCHED_ATTR_SIZE_VER1) return -Errno.EINVAL;
  out.nice = Math.min(MAX_NICE, Math.max(MIN_NICE, out.nice));
  return 0;
}

function newAttr(): Attr {
  return { policy: 0, flags: 0, flagsHi: 0, nice: 0, priority: 0, runtime: 0n, deadline: 0n, period: 0n };
}

// --- priorities (kernel/sys.c) ---------------------------------------------------------------

/** The tasks a getpriority/setpriority (which, who) names, or -EINVAL for a bad which. */
function prioTargets(k: Kernel, t: Task, which: number, who: number): Task[] | number {
  switch (which) {
    case Prio.PRIO_PROCESS: {
      const p = findTask(k, t, who);
      return p ? [p] : [];
    }
    case Prio.PRIO_PGRP: {
      const pgid = who === 0 ? t.tg.pgid : who;
      const out: Task[] = [];
      for (const o of k.tasks.values()) if (o.tg.pgid === pgid) out.push(o);
      return out;
    }
    case Prio.PRIO_USER: {
      const uid = who === 0 ? t.creds.uid : who >>> 0;
      const out: Task[] = [];
      for (const o of k.tasks.values()) if (o.creds.uid === uid) out.push(o);
      return out;
    }
    default:
      return -Errno.EINVAL;
  }
}

/** set_one_prio: -EPERM (not the caller's and no CAP_SYS_NICE), -EACCES (lowering below RLIMIT_NICE), or 0. */
function setOnePrio(t: Task, p: Task, nice: number): number {
  const pc = p.creds;
  const tc = t.creds;
  if (pc.uid !== tc.euid && pc.euid !== tc.euid && !tc.hasCapability(Capability.CAP_SYS_NICE)) return -Errno.EPERM;
  const st = stateOf(p);
  if (nice < st.nice && !niceAllowed(p, nice) && !tc.hasCapability(Capability.CAP_SYS_NICE)) return -Errno.EACCES;
  st.nice = nice;
  return 0;
}

// --- affinity --------------------------------------------------------------------------------

/** Fills scratch[0, cpumask_size()) with p's allowed CPUs. */
function affinityInto(p: Task, buf: Uint8Array): void {
  const n = maskBytes();
  const m = states.get(p)?.affinity;
  buf.fill(0, 0, n);
  for (let c = 0; c < sandboxCpus(); c++) if (!m || (m[c >> 3] & (1 << (c & 7))) !== 0) buf[c >> 3] |= 1 << (c & 7);
}

/** The CPU the thread runs on: the host's, if it is one of its allowed CPUs, else the first allowed one. */
function currentCpu(t: Task): number {
  const allowed = cpusAllowed(t);
  const host = readHostUsage(t.tg.as.hostPid, t.ctx.hostTid).processor;
  return allowed.includes(host) ? host : allowed[0] ?? 0;
}

// --- CPU usage -------------------------------------------------------------------------------

function rssKb(t: Task): number {
  return Math.ceil(t.tg.mm.privateResidentBytes / 1024);
}

function selfUsage(t: Task): Usage {
  return processUsage(t.tg, t.tg.as.hostPid, rssKb(t));
}

/** Context switches of the stub threads (/proc/…/status voluntary_ctxt_switches, nonvoluntary_ctxt_switches). */
function contextSwitches(hostPid: number, hostTids: number[]): [number, number] {
  let v = 0;
  let nv = 0;
  for (const tid of hostTids) {
    let s: string;
    try {
      s = fs.readFileSync(`/proc/${hostPid}/task/${tid}/status`, 'latin1');
    } catch {
      continue;
    }
    const a = /\nvoluntary_ctxt_switches:\s*(\d+)/.exec(s);
    const b = /\nnonvoluntary_ctxt_switches:\s*(\d+)/.exec(s);
    v += a ? Number(a[1]) : 0;
    nv += b ? Number(b[1]) : 0;
  }
  return [v, nv];
}

function writeRusage(t: Task, addr: number, u: Usage, csw: [number, number]): number {
  encodeRusage(scratchView, 0, u);
  setI64(scratchView, RusageOffset.MINFLT, u.minflt);
  setI64(scratchView, RusageOffset.MAJFLT, u.majflt);
  setI64(scratchView, RusageOffset.NVCSW, csw[0]);
  setI64(scratchView, RusageOffset.NIVCSW, csw[1]);
  return t.tg.mm.writeBytes(addr, scratch, 0, RUSAGE_SIZE);
}

const clockOut = new Float64Array(2);

/** times(2)'s result: jiffies since boot as clock ticks (jiffies_64_to_clock_t(get_jiffies_64())). */
function clockTicksSinceBoot(): number {
  native().hostClockGettime(Clock.CLOCK_BOOTTIME, clockOut);
  const jiffies = INITIAL_JIFFIES + clockOut[0] * HZ + Math.floor((clockOut[1] * HZ) / 1e9);
  return Math.floor((jiffies * 100) / HZ);
}

export function registerSched(table: SyscallTable, k: Kernel): void {
  table[SYS.getpriority] = (t, a) => {
    const targets = prioTargets(k, t, a.int(0), a.int(1));
    if (typeof targets === 'number') return targets;
    // nice_to_rlimit of the highest priority (lowest nice): 1..40; ESRCH when none.
    let r = -Errno.ESRCH;
    for (const p of targets) r = Math.max(r, 20 - niceOf(p));
    return r;
  };
  table[SYS.setpriority] = (t, a) => {
    const which = a.int(0);
    if (which < Prio.PRIO_PROCESS || which > Prio.PRIO_USER) return -Errno.EINVAL;
    const nice = Math.min(MAX_NICE, Math.max(MIN_NICE, a.int(2)));
    const targets = prioTargets(k, t, which, a.int(1));
    if (typeof targets === 'number') return targets;
    // The last failure wins; any success clears ESRCH (set_one_prio's error threading).
    let err = -Errno.ESRCH;
    for (const p of targets) {
      const r = setOnePrio(t, p, nice);
      if (r < 0) err = r;
      else if (err === -Errno.ESRCH) err = 0;
    }
    return err;
  };

  table[SYS.sched_setscheduler] = (t, a) => {
    const policy = a.int(1);
    if (policy < 0) return -Errno.EINVAL;
    return doSetScheduler(k, t, a.int(0), policy, a.u64(2));
  };
  table[SYS.sched_setparam] = (t, a) => doSetScheduler(k, t, a.int(0), SETPARAM_POLICY, a.u64(1));
  table[SYS.sched_getscheduler] = (t, a) => {
    const pid = a.int(0);
    if (pid < 0) return -Errno.EINVAL;
    const p = findTask(k, t, pid);
    if (!p) return -Errno.ESRCH;
    const st = states.get(p);
    return st ? st.policy | (st.resetOnFork ? Sched.SCHED_RESET_ON_FORK : 0) : Sched.SCHED_NORMAL;
  };
  table[SYS.sched_getparam] = (t, a) => {
    const pid = a.int(0);
    const addr = a.u64(1);
    if (addr === 0 || pid < 0) return -Errno.EINVAL;
    const p = findTask(k, t, pid);
    if (!p) return -Errno.ESRCH;
    const st = states.get(p);
    return t.tg.mm.writeU32(addr, st && rtPolicy(st.policy) ? st.rtPriority : 0);
  };
  table[SYS.sched_get_priority_max] = (_t, a) => {
    const p = a.int(0);
    if (rtPolicy(p)) return MAX_RT_PRIO - 1;
    return validPolicy(p) ? 0 : -Errno.EINVAL;
  };
  table[SYS.sched_get_priority_min] = (_t, a) => {
    const p = a.int(0);
    if (rtPolicy(p)) return 1;
    return validPolicy(p) ? 0 : -Errno.EINVAL;
  };
  table[SYS.sched_rr_get_interval] = (t, a) => {
    const pid = a.int(0);
    if (pid < 0) return -Errno.EINVAL;
    const p = findTask(k, t, pid);
    if (!p) return -Errno.ESRCH;
    // SCHED_RR's slice; 0 for FIFO and deadline tasks, and for the fair
    // classes (their EEVDF slice, 0.75 ms scaled, is under one 4 ms jiffy).
    const ns = policyOf(p) === Sched.SCHED_RR ? RR_TIMESLICE_NS : 0;
    setI64(scratchView, 0, Math.floor(ns / 1e9));
    setI64(scratchView, 8, ns % 1e9);
    return t.tg.mm.writeBytes(a.u64(1), scratch, 0, 16);
  };
  table[SYS.sched_setattr] = (t, a) => {
    const pid = a.int(0);
    const addr = a.u64(1);
    if (addr === 0 || pid < 0 || a.u32(2) !== 0) return -Errno.EINVAL;
    const attr = newAttr();
    const r = copyAttr(t, addr, attr);
    if (r < 0) return r;
    if (attr.policy < 0) return -Errno.EINVAL;
    if ((attr.flags & SchedFlag.SCHED_FLAG_KEEP_POLICY) !== 0) attr.policy = SETPARAM_POLICY;
    const p = findTask(k, t, pid);
    if (!p) return -Errno.ESRCH;
    if ((attr.flags & SchedFlag.SCHED_FLAG_KEEP_PARAMS) !== 0) getParams(stateOf(p), attr);
    return setScheduler(k, t, p, attr);
  };
  table[SYS.sched_getattr] = (t, a) => {
    const pid = a.int(0);
    const addr = a.u64(1);
    const usize = a.u32(2);
    if (addr === 0 || pid < 0 || usize > PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 || a.u32(3) !== 0) return -Errno.EINVAL;
    const p = findTask(k, t, pid);
    if (!p) return -Errno.ESRCH;
    const st = states.get(p) ?? defaultState();
    const attr = newAttr();
    attr.policy = st.policy;
    if (st.resetOnFork) attr.flags |= SchedFlag.SCHED_FLAG_RESET_ON_FORK;
    getParams(st, attr);
    attr.flags &= SchedFlag.SCHED_FLAG_ALL;
    const size = Math.min(usize, SCHED_ATTR_SIZE_VER1);
    const dv = scratchView;
    scratch.fill(0, 0, SCHED_ATTR_SIZE_VER1);
    dv.setUint32(SchedAttrOffset.SIZE, size, true);
    dv.setUint32(SchedAttrOffset.POLICY, attr.policy, true);
    dv.setUint32(SchedAttrOffset.FLAGS, attr.flags, true);
    dv.setInt32(SchedAttrOffset.NICE, attr.nice, true);
    dv.setUint32(SchedAttrOffset.PRIORITY, attr.priority, true);
    dv.setBigUint64(SchedAttrOffset.RUNTIME, attr.runtime, true);
    dv.setBigUint64(SchedAttrOffset.DEADLINE, attr.deadline, true);
    dv.setBigUint64(SchedAttrOffset.PERIOD, attr.period, true);
    // sched_util_min/max stay 0: no utilization clamping.
    if (!rangeOk(addr, usize)) return -Errno.EFAULT; // access_ok(uattr, usize)
    return t.tg.mm.writeBytes(addr, scratch, 0, size);
  };

  table[SYS.sched_getaffinity] = (t, a) => {
    // len is an unsigned int, checked before the pid: it must hold
    // nr_cpu_ids bits (len * 8 in 32-bit arithmetic) and be a multiple of
    // sizeof(long); the result is min(len, cpumask_size()) bytes.
    const len = a.u32(1);
    if ((len * 8) % 4294967296 < sandboxCpus() || len % 8 !== 0) return -Errno.EINVAL;
    const p = findTask(k, t, a.int(0));
    if (!p) return -Errno.ESRCH;
    const size = Math.min(len, maskBytes());
    affinityInto(p, scratch);
    const r = t.tg.mm.writeBytes(a.u64(2), scratch, 0, size);
    return r < 0 ? r : size;
  };
  table[SYS.sched_setaffinity] = (t, a) => {
    // get_user_cpu_mask: a shorter mask is zero-extended, a longer one cut.
    const n = maskBytes();
    const len = Math.min(a.u32(1), n);
    scratch.fill(0, 0, n);
    const r = t.tg.mm.readBytes(a.u64(2), scratch, 0, len);
    if (r < 0) return r;
    const p = findTask(k, t, a.int(0));
    if (!p) return -Errno.ESRCH;
    if (!sameOwner(t, p) && !t.creds.hasCapability(Capability.CAP_SYS_NICE)) return -Errno.EPERM;
    const mask = new Uint8Array(n);
    let any = false;
    for (let c = 0; c < sandboxCpus(); c++) {
      if ((scratch[c >> 3] & (1 << (c & 7))) !== 0) {
        mask[c >> 3] |= 1 << (c & 7);
        any = true;
      }
    }
    const st = stateOf(p);
    // A deadline task must keep every CPU of its root domain (dl_task_check_affinity).
    if (dlPolicy(st.policy) && !isAll(mask)) return -Errno.EBUSY;
    if (!any) return -Errno.EINVAL;
    st.affinity = isAll(mask) ? null : mask;
    return 0;
  };
  table[SYS.sched_yield] = () => 0;
  table[SYS.getcpu] = (t, a) => {
    const cpuAddr = a.u64(0);
    const nodeAddr = a.u64(1);
    const cpu = cpuAddr !== 0 || nodeAddr !== 0 ? currentCpu(t) : 0;
    let err = 0;
    if (cpuAddr !== 0 && t.tg.mm.writeU32(cpuAddr, cpu) < 0) err = -Errno.EFAULT;
    // One NUMA node.
    if (nodeAddr !== 0 && t.tg.mm.writeU32(nodeAddr, 0) < 0) err = -Errno.EFAULT;
    return err;
  };

  table[SYS.getrusage] = (t, a) => {
    const who = a.int(0);
    let u: Usage;
    let csw: [number, number] = [0, 0];
    if (who === RusageWho.RUSAGE_SELF) {
      u = selfUsage(t);
      csw = contextSwitches(t.tg.as.hostPid, [...t.tg.tasks].map((o) => o.ctx.hostTid));
    } else if (who === RusageWho.RUSAGE_THREAD) {
      u = threadUsage(t, t.tg.as.hostPid, t.ctx.hostTid, rssKb(t));
      csw = contextSwitches(t.tg.as.hostPid, [t.ctx.hostTid]);
    } else if (who === RusageWho.RUSAGE_CHILDREN) {
      const c = t.tg.childUsage;
      u = { utimeUs: c.utimeUs, stimeUs: c.stimeUs, maxRssKb: c.maxRssKb, minflt: 0, majflt: 0 };
    } else {
      return -Errno.EINVAL;
    }
    return writeRusage(t, a.u64(1), u, csw);
  };
  table[SYS.times] = (t, a) => {
    const addr = a.u64(0);
    if (addr !== 0) {
      const u = selfUsage(t);
      const c = t.tg.childUsage;
      // nsec_to_clock_t: whole 10 ms ticks.
      encodeTms(scratchView, 0, Math.floor(u.utimeUs / 10_000), Math.floor(u.stimeUs / 10_000), Math.floor(c.utimeUs / 10_000), Math.floor(c.stimeUs / 10_000));
      const r = t.tg.mm.writeBytes(addr, scratch, 0, TMS_SIZE);
      if (r < 0) return r;
    }
    return clockTicksSinceBoot();
  };
}

/** Whether mask holds every CPU (the root domain's span). */
function isAll(mask: Uint8Array): boolean {
  for (let c = 0; c < sandboxCpus(); c++) if ((mask[c >> 3] & (1 << (c & 7))) === 0) return false;
  return true;
}
