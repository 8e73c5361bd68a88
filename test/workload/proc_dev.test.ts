// Workload: /proc, /dev and /sys as `tsvisor do` mounts them, read by
// busybox-static applets run directly (no shell yet). Each result is
// compared with what Linux would show for the sandbox: PID 1, the
// sandbox's memory limit, the program's argv, the devices of a container's
// /dev. Nothing is skipped: without /bin/busybox the tests fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { busybox, tsvisorBin } from '../helpers/paths.js';
import { describeRun, runTsvisor, type RunResult } from '../helpers/run.js';

const TIMEOUT_MS = 60_000;
const PAGE = 4096;

async function bb(...args: string[]): Promise<RunResult> {
  assert.ok(existsSync(busybox), `${busybox} is missing: apt-get install busybox-static`);
  return runTsvisor([busybox, ...args], { timeoutMs: TIMEOUT_MS });
}

/** Runs and requires status 0 and an empty stderr. */
async function ok(...args: string[]): Promise<RunResult> {
  const r = await bb(...args);
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(r.stderr, '', describeRun(r));
  return r;
}

/** The fields of /proc/PID/stat: pid, (comm) as one field, then the rest. */
function statFields(text: string): string[] {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  assert.ok(open > 0 && close > open, text);
  return [text.slice(0, open - 1), text.slice(open, close + 1), ...text.slice(close + 2).trimEnd().split(' ')];
}

