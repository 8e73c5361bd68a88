// rename(2) / renameat2(2) matrix on tmpfs, link counts, and readdir
// stability while entries are removed and added.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { fillDirents64 } from '../../src/vfs/dir_ops.js';
import { RenameFlag, type DirEntry } from '../../src/vfs/inode.js';
import { mountAt } from '../../src/vfs/mount_ops.js';
import { linkAt, mkdirAt, renameAt, rmdirAt, symlinkAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { ROOT, World } from './vfs_fixture.test.js';

const CWD = At.AT_FDCWD;

function setup(): { w: World; c: ReturnType<World['caller']> } {
  const w = new World();
  const c = w.caller(ROOT);
  for (const d of ['/r', '/r/d1', '/r/d2', '/r/full', '/r/full/sub', '/r/empty']) assert.equal(mkdirAt(c, CWD, d, 0o755), 0);
  w.file(c, '/r/f1', 'one');
  w.file(c, '/r/f2', 'two');
  w.file(c, '/r/full/x', 'x');
  return { w, c };
}

const { RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT } = { RENAME_NOREPLACE: RenameFlag.RENAME_NOREPLACE, RENAME_EXCHANGE: RenameFlag.RENAME_EXCHANGE, RENAME_WHITEOUT: RenameFlag.RENAME_WHITEOUT };

interface Case {
  from: string;
  to: string;
  flags?: number;
  want: number;
}

const matrix: Case[] = [
  { from: '/r/f1', to: '/r/new', want: 0 },
  { from: '/r/f1', to: '/r/f2', want: 0 },
  { from: '/r/f1', to: '/r/d1', want: -Errno.EISDIR },
  { from: '/r/d1', to: '/r/f1', want: -Errno.ENOTDIR },
  { from: '/r/d1', to: '/r/empty', want: 0 },
  { from: '/r/d1', to: '/r/full', want: -Errno.ENOTEMPTY },
  { from: '/r/d1', to: '/r/d1/inside', want: -Errno.EINVAL },
  { from: '/r/full', to: '/r/full/sub/deeper', want: -Errno.EINVAL },
  { from: '/r/full/sub', to: '/r/full', want: -Errno.ENOTEMPTY },
  { from: '/r/full/sub', to: '/r', flags: RENAME_EXCHANGE, want: -Errno.EINVAL },
  { from: '/r/missing', to: '/r/x', want: -Errno.ENOENT },
  { from: '/r/f1', to: '/r/missing/x', want: -Errno.ENOENT },
  { from: '/r/f1', to: '/r/f2', flags: RENAME_NOREPLACE, want: -Errno.EEXIST },
  { from: '/r/f1', to: '/r/f9', flags: RENAME_NOREPLACE, want: 0 },
  { from: '/r/f1', to: '/r/d1', flags: RENAME_EXCHANGE, want: 0 },
  { from: '/r/f1', to: '/r/nothing', flags: RENAME_EXCHANGE, want: -Errno.ENOENT },
  { from: '/r/f1', to: '/r/f2', flags: RENAME_EXCHANGE | RENAME_NOREPLACE, want: -Errno.EINVAL },
  { from: '/r/f1', to: '/r/f2', flags: RENAME_WHITEOUT | RENAME_NOREPLACE, want: -Errno.EINVAL },
  { from: '/r/f1', to: '/r/f2', flags: 8, want: -Errno.EINVAL },
  { from: '/r/.', to: '/r/x', want: -Errno.EBUSY },
  { from: '/r/f1', to: '/r/..', want: -Errno.EBUSY },
  { from: '/r/f1', to: '/r/..', flags: RENAME_NOREPLACE, want: -Errno.EEXIST },
  { from: '/', to: '/r/x', want: -Errno.EBUSY },
  { from: '/r/f1/', to: '/r/x', want: -Errno.ENOTDIR },
  { from: '/r/f1', to: '/r/x/', want: -Errno.ENOTDIR },
  { from: '/r/d1/', to: '/r/d3/', want: 0 },
  { from: '/r/f1', to: '/r/f1', want: 0 },
  { from: '/r/f1/x', to: '/r/y', want: -Errno.ENOTDIR },
];

test(`rename matrix (${matrix.length} cases)`, () => {
  for (const k of matrix) {
    const { c } = setup();
    assert.equal(renameAt(c, CWD, k.from, CWD, k.to, k.flags ?? 0), k.want, `${k.from} -> ${k.to} flags ${k.flags ?? 0}`);
  }
});

test('rename moves, replaces and exchanges with the right link counts and parents', () => {
  const { w, c } = setup();
  const f1 = w.inode(c, '/r/f1');
  const f2 = w.inode(c, '/r/f2');
  assert.equal(renameAt(c, CWD, '/r/f1', CWD, '/r/f2', 0), 0);
  assert.equal(w.inode(c, '/r/f2'), f1);
  assert.equal(f2.getattr().nlink, 0);
  assert.equal(w.lookup(c, '/r/f1'), -Errno.ENOENT);
  // A directory moving to another parent moves a link from one parent to the other.
  const r = w.inode(c, '/r');
  const d1 = w.inode(c, '/r/d1');
  const d2 = w.inode(c, '/r/d2');
  const rLinks = r.getattr().nlink;
  assert.equal(renameAt(c, CWD, '/r/d1', CWD, '/r/d2/d1', 0), 0);
  assert.equal(r.getattr().nlink, rLinks - 1);
  assert.equal(d2.getattr().nlink, 3);
  assert.equal(w.inode(c, '/r/d2/d1/..'), d2);
  const dots: DirEntry[] = [];
  d1.readdir(0, (e) => (dots.push(e), true));
  assert.deepEqual(dots.map((e) => [e.name, e.ino]), [['.', d1.ino], ['..', d2.ino]]);
  // Replacing an empty directory.
  const empty = w.inode(c, '/r/empty');
  assert.equal(renameAt(c, CWD, '/r/d2/d1', CWD, '/r/empty', 0), 0);
  assert.equal(empty.getattr().nlink, 0);
  assert.equal(d2.getattr().nlink, 2);
  assert.equal(w.inode(c, '/r/empty'), d1);
  // Exchange a file and a directory across parents.
  assert.equal(renameAt(c, CWD, '/r/f2', CWD, '/r/full/sub', RENAME_EXCHANGE), 0);
  assert.equal(w.inode(c, '/r/f2').type, FileMode.S_IFDIR);
  assert.equal(w.inode(c, '/r/full/sub'), f1);
  assert.equal(w.inode(c, '/r/f2/..'), r);
  // Hard links to one inode: nothing happens.
  assert.equal(linkAt(c, CWD, '/r/full/x', CWD, '/r/xlink', 0), 0);
  assert.equal(renameAt(c, CWD, '/r/full/x', CWD, '/r/xlink', 0), 0);
  assert.notEqual(typeof w.lookup(c, '/r/full/x'), 'number');
  assert.equal(w.inode(c, '/r/xlink').getattr().nlink, 2);
});

test('rename across mounts is EXDEV; a mount point cannot be renamed or removed (EBUSY)', () => {
  const { w, c } = setup();
  assert.equal(typeof mountAt(c, w.tmpfs(), '/r/d2', 0), 'object');
  assert.equal(renameAt(c, CWD, '/r/f1', CWD, '/r/d2/f1', 0), -Errno.EXDEV);
  assert.equal(linkAt(c, CWD, '/r/f1', CWD, '/r/d2/f1', 0), -Errno.EXDEV);
  assert.equal(renameAt(c, CWD, '/r/d2', CWD, '/r/d9', 0), -Errno.EBUSY);
  assert.equal(rmdirAt(c, CWD, '/r/d2'), -Errno.EBUSY);
});

test('link counts: files, hard links, directories, unlinked open files', () => {
  const { w, c } = setup();
  const f = w.inode(c, '/r/f1');
  assert.equal(f.getattr().nlink, 1);
  assert.equal(linkAt(c, CWD, '/r/f1', CWD, '/r/d1/h', 0), 0);
  assert.equal(f.getattr().nlink, 2);
  assert.equal(linkAt(c, CWD, '/r/f1', CWD, '/r/f2', 0), -Errno.EEXIST);
  assert.equal(linkAt(c, CWD, '/r/d1', CWD, '/r/dl', 0), -Errno.EPERM);
  assert.equal(linkAt(c, CWD, '/r/f1', CWD, '/r/x/', 0), -Errno.ENOENT);
  assert.equal(linkAt(c, CWD, '/r/f1', CWD, '/r/f3', 0x1), -Errno.EINVAL);
  // link(2) does not follow a symlink unless AT_SYMLINK_FOLLOW.
  assert.equal(symlinkAt(c, 'f1', CWD, '/r/sl'), 0);
  assert.equal(linkAt(c, CWD, '/r/sl', CWD, '/r/sl2', 0), 0);
  assert.equal(w.inode(c, '/r/sl2', false).type, FileMode.S_IFLNK);
  assert.equal(linkAt(c, CWD, '/r/sl', CWD, '/r/f1b', At.AT_SYMLINK_FOLLOW), 0);
  assert.equal(f.getattr().nlink, 3);
  const r = w.inode(c, '/r');
  const before = r.getattr().nlink;
  assert.equal(mkdirAt(c, CWD, '/r/n', 0o755), 0);
  assert.equal(r.getattr().nlink, before + 1);
  assert.equal(w.inode(c, '/r/n').getattr().nlink, 2);
  assert.equal(rmdirAt(c, CWD, '/r/n'), 0);
  assert.equal(r.getattr().nlink, before);
  assert.equal(rmdirAt(c, CWD, '/r/full'), -Errno.ENOTEMPTY);
  assert.equal(rmdirAt(c, CWD, '/r/f1'), -Errno.ENOTDIR);
  assert.equal(rmdirAt(c, CWD, '/r/.'), -Errno.EINVAL);
  assert.equal(rmdirAt(c, CWD, '/r/..'), -Errno.ENOTEMPTY);
  assert.equal(rmdirAt(c, CWD, '/'), -Errno.EBUSY);
  assert.equal(unlinkAt(c, CWD, '/r/d1', 0), -Errno.EISDIR);
  assert.equal(unlinkAt(c, CWD, '/r/f1/', 0), -Errno.ENOTDIR);
  assert.equal(unlinkAt(c, CWD, '/r/d1/', 0), -Errno.EISDIR);
  assert.equal(unlinkAt(c, CWD, '/r/.', 0), -Errno.EISDIR);
  assert.equal(unlinkAt(c, CWD, '/r/f1', 0x100), -Errno.EINVAL);
  // An open file outlives its last name.
  const open = w.must(c, '/r/f2', OpenFlag.O_RDONLY);
  const inodes = w.fs.usedInodes;
  assert.equal(unlinkAt(c, CWD, '/r/f2', 0), 0);
  assert.equal(open.inode.getattr().nlink, 0);
  assert.equal(w.read(open, 10), 'two');
  assert.equal(w.fs.usedInodes, inodes);
  for (const [fd, f] of [...w.fds]) if (f === open) w.close(fd);
  assert.equal(w.fs.usedInodes, inodes - 1);
  // A removed working directory: nothing can be created in it.
  const cwdCaller = w.caller(ROOT);
  assert.equal(mkdirAt(c, CWD, '/r/gone', 0o755), 0);
  const gone = w.lookup(c, '/r/gone');
  assert.ok(typeof gone !== 'number');
  cwdCaller.fs.setCwd(gone);
  assert.equal(rmdirAt(c, CWD, '/r/gone'), 0);
  assert.equal(mkdirAt(cwdCaller, CWD, 'x', 0o755), -Errno.ENOENT);
  assert.equal(w.open(cwdCaller, 'x', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.ENOENT);
});

function names(w: World, c: ReturnType<World['caller']>, path: string, batch: number, between?: (seen: string[]) => void): string[] {
  const f = w.must(c, path, OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY);
  const seen: string[] = [];
  for (;;) {
    let n = 0;
    const r = f.readdir((e) => {
      if (n === batch) return false;
      n++;
      seen.push(e.name);
      return true;
    });
    assert.equal(r, 0);
    if (n === 0) return seen;
    between?.(seen);
  }
}

test('readdir: "." and ".." first, creation order, stable across unlinks and additions mid-iteration', () => {
  const { w, c } = setup();
  assert.equal(mkdirAt(c, CWD, '/big', 0o755), 0);
  for (let i = 0; i < 300; i++) w.file(c, `/big/e${i}`);
  const all = names(w, c, '/big', 1000);
  assert.deepEqual(all.slice(0, 3), ['.', '..', 'e0']);
  assert.equal(all.length, 302);
  let removedAt = 0;
  const seen = names(w, c, '/big', 7, (s) => {
    if (removedAt > 0 || s.length < 50) return;
    removedAt = s.length;
    // Remove 200 entries on both sides of the cursor and add two.
    for (let i = 0; i < 300; i += 3) assert.equal(unlinkAt(c, CWD, `/big/e${i}`, 0), 0);
    for (let i = 1; i < 300; i += 3) if (i > 100) assert.equal(unlinkAt(c, CWD, `/big/e${i}`, 0), 0);
    w.file(c, '/big/late1');
    w.file(c, '/big/late2');
  });
  assert.equal(new Set(seen).size, seen.length, 'no entry twice');
  const seenSet = new Set(seen);
  for (let i = 0; i < 300; i++) {
    const name = `e${i}`;
    const removed = i % 3 === 0 || (i % 3 === 1 && i > 100);
    const position = all.indexOf(name);
    if (position < removedAt) continue;
    assert.equal(seenSet.has(name), !removed, name);
  }
  assert.ok(seenSet.has('late1') && seenSet.has('late2'));
});

test('getdents64 records, EINVAL for a buffer too small, ENOENT in a removed directory', () => {
  const { w, c } = setup();
  const f = w.must(c, '/r/full', OpenFlag.O_RDONLY);
  assert.equal(fillDirents64(f, new Uint8Array(10)), -Errno.EINVAL);
  const buf = new Uint8Array(4096);
  const n = fillDirents64(f, buf);
  assert.equal(n, 24 + 24 + 24 + 24);
  const dv = new DataView(buf.buffer);
  const rec = (off: number): [number, number, number, number, string] => {
    const reclen = dv.getUint16(off + 16, true);
    let end = off + 19;
    while (buf[end] !== 0) end++;
    return [Number(dv.getBigUint64(off, true)), Number(dv.getBigInt64(off + 8, true)), reclen, buf[off + 18]!, Buffer.from(buf.subarray(off + 19, end)).toString()];
  };
  assert.deepEqual(rec(0), [w.inode(c, '/r/full').ino, 1, 24, 4, '.']);
  assert.deepEqual(rec(24), [w.inode(c, '/r').ino, 2, 24, 4, '..']);
  assert.deepEqual(rec(48).slice(2), [24, 4, 'sub']);
  assert.deepEqual(rec(72).slice(2), [24, 8, 'x']);
  assert.equal(fillDirents64(f, buf), 0);
  // Seeking back to a cookie resumes there.
  assert.equal(f.seek(2, 0), 2);
  assert.equal(fillDirents64(f, buf), 48);
  const g = w.must(c, '/r/empty', OpenFlag.O_RDONLY);
  assert.equal(rmdirAt(c, CWD, '/r/empty'), 0);
  assert.equal(fillDirents64(g, buf), -Errno.ENOENT);
});
