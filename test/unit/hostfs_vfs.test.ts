// The host file system under the VFS: lookups, stat values equal to the
// host's lstat, readdir listing exactly the host's entries, symlinks as
// symlinks, and creations, writes, renames and removals visible on the host.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag, Seek } from '../../src/abi/linux/fcntl.js';
import { At, FileMode, makeDev, type StatxValues } from '../../src/abi/linux/stat.js';
import { chmodAt, chownAt, fallocate, fillStat, ftruncate, statAt, statfsPath, truncatePath, utimensPath } from '../../src/vfs/attr_ops.js';
import { dtType, FallocFlag, RenameFlag } from '../../src/vfs/inode.js';
import { linkAt, mkdirAt, mknodAt, readlinkAt, renameAt, rmdirAt, symlinkAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { getxattrPath, listxattrPath, removexattrPath, setxattrPath } from '../../src/vfs/xattr.js';
import { createHostFs } from '../../src/fs/host/hostfs.js';
import { HostWorld, makeHostTree, type HostTree } from './hostfs_fixture.test.js';
import { ALICE } from './vfs_fixture.test.js';

const CWD = At.AT_FDCWD;
let t: HostTree;
let w: HostWorld;

before(() => {
  t = makeHostTree();
  w = new HostWorld(t.mnt);
});

after(() => {
  w.closeAll();
  w.fs.release();
  t.remove();
});

function blankStat(): StatxValues {
  return {
    dev: 0, ino: 0, nlink: 0, mode: 0, uid: 0, gid: 0, rdev: 0, size: 0, blksize: 0, blocks: 0,
    atimeSec: 0, atimeNsec: 0, mtimeSec: 0, mtimeNsec: 0, ctimeSec: 0, ctimeNsec: 0,
    mask: 0, attributes: 0, attributesMask: 0, btimeSec: 0, btimeNsec: 0, mntId: 0, dioMemAlign: 0, dioOffsetAlign: 0,
  };
}

/** stat(2) through the VFS equals lstat(2) on the host, but for st_dev (the mount's own). */
function assertSameStat(guestPath: string, hostPath: string): void {
  const c = w.caller();
  const p = statAt(c, CWD, guestPath, At.AT_SYMLINK_NOFOLLOW);
  assert.ok(typeof p !== 'number', `stat ${guestPath}: ${String(p)}`);
  const g = blankStat();
  fillStat(p, g);
  const h = fs.lstatSync(hostPath, { bigint: true });
  const ns = (sec: number, nsec: number): bigint => BigInt(sec) * 1_000_000_000n + BigInt(nsec);
  const what = `${guestPath}`;
  assert.equal(g.dev, w.fs.dev, what);
  assert.notEqual(BigInt(g.dev), h.dev, what);
  assert.equal(BigInt(g.ino), h.ino, what);
  assert.equal(BigInt(g.mode), h.mode, what);
  assert.equal(BigInt(g.nlink), h.nlink, what);
  assert.equal(BigInt(g.uid), h.uid, what);
  assert.equal(BigInt(g.gid), h.gid, what);
  assert.equal(BigInt(g.rdev), h.rdev, what);
  assert.equal(BigInt(g.size), h.size, what);
  assert.equal(BigInt(g.blocks), h.blocks, what);
  assert.equal(BigInt(g.blksize), h.blksize, what);
  assert.equal(ns(g.mtimeSec, g.mtimeNsec), h.mtimeNs, what);
  assert.equal(ns(g.ctimeSec, g.ctimeNsec), h.ctimeNs, what);
  assert.equal(ns(g.atimeSec, g.atimeNsec), h.atimeNs, what);
  assert.equal(ns(g.btimeSec, g.btimeNsec), h.birthtimeNs, what);
}

function walkHost(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const r = `${rel}/${name}`;
    out.push(r);
    if (fs.lstatSync(path.join(dir, name)).isDirectory()) out.push(...walkHost(path.join(dir, name), r));
  }
  return out;
}

test('lookups find every host entry; stat values equal the host lstat', () => {
  const all = walkHost(t.mnt);
  assert.ok(all.length >= 18);
  assertSameStat('/', t.mnt);
  for (const rel of all) assertSameStat(rel, path.join(t.mnt, rel));
  const c = w.caller();
  assert.equal(w.lookup(c, '/missing'), -Errno.ENOENT);
  assert.equal(w.lookup(c, '/file.txt/x'), -Errno.ENOTDIR);
  assert.equal(w.inode(c, '/fifo').type, FileMode.S_IFIFO);
  assert.equal(w.inode(c, '/dir').type, FileMode.S_IFDIR);
});

