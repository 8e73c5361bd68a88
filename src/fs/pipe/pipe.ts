// The pipe buffer shared by both ends of a pipe or a FIFO, with the
// semantics of man 7 pipe and fs/pipe.c (Linux 6.x), as observable from
// user space:
//
// - The buffer is a ring of at most `slots` page-sized buffers. A write
//   first tries to append its last (len % 4096) bytes to the newest buffer
//   (only if all of them fit there, and that buffer is not a packet), then
//   fills whole new pages. So a write of at most PIPE_BUF bytes lands in one
//   buffer (atomic), the pipe is "full" when every slot is used (not when
//   65536 bytes are held), and F_SETPIPE_SZ is EBUSY below the slots in use.
// - read returns what is there (up to the length asked); it blocks only while
//   the pipe is empty and a writer exists (else EOF, 0).
// - write blocks while no slot is free and a reader exists; with no reader it
//   fails with EPIPE (after sigpipe) or returns what it wrote before.
// - O_NONBLOCK: EAGAIN instead of blocking (a partial count if some went in).
// - O_DIRECT on the writing file: each page a write fills is a packet; a read
//   returns at most one packet and discards the rest of it.
// - A fault copying from or to the guest: EFAULT, or the count moved before
//   it; the buffer that faulted is neither committed nor consumed.
//
// Blocked calls park in FIFO queues and are woken in order whenever the state
// changes: while readers are parked the pipe is empty, and while writers are
// parked no slot is free, so a newcomer never overtakes a parked call.
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { allocAnonDev } from '../../vfs/anon_dev.js';
import type { IoResult } from '../../vfs/file.js';
import { realtimeClock, type Timestamp } from '../../vfs/timestamp.js';
import { defaultPipeAccounting, PAGE_SHIFT, PAGE_SIZE, roundPipeSize, type PipeAccounting, type PipeCaller } from './accounting.js';
import { pipeHooks, registerParked, unregisterParked, type Interruptible, type TaskToken } from './hooks.js';
import type { IoCursor } from './iov.js';
import { blockingPromise } from '../../kernel/blocking.js';

/** poll(2) bits (<asm-generic/poll.h>); the EPOLL* values are the same. */
export const enum PollEvent {
  POLLIN = 0x001,
  POLLPRI = 0x002,
  POLLOUT = 0x004,
  POLLERR = 0x008,
  POLLHUP = 0x010,
  POLLRDNORM = 0x040,
  POLLWRNORM = 0x100,
}

/** The file's current O_* status flags (read at every attempt: F_SETFL may change them while a call is parked). */
export type StatusFlags = () => number;

interface Slot {
  page: Uint8Array;
  /** Where unread data starts in page. */
  offset: number;
  len: number;
  /** PIPE_BUF_FLAG_PACKET (written in O_DIRECT mode). */
  packet: boolean;
  /** PIPE_BUF_FLAG_CAN_MERGE: a later write may append to it (plain writes; not spliced or tee'd buffers). */
  merge: boolean;
}

/** writeLoop's answer when the write must wait for a free slot. */
const PARK = -0x7ffffffe;

/** Pipe.spliceTo's answer when nothing could move yet (input empty or output full): wait and retry. */
export const SPLICE_RETRY = -0x7ffffffd;

abstract class Waiter implements Interruptible {
  done = false;
  resolve: (r: number) => void = () => {};
  constructor(readonly pipe: Pipe, readonly task: TaskToken) {}

  /** Completes the parked call with r. */
  finish(r: number): void {
    if (this.done) return;
    this.done = true;
    unregisterParked(this.task, this);
    this.resolve(r);
  }

  interrupt(r: number): boolean {
    if (this.done) return false;
    this.pipe.dropWaiter(this);
    this.finish(this.partial(r));
    this.pipe.afterInterrupt(this);
    return true;
  }

  /** The result of an interrupted call: r, or what it transferred already. */
  protected partial(r: number): number {
    return r;
  }
}

class ReadWaiter extends Waiter {
  constructor(pipe: Pipe, task: TaskToken, readonly cur: IoCursor) {
    super(pipe, task);
  }
}

class WriteWaiter extends Waiter {
  /** Bytes written so far (pipe_write's ret). */
  ret = 0;
  constructor(pipe: Pipe, task: TaskToken, readonly cur: IoCursor, readonly flags: StatusFlags) {
    super(pipe, task);
  }
  protected override partial(r: number): number {
    return this.ret > 0 ? this.ret : r;
  }
}

