// tmpfs data and metadata: xattr rules (man 2 setxattr/getxattr/listxattr),
// size and inode limits (ENOSPC), fallocate, timestamps (POSIX), and
// unmounting a busy tmpfs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { fallocate, ftruncate, statfsPath, truncatePath, chmodAt } from '../../src/vfs/attr_ops.js';
import { chdirAt } from '../../src/vfs/dir_ops.js';
import { FallocFlag, XattrFlag } from '../../src/vfs/inode.js';
import { UmountFlag } from '../../src/vfs/mount.js';
import { mountAt, umountAt } from '../../src/vfs/mount_ops.js';
import { mkdirAt, mknodAt, renameAt, symlinkAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import type { VfsPath } from '../../src/vfs/path.js';
import { checkSetxattrArgs, getxattrPath, listxattrPath, removexattrPath, setxattrPath } from '../../src/vfs/xattr.js';
import { ALICE, BOB, ROOT, World } from './vfs_fixture.test.js';

const CWD = At.AT_FDCWD;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('xattrs: get, set, list, remove with exact errors', () => {
  const w = new World();
  const root = w.caller(ROOT);
  const alice = w.caller(ALICE);
  const bob = w.caller(BOB);
  assert.equal(mkdirAt(root, CWD, '/tmp', 0o777), 0);
  assert.equal(chmodAt(root, CWD, '/tmp', 0o777, 0), 0);
  w.file(alice, '/tmp/f', '', 0o644);
  assert.equal(symlinkAt(alice, 'f', CWD, '/tmp/l'), 0);
  assert.equal(mknodAt(alice, CWD, '/tmp/fifo', FileMode.S_IFIFO | 0o666, 0), 0);
  const at = (c: typeof root, p: string, follow = true): VfsPath => {
    const r = w.lookup(c, p, follow);
    assert.ok(typeof r !== 'number');
    return r;
  };
  const f = at(alice, '/tmp/f');
  assert.equal(getxattrPath(alice, f, 'user.k', 0), -Errno.ENODATA);
  assert.equal(setxattrPath(alice, f, 'user.k', bytes('value'), 0), 0);
  assert.deepEqual(getxattrPath(alice, f, 'user.k', 0), bytes('value'));
  assert.deepEqual(getxattrPath(alice, f, 'user.k', 5), bytes('value'));
  assert.equal(getxattrPath(alice, f, 'user.k', 4), -Errno.ERANGE);
  assert.equal(setxattrPath(alice, f, 'user.k', bytes('v2'), XattrFlag.XATTR_CREATE), -Errno.EEXIST);
  assert.equal(setxattrPath(alice, f, 'user.k', bytes('v2'), XattrFlag.XATTR_REPLACE), 0);
  assert.equal(setxattrPath(alice, f, 'user.none', bytes(''), XattrFlag.XATTR_REPLACE), -Errno.ENODATA);
  assert.equal(setxattrPath(alice, f, 'user.empty', new Uint8Array(0), XattrFlag.XATTR_CREATE), 0);
  assert.deepEqual(getxattrPath(alice, f, 'user.empty', 0), new Uint8Array(0));
  assert.equal(setxattrPath(alice, f, 'user.k', bytes('x'), 4), -Errno.EINVAL);
  assert.equal(setxattrPath(alice, f, '', bytes('x'), 0), -Errno.ERANGE);
  assert.equal(setxattrPath(alice, f, 'user.' + 'n'.repeat(251), bytes('x'), 0), -Errno.ERANGE);
  assert.equal(setxattrPath(alice, f, 'user.' + 'n'.repeat(250), bytes('x'), 0), 0);
  assert.equal(checkSetxattrArgs('user.big', 65537, 0), -Errno.E2BIG);
  assert.equal(setxattrPath(alice, f, 'user.big', new Uint8Array(65537), 0), -Errno.E2BIG);
  assert.equal(setxattrPath(alice, f, 'user.max', new Uint8Array(65536), 0), 0);
  assert.equal(setxattrPath(alice, f, 'user.', bytes('x'), 0), -Errno.EINVAL);
  assert.equal(setxattrPath(alice, f, 'foo.bar', bytes('x'), 0), -Errno.EOPNOTSUPP);
  assert.equal(getxattrPath(alice, f, 'system.posix_acl_access', 0), -Errno.EOPNOTSUPP);
  // trusted.*: CAP_SYS_ADMIN only; hidden from others' lists.
  assert.equal(setxattrPath(alice, f, 'trusted.t', bytes('x'), 0), -Errno.EPERM);
  assert.equal(setxattrPath(root, f, 'trusted.t', bytes('secret'), 0), 0);
  assert.equal(getxattrPath(alice, f, 'trusted.t', 0), -Errno.ENODATA);
  assert.deepEqual(getxattrPath(root, f, 'trusted.t', 0), bytes('secret'));
  const list = (c: typeof root): string => {
    const l = listxattrPath(c, f, 0);
    assert.ok(typeof l !== 'number');
    return Buffer.from(l).toString('latin1');
  };
  const mine = 'user.k\0user.empty\0user.' + 'n'.repeat(250) + '\0user.max\0';
  assert.equal(list(alice), mine);
  assert.equal(list(root), mine + 'trusted.t\0');
  assert.equal(listxattrPath(alice, f, 5), -Errno.ERANGE);
  // user.* only on regular files and directories.
  assert.equal(getxattrPath(alice, at(alice, '/tmp/l', false), 'user.k', 0), -Errno.ENODATA);
  assert.equal(setxattrPath(alice, at(alice, '/tmp/l', false), 'user.k', bytes('x'), 0), -Errno.EPERM);
  assert.equal(setxattrPath(alice, at(alice, '/tmp/fifo'), 'user.k', bytes('x'), 0), -Errno.EPERM);
  // Permission on the file: bob may read (0644) but not write.
  assert.deepEqual(getxattrPath(bob, f, 'user.k', 0), bytes('v2'));
  assert.equal(setxattrPath(bob, f, 'user.k', bytes('x'), 0), -Errno.EACCES);
  assert.equal(removexattrPath(bob, f, 'user.k'), -Errno.EACCES);
  // In a sticky directory only its owner writes user.* of the directory.
  assert.equal(chmodAt(root, CWD, '/tmp', 0o1777, 0), 0);
  assert.equal(setxattrPath(alice, at(alice, '/tmp'), 'user.d', bytes('x'), 0), -Errno.EPERM);
  assert.equal(removexattrPath(alice, f, 'user.k'), 0);
  assert.equal(removexattrPath(alice, f, 'user.k'), -Errno.ENODATA);
  // setxattr changes ctime.
  w.clock.advance(10);
  assert.equal(setxattrPath(alice, f, 'user.t', bytes('1'), 0), 0);
  assert.deepEqual(f.dentry.inode.getattr().ctime, w.clock.now());
});

test('ENOSPC: the size limit counts pages; writes stop at it; frees come back; fallocate is all or nothing', () => {
  const w = new World({ maxBytes: 3 * 4096, maxInodes: 6 });
  const c = w.caller(ROOT);
  const f = w.must(c, '/f', OpenFlag.O_CREAT | OpenFlag.O_RDWR);
  assert.equal(w.write(f, new Uint8Array(2 * 4096 + 100)), 2 * 4096 + 100);
  assert.equal(w.fs.usedPages, 3);
  // The third page has room for the rest of its bytes, not a fourth page.
  assert.equal(w.write(f, new Uint8Array(5000)), 4096 - 100);
  assert.equal(w.write(f, new Uint8Array(10)), -Errno.ENOSPC);
  assert.equal(f.inode.getattr().size, 3 * 4096);
  assert.equal(f.inode.getattr().blocks, 24);
  const sf = statfsPath(f.path);
  assert.deepEqual([sf.type, sf.blocks, sf.bfree, sf.files, sf.ffree, sf.namelen], [0x01021994, 3, 0, 6, 4, 255]);
  // Extending by truncate makes a hole and takes no space.
  assert.equal(ftruncate(c, f, 100 * 4096), 0);
  assert.equal(w.fs.usedPages, 3);
  assert.equal(ftruncate(c, f, 4096 + 1), 0);
  assert.equal(w.fs.usedPages, 2);
  const g = w.must(c, '/g', OpenFlag.O_CREAT | OpenFlag.O_RDWR);
  assert.equal(fallocate(g, 0, 0, 2 * 4096), -Errno.ENOSPC);
  assert.equal(g.inode.getattr().size, 0);
  assert.equal(w.fs.usedPages, 2);
  assert.equal(fallocate(g, FallocFlag.FALLOC_FL_KEEP_SIZE, 0, 4096), 0);
  assert.equal(g.inode.getattr().size, 0);
  assert.equal(w.fs.usedPages, 3);
  assert.equal(fallocate(g, FallocFlag.FALLOC_FL_PUNCH_HOLE, 0, 4096), -Errno.EOPNOTSUPP);
  assert.equal(fallocate(g, FallocFlag.FALLOC_FL_PUNCH_HOLE | FallocFlag.FALLOC_FL_KEEP_SIZE, 0, 4096), 0);
  assert.equal(w.fs.usedPages, 2);
  assert.equal(fallocate(g, FallocFlag.FALLOC_FL_ZERO_RANGE, 0, 4096), -Errno.EOPNOTSUPP);
  assert.equal(fallocate(g, 0, -1, 4096), -Errno.EINVAL);
  assert.equal(fallocate(g, 0, 0, 0), -Errno.EINVAL);
  assert.equal(fallocate(g, 0, 0, 100), 0);
  assert.equal(g.inode.getattr().size, 100);
  // A long symlink takes a page; there is none left.
  assert.equal(symlinkAt(c, 'x'.repeat(200), CWD, '/long'), -Errno.ENOSPC);
  assert.equal(symlinkAt(c, 'x'.repeat(100), CWD, '/short'), 0);
  // Inode limit: the root, /f, /g, /short; two more fit.
  assert.equal(mkdirAt(c, CWD, '/d1', 0o755), 0);
  assert.equal(mknodAt(c, CWD, '/p', FileMode.S_IFIFO | 0o644, 0), 0);
  assert.equal(mkdirAt(c, CWD, '/d2', 0o755), -Errno.ENOSPC);
  assert.equal(w.open(c, '/h', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.ENOSPC);
  assert.equal(unlinkAt(c, CWD, '/p', 0), 0);
  assert.equal(mkdirAt(c, CWD, '/d2', 0o755), 0);
});

test('truncate zeroes what it cuts: bytes past a shrink read back as zeros after regrowth', () => {
  const w = new World();
  const c = w.caller(ROOT);
  const f = w.must(c, '/f', OpenFlag.O_CREAT | OpenFlag.O_RDWR);
  assert.equal(w.write(f, 'x'.repeat(9000)), 9000);
  assert.equal(ftruncate(c, f, 10), 0);
  assert.equal(ftruncate(c, f, 9000), 0);
  assert.equal(f.seek(0, 0), 0);
  const back = w.read(f, 9000);
  assert.equal(back, 'x'.repeat(10) + '\0'.repeat(8990));
  assert.equal(w.fs.usedPages, 1);
  // A punched hole reads as zeros; whole pages inside it are freed.
  assert.equal(f.seek(0, 0), 0);
  assert.equal(w.write(f, 'y'.repeat(3 * 4096)), 3 * 4096);
  assert.equal(fallocate(f, FallocFlag.FALLOC_FL_PUNCH_HOLE | FallocFlag.FALLOC_FL_KEEP_SIZE, 100, 2 * 4096), 0);
  assert.equal(w.fs.usedPages, 2);
  assert.equal(f.seek(0, 0), 0);
  assert.equal(w.read(f, 3 * 4096), 'y'.repeat(100) + '\0'.repeat(2 * 4096) + 'y'.repeat(4096 - 100));
});

test('timestamps: create, write, read (relatime), chmod, rename, truncate and O_TRUNC', () => {
  const w = new World();
  const c = w.caller(ROOT);
  const clock = w.clock;
  assert.equal(mkdirAt(c, CWD, '/d', 0o755), 0);
  const d = w.inode(c, '/d');
  clock.advance(10);
  const t1 = clock.now();
  const f = w.file(c, '/d/f', 'abc');
  let a = f.getattr();
  assert.deepEqual([a.atime, a.mtime, a.ctime, a.btime], [t1, t1, t1, t1]);
  assert.deepEqual([d.getattr().mtime, d.getattr().ctime], [t1, t1]);
  // A read sets atime when atime is not newer than mtime (relatime).
  clock.advance(10);
  const t2 = clock.now();
  const r = w.must(c, '/d/f', OpenFlag.O_RDONLY);
  assert.equal(w.read(r, 10), 'abc');
  assert.deepEqual(f.getattr().atime, t2);
  clock.advance(10);
  assert.equal(w.read(r, 10), '');
  assert.equal(r.seek(0, 0), 0);
  assert.equal(w.read(r, 10), 'abc');
  assert.deepEqual(f.getattr().atime, t2, 'relatime: no second update within a day');
  clock.advance(86400);
  assert.equal(r.seek(0, 0), 0);
  assert.equal(w.read(r, 1), 'a');
  assert.deepEqual(f.getattr().atime, clock.now());
  // Writes: mtime and ctime; an empty write changes nothing.
  clock.advance(10);
  const t3 = clock.now();
  const wr = w.must(c, '/d/f', OpenFlag.O_WRONLY);
  assert.equal(w.write(wr, 'Z'), 1);
  a = f.getattr();
  assert.deepEqual([a.mtime, a.ctime], [t3, t3]);
  clock.advance(10);
  assert.equal(w.write(wr, ''), 0);
  assert.deepEqual(f.getattr().mtime, t3);
  // chmod: ctime only.
  assert.equal(chmodAt(c, CWD, '/d/f', 0o600, 0), 0);
  a = f.getattr();
  assert.deepEqual([a.mtime, a.ctime], [t3, clock.now()]);
  // truncate(2) to the same size changes nothing; ftruncate and O_TRUNC always set mtime and ctime.
  clock.advance(10);
  const p = w.lookup(c, '/d/f');
  assert.ok(typeof p !== 'number');
  assert.equal(truncatePath(c, p, 3), 0);
  assert.deepEqual(f.getattr().mtime, t3);
  assert.equal(ftruncate(c, wr, 3), 0);
  assert.deepEqual(f.getattr().mtime, clock.now());
  clock.advance(10);
  w.must(c, '/d/f', OpenFlag.O_WRONLY | OpenFlag.O_TRUNC);
  assert.deepEqual([f.getattr().mtime, f.getattr().size], [clock.now(), 0]);
  // rename: the moved inode's ctime and both directories' mtime and ctime.
  assert.equal(mkdirAt(c, CWD, '/e', 0o755), 0);
  clock.advance(10);
  const t4 = clock.now();
  assert.equal(renameAt(c, CWD, '/d/f', CWD, '/e/f', 0), 0);
  assert.deepEqual([f.getattr().ctime, d.getattr().mtime, w.inode(c, '/e').getattr().ctime], [t4, t4, t4]);
  // unlink: the inode's ctime (its link count changed).
  assert.equal(unlinkAt(c, CWD, '/e/f', 0), 0);
});

test('umount: EBUSY while in use or covered; MNT_DETACH; EINVAL off a mount root; root only', () => {
  const w = new World();
  const c = w.caller(ROOT);
  assert.equal(mkdirAt(c, CWD, '/m', 0o755), 0);
  assert.equal(typeof mountAt(c, w.tmpfs(), '/m', 0), 'object');
  assert.equal(mkdirAt(c, CWD, '/m/sub', 0o755), 0);
  assert.equal(umountAt(c, '/m/sub', 0), -Errno.EINVAL);
  assert.equal(umountAt(c, '/', 0), -Errno.EBUSY);
  assert.equal(umountAt(w.caller(ALICE), '/m', 0), -Errno.EPERM);
  const user = w.caller(ROOT);
  assert.equal(chdirAt(user, '/m/sub'), 0);
  assert.equal(umountAt(c, '/m', 0), -Errno.EBUSY);
  assert.equal(chdirAt(user, '/'), 0);
  assert.equal(typeof mountAt(c, w.tmpfs(), '/m/sub', 0), 'object');
  assert.equal(umountAt(c, '/m', 0), -Errno.EBUSY);
  const f = w.must(c, '/m/sub', OpenFlag.O_RDONLY);
  assert.equal(umountAt(c, '/m/sub', 0), -Errno.EBUSY);
  assert.equal(umountAt(c, '/m', UmountFlag.MNT_DETACH), 0);
  // The detached tree lives on for the open directory.
  assert.equal(f.readdir(() => true), 0);
  assert.equal(w.inode(c, '/m').fs, w.fs);
  assert.equal(umountAt(c, '/m', 0), -Errno.EINVAL);
  assert.equal(umountAt(c, '/m', 0x10), -Errno.EINVAL);
});
