// Workload: busybox sh scripts (fork, exec, wait, pipes, redirections,
// background jobs) run with `busybox sh -c SCRIPT` natively and under
// `tsvisor do`. Each script's stdout and exit status are known exactly: the
// native run validates the expectation, the sandboxed one must match it (and
// print the same stderr).
//
// Scripts that write files use $T: natively a fresh host directory, in the
// sandbox its own /tmp (an empty tmpfs of its own), so the headline
// command runs there verbatim. Nothing is skipped: without /bin/busybox
// (Debian package busybox-static) the tests fail.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busybox } from '../helpers/paths.js';
import { describeRun, run, runTsvisor, type RunResult } from '../helpers/run.js';

const TIMEOUT_MS = 60_000;

interface Script {
  name: string;
  script: string;
  /** The exact stdout, or a check of it (for output that depends on the host). */
  stdout: string | ((out: string, native: RunResult) => void);
  status: number;
}

const SCRIPTS: Script[] = [
  { name: 'pipeline', script: `echo a b c | tr ' ' '\\n' | sort -r | head -2`, stdout: 'c\nb\n', status: 0 },
  {
    name: 'for loop with arithmetic',
    script: 's=0; for i in 1 2 3 4 5; do s=$((s + i * i)); done; echo $s',
    stdout: '55\n',
    status: 0,
  },
  {
    name: 'while loop',
    script: 'i=0; while [ $i -lt 3 ]; do echo "i=$i"; i=$((i + 1)); done',
    stdout: 'i=0\ni=1\ni=2\n',
    status: 0,
  },
  { name: 'subshell with cd', script: 'cd / && (cd /tmp && pwd) && pwd', stdout: '/tmp\n/\n', status: 0 },
  { name: 'redirect into a file and back', script: 'echo hi > $T/x && cat $T/x', stdout: 'hi\n', status: 0 },
  {
    name: 'mkdir -p, write, read back (the issue headline)',
    script: 'mkdir -p $T/a/b && echo hi > $T/a/b/f && cat $T/a/b/f',
    stdout: 'hi\n',
    status: 0,
  },
  {
    name: 'append and input redirection',
    script: 'echo one > $T/f; echo two >> $T/f; wc -l < $T/f; cat $T/f',
    stdout: '2\none\ntwo\n',
    status: 0,
  },
  {
    name: 'stderr redirection',
    script: 'ls /nonexistent 2> $T/err; echo "ls: $?"; grep -c nonexistent $T/err',
    stdout: 'ls: 1\n1\n',
    status: 0,
  },
  { name: 'here-document', script: 'cat <<EOF\nline $((2 + 3))\nEOF', stdout: 'line 5\n', status: 0 },
  { name: 'exit status of sh -c', script: 'exit 3', stdout: '', status: 3 },
  { name: 'exit status of a child sh', script: `sh -c 'exit 3'; echo $?`, stdout: '3\n', status: 0 },
  { name: 'false; echo $?', script: 'false; echo $?', stdout: '1\n', status: 0 },
  { name: 'status of the last command', script: 'true; false', stdout: '', status: 1 },
  { name: 'pipeline status', script: 'false | true; echo $?; true | false; echo $?', stdout: '0\n1\n', status: 0 },
  { name: 'a child killed by SIGKILL', script: `sh -c 'kill -9 $$'; echo $?`, stdout: '137\n', status: 0 },
  {
    name: '$$ is the parent of a child sh',
    script: `echo $$; sh -c 'echo $PPID'; :`,
    stdout: (out) => {
      const lines = out.split('\n');
      assert.equal(lines.length, 3, `two lines expected: ${JSON.stringify(out)}`);
      assert.match(lines[0] as string, /^[1-9][0-9]*$/);
      assert.equal(lines[1], lines[0], "the child's $PPID is not the shell's $$");
      assert.equal(lines[2], '');
    },
    status: 0,
  },
  { name: 'command substitution', script: 'x=$(echo x); echo "[$x] [$(echo $(echo deep))]"', stdout: '[x] [deep]\n', status: 0 },
  {
    name: 'wait for a background job',
    script: `sh -c 'echo child' > $T/bg & wait $!; echo "waited $?"; cat $T/bg`,
    stdout: 'waited 0\nchild\n',
    status: 0,
  },
  { name: "wait returns a background job's status", script: '(exit 5) & wait $!; echo $?', stdout: '5\n', status: 0 },
  {
    name: 'several background jobs',
    script: 'for i in 1 2 3 4; do (echo $i > $T/j$i) & done; wait; cat $T/j1 $T/j2 $T/j3 $T/j4',
    stdout: '1\n2\n3\n4\n',
    status: 0,
  },
  {
    name: 'xargs',
    script: `printf '1\\n2\\n3\\n' | xargs echo sum; printf 'a\\nb\\n' | xargs -n1 echo x`,
    stdout: 'sum 1 2 3\nx a\nx b\n',
    status: 0,
  },
  {
    name: '50 fork+exec+wait in a loop',
    script: 'i=0; while [ $i -lt 50 ]; do /bin/busybox true || exit 9; i=$((i + 1)); done; echo $i',
    stdout: '50\n',
    status: 0,
  },
  {
    name: 'find /etc -maxdepth 1 -name *.conf | wc -l (the same as natively)',
    script: `find /etc -maxdepth 1 -name '*.conf' | wc -l`,
    stdout: (out, native) => {
      assert.match(native.stdout, /^[1-9][0-9]*\n$/, `native: ${JSON.stringify(native.stdout)}`);
      assert.equal(out, native.stdout, 'a different count from the native run');
    },
    status: 0,
  },
];

describe('busybox sh workloads', { concurrency: 4 }, () => {
  let nativeTmp = '';
  let serial = 0;
  before(() => {
    assert.ok(existsSync(busybox), `${busybox} is missing: apt-get install busybox-static (.ci/run does this)`);
    nativeTmp = mkdtempSync(path.join(tmpdir(), 'tsvisor-shell-'));
  });
  after(() => {
    if (nativeTmp) rmSync(nativeTmp, { recursive: true, force: true });
  });

  for (const s of SCRIPTS) {
    test(s.name, { timeout: 3 * TIMEOUT_MS }, async () => {
      assert.ok(existsSync(busybox), `${busybox} is missing: apt-get install busybox-static`);
      const nativeDir = path.join(nativeTmp, `run-${serial++}`);
      mkdirSync(nativeDir);
      const argv = ['sh', '-c', s.script];
      const [n, t] = await Promise.all([
        run(busybox, argv, { timeoutMs: TIMEOUT_MS, env: { ...process.env, T: nativeDir } }),
        runTsvisor([busybox, ...argv], { timeoutMs: TIMEOUT_MS, env: { ...process.env, T: '/tmp' } }),
      ]);
      // natively: validates the expectation
      assert.equal(n.code, s.status, `native: ${describeRun(n)}`);
      if (typeof s.stdout === 'string') assert.equal(n.stdout, s.stdout, 'native stdout');
      else s.stdout(n.stdout, n);
      // under tsvisor
      assert.equal(t.code, s.status, `tsvisor: ${describeRun(t)}\nstdout: ${JSON.stringify(t.stdout)}`);
      if (typeof s.stdout === 'string') assert.equal(t.stdout, s.stdout, `tsvisor stdout (${describeRun(t)})`);
      else s.stdout(t.stdout, n);
      assert.equal(t.stderr, n.stderr, 'tsvisor stderr differs from native');
    });
  }
});
