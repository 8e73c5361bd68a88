// Checks every number in src/abi/linux/{time,utsname,sysinfo,rlimit,signal,iovec,
// stat,fcntl,ioctl,random,sched,prctl}.ts against the C headers of this machine:
// the test generates a C program per module that prints each macro (or a sizeof /
// offsetof expression), compiles it with gcc, and compares.
//
// Const enum members are read from the emitted .d.ts (tsc writes their computed
// values there); plain numeric exports from the module itself. A member whose
// name is a C macro is compared with that macro; other names need an expression
// below or an entry in `absent` with the reason the headers cannot check it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { haveGcc, runC } from '../helpers/cprobe.js';

const ABI_DIR = fileURLToPath(new URL('../../src/abi/linux/', import.meta.url));


/** Const enum members from a .d.ts: 'Enum.MEMBER' → value. */
function enumMembers(dts: string): Map<string, { enumName: string; member: string; value: number }> {
  const out = new Map<string, { enumName: string; member: string; value: number }>();
  const text = dts.replace(/\/\*[\s\S]*?\*\//g, '');
  for (const m of text.matchAll(/export declare const enum (\w+) \{([^}]*)\}/g)) {
    for (const mm of m[2].matchAll(/(\w+) = (-?[0-9.e+]+)/g)) {
      out.set(`${m[1]}.${mm[1]}`, { enumName: m[1], member: mm[1], value: Number(mm[2]) });
    }
  }
  return out;
}

interface Unit {
  /** Headers, in order (uapi headers first, before glibc's, so <linux/stat.h> keeps its S_IF*). */
  headers: string[];
  prelude?: string;
  /** name ('Enum.MEMBER' or 'CONST') → C expressions that must all equal the TS value. */
  exprs?: Record<string, string | string[]>;
}

interface ModuleCheck {
  file: string;
  units: Unit[];
  /** Enums that are not ABI numbers (nothing to compare). */
  skipEnums?: string[];
  /** Names the headers cannot check, with the reason. */
  absent?: Record<string, string>;
}

/** offsetof expressions for an offsets enum: MEMBER → prefix + member in lower case, unless renamed. */
function offsets(enumName: string, struct: string, members: string[], prefix = '', rename: Record<string, string> = {}): Record<string, string> {
  const r: Record<string, string> = {};
  for (const m of members) r[`${enumName}.${m}`] = `offsetof(${struct}, ${rename[m] ?? prefix + m.toLowerCase()})`;
  return r;
}

