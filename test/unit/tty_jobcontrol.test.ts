// Controlling terminals and job control on a pty, with a fake kernel behind
// the terminal layer's hooks: sessions acquiring the terminal (open and
// TIOCSCTTY), foreground process groups (TIOCSPGRP's checks), SIGTTIN and
// SIGTTOU for background groups (EIO when ignored or orphaned), the ISIG
// characters and SIGWINCH for the foreground group, /dev/tty, TIOCNOTTY,
// the session leader's exit, hangups, and signals interrupting a read.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { Ioctl } from '../../src/abi/linux/ioctl.js';
import { decodeTermios, encodeTermios, Lflag, stdTermios } from '../../src/abi/linux/termios.js';
import { setTtyKernel, type TaskToken, type TtyKernel, type TtyProcess } from '../../src/fs/tty/hooks.js';
import { MountFlag } from '../../src/vfs/mount.js';
import type { OpenFile } from '../../src/vfs/open_file.js';
import { ProcWorld } from './procfs_fixture.test.js';

const SIGHUP = 1;
const SIGINT = 2;
const SIGQUIT = 3;
const SIGCONT = 18;
const SIGTSTP = 20;
const SIGTTIN = 21;
const SIGTTOU = 22;
const SIGWINCH = 28;
const ARG = 8192;

class Proc {
  ignored = new Set<number>();
  admin = false;
  waker: ((r: number) => void) | null = null;
  readonly exitFns = new Set<() => void>();
  alive = true;
  constructor(
    readonly pid: number,
    public pgid: number,
    public sid: number,
    public parent: Proc | null,
  ) {}
}

/** A kernel of processes (one task each), recording the signals sent. */
class FakeKernel implements TtyKernel {
  readonly procs = new Map<number, Proc>();
  current: Proc | undefined;
  signals: [number, number][] = [];

  spawn(pid: number, pgid: number, sid: number, parent: Proc | null = null): Proc {
    const p = new Proc(pid, pgid, sid, parent);
    this.procs.set(pid, p);
    return p;
  }
  exit(p: Proc): void {
    p.alive = false;
    this.procs.delete(p.pid);
    for (const fn of [...p.exitFns]) fn();
  }
  currentTask(): TaskToken | undefined {
    return this.current;
  }
  processOf(task: TaskToken): TtyProcess | undefined {
    const p = task as Proc;
    return { proc: p, ns: this, pid: p.pid, pgid: p.pgid, sid: p.sid };
  }
  fsIds(): { uid: number; gid: number } {
    return { uid: 0, gid: 0 };
  }
  capable(task: TaskToken): boolean {
    return task === undefined || (task as Proc).admin;
  }
  park(task: TaskToken, waker: (r: number) => void): void {
    (task as Proc).waker = waker;
  }
  unpark(task: TaskToken): void {
    (task as Proc).waker = null;
  }
  signalGroup(_ns: object, pgid: number, sig: number): boolean {
    let any = false;
    for (const p of this.procs.values()) {
      if (p.pgid !== pgid) continue;
      any = true;
      this.signals.push([p.pid, sig]);
    }
    return any;
  }
  signalProcess(_ns: object, pid: number, sig: number): void {
    if (this.procs.has(pid)) this.signals.push([pid, sig]);
  }
  signalIgnored(task: TaskToken, sig: number): boolean {
    return (task as Proc).ignored.has(sig);
  }
  pgrpOrphaned(_ns: object, pgid: number): boolean {
    for (const p of this.procs.values()) {
      if (p.pgid !== pgid || !p.parent) continue;
      if (p.parent.pgid !== pgid && p.parent.sid === p.sid) return false;
    }
    return true;
  }
  sessionOfPgrp(_ns: object, pgid: number): number | undefined {
    for (const p of this.procs.values()) if (p.pgid === pgid) return p.sid;
    return this.procs.get(pgid)?.sid;
  }
  onProcessExit(_ns: object, pid: number, fn: () => void): () => void {
    const p = this.procs.get(pid);
    if (!p) return () => {};
    p.exitFns.add(fn);
    return () => p.exitFns.delete(fn);
  }
  openPeer(): number {
    return -Errno.ENOTTY;
  }
  /** Signals sent since the last call. */
  take(): [number, number][] {
    const s = this.signals;
    this.signals = [];
    return s;
  }
}

