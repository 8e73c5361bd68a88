// devpts and pty pairs through the VFS (no kernel: nobody calls, so no job
// control and no controlling terminals here; see tty_jobcontrol.test.ts):
// /dev/ptmx and /dev/pts/N, the slave lock, node lifetimes and index reuse,
// data both ways with echo, blocking reads, poll masks and hangups, master
// ioctls, the limit of pairs, and the console API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { Ioctl } from '../../src/abi/linux/ioctl.js';
import { Poll } from '../../src/abi/linux/poll.js';
import { At, devMajor, devMinor, FileMode } from '../../src/abi/linux/stat.js';
import { decodeTermios, encodeTermios, Lflag, stdTermios, TERMIOS_SIZE } from '../../src/abi/linux/termios.js';
import { createDevfs } from '../../src/fs/dev/devfs.js';
import { createConsole, createDevpts, openConsoleSlave, PtyMasterFile } from '../../src/fs/devpts/index.js';
import { MountFlag } from '../../src/vfs/mount.js';
import { chmodAt } from '../../src/vfs/attr_ops.js';
import { mkdirAt, mknodAt } from '../../src/vfs/namei_ops.js';
import type { OpenFile } from '../../src/vfs/open_file.js';
import { pollableOf, pollNow } from '../../src/vfs/poll.js';
import { ArrayMemory, ROOT } from './vfs_fixture.test.js';
import { ProcWorld } from './procfs_fixture.test.js';

const ARG = 8192;

function setup() {
  const pw = new ProcWorld();
  const c = pw.caller();
  const at = pw.w.lookup(c, '/dev/pts');
  assert.ok(typeof at !== 'number');
  assert.ok(typeof pw.w.ns.mount(pw.dev.devpts, at, MountFlag.MS_NOSUID | MountFlag.MS_NOEXEC | MountFlag.MS_RELATIME) !== 'number');
  return { pw, c };
}

type Setup = ReturnType<typeof setup>;

function must(s: Setup, path: string, flags = OpenFlag.O_RDWR | OpenFlag.O_NOCTTY): OpenFile {
  const f = s.pw.open(s.c, path, flags);
  if (typeof f === 'number') throw new Error(`open ${path}: ${f}`);
  f.incRef();
  return f;
}

function ioctlInt(s: Setup, f: OpenFile, req: number, value?: number): number | { r: number; v: number } {
  const mem = s.pw.w.mem;
  const dv = new DataView(mem.bytes.buffer);
  if (value !== undefined) dv.setInt32(ARG, value, true);
  const r = f.ioctl(mem, req, ARG);
  if (r < 0) return r;
  return { r, v: dv.getInt32(ARG, true) };
}

/** A master and its unlocked slave. */
function pair(s: Setup): { m: OpenFile; sl: OpenFile; n: number } {
  const m = must(s, '/dev/ptmx');
  const n = ioctlInt(s, m, Ioctl.TIOCGPTN);
  assert.ok(typeof n !== 'number');
  assert.deepEqual(ioctlInt(s, m, Ioctl.TIOCSPTLCK, 0), { r: 0, v: 0 });
  return { m, sl: must(s, `/dev/pts/${n.v}`), n: n.v };
}

const read = (s: Setup, f: OpenFile, len = 4096) => s.pw.w.read(f, len);
const write = (s: Setup, f: OpenFile, data: string) => s.pw.w.write(f, Buffer.from(data, 'latin1'));

test('ptmx makes pairs at the lowest free index; /dev/pts lists them; the node goes with the master', () => {
  const s = setup();
  assert.deepEqual(s.pw.list(s.c, '/dev/pts'), ['.', '..', 'ptmx']);
  const ptmx = s.pw.w.inode(s.c, '/dev/pts/ptmx').getattr();
  assert.equal(ptmx.mode, FileMode.S_IFCHR | 0o666);
  assert.equal(devMajor(ptmx.rdev), 5);
  assert.equal(devMinor(ptmx.rdev), 2);
  const a = pair(s);
  const b = pair(s);
  assert.equal(a.n, 0);
  assert.equal(b.n, 1);
  assert.deepEqual(s.pw.list(s.c, '/dev/pts'), ['.', '..', 'ptmx', '0', '1']);
  const node = s.pw.w.inode(s.c, '/dev/pts/1').getattr();
  assert.equal(node.mode, FileMode.S_IFCHR | 0o620);
  assert.equal(node.gid, 5);
  assert.equal(devMajor(node.rdev), 136);
  assert.equal(devMinor(node.rdev), 1);
  // The master closes: the node goes at once, the index once the slave is closed too.
  a.m.decRef();
  assert.deepEqual(s.pw.list(s.c, '/dev/pts'), ['.', '..', 'ptmx', '1']);
  assert.equal(s.pw.open(s.c, '/dev/pts/0', OpenFlag.O_RDWR), -Errno.ENOENT);
  const c = pair(s);
  assert.equal(c.n, 2);
  a.sl.decRef();
  const d = pair(s);
  assert.equal(d.n, 0);
  // pts/ptmx opens a master as /dev/ptmx does.
  const e = must(s, '/dev/pts/ptmx');
  assert.ok(typeof ioctlInt(s, e, Ioctl.TIOCGPTN) !== 'number');
  for (const f of [b.m, b.sl, c.m, c.sl, d.m, d.sl, e]) f.decRef();
  assert.deepEqual(s.pw.list(s.c, '/dev/pts'), ['.', '..', 'ptmx']);
});

