// The kernel: owns the platform, the MemoryFile, the processes, and the run
// loop that turns platform stops into syscalls, faults and exits.
// DESIGN.md "The kernel's concurrency model": one JavaScript thread; a syscall
// returns at once (a number) or blocks (a Promise) without blocking the loop.
import { Rlimit } from '../abi/linux/rlimit.js';
import { SaFlag, SigHandler, Signal } from '../abi/linux/signal.js';
import os from 'node:os';
import { Errno } from '../abi/linux/errno.js';
import { DefaultAction, defaultAction } from '../abi/linux/signal.js';
import { SYSCALL_NAMES } from '../abi/linux/syscalls.js';
import { defaultPageMemory } from '../memory/file_pages.js';
import { MemoryFile } from '../memory/memory_file.js';
import { FAULT_RESOLVED, FAULT_SIGBUS } from '../mm/memory_manager.js';
import { Reg, StopKind, type Context, type Platform } from '../platform/platform.js';
import { PtracePlatform } from '../platform/ptrace.js';
import { SyscallArgs, setReturn, syscallNumber, getReg } from '../syscalls/args.js';
import type { SyscallTable } from '../syscalls/table.js';
import { formatCall, formatReturn } from '../syscalls/strace.js';
import { wakeups } from './blocking.js';
import { KernelLog } from './log.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import type { Vm } from './vm.js';
import { processUsage } from './limits.js';
import { onProcessExit as onProcessExitTimers } from './timers.js';
import { beforeResume, forceSignal, hasSignalWork, notifyParentExit, sendSignal, signalWake, userSiginfo } from './signals.js';
import { X86_TRAP_PF } from '../abi/linux/sigframe.js';
import { interruptPipeWait, pipeHooks } from '../fs/pipe/hooks.js';
import { pdeathSignal } from './task_attrs.js';

/** A handler's result meaning "do not resume this task" (it exited or was killed). */
export const NO_RESUME = -0x7fffffff;
/** A handler's result meaning "resume with the registers as the handler left them" (rt_sigreturn). */
export const KEEP_REGS = -0x7ffffffe;

/** A syscall result that asks for a restart decision (-ERESTARTSYS … -ERESTART_RESTARTBLOCK). */
function isRestart(r: number): boolean {
  return r <= -Errno.ERESTARTSYS && r >= -Errno.ERESTART_RESTARTBLOCK;
}

/** How long the kernel's thread may wait for the next stop before returning to Node's loop. */
const WAIT_MS = 1;
/** How long one pump may serve stops before Node's loop gets a turn. */
const PUMP_SLICE_MS = 4;
/** /proc/sys/kernel/pid_max: PIDs wrap to 300 (RESERVED_PIDS) after it, as Linux's alloc_pid. */
const PID_MAX = 4_194_304;
const RESERVED_PIDS = 300;

/** Hooks that other kernel modules install (futexes, file locks) for thread and process exit. */
export interface ExitHooks {
  /** CLONE_CHILD_CLEARTID: wake one waiter of the futex at addr (after the kernel stored 0 there). */
  futexWake?: (t: Task, addr: number) => void;
  /** The robust futex list walk at thread exit. */
  robustList?: (t: Task) => void;
  /** A process's descriptor table is closed for good (POSIX locks go with it). */
  processExit?: (tg: ThreadGroup) => void;
}

export interface KernelOptions {
  log?: KernelLog;
  hostname?: string;
  memoryLimit?: number;
  platform?: Platform;
}

export interface ExitResult {
  /** Exit code if the process exited, else undefined. */
  code?: number;
  /** Terminating signal if killed, else undefined. */
  signal?: number;
}

/** The kernel serving a syscall now (pipes ask it for the calling task), and each task's kernel. */
let activeKernel: Kernel | null = null;
const kernelOf = new WeakMap<Task, Kernel>();
function setActiveKernel(k: Kernel): void {
  activeKernel = k;
}

