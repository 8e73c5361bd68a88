// Signal generation and delivery (man 7 signal; Linux kernel/signal.c and
// arch/x86/kernel/signal.c): queuing on a thread or the process, choosing
// the thread that takes a process signal, waking it, default actions
// (terminate, core, stop, continue, ignore), job control, and running
// handlers: the rt_sigframe built on the guest stack (or alternate stack)
// and rt_sigreturn restoring from it. Syscall restart (ERESTART*) is decided
// here, when a handler is (or is not) about to run.
import { Rlimit } from '../abi/linux/rlimit.js';
import { Errno } from '../abi/linux/errno.js';
import { Capability } from '../abi/linux/capability.js';
import {
  CldCode, DefaultAction, defaultAction, encodeSiginfoChld, encodeSiginfoFault, encodeSiginfoKill, isStopSignal, SaFlag, SiCode,
  Signal, SIGINFO_SIZE, signalName, SigStack,
} from '../abi/linux/signal.js';
import {
  FIX_EFLAGS, FP_XSTATE_MAGIC1, FP_XSTATE_MAGIC2, FP_XSTATE_MAGIC2_SIZE, FPX_SW_BYTES_OFFSET, FXSAVE_SIZE, HANDLER_CLEAR_EFLAGS, RED_ZONE,
  RT_SIGFRAME_SIZE, RtSigframeOffset, SIGCONTEXT_REGS, SigcontextOffset, UcFlag, UcontextOffset,
} from '../abi/linux/sigframe.js';
import { getU64, setU64 } from '../abi/linux/time.js';
import { Reg } from '../platform/platform.js';
import { getReg, setReg } from '../syscalls/args.js';
import type { Kernel } from './kernel.js';
import { initFpState, resetFpState } from './fpu.js';
import { sigalrmDequeued, timerSignalDelivered } from './timers.js';
import { interruptPipeWait } from '../fs/pipe/hooks.js';
import { newSiginfo, type SigQueue } from './sigqueue.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';

const SIG_DFL = 0;
const SIG_IGN = 1;
/** SIGKILL and SIGSTOP can be neither blocked nor caught. */
const UNBLOCKABLE_LO = (1 << (Signal.SIGKILL - 1)) | (1 << (Signal.SIGSTOP - 1));
/** Synchronous signals are dequeued first (SYNCHRONOUS_MASK): SEGV, BUS, ILL, TRAP, FPE, SYS. */
const SYNCHRONOUS = [Signal.SIGSEGV, Signal.SIGBUS, Signal.SIGILL, Signal.SIGTRAP, Signal.SIGFPE, Signal.SIGSYS];
const NR_RESTART_SYSCALL = 219;
/** The `syscall` instruction's length: a restart re-executes it. */
const SYSCALL_INSN = 2;

const bit = (sig: number): number => 1 << ((sig - 1) & 31);

export function isBlocked(t: Task, sig: number): boolean {
  return ((sig <= 32 ? t.sigmaskLo : t.sigmaskHi) & bit(sig)) !== 0;
}

/** Sets t's blocked mask (never SIGKILL or SIGSTOP). */
export function setMask(t: Task, lo: number, hi: number): void {
  t.sigmaskLo = (lo & ~UNBLOCKABLE_LO) >>> 0;
  t.sigmaskHi = hi >>> 0;
}

/** Signals pending for t (its own and its process's) that its mask lets through. */
function deliverable(t: Task): boolean {
  const s = t.tg.sharedPending;
  return ((t.pending.lo | s.lo) & ~t.sigmaskLo) !== 0 || ((t.pending.hi | s.hi) & ~t.sigmaskHi) !== 0;
}

/** True if t has signal work before it may return to the guest: a cheap test for the resume path. */
export function hasSignalWork(t: Task): boolean {
  return t.tg.stopped || deliverable(t);
}

// --- sending ----------------------------------------------------------------------------------

