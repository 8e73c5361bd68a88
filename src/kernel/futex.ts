// The futex table (man 2 futex; Linux kernel/futex/*): futex keys, wait
// queues and the operations on them, including priority-inheritance futexes,
// futex_waitv, requeue-PI, robust lists and the PI-state hand-off at thread
// exit.
//
// Keys (kernel/futex/core.c get_futex_key): a private futex
// (FUTEX_PRIVATE_FLAG) is keyed by (address space, address) and needs no
// memory behind it; a shared one by the memory itself: for a MAP_SHARED
// mapping the shared object and the byte offset in it (Linux: inode and page
// offset), so that two processes mapping one object at different addresses
// meet on one futex; for private memory by (address space, address) again,
// but distinct from the private key (Linux's FUT_OFF_MMSHARED), and only on
// writable memory (a read-only anonymous page is EFAULT).
//
// Concurrency: the kernel runs on one JavaScript thread, so each operation is
// atomic with respect to every other futex operation (Linux's hash-bucket
// locks). Guest threads run concurrently on the CPU, so the words are read
// once per decision and changed only by compare-and-exchange (real atomic
// instructions on the shared MemoryFile mapping), as Linux does.
//
// Waiting: a blocked operation is a Promise; the waiter sits in its key's FIFO
// queue, parks its task (Task.park) so a signal or death can cut it short,
// and keeps a Node timer for its deadline (rechecked against the clock, since
// timers may fire early). Wakes mark waiters and resolve them at the end of
// the operation (Linux's wake_q), so a futex_waitv woken on several entries by
// one call reports the highest index, as Linux does.
import { Errno } from '../abi/linux/errno.js';
import {
  FUTEX_BITSET_MATCH_ANY,
  FutexOpCmp,
  FutexOpOp,
  FutexWord,
  ROBUST_LIST_LIMIT,
  RobustListHeadOffset,
  USER_PTR_MAX,
} from '../abi/linux/futex.js';
import { PROT_READ, PROT_WRITE } from '../abi/linux/mman.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import type { MemoryManager } from '../mm/memory_manager.js';
import type { GuestSegmentFn } from '../mm/mm_access.js';
import { VmFlag } from '../mm/vma.js';
import { native } from '../platform/native.js';
import type { Kernel } from './kernel.js';
import { blockingPromise } from './blocking.js';

/** What the table needs of a task: its TID (PI owners) and how to park it. */
export interface FutexTask {
  readonly tid: number;
  park(waker: (r: number) => void): void;
  unpark(): void;
}

/** The key of a futex: an owner object (address space or shared object) and a number in it. */
export class FutexKey {
  owner: object = NO_OWNER;
  off = 0;
}
const NO_OWNER = {};

/**
 * Access to one kind of address space M (MemoryManager in the kernel, fakes in
 * tests). Addresses are numbers; invalid ones (negative, beyond the space) fault.
 */
export interface FutexMemory<M extends object> {
  /** The u32 at addr (4-aligned), or -EFAULT. */
  readU32(m: M, addr: number): number;
  /**
   * Atomically: old = *addr; if old === expect, *addr = value. Returns old,
   * or -EFAULT if addr is not writable (it faults in writable memory first,
   * as Linux's fault_in_user_writeable).
   */
  cmpxchgU32(m: M, addr: number, expect: number, value: number): number;
  /**
   * The key of the shared (non-private) futex at addr: the shared object and
   * offset for MAP_SHARED memory, or (m, addr + SHARED_ON_PRIVATE) for
   * private memory. Returns 0 or -EFAULT (unmapped, inaccessible, a
   * read-only private page, or !write-able when write is set).
   */
  sharedKey(m: M, addr: number, write: boolean, key: FutexKey): number;
  /** The highest address access_ok accepts (it checks only the start of a small access). */
  userPtrMax(m: M): number;
}

/** Added to the address in a shared futex's key on private memory (Linux FUT_OFF_MMSHARED); addresses are below 2^47. */
export const SHARED_ON_PRIVATE = 2 ** 48;

/** waitv entry flags. */
export const WAITV_SHARED = 1;
export const WAITV_NUMA = 2;
/** The node word of a FUTEX2_NUMA futex meaning "not chosen yet". */
const FUTEX_NO_NODE = 0xffffffff;

/** Deadline value meaning "no timeout". */
export const NO_DEADLINE = -1;

/** Bound on compare-and-exchange retries against a guest that keeps changing the word (Linux retries forever). */
const RETRY_LIMIT = 1 << 16;
/** lockPiAtomic: the word changed under us, start over. */
const RETRY = 2;
/** requeuePiOnce: the same (its other results are counts and errnos). */
const RETRY_REQUEUE = -0x10000;

const TWO32 = 4294967296;

const enum Kind {
  /** FUTEX_WAIT, FUTEX_WAIT_BITSET. */
  Plain,
  /** futex_waitv: several entries, resolves with an index. */
  Vector,
  /** FUTEX_LOCK_PI, FUTEX_LOCK_PI2 (Linux: q.pi_state and q.rt_waiter). */
  Pi,
  /** FUTEX_WAIT_REQUEUE_PI (q.rt_waiter; q.pi_state once requeued). */
  RequeuePi,
}

/** One blocked syscall. */
class Wait {
  done = false;
  /** In the pending wake list. */
  pending = false;
  /** Value to resolve with once woken (Vector: the highest woken index). */
  result = 0;
  entries: Waiter[] = [];
  resolve: (r: number) => void = noop;
  timer: ReturnType<typeof setTimeout> | null = null;
  immediate: ReturnType<typeof setImmediate> | null = null;

  constructor(
    readonly task: FutexTask,
    readonly kind: Kind,
    readonly clock: number,
    readonly deadline: number,
  ) {}
}
function noop(): void {}

