// fcntl's owner and signal commands (man 2 fcntl, "Managing signals";
// fs/fcntl.c f_setown, f_getown_ex, f_setown_ex): F_SETOWN, F_GETOWN,
// F_SETOWN_EX, F_GETOWN_EX, F_SETSIG, F_GETSIG. The owner lives beside the
// file description (src/vfs/fown.ts), shared with FIOSETOWN/SIOCSPGRP.
import { Errno } from '../abi/linux/errno.js';
import { Fcntl, FOwner, OpenFlag } from '../abi/linux/fcntl.js';
import { Poll } from '../abi/linux/poll.js';
import { encodeSiginfoPoll, PollCode, Signal, SiCode } from '../abi/linux/signal.js';
import type { Kernel } from '../kernel/kernel.js';
import { sendSignal, userSiginfo } from '../kernel/signals.js';
import { newSiginfo } from '../kernel/sigqueue.js';
import type { Task } from '../kernel/task.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import type { FileDescription } from '../vfs/file.js';
import { fileOwner, getOwnPid, modOwner, ownerLookup, peekFileOwner, setFasync, setOwnPid, type FileOwner } from '../vfs/fown.js';
import { Socket } from '../net/socket.js';
import { scratch, scratchView } from './scratch.js';

/** _NSIG: valid_signal(). */
const NSIG = 64;
/** sizeof(struct f_owner_ex): int type; pid_t pid. */
const F_OWNER_EX_SIZE = 8;

/** find_vpid: a thread, process, process group or session ID in use. */
function pidExists(k: Kernel, id: number): boolean {
  if (k.tasks.has(id) || k.processes.has(id)) return true;
  for (const p of k.processes.values()) if (p.pgid === id || p.sid === id) return true;
  return false;
}

/**
 * sigio_perm: the owner's setter was root, or its real or effective uid is
 * the target's real or saved uid.
 */
function sigioPerm(o: FileOwner, tg: ThreadGroup): boolean {
  const t = tg.leader ?? tg.tasks.values().next().value;
  if (!t) return false;
  const c = t.creds;
  return o.euid === 0 || o.euid === c.suid || o.euid === c.uid || o.uid === c.suid || o.uid === c.uid;
}

/** Calls send for the owner's thread (F_OWNER_TID), process, or every process of its group. */
function forEachOwner(k: Kernel, o: FileOwner, send: (tg: ThreadGroup, thread?: Task) => void): void {
  const each = (tg: ThreadGroup, thread?: Task): void => {
    if (!tg.zombie && sigioPerm(o, tg)) send(tg, thread);
  };
  if (o.type === FOwner.F_OWNER_TID) {
    const t = k.tasks.get(o.id);
    if (t) each(t.tg, t);
  } else if (o.type === FOwner.F_OWNER_PID) {
    // pid_task(pid, PIDTYPE_PID): the ID may be a thread's; its process gets the signal.
    const tg = k.processes.get(o.id) ?? k.tasks.get(o.id)?.tg;
    if (tg) each(tg);
  } else {
    for (const tg of [...k.processes.values()]) if (tg.pgid === o.id) each(tg);
  }
}

/** send_sigurg (fs/fcntl.c): SIGURG (SEND_SIG_PRIV) to the owning thread, process or group. */
function sendSigurg(k: Kernel, f: object): boolean {
  const o = peekFileOwner(f);
  if (!o || o.id === 0) return false;
  forEachOwner(k, o, (tg, thread) => {
    sendSignal(k, tg, Signal.SIGURG, thread, userSiginfo(Signal.SIGURG, SiCode.SI_KERNEL, null));
  });
  return true;
}

/** band_table (fs/fcntl.c): si_band for each si_code POLL_IN … POLL_HUP. */
const BAND_TABLE = [
  Poll.POLLIN | Poll.POLLRDNORM,
  Poll.POLLOUT | Poll.POLLWRNORM | Poll.POLLWRBAND,
  Poll.POLLIN | Poll.POLLRDNORM | Poll.POLLMSG,
  Poll.POLLERR,
  Poll.POLLPRI | Poll.POLLRDBAND,
  Poll.POLLHUP | Poll.POLLERR,
];