/** sig_ignored: the action ignores sig (SIG_IGN, or SIG_DFL whose default ignores it) and t does not block it. */
function ignored(tg: ThreadGroup, sig: number, t: Task | undefined): boolean {
  if (t !== undefined && isBlocked(t, sig)) return false;
  const h = tg.sigactions.get(sig).handler;
  if (h === SIG_IGN) return true;
  if (h !== SIG_DFL) return false;
  const d = defaultAction(sig);
  return d === DefaultAction.Ignore || d === DefaultAction.Continue;
}

function wantsSignal(t: Task, sig: number): boolean {
  if (t.exited) return false;
  if (sig === Signal.SIGKILL) return true;
  // A stopped process takes nothing but SIGKILL until SIGCONT (the signal stays pending).
  if (t.tg.stopped) return false;
  return !isBlocked(t, sig);
}

/**
 * kill_ok_by_cred: the sender may signal the process: CAP_KILL, or its real or
 * effective UID is the target's real or saved UID (the target's leader, or a
 * zombie's last real UID).
 */
export function maySignal(sender: Task, target: ThreadGroup): boolean {
  const c = sender.creds;
  if (c.hasCapability(Capability.CAP_KILL)) return true;
  const t = target.leader && !target.leader.exited ? target.leader : target.tasks.values().next().value;
  if (t === undefined) return c.uid === target.exitUid || c.euid === target.exitUid;
  const d = t.creds;
  return c.euid === d.suid || c.euid === d.uid || c.uid === d.suid || c.uid === d.uid;
}

/** A task is running guest code, blocked, or between the two: make it look at its signals soon. */
export function signalWake(t: Task): void {
  if (t.interrupt(-Errno.ERESTARTSYS)) return;
  if (interruptPipeWait(t, -Errno.ERESTARTSYS)) return;
  if (t.inGuest && !t.exited) t.ctx.interrupt();
}

/** The siginfo of a signal sent by task `from` with kill(2) (SI_USER) or tkill (SI_TKILL); by the kernel if from is null. */
export function userSiginfo(sig: number, code: number, from: Task | null): Uint8Array {
  const info = newSiginfo();
  const dv = new DataView(info.buffer);
  encodeSiginfoKill(dv, 0, sig, from ? code : SiCode.SI_KERNEL, from ? from.tg.pid : 0, from ? from.creds.uid : 0);
  return info;
}

/**
 * Generates sig for process tg, or for one of its threads. info is the
 * 128-byte siginfo (default: sent by the kernel, SI_KERNEL). Returns 0, or
 * -EAGAIN when a real-time signal cannot be queued (RLIMIT_SIGPENDING).
 */
export function sendSignal(k: Kernel, tg: ThreadGroup, sig: number, thread?: Task, info?: Uint8Array): number {
  if (sig <= 0 || sig > 64 || tg.zombie || tg.exiting) return 0;
  // prepare_signal: a stop signal cancels a pending SIGCONT and SIGCONT cancels pending stops (and resumes).
  if (isStopSignal(sig)) {
    tg.sharedPending.remove(Signal.SIGCONT);
    for (const t of tg.tasks) t.pending.remove(Signal.SIGCONT);
  } else if (sig === Signal.SIGCONT) {
    for (const s of [Signal.SIGSTOP, Signal.SIGTSTP, Signal.SIGTTIN, Signal.SIGTTOU]) {
      tg.sharedPending.remove(s);
      for (const t of tg.tasks) t.pending.remove(s);
    }
  }
  // SIGCONT resumes a stopped process even when it is ignored; it is queued
  // first, so that threads resumed in a syscall see it (and a handler runs).
  const resume = sig === Signal.SIGCONT && tg.stopped;
  let r = 0;
  if (sig === Signal.SIGKILL || !ignored(tg, sig, thread ?? leaderOf(tg))) {
    const q: SigQueue = thread ? thread.pending : tg.sharedPending;
    if (sig >= 32 && q.items.length >= Math.min(tg.limits.get(Rlimit.RLIMIT_SIGPENDING).cur, 1 << 20)) r = -Errno.EAGAIN;
    else if (q.add(sig, info ?? userSiginfo(sig, SiCode.SI_KERNEL, null))) {
      // signalfd readers and pollers hear of every queued signal (signalfd_notify).
      for (const l of [...tg.signalListeners]) l();
      if (!resume) completeSignal(k, tg, sig, thread);
    }
  }
  if (resume) continueGroup(k, tg);
  return r;
}

