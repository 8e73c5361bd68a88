// The mount tree's operations behind mount(2) and umount2(2): MS_MOVE,
// propagation types, unbindable mounts, MNT_EXPIRE, and the rules shared by
// new mounts and binds (Linux fs/namespace.c).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { At } from '../../src/abi/linux/stat.js';
import { Mount, MountFlag, propagationFields, UmountFlag } from '../../src/vfs/mount.js';
import { mkdirAt } from '../../src/vfs/namei_ops.js';
import type { VfsPath } from '../../src/vfs/path.js';
import { ROOT, World } from './vfs_fixture.test.js';

const CWD = At.AT_FDCWD;

function setup(...dirs: string[]): { w: World; at: (p: string) => VfsPath; mnt: (p: string) => Mount } {
  const w = new World();
  const c = w.caller(ROOT);
  for (const d of dirs) assert.equal(mkdirAt(c, CWD, d, 0o755), 0);
  const at = (p: string): VfsPath => {
    const r = w.lookup(c, p);
    assert.ok(typeof r !== 'number', `${p}: ${String(r)}`);
    return r;
  };
  const mnt = (p: string): Mount => {
    const m = w.ns.mount(w.tmpfs(), at(p), MountFlag.MS_RELATIME);
    assert.ok(m instanceof Mount);
    return m;
  };
  return { w, at, mnt };
}

test('new mounts: EBUSY for the same file system on its own root; ENOTDIR for a type mismatch both ways', () => {
  const { w, at, mnt } = setup('/a', '/b');
  const m = mnt('/a');
  assert.equal(w.ns.mount(m.fs, at('/a'), 0), -Errno.EBUSY);
  // Elsewhere the same file system may be mounted again.
  assert.ok(w.ns.mount(m.fs, at('/b'), 0) instanceof Mount);
  w.file(w.caller(), '/f', 'x');
  assert.equal(w.ns.mount(w.tmpfs(), at('/f'), 0), -Errno.ENOTDIR);
  assert.equal(w.ns.bind(at('/f'), at('/a'), 0, false), -Errno.ENOTDIR);
  assert.equal(w.ns.bind(at('/a'), at('/f'), 0, false), -Errno.ENOTDIR);
});

test('MS_MOVE: the mount and what is below it move; EINVAL off a mount root, for the root, or onto a file; ELOOP into itself', () => {
  const { w, at, mnt } = setup('/a', '/b', '/c');
  const m = mnt('/a');
  const c = w.caller();
  assert.equal(mkdirAt(c, CWD, '/a/in', 0o755), 0);
  const sub = w.ns.mount(w.tmpfs(), at('/a/in'), 0);
  assert.ok(sub instanceof Mount);
  const aDentry = at('/a').dentry;
  assert.equal(w.ns.move(at('/a'), at('/b')), 0);
  assert.equal(at('/b').mount, m);
  assert.equal(at('/b/in').mount, sub);
  assert.equal(at('/a').mount, w.ns.root);
  assert.equal(aDentry.mountedHere, 0);
  assert.equal(m.parent, w.ns.root);
  assert.equal(w.ns.move(at('/b/in'), at('/b/in')), -Errno.ELOOP);
  assert.equal(mkdirAt(c, CWD, '/b/x', 0o755), 0);
  assert.equal(w.ns.move(at('/b'), at('/b/x')), -Errno.ELOOP);
  assert.equal(w.ns.move(at('/b/x'), at('/c')), -Errno.EINVAL);
  assert.equal(w.ns.move(w.ns.rootPath, at('/c')), -Errno.EINVAL);
  w.file(c, '/f', '');
  assert.equal(w.ns.move(at('/b'), at('/f')), -Errno.EINVAL);
  // A mount whose parent is shared stays where it is.
  assert.equal(w.ns.setPropagation(w.ns.root, MountFlag.MS_SHARED, false), 0);
  assert.equal(w.ns.move(at('/b'), at('/c')), -Errno.EINVAL);
});