afterEach(() => setTtyKernel(null));

/**
 * A world with devpts, a pair, and a session: leader 10 (group 10) with its
 * child 11 in background group 11 and child 12 in group 10, all in session
 * 10; process 20 leads session 20.
 */
function setup() {
  const k = new FakeKernel();
  setTtyKernel(k);
  const pw = new ProcWorld();
  const c = pw.caller();
  const at = pw.w.lookup(c, '/dev/pts');
  assert.ok(typeof at !== 'number');
  assert.ok(typeof pw.w.ns.mount(pw.dev.devpts, at, MountFlag.MS_NOSUID) !== 'number');
  const open = (path: string, flags = OpenFlag.O_RDWR | OpenFlag.O_NOCTTY): OpenFile | number => {
    const f = pw.open(c, path, flags);
    if (typeof f !== 'number') f.incRef();
    return f;
  };
  k.current = undefined;
  const m = open('/dev/ptmx') as OpenFile;
  const mem = pw.w.mem;
  const dv = new DataView(mem.bytes.buffer);
  dv.setInt32(ARG, 0, true);
  assert.equal(m.ioctl(mem, Ioctl.TIOCSPTLCK, ARG), 0);
  const leader = k.spawn(10, 10, 10);
  const bg = k.spawn(11, 11, 10, leader);
  const fg = k.spawn(12, 10, 10, leader);
  const other = k.spawn(20, 20, 20);
  const ioctlInt = (f: OpenFile, req: number, value?: number): number | { v: number } => {
    if (value !== undefined) dv.setInt32(ARG, value, true);
    const r = f.ioctl(mem, req, ARG);
    return r < 0 ? r : { v: dv.getInt32(ARG, true) };
  };
  const as = <T>(p: Proc | undefined, fn: () => T): T => {
    k.current = p;
    try {
      return fn();
    } finally {
      k.current = undefined;
    }
  };
  const write = (f: OpenFile, s: string): number | Promise<number> => {
    const b = Buffer.from(s, 'latin1');
    mem.bytes.set(b, 0);
    return f.write(mem, 0, b.length);
  };
  return { k, pw, m, mem, dv, open, leader, bg, fg, other, ioctlInt, as, write };
}

test('opening without O_NOCTTY makes a session leader\'s controlling terminal; not for others', () => {
  const s = setup();
  const fgOpen = s.as(s.fg, () => s.open('/dev/pts/0', OpenFlag.O_RDWR)) as OpenFile;
  assert.equal(s.as(s.fg, () => s.ioctlInt(fgOpen, Ioctl.TIOCGPGRP)), -Errno.ENOTTY);
  const sl = s.as(s.leader, () => s.open('/dev/pts/0', OpenFlag.O_RDWR)) as OpenFile;
  assert.deepEqual(s.as(s.leader, () => s.ioctlInt(sl, Ioctl.TIOCGPGRP)), { v: 10 });
  assert.deepEqual(s.as(s.fg, () => s.ioctlInt(fgOpen, Ioctl.TIOCGSID)), { v: 10 });
  // The master answers for anyone.
  assert.deepEqual(s.ioctlInt(s.m, Ioctl.TIOCGPGRP), { v: 10 });
  // /dev/tty: the session's terminal; another session has none.
  const t = s.as(s.bg, () => s.open('/dev/tty'));
  assert.ok(typeof t !== 'number');
  assert.equal(s.as(s.other, () => s.open('/dev/tty')), -Errno.ENXIO);
  // Opening /dev/tty and O_NOCTTY never take the terminal.
  const o = s.as(s.other, () => s.open('/dev/pts/0', OpenFlag.O_RDWR | OpenFlag.O_NOCTTY)) as OpenFile;
  assert.equal(s.as(s.other, () => s.ioctlInt(o, Ioctl.TIOCGPGRP)), -Errno.ENOTTY);
});

