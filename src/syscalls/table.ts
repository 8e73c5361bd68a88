// The syscall table: one handler per number, registered by each family file.
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import type { SyscallArgs } from './args.js';
import { registerMemory } from './memory.js';
import { registerIdentity } from './identity.js';
import { registerTime } from './time.js';
import { registerReadWrite } from './read_write.js';
import { registerProcess } from './process.js';
import { registerSignal } from './signal.js';
import { registerSystem } from './system.js';
import { registerFs } from './fs/index.js';
import { registerPipe } from './pipe.js';
import { registerFutex } from './futex.js';
import { registerClone } from './clone.js';
import { registerWait } from './wait.js';
import { registerExec } from './exec.js';
import { registerSession } from './session.js';
import { registerPidfd } from './pidfd.js';
import { registerPoll } from './poll.js';
import { registerEpoll } from './epoll.js';
import { registerEventfd } from './eventfd.js';
import { registerInotify } from './inotify.js';
import { registerPrctl } from './prctl.js';
import { registerSched } from './sched.js';
import { registerTimers } from './timers.js';
import { registerTimerfd } from './timerfd.js';
import { registerSocket } from './socket.js';

/** A handler returns its result (a value or -errno) or a Promise of it when it blocks. */
export type SyscallHandler = (t: Task, a: SyscallArgs) => number | Promise<number>;
export type SyscallTable = (SyscallHandler | undefined)[];

export function buildSyscallTable(k: Kernel): SyscallTable {
  const table: SyscallTable = new Array<SyscallHandler | undefined>(512).fill(undefined);
  registerMemory(table, k);
  registerIdentity(table, k);
  registerTime(table, k);
  registerReadWrite(table, k);
  registerProcess(table, k);
  registerSignal(table, k);
  registerSystem(table, k);
  registerFs(table, k);
  registerPipe(table, k);
  registerFutex(table, k);
  registerClone(table, k);
  registerWait(table, k);
  registerExec(table, k);
  registerSession(table, k);
  registerPidfd(table, k);
  registerPoll(table, k);
  registerEpoll(table, k);
  registerEventfd(table, k);
  registerInotify(table, k);
  registerPrctl(table, k);
  registerSched(table, k);
  registerTimers(table, k);
  registerTimerfd(table, k);
  registerSocket(table, k);
  return table;
}
