// The lock tables (src/vfs/file_locks.ts): flock conversions and waits,
// record-lock splitting and merging, conflicts between owners and the order
// F_GETLK reports them in, waits, EDEADLK, interruption, and release on
// close, on the last reference, and at process exit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { LockType, OFFSET_MAX, OpenFlag } from '../../src/abi/linux/fcntl.js';
import {
  flockFile,
  flockHeld,
  lockCount,
  lockWaiterCount,
  recordLocksHeld,
  releaseFileLocks,
  releasePosixLocks,
  releaseProcessLocks,
  setRecordLock,
  testRecordLock,
  type LockParker,
  type RecordLockRequest,
} from '../../src/vfs/file_locks.js';

const RD = LockType.F_RDLCK;
const WR = LockType.F_WRLCK;
const UN = LockType.F_UNLCK;

/** A stand-in for a Task: records the waker so a test can interrupt. */
class FakeTask implements LockParker {
  waker: ((r: number) => void) | null = null;
  park(w: (r: number) => void): void {
    this.waker = w;
  }
  unpark(): void {
    this.waker = null;
  }
  interrupt(r: number): void {
    const w = this.waker;
    this.waker = null;
    w?.(r);
  }
}

/** An open file description of inode (lockKeyOf finds .inode). */
function file(inode: object, flags = OpenFlag.O_RDWR): { inode: object; flags: number } {
  return { inode, flags };
}

function req(owner: object, type: number, start: number | bigint, end: number | bigint, pid = 1, ofd = false): RecordLockRequest {
  return { owner, ofd, pid, type, start: BigInt(start), end: BigInt(end) };
}

function ranges(key: object, owner: object): string {
  return recordLocksHeld(key, owner)
    .map((l) => `${l.type === RD ? 'R' : 'W'}${l.start}-${l.end === OFFSET_MAX ? 'max' : l.end}`)
    .join(' ');
}

/** Settles pending promise callbacks. */
function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

function state<T>(p: Promise<T>): { done: boolean; value?: T } {
  const s: { done: boolean; value?: T } = { done: false };
  void p.then((v) => {
    s.done = true;
    s.value = v;
  });
  return s;
}

test('flock: shared and exclusive, conversion drops the old lock first', () => {
  const inode = {};
  const a = file(inode);
  const b = file(inode);
  assert.equal(flockFile(inode, a, RD, false, null), 0);
  assert.equal(flockFile(inode, b, RD, false, null), 0);
  assert.equal(flockFile(inode, a, WR, false, null), -Errno.EAGAIN);
  assert.equal(flockHeld(inode, a), UN);
  assert.equal(flockFile(inode, b, WR, false, null), 0);
  assert.equal(flockHeld(inode, b), WR);
  assert.equal(flockFile(inode, b, WR, false, null), 0);
  releaseFileLocks(b, inode);
  assert.equal(flockHeld(inode, b), UN);
  assert.equal(flockFile(inode, a, WR, false, null), 0);
  assert.equal(flockFile(inode, a, UN, false, null), 0);
});

test('flock: a blocked request waits, is granted in order, and can be interrupted', async () => {
  const inode = {};
  const a = file(inode);
  const b = file(inode);
  const c = file(inode);
  assert.equal(flockFile(inode, a, WR, false, null), 0);
  const tb = new FakeTask();
  const tc = new FakeTask();
  const pb = flockFile(inode, b, WR, true, tb);
  const pc = flockFile(inode, c, RD, true, tc);
  assert.ok(pb instanceof Promise && pc instanceof Promise);
  assert.ok(tb.waker && tc.waker);
  assert.equal(lockWaiterCount(), 2);
  const sb = state(pb);
  const sc = state(pc);
  // c gives up (a signal).
  tc.interrupt(-Errno.EINTR);
  await tick();
  assert.deepEqual(sc, { done: true, value: -Errno.EINTR });
  assert.equal(sb.done, false);
  // a unlocks: b gets it and its waker is forgotten.
  assert.equal(flockFile(inode, a, UN, false, null), 0);
  await tick();
  assert.deepEqual(sb, { done: true, value: 0 });
  assert.equal(tb.waker, null);
  assert.equal(flockHeld(inode, b), WR);
  assert.equal(lockWaiterCount(), 0);
  releaseFileLocks(b, inode);
  releaseFileLocks(a, inode);
});

