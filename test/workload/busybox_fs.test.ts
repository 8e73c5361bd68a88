// Workload: busybox-static file applets, one per sandbox (busybox's shell
// needs fork, which comes later).
//
// On a directory of the host: each applet runs natively in one copy of a
// fixture and under `tsvisor do --volume COPY:/work --cwd /work` in an
// identical copy; status, stdout, stderr and the resulting trees must match.
// On the sandbox's own /tmp (an empty tmpfs of its own): applets whose
// result is known exactly. Nothing is skipped: without /bin/busybox
// (Debian package busybox-static) the tests fail.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busybox } from '../helpers/paths.js';
import { describeRun, run, runTsvisor, type RunResult } from '../helpers/run.js';

const TIMEOUT_MS = 60_000;
/** A fixed time for every fixture file, so listings match. */
const FIXED_TIME = new Date('2024-03-01T12:00:00Z');

let work = '';
let tarball: Buffer = Buffer.alloc(0);

/** The fixture: a few files, a nested directory, a symlink. */
function makeFixture(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'a.txt'), 'alpha\nbeta\ngamma\ndelta\n');
  fs.writeFileSync(path.join(dir, 'b.txt'), 'zeta\neta\ntheta\n');
  fs.writeFileSync(path.join(dir, 'numbers'), Array.from({ length: 200 }, (_, i) => `${(i * 7919) % 1000}\n`).join(''));
  fs.mkdirSync(path.join(dir, 'sub/deeper'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'sub/one'), '1\n');
  fs.writeFileSync(path.join(dir, 'sub/deeper/two'), Buffer.alloc(10_000, 0x41));
  fs.symlinkSync('one', path.join(dir, 'sub/link-to-one'));
  fs.writeFileSync(path.join(dir, 'archive.tar'), tarball);
  fs.chmodSync(path.join(dir, 'sub/one'), 0o640);
  // Times last (making entries changes the directories' mtimes).
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    if (st.isSymbolicLink()) fs.lutimesSync(p, FIXED_TIME, FIXED_TIME);
    else fs.utimesSync(p, FIXED_TIME, FIXED_TIME);
  };
  walk(dir);
}

/** Every entry under dir: path, type, permission bits, size, link target, content hash. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const p = path.join(dir, rel);
    const st = fs.lstatSync(p);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.push(`${rel} link ${fs.readlinkSync(p)}`);
    else if (st.isDirectory()) {
      out.push(`${rel}/ dir ${mode}`);
      for (const e of fs.readdirSync(p).sort()) walk(rel === '.' ? e : `${rel}/${e}`);
    } else {
      const hash = createHash('sha256').update(fs.readFileSync(p)).digest('hex').slice(0, 16);
      out.push(`${rel} file ${mode} ${st.size} ${hash}`);
    }
  };
  walk('.');
  return out;
}

let serial = 0;

interface Compared {
  native: RunResult;
  sandboxed: RunResult;
  nativeDir: string;
  sandboxDir: string;
}

/** Runs `busybox ARGS` natively and sandboxed, each in a fresh copy of the fixture. */
async function both(args: string[], input?: string): Promise<Compared> {
  const n = serial++;
  const nativeDir = path.join(work, `native-${n}`);
  const sandboxDir = path.join(work, `sandbox-${n}`);
  makeFixture(nativeDir);
  makeFixture(sandboxDir);
  const [native, sandboxed] = await Promise.all([
    run(busybox, args, { cwd: nativeDir, timeoutMs: TIMEOUT_MS, input }),
    runTsvisor([busybox, ...args], { flags: ['--volume', `${sandboxDir}:/work`, '--cwd', '/work'], timeoutMs: TIMEOUT_MS, input }),
  ]);
  return { native, sandboxed, nativeDir, sandboxDir };
}

/** The same status, output and resulting tree, natively and sandboxed. */
function assertSame(c: Compared, opts: { stdout?: (s: string) => string; stderr?: (s: string) => string } = {}): void {
  const { native, sandboxed } = c;
  assert.equal(sandboxed.code, native.code, `tsvisor: ${describeRun(sandboxed)}\nnative: ${describeRun(native)}`);
  const out = opts.stdout ?? ((s: string) => s);
  const err = opts.stderr ?? ((s: string) => s);
  assert.equal(out(sandboxed.stdout), out(native.stdout), 'stdout differs from native');
  assert.equal(err(sandboxed.stderr), err(native.stderr), 'stderr differs from native');
  assert.deepEqual(snapshot(c.sandboxDir), snapshot(c.nativeDir), 'the resulting tree differs from native');
}

