// The futex table (src/kernel/futex.ts) against a fake memory: wait/wake,
// bitsets, requeue, wake-op arithmetic, timeouts, interruption, futex_waitv,
// PI futexes (ownership transfer, errors), requeue-PI, robust lists and the
// PI hand-off at exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/linux/errno.js';
import { FUTEX_BITSET_MATCH_ANY, FutexOpCmp, FutexOpOp, FutexWord } from '../../src/abi/linux/futex.js';
import { Clock } from '../../src/abi/linux/time.js';
import { FutexKey, FutexTable, NO_DEADLINE, SHARED_ON_PRIVATE, type FutexMemory, type FutexTask } from '../../src/kernel/futex.js';

const ANY = FUTEX_BITSET_MATCH_ANY;
const MONO = Clock.CLOCK_MONOTONIC;
const WAITERS = FutexWord.FUTEX_WAITERS;
const OWNER_DIED = FutexWord.FUTEX_OWNER_DIED;

/** Physical memory: u32 words by physical address; pages may be absent or read-only. */
class Phys {
  readonly words = new Map<number, number>();
  readonly unmapped = new Set<number>();
  readonly readOnly = new Set<number>();
}

/** An address space over a Phys: phys = addr - delta; `obj` set makes it a MAP_SHARED mapping. */
class Space {
  constructor(readonly phys = new Phys(), readonly delta = 0, readonly obj: object | null = null) {}
  get(addr: number): number {
    return this.phys.words.get(addr - this.delta) ?? 0;
  }
  set(addr: number, v: number): void {
    this.phys.words.set(addr - this.delta, v >>> 0);
  }
  page(addr: number): number {
    return Math.floor((addr - this.delta) / 4096);
  }
}

const fakeMemory: FutexMemory<Space> = {
  readU32(m, addr) {
    if (!(addr >= 0 && addr + 4 <= 0x7ffffffff000) || m.phys.unmapped.has(m.page(addr))) return -Errno.EFAULT;
    return m.get(addr);
  },
  cmpxchgU32(m, addr, expect, value) {
    if (!(addr >= 0) || m.phys.unmapped.has(m.page(addr)) || m.phys.readOnly.has(m.page(addr))) return -Errno.EFAULT;
    const old = m.get(addr);
    if (old === expect) m.set(addr, value);
    return old;
  },
  sharedKey(m, addr, write, key: FutexKey) {
    const pg = m.page(addr);
    if (m.phys.unmapped.has(pg)) return -Errno.EFAULT;
    if (m.obj !== null) {
      if (write && m.phys.readOnly.has(pg)) return -Errno.EFAULT;
      key.owner = m.obj;
      key.off = addr - m.delta;
      return 0;
    }
    if (m.phys.readOnly.has(pg)) return -Errno.EFAULT;
    key.owner = m;
    key.off = addr + SHARED_ON_PRIVATE;
    return 0;
  },
  userPtrMax: () => 0x7ffffffff000,
};

class FakeTask implements FutexTask {
  waker: ((r: number) => void) | null = null;
  parks = 0;
  constructor(readonly tid: number) {}
  park(w: (r: number) => void): void {
    this.parks++;
    this.waker = w;
  }
  unpark(): void {
    this.waker = null;
  }
  interrupt(r: number): boolean {
    const w = this.waker;
    if (w === null) return false;
    this.waker = null;
    w(r);
    return true;
  }
}

function monoNow(): number {
  return Number(process.hrtime.bigint());
}
function now(clock: number): number {
  return clock === Clock.CLOCK_REALTIME ? Date.now() * 1e6 : monoNow();
}

function setup(live: number[] = []) {
  const tids = new Set(live);
  const ft = new FutexTable(fakeMemory, { tidExists: (tid) => tids.has(tid), now });
  const m = new Space();
  return { ft, m, tids };
}

/** Settles a wait: its value, or 'pending' if it has not resolved after the microtasks run. */
async function state(p: number | Promise<number>): Promise<number | 'pending'> {
  if (typeof p === 'number') return p;
  let v: number | 'pending' = 'pending';
  void p.then((x) => { v = x; });
  await new Promise((r) => setImmediate(r));
  return v;
}

const A = 0x10000;
const B = 0x11000;

