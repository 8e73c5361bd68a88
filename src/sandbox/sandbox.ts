// A long-lived sandbox for the OCI runtime (src/oci): one kernel, one mount
// namespace, the container's first process built at once but started only
// when asked (the OCI "created" state), and later processes started in the
// same kernel and namespace (exec). It also signals, lists, pauses, resumes
// and limits the guest's processes. `tsvisor do` keeps using runSandboxed
// (run.ts); both share the boot pieces exported there.
//
// Pause and resume are SIGSTOP and SIGCONT to every guest process: a guest
// sees them as job-control signals (its parent may be told through wait and
// SIGCHLD), which a cgroup freezer would hide.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CapSet } from '../kernel/capabilities.js';
import { Errno } from '../abi/linux/errno.js';
import { At } from '../abi/linux/stat.js';
import { DefaultAction, defaultAction } from '../abi/linux/signal.js';
import { SYS } from '../abi/linux/syscalls.js';
import { HostStdioFile } from '../fs/host_stdio.js';
import { Credentials } from '../kernel/creds.js';
import { createProcess, resolveProgram } from '../kernel/exec.js';
import { FsContext, SpecialFiles } from '../kernel/fs_context.js';
import { Kernel, type ExitResult } from '../kernel/kernel.js';
import { readHostUsage } from '../kernel/limits.js';
import { KernelLog } from '../kernel/log.js';
import { sendSignal } from '../kernel/signals.js';
import { commOf, type ThreadGroup } from '../kernel/thread_group.js';
import { buildSyscallTable } from '../syscalls/table.js';
import { FdTable } from '../vfs/fd_table.js';
import type { Console } from '../fs/devpts/console.js';
import type { DevptsFs } from '../fs/devpts/devpts.js';
import { adoptHostConsole, closeHostConsole, hostConsoleFdTable } from './guest_console.js';
import { FsStruct, makeCaller, type SpecialOpener } from '../vfs/fs_struct.js';
import { netSysctl } from '../net/inet.js';
import { MountFlag, type MountNamespace } from '../vfs/mount.js';
import { lookupAt } from '../vfs/resolve.js';
import { buildMountNamespace, initFsStruct, MountConfigError, type MountsConfig } from './mounts.js';
import { readProgram } from './program.js';
import { fileSystemFactories, hostFdFlags, SandboxError, type BootState } from './run.js';

/** Capability sets by capability number (the OCI config's names, resolved by src/oci). */
export interface CapabilityNumbers {
  bounding?: number[];
  effective?: number[];
  inheritable?: number[];
  permitted?: number[];
  ambient?: number[];
}

/** A process to start in the sandbox: the OCI `process` object, resolved. */
export interface ProcessConfig {
  /** argv[0] is the program: a path, or a name searched in env's PATH inside the sandbox. */
  argv: string[];
  env: string[];
  /** Absolute working directory inside the sandbox. */
  cwd: string;
  uid?: number;
  gid?: number;
  additionalGids?: number[];
  /** Default 022. */
  umask?: number;
  /** Absent: the default for the user (root: every capability). */
  capabilities?: CapabilityNumbers;
  noNewPrivileges?: boolean;
  /** RLIMIT_* number, soft and hard; null is unlimited. */
  rlimits?: { resource: number; soft: number | null; hard: number | null }[];
}

export interface SandboxConfig {
  hostname?: string;
  mounts: MountsConfig;
  /** Bytes of guest memory (and the default tmpfs size is half of it). Default: a quarter of the host's. */
  memoryLimit?: number;
  /** Most guest threads at once (OCI linux.resources.pids.limit); 0 or absent: no limit. */
  pidsLimit?: number;
  /** Sysctls to set at boot (OCI linux.sysctl, those config.ts accepts): net.ipv4.ip_unprivileged_port_start. */
  sysctl?: Record<string, number>;
  debug?: boolean;
  debugLog?: string;
  strace?: boolean;
}

/** Host descriptors for a process's 0, 1, 2. `owned`: the sandbox closes them once the guest has dropped them. */
export interface Stdio {
  fds: [number, number, number];
  owned: boolean;
  /**
   * A host terminal (the slave of a pty whose master went to an OCI
   * --console-socket): the process gets a terminal of the sandbox, bridged
   * to it, as its stdio and controlling terminal instead of fds (owned
   * as they are).
   */
  terminal?: number;
}