/** One queued futex_q: an entry of a Wait in a key's queue. */
class Waiter {
  prev: Waiter | null = null;
  next: Waiter | null = null;
  queue: FutexQueue | null = null;
  /** RequeuePi: moved to the PI futex (has pi_state). */
  requeued = false;
  /** RequeuePi: the PI futex it expects to be requeued to. */
  key2Owner: object = NO_OWNER;
  key2Off = 0;
  addr2 = 0;

  constructor(
    readonly wait: Wait,
    readonly index: number,
    readonly bitset: number,
    /** Address space and address the waiter used (a PI hand-off writes the word there). */
    readonly space: object,
    public addr: number,
  ) {}

  /** Linux this->pi_state != NULL. */
  get hasPiState(): boolean {
    const k = this.wait.kind;
    return k === Kind.Pi || (k === Kind.RequeuePi && this.requeued);
  }
  /** Linux this->pi_state || this->rt_waiter. */
  get isPiWaiter(): boolean {
    const k = this.wait.kind;
    return k === Kind.Pi || k === Kind.RequeuePi;
  }
}

/** The kernel state of a contended PI futex (Linux futex_pi_state): its owner's TID. Lives while waiters do. */
class PiState {
  constructor(public owner: number) {}
}

/** The waiters on one key, in FIFO order (Linux's plist with equal priorities). */
class FutexQueue {
  head: Waiter | null = null;
  tail: Waiter | null = null;
  size = 0;
  pi: PiState | null = null;
  constructor(readonly owner: object, readonly off: number) {}
}

export interface FutexTableOptions {
  /** True if a task with this TID exists (PI futexes name their owner by TID). */
  tidExists(tid: number): boolean;
  /** Current time of a clock (CLOCK_MONOTONIC or CLOCK_REALTIME) in nanoseconds. */
  now?: (clock: number) => number;
}

const clockBuf = new Float64Array(2);
function hostNow(clock: number): number {
  native().hostClockGettime(clock, clockBuf);
  return clockBuf[0] * 1e9 + clockBuf[1];
}

export class FutexTable<M extends object> {
  private readonly buckets = new Map<object, Map<number, FutexQueue>>();
  /** Queues with a PI state (scanned when a task exits). */
  private readonly piQueues = new Set<FutexQueue>();
  /** Woken waits to resolve at the end of the current operation (Linux wake_q). */
  private readonly wakeQ: Wait[] = [];
  private readonly k1 = new FutexKey();
  private readonly k2 = new FutexKey();
  private readonly tidExists: (tid: number) => boolean;
  private readonly now: (clock: number) => number;
  /** lockPiAtomic's queue when it returns 0 (Linux's *ps). */
  private atomicQ: FutexQueue | null = null;
  /** Scratch for waitv. */
  private readonly vkeyOwners: object[] = [];
  private readonly vkeyOffs = new Float64Array(128);

  constructor(readonly mem: FutexMemory<M>, opts: FutexTableOptions) {
    this.tidExists = opts.tidExists;
    this.now = opts.now ?? hostNow;
  }

  /** The table's clock (for relative timeouts): nanoseconds of CLOCK_MONOTONIC or CLOCK_REALTIME. */
  clockNow(clock: number): number {
    return this.now(clock);
  }

  // --- keys and queues -------------------------------------------------------------------

  /** get_futex_key: 0, -EINVAL (misaligned) or -EFAULT. */
  key(m: M, addr: number, shared: boolean, write: boolean, out: FutexKey): number {
    if (addr % 4 !== 0) return -Errno.EINVAL;
    if (!(addr >= 0 && addr <= this.mem.userPtrMax(m))) return -Errno.EFAULT;
    if (shared) return this.mem.sharedKey(m, addr, write, out);
    out.owner = m;
    out.off = addr;
    return 0;
  }

  private find(k: FutexKey): FutexQueue | undefined {
    return this.buckets.get(k.owner)?.get(k.off);
  }

  private obtain(k: FutexKey): FutexQueue {
    let inner = this.buckets.get(k.owner);
    if (inner === undefined) {
      inner = new Map();
      this.buckets.set(k.owner, inner);
    }
    let q = inner.get(k.off);
    if (q === undefined) {
      q = new FutexQueue(k.owner, k.off);
      inner.set(k.off, q);
    }
    return q;
  }

  /** Forgets an empty queue (and its PI state, which lives only while waiters do). */
  private release(q: FutexQueue): void {
    if (q.size !== 0) return;
    if (q.pi !== null) {
      q.pi = null;
      this.piQueues.delete(q);
    }
    const inner = this.buckets.get(q.owner);
    if (inner !== undefined && inner.get(q.off) === q) {
      inner.delete(q.off);
      if (inner.size === 0) this.buckets.delete(q.owner);
    }
  }

  private append(q: FutexQueue, e: Waiter): void {
    e.queue = q;
    e.prev = q.tail;
    e.next = null;
    if (q.tail !== null) q.tail.next = e;
    else q.head = e;
    q.tail = e;
    q.size++;
  }

  /** Removes e from its queue, forgetting the queue once empty (a loop over it may go on: its links stay valid). */
  private unlink(e: Waiter): void {
    const q = e.queue;
    if (q === null) return;
    if (e.prev !== null) e.prev.next = e.next;
    else q.head = e.next;
    if (e.next !== null) e.next.prev = e.prev;
    else q.tail = e.prev;
    e.prev = e.next = null;
    e.queue = null;
    q.size--;
    this.release(q);
  }

  /** Number of waiters queued on a key (tests, /proc). */
  waiters(m: M, addr: number, shared: boolean): number {
    const k = new FutexKey();
    if (this.key(m, addr, shared, false, k) < 0) return 0;
    return this.find(k)?.size ?? 0;
  }

  /** The owner TID the kernel records for a contended PI futex, or 0 (tests). */
  piOwner(m: M, addr: number, shared: boolean): number {
    const k = new FutexKey();
    if (this.key(m, addr, shared, false, k) < 0) return 0;
    return this.find(k)?.pi?.owner ?? 0;
  }

  // --- blocking ----------------------------------------------------------------------------