test('wait: EAGAIN on a different value, EINVAL misaligned or bitset 0, EFAULT unreadable, private needs no memory', async () => {
  const { ft, m } = setup();
  const t = new FakeTask(1);
  m.set(A, 5);
  assert.equal(ft.wait(m, t, A, false, 6, ANY, MONO, NO_DEADLINE), -Errno.EAGAIN);
  assert.equal(ft.wait(m, t, A + 2, false, 5, ANY, MONO, NO_DEADLINE), -Errno.EINVAL);
  assert.equal(ft.wait(m, t, A, false, 5, 0, MONO, NO_DEADLINE), -Errno.EINVAL);
  assert.equal(ft.wait(m, t, 0x7ffffffff000, false, 0, ANY, MONO, NO_DEADLINE), -Errno.EFAULT); // the key is fine, the read faults
  assert.equal(ft.wait(m, t, 0x7ffffffff004, false, 0, ANY, MONO, NO_DEADLINE), -Errno.EFAULT);
  assert.equal(ft.wake(m, 0x7ffffffff000, false, 1, ANY), 0); // access_ok checks the start only
  assert.equal(ft.wake(m, 0x7ffffffff004, false, 1, ANY), -Errno.EFAULT);
  m.phys.unmapped.add(m.page(B));
  assert.equal(ft.wait(m, t, B, false, 0, ANY, MONO, NO_DEADLINE), -Errno.EFAULT);
  assert.equal(ft.wait(m, t, B, true, 0, ANY, MONO, NO_DEADLINE), -Errno.EFAULT); // shared: no page, no key
  // A private wake needs only an aligned user address; a shared one needs memory.
  assert.equal(ft.wake(m, B, false, 1, ANY), 0);
  assert.equal(ft.wake(m, B, true, 1, ANY), -Errno.EFAULT);
  assert.equal(ft.wake(m, A + 1, false, 1, ANY), -Errno.EINVAL);
  assert.equal(ft.wake(m, A, false, 1, 0), -Errno.EINVAL);
  assert.equal(t.parks, 0);
  assert.equal(await state(ft.wait(m, t, A, false, 5, ANY, MONO, NO_DEADLINE)), 'pending');
  assert.equal(t.parks, 1);
});

test('wake: FIFO order, counts, n <= 0 wakes one, no waiters is 0, unparks the task', async () => {
  const { ft, m } = setup();
  const ts = [1, 2, 3, 4].map((i) => new FakeTask(i));
  const ps = ts.map((t) => ft.wait(m, t, A, false, 0, ANY, MONO, NO_DEADLINE));
  assert.equal(ft.waiters(m, A, false), 4);
  assert.ok(ts.every((t) => t.waker !== null));
  assert.equal(ft.wake(m, B, false, 10, ANY), 0);
  assert.equal(ft.wake(m, A, false, 2, ANY), 2);
  assert.equal(ts[0].waker, null);
  assert.equal(ts[1].waker, null);
  assert.notEqual(ts[2].waker, null);
  assert.deepEqual(await Promise.all(ps.slice(0, 2).map(state)), [0, 0]);
  assert.deepEqual(await Promise.all(ps.slice(2).map(state)), ['pending', 'pending']);
  assert.equal(ft.wake(m, A, false, 0, ANY), 1); // Linux: ++ret >= nr_wake
  assert.equal(ft.wake(m, A, false, -5, ANY), 1);
  assert.equal(ft.wake(m, A, false, 1, ANY), 0);
  assert.equal(ft.waiters(m, A, false), 0);
  assert.deepEqual(await Promise.all(ps.map(state)), [0, 0, 0, 0]);
});

test('private and shared keys: distinct on private memory; shared memory meets across address spaces', async () => {
  const { ft, m } = setup();
  const t1 = new FakeTask(1);
  const p1 = ft.wait(m, t1, A, true, 0, ANY, MONO, NO_DEADLINE);
  assert.equal(ft.wake(m, A, false, 1, ANY), 0); // a private wake misses a shared waiter
  assert.equal(ft.wake(m, A, true, 1, ANY), 1);
  assert.equal(await state(p1), 0);
  // Two spaces mapping one object at different addresses.
  const obj = {};
  const phys = new Phys();
  const s1 = new Space(phys, 0x100000, obj);
  const s2 = new Space(phys, 0x300000, obj);
  s1.set(0x100010, 7);
  assert.equal(s2.get(0x300010), 7);
  const t2 = new FakeTask(2);
  const p2 = ft.wait(s1, t2, 0x100010, true, 7, ANY, MONO, NO_DEADLINE);
  assert.equal(ft.wake(s2, 0x300010, true, 1, ANY), 1);
  assert.equal(await state(p2), 0);
  const p3 = ft.wait(s1, t2, 0x100010, false, 7, ANY, MONO, NO_DEADLINE);
  assert.equal(ft.wake(s2, 0x300010, false, 1, ANY), 0); // private futexes stay per address space
  assert.equal(ft.wake(s1, 0x100010, false, 1, ANY), 1);
  assert.equal(await state(p3), 0);
  // A shared futex on read-only private memory is EFAULT (Linux: a read-only anonymous page).
  m.phys.readOnly.add(m.page(B));
  assert.equal(ft.wait(m, t1, B, true, 0, ANY, MONO, NO_DEADLINE), -Errno.EFAULT);
  assert.equal(await state(ft.wait(m, t1, B, false, 0, ANY, MONO, NO_DEADLINE)), 'pending');
});