function leaderOf(tg: ThreadGroup): Task | undefined {
  if (tg.leader && !tg.leader.exited) return tg.leader;
  for (const t of tg.tasks) if (!t.exited) return t;
  return undefined;
}

/** complete_signal: find a thread to take it; a fatal default action kills the whole process at once. */
function completeSignal(k: Kernel, tg: ThreadGroup, sig: number, thread: Task | undefined): void {
  let target: Task | undefined;
  if (thread) {
    if (wantsSignal(thread, sig)) target = thread;
  } else {
    const l = leaderOf(tg);
    if (l && wantsSignal(l, sig)) target = l;
    else for (const t of tg.tasks) if (wantsSignal(t, sig)) { target = t; break; }
  }
  if (target === undefined) return;
  const act = tg.sigactions.get(sig);
  const d = defaultAction(sig);
  const waited = ((sig <= 32 ? target.sigwaitLo : target.sigwaitHi) & bit(sig)) !== 0;
  if (sig === Signal.SIGKILL || (!waited && act.handler === SIG_DFL && (d === DefaultAction.Term || d === DefaultAction.Core))) {
    // Fatal: every thread goes now (the signal need not wait to be dequeued).
    k.killGroup(tg, sig);
    return;
  }
  signalWake(target);
}

// --- job control ------------------------------------------------------------------------------

/** do_signal_stop: the whole process stops; its parent hears of it (wait WUNTRACED, SIGCHLD CLD_STOPPED). */
function groupStop(k: Kernel, tg: ThreadGroup, sig: number): void {
  if (tg.stopped) return;
  tg.stopped = true;
  tg.stopSig = sig;
  tg.stopUnreported = true;
  tg.continuedUnreported = false;
  for (const t of tg.tasks) if (t.inGuest) t.ctx.interrupt();
  notifyParentStop(k, tg, CldCode.CLD_STOPPED, sig);
}

function continueGroup(k: Kernel, tg: ThreadGroup): void {
  tg.stopped = false;
  tg.stopUnreported = false;
  tg.continuedUnreported = true;
  const waiting = [...tg.stoppedTasks];
  tg.stoppedTasks.clear();
  for (const t of waiting) if (!t.exited) k.resumeTask(t);
  notifyParentStop(k, tg, CldCode.CLD_CONTINUED, Signal.SIGCONT);
}

function notifyParentStop(k: Kernel, tg: ThreadGroup, code: number, status: number): void {
  const parent = tg.parent;
  if (!parent || parent.zombie) return;
  parent.notifyWaiters();
  if (parent.sigactions.get(Signal.SIGCHLD).flags & SaFlag.SA_NOCLDSTOP) return;
  sendSignal(k, parent, Signal.SIGCHLD, undefined, chldInfo(tg, code, status));
}

/** The SIGCHLD a parent gets when tg exits (do_notify_parent). */
export function notifyParentExit(k: Kernel, tg: ThreadGroup): void {
  const parent = tg.parent;
  if (!parent || parent.zombie || tg.exitSignal === 0) return;
  const s = tg.exitStatus ?? 0;
  const sig = s & 0x7f;
  const code = sig === 0 ? CldCode.CLD_EXITED : s & 0x80 ? CldCode.CLD_DUMPED : CldCode.CLD_KILLED;
  sendSignal(k, parent, tg.exitSignal, undefined, chldInfo(tg, code, sig === 0 ? (s >> 8) & 0xff : sig));
}

function chldInfo(tg: ThreadGroup, code: number, status: number): Uint8Array {
  const info = newSiginfo();
  const u = tg.usage;
  encodeSiginfoChld(new DataView(info.buffer), 0, code, tg.pid, tg.exitUid, status, u ? Math.floor(u.utimeUs / 1e4) : 0, u ? Math.floor(u.stimeUs / 1e4) : 0);
  return info;
}

// --- faults -----------------------------------------------------------------------------------

