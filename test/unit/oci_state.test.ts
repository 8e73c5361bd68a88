// Container state (src/oci/state.ts): the store under --root, atomic writes,
// the derived status (a dead, zombie or reused sandbox pid is stopped), the
// lifecycle's allowed transitions with runc's messages; and the command
// line's pieces: signal names, Go-style flags, durations, global flags.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseFlags, type FlagDef } from '../../src/cli/flags.js';
import { parseDuration, parseGlobals } from '../../src/cli/oci.js';
import { socketAddress } from '../../src/oci/control.js';
import { RuntimeLog } from '../../src/oci/log.js';
import { parseSignal } from '../../src/oci/signals.js';
import { checkOperation, processAlive, processStat, StateStore, validId, writeAtomic, type Status, type StoredState } from '../../src/oci/state.js';

let root = '';
before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-oci-state-'));
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

function stored(id: string, pid: number, status: StoredState['status'] = 'created'): StoredState {
  return {
    ociVersion: '1.1.0',
    id,
    status,
    bundle: '/b',
    rootfs: '/b/rootfs',
    created: new Date().toISOString(),
    owner: 'root',
    annotations: { a: 'b' },
    sandboxPid: pid,
    sandboxStart: processStat(pid)?.start ?? '',
    hooks: {},
  };
}

