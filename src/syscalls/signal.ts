// rt_sigaction and rt_sigprocmask (man 2 sigaction, sigprocmask): recorded
// faithfully. Delivery comes with the signals issue.
import { Rlimit } from '../abi/linux/rlimit.js';
import { Errno } from '../abi/linux/errno.js';
import { DefaultAction, defaultAction, decodeStackT, SA_KNOWN_FLAGS, encodeStackT, NSIG, SiCode, SIGACTION_SIZE, SIGINFO_SIZE, SIGSET_SIZE, SigHow, Signal, SigStack, STACK_T_SIZE } from '../abi/linux/signal.js';
import { SYS } from '../abi/linux/syscalls.js';
import { KEEP_REGS, type Kernel } from '../kernel/kernel.js';
import { altStackFlags, doSigaltstack, forceSignal, hasSignalWork, sendSignal, setMask, sigreturn, takeSignal, type AltStack } from '../kernel/signals.js';
import type { Task } from '../kernel/task.js';
import { Reg } from '../platform/platform.js';
import { getReg } from './args.js';
import { clearRestartBlock } from './time.js';
import { SignalFd } from '../kernel/signalfd.js';
import { SfdFlag } from '../abi/linux/signalfd.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { getU64, setU64 } from '../abi/linux/time.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';
import { blockingPromise } from '../kernel/blocking.js';

/** Signal.SIGKILL and Signal.SIGSTOP can be neither blocked nor masked (bits 8 and 18 of the low word). */
const UNBLOCKABLE_LO = ~((1 << (Signal.SIGKILL - 1)) | (1 << (Signal.SIGSTOP - 1)));


