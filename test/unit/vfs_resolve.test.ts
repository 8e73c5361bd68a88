// Path resolution (man 7 path_resolution, man 2 openat2) against a prepared
// tree with symlinks and mounts: each row is a path, how it is resolved, and
// the exact inode or errno expected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag, Resolve } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { chrootAt, chdirAt, getcwd } from '../../src/vfs/dir_ops.js';
import { FsStruct, makeCaller, type Caller } from '../../src/vfs/fs_struct.js';
import type { Inode } from '../../src/vfs/inode.js';
import { bindMountAt, mountAt } from '../../src/vfs/mount_ops.js';
import { mkdirAt, symlinkAt } from '../../src/vfs/namei_ops.js';
import { lookupAt } from '../../src/vfs/resolve.js';
import { ALICE, ROOT, World } from './vfs_fixture.test.js';

interface Tree {
  w: World;
  root: Caller;
  alice: Caller;
  nodes: Record<string, Inode>;
  fds: Record<string, number>;
}

function build(): Tree {
  const w = new World();
  const root = w.caller(ROOT);
  const ok = (r: number): void => assert.equal(r, 0);
  ok(mkdirAt(root, At.AT_FDCWD, '/a', 0o755));
  ok(mkdirAt(root, At.AT_FDCWD, '/a/b', 0o755));
  w.file(root, '/a/b/file', 'hello');
  ok(symlinkAt(root, '/a/b', At.AT_FDCWD, '/a/link_abs'));
  ok(symlinkAt(root, 'b/file', At.AT_FDCWD, '/a/link_rel'));
  ok(symlinkAt(root, '../a/b', At.AT_FDCWD, '/a/link_dotdot'));
  ok(symlinkAt(root, 'nonexistent', At.AT_FDCWD, '/a/dangling'));
  ok(symlinkAt(root, 'loop2', At.AT_FDCWD, '/a/loop1'));
  ok(symlinkAt(root, 'loop1', At.AT_FDCWD, '/a/loop2'));
  ok(symlinkAt(root, 'self', At.AT_FDCWD, '/a/self'));
  ok(symlinkAt(root, 'b/file/', At.AT_FDCWD, '/a/slashlink'));
  ok(symlinkAt(root, '/', At.AT_FDCWD, '/a/rootlink'));
  // chain0 -> chain1 -> … -> chain40 -> b/file: chain1 takes 40 links, chain0 41.
  for (let i = 0; i < 40; i++) ok(symlinkAt(root, `chain${i + 1}`, At.AT_FDCWD, `/a/chain${i}`));
  ok(symlinkAt(root, 'b/file', At.AT_FDCWD, '/a/chain40'));
  ok(mkdirAt(root, At.AT_FDCWD, '/mnt', 0o755));
  ok(mkdirAt(root, At.AT_FDCWD, '/noperm', 0o700));
  w.file(root, '/noperm/f', 'secret');
  ok(mkdirAt(root, At.AT_FDCWD, '/pub', 0o777));
  ok(mkdirAt(root, At.AT_FDCWD, '/bind', 0o755));

  // A second tmpfs on /mnt, with a link that climbs out of it.
  const m = mountAt(root, w.tmpfs(), '/mnt', 0);
  assert.equal(typeof m, 'object');
  ok(mkdirAt(root, At.AT_FDCWD, '/mnt/x', 0o755));
  w.file(root, '/mnt/x/y', 'in B');
  ok(symlinkAt(root, '..', At.AT_FDCWD, '/mnt/up'));
  ok(symlinkAt(root, '/a', At.AT_FDCWD, '/mnt/abs'));
  // /bind shows /a/b.
  assert.equal(typeof bindMountAt(root, '/a/b', '/bind', 0), 'object');

  const nodes: Record<string, Inode> = {
    root: w.inode(root, '/'),
    a: w.inode(root, '/a'),
    b: w.inode(root, '/a/b'),
    file: w.inode(root, '/a/b/file'),
    link_rel: w.inode(root, '/a/link_rel', false),
    link_abs: w.inode(root, '/a/link_abs', false),
    dangling: w.inode(root, '/a/dangling', false),
    loop1: w.inode(root, '/a/loop1', false),
    mnt: w.inode(root, '/mnt'),
    x: w.inode(root, '/mnt/x'),
    y: w.inode(root, '/mnt/x/y'),
    noperm: w.inode(root, '/noperm'),
  };
  assert.notEqual(nodes.mnt!.fs, nodes.root!.fs);
  const fds = {
    a: w.install(w.must(root, '/a', OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY)),
    b: w.install(w.must(root, '/a/b', OpenFlag.O_PATH)),
    file: w.install(w.must(root, '/a/b/file', OpenFlag.O_RDONLY)),
    x: w.install(w.must(root, '/mnt/x', OpenFlag.O_PATH)),
  };
  return { w, root, alice: w.caller(ALICE), nodes, fds };
}

