// Workload: inotifywait (inotify-tools) watching a tree while another
// process of the same sandbox changes it. The same busybox script runs
// natively (in a host temporary directory) and under `tsvisor do` (in the
// sandbox's /tmp); the events it prints must be the same, and match what
// Linux reports for these operations. Nothing is skipped: without
// /usr/bin/inotifywait (package inotify-tools) or busybox the test fails.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { busybox } from '../helpers/paths.js';
import { describeRun, run, runTsvisor } from '../helpers/run.js';

const INOTIFYWAIT = '/usr/bin/inotifywait';
const TIMEOUT_MS = 60_000;

// $1: a fresh directory. Waits for the watches, changes the tree from other
// processes, waits for the last event, then prints the events relative to $1.
const SCRIPT = `
d=$1
mkdir -p $d/w/a
${INOTIFYWAIT} -m -r $d/w > $d/out 2> $d/err &
i=0; until grep -q established $d/err; do sleep 0.1; i=$((i+1)); [ $i -gt 200 ] && break; done
echo hi > $d/w/a/x
mv $d/w/a/x $d/w/y
cat $d/w/y > /dev/null
chmod 600 $d/w/y
rm -r $d/w/a
i=0; until grep -q 'DELETE,ISDIR a' $d/out; do sleep 0.1; i=$((i+1)); [ $i -gt 200 ] && break; done
kill %1
sed "s#$d/##" $d/out
`;

const EXPECTED = [
  'w/a/ CREATE x', 'w/a/ OPEN x', 'w/a/ MODIFY x', 'w/a/ CLOSE_WRITE,CLOSE x', 'w/a/ MOVED_FROM x', 'w/ MOVED_TO y',
  'w/ OPEN y', 'w/ ACCESS y', 'w/ CLOSE_NOWRITE,CLOSE y', 'w/ ATTRIB y',
];

test('inotifywait -m -r reports what other processes do to the tree, as natively', { timeout: 3 * TIMEOUT_MS }, async () => {
  assert.ok(existsSync(INOTIFYWAIT), `${INOTIFYWAIT} is missing: apt-get install inotify-tools`);
  assert.ok(existsSync(busybox), `${busybox} is missing: apt-get install busybox-static`);
  const host = mkdtempSync(path.join(tmpdir(), 'tsvisor-inotify-'));
  try {
    const [n, s] = await Promise.all([
      run(busybox, ['sh', '-c', SCRIPT, 'sh', host], { timeoutMs: TIMEOUT_MS }),
      runTsvisor([busybox, 'sh', '-c', SCRIPT, 'sh', '/tmp/inotify-workload'], { timeoutMs: TIMEOUT_MS }),
    ]);
    assert.equal(n.code, 0, `native: ${describeRun(n)}`);
    const native = n.stdout.split('\n').filter(Boolean);
    assert.deepEqual(native.slice(0, EXPECTED.length), EXPECTED, `native:\n${n.stdout}`);
    assert.ok(native.includes('w/ DELETE,ISDIR a') && native.includes('w/a/ DELETE_SELF '), `native:\n${n.stdout}`);
    assert.equal(s.code, 0, `tsvisor: ${describeRun(s)}`);
    assert.equal(s.stdout, n.stdout, 'tsvisor events differ from native');
  } finally {
    rmSync(host, { recursive: true, force: true });
  }
});
