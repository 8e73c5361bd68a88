// The --strace tables against this machine: every name in every table has the
// value the C headers give it, every errno text is glibc's strerror, and every
// x86-64 syscall (but the removed ones) has an argument table.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { SYSCALL_NAMES } from '../../src/abi/linux/syscalls.js';
import { ERRNO_NAMES } from '../../src/abi/linux/errno.js';
import { formatReturn, hasSpec, STRACE_XLATS } from '../../src/syscalls/strace.js';
import { haveGcc, runC } from '../helpers/cprobe.js';


const opts = { skip: haveGcc() ? false : 'gcc not found' };

// Kernel uapi headers first (their values are the ABI: O_LARGEFILE is 0 in glibc
// on x86-64), then glibc's for what uapi lacks (AF_*, MSG_*, SOCK_*, SHUT_*,
// SFD_*, EFD_*, MNT_*, SPLICE_F_*, R_OK, SCHED_OTHER…). The first program that defines a name wins.
const UNITS: string[][] = [
  [
    'linux/mman.h', 'linux/fcntl.h', 'linux/wait.h', 'linux/futex.h', 'linux/memfd.h', 'linux/random.h',
    'linux/stat.h', 'linux/time.h', 'linux/resource.h', 'linux/sched.h', 'linux/signal.h', 'linux/fs.h',
    'linux/inotify.h', 'linux/eventpoll.h', 'linux/fadvise.h', 'linux/timerfd.h',
  ],
  [
    '_GNU_SOURCE', 'sys/socket.h', 'sys/signalfd.h', 'sys/eventfd.h', 'sys/mount.h', 'fcntl.h', 'unistd.h', 'sched.h',
  ],
];

/** Names the 6.1 headers here predate. */
const ABSENT: Record<string, string> = {
  MFD_NOEXEC_SEAL: 'Linux 6.3',
  MFD_EXEC: 'Linux 6.3',
};

function program(headers: string[], names: string[]): string {
  const lines: string[] = [];
  for (const h of headers) lines.push(h === '_GNU_SOURCE' ? '#define _GNU_SOURCE' : `#include <${h}>`);
  lines.push('#include <stdio.h>', 'int main(void) {');
  for (const n of names) {
    lines.push(`#ifdef ${n}`, `  printf("%s %lld\\n", "${n}", (long long)(${n}));`, '#endif');
  }
  lines.push('  return 0;', '}');
  return lines.join('\n');
}

test('every strace table entry has its header value', opts, () => {
  const expected = new Map<string, number>();
  const problems: string[] = [];
  for (const [table, entries] of Object.entries(STRACE_XLATS)) {
    for (const [name, value] of entries) {
      const prev = expected.get(name);
      if (prev !== undefined && prev !== value) problems.push(`${name}: ${prev} in one table, ${value} in ${table}`);
      expected.set(name, value);
    }
  }
  const names = [...expected.keys()];
  const found = new Map<string, number>();
  for (const headers of UNITS) {
    for (const line of runC(program(headers, names), 'tsvisor-strace-').trim().split('\n')) {
      const [k, v] = line.split(' ');
      if (!found.has(k)) found.set(k, Number(v));
    }
  }
  for (const [name, value] of expected) {
    const c = found.get(name);
    if (c === undefined) {
      if (ABSENT[name] === undefined) problems.push(`${name}: not in the headers`);
    } else if (c !== value && c >>> 0 !== value >>> 0) {
      problems.push(`${name}: TS ${value}, C ${c}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('errno texts are glibc strerror(3)', opts, () => {
  const out = runC([
    '#include <stdio.h>', '#include <string.h>',
    'int main(void) { for (int i = 1; i <= 133; i++) printf("%d\\t%s\\n", i, strerror(i)); return 0; }',
  ].join('\n'), 'tsvisor-strace-');
  const problems: string[] = [];
  for (const line of out.trim().split('\n')) {
    const [n, text] = line.split('\t');
    const e = Number(n);
    const name = ERRNO_NAMES[e];
    if (name === undefined) continue; // 41 and 58 are unused numbers
    const want = `= -1 ${name} (${text})`;
    const got = formatReturn(0, -e);
    if (got !== want) problems.push(`${e}: ${got} ≠ ${want}`);
  }
  assert.deepEqual(problems, []);
});

test('every x86-64 syscall has an argument table, except the removed ones', () => {
  const raw = new Set([
    'create_module', 'get_kernel_syms', 'query_module', 'nfsservctl', 'getpmsg', 'putpmsg', 'afs_syscall',
    'tuxcall', 'security', 'epoll_ctl_old', 'epoll_wait_old', 'vserver',
  ]);
  const missing: string[] = [];
  SYSCALL_NAMES.forEach((name, nr) => {
    if (name.startsWith('syscall_') || raw.has(name)) {
      if (hasSpec(nr)) missing.push(`${name} should print raw`);
    } else if (!hasSpec(nr)) {
      missing.push(name);
    }
  });
  assert.deepEqual(missing, []);
});
