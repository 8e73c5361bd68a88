// open(2) semantics: O_CREAT|O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW,
// O_APPEND, O_PATH, O_TMPFILE, trailing slashes, read-only mounts, shared
// offsets, lseek.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag, Resolve, Seek } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { ftruncate } from '../../src/vfs/attr_ops.js';
import { linkAt, mkdirAt, mknodAt, symlinkAt } from '../../src/vfs/namei_ops.js';
import { MountFlag } from '../../src/vfs/mount.js';
import { mountAt } from '../../src/vfs/mount_ops.js';
import { openAt, validateOpenHow } from '../../src/vfs/open.js';
import { ALICE, ROOT, World } from './vfs_fixture.test.js';

function setup(): { w: World; c: ReturnType<World['caller']> } {
  const w = new World();
  const c = w.caller(ROOT);
  assert.equal(mkdirAt(c, At.AT_FDCWD, '/d', 0o755), 0);
  w.file(c, '/d/f', 'hello');
  assert.equal(symlinkAt(c, 'f', At.AT_FDCWD, '/d/lf'), 0);
  assert.equal(symlinkAt(c, 'new', At.AT_FDCWD, '/d/dangling'), 0);
  return { w, c };
}

test('O_CREAT and O_EXCL', () => {
  const { w, c } = setup();
  assert.equal(w.open(c, '/d/f', OpenFlag.O_CREAT | OpenFlag.O_EXCL | OpenFlag.O_WRONLY), -Errno.EEXIST);
  // OpenFlag.O_EXCL never follows the last link, even a dangling one.
  assert.equal(w.open(c, '/d/dangling', OpenFlag.O_CREAT | OpenFlag.O_EXCL | OpenFlag.O_WRONLY), -Errno.EEXIST);
  // Without OpenFlag.O_EXCL a dangling link's target is created.
  assert.notEqual(typeof w.open(c, '/d/dangling', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), 'number');
  assert.equal(w.inode(c, '/d/new').type, FileMode.S_IFREG);
  assert.equal(w.open(c, '/d/g/', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.EISDIR);
  assert.equal(w.open(c, '/d/', OpenFlag.O_CREAT | OpenFlag.O_RDONLY), -Errno.EISDIR);
  assert.equal(w.open(c, '/d', OpenFlag.O_CREAT | OpenFlag.O_RDONLY), -Errno.EISDIR);
  assert.equal(w.open(c, '/', OpenFlag.O_CREAT | OpenFlag.O_EXCL | OpenFlag.O_RDONLY), -Errno.EEXIST);
  assert.equal(w.open(c, '/d/missing/x', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.ENOENT);
  assert.equal(w.open(c, '/d/f/x', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.ENOTDIR);
  assert.equal(w.open(c, '/d/n', OpenFlag.O_CREAT | OpenFlag.O_DIRECTORY | OpenFlag.O_RDONLY), -Errno.EINVAL);
  assert.equal(w.open(c, `/d/${'x'.repeat(256)}`, OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.ENAMETOOLONG);
});

test('types: EISDIR writing a directory, ENOTDIR for O_DIRECTORY, ELOOP for O_NOFOLLOW, O_PATH on a link', () => {
  const { w, c } = setup();
  assert.equal(w.open(c, '/d', OpenFlag.O_WRONLY), -Errno.EISDIR);
  assert.equal(w.open(c, '/d', OpenFlag.O_RDWR), -Errno.EISDIR);
  assert.equal(w.open(c, '/d/f', OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY), -Errno.ENOTDIR);
  assert.equal(w.open(c, '/d/f/', OpenFlag.O_RDONLY), -Errno.ENOTDIR);
  assert.equal(w.open(c, '/d/lf', OpenFlag.O_RDONLY | OpenFlag.O_NOFOLLOW), -Errno.ELOOP);
  const p = w.open(c, '/d/lf', OpenFlag.O_PATH | OpenFlag.O_NOFOLLOW);
  assert.ok(typeof p !== 'number');
  assert.equal(p.inode.type, FileMode.S_IFLNK);
  assert.equal(w.read(p, 1), -Errno.EBADF);
  assert.equal(p.seek(0, Seek.SEEK_SET), -Errno.EBADF);
  const q = w.open(c, '/d/lf', OpenFlag.O_RDONLY);
  assert.ok(typeof q !== 'number');
  assert.equal(w.read(q, 10), 'hello');
  assert.equal(w.read(w.must(c, '/d', OpenFlag.O_RDONLY), 1), -Errno.EISDIR);
  assert.equal(w.write(w.must(c, '/d/f', OpenFlag.O_RDONLY), 'x'), -Errno.EBADF);
  assert.equal(w.read(w.must(c, '/d/f', OpenFlag.O_WRONLY), 1), -Errno.EBADF);
});

test('O_TRUNC, O_APPEND, shared offsets and lseek', () => {
  const { w, c } = setup();
  w.must(c, '/d/f', OpenFlag.O_WRONLY | OpenFlag.O_TRUNC);
  assert.equal(w.inode(c, '/d/f').getattr().size, 0);
  const a = w.must(c, '/d/f', OpenFlag.O_WRONLY | OpenFlag.O_APPEND);
  const b = w.must(c, '/d/f', OpenFlag.O_WRONLY);
  assert.equal(w.write(b, 'abcdef'), 6);
  assert.equal(w.write(a, 'XY'), 2);
  assert.equal(a.offset, 8);
  assert.equal(w.write(b, 'Z'), 1);
  const r = w.must(c, '/d/f', OpenFlag.O_RDONLY);
  assert.equal(w.read(r, 100), 'abcdefZY');
  // A dup shares the description and so the offset.
  const fd = w.install(r);
  const dup = w.fds.get(fd)!;
  assert.equal(dup.seek(2, Seek.SEEK_SET), 2);
  assert.equal(w.read(r, 3), 'cde');
  assert.equal(r.seek(-1, Seek.SEEK_END), 7);
  assert.equal(r.seek(-10, Seek.SEEK_CUR), -Errno.EINVAL);
  assert.equal(r.seek(0, 99), -Errno.EINVAL);
  // Sparse: a hole, then data.
  const s = w.must(c, '/d/sparse', OpenFlag.O_CREAT | OpenFlag.O_RDWR);
  assert.equal(s.seek(3 * 4096 + 10, Seek.SEEK_SET), 3 * 4096 + 10);
  assert.equal(w.write(s, 'tail'), 4);
  assert.equal(s.seek(0, Seek.SEEK_DATA), 3 * 4096);
  assert.equal(s.seek(0, Seek.SEEK_HOLE), 0);
  assert.equal(s.seek(3 * 4096, Seek.SEEK_HOLE), 3 * 4096 + 14);
  assert.equal(s.seek(3 * 4096 + 14, Seek.SEEK_DATA), -Errno.ENXIO);
  assert.equal(s.seek(0, Seek.SEEK_SET), 0);
  assert.equal(w.read(s, 5), '\0\0\0\0\0');
  assert.equal(s.inode.getattr().blocks, 8);
  // pread / pwrite leave the offset alone.
  w.mem.bytes.set([0x41, 0x42], 0);
  assert.equal(s.pwrite(w.mem, 0, 2, 1), 2);
  assert.equal(s.offset, 5);
  assert.equal(s.pread(w.mem, 100, 3, 0), 3);
  assert.deepEqual([...w.mem.bytes.subarray(100, 103)], [0, 0x41, 0x42]);
  assert.equal(s.pread(w.mem, 0, 1, -1), -Errno.EINVAL);
});

test('ftruncate needs a descriptor open for writing', () => {
  const { w, c } = setup();
  const r = w.must(c, '/d/f', OpenFlag.O_RDONLY);
  assert.equal(ftruncate(c, r, 0), -Errno.EINVAL);
  const wr = w.must(c, '/d/f', OpenFlag.O_WRONLY);
  assert.equal(ftruncate(c, wr, -1), -Errno.EINVAL);
  assert.equal(ftruncate(c, wr, 2), 0);
  assert.equal(w.read(w.must(c, '/d/f', OpenFlag.O_RDONLY), 10), 'he');
});

test('O_TMPFILE: an unnamed file, linkable unless O_EXCL', () => {
  const { w, c } = setup();
  assert.equal(w.open(c, '/d', OpenFlag.O_TMPFILE | OpenFlag.O_RDONLY), -Errno.EINVAL);
  assert.equal(w.open(c, '/d', OpenFlag.O_TMPFILE | OpenFlag.O_RDWR | OpenFlag.O_CREAT), -Errno.EINVAL);
  assert.equal(w.open(c, '/d/f', OpenFlag.O_TMPFILE | OpenFlag.O_RDWR), -Errno.ENOTDIR);
  const used = w.fs.usedInodes;
  const t = w.must(c, '/d', OpenFlag.O_TMPFILE | OpenFlag.O_RDWR, 0o600);
  assert.equal(t.inode.getattr().nlink, 0);
  assert.equal(w.write(t, 'data'), 4);
  const fd = w.install(t);
  assert.equal(linkAt(c, fd, '', At.AT_FDCWD, '/d/named', At.AT_EMPTY_PATH), 0);
  assert.equal(w.inode(c, '/d/named').getattr().nlink, 1);
  const e = w.must(c, '/d', OpenFlag.O_TMPFILE | OpenFlag.O_RDWR | OpenFlag.O_EXCL);
  const efd = w.install(e);
  assert.equal(linkAt(c, efd, '', At.AT_FDCWD, '/d/named2', At.AT_EMPTY_PATH), -Errno.ENOENT);
  assert.equal(linkAt(w.caller(ALICE), efd, '', At.AT_FDCWD, '/d/named3', At.AT_EMPTY_PATH), -Errno.ENOENT);
  // Closing the last descriptor of the unnamed one frees it.
  const inodesBefore = w.fs.usedInodes;
  for (const [n, f] of [...w.fds]) if (f === e) w.close(n);
  assert.equal(w.fs.usedInodes, inodesBefore - 1);
  assert.equal(used + 1, w.fs.usedInodes);
});

test('read-only mounts are EROFS for writes; nodev refuses device nodes; sockets are ENXIO', () => {
  const { w, c } = setup();
  assert.equal(mkdirAt(c, At.AT_FDCWD, '/ro', 0o755), 0);
  const fs = w.tmpfs();
  assert.equal(typeof mountAt(c, fs, '/ro', MountFlag.MS_RDONLY | MountFlag.MS_NODEV), 'object');
  assert.equal(w.open(c, '/ro/f', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.EROFS);
  assert.equal(mkdirAt(c, At.AT_FDCWD, '/ro/d', 0o755), -Errno.EROFS);
  assert.equal(mkdirAt(c, At.AT_FDCWD, '/ro', 0o755), -Errno.EEXIST);
  assert.notEqual(typeof w.open(c, '/ro', OpenFlag.O_RDONLY), 'number');
  assert.equal(mknodAt(c, At.AT_FDCWD, '/d/null', FileMode.S_IFCHR | 0o666, 0x103), 0);
  assert.equal(w.open(c, '/d/null', OpenFlag.O_RDONLY), -Errno.ENXIO);
  assert.equal(mknodAt(c, At.AT_FDCWD, '/d/sock', FileMode.S_IFSOCK | 0o666, 0), 0);
  assert.equal(w.open(c, '/d/sock', OpenFlag.O_RDONLY), -Errno.ENXIO);
  assert.equal(mknodAt(w.caller(ALICE), At.AT_FDCWD, '/d/x', FileMode.S_IFCHR, 0), -Errno.EACCES);
  assert.equal(mknodAt(c, At.AT_FDCWD, '/d/x', FileMode.S_IFDIR, 0), -Errno.EPERM);
  assert.equal(mknodAt(c, At.AT_FDCWD, '/d/x', 0o170000, 0), -Errno.EINVAL);
});

test('openat2 validation and RESOLVE_CACHED', () => {
  const { w, c } = setup();
  assert.equal(validateOpenHow({ flags: OpenFlag.O_RDONLY, mode: 0o644, resolve: 0 }), -Errno.EINVAL);
  assert.equal(validateOpenHow({ flags: OpenFlag.O_CREAT, mode: 0o10000, resolve: 0 }), -Errno.EINVAL);
  assert.equal(validateOpenHow({ flags: 0, mode: 0, resolve: Resolve.RESOLVE_BENEATH | Resolve.RESOLVE_IN_ROOT }), -Errno.EINVAL);
  assert.equal(validateOpenHow({ flags: OpenFlag.O_PATH | OpenFlag.O_RDWR, mode: 0, resolve: 0 }), -Errno.EINVAL);
  assert.equal(validateOpenHow({ flags: 1 << 30, mode: 0, resolve: 0 }), -Errno.EINVAL);
  assert.equal(validateOpenHow({ flags: OpenFlag.O_CREAT, mode: 0o644, resolve: Resolve.RESOLVE_NO_XDEV }), 0);
  assert.equal(openAt(c, At.AT_FDCWD, '/d/f', { flags: OpenFlag.O_RDWR | OpenFlag.O_TRUNC, mode: 0, resolve: Resolve.RESOLVE_CACHED }), -Errno.EAGAIN);
  assert.notEqual(typeof openAt(c, At.AT_FDCWD, '/d/f', { flags: OpenFlag.O_RDONLY, mode: 0, resolve: Resolve.RESOLVE_CACHED }), 'number');
  assert.equal(w.fds.size >= 0, true);
});
