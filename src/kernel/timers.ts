// Timers (kernel/time/itimer.c, posix-timers.c, posix-cpu-timers.c): the
// clocks that timers and sleeps measure, waiting on them without blocking
// the kernel's thread, and each process's interval timers (setitimer(2),
// alarm(2)) and POSIX timers (timer_create(2)).
//
// Clocks. A point on a host clock (REALTIME, MONOTONIC, BOOTTIME, TAI) is
// kept as nanoseconds from a base second taken when the sentry first reads
// that clock, so points stay exact in a double (REALTIME nanoseconds since
// 1970 do not). CPU clocks (a process's or a thread's CPU time, as the host
// accounts its stub) start at 0 and need no base. Values saturate at
// KTIME_MAX as the kernel's ktime_t does.
//
// Waiting. A host clock is waited on with a Node timer that re-checks the
// clock when it fires (setTimeout may fire early, and REALTIME can be set:
// waits on it wake at least once a second to notice). CPU clocks cannot be
// waited on: a process's timers are checked by sampling its CPU time, at
// most every 10 ms and no later than the time the whole machine could take
// to reach the nearest deadline. Node timers are unref'd: while any guest
// runs, the platform's event watch keeps the sentry's loop alive (the
// sub-millisecond immediates are not: an unref'd immediate does not wake
// the loop).
//
// Rearming follows Linux 6.13+: a periodic POSIX timer whose signal is
// queued is rearmed when the signal is delivered (timerSignalDelivered),
// which also computes the overrun count; ITIMER_REAL is rearmed when its
// SIGALRM is dequeued (sigalrmDequeued). A timer that is reset or deleted
// while its signal is queued has that signal dropped at delivery. CPU
// interval timers (ITIMER_VIRTUAL, ITIMER_PROF) rearm at once, one interval
// per check, as check_cpu_itimer does at each tick.
import fs from 'node:fs';
import os from 'node:os';
import { Signal, SiCode, SigevNotify, SIGINFO_SIZE, SiginfoOffset, encodeSiginfoKill, encodeSiginfoTimer } from '../abi/linux/signal.js';
import {
  Clock, CpuClock, DELAYTIMER_MAX, Itimer, MAX_CLOCKS, NSEC_PER_SEC, SIGINFO_TIMER_SYS_PRIVATE, TICK_NSEC,
  cpuClockPerThread, cpuClockPid, cpuClockWhich,
} from '../abi/linux/time.js';
import { Errno } from '../abi/linux/errno.js';
import { native } from '../platform/native.js';
import type { Kernel } from './kernel.js';
import { processUsage, threadUsage } from './limits.js';
import { sendSignal } from './signal_send.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';

const NSEC = NSEC_PER_SEC;
/** KTIME_MAX (2^63 - 1 ns) and KTIME_SEC_MAX, as timespec64_to_ktime saturates. */
export const KTIME_MAX = 9223372036854775807;
export const KTIME_SEC_MAX = 9223372036;
const INT_MAX = 0x7fffffff;
/** The CPU-time sampling period floor and ceiling (ms). */
const CPU_SAMPLE_MIN_MS = 10;
const CPU_SAMPLE_MAX_MS = 1000;
/** How often a wait on a settable clock (REALTIME, TAI) re-reads it. */
const SETTABLE_CLOCK_RECHECK_MS = 1000;
const NCPU = Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);

/**
 * sendSignal with the siginfo the lead's signal delivery takes (a fifth
 * argument until then ignored): timer signals carry SI_TIMER / SI_KERNEL
 * information.
 */
type SendWithInfo = (k: Kernel, tg: ThreadGroup, sig: number, thread?: Task, info?: Uint8Array) => unknown;
const send = sendSignal as SendWithInfo;

// ---------------------------------------------------------------------------
// Clocks

const tsBuf = new Float64Array(2);
/** Base second of each host clock's frame (NaN until first read). */
const hostBaseSec = new Float64Array(MAX_CLOCKS).fill(NaN);

/** Now on host clock clk, in its frame (ns from the base second). */
export function hostNow(clk: number): number {
  native().hostClockGettime(clk, tsBuf);
  let base = hostBaseSec[clk];
  if (base !== base) {
    base = tsBuf[0];
    hostBaseSec[clk] = base;
  }
  return (tsBuf[0] - base) * NSEC + tsBuf[1];
}

export const enum ClockKind {
  Host = 0,
  ProcessCpu = 1,
  ThreadCpu = 2,
}

