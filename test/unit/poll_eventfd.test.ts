// eventfd objects (src/fs/anon/eventfd.ts): 64-bit counter arithmetic in
// two halves, EFD_SEMAPHORE, the overflow limit, readiness and change
// notifications, and parked reads and writes (FIFO, interruptible).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { Poll } from '../../src/abi/linux/poll.js';
import { EventFd, eventfdHooks } from '../../src/fs/anon/eventfd.js';
import type { GuestMemory } from '../../src/vfs/guest_memory.js';
import type { Parker } from '../../src/vfs/poll.js';

class FlatMemory implements GuestMemory {
  readonly bytes = new Uint8Array(256);
  readonly view = new DataView(this.bytes.buffer);
  readBytes(addr: number, dst: Uint8Array, off: number, len: number): number {
    if (addr < 0 || addr + len > this.bytes.length) return -Errno.EFAULT;
    dst.set(this.bytes.subarray(addr, addr + len), off);
    return 0;
  }
  writeBytes(addr: number, src: Uint8Array, off: number, len: number): number {
    if (addr < 0 || addr + len > this.bytes.length) return -Errno.EFAULT;
    this.bytes.set(src.subarray(off, off + len), addr);
    return 0;
  }
  forEachSegment(addr: number, len: number, _w: boolean, fn: (b: Uint8Array, o: number, l: number) => number): number {
    return fn(this.bytes, addr, len);
  }
  put(addr: number, v: bigint): void {
    this.view.setBigUint64(addr, v, true);
  }
  get(addr: number): bigint {
    return this.view.getBigUint64(addr, true);
  }
}

const RW = OpenFlag.O_RDWR;
const NB = OpenFlag.O_RDWR | OpenFlag.O_NONBLOCK;
const MAX = 0xffffffffffffffffn;
const BAD = 1 << 20;

afterEach(() => {
  eventfdHooks.currentParker = () => null;
  eventfdHooks.signalPending = () => false;
});

function write(e: EventFd, m: FlatMemory, v: bigint): number | Promise<number> {
  m.put(0, v);
  return e.write(m, 0, 8);
}

function read(e: EventFd, m: FlatMemory): bigint | number {
  const r = e.read(m, 8, 8);
  assert.equal(typeof r, 'number');
  return (r as number) < 0 ? (r as number) : m.get(8);
}

test('counter: reads take it all, writes add with carry across 32 bits', () => {
  const m = new FlatMemory();
  const e = new EventFd(0xffffffff, NB, false);
  assert.equal(e.count, 0xffffffffn);
  assert.equal(write(e, m, 1n), 8);
  assert.equal(e.count, 0x100000000n);
  assert.equal(write(e, m, 0xfffffffe_00000000n), 8);
  assert.equal(e.count, 0xffffffff_00000000n);
  assert.equal(read(e, m), 0xffffffff_00000000n);
  assert.equal(e.count, 0n);
  assert.equal(read(e, m), -Errno.EAGAIN);
});

test('limits: ULLONG_MAX is EINVAL, a sum reaching it is EAGAIN, ULLONG_MAX - 1 is reachable', () => {
  const m = new FlatMemory();
  const e = new EventFd(0, NB, false);
  assert.equal(write(e, m, MAX), -Errno.EINVAL);
  assert.equal(write(e, m, MAX - 1n), 8);
  assert.equal(write(e, m, 1n), -Errno.EAGAIN);
  assert.equal(write(e, m, 0n), 8);
  assert.equal(e.count, MAX - 1n);
  // Short buffers.
  assert.equal(e.read(m, 0, 7), -Errno.EINVAL);
  assert.equal(e.write(m, 0, 7), -Errno.EINVAL);
  // A fault reading the value; a fault writing it loses the counter (as Linux).
  assert.equal(e.write(m, BAD, 8), -Errno.EFAULT);
  assert.equal(e.read(m, BAD, 8), -Errno.EFAULT);
  assert.equal(e.count, 0n);
});