/**
 * force_sig_fault: a synchronous signal from the thread's own instruction. A
 * blocked or ignored one cannot be put off: its action becomes SIG_DFL (and
 * it is unblocked), so the process dies unless a handler takes it.
 */
export function forceSignal(t: Task, sig: number, code: number, addr: number, trapno = 0, err = 0): void {
  const tg = t.tg;
  const act = tg.sigactions.get(sig);
  const blocked = isBlocked(t, sig);
  if (blocked || act.handler === SIG_IGN) {
    tg.sigactions.set(sig, { ...act, handler: SIG_DFL });
    if (blocked) {
      if (sig <= 32) t.sigmaskLo &= ~bit(sig);
      else t.sigmaskHi &= ~bit(sig);
    }
  }
  const info = newSiginfo();
  encodeSiginfoFault(new DataView(info.buffer), 0, sig, code, addr);
  t.faultTrapno = trapno;
  t.faultErr = err;
  t.faultAddr = addr;
  t.pending.remove(sig);
  t.pending.add(sig, info);
}

// --- delivery ---------------------------------------------------------------------------------

/**
 * dequeue_signal: the next signal t takes: its own before its process's;
 * synchronous ones first, then by number. A POSIX timer's signal goes
 * through its timer (which rearms a periodic one and counts overruns, or
 * drops a stale signal); SIGALRM leaving the process rearms ITIMER_REAL.
 */
function dequeue(t: Task, out: { sig: number; info: Uint8Array | undefined }): boolean {
  for (;;) {
    if (!dequeueOne(t, out)) return false;
    const info = out.info;
    if (info !== undefined && new DataView(info.buffer, info.byteOffset).getInt32(8, true) === SiCode.SI_TIMER) {
      if (!timerSignalDelivered(t.tg, info)) continue;
    }
    if (out.sig === Signal.SIGALRM && fromShared) sigalrmDequeued(t.tg);
    return true;
  }
}

let fromShared = false;

function dequeueOne(t: Task, out: { sig: number; info: Uint8Array | undefined }): boolean {
  for (const q of [t.pending, t.tg.sharedPending]) {
    fromShared = q === t.tg.sharedPending;
    const lo = q.lo & ~t.sigmaskLo;
    const hi = q.hi & ~t.sigmaskHi;
    if ((lo | hi) === 0) continue;
    let sig = 0;
    for (const s of SYNCHRONOUS) if (lo & bit(s)) { sig = s; break; }
    if (sig === 0) sig = lo !== 0 ? 31 - Math.clz32(lo & -lo) + 1 : 32 + 31 - Math.clz32(hi & -hi) + 1;
    out.sig = sig;
    out.info = q.take(sig);
    return true;
  }
  return false;
}

const next = { sig: 0, info: undefined as Uint8Array | undefined };

/** Takes a pending signal of the set (lo, hi) for rt_sigtimedwait and signalfd, blocked or not; false if none. */
export function takeSignal(t: Task, lo: number, hi: number, out: { sig: number; info: Uint8Array | undefined }): boolean {
  const saveLo = t.sigmaskLo;
  const saveHi = t.sigmaskHi;
  t.sigmaskLo = ~lo >>> 0;
  t.sigmaskHi = ~hi >>> 0;
  const got = dequeue(t, out);
  t.sigmaskLo = saveLo;
  t.sigmaskHi = saveHi;
  if (got && out.info === undefined) out.info = userSiginfo(out.sig, SiCode.SI_KERNEL, null);
  return got;
}

/**
 * What happens between the kernel and the guest (exit_to_user_mode): a
 * stopped process keeps the thread; pending signals are taken in order:
 * ignored ones dropped, default actions carried out, handlers set up (one
 * frame each, nested); then an interrupted syscall is restarted or fails
 * with EINTR. Returns false if the task must not run now (it died or stopped).
 */
