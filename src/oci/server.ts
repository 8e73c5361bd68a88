// The sandbox process of one container (`tsvisor sandbox-serve DIR`, started
// detached in its own session by `create`): boots the sandbox from
// DIR/launch.json with its own stdio as the container's, builds the first
// process, reports on its ready descriptor, then serves the control socket
// (start, exec, kill, ps, pause, resume, wait, stats, update). When the
// first process exits it writes DIR/exit.json and exits with the
// container's status (the code, or 128+N for signal N): the pid in the
// --pid-file is this process, so the shim reaps the container's status
// from it. Catchable signals sent to it (SIGTERM, SIGINT, SIGHUP, SIGQUIT,
// SIGUSR1, SIGUSR2) are passed on to the container's first process;
// SIGKILL ends it and its stubs at once (they die with their tracer).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ExitResult } from '../kernel/kernel.js';
import { native } from '../platform/native.js';
import { SandboxError } from '../sandbox/run.js';
import { Sandbox, type ProcessConfig, type SandboxConfig, type Stdio } from '../sandbox/sandbox.js';
import { joinCgroups, readCgroups } from './cgroups.js';
import { socketAddress, type Reply, type Request } from './control.js';
import { writeAtomic, type ExitInfo } from './state.js';
import { TERMINAL_FD } from './terminal.js';

/** What the CLI writes to DIR/launch.json for the sandbox process. */
export interface LaunchConfig {
  id: string;
  sandbox: SandboxConfig;
  process: ProcessConfig;
  /** process.terminal: the first process's host terminal is descriptor TERMINAL_FD (src/oci/terminal.ts). */
  terminal?: boolean;
}

/** The first line the sandbox process writes on its ready descriptor. */
export interface ReadyReport {
  ready?: boolean;
  error?: string;
  /** 125 for a configuration error, 126/127 for the program (as a shell would report it). */
  status?: number;
  initHostPid?: number;
}

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
const O_APPEND = 0o2000;
const O_ACCMODE = 3;

/** Writes the report; false if the CLI that waits for it has gone. */
function report(fd: number, r: ReadyReport): boolean {
  let ok = true;
  try {
    fs.writeSync(fd, JSON.stringify(r) + '\n');
  } catch {
    ok = false;
  }
  try {
    fs.closeSync(fd);
  } catch {
    // closed
  }
  return ok;
}

/**
 * The exec client's stdin, stdout and stderr, opened again through
 * /proc/PID/fd: a new description of the same pipe, FIFO, terminal or
 * file, with the client's access mode and O_APPEND (what Docker and
 * containerd pass, pipes and FIFOs, behave exactly as the client's own
 * descriptors). A regular file gets the client's offset, and is written
 * with O_APPEND: without descriptor passing the offset cannot be shared.
 * A descriptor that cannot be opened that way (a socket, or a closed one)
 * becomes /dev/null.
 */
function openClientStdio(pid: number, warn: (m: string) => void): [number, number, number] {
  const fds: number[] = [];
  for (let n = 0; n < 3; n++) {
    let flags = n === 0 ? fs.constants.O_RDONLY : fs.constants.O_WRONLY;
    let pos = 0;
    try {
      const info = fs.readFileSync(`/proc/${pid}/fdinfo/${n}`, 'utf8');
      const m = /^flags:\s+([0-7]+)/m.exec(info);
      if (m) flags = parseInt(m[1], 8) & (O_ACCMODE | O_APPEND);
      pos = Number(/^pos:\s+(\d+)/m.exec(info)?.[1] ?? 0);
    } catch {
      // closed: /dev/null below
    }
    let fd: number;
    try {
      const src = `/proc/${pid}/fd/${n}`;
      const regular = fs.statSync(src).isFile();
      if (regular && (flags & O_ACCMODE) !== fs.constants.O_RDONLY) flags |= O_APPEND;
      fd = fs.openSync(src, flags | fs.constants.O_NOCTTY);
      if (regular && pos > 0 && (flags & O_APPEND) === 0) native().hostfsLseek(fd, pos, 0);
    } catch (e) {
      warn(`exec: the client's descriptor ${n} cannot be opened again (${(e as NodeJS.ErrnoException).code}); /dev/null instead`);
      fd = fs.openSync('/dev/null', flags & O_ACCMODE);
    }
    fds.push(fd);
  }
  return fds as [number, number, number];
}

