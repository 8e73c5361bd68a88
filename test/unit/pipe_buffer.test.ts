// The pipe buffer (src/fs/pipe): Linux's semantics from man 7 pipe and
// fs/pipe.c — ordering, page-sized buffers and merging, PIPE_BUF atomicity,
// blocking and wake-up order, EOF, EPIPE and the SIGPIPE hook, O_NONBLOCK,
// O_DIRECT packets, FIONREAD, F_SETPIPE_SZ, limits, readiness, interrupts
// and faults.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { Ioctl } from '../../src/abi/linux/ioctl.js';
import {
  PipeAccounting,
  PollEvent,
  createPipe,
  interruptPipeWait,
  pipeHooks,
  roundPipeSize,
  type PipeCaller,
  type PipeFile,
} from '../../src/fs/pipe/index.js';
import type { IoResult } from '../../src/vfs/file.js';
import { HoleyMemory } from './pipe_memory.test.js';

const ROOT: PipeCaller = { uid: 0, fsuid: 0, fsgid: 0, capSysResource: true, capSysAdmin: true };
const ALICE: PipeCaller = { uid: 1000, fsuid: 1000, fsgid: 1000, capSysResource: false, capSysAdmin: false };
const NB = OpenFlag.O_NONBLOCK;
const ERESTARTSYS = 512;

/** Source area (what writers write from) and destination area (where readers read to). */
const SRC = 0;
const DST = 1 << 20;

interface Fixture {
  r: PipeFile;
  w: PipeFile;
  m: HoleyMemory;
  acct: PipeAccounting;
}

function mkpipe(flags = 0, caller: PipeCaller = ROOT, acct = new PipeAccounting()): Fixture {
  const ends = createPipe(flags, caller, acct);
  assert.ok(typeof ends !== 'number', `createPipe failed: ${String(ends)}`);
  const [r, w] = ends;
  r.incRef();
  w.incRef();
  const m = new HoleyMemory();
  for (let i = 0; i < DST; i++) m.bytes[i] = 97 + (i % 26);
  return { r, w, m, acct };
}

/** Writes len bytes of the source pattern starting at offset off. */
function write(f: Fixture, len: number, off = 0): IoResult {
  return f.w.write(f.m, SRC + off, len);
}

/** Writes a string (placed at the end of the source area). */
function writeStr(f: Fixture, s: string): IoResult {
  const at = DST - 65536;
  f.m.put(at, s);
  return f.w.write(f.m, at, s.length);
}

function read(f: Fixture, len: number, at = DST): IoResult {
  return f.r.read(f.m, at, len);
}

/** The pattern the source holds from off. */
function pattern(off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(97 + ((off + i) % 26));
  return s;
}

function fionread(f: Fixture): number {
  const at = DST + 900_000;
  assert.equal(f.r.ioctl(f.m, Ioctl.FIONREAD, at), 0);
  return new DataView(f.m.bytes.buffer).getInt32(at, true);
}

/** Writes chunk-sized pieces until one is short or fails (non-blocking); the total. */
function fill(f: Fixture, chunk: number): number {
  let total = 0;
  for (;;) {
    const r = write(f, chunk);
    assert.equal(typeof r, 'number', 'fill must not block');
    if ((r as number) < 0) return total;
    total += r as number;
    if ((r as number) < chunk) return total;
  }
}

/** Lets resolved promises run their callbacks. */
function tick(): Promise<void> {
  return new Promise((res) => setImmediate(res));
}

/** The value of an I/O result once settled, or 'pending'. */
async function state(p: IoResult): Promise<number | 'pending'> {
  if (typeof p === 'number') return p;
  let v: number | 'pending' = 'pending';
  void p.then((x) => {
    v = x;
  });
  await tick();
  return v;
}

afterEach(() => {
  pipeHooks.currentTask = () => undefined;
  pipeHooks.sigpipe = () => {};
});

test('bytes come out in order; reads return what is there', () => {
  const f = mkpipe();
  assert.equal(writeStr(f, 'hello'), 5);
  assert.equal(writeStr(f, ', world'), 7);
  assert.equal(fionread(f), 12);
  assert.equal(read(f, 4), 4);
  assert.equal(f.m.get(DST, 4), 'hell');
  assert.equal(read(f, 100), 8);
  assert.equal(f.m.get(DST, 8), 'o, world');
  assert.equal(fionread(f), 0);
  // Zero-length calls never block and never fail.
  assert.equal(read(f, 0), 0);
  assert.equal(write(f, 0), 0);
});