test('TIOCSCTTY: only a session leader without a terminal; another session\'s only stolen by an admin with arg 1', () => {
  const s = setup();
  const sl = s.open('/dev/pts/0') as OpenFile;
  assert.equal(s.as(s.fg, () => sl.ioctl(s.mem, Ioctl.TIOCSCTTY, 0)), -Errno.EPERM);
  assert.equal(s.as(s.leader, () => sl.ioctl(s.mem, Ioctl.TIOCSCTTY, 0)), 0);
  assert.equal(s.as(s.leader, () => sl.ioctl(s.mem, Ioctl.TIOCSCTTY, 0)), 0); // already its own
  assert.equal(s.as(s.other, () => sl.ioctl(s.mem, Ioctl.TIOCSCTTY, 0)), -Errno.EPERM);
  s.other.admin = true;
  assert.equal(s.as(s.other, () => sl.ioctl(s.mem, Ioctl.TIOCSCTTY, 0)), -Errno.EPERM);
  assert.equal(s.as(s.other, () => sl.ioctl(s.mem, Ioctl.TIOCSCTTY, 1)), 0);
  assert.deepEqual(s.ioctlInt(s.m, Ioctl.TIOCGSID), { v: 20 });
  assert.equal(s.as(s.leader, () => s.open('/dev/tty')), -Errno.ENXIO);
  // Through the master, the slave becomes the terminal (a write-only file needs CAP_SYS_ADMIN).
  const s2 = setup();
  const wo = s2.open('/dev/pts/0', OpenFlag.O_WRONLY | OpenFlag.O_NOCTTY) as OpenFile;
  assert.equal(s2.as(s2.leader, () => wo.ioctl(s2.mem, Ioctl.TIOCSCTTY, 0)), -Errno.EPERM);
  assert.equal(s2.as(s2.leader, () => s2.m.ioctl(s2.mem, Ioctl.TIOCSCTTY, 0)), 0);
  assert.deepEqual(s2.ioctlInt(s2.m, Ioctl.TIOCGSID), { v: 10 });
});

test('TIOCSPGRP: a group of the caller\'s session on its own terminal', () => {
  const s = setup();
  const sl = s.open('/dev/pts/0') as OpenFile;
  assert.equal(s.as(s.leader, () => s.ioctlInt(sl, Ioctl.TIOCSPGRP, 11)), -Errno.ENOTTY);
  s.as(s.leader, () => sl.ioctl(s.mem, Ioctl.TIOCSCTTY, 0));
  assert.equal(s.as(s.leader, () => s.ioctlInt(sl, Ioctl.TIOCSPGRP, -1)), -Errno.EINVAL);
  assert.equal(s.as(s.leader, () => s.ioctlInt(sl, Ioctl.TIOCSPGRP, 99)), -Errno.ESRCH);
  assert.equal(s.as(s.leader, () => s.ioctlInt(sl, Ioctl.TIOCSPGRP, 20)), -Errno.EPERM);
  assert.deepEqual(s.as(s.leader, () => s.ioctlInt(sl, Ioctl.TIOCSPGRP, 11)), { v: 11 });
  assert.deepEqual(s.ioctlInt(s.m, Ioctl.TIOCGPGRP), { v: 11 });
  // Another session's member cannot, even through its own descriptor.
  assert.equal(s.as(s.other, () => s.ioctlInt(sl, Ioctl.TIOCSPGRP, 20)), -Errno.ENOTTY);
  // Through the master too, for the terminal's own session only. The leader's
  // group is in the background now (and orphaned: SIGTTOU is no way out, EIO
  // becomes ENOTTY) unless it ignores SIGTTOU.
  assert.equal(s.as(s.leader, () => s.ioctlInt(s.m, Ioctl.TIOCSPGRP, 10)), -Errno.ENOTTY);
  s.leader.ignored.add(22);
  assert.deepEqual(s.as(s.leader, () => s.ioctlInt(s.m, Ioctl.TIOCSPGRP, 10)), { v: 10 });
  assert.equal(s.as(s.other, () => s.ioctlInt(s.m, Ioctl.TIOCSPGRP, 20)), -Errno.ENOTTY);
});

