// eventfd(2) objects (fs/eventfd.c): a 64-bit counter behind an anonymous
// file.
//
// - read(2) needs an 8-byte buffer (EINVAL); it blocks while the counter is
//   0 (EAGAIN with O_NONBLOCK), then returns the counter and resets it to 0,
//   or with EFD_SEMAPHORE returns 1 and decrements it. The counter is taken
//   before the value is copied out: a fault then is EFAULT with the value lost,
//   as in Linux.
// - write(2) adds an 8-byte value (EINVAL for a shorter buffer or for
//   0xffffffffffffffff); it blocks while the sum would reach
//   0xffffffffffffffff (EAGAIN with O_NONBLOCK).
// - poll: POLLIN while the counter is above 0, POLLOUT while a write of 1
//   would not block, POLLERR if it were ULLONG_MAX (it never is).
//
// The counter is held as two 32-bit halves (no bigint on the I/O path).
// Blocked reads and writes wait in FIFO queues, parked on their task so a
// signal can cut them short (-ERESTARTSYS or whatever the kernel asks).
import { Errno } from '../../abi/linux/errno.js';
import { EVENTFD_VALUE_SIZE } from '../../abi/linux/eventfd.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { Poll } from '../../abi/linux/poll.js';
import type { FileDescription, IoResult } from '../../vfs/file.js';
import type { GuestMemory } from '../../vfs/guest_memory.js';
import { notifyRelease, type Parker, type Pollable, type ReadinessListener } from '../../vfs/poll.js';
import { blockingPromise } from '../../kernel/blocking.js';

/** How eventfd finds the task making the current system call (set by src/syscalls/eventfd.ts). */
export interface EventfdHooks {
  /** The caller, to park a blocking read or write on; null when unknown (unit tests): the wait cannot be interrupted. */
  currentParker(): Parker | null;
  /** Whether a signal the caller does not block is pending: a call that would block returns -ERESTARTSYS at once. */
  signalPending(parker: Parker): boolean;
}

export const eventfdHooks: EventfdHooks = {
  currentParker: () => null,
  signalPending: () => false,
};

const MAX32 = 0xffffffff;
/** Reused for the 8-byte value of a read or write. */
const valueBuf = new Uint8Array(EVENTFD_VALUE_SIZE);
const valueView = new DataView(valueBuf.buffer);

class Waiter {
  done = false;
  constructor(
    readonly parker: Parker | null,
    readonly resolve: (r: number) => void,
    /** A read: where the value goes. */
    readonly mm: GuestMemory | null,
    readonly addr: number,
    /** A write: the value to add. */
    readonly lo: number,
    readonly hi: number,
  ) {}
}

export class EventFd implements FileDescription, Pollable {
  readonly name = 'anon_inode:[eventfd]';
  readonly positional = false;
  /** The counter's low and high 32 bits. */
  private lo: number;
  private hi = 0;
  private refs = 0;
  private readonly readers: Waiter[] = [];
  private readonly writers: Waiter[] = [];
  private readonly listeners = new Set<ReadinessListener>();

  /**
   * initval: the counter's start (an unsigned int); flags: the file's status
   * flags (O_RDWR, plus O_NONBLOCK for EFD_NONBLOCK).
   */
  constructor(
    initval: number,
    public flags: number,
    readonly semaphore: boolean,
  ) {
    this.lo = initval >>> 0;
  }

