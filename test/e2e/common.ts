// What the Docker and containerd end-to-end tests share: running a command
// with a timeout, the image's root file system (busybox-static and a static
// helper, made from host files, no registry), and starting and stopping the
// daemons by pid. Every daemon runs under a fresh temp dir, and everything
// started is stopped at the end, on failure too.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildC } from '../helpers/cbuild.js';
import { busybox, repoRoot } from '../helpers/paths.js';

export interface Result {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
}

/** Runs cmd to completion (killed after timeoutMs, default 120 s); never rejects. */
export function run(cmd: string, args: string[], o: RunOptions = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: o.env ?? process.env, cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input ?? '');
    const timer = setTimeout(() => {
      err.push(Buffer.from(`\n[e2e: ${cmd} ${args.join(' ')}: timed out after ${o.timeoutMs ?? 120_000} ms; killed]\n`));
      child.kill('SIGKILL');
    }, o.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, signal: null, stdout: '', stderr: `${cmd}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (os.constants.signals[signal!] ?? 0), signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

export function describeResult(what: string, r: Result): string {
  return `${what}: status ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** The first of the paths that is executable, or the name found on PATH, or null. */
export function findTool(...candidates: string[]): string | null {
  for (const c of candidates) {
    if (c.includes('/')) {
      try {
        fs.accessSync(c, fs.constants.X_OK);
        return c;
      } catch {
        continue;
      }
    }
    for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
      const p = path.join(dir || '.', c);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** A short fresh directory (unix socket paths under it must stay below 108 bytes). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join('/tmp', prefix));
}

/** The helper binary (test/e2e/e2e_helper.c), compiled static. */
export async function buildHelper(): Promise<string> {
  return buildC(path.join(repoRoot, 'test', 'e2e', 'e2e_helper.c'), path.join(repoRoot, 'dist', 'test', 'e2e', 'e2e_helper'));
}

/**
 * A root file system at dir: /bin/busybox with a symlink per applet,
 * /bin/e2e_helper, /etc/passwd and /etc/group (root, a user 1000, nobody),
 * and empty /tmp, /root, /home/user.
 */
export async function makeRootfs(dir: string): Promise<void> {
  if (!fs.existsSync(busybox)) throw new Error(`${busybox} is missing (apt-get install busybox-static)`);
  const helper = await buildHelper();
  for (const d of ['bin', 'etc', 'tmp', 'root', 'home/user', 'proc', 'sys', 'dev']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.copyFileSync(busybox, path.join(dir, 'bin', 'busybox'));
  fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
  fs.copyFileSync(helper, path.join(dir, 'bin', 'e2e_helper'));
  fs.chmodSync(path.join(dir, 'bin', 'e2e_helper'), 0o755);
  const list = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error(`busybox --list: ${list.stderr}`);
  for (const applet of list.stdout.split('\n').filter((a) => a && a !== 'busybox')) {
    const link = path.join(dir, 'bin', applet);
    if (!fs.existsSync(link)) fs.symlinkSync('busybox', link);
  }
  fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n');
  fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n');
}

/** Alive: exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** SIGTERM, then SIGKILL after graceMs; waits until the process is gone (or a zombie of someone else). */
export async function stopPid(pid: number, graceMs = 15_000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  const end = Date.now() + 5000;
  while (alive(pid) && Date.now() < end) await sleep(50);
}

/** A daemon started by the tests: its pid, log file, and a way to wait for it to be ready. */
export class Daemon {
  private constructor(
    readonly pid: number,
    readonly logFile: string,
    private readonly exited: Promise<void>,
  ) {}

  /** Starts cmd with stdout and stderr in logFile; it is ready once ready() returns true (polled). */
  static async start(cmd: string, args: string[], logFile: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<Daemon> {
    const log = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${cmd}`);
    let gone = false;
    const exited = new Promise<void>((resolve) => child.once('exit', () => {
      gone = true;
      resolve();
    }));
    const d = new Daemon(pid, logFile, exited);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (gone) throw new Error(`${cmd} exited at start; its log:\n${d.tail()}`);
      if (await ready()) return d;
      if (Date.now() > deadline) {
        await d.stop();
        throw new Error(`${cmd} was not ready after ${timeoutMs} ms; its log:\n${d.tail()}`);
      }
      await sleep(200);
    }
  }

  /** The last lines of its log. */
  tail(lines = 30): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    await stopPid(this.pid, 20_000);
    await Promise.race([this.exited, sleep(1000)]);
  }
}

/**
 * The sandbox processes of tsvisor containers whose state lives under root
 * (left behind by a test that failed half-way): killed by their recorded pid,
 * if that pid is still the same process (its start time matches).
 */
export function killLeftSandboxes(root: string): number {
  let killed = 0;
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isFile() && e.name === 'state.json') {
        try {
          const st = JSON.parse(fs.readFileSync(p, 'utf8')) as { sandboxPid?: number; sandboxStart?: string };
          const pid = st.sandboxPid;
          if (!pid || !alive(pid)) continue;
          const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
          const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
          if (st.sandboxStart && start !== st.sandboxStart) continue;
          process.kill(pid, 'SIGKILL');
          killed++;
        } catch {
          // gone, or not ours
        }
      } else if (e.isDirectory() && depth < 6) walk(p, depth + 1);
    }
  };
  walk(root, 0);
  return killed;
}

/**
 * Processes started, through a daemon of the tests, with a path under dir
 * on their command line (containerd shims left behind by a test that
 * failed half-way; their daemon is gone): SIGKILLed by pid.
 */
export function killLeftProcesses(dir: string): number {
  let killed = 0;
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!(pid > 1) || pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmdline.split('\0').some((a) => a.includes(dir + '/'))) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // gone
    }
  }
  return killed;
}

/** The CPU cgroups tsvisor made for containers whose state is under root (cgroups.json): removed once empty. */
export async function removeLeftCgroups(root: string): Promise<void> {
  const dirs: string[] = [];
  const walk = (d: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isFile() && e.name === 'cgroups.json') {
        try {
          dirs.push(...(JSON.parse(fs.readFileSync(p, 'utf8')) as { dirs: string[] }).dirs.filter((x) => x.startsWith('/sys/fs/cgroup/')));
        } catch {
          // not ours
        }
      } else if (e.isDirectory() && depth < 6) walk(p, depth + 1);
    }
  };
  walk(root, 0);
  for (const d of dirs) {
    for (let i = 0; i < 50; i++) {
      try {
        fs.rmdirSync(d);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EBUSY') break;
        await sleep(100);
      }
    }
  }
}

/** Unmounts whatever is still mounted under dir (deepest first), lazily. */
export function unmountUnder(dir: string): void {
  let lines: string[];
  try {
    lines = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  } catch {
    return;
  }
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const points = lines
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescape)
    .filter((p) => p === dir || p.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const p of points) spawnSync('umount', ['-l', p]);
}

/** Removes a test's temp dir once nothing is mounted in it any more. */
export function removeTree(dir: string): void {
  unmountUnder(dir);
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // a busy mount: left for the next boot's /tmp
  }
}