test('large data across pages keeps its order (reads in odd sizes)', () => {
  const f = mkpipe(NB);
  assert.equal(write(f, 10_000), 10_000);
  assert.equal(write(f, 30_000, 10_000), 30_000);
  let got = 0;
  let out = '';
  while (got < 40_000) {
    const r = read(f, 3333, DST + got);
    assert.ok(typeof r === 'number' && r > 0);
    out += f.m.get(DST + got, r);
    got += r;
  }
  assert.equal(out, pattern(0, 40_000));
  assert.equal(read(f, 1), -Errno.EAGAIN);
});

test('capacity is 16 page buffers: small writes share a page only if they fit whole', () => {
  let f = mkpipe(NB);
  assert.equal(f.r.getPipeSize(), 65536);
  assert.equal(fill(f, 1000), 64_000);
  assert.equal(fionread(f), 64_000);
  assert.equal(f.r.pipe.occupancy, 16);

  f = mkpipe(NB);
  assert.equal(fill(f, 4096), 65536);
  assert.equal(write(f, 1), -Errno.EAGAIN);
  // One byte read does not free a page; the rest of it does.
  assert.equal(read(f, 1), 1);
  assert.equal(write(f, 1), -Errno.EAGAIN);
  assert.equal(read(f, 4095), 4095);
  assert.equal(write(f, 5000), 4096);

  // The tail of a write (len % 4096) merges first, then whole pages.
  f = mkpipe(NB);
  assert.equal(write(f, 100), 100);
  assert.equal(write(f, 70_000), 368 + 15 * 4096);
  assert.equal(fionread(f), 100 + 368 + 15 * 4096);
  assert.equal(read(f, 70_000), 100 + 368 + 15 * 4096);
  assert.equal(f.m.get(DST, 100), pattern(0, 100));
  assert.equal(f.m.get(DST + 100, 368 + 15 * 4096), pattern(0, 368 + 15 * 4096));

  // Space freed at the front of a page is not reused by merging.
  f = mkpipe(NB);
  assert.equal(write(f, 4000), 4000);
  assert.equal(read(f, 4000), 4000);
  assert.equal(f.r.pipe.occupancy, 0);
  assert.equal(write(f, 4000), 4000);
  assert.equal(read(f, 3000), 3000);
  assert.equal(write(f, 100), 100); // 4000 + 100 > 4096: a new page
  assert.equal(f.r.pipe.occupancy, 2);
});

test('writes of at most PIPE_BUF are atomic; larger ones may be split (non-blocking)', () => {
  const f = mkpipe(NB);
  for (let i = 0; i < 15; i++) assert.equal(write(f, 4096), 4096);
  assert.equal(write(f, 4000), 4000);
  assert.equal(write(f, 4096), -Errno.EAGAIN);
  assert.equal(write(f, 97), -Errno.EAGAIN);
  assert.equal(write(f, 96), 96);
  assert.equal(read(f, 4096), 4096);
  assert.equal(write(f, 4097), 4096);
  assert.equal(write(f, 4097), -Errno.EAGAIN);
});

test('a blocked PIPE_BUF write goes in whole once a page is free', async () => {
  const f = mkpipe();
  for (let i = 0; i < 15; i++) assert.equal(write(f, 4096), 4096);
  assert.equal(write(f, 4000), 4000);
  const p = write(f, 4096, 7);
  assert.ok(p instanceof Promise);
  assert.equal(f.r.pipe.parkedWriters, 1);
  // Freeing part of a page is not enough.
  assert.equal(read(f, 100), 100);
  assert.equal(await state(p), 'pending');
  assert.equal(fionread(f), 65536 - 96 - 100);
  assert.equal(read(f, 3996), 3996);
  assert.equal(await state(p), 4096);
  assert.equal(fionread(f), 14 * 4096 + 4000 + 4096);
  // It is one buffer, at the end.
  assert.equal(f.r.pipe.occupancy, 16);
});

