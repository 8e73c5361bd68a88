// The file-system types mount(2) makes (src/kernel/fs_types.ts): option
// strings split and parsed as Linux's fs_context does, tmpfs's limits and
// their reconfiguration, proc's options, the one sysfs, and what
// /proc/PID/mounts is told.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { FileMode } from '../../src/abi/linux/stat.js';
import type { MountDescription } from '../../src/fs/proc/mounts.js';
import { createTmpfs, TmpfsFileSystem } from '../../src/fs/tmpfs/tmpfs.js';
import { FileSystemTypes, memparse, parseU32, procType, splitOptions, sysfsType, tmpfsType } from '../../src/kernel/fs_types.js';
import type { FileSystem } from '../../src/vfs/inode.js';
import { MountFlag } from '../../src/vfs/mount.js';

const MiB = 1 << 20;

function registry(): FileSystemTypes {
  const types = new FileSystemTypes(new Map<FileSystem, MountDescription>());
  types.register(tmpfsType({ maxBytes: 64 * MiB, totalBytes: 128 * MiB }));
  return types;
}

function tmpfs(types: FileSystemTypes, data: string | null, sbFlags = 0, source: string | null = 'none'): TmpfsFileSystem | number {
  const fs = types.newMount(types.get('tmpfs')!, source, data, sbFlags);
  return typeof fs === 'number' ? fs : (fs as TmpfsFileSystem);
}

test('splitOptions: commas, key=value, empty ones and empty keys skipped; tmpfs keeps "comma digit" in a value', () => {
  assert.deepEqual(splitOptions('a,b=1,,=x,c='), [
    { key: 'a', value: null },
    { key: 'b', value: '1' },
    { key: 'c', value: '' },
  ]);
  assert.deepEqual(splitOptions('mpol=bind:0,1,size=1m', true), [
    { key: 'mpol', value: 'bind:0,1' },
    { key: 'size', value: '1m' },
  ]);
  assert.deepEqual(splitOptions('mpol=bind:0,1,size=1m'), [
    { key: 'mpol', value: 'bind:0' },
    { key: '1', value: null },
    { key: 'size', value: '1m' },
  ]);
});

test('memparse and kstrtouint: C number syntax, suffixes, and what is left', () => {
  assert.deepEqual(memparse('1m'), { value: 1n << 20n, rest: '' });
  assert.deepEqual(memparse('0x10K'), { value: 16n << 10n, rest: '' });
  assert.deepEqual(memparse('010'), { value: 8n, rest: '' });
  assert.deepEqual(memparse('12q'), { value: 12n, rest: 'q' });
  assert.deepEqual(memparse('50%'), { value: 50n, rest: '%' });
  assert.deepEqual(memparse('x'), { value: 0n, rest: 'x' });
  assert.equal(parseU32('755', 8), 0o755);
  assert.equal(parseU32('8', 8), null);
  assert.equal(parseU32('0x10', 0), 16);
  assert.equal(parseU32('010', 0), 8);
  assert.equal(parseU32('+7\n', 10), 7);
  assert.equal(parseU32('-1', 0), null);
  assert.equal(parseU32('4294967296', 0), null);
  assert.equal(parseU32('', 0), null);
  assert.equal(parseU32(null, 0), null);
});

test('tmpfs: size, nr_inodes, mode, uid, gid; limits capped by the sandbox; the description shows what was asked', () => {
  const types = registry();
  const fs = tmpfs(types, 'size=1m,nr_inodes=10,mode=700,uid=5,gid=6,huge=within_size,inode64');
  assert.ok(fs instanceof TmpfsFileSystem);
  assert.deepEqual([fs.maxPages, fs.maxInodes], [256, 10]);
  const root = fs.root.getattr();
  assert.deepEqual([root.mode, root.uid, root.gid], [FileMode.S_IFDIR | 0o700, 5, 6]);
  assert.deepEqual(types.described.get(fs), {
    source: 'none',
    fsOptions: ['size=1024k', 'nr_inodes=10', 'mode=700', 'uid=5', 'gid=6', 'inode64', 'huge=within_size'],
  });
  // Defaults: half the memory (the cap), shown as nothing; size=0 (none) is held to the cap.
  const d = tmpfs(types, null, 0, null);
  assert.ok(d instanceof TmpfsFileSystem);
  assert.deepEqual([d.maxPages, d.maxInodes, d.readOnly], [16384, 16384, false]);
  assert.deepEqual(types.described.get(d), { source: 'none', fsOptions: [] });
  const big = tmpfs(types, 'size=0,nr_inodes=1g');
  assert.ok(big instanceof TmpfsFileSystem);
  assert.deepEqual([big.maxPages, big.maxInodes], [16384, 16384]);
  assert.deepEqual(types.described.get(big)?.fsOptions, ['size=0k', 'nr_inodes=1073741824']);
  const pct = tmpfs(types, 'size=25%');
  assert.ok(pct instanceof TmpfsFileSystem);
  assert.equal(pct.maxPages, 8192);
  // "ro" among the options, or MS_RDONLY: a read-only file system.
  const ro = tmpfs(types, 'ro');
  assert.ok(ro instanceof TmpfsFileSystem && ro.readOnly);
  const ro2 = tmpfs(types, null, MountFlag.MS_RDONLY);
  assert.ok(ro2 instanceof TmpfsFileSystem && ro2.readOnly);
  assert.ok((tmpfs(types, 'ro,rw') as TmpfsFileSystem).readOnly === false);
});

