// A terminal (Linux's struct tty_struct with the N_TTY discipline; man 4
// tty_ioctl, man 3 termios, man 7 credentials): its settings and window
// size, the session it controls and its foreground process group, job
// control (SIGTTIN/SIGTTOU for background process groups), flow control,
// hangup, and the read, write, poll and ioctl of the files opened on it.
//
// The device behind it (TtyDevice: a pty's master side) takes the processed
// output and feeds typed input through receive(). A terminal and its device
// share one WaitQueue: any change wakes blocked calls and pollers of both.
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { decodeWinsize, encodeWinsize, Ioctl, WINSIZE_SIZE, type Winsize } from '../../abi/linux/ioctl.js';
import { Poll } from '../../abi/linux/poll.js';
import { devMajor, devMinor } from '../../abi/linux/stat.js';
import {
  baudOf, Cc, Cflag, copyTermios, decodeTermio, decodeTermios, decodeTermios2, encodeTermio, encodeTermios, encodeTermios2, Iflag, Lflag, N_TTY,
  Oflag, TcFlow, TcFlush, TERMIO_SIZE, TERMIOS_SIZE, TERMIOS2_SIZE, VDISABLE, type Termios,
} from '../../abi/linux/termios.js';
import type { GuestMemory, IoResult } from '../../vfs/guest_memory.js';
import type { FileImpl } from '../../vfs/inode.js';
import { attachProcess, controllingTerminalOf, detachProcess, registerControlling, unregisterControlling } from './ctty.js';
import { ttyKernel, type TaskToken, type TtyProcess } from './hooks.js';
import { N_TTY_BUF_SIZE, NTty, type LdiscDriver } from './ldisc.js';
import { ByteQueue, type BufferBudget } from './queue.js';
import { Sleeper, WaitQueue } from './wait.js';

const SIGHUP = 1;
const SIGCONT = 18;
const SIGTTIN = 21;
const SIGTTOU = 22;
const SIGWINCH = 28;
const CAP_SYS_ADMIN = 21;

/** Typed input waiting for room in the read buffer (the flip buffers' limit, TTYB_DEFAULT_MEM_LIMIT). */
export const INPUT_LIMIT = 65536;
/** How much of a write is taken from the caller at a time (tty_write's chunk). */
const WRITE_CHUNK = 2048;

/** Locked-termios requests (not in the Ioctl table). */
const TIOCGLCKTRMIOS = 0x5456;
const TIOCSLCKTRMIOS = 0x5457;

export const READABLE = Poll.POLLIN | Poll.POLLRDNORM;
export const WRITABLE = Poll.POLLOUT | Poll.POLLWRNORM;
/** hung_up_tty_poll. */
export const HUNG_UP_POLL = READABLE | WRITABLE | Poll.POLLERR | Poll.POLLHUP;

/** The device side of a terminal. */
export interface TtyDevice {
  /** One processed output byte (program output or echo) for the device. */
  put(c: number): void;
  /** Output bytes the device takes now (0: writers wait). */
  room(): number;
  /** tty_driver_flush_buffer: output not yet taken by the device is dropped. */
  flushOutput(): void;
  /** The input buffer was flushed. */
  inputFlushed(): void;
  /** Output was stopped or started (flow control). */
  flowChanged(stopped: boolean): void;
  /** tty_send_xchar: a flow-control character for the other end (TCIOFF, TCION). */
  sendXchar(c: number): void;
  /** The settings changed (old: the previous ones); the driver may adjust the new ones (pty_set_termios). */
  termiosChanged(old: Termios): void;
  /** Opens another file on this terminal (/dev/tty): its FileImpl or -errno. */
  reopen(flags: number): FileImpl | number;
}

/** The state of one open file description on a terminal. */
export class TtyFile {
  /** The terminal was hung up while this file was open: reads end, writes and ioctls fail. */
  hungUp = false;

  constructor(public flags: () => number) {}

  get nonblock(): boolean {
    return (this.flags() & OpenFlag.O_NONBLOCK) !== 0;
  }

