// Exact --strace lines for a selection of calls, with a fake guest memory.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { SYS } from '../../src/abi/linux/syscalls.js';
import { formatCall, formatFlags, formatOpenFlags, formatReturn, formatSigset, quoteBytes, type StraceMemory } from '../../src/syscalls/strace.js';

const EFAULT = 14;
const TWO32 = 2 ** 32;

/** A guest memory made of a few byte ranges. */
class FakeMemory implements StraceMemory {
  private readonly regions: [number, Uint8Array][] = [];

  put(addr: number, data: Uint8Array | string): this {
    this.regions.push([addr, typeof data === 'string' ? Buffer.from(data, 'latin1') : data]);
    return this;
  }

  putU64s(addr: number, values: (number | bigint)[]): this {
    const b = new DataView(new ArrayBuffer(values.length * 8));
    values.forEach((v, i) => b.setBigUint64(i * 8, BigInt(v), true));
    return this.put(addr, new Uint8Array(b.buffer));
  }

  private byte(addr: number): number {
    for (const [base, data] of this.regions) if (addr >= base && addr < base + data.length) return data[addr - base];
    return -1;
  }

  readCString(addr: number, max: number): string | number {
    let s = '';
    for (let i = 0; i < max; i++) {
      const c = this.byte(addr + i);
      if (c < 0) return -EFAULT;
      if (c === 0) return s;
      s += String.fromCharCode(c);
    }
    return s;
  }

  readBytes(addr: number, dst: Uint8Array, off: number, len: number): number {
    for (let i = 0; i < len; i++) {
      const c = this.byte(addr + i);
      if (c < 0) return -EFAULT;
      dst[off + i] = c;
    }
    return len;
  }
}

/** Memory without readBytes: buffers and structs print as pointers. */
const stringsOnly: StraceMemory = {
  readCString: (addr, max) => new FakeMemory().put(0x1000, 'hello\n\0').readCString(addr, max),
};

/** The signed register value of a 32-bit negative int, as SyscallArgs.i64 gives it. */
const neg = (v: number): number => v;

test('openat: AT_FDCWD, path, flags; the mode only with O_CREAT', () => {
  const mem = new FakeMemory().put(0x1000, '/etc/passwd\0');
  assert.equal(
    formatCall(SYS.openat, [neg(-100), 0x1000, 0o2000000, 0o777, 0, 0], mem),
    'openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)',
  );
  assert.equal(
    formatCall(SYS.openat, [3, 0x1000, 0o1 | 0o100 | 0o1000, 0o644, 0, 0], mem),
    'openat(3, "/etc/passwd", O_WRONLY|O_CREAT|O_TRUNC, 0644)',
  );
  assert.equal(
    formatCall(SYS.open, [0x1000, 0o2 | 0o20200000, 0o600], mem),
    'open("/etc/passwd", O_RDWR|O_TMPFILE, 0600)',
  );
  assert.equal(
    formatCall(SYS.openat, [neg(-100), 0x1000, 0o4000 | 0o2000000 | 0o200000, 0, 0, 0], mem),
    'openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY)',
  );
});

test('unsigned register values: exact ones convert, rounded negatives print ?', () => {
  const mem = new FakeMemory().put(0x1000, 'x\0');
  // lo + hi * 2^32 for -100 is not representable and rounds to 2^64.
  const u = 0xffffff9c + 0xffffffff * TWO32;
  assert.equal(u, 2 ** 64);
  assert.equal(formatCall(SYS.openat, [u, 0x1000, 0], mem), 'openat(?, "x", O_RDONLY)');
  // An int argument with garbage in the high half uses the low 32 bits.
  assert.equal(formatCall(SYS.close, [0x1234 * TWO32 + 5], mem), 'close(5)');
  assert.equal(formatCall(SYS.close, [0xffffffff], mem), 'close(-1)');
  // A 64-bit offset at or above 2^63 is negative; -1 as a signed number is exact.
  assert.equal(formatCall(SYS.lseek, [3, -1, 2], mem), 'lseek(3, -1, SEEK_END)');
  assert.equal(formatCall(SYS.lseek, [3, 2 ** 63, 0], mem), 'lseek(3, -9223372036854775808, SEEK_SET)');
  // Pointers given as negative signed numbers print as full 64-bit hex.
  assert.equal(formatCall(SYS.brk, [-4096], mem), 'brk(0xfffffffffffff000)');
});

