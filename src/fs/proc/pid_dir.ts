// /proc/PID, /proc/PID/task/TID and what is inside them: generated files,
// the exe/cwd/root magic links, fd/ (one magic link per descriptor) and
// fdinfo/. Every inode asks the kernel view on each use, so it follows the
// live process and reports ENOENT/ESRCH once the process has gone.
import { Errno } from '../../abi/linux/errno.js';
import { Capability, capable } from '../../vfs/credentials.js';
import type { Caller } from '../../vfs/fs_struct.js';
import type { Inode } from '../../vfs/inode.js';
import { pathName, type VfsPath } from '../../vfs/path.js';
import {
  fdTableSize,
  formatFdinfo,
  formatLimits,
  formatMaps,
  formatMountinfo,
  formatMounts,
  formatSmaps,
  formatStat,
  formatStatm,
  formatStatus,
  leaderOf,
  CAP_FULL,
} from './format.js';
import { buildNetDir } from './net.js';
import type { ProcFileSystem } from './procfs.js';
import {
  FIRST_POS,
  GeneratedFile,
  nameToInt,
  pruneCache,
  SynthDir,
  SynthMagicLink,
  type Generated,
  type GeneratedFileOptions,
  type Owner,
  type SynthEntry,
} from './synthetic.js';
import type { ProcFd, ProcProcess, ProcThread } from './view.js';

/** CAP_SYS_PTRACE: reading another user's process details. */
const CAP_SYS_PTRACE = 19;
const O_ACCMODE = 0o3;
const O_WRONLY = 0o1;
const O_RDWR = 0o2;
const O_PATH = 0o10000000;
/** TASK_COMM_LEN - 1. */
const COMM_MAX = 15;
/** st_size of /proc/PID/fd/N links. */
const FD_LINK_SIZE = 64;

/** The entries of /proc/PID in Linux's order (tgid_base_stuff), those procfs provides. */
export const TGID_ENTRIES: readonly string[] = [
  'task', 'fd', 'fdinfo', 'net', 'environ', 'auxv', 'status', 'limits', 'comm', 'cmdline', 'stat', 'statm', 'maps',
  'cwd', 'root', 'exe', 'mounts', 'mountinfo', 'smaps', 'cgroup',
];
/** The entries of /proc/PID/task/TID (tid_base_stuff). */
export const TID_ENTRIES: readonly string[] = TGID_ENTRIES.filter((n) => n !== 'task');

/**
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS) simplified: the same process,
 * or the caller's fsuid/fsgid equal to every uid/gid of a dumpable target,
 * or CAP_SYS_PTRACE. Calls made by the kernel itself (no current task) pass.
 */
export function mayAccess(pfs: ProcFileSystem, caller: Caller | undefined, p: ProcProcess): boolean {
  const view = pfs.view;
  const cur = view.current(caller);
  if (cur && cur.pid === p.pid) return true;
  let fsuid: number;
  let fsgid: number;
  if (caller) {
    if (capable(caller.creds, CAP_SYS_PTRACE as Capability)) return true;
    fsuid = caller.creds.fsuid;
    fsgid = caller.creds.fsgid;
  } else if (cur) {
    const me = view.process(cur.pid)?.threads().find((t) => t.tid === cur.tid);
    if (!me) return false;
    const eff = me.caps?.effective ?? (me.creds.euid === 0 ? CAP_FULL : 0n);
    if ((eff & (1n << BigInt(CAP_SYS_PTRACE))) !== 0n) return true;
    fsuid = me.creds.fsuid;
    fsgid = me.creds.fsgid;
  } else {
    return true;
  }
  const t = leaderOf(p)?.creds;
  if (!t || p.dumpable === false) return false;
  return fsuid === t.uid && fsuid === t.euid && fsuid === t.suid && fsgid === t.gid && fsgid === t.egid && fsgid === t.sgid;
}

/** task_dump_owner: the thread's euid/egid, root for a non-dumpable process. */
function ownerOf(p: ProcProcess | null, t: ProcThread | null): Owner | null {
  if (!p || !t) return null;
  if (p.dumpable === false) return { uid: 0, gid: 0 };
  return { uid: t.creds.euid, gid: t.creds.egid };
}

/** The top of the mount tree p is in (the namespace root). */
function nsRoot(p: VfsPath): VfsPath {
  let m = p.mount;
  while (m.parent) m = m.parent;
  return { mount: m, dentry: m.root };
}