test('a blocked large write is split over wake-ups and returns its whole length', async () => {
  const f = mkpipe();
  const total = 1 << 20;
  const p = write(f, total);
  assert.ok(p instanceof Promise);
  assert.equal(fionread(f), 65536);
  let out = '';
  let got = 0;
  while (got < total) {
    const r = read(f, 10_000, DST + (got % 200_000));
    assert.equal(typeof r, 'number');
    out += f.m.get(DST + (got % 200_000), r as number);
    got += r as number;
  }
  assert.equal(await state(p), total);
  assert.equal(out, pattern(0, total));
  assert.equal(fionread(f), 0);
});

test('readers block while empty and wake in order as data comes', async () => {
  const f = mkpipe();
  const order: string[] = [];
  const a = read(f, 3, DST);
  const b = read(f, 100, DST + 100);
  assert.ok(a instanceof Promise && b instanceof Promise);
  void a.then((v) => order.push(`a${v}`));
  void b.then((v) => order.push(`b${v}`));
  assert.equal(f.r.pipe.parkedReaders, 2);
  assert.equal(writeStr(f, 'xyz123'), 6);
  assert.equal(await state(a), 3);
  assert.equal(await state(b), 3);
  assert.deepEqual(order, ['a3', 'b3']);
  assert.equal(f.m.get(DST, 3), 'xyz');
  assert.equal(f.m.get(DST + 100, 3), '123');
  // A newcomer queues behind a parked reader.
  const c = read(f, 10, DST);
  const d = read(f, 10, DST + 100);
  assert.equal(writeStr(f, 'q'), 1);
  assert.equal(await state(c), 1);
  assert.equal(await state(d), 'pending');
  assert.equal(writeStr(f, 'r'), 1);
  assert.equal(await state(d), 1);
});

test('parked writers are served in order', async () => {
  const f = mkpipe(NB);
  assert.equal(fill(f, 4096), 65536);
  f.w.flags &= ~NB;
  const order: string[] = [];
  f.m.put(SRC + 500_000, 'A'.repeat(4096));
  f.m.put(SRC + 510_000, 'B'.repeat(4096));
  const a = f.w.write(f.m, SRC + 500_000, 4096);
  const b = f.w.write(f.m, SRC + 510_000, 4096);
  assert.ok(a instanceof Promise && b instanceof Promise);
  void a.then(() => order.push('A'));
  void b.then(() => order.push('B'));
  // A one-byte write queues behind them (no page free, the last page is full).
  const c = writeStr(f, 'C');
  assert.ok(c instanceof Promise);
  void c.then(() => order.push('C'));
  assert.equal(read(f, 4096), 4096);
  await tick();
  assert.deepEqual(order, ['A']);
  assert.equal(read(f, 4096), 4096);
  await tick();
  assert.deepEqual(order, ['A', 'B']);
  assert.equal(read(f, 4096), 4096);
  await tick();
  assert.deepEqual(order, ['A', 'B', 'C']);
  // Drain: 13 pages of pattern, then A…, B…, C.
  assert.equal(read(f, 13 * 4096), 13 * 4096);
  assert.equal(read(f, 8192), 8192);
  assert.equal(f.m.get(DST, 8192), 'A'.repeat(4096) + 'B'.repeat(4096));
  assert.equal(read(f, 10), 1);
  assert.equal(f.m.get(DST, 1), 'C');
});

test('EOF: a read with no writer returns 0; the last writer closing wakes every reader', async () => {
  let f = mkpipe();
  assert.equal(writeStr(f, 'end'), 3);
  f.w.decRef();
  assert.equal(read(f, 10), 3);
  assert.equal(read(f, 10), 0);
  assert.equal(read(f, 10), 0);

  f = mkpipe(NB);
  f.w.decRef();
  assert.equal(read(f, 10), 0); // EOF before EAGAIN

  f = mkpipe();
  const a = read(f, 10);
  const b = read(f, 10, DST + 100);
  f.w.incRef(); // a dup
  f.w.decRef();
  assert.equal(await state(a), 'pending');
  f.w.decRef();
  assert.equal(await state(a), 0);
  assert.equal(await state(b), 0);
});