  private newWaiter(w: Wait, index: number, q: FutexQueue, bitset: number, m: M, addr: number): Waiter {
    const e = new Waiter(w, index, bitset, m, addr);
    w.entries.push(e);
    this.append(q, e);
    return e;
  }

  /** Parks w's task and arms its deadline; resolves when it is woken, times out or is interrupted. */
  private block(w: Wait): Promise<number> {
    return blockingPromise<number>((resolve) => {
      w.resolve = resolve;
      w.task.park((r) => this.finish(w, this.interruptResult(w, r)));
      this.arm(w);
    });
  }

  private arm(w: Wait): void {
    if (w.deadline < 0 || w.done) return;
    const left = w.deadline - this.now(w.clock);
    if (left <= 0) {
      this.finish(w, -Errno.ETIMEDOUT);
      return;
    }
    const tick = (): void => {
      w.timer = null;
      w.immediate = null;
      this.arm(w);
    };
    // setTimeout may fire early by up to a millisecond: the last one is spent on the loop.
    if (left < 1e6) w.immediate = setImmediate(tick);
    else w.timer = setTimeout(tick, Math.min(Math.floor(left / 1e6), 0x7fffffff));
  }

  /**
   * What an interrupted wait returns. r is -EINTR / -ERESTARTSYS for a signal
   * (any other value: the task dies, and it is never delivered).
   */
  private interruptResult(w: Wait, r: number): number {
    const signal = r === -Errno.EINTR || r === -Errno.ERESTARTSYS;
    if (!signal) return r;
    switch (w.kind) {
      case Kind.Plain:
        // Linux: -ERESTARTSYS untimed; with a timeout -ERESTART_RESTARTBLOCK
        // (EINTR if a handler runs, else a restart with the same deadline).
        // ERESTARTNOHAND has the same outcome without a restart block (a
        // relative FUTEX_WAIT restarts its whole timeout).
        return w.deadline >= 0 && r === -Errno.ERESTARTSYS ? -Errno.ERESTARTNOHAND : r;
      case Kind.Pi:
        return -Errno.ERESTARTNOINTR; // futex_lock_pi: -EINTR becomes -ERESTARTNOINTR
      case Kind.RequeuePi:
        // Before the requeue: -ERESTARTNOINTR; after it, -EWOULDBLOCK (futex_wait_requeue_pi).
        return w.entries[0]?.requeued ? -Errno.EAGAIN : -Errno.ERESTARTNOINTR;
      default:
        return r; // futex_waitv: -ERESTARTSYS
    }
  }

  /** Ends a wait: dequeues every entry, stops its timer, unparks and resolves with r. */
  private finish(w: Wait, r: number): void {
    if (w.done) return;
    w.done = true;
    for (const e of w.entries) this.unlink(e);
    if (w.timer !== null) clearTimeout(w.timer);
    if (w.immediate !== null) clearImmediate(w.immediate);
    w.timer = null;
    w.immediate = null;
    w.task.unpark();
    w.resolve(r);
  }

  /** Marks e woken with result r (Vector: its index); resolved by flush(). */
  private markWoken(e: Waiter, r: number): void {
    this.unlink(e);
    const w = e.wait;
    if (w.kind === Kind.Vector) {
      if (!w.pending || e.index > w.result) w.result = e.index;
    } else {
      w.result = r;
    }
    if (!w.pending) {
      w.pending = true;
      this.wakeQ.push(w);
    }
  }

  private flush(): void {
    const q = this.wakeQ;
    for (let i = 0; i < q.length; i++) {
      const w = q[i];
      w.pending = false;
      this.finish(w, w.result);
    }
    q.length = 0;
  }

  private expired(clock: number, deadline: number): boolean {
    return deadline >= 0 && this.now(clock) >= deadline;
  }

  // --- FUTEX_WAIT, FUTEX_WAKE, requeue, wake-op -------------------------------------------------

  /**
   * FUTEX_WAIT / FUTEX_WAIT_BITSET: blocks while *addr == val until woken
   * (0), the absolute deadline on clock passes (-ETIMEDOUT; NO_DEADLINE:
   * never) or a signal. -EAGAIN if the word differs.
   */
  wait(m: M, task: FutexTask, addr: number, shared: boolean, val: number, bitset: number, clock: number, deadline: number): number | Promise<number> {
    if (bitset === 0) return -Errno.EINVAL;
    const k = this.k1;
    const r = this.key(m, addr, shared, false, k);
    if (r < 0) return r;
    const v = this.mem.readU32(m, addr);
    if (v < 0) return v;
    if (v !== val >>> 0) return -Errno.EAGAIN;
    if (this.expired(clock, deadline)) return -Errno.ETIMEDOUT;
    const w = new Wait(task, Kind.Plain, clock, deadline);
    this.newWaiter(w, 0, this.obtain(k), bitset, m, addr);
    return this.block(w);
  }

  /** Wakes up to n (an int: n <= 0 still wakes one, as Linux) waiters of q whose bitset meets bitset. */
  private wakeQueue(q: FutexQueue, n: number, bitset: number): number {
    let ret = 0;
    let next: Waiter | null;
    for (let e = q.head; e !== null; e = next) {
      next = e.next;
      if (e.isPiWaiter) return -Errno.EINVAL;
      if ((e.bitset & bitset) === 0) continue;
      this.markWoken(e, 0);
      if (++ret >= n) break;
    }
    return ret;
  }

  /** FUTEX_WAKE / FUTEX_WAKE_BITSET: the number woken, or -errno. */
  wake(m: M, addr: number, shared: boolean, n: number, bitset: number): number {
    if (bitset === 0) return -Errno.EINVAL;
    const k = this.k1;
    const r = this.key(m, addr, shared, false, k);
    if (r < 0) return r;
    const q = this.find(k);
    if (q === undefined) return 0;
    const ret = this.wakeQueue(q, n, bitset);
    this.flush();
    return ret;
  }