test('mmap, mprotect, munmap and hex results', () => {
  const mem = new FakeMemory();
  assert.equal(
    formatCall(SYS.mmap, [0, 8192, 3, 0x22, neg(-1), 0], mem),
    'mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)',
  );
  assert.equal(
    formatCall(SYS.mmap, [0x7f0000001000, 0x1bc000, 5, 0x812, 3, 0x26000], mem),
    'mmap(0x7f0000001000, 1818624, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000)',
  );
  assert.equal(formatCall(SYS.mprotect, [0x7f0000001000, 4096, 0], mem), 'mprotect(0x7f0000001000, 4096, PROT_NONE)');
  assert.equal(formatCall(SYS.munmap, [0x7f0000001000, 4096], mem), 'munmap(0x7f0000001000, 4096)');
  assert.equal(formatReturn(SYS.mmap, 0x7f1234567000), '= 0x7f1234567000');
  assert.equal(formatReturn(SYS.brk, 0x555555559000), '= 0x555555559000');
  assert.equal(formatReturn(SYS.mmap, -12), '= -1 ENOMEM (Cannot allocate memory)');
});

test('results: decimal, errors, restarts, octal, no return', () => {
  assert.equal(formatReturn(SYS.openat, 3), '= 3');
  assert.equal(formatReturn(SYS.openat, -2), '= -1 ENOENT (No such file or directory)');
  assert.equal(formatReturn(SYS.close, -9), '= -1 EBADF (Bad file descriptor)');
  assert.equal(formatReturn(SYS.read, -512), '= ? ERESTARTSYS (To be restarted if SA_RESTART is set)');
  assert.equal(formatReturn(SYS.nanosleep, -516), '= ? ERESTART_RESTARTBLOCK (Interrupted by signal)');
  assert.equal(formatReturn(SYS.read, -600), '= -1 E??? (Unknown error 600)');
  assert.equal(formatReturn(SYS.umask, 0o22), '= 022');
  assert.equal(formatReturn(SYS.exit_group, 0), '= ?');
  assert.equal(formatReturn(SYS.lseek, 2 ** 40), '= 1099511627776');
  assert.equal(formatReturn(SYS.getpid, -4096), '= -4096');
});

test('write buffers: quoted, escaped, cut at 32 bytes', () => {
  const mem = new FakeMemory()
    .put(0x1000, 'hello\n')
    .put(0x2000, 'a'.repeat(40))
    .put(0x3000, new Uint8Array([0x09, 0x1b, 0x5b, 0x30, 0x6d, 0x00, 0x01, 0x30, 0x22, 0x5c, 0xff]));
  assert.equal(formatCall(SYS.write, [1, 0x1000, 6], mem), 'write(1, "hello\\n", 6)');
  assert.equal(formatCall(SYS.write, [1, 0x2000, 40], mem), `write(1, "${'a'.repeat(32)}"..., 40)`);
  assert.equal(formatCall(SYS.write, [2, 0x3000, 11], mem), 'write(2, "\\t\\33[0m\\0\\0010\\"\\\\\\377", 11)');
  assert.equal(formatCall(SYS.write, [1, 0x9000, 6], mem), 'write(1, 0x9000, 6)');
  assert.equal(formatCall(SYS.write, [1, 0x1000, 6], stringsOnly), 'write(1, 0x1000, 6)');
  assert.equal(formatCall(SYS.read, [0, 0x1000, 4096], mem), 'read(0, 0x1000, 4096)');
});

test('strings: paths whole, other strings cut, unreadable pointers in hex', () => {
  const long = `/${'d'.repeat(50)}`;
  const mem = new FakeMemory().put(0x1000, `${long}\0`).put(0x2000, 'caf\xe9\0').put(0x3000, 'w'.repeat(40) + '\0');
  assert.equal(formatCall(SYS.chdir, [0x1000], mem), `chdir("${long}")`);
  assert.equal(formatCall(SYS.chdir, [0x2000], mem), 'chdir("caf\\351")');
  assert.equal(formatCall(SYS.chdir, [0xdead], mem), 'chdir(0xdead)');
  assert.equal(formatCall(SYS.chdir, [0], mem), 'chdir(NULL)');
  assert.equal(formatCall(SYS.prctl, [15, 0x3000, 0, 0, 0], mem), `prctl(PR_SET_NAME, "${'w'.repeat(32)}"...)`);
  assert.equal(formatCall(SYS.newfstatat, [neg(-100), 0x2004, 0x5000, 0x1000], mem.put(0x2004, '\0')),
    'newfstatat(AT_FDCWD, "", 0x5000, AT_EMPTY_PATH)');
});

