// wait4(2) and waitid(2): decoding and encoding; the work is in kernel/wait.ts.
import { Errno } from '../abi/linux/errno.js';
import { CldCode, encodeSiginfoChld, SIGINFO_SIZE } from '../abi/linux/signal.js';
import { SYS } from '../abi/linux/syscalls.js';
import { encodeRusage, IdType, RUSAGE_SIZE, WaitOption } from '../abi/linux/wait.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { waitChild, type WaitEvent, type WaitRequest } from '../kernel/wait.js';
import { scratch, scratchView } from './scratch.js';
import { PidFd } from '../kernel/pidfd.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import type { SyscallTable } from './table.js';

const WAIT4_OPTIONS = WaitOption.WNOHANG | WaitOption.WUNTRACED | WaitOption.WCONTINUED | WaitOption.__WNOTHREAD | WaitOption.__WCLONE | WaitOption.__WALL;
const WAITID_OPTIONS =
  WaitOption.WNOHANG | WaitOption.WNOWAIT | WaitOption.WEXITED | WaitOption.WSTOPPED | WaitOption.WCONTINUED |
  WaitOption.__WNOTHREAD | WaitOption.__WCLONE | WaitOption.__WALL;
const INT_MIN = -0x80000000;
const USER_HZ = 100;

function newEvent(): WaitEvent {
  return { kind: 'exit', pid: 0, status: 0, uid: 0, utimeUs: 0, stimeUs: 0, maxRssKb: 0 };
}

/** Writes wait4's status and rusage; the child is already reaped, so a bad pointer is EFAULT after the fact. */
function finishWait4(t: Task, r: number, ev: WaitEvent, statusAddr: number, rusageAddr: number): number {
  if (r <= 0) return r;
  if (statusAddr !== 0) {
    scratchView.setInt32(0, ev.status, true);
    if (t.tg.mm.writeBytes(statusAddr, scratch, 0, 4) < 0) return -Errno.EFAULT;
  }
  if (rusageAddr !== 0) {
    encodeRusage(scratchView, 0, ev);
    if (t.tg.mm.writeBytes(rusageAddr, scratch, 0, RUSAGE_SIZE) < 0) return -Errno.EFAULT;
  }
  return ev.pid;
}

/** The siginfo waitid reports for an exited child (CLD_EXITED, or CLD_KILLED/CLD_DUMPED with the signal). */
function finishWaitid(t: Task, r: number, ev: WaitEvent, infoAddr: number, rusageAddr: number): number {
  if (r < 0) return r;
  if (infoAddr !== 0) {
    if (r === 0) {
      // WNOHANG with nothing to report: the siginfo is zeroed (si_pid 0 tells the caller).
      scratch.fill(0, 0, SIGINFO_SIZE);
    } else {
      const s = ev.status;
      const sig = s & 0x7f;
      let code = sig === 0 ? CldCode.CLD_EXITED : s & 0x80 ? CldCode.CLD_DUMPED : CldCode.CLD_KILLED;
      let status = sig === 0 ? (s >> 8) & 0xff : sig;
      if (ev.kind === 'stop') {
        code = CldCode.CLD_STOPPED;
        status = (s >> 8) & 0xff;
      } else if (ev.kind === 'cont') {
        code = CldCode.CLD_CONTINUED;
        status = 18; // SIGCONT
      }
      const tick = 1e6 / USER_HZ;
      encodeSiginfoChld(scratchView, 0, code, ev.pid, ev.uid, status, Math.floor(ev.utimeUs / tick), Math.floor(ev.stimeUs / tick));
    }
    if (t.tg.mm.writeBytes(infoAddr, scratch, 0, SIGINFO_SIZE) < 0) return -Errno.EFAULT;
  }
  if (rusageAddr !== 0) {
    encodeRusage(scratchView, 0, r === 0 ? newEvent() : ev);
    if (t.tg.mm.writeBytes(rusageAddr, scratch, 0, RUSAGE_SIZE) < 0) return -Errno.EFAULT;
  }
  return 0;
}

export function registerWait(table: SyscallTable, k: Kernel): void {
  table[SYS.wait4] = (t, a) => {
    const pid = a.int(0);
    const statusAddr = a.u64(1);
    const options = a.int(2) >>> 0;
    const rusageAddr = a.u64(3);
    if (options & ~WAIT4_OPTIONS) return -Errno.EINVAL;
    // -INT_MIN would overflow (kernel_wait4).
    if (pid === INT_MIN) return -Errno.ESRCH;
    const req: WaitRequest = { idtype: IdType.P_ALL, id: 0, options: options | WaitOption.WEXITED };
    if (pid < -1) {
      req.idtype = IdType.P_PGID;
      req.id = -pid;
    } else if (pid === 0) {
      req.idtype = IdType.P_PGID;
      req.id = t.tg.pgid;
    } else if (pid > 0) {
      req.idtype = IdType.P_PID;
      req.id = pid;
    }
    const ev = newEvent();
    const r = waitChild(k, t, req, ev);
    if (typeof r === 'number') return finishWait4(t, r, ev, statusAddr, rusageAddr);
    return r.then((v) => finishWait4(t, v, ev, statusAddr, rusageAddr));
  };
  table[SYS.waitid] = (t, a) => {
    const idtype = a.int(0);
    const id = a.int(1);
    const infoAddr = a.u64(2);
    const options = a.int(3) >>> 0;
    const rusageAddr = a.u64(4);
    if (options & ~WAITID_OPTIONS) return -Errno.EINVAL;
    if (!(options & (WaitOption.WEXITED | WaitOption.WSTOPPED | WaitOption.WCONTINUED))) return -Errno.EINVAL;
    const req: WaitRequest = { idtype: IdType.P_ALL, id: 0, options };
    let nonblockPidfd = false;
    switch (idtype) {
      case IdType.P_ALL:
        break;
      case IdType.P_PID:
        if (id <= 0) return -Errno.EINVAL;
        req.idtype = IdType.P_PID;
        req.id = id;
        break;
      case IdType.P_PGID:
        if (id < 0) return -Errno.EINVAL;
        req.idtype = IdType.P_PGID;
        req.id = id === 0 ? t.tg.pgid : id;
        break;
      case IdType.P_PIDFD: {
        // The process the pidfd names; a non-blocking pidfd makes the wait WNOHANG-like (EAGAIN).
        if (id < 0) return -Errno.EINVAL;
        const f = t.tg.fds.get(id);
        if (!(f instanceof PidFd) || f.tg === null) return -Errno.EBADF;
        req.idtype = IdType.P_PID;
        req.id = f.tg.pid;
        if (f.flags & OpenFlag.O_NONBLOCK) nonblockPidfd = true;
        break;
      }
      default:
        return -Errno.EINVAL;
    }
    const ev = newEvent();
    if (nonblockPidfd) req.options |= WaitOption.WNOHANG;
    const r = waitChild(k, t, req, ev);
    if (r === 0 && nonblockPidfd && !(options & WaitOption.WNOHANG)) return -Errno.EAGAIN;
    if (typeof r === 'number') return finishWaitid(t, r, ev, infoAddr, rusageAddr);
    return r.then((v) => finishWaitid(t, v, ev, infoAddr, rusageAddr));
  };
}