export interface GuestProcessInfo {
  pid: number;
  ppid: number;
  /** The host pid of the stub holding its address space. */
  hostPid: number;
  uid: number;
  comm: string;
  argv: string[];
  /** 'R' running or sleeping, 'T' stopped. */
  state: string;
  threads: number;
}

export interface SandboxStats {
  pids: number;
  memoryUsage: number;
  memoryLimit: number;
  /** CPU time of the guest's stubs in nanoseconds (the sentry's own time not included). */
  cpuNs: number;
}

export interface ExecResult {
  pid: number;
  hostPid: number;
  exited: Promise<ExitResult>;
}

export type SandboxPhase = 'created' | 'running' | 'stopped';

const SIGSTOP = 19;
const SIGCONT = 18;
const SIGKILL = 9;
/** How often exec'd processes are checked for exit, besides the exit hook. */
const EXIT_POLL_MS = 100;

/** A host descriptor the sandbox opened for a guest process: closed when the guest's last reference goes. */
class OwnedStdioFile extends HostStdioFile {
  private held = 0;
  override incRef(): void {
    this.held++;
    super.incRef();
  }
  override decRef(): void {
    super.decRef();
    if (--this.held === 0) {
      try {
        fs.closeSync(this.hostFd);
      } catch {
        // already closed
      }
    }
  }
}

function credentialsFor(p: ProcessConfig): Credentials {
  const uid = p.uid ?? 0;
  const gid = p.gid ?? 0;
  let c = new Credentials(uid, gid, uid, gid, uid, gid, uid, gid, p.additionalGids ?? []);
  const caps = p.capabilities;
  if (caps) {
    const set = (nums: number[] | undefined): CapSet | undefined => (nums === undefined ? CapSet.EMPTY : CapSet.of(...nums));
    c = c.withCaps({
      bounding: set(caps.bounding),
      effective: set(caps.effective),
      inheritable: set(caps.inheritable),
      permitted: set(caps.permitted),
      ambient: set(caps.ambient),
    });
  }
  if (p.noNewPrivileges) {
    c = c.clone();
    c.noNewPrivs = true;
  }
  return c;
}

function decodeWaitStatus(s: number): ExitResult {
  const sig = s & 0x7f;
  return sig === 0 ? { code: (s >> 8) & 0xff } : { signal: sig };
}

/** Whether a signal's default action ends a process (what it does to a container not started yet). */
export function isFatalByDefault(sig: number): boolean {
  if (sig === SIGKILL) return true;
  const d = defaultAction(sig);
  return d === DefaultAction.Term || d === DefaultAction.Core;
}

const ROOT = { uid: 0, gid: 0, euid: 0, fsuid: 0, fsgid: 0, groups: [] as number[] };

export class Sandbox {
  private phaseNow: SandboxPhase = 'created';
  private paused = false;
  /** The kernel runs (an exec before start runs it with the first process held). */
  private kernelRunning = false;
  private finishWith!: (r: ExitResult) => void;
  /** Resolves when the first process has exited and the sandbox is done (or it was killed before it started). */
  readonly exited: Promise<ExitResult>;
  private readonly watched = new Map<ThreadGroup, (r: ExitResult) => void>();
  private pollTimer: ReturnType<typeof setInterval> | null = null;

  private constructor(
    readonly kernel: Kernel,
    readonly log: KernelLog,
    private readonly ns: MountNamespace,
    private readonly special: SpecialOpener,
    private readonly init: ThreadGroup,
    private readonly limits: { pids: number },
    /** The pseudo-terminals of the sandbox's /dev (terminals of processes are made there). */
    private readonly devpts: DevptsFs | undefined,
  ) {
    this.exited = new Promise((resolve) => {
      this.finishWith = resolve;
    });
    const prev = kernel.exitHooks.processExit;
    kernel.exitHooks.processExit = (tg) => {
      prev?.(tg);
      if (this.watched.has(tg)) queueMicrotask(() => this.checkExits());
    };
  }