/** What a timer or sleep measures: a host clock, or a process's or thread's CPU clock (PROF, VIRT or SCHED). */
export class TimerClock {
  constructor(
    readonly kind: ClockKind,
    /** The host clock id (Host) or the CPUCLOCK_* (CPU clocks). */
    readonly id: number,
    /** The process whose CPU time is measured (ProcessCpu). */
    readonly tg: ThreadGroup | null,
    /** The thread whose CPU time is measured (ThreadCpu). */
    readonly task: Task | null,
  ) {}

  /** The process the clock's CPU time belongs to (null for host clocks). */
  get owner(): ThreadGroup | null {
    return this.kind === ClockKind.ProcessCpu ? this.tg : this.kind === ClockKind.ThreadCpu ? this.task!.tg : null;
  }
}

const hostClocks: TimerClock[] = [];

/** The TimerClock of host clock clk (REALTIME, MONOTONIC, BOOTTIME, TAI). */
export function hostClock(clk: number): TimerClock {
  let c = hostClocks[clk];
  if (!c) {
    c = new TimerClock(ClockKind.Host, clk, null, null);
    hostClocks[clk] = c;
    hostNow(clk); // fixes the frame's base
  }
  return c;
}

function baseSec(c: TimerClock): number {
  return c.kind === ClockKind.Host ? hostBaseSec[c.id] : 0;
}

/** The largest point on c (KTIME_MAX in the kernel's terms). */
export function maxPoint(c: TimerClock): number {
  return KTIME_MAX - baseSec(c) * NSEC;
}

/** A timespec read as an absolute time on c (TIMER_ABSTIME), saturating at KTIME_MAX. */
export function clockPoint(c: TimerClock, sec: number, nsec: number): number {
  if (sec >= KTIME_SEC_MAX) return maxPoint(c);
  return (sec - baseSec(c)) * NSEC + nsec;
}

/** A timespec or timeval (with nsec = usec * 1000) as a duration in ns, saturating (timespec64_to_ktime). */
export function durationNs(sec: number, nsec: number): number {
  return sec >= KTIME_SEC_MAX ? KTIME_MAX : sec * NSEC + nsec;
}

/** now + dur on c, saturating at KTIME_MAX (ktime_add_safe). */
export function addSafe(c: TimerClock, now: number, dur: number): number {
  const r = now + dur;
  const m = maxPoint(c);
  return r > m ? m : r;
}

/** Splits a non-negative duration into out[0] seconds and out[1] nanoseconds. */
export function splitNs(ns: number, out: Float64Array, o = 0): void {
  if (!(ns > 0)) {
    out[o] = 0;
    out[o + 1] = 0;
    return;
  }
  let sec = Math.floor(ns / NSEC);
  let nsec = Math.round(ns - sec * NSEC);
  if (nsec >= NSEC) {
    sec++;
    nsec -= NSEC;
  } else if (nsec < 0) {
    nsec = 0;
  }
  out[o] = sec;
  out[o + 1] = nsec;
}

const cpuBuf = new Float64Array(2);

/** sum_exec_runtime of a host process (its CPU clock), or -1 if it cannot be read. */
function hostProcessCpuNs(hostPid: number): number {
  if (!(hostPid > 0)) return -1;
  if (native().hostClockGettime((~hostPid << 3) | CpuClock.CPUCLOCK_SCHED, cpuBuf) !== 0) return -1;
  return cpuBuf[0] * NSEC + cpuBuf[1];
}

/** A process's scheduler CPU clock across execve (each execve gives it a new stub). */
interface SchedBase {
  hostPid: number;
  /** CPU time of the stubs it left. */
  base: number;
  /** The last value returned (kept monotonic; returned when the stub is gone). */
  last: number;
}

const schedBases = new WeakMap<ThreadGroup, SchedBase>();

/** The CPU time (ns) of a whole process on CPU clock `which` (CPUCLOCK_PROF, VIRT or SCHED). */
export function processCpuNs(tg: ThreadGroup, which: number): number {
  if (tg.zombie) {
    const u = tg.usage;
    if (!u) return 0;
    return which === CpuClock.CPUCLOCK_VIRT ? u.utimeUs * 1000 : (u.utimeUs + u.stimeUs) * 1000;
  }
  const hostPid = tg.as.hostPid;
  if (which !== CpuClock.CPUCLOCK_SCHED) {
    const u = processUsage(tg, hostPid, 0);
    return which === CpuClock.CPUCLOCK_VIRT ? u.utimeUs * 1000 : (u.utimeUs + u.stimeUs) * 1000;
  }
  const ns = hostProcessCpuNs(hostPid);
  let b = schedBases.get(tg);
  if (!b) {
    b = { hostPid, base: 0, last: 0 };
    if (tg.execed && ns >= 0) b.base = retiredCpuNs(tg, hostPid, ns);
    schedBases.set(tg, b);
  } else if (b.hostPid !== hostPid && ns >= 0) {
    b.hostPid = hostPid;
    b.base = Math.max(b.last, retiredCpuNs(tg, hostPid, ns));
  }
  if (ns < 0) return b.last;
  const v = b.base + ns;
  if (v > b.last) b.last = v;
  return b.last;
}

