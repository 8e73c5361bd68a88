// System-wide procfs files: the /proc listing, cpuinfo, meminfo, stat,
// uptime, loadavg, version, filesystems and /proc/sys — exact text, the
// sandbox's values, and the namespace operations procfs refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { restrictCpuinfo } from '../../src/fs/proc/format.js';
import { PROC_SUPER_MAGIC } from '../../src/fs/proc/procfs.js';
import { statfsPath } from '../../src/vfs/attr_ops.js';
import { mkdirAt, mknodAt, renameAt, symlinkAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { ALICE } from './vfs_fixture.test.js';
import { pcreds, ProcWorld, SAMPLE_CPUINFO } from './procfs_fixture.test.js';

const CWD = At.AT_FDCWD;

function setup() {
  const pw = new ProcWorld();
  const c = pw.caller();
  pw.process(1, 0, 'init');
  pw.process(7, 1, 'sh');
  const p = pw.process(42, 7, 'prog', pcreds(1000, 1000));
  p.addThread(43, 'R');
  pw.view.cur = { pid: 42, tid: 42 };
  return { pw, c };
}

test('/proc lists the system files (procfs order), self, thread-self, then the PIDs in order', () => {
  const { pw, c } = setup();
  assert.deepEqual(pw.list(c, '/proc'), [
    '.', '..', 'net', 'sys', 'stat', 'mounts', 'uptime', 'cpuinfo', 'loadavg', 'meminfo', 'version', 'filesystems',
    'self', 'thread-self', '1', '7', '42',
  ]);
  const st = pw.w.inode(c, '/proc').getattr();
  assert.equal(st.mode, FileMode.S_IFDIR | 0o555);
  assert.equal(st.nlink, 3 + 3);
  assert.equal(statfsPath(pw.path(c, '/proc')).type, PROC_SUPER_MAGIC);
});

test('readdir of /proc resumes by PID when processes come and go between calls', () => {
  const { pw, c } = setup();
  const f = pw.open(c, '/proc', OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY);
  assert.ok(typeof f !== 'number');
  const first: string[] = [];
  f.readdir((e) => {
    first.push(e.name);
    return e.name !== '7';
  });
  assert.deepEqual(first.slice(-3), ['thread-self', '1', '7']);
  // 7 was not consumed (emit refused it); then 7 exits and 9 starts.
  pw.view.procs.delete(7);
  pw.process(9, 1, 'new');
  const rest: string[] = [];
  f.readdir((e) => {
    rest.push(e.name);
    return true;
  });
  assert.deepEqual(rest, ['9', '42']);
});

test('uptime, loadavg, version, filesystems', () => {
  const { pw, c } = setup();
  assert.equal(pw.read(c, '/proc/uptime'), '12.34 0.00\n');
  pw.view.up = 3992.3;
  assert.equal(pw.read(c, '/proc/uptime'), '3992.30 0.00\n');
  assert.equal(pw.read(c, '/proc/loadavg'), '0.00 0.00 0.00 1/4 42\n');
  assert.equal(pw.read(c, '/proc/version'), 'Linux version 6.6.0 (tsvisor@tsvisor) (tsvisor) #1 SMP PREEMPT_DYNAMIC tsvisor\n');
  assert.equal(pw.read(c, '/proc/filesystems'), 'nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevpts\nnodev\toverlay\n');
});

test('stat: cpu lines, btime, processes, procs_running', () => {
  const { pw, c } = setup();
  const idle = Math.floor(12.345 * 100);
  assert.equal(
    pw.read(c, '/proc/stat'),
    `cpu  0 0 0 ${2 * idle} 0 0 0 0 0 0\n` +
      `cpu0 0 0 0 ${idle} 0 0 0 0 0 0\n` +
      `cpu1 0 0 0 ${idle} 0 0 0 0 0 0\n` +
      'intr 0\nctxt 0\nbtime 1700000000\nprocesses 7\nprocs_running 1\nprocs_blocked 0\n' +
      'softirq 0 0 0 0 0 0 0 0 0 0 0\n',
  );
  pw.view.cpuTimes = () => [
    { user: 100, nice: 1, system: 50, idle: 1000, iowait: 3 },
    { user: 200, nice: 0, system: 60, idle: 900 },
  ];
  const s = pw.read(c, '/proc/stat') as string;
  assert.match(s, /^cpu  300 1 110 1900 3 0 0 0 0 0\ncpu0 100 1 50 1000 3 0 0 0 0 0\ncpu1 200 0 60 900 0 0 0 0 0 0\n/);
  // procps's parse: "cpu" then ten numbers.
  const fields = s.split('\n')[0]!.split(/\s+/);
  assert.equal(fields.length, 11);
  assert.equal(pw.read(c, '/proc/uptime'), '12.34 19.00\n');
});

test('meminfo: the sandbox\'s memory limit and use, in Linux\'s layout', () => {
  const { pw, c } = setup();
  pw.view.mem = { total: 1024 * 1024 * 1024, used: 300 * 1024 * 1024, shmem: 20 * 1024 * 1024, cached: 30 * 1024 * 1024 };
  const s = pw.read(c, '/proc/meminfo') as string;
  const lines = s.split('\n');
  assert.equal(lines[0], 'MemTotal:        1048576 kB');
  assert.equal(lines[1], 'MemFree:          741376 kB');
  assert.equal(lines[2], 'MemAvailable:     772096 kB');
  assert.equal(lines[3], 'Buffers:               0 kB');
  assert.equal(lines[4], 'Cached:            51200 kB');
  const get = (k: string): string | undefined => lines.find((l) => l.startsWith(k + ':'));
  assert.equal(get('Shmem'), 'Shmem:             20480 kB');
  assert.equal(get('SwapTotal'), 'SwapTotal:             0 kB');
  assert.equal(get('VmallocTotal'), 'VmallocTotal:   34359738367 kB');
  assert.equal(get('HugePages_Total'), 'HugePages_Total:       0');
  assert.equal(get('Hugepagesize'), 'Hugepagesize:       2048 kB');
  // Every line parses as free(1) does: "%s %lu".
  for (const l of lines.slice(0, -1)) assert.match(l, /^[A-Za-z0-9_()]+: +\d+( kB)?$/);
  assert.equal(lines.at(-1), '');
});

test('cpuinfo: the host\'s, cut to the sandbox\'s CPUs', () => {
  const { pw, c } = setup();
  const s = pw.read(c, '/proc/cpuinfo') as string;
  const blocks = s.split('\n\n').filter((b) => b.length > 0);
  assert.equal(blocks.length, 2);
  assert.match(blocks[0]!, /^processor\t: 0\n/);
  assert.match(blocks[1]!, /^processor\t: 1\n/);
  assert.match(blocks[1]!, /\nsiblings\t: 2\n/);
  assert.match(blocks[1]!, /\ncpu cores\t: 2\n/);
  assert.ok(s.endsWith('\n\n'));
  assert.equal(restrictCpuinfo(SAMPLE_CPUINFO, 1).split('processor').length - 1, 1);
  pw.view.ncpu = 1;
  assert.equal((pw.read(c, '/proc/cpuinfo') as string).split('processor').length - 1, 1);
});

test('/proc/sys: values, boot_id fixed, uuid fresh per read', () => {
  const { pw, c } = setup();
  assert.deepEqual(pw.list(c, '/proc/sys'), ['.', '..', 'fs', 'kernel', 'net', 'vm']);
  assert.deepEqual(pw.list(c, '/proc/sys/kernel'), [
    '.', '..', 'cap_last_cap', 'domainname', 'hostname', 'ngroups_max', 'osrelease', 'ostype', 'pid_max', 'random',
  ]);
  const r = (p: string): string | number => pw.read(c, `/proc/sys/${p}`);
  assert.equal(r('kernel/hostname'), 'sandbox\n');
  assert.equal(r('kernel/osrelease'), '6.6.0\n');
  assert.equal(r('kernel/ostype'), 'Linux\n');
  assert.equal(r('kernel/ngroups_max'), '65536\n');
  assert.equal(r('kernel/pid_max'), '4194304\n');
  assert.equal(r('kernel/cap_last_cap'), '40\n');
  assert.equal(r('vm/overcommit_memory'), '0\n');
  assert.equal(r('net/core/somaxconn'), '4096\n');
  assert.equal(r('fs/file-max'), '9223372036854775807\n');
  assert.equal(r('fs/nr_open'), '1048576\n');
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/;
  const boot = r('kernel/random/boot_id') as string;
  assert.match(boot, uuid);
  assert.equal(r('kernel/random/boot_id'), boot);
  const u1 = r('kernel/random/uuid') as string;
  const u2 = r('kernel/random/uuid') as string;
  assert.match(u1, uuid);
  assert.match(u2, uuid);
  assert.notEqual(u1, u2);
  assert.notEqual(u1, boot);
});

test('/proc/sys/kernel/hostname is writable by root; other sysctls are not', () => {
  const { pw, c } = setup();
  const f = pw.open(c, '/proc/sys/kernel/hostname', OpenFlag.O_WRONLY | OpenFlag.O_TRUNC);
  assert.ok(typeof f !== 'number');
  assert.equal(pw.w.write(f, 'newname\n'), 8);
  assert.equal(pw.view.host, 'newname');
  assert.equal(pw.read(c, '/proc/sys/kernel/hostname'), 'newname\n');
  assert.equal(pw.open(pw.caller(ALICE), '/proc/sys/kernel/hostname', OpenFlag.O_WRONLY), -Errno.EACCES);
  assert.equal(pw.open(c, '/proc/sys/kernel/ostype', OpenFlag.O_WRONLY), -Errno.EACCES);
  assert.equal(pw.open(c, '/proc/sys/vm/overcommit_memory', OpenFlag.O_RDWR), -Errno.EACCES);
  // System files: opening for writing works (as root), writing is EIO.
  const m = pw.open(c, '/proc/meminfo', OpenFlag.O_WRONLY);
  assert.ok(typeof m !== 'number');
  assert.equal(pw.w.write(m, 'x'), -Errno.EIO);
});

test('nothing can be created, removed or renamed in /proc', () => {
  const { pw, c } = setup();
  assert.equal(pw.open(c, '/proc/newfile', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.EACCES);
  assert.equal(mkdirAt(c, CWD, '/proc/d', 0o755), -Errno.EPERM);
  assert.equal(mknodAt(c, CWD, '/proc/fifo', FileMode.S_IFIFO | 0o644, 0), -Errno.EPERM);
  assert.equal(symlinkAt(c, 'x', CWD, '/proc/l'), -Errno.EPERM);
  assert.equal(unlinkAt(c, CWD, '/proc/uptime', 0), -Errno.EPERM);
  assert.equal(renameAt(c, CWD, '/proc/uptime', CWD, '/proc/up2', 0), -Errno.EPERM);
  assert.equal(pw.open(c, '/proc/42/nonesuch', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.EACCES);
  // getxattr: no xattr support.
  assert.equal(pw.w.inode(c, '/proc/uptime').getxattr('user.x'), -Errno.EOPNOTSUPP);
});

test('symlinks: fixed text has its length as st_size, per-caller text 0', () => {
  const { pw, c } = setup();
  assert.equal(pw.w.inode(c, '/proc/mounts', false).getattr().size, 'self/mounts'.length);
  assert.equal(pw.w.inode(c, '/proc/self', false).getattr().size, 0);
});

test('the cache of /proc/N directories stays bounded as processes come and go', () => {
  const { pw } = setup();
  const root = pw.proc.root;
  for (let pid = 100; pid < 1100; pid++) {
    pw.process(pid, 1, 'short');
    assert.ok(typeof root.lookup(String(pid)) !== 'number');
    pw.view.procs.delete(pid);
  }
  const cached = (root as unknown as { pidDirs: Map<number, unknown> }).pidDirs.size;
  assert.ok(cached < 100, `cached ${cached}`);
});
