// Copy-up: what is copied (data, holes, mode, owner, timestamps, xattrs),
// when (write-open, O_TRUNC, truncate, chmod/chown/utimes, xattr changes,
// link, rename), parents first with their timestamps untouched, open files
// across a copy-up, failure when the upper layer is full, O_TMPFILE; the
// lower layer unchanged throughout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag, Seek } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { chmodAt, chownAt, ftruncate, fallocate, truncatePath, utimensPath } from '../../src/vfs/attr_ops.js';
import { FallocFlag, type Inode } from '../../src/vfs/inode.js';
import { linkAt, renameAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { openAtSync as openAt, openatHow } from '../../src/vfs/open.js';
import { UPPER_INO_BASE } from '../../src/fs/overlay/overlay.js';
import { getxattrPath, listxattrPath, removexattrPath, setxattrPath } from '../../src/vfs/xattr.js';
import { ALICE, bigData, bytes, CWD, OverlayWorld } from './overlay_fixture.test.js';

function upperAt(w: OverlayWorld, path: string): Inode | number {
  let cur: Inode = w.upper.root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    const r = cur.lookup(part);
    if (typeof r === 'number') return r;
    cur = r;
  }
  return cur;
}

function lowerAt(w: OverlayWorld, path: string): Inode {
  let cur: Inode = w.lower.fs.root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    const r = cur.lookup(part);
    assert.ok(typeof r !== 'number', `lower ${path}`);
    cur = r;
  }
  return cur;
}

test('copy-up keeps data, mode, owner, timestamps and xattrs; only the changed attribute differs', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  const lower = lowerAt(w, '/home/alice/notes').getattr();
  assert.equal(upperAt(w, '/home'), -Errno.ENOENT);
  w.clock.advance(100);
  const p = w.at(c, '/home/alice/notes');
  assert.equal(setxattrPath(c, p, 'user.extra', bytes('1'), 0), 0);
  const up = upperAt(w, '/home/alice/notes');
  assert.ok(typeof up !== 'number');
  const a = w.stat(c, '/home/alice/notes');
  assert.ok(typeof a !== 'number');
  assert.equal(a.mode, FileMode.S_IFREG | 0o600);
  assert.equal(a.uid, 1000);
  assert.equal(a.gid, 1000);
  assert.equal(a.size, 11);
  assert.deepEqual(a.mtime, lower.mtime);
  assert.deepEqual(a.atime, lower.atime);
  assert.deepEqual(a.ctime, w.clock.now());
  assert.equal(w.cat(c, '/home/alice/notes'), 'alice notes');
  assert.deepEqual(getxattrPath(c, p, 'user.color', 0), bytes('blue'));
  assert.deepEqual(Buffer.from(listxattrPath(c, p, 0) as Uint8Array).toString('latin1').split('\0').filter(Boolean).sort(), ['user.color', 'user.extra']);
  // Parents were copied up first, with their own mode, owner and times.
  for (const dir of ['/home', '/home/alice']) {
    const u = upperAt(w, dir);
    assert.ok(typeof u !== 'number');
    const l = lowerAt(w, dir).getattr();
    const ua = u.getattr();
    assert.equal(ua.mode, l.mode, dir);
    assert.equal(ua.uid, l.uid, dir);
    assert.equal(ua.gid, l.gid, dir);
    assert.deepEqual(ua.mtime, l.mtime, dir);
    assert.deepEqual(ua.ctime, l.ctime, dir);
    assert.deepEqual(ua.atime, l.atime, dir);
  }
  // Siblings were not copied up.
  assert.equal(upperAt(w, '/etc'), -Errno.ENOENT);
  w.assertLowerUnchanged();
});

