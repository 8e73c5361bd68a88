// The inotify instance (src/fs/anon/inotify.ts): its queue (coalescing,
// overflow), read(2) records, FIONREAD, watch descriptors, blocking reads,
// readiness, fdinfo, and what closing it does to the inodes it watched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { IN_ALL_EVENTS, InMask, INOTIFY_IOC_SETNEXTWD } from '../../src/abi/linux/inotify.js';
import { Ioctl } from '../../src/abi/linux/ioctl.js';
import { Poll } from '../../src/abi/linux/poll.js';
import { At, devMajor, devMinor } from '../../src/abi/linux/stat.js';
import { Inotify, InotifyLimits } from '../../src/fs/anon/inotify.js';
import { chmodAt } from '../../src/vfs/attr_ops.js';
import { anyMarks } from '../../src/vfs/inotify_marks.js';
import { ArrayMemory, World } from './vfs_fixture.test.js';

interface Ev {
  wd: number;
  mask: number;
  cookie: number;
  name: string;
}

/** Decodes n bytes of struct inotify_event records. */
function decode(mem: ArrayMemory, n: number): Ev[] {
  const dv = new DataView(mem.bytes.buffer);
  const out: Ev[] = [];
  for (let off = 0; off < n;) {
    const len = dv.getUint32(off + 12, true);
    const raw = mem.bytes.subarray(off + 16, off + 16 + len);
    const nul = raw.indexOf(0);
    out.push({
      wd: dv.getInt32(off, true),
      mask: dv.getUint32(off + 4, true),
      cookie: dv.getUint32(off + 8, true),
      name: Buffer.from(nul < 0 ? raw : raw.subarray(0, nul)).toString('latin1'),
    });
    off += 16 + len;
  }
  return out;
}

function readAll(g: Inotify, mem = new ArrayMemory()): Ev[] {
  const r = g.read(mem, 0, 1 << 20);
  if (typeof r !== 'number') throw new Error('read blocked');
  if (r === -Errno.EAGAIN) return [];
  assert.ok(r >= 0, `read: ${r}`);
  return decode(mem, r);
}

function setup(maxQueued = 16384): { w: World; c: ReturnType<World['caller']>; g: Inotify; limits: InotifyLimits } {
  const w = new World();
  const c = w.caller();
  w.file(c, '/a', 'x');
  w.file(c, '/long-name-of-20-byte', 'x');
  const limits = new InotifyLimits(maxQueued, 128, 1000);
  const g = new Inotify(OpenFlag.O_RDONLY | OpenFlag.O_NONBLOCK, limits, 0);
  g.incRef();
  return { w, c, g, limits };
}

test('records: names NUL-padded to 16 bytes, whole records only, EINVAL when the first does not fit', () => {
  const { w, c, g } = setup();
  const wd = g.addWatch(w.inode(c, '/'), InMask.IN_ATTRIB);
  assert.equal(wd, 1);
  assert.equal(chmodAt(c, At.AT_FDCWD, '/a', 0o600, 0), 0);
  assert.equal(chmodAt(c, At.AT_FDCWD, '/long-name-of-20-byte', 0o600, 0), 0);
  const mem = new ArrayMemory();
  // FIONREAD: 16 + 16 and 16 + 32 bytes.
  assert.equal(g.ioctl(mem, Ioctl.FIONREAD, 100), 0);
  assert.equal(new DataView(mem.bytes.buffer).getInt32(100, true), 80);
  assert.equal(g.read(mem, 0, 31), -Errno.EINVAL);
  assert.equal(g.read(mem, 0, 0), -Errno.EINVAL);
  mem.bytes.fill(0xff);
  assert.equal(g.read(mem, 0, 79), 32);
  assert.deepEqual(decode(mem, 32), [{ wd, mask: InMask.IN_ATTRIB, cookie: 0, name: 'a' }]);
  assert.deepEqual([...mem.bytes.subarray(17, 32)], new Array(15).fill(0));
  assert.equal(g.read(mem, 0, 48), 48);
  assert.deepEqual(decode(mem, 48), [{ wd, mask: InMask.IN_ATTRIB, cookie: 0, name: 'long-name-of-20-byte' }]);
  assert.equal(g.read(mem, 0, 100), -Errno.EAGAIN);
  // An event that cannot be copied out is lost.
  assert.equal(chmodAt(c, At.AT_FDCWD, '/a', 0o644, 0), 0);
  assert.equal(g.read(mem, (1 << 20) - 8, 100), -Errno.EFAULT);
  assert.equal(g.queued, 0);
  assert.equal(g.ioctl(mem, Ioctl.FIONREAD, 1 << 20), -Errno.EFAULT);
  assert.equal(g.ioctl(mem, 0x1234, 0), -Errno.ENOTTY);
  g.decRef();
});

test('coalescing: an event identical to the last queued one is dropped; others are kept', () => {
  const { w, c, g } = setup();
  const wd = g.addWatch(w.inode(c, '/'), InMask.IN_ATTRIB);
  for (let i = 0; i < 3; i++) chmodAt(c, At.AT_FDCWD, '/a', 0o600, 0);
  assert.equal(g.queued, 1);
  chmodAt(c, At.AT_FDCWD, '/long-name-of-20-byte', 0o600, 0);
  chmodAt(c, At.AT_FDCWD, '/a', 0o600, 0);
  assert.deepEqual(readAll(g).map((e) => e.name), ['a', 'long-name-of-20-byte', 'a']);
  // After a read the next event is queued again.
  chmodAt(c, At.AT_FDCWD, '/a', 0o600, 0);
  assert.deepEqual(readAll(g), [{ wd, mask: InMask.IN_ATTRIB, cookie: 0, name: 'a' }]);
  g.decRef();
});

