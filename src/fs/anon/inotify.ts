// inotify instances (fs/notify/inotify/inotify_user.c): the file
// inotify_init1(2) returns, its watches and its event queue.
//
// - Events queue in order; one identical to the last queued one (same wd,
//   mask and name, not IN_IGNORED) is dropped (inotify_merge). Past
//   max_queued_events a single IN_Q_OVERFLOW (wd -1) stands for the rest
//   until it is read.
// - read(2) copies whole struct inotify_event records (names NUL-padded to
//   16 bytes) while they fit; EINVAL if the first does not. It blocks while
//   the queue is empty (EAGAIN with IN_NONBLOCK), even for a count of 0.
// - poll: POLLIN | POLLRDNORM while events are queued. FIONREAD: the bytes
//   queued. INOTIFY_IOC_SETNEXTWD moves the watch-descriptor cursor.
// - Watch descriptors are handed out cyclically from 1 (idr_alloc_cyclic).
// - /proc/PID/fdinfo shows one "inotify wd:… ino:… sdev:… mask:…" line per
//   watch, newest first.
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import {
  encodeInotifyEvent, IN_ALL_EVENTS, IN_REPORTED_BITS, InMask, inotifyEventSize, INOTIFY_EVENT_SIZE, INOTIFY_IOC_SETNEXTWD,
} from '../../abi/linux/inotify.js';
import { Ioctl } from '../../abi/linux/ioctl.js';
import { Poll } from '../../abi/linux/poll.js';
import { devMajor, devMinor } from '../../abi/linux/stat.js';
import type { FileDescription, IoResult } from '../../vfs/file.js';
import type { GuestMemory } from '../../vfs/guest_memory.js';
import type { Inode } from '../../vfs/inode.js';
import { attachMark, detachMark, findMark, InotifyMark, type InotifyGroup } from '../../vfs/inotify_marks.js';
import { notifyRelease, type Parker, type Pollable, type ReadinessListener } from '../../vfs/poll.js';
import { blockingPromise } from '../../kernel/blocking.js';

/** How inotify finds the task making the current system call (set by src/syscalls/inotify.ts). */
export interface InotifyHooks {
  /** The caller, to park a blocking read on; null when unknown (unit tests). */
  currentParker(): Parker | null;
  /** Whether a signal the caller does not block is pending: a read that would block returns -ERESTARTSYS. */
  signalPending(parker: Parker): boolean;
}

export const inotifyHooks: InotifyHooks = {
  currentParker: () => null,
  signalPending: () => false,
};

/** The per-user limits (ucounts): instances and watches, charged to the user that made the instance. */
export class InotifyLimits {
  maxQueuedEvents: number;
  maxUserInstances: number;
  maxUserWatches: number;
  private readonly instances = new Map<number, number>();
  private readonly watches = new Map<number, number>();

  constructor(maxQueuedEvents: number, maxUserInstances: number, maxUserWatches: number) {
    this.maxQueuedEvents = maxQueuedEvents;
    this.maxUserInstances = maxUserInstances;
    this.maxUserWatches = maxUserWatches;
  }

  /** One more instance for uid, or false at max_user_instances (EMFILE). */
  chargeInstance(uid: number): boolean {
    return charge(this.instances, uid, this.maxUserInstances);
  }

  unchargeInstance(uid: number): void {
    uncharge(this.instances, uid);
  }

  /** One more watch for uid, or false at max_user_watches (ENOSPC). */
  chargeWatch(uid: number): boolean {
    return charge(this.watches, uid, this.maxUserWatches);
  }

  unchargeWatch(uid: number): void {
    uncharge(this.watches, uid);
  }
}

function charge(counts: Map<number, number>, uid: number, max: number): boolean {
  const n = counts.get(uid) ?? 0;
  if (n >= max) return false;
  counts.set(uid, n + 1);
  return true;
}

function uncharge(counts: Map<number, number>, uid: number): void {
  const n = (counts.get(uid) ?? 1) - 1;
  if (n <= 0) counts.delete(uid);
  else counts.set(uid, n);
}

interface QueuedEvent {
  wd: number;
  mask: number;
  cookie: number;
  name: string;
}

class Reader {
  done = false;
  constructor(
    readonly parker: Parker | null,
    readonly resolve: (r: number) => void,
    readonly mm: GuestMemory,
    readonly addr: number,
    readonly len: number,
  ) {}
}

const INT_MAX = 0x7fffffff;
/** One record at a time on its way to the guest: a header and NAME_MAX + 1 bytes padded. */
const recordBuf = new Uint8Array(INOTIFY_EVENT_SIZE + 256 + 16);
const recordView = new DataView(recordBuf.buffer);
const intBuf = new Uint8Array(4);
const intView = new DataView(intBuf.buffer);