test('hard links share one inode; names looked up again give the same inode', () => {
  const c = w.caller();
  const a = w.inode(c, '/file.txt');
  const b = w.inode(c, '/hard');
  assert.equal(a, b);
  assert.equal(a.getattr().nlink, 2);
  assert.equal(a.ino, Number(fs.statSync(path.join(t.mnt, 'hard')).ino));
  assert.equal(w.inode(c, '/link_rel'), a);
  assert.notEqual(w.inode(c, '/dir/nested.txt'), a);
});

test('readdir lists exactly the host entries, with their inode numbers and types, in any batch size', () => {
  const c = w.caller();
  for (const dir of ['/', '/dir', '/empty', '/etc']) {
    const host = fs.readdirSync(path.join(t.mnt, dir), { withFileTypes: true });
    for (const batch of [1, 3, 1000]) {
      const got = w.list(c, dir, batch);
      assert.ok(typeof got !== 'number');
      assert.deepEqual(got.slice(0, 2).map((e) => e.name), ['.', '..']);
      const names = got.slice(2).map((e) => e.name).sort();
      assert.deepEqual(names, host.map((d) => d.name).sort(), `${dir} batch ${batch}`);
      for (const e of got.slice(2)) {
        const st = fs.lstatSync(path.join(t.mnt, dir, e.name));
        assert.equal(e.ino, st.ino, e.name);
        assert.equal(e.type, dtType(st.mode), e.name);
      }
      assert.equal(got[0]!.ino, fs.statSync(path.join(t.mnt, dir)).ino);
    }
  }
  assert.equal(w.list(c, '/file.txt'), -Errno.ENOTDIR);
});

test('readdir: a reader starting over sees host changes; one resuming neither repeats nor loses entries', () => {
  const c = w.caller();
  assert.equal(mkdirAt(c, CWD, '/rd', 0o755), 0);
  for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(t.mnt, 'rd', `e${i}`), '');
  const f = w.must(c, '/rd', OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY);
  const seen: string[] = [];
  let n = 0;
  f.readdir((e) => (n++ < 10 ? (seen.push(e.name), true) : false));
  // Entries removed and added (through the VFS) mid-iteration.
  assert.equal(unlinkAt(c, CWD, `/rd/${seen[5]}`, 0), 0);
  assert.equal(symlinkAt(c, 'x', CWD, '/rd/new-link'), 0);
  f.readdir((e) => (seen.push(e.name), true));
  assert.equal(new Set(seen).size, seen.length, 'no entry twice');
  for (let i = 0; i < 40; i++) {
    const name = `e${i}`;
    if (name === seen[5]) continue;
    assert.ok(seen.includes(name), `${name} listed`);
  }
  assert.ok(seen.includes('new-link'));
  // Starting over reads the host again.
  fs.writeFileSync(path.join(t.mnt, 'rd', 'from-host'), '');
  fs.unlinkSync(path.join(t.mnt, 'rd', 'e7'));
  const again = w.list(c, '/rd');
  assert.ok(typeof again !== 'number');
  const names = again.map((e) => e.name).sort();
  assert.deepEqual(names, ['.', '..', ...fs.readdirSync(path.join(t.mnt, 'rd'))].sort());
});

test('symlinks are symlinks: readlink gives the stored target; the VFS follows them', () => {
  const c = w.caller();
  for (const name of ['link_rel', 'link_dir', 'link_passwd', 'link_up', 'link_abs_marker', 'link_proc', 'link_loop', 'dir/link_back']) {
    const inode = w.inode(c, `/${name}`, false);
    assert.equal(inode.type, FileMode.S_IFLNK, name);
    assert.equal(readlinkAt(c, CWD, `/${name}`), fs.readlinkSync(path.join(t.mnt, name)), name);
  }
  assert.equal(readlinkAt(c, CWD, '/file.txt'), -Errno.EINVAL);
  assert.equal(w.readFile(c, '/link_rel'), 'hello host');
  assert.equal(w.readFile(c, '/link_dir/nested.txt'), 'nested');
  // An absolute target resolves against the guest's root: the served etc/passwd, not the host's.
  assert.equal(w.readFile(c, '/link_passwd'), 'inside passwd');
  assert.equal(w.lookup(c, '/link_loop'), -Errno.ELOOP);
  assert.equal(w.open(c, '/link_rel', OpenFlag.O_RDONLY | OpenFlag.O_NOFOLLOW), -Errno.ELOOP);
});

