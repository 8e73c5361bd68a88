// inotify events from the VFS on the file systems the conformance programs
// do not reach: the overlay root (watches on lower files survive copy-up),
// a host directory (a removed host file's link count cannot be read any
// more), and the link-count rules on tmpfs (a name that is not the last one).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { IN_ALL_EVENTS, InMask } from '../../src/abi/linux/inotify.js';
import { At } from '../../src/abi/linux/stat.js';
import { Inotify, InotifyLimits } from '../../src/fs/anon/inotify.js';
import { chmodAt } from '../../src/vfs/attr_ops.js';
import { linkAt, renameAt, rmdirAt, unlinkAt } from '../../src/vfs/namei_ops.js';
import { ArrayMemory, World } from './vfs_fixture.test.js';
import { HostWorld, makeHostTree } from './hostfs_fixture.test.js';
import { OverlayWorld } from './overlay_fixture.test.js';

function instance(): Inotify {
  const g = new Inotify(OpenFlag.O_RDONLY | OpenFlag.O_NONBLOCK, new InotifyLimits(16384, 128, 1000), 0);
  g.incRef();
  return g;
}

/** The queued events as "wd:mask-hex:name". */
function events(g: Inotify): string[] {
  const mem = new ArrayMemory();
  const n = g.read(mem, 0, 1 << 16);
  if (typeof n !== 'number') throw new Error('blocked');
  if (n < 0) return [];
  const dv = new DataView(mem.bytes.buffer);
  const out: string[] = [];
  for (let off = 0; off < n;) {
    const len = dv.getUint32(off + 12, true);
    const name = Buffer.from(mem.bytes.subarray(off + 16, off + 16 + len)).toString('latin1').replace(/\0+$/, '');
    out.push(`${dv.getInt32(off, true)}:${dv.getUint32(off + 4, true).toString(16)}:${name}`);
    off += 16 + len;
  }
  return out;
}

test('overlay: a watch on a lower file keeps its events through copy-up; removal ends it', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  const g = instance();
  const d = g.addWatch(w.inode(c, '/home/alice'), IN_ALL_EVENTS);
  const f = g.addWatch(w.inode(c, '/home/alice/notes'), IN_ALL_EVENTS);
  const file = w.must(c, '/home/alice/notes', OpenFlag.O_WRONLY | OpenFlag.O_APPEND);
  w.mem.bytes.set([0x21], 0);
  assert.equal(file.write(w.mem, 0, 1), 1);
  file.decRef();
  assert.deepEqual(events(g), [
    `${d}:20:notes`, `${f}:20:`, `${d}:2:notes`, `${f}:2:`, `${d}:8:notes`, `${f}:8:`,
  ]);
  assert.equal(chmodAt(c, At.AT_FDCWD, '/home/alice/notes', 0o640, 0), 0);
  assert.deepEqual(events(g), [`${d}:4:notes`, `${f}:4:`]);
  assert.equal(unlinkAt(c, At.AT_FDCWD, '/home/alice/notes', 0), 0);
  assert.deepEqual(events(g), [`${f}:4:`, `${f}:400:`, `${f}:8000:`, `${d}:200:notes`]);
  assert.equal(g.watchCount, 1);
  w.assertLowerUnchanged();
  g.decRef();
});

test('overlay: moving a lower directory reports IN_ISDIR moves and its own IN_MOVE_SELF', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  const g = instance();
  const home = g.addWatch(w.inode(c, '/home'), IN_ALL_EVENTS);
  const alice = g.addWatch(w.inode(c, '/home/alice'), InMask.IN_MOVE_SELF);
  assert.equal(renameAt(c, At.AT_FDCWD, '/home/alice', At.AT_FDCWD, '/home/alicia', 0), 0);
  const evs = events(g);
  assert.deepEqual(evs.map((e) => e.replace(/^\d+/, (x) => (x === String(home) ? 'H' : x === String(alice) ? 'A' : x))), [
    'H:40000040:alice', 'H:40000080:alicia', 'A:800:',
  ]);
  w.assertLowerUnchanged();
  g.decRef();
});

test('tmpfs: removing a name that is not the last gives IN_ATTRIB and IN_DELETE, not IN_DELETE_SELF', () => {
  const w = new World();
  const c = w.caller();
  w.file(c, '/a', 'x');
  assert.equal(linkAt(c, At.AT_FDCWD, '/a', At.AT_FDCWD, '/b', 0), 0);
  const g = instance();
  const d = g.addWatch(w.inode(c, '/'), IN_ALL_EVENTS);
  const f = g.addWatch(w.inode(c, '/a'), IN_ALL_EVENTS);
  assert.equal(g.addWatch(w.inode(c, '/b'), IN_ALL_EVENTS), f);
  assert.equal(unlinkAt(c, At.AT_FDCWD, '/a', 0), 0);
  assert.deepEqual(events(g), [`${f}:4:`, `${d}:200:a`]);
  // The last name, while open: IN_DELETE_SELF waits for the close.
  const open = w.must(c, '/b', OpenFlag.O_RDONLY);
  events(g);
  assert.equal(unlinkAt(c, At.AT_FDCWD, '/b', 0), 0);
  assert.deepEqual(events(g), [`${f}:4:`, `${d}:200:b`]);
  open.decRef();
  assert.deepEqual(events(g), [`${d}:10:b`, `${f}:10:`, `${f}:400:`, `${f}:8000:`]);
  assert.equal(g.watchCount, 1);
  g.decRef();
});

test('host directory: removing watched files and directories reports IN_DELETE_SELF; a hard link does not', () => {
  const t = makeHostTree();
  const w = new HostWorld(t.mnt);
  try {
    const c = w.caller();
    const g = instance();
    const root = g.addWatch(w.inode(c, '/'), IN_ALL_EVENTS);
    const file = g.addWatch(w.inode(c, '/file.txt'), IN_ALL_EVENTS);
    const dir = g.addWatch(w.inode(c, '/empty'), IN_ALL_EVENTS);
    // file.txt has a second name (hard): not its last.
    assert.equal(unlinkAt(c, At.AT_FDCWD, '/file.txt', 0), 0);
    assert.deepEqual(events(g), [`${file}:4:`, `${root}:200:file.txt`]);
    assert.equal(unlinkAt(c, At.AT_FDCWD, '/hard', 0), 0);
    assert.deepEqual(events(g), [`${file}:4:`, `${file}:400:`, `${file}:8000:`, `${root}:200:hard`]);
    assert.equal(rmdirAt(c, At.AT_FDCWD, '/empty'), 0);
    assert.deepEqual(events(g), [`${dir}:400:`, `${dir}:8000:`, `${root}:40000200:empty`]);
    g.decRef();
  } finally {
    w.closeAll();
    w.fs.release();
    t.remove();
  }
});
