// /dev: the listing, node numbers and modes, and each device's behaviour
// through the VFS (null swallows, zero fills, full is ENOSPC, random and
// urandom give random bytes, tty without a controlling terminal is ENXIO).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At, devMajor, devMinor, FileMode, makeDev } from '../../src/abi/linux/stat.js';
import { createDevfs } from '../../src/fs/dev/devfs.js';
import { DeviceRegistry, FullDevice, hostRandom, NullDevice, RandomDevice, ZeroDevice } from '../../src/fs/dev/devices.js';
import type { FileImpl, Inode } from '../../src/vfs/inode.js';
import { mknodAt, readlinkAt } from '../../src/vfs/namei_ops.js';
import { ArrayMemory, ALICE } from './vfs_fixture.test.js';
import { ProcWorld } from './procfs_fixture.test.js';

const CWD = At.AT_FDCWD;

function setup() {
  const pw = new ProcWorld();
  return { pw, c: pw.caller() };
}

test('/dev lists exactly the standard nodes, directories and links', () => {
  const { pw, c } = setup();
  assert.deepEqual(pw.list(c, '/dev'), [
    '.', '..', 'null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm', 'fd', 'stdin', 'stdout', 'stderr',
  ]);
  const expect: [string, number, number][] = [
    ['null', 1, 3], ['zero', 1, 5], ['full', 1, 7], ['random', 1, 8], ['urandom', 1, 9], ['tty', 5, 0], ['ptmx', 5, 2],
  ];
  for (const [name, major, minor] of expect) {
    const a = pw.w.inode(c, `/dev/${name}`).getattr();
    assert.equal(a.mode, FileMode.S_IFCHR | 0o666, name);
    assert.equal(a.rdev, makeDev(major, minor), name);
    assert.equal(devMajor(a.rdev), major);
    assert.equal(devMinor(a.rdev), minor);
    assert.equal(a.uid, 0);
    assert.equal(a.gid, 0);
  }
  assert.equal(pw.w.inode(c, '/dev/pts').getattr().mode, FileMode.S_IFDIR | 0o755);
  assert.equal(pw.w.inode(c, '/dev/shm').getattr().mode, FileMode.S_IFDIR | 0o1777);
  assert.equal(pw.w.inode(c, '/dev').getattr().mode, FileMode.S_IFDIR | 0o755);
  assert.equal(readlinkAt(c, CWD, '/dev/fd'), '/proc/self/fd');
  assert.equal(pw.dev.fs.type, 'tmpfs');
});

test('null: reads end at once, writes are swallowed', () => {
  const { pw, c } = setup();
  const f = pw.open(c, '/dev/null', OpenFlag.O_RDWR);
  assert.ok(typeof f !== 'number');
  assert.equal(pw.w.write(f, 'x'.repeat(5000)), 5000);
  assert.equal(pw.w.read(f, 100), '');
  // Anyone may use it (0666).
  assert.ok(typeof pw.open(pw.caller(ALICE), '/dev/null', OpenFlag.O_WRONLY) !== 'number');
});

test('zero: reads fill the buffer with zeros across segments; pread works', () => {
  const { pw, c } = setup();
  const f = pw.open(c, '/dev/zero', OpenFlag.O_RDWR);
  assert.ok(typeof f !== 'number');
  const mem = pw.w.mem;
  mem.bytes.fill(0xff, 0, 5000);
  assert.equal(f.read(mem, 100, 3500), 3500);
  assert.ok(mem.bytes.subarray(100, 3600).every((b) => b === 0));
  assert.equal(mem.bytes[99], 0xff);
  assert.equal(mem.bytes[3600], 0xff);
  mem.bytes.fill(0xff, 0, 10);
  assert.equal(f.pread(mem, 0, 10, 12345), 10);
  assert.ok(mem.bytes.subarray(0, 10).every((b) => b === 0));
  assert.equal(pw.w.write(f, 'abc'), 3);
  // A bad address faults.
  assert.equal(f.read(mem, mem.bytes.length + 10, 4), -Errno.EFAULT);
});

test('full: every write is ENOSPC, reads give zeros', () => {
  const { pw, c } = setup();
  const f = pw.open(c, '/dev/full', OpenFlag.O_RDWR);
  assert.ok(typeof f !== 'number');
  assert.equal(pw.w.write(f, 'abc'), -Errno.ENOSPC);
  assert.equal(pw.w.write(f, ''), -Errno.ENOSPC);
  pw.w.mem.bytes.fill(7, 0, 8);
  assert.equal(pw.w.read(f, 8), '\0'.repeat(8));
});