test('bitsets: WAKE_BITSET wakes only waiters whose bitset shares a bit', async () => {
  const { ft, m } = setup();
  const bits = [1, 2, 3, 0x80000000, 4];
  const ts = bits.map((_, i) => new FakeTask(i + 1));
  const ps = bits.map((b, i) => ft.wait(m, ts[i], A, false, 0, b, MONO, NO_DEADLINE));
  assert.equal(ft.wake(m, A, false, 10, 2), 2); // bitsets 2 and 3
  assert.equal(ft.wake(m, A, false, 10, 0x80000000), 1);
  assert.deepEqual(await Promise.all(ps.map(state)), ['pending', 0, 0, 0, 'pending']);
  assert.equal(ft.wake(m, A, false, 1, ANY), 1); // the oldest remaining: bitset 1
  assert.deepEqual(await Promise.all(ps.map(state)), [0, 0, 0, 0, 'pending']);
});

test('requeue and cmp_requeue: wake nWake, move up to nRequeue, return both; EAGAIN, EINVAL', async () => {
  const { ft, m } = setup();
  const ts = [1, 2, 3, 4, 5].map((i) => new FakeTask(i));
  const ps = ts.map((t) => ft.wait(m, t, A, false, 0, ANY, MONO, NO_DEADLINE));
  m.set(A, 9);
  assert.equal(ft.requeue(m, A, B, false, 1, 2, 8), -Errno.EAGAIN);
  assert.equal(ft.requeue(m, A, B, false, -1, 2, -1), -Errno.EINVAL);
  assert.equal(ft.requeue(m, A, B, false, 1, -1, -1), -Errno.EINVAL);
  assert.equal(ft.requeue(m, A, B + 1, false, 1, 1, -1), -Errno.EINVAL);
  assert.equal(ft.requeue(m, A, B, false, 1, 2, 9), 3);
  assert.equal(ft.waiters(m, A, false), 2);
  assert.equal(ft.waiters(m, B, false), 2);
  assert.deepEqual(await Promise.all(ps.map(state)), [0, 'pending', 'pending', 'pending', 'pending']);
  // Waking B wakes the requeued ones (tasks 2 and 3), in order.
  assert.equal(ft.wake(m, B, false, 1, ANY), 1);
  assert.deepEqual(await Promise.all(ps.map(state)), [0, 0, 'pending', 'pending', 'pending']);
  // nWake 0 wakes nobody; requeue onto the same futex moves nobody but counts.
  assert.equal(ft.requeue(m, A, A, false, 0, 5, -1), 2);
  assert.equal(ft.waiters(m, A, false), 2);
  assert.equal(ft.requeue(m, A, B, false, 0, 0, -1), 0);
  assert.equal(ft.requeue(m, B, A, false, 0, 10, -1), 1);
  assert.equal(ft.waiters(m, A, false), 3);
  assert.equal(ft.waiters(m, B, false), 0);
  assert.equal(ft.wake(m, A, false, 3, ANY), 3);
  assert.deepEqual(await Promise.all(ps.map(state)), [0, 0, 0, 0, 0]);
  assert.equal(ft.requeue(m, A, B, false, 1, 1, -1), 0); // nobody left
});

function fop(op: number, oparg: number, cmp: number, cmparg: number): number {
  return (((op & 0xf) << 28) | ((cmp & 0xf) << 24) | ((oparg & 0xfff) << 12) | (cmparg & 0xfff)) >>> 0;
}

