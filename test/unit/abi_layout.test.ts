// Byte-exact struct codecs: a C program fills each struct (kernel layouts, from
// the uapi headers) with known values and prints its bytes; the TS encoders must
// produce the same bytes into a buffer pre-filled with garbage (so every padding
// byte is proven written), and the decoders must read the C bytes back.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { decodeTimespec, encodeItimerspec, encodeTimespec, encodeTimezone, type Timespec } from '../../src/abi/linux/time.js';
import { encodeUtsname } from '../../src/abi/linux/utsname.js';
import { encodeSysinfo } from '../../src/abi/linux/sysinfo.js';
import { decodeRlimit, encodeRlimit, RLIM_INFINITY } from '../../src/abi/linux/rlimit.js';
import {
  CldCode, decodeSigaction, encodeSigaction, encodeSiginfoChld, encodeSiginfoFault, encodeSiginfoKill,
  encodeSiginfoPoll, encodeSiginfoRt, encodeSiginfoSys, encodeSiginfoTimer, encodeStackT, type KSigaction,
  PollCode, SaFlag, SegvCode, SigSet, Signal, SiCode, SigStack,
} from '../../src/abi/linux/signal.js';
import { decodeIovec, encodeIovec, type Iovec } from '../../src/abi/linux/iovec.js';
import { encodeStat, encodeStatx, makeDev, type StatxValues } from '../../src/abi/linux/stat.js';
import { decodeFlock, encodeFlock, decodeOpenHow, encodeOpenHow, LockType, OpenFlag, Resolve, type Flock, type OpenHow } from '../../src/abi/linux/fcntl.js';
import { decodeWinsize, encodeWinsize, type Winsize } from '../../src/abi/linux/ioctl.js';
import { decodeCloneArgs, Clone, type CloneArgs } from '../../src/abi/linux/sched.js';
import { haveGcc, runC } from '../helpers/cprobe.js';


