// rename(2) / renameat2(2) on an overlay: a matrix over lower-only,
// upper-only, copied-up and merged entries (files and directories, over
// whiteouts, NOREPLACE and EXCHANGE), each case checked for its errno and
// for the merged view afterwards; renamed merged directories (redirects);
// the lower layer unchanged throughout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { FileMode } from '../../src/abi/linux/stat.js';
import { chmodAt } from '../../src/vfs/attr_ops.js';
import { RenameFlag } from '../../src/vfs/inode.js';
import { mkdirAt, renameAt, rmdirAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { CWD, OverlayWorld, sorted } from './overlay_fixture.test.js';

type C = ReturnType<OverlayWorld['caller']>;

/** The standard tree plus upper entries: /uf1, /uf2 (files), /ud (empty), /udfull/f, /etc/hosts copied up, /usr merged. */
function setup(): { w: OverlayWorld; c: C } {
  const w = new OverlayWorld();
  const c = w.caller();
  w.put(c, '/uf1', 'upper one');
  w.put(c, '/uf2', 'upper two');
  assert.equal(mkdirAt(c, CWD, '/ud', 0o755), 0);
  assert.equal(mkdirAt(c, CWD, '/udfull', 0o755), 0);
  w.put(c, '/udfull/f', 'f');
  assert.equal(chmodAt(c, CWD, '/etc/hosts', 0o600, 0), 0);
  w.put(c, '/usr/new', 'new');
  return { w, c };
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\n';
const HOSTS = '127.0.0.1 localhost\n';
const { RENAME_NOREPLACE, RENAME_EXCHANGE } = { RENAME_NOREPLACE: RenameFlag.RENAME_NOREPLACE, RENAME_EXCHANGE: RenameFlag.RENAME_EXCHANGE };

interface Case {
  name: string;
  /** Extra set-up before the rename. */
  before?: (w: OverlayWorld, c: C) => void;
  from: string;
  to: string;
  flags?: number;
  want: number;
  /** Checks of the merged view afterwards (a failed rename must change nothing visible). */
  after?: (w: OverlayWorld, c: C) => void;
}

const gone = (w: OverlayWorld, c: C, p: string): void => assert.equal(w.stat(c, p), -Errno.ENOENT, `${p} should be gone`);
const has = (w: OverlayWorld, c: C, p: string, data: string): void => assert.equal(w.cat(c, p), data, p);
const dir = (w: OverlayWorld, c: C, p: string, names: string[]): void => assert.deepEqual(sorted(w.ls(c, p)), sorted(names), p);

const matrix: Case[] = [
  { name: 'lower file to a new name in its directory', from: '/etc/passwd', to: '/etc/pw', want: 0,
    after: (w, c) => { gone(w, c, '/etc/passwd'); has(w, c, '/etc/pw', PASSWD); dir(w, c, '/etc', ['pw', 'hosts', 'shadow']); } },
  { name: 'lower file to another lower directory', from: '/etc/passwd', to: '/usr/lib/passwd', want: 0,
    after: (w, c) => { gone(w, c, '/etc/passwd'); has(w, c, '/usr/lib/passwd', PASSWD); dir(w, c, '/usr/lib', ['a.so', 'b.so', 'passwd']); } },
  { name: 'lower file over a lower file', from: '/usr/lib/a.so', to: '/usr/lib/b.so', want: 0,
    after: (w, c) => { gone(w, c, '/usr/lib/a.so'); has(w, c, '/usr/lib/b.so', 'AAAA'); dir(w, c, '/usr/lib', ['b.so']); } },
  { name: 'lower file over a copied-up file', from: '/etc/passwd', to: '/etc/hosts', want: 0,
    after: (w, c) => { gone(w, c, '/etc/passwd'); has(w, c, '/etc/hosts', PASSWD); dir(w, c, '/etc', ['hosts', 'shadow']); } },
  { name: 'lower file over an upper file', from: '/etc/passwd', to: '/uf1', want: 0,
    after: (w, c) => { gone(w, c, '/etc/passwd'); has(w, c, '/uf1', PASSWD); } },
  { name: 'upper file over a lower file', from: '/uf1', to: '/etc/passwd', want: 0,
    after: (w, c) => { gone(w, c, '/uf1'); has(w, c, '/etc/passwd', 'upper one'); dir(w, c, '/etc', ['passwd', 'hosts', 'shadow']); } },
  { name: 'upper file into a lower-only directory', from: '/uf1', to: '/usr/share/doc/uf1', want: 0,
    after: (w, c) => { gone(w, c, '/uf1'); dir(w, c, '/usr/share/doc', ['readme', 'uf1']); } },
  { name: 'copied-up file to a new name', from: '/etc/hosts', to: '/hosts', want: 0,
    after: (w, c) => { gone(w, c, '/etc/hosts'); has(w, c, '/hosts', HOSTS); dir(w, c, '/etc', ['passwd', 'shadow']); } },
  { name: 'lower file over a lower directory', from: '/etc/passwd', to: '/empty', want: -Errno.EISDIR },
  { name: 'lower directory over a lower file', from: '/empty', to: '/etc/passwd', want: -Errno.ENOTDIR },
  { name: 'upper file over an upper directory', from: '/uf1', to: '/ud', want: -Errno.EISDIR },
  { name: 'lower empty directory over an upper empty directory', from: '/empty', to: '/ud', want: 0,
    after: (w, c) => { gone(w, c, '/empty'); dir(w, c, '/ud', []); } },
  { name: 'lower directory over a lower directory with entries', from: '/empty', to: '/full', want: -Errno.ENOTEMPTY,
    after: (w, c) => dir(w, c, '/full', ['sub', 'x', 'y', 'z']) },
  { name: 'upper directory over a lower directory with entries', from: '/ud', to: '/full/sub', want: -Errno.ENOTEMPTY },
  { name: 'upper directory over an upper directory with entries', from: '/ud', to: '/udfull', want: -Errno.ENOTEMPTY },
  { name: 'upper empty directory over a lower empty directory (stays opaque)', from: '/ud', to: '/empty', want: 0,
    after: (w, c) => { gone(w, c, '/ud'); dir(w, c, '/empty', []); } },
  { name: 'upper directory with entries over a lower empty directory', from: '/udfull', to: '/empty', want: 0,
    after: (w, c) => { gone(w, c, '/udfull'); dir(w, c, '/empty', ['f']); has(w, c, '/empty/f', 'f'); } },
  { name: 'lower directory with entries to a new name (redirect)', from: '/full', to: '/moved', want: 0,
    after: (w, c) => { gone(w, c, '/full'); dir(w, c, '/moved', ['sub', 'x', 'y', 'z']); has(w, c, '/moved/sub/deep', 'deep'); } },
  { name: 'lower directory with entries over an upper empty directory', from: '/full', to: '/ud', want: 0,
    after: (w, c) => { gone(w, c, '/full'); dir(w, c, '/ud', ['sub', 'x', 'y', 'z']); } },
  { name: 'merged directory into another directory', from: '/usr', to: '/home/usr', want: 0,
    after: (w, c) => { gone(w, c, '/usr'); dir(w, c, '/home/usr', ['lib', 'share', 'new']); has(w, c, '/home/usr/lib/a.so', 'AAAA'); has(w, c, '/home/usr/new', 'new'); } },
  { name: 'merged directory over an emptied merged directory', from: '/usr',
    before: (w, c) => { for (const n of ['x', 'y', 'z']) assert.equal(unlinkAt(c, CWD, `/full/${n}`, 0), 0); assert.equal(unlinkAt(c, CWD, '/full/sub/deep', 0), 0); assert.equal(rmdirAt(c, CWD, '/full/sub'), 0); },
    to: '/full', want: 0,
    after: (w, c) => { gone(w, c, '/usr'); dir(w, c, '/full', ['lib', 'share', 'new']); } },
  { name: 'directory into itself', from: '/usr', to: '/usr/lib/x', want: -Errno.EINVAL },
  { name: 'directory over its own ancestor', from: '/usr/lib', to: '/usr', want: -Errno.ENOTEMPTY },
  { name: 'two lower names of one file: nothing happens', from: '/hard1', to: '/hard2', want: 0,
    after: (w, c) => {
      has(w, c, '/hard1', 'shared');
      has(w, c, '/hard2', 'shared');
      // A later copy-up through either name lands under that name.
      w.put(c, '/hard2', 'two');
      has(w, c, '/hard2', 'two');
      has(w, c, '/hard1', 'shared');
      dir(w, c, '/', ['bin', 'data', 'empty', 'etc', 'fifo', 'full', 'hard1', 'hard2', 'home', 'suid', 'usr', 'uf1', 'uf2', 'ud', 'udfull']);
    } },
  { name: 'missing source', from: '/nothing', to: '/x', want: -Errno.ENOENT },
  { name: 'whited-out source', before: (_w, c) => assert.equal(unlinkAt(c, CWD, '/etc/passwd', 0), 0), from: '/etc/passwd', to: '/x', want: -Errno.ENOENT },
  { name: 'onto a whited-out name', before: (_w, c) => assert.equal(unlinkAt(c, CWD, '/usr/lib/b.so', 0), 0), from: '/usr/lib/a.so', to: '/usr/lib/b.so', want: 0,
    after: (w, c) => { dir(w, c, '/usr/lib', ['b.so']); has(w, c, '/usr/lib/b.so', 'AAAA'); } },
  { name: 'directory onto a whited-out directory name is opaque', before: (_w, c) => assert.equal(rmdirAt(c, CWD, '/empty'), 0), from: '/ud', to: '/empty', want: 0,
    after: (w, c) => dir(w, c, '/empty', []) },
  { name: 'NOREPLACE over a lower file', from: '/uf1', to: '/etc/passwd', flags: RENAME_NOREPLACE, want: -Errno.EEXIST,
    after: (w, c) => { has(w, c, '/uf1', 'upper one'); has(w, c, '/etc/passwd', PASSWD); } },
  { name: 'NOREPLACE onto a whited-out name', before: (_w, c) => assert.equal(unlinkAt(c, CWD, '/etc/passwd', 0), 0), from: '/etc/hosts', to: '/etc/passwd', flags: RENAME_NOREPLACE, want: 0,
    after: (w, c) => { has(w, c, '/etc/passwd', HOSTS); dir(w, c, '/etc', ['passwd', 'shadow']); } },
  { name: 'EXCHANGE lower file and upper file', from: '/etc/passwd', to: '/uf1', flags: RENAME_EXCHANGE, want: 0,
    after: (w, c) => { has(w, c, '/etc/passwd', 'upper one'); has(w, c, '/uf1', PASSWD); } },
  { name: 'EXCHANGE two lower files', from: '/usr/lib/a.so', to: '/usr/lib/b.so', flags: RENAME_EXCHANGE, want: 0,
    after: (w, c) => { has(w, c, '/usr/lib/a.so', 'BBBB'); has(w, c, '/usr/lib/b.so', 'AAAA'); } },
  { name: 'EXCHANGE lower directory and lower file', from: '/full', to: '/etc/hosts', flags: RENAME_EXCHANGE, want: 0,
    after: (w, c) => { has(w, c, '/full', HOSTS); dir(w, c, '/etc/hosts', ['sub', 'x', 'y', 'z']); } },
  { name: 'EXCHANGE lower directory and upper directory', from: '/full', to: '/udfull', flags: RENAME_EXCHANGE, want: 0,
    after: (w, c) => { dir(w, c, '/full', ['f']); dir(w, c, '/udfull', ['sub', 'x', 'y', 'z']); } },
  { name: 'EXCHANGE with a whited-out name', before: (_w, c) => assert.equal(unlinkAt(c, CWD, '/etc/passwd', 0), 0), from: '/uf1', to: '/etc/passwd', flags: RENAME_EXCHANGE, want: -Errno.ENOENT },
  { name: 'a name onto itself', from: '/etc/passwd', to: '/etc/passwd', want: 0, after: (w, c) => has(w, c, '/etc/passwd', PASSWD) },
];

for (const k of matrix) {
  test(`rename: ${k.name}`, () => {
    const { w, c } = setup();
    k.before?.(w, c);
    const fromBefore = w.stat(c, k.from);
    assert.equal(renameAt(c, CWD, k.from, CWD, k.to, k.flags ?? 0), k.want, `${k.from} -> ${k.to}`);
    if (k.want === 0 && typeof fromBefore !== 'number' && (k.flags ?? 0) !== RENAME_EXCHANGE && k.from !== k.to && !k.name.startsWith('two lower names')) {
      // The moved file keeps its inode number.
      const moved = w.stat(c, k.to);
      assert.ok(typeof moved !== 'number');
      assert.equal(moved.ino, fromBefore.ino);
      assert.equal(moved.mode, fromBefore.mode);
    }
    k.after?.(w, c);
    w.assertLowerUnchanged();
  });
}

test('a renamed lower directory keeps merging with its lower contents; changes inside land at the new place', () => {
  const { w, c } = setup();
  const f = w.must(c, '/usr/lib', OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY);
  assert.equal(renameAt(c, CWD, '/usr', CWD, '/opt', 0), 0);
  assert.equal(renameAt(c, CWD, '/opt/lib', CWD, '/lib', 0), 0);
  dir(w, c, '/lib', ['a.so', 'b.so']);
  // The descriptor opened before still lists the directory.
  const names: string[] = [];
  f.readdir((e) => {
    names.push(e.name);
    return true;
  });
  assert.deepEqual(sorted(names), ['.', '..', 'a.so', 'b.so']);
  f.decRef();
  // Changes inside the moved directory copy up to its new place.
  assert.equal(chmodAt(c, CWD, '/lib/a.so', 0o600, 0), 0);
  w.put(c, '/lib/c.so', 'C');
  assert.equal(unlinkAt(c, CWD, '/lib/b.so', 0), 0);
  dir(w, c, '/lib', ['a.so', 'c.so']);
  const a = w.stat(c, '/lib/a.so');
  assert.ok(typeof a !== 'number');
  assert.equal(a.mode, FileMode.S_IFREG | 0o600);
  // The old places are empty of it; making them again gives opaque directories.
  gone(w, c, '/usr');
  assert.equal(mkdirAt(c, CWD, '/usr', 0o755), 0);
  dir(w, c, '/usr', []);
  dir(w, c, '/opt', ['share', 'new']);
  // Moving it back restores the lower name, still merged.
  assert.equal(renameAt(c, CWD, '/lib', CWD, '/usr/lib', 0), 0);
  dir(w, c, '/usr/lib', ['a.so', 'c.so']);
  has(w, c, '/usr/lib/a.so', 'AAAA');
  // Emptying and removing it works in its new place.
  for (const n of ['a.so', 'c.so']) assert.equal(unlinkAt(c, CWD, `/usr/lib/${n}`, 0), 0);
  assert.equal(rmdirAt(c, CWD, '/usr/lib'), 0);
  dir(w, c, '/usr', []);
  w.assertLowerUnchanged();
});

test('rename keeps the overlay\'s view of open files: a renamed lower file written through an old descriptor', () => {
  const { w, c } = setup();
  const f = w.must(c, '/etc/passwd', OpenFlag.O_RDONLY);
  assert.equal(renameAt(c, CWD, '/etc/passwd', CWD, '/etc/passwd.old', 0), 0);
  w.put(c, '/etc/passwd', 'fresh');
  assert.equal(w.read(f, 4), 'root');
  has(w, c, '/etc/passwd.old', PASSWD);
  has(w, c, '/etc/passwd', 'fresh');
  f.decRef();
  w.assertLowerUnchanged();
});