const sortLines = (s: string): string => s.split('\n').sort().join('\n');

describe('busybox file applets on a host directory (--volume), against native', { concurrency: 2 }, () => {
  before(async () => {
    assert.ok(fs.existsSync(busybox), `${busybox} is missing: apt-get install busybox-static`);
    work = fs.mkdtempSync(path.join(tmpdir(), 'tsvisor-busybox-fs-'));
    // An archive to extract, made natively.
    const src = path.join(work, 'tar-src');
    fs.mkdirSync(path.join(src, 'pkg/bin'), { recursive: true });
    fs.writeFileSync(path.join(src, 'pkg/README'), 'read me\n');
    fs.writeFileSync(path.join(src, 'pkg/bin/tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
    fs.symlinkSync('bin/tool', path.join(src, 'pkg/tool-link'));
    const r = await run(busybox, ['tar', 'cf', '-', 'pkg'], { cwd: src, timeoutMs: TIMEOUT_MS });
    assert.equal(r.code, 0, describeRun(r));
    tarball = r.stdoutBytes;
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const cases: { name: string; args: string[]; input?: string; sortOut?: boolean }[] = [
    { name: 'mkdir -p', args: ['mkdir', '-p', 'x/y/z', 'sub/deeper/more'] },
    { name: 'ls -la', args: ['ls', '-la', 'sub', 'sub/deeper'] },
    { name: 'ls -lR', args: ['ls', '-lR', '--full-time', 'sub'] },
    { name: 'cat', args: ['cat', 'a.txt', 'sub/one', 'b.txt'] },
    { name: 'cat a missing file', args: ['cat', 'a.txt', 'missing'] },
    { name: 'cp -r', args: ['cp', '-r', 'sub', 'copy'] },
    { name: 'cp -a', args: ['cp', '-a', 'sub', 'copy'] },
    { name: 'mv a file', args: ['mv', 'a.txt', 'sub/moved.txt'] },
    { name: 'mv a directory', args: ['mv', 'sub', 'renamed'] },
    { name: 'rm -r', args: ['rm', '-r', 'sub'] },
    { name: 'rm a missing file', args: ['rm', 'nothing-here'] },
    { name: 'ln -s', args: ['ln', '-s', 'a.txt', 'a-link'] },
    { name: 'ln (hard)', args: ['ln', 'b.txt', 'b-hard'] },
    { name: 'stat', args: ['stat', '-c', '%n %s %F %a %h %U %G %Y', 'a.txt', 'sub', 'sub/link-to-one', 'sub/deeper/two'] },
    { name: 'stat -L', args: ['stat', '-L', '-c', '%n %s %F', 'sub/link-to-one'] },
    { name: 'find', args: ['find', '.'], sortOut: true },
    { name: 'find -type f -name', args: ['find', '.', '-type', 'f', '-name', '*.txt'], sortOut: true },
    { name: 'du', args: ['du', '-a', 'sub'], sortOut: true },
    { name: 'wc', args: ['wc', 'a.txt', 'b.txt', 'numbers'] },
    { name: 'head', args: ['head', '-n', '3', 'numbers'] },
    { name: 'tail', args: ['tail', '-n', '4', 'numbers'] },
    { name: 'tail -c', args: ['tail', '-c', '7', 'a.txt'] },
    { name: 'sort', args: ['sort', '-n', 'numbers'] },
    { name: 'sort -o', args: ['sort', '-r', '-o', 'sorted', 'a.txt'] },
    { name: 'sha256sum', args: ['sha256sum', 'a.txt', 'sub/deeper/two', 'archive.tar'] },
    { name: 'touch', args: ['touch', 'new-file', 'a.txt'] },
    { name: 'chmod -R', args: ['chmod', '-R', 'go-rwx', 'sub'] },
    { name: 'rmdir', args: ['rmdir', 'sub/deeper'] },
    { name: 'tar x', args: ['tar', 'xvf', 'archive.tar'] },
    { name: 'tar c', args: ['tar', 'cf', 'made.tar', 'sub'] },
    { name: 'tar t', args: ['tar', 'tvf', 'archive.tar'] },
    { name: 'dd', args: ['dd', 'if=numbers', 'of=dd-out', 'bs=100', 'skip=2', 'count=3'] },
    { name: 'dd from stdin', args: ['dd', 'of=dd-in', 'bs=7'], input: 'from standard input\n' },
  ];

  for (const c of cases) {
    test(`busybox ${c.args.join(' ')}`, { timeout: 3 * TIMEOUT_MS }, async () => {
      const r = await both(c.args, c.input);
      // dd reports its speed on stderr: keep the record counts.
      const ddErr = (s: string): string => s.split('\n').filter((l) => !/copied/.test(l)).join('\n');
      assertSame(r, {
        stdout: c.sortOut ? sortLines : undefined,
        stderr: c.args[0] === 'dd' ? ddErr : undefined,
      });
    });
  }
});

describe('busybox on the sandbox\'s own /tmp', () => {
  const inSandbox = (args: string[]): Promise<RunResult> =>
    runTsvisor([busybox, ...args], { flags: ['--cwd', '/'], timeoutMs: TIMEOUT_MS });

  test('mkdir -p /tmp/a/b/c', { timeout: TIMEOUT_MS }, async () => {
    const r = await inSandbox(['mkdir', '-p', '/tmp/a/b/c']);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout, '');
  });

  test('ls -la /tmp: an empty tmpfs', { timeout: TIMEOUT_MS }, async () => {
    const r = await inSandbox(['ls', '-la', '/tmp']);
    assert.equal(r.code, 0, describeRun(r));
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'total 0');
    assert.equal(lines.length, 3, r.stdout);
    assert.match(lines[1] ?? '', /^drwxrwxrwt\s+2 root\s+root\s+\d+ .* \.$/);
    assert.match(lines[2] ?? '', /^d[rwx-]{9}\s+\d+ \S+\s+\S+\s+\d+ .* \.\.$/);
  });

  test('ls / shows the mount points', { timeout: TIMEOUT_MS }, async () => {
    const r = await inSandbox(['ls', '/']);
    assert.equal(r.code, 0, describeRun(r));
    const names = r.stdout.split('\n');
    for (const m of ['dev', 'proc', 'sys', 'tmp']) assert.ok(names.includes(m), `${m} missing from ${JSON.stringify(names)}`);
  });

  test('stat /tmp', { timeout: TIMEOUT_MS }, async () => {
    const r = await inSandbox(['stat', '-c', '%n %F %a %h %u %g', '/tmp']);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout, '/tmp directory 1777 2 0 0\n');
  });

  test('find /tmp', { timeout: TIMEOUT_MS }, async () => {
    const r = await inSandbox(['find', '/tmp']);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout, '/tmp\n');
  });

  test('du -s /tmp', { timeout: TIMEOUT_MS }, async () => {
    const r = await inSandbox(['du', '-s', '/tmp']);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout, '0\t/tmp\n');
  });

  test('dd into /tmp', { timeout: TIMEOUT_MS }, async () => {
    const r = await runTsvisor([busybox, 'dd', 'of=/tmp/out', 'bs=512'], { flags: ['--cwd', '/'], timeoutMs: TIMEOUT_MS, input: 'x'.repeat(2048) });
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stderr, /^4\+0 records in\n4\+0 records out\n/);
  });

  test('rm -r /tmp: the mount point itself is busy', { timeout: TIMEOUT_MS }, async () => {
    const r = await inSandbox(['rm', '-r', '/tmp']);
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(r.stderr, "rm: can't remove '/tmp': Device or resource busy\n");
  });

  test('writes to the root stay in the sandbox (overlay)', { timeout: TIMEOUT_MS }, async () => {
    const name = `/tsvisor-overlay-probe-${process.pid}`;
    const r = await inSandbox(['mkdir', name]);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(fs.existsSync(name), false, `${name} appeared on the host`);
  });
});
