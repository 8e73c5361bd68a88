// Signals: <asm/signal.h>, <asm-generic/signal-defs.h>, <asm-generic/siginfo.h>;
// man 7 signal, man 2 rt_sigaction, man 2 sigprocmask, man 2 sigaltstack.

import { getU64, setI64, setU64, zero } from './time.js';

export const enum Signal {
  SIGHUP = 1,
  SIGINT = 2,
  SIGQUIT = 3,
  SIGILL = 4,
  SIGTRAP = 5,
  SIGABRT = 6,
  SIGIOT = 6,
  SIGBUS = 7,
  SIGFPE = 8,
  SIGKILL = 9,
  SIGUSR1 = 10,
  SIGSEGV = 11,
  SIGUSR2 = 12,
  SIGPIPE = 13,
  SIGALRM = 14,
  SIGTERM = 15,
  SIGSTKFLT = 16,
  SIGCHLD = 17,
  SIGCONT = 18,
  SIGSTOP = 19,
  SIGTSTP = 20,
  SIGTTIN = 21,
  SIGTTOU = 22,
  SIGURG = 23,
  SIGXCPU = 24,
  SIGXFSZ = 25,
  SIGVTALRM = 26,
  SIGPROF = 27,
  SIGWINCH = 28,
  SIGIO = 29,
  SIGPOLL = 29,
  SIGPWR = 30,
  SIGSYS = 31,
  /** The kernel's first real-time signal (glibc reserves 32 and 33 and reports 34). */
  SIGRTMIN = 32,
  SIGRTMAX = 64,
}

/** Number of signals (the kernel's _NSIG): valid signals are 1..NSIG. */
export const NSIG = 64;

/** Signal names indexed by number; 32 is SIGRTMIN, 33..64 are SIGRT_1..SIGRT_32 (as strace names them). */
export const SIGNAL_NAMES: readonly string[] = (() => {
  const n = [
    '', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE',
    'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT',
    'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU',
    'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS', 'SIGRTMIN',
  ];
  for (let s = 33; s <= NSIG; s++) n.push(`SIGRT_${s - 32}`);
  return n;
})();

/** Name of a signal number, or its decimal value if it is not one. */
export function signalName(sig: number): string {
  return sig >= 1 && sig <= NSIG ? SIGNAL_NAMES[sig] : String(sig);
}

/** sa_flags bits (x86-64 values). */
export const enum SaFlag {
  SA_NOCLDSTOP = 0x00000001,
  SA_NOCLDWAIT = 0x00000002,
  SA_SIGINFO = 0x00000004,
  /** Never set by the kernel: lets userspace probe for flag support. */
  SA_UNSUPPORTED = 0x00000400,
  SA_EXPOSE_TAGBITS = 0x00000800,
  SA_RESTORER = 0x04000000,
  SA_ONSTACK = 0x08000000,
  SA_RESTART = 0x10000000,
  SA_NODEFER = 0x40000000,
  SA_NOMASK = 0x40000000,
  /** 0x80000000: test with (flags & SA_RESETHAND) !== 0, the 32-bit AND is negative. */
  SA_RESETHAND = 0x80000000,
  SA_ONESHOT = 0x80000000,
}

/**
 * The sa_flags bits Linux keeps (UAPI_SA_FLAGS | SA_RESTORER on x86): since 5.11
 * rt_sigaction clears every other bit in both the new and the returned action.
 */
export const SA_KNOWN_FLAGS = 0xdc000807;

/** how of rt_sigprocmask(2). */
export const enum SigHow {
  SIG_BLOCK = 0,
  SIG_UNBLOCK = 1,
  SIG_SETMASK = 2,
}

/** Special sa_handler values. */
export const enum SigHandler {
  SIG_DFL = 0,
  SIG_IGN = 1,
  SIG_ERR = -1,
}

/** sigaltstack(2) ss_flags and sizes. */
export const enum SigStack {
  SS_ONSTACK = 1,
  SS_DISABLE = 2,
  /** 1 << 31 (<linux/signal.h>); compare with (flags & SS_AUTODISARM) !== 0. */
  SS_AUTODISARM = 0x80000000,
  MINSIGSTKSZ = 2048,
  SIGSTKSZ = 8192,
}

