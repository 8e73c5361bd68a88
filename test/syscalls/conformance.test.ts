// The syscall conformance harness (DESIGN.md, Testing).
//
// Each test/syscalls/NAME.c is compiled with gcc (-O1 -static) into
// test/syscalls/bin/, then run natively and under `tsvisor do`, both with
// stdout and stderr as pipes. A program prints one line per case ("ok CASE" or
// "FAIL CASE: why") and exits 0 only if all passed. Every case must pass
// natively (that validates the test) and under tsvisor; each case is a subtest
// named after it, so a failure names the case. If tsvisor cannot run, the
// tests fail: they never skip.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildC } from '../helpers/cbuild.js';
import { syscallsBinDir, syscallsSrcDir } from '../helpers/paths.js';
import { describeRun, run, runTsvisor, type RunResult } from '../helpers/run.js';

/** Conformance programs: each prints ok/FAIL lines and must pass both ways. */
const PROGRAMS = ['mm', 'mm_file', 'mm_fork', 'identity_time', 'random', 'rw', 'hostile', 'fs_open', 'fs_path', 'fs_stat', 'fs_dir', 'fs_xattr', 'pipe', 'futex', 'fs_lock', 'fs_splice', 'memfd', 'creds', 'sched', 'proc_fork', 'proc_wait', 'proc_exec', 'proc_exec_cache', 'threads', 'futex_mt', 'rlimit_mem', 'poll', 'epoll', 'pidfd', 'timers', 'timerfd', 'timers_sig', 'signals', 'sigframe', 'signals_fp', 'fifo', 'signalfd', 'pty', 'fs_mount', 'fs_advice', 'fs_shm', 'fs_perm', 'socket_unix', 'socket_inet', 'inotify', 'net_netlink', 'net_proc', 'vdso'] as const;

/** Per program run (compile time is separate). */
const RUN_TIMEOUT_MS = 60_000;
/** Per describe block: compile + native run + tsvisor run. */
const HOOK_TIMEOUT_MS = 3 * 60_000;

const checkH = path.join(syscallsSrcDir, 'check.h');

function build(name: string): Promise<string> {
  return buildC(path.join(syscallsSrcDir, `${name}.c`), path.join(syscallsBinDir, name), { deps: [checkH] });
}

/** The case names a program runs, in order, from its RUN(...) lines. */
function casesOf(name: string): string[] {
  const src = readFileSync(path.join(syscallsSrcDir, `${name}.c`), 'utf8');
  const cases = [...src.matchAll(/^\s*RUN\((\w+)\);/gm)].map((m) => m[1] as string);
  if (cases.length === 0) throw new Error(`${name}.c has no RUN(...) cases`);
  return cases;
}

interface CaseResult {
  ok: boolean;
  detail: string;
}

/** ok/FAIL lines by case name; other lines (blank, "# ...") are ignored. */
function parseCases(stdout: string): Map<string, CaseResult> {
  const results = new Map<string, CaseResult>();
  for (const line of stdout.split('\n')) {
    const ok = /^ok (\w+)$/.exec(line);
    if (ok) {
      results.set(ok[1] as string, { ok: true, detail: line });
      continue;
    }
    const fail = /^FAIL (\w+): (.*)$/.exec(line);
    if (fail) results.set(fail[1] as string, { ok: false, detail: line });
  }
  return results;
}

/** Lines that explain a failure beyond the FAIL line (hostile's "#   CASE also: ..."). */
function extraLines(stdout: string, name: string): string {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(`#   ${name} also:`))
    .join('\n');
}

function checkCase(side: 'native' | 'tsvisor', r: RunResult, results: Map<string, CaseResult>, name: string): void {
  const c = results.get(name);
  if (c === undefined) {
    assert.fail(`${side}: case ${name} did not report (the program died or hung before it)\n${describeRun(r, 6)}`);
  }
  if (!c.ok) {
    const extra = extraLines(r.stdout, name);
    const why = side === 'native' ? ' (fails natively: the test itself is wrong on this kernel)' : '';
    assert.fail(`${side}${why}: ${c.detail}${extra ? '\n' + extra : ''}`);
  }
}