test('the slave is locked until TIOCSPTLCK 0; names cannot be made in devpts; modes can change', () => {
  const s = setup();
  const m = must(s, '/dev/ptmx');
  assert.deepEqual(ioctlInt(s, m, Ioctl.TIOCGPTLCK), { r: 0, v: 1 });
  assert.equal(s.pw.open(s.c, '/dev/pts/0', OpenFlag.O_RDWR), -Errno.EIO);
  ioctlInt(s, m, Ioctl.TIOCSPTLCK, 0);
  assert.deepEqual(ioctlInt(s, m, Ioctl.TIOCGPTLCK), { r: 0, v: 0 });
  const sl = must(s, '/dev/pts/0');
  assert.equal(mknodAt(s.c, At.AT_FDCWD, '/dev/pts/x', FileMode.S_IFCHR | 0o600, 0), -Errno.EPERM);
  assert.equal(s.pw.open(s.c, '/dev/pts/new', OpenFlag.O_CREAT | OpenFlag.O_RDWR), -Errno.EACCES);
  assert.equal(mkdirAt(s.c, At.AT_FDCWD, '/dev/pts/d', 0o755), -Errno.EPERM);
  assert.equal(chmodAt(s.c, At.AT_FDCWD, '/dev/pts/0', 0o600, 0), 0);
  assert.equal(s.pw.w.inode(s.c, '/dev/pts/0').getattr().mode, FileMode.S_IFCHR | 0o600);
  m.decRef();
  sl.decRef();
});

test('typed at the master, read from the slave by lines, echoed back; slave output through ONLCR', () => {
  const s = setup();
  const { m, sl } = pair(s);
  assert.equal(write(s, m, 'hello\n'), 6);
  assert.equal(read(s, sl), 'hello\n');
  assert.equal(read(s, m), 'hello\r\n');
  assert.equal(write(s, sl, 'a\nb'), 3);
  assert.equal(read(s, m), 'a\r\nb');
  // FIONREAD on both sides.
  write(s, m, 'xy\nz');
  assert.deepEqual(ioctlInt(s, sl, Ioctl.FIONREAD), { r: 0, v: 3 });
  assert.deepEqual(ioctlInt(s, m, Ioctl.FIONREAD), { r: 0, v: 5 });
  m.decRef();
  sl.decRef();
});

test('reads and writes that cannot go on wait (O_NONBLOCK: EAGAIN)', async () => {
  const s = setup();
  const { m, sl } = pair(s);
  const mem = s.pw.w.mem;
  const pending = sl.read(mem, 100, 64);
  assert.ok(pending instanceof Promise);
  write(s, m, 'partial');
  write(s, m, ' line\n');
  assert.equal(await pending, 13);
  assert.equal(Buffer.from(mem.bytes.subarray(100, 113)).toString(), 'partial line\n');
  sl.flags |= OpenFlag.O_NONBLOCK;
  assert.equal(sl.read(mem, 0, 10), -Errno.EAGAIN);
  read(s, m);
  m.flags |= OpenFlag.O_NONBLOCK;
  assert.equal(m.read(mem, 0, 10), -Errno.EAGAIN);
  // The master's input is bounded: a slave writer waits once 64 KiB are unread.
  sl.flags &= ~OpenFlag.O_NONBLOCK;
  mem.bytes.fill(0x61, 0, 70000);
  const w = sl.write(mem, 0, 70000);
  assert.ok(w instanceof Promise);
  let total = 0;
  for (;;) {
    const r = m.read(mem, 200000, 65536);
    assert.ok(typeof r === 'number');
    if (r === -Errno.EAGAIN) {
      await new Promise((res) => setImmediate(res));
      if (total >= 70000) break;
      continue;
    }
    total += r;
  }
  assert.equal(await w, 70000);
  assert.equal(total, 70000);
  m.decRef();
  sl.decRef();
});