  /** FMODE_READ. */
  get readable(): boolean {
    const acc = this.flags() & OpenFlag.O_ACCMODE;
    return acc === OpenFlag.O_RDONLY || acc === OpenFlag.O_RDWR;
  }
}

/** The caller of an operation: its task and process (undefined outside a system call). */
interface CallerInfo {
  task: TaskToken | undefined;
  proc: TtyProcess | undefined;
}

function callerInfo(): CallerInfo {
  const k = ttyKernel();
  const task = k.currentTask();
  return { task, proc: task === undefined ? undefined : k.processOf(task) };
}

const ioBuf = new Uint8Array(64);
const ioView = new DataView(ioBuf.buffer);

function putInt(mm: GuestMemory, addr: number, v: number): number {
  ioView.setInt32(0, v | 0, true);
  const r = mm.writeBytes(addr, ioBuf, 0, 4);
  return r < 0 ? r : 0;
}

/** An int argument from guest memory, or -EFAULT. */
function getInt(mm: GuestMemory, addr: number): { v: number } | number {
  const r = mm.readBytes(addr, ioBuf, 0, 4);
  if (r < 0) return r;
  return { v: ioView.getInt32(0, true) };
}

export class Tty {
  termios: Termios;
  readonly winsize: Winsize = { row: 0, col: 0, xpixel: 0, ypixel: 0 };
  readonly ldisc: NTty;
  /** The session this terminal controls (tty->ctrl.session), and its foreground process group (0: none). */
  ctrl: { readonly ns: object; readonly sid: number } | null = null;
  pgrp = 0;
  /** Output is stopped (VSTOP, TCOOFF); tcoStopped: by TCOOFF, which only TCOON undoes. */
  stopped = false;
  tcoStopped = false;
  /** TIOCEXCL: new opens are EBUSY without CAP_SYS_ADMIN. */
  exclusive = false;
  /** The files open on it. */
  readonly files = new Set<TtyFile>();
  /** Typed input the read buffer had no room for yet. */
  private readonly pending: ByteQueue;
  private lockedTermios = new Uint8Array(TERMIOS_SIZE);
  private cancelLeaderWatch: (() => void) | null = null;
  private readonly driver: LdiscDriver;

  constructor(
    /** "pts/0": the name under /dev. */
    readonly name: string,
    /** The device number (TIOCGDEV). */
    readonly rdev: number,
    readonly device: TtyDevice,
    readonly wq: WaitQueue,
    termios: Termios,
    /** Shared with the other terminals of the sandbox (what they may keep in all). */
    budget: BufferBudget | null = null,
  ) {
    this.termios = termios;
    this.pending = new ByteQueue(budget);
    const xoff = (): boolean => this.stopped && !this.tcoStopped;
    this.driver = {
      put: (c) => device.put(c),
      room: () => (this.stopped ? 0 : device.room()),
      signal: (sig) => this.signalForeground(sig),
      flushOutput: () => device.flushOutput(),
      inputFlushed: () => device.inputFlushed(),
      stop: () => this.stop(),
      start: () => this.start(),
      get xoffStopped() {
        return xoff();
      },
    };
    this.ldisc = new NTty(() => this.termios, this.driver);
  }

  // ---------------------------------------------------------------------------
  // The device side

  /**
   * Typed input (a write to the pty master): processed at once as far as
   * the read buffer has room, the rest kept up to INPUT_LIMIT. Returns how
   * many bytes were taken.
   */
  receive(src: Uint8Array, off: number, len: number): number {
    let taken = 0;
    if (this.pending.length === 0) {
      taken = this.ldisc.receive(src, off, len);
      if (taken > 0) this.wq.notify();
      if (taken === len) return taken;
    }
    const keep = Math.min(len - taken, this.receiveRoom());
    if (keep > 0) {
      this.pending.push(src, off + taken, keep);
      taken += keep;
      this.drainPending();
    }
    return taken;
  }

  /** Input bytes the terminal takes now (master writers wait at 0). */
  receiveRoom(): number {
    const room = INPUT_LIMIT - this.pending.length;
    const b = this.pending.budget;
    return b ? Math.min(room, b.left) : room;
  }

