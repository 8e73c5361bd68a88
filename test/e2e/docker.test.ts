// Docker end to end with tsvisor as an OCI runtime (npm run test:e2e; not
// part of npm test). The run starts its own dockerd under a fresh temp dir
// (no iptables, no IP forwarding, no bridge), imports an image made from
// host files (busybox-static and a static helper: no registry), registers
// tsvisor as the runtimes "tsvisor" (the default in-memory root overlay) and
// "tsvisor-rw" (--overlay=false: writes reach the container's layer, so that
// docker cp out of it and docker commit see them), and checks what a user
// sees: output, exit statuses, logs, exec, stop, volumes, limits, pause,
// top, update, cp, commit. Everything it started is stopped by pid at the
// end, on failure too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tsvisorBin } from '../helpers/paths.js';
import { alive, Daemon, describeResult, findTool, killLeftProcesses, killLeftSandboxes, makeRootfs, removeLeftCgroups, removeTree, run, sleep, tempDir, type Result, type RunOptions } from './common.js';

const IMAGE = 'tsvisor-e2e/busybox:latest';
const TSV = ['--runtime=tsvisor', '--network=none'];
const TSV_RW = ['--runtime=tsvisor-rw', '--network=none'];
const TEST_TIMEOUT = 180_000;

let dir = '';
let daemon: Daemon | null = null;
let dockerBin = '';
let clientEnv: NodeJS.ProcessEnv = {};
let nameNo = 0;

function docker(args: string[], o: RunOptions = {}): Promise<Result> {
  return run(dockerBin, args, { timeoutMs: 120_000, ...o, env: clientEnv });
}

async function ok(args: string[], o: RunOptions = {}): Promise<Result> {
  const r = await docker(args, o);
  assert.equal(r.code, 0, describeResult(`docker ${args.join(' ')}`, r) + `\n--- dockerd log ---\n${daemon?.tail(15) ?? ''}`);
  return r;
}

/** docker run --rm --pull=never RUNTIME-ARGS… IMAGE CMD… */
function runRm(flags: string[], cmd: string[], o: RunOptions = {}): Promise<Result> {
  return docker(['run', '--rm', '--pull=never', ...flags, IMAGE, ...cmd], o);
}

function name(what: string): string {
  return `tsv-${what}-${++nameNo}`;
}

/** Starts a detached container; returns its name. */
async function detached(what: string, flags: string[], cmd: string[]): Promise<string> {
  const n = name(what);
  await ok(['run', '-d', '--pull=never', '--name', n, ...flags, IMAGE, ...cmd]);
  return n;
}

async function inspect(n: string, format: string): Promise<string> {
  return (await ok(['inspect', '-f', format, n])).stdout.trim();
}

/** Polls `docker logs` until it contains text. */
async function waitForLog(n: string, text: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await docker(['logs', n]);
    if (r.stdout.includes(text)) return r.stdout;
    if (Date.now() > deadline) assert.fail(`docker logs ${n} never showed ${JSON.stringify(text)}:\n${describeResult('logs', r)}`);
    await sleep(100);
  }
}

/** The tsvisor state directories (with a launch.json) of this daemon's containers, under the runtime roots in the exec root. */
function tsvisorStateDirs(): string[] {
  const out: string[] = [];
  const exec = path.join(dir, 'exec');
  let roots: string[] = [];
  try {
    roots = fs.readdirSync(exec).filter((d) => d.startsWith('runtime-'));
  } catch {
    return out;
  }
  for (const rt of roots) {
    const base = path.join(exec, rt, 'moby');
    try {
      for (const id of fs.readdirSync(base)) if (fs.existsSync(path.join(base, id, 'launch.json'))) out.push(path.join(base, id));
    } catch {
      // none yet
    }
  }
  return out;
}