export class Kernel {
  readonly log: KernelLog;
  readonly platform: Platform;
  readonly memoryFile: MemoryFile;
  hostname: string;
  /** Monotonic time of boot, for uptime and CLOCK_BOOTTIME. */
  readonly bootTimeMs = performance.now();
  private readonly byContext = new Map<Context, Task>();
  /** Every live platform context and the address space it runs in (retired ones too, until their Exit stop). */
  private readonly contextVm = new Map<Context, Vm>();
  private readonly args = new SyscallArgs();
  private readonly straceArgs: number[] = [0, 0, 0, 0, 0, 0];
  private table!: SyscallTable;
  private lastPid = 0;
  /** Processes created since boot (/proc/stat "processes"). */
  forks = 0;
  /** The processes by PID (thread-group ID), zombies included: the sandbox's PID namespace. */
  readonly processes = new Map<number, ThreadGroup>();
  /** How many processes have each ID as their process group or session ID (pgid and sid both counted). */
  private readonly groupIdRefs = new Map<number, number>();
  /** Every live thread by TID. */
  readonly tasks = new Map<number, Task>();
  readonly exitHooks: ExitHooks = {};
  /** The task whose system call is being served (set before each handler runs; /proc/self). */
  currentTask: Task | null = null;
  private running = 0;
  private initGroup: ThreadGroup | undefined;
  private onInitExit: ((r: ExitResult) => void) | undefined;
  private finished = false;

  constructor(opts: KernelOptions = {}) {
    this.log = opts.log ?? new KernelLog();
    this.hostname = opts.hostname ?? 'tsvisor';
    this.platform = opts.platform ?? new PtracePlatform();
    const limit = opts.memoryLimit ?? Math.floor(os.totalmem() / 4);
    const mf = MemoryFile.create(limit);
    if (typeof mf === 'number') throw new Error(`cannot create the memory file: errno ${-mf}`);
    this.memoryFile = mf;
    defaultPageMemory.mf = mf; // tmpfs files keep their pages here (shared mappings map them)
  }

  setSyscallTable(table: SyscallTable): void {
    this.table = table;
    // Pipes learn the calling task (for SIGPIPE) from whichever kernel is serving a syscall.
    pipeHooks.currentTask = () => activeKernel?.currentTask ?? undefined;
    pipeHooks.sigpipe = (token) => {
      const t = token as Task;
      const k = kernelOf.get(t);
      // queued, not delivered synchronously: the pipe is mid-operation.
      if (k) sendSignal(k, t.tg, 13, t, userSiginfo(13, 0, t));
    };
  }

  /** The next free PID (alloc_pid: increasing, wrapping past pid_max), or -EAGAIN when none is free. */
  allocatePid(): number {
    for (let i = 0; i < PID_MAX; i++) {
      let p = this.lastPid + 1;
      if (p >= PID_MAX) p = RESERVED_PIDS;
      this.lastPid = p;
      if (!this.tasks.has(p) && !this.processes.has(p) && !this.pidUsedAsGroup(p)) return p;
    }
    return -Errno.EAGAIN;
  }

  /** A PID still naming a process group or session cannot be reused (its struct pid lives on). */
  private pidUsedAsGroup(p: number): boolean {
    return this.groupIdRefs.has(p);
  }

  /** Counts the process-group and session IDs of the processes in the namespace (zombies included). */
  private refGroupIds(tg: ThreadGroup, delta: 1 | -1): void {
    for (const id of [tg.pgid, tg.sid]) {
      const n = (this.groupIdRefs.get(id) ?? 0) + delta;
      if (n > 0) this.groupIdRefs.set(id, n);
      else this.groupIdRefs.delete(id);
    }
  }

  /** Moves a process to another process group and session (setpgid, setsid). */
  setProcessGroup(tg: ThreadGroup, pgid: number, sid: number): void {
    const counted = this.processes.get(tg.pid) === tg;
    if (counted) this.refGroupIds(tg, -1);
    tg.pgid = pgid;
    tg.sid = sid;
    if (counted) this.refGroupIds(tg, 1);
  }

