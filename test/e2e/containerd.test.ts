// containerd end to end with tsvisor as the runc binary of the runc v2 shim
// (npm run test:e2e; not part of npm test). The run starts its own
// containerd from a config.toml under a fresh temp dir (root, state, grpc
// address; the CRI plugin off), and drives it with ctr: `ctr run --rm
// --runc-binary bin/tsvisor.js --rootfs DIR` (output, exit status, a fatal
// signal), then a task's life: run -d, task ls, exec, ps, pause/resume,
// kill, delete. Its containers live in a namespace of their own, whose
// runtime root (/run/containerd/runc/NS, fixed by the shim) goes at the end
// with everything else the run started.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tsvisorBin } from '../helpers/paths.js';
import { alive, Daemon, describeResult, findTool, killLeftProcesses, killLeftSandboxes, makeRootfs, removeLeftCgroups, removeTree, run, sleep, tempDir, type Result, type RunOptions } from './common.js';

const TEST_TIMEOUT = 180_000;

let dir = '';
let rootfs = '';
let ns = '';
let ctrBin = '';
let daemon: Daemon | null = null;
let idNo = 0;

function ctr(args: string[], o: RunOptions = {}): Promise<Result> {
  return run(ctrBin, ['--address', path.join(dir, 'containerd.sock'), '--namespace', ns, ...args], { timeoutMs: 120_000, ...o });
}

async function ok(args: string[], o: RunOptions = {}): Promise<Result> {
  const r = await ctr(args, o);
  assert.equal(r.code, 0, describeResult(`ctr ${args.join(' ')}`, r) + `\n--- containerd log ---\n${daemon?.tail(15) ?? ''}`);
  return r;
}

function id(what: string): string {
  return `tsv-${what}-${++idNo}`;
}

/** ctr run --rm with tsvisor on the rootfs directory. */
function runRm(cmd: string[]): Promise<Result> {
  return ctr(['run', '--rm', '--runc-binary', tsvisorBin, '--rootfs', rootfs, id('run'), ...cmd]);
}

/** The task's status as `ctr task ls` shows it (RUNNING, PAUSED, STOPPED), or '' if it is not listed. */
async function taskStatus(taskId: string): Promise<string> {
  const r = await ok(['task', 'ls']);
  const row = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((cols) => cols[0] === taskId);
  return row?.[2] ?? '';
}

before(async () => {
  const containerd = findTool('containerd');
  const client = findTool('ctr');
  assert.ok(containerd && client, 'containerd and ctr are needed (apt-get install containerd; .ci/e2e does this)');
  assert.ok(process.getuid?.() === 0, 'the containerd end-to-end tests run as root');
  ctrBin = client;
  dir = tempDir('tsv-ctd-');
  ns = `tsvisor-e2e-${path.basename(dir).slice('tsv-ctd-'.length).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  rootfs = path.join(dir, 'rootfs');
  await makeRootfs(rootfs);
  const config = path.join(dir, 'config.toml');
  fs.writeFileSync(
    config,
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${dir}/containerd.sock"`,
      '[ttrpc]',
      `  address = "${dir}/containerd.sock.ttrpc"`,
      '[debug]',
      `  address = "${dir}/debug.sock"`,
      '',
    ].join('\n'),
  );
  daemon = await Daemon.start(containerd, ['--config', config], path.join(dir, 'containerd.log'), async () => (await ctr(['version'], { timeoutMs: 10_000 })).code === 0);
});

