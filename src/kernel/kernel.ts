// The kernel: owns the platform, the MemoryFile, the processes, and the run
// loop that turns platform stops into syscalls, faults and exits.
// DESIGN.md "The kernel's concurrency model": one JavaScript thread; a syscall
// returns at once (a number) or blocks (a Promise) without blocking the loop.
import os from 'node:os';
import { Errno } from '../abi/linux/errno.js';
import { DefaultAction, defaultAction, signalName } from '../abi/linux/signal.js';
import { SYSCALL_NAMES } from '../abi/linux/syscalls.js';
import { MemoryFile } from '../memory/memory_file.js';
import { FAULT_RESOLVED, FAULT_SIGBUS } from '../mm/memory_manager.js';
import { Reg, StopKind, type Context, type Platform } from '../platform/platform.js';
import { PtracePlatform } from '../platform/ptrace.js';
import { SyscallArgs, setReturn, syscallNumber, getReg } from '../syscalls/args.js';
import type { SyscallTable } from '../syscalls/table.js';
import { formatCall, formatReturn } from '../syscalls/strace.js';
import { KernelLog } from './log.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';

/** A handler's result meaning "do not resume this task" (it exited or was killed). */
export const NO_RESUME = -0x7fffffff;

/** How long the kernel's thread may wait for the next stop before returning to Node's loop. */
const WAIT_MS = 1;

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

export class Kernel {
  readonly log: KernelLog;
  readonly platform: Platform;
  readonly memoryFile: MemoryFile;
  hostname: string;
  /** Monotonic time of boot, for uptime and CLOCK_BOOTTIME. */
  readonly bootTimeMs = performance.now();
  private readonly byContext = new Map<Context, Task>();
  private readonly args = new SyscallArgs();
  private readonly straceArgs: number[] = [0, 0, 0, 0, 0, 0];
  private table!: SyscallTable;
  private nextPid = 1;
  /** The live processes by PID (thread-group ID), for /proc and kill. */
  readonly processes = new Map<number, ThreadGroup>();
  /** The task whose system call is being served (set before each handler runs; /proc/self). */
  currentTask: Task | null = null;
  private running = 0;
  private initGroup: ThreadGroup | undefined;
  private onInitExit: ((r: ExitResult) => void) | undefined;

  constructor(opts: KernelOptions = {}) {
    this.log = opts.log ?? new KernelLog();
    this.hostname = opts.hostname ?? 'tsvisor';
    this.platform = opts.platform ?? new PtracePlatform();
    const limit = opts.memoryLimit ?? Math.floor(os.totalmem() / 4);
    const mf = MemoryFile.create(limit);
    if (typeof mf === 'number') throw new Error(`cannot create the memory file: errno ${-mf}`);
    this.memoryFile = mf;
  }

  setSyscallTable(table: SyscallTable): void {
    this.table = table;
  }

  allocatePid(): number {
    return this.nextPid++;
  }

  /** Registers a task whose context is ready to run; it starts on the next resume. */
  addTask(task: Task): void {
    this.byContext.set(task.ctx, task);
    task.tg.tasks.add(task);
    this.processes.set(task.tg.pid, task.tg);
  }

  /** Runs until the init process exits; resolves with its status. */
  run(init: ThreadGroup): Promise<ExitResult> {
    this.initGroup = init;
    const done = new Promise<ExitResult>((resolve) => {
      this.onInitExit = resolve;
    });
    this.platform.onReady(this.pump);
    for (const t of init.tasks) this.resume(t);
    this.pump();
    return done;
  }