test('propagation: recorded types and mountinfo fields; copies of shared mounts are peers; new mounts under a shared one are shared', () => {
  const { w, at, mnt } = setup('/a', '/b', '/c');
  const m = mnt('/a');
  assert.deepEqual(propagationFields(m), []);
  assert.equal(w.ns.setPropagation(m, MountFlag.MS_SHARED, false), 0);
  const group = m.peerGroup;
  assert.ok(group > 0);
  assert.deepEqual(propagationFields(m), [`shared:${group}`]);
  // A bind of a shared mount is its peer.
  const peer = w.ns.bind(at('/a'), at('/b'), m.flags, false);
  assert.ok(peer instanceof Mount);
  assert.equal(peer.peerGroup, group);
  // A mount on a shared one starts a group of its own.
  assert.equal(mkdirAt(w.caller(), CWD, '/a/d', 0o755), 0);
  const child = w.ns.mount(w.tmpfs(), at('/a/d'), 0);
  assert.ok(child instanceof Mount);
  assert.equal(child.propagation, MountFlag.MS_SHARED);
  assert.notEqual(child.peerGroup, group);
  // MS_SLAVE: a member of a group with peers receives from it.
  assert.equal(w.ns.setPropagation(peer, MountFlag.MS_SLAVE, false), 0);
  assert.deepEqual(propagationFields(peer), [`master:${group}`]);
  // The only member of a group with no master becomes private.
  assert.equal(w.ns.setPropagation(child, MountFlag.MS_SLAVE, false), 0);
  assert.equal(child.propagation, MountFlag.MS_PRIVATE);
  // MS_REC reaches every mount below.
  assert.equal(w.ns.setPropagation(m, MountFlag.MS_PRIVATE, true), 0);
  assert.deepEqual([m.propagation, m.peerGroup, child.propagation], [MountFlag.MS_PRIVATE, 0, MountFlag.MS_PRIVATE]);
  assert.equal(w.ns.setPropagation(m, MountFlag.MS_RDONLY, false), -Errno.EINVAL);
});

test('unbindable: no bind of it or below it; a recursive bind leaves unbindable submounts out', () => {
  const { w, at, mnt } = setup('/a', '/b', '/c');
  const m = mnt('/a');
  assert.equal(mkdirAt(w.caller(), CWD, '/a/sub', 0o755), 0);
  assert.equal(w.ns.setPropagation(m, MountFlag.MS_UNBINDABLE, false), 0);
  assert.deepEqual(propagationFields(m), ['unbindable']);
  assert.equal(w.ns.bind(at('/a'), at('/b'), 0, false), -Errno.EINVAL);
  assert.equal(w.ns.bind(at('/a/sub'), at('/b'), 0, true), -Errno.EINVAL);
  // Under a bindable parent, the unbindable submount stays behind.
  const copy = w.ns.bind(w.ns.rootPath, at('/c'), 0, true);
  assert.ok(copy instanceof Mount);
  assert.equal(copy.children.size, 0);
  assert.equal(at('/c/a').mount, copy);
});

test('umount MNT_EXPIRE: EBUSY while used, EAGAIN to mark, then unmounted; EINVAL with MNT_DETACH or MNT_FORCE or on the caller root', () => {
  const { w, at, mnt } = setup('/a');
  const m = mnt('/a');
  const target = { mount: m, dentry: m.root };
  assert.equal(w.ns.umount(target, UmountFlag.MNT_EXPIRE | UmountFlag.MNT_DETACH), -Errno.EINVAL);
  assert.equal(w.ns.umount(target, UmountFlag.MNT_EXPIRE | UmountFlag.MNT_FORCE), -Errno.EINVAL);
  assert.equal(w.ns.umount(target, UmountFlag.MNT_EXPIRE, m), -Errno.EINVAL);
  const f = w.must(w.caller(), '/a', 0);
  assert.equal(w.ns.umount(target, UmountFlag.MNT_EXPIRE), -Errno.EBUSY);
  f.decRef();
  assert.equal(w.ns.umount(target, UmountFlag.MNT_EXPIRE), -Errno.EAGAIN);
  assert.equal(w.ns.umount(target, UmountFlag.MNT_EXPIRE), 0);
  assert.equal(at('/a').mount, w.ns.root);
  // Not a mount root any more.
  assert.equal(w.ns.umount(target, 0), -Errno.EINVAL);
});
