// The OCI runtime operations behind the command line (runtime.md
// "Operations", with runc's behaviour where the spec is silent): create,
// start, run, exec, kill, delete, state, list, ps, pause, resume, wait,
// events, update. Each is one short-lived CLI process; the container lives
// in its sandbox process (src/oci/server.ts), found through the state
// directory under --root.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExitResult } from '../kernel/kernel.js';
import type { ProcessConfig } from '../sandbox/sandbox.js';
import { applyCpu, CGROUPS_FILE, readCgroups, removeCgroups, setUpCgroups, type CpuResources } from './cgroups.js';
import { ConfigError, loadBundle, type ContainerConfig } from './config.js';
import { ControlClient, ControlUnreachable, request, type Reply, type Request } from './control.js';
import { runHooks } from './hooks.js';
import { inOwnNamespaces } from './host_namespaces.js';
import { closeQuietly, copyToStdio, setUpTerminal, type TerminalRequest } from './terminal.js';
import type { RuntimeLog } from './log.js';
import type { LaunchConfig, ReadyReport } from './server.js';
import type { OciState } from './spec.js';
import { checkOperation, processAlive, processStat, StateStore, validId, writeAtomic, type Operation, type Status, type StoredState } from './state.js';

/** An operation failed: the message is what runc would print; exitCode is the CLI's status. */
export class RuntimeError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export interface RuntimeOptions {
  /** The state root (--root). */
  root: string;
  log: RuntimeLog;
  debug?: boolean;
  /** The sandbox's debug log (--debug-log), with %ID% and %COMMAND% replaced. */
  debugLog?: string;
  strace?: boolean;
  /** Writes to the root file system stay in memory (default true). */
  overlay?: boolean;
  /** The global arguments as given, for the CLI to run itself again (exec --detach). */
  globalArgs?: string[];
}

export interface CreateOptions {
  bundle?: string;
  pidFile?: string;
  consoleSocket?: string;
  /** Keep the sandbox process as a child to wait for (run without --detach). */
  keepChild?: boolean;
}

/** How long create waits for the sandbox to report that the first process is built. */
const READY_TIMEOUT_MS = 120_000;
/** How long delete and kill wait for a killed sandbox process to go. */
const GONE_TIMEOUT_MS = 10_000;

/** The CLI's entry script (bin/tsvisor.js), to start sandbox processes and detached execs with. */
export function entryScript(): string {
  const argv1 = process.argv[1];
  if (argv1 && /tsvisor(\.js|\.mjs|\.cjs)?$/.test(argv1)) return path.resolve(argv1);
  return fileURLToPath(new URL('../../../bin/tsvisor.js', import.meta.url));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function exitStatus(r: ExitResult): number {
  return r.signal !== undefined ? 128 + r.signal : (r.code ?? 0);
}

/** Reads the report a child writes on its descriptor 3 (a JSON line), or what its early exit says. */
function readReport(child: ChildProcess, timeoutMs: number): Promise<ReadyReport> {
  const sock = child.stdio[3] as net.Socket | null;
  return new Promise((resolve) => {
    let buf = '';
    let done = false;
    const finish = (r: ReadyReport): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock?.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ error: `no answer from the sandbox process after ${timeoutMs / 1000}s` }), timeoutMs);
    sock?.setEncoding('utf8');
    sock?.on('data', (d: string) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) {
        try {
          finish(JSON.parse(buf.slice(0, i)) as ReadyReport);
        } catch {
          finish({ error: `bad report from the sandbox process: ${buf.slice(0, i)}` });
        }
      }
    });
    sock?.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      // Data may still be in flight: give it a moment.
      setTimeout(() => finish({ error: `the sandbox process exited (${signal ? `signal ${signal}` : `status ${code}`}) before it was ready` }), 50);
    });
    child.once('error', (e) => finish({ error: `cannot start the sandbox process: ${e.message}` }));
  });
}

export class Runtime {
  readonly store: StateStore;

  constructor(readonly opts: RuntimeOptions) {
    this.store = new StateStore(opts.root);
  }

  private get log(): RuntimeLog {
    return this.opts.log;
  }