test('record locks: split, downgrade and merge within one owner', () => {
  const inode = {};
  const o = {};
  assert.equal(setRecordLock(inode, req(o, WR, 0, 99), false, null), 0);
  assert.equal(setRecordLock(inode, req(o, UN, 40, 59), false, null), 0);
  assert.equal(ranges(inode, o), 'W0-39 W60-99');
  assert.equal(setRecordLock(inode, req(o, RD, 10, 19), false, null), 0);
  assert.equal(ranges(inode, o), 'W0-9 R10-19 W20-39 W60-99');
  assert.equal(setRecordLock(inode, req(o, WR, 40, 59), false, null), 0);
  assert.equal(ranges(inode, o), 'W0-9 R10-19 W20-99');
  assert.equal(setRecordLock(inode, req(o, WR, 10, 19), false, null), 0);
  assert.equal(ranges(inode, o), 'W0-99');
  // Adjacent locks of one type merge; of different types they stay apart.
  assert.equal(setRecordLock(inode, req(o, WR, 100, 109), false, null), 0);
  assert.equal(setRecordLock(inode, req(o, RD, 110, OFFSET_MAX), false, null), 0);
  assert.equal(ranges(inode, o), 'W0-109 R110-max');
  // A lock inside one of the other type splits it in three.
  assert.equal(setRecordLock(inode, req(o, WR, 200, 200), false, null), 0);
  assert.equal(ranges(inode, o), 'W0-109 R110-199 W200-200 R201-max');
  assert.equal(setRecordLock(inode, req(o, UN, 0, OFFSET_MAX), false, null), 0);
  assert.equal(ranges(inode, o), '');
  assert.equal(lockCount(), 0);
});

test('record locks: owners conflict when one lock writes; F_GETLK reports the oldest owner first', () => {
  const inode = {};
  const [p, q, r] = [{}, {}, {}];
  assert.equal(setRecordLock(inode, req(p, RD, 0, 9, 10), false, null), 0);
  assert.equal(setRecordLock(inode, req(q, RD, 5, 14, 20), false, null), 0);
  assert.equal(setRecordLock(inode, req(r, WR, 5, 5, 30), false, null), -Errno.EAGAIN);
  const c = testRecordLock(inode, r, WR, 0n, OFFSET_MAX);
  assert.ok(c);
  assert.equal(c.pid, 10);
  assert.equal(testRecordLock(inode, r, RD, 0n, OFFSET_MAX), null);
  assert.equal(testRecordLock(inode, p, WR, 0n, 4n), null);
  assert.equal(testRecordLock(inode, p, WR, 0n, 5n)?.pid, 20);
  // F_UNLCK (F_OFD_GETLK): the owner's own lock.
  assert.equal(testRecordLock(inode, q, UN, 0n, OFFSET_MAX)?.start, 5n);
  releasePosixLocks(p, file(inode));
  releasePosixLocks(q, file(inode));
  assert.equal(setRecordLock(inode, req(r, WR, 5, 5), false, null), 0);
  releasePosixLocks(r, file(inode));
  assert.equal(lockCount(), 0);
});

test('record locks: a waiter gets the range when it frees up, after earlier waiters', async () => {
  const inode = {};
  const [p, q, r] = [{}, {}, {}];
  assert.equal(setRecordLock(inode, req(p, WR, 0, 99), false, null), 0);
  const tq = new FakeTask();
  const tr = new FakeTask();
  const sq = state(setRecordLock(inode, req(q, WR, 50, 59), true, tq) as Promise<number>);
  const sr = state(setRecordLock(inode, req(r, RD, 55, 55), true, tr) as Promise<number>);
  // Unlocking an unrelated part changes nothing for them.
  assert.equal(setRecordLock(inode, req(p, UN, 0, 9), false, null), 0);
  await tick();
  assert.equal(sq.done || sr.done, false);
  assert.equal(setRecordLock(inode, req(p, UN, 0, OFFSET_MAX), false, null), 0);
  await tick();
  assert.deepEqual(sq, { done: true, value: 0 });
  assert.equal(sr.done, false); // q holds the write lock now
  assert.equal(setRecordLock(inode, req(q, RD, 50, 59), false, null), 0); // downgrade: r may share
  await tick();
  assert.deepEqual(sr, { done: true, value: 0 });
  releasePosixLocks(q, file(inode));
  releasePosixLocks(r, file(inode));
  assert.equal(lockCount(), 0);
});