for (const name of PROGRAMS) {
  describe(name, () => {
    const cases = casesOf(name);
    let bin = '';
    let native: RunResult | undefined;
    let sandboxed: RunResult | undefined;
    let nativeCases = new Map<string, CaseResult>();
    let sandboxedCases = new Map<string, CaseResult>();

    before(
      async () => {
        bin = await build(name);
        [native, sandboxed] = await Promise.all([
          run(bin, [], { timeoutMs: RUN_TIMEOUT_MS }),
          runTsvisor([bin], { timeoutMs: RUN_TIMEOUT_MS }),
        ]);
        nativeCases = parseCases(native.stdout);
        sandboxedCases = parseCases(sandboxed.stdout);
      },
      { timeout: HOOK_TIMEOUT_MS },
    );

    test('passes natively (exit 0)', () => {
      assert.ok(native);
      assert.equal(native.code, 0, describeRun(native));
      for (const c of nativeCases.keys()) assert.ok(cases.includes(c), `native run reported unknown case ${c}`);
    });

    test('passes under tsvisor (exit 0)', () => {
      assert.ok(sandboxed);
      assert.equal(sandboxed.code, 0, describeRun(sandboxed));
    });

    for (const c of cases) {
      test(c, () => {
        assert.ok(native && sandboxed);
        checkCase('native', native, nativeCases, c);
        checkCase('tsvisor', sandboxed, sandboxedCases, c);
      });
    }
  });
}

describe('fixtures', () => {
  let tmp = '';
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'tsvisor-conformance-'));
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('segv: dies of SIGSEGV natively', { timeout: HOOK_TIMEOUT_MS }, async () => {
    const bin = await build('segv');
    const r = await run(bin, [], { timeoutMs: RUN_TIMEOUT_MS });
    assert.equal(r.signal, 'SIGSEGV', describeRun(r));
    assert.equal(r.code, 139);
  });

  test('segv: tsvisor exits 139 and the debug log reports SIGSEGV', { timeout: HOOK_TIMEOUT_MS }, async () => {
    const bin = await build('segv');
    const log = path.join(tmp, 'segv-debug.log');
    const r = await runTsvisor([bin], { timeoutMs: RUN_TIMEOUT_MS, flags: ['--debug-log', log] });
    assert.equal(r.code, 139, describeRun(r));
    assert.equal(r.signal, null, `tsvisor itself was killed: ${describeRun(r)}`);
    let text = '';
    try {
      text = readFileSync(log, 'utf8');
    } catch (e) {
      assert.fail(`no debug log at ${log}: ${(e as Error).message}\n${describeRun(r)}`);
    }
    assert.match(text, /SIGSEGV/, `the debug log does not mention SIGSEGV:\n${text.slice(-4000)}`);
    assert.match(r.stderr, /segv: writing through NULL/, 'the guest did not run up to the fault');
    assert.doesNotMatch(r.stderr, /still alive/);
  });

  test('enosys: unimplemented syscalls get ENOSYS and the program goes on (native and tsvisor)', {
    timeout: HOOK_TIMEOUT_MS,
  }, async () => {
    const bin = await build('enosys');
    const [n, s] = await Promise.all([
      run(bin, [], { timeoutMs: RUN_TIMEOUT_MS }),
      runTsvisor([bin], { timeoutMs: RUN_TIMEOUT_MS }),
    ]);
    assert.equal(n.code, 0, `native: ${describeRun(n)}\n${n.stdout}`);
    assert.equal(n.stdout, 'ok enosys\n');
    assert.equal(s.code, 0, `tsvisor: ${describeRun(s)}\n${s.stdout}`);
    assert.equal(s.stdout, 'ok enosys\n');
  });
});
