// Interval timers and POSIX timers: alarm(2), getitimer(2), setitimer(2),
// timer_create(2), timer_settime(2), timer_gettime(2), timer_getoverrun(2),
// timer_delete(2). The timers themselves live in src/kernel/timers.ts; here
// are the argument checks, in the kernel's order, and the struct copies.
import { Errno } from '../abi/linux/errno.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { NSIG, SigevNotify, Signal } from '../abi/linux/signal.js';
import { SYS } from '../abi/linux/syscalls.js';
import {
  Clock, CpuClock, ITIMERSPEC_SIZE, ITIMERVAL_SIZE, Itimer, ItimerOffset, KERNEL_TIMER_T_SIZE, NSEC_PER_SEC, SIGEVENT_SIZE,
  TimerFlag, checkTimespec, checkTimeval, decodeSigevent, getI64, makeCpuClock, setI64, type Sigevent,
} from '../abi/linux/time.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import {
  PosixTimer, clockTargetGone, cpuTargetClock, durationNs, hostClock, resolveCpuClock, splitNs, timersOf, type TimerClock,
} from '../kernel/timers.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

const NSEC = NSEC_PER_SEC;
const TWO32 = 4294967296;

/** The sandbox has no RTC: timer_create on an ALARM clock fails as alarm_timer_create does then. */
const HAVE_RTC = false;

/** [value, interval] in ns, and the previous setting. */
const cur = new Float64Array(2);
const prev = new Float64Array(2);
const split = new Float64Array(4);
const sev: Sigevent = { valueLo: 0, valueHi: 0, signo: 0, notify: 0, tid: 0 };

/** Writes [value, interval] (ns) as a struct itimerval (µs, truncated as put_itimerval does). */
function writeItimerval(t: Task, addr: number, v: Float64Array): number {
  splitNs(v[1], split, 0);
  splitNs(v[0], split, 2);
  setI64(scratchView, 0, split[0]);
  setI64(scratchView, 8, Math.floor(split[1] / 1000));
  setI64(scratchView, 16, split[2]);
  setI64(scratchView, 24, Math.floor(split[3] / 1000));
  return t.tg.mm.writeBytes(addr, scratch, 0, ITIMERVAL_SIZE);
}

/** Writes [value, interval] (ns) as a struct itimerspec. */
function writeItimerspec(t: Task, addr: number, v: Float64Array): number {
  splitNs(v[1], split, 0);
  splitNs(v[0], split, 2);
  setI64(scratchView, 0, split[0]);
  setI64(scratchView, 8, split[1]);
  setI64(scratchView, 16, split[2]);
  setI64(scratchView, 24, split[3]);
  return t.tg.mm.writeBytes(addr, scratch, 0, ITIMERSPEC_SIZE);
}

function validItimer(which: number): boolean {
  return which === Itimer.ITIMER_REAL || which === Itimer.ITIMER_VIRTUAL || which === Itimer.ITIMER_PROF;
}

/** The timer `id` of t's process, or undefined (EINVAL for the caller). */
function timerOf(k: Kernel, t: Task, id: number): PosixTimer | undefined {
  return timersOf(k, t.tg).posix.get(id);
}

/** What timer_create's clock id selects (clockid_to_kclock), before any timer exists. */
const enum TimerClockKind {
  Host = 0,
  Cpu = 1,
  Alarm = 2,
}