  /**
   * FUTEX_REQUEUE (cmp < 0) / FUTEX_CMP_REQUEUE (cmp: the expected *addr1):
   * wakes nWake waiters of addr1 and moves up to nRequeue others to addr2.
   * Returns woken + requeued, or -errno.
   */
  requeue(m: M, addr1: number, addr2: number, shared: boolean, nWake: number, nRequeue: number, cmp: number): number {
    if (nWake < 0 || nRequeue < 0) return -Errno.EINVAL;
    const k1 = this.k1;
    const k2 = this.k2;
    let r = this.key(m, addr1, shared, false, k1);
    if (r < 0) return r;
    r = this.key(m, addr2, shared, false, k2);
    if (r < 0) return r;
    if (cmp >= 0) {
      const v = this.mem.readU32(m, addr1);
      if (v < 0) return v;
      if (v !== cmp) return -Errno.EAGAIN;
    }
    const q1 = this.find(k1);
    if (q1 === undefined) return 0;
    const same = k1.owner === k2.owner && k1.off === k2.off;
    let q2: FutexQueue | null = null;
    let count = 0;
    let ret = 0;
    let next: Waiter | null;
    for (let e = q1.head; e !== null; e = next) {
      next = e.next;
      if (count - nWake >= nRequeue) break;
      if (e.isPiWaiter) {
        ret = -Errno.EINVAL;
        break;
      }
      if (++count <= nWake) {
        this.markWoken(e, 0);
      } else if (!same) {
        this.unlink(e);
        q2 ??= this.obtain(k2);
        this.append(q2, e);
      }
    }
    this.flush();
    return ret !== 0 ? ret : count;
  }

  /**
   * FUTEX_WAKE_OP: atomically applies the operation encoded in op to *addr2,
   * wakes up to n1 waiters of addr1 and, if the old value of *addr2 passes
   * the comparison, up to n2 of addr2. Returns the total woken or -errno.
   */
  wakeOp(m: M, addr1: number, addr2: number, shared: boolean, n1: number, n2: number, op: number): number {
    const k1 = this.k1;
    const k2 = this.k2;
    let r = this.key(m, addr1, shared, false, k1);
    if (r < 0) return r;
    r = this.key(m, addr2, shared, true, k2);
    if (r < 0) return r;
    const opRet = this.atomicOp(m, addr2, op);
    if (opRet < 0) return opRet;
    let ret = 0;
    const q1 = this.find(k1);
    if (q1 !== undefined) ret = this.wakeQueue(q1, n1, -1);
    if (ret >= 0 && opRet > 0) {
      const q2 = this.find(k2);
      if (q2 !== undefined) {
        const r2 = this.wakeQueue(q2, n2, -1);
        ret = r2 < 0 ? r2 : ret + r2;
      }
    }
    this.flush();
    return ret;
  }

  /**
   * futex_atomic_op_inuser: applies FUTEX_OP(op, oparg, cmp, cmparg) to the
   * word at addr; returns 1 or 0 (the comparison of the old value), -EFAULT,
   * or -ENOSYS for an unknown operation (nothing written) or comparison
   * (after the write, as Linux).
   */
  atomicOp(m: M, addr: number, encoded: number): number {
    const op = (encoded >>> 28) & 7;
    const cmp = (encoded >>> 24) & 15;
    let oparg = (((encoded >>> 12) & 0xfff) << 20) >> 20;
    const cmparg = ((encoded & 0xfff) << 20) >> 20;
    if (encoded & (FutexOpOp.FUTEX_OP_OPARG_SHIFT << 28)) {
      // Linux logs "tries to shift op by N; fix this program" and masks.
      oparg = 1 << (oparg & 31);
    }
    if (op > FutexOpOp.FUTEX_OP_XOR) return -Errno.ENOSYS;
    let old = this.mem.readU32(m, addr);
    if (old < 0) return old;
    for (let i = 0; ; i++) {
      let nv: number;
      switch (op) {
        case FutexOpOp.FUTEX_OP_SET: nv = oparg; break;
        case FutexOpOp.FUTEX_OP_ADD: nv = old + oparg; break;
        case FutexOpOp.FUTEX_OP_OR: nv = old | oparg; break;
        case FutexOpOp.FUTEX_OP_ANDN: nv = old & ~oparg; break;
        default: nv = old ^ oparg; break;
      }
      const c = this.mem.cmpxchgU32(m, addr, old, nv >>> 0);
      if (c < 0) return c;
      if (c === old) break;
      if (i >= RETRY_LIMIT) return -Errno.EAGAIN;
      old = c;
    }
    const o = old | 0;
    switch (cmp) {
      case FutexOpCmp.FUTEX_OP_CMP_EQ: return o === cmparg ? 1 : 0;
      case FutexOpCmp.FUTEX_OP_CMP_NE: return o !== cmparg ? 1 : 0;
      case FutexOpCmp.FUTEX_OP_CMP_LT: return o < cmparg ? 1 : 0;
      case FutexOpCmp.FUTEX_OP_CMP_GE: return o >= cmparg ? 1 : 0;
      case FutexOpCmp.FUTEX_OP_CMP_LE: return o <= cmparg ? 1 : 0;
      case FutexOpCmp.FUTEX_OP_CMP_GT: return o > cmparg ? 1 : 0;
      default: return -Errno.ENOSYS;
    }
  }

  // --- futex_waitv -------------------------------------------------------------------------------