test('create, write, read back, on the host; owner and mode as the VFS asked', () => {
  const c = w.caller();
  const f = w.must(c, '/new.txt', OpenFlag.O_CREAT | OpenFlag.O_RDWR | OpenFlag.O_EXCL, 0o640);
  assert.equal(w.write(f, 'written by the guest'), 20);
  assert.equal(fs.readFileSync(path.join(t.mnt, 'new.txt'), 'utf8'), 'written by the guest');
  assert.equal(fs.statSync(path.join(t.mnt, 'new.txt')).mode & 0o7777, 0o640);
  assert.equal(f.seek(0, Seek.SEEK_SET), 0);
  assert.equal(w.read(f, 100), 'written by the guest');
  assertSameStat('/new.txt', path.join(t.mnt, 'new.txt'));
  // The host sees writes at once, and the guest sees the host's.
  fs.appendFileSync(path.join(t.mnt, 'new.txt'), '+host');
  assert.equal(w.readFile(c, '/new.txt'), 'written by the guest+host');
  assert.equal(w.open(c, '/new.txt', OpenFlag.O_CREAT | OpenFlag.O_EXCL | OpenFlag.O_WRONLY), -Errno.EEXIST);
  // O_TRUNC, O_APPEND.
  const g = w.must(c, '/new.txt', OpenFlag.O_WRONLY | OpenFlag.O_TRUNC | OpenFlag.O_APPEND);
  assert.equal(fs.statSync(path.join(t.mnt, 'new.txt')).size, 0);
  w.write(g, 'a');
  w.write(g, 'b');
  assert.equal(fs.readFileSync(path.join(t.mnt, 'new.txt'), 'utf8'), 'ab');
  // A non-root creator: the host file is theirs, with the umask applied.
  assert.equal(mkdirAt(c, CWD, '/pub', 0o777), 0);
  assert.equal(chmodAt(c, CWD, '/pub', 0o777, 0), 0);
  const alice = w.caller(ALICE, 0o027);
  const af = w.must(alice, '/pub/alice.txt', OpenFlag.O_CREAT | OpenFlag.O_WRONLY, 0o666);
  w.write(af, 'alice');
  const st = fs.statSync(path.join(t.mnt, 'pub', 'alice.txt'));
  assert.equal(st.uid, 1000);
  assert.equal(st.gid, 1000);
  assert.equal(st.mode & 0o7777, 0o640);
  assert.equal(mkdirAt(alice, CWD, '/pub/adir', 0o777), 0);
  assert.equal(fs.statSync(path.join(t.mnt, 'pub', 'adir')).mode & 0o7777, 0o750);
  assert.equal(fs.statSync(path.join(t.mnt, 'pub', 'adir')).uid, 1000);
  // Permission checks use the host's owner and mode.
  assert.equal(w.open(alice, '/new.txt', OpenFlag.O_WRONLY), -Errno.EACCES);
});

test('a large file through small guest memory segments, holes, SEEK_DATA/SEEK_HOLE, fsync', () => {
  const c = w.caller();
  const data = randomBytes(1_500_000);
  const f = w.must(c, '/big.bin', OpenFlag.O_CREAT | OpenFlag.O_RDWR, 0o644);
  w.mem.bytes.set(data, 0);
  assert.equal(f.write(w.mem, 0, data.length), data.length);
  assert.ok(fs.readFileSync(path.join(t.mnt, 'big.bin')).equals(data));
  w.mem.bytes.fill(0, 0, data.length);
  assert.equal(f.pread(w.mem, 0, data.length + 100, 0), data.length);
  assert.ok(Buffer.from(w.mem.bytes.subarray(0, data.length)).equals(data));
  assert.equal(f.pread(w.mem, 0, 10, data.length), 0);
  // A write far beyond the end leaves a hole.
  w.mem.bytes.set(Buffer.from('tail'), 0);
  const far = 64 * 1024 * 1024;
  assert.equal(f.pwrite(w.mem, 0, 4, far), 4);
  assert.equal(fs.statSync(path.join(t.mnt, 'big.bin')).size, far + 4);
  const hole = f.seek(data.length + 8192, Seek.SEEK_HOLE);
  assert.ok(hole >= data.length && hole <= far, `hole at ${hole}`);
  assert.ok(f.seek(data.length + 8192, Seek.SEEK_DATA) <= far);
  assert.equal(f.fsync(), 0);
  assert.equal(f.seek(far + 4, Seek.SEEK_DATA), -Errno.ENXIO);
});