const MODULES: ModuleCheck[] = [
  {
    file: 'time',
    units: [{
      headers: ['linux/time.h'],
      exprs: {
        TIMESPEC_SIZE: 'sizeof(struct timespec)',
        TIMEVAL_SIZE: 'sizeof(struct timeval)',
        TIMEZONE_SIZE: 'sizeof(struct timezone)',
        ITIMERSPEC_SIZE: 'sizeof(struct itimerspec)',
        ITIMERVAL_SIZE: ['sizeof(struct itimerval)'],
        ...offsets('ItimerOffset', 'struct itimerspec', ['IT_INTERVAL', 'IT_VALUE']),
        'ItimerOffset.IT_VALUE': ['offsetof(struct itimerspec, it_value)', 'offsetof(struct itimerval, it_value)'],
      },
    }, {
      headers: ['signal.h', 'sys/timerfd.h', 'limits.h', 'stdint.h', 'linux/types.h', 'linux/ioctl.h'],
      exprs: {
        SIGEVENT_SIZE: 'sizeof(struct sigevent)',
        ...offsets('SigeventOffset', 'struct sigevent', ['VALUE', 'SIGNO', 'NOTIFY'], 'sigev_'),
        'SigeventOffset.THREAD_ID': 'offsetof(struct sigevent, _sigev_un._tid)',
        TFD_CREATE_FLAGS: 'TFD_CLOEXEC | TFD_NONBLOCK',
        TFD_SETTIME_FLAGS: 'TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET',
        TFD_IOC_SET_TICKS: "_IOW('T', 0, __u64)",
        TIMERFD_TICKS_SIZE: 'sizeof(uint64_t)',
        KERNEL_TIMER_T_SIZE: 'sizeof(__kernel_timer_t)',
      },
    }],
    absent: {
      NSEC_PER_SEC: 'kernel-internal (vdso/time64.h)',
      USEC_PER_SEC: 'kernel-internal (vdso/time64.h)',
      KERNEL_HZ: 'CONFIG_HZ',
      TICK_NSEC: 'kernel-internal',
      SIGINFO_TIMER_SYS_PRIVATE: 'kernel_siginfo _sys_private',
      'CpuClock.CPUCLOCK_PROF': 'kernel-internal (include/linux/posix-timers.h)',
      'CpuClock.CPUCLOCK_VIRT': 'kernel-internal (include/linux/posix-timers.h)',
      'CpuClock.CPUCLOCK_SCHED': 'kernel-internal (include/linux/posix-timers.h)',
      'CpuClock.CPUCLOCK_MAX': 'kernel-internal (include/linux/posix-timers.h)',
      'CpuClock.CPUCLOCK_CLOCK_MASK': 'kernel-internal (include/linux/posix-timers.h)',
      'CpuClock.CPUCLOCK_PERTHREAD_MASK': 'kernel-internal (include/linux/posix-timers.h)',
      'CpuClock.CLOCKFD': 'kernel-internal (include/linux/posix-timers.h)',
      'CpuClock.CLOCKFD_MASK': 'kernel-internal (include/linux/posix-timers.h)',
    },
  },
  {
    file: 'utsname',
    units: [{
      headers: ['linux/utsname.h'],
      exprs: {
        UTS_LEN: '__NEW_UTS_LEN',
        UTSNAME_FIELD_SIZE: 'sizeof(((struct new_utsname *)0)->sysname)',
        UTSNAME_SIZE: 'sizeof(struct new_utsname)',
        ...offsets('UtsnameOffset', 'struct new_utsname',
          ['SYSNAME', 'NODENAME', 'RELEASE', 'VERSION', 'MACHINE', 'DOMAINNAME']),
      },
    }],
  },
  {
    file: 'sysinfo',
    units: [{
      headers: ['linux/sysinfo.h'],
      exprs: {
        SYSINFO_SIZE: 'sizeof(struct sysinfo)',
        ...offsets('SysinfoOffset', 'struct sysinfo', ['UPTIME', 'LOADS', 'TOTALRAM', 'FREERAM', 'SHAREDRAM',
          'BUFFERRAM', 'TOTALSWAP', 'FREESWAP', 'PROCS', 'TOTALHIGH', 'FREEHIGH', 'MEM_UNIT']),
      },
    }],
  },
  {
    file: 'rlimit',
    units: [{
      headers: ['linux/resource.h'],
      exprs: { RLIMIT_SIZE: ['sizeof(struct rlimit)', 'sizeof(struct rlimit64)'] },
    }],
  },
  {
    file: 'signal',
    units: [{
      headers: ['linux/signal.h'],
      // SIGRTMAX is defined as the kernel's _NSIG, which uapi leaves undefined (asm/signal.h's NSIG is the old 32).
      prelude: '#define _NSIG 64 /* arch/x86/include/asm/signal.h in the kernel tree */',
      exprs: {
        NSIG: '_NSIG',
        // The kernel's UAPI_SA_FLAGS | __ARCH_UAPI_SA_FLAGS (include/linux/signal_types.h).
        SA_KNOWN_FLAGS: 'SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND | SA_EXPOSE_TAGBITS | SA_RESTORER',
        SIGSET_SIZE: 'sizeof(sigset_t)',
        SIGACTION_SIZE: 'sizeof(struct sigaction)',
        STACK_T_SIZE: 'sizeof(stack_t)',
        SIGINFO_SIZE: 'sizeof(siginfo_t)',
        ...offsets('SigactionOffset', 'struct sigaction', ['HANDLER', 'FLAGS', 'RESTORER', 'MASK'], 'sa_'),
        ...offsets('SiginfoOffset', 'siginfo_t', ['SIGNO', 'ERRNO', 'CODE', 'PID', 'UID', 'TIMERID', 'OVERRUN',
          'VALUE', 'STATUS', 'UTIME', 'STIME', 'ADDR', 'ADDR_LSB', 'LOWER', 'UPPER', 'PKEY', 'BAND', 'FD',
          'CALL_ADDR', 'SYSCALL', 'ARCH'], 'si_', { TIMERID: 'si_tid' }),
      },
    }],
    skipEnums: ['DefaultAction'],
  },
  {
    file: 'iovec',
    units: [
      { headers: ['linux/uio.h'], exprs: { IOVEC_SIZE: 'sizeof(struct iovec)' } },
      { headers: ['limits.h'], prelude: '#define _GNU_SOURCE' },
    ],
    absent: { MAX_RW_COUNT: 'kernel-internal (include/linux/fs.h: INT_MAX & PAGE_MASK)' },
  },
  {
    file: 'fcntl',
    units: [
      {
        headers: ['linux/fcntl.h', 'linux/openat2.h'],
        exprs: {
          FLOCK_SIZE: 'sizeof(struct flock)',
          OPEN_HOW_SIZE: 'sizeof(struct open_how)',
          // include/linux/fcntl.h in the kernel tree.
          VALID_OPEN_FLAGS: '(O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NDELAY | O_NONBLOCK | __O_SYNC | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | __O_TMPFILE)',
          // fs/fcntl.c in the kernel tree.
          SETFL_MASK: '(O_APPEND | O_NONBLOCK | O_NDELAY | FASYNC | O_DIRECT | O_NOATIME)',
        },
      },
      // access(2) modes and SEEK_* live in glibc's <unistd.h>.
      { headers: ['unistd.h'], prelude: '#define _GNU_SOURCE' },
    ],
  },
  {
    file: 'ioctl',
    units: [{
      headers: ['asm/ioctls.h', 'asm/termbits.h', 'asm/termios.h', 'asm/ioctl.h'],
      exprs: {
        WINSIZE_SIZE: 'sizeof(struct winsize)',
        TERMIOS_SIZE: 'sizeof(struct termios)',
        TERMIOS2_SIZE: 'sizeof(struct termios2)',
      },
    }],
  },
  {
    file: 'random',
    units: [{ headers: ['linux/random.h'], exprs: { GRND_VALID_FLAGS: 'GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE' } }],
  },
  {
    file: 'sched',
    units: [
      {
        headers: ['linux/sched.h'],
        exprs: {
          ...offsets('CloneArgsOffset', 'struct clone_args', ['FLAGS', 'PIDFD', 'CHILD_TID', 'PARENT_TID',
            'EXIT_SIGNAL', 'STACK', 'STACK_SIZE', 'TLS', 'SET_TID', 'SET_TID_SIZE', 'CGROUP']),
        },
      },
      // SCHED_OTHER and CPU_SETSIZE are glibc's.
      { headers: ['sched.h'], prelude: '#define _GNU_SOURCE', exprs: { SCHED_PARAM_SIZE: 'sizeof(struct sched_param)' } },
    ],
  },
  {
    file: 'prctl',
    units: [{ headers: ['linux/prctl.h', 'asm/prctl.h'] }],
    absent: { TASK_COMM_LEN: 'kernel-internal (include/linux/sched.h)' },
  },
  {
    file: 'stat',
    units: [
      {
        // <linux/stat.h> defines S_IF* only before glibc's features.h has been seen.
        headers: ['asm/stat.h', 'linux/stat.h', 'linux/fcntl.h'],
        exprs: {
          STAT_SIZE: 'sizeof(struct stat)',
          STATX_SIZE: 'sizeof(struct statx)',
          S_IALLUGO: '(S_ISUID | S_ISGID | S_ISVTX | S_IRWXU | S_IRWXG | S_IRWXO)',
          ...offsets('StatOffset', 'struct stat', ['DEV', 'INO', 'NLINK', 'MODE', 'UID', 'GID', 'RDEV', 'SIZE',
            'BLKSIZE', 'BLOCKS', 'ATIME', 'ATIME_NSEC', 'MTIME', 'MTIME_NSEC', 'CTIME', 'CTIME_NSEC'], 'st_'),
          ...offsets('StatxOffset', 'struct statx', ['MASK', 'BLKSIZE', 'ATTRIBUTES', 'NLINK', 'UID', 'GID', 'MODE',
            'INO', 'SIZE', 'BLOCKS', 'ATTRIBUTES_MASK', 'ATIME', 'BTIME', 'CTIME', 'MTIME', 'RDEV_MAJOR',
            'RDEV_MINOR', 'DEV_MAJOR', 'DEV_MINOR', 'MNT_ID', 'DIO_MEM_ALIGN', 'DIO_OFFSET_ALIGN'], 'stx_'),
        },
      },
      // UTIME_NOW / UTIME_OMIT are in glibc's <sys/stat.h> (and the kernel's internal linux/stat.h).
      { headers: ['sys/stat.h'], prelude: '#define _GNU_SOURCE' },
    ],
  },
];