/** A splice or tee waiting until the pipe can be read (data, or no writer) or written (a free slot, or no reader). */
class ReadyWaiter extends Waiter {
  constructor(pipe: Pipe, task: TaskToken, readonly forWrite: boolean) {
    super(pipe, task);
  }
}

/** A FIFO open waiting for the other side (wait_for_partner): wakes when that side's open counter moves. */
class PartnerWaiter extends Waiter {
  constructor(pipe: Pipe, task: TaskToken, readonly forWriter: boolean, readonly start: number) {
    super(pipe, task);
  }
}

/**
 * Free pages shared by every pipe, so steady traffic allocates nothing. Pages
 * are carved from 64 KiB chunks; at most POOL_MAX (4 MiB) are kept.
 */
const POOL_MAX = 1024;
const CHUNK_PAGES = 16;
const pagePool: Uint8Array[] = [];

function allocPage(): Uint8Array {
  const p = pagePool.pop();
  if (p) return p;
  const chunk = new ArrayBuffer(CHUNK_PAGES * PAGE_SIZE);
  for (let i = 1; i < CHUNK_PAGES; i++) pagePool.push(new Uint8Array(chunk, i * PAGE_SIZE, PAGE_SIZE));
  return new Uint8Array(chunk, 0, PAGE_SIZE);
}

function freePage(p: Uint8Array): void {
  if (pagePool.length < POOL_MAX) pagePool.push(p);
}

let nextIno = 4096;
let pipefsDev = -1;

/** st_dev of pipes (pipefs: an anonymous device, allocated on first use). */
export function pipefsDevice(): number {
  if (pipefsDev < 0) pipefsDev = allocAnonDev();
  return pipefsDev;
}

export interface PipeOptions {
  accounting?: PipeAccounting;
  /** Called once when the last end is closed and the buffer freed (a FIFO forgets it then). */
  onFree?: () => void;
}

export class Pipe {
  /** pipefs inode number: /proc/PID/fd shows pipe:[ino]; fstat's st_ino. */
  readonly ino = nextIno++;
  /** Owner and times for fstat (an anonymous pipe's inode: S_IFIFO|0600, the creator's fsuid/fsgid). */
  readonly uid: number;
  readonly gid: number;
  readonly created: Timestamp = realtimeClock.now();
  /** Open ends by access (pipe->readers, pipe->writers): struct files, not descriptors. */
  readers = 0;
  writers = 0;
  /** Opens ever made by access (r_counter, w_counter): FIFO opens wait for the other one to move. */
  rCounter = 1;
  wCounter = 1;

  private slots: number;
  /** The ring: q[qHead..] are the buffers in use, oldest first. */
  private q: (Slot | undefined)[] = [];
  private qHead = 0;
  private bytes = 0;
  private readonly readWaiters: ReadWaiter[] = [];
  private readonly writeWaiters: WriteWaiter[] = [];
  private readonly partnerWaiters: PartnerWaiter[] = [];
  private readonly readyWaiters: ReadyWaiter[] = [];
  private readonly listeners = new Set<() => void>();
  private pumping = false;
  /** Data moved since the flag was cleared (pump loops while it does). */
  private moved = false;
  /** State changed since listeners were last told. */
  private dirty = false;
  private freed = false;
  private readonly accounting: PipeAccounting;
  private readonly owner: number;
  private readonly onFree: (() => void) | undefined;

  /** A new pipe with no end open yet (open() the ends), or -ENFILE over the limits. */
  static create(caller: PipeCaller, opts: PipeOptions = {}): Pipe | number {
    const accounting = opts.accounting ?? defaultPipeAccounting;
    const slots = accounting.allocate(caller);
    if (slots < 0) return slots;
    return new Pipe(caller, slots, accounting, opts.onFree);
  }

  private constructor(caller: PipeCaller, slots: number, accounting: PipeAccounting, onFree: (() => void) | undefined) {
    this.slots = slots;
    this.accounting = accounting;
    this.owner = caller.uid;
    this.uid = caller.fsuid;
    this.gid = caller.fsgid;
    this.onFree = onFree;
  }

  /** F_GETPIPE_SZ: the capacity in bytes (slots × page size). */
  get size(): number {
    return this.slots * PAGE_SIZE;
  }

  /** FIONREAD: bytes held. */
  get queued(): number {
    return this.bytes;
  }

  /** Buffers in use (pipe_occupancy). */
  get occupancy(): number {
    return this.q.length - this.qHead;
  }

  get isFree(): boolean {
    return this.freed;
  }

