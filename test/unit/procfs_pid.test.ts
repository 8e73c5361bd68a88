// /proc/PID files: stat (parsed as procps does), status, statm, cmdline,
// environ, comm, limits, maps, smaps, mounts, mountinfo, cgroup, auxv, and
// the task/TID directories — exact formats, as Linux prints them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { formatMaps, formatSmaps, vmasFromMaps } from '../../src/fs/proc/format.js';
import { TGID_ENTRIES, TID_ENTRIES } from '../../src/fs/proc/pid_dir.js';
import type { ProcVma } from '../../src/fs/proc/view.js';
import { ALICE } from './vfs_fixture.test.js';
import { pcreds, ProcWorld } from './procfs_fixture.test.js';

const VMAS: ProcVma[] = [
  { start: 0x400000, end: 0x401000, read: true, write: false, exec: false, shared: false, offset: 0, major: 0, minor: 1, ino: 5, name: '/bin/prog', rss: 4096 },
  { start: 0x401000, end: 0x403000, read: true, write: false, exec: true, shared: false, offset: 0x1000, major: 0, minor: 1, ino: 5, name: '/bin/prog', rss: 8192 },
  { start: 0x404000, end: 0x425000, read: true, write: true, exec: false, shared: false, offset: 0, major: 0, minor: 0, ino: 0, name: '[heap]', rss: 8192 },
  { start: 0x7f0000000000, end: 0x7f0000001000, read: true, write: true, exec: false, shared: false, offset: 0, major: 0, minor: 0, ino: 0, name: null },
  { start: 0x7ffffffde000, end: 0x7ffffffff000, read: true, write: true, exec: false, shared: false, offset: 0, major: 0, minor: 0, ino: 0, name: '[stack]', rss: 8192 },
];

function setup() {
  const pw = new ProcWorld();
  const c = pw.caller();
  pw.process(1, 0, 'init');
  const p = pw.process(42, 1, 'my (odd) prog', pcreds(1000, 1000, [100, 27]));
  p.argv = ['/bin/prog', '-x', 'a b'];
  p.envp = ['HOME=/home/alice', 'PATH=/bin'];
  p.vmaList = VMAS;
  p.leader.sigBlocked = 1n << 16n; // SIGCHLD
  p.sigIgnored = 1n << 12n; // SIGPIPE
  p.sigCaught = (1n << 1n) | (1n << 14n); // SIGINT, SIGTERM
  p.startTime = 1234;
  p.leader.utime = 30;
  p.leader.stime = 5;
  const t = p.addThread(43, 'R');
  t.utime = 12;
  t.stime = 1;
  t.comm = 'worker';
  pw.view.cur = { pid: 42, tid: 42 };
  return { pw, c, p, t };
}

/** Splits /proc/PID/stat the way procps does: the name is between the first "(" and the last ")". */
function parseStat(s: string): { pid: string; comm: string; fields: string[] } {
  assert.ok(s.endsWith('\n'));
  const open = s.indexOf('(');
  const close = s.lastIndexOf(')');
  const rest = s.slice(close + 2, -1).split(' ');
  return { pid: s.slice(0, open - 1), comm: s.slice(open + 1, close), fields: ['', s.slice(0, open - 1), s.slice(open + 1, close), ...rest] };
}