test('signals: numbers, sets, sigaction', () => {
  const mem = new FakeMemory()
    .putU64s(0x1000, [(1 << 1) | (1 << 14)])
    .putU64s(0x1100, [0x401000, 0x14000000, 0x401100, 0])
    .putU64s(0x1200, [0xffff_ffff_ffff_ffffn - (1n << 8n) - (1n << 18n)])
    .putU64s(0x1300, [1, 0, 0, 0]);
  assert.equal(formatCall(SYS.rt_sigprocmask, [0, 0x1000, 0, 8], mem), 'rt_sigprocmask(SIG_BLOCK, [INT TERM], NULL, 8)');
  assert.equal(formatCall(SYS.rt_sigprocmask, [2, 0x1200, 0x1300, 8], mem), 'rt_sigprocmask(SIG_SETMASK, ~[KILL STOP], 0x1300, 8)');
  assert.equal(
    formatCall(SYS.rt_sigaction, [2, 0x1100, 0, 8], mem),
    'rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x401100}, NULL, 8)',
  );
  assert.equal(
    formatCall(SYS.rt_sigaction, [13, 0x1300, 0x1100, 8], mem),
    'rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}, 0x1100, 8)',
  );
  assert.equal(formatCall(SYS.rt_sigaction, [2, 0x1100, 0, 8], stringsOnly), 'rt_sigaction(SIGINT, 0x1100, NULL, 8)');
  assert.equal(formatCall(SYS.kill, [1234, 15], mem), 'kill(1234, SIGTERM)');
  assert.equal(formatCall(SYS.tgkill, [7, 8, 33], mem), 'tgkill(7, 8, SIGRT_1)');
  assert.equal(formatCall(SYS.kill, [neg(-1), 0], mem), 'kill(-1, 0)');
  assert.equal(formatSigset(0, 0), '[]');
  assert.equal(formatSigset(0xffffffff, 0xffffffff), '~[]');
  assert.equal(formatSigset(0x80000000, 0x1), '[RTMIN RT_1]');
});

test('clone, futex, fcntl, prctl, arch_prctl, ioctl', () => {
  const mem = new FakeMemory().putU64s(0x2000, [1, 500_000_000]);
  assert.equal(
    formatCall(SYS.clone, [0x01200011, 0, 0, 0x7f0000000a10, 0], mem),
    'clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, 0x7f0000000a10, 0)',
  );
  assert.equal(
    formatCall(SYS.clone, [0x003d0f00, 0x7f00001000, 0x7f00002000, 0x7f00002000, 0x7f00003000], mem),
    'clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|' +
      'CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, 0x7f00001000, 0x7f00002000, 0x7f00002000, 0x7f00003000)',
  );
  assert.equal(formatCall(SYS.futex, [0x7f00, 129, 1, 0, 0, 0], mem), 'futex(0x7f00, FUTEX_WAKE_PRIVATE, 1)');
  assert.equal(formatCall(SYS.futex, [0x7f00, 128, 2, 0x2000, 0, 0], mem),
    'futex(0x7f00, FUTEX_WAIT_PRIVATE, 2, {tv_sec=1, tv_nsec=500000000})');
  assert.equal(formatCall(SYS.futex, [0x7f00, 9 | 128 | 256, 0, 0, 0, 0xffffffff], mem),
    'futex(0x7f00, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, NULL, NULL, FUTEX_BITSET_MATCH_ANY)');
  assert.equal(formatCall(SYS.fcntl, [3, 1, 0], mem), 'fcntl(3, F_GETFD)');
  assert.equal(formatCall(SYS.fcntl, [3, 2, 1], mem), 'fcntl(3, F_SETFD, FD_CLOEXEC)');
  assert.equal(formatCall(SYS.fcntl, [3, 4, 0o4002], mem), 'fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK)');
  assert.equal(formatCall(SYS.fcntl, [3, 1030, 10], mem), 'fcntl(3, F_DUPFD_CLOEXEC, 10)');
  assert.equal(formatCall(SYS.prctl, [1, 9, 0, 0, 0], mem), 'prctl(PR_SET_PDEATHSIG, SIGKILL)');
  assert.equal(formatCall(SYS.prctl, [38, 1, 0, 0, 0], mem), 'prctl(PR_SET_NO_NEW_PRIVS, 0x1, 0, 0, 0)');
  assert.equal(formatCall(SYS.arch_prctl, [0x1002, 0x7f0000000740], mem), 'arch_prctl(ARCH_SET_FS, 0x7f0000000740)');
  assert.equal(formatCall(SYS.ioctl, [1, 0x5401, 0x7ffc0000], mem), 'ioctl(1, TCGETS, 0x7ffc0000)');
  assert.equal(formatCall(SYS.ioctl, [1, 0x80045430, 0x7ffc0000], mem), 'ioctl(1, TIOCGPTN, 0x7ffc0000)');
  assert.equal(formatCall(SYS.ioctl, [1, 0xabcd, 0], mem), 'ioctl(1, 0xabcd, 0)');
});