  /** Moves kept input into the read buffer as room allows. */
  private drainPending(): void {
    let moved = false;
    while (this.pending.length > 0) {
      const chunk = this.pending.front(4096);
      const n = this.ldisc.receive(chunk, 0, chunk.length);
      if (n > 0) {
        this.pending.skip(n);
        moved = true;
      }
      if (n < chunk.length) break;
    }
    if (moved) this.wq.notify();
  }

  /** Drops kept input (pty_flush_buffer from the master's TCOFLUSH). */
  flushPendingInput(): void {
    this.pending.clear();
    this.wq.notify();
  }

  // ---------------------------------------------------------------------------
  // Flow control

  /** stop_tty. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.device.flowChanged(true);
    this.wq.notify();
  }

  /** start_tty: not while TCOOFF holds it. */
  start(): void {
    if (!this.stopped || this.tcoStopped) return;
    this.stopped = false;
    this.device.flowChanged(false);
    this.wq.notify();
  }

  // ---------------------------------------------------------------------------
  // Sessions, process groups and job control

  /** The ISIG characters' signal, and SIGWINCH: the foreground process group. */
  signalForeground(sig: number): void {
    const c = this.ctrl;
    if (c && this.pgrp > 0) ttyKernel().signalGroup(c.ns, this.pgrp, sig);
  }

  /** Whether p's controlling terminal is this one. */
  isControllingTerminalOf(p: TtyProcess | undefined): boolean {
    return p !== undefined && controllingTerminalOf<Tty>(p) === this;
  }

  /** __proc_set_tty: this terminal becomes the controlling terminal of p's session; p's group the foreground. */
  private setControlling(p: TtyProcess): void {
    this.clearControlling();
    this.ctrl = { ns: p.ns, sid: p.sid };
    this.pgrp = p.pgid;
    registerControlling(this);
    attachProcess(p);
    // disassociate_ctty(1) when the session leader exits.
    this.cancelLeaderWatch = ttyKernel().onProcessExit(p.ns, p.sid, () => {
      this.cancelLeaderWatch = null;
      this.leaderExited();
    });
  }

  /**
   * Makes this terminal the controlling terminal of session sid (of PID
   * namespace ns) with pgid in the foreground, as TIOCSCTTY by its leader
   * would: for the sandbox's console and its first process.
   */
  attachSession(ns: object, sid: number, pgid: number): void {
    this.setControlling({ proc: {}, ns, sid, pgid, pid: sid });
  }

  /** The terminal controls no session any more (session_clear_tty). */
  private clearControlling(): void {
    this.cancelLeaderWatch?.();
    this.cancelLeaderWatch = null;
    this.ctrl = null;
    this.pgrp = 0;
    unregisterControlling(this);
  }

  /** disassociate_ctty(1) for a pty: the session leader exited; SIGHUP to the foreground group. */
  private leaderExited(): void {
    if (!this.ctrl) return;
    this.signalForeground(SIGHUP);
    this.clearControlling();
  }

  /** disassociate_ctty(0) (TIOCNOTTY by the session leader): SIGHUP and SIGCONT to the foreground group. */
  private disassociate(): void {
    this.signalForeground(SIGHUP);
    this.signalForeground(SIGCONT);
    this.clearControlling();
  }

  /**
   * tty_open_proc_set_tty: an open without O_NOCTTY, readable, by a session
   * leader without a controlling terminal, of a terminal that controls no
   * session, makes it the controlling terminal.
   */
  openedBy(file: TtyFile, flags: number): void {
    if ((flags & OpenFlag.O_NOCTTY) !== 0 || !file.readable || this.ctrl) return;
    const { proc } = callerInfo();
    if (!proc || proc.sid !== proc.pid || controllingTerminalOf(proc) !== undefined) return;
    this.setControlling(proc);
  }

