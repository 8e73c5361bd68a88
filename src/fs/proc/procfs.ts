// procfs (man 5 proc): the sandbox's processes and system information,
// generated from a ProcKernelView. Never the host's processes or mounts.
//
// The root lists the system files (in procfs's order: shorter names first),
// then "self" and "thread-self", then one directory per process in PID
// order; the readdir cookie of /proc/PID is derived from the PID, so a
// listing resumed after processes come and go stays in order.
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Errno } from '../../abi/linux/errno.js';
import type { Inode } from '../../vfs/inode.js';
import { realtimeClock, type Clock } from '../../vfs/timestamp.js';
import {
  DEFAULT_FILESYSTEMS,
  formatFilesystems,
  formatLoadavg,
  formatMeminfo,
  formatProcStat,
  formatUptime,
  formatUuid,
  formatVersion,
  restrictCpuinfo,
  syntheticCpuinfo,
} from './format.js';
import { PidDir } from './pid_dir.js';
import {
  FIRST_POS,
  GeneratedFile,
  nameToInt,
  pruneCache,
  StaticDir,
  SynthDir,
  SynthFs,
  SynthSymlink,
  type Generated,
  type SynthEntry,
} from './synthetic.js';
import { buildProcSys } from './sysctl.js';
import type { ProcKernelView } from './view.js';

export const PROC_SUPER_MAGIC = 0x9fa0;

export interface ProcfsOptions {
  clock?: Clock;
  /** Fills a buffer with random bytes (UUIDs); default node:crypto. */
  random?: (buf: Uint8Array) => void;
  /**
   * The host's /proc/cpuinfo text, restricted to the sandbox's CPUs when
   * the view has no cpuinfo(). Default: read once now (before the sentry
   * confines itself); null for a synthetic one.
   */
  hostCpuinfo?: string | null;
}

function readHostCpuinfo(): string | null {
  try {
    return readFileSync('/proc/cpuinfo', 'latin1');
  } catch {
    return null;
  }
}

export class ProcFileSystem extends SynthFs {
  declare root: ProcRootDir;
  readonly bootId: string;
  readonly random: (buf: Uint8Array) => void;
  private readonly hostCpuinfo: string | null;

  constructor(readonly view: ProcKernelView, opts: ProcfsOptions = {}) {
    super('proc', PROC_SUPER_MAGIC, false, opts.clock ?? realtimeClock);
    this.random = opts.random ?? ((b) => void randomFillSync(b));
    this.bootId = view.bootId ?? this.uuid();
    this.hostCpuinfo = opts.hostCpuinfo !== undefined ? opts.hostCpuinfo : readHostCpuinfo();
    this.root = new ProcRootDir(this);
  }

  /** A fresh random UUID (/proc/sys/kernel/random/uuid). */
  uuid(): string {
    const b = new Uint8Array(16);
    this.random(b);
    return formatUuid(b);
  }

  cpuinfo(): string {
    const given = this.view.cpuinfo?.();
    if (given !== undefined) return given;
    const n = Math.max(1, this.view.cpus());
    return this.hostCpuinfo ? restrictCpuinfo(this.hostCpuinfo, n) : syntheticCpuinfo(n);
  }
}

/** A system-wide file: writes are EIO (proc_reg_write without ->proc_write). */
function systemFile(fs: ProcFileSystem, render: () => Generated): GeneratedFile {
  return new GeneratedFile(fs, 0o444, render, { writeErrno: Errno.EIO });
}

