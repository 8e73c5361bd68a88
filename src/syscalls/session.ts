// Process groups and sessions (man 2 setpgid, setsid, getsid; credentials(7)
// "Process group and session"), and kill(2), tkill(2), tgkill(2).
import { Errno } from '../abi/linux/errno.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import { maySignal, sendSignal, userSiginfo } from '../kernel/signals.js';
import { SiCode } from '../abi/linux/signal.js';
import type { Task } from '../kernel/task.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import type { SyscallTable } from './table.js';

const NSIG = 64;
const INT_MIN = -0x80000000;

export function registerSession(table: SyscallTable, k: Kernel): void {
  const lookup = (pid: number): ThreadGroup | undefined => (pid === 0 ? undefined : k.processes.get(pid));

  table[SYS.getpgrp] = (t) => t.tg.pgid;
  table[SYS.getpgid] = (t, a) => {
    const pid = a.int(0);
    const tg = pid === 0 ? t.tg : lookup(pid);
    return tg ? tg.pgid : -Errno.ESRCH;
  };
  table[SYS.getsid] = (t, a) => {
    const pid = a.int(0);
    const tg = pid === 0 ? t.tg : lookup(pid);
    return tg ? tg.sid : -Errno.ESRCH;
  };
  table[SYS.setsid] = (t) => {
    const tg = t.tg;
    // A process group leader (or a PID naming an existing group) cannot start a session.
    for (const p of k.processes.values()) if (p.pgid === tg.pid) return -Errno.EPERM;
    k.setProcessGroup(tg, tg.pid, tg.pid);
    return tg.sid;
  };
  table[SYS.setpgid] = (t, a) => {
    let pid = a.int(0);
    let pgid = a.int(1);
    const me = t.tg;
    if (pid === 0) pid = me.pid;
    if (pgid === 0) pgid = pid;
    if (pgid < 0) return -Errno.EINVAL;
    const p = lookup(pid);
    if (!p || p.zombie) return -Errno.ESRCH;
    if (p !== me) {
      if (p.parent !== me) return -Errno.ESRCH;
      if (p.sid !== me.sid) return -Errno.EPERM;
      if (p.execed) return -Errno.EACCES;
    }
    if (p.sid === p.pid) return -Errno.EPERM; // a session leader
    if (pgid !== pid) {
      let found = false;
      for (const q of k.processes.values()) {
        if (q.pgid === pgid && q.sid === me.sid && !q.zombie) {
          found = true;
          break;
        }
      }
      if (!found) return -Errno.EPERM;
    }
    k.setProcessGroup(p, pgid, p.sid);
    return 0;
  };

  table[SYS.kill] = (t, a) => {
    const pid = a.int(0);
    const sig = a.int(1);
    if (sig < 0 || sig > NSIG) return -Errno.EINVAL;
    if (pid === INT_MIN) return -Errno.ESRCH;
    let targets: ThreadGroup[];
    if (pid > 0) {
      const tg = k.processes.get(pid);
      if (!tg) return -Errno.ESRCH;
      targets = [tg];
    } else if (pid === -1) {
      // Every process the caller may signal except init and itself.
      targets = [...k.processes.values()].filter((p) => p.pid !== 1 && p !== t.tg && !p.zombie);
    } else {
      const pg = pid === 0 ? t.tg.pgid : -pid;
      targets = [...k.processes.values()].filter((p) => p.pgid === pg && !p.zombie);
    }
    if (targets.length === 0) return -Errno.ESRCH;
    let sent = 0;
    let denied = false;
    for (const tg of targets) {
      if (!maySignal(t, tg)) {
        denied = true;
        continue;
      }
      sent++;
      sendSignal(k, tg, sig, undefined, userSiginfo(sig, SiCode.SI_USER, t));
    }
    if (sent === 0) return denied ? -Errno.EPERM : -Errno.ESRCH;
    return 0;
  };
  const threadKill = (t: Task, tgid: number, tid: number, sig: number): number => {
    if (sig < 0 || sig > NSIG) return -Errno.EINVAL;
    const target = k.tasks.get(tid);
    if (!target || (tgid > 0 && target.tg.pid !== tgid)) return -Errno.ESRCH;
    if (!maySignal(t, target.tg)) return -Errno.EPERM;
    sendSignal(k, target.tg, sig, target, userSiginfo(sig, SiCode.SI_TKILL, t));
    return 0;
  };
  table[SYS.tkill] = (t, a) => {
    const tid = a.int(0);
    if (tid <= 0) return -Errno.EINVAL;
    return threadKill(t, 0, tid, a.int(1));
  };
  table[SYS.tgkill] = (t, a) => {
    const tgid = a.int(0);
    const tid = a.int(1);
    if (tgid <= 0 || tid <= 0) return -Errno.EINVAL;
    return threadKill(t, tgid, tid, a.int(2));
  };
}