test('rename, exchange, link, unlink and rmdir are done on the host', () => {
  const c = w.caller();
  fs.writeFileSync(path.join(t.mnt, 'r1'), 'one');
  fs.writeFileSync(path.join(t.mnt, 'r2'), 'two');
  const r1 = w.inode(c, '/r1');
  assert.equal(renameAt(c, CWD, '/r1', CWD, '/dir/moved', 0), 0);
  assert.ok(!fs.existsSync(path.join(t.mnt, 'r1')));
  assert.equal(fs.readFileSync(path.join(t.mnt, 'dir', 'moved'), 'utf8'), 'one');
  assert.equal(w.inode(c, '/dir/moved'), r1);
  // Replacing a file: the old one goes.
  assert.equal(renameAt(c, CWD, '/dir/moved', CWD, '/r2', 0), 0);
  assert.equal(fs.readFileSync(path.join(t.mnt, 'r2'), 'utf8'), 'one');
  assert.equal(renameAt(c, CWD, '/r2', CWD, '/file.txt', RenameFlag.RENAME_NOREPLACE), -Errno.EEXIST);
  // Exchange a file and a directory.
  assert.equal(mkdirAt(c, CWD, '/xd', 0o755), 0);
  assert.equal(renameAt(c, CWD, '/r2', CWD, '/xd', RenameFlag.RENAME_EXCHANGE), 0);
  assert.ok(fs.lstatSync(path.join(t.mnt, 'r2')).isDirectory());
  assert.equal(fs.readFileSync(path.join(t.mnt, 'xd'), 'utf8'), 'one');
  assert.equal(w.inode(c, '/xd'), r1);
  assert.equal(w.inode(c, '/r2').type, FileMode.S_IFDIR);
  // A directory moves with its contents, and reopening inside it still works.
  fs.writeFileSync(path.join(t.mnt, 'r2', 'inner'), 'inner');
  assert.equal(w.readFile(c, '/r2/inner'), 'inner');
  assert.equal(renameAt(c, CWD, '/r2', CWD, '/dir/deep/r2', 0), 0);
  assert.equal(w.readFile(c, '/dir/deep/r2/inner'), 'inner');
  assert.equal(rmdirAt(c, CWD, '/dir/deep/r2'), -Errno.ENOTEMPTY);
  assert.equal(unlinkAt(c, CWD, '/dir/deep/r2/inner', 0), 0);
  assert.equal(rmdirAt(c, CWD, '/dir/deep/r2'), 0);
  assert.ok(!fs.existsSync(path.join(t.mnt, 'dir', 'deep', 'r2')));
  // Hard links through the VFS.
  assert.equal(linkAt(c, CWD, '/xd', CWD, '/dir/xd-link', 0), 0);
  assert.equal(fs.statSync(path.join(t.mnt, 'dir', 'xd-link')).ino, fs.statSync(path.join(t.mnt, 'xd')).ino);
  assert.equal(w.inode(c, '/dir/xd-link'), r1);
  assert.equal(r1.getattr().nlink, 2);
  // An open file outlives its names.
  const open = w.must(c, '/xd', OpenFlag.O_RDONLY);
  assert.equal(unlinkAt(c, CWD, '/xd', 0), 0);
  assert.equal(unlinkAt(c, CWD, '/dir/xd-link', 0), 0);
  assert.ok(!fs.existsSync(path.join(t.mnt, 'xd')));
  assert.equal(r1.getattr().nlink, 0);
  assert.equal(w.read(open, 10), 'one');
  assert.equal(unlinkAt(c, CWD, '/dir', 0), -Errno.EISDIR);
  assert.equal(rmdirAt(c, CWD, '/file.txt'), -Errno.ENOTDIR);
  // Symlinks, FIFOs and sockets made by the guest.
  assert.equal(symlinkAt(c, '../some/where', CWD, '/dir/sl'), 0);
  assert.equal(fs.readlinkSync(path.join(t.mnt, 'dir', 'sl')), '../some/where');
  assert.equal(mknodAt(c, CWD, '/dir/pipe', FileMode.S_IFIFO | 0o600, 0), 0);
  assert.ok(fs.lstatSync(path.join(t.mnt, 'dir', 'pipe')).isFIFO());
  assert.equal(fs.lstatSync(path.join(t.mnt, 'dir', 'pipe')).mode & 0o777, 0o600);
  assert.equal(mknodAt(c, CWD, '/dir/null', FileMode.S_IFCHR | 0o666, makeDev(1, 3)), 0);
  assert.equal(fs.lstatSync(path.join(t.mnt, 'dir', 'null')).rdev, makeDev(1, 3));
  assertSameStat('/dir/null', path.join(t.mnt, 'dir', 'null'));
});