/** procfs orders its static entries by length, then bytes (proc_match in the subdir rbtree). */
function procOrder(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** /proc. */
export class ProcRootDir extends SynthDir {
  private readonly statics = new Map<string, Inode>();
  private readonly staticNames: string[];
  private readonly self: SynthSymlink;
  private readonly threadSelf: SynthSymlink;
  /** /proc/N directories looked up or listed, by N (a TGID, or the TID of a thread reached as /proc/TID). */
  private readonly pidDirs = new Map<number, PidDir>();

  constructor(private readonly pfs: ProcFileSystem) {
    super(pfs, 0o555);
    const view = pfs.view;
    const add = (name: string, inode: Inode): void => {
      this.statics.set(name, inode);
    };
    add('cpuinfo', systemFile(pfs, () => pfs.cpuinfo()));
    add('meminfo', systemFile(pfs, () => formatMeminfo(view.memory())));
    add('stat', systemFile(pfs, () => formatProcStat(view)));
    add('uptime', systemFile(pfs, () => formatUptime(view)));
    add('loadavg', systemFile(pfs, () => formatLoadavg(view)));
    add('version', systemFile(pfs, () => formatVersion(view)));
    add('filesystems', systemFile(pfs, () => formatFilesystems(view.filesystems?.() ?? DEFAULT_FILESYSTEMS)));
    add('mounts', new SynthSymlink(pfs, 'self/mounts'));
    add('net', new SynthSymlink(pfs, 'self/net'));
    const sys = new StaticDir(pfs, 0o555, this);
    buildProcSys(pfs, sys);
    add('sys', sys);
    this.staticNames = [...this.statics.keys()].sort(procOrder);
    this.self = new SynthSymlink(pfs, (caller) => {
      const cur = view.current(caller);
      return cur ? String(cur.pid) : -Errno.ENOENT;
    });
    this.threadSelf = new SynthSymlink(pfs, (caller) => {
      const cur = view.current(caller);
      return cur ? `${cur.pid}/task/${cur.tid}` : -Errno.ENOENT;
    });
  }

  parentIno(): number {
    return this.ino;
  }

  /** The readdir position of "self"; thread-self follows, then each PID at pidBase + PID. */
  private get selfPos(): number {
    return FIRST_POS + this.staticNames.length;
  }

  private get pidBase(): number {
    return this.selfPos + 2;
  }

  protected override refreshAttrs(): void {
    this.attrs.nlink = 3 + this.pfs.view.pids().length;
  }

  private pidDir(n: number, pid: number): PidDir {
    let d = this.pidDirs.get(n);
    if (!d || d.pid !== pid) {
      pruneCache(this.pidDirs, this.pfs.view.pids().length, (_n, dir) => dir.alive());
      d = new PidDir(this.pfs, pid, n, 'tgid', this);
      this.pidDirs.set(n, d);
    }
    return d;
  }

  *listing(): Iterable<SynthEntry> {
    let pos = FIRST_POS;
    for (const name of this.staticNames) yield { name, pos: pos++, inode: this.statics.get(name)! };
    yield { name: 'self', pos: pos++, inode: this.self };
    yield { name: 'thread-self', pos: pos++, inode: this.threadSelf };
    const view = this.pfs.view;
    const pids = [...view.pids()].sort((a, b) => a - b);
    const live = new Set(pids);
    for (const [n, d] of this.pidDirs) if (!live.has(d.pid) || !d.alive()) this.pidDirs.delete(n);
    for (const pid of pids) {
      if (!view.process(pid)) continue;
      yield { name: String(pid), pos: this.pidBase + pid, inode: this.pidDir(pid, pid) };
    }
  }

  lookup(name: string): Inode | number {
    const s = this.statics.get(name);
    if (s) return s;
    if (name === 'self') return this.self;
    if (name === 'thread-self') return this.threadSelf;
    const n = nameToInt(name);
    if (n <= 0) return -Errno.ENOENT;
    const pid = this.tgidOf(n);
    if (pid === null) return -Errno.ENOENT;
    return this.pidDir(n, pid);
  }

  /** /proc/PID is gone once its process (or thread, for /proc/TID) has. */
  override revalidate(name: string, child: Inode): boolean {
    if (!(child instanceof PidDir)) return true;
    const n = nameToInt(name);
    return n > 0 && this.tgidOf(n) === child.pid && child.alive();
  }

  /** The thread group of N: N itself for a process, else the process with a thread N. */
  private tgidOf(n: number): number | null {
    const view = this.pfs.view;
    if (view.process(n)) return n;
    for (const pid of view.pids()) {
      if (view.process(pid)?.threads().some((t) => t.tid === n)) return pid;
    }
    return null;
  }
}

/** A procfs instance for the kernel's processes. Mount it at /proc. */
export function createProcfs(view: ProcKernelView, opts: ProcfsOptions = {}): ProcFileSystem {
  return new ProcFileSystem(view, opts);
}