  /**
   * Boots a sandbox and builds its first process (the program found and
   * loaded), without running it. Throws SandboxError (status 125 for a
   * configuration error, 126 or 127 for the program, as runc reports them).
   */
  static async create(cfg: SandboxConfig, init: ProcessConfig, stdio: Stdio): Promise<Sandbox> {
    const debugLog = cfg.debugLog ?? process.env.TSVISOR_DEBUG_LOG;
    const log = new KernelLog({ debug: cfg.debug || debugLog !== undefined, debugLog, strace: cfg.strace });
    const memoryLimit = cfg.memoryLimit ?? Math.floor(os.totalmem() / 4);
    let kernel: Kernel;
    try {
      kernel = new Kernel({ log, hostname: cfg.hostname, memoryLimit });
    } catch (e) {
      log.close();
      throw new SandboxError(`cannot boot the sandbox: ${(e as Error).message}`, 125);
    }
    const limits = { pids: cfg.pidsLimit ?? 0 };
    const unprivilegedPortStart = cfg.sysctl?.['net.ipv4.ip_unprivileged_port_start'];
    if (unprivilegedPortStart !== undefined) netSysctl.ipUnprivilegedPortStart = unprivilegedPortStart;
    const table = buildSyscallTable(kernel);
    // linux.resources.pids.limit: a new task past the limit is EAGAIN, as the pids cgroup makes fork fail.
    for (const nr of [SYS.fork, SYS.vfork, SYS.clone, SYS.clone3]) {
      const h = table[nr];
      if (!h) continue;
      table[nr] = (t, a) => (limits.pids > 0 && kernel.tasks.size >= limits.pids ? -Errno.EAGAIN : h(t, a));
    }
    kernel.setSyscallTable(table);

    let fsContext: FsContext;
    let ns: MountNamespace;
    let special: SpecialOpener;
    const boot: BootState = { fallback: new SpecialFiles(), described: new Map() };
    try {
      const tmpfsBytes = Math.floor(memoryLimit / 2);
      // A read-only root over the overlay is made read-only once the first process's cwd is made (as runc makes it first).
      const root = cfg.mounts.root;
      const roLater = root.kind === 'host' && root.readOnly && root.overlay;
      const mounts = roLater ? { ...cfg.mounts, root: { ...root, readOnly: false } } : cfg.mounts;
      ns = buildMountNamespace(mounts, fileSystemFactories(kernel, tmpfsBytes, boot), { tmpfsBytes, warn: (msg) => log.debug(msg) });
      special = boot.devices ?? boot.fallback;
      const fsStruct = initFsStruct(ns, init.cwd);
      fsStruct.umask = init.umask ?? 0o022;
      if (roLater) ns.root.flags |= MountFlag.MS_RDONLY;
      fsContext = new FsContext(ns, fsStruct, special);
    } catch (e) {
      log.close();
      if (e instanceof MountConfigError) throw new SandboxError(e.message, 125);
      throw e;
    }
    let tg: ThreadGroup;
    try {
      tg = await makeProcess(kernel, fsContext, init, stdio, boot.devpts);
    } catch (e) {
      log.close();
      throw e;
    }
    log.debug(`sandbox created: pid ${tg.pid} ${JSON.stringify(init.argv)} (stub host pid ${tg.as.hostPid})`);
    return new Sandbox(kernel, log, ns, special, tg, limits, boot.devpts);
  }