interface Check {
  key: string;
  value: number;
  /** C expressions; a bare macro name is tested with #ifdef. */
  exprs: string[];
  macro?: string;
}

function cProgram(unit: Unit, checks: Check[], unitIndex: number, units: Unit[]): string {
  const lines: string[] = [];
  if (unit.prelude) lines.push(unit.prelude);
  for (const h of unit.headers) lines.push(`#include <${h}>`);
  lines.push('#include <stdio.h>', '#include <stddef.h>', 'int main(void) {');
  for (const c of checks) {
    const own = units[unitIndex].exprs?.[c.key];
    if (own !== undefined) {
      for (const e of Array.isArray(own) ? own : [own]) {
        lines.push(`  printf("%s\\t%lld\\n", ${JSON.stringify(c.key)}, (long long)(${e}));`);
      }
    } else if (c.macro !== undefined && !units.some((u) => u.exprs?.[c.key] !== undefined)) {
      lines.push(`#ifdef ${c.macro}`);
      lines.push(`  printf("%s\\t%lld\\n", ${JSON.stringify(c.key)}, (long long)(${c.macro}));`);
      lines.push('#endif');
    }
  }
  lines.push('  return 0;', '}');
  return lines.join('\n');
}

for (const mod of MODULES) {
  test(`abi/linux/${mod.file}.ts matches the C headers`, async (t) => {
    if (!haveGcc()) {
      t.skip('gcc not found');
      return;
    }
    const checks: Check[] = [];
    const dts = readFileSync(join(ABI_DIR, `${mod.file}.d.ts`), 'utf8');
    for (const [key, m] of enumMembers(dts)) {
      if (mod.skipEnums?.includes(m.enumName)) continue;
      checks.push({ key, value: m.value, exprs: [], macro: m.member });
    }
    const exports = (await import(pathToFileURL(join(ABI_DIR, `${mod.file}.js`)).href)) as Record<string, unknown>;
    for (const [name, v] of Object.entries(exports)) {
      if (typeof v === 'number' && Number.isFinite(v)) checks.push({ key: name, value: v, exprs: [], macro: name });
    }
    assert.ok(checks.length > 0, 'nothing to check');

    // The first unit that defines a name decides its value.
    const found = new Map<string, number[]>();
    for (let i = 0; i < mod.units.length; i++) {
      const out = runC(cProgram(mod.units[i], checks, i, mod.units));
      const seen = new Map<string, number[]>();
      for (const line of out.trim().split('\n')) {
        if (line === '') continue;
        const [k, v] = line.split('\t');
        seen.set(k, [...(seen.get(k) ?? []), Number(v)]);
      }
      for (const [k, v] of seen) if (!found.has(k)) found.set(k, v);
    }

    const problems: string[] = [];
    for (const c of checks) {
      const vals = found.get(c.key);
      const why = mod.absent?.[c.key];
      if (vals === undefined) {
        if (why === undefined) problems.push(`${c.key}: not in the headers (TS ${c.value})`);
        continue;
      }
      if (why !== undefined) problems.push(`${c.key}: listed as absent (${why}) but the headers define it`);
      for (const v of vals) if (v !== c.value) problems.push(`${c.key}: TS ${c.value}, C ${v}`);
    }
    assert.deepEqual(problems, []);
  });
}