test('wake_op: the five operations, OPARG_SHIFT, six comparisons, sign extension, ENOSYS', () => {
  const { ft, m } = setup();
  const run = (init: number, op: number): [number, number] => {
    m.set(B, init);
    const r = ft.atomicOp(m, B, op);
    return [r, m.get(B)];
  };
  const SET = FutexOpOp.FUTEX_OP_SET;
  const ADD = FutexOpOp.FUTEX_OP_ADD;
  const OR = FutexOpOp.FUTEX_OP_OR;
  const ANDN = FutexOpOp.FUTEX_OP_ANDN;
  const XOR = FutexOpOp.FUTEX_OP_XOR;
  const EQ = FutexOpCmp.FUTEX_OP_CMP_EQ;
  const NE = FutexOpCmp.FUTEX_OP_CMP_NE;
  const LT = FutexOpCmp.FUTEX_OP_CMP_LT;
  const LE = FutexOpCmp.FUTEX_OP_CMP_LE;
  const GT = FutexOpCmp.FUTEX_OP_CMP_GT;
  const GE = FutexOpCmp.FUTEX_OP_CMP_GE;
  assert.deepEqual(run(10, fop(SET, 3, EQ, 10)), [1, 3]);
  assert.deepEqual(run(10, fop(ADD, 5, EQ, 11)), [0, 15]);
  assert.deepEqual(run(10, fop(ADD, -1, NE, 10)), [0, 9]); // oparg sign-extends from 12 bits
  assert.deepEqual(run(0, fop(ADD, -1, EQ, 0)), [1, 0xffffffff]);
  assert.deepEqual(run(0xf0, fop(OR, 0x0f, LT, 0x100)), [1, 0xff]);
  assert.deepEqual(run(0xff, fop(ANDN, 0x0f, LE, 0xff)), [1, 0xf0]);
  assert.deepEqual(run(0xff, fop(XOR, 0x101, GT, 0xff)), [0, 0x1fe]);
  assert.deepEqual(run(0xff, fop(XOR, 0x101, GE, 0xff)), [1, 0x1fe]);
  // The old value compares as an int, cmparg sign-extended: -1 < 0.
  assert.deepEqual(run(0xffffffff, fop(SET, 0, LT, 0)), [1, 0]);
  assert.deepEqual(run(5, fop(SET, 0, GT, -1)), [1, 0]);
  assert.deepEqual(run(5, fop(SET, 0, EQ, 0xfff)), [0, 0]); // 0xfff is -1
  // OPARG_SHIFT: operand 1 << oparg (bit 31 included; oparg masked to 5 bits).
  const SHIFT = FutexOpOp.FUTEX_OP_OPARG_SHIFT;
  assert.deepEqual(run(0, fop(OR | SHIFT, 4, EQ, 0)), [1, 16]);
  assert.deepEqual(run(0, fop(SET | SHIFT, 31, EQ, 0)), [1, 0x80000000]);
  assert.deepEqual(run(0, fop(SET | SHIFT, 33, EQ, 0)), [1, 2]);
  assert.deepEqual(run(0xffffffff, fop(ANDN | SHIFT, 0, NE, 0)), [1, 0xfffffffe]);
  // Unknown operation: ENOSYS, nothing written. Unknown comparison: ENOSYS after the write.
  assert.deepEqual(run(7, fop(5, 1, EQ, 0)), [-Errno.ENOSYS, 7]);
  assert.deepEqual(run(7, fop(SET, 1, 6, 0)), [-Errno.ENOSYS, 1]);
  m.phys.readOnly.add(m.page(B));
  assert.deepEqual(run(7, fop(SET, 1, EQ, 0)), [-Errno.EFAULT, 7]);
  m.phys.unmapped.add(m.page(B));
  assert.equal(ft.atomicOp(m, B, fop(SET, 1, EQ, 0)), -Errno.EFAULT);
});

test('wake_op: wakes addr1 always and addr2 only when the comparison holds', async () => {
  const { ft, m } = setup();
  const ta = [1, 2, 3].map((i) => new FakeTask(i));
  const tb = [4, 5, 6].map((i) => new FakeTask(i));
  const pa = ta.map((t) => ft.wait(m, t, A, false, 0, ANY, MONO, NO_DEADLINE));
  const pb = tb.map((t) => ft.wait(m, t, B, false, 0, ANY, MONO, NO_DEADLINE));
  assert.equal(ft.wakeOp(m, A, B, false, 1, 2, fop(FutexOpOp.FUTEX_OP_SET, 1, FutexOpCmp.FUTEX_OP_CMP_EQ, 1)), 1);
  assert.equal(m.get(B), 1);
  assert.equal(ft.wakeOp(m, A, B, false, 1, 2, fop(FutexOpOp.FUTEX_OP_SET, 0, FutexOpCmp.FUTEX_OP_CMP_EQ, 1)), 3);
  assert.equal(m.get(B), 0);
  assert.deepEqual(await Promise.all([...pa, ...pb].map(state)), [0, 0, 'pending', 0, 0, 'pending']);
  assert.equal(ft.wakeOp(m, A + 2, B, false, 1, 1, 0), -Errno.EINVAL);
  assert.equal(ft.wakeOp(m, A, B, false, 1, 1, fop(7, 0, 0, 0)), -Errno.ENOSYS);
  assert.deepEqual(await Promise.all([...pa, ...pb].map(state)), [0, 0, 'pending', 0, 0, 'pending']);
});

test('timeouts: an absolute deadline times out, an expired one at once, a woken wait cancels its timer', async () => {
  const { ft, m } = setup();
  const t = new FakeTask(1);
  assert.equal(ft.wait(m, t, A, false, 0, ANY, MONO, monoNow() - 1), -Errno.ETIMEDOUT);
  assert.equal(t.parks, 0);
  const start = monoNow();
  const r = await ft.wait(m, t, A, false, 0, ANY, MONO, start + 30e6);
  const took = monoNow() - start;
  assert.equal(r, -Errno.ETIMEDOUT);
  assert.ok(took >= 30e6, `woke after ${took} ns`);
  assert.equal(ft.waiters(m, A, false), 0);
  assert.equal(t.waker, null);
  // CLOCK_REALTIME deadlines.
  const r2 = await ft.wait(m, t, A, false, 0, ANY, Clock.CLOCK_REALTIME, Date.now() * 1e6 + 20e6);
  assert.equal(r2, -Errno.ETIMEDOUT);
  // Woken before the deadline: 0, and the hour-long timer must not keep the process alive.
  const p = ft.wait(m, t, A, false, 0, ANY, MONO, monoNow() + 3600e9);
  assert.equal(ft.wake(m, A, false, 1, ANY), 1);
  assert.equal(await p, 0);
  // A timed-out waiter does not count in a later wake.
  const p2 = ft.wait(m, new FakeTask(2), A, false, 0, ANY, MONO, monoNow() + 5e6);
  assert.equal(await p2, -Errno.ETIMEDOUT);
  assert.equal(ft.wake(m, A, false, 1, ANY), 0);
});

