// A host descriptor the sandbox was given (the caller's stdin, stdout and
// stderr in `tsvisor do`), served directly: guest memory goes to the host fd
// through the MemoryFile mapping, without an extra copy.
//
// Readiness (poll, select, epoll): a regular file (or anything whose kind is
// unknown) has no poll method: always readable and writable, and epoll_ctl
// refuses it (EPERM). Writes to the host are synchronous, so a writable
// descriptor is always POLLOUT. For reading a pipe, FIFO, terminal or other
// character device, the addon offers no host poll(2), so readiness is learnt
// by reading ahead without blocking (HostReadAhead):
//
// - When a poller first asks for POLLIN, the host file is opened a second
//   time through /proc/self/fd/N with O_NONBLOCK (a new open file
//   description of the same pipe or terminal: the caller's descriptor keeps
//   its flags), and a non-blocking read of up to 64 KiB answers. The bytes
//   are kept and served first by the guest's next reads. 0 from a pipe is
//   POLLHUP (no writer left); 0 from a terminal is an end of file the next
//   read returns.
// - While a wait that asked for POLLIN is subscribed and nothing is
//   buffered, Node's loop repeats the probe on a timer (1 ms, backing off to
//   50 ms): the kernel's thread never blocks and no host read is left
//   pending when the guest goes.
// - A guest read on an O_NONBLOCK description uses the same non-blocking
//   read (EAGAIN when empty) instead of a blocking one.
// - The state is shared by every HostStdioFile on the same host file (stdin,
//   stdout and stderr are often one terminal): data read ahead through one
//   is read through any, and polling stdout for POLLOUT reads nothing ahead.
//
// Partial: bytes read ahead are taken from the host pipe or terminal; if the
// guest never reads them, the caller does not see them either. Where the
// second open fails (a socket, a terminal of another user), the descriptor
// is reported always readable, as before.
import fs from 'node:fs';
import tty from 'node:tty';
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { Ioctl } from '../abi/linux/ioctl.js';
import { DEFAULT_POLLMASK, Poll } from '../abi/linux/poll.js';
import type { MemoryManager } from '../mm/memory_manager.js';
import { native, type NativeAddon } from '../platform/native.js';
import type { FileDescription, IoResult } from '../vfs/file.js';
import { notifyRelease, type Pollable, type ReadinessListener } from '../vfs/poll.js';

/** How much one probe reads ahead. */
const AHEAD_SIZE = 65536;
/** The probe timer's first and longest period while a wait is subscribed, in ms. */
const PROBE_FIRST_MS = 1;
const PROBE_MAX_MS = 50;
const READ_EVENTS = Poll.POLLIN | Poll.POLLRDNORM;
const WRITE_EVENTS = Poll.POLLOUT | Poll.POLLWRNORM;

const enum HostKind {
  /** A regular file, block device, or unknown: no poll method. */
  Plain,
  Fifo,
  Tty,
  Char,
  Socket,
}

/** The read-ahead state of one host file, shared by the HostStdioFiles on it (see the header). */
class HostReadAhead {
  private users = 0;
  /** The non-blocking second open, -1 when it failed; opened on first use. */
  private probeFd = -1;
  private opened = false;
  /** Bytes read ahead: ahead[off, off + len). */
  private ahead: Buffer | null = null;
  private off = 0;
  private len = 0;
  /** A terminal or device read returned 0: the guest's next read returns it. */
  private eofPending = false;
  /** A pipe read returned 0: no writer left (POLLHUP). */
  private hup = false;
  /** The probe failed with this error (POLLERR; the guest's read meets it on the host descriptor). */
  private probeError = 0;
  /** Blocking host reads in progress (no probe meanwhile: it would take their data). */
  readsInFlight = 0;
  private readonly listeners = new Set<() => void>();
  /** A subscribed wait asked for POLLIN: keep probing while nothing is there. */
  private wantRead = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private delay = PROBE_FIRST_MS;
  private notifyQueued = false;

  constructor(
    private readonly key: string,
    private readonly hostFd: number,
    private readonly fifo: boolean,
    private readonly n: NativeAddon,
  ) {}

  hold(): void {
    this.users++;
  }

  release(): void {
    if (--this.users > 0) return;
    shared.delete(this.key);
    this.listeners.clear();
    this.stopProbing();
    if (this.probeFd >= 0) {
      try {
        fs.closeSync(this.probeFd);
      } catch {
        // already gone
      }
      this.probeFd = -1;
    }
  }

  /** Opens the non-blocking second description once; false if there is none. */
  private open(): boolean {
    if (!this.opened) {
      this.opened = true;
      try {
        const c = fs.constants;
        this.probeFd = fs.openSync(`/proc/self/fd/${this.hostFd}`, c.O_RDONLY | c.O_NONBLOCK | c.O_NOCTTY);
      } catch {
        this.probeFd = -1;
      }
    }
    return this.probeFd >= 0;
  }

  /** Something is there for the guest's next read (data, an end of file, an error). */
  private get ready(): boolean {
    return this.len > 0 || this.eofPending || this.hup || this.probeError !== 0;
  }

