// What the terminal layer needs from the kernel, which it does not import
// (DESIGN.md: dependencies point one way): the calling task, its process's
// IDs, parking a blocked call, signals to process groups and processes, and
// a few questions job control asks (is a signal ignored, is a process group
// orphaned). The syscall layer installs an implementation once per kernel
// (src/syscalls/tty.ts); until then (unit tests of the line discipline),
// nobody is calling, nothing is signalled and blocking calls cannot be
// interrupted.

/** A task, opaque to this layer (the kernel's Task). */
export type TaskToken = unknown;

/** The process a task belongs to, as the terminal sees it. */
export interface TtyProcess {
  /** The process (thread group) itself: identity only. */
  readonly proc: object;
  /** The PID namespace it lives in (its kernel): sessions are numbers within it. */
  readonly ns: object;
  readonly pid: number;
  readonly pgid: number;
  readonly sid: number;
}

export interface TtyKernel {
  /** The task whose system call is being served, or undefined (boot code, the host side of a console). */
  currentTask(): TaskToken | undefined;
  processOf(task: TaskToken): TtyProcess | undefined;
  /** The task's filesystem user and group (owner of a new /dev/pts/N). */
  fsIds(task: TaskToken): { uid: number; gid: number };
  /** capable(cap) for the task. */
  capable(task: TaskToken, cap: number): boolean;
  /**
   * Parks the task's current system call: waker(r) is called with
   * -ERESTARTSYS when a signal arrives, or with any value when the task
   * dies (never delivered then).
   */
  park(task: TaskToken, waker: (r: number) => void): void;
  unpark(task: TaskToken): void;
  /** kill_pgrp(pgid, sig, 1): every process of the group in ns; false if there is none. */
  signalGroup(ns: object, pgid: number, sig: number): boolean;
  /** A signal from the kernel to one process. */
  signalProcess(ns: object, pid: number, sig: number): void;
  /** is_ignored: the task blocks sig or its process ignores it (SIG_IGN). */
  signalIgnored(task: TaskToken, sig: number): boolean;
  /** will_become_orphaned_pgrp(pgid, NULL): no member has a parent in another group of the same session. */
  pgrpOrphaned(ns: object, pgid: number): boolean;
  /**
   * session_of_pgrp: the session of a member of process group pgid, or of
   * the process whose PID is pgid; undefined if neither exists.
   */
  sessionOfPgrp(ns: object, pgid: number): number | undefined;
  /** Calls fn once when process pid of ns has exited (is a zombie or gone); returns the canceller. */
  onProcessExit(ns: object, pid: number, fn: () => void): () => void;
  /**
   * TIOCGPTPEER: opens the slave of pty `index` of the devpts instance `fs`
   * for the task, as a new descriptor (flags: O_ACCMODE, O_NOCTTY,
   * O_NONBLOCK, O_CLOEXEC); the descriptor or -errno.
   */
  openPeer(task: TaskToken, fs: object, index: number, flags: number): number;
}

const NOBODY: TtyKernel = {
  currentTask: () => undefined,
  processOf: () => undefined,
  fsIds: () => ({ uid: 0, gid: 0 }),
  capable: () => true,
  park: () => {},
  unpark: () => {},
  signalGroup: () => false,
  signalProcess: () => {},
  signalIgnored: () => false,
  pgrpOrphaned: () => false,
  sessionOfPgrp: () => undefined,
  onProcessExit: () => () => {},
  openPeer: () => -25, // ENOTTY: callers fall back to opening /dev/pts/N
};

let installed: TtyKernel = NOBODY;

/** The kernel interface in use. */
export function ttyKernel(): TtyKernel {
  return installed;
}

/** Installs the kernel's implementation (the syscall layer, once per kernel; the last one wins for currentTask). */
export function setTtyKernel(k: TtyKernel | null): void {
  installed = k ?? NOBODY;
}