test('every change copies up: chmod, chown, utimes, truncate, removexattr, write-open; reads and stats do not', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  // Reads, stats, readdir and readlink leave the upper layer empty.
  assert.equal(w.cat(c, '/etc/hosts'), '127.0.0.1 localhost\n');
  w.ls(c, '/usr/lib');
  w.stat(c, '/bin/link');
  assert.equal(w.inode(c, '/bin/link').readlink(), 'sh');
  w.must(c, '/etc/passwd', OpenFlag.O_RDONLY).decRef();
  w.ls(c, '/');
  assert.equal(w.upper.root.entryCount, 0);

  assert.equal(chmodAt(c, CWD, '/etc/hosts', 0o600, 0), 0);
  assert.ok(typeof upperAt(w, '/etc/hosts') !== 'number');
  assert.equal(chownAt(c, CWD, '/usr/lib/a.so', 5, 6, 0), 0);
  const a = w.stat(c, '/usr/lib/a.so');
  assert.ok(typeof a !== 'number');
  assert.deepEqual([a.uid, a.gid, a.size], [5, 6, 4]);
  assert.equal(w.cat(c, '/usr/lib/a.so'), 'AAAA');
  assert.equal(utimensPath(c, w.at(c, '/usr/lib/b.so'), { sec: 5, nsec: 6 }, 'omit'), 0);
  const b = w.stat(c, '/usr/lib/b.so');
  assert.ok(typeof b !== 'number');
  assert.deepEqual(b.atime, { sec: 5, nsec: 6 });
  assert.deepEqual(b.mtime, lowerAt(w, '/usr/lib/b.so').getattr().mtime);
  assert.equal(truncatePath(c, w.at(c, '/data/big'), 100), 0);
  assert.equal(w.cat(c, '/data/big'), Buffer.from(bigData().subarray(0, 100)).toString('latin1'));
  assert.equal(removexattrPath(c, w.at(c, '/etc/shadow'), 'user.nothing'), -Errno.ENODATA);
  assert.equal(upperAt(w, '/etc/shadow'), -Errno.ENOENT);
  assert.equal(removexattrPath(c, w.at(c, '/etc/shadow'), 'user.tag'), 0);
  assert.equal(getxattrPath(c, w.at(c, '/etc/shadow'), 'user.tag', 0), -Errno.ENODATA);
  assert.equal(w.cat(c, '/etc/shadow'), 'root:*:19000::::::\n');
  const f = w.must(c, '/usr/share/doc/readme', OpenFlag.O_RDWR);
  assert.ok(typeof upperAt(w, '/usr/share/doc/readme') !== 'number');
  assert.equal(w.read(f, 4), 'read');
  assert.equal(w.write(f, '!!'), 2);
  f.decRef();
  assert.equal(w.cat(c, '/usr/share/doc/readme'), 'read!!e');
  w.assertLowerUnchanged();
});

test('O_TRUNC copies up without data; O_WRONLY copies the data', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  const f = w.must(c, '/data/big', OpenFlag.O_WRONLY | OpenFlag.O_TRUNC);
  const st = w.stat(c, '/data/big');
  assert.ok(typeof st !== 'number');
  assert.equal(st.size, 0);
  assert.equal(st.blocks, 0);
  assert.equal(w.write(f, 'new'), 3);
  f.decRef();
  assert.equal(w.cat(c, '/data/big'), 'new');
  const g = w.must(c, '/etc/hosts', OpenFlag.O_WRONLY);
  assert.equal(w.write(g, '10'), 2);
  g.decRef();
  assert.equal(w.cat(c, '/etc/hosts'), '107.0.0.1 localhost\n');
  w.assertLowerUnchanged();
});

test('copy-up of a sparse file keeps its holes and size; a big file copies in chunks', () => {
  const w = new OverlayWorld({ overlay: { copyUpChunk: 4096 } });
  const c = w.caller();
  const lower = lowerAt(w, '/data/sparse').getattr();
  assert.equal(chmodAt(c, CWD, '/data/sparse', 0o600, 0), 0);
  const u = upperAt(w, '/data/sparse');
  assert.ok(typeof u !== 'number');
  assert.equal(u.getattr().size, (1 << 20) + 3);
  assert.equal(u.getattr().blocks, lower.blocks);
  assert.equal(u.getattr().blocks, 8);
  const f = w.must(c, '/data/sparse', OpenFlag.O_RDONLY);
  assert.equal(w.pread(f, 3, 1 << 20), 'end');
  assert.equal(w.pread(f, 4, 4096), '\0\0\0\0');
  assert.equal(f.seek(0, Seek.SEEK_DATA), 1 << 20);
  f.decRef();
  assert.equal(chmodAt(c, CWD, '/data/big', 0o600, 0), 0);
  assert.equal(w.cat(c, '/data/big'), Buffer.from(bigData()).toString('latin1'));
  w.assertLowerUnchanged();
});

test('a descriptor opened before a copy-up reads the copied-up file afterwards (Linux 4.19+ and runsc)', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  const reader = w.must(c, '/etc/hosts', OpenFlag.O_RDONLY);
  assert.equal(w.read(reader, 4), '127.');
  assert.equal(w.guard.refs > 0, true);
  const writer = w.must(c, '/etc/hosts', OpenFlag.O_WRONLY);
  assert.equal(reader.inode, writer.inode);
  assert.equal(w.pread(writer, 1, 0), -Errno.EBADF);
  const mem = w.mem;
  mem.bytes.set(bytes('XXXX'), 0);
  assert.equal(writer.pwrite(mem, 0, 4, 4), 4);
  assert.equal(w.read(reader, 8), 'XXXX1 lo');
  // fstat through the old descriptor: the same inode, now upper.
  assert.equal(reader.inode.getattr().size, 20);
  writer.decRef();
  reader.decRef();
  // Every reference taken on the lower layer was given back.
  assert.equal(w.guard.refs, 0);
  w.assertLowerUnchanged();
});