export class Inotify implements FileDescription, Pollable, InotifyGroup {
  readonly name = 'anon_inode:inotify';
  readonly positional = false;
  /** read(2) with a count of 0 reaches the file (EINVAL with events queued, else it waits). */
  readonly zeroLengthReads = true;
  private refs = 0;
  private released = false;
  /** Watches by descriptor, oldest first. */
  private readonly marks = new Map<number, InotifyMark>();
  private nextWd = 1;
  private readonly queue: QueuedEvent[] = [];
  private head = 0;
  private queuedBytes = 0;
  private overflowQueued = false;
  private readonly readers: Reader[] = [];
  private readonly listeners = new Set<ReadinessListener>();
  private wakeScheduled = false;

  /** flags: O_RDONLY, plus O_NONBLOCK for IN_NONBLOCK; uid: the user charged for it and its watches. */
  constructor(
    public flags: number,
    private readonly limits: InotifyLimits,
    private readonly uid: number,
  ) {}

  /** Events waiting to be read. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** The number of watches. */
  get watchCount(): number {
    return this.marks.size;
  }

  /**
   * inotify_update_watch: adds a watch on inode or updates this instance's
   * one (IN_MASK_ADD ors the events in, IN_MASK_CREATE refuses: EEXIST);
   * returns its descriptor. ENOSPC past max_user_watches.
   */
  addWatch(inode: Inode, mask: number): number {
    const bits = mask & (IN_ALL_EVENTS | InMask.IN_ONESHOT | InMask.IN_EXCL_UNLINK);
    const existing = findMark(inode, this);
    if (existing) {
      if ((mask & InMask.IN_MASK_CREATE) !== 0) return -Errno.EEXIST;
      existing.mask = (mask & InMask.IN_MASK_ADD) !== 0 ? existing.mask | bits : bits;
      return existing.wd;
    }
    const wd = this.allocWd();
    if (!this.limits.chargeWatch(this.uid)) return -Errno.ENOSPC;
    const mark = new InotifyMark(this, inode, wd, bits);
    this.marks.set(wd, mark);
    attachMark(mark);
    return wd;
  }

  /** inotify_rm_watch: EINVAL for an unknown descriptor; IN_IGNORED follows. */
  rmWatch(wd: number): number {
    const mark = this.marks.get(wd);
    if (!mark) return -Errno.EINVAL;
    this.removeMark(mark);
    return 0;
  }

  handleEvent(mark: InotifyMark, mask: number, cookie: number, name: string): void {
    // inotify never reported IN_ISDIR with the self events.
    if ((mask & (InMask.IN_MOVE_SELF | InMask.IN_DELETE_SELF)) !== 0) mask &= ~InMask.IN_ISDIR;
    this.enqueue(mark.wd, mask & IN_REPORTED_BITS, cookie, name);
    if ((mark.mask & InMask.IN_ONESHOT) !== 0) this.removeMark(mark);
  }

  removeMark(mark: InotifyMark): void {
    if (this.marks.get(mark.wd) !== mark) return;
    this.marks.delete(mark.wd);
    detachMark(mark);
    this.limits.unchargeWatch(this.uid);
    if (!this.released) this.enqueue(mark.wd, InMask.IN_IGNORED, 0, '');
  }

  read(mm: GuestMemory, addr: number, len: number): IoResult {
    if (this.queued > 0) return this.copyOut(mm, addr, len);
    if ((this.flags & OpenFlag.O_NONBLOCK) !== 0) return -Errno.EAGAIN;
    const parker = inotifyHooks.currentParker();
    if (parker && inotifyHooks.signalPending(parker)) return -Errno.ERESTARTSYS;
    return blockingPromise<number>((resolve) => {
      const r = new Reader(parker, resolve, mm, addr, len);
      this.readers.push(r);
      parker?.park((v) => {
        if (r.done) return;
        r.done = true;
        const i = this.readers.indexOf(r);
        if (i >= 0) this.readers.splice(i, 1);
        resolve(v);
      });
    });
  }

  write(): IoResult {
    return -Errno.EINVAL;
  }

  pread(): IoResult {
    return -Errno.ESPIPE;
  }

  pwrite(): IoResult {
    return -Errno.ESPIPE;
  }

