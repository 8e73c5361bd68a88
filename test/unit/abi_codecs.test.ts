// Behaviour of the ABI helpers that the header comparisons do not cover:
// 64-bit number fields, timespec validation, sigset operations, default
// signal actions, utsname truncation, rlimit infinity, ioctl encoding, dev_t.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { checkTimespec, checkTimeval, encodeTimespec, getI64, getU64, setI64, timespecValid } from '../../src/abi/linux/time.js';
import { Errno } from '../../src/abi/linux/errno.js';
import {
  DefaultAction, defaultAction, isStopSignal, isUnblockable, NSIG, SIGNAL_NAMES, SigSet, Signal, signalName,
} from '../../src/abi/linux/signal.js';
import { encodeUtsField, UTSNAME_FIELD_SIZE } from '../../src/abi/linux/utsname.js';
import { decodeRlim, encodeRlim, RLIMIT_NAMES, Rlimit } from '../../src/abi/linux/rlimit.js';
import { ioc, iocDir, iocNr, iocSize, iocType, IocDir, Ioctl } from '../../src/abi/linux/ioctl.js';
import { devMajor, devMinor, makeDev } from '../../src/abi/linux/stat.js';
import { encodeIovec, iovLenTooBig } from '../../src/abi/linux/iovec.js';
import { OpenFlag, SETFL_MASK } from '../../src/abi/linux/fcntl.js';

function view(n: number): DataView {
  return new DataView(new ArrayBuffer(n));
}

test('64-bit fields round-trip exactly within ±2^53 and agree with BigInt', () => {
  const dv = view(8);
  for (const v of [0, 1, -1, -100, 2 ** 32, 2 ** 32 - 1, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 0x7fff_ffff_f000]) {
    setI64(dv, 0, v);
    assert.equal(dv.getBigInt64(0, true), BigInt(v), `bits of ${v}`);
    assert.equal(getI64(dv, 0), v);
  }
  dv.setBigUint64(0, 0xffff_ffff_ffff_ffffn, true);
  assert.equal(getI64(dv, 0), -1);
  assert.equal(getU64(dv, 0), 2 ** 64);
});

test('timespec validation follows man 2 nanosleep', () => {
  assert.equal(timespecValid(0, 0), true);
  assert.equal(timespecValid(5, 999_999_999), true);
  assert.equal(timespecValid(0, 1_000_000_000), false);
  assert.equal(timespecValid(-1, 0), false);
  assert.equal(timespecValid(0, -1), false);
  const dv = view(16);
  const cases: [number, number, number][] = [
    [0, 0, 0], [1, 999_999_999, 0], [0, 1_000_000_000, -Errno.EINVAL], [-1, 0, -Errno.EINVAL],
    [0, -1, -Errno.EINVAL], [2 ** 40, 5, 0], [0, 2 ** 32, -Errno.EINVAL],
  ];
  for (const [sec, nsec, want] of cases) {
    encodeTimespec(dv, 0, sec, nsec);
    assert.equal(checkTimespec(dv, 0), want, `${sec}.${nsec}`);
  }
  encodeTimespec(dv, 0, 1, 999_999);
  assert.equal(checkTimeval(dv, 0), 0);
  encodeTimespec(dv, 0, 1, 1_000_000);
  assert.equal(checkTimeval(dv, 0), -Errno.EINVAL);
});

