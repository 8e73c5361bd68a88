// The merged view of an overlay: lookups and readdir over both layers,
// whiteouts, opaque directories, emptiness of merged directories, readdir
// cookies under change, inode numbers, statfs; and after a mixed workload,
// a lower layer unchanged byte for byte.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag, Seek } from '../../src/abi/linux/fcntl.js';
import { FileMode } from '../../src/abi/linux/stat.js';
import { OVERLAYFS_SUPER_MAGIC, UPPER_INO_BASE } from '../../src/fs/overlay/overlay.js';
import { TMPFS_MAGIC } from '../../src/fs/tmpfs/tmpfs.js';
import { chmodAt, statfsPath } from '../../src/vfs/attr_ops.js';
import { fillDirents64 } from '../../src/vfs/dir_ops.js';
import { dtType, type DirEntry } from '../../src/vfs/inode.js';
import { linkAt, mkdirAt, renameAt, rmdirAt, symlinkAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { CWD, OverlayWorld, snapshot, sorted } from './overlay_fixture.test.js';

test('merged view: lower files, directories and links read through the overlay with their attributes', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  assert.equal(w.cat(c, '/bin/sh'), '#!elf');
  assert.equal(w.cat(c, '/bin/link'), '#!elf');
  const shadow = w.stat(c, '/etc/shadow');
  assert.ok(typeof shadow !== 'number');
  const lowerShadow = w.lower.fs.root.lookup('etc');
  assert.ok(typeof lowerShadow !== 'number');
  const ls = lowerShadow.lookup('shadow');
  assert.ok(typeof ls !== 'number');
  assert.equal(shadow.mode, FileMode.S_IFREG | 0o640);
  assert.equal(shadow.gid, 42);
  assert.equal(shadow.ino, ls.ino);
  assert.equal(shadow.dev, w.ov.dev);
  assert.deepEqual(shadow.mtime, ls.getattr().mtime);
  const link = w.stat(c, '/bin/link');
  assert.ok(typeof link !== 'number');
  assert.equal(link.mode & FileMode.S_IFMT, FileMode.S_IFLNK);
  assert.equal(w.inode(c, '/bin/link').readlink(), 'sh');
  assert.equal(w.stat(c, '/nothing'), -Errno.ENOENT);
  assert.equal(w.stat(c, '/etc/passwd/x'), -Errno.ENOTDIR);
  // The root looks like the lower root.
  const root = w.stat(c, '/');
  assert.ok(typeof root !== 'number');
  assert.equal(root.mode, FileMode.S_IFDIR | 0o755);
  assert.equal(root.ino, w.lower.fs.root.ino);
  w.assertLowerUnchanged();
});

test('readdir merges both layers: upper entries shadow lower ones, each name once, types and inode numbers as stat says', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  w.put(c, '/etc/new', 'n');
  w.put(c, '/etc/hosts', 'replaced');
  assert.equal(mkdirAt(c, CWD, '/etc/newdir', 0o755), 0);
  assert.equal(symlinkAt(c, 'passwd', CWD, '/etc/pw'), 0);
  const list = w.entries(c, '/etc');
  assert.deepEqual(sorted(list.map((e) => e.name)), ['hosts', 'new', 'newdir', 'passwd', 'pw', 'shadow']);
  for (const e of list) {
    const st = w.stat(c, `/etc/${e.name}`);
    assert.ok(typeof st !== 'number');
    assert.equal(e.ino, st.ino, `d_ino of ${e.name}`);
    assert.equal(e.type, dtType(st.mode), `d_type of ${e.name}`);
  }
  assert.equal(w.cat(c, '/etc/hosts'), 'replaced');
  // "." and ".." carry the directory's and the parent's inode numbers.
  const f = w.must(c, '/etc', OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY);
  const dots: DirEntry[] = [];
  f.readdir((e) => {
    dots.push(e);
    return dots.length < 2;
  });
  const etc = w.stat(c, '/etc');
  const root = w.stat(c, '/');
  assert.ok(typeof etc !== 'number' && typeof root !== 'number');
  assert.deepEqual(dots.map((e) => [e.name, e.ino]), [['.', etc.ino], ['..', root.ino]]);
  f.decRef();
  w.assertLowerUnchanged();
});