test('overflow: past max_queued_events one IN_Q_OVERFLOW (wd -1) stands for the rest until read', () => {
  const { w, c, g } = setup(4);
  g.addWatch(w.inode(c, '/'), InMask.IN_ATTRIB);
  for (let i = 0; i < 10; i++) chmodAt(c, At.AT_FDCWD, i % 2 ? '/a' : '/long-name-of-20-byte', 0o600, 0);
  assert.equal(g.queued, 5);
  const evs = readAll(g);
  assert.equal(evs.length, 5);
  assert.deepEqual(evs[4], { wd: -1, mask: InMask.IN_Q_OVERFLOW, cookie: 0, name: '' });
  chmodAt(c, At.AT_FDCWD, '/a', 0o600, 0);
  assert.equal(readAll(g).length, 1);
  g.decRef();
});

test('watch descriptors: one per inode, cyclic from 1, INOTIFY_IOC_SETNEXTWD, IN_MASK_CREATE, ENOSPC at the limit', () => {
  const { w, c, g, limits } = setup();
  const mem = new ArrayMemory();
  const root = w.inode(c, '/');
  const a = w.inode(c, '/a');
  assert.equal(g.addWatch(root, InMask.IN_ATTRIB), 1);
  assert.equal(g.addWatch(a, InMask.IN_ATTRIB), 2);
  assert.equal(g.addWatch(a, InMask.IN_MODIFY | InMask.IN_MASK_CREATE), -Errno.EEXIST);
  assert.equal(g.addWatch(a, InMask.IN_MODIFY | InMask.IN_MASK_ADD), 2);
  assert.equal(g.rmWatch(2), 0);
  assert.equal(g.rmWatch(2), -Errno.EINVAL);
  assert.deepEqual(readAll(g), [{ wd: 2, mask: InMask.IN_IGNORED, cookie: 0, name: '' }]);
  assert.equal(g.addWatch(a, InMask.IN_ATTRIB), 3);
  assert.equal(g.ioctl(mem, INOTIFY_IOC_SETNEXTWD, 0), -Errno.EINVAL);
  assert.equal(g.ioctl(mem, INOTIFY_IOC_SETNEXTWD, 1), 0);
  w.file(c, '/b', '');
  assert.equal(g.addWatch(w.inode(c, '/b'), InMask.IN_ATTRIB), 2, 'the first free descriptor from the cursor');
  limits.maxUserWatches = 3;
  w.file(c, '/d', '');
  assert.equal(g.addWatch(w.inode(c, '/d'), InMask.IN_ATTRIB), -Errno.ENOSPC);
  assert.equal(g.watchCount, 3);
  g.decRef();
});

test('fdinfo: a line per watch, newest first, in hex', () => {
  const { w, c, g } = setup();
  const root = w.inode(c, '/');
  const a = w.inode(c, '/a');
  g.addWatch(root, InMask.IN_CREATE | InMask.IN_EXCL_UNLINK);
  g.addWatch(a, InMask.IN_MODIFY | InMask.IN_ONESHOT);
  const dev = root.fs.dev;
  const sdev = ((devMajor(dev) << 20) | devMinor(dev)).toString(16);
  assert.equal(g.fdinfo(),
    `inotify wd:2 ino:${a.ino.toString(16)} sdev:${sdev} mask:80000002 ignored_mask:0 \n` +
    `inotify wd:1 ino:${root.ino.toString(16)} sdev:${sdev} mask:4000100 ignored_mask:0 \n`);
  g.decRef();
});

test('a blocking read waits for the operation that queues events to finish, then takes them all', async () => {
  const { w, c } = setup();
  const limits = new InotifyLimits(16384, 128, 1000);
  const g = new Inotify(OpenFlag.O_RDONLY, limits, 0);
  g.incRef();
  g.addWatch(w.inode(c, '/'), IN_ALL_EVENTS);
  const seen: number[] = [];
  const unsubscribe = g.onReadinessChange((m) => seen.push(m));
  assert.equal(g.readiness(), 0);
  const mem = new ArrayMemory();
  const r = g.read(mem, 0, 4096);
  assert.ok(r instanceof Promise);
  w.file(c, '/new', 'data');
  assert.equal(g.readiness(), Poll.POLLIN | Poll.POLLRDNORM);
  const n = await r;
  assert.deepEqual(decode(mem, n).map((e) => [e.mask, e.name]), [
    [InMask.IN_CREATE, 'new'], [InMask.IN_OPEN, 'new'], [InMask.IN_MODIFY, 'new'], [InMask.IN_CLOSE_WRITE, 'new'],
  ]);
  assert.equal(g.readiness(), 0);
  assert.ok(seen.length > 0);
  unsubscribe();
  g.decRef();
});

test('closing the instance removes its watches without events; nothing is watched afterwards', () => {
  const { w, c, g } = setup();
  const a = w.inode(c, '/a');
  g.addWatch(a, IN_ALL_EVENTS);
  assert.ok(anyMarks());
  assert.equal(a.inotifyMarks?.length, 1);
  g.decRef();
  assert.equal(a.inotifyMarks, undefined);
  assert.equal(anyMarks(), false);
  assert.equal(g.queued, 0);
});
