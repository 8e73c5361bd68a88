// /proc/self, /proc/thread-self, the exe/cwd/root magic links, fd/ and
// fdinfo/: readlink text, following to the file itself, permissions, and the
// /dev/fd and /dev/std* symlinks through them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag, Resolve } from '../../src/abi/linux/fcntl.js';
import { At } from '../../src/abi/linux/stat.js';
import { mkdirAt, readlinkAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { openAt } from '../../src/vfs/open.js';
import { lookupAt } from '../../src/vfs/resolve.js';
import { ALICE } from './vfs_fixture.test.js';
import { pcreds, ProcWorld } from './procfs_fixture.test.js';

const CWD = At.AT_FDCWD;

function setup() {
  const pw = new ProcWorld();
  const c = pw.caller();
  pw.process(1, 0, 'init');
  pw.w.file(c, '/bin/prog', 'ELF!');
  pw.w.file(c, '/tmp/data', 'hello data');
  const p = pw.process(42, 1, 'prog', pcreds(1000, 1000));
  p.addThread(43);
  p.exe = pw.path(c, '/bin/prog');
  p.cwd = pw.path(c, '/tmp');
  const data = pw.open(c, '/tmp/data', OpenFlag.O_RDWR);
  assert.ok(typeof data !== 'number');
  data.incRef();
  p.fdList = [
    { fd: 0, path: pw.path(c, '/dev/null'), flags: OpenFlag.O_RDONLY | OpenFlag.O_LARGEFILE, cloexec: false, pos: 0 },
    { fd: 1, name: 'pipe:[123]', flags: OpenFlag.O_WRONLY, cloexec: false, pos: 0, mntId: 9, ino: 123 },
    { fd: 2, name: 'socket:[77]', flags: OpenFlag.O_RDWR, cloexec: false, pos: 0, mntId: 8, ino: 77, fdinfoExtra: 'extra:\t1\n' },
    { fd: 10, path: data.path, flags: OpenFlag.O_RDWR | OpenFlag.O_LARGEFILE, cloexec: true, pos: 5 },
  ];
  pw.view.cur = { pid: 42, tid: 42 };
  return { pw, c, p, data };
}

test('self and thread-self name the caller\'s process and thread', () => {
  const { pw, c } = setup();
  assert.equal(readlinkAt(c, CWD, '/proc/self'), '42');
  assert.equal(readlinkAt(c, CWD, '/proc/thread-self'), '42/task/42');
  pw.view.cur = { pid: 42, tid: 43 };
  assert.equal(readlinkAt(c, CWD, '/proc/thread-self'), '42/task/43');
  assert.equal(pw.read(c, '/proc/thread-self/comm'), 'prog\n');
  pw.view.cur = { pid: 1, tid: 1 };
  assert.equal(readlinkAt(c, CWD, '/proc/self'), '1');
  assert.equal(pw.read(c, '/proc/self/comm'), 'init\n');
  // Outside any task (the kernel itself), self does not resolve.
  pw.view.cur = null;
  assert.equal(readlinkAt(c, CWD, '/proc/self'), -Errno.ENOENT);
  assert.equal(pw.w.inode(c, '/proc/self', false).getattr().mode, 0o120777);
});

test('exe, cwd and root: readlink gives the path, following reaches the file', () => {
  const { pw, c, p } = setup();
  assert.equal(readlinkAt(c, CWD, '/proc/self/exe'), '/bin/prog');
  assert.equal(readlinkAt(c, CWD, '/proc/42/cwd'), '/tmp');
  assert.equal(readlinkAt(c, CWD, '/proc/42/root'), '/');
  assert.equal(pw.read(c, '/proc/self/exe'), 'ELF!');
  // A magic link in the middle of a path.
  assert.equal(pw.read(c, '/proc/self/cwd/data'), 'hello data');
  assert.deepEqual((pw.list(c, '/proc/42/root/bin') as string[]).sort(), ['.', '..', 'prog']);
  // RESOLVE_NO_MAGICLINKS refuses them; RESOLVE_BENEATH cannot leave through them.
  assert.equal(openAt(c, CWD, '/proc/self/exe', { flags: OpenFlag.O_RDONLY, mode: 0, resolve: Resolve.RESOLVE_NO_MAGICLINKS }), -Errno.ELOOP);
  // An exe known only by name reads but does not follow.
  p.exe = '/bin/gone';
  assert.equal(readlinkAt(c, CWD, '/proc/42/exe'), '/bin/gone');
  assert.equal(pw.w.lookup(c, '/proc/42/exe'), -Errno.ENOENT);
  p.exe = null;
  assert.equal(readlinkAt(c, CWD, '/proc/42/exe'), -Errno.ENOENT);
});

test('the link text is relative to the reader\'s root', () => {
  const { pw, c, p } = setup();
  assert.equal(mkdirAt(c, CWD, '/tmp/proc', 0o555), 0);
  assert.ok(typeof pw.w.ns.mount(pw.proc, pw.path(c, '/tmp/proc'), 0) !== 'number');
  const jail = pw.path(c, '/tmp');
  const inJail = pw.caller();
  inJail.fs.setRoot(jail);
  // Given the caller, the link's text is from the caller's root.
  const link = pw.w.inode(c, '/proc/42/fd/10', false) as unknown as { readlink(caller?: unknown): string | number };
  assert.equal(link.readlink(inJail), '/data');
  assert.equal(link.readlink(c), '/tmp/data');
  // Without one (readlink(2) today), from the root of the current process.
  void p;
  pw.view.procs.get(1)!.root = jail;
  pw.view.cur = { pid: 1, tid: 1 };
  assert.equal(readlinkAt(inJail, CWD, '/proc/42/fd/10'), '/data');
  assert.equal(readlinkAt(inJail, CWD, '/proc/1/root'), '/');
  // A location outside the reader's root: its path from the namespace root (as d_path gives).
  assert.equal(readlinkAt(inJail, CWD, '/proc/42/root'), '/');
  assert.equal(readlinkAt(inJail, CWD, '/proc/42/exe'), '/bin/prog');
});

test('fd/: one link per descriptor, in order, with the access mode in its permissions', () => {
  const { pw, c } = setup();
  assert.deepEqual(pw.list(c, '/proc/42/fd'), ['.', '..', '0', '1', '2', '10']);
  assert.equal(readlinkAt(c, CWD, '/proc/42/fd/0'), '/dev/null');
  assert.equal(readlinkAt(c, CWD, '/proc/42/fd/1'), 'pipe:[123]');
  assert.equal(readlinkAt(c, CWD, '/proc/42/fd/2'), 'socket:[77]');
  assert.equal(readlinkAt(c, CWD, '/proc/42/fd/10'), '/tmp/data');
  assert.equal(readlinkAt(c, CWD, '/proc/42/fd/3'), -Errno.ENOENT);
  assert.equal(readlinkAt(c, CWD, '/proc/42/fd/010'), -Errno.ENOENT);
  const mode = (n: number): number => pw.w.inode(c, `/proc/42/fd/${n}`, false).getattr().mode;
  assert.equal(mode(0), 0o120500);
  assert.equal(mode(1), 0o120300);
  assert.equal(mode(10), 0o120700);
  assert.equal(pw.w.inode(c, '/proc/42/fd/0', false).getattr().size, 64);
  const dir = pw.w.inode(c, '/proc/42/fd').getattr();
  assert.equal(dir.mode, 0o40500);
  assert.equal(dir.uid, 1000);
  assert.equal(dir.size, 4);
  assert.equal(pw.w.inode(c, '/proc/42/fdinfo').getattr().mode, 0o40555);
});

test('fd/N opens the open file itself; pipes and sockets without a path give ENXIO', () => {
  const { pw, c } = setup();
  assert.equal(pw.read(c, '/proc/42/fd/10'), 'hello data');
  assert.equal(pw.read(c, '/proc/self/fd/0'), '');
  assert.equal(pw.open(c, '/proc/42/fd/1'), -Errno.ENXIO);
  // Unlinked: the name says so, the file still opens.
  assert.equal(unlinkAt(c, CWD, '/tmp/data', 0), 0);
  assert.equal(readlinkAt(c, CWD, '/proc/42/fd/10'), '/tmp/data (deleted)');
  assert.equal(pw.read(c, '/proc/42/fd/10'), 'hello data');
});

test('/dev/fd, /dev/stdin … go through /proc/self/fd', () => {
  const { pw, c } = setup();
  assert.equal(readlinkAt(c, CWD, '/dev/fd'), '/proc/self/fd');
  assert.equal(readlinkAt(c, CWD, '/dev/stdin'), '/proc/self/fd/0');
  assert.equal(readlinkAt(c, CWD, '/dev/stdout'), '/proc/self/fd/1');
  assert.equal(readlinkAt(c, CWD, '/dev/stderr'), '/proc/self/fd/2');
  assert.equal(pw.read(c, '/dev/fd/10'), 'hello data');
  assert.deepEqual(pw.list(c, '/dev/fd/'), ['.', '..', '0', '1', '2', '10']);
  assert.equal(pw.read(c, '/dev/stdin'), '');
});

test('fdinfo/N: pos, flags in octal with O_CLOEXEC, mnt_id, ino', () => {
  const { pw, c, data } = setup();
  assert.deepEqual(pw.list(c, '/proc/42/fdinfo'), ['.', '..', '0', '1', '2', '10']);
  assert.equal(
    pw.read(c, '/proc/42/fdinfo/10'),
    `pos:\t5\nflags:\t02100002\nmnt_id:\t${data.path.mount.id}\nino:\t${data.inode.ino}\n`,
  );
  assert.equal(pw.read(c, '/proc/42/fdinfo/1'), 'pos:\t0\nflags:\t01\nmnt_id:\t9\nino:\t123\n');
  assert.equal(pw.read(c, '/proc/42/fdinfo/2'), 'pos:\t0\nflags:\t02\nmnt_id:\t8\nino:\t77\nextra:\t1\n');
  const st = pw.w.inode(c, '/proc/42/fdinfo/0').getattr();
  assert.equal(st.mode, 0o100444);
});

test('another user\'s process: links and fd/ are refused', () => {
  const { pw } = setup();
  pw.process(60, 1, 'other', pcreds(1001, 1001));
  pw.view.cur = { pid: 60, tid: 60 };
  const bob = pw.caller({ ...ALICE, uid: 1001, euid: 1001, fsuid: 1001, gid: 1001, fsgid: 1001 });
  assert.equal(readlinkAt(bob, CWD, '/proc/42/exe'), -Errno.EACCES);
  assert.equal(lookupAt(bob, CWD, '/proc/42/cwd', { follow: true }), -Errno.EACCES);
  // fd/ is 0500 to its owner: no search permission.
  assert.equal(readlinkAt(bob, CWD, '/proc/42/fd/10'), -Errno.EACCES);
  assert.equal(pw.list(bob, '/proc/42/fd'), -Errno.EACCES);
  // stat stays readable, with the privileged fields zeroed.
  assert.equal(typeof pw.read(bob, '/proc/42/stat'), 'string');
  // Its own links are fine.
  assert.equal(readlinkAt(bob, CWD, '/proc/self/exe'), -Errno.ENOENT);
  // The owner may.
  pw.view.cur = { pid: 42, tid: 42 };
  const alice = pw.caller(ALICE);
  assert.equal(readlinkAt(alice, CWD, '/proc/42/fd/10'), '/tmp/data');
});