  /**
   * futex_waitv after parsing: waits on count futexes (addrs[i], vals[i],
   * flags[i] of WAITV_SHARED / WAITV_NUMA) until one is woken (resolves with
   * its index), the deadline passes or a signal comes. -EAGAIN if a word
   * differs; key errors as Linux.
   */
  waitv(m: M, task: FutexTask, count: number, addrs: Float64Array, vals: Uint32Array, flags: Uint8Array, clock: number, deadline: number): number | Promise<number> {
    const owners = this.vkeyOwners;
    const offs = this.vkeyOffs;
    const k = this.k1;
    let r = 0;
    for (let i = 0; i < count && r === 0; i++) {
      if ((flags[i] & WAITV_NUMA) !== 0) r = this.numaNode(m, addrs[i]);
      if (r === 0) r = this.key(m, addrs[i], (flags[i] & WAITV_SHARED) !== 0, false, k);
      owners[i] = k.owner;
      offs[i] = k.off;
    }
    for (let i = 0; i < count && r === 0; i++) {
      const v = this.mem.readU32(m, addrs[i]);
      if (v < 0 || v !== vals[i]) r = v < 0 ? v : -Errno.EAGAIN;
    }
    if (r === 0 && this.expired(clock, deadline)) r = -Errno.ETIMEDOUT;
    if (r !== 0) {
      owners.length = 0;
      return r;
    }
    const w = new Wait(task, Kind.Vector, clock, deadline);
    for (let i = 0; i < count; i++) {
      k.owner = owners[i];
      k.off = offs[i];
      this.newWaiter(w, i, this.obtain(k), FUTEX_BITSET_MATCH_ANY, m, addrs[i]);
    }
    owners.length = 0;
    return this.block(w);
  }

  /**
   * The node word of a FUTEX2_NUMA futex (a u32 pair {value, node}, 8-byte
   * aligned): must be FUTEX_NO_NODE, which becomes the current node, or a
   * possible node. The sandbox has one node, 0. Returns 0, -EINVAL or -EFAULT.
   */
  private numaNode(m: M, addr: number): number {
    if (addr % 8 !== 0) return -Errno.EINVAL;
    if (!(addr >= 0 && addr <= this.mem.userPtrMax(m))) return -Errno.EFAULT;
    const node = this.mem.readU32(m, addr + 4);
    if (node < 0) return node;
    if (node === FUTEX_NO_NODE) {
      const c = this.mem.cmpxchgU32(m, addr + 4, node, 0);
      return c < 0 ? c : 0;
    }
    return node === 0 ? 0 : -Errno.EINVAL;
  }

  // --- PI futexes --------------------------------------------------------------------------------

  /**
   * futex_lock_pi_atomic for task tid on the word at addr (key k): 1 if it
   * took the lock (with setWaiters, FUTEX_WAITERS is set and a PI state
   * attached to tid), 0 if it must block (this.atomicQ holds the PI state),
   * RETRY if the word changed, or -errno.
   */
  private lockPiAtomic(m: M, addr: number, k: FutexKey, tid: number, setWaiters: boolean): number {
    const uval = this.mem.readU32(m, addr);
    if (uval < 0) return uval;
    if ((uval & FutexWord.FUTEX_TID_MASK) === tid) return -Errno.EDEADLK;
    const q = this.find(k);
    if (q !== undefined && q.head !== null) {
      // attach_to_pi_state: the futex is contended; check the word agrees with the kernel.
      if (!q.head.hasPiState || q.pi === null) return -Errno.EINVAL;
      const pid = uval & FutexWord.FUTEX_TID_MASK;
      if (!((uval & FutexWord.FUTEX_OWNER_DIED) !== 0 && pid === 0) && pid !== q.pi.owner) return -Errno.EINVAL;
      this.atomicQ = q;
      return 0;
    }
    if ((uval & FutexWord.FUTEX_TID_MASK) === 0) {
      // Free (maybe OWNER_DIED, kept): take it.
      const nv = ((uval & FutexWord.FUTEX_OWNER_DIED) | tid | (setWaiters ? FutexWord.FUTEX_WAITERS : 0)) >>> 0;
      const c = this.mem.cmpxchgU32(m, addr, uval, nv);
      if (c < 0) return c;
      if (c !== uval) return RETRY;
      if (setWaiters) {
        const nq = this.obtain(k);
        nq.pi = new PiState(tid);
        this.piQueues.add(nq);
        this.atomicQ = nq;
      }
      return 1;
    }
    // First waiter: set FUTEX_WAITERS, then attach to the owner named by the word.
    const nv = (uval | FutexWord.FUTEX_WAITERS) >>> 0;
    const c = this.mem.cmpxchgU32(m, addr, uval, nv);
    if (c < 0) return c;
    if (c !== uval) return RETRY;
    const owner = uval & FutexWord.FUTEX_TID_MASK;
    if (!this.tidExists(owner)) {
      // handle_exit_race: ESRCH unless the word changed meanwhile.
      const u2 = this.mem.readU32(m, addr);
      if (u2 < 0) return u2;
      return u2 !== nv ? RETRY : -Errno.ESRCH;
    }
    const nq = this.obtain(k);
    nq.pi = new PiState(owner);
    this.piQueues.add(nq);
    this.atomicQ = nq;
    return 0;
  }

  private takeAtomicQ(): FutexQueue | null {
    const q = this.atomicQ;
    this.atomicQ = null;
    return q;
  }

  /**
   * FUTEX_LOCK_PI / FUTEX_LOCK_PI2 / FUTEX_TRYLOCK_PI: 0 when task owns the
   * lock (its TID in the word), blocking until the owner hands it over.
   */
  lockPi(m: M, task: FutexTask, addr: number, shared: boolean, clock: number, deadline: number, trylock: boolean): number | Promise<number> {
    const k = this.k1;
    const r = this.key(m, addr, shared, true, k);
    if (r < 0) return r;
    for (let i = 0; i < RETRY_LIMIT; i++) {
      this.atomicQ = null;
      const a = this.lockPiAtomic(m, addr, k, task.tid, false);
      if (a === RETRY) continue;
      if (a === 1) return 0;
      const q = this.takeAtomicQ();
      if (a < 0 || q === null) return a < 0 ? a : -Errno.EINVAL;
      if (trylock || this.expired(clock, deadline)) {
        this.release(q);
        return trylock ? -Errno.EAGAIN : -Errno.ETIMEDOUT;
      }
      const w = new Wait(task, Kind.Pi, clock, deadline);
      this.newWaiter(w, 0, q, FUTEX_BITSET_MATCH_ANY, m, addr);
      return this.block(w);
    }
    return -Errno.EAGAIN;
  }

