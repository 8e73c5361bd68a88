// A console: a pseudo-terminal of the sandbox whose master is driven from
// outside (the OCI runtime's --console-socket, `tsvisor do --tty`), while
// the guest gets the slave, /dev/pts/N, as its stdio and controlling
// terminal.
//
//   const con = createConsole(devpts, { rows: 24, cols: 80 });
//   const slave = openConsoleSlave(con, caller);      // an OpenFile for fds 0, 1, 2
//   …create the first process with it…
//   con.attachSession(kernel, tg.sid, tg.pgid);       // its controlling terminal
//   con.onData((bytes) => hostSide.write(bytes));     // what the guest prints
//   hostSide.on('data', (b) => con.write(b));          // what the user types
//   con.resize(rows, cols);                            // SIGWINCH to the foreground group
//   con.close();                                       // hangup: SIGHUP to the session leader
//
// Handing a real host descriptor over --console-socket needs a host pty
// whose bytes are copied to and from this one (bridgeHostFds below does
// the copying for any pair of host descriptors).
import fs from 'node:fs';
import type tty from 'node:tty';
import { ReadStream as TtyReadStream } from 'node:tty';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { At } from '../../abi/linux/stat.js';
import type { Caller } from '../../vfs/fs_struct.js';
import { native } from '../../platform/native.js';
import { openAtSync, openatHow } from '../../vfs/open.js';
import type { OpenFile } from '../../vfs/open_file.js';
import type { DevptsFs } from './devpts.js';
import type { Pty } from './pty.js';

export interface ConsoleOptions {
  rows?: number;
  cols?: number;
}

export class Console {
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly closeListeners = new Set<() => void>();
  private paused = false;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(readonly pty: Pty) {
    this.unsubscribe = pty.wq.subscribe(() => this.pump());
  }

  /** N of /dev/pts/N. */
  get index(): number {
    return this.pty.index;
  }

  /** The slave's path in the sandbox (devpts mounted at /dev/pts). */
  get path(): string {
    return `/dev/pts/${this.pty.index}`;
  }

  /** Types bytes at the terminal; returns how many were taken (the rest: call again after a change). */
  write(data: Uint8Array): number {
    if (this.closed) return 0;
    return this.pty.input(data, 0, data.length);
  }

  /** Bytes the terminal takes now. */
  get inputRoom(): number {
    return this.pty.masterStopped ? 0 : this.pty.slave.receiveRoom();
  }

  /** fn(chunk) for everything the guest writes to the terminal (and its echo); returns the unsubscriber. */
  onData(fn: (chunk: Uint8Array) => void): () => void {
    this.dataListeners.add(fn);
    queueMicrotask(() => this.pump());
    return () => {
      this.dataListeners.delete(fn);
    };
  }

  /** fn() once every slave file is closed (the guest let go of the terminal), and at close(). */
  onClose(fn: () => void): () => void {
    this.closeListeners.add(fn);
    return () => {
      this.closeListeners.delete(fn);
    };
  }

  /** Stops taking output (the guest's writes wait once 64 KiB are pending) until resume(). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** TIOCSWINSZ from the outside: SIGWINCH to the foreground process group when the size changes. */
  resize(rows: number, cols: number, xpixel = 0, ypixel = 0): void {
    this.pty.slave.resize({ row: rows & 0xffff, col: cols & 0xffff, xpixel: xpixel & 0xffff, ypixel: ypixel & 0xffff });
  }

  /**
   * Makes the terminal the controlling terminal of session sid (ns: the
   * kernel, the PID namespace the session lives in), pgid in the foreground:
   * what runc's setsid + TIOCSCTTY do for the container's first process.
   */
  attachSession(ns: object, sid: number, pgid: number): void {
    this.pty.slave.attachSession(ns, sid, pgid);
  }