/** si_code values for signals sent by processes (<= 0) or the kernel. */
export const enum SiCode {
  SI_USER = 0,
  SI_KERNEL = 0x80,
  SI_QUEUE = -1,
  SI_TIMER = -2,
  SI_MESGQ = -3,
  SI_ASYNCIO = -4,
  SI_SIGIO = -5,
  SI_TKILL = -6,
  SI_DETHREAD = -7,
  SI_ASYNCNL = -60,
}

export const enum IllCode {
  ILL_ILLOPC = 1, ILL_ILLOPN = 2, ILL_ILLADR = 3, ILL_ILLTRP = 4,
  ILL_PRVOPC = 5, ILL_PRVREG = 6, ILL_COPROC = 7, ILL_BADSTK = 8, ILL_BADIADDR = 9,
}

export const enum FpeCode {
  FPE_INTDIV = 1, FPE_INTOVF = 2, FPE_FLTDIV = 3, FPE_FLTOVF = 4,
  FPE_FLTUND = 5, FPE_FLTRES = 6, FPE_FLTINV = 7, FPE_FLTSUB = 8, FPE_FLTUNK = 14, FPE_CONDTRAP = 15,
}

export const enum SegvCode {
  SEGV_MAPERR = 1, SEGV_ACCERR = 2, SEGV_BNDERR = 3, SEGV_PKUERR = 4,
}

export const enum BusCode {
  BUS_ADRALN = 1, BUS_ADRERR = 2, BUS_OBJERR = 3, BUS_MCEERR_AR = 4, BUS_MCEERR_AO = 5,
}

export const enum TrapCode {
  TRAP_BRKPT = 1, TRAP_TRACE = 2, TRAP_BRANCH = 3, TRAP_HWBKPT = 4, TRAP_UNK = 5, TRAP_PERF = 6,
}

export const enum CldCode {
  CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5, CLD_CONTINUED = 6,
}

export const enum PollCode {
  POLL_IN = 1, POLL_OUT = 2, POLL_MSG = 3, POLL_ERR = 4, POLL_PRI = 5, POLL_HUP = 6,
}

export const enum SysCode {
  SYS_SECCOMP = 1, SYS_USER_DISPATCH = 2,
}

/** sigev_notify of struct sigevent (timer_create, mq_notify). */
export const enum SigevNotify {
  SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2, SIGEV_THREAD_ID = 4,
}

// ---------------------------------------------------------------------------
// Default actions (man 7 signal, "Standard signals"). Real-time signals terminate.

export const enum DefaultAction {
  Term = 0,
  Core = 1,
  Ignore = 2,
  Stop = 3,
  Continue = 4,
}

const DEFAULT_ACTIONS: readonly DefaultAction[] = [
  DefaultAction.Term, // 0: unused
  DefaultAction.Term, // SIGHUP
  DefaultAction.Term, // SIGINT
  DefaultAction.Core, // SIGQUIT
  DefaultAction.Core, // SIGILL
  DefaultAction.Core, // SIGTRAP
  DefaultAction.Core, // SIGABRT
  DefaultAction.Core, // SIGBUS
  DefaultAction.Core, // SIGFPE
  DefaultAction.Term, // SIGKILL
  DefaultAction.Term, // SIGUSR1
  DefaultAction.Core, // SIGSEGV
  DefaultAction.Term, // SIGUSR2
  DefaultAction.Term, // SIGPIPE
  DefaultAction.Term, // SIGALRM
  DefaultAction.Term, // SIGTERM
  DefaultAction.Term, // SIGSTKFLT
  DefaultAction.Ignore, // SIGCHLD
  DefaultAction.Continue, // SIGCONT
  DefaultAction.Stop, // SIGSTOP
  DefaultAction.Stop, // SIGTSTP
  DefaultAction.Stop, // SIGTTIN
  DefaultAction.Stop, // SIGTTOU
  DefaultAction.Ignore, // SIGURG
  DefaultAction.Core, // SIGXCPU
  DefaultAction.Core, // SIGXFSZ
  DefaultAction.Term, // SIGVTALRM
  DefaultAction.Term, // SIGPROF
  DefaultAction.Ignore, // SIGWINCH
  DefaultAction.Term, // SIGIO
  DefaultAction.Term, // SIGPWR
  DefaultAction.Core, // SIGSYS
];

