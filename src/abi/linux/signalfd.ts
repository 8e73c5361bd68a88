// signalfd(2): struct signalfd_siginfo (<linux/signalfd.h>), 128 bytes, and its flags.
import { getU64, setU64 } from './time.js';
import { CldCode, Signal, SiginfoOffset } from './signal.js';

export const SIGNALFD_SIGINFO_SIZE = 128;

export const enum SfdFlag {
  SFD_CLOEXEC = 0o2000000,
  SFD_NONBLOCK = 0o4000,
}

export const enum SignalfdSiginfoOffset {
  SIGNO = 0,
  ERRNO = 4,
  CODE = 8,
  PID = 12,
  UID = 16,
  FD = 20,
  TID = 24,
  BAND = 28,
  OVERRUN = 32,
  TRAPNO = 36,
  STATUS = 40,
  INT = 44,
  PTR = 48,
  UTIME = 56,
  STIME = 64,
  ADDR = 72,
  ADDR_LSB = 80,
}

const SI_TIMER = -2;
const SI_QUEUE = -1;
const SI_MESGQ = -3;

function isFault(sig: number): boolean {
  return sig === Signal.SIGSEGV || sig === Signal.SIGBUS || sig === Signal.SIGILL || sig === Signal.SIGFPE || sig === Signal.SIGTRAP;
}

/**
 * signalfd_copyinfo: the fields of a kernel siginfo (src) that its layout
 * has, moved to a signalfd_siginfo (dst); everything else zero.
 */
export function encodeSignalfdSiginfo(src: DataView, so: number, dst: DataView, d: number): void {
  for (let i = 0; i < SIGNALFD_SIGINFO_SIZE; i += 4) dst.setUint32(d + i, 0, true);
  const signo = src.getInt32(so + SiginfoOffset.SIGNO, true);
  const code = src.getInt32(so + SiginfoOffset.CODE, true);
  dst.setUint32(d + SignalfdSiginfoOffset.SIGNO, signo >>> 0, true);
  dst.setInt32(d + SignalfdSiginfoOffset.ERRNO, src.getInt32(so + SiginfoOffset.ERRNO, true), true);
  dst.setInt32(d + SignalfdSiginfoOffset.CODE, code, true);
  if (code === SI_TIMER) {
    dst.setUint32(d + SignalfdSiginfoOffset.TID, src.getUint32(so + SiginfoOffset.TIMERID, true), true);
    dst.setUint32(d + SignalfdSiginfoOffset.OVERRUN, src.getUint32(so + SiginfoOffset.OVERRUN, true), true);
    dst.setInt32(d + SignalfdSiginfoOffset.INT, src.getInt32(so + SiginfoOffset.VALUE, true), true);
    setU64(dst, d + SignalfdSiginfoOffset.PTR, getU64(src, so + SiginfoOffset.VALUE));
    return;
  }
  if (code > 0 && isFault(signo)) {
    setU64(dst, d + SignalfdSiginfoOffset.ADDR, getU64(src, so + SiginfoOffset.ADDR));
    return;
  }
  if (code > 0 && signo === Signal.SIGCHLD && code >= CldCode.CLD_EXITED && code <= CldCode.CLD_CONTINUED) {
    dst.setUint32(d + SignalfdSiginfoOffset.PID, src.getUint32(so + SiginfoOffset.PID, true), true);
    dst.setUint32(d + SignalfdSiginfoOffset.UID, src.getUint32(so + SiginfoOffset.UID, true), true);
    dst.setInt32(d + SignalfdSiginfoOffset.STATUS, src.getInt32(so + SiginfoOffset.STATUS, true), true);
    setU64(dst, d + SignalfdSiginfoOffset.UTIME, getU64(src, so + SiginfoOffset.UTIME));
    setU64(dst, d + SignalfdSiginfoOffset.STIME, getU64(src, so + SiginfoOffset.STIME));
    return;
  }
  if (code > 0 && signo === Signal.SIGIO) {
    dst.setUint32(d + SignalfdSiginfoOffset.BAND, getU64(src, so + SiginfoOffset.BAND) >>> 0, true);
    dst.setInt32(d + SignalfdSiginfoOffset.FD, src.getInt32(so + SiginfoOffset.FD, true), true);
    return;
  }
  // kill, tkill, sigqueue, the kernel: pid and uid (and the value for queued ones).
  dst.setUint32(d + SignalfdSiginfoOffset.PID, src.getUint32(so + SiginfoOffset.PID, true), true);
  dst.setUint32(d + SignalfdSiginfoOffset.UID, src.getUint32(so + SiginfoOffset.UID, true), true);
  if (code === SI_QUEUE || code === SI_MESGQ || code < -3) {
    dst.setInt32(d + SignalfdSiginfoOffset.INT, src.getInt32(so + SiginfoOffset.VALUE, true), true);
    setU64(dst, d + SignalfdSiginfoOffset.PTR, getU64(src, so + SiginfoOffset.VALUE));
  }
}
