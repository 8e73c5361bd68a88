// The kernel's side of terminals (src/fs/tty/hooks.ts): who is calling,
// process groups and sessions, signals, parking, and TIOCGPTPEER's new
// descriptor. Installed by the syscall table of every kernel (one
// implementation serves all kernels of the Node process: a PID namespace
// is a Kernel).
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { pipeHooks } from '../fs/pipe/hooks.js';
import { setTtyKernel, type TtyKernel, type TtyProcess } from '../fs/tty/hooks.js';
import type { Kernel } from '../kernel/kernel.js';
import { isBlocked, sendSignal } from '../kernel/signals.js';
import type { Task } from '../kernel/task.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import { callerOf } from '../kernel/fs_context.js';
import { openResolved, openatHow } from '../vfs/open.js';
import { lookupChild } from '../vfs/resolve.js';

const SIG_IGN = 1;

/** The kernels of this Node process (weakly: a finished sandbox's kernel may go). */
const kernels = new Set<WeakRef<Kernel>>();

function liveKernels(): Kernel[] {
  const out: Kernel[] = [];
  for (const ref of kernels) {
    const k = ref.deref();
    if (k) out.push(k);
    else kernels.delete(ref);
  }
  return out;
}

/** The kernel a task belongs to. */
function kernelOf(t: Task): Kernel | undefined {
  for (const k of liveKernels()) if (k.tasks.get(t.tid) === t || k.processes.get(t.tg.pid) === t.tg) return k;
  return undefined;
}

function live(tg: ThreadGroup): boolean {
  return !tg.zombie && !tg.exiting;
}

const impl: TtyKernel = {
  currentTask: () => pipeHooks.currentTask() ?? undefined,

  processOf(task): TtyProcess | undefined {
    const t = task as Task;
    const k = kernelOf(t);
    if (!k) return undefined;
    const tg = t.tg;
    return { proc: tg, ns: k, pid: tg.pid, pgid: tg.pgid, sid: tg.sid };
  },

  fsIds(task) {
    const c = (task as Task).creds;
    return { uid: c.fsuid, gid: c.fsgid };
  },

  capable(task, cap) {
    // Outside a system call (the host side of a console) everything is allowed.
    if (task === undefined) return true;
    return (task as Task).creds.hasCapability(cap);
  },

  park(task, waker) {
    (task as Task).park(waker);
  },

  unpark(task) {
    (task as Task).unpark();
  },

  signalGroup(ns, pgid, sig) {
    const k = ns as Kernel;
    let any = false;
    for (const tg of [...k.processes.values()]) {
      if (tg.pgid !== pgid || !live(tg)) continue;
      any = true;
      sendSignal(k, tg, sig);
    }
    return any;
  },

  signalProcess(ns, pid, sig) {
    const k = ns as Kernel;
    const tg = k.processes.get(pid);
    if (tg && live(tg)) sendSignal(k, tg, sig);
  },

  signalIgnored(task, sig) {
    const t = task as Task;
    return isBlocked(t, sig) || t.tg.sigactions.get(sig).handler === SIG_IGN;
  },

  pgrpOrphaned(ns, pgid) {
    // will_become_orphaned_pgrp: no member has a parent in another group of its session.
    const k = ns as Kernel;
    for (const tg of k.processes.values()) {
      if (tg.pgid !== pgid || tg.zombie) continue;
      const parent = tg.parent;
      if (!parent) continue;
      if (parent.pgid !== pgid && parent.sid === tg.sid) return false;
    }
    return true;
  },

  sessionOfPgrp(ns, pgid) {
    const k = ns as Kernel;
    for (const tg of k.processes.values()) if (tg.pgid === pgid && !tg.zombie) return tg.sid;
    const p = k.processes.get(pgid);
    return p ? p.sid : undefined;
  },

  onProcessExit(ns, pid, fn) {
    const k = ns as Kernel;
    const tg = k.processes.get(pid);
    if (!tg || tg.zombie) {
      let cancelled = false;
      queueMicrotask(() => {
        if (!cancelled) fn();
      });
      return () => {
        cancelled = true;
      };
    }
    const l = (): void => {
      tg.exitListeners.delete(l);
      fn();
    };
    tg.exitListeners.add(l);
    return () => {
      tg.exitListeners.delete(l);
    };
  },

  openPeer(task, fs, index, flags) {
    // ptm_open_peer: the slave's node in a mount of the same devpts, opened without a path walk.
    const t = task as Task;
    const mount = t.tg.fsContext.mountNs.mounts().find((m) => m.fs === fs);
    if (!mount) return -Errno.EIO;
    const dentry = lookupChild(mount.root, String(index));
    if (typeof dentry === 'number') return -Errno.EIO;
    const caller = callerOf(t);
    const opened = openResolved(caller, { mount, dentry }, openatHow(flags & ~OpenFlag.O_CLOEXEC, 0));
    if (opened instanceof Promise) return -Errno.EIO; // a device's open never waits
    if (typeof opened === 'number') return opened;
    const fd = t.tg.fds.install(opened, (flags & OpenFlag.O_CLOEXEC) !== 0, t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur);
    if (fd < 0) {
      opened.incRef();
      opened.decRef();
    }
    return fd;
  },
};

/** Lets the terminal layer reach kernel k (called as k's syscall table is built). */
export function installTtyKernel(k: Kernel): void {
  for (const ref of kernels) if (ref.deref() === k) return;
  kernels.add(new WeakRef(k));
  setTtyKernel(impl);
}