test('EFD_SEMAPHORE: reads take one, borrowing across 32 bits', () => {
  const m = new FlatMemory();
  const e = new EventFd(0, NB, true);
  assert.equal(write(e, m, 0x100000000n), 8);
  assert.equal(read(e, m), 1n);
  assert.equal(e.count, 0xffffffffn);
  const f = new EventFd(1, NB, true);
  assert.equal(read(f, m), 1n);
  assert.equal(read(f, m), -Errno.EAGAIN);
});

test('readiness: POLLIN above 0, POLLOUT below ULLONG_MAX - 1', () => {
  const m = new FlatMemory();
  const e = new EventFd(0, NB, false);
  assert.equal(e.readiness(), Poll.POLLOUT);
  const seen: number[] = [];
  const off = e.onReadinessChange((mask) => seen.push(mask));
  write(e, m, 1n);
  assert.equal(e.readiness(), Poll.POLLIN | Poll.POLLOUT);
  write(e, m, MAX - 3n);
  assert.equal(e.readiness(), Poll.POLLIN | Poll.POLLOUT);
  write(e, m, 1n);
  assert.equal(e.readiness(), Poll.POLLIN);
  read(e, m);
  assert.deepEqual(seen, [Poll.POLLIN | Poll.POLLOUT, Poll.POLLIN | Poll.POLLOUT, Poll.POLLIN, Poll.POLLOUT]);
  off();
  write(e, m, 1n);
  assert.equal(seen.length, 4);
});

test('blocking: parked reads and writes are served in order', async () => {
  const m = new FlatMemory();
  const e = new EventFd(0, RW, false);
  const r1 = e.read(m, 16, 8);
  const r2 = e.read(m, 24, 8);
  assert.ok(r1 instanceof Promise && r2 instanceof Promise);
  assert.equal(write(e, m, 5n), 8);
  assert.equal(await r1, 8);
  assert.equal(m.get(16), 5n);
  assert.equal(write(e, m, 6n), 8);
  assert.equal(await r2, 8);
  assert.equal(m.get(24), 6n);
  // A write that does not fit waits for a read.
  assert.equal(write(e, m, MAX - 1n), 8);
  const w = write(e, m, 2n);
  assert.ok(w instanceof Promise);
  assert.equal(read(e, m), MAX - 1n);
  assert.equal(await w, 8);
  assert.equal(e.count, 2n);
});

test('blocking: the parker can cut a wait short; a pending signal refuses it', async () => {
  const m = new FlatMemory();
  let waker: ((r: number) => void) | null = null;
  let unparked = 0;
  const parker: Parker = {
    park: (w) => {
      waker = w;
    },
    unpark: () => {
      unparked++;
    },
  };
  eventfdHooks.currentParker = () => parker;
  const e = new EventFd(0, RW, false);
  const r = e.read(m, 8, 8);
  assert.ok(r instanceof Promise);
  assert.ok(waker);
  (waker as (r: number) => void)(-Errno.ERESTARTSYS);
  assert.equal(await r, -Errno.ERESTARTSYS);
  // The interrupted read is gone: a write is not taken by it.
  assert.equal(write(e, m, 3n), 8);
  assert.equal(e.count, 3n);
  // A completed wait unparks.
  e.read(m, 8, 8);
  const r2 = new EventFd(0, RW, false);
  const p = r2.read(m, 8, 8);
  write(r2, m, 1n);
  assert.equal(await p, 8);
  assert.equal(unparked, 1);
  eventfdHooks.signalPending = () => true;
  assert.equal(r2.read(m, 8, 8), -Errno.ERESTARTSYS);
});

test('the file: ESPIPE for positional I/O, lseek stays at 0, ENOTTY, its name', () => {
  const e = new EventFd(0, RW, false);
  assert.equal(e.pread(), -Errno.ESPIPE);
  assert.equal(e.pwrite(), -Errno.ESPIPE);
  assert.equal(e.seek(), 0);
  assert.equal(e.ioctl(), -Errno.ENOTTY);
  assert.equal(e.name, 'anon_inode:[eventfd]');
  assert.equal(e.positional, false);
});