  /**
   * __tty_check_change: a caller in a background process group of its own
   * controlling terminal gets sig (SIGTTIN to read, SIGTTOU to write with
   * TOSTOP or change settings) and the call restarts after it; EIO if the
   * group is orphaned, or for SIGTTIN when the caller ignores or blocks it
   * (SIGTTOU then lets the call go on).
   */
  checkChange(c: CallerInfo, sig: number): number {
    const p = c.proc;
    if (!p || c.task === undefined || !this.isControllingTerminalOf(p)) return 0;
    if (this.pgrp === 0 || p.pgid === this.pgrp) return 0;
    const k = ttyKernel();
    if (k.signalIgnored(c.task, sig)) return sig === SIGTTIN ? -Errno.EIO : 0;
    if (k.pgrpOrphaned(p.ns, p.pgid)) return -Errno.EIO;
    k.signalGroup(p.ns, p.pgid, sig);
    return -Errno.ERESTARTSYS;
  }

  // ---------------------------------------------------------------------------
  // Hangup

  /**
   * __tty_hangup: every open file is hung up (reads give 0, writes EIO),
   * the session leader gets SIGHUP and SIGCONT, the terminal controls no
   * session any more, and blocked calls end.
   */
  hangup(): void {
    for (const f of this.files) f.hungUp = true;
    const c = this.ctrl;
    if (c) {
      const k = ttyKernel();
      k.signalProcess(c.ns, c.sid, SIGHUP);
      k.signalProcess(c.ns, c.sid, SIGCONT);
    }
    this.clearControlling();
    this.stopped = this.tcoStopped = false;
    this.ldisc.flushInput();
    this.pending.clear();
    this.wq.notify();
  }

  // ---------------------------------------------------------------------------
  // Files on the terminal

  /** n_tty_read. */
  read(file: TtyFile, mm: GuestMemory, addr: number, len: number): IoResult {
    if (file.hungUp) return 0;
    if (len <= 0) return 0;
    const caller = callerInfo();
    const jc = this.checkChange(caller, SIGTTIN);
    if (jc < 0) return jc;
    const ld = this.ldisc;
    const tmp = new Uint8Array(Math.min(len, N_TTY_BUF_SIZE));
    let copied = 0;
    const sleeper = new Sleeper();

    const copyToGuest = (n: number): number => {
      const r = mm.writeBytes(addr + copied, tmp, 0, n);
      if (r < 0) return r;
      copied += n;
      return 0;
    };

    let attempt: () => number | null;
    if (ld.canonical) {
      attempt = () => {
        if (file.hungUp) return copied;
        if (ld.inputAvailable(false)) {
          const n = ld.readCanon(tmp, 0, Math.min(len, tmp.length));
          this.afterRead();
          const r = copyToGuest(n);
          return r < 0 ? r : copied;
        }
        if (file.nonblock) return -Errno.EAGAIN;
        return null;
      };
    } else {
      const t = this.termios;
      const vmin = t.cc[Cc.VMIN]!;
      const vtime = t.cc[Cc.VTIME]!;
      const minimum = vmin > 0 ? vmin : 1;
      // MIN 0, TIME 0: never wait; MIN 0, TIME > 0: a timeout from the start; MIN > 0, TIME > 0: between bytes.
      const poll = vmin === 0 && vtime === 0;
      if (vmin === 0 && vtime > 0) sleeper.arm(vtime * 100);
      attempt = () => {
        for (;;) {
          if (ld.inputAvailable(false)) {
            const n = ld.readRaw(tmp, 0, Math.min(len - copied, tmp.length));
            this.afterRead();
            const r = copyToGuest(n);
            if (r < 0) return copied > 0 ? copied : r;
            if (copied >= minimum || copied >= len) return copied;
            if (vmin > 0 && vtime > 0) sleeper.arm(vtime * 100);
            continue;
          }
          if (file.hungUp || poll || sleeper.timedOut) return copied;
          if (file.nonblock) return copied > 0 ? copied : -Errno.EAGAIN;
          return null;
        }
      };
    }
    const r = attempt();
    if (r !== null) {
      sleeper.disarm();
      return r;
    }
    return this.wq.block(caller.task, attempt, (e) => (copied > 0 ? copied : e), sleeper);
  }

