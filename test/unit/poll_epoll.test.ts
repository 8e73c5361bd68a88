// The epoll instance (src/vfs/epoll.ts) on fake readiness sources: level-
// and edge-triggered items, one-shot disarming, ready-list order with a
// small maxevents, faults while harvesting, items leaving with their file,
// nested instances and the loop/depth check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EP_MAX_NESTS, EPOLL_EVENT_SIZE, Epoll } from '../../src/abi/linux/epoll.js';
import { Errno } from '../../src/abi/linux/errno.js';
import { Poll } from '../../src/abi/linux/poll.js';
import { EpollFile } from '../../src/vfs/epoll.js';
import type { FileDescription } from '../../src/vfs/file.js';
import type { GuestMemory } from '../../src/vfs/guest_memory.js';
import { notifyRelease, type Pollable, type ReadinessListener } from '../../src/vfs/poll.js';

/** Guest memory of `size` bytes; addresses at or above `size` fault. */
class FlatMemory implements GuestMemory {
  readonly bytes: Uint8Array;
  constructor(size = 4096) {
    this.bytes = new Uint8Array(size);
  }
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
    if (addr < 0 || addr + len > this.bytes.length) return -Errno.EFAULT;
    return fn(this.bytes, addr, len);
  }
}

/** A file whose readiness the test sets; notify() is a wake-up (a write, a read). */
class Source implements Pollable, FileDescription {
  readonly name = 'fake';
  readonly positional = false;
  flags = 2;
  mask = 0;
  private readonly listeners = new Set<ReadinessListener>();
  readiness(): number {
    return this.mask;
  }
  onReadinessChange(fn: ReadinessListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  get subscribers(): number {
    return this.listeners.size;
  }
  set(mask: number): void {
    this.mask = mask;
    for (const fn of [...this.listeners]) fn(mask);
  }
  read(): number {
    return -Errno.EINVAL;
  }
  write(): number {
    return -Errno.EINVAL;
  }
  pread(): number {
    return -Errno.ESPIPE;
  }
  pwrite(): number {
    return -Errno.ESPIPE;
  }
  ioctl(): number {
    return -Errno.ENOTTY;
  }
  incRef(): void {}
  decRef(): void {
    notifyRelease(this);
  }
}

const IN = Poll.POLLIN;
const OUT = Poll.POLLOUT;
const ERRHUP = Epoll.EPOLLERR | Epoll.EPOLLHUP;

interface Ev {
  events: number;
  data: number;
}

function harvest(ep: EpollFile, max = 8, mem = new FlatMemory()): Ev[] | number {
  const n = ep.harvest(mem, 0, max);
  if (n < 0) return n;
  const dv = new DataView(mem.bytes.buffer);
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) out.push({ events: dv.getUint32(i * EPOLL_EVENT_SIZE, true), data: dv.getUint32(i * EPOLL_EVENT_SIZE + 4, true) });
  return out;
}

function add(ep: EpollFile, s: Source, fd: number, events: number, data = fd): number {
  return ep.insert(s, fd, s, (events | ERRHUP) >>> 0, data, 0);
}

test('level-triggered: reported while ready, with the data', () => {
  const ep = new EpollFile(0);
  const s = new Source();
  assert.equal(add(ep, s, 3, Epoll.EPOLLIN, 0x11), 0);
  assert.deepEqual(harvest(ep), []);
  s.set(IN | OUT);
  // Only the events asked for (plus ERR/HUP) are reported.
  assert.deepEqual(harvest(ep), [{ events: IN, data: 0x11 }]);
  assert.deepEqual(harvest(ep), [{ events: IN, data: 0x11 }]);
  s.mask = OUT; // no longer readable (no wake-up needed: harvesting re-polls)
  assert.deepEqual(harvest(ep), []);
  assert.deepEqual(harvest(ep), []);
  s.set(Poll.POLLHUP);
  assert.deepEqual(harvest(ep), [{ events: Poll.POLLHUP, data: 0x11 }]);
});

