// Process and thread lifetime and per-thread state: exit, exit_group,
// arch_prctl, set_tid_address, robust lists, rseq (prctl is in prctl.ts).
import { Errno } from '../abi/linux/errno.js';
import { ArchPrctl } from '../abi/linux/prctl.js';
import { setU64 } from '../abi/linux/time.js';
import { SYS } from '../abi/linux/syscalls.js';
import { NO_RESUME, type Kernel } from '../kernel/kernel.js';
import { Reg } from '../platform/platform.js';
import { TASK_SIZE_MAX } from './access.js';
import { getReg, setReg } from './args.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

/** sizeof(struct robust_list_head) on x86-64. */
const ROBUST_LIST_HEAD_SIZE = 24;

export function registerProcess(table: SyscallTable, k: Kernel): void {
  table[SYS.exit] = (t, a) => {
    // One thread ends; the last thread's exit is the process's (with this status).
    k.exitThread(t, (a.int(0) & 0xff) << 8);
    return NO_RESUME;
  };
  table[SYS.exit_group] = (t, a) => {
    k.exitGroup(t.tg, (a.int(0) & 0xff) << 8);
    return NO_RESUME;
  };
  table[SYS.arch_prctl] = (t, a) => {
    const regs = t.regs;
    const addr = a.u64(1);
    switch (a.int(0)) {
      case ArchPrctl.ARCH_SET_FS:
      case ArchPrctl.ARCH_SET_GS:
        // The base must be below TASK_SIZE_MAX (arch/x86/kernel/process_64.c do_arch_prctl_64).
        if (a.hi(1) >= 0x8000 || addr >= TASK_SIZE_MAX) return -Errno.EPERM;
        setReg(regs, a.int(0) === ArchPrctl.ARCH_SET_FS ? Reg.FS_BASE : Reg.GS_BASE, addr);
        return 0;
      case ArchPrctl.ARCH_GET_FS:
      case ArchPrctl.ARCH_GET_GS: {
        const v = getReg(regs, a.int(0) === ArchPrctl.ARCH_GET_FS ? Reg.FS_BASE : Reg.GS_BASE);
        setU64(scratchView, 0, v);
        return t.tg.mm.writeBytes(addr, scratch, 0, 8);
      }
      default:
        // ARCH_GET_CPUID/ARCH_SET_CPUID (CPUID faulting) and the rest are not supported.
        return -Errno.EINVAL;
    }
  };
  table[SYS.set_tid_address] = (t, a) => {
    t.clearChildTid = a.u64(0);
    return t.tid;
  };
  table[SYS.set_robust_list] = (t, a) => {
    if (a.u64(1) !== ROBUST_LIST_HEAD_SIZE) return -Errno.EINVAL;
    t.robustListHead = a.u64(0);
    t.robustListLen = ROBUST_LIST_HEAD_SIZE;
    return 0;
  };
  table[SYS.get_robust_list] = (t, a) => {
    const pid = a.int(0);
    if (pid !== 0 && pid !== t.tid) return -Errno.ESRCH;
    const head = t.robustListHead;
    setU64(scratchView, 0, head);
    setU64(scratchView, 8, t.robustListLen);
    const r = t.tg.mm.writeBytes(a.u64(1), scratch, 0, 8);
    if (r < 0) return r;
    return t.tg.mm.writeBytes(a.u64(2), scratch, 8, 8);
  };
  // rseq: restartable sequences are not offered; glibc falls back without them.
  table[SYS.rseq] = () => -Errno.ENOSYS;
}
