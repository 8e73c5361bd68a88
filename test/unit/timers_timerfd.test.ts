// timerfd objects (src/fs/anon/timerfd.ts) on a hand-driven clock: expiration
// counts of one-shot and periodic timers, the forward on read and gettime,
// blocking reads and their interruption, readiness, TFD_IOC_SET_TICKS,
// TFD_TIMER_CANCEL_ON_SET and release.
import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { Poll } from '../../src/abi/linux/poll.js';
import { Clock, TFD_IOC_SET_TICKS, TfdFlag } from '../../src/abi/linux/time.js';
import { TimerFd, timerfdHooks, type TimerfdHooks } from '../../src/fs/anon/timerfd.js';
import type { GuestMemory } from '../../src/vfs/guest_memory.js';
import { watchRelease, type Parker } from '../../src/vfs/poll.js';

const MS = 1_000_000;

/** Guest memory of n bytes; addresses at or past n fault. */
class Mem implements GuestMemory {
  readonly bytes: Uint8Array;
  constructor(n = 4096) {
    this.bytes = new Uint8Array(n);
  }
  readBytes(addr: number, dst: Uint8Array, off: number, len: number): number {
    if (addr + len > this.bytes.length) return -Errno.EFAULT;
    dst.set(this.bytes.subarray(addr, addr + len), off);
    return 0;
  }
  writeBytes(addr: number, src: Uint8Array, off: number, len: number): number {
    if (addr + len > this.bytes.length) return -Errno.EFAULT;
    this.bytes.set(src.subarray(off, off + len), addr);
    return 0;
  }
  forEachSegment(): number {
    return -Errno.EFAULT;
  }
  u64(addr: number): number {
    return Number(new DataView(this.bytes.buffer).getBigUint64(addr, true));
  }
  setU64(addr: number, v: bigint): void {
    new DataView(this.bytes.buffer).setBigUint64(addr, v, true);
  }
}

/** A clock moved by hand; waits fire as it passes their deadlines. */
class FakeClock {
  now = 1_000 * MS;
  offset = 0;
  waits: { deadline: number; fire: () => void; live: boolean }[] = [];
  advance(ns: number): void {
    this.now += ns;
    for (const w of [...this.waits]) {
      if (w.live && w.deadline <= this.now) {
        w.live = false;
        w.fire();
      }
    }
    this.waits = this.waits.filter((w) => w.live);
  }
  get pending(): number {
    return this.waits.filter((w) => w.live).length;
  }
}

class FakeParker implements Parker {
  waker: ((r: number) => void) | null = null;
  unparks = 0;
  park(w: (r: number) => void): void {
    this.waker = w;
  }
  unpark(): void {
    this.waker = null;
    this.unparks++;
  }
  interrupt(r: number): void {
    const w = this.waker;
    this.waker = null;
    w?.(r);
  }
}

const saved: TimerfdHooks = { ...timerfdHooks };
let clock = new FakeClock();
let parker = new FakeParker();

beforeEach(() => {
  clock = new FakeClock();
  parker = new FakeParker();
  timerfdHooks.now = () => clock.now;
  timerfdHooks.point = (_clk, sec, nsec) => sec * 1e9 + nsec;
  timerfdHooks.after = (_clk, now, dur) => now + dur;
  timerfdHooks.wait = (_clk, deadline, fire) => {
    if (deadline <= clock.now) {
      fire();
      return () => {};
    }
    const w = { deadline, fire, live: true };
    clock.waits.push(w);
    return () => {
      w.live = false;
    };
  };
  timerfdHooks.realtimeOffset = () => clock.offset;
  timerfdHooks.currentParker = () => parker;
});

after(() => {
  Object.assign(timerfdHooks, saved);
});

function make(clockid = Clock.CLOCK_MONOTONIC, nonblock = true): TimerFd {
  const f = new TimerFd(clockid, OpenFlag.O_RDWR | (nonblock ? OpenFlag.O_NONBLOCK : 0));
  f.incRef();
  return f;
}

