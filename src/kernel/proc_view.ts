// The kernel as procfs sees it (src/fs/proc/view.ts): a thin adapter that
// reads the kernel's real state when a /proc file is rendered, so every value
// is live. Processes come from Kernel.processes, the caller from the task
// whose system call is being served (or the Caller procfs was given).
import os from 'node:os';
import { At } from '../abi/linux/stat.js';
import { HostStdioFile } from '../fs/host_stdio.js';
import { mountEntries, type MountDescription } from '../fs/proc/mounts.js';
import { memStatsFromVmas, vmasFromMaps } from '../fs/proc/format.js';
import type {
  ProcCaps,
  ProcCreds,
  ProcFd,
  ProcKernelView,
  ProcMemoryInfo,
  ProcMemStats,
  ProcMountEntry,
  ProcProcess,
  ProcState,
  ProcThread,
  ProcVma,
} from '../fs/proc/view.js';
import type { FsCredentials } from '../vfs/credentials.js';
import { FsStruct, makeCaller, type Caller } from '../vfs/fs_struct.js';
import type { FileSystem } from '../vfs/inode.js';
import type { Mount } from '../vfs/mount.js';
import { OpenFile } from '../vfs/open_file.js';
import type { VfsPath } from '../vfs/path.js';
import { lookupAt } from '../vfs/resolve.js';
import { taskOfCaller } from './fs_context.js';
import { procCaps } from './capabilities.js';
import { dumpable } from './task_attrs.js';
import { cpusAllowed, niceOf } from './sched_state.js';
import type { Kernel } from './kernel.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';

export interface ProcViewOptions {
  /** uname -r and uname -v (src/syscalls/system.ts). */
  release: string;
  version: string;
  /** CPUs the sandbox shows (default: the host's). */
  cpus?: number;
  /** Sources and options of the sandbox's file systems for /proc/PID/mounts (default: the type). */
  describe?: (fs: FileSystem) => MountDescription | undefined;
}

const ROOT_CREDS: FsCredentials = { uid: 0, gid: 0, euid: 0, fsuid: 0, fsgid: 0, groups: [] };

/** A string as the kernel copies it from user memory: its UTF-8 bytes then a NUL. */
function cStrings(strings: readonly string[]): Uint8Array {
  return Buffer.concat(strings.map((s) => Buffer.from(s + '\0', 'utf8')));
}

class ThreadView implements ProcThread {
  constructor(
    private readonly kernel: Kernel,
    private readonly task: Task,
  ) {}

  get tid(): number {
    return this.task.tid;
  }

  get comm(): string {
    return this.task.tg.comm;
  }

  setComm(name: string): void {
    this.task.tg.comm = name;
  }

  get state(): ProcState {
    if (this.task.tg.zombie) return 'Z';
    if (this.task.exited) return 'X';
    if (this.task.tg.stopped) return 'T';
    if (this.kernel.currentTask === this.task) return 'R';
    return this.task.blocked ? 'S' : 'R';
  }

  get creds(): ProcCreds {
    const c = this.task.creds;
    return { uid: c.uid, euid: c.euid, suid: c.suid, fsuid: c.fsuid, gid: c.gid, egid: c.egid, sgid: c.sgid, fsgid: c.fsgid, groups: [...c.groups] };
  }

  get caps(): ProcCaps {
    return procCaps(this.task.creds);
  }

  get noNewPrivs(): boolean {
    return this.task.creds.noNewPrivs;
  }

  get nice(): number {
    return niceOf(this.task);
  }

  get cpusAllowed(): readonly number[] {
    return cpusAllowed(this.task);
  }

  get sigPending(): bigint {
    return (BigInt(this.task.pending.hi >>> 0) << 32n) | BigInt(this.task.pending.lo >>> 0);
  }

  get sigBlocked(): bigint {
    return (BigInt(this.task.sigmaskHi >>> 0) << 32n) | BigInt(this.task.sigmaskLo >>> 0);
  }
}

class ProcessView implements ProcProcess {
  constructor(
    private readonly kernel: Kernel,
    private readonly tg: ThreadGroup,
    private readonly opts: ProcViewOptions,
  ) {}

  get pid(): number {
    return this.tg.pid;
  }

  get ppid(): number {
    return this.tg.ppid;
  }

  threads(): readonly ProcThread[] {
    // A zombie keeps its leader (state Z) until it is reaped.
    const tasks = this.tg.zombie && this.tg.leader ? [this.tg.leader] : [...this.tg.tasks];
    return tasks.sort((a, b) => a.tid - b.tid).map((t) => new ThreadView(this.kernel, t));
  }

  get pgid(): number {
    return this.tg.pgid;
  }

  get sid(): number {
    return this.tg.sid;
  }