  /** Makes a platform thread in vm's address space, counted against it. */
  newContext(vm: Vm): Context | number {
    const ctx = this.platform.newContext(vm.as);
    if (typeof ctx === 'number') return ctx;
    vm.contextCreated();
    this.contextVm.set(ctx, vm);
    return ctx;
  }

  /** Registers a task whose context is ready to run (from newContext); it starts on resumeTask. */
  addTask(task: Task): void {
    kernelOf.set(task, this);
    this.byContext.set(task.ctx, task);
    this.tasks.set(task.tid, task);
    task.tg.tasks.add(task);
    if (task.tid === task.tg.pid) task.tg.leader = task;
    if (!this.processes.has(task.tg.pid)) {
      this.processes.set(task.tg.pid, task.tg);
      this.refGroupIds(task.tg, 1);
      this.forks++;
    }
  }

  /** Starts (or restarts) a task that is not running guest code. */
  resumeTask(t: Task): void {
    this.resume(t);
  }

  /**
   * Gives a task a new context (execve): the old one is retired and made to
   * exit (its Exit stop then only releases it).
   */
  replaceContext(t: Task, ctx: Context): void {
    const old = t.ctx;
    this.byContext.delete(old);
    t.ctx = ctx;
    this.byContext.set(ctx, t);
    if (!t.inGuest) this.exitContext(old);
  }

  /**
   * de_thread: another thread of an exec'ing process dies at once. It leaves
   * its group now; its context is retired (made to exit, or killed with the old
   * address space) and only released when its Exit stop comes.
   */
  detachTask(o: Task): void {
    o.interrupt(NO_RESUME);
    o.tg.tasks.delete(o);
    if (this.tasks.get(o.tid) === o) this.tasks.delete(o.tid);
    this.byContext.delete(o.ctx);
    o.exited = true;
    if (!o.inGuest) {
      o.inGuest = true;
      this.exitContext(o.ctx);
    }
  }

  /** A thread's TID changes (a non-leader thread's execve takes the leader's). */
  renumberTask(t: Task, tid: number): void {
    if (this.tasks.get(t.tid) === t) this.tasks.delete(t.tid);
    t.tid = tid;
    this.tasks.set(tid, t);
    if (tid === t.tg.pid) t.tg.leader = t;
  }

  /** Makes a stopped context's thread exit; its Exit stop follows. */
  exitContext(ctx: Context): void {
    this.running++;
    ctx.exit();
  }

  /**
   * Runs until the init process exits; resolves with its status. With
   * hold, init does not run yet (its tasks start later with resumeTask):
   * an OCI container's "created" state, processes exec'd beside it.
   */
  run(init: ThreadGroup, hold = false): Promise<ExitResult> {
    this.initGroup = init;
    const done = new Promise<ExitResult>((resolve) => {
      this.onInitExit = resolve;
    });
    this.platform.onReady(this.pump);
    if (!hold) for (const t of init.tasks) this.resume(t);
    this.pump();
    return done;
  }

  private resume(t: Task): void {
    // Signals and syscall restarts are settled on the way back to the guest.
    if ((t.syscallReturn || hasSignalWork(t)) && !beforeResume(this, t)) return;
    this.running++;
    t.inGuest = true;
    t.ctx.resume();
  }