/** d_path: p's name from root (the namespace's root if none), " (deleted)" once unlinked. */
export function pathText(p: VfsPath, root: VfsPath | undefined): string {
  const r = pathName(p, root ?? nsRoot(p));
  return r.deleted ? `${r.name} (deleted)` : r.name;
}

/** The reader's root: the caller's, else the current process's. */
function readerRoot(pfs: ProcFileSystem, caller: Caller | undefined): VfsPath | undefined {
  if (caller) return caller.fs.root;
  const cur = pfs.view.current();
  const root = cur ? pfs.view.process(cur.pid)?.root : undefined;
  return root && typeof root !== 'string' ? root : undefined;
}

/** A directory of /proc/PID or /proc/PID/task/TID. */
export class PidDir extends SynthDir {
  private readonly children = new Map<string, Inode>();
  readonly names: readonly string[];

  constructor(
    readonly pfs: ProcFileSystem,
    /** The thread group. */
    readonly pid: number,
    /** The thread this directory shows (pid for /proc/PID; a thread's TID for /proc/TID and task/TID). */
    readonly tid: number,
    readonly kind: 'tgid' | 'tid',
    private readonly parent: SynthDir,
  ) {
    super(pfs, 0o555, { owner: () => ownerOf(this.process(), this.thread()) });
    this.names = kind === 'tgid' ? TGID_ENTRIES : TID_ENTRIES;
  }

  process(): ProcProcess | null {
    return this.pfs.view.process(this.pid);
  }

  thread(): ProcThread | null {
    const p = this.process();
    if (!p) return null;
    const ts = p.threads();
    const t = ts.find((x) => x.tid === this.tid);
    if (t) return t;
    return this.tid === this.pid ? (leaderOf(p) ?? null) : null;
  }

  alive(): boolean {
    return this.thread() !== null;
  }

  parentIno(): number {
    return this.parent.ino;
  }

  protected override refreshAttrs(): void {
    this.attrs.nlink = 2 + (this.kind === 'tgid' ? 4 : 3);
  }