  /** The stored state of id, or a "does not exist" error (containerd looks for those words). */
  load(id: string): StoredState {
    const st = validId(id) ? this.store.read(id) : null;
    if (!st) throw new RuntimeError(`container "${id}" does not exist`);
    return st;
  }

  status(st: StoredState): Status {
    return this.store.status(st);
  }

  private check(op: Operation, st: StoredState, opts: { force?: boolean; ignorePaused?: boolean } = {}): Status {
    const status = this.status(st);
    const err = checkOperation(op, status, st.id, opts);
    if (err) throw new RuntimeError(err);
    return status;
  }

  private debugLogFor(id: string, command: string): string | undefined {
    const p = this.opts.debugLog;
    if (!p) return undefined;
    return p.replace(/%ID%/g, id).replace(/%COMMAND%/g, command).replace(/%TIMESTAMP%/g, String(Date.now()));
  }

  /** Kills the sandbox process (SIGKILL: its stubs die with it) and waits until it is gone. */
  async killSandbox(st: StoredState): Promise<void> {
    if (!processAlive(st.sandboxPid, st.sandboxStart)) return;
    try {
      process.kill(st.sandboxPid, 'SIGKILL');
    } catch {
      return;
    }
    const deadline = Date.now() + GONE_TIMEOUT_MS;
    while (processAlive(st.sandboxPid, st.sandboxStart)) {
      if (Date.now() > deadline) throw new RuntimeError(`the sandbox process ${st.sandboxPid} does not die`);
      await sleep(10);
    }
  }

  // --- create, start, run ---------------------------------------------------------------------

