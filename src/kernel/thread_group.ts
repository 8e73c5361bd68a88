// A process: the threads sharing one address space, descriptor table, signal
// actions and limits (man 7 pthreads, "POSIX.1 ... process-wide attributes"),
// with its place in the process tree (parent, children, process group,
// session) and its exit state (a zombie until its parent reaps it).
import type { MemoryManager } from '../mm/memory_manager.js';
import type { AddressSpace } from '../platform/platform.js';
import type { FdTable } from '../vfs/fd_table.js';
import type { FsContext } from './fs_context.js';
import type { Limits } from './limits.js';
import { SignalActions } from './signal_actions.js';
import { SigQueue } from './sigqueue.js';
import type { Task } from './task.js';
import type { Vm } from './vm.js';

export interface ProcessImage {
  /** Absolute path of the executable, as /proc/PID/exe shows it. */
  exe: string;
  argv: string[];
  envp: string[];
}

/** Resource usage a parent collects from its reaped children (getrusage RUSAGE_CHILDREN, times). */
export interface ChildUsage {
  utimeUs: number;
  stimeUs: number;
  maxRssKb: number;
}

export class ThreadGroup {
  readonly tasks = new Set<Task>();
  /** The thread whose TID is the PID (kept while the process is a zombie, as Linux keeps its task). */
  leader: Task | null = null;
  /** Children not yet reaped (zombies included), in creation order. */
  readonly children = new Set<ThreadGroup>();
  parent: ThreadGroup | null = null;
  /** The thread that forked this process (wait with __WNOTHREAD sees only its own children). */
  creator: Task | null = null;
  pgid: number;
  sid: number;
  /** Signal sent to the parent at exit (clone's CSIGNAL bits; SIGCHLD for fork). 0: none. */
  exitSignal = 17;
  /** Wait status once the process has exited (man 2 wait: WIFEXITED/WIFSIGNALED encoding). */
  exitStatus: number | undefined;
  /** exit_group or a fatal signal is tearing the threads down. */
  exiting = false;
  /** Every thread is gone: waiting to be reaped. */
  zombie = false;
  /** Has called execve (setpgid on it by its parent is then EACCES). */
  execed = false;
  /** Signals sent to the process (kill): any thread not blocking one may take it. */
  readonly sharedPending = new SigQueue();
  /** Job control: stopped by a stop signal (stopSig) until SIGCONT. */
  stopped = false;
  stopSig = 0;
  /** The stop (or continue) is yet to be reported to a waiting parent (WUNTRACED / WCONTINUED). */
  stopUnreported = false;
  continuedUnreported = false;
  /** Threads that reached a resume point while stopped: resumed at SIGCONT. */
  readonly stoppedTasks = new Set<Task>();
  /** PR_SET_CHILD_SUBREAPER. */
  childSubreaper = false;
  /** The thread name shown by /proc and PR_GET_NAME, up to 15 bytes. */
  comm: string;
  /** Called whenever a signal is queued for the process or one of its threads (signalfd). */
  readonly signalListeners = new Set<() => void>();
  /** Called when the process has exited (every thread gone): pidfd readiness. */
  readonly exitListeners = new Set<() => void>();
  /** Tasks of this process blocked in wait4/waitid: called when a child changes state. */
  readonly childWaiters = new Set<() => void>();
  /** Set in a CLONE_VFORK child: releases the parent at execve or exit. */
  vforkDone: (() => void) | null = null;
  /** Usage of reaped children (and their reaped descendants). */
  readonly childUsage: ChildUsage = { utimeUs: 0, stimeUs: 0, maxRssKb: 0 };
  /** Real UID of the process when it exited (si_uid of its SIGCHLD and waitid). */
  exitUid = 0;
  /** Final usage of this process, set when it becomes a zombie. */
  usage: ChildUsage | null = null;
  /** Monotonic ms when the process started (for /proc/PID/stat starttime). */
  readonly startMs = performance.now();

  constructor(
    readonly pid: number,
    /** The address space (replaced by execve). */
    public vm: Vm,
    public fds: FdTable,
    public limits: Limits,
    public image: ProcessImage,
    /** Mount namespace, root, working directory and umask. */
    public fsContext: FsContext,
    /** Shared with CLONE_SIGHAND. */
    public sigactions: SignalActions = new SignalActions(),
  ) {
    this.pgid = pid;
    this.sid = pid;
    this.comm = commOf(image.exe);
  }

  get mm(): MemoryManager {
    return this.vm.mm;
  }

  get as(): AddressSpace {
    return this.vm.as;
  }

  /** The parent's PID (0 for the sandbox's init, whose parent is outside). */
  get ppid(): number {
    return this.parent?.pid ?? 0;
  }

  /** A child changed state: wakes this process's wait4/waitid callers to look again. */
  notifyWaiters(): void {
    for (const w of [...this.childWaiters]) w();
  }
}

/** The comm of a program: the last path component, truncated to 15 bytes (TASK_COMM_LEN - 1). */
export function commOf(exe: string): string {
  return exe.slice(exe.lastIndexOf('/') + 1).slice(0, 15);
}