test('interruption: the waker dequeues and returns the restart code Linux uses', async () => {
  const { ft, m, tids } = setup();
  const t = new FakeTask(1);
  let p = ft.wait(m, t, A, false, 0, ANY, MONO, NO_DEADLINE);
  assert.ok(t.interrupt(-Errno.ERESTARTSYS));
  assert.equal(await p, -Errno.ERESTARTSYS);
  assert.equal(ft.waiters(m, A, false), 0);
  assert.equal(t.interrupt(-Errno.EINTR), false);
  p = ft.wait(m, t, A, false, 0, ANY, MONO, monoNow() + 60e9);
  t.interrupt(-Errno.ERESTARTSYS);
  assert.equal(await p, -Errno.ERESTARTNOHAND); // timed: a handler makes it EINTR, else it restarts
  p = ft.wait(m, t, A, false, 0, ANY, MONO, monoNow() + 60e9);
  t.interrupt(-Errno.EINTR);
  assert.equal(await p, -Errno.EINTR);
  p = ft.wait(m, t, A, false, 0, ANY, MONO, NO_DEADLINE);
  t.interrupt(-12345); // the task dies: any value
  assert.equal(await p, -12345);
  // A PI lock wait always restarts.
  tids.add(7);
  m.set(B, 7);
  p = ft.lockPi(m, t, B, false, MONO, NO_DEADLINE, false);
  t.interrupt(-Errno.EINTR);
  assert.equal(await p, -Errno.ERESTARTNOINTR);
  assert.equal(ft.waiters(m, B, false), 0);
  assert.equal(ft.piOwner(m, B, false), 0); // the PI state goes with its last waiter
  assert.equal(m.get(B), (7 | WAITERS) >>> 0); // the WAITERS bit stays for the owner's unlock
  // futex_waitv: -ERESTARTSYS.
  const addrs = new Float64Array([A]);
  const pv = ft.waitv(m, t, 1, addrs, new Uint32Array([0]), new Uint8Array([0]), MONO, monoNow() + 60e9);
  t.interrupt(-Errno.ERESTARTSYS);
  assert.equal(await pv, -Errno.ERESTARTSYS);
});

test('futex_waitv: wakes with the index, dequeues every entry; EAGAIN, EFAULT, timeout', async () => {
  const { ft, m } = setup();
  const t = new FakeTask(1);
  const C = 0x20000;
  m.set(B, 3);
  const addrs = new Float64Array([A, B, C]);
  const vals = new Uint32Array([0, 3, 0]);
  const shared = new Uint8Array([0, 0, 1]);
  const p = ft.waitv(m, t, 3, addrs, vals, shared, MONO, NO_DEADLINE);
  assert.equal(ft.waiters(m, A, false) + ft.waiters(m, B, false) + ft.waiters(m, C, true), 3);
  assert.equal(ft.wake(m, C, false, 1, ANY), 0); // entry 2 is shared
  assert.equal(ft.wake(m, B, false, 5, ANY), 1);
  assert.equal(await p, 1);
  assert.equal(ft.waiters(m, A, false) + ft.waiters(m, C, true), 0);
  // One call waking two entries of one wait reports the higher index (Linux futex_unqueue_multiple).
  const addrs2 = new Float64Array([A, A]);
  const p2 = ft.waitv(m, t, 2, addrs2, new Uint32Array([0, 0]), new Uint8Array([0, 0]), MONO, NO_DEADLINE);
  assert.equal(ft.wake(m, A, false, 5, ANY), 2);
  assert.equal(await p2, 1);
  vals[1] = 4;
  assert.equal(ft.waitv(m, t, 3, addrs, vals, shared, MONO, NO_DEADLINE), -Errno.EAGAIN);
  assert.equal(ft.waiters(m, A, false), 0);
  addrs[2] = C + 1;
  assert.equal(ft.waitv(m, t, 3, addrs, vals, shared, MONO, NO_DEADLINE), -Errno.EINVAL);
  addrs[2] = C;
  vals[1] = 3;
  m.phys.unmapped.add(m.page(C));
  assert.equal(ft.waitv(m, t, 3, addrs, vals, shared, MONO, NO_DEADLINE), -Errno.EFAULT);
  m.phys.unmapped.clear();
  assert.equal(await ft.waitv(m, t, 3, addrs, vals, shared, MONO, monoNow() + 10e6), -Errno.ETIMEDOUT);
  assert.equal(ft.waiters(m, A, false) + ft.waiters(m, B, false) + ft.waiters(m, C, true), 0);
});