  /** Calls parked on this pipe (for tests and /proc). */
  get parkedReaders(): number {
    return this.readWaiters.length;
  }

  get parkedWriters(): number {
    return this.writeWaiters.length;
  }

  // ---------------------------------------------------------------------------
  // Reading

  /** pipe_read into cur. A Promise when it parks. */
  read(cur: IoCursor, flags: StatusFlags): IoResult {
    if (cur.remaining === 0) return 0;
    if (this.occupancy > 0) {
      const r = this.readSome(cur);
      this.settle();
      return r;
    }
    if (this.writers === 0) return 0;
    if ((flags() & OpenFlag.O_NONBLOCK) !== 0) return -Errno.EAGAIN;
    const w = new ReadWaiter(this, pipeHooks.currentTask(), cur);
    this.readWaiters.push(w);
    return this.park(w);
  }

  /** Copies out of the ring; bytes read, or -EFAULT if the first copy faulted. The ring is not empty. */
  private readSome(cur: IoCursor): number {
    let ret = 0;
    let total = cur.remaining;
    let fault = false;
    while (this.occupancy > 0) {
      const buf = this.q[this.qHead]!;
      let chars = buf.len;
      if (chars > total) chars = total;
      const written = cur.copyOut(buf.page, buf.offset, chars);
      if (written < chars) {
        fault = true;
        break;
      }
      ret += chars;
      buf.offset += chars;
      buf.len -= chars;
      this.bytes -= chars;
      if (buf.packet) {
        // A packet is read whole or its rest is dropped; one packet per read.
        this.bytes -= buf.len;
        total = chars;
        buf.len = 0;
      }
      if (buf.len === 0) this.popSlot();
      total -= chars;
      if (total === 0) break;
    }
    if (ret > 0) {
      this.moved = true;
      this.dirty = true;
      return ret;
    }
    return fault ? -Errno.EFAULT : 0;
  }

  private popSlot(): void {
    const buf = this.q[this.qHead]!;
    this.q[this.qHead++] = undefined;
    freePage(buf.page);
    if (this.qHead === this.q.length) {
      this.q.length = 0;
      this.qHead = 0;
    } else if (this.qHead >= 64 && this.qHead * 2 >= this.q.length) {
      this.q = this.q.slice(this.qHead);
      this.qHead = 0;
    }
  }

  // ---------------------------------------------------------------------------
  // Writing

  /** pipe_write from cur. A Promise when it parks. */
  write(cur: IoCursor, flags: StatusFlags): IoResult {
    if (cur.remaining === 0) return 0;
    const task = pipeHooks.currentTask();
    if (this.readers === 0) {
      pipeHooks.sigpipe(task);
      return -Errno.EPIPE;
    }
    const w = new WriteWaiter(this, task, cur, flags);
    // Merge the tail of the write into the newest buffer when it all fits there.
    const chars = cur.remaining % PAGE_SIZE;
    if (chars !== 0 && this.occupancy > 0) {
      const last = this.q[this.q.length - 1]!;
      const end = last.offset + last.len;
      if (last.merge && end + chars <= PAGE_SIZE) {
        const copied = cur.copyIn(last.page, end, chars);
        if (copied < chars) return -Errno.EFAULT;
        last.len += chars;
        this.bytes += chars;
        w.ret = chars;
        this.moved = true;
        this.dirty = true;
        if (cur.remaining === 0) {
          this.settle();
          return chars;
        }
      }
    }
    const r = this.writeLoop(w);
    if (r !== PARK) {
      this.settle();
      return r;
    }
    this.writeWaiters.push(w);
    return this.park(w);
  }

  /** The page-filling loop of pipe_write; the total, -errno, or PARK. */
  private writeLoop(w: WriteWaiter): number {
    for (;;) {
      if (this.readers === 0) {
        pipeHooks.sigpipe(w.task);
        return w.ret > 0 ? w.ret : -Errno.EPIPE;
      }
      if (this.occupancy < this.slots) {
        const page = allocPage();
        const n = Math.min(PAGE_SIZE, w.cur.remaining);
        const copied = w.cur.copyIn(page, 0, n);
        if (copied < n) {
          freePage(page);
          return w.ret > 0 ? w.ret : -Errno.EFAULT;
        }
        const packet = (w.flags() & OpenFlag.O_DIRECT) !== 0;
        this.q.push({ page, offset: 0, len: copied, packet, merge: !packet });
        this.bytes += copied;
        w.ret += copied;
        this.moved = true;
        this.dirty = true;
        if (w.cur.remaining === 0) return w.ret;
        continue;
      }
      if ((w.flags() & OpenFlag.O_NONBLOCK) !== 0) return w.ret > 0 ? w.ret : -Errno.EAGAIN;
      return PARK;
    }
  }