/**
 * The CPU time of the stubs a process left by execve: its whole usage (which
 * counts them) minus the current stub's. Microsecond precision.
 */
function retiredCpuNs(tg: ThreadGroup, hostPid: number, currentNs: number): number {
  const u = processUsage(tg, hostPid, 0);
  return Math.max(0, (u.utimeUs + u.stimeUs) * 1000 - currentNs);
}

/** The CPU time (ns) of one thread on CPU clock `which`; frozen at 0 once its host thread is gone. */
export function threadCpuNs(task: Task, which: number): number {
  const hostPid = task.tg.as.hostPid;
  const hostTid = task.ctx.hostTid;
  if (which !== CpuClock.CPUCLOCK_SCHED) {
    const u = threadUsage(task, hostPid, hostTid, 0);
    return which === CpuClock.CPUCLOCK_VIRT ? u.utimeUs * 1000 : (u.utimeUs + u.stimeUs) * 1000;
  }
  // The host serves thread CPU clocks only within the caller's own thread
  // group: read the thread's schedstat (nanoseconds on CPU) instead.
  try {
    const s = fs.readFileSync(`/proc/${hostPid}/task/${hostTid}/schedstat`, 'latin1');
    return Number(s.slice(0, s.indexOf(' '))) || 0;
  } catch {
    return 0;
  }
}

/** Now on clock c, in its frame (ns). */
export function clockNow(c: TimerClock): number {
  switch (c.kind) {
    case ClockKind.Host:
      return hostNow(c.id);
    case ClockKind.ProcessCpu:
      return processCpuNs(c.tg!, c.id);
    default:
      return threadCpuNs(c.task!, c.id);
  }
}

/** The result of resolveCpuClock: where a CPU clock id points (valid after it returns 0). */
export const cpuTarget = {
  tg: null as ThreadGroup | null,
  task: null as Task | null,
  which: 0,
};

/**
 * pid_for_clock: resolves CPU clock id clk (negative, not a CLOCKFD) for the
 * caller t into cpuTarget. 0 is the caller; a thread clock must name a
 * thread of the caller's process; a process clock may name any process (and,
 * for clock_gettime, the caller's own thread ID). Returns 0 or -EINVAL.
 */
export function resolveCpuClock(k: Kernel, t: Task, clk: number, gettime: boolean): number {
  const which = cpuClockWhich(clk);
  if (which >= CpuClock.CPUCLOCK_MAX) return -Errno.EINVAL;
  const pid = cpuClockPid(clk);
  const thread = cpuClockPerThread(clk);
  cpuTarget.which = which;
  if (pid === 0) {
    cpuTarget.task = thread ? t : null;
    cpuTarget.tg = thread ? null : t.tg;
    return 0;
  }
  if (thread) {
    const task = k.tasks.get(pid);
    if (!task || task.tg !== t.tg || task.exited) return -Errno.EINVAL;
    cpuTarget.task = task;
    cpuTarget.tg = null;
    return 0;
  }
  if (gettime && pid === t.tid) {
    cpuTarget.tg = t.tg;
    cpuTarget.task = null;
    return 0;
  }
  const tg = k.processes.get(pid);
  if (!tg) return -Errno.EINVAL;
  cpuTarget.tg = tg;
  cpuTarget.task = null;
  return 0;
}

/** A TimerClock for what resolveCpuClock found. */
export function cpuTargetClock(): TimerClock {
  return cpuTarget.task
    ? new TimerClock(ClockKind.ThreadCpu, cpuTarget.which, null, cpuTarget.task)
    : new TimerClock(ClockKind.ProcessCpu, cpuTarget.which, cpuTarget.tg, null);
}

/** Now on the clock resolveCpuClock found (ns). */
export function cpuTargetNow(): number {
  return cpuTarget.task ? threadCpuNs(cpuTarget.task, cpuTarget.which) : processCpuNs(cpuTarget.tg!, cpuTarget.which);
}

/** Whether a CPU clock's process or thread is gone (reaped, or the thread exited): its timers cannot be set (ESRCH). */
export function clockTargetGone(k: Kernel, c: TimerClock): boolean {
  if (c.kind === ClockKind.ThreadCpu) return c.task!.exited;
  if (c.kind === ClockKind.ProcessCpu) return k.processes.get(c.tg!.pid) !== c.tg;
  return false;
}