interface Row {
  path: string;
  /** A key of Tree.nodes, or a negative errno. */
  want: string | number;
  dirfd?: string;
  nofollow?: boolean;
  emptyPath?: boolean;
  resolve?: number;
  as?: 'alice';
  /** Checks the type instead of the inode identity (symlinks themselves). */
  type?: number;
}

const LONG = 'n'.repeat(256);

const rows: Row[] = [
  { path: '/', want: 'root' },
  { path: '/a/b/file', want: 'file' },
  { path: 'a/b/file', want: 'file' },
  { path: '/a/b/../b/file', want: 'file' },
  { path: '/..', want: 'root' },
  { path: '/../../a', want: 'a' },
  { path: '/a/./b/./file', want: 'file' },
  { path: '//a//b///file', want: 'file' },
  { path: '/a/b/', want: 'b' },
  { path: '/a/b/file/', want: -Errno.ENOTDIR },
  { path: '/a/b/file/.', want: -Errno.ENOTDIR },
  { path: '/a/b/file/x', want: -Errno.ENOTDIR },
  { path: '/a/b/file/..', want: -Errno.ENOTDIR },
  { path: '/a/missing', want: -Errno.ENOENT },
  { path: '/a/missing/x', want: -Errno.ENOENT },
  { path: '', want: -Errno.ENOENT },
  { path: '', emptyPath: true, want: 'root' },
  { path: '/a/link_abs/file', want: 'file' },
  { path: '/a/link_dotdot/file', want: 'file' },
  { path: '/a/link_rel', want: 'file' },
  { path: '/a/link_rel', nofollow: true, want: 'link_rel' },
  { path: '/a/link_rel/', nofollow: true, want: -Errno.ENOTDIR },
  { path: '/a/link_abs/', nofollow: true, want: 'b' },
  { path: '/a/link_abs', nofollow: true, want: 'link_abs', type: FileMode.S_IFLNK },
  { path: '/a/dangling', want: -Errno.ENOENT },
  { path: '/a/dangling', nofollow: true, want: 'dangling' },
  { path: '/a/loop1', want: -Errno.ELOOP },
  { path: '/a/loop1', nofollow: true, want: 'loop1' },
  { path: '/a/loop1/x', nofollow: true, want: -Errno.ELOOP },
  { path: '/a/self', want: -Errno.ELOOP },
  { path: '/a/chain1', want: 'file' },
  { path: '/a/chain0', want: -Errno.ELOOP },
  { path: '/a/chain0', nofollow: true, want: -0, type: FileMode.S_IFLNK },
  { path: '/a/slashlink', want: -Errno.ENOTDIR },
  { path: '/a/rootlink/a/b/file', want: 'file' },
  { path: '/mnt', want: 'mnt' },
  { path: '/mnt/x/y', want: 'y' },
  { path: '/mnt/..', want: 'root' },
  { path: '/mnt/x/../..', want: 'root' },
  { path: '/mnt/x/../../a', want: 'a' },
  { path: '/mnt/up', want: 'root' },
  { path: '/mnt/up/a/b/file', want: 'file' },
  { path: '/mnt/abs/b/file', want: 'file' },
  { path: '/bind/file', want: 'file' },
  { path: '/bind/..', want: 'root' },
  { path: `/a/${LONG}`, want: -Errno.ENAMETOOLONG },
  { path: `/a/${'n'.repeat(255)}`, want: -Errno.ENOENT },
  { path: `/a/${LONG}/x`, want: -Errno.ENAMETOOLONG },
  // 4095 bytes resolve; 4096 (PATH_MAX with the NUL) are too long.
  { path: '/' + './'.repeat(2046) + '/a', want: 'a' },
  { path: '/' + './'.repeat(2047) + 'a', want: -Errno.ENAMETOOLONG },
  { path: 'file', dirfd: 'b', want: 'file' },
  { path: '..', dirfd: 'b', want: 'a' },
  { path: 'x', dirfd: 'file', want: -Errno.ENOTDIR },
  { path: '', dirfd: 'file', emptyPath: true, want: 'file' },
  { path: '', dirfd: 'file', want: -Errno.ENOENT },
  { path: 'x', dirfd: 'bad', want: -Errno.EBADF },
  { path: '/a', dirfd: 'bad', want: 'a' },
  { path: '/noperm/f', as: 'alice', want: -Errno.EACCES },
  { path: '/noperm', as: 'alice', want: 'noperm' },
  { path: '/noperm/.', as: 'alice', want: -Errno.EACCES },
  { path: '/noperm/missing', as: 'alice', want: -Errno.EACCES },
  { path: '/noperm/f', want: 'file_in_noperm' },
  // openat2 RESOLVE_* flags.
  { path: 'b/file', dirfd: 'a', resolve: Resolve.RESOLVE_BENEATH, want: 'file' },
  { path: 'b/..', dirfd: 'a', resolve: Resolve.RESOLVE_BENEATH, want: 'a' },
  { path: '..', dirfd: 'a', resolve: Resolve.RESOLVE_BENEATH, want: -Errno.EXDEV },
  { path: 'b/../..', dirfd: 'a', resolve: Resolve.RESOLVE_BENEATH, want: -Errno.EXDEV },
  { path: '/a', dirfd: 'a', resolve: Resolve.RESOLVE_BENEATH, want: -Errno.EXDEV },
  { path: '/a', dirfd: 'bad', resolve: Resolve.RESOLVE_BENEATH, want: -Errno.EXDEV },
  { path: 'link_abs', dirfd: 'a', resolve: Resolve.RESOLVE_BENEATH, want: -Errno.EXDEV },
  { path: 'link_rel', dirfd: 'a', resolve: Resolve.RESOLVE_BENEATH, want: 'file' },
  { path: '/b/file', dirfd: 'a', resolve: Resolve.RESOLVE_IN_ROOT, want: 'file' },
  { path: '../../b/file', dirfd: 'a', resolve: Resolve.RESOLVE_IN_ROOT, want: 'file' },
  { path: 'link_abs', dirfd: 'a', resolve: Resolve.RESOLVE_IN_ROOT, want: -Errno.ENOENT },
  { path: 'rootlink', dirfd: 'a', resolve: Resolve.RESOLVE_IN_ROOT, want: 'a' },
  { path: '/a/link_abs/file', resolve: Resolve.RESOLVE_NO_SYMLINKS, want: -Errno.ELOOP },
  { path: '/a/link_rel', nofollow: true, resolve: Resolve.RESOLVE_NO_SYMLINKS, want: 'link_rel' },
  { path: '/a/b/file', resolve: Resolve.RESOLVE_NO_SYMLINKS, want: 'file' },
  { path: '/mnt/x', resolve: Resolve.RESOLVE_NO_XDEV, want: -Errno.EXDEV },
  { path: '..', dirfd: 'x', resolve: Resolve.RESOLVE_NO_XDEV, want: 'mnt' },
  { path: '../..', dirfd: 'x', resolve: Resolve.RESOLVE_NO_XDEV, want: -Errno.EXDEV },
  { path: '../abs', dirfd: 'x', resolve: Resolve.RESOLVE_NO_XDEV, want: -Errno.EXDEV },
  { path: '/bind', resolve: Resolve.RESOLVE_NO_XDEV, want: -Errno.EXDEV },
];

