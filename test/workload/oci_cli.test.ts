// The OCI runtime command line end to end (src/cli/oci.ts, src/oci/), on a
// bundle whose rootfs is a small directory with busybox-static: create,
// start, state, exec, ps, pause/resume, events, kill, wait, delete, run,
// hooks, failed creates and starts, and the config applied inside the
// container. Every observable is checked: the state JSON, the pid file,
// exit statuses, the container's output, the log, and that nothing is left
// behind (no state directory, no sandbox process, no stub).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultSpec, type OciSpec } from '../../src/oci/spec.js';
import { busybox, tsvisorBin } from '../helpers/paths.js';

const TIMEOUT_MS = 120_000;
const APPLETS = ['sh', 'echo', 'sleep', 'cat', 'true', 'false', 'id', 'ps', 'ls', 'touch', 'mkdir', 'hostname', 'env', 'pwd', 'kill', 'head', 'ulimit', 'wc'];

let tmp = '';
let rootfs = '';
let stateRoot = '';
let callNo = 0;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Where stdout went (the container's stdout for create and run -d). */
  outFile: string;
  errFile: string;
}

/** Runs `node bin/tsvisor.js --root STATE ARGS…` with stdout and stderr in files (which a sandbox process may keep writing). */
function tsv(args: string[], o: { globals?: string[]; stdin?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const n = ++callNo;
  const outFile = path.join(tmp, `call${n}.out`);
  const errFile = path.join(tmp, `call${n}.err`);
  const out = fs.openSync(outFile, 'w');
  const err = fs.openSync(errFile, 'w');
  let input: number | 'ignore' = 'ignore';
  if (o.stdin !== undefined) {
    const inFile = path.join(tmp, `call${n}.in`);
    fs.writeFileSync(inFile, o.stdin);
    input = fs.openSync(inFile, 'r');
  }
  const child = spawn(process.execPath, [tsvisorBin, '--root', stateRoot, ...(o.globals ?? []), ...args], { stdio: [input, out, err] });
  fs.closeSync(out);
  fs.closeSync(err);
  if (typeof input === 'number') fs.closeSync(input);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tsvisor ${args.join(' ')}: timed out`));
    }, o.timeoutMs ?? 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? 128 + (os.constants.signals[signal!] ?? 0),
        stdout: fs.readFileSync(outFile, 'utf8'),
        stderr: fs.readFileSync(errFile, 'utf8'),
        outFile,
        errFile,
      });
    });
  });
}

function describeCall(r: CliResult): string {
  return `status ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

async function ok(args: string[], o?: Parameters<typeof tsv>[1]): Promise<CliResult> {
  const r = await tsv(args, o);
  assert.equal(r.code, 0, `tsvisor ${args.join(' ')}: ${describeCall(r)}`);
  return r;
}

/** Running (or sleeping, stopped): not gone and not a zombie. */
function alive(pid: number): boolean {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sandbox processes of this test's state root still running. */
function sandboxProcesses(): string[] {
  const r = spawnSync('pgrep', ['-af', `sandbox-serve ${stateRoot}`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim() !== '' && !l.includes('pgrep'));
}

/** A bundle directory with a config.json (runc's default spec, edited), rootfs shared. */
function bundle(name: string, args: string[], edit: (s: OciSpec) => void = () => undefined): string {
  const dir = path.join(tmp, 'bundles', name);
  fs.mkdirSync(dir, { recursive: true });
  const s = defaultSpec();
  s.root = { path: rootfs, readonly: false };
  s.process!.args = args;
  s.process!.terminal = false;
  s.process!.capabilities = undefined;
  s.process!.noNewPrivileges = false;
  edit(s);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(s, null, 2));
  return dir;
}

interface StateJson {
  ociVersion: string;
  id: string;
  pid: number;
  status: string;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
}

async function state(id: string): Promise<StateJson> {
  const r = await ok(['state', id]);
  return JSON.parse(r.stdout) as StateJson;
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-oci-cli-'));
  rootfs = path.join(tmp, 'rootfs');
  stateRoot = path.join(tmp, 'state');
  fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(rootfs, 'etc'));
  fs.mkdirSync(path.join(rootfs, 'data'));
  fs.copyFileSync(busybox, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const a of APPLETS) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n');
  fs.writeFileSync(path.join(rootfs, 'etc', 'group'), 'root:x:0:\nuser:x:1000:\n');
});

after(() => {
  // Whatever a failed test left running goes.
  for (const l of sandboxProcesses()) {
    try {
      process.kill(Number(l.split(' ')[0]), 'SIGKILL');
    } catch {
      // gone
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('tsvisor OCI commands', () => {
  test('create, start, state, exec, ps, pause, resume, events, kill, wait, delete', { timeout: TIMEOUT_MS }, async () => {
    const id = 'life';
    const b = bundle(id, ['sh', '-c', 'echo started; echo "$MSG"; trap "echo got TERM; exit 42" TERM; while true; do sleep 1; done'], (s) => {
      s.ociVersion = '1.0.2-dev';
      s.hostname = 'oci-test';
      s.process!.env = ['PATH=/bin', 'MSG=hello'];
      s.annotations = { 'org.example.key': 'value' };
    });
    const pidFile = path.join(tmp, `${id}.pid`);
    const before = Date.now();
    const created = await ok(['create', '--bundle', b, '--pid-file', pidFile, id]);
    assert.equal(created.stderr, '');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    assert.ok(pid > 0 && alive(pid), `pid file names a live process: ${pid}`);

    let st = await state(id);
    assert.deepEqual(Object.keys(st).sort(), ['annotations', 'bundle', 'created', 'id', 'ociVersion', 'owner', 'pid', 'rootfs', 'status']);
    assert.equal(st.ociVersion, '1.0.2-dev');
    assert.equal(st.id, id);
    assert.equal(st.pid, pid);
    assert.equal(st.status, 'created');
    assert.equal(st.bundle, b);
    assert.equal(st.rootfs, rootfs);
    assert.ok(Date.parse(st.created) >= before - 1000 && Date.parse(st.created) <= Date.now(), st.created);
    assert.equal(st.owner, os.userInfo().username);
    assert.deepEqual(st.annotations, { 'org.example.key': 'value' });
    // The state files are where --root says.
    assert.ok(fs.existsSync(path.join(stateRoot, id, 'state.json')));

    const list = JSON.parse((await ok(['list', '--format', 'json'])).stdout) as StateJson[];
    assert.deepEqual(list.map((s) => [s.id, s.status, s.pid]), [[id, 'created', pid]]);
    assert.match((await ok(['list'])).stdout, new RegExp(`^ID\\s+PID\\s+STATUS\\s+BUNDLE\\s+CREATED\\s+OWNER\\n${id}\\s+${pid}\\s+created\\s+`));
    assert.equal((await ok(['list', '-q'])).stdout, `${id}\n`);

    // Created, not started: the program has not run.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(fs.readFileSync(created.outFile, 'utf8'), '');
    // An exec runs in a created container (as runc's); the first process still waits for start.
    const early = await tsv(['exec', id, 'sh', '-c', 'echo early; test -d /proc/1 && echo pid 1 is there; exit 4']);
    assert.equal(early.code, 4, describeCall(early));
    assert.equal(early.stdout, 'early\npid 1 is there\n');
    assert.equal((await state(id)).status, 'created');
    assert.equal(fs.readFileSync(created.outFile, 'utf8'), '');

    await ok(['start', id]);
    st = await state(id);
    assert.equal(st.status, 'running');
    assert.equal(st.pid, pid);
    await waitFor('the container output', () => fs.readFileSync(created.outFile, 'utf8') === 'started\nhello\n');
    assert.match((await tsv(['start', id])).stderr, /cannot start an already running container/);

    // exec: its stdio, exit status, environment, and the container's hostname.
    const ex = await tsv(['exec', '--env', 'X=1', id, 'sh', '-c', 'echo out-$X-$MSG; echo err >&2; hostname; exit 7']);
    assert.equal(ex.code, 7, describeCall(ex));
    assert.equal(ex.stdout, 'out-1-hello\noci-test\n');
    assert.equal(ex.stderr, 'err\n');
    const input = await tsv(['exec', id, 'cat'], { stdin: 'from stdin\n' });
    assert.equal(input.stdout, 'from stdin\n', describeCall(input));
    // exec --process: an OCI process object (another user, cwd, env).
    const procFile = path.join(tmp, 'process.json');
    fs.writeFileSync(procFile, JSON.stringify({ terminal: false, user: { uid: 1000, gid: 1000 }, args: ['sh', '-c', 'id -u; id -g; pwd; echo $E'], env: ['PATH=/bin', 'E=e'], cwd: '/data', capabilities: {} }));
    const pe = await ok(['exec', '--process', procFile, id]);
    assert.equal(pe.stdout, '1000\n1000\n/data\ne\n');
    const missing = await tsv(['exec', id, 'no-such-program']);
    assert.equal(missing.code, 255);
    assert.match(missing.stderr, /exec failed: exec: "no-such-program": executable file not found in \$PATH/);
    // exec --detach: returns at once; the pid file names a process that waits for the guest's.
    const detPid = path.join(tmp, 'exec.pid');
    const det = await ok(['exec', '--detach', '--pid-file', detPid, id, 'sh', '-c', 'sleep 1; echo detached-done']);
    const ep = Number(fs.readFileSync(detPid, 'utf8'));
    assert.ok(ep > 0 && alive(ep), 'the exec pid is alive while its process runs');
    await waitFor('the detached exec to end', () => !alive(ep));
    assert.equal(fs.readFileSync(det.outFile, 'utf8'), 'detached-done\n');

    // ps: host pids of the guest's processes (their stubs).
    const pids = JSON.parse((await ok(['ps', '--format', 'json', id])).stdout) as number[];
    assert.ok(Array.isArray(pids) && pids.length >= 1, JSON.stringify(pids));
    for (const p of pids) assert.ok(alive(p), `stub ${p} alive`);
    const table = (await ok(['ps', id])).stdout.split('\n');
    assert.match(table[0], /\bPID\b/);
    assert.ok(table.length >= 2);

    await ok(['pause', id]);
    assert.equal((await state(id)).status, 'paused');
    assert.match((await tsv(['pause', id])).stderr, /already paused/);
    assert.match((await tsv(['exec', id, 'true'])).stderr, /paused/);
    await ok(['resume', id]);
    assert.equal((await state(id)).status, 'running');
    assert.match((await tsv(['resume', id])).stderr, /container not paused/);

    const ev = JSON.parse((await ok(['events', '--stats', id])).stdout) as { type: string; id: string; data: { pids: { current: number }; memory: { usage: { usage: number } } } };
    assert.equal(ev.type, 'stats');
    assert.equal(ev.id, id);
    assert.ok(ev.data.pids.current >= 1);
    assert.ok(ev.data.memory.usage.usage > 0);

    // SIGTERM reaches the first process (its trap), and its status is the container's.
    await ok(['kill', id, 'TERM']);
    const w = await ok(['wait', id]);
    assert.deepEqual(JSON.parse(w.stdout), { id, exitStatus: 42 });
    await waitFor('the sandbox process to exit', () => !alive(pid));
    for (const p of pids) await waitFor(`stub ${p} to go`, () => !alive(p));
    assert.match(fs.readFileSync(created.outFile, 'utf8'), /got TERM\n$/);
    st = await state(id);
    assert.equal(st.status, 'stopped');
    assert.equal(st.pid, 0);
    const k = await tsv(['kill', id, 'KILL']);
    assert.equal(k.code, 1);
    assert.match(k.stderr, /container not running/);
    assert.match((await tsv(['start', id])).stderr, /cannot start a container that has stopped/);

    await ok(['delete', id]);
    assert.ok(!fs.existsSync(path.join(stateRoot, id)));
    const gone = await tsv(['state', id]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /does not exist/);
    assert.deepEqual(sandboxProcesses(), []);
  });

  test("the first process's exit status: wait, run, run --detach", { timeout: TIMEOUT_MS }, async () => {
    const b3 = bundle('exit3', ['sh', '-c', 'exit 3']);
    await ok(['create', '--bundle', b3, 'exit3']);
    await ok(['start', 'exit3']);
    assert.deepEqual(JSON.parse((await ok(['wait', 'exit3'])).stdout), { id: 'exit3', exitStatus: 3 });
    assert.equal((await state('exit3')).status, 'stopped');
    await ok(['delete', 'exit3']);

    // run: create, start, wait, delete; the status is the container's.
    const r = await tsv(['run', '--bundle', bundle('run5', ['sh', '-c', 'echo ran; exit 5']), 'run5']);
    assert.equal(r.code, 5, describeCall(r));
    assert.equal(r.stdout, 'ran\n');
    assert.ok(!fs.existsSync(path.join(stateRoot, 'run5')));

    // run --detach, then SIGKILL: 137.
    const pidFile = path.join(tmp, 'rund.pid');
    await ok(['run', '--detach', '--pid-file', pidFile, '--bundle', bundle('rund', ['sleep', '60']), 'rund']);
    assert.equal((await state('rund')).status, 'running');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    await ok(['kill', 'rund', '9']);
    assert.deepEqual(JSON.parse((await ok(['wait', 'rund'])).stdout), { id: 'rund', exitStatus: 137 });
    await waitFor('the sandbox process to exit', () => !alive(pid));
    await ok(['delete', 'rund']);

    // A signal to the sandbox process (the pid-file pid, as a shim sends it) reaches the first process.
    const trapped = ['sh', '-c', 'trap "echo got-$0; exit 11" INT TERM; echo ready; while true; do sleep 1; done'];
    const sigPid = path.join(tmp, 'sig.pid');
    const sr = await ok(['run', '-d', '--pid-file', sigPid, '--bundle', bundle('sig', trapped), 'sig']);
    await waitFor('the container to be ready', () => fs.readFileSync(sr.outFile, 'utf8') === 'ready\n');
    process.kill(Number(fs.readFileSync(sigPid, 'utf8')), 'SIGTERM');
    assert.deepEqual(JSON.parse((await ok(['wait', 'sig'])).stdout), { id: 'sig', exitStatus: 11 });
    await ok(['delete', 'sig']);

    // run in the foreground passes the signals it gets on to the container.
    const outFile = path.join(tmp, 'fg.out');
    const out = fs.openSync(outFile, 'w');
    const fg = spawn(process.execPath, [tsvisorBin, '--root', stateRoot, 'run', '--bundle', bundle('fg', trapped), 'fg'], { stdio: ['ignore', out, 'inherit'] });
    fs.closeSync(out);
    const status = new Promise<number | null>((resolve) => fg.on('exit', (code) => resolve(code)));
    await waitFor('the container to be ready', () => fs.readFileSync(outFile, 'utf8') === 'ready\n');
    fg.kill('SIGINT');
    assert.equal(await status, 11);
    assert.equal(fs.readFileSync(outFile, 'utf8'), 'ready\ngot-sh\n');
    assert.ok(!fs.existsSync(path.join(stateRoot, 'fg')));
    assert.deepEqual(sandboxProcesses(), []);
  });

  test('failed creates and starts, kill and delete --force in every state leave nothing behind', { timeout: TIMEOUT_MS }, async () => {
    const log = path.join(tmp, 'log.json');
    // The program is missing: create fails (as runc, with the message Docker maps to 127).
    const nf = await tsv(['create', '--bundle', bundle('nf', ['no-such-program']), 'nf'], { globals: ['--log', log, '--log-format', 'json'] });
    assert.equal(nf.code, 1);
    assert.match(nf.stderr, /exec: "no-such-program": executable file not found in \$PATH/);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const last = lines[lines.length - 1];
    assert.equal(last.level, 'error');
    assert.match(last.msg, /executable file not found/);
    assert.ok(!Number.isNaN(Date.parse(last.time)));
    assert.ok(!fs.existsSync(path.join(stateRoot, 'nf')));
    assert.deepEqual(sandboxProcesses(), []);
    // An invalid config names the field.
    const bad = await tsv(['create', '--bundle', bundle('bad', ['true'], (s) => ((s.process!.user as unknown as Record<string, unknown>).uid = 'root')), 'bad']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /config\.json: process\.user\.uid: must be an integer/);
    assert.ok(!fs.existsSync(path.join(stateRoot, 'bad')));
    const tty = await tsv(['create', '--bundle', bundle('tty', ['sh'], (s) => (s.process!.terminal = true)), 'tty']);
    // A terminal for create needs a console socket to send it to (as runc); test/workload/oci_tty.test.ts has the rest.
    assert.match(tty.stderr, /cannot allocate tty if .* will detach without setting console socket/);
    assert.ok(!fs.existsSync(path.join(stateRoot, 'tty')));
    assert.match((await tsv(['create', 'bad/id'])).stderr, /invalid id format/);

    // A failing startContainer hook fails start; the container is stopped and delete --force cleans up.
    const hb = bundle('hookfail', ['sleep', '60'], (s) => (s.hooks = { startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'echo no >&2; exit 9'] }] }));
    const hpid = path.join(tmp, 'hookfail.pid');
    await ok(['create', '--bundle', hb, '--pid-file', hpid, 'hookfail']);
    const hs = await tsv(['start', 'hookfail']);
    assert.equal(hs.code, 1);
    assert.match(hs.stderr, /error running startContainer hook #0: exit status 9, stdout: , stderr: no/);
    assert.equal((await state('hookfail')).status, 'stopped');
    assert.ok(!alive(Number(fs.readFileSync(hpid, 'utf8'))));
    await ok(['delete', '--force', 'hookfail']);
    assert.ok(!fs.existsSync(path.join(stateRoot, 'hookfail')));

    // kill of a created container: it stops without running.
    const kb = bundle('killcreated', ['sh', '-c', 'echo should-not-run']);
    const kc = await ok(['create', '--bundle', kb, 'killcreated']);
    await ok(['kill', 'killcreated', 'KILL']);
    await waitFor('the container to stop', () => spawnSync(process.execPath, [tsvisorBin, '--root', stateRoot, 'state', 'killcreated'], { encoding: 'utf8' }).stdout.includes('"stopped"'));
    assert.deepEqual(JSON.parse((await ok(['wait', 'killcreated'])).stdout), { id: 'killcreated', exitStatus: 137 });
    assert.equal(fs.readFileSync(kc.outFile, 'utf8'), '');
    await ok(['delete', 'killcreated']);

    // delete of a created container kills it (as runc); of a running one, only with --force.
    await ok(['create', '--bundle', bundle('delcreated', ['sleep', '60']), 'delcreated']);
    await ok(['delete', 'delcreated']);
    await ok(['run', '-d', '--bundle', bundle('delrun', ['sleep', '60']), 'delrun']);
    const stubs = JSON.parse((await ok(['ps', '--format', 'json', 'delrun'])).stdout) as number[];
    const d = await tsv(['delete', 'delrun']);
    assert.equal(d.code, 1);
    assert.match(d.stderr, /cannot delete container delrun that is not stopped: running/);
    assert.equal((await state('delrun')).status, 'running');
    const again = await tsv(['create', '--bundle', bundle('delrun2', ['true']), 'delrun']);
    assert.match(again.stderr, /container with id exists: delrun/);
    await ok(['delete', '--force', 'delrun']);
    for (const p of stubs) await waitFor(`stub ${p} to go`, () => !alive(p));
    assert.ok(!fs.existsSync(path.join(stateRoot, 'delrun')));

    // Containers that do not exist: delete --force succeeds, the rest say so.
    await ok(['delete', '--force', 'nosuch']);
    for (const args of [['delete', 'nosuch'], ['kill', 'nosuch'], ['start', 'nosuch'], ['state', 'nosuch'], ['exec', 'nosuch', 'true']]) {
      const r = await tsv(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, /container "nosuch" does not exist/, args.join(' '));
    }
    assert.deepEqual(sandboxProcesses(), []);
    assert.deepEqual(fs.readdirSync(stateRoot), []);
  });

  test('hooks run on the host with the state on stdin', { timeout: TIMEOUT_MS }, async () => {
    const out = path.join(tmp, 'hooks');
    fs.mkdirSync(out);
    const hook = (kind: string) => ({ path: '/bin/sh', args: ['sh', '-c', `cat > ${out}/${kind}.json; echo "$HOOKENV" > ${out}/${kind}.env`], env: ['HOOKENV=set'] });
    const b = bundle('hooks', ['sh', '-c', 'sleep 60'], (s) => {
      s.hooks = Object.fromEntries(['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'].map((k) => [k, [hook(k)]]));
    });
    const pidFile = path.join(tmp, 'hooks.pid');
    await ok(['create', '--bundle', b, '--pid-file', pidFile, 'hooks']);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    const read = (k: string) => JSON.parse(fs.readFileSync(path.join(out, `${k}.json`), 'utf8')) as StateJson;
    for (const k of ['prestart', 'createRuntime', 'createContainer']) {
      const s = read(k);
      assert.equal(s.status, 'creating', k);
      assert.equal(s.id, 'hooks');
      assert.equal(s.pid, pid);
      assert.equal(s.bundle, b);
      assert.equal(fs.readFileSync(path.join(out, `${k}.env`), 'utf8'), 'set\n');
    }
    assert.ok(!fs.existsSync(path.join(out, 'startContainer.json')));
    await ok(['start', 'hooks']);
    assert.equal(read('startContainer').status, 'created');
    assert.equal(read('poststart').status, 'running');
    assert.ok(!fs.existsSync(path.join(out, 'poststop.json')));
    await ok(['delete', '--force', 'hooks']);
    assert.equal(read('poststop').status, 'stopped');
    assert.equal(read('poststop').pid, 0);
  });

  test('the config is applied inside the container', { timeout: TIMEOUT_MS }, async () => {
    const data = path.join(tmp, 'hostdata');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'file'), 'host file\n');
    const script = [
      'id -u; id -g; id -G; umask; pwd; hostname; ulimit -n',
      'cat /data/file; touch /data/new 2>&1 | grep -o "Read-only file system"',
      'touch /x 2>&1 | grep -o "Read-only file system"',
      'mkdir /proc/sys/x 2>&1 | grep -o "Read-only file system"',
      'touch /scratch/ok && echo scratch-ok',
      'head -1 /proc/meminfo',
      'sleep 2 & sleep 2 & sleep 2 & sleep 2 & wait',
    ].join('; ');
    const b = bundle('config', ['sh', '-c', script], (s) => {
      s.root = { path: rootfs, readonly: true };
      s.hostname = 'configured';
      s.process!.user = { uid: 1000, gid: 1000, umask: 0o027, additionalGids: [1000, 20] };
      s.process!.cwd = '/home/user';
      s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 256, hard: 512 }];
      s.mounts!.push({ destination: '/data', type: 'bind', source: data, options: ['rbind', 'ro'] });
      s.mounts!.push({ destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['mode=1777', 'size=1m'] });
      s.linux!.resources = { memory: { limit: 64 * 2 ** 20 }, pids: { limit: 4 } };
    });
    const r = await tsv(['run', '--bundle', b, 'config']);
    assert.equal(
      r.stdout,
      ['1000', '1000', '1000 20', '0027', '/home/user', 'configured', '256', 'host file', 'Read-only file system', 'Read-only file system', 'Read-only file system', 'scratch-ok', 'MemTotal:          65536 kB', ''].join('\n'),
      describeCall(r),
    );
    // The pids limit: the fifth task cannot be made.
    assert.match(r.stderr, /can't fork: Resource temporarily unavailable/);
    assert.ok(!fs.existsSync(path.join(data, 'new')));
  });

  test('spec, features, version, help, and the flags containerd sends', { timeout: TIMEOUT_MS }, async () => {
    const dir = path.join(tmp, 'spec');
    fs.mkdirSync(dir);
    await ok(['spec', '--bundle', dir]);
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as OciSpec;
    assert.equal(s.root?.path, 'rootfs');
    assert.deepEqual(s.process?.args, ['sh']);
    assert.match((await tsv(['spec', '--bundle', dir])).stderr, /config\.json exists/);
    const f = JSON.parse((await ok(['features'])).stdout) as { hooks: string[] };
    assert.ok(f.hooks.includes('poststop'));
    assert.match((await ok(['--version'])).stdout, /^tsvisor version \d+\.\d+\.\d+\nspec: 1\./);
    assert.match((await ok(['help'])).stdout, /COMMANDS:/);
    assert.match((await ok(['help', 'exec'])).stdout, /--process/);
    const unknown = await tsv(['frobnicate']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /No help topic for 'frobnicate'/);
    assert.match((await tsv(['start'])).stderr, /"start" requires exactly 1 argument/);
    // Global flags as containerd's shim sends them (and single-dash Go spellings).
    const log = path.join(tmp, 'shim-log.json');
    const g = ['--log', log, '--log-format', 'json', '--systemd-cgroup', '-debug=false', '--platform=ptrace', '--network', 'none'];
    const r = await tsv(['-root', stateRoot, 'run', '--bundle', bundle('globals', ['echo', 'flags-ok']), 'globals'], { globals: g });
    assert.equal(r.code, 0, describeCall(r));
    assert.equal(r.stdout, 'flags-ok\n');
    // `do` still works as before.
    const d = spawnSync(process.execPath, [tsvisorBin, 'do', '--', busybox, 'echo', 'do-ok'], { encoding: 'utf8' });
    assert.equal(d.stdout, 'do-ok\n');
  });
});
