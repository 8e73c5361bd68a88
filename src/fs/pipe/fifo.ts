// Named pipes (man 7 fifo, fs/pipe.c fifo_open): a FIFO inode gets a pipe
// buffer at its first open, shared by every open end, and loses it (with any
// data) when the last end closes.
//
// open(2) of a FIFO:
// - O_RDONLY blocks until a writer has opened (even if it closed since),
//   unless O_NONBLOCK: then it succeeds, and POLLHUP is withheld until a
//   writer comes;
// - O_WRONLY blocks until a reader has opened; with O_NONBLOCK and no reader
//   it fails with ENXIO;
// - O_RDWR never blocks (Linux; POSIX leaves it undefined);
// - access mode 3 (neither): EINVAL.
// A blocked open counts as an open end from the start (a writer opening
// O_NONBLOCK sees the blocked reader), and gives it back if interrupted.
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import type { FileImpl } from '../../vfs/inode.js';
import type { PipeAccounting, PipeCaller } from './accounting.js';
import { Pipe, type StatusFlags } from './pipe.js';
import { PipeEnd } from './pipe_file.js';

/**
 * The I/O of a FIFO open file description: a FileImpl for the VFS's OpenFile,
 * which owns the flags, the references and the inode. Bind the status
 * flags to the OpenFile (bindStatusFlags) so F_SETFL's O_NONBLOCK and
 * O_DIRECT take effect; until then the flags given to open are used.
 */
export class FifoFile extends PipeEnd implements FileImpl {
  readonly seekable = false;

  constructor(pipe: Pipe, readable: boolean, writable: boolean, flags: number) {
    super(pipe, readable, writable, () => flags);
  }

  bindStatusFlags(flags: StatusFlags): void {
    this.statusFlags = flags;
  }
}

/** The pipe state of one FIFO inode (inode->i_pipe). */
export class Fifo {
  private pipe: Pipe | null = null;

  constructor(private readonly accounting?: PipeAccounting) {}

  /** The buffer while some end is open, else null. */
  get current(): Pipe | null {
    return this.pipe;
  }

  /**
   * fifo_open for an open(2) with these flags: the new end, -errno, or a
   * Promise of either when the open waits for the other side (interruptible
   * through interruptPipeWait like any parked pipe call).
   */
  open(flags: number, caller: PipeCaller): FifoFile | number | Promise<FifoFile | number> {
    let pipe = this.pipe;
    if (pipe === null) {
      const p = Pipe.create(caller, {
        accounting: this.accounting,
        onFree: () => {
          if (this.pipe === p) this.pipe = null;
        },
      });
      // alloc_pipe_info failing is ENOMEM for a FIFO.
      if (typeof p === 'number') return -Errno.ENOMEM;
      pipe = this.pipe = p;
    }
    const nonblock = (flags & OpenFlag.O_NONBLOCK) !== 0;
    switch (flags & OpenFlag.O_ACCMODE) {
      case OpenFlag.O_RDONLY: {
        pipe.open(true, false);
        const end = new FifoFile(pipe, true, false, flags);
        if (pipe.writers > 0) return end;
        if (nonblock) {
          end.hupVersion = pipe.wCounter;
          return end;
        }
        return pipe.waitForPartner(true).then((r) => (r < 0 ? r : end));
      }
      case OpenFlag.O_WRONLY: {
        if (nonblock && pipe.readers === 0) {
          this.dropIfUnused(pipe);
          return -Errno.ENXIO;
        }
        pipe.open(false, true);
        const end = new FifoFile(pipe, false, true, flags);
        if (pipe.readers > 0) return end;
        return pipe.waitForPartner(false).then((r) => (r < 0 ? r : end));
      }
      case OpenFlag.O_RDWR:
        pipe.open(true, true);
        return new FifoFile(pipe, true, true, flags);
      default:
        this.dropIfUnused(pipe);
        return -Errno.EINVAL;
    }
  }

  /** A failed first open leaves no buffer behind. */
  private dropIfUnused(pipe: Pipe): void {
    if (pipe.readers === 0 && pipe.writers === 0) pipe.close(false, false);
  }
}

const fifos = new WeakMap<object, Fifo>();

/** The FIFO state of an inode (any object standing for it), created on first use. */
export function fifoOf(inode: object, accounting?: PipeAccounting): Fifo {
  let f = fifos.get(inode);
  if (!f) {
    f = new Fifo(accounting);
    fifos.set(inode, f);
  }
  return f;
}

/** The live pipe of a FIFO inode, if any end is open (F_GETPIPE_SZ, FIONREAD through the VFS). */
export function fifoPipe(inode: object): Pipe | null {
  return fifos.get(inode)?.current ?? null;
}
