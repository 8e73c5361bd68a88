// Clocks and sleeping (man 2 clock_gettime, clock_getres, gettimeofday, time,
// nanosleep, clock_nanosleep, restart_syscall). Sleeping never blocks the
// kernel's thread: the task parks on a clock wait (src/kernel/timers.ts) and
// the syscall completes when it fires. A signal cuts a sleep short the way
// hrtimer_nanosleep and posix_cpu_nsleep do: a relative sleep writes the
// remaining time to rem and returns -ERESTART_RESTARTBLOCK with a restart
// block (restart_syscall resumes it to the same deadline); an absolute one
// returns -ERESTARTNOHAND.
import { Errno } from '../abi/linux/errno.js';
import {
  Clock, CpuClock, NSEC_PER_SEC, TICK_NSEC, TimerFlag, cpuClockPerThread, cpuClockPid, getI64, makeCpuClock, setI64,
} from '../abi/linux/time.js';
import { SYS } from '../abi/linux/syscalls.js';
import { NO_RESUME, type Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import {
  addSafe, clockNow, clockPoint, cpuTarget, cpuTargetClock, cpuTargetNow, durationNs, hostClock, resolveCpuClock, splitNs,
  waitClock, type ClockWait, type TimerClock,
} from '../kernel/timers.js';
import { native } from '../platform/native.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

const NSEC = NSEC_PER_SEC;

const ts = new Float64Array(2);

/** CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID as the CPU clocks they stand for. */
const PROCESS_CLOCK = makeCpuClock(0, CpuClock.CPUCLOCK_SCHED, false);
const THREAD_CLOCK = makeCpuClock(0, CpuClock.CPUCLOCK_SCHED, true);

/**
 * The sandbox has no RTC device: as on a machine without one, timers and
 * sleeps on the ALARM clocks are EOPNOTSUPP (alarmtimer_get_rtcdev), while
 * timerfds on them work.
 */
const HAVE_RTC = false;

/**
 * Reads clock clk for task t into out ([sec, nsec]), or its resolution with
 * res; returns 0 or -EINVAL. Host clocks are the host's; CPU clocks
 * (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and the ids of
 * clock_getcpuclockid(3) and pthread_getcpuclockid(3)) measure the guest's
 * own CPU time as the host accounts its stub.
 */
function readClock(k: Kernel, t: Task, clk: number, out: Float64Array, res: boolean): number {
  let host: number;
  let cpu: number;
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
      cpu = PROCESS_CLOCK;
      host = -1;
      break;
    case Clock.CLOCK_THREAD_CPUTIME_ID:
      cpu = THREAD_CLOCK;
      host = -1;
      break;
    default:
      // Negative ids are CPU clocks, or posix dynamic clocks (CLOCKFD: a
      // descriptor of a /dev/ptp device, which the sandbox has none of).
      if (clk >= 0 || (clk & CpuClock.CLOCKFD_MASK) === CpuClock.CLOCKFD) return -Errno.EINVAL;
      cpu = clk;
      host = -1;
  }
  if (host >= 0) {
    const n = native();
    const r = res ? n.hostClockGetres(host, out) : n.hostClockGettime(host, out);
    return r < 0 ? -Errno.EINVAL : 0;
  }
  // clock_getres validates like timer_create (pid_for_clock without the gettime exception).
  const r = resolveCpuClock(k, t, cpu!, !res);
  if (r < 0) return r;
  if (res) {
    out[0] = 0;
    out[1] = cpuTarget.which === CpuClock.CPUCLOCK_SCHED ? 1 : TICK_NSEC;
    return 0;
  }
  splitNs(Math.floor(cpuTargetNow()), out);
  return 0;
}

function writeTimespec(t: Task, addr: number, sec: number, nsec: number): number {
  setI64(scratchView, 0, sec);
  setI64(scratchView, 8, nsec);
  return t.tg.mm.writeBytes(addr, scratch, 0, 16);
}

/** Reads a struct timespec; returns [sec, nsec] in out, or -EFAULT / -EINVAL (man 2 nanosleep). */
function readTimespec(t: Task, addr: number, out: Float64Array): number {
  const r = t.tg.mm.readBytes(addr, scratch, 0, 16);
  if (r < 0) return r;
  // Values beyond 2^53 seconds lose precision but stay huge: they saturate at KTIME_MAX.
  const sec = getI64(scratchView, 0);
  const nsec = getI64(scratchView, 8);
  if (sec < 0 || nsec < 0 || nsec >= NSEC) return -Errno.EINVAL;
  out[0] = sec;
  out[1] = nsec;
  return 0;
}

// ---------------------------------------------------------------------------
// Restart blocks (struct restart_block): what restart_syscall(2) resumes
// after a call returned -ERESTART_RESTARTBLOCK and the signal that cut it
// short was handled without a handler (or with one, when the lead's signal
// code decides so). One per task; a syscall that may set one clears it on
// entry (restart_block.fn = do_no_restart_syscall), and rt_sigreturn should
// clear it too (clearRestartBlock).

export type RestartFn = (t: Task) => number | Promise<number>;

const restartBlocks = new WeakMap<Task, RestartFn>();

/** The task's restart block: what restart_syscall runs (undefined: -EINTR). */
export function restartBlock(t: Task): RestartFn | undefined {
  return restartBlocks.get(t);
}

/** Records what restart_syscall should run for t (any syscall returning -ERESTART_RESTARTBLOCK). */
export function setRestartBlock(t: Task, fn: RestartFn): void {
  restartBlocks.set(t, fn);
}

