// The descriptor budget of the host file system: inodes beyond maxFds close
// their O_PATH descriptors and reopen them by name when used again (checked
// to be the same file); removed files close theirs at once; unmount closes
// everything. Host descriptors are counted in /proc/self/fd.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At } from '../../src/abi/linux/stat.js';
import type { HostInode } from '../../src/fs/host/host_inode.js';
import { renameAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { HostWorld, makeHostTree, type HostTree } from './hostfs_fixture.test.js';

const CWD = At.AT_FDCWD;
let t: HostTree;

before(() => {
  t = makeHostTree();
  fs.mkdirSync(path.join(t.mnt, 'many'));
  for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(t.mnt, 'many', `f${i}`), `content ${i}`);
});

after(() => t.remove());

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

test('at most maxFds descriptors are held; evicted inodes reopen by name and keep their identity', () => {
  const start = openFds();
  const w = new HostWorld(t.mnt, { maxFds: 64 });
  const c = w.caller();
  const inodes: HostInode[] = [];
  for (let i = 0; i < 300; i++) inodes.push(w.inode(c, `/many/f${i}`) as HostInode);
  /** Uses 200 other inodes' descriptors: the earlier ones are closed. */
  const churn = (): void => {
    for (let i = 100; i < 300; i++) inodes[i]!.getattr();
  };
  assert.ok(w.fs.heldFds <= 64, `${w.fs.heldFds} held`);
  assert.ok(openFds() - start <= 64 + 2, `${openFds() - start} host descriptors`);
  assert.equal(inodes[0]!.fd, -1);
  // Used again: reopened, same inode, same content.
  assert.equal(inodes[0]!.getattr().size, 'content 0'.length);
  assert.ok(inodes[0]!.fd >= 0);
  assert.equal(w.inode(c, '/many/f0'), inodes[0]);
  for (let i = 0; i < 300; i += 37) assert.equal(w.readFile(c, `/many/f${i}`), `content ${i}`);
  // Renamed through the VFS while evicted: reopened under the new name.
  churn();
  assert.equal(inodes[1]!.fd, -1);
  assert.equal(renameAt(c, CWD, '/many/f1', CWD, '/dir/f1-moved', 0), 0);
  churn();
  assert.equal(inodes[1]!.fd, -1);
  assert.equal(w.readFile(c, '/dir/f1-moved'), 'content 1');
  assert.equal(w.inode(c, '/dir/f1-moved'), inodes[1]);
  // Replaced on the host while evicted: the old inode does not become the new file.
  churn();
  assert.equal(inodes[2]!.fd, -1);
  fs.unlinkSync(path.join(t.mnt, 'many', 'f2'));
  fs.writeFileSync(path.join(t.mnt, 'many', 'f2'), 'replaced');
  assert.equal(inodes[2]!.open(OpenFlag.O_RDONLY), -Errno.ESTALE);
  assert.equal(inodes[2]!.hostFd() < 0, true);
  w.closeAll();
  w.fs.release();
  assert.equal(openFds(), start);
});

test('unlinked files close their descriptor at once, or when the last open file goes', () => {
  const start = openFds();
  const w = new HostWorld(t.mnt);
  const c = w.caller();
  fs.writeFileSync(path.join(t.mnt, 'gone1'), 'x');
  fs.writeFileSync(path.join(t.mnt, 'gone2'), 'y');
  const a = w.inode(c, '/gone1') as HostInode;
  const b = w.inode(c, '/gone2') as HostInode;
  const held = openFds();
  assert.equal(unlinkAt(c, CWD, '/gone1', 0), 0);
  assert.equal(a.fd, -1);
  assert.equal(openFds(), held - 1);
  const f = w.must(c, '/gone2', OpenFlag.O_RDONLY);
  assert.equal(unlinkAt(c, CWD, '/gone2', 0), 0);
  assert.ok(b.fd >= 0);
  assert.equal(b.getattr().nlink, 0);
  assert.equal(w.read(f, 10), 'y');
  w.closeAll();
  assert.equal(b.fd, -1);
  w.fs.release();
  assert.equal(openFds(), start);
});