  /**
   * FUTEX_UNLOCK_PI: task releases the lock at addr: hands it to the first
   * waiter (its TID | FUTEX_WAITERS in the word) or stores 0.
   */
  unlockPi(m: M, task: FutexTask, addr: number, shared: boolean): number {
    const tid = task.tid;
    const k = this.k1;
    for (let i = 0; i < RETRY_LIMIT; i++) {
      const uval = this.mem.readU32(m, addr);
      if (uval < 0) return uval;
      if ((uval & FutexWord.FUTEX_TID_MASK) !== tid) return -Errno.EPERM;
      const r = this.key(m, addr, shared, true, k);
      if (r < 0) return r;
      const q = this.find(k);
      if (q !== undefined && q.head !== null) {
        const top = q.head;
        if (!top.hasPiState || q.pi === null || q.pi.owner !== tid) return -Errno.EINVAL;
        // wake_futex_pi: the top waiter becomes the owner.
        const newTid = top.wait.task.tid;
        const nv = (FutexWord.FUTEX_WAITERS | newTid) >>> 0;
        const c = this.mem.cmpxchgU32(m, addr, uval, nv);
        if (c < 0) return c;
        if (c !== uval) {
          if ((c & FutexWord.FUTEX_TID_MASK) === uval) continue;
          return -Errno.EINVAL;
        }
        q.pi.owner = newTid;
        this.markWoken(top, 0);
        this.flush();
        return 0;
      }
      // No waiters in the kernel: clear the word (dropping WAITERS and OWNER_DIED).
      const c = this.mem.cmpxchgU32(m, addr, uval, 0);
      if (c < 0) return c;
      return c === uval ? 0 : -Errno.EAGAIN;
    }
    return -Errno.EAGAIN;
  }

  /**
   * FUTEX_WAIT_REQUEUE_PI: waits on the non-PI futex addr (like FUTEX_WAIT)
   * for a FUTEX_CMP_REQUEUE_PI to move it to the PI futex addr2; returns 0
   * once it owns addr2.
   */
  waitRequeuePi(m: M, task: FutexTask, addr: number, addr2: number, shared: boolean, val: number, bitset: number, clock: number, deadline: number): number | Promise<number> {
    if (addr === addr2) return -Errno.EINVAL;
    if (bitset === 0) return -Errno.EINVAL;
    const k1 = this.k1;
    const k2 = this.k2;
    let r = this.key(m, addr2, shared, true, k2);
    if (r < 0) return r;
    r = this.key(m, addr, shared, false, k1);
    if (r < 0) return r;
    const v = this.mem.readU32(m, addr);
    if (v < 0) return v;
    if (v !== val >>> 0) return -Errno.EAGAIN;
    if (k1.owner === k2.owner && k1.off === k2.off) return -Errno.EINVAL;
    if (this.expired(clock, deadline)) return -Errno.ETIMEDOUT;
    const w = new Wait(task, Kind.RequeuePi, clock, deadline);
    const e = this.newWaiter(w, 0, this.obtain(k1), bitset, m, addr);
    e.key2Owner = k2.owner;
    e.key2Off = k2.off;
    e.addr2 = addr2;
    return this.block(w);
  }

  /**
   * FUTEX_CMP_REQUEUE_PI: if *addr1 == cmp, takes the PI futex addr2 for
   * the first waiter if it is free (waking it), and requeues up to nRequeue
   * waiters onto addr2's PI state. Returns woken + requeued, or -errno.
   */
  cmpRequeuePi(m: M, addr1: number, addr2: number, shared: boolean, nWake: number, nRequeue: number, cmp: number): number {
    if (nWake < 0 || nRequeue < 0) return -Errno.EINVAL;
    if (addr1 === addr2 || nWake !== 1) return -Errno.EINVAL;
    const k1 = this.k1;
    const k2 = this.k2;
    let r = this.key(m, addr1, shared, false, k1);
    if (r < 0) return r;
    r = this.key(m, addr2, shared, true, k2);
    if (r < 0) return r;
    if (k1.owner === k2.owner && k1.off === k2.off) return -Errno.EINVAL;
    for (let i = 0; i < RETRY_LIMIT; i++) {
      const v = this.mem.readU32(m, addr1);
      if (v < 0) return v;
      if (v !== cmp) return -Errno.EAGAIN;
      const a = this.requeuePiOnce(m, addr2, nRequeue);
      if (a !== RETRY_REQUEUE) return a;
    }
    return -Errno.EAGAIN;
  }

  private requeuePiOnce(m: M, addr2: number, nRequeue: number): number {
    const k1 = this.k1;
    const k2 = this.k2;
    const q1 = this.find(k1);
    let count = 0;
    let pq: FutexQueue | null = null;
    // futex_proxy_trylock_atomic: try to take addr2 for the top waiter.
    const top = q1?.head ?? null;
    if (top !== null) {
      if (top.wait.kind !== Kind.RequeuePi || top.requeued) return -Errno.EINVAL;
      if (top.key2Owner !== k2.owner || top.key2Off !== k2.off) return -Errno.EINVAL;
      this.atomicQ = null;
      const a = this.lockPiAtomic(m, addr2, k2, top.wait.task.tid, nRequeue !== 0);
      pq = this.takeAtomicQ();
      if (a === RETRY || a < 0) {
        if (pq !== null) this.release(pq);
        return a === RETRY ? RETRY_REQUEUE : a;
      }
      if (a === 1) {
        // The top waiter owns addr2 now: wake it (requeue_pi_wake_futex).
        this.markWoken(top, 0);
        count++;
      }
    }
    let ret = 0;
    let next: Waiter | null;
    for (let e = q1 !== undefined && q1.size > 0 ? q1.head : null; e !== null; e = next) {
      next = e.next;
      if (count - 1 >= nRequeue) break;
      if (e.wait.kind !== Kind.RequeuePi || e.requeued) {
        ret = -Errno.EINVAL;
        break;
      }
      if (e.key2Owner !== k2.owner || e.key2Off !== k2.off || pq === null || pq.pi === null) {
        ret = -Errno.EINVAL;
        break;
      }
      if (e.wait.task.tid === pq.pi.owner) {
        // rt_mutex_start_proxy_lock: the waiter owns the PI futex already.
        ret = -Errno.EDEADLK;
        break;
      }
      this.unlink(e);
      e.requeued = true;
      e.addr = e.addr2;
      this.append(pq, e);
      count++;
    }
    if (pq !== null) this.release(pq);
    this.flush();
    return ret !== 0 ? ret : count;
  }

