// eventfd(2) and eventfd2(2) (fs/eventfd.c do_eventfd). The object lives in
// src/fs/anon/eventfd.ts.
import { EFD_FLAGS_SET, EventfdFlag } from '../abi/linux/eventfd.js';
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { SYS } from '../abi/linux/syscalls.js';
import { EventFd, eventfdHooks } from '../fs/anon/eventfd.js';
import type { Kernel } from '../kernel/kernel.js';
import { hasSignalWork } from '../kernel/signals.js';
import type { Task } from '../kernel/task.js';
import type { SyscallTable } from './table.js';

/**
 * do_eventfd: flags (EINVAL), then a descriptor (EMFILE). The file is
 * O_RDWR, plus O_NONBLOCK for EFD_NONBLOCK; initval is an unsigned int.
 */
export function eventfd(t: Task, initval: number, flags: number): number {
  if ((flags & ~EFD_FLAGS_SET) !== 0) return -Errno.EINVAL;
  const f = new EventFd(initval >>> 0, OpenFlag.O_RDWR | (flags & EventfdFlag.EFD_NONBLOCK), (flags & EventfdFlag.EFD_SEMAPHORE) !== 0);
  return t.tg.fds.install(f, (flags & EventfdFlag.EFD_CLOEXEC) !== 0, t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur);
}

export function registerEventfd(table: SyscallTable, k: Kernel): void {
  // Blocking reads and writes park the task making the call.
  eventfdHooks.currentParker = () => k.currentTask;
  eventfdHooks.signalPending = (p) => hasSignalWork(p as Task);
  table[SYS.eventfd] = (t, a) => eventfd(t, a.u32(0), 0);
  table[SYS.eventfd2] = (t, a) => eventfd(t, a.u32(0), a.int(1));
}