test(`path resolution table (${rows.length} cases)`, () => {
  const t = build();
  t.nodes.file_in_noperm = t.w.inode(t.root, '/noperm/f');
  assert.ok(rows.length >= 40);
  for (const row of rows) {
    const c = row.as === 'alice' ? t.alice : t.root;
    const dirfd = row.dirfd === undefined ? At.AT_FDCWD : row.dirfd === 'bad' ? 99 : t.fds[row.dirfd]!;
    const r = lookupAt(c, dirfd, row.path, { follow: !row.nofollow, emptyPath: row.emptyPath, resolve: row.resolve });
    const label = `${row.path.length > 60 ? row.path.slice(0, 60) + '…' : row.path} ${JSON.stringify({ ...row, path: undefined })}`;
    if (typeof row.want === 'number' && row.want < 0) {
      assert.equal(r, row.want, label);
      continue;
    }
    assert.notEqual(typeof r, 'number', `${label}: got ${String(r)}`);
    if (typeof r === 'number') continue;
    if (row.type !== undefined) assert.equal(r.dentry.inode.type, row.type, label);
    if (typeof row.want === 'string') assert.equal(r.dentry.inode, t.nodes[row.want], label);
  }
});

test('chroot: "/" and ".." stop at the new root; absolute links resolve inside it', () => {
  const t = build();
  const fs = new FsStruct(t.root.fs.root);
  const c = makeCaller(ROOT, fs);
  assert.equal(chrootAt(c, '/a'), 0);
  assert.equal(chdirAt(c, '/'), 0);
  const at = (p: string): Inode | number => {
    const r = lookupAt(c, At.AT_FDCWD, p, { follow: true });
    return typeof r === 'number' ? r : r.dentry.inode;
  };
  assert.equal(at('/b/file'), t.nodes.file);
  assert.equal(at('/../../b/file'), t.nodes.file);
  assert.equal(at('../..'), t.nodes.a);
  assert.equal(at('/link_abs'), -Errno.ENOENT);
  assert.equal(at('/link_dotdot/file'), -Errno.ENOENT);
  assert.equal(getcwd(c), '/');
  assert.equal(chdirAt(c, 'b'), 0);
  assert.equal(getcwd(c), '/b');
  assert.equal(chrootAt(t.alice, '/a'), -Errno.EPERM);
});