  // --- thread exit -------------------------------------------------------------------------------

  /**
   * Linux futex_cleanup at thread exit (and exec): walks the robust list at
   * head (exit_robust_list: at most ROBUST_LIST_LIMIT entries, then
   * list_op_pending), marking FUTEX_OWNER_DIED on each word whose TID is tid
   * and waking a waiter of the non-PI ones; then hands every PI futex tid
   * owns to its first waiter (exit_pi_state_list).
   */
  exitCleanup(m: M, tid: number, head: number): void {
    if (head !== 0) this.exitRobustList(m, tid, head);
    this.exitPiStateList(tid);
  }

  private readonly ptr = { lo: 0, hi: 0, pi: 0 };

  /** fetch_robust_entry: the pointer at addr in ptr (bit 0 → pi); false on a fault. */
  private fetchPtr(m: M, addr: number): boolean {
    const lo = this.mem.readU32(m, addr);
    if (lo < 0) return false;
    const hi = this.mem.readU32(m, addr + 4);
    if (hi < 0) return false;
    this.ptr.pi = lo & 1;
    this.ptr.lo = (lo & ~1) >>> 0;
    this.ptr.hi = hi;
    return true;
  }

  private exitRobustList(m: M, tid: number, head: number): void {
    const p = this.ptr;
    if (!this.fetchPtr(m, head + RobustListHeadOffset.LIST)) return;
    let eLo = p.lo;
    let eHi = p.hi;
    let pi = p.pi;
    // futex_offset is a long: the sum wraps modulo 2^64.
    const offLo = this.mem.readU32(m, head + RobustListHeadOffset.FUTEX_OFFSET);
    if (offLo < 0) return;
    const offHi = this.mem.readU32(m, head + RobustListHeadOffset.FUTEX_OFFSET + 4);
    if (offHi < 0) return;
    if (!this.fetchPtr(m, head + RobustListHeadOffset.LIST_OP_PENDING)) return;
    const pLo = p.lo;
    const pHi = p.hi;
    const pip = p.pi;
    const headLo = head % TWO32;
    const headHi = Math.floor(head / TWO32);
    let limit = ROBUST_LIST_LIMIT;
    while (!(eLo === headLo && eHi === headHi)) {
      const ok = this.fetchPtr(m, toAddr(eHi, eLo));
      const nLo = p.lo;
      const nHi = p.hi;
      const nPi = p.pi;
      if (!(eLo === pLo && eHi === pHi)) {
        if (this.handleFutexDeath(m, addWrap(eHi, eLo, offHi, offLo), tid, pi !== 0, false) !== 0) return;
      }
      if (!ok) return;
      eLo = nLo;
      eHi = nHi;
      pi = nPi;
      if (--limit === 0) break;
    }
    if (pLo !== 0 || pHi !== 0) this.handleFutexDeath(m, addWrap(pHi, pLo, offHi, offLo), tid, pip !== 0, true);
  }

  /** handle_futex_death: 0, or -1 to stop the walk. */
  private handleFutexDeath(m: M, uaddr: number, tid: number, pi: boolean, pending: boolean): number {
    if (!(uaddr >= 0) || uaddr % 4 !== 0) return -1;
    for (let i = 0; i < RETRY_LIMIT; i++) {
      const uval = this.mem.readU32(m, uaddr);
      if (uval < 0) return -1;
      const owner = uval & FutexWord.FUTEX_TID_MASK;
      if (pending && !pi && owner === 0) {
        // The owner released the word but died before waking anyone.
        this.wake(m, uaddr, true, 1, FUTEX_BITSET_MATCH_ANY);
        return 0;
      }
      if (owner !== tid) return 0;
      const mval = ((uval & FutexWord.FUTEX_WAITERS) | FutexWord.FUTEX_OWNER_DIED) >>> 0;
      const c = this.mem.cmpxchgU32(m, uaddr, uval, mval);
      if (c < 0) return -1;
      if (c !== uval) continue;
      if (!pi && (uval & FutexWord.FUTEX_WAITERS) !== 0) this.wake(m, uaddr, true, 1, FUTEX_BITSET_MATCH_ANY);
      return 0;
    }
    return -1;
  }

  /** exit_pi_state_list: every contended PI futex owned by tid goes to its first waiter, OWNER_DIED kept. */
  private exitPiStateList(tid: number): void {
    if (this.piQueues.size === 0) return;
    for (const q of [...this.piQueues]) {
      const pi = q.pi;
      if (pi === null || pi.owner !== tid) continue;
      let top = q.head;
      while (top !== null && !top.hasPiState) top = top.next;
      if (top === null) continue;
      const newTid = top.wait.task.tid;
      pi.owner = newTid;
      // fixup_pi_state_owner, done for the new owner in its address space.
      const m = top.space as M;
      let res = 0;
      for (let i = 0; i < RETRY_LIMIT; i++) {
        const u = this.mem.readU32(m, top.addr);
        if (u < 0) {
          res = u;
          break;
        }
        const nv = ((u & FutexWord.FUTEX_OWNER_DIED) | FutexWord.FUTEX_WAITERS | newTid) >>> 0;
        const c = this.mem.cmpxchgU32(m, top.addr, u, nv);
        if (c < 0) {
          res = c;
          break;
        }
        if (c === u) break;
      }
      this.markWoken(top, res);
    }
    this.flush();
  }
}

