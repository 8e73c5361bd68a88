// What a socket needs of the task making a call. The net layer sits below
// the kernel (DESIGN.md: dependencies point one way), so the syscall layer
// hands each operation a NetCaller built from its Task: how to park it,
// whether a signal is pending, its credentials (SO_PEERCRED,
// SCM_CREDENTIALS, privileged ports), its file-system view (unix socket
// paths) and how to send it SIGPIPE.
import type { Capability } from '../abi/linux/capability.js';
import type { Caller } from '../vfs/fs_struct.js';
import type { Parker } from '../vfs/poll.js';

export interface NetCaller {
  /** Parks a blocking call (a signal or the task's death cuts it short); null in unit tests. */
  readonly parker: Parker | null;
  /** A signal the task does not block is pending: a call about to sleep returns at once. */
  signalPending(): boolean;
  /** The process ID (tgid) and the credentials, read at the time of the call. */
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
  readonly euid: number;
  readonly egid: number;
  readonly suid: number;
  readonly sgid: number;
  capable(cap: Capability): boolean;
  /** RLIMIT_NOFILE's soft limit (the bound on descriptors in flight in SCM_RIGHTS). */
  readonly nofile: number;
  /** The VFS view for unix socket paths. */
  readonly vfs: Caller | null;
  /** Sends SIGPIPE to the calling thread (send_sig(SIGPIPE, current, 0)). */
  sigpipe(): void;
}

/** How a socket's read(2)/write(2) (the FileDescription path) finds the calling task. */
export interface NetHooks {
  current(): NetCaller | null;
}

export const netHooks: NetHooks = {
  current: () => null,
};