/**
 * send_sigio_to_task: the F_SETSIG signal with a siginfo naming the reason
 * (si_code), the band and the descriptor, falling back on a plain SIGIO when
 * it cannot be queued; without F_SETSIG, SIGIO (SEND_SIG_PRIV).
 */
function sendSigio(k: Kernel, f: object, reason: number): void {
  const o = peekFileOwner(f);
  if (!o || o.id === 0 || o.fasyncFd < 0) return;
  forEachOwner(k, o, (tg, thread) => {
    if (o.sig !== 0) {
      const info = newSiginfo();
      const band = reason >= PollCode.POLL_IN && reason <= PollCode.POLL_HUP ? BAND_TABLE[reason - PollCode.POLL_IN] : -1;
      encodeSiginfoPoll(new DataView(info.buffer), 0, o.sig, reason, band, o.fasyncFd);
      if (sendSignal(k, tg, o.sig, thread, info) === 0) return;
    }
    sendSignal(k, tg, Signal.SIGIO, thread, userSiginfo(Signal.SIGIO, SiCode.SI_KERNEL, null));
  });
}

/**
 * setfl and FIOASYNC: when O_ASYNC changes, the file's fasync method runs
 * (sockets have one: sock_fasync); it records the descriptor for si_fd.
 */
export function fasyncChanged(f: FileDescription, fd: number, oldFlags: number, newFlags: number): void {
  if (((oldFlags ^ newFlags) & OpenFlag.FASYNC) === 0 || !(f instanceof Socket)) return;
  setFasync(f, fd, (newFlags & OpenFlag.FASYNC) !== 0);
}

/** Lets the vfs and net layers check owners (FIOSETOWN, SIOCSPGRP) and signal them. */
export function installOwnerLookup(k: Kernel): void {
  ownerLookup.exists = (_type, id) => pidExists(k, id);
  ownerLookup.alive = (type, id) => {
    if (type !== FOwner.F_OWNER_PGRP) return k.tasks.has(id);
    for (const p of k.processes.values()) if (p.pgid === id) return true;
    return false;
  };
  ownerLookup.sendSigurg = (f) => sendSigurg(k, f);
  ownerLookup.sendSigio = (f, reason) => sendSigio(k, f, reason);
}

/** The owner commands of fcntl(2); cmd is one of F_{GET,SET}OWN{,_EX} or F_{GET,SET}SIG. */
export function fownFcntl(t: Task, f: FileDescription, cmd: number, arg: number, argAddr: number): number {
  switch (cmd) {
    case Fcntl.F_GETOWN:
      return getOwnPid(f);
    case Fcntl.F_SETOWN:
      return setOwnPid(f, arg, t.creds.uid, t.creds.euid);
    case Fcntl.F_GETOWN_EX: {
      const o = peekFileOwner(f);
      scratchView.setInt32(0, o ? o.type : FOwner.F_OWNER_TID, true);
      scratchView.setInt32(4, o && o.id !== 0 && ownerLookup.alive(o.type, o.id) ? o.id : 0, true);
      return t.tg.mm.writeBytes(argAddr, scratch, 0, F_OWNER_EX_SIZE);
    }
    case Fcntl.F_SETOWN_EX: {
      const r = t.tg.mm.readBytes(argAddr, scratch, 0, F_OWNER_EX_SIZE);
      if (r < 0) return r;
      const type = scratchView.getInt32(0, true);
      const id = scratchView.getInt32(4, true);
      if (type !== FOwner.F_OWNER_TID && type !== FOwner.F_OWNER_PID && type !== FOwner.F_OWNER_PGRP) return -Errno.EINVAL;
      if (id !== 0 && !ownerLookup.exists(type, id)) return -Errno.ESRCH;
      modOwner(f, type, id, t.creds.uid, t.creds.euid);
      return 0;
    }
    case Fcntl.F_GETSIG:
      return peekFileOwner(f)?.sig ?? 0;
    case Fcntl.F_SETSIG:
      // valid_signal takes an unsigned long: a negative int is invalid too.
      if (arg < 0 || arg > NSIG) return -Errno.EINVAL;
      fileOwner(f).sig = arg;
      return 0;
  }
  return -Errno.EINVAL;
}