  /** Room was made in the read buffer: kept input moves in, writers on the device side may go on. */
  private afterRead(): void {
    this.drainPending();
    this.wq.notify();
  }

  /** n_tty_write: through output processing (OPOST) while the device has room. */
  write(file: TtyFile, mm: GuestMemory, addr: number, len: number): IoResult {
    if (file.hungUp) return -Errno.EIO;
    if (len <= 0) return 0;
    const caller = callerInfo();
    if (this.termios.lflag & Lflag.TOSTOP) {
      const r = this.checkChange(caller, SIGTTOU);
      if (r < 0) return r;
    }
    const chunk = new Uint8Array(Math.min(len, WRITE_CHUNK));
    let chunkOff = 0;
    let chunkLen = 0;
    let done = 0;
    const attempt = (): number | null => {
      for (;;) {
        if (file.hungUp) return done > 0 ? done : -Errno.EIO;
        if (chunkOff === chunkLen) {
          if (done === len) break;
          const n = Math.min(chunk.length, len - done);
          const r = mm.readBytes(addr + done, chunk, 0, n);
          if (r < 0) return done > 0 ? done : r;
          chunkOff = 0;
          chunkLen = n;
        }
        const w = this.writeOut(chunk, chunkOff, chunkLen - chunkOff);
        chunkOff += w;
        done += w;
        if (w > 0) this.wq.notify();
        if (chunkOff < chunkLen) break;
      }
      if (done === len) return done;
      if (file.nonblock) return done > 0 ? done : -Errno.EAGAIN;
      return null;
    };
    const r = attempt();
    if (r !== null) return r;
    return this.wq.block(caller.task, attempt, (e) => (done > 0 ? done : e));
  }

  /** Output bytes through OPOST (or raw) as far as the device takes them; the count consumed. */
  writeOut(src: Uint8Array, off: number, len: number): number {
    if (this.termios.oflag & Oflag.OPOST) return this.ldisc.write(src, off, len);
    if (this.stopped) return 0;
    const n = Math.min(len, this.device.room());
    for (let i = 0; i < n; i++) this.device.put(src[off + i]!);
    return n;
  }

  /** n_tty_poll for a file on the terminal. */
  readiness(file: TtyFile): number {
    if (file.hungUp) return HUNG_UP_POLL;
    let mask = 0;
    if (this.ldisc.inputAvailable(true)) mask |= READABLE;
    if (!this.stopped && this.device.room() > 0) mask |= WRITABLE;
    return mask;
  }

  // ---------------------------------------------------------------------------
  // ioctl

