// pidfd_open(2), pidfd_send_signal(2), pidfd_getfd(2).
import { Rlimit } from '../abi/linux/rlimit.js';
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { SiCode, SIGINFO_SIZE } from '../abi/linux/signal.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import { PidFd } from '../kernel/pidfd.js';
import { maySignal, sendSignal, userSiginfo } from '../kernel/signals.js';
import type { SyscallTable } from './table.js';

/** PIDFD_NONBLOCK is O_NONBLOCK. */
const PIDFD_NONBLOCK = OpenFlag.O_NONBLOCK;

export function registerPidfd(table: SyscallTable, k: Kernel): void {
  table[SYS.pidfd_open] = (t, a) => {
    const pid = a.int(0);
    const flags = a.u64(1);
    if (flags !== 0 && flags !== PIDFD_NONBLOCK) return -Errno.EINVAL;
    if (pid <= 0) return -Errno.EINVAL;
    const tg = k.processes.get(pid);
    if (!tg) {
      // A TID that is not a thread-group leader names no process.
      return k.tasks.has(pid) ? -Errno.ENOENT : -Errno.ESRCH;
    }
    const f = new PidFd(tg, OpenFlag.O_RDWR | flags);
    return t.tg.fds.install(f, true, t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur);
  };
  table[SYS.pidfd_send_signal] = (t, a) => {
    const fd = a.int(0);
    const sig = a.int(1);
    const infoAddr = a.u64(2);
    if (a.u64(3) !== 0) return -Errno.EINVAL;
    const f = t.tg.fds.get(fd);
    if (!f) return -Errno.EBADF;
    if (!(f instanceof PidFd) || f.tg === null) return -Errno.EBADF;
    const tg = f.tg;
    if (sig < 0 || sig > 64) return -Errno.EINVAL;
    if (tg.zombie || !k.processes.has(tg.pid)) return -Errno.ESRCH;
    let info: Uint8Array;
    if (infoAddr !== 0) {
      info = new Uint8Array(SIGINFO_SIZE);
      if (t.tg.mm.readBytes(infoAddr, info, 0, SIGINFO_SIZE) < 0) return -Errno.EFAULT;
      const dv = new DataView(info.buffer);
      if (dv.getInt32(0, true) !== sig) return -Errno.EINVAL;
      // Only the kernel's and kill's codes are refused to another process (as rt_sigqueueinfo).
      const code = dv.getInt32(8, true);
      if ((code >= 0 || code === SiCode.SI_TKILL) && tg !== t.tg) return -Errno.EPERM;
    } else {
      info = userSiginfo(sig, SiCode.SI_USER, t);
    }
    if (!maySignal(t, tg)) return -Errno.EPERM;
    if (sig === 0) return 0;
    return sendSignal(k, tg, sig, undefined, info);
  };
  table[SYS.pidfd_getfd] = (t, a) => {
    const fd = a.int(0);
    const targetFd = a.int(1);
    if (a.u64(2) !== 0) return -Errno.EINVAL;
    const f = t.tg.fds.get(fd);
    if (!f || !(f instanceof PidFd) || f.tg === null) return -Errno.EBADF;
    const tg = f.tg;
    if (tg.zombie) return -Errno.ESRCH;
    // PTRACE_MODE_ATTACH_REALCREDS: the same user, or CAP_SYS_PTRACE.
    const leader = tg.leader ?? [...tg.tasks][0];
    if (!t.creds.hasCapability(Capability.CAP_SYS_PTRACE) && leader?.creds.uid !== t.creds.uid) return -Errno.EPERM;
    const file = tg.fds.get(targetFd);
    if (!file) return -Errno.EBADF;
    return t.tg.fds.install(file, true, t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur);
  };
}