test('attributes: chmod, chown, utimens, truncate, fallocate reach the host', () => {
  const c = w.caller();
  fs.writeFileSync(path.join(t.mnt, 'attr'), '0123456789');
  const hp = path.join(t.mnt, 'attr');
  assert.equal(chmodAt(c, CWD, '/attr', 0o4751, 0), 0);
  assert.equal(fs.statSync(hp).mode & 0o7777, 0o4751);
  assert.equal(chownAt(c, CWD, '/attr', 1234, 5678, 0), 0);
  assert.equal(fs.statSync(hp).uid, 1234);
  assert.equal(fs.statSync(hp).gid, 5678);
  // chown cleared set-user-ID (the VFS asked for it).
  assert.equal(fs.statSync(hp).mode & 0o7777, 0o751);
  assert.equal(chownAt(c, CWD, '/link_rel', 42, 43, At.AT_SYMLINK_NOFOLLOW), 0);
  assert.equal(fs.lstatSync(path.join(t.mnt, 'link_rel')).uid, 42);
  assert.equal(fs.statSync(path.join(t.mnt, 'link_rel')).uid, 0);
  const p = w.lookup(c, '/attr');
  assert.ok(typeof p !== 'number');
  assert.equal(utimensPath(c, p, { sec: 1_000_000, nsec: 5 }, { sec: 2_000_000, nsec: 7 }), 0);
  const st = fs.statSync(hp, { bigint: true });
  assert.equal(st.atimeNs, 1_000_000_000_000_005n);
  assert.equal(st.mtimeNs, 2_000_000_000_000_007n);
  assert.equal(utimensPath(c, p, 'omit', { sec: 3, nsec: 0 }), 0);
  assert.equal(fs.statSync(hp, { bigint: true }).atimeNs, 1_000_000_000_000_005n);
  assertSameStat('/attr', hp);
  assert.equal(truncatePath(c, p, 4), 0);
  assert.equal(fs.readFileSync(hp, 'utf8'), '0123');
  const f = w.must(c, '/attr', OpenFlag.O_RDWR);
  assert.equal(ftruncate(c, f, 100), 0);
  assert.equal(fs.statSync(hp).size, 100);
  assert.equal(fallocate(f, 0, 0, 1 << 20), 0);
  assert.equal(fs.statSync(hp).size, 1 << 20);
  assert.equal(fallocate(f, FallocFlag.FALLOC_FL_KEEP_SIZE, 0, 2 << 20), 0);
  assert.equal(fs.statSync(hp).size, 1 << 20);
  assert.ok(fs.statSync(hp).blocks >= 4096);
  assertSameStat('/attr', hp);
  const sf = statfsPath(p);
  const hs = fs.statfsSync(hp);
  assert.equal(sf.type, hs.type);
  assert.equal(sf.bsize, hs.bsize);
  assert.equal(sf.blocks, hs.blocks);
});

test('extended attributes are stored on the host file', () => {
  const c = w.caller();
  fs.writeFileSync(path.join(t.mnt, 'xa'), '');
  const p = w.lookup(c, '/xa');
  const d = w.lookup(c, '/dir');
  assert.ok(typeof p !== 'number' && typeof d !== 'number');
  assert.equal(getxattrPath(c, p, 'user.k', 100), -Errno.ENODATA);
  const v = new Uint8Array([1, 2, 3, 0, 255]);
  assert.equal(setxattrPath(c, p, 'user.k', v, 0), 0);
  assert.equal(setxattrPath(c, p, 'user.k', v, 1), -Errno.EEXIST);
  assert.equal(setxattrPath(c, p, 'user.none', v, 2), -Errno.ENODATA);
  assert.equal(setxattrPath(c, d, 'user.d', new Uint8Array([9]), 0), 0);
  // A second mount of the same directory reads them from the host.
  const other = createHostFs(t.mnt);
  const x = other.root.lookup('xa');
  assert.ok(typeof x !== 'number');
  assert.deepEqual(x.getxattr('user.k'), v);
  const dd = other.root.lookup('dir');
  assert.ok(typeof dd !== 'number');
  assert.deepEqual(dd.getxattr('user.d'), new Uint8Array([9]));
  const list = listxattrPath(c, p, 1000);
  assert.ok(typeof list !== 'number');
  assert.ok(Buffer.from(list).toString('latin1').split('\0').includes('user.k'));
  assert.equal(removexattrPath(c, p, 'user.k'), 0);
  assert.equal(x.getxattr('user.k'), -Errno.ENODATA);
  assert.equal(removexattrPath(c, p, 'user.k'), -Errno.ENODATA);
  other.release();
});

