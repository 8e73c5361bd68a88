// struct sched_attr (sched_setattr(2), <linux/sched/types.h>) and the
// scheduler's kernel-internal limits user space observes (priority ranges,
// the SCHED_RR slice, SCHED_DEADLINE parameter bounds). Checked against the
// headers in test/unit/creds_abi.test.ts.

/** RT priorities run 1..MAX_RT_PRIO-1 (SCHED_FIFO, SCHED_RR); the other policies take 0. */
export const MAX_RT_PRIO = 100;

/** SCHED_RR's time slice (RR_TIMESLICE: 100 ms), as sched_rr_get_interval reports it. */
export const RR_TIMESLICE_NS = 100_000_000;

/**
 * struct sched_attr: its size field says which version the caller knows;
 * VER1 added the utilization clamps.
 */
export const SCHED_ATTR_SIZE_VER0 = 48;
export const SCHED_ATTR_SIZE_VER1 = 56;

export const enum SchedAttrOffset {
  SIZE = 0,
  POLICY = 4,
  FLAGS = 8,
  NICE = 16,
  PRIORITY = 20,
  RUNTIME = 24,
  DEADLINE = 32,
  PERIOD = 40,
  UTIL_MIN = 48,
  UTIL_MAX = 52,
}

/** Kernel-internal sched flag (schedutil worker threads): never valid from user space. */
export const SCHED_FLAG_SUGOV = 0x10000000;

/** SCHED_DEADLINE: runtimes below 2^DL_SCALE ns are refused; periods lie within sched_dl_period_min/max (µs). */
export const DL_SCALE = 10;
export const SCHED_DL_PERIOD_MIN_US = 100;
export const SCHED_DL_PERIOD_MAX_US = 1 << 22;