export function beforeResume(k: Kernel, t: Task): boolean {
  const tg = t.tg;
  const regs = t.regs;
  let restart = 0;
  if (t.syscallReturn) {
    t.syscallReturn = false;
    if (regs[Reg.RAX * 2 + 1] === 0xffffffff) {
      const r = regs[Reg.RAX * 2] | 0;
      if (r === -Errno.ERESTARTSYS || r === -Errno.ERESTARTNOINTR || r === -Errno.ERESTARTNOHAND || r === -Errno.ERESTART_RESTARTBLOCK) restart = -r;
    }
  }
  let handled = false;
  while (!tg.exiting && !t.exited) {
    if (tg.stopped) {
      // Parked until SIGCONT; the syscall result and restart state stay in the registers.
      if (restart !== 0) t.syscallReturn = true;
      tg.stoppedTasks.add(t);
      return false;
    }
    if (!deliverable(t) || !dequeue(t, next)) break;
    const sig = next.sig;
    const info = next.info ?? userSiginfo(sig, SiCode.SI_KERNEL, null);
    const act = tg.sigactions.get(sig);
    if (act.handler === SIG_IGN && sig !== Signal.SIGKILL) continue;
    if (act.handler === SIG_DFL || sig === Signal.SIGKILL || sig === Signal.SIGSTOP) {
      const d = defaultAction(sig);
      if (d === DefaultAction.Ignore || d === DefaultAction.Continue) continue;
      if (d === DefaultAction.Stop) {
        groupStop(k, tg, sig);
        continue;
      }
      if (sig === Signal.SIGSEGV || sig === Signal.SIGBUS || sig === Signal.SIGILL || sig === Signal.SIGFPE || sig === Signal.SIGTRAP) {
        const code = new DataView(info.buffer, info.byteOffset).getInt32(8, true);
        k.log.warn(`pid ${tg.pid} tid ${t.tid}: ${signalName(sig)} (code ${code}) at 0x${t.faultAddr.toString(16)}, rip 0x${getReg(regs, Reg.RIP).toString(16)}: killed`);
      }
      k.killGroup(tg, sig);
      return false;
    }
    // A handler: first settle the interrupted syscall (handle_signal).
    if (restart !== 0) {
      const again = restart === Errno.ERESTARTNOINTR || (restart === Errno.ERESTARTSYS && (act.flags & SaFlag.SA_RESTART) !== 0);
      if (again) restartSyscall(regs);
      else setReg(regs, Reg.RAX, -Errno.EINTR);
      restart = 0;
    }
    if (!setupFrame(k, t, sig, info)) {
      // The frame could not be written (bad stack): force_sigsegv. A SIGSEGV
      // handler that cannot be entered is reset, so the next one kills.
      if (sig === Signal.SIGSEGV) tg.sigactions.set(Signal.SIGSEGV, { ...tg.sigactions.get(Signal.SIGSEGV), handler: SIG_DFL });
      forceSignal(t, Signal.SIGSEGV, SiCode.SI_KERNEL, 0);
      continue;
    }
    handled = true;
    if (act.flags & SaFlag.SA_RESETHAND) tg.sigactions.set(sig, { ...act, handler: SIG_DFL });
    let lo = t.sigmaskLo | act.maskLo;
    let hi = t.sigmaskHi | act.maskHi;
    if (!(act.flags & SaFlag.SA_NODEFER)) {
      if (sig <= 32) lo |= bit(sig);
      else hi |= bit(sig);
    }
    setMask(t, lo, hi);
  }
  if (tg.exiting || t.exited) return false;
  if (restart !== 0) {
    // No handler ran: the call is made again (restart_syscall for a restart block).
    if (restart === Errno.ERESTART_RESTARTBLOCK) {
      setReg(regs, Reg.RAX, NR_RESTART_SYSCALL);
      setReg(regs, Reg.RIP, getReg(regs, Reg.RIP) - SYSCALL_INSN);
    } else {
      restartSyscall(regs);
    }
  }
  if (!handled && t.hasSavedMask) {
    t.hasSavedMask = false;
    setMask(t, t.savedMaskLo, t.savedMaskHi);
  }
  return true;
}

function restartSyscall(regs: Uint32Array): void {
  regs[Reg.RAX * 2] = regs[Reg.ORIG_RAX * 2];
  regs[Reg.RAX * 2 + 1] = regs[Reg.ORIG_RAX * 2 + 1];
  setReg(regs, Reg.RIP, getReg(regs, Reg.RIP) - SYSCALL_INSN);
}

