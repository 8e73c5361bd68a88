// Escape tests: no sequence of guest paths, symlinks, ".." or creations
// reaches a file outside the mounted host directory (a marker file sits next
// to it), neither through the VFS nor by calling the file system or the
// addon directly with hostile names; a host procfs is never entered.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { createHostFs, HostFsError } from '../../src/fs/host/hostfs.js';
import { HostStat, RESOLVE_HOST } from '../../src/fs/host/host_native.js';
import type { HostInode } from '../../src/fs/host/host_inode.js';
import { native } from '../../src/platform/native.js';
import { isDir, isSymlink, type Inode } from '../../src/vfs/inode.js';
import { linkAt, mkdirAt, mknodAt, renameAt, rmdirAt, symlinkAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import type { Caller } from '../../src/vfs/fs_struct.js';
import { HostWorld, makeHostTree, MARKER, type HostTree } from './hostfs_fixture.test.js';

const CWD = At.AT_FDCWD;
let t: HostTree;
let outerBefore: string[];
let markerIno: number;
let outerIno: number;

/** Each test gets its own host tree (they change it). */
function freshTree(): void {
  t = makeHostTree();
  outerBefore = fs.readdirSync(t.outer).sort();
  markerIno = fs.statSync(t.marker).ino;
  outerIno = fs.statSync(t.outer).ino;
}

beforeEach(freshTree);
afterEach(() => t.remove());

/** The outer directory and the marker are as they were. */
function assertOutsideUntouched(): void {
  assert.deepEqual(fs.readdirSync(t.outer).sort(), outerBefore);
  assert.equal(fs.readFileSync(t.marker, 'utf8'), MARKER);
  const st = fs.statSync(t.marker);
  assert.equal(st.uid, 0);
  assert.equal(st.mode & 0o7777, 0o644);
}

/** Host inode numbers of everything under the mounted directory (and itself). */
function insideInos(): Set<number> {
  const out = new Set<number>([fs.statSync(t.mnt).ino]);
  const walk = (d: string): void => {
    for (const n of fs.readdirSync(d)) {
      const st = fs.lstatSync(path.join(d, n));
      out.add(st.ino);
      if (st.isDirectory()) walk(path.join(d, n));
    }
  };
  walk(t.mnt);
  return out;
}

const ATTEMPTS = [
  '/..', '/../marker', '/../../marker', '/../../../../../../../marker', '/./../marker', '//../marker',
  '/dir/../../marker', '/dir/deep/../../../marker', '/empty/../../marker', '/file.txt/../../marker',
  '/link_up', '/link_up/marker', '/link_up/mnt/file.txt', '/link_up/../marker', '/link_up_marker',
  '/link_abs_marker', '/link_abs_mnt', '/dir/link_back', '/link_dir/link_back', '/link_dir/../../marker',
  '/link_rel/../marker', '/link_proc', '/proc/self/root/marker', '/proc/self/cwd/../marker', '/proc/1/root/marker',
  '/dev/fd/3', '/link_passwd/../../marker',
];

function checkAttempts(w: HostWorld, c: Caller, prefix: string, hostInodes: Set<number>, extra: string[]): void {
  const paths = [...ATTEMPTS.map((p) => prefix + p), ...extra];
  for (const p of [...paths, t.marker, path.join(t.outer, 'marker'), t.mnt + '/../marker']) {
    for (const follow of [true, false]) {
      const r = w.lookup(c, p, follow);
      if (typeof r === 'number') continue;
      const inode = r.dentry.inode;
      if (inode.fs === w.fs) {
        assert.ok(hostInodes.has(inode.ino), `${p} reached host inode ${inode.ino} outside the mount`);
        assert.notEqual(inode.ino, markerIno, p);
        assert.notEqual(inode.ino, outerIno, p);
      }
    }
    assert.notEqual(w.readFile(c, p), MARKER, p);
  }
}

/** Every inode reachable by walking names, "." and ".." from the root, following links, to a depth. */
function reachable(w: HostWorld, c: Caller, depth: number): Inode[] {
  const seen = new Set<Inode>();
  const queue: [string, number][] = [['/', 0]];
  const visitedDirs = new Set<Inode>();
  while (queue.length > 0) {
    const [p, d] = queue.shift()!;
    for (const follow of [true, false]) {
      const r = w.lookup(c, p, follow);
      if (typeof r === 'number') continue;
      const inode = r.dentry.inode;
      seen.add(inode);
      if (!isDir(inode) || visitedDirs.has(inode) || d >= depth) continue;
      visitedDirs.add(inode);
      const list = w.list(c, p);
      if (typeof list === 'number') continue;
      for (const e of list) queue.push([p === '/' ? `/${e.name}` : `${p}/${e.name}`, d + 1]);
      queue.push([`${p}/../..`, d + 1]);
    }
  }
  return [...seen];
}

test('no guest path reaches outside: the host directory as the root', () => {
  const w = new HostWorld(t.mnt);
  const c = w.caller();
  const inos = insideInos();
  checkAttempts(w, c, '', inos, []);
  // The symlinks that point out resolve inside, against the guest's root.
  assert.equal(w.readFile(c, '/link_passwd'), 'inside passwd');
  assert.equal(w.lookup(c, '/link_up'), w.lookup(c, '/'));
  assert.equal(w.inode(c, '/link_up'), w.fs.root);
  assert.equal(w.inode(c, '/..'), w.fs.root);
  assert.equal(w.lookup(c, '/link_abs_marker'), -Errno.ENOENT);
  assert.equal(w.lookup(c, '/link_up_marker'), -Errno.ENOENT);
  for (const inode of reachable(w, c, 4)) {
    assert.equal(inode.fs, w.fs);
    assert.ok(inos.has(inode.ino), `reached ${inode.ino}`);
  }
  assertOutsideUntouched();
  w.closeAll();
  w.fs.release();
});

test('no guest path reaches outside: the host directory mounted on a tmpfs', () => {
  const w = new HostWorld(t.mnt, { underTmpfs: true });
  const c = w.caller();
  const inos = insideInos();
  checkAttempts(w, c, '/mnt', inos, ['/mnt/link_up/mnt/link_up/marker', '/mnt/../mnt/../marker']);
  // ".." out of the mount goes to the tmpfs, never to the host directory's parent.
  const up = w.inode(c, '/mnt/..');
  assert.notEqual(up.fs, w.fs);
  assert.equal(w.inode(c, '/mnt/link_up').fs, up.fs);
  for (const inode of reachable(w, c, 5)) {
    if (inode.fs !== w.fs) continue;
    assert.ok(inos.has(inode.ino), `reached ${inode.ino}`);
  }
  assertOutsideUntouched();
  w.closeAll();
  w.fs.release();
});

test('guest creations, renames and removals stay inside', () => {
  const w = new HostWorld(t.mnt);
  const c = w.caller();
  // ".." at the root is the root: these are made inside.
  assert.equal(mkdirAt(c, CWD, '/../escape_dir', 0o755), 0);
  assert.equal(mkdirAt(c, CWD, '/../../escape_dir2', 0o755), 0);
  assert.ok(fs.existsSync(path.join(t.mnt, 'escape_dir')));
  assert.ok(fs.existsSync(path.join(t.mnt, 'escape_dir2')));
  assert.equal(mkdirAt(c, CWD, '/link_up/escape_dir3', 0o755), 0);
  assert.ok(fs.existsSync(path.join(t.mnt, 'escape_dir3')));
  assert.equal(symlinkAt(c, t.marker, CWD, '/abs_to_marker'), 0);
  assert.equal(symlinkAt(c, '../marker', CWD, '/rel_to_marker'), 0);
  assert.equal(symlinkAt(c, '../../../../marker', CWD, '/dir/deep/far_to_marker'), 0);
  const links = ['/abs_to_marker', '/rel_to_marker', '/dir/deep/far_to_marker'];
  for (const p of links) assert.equal(w.readFile(c, p), -Errno.ENOENT, p);
  for (const p of links) {
    // Writing through the link creates a file inside, not over the marker.
    const f = w.open(c, p, OpenFlag.O_CREAT | OpenFlag.O_WRONLY | OpenFlag.O_TRUNC);
    if (typeof f !== 'number') {
      f.incRef();
      w.write(f, 'pwned');
      f.decRef();
    }
  }
  assert.equal(w.readFile(c, '/marker'), 'pwned');
  assert.equal(fs.readFileSync(path.join(t.mnt, 'marker'), 'utf8'), 'pwned');
  assert.equal(renameAt(c, CWD, '/file.txt', CWD, '/../out.txt', 0), 0);
  assert.ok(fs.existsSync(path.join(t.mnt, 'out.txt')));
  assert.equal(renameAt(c, CWD, '/out.txt', CWD, '/link_up/../out2.txt', 0), 0);
  assert.ok(fs.existsSync(path.join(t.mnt, 'out2.txt')));
  assert.equal(renameAt(c, CWD, '/out2.txt', CWD, '/..', 0), -Errno.EBUSY);
  assert.equal(renameAt(c, CWD, '/link_up_marker', CWD, '/link_up/moved_link', 0), 0);
  assert.equal(fs.readlinkSync(path.join(t.mnt, 'moved_link')), '../marker');
  assert.equal(linkAt(c, CWD, '/link_abs_marker', CWD, '/hl', At.AT_SYMLINK_FOLLOW), -Errno.ENOENT);
  assert.equal(linkAt(c, CWD, '/out2.txt', CWD, '/../hl', 0), 0);
  assert.ok(fs.existsSync(path.join(t.mnt, 'hl')));
  assert.equal(unlinkAt(c, CWD, '/../marker', 0), 0);
  assert.ok(!fs.existsSync(path.join(t.mnt, 'marker')));
  assert.equal(unlinkAt(c, CWD, '/link_up/../../marker', 0), -Errno.ENOENT);
  assert.equal(rmdirAt(c, CWD, '/..'), -Errno.ENOTEMPTY);
  assert.equal(mknodAt(c, CWD, '/../fifo2', FileMode.S_IFIFO | 0o644, 0), 0);
  assert.ok(fs.existsSync(path.join(t.mnt, 'fifo2')));
  assertOutsideUntouched();
  w.closeAll();
  w.fs.release();
});

test('the file system refuses hostile names itself (not only the VFS)', () => {
  const hfs = createHostFs(t.mnt);
  const root = hfs.root;
  const spec = { mode: FileMode.S_IFREG | 0o644, uid: 0, gid: 0, rdev: 0 };
  const dspec = { mode: FileMode.S_IFDIR | 0o755, uid: 0, gid: 0, rdev: 0 };
  const file = root.lookup('dir');
  assert.ok(typeof file !== 'number');
  const bad = ['..', '.', '', '../marker', 'dir/../../marker', '/etc/passwd', t.marker, 'link_up/marker', 'a\0b', '../mnt/dir'];
  for (const name of bad) {
    assert.equal(typeof root.lookup(name), 'number', `lookup ${JSON.stringify(name)}`);
    assert.equal(typeof root.mknod(name, spec), 'number', name);
    assert.equal(typeof root.mkdir(name, dspec), 'number', name);
    assert.equal(typeof root.symlink(name, '/x', spec), 'number', name);
    assert.ok(root.link(name, file) < 0, name);
    assert.ok(root.unlink(name) < 0, name);
    assert.ok(root.rmdir(name) < 0, name);
    assert.ok(root.rename('file.txt', root, name, 0) < 0, name);
    assert.ok(root.rename(name, root, 'stolen', 0) < 0, name);
  }
  // A symlink is looked up as itself, whatever it points at.
  const l = root.lookup('link_abs_marker');
  assert.ok(typeof l !== 'number');
  assert.ok(isSymlink(l));
  assert.equal(l.readlink(), t.marker);
  assert.notEqual(l.ino, markerIno);
  // Its attributes and xattrs are the link's.
  assert.equal(l.setattr({ uid: 77, gid: 77 }), 0);
  assert.equal(fs.lstatSync(path.join(t.mnt, 'link_abs_marker')).uid, 77);
  assert.equal(l.setattr({ mtime: { sec: 5, nsec: 0 }, ctime: { sec: 5, nsec: 0 } }), 0);
  assert.equal(fs.lstatSync(path.join(t.mnt, 'link_abs_marker')).mtimeMs, 5000);
  assert.equal(typeof l.getxattr('trusted.x'), 'number');
  assert.equal(l.open(OpenFlag.O_RDONLY), -Errno.ENXIO);
  assert.ok(fs.existsSync(path.join(t.mnt, 'file.txt')));
  hfs.release();
  assertOutsideUntouched();
});

test('the addon refuses unscoped and multi-component names on directory descriptors', () => {
  const hfs = createHostFs(t.mnt);
  const n = native();
  const fd = hfs.root.fd;
  const st = new Float64Array(HostStat.SLOTS);
  assert.equal(n.hostfsOpenat2(fd, '../marker', OpenFlag.O_RDONLY, 0, RESOLVE_HOST), -Errno.EXDEV);
  assert.equal(n.hostfsOpenat2(fd, t.marker, OpenFlag.O_RDONLY, 0, RESOLVE_HOST), -Errno.EXDEV);
  assert.equal(n.hostfsOpenat2(fd, 'link_abs_marker', OpenFlag.O_RDONLY, 0, RESOLVE_HOST), -Errno.ELOOP);
  assert.equal(n.hostfsOpenat2(fd, 'link_up_marker', OpenFlag.O_RDONLY, 0, 0), -Errno.EINVAL);
  assert.equal(n.hostfsStatx(fd, '../marker', 0, st), -Errno.EINVAL);
  assert.equal(n.hostfsStatx(fd, 'link_abs_marker', 0, st), 0);
  assert.equal(st[HostStat.MODE]! & FileMode.S_IFMT, FileMode.S_IFLNK);
  assert.equal(n.hostfsStatx(fd, '', 0, st), -Errno.EINVAL);
  assert.equal(n.hostfsUnlinkat(fd, '../marker', 0), -Errno.EINVAL);
  assert.equal(n.hostfsMkdirat(fd, '../evil', 0o755), -Errno.EINVAL);
  assert.equal(n.hostfsMknodat(fd, 'dir/../../evil', FileMode.S_IFREG | 0o644, 0), -Errno.EINVAL);
  assert.equal(n.hostfsSymlinkat('x', fd, '../evil'), -Errno.EINVAL);
  assert.equal(n.hostfsLinkat(fd, 'file.txt', fd, '../evil', 0), -Errno.EINVAL);
  assert.equal(n.hostfsLinkat(fd, '../marker', fd, 'stolen', 0), -Errno.EINVAL);
  assert.equal(n.hostfsRenameat2(fd, 'file.txt', fd, '../evil', 0), -Errno.EINVAL);
  assert.equal(n.hostfsRenameat2(fd, '../marker', fd, 'stolen', 0), -Errno.EINVAL);
  assert.equal(n.hostfsReadlinkat(fd, '../x', new Uint8Array(10), 0, 10), -Errno.EINVAL);
  assert.equal(n.hostfsFchownat(fd, '../marker', 5, 5, 0), -Errno.EINVAL);
  // Path-taking calls never follow the last component: these change the links, not the marker.
  assert.equal(n.hostfsFchownat(fd, 'link_abs_marker', 5, 5, 0), 0);
  assert.equal(n.hostfsUtimensat(fd, 'link_up_marker', new Float64Array([1, 0, 1, 0]), 0), 0);
  assert.equal(n.hostfsFchmodat2(fd, 'link_abs_marker', 0o600, 0), -Errno.EOPNOTSUPP);
  assert.equal(n.hostfsLinkat(fd, 'link_abs_marker', fd, 'hardlink_to_link', 0x400), 0);
  assert.ok(fs.lstatSync(path.join(t.mnt, 'hardlink_to_link')).isSymbolicLink());
  // An embedded NUL is refused, not truncated.
  assert.equal(n.hostfsMkdirat(fd, 'ok\0/../../evil', 0o755), -Errno.EINVAL);
  hfs.release();
  assertOutsideUntouched();
});

test('a host directory swapped for a symlink behind the sandbox\'s back leads nowhere', () => {
  const w = new HostWorld(t.mnt, { maxFds: 64 });
  const c = w.caller();
  assert.equal(mkdirAt(c, CWD, '/swap', 0o755), 0);
  fs.writeFileSync(path.join(t.mnt, 'swap', 'f'), 'inside');
  const dir = w.inode(c, '/swap') as HostInode;
  assert.equal(w.readFile(c, '/swap/f'), 'inside');
  // Held by descriptor: a swap does not redirect it.
  fs.renameSync(path.join(t.mnt, 'swap'), path.join(t.mnt, 'swap_moved'));
  fs.symlinkSync(t.outer, path.join(t.mnt, 'swap'));
  fs.writeFileSync(path.join(t.outer, 'f'), MARKER);
  try {
    assert.equal(w.readFile(c, '/swap/f'), 'inside');
    // Evicted from the descriptor budget, it is reopened by name and checked: the link is not it.
    for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(t.mnt, 'empty', `f${i}`), '');
    for (let i = 0; i < 100; i++) w.inode(c, `/empty/f${i}`);
    assert.equal(dir.fd, -1);
    assert.equal(dir.lookup('f'), -Errno.ESTALE);
    assert.notEqual(w.readFile(c, '/swap/f'), MARKER);
  } finally {
    fs.unlinkSync(path.join(t.outer, 'f'));
  }
  w.closeAll();
  w.fs.release();
});

test('a host procfs is never served: not as the root, and shown empty below it', () => {
  assert.throws(() => createHostFs('/proc'), HostFsError);
  assert.throws(() => createHostFs('/proc/self'), HostFsError);
  assert.throws(() => createHostFs('/proc/cpuinfo'), HostFsError);
  assert.throws(() => createHostFs('/proc/self/status'), HostFsError);
  assert.throws(() => createHostFs(path.join(t.mnt, 'missing')), HostFsError);
  const w = new HostWorld('/', { readOnly: true });
  const c = w.caller();
  assert.equal(w.inode(c, '/proc').type, FileMode.S_IFDIR);
  const list = w.list(c, '/proc');
  assert.ok(typeof list !== 'number');
  assert.deepEqual(list.map((e) => e.name), ['.', '..']);
  for (const p of ['/proc/self', '/proc/self/root', '/proc/self/root/etc/passwd', '/proc/1/root', '/proc/self/fd/0', '/proc/thread-self/cwd']) {
    assert.equal(w.lookup(c, p), -Errno.EACCES, p);
  }
  assert.equal(w.inode(c, '/etc').type, FileMode.S_IFDIR);
  w.closeAll();
  w.fs.release();
});