test('tmpfs: bad options and values are EINVAL', () => {
  const types = registry();
  for (const data of ['bogus', 'size', 'size=', 'size=1x', 'nr_blocks=1%', 'nr_inodes=', 'mode=9', 'mode', 'uid=-1', 'uid=4294967295', 'gid=a',
    'huge=sometimes', 'mpol=bind', 'mpol=local:0', 'mpol=nosuch', 'inode64=1', 'noswap=1', 'source=x']) {
    assert.equal(tmpfs(types, data), -Errno.EINVAL, data);
  }
  // One source: from mount(2) or from the options.
  const fs = tmpfs(types, 'source=from-options', 0, null);
  assert.ok(fs instanceof TmpfsFileSystem);
  assert.equal(types.described.get(fs)?.source, 'from-options');
});

test('tmpfs remount: new limits (never below what is used, never on an unlimited one), mode/uid/gid ignored, read-only', () => {
  const types = registry();
  const fs = tmpfs(types, 'size=1m,mode=700');
  assert.ok(fs instanceof TmpfsFileSystem);
  types.described.set(fs, { source: 'mine', fsOptions: ['size=1024k', 'mode=700'] });
  assert.equal(types.remount(fs, 'size=2m,nr_inodes=5,mode=755,uid=9', 0), 0);
  assert.deepEqual([fs.maxPages, fs.maxInodes, fs.root.getattr().mode & 0o7777, fs.root.getattr().uid], [512, 5, 0o700, 0]);
  assert.deepEqual(types.described.get(fs), { source: 'mine', fsOptions: ['size=2048k', 'nr_inodes=5', 'mode=700'] });
  assert.equal(types.remount(fs, null, MountFlag.MS_RDONLY), 0);
  assert.equal(fs.readOnly, true);
  assert.equal(types.remount(fs, 'source=ignored', 0), 0);
  assert.equal(fs.readOnly, false);
  fs.usedPages = 3;
  assert.equal(types.remount(fs, 'size=8k', 0), -Errno.EINVAL);
  fs.usedInodes = 4;
  assert.equal(types.remount(fs, 'nr_inodes=3', 0), -Errno.EINVAL);
  assert.equal(types.remount(fs, 'noswap', 0), -Errno.EINVAL);
  assert.equal(types.remount(fs, 'bogus', MountFlag.MS_RDONLY), -Errno.EINVAL);
  assert.deepEqual([fs.maxPages, fs.maxInodes, fs.readOnly], [512, 5, false]);
  const unlimited = tmpfs(types, 'size=0');
  assert.ok(unlimited instanceof TmpfsFileSystem);
  assert.equal(types.remount(unlimited, 'size=1m', 0), -Errno.EINVAL);
  assert.equal(types.remount(unlimited, 'size=0,nr_inodes=100', 0), 0);
  // A tmpfs the boot made: its limits as they are.
  const boot = createTmpfs({ maxBytes: MiB, rootMode: 0o1777 });
  assert.equal(types.remount(boot, 'size=2m', 0), 0);
  assert.equal(boot.maxPages, 512);
  assert.deepEqual(types.described.get(boot)?.fsOptions, ['size=2048k', 'nr_inodes=0']);
  // A file system of a type mount(2) cannot make: any option is left to it.
  const overlay: FileSystem = { type: 'overlay', dev: 1, root: boot.root, readOnly: false, clock: boot.clock, statfs: () => boot.statfs() };
  assert.equal(types.remount(overlay, 'lowerdir=/x,ro', 0), 0);
});

test('proc: gid, hidepid and subset taken and shown; others EINVAL; sysfs is one instance and takes no options', () => {
  const types = new FileSystemTypes(new Map());
  let made = 0;
  types.register(procType((): FileSystem => {
    made++;
    const t = createTmpfs();
    return { type: 'proc', dev: t.dev, root: t.root, readOnly: false, clock: t.clock, statfs: () => t.statfs() };
  }));
  const sys = createTmpfs();
  types.register(sysfsType(() => sys));
  const proc = types.get('proc')!;
  const p = types.newMount(proc, 'proc', 'gid=5,hidepid=2,subset=pid', 0);
  assert.ok(typeof p !== 'number');
  assert.deepEqual(types.described.get(p), { source: 'proc', fsOptions: ['gid=5', 'hidepid=invisible', 'subset=pid'] });
  const q = types.newMount(proc, null, 'hidepid=ptraceable', 0);
  assert.ok(typeof q !== 'number' && q !== p);
  assert.deepEqual(types.described.get(q), { source: 'none', fsOptions: ['hidepid=ptraceable'] });
  for (const data of ['hidepid=3', 'hidepid', 'subset=fd', 'gid=x', 'size=1m']) assert.equal(types.newMount(proc, null, data, 0), -Errno.EINVAL, data);
  assert.equal(made, 2);
  assert.equal(types.remount(p, 'hidepid=0', 0), 0);
  assert.deepEqual(types.described.get(p)?.fsOptions, ['gid=5', 'subset=pid']);
  const sysfs = types.get('sysfs')!;
  assert.equal(types.newMount(sysfs, 'sysfs', 'ro', 0), sys);
  assert.equal(types.newMount(sysfs, 'sysfs', null, 0), sys);
  assert.equal(types.described.has(sys), false);
  assert.equal(types.newMount(sysfs, 'sysfs', 'mode=755', 0), -Errno.EINVAL);
  assert.equal(types.get('ext4'), undefined);
});