  // ---------------------------------------------------------------------------
  // Parking and waking

  private park(w: Waiter): Promise<number> {
    const p = blockingPromise<number>((resolve) => {
      w.resolve = resolve;
    });
    registerParked(w.task, w);
    // What this call did may let parked calls go on (and then this one).
    this.settle();
    return p;
  }

  /** Wakes what can go on, then tells the readiness listeners if anything changed. */
  private settle(): void {
    this.pump();
    this.wakeReady();
    if (this.dirty) this.notify();
  }

  /** Wakes the splice and tee calls whose pipe became readable or writable (they try again). */
  private wakeReady(): void {
    if (this.readyWaiters.length === 0) return;
    const readable = this.occupancy > 0 || this.writers === 0;
    const writable = this.occupancy < this.slots || this.readers === 0;
    for (let i = 0; i < this.readyWaiters.length; ) {
      const w = this.readyWaiters[i];
      if (w.forWrite ? writable : readable) {
        this.readyWaiters.splice(i, 1);
        w.finish(0);
      } else {
        i++;
      }
    }
  }

  /**
   * Serves parked calls in order until none can progress: readers while
   * there is data (or no writer: EOF), writers while a slot is free (or no
   * reader: EPIPE).
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      do {
        this.moved = false;
        while (this.readWaiters.length > 0) {
          const empty = this.occupancy === 0;
          if (empty && this.writers > 0) break;
          const w = this.readWaiters.shift()!;
          w.finish(empty ? 0 : this.readSome(w.cur));
        }
        while (this.writeWaiters.length > 0) {
          const w = this.writeWaiters[0];
          const r = this.writeLoop(w);
          if (r === PARK) break;
          this.writeWaiters.shift();
          w.finish(r);
        }
      } while (this.moved && (this.readWaiters.length > 0 || this.writeWaiters.length > 0));
    } finally {
      this.pumping = false;
    }
  }

  /** Removes an interrupted waiter from its queue. */
  dropWaiter(w: Waiter): void {
    for (const q of [this.readWaiters, this.writeWaiters, this.partnerWaiters, this.readyWaiters] as Waiter[][]) {
      const i = q.indexOf(w);
      if (i >= 0) q.splice(i, 1);
    }
  }

  /** An interrupted FIFO open gives its end back (fifo_open's err_rd / err_wr). */
  afterInterrupt(w: Waiter): void {
    if (w instanceof PartnerWaiter) this.close(w.forWriter, !w.forWriter);
    else this.settle();
  }

  // ---------------------------------------------------------------------------
  // Ends

  /** An end is opened (pipe creation, fifo_open): counts it and wakes FIFO opens waiting for it. */
  open(readable: boolean, writable: boolean): void {
    if (readable) {
      this.readers++;
      this.rCounter++;
    }
    if (writable) {
      this.writers++;
      this.wCounter++;
    }
    for (let i = 0; i < this.partnerWaiters.length; ) {
      const w = this.partnerWaiters[i];
      if ((w.forWriter ? this.wCounter : this.rCounter) !== w.start) {
        this.partnerWaiters.splice(i, 1);
        w.finish(0);
      } else {
        i++;
      }
    }
    this.dirty = true;
    this.settle();
  }

  /**
   * A FIFO open waits until the other side opens (its counter moves, even if
   * it has closed again since). Resolves 0, or the interrupt's value after
   * giving the end back.
   */
  waitForPartner(forWriter: boolean): Promise<number> {
    const w = new PartnerWaiter(this, pipeHooks.currentTask(), forWriter, forWriter ? this.wCounter : this.rCounter);
    this.partnerWaiters.push(w);
    return this.park(w);
  }

  /**
   * pipe_release: an end's last reference is gone. The last reader makes
   * writers fail with EPIPE, the last writer makes readers see EOF; with no
   * end left the buffer is freed. Returns true if it was.
   */
  close(readable: boolean, writable: boolean): boolean {
    if (this.freed) return true;
    if (readable) this.readers--;
    if (writable) this.writers--;
    this.dirty = true;
    this.settle();
    if (this.readers === 0 && this.writers === 0) {
      this.free();
      return true;
    }
    return false;
  }