/** A 64-bit pointer as an address, or -1 if it is beyond 2^53 (never a user address). */
function toAddr(hi: number, lo: number): number {
  return hi < 0x200000 ? hi * TWO32 + lo : -1;
}

/** (hi:lo + offHi:offLo) mod 2^64 as an address (see toAddr). */
function addWrap(hi: number, lo: number, offHi: number, offLo: number): number {
  let l = lo + offLo;
  let carry = 0;
  if (l >= TWO32) {
    l -= TWO32;
    carry = 1;
  }
  return toAddr((hi + offHi + carry) >>> 0, l);
}

// --- the kernel's table over MemoryManagers -----------------------------------------------------------

// Atomic compare-and-exchange on a MemoryFile window (shared with the stubs).
const u32Views = new WeakMap<ArrayBufferLike, Uint32Array>();
let xExpect = 0;
let xValue = 0;
let xOld = 0;
const cmpxchgSegment: GuestSegmentFn = (buf, off, len) => {
  const ab = buf.buffer;
  let v = u32Views.get(ab);
  if (v === undefined) {
    v = new Uint32Array(ab, 0, Math.floor(ab.byteLength / 4));
    u32Views.set(ab, v);
  }
  xOld = Atomics.compareExchange(v, (buf.byteOffset + off) >>> 2, xExpect, xValue);
  return len;
};

/** FutexMemory over the kernel's MemoryManager. */
export const mmFutexMemory: FutexMemory<MemoryManager> = {
  readU32: (mm, addr) => mm.readU32(addr),
  cmpxchgU32(mm, addr, expect, value) {
    xExpect = expect;
    xValue = value;
    xOld = -1;
    // forWrite: checks PROT_WRITE, gives backing and breaks copy-on-write (fault_in_user_writeable).
    const n = mm.forEachSegment(addr, 4, true, cmpxchgSegment);
    return n === 4 && xOld >= 0 ? xOld : -Errno.EFAULT;
  },
  sharedKey(mm, addr, write, key) {
    const v = mm.vmas.find(addr);
    if (v === undefined) return -Errno.EFAULT;
    const writable = (v.prot & PROT_WRITE) !== 0;
    // The page offset in the object or file (pgoff is the offset of v.start in it).
    const pg = v.pgoff + (Math.floor(addr / PAGE_SIZE) - v.start / PAGE_SIZE);
    if ((v.flags & VmFlag.Shared) !== 0 && v.obj !== null) {
      // get_user_pages: FOLL_WRITE, else (a read) a readable mapping.
      if (!writable && (write || (v.prot & PROT_READ) === 0)) return -Errno.EFAULT;
      if (pg >= v.obj.sizePages) return -Errno.EFAULT; // past the object: SIGBUS for the guest
      // Linux keys shared memory by inode and page offset: a file's pages are
      // one futex however they are mapped; anonymous shared memory by its object.
      key.owner = v.file?.key ?? v.obj;
      key.off = pg * PAGE_SIZE + (addr % PAGE_SIZE);
      return 0;
    }
    if (writable) {
      // Private memory: get_user_pages(FOLL_WRITE) makes it an anonymous page (breaking copy-on-write).
      key.owner = mm;
      key.off = addr + SHARED_ON_PRIVATE;
      return 0;
    }
    // A read-only private mapping: a file page still in the page cache is keyed
    // by the file (Linux's inode key); a read-only anonymous page is EFAULT.
    // (A page copied before the mapping became read-only would be anonymous:
    // Linux says EFAULT there, this keys it by the file.)
    if (v.file === null || (write || (v.prot & PROT_READ) === 0)) return -Errno.EFAULT;
    if (pg >= Math.ceil(v.file.size / PAGE_SIZE)) return -Errno.EFAULT;
    key.owner = v.file.key;
    key.off = pg * PAGE_SIZE + (addr % PAGE_SIZE);
    return 0;
  },
  userPtrMax: () => USER_PTR_MAX,
};

const tables = new WeakMap<Kernel, FutexTable<MemoryManager>>();

/** The kernel's futex table (created on first use). */
export function futexTable(k: Kernel): FutexTable<MemoryManager> {
  let t = tables.get(k);
  if (t === undefined) {
    t = new FutexTable(mmFutexMemory, { tidExists: (tid) => taskExists(k, tid) });
    tables.set(k, t);
  }
  return t;
}

/** A live task has this TID (an exited one has already released its futexes: Linux's handle_exit_race then says ESRCH). */
function taskExists(k: Kernel, tid: number): boolean {
  const t = k.tasks.get(tid);
  return t !== undefined && !t.exited;
}

/**
 * Wakes up to n waiters of the futex at addr in mm, keyed as a shared futex
 * (FUTEX_WAKE without FUTEX_PRIVATE_FLAG), as Linux does for
 * CLONE_CHILD_CLEARTID (mm_release) and robust lists. Returns the number woken.
 */
export function futexWake(k: Kernel, mm: MemoryManager, addr: number, n: number): number {
  const r = futexTable(k).wake(mm, addr, true, n, FUTEX_BITSET_MATCH_ANY);
  return r < 0 ? 0 : r;
}

/**
 * Futex clean-up for a task that exits (or execs): Linux futex_cleanup.
 * Walks task.robustListHead in the task's address space (marking
 * FUTEX_OWNER_DIED and waking waiters), forgets the list, and hands the PI
 * futexes the task owns to their waiters. Call while the task's memory is
 * still mapped, before its TID can be reused.
 */
export function exitRobustList(k: Kernel, task: { tid: number; robustListHead: number; tg: { mm: MemoryManager } }): void {
  const head = task.robustListHead;
  task.robustListHead = 0;
  futexTable(k).exitCleanup(task.tg.mm, task.tid, head);
}