  async create(id: string, o: CreateOptions): Promise<{ child: ChildProcess; state: StoredState; terminalMaster?: number }> {
    if (!validId(id)) throw new RuntimeError(`invalid id format: ${id}`);
    const bundle = path.resolve(o.bundle ?? process.cwd());
    let cfg: ContainerConfig;
    try {
      cfg = loadBundle(bundle, { overlay: this.opts.overlay });
    } catch (e) {
      if (e instanceof ConfigError) throw new RuntimeError(`config.json: ${e.message}`);
      throw e;
    }
    for (const w of cfg.warnings) this.log.warn(w);
    checkTerminal(cfg.terminal, o.consoleSocket, !o.keepChild);
    if (!this.store.create(id)) throw new RuntimeError(`container with id exists: ${id}`);
    const dir = this.store.dir(id);
    let child: ChildProcess | undefined;
    let st: StoredState | undefined;
    let term: { slave: number; master?: number } | undefined;
    try {
      const launch: LaunchConfig = {
        id,
        sandbox: {
          hostname: cfg.hostname,
          mounts: cfg.mounts,
          memoryLimit: cfg.memoryLimit,
          pidsLimit: cfg.pidsLimit,
          sysctl: cfg.sysctl,
          debug: this.opts.debug,
          debugLog: this.debugLogFor(id, 'boot'),
          strace: this.opts.strace,
        },
        process: cfg.process,
        terminal: cfg.terminal || undefined,
      };
      writeAtomic(path.join(dir, 'launch.json'), JSON.stringify(launch) + '\n');
      // CPU limits: the container's cgroup, which the sandbox process joins before it boots.
      if (cfg.cpu || cfg.cgroupsPath) {
        const cg = setUpCgroups(cfg.cgroupsPath, id, cfg.cpu ?? {}, (m) => this.log.warn(m));
        if (cg) writeAtomic(path.join(dir, CGROUPS_FILE), JSON.stringify(cg) + '\n');
      }
      // A terminal: a host pty, its master sent to the console socket (or kept for run), its slave the sandbox's TERMINAL_FD.
      if (cfg.terminal) term = setUpTerminal({ consoleSocket: o.consoleSocket, size: cfg.consoleSize });
      // The sandbox process: detached (its own session), the container's stdio are ours.
      // In namespaces of its own (host_namespaces.ts): hooks that join its network namespace change nothing of the host's.
      const cmd = inOwnNamespaces([process.execPath, entryScript(), 'sandbox-serve', dir]);
      if (!cmd.isolated) this.log.debug('the sandbox process shares the host network namespace (not root, or no unshare)');
      child = spawn(cmd.file, cmd.args, {
        cwd: dir,
        detached: true,
        // With a terminal the container's stdio is the pty (the slave is TERMINAL_FD); the CLI's own
        // stdio is not kept open, or a caller waiting for its end (go-runc, for `docker run -it`) hangs.
        stdio: term ? ['ignore', 'ignore', 'ignore', 'pipe', term.slave] : [0, 1, 2, 'pipe'],
        env: process.env,
      });
      if (term) closeQuietly(term.slave);
      const pid = child.pid;
      if (pid === undefined) throw new RuntimeError('cannot start the sandbox process');
      st = {
        ociVersion: cfg.ociVersion,
        id,
        status: 'creating',
        bundle,
        rootfs: cfg.rootfs,
        created: new Date().toISOString(),
        owner: safeUsername(),
        annotations: cfg.annotations,
        sandboxPid: pid,
        sandboxStart: processStat(pid)?.start ?? '',
        hooks: cfg.hooks,
      };
      // Recorded before anything can fail, so that delete --force finds the process.
      this.store.write(st);
      const ready = await readReport(child, READY_TIMEOUT_MS);
      if (!ready.ready) throw new RuntimeError(ready.error ?? 'the sandbox did not start', 1);
      this.log.debug(`container ${id}: sandbox process ${pid} ready (first process's stub: host pid ${ready.initHostPid})`);
      const creating: OciState = { ...this.store.ociState(st, 'creating') };
      for (const kind of ['prestart', 'createRuntime', 'createContainer'] as const) await runHooks(kind, cfg.hooks[kind], creating, bundle);
      st.status = 'created';
      this.store.write(st);
      if (o.pidFile) writeAtomic(path.resolve(o.pidFile), String(pid), 0o644);
      if (!o.keepChild) child.unref();
      return { child, state: st, terminalMaster: term?.master };
    } catch (e) {
      if (term?.master !== undefined) closeQuietly(term.master);
      if (child?.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // gone
        }
        if (st) await this.killSandbox(st).catch(() => undefined);
      }
      await this.dropCgroups(id);
      this.store.remove(id);
      if (e instanceof RuntimeError) throw e;
      throw new RuntimeError((e as Error).message);
    }
  }

  async start(id: string): Promise<void> {
    const st = this.load(id);
    this.check('start', st);
    const cwd = fs.existsSync(st.bundle) ? st.bundle : '/';
    try {
      await runHooks('startContainer', st.hooks.startContainer, this.store.ociState(st, 'created'), cwd);
    } catch (e) {
      await this.killSandbox(st);
      throw new RuntimeError((e as Error).message);
    }
    const r = await this.control(st, { op: 'start' });
    if (!r.ok) throw new RuntimeError(r.error ?? 'cannot start the container');
    st.status = 'running';
    this.store.write(st);
    try {
      await runHooks('poststart', st.hooks.poststart, this.store.ociState(st, 'running'), cwd);
    } catch (e) {
      // As runc: a failing poststart hook takes the container down.
      await this.killSandbox(st);
      throw new RuntimeError((e as Error).message);
    }
  }

  /** create + start; without detach, waits for the container and deletes it (unless keep). Returns the status. */
  async run(id: string, o: CreateOptions & { detach?: boolean; keep?: boolean }): Promise<number> {
    // In the foreground, the signals this process gets go to the container (those before it runs, once it does).
    let started = false;
    const pending: NodeJS.Signals[] = [];
    const forward = (s: NodeJS.Signals): void => {
      if (!started) pending.push(s);
      else void this.kill(id, os.constants.signals[s]).catch(() => undefined);
    };
    const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
    const unforward = (): void => {
      for (const s of sigs) process.off(s, forward);
    };
    if (!o.detach) for (const s of sigs) process.on(s, forward);
    let child: ChildProcess;
    let master: number | undefined;
    try {
      ({ child, terminalMaster: master } = await this.create(id, { ...o, keepChild: !o.detach }));
    } catch (e) {
      unforward();
      throw e;
    }
    const exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => resolve(signal ? 128 + (os.constants.signals[signal] ?? 9) : (code ?? 0)));
    });
    try {
      await this.start(id);
    } catch (e) {
      unforward();
      if (master !== undefined) closeQuietly(master);
      await this.delete(id, true).catch(() => undefined);
      throw e;
    }
    if (o.detach) return 0;
    started = true;
    for (const s of pending.splice(0)) forward(s);
    // A terminal without a console socket: the container's terminal is copied to ours.
    const copy = master !== undefined ? copyToStdio(master) : undefined;
    const status = await exited;
    await copy?.finish();
    if (master !== undefined) closeQuietly(master);
    unforward();
    const ex = this.store.readExit(id);
    if (!o.keep) await this.delete(id, true);
    return ex?.status ?? status;
  }

  // --- signals and teardown -------------------------------------------------------------------

  /** A control request; an unreachable sandbox is an error naming the container. */
  private async control(st: StoredState, req: Request): Promise<Reply> {
    try {
      return await request(this.store.dir(st.id), req);
    } catch (e) {
      if (e instanceof ControlUnreachable) {
        if (!processAlive(st.sandboxPid, st.sandboxStart)) throw new RuntimeError('container not running');
        throw new RuntimeError(`container ${st.id}: ${e.message}`);
      }
      throw e;
    }
  }

  async kill(id: string, signal: number, all = false): Promise<void> {
    const st = this.load(id);
    this.check('kill', st);
    try {
      const r = await request(this.store.dir(id), { op: 'kill', signal, all });
      if (!r.ok) throw new RuntimeError(r.error ?? 'kill failed');
    } catch (e) {
      if (!(e instanceof ControlUnreachable)) throw e;
      // No control socket (the sandbox is still booting, or wedged): the host signal goes to the sandbox process.
      if (!processAlive(st.sandboxPid, st.sandboxStart)) throw new RuntimeError('container not running');
      this.log.debug(`kill ${id}: ${e.message}; signalling the sandbox process ${st.sandboxPid}`);
      try {
        process.kill(st.sandboxPid, signal === 9 ? 'SIGKILL' : signal);
      } catch {
        throw new RuntimeError('container not running');
      }
    }
  }

  /** delete [--force]: stopped (or created) containers go; running ones only with force (killed first). */
  async delete(id: string, force: boolean): Promise<void> {
    const st = validId(id) ? this.store.read(id) : null;
    if (!st) {
      // An aborted create may leave a directory without state: it goes too (as runc).
      if (validId(id) && this.store.exists(id)) {
        await this.dropCgroups(id);
        this.store.remove(id);
        return;
      }
      if (force) return;
      throw new RuntimeError(`container "${id}" does not exist`);
    }
    this.check('delete', st, { force });
    // Running (with force) or created: killed. Stopped: a sandbox process still on its way out (exit.json written) goes too.
    await this.killSandbox(st);
    const cwd = fs.existsSync(st.bundle) ? st.bundle : '/';
    try {
      await runHooks('poststop', st.hooks.poststop, this.store.ociState(st, 'stopped'), cwd);
    } catch (e) {
      this.log.warn((e as Error).message);
    }
    await this.dropCgroups(id);
    this.store.remove(id);
  }

  /** Removes the container's cgroups (its processes gone). */
  private async dropCgroups(id: string): Promise<void> {
    const cg = readCgroups(this.store.dir(id));
    if (cg) await removeCgroups(cg);
  }

  // --- queries ----------------------------------------------------------------------------------

  state(id: string): OciState {
    const st = this.load(id);
    return this.store.ociState(st);
  }

  list(): OciState[] {
    const out: OciState[] = [];
    for (const id of this.store.list()) {
      const st = this.store.read(id);
      if (st) out.push(this.store.ociState(st));
    }
    return out;
  }

  async processes(id: string): Promise<NonNullable<Reply['processes']>> {
    const st = this.load(id);
    this.check('ps', st);
    const r = await this.control(st, { op: 'ps' });
    if (!r.ok) throw new RuntimeError(r.error ?? 'ps failed');
    return r.processes ?? [];
  }

  async stats(id: string): Promise<NonNullable<Reply['stats']>> {
    const st = this.load(id);
    this.check('events', st);
    const r = await this.control(st, { op: 'stats' });
    if (!r.ok || !r.stats) throw new RuntimeError(r.error ?? 'stats failed');
    return r.stats;
  }

  async pause(id: string): Promise<void> {
    const st = this.load(id);
    this.check('pause', st);
    const r = await this.control(st, { op: 'pause' });
    if (!r.ok) throw new RuntimeError(r.error ?? 'pause failed');
    st.status = 'paused';
    this.store.write(st);
  }

  async resume(id: string): Promise<void> {
    const st = this.load(id);
    this.check('resume', st);
    const r = await this.control(st, { op: 'resume' });
    if (!r.ok) throw new RuntimeError(r.error ?? 'resume failed');
    st.status = 'running';
    this.store.write(st);
  }

  async update(id: string, res: { pidsLimit?: number; memoryLimit?: number; cpu?: CpuResources }): Promise<string[]> {
    const st = this.load(id);
    this.check('update', st);
    const warnings: string[] = [];
    const { cpu, ...limits } = res;
    if (cpu && Object.keys(cpu).length > 0) {
      const cg = readCgroups(this.store.dir(id));
      if (!cg) warnings.push('the CPU limits are not applied: the container has no cgroup');
      else {
        try {
          warnings.push(...applyCpu(cg, cpu));
        } catch (e) {
          throw new RuntimeError(`cannot set the CPU limits: ${(e as Error).message}`);
        }
      }
    }
    const r = await this.control(st, { op: 'update', ...limits });
    if (!r.ok) throw new RuntimeError(r.error ?? 'update failed');
    return [...warnings, ...(r.warnings ?? [])];
  }

  /** Waits for the container's first process; its status (code, or 128+N). */
  async wait(id: string): Promise<number> {
    const st = this.load(id);
    const ex = this.store.readExit(id);
    if (ex) return ex.status;
    if (this.status(st) !== 'stopped') {
      try {
        const c = await ControlClient.connect(this.store.dir(id));
        c.send({ op: 'wait' });
        const r = await c.next();
        c.close();
        if (r?.exit) return exitStatus(r.exit);
      } catch (e) {
        if (!(e instanceof ControlUnreachable)) throw e;
      }
      // The sandbox went without answering: its exit file, or wait for the process to go.
      while (processAlive(st.sandboxPid, st.sandboxStart) && !this.store.readExit(id)) await sleep(20);
    }
    const after = this.store.readExit(id);
    if (after) return after.status;
    throw new RuntimeError(`container ${id} stopped, but its exit status is unknown (the sandbox process was killed)`);
  }

  // --- exec -------------------------------------------------------------------------------------

  /** The container's own process, the base of an exec without --process. */
  containerProcess(id: string): ProcessConfig {
    try {
      const launch = JSON.parse(fs.readFileSync(path.join(this.store.dir(id), 'launch.json'), 'utf8')) as LaunchConfig;
      return launch.process;
    } catch {
      throw new RuntimeError(`container "${id}" does not exist`);
    }
  }

  /**
   * Runs p in the container and waits for it; returns its status. With
   * detach, a copy of the CLI (its pid in pidFile) waits for it instead, and
   * this returns 0 once the process has started. readyFd: where a detached
   * copy reports that the process started.
   */
  async exec(id: string, p: ProcessConfig, o: { detach?: boolean; pidFile?: string; ignorePaused?: boolean; readyFd?: number; terminal?: TerminalRequest }): Promise<number> {
    const st = this.load(id);
    this.check('exec', st, { ignorePaused: o.ignorePaused });
    if (o.terminal) {
      try {
        checkTerminal(true, o.terminal.consoleSocket, o.detach === true);
      } catch (e) {
        throw new RuntimeError(`exec failed: ${(e as Error).message}`, 255);
      }
    }
    if (o.detach) {
      const child = spawn(process.execPath, [entryScript(), ...(this.opts.globalArgs ?? []), 'exec-child', id], {
        detached: true,
        stdio: [0, 1, 2, 'pipe'],
        env: { ...process.env, TSVISOR_EXEC_PROCESS: JSON.stringify(p), ...(o.terminal ? { TSVISOR_EXEC_TERMINAL: JSON.stringify(o.terminal) } : {}) },
      });
      const r = await readReport(child, READY_TIMEOUT_MS);
      if (!r.ready) {
        try {
          if (child.pid) process.kill(child.pid, 'SIGKILL');
        } catch {
          // gone
        }
        throw new RuntimeError(`exec failed: ${r.error ?? 'unknown error'}`, 255);
      }
      if (o.pidFile && child.pid !== undefined) writeAtomic(path.resolve(o.pidFile), String(child.pid), 0o644);
      child.unref();
      return 0;
    }
    let c: ControlClient;
    try {
      c = await ControlClient.connect(this.store.dir(id));
    } catch (e) {
      throw new RuntimeError(`exec failed: ${(e as Error).message}`, 255);
    }
    let term: { slave: number; master?: number } | undefined;
    try {
      if (o.terminal) term = setUpTerminal(o.terminal);
    } catch (e) {
      c.close();
      throw new RuntimeError(`exec failed: ${(e as Error).message}`, 255);
    }
    c.send({ op: 'exec', process: p, clientPid: process.pid, terminal: term?.slave });
    const first = await c.next();
    // The sandbox has opened the terminal again (or failed): our slave goes.
    if (term) closeQuietly(term.slave);
    if (!first?.ok || first.pid === undefined) {
      c.close();
      if (term?.master !== undefined) closeQuietly(term.master);
      throw new RuntimeError(`exec failed: ${first?.error ?? 'the sandbox hung up'}`, 255);
    }
    const copy = term?.master !== undefined ? copyToStdio(term.master) : undefined;
    const guestPid = first.pid;
    if (o.pidFile) writeAtomic(path.resolve(o.pidFile), String(process.pid), 0o644);
    if (o.readyFd !== undefined) {
      try {
        fs.writeSync(o.readyFd, JSON.stringify({ ready: true } satisfies ReadyReport) + '\n');
        fs.closeSync(o.readyFd);
      } catch {
        // the parent went away
      }
    }
    const forward = (s: NodeJS.Signals): void => {
      void request(this.store.dir(id), { op: 'kill', signal: os.constants.signals[s], pid: guestPid }).catch(() => undefined);
    };
    const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
    for (const s of sigs) process.on(s, forward);
    const end = await c.next();
    c.close();
    await copy?.finish();
    if (term?.master !== undefined) closeQuietly(term.master);
    for (const s of sigs) process.off(s, forward);
    await skipToEnd();
    // The sandbox went with the process (the container stopped): killed.
    return end?.exit ? exitStatus(end.exit) : 137;
  }
}

