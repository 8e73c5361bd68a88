// Clocks and sleeping (man 2 clock_gettime, gettimeofday, time, nanosleep,
// clock_nanosleep). Sleeping never blocks the kernel's thread: the task waits
// on a timer and the syscall completes when it fires.
import fs from 'node:fs';
import { Errno } from '../abi/linux/errno.js';
import { Clock, NSEC_PER_SEC, TimerFlag, getI64, setI64 } from '../abi/linux/time.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { native } from '../platform/native.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

const NSEC = NSEC_PER_SEC;

const ts = new Float64Array(2);

/**
 * Reads clock clk for task t into ts ([sec, nsec]); returns 0 or -EINVAL.
 * CPU-time clocks read the host's CPU clock of the stub thread or process
 * (the guest's own CPU time); negative ids are the CPUCLOCK encodings of
 * clock_getcpuclockid(3) and pthread_getcpuclockid(3).
 */
function readClock(t: Task, clk: number, out: Float64Array, res: boolean): number {
  const n = native();
  let host: number;
  switch (clk) {
    case Clock.CLOCK_REALTIME:
    case Clock.CLOCK_MONOTONIC:
    case Clock.CLOCK_MONOTONIC_RAW:
    case Clock.CLOCK_REALTIME_COARSE:
    case Clock.CLOCK_MONOTONIC_COARSE:
    case Clock.CLOCK_BOOTTIME:
    case Clock.CLOCK_TAI:
      host = clk;
      break;
    case Clock.CLOCK_REALTIME_ALARM:
      host = Clock.CLOCK_REALTIME;
      break;
    case Clock.CLOCK_BOOTTIME_ALARM:
      host = Clock.CLOCK_BOOTTIME;
      break;
    case Clock.CLOCK_PROCESS_CPUTIME_ID:
      host = cpuClock(t.tg.as.hostPid, false);
      break;
    case Clock.CLOCK_THREAD_CPUTIME_ID:
      return threadCpuTime(t, out, res);
    default: {
      if (clk >= 0) return -Errno.EINVAL;
      // CPUCLOCK: pid = ~(clk >> 3), bit 2 = per-thread, low 2 bits = type (< 3).
      const id = ~(clk >> 3);
      const perThread = (clk & 4) !== 0;
      if ((clk & 3) === 3) return -Errno.EINVAL;
      if (perThread) {
        if (id !== 0 && id !== t.tid) return -Errno.EINVAL;
        return threadCpuTime(t, out, res);
      } else {
        if (id !== 0 && id !== t.tg.pid) return -Errno.EINVAL;
        host = cpuClock(t.tg.as.hostPid, false);
      }
    }
  }
  const r = res ? n.hostClockGetres(host, out) : n.hostClockGettime(host, out);
  return r < 0 ? -Errno.EINVAL : 0;
}

/** The host's CPU clock id for a process (MAKE_PROCESS_CPUCLOCK, CPUCLOCK_SCHED). */
function cpuClock(id: number, thread: boolean): number {
  return (~id << 3) | 2 | (thread ? 4 : 0);
}

/**
 * CPU time of the task's stub thread. The host only serves thread CPU clocks
 * within the caller's own thread group, so this reads the thread's
 * schedstat (nanoseconds on CPU) instead.
 */
function threadCpuTime(t: Task, out: Float64Array, res: boolean): number {
  if (res) {
    out[0] = 0;
    out[1] = 1;
    return 0;
  }
  let ns = 0;
  try {
    const s = fs.readFileSync(`/proc/${t.tg.as.hostPid}/task/${t.ctx.hostTid}/schedstat`, 'latin1');
    ns = Number(s.slice(0, s.indexOf(' ')));
  } catch {
    ns = 0;
  }
  out[0] = Math.floor(ns / NSEC);
  out[1] = ns - out[0] * NSEC;
  return 0;
}

function writeTimespec(t: Task, addr: number, sec: number, nsec: number): number {
  setI64(scratchView, 0, sec);
  setI64(scratchView, 8, nsec);
  return t.tg.mm.writeBytes(addr, scratch, 0, 16);
}

/** Reads a struct timespec; returns [sec, nsec] in ts, or -EFAULT / -EINVAL (man 2 nanosleep). */
function readTimespec(t: Task, addr: number, out: Float64Array): number {
  const r = t.tg.mm.readBytes(addr, scratch, 0, 16);
  if (r < 0) return r;
  // Values beyond 2^53 seconds lose precision but stay huge: fine for a sleep.
  const sec = getI64(scratchView, 0);
  const nsec = getI64(scratchView, 8);
  if (sec < 0 || nsec < 0 || nsec >= NSEC) return -Errno.EINVAL;
  out[0] = sec;
  out[1] = nsec;
  return 0;
}

