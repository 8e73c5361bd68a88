// A pseudo-terminal pair (man 7 pty, man 4 pts; Linux drivers/tty/pty.c):
// the slave is a terminal (src/fs/tty) whose device is the master. What a
// program writes to the slave, after output processing, waits in the
// master's input; what is written to the master is typed at the slave.
//
// Lifetimes follow pty_open and pty_close: the slave cannot be opened while
// locked (TIOCSPTLCK, set at creation) or once the master is gone; when the
// last slave file closes, the master reads EIO and polls POLLHUP (until a
// slave is opened again); when the master closes, the slave is hung up (its
// files read 0 and write EIO, its session leader gets SIGHUP) and its
// /dev/pts node goes away. The index is free again once both sides are.
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { Ioctl } from '../../abi/linux/ioctl.js';
import { Poll } from '../../abi/linux/poll.js';
import { makeDev } from '../../abi/linux/stat.js';
import { Cc, Cflag, Iflag, Lflag, ptySlaveTermios, TcFlow, TcFlush, TiocPkt, type Termios } from '../../abi/linux/termios.js';
import type { GuestMemory, IoResult } from '../../vfs/guest_memory.js';
import type { FileImpl } from '../../vfs/inode.js';
import { notifyRelease, type Pollable, type ReadinessListener } from '../../vfs/poll.js';
import { ttyKernel } from '../tty/hooks.js';
import { BufferBudget, ByteQueue } from '../tty/queue.js';
import { HUNG_UP_POLL, READABLE, Tty, TtyFile, WRITABLE, type TtyDevice } from '../tty/tty.js';
import { WaitQueue } from '../tty/wait.js';

/** Pseudo-terminal slaves' major (UNIX98_PTY_SLAVE_MAJOR). */
export const PTY_SLAVE_MAJOR = 136;
/** Output the master has not read yet, at most (the flip buffers' limit): slave writers wait beyond it. */
export const OUTPUT_LIMIT = 65536;
/** Echo may overrun the output limit by this much (what a line of typing echoes). */
const ECHO_SLACK = 4096;
const CAP_SYS_ADMIN = 21;
const SIGINT = 2;
const SIGQUIT = 3;
const SIGTSTP = 20;

/** What a pty needs of its devpts instance. */
export interface PtyOwner {
  /** The pty is gone from /dev/pts (the master closed). */
  removeNode(index: number): void;
  /** Both sides are closed: the index may be reused. */
  freeIndex(index: number): void;
}

const ioBuf = new Uint8Array(4);
const ioView = new DataView(ioBuf.buffer);

function putInt(mm: GuestMemory, addr: number, v: number): number {
  ioView.setInt32(0, v | 0, true);
  const r = mm.writeBytes(addr, ioBuf, 0, 4);
  return r < 0 ? r : 0;
}

export class Pty implements TtyDevice {
  readonly slave: Tty;
  /** Shared by both sides: any change wakes blocked calls and pollers of either. */
  readonly wq = new WaitQueue();
  /** Slave output (and echo) for the master to read. */
  readonly output: ByteQueue;
  masterOpen = true;
  /** Slave files open now. */
  slaveOpens = 0;
  /** TTY_OTHER_CLOSED on the master: the last slave file closed (cleared by the next slave open). */
  slaveGone = false;
  /** TTY_PTY_LOCK: the slave cannot be opened. */
  locked = true;
  /** TIOCPKT mode of the master, and the status bytes it has yet to read. */
  packet = false;
  pktstatus = 0;
  /** The master's own output flow (TCXONC on the master): its writes wait while stopped. */
  masterStopped = false;
  /** The master's file state (TIOCSCTTY through the master checks its access mode). */
  masterFile: TtyFile | null = null;
  private freed = false;

  constructor(
    readonly owner: PtyOwner,
    readonly index: number,
    /** Identity of the devpts instance (TIOCGPTPEER finds the slave's node through it). */
    readonly fs: object,
    /** What the pairs of the instance may keep queued in all. */
    readonly budget: BufferBudget = new BufferBudget(Number.MAX_SAFE_INTEGER),
  ) {
    this.output = new ByteQueue(budget);
    this.slave = new Tty(`pts/${index}`, makeDev(PTY_SLAVE_MAJOR, index), this, this.wq, ptySlaveTermios(), budget);
  }

