// timerfd_create(2), timerfd_settime(2), timerfd_gettime(2) (fs/timerfd.c).
// The file is src/fs/anon/timerfd.ts; its clocks and waits are the kernel's
// (src/kernel/timers.ts), installed here.
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { SYS } from '../abi/linux/syscalls.js';
import {
  Clock, ITIMERSPEC_SIZE, ItimerOffset, TFD_CREATE_FLAGS, TFD_SETTIME_FLAGS, TfdFlag, checkTimespec, getI64, setI64,
} from '../abi/linux/time.js';
import { TimerFd, timerfdHooks } from '../fs/anon/timerfd.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { addSafe, clockPoint, durationNs, hostClock, hostNow, splitNs, waitClock } from '../kernel/timers.js';
import { capable } from '../vfs/credentials.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

const cur = new Float64Array(2);
const split = new Float64Array(4);

function isAlarm(clockid: number): boolean {
  return clockid === Clock.CLOCK_REALTIME_ALARM || clockid === Clock.CLOCK_BOOTTIME_ALARM;
}

/** realtime - monotonic, read with the two monotonic reads close together so a preemption cannot fake a clock set. */
function realtimeOffset(): number {
  let off = 0;
  for (let i = 0; i < 4; i++) {
    const m1 = hostNow(Clock.CLOCK_MONOTONIC);
    const r = hostNow(Clock.CLOCK_REALTIME);
    const m2 = hostNow(Clock.CLOCK_MONOTONIC);
    off = r - (m1 + m2) / 2;
    if (m2 - m1 < 50_000) break;
  }
  return off;
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

/** timerfd_fget: the timerfd behind fd, -EBADF, or -EINVAL for another file. */
function timerfdOf(t: Task, fd: number): TimerFd | number {
  const f = t.tg.fds.get(fd);
  if (!f) return -Errno.EBADF;
  return f instanceof TimerFd ? f : -Errno.EINVAL;
}

export function registerTimerfd(table: SyscallTable, k: Kernel): void {
  timerfdHooks.now = hostNow;
  timerfdHooks.point = (clk, sec, nsec) => clockPoint(hostClock(clk), sec, nsec);
  timerfdHooks.after = (clk, now, dur) => addSafe(hostClock(clk), now, dur);
  timerfdHooks.wait = (clk, deadline, fire) => {
    const w = waitClock(hostClock(clk), deadline, fire);
    return () => w.cancel();
  };
  timerfdHooks.realtimeOffset = realtimeOffset;
  timerfdHooks.currentParker = () => k.currentTask;

  table[SYS.timerfd_create] = (t, a) => {
    const clockid = a.int(0);
    const flags = a.int(1);
    if ((flags & ~TFD_CREATE_FLAGS) !== 0) return -Errno.EINVAL;
    if (
      clockid !== Clock.CLOCK_MONOTONIC && clockid !== Clock.CLOCK_REALTIME && clockid !== Clock.CLOCK_BOOTTIME &&
      !isAlarm(clockid)
    ) {
      return -Errno.EINVAL;
    }
    if (isAlarm(clockid) && !capable(t.creds, Capability.CAP_WAKE_ALARM)) return -Errno.EPERM;
    // The file's flags: O_RDWR and O_NONBLOCK (close-on-exec belongs to the descriptor).
    const file = new TimerFd(clockid, OpenFlag.O_RDWR | (flags & OpenFlag.O_NONBLOCK));
    return t.tg.fds.install(file, (flags & TfdFlag.TFD_CLOEXEC) !== 0, t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur);
  };

  table[SYS.timerfd_settime] = (t, a) => {
    const fd = a.int(0);
    const flags = a.int(1);
    const newp = a.u64(2);
    const oldp = a.u64(3);
    const r = t.tg.mm.readBytes(newp, scratch, 0, ITIMERSPEC_SIZE);
    if (r < 0) return r;
    if ((flags & ~TFD_SETTIME_FLAGS) !== 0) return -Errno.EINVAL;
    if (checkTimespec(scratchView, ItimerOffset.IT_INTERVAL) < 0 || checkTimespec(scratchView, ItimerOffset.IT_VALUE) < 0) return -Errno.EINVAL;
    const tfd = timerfdOf(t, fd);
    if (typeof tfd === 'number') return tfd;
    if (isAlarm(tfd.clockid) && !capable(t.creds, Capability.CAP_WAKE_ALARM)) return -Errno.EPERM;
    const interval = durationNs(getI64(scratchView, 0), getI64(scratchView, 8));
    const sec = getI64(scratchView, 16);
    const nsec = getI64(scratchView, 24);
    tfd.settime(flags, sec, nsec, interval, durationNs(sec, nsec), oldp !== 0 ? cur : null);
    return oldp !== 0 ? writeItimerspec(t, oldp, cur) : 0;
  };

  table[SYS.timerfd_gettime] = (t, a) => {
    const tfd = timerfdOf(t, a.int(0));
    if (typeof tfd === 'number') return tfd;
    tfd.gettime(cur);
    return writeItimerspec(t, a.u64(1), cur);
  };
}