test('EPIPE with no reader; the SIGPIPE hook gets the writer, even when it returns a partial count', async () => {
  const sigs: unknown[] = [];
  pipeHooks.sigpipe = (t) => sigs.push(t);
  let task: unknown = 'T1';
  pipeHooks.currentTask = () => task;

  let f = mkpipe();
  f.r.decRef();
  assert.equal(write(f, 1), -Errno.EPIPE);
  assert.deepEqual(sigs, ['T1']);
  assert.equal(write(f, 0), 0); // an empty write succeeds, no signal
  assert.deepEqual(sigs, ['T1']);

  // Parked writers with nothing written get EPIPE (and the signal) when the last reader goes.
  f = mkpipe();
  assert.equal(write(f, 65536), 65536);
  task = 'T2';
  const a = write(f, 10);
  task = 'T3';
  const b = write(f, 4096);
  assert.equal(await state(a), 'pending');
  assert.equal(await state(b), 'pending');
  f.r.decRef();
  assert.equal(await state(a), -Errno.EPIPE);
  assert.equal(await state(b), -Errno.EPIPE);
  assert.deepEqual(sigs, ['T1', 'T2', 'T3']);

  // A write that moved bytes before the reader left returns them (and still signals).
  sigs.length = 0;
  f = mkpipe();
  task = 'T5';
  const big = write(f, 200_000);
  assert.equal(read(f, 65536), 65536);
  f.r.decRef();
  assert.equal(await state(big), 131072);
  assert.deepEqual(sigs, ['T5']);
});

test('O_NONBLOCK read and write, and flags changed while parked', async () => {
  const f = mkpipe(NB);
  assert.equal(read(f, 10), -Errno.EAGAIN);
  assert.equal(fill(f, 4096), 65536);
  assert.equal(write(f, 1), -Errno.EAGAIN);
  assert.equal(write(f, 100_000), -Errno.EAGAIN);
  // A parked writer that becomes non-blocking stops at its next attempt.
  f.w.flags &= ~NB;
  const p = write(f, 3 * 4096);
  assert.ok(p instanceof Promise);
  f.w.flags |= NB;
  assert.equal(read(f, 4096), 4096);
  assert.equal(await state(p), 4096);
});

test('O_DIRECT: each write is a packet (a page at most); a read takes one packet and drops its rest', () => {
  const f = mkpipe(OpenFlag.O_DIRECT | NB);
  assert.equal(writeStr(f, 'abc'), 3);
  assert.equal(writeStr(f, 'defgh'), 5);
  assert.equal(write(f, 5000), 5000);
  assert.equal(fionread(f), 5008);
  assert.equal(read(f, 2), 2);
  assert.equal(f.m.get(DST, 2), 'ab');
  assert.equal(fionread(f), 5005);
  assert.equal(read(f, 100), 5);
  assert.equal(f.m.get(DST, 5), 'defgh');
  assert.equal(read(f, 10_000), 4096);
  assert.equal(read(f, 10_000), 904);
  assert.equal(read(f, 10_000), -Errno.EAGAIN);
  assert.equal(write(f, 0), 0);
  assert.equal(read(f, 10), -Errno.EAGAIN);
  for (let i = 0; i < 16; i++) assert.equal(write(f, 1), 1);
  assert.equal(write(f, 1), -Errno.EAGAIN);
  // writev: one packet
  f.m.put(SRC + 600_000, 'ab');
  f.m.put(SRC + 600_100, 'cd');
  const g = mkpipe(OpenFlag.O_DIRECT | NB);
  g.m.put(SRC + 600_000, 'ab');
  g.m.put(SRC + 600_100, 'cd');
  assert.equal(g.w.writev(g.m, [SRC + 600_000, SRC + 600_100], [2, 2], 2), 4);
  assert.equal(g.r.read(g.m, DST, 100), 4);
  assert.equal(g.m.get(DST, 4), 'abcd');
});

test('O_DIRECT toggled with F_SETFL; a packet write may merge into a plain buffer (as Linux does)', () => {
  const f = mkpipe(NB);
  assert.equal(writeStr(f, 'abc'), 3);
  f.w.flags |= OpenFlag.O_DIRECT;
  assert.equal(writeStr(f, 'de'), 2);
  assert.equal(read(f, 100), 5);
  assert.equal(writeStr(f, 'xy'), 2);
  assert.equal(writeStr(f, 'z'), 1);
  assert.equal(fionread(f), 3);
  assert.equal(read(f, 100), 2);
  assert.equal(read(f, 100), 1);
});