const out = new Float64Array(2);

test('one-shot: counts one expiry, then EAGAIN; gettime reads 0 after', () => {
  const f = make();
  const mem = new Mem();
  assert.equal(f.read(mem, 0, 8), -Errno.EAGAIN);
  f.settime(0, 0, 20 * MS, 0, 20 * MS, null);
  f.gettime(out);
  assert.deepEqual([...out], [20 * MS, 0]);
  clock.advance(19 * MS);
  assert.equal(f.readiness(), 0);
  clock.advance(1 * MS);
  assert.equal(f.readiness(), Poll.POLLIN);
  assert.equal(f.read(mem, 0, 7), -Errno.EINVAL);
  assert.equal(f.read(mem, 16, 8), 8);
  assert.equal(mem.u64(16), 1);
  assert.equal(f.read(mem, 16, 8), -Errno.EAGAIN);
  f.gettime(out);
  assert.deepEqual([...out], [0, 0]);
});

test('periodic: a fired timer waits for the read, which counts every period since', () => {
  const f = make();
  const mem = new Mem();
  f.settime(0, 0, 10 * MS, 10 * MS, 10 * MS, null);
  clock.advance(55 * MS);
  assert.equal(f.tickCount, 1); // one fire; the rest is counted on read
  assert.equal(clock.pending, 0);
  assert.equal(f.read(mem, 0, 8), 8);
  assert.equal(mem.u64(0), 5);
  f.gettime(out);
  assert.deepEqual([...out], [5 * MS, 10 * MS]);
  clock.advance(25 * MS); // expiries at 60, 70 and 80: one fire, then stopped
  // gettime forwards too, keeping the count.
  f.gettime(out);
  assert.deepEqual([...out], [10 * MS, 10 * MS]);
  assert.equal(f.tickCount, 3);
  clock.advance(5 * MS);
  assert.equal(f.read(mem, 0, 8), 8);
  assert.equal(mem.u64(0), 3);
});

test('absolute, in the past: fires at once, periods counted from the start', () => {
  const f = make(Clock.CLOCK_REALTIME);
  const mem = new Mem();
  const start = clock.now - 95 * MS;
  f.settime(TfdFlag.TFD_TIMER_ABSTIME, Math.floor(start / 1e9), start % 1e9, 10 * MS, 0, null);
  assert.equal(f.readiness(), Poll.POLLIN);
  assert.equal(f.read(mem, 0, 8), 8);
  assert.equal(mem.u64(0), 10);
});

test('settime returns the old setting; a zero value disarms but keeps the interval', () => {
  const f = make();
  const old = new Float64Array(2);
  f.settime(0, 2, 0, 100 * MS, 2e9, null);
  clock.advance(500 * MS);
  f.settime(0, 0, 0, 1e9, 0, old);
  assert.deepEqual([...old], [1.5e9, 100 * MS]);
  f.gettime(out);
  assert.deepEqual([...out], [0, 1e9]);
  assert.equal(clock.pending, 0);
});

test('settime resets the count', () => {
  const f = make();
  const mem = new Mem();
  f.settime(0, 0, 1, 0, 1, null);
  clock.advance(1);
  assert.equal(f.tickCount, 1);
  f.settime(0, 1, 0, 0, 1e9, null);
  assert.equal(f.read(mem, 0, 8), -Errno.EAGAIN);
});

test('a blocking read parks, and the expiry completes it', async () => {
  const f = make(Clock.CLOCK_MONOTONIC, false);
  const mem = new Mem();
  f.settime(0, 0, 30 * MS, 0, 30 * MS, null);
  const r = f.read(mem, 8, 8);
  assert.ok(r instanceof Promise);
  assert.ok(parker.waker);
  clock.advance(30 * MS);
  assert.equal(await r, 8);
  assert.equal(mem.u64(8), 1);
  assert.equal(parker.unparks, 1);
});