test('SigSet add/del/has across both words, and unblockable signals', () => {
  const s = new SigSet();
  assert.ok(s.isEmpty());
  for (const sig of [1, 9, 19, 31, 32, 33, 63, 64]) {
    s.add(sig);
    assert.ok(s.has(sig), `has ${sig}`);
  }
  assert.equal(s.lo, ((1 << 0) | (1 << 8) | (1 << 18) | (1 << 30) | (1 << 31)) >>> 0);
  assert.equal(s.hi, ((1 << 0) | (1 << 30) | (1 << 31)) >>> 0);
  assert.equal(s.lowest(), 1);
  s.removeUnblockable();
  assert.ok(!s.has(Signal.SIGKILL) && !s.has(Signal.SIGSTOP));
  s.del(1).del(31);
  assert.equal(s.lowest(), 32);
  s.del(32);
  assert.equal(s.lowest(), 33);
  s.clear().add(64);
  assert.equal(s.lowest(), 64);
  assert.equal(new SigSet().lowest(), 0);

  const pending = new SigSet().add(Signal.SIGINT).add(Signal.SIGTERM).add(40);
  const blocked = new SigSet().add(Signal.SIGINT);
  assert.equal(pending.lowestOutside(blocked), Signal.SIGTERM);
  assert.ok(pending.hasOutside(blocked));
  assert.ok(!blocked.hasOutside(pending));
  const all = new SigSet().fill();
  assert.equal(pending.lowestOutside(all), 0);
  assert.ok(all.removeUnblockable().intersects(pending));
  const m = new SigSet().add(3).union(new SigSet().add(50)).subtract(new SigSet().add(3));
  assert.ok(m.equals(new SigSet().add(50)));

  const dv = view(8);
  new SigSet(0x80000001, 0x80000000).write(dv, 0);
  assert.equal(dv.getBigUint64(0, true), (1n << 0n) | (1n << 31n) | (1n << 63n));
  assert.ok(new SigSet().read(dv, 0).has(64));
});

test('signal names and default actions (man 7 signal)', () => {
  assert.equal(NSIG, 64);
  assert.equal(SIGNAL_NAMES.length, 65);
  assert.equal(signalName(Signal.SIGSEGV), 'SIGSEGV');
  assert.equal(signalName(32), 'SIGRTMIN');
  assert.equal(signalName(33), 'SIGRT_1');
  assert.equal(signalName(64), 'SIGRT_32');
  assert.equal(signalName(65), '65');
  const want: Record<string, DefaultAction> = {
    SIGHUP: DefaultAction.Term, SIGINT: DefaultAction.Term, SIGQUIT: DefaultAction.Core, SIGILL: DefaultAction.Core,
    SIGTRAP: DefaultAction.Core, SIGABRT: DefaultAction.Core, SIGBUS: DefaultAction.Core, SIGFPE: DefaultAction.Core,
    SIGKILL: DefaultAction.Term, SIGUSR1: DefaultAction.Term, SIGSEGV: DefaultAction.Core, SIGUSR2: DefaultAction.Term,
    SIGPIPE: DefaultAction.Term, SIGALRM: DefaultAction.Term, SIGTERM: DefaultAction.Term,
    SIGSTKFLT: DefaultAction.Term, SIGCHLD: DefaultAction.Ignore, SIGCONT: DefaultAction.Continue,
    SIGSTOP: DefaultAction.Stop, SIGTSTP: DefaultAction.Stop, SIGTTIN: DefaultAction.Stop, SIGTTOU: DefaultAction.Stop,
    SIGURG: DefaultAction.Ignore, SIGXCPU: DefaultAction.Core, SIGXFSZ: DefaultAction.Core,
    SIGVTALRM: DefaultAction.Term, SIGPROF: DefaultAction.Term, SIGWINCH: DefaultAction.Ignore,
    SIGIO: DefaultAction.Term, SIGPWR: DefaultAction.Term, SIGSYS: DefaultAction.Core,
  };
  for (let s = 1; s < 32; s++) assert.equal(defaultAction(s), want[SIGNAL_NAMES[s]], SIGNAL_NAMES[s]);
  for (let s = 32; s <= 64; s++) assert.equal(defaultAction(s), DefaultAction.Term);
  assert.ok(isUnblockable(Signal.SIGKILL) && isUnblockable(Signal.SIGSTOP) && !isUnblockable(Signal.SIGTERM));
  assert.ok(isStopSignal(Signal.SIGTTOU) && !isStopSignal(Signal.SIGCONT));
});