  /**
   * Drains platform stops; returns to Node's loop when none comes soon. A stop
   * handled at once (the common syscall) resumes its task and takes the next
   * stop in one crossing into the addon.
   */
  private readonly pump = (): void => {
    // A busy guest must not keep Node's loop (timers, I/O) waiting: after a
    // slice, the next resume returns to the loop; the event watcher calls back.
    // A wait that ended (wakeups moved: blocking.ts) returns too, so the woken
    // call's continuation runs now rather than after the slice.
    const until = performance.now() + PUMP_SLICE_MS;
    const seen = wakeups.count;
    let ctx = this.platform.takeStopped();
    for (;;) {
      if (!ctx) {
        if (this.running === 0 || !this.platform.waitStopped(WAIT_MS)) return;
        ctx = this.platform.takeStopped();
        continue;
      }
      this.running--;
      const t = this.byContext.get(ctx);
      if (!t) {
        this.retiredStop(ctx);
        ctx = this.platform.takeStopped();
        continue;
      }
      t.inGuest = false;
      if ((t.exited || t.tg.exiting) && t.regs[Reg.EV_KIND * 2] !== StopKind.Exit) {
        // The thread was told to die while it ran (its group exits, or execve killed it).
        this.exitContext(t.ctx);
        ctx = this.platform.takeStopped();
        continue;
      }
      if (this.handleStop(t)) {
        if ((t.syscallReturn || hasSignalWork(t)) && !beforeResume(this, t)) {
          ctx = this.platform.takeStopped();
          continue;
        }
        this.running++;
        t.inGuest = true;
        if (wakeups.count !== seen || performance.now() > until) {
          t.ctx.resume();
          return;
        }
        ctx = this.platform.resumeAndWait(t.ctx, WAIT_MS);
      } else {
        if (wakeups.count !== seen) return;
        ctx = this.platform.takeStopped();
      }
    }
  };

  /** Handles a stop; returns true if the task should be resumed now. */
  private handleStop(t: Task): boolean {
    const regs = t.regs;
    switch (regs[Reg.EV_KIND * 2]) {
      case StopKind.Syscall:
        return this.syscall(t);
      case StopKind.Signal:
        return this.hostSignal(t, regs[Reg.EV_INFO0 * 2], regs[Reg.EV_INFO1 * 2] | 0, getReg(regs, Reg.EV_INFO2));
      case StopKind.Exit:
        this.taskGone(t);
        return false;
    }
    return false;
  }

  private syscall(t: Task): boolean {
    const regs = t.regs;
    const nr = syscallNumber(regs);
    const args = this.args;
    args.regs = regs;
    const handler = nr >= 0 && nr < this.table.length ? this.table[nr] : undefined;
    let r: number | Promise<number>;
    this.currentTask = t;
    setActiveKernel(this);
    try {
      if (regs[Reg.RCX * 2] !== regs[Reg.RIP * 2] || regs[Reg.RCX * 2 + 1] !== regs[Reg.RIP * 2 + 1]) {
        // The `syscall` instruction leaves rcx = rip; int 0x80 and sysenter
        // (the 32-bit ABI, which Linux would serve from its ia32 table) do not.
        // The sandbox offers only the 64-bit ABI.
        this.log.once('ia32', `pid ${t.tg.pid}: 32-bit syscall (int 0x80/sysenter) ${nr} at rip 0x${getReg(regs, Reg.RIP).toString(16)}: ENOSYS`);
        r = -Errno.ENOSYS;
      } else r = handler ? handler(t, args) : this.enosys(nr);
    } catch (e) {
      this.log.warn(`kernel bug: ${SYSCALL_NAMES[nr] ?? nr} threw: ${(e as Error)?.stack ?? String(e)}`);
      r = -Errno.EINVAL;
    }
    if (this.log.straceEnabled) this.traceEnter(t, nr, typeof r === 'number' ? r : undefined);
    if (typeof r === 'number') {
      if (r === NO_RESUME) return false;
      if (r === KEEP_REGS) return true;
      setReturn(regs, r);
      t.syscallReturn = isRestart(r);
      return true;
    }
    t.blocked = true;
    // A signal already pending: the call must not sleep (signal_pending before schedule()).
    if (hasSignalWork(t)) signalWake(t);
    r.then(
      (v) => this.finishBlocked(t, nr, v),
      (e: unknown) => {
        this.log.warn(`kernel bug: ${SYSCALL_NAMES[nr] ?? nr} rejected: ${(e as Error)?.stack ?? String(e)}`);
        this.finishBlocked(t, nr, -Errno.EINVAL);
      },
    );
    return false;
  }

  /** A stop of a context no task owns any more (retired by execve or a dying group). */
  private retiredStop(ctx: Context): void {
    if (ctx.regs32[Reg.EV_KIND * 2] === StopKind.Exit) {
      this.releaseContext(ctx);
      return;
    }
    this.exitContext(ctx);
  }