test('PI: lock a free word, EDEADLK, EAGAIN from trylock, ESRCH for a dead owner, EPERM unlocking', () => {
  const { ft, m, tids } = setup([10, 20]);
  const t10 = new FakeTask(10);
  const t20 = new FakeTask(20);
  assert.equal(ft.lockPi(m, t10, A, false, MONO, NO_DEADLINE, true), 0);
  assert.equal(m.get(A), 10);
  assert.equal(ft.lockPi(m, t10, A, false, MONO, NO_DEADLINE, false), -Errno.EDEADLK);
  assert.equal(ft.lockPi(m, t10, A, false, MONO, NO_DEADLINE, true), -Errno.EDEADLK);
  assert.equal(ft.lockPi(m, t20, A, false, MONO, NO_DEADLINE, true), -Errno.EAGAIN);
  assert.equal(m.get(A), (10 | WAITERS) >>> 0); // set on the way, as Linux
  assert.equal(ft.piOwner(m, A, false), 0);
  assert.equal(ft.unlockPi(m, t20, A, false), -Errno.EPERM);
  assert.equal(ft.unlockPi(m, t10, A, false), 0); // no kernel waiters: the word becomes 0
  assert.equal(m.get(A), 0);
  assert.equal(ft.unlockPi(m, t10, A, false), -Errno.EPERM);
  // A word naming a TID that does not exist.
  m.set(B, 999);
  assert.equal(ft.lockPi(m, t10, B, false, MONO, NO_DEADLINE, false), -Errno.ESRCH);
  assert.equal(m.get(B), (999 | WAITERS) >>> 0);
  assert.equal(ft.lockPi(m, t10, B, false, MONO, NO_DEADLINE, true), -Errno.ESRCH);
  // OWNER_DIED with no owner: taken, bit kept; WAITERS dropped.
  m.set(B, (OWNER_DIED | WAITERS) >>> 0);
  assert.equal(ft.lockPi(m, t20, B, false, MONO, NO_DEADLINE, false), 0);
  assert.equal(m.get(B), (OWNER_DIED | 20) >>> 0);
  // Errors before anything else.
  assert.equal(ft.lockPi(m, t10, A + 1, false, MONO, NO_DEADLINE, false), -Errno.EINVAL);
  m.phys.readOnly.add(m.page(0x30000));
  assert.equal(ft.lockPi(m, t10, 0x30000, false, MONO, NO_DEADLINE, false), -Errno.EFAULT);
  assert.equal(ft.lockPi(m, t10, 0x30000, true, MONO, NO_DEADLINE, false), -Errno.EFAULT);
  assert.equal(ft.lockPi(m, t10, A, false, MONO, monoNow() - 1, false), 0); // free: a past deadline does not matter
  m.set(A, 20);
  assert.equal(ft.lockPi(m, t10, A, false, MONO, monoNow() - 1, false), -Errno.ETIMEDOUT);
  assert.equal(ft.piOwner(m, A, false), 0);
  tids.delete(20);
});

test('PI: contention hands the lock to waiters in order, WAITERS kept, state checked against the word', async () => {
  const { ft, m } = setup([1, 2, 3, 4]);
  const [t1, t2, t3, t4] = [1, 2, 3, 4].map((i) => new FakeTask(i));
  assert.equal(ft.lockPi(m, t1, A, false, MONO, NO_DEADLINE, false), 0);
  const p2 = ft.lockPi(m, t2, A, false, MONO, NO_DEADLINE, false);
  const p3 = ft.lockPi(m, t3, A, false, MONO, NO_DEADLINE, false);
  assert.equal(m.get(A), (1 | WAITERS) >>> 0);
  assert.equal(ft.piOwner(m, A, false), 1);
  assert.equal(ft.waiters(m, A, false), 2);
  assert.equal(ft.lockPi(m, t4, A, false, MONO, NO_DEADLINE, true), -Errno.EAGAIN);
  // A plain wake must not touch PI waiters.
  assert.equal(ft.wake(m, A, false, 1, ANY), -Errno.EINVAL);
  assert.equal(ft.requeue(m, A, B, false, 1, 1, -1), -Errno.EINVAL);
  assert.equal(await state(p2), 'pending');
  assert.equal(ft.unlockPi(m, t2, A, false), -Errno.EPERM);
  assert.equal(ft.unlockPi(m, t1, A, false), 0);
  assert.equal(m.get(A), (2 | WAITERS) >>> 0);
  assert.equal(ft.piOwner(m, A, false), 2);
  assert.equal(await state(p2), 0);
  assert.equal(await state(p3), 'pending');
  // The word disagrees with the kernel's owner: EINVAL.
  m.set(A, (4 | WAITERS) >>> 0);
  assert.equal(ft.lockPi(m, t1, A, false, MONO, NO_DEADLINE, false), -Errno.EINVAL);
  m.set(A, WAITERS);
  assert.equal(ft.lockPi(m, t1, A, false, MONO, NO_DEADLINE, false), -Errno.EINVAL);
  m.set(A, (2 | WAITERS) >>> 0);
  assert.equal(ft.unlockPi(m, t2, A, false), 0);
  assert.equal(m.get(A), (3 | WAITERS) >>> 0); // Linux always sets WAITERS on a hand-off
  assert.equal(await state(p3), 0);
  assert.equal(ft.piOwner(m, A, false), 0); // no waiters left: no PI state
  assert.equal(ft.unlockPi(m, t3, A, false), 0);
  assert.equal(m.get(A), 0);
  // A plain waiter at the head of the queue: PI operations refuse (no pi_state).
  const pw = ft.wait(m, t4, A, false, 0, ANY, MONO, NO_DEADLINE);
  assert.equal(ft.lockPi(m, t1, A, false, MONO, NO_DEADLINE, false), -Errno.EINVAL);
  m.set(A, 1);
  assert.equal(ft.unlockPi(m, t1, A, false), -Errno.EINVAL);
  assert.equal(m.get(A), 1);
  m.set(A, 0);
  assert.equal(ft.wake(m, A, false, 1, ANY), 1);
  assert.equal(await pw, 0);
});