  ioctl(mm: GuestMemory, request: number, arg: number): number {
    switch (request) {
      case Ioctl.FIONREAD: {
        intView.setInt32(0, this.queuedBytes, true);
        return mm.writeBytes(arg, intBuf, 0, 4) < 0 ? -Errno.EFAULT : 0;
      }
      case INOTIFY_IOC_SETNEXTWD:
        if (arg < 1 || arg > INT_MAX) return -Errno.EINVAL;
        this.nextWd = arg;
        return 0;
      default:
        return -Errno.ENOTTY;
    }
  }

  /** noop_llseek. */
  seek(): number {
    return 0;
  }

  readiness(): number {
    return this.queued > 0 ? Poll.POLLIN | Poll.POLLRDNORM : 0;
  }

  onReadinessChange(fn: ReadinessListener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** The lines /proc/PID/fdinfo adds (inotify_fdinfo), newest watch first; no file handle is shown. */
  fdinfo(): string {
    const lines: string[] = [];
    for (const m of this.marks.values()) {
      const dev = m.inode.fs.dev;
      const sdev = ((devMajor(dev) << 20) | devMinor(dev)) >>> 0;
      lines.push(`inotify wd:${hex(m.wd)} ino:${hex(m.inode.ino)} sdev:${hex(sdev)} mask:${hex(m.mask)} ignored_mask:0 \n`);
    }
    return lines.reverse().join('');
  }

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    if (--this.refs > 0 || this.released) return;
    this.released = true;
    // The group shuts down: its watches go without events.
    for (const mark of [...this.marks.values()]) this.removeMark(mark);
    this.queue.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    this.limits.unchargeInstance(this.uid);
    notifyRelease(this);
  }

  /** idr_alloc_cyclic(…, 1, 0): the first free descriptor from the cursor on, wrapping to 1. */
  private allocWd(): number {
    let wd = this.nextWd;
    while (this.marks.has(wd)) wd = wd >= INT_MAX ? 1 : wd + 1;
    this.nextWd = wd >= INT_MAX ? 1 : wd + 1;
    return wd;
  }

  /** fsnotify_insert_event with inotify_merge. */
  private enqueue(wd: number, mask: number, cookie: number, name: string): void {
    if (this.released) return;
    if (this.queued >= this.limits.maxQueuedEvents) {
      if (this.overflowQueued) return;
      this.overflowQueued = true;
      wd = -1;
      mask = InMask.IN_Q_OVERFLOW;
      cookie = 0;
      name = '';
    } else if (this.queued > 0) {
      const last = this.queue[this.queue.length - 1]!;
      if (last.mask === mask && last.wd === wd && last.name === name && (last.mask & InMask.IN_IGNORED) === 0) return;
    }
    this.queue.push({ wd, mask, cookie, name });
    this.queuedBytes += inotifyEventSize(name.length);
    this.scheduleWake();
  }

  /** Readers and pollers hear of new events once the operation that made them is done (all its events queued). */
  private scheduleWake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    queueMicrotask(() => {
      this.wakeScheduled = false;
      this.wake();
    });
  }

  private wake(): void {
    while (this.readers.length > 0 && this.queued > 0) {
      const r = this.readers.shift()!;
      r.done = true;
      r.parker?.unpark();
      r.resolve(this.copyOut(r.mm, r.addr, r.len));
    }
    this.readinessChanged();
  }

  private dequeue(): QueuedEvent {
    const e = this.queue[this.head++]!;
    this.queuedBytes -= inotifyEventSize(e.name.length);
    if (e.wd === -1 && e.mask === InMask.IN_Q_OVERFLOW) this.overflowQueued = false;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return e;
  }

  /** inotify_read's loop: whole records while they fit; an event that cannot be copied out is lost (EFAULT). */
  private copyOut(mm: GuestMemory, addr: number, len: number): number {
    let done = 0;
    let r = 0;
    while (this.queued > 0) {
      const e = this.queue[this.head]!;
      const size = inotifyEventSize(e.name.length);
      if (size > len - done) {
        if (done === 0) r = -Errno.EINVAL;
        break;
      }
      this.dequeue();
      encodeInotifyEvent(recordBuf, recordView, 0, e.wd, e.mask, e.cookie, e.name);
      if (mm.writeBytes(addr + done, recordBuf, 0, size) < 0) {
        r = -Errno.EFAULT;
        break;
      }
      done += size;
    }
    if (done > 0 || r === -Errno.EFAULT) this.readinessChanged();
    return r < 0 ? r : done;
  }

  private readinessChanged(): void {
    if (this.listeners.size === 0) return;
    const mask = this.readiness();
    for (const fn of [...this.listeners]) fn(mask);
  }
}

function hex(n: number): string {
  return (n >>> 0).toString(16);
}
