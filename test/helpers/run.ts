// Spawning programs natively and under `tsvisor do`, with a timeout, collecting
// stdout, stderr and the exit status the way a shell reports it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants as fsc, mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';
import { tsvisorBin } from './paths.js';

export interface RunOptions {
  /** Kill the whole process group after this long (default 60 s). */
  timeoutMs?: number;
  /** Environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Bytes for stdin; without it stdin is /dev/null. */
  input?: string | Buffer;
  /** Stop collecting output past this many bytes per stream (default 64 MiB). */
  maxOutputBytes?: number;
}

export interface RunResult {
  /** The command line, for messages. */
  command: string;
  /** Exit status, or null if killed by a signal. */
  status: number | null;
  /** The signal that killed it, or null. */
  signal: NodeJS.Signals | null;
  /** As a shell reports it: the status, or 128+N when killed by signal N. */
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
  stderrBytes: Buffer;
  /** True if it was killed because it ran past the timeout. */
  timedOut: boolean;
  durationMs: number;
  /** Set if the program could not be started at all. */
  spawnError?: Error;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A real pipe (not the socketpair Node gives a child for 'pipe'): a FIFO
 * opened at both ends and unlinked. Returns the write end for the child and a
 * promise of everything read from the read end until every writer closed it.
 */
function openPipe(maxBytes: number): { writeFd: number; done: Promise<Buffer> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsvisor-pipe-'));
  const fifo = path.join(dir, 'p');
  try {
    execFileSync('mkfifo', ['-m', '600', fifo]);
    // Read end first, non-blocking (it does not wait for a writer); then the write end.
    const readFd = openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK);
    const writeFd = openSync(fifo, fsc.O_WRONLY);
    const sock = new net.Socket({ fd: readFd, readable: true, writable: false });
    const done = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      let len = 0;
      sock.on('data', (b: Buffer) => {
        if (len < maxBytes) chunks.push(b);
        len += b.length;
      });
      sock.on('error', () => resolve(Buffer.concat(chunks)));
      sock.on('close', () => resolve(Buffer.concat(chunks)));
    });
    return { writeFd, done };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a program with stdout and stderr as pipes (write ends, opened
 * write-only, as a shell's `prog | cat` would give it) and stdin /dev/null
 * unless `input` is given. Never rejects.
 */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxOutputBytes ?? 64 << 20;
  const command = [file, ...args].map(quote).join(' ');
  const started = Date.now();
  return new Promise((resolve) => {
    let timedOut = false;
    let spawnError: Error | undefined;
    let settled = false;

    const out = openPipe(maxBytes);
    const err = openPipe(maxBytes);
    let child: ChildProcess;
    try {
      child = spawn(file, [...args], {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', out.writeFd, err.writeFd],
        // Its own process group, so that a timeout kills everything it started.
        detached: true,
      });
    } finally {
      // The child has its copies; ours must go, or the readers never see EOF.
      closeSync(out.writeFd);
      closeSync(err.writeFd);
    }

    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);

    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {
        // the program may exit without reading its input
      });
      child.stdin.end(opts.input);
    }

    const finish = async (status: number | null, signal: NodeJS.Signals | null): Promise<void> => {
      if (settled) return;
      settled = true;
      // A program that exited may have left children in its group (a sandbox's
      // stubs, say): they must not outlive it, nor hold the pipes open.
      if (!spawnError) killGroup();
      const [stdoutBytes, stderrBytes] = await Promise.all([out.done, err.done]);
      clearTimeout(timer);
      let code: number;
      if (status !== null) code = status;
      else if (signal !== null) code = 128 + (constants.signals[signal] ?? 0);
      else code = -1;
      resolve({
        command,
        status,
        signal,
        code,
        stdout: stdoutBytes.toString('latin1'),
        stderr: stderrBytes.toString('latin1'),
        stdoutBytes,
        stderrBytes,
        timedOut,
        durationMs: Date.now() - started,
        spawnError,
      });
    };
    child.on('error', (e) => {
      spawnError = e;
      void finish(null, null);
    });
    child.on('exit', (status, signal) => void finish(status, signal));
  });
}

export interface TsvisorOptions extends RunOptions {
  /** Flags for `tsvisor do` before `--`, e.g. ['--debug-log', file]. */
  flags?: readonly string[];
}

/** Runs `node bin/tsvisor.js do [flags] -- PROGRAM ARGS...`. */
export function runTsvisor(argv: readonly string[], opts: TsvisorOptions = {}): Promise<RunResult> {
  return run(process.execPath, [tsvisorBin, 'do', ...(opts.flags ?? []), '--', ...argv], opts);
}

function tail(s: string, lines: number): string {
  const all = s.trimEnd().split('\n');
  const shown = all.slice(-lines).join('\n');
  return all.length > lines ? `[... ${all.length - lines} lines]\n${shown}` : shown;
}

/** A multi-line description of how a run ended, for assertion messages. */
export function describeRun(r: RunResult, stderrLines = 20): string {
  let how: string;
  if (r.spawnError) how = `could not start: ${r.spawnError.message}`;
  else if (r.timedOut) how = `timed out (killed after ${r.durationMs} ms)`;
  else if (r.signal) how = `killed by ${r.signal} (code ${r.code})`;
  else how = `exited with status ${r.status}`;
  const err = r.stderr.trim() ? `\n--- stderr (tail) ---\n${tail(r.stderr, stderrLines)}` : '';
  return `${r.command}: ${how}${err}`;
}