  *listing(): Iterable<SynthEntry> {
    if (!this.alive()) return;
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i]!;
      yield { name, pos: FIRST_POS + i, inode: this.child(name) };
    }
  }

  lookup(name: string): Inode | number {
    if (!this.alive() || !this.names.includes(name)) return -Errno.ENOENT;
    return this.child(name);
  }

  private child(name: string): Inode {
    let c = this.children.get(name);
    if (!c) {
      c = this.make(name);
      this.children.set(name, c);
    }
    return c;
  }

  private readonly ownerNow = (): Owner | null => ownerOf(this.process(), this.thread());

  /** A file rendered from the live process and thread; ESRCH once either has gone. */
  private file(perm: number, render: (p: ProcProcess, t: ProcThread) => Generated, opts: GeneratedFileOptions = {}): GeneratedFile {
    return new GeneratedFile(
      this.pfs,
      perm,
      () => {
        const p = this.process();
        const t = this.thread();
        if (!p || !t) return -Errno.ESRCH;
        return render(p, t);
      },
      { owner: this.ownerNow, ...opts },
    );
  }

  /** A file only a ptrace-capable reader may read (environ, auxv, maps …): EACCES for others. */
  private guarded(perm: number, render: (p: ProcProcess, t: ProcThread) => Generated): GeneratedFile {
    return this.file(perm, (p, t) => (mayAccess(this.pfs, undefined, p) ? render(p, t) : -Errno.EACCES));
  }

  private magic(get: (p: ProcProcess) => VfsPath | string | null): SynthMagicLink {
    const pfs = this.pfs;
    const resolve = (caller: Caller | undefined): VfsPath | string | number => {
      const p = this.process();
      if (!p || !this.alive()) return -Errno.ENOENT;
      if (!mayAccess(pfs, caller, p)) return -Errno.EACCES;
      return get(p) ?? -Errno.ENOENT;
    };
    return new SynthMagicLink(
      pfs,
      (caller) => {
        const v = resolve(caller);
        return typeof v === 'object' ? pathText(v, readerRoot(pfs, caller)) : v;
      },
      (caller) => {
        const v = resolve(caller);
        return typeof v === 'string' ? -Errno.ENOENT : v;
      },
      { owner: this.ownerNow },
    );
  }

  private make(name: string): Inode {
    const pfs = this.pfs;
    const view = pfs.view;
    switch (name) {
      case 'task':
        return new TaskDir(pfs, this);
      case 'fd':
        return new FdDir(pfs, this, false);
      case 'fdinfo':
        return new FdDir(pfs, this, true);
      case 'net':
        return buildNetDir(pfs, this);
      case 'environ':
        return this.guarded(0o400, (p) => p.environ());
      case 'auxv':
        return this.guarded(0o400, (p) => p.auxv?.() ?? new Uint8Array(0));
      case 'status':
        return this.file(0o444, (p, t) => formatStatus(p, t, view, p.fdSize ?? fdTableSize(p.fds())));
      case 'limits':
        return this.file(0o444, (p) => formatLimits(p.limits()));
      case 'comm':
        return this.file(0o644, (_p, t) => `${t.comm}\n`, {
          maxWrite: COMM_MAX,
          write: (data, count) => this.writeComm(data, count),
        });
      case 'cmdline':
        return this.file(0o444, (p) => p.cmdline());
      case 'stat':
        return this.file(0o444, (p, t) => formatStat(p, t, { whole: this.kind === 'tgid', permitted: mayAccess(pfs, undefined, p) }));
      case 'statm':
        return this.file(0o444, (p) => formatStatm(p));
      case 'maps':
        return this.guarded(0o444, (p) => formatMaps(p.vmas()));
      case 'smaps':
        return this.guarded(0o444, (p) => formatSmaps(p.vmas()));
      case 'cwd':
        return this.magic((p) => p.cwd);
      case 'root':
        return this.magic((p) => p.root);
      case 'exe':
        return this.magic((p) => p.exe);
      case 'mounts':
        return this.file(0o444, (p) => formatMounts(p.mounts()));
      case 'mountinfo':
        return this.file(0o444, (p) => formatMountinfo(p.mounts()));
      case 'cgroup':
        return this.file(0o444, (p) => p.cgroup ?? '0::/\n');
    }
    throw new Error(`procfs: no entry ${name}`);
  }

  /** comm_write: only a thread of the same process may rename; the name stops at a NUL, 15 bytes at most. */
  private writeComm(data: Uint8Array, count: number): number {
    const p = this.process();
    const t = this.thread();
    if (!p || !t) return -Errno.ESRCH;
    const cur = this.pfs.view.current();
    if (!cur || cur.pid !== p.pid) return -Errno.EINVAL;
    let end = data.indexOf(0);
    if (end < 0) end = data.length;
    t.setComm?.(Buffer.from(data.subarray(0, Math.min(end, COMM_MAX))).toString('latin1'));
    return count;
  }
}

/** /proc/PID/task: one directory per thread, by TID. */
class TaskDir extends SynthDir {
  private readonly dirs = new Map<number, PidDir>();

  constructor(private readonly pfs: ProcFileSystem, private readonly piddir: PidDir) {
    super(pfs, 0o555, { owner: () => ownerOf(piddir.process(), piddir.thread()) });
  }

  parentIno(): number {
    return this.piddir.ino;
  }

  private tids(): number[] {
    const p = this.piddir.process();
    return p ? p.threads().map((t) => t.tid).sort((a, b) => a - b) : [];
  }

  protected override refreshAttrs(): void {
    this.attrs.nlink = 2 + this.tids().length;
  }

  private dir(tid: number): PidDir {
    let d = this.dirs.get(tid);
    if (!d) {
      pruneCache(this.dirs, this.tids().length, (_tid, dir) => dir.alive());
      d = new PidDir(this.pfs, this.piddir.pid, tid, 'tid', this);
      this.dirs.set(tid, d);
    }
    return d;
  }

  *listing(): Iterable<SynthEntry> {
    const tids = this.tids();
    const live = new Set(tids);
    for (const tid of this.dirs.keys()) if (!live.has(tid)) this.dirs.delete(tid);
    for (const tid of tids) yield { name: String(tid), pos: FIRST_POS + tid, inode: this.dir(tid) };
  }

  lookup(name: string): Inode | number {
    const tid = nameToInt(name);
    if (tid <= 0 || !this.tids().includes(tid)) return -Errno.ENOENT;
    return this.dir(tid);
  }