test('a blocking read cut short by a signal resolves with the waker value and leaves the ticks', async () => {
  const f = make(Clock.CLOCK_MONOTONIC, false);
  const mem = new Mem();
  f.settime(0, 0, 30 * MS, 0, 30 * MS, null);
  const r = f.read(mem, 8, 8);
  parker.interrupt(-Errno.ERESTARTSYS);
  assert.equal(await r, -Errno.ERESTARTSYS);
  clock.advance(30 * MS);
  assert.equal(f.tickCount, 1);
  f.flags |= OpenFlag.O_NONBLOCK;
  assert.equal(f.read(mem, 8, 8), 8);
});

test('a fault on the copy out loses the count', () => {
  const f = make();
  const mem = new Mem(64);
  f.settime(0, 0, 1, 0, 1, null);
  clock.advance(1);
  assert.equal(f.read(mem, 60, 8), -Errno.EFAULT);
  assert.equal(f.read(mem, 0, 8), -Errno.EAGAIN);
});

test('listeners hear each expiry; write is EINVAL; ioctl TFD_IOC_SET_TICKS', () => {
  const f = make();
  const mem = new Mem();
  const seen: number[] = [];
  const off = f.onReadinessChange((m) => seen.push(m));
  f.settime(0, 0, 5, 0, 5, null);
  clock.advance(5);
  assert.deepEqual(seen, [Poll.POLLIN]);
  off();
  assert.equal(f.write(), -Errno.EINVAL);
  assert.equal(f.ioctl(mem, 0x5401, 0), -Errno.ENOTTY);
  mem.setU64(0, 0n);
  assert.equal(f.ioctl(mem, TFD_IOC_SET_TICKS, 0), -Errno.EINVAL);
  assert.equal(f.ioctl(mem, TFD_IOC_SET_TICKS, 4090), -Errno.EFAULT);
  mem.setU64(0, 42n);
  assert.equal(f.ioctl(mem, TFD_IOC_SET_TICKS, 0), 0);
  assert.equal(f.read(mem, 8, 8), 8);
  assert.equal(mem.u64(8), 42);
});

test('TFD_TIMER_CANCEL_ON_SET: a realtime clock step makes the next read ECANCELED', () => {
  const f = make(Clock.CLOCK_REALTIME);
  const mem = new Mem();
  const at = clock.now + 3600e9;
  f.settime(TfdFlag.TFD_TIMER_ABSTIME | TfdFlag.TFD_TIMER_CANCEL_ON_SET, Math.floor(at / 1e9), 0, 0, 0, null);
  assert.equal(f.readiness(), 0);
  clock.offset += 500_000; // jitter below the threshold is not a clock set
  assert.equal(f.readiness(), 0);
  clock.offset += 5e9;
  assert.equal(f.readiness(), Poll.POLLIN);
  assert.equal(f.read(mem, 0, 8), -Errno.ECANCELED);
  assert.equal(f.read(mem, 0, 8), -Errno.EAGAIN);
  // Without the flag (or relative), nothing is cancelled.
  const g = make(Clock.CLOCK_REALTIME);
  g.settime(TfdFlag.TFD_TIMER_CANCEL_ON_SET, 100, 0, 0, 100e9, null);
  clock.offset += 5e9;
  assert.equal(g.readiness(), 0);
  f.decRef();
  g.decRef();
});

test('the last close stops the timer and tells epoll', () => {
  const f = make();
  f.incRef();
  let released = 0;
  watchRelease(f, () => released++);
  f.settime(0, 1, 0, 1e9, 1e9, null);
  assert.equal(clock.pending, 1);
  f.decRef();
  assert.equal(released, 0);
  assert.equal(clock.pending, 1);
  f.decRef();
  assert.equal(released, 1);
  assert.equal(clock.pending, 0);
});
