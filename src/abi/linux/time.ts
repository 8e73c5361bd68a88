// Clocks and time structs: <linux/time.h>, man 2 clock_gettime, man 2 nanosleep,
// man 2 timer_settime, man 2 setitimer. Also the 64-bit field helpers that every
// codec in src/abi/linux uses.

import { Errno } from './errno.js';

// ---------------------------------------------------------------------------
// 64-bit little-endian fields as JS numbers (no bigint, no allocation).
//
// A 64-bit field is read as hi * 2^32 + lo: exact while |value| <= 2^53,
// rounded beyond (the sign and magnitude stay right, the low bits do not).
// Writing takes an integer number; values outside the 64-bit range wrap modulo
// 2^64 through the two 32-bit halves. Use DataView.getBigInt64 where a field
// can legitimately exceed 2^53 and every bit matters (off hot paths).

const TWO32 = 4294967296;

/** Reads a signed 64-bit field (exact within ±2^53). */
export function getI64(dv: DataView, off: number): number {
  return dv.getInt32(off + 4, true) * TWO32 + dv.getUint32(off, true);
}

/** Reads an unsigned 64-bit field (exact below 2^53). */
export function getU64(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * TWO32 + dv.getUint32(off, true);
}

/** Writes an integer as a 64-bit field (two's complement for negatives). */
export function setI64(dv: DataView, off: number, v: number): void {
  dv.setUint32(off, v >>> 0, true);
  dv.setUint32(off + 4, Math.floor(v / TWO32) >>> 0, true);
}

/** Same bit pattern as setI64; named for unsigned fields. */
export const setU64 = setI64;

/** Zeroes len bytes (len a multiple of 4) at off. */
export function zero(dv: DataView, off: number, len: number): void {
  for (let i = 0; i < len; i += 4) dv.setUint32(off + i, 0, true);
}

// ---------------------------------------------------------------------------
// Clock ids (man 2 clock_gettime). Negative ids are dynamic CPU-time clocks of
// a pid or tid (clock_getcpuclockid) or fd clocks; they are not listed here.

export const enum Clock {
  CLOCK_REALTIME = 0,
  CLOCK_MONOTONIC = 1,
  CLOCK_PROCESS_CPUTIME_ID = 2,
  CLOCK_THREAD_CPUTIME_ID = 3,
  CLOCK_MONOTONIC_RAW = 4,
  CLOCK_REALTIME_COARSE = 5,
  CLOCK_MONOTONIC_COARSE = 6,
  CLOCK_BOOTTIME = 7,
  CLOCK_REALTIME_ALARM = 8,
  CLOCK_BOOTTIME_ALARM = 9,
  /** Obsolete: the kernel returns EINVAL for it. */
  CLOCK_SGI_CYCLE = 10,
  CLOCK_TAI = 11,
}

export const MAX_CLOCKS = 16;

/** Name of each static clock id, for logs and --strace. */
export const CLOCK_NAMES: readonly string[] = [
  'CLOCK_REALTIME',
  'CLOCK_MONOTONIC',
  'CLOCK_PROCESS_CPUTIME_ID',
  'CLOCK_THREAD_CPUTIME_ID',
  'CLOCK_MONOTONIC_RAW',
  'CLOCK_REALTIME_COARSE',
  'CLOCK_MONOTONIC_COARSE',
  'CLOCK_BOOTTIME',
  'CLOCK_REALTIME_ALARM',
  'CLOCK_BOOTTIME_ALARM',
  'CLOCK_SGI_CYCLE',
  'CLOCK_TAI',
];

/** Flags of clock_nanosleep(2) and timer_settime(2). */
export const enum TimerFlag {
  TIMER_ABSTIME = 0x01,
}

/** Interval timers of setitimer(2). */
export const enum Itimer {
  ITIMER_REAL = 0,
  ITIMER_VIRTUAL = 1,
  ITIMER_PROF = 2,
}

export const NSEC_PER_SEC = 1_000_000_000;
export const USEC_PER_SEC = 1_000_000;

// ---------------------------------------------------------------------------
// struct timespec { time_t tv_sec; long tv_nsec; }   16 bytes
// struct timeval  { time_t tv_sec; suseconds_t tv_usec; }   16 bytes
// struct timezone { int tz_minuteswest; int tz_dsttime; }   8 bytes
// struct itimerspec { timespec it_interval; timespec it_value; }   32 bytes
// struct itimerval  { timeval it_interval; timeval it_value; }   32 bytes