// ---------------------------------------------------------------------------
// Waiting for a clock to reach a deadline

export interface ClockWait {
  /** Stops the wait; fire is not called afterwards. */
  cancel(): void;
}

const NO_WAIT: ClockWait = { cancel: () => {} };

class HostWait implements ClockWait {
  private timeout: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private done = false;
  private readonly capMs: number;

  constructor(
    private readonly clk: number,
    private readonly deadline: number,
    private readonly fire: () => void,
  ) {
    this.capMs = clk === Clock.CLOCK_REALTIME || clk === Clock.CLOCK_TAI ? SETTABLE_CLOCK_RECHECK_MS : INT_MAX;
  }

  readonly tick = (): void => {
    this.timeout = null;
    this.immediate = null;
    if (this.done) return;
    const left = this.deadline - hostNow(this.clk);
    if (left <= 0) {
      this.done = true;
      this.fire();
      return;
    }
    if (left < 1e6) {
      // setTimeout counts whole milliseconds from the loop's cached time.
      // (An immediate stays ref'd: an unref'd one does not wake the loop.)
      this.immediate = setImmediate(this.tick);
    } else {
      this.timeout = setTimeout(this.tick, Math.min(Math.floor(left / 1e6), this.capMs));
      this.timeout.unref();
    }
  };

  /** Starts waiting; a deadline already reached fires now (sync) or from the loop. */
  start(sync: boolean): void {
    if (!sync && this.deadline - hostNow(this.clk) <= 0) {
      this.immediate = setImmediate(this.tick);
      return;
    }
    this.tick();
  }

  cancel(): void {
    this.done = true;
    if (this.timeout !== null) clearTimeout(this.timeout);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timeout = null;
    this.immediate = null;
  }
}

class CpuEntry implements ClockWait {
  constructor(
    readonly watch: CpuWatch,
    readonly clock: TimerClock,
    public deadline: number,
    readonly fire: () => void,
  ) {}

  cancel(): void {
    this.watch.remove(this);
  }
}

/** Sampling delay (ms) for a CPU clock deadline remNs away. */
function cpuDelayMs(remNs: number, c: TimerClock): number {
  const rate = c.kind === ClockKind.ThreadCpu ? 1 : NCPU;
  const ms = remNs / rate / 1e6;
  return ms < CPU_SAMPLE_MIN_MS ? CPU_SAMPLE_MIN_MS : ms > CPU_SAMPLE_MAX_MS ? CPU_SAMPLE_MAX_MS : Math.ceil(ms);
}

/** The waits on one process's CPU clocks (and its threads'), checked by sampling. */
class CpuWatch {
  readonly entries = new Set<CpuEntry>();
  private handle: ReturnType<typeof setTimeout> | null = null;
  private dueAt = 0;

  constructor(readonly tg: ThreadGroup) {}

  add(clock: TimerClock, deadline: number, fire: () => void, remNs: number): CpuEntry {
    const e = new CpuEntry(this, clock, deadline, fire);
    this.entries.add(e);
    this.schedule(remNs < 0 ? CPU_SAMPLE_MIN_MS : cpuDelayMs(remNs, clock));
    return e;
  }

  remove(e: CpuEntry): void {
    if (!this.entries.delete(e) || this.entries.size > 0) return;
    if (this.handle !== null) clearTimeout(this.handle);
    this.handle = null;
  }

  private schedule(ms: number): void {
    const due = performance.now() + ms;
    if (this.handle !== null) {
      if (this.dueAt <= due) return;
      clearTimeout(this.handle);
    }
    this.dueAt = due;
    this.handle = setTimeout(this.tick, ms);
    this.handle.unref();
  }

  private readonly tick = (): void => {
    this.handle = null;
    if (this.tg.zombie) {
      // The process is gone: its CPU clocks stop, nothing waiting on them fires.
      this.entries.clear();
      return;
    }
    let next = Infinity;
    for (const e of [...this.entries]) {
      if (!this.entries.has(e)) continue;
      const now = clockNow(e.clock);
      if (now >= e.deadline) {
        this.entries.delete(e);
        e.fire();
        continue;
      }
      const ms = cpuDelayMs(e.deadline - now, e.clock);
      if (ms < next) next = ms;
    }
    if (this.entries.size > 0) this.schedule(next === Infinity ? CPU_SAMPLE_MIN_MS : next);
  };
}

const cpuWatches = new WeakMap<ThreadGroup, CpuWatch>();