test('stat: 52 fields, the name in parentheses with spaces, values at their positions', () => {
  const { pw, c } = setup();
  const s = pw.read(c, '/proc/42/stat');
  assert.equal(typeof s, 'string');
  const { pid, comm, fields: f } = parseStat(s as string);
  assert.equal(pid, '42');
  assert.equal(comm, 'my (odd) prog');
  assert.equal(f.length - 1, 52);
  assert.equal(f[3], 'S');
  assert.equal(f[4], '1'); // ppid
  assert.equal(f[5], '42'); // pgrp
  assert.equal(f[6], '42'); // session
  assert.equal(f[7], '0'); // tty_nr
  assert.equal(f[8], '-1'); // tpgid
  assert.equal(f[9], '4194304'); // PF_RANDOMIZE
  assert.equal(f[14], '42'); // utime: both threads
  assert.equal(f[15], '6'); // stime
  assert.equal(f[18], '20'); // priority
  assert.equal(f[19], '0'); // nice
  assert.equal(f[20], '2'); // num_threads
  assert.equal(f[21], '0'); // itrealvalue
  assert.equal(f[22], '1234'); // starttime
  assert.equal(f[23], String(0x1000 + 0x2000 + 0x21000 + 0x1000 + 0x21000)); // vsize in bytes
  assert.equal(f[24], '7'); // rss in pages
  assert.equal(f[25], '18446744073709551615'); // rsslim: RLIM_INFINITY
  assert.equal(f[32], String(1 << 16)); // blocked
  assert.equal(f[33], String(1 << 12)); // sigignore
  assert.equal(f[34], String((1 << 1) | (1 << 14))); // sigcatch
  assert.equal(f[35], '1'); // wchan: sleeping
  assert.equal(f[38], '17'); // exit_signal
  assert.equal(f[52], '0'); // exit_code
  // The whole line, for good measure.
  assert.equal(
    s,
    '42 (my (odd) prog) S 1 42 42 0 -1 4194304 0 0 0 0 42 6 0 0 20 0 2 0 1234 286720 7 18446744073709551615 0 0 0 0 0 0 65536 4096 16386 1 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n',
  );
});

test('task/TID/stat: the thread\'s own name, state, times and exit signal', () => {
  const { pw, c } = setup();
  const s = pw.read(c, '/proc/42/task/43/stat') as string;
  const { pid, comm, fields: f } = parseStat(s);
  assert.equal(pid, '43');
  assert.equal(comm, 'worker');
  assert.equal(f.length - 1, 52);
  assert.equal(f[3], 'R');
  assert.equal(f[14], '12');
  assert.equal(f[15], '1');
  assert.equal(f[20], '2');
  assert.equal(f[35], '0'); // running: no wchan
  assert.equal(f[38], '-1'); // a thread's exit_signal
  // /proc/TID reaches a thread too (not listed in /proc).
  assert.equal(parseStat(pw.read(c, '/proc/43/stat') as string).pid, '43');
  assert.ok(!(pw.list(c, '/proc') as string[]).includes('43'));
});

test('status: every field tools parse, in Linux order', () => {
  const { pw, c } = setup();
  const expected = [
    'Name:\tmy (odd) prog',
    'Umask:\t0022',
    'State:\tS (sleeping)',
    'Tgid:\t42',
    'Ngid:\t0',
    'Pid:\t42',
    'PPid:\t1',
    'TracerPid:\t0',
    'Uid:\t1000\t1000\t1000\t1000',
    'Gid:\t1000\t1000\t1000\t1000',
    'FDSize:\t64',
    'Groups:\t100 27 ',
    'NStgid:\t42',
    'NSpid:\t42',
    'NSpgid:\t42',
    'NSsid:\t42',
    'VmPeak:\t     280 kB',
    'VmSize:\t     280 kB',
    'VmLck:\t       0 kB',
    'VmPin:\t       0 kB',
    'VmHWM:\t      28 kB',
    'VmRSS:\t      28 kB',
    'RssAnon:\t      16 kB',
    'RssFile:\t      12 kB',
    'RssShmem:\t       0 kB',
    'VmData:\t     136 kB',
    'VmStk:\t     132 kB',
    'VmExe:\t       8 kB',
    'VmLib:\t       0 kB',
    'VmPTE:\t       4 kB',
    'VmSwap:\t       0 kB',
    'HugetlbPages:\t       0 kB',
    'CoreDumping:\t0',
    'THP_enabled:\t1',
    'Threads:\t2',
    'SigQ:\t0/63704',
    'SigPnd:\t0000000000000000',
    'ShdPnd:\t0000000000000000',
    'SigBlk:\t0000000000010000',
    'SigIgn:\t0000000000001000',
    'SigCgt:\t0000000000004002',
    'CapInh:\t0000000000000000',
    'CapPrm:\t0000000000000000',
    'CapEff:\t0000000000000000',
    'CapBnd:\t000001ffffffffff',
    'CapAmb:\t0000000000000000',
    'NoNewPrivs:\t0',
    'Seccomp:\t0',
    'Seccomp_filters:\t0',
    'Speculation_Store_Bypass:\tthread vulnerable',
    'SpeculationIndirectBranch:\tconditional enabled',
    'Cpus_allowed:\t3',
    'Cpus_allowed_list:\t0-1',
    `Mems_allowed:\t${'00000000,'.repeat(31)}00000001`,
    'Mems_allowed_list:\t0',
    'voluntary_ctxt_switches:\t0',
    'nonvoluntary_ctxt_switches:\t0',
    '',
  ].join('\n');
  assert.equal(pw.read(c, '/proc/42/status'), expected);
  // The thread's status: its own Pid, name and state.
  const ts = pw.read(c, '/proc/42/task/43/status') as string;
  assert.match(ts, /^Name:\tworker\n/);
  assert.match(ts, /\nState:\tR \(running\)\n/);
  assert.match(ts, /\nTgid:\t42\nNgid:\t0\nPid:\t43\n/);
  // Root: full capabilities, no supplementary groups.
  const rs = pw.read(c, '/proc/1/status') as string;
  assert.match(rs, /\nGroups:\t \n/);
  assert.match(rs, /\nCapEff:\t000001ffffffffff\n/);
});

