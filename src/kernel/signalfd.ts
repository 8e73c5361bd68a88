// signalfd(2) (fs/signalfd.c): reading dequeues the reader's pending signals
// in the descriptor's mask as signalfd_siginfo records; pollable (POLLIN
// while one is pending). The signals are normally blocked, so they are never
// delivered otherwise.
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { Poll } from '../abi/linux/poll.js';
import { encodeSignalfdSiginfo, SIGNALFD_SIGINFO_SIZE } from '../abi/linux/signalfd.js';
import type { MemoryManager } from '../mm/memory_manager.js';
import type { FileDescription, IoResult } from '../vfs/file.js';
import { notifyRelease, type Pollable, type ReadinessListener } from '../vfs/poll.js';
import { takeSignal } from './signals.js';
import type { Task } from './task.js';
import { blockingPromise } from './blocking.js';

const out = { sig: 0, info: undefined as Uint8Array | undefined };
const rec = new Uint8Array(SIGNALFD_SIGINFO_SIZE);
const recView = new DataView(rec.buffer);

export class SignalFd implements FileDescription, Pollable {
  readonly name = 'anon_inode:[signalfd]';
  readonly positional = false;
  private refs = 0;
  private readonly listeners = new Set<ReadinessListener>();
  private unwatch: (() => void) | null = null;

  constructor(
    /** The task that made it: readiness looks at its pending signals (Linux: the poller's). */
    private readonly owner: Task,
    /** The signals it takes (SIGKILL and SIGSTOP never). */
    public maskLo: number,
    public maskHi: number,
    public flags: number,
    /** The task making the current call (the reader). */
    private readonly current: () => Task | null,
  ) {}

  private pendingFor(t: Task): boolean {
    const s = t.tg.sharedPending;
    return ((t.pending.lo | s.lo) & this.maskLo) !== 0 || ((t.pending.hi | s.hi) & this.maskHi) !== 0;
  }

  readiness(): number {
    const t = this.current() ?? this.owner;
    return this.pendingFor(t) ? Poll.POLLIN | Poll.POLLRDNORM : 0;
  }

  onReadinessChange(fn: ReadinessListener): () => void {
    this.listeners.add(fn);
    if (this.unwatch === null) {
      const tg = this.owner.tg;
      const l = (): void => {
        const m = this.readiness();
        for (const x of [...this.listeners]) x(m);
      };
      tg.signalListeners.add(l);
      this.unwatch = () => tg.signalListeners.delete(l);
    }
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0 && this.unwatch) {
        this.unwatch();
        this.unwatch = null;
      }
    };
  }

  /** Dequeues as many records as fit; the count of bytes, or -EFAULT if the first cannot be written. */
  private take(t: Task, mm: MemoryManager, addr: number, len: number): number {
    let done = 0;
    while (done + SIGNALFD_SIGINFO_SIZE <= len && takeSignal(t, this.maskLo, this.maskHi, out)) {
      const info = out.info!;
      encodeSignalfdSiginfo(new DataView(info.buffer, info.byteOffset), 0, recView, 0);
      if (mm.writeBytes(addr + done, rec, 0, SIGNALFD_SIGINFO_SIZE) < 0) return done > 0 ? done : -Errno.EFAULT;
      done += SIGNALFD_SIGINFO_SIZE;
    }
    return done;
  }

  read(mm: MemoryManager, addr: number, len: number): IoResult {
    if (len < SIGNALFD_SIGINFO_SIZE) return -Errno.EINVAL;
    const t = this.current() ?? this.owner;
    const n = this.take(t, mm, addr, len);
    if (n !== 0) return n;
    if (this.flags & OpenFlag.O_NONBLOCK) return -Errno.EAGAIN;
    // Sleep until a signal of the mask is queued for the reader (or a signal interrupts: ERESTARTSYS).
    return blockingPromise<number>((resolve) => {
      const tg = t.tg;
      const check = (): void => {
        if (!this.pendingFor(t)) return;
        tg.signalListeners.delete(check);
        t.unpark();
        resolve(this.take(t, mm, addr, len));
      };
      tg.signalListeners.add(check);
      t.park((r) => {
        tg.signalListeners.delete(check);
        resolve(r);
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
  ioctl(): number {
    return -Errno.ENOTTY;
  }
  incRef(): void {
    this.refs++;
  }
  decRef(): void {
    if (--this.refs > 0) return;
    this.unwatch?.();
    this.unwatch = null;
    notifyRelease(this);
  }
}
