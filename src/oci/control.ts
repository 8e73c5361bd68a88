// The control socket of a sandbox process: a Unix stream socket in the
// container's state directory (ctl.sock), one JSON object per line each
// way. A request gets one reply ({ok: true, ...} or {ok: false, error});
// `exec` and `wait` then get an {exit} message when the process ends.
//
// A socket path is limited to 107 bytes; a longer state directory (deep
// --root, 64-character ids) is reached relative to the current directory.
import net from 'node:net';
import path from 'node:path';
import type { ExitResult } from '../kernel/kernel.js';
import type { GuestProcessInfo, ProcessConfig, SandboxStats } from '../sandbox/sandbox.js';

export const SOCKET_NAME = 'ctl.sock';
const MAX_SUN_PATH = 107;

export type Request =
  | { op: 'start' }
  | { op: 'kill'; signal: number; all?: boolean; pid?: number }
  | { op: 'exec'; process: ProcessConfig; clientPid: number; terminal?: number }
  | { op: 'ps' }
  | { op: 'pause' }
  | { op: 'resume' }
  | { op: 'wait' }
  | { op: 'stats' }
  | { op: 'update'; pidsLimit?: number; memoryLimit?: number };

export interface Reply {
  ok: boolean;
  error?: string;
  /** exec: the new process's guest pid and its stub's host pid. */
  pid?: number;
  hostPid?: number;
  processes?: GuestProcessInfo[];
  stats?: SandboxStats & { pidsLimit: number };
  /** Notes on an update (a limit that could not be changed). */
  warnings?: string[];
  /** exec and wait: how the process ended. */
  exit?: ExitResult;
}

/** The address to connect to or listen on for the control socket in dir. */
export function socketAddress(dir: string): { path: string; cwd?: string } {
  const full = path.join(dir, SOCKET_NAME);
  if (Buffer.byteLength(full) <= MAX_SUN_PATH) return { path: full };
  return { path: SOCKET_NAME, cwd: dir };
}

/** The sandbox process cannot be reached (it is gone, or not listening yet). */
export class ControlUnreachable extends Error {}

/** A connection to a sandbox's control socket; messages arrive in order. */
export class ControlClient {
  private buf = '';
  private readonly queue: Reply[] = [];
  private waiter: ((r: Reply | null) => void) | null = null;
  private closed = false;

  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      for (;;) {
        const i = this.buf.indexOf('\n');
        if (i < 0) break;
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        let msg: Reply;
        try {
          msg = JSON.parse(line) as Reply;
        } catch {
          continue;
        }
        this.deliver(msg);
      }
    });
    const end = (): void => {
      this.closed = true;
      const w = this.waiter;
      this.waiter = null;
      w?.(null);
    };
    sock.on('close', end);
    sock.on('error', end);
  }

  private deliver(msg: Reply): void {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(msg);
    } else this.queue.push(msg);
  }

  static connect(dir: string, timeoutMs = 10_000): Promise<ControlClient> {
    const addr = socketAddress(dir);
    const prevCwd = addr.cwd ? process.cwd() : undefined;
    return new Promise((resolve, reject) => {
      if (addr.cwd) process.chdir(addr.cwd);
      const sock = net.createConnection({ path: addr.path });
      if (prevCwd) process.chdir(prevCwd);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new ControlUnreachable('the sandbox does not answer'));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(new ControlClient(sock));
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(new ControlUnreachable(`cannot reach the sandbox: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      });
    });
  }

  send(req: Request): void {
    this.sock.write(JSON.stringify(req) + '\n');
  }

  /** The next message, or null once the connection is closed. */
  next(): Promise<Reply | null> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  close(): void {
    this.sock.destroy();
  }

  /** Keeps the process alive for this connection only while wanted. */
  unref(): void {
    this.sock.unref();
  }
}

/** One request, one reply. Throws ControlUnreachable if the sandbox cannot be reached or hangs up. */
export async function request(dir: string, req: Request, timeoutMs = 30_000): Promise<Reply> {
  const c = await ControlClient.connect(dir, timeoutMs);
  try {
    c.send(req);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      c.next(),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (r === null) throw new ControlUnreachable('the sandbox hung up');
    return r;
  } finally {
    c.close();
  }
}