after(async () => {
  if (daemon) {
    const tasks = await ctr(['task', 'ls', '-q'], { timeoutMs: 30_000 });
    for (const t of tasks.stdout.split('\n').filter(Boolean)) await ctr(['task', 'kill', '-s', 'SIGKILL', t], { timeoutMs: 30_000 });
    await sleep(300);
    for (const t of tasks.stdout.split('\n').filter(Boolean)) await ctr(['task', 'delete', '-f', t], { timeoutMs: 30_000 });
    const cs = await ctr(['container', 'ls', '-q'], { timeoutMs: 30_000 });
    for (const c of cs.stdout.split('\n').filter(Boolean)) await ctr(['container', 'delete', c], { timeoutMs: 30_000 });
    await ctr(['namespace', 'remove', ns], { timeoutMs: 30_000 });
    await daemon.stop();
  }
  if (ns) {
    const runtimeRoot = path.join('/run/containerd/runc', ns);
    killLeftSandboxes(runtimeRoot);
    await removeLeftCgroups(runtimeRoot);
    fs.rmSync(runtimeRoot, { recursive: true, force: true });
  }
  if (dir) {
    killLeftSandboxes(dir);
    killLeftProcesses(dir);
    await removeLeftCgroups(dir);
    removeTree(dir);
  }
});

describe('containerd (ctr) with tsvisor as the runc binary', { timeout: 20 * 60_000 }, () => {
  test('ctr run --rm --rootfs: output and exit status', { timeout: TEST_TIMEOUT }, async () => {
    const r = await runRm(['sh', '-c', 'echo hello from ctr; id; echo pid $$']);
    assert.equal(r.code, 0, describeResult('ctr run', r));
    // ctr's default spec has no additional groups (runc prints the same).
    assert.equal(r.stdout, 'hello from ctr\nuid=0(root) gid=0(root)\npid 1\n');
    const three = await runRm(['sh', '-c', 'exit 3']);
    assert.equal(three.code, 3, describeResult('exit 3', three));
    const segv = await runRm(['e2e_helper', 'segv']);
    assert.equal(segv.code, 128 + 11, describeResult('segv', segv));
    const missing = await runRm(['no-such-program']);
    assert.notEqual(missing.code, 0, describeResult('missing program', missing));
    assert.match(missing.stderr, /no-such-program.*executable file not found in \$PATH/);
  });

  test('a task\'s life: run -d, ls, exec, ps, pause/resume, kill, delete', { timeout: TEST_TIMEOUT }, async () => {
    const t = id('life');
    await ok(['run', '-d', '--runc-binary', tsvisorBin, '--rootfs', rootfs, t, 'sh', '-c', 'trap "exit 7" TERM; sleep 1000 & wait']);
    assert.equal(await taskStatus(t), 'RUNNING');
    const ex = await ctr(['task', 'exec', '--exec-id', 'e1', t, 'sh', '-c', 'echo in exec; exit 5']);
    assert.equal(ex.code, 5, describeResult('task exec', ex));
    assert.equal(ex.stdout, 'in exec\n');
    // task ps: the host pids of the task's processes (sh and its sleep).
    const ps = await ok(['task', 'ps', t]);
    const pids = ps.stdout.trim().split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0]));
    assert.ok(pids.length === 2 && pids.every((p) => p > 1 && alive(p)), `ctr task ps: ${ps.stdout}`);
    await ok(['task', 'pause', t]);
    assert.equal(await taskStatus(t), 'PAUSED');
    await ok(['task', 'resume', t]);
    assert.equal(await taskStatus(t), 'RUNNING');
    await ok(['task', 'kill', '-s', 'SIGTERM', t]);
    let status = '';
    for (let i = 0; i < 100 && status !== 'STOPPED'; i++) {
      status = await taskStatus(t);
      if (status !== 'STOPPED') await sleep(100);
    }
    assert.equal(status, 'STOPPED', 'the task did not stop on SIGTERM');
    const del = await ok(['task', 'delete', t]);
    assert.match(del.stderr, /task \S+ exit with non-zero exit code 7\b/, 'task delete reports the exit status (7, from the trap)');
    await ok(['container', 'delete', t]);
    assert.equal(await taskStatus(t), '');
    // Nothing of it is left under the shim's runtime root.
    assert.equal(fs.existsSync(path.join('/run/containerd/runc', ns, t)), false, 'the container\'s tsvisor state is left behind');
  });
});
