// The owner of an open file description (struct fown_struct: man 2 fcntl,
// "Managing signals"): who gets SIGIO/SIGURG for it (F_SETOWN, F_SETOWN_EX,
// FIOSETOWN, SIOCSPGRP) and which signal (F_SETSIG). Kept beside the
// description, not in it, so that every kind of file has one.
import { Errno } from '../abi/linux/errno.js';
import { FOwner } from '../abi/linux/fcntl.js';

export interface FileOwner {
  /** F_OWNER_TID, F_OWNER_PID or F_OWNER_PGRP. */
  type: FOwner;
  /** The thread, process or process group ID; 0 for none. */
  id: number;
  /** F_SETSIG: the signal to send instead of SIGIO (0: SIGIO). */
  sig: number;
  /** The real and effective user IDs of whoever set the owner (sigio_perm checks them). */
  uid: number;
  euid: number;
  /** O_ASYNC is on (fasync_helper registered the file): the descriptor it was turned on through (si_fd); else -1. */
  fasyncFd: number;
}

const owners = new WeakMap<object, FileOwner>();

/** The owner record of a file description (a fresh one, no owner, on first use). */
export function fileOwner(f: object): FileOwner {
  let o = owners.get(f);
  if (!o) {
    // Zeroed, as Linux's: pid_type PIDTYPE_PID, which F_GETOWN_EX shows as F_OWNER_TID.
    o = { type: FOwner.F_OWNER_TID, id: 0, sig: 0, uid: 0, euid: 0, fasyncFd: -1 };
    owners.set(f, o);
  }
  return o;
}

/** The owner record if one was ever set, else undefined (no allocation on hot paths). */
export function peekFileOwner(f: object): FileOwner | undefined {
  return owners.get(f);
}

/**
 * f_getown (F_GETOWN, FIOGETOWN): a process ID, or a process group as a
 * negative number; 0 when none is set or nothing is left of it (pid_task).
 */
export function getOwnPid(f: object): number {
  const o = owners.get(f);
  if (!o || o.id === 0 || !ownerLookup.alive(o.type, o.id)) return 0;
  return o.type === FOwner.F_OWNER_PGRP ? -o.id : o.id;
}

/**
 * What the kernel provides, set by the syscall layer (the vfs and net layers
 * sit below it): whether an owner exists (find_vpid), and sending a signal
 * to a file's owner.
 */
export interface OwnerLookup {
  exists(type: FOwner, id: number): boolean;
  /** pid_task(pid, type): a task is still there (a thread, a process, a non-empty group). */
  alive(type: FOwner, id: number): boolean;
  /** send_sigurg: SIGURG to the owner (if it may be signalled); false if the file has no owner. */
  sendSigurg(f: object): boolean;
  /** kill_fasync: with O_ASYNC on, SIGIO (or the F_SETSIG signal) to the owner; reason is a PollCode (POLL_IN …). */
  sendSigio(f: object, reason: number): void;
}

export const ownerLookup: OwnerLookup = {
  exists: () => true,
  alive: () => true,
  sendSigurg: () => false,
  sendSigio: () => {},
};

/** fasync_helper: O_ASYNC turned on (through descriptor fd) or off for f. */
export function setFasync(f: object, fd: number, on: boolean): void {
  if (on) fileOwner(f).fasyncFd = fd;
  else {
    const o = owners.get(f);
    if (o) o.fasyncFd = -1;
  }
}

/** Whether O_ASYNC signals are on for f (cheap: no allocation). */
export function fasyncOn(f: object): boolean {
  const o = owners.get(f);
  return o !== undefined && o.fasyncFd >= 0;
}

/** f_modown: the new owner, and the credentials of the caller setting it. */
export function modOwner(f: object, type: FOwner, id: number, uid: number, euid: number): void {
  const o = fileOwner(f);
  o.type = type;
  o.id = id;
  if (id !== 0) {
    o.uid = uid;
    o.euid = euid;
  }
}

/**
 * f_setown (fs/fcntl.c): WHO > 0 a process, < 0 a process group, 0 none;
 * UID and EUID are the caller's. EINVAL for INT_MIN, ESRCH for an ID that
 * names nothing.
 */
export function setOwnPid(f: object, who: number, uid: number, euid: number): number {
  let type = FOwner.F_OWNER_PID;
  if (who < 0) {
    if (who === -0x80000000) return -Errno.EINVAL;
    type = FOwner.F_OWNER_PGRP;
    who = -who;
  }
  if (who !== 0 && !ownerLookup.exists(type, who)) return -Errno.ESRCH;
  modOwner(f, type, who, uid, euid);
  return 0;
}
