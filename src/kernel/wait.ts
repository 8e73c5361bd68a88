// wait4(2) and waitid(2) in the kernel (Linux kernel/exit.c do_wait): which
// children a call may wait for, reaping a zombie, reporting a stopped or
// continued child (job control), and sleeping until a child changes state.
import { Signal } from '../abi/linux/signal.js';
import { Errno } from '../abi/linux/errno.js';
import { IdType, WaitOption } from '../abi/linux/wait.js';
import type { Kernel } from './kernel.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { blockingPromise } from './blocking.js';


export interface WaitRequest {
  idtype: IdType;
  /** PID or process group (0 for P_ALL). */
  id: number;
  options: number;
}

/** What a successful wait reports. */
export interface WaitEvent {
  /** What happened: the child exited, stopped, or continued. */
  kind: 'exit' | 'stop' | 'cont';
  pid: number;
  /** The wait status word (exited: code << 8; killed: signal | 0x80 if core). */
  status: number;
  uid: number;
  utimeUs: number;
  stimeUs: number;
  maxRssKb: number;
}

/** eligible_child: the id matches, and the __WCLONE/__WALL rule on the exit signal. */
function eligible(c: ThreadGroup, r: WaitRequest, t: Task): boolean {
  if (r.options & WaitOption.__WNOTHREAD && c.creator !== null && c.creator !== t) return false;
  if (r.idtype === IdType.P_PID && c.pid !== r.id) return false;
  if (r.idtype === IdType.P_PGID && c.pgid !== r.id) return false;
  if (r.options & WaitOption.__WALL) return true;
  // A "clone" child is one that does not send SIGCHLD at exit.
  return ((c.exitSignal !== Signal.SIGCHLD) as boolean) === ((r.options & WaitOption.__WCLONE) !== 0);
}

/**
 * Looks once: a waitable child's event (reaped unless WNOWAIT), 0 if there
 * are eligible children but none is ready, or -ECHILD if there are none.
 */
function poll(k: Kernel, t: Task, r: WaitRequest, out: WaitEvent): number {
  const tg = t.tg;
  let any = false;
  for (const c of tg.children) {
    if (!eligible(c, r, t)) continue;
    any = true;
    if (!c.zombie) {
      // wait_task_stopped / wait_task_continued: reported once each (unless WNOWAIT).
      if (c.stopped && c.stopUnreported && r.options & WaitOption.WSTOPPED) {
        fillJobEvent(c, out, 'stop', ((c.stopSig & 0xff) << 8) | 0x7f);
        if (!(r.options & WaitOption.WNOWAIT)) c.stopUnreported = false;
        return 1;
      }
      if (c.continuedUnreported && r.options & WaitOption.WCONTINUED) {
        fillJobEvent(c, out, 'cont', 0xffff);
        if (!(r.options & WaitOption.WNOWAIT)) c.continuedUnreported = false;
        return 1;
      }
      continue;
    }
    if (!(r.options & WaitOption.WEXITED)) continue;
    out.kind = 'exit';
    const u = c.usage ?? { utimeUs: 0, stimeUs: 0, maxRssKb: 0 };
    out.pid = c.pid;
    out.status = c.exitStatus ?? 0;
    out.uid = c.exitUid;
    out.utimeUs = u.utimeUs + c.childUsage.utimeUs;
    out.stimeUs = u.stimeUs + c.childUsage.stimeUs;
    out.maxRssKb = Math.max(u.maxRssKb, c.childUsage.maxRssKb);
    if (!(r.options & WaitOption.WNOWAIT)) {
      tg.childUsage.utimeUs += out.utimeUs;
      tg.childUsage.stimeUs += out.stimeUs;
      tg.childUsage.maxRssKb = Math.max(tg.childUsage.maxRssKb, out.maxRssKb);
      k.release(c);
    }
    return 1;
  }
  return any ? 0 : -Errno.ECHILD;
}

function fillJobEvent(c: ThreadGroup, out: WaitEvent, kind: 'stop' | 'cont', status: number): void {
  out.kind = kind;
  out.pid = c.pid;
  out.status = status;
  const leader = c.leader ?? c.tasks.values().next().value;
  out.uid = leader?.creds.uid ?? 0;
  out.utimeUs = 0;
  out.stimeUs = 0;
  out.maxRssKb = 0;
}

/**
 * do_wait: returns 1 with out filled, 0 for WNOHANG with nothing ready,
 * -ECHILD, or a Promise of one of these when the caller sleeps (woken by a
 * child's exit, or interrupted through Task.park).
 */
export function waitChild(k: Kernel, t: Task, r: WaitRequest, out: WaitEvent): number | Promise<number> {
  const tg = t.tg;
  const now = poll(k, t, r, out);
  if (now !== 0 || r.options & WaitOption.WNOHANG) return now;
  return blockingPromise<number>((resolve) => {
    const finish = (v: number): void => {
      tg.childWaiters.delete(check);
      resolve(v);
    };
    const check = (): void => {
      const v = poll(k, t, r, out);
      if (v === 0) return;
      t.unpark();
      finish(v);
    };
    tg.childWaiters.add(check);
    t.park(finish);
  });
}