  private resume(t: Task): void {
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
        ctx = this.platform.takeStopped();
        continue;
      }
      t.inGuest = false;
      if (this.handleStop(t)) {
        this.running++;
        t.inGuest = true;
        ctx = this.platform.resumeAndWait(t.ctx, WAIT_MS);
      } else {
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
      setReturn(regs, r);
      return true;
    }
    t.blocked = true;
    r.then(
      (v) => this.finishBlocked(t, nr, v),
      (e: unknown) => {
        this.log.warn(`kernel bug: ${SYSCALL_NAMES[nr] ?? nr} rejected: ${(e as Error)?.stack ?? String(e)}`);
        this.finishBlocked(t, nr, -Errno.EINVAL);
      },
    );
    return false;
  }

  private finishBlocked(t: Task, nr: number, v: number): void {
    t.blocked = false;
    if (t.tg.exiting) return;
    if (this.log.straceEnabled) this.log.strace(`[${t.tid}] ${SYSCALL_NAMES[nr]} resumed ${formatReturn(nr, v)}`);
    if (v === NO_RESUME) return;
    setReturn(t.regs, v);
    this.resume(t);
    this.pump();
  }

  private traceEnter(t: Task, nr: number, ret: number | undefined): void {
    const call = formatCall(nr, this.args.all(this.straceArgs), t.tg.mm);
    this.log.strace(`[${t.tid}] ${call}${ret === undefined ? ' ...' : ret === NO_RESUME ? '' : ` ${formatReturn(nr, ret)}`}`);
  }

  private enosys(nr: number): number {
    this.log.once(`enosys:${nr}`, `unsupported syscall ${SYSCALL_NAMES[nr] ?? nr} (${nr}): ENOSYS`);
    return -Errno.ENOSYS;
  }

  /** A host signal stopped the thread: a fault, or a signal sent to the stub. Returns true to resume. */
  private hostSignal(t: Task, signo: number, code: number, addr: number): boolean {
    if (signo === 11 || signo === 7) {
      // SIGSEGV/SIGBUS: first chance for the memory manager (lazy population).
      // SI_KERNEL (0x80) and user-sent signals (code <= 0) are not page faults.
      const pageFault = signo === 11 && code > 0 && code < 0x80;
      const c = pageFault ? t.tg.mm.handleFault(addr, code) : code > 0 ? code : 0x80;
      if (c === FAULT_RESOLVED) return true;
      const rip = getReg(t.regs, Reg.RIP).toString(16);
      if (c < 0) {
        // The MemoryFile is exhausted: Linux's OOM killer would SIGKILL the process.
        this.log.warn(`pid ${t.tg.pid} tid ${t.tid}: out of memory on a fault at 0x${addr.toString(16)}, rip 0x${rip}: killed (SIGKILL)`);
        this.killGroup(t.tg, 9);
        return false;
      }
      const sig = c === FAULT_SIGBUS ? 7 : signo;
      this.log.warn(`pid ${t.tg.pid} tid ${t.tid}: ${signalName(sig)} (code ${c & 0xff}) at 0x${addr.toString(16)}, rip 0x${rip}`);
      this.killGroup(t.tg, sig);
      return false;
    }
    if (code === -1 || signo === 19 || signo === 18 || signo === 20 || signo === 21 || signo === 22) {
      // A group stop or interrupt of the stub (not the guest's doing): ignore.
      return true;
    }
    // Synchronous traps (SIGILL, SIGTRAP, SIGFPE) and anything else aimed at
    // the stub: without signal delivery yet, the default action applies.
    this.log.warn(`pid ${t.tg.pid} tid ${t.tid}: ${signalName(signo)} (code ${code}) at rip 0x${getReg(t.regs, Reg.RIP).toString(16)}; delivery is not implemented, killing the process`);
    this.killGroup(t.tg, signo);
    return false;
  }

  /** exit_group(2): every thread of the process ends; status is the wait status. */
  exitGroup(tg: ThreadGroup, waitStatus: number): void {
    if (tg.exiting) return;
    tg.exiting = true;
    tg.exitStatus = waitStatus;
    this.log.debug(`pid ${tg.pid} exits with wait status 0x${waitStatus.toString(16)}`);
    // Kill the stub, then make every stopped thread's tracer observe the death;
    // running threads see it by themselves. Each reports an Exit stop.
    tg.as.kill();
    for (const t of tg.tasks) {
      if (t.inGuest) continue;
      this.running++;
      t.inGuest = true;
      t.ctx.exit();
    }
  }

  /** Kills a process with a signal's default action (terminate, core). */
  killGroup(tg: ThreadGroup, signo: number): void {
    const core = defaultAction(signo) === DefaultAction.Core;
    this.exitGroup(tg, signo | (core ? 0x80 : 0));
  }

  private taskGone(t: Task): void {
    const tg = t.tg;
    this.byContext.delete(t.ctx);
    tg.tasks.delete(t);
    t.ctx.release();
    if (!tg.exiting && tg.tasks.size === 0) {
      // The stub died under us (killed from outside): report it as SIGKILL.
      tg.exiting = true;
      tg.exitStatus = 9;
    }
    if (tg.tasks.size === 0) this.processGone(tg);
  }

  private processGone(tg: ThreadGroup): void {
    // No wait(2) yet: the process is reaped as it dies.
    if (this.processes.get(tg.pid) === tg) this.processes.delete(tg.pid);
    if (this.currentTask?.tg === tg) this.currentTask = null;
    tg.fds.closeAll();
    tg.mm.destroy();
    tg.as.destroy();
    if (tg === this.initGroup) {
      const s = tg.exitStatus ?? 0;
      const sig = s & 0x7f;
      const result: ExitResult = sig === 0 ? { code: (s >> 8) & 0xff } : { signal: sig };
      this.platform.close();
      this.onInitExit?.(result);
    }
  }
}