test('status: a name with a newline or backslash is escaped; a zombie has no memory lines', () => {
  const { pw, c, p } = setup();
  p.leader.comm = 'a\\b\nc';
  assert.match(pw.read(c, '/proc/42/status') as string, /^Name:\ta\\\\b\\nc\n/);
  const z = pw.process(50, 1, 'dead');
  z.leader.state = 'Z';
  z.memory = () => null;
  const s = pw.read(c, '/proc/50/status') as string;
  assert.match(s, /\nState:\tZ \(zombie\)\n/);
  assert.doesNotMatch(s, /Vm|CoreDumping/);
  assert.equal(pw.read(c, '/proc/50/statm'), '0 0 0 0 0 0 0\n');
});

test('statm, cmdline, environ, auxv, cgroup', () => {
  const { pw, c, p } = setup();
  assert.equal(pw.read(c, '/proc/42/statm'), '70 7 3 2 0 67 0\n');
  assert.equal(pw.read(c, '/proc/42/cmdline'), '/bin/prog\0-x\0a b\0');
  assert.equal(pw.read(c, '/proc/42/environ'), 'HOME=/home/alice\0PATH=/bin\0');
  assert.equal(pw.read(c, '/proc/42/cgroup'), '0::/\n');
  p.auxvBytes = new Uint8Array([6, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(pw.read(c, '/proc/42/auxv'), Buffer.from(p.auxvBytes).toString('latin1'));
  // Small reads at successive offsets see one snapshot.
  assert.equal(pw.read(c, '/proc/42/cmdline', 3), '/bin/prog\0-x\0a b\0');
});

test('environ and auxv are 0400 and refused to other users', () => {
  const { pw, p } = setup();
  const alice = pw.caller(ALICE);
  pw.view.cur = { pid: 1, tid: 1 };
  // Process 1 runs as root: may read anything.
  assert.equal(pw.read(pw.caller(), '/proc/42/environ'), 'HOME=/home/alice\0PATH=/bin\0');
  // A uid-1001 process may not.
  const other = pw.process(60, 1, 'other', pcreds(1001, 1001));
  pw.view.cur = { pid: 60, tid: 60 };
  assert.equal(pw.read(pw.caller({ ...ALICE, uid: 1001, euid: 1001, fsuid: 1001, fsgid: 1001, gid: 1001 }), '/proc/42/environ'), -Errno.EACCES);
  // The owner (uid 1000) may.
  pw.view.cur = { pid: 42, tid: 42 };
  assert.equal(pw.read(alice, '/proc/42/environ'), 'HOME=/home/alice\0PATH=/bin\0');
  const st = pw.w.inode(alice, '/proc/42/environ').getattr();
  assert.equal(st.mode & 0o7777, 0o400);
  assert.equal(st.uid, 1000);
  assert.equal(st.gid, 1000);
  assert.equal(st.size, 0);
  void other;
  void p;
});

test('comm: reads the name with a newline; writable by the process itself only, 15 bytes at most', () => {
  const { pw, c, p } = setup();
  assert.equal(pw.read(c, '/proc/42/comm'), 'my (odd) prog\n');
  const f = pw.open(c, '/proc/42/comm', OpenFlag.O_WRONLY | OpenFlag.O_TRUNC);
  assert.ok(typeof f !== 'number');
  assert.equal(pw.w.write(f, 'renamed'), 7);
  assert.equal(p.leader.comm, 'renamed');
  assert.equal(pw.w.write(f, 'a-very-long-thread-name'), 23);
  assert.equal(p.leader.comm, 'a-very-long-thr');
  assert.equal(pw.w.write(f, 'nl\n'), 3);
  assert.equal(pw.read(c, '/proc/42/comm'), 'nl\n\n');
  // task/TID/comm names the thread.
  const g = pw.open(c, '/proc/42/task/43/comm', OpenFlag.O_WRONLY);
  assert.ok(typeof g !== 'number');
  assert.equal(pw.w.write(g, 'w2'), 2);
  assert.equal(pw.read(c, '/proc/42/task/43/comm'), 'w2\n');
  // Another process may not rename it.
  pw.view.cur = { pid: 1, tid: 1 };
  assert.equal(pw.w.write(f, 'x'), -Errno.EINVAL);
  // Read-only files refuse writes.
  const s = pw.open(c, '/proc/42/status', OpenFlag.O_WRONLY);
  assert.ok(typeof s !== 'number');
  assert.equal(pw.w.write(s, 'x'), -Errno.EINVAL);
});

test('limits: the exact table of proc_pid_limits', () => {
  const { pw, c, p } = setup();
  p.limitsTable[6] = { cur: 96364, max: 96364 };
  p.limitsTable[7] = { cur: 20000, max: 20000 };
  p.limitsTable[11] = { cur: 96364, max: 96364 };
  // Copied from Linux 6.18's /proc/self/limits.
  const expected = [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    'Max file size             unlimited            unlimited            bytes     ',
    'Max data size             unlimited            unlimited            bytes     ',
    'Max stack size            8388608              unlimited            bytes     ',
    'Max core file size        0                    unlimited            bytes     ',
    'Max resident set          unlimited            unlimited            bytes     ',
    'Max processes             96364                96364                processes ',
    'Max open files            20000                20000                files     ',
    'Max locked memory         8388608              8388608              bytes     ',
    'Max address space         unlimited            unlimited            bytes     ',
    'Max file locks            unlimited            unlimited            locks     ',
    'Max pending signals       96364                96364                signals   ',
    'Max msgqueue size         819200               819200               bytes     ',
    'Max nice priority         0                    0                    ',
    'Max realtime priority     0                    0                    ',
    'Max realtime timeout      unlimited            unlimited            us        ',
    '',
  ].join('\n');
  assert.equal(pw.read(c, '/proc/42/limits'), expected);
});

test('maps: Linux\'s own text round-trips through vmasFromMaps and formatMaps', () => {
  // Copied from Linux 6.18's /proc/self/maps.
  const linux = [
    '5603b4fd7000-5603b4fd9000 r--p 00000000 fe:00 260131                     /usr/bin/cat',
    '5603b4fd9000-5603b4fde000 r-xp 00002000 fe:00 260131                     /usr/bin/cat',
    '5603b4fe2000-5603b4fe3000 rw-p 0000a000 fe:00 260131                     /usr/bin/cat',
    '5603f3fd1000-5603f3ff2000 rw-p 00000000 00:00 0                          [heap]',
    '7fc9a310b000-7fc9a312d000 rw-p 00000000 00:00 0 ',
    '7fc9a312d000-7fc9a3184000 r--p 00000000 fe:00 329635                     /usr/lib/locale/C.utf8/LC_CTYPE',
    '',
  ].join('\n');
  assert.equal(formatMaps(vmasFromMaps(linux)), linux);
});

test('maps and smaps of a process', () => {
  const { pw, c } = setup();
  const pad = (s: string): string => s.padEnd(72) + ' ';
  assert.equal(
    pw.read(c, '/proc/42/maps'),
    pad('00400000-00401000 r--p 00000000 00:01 5 ') + '/bin/prog\n' +
      pad('00401000-00403000 r-xp 00001000 00:01 5 ') + '/bin/prog\n' +
      pad('00404000-00425000 rw-p 00000000 00:00 0 ') + '[heap]\n' +
      '7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n' +
      pad('7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 ') + '[stack]\n',
  );
  const smaps = pw.read(c, '/proc/42/smaps') as string;
  // The block of the text mapping, in the layout of Linux 6.x show_smap.
  const text = [
    pad('00401000-00403000 r-xp 00001000 00:01 5 ') + '/bin/prog',
    'Size:                  8 kB',
    'KernelPageSize:        4 kB',
    'MMUPageSize:           4 kB',
    'Rss:                   8 kB',
    'Pss:                   8 kB',
    'Pss_Dirty:             0 kB',
    'Shared_Clean:          0 kB',
    'Shared_Dirty:          0 kB',
    'Private_Clean:         8 kB',
    'Private_Dirty:         0 kB',
    'Referenced:            8 kB',
    'Anonymous:             0 kB',
    'KSM:                   0 kB',
    'LazyFree:              0 kB',
    'AnonHugePages:         0 kB',
    'ShmemPmdMapped:        0 kB',
    'FilePmdMapped:         0 kB',
    'Shared_Hugetlb:        0 kB',
    'Private_Hugetlb:       0 kB',
    'Swap:                  0 kB',
    'SwapPss:               0 kB',
    'Locked:                0 kB',
    'THPeligible:           0',
    'VmFlags: rd ex mr mw me ',
    '',
  ].join('\n');
  assert.ok(smaps.includes(text), smaps);
  const blocks = smaps.split(/(?=^[0-9a-f]+-[0-9a-f]+ )/m);
  assert.equal(blocks.length, VMAS.length);
  assert.match(blocks[2]!, /\nAnonymous:             8 kB\n/);
  assert.match(blocks[2]!, /\nVmFlags: rd wr mr mw me ac \n$/);
  assert.match(blocks[4]!, /\nVmFlags: rd wr mr mw me gd ac \n$/);
  assert.equal(formatSmaps([]), '');
});

test('mounts and mountinfo: the process\'s namespace from its root', () => {
  const { pw, c } = setup();
  const dev = (at: string): string => {
    const m = at === '/' ? pw.w.ns.root : pw.mounts.get(at)!;
    const d = m.fs.dev;
    return `${Math.floor(d / 256) & 0xfff}:${d & 0xff}`;
  };
  const id = (at: string): number => (at === '/' ? pw.w.ns.root.id : pw.mounts.get(at)!.id);
  assert.equal(
    pw.read(c, '/proc/42/mounts'),
    'none / tmpfs rw,relatime 0 0\n' +
      'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n' +
      'tmpfs /dev tmpfs rw,nosuid,relatime,size=65536k,mode=755 0 0\n' +
      'sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0\n',
  );
  const root = id('/');
  assert.equal(
    pw.read(c, '/proc/42/mountinfo'),
    `${root} ${root} ${dev('/')} / / rw,relatime - tmpfs none rw\n` +
      `${id('/proc')} ${root} ${dev('/proc')} / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n` +
      `${id('/dev')} ${root} ${dev('/dev')} / /dev rw,nosuid,relatime - tmpfs tmpfs rw,size=65536k,mode=755\n` +
      `${id('/sys')} ${root} ${dev('/sys')} / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro\n`,
  );
  // /proc/mounts is a symlink to self/mounts.
  assert.equal(pw.read(c, '/proc/mounts'), pw.read(c, '/proc/42/mounts'));
});

test('readdir of /proc/PID and /proc/PID/task lists exactly the entries, in order', () => {
  const { pw, c } = setup();
  assert.deepEqual(pw.list(c, '/proc/42'), ['.', '..', ...TGID_ENTRIES]);
  assert.deepEqual(pw.list(c, '/proc/42/task'), ['.', '..', '42', '43']);
  assert.deepEqual(pw.list(c, '/proc/42/task/43'), ['.', '..', ...TID_ENTRIES]);
  assert.deepEqual(TGID_ENTRIES, [
    'task', 'fd', 'fdinfo', 'net', 'environ', 'auxv', 'status', 'limits', 'comm', 'cmdline', 'stat', 'statm', 'maps',
    'cwd', 'root', 'exe', 'mounts', 'mountinfo', 'smaps', 'cgroup',
  ]);
  assert.equal(pw.w.lookup(c, '/proc/42/task/44'), -Errno.ENOENT);
  assert.equal(pw.w.lookup(c, '/proc/42/nonesuch'), -Errno.ENOENT);
  // Attributes: directories 0555 owned by the process's euid; stat 0444; size 0.
  const d = pw.w.inode(c, '/proc/42').getattr();
  assert.equal(d.mode, 0o40555);
  assert.equal(d.uid, 1000);
  assert.equal(d.nlink, 6);
  const st = pw.w.inode(c, '/proc/42/stat').getattr();
  assert.equal(st.mode, 0o100444);
  assert.equal(st.size, 0);
  assert.equal(pw.w.inode(c, '/proc/42/comm').getattr().mode, 0o100644);
});

test('a process that exits: its directory empties, open files report ESRCH', () => {
  const { pw, c } = setup();
  const f = pw.open(c, '/proc/42/status');
  assert.ok(typeof f !== 'number');
  f.incRef();
  const dir42 = pw.w.inode(c, '/proc/42');
  pw.view.procs.delete(42);
  assert.equal(pw.w.read(f, 100), -Errno.ESRCH);
  // The VFS revalidates the cached dentry of /proc/42: the name is gone.
  assert.equal(pw.list(c, '/proc/42'), -Errno.ENOENT);
  assert.equal(pw.w.lookup(c, '/proc/42/status'), -Errno.ENOENT);
  // The directory inode, still held, is empty.
  const names: string[] = [];
  assert.equal(dir42.readdir(0, (e) => {
    names.push(e.name);
    return true;
  }), 0);
  assert.deepEqual(names, ['.', '..']);
  assert.equal(dir42.lookup('status'), -Errno.ENOENT);
  assert.equal(pw.proc.root.lookup('42'), -Errno.ENOENT);
  assert.ok(!(pw.list(c, '/proc') as string[]).includes('42'));
  // The directory inode tells the dentry cache it is stale.
  const root = pw.proc.root;
  const dir = root.lookup('1');
  assert.ok(typeof dir !== 'number');
  assert.equal(root.revalidate('1', dir), true);
  pw.view.procs.delete(1);
  assert.equal(root.revalidate('1', dir), false);
});

test('a snapshot is taken at the first read and again at each read from offset 0', () => {
  const { pw, c, p } = setup();
  const f = pw.open(c, '/proc/42/comm');
  assert.ok(typeof f !== 'number');
  f.incRef();
  assert.equal(pw.w.read(f, 3), 'my ');
  p.leader.comm = 'changed';
  assert.equal(pw.w.read(f, 100), '(odd) prog\n');
  assert.equal(f.seek(0, 0), 0);
  assert.equal(pw.w.read(f, 100), 'changed\n');
});
