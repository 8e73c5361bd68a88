// Sending a signal to a process or thread (kill, tgkill, faults, the kernel
// itself). Partial until the signals issue builds delivery: a signal whose
// disposition is its default action terminates the process (with the core
// flag where the default dumps core); ignored ones and those whose default
// is to ignore are discarded; a signal with a handler installed, or blocked
// by every thread, cannot be delivered yet and is dropped with a note in the
// debug log; stop and continue signals (job control) are dropped too.
import { DefaultAction, defaultAction, signalName } from '../abi/linux/signal.js';
import type { Kernel } from './kernel.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';

const SIGKILL = 9;
const SIG_DFL = 0;
const SIG_IGN = 1;

function blockedIn(t: Task, sig: number): boolean {
  return sig <= 32 ? (t.sigmaskLo & (1 << (sig - 1))) !== 0 : (t.sigmaskHi & (1 << (sig - 33))) !== 0;
}

/** Sends sig to process tg (or to thread `thread` of it); sig 0 and permission are the caller's business. */
export function sendSignal(k: Kernel, tg: ThreadGroup, sig: number, thread?: Task): void {
  if (sig === 0 || tg.zombie || tg.exiting) return;
  if (sig === SIGKILL) {
    k.killGroup(tg, SIGKILL);
    return;
  }
  const act = tg.sigactions.get(sig);
  if (act.handler === SIG_IGN) return;
  const dfl = defaultAction(sig);
  if (act.handler === SIG_DFL) {
    if (dfl === DefaultAction.Ignore || dfl === DefaultAction.Continue) return;
    if (dfl === DefaultAction.Stop) {
      k.log.once(`sig-stop:${sig}`, `${signalName(sig)} to pid ${tg.pid}: stopping is not implemented yet; dropped`);
      return;
    }
    const targets = thread ? [thread] : [...tg.tasks];
    if (targets.every((t) => blockedIn(t, sig))) {
      k.log.once(`sig-blocked:${sig}`, `${signalName(sig)} to pid ${tg.pid} is blocked; pending signals are not implemented yet; dropped`);
      return;
    }
    k.killGroup(tg, sig);
    return;
  }
  k.log.once(`sig-handler:${sig}`, `${signalName(sig)} to pid ${tg.pid}: handlers are not run yet; dropped`);
}