  get sigSharedPending(): bigint {
    const q = this.tg.sharedPending;
    return (BigInt(q.hi >>> 0) << 32n) | BigInt(q.lo >>> 0);
  }

  get sigQueued(): number {
    let n = this.tg.sharedPending.items.length;
    for (const t of this.tg.tasks) n += t.pending.items.length;
    return n;
  }

  get sigIgnored(): bigint {
    return this.actionMask((h) => h === 1);
  }

  get sigCaught(): bigint {
    return this.actionMask((h) => h > 1);
  }

  private actionMask(pred: (handler: number) => boolean): bigint {
    let m = 0n;
    for (let sig = 1; sig <= 64; sig++) if (pred(this.tg.sigactions.get(sig).handler)) m |= 1n << BigInt(sig - 1);
    return m;
  }

  get dumpable(): boolean {
    return dumpable(this.tg) !== 0;
  }

  get exitSignal(): number {
    return this.tg.exitSignal;
  }

  get startTime(): number {
    return Math.floor(((this.tg.startMs - this.kernel.bootTimeMs) / 1000) * 100);
  }

  memory(): ProcMemStats | null {
    return this.tg.zombie ? null : memStatsFromVmas(this.vmas());
  }

  /** The executable inside the sandbox's mount namespace, or its path name when it is not there. */
  get exe(): VfsPath | string | null {
    const name = this.tg.image.exe;
    const boot = new FsStruct(this.tg.fsContext.mountNs.rootPath);
    try {
      const at = lookupAt(makeCaller(ROOT_CREDS, boot), At.AT_FDCWD, name, { follow: true });
      return typeof at === 'number' ? name : at;
    } finally {
      boot.release();
    }
  }

  get cwd(): VfsPath {
    return this.tg.fsContext.fs.cwd;
  }

  get root(): VfsPath {
    return this.tg.fsContext.fs.root;
  }

  get umask(): number {
    return this.tg.fsContext.fs.umask;
  }

  cmdline(): Uint8Array {
    return cStrings(this.tg.image.argv);
  }

  environ(): Uint8Array {
    return cStrings(this.tg.image.envp);
  }

  fds(): readonly ProcFd[] {
    return this.tg.fds.entries().map(({ fd, file, cloexec }): ProcFd => {
      if (file instanceof OpenFile) return { fd, path: file.path, flags: file.flags, cloexec, pos: file.offset };
      const name = file instanceof HostStdioFile ? (file.hostLink ?? file.name) : file.name;
      return { fd, name, flags: file.flags, cloexec, pos: 0, fdinfoExtra: file.fdinfo?.() };
    });
  }

  vmas(): readonly ProcVma[] {
    if (this.tg.zombie) return [];
    return vmasFromMaps(this.tg.mm.procMaps());
  }

  limits(): readonly { cur: number; max: number }[] {
    return this.tg.limits.table;
  }

  mounts(): readonly ProcMountEntry[] {
    const describe = this.opts.describe;
    return mountEntries(this.tg.fsContext.mountNs, this.tg.fsContext.fs.root, describe ? (m: Mount) => describe(m.fs) : undefined);
  }

  get exitCode(): number | undefined {
    return this.tg.exitStatus;
  }
}

/** The ProcKernelView of a kernel. */
export class KernelProcView implements ProcKernelView {
  readonly release: string;
  readonly version: string;
  private readonly ncpus: number;
  /** Wall-clock time of boot, in seconds since the epoch. */
  private readonly bootEpoch: number;

  constructor(
    private readonly kernel: Kernel,
    private readonly opts: ProcViewOptions,
  ) {
    this.release = opts.release;
    this.version = opts.version;
    this.ncpus = opts.cpus ?? Math.max(1, os.cpus().length);
    this.bootEpoch = Math.floor(Date.now() / 1000 - (performance.now() - kernel.bootTimeMs) / 1000);
  }

  pids(): readonly number[] {
    return [...this.kernel.processes.keys()].sort((a, b) => a - b);
  }

  process(pid: number): ProcProcess | null {
    const tg = this.kernel.processes.get(pid);
    return tg ? new ProcessView(this.kernel, tg, this.opts) : null;
  }

  current(caller?: Caller): { pid: number; tid: number } | null {
    const t = (caller ? taskOfCaller(caller) : undefined) ?? this.kernel.currentTask;
    return t ? { pid: t.tg.pid, tid: t.tid } : null;
  }

  hostname(): string {
    return this.kernel.hostname;
  }

  uptime(): number {
    return (performance.now() - this.kernel.bootTimeMs) / 1000;
  }

  bootTime(): number {
    return this.bootEpoch;
  }

  cpus(): number {
    return this.ncpus;
  }

  memory(): ProcMemoryInfo {
    const mf = this.kernel.memoryFile;
    return { total: mf.limit, used: Math.min(mf.usedBytes, mf.limit) };
  }
}