  // ---------------------------------------------------------------------------
  // The slave's device (TtyDevice)

  put(c: number): void {
    // Echo does not wait for room: beyond the limits it is dropped (as n_tty drops echoes without room).
    if (this.output.length < OUTPUT_LIMIT + ECHO_SLACK && this.budget.used < this.budget.limit + ECHO_SLACK) this.output.pushByte(c);
  }

  room(): number {
    return Math.max(0, Math.min(OUTPUT_LIMIT - this.output.length, this.budget.left));
  }

  /** pty_flush_buffer of the slave: output the master has not read is dropped. */
  flushOutput(): void {
    this.output.clear();
    if (this.packet) this.pktstatus |= TiocPkt.TIOCPKT_FLUSHWRITE;
    this.wq.notify();
  }

  /** n_tty_packet_mode_flush. */
  inputFlushed(): void {
    if (this.packet) {
      this.pktstatus |= TiocPkt.TIOCPKT_FLUSHREAD;
      this.wq.notify();
    }
  }

  /** pty_stop / pty_start. */
  flowChanged(stopped: boolean): void {
    if (!this.packet) return;
    if (stopped) this.pktstatus = (this.pktstatus & ~TiocPkt.TIOCPKT_START) | TiocPkt.TIOCPKT_STOP;
    else this.pktstatus = (this.pktstatus & ~TiocPkt.TIOCPKT_STOP) | TiocPkt.TIOCPKT_START;
    this.wq.notify();
  }

  sendXchar(c: number): void {
    this.output.pushByte(c);
    this.wq.notify();
  }

  /** pty_set_termios: packet-mode notices of flow-control changes; always 8 bits, no parity, receiver on. */
  termiosChanged(old: Termios): void {
    const t = this.slave.termios;
    if (this.packet) {
      const extproc = ((old.lflag | t.lflag) & Lflag.EXTPROC) !== 0;
      const oldFlow = (old.iflag & Iflag.IXON) !== 0 && old.cc[Cc.VSTOP] === 0o23 && old.cc[Cc.VSTART] === 0o21;
      const newFlow = (t.iflag & Iflag.IXON) !== 0 && t.cc[Cc.VSTOP] === 0o23 && t.cc[Cc.VSTART] === 0o21;
      if (oldFlow !== newFlow || extproc) {
        if (oldFlow !== newFlow) {
          this.pktstatus &= ~(TiocPkt.TIOCPKT_DOSTOP | TiocPkt.TIOCPKT_NOSTOP);
          this.pktstatus |= newFlow ? TiocPkt.TIOCPKT_DOSTOP : TiocPkt.TIOCPKT_NOSTOP;
        }
        if (extproc) this.pktstatus |= TiocPkt.TIOCPKT_IOCTL;
        this.wq.notify();
      }
    }
    t.cflag = ((t.cflag & ~(Cflag.CSIZE | Cflag.PARENB)) | Cflag.CS8 | Cflag.CREAD) >>> 0;
  }

  reopen(flags: number): FileImpl | number {
    return this.openSlave(flags, true);
  }

  // ---------------------------------------------------------------------------
  // Opening and closing

  /**
   * tty_reopen + pty_open for the slave: EBUSY if exclusive (without
   * CAP_SYS_ADMIN), EIO while locked or once the master is gone. fromDevTty:
   * opened as /dev/tty (never makes a controlling terminal).
   */
  openSlave(flags: number, fromDevTty = false): PtySlaveFile | number {
    if (this.slave.exclusive && !ttyKernel().capable(ttyKernel().currentTask(), CAP_SYS_ADMIN)) return -Errno.EBUSY;
    if (!this.masterOpen || this.locked) return -Errno.EIO;
    const f = new PtySlaveFile(this, flags);
    this.slave.files.add(f.state);
    this.slaveOpens++;
    this.slaveGone = false;
    if (!fromDevTty) this.slave.openedBy(f.state, flags);
    this.wq.notify();
    return f;
  }