test('whiteouts: deleted lower files and directories stay hidden from lookup, readdir and re-creation checks', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  assert.equal(unlinkAt(c, CWD, '/etc/passwd', 0), 0);
  assert.equal(unlinkAt(c, CWD, '/bin/link', 0), 0);
  assert.equal(rmdirAt(c, CWD, '/empty'), 0);
  assert.equal(unlinkAt(c, CWD, '/fifo', 0), 0);
  assert.equal(w.stat(c, '/etc/passwd'), -Errno.ENOENT);
  assert.equal(w.stat(c, '/bin/link'), -Errno.ENOENT);
  assert.equal(w.stat(c, '/empty'), -Errno.ENOENT);
  assert.equal(w.open(c, '/etc/passwd', OpenFlag.O_RDONLY), -Errno.ENOENT);
  assert.equal(unlinkAt(c, CWD, '/etc/passwd', 0), -Errno.ENOENT);
  assert.equal(rmdirAt(c, CWD, '/empty'), -Errno.ENOENT);
  assert.deepEqual(sorted(w.ls(c, '/etc')), ['hosts', 'shadow']);
  assert.deepEqual(sorted(w.ls(c, '/bin')), ['sh']);
  assert.ok(!w.ls(c, '/').includes('empty'));
  assert.ok(!w.ls(c, '/').includes('fifo'));
  // Nothing of the whiteouts is visible in the upper layer either (no device nodes, no marker xattrs).
  const upperEtc = w.upper.root.lookup('etc');
  assert.ok(typeof upperEtc !== 'number');
  assert.equal(upperEtc.getattr().size, 40);
  assert.deepEqual(upperEtc.listxattr(), []);
  // Re-creating a deleted name gives a new file in its place.
  w.put(c, '/etc/passwd', 'new passwd');
  assert.equal(w.cat(c, '/etc/passwd'), 'new passwd');
  assert.deepEqual(sorted(w.ls(c, '/etc')), ['hosts', 'passwd', 'shadow']);
  assert.equal(unlinkAt(c, CWD, '/etc/passwd', 0), 0);
  assert.equal(w.stat(c, '/etc/passwd'), -Errno.ENOENT);
  assert.deepEqual(sorted(w.ls(c, '/etc')), ['hosts', 'shadow']);
  // Deleting a file removes only that name: its lower hard link stays.
  assert.equal(unlinkAt(c, CWD, '/hard1', 0), 0);
  assert.equal(w.cat(c, '/hard2'), 'shared');
  w.assertLowerUnchanged();
});

test('opaque directories: a directory removed and made again shows none of the lower contents', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  for (const n of ['x', 'y', 'z']) assert.equal(unlinkAt(c, CWD, `/full/${n}`, 0), 0);
  assert.equal(rmdirAt(c, CWD, '/full'), -Errno.ENOTEMPTY);
  assert.equal(unlinkAt(c, CWD, '/full/sub/deep', 0), 0);
  assert.equal(rmdirAt(c, CWD, '/full/sub'), 0);
  assert.deepEqual(w.ls(c, '/full'), []);
  assert.equal(rmdirAt(c, CWD, '/full'), 0);
  assert.equal(mkdirAt(c, CWD, '/full', 0o700), 0);
  assert.deepEqual(w.ls(c, '/full'), []);
  assert.equal(w.stat(c, '/full/x'), -Errno.ENOENT);
  assert.equal(w.stat(c, '/full/sub'), -Errno.ENOENT);
  const st = w.stat(c, '/full');
  assert.ok(typeof st !== 'number');
  assert.equal(st.mode, FileMode.S_IFDIR | 0o700);
  assert.equal(st.nlink, 2);
  assert.ok(st.ino > UPPER_INO_BASE);
  // Names of the hidden lower directory can be made afresh, and the new directory can go again.
  w.put(c, '/full/x', 'new x');
  assert.deepEqual(w.ls(c, '/full'), ['x']);
  assert.equal(unlinkAt(c, CWD, '/full/x', 0), 0);
  assert.equal(rmdirAt(c, CWD, '/full'), 0);
  assert.equal(w.stat(c, '/full'), -Errno.ENOENT);
  // A file replaced by a directory: the directory is opaque too.
  assert.equal(unlinkAt(c, CWD, '/hard1', 0), 0);
  assert.equal(mkdirAt(c, CWD, '/hard1', 0o755), 0);
  assert.deepEqual(w.ls(c, '/hard1'), []);
  // A lower directory replaced by a file.
  assert.equal(rmdirAt(c, CWD, '/empty'), 0);
  w.put(c, '/empty', 'a file now');
  assert.equal(w.cat(c, '/empty'), 'a file now');
  w.assertLowerUnchanged();
});

