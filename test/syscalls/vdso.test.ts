// The vDSO takes clock reads off the syscall path (docs/vdso.md): a loop of
// clock_gettime calls through libc makes no clock_gettime syscall under
// tsvisor, counted with --strace; the same loop as raw syscalls (the control)
// shows every call. The vDSO's behaviour itself is the `vdso` conformance program.
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { buildC } from '../helpers/cbuild.js';
import { syscallsBinDir, syscallsSrcDir } from '../helpers/paths.js';
import { describeRun, runTsvisor } from '../helpers/run.js';

const CALLS = 1000;
const TIMEOUT_MS = 60_000;

/** The --strace lines (stderr) reporting a clock_gettime syscall. */
function clockGettimeLines(stderr: string): number {
  return stderr.split('\n').filter((l) => / clock_gettime\(/.test(l)).length;
}

describe('vdso: clock_gettime without traps', () => {
  let bin = '';
  before(async () => {
    bin = await buildC(path.join(syscallsSrcDir, 'vdso.c'), path.join(syscallsBinDir, 'vdso'), { deps: [path.join(syscallsSrcDir, 'check.h')] });
  }, { timeout: 3 * 60_000 });

  test(`${CALLS} libc clock_gettime calls make no clock_gettime syscall`, { timeout: TIMEOUT_MS }, async () => {
    const r = await runTsvisor([bin, 'loop', String(CALLS)], { flags: ['--strace'], timeoutMs: TIMEOUT_MS });
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stderr, / exit_group\(0\)/, 'the strace log is there');
    assert.equal(clockGettimeLines(r.stderr), 0, describeRun(r));
  });

  test(`control: ${CALLS} raw clock_gettime syscalls all show`, { timeout: TIMEOUT_MS }, async () => {
    const r = await runTsvisor([bin, 'sysloop', String(CALLS)], { flags: ['--strace'], timeoutMs: TIMEOUT_MS });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(clockGettimeLines(r.stderr), CALLS, describeRun(r, 5));
  });
});