function nowNs(clk: number): number {
  native().hostClockGettime(clk, ts);
  return ts[0] * NSEC + ts[1];
}

/** Sleeps until the host clock clk reaches deadlineNs; resolves 0. */
function sleepUntil(clk: number, deadlineNs: number): Promise<number> {
  return new Promise((resolve) => {
    const tick = (): void => {
      const left = deadlineNs - nowNs(clk);
      if (left <= 0) {
        resolve(0);
        return;
      }
      // setTimeout may fire early by up to a millisecond (it uses the loop's
      // cached time): re-check and sleep again for the remainder.
      if (left < 1e6) setImmediate(tick);
      else setTimeout(tick, Math.min(Math.floor(left / 1e6), 0x7fffffff));
    };
    tick();
  });
}

export function registerTime(table: SyscallTable, _k: Kernel): void {
  table[SYS.clock_gettime] = (t, a) => {
    const r = readClock(t, a.int(0), ts, false);
    if (r < 0) return r;
    return writeTimespec(t, a.u64(1), ts[0], ts[1]);
  };
  table[SYS.clock_getres] = (t, a) => {
    const r = readClock(t, a.int(0), ts, true);
    if (r < 0) return r;
    const addr = a.u64(1);
    return addr === 0 ? 0 : writeTimespec(t, addr, ts[0], ts[1]);
  };
  table[SYS.gettimeofday] = (t, a) => {
    const tv = a.u64(0);
    const tz = a.u64(1);
    if (tv !== 0) {
      native().hostClockGettime(Clock.CLOCK_REALTIME, ts);
      const r = writeTimespec(t, tv, ts[0], Math.floor(ts[1] / 1000));
      if (r < 0) return r;
    }
    if (tz !== 0) {
      // struct timezone: minuteswest, dsttime — the sandbox runs in UTC.
      scratchView.setUint32(0, 0, true);
      scratchView.setUint32(4, 0, true);
      const r = t.tg.mm.writeBytes(tz, scratch, 0, 8);
      if (r < 0) return r;
    }
    return 0;
  };
  table[SYS.time] = (t, a) => {
    native().hostClockGettime(Clock.CLOCK_REALTIME, ts);
    const addr = a.u64(0);
    if (addr !== 0) {
      setI64(scratchView, 0, ts[0]);
      const r = t.tg.mm.writeBytes(addr, scratch, 0, 8);
      if (r < 0) return r;
    }
    return ts[0];
  };
  table[SYS.nanosleep] = (t, a) => {
    const r = readTimespec(t, a.u64(0), ts);
    if (r < 0) return r;
    // rem is written only when interrupted by a signal (signals issue).
    const req = ts[0] * NSEC + ts[1]; // before nowNs() reuses ts
    return sleepUntil(Clock.CLOCK_MONOTONIC, nowNs(Clock.CLOCK_MONOTONIC) + req);
  };
  table[SYS.clock_nanosleep] = (t, a) => {
    const clk = a.int(0);
    const flags = a.int(1);
    // man 2 clock_nanosleep: REALTIME, MONOTONIC, BOOTTIME, TAI and the
    // process CPU clock are valid; a thread CPU clock is EINVAL.
    let host: number;
    if (clk === Clock.CLOCK_REALTIME || clk === Clock.CLOCK_MONOTONIC || clk === Clock.CLOCK_BOOTTIME || clk === Clock.CLOCK_TAI) host = clk;
    else if (clk === Clock.CLOCK_REALTIME_ALARM || clk === Clock.CLOCK_BOOTTIME_ALARM) return -Errno.EPERM;
    else if (clk === Clock.CLOCK_THREAD_CPUTIME_ID) return -Errno.EINVAL;
    // Partial: sleeping on the process CPU clock (which Linux supports) is not
    // implemented yet and fails with EOPNOTSUPP.
    else if (clk === Clock.CLOCK_PROCESS_CPUTIME_ID) return -Errno.EOPNOTSUPP;
    else return -Errno.EINVAL;
    const r = readTimespec(t, a.u64(2), ts);
    if (r < 0) return r;
    const req = ts[0] * NSEC + ts[1];
    return sleepUntil(host, (flags & TimerFlag.TIMER_ABSTIME) !== 0 ? req : nowNs(host) + req);
  };
}