  /** The counter (for /proc fdinfo and tests). */
  get count(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  read(mm: GuestMemory, addr: number, len: number): IoResult {
    if (len < EVENTFD_VALUE_SIZE) return -Errno.EINVAL;
    if (this.lo === 0 && this.hi === 0) {
      if ((this.flags & OpenFlag.O_NONBLOCK) !== 0) return -Errno.EAGAIN;
      return this.park(this.readers, mm, addr, 0, 0);
    }
    return this.take(mm, addr);
  }

  write(mm: GuestMemory, addr: number, len: number): IoResult {
    if (len < EVENTFD_VALUE_SIZE) return -Errno.EINVAL;
    const r = mm.readBytes(addr, valueBuf, 0, EVENTFD_VALUE_SIZE);
    if (r < 0) return r;
    const lo = valueView.getUint32(0, true);
    const hi = valueView.getUint32(4, true);
    if (lo === MAX32 && hi === MAX32) return -Errno.EINVAL;
    if (this.fits(lo, hi)) return this.add(lo, hi);
    if ((this.flags & OpenFlag.O_NONBLOCK) !== 0) return -Errno.EAGAIN;
    return this.park(this.writers, null, 0, lo, hi);
  }

  pread(): IoResult {
    return -Errno.ESPIPE;
  }

  pwrite(): IoResult {
    return -Errno.ESPIPE;
  }

  ioctl(): number {
    return -Errno.ENOTTY;
  }

  /** noop_llseek: the position stays 0. */
  seek(): number {
    return 0;
  }

  readiness(): number {
    let mask = 0;
    if (this.lo !== 0 || this.hi !== 0) mask |= Poll.POLLIN;
    if (this.hi === MAX32 && this.lo === MAX32) mask |= Poll.POLLERR;
    if (!(this.hi === MAX32 && this.lo >= MAX32 - 1)) mask |= Poll.POLLOUT;
    return mask;
  }

  onReadinessChange(fn: ReadinessListener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    if (--this.refs > 0) return;
    // A call parked here keeps waiting, as a task blocked in read(2) holds
    // its own reference in Linux; only epoll forgets the file.
    notifyRelease(this);
  }

  /** ULLONG_MAX - count > value: the sum stays below ULLONG_MAX (at most ULLONG_MAX - 1). */
  private fits(lo: number, hi: number): boolean {
    let sumLo = this.lo + lo;
    let carry = 0;
    if (sumLo > MAX32) {
      sumLo -= 0x100000000;
      carry = 1;
    }
    const sumHi = this.hi + hi + carry;
    if (sumHi > MAX32) return false;
    return !(sumHi === MAX32 && sumLo === MAX32);
  }

  /** Adds a value known to fit; wakes readers. */
  private add(lo: number, hi: number): number {
    let sumLo = this.lo + lo;
    let carry = 0;
    if (sumLo > MAX32) {
      sumLo -= 0x100000000;
      carry = 1;
    }
    this.lo = sumLo;
    this.hi = this.hi + hi + carry;
    this.changed();
    return EVENTFD_VALUE_SIZE;
  }

  /** eventfd_ctx_do_read and the copy out: the counter (or 1) is taken first. */
  private take(mm: GuestMemory, addr: number): number {
    let lo: number;
    let hi: number;
    if (this.semaphore) {
      lo = 1;
      hi = 0;
      if (this.lo === 0) {
        this.lo = MAX32;
        this.hi--;
      } else {
        this.lo--;
      }
    } else {
      lo = this.lo;
      hi = this.hi;
      this.lo = 0;
      this.hi = 0;
    }
    this.changed();
    valueView.setUint32(0, lo, true);
    valueView.setUint32(4, hi, true);
    const r = mm.writeBytes(addr, valueBuf, 0, EVENTFD_VALUE_SIZE);
    return r < 0 ? -Errno.EFAULT : EVENTFD_VALUE_SIZE;
  }

  private park(queue: Waiter[], mm: GuestMemory | null, addr: number, lo: number, hi: number): IoResult {
    const parker = eventfdHooks.currentParker();
    // wait_event_interruptible: a pending signal ends the call before it sleeps.
    if (parker && eventfdHooks.signalPending(parker)) return -Errno.ERESTARTSYS;
    return blockingPromise<number>((resolve) => {
      const w = new Waiter(parker, resolve, mm, addr, lo, hi);
      queue.push(w);
      parker?.park((r) => {
        if (w.done) return;
        w.done = true;
        const i = queue.indexOf(w);
        if (i >= 0) queue.splice(i, 1);
        resolve(r);
      });
    });
  }

  private finish(w: Waiter, r: number): void {
    w.done = true;
    w.parker?.unpark();
    w.resolve(r);
  }

  private pumping = false;

  /** The counter changed: serve parked calls in order while they can go on, then tell the listeners. */
  private changed(): void {
    if (!this.pumping) {
      this.pumping = true;
      try {
        let progress = true;
        while (progress) {
          progress = false;
          while (this.readers.length > 0 && (this.lo !== 0 || this.hi !== 0)) {
            const w = this.readers.shift()!;
            this.finish(w, this.take(w.mm!, w.addr));
            progress = true;
          }
          while (this.writers.length > 0 && this.fits(this.writers[0]!.lo, this.writers[0]!.hi)) {
            const w = this.writers.shift()!;
            this.finish(w, this.add(w.lo, w.hi));
            progress = true;
          }
        }
      } finally {
        this.pumping = false;
      }
    }
    if (this.listeners.size === 0) return;
    const mask = this.readiness();
    for (const fn of [...this.listeners]) fn(mask);
  }
}