test('a lower file deleted while open can still be changed through its descriptor (an unnamed upper copy)', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  const f = w.must(c, '/etc/hosts', OpenFlag.O_RDONLY);
  assert.equal(unlinkAt(c, CWD, '/etc/hosts', 0), 0);
  assert.equal(f.inode.getattr().nlink, 0);
  assert.equal(w.read(f, 9), '127.0.0.1');
  assert.equal(ftruncate(c, f, 3), -Errno.EINVAL); // not open for writing
  const p = f.path;
  assert.equal(chmodAt(c, CWD, '/etc/hosts', 0o600, 0), -Errno.ENOENT);
  // fchmod on the descriptor: copies up to an unnamed file; no name appears.
  const before = w.upper.usedInodes;
  assert.equal(setxattrPath(c, p, 'user.k', bytes('v'), 0), 0);
  assert.equal(w.upper.usedInodes, before + 1);
  assert.equal(w.stat(c, '/etc/hosts'), -Errno.ENOENT);
  assert.deepEqual(w.ls(c, '/etc').sort(), ['passwd', 'shadow']);
  assert.equal(w.read(f, 100), ' localhost\n');
  f.decRef();
  assert.equal(w.upper.usedInodes, before);
  w.assertLowerUnchanged();
});

test('a hard link to a lower file copies it up once; the lower twin keeps the old data (copy-up breaks lower hard links)', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  assert.equal(linkAt(c, CWD, '/hard1', CWD, '/etc/third', 0), 0);
  const a = w.stat(c, '/hard1');
  const b = w.stat(c, '/etc/third');
  const twin = w.stat(c, '/hard2');
  assert.ok(typeof a !== 'number' && typeof b !== 'number' && typeof twin !== 'number');
  assert.equal(a.ino, b.ino);
  assert.equal(a.nlink, 2);
  // Now two different files: they no longer share an inode number (the copy takes an upper one).
  assert.notEqual(a.ino, twin.ino);
  assert.ok(a.ino > UPPER_INO_BASE);
  assert.equal(twin.nlink, 2);
  assert.equal(w.inode(c, '/hard1'), w.inode(c, '/etc/third'));
  const f = w.must(c, '/etc/third', OpenFlag.O_WRONLY | OpenFlag.O_TRUNC);
  assert.equal(w.write(f, 'changed'), 7);
  f.decRef();
  assert.equal(w.cat(c, '/hard1'), 'changed');
  assert.equal(w.cat(c, '/hard2'), 'shared');
  assert.equal(unlinkAt(c, CWD, '/hard1', 0), 0);
  const left = w.stat(c, '/etc/third');
  assert.ok(typeof left !== 'number');
  assert.equal(left.nlink, 1);
  w.assertLowerUnchanged();
});

test('a full upper layer fails the copy-up with ENOSPC and leaves no partial file', () => {
  const w = new OverlayWorld({ upper: { maxBytes: 2 * 4096 } });
  const c = w.caller();
  assert.equal(chmodAt(c, CWD, '/data/big', 0o600, 0), -Errno.ENOSPC);
  assert.equal(upperAt(w, '/data/big'), -Errno.ENOENT);
  assert.equal(w.upper.usedPages, 0);
  assert.equal(w.cat(c, '/data/big'), Buffer.from(bigData()).toString('latin1'));
  const st = w.stat(c, '/data/big');
  assert.ok(typeof st !== 'number');
  assert.equal(st.mode, FileMode.S_IFREG | 0o644);
  // The parent's copy-up stays (it is harmless) and the directory still looks as it did.
  const data = w.stat(c, '/data');
  assert.ok(typeof data !== 'number');
  assert.deepEqual(data.mtime, lowerAt(w, '/data').getattr().mtime);
  assert.equal(w.open(c, '/data/big', OpenFlag.O_WRONLY), -Errno.ENOSPC);
  // Truncating needs no room for the old data.
  assert.equal(truncatePath(c, w.at(c, '/data/big'), 10), 0);
  assert.equal(w.cat(c, '/data/big'), Buffer.from(bigData().subarray(0, 10)).toString('latin1'));
  w.assertLowerUnchanged();
});