export function registerSignal(table: SyscallTable, k: Kernel): void {
  table[SYS.rt_sigaction] = (t, a) => {
    const sig = a.int(0);
    const act = a.u64(1);
    const oact = a.u64(2);
    if (a.u64(3) !== SIGSET_SIZE) return -Errno.EINVAL;
    // kernel/signal.c: the new action is copied in (EFAULT) before
    // do_sigaction checks the signal number (EINVAL).
    const mm = t.tg.mm;
    if (act !== 0) {
      const r = mm.readBytes(act, scratch, 0, SIGACTION_SIZE);
      if (r < 0) return r;
    }
    if (sig < 1 || sig > NSIG) return -Errno.EINVAL;
    if (act !== 0 && (sig === Signal.SIGKILL || sig === Signal.SIGSTOP)) return -Errno.EINVAL;
    let next;
    if (act !== 0) {
      next = {
        handler: getU64(scratchView, 0),
        // Unknown bits (and SA_UNSUPPORTED) are dropped (do_sigaction masks with UAPI_SA_FLAGS).
        // The low word only: every flag is there, and a sign-extended int (SA_RESETHAND) is not exact as a double.
        flags: (scratchView.getUint32(8, true) & SA_KNOWN_FLAGS) >>> 0,
        restorer: getU64(scratchView, 16),
        maskLo: scratchView.getUint32(24, true) & UNBLOCKABLE_LO,
        maskHi: scratchView.getUint32(28, true),
      };
    }
    // As do_sigaction: the new action takes effect before the old one is copied out.
    const cur = t.tg.sigactions.get(sig);
    if (next) {
      t.tg.sigactions.set(sig, next);
      // POSIX: setting an action that ignores a signal discards it where pending (do_sigaction).
      if (ignoresSignal(sig, next.handler)) {
        t.tg.sharedPending.remove(sig);
        for (const o of t.tg.tasks) o.pending.remove(sig);
      }
    }
    if (oact !== 0) {
      setU64(scratchView, 32, cur.handler);
      setU64(scratchView, 40, cur.flags);
      setU64(scratchView, 48, cur.restorer);
      scratchView.setUint32(56, cur.maskLo, true);
      scratchView.setUint32(60, cur.maskHi, true);
      return mm.writeBytes(oact, scratch, 32, SIGACTION_SIZE);
    }
    return 0;
  };
  table[SYS.rt_sigprocmask] = (t, a) => {
    const how = a.int(0);
    const set = a.u64(1);
    const oset = a.u64(2);
    if (a.u64(3) !== SIGSET_SIZE) return -Errno.EINVAL;
    const mm = t.tg.mm;
    let lo = 0;
    let hi = 0;
    if (set !== 0) {
      const r = mm.readBytes(set, scratch, 0, 8);
      if (r < 0) return r;
      lo = scratchView.getUint32(0, true);
      hi = scratchView.getUint32(4, true);
      if (how !== SigHow.SIG_BLOCK && how !== SigHow.SIG_UNBLOCK && how !== SigHow.SIG_SETMASK) return -Errno.EINVAL;
    }
    const oldLo = t.sigmaskLo;
    const oldHi = t.sigmaskHi;
    if (set !== 0) {
      if (how === SigHow.SIG_BLOCK) setMask(t, oldLo | lo, oldHi | hi);
      else if (how === SigHow.SIG_UNBLOCK) setMask(t, oldLo & ~lo, oldHi & ~hi);
      else setMask(t, lo, hi);
    }
    if (oset !== 0) {
      scratchView.setUint32(8, oldLo, true);
      scratchView.setUint32(12, oldHi, true);
      return mm.writeBytes(oset, scratch, 8, 8);
    }
    return 0;
  };

  table[SYS.rt_sigreturn] = (t) => {
    // A restart block belongs to the call the handler interrupted: gone with it.
    clearRestartBlock(t);
    const r = sigreturn(t);
    if (r < 0) {
      // A frame that cannot be restored: SIGSEGV (force_sigsegv).
      forceSignal(t, Signal.SIGSEGV, SiCode.SI_KERNEL, 0);
      return KEEP_REGS;
    }
    return KEEP_REGS;
  };
  table[SYS.sigaltstack] = (t, a) => {
    const ssAddr = a.u64(0);
    const ossAddr = a.u64(1);
    const mm = t.tg.mm;
    const sp = getReg(t.regs, Reg.RSP);
    let ss: AltStack | null = null;
    if (ssAddr !== 0) {
      const r = mm.readBytes(ssAddr, scratch, 0, STACK_T_SIZE);
      if (r < 0) return r;
      ss = decodeStackT(scratchView, 0, { sp: 0, flags: 0, size: 0 });
    }
    // The old value is taken before the change (do_sigaltstack).
    const oldSp = t.altSp;
    const oldSize = t.altSize;
    const oldFlags = altStackFlags(t, sp) | (t.altFlags & SigStack.SS_AUTODISARM);
    if (ss) {
      const r = doSigaltstack(t, ss, sp);
      if (r < 0) return r;
    }
    if (ossAddr !== 0) {
      encodeStackT(scratchView, 32, oldSp, oldFlags, oldSize);
      if (mm.writeBytes(ossAddr, scratch, 32, STACK_T_SIZE) < 0) return -Errno.EFAULT;
    }
    return 0;
  };
  table[SYS.rt_sigpending] = (t, a) => {
    // Pending signals that are blocked (the others would have been delivered).
    if (a.u64(1) > SIGSET_SIZE) return -Errno.EINVAL;
    const s = t.tg.sharedPending;
    scratchView.setUint32(0, (t.pending.lo | s.lo) & t.sigmaskLo, true);
    scratchView.setUint32(4, (t.pending.hi | s.hi) & t.sigmaskHi, true);
    return t.tg.mm.writeBytes(a.u64(0), scratch, 0, a.u64(1));
  };
  table[SYS.rt_sigsuspend] = (t, a) => {
    if (a.u64(1) !== SIGSET_SIZE) return -Errno.EINVAL;
    const r = t.tg.mm.readBytes(a.u64(0), scratch, 0, 8);
    if (r < 0) return r;
    // The old mask comes back after the handler (the frame's uc_sigmask), or at once if none runs.
    t.savedMaskLo = t.sigmaskLo;
    t.savedMaskHi = t.sigmaskHi;
    t.hasSavedMask = true;
    setMask(t, scratchView.getUint32(0, true), scratchView.getUint32(4, true));
    return waitForSignal(t);
  };
  table[SYS.pause] = (t) => waitForSignal(t);
  table[SYS.rt_sigtimedwait] = (t, a) => sigtimedwait(k, t, a.u64(0), a.u64(1), a.u64(2), a.u64(3));
  table[SYS.signalfd] = (t, a) => signalfd(k, t, a.int(0), a.u64(1), a.u64(2), 0);
  table[SYS.signalfd4] = (t, a) => signalfd(k, t, a.int(0), a.u64(1), a.u64(2), a.int(3));
  table[SYS.rt_sigqueueinfo] = (t, a) => queueInfo(k, t, a.int(0), 0, a.int(1), a.u64(2));
  table[SYS.rt_tgsigqueueinfo] = (t, a) => queueInfo(k, t, a.int(0), a.int(1), a.int(2), a.u64(3));
}

/** SIG_IGN, or SIG_DFL for a signal whose default is to ignore it (SIGCHLD, SIGURG, SIGWINCH, SIGCONT). */
function ignoresSignal(sig: number, handler: number): boolean {
  if (handler === 1) return true;
  if (handler !== 0) return false;
  const d = defaultAction(sig);
  return d === DefaultAction.Ignore || d === DefaultAction.Continue;
}

/**
 * signalfd, signalfd4: a new descriptor taking the mask's signals (fd -1),
 * or a new mask for an existing one (EINVAL if fd is not a signalfd).
 */
function signalfd(k: Kernel, t: Task, fd: number, maskAddr: number, size: number, flags: number): number {
  if (size !== SIGSET_SIZE) return -Errno.EINVAL;
  if (flags & ~(SfdFlag.SFD_CLOEXEC | SfdFlag.SFD_NONBLOCK)) return -Errno.EINVAL;
  if (t.tg.mm.readBytes(maskAddr, scratch, 0, 8) < 0) return -Errno.EFAULT;
  const lo = scratchView.getUint32(0, true) & UNBLOCKABLE_LO;
  const hi = scratchView.getUint32(4, true);
  if (fd !== -1) {
    const f = t.tg.fds.get(fd);
    if (!f) return -Errno.EBADF;
    if (!(f instanceof SignalFd)) return -Errno.EINVAL;
    f.maskLo = lo >>> 0;
    f.maskHi = hi;
    return fd;
  }
  const f = new SignalFd(t, lo >>> 0, hi, OpenFlag.O_RDWR | (flags & SfdFlag.SFD_NONBLOCK), () => k.currentTask);
  return t.tg.fds.install(f, (flags & SfdFlag.SFD_CLOEXEC) !== 0, t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur);
}