test('record locks: EDEADLK when waiting would close a cycle; OFD requests are not checked', async () => {
  const inode = {};
  const [p, q] = [{}, {}];
  assert.equal(setRecordLock(inode, req(p, WR, 0, 0), false, null), 0);
  assert.equal(setRecordLock(inode, req(q, WR, 1, 1), false, null), 0);
  const tq = new FakeTask();
  const sq = state(setRecordLock(inode, req(q, WR, 0, 0), true, tq) as Promise<number>);
  assert.equal(setRecordLock(inode, req(p, WR, 1, 1), true, new FakeTask()), -Errno.EDEADLK);
  // A cycle through another file counts too.
  const other = {};
  const r = {};
  assert.equal(setRecordLock(other, req(r, WR, 0, 0), false, null), 0);
  const tp = new FakeTask();
  const sp = state(setRecordLock(other, req(p, WR, 0, 0), true, tp) as Promise<number>);
  assert.equal(setRecordLock(inode, req(r, WR, 1, 1), true, new FakeTask()), -Errno.EDEADLK);
  // An OFD owner's wait is not a deadlock candidate.
  const ofd = {};
  const tofd = new FakeTask();
  const so = state(setRecordLock(inode, req(ofd, WR, 0, 1, -1, true), true, tofd) as Promise<number>);
  tofd.interrupt(-Errno.EINTR);
  tp.interrupt(-Errno.EINTR);
  await tick();
  assert.deepEqual(so, { done: true, value: -Errno.EINTR });
  assert.deepEqual(sp, { done: true, value: -Errno.EINTR });
  // p exits: q's wait ends.
  releaseProcessLocks(p);
  await tick();
  assert.deepEqual(sq, { done: true, value: 0 });
  releaseProcessLocks(q);
  releaseProcessLocks(r);
  assert.equal(lockCount(), 0);
  assert.equal(lockWaiterCount(), 0);
});

test('release: POSIX locks on close of any descriptor, OFD and flock on the last reference', () => {
  const inode = {};
  const proc = {};
  const f1 = file(inode);
  const f2 = file(inode);
  assert.equal(setRecordLock(inode, req(proc, WR, 0, 9), false, null), 0);
  assert.equal(setRecordLock(inode, req(f1, RD, 20, 29, -1, true), false, null), 0);
  assert.equal(flockFile(inode, f1, WR, false, null), 0);
  // An O_PATH descriptor's close releases nothing.
  const pathFd = { inode, flags: OpenFlag.O_PATH };
  releasePosixLocks(proc, pathFd);
  assert.equal(ranges(inode, proc), 'W0-9');
  releasePosixLocks(proc, f2);
  assert.equal(ranges(inode, proc), '');
  assert.equal(ranges(inode, f1), 'R20-29');
  releaseFileLocks(f1, inode);
  assert.equal(ranges(inode, f1), '');
  assert.equal(flockHeld(inode, f1), UN);
  assert.equal(lockCount(), 0);
});

test('record locks: offsets up to OFFSET_MAX stay exact', () => {
  const inode = {};
  const [p, q] = [{}, {}];
  const top = OFFSET_MAX;
  assert.equal(setRecordLock(inode, req(p, WR, top - 1n, top), false, null), 0);
  assert.equal(setRecordLock(inode, req(q, WR, top - 2n, top - 2n), false, null), 0);
  assert.equal(setRecordLock(inode, req(q, WR, top, top), false, null), -Errno.EAGAIN);
  assert.equal(setRecordLock(inode, req(p, UN, top, top), false, null), 0);
  assert.equal(ranges(inode, p), `W${top - 1n}-${top - 1n}`);
  releaseProcessLocks(p);
  releaseProcessLocks(q);
  assert.equal(lockCount(), 0);
});
