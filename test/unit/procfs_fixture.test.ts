// Shared set-up for the procfs, devfs and sysfs tests: a fake kernel view
// (processes, threads, descriptors, mappings) and a tmpfs root with /proc,
// /dev and /sys mounted, plus helpers that read files and list directories
// through the VFS as a guest would. Its own test checks the fixture.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At } from '../../src/abi/linux/stat.js';
import { createDevfs, type Devfs } from '../../src/fs/dev/devfs.js';
import type { RandomSource } from '../../src/fs/dev/devices.js';
import { mountEntries } from '../../src/fs/proc/mounts.js';
import { createProcfs, type ProcFileSystem } from '../../src/fs/proc/procfs.js';
import type {
  ProcCpuTimes,
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
} from '../../src/fs/proc/view.js';
import { nulJoin } from '../../src/fs/proc/view.js';
import { createSysfs, type SysFileSystem } from '../../src/fs/sys/sysfs.js';
import { Limits } from '../../src/kernel/limits.js';
import type { FsCredentials } from '../../src/vfs/credentials.js';
import { FsStruct, makeCaller, type Caller } from '../../src/vfs/fs_struct.js';
import { MountFlag, type Mount } from '../../src/vfs/mount.js';
import { mkdirAt } from '../../src/vfs/namei_ops.js';
import type { OpenFile } from '../../src/vfs/open_file.js';
import type { VfsPath } from '../../src/vfs/path.js';
import { ROOT, World } from './vfs_fixture.test.js';

export function pcreds(uid: number, gid: number, groups: number[] = []): ProcCreds {
  return { uid, euid: uid, suid: uid, fsuid: uid, gid, egid: gid, sgid: gid, fsgid: gid, groups };
}

export class FakeThread implements ProcThread {
  sigBlocked = 0n;
  sigPending = 0n;
  utime = 0;
  stime = 0;
  minflt = 0;
  majflt = 0;
  processor = 0;
  voluntarySwitches = 0;
  involuntarySwitches = 0;
  constructor(
    public tid: number,
    public comm: string,
    public creds: ProcCreds,
    public state: ProcState = 'S',
  ) {}
  setComm(name: string): void {
    this.comm = name;
  }
}

export class FakeProcess implements ProcProcess {
  threadList: FakeThread[] = [];
  exe: VfsPath | string | null = null;
  cwd: VfsPath | string | null = null;
  root: VfsPath | string | null = null;
  umask = 0o022;
  argv: string[] = [];
  envp: string[] = [];
  auxvBytes = new Uint8Array(0);
  fdList: ProcFd[] = [];
  vmaList: ProcVma[] = [];
  limitsTable = new Limits().table;
  mountList: () => readonly ProcMountEntry[] = () => [];
  sigIgnored = 0n;
  sigCaught = 0n;
  sigSharedPending = 0n;
  startTime = 0;
  dumpable = true;
  memory?: () => ProcMemStats | null;

  constructor(
    public pid: number,
    public ppid: number,
    comm: string,
    creds: ProcCreds = pcreds(0, 0),
  ) {
    this.threadList.push(new FakeThread(pid, comm, creds));
  }

  get leader(): FakeThread {
    return this.threadList[0]!;
  }

  addThread(tid: number, state: ProcState = 'S'): FakeThread {
    const t = new FakeThread(tid, this.leader.comm, this.leader.creds, state);
    this.threadList.push(t);
    this.threadList.sort((a, b) => a.tid - b.tid);
    return t;
  }

  threads(): readonly ProcThread[] {
    return this.threadList;
  }
  cmdline(): Uint8Array {
    return nulJoin(this.argv);
  }
  environ(): Uint8Array {
    return nulJoin(this.envp);
  }
  auxv(): Uint8Array {
    return this.auxvBytes;
  }
  fds(): readonly ProcFd[] {
    return this.fdList;
  }
  vmas(): readonly ProcVma[] {
    return this.vmaList;
  }
  limits(): readonly { cur: number; max: number }[] {
    return this.limitsTable;
  }
  mounts(): readonly ProcMountEntry[] {
    return this.mountList();
  }
}

export class FakeView implements ProcKernelView {
  readonly procs = new Map<number, FakeProcess>();
  cur: { pid: number; tid: number } | null = null;
  host = 'sandbox';
  readonly release = '6.6.0';
  readonly version = '#1 SMP PREEMPT_DYNAMIC tsvisor';
  up = 12.345;
  boot = 1_700_000_000;
  ncpu = 2;
  mem: ProcMemoryInfo = { total: 1024 * 1024 * 1024, used: 256 * 1024 * 1024 };
  forkCount = 7;
  cpuTimes?: () => readonly ProcCpuTimes[];

  add(p: FakeProcess): FakeProcess {
    this.procs.set(p.pid, p);
    return p;
  }
  pids(): readonly number[] {
    return [...this.procs.keys()].sort((a, b) => a - b);
  }
  process(pid: number): ProcProcess | null {
    return this.procs.get(pid) ?? null;
  }
  current(_caller?: Caller): { pid: number; tid: number } | null {
    return this.cur;
  }
  hostname(): string {
    return this.host;
  }
  setHostname(name: string): number {
    this.host = name;
    return 0;
  }
  uptime(): number {
    return this.up;
  }
  bootTime(): number {
    return this.boot;
  }
  cpus(): number {
    return this.ncpu;
  }
  memory(): ProcMemoryInfo {
    return this.mem;
  }
  forks(): number {
    return this.forkCount;
  }
}