  override revalidate(name: string, _child: Inode): boolean {
    const tid = nameToInt(name);
    return tid > 0 && this.tids().includes(tid);
  }
}

/** /proc/PID/fd (magic links) or /proc/PID/fdinfo (files), by descriptor. */
class FdDir extends SynthDir {
  private readonly entries = new Map<number, Inode>();

  constructor(private readonly pfs: ProcFileSystem, private readonly piddir: PidDir, private readonly info: boolean) {
    super(pfs, info ? 0o555 : 0o500, { owner: () => ownerOf(piddir.process(), piddir.thread()) });
  }

  parentIno(): number {
    return this.piddir.ino;
  }

  /** st_size of fd/ is the number of open descriptors (proc_fd_getattr). */
  protected override refreshAttrs(): void {
    if (!this.info) this.attrs.size = this.fds().length;
  }

  private fds(): readonly ProcFd[] {
    return this.piddir.alive() ? (this.piddir.process()?.fds() ?? []) : [];
  }

  private find(fd: number): ProcFd | undefined {
    return this.fds().find((f) => f.fd === fd);
  }

  private entry(fd: number): Inode {
    let e = this.entries.get(fd);
    if (!e) {
      const fds = this.fds();
      const live = new Set(fds.map((f) => f.fd));
      pruneCache(this.entries, fds.length, (n) => live.has(n));
      e = this.info ? this.makeInfo(fd) : this.makeLink(fd);
      this.entries.set(fd, e);
    }
    return e;
  }

  *listing(): Iterable<SynthEntry> {
    const fds = [...this.fds()].sort((a, b) => a.fd - b.fd);
    const live = new Set(fds.map((f) => f.fd));
    for (const fd of this.entries.keys()) if (!live.has(fd)) this.entries.delete(fd);
    for (const f of fds) yield { name: String(f.fd), pos: FIRST_POS + f.fd, inode: this.entry(f.fd) };
  }

  lookup(name: string): Inode | number {
    const fd = nameToInt(name);
    if (fd < 0 || !this.find(fd)) return -Errno.ENOENT;
    return this.entry(fd);
  }

  override revalidate(name: string, _child: Inode): boolean {
    const fd = nameToInt(name);
    return fd >= 0 && this.find(fd) !== undefined;
  }

  private makeLink(fd: number): SynthMagicLink {
    const pfs = this.pfs;
    const resolve = (caller: Caller | undefined): ProcFd | number => {
      const p = this.piddir.process();
      const f = this.find(fd);
      if (!p || !f) return -Errno.ENOENT;
      if (!mayAccess(pfs, caller, p)) return -Errno.EACCES;
      return f;
    };
    return new SynthMagicLink(
      pfs,
      (caller) => {
        const f = resolve(caller);
        if (typeof f === 'number') return f;
        if (f.path) return pathText(f.path, readerRoot(pfs, caller));
        return f.name ?? -Errno.ENOENT;
      },
      (caller) => {
        const f = resolve(caller);
        if (typeof f === 'number') return f;
        // A file with no place in a mount tree (a socket, an anonymous inode) cannot be reopened.
        return f.path ?? -Errno.ENXIO;
      },
      {
        owner: () => ownerOf(this.piddir.process(), this.piddir.thread()),
        size: FD_LINK_SIZE,
        perm: () => {
          const f = this.find(fd);
          if (!f || (f.flags & O_PATH) !== 0) return 0;
          const acc = f.flags & O_ACCMODE;
          let mode = 0;
          if (acc === 0 || acc === O_RDWR) mode |= 0o500;
          if (acc === O_WRONLY || acc === O_RDWR) mode |= 0o300;
          return mode;
        },
      },
    );
  }

  private makeInfo(fd: number): GeneratedFile {
    return new GeneratedFile(
      this.pfs,
      0o444,
      () => {
        const p = this.piddir.process();
        const f = this.find(fd);
        if (!p || !f) return -Errno.ENOENT;
        if (!mayAccess(this.pfs, undefined, p)) return -Errno.EACCES;
        const mntId = f.path ? f.path.mount.id : (f.mntId ?? 0);
        const ino = f.path ? f.path.dentry.inode.ino : (f.ino ?? 0);
        return formatFdinfo(f, mntId, ino);
      },
      { owner: () => ownerOf(this.piddir.process(), this.piddir.thread()) },
    );
  }
}
