// prctl(2) values that are not in every <linux/prctl.h>: options newer than
// the uapi headers of older build machines (Linux 6.3+), and kernel-internal
// values user space sees only as results. Checked in
// test/unit/creds_abi.test.ts where the headers have them.

/** prctl options added after Linux 6.1. */
export const enum PrctlNew {
  /** Memory-deny-write-execute (6.3). */
  PR_SET_MDWE = 65,
  PR_GET_MDWE = 66,
  /** The auxiliary vector (6.4): 'AUXV' in ASCII. */
  PR_GET_AUXV = 0x41555856,
}

/** PR_SET_DUMPABLE / PR_GET_DUMPABLE values (SUID_DUMP_*, include/linux/sched/coredump.h); 2 is only a sysctl value. */
export const enum Dumpable {
  SUID_DUMP_DISABLE = 0,
  SUID_DUMP_USER = 1,
  SUID_DUMP_ROOT = 2,
}

/** sizeof(struct prctl_mm_map) (PR_SET_MM_MAP_SIZE's answer): eleven __u64, a pointer, two __u32. */
export const PRCTL_MM_MAP_SIZE = 104;

/** A task's default timer slack (PR_GET_TIMERSLACK): 50 µs, in nanoseconds. */
export const DEFAULT_TIMER_SLACK_NS = 50_000;