describe('/proc, /dev and /sys under tsvisor', { timeout: 10 * TIMEOUT_MS }, () => {
  test('cat /proc/self/status: the program is PID 1, named after its executable', async () => {
    const r = await ok('cat', '/proc/self/status');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'Name:\tbusybox');
    assert.ok(lines.includes('Pid:\t1'), r.stdout);
    assert.ok(lines.includes('Tgid:\t1'), r.stdout);
    assert.ok(lines.includes('PPid:\t0'), r.stdout);
    assert.ok(lines.includes('State:\tR (running)'), r.stdout);
    assert.ok(lines.includes('Umask:\t0022'), r.stdout);
  });

  test('readlink /proc/self/exe is the real path of the executable', async () => {
    const r = await ok('readlink', '/proc/self/exe');
    assert.equal(r.stdout, realpathSync(busybox) + '\n');
  });

  test('cat /proc/self/cmdline is argv, NUL-terminated strings', async () => {
    const r = await ok('cat', '/proc/self/cmdline');
    assert.deepEqual(r.stdoutBytes, Buffer.from(`${busybox}\0cat\0/proc/self/cmdline\0`));
  });

  test('ls /proc shows PID 1 (only) and self', async () => {
    const r = await ok('ls', '/proc');
    const names = r.stdout.trimEnd().split('\n');
    assert.deepEqual(names.filter((n) => /^\d+$/.test(n)), ['1']);
    for (const n of ['self', 'thread-self', 'meminfo', 'cpuinfo', 'mounts', 'stat', 'uptime', 'sys']) assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
  });

  test('cat /proc/meminfo: MemTotal is the sandbox memory limit', async () => {
    const r = await ok('cat', '/proc/meminfo');
    // tsvisor do's default limit: a quarter of the host's memory, in whole pages.
    const limit = Math.ceil(Math.floor(os.totalmem() / 4) / PAGE) * PAGE;
    const m = /^MemTotal:\s+(\d+) kB$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(Number(m[1]), Math.floor(limit / 1024));
    const free = /^MemFree:\s+(\d+) kB$/m.exec(r.stdout);
    assert.ok(free && Number(free[1]) < Number(m[1]) && Number(free[1]) > 0, r.stdout);
  });

  test('cat /proc/self/maps has the [stack] and [heap] lines', async () => {
    const r = await ok('cat', '/proc/self/maps');
    const lines = r.stdout.trimEnd().split('\n');
    const re = /^[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-][ps] [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} \d+ *(.*)$/;
    for (const l of lines) assert.match(l, re);
    const stack = lines.filter((l) => l.endsWith(' [stack]'));
    assert.equal(stack.length, 1, r.stdout);
    assert.match(stack[0], / rw-p /);
    assert.ok(lines.some((l) => l.endsWith(' [heap]')), r.stdout);
  });

  test('cat /proc/1/stat: 52 fields, PID 1, its name, no parent', async () => {
    const r = await ok('cat', '/proc/1/stat');
    const f = statFields(r.stdout);
    assert.equal(f.length, 52, r.stdout);
    assert.equal(f[0], '1');
    assert.equal(f[1], '(busybox)');
    assert.equal(f[2], 'R');
    assert.equal(f[3], '0'); // ppid
    assert.equal(f[4], '1'); // pgrp
    assert.equal(f[5], '1'); // session
    assert.ok(Number(f[22]) > 0, `vsize ${f[22]}`);
  });

  test('/proc/self/fd links: the host stdio as Linux names it (/dev/null, a file, a pipe)', async () => {
    const r0 = await ok('readlink', '/proc/self/fd/0');
    assert.equal(r0.stdout, '/dev/null\n');
    // stdout a regular file of the host: the link is its path.
    const dir = mkdtempSync(path.join(tmpdir(), 'tsvisor-procfd-'));
    try {
      const out = path.join(dir, 'out');
      const fd = openSync(out, 'w');
      let r: ReturnType<typeof spawnSync>;
      try {
        r = spawnSync(process.execPath, [tsvisorBin, 'do', '--', busybox, 'readlink', '/proc/self/fd/1'], {
          stdio: ['ignore', fd, 'pipe'],
          timeout: TIMEOUT_MS,
        });
      } finally {
        closeSync(fd);
      }
      assert.equal(r.status, 0, String(r.stderr));
      assert.equal(readFileSync(out, 'utf8'), out + '\n');
      // stdout a pipe: pipe:[ino], the host's inode number.
      const p = spawnSync(process.execPath, [tsvisorBin, 'do', '--', busybox, 'readlink', '/proc/self/fd/1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: TIMEOUT_MS,
      });
      assert.equal(p.status, 0, String(p.stderr));
      assert.match(String(p.stdout), /^(pipe|socket):\[\d+\]\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cat /proc/self/mounts: the sandbox mounts, not the host\'s', async () => {
    const r = await ok('cat', '/proc/self/mounts');
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      'overlay / overlay rw,relatime 0 0',
      'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
      'tmpfs /dev tmpfs rw,nosuid,relatime,size=65536k,mode=755 0 0',
      'devpts /dev/pts devpts rw,nosuid,noexec,relatime 0 0',
      'tmpfs /dev/shm tmpfs rw,nosuid,nodev,relatime 0 0',
      'sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0',
      'tmpfs /tmp tmpfs rw,nosuid,nodev,relatime 0 0',
    ]);
  });

  test('dd if=/dev/urandom bs=16 count=1 writes 16 bytes', async () => {
    const r = await bb('dd', 'if=/dev/urandom', 'bs=16', 'count=1');
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdoutBytes.length, 16);
    assert.match(r.stderr, /^1\+0 records in\n1\+0 records out\n/);
  });

  test('dd if=/dev/zero bs=100 count=1 writes 100 zero bytes', async () => {
    const r = await bb('dd', 'if=/dev/zero', 'bs=100', 'count=1');
    assert.equal(r.code, 0, describeRun(r));
    assert.deepEqual(r.stdoutBytes, Buffer.alloc(100));
  });

  test('cat /dev/null is empty; reading /dev/full gives zeros', async () => {
    const r = await ok('cat', '/dev/null');
    assert.equal(r.stdoutBytes.length, 0);
    const f = await bb('dd', 'if=/dev/full', 'bs=8', 'count=1');
    assert.equal(f.code, 0, describeRun(f));
    assert.deepEqual(f.stdoutBytes, Buffer.alloc(8));
  });

  test('ls /dev: the nodes, directories and links of a container\'s /dev', async () => {
    const r = await ok('ls', '/dev');
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      'fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero',
    ]);
  });

  test('/dev/shm is a tmpfs of its own, /dev/pts a directory', async () => {
    const r = await ok('stat', '-f', '-c', '%T', '/dev/shm');
    assert.equal(r.stdout, 'tmpfs\n');
    const p = await ok('stat', '-c', '%F', '/dev/pts');
    assert.equal(p.stdout, 'directory\n');
  });

  test('cat /sys/devices/system/cpu/online', async () => {
    const r = await ok('cat', '/sys/devices/system/cpu/online');
    const n = Math.max(1, os.cpus().length);
    assert.equal(r.stdout, n === 1 ? '0\n' : `0-${n - 1}\n`);
  });
});