  /**
   * The requests that act on the terminal itself, whichever side of a pty
   * they are made on (tty_mode_ioctl's real_tty and tty_ioctl's pair
   * requests): settings, window size, sessions and process groups. viaMaster:
   * made on the pty master (no controlling-terminal checks for the getters;
   * TIOCNOTTY is ENOTTY). undefined for any other request.
   */
  modeIoctl(file: TtyFile, mm: GuestMemory, req: number, arg: number, viaMaster: boolean): number | undefined {
    switch (req) {
      case Ioctl.TCGETS:
        encodeTermios(ioView, 0, this.termios);
        return this.out(mm, arg, TERMIOS_SIZE);
      case Ioctl.TCGETS2:
        encodeTermios2(ioView, 0, this.termios);
        return this.out(mm, arg, TERMIOS2_SIZE);
      case Ioctl.TCGETA:
        encodeTermio(ioView, 0, this.termios);
        return this.out(mm, arg, TERMIO_SIZE);
      case Ioctl.TCSETS:
      case Ioctl.TCSETSW:
      case Ioctl.TCSETSF:
      case Ioctl.TCSETS2:
      case Ioctl.TCSETSW2:
      case Ioctl.TCSETSF2:
      case Ioctl.TCSETA:
      case Ioctl.TCSETAW:
      case Ioctl.TCSETAF:
        return this.setTermiosIoctl(mm, req, arg);
      case TIOCGLCKTRMIOS:
        ioBuf.set(this.lockedTermios);
        return this.out(mm, arg, TERMIOS_SIZE);
      case TIOCSLCKTRMIOS: {
        if (!ttyKernel().capable(callerInfo().task, CAP_SYS_ADMIN)) return -Errno.EPERM;
        const r = mm.readBytes(arg, ioBuf, 0, TERMIOS_SIZE);
        if (r < 0) return r;
        this.lockedTermios = ioBuf.slice(0, TERMIOS_SIZE);
        return 0;
      }
      case Ioctl.TIOCGWINSZ:
        encodeWinsize(ioView, 0, this.winsize);
        return this.out(mm, arg, WINSIZE_SIZE);
      case Ioctl.TIOCSWINSZ: {
        const r = mm.readBytes(arg, ioBuf, 0, WINSIZE_SIZE);
        if (r < 0) return r;
        this.resize(decodeWinsize(ioView, 0, { row: 0, col: 0, xpixel: 0, ypixel: 0 }));
        return 0;
      }
      case Ioctl.TIOCGPGRP: {
        const c = callerInfo();
        if (!viaMaster && !this.isControllingTerminalOf(c.proc)) return -Errno.ENOTTY;
        return putInt(mm, arg, this.pgrp);
      }
      case Ioctl.TIOCSPGRP:
        return this.setPgrp(mm, arg);
      case Ioctl.TIOCGSID: {
        const c = callerInfo();
        if (!viaMaster && !this.isControllingTerminalOf(c.proc)) return -Errno.ENOTTY;
        if (!this.ctrl) return -Errno.ENOTTY;
        return putInt(mm, arg, this.ctrl.sid);
      }
      case Ioctl.TIOCSCTTY:
        return this.setCttyIoctl(file, arg);
      case Ioctl.TIOCNOTTY: {
        if (viaMaster) return -Errno.ENOTTY;
        const { proc } = callerInfo();
        if (!proc || !this.isControllingTerminalOf(proc)) return -Errno.ENOTTY;
        if (proc.sid === proc.pid) this.disassociate();
        else detachProcess(proc, this);
        return 0;
      }
      case Ioctl.TIOCGDEV: {
        const major = devMajor(this.rdev);
        const minor = devMinor(this.rdev);
        ioView.setUint32(0, ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0, true);
        return this.out(mm, arg, 4);
      }
    }
    return undefined;
  }

  /** The requests on the file's own side (tty_ioctl and n_tty_ioctl on the slave); ENOTTY for others. */
  localIoctl(_file: TtyFile, mm: GuestMemory, req: number, arg: number): number {
    switch (req) {
      case Ioctl.FIONREAD:
        return putInt(mm, arg, this.ldisc.inq());
      case Ioctl.TIOCOUTQ:
        return putInt(mm, arg, 0);
      case Ioctl.TCFLSH: {
        const r = this.checkChange(callerInfo(), SIGTTOU);
        if (r < 0) return r;
        switch (arg) {
          case TcFlush.TCIFLUSH:
            this.flushInput();
            return 0;
          case TcFlush.TCIOFLUSH:
            this.flushInput();
            this.device.flushOutput();
            this.wq.notify();
            return 0;
          case TcFlush.TCOFLUSH:
            this.device.flushOutput();
            this.wq.notify();
            return 0;
          default:
            return -Errno.EINVAL;
        }
      }
      case Ioctl.TCXONC:
        return this.flowIoctl(arg);
      case Ioctl.TIOCSTI:
        return this.simulateInput(mm, arg);
      case Ioctl.TIOCEXCL:
        this.exclusive = true;
        return 0;
      case Ioctl.TIOCNXCL:
        this.exclusive = false;
        return 0;
      case Ioctl.TIOCGEXCL:
        return putInt(mm, arg, this.exclusive ? 1 : 0);
      case Ioctl.TIOCGETD:
        return putInt(mm, arg, N_TTY);
      case Ioctl.TIOCSETD: {
        const v = getInt(mm, arg);
        if (typeof v === 'number') return v;
        return v.v === N_TTY ? 0 : -Errno.EINVAL;
      }
      case Ioctl.TCSBRK:
      case Ioctl.TCSBRKP:
      case Ioctl.TIOCSBRK:
      case Ioctl.TIOCCBRK: {
        const r = this.checkChange(callerInfo(), SIGTTOU);
        return r < 0 ? r : 0;
      }
      case Ioctl.TIOCVHANGUP:
        if (!ttyKernel().capable(callerInfo().task, CAP_SYS_ADMIN)) return -Errno.EPERM;
        this.hangup();
        return 0;
      case Ioctl.TIOCCONS:
        return ttyKernel().capable(callerInfo().task, CAP_SYS_ADMIN) ? 0 : -Errno.EPERM;
    }
    return -Errno.ENOTTY;
  }