/** A counter-based random source: byte i is (seed + i) & 0xff. */
export function countingRandom(seed = 0): RandomSource {
  let n = seed;
  return (buf, off, len) => {
    for (let i = 0; i < len; i++) buf[off + i] = n++ & 0xff;
    return len;
  };
}

export const SAMPLE_CPUINFO =
  'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU\nsiblings\t: 4\ncore id\t\t: 0\ncpu cores\t: 4\nflags\t\t: fpu sse2\n\n' +
  'processor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU\nsiblings\t: 4\ncore id\t\t: 1\ncpu cores\t: 4\nflags\t\t: fpu sse2\n\n' +
  'processor\t: 2\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU\nsiblings\t: 4\ncore id\t\t: 2\ncpu cores\t: 4\nflags\t\t: fpu sse2\n\n';

export const PROC_FLAGS = MountFlag.MS_NOSUID | MountFlag.MS_NODEV | MountFlag.MS_NOEXEC | MountFlag.MS_RELATIME;

/** A sandbox-like tree: tmpfs root with /proc, /dev and /sys mounted, and a fake kernel. */
export class ProcWorld {
  readonly w = new World();
  readonly view = new FakeView();
  readonly proc: ProcFileSystem;
  readonly dev: Devfs;
  readonly sys: SysFileSystem;
  readonly mounts = new Map<string, Mount>();

  constructor() {
    const c = this.w.caller(ROOT);
    for (const d of ['/proc', '/dev', '/sys', '/tmp', '/bin']) assert.equal(mkdirAt(c, At.AT_FDCWD, d, 0o755), 0);
    const random = countingRandom(0x10);
    this.proc = createProcfs(this.view, { clock: this.w.clock, random: (b) => void random(b, 0, b.length), hostCpuinfo: SAMPLE_CPUINFO });
    this.dev = createDevfs({ clock: this.w.clock, random: countingRandom(1) });
    this.sys = createSysfs({ cpus: 2, clock: this.w.clock });
    this.mount(this.proc, '/proc', PROC_FLAGS);
    this.mount(this.dev.fs, '/dev', MountFlag.MS_NOSUID | MountFlag.MS_RELATIME);
    this.mount(this.sys, '/sys', MountFlag.MS_RDONLY | MountFlag.MS_NOSUID | MountFlag.MS_NODEV | MountFlag.MS_NOEXEC | MountFlag.MS_RELATIME);
  }

  private mount(fs: Parameters<World['ns']['mount']>[0], at: string, flags: number): void {
    const p = this.w.lookup(this.w.caller(ROOT), at);
    assert.ok(typeof p !== 'number');
    const m = this.w.ns.mount(fs, p, flags);
    assert.ok(typeof m !== 'number');
    this.mounts.set(at, m);
  }

  /** A caller with the device registry as its SpecialOpener. */
  caller(creds: FsCredentials = ROOT): Caller {
    const root = this.w.ns.rootPath;
    return makeCaller(creds, new FsStruct(root, root), (fd) => this.w.fds.get(fd)?.path, this.dev.devices);
  }

  path(c: Caller, p: string): VfsPath {
    const r = this.w.lookup(c, p);
    if (typeof r === 'number') throw new Error(`lookup ${p}: ${r}`);
    return r;
  }

  /** A process whose cwd and root are the namespace root and whose mounts are the namespace's. */
  process(pid: number, ppid: number, comm: string, creds = pcreds(0, 0)): FakeProcess {
    const p = new FakeProcess(pid, ppid, comm, creds);
    const root = this.w.ns.rootPath;
    p.root = root;
    p.cwd = root;
    p.mountList = () =>
      mountEntries(this.w.ns, root, (m) => {
        if (m.fs.type === 'tmpfs' && m === this.mounts.get('/dev')) return { source: 'tmpfs', fsOptions: ['size=65536k', 'mode=755'] };
        return m.parent === null ? { source: 'none' } : undefined;
      });
    return this.view.add(p);
  }

  open(c: Caller, path: string, flags = OpenFlag.O_RDONLY): OpenFile | number {
    return this.w.open(c, path, flags);
  }

  /** The whole file, read in chunks of chunk bytes (latin1), or -errno. */
  read(c: Caller, path: string, chunk = 4096): string | number {
    const f = this.open(c, path);
    if (typeof f === 'number') return f;
    f.incRef();
    try {
      return this.readAll(f, chunk);
    } finally {
      f.decRef();
    }
  }

  readAll(f: OpenFile, chunk = 4096): string | number {
    let out = '';
    for (;;) {
      const r = this.w.read(f, chunk);
      if (typeof r === 'number') return r;
      if (r.length === 0) return out;
      out += r;
    }
  }

  /** Names in readdir order (with "." and ".."), or -errno. */
  list(c: Caller, path: string): string[] | number {
    const f = this.open(c, path, OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY);
    if (typeof f === 'number') return f;
    const names: string[] = [];
    const r = f.readdir((e) => {
      names.push(e.name);
      return true;
    });
    return r < 0 ? r : names;
  }
}

test('fixture: /proc, /dev and /sys are mounted and readable', () => {
  const pw = new ProcWorld();
  const c = pw.caller();
  pw.process(1, 0, 'init');
  pw.view.cur = { pid: 1, tid: 1 };
  assert.equal(pw.read(c, '/proc/self/comm'), 'init\n');
  assert.equal(pw.read(c, '/sys/devices/system/cpu/online'), '0-1\n');
  assert.equal(pw.read(c, '/dev/null'), '');
});