test('a background group reading gets SIGTTIN (EIO if ignored or orphaned); writing with TOSTOP and setting attributes SIGTTOU', () => {
  const s = setup();
  const sl = s.as(s.leader, () => s.open('/dev/pts/0', OpenFlag.O_RDWR)) as OpenFile;
  assert.equal(s.as(s.bg, () => sl.read(s.mem, 0, 10)), -Errno.ERESTARTSYS);
  assert.deepEqual(s.k.take(), [[11, SIGTTIN]]);
  s.bg.ignored.add(SIGTTIN);
  assert.equal(s.as(s.bg, () => sl.read(s.mem, 0, 10)), -Errno.EIO);
  s.bg.ignored.clear();
  // Writes go through until TOSTOP.
  assert.equal(s.as(s.bg, () => s.write(sl, 'x')), 1);
  s.dv.setInt32(ARG, 0, true);
  assert.equal(sl.ioctl(s.mem, Ioctl.TCGETS, ARG), 0);
  const t = decodeTermios(s.dv, ARG, stdTermios());
  t.lflag |= Lflag.TOSTOP;
  encodeTermios(s.dv, ARG, t);
  assert.equal(s.as(s.bg, () => sl.ioctl(s.mem, Ioctl.TCSETS, ARG)), -Errno.ERESTARTSYS);
  assert.deepEqual(s.k.take(), [[11, SIGTTOU]]);
  assert.equal(s.as(s.fg, () => sl.ioctl(s.mem, Ioctl.TCSETS, ARG)), 0);
  assert.equal(s.as(s.bg, () => s.write(sl, 'x')), -Errno.ERESTARTSYS);
  assert.deepEqual(s.k.take(), [[11, SIGTTOU]]);
  // SIGTTOU ignored: the write is allowed.
  s.bg.ignored.add(SIGTTOU);
  assert.equal(s.as(s.bg, () => s.write(sl, 'x')), 1);
  s.bg.ignored.clear();
  // An orphaned background group: EIO, no signal.
  s.bg.parent = null;
  assert.equal(s.as(s.bg, () => sl.read(s.mem, 0, 10)), -Errno.EIO);
  assert.equal(s.as(s.bg, () => s.write(sl, 'x')), -Errno.EIO);
  assert.deepEqual(s.k.take(), []);
  // Processes of other sessions (no controlling terminal) are not checked.
  const r = s.as(s.other, () => sl.read(s.mem, 0, 10));
  assert.ok(r instanceof Promise);
  s.other.waker?.(-Errno.ERESTARTSYS);
  return r.then((v) => assert.equal(v, -Errno.ERESTARTSYS));
});

test('^C, ^\\, ^Z and TIOCSIG signal the foreground group; TIOCSWINSZ sends SIGWINCH when the size changes', () => {
  const s = setup();
  s.as(s.leader, () => s.open('/dev/pts/0', OpenFlag.O_RDWR));
  s.write(s.m, '\x03');
  assert.deepEqual(s.k.take(), [[10, SIGINT], [12, SIGINT]]);
  s.write(s.m, '\x1c\x1a');
  assert.deepEqual(s.k.take(), [[10, SIGQUIT], [12, SIGQUIT], [10, SIGTSTP], [12, SIGTSTP]]);
  assert.equal(s.m.ioctl(s.mem, Ioctl.TIOCSIG, SIGINT), 0);
  assert.deepEqual(s.k.take(), [[10, SIGINT], [12, SIGINT]]);
  assert.equal(s.m.ioctl(s.mem, Ioctl.TIOCSIG, 9), -Errno.EINVAL);
  s.dv.setUint16(ARG, 24, true);
  s.dv.setUint16(ARG + 2, 80, true);
  s.dv.setUint32(ARG + 4, 0, true);
  assert.equal(s.m.ioctl(s.mem, Ioctl.TIOCSWINSZ, ARG), 0);
  assert.deepEqual(s.k.take(), [[10, SIGWINCH], [12, SIGWINCH]]);
  assert.equal(s.m.ioctl(s.mem, Ioctl.TIOCSWINSZ, ARG), 0);
  assert.deepEqual(s.k.take(), []);
});

