// inotify_init(2), inotify_init1(2), inotify_add_watch(2),
// inotify_rm_watch(2) (fs/notify/inotify/inotify_user.c). The instance lives
// in src/fs/anon/inotify.ts; the events come from the VFS hooks
// (src/vfs/inotify_hooks.ts).
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import {
  ALL_INOTIFY_BITS, InitFlag, InMask, INOTIFY_MAX_QUEUED_EVENTS, INOTIFY_MAX_USER_INSTANCES, INOTIFY_MAX_USER_WATCHES,
} from '../abi/linux/inotify.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { At } from '../abi/linux/stat.js';
import { SYS } from '../abi/linux/syscalls.js';
import { Inotify, inotifyHooks, InotifyLimits } from '../fs/anon/inotify.js';
import type { Kernel } from '../kernel/kernel.js';
import { hasSignalWork } from '../kernel/signals.js';
import type { Task } from '../kernel/task.js';
import { checkPermission, May } from '../vfs/permissions.js';
import { lookupAt } from '../vfs/resolve.js';
import { callerOf, plainFile, readPath } from './fs/common.js';
import type { SyscallTable } from './table.js';

/** do_inotify_init: flags (EINVAL), max_user_instances (EMFILE), then a descriptor (EMFILE). */
export function inotifyInit(t: Task, limits: InotifyLimits, flags: number): number {
  if ((flags & ~(InitFlag.IN_CLOEXEC | InitFlag.IN_NONBLOCK)) !== 0) return -Errno.EINVAL;
  const uid = t.creds.euid;
  if (!limits.chargeInstance(uid)) return -Errno.EMFILE;
  const f = new Inotify(OpenFlag.O_RDONLY | (flags & InitFlag.IN_NONBLOCK), limits, uid);
  const fd = t.tg.fds.install(f, (flags & InitFlag.IN_CLOEXEC) !== 0, t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur);
  if (fd < 0) {
    f.incRef();
    f.decRef();
  }
  return fd;
}

/** The inotify instance behind fd: EBADF, or EINVAL for another kind of file. */
function instanceOf(t: Task, fd: number): Inotify | number {
  const f = plainFile(t, fd);
  if (typeof f === 'number') return f;
  return f instanceof Inotify ? f : -Errno.EINVAL;
}

/**
 * inotify_add_watch, in Linux 6.x's order: a mask with no known bit
 * (EINVAL), the descriptor (EBADF, EINVAL), IN_MASK_ADD with IN_MASK_CREATE
 * (EINVAL), the path (IN_DONT_FOLLOW; IN_ONLYDIR: ENOTDIR), read permission
 * on the file (EACCES), then the watch.
 */
export function inotifyAddWatch(t: Task, fd: number, pathAddr: number, mask: number): number {
  if ((mask & ALL_INOTIFY_BITS) === 0) return -Errno.EINVAL;
  const group = instanceOf(t, fd);
  if (typeof group === 'number') return group;
  if ((mask & InMask.IN_MASK_ADD) !== 0 && (mask & InMask.IN_MASK_CREATE) !== 0) return -Errno.EINVAL;
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  const caller = callerOf(t);
  const p = lookupAt(caller, At.AT_FDCWD, path, {
    follow: (mask & InMask.IN_DONT_FOLLOW) === 0,
    directory: (mask & InMask.IN_ONLYDIR) !== 0,
  });
  if (typeof p === 'number') return p;
  const inode = p.dentry.inode;
  const perm = checkPermission(caller.creds, inode.getattr(), May.READ);
  if (perm < 0) return perm;
  return group.addWatch(inode, mask);
}

/** inotify_rm_watch: EBADF, EINVAL for another file or an unknown wd. */
export function inotifyRmWatch(t: Task, fd: number, wd: number): number {
  const group = instanceOf(t, fd);
  if (typeof group === 'number') return group;
  return group.rmWatch(wd);
}

export function registerInotify(table: SyscallTable, k: Kernel): void {
  // A blocking read parks the task making the call.
  inotifyHooks.currentParker = () => k.currentTask;
  inotifyHooks.signalPending = (p) => hasSignalWork(p as Task);
  // The kernel's per-user counts, with the limits /proc/sys/fs/inotify shows.
  const limits = new InotifyLimits(INOTIFY_MAX_QUEUED_EVENTS, INOTIFY_MAX_USER_INSTANCES, INOTIFY_MAX_USER_WATCHES);
  table[SYS.inotify_init] = (t) => inotifyInit(t, limits, 0);
  table[SYS.inotify_init1] = (t, a) => inotifyInit(t, limits, a.int(0));
  table[SYS.inotify_add_watch] = (t, a) => inotifyAddWatch(t, a.int(0), a.u64(1), a.u32(2));
  table[SYS.inotify_rm_watch] = (t, a) => inotifyRmWatch(t, a.int(0), a.int(1));
}