test('random and urandom: bytes from the random source; writes accepted; RNDGETENTCNT', () => {
  const { pw, c } = setup();
  const u = pw.open(c, '/dev/urandom', OpenFlag.O_RDWR);
  assert.ok(typeof u !== 'number');
  const a = pw.w.read(u, 2500) as string;
  assert.equal(a.length, 2500);
  // The fixture's source counts from 1: the bytes arrive in order across segments.
  for (let i = 0; i < 2500; i++) assert.equal(a.charCodeAt(i), (1 + i) & 0xff);
  const r = pw.open(c, '/dev/random');
  assert.ok(typeof r !== 'number');
  const b = pw.w.read(r, 4) as string;
  assert.equal(b.length, 4);
  assert.equal(b.charCodeAt(0), (1 + 2500) & 0xff);
  assert.equal(pw.w.write(u, 'entropy'), 7);
  const mem = pw.w.mem;
  assert.equal(u.ioctl(mem, 0x80045200, 64), 0);
  assert.equal(new DataView(mem.bytes.buffer).getInt32(64, true), 256);
  assert.equal(u.ioctl(mem, 0x1234, 64), -Errno.EINVAL);
});

test('the host random source (the addon\'s getrandom)', { skip: !existsSync('build/Release/tsvisor.node') && 'addon not built' }, () => {
  const mem = new ArrayMemory(new Uint8Array(4096));
  const dev = new RandomDevice(hostRandom);
  assert.equal(dev.read(mem, 0, 4096, 0), 4096);
  assert.ok(mem.bytes.some((x) => x !== 0));
  const again = Uint8Array.from(mem.bytes);
  assert.equal(dev.read(mem, 0, 4096, 0), 4096);
  assert.notDeepEqual(mem.bytes, again);
});

test('tty without a controlling terminal is ENXIO; ptmx opens a pty master (tty_devpts.test.ts)', () => {
  const { pw, c } = setup();
  assert.equal(pw.open(c, '/dev/tty', OpenFlag.O_RDWR), -Errno.ENXIO);
  assert.equal(typeof pw.open(c, '/dev/ptmx', OpenFlag.O_RDWR | OpenFlag.O_NOCTTY), 'object');
  // With a controlling terminal, /dev/tty opens it.
  const tty = new NullDevice();
  const devfs = createDevfs({ openTty: () => tty });
  const node = devfs.fs.root.lookup('tty') as Inode;
  assert.equal(devfs.devices.open(node, OpenFlag.O_RDWR), tty);
});

test('device nodes made with mknod anywhere behave the same; unknown numbers are ENXIO', () => {
  const { pw, c } = setup();
  assert.equal(mknodAt(c, CWD, '/tmp/mynull', FileMode.S_IFCHR | 0o666, makeDev(1, 3)), 0);
  const f = pw.open(c, '/tmp/mynull', OpenFlag.O_RDWR);
  assert.ok(typeof f !== 'number');
  assert.equal(pw.w.write(f, 'gone'), 4);
  assert.equal(mknodAt(c, CWD, '/tmp/nodev', FileMode.S_IFCHR | 0o666, makeDev(99, 1)), 0);
  assert.equal(pw.open(c, '/tmp/nodev'), -Errno.ENXIO);
  assert.equal(mknodAt(c, CWD, '/tmp/blk', FileMode.S_IFBLK | 0o666, makeDev(8, 0)), 0);
  assert.equal(pw.open(c, '/tmp/blk'), -Errno.ENXIO);
  // /dev is a tmpfs: new files and nodes can be made in it.
  assert.equal(mknodAt(c, CWD, '/dev/zero2', FileMode.S_IFCHR | 0o666, makeDev(1, 5)), 0);
  const z = pw.open(c, '/dev/zero2');
  assert.ok(typeof z !== 'number');
  assert.equal(pw.w.read(z, 4), '\0\0\0\0');
  pw.w.file(c, '/dev/shm/x', 'shared');
  assert.equal(pw.read(c, '/dev/shm/x'), 'shared');
});

test('the registry: majors, and a fallback for FIFOs and unknown devices', () => {
  const opened: string[] = [];
  const fifo: FileImpl = new NullDevice();
  const reg = new DeviceRegistry({
    open: (inode) => {
      opened.push(inode.type === FileMode.S_IFIFO ? 'fifo' : 'other');
      return fifo;
    },
  });
  reg.registerMajor(136, () => new ZeroDevice());
  const node = (type: number, major: number, minor: number): Inode =>
    ({ type, getattr: () => ({ rdev: makeDev(major, minor) }) }) as unknown as Inode;
  assert.ok(reg.open(node(FileMode.S_IFCHR, 136, 4), 0) instanceof ZeroDevice);
  assert.equal(reg.open(node(FileMode.S_IFIFO, 0, 0), 0), fifo);
  assert.equal(reg.open(node(FileMode.S_IFCHR, 1, 3), 0), fifo);
  assert.deepEqual(opened, ['fifo', 'other']);
  assert.equal(new DeviceRegistry().open(node(FileMode.S_IFCHR, 1, 3), 0), -Errno.ENXIO);
});

test('devices are always ready (readiness mask)', () => {
  for (const d of [new NullDevice(), new ZeroDevice(), new FullDevice(), new RandomDevice(() => 0)]) {
    assert.equal(d.readiness() & 0x0005, 0x0005);
  }
});