/** The default disposition of a valid signal (1..NSIG). */
export function defaultAction(sig: number): DefaultAction {
  return sig < Signal.SIGRTMIN ? DEFAULT_ACTIONS[sig] : DefaultAction.Term;
}

/** Signals that can be neither caught, blocked nor ignored. */
export function isUnblockable(sig: number): boolean {
  return sig === Signal.SIGKILL || sig === Signal.SIGSTOP;
}

/** SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU. */
export function isStopSignal(sig: number): boolean {
  return sig === Signal.SIGSTOP || sig === Signal.SIGTSTP || sig === Signal.SIGTTIN || sig === Signal.SIGTTOU;
}

// ---------------------------------------------------------------------------
// sigset_t: 64 bits, signal n is bit n-1, kept as two uint32 words so no bigint
// is involved. Methods mutate in place and never allocate.

export const SIGSET_SIZE = 8;

export class SigSet {
  /** Signals 1..32. */
  lo = 0;
  /** Signals 33..64. */
  hi = 0;

  constructor(lo = 0, hi = 0) {
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  has(sig: number): boolean {
    return sig <= 32 ? (this.lo & (1 << (sig - 1))) !== 0 : (this.hi & (1 << (sig - 33))) !== 0;
  }

  add(sig: number): this {
    if (sig <= 32) this.lo = (this.lo | (1 << (sig - 1))) >>> 0;
    else this.hi = (this.hi | (1 << (sig - 33))) >>> 0;
    return this;
  }

  del(sig: number): this {
    if (sig <= 32) this.lo = (this.lo & ~(1 << (sig - 1))) >>> 0;
    else this.hi = (this.hi & ~(1 << (sig - 33))) >>> 0;
    return this;
  }

  isEmpty(): boolean {
    return this.lo === 0 && this.hi === 0;
  }

  equals(o: SigSet): boolean {
    return this.lo === o.lo && this.hi === o.hi;
  }

  set(lo: number, hi: number): this {
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  copyFrom(o: SigSet): this {
    this.lo = o.lo;
    this.hi = o.hi;
    return this;
  }

  clear(): this {
    this.lo = 0;
    this.hi = 0;
    return this;
  }

  fill(): this {
    this.lo = 0xffffffff;
    this.hi = 0xffffffff;
    return this;
  }

  /** this |= o (SIG_BLOCK). */
  union(o: SigSet): this {
    this.lo = (this.lo | o.lo) >>> 0;
    this.hi = (this.hi | o.hi) >>> 0;
    return this;
  }

  /** this &= ~o (SIG_UNBLOCK). */
  subtract(o: SigSet): this {
    this.lo = (this.lo & ~o.lo) >>> 0;
    this.hi = (this.hi & ~o.hi) >>> 0;
    return this;
  }

  /** this &= o. */
  intersect(o: SigSet): this {
    this.lo = (this.lo & o.lo) >>> 0;
    this.hi = (this.hi & o.hi) >>> 0;
    return this;
  }

  /** True if some signal is in both sets (pending & ~blocked checks). */
  intersects(o: SigSet): boolean {
    return (this.lo & o.lo) !== 0 || (this.hi & o.hi) !== 0;
  }

  /** True if some signal of this set is not in o (e.g. pending and not blocked). */
  hasOutside(o: SigSet): boolean {
    return (this.lo & ~o.lo) !== 0 || (this.hi & ~o.hi) !== 0;
  }

  /**
   * Drops SIGKILL and SIGSTOP: man 2 sigprocmask, "It is not possible to block
   * SIGKILL or SIGSTOP. Attempts to do so are silently ignored." Also applies
   * to sa_mask and the masks of rt_sigsuspend, ppoll, pselect6, epoll_pwait.
   */
  removeUnblockable(): this {
    this.lo = (this.lo & ~((1 << (Signal.SIGKILL - 1)) | (1 << (Signal.SIGSTOP - 1)))) >>> 0;
    return this;
  }

  /** Lowest signal number in the set, or 0 if empty. */
  lowest(): number {
    if (this.lo !== 0) return 32 - Math.clz32(this.lo & -this.lo);
    if (this.hi !== 0) return 64 - Math.clz32(this.hi & -this.hi);
    return 0;
  }

  /** Lowest signal in this set and not in `exclude` (e.g. pending & ~blocked), or 0. */
  lowestOutside(exclude: SigSet): number {
    const lo = this.lo & ~exclude.lo;
    if (lo !== 0) return 32 - Math.clz32(lo & -lo);
    const hi = this.hi & ~exclude.hi;
    if (hi !== 0) return 64 - Math.clz32(hi & -hi);
    return 0;
  }

  read(dv: DataView, off: number): this {
    this.lo = dv.getUint32(off, true);
    this.hi = dv.getUint32(off + 4, true);
    return this;
  }

  write(dv: DataView, off: number): void {
    dv.setUint32(off, this.lo, true);
    dv.setUint32(off + 4, this.hi, true);
  }
}

// ---------------------------------------------------------------------------
// The kernel's struct sigaction for rt_sigaction(2) on x86-64 (not glibc's):
//   sa_handler @0 (8), sa_flags @8 (unsigned long), sa_restorer @16 (8), sa_mask @24 (8).
// rt_sigaction's sigsetsize argument must be 8 (else EINVAL).

export const SIGACTION_SIZE = 32;

export const enum SigactionOffset {
  HANDLER = 0,
  FLAGS = 8,
  RESTORER = 16,
  MASK = 24,
}

/** Decoded kernel sigaction; a caller-owned object reused across calls. */
export interface KSigaction {
  /** SIG_DFL (0), SIG_IGN (1) or a user address (exact below 2^53). */
  handler: number;
  /** The low 32 bits of sa_flags; the high half holds no defined flag on x86-64. */
  flags: number;
  restorer: number;
  mask: SigSet;
}

export function decodeSigaction(dv: DataView, off: number, out: KSigaction): KSigaction {
  out.handler = getU64(dv, off + SigactionOffset.HANDLER);
  out.flags = dv.getUint32(off + SigactionOffset.FLAGS, true);
  out.restorer = getU64(dv, off + SigactionOffset.RESTORER);
  out.mask.read(dv, off + SigactionOffset.MASK);
  return out;
}

export function encodeSigaction(dv: DataView, off: number, a: KSigaction): void {
  setU64(dv, off + SigactionOffset.HANDLER, a.handler);
  setU64(dv, off + SigactionOffset.FLAGS, a.flags >>> 0);
  setU64(dv, off + SigactionOffset.RESTORER, a.restorer);
  a.mask.write(dv, off + SigactionOffset.MASK);
}

// ---------------------------------------------------------------------------
// stack_t for sigaltstack(2): ss_sp @0 (8), ss_flags @8 (int), ss_size @16 (8). 24 bytes.

export const STACK_T_SIZE = 24;

export interface StackT {
  sp: number;
  flags: number;
  size: number;
}

export function decodeStackT(dv: DataView, off: number, out: StackT): StackT {
  out.sp = getU64(dv, off);
  out.flags = dv.getInt32(off + 8, true);
  out.size = getU64(dv, off + 16);
  return out;
}

export function encodeStackT(dv: DataView, off: number, sp: number, flags: number, size: number): void {
  setU64(dv, off, sp);
  dv.setInt32(off + 8, flags, true);
  dv.setInt32(off + 12, 0, true);
  setU64(dv, off + 16, size);
}

// ---------------------------------------------------------------------------
// siginfo_t: 128 bytes. si_signo @0, si_errno @4, si_code @8, then the union
// at 16 (8-aligned because it holds pointers). Each writer zeroes all 128
// bytes first, so no stale kernel data reaches the guest.

export const SIGINFO_SIZE = 128;

export const enum SiginfoOffset {
  SIGNO = 0,
  ERRNO = 4,
  CODE = 8,
  /** kill, rt, sigchld: pid_t si_pid; timer: int si_tid. */
  PID = 16,
  /** kill, rt, sigchld: uid_t si_uid; timer: int si_overrun. */
  UID = 20,
  TIMERID = 16,
  OVERRUN = 20,
  /** rt, timer: sigval_t si_value (8 bytes). */
  VALUE = 24,
  /** sigchld: int si_status; clock_t si_utime, si_stime. */
  STATUS = 24,
  UTIME = 32,
  STIME = 40,
  /** sigfault: void *si_addr; short si_addr_lsb; si_lower/si_upper; u32 si_pkey. */
  ADDR = 16,
  ADDR_LSB = 24,
  LOWER = 32,
  UPPER = 40,
  PKEY = 32,
  /** sigpoll: long si_band; int si_fd. */
  BAND = 16,
  FD = 24,
  /** sigsys: void *si_call_addr; int si_syscall; unsigned si_arch. */
  CALL_ADDR = 16,
  SYSCALL = 24,
  ARCH = 28,
}

function siginfoHead(dv: DataView, off: number, signo: number, code: number, errno: number): void {
  zero(dv, off, SIGINFO_SIZE);
  dv.setInt32(off + SiginfoOffset.SIGNO, signo, true);
  dv.setInt32(off + SiginfoOffset.ERRNO, errno, true);
  dv.setInt32(off + SiginfoOffset.CODE, code, true);
}

/** kill(2), tkill, tgkill (SI_USER, SI_TKILL) and kernel-sent signals (SI_KERNEL). */
export function encodeSiginfoKill(dv: DataView, off: number, signo: number, code: number, pid: number, uid: number): void {
  siginfoHead(dv, off, signo, code, 0);
  dv.setInt32(off + SiginfoOffset.PID, pid, true);
  dv.setUint32(off + SiginfoOffset.UID, uid >>> 0, true);
}

/** sigqueue / rt_sigqueueinfo (SI_QUEUE) and mq_notify (SI_MESGQ): pid, uid, sigval. */
export function encodeSiginfoRt(
  dv: DataView, off: number, signo: number, code: number, pid: number, uid: number, value: number,
): void {
  siginfoHead(dv, off, signo, code, 0);
  dv.setInt32(off + SiginfoOffset.PID, pid, true);
  dv.setUint32(off + SiginfoOffset.UID, uid >>> 0, true);
  setU64(dv, off + SiginfoOffset.VALUE, value);
}

/** POSIX timer expiry (SI_TIMER): timer id, overrun count, sigev_value. */
export function encodeSiginfoTimer(
  dv: DataView, off: number, signo: number, timerId: number, overrun: number, value: number,
): void {
  siginfoHead(dv, off, signo, SiCode.SI_TIMER, 0);
  dv.setInt32(off + SiginfoOffset.TIMERID, timerId, true);
  dv.setInt32(off + SiginfoOffset.OVERRUN, overrun, true);
  setU64(dv, off + SiginfoOffset.VALUE, value);
}

/**
 * SIGCHLD (man 2 sigaction): code is a CLD_* value; status is the exit code for
 * CLD_EXITED and the signal number otherwise; utime/stime are in clock ticks.
 */
export function encodeSiginfoChld(
  dv: DataView, off: number, code: number, pid: number, uid: number, status: number, utime: number, stime: number,
): void {
  siginfoHead(dv, off, Signal.SIGCHLD, code, 0);
  dv.setInt32(off + SiginfoOffset.PID, pid, true);
  dv.setUint32(off + SiginfoOffset.UID, uid >>> 0, true);
  dv.setInt32(off + SiginfoOffset.STATUS, status, true);
  setI64(dv, off + SiginfoOffset.UTIME, utime);
  setI64(dv, off + SiginfoOffset.STIME, stime);
}

/** SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP: the faulting address (exact below 2^53). */
export function encodeSiginfoFault(dv: DataView, off: number, signo: number, code: number, addr: number): void {
  siginfoHead(dv, off, signo, code, 0);
  setU64(dv, off + SiginfoOffset.ADDR, addr);
}

/** SIGIO / SIGPOLL for F_SETSIG: band is the poll event mask, fd the descriptor. */
export function encodeSiginfoPoll(dv: DataView, off: number, signo: number, code: number, band: number, fd: number): void {
  siginfoHead(dv, off, signo, code, 0);
  setI64(dv, off + SiginfoOffset.BAND, band);
  dv.setInt32(off + SiginfoOffset.FD, fd, true);
}

/** SIGSYS from seccomp (SYS_SECCOMP): errno carries the filter's SECCOMP_RET_DATA. */
export function encodeSiginfoSys(
  dv: DataView, off: number, callAddr: number, syscall: number, arch: number, errno: number,
): void {
  siginfoHead(dv, off, Signal.SIGSYS, SysCode.SYS_SECCOMP, errno);
  setU64(dv, off + SiginfoOffset.CALL_ADDR, callAddr);
  dv.setInt32(off + SiginfoOffset.SYSCALL, syscall, true);
  dv.setUint32(off + SiginfoOffset.ARCH, arch >>> 0, true);
}