test('poll: the master hangs up when every slave file closed; a closed master hangs the slave up', () => {
  const s = setup();
  const { m, sl, n } = pair(s);
  assert.equal(pollNow(m), Poll.POLLOUT | Poll.POLLWRNORM);
  assert.equal(pollNow(sl), Poll.POLLOUT | Poll.POLLWRNORM);
  assert.ok(pollableOf(m) !== null);
  write(s, sl, 'q');
  sl.decRef();
  assert.equal(pollNow(m), Poll.POLLIN | Poll.POLLRDNORM | Poll.POLLHUP | Poll.POLLOUT | Poll.POLLWRNORM);
  assert.equal(read(s, m), 'q');
  assert.equal(read(s, m), -Errno.EIO);
  const again = must(s, `/dev/pts/${n}`);
  assert.equal(pollNow(m) & Poll.POLLHUP, 0);
  m.decRef();
  assert.equal(pollNow(again), Poll.POLLIN | Poll.POLLOUT | Poll.POLLERR | Poll.POLLHUP | Poll.POLLRDNORM | Poll.POLLWRNORM);
  assert.equal(read(s, again), '');
  assert.equal(write(s, again, 'x'), -Errno.EIO);
  assert.equal(ioctlInt(s, again, Ioctl.TCGETS), -Errno.EIO);
  assert.equal(ioctlInt(s, again, Ioctl.TIOCSPGRP, 1), -Errno.ENOTTY);
  again.decRef();
});

test('a reader blocked on the slave ends with 0 when the master closes', async () => {
  const s = setup();
  const { m, sl } = pair(s);
  const r = sl.read(s.pw.w.mem, 0, 10);
  assert.ok(r instanceof Promise);
  m.decRef();
  assert.equal(await r, 0);
  sl.decRef();
});

test('settings and window size through either side; master-only requests', () => {
  const s = setup();
  const { m, sl } = pair(s);
  const mem = s.pw.w.mem;
  const dv = new DataView(mem.bytes.buffer);
  assert.equal(m.ioctl(mem, Ioctl.TCGETS, ARG), 0);
  const t = decodeTermios(dv, ARG, stdTermios());
  assert.equal(t.cflag, 0o277);
  assert.equal(t.lflag, 0o105073);
  t.lflag &= ~Lflag.ECHO;
  encodeTermios(dv, ARG, t);
  assert.equal(m.ioctl(mem, Ioctl.TCSETS, ARG), 0);
  mem.bytes.fill(0, ARG, ARG + TERMIOS_SIZE);
  assert.equal(sl.ioctl(mem, Ioctl.TCGETS, ARG), 0);
  assert.equal(decodeTermios(dv, ARG, stdTermios()).lflag & Lflag.ECHO, 0);
  // No echo now.
  write(s, m, 'quiet\n');
  assert.equal(read(s, sl), 'quiet\n');
  m.flags |= OpenFlag.O_NONBLOCK;
  assert.equal(read(s, m), -Errno.EAGAIN);
  // Window size.
  dv.setUint16(ARG, 24, true);
  dv.setUint16(ARG + 2, 80, true);
  assert.equal(m.ioctl(mem, Ioctl.TIOCSWINSZ, ARG), 0);
  mem.bytes.fill(0, ARG, ARG + 8);
  assert.equal(sl.ioctl(mem, Ioctl.TIOCGWINSZ, ARG), 0);
  assert.equal(dv.getUint16(ARG, true), 24);
  assert.equal(dv.getUint16(ARG + 2, true), 80);
  // Master-only requests on the slave; unknown requests; TIOCGPTPEER outside a system call.
  assert.equal(ioctlInt(s, sl, Ioctl.TIOCGPTN), -Errno.ENOTTY);
  assert.equal(sl.ioctl(mem, Ioctl.TIOCGPTPEER, OpenFlag.O_RDWR), -Errno.EIO);
  assert.equal(sl.ioctl(mem, 0x54ff, 0), -Errno.ENOTTY);
  assert.equal(m.ioctl(mem, Ioctl.TIOCGPTPEER, OpenFlag.O_RDWR), -Errno.EIO);
  // Nobody's controlling terminal: the slave's getters are ENOTTY, the master's answer.
  assert.equal(ioctlInt(s, sl, Ioctl.TIOCGPGRP), -Errno.ENOTTY);
  assert.deepEqual(ioctlInt(s, m, Ioctl.TIOCGPGRP), { r: 0, v: 0 });
  assert.equal(ioctlInt(s, m, Ioctl.TIOCGSID), -Errno.ENOTTY);
  assert.equal(ioctlInt(s, sl, Ioctl.TIOCNOTTY), -Errno.ENOTTY);
  // TCFLSH and TCXONC argument checks.
  assert.equal(sl.ioctl(mem, Ioctl.TCFLSH, 9), -Errno.EINVAL);
  assert.equal(sl.ioctl(mem, Ioctl.TCXONC, 9), -Errno.EINVAL);
  m.decRef();
  sl.decRef();
});