test('execve argv and envp, nanosleep, socket, wait4, statx, misc', () => {
  const mem = new FakeMemory()
    .put(0x1000, '/bin/ls\0').put(0x1010, 'ls\0').put(0x1020, '-l\0').put(0x1030, 'PATH=/bin\0').put(0x1040, 'HOME=/\0')
    .putU64s(0x2000, [0x1010, 0x1020, 0])
    .putU64s(0x3000, [0x1030, 0x1040, 0])
    .putU64s(0x4000, [1, 500_000_000]);
  assert.equal(formatCall(SYS.execve, [0x1000, 0x2000, 0x3000], mem),
    'execve("/bin/ls", ["ls", "-l"], 0x3000 /* 2 vars */)');
  assert.equal(formatCall(SYS.nanosleep, [0x4000, 0], mem), 'nanosleep({tv_sec=1, tv_nsec=500000000}, NULL)');
  assert.equal(formatCall(SYS.socket, [1, 1 | 0o2000000, 0], mem), 'socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)');
  assert.equal(formatCall(SYS.wait4, [neg(-1), 0x7ffc, 0, 0], mem), 'wait4(-1, 0x7ffc, 0, NULL)');
  assert.equal(formatCall(SYS.wait4, [neg(-1), 0x7ffc, 0x40000001, 0], mem), 'wait4(-1, 0x7ffc, WNOHANG|__WALL, NULL)');
  assert.equal(formatCall(SYS.statx, [neg(-100), 0x1000, 0x100, 0xfff, 0x5000], mem),
    'statx(AT_FDCWD, "/bin/ls", AT_SYMLINK_NOFOLLOW, STATX_ALL, 0x5000)');
  assert.equal(formatCall(SYS.access, [0x1000, 0], mem), 'access("/bin/ls", F_OK)');
  assert.equal(formatCall(SYS.access, [0x1000, 5], mem), 'access("/bin/ls", R_OK|X_OK)');
  assert.equal(formatCall(SYS.clock_gettime, [1, 0x4000], mem), 'clock_gettime(CLOCK_MONOTONIC, 0x4000)');
  assert.equal(formatCall(SYS.prlimit64, [0, 7, 0, 0x4000], mem), 'prlimit64(0, RLIMIT_NOFILE, NULL, 0x4000)');
  assert.equal(formatCall(SYS.setresuid, [0xffffffff, 1000, neg(-1)], mem), 'setresuid(-1, 1000, -1)');
  assert.equal(formatCall(SYS.pipe2, [0x4000, 0o2000000], mem), 'pipe2(0x4000, O_CLOEXEC)');
  assert.equal(formatCall(SYS.mknodat, [neg(-100), 0x1000, 0o20600, 0x8801], mem),
    'mknodat(AT_FDCWD, "/bin/ls", S_IFCHR|0600, 0x8801)');
  assert.equal(formatCall(SYS.getrandom, [0x4000, 16, 1], mem), 'getrandom(0x4000, 16, GRND_NONBLOCK)');
  assert.equal(formatCall(SYS.exit_group, [0], mem), 'exit_group(0)');
  assert.equal(formatCall(SYS.getpid, [], mem), 'getpid()');
  assert.equal(formatCall(SYS.preadv2, [3, 0x4000, 2, 100, 0, 8], mem), 'preadv2(3, 0x4000, 2, 100, RWF_NOWAIT)');
});

test('syscalls without a table and numbers outside it print raw', () => {
  const mem = new FakeMemory();
  assert.equal(formatCall(335, [1, 2, 3, 0, 0, 0], mem), 'syscall_335(0x1, 0x2, 0x3, 0, 0, 0)');
  assert.equal(formatCall(1000, [0, 0, 0, 0, 0, 0], mem), 'syscall_1000(0, 0, 0, 0, 0, 0)');
  assert.equal(formatCall(SYS.getpmsg, [1, 2], mem), 'getpmsg(0x1, 0x2, 0, 0, 0, 0)');
});

test('flag helpers', () => {
  assert.equal(formatOpenFlags(0), 'O_RDONLY');
  assert.equal(formatOpenFlags(0o3), 'O_ACCMODE');
  assert.equal(formatOpenFlags(0o4010001), 'O_WRONLY|O_SYNC');
  assert.equal(formatOpenFlags(0o10000 | 0x80000000), 'O_RDONLY|O_DSYNC|0x80000000');
  assert.equal(formatOpenFlags(0o10000 + 0x80000000), 'O_RDONLY|O_DSYNC|0x80000000');
  assert.equal(formatFlags(0, [['A', 1]]), '0');
  assert.equal(formatFlags(7, [['A', 1], ['B', 2]]), 'A|B|0x4');
  assert.equal(formatFlags(2 ** 32 + 1, [['A', 1]]), 'A');
  assert.equal(quoteBytes(new Uint8Array([0x41, 0x07, 0x37]), 3, false), '"A\\0077"');
});