export const TIMESPEC_SIZE = 16;
export const TIMEVAL_SIZE = 16;
export const TIMEZONE_SIZE = 8;
export const ITIMERSPEC_SIZE = 32;
export const ITIMERVAL_SIZE = 32;

/** A caller-owned, reused decode target for timespec / timeval. */
export interface Timespec {
  sec: number;
  /** Nanoseconds (timespec) or microseconds (timeval). */
  nsec: number;
}

/** Decodes a timespec (or timeval) into out. Fields are exact within ±2^53. */
export function decodeTimespec(dv: DataView, off: number, out: Timespec): Timespec {
  out.sec = getI64(dv, off);
  out.nsec = getI64(dv, off + 8);
  return out;
}

export function encodeTimespec(dv: DataView, off: number, sec: number, nsec: number): void {
  setI64(dv, off, sec);
  setI64(dv, off + 8, nsec);
}

/** timeval has the same layout as timespec, with microseconds. */
export const decodeTimeval = decodeTimespec;
export const encodeTimeval = encodeTimespec;

/**
 * man 2 nanosleep: EINVAL if tv_nsec is outside [0, 999999999] or tv_sec is
 * negative. The same rule (the kernel's timespec64_valid) covers
 * clock_nanosleep, clock_settime, timer_settime, ppoll, pselect6, futex.
 */
export function timespecValid(sec: number, nsec: number): boolean {
  return sec >= 0 && nsec >= 0 && nsec < NSEC_PER_SEC;
}

/** Checks the timespec at off in place: 0 or -EINVAL. Reads the raw halves, exact for any bits. */
export function checkTimespec(dv: DataView, off: number): number {
  // tv_sec >= 0: the sign bit of the high half is clear.
  if (dv.getInt32(off + 4, true) < 0) return -Errno.EINVAL;
  // 0 <= tv_nsec < 1e9: high half zero and low half below 1e9.
  if (dv.getUint32(off + 12, true) !== 0 || dv.getUint32(off + 8, true) >= NSEC_PER_SEC) return -Errno.EINVAL;
  return 0;
}

/** Same check for a timeval (settimeofday, setitimer, select): tv_usec in [0, 1e6). */
export function checkTimeval(dv: DataView, off: number): number {
  if (dv.getInt32(off + 4, true) < 0) return -Errno.EINVAL;
  if (dv.getUint32(off + 12, true) !== 0 || dv.getUint32(off + 8, true) >= USEC_PER_SEC) return -Errno.EINVAL;
  return 0;
}

export function encodeTimezone(dv: DataView, off: number, minuteswest: number, dsttime: number): void {
  dv.setInt32(off, minuteswest, true);
  dv.setInt32(off + 4, dsttime, true);
}

/** Writes an itimerspec: it_interval then it_value. */
export function encodeItimerspec(
  dv: DataView, off: number,
  intervalSec: number, intervalNsec: number, valueSec: number, valueNsec: number,
): void {
  encodeTimespec(dv, off, intervalSec, intervalNsec);
  encodeTimespec(dv, off + TIMESPEC_SIZE, valueSec, valueNsec);
}

/** Writes an itimerval: it_interval then it_value (microseconds). */
export const encodeItimerval = encodeItimerspec;

/** Offsets of the two halves of itimerspec / itimerval, for decodeTimespec / checkTimespec. */
export const enum ItimerOffset {
  IT_INTERVAL = 0,
  IT_VALUE = 16,
}

// ---------------------------------------------------------------------------
// CPU-time clock ids (<linux/posix-timers.h>): clock_getcpuclockid(3) and
// pthread_getcpuclockid(3) encode a pid or tid as ~pid << 3 | perthread << 2 | which.
// A low 3-bit pattern of CLOCKFD (3) names a posix dynamic clock (an fd, /dev/ptp*).

export const enum CpuClock {
  /** utime + stime. */
  CPUCLOCK_PROF = 0,
  /** utime. */
  CPUCLOCK_VIRT = 1,
  /** sum_exec_runtime (the scheduler's nanoseconds on CPU). */
  CPUCLOCK_SCHED = 2,
  /** which values are below this. */
  CPUCLOCK_MAX = 3,
  CPUCLOCK_CLOCK_MASK = 3,
  CPUCLOCK_PERTHREAD_MASK = 4,
  CLOCKFD = 3,
  CLOCKFD_MASK = 7,
}