  /** The master closes: the slave is hung up, its session leader gets SIGHUP. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.pty.masterClosed();
    this.fireClose();
  }

  private fireClose(): void {
    for (const fn of [...this.closeListeners]) fn();
    this.closeListeners.clear();
  }

  private pump(): void {
    const out = this.pty.output;
    if (!this.paused && this.dataListeners.size > 0 && out.length > 0) {
      const chunk = new Uint8Array(out.length);
      out.read(chunk, 0, chunk.length);
      this.pty.wq.notify();
      for (const fn of [...this.dataListeners]) fn(chunk);
    }
    if (this.pty.slaveGone && out.length === 0 && this.closeListeners.size > 0) this.fireClose();
  }
}

/** A new pseudo-terminal of devpts with its master held outside the sandbox (unlocked, sized). ENOSPC as -errno. */
export function createConsole(devpts: DevptsFs, opts: ConsoleOptions = {}): Console | number {
  const pty = devpts.newPty();
  if (typeof pty === 'number') return pty;
  pty.locked = false;
  if (opts.rows !== undefined || opts.cols !== undefined) {
    const w = pty.slave.winsize;
    w.row = (opts.rows ?? 0) & 0xffff;
    w.col = (opts.cols ?? 0) & 0xffff;
  }
  return new Console(pty);
}

/**
 * Opens the console's slave for the guest's stdio, as open(path, O_RDWR |
 * O_NOCTTY) by caller (a root caller of the sandbox's mount namespace):
 * the OpenFile (with no reference yet: FdTable.install takes them), or -errno.
 */
export function openConsoleSlave(con: Console, caller: Caller, flags = OpenFlag.O_RDWR): OpenFile | number {
  return openAtSync(caller, At.AT_FDCWD, con.path, openatHow(flags | OpenFlag.O_NOCTTY, 0));
}

/**
 * Wires the console to this process's own terminal (`tsvisor do` run from
 * one): the host terminal goes to raw mode (the sandbox's line discipline
 * edits and echoes), keystrokes are typed at the console, the guest's output
 * is written to stdout, and the window size follows the host's (SIGWINCH in
 * the sandbox). The caller's terminal going away (SIGHUP, or its end of
 * file) hangs the console up: the guest's session leader gets SIGHUP.
 * Returns a function that undoes it all (the host terminal back to its
 * mode; Node restores it too when killed by SIGINT or SIGTERM). input need
 * not be a terminal (`do --tty` with a pipe): then its bytes are typed as
 * they come and its end changes nothing.
 */
export function attachProcessTerminal(
  con: Console,
  input: tty.ReadStream = process.stdin as tty.ReadStream,
  output: tty.WriteStream = process.stdout as tty.WriteStream,
  outputFd = 1,
  inputFd = 0,
): () => void {
  const sizeNow = (): void => {
    if (output.isTTY && output.rows > 0) con.resize(output.rows, output.columns);
  };
  sizeNow();
  if (input.isTTY) {
    input.setRawMode(true);
    // libuv's raw mode keeps OPOST/ONLCR: the sandbox's own ONLCR would double
    // the carriage returns. Fully raw (cfmakeraw); setRawMode(false) restores
    // the mode libuv saved before.
    native().hostptyMakeRaw(inputFd);
  }
  let backlog: Uint8Array[] = [];
  const feed = (): void => {
    while (backlog.length > 0) {
      const b = backlog[0]!;
      const n = con.write(b);
      if (n < b.length) {
        backlog[0] = b.subarray(n);
        input.pause();
        return;
      }
      backlog.shift();
    }
    input.resume();
  };
  const onInput = (b: Buffer): void => {
    backlog.push(Uint8Array.from(b));
    feed();
  };
  const offChange = con.pty.wq.subscribe(() => {
    if (backlog.length > 0) feed();
  });
  const offData = con.onData((chunk) => writeAll(outputFd, chunk));
  const hangup = (): void => con.close();
  // A terminal reads 0 or EIO once hung up; a pipe's end is only the end of the typing.
  const onEnd = (): void => {
    if (input.isTTY) hangup();
  };
  input.on('data', onInput);
  input.on('end', onEnd);
  input.on('error', hangup);
  output.on('resize', sizeNow);
  process.on('SIGHUP', hangup);
  input.resume();
  return () => {
    input.off('data', onInput);
    input.off('end', onEnd);
    input.off('error', hangup);
    output.off('resize', sizeNow);
    process.off('SIGHUP', hangup);
    offChange();
    offData();
    backlog = [];
    if (input.isTTY) {
      try {
        input.setRawMode(false);
      } catch {
        // the terminal is gone
      }
    }
    input.pause();
  };
}

/** Writes all of chunk to a blocking host descriptor; gives up on an error (a hung-up terminal). */
function writeAll(fd: number, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) {
    try {
      off += fs.writeSync(fd, chunk, off, chunk.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}

/**
 * Copies between the console and two host descriptors: input (the user's
 * keystrokes; a terminal or pipe, read on libuv's thread pool) and output
 * (written as the guest prints). Returns a function that stops the copying.
 * For a host terminal, put it in raw mode first (tty.ReadStream#setRawMode)
 * so that the sandbox's line discipline does the editing and echo.
 */
export function bridgeHostFds(con: Console, input: number, output: number): () => void {
  let stopped = false;
  const buf = Buffer.allocUnsafe(4096);
  let pending: Uint8Array | null = null;
  const feed = (): void => {
    while (pending && !stopped) {
      const n = con.write(pending);
      if (n === pending.length) pending = null;
      else {
        pending = pending.subarray(n);
        setTimeout(feed, 5);
        return;
      }
    }
    if (!stopped) readMore();
  };
  const readMore = (): void => {
    fs.read(input, buf, 0, buf.length, null, (err, n) => {
      if (stopped || err || n === 0) return;
      pending = Uint8Array.from(buf.subarray(0, n));
      feed();
    });
  };
  const offData = con.onData((chunk) => {
    let off = 0;
    while (off < chunk.length) {
      try {
        off += fs.writeSync(output, chunk, off, chunk.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        return;
      }
    }
  });
  readMore();
  return () => {
    stopped = true;
    offData();
  };
}

/** How often a bridged host terminal's window size is looked at (it has no change notification without being a controlling terminal). */
const SIZE_POLL_MS = 200;
/** Output waiting for the host terminal beyond which the guest's writes wait (Console.pause). */
const HOST_OUTPUT_HIGH = 65536;

export interface HostTerminalBridge {
  /** Resolves once what the guest wrote so far has reached the host terminal (or it failed, or msBound passed). */
  drained(msBound?: number): Promise<void>;
  /** Stops copying (the host descriptor stays open). */
  stop(): void;
}

/**
 * Bridges the console to a host terminal, the slave of a host pty whose
 * master was handed out (the OCI runtime's --console-socket): the host
 * terminal is made raw (the sandbox's line discipline edits and echoes),
 * its input is typed at the console, the guest's output is written to it
 * (without blocking the kernel's thread: writes run on libuv's pool, and
 * the guest waits while 64 KiB are pending), and its window size, set by
 * the master's holder with TIOCSWINSZ, is copied in (SIGWINCH in the
 * sandbox). The host terminal hanging up (the master closed) hangs the
 * console up.
 */
export function bridgeHostTerminal(con: Console, fd: number): HostTerminalBridge {
  const n = native();
  n.hostptyMakeRaw(fd);
  let stopped = false;
  let lastSize = -1;
  const checkSize = (): void => {
    const ws = n.hostptyGetWinsize(fd);
    if (ws < 0 || ws === lastSize) return;
    const first = lastSize < 0;
    lastSize = ws;
    if (first && ws === 0) return;
    con.resize(ws >>> 16, ws & 0xffff);
  };
  checkSize();
  const sizeTimer = setInterval(checkSize, SIZE_POLL_MS);
  sizeTimer.unref();

  // Input: libuv reads a reopened description of the terminal, by readiness.
  let input: tty.ReadStream | null = null;
  let backlog: Uint8Array[] = [];
  const feed = (): void => {
    while (backlog.length > 0) {
      const b = backlog[0]!;
      const w = con.write(b);
      if (w < b.length) {
        backlog[0] = b.subarray(w);
        input?.pause();
        return;
      }
      backlog.shift();
    }
    if (!stopped) input?.resume();
  };
  const offChange = con.pty.wq.subscribe(() => {
    if (backlog.length > 0) feed();
  });
  const hangup = (): void => {
    if (!stopped) con.close();
  };
  try {
    input = new TtyReadStream(fd);
    input.on('data', (b: Buffer) => {
      backlog.push(Uint8Array.from(b));
      feed();
    });
    input.on('end', hangup);
    input.on('error', hangup);
  } catch {
    input = null;
  }

  // Output: one write at a time on libuv's pool.
  const queue: Uint8Array[] = [];
  let queued = 0;
  let writing = false;
  let drainWaiters: (() => void)[] = [];
  const settle = (): void => {
    if (queued > 0 && !stopped) return;
    for (const w of drainWaiters) w();
    drainWaiters = [];
  };
  const pumpOut = (): void => {
    if (writing || queue.length === 0) return;
    writing = true;
    // What piled up while the last write ran goes in one write (a guest writing a line at a time).
    if (queue.length > 1) queue.splice(0, queue.length, Buffer.concat(queue));
    const b = queue[0]!;
    fs.write(fd, b, 0, b.length, null, (err, w) => {
      writing = false;
      if (err) {
        if (err.code === 'EAGAIN') {
          setTimeout(pumpOut, 5);
          return;
        }
        // The host terminal is gone: nothing more reaches it.
        queue.length = 0;
        queued = 0;
        con.resume();
        settle();
        return;
      }
      queued -= w;
      if (w < b.length) queue[0] = b.subarray(w);
      else queue.shift();
      if (queued < HOST_OUTPUT_HIGH / 2) con.resume();
      if (queue.length > 0) pumpOut();
      settle();
    });
  };
  const offData = con.onData((chunk) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= HOST_OUTPUT_HIGH) con.pause();
    pumpOut();
  });

  return {
    drained(msBound = 2000): Promise<void> {
      if (queued === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, msBound);
        drainWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    stop(): void {
      if (stopped) return;
      stopped = true;
      clearInterval(sizeTimer);
      offChange();
      offData();
      backlog = [];
      input?.destroy();
      settle();
    },
  };
}