test('a change that does not concern the item does not queue it', () => {
  const ep = new EpollFile(0);
  const s = new Source();
  add(ep, s, 3, Epoll.EPOLLIN | Epoll.EPOLLET);
  s.set(OUT);
  assert.equal(ep.idle, true);
  s.set(IN | OUT);
  assert.equal(ep.idle, false);
});

test('edge-triggered: once per wake-up', () => {
  const ep = new EpollFile(0);
  const s = new Source();
  s.mask = IN;
  add(ep, s, 4, Epoll.EPOLLIN | Epoll.EPOLLET);
  // Ready at insertion: one event.
  assert.deepEqual(harvest(ep), [{ events: IN, data: 4 }]);
  assert.deepEqual(harvest(ep), []);
  s.set(IN); // a new arrival, though already readable
  assert.deepEqual(harvest(ep), [{ events: IN, data: 4 }]);
  assert.deepEqual(harvest(ep), []);
  // MOD re-polls.
  const it = ep.find(s, 4)!;
  ep.modify(it, (Epoll.EPOLLIN | Epoll.EPOLLET | ERRHUP) >>> 0, 9, 0);
  assert.deepEqual(harvest(ep), [{ events: IN, data: 9 }]);
});

test('one-shot: disarmed after an event until MOD', () => {
  const ep = new EpollFile(0);
  const s = new Source();
  add(ep, s, 5, Epoll.EPOLLIN | Epoll.EPOLLONESHOT);
  s.set(IN);
  assert.deepEqual(harvest(ep), [{ events: IN, data: 5 }]);
  s.set(IN | Poll.POLLHUP);
  assert.deepEqual(harvest(ep), []);
  const it = ep.find(s, 5)!;
  assert.equal(it.events, Epoll.EPOLLONESHOT >>> 0);
  ep.modify(it, (Epoll.EPOLLIN | Epoll.EPOLLONESHOT | ERRHUP) >>> 0, 6, 0);
  assert.deepEqual(harvest(ep), [{ events: IN | Poll.POLLHUP, data: 6 }]);
  assert.deepEqual(harvest(ep), []);
});

test('maxevents: what was not taken comes first next time, then re-queued level-triggered items', () => {
  const ep = new EpollFile(0);
  const srcs = [new Source(), new Source(), new Source()];
  srcs.forEach((s, i) => {
    s.mask = OUT;
    add(ep, s, 10 + i, Epoll.EPOLLOUT);
  });
  assert.deepEqual((harvest(ep, 2) as Ev[]).map((e) => e.data), [10, 11]);
  assert.deepEqual((harvest(ep, 2) as Ev[]).map((e) => e.data), [12, 10]);
  assert.deepEqual((harvest(ep, 8) as Ev[]).map((e) => e.data), [11, 12, 10]);
});

test('a fault writing the first event is EFAULT and the item stays ready', () => {
  const ep = new EpollFile(0);
  const s = new Source();
  s.mask = IN;
  add(ep, s, 3, Epoll.EPOLLIN | Epoll.EPOLLET);
  assert.equal(ep.harvest(new FlatMemory(8), 0, 1), -Errno.EFAULT);
  assert.equal(ep.idle, false);
  // A later fault after some events: the count so far.
  const t = new Source();
  t.mask = IN;
  add(ep, t, 4, Epoll.EPOLLIN | Epoll.EPOLLET);
  assert.equal(ep.harvest(new FlatMemory(EPOLL_EVENT_SIZE + 4), 0, 2), 1);
  assert.deepEqual(harvest(ep), [{ events: IN, data: 4 }]);
});