test('PI: timed lock waits time out and leave the lock consistent', async () => {
  const { ft, m } = setup([1, 2]);
  const [t1, t2] = [1, 2].map((i) => new FakeTask(i));
  assert.equal(ft.lockPi(m, t1, A, false, MONO, NO_DEADLINE, false), 0);
  assert.equal(await ft.lockPi(m, t2, A, false, Clock.CLOCK_REALTIME, Date.now() * 1e6 + 10e6, false), -Errno.ETIMEDOUT);
  assert.equal(ft.piOwner(m, A, false), 0);
  assert.equal(m.get(A), (1 | WAITERS) >>> 0);
  assert.equal(ft.unlockPi(m, t1, A, false), 0);
  assert.equal(m.get(A), 0);
});

/** Writes a u64 pointer into the fake memory. */
function put64(m: Space, addr: number, v: number): void {
  m.set(addr, v % 2 ** 32);
  m.set(addr + 4, Math.floor(v / 2 ** 32));
}

test('robust list at exit: OWNER_DIED on the dead owner\'s words, one waiter woken, pending op, limits', async () => {
  const { ft, m } = setup([5, 6]);
  const H = 0x40000; // robust_list_head
  const L = [0x41000, 0x41100, 0x41200, 0x41300, 0x41400]; // entries; the lock word is at entry - 8
  const off = -8;
  put64(m, H, L[0]);
  m.set(H + 8, off >>> 0); // futex_offset = -8: the sum wraps modulo 2^64
  m.set(H + 12, 0xffffffff);
  for (let i = 0; i < L.length; i++) put64(m, L[i], i + 1 < L.length ? L[i + 1] : H);
  m.set(L[0] - 8, (5 | WAITERS) >>> 0); // held by 5 with waiters
  m.set(L[1] - 8, 5); // held by 5, no waiters
  m.set(L[2] - 8, 6); // held by someone else
  m.set(L[3] - 8, (OWNER_DIED | 5) >>> 0);
  put64(m, L[3], L[4] + 1); // L[4] is a PI entry (bit 0)
  m.set(L[4] - 8, (5 | WAITERS) >>> 0);
  // list_op_pending: a word released (0) whose waiter was not woken.
  const P = 0x42000;
  put64(m, H + 16, P);
  m.set(P - 8, 0);
  const w0 = [new FakeTask(6), new FakeTask(7)].map((t) => ft.wait(m, t, L[0] - 8, true, (5 | WAITERS) >>> 0, ANY, MONO, NO_DEADLINE));
  const wp = ft.wait(m, new FakeTask(8), P - 8, true, 0, ANY, MONO, NO_DEADLINE);
  const wpi = ft.wait(m, new FakeTask(9), L[4] - 8, true, (5 | WAITERS) >>> 0, ANY, MONO, NO_DEADLINE);
  ft.exitCleanup(m, 5, H);
  assert.equal(m.get(L[0] - 8), (OWNER_DIED | WAITERS) >>> 0);
  assert.equal(m.get(L[1] - 8), OWNER_DIED);
  assert.equal(m.get(L[2] - 8), 6);
  assert.equal(m.get(L[3] - 8), OWNER_DIED);
  assert.equal(m.get(L[4] - 8), (OWNER_DIED | WAITERS) >>> 0);
  assert.deepEqual(await Promise.all([...w0, wp, wpi].map(state)), [0, 'pending', 0, 'pending']); // a PI entry wakes nobody here
  // A circular list is walked at most ROBUST_LIST_LIMIT times; a bad pointer stops the walk.
  const { ft: ft2, m: m2 } = setup();
  put64(m2, H, L[0]);
  put64(m2, L[0], L[1]);
  put64(m2, L[1], L[0]);
  m2.set(L[0], 0);
  ft2.exitCleanup(m2, 5, H); // returns
  put64(m2, L[1], 0xdead0000);
  ft2.exitCleanup(m2, 5, H);
  m2.phys.unmapped.add(m2.page(H));
  ft2.exitCleanup(m2, 5, H);
});