// Kernel layouts only: uapi headers, then glibc's stdio/string for printing
// (<sys/sysmacros.h> for makedev, which has no struct of its own).
const C_SOURCE = String.raw`
#include <linux/time.h>
#include <linux/utsname.h>
#include <linux/sysinfo.h>
#include <linux/resource.h>
#include <linux/signal.h>
#include <linux/uio.h>
#include <asm/stat.h>
#include <linux/stat.h>
#include <linux/fcntl.h>
#include <linux/openat2.h>
#include <asm/termios.h>
#include <linux/sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

static void dump(const char *name, const void *p, size_t n) {
  const unsigned char *b = p;
  printf("%s ", name);
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}
#define DUMP(name, x) dump(name, &(x), sizeof(x))
#define Z(x) memset(&(x), 0, sizeof(x))

int main(void) {
  struct timespec ts = { 0x123456789LL, 999999999 }; DUMP("timespec", ts);
  struct timespec tsn = { -2, 5 }; DUMP("timespec_neg", tsn);
  struct itimerspec its = { { 1, 2 }, { 3, 4 } }; DUMP("itimerspec", its);
  struct timezone tz = { -60, 1 }; DUMP("timezone", tz);

  struct new_utsname u; Z(u);
  strcpy(u.sysname, "Linux"); strcpy(u.nodename, "sandbox"); strcpy(u.release, "6.1.0");
  strcpy(u.version, "#1 SMP"); strcpy(u.machine, "x86_64"); strcpy(u.domainname, "(none)");
  DUMP("utsname", u);

  struct sysinfo si; Z(si);
  si.uptime = 1234; si.loads[0] = 65536; si.loads[1] = 32768; si.loads[2] = 1;
  si.totalram = 0x200000000ULL; si.freeram = 0x100000000ULL; si.sharedram = 4096; si.bufferram = 8192;
  si.totalswap = 0; si.freeswap = 0; si.procs = 42; si.totalhigh = 0; si.freehigh = 0; si.mem_unit = 1;
  DUMP("sysinfo", si);

  struct rlimit rl = { 1024, RLIM_INFINITY }; DUMP("rlimit", rl);

  struct sigaction sa; Z(sa);
  sa.sa_handler = (__sighandler_t)0x401000; sa.sa_flags = SA_RESTORER | SA_SIGINFO | SA_RESTART | SA_RESETHAND;
  sa.sa_restorer = (__sigrestore_t)0x401100; sa.sa_mask = (1UL << (SIGINT - 1)) | (1UL << (SIGTERM - 1)) | (1UL << 40);
  DUMP("sigaction", sa);

  stack_t st; Z(st); st.ss_sp = (void *)0x7000; st.ss_flags = SS_ONSTACK; st.ss_size = 8192; DUMP("stack_t", st);

  siginfo_t i1; Z(i1); i1.si_signo = SIGTERM; i1.si_code = SI_USER; i1.si_pid = 42; i1.si_uid = 1000; DUMP("si_kill", i1);
  siginfo_t i2; Z(i2); i2.si_signo = SIGCHLD; i2.si_code = CLD_EXITED; i2.si_pid = 43; i2.si_uid = 0;
  i2.si_status = 3; i2.si_utime = 5; i2.si_stime = 6; DUMP("si_chld", i2);
  siginfo_t i3; Z(i3); i3.si_signo = SIGSEGV; i3.si_code = SEGV_MAPERR; i3.si_addr = (void *)0xdeadbeef000; DUMP("si_fault", i3);
  siginfo_t i4; Z(i4); i4.si_signo = SIGALRM; i4.si_code = SI_TIMER; i4.si_tid = 7; i4.si_overrun = 2;
  i4.si_ptr = (void *)0x1234; DUMP("si_timer", i4);
  siginfo_t i5; Z(i5); i5.si_signo = SIGUSR1; i5.si_code = SI_QUEUE; i5.si_pid = 9; i5.si_uid = 10;
  i5.si_ptr = (void *)0x55; DUMP("si_rt", i5);
  siginfo_t i6; Z(i6); i6.si_signo = SIGIO; i6.si_code = POLL_IN; i6.si_band = 0x41; i6.si_fd = 5; DUMP("si_poll", i6);
  siginfo_t i7; Z(i7); i7.si_signo = SIGSYS; i7.si_code = SYS_SECCOMP; i7.si_errno = 1;
  i7.si_call_addr = (void *)0x401234; i7.si_syscall = 39; i7.si_arch = 0xc000003e; DUMP("si_sys", i7);

  struct iovec iov[2] = { { (void *)0x1000, 10 }, { (void *)0x2000, 20 } }; DUMP("iovec", iov);

  struct stat sb; Z(sb);
  sb.st_dev = makedev(8, 1); sb.st_ino = 0x123456789aULL; sb.st_nlink = 2; sb.st_mode = S_IFREG | 0644;
  sb.st_uid = 1000; sb.st_gid = 1001; sb.st_rdev = makedev(259, 0x12345); sb.st_size = 0x100000001LL;
  sb.st_blksize = 4096; sb.st_blocks = 8; sb.st_atime = 1700000000; sb.st_atime_nsec = 1;
  sb.st_mtime = 1700000001; sb.st_mtime_nsec = 2; sb.st_ctime = 1700000002; sb.st_ctime_nsec = 3;
  DUMP("stat", sb);

  struct statx sx; Z(sx);
  sx.stx_mask = STATX_BASIC_STATS | STATX_BTIME; sx.stx_blksize = 4096; sx.stx_attributes = STATX_ATTR_APPEND;
  sx.stx_nlink = 2; sx.stx_uid = 1000; sx.stx_gid = 1001; sx.stx_mode = S_IFDIR | 0755; sx.stx_ino = 77;
  sx.stx_size = 4096; sx.stx_blocks = 8; sx.stx_attributes_mask = STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE;
  sx.stx_atime.tv_sec = 1700000000; sx.stx_atime.tv_nsec = 10; sx.stx_btime.tv_sec = 1600000000;
  sx.stx_btime.tv_nsec = 11; sx.stx_ctime.tv_sec = 1700000002; sx.stx_ctime.tv_nsec = 12;
  sx.stx_mtime.tv_sec = 1700000001; sx.stx_mtime.tv_nsec = 13;
  sx.stx_rdev_major = 0x12345; sx.stx_rdev_minor = 0x6789abc; sx.stx_dev_major = 8; sx.stx_dev_minor = 1;
  sx.stx_mnt_id = 33; sx.stx_dio_mem_align = 512; sx.stx_dio_offset_align = 4096;
  DUMP("statx", sx);
  unsigned long long bigdev = makedev(0x12345, 0x6789abc); DUMP("bigdev", bigdev);

  struct flock fl; Z(fl); fl.l_type = F_WRLCK; fl.l_whence = SEEK_CUR; fl.l_start = -5; fl.l_len = 100; fl.l_pid = 77;
  DUMP("flock", fl);
  struct open_how oh = { O_RDONLY | O_CLOEXEC, 0644, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS }; DUMP("open_how", oh);
  struct winsize ws = { 24, 80, 640, 480 }; DUMP("winsize", ws);

  struct clone_args ca; Z(ca);
  ca.flags = CLONE_VM | CLONE_THREAD | CLONE_CLEAR_SIGHAND; ca.pidfd = 0x1010; ca.child_tid = 0x2020;
  ca.parent_tid = 0x3030; ca.exit_signal = SIGCHLD; ca.stack = 0x7f0000; ca.stack_size = 65536; ca.tls = 0x4040;
  ca.set_tid = 0x5050; ca.set_tid_size = 1; ca.cgroup = 3;
  DUMP("clone_args", ca);
  return 0;
}
`;

