// pipe(2), pipe2(2), and the pipe-specific fcntl commands F_GETPIPE_SZ and
// F_SETPIPE_SZ (fs/pipe.c do_pipe2, pipe_fcntl).
import { Errno } from '../abi/linux/errno.js';
import { Fcntl, OpenFlag } from '../abi/linux/fcntl.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { SYS } from '../abi/linux/syscalls.js';
import { PipeEnd, createPipe, fifoPipe, pipeCallerFromCreds, type Pipe, type PipeCaller } from '../fs/pipe/index.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import type { FileDescription } from '../vfs/file.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

/** O_NOTIFICATION_PIPE (= O_EXCL): a watch-queue pipe; tsvisor, like a kernel without CONFIG_WATCH_QUEUE, has none. */
const O_NOTIFICATION_PIPE = OpenFlag.O_EXCL;
const PIPE2_FLAGS = OpenFlag.O_CLOEXEC | OpenFlag.O_NONBLOCK | OpenFlag.O_DIRECT | O_NOTIFICATION_PIPE;

/** The task as pipe limits see it: real uid, fsuid/fsgid, CAP_SYS_RESOURCE and CAP_SYS_ADMIN. */
export function pipeCallerOf(t: Task): PipeCaller {
  return pipeCallerFromCreds(t.creds);
}

/**
 * do_pipe2: flags (EINVAL), the pipe (ENFILE; ENOPKG for notification
 * pipes), two descriptors, read end first (EMFILE), then the fd array
 * (EFAULT: both descriptors are closed again, nothing leaks).
 */
export function pipe2(t: Task, fdsAddr: number, flags: number): number {
  if ((flags & ~PIPE2_FLAGS) !== 0) return -Errno.EINVAL;
  if ((flags & O_NOTIFICATION_PIPE) !== 0) return -Errno.ENOPKG;
  const ends = createPipe(flags, pipeCallerOf(t));
  if (typeof ends === 'number') return ends;
  const [r, w] = ends;
  const fds = t.tg.fds;
  const limit = t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur;
  const cloexec = (flags & OpenFlag.O_CLOEXEC) !== 0;
  const fdr = fds.install(r, cloexec, limit);
  if (fdr < 0) {
    r.release();
    w.release();
    return fdr;
  }
  const fdw = fds.install(w, cloexec, limit);
  if (fdw < 0) {
    fds.close(fdr);
    w.release();
    return fdw;
  }
  scratchView.setInt32(0, fdr, true);
  scratchView.setInt32(4, fdw, true);
  const e = t.tg.mm.writeBytes(fdsAddr, scratch, 0, 8);
  if (e < 0) {
    fds.close(fdr);
    fds.close(fdw);
    return e;
  }
  return 0;
}

/** The pipe behind an open file: a pipe end, or a FIFO opened through the VFS (not O_PATH). */
export function pipeOfFile(f: FileDescription): Pipe | undefined {
  if (f instanceof PipeEnd) return f.pipe;
  if ((f.flags & OpenFlag.O_PATH) !== 0) return undefined;
  const inode = (f as { inode?: unknown }).inode;
  if (typeof inode !== 'object' || inode === null) return undefined;
  return fifoPipe(inode) ?? undefined;
}

/**
 * pipe_fcntl: F_GETPIPE_SZ and F_SETPIPE_SZ on fd's file. arg is the fcntl
 * argument's low 32 bits (an unsigned int). EBADF for anything but a pipe or
 * FIFO.
 */
export function pipeFcntl(t: Task, f: FileDescription, cmd: number, arg: number): number {
  const pipe = pipeOfFile(f);
  if (!pipe) return -Errno.EBADF;
  switch (cmd) {
    case Fcntl.F_GETPIPE_SZ:
      return pipe.size;
    case Fcntl.F_SETPIPE_SZ:
      return pipe.setSize(arg >>> 0, pipeCallerOf(t));
    default:
      return -Errno.EINVAL;
  }
}

export function registerPipe(table: SyscallTable, _k: Kernel): void {
  table[SYS.pipe] = (t, a) => pipe2(t, a.u64(0), 0);
  table[SYS.pipe2] = (t, a) => pipe2(t, a.u64(0), a.int(1));
}

