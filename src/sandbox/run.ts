// Boots a sandbox for one host program (`tsvisor do`, and the library's
// run()): a kernel, the init process with the caller's stdio, and the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Errno } from '../abi/linux/errno.js';
import { createHostFs } from '../fs/host/hostfs.js';
import { HostStdioFile } from '../fs/host_stdio.js';
import { createDevfs } from '../fs/dev/devfs.js';
import type { Console } from '../fs/devpts/console.js';
import type { DevptsFs } from '../fs/devpts/devpts.js';
import { createOverlay } from '../fs/overlay/overlay.js';
import { createProcfs } from '../fs/proc/procfs.js';
import type { MountDescription } from '../fs/proc/mounts.js';
import { createSysfs } from '../fs/sys/sysfs.js';
import { createTmpfs } from '../fs/tmpfs/tmpfs.js';
import { createProcess, resolveProgram } from '../kernel/exec.js';
import { makeCaller } from '../vfs/fs_struct.js';
import { FsContext, SpecialFiles } from '../kernel/fs_context.js';
import { registerMountableTypes } from '../kernel/fs_types.js';
import { Kernel, type ExitResult } from '../kernel/kernel.js';
import { Credentials } from '../kernel/creds.js';
import { readHostProgram, readProgram } from './program.js';
import { KernelLog } from '../kernel/log.js';
import { KernelProcView } from '../kernel/proc_view.js';
import { UTS_RELEASE, UTS_VERSION } from '../syscalls/system.js';
import { buildSyscallTable } from '../syscalls/table.js';
import type { SpecialOpener } from '../vfs/fs_struct.js';
import type { FileSystem } from '../vfs/inode.js';
import { FdTable } from '../vfs/fd_table.js';
import { attachConsole, consoleFdTable, type TerminalSize } from './guest_console.js';
import {
  buildMountNamespace,
  defaultMounts,
  initFsStruct,
  MountConfigError,
  type FileSystemFactories,
  type MountsConfig,
  type MountSpec,
  type RootConfig,
} from './mounts.js';

export interface SandboxOptions {
  /** argv[0] is the program: a path, or a name searched in PATH. */
  argv: string[];
  env: string[];
  cwd: string;
  hostname?: string;
  debug?: boolean;
  debugLog?: string;
  strace?: boolean;
  /** Host descriptors for the guest's 0, 1, 2 (default: this process's). */
  stdio?: [number, number, number];
  memoryLimit?: number;
  /**
   * The root file system (`tsvisor do --root DIR [--no-overlay]`). Default:
   * the host's / through the overlay, as runsc do: the guest may write
   * anywhere, the host is never modified.
   */
  root?: RootConfig;
  /** Mounts after the default ones (/proc, /dev, /sys, /tmp): `--volume HOST:GUEST[:ro]` binds. */
  volumes?: MountSpec[];
  /** The whole mount configuration (the OCI runtime's, from config.json): replaces root and volumes. */
  mounts?: MountsConfig;
  /**
   * The guest on a terminal of the sandbox instead of the host stdio (`do
   * --tty`): its slave is the program's 0, 1, 2 and controlling terminal;
   * connect(console) wires the master to the host side just before the
   * program runs and returns the function that undoes it (called once the
   * program has exited, before the console hangs up).
   */
  terminal?: { size?: TerminalSize; connect(con: Console): () => void };
}

/** A failure to start the program, with the status a shell would give (126, 127). */
export class SandboxError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** Host file flags (O_ACCMODE and status flags) of an inherited descriptor, from /proc. */
export function hostFdFlags(fd: number, fallback: number): number {
  try {
    const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    const m = /^flags:\s+([0-7]+)/m.exec(info);
    if (m) return parseInt(m[1], 8) & ~0o2000000; // O_CLOEXEC is a descriptor flag
  } catch {
    // not open
  }
  return fallback;
}

/** What the boot learns while mounting: the /dev device registry (every process's special-file opener). */
export interface BootState {
  /** The openers of FIFOs (and any device without a driver in /dev). */
  readonly fallback: SpecialOpener;
  /** /dev's registry once devfs is mounted (it falls back to `fallback`). */
  devices?: SpecialOpener;
  /** The pseudo-terminals of that /dev (mounted on its pts/). */
  devpts?: DevptsFs;
  /** Sources and options of the mounted file systems for /proc/PID/mounts. */
  readonly described: Map<FileSystem, MountDescription>;
}