  /** The read side's events: probed now if nothing is buffered and interest includes reading. */
  readiness(interest: number): number {
    if (!this.open()) return READ_EVENTS;
    if ((interest & READ_EVENTS) !== 0) {
      if (this.listeners.size > 0 && !this.wantRead) {
        this.wantRead = true;
        this.startProbing();
      }
      if (this.len === 0 && !this.eofPending && this.readsInFlight === 0) this.probe();
    }
    let mask = 0;
    if (this.len > 0 || this.eofPending) mask |= READ_EVENTS;
    if (this.hup) mask |= Poll.POLLHUP;
    if (this.probeError !== 0) mask |= Poll.POLLERR | READ_EVENTS;
    return mask;
  }

  /** One non-blocking read ahead into the (empty) buffer. */
  private probe(): void {
    if (this.probeFd < 0) return;
    if (!this.ahead) this.ahead = Buffer.allocUnsafe(AHEAD_SIZE);
    const before = this.ready;
    const r = this.n.hostRead(this.probeFd, this.ahead, 0, AHEAD_SIZE);
    this.probeError = 0;
    if (r > 0) {
      this.off = 0;
      this.len = r;
      this.hup = false;
    } else if (r === 0) {
      if (this.fifo) this.hup = true;
      else this.eofPending = true;
    } else if (r === -Errno.EAGAIN) {
      this.hup = false;
    } else if (r !== -Errno.EINTR) {
      this.probeError = r;
    }
    // Whoever asked knows; waits subscribed meanwhile learn it too.
    if (!before && this.ready) this.changed();
  }

  /**
   * Serves a guest read from what was read ahead: the count, 0 for a
   * pending end of file, or null when nothing is buffered. With nonblock,
   * probes first and answers -EAGAIN (or the probe's error, or 0 at a
   * pipe's end) instead of null.
   */
  take(mm: MemoryManager, addr: number, len: number, nonblock: boolean): number | null {
    if (this.len === 0 && !this.eofPending && nonblock && this.open()) {
      this.probe();
      if (this.len === 0 && !this.eofPending) {
        if (this.hup) return 0;
        if (this.probeError !== 0) {
          const e = this.probeError;
          this.probeError = 0;
          return e;
        }
        return -Errno.EAGAIN;
      }
    }
    if (this.len > 0) {
      const n = Math.min(len, this.len);
      const w = mm.writeBytes(addr, this.ahead!, this.off, n);
      if (w < 0) return w;
      this.off += n;
      this.len -= n;
      if (this.len === 0) this.changed();
      return n;
    }
    if (this.eofPending) {
      this.eofPending = false;
      this.changed();
      return 0;
    }
    return null;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) {
        this.wantRead = false;
        this.stopProbing();
      }
    };
  }

  private startProbing(): void {
    if (this.timer !== null || !this.wantRead || this.listeners.size === 0 || this.probeFd < 0) return;
    this.delay = PROBE_FIRST_MS;
    this.timer = setTimeout(this.tick, this.delay);
  }

  private stopProbing(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private readonly tick = (): void => {
    this.timer = null;
    if (this.listeners.size === 0 || this.ready) return;
    if (this.readsInFlight === 0) this.probe();
    if (this.ready) return;
    this.delay = Math.min(this.delay * 2, PROBE_MAX_MS);
    this.timer = setTimeout(this.tick, this.delay);
  };

  /** The state changed: tell the listeners once the current call is done, and probe again while nothing is there. */
  changed(): void {
    if (this.listeners.size === 0 || this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const fn of [...this.listeners]) fn();
      if (!this.ready) this.startProbing();
    });
  }
}

/** Read-ahead states by host file (st_dev:st_ino). */
const shared = new Map<string, HostReadAhead>();

export class HostStdioFile implements FileDescription, Pollable {
  private refs = 0;
  private released = false;
  private readonly n: NativeAddon = native();
  readonly positional: boolean;
  private readonly isTty: boolean;
  private readonly kind: HostKind;
  /** The host file's shared read-ahead, for a readable pipe, terminal or character device. */
  private readonly ahead: HostReadAhead | null = null;
  /**
   * What the host's /proc/self/fd/N says for the descriptor ("/dev/pts/0",
   * "pipe:[123]", a file's path), read at start-up (before the sentry
   * confines itself): the guest's /proc/PID/fd link shows it, as Linux would.
   */
  readonly hostLink: string | null;