test('PI state at exit: the first waiter takes the dead owner\'s lock, OWNER_DIED kept', async () => {
  const { ft, m, tids } = setup([1, 2, 3]);
  const [t1, t2, t3] = [1, 2, 3].map((i) => new FakeTask(i));
  assert.equal(ft.lockPi(m, t1, A, false, MONO, NO_DEADLINE, false), 0);
  const p2 = ft.lockPi(m, t2, A, false, MONO, NO_DEADLINE, false);
  const p3 = ft.lockPi(m, t3, A, false, MONO, NO_DEADLINE, false);
  // Task 1 dies with A on its robust list as a PI entry.
  const H = 0x40000;
  const E = 0x41000;
  put64(m, H, E + 1);
  put64(m, E, H);
  m.set(H + 8, (A - E) >>> 0);
  m.set(H + 12, A - E < 0 ? 0xffffffff : 0);
  tids.delete(1);
  ft.exitCleanup(m, 1, H);
  assert.equal(await state(p2), 0);
  assert.equal(m.get(A), (OWNER_DIED | WAITERS | 2) >>> 0);
  assert.equal(ft.piOwner(m, A, false), 2);
  assert.equal(ft.unlockPi(m, t2, A, false), 0);
  assert.equal(await state(p3), 0);
  assert.equal(m.get(A), (WAITERS | 3) >>> 0);
  // Without a robust list the hand-off happens too (no OWNER_DIED).
  const p1 = ft.lockPi(m, new FakeTask(1), A, false, MONO, NO_DEADLINE, false);
  tids.delete(3);
  ft.exitCleanup(m, 3, 0);
  assert.equal(await state(p1), 0);
  assert.equal(m.get(A), (WAITERS | 1) >>> 0);
});

test('requeue-PI: the top waiter takes a free lock, the others move to the PI futex', async () => {
  const { ft, m } = setup([1, 2, 3, 4]);
  const [t1, t2, t3, t4] = [1, 2, 3, 4].map((i) => new FakeTask(i));
  const COND = A;
  const MUTEX = B;
  assert.equal(ft.waitRequeuePi(m, t1, COND, COND, false, 0, ANY, MONO, NO_DEADLINE), -Errno.EINVAL);
  assert.equal(ft.waitRequeuePi(m, t1, COND, MUTEX, false, 1, ANY, MONO, NO_DEADLINE), -Errno.EAGAIN);
  const p1 = ft.waitRequeuePi(m, t1, COND, MUTEX, false, 0, ANY, MONO, NO_DEADLINE);
  const p2 = ft.waitRequeuePi(m, t2, COND, MUTEX, false, 0, ANY, MONO, NO_DEADLINE);
  const p3 = ft.waitRequeuePi(m, t3, COND, MUTEX, false, 0, ANY, MONO, NO_DEADLINE);
  assert.equal(ft.wake(m, COND, false, 1, ANY), -Errno.EINVAL); // only CMP_REQUEUE_PI may move them
  assert.equal(ft.cmpRequeuePi(m, COND, MUTEX, false, 2, 1, 0), -Errno.EINVAL); // nr_wake must be 1
  assert.equal(ft.cmpRequeuePi(m, COND, MUTEX, false, 1, 1, 5), -Errno.EAGAIN);
  assert.equal(ft.cmpRequeuePi(m, COND, 0x50000, false, 1, 1, 0), -Errno.EINVAL); // not their PI futex
  // MUTEX free: t1 takes it and wakes; t2 is requeued onto it.
  assert.equal(ft.cmpRequeuePi(m, COND, MUTEX, false, 1, 1, 0), 2);
  assert.equal(await state(p1), 0);
  assert.equal(m.get(MUTEX), (1 | WAITERS) >>> 0);
  assert.equal(ft.waiters(m, MUTEX, false), 1);
  assert.equal(ft.waiters(m, COND, false), 1);
  assert.equal(await state(p2), 'pending');
  // MUTEX owned: the rest are requeued behind t2.
  assert.equal(ft.cmpRequeuePi(m, COND, MUTEX, false, 1, 10, 0), 1);
  assert.equal(ft.waiters(m, COND, false), 0);
  assert.equal(ft.unlockPi(m, t1, MUTEX, false), 0);
  assert.equal(await state(p2), 0);
  assert.equal(m.get(MUTEX), (2 | WAITERS) >>> 0);
  // A signal after the requeue: EAGAIN (Linux -EWOULDBLOCK); before it: restart.
  t3.interrupt(-Errno.EINTR);
  assert.equal(await state(p3), -Errno.EAGAIN);
  const p4 = ft.waitRequeuePi(m, t4, COND, MUTEX, false, 0, ANY, MONO, NO_DEADLINE);
  t4.interrupt(-Errno.ERESTARTSYS);
  assert.equal(await state(p4), -Errno.ERESTARTNOINTR);
  assert.equal(ft.unlockPi(m, t2, MUTEX, false), 0);
  assert.equal(m.get(MUTEX), 0);
  // No waiters: 0, and nothing changes.
  assert.equal(ft.cmpRequeuePi(m, COND, MUTEX, false, 1, 1, 0), 0);
  assert.equal(m.get(MUTEX), 0);
});
