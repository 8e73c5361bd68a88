// A process: the threads sharing one address space, descriptor table, signal
// actions and limits (man 7 pthreads, "POSIX.1 ... process-wide attributes").
import type { MemoryManager } from '../mm/memory_manager.js';
import type { AddressSpace } from '../platform/platform.js';
import type { FdTable } from '../vfs/fd_table.js';
import type { FsContext } from './fs_context.js';
import type { Limits } from './limits.js';
import { SignalActions } from './signal_actions.js';
import type { Task } from './task.js';

export interface ProcessImage {
  /** Absolute path of the executable, as /proc/PID/exe shows it. */
  exe: string;
  argv: string[];
  envp: string[];
}

export class ThreadGroup {
  readonly tasks = new Set<Task>();
  readonly sigactions = new SignalActions();
  /** Wait status once the process has exited (man 2 wait: WIFEXITED/WIFSIGNALED encoding). */
  exitStatus: number | undefined;
  exiting = false;
  /** The thread name shown by /proc and PR_GET_NAME, up to 15 bytes. */
  comm: string;

  constructor(
    readonly pid: number,
    readonly ppid: number,
    readonly mm: MemoryManager,
    readonly as: AddressSpace,
    readonly fds: FdTable,
    readonly limits: Limits,
    readonly image: ProcessImage,
    /** Mount namespace, root, working directory and umask. */
    public fsContext: FsContext,
  ) {
    this.comm = image.exe.slice(image.exe.lastIndexOf('/') + 1).slice(0, 15);
  }
}