  get phase(): SandboxPhase {
    return this.phaseNow;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The first process's guest pid (1) and its stub's host pid. */
  get initPid(): number {
    return this.init.pid;
  }

  /** Runs the first process. */
  start(): void {
    if (this.phaseNow !== 'created') throw new SandboxError(`the sandbox is ${this.phaseNow}, not created`, 1);
    this.phaseNow = 'running';
    if (this.kernelRunning) for (const t of this.init.tasks) this.kernel.resumeTask(t);
    else this.runKernel(false);
  }

  /** Starts the kernel's run loop; with hold, the first process waits for start (execs run beside it). */
  private runKernel(hold: boolean): void {
    this.kernelRunning = true;
    this.kernel.run(this.init, hold).then(
      async (r) => {
        await closeHostConsole(this.init);
        this.finish(r);
      },
      (e: unknown) => {
        this.log.warn(`kernel run failed: ${(e as Error)?.stack ?? String(e)}`);
        this.finish({ signal: SIGKILL });
      },
    );
  }

  private finish(r: ExitResult): void {
    if (this.phaseNow === 'stopped') return;
    this.phaseNow = 'stopped';
    this.paused = false;
    this.log.debug(`sandbox finished: ${JSON.stringify(r)}`);
    for (const [tg, done] of this.watched) done(tg.exitStatus !== undefined ? decodeWaitStatus(tg.exitStatus) : { signal: SIGKILL });
    this.watched.clear();
    this.stopPolling();
    this.finishWith(r);
  }

  /** Ends a sandbox that never started: its first process's stub is killed, and `exited` resolves with r. */
  abort(r: ExitResult): void {
    if (this.phaseNow !== 'created') return;
    try {
      this.init.as.kill();
    } catch {
      // gone already
    }
    this.finish(r);
  }

  /**
   * Starts another process in the sandbox (its own session; no parent
   * inside the sandbox), running or created (as runc: the first process
   * keeps waiting for start).
   */
  async exec(p: ProcessConfig, stdio: Stdio): Promise<ExecResult> {
    if (this.phaseNow === 'stopped') throw new SandboxError('cannot exec in a stopped container', 1);
    const fsStruct = execFsStruct(this.ns, p.cwd, p.umask ?? 0o022);
    const ctx = new FsContext(this.ns, fsStruct, this.special);
    let tg: ThreadGroup;
    try {
      tg = await makeProcess(this.kernel, ctx, p, stdio, this.devpts);
    } catch (e) {
      ctx.release();
      throw e;
    }
    // The sandbox may have finished while the program was read.
    if ((this.phaseNow as SandboxPhase) === 'stopped') {
      tg.as.kill();
      throw new SandboxError('the container stopped', 1);
    }
    const exited = new Promise<ExitResult>((resolve) => this.watched.set(tg, resolve)).then(async (r) => {
      await closeHostConsole(tg);
      return r;
    });
    this.startPolling();
    if (!this.kernelRunning) this.runKernel(true);
    for (const t of tg.tasks) this.kernel.resumeTask(t);
    this.log.debug(`exec: pid ${tg.pid} ${JSON.stringify(p.argv)} (stub host pid ${tg.as.hostPid})`);
    return { pid: tg.pid, hostPid: tg.as.hostPid, exited };
  }

  private startPolling(): void {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.checkExits(), EXIT_POLL_MS);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private checkExits(): void {
    for (const [tg, done] of this.watched) {
      if (!tg.zombie) continue;
      this.watched.delete(tg);
      done(decodeWaitStatus(tg.exitStatus ?? SIGKILL));
    }
    if (this.watched.size === 0) this.stopPolling();
  }

  /** Live (not zombie) guest processes. */
  private live(): ThreadGroup[] {
    return [...this.kernel.processes.values()].filter((tg) => !tg.zombie && !tg.exiting);
  }

  /**
   * Sends sig to the first process (default), to guest pid `pid`, or to every
   * process (`all`). Before start, a signal whose default action ends a
   * process ends the sandbox; others have no effect. Returns 0 or -ESRCH.
   */
  kill(sig: number, target: { all?: boolean; pid?: number } = {}): number {
    if (sig < 0 || sig > 64) return -Errno.EINVAL;
    if (this.phaseNow === 'stopped') return -Errno.ESRCH;
    if (this.phaseNow === 'created') {
      if (target.pid !== undefined && target.pid !== this.init.pid) return -Errno.ESRCH;
      if (sig !== 0 && isFatalByDefault(sig)) this.abort({ signal: sig });
      return 0;
    }
    let targets: ThreadGroup[];
    if (target.all) targets = this.live();
    else {
      const tg = this.kernel.processes.get(target.pid ?? this.init.pid);
      if (!tg || tg.zombie) return -Errno.ESRCH;
      targets = [tg];
    }
    if (sig === 0) return 0;
    for (const tg of targets) sendSignal(this.kernel, tg, sig);
    return 0;
  }

  /** SIGSTOP to every guest process. */
  pause(): void {
    if (this.phaseNow !== 'running') throw new SandboxError('container not running', 1);
    for (const tg of this.live()) sendSignal(this.kernel, tg, SIGSTOP);
    this.paused = true;
  }

  /** SIGCONT to every guest process. */
  resume(): void {
    if (this.phaseNow !== 'running') throw new SandboxError('container not running', 1);
    for (const tg of this.live()) sendSignal(this.kernel, tg, SIGCONT);
    this.paused = false;
  }

  processes(): GuestProcessInfo[] {
    const out: GuestProcessInfo[] = [];
    const list = this.kernelRunning ? this.live() : [this.init];
    for (const tg of list) {
      const leader = tg.leader ?? [...tg.tasks][0];
      out.push({
        pid: tg.pid,
        ppid: tg.ppid,
        hostPid: tg.as.hostPid,
        uid: leader?.creds.uid ?? 0,
        comm: tg.comm,
        argv: [...tg.image.argv],
        state: tg.stopped ? 'T' : 'R',
        threads: tg.tasks.size,
      });
    }
    out.sort((a, b) => a.pid - b.pid);
    return out;
  }

  stats(): SandboxStats {
    let cpuNs = 0;
    const seen = new Set<number>();
    for (const p of this.processes()) {
      if (seen.has(p.hostPid)) continue;
      seen.add(p.hostPid);
      try {
        cpuNs += readHostUsage(p.hostPid).cpuNs;
      } catch {
        // the stub just went
      }
    }
    return { pids: this.kernel.tasks.size, memoryUsage: this.kernel.memoryFile.usedBytes, memoryLimit: this.kernel.memoryFile.limit, cpuNs };
  }

  get pidsLimit(): number {
    return this.limits.pids;
  }

  set pidsLimit(n: number) {
    this.limits.pids = Math.max(0, Math.floor(n));
  }

  get memoryLimit(): number {
    return this.kernel.memoryFile.limit;
  }

  /**
   * Changes the memory limit of the running sandbox (OCI update of
   * linux.resources.memory.limit). As a cgroup v1 memory.limit_in_bytes
   * write, a limit below what the guest uses now is refused (EBUSY); the
   * limit grows only as far as the MemoryFile made at boot (twice the first
   * limit): past that it is refused too, and nothing changes. Returns
   * null, or why the limit did not change.
   */
  setMemoryLimit(bytes: number): string | null {
    const mf = this.kernel.memoryFile;
    if (!(bytes > 0) || !Number.isSafeInteger(bytes)) return `invalid memory limit ${bytes}`;
    if (bytes < mf.usedBytes) return `cannot set the memory limit to ${bytes} bytes: the container uses ${mf.usedBytes} (device or resource busy)`;
    if (bytes > mf.size) return `cannot raise the memory limit to ${bytes} bytes: at most ${mf.size} (twice the limit the container was created with)`;
    if (mf.setLimit(bytes) < 0) return `invalid memory limit ${bytes}`;
    this.log.debug(`memory limit: ${mf.limit} bytes`);
    return null;
  }
}

/** An exec'd process's root and cwd (which must exist, as runc requires) and umask. */
function execFsStruct(ns: MountNamespace, cwd: string, umask: number): FsStruct {
  const boot = new FsStruct(ns.rootPath);
  try {
    const caller = makeCaller(ROOT, boot);
    const target = path.posix.resolve('/', cwd);
    const at = lookupAt(caller, At.AT_FDCWD, target, { follow: true, directory: true });
    if (typeof at === 'number') {
      const why = at === -Errno.ENOENT ? 'no such file or directory' : at === -Errno.ENOTDIR ? 'not a directory' : `errno ${-at}`;
      throw new SandboxError(`chdir to cwd ("${target}") set in config.json failed: ${why}`, 1);
    }
    return new FsStruct(ns.rootPath, at, umask);
  } finally {
    boot.release();
  }
}

/**
 * Finds, reads and loads p's program and makes its process (not yet
 * running). Throws SandboxError; owned stdio descriptors are closed then.
 */
async function makeProcess(kernel: Kernel, fsContext: FsContext, p: ProcessConfig, stdio: Stdio, devpts: DevptsFs | undefined): Promise<ThreadGroup> {
  const closeOwned = (): void => {
    if (!stdio.owned) return;
    for (const fd of stdio.fds) if (fd >= 0) closeQuietly(fd);
    if (stdio.terminal !== undefined) closeQuietly(stdio.terminal);
  };
  let found: Awaited<ReturnType<typeof findProgram>>;
  try {
    found = await findProgram(fsContext, p);
  } catch (e) {
    closeOwned();
    throw e;
  }
  const { creds, exe, interp, argv } = found;
  let fds = new FdTable();
  let con: Console | undefined;
  if (stdio.terminal !== undefined) {
    const made = hostConsoleFdTable(devpts, fsContext, stdio.terminal);
    if (typeof made === 'string') {
      closeOwned();
      throw new SandboxError(made, 125);
    }
    ({ console: con, fds } = made);
    if (stdio.owned) for (const fd of stdio.fds) if (fd >= 0 && fd !== stdio.terminal) closeQuietly(fd);
  } else {
    const names = ['stdin', 'stdout', 'stderr'];
    for (let i = 0; i < 3; i++) {
      const fd = stdio.fds[i];
      const flags = hostFdFlags(fd, i === 0 ? 0o100000 : 0o100001);
      const file = stdio.owned ? new OwnedStdioFile(fd, flags, `host:${names[i]}`) : new HostStdioFile(fd, flags, `host:${names[i]}`);
      fds.installAt(i, file, false);
    }
  }
  const tg = createProcess(kernel, { exe: exe.exe, bytes: exe.bytes, argv, envp: p.env, fsContext, fds, creds, interp });
  if (typeof tg === 'number') {
    fds.closeAll();
    if (con) {
      con.close();
      if (stdio.owned && stdio.terminal !== undefined) closeQuietly(stdio.terminal);
    }
    const why = tg === -Errno.ENOEXEC ? 'exec format error' : `cannot start it (errno ${-tg})`;
    throw new SandboxError(`exec: "${p.argv[0]}": ${why}`, 126);
  }
  // As execve names it (bprm->filename): the path found for argv[0], not the file a symlink leads to (/bin/sh, not busybox).
  tg.comm = commOf(path.posix.basename(p.argv[0]));
  if (con && stdio.terminal !== undefined) adoptHostConsole(con, kernel, tg, stdio.terminal, stdio.owned);
  for (const l of p.rlimits ?? []) {
    const lim = tg.limits.get(l.resource);
    if (!lim) continue;
    lim.cur = l.soft ?? Infinity;
    lim.max = l.hard ?? Infinity;
  }
  return tg;
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // not open
  }
}

