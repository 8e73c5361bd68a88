// getrusage(2), getpriority(2) and times(2): <linux/resource.h>,
// <linux/times.h>. struct rusage itself is encoded by ./wait.ts (encodeRusage,
// shared with wait4); the offsets of its other fields are below.
import { setI64 } from './time.js';

/** getrusage's who. */
export const enum RusageWho {
  RUSAGE_SELF = 0,
  RUSAGE_CHILDREN = -1,
  RUSAGE_BOTH = -2,
  RUSAGE_THREAD = 1,
}

/** Byte offsets in struct rusage (x86-64: two timevals, then fourteen longs). */
export const enum RusageOffset {
  UTIME = 0,
  STIME = 16,
  MAXRSS = 32,
  IXRSS = 40,
  IDRSS = 48,
  ISRSS = 56,
  MINFLT = 64,
  MAJFLT = 72,
  NSWAP = 80,
  INBLOCK = 88,
  OUBLOCK = 96,
  MSGSND = 104,
  MSGRCV = 112,
  NSIGNALS = 120,
  NVCSW = 128,
  NIVCSW = 136,
}

/** getpriority / setpriority's which. */
export const enum Prio {
  PRIO_PROCESS = 0,
  PRIO_PGRP = 1,
  PRIO_USER = 2,
}

/** Nice values run from MIN_NICE to MAX_NICE (<linux/sched/prio.h>). */
export const MIN_NICE = -20;
export const MAX_NICE = 19;

/** Clock ticks per second of clock_t (times(2), /proc): USER_HZ. */
export const USER_HZ = 100;

/** struct tms: four clock_t (tms_utime, tms_stime, tms_cutime, tms_cstime). */
export const TMS_SIZE = 32;

export function encodeTms(dv: DataView, off: number, utime: number, stime: number, cutime: number, cstime: number): void {
  setI64(dv, off, utime);
  setI64(dv, off + 8, stime);
  setI64(dv, off + 16, cutime);
  setI64(dv, off + 24, cstime);
}