test('FIONREAD on both ends; other ioctls ENOTTY; a bad pointer EFAULT', () => {
  const f = mkpipe();
  assert.equal(writeStr(f, '123456789012'), 12);
  assert.equal(read(f, 3), 3);
  assert.equal(fionread(f), 9);
  assert.equal(f.w.ioctl(f.m, Ioctl.FIONREAD, DST), 0);
  assert.equal(new DataView(f.m.bytes.buffer).getInt32(DST, true), 9);
  assert.equal(f.r.ioctl(f.m, Ioctl.TCGETS, DST), -Errno.ENOTTY);
  f.m.holes.push([1_500_000, 1_600_000]);
  assert.equal(f.r.ioctl(f.m, Ioctl.FIONREAD, 1_500_000), -Errno.EFAULT);
  assert.equal(f.r.pread(), -Errno.ESPIPE);
  assert.equal(f.w.pwrite(), -Errno.ESPIPE);
  assert.equal(f.r.write(f.m, SRC, 1), -Errno.EBADF);
  assert.equal(f.w.read(f.m, DST, 1), -Errno.EBADF);
  assert.equal(f.r.name, `pipe:[${f.r.pipe.ino}]`);
  assert.equal(f.w.name, f.r.name);
});

test('F_SETPIPE_SZ: rounding, EINVAL, EPERM above pipe-max-size, EBUSY below the pages in use', async () => {
  assert.equal(roundPipeSize(0), 4096);
  assert.equal(roundPipeSize(1), 4096);
  assert.equal(roundPipeSize(4097), 8192);
  assert.equal(roundPipeSize(61440), 65536);
  assert.equal(roundPipeSize(0x80000000), 0x80000000);
  assert.equal(roundPipeSize(0x80000001), 0);
  assert.equal(roundPipeSize(-1), 0);

  const f = mkpipe(NB, ALICE);
  assert.equal(f.r.setPipeSize(5000, ALICE), 8192);
  assert.equal(f.w.getPipeSize(), 8192);
  assert.equal(f.r.setPipeSize(0x80000001, ALICE), -Errno.EINVAL);
  assert.equal(f.r.setPipeSize(1 << 20, ALICE), 1 << 20);
  assert.equal(f.r.setPipeSize((1 << 20) + 1, ALICE), -Errno.EPERM);
  assert.equal(f.r.setPipeSize(1 << 21, ROOT), 1 << 21); // CAP_SYS_RESOURCE may exceed it
  assert.equal(f.r.setPipeSize(65536, ALICE), 65536); // shrinking is always allowed
  assert.equal(fill(f, 4096), 65536);
  assert.equal(f.r.setPipeSize(32768, ALICE), -Errno.EBUSY);
  assert.equal(f.r.getPipeSize(), 65536);
  assert.equal(read(f, 7 * 4096 + 4095), 7 * 4096 + 4095);
  assert.equal(f.r.setPipeSize(32768, ALICE), -Errno.EBUSY);
  assert.equal(read(f, 1), 1);
  assert.equal(f.r.setPipeSize(32768, ALICE), 32768);
  assert.equal(write(f, 1), -Errno.EAGAIN);
  // Growing wakes a parked writer.
  f.w.flags &= ~NB;
  const p = write(f, 4096);
  assert.equal(await state(p), 'pending');
  assert.equal(f.r.setPipeSize(65536, ALICE), 65536);
  assert.equal(await state(p), 4096);
  assert.equal(fionread(f), 9 * 4096);
});