/** The pid of a process that has exited and been reaped. */
function deadPid(): number {
  const r = spawnSync('/bin/sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

describe('state store', () => {
  test('ids as runc accepts them', () => {
    for (const id of ['abc', 'a-b_c.d+e', 'x'.repeat(64)]) assert.ok(validId(id), id);
    for (const id of ['', '.', '..', 'a/b', 'a b', '../x']) assert.ok(!validId(id), id);
  });

  test('create makes the directory once; write/read round-trip; list and remove', () => {
    const s = new StateStore(path.join(root, 'r1'));
    assert.equal(s.create('c1'), true);
    assert.equal(s.create('c1'), false);
    assert.equal(fs.statSync(s.dir('c1')).mode & 0o777, 0o700);
    assert.equal(s.read('c1'), null); // no state file yet
    assert.deepEqual(s.list(), []); // nor listed
    const st = stored('c1', process.pid);
    s.write(st);
    assert.deepEqual(s.read('c1'), st);
    assert.deepEqual(s.list(), ['c1']);
    assert.equal(s.read('../r1/c1'), null);
    s.remove('c1');
    assert.equal(s.exists('c1'), false);
    assert.deepEqual(s.list(), []);
  });

  test('writeAtomic leaves no temporary file and replaces the old content whole', () => {
    const dir = path.join(root, 'atomic');
    fs.mkdirSync(dir);
    const f = path.join(dir, 'state.json');
    writeAtomic(f, 'one');
    writeAtomic(f, 'two');
    assert.equal(fs.readFileSync(f, 'utf8'), 'two');
    assert.deepEqual(fs.readdirSync(dir), ['state.json']);
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  });

  test('the status is derived from the sandbox process', () => {
    const s = new StateStore(path.join(root, 'r2'));
    s.create('live');
    const live = stored('live', process.pid, 'running');
    s.write(live);
    assert.equal(s.status(live), 'running');
    assert.equal(s.ociState(live).pid, process.pid);
    // A dead pid, or one reused by another process (another start time), is stopped.
    assert.equal(s.status({ ...live, sandboxPid: deadPid() }), 'stopped');
    assert.equal(s.status({ ...live, sandboxStart: '1' }), 'stopped');
    // exit.json written: stopped even while the process is still on its way out.
    s.writeExit('live', { code: 3, status: 3, finished: new Date().toISOString() });
    assert.equal(s.status(live), 'stopped');
    assert.equal(s.readExit('live')?.status, 3);
    const oci = s.ociState(live);
    assert.deepEqual(Object.keys(oci), ['ociVersion', 'id', 'pid', 'status', 'bundle', 'rootfs', 'created', 'owner', 'annotations']);
    assert.equal(oci.pid, 0);
    assert.equal(oci.status, 'stopped');
  });

  test('processAlive: this process yes, a reaped one no', () => {
    assert.ok(processAlive(process.pid, processStat(process.pid)!.start));
    assert.ok(!processAlive(deadPid(), '0'));
    assert.ok(!processAlive(0, ''));
  });
});

describe('lifecycle transitions', () => {
  const statuses: Status[] = ['creating', 'created', 'running', 'paused', 'stopped'];
  const allowed = (op: Parameters<typeof checkOperation>[0], opts = {}): Status[] => statuses.filter((s) => checkOperation(op, s, 'c', opts) === null);

  test('which operations each status allows', () => {
    assert.deepEqual(allowed('start'), ['created']);
    assert.deepEqual(allowed('kill'), ['creating', 'created', 'running', 'paused']);
    assert.deepEqual(allowed('pause'), ['running']);
    assert.deepEqual(allowed('resume'), ['paused']);
    assert.deepEqual(allowed('exec'), ['created', 'running']);
    assert.deepEqual(allowed('exec', { ignorePaused: true }), ['created', 'running', 'paused']);
    assert.deepEqual(allowed('delete'), ['created', 'stopped']);
    assert.deepEqual(allowed('delete', { force: true }), statuses);
    assert.deepEqual(allowed('update'), ['creating', 'created', 'running', 'paused']);
  });

  test("runc's messages", () => {
    assert.equal(checkOperation('start', 'stopped', 'c'), 'cannot start a container that has stopped');
    assert.equal(checkOperation('start', 'running', 'c'), 'cannot start an already running container');
    assert.equal(checkOperation('kill', 'stopped', 'c'), 'container not running');
    assert.equal(checkOperation('resume', 'running', 'c'), 'container not paused');
    assert.equal(checkOperation('delete', 'running', 'c1'), 'cannot delete container c1 that is not stopped: running');
    assert.equal(checkOperation('exec', 'stopped', 'c'), 'cannot exec in a stopped container');
  });
});

describe('command line pieces', () => {
  test('signals: numbers, names with or without SIG, any case, real-time', () => {
    assert.equal(parseSignal('9'), 9);
    assert.equal(parseSignal('15'), 15);
    assert.equal(parseSignal('KILL'), 9);
    assert.equal(parseSignal('SIGTERM'), 15);
    assert.equal(parseSignal('term'), 15);
    assert.equal(parseSignal('SIGUSR1'), 10);
    assert.equal(parseSignal('CHLD'), 17);
    assert.equal(parseSignal('SIGCLD'), 17);
    assert.equal(parseSignal('IOT'), 6);
    assert.equal(parseSignal('RTMIN'), 34);
    assert.equal(parseSignal('SIGRTMIN+3'), 37);
    assert.equal(parseSignal('RTMAX-1'), 63);
    for (const bad of ['0', '65', 'SIGFOO', 'RTMIN+40', '-9', '']) assert.ok(parseSignal(bad) instanceof Error, bad);
  });

  test('Go-style flags: one or two dashes, =value or the next argument, bools, lists, --', () => {
    const defs: FlagDef[] = [
      { name: 'bundle', kind: 'value', aliases: ['b'] },
      { name: 'detach', kind: 'bool', aliases: ['d'] },
      { name: 'env', kind: 'list', aliases: ['e'] },
      { name: 'rootless', kind: 'value', optionalValues: ['true', 'false', 'auto'] },
    ];
    const p = parseFlags(['-bundle', '/b', '--detach=false', '-e', 'A=1', '--env=B=2', '-d', 'id', '--', '-x'], defs);
    assert.equal(p.values.get('bundle'), '/b');
    assert.equal(p.values.get('detach'), true);
    assert.deepEqual(p.values.get('env'), ['A=1', 'B=2']);
    assert.deepEqual(p.positionals, ['id', '-x']);
    const q = parseFlags(['--rootless', 'create', 'x'], defs);
    assert.equal(q.values.get('rootless'), '');
    assert.deepEqual(q.positionals, ['create', 'x']);
    assert.equal(parseFlags(['--rootless', 'auto'], defs).values.get('rootless'), 'auto');
    assert.throws(() => parseFlags(['--nope'], defs), /flag provided but not defined: -nope/);
    assert.throws(() => parseFlags(['--bundle'], defs), /needs an argument/);
    assert.throws(() => parseFlags(['--detach=maybe'], defs), /invalid boolean/);
    // exec: flags end at the container id.
    const e = parseFlags(['-d', 'id', 'sh', '-c', 'x'], defs, { stopAtPositional: true });
    assert.deepEqual(e.positionals, ['id', 'sh', '-c', 'x']);
  });

  test("global flags as containerd sends them, in runc's and runsc's spellings", () => {
    const g = parseGlobals([
      '--root', '/run/x', '--log', '/dev/null', '--log-format', 'json', '--systemd-cgroup', '-debug', '--debug-log=/tmp/d.%ID%', '--strace',
      '--platform=ptrace', '-network', 'none', '--overlay=false', '--rootless', 'auto', '--criu', 'criu', '--some-runsc-flag=1',
      'create', '--bundle', '/b', 'id',
    ]);
    assert.equal(g.command, 'create');
    assert.deepEqual(g.rest, ['--bundle', '/b', 'id']);
    assert.equal(g.globals.root, '/run/x');
    assert.equal(g.globals.debug, true);
    assert.equal(g.globals.strace, true);
    assert.equal(g.globals.overlay, false);
    assert.equal(g.globals.debugLog, '/tmp/d.%ID%');
    assert.equal(g.globals.raw.length, 19);
    assert.equal(parseGlobals(['-root', '/r', 'state', 'x']).globals.root, '/r');
    assert.equal(parseGlobals(['state', 'x']).globals.overlay, true);
    assert.throws(() => parseGlobals(['--log-format', 'xml', 'list']), /invalid log-format/);
    assert.throws(() => parseGlobals(['--platform', 'kvm', 'list']), /invalid platform/);
  });

  test('durations', () => {
    assert.equal(parseDuration('5s'), 5000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.throws(() => parseDuration('5'), /invalid duration/);
  });

  test('log lines: JSON with string level and ISO time, or logrus text', () => {
    const j = JSON.parse(new RuntimeLog({ format: 'json' }).line('error', 'it broke')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j), ['level', 'msg', 'time']);
    assert.equal(j.level, 'error');
    assert.equal(j.msg, 'it broke');
    assert.ok(!Number.isNaN(Date.parse(j.time as string)));
    assert.match(new RuntimeLog({ format: 'text' }).line('error', 'a "b"'), /^time="[^"]+" level=error msg="a \\"b\\""\n$/);
  });

  test('a long state directory is reached relative to it (sun_path holds 107 bytes)', () => {
    assert.deepEqual(socketAddress('/run/tsvisor/c'), { path: '/run/tsvisor/c/ctl.sock' });
    const long = '/run/containerd/io.containerd.runtime.v2.task/moby/' + 'f'.repeat(64);
    assert.deepEqual(socketAddress(long), { path: 'ctl.sock', cwd: long });
  });
});
