// The sandbox's mount namespace from its configuration (src/sandbox/mounts.ts)
// and `tsvisor do --volume` parsing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { At } from '../../src/abi/linux/stat.js';
import { parseVolume } from '../../src/cli/do.js';
import { createTmpfs } from '../../src/fs/tmpfs/tmpfs.js';
import { FsStruct, makeCaller } from '../../src/vfs/fs_struct.js';
import type { FileSystem } from '../../src/vfs/inode.js';
import { MountFlag, type MountNamespace } from '../../src/vfs/mount.js';
import { mkdirAt } from '../../src/vfs/namei_ops.js';
import { pathName } from '../../src/vfs/path.js';
import { lookupAt } from '../../src/vfs/resolve.js';
import { buildMountNamespace, defaultMounts, initFsStruct, MountConfigError, type FileSystemFactories } from '../../src/sandbox/mounts.js';

const ROOT = { uid: 0, gid: 0, euid: 0, fsuid: 0, fsgid: 0, groups: [] };

function resolve(ns: MountNamespace, p: string) {
  const caller = makeCaller(ROOT, new FsStruct(ns.rootPath));
  return { caller, at: lookupAt(caller, At.AT_FDCWD, p, { follow: true }) };
}

test('a tmpfs root gets its mount points; /tmp is a tmpfs of its own; missing file systems leave directories', () => {
  const warnings: string[] = [];
  const ns = buildMountNamespace({ root: { kind: 'tmpfs' }, mounts: defaultMounts() }, {}, { warn: (m) => warnings.push(m) });
  assert.equal(warnings.length, 3);
  const mounts = ns.mounts();
  assert.equal(mounts.length, 3); // the root, /dev/shm and /tmp
  const tmp = resolve(ns, '/tmp').at;
  assert.ok(typeof tmp !== 'number');
  assert.notEqual(tmp.mount, ns.root);
  assert.equal(tmp.dentry, tmp.mount.root);
  assert.equal(tmp.dentry.inode.getattr().mode & 0o7777, 0o1777);
  assert.equal(tmp.mount.flags & (MountFlag.MS_NOSUID | MountFlag.MS_NODEV), MountFlag.MS_NOSUID | MountFlag.MS_NODEV);
  for (const d of ['/proc', '/dev', '/sys']) {
    const p = resolve(ns, d).at;
    assert.ok(typeof p !== 'number', d);
    assert.equal(p.mount, ns.root, d);
  }
});

test('factories are used, with each kind\'s flags; mount points are made with their parents', () => {
  const made: string[] = [];
  const f: FileSystemFactories = {
    proc: () => {
      made.push('proc');
      return createTmpfs();
    },
    sys: () => createTmpfs(),
  };
  const ns = buildMountNamespace({
    root: { kind: 'tmpfs' },
    mounts: [
      { kind: 'proc', target: '/proc' },
      { kind: 'sys', target: '/sys', readOnly: true },
      { kind: 'tmpfs', target: '/a/b/../c/scratch', mode: 0o700 },
    ],
  }, f);
  assert.deepEqual(made, ['proc']);
  const proc = resolve(ns, '/proc').at;
  assert.ok(typeof proc !== 'number');
  assert.equal(proc.mount.flags & MountFlag.MS_NOEXEC, MountFlag.MS_NOEXEC);
  const { caller, at: sys } = resolve(ns, '/sys');
  assert.ok(typeof sys !== 'number');
  assert.ok(sys.mount.readOnly);
  assert.equal(mkdirAt(caller, At.AT_FDCWD, '/sys/x', 0o755), -Errno.EROFS);
  const scratch = resolve(ns, '/a/c/scratch').at;
  assert.ok(typeof scratch !== 'number');
  assert.equal(scratch.dentry.inode.getattr().mode & 0o7777, 0o700);
});

test('what cannot be mounted is a MountConfigError that says why', () => {
  assert.throws(() => buildMountNamespace({ root: { kind: 'host', path: '/', overlay: true, readOnly: false }, mounts: [] }, {}),
    (e: unknown) => e instanceof MountConfigError && /root \/: the host directory file system is not available/.test(e.message));
  assert.throws(() => buildMountNamespace({ root: { kind: 'tmpfs' }, mounts: [{ kind: 'bind', source: '/etc', target: '/etc' }] }, {}),
    (e: unknown) => e instanceof MountConfigError && /bind \/etc on \/etc/.test(e.message));
  assert.throws(() => buildMountNamespace({ root: { kind: 'tmpfs' }, mounts: [{ kind: 'tmpfs', target: 'relative' }] }, {}),
    (e: unknown) => e instanceof MountConfigError && /not an absolute path/.test(e.message));
  const failing: FileSystemFactories = { proc: () => -Errno.ENODEV };
  assert.throws(() => buildMountNamespace({ root: { kind: 'tmpfs' }, mounts: [{ kind: 'proc', target: '/proc' }] }, failing),
    (e: unknown) => e instanceof MountConfigError && /proc on \/proc: ENODEV/.test(e.message));
  const throwing: FileSystemFactories = { host: () => { throw new Error('cannot open it'); } };
  assert.throws(() => buildMountNamespace({ root: { kind: 'host', path: '/x', overlay: false, readOnly: false }, mounts: [] }, throwing),
    (e: unknown) => e instanceof MountConfigError && /root \/x: cannot open it/.test(e.message));
});

test('a host root: read-only without the overlay when asked; the overlay factory gets the lower layer', () => {
  const lower = createTmpfs();
  let hostReadOnly: boolean | undefined;
  let overlaid: FileSystem | undefined;
  const f: FileSystemFactories = {
    host: (_p, ro) => {
      hostReadOnly = ro;
      return lower;
    },
    overlay: (l) => {
      overlaid = l;
      return createTmpfs();
    },
  };
  buildMountNamespace({ root: { kind: 'host', path: '/h', overlay: true, readOnly: false }, mounts: [] }, f);
  assert.equal(hostReadOnly, true);
  assert.equal(overlaid, lower);
  const ns = buildMountNamespace({ root: { kind: 'host', path: '/h', overlay: false, readOnly: true }, mounts: [] }, f);
  assert.equal(hostReadOnly, true);
  assert.ok(ns.root.readOnly);
});

test('the init process\'s cwd: made when missing (as runc), relative to /', () => {
  const ns = buildMountNamespace({ root: { kind: 'tmpfs' }, mounts: defaultMounts() }, {});
  const fs = initFsStruct(ns, '/home/user/project');
  assert.equal(pathName(fs.cwd, fs.root).name, '/home/user/project');
  assert.equal(fs.umask, 0o022);
  const again = initFsStruct(ns, 'tmp');
  assert.equal(pathName(again.cwd, again.root).name, '/tmp');
});

test('--volume HOST:GUEST[:ro|rw]', () => {
  assert.deepEqual(parseVolume('/data:/mnt/data'), { kind: 'bind', source: '/data', target: '/mnt/data', readOnly: false });
  assert.deepEqual(parseVolume('/data:/mnt/data:ro'), { kind: 'bind', source: '/data', target: '/mnt/data', readOnly: true });
  assert.equal(parseVolume('/data:/d:rw').readOnly, false);
  assert.match(parseVolume('rel/dir:/d').source ?? '', /^\/.*\/rel\/dir$/);
  assert.throws(() => parseVolume('/data:relative'), /absolute GUEST/);
  assert.throws(() => parseVolume('/data:/d:xx'), /ro or rw/);
  assert.throws(() => parseVolume('/data'), /HOST:GUEST/);
});