  private releaseContext(ctx: Context): void {
    ctx.release();
    const vm = this.contextVm.get(ctx);
    this.contextVm.delete(ctx);
    vm?.contextReleased();
    this.maybeFinish();
  }

  private finishBlocked(t: Task, nr: number, v: number): void {
    t.blocked = false;
    t.unpark();
    // A dying task's thread was already told to exit (killTask).
    if (t.tg.exiting || t.exited) return;
    if (this.log.straceEnabled) this.log.strace(`[${t.tid}] ${SYSCALL_NAMES[nr]} resumed ${formatReturn(nr, v)}`);
    if (v === NO_RESUME) return;
    if (v !== KEEP_REGS) {
      setReturn(t.regs, v);
      t.syscallReturn = isRestart(v);
    }
    this.resume(t);
    this.pump();
  }

  private traceEnter(t: Task, nr: number, ret: number | undefined): void {
    const call = formatCall(nr, this.args.all(this.straceArgs), t.tg.mm);
    const shown = ret === KEEP_REGS ? getReg(t.regs, Reg.RAX) : ret;
    this.log.strace(`[${t.tid}] ${call}${shown === undefined ? ' ...' : shown === NO_RESUME ? '' : ` ${formatReturn(nr, shown)}`}`);
  }

  private enosys(nr: number): number {
    this.log.once(`enosys:${nr}`, `unsupported syscall ${SYSCALL_NAMES[nr] ?? nr} (${nr}): ENOSYS`);
    return -Errno.ENOSYS;
  }

  /** A host signal stopped the thread: a fault, or a signal sent to the stub. Returns true to resume. */
  private hostSignal(t: Task, signo: number, code: number, addr: number): boolean {
    if (signo === 11 || signo === 7) {
      // SIGSEGV/SIGBUS: first chance for the memory manager (lazy population, copy-on-write).
      // SI_KERNEL (0x80) and user-sent signals (code <= 0) are not page faults.
      const pageFault = signo === 11 && code > 0 && code < 0x80;
      const c = pageFault ? t.tg.mm.handleFault(addr, code) : code > 0 ? code : 0x80;
      if (c === FAULT_RESOLVED) return true;
      if (c < 0) {
        // The MemoryFile is exhausted: Linux's OOM killer would SIGKILL the process.
        this.log.warn(`pid ${t.tg.pid} tid ${t.tid}: out of memory on a fault at 0x${addr.toString(16)}, rip 0x${getReg(t.regs, Reg.RIP).toString(16)}: killed (SIGKILL)`);
        this.killGroup(t.tg, 9);
        return false;
      }
      const sig = c === FAULT_SIGBUS ? 7 : signo;
      // sigcontext: trap 14 (page fault), error code: user mode, "present" for a protection
      // fault, and "write" when the page is readable but not writable (ptrace does not
      // report the access type: that is the likely one). A general-protection fault is trap 13.
      let err = 0;
      if (pageFault) {
        err = 4;
        if ((c & 0xff) === 2) {
          err |= 1;
          const prot = t.tg.mm.vmas.find(addr)?.prot ?? 0;
          if (prot & 1 && !(prot & 2)) err |= 2;
        }
      }
      forceSignal(t, sig, c & 0xff, addr, pageFault ? X86_TRAP_PF : code === 0x80 ? 13 : 0, err);
      return true;
    }
    if (signo === 19 || signo === 18 || signo === 20 || signo === 21 || signo === 22 || code === -1) {
      // Our own interrupt (SIGSTOP from Context.interrupt) or a job-control
      // signal aimed at the stub, not the guest's doing: the resume path
      // looks at the guest's pending signals.
      return true;
    }
    // Synchronous traps (SIGILL, SIGTRAP, SIGFPE, SIGSYS) and anything else aimed at the
    // stub thread; sigcontext's trapno: #BP 3 for int3, #UD 6 for SIGILL, #DE 0 for a divide.
    const trapno = signo === 5 ? 3 : signo === 4 ? 6 : 0;
    forceSignal(t, signo, code, addr, trapno);
    return true;
  }