/**
 * After an exec whose stdout or stderr is a regular file: the guest wrote
 * through its own description (O_APPEND), so ours (shared with the shell
 * that redirected it) is moved to the end, and what the shell writes next
 * comes after the guest's output instead of over it.
 */
async function skipToEnd(): Promise<void> {
  const files = [1, 2].filter((fd) => {
    try {
      return fs.fstatSync(fd).isFile();
    } catch {
      return false;
    }
  });
  if (files.length === 0) return;
  const { native } = await import('../platform/native.js');
  for (const fd of files) native().hostfsLseek(fd, 0, 2);
}

/**
 * runc's rules for a terminal and a console socket: a socket needs a
 * terminal; a terminal of a process the CLI does not stay with (create,
 * --detach) needs a socket to send it to.
 */
function checkTerminal(terminal: boolean, consoleSocket: string | undefined, detached: boolean): void {
  if (consoleSocket !== undefined && !terminal) throw new RuntimeError('cannot use console socket if runtime will not detach or allocate tty');
  if (terminal && consoleSocket === undefined && detached) throw new RuntimeError('cannot allocate tty if runtime will detach without setting console socket');
}

function safeUsername(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '');
  }
}

/** `ps` in table form: the host's `ps ARGS` (default -ef) rows of the container's host pids, as runc prints it. */
export function hostPsTable(pids: number[], psArgs: string[]): string {
  const r = spawnSync('ps', psArgs.length > 0 ? psArgs : ['-ef'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new RuntimeError(`ps: ${r.error?.message ?? r.stderr.trim()}`);
  const lines = r.stdout.split('\n');
  const header = lines[0] ?? '';
  const col = header.trim().split(/\s+/).indexOf('PID');
  if (col < 0) throw new RuntimeError("couldn't find PID field in ps output");
  const want = new Set(pids);
  const rows = lines.slice(1).filter((l) => l.trim() !== '' && want.has(Number(l.trim().split(/\s+/)[col])));
  return [header, ...rows].join('\n') + '\n';
}