test('ENOTEMPTY for merged directories with only lower entries; empty once every entry is whited out', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  assert.equal(rmdirAt(c, CWD, '/usr/lib'), -Errno.ENOTEMPTY);
  assert.equal(rmdirAt(c, CWD, '/usr'), -Errno.ENOTEMPTY);
  // Copied up (merged) with lower entries still visible.
  assert.equal(chmodAt(c, CWD, '/usr/lib', 0o700, 0), 0);
  assert.equal(rmdirAt(c, CWD, '/usr/lib'), -Errno.ENOTEMPTY);
  assert.equal(unlinkAt(c, CWD, '/usr/lib/a.so', 0), 0);
  assert.equal(rmdirAt(c, CWD, '/usr/lib'), -Errno.ENOTEMPTY);
  // One lower entry gone, one upper entry added: still not empty.
  assert.equal(unlinkAt(c, CWD, '/usr/lib/b.so', 0), 0);
  w.put(c, '/usr/lib/c.so', 'C');
  assert.equal(rmdirAt(c, CWD, '/usr/lib'), -Errno.ENOTEMPTY);
  assert.equal(renameAt(c, CWD, '/empty', CWD, '/usr/lib', 0), -Errno.ENOTEMPTY);
  assert.equal(unlinkAt(c, CWD, '/usr/lib/c.so', 0), 0);
  assert.equal(rmdirAt(c, CWD, '/usr/lib'), 0);
  assert.deepEqual(w.ls(c, '/usr'), ['share']);
  // A lower-only empty directory goes at once; the lower root's directories are not empty.
  assert.equal(rmdirAt(c, CWD, '/empty'), 0);
  assert.equal(rmdirAt(c, CWD, '/home'), -Errno.ENOTEMPTY);
  assert.equal(renameAt(c, CWD, '/data', CWD, '/home', 0), -Errno.ENOTEMPTY);
  w.assertLowerUnchanged();
});

/** Reads a directory in steps of `step` entries through getdents64, calling between() after each step. */
function readInSteps(w: OverlayWorld, c: ReturnType<OverlayWorld['caller']>, path: string, step: number, between: (round: number) => void): string[] {
  const f = w.must(c, path, OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY);
  const names: string[] = [];
  for (let round = 0; ; round++) {
    let n = 0;
    const r = f.readdir((e) => {
      if (n === step) return false;
      n++;
      if (e.name !== '.' && e.name !== '..') names.push(e.name);
      return true;
    });
    assert.equal(r, 0);
    if (n === 0) break;
    between(round);
  }
  f.decRef();
  return names;
}

test('readdir cookies stay valid while entries are added, removed, copied up and re-created', () => {
  const prepare = (c: ReturnType<OverlayWorld['caller']>, b: import('./overlay_fixture.test.js').LowerBuilder): void => {
    b.mkdir(c, '/d');
    for (let i = 0; i < 40; i++) b.file(c, `/d/l${String(i).padStart(2, '0')}`, `lower ${i}`);
  };
  const w = new OverlayWorld({ prepare });
  const c = w.caller();
  for (let i = 0; i < 10; i++) w.put(c, `/d/u${i}`, `upper ${i}`);
  const all = w.ls(c, '/d');
  assert.equal(all.length, 50);
  const removed = new Set<string>();
  const added = new Set<string>();
  const seen = readInSteps(w, c, '/d', 3, (round) => {
    // Change things during the first rounds only: a reader that keeps finding new entries never ends.
    if (round >= 15) return;
    // Remove one lower and one upper name ahead of or behind the cursor, add a new one, copy one up, re-create one.
    const lowerVictim = `l${String((round * 7) % 40).padStart(2, '0')}`;
    if (!removed.has(lowerVictim) && unlinkAt(c, CWD, `/d/${lowerVictim}`, 0) === 0) removed.add(lowerVictim);
    const upperVictim = `u${round % 10}`;
    if (!removed.has(upperVictim) && unlinkAt(c, CWD, `/d/${upperVictim}`, 0) === 0) removed.add(upperVictim);
    const fresh = `n${round}`;
    w.put(c, `/d/${fresh}`, 'new');
    added.add(fresh);
    const survivor = `l${String((round * 11 + 5) % 40).padStart(2, '0')}`;
    if (!removed.has(survivor)) assert.equal(chmodAt(c, CWD, `/d/${survivor}`, 0o600, 0), 0);
    if (round === 4 && removed.has('l00')) {
      // Re-created under a removed name: it may be seen or not, but only once.
      w.put(c, '/d/l00', 'again');
      removed.delete('l00');
      added.add('l00');
    }
  });
  // Never repeated.
  assert.equal(new Set(seen).size, seen.length, `repeated: ${seen.join(',')}`);
  // Nothing that was there throughout is lost.
  for (const name of all) if (!removed.has(name) && !added.has(name)) assert.ok(seen.includes(name), `lost ${name}`);
  // Nothing that never existed appears.
  for (const name of seen) assert.ok(all.includes(name) || added.has(name), `unknown ${name}`);
  w.assertLowerUnchanged();
});