  /**
   * exit(2) of one thread: the CLONE_CHILD_CLEARTID store and wake, the
   * robust list, then the thread goes. The last thread's exit is the process's.
   */
  exitThread(t: Task, waitStatus: number): void {
    const tg = t.tg;
    let live = 0;
    for (const o of tg.tasks) if (!o.exited) live++;
    if (live <= 1) {
      this.exitGroup(tg, waitStatus);
      return;
    }
    this.threadCleanup(t);
    this.killTask(t);
  }

  /** mm_release and exit_robust_list for a thread that leaves while its address space lives on. */
  private threadCleanup(t: Task): void {
    this.exitHooks.robustList?.(t);
    const addr = t.clearChildTid;
    if (addr !== 0) {
      t.clearChildTid = 0;
      if (t.tg.mm.writeU32(addr, 0) === 0) this.exitHooks.futexWake?.(t, addr);
    }
  }

  /** exit_group(2): every thread of the process ends; status is the wait status. */
  exitGroup(tg: ThreadGroup, waitStatus: number): void {
    if (tg.exiting) return;
    tg.exiting = true;
    tg.exitStatus = waitStatus;
    this.log.debug(`pid ${tg.pid} exits with wait status 0x${waitStatus.toString(16)}`);
    // Threads blocked in the kernel are woken (their result is never delivered).
    for (const t of tg.tasks) if (!t.interrupt(NO_RESUME)) interruptPipeWait(t, NO_RESUME);
    // Every exiting thread's robust list is walked (waiters in other processes
    // sharing the memory must see EOWNERDEAD); clear_child_tid matters only
    // while another process shares the address space.
    for (const t of tg.tasks) {
      if (t.exited) continue;
      if (tg.vm.shared) this.threadCleanup(t);
      else this.exitHooks.robustList?.(t);
    }
    // The final CPU usage comes from the stub, read while it still exists.
    if (!tg.vm.shared) tg.usage = processUsage(tg, tg.as.hostPid, Math.ceil(tg.mm.privateResidentBytes / 1024));
    // Kill the stub (unless another process shares it: a vfork parent), then
    // make every stopped thread's tracer observe the death; running threads
    // see it by themselves (or are exited at their next stop). Each reports an Exit stop.
    if (!tg.vm.shared) tg.as.kill();
    for (const t of tg.tasks) this.killTask(t);
  }

  /** Marks a task dead and, if it is stopped (in a syscall or blocked), makes its thread exit. */
  killTask(t: Task): void {
    t.exited = true;
    if (t.inGuest) return;
    t.inGuest = true;
    this.exitContext(t.ctx);
  }

  /** Kills a process with a signal's default action (terminate, core). */
  killGroup(tg: ThreadGroup, signo: number): void {
    // The core flag of the wait status says a core was dumped: Linux dumps (and sets it)
    // only when RLIMIT_CORE allows. No core file is ever written here.
    const core = defaultAction(signo) === DefaultAction.Core && tg.limits.get(Rlimit.RLIMIT_CORE).cur > 0;
    this.exitGroup(tg, signo | (core ? 0x80 : 0));
  }

  private taskGone(t: Task): void {
    const tg = t.tg;
    this.byContext.delete(t.ctx);
    if (this.tasks.get(t.tid) === t) this.tasks.delete(t.tid);
    tg.tasks.delete(t);
    t.exited = true;
    tg.exitUid = t.creds.uid;
    this.releaseContext(t.ctx);
    if (!tg.exiting && tg.tasks.size === 0) {
      // The stub died under us (killed from outside): report it as SIGKILL.
      tg.exiting = true;
      tg.exitStatus = 9;
    }
    if (tg.tasks.size === 0) this.processGone(tg);
  }