test('limits: per-user soft limit, the sandbox bound, and release on close', () => {
  const acct = new PipeAccounting();
  acct.userPagesSoft = 40;
  const a = mkpipe(0, ALICE, acct);
  const b = mkpipe(0, ALICE, acct);
  assert.equal(acct.userPages(1000), 32);
  // Over the soft limit: new pipes get 2 pages; growing is refused.
  const c = mkpipe(0, ALICE, acct);
  assert.equal(c.r.getPipeSize(), 8192);
  assert.equal(c.r.setPipeSize(65536, ALICE), -Errno.EPERM);
  assert.equal(c.r.setPipeSize(4096, ALICE), 4096);
  // root is exempt from the per-user limits
  const d = mkpipe(0, { ...ROOT, uid: 1000 }, acct);
  assert.equal(d.r.getPipeSize(), 65536);
  // Closing both ends releases the pages.
  for (const x of [a, b, c, d]) {
    x.r.decRef();
    x.w.decRef();
  }
  assert.equal(acct.userPages(1000), 0);
  assert.equal(acct.total, 0);

  // The sandbox bound applies to root too.
  const s = new PipeAccounting();
  s.sandboxPages = 40;
  const p1 = mkpipe(0, ROOT, s);
  const p2 = mkpipe(0, ROOT, s);
  assert.equal(p2.r.getPipeSize(), 65536);
  const p3 = mkpipe(0, ROOT, s);
  assert.equal(p3.r.getPipeSize(), 8192);
  assert.equal(p3.r.setPipeSize(1 << 20, ROOT), -Errno.ENOMEM);
  assert.equal(p3.r.setPipeSize(16384, ROOT), 16384);
  assert.equal(s.total, 16 + 16 + 4);
  const p4 = mkpipe(0, ROOT, s);
  assert.equal(p4.r.getPipeSize(), 8192);
  const p5 = mkpipe(0, ROOT, s);
  assert.equal(p5.r.getPipeSize(), 8192);
  assert.equal(s.total, 40);
  assert.equal(createPipe(0, ROOT, s), -Errno.ENFILE);
  p1.r.decRef();
  assert.equal(s.total, 40); // one end still open
  p1.w.decRef();
  assert.ok(Array.isArray(createPipe(0, ROOT, s)));
});

test('pipe-max-size below the default makes smaller pipes for the unprivileged', () => {
  const acct = new PipeAccounting();
  acct.maxSize = 16384;
  assert.equal(mkpipe(0, ALICE, acct).r.getPipeSize(), 16384);
  assert.equal(mkpipe(0, ROOT, acct).r.getPipeSize(), 65536);
});

test('readiness: poll masks and change notifications', () => {
  const f = mkpipe(NB);
  const IN = PollEvent.POLLIN | PollEvent.POLLRDNORM;
  const OUT = PollEvent.POLLOUT | PollEvent.POLLWRNORM;
  assert.equal(f.r.readiness(), 0);
  assert.equal(f.w.readiness(), OUT);
  const seen: number[] = [];
  const off = f.r.onReadinessChange((mask) => seen.push(mask));
  assert.equal(writeStr(f, 'x'), 1);
  assert.deepEqual(seen, [IN]);
  assert.equal(writeStr(f, 'y'), 1); // every write notifies (edge-triggered epoll)
  assert.deepEqual(seen, [IN, IN]);
  assert.equal(read(f, 10), 2);
  assert.deepEqual(seen, [IN, IN, 0]);
  assert.equal(read(f, 10), -Errno.EAGAIN); // nothing changed
  assert.equal(seen.length, 3);
  assert.equal(fill(f, 4096), 65536);
  assert.equal(f.w.readiness(), 0);
  assert.equal(f.r.readiness(), IN);
  f.w.decRef();
  assert.equal(f.r.readiness(), IN | PollEvent.POLLHUP);
  assert.equal(seen[seen.length - 1], IN | PollEvent.POLLHUP);
  off();
  const n = seen.length;
  assert.equal(read(f, 100), 100);
  assert.equal(seen.length, n);

  const g = mkpipe(NB);
  g.r.decRef();
  assert.equal(g.w.readiness(), OUT | PollEvent.POLLERR);
});

test('interrupts: a parked read ends with the given value; a write with its partial count', async () => {
  let task: unknown;
  pipeHooks.currentTask = () => task;
  const f = mkpipe();
  task = 'R';
  const r = read(f, 10);
  task = 'W';
  const g = mkpipe();
  const w = write(g, 70_000);
  task = 'W2';
  const w2 = write(g, 10);
  assert.equal(interruptPipeWait('nobody', -Errno.EINTR), false);
  assert.equal(interruptPipeWait('R', -ERESTARTSYS), true);
  assert.equal(await state(r), -ERESTARTSYS);
  assert.equal(f.r.pipe.parkedReaders, 0);
  assert.equal(interruptPipeWait('R', -ERESTARTSYS), false);
  assert.equal(interruptPipeWait('W2', -Errno.EINTR), true);
  assert.equal(await state(w2), -Errno.EINTR);
  assert.equal(interruptPipeWait('W', -Errno.EINTR), true);
  assert.equal(await state(w), 65536);
  assert.equal(g.r.pipe.parkedWriters, 0);
  // The pipe goes on working.
  assert.equal(writeStr(f, 'ok'), 2);
  assert.equal(read(f, 10), 2);
});

