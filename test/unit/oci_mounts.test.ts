// The mount-namespace pieces the OCI config needs (src/sandbox/mounts.ts):
// per-mount nosuid/nodev/noexec, a read-only root that still gets its
// mount points, linux.maskedPaths and linux.readonlyPaths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { createDevfs } from '../../src/fs/dev/devfs.js';
import { createTmpfs } from '../../src/fs/tmpfs/tmpfs.js';
import { buildMountNamespace, type FileSystemFactories } from '../../src/sandbox/mounts.js';
import { FsStruct, makeCaller } from '../../src/vfs/fs_struct.js';
import { MountFlag, type MountNamespace } from '../../src/vfs/mount.js';
import { mkdirAt } from '../../src/vfs/namei_ops.js';
import { lookupAt } from '../../src/vfs/resolve.js';

const ROOT = { uid: 0, gid: 0, euid: 0, fsuid: 0, fsgid: 0, groups: [] };

function caller(ns: MountNamespace) {
  return makeCaller(ROOT, new FsStruct(ns.rootPath));
}

function at(ns: MountNamespace, p: string) {
  const r = lookupAt(caller(ns), At.AT_FDCWD, p, { follow: true });
  assert.ok(typeof r !== 'number', `${p}: errno ${String(r)}`);
  return r;
}

/** A host root whose "host" file system is a tmpfs, through an overlay that is another tmpfs (as an upper layer would be). */
const factories: FileSystemFactories = {
  host: () => createTmpfs({ rootMode: 0o755 }),
  overlay: () => createTmpfs({ rootMode: 0o755 }),
  dev: () => createDevfs({}).fs,
};

test('a read-only root still gets its mount points, then is read-only', () => {
  const ns = buildMountNamespace(
    { root: { kind: 'host', path: '/h', overlay: true, readOnly: true }, mounts: [{ kind: 'tmpfs', target: '/new/dir' }] },
    factories,
  );
  assert.ok(ns.root.readOnly);
  assert.notEqual(at(ns, '/new/dir').mount, ns.root);
  assert.equal(mkdirAt(caller(ns), At.AT_FDCWD, '/other', 0o755), -Errno.EROFS);
  // The tmpfs on it is writable.
  assert.equal(mkdirAt(caller(ns), At.AT_FDCWD, '/new/dir/x', 0o755), 0);
});

test('nosuid, nodev and noexec options become mount flags', () => {
  const ns = buildMountNamespace(
    { root: { kind: 'tmpfs' }, mounts: [{ kind: 'tmpfs', target: '/a', noexec: true }, { kind: 'bind', source: '/x', target: '/b', nosuid: true, nodev: true }] },
    factories,
  );
  assert.equal(at(ns, '/a').mount.flags & MountFlag.MS_NOEXEC, MountFlag.MS_NOEXEC);
  const b = at(ns, '/b').mount.flags;
  assert.equal(b & (MountFlag.MS_NOSUID | MountFlag.MS_NODEV | MountFlag.MS_NOEXEC), MountFlag.MS_NOSUID | MountFlag.MS_NODEV);
});

test('masked paths: a directory gets an empty read-only tmpfs, a file /dev/null; missing ones are skipped', () => {
  const ns = buildMountNamespace(
    {
      root: { kind: 'tmpfs' },
      mounts: [{ kind: 'dev', target: '/dev' }, { kind: 'tmpfs', target: '/secret/dir' }],
      maskedPaths: ['/secret', '/dev/zero', '/no/such/path'],
    },
    factories,
  );
  const secret = at(ns, '/secret');
  assert.ok(secret.mount.readOnly);
  assert.equal(secret.dentry, secret.mount.root);
  // The mask hides what was below it.
  assert.equal(lookupAt(caller(ns), At.AT_FDCWD, '/secret/dir', { follow: true }), -Errno.ENOENT);
  const zero = at(ns, '/dev/zero');
  const nul = at(ns, '/dev/null');
  assert.equal(zero.dentry.inode, nul.dentry.inode);
  assert.equal(zero.dentry.inode.getattr().mode & FileMode.S_IFMT, FileMode.S_IFCHR);
});

test('read-only paths are bound on themselves read-only, with the mounts below them', () => {
  const ns = buildMountNamespace(
    {
      root: { kind: 'tmpfs' },
      mounts: [{ kind: 'tmpfs', target: '/proc' }, { kind: 'tmpfs', target: '/proc/sys/net' }],
      readonlyPaths: ['/proc/sys', '/missing'],
    },
    factories,
  );
  const sys = at(ns, '/proc/sys');
  assert.ok(sys.mount.readOnly);
  assert.equal(mkdirAt(caller(ns), At.AT_FDCWD, '/proc/sys/x', 0o755), -Errno.EROFS);
  const net = at(ns, '/proc/sys/net');
  assert.ok(net.mount.readOnly);
  assert.notEqual(net.mount, sys.mount);
  // Outside the path, the original mount stays writable.
  assert.equal(mkdirAt(caller(ns), At.AT_FDCWD, '/proc/y', 0o755), 0);
});