test('packet mode: a data byte before the data, status bytes for flushes', () => {
  const s = setup();
  const { m, sl } = pair(s);
  assert.deepEqual(ioctlInt(s, m, Ioctl.TIOCPKT, 1), { r: 0, v: 1 });
  write(s, sl, 'hi');
  assert.equal(read(s, m), '\0hi');
  assert.equal(sl.ioctl(s.pw.w.mem, Ioctl.TCFLSH, 0), 0);
  assert.equal(pollNow(m) & Poll.POLLPRI, Poll.POLLPRI);
  assert.equal(read(s, m), '\x01');
  m.decRef();
  sl.decRef();
});

test('ptmx is ENOSPC once every index is taken; /dev/tty is ENXIO without a controlling terminal', () => {
  const dev = createDevfs({ devpts: createDevpts({ max: 2 }) });
  const a = dev.devpts.openPtmx(OpenFlag.O_RDWR);
  const b = dev.devpts.openPtmx(OpenFlag.O_RDWR);
  assert.ok(a instanceof PtyMasterFile && b instanceof PtyMasterFile);
  assert.equal(dev.devpts.openPtmx(OpenFlag.O_RDWR), -Errno.ENOSPC);
  a.release();
  const c = dev.devpts.openPtmx(OpenFlag.O_RDWR);
  assert.ok(c instanceof PtyMasterFile);
  assert.equal(c.index, 0);
  const s = setup();
  assert.equal(s.pw.open(s.c, '/dev/tty', OpenFlag.O_RDWR), -Errno.ENXIO);
});

test('console: the host side types and reads, resizes, and hangs the slave up', async () => {
  const s = setup();
  const con = createConsole(s.pw.dev.devpts, { rows: 25, cols: 90 });
  assert.ok(typeof con !== 'number');
  assert.equal(con.path, '/dev/pts/0');
  const sl = openConsoleSlave(con, s.c);
  assert.ok(typeof sl !== 'number');
  sl.incRef();
  const mem = s.pw.w.mem;
  const dv = new DataView(mem.bytes.buffer);
  assert.equal(sl.ioctl(mem, Ioctl.TIOCGWINSZ, ARG), 0);
  assert.equal(dv.getUint16(ARG, true), 25);
  assert.equal(dv.getUint16(ARG + 2, true), 90);
  const seen: string[] = [];
  con.onData((b) => seen.push(Buffer.from(b).toString('latin1')));
  assert.equal(con.write(Buffer.from('ls\r')), 3);
  assert.equal(read(s, sl), 'ls\n');
  write(s, sl, 'out\n');
  await new Promise((r) => setImmediate(r));
  assert.equal(seen.join(''), 'ls\r\nout\r\n');
  con.resize(50, 100);
  assert.equal(sl.ioctl(mem, Ioctl.TIOCGWINSZ, ARG), 0);
  assert.equal(dv.getUint16(ARG, true), 50);
  let closed = false;
  con.onClose(() => {
    closed = true;
  });
  con.close();
  assert.equal(closed, true);
  assert.equal(read(s, sl), '');
  sl.decRef();
  assert.deepEqual(s.pw.list(s.c, '/dev/pts'), ['.', '..', 'ptmx']);
  void ROOT;
});

test('the pairs of an instance share a buffer budget: a writer waits for another pair\'s reader', async () => {
  const devpts = createDevpts({ bufferBudget: 100 });
  const mem = new ArrayMemory();
  const ma = devpts.openPtmx(OpenFlag.O_RDWR);
  const mb = devpts.openPtmx(OpenFlag.O_RDWR);
  assert.ok(ma instanceof PtyMasterFile && mb instanceof PtyMasterFile);
  ma.pty.locked = mb.pty.locked = false;
  const sa = ma.pty.openSlave(OpenFlag.O_RDWR | OpenFlag.O_NOCTTY);
  const sb = mb.pty.openSlave(OpenFlag.O_RDWR | OpenFlag.O_NOCTTY | OpenFlag.O_NONBLOCK);
  assert.ok(typeof sa !== 'number' && typeof sb !== 'number');
  mem.bytes.fill(0x62, 0, 200);
  assert.equal(sa.write(mem, 0, 100, 0), 100);
  assert.equal(devpts.budget.used, 100);
  assert.equal(sb.write(mem, 0, 10, 0), -Errno.EAGAIN);
  const blocked = sa.write(mem, 0, 10, 0);
  assert.ok(blocked instanceof Promise);
  assert.equal(ma.read(mem, 1000, 50, 0), 50);
  assert.equal(await blocked, 10);
  assert.equal(devpts.budget.used, 60);
  for (const f of [sa, sb, ma, mb]) f.release();
  assert.equal(devpts.budget.used, 0);
});