test('copy-up of every file type: symlink, FIFO, setuid file, directory', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  assert.equal(chownAt(c, CWD, '/bin/link', 7, 8, At.AT_SYMLINK_NOFOLLOW), 0);
  const link = upperAt(w, '/bin/link');
  assert.ok(typeof link !== 'number');
  assert.equal(link.readlink(), 'sh');
  assert.equal(w.inode(c, '/bin/link').readlink(), 'sh');
  assert.equal(chmodAt(c, CWD, '/fifo', 0o600, 0), 0);
  const fifo = w.stat(c, '/fifo');
  assert.ok(typeof fifo !== 'number');
  assert.equal(fifo.mode, FileMode.S_IFIFO | 0o600);
  assert.equal(chownAt(c, CWD, '/suid', 0, 0, 0), 0);
  const suid = w.stat(c, '/suid');
  assert.ok(typeof suid !== 'number');
  // chown by root clears set-user-ID (the VFS rule), and the rest of the mode came up intact.
  assert.equal(suid.mode, FileMode.S_IFREG | 0o755);
  assert.equal(chmodAt(c, CWD, '/usr', 0o700, 0), 0);
  const usr = w.stat(c, '/usr');
  assert.ok(typeof usr !== 'number');
  assert.equal(usr.mode, FileMode.S_IFDIR | 0o700);
  assert.deepEqual(w.ls(c, '/usr').sort(), ['lib', 'share']);
  w.assertLowerUnchanged();
});

test('permissions still come from the merged attributes (a non-root caller)', () => {
  const w = new OverlayWorld();
  const alice = w.caller(ALICE);
  assert.equal(w.open(alice, '/etc/shadow', OpenFlag.O_RDONLY), -Errno.EACCES);
  assert.equal(w.open(alice, '/etc/passwd', OpenFlag.O_WRONLY), -Errno.EACCES);
  assert.equal(upperAt(w, '/etc'), -Errno.ENOENT);
  w.put(alice, '/home/alice/todo', 'x');
  assert.equal(w.cat(alice, '/home/alice/todo'), 'x');
  const st = w.stat(alice, '/home/alice/todo');
  assert.ok(typeof st !== 'number');
  assert.deepEqual([st.uid, st.gid], [1000, 1000]);
  assert.equal(unlinkAt(alice, CWD, '/etc/hosts', 0), -Errno.EACCES);
  w.assertLowerUnchanged();
});

test('fallocate and O_TMPFILE work in the upper layer', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  const f = w.must(c, '/etc/hosts', OpenFlag.O_RDWR);
  assert.equal(fallocate(f, 0, 0, 8192), 0);
  const st = w.stat(c, '/etc/hosts');
  assert.ok(typeof st !== 'number');
  assert.equal(st.size, 8192);
  assert.equal(fallocate(f, FallocFlag.FALLOC_FL_PUNCH_HOLE | FallocFlag.FALLOC_FL_KEEP_SIZE, 0, 4096), 0);
  f.decRef();
  const t = openAt(c, CWD, '/usr/lib', openatHow(OpenFlag.O_TMPFILE | OpenFlag.O_RDWR, 0o600));
  assert.ok(typeof t !== 'number', `O_TMPFILE: ${String(t)}`);
  t.incRef();
  assert.equal(w.write(t, 'tmp'), 3);
  assert.equal(t.inode.getattr().nlink, 0);
  assert.deepEqual(w.ls(c, '/usr/lib').sort(), ['a.so', 'b.so']);
  t.decRef();
  w.assertLowerUnchanged();
});

test('renaming a lower file copies it up under the new name and whites out the old one', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  const before = w.stat(c, '/etc/passwd');
  assert.ok(typeof before !== 'number');
  assert.equal(renameAt(c, CWD, '/etc/passwd', CWD, '/passwd', 0), 0);
  const after = w.stat(c, '/passwd');
  assert.ok(typeof after !== 'number');
  assert.equal(after.ino, before.ino);
  assert.deepEqual(after.mtime, before.mtime);
  assert.equal(w.stat(c, '/etc/passwd'), -Errno.ENOENT);
  assert.equal(w.cat(c, '/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  w.assertLowerUnchanged();
});

test('a lower layer that answers reads asynchronously cannot be copied up in a system call: EIO, nothing left behind', async () => {
  const w = new OverlayWorld();
  const c = w.caller();
  w.guard.asyncReads = true;
  assert.equal(chmodAt(c, CWD, '/etc/hosts', 0o600, 0), -Errno.EIO);
  assert.equal(upperAt(w, '/etc/hosts'), -Errno.ENOENT);
  // Metadata-only copy-ups need no reads.
  assert.equal(chmodAt(c, CWD, '/etc', 0o700, 0), 0);
  assert.equal(truncatePath(c, w.at(c, '/etc/hosts'), 0), 0);
  w.guard.asyncReads = false;
  assert.equal(w.cat(c, '/etc/hosts'), '');
  await new Promise((r) => setImmediate(r));
  w.assertLowerUnchanged();
});
