// A read-only host file system: every change is EROFS, through the VFS and
// when the file system is called directly, and the host tree is byte for
// byte (and timestamp for timestamp) unchanged; reads still work.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { accessAt, chmodAt, chownAt, truncatePath, utimensPath } from '../../src/vfs/attr_ops.js';
import { Access } from '../../src/abi/linux/fcntl.js';
import { linkAt, mkdirAt, mknodAt, renameAt, rmdirAt, symlinkAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { removexattrPath, setxattrPath } from '../../src/vfs/xattr.js';
import type { HostDir } from '../../src/fs/host/host_dir.js';
import { HostWorld, makeHostTree, snapshotTree, type HostTree } from './hostfs_fixture.test.js';

const CWD = At.AT_FDCWD;
let t: HostTree;

before(() => {
  t = makeHostTree();
});

after(() => t.remove());

test('a read-only host file system: EROFS for every change, reads work, the host is unchanged', () => {
  const before = snapshotTree(t.outer);
  const w = new HostWorld(t.mnt, { readOnly: true });
  const c = w.caller();
  assert.equal(w.fs.readOnly, true);
  assert.equal(w.readFile(c, '/file.txt'), 'hello host');
  assert.equal(w.readFile(c, '/link_dir/nested.txt'), 'nested');
  const list = w.list(c, '/dir');
  assert.ok(typeof list !== 'number' && list.length === 5);
  const E = -Errno.EROFS;
  assert.equal(w.open(c, '/file.txt', OpenFlag.O_WRONLY), E);
  assert.equal(w.open(c, '/file.txt', OpenFlag.O_RDWR), E);
  assert.equal(w.open(c, '/file.txt', OpenFlag.O_RDONLY | OpenFlag.O_TRUNC), E);
  assert.equal(w.open(c, '/new', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), E);
  assert.equal(w.open(c, '/dir', OpenFlag.O_TMPFILE | OpenFlag.O_RDWR), E);
  assert.equal(mkdirAt(c, CWD, '/d2', 0o755), E);
  assert.equal(mknodAt(c, CWD, '/p2', FileMode.S_IFIFO | 0o644, 0), E);
  assert.equal(symlinkAt(c, 'x', CWD, '/s2'), E);
  assert.equal(linkAt(c, CWD, '/file.txt', CWD, '/h2', 0), E);
  assert.equal(unlinkAt(c, CWD, '/file.txt', 0), E);
  assert.equal(rmdirAt(c, CWD, '/empty'), E);
  assert.equal(renameAt(c, CWD, '/file.txt', CWD, '/moved', 0), E);
  assert.equal(chmodAt(c, CWD, '/file.txt', 0o777, 0), E);
  assert.equal(chownAt(c, CWD, '/file.txt', 1, 1, 0), E);
  assert.equal(accessAt(c, CWD, '/file.txt', Access.W_OK, 0), E);
  assert.equal(accessAt(c, CWD, '/file.txt', Access.R_OK, 0), 0);
  const p = w.lookup(c, '/file.txt');
  assert.ok(typeof p !== 'number');
  assert.equal(utimensPath(c, p, 'now', 'now'), E);
  assert.equal(truncatePath(c, p, 0), E);
  assert.equal(setxattrPath(c, p, 'user.x', new Uint8Array([1]), 0), E);
  assert.equal(removexattrPath(c, p, 'user.x'), E);

  // The file system itself refuses, whatever its caller checked.
  const root = w.fs.root as HostDir;
  const file = p.dentry.inode;
  const spec = { mode: FileMode.S_IFREG | 0o644, uid: 0, gid: 0, rdev: 0 };
  assert.equal(root.mknod('n', spec), E);
  assert.equal(root.mkdir('n', { ...spec, mode: FileMode.S_IFDIR | 0o755 }), E);
  assert.equal(root.symlink('n', 'x', spec), E);
  assert.equal(root.link('n', file), E);
  assert.equal(root.unlink('file.txt'), E);
  assert.equal(root.rmdir('empty'), E);
  assert.equal(root.rename('file.txt', root, 'n', 0), E);
  assert.equal(root.tmpfile(spec), E);
  assert.equal(file.setattr({ size: 0 }), E);
  assert.equal(file.setattr({ mode: 0o777 }), E);
  assert.equal(file.setattr({ atime: { sec: 1, nsec: 0 } }), E);
  assert.equal(file.open(OpenFlag.O_WRONLY), E);
  assert.equal(file.open(OpenFlag.O_RDWR), E);
  assert.equal(file.allocate(0, 0, 4096), E);
  assert.equal(file.setxattr('user.x', new Uint8Array([1]), 0), E);
  assert.equal(file.removexattr('user.x'), E);
  const r = file.open(OpenFlag.O_RDONLY);
  assert.ok(typeof r !== 'number');
  r.release?.();

  w.closeAll();
  w.fs.release();
  assert.deepEqual(snapshotTree(t.outer), before);
});

test('a writable file system under a read-only mount: the VFS refuses with EROFS', () => {
  const before = snapshotTree(t.outer);
  const w = new HostWorld(t.mnt);
  const c = w.caller();
  const m = w.ns.root;
  m.flags |= 1; // MS_RDONLY
  assert.equal(w.open(c, '/file.txt', OpenFlag.O_WRONLY), -Errno.EROFS);
  assert.equal(mkdirAt(c, CWD, '/d2', 0o755), -Errno.EROFS);
  assert.equal(unlinkAt(c, CWD, '/file.txt', 0), -Errno.EROFS);
  assert.equal(w.readFile(c, '/file.txt'), 'hello host');
  w.closeAll();
  w.fs.release();
  assert.deepEqual(snapshotTree(t.outer), before);
  assert.ok(fs.existsSync(path.join(t.mnt, 'file.txt')));
});