before(async () => {
  const dockerd = findTool('dockerd');
  const client = findTool('/usr/bin/docker', 'docker');
  assert.ok(dockerd && client, 'dockerd and docker are needed (apt-get install docker.io; .ci/e2e does this)');
  assert.ok(process.getuid?.() === 0, 'the Docker end-to-end tests run as root (dockerd needs it)');
  dockerBin = client;
  dir = tempDir('tsv-dk-');
  const rootfs = path.join(dir, 'rootfs');
  await makeRootfs(rootfs);
  fs.mkdirSync(path.join(dir, 'client'));
  clientEnv = { ...process.env, DOCKER_HOST: `unix://${dir}/docker.sock`, DOCKER_CONFIG: path.join(dir, 'client') };
  delete clientEnv.DOCKER_CONTEXT;
  delete clientEnv.DOCKER_TLS_VERIFY;
  fs.writeFileSync(
    path.join(dir, 'daemon.json'),
    JSON.stringify({
      runtimes: {
        tsvisor: { path: tsvisorBin },
        'tsvisor-rw': { path: tsvisorBin, runtimeArgs: ['--overlay=false'] },
      },
    }),
  );
  const args = [
    '--data-root', path.join(dir, 'data'),
    '--exec-root', path.join(dir, 'exec'),
    '--pidfile', path.join(dir, 'dockerd.pid'),
    '-H', `unix://${dir}/docker.sock`,
    '--config-file', path.join(dir, 'daemon.json'),
    '--iptables=false', '--ip-forward=false', '--bridge=none',
  ];
  daemon = await Daemon.start(dockerd, args, path.join(dir, 'dockerd.log'), async () => (await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 })).code === 0);
  const tar = spawnSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 64 << 20 });
  assert.equal(tar.status, 0, `tar: ${tar.stderr?.toString()}`);
  await ok(['import', '-', IMAGE], { input: tar.stdout });
});

after(async () => {
  if (daemon) {
    const ids = await docker(['ps', '-aq'], { timeoutMs: 30_000 });
    const list = ids.stdout.split('\n').filter(Boolean);
    if (list.length > 0) await docker(['rm', '-f', ...list], { timeoutMs: 60_000 });
    await daemon.stop();
  }
  if (dir) {
    killLeftSandboxes(dir);
    killLeftProcesses(dir);
    await removeLeftCgroups(dir);
    removeTree(dir);
  }
});

