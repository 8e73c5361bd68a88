// clone(2), clone3(2), fork(2), vfork(2): argument decoding; the work is in
// kernel/clone.ts.
import { Signal } from '../abi/linux/signal.js';
import { Errno } from '../abi/linux/errno.js';
import { Clone, CLONE_ARGS_SIZE_VER0, decodeCloneArgs, type CloneArgs } from '../abi/linux/sched.js';
import { SYS } from '../abi/linux/syscalls.js';
import { cloneTask } from '../kernel/clone.js';
import type { Kernel } from '../kernel/kernel.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

const NSIG = 64;
const PAGE_SIZE = 4096;
/** MAX_PID_NS_LEVEL: the most set_tid entries clone3 takes. */
const MAX_PID_NS_LEVEL = 32;
/** Flags clone3 rejects in clone_args.flags (the exit signal has its own field). */
const CLONE3_BAD = Clone.CLONE_DETACHED | (Clone.CSIGNAL & ~Clone.CLONE_NEWTIME);

function blankArgs(): CloneArgs {
  return { flags: 0, flagsHi: 0, pidfd: 0, childTid: 0, parentTid: 0, exitSignal: 0, stack: 0, stackSize: 0, tls: 0, setTid: 0, setTidSize: 0, cgroup: 0 };
}

export function registerClone(table: SyscallTable, k: Kernel): void {
  const args = blankArgs();
  table[SYS.fork] = (t) => {
    Object.assign(args, blankArgs());
    args.exitSignal = Signal.SIGCHLD;
    return cloneTask(k, t, args);
  };
  table[SYS.vfork] = (t) => {
    Object.assign(args, blankArgs());
    args.flags = Clone.CLONE_VFORK | Clone.CLONE_VM;
    args.exitSignal = Signal.SIGCHLD;
    return cloneTask(k, t, args);
  };
  // x86-64: clone(flags, stack, parent_tid, child_tid, tls).
  table[SYS.clone] = (t, a) => {
    Object.assign(args, blankArgs());
    const flags = a.u64(0);
    args.flags = a.int(0) >>> 0;
    // The legacy call takes 32 bits of flags; its low byte is the exit signal.
    args.exitSignal = args.flags & Clone.CSIGNAL;
    args.flags &= ~Clone.CSIGNAL;
    args.stack = a.u64(1);
    args.parentTid = a.u64(2);
    args.childTid = a.u64(3);
    args.tls = a.u64(4);
    void flags;
    // With CLONE_PIDFD the pidfd goes where parent_tid points: both at once is EINVAL.
    if (args.flags & Clone.CLONE_PIDFD && args.flags & Clone.CLONE_PARENT_SETTID) return -Errno.EINVAL;
    args.pidfd = args.parentTid;
    return cloneTask(k, t, args);
  };
  table[SYS.clone3] = (t, a) => {
    const addr = a.u64(0);
    const size = a.u64(1);
    // copy_struct_from_user: too small EINVAL, over a page E2BIG, unknown tail bytes must be zero.
    if (size < CLONE_ARGS_SIZE_VER0) return -Errno.EINVAL;
    if (size > PAGE_SIZE) return -Errno.E2BIG;
    const r = t.tg.mm.readBytes(addr, scratch, 0, size);
    if (r < 0) return r;
    const known = 88;
    for (let i = known; i < size; i++) if (scratch[i] !== 0) return -Errno.E2BIG;
    decodeCloneArgs(scratchView, 0, Math.min(size, known), args);
    if (args.setTidSize > MAX_PID_NS_LEVEL || (args.setTid === 0 && args.setTidSize > 0) || (args.setTid !== 0 && args.setTidSize === 0)) return -Errno.EINVAL;
    // The exit signal is checked against CSIGNAL and then valid_signal.
    if (args.exitSignal > Clone.CSIGNAL || args.exitSignal > NSIG) return -Errno.EINVAL;
    if (args.flags & CLONE3_BAD) return -Errno.EINVAL;
    if (args.flagsHi & ~3) return -Errno.EINVAL;
    if (args.flags & (Clone.CLONE_THREAD | Clone.CLONE_PARENT) && args.exitSignal !== 0) return -Errno.EINVAL;
    // clone3_stack_valid: a stack needs a size and the reverse; the top is stack + size.
    if (args.stack === 0) {
      if (args.stackSize !== 0) return -Errno.EINVAL;
    } else {
      if (args.stackSize === 0) return -Errno.EINVAL;
      if (args.stack + args.stackSize > 2 ** 64) return -Errno.EINVAL;
      args.stack += args.stackSize;
    }
    // Choosing PIDs (set_tid) needs CAP_SYS_ADMIN over the PID namespace, which the sandbox does not give.
    if (args.setTidSize > 1) return -Errno.EINVAL;
    if (args.setTidSize === 1) return -Errno.EPERM;
    return cloneTask(k, t, args);
  };
}