  /** A process whose last thread is gone: it releases what it held and becomes a zombie for its parent. */
  private processGone(tg: ThreadGroup): void {
    if (tg.zombie) return;
    tg.zombie = true;
    if (this.currentTask?.tg === tg) this.currentTask = null;
    tg.usage ??= { utimeUs: 0, stimeUs: 0, maxRssKb: Math.ceil(tg.mm.privateResidentBytes / 1024) };
    if (--tg.fds.users === 0) {
      this.exitHooks.processExit?.(tg);
      tg.fds.closeAll();
    }
    if (--tg.fsContext.users === 0) tg.fsContext.release();
    tg.vm.put();
    const vfork = tg.vforkDone;
    tg.vforkDone = null;
    vfork?.();
    // PR_SET_PDEATHSIG: children asked for a signal when their parent dies.
    for (const c of tg.children) {
      for (const ct of c.tasks) {
        const sig = pdeathSignal(ct);
        if (sig !== 0) sendSignal(this, c, sig, ct);
      }
    }
    this.reparentChildren(tg);
    onProcessExitTimers(tg);
    for (const l of [...tg.exitListeners]) l();
    notifyParentExit(this, tg);
    const parent = tg.parent;
    if (parent === null || parent.zombie) {
      // The sandbox's init (or an orphan whose reaper is gone): nobody waits.
      this.release(tg);
    } else if (this.autoReaps(parent, tg)) {
      this.release(tg);
      parent.notifyWaiters();
    } else {
      parent.notifyWaiters();
    }
    if (tg === this.initGroup) {
      // The PID namespace's init died: every other process is killed (zap_pid_ns_processes).
      for (const p of this.processes.values()) if (!p.zombie) this.killGroup(p, 9);
    }
    this.maybeFinish();
  }

  /** SIGCHLD ignored or SA_NOCLDWAIT in the parent: the child is reaped at once (man 2 wait, NOTES). */
  private autoReaps(parent: ThreadGroup, child: ThreadGroup): boolean {
    if (child.exitSignal !== Signal.SIGCHLD) return false;
    const a = parent.sigactions.get(Signal.SIGCHLD);
    return a.handler === SigHandler.SIG_IGN || (a.flags & SaFlag.SA_NOCLDWAIT) !== 0;
  }

  /** The reaper of tg's orphans: the nearest living PR_SET_CHILD_SUBREAPER ancestor, else init. */
  private reaperFor(tg: ThreadGroup): ThreadGroup | null {
    for (let p = tg.parent; p !== null; p = p.parent) if (p.childSubreaper && !p.zombie && !p.exiting) return p;
    const init = this.initGroup;
    return init && !init.zombie && init !== tg ? init : null;
  }

  private reparentChildren(tg: ThreadGroup): void {
    if (tg.children.size === 0) return;
    const reaper = this.reaperFor(tg);
    for (const c of tg.children) {
      c.parent = reaper;
      if (reaper === null) {
        if (c.zombie) this.release(c);
        continue;
      }
      reaper.children.add(c);
      if (c.zombie) {
        if (this.autoReaps(reaper, c)) this.release(c);
        else reaper.notifyWaiters();
      }
    }
    tg.children.clear();
  }

  /** Removes a zombie from the PID namespace (wait reaped it, or nobody will). */
  release(tg: ThreadGroup): void {
    tg.parent?.children.delete(tg);
    if (this.processes.get(tg.pid) === tg) {
      this.processes.delete(tg.pid);
      this.refGroupIds(tg, -1);
    }
    if (this.tasks.get(tg.pid)?.tg === tg) this.tasks.delete(tg.pid);
    this.maybeFinish();
  }

  /** The run ends when init has exited and every context is released. */
  private maybeFinish(): void {
    const init = this.initGroup;
    if (this.finished || !init || !init.zombie || this.contextVm.size > 0) return;
    for (const p of this.processes.values()) if (!p.zombie) return;
    this.finished = true;
    const s = init.exitStatus ?? 0;
    const sig = s & 0x7f;
    const result: ExitResult = sig === 0 ? { code: (s >> 8) & 0xff } : { signal: sig };
    this.platform.close();
    this.onInitExit?.(result);
  }
}