  /** Copies ioBuf[0, len) to the guest: 0 or -EFAULT. */
  private out(mm: GuestMemory, addr: number, len: number): number {
    const r = mm.writeBytes(addr, ioBuf, 0, len);
    return r < 0 ? r : 0;
  }

  /** The input side is emptied (n_tty_flush_buffer and the kept input). */
  flushInput(): void {
    this.pending.clear();
    this.ldisc.flushInput();
    this.wq.notify();
  }

  /** set_termios: TCSETS* (termios), TCSETS*2 (termios2), TCSETA* (termio). */
  private setTermiosIoctl(mm: GuestMemory, req: number, arg: number): number {
    const r = this.checkChange(callerInfo(), SIGTTOU);
    if (r < 0) return r;
    const next = copyTermios(this.termios);
    let size: number;
    switch (req) {
      case Ioctl.TCSETS2:
      case Ioctl.TCSETSW2:
      case Ioctl.TCSETSF2:
        size = TERMIOS2_SIZE;
        break;
      case Ioctl.TCSETA:
      case Ioctl.TCSETAW:
      case Ioctl.TCSETAF:
        size = TERMIO_SIZE;
        break;
      default:
        size = TERMIOS_SIZE;
    }
    const rd = mm.readBytes(arg, ioBuf, 0, size);
    if (rd < 0) return rd;
    if (size === TERMIOS2_SIZE) decodeTermios2(ioView, 0, next);
    else if (size === TERMIO_SIZE) decodeTermio(ioView, 0, next);
    else decodeTermios(ioView, 0, next);
    // The speeds follow the CBAUD codes unless BOTHER names them (termios2).
    next.ospeed = baudOf(next.cflag, next.ospeed);
    const ibaud = (next.cflag >>> 16) & Cflag.CBAUD;
    next.ispeed = ibaud === 0 ? next.ospeed : baudOf(ibaud, next.ispeed);
    if (req === Ioctl.TCSETSF || req === Ioctl.TCSETSF2 || req === Ioctl.TCSETAF) this.flushInput();
    this.setTermios(next);
    return 0;
  }

  /** tty_set_termios with N_TTY's set_termios. */
  setTermios(next: Termios): void {
    const old = this.termios;
    this.termios = next;
    this.device.termiosChanged(old);
    this.ldisc.settingsChanged();
    // IXON turned off restarts output VSTOP stopped.
    if ((next.iflag & Iflag.IXON) === 0 && (old.iflag & Iflag.IXON) !== 0 && !this.tcoStopped) this.start();
    this.wq.notify();
  }

  /** tty_do_resize: SIGWINCH to the foreground process group when the size changes. */
  resize(ws: Winsize): void {
    const w = this.winsize;
    if (w.row === ws.row && w.col === ws.col && w.xpixel === ws.xpixel && w.ypixel === ws.ypixel) return;
    this.signalForeground(SIGWINCH);
    w.row = ws.row;
    w.col = ws.col;
    w.xpixel = ws.xpixel;
    w.ypixel = ws.ypixel;
  }