  private free(): void {
    this.freed = true;
    // Calls still parked on ends whose descriptors were closed under them
    // (another thread closed them) see what a last close means: EOF, EPIPE.
    for (const w of this.readWaiters.splice(0)) w.finish(0);
    for (const w of this.writeWaiters.splice(0)) w.finish(this.writeLoop(w));
    for (const w of this.partnerWaiters.splice(0)) w.finish(-Errno.EINTR);
    for (const w of this.readyWaiters.splice(0)) w.finish(0);
    for (let i = this.qHead; i < this.q.length; i++) freePage(this.q[i]!.page);
    this.q = [];
    this.qHead = 0;
    this.bytes = 0;
    this.accounting.release(this.owner, this.slots);
    this.notify();
    this.listeners.clear();
    this.onFree?.();
  }

  // ---------------------------------------------------------------------------
  // Splice and tee (fs/splice.c): the buffer-level moves; the syscalls wait
  // with waitReadable / waitWritable between attempts.

  /** Free slots (max_usage - occupancy). */
  get freeSlots(): number {
    return Math.max(0, this.slots - this.occupancy);
  }

  /**
   * Parks until the pipe holds data or has no writer (ipipe_prep,
   * splice_from_pipe_next). 0, or the interrupt's value. The caller looks
   * again: another reader may have been first.
   */
  waitReadable(task: TaskToken): Promise<number> {
    return this.park(this.ready(false, task));
  }

  /** Parks until a slot is free or no reader is left (opipe_prep, wait_for_space). */
  waitWritable(task: TaskToken): Promise<number> {
    return this.park(this.ready(true, task));
  }

  /** task: the caller's token, taken when its system call started (pipeHooks.currentTask()). */
  private ready(forWrite: boolean, task: TaskToken): ReadyWaiter {
    const w = new ReadyWaiter(this, task, forWrite);
    this.readyWaiters.push(w);
    return w;
  }

  /** Copies up to n of the oldest bytes into dst[off..] without consuming them; the count copied. */
  peek(dst: Uint8Array, off: number, n: number): number {
    let done = 0;
    for (let i = this.qHead; i < this.q.length && done < n; i++) {
      const b = this.q[i]!;
      const c = Math.min(b.len, n - done);
      dst.set(b.page.subarray(b.offset, b.offset + c), off + done);
      done += c;
    }
    return done;
  }

  /** Drops the n oldest bytes (n <= queued) as a splice to a file consumed them, and wakes writers. */
  consume(n: number): void {
    while (n > 0 && this.occupancy > 0) {
      const b = this.q[this.qHead]!;
      const c = Math.min(b.len, n);
      b.offset += c;
      b.len -= c;
      this.bytes -= c;
      n -= c;
      if (b.len === 0) this.popSlot();
    }
    this.moved = true;
    this.dirty = true;
    this.settle();
  }

  /**
   * Appends src[off..off+n) as new buffers that later writes never merge
   * into, as a file spliced in: the first starts at page offset pageOff (a
   * page-cache file's data keeps its alignment: each buffer ends at a file
   * page boundary), the others at 0. Stops when no slot is free; returns
   * the bytes appended.
   */
  append(src: Uint8Array, off: number, n: number, pageOff: number): number {
    let done = 0;
    let o = pageOff % PAGE_SIZE;
    while (done < n && this.occupancy < this.slots) {
      const c = Math.min(PAGE_SIZE - o, n - done);
      const page = allocPage();
      page.set(src.subarray(off + done, off + done + c), o);
      this.q.push({ page, offset: o, len: c, packet: false, merge: false });
      this.bytes += c;
      done += c;
      o = 0;
    }
    if (done > 0) {
      this.moved = true;
      this.dirty = true;
      this.settle();
    }
    return done;
  }