test('faults: a faulting write commits nothing of its page; a faulting read consumes nothing', async () => {
  const f = mkpipe(NB);
  f.m.holes.push([100_000, 200_000]);
  assert.equal(f.w.write(f.m, 100_000, 10), -Errno.EFAULT);
  assert.equal(f.w.write(f.m, 100_000 - 100, 200), -Errno.EFAULT);
  assert.equal(fionread(f), 0);
  assert.equal(f.r.pipe.occupancy, 0);
  assert.equal(f.w.write(f.m, 100_000 - 8192, 8192 + 10), 8192);
  assert.equal(fionread(f), 8192);
  // A faulting merge: nothing.
  assert.equal(read(f, 100), 100);
  assert.equal(read(f, 4096), 4096);
  assert.equal(writeStr(f, 'abc'), 3);
  assert.equal(f.w.write(f.m, 100_000 - 2, 4), -Errno.EFAULT);
  assert.equal(fionread(f), 4096 - 100 + 3);
  // Reads.
  assert.equal(read(f, 4000, 100_000), -Errno.EFAULT);
  assert.equal(read(f, 4000, 100_000 - 10), -Errno.EFAULT);
  assert.equal(fionread(f), 4096 - 100 + 3);
  // The first buffer fits, the second faults: the first is returned.
  assert.equal(read(f, 4000, 100_000 - 3996), 3996);
  assert.equal(fionread(f), 3);
  assert.equal(read(f, 10), 3);
  assert.equal(f.m.get(DST, 3), 'abc');

  // A parked reader whose memory went away (its process died) gets EFAULT and does not hold up the next.
  const g = mkpipe();
  g.m.holes.push([1_900_000, 2_000_000]);
  const dead = g.r.read(g.m, 1_900_000, 10);
  const live = read(g, 10);
  assert.equal(writeStr(g, 'hi'), 2);
  assert.equal(await state(dead), -Errno.EFAULT);
  assert.equal(await state(live), 2);
});

test('readv and writev are one pipe call', async () => {
  const f = mkpipe();
  assert.equal(writeStr(f, '0123456789'), 10);
  // readv returns what there is without blocking for the later buffers.
  const r = f.r.readv(f.m, [DST, DST + 100, DST + 200], [4, 10, 10], 3);
  assert.equal(r, 10);
  assert.equal(f.m.get(DST, 4) + f.m.get(DST + 100, 6), '0123456789');
  // writev of at most PIPE_BUF in total is atomic.
  const g = mkpipe(NB);
  for (let i = 0; i < 15; i++) assert.equal(write(g, 4096), 4096);
  assert.equal(write(g, 4000), 4000);
  assert.equal(g.w.writev(g.m, [SRC, SRC + 50], [50, 50], 2), -Errno.EAGAIN);
  assert.equal(g.w.writev(g.m, [SRC, SRC + 50], [50, 46], 2), 96);
  // A blocked readv parks once and fills across buffers.
  const h = mkpipe();
  const p = h.r.readv(h.m, [DST, DST + 100], [3, 10], 2);
  assert.ok(p instanceof Promise);
  assert.equal(writeStr(h, 'abcdefgh'), 8);
  assert.equal(await state(p), 8);
  assert.equal(h.m.get(DST, 3) + h.m.get(DST + 100, 5), 'abcdefgh');
});

test('descriptors closed under parked calls: they see EOF or EPIPE, never hang', async () => {
  const f = mkpipe();
  const r = read(f, 10);
  // Another thread closes both ends while the read is parked.
  f.r.decRef();
  f.w.decRef();
  assert.equal(await state(r), 0);
  assert.equal(f.r.pipe.isFree, true);

  const g = mkpipe();
  assert.equal(write(g, 65536), 65536);
  const w = write(g, 10);
  g.w.decRef();
  g.r.decRef();
  assert.equal(await state(w), -Errno.EPIPE);
});