  /** tiocspgrp. */
  private setPgrp(mm: GuestMemory, arg: number): number {
    const c = callerInfo();
    const chk = this.checkChange(c, SIGTTOU);
    if (chk === -Errno.EIO) return -Errno.ENOTTY;
    if (chk < 0) return chk;
    const v = getInt(mm, arg);
    if (typeof v === 'number') return v;
    if (v.v < 0) return -Errno.EINVAL;
    const p = c.proc;
    if (!p || !this.isControllingTerminalOf(p) || !this.ctrl || this.ctrl.sid !== p.sid) return -Errno.ENOTTY;
    const sess = ttyKernel().sessionOfPgrp(p.ns, v.v);
    if (sess === undefined) return -Errno.ESRCH;
    if (sess !== p.sid) return -Errno.EPERM;
    this.pgrp = v.v;
    return 0;
  }

  /** tiocsctty. */
  private setCttyIoctl(file: TtyFile, arg: number): number {
    const c = callerInfo();
    const p = c.proc;
    if (!p) return -Errno.EPERM;
    const leader = p.sid === p.pid;
    if (leader && this.ctrl && this.ctrl.ns === p.ns && this.ctrl.sid === p.sid) return 0;
    if (!leader || controllingTerminalOf(p) !== undefined) return -Errno.EPERM;
    const k = ttyKernel();
    if (this.ctrl) {
      // Another session's terminal: only stolen with arg 1 and CAP_SYS_ADMIN.
      if (arg !== 1 || !k.capable(c.task, CAP_SYS_ADMIN)) return -Errno.EPERM;
      this.clearControlling();
    }
    if (!file.readable && !k.capable(c.task, CAP_SYS_ADMIN)) return -Errno.EPERM;
    this.setControlling(p);
    return 0;
  }

  /** TCXONC (n_tty_ioctl_helper). */
  private flowIoctl(arg: number): number {
    const r = this.checkChange(callerInfo(), SIGTTOU);
    if (r < 0) return r;
    const t = this.termios;
    switch (arg) {
      case TcFlow.TCOOFF:
        if (!this.tcoStopped) {
          this.tcoStopped = true;
          if (!this.stopped) {
            this.stopped = true;
            this.device.flowChanged(true);
          }
        }
        this.wq.notify();
        return 0;
      case TcFlow.TCOON:
        if (this.tcoStopped) {
          this.tcoStopped = false;
          this.start();
        }
        return 0;
      case TcFlow.TCIOFF:
        if (t.cc[Cc.VSTOP] !== VDISABLE) this.device.sendXchar(t.cc[Cc.VSTOP]!);
        this.wq.notify();
        return 0;
      case TcFlow.TCION:
        if (t.cc[Cc.VSTART] !== VDISABLE) this.device.sendXchar(t.cc[Cc.VSTART]!);
        this.wq.notify();
        return 0;
      default:
        return -Errno.EINVAL;
    }
  }

  /** TIOCSTI: a byte as if typed (the caller's own terminal, or CAP_SYS_ADMIN). */
  private simulateInput(mm: GuestMemory, arg: number): number {
    const c = callerInfo();
    if (!this.isControllingTerminalOf(c.proc) && !ttyKernel().capable(c.task, CAP_SYS_ADMIN)) return -Errno.EPERM;
    const r = mm.readBytes(arg, ioBuf, 0, 1);
    if (r < 0) return r;
    this.receive(ioBuf, 0, 1);
    return 0;
  }
}

/**
 * /dev/tty (tty_open_current_tty): a new file on the caller's controlling
 * terminal, or ENXIO without one. It never makes a controlling terminal.
 */
export function openControllingTerminal(flags: number): FileImpl | number {
  const k = ttyKernel();
  const task = k.currentTask();
  const p = task === undefined ? undefined : k.processOf(task);
  const t = p ? controllingTerminalOf<Tty>(p) : undefined;
  if (!t) return -Errno.ENXIO;
  return t.device.reopen(flags | OpenFlag.O_NOCTTY);
}

/**
 * What /proc/PID/stat reports of process p's controlling terminal: its
 * device number (tty_nr) and foreground process group (tpgid); undefined
 * without one (tty_nr 0, tpgid -1).
 */
export function terminalOf(p: TtyProcess): { name: string; rdev: number; pgrp: number } | undefined {
  const t = controllingTerminalOf<Tty>(p);
  return t ? { name: t.name, rdev: t.rdev, pgrp: t.pgrp } : undefined;
}