test('items: find by (file, fd), remove, and release of the file', () => {
  const ep = new EpollFile(0);
  const s = new Source();
  add(ep, s, 3, Epoll.EPOLLIN);
  add(ep, s, 7, Epoll.EPOLLIN);
  assert.equal(ep.size, 2);
  assert.ok(ep.find(s, 3));
  assert.equal(ep.find(s, 4), undefined);
  assert.equal(s.subscribers, 2);
  ep.remove(ep.find(s, 3)!);
  assert.equal(ep.size, 1);
  assert.equal(s.subscribers, 1);
  s.set(IN);
  assert.equal(ep.idle, false);
  // The last reference to the file goes: its items go, ready or not.
  s.decRef();
  assert.equal(ep.size, 0);
  assert.equal(s.subscribers, 0);
  assert.equal(ep.idle, true);
  assert.deepEqual(harvest(ep), []);
});

test('releasing the instance drops its items and subscriptions', () => {
  const ep = new EpollFile(0);
  const s = new Source();
  ep.incRef();
  add(ep, s, 3, Epoll.EPOLLIN);
  ep.decRef();
  assert.equal(s.subscribers, 0);
  assert.equal(ep.size, 0);
});

test('waiters are woken by every queued event', () => {
  const ep = new EpollFile(0);
  const s = new Source();
  let woken = 0;
  const off = ep.addWaiter(() => woken++);
  add(ep, s, 3, Epoll.EPOLLIN | Epoll.EPOLLET);
  s.set(IN);
  s.set(IN);
  assert.equal(woken, 2);
  off();
  s.set(IN);
  assert.equal(woken, 2);
});

test('nested: an instance is POLLIN while a ready item has events, and wakes its pollers', () => {
  const inner = new EpollFile(0);
  const outer = new EpollFile(0);
  const s = new Source();
  add(inner, s, 3, Epoll.EPOLLIN);
  assert.equal(outer.insert(inner, 4, inner, (Epoll.EPOLLIN | ERRHUP) >>> 0, 40, 0), 0);
  assert.equal(inner.readiness(), 0);
  assert.deepEqual(harvest(outer), []);
  s.set(IN);
  assert.equal(inner.readiness(), IN | Poll.POLLRDNORM);
  assert.deepEqual(harvest(outer), [{ events: IN, data: 40 }]);
  // The source stops being ready: the inner instance's poll prunes it.
  s.mask = 0;
  assert.equal(inner.readiness(), 0);
  assert.equal(inner.idle, true);
  assert.deepEqual(harvest(outer), []);
  // Releasing the inner instance removes it from the outer one.
  inner.incRef();
  inner.decRef();
  assert.equal(outer.size, 0);
});

test('loop check: cycles and chains deeper than EP_MAX_NESTS', () => {
  const e = Array.from({ length: 8 }, () => new EpollFile(0));
  const nest = (parent: EpollFile, child: EpollFile): number => {
    if (parent.loopCheck(child)) return -Errno.ELOOP;
    return parent.insert(child, 1, child, ERRHUP, 0, 0);
  };
  // A chain e1 ⊃ e0 ... e4 ⊃ e3: five levels.
  for (let i = 1; i <= EP_MAX_NESTS; i++) assert.equal(nest(e[i], e[i - 1]), 0, `level ${i}`);
  assert.equal(nest(e[5], e[4]), -Errno.ELOOP);
  // Cycles.
  assert.equal(nest(e[0], e[1]), -Errno.ELOOP);
  assert.equal(nest(e[0], e[4]), -Errno.ELOOP);
  // Upwards: below e0 sits nothing more; below e1 one more level fits.
  assert.equal(nest(e[0], e[5]), -Errno.ELOOP);
  assert.equal(nest(e[1], e[5]), 0);
  assert.equal(nest(e[6], e[5]), 0);
  assert.equal(nest(e[1], e[6]), -Errno.ELOOP);
  assert.equal(nest(e[3], e[6]), 0);
  // A diamond is no cycle.
  assert.equal(nest(e[7], e[6]), 0);
  assert.equal(nest(e[7], e[5]), 0);
});
