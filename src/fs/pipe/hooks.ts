// How blocked pipe and FIFO operations meet the rest of the kernel, which
// this layer does not import (DESIGN.md: dependencies point one way).
//
// - SIGPIPE: Linux's pipe_write sends SIGPIPE to the writer
//   (send_sig(SIGPIPE, current, 0)) whenever it finds no reader, even when
//   it returns a partial count. The pipe captures the calling task's token
//   (pipeHooks.currentTask()) when a write starts and hands it to
//   pipeHooks.sigpipe() at that moment, which may be long after the call
//   parked. Until the signals issue sets the hooks, writes just fail with EPIPE.
// - Interruption: a parked read, write or FIFO open registers under its task
//   token; interruptPipeWait(task, r) wakes it with r (-ERESTARTSYS or -EINTR
//   for a signal, NO_RESUME-style values for a dying task: the pipe passes r
//   through). A write that already moved bytes returns that count instead,
//   as Linux does.

/** Tokens identify tasks opaquely: the kernel chooses what they are (its Task objects). */
export type TaskToken = unknown;

export interface PipeKernelHooks {
  /** The task making the syscall being served now; undefined when unknown (unit tests, before the signals issue). */
  currentTask(): TaskToken;
  /**
   * SIGPIPE for the writer identified by task (called for every write that
   * found no reader). It runs inside the pipe's bookkeeping: queue the
   * signal, do not re-enter the pipe synchronously.
   */
  sigpipe(task: TaskToken): void;
}

/** Set by the kernel once (field by field); the defaults do nothing. */
export const pipeHooks: PipeKernelHooks = {
  currentTask: () => undefined,
  sigpipe: () => {},
};

/** A parked operation that can be cut short. */
export interface Interruptible {
  /** Wakes the operation with r (or its partial count); false if it already finished. */
  interrupt(r: number): boolean;
}

/** The parked operation of each task that has one (a task blocks in one syscall at a time). */
const parked = new Map<TaskToken, Interruptible>();

/** Records that task's current syscall parked on w (a no-op for an unknown task). */
export function registerParked(task: TaskToken, w: Interruptible): void {
  if (task !== undefined) parked.set(task, w);
}

/** The operation finished: forget it. */
export function unregisterParked(task: TaskToken, w: Interruptible): void {
  if (task !== undefined && parked.get(task) === w) parked.delete(task);
}

/**
 * Wakes task's parked pipe/FIFO operation with r (a signal: -ERESTARTSYS or
 * -EINTR; the task is dying: any value, it is never delivered). Returns
 * false if the task is not parked on a pipe.
 */
export function interruptPipeWait(task: TaskToken, r: number): boolean {
  const w = parked.get(task);
  if (!w) return false;
  parked.delete(task);
  return w.interrupt(r);
}