function cpuWatchOf(tg: ThreadGroup): CpuWatch {
  let w = cpuWatches.get(tg);
  if (!w) {
    w = new CpuWatch(tg);
    cpuWatches.set(tg, w);
  }
  return w;
}

/**
 * Calls fire once clock c reaches deadline (a point in c's frame). With
 * syncFire, a deadline already reached fires before this returns (a timer
 * armed in the past expires at once); otherwise it fires from the loop.
 */
export function waitClock(c: TimerClock, deadline: number, fire: () => void, syncFire = true): ClockWait {
  if (c.kind === ClockKind.Host) {
    const w = new HostWait(c.id, deadline, fire);
    w.start(syncFire);
    return w;
  }
  const tg = c.owner!;
  if (tg.zombie) return NO_WAIT;
  let rem = -1;
  if (syncFire) {
    const now = clockNow(c);
    if (now >= deadline) {
      fire();
      return NO_WAIT;
    }
    rem = deadline - now;
  }
  return cpuWatchOf(tg).add(c, deadline, fire, rem);
}

// ---------------------------------------------------------------------------
// Per-process timers

function processGone(tg: ThreadGroup): boolean {
  return tg.zombie || tg.exiting;
}

/** A signal sent by the kernel itself (SEND_SIG_PRIV): SI_KERNEL, no sender. */
function kernelInfo(sig: number): Uint8Array {
  const b = new Uint8Array(SIGINFO_SIZE);
  encodeSiginfoKill(new DataView(b.buffer), 0, sig, SiCode.SI_KERNEL, 0, 0);
  return b;
}

/** ITIMER_VIRTUAL or ITIMER_PROF: a deadline on the process's CPU clock (struct cpu_itimer). */
class CpuItimer {
  /** Absolute CPU time of the next expiry; 0 when disarmed. */
  expires = 0;
  incr = 0;
  private wait: ClockWait | null = null;

  constructor(
    readonly owner: ProcessTimers,
    readonly clock: TimerClock,
    readonly signo: number,
  ) {}

  /** get_cpu_itimer: out = [value, interval] in ns. */
  get(out: Float64Array): void {
    out[1] = this.incr;
    let val = this.expires;
    if (val !== 0) {
      const now = clockNow(this.clock);
      val = val < now ? TICK_NSEC : val - now;
    }
    out[0] = val;
  }

  /** set_cpu_itimer: a new value adds one tick; old (if given) gets the previous [value, interval]. */
  set(valueNs: number, intervalNs: number, old: Float64Array | null): void {
    let oval = this.expires;
    const ointerval = this.incr;
    let nval = valueNs;
    if (oval !== 0 || nval !== 0) {
      const now = clockNow(this.clock);
      if (nval > 0) nval += TICK_NSEC;
      if (oval !== 0) oval = oval <= now ? TICK_NSEC : oval - now;
      if (nval !== 0) nval += now;
    }
    this.expires = nval;
    this.incr = intervalNs;
    this.stop();
    if (nval !== 0) this.wait = waitClock(this.clock, nval, this.fire, false);
    if (old) {
      old[0] = oval;
      old[1] = ointerval;
    }
  }

  stop(): void {
    this.wait?.cancel();
    this.wait = null;
  }

  /** check_cpu_itimer: one interval per check; the signal goes to the process. */
  private readonly fire = (): void => {
    this.wait = null;
    const tg = this.owner.tg;
    if (processGone(tg)) return;
    this.expires = this.incr !== 0 ? this.expires + this.incr : 0;
    if (this.expires !== 0) this.wait = waitClock(this.clock, this.expires, this.fire, false);
    send(this.owner.k, tg, this.signo, undefined, kernelInfo(this.signo));
  };
}

const enum TimerStatus {
  Disarmed = 0,
  Armed = 1,
  /** A periodic timer fired and its signal is queued: it rearms when the signal is delivered. */
  RequeuePending = 2,
}

/** A POSIX timer (struct k_itimer). */
export class PosixTimer {
  status = TimerStatus.Disarmed;
  /** The clock of the current arming (a relative CLOCK_REALTIME arming runs on CLOCK_MONOTONIC, as hrtimer_init does). */
  armClock: TimerClock;
  /** The expiry (a point on armClock), meaningful while valueSet. */
  expiry = 0;
  valueSet = false;
  interval = 0;
  /** Overruns since the last delivery (-1 before the first forward, as it_overrun). */
  overrun = -1;
  /** What timer_getoverrun returns (it_overrun_last). */
  overrunLast = 0;
  /** Bumped by every settime, delete and rearm: a queued signal carrying an older value is dropped. */
  signalSeq = 0;
  private wait: ClockWait | null = null;

