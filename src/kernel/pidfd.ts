// Process file descriptors (man 2 pidfd_open, clone CLONE_PIDFD): an
// anonymous file naming a process. Readable for poll(2) once the process
// has exited; waitid(P_PIDFD) and pidfd_send_signal take it.
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { Poll } from '../abi/linux/poll.js';
import type { FileDescription, IoResult } from '../vfs/file.js';
import { notifyRelease, type Pollable, type ReadinessListener } from '../vfs/poll.js';
import type { ThreadGroup } from './thread_group.js';

export class PidFd implements FileDescription, Pollable {
  readonly name = 'anon_inode:[pidfd]';
  readonly positional = false;
  private refs = 0;
  private readonly listeners = new Set<ReadinessListener>();
  private unwatch: (() => void) | null = null;

  constructor(
    /** The process (null until clone has made it). */
    public tg: ThreadGroup | null,
    public flags: number = OpenFlag.O_RDWR,
  ) {}

  /** Points the pidfd at its process (clone makes the pidfd first). */
  attach(tg: ThreadGroup): void {
    this.tg = tg;
  }

  read(): IoResult {
    return -Errno.EINVAL;
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

  /** pidfd_poll: POLLIN once every thread of the process has exited (a zombie, or reaped). */
  readiness(): number {
    const tg = this.tg;
    return tg === null || tg.zombie ? Poll.POLLIN | Poll.POLLRDNORM : 0;
  }

  onReadinessChange(fn: ReadinessListener): () => void {
    this.listeners.add(fn);
    if (this.unwatch === null && this.tg !== null) {
      const tg = this.tg;
      const onExit = (): void => {
        const m = this.readiness();
        for (const l of [...this.listeners]) l(m);
      };
      tg.exitListeners.add(onExit);
      this.unwatch = () => tg.exitListeners.delete(onExit);
    }
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0 && this.unwatch) {
        this.unwatch();
        this.unwatch = null;
      }
    };
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