  /** The master's file (ptmx_open). */
  openMaster(flags: number): PtyMasterFile {
    const f = new PtyMasterFile(this, flags);
    this.masterFile = f.state;
    return f;
  }

  slaveClosed(f: PtySlaveFile): void {
    this.slave.files.delete(f.state);
    if (--this.slaveOpens === 0) {
      this.slaveGone = true;
      this.wq.notify();
      this.maybeFree();
    }
  }

  /** pty_close of the master: the slave is hung up and its node removed. */
  masterClosed(): void {
    if (!this.masterOpen) return;
    this.masterOpen = false;
    this.owner.removeNode(this.index);
    // Blocked slave calls see their files hung up when they retry (reads 0, writes EIO).
    this.slave.hangup();
    this.output.clear();
    this.maybeFree();
  }

  private maybeFree(): void {
    if (this.freed || this.masterOpen || this.slaveOpens > 0) return;
    this.freed = true;
    this.owner.freeIndex(this.index);
  }

  // ---------------------------------------------------------------------------
  // The master's I/O

  /** n_tty_read on the master (raw, MIN 1): what the slave wrote; EIO once every slave file closed. */
  masterRead(file: TtyFile, mm: GuestMemory, addr: number, len: number): IoResult {
    if (len <= 0) return 0;
    const attempt = (): number | null => {
      if (this.packet && this.pktstatus !== 0) {
        ioBuf[0] = this.pktstatus;
        this.pktstatus = 0;
        const r = mm.writeBytes(addr, ioBuf, 0, 1);
        return r < 0 ? r : 1;
      }
      if (this.output.length > 0) {
        const head = this.packet ? 1 : 0;
        const n = Math.min(len - head, this.output.length);
        const tmp = new Uint8Array(head + n);
        this.output.read(tmp, head, n);
        this.wq.notify();
        const r = mm.writeBytes(addr, tmp, 0, tmp.length);
        return r < 0 ? r : tmp.length;
      }
      if (this.slaveGone) return -Errno.EIO;
      if (file.nonblock) return -Errno.EAGAIN;
      return null;
    };
    const r = attempt();
    if (r !== null) return r;
    return this.wq.block(ttyKernel().currentTask(), attempt, (e) => e);
  }

  /** n_tty_write on the master (no output processing): typed at the slave as its input has room. */
  masterWrite(file: TtyFile, mm: GuestMemory, addr: number, len: number): IoResult {
    if (len <= 0) return 0;
    const chunk = new Uint8Array(Math.min(len, 4096));
    let chunkOff = 0;
    let chunkLen = 0;
    let done = 0;
    const attempt = (): number | null => {
      for (;;) {
        if (!this.masterOpen) return done > 0 ? done : -Errno.EIO;
        if (chunkOff === chunkLen) {
          if (done === len) break;
          const n = Math.min(chunk.length, len - done);
          const r = mm.readBytes(addr + done, chunk, 0, n);
          if (r < 0) return done > 0 ? done : r;
          chunkOff = 0;
          chunkLen = n;
        }
        const w = this.masterStopped ? 0 : this.slave.receive(chunk, chunkOff, chunkLen - chunkOff);
        chunkOff += w;
        done += w;
        if (chunkOff < chunkLen) break;
      }
      if (done === len) return done;
      if (file.nonblock) return done > 0 ? done : -Errno.EAGAIN;
      return null;
    };
    const r = attempt();
    if (r !== null) return r;
    return this.wq.block(ttyKernel().currentTask(), attempt, (e) => (done > 0 ? done : e));
  }

  /** Types bytes at the slave from outside the sandbox (a console): how many were taken. */
  input(src: Uint8Array, off = 0, len = src.length - off): number {
    if (!this.masterOpen || this.masterStopped) return 0;
    return this.slave.receive(src, off, len);
  }