/**
 * The file systems this build can mount besides tmpfs: host directories,
 * the root overlay (upper layer: a tmpfs of tmpfsBytes), /proc (the
 * kernel's processes), /dev (its device registry is recorded in boot) and
 * /sys.
 */
export function fileSystemFactories(kernel: Kernel, tmpfsBytes: number, boot: BootState): FileSystemFactories {
  const cpus = Math.max(1, os.cpus().length);
  // mount(2) inside the sandbox makes tmpfs, proc and sysfs too (src/kernel/fs_types.ts).
  return registerMountableTypes(kernel, {
    host: (hostPath, readOnly) => createHostFs(hostPath, { readOnly }),
    overlay: (lower) => createOverlay(lower, createTmpfs({ rootMode: 0o755, maxBytes: tmpfsBytes })),
    proc: () => {
      const view = new KernelProcView(kernel, {
        release: UTS_RELEASE,
        version: UTS_VERSION,
        cpus,
        describe: (f) => boot.described.get(f),
      });
      const fs = createProcfs(view);
      boot.described.set(fs, { source: 'proc' });
      return fs;
    },
    dev: () => {
      const devfs = createDevfs({ fallback: boot.fallback });
      boot.devices = devfs.devices;
      boot.devpts = devfs.devpts;
      boot.described.set(devfs.fs, { source: 'tmpfs', fsOptions: ['size=65536k', 'mode=755'] });
      return devfs.fs;
    },
    sys: () => {
      const fs = createSysfs({ cpus });
      boot.described.set(fs, { source: 'sysfs' });
      return fs;
    },
  }, { described: boot.described, maxBytes: tmpfsBytes, totalBytes: 2 * tmpfsBytes });
}

/** The mount configuration of a run: the caller's, or the root with /proc, /dev, /sys, /tmp and the volumes. */
function mountsFor(opts: SandboxOptions): MountsConfig {
  if (opts.mounts) return opts.mounts;
  const root: RootConfig = opts.root ?? { kind: 'host', path: '/', overlay: true, readOnly: false };
  return { root, mounts: [...defaultMounts(), ...programBind(opts), ...(opts.volumes ?? [])] };
}

/**
 * With the host's root, a program named by a path in the host's /tmp (which
 * the sandbox covers with its own tmpfs) would be invisible to itself
 * (/proc/self/exe, its own files beside it): its directory is bound there,
 * read-only, at the same path.
 */
function programBind(opts: SandboxOptions): MountSpec[] {
  if (opts.root || !opts.argv[0]?.includes('/')) return [];
  let dir: string;
  try {
    dir = path.dirname(fs.realpathSync(path.resolve(opts.cwd, opts.argv[0])));
  } catch {
    return [];
  }
  if (dir !== '/tmp' && !dir.startsWith('/tmp/')) return [];
  if (dir === '/tmp') return [];
  return [{ kind: 'bind', source: dir, target: dir, readOnly: true }];
}

