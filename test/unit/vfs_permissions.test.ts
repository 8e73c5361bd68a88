// Permission checks for root and non-root credentials (man 7
// path_resolution "Permissions", man 7 capabilities), sticky directories,
// umask and set-group-ID directories, chmod/chown/utimens/access rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { Access, OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { accessAt, chmodAt, chownAt, utimensPath } from '../../src/vfs/attr_ops.js';
import type { InodeAttrs } from '../../src/vfs/inode.js';
import { mkdirAt, renameAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { checkPermission, May } from '../../src/vfs/permissions.js';
import { ALICE, BOB, creds, ROOT, World } from './vfs_fixture.test.js';

function attrs(mode: number, uid: number, gid: number): InodeAttrs {
  const t = { sec: 0, nsec: 0 };
  return { mode, nlink: 1, uid, gid, rdev: 0, size: 0, blocks: 0, blksize: 4096, atime: t, mtime: t, ctime: t, btime: t };
}

test('mode bits: the owner class, else the group class (fsgid or supplementary), else other', () => {
  const f = (mode: number): InodeAttrs => attrs(FileMode.S_IFREG | mode, 1000, 100);
  assert.equal(checkPermission(ALICE, f(0o600), May.READ | May.WRITE), 0);
  assert.equal(checkPermission(ALICE, f(0o400), May.WRITE), -Errno.EACCES);
  // The owner gets only the owner bits, even if others may do more.
  assert.equal(checkPermission(ALICE, f(0o077), May.READ), -Errno.EACCES);
  // BOB is in group 100 through his supplementary groups.
  assert.equal(checkPermission(BOB, f(0o040), May.READ), 0);
  assert.equal(checkPermission(BOB, f(0o004), May.READ), -Errno.EACCES);
  assert.equal(checkPermission(creds(2000, 2000), f(0o004), May.READ), 0);
  assert.equal(checkPermission(creds(2000, 2000), f(0o040), May.READ), -Errno.EACCES);
});

test('root: read and write anything, execute only with some x bit, search any directory', () => {
  const file = (mode: number): InodeAttrs => attrs(FileMode.S_IFREG | mode, 1000, 1000);
  const dir = (mode: number): InodeAttrs => attrs(FileMode.S_IFDIR | mode, 1000, 1000);
  assert.equal(checkPermission(ROOT, file(0), May.READ | May.WRITE), 0);
  assert.equal(checkPermission(ROOT, file(0), May.EXEC), -Errno.EACCES);
  assert.equal(checkPermission(ROOT, file(0o001), May.EXEC), 0);
  assert.equal(checkPermission(ROOT, dir(0), May.EXEC | May.READ | May.WRITE), 0);
  // fsuid decides, not euid: a root process with fsuid 1000 is an ordinary user for files.
  assert.equal(checkPermission({ ...ROOT, fsuid: 1000, fsgid: 1000 }, file(0o000), May.READ), -Errno.EACCES);
});

function world(): { w: World; root: ReturnType<World['caller']>; alice: ReturnType<World['caller']>; bob: ReturnType<World['caller']> } {
  const w = new World();
  const root = w.caller(ROOT);
  assert.equal(mkdirAt(root, At.AT_FDCWD, '/tmp', 0o777), 0);
  assert.equal(chmodAt(root, At.AT_FDCWD, '/tmp', 0o1777, 0), 0);
  assert.equal(mkdirAt(root, At.AT_FDCWD, '/etc', 0o755), 0);
  w.file(root, '/etc/secret', 'x', 0o600);
  w.file(root, '/etc/public', 'x', 0o644);
  return { w, root, alice: w.caller(ALICE), bob: w.caller(BOB) };
}

test('open as a non-root user: EACCES on read, write and create without permission; root passes', () => {
  const { w, root, alice } = world();
  assert.equal(w.open(alice, '/etc/secret', OpenFlag.O_RDONLY), -Errno.EACCES);
  assert.equal(w.open(alice, '/etc/public', OpenFlag.O_WRONLY), -Errno.EACCES);
  assert.equal(w.open(alice, '/etc/public', OpenFlag.O_RDONLY | OpenFlag.O_TRUNC), -Errno.EACCES);
  assert.notEqual(typeof w.open(alice, '/etc/public', OpenFlag.O_RDONLY), 'number');
  assert.equal(w.open(alice, '/etc/new', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.EACCES);
  assert.equal(mkdirAt(alice, At.AT_FDCWD, '/etc/d', 0o755), -Errno.EACCES);
  assert.notEqual(typeof w.open(root, '/etc/secret', OpenFlag.O_RDWR), 'number');
  // O_PATH needs no permission on the file itself.
  assert.notEqual(typeof w.open(alice, '/etc/secret', OpenFlag.O_PATH), 'number');
});

test('new files: umask, owner from fsuid/fsgid, group and S_ISGID from a set-group-ID directory', () => {
  const { w, root, alice } = world();
  const f = w.file(alice, '/tmp/a', '', 0o666);
  assert.equal(f.getattr().mode, FileMode.S_IFREG | 0o644);
  assert.equal(f.getattr().uid, 1000);
  assert.equal(f.getattr().gid, 1000);
  const strict = w.caller(ALICE, 0o077);
  assert.equal(mkdirAt(strict, At.AT_FDCWD, '/tmp/d', 0o777), 0);
  assert.equal(w.inode(root, '/tmp/d').getattr().mode, FileMode.S_IFDIR | 0o700);
  assert.equal(mkdirAt(root, At.AT_FDCWD, '/sg', 0o777), 0);
  assert.equal(chownAt(root, At.AT_FDCWD, '/sg', -1, 100, 0), 0);
  assert.equal(chmodAt(root, At.AT_FDCWD, '/sg', 0o2777, 0), 0);
  const g = w.file(alice, '/sg/f', '', 0o644);
  assert.equal(g.getattr().gid, 100);
  assert.equal(mkdirAt(alice, At.AT_FDCWD, '/sg/sub', 0o755), 0);
  const sub = w.inode(root, '/sg/sub').getattr();
  assert.equal(sub.gid, 100);
  assert.equal(sub.mode, FileMode.S_IFDIR | FileMode.S_ISGID | 0o755);
});

test('sticky directory: only the owner of the file or of the directory (or root) unlinks or renames', () => {
  const { w, root, alice, bob } = world();
  w.file(alice, '/tmp/alice', 'a');
  w.file(bob, '/tmp/bob', 'b');
  assert.equal(unlinkAt(bob, At.AT_FDCWD, '/tmp/alice', 0), -Errno.EPERM);
  assert.equal(renameAt(bob, At.AT_FDCWD, '/tmp/alice', At.AT_FDCWD, '/tmp/x', 0), -Errno.EPERM);
  // Replacing someone else's file is deleting it too.
  assert.equal(renameAt(bob, At.AT_FDCWD, '/tmp/bob', At.AT_FDCWD, '/tmp/alice', 0), -Errno.EPERM);
  assert.equal(renameAt(alice, At.AT_FDCWD, '/tmp/alice', At.AT_FDCWD, '/tmp/alice2', 0), 0);
  assert.equal(unlinkAt(root, At.AT_FDCWD, '/tmp/bob', 0), 0);
  assert.equal(unlinkAt(alice, At.AT_FDCWD, '/tmp/alice2', 0), 0);
});

test('unlink needs write and search permission on the directory, not on the file', () => {
  const { w, root, alice } = world();
  assert.equal(mkdirAt(alice, At.AT_FDCWD, '/tmp/mine', 0o755), 0);
  w.file(root, '/tmp/mine/roots', 'r', 0o600);
  assert.equal(unlinkAt(alice, At.AT_FDCWD, '/tmp/mine/roots', 0), 0);
  assert.equal(unlinkAt(alice, At.AT_FDCWD, '/etc/public', 0), -Errno.EACCES);
});

test('chmod: owner or root; S_ISGID dropped for a group the caller is not in', () => {
  const { w, root, alice, bob } = world();
  w.file(alice, '/tmp/f', '', 0o644);
  assert.equal(chmodAt(bob, At.AT_FDCWD, '/tmp/f', 0o777, 0), -Errno.EPERM);
  assert.equal(chmodAt(alice, At.AT_FDCWD, '/tmp/f', 0o2755, 0), 0);
  assert.equal(w.inode(root, '/tmp/f').getattr().mode, FileMode.S_IFREG | 0o2755);
  assert.equal(chownAt(root, At.AT_FDCWD, '/tmp/f', -1, 4242, 0), 0);
  assert.equal(chmodAt(alice, At.AT_FDCWD, '/tmp/f', 0o2755, 0), 0);
  assert.equal(w.inode(root, '/tmp/f').getattr().mode, FileMode.S_IFREG | 0o755);
  assert.equal(chmodAt(root, At.AT_FDCWD, '/tmp/f', 0o2755, 0), 0);
  assert.equal(w.inode(root, '/tmp/f').getattr().mode, FileMode.S_IFREG | 0o2755);
});

test('chown: only root gives files away; an owner may change the group to one of its groups; set-ID bits are cleared', () => {
  const { w, root, alice } = world();
  w.file(alice, '/tmp/f', '', 0o755);
  assert.equal(chownAt(alice, At.AT_FDCWD, '/tmp/f', 1001, -1, 0), -Errno.EPERM);
  assert.equal(chownAt(alice, At.AT_FDCWD, '/tmp/f', 1000, -1, 0), 0);
  assert.equal(chownAt(alice, At.AT_FDCWD, '/tmp/f', -1, 100, 0), 0);
  assert.equal(chownAt(alice, At.AT_FDCWD, '/tmp/f', -1, 5, 0), -Errno.EPERM);
  assert.equal(chmodAt(alice, At.AT_FDCWD, '/tmp/f', 0o6755, 0), 0);
  assert.equal(chownAt(root, At.AT_FDCWD, '/tmp/f', 0, 0, 0), 0);
  const a = w.inode(root, '/tmp/f').getattr();
  assert.deepEqual([a.uid, a.gid, a.mode & 0o7777], [0, 0, 0o755]);
});

test('utimensat: "now" needs write permission or ownership; explicit times need ownership', () => {
  const { w, root, alice, bob } = world();
  w.file(alice, '/tmp/f', '', 0o666);
  assert.equal(chmodAt(alice, At.AT_FDCWD, '/tmp/f', 0o666, 0), 0);
  const p = w.lookup(bob, '/tmp/f');
  assert.ok(typeof p !== 'number');
  assert.equal(utimensPath(bob, p, 'now', 'now'), 0);
  assert.equal(utimensPath(bob, p, { sec: 5, nsec: 0 }, 'omit'), -Errno.EPERM);
  assert.equal(chmodAt(alice, At.AT_FDCWD, '/tmp/f', 0o644, 0), 0);
  assert.equal(utimensPath(bob, p, 'now', 'now'), -Errno.EACCES);
  assert.equal(utimensPath(alice, p, { sec: 5, nsec: 6 }, 'omit'), 0);
  assert.deepEqual(w.inode(root, '/tmp/f').getattr().atime, { sec: 5, nsec: 6 });
});

test('access: real ids unless AT_EACCESS; F_OK only needs the path; root needs an x bit for X_OK', () => {
  const { w, root } = world();
  w.file(root, '/etc/prog', '', 0o700);
  const setuidish = w.caller({ uid: 1000, gid: 1000, euid: 0, fsuid: 0, fsgid: 0, groups: [] });
  assert.equal(accessAt(setuidish, At.AT_FDCWD, '/etc/secret', Access.R_OK, 0), -Errno.EACCES);
  assert.equal(accessAt(setuidish, At.AT_FDCWD, '/etc/secret', Access.R_OK, At.AT_EACCESS), 0);
  assert.equal(accessAt(setuidish, At.AT_FDCWD, '/etc/secret', Access.F_OK, 0), 0);
  assert.equal(accessAt(root, At.AT_FDCWD, '/etc/public', Access.X_OK, 0), -Errno.EACCES);
  assert.equal(accessAt(root, At.AT_FDCWD, '/etc/prog', Access.X_OK, 0), 0);
  assert.equal(accessAt(root, At.AT_FDCWD, '/etc/public', 8, 0), -Errno.EINVAL);
  assert.equal(accessAt(root, At.AT_FDCWD, '/etc/nothing', Access.F_OK, 0), -Errno.ENOENT);
});
