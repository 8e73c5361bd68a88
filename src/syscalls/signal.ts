// rt_sigaction and rt_sigprocmask (man 2 sigaction, sigprocmask): recorded
// faithfully. Delivery comes with the signals issue.
import { Errno } from '../abi/linux/errno.js';
import { NSIG, SIGACTION_SIZE, SIGSET_SIZE, SigHow, Signal } from '../abi/linux/signal.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import { getU64, setU64 } from '../abi/linux/time.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

/** Signal.SIGKILL and Signal.SIGSTOP can be neither blocked nor masked (bits 8 and 18 of the low word). */
const UNBLOCKABLE_LO = ~((1 << (Signal.SIGKILL - 1)) | (1 << (Signal.SIGSTOP - 1)));


export function registerSignal(table: SyscallTable, _k: Kernel): void {
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
        flags: getU64(scratchView, 8),
        restorer: getU64(scratchView, 16),
        maskLo: scratchView.getUint32(24, true) & UNBLOCKABLE_LO,
        maskHi: scratchView.getUint32(28, true),
      };
    }
    // As do_sigaction: the new action takes effect before the old one is copied out.
    const cur = t.tg.sigactions.get(sig);
    if (next) t.tg.sigactions.set(sig, next);
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
      if (how === SigHow.SIG_BLOCK) {
        t.sigmaskLo |= lo;
        t.sigmaskHi |= hi;
      } else if (how === SigHow.SIG_UNBLOCK) {
        t.sigmaskLo &= ~lo;
        t.sigmaskHi &= ~hi;
      } else {
        t.sigmaskLo = lo;
        t.sigmaskHi = hi;
      }
      t.sigmaskLo = (t.sigmaskLo & UNBLOCKABLE_LO) >>> 0;
      t.sigmaskHi >>>= 0;
    }
    if (oset !== 0) {
      scratchView.setUint32(8, oldLo, true);
      scratchView.setUint32(12, oldHi, true);
      return mm.writeBytes(oset, scratch, 8, 8);
    }
    return 0;
  };
}
