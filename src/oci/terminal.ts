// Terminals of OCI processes (process.terminal: true), as runc and runsc
// give them: a host pty whose master goes to the caller and whose slave
// the sandbox bridges to the guest's own terminal (a pty of the sandbox's
// devpts: the guest never touches a host terminal).
//
// - With --console-socket S (what containerd and Docker pass): the master
//   is sent over the unix socket S in one message, runc's: the payload
//   "/dev/ptmx" (the master's name) with the descriptor in SCM_RIGHTS. The
//   receiver reads and writes it and sets its window size with TIOCSWINSZ;
//   the sandbox notices a new size and passes it on (SIGWINCH inside).
// - Without one, in the foreground (`run`, `exec -t` from a shell): the CLI
//   keeps the master and copies it to and from its own stdin and stdout,
//   its own terminal raw meanwhile (runc's behaviour).
//
// The slave reaches the sandbox process as descriptor TERMINAL_FD of the
// first process (`create`), or through /proc/PID/fd/N of the exec client.
import fs from 'node:fs';
import tty from 'node:tty';
import { native } from '../platform/native.js';

/** The descriptor of the sandbox process holding the first process's host terminal (after stdio and the ready pipe). */
export const TERMINAL_FD = 4;

/** What a process's terminal is made from: its consoleSize and where the master goes. */
export interface TerminalRequest {
  consoleSocket?: string;
  size?: { height: number; width: number };
}

/** A host pty: the master (sent away, or copied to the CLI's stdio) and the slave (for the sandbox). */
export interface HostPty {
  master: number;
  slave: number;
}

/** A new host pty, sized (consoleSize) when given. Throws Error. */
export function openHostPty(size?: { height: number; width: number }): HostPty {
  const n = native();
  const out = new Int32Array(2);
  const r = n.hostptyOpen(out);
  if (r < 0) throw new Error(`cannot allocate a terminal: errno ${-r}`);
  if (size && (size.height > 0 || size.width > 0)) n.hostptySetWinsize(out[0], size.height & 0xffff, size.width & 0xffff);
  return { master: out[0], slave: out[1] };
}

/** Sends the master to the unix socket at socketPath (runc's message), then closes it here. Throws Error. */
export function sendMaster(pty: HostPty, socketPath: string): void {
  const r = native().hostptySendFd(socketPath, pty.master, Buffer.from('/dev/ptmx'));
  closeQuietly(pty.master);
  if (r < 0) {
    closeQuietly(pty.slave);
    throw new Error(`cannot send the terminal to the console socket ${socketPath}: errno ${-r}`);
  }
}

/**
 * The slave of a process's terminal: with a console socket, the master
 * has gone there; without one, copyToStdio must be called with the
 * returned master once the process runs.
 */
export function setUpTerminal(req: TerminalRequest): { slave: number; master?: number } {
  // Copied to this process's terminal: the size is that terminal's.
  const out = process.stdout as tty.WriteStream;
  const size = req.consoleSocket === undefined && out.isTTY && out.rows > 0 ? { height: out.rows, width: out.columns } : req.size;
  const pty = openHostPty(size);
  if (req.consoleSocket !== undefined) {
    sendMaster(pty, req.consoleSocket);
    return { slave: pty.slave };
  }
  return { slave: pty.slave, master: pty.master };
}

/** How long the copy waits, once the process has ended, for the rest of its output. */
const FINISH_MS = 2000;

/**
 * Copies between a pty master and this process's stdin and stdout (the
 * CLI's own terminal raw meanwhile, its window size copied to the pty).
 * finish(), once the process has ended, waits for the rest of its output
 * (until the master reads EIO: every slave closed; at most 2 s), then
 * stops and restores the terminal.
 */
export function copyToStdio(master: number): { finish(): Promise<void> } {
  const n = native();
  const stdin = process.stdin as tty.ReadStream;
  const stdout = process.stdout as tty.WriteStream;
  let stopped = false;
  const size = (): void => {
    if (stdout.isTTY && stdout.rows > 0) n.hostptySetWinsize(master, stdout.rows, stdout.columns);
  };
  size();
  if (stdin.isTTY) {
    // libuv's raw mode keeps OPOST (the container's terminal already turned \n into \r\n): fully raw,
    // and setRawMode(false) restores what libuv saved first.
    stdin.setRawMode(true);
    n.hostptyMakeRaw(0);
  }
  const fromMaster = new tty.ReadStream(master);
  const onKeys = (b: Buffer): void => {
    if (!stopped) writeAll(master, b);
  };
  fromMaster.on('data', (b: Buffer) => writeAll(1, b));
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    stdin.off('data', onKeys);
    stdout.off('resize', size);
    if (stdin.isTTY) {
      try {
        stdin.setRawMode(false);
      } catch {
        // gone
      }
    }
    stdin.pause();
    fromMaster.destroy();
  };
  fromMaster.on('error', () => undefined); // EIO: every slave closed (the end, below)
  const ended = new Promise<void>((resolve) => {
    fromMaster.once('error', resolve);
    fromMaster.once('end', resolve);
    fromMaster.once('close', resolve);
  });
  void ended.then(stop);
  stdin.on('data', onKeys);
  stdout.on('resize', size);
  stdin.resume();
  return {
    async finish(): Promise<void> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([ended, new Promise<void>((r) => (timer = setTimeout(r, FINISH_MS)))]);
      clearTimeout(timer);
      stop();
    },
  };
}

function writeAll(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) {
    try {
      off += fs.writeSync(fd, b, off, b.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // not open
  }
}