  constructor(
    readonly owner: ProcessTimers,
    readonly id: number,
    readonly clock: TimerClock,
    /** sigev_notify (SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, SIGEV_SIGNAL|SIGEV_THREAD_ID). */
    readonly notify: number,
    readonly signo: number,
    /** sigev_value, raw. */
    readonly valueLo: number,
    readonly valueHi: number,
    /** The thread signalled (SIGEV_THREAD_ID), else null. */
    readonly target: Task | null,
  ) {
    this.armClock = clock;
  }

  get sigNone(): boolean {
    return (this.notify & ~SigevNotify.SIGEV_THREAD_ID) === SigevNotify.SIGEV_NONE;
  }

  /**
   * common_timer_get / posix_cpu_timer_get: out = [value, interval] in ns. A
   * periodic timer that is not armed (SIGEV_NONE, or its signal queued) is
   * moved forward past now first; an expiry due but not yet fired reads 1 ns
   * (0 for SIGEV_NONE).
   */
  get(out: Float64Array): void {
    const iv = this.interval;
    out[0] = 0;
    out[1] = iv;
    if (iv === 0 && this.status !== TimerStatus.Armed && !this.sigNone) return;
    if (!this.valueSet) return;
    if (clockTargetGone(this.owner.k, this.armClock)) return;
    const now = clockNow(this.armClock);
    if (iv !== 0 && this.status !== TimerStatus.Armed) this.overrun += this.forward(now);
    const rem = this.expiry - now;
    if (rem > 0) out[0] = rem;
    else if (!this.sigNone) out[0] = 1;
  }

  /**
   * common_timer_set / posix_cpu_timer_set: value (sec, nsec) absolute or
   * relative, interval in ns; old gets the previous setting.
   */
  set(abs: boolean, sec: number, nsec: number, intervalNs: number, old: Float64Array | null): void {
    if (old) this.get(old);
    this.stop();
    this.status = TimerStatus.Disarmed;
    const zero = sec === 0 && nsec === 0;
    this.interval = zero ? 0 : intervalNs;
    this.overrunLast = 0;
    this.overrun = -1;
    this.signalSeq++;
    this.valueSet = false;
    if (zero) return;
    const c = !abs && this.clock.kind === ClockKind.Host && this.clock.id === Clock.CLOCK_REALTIME ? hostClock(Clock.CLOCK_MONOTONIC) : this.clock;
    this.armClock = c;
    this.expiry = abs ? clockPoint(c, sec, nsec) : addSafe(c, clockNow(c), durationNs(sec, nsec));
    this.valueSet = true;
    if (this.sigNone) return;
    this.status = TimerStatus.Armed;
    this.wait = waitClock(c, this.expiry, this.fire);
  }

  stop(): void {
    this.wait?.cancel();
    this.wait = null;
  }

  /** timer_delete: a queued signal of this timer is dropped at delivery. */
  destroy(): void {
    this.stop();
    this.status = TimerStatus.Disarmed;
    this.signalSeq++;
  }

  /** hrtimer_forward: moves a passed expiry forward by whole intervals past now; returns how many. */
  forward(now: number): number {
    const iv = this.interval;
    const delta = now - this.expiry;
    if (delta < 0 || iv <= 0) return 0;
    const n = Math.floor(delta / iv) + 1;
    this.expiry += n * iv;
    if (this.expiry <= now) this.expiry = now + iv; // rounding of huge counts
    return n;
  }

  /** The expiry (posix_timer_fn / cpu_timer_fire): queue the signal; a periodic timer waits for its delivery to rearm. */
  private readonly fire = (): void => {
    this.wait = null;
    const tg = this.owner.tg;
    if (processGone(tg)) return;
    this.owner.sync();
    if (this.owner.posix.get(this.id) !== this) return; // deleted by an execve
    this.status = this.interval !== 0 ? TimerStatus.RequeuePending : TimerStatus.Disarmed;
    this.queueSignal();
  };

  private queueSignal(): void {
    let thread: Task | undefined;
    if ((this.notify & SigevNotify.SIGEV_THREAD_ID) !== 0) {
      const tt = this.target;
      if (!tt || tt.exited) return; // posixtimer_get_target: the thread is gone
      thread = tt;
    }
    const info = new Uint8Array(SIGINFO_SIZE);
    const dv = new DataView(info.buffer);
    encodeSiginfoTimer(dv, 0, this.signo, this.id, 0, 0);
    dv.setUint32(SiginfoOffset.VALUE, this.valueLo, true);
    dv.setUint32(SiginfoOffset.VALUE + 4, this.valueHi, true);
    dv.setInt32(SIGINFO_TIMER_SYS_PRIVATE, this.signalSeq | 0, true);
    send(this.owner.k, this.owner.tg, this.signo, thread, info);
  }

