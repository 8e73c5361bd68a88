// Kernel timers (src/kernel/timers.ts) and their ABI (src/abi/linux/time.ts):
// CPU clock ids, struct sigevent, time arithmetic that saturates like
// ktime_t, and POSIX timer bookkeeping (ids, SIGEV_NONE readings, forward
// and overrun counts, the delivery hook's sequence check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ioc } from '../../src/abi/linux/ioctl.js';
import { SiginfoOffset, SigevNotify } from '../../src/abi/linux/signal.js';
import {
  Clock, CpuClock, SIGEVENT_SIZE, SIGINFO_TIMER_SYS_PRIVATE, TFD_IOC_SET_TICKS, cpuClockPerThread, cpuClockPid, cpuClockWhich,
  decodeSigevent, makeCpuClock, type Sigevent,
} from '../../src/abi/linux/time.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { ThreadGroup } from '../../src/kernel/thread_group.js';
import {
  KTIME_MAX, PosixTimer, ProcessTimers, addSafe, clockNow, clockPoint, durationNs, hostClock, maxPoint, onExec, splitNs,
  timerSignalDelivered, timersOf,
} from '../../src/kernel/timers.js';

const MS = 1_000_000;

function fakeProcess(): { k: Kernel; tg: ThreadGroup } {
  const tg = { pid: 1, vm: {}, zombie: false, exiting: false } as unknown as ThreadGroup;
  const k = { processes: new Map([[1, tg]]), tasks: new Map() } as unknown as Kernel;
  return { k, tg };
}

function noneTimer(pt: ProcessTimers, clk = Clock.CLOCK_MONOTONIC): PosixTimer {
  const id = pt.allocId();
  const t = new PosixTimer(pt, id, hostClock(clk), SigevNotify.SIGEV_NONE, 0, 0, 0, null);
  pt.posix.set(id, t);
  return t;
}

test('CPU clock ids: the glibc encodings', () => {
  assert.equal(makeCpuClock(0, CpuClock.CPUCLOCK_SCHED, false), -6); // CLOCK_PROCESS_CPUTIME_ID's
  assert.equal(makeCpuClock(0, CpuClock.CPUCLOCK_SCHED, true), -2); // CLOCK_THREAD_CPUTIME_ID's
  const c = makeCpuClock(4321, CpuClock.CPUCLOCK_VIRT, true);
  assert.equal(cpuClockPid(c), 4321);
  assert.equal(cpuClockWhich(c), CpuClock.CPUCLOCK_VIRT);
  assert.ok(cpuClockPerThread(c));
  assert.equal(-5 & CpuClock.CLOCKFD_MASK, CpuClock.CLOCKFD);
  assert.equal(TFD_IOC_SET_TICKS, ioc(1, 0x54, 0, 8));
});

test('struct sigevent: value, signo, notify, thread id', () => {
  const b = new Uint8Array(SIGEVENT_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0xdeadbeef, true);
  dv.setUint32(4, 0x12, true);
  dv.setInt32(8, 34, true);
  dv.setInt32(12, SigevNotify.SIGEV_THREAD_ID, true);
  dv.setInt32(16, 777, true);
  const e: Sigevent = { valueLo: 0, valueHi: 0, signo: 0, notify: 0, tid: 0 };
  decodeSigevent(dv, 0, e);
  assert.deepEqual(e, { valueLo: 0xdeadbeef, valueHi: 0x12, signo: 34, notify: 4, tid: 777 });
});

test('durations and points saturate at KTIME_MAX', () => {
  assert.equal(durationNs(1, 5), 1e9 + 5);
  assert.equal(durationNs(9223372036, 0), KTIME_MAX);
  assert.equal(durationNs(2 ** 62, 0), KTIME_MAX);
  const mono = hostClock(Clock.CLOCK_MONOTONIC);
  const now = clockNow(mono);
  assert.equal(addSafe(mono, now, KTIME_MAX), maxPoint(mono));
  assert.equal(clockPoint(mono, 2 ** 40, 0), maxPoint(mono));
  // Points are exact for ordinary times (frames start near the first read).
  assert.ok(Number.isSafeInteger(now));
  const rt = hostClock(Clock.CLOCK_REALTIME);
  assert.ok(Number.isSafeInteger(clockNow(rt)));
});

test('splitNs: seconds and nanoseconds, never negative', () => {
  const o = new Float64Array(2);
  splitNs(1_500_000_001, o);
  assert.deepEqual([...o], [1, 500_000_001]);
  splitNs(-3, o);
  assert.deepEqual([...o], [0, 0]);
  splitNs(KTIME_MAX, o);
  assert.equal(o[0], 9223372036);
  assert.ok(o[1] >= 0 && o[1] < 1e9);
});

