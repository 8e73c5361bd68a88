// The ends of a pipe: the I/O every open end shares (PipeEnd), the open file
// description of pipe(2)'s ends (PipeFile), and pipe creation.
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { Ioctl } from '../../abi/linux/ioctl.js';
import { FileMode, StatxMask, type StatxValues } from '../../abi/linux/stat.js';
import type { FileDescription, IoResult } from '../../vfs/file.js';
import { releaseFileLocks } from '../../vfs/file_locks.js';
import type { GuestMemory } from '../../vfs/guest_memory.js';
import { notifyRelease } from '../../vfs/poll.js';
import type { PipeAccounting, PipeCaller } from './accounting.js';
import { IoCursor } from './iov.js';
import { Pipe, pipefsDevice, type StatusFlags } from './pipe.js';

const FIONREAD_BUF = new Uint8Array(4);
const FIONREAD_VIEW = new DataView(FIONREAD_BUF.buffer);

/** One open end of a pipe or FIFO (a struct file on pipefifo_fops): reader, writer, or both (a FIFO opened O_RDWR). */
export class PipeEnd {
  /** filp->f_version: POLLHUP is withheld until a writer opens after it (FIFO readers opened O_NONBLOCK without one). */
  hupVersion = 0;
  private released = false;

  constructor(
    readonly pipe: Pipe,
    readonly readable: boolean,
    readonly writable: boolean,
    /** The file's O_* status flags now (O_NONBLOCK, O_DIRECT). */
    protected statusFlags: StatusFlags,
  ) {}

  read(mm: GuestMemory, addr: number, len: number): IoResult {
    if (!this.readable) return -Errno.EBADF;
    return this.pipe.read(new IoCursor(mm, addr, len), this.statusFlags);
  }

  write(mm: GuestMemory, addr: number, len: number): IoResult {
    if (!this.writable) return -Errno.EBADF;
    return this.pipe.write(new IoCursor(mm, addr, len), this.statusFlags);
  }

  /**
   * readv(2) as one pipe_read over the first n iovecs (validated and clipped
   * to MAX_RW_COUNT by the caller): it returns what the pipe holds, never
   * blocking once something was read. The arrays are copied.
   */
  readv(mm: GuestMemory, bases: readonly number[], lens: readonly number[], n: number): IoResult {
    if (!this.readable) return -Errno.EBADF;
    return this.pipe.read(new IoCursor(mm, bases, lens, n), this.statusFlags);
  }

  /** writev(2) as one pipe_write: a total of at most PIPE_BUF bytes is atomic, and one packet in O_DIRECT mode. */
  writev(mm: GuestMemory, bases: readonly number[], lens: readonly number[], n: number): IoResult {
    if (!this.writable) return -Errno.EBADF;
    return this.pipe.write(new IoCursor(mm, bases, lens, n), this.statusFlags);
  }

  /** pipe_ioctl: FIONREAD (the bytes held, on either end); others ENOTTY. */
  ioctl(mm: GuestMemory, request: number, arg: number): number {
    if (request >>> 0 !== Ioctl.FIONREAD) return -Errno.ENOTTY;
    FIONREAD_VIEW.setInt32(0, Math.min(this.pipe.queued, 0x7fffffff), true);
    return mm.writeBytes(arg, FIONREAD_BUF, 0, 4);
  }

  /** F_GETPIPE_SZ. */
  getPipeSize(): number {
    return this.pipe.size;
  }

  /** F_SETPIPE_SZ (arg: the fcntl argument's low 32 bits). */
  setPipeSize(arg: number, caller: PipeCaller): number {
    return this.pipe.setSize(arg, caller);
  }

  /** The end's poll mask (PollEvent bits). */
  readiness(): number {
    return this.pipe.poll(this.readable, this.writable, this.hupVersion);
  }

  /** fn(mask) after every change of the pipe's state; returns the unsubscriber. */
  onReadinessChange(fn: (mask: number) => void): () => void {
    return this.pipe.onReadinessChange(() => fn(this.readiness()));
  }

  /** The end's last reference went away (pipe_release). Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    // eventpoll_release: epoll sets watching this end forget it.
    notifyRelease(this);
    this.pipe.close(this.readable, this.writable);
  }
}

/** An end of an anonymous pipe (pipe(2), pipe2(2)): its own open file description. */
export class PipeFile extends PipeEnd implements FileDescription {
  readonly positional = false;
  readonly name: string;
  private refs = 0;

  constructor(pipe: Pipe, readable: boolean, public flags: number) {
    super(pipe, readable, !readable, () => this.flags);
    this.name = `pipe:[${pipe.ino}]`;
  }

  /** fstat(2): the pipefs inode both ends share (S_IFIFO|0600, size 0, the creator's fsuid/fsgid). */
  stat(out: StatxValues): void {
    const p = this.pipe;
    out.dev = pipefsDevice();
    out.ino = p.ino;
    out.nlink = 1;
    out.mode = FileMode.S_IFIFO | 0o600;
    out.uid = p.uid;
    out.gid = p.gid;
    out.rdev = 0;
    out.size = 0;
    out.blksize = 4096;
    out.blocks = 0;
    out.atimeSec = out.mtimeSec = out.ctimeSec = p.created.sec;
    out.atimeNsec = out.mtimeNsec = out.ctimeNsec = p.created.nsec;
    out.mask = StatxMask.STATX_BASIC_STATS;
  }

  pread(): IoResult {
    return -Errno.ESPIPE;
  }

  pwrite(): IoResult {
    return -Errno.ESPIPE;
  }

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    if (--this.refs > 0) return;
    // locks_remove_file: the description's flock and OFD locks go with it.
    releaseFileLocks(this, this.pipe);
    this.release();
  }
}

/**
 * create_pipe_files: a new pipe and its two ends, [read, write], with no
 * descriptor yet (FdTable.install takes the references). The read end's flags
 * are O_RDONLY plus O_NONBLOCK; the write end's O_WRONLY plus O_NONBLOCK and
 * O_DIRECT. -ENFILE over the pipe limits.
 */
export function createPipe(flags: number, caller: PipeCaller, accounting?: PipeAccounting): [PipeFile, PipeFile] | number {
  const pipe = Pipe.create(caller, { accounting });
  if (typeof pipe === 'number') return pipe;
  pipe.open(true, false);
  pipe.open(false, true);
  const r = new PipeFile(pipe, true, OpenFlag.O_RDONLY | (flags & OpenFlag.O_NONBLOCK));
  const w = new PipeFile(pipe, false, OpenFlag.O_WRONLY | (flags & (OpenFlag.O_NONBLOCK | OpenFlag.O_DIRECT)));
  return [r, w];
}