test('readdir: a cookie from telldir resumes at the same place after changes (lseek to d_off)', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  w.put(c, '/full/u1', '1');
  w.put(c, '/full/u2', '2');
  const f = w.must(c, '/full', OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY);
  const buf = new Uint8Array(4096);
  const n = fillDirents64(f, buf);
  assert.ok(n > 0);
  // Walk the records: name -> d_off.
  const dv = new DataView(buf.buffer);
  const offs = new Map<string, number>();
  for (let off = 0; off < n;) {
    const reclen = dv.getUint16(off + 16, true);
    let end = off + 19;
    while (buf[end] !== 0) end++;
    offs.set(Buffer.from(buf.subarray(off + 19, end)).toString('latin1'), Number(dv.getBigInt64(off + 8, true)));
    off += reclen;
  }
  const order = w.ls(c, '/full');
  assert.deepEqual(order, ['x', 'y', 'z', 'sub', 'u1', 'u2']);
  // Resume after "y" once "x" and "z" changed layers and "u1" went away.
  assert.equal(chmodAt(c, CWD, '/full/z', 0o600, 0), 0);
  assert.equal(unlinkAt(c, CWD, '/full/x', 0), 0);
  assert.equal(unlinkAt(c, CWD, '/full/u1', 0), 0);
  assert.equal(f.seek(offs.get('y')!, Seek.SEEK_SET), offs.get('y'));
  const rest: string[] = [];
  f.readdir((e) => {
    rest.push(e.name);
    return true;
  });
  assert.deepEqual(rest, ['z', 'sub', 'u2']);
  f.decRef();
});

test('inode numbers: stable across copy-up, distinct between files, upper-born files above the lower range', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  const before = w.stat(c, '/etc/hosts');
  assert.ok(typeof before !== 'number');
  assert.equal(chmodAt(c, CWD, '/etc/hosts', 0o600, 0), 0);
  const after = w.stat(c, '/etc/hosts');
  assert.ok(typeof after !== 'number');
  assert.equal(after.ino, before.ino);
  assert.equal(after.dev, before.dev);
  w.put(c, '/etc/fresh', 'f');
  const fresh = w.stat(c, '/etc/fresh');
  assert.ok(typeof fresh !== 'number');
  assert.ok(fresh.ino > UPPER_INO_BASE);
  // Every visible file has its own number (hard links share theirs).
  const seen = new Map<number, string>();
  const walk = (path: string): void => {
    for (const name of w.ls(c, path)) {
      const p = path === '/' ? `/${name}` : `${path}/${name}`;
      const st = w.stat(c, p);
      assert.ok(typeof st !== 'number');
      const other = seen.get(st.ino);
      if (other !== undefined) assert.deepEqual(sorted([other, p]), ['/hard1', '/hard2'], `${p} and ${other} share ${st.ino}`);
      seen.set(st.ino, p);
      if ((st.mode & FileMode.S_IFMT) === FileMode.S_IFDIR) walk(p);
    }
  };
  walk('/');
  // After the overlay's dentries are gone, looking the file up again gives the same number.
  const again = w.ov.root.lookup('etc');
  assert.ok(typeof again !== 'number');
  const hosts = again.lookup('hosts');
  assert.ok(typeof hosts !== 'number');
  assert.equal(hosts.ino, before.ino);
});