/** do_no_restart_syscall: restart_syscall will fail with EINTR. */
export function clearRestartBlock(t: Task): void {
  restartBlocks.delete(t);
}

/**
 * Sleeps until clock c reaches deadline (do_nanosleep / do_cpu_nanosleep).
 * rmtp: where the remaining time goes if a signal interrupts a relative
 * sleep (0: nowhere).
 */
function sleepOn(t: Task, c: TimerClock, deadline: number, abs: boolean, rmtp: number): number | Promise<number> {
  if (clockNow(c) >= deadline) return 0;
  return new Promise<number>((resolve) => {
    let done = false;
    let w: ClockWait | null = null;
    t.park((r) => {
      if (done) return;
      done = true;
      w?.cancel();
      resolve(r === NO_RESUME || t.exited || t.tg.exiting ? r : sleepInterrupted(t, c, deadline, abs, rmtp));
    });
    w = waitClock(c, deadline, () => {
      if (done) return;
      done = true;
      t.unpark();
      resolve(0);
    });
  });
}

/** A signal cut a sleep short: hrtimer_nanosleep's and posix_cpu_nsleep's results. */
function sleepInterrupted(t: Task, c: TimerClock, deadline: number, abs: boolean, rmtp: number): number {
  const rem = deadline - clockNow(c);
  if (rem <= 0) return 0;
  if (abs) return -Errno.ERESTARTNOHAND;
  if (rmtp !== 0) {
    splitNs(rem, ts);
    if (writeTimespec(t, rmtp, ts[0], ts[1]) < 0) return -Errno.EFAULT;
  }
  // hrtimer_nanosleep_restart: the same deadline, the same rem pointer.
  setRestartBlock(t, (t2) => sleepOn(t2, c, deadline, false, rmtp));
  return -Errno.ERESTART_RESTARTBLOCK;
}

export function registerTime(table: SyscallTable, k: Kernel): void {
  table[SYS.clock_gettime] = (t, a) => {
    const r = readClock(k, t, a.int(0), ts, false);
    if (r < 0) return r;
    return writeTimespec(t, a.u64(1), ts[0], ts[1]);
  };
  table[SYS.clock_getres] = (t, a) => {
    const r = readClock(k, t, a.int(0), ts, true);
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
    clearRestartBlock(t);
    const c = hostClock(Clock.CLOCK_MONOTONIC);
    // rem is written only when a signal interrupts the sleep.
    return sleepOn(t, c, addSafe(c, clockNow(c), durationNs(ts[0], ts[1])), false, a.u64(1));
  };
  table[SYS.clock_nanosleep] = (t, a) => {
    const clk = a.int(0);
    const flags = a.int(1);
    // The clock's k_clock must exist (EINVAL) and sleep (EOPNOTSUPP) before
    // the request is read: REALTIME, MONOTONIC, BOOTTIME, TAI, the process
    // CPU clock and the dynamic CPU clocks sleep; the thread CPU clock does
    // not (glibc turns it into EINVAL itself).
    let host = -1;
    let cpu = 0;
    let alarm = false;
    switch (clk) {
      case Clock.CLOCK_REALTIME:
      case Clock.CLOCK_MONOTONIC:
      case Clock.CLOCK_BOOTTIME:
      case Clock.CLOCK_TAI:
        host = clk;
        break;
      case Clock.CLOCK_REALTIME_ALARM:
      case Clock.CLOCK_BOOTTIME_ALARM:
        alarm = true;
        break;
      case Clock.CLOCK_PROCESS_CPUTIME_ID:
        cpu = PROCESS_CLOCK;
        break;
      case Clock.CLOCK_THREAD_CPUTIME_ID:
      case Clock.CLOCK_MONOTONIC_RAW:
      case Clock.CLOCK_REALTIME_COARSE:
      case Clock.CLOCK_MONOTONIC_COARSE:
        return -Errno.EOPNOTSUPP;
      default:
        if (clk >= 0) return -Errno.EINVAL;
        if ((clk & CpuClock.CLOCKFD_MASK) === CpuClock.CLOCKFD) return -Errno.EOPNOTSUPP;
        cpu = clk;
    }
    const r = readTimespec(t, a.u64(2), ts);
    if (r < 0) return r;
    const abs = (flags & TimerFlag.TIMER_ABSTIME) !== 0;
    const rmtp = abs ? 0 : a.u64(3);
    clearRestartBlock(t);
    if (alarm && !HAVE_RTC) return -Errno.EOPNOTSUPP;
    let c: TimerClock;
    if (host >= 0) {
      // A relative CLOCK_REALTIME sleep runs on CLOCK_MONOTONIC (hrtimer_init): setting the clock does not move it.
      c = hostClock(!abs && host === Clock.CLOCK_REALTIME ? Clock.CLOCK_MONOTONIC : host);
    } else {
      // posix_cpu_nsleep: a thread cannot sleep on its own CPU clock.
      if (cpuClockPerThread(cpu) && (cpuClockPid(cpu) === 0 || cpuClockPid(cpu) === t.tid)) return -Errno.EINVAL;
      const e = resolveCpuClock(k, t, cpu, false);
      if (e < 0) return e;
      c = cpuTargetClock();
    }
    const deadline = abs ? clockPoint(c, ts[0], ts[1]) : addSafe(c, clockNow(c), durationNs(ts[0], ts[1]));
    return sleepOn(t, c, deadline, abs, rmtp);
  };
  table[SYS.restart_syscall] = (t) => {
    const fn = restartBlocks.get(t);
    return fn ? fn(t) : -Errno.EINTR;
  };
}