  /**
   * splice_pipe_to_pipe's loop after ipipe_prep/opipe_prep: moves whole
   * buffers (their flags with them) and a part of the last one (no longer
   * mergeable) into out, up to len bytes. Returns the bytes moved, -EPIPE
   * (SIGPIPE sent to task) when out has no reader, 0 at end of input, or
   * SPLICE_RETRY when nothing could move (input empty, output full).
   */
  spliceTo(out: Pipe, len: number, task: TaskToken): number {
    let ret = 0;
    while (len > 0) {
      if (out.readers === 0) {
        pipeHooks.sigpipe(task);
        if (ret === 0) ret = -Errno.EPIPE;
        break;
      }
      if (this.occupancy === 0 && this.writers === 0) break;
      if (this.occupancy === 0 || out.occupancy >= out.slots) {
        if (ret > 0) break;
        return SPLICE_RETRY;
      }
      const b = this.q[this.qHead]!;
      if (len >= b.len) {
        this.q[this.qHead++] = undefined;
        if (this.qHead === this.q.length) {
          this.q.length = 0;
          this.qHead = 0;
        }
        this.bytes -= b.len;
        out.q.push(b);
        out.bytes += b.len;
        ret += b.len;
        len -= b.len;
      } else {
        const page = allocPage();
        page.set(b.page.subarray(b.offset, b.offset + len), b.offset);
        out.q.push({ page, offset: b.offset, len, packet: b.packet, merge: false });
        out.bytes += len;
        b.offset += len;
        b.len -= len;
        this.bytes -= len;
        ret += len;
        len = 0;
      }
    }
    if (ret > 0) this.movedTo(out);
    return ret;
  }

  /**
   * link_pipe (tee): copies the buffers from the oldest on into out, the
   * last one cut to len, without consuming them; out's copies are never
   * merged into. Stops at the end of the input or when out is full. The
   * bytes duplicated, or -EPIPE (SIGPIPE sent) when out has no reader.
   */
  teeTo(out: Pipe, len: number, task: TaskToken): number {
    let ret = 0;
    let i = this.qHead;
    while (len > 0) {
      if (out.readers === 0) {
        pipeHooks.sigpipe(task);
        if (ret === 0) ret = -Errno.EPIPE;
        break;
      }
      if (i >= this.q.length || out.occupancy >= out.slots) break;
      const b = this.q[i++]!;
      const c = Math.min(b.len, len);
      const page = allocPage();
      page.set(b.page.subarray(b.offset, b.offset + c), b.offset);
      out.q.push({ page, offset: b.offset, len: c, packet: b.packet, merge: false });
      out.bytes += c;
      ret += c;
      len -= c;
    }
    if (ret > 0) {
      out.moved = true;
      out.dirty = true;
      out.settle();
    }
    return ret;
  }

  /** After a splice from this pipe into out: both changed. */
  private movedTo(out: Pipe): void {
    this.moved = true;
    this.dirty = true;
    out.moved = true;
    out.dirty = true;
    out.settle();
    this.settle();
  }

  // ---------------------------------------------------------------------------
  // Size

  /**
   * F_SETPIPE_SZ (pipe_set_size): arg (an unsigned int) rounded up to a power
   * of two of at least a page. The new size in bytes, or EINVAL (above 2^31),
   * EPERM (above pipe-max-size without CAP_SYS_RESOURCE, or over the user's
   * limits), ENOMEM (over the sandbox's bound), EBUSY (fewer slots than in use).
   */
  setSize(arg: number, caller: PipeCaller): number {
    const size = roundPipeSize(arg);
    const slots = size >>> PAGE_SHIFT;
    if (slots === 0) return -Errno.EINVAL;
    const r = this.accounting.resize(this.owner, caller, this.slots, slots);
    if (r < 0) return r;
    if (slots < this.occupancy) {
      this.accounting.charge(this.owner, slots, this.slots);
      return -Errno.EBUSY;
    }
    this.slots = slots;
    this.dirty = true;
    this.settle();
    return size;
  }

  // ---------------------------------------------------------------------------
  // Readiness (pipe_poll)

  /**
   * The poll mask of an end: POLLIN when data is held, POLLHUP (read side)
   * when no writer is left and one was seen since hupVersion, POLLOUT when a
   * slot is free, POLLERR (write side) when no reader is left.
   */
  poll(readable: boolean, writable: boolean, hupVersion: number): number {
    let mask = 0;
    if (readable) {
      if (this.occupancy > 0) mask |= PollEvent.POLLIN | PollEvent.POLLRDNORM;
      if (this.writers === 0 && hupVersion !== this.wCounter) mask |= PollEvent.POLLHUP;
    }
    if (writable) {
      if (this.occupancy < this.slots) mask |= PollEvent.POLLOUT | PollEvent.POLLWRNORM;
      if (this.readers === 0) mask |= PollEvent.POLLERR;
    }
    return mask;
  }

  /**
   * Calls fn after every change that can affect readiness (data in or out,
   * an end opened or closed, a resize): poll, epoll (edge-triggered too:
   * every write notifies) and FASYNC build on it. Returns the unsubscriber.
   */
  onReadinessChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  private notify(): void {
    this.dirty = false;
    for (const fn of [...this.listeners]) fn();
  }
}