test('statfs: the upper layer\'s numbers with the overlay\'s magic', () => {
  const w = new OverlayWorld({ upper: { maxBytes: 1 << 20, maxInodes: 100 } });
  const c = w.caller();
  const v = statfsPath(w.at(c, '/'));
  assert.equal(v.type, OVERLAYFS_SUPER_MAGIC);
  assert.notEqual(v.type, TMPFS_MAGIC);
  assert.equal(v.blocks, 256);
  assert.equal(v.files, 100);
  assert.equal(v.namelen, 255);
  w.put(c, '/etc/new', 'x'.repeat(5000));
  const v2 = statfsPath(w.at(c, '/'));
  assert.equal(v2.bfree, v.bfree - 2);
});

test('merged directories report nlink 1; lower-only and upper-only ones their own count', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  const usr = w.stat(c, '/usr');
  assert.ok(typeof usr !== 'number');
  assert.equal(usr.nlink, 4);
  w.put(c, '/usr/new', 'n');
  const merged = w.stat(c, '/usr');
  assert.ok(typeof merged !== 'number');
  assert.equal(merged.nlink, 1);
  assert.equal(mkdirAt(c, CWD, '/mine', 0o755), 0);
  assert.equal(mkdirAt(c, CWD, '/mine/a', 0o755), 0);
  const mine = w.stat(c, '/mine');
  assert.ok(typeof mine !== 'number');
  assert.equal(mine.nlink, 3);
});

test('a mixed workload changes the merged view and never the lower layer', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  w.put(c, '/etc/motd', 'hello');
  const f = w.must(c, '/etc/passwd', OpenFlag.O_WRONLY | OpenFlag.O_APPEND);
  assert.equal(w.write(f, 'alice:x:1000:1000::/home/alice:/bin/sh\n'), 39);
  f.decRef();
  assert.equal(renameAt(c, CWD, '/usr/lib/a.so', CWD, '/usr/lib/a.so.1', 0), 0);
  assert.equal(renameAt(c, CWD, '/usr/share', CWD, '/share', 0), 0);
  assert.equal(unlinkAt(c, CWD, '/data/big', 0), 0);
  assert.equal(rmdirAt(c, CWD, '/empty'), 0);
  assert.equal(mkdirAt(c, CWD, '/empty', 0o755), 0);
  assert.equal(mkdirAt(c, CWD, '/home/bob', 0o755), 0);
  assert.equal(chmodAt(c, CWD, '/bin/sh', 0o700, 0), 0);
  assert.equal(symlinkAt(c, '/share/doc', CWD, '/doc'), 0);
  assert.equal(linkAt(c, CWD, '/bin/sh', CWD, '/bin/sh2', 0), 0);
  assert.equal(linkAt(c, CWD, '/etc/hosts', CWD, '/hosts', 0), 0);
  assert.equal(w.cat(c, '/etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n');
  assert.equal(w.cat(c, '/doc/readme'), 'read me');
  assert.equal(w.cat(c, '/share/doc/readme'), 'read me');
  assert.equal(w.stat(c, '/usr/share'), -Errno.ENOENT);
  assert.deepEqual(sorted(w.ls(c, '/usr/lib')), ['a.so.1', 'b.so']);
  assert.deepEqual(sorted(w.ls(c, '/bin')), ['link', 'sh', 'sh2']);
  const sh = w.stat(c, '/bin/sh');
  const sh2 = w.stat(c, '/bin/sh2');
  assert.ok(typeof sh !== 'number' && typeof sh2 !== 'number');
  assert.equal(sh.nlink, 2);
  assert.equal(sh.ino, sh2.ino);
  assert.equal(sh.mode, FileMode.S_IFREG | 0o700);
  assert.deepEqual(sorted(w.ls(c, '/')), ['bin', 'data', 'doc', 'empty', 'etc', 'fifo', 'full', 'hard1', 'hard2', 'home', 'hosts', 'share', 'suid', 'usr']);
  assert.deepEqual(w.ls(c, '/empty'), []);
  assert.deepEqual(sorted(w.ls(c, '/data')), ['sparse']);
  w.assertLowerUnchanged();
  // The merged tree as a whole is readable end to end through the Inode interface.
  const merged = snapshot(w.ov.root);
  assert.equal(Object.keys(merged.entries!).length, 14);
  assert.equal(w.guard.refs, 0);
});