  /** n_tty_poll on the master. */
  masterReadiness(): number {
    let mask = 0;
    if (this.output.length > 0) mask |= READABLE;
    if (this.packet && this.pktstatus !== 0) mask |= Poll.POLLPRI | READABLE;
    if (this.slaveGone) mask |= Poll.POLLHUP;
    if (!this.masterStopped && this.slave.receiveRoom() > 0) mask |= WRITABLE;
    return mask;
  }

  /** The ioctls of the master (pty_unix98_ioctl, tty_ioctl and n_tty_ioctl with real_tty the slave). */
  masterIoctl(file: TtyFile, mm: GuestMemory, req: number, arg: number): number {
    switch (req) {
      case Ioctl.TIOCGPTN:
        return putInt(mm, arg, this.index);
      case Ioctl.TIOCSPTLCK: {
        const r = mm.readBytes(arg, ioBuf, 0, 4);
        if (r < 0) return r;
        this.locked = ioView.getInt32(0, true) !== 0;
        return 0;
      }
      case Ioctl.TIOCGPTLCK:
        return putInt(mm, arg, this.locked ? 1 : 0);
      case Ioctl.TIOCPKT: {
        const r = mm.readBytes(arg, ioBuf, 0, 4);
        if (r < 0) return r;
        const on = ioView.getInt32(0, true) !== 0;
        if (on && !this.packet) this.pktstatus = 0;
        this.packet = on;
        this.wq.notify();
        return 0;
      }
      case Ioctl.TIOCGPKT:
        return putInt(mm, arg, this.packet ? 1 : 0);
      case Ioctl.TIOCSIG: {
        // pty_signal: INT, QUIT or TSTP for the slave's foreground process group.
        const sig = arg | 0;
        if (sig !== SIGINT && sig !== SIGQUIT && sig !== SIGTSTP) return -Errno.EINVAL;
        this.slave.signalForeground(sig);
        return 0;
      }
      case Ioctl.TIOCGPTPEER: {
        const k = ttyKernel();
        const task = k.currentTask();
        if (task === undefined) return -Errno.EIO;
        // Linux hands the flags to dentry_open unchecked; the ones that mean something for a terminal are kept.
        const kept = OpenFlag.O_ACCMODE | OpenFlag.O_NOCTTY | OpenFlag.O_NONBLOCK | OpenFlag.O_CLOEXEC | OpenFlag.O_APPEND;
        return k.openPeer(task, this.fs, this.index, arg & kept);
      }
      case Ioctl.FIONREAD:
        return putInt(mm, arg, Math.min(this.output.length, 0x7fffffff));
      case Ioctl.TIOCOUTQ:
        return putInt(mm, arg, 0);
      case Ioctl.TCFLSH:
        switch (arg) {
          case TcFlush.TCIFLUSH:
            this.output.clear();
            break;
          case TcFlush.TCIOFLUSH:
            this.output.clear();
            this.slave.flushPendingInput();
            break;
          case TcFlush.TCOFLUSH:
            this.slave.flushPendingInput();
            break;
          default:
            return -Errno.EINVAL;
        }
        this.wq.notify();
        return 0;
      case Ioctl.TCXONC:
        switch (arg) {
          case TcFlow.TCOOFF:
            this.masterStopped = true;
            break;
          case TcFlow.TCOON:
            this.masterStopped = false;
            break;
          case TcFlow.TCIOFF:
          case TcFlow.TCION: {
            // The master's own settings are raw: its VSTOP/VSTART are the defaults, sent to the slave's input.
            ioBuf[0] = arg === TcFlow.TCIOFF ? 0o23 : 0o21;
            this.slave.receive(ioBuf, 0, 1);
            break;
          }
          default:
            return -Errno.EINVAL;
        }
        this.wq.notify();
        return 0;
      case Ioctl.TIOCSTI: {
        if (!adminCaller()) return -Errno.EPERM;
        const r = mm.readBytes(arg, ioBuf, 0, 1);
        if (r < 0) return r;
        this.output.pushByte(ioBuf[0]!);
        this.wq.notify();
        return 0;
      }
      case Ioctl.TIOCEXCL:
      case Ioctl.TIOCNXCL:
      case Ioctl.TCSBRK:
      case Ioctl.TCSBRKP:
      case Ioctl.TIOCSBRK:
      case Ioctl.TIOCCBRK:
        return 0;
      case Ioctl.TIOCGEXCL:
        return putInt(mm, arg, 0);
      case Ioctl.TIOCGETD:
        return putInt(mm, arg, 0);
      case Ioctl.TIOCSETD: {
        const r = mm.readBytes(arg, ioBuf, 0, 4);
        if (r < 0) return r;
        return ioView.getInt32(0, true) === 0 ? 0 : -Errno.EINVAL;
      }
    }
    const r = this.slave.modeIoctl(file, mm, req, arg, true);
    return r ?? -Errno.ENOTTY;
  }
}