test('the working directory inside a mount: ".." leaves through the mount point', () => {
  const t = build();
  assert.equal(chdirAt(t.root, '/mnt/x'), 0);
  assert.equal(getcwd(t.root), '/mnt/x');
  const r = lookupAt(t.root, At.AT_FDCWD, '../../a/b/file', { follow: true });
  assert.equal(typeof r === 'number' ? r : r.dentry.inode, t.nodes.file);
  assert.equal(chdirAt(t.root, '/a/b/file'), -Errno.ENOTDIR);
  assert.equal(chdirAt(t.alice, '/noperm'), -Errno.EACCES);
});

test('mounts stack: the newest shadows the one below until it is unmounted', () => {
  const t = build();
  const before = t.w.inode(t.root, '/mnt');
  const m = mountAt(t.root, t.w.tmpfs(), '/mnt', 0);
  if (typeof m === 'number') throw new Error(`mount: ${m}`);
  assert.notEqual(t.w.inode(t.root, '/mnt'), before);
  assert.equal(t.w.lookup(t.root, '/mnt/x/y'), -Errno.ENOENT);
  assert.equal(t.w.ns.umount({ mount: m, dentry: m.root }, 0), 0);
  assert.equal(t.w.inode(t.root, '/mnt'), before);
  assert.equal(t.w.inode(t.root, '/mnt/x/y'), t.nodes.y);
});