export function registerTimers(table: SyscallTable, k: Kernel): void {
  table[SYS.alarm] = (t, a) => {
    // alarm_setitimer: the old value's seconds, rounded up from a half second
    // (and from any fraction of the first), never 0 for a pending alarm.
    timersOf(k, t.tg).setItimer(Itimer.ITIMER_REAL, durationNs(a.u32(0), 0), 0, prev);
    splitNs(prev[0], split);
    let sec = split[0];
    const nsec = split[1];
    if ((sec === 0 && nsec !== 0) || nsec >= NSEC / 2) sec++;
    return sec % TWO32;
  };

  table[SYS.getitimer] = (t, a) => {
    const which = a.int(0);
    if (!validItimer(which)) return -Errno.EINVAL;
    timersOf(k, t.tg).getItimer(which, cur);
    return writeItimerval(t, a.u64(1), cur);
  };

  table[SYS.setitimer] = (t, a) => {
    const which = a.int(0);
    const newp = a.u64(1);
    const oldp = a.u64(2);
    let value = 0;
    let interval = 0;
    // A NULL new value is a zeroed one (the kernel still accepts it, with a warning).
    if (newp !== 0) {
      const r = t.tg.mm.readBytes(newp, scratch, 0, ITIMERVAL_SIZE);
      if (r < 0) return r;
      if (checkTimeval(scratchView, ItimerOffset.IT_VALUE) < 0 || checkTimeval(scratchView, ItimerOffset.IT_INTERVAL) < 0) return -Errno.EINVAL;
      interval = durationNs(getI64(scratchView, 0), getI64(scratchView, 8) * 1000);
      value = durationNs(getI64(scratchView, 16), getI64(scratchView, 24) * 1000);
    }
    if (!validItimer(which)) return -Errno.EINVAL;
    timersOf(k, t.tg).setItimer(which, value, interval, oldp !== 0 ? prev : null);
    return oldp !== 0 ? writeItimerval(t, oldp, prev) : 0;
  };

  table[SYS.timer_create] = (t, a) => {
    const clk = a.int(0);
    const evp = a.u64(1);
    const idp = a.u64(2);
    const mm = t.tg.mm;
    if (evp !== 0) {
      const r = mm.readBytes(evp, scratch, 0, SIGEVENT_SIZE);
      if (r < 0) return r;
      decodeSigevent(scratchView, 0, sev);
    }
    let kind: TimerClockKind;
    let cpu = 0;
    switch (clk) {
      case Clock.CLOCK_REALTIME:
      case Clock.CLOCK_MONOTONIC:
      case Clock.CLOCK_BOOTTIME:
      case Clock.CLOCK_TAI:
        kind = TimerClockKind.Host;
        break;
      case Clock.CLOCK_PROCESS_CPUTIME_ID:
        kind = TimerClockKind.Cpu;
        cpu = makeCpuClock(0, CpuClock.CPUCLOCK_SCHED, false);
        break;
      case Clock.CLOCK_THREAD_CPUTIME_ID:
        kind = TimerClockKind.Cpu;
        cpu = makeCpuClock(0, CpuClock.CPUCLOCK_SCHED, true);
        break;
      case Clock.CLOCK_REALTIME_ALARM:
      case Clock.CLOCK_BOOTTIME_ALARM:
        kind = TimerClockKind.Alarm;
        break;
      case Clock.CLOCK_MONOTONIC_RAW:
      case Clock.CLOCK_REALTIME_COARSE:
      case Clock.CLOCK_MONOTONIC_COARSE:
        return -Errno.EOPNOTSUPP; // no timer_create for these clocks
      default:
        if (clk >= 0) return -Errno.EINVAL;
        if ((clk & CpuClock.CLOCKFD_MASK) === CpuClock.CLOCKFD) return -Errno.EOPNOTSUPP;
        kind = TimerClockKind.Cpu;
        cpu = clk;
    }
    const pt = timersOf(k, t.tg);
    // Each timer holds a preallocated signal queue entry, charged to RLIMIT_SIGPENDING.
    if (pt.posix.size >= t.tg.limits.get(Rlimit.RLIMIT_SIGPENDING).cur) return -Errno.EAGAIN;
    const id = pt.allocId();
    if (id < 0) return id;
    // good_sigevent (the id is used up even when this fails).
    let notify: number = SigevNotify.SIGEV_SIGNAL;
    let signo: number = Signal.SIGALRM;
    let valueLo = id;
    let valueHi = 0;
    let target: Task | null = null;
    if (evp !== 0) {
      const n = sev.notify;
      if (n === (SigevNotify.SIGEV_SIGNAL | SigevNotify.SIGEV_THREAD_ID)) {
        // The thread must be one of the caller's process.
        const tt = k.tasks.get(sev.tid);
        if (!tt || tt.tg !== t.tg || tt.exited) return -Errno.EINVAL;
        target = tt;
      }
      if (n === SigevNotify.SIGEV_SIGNAL || n === SigevNotify.SIGEV_THREAD || target !== null) {
        // SIGEV_THREAD is glibc's business: the kernel signals the process.
        if (sev.signo <= 0 || sev.signo > NSIG) return -Errno.EINVAL;
      } else if (n !== SigevNotify.SIGEV_NONE) {
        return -Errno.EINVAL;
      }
      notify = sev.notify;
      signo = sev.signo;
      valueLo = sev.valueLo;
      valueHi = sev.valueHi;
    }
    scratchView.setInt32(0, id, true);
    const w = mm.writeBytes(idp, scratch, 0, KERNEL_TIMER_T_SIZE);
    if (w < 0) return w;
    // kc->timer_create, after the id was copied out.
    let clock: TimerClock;
    if (kind === TimerClockKind.Alarm) {
      if (!HAVE_RTC) return -Errno.EOPNOTSUPP;
      clock = hostClock(clk === Clock.CLOCK_REALTIME_ALARM ? Clock.CLOCK_REALTIME : Clock.CLOCK_BOOTTIME);
    } else if (kind === TimerClockKind.Cpu) {
      const r = resolveCpuClock(k, t, cpu, false);
      if (r < 0) return r;
      clock = cpuTargetClock();
    } else {
      clock = hostClock(clk);
    }
    pt.posix.set(id, new PosixTimer(pt, id, clock, notify, signo, valueLo, valueHi, target));
    return 0;
  };

  table[SYS.timer_settime] = (t, a) => {
    const id = a.int(0);
    const flags = a.int(1);
    const newp = a.u64(2);
    const oldp = a.u64(3);
    if (newp === 0) return -Errno.EINVAL;
    const r = t.tg.mm.readBytes(newp, scratch, 0, ITIMERSPEC_SIZE);
    if (r < 0) return r;
    if (checkTimespec(scratchView, ItimerOffset.IT_INTERVAL) < 0 || checkTimespec(scratchView, ItimerOffset.IT_VALUE) < 0) return -Errno.EINVAL;
    const timer = timerOf(k, t, id);
    if (!timer) return -Errno.EINVAL;
    // posix_cpu_timer_set: the clock's process or thread is gone.
    if (clockTargetGone(k, timer.clock)) return -Errno.ESRCH;
    const interval = durationNs(getI64(scratchView, 0), getI64(scratchView, 8));
    const sec = getI64(scratchView, 16);
    const nsec = getI64(scratchView, 24);
    timer.set((flags & TimerFlag.TIMER_ABSTIME) !== 0, sec, nsec, interval, oldp !== 0 ? prev : null);
    return oldp !== 0 ? writeItimerspec(t, oldp, prev) : 0;
  };

  table[SYS.timer_gettime] = (t, a) => {
    const timer = timerOf(k, t, a.int(0));
    if (!timer) return -Errno.EINVAL;
    timer.get(cur);
    return writeItimerspec(t, a.u64(1), cur);
  };

  table[SYS.timer_getoverrun] = (t, a) => {
    const timer = timerOf(k, t, a.int(0));
    return timer ? timer.overrunCount : -Errno.EINVAL;
  };

  table[SYS.timer_delete] = (t, a) => {
    const id = a.int(0);
    const pt = timersOf(k, t.tg);
    const timer = pt.posix.get(id);
    if (!timer) return -Errno.EINVAL;
    timer.destroy();
    pt.posix.delete(id);
    return 0;
  };
}