test('O_TMPFILE: an unnamed host file, named later with linkat(AT_EMPTY_PATH)', () => {
  const c = w.caller();
  const before = fs.readdirSync(path.join(t.mnt, 'dir')).sort();
  const f = w.must(c, '/dir', OpenFlag.O_TMPFILE | OpenFlag.O_RDWR, 0o600);
  assert.equal(w.write(f, 'tmp data'), 8);
  assert.deepEqual(fs.readdirSync(path.join(t.mnt, 'dir')).sort(), before);
  assert.equal(f.inode.getattr().nlink, 0);
  const fd = [...w.fds].find(([, x]) => x === f)![0];
  assert.equal(linkAt(c, fd, '', CWD, '/dir/named', At.AT_EMPTY_PATH), 0);
  assert.equal(fs.readFileSync(path.join(t.mnt, 'dir', 'named'), 'utf8'), 'tmp data');
  assert.equal(fs.statSync(path.join(t.mnt, 'dir', 'named')).mode & 0o777, 0o600);
  assert.equal(w.inode(c, '/dir/named'), f.inode);
});

test('names with any byte but "/" and NUL round-trip', () => {
  const c = w.caller();
  const name = 'caf\u00e9 \u00ff\u0001x';
  const f = w.must(c, `/${name}`, OpenFlag.O_CREAT | OpenFlag.O_WRONLY, 0o644);
  w.write(f, 'bytes');
  const hostName = Buffer.from(name, 'latin1');
  const entries = fs.readdirSync(Buffer.from(t.mnt), { encoding: 'buffer' });
  assert.ok(entries.some((e) => e.equals(hostName)));
  const listed = w.list(c, '/');
  assert.ok(typeof listed !== 'number' && listed.some((e) => e.name === name));
  const long = 'n'.repeat(256);
  assert.equal(w.open(c, `/${long}`, OpenFlag.O_CREAT | OpenFlag.O_WRONLY), -Errno.ENAMETOOLONG);
});

test('a bind mount of a host file: the root is the file itself', () => {
  const hp = path.join(t.mnt, 'dir', 'bound.txt');
  fs.writeFileSync(hp, 'bound');
  fs.symlinkSync(hp, path.join(t.outer, 'to-bound'));
  for (const source of [hp, path.join(t.outer, 'to-bound')]) {
    const hfs = createHostFs(source);
    assert.equal(hfs.root.type, FileMode.S_IFREG);
    assert.equal(hfs.root.ino, fs.statSync(hp).ino);
    assert.equal(hfs.root.lookup('x'), -Errno.ENOTDIR);
    // Mounted over a file of the tree.
    const at = w.lookup(w.caller(), '/file.txt');
    assert.ok(typeof at !== 'number');
    const m = w.ns.mount(hfs, at, 0);
    assert.ok(typeof m !== 'number');
    const c = w.caller();
    assert.equal(w.readFile(c, '/file.txt'), 'bound');
    const f = w.must(c, '/file.txt', OpenFlag.O_WRONLY | OpenFlag.O_APPEND);
    w.write(f, '+more');
    assert.equal(fs.readFileSync(hp, 'utf8'), 'bound+more');
    fs.writeFileSync(hp, 'bound');
    assert.equal(w.ns.umount({ mount: m, dentry: m.root }, 2), 0);
    hfs.release();
  }
  assert.equal(w.readFile(w.caller(), '/file.txt'), 'hello host');
  fs.unlinkSync(path.join(t.outer, 'to-bound'));
  // A symlink to a directory is followed too.
  fs.symlinkSync(t.mnt, path.join(t.outer, 'to-mnt'));
  const d = createHostFs(path.join(t.outer, 'to-mnt'));
  assert.equal(d.root.ino, fs.statSync(t.mnt).ino);
  d.release();
  fs.unlinkSync(path.join(t.outer, 'to-mnt'));
});