  /** posixtimer_rearm at delivery: forward past now, count the overruns, arm again. */
  rearm(): void {
    const c = this.armClock;
    if (!clockTargetGone(this.owner.k, c)) {
      this.overrun += this.forward(clockNow(c));
      this.status = TimerStatus.Armed;
      this.wait = waitClock(c, this.expiry, this.fire, false);
    }
    this.overrunLast = this.overrun;
    this.overrun = -1;
    this.signalSeq++;
  }

  /** timer_getoverrun: the overruns of the last delivered expiry, saturated. */
  get overrunCount(): number {
    return this.overrunLast > DELAYTIMER_MAX ? DELAYTIMER_MAX : this.overrunLast;
  }

  /** Whether this timer rearms when its queued signal is delivered. */
  get requeuePending(): boolean {
    return this.status === TimerStatus.RequeuePending;
  }
}

/** The timers of one process (signal_struct's real_timer, it[], posix_timers). */
export class ProcessTimers {
  /** ITIMER_REAL: expiry on CLOCK_MONOTONIC while realWait is pending. */
  private realExpiry = 0;
  private realIncr = 0;
  private realWait: ClockWait | null = null;
  private readonly virt: CpuItimer;
  private readonly prof: CpuItimer;
  readonly posix = new Map<number, PosixTimer>();
  /** next_posix_timer_id: ids count up (wrapping at INT_MAX), never reusing one still in use. */
  private nextId = 0;
  /** The address space the POSIX timers were made in: a new one means the process called execve. */
  private vm: object;

  constructor(
    readonly k: Kernel,
    readonly tg: ThreadGroup,
  ) {
    this.vm = tg.vm;
    this.virt = new CpuItimer(this, new TimerClock(ClockKind.ProcessCpu, CpuClock.CPUCLOCK_VIRT, tg, null), Signal.SIGVTALRM);
    this.prof = new CpuItimer(this, new TimerClock(ClockKind.ProcessCpu, CpuClock.CPUCLOCK_PROF, tg, null), Signal.SIGPROF);
  }

  /** getitimer: out = [value, interval] in ns; which is a valid ITIMER_*. */
  getItimer(which: number, out: Float64Array): void {
    if (which === Itimer.ITIMER_REAL) this.getReal(out);
    else (which === Itimer.ITIMER_VIRTUAL ? this.virt : this.prof).get(out);
  }

  /** setitimer: value and interval in ns; old (if given) gets the previous [value, interval]. */
  setItimer(which: number, valueNs: number, intervalNs: number, old: Float64Array | null): void {
    if (which === Itimer.ITIMER_REAL) this.setReal(valueNs, intervalNs, old);
    else (which === Itimer.ITIMER_VIRTUAL ? this.virt : this.prof).set(valueNs, intervalNs, old);
  }

  /** itimer_get_remtime: a pending expiry reads at least 1 µs; a fired one 0. */
  private getReal(out: Float64Array): void {
    out[1] = this.realIncr;
    if (this.realWait === null) {
      out[0] = 0;
      return;
    }
    const rem = this.realExpiry - hostNow(Clock.CLOCK_MONOTONIC);
    out[0] = rem <= 0 ? 1000 : rem;
  }

  private setReal(valueNs: number, intervalNs: number, old: Float64Array | null): void {
    if (old) this.getReal(old);
    this.realWait?.cancel();
    this.realWait = null;
    if (valueNs === 0) {
      this.realIncr = 0;
      return;
    }
    this.realIncr = intervalNs;
    const mono = hostClock(Clock.CLOCK_MONOTONIC);
    this.realExpiry = addSafe(mono, hostNow(Clock.CLOCK_MONOTONIC), valueNs);
    this.realWait = waitClock(mono, this.realExpiry, this.fireReal, false);
  }

  /** it_real_fn: SIGALRM to the process; a periodic timer rearms when the signal is dequeued. */
  private readonly fireReal = (): void => {
    this.realWait = null;
    if (processGone(this.tg)) return;
    send(this.k, this.tg, Signal.SIGALRM, undefined, kernelInfo(Signal.SIGALRM));
  };

