// Dentry revalidation (d_revalidate) in path resolution: a directory inode
// with revalidate() is asked on every dentry-cache hit; false drops the
// cached dentry (it is dead to whoever still holds it) and the name is
// looked up again in the file system.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { At } from '../../src/abi/linux/stat.js';
import type { Inode } from '../../src/vfs/inode.js';
import { mkdirAt } from '../../src/vfs/namei_ops.js';
import { lookupChild } from '../../src/vfs/resolve.js';
import { ROOT, World } from './vfs_fixture.test.js';

type Revalidating = Inode & { revalidate?: (name: string, child: Inode) => boolean };

function setup(): { w: World; dir: Revalidating; f: Inode; g: Inode; calls: [string, Inode][] } {
  const w = new World();
  const root = w.caller(ROOT);
  assert.equal(mkdirAt(root, At.AT_FDCWD, '/d', 0o755), 0);
  const f = w.file(root, '/d/f', 'one');
  const g = w.file(root, '/g', 'two');
  const dir = w.inode(root, '/d') as Revalidating;
  return { w, dir, f, g, calls: [] };
}

test('without revalidate a cache hit returns the same dentry', () => {
  const { w, f } = setup();
  const root = w.caller(ROOT);
  const a = w.lookup(root, '/d/f');
  const b = w.lookup(root, '/d/f');
  assert.ok(typeof a === 'object' && typeof b === 'object');
  assert.equal(a.dentry, b.dentry);
  assert.equal(a.dentry.inode, f);
});

test('revalidate true keeps the cached dentry and is asked with the name and the cached inode', () => {
  const { w, dir, f, calls } = setup();
  const root = w.caller(ROOT);
  const a = w.lookup(root, '/d/f');
  assert.ok(typeof a === 'object');
  dir.revalidate = (name, child) => {
    calls.push([name, child]);
    return true;
  };
  const b = w.lookup(root, '/d/f');
  assert.ok(typeof b === 'object');
  assert.equal(b.dentry, a.dentry);
  assert.deepEqual(calls, [['f', f]]);
  assert.equal(a.dentry.dead, false);
});

test('revalidate false drops the dentry and looks the name up again', () => {
  const { w, dir, f, g } = setup();
  const root = w.caller(ROOT);
  const a = w.lookup(root, '/d/f');
  assert.ok(typeof a === 'object');
  assert.equal(a.dentry.inode, f);
  // The file system now answers "f" with another inode (a new process reusing a PID).
  const realLookup = dir.lookup.bind(dir);
  dir.lookup = (name) => (name === 'f' ? g : realLookup(name));
  // The stale dentry is still served while nobody asks to revalidate it.
  const stale = w.lookup(root, '/d/f');
  assert.ok(typeof stale === 'object');
  assert.equal(stale.dentry, a.dentry);
  dir.revalidate = (name, child) => !(name === 'f' && child === f);
  const b = w.lookup(root, '/d/f');
  assert.ok(typeof b === 'object');
  assert.notEqual(b.dentry, a.dentry);
  assert.equal(b.dentry.inode, g);
  assert.equal(a.dentry.dead, true);
  assert.equal(b.dentry.dead, false);
  // The new dentry is cached and revalidates.
  const c = w.lookup(root, '/d/f');
  assert.ok(typeof c === 'object');
  assert.equal(c.dentry, b.dentry);
});

test('revalidate false for a name that is gone is ENOENT, also through lookupChild', () => {
  const { w, dir } = setup();
  const root = w.caller(ROOT);
  const a = w.lookup(root, '/d/f');
  assert.ok(typeof a === 'object');
  const parent = a.dentry.parent;
  assert.ok(parent);
  dir.lookup = () => -Errno.ENOENT;
  dir.revalidate = () => false;
  assert.equal(w.lookup(root, '/d/f'), -Errno.ENOENT);
  assert.equal(lookupChild(parent, 'f'), -Errno.ENOENT);
  assert.equal(a.dentry.dead, true);
  assert.equal(parent.children.has('f'), false);
});

test('revalidate of the parent directory only: other directories are not asked', () => {
  const { w, dir } = setup();
  const root = w.caller(ROOT);
  assert.equal(typeof w.lookup(root, '/d/f'), 'object');
  let asked = 0;
  dir.revalidate = () => {
    asked++;
    return true;
  };
  assert.equal(typeof w.lookup(root, '/g'), 'object');
  assert.equal(typeof w.lookup(root, '/g'), 'object');
  assert.equal(asked, 0);
  assert.equal(typeof w.lookup(root, '/d/f'), 'object');
  assert.equal(typeof w.lookup(root, '/d/f'), 'object');
  assert.equal(asked, 2);
});