test('timer ids count up from 0 and are not reused at once', () => {
  const { k, tg } = fakeProcess();
  const pt = timersOf(k, tg);
  const a = noneTimer(pt);
  const b = noneTimer(pt);
  assert.deepEqual([a.id, b.id], [0, 1]);
  a.destroy();
  pt.posix.delete(a.id);
  assert.equal(noneTimer(pt).id, 2);
  assert.equal(pt.allocId(), 3); // a failed create uses one up
  assert.equal(noneTimer(pt).id, 4);
});

test('SIGEV_NONE: remaining time, 0 once a one-shot expired, the next period for a periodic one', () => {
  const { k, tg } = fakeProcess();
  const pt = timersOf(k, tg);
  const t = noneTimer(pt);
  const out = new Float64Array(2);
  t.get(out);
  assert.deepEqual([...out], [0, 0]);
  t.set(false, 10, 0, 0, null);
  t.get(out);
  assert.ok(out[0] > 9.9e9 && out[0] <= 10e9);
  // Absolute, in the past.
  t.set(true, 0, 1, 0, null);
  t.get(out);
  assert.deepEqual([...out], [0, 0]);
  // Periodic from 95 ms ago with a 10 ms period: at most one period away.
  const mono = hostClock(Clock.CLOCK_MONOTONIC);
  const start = clockNow(mono) - 95 * MS;
  const old = new Float64Array(2);
  t.set(true, Math.floor(start / 1e9), start % 1e9, 10 * MS, old);
  assert.deepEqual([...old], [0, 0]);
  t.get(out);
  assert.ok(out[0] > 0 && out[0] <= 10 * MS, `remaining ${out[0]}`);
  assert.equal(out[1], 10 * MS);
  // A zero value disarms and drops the interval.
  t.set(false, 0, 0, 10 * MS, null);
  t.get(out);
  assert.deepEqual([...out], [0, 0]);
});

test('forward counts whole periods past now', () => {
  const { k, tg } = fakeProcess();
  const t = noneTimer(timersOf(k, tg));
  t.interval = 10;
  t.expiry = 0;
  assert.equal(t.forward(35), 4);
  assert.equal(t.expiry, 40);
  assert.equal(t.forward(35), 0);
  assert.equal(t.forward(40), 1); // an expiry at now is due
  assert.equal(t.expiry, 50);
});

test('rearm at delivery: overruns are the periods missed, timer_getoverrun saturates', () => {
  const { k, tg } = fakeProcess();
  const t = noneTimer(timersOf(k, tg));
  const mono = hostClock(Clock.CLOCK_MONOTONIC);
  t.interval = 10 * MS;
  t.expiry = clockNow(mono) - 95 * MS; // due 95 ms ago: that expiry plus 9 more
  t.rearm();
  assert.ok(t.overrunCount >= 9 && t.overrunCount <= 10, `overrun ${t.overrunCount}`);
  t.stop();
  t.overrunLast = 2 ** 40;
  assert.equal(t.overrunCount, 0x7fffffff);
});

test('timerSignalDelivered: drops a signal of a re-set or deleted timer, clears the private word', () => {
  const { k, tg } = fakeProcess();
  const pt = timersOf(k, tg);
  const t = noneTimer(pt);
  const info = new Uint8Array(128);
  const dv = new DataView(info.buffer);
  dv.setInt32(SiginfoOffset.TIMERID, t.id, true);
  dv.setInt32(SIGINFO_TIMER_SYS_PRIVATE, t.signalSeq, true);
  assert.equal(timerSignalDelivered(tg, info), true);
  assert.equal(dv.getInt32(SIGINFO_TIMER_SYS_PRIVATE, true), 0);
  // Re-set since the signal was queued.
  dv.setInt32(SIGINFO_TIMER_SYS_PRIVATE, t.signalSeq, true);
  t.set(false, 1, 0, 0, null);
  assert.equal(timerSignalDelivered(tg, info), false);
  // Deleted.
  dv.setInt32(SIGINFO_TIMER_SYS_PRIVATE, t.signalSeq, true);
  t.destroy();
  pt.posix.delete(t.id);
  assert.equal(timerSignalDelivered(tg, info), false);
  assert.equal(timerSignalDelivered(tg, 12345), false);
});

test('execve deletes POSIX timers (onExec, or noticed from the new address space)', () => {
  const { k, tg } = fakeProcess();
  const pt = timersOf(k, tg);
  noneTimer(pt);
  onExec(tg);
  assert.equal(pt.posix.size, 0);
  noneTimer(pt);
  (tg as { vm: object }).vm = {};
  assert.equal(timersOf(k, tg).posix.size, 0);
});