  /** dequeue_signal's SIGALRM case: restarts a periodic ITIMER_REAL that is not pending. */
  sigalrmDequeued(): void {
    if (this.realWait !== null || this.realIncr === 0 || processGone(this.tg)) return;
    const now = hostNow(Clock.CLOCK_MONOTONIC);
    const iv = this.realIncr;
    const delta = now - this.realExpiry;
    if (delta >= 0) {
      this.realExpiry += (Math.floor(delta / iv) + 1) * iv;
      if (this.realExpiry <= now) this.realExpiry = now + iv;
    }
    this.realWait = waitClock(hostClock(Clock.CLOCK_MONOTONIC), this.realExpiry, this.fireReal, false);
  }

  /** posix_timer_add: the next free id (the counter moves on even if the creation then fails), or -EAGAIN. */
  allocId(): number {
    for (let n = 0; n <= this.posix.size; n++) {
      const id = this.nextId;
      this.nextId = (this.nextId + 1) & INT_MAX;
      if (!this.posix.has(id)) return id;
    }
    return -Errno.EAGAIN;
  }

  /**
   * POSIX timers do not survive execve: noticed here too (execve is the only
   * thing that gives a process a new Vm), in case onExec was not called.
   */
  sync(): void {
    if (this.tg.vm === this.vm) return;
    this.vm = this.tg.vm;
    this.deletePosixTimers();
  }

  /** execve: the POSIX timers go (before or after the new Vm is installed). */
  execed(): void {
    this.vm = this.tg.vm;
    this.deletePosixTimers();
  }

  /** exit_itimers: every POSIX timer goes (execve, exit). */
  deletePosixTimers(): void {
    for (const timer of this.posix.values()) timer.destroy();
    this.posix.clear();
  }

  /** Everything stops (the process exited). */
  stopAll(): void {
    this.deletePosixTimers();
    this.realWait?.cancel();
    this.realWait = null;
    this.realIncr = 0;
    this.virt.stop();
    this.prof.stop();
    this.virt.expires = 0;
    this.prof.expires = 0;
  }
}

const processTimers = new WeakMap<ThreadGroup, ProcessTimers>();

/** The timers of process tg (made on first use: a new process, as after fork, has none). */
export function timersOf(k: Kernel, tg: ThreadGroup): ProcessTimers {
  let pt = processTimers.get(tg);
  if (!pt) {
    pt = new ProcessTimers(k, tg);
    processTimers.set(tg, pt);
  }
  pt.sync();
  return pt;
}

// ---------------------------------------------------------------------------
// Hooks for the rest of the kernel

/**
 * execve (begin_new_exec → exit_itimers): POSIX timers are deleted; interval
 * timers and alarm(2) are kept (man 2 execve).
 */
export function onExec(tg: ThreadGroup): void {
  processTimers.get(tg)?.execed();
}

/** The process exited: all its timers stop and its POSIX timers are deleted. */
export function onProcessExit(tg: ThreadGroup): void {
  processTimers.get(tg)?.stopAll();
}

/**
 * The signal delivery path dequeued a POSIX timer signal of process tg
 * (posixtimer_deliver_signal). Pass the 128-byte siginfo the timer queued
 * (it is patched in place: si_overrun set, the kernel's private sequence
 * word cleared), or just the timer id (si_timerid) when the siginfo is not
 * at hand. Returns false when the signal must be dropped: the timer was
 * deleted or re-set since it queued the signal. A periodic timer is rearmed
 * here, and its overrun count (timer_getoverrun) updated.
 */
export function timerSignalDelivered(tg: ThreadGroup, infoOrTimerId: Uint8Array | number): boolean {
  let id: number;
  let seq: number | null = null;
  let dv: DataView | null = null;
  if (typeof infoOrTimerId === 'number') {
    id = infoOrTimerId;
  } else {
    dv = new DataView(infoOrTimerId.buffer, infoOrTimerId.byteOffset, SIGINFO_SIZE);
    id = dv.getInt32(SiginfoOffset.TIMERID, true);
    seq = dv.getInt32(SIGINFO_TIMER_SYS_PRIVATE, true);
    dv.setInt32(SIGINFO_TIMER_SYS_PRIVATE, 0, true);
  }
  const pt = processTimers.get(tg);
  pt?.sync();
  const timer = pt?.posix.get(id);
  if (!timer || (seq !== null && seq !== (timer.signalSeq | 0))) return false;
  if (timer.interval === 0 || !timer.requeuePending) return true;
  timer.rearm();
  dv?.setInt32(SiginfoOffset.OVERRUN, timer.overrunCount, true);
  return true;
}

/**
 * The signal delivery path dequeued SIGALRM from process tg's shared queue
 * (dequeue_signal): a periodic ITIMER_REAL that fired is restarted.
 */
export function sigalrmDequeued(tg: ThreadGroup): void {
  processTimers.get(tg)?.sigalrmDequeued();
}