/** pause, sigsuspend: sleep until a signal is delivered; -ERESTARTNOHAND (EINTR after a handler). */
function waitForSignal(t: Task): number | Promise<number> {
  if (hasSignalWork(t)) return -Errno.ERESTARTNOHAND;
  return blockingPromise<number>((resolve) => {
    t.park(() => resolve(-Errno.ERESTARTNOHAND));
  });
}

const waitInfo = { sig: 0, info: undefined as Uint8Array | undefined };

/**
 * rt_sigtimedwait: takes a pending signal of the set (without running its
 * handler), waiting for one up to the timeout; -EAGAIN on timeout, -EINTR if
 * another signal interrupts.
 */
function sigtimedwait(k: Kernel, t: Task, setAddr: number, infoAddr: number, tsAddr: number, size: number): number | Promise<number> {
  if (size !== SIGSET_SIZE) return -Errno.EINVAL;
  const mm = t.tg.mm;
  if (mm.readBytes(setAddr, scratch, 0, 8) < 0) return -Errno.EFAULT;
  // SIGKILL and SIGSTOP cannot be waited for.
  const lo = scratchView.getUint32(0, true) & UNBLOCKABLE_LO;
  const hi = scratchView.getUint32(4, true);
  let timeoutMs = Infinity;
  if (tsAddr !== 0) {
    if (mm.readBytes(tsAddr, scratch, 16, 16) < 0) return -Errno.EFAULT;
    const sec = getU64(scratchView, 16);
    const nsec = getU64(scratchView, 24);
    if (sec < 0 || sec >= 2 ** 63 || nsec >= 1e9) return -Errno.EINVAL;
    timeoutMs = sec * 1000 + nsec / 1e6;
  }
  const take = (): number => {
    if (!takeSignal(t, lo, hi, waitInfo)) return 0;
    if (infoAddr !== 0 && mm.writeBytes(infoAddr, waitInfo.info!, 0, SIGINFO_SIZE) < 0) return -Errno.EFAULT;
    return waitInfo.sig;
  };
  const now = take();
  if (now !== 0) return now;
  if (timeoutMs === 0) return -Errno.EAGAIN;
  // While waiting, the set is unblocked so that its signals wake this thread (real_blocked).
  const realLo = t.sigmaskLo;
  const realHi = t.sigmaskHi;
  setMask(t, realLo & ~lo, realHi & ~hi);
  t.sigwaitLo = lo;
  t.sigwaitHi = hi;
  return blockingPromise<number>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (v: number): void => {
      if (timer) clearTimeout(timer);
      t.sigwaitLo = 0;
      t.sigwaitHi = 0;
      setMask(t, realLo, realHi);
      const got = take();
      resolve(got !== 0 ? got : v);
    };
    if (Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        t.unpark();
        finish(-Errno.EAGAIN);
      }, Math.max(1, Math.ceil(timeoutMs)));
    }
    t.park((r) => finish(r === -Errno.ERESTARTSYS ? -Errno.EINTR : r));
    void k;
  });
}

/** rt_sigqueueinfo / rt_tgsigqueueinfo: a signal with the caller's siginfo, which may not pose as the kernel's or kill's. */
function queueInfo(k: Kernel, t: Task, tgid: number, tid: number, sig: number, infoAddr: number): number {
  const info = new Uint8Array(SIGINFO_SIZE);
  if (t.tg.mm.readBytes(infoAddr, info, 0, SIGINFO_SIZE) < 0) return -Errno.EFAULT;
  const dv = new DataView(info.buffer);
  const code = dv.getInt32(8, true);
  const target = tid !== 0 ? k.tasks.get(tid) : undefined;
  const tg = tid !== 0 ? target?.tg : k.processes.get(tgid);
  if (tid !== 0 && (tgid <= 0 || tid <= 0)) return -Errno.EINVAL;
  if (sig < 0 || sig > 64) return -Errno.EINVAL;
  if (!tg || tg.zombie || (target && target.tg.pid !== tgid)) return -Errno.ESRCH;
  // Only the kernel may send SI_USER/SI_KERNEL (si_code >= 0) or SI_TKILL to another process.
  // Linux compares the caller's TID with the target (pid, or tid for the tg variant).
  if ((code >= 0 || code === SiCode.SI_TKILL) && t.tid !== (tid !== 0 ? tid : tgid)) return -Errno.EPERM;
  if (sig === 0) return 0;
  dv.setInt32(0, sig, true);
  return sendSignal(k, tg, sig, target, info);
}
