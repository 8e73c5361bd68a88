// clone(2) / clone3(2) / unshare(2) flags and scheduling policies (<linux/sched.h>);
// man 2 clone, man 7 sched.

import { getU64 } from './time.js';

/**
 * CLONE_* flags. clone(2)'s flags are an unsigned long whose low byte
 * (CSIGNAL) is the exit signal. CLONE_IO is 2^31: test it with
 * (flags & CLONE_IO) !== 0. CLONE_CLEAR_SIGHAND and CLONE_INTO_CGROUP are above
 * 2^32 (clone3 only) and cannot go through JS bitwise operators: use the
 * high word of the 64-bit field (bit 0 and bit 1 of clone_args.flags >> 32).
 */
export const enum Clone {
  CSIGNAL = 0x000000ff,
  /** Shares the CSIGNAL byte: valid only for clone3 and unshare. */
  CLONE_NEWTIME = 0x00000080,
  CLONE_VM = 0x00000100,
  CLONE_FS = 0x00000200,
  CLONE_FILES = 0x00000400,
  CLONE_SIGHAND = 0x00000800,
  CLONE_PIDFD = 0x00001000,
  CLONE_PTRACE = 0x00002000,
  CLONE_VFORK = 0x00004000,
  CLONE_PARENT = 0x00008000,
  CLONE_THREAD = 0x00010000,
  CLONE_NEWNS = 0x00020000,
  CLONE_SYSVSEM = 0x00040000,
  CLONE_SETTLS = 0x00080000,
  CLONE_PARENT_SETTID = 0x00100000,
  CLONE_CHILD_CLEARTID = 0x00200000,
  CLONE_DETACHED = 0x00400000,
  CLONE_UNTRACED = 0x00800000,
  CLONE_CHILD_SETTID = 0x01000000,
  CLONE_NEWCGROUP = 0x02000000,
  CLONE_NEWUTS = 0x04000000,
  CLONE_NEWIPC = 0x08000000,
  CLONE_NEWUSER = 0x10000000,
  CLONE_NEWPID = 0x20000000,
  CLONE_NEWNET = 0x40000000,
  CLONE_IO = 0x80000000,
  CLONE_CLEAR_SIGHAND = 0x100000000,
  CLONE_INTO_CGROUP = 0x200000000,
}

/** Scheduling policies (sched_setscheduler(2)); SCHED_OTHER is SCHED_NORMAL. */
export const enum Sched {
  SCHED_NORMAL = 0,
  SCHED_OTHER = 0,
  SCHED_FIFO = 1,
  SCHED_RR = 2,
  SCHED_BATCH = 3,
  SCHED_IDLE = 5,
  SCHED_DEADLINE = 6,
  /** OR'd into the policy: children revert to SCHED_NORMAL. */
  SCHED_RESET_ON_FORK = 0x40000000,
}

/** sched_attr.sched_flags (<linux/sched.h>); struct sched_attr itself is in sched_attr.ts. */
export const enum SchedFlag {
  SCHED_FLAG_RESET_ON_FORK = 0x01,
  SCHED_FLAG_RECLAIM = 0x02,
  SCHED_FLAG_DL_OVERRUN = 0x04,
  SCHED_FLAG_KEEP_POLICY = 0x08,
  SCHED_FLAG_KEEP_PARAMS = 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN = 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX = 0x40,
  SCHED_FLAG_KEEP_ALL = 0x18,
  SCHED_FLAG_UTIL_CLAMP = 0x60,
  SCHED_FLAG_ALL = 0x7f,
}

/** CPUs in glibc's cpu_set_t (<sched.h>); sched_getaffinity takes any multiple of 8 bytes that covers nr_cpu_ids. */
export const CPU_SETSIZE = 1024;

/** struct sched_param { int sched_priority; }. */
export const SCHED_PARAM_SIZE = 4;

// ---------------------------------------------------------------------------
// struct clone_args for clone3(2): eleven __aligned_u64; the size argument
// tells which version the caller knows (man 2 clone: EINVAL below VER0, and
// E2BIG if bytes beyond what the kernel knows are nonzero).

export const CLONE_ARGS_SIZE_VER0 = 64;
export const CLONE_ARGS_SIZE_VER1 = 80;
export const CLONE_ARGS_SIZE_VER2 = 88;

export const enum CloneArgsOffset {
  FLAGS = 0,
  PIDFD = 8,
  CHILD_TID = 16,
  PARENT_TID = 24,
  EXIT_SIGNAL = 32,
  STACK = 40,
  STACK_SIZE = 48,
  TLS = 56,
  SET_TID = 64,
  SET_TID_SIZE = 72,
  CGROUP = 80,
}

/** Decoded clone_args; fields absent from an older (smaller) struct read as 0. */
export interface CloneArgs {
  /** Low 32 bits of flags (every CLONE_* below 2^32). */
  flags: number;
  /** High 32 bits of flags: bit 0 CLONE_CLEAR_SIGHAND, bit 1 CLONE_INTO_CGROUP. */
  flagsHi: number;
  pidfd: number;
  childTid: number;
  parentTid: number;
  /** Exact below 2^53; the caller rejects anything above NSIG (EINVAL). */
  exitSignal: number;
  stack: number;
  stackSize: number;
  tls: number;
  setTid: number;
  setTidSize: number;
  cgroup: number;
}

/** Reads the first `size` bytes' worth of clone_args (size >= CLONE_ARGS_SIZE_VER0, validated by the caller). */
export function decodeCloneArgs(dv: DataView, off: number, size: number, out: CloneArgs): CloneArgs {
  out.flags = dv.getUint32(off + CloneArgsOffset.FLAGS, true);
  out.flagsHi = dv.getUint32(off + CloneArgsOffset.FLAGS + 4, true);
  out.pidfd = getU64(dv, off + CloneArgsOffset.PIDFD);
  out.childTid = getU64(dv, off + CloneArgsOffset.CHILD_TID);
  out.parentTid = getU64(dv, off + CloneArgsOffset.PARENT_TID);
  out.exitSignal = getU64(dv, off + CloneArgsOffset.EXIT_SIGNAL);
  out.stack = getU64(dv, off + CloneArgsOffset.STACK);
  out.stackSize = getU64(dv, off + CloneArgsOffset.STACK_SIZE);
  out.tls = getU64(dv, off + CloneArgsOffset.TLS);
  out.setTid = size >= CLONE_ARGS_SIZE_VER1 ? getU64(dv, off + CloneArgsOffset.SET_TID) : 0;
  out.setTidSize = size >= CLONE_ARGS_SIZE_VER1 ? getU64(dv, off + CloneArgsOffset.SET_TID_SIZE) : 0;
  out.cgroup = size >= CLONE_ARGS_SIZE_VER2 ? getU64(dv, off + CloneArgsOffset.CGROUP) : 0;
  return out;
}