// --- the frame --------------------------------------------------------------------------------

function onAltStack(t: Task, sp: number): boolean {
  if ((t.altFlags & SigStack.SS_AUTODISARM) !== 0) return false;
  return sp > t.altSp && sp - t.altSp <= t.altSize;
}

/** sas_ss_flags: SS_DISABLE without an alternate stack, SS_ONSTACK while on it, else 0. */
export function altStackFlags(t: Task, sp: number): number {
  if (t.altSize === 0) return SigStack.SS_DISABLE;
  return onAltStack(t, sp) ? SigStack.SS_ONSTACK : 0;
}

const frame = new Uint8Array(RT_SIGFRAME_SIZE);
const frameView = new DataView(frame.buffer);

/**
 * setup_rt_frame: the FP state, then the rt_sigframe below it, on the
 * current stack past the red zone, or on the alternate stack (SA_ONSTACK);
 * registers set to enter the handler. False if the frame cannot be written.
 */
function setupFrame(k: Kernel, t: Task, sig: number, info: Uint8Array): boolean {
  const tg = t.tg;
  const mm = tg.mm;
  const regs = t.regs;
  const act = tg.sigactions.get(sig);
  const oldSp = getReg(regs, Reg.RSP);
  const wasOnStack = onAltStack(t, oldSp);
  let sp = oldSp - RED_ZONE;
  let entering = false;
  if (act.flags & SaFlag.SA_ONSTACK && altStackFlags(t, sp) === 0) {
    sp = t.altSp + t.altSize;
    entering = true;
  }
  // The FP state (XSAVE layout as ptrace gives it, with the magic words signal frames carry).
  const ctx = t.ctx;
  const fpSize = ctx.fetchFpState();
  if (fpSize < FXSAVE_SIZE) return false;
  const fp = ctx.fpState;
  const fpView = new DataView(fp.buffer, fp.byteOffset, fp.byteLength);
  const xfeatures = getU64(fpView, FPX_SW_BYTES_OFFSET);
  fpView.setUint32(FPX_SW_BYTES_OFFSET, FP_XSTATE_MAGIC1, true);
  fpView.setUint32(FPX_SW_BYTES_OFFSET + 4, fpSize + FP_XSTATE_MAGIC2_SIZE, true);
  setU64(fpView, FPX_SW_BYTES_OFFSET + 8, xfeatures);
  fpView.setUint32(FPX_SW_BYTES_OFFSET + 16, fpSize, true);
  for (let i = FPX_SW_BYTES_OFFSET + 20; i < FXSAVE_SIZE; i++) fp[i] = 0;
  const fpAddr = Math.floor((sp - fpSize - FP_XSTATE_MAGIC2_SIZE) / 64) * 64;
  sp = Math.floor((fpAddr - RT_SIGFRAME_SIZE) / 16) * 16 - 8;
  if (wasOnStack && !onAltStack(t, sp)) return false;
  if (entering && (sp <= t.altSp || sp - t.altSp > t.altSize)) return false;
  if (sp < 0) return false;
  const magic2 = new Uint8Array(4);
  new DataView(magic2.buffer).setUint32(0, FP_XSTATE_MAGIC2, true);
  if (mm.writeBytes(fpAddr, fp, 0, fpSize) < 0 || mm.writeBytes(fpAddr + fpSize, magic2, 0, 4) < 0) return false;

  frame.fill(0);
  const dv = frameView;
  // x86-64 handlers return through sa_restorer (glibc's __restore_rt); without one the frame is refused.
  if (!(act.flags & SaFlag.SA_RESTORER)) return false;
  setU64(dv, RtSigframeOffset.PRETCODE, act.restorer);
  const uc = RtSigframeOffset.UC;
  setU64(dv, uc + UcontextOffset.FLAGS, UcFlag.UC_FP_XSTATE | UcFlag.UC_SIGCONTEXT_SS | UcFlag.UC_STRICT_RESTORE_SS);
  setU64(dv, uc + UcontextOffset.LINK, 0);
  // uc_stack: the alternate stack as it was (save_altstack), then SS_AUTODISARM disarms it.
  const st = uc + UcontextOffset.STACK;
  setU64(dv, st, t.altSp);
  // __save_altstack stores the flags as they were set.
  dv.setInt32(st + 8, t.altFlags, true);
  setU64(dv, st + 16, t.altSize);
  const sc = uc + UcontextOffset.MCONTEXT;
  for (let i = 0; i < SIGCONTEXT_REGS.length; i++) {
    const r = SIGCONTEXT_REGS[i];
    dv.setUint32(sc + i * 8, regs[r * 2], true);
    dv.setUint32(sc + i * 8 + 4, regs[r * 2 + 1], true);
  }
  dv.setUint32(sc + SigcontextOffset.EFLAGS, regs[Reg.EFLAGS * 2], true);
  dv.setUint16(sc + SigcontextOffset.CS, regs[Reg.CS * 2], true);
  dv.setUint16(sc + SigcontextOffset.SS, regs[Reg.SS * 2], true);
  setU64(dv, sc + SigcontextOffset.ERR, t.faultErr);
  setU64(dv, sc + SigcontextOffset.TRAPNO, t.faultTrapno);
  // oldmask and uc_sigmask: the mask to restore (sigsuspend's saved one if set).
  const maskLo = t.hasSavedMask ? t.savedMaskLo : t.sigmaskLo;
  const maskHi = t.hasSavedMask ? t.savedMaskHi : t.sigmaskHi;
  t.hasSavedMask = false;
  dv.setUint32(sc + SigcontextOffset.OLDMASK, maskLo, true);
  setU64(dv, sc + SigcontextOffset.CR2, t.faultAddr);
  setU64(dv, sc + SigcontextOffset.FPSTATE, fpAddr);
  dv.setUint32(uc + UcontextOffset.SIGMASK, maskLo, true);
  dv.setUint32(uc + UcontextOffset.SIGMASK + 4, maskHi, true);
  frame.set(info.subarray(0, SIGINFO_SIZE), RtSigframeOffset.INFO);
  if (mm.writeBytes(sp, frame, 0, RT_SIGFRAME_SIZE) < 0) return false;

  if ((t.altFlags & SigStack.SS_AUTODISARM) !== 0) {
    t.altSp = 0;
    t.altSize = 0;
    t.altFlags = SigStack.SS_DISABLE;
  }
  t.faultTrapno = 0;
  t.faultErr = 0;
  t.faultAddr = 0;
  setReg(regs, Reg.RDI, sig);
  setReg(regs, Reg.RSI, sp + RtSigframeOffset.INFO);
  setReg(regs, Reg.RDX, sp + RtSigframeOffset.UC);
  setReg(regs, Reg.RAX, 0);
  setReg(regs, Reg.RIP, act.handler);
  setReg(regs, Reg.RSP, sp);
  regs[Reg.EFLAGS * 2] &= ~HANDLER_CLEAR_EFLAGS;
  setReg(regs, Reg.ORIG_RAX, -1);
  // The handler starts with a clean FP state (fpu__clear_user_states).
  resetFpState(ctx);
  return true;
}