  constructor(readonly hostFd: number, public flags: number, readonly name: string) {
    let st: fs.Stats | undefined;
    try {
      st = fs.fstatSync(hostFd);
    } catch {
      st = undefined;
    }
    this.positional = !!st && (st.isFile() || st.isBlockDevice());
    this.isTty = !!st && st.isCharacterDevice() && tty.isatty(hostFd);
    if (!st || st.isFile() || st.isBlockDevice()) this.kind = HostKind.Plain;
    else if (st.isFIFO()) this.kind = HostKind.Fifo;
    else if (this.isTty) this.kind = HostKind.Tty;
    else if (st.isCharacterDevice()) this.kind = HostKind.Char;
    else if (st.isSocket()) this.kind = HostKind.Socket;
    else this.kind = HostKind.Plain;
    const acc = flags & OpenFlag.O_ACCMODE;
    if (st && this.kind !== HostKind.Plain && this.kind !== HostKind.Socket && (acc === OpenFlag.O_RDONLY || acc === OpenFlag.O_RDWR)) {
      const key = `${st.dev}:${st.ino}`;
      let a = shared.get(key);
      if (!a) {
        a = new HostReadAhead(key, hostFd, this.kind === HostKind.Fifo, this.n);
        shared.set(key, a);
      }
      a.hold();
      this.ahead = a;
    }
    let link: string | null;
    try {
      link = fs.readlinkSync(`/proc/self/fd/${hostFd}`);
    } catch {
      link = null;
    }
    this.hostLink = link;
  }

  write(mm: MemoryManager, addr: number, len: number): IoResult {
    const n = this.n;
    const fd = this.hostFd;
    return mm.forEachSegment(addr, len, false, (buf, off, l) => {
      let done = 0;
      while (done < l) {
        const r = n.hostWrite(fd, buf, off + done, l - done);
        if (r === -Errno.EINTR) continue;
        if (r < 0) return done > 0 ? done : r;
        if (r === 0) break;
        done += r;
      }
      return done;
    });
  }

  read(mm: MemoryManager, addr: number, len: number): IoResult {
    if (len === 0) return 0;
    const ahead = this.ahead;
    if (ahead) {
      // What a probe read ahead comes first.
      const r = ahead.take(mm, addr, len, (this.flags & OpenFlag.O_NONBLOCK) !== 0);
      if (r !== null) return r;
      ahead.readsInFlight++;
    }
    // Host reads may block (a terminal, a pipe): they run on libuv's thread
    // pool, never on the kernel's thread.
    return new Promise<number>((resolve) => {
      const tmp = Buffer.allocUnsafe(Math.min(len, 1 << 20));
      fs.read(this.hostFd, tmp, 0, tmp.length, null, (err, bytes) => {
        if (ahead) {
          ahead.readsInFlight--;
          ahead.changed();
        }
        if (err) {
          const e = (err as NodeJS.ErrnoException).errno;
          resolve(typeof e === 'number' && e < 0 ? e : -Errno.EIO);
          return;
        }
        if (bytes === 0) {
          resolve(0);
          return;
        }
        const w = mm.writeBytes(addr, tmp, 0, bytes);
        resolve(w < 0 ? w : bytes);
      });
    });
  }

  pwrite(mm: MemoryManager, addr: number, len: number, pos: number): IoResult {
    if (!this.positional) return -Errno.ESPIPE;
    const n = this.n;
    const fd = this.hostFd;
    let p = pos;
    return mm.forEachSegment(addr, len, false, (buf, off, l) => {
      const r = n.hostPwrite(fd, buf, off, l, p);
      if (r > 0) p += r;
      return r;
    });
  }

  pread(mm: MemoryManager, addr: number, len: number, pos: number): IoResult {
    if (!this.positional) return -Errno.ESPIPE;
    const n = this.n;
    const fd = this.hostFd;
    let p = pos;
    return mm.forEachSegment(addr, len, true, (buf, off, l) => {
      const r = n.hostPread(fd, buf, off, l, p);
      if (r > 0) p += r;
      return r;
    });
  }

  ioctl(_mm: MemoryManager, request: number, _arg: number): number {
    if (!this.isTty && (request === Ioctl.TCGETS || request === Ioctl.TIOCGWINSZ)) return -Errno.ENOTTY;
    // Terminal ioctls come with the terminals issue (pty, job control).
    return -Errno.ENOTTY;
  }

  // ---------------------------------------------------------------------------
  // Readiness

  /** A regular file has no poll method (epoll_ctl: EPERM). */
  get hasPoll(): boolean {
    return this.kind !== HostKind.Plain;
  }

  /** interest: the events the poller asks for; reading ahead happens only for POLLIN. */
  readiness(interest = READ_EVENTS | WRITE_EVENTS): number {
    if (this.kind === HostKind.Plain) return DEFAULT_POLLMASK;
    const acc = this.flags & OpenFlag.O_ACCMODE;
    let mask = acc === OpenFlag.O_WRONLY || acc === OpenFlag.O_RDWR ? WRITE_EVENTS : 0;
    if (this.ahead) mask |= this.ahead.readiness(interest);
    else if (acc !== OpenFlag.O_WRONLY && this.kind === HostKind.Socket) mask |= READ_EVENTS;
    return mask;
  }

  onReadinessChange(fn: ReadinessListener): () => void {
    if (!this.ahead) return () => {};
    return this.ahead.subscribe(() => fn(this.readiness(0)));
  }

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    if (--this.refs > 0 || this.released) return;
    this.released = true;
    // The host descriptor belongs to the caller: it is never closed here;
    // the second open made for readiness is, with its last user.
    notifyRelease(this);
    this.ahead?.release();
  }
}