/** The pid or tid a CPU clock id names (0: the caller). */
export function cpuClockPid(clk: number): number {
  return ~(clk >> 3);
}

export function cpuClockPerThread(clk: number): boolean {
  return (clk & CpuClock.CPUCLOCK_PERTHREAD_MASK) !== 0;
}

export function cpuClockWhich(clk: number): number {
  return clk & CpuClock.CPUCLOCK_CLOCK_MASK;
}

/** MAKE_PROCESS_CPUCLOCK(pid, which) / MAKE_THREAD_CPUCLOCK(tid, which). */
export function makeCpuClock(pid: number, which: number, perThread: boolean): number {
  return (~pid << 3) | which | (perThread ? CpuClock.CPUCLOCK_PERTHREAD_MASK : 0);
}

/**
 * The sandbox kernel's CONFIG_HZ: the tick that CPU interval timers add to a
 * new value (set_cpu_itimer) and the resolution of the PROF and VIRT CPU
 * clocks (posix_cpu_clock_getres). 250 is the common distribution setting.
 */
export const KERNEL_HZ = 250;
export const TICK_NSEC = NSEC_PER_SEC / KERNEL_HZ;

/** timer_getoverrun(2) saturates at DELAYTIMER_MAX (INT_MAX). */
export const DELAYTIMER_MAX = 0x7fffffff;

// ---------------------------------------------------------------------------
// struct sigevent (timer_create, mq_notify), 64 bytes (SIGEV_MAX_SIZE):
//   sigev_value @0 (union sigval, 8), sigev_signo @8 (int), sigev_notify @12 (int),
//   then a union: sigev_notify_thread_id (_tid) @16, or _sigev_thread
//   { function @16, attribute @24 }. The kernel reads all 64 bytes.
// sigev_notify values are SigevNotify in signal.ts.

export const SIGEVENT_SIZE = 64;

export const enum SigeventOffset {
  VALUE = 0,
  SIGNO = 8,
  NOTIFY = 12,
  THREAD_ID = 16,
}

/** A decoded sigevent; caller-owned and reused. sigev_value is kept as its raw halves (a union of int and pointer). */
export interface Sigevent {
  valueLo: number;
  valueHi: number;
  signo: number;
  notify: number;
  tid: number;
}

export function decodeSigevent(dv: DataView, off: number, out: Sigevent): Sigevent {
  out.valueLo = dv.getUint32(off + SigeventOffset.VALUE, true);
  out.valueHi = dv.getUint32(off + SigeventOffset.VALUE + 4, true);
  out.signo = dv.getInt32(off + SigeventOffset.SIGNO, true);
  out.notify = dv.getInt32(off + SigeventOffset.NOTIFY, true);
  out.tid = dv.getInt32(off + SigeventOffset.THREAD_ID, true);
  return out;
}

/** timer_create(2) writes the new id as the kernel's timer_t: an int. */
export const KERNEL_TIMER_T_SIZE = 4;

/**
 * The kernel's private word of a timer siginfo (struct kernel_siginfo
 * _timer._sys_private, after si_value): Linux keeps the timer's signal
 * sequence there while the signal is queued and clears it before the
 * siginfo reaches user space.
 */
export const SIGINFO_TIMER_SYS_PRIVATE = 32;

// ---------------------------------------------------------------------------
// timerfd (<linux/timerfd.h>, man 2 timerfd_create).

export const enum TfdFlag {
  TFD_TIMER_ABSTIME = 1,
  TFD_TIMER_CANCEL_ON_SET = 2,
  /** O_NONBLOCK. */
  TFD_NONBLOCK = 0o4000,
  /** O_CLOEXEC. */
  TFD_CLOEXEC = 0o2000000,
}

/** Flags timerfd_create accepts (TFD_CREATE_FLAGS); others are EINVAL. */
export const TFD_CREATE_FLAGS = TfdFlag.TFD_NONBLOCK | TfdFlag.TFD_CLOEXEC;
/** Flags timerfd_settime accepts (TFD_SETTIME_FLAGS); others are EINVAL. */
export const TFD_SETTIME_FLAGS = TfdFlag.TFD_TIMER_ABSTIME | TfdFlag.TFD_TIMER_CANCEL_ON_SET;
/** TFD_IOC_SET_TICKS = _IOW('T', 0, u64): sets the expiration count (checkpoint/restore). */
export const TFD_IOC_SET_TICKS = 0x40085400;
/** A read returns the expiration count as a u64. */
export const TIMERFD_TICKS_SIZE = 8;