let cBytes: Map<string, string> | undefined;

function c(name: string): string {
  if (cBytes === undefined) {
    cBytes = new Map();
    for (const line of runC(C_SOURCE).trim().split('\n')) {
      const [k, v] = line.split(' ');
      cBytes.set(k, v);
    }
  }
  const v = cBytes.get(name);
  assert.ok(v !== undefined, `C did not dump ${name}`);
  return v;
}

/** A garbage-filled buffer of n bytes, and a DataView on it. */
function scratch(n: number): [Uint8Array, DataView] {
  const b = new Uint8Array(n).fill(0xa5);
  return [b, new DataView(b.buffer)];
}

function hexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function fromHex(h: string): DataView {
  const b = Buffer.from(h, 'hex');
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

const gcc = haveGcc();
const opts = { skip: gcc ? false : 'gcc not found' };

test('timespec, itimerspec, timezone', opts, () => {
  let [b, dv] = scratch(16);
  encodeTimespec(dv, 0, 0x123456789, 999999999);
  assert.equal(hexOf(b), c('timespec'));
  encodeTimespec(dv, 0, -2, 5);
  assert.equal(hexOf(b), c('timespec_neg'));
  const ts: Timespec = { sec: 0, nsec: 0 };
  decodeTimespec(fromHex(c('timespec_neg')), 0, ts);
  assert.deepEqual(ts, { sec: -2, nsec: 5 });
  [b, dv] = scratch(32);
  encodeItimerspec(dv, 0, 1, 2, 3, 4);
  assert.equal(hexOf(b), c('itimerspec'));
  [b, dv] = scratch(8);
  encodeTimezone(dv, 0, -60, 1);
  assert.equal(hexOf(b), c('timezone'));
});

test('new_utsname', opts, () => {
  const [b] = scratch(390);
  encodeUtsname(b, 0, {
    sysname: 'Linux', nodename: 'sandbox', release: '6.1.0', version: '#1 SMP', machine: 'x86_64',
    domainname: new TextEncoder().encode('(none)'),
  });
  assert.equal(hexOf(b), c('utsname'));
});

test('sysinfo', opts, () => {
  const [b, dv] = scratch(112);
  encodeSysinfo(dv, 0, {
    uptime: 1234, load1: 65536, load5: 32768, load15: 1, totalram: 0x200000000, freeram: 0x100000000,
    sharedram: 4096, bufferram: 8192, totalswap: 0, freeswap: 0, procs: 42, totalhigh: 0, freehigh: 0, memUnit: 1,
  });
  assert.equal(hexOf(b), c('sysinfo'));
});

test('rlimit with RLIM_INFINITY', opts, () => {
  const [b, dv] = scratch(16);
  encodeRlimit(dv, 0, 1024, RLIM_INFINITY);
  assert.equal(hexOf(b), c('rlimit'));
  const out = { cur: 0, max: 0 };
  decodeRlimit(fromHex(c('rlimit')), 0, out);
  assert.deepEqual(out, { cur: 1024, max: Infinity });
});

test('kernel sigaction and stack_t', opts, () => {
  const [b, dv] = scratch(32);
  const act: KSigaction = {
    handler: 0x401000,
    flags: SaFlag.SA_RESTORER | SaFlag.SA_SIGINFO | SaFlag.SA_RESTART | SaFlag.SA_RESETHAND,
    restorer: 0x401100,
    mask: new SigSet().add(Signal.SIGINT).add(Signal.SIGTERM).add(41),
  };
  encodeSigaction(dv, 0, act);
  assert.equal(hexOf(b), c('sigaction'));
  const back: KSigaction = { handler: 0, flags: 0, restorer: 0, mask: new SigSet() };
  decodeSigaction(fromHex(c('sigaction')), 0, back);
  assert.equal(back.handler, 0x401000);
  assert.equal(back.flags, act.flags >>> 0);
  assert.equal(back.restorer, 0x401100);
  assert.ok(back.mask.equals(act.mask));
  const [b2, dv2] = scratch(24);
  encodeStackT(dv2, 0, 0x7000, SigStack.SS_ONSTACK, 8192);
  assert.equal(hexOf(b2), c('stack_t'));
});

test('siginfo_t layouts', opts, () => {
  const [b, dv] = scratch(128);
  encodeSiginfoKill(dv, 0, Signal.SIGTERM, SiCode.SI_USER, 42, 1000);
  assert.equal(hexOf(b), c('si_kill'));
  b.fill(0xa5);
  encodeSiginfoChld(dv, 0, CldCode.CLD_EXITED, 43, 0, 3, 5, 6);
  assert.equal(hexOf(b), c('si_chld'));
  b.fill(0xa5);
  encodeSiginfoFault(dv, 0, Signal.SIGSEGV, SegvCode.SEGV_MAPERR, 0xdeadbeef000);
  assert.equal(hexOf(b), c('si_fault'));
  b.fill(0xa5);
  encodeSiginfoTimer(dv, 0, Signal.SIGALRM, 7, 2, 0x1234);
  assert.equal(hexOf(b), c('si_timer'));
  b.fill(0xa5);
  encodeSiginfoRt(dv, 0, Signal.SIGUSR1, SiCode.SI_QUEUE, 9, 10, 0x55);
  assert.equal(hexOf(b), c('si_rt'));
  b.fill(0xa5);
  encodeSiginfoPoll(dv, 0, Signal.SIGIO, PollCode.POLL_IN, 0x41, 5);
  assert.equal(hexOf(b), c('si_poll'));
  b.fill(0xa5);
  encodeSiginfoSys(dv, 0, 0x401234, 39, 0xc000003e, 1);
  assert.equal(hexOf(b), c('si_sys'));
});

test('iovec array', opts, () => {
  const [b, dv] = scratch(32);
  encodeIovec(dv, 0, 0, 0x1000, 10);
  encodeIovec(dv, 0, 1, 0x2000, 20);
  assert.equal(hexOf(b), c('iovec'));
  const v: Iovec = { base: 0, len: 0 };
  decodeIovec(fromHex(c('iovec')), 0, 1, v);
  assert.deepEqual(v, { base: 0x2000, len: 20 });
});

const statValues: StatxValues = {
  dev: makeDev(8, 1), ino: 0x123456789a, nlink: 2, mode: 0o100644, uid: 1000, gid: 1001,
  rdev: makeDev(259, 0x12345), size: 0x100000001, blksize: 4096, blocks: 8,
  atimeSec: 1700000000, atimeNsec: 1, mtimeSec: 1700000001, mtimeNsec: 2, ctimeSec: 1700000002, ctimeNsec: 3,
  mask: 0, attributes: 0, attributesMask: 0, btimeSec: 0, btimeNsec: 0, mntId: 0, dioMemAlign: 0, dioOffsetAlign: 0,
};

test('struct stat (x86-64) and makeDev', opts, () => {
  const [b, dv] = scratch(144);
  encodeStat(dv, 0, statValues);
  assert.equal(hexOf(b), c('stat'));
  // A major and minor beyond 12 and 20 bits use the high word, as glibc's makedev.
  const big = makeDev(0x12345, 0x6789abc);
  const bb = new DataView(new ArrayBuffer(8));
  bb.setBigUint64(0, BigInt(big), true);
  assert.equal(hexOf(new Uint8Array(bb.buffer)), c('bigdev'));
});

test('struct statx', opts, () => {
  const [b, dv] = scratch(256);
  encodeStatx(dv, 0, {
    ...statValues,
    mask: 0x7ff | 0x800, blksize: 4096, attributes: 0x20, nlink: 2, uid: 1000, gid: 1001, mode: 0o40755,
    ino: 77, size: 4096, blocks: 8, attributesMask: 0x20 | 0x10,
    atimeSec: 1700000000, atimeNsec: 10, btimeSec: 1600000000, btimeNsec: 11,
    ctimeSec: 1700000002, ctimeNsec: 12, mtimeSec: 1700000001, mtimeNsec: 13,
    rdev: makeDev(0x12345, 0x6789abc), dev: makeDev(8, 1), mntId: 33, dioMemAlign: 512, dioOffsetAlign: 4096,
  });
  assert.equal(hexOf(b), c('statx'));
});

test('flock, open_how, winsize', opts, () => {
  let [b, dv] = scratch(32);
  const fl: Flock = { type: LockType.F_WRLCK, whence: 1, start: -5, len: 100, pid: 77 };
  encodeFlock(dv, 0, fl);
  assert.equal(hexOf(b), c('flock'));
  const fl2: Flock = { type: 0, whence: 0, start: 0, len: 0, pid: 0 };
  assert.deepEqual(decodeFlock(fromHex(c('flock')), 0, fl2), fl);

  [b, dv] = scratch(24);
  const how: OpenHow = {
    flags: OpenFlag.O_RDONLY | OpenFlag.O_CLOEXEC, mode: 0o644,
    resolve: Resolve.RESOLVE_BENEATH | Resolve.RESOLVE_NO_MAGICLINKS,
  };
  encodeOpenHow(dv, 0, how);
  assert.equal(hexOf(b), c('open_how'));
  const how2: OpenHow = { flags: 0, mode: 0, resolve: 0 };
  assert.equal(decodeOpenHow(fromHex(c('open_how')), 0, how2), true);
  assert.deepEqual(how2, how);
  dv.setUint32(4, 1, true); // a flag bit above 2^32: openat2 must answer EINVAL
  assert.equal(decodeOpenHow(dv, 0, how2), false);

  [b, dv] = scratch(8);
  const ws: Winsize = { row: 24, col: 80, xpixel: 640, ypixel: 480 };
  encodeWinsize(dv, 0, ws);
  assert.equal(hexOf(b), c('winsize'));
  assert.deepEqual(decodeWinsize(fromHex(c('winsize')), 0, { row: 0, col: 0, xpixel: 0, ypixel: 0 }), ws);
});

test('clone_args decode (all versions)', opts, () => {
  const dv = fromHex(c('clone_args'));
  const out: CloneArgs = {
    flags: 0, flagsHi: 0, pidfd: 0, childTid: 0, parentTid: 0, exitSignal: 0, stack: 0, stackSize: 0, tls: 0,
    setTid: 0, setTidSize: 0, cgroup: 0,
  };
  decodeCloneArgs(dv, 0, 88, out);
  assert.deepEqual(out, {
    flags: (Clone.CLONE_VM | Clone.CLONE_THREAD) >>> 0, flagsHi: 1, pidfd: 0x1010, childTid: 0x2020,
    parentTid: 0x3030, exitSignal: Signal.SIGCHLD, stack: 0x7f0000, stackSize: 65536, tls: 0x4040,
    setTid: 0x5050, setTidSize: 1, cgroup: 3,
  });
  decodeCloneArgs(dv, 0, 64, out);
  assert.equal(out.setTid, 0);
  assert.equal(out.cgroup, 0);
});