test('utsname fields are truncated to 64 bytes and NUL padded, UTF-8 kept whole', () => {
  const b = new Uint8Array(UTSNAME_FIELD_SIZE + 1).fill(0xff);
  encodeUtsField(b, 0, 'x'.repeat(100));
  assert.equal(b[63], 0x78);
  assert.equal(b[64], 0);
  assert.equal(b[65], 0xff, 'nothing written past the field');
  b.fill(0xff);
  encodeUtsField(b, 0, `${'a'.repeat(63)}é`); // é is 2 bytes: it does not fit after 63 bytes
  assert.equal(b[62], 0x61);
  assert.equal(b[63], 0);
  b.fill(0xff);
  encodeUtsField(b, 0, 'héllo');
  assert.deepEqual([...b.subarray(0, 7)], [0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f, 0]);
});

test('rlimit: ~0 is Infinity both ways', () => {
  const dv = view(8);
  encodeRlim(dv, 0, Infinity);
  assert.equal(dv.getBigUint64(0, true), 0xffff_ffff_ffff_ffffn);
  assert.equal(decodeRlim(dv, 0), Infinity);
  encodeRlim(dv, 0, 2 ** 64);
  assert.equal(decodeRlim(dv, 0), Infinity);
  dv.setBigUint64(0, 0xffff_ffff_ffff_fffen, true);
  assert.ok(Number.isFinite(decodeRlim(dv, 0)));
  encodeRlim(dv, 0, 8 * 1024 * 1024);
  assert.equal(decodeRlim(dv, 0), 8 * 1024 * 1024);
  assert.equal(RLIMIT_NAMES[Rlimit.RLIMIT_NOFILE], 'RLIMIT_NOFILE');
  assert.equal(RLIMIT_NAMES.length, 16);
});

test('ioctl request encoding', () => {
  assert.equal(ioc(IocDir._IOC_READ, 0x54, 0x30, 4), Ioctl.TIOCGPTN);
  assert.equal(ioc(IocDir._IOC_WRITE, 0x54, 0x31, 4), Ioctl.TIOCSPTLCK);
  assert.equal(ioc(IocDir._IOC_NONE, 0x54, 0x41, 0), Ioctl.TIOCGPTPEER);
  assert.equal(iocDir(Ioctl.TCGETS2), IocDir._IOC_READ);
  assert.equal(iocType(Ioctl.TCGETS2), 0x54);
  assert.equal(iocNr(Ioctl.TCGETS2), 0x2a);
  assert.equal(iocSize(Ioctl.TCGETS2), 44);
  // A request taken from a register as an int32 must be compared as unsigned.
  assert.equal((Ioctl.TIOCGPTN | 0) >>> 0, Ioctl.TIOCGPTN);
});

test('dev_t encoding round-trips (glibc makedev)', () => {
  for (const [maj, min] of [[0, 0], [8, 1], [136, 3], [259, 0x12345], [0xfff, 0xfffff], [0x12345, 0x6789abc]]) {
    const d = makeDev(maj, min);
    assert.equal(devMajor(d), maj);
    assert.equal(devMinor(d), min);
  }
  assert.equal(makeDev(8, 1), 0x801);
  assert.equal(makeDev(259, 0x12345), 0x12310345);
});

test('iov_len with the top bit set is flagged', () => {
  const dv = view(32);
  encodeIovec(dv, 0, 0, 0x1000, 10);
  encodeIovec(dv, 0, 1, 0x1000, -1);
  assert.equal(iovLenTooBig(dv, 0, 0), false);
  assert.equal(iovLenTooBig(dv, 0, 1), true);
});

test('fcntl masks', () => {
  assert.equal(SETFL_MASK & OpenFlag.O_APPEND, OpenFlag.O_APPEND);
  assert.equal(SETFL_MASK & OpenFlag.O_CLOEXEC, 0);
  assert.equal(OpenFlag.O_TMPFILE & OpenFlag.O_DIRECTORY, OpenFlag.O_DIRECTORY);
});
