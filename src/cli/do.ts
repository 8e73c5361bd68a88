// `tsvisor do [flags] -- PROGRAM [ARGS…]` (as `runsc do`).
import path from 'node:path';
import tty from 'node:tty';
import { attachProcessTerminal } from '../fs/devpts/console.js';
import type { MountSpec, RootConfig } from '../sandbox/mounts.js';
import { runSandboxed, SandboxError } from '../sandbox/run.js';

export interface DoOptions {
  debug?: boolean;
  debugLog?: string;
  strace?: boolean;
  env: string[];
  cwd?: string;
  hostname: string;
  /** --root DIR: the host directory to use as the root (default: the host's /). */
  root?: string;
  /** --volume HOST:GUEST[:ro], repeatable. */
  volume?: string[];
  /** --overlay (default) / --no-overlay: keep writes to the root in memory, or write to the host directory. */
  overlay?: boolean;
  /**
   * --tty / --tty=false: the program on a terminal of the sandbox wired to
   * the caller's stdin and stdout. Default: when stdin is a terminal (as
   * `runsc do`, whose process.terminal is whether stdin is a pty).
   */
  tty?: boolean;
}

/** Whether the run gets a terminal: --tty given, or stdin is one. */
export function wantsTerminal(opt: boolean | undefined, stdinIsTty = process.stdin.isTTY === true): boolean {
  return opt ?? stdinIsTty;
}

/** A --volume argument: HOST:GUEST or HOST:GUEST:ro|rw, both absolute (HOST relative to the current directory). */
export function parseVolume(v: string): MountSpec {
  const parts = v.split(':');
  let readOnly = false;
  if (parts.length === 3) {
    if (parts[2] !== 'ro' && parts[2] !== 'rw') throw new SandboxError(`--volume ${v}: the mode must be ro or rw`, 125);
    readOnly = parts[2] === 'ro';
  } else if (parts.length !== 2) {
    throw new SandboxError(`--volume ${v}: expected HOST:GUEST[:ro]`, 125);
  }
  const [host, guest] = parts as [string, string];
  if (host === '' || !guest.startsWith('/')) throw new SandboxError(`--volume ${v}: expected HOST:GUEST[:ro] with an absolute GUEST path`, 125);
  return { kind: 'bind', source: path.resolve(host), target: guest, readOnly };
}

/** Returns the exit status a shell would report: the code, or 128+N when killed by signal N. */
export async function runDo(prog: string, args: string[], opts: DoOptions): Promise<number> {
  const env = opts.env.length > 0 ? opts.env : Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
  try {
    let root: RootConfig | undefined;
    if (opts.root !== undefined || opts.overlay === false) {
      root = { kind: 'host', path: path.resolve(opts.root ?? '/'), overlay: opts.overlay !== false, readOnly: false };
    }
    const terminal = wantsTerminal(opts.tty);
    const callerTty = terminal && tty.isatty(0);
    const r = await runSandboxed({
      argv: [prog, ...args],
      env,
      cwd: opts.cwd ?? process.cwd(),
      hostname: opts.hostname,
      debug: opts.debug,
      debugLog: opts.debugLog,
      strace: opts.strace,
      root,
      volumes: (opts.volume ?? []).map(parseVolume),
      terminal: terminal ? callerTerminal() : undefined,
    });
    if (callerTty && !tty.isatty(0)) dieOfHangup();
    return r.signal !== undefined ? 128 + r.signal : r.code ?? 0;
  } catch (e) {
    if (e instanceof SandboxError) {
      process.stderr.write(`tsvisor: ${e.message}\n`);
      return e.status;
    }
    throw e;
  }
}

/**
 * The caller's terminal hung up while the guest ran: Node's exit would try
 * to restore its mode and abort on the EIO (node::ResetStdio), so this
 * process ends as a program killed by the hangup does.
 */
function dieOfHangup(): never {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
  process.kill(process.pid, 'SIGKILL'); // SIGHUP was ignored (nohup)
  throw new Error('unreachable');
}

/** The guest's terminal wired to this process's stdin and stdout (raw while it runs), sized as stdout's window. */
function callerTerminal(): NonNullable<Parameters<typeof runSandboxed>[0]['terminal']> {
  const out = process.stdout as tty.WriteStream;
  const size = out.isTTY && out.rows > 0 ? { rows: out.rows, cols: out.columns } : undefined;
  return { size, connect: (con) => attachProcessTerminal(con) };
}