export async function runSandboxed(opts: SandboxOptions): Promise<ExitResult> {
  // TSVISOR_DEBUG_LOG names a debug log for runs started by tools that pass no flags (tests, CI).
  const debugLog = opts.debugLog ?? process.env.TSVISOR_DEBUG_LOG;
  const log = new KernelLog({ debug: opts.debug || debugLog !== undefined, debugLog, strace: opts.strace });
  const memoryLimit = opts.memoryLimit ?? Math.floor(os.totalmem() / 4);
  const kernel = new Kernel({ log, hostname: opts.hostname, memoryLimit });
  kernel.setSyscallTable(buildSyscallTable(kernel));

  let fsContext: FsContext;
  const boot: BootState = { fallback: new SpecialFiles(), described: new Map() };
  try {
    const tmpfsBytes = Math.floor(memoryLimit / 2);
    const factories = fileSystemFactories(kernel, tmpfsBytes, boot);
    const ns = buildMountNamespace(mountsFor(opts), factories, {
      tmpfsBytes,
      warn: (msg) => log.debug(msg),
    });
    fsContext = new FsContext(ns, initFsStruct(ns, opts.cwd), boot.devices ?? boot.fallback);
  } catch (e) {
    log.close();
    if (e instanceof MountConfigError) throw new SandboxError(e.message, 125);
    throw e;
  }

  // The program is found and read inside the sandbox's tree, as the guest would see it.
  const creds = new Credentials();
  let program = await readProgram(fsContext, creds, opts.argv[0], opts.env);
  const hostRoot = !opts.mounts && (!opts.root || (opts.root.kind === 'host' && path.resolve(opts.root.path) === '/'));
  if (program === -Errno.ENOENT && hostRoot) program = readHostProgram(opts.argv[0], opts.env);
  if (typeof program === 'number') {
    log.close();
    if (program === -Errno.ENOENT || program === -Errno.ENOTDIR) {
      const what = opts.argv[0].includes('/') ? 'no such file or directory' : 'command not found';
      throw new SandboxError(`${opts.argv[0]}: ${what}`, 127);
    }
    throw new SandboxError(`${opts.argv[0]}: ${program === -Errno.EACCES ? 'permission denied' : `cannot read (errno ${-program})`}`, 126);
  }
  // "#!" scripts and the dynamic loader (PT_INTERP) are found as execve finds them.
  const enc = (x: string): Uint8Array => Buffer.from(x, 'utf8');
  const caller = makeCaller(creds, fsContext.fs, () => undefined, fsContext.special);
  const found = await resolveProgram(
    caller,
    { dirfd: -100, path: Buffer.from(program.exe, 'utf8').toString('latin1'), flags: 0, filename: enc(opts.argv[0]), argv: opts.argv.map(enc) },
    program,
  );
  if (typeof found === 'number') {
    log.close();
    const why = found === -Errno.ENOEXEC ? 'exec format error' : found === -Errno.ENOENT ? 'no such file or directory (its interpreter)' : `cannot start (errno ${-found})`;
    throw new SandboxError(`${opts.argv[0]}: ${why}`, found === -Errno.ENOENT ? 127 : 126);
  }
  const argv = found.argv.map((b) => Buffer.from(b).toString('utf8'));

  let fds = new FdTable();
  let con: Console | undefined;
  if (opts.terminal) {
    const made = consoleFdTable(boot.devpts, fsContext, opts.terminal.size);
    if (typeof made === 'string') {
      log.close();
      throw new SandboxError(made, 125);
    }
    ({ console: con, fds } = made);
  } else {
    const stdio = opts.stdio ?? [0, 1, 2];
    const names = ['stdin', 'stdout', 'stderr'];
    for (let i = 0; i < 3; i++) {
      const flags = hostFdFlags(stdio[i], i === 0 ? 0o100000 : 0o100001);
      fds.installAt(i, new HostStdioFile(stdio[i], flags, `host:${names[i]}`), false);
    }
  }

  const tg = createProcess(kernel, { exe: found.exe.exe, bytes: found.exe.bytes, argv, envp: opts.env, fsContext, fds, creds, interp: found.interp });
  if (typeof tg === 'number') {
    con?.close();
    log.close();
    const why = tg === -Errno.ENOEXEC ? 'exec format error' : `cannot start (errno ${-tg})`;
    throw new SandboxError(`${opts.argv[0]}: ${why}`, 126);
  }
  log.debug(`sandbox started: pid ${tg.pid} ${JSON.stringify(opts.argv)} (stub host pid ${tg.as.hostPid})`);
  let disconnect: (() => void) | undefined;
  if (con && opts.terminal) {
    attachConsole(con, kernel, tg);
    disconnect = opts.terminal.connect(con);
  }
  try {
    const result = await kernel.run(tg);
    log.debug(`sandbox finished: ${JSON.stringify(result)}`);
    return result;
  } finally {
    if (con) {
      // What the guest wrote last reaches the host side before it lets go.
      await new Promise((r) => setImmediate(r));
      disconnect?.();
      con.close();
    }
    log.close();
  }
}