/** TIOCSTI on a master: only with CAP_SYS_ADMIN (it is nobody's controlling terminal). */
function adminCaller(): boolean {
  const k = ttyKernel();
  return k.capable(k.currentTask(), CAP_SYS_ADMIN);
}

/** The open file description of a pty master (/dev/ptmx). */
export class PtyMasterFile implements FileImpl, Pollable {
  readonly seekable = false;
  readonly hasPoll = true;
  readonly state: TtyFile;
  private flagsOf: () => number;
  private released = false;

  constructor(readonly pty: Pty, flags: number) {
    this.flagsOf = () => flags;
    this.state = new TtyFile(() => this.flagsOf());
  }

  /** The VFS passes the open file's live status flags (O_NONBLOCK follows F_SETFL). */
  bindStatusFlags(fn: () => number): void {
    this.flagsOf = fn;
  }

  get index(): number {
    return this.pty.index;
  }

  read(mm: GuestMemory, addr: number, len: number, _pos: number): IoResult {
    return this.pty.masterRead(this.state, mm, addr, len);
  }

  write(mm: GuestMemory, addr: number, len: number, _pos: number): IoResult {
    return this.pty.masterWrite(this.state, mm, addr, len);
  }

  ioctl(mm: GuestMemory, request: number, arg: number): number {
    return this.pty.masterIoctl(this.state, mm, request >>> 0, arg);
  }

  readiness(): number {
    return this.pty.masterReadiness();
  }

  onReadinessChange(fn: ReadinessListener): () => void {
    return this.pty.wq.subscribe(() => fn(this.readiness()));
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    notifyRelease(this);
    this.pty.masterClosed();
  }
}

/** The open file description of a pty slave (/dev/pts/N, or /dev/tty naming it). */
export class PtySlaveFile implements FileImpl, Pollable {
  readonly seekable = false;
  readonly hasPoll = true;
  readonly state: TtyFile;
  private flagsOf: () => number;
  private released = false;

  constructor(readonly pty: Pty, flags: number) {
    this.flagsOf = () => flags;
    this.state = new TtyFile(() => this.flagsOf());
  }

  bindStatusFlags(fn: () => number): void {
    this.flagsOf = fn;
  }

  get tty(): Tty {
    return this.pty.slave;
  }

  read(mm: GuestMemory, addr: number, len: number, _pos: number): IoResult {
    return this.pty.slave.read(this.state, mm, addr, len);
  }

  write(mm: GuestMemory, addr: number, len: number, _pos: number): IoResult {
    return this.pty.slave.write(this.state, mm, addr, len);
  }

  ioctl(mm: GuestMemory, request: number, arg: number): number {
    const req = request >>> 0;
    if (this.state.hungUp) return req === Ioctl.TIOCSPGRP ? -Errno.ENOTTY : -Errno.EIO;
    if (req === Ioctl.TIOCGPTPEER) return -Errno.EIO;
    const tty = this.pty.slave;
    return tty.modeIoctl(this.state, mm, req, arg, false) ?? tty.localIoctl(this.state, mm, req, arg);
  }

  readiness(): number {
    if (this.state.hungUp) return HUNG_UP_POLL;
    return this.pty.slave.readiness(this.state);
  }

  onReadinessChange(fn: ReadinessListener): () => void {
    return this.pty.wq.subscribe(() => fn(this.readiness()));
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    notifyRelease(this);
    this.pty.slaveClosed(this);
  }
}
