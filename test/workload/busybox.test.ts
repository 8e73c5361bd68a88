// Workload: busybox-static applets that need nothing beyond stdio, run
// natively and under `tsvisor do`; stdout, stderr and the exit status must be
// the same, and match what the applet is known to print. Nothing is skipped:
// without /bin/busybox (Debian package busybox-static) the tests fail.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { busybox } from '../helpers/paths.js';
import { describeRun, run, runTsvisor } from '../helpers/run.js';

interface Applet {
  name: string;
  args: string[];
  stdout: string;
  status: number;
}

const seq1000 = Array.from({ length: 1000 }, (_, i) => `${i + 1}\n`).join('');

const APPLETS: Applet[] = [
  { name: 'echo hello', args: ['echo', 'hello'], stdout: 'hello\n', status: 0 },
  { name: 'true', args: ['true'], stdout: '', status: 0 },
  { name: 'false', args: ['false'], stdout: '', status: 1 },
  { name: "printf '%s-%d\\n' a 5", args: ['printf', '%s-%d\\n', 'a', '5'], stdout: 'a-5\n', status: 0 },
  { name: 'expr 6 \\* 7', args: ['expr', '6', '*', '7'], stdout: '42\n', status: 0 },
  { name: 'basename /a/b/c.txt .txt', args: ['basename', '/a/b/c.txt', '.txt'], stdout: 'c\n', status: 0 },
  { name: 'seq 1 1000', args: ['seq', '1', '1000'], stdout: seq1000, status: 0 },
];

const TIMEOUT_MS = 60_000;

describe('busybox', () => {
  test('busybox-static is installed', () => {
    assert.ok(existsSync(busybox), `${busybox} is missing: apt-get install busybox-static (.ci/run does this)`);
  });

  for (const a of APPLETS) {
    test(a.name, { timeout: 3 * TIMEOUT_MS }, async () => {
      assert.ok(existsSync(busybox), `${busybox} is missing: apt-get install busybox-static`);
      const [n, s] = await Promise.all([
        run(busybox, a.args, { timeoutMs: TIMEOUT_MS }),
        runTsvisor([busybox, ...a.args], { timeoutMs: TIMEOUT_MS }),
      ]);
      // natively: validates the expectation
      assert.equal(n.code, a.status, `native: ${describeRun(n)}`);
      assert.equal(n.stdout, a.stdout, 'native stdout');
      // under tsvisor: the same as natively
      assert.equal(s.code, n.code, `tsvisor: ${describeRun(s)}`);
      assert.equal(s.stdout, n.stdout, 'tsvisor stdout differs from native');
      assert.equal(s.stderr, n.stderr, 'tsvisor stderr differs from native');
    });
  }
});