/** An exec client's host terminal (its descriptor fd, a pty slave), opened again for the process's terminal. */
function openClientTerminal(pid: number, fd: number): Stdio {
  if (!Number.isInteger(fd) || fd < 0) throw new Error(`bad terminal descriptor ${fd}`);
  const t = fs.openSync(`/proc/${pid}/fd/${fd}`, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  return { fds: [-1, -1, -1], owned: true, terminal: t };
}

function exitStatus(r: ExitResult): number {
  return r.signal !== undefined ? 128 + r.signal : (r.code ?? 0);
}

export async function serveSandbox(dir: string, readyFd: number): Promise<void> {
  let launch: LaunchConfig;
  try {
    launch = JSON.parse(fs.readFileSync(path.join(dir, 'launch.json'), 'utf8')) as LaunchConfig;
  } catch (e) {
    report(readyFd, { error: `cannot read the launch configuration: ${(e as Error).message}`, status: 125 });
    process.exitCode = 125;
    return;
  }
  // The container's CPU cgroup (made by create): joined before the kernel boots, so every stub is in it too.
  const cgroups = readCgroups(dir);
  if (cgroups) {
    try {
      joinCgroups(cgroups, process.pid);
    } catch (e) {
      report(readyFd, { error: `cannot join the container's cgroup: ${(e as Error).message}`, status: 125 });
      process.exitCode = 125;
      return;
    }
  }
  let sandbox: Sandbox;
  try {
    sandbox = await Sandbox.create(launch.sandbox, launch.process, { fds: [0, 1, 2], owned: false, terminal: launch.terminal ? TERMINAL_FD : undefined });
  } catch (e) {
    const status = e instanceof SandboxError ? e.status : 125;
    report(readyFd, { error: e instanceof SandboxError ? e.message : `cannot boot the sandbox: ${(e as Error)?.stack ?? String(e)}`, status });
    process.exitCode = status;
    return;
  }
  const log = sandbox.log;
  const waiters = new Set<net.Socket>();
  const sockets = new Set<net.Socket>();
  let finished: ExitResult | null = null;

  const send = (sock: net.Socket, r: Reply): void => {
    if (!sock.destroyed) sock.write(JSON.stringify(r) + '\n');
  };

  process.on('uncaughtException', (e) => {
    log.warn(`sandbox process: uncaught exception: ${e?.stack ?? String(e)}`);
    try {
      writeAtomic(path.join(dir, 'exit.json'), JSON.stringify({ code: 255, status: 255, finished: new Date().toISOString() } satisfies ExitInfo) + '\n');
    } catch {
      // the state directory is gone
    }
    process.exit(255);
  });

  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => {
      sockets.delete(sock);
      waiters.delete(sock);
    });
    sock.on('error', () => sock.destroy());
    sock.setEncoding('utf8');
    let buf = '';
    sock.on('data', (d: string) => {
      buf += d;
      for (;;) {
        const i = buf.indexOf('\n');
        if (i < 0) break;
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let req: Request;
        try {
          req = JSON.parse(line) as Request;
        } catch {
          send(sock, { ok: false, error: 'bad request' });
          continue;
        }
        handle(sock, req).catch((e: unknown) => send(sock, { ok: false, error: (e as Error)?.message ?? String(e) }));
      }
    });
  });

  const handle = async (sock: net.Socket, req: Request): Promise<void> => {
    switch (req.op) {
      case 'start':
        sandbox.start();
        log.debug('control: started');
        send(sock, { ok: true });
        return;
      case 'kill': {
        const r = sandbox.kill(req.signal, { all: req.all, pid: req.pid });
        send(sock, r === 0 ? { ok: true } : { ok: false, error: r === -3 ? 'no such process' : `errno ${-r}` });
        return;
      }
      case 'exec': {
        const stdio: Stdio = req.terminal !== undefined ? openClientTerminal(req.clientPid, req.terminal) : { fds: openClientStdio(req.clientPid, (m) => log.warn(m)), owned: true };
        const ex = await sandbox.exec(req.process, stdio);
        send(sock, { ok: true, pid: ex.pid, hostPid: ex.hostPid });
        let done = false;
        // The exec client went away before its process ended: the process goes too.
        sock.on('close', () => {
          if (!done) sandbox.kill(9, { pid: ex.pid });
        });
        const r = await ex.exited;
        done = true;
        send(sock, { ok: true, exit: r });
        return;
      }
      case 'ps':
        send(sock, { ok: true, processes: sandbox.processes() });
        return;
      case 'pause':
        sandbox.pause();
        send(sock, { ok: true });
        return;
      case 'resume':
        sandbox.resume();
        send(sock, { ok: true });
        return;
      case 'wait':
        if (finished) send(sock, { ok: true, exit: finished });
        else waiters.add(sock);
        return;
      case 'stats':
        send(sock, { ok: true, stats: { ...sandbox.stats(), pidsLimit: sandbox.pidsLimit } });
        return;
      case 'update': {
        // The memory limit first: a refused one changes nothing.
        if (req.memoryLimit !== undefined && req.memoryLimit > 0 && req.memoryLimit !== sandbox.memoryLimit) {
          const err = sandbox.setMemoryLimit(req.memoryLimit);
          if (err !== null) {
            send(sock, { ok: false, error: err });
            return;
          }
        }
        if (req.pidsLimit !== undefined) sandbox.pidsLimit = req.pidsLimit > 0 ? req.pidsLimit : 0;
        send(sock, { ok: true });
        return;
      }
      default:
        send(sock, { ok: false, error: `unknown request ${JSON.stringify((req as { op?: unknown }).op)}` });
    }
  };

  const addr = socketAddress(dir);
  if (addr.cwd) process.chdir(addr.cwd);
  try {
    fs.rmSync(addr.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(addr.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    report(readyFd, { error: `cannot listen on the control socket: ${(e as Error).message}`, status: 125 });
    process.exit(125);
  }
  try {
    fs.chmodSync(addr.path, 0o600);
  } catch {
    // the directory's mode protects it anyway
  }

  for (const s of FORWARDED) {
    process.on(s, () => {
      const n = os.constants.signals[s];
      log.debug(`sandbox process got ${s}: passed on to the container`);
      sandbox.kill(n);
    });
  }

  sandbox.exited.then((r) => {
    finished = r;
    const status = exitStatus(r);
    try {
      writeAtomic(path.join(dir, 'exit.json'), JSON.stringify({ ...r, status, finished: new Date().toISOString() } satisfies ExitInfo) + '\n');
    } catch (e) {
      log.warn(`cannot write exit.json: ${(e as Error).message}`);
    }
    for (const w of waiters) send(w, { ok: true, exit: r });
    waiters.clear();
    server.close();
    log.debug(`sandbox process exits with status ${status}`);
    log.close();
    // Replies are flushed before the process goes (the sockets end), with a bound.
    for (const s of sockets) s.end();
    const timer = setTimeout(() => process.exit(status), 2000);
    const check = setInterval(() => {
      if (sockets.size === 0) {
        clearInterval(check);
        clearTimeout(timer);
        process.exit(status);
      }
    }, 5);
  }, () => process.exit(255));

  if (!report(readyFd, { ready: true, initHostPid: sandbox.processes()[0]?.hostPid })) {
    // The create command died before it heard of us: nobody will start or delete this container through us.
    log.warn('the create command has gone; the sandbox ends');
    sandbox.abort({ signal: 9 });
  }
}