const sigreturnBuf = new Uint8Array(RT_SIGFRAME_SIZE);
const sigreturnView = new DataView(sigreturnBuf.buffer);

/**
 * rt_sigreturn: restores what setupFrame saved, from the frame at rsp - 8
 * (the handler's `ret` popped pretcode). Returns 0, or -EFAULT for a frame
 * that cannot be read or restored (the caller raises SIGSEGV).
 */
export function sigreturn(t: Task): number {
  const regs = t.regs;
  const mm = t.tg.mm;
  const fr = getReg(regs, Reg.RSP) - 8;
  if (mm.readBytes(fr, sigreturnBuf, 0, RT_SIGFRAME_SIZE) < 0) return -Errno.EFAULT;
  const dv = sigreturnView;
  const uc = RtSigframeOffset.UC;
  setMask(t, dv.getUint32(uc + UcontextOffset.SIGMASK, true), dv.getUint32(uc + UcontextOffset.SIGMASK + 4, true));
  const sc = uc + UcontextOffset.MCONTEXT;
  // The FP state first: a bad one fails the whole sigreturn.
  const fpAddr = getU64(dv, sc + SigcontextOffset.FPSTATE);
  const ctx = t.ctx;
  const size = ctx.fetchFpState();
  if (size < FXSAVE_SIZE) return -Errno.EFAULT;
  if (fpAddr === 0) {
    initFpState(ctx.fpState, size);
    if (ctx.storeFpState() < 0) return -Errno.EFAULT;
  } else {
    const fp = ctx.fpState;
    if (mm.readBytes(fpAddr, fp, 0, FXSAVE_SIZE) < 0) return -Errno.EFAULT;
    const fv = new DataView(fp.buffer, fp.byteOffset, fp.byteLength);
    const magic1 = fv.getUint32(FPX_SW_BYTES_OFFSET, true);
    const xsize = fv.getUint32(FPX_SW_BYTES_OFFSET + 16, true);
    const flags = getU64(dv, uc + UcontextOffset.FLAGS);
    if (flags & UcFlag.UC_FP_XSTATE && magic1 === FP_XSTATE_MAGIC1 && xsize === size) {
      if (mm.readBytes(fpAddr + FXSAVE_SIZE, fp, FXSAVE_SIZE, size - FXSAVE_SIZE) < 0) return -Errno.EFAULT;
    } else {
      // A legacy FXSAVE image: the extended state goes back to its initial values.
      fp.fill(0, FXSAVE_SIZE, size);
      if (size > FXSAVE_SIZE) fv.setUint32(FXSAVE_SIZE, 3, true);
    }
    // The header's compaction word must be 0 and only user features may be set (else ptrace refuses).
    if (size > FXSAVE_SIZE) {
      fv.setUint32(FXSAVE_SIZE + 8, 0, true);
      fv.setUint32(FXSAVE_SIZE + 12, 0, true);
    }
    if (ctx.storeFpState() < 0) return -Errno.EFAULT;
  }
  for (let i = 0; i < SIGCONTEXT_REGS.length; i++) {
    const r = SIGCONTEXT_REGS[i];
    regs[r * 2] = dv.getUint32(sc + i * 8, true);
    regs[r * 2 + 1] = dv.getUint32(sc + i * 8 + 4, true);
  }
  const ef = dv.getUint32(sc + SigcontextOffset.EFLAGS, true);
  regs[Reg.EFLAGS * 2] = ((regs[Reg.EFLAGS * 2] & ~FIX_EFLAGS) | (ef & FIX_EFLAGS)) >>> 0;
  setReg(regs, Reg.ORIG_RAX, -1);
  // restore_altstack: errors are ignored, as Linux.
  const st = uc + UcontextOffset.STACK;
  doSigaltstack(t, { sp: getU64(dv, st), flags: dv.getInt32(st + 8, true), size: getU64(dv, st + 16) }, getReg(regs, Reg.RSP));
  return 0;
}

export interface AltStack {
  sp: number;
  flags: number;
  size: number;
}

/** do_sigaltstack's change (the old value is the caller's): 0, -EPERM on the stack, -EINVAL, -ENOMEM. */
export function doSigaltstack(t: Task, ss: AltStack, sp: number): number {
  if (onAltStack(t, sp)) return -Errno.EPERM;
  const mode = ss.flags & ~SigStack.SS_AUTODISARM;
  if (mode !== SigStack.SS_DISABLE && mode !== SigStack.SS_ONSTACK && mode !== 0) return -Errno.EINVAL;
  if (t.altSp === ss.sp && t.altSize === ss.size && t.altFlags === ss.flags) return 0;
  let { sp: base, size } = ss;
  if (mode === SigStack.SS_DISABLE) {
    base = 0;
    size = 0;
  } else if (size < SigStack.MINSIGSTKSZ) {
    return -Errno.ENOMEM;
  }
  t.altSp = base;
  t.altSize = size;
  t.altFlags = ss.flags;
  return 0;
}

