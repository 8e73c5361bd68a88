// A guest process on a terminal of the sandbox (`tsvisor do --tty`, an OCI
// process with terminal: true): a new pty of the sandbox's devpts whose
// slave is the process's stdin, stdout and stderr and, once the process
// exists, its controlling terminal with its process group in the
// foreground (what runc's setsid + TIOCSCTTY do for a container's process).
// The master stays outside, a Console (src/fs/devpts/console.ts) for the
// host side to drive.
import fs from 'node:fs';
import { bridgeHostTerminal, createConsole, openConsoleSlave, type Console, type HostTerminalBridge } from '../fs/devpts/console.js';
import type { DevptsFs } from '../fs/devpts/devpts.js';
import type { FsContext } from '../kernel/fs_context.js';
import type { Kernel } from '../kernel/kernel.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import { FdTable } from '../vfs/fd_table.js';
import { makeCaller } from '../vfs/fs_struct.js';
import { native } from '../platform/native.js';

export interface TerminalSize {
  rows: number;
  cols: number;
}

const ROOT = { uid: 0, gid: 0, euid: 0, fsuid: 0, fsgid: 0, groups: [] as number[] };

/**
 * A new console of devpts sized size, and an fd table with its slave on 0,
 * 1 and 2, opened through the process's own root (its /dev/pts). Returns
 * an error message when the sandbox has no devpts or the slave cannot be
 * opened.
 */
export function consoleFdTable(devpts: DevptsFs | undefined, fsContext: FsContext, size?: TerminalSize): { console: Console; fds: FdTable } | string {
  if (!devpts) return 'a terminal needs /dev (with /dev/pts) in the sandbox';
  const con = createConsole(devpts, size ? { rows: size.rows, cols: size.cols } : {});
  if (typeof con === 'number') return `cannot make a terminal (errno ${-con})`;
  const caller = makeCaller(ROOT, fsContext.fs, () => undefined, fsContext.special);
  const slave = openConsoleSlave(con, caller);
  if (typeof slave === 'number') {
    con.close();
    return `cannot open the terminal ${con.path} (errno ${-slave})`;
  }
  const fds = new FdTable();
  for (let i = 0; i < 3; i++) fds.installAt(i, slave, false);
  return { console: con, fds };
}

/** The console becomes tg's controlling terminal, tg's group in the foreground (tg leads its session). */
export function attachConsole(con: Console, kernel: Kernel, tg: ThreadGroup): void {
  con.attachSession(kernel, tg.sid, tg.pgid);
}

/**
 * A process's console bridged to a host terminal (the slave of the pty
 * whose master the OCI runtime sent to --console-socket). close() lets the
 * guest's last output reach the host (within a bound), stops the copying,
 * hangs the console up and closes the host descriptor if owned.
 */
export class HostBridgedConsole {
  private readonly bridge: HostTerminalBridge;
  private closed = false;

  constructor(readonly console: Console, private readonly hostFd: number, private readonly owned: boolean) {
    this.bridge = bridgeHostTerminal(console, hostFd);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise((r) => setImmediate(r));
    await this.bridge.drained();
    this.bridge.stop();
    this.console.close();
    if (this.owned) {
      try {
        fs.closeSync(this.hostFd);
      } catch {
        // already closed
      }
    }
  }
}

/** The host-bridged consoles of the processes that have one. */
const hostConsoles = new WeakMap<ThreadGroup, HostBridgedConsole>();

/** The window size of a host terminal (TIOCGWINSZ), or undefined. */
export function hostTerminalSize(fd: number): TerminalSize | undefined {
  const ws = native().hostptyGetWinsize(fd);
  return ws > 0 ? { rows: ws >>> 16, cols: ws & 0xffff } : undefined;
}

/**
 * Puts the process being made on a console bridged to the host terminal
 * hostFd: returns its fd table (slave on 0, 1, 2), or an error message.
 * Call adoptHostConsole once the process exists.
 */
export function hostConsoleFdTable(devpts: DevptsFs | undefined, fsContext: FsContext, hostFd: number): { console: Console; fds: FdTable } | string {
  return consoleFdTable(devpts, fsContext, hostTerminalSize(hostFd));
}

/** The console becomes tg's controlling terminal and starts copying to and from hostFd (closed at the end if owned). */
export function adoptHostConsole(con: Console, kernel: Kernel, tg: ThreadGroup, hostFd: number, owned: boolean): void {
  attachConsole(con, kernel, tg);
  hostConsoles.set(tg, new HostBridgedConsole(con, hostFd, owned));
}

/** Once tg has exited: its console's last output reaches the host, then it hangs up. */
export async function closeHostConsole(tg: ThreadGroup): Promise<void> {
  const c = hostConsoles.get(tg);
  if (!c) return;
  hostConsoles.delete(tg);
  await c.close();
}