describe('docker with the tsvisor runtime', { timeout: 30 * 60_000 }, () => {
  test('run --rm: the output, and the container has its own pid 1', { timeout: TEST_TIMEOUT }, async () => {
    const r = await runRm(TSV, ['sh', '-c', 'echo hello from tsvisor; id; echo pid $$']);
    assert.equal(r.code, 0, describeResult('run', r));
    assert.equal(r.stdout, 'hello from tsvisor\nuid=0(root) gid=0(root) groups=0(root)\npid 1\n');
  });

  test('exit statuses propagate: exit 3 is 3, a fatal signal is 128+N, a missing program is 127', { timeout: TEST_TIMEOUT }, async () => {
    const three = await runRm(TSV, ['sh', '-c', 'exit 3']);
    assert.equal(three.code, 3, describeResult('exit 3', three));
    const segv = await runRm(TSV, ['e2e_helper', 'segv']);
    assert.equal(segv.code, 128 + 11, describeResult('segv', segv));
    const missing = await runRm(TSV, ['no-such-program']);
    assert.equal(missing.code, 127, describeResult('missing', missing));
    assert.match(missing.stderr, /no-such-program.*executable file not found in \$PATH/);
    // docker kill from outside: SIGKILL, 137; docker wait reports it.
    const n = await detached('kill', TSV, ['sleep', '1000']);
    await ok(['kill', n]);
    assert.equal((await ok(['wait', n])).stdout.trim(), '137');
    assert.equal(await inspect(n, '{{.State.ExitCode}}'), '137');
    await ok(['rm', n]);
    // docker wait on a container that exits by itself.
    const w = await detached('wait', TSV, ['sh', '-c', 'sleep 0.3; exit 9']);
    assert.equal((await ok(['wait', w])).stdout.trim(), '9');
    await ok(['rm', w]);
  });

  test('-d, logs, exec (output and status), stop (SIGTERM reaches a trap in sh), rm', { timeout: TEST_TIMEOUT }, async () => {
    const n = await detached('life', TSV, ['sh', '-c', 'trap "echo got TERM; exit 7" TERM; echo started; while true; do sleep 0.1; done']);
    await waitForLog(n, 'started\n');
    assert.equal(await inspect(n, '{{.State.Status}}'), 'running');
    assert.equal(tsvisorStateDirs().length, 1, 'one tsvisor container state under the runtime root');

    const ex = await docker(['exec', n, 'sh', '-c', 'echo in exec; echo to stderr >&2; exit 5']);
    assert.equal(ex.code, 5, describeResult('exec', ex));
    assert.equal(ex.stdout, 'in exec\n');
    assert.equal(ex.stderr, 'to stderr\n');
    const who = await ok(['exec', '-u', '1000:1000', '-w', '/tmp', '-e', 'GREETING=hi there', n, 'sh', '-c', 'id; pwd; echo "$GREETING"']);
    assert.equal(who.stdout, 'uid=1000(user) gid=1000(user) groups=1000(user)\n/tmp\nhi there\n');
    const missing = await docker(['exec', n, 'no-such-program']);
    assert.equal(missing.code, 126, describeResult('exec missing', missing));
    // The Docker client prints an exec's runtime error on its stdout.
    assert.match(missing.stdout + missing.stderr, /no-such-program.*executable file not found in \$PATH/);
    // exec -d: runs in the background; its effect is visible to the next exec.
    await ok(['exec', '-d', n, 'sh', '-c', 'echo from the background > /tmp/bg']);
    let bg = '';
    for (let i = 0; i < 100 && bg !== 'from the background\n'; i++) {
      bg = (await docker(['exec', n, 'cat', '/tmp/bg'])).stdout;
      if (bg !== 'from the background\n') await sleep(100);
    }
    assert.equal(bg, 'from the background\n');

    const t0 = Date.now();
    await ok(['stop', '-t', '20', n]);
    assert.ok(Date.now() - t0 < 15_000, `docker stop took ${Date.now() - t0} ms: the trap did not run on SIGTERM`);
    assert.equal(await inspect(n, '{{.State.Status}} {{.State.ExitCode}}'), 'exited 7');
    const logs = await ok(['logs', n]);
    assert.equal(logs.stdout, 'started\ngot TERM\n');
    await ok(['rm', n]);
    const gone = await docker(['inspect', n]);
    assert.notEqual(gone.code, 0, 'the container is still there after rm');
    // Nothing of it is left: no tsvisor state, no sandbox process.
    for (const d of tsvisorStateDirs()) {
      const st = JSON.parse(fs.readFileSync(path.join(d, 'state.json'), 'utf8')) as { sandboxPid: number };
      assert.fail(`state left behind: ${d} (sandbox pid ${st.sandboxPid}, alive: ${alive(st.sandboxPid)})`);
    }
  });

  test('-v: a bind mount reads and writes through to the host; :ro gives EROFS', { timeout: TEST_TIMEOUT }, async () => {
    const vol = fs.mkdtempSync(path.join(dir, 'vol-'));
    fs.writeFileSync(path.join(vol, 'from-host'), 'written by the host\n');
    const rw = await runRm([...TSV, '-v', `${vol}:/data`], ['sh', '-c', 'cat /data/from-host; echo written by the guest > /data/from-guest']);
    assert.equal(rw.code, 0, describeResult('-v rw', rw));
    assert.equal(rw.stdout, 'written by the host\n');
    assert.equal(fs.readFileSync(path.join(vol, 'from-guest'), 'utf8'), 'written by the guest\n');
    const ro = await runRm([...TSV, '-v', `${vol}:/data:ro`], ['sh', '-c', 'cat /data/from-host; e2e_helper write /data/new']);
    assert.equal(ro.code, 1, describeResult('-v ro', ro));
    assert.equal(ro.stdout, 'written by the host\nEROFS\n');
    assert.equal(fs.existsSync(path.join(vol, 'new')), false);
  });

  test('--read-only: the root is read-only (EROFS), a --tmpfs on it is writable', { timeout: TEST_TIMEOUT }, async () => {
    const r = await runRm([...TSV, '--read-only'], ['sh', '-c', 'e2e_helper write /x; e2e_helper write /tmp/x; exit 0']);
    assert.equal(r.code, 0, describeResult('--read-only', r));
    assert.equal(r.stdout, 'EROFS\nEROFS\n');
    const t = await runRm([...TSV, '--read-only', '--tmpfs', '/tmp'], ['e2e_helper', 'write', '/tmp/x']);
    assert.equal(t.stdout, 'ok\n', describeResult('--read-only --tmpfs /tmp', t));
  });

  test('-u 1000:1000: id shows it', { timeout: TEST_TIMEOUT }, async () => {
    const r = await runRm([...TSV, '-u', '1000:1000'], ['id']);
    assert.equal(r.code, 0, describeResult('-u', r));
    assert.equal(r.stdout, 'uid=1000(user) gid=1000(user) groups=1000(user)\n');
  });

  test("linux.sysctl net.ipv4.ip_unprivileged_port_start=0 (Docker's): a non-root user binds port 80", { timeout: TEST_TIMEOUT }, async () => {
    // Docker puts this sysctl in every config; runc sets it in the container's namespace, tsvisor in its sandbox.
    const script = 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start; nc -l -p 80 & p=$!; sleep 0.5; kill -0 $p && echo listening; kill $p';
    const r = await runRm([...TSV, '-u', '1000:1000'], ['sh', '-c', script]);
    assert.equal(r.code, 0, describeResult('bind 80 as uid 1000', r));
    assert.equal(r.stdout, '0\nlistening\n', describeResult('bind 80 as uid 1000', r));
  });

  test('--tmpfs /x: a tmpfs with Docker\'s flags, writable', { timeout: TEST_TIMEOUT }, async () => {
    const r = await runRm([...TSV, '--tmpfs', '/x'], ['sh', '-c', 'grep " /x " /proc/mounts; echo data > /x/f && cat /x/f']);
    assert.equal(r.code, 0, describeResult('--tmpfs', r));
    const [mount, data] = r.stdout.split('\n');
    assert.match(mount, /^tmpfs \/x tmpfs rw,nosuid,nodev,noexec,relatime /);
    assert.equal(data, 'data');
  });

  test('-m 64m: /proc/meminfo shows the limit, and 200 MiB touched is killed or refused', { timeout: TEST_TIMEOUT }, async () => {
    const info = await runRm([...TSV, '-m', '64m'], ['head', '-1', '/proc/meminfo']);
    assert.equal(info.code, 0, describeResult('meminfo', info));
    assert.match(info.stdout, /^MemTotal:\s+65536 kB\n$/);
    const small = await runRm([...TSV, '-m', '64m'], ['e2e_helper', 'mem', '16']);
    assert.equal(small.stdout, 'touched 16 MiB\n', describeResult('16 MiB', small));
    const big = await runRm([...TSV, '-m', '64m'], ['e2e_helper', 'mem', '200']);
    assert.ok(big.code === 137 || (big.code === 12 && /^ENOMEM after \d+ MiB\n$/.test(big.stdout)), describeResult('200 MiB under -m 64m', big));
    assert.doesNotMatch(big.stdout, /touched/);
  });

  test('pause and unpause: nothing runs while paused', { timeout: TEST_TIMEOUT }, async () => {
    const vol = fs.mkdtempSync(path.join(dir, 'tick-'));
    const n = await detached('pause', [...TSV, '-v', `${vol}:/v`], ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /v/n; sleep 0.05; done']);
    const count = (): number => Number(fs.readFileSync(path.join(vol, 'n'), 'utf8').trim() || 0);
    for (let i = 0; i < 100 && !fs.existsSync(path.join(vol, 'n')); i++) await sleep(100);
    await ok(['pause', n]);
    assert.equal(await inspect(n, '{{.State.Status}} {{.State.Paused}}'), 'paused true');
    await sleep(200);
    const a = count();
    await sleep(700);
    assert.equal(count(), a, 'the container kept running while paused');
    const ex = await docker(['exec', n, 'true']);
    assert.notEqual(ex.code, 0, 'docker exec into a paused container should be refused');
    await ok(['unpause', n]);
    assert.equal(await inspect(n, '{{.State.Status}} {{.State.Paused}}'), 'running false');
    await sleep(700);
    assert.ok(count() > a, 'the container did not run again after unpause');
    await ok(['rm', '-f', n]);
  });

  test('top: the host pids of the container\'s processes', { timeout: TEST_TIMEOUT }, async () => {
    const n = await detached('top', TSV, ['sleep', '1000']);
    await ok(['exec', '-d', n, 'sleep', '999']);
    let rows: string[][] = [];
    for (let i = 0; i < 50; i++) {
      const r = await ok(['top', n]);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0], /\bPID\b/);
      const col = lines[0].trim().split(/\s+/).indexOf('PID');
      rows = lines.slice(1).map((l) => l.trim().split(/\s+/));
      if (rows.length === 2) {
        for (const row of rows) {
          const pid = Number(row[col]);
          assert.ok(pid > 1 && alive(pid), `docker top lists pid ${row[col]}, which is no host process`);
        }
        break;
      }
      await sleep(100);
    }
    assert.equal(rows.length, 2, `docker top should list the first process and the exec'd one: ${JSON.stringify(rows)}`);
    // The first process is named as execve names it: the command, not the file its symlink leads to.
    assert.equal((await ok(['exec', n, 'cat', '/proc/1/comm'])).stdout, 'sleep\n');
    await ok(['rm', '-f', n]);
  });

  test('update --pids-limit and --memory on a running container', { timeout: TEST_TIMEOUT }, async () => {
    const n = await detached('update', [...TSV, '-m', '64m'], ['sleep', '1000']);
    const forks = ['sh', '-c', 'for i in 1 2 3 4; do sleep 0.2 & done; wait'];
    await ok(['update', '--pids-limit', '3', n]);
    const limited = await docker(['exec', n, ...forks]);
    assert.match(limited.stderr, /can't fork/, describeResult('forks under --pids-limit 3', limited));
    await ok(['update', '--pids-limit', '100', n]);
    const free = await docker(['exec', n, ...forks]);
    assert.equal(free.code, 0, describeResult('forks under --pids-limit 100', free));
    await ok(['update', '-m', '96m', '--memory-swap', '192m', n]);
    const info = await ok(['exec', n, 'head', '-1', '/proc/meminfo']);
    assert.match(info.stdout, /^MemTotal:\s+98304 kB\n$/);
    const more = await docker(['exec', n, 'e2e_helper', 'mem', '80']);
    assert.equal(more.stdout, 'touched 80 MiB\n', describeResult('80 MiB under 96m', more));
    await ok(['update', '-m', '32m', '--memory-swap', '64m', n]);
    const less = await ok(['exec', n, 'head', '-1', '/proc/meminfo']);
    assert.match(less.stdout, /^MemTotal:\s+32768 kB\n$/);
    const refused = await docker(['exec', n, 'e2e_helper', 'mem', '48']);
    assert.ok(refused.code === 137 || refused.code === 12, describeResult('48 MiB under 32m', refused));
    // Past the MemoryFile made at create (twice -m): refused, and the limit stays.
    const tooMuch = await docker(['update', '-m', '256m', '--memory-swap', '512m', n]);
    assert.notEqual(tooMuch.code, 0, describeResult('update -m 256m', tooMuch));
    assert.match(tooMuch.stderr, /cannot raise the memory limit/);
    assert.match((await ok(['exec', n, 'head', '-1', '/proc/meminfo'])).stdout, /^MemTotal:\s+32768 kB\n$/);
    await ok(['rm', '-f', n]);
  });

  test('--cpus: the sandbox and its stubs run in the container\'s cgroup with the quota, enforced; update changes it; rm removes it', { timeout: TEST_TIMEOUT }, async () => {
    const n = await detached('cpus', [...TSV, '--cpus', '0.1'], ['sh', '-c', 'while true; do :; done']);
    const id = await inspect(n, '{{.Id}}');
    const sandboxPid = Number(await inspect(n, '{{.State.Pid}}'));
    // cgroup v1 (a cpu hierarchy) or v2 (unified), with Docker's cgroupsPath /docker/ID.
    const v1 = `/sys/fs/cgroup/cpu/docker/${id}`;
    const v2 = `/sys/fs/cgroup/docker/${id}`;
    const cg = fs.existsSync(path.join(v1, 'cpu.cfs_quota_us')) ? v1 : v2;
    const quota = (): string =>
      cg === v1 ? `${fs.readFileSync(path.join(cg, 'cpu.cfs_quota_us'), 'utf8').trim()} ${fs.readFileSync(path.join(cg, 'cpu.cfs_period_us'), 'utf8').trim()}` : fs.readFileSync(path.join(cg, 'cpu.max'), 'utf8').trim();
    assert.equal(quota(), '10000 100000');
    const procs = fs.readFileSync(path.join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    assert.ok(procs.includes(sandboxPid), `the sandbox process ${sandboxPid} is not in ${cg}: ${procs.join(' ')}`);
    const top = await ok(['top', n, '-o', 'pid']);
    for (const pid of top.stdout.trim().split('\n').slice(1).map(Number)) assert.ok(procs.includes(pid), `the stub ${pid} is not in ${cg}`);
    // Enforced: a busy guest gets throttled, and uses about a tenth of a CPU.
    const usage = (): number => (cg === v1 ? Number(fs.readFileSync(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, 'utf8')) / 1e9 : Number(/usage_usec (\d+)/.exec(fs.readFileSync(path.join(cg, 'cpu.stat'), 'utf8'))![1]) / 1e6);
    const u0 = usage();
    const t0 = Date.now();
    await sleep(2000);
    const share = (usage() - u0) / ((Date.now() - t0) / 1000);
    const throttled = Number(/nr_throttled (\d+)/.exec(fs.readFileSync(path.join(cg, 'cpu.stat'), 'utf8'))![1]);
    assert.ok(throttled > 0, 'the container was never throttled');
    assert.ok(share < 0.2, `the container used ${share.toFixed(2)} CPUs under --cpus 0.1`);
    await ok(['update', '--cpus', '0.25', n]);
    assert.equal(quota(), '25000 100000');
    await ok(['rm', '-f', n]);
    assert.equal(fs.existsSync(cg), false, `${cg} is left behind`);
  });

  test('cp into a container; with the default overlay the guest\'s writes stay in the sandbox', { timeout: TEST_TIMEOUT }, async () => {
    const n = await detached('cp', TSV, ['sleep', '1000']);
    const src = path.join(dir, 'cp-in.txt');
    fs.writeFileSync(src, 'copied in\n');
    await ok(['cp', src, `${n}:/tmp/cp-in.txt`]);
    assert.equal((await ok(['exec', n, 'cat', '/tmp/cp-in.txt'])).stdout, 'copied in\n');
    await ok(['exec', n, 'sh', '-c', 'echo in memory > /tmp/guest.txt']);
    assert.equal((await ok(['exec', n, 'cat', '/tmp/guest.txt'])).stdout, 'in memory\n');
    const out = await docker(['cp', `${n}:/tmp/guest.txt`, path.join(dir, 'never.txt')]);
    assert.notEqual(out.code, 0, 'a write through the in-memory overlay reached the container\'s layer on the host');
    await ok(['rm', '-f', n]);
  });

  test('cp in and out, and commit, with --overlay=false (runtime tsvisor-rw)', { timeout: TEST_TIMEOUT }, async () => {
    const n = await detached('cprw', TSV_RW, ['sleep', '1000']);
    const src = path.join(dir, 'cp-in-rw.txt');
    fs.writeFileSync(src, 'copied in\n');
    await ok(['cp', src, `${n}:/tmp/cp-in.txt`]);
    assert.equal((await ok(['exec', n, 'cat', '/tmp/cp-in.txt'])).stdout, 'copied in\n');
    await ok(['exec', n, 'sh', '-c', 'echo written in the container > /tmp/out.txt; echo committed > /marker']);
    const dst = path.join(dir, 'cp-out.txt');
    await ok(['cp', `${n}:/tmp/out.txt`, dst]);
    assert.equal(fs.readFileSync(dst, 'utf8'), 'written in the container\n');
    const img = `tsvisor-e2e/committed-${nameNo}`;
    await ok(['commit', n, img]);
    await ok(['rm', '-f', n]);
    const c = await docker(['run', '--rm', '--pull=never', ...TSV, img, 'cat', '/marker']);
    assert.equal(c.stdout, 'committed\n', describeResult('run the committed image', c));
    await ok(['rmi', img]);
  });

  test('-e, -w, --hostname', { timeout: TEST_TIMEOUT }, async () => {
    const r = await runRm([...TSV, '-e', 'FOO=bar baz', '-w', '/work/dir', '--hostname', 'tsv-host'], ['sh', '-c', 'echo "$FOO"; pwd; hostname; cat /etc/hostname']);
    assert.equal(r.code, 0, describeResult('env/workdir/hostname', r));
    assert.equal(r.stdout, 'bar baz\n/work/dir\ntsv-host\ntsv-host\n');
  });

  test('--init: docker-init (tini) is PID 1 and passes the status on', { timeout: TEST_TIMEOUT }, async () => {
    const r = await runRm([...TSV, '--init'], ['sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; echo parent $PPID; exit 5']);
    assert.equal(r.code, 5, describeResult('--init', r));
    assert.equal(r.stdout, '/sbin/docker-init -- sh -c tr "\\0" " " < /proc/1/cmdline; echo; echo parent $PPID; exit 5 \nparent 1\n');
  });

  test('restart: a new sandbox, the container runs again', { timeout: TEST_TIMEOUT }, async () => {
    const n = await detached('restart', TSV, ['sleep', '1000']);
    const before = Number(await inspect(n, '{{.State.Pid}}'));
    await ok(['restart', '-t', '1', n]);
    assert.equal(await inspect(n, '{{.State.Status}}'), 'running');
    const after = Number(await inspect(n, '{{.State.Pid}}'));
    assert.ok(after > 0 && after !== before && alive(after) && !alive(before), `sandbox pid ${before} → ${after}`);
    assert.equal((await ok(['exec', n, 'echo', 'after restart'])).stdout, 'after restart\n');
    await ok(['rm', '-f', n]);
  });

  test('-it through script: the container runs on a terminal (the pty whose master Docker got over --console-socket)', { timeout: TEST_TIMEOUT }, async () => {
    // script(1) gives docker a terminal; a shell command line is what it runs.
    const quote = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`;
    const cmd = [dockerBin, 'run', '-it', '--rm', '--pull=never', ...TSV, IMAGE, 'sh', '-c', 'tty; [ -t 0 ] && [ -t 1 ] && echo both-ttys; exit 5'];
    const r = await run('script', ['-qec', cmd.map(quote).join(' '), '/dev/null'], { timeoutMs: 120_000, env: clientEnv });
    assert.equal(r.code, 5, describeResult('script docker run -it', r));
    // (script echoes a ^@ first, with runc too.)
    assert.match(r.stdout, /\/dev\/pts\/0\r\nboth-ttys\r\n/, describeResult('tty', r));

    const n = await detached('exec-it', TSV, ['sleep', '1000']);
    const ex = [dockerBin, 'exec', '-it', n, 'sh', '-c', 'tty; exit 4'];
    const e = await run('script', ['-qec', ex.map(quote).join(' '), '/dev/null'], { timeoutMs: 120_000, env: clientEnv });
    assert.equal(e.code, 4, describeResult('script docker exec -it', e));
    assert.match(e.stdout, /\/dev\/pts\/\d+\r\n/, describeResult('exec tty', e));
    await ok(['rm', '-f', n]);
  });

  test("the sandbox process has its own network namespace: Docker's hooks leave the host's alone", { timeout: TEST_TIMEOUT }, async () => {
    // libnetwork's prestart hook joins /proc/PID/ns/net of the container's pid and, for
    // --network=none, turns IPv6 off on its lo: that must be the sandbox's namespace, not the host's.
    const sysctl = '/proc/sys/net/ipv6/conf/lo/disable_ipv6';
    const before = fs.existsSync(sysctl) ? fs.readFileSync(sysctl, 'utf8') : null;
    const n = await detached('netns', TSV, ['sleep', '1000']);
    const pid = Number(await inspect(n, '{{.State.Pid}}'));
    assert.ok(pid > 0 && alive(pid), `sandbox pid ${pid}`);
    assert.notEqual(fs.readlinkSync(`/proc/${pid}/ns/net`), fs.readlinkSync('/proc/self/ns/net'), 'the sandbox process is in the host network namespace');
    await ok(['rm', '-f', n]);
    await runRm(TSV, ['true']);
    if (before !== null) assert.equal(fs.readFileSync(sysctl, 'utf8'), before, `the host's ${sysctl} changed`);
  });

  test('--network=none: only a loopback interface', { timeout: TEST_TIMEOUT }, async () => {
    const r = await runRm(TSV, ['sh', '-c', 'ifconfig -a 2>/dev/null']);
    const names = r.stdout.split('\n').filter((l) => /^\S/.test(l)).map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(names, ['lo'], describeResult('ifconfig -a', r));
    assert.match(r.stdout, /inet addr:127\.0\.0\.1/);
  });
});