/** The program of p, found and read as execve would, with #! and PT_INTERP followed. */
async function findProgram(fsContext: FsContext, p: ProcessConfig) {
  const creds = credentialsFor(p);
  const argv0 = p.argv[0];
  const program = await readProgram(fsContext, creds, argv0, p.env);
  if (typeof program === 'number') {
    if (program === -Errno.ENOENT || program === -Errno.ENOTDIR) {
      const why = argv0.includes('/') ? 'no such file or directory' : 'executable file not found in $PATH';
      throw new SandboxError(`exec: "${argv0}": ${why}`, 127);
    }
    throw new SandboxError(`exec: "${argv0}": ${program === -Errno.EACCES ? 'permission denied' : `cannot read it (errno ${-program})`}`, 126);
  }
  const enc = (x: string): Uint8Array => Buffer.from(x, 'utf8');
  const caller = makeCaller(creds, fsContext.fs, () => undefined, fsContext.special);
  const found = await resolveProgram(
    caller,
    { dirfd: -100, path: Buffer.from(program.exe, 'utf8').toString('latin1'), flags: 0, filename: enc(argv0), argv: p.argv.map(enc) },
    program,
  );
  if (typeof found === 'number') {
    const why = found === -Errno.ENOEXEC ? 'exec format error' : found === -Errno.ENOENT ? 'no such file or directory (its interpreter)' : `cannot start it (errno ${-found})`;
    throw new SandboxError(`exec: "${argv0}": ${why}`, found === -Errno.ENOENT ? 127 : 126);
  }
  const argv = found.argv.map((b) => Buffer.from(b).toString('utf8'));
  return { creds, exe: found.exe, interp: found.interp, argv };
}