test('TIOCNOTTY: the leader gives the terminal up for the session (SIGHUP, SIGCONT to the foreground); a member only for itself', () => {
  const s = setup();
  const sl = s.as(s.leader, () => s.open('/dev/pts/0', OpenFlag.O_RDWR)) as OpenFile;
  assert.equal(s.as(s.fg, () => sl.ioctl(s.mem, Ioctl.TIOCNOTTY, 0)), 0);
  assert.equal(s.as(s.fg, () => s.open('/dev/tty')), -Errno.ENXIO);
  assert.ok(typeof s.as(s.bg, () => s.open('/dev/tty')) !== 'number');
  assert.deepEqual(s.k.take(), []);
  assert.equal(s.as(s.leader, () => sl.ioctl(s.mem, Ioctl.TIOCNOTTY, 0)), 0);
  assert.deepEqual(s.k.take(), [[10, SIGHUP], [12, SIGHUP], [10, SIGCONT], [12, SIGCONT]]);
  assert.equal(s.as(s.bg, () => s.open('/dev/tty')), -Errno.ENXIO);
  assert.equal(s.ioctlInt(s.m, Ioctl.TIOCGSID), -Errno.ENOTTY);
});

test('the session leader exits: SIGHUP to the foreground group, and the terminal is free', () => {
  const s = setup();
  s.as(s.leader, () => s.open('/dev/pts/0', OpenFlag.O_RDWR));
  s.k.exit(s.leader);
  assert.deepEqual(s.k.take(), [[12, SIGHUP]]);
  assert.equal(s.ioctlInt(s.m, Ioctl.TIOCGSID), -Errno.ENOTTY);
  const sl = s.open('/dev/pts/0') as OpenFile;
  assert.equal(s.as(s.other, () => sl.ioctl(s.mem, Ioctl.TIOCSCTTY, 0)), 0);
});

test('the master closes: the session leader gets SIGHUP and SIGCONT; blocked reads end', async () => {
  const s = setup();
  const sl = s.as(s.leader, () => s.open('/dev/pts/0', OpenFlag.O_RDWR)) as OpenFile;
  const r = s.as(s.fg, () => sl.read(s.mem, 0, 10));
  assert.ok(r instanceof Promise);
  assert.ok(s.fg.waker !== null);
  s.m.decRef();
  assert.deepEqual(s.k.take(), [[10, SIGHUP], [10, SIGCONT]]);
  assert.equal(await r, 0);
  assert.equal(s.fg.waker, null);
  assert.equal(s.as(s.fg, () => s.open('/dev/tty')), -Errno.ENXIO);
});

test('a signal ends a blocked read (with the bytes already read in non-canonical mode)', async () => {
  const s = setup();
  const sl = s.open('/dev/pts/0') as OpenFile;
  s.dv.setInt32(ARG, 0, true);
  sl.ioctl(s.mem, Ioctl.TCGETS, ARG);
  const t = decodeTermios(s.dv, ARG, stdTermios());
  t.lflag &= ~(Lflag.ICANON | Lflag.ECHO);
  t.cc[6] = 5; // VMIN
  encodeTermios(s.dv, ARG, t);
  assert.equal(sl.ioctl(s.mem, Ioctl.TCSETS, ARG), 0);
  const r = s.as(s.fg, () => sl.read(s.mem, 100, 10));
  assert.ok(r instanceof Promise);
  s.write(s.m, 'ab');
  await new Promise((res) => setImmediate(res));
  s.fg.waker?.(-Errno.ERESTARTSYS);
  assert.equal(await r, 2);
  assert.equal(Buffer.from(s.mem.bytes.subarray(100, 102)).toString(), 'ab');
  const r2 = s.as(s.fg, () => sl.read(s.mem, 100, 10));
  assert.ok(r2 instanceof Promise);
  s.fg.waker?.(-Errno.ERESTARTSYS);
  assert.equal(await r2, -Errno.ERESTARTSYS);
});
