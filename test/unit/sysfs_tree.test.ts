// /sys: the CPU masks, one cpuN directory per CPU, the transparent-hugepage
// mode and an empty fs/cgroup; read-only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { createSysfs, cpuRange, SYSFS_MAGIC } from '../../src/fs/sys/sysfs.js';
import { statfsPath } from '../../src/vfs/attr_ops.js';
import { mkdirAt } from '../../src/vfs/namei_ops.js';
import { ProcWorld } from './procfs_fixture.test.js';

test('cpu online, possible, present: "0-N" as glibc parses them', () => {
  const pw = new ProcWorld();
  const c = pw.caller();
  for (const f of ['online', 'possible', 'present']) assert.equal(pw.read(c, `/sys/devices/system/cpu/${f}`), '0-1\n');
  assert.deepEqual(pw.list(c, '/sys/devices/system/cpu'), ['.', '..', 'cpu0', 'cpu1', 'online', 'possible', 'present']);
  assert.equal(cpuRange(1), '0');
  assert.equal(cpuRange(8), '0-7');
  const one = createSysfs({ cpus: 1 });
  const cpu = one.root.lookup('devices');
  assert.ok(typeof cpu !== 'number');
});

test('tree: devices, kernel, fs; THP mode; empty fs/cgroup', () => {
  const pw = new ProcWorld();
  const c = pw.caller();
  assert.deepEqual(pw.list(c, '/sys'), ['.', '..', 'devices', 'kernel', 'fs']);
  assert.equal(pw.read(c, '/sys/kernel/mm/transparent_hugepage/enabled'), 'always [madvise] never\n');
  assert.deepEqual(pw.list(c, '/sys/fs/cgroup'), ['.', '..']);
  assert.equal(pw.w.inode(c, '/sys/fs/cgroup').getattr().mode, FileMode.S_IFDIR | 0o755);
  assert.equal(pw.w.inode(c, '/sys/devices/system/cpu/online').getattr().mode, FileMode.S_IFREG | 0o444);
  assert.equal(pw.w.inode(c, '/sys/devices/system/cpu/online').getattr().size, 0);
  assert.equal(statfsPath(pw.path(c, '/sys')).type, SYSFS_MAGIC);
  // ".." of a subdirectory is its parent.
  const names: [string, number][] = [];
  const sysInode = pw.w.inode(c, '/sys');
  pw.w.inode(c, '/sys/kernel').readdir(0, (e) => {
    names.push([e.name, e.ino]);
    return true;
  });
  assert.deepEqual(names.slice(0, 2).map((x) => x[0]), ['.', '..']);
  assert.equal(names[1]![1], sysInode.ino);
});

test('read-only: writes are EROFS, nothing can be created', () => {
  const pw = new ProcWorld();
  const c = pw.caller();
  assert.equal(pw.open(c, '/sys/kernel/mm/transparent_hugepage/enabled', OpenFlag.O_WRONLY), -Errno.EROFS);
  assert.equal(mkdirAt(c, At.AT_FDCWD, '/sys/fs/cgroup/x', 0o755), -Errno.EROFS);
  assert.equal(pw.open(c, '/sys/newfile', OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.EROFS);
  // Even on a read-write mount the file system itself is read-only.
  const fs = createSysfs({ cpus: 4, thpEnabled: 'always madvise [never]' });
  assert.equal(fs.readOnly, true);
});
