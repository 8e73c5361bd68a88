#!/usr/bin/env node
// Docker start-up benchmark: wall time of
//   docker run --rm --pull=never --network=none --runtime=R IMAGE true
// with R = tsvisor, runc and runsc (when installed), repeated.
//
//   node bench/docker.mjs [--repeat N] [--only tsvisor,runc,runsc] [--markdown]
//   node bench/run.mjs --suite docker [--repeat N] ...
//
// It starts its own dockerd under a fresh temp dir (no iptables, no IP
// forwarding, no bridge; as test/e2e does), imports a busybox-static image
// made from host files (no registry), registers tsvisor (bin/tsvisor.js) and
// runsc (/usr/bin/runsc with --platform=ptrace --network=none
// --ignore-cgroups: what works on these machines, nested in a VM with
// cgroup v1), runs each runtime once to warm up and then --repeat times
// (default 10), and prints the median, minimum and maximum in ms. dockerd
// is stopped by pid at the end. Needs root, dockerd and busybox-static.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, chmodSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsvisor = path.join(root, 'bin', 'tsvisor.js');
const busybox = '/bin/busybox';
const IMAGE = 'tsvisor-bench/busybox:latest';
export const DOCKER_RUNTIMES = ['tsvisor', 'runc', 'runsc'];

function which(name, ...extra) {
  for (const p of [...extra, ...(process.env.PATH ?? '').split(':').filter(Boolean).map((d) => path.join(d, name))]) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return null;
}

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A busybox-static root file system with `true` and `sh`. */
function makeRootfs(dir) {
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev']) mkdirSync(path.join(dir, d), { recursive: true });
  copyFileSync(busybox, path.join(dir, 'bin', 'busybox'));
  chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
  for (const a of ['true', 'sh', 'echo']) symlinkSync('busybox', path.join(dir, 'bin', a));
  writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\n');
}

class DockerDaemon {
  constructor(dir, runsc) {
    this.dir = dir;
    this.client = which('docker', '/usr/bin/docker');
    this.env = { ...process.env, DOCKER_HOST: `unix://${dir}/docker.sock`, DOCKER_CONFIG: path.join(dir, 'client') };
    mkdirSync(path.join(dir, 'client'));
    const runtimes = { tsvisor: { path: tsvisor } };
    if (runsc) runtimes.runsc = { path: runsc, runtimeArgs: ['--platform=ptrace', '--network=none', '--ignore-cgroups'] };
    writeFileSync(path.join(dir, 'daemon.json'), JSON.stringify({ runtimes }));
    const log = openSync(path.join(dir, 'dockerd.log'), 'a');
    const child = spawn(
      which('dockerd'),
      [
        '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'dockerd.pid'),
        '-H', `unix://${dir}/docker.sock`, '--config-file', path.join(dir, 'daemon.json'),
        '--iptables=false', '--ip-forward=false', '--bridge=none',
      ],
      { stdio: ['ignore', log, log], detached: false },
    );
    closeSync(log);
    child.unref();
    this.pid = child.pid;
    for (let i = 0; ; i++) {
      if (this.docker(['version', '--format', '{{.Server.Version}}']).status === 0) break;
      if (i > 150 || !alive(this.pid)) {
        this.stop();
        throw new Error(`dockerd did not start; its log:\n${readFileSync(path.join(dir, 'dockerd.log'), 'utf8').split('\n').slice(-15).join('\n')}`);
      }
      sleepMs(200);
    }
  }

  docker(args, input) {
    return spawnSync(this.client, args, { env: this.env, input, encoding: input ? undefined : 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  }

  stop() {
    if (!this.pid || !alive(this.pid)) return;
    const ids = this.docker(['ps', '-aq']);
    const list = (ids.stdout ?? '').toString().split('\n').filter(Boolean);
    if (list.length > 0) this.docker(['rm', '-f', ...list]);
    process.kill(this.pid, 'SIGTERM');
    for (let i = 0; i < 200 && alive(this.pid); i++) sleepMs(100);
    if (alive(this.pid)) process.kill(this.pid, 'SIGKILL');
  }
}

/** Unmounts what is left under dir (deepest first) and removes it. */
function removeTree(dir) {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p) => p && (p === dir || p.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const p of points) spawnSync('umount', ['-l', p]);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs the suite: o.repeat (default 10) timed runs per runtime after one
 * warm-up; o.only limits the runtimes; o.markdown prints a Markdown table.
 * Returns Map(runtime -> {median, min, max} in ms | Error).
 */
export function runDocker(o = {}) {
  const repeat = o.dockerRepeat ?? o.repeat ?? 10;
  if (process.getuid?.() !== 0) throw new Error('the docker suite needs root (dockerd)');
  if (!which('dockerd') || !which('docker', '/usr/bin/docker')) throw new Error('dockerd is not installed (apt-get install docker.io)');
  const runsc = which('runsc', '/usr/bin/runsc');
  const wanted = (o.only ?? DOCKER_RUNTIMES).filter((r) => DOCKER_RUNTIMES.includes(r));
  const dir = mkdtempSync('/tmp/tsv-bench-dk-');
  const results = new Map();
  let d = null;
  try {
    makeRootfs(path.join(dir, 'rootfs'));
    d = new DockerDaemon(dir, runsc);
    const tar = spawnSync('tar', ['-C', path.join(dir, 'rootfs'), '-c', '.'], { maxBuffer: 64 << 20 });
    const imp = d.docker(['import', '-', IMAGE], tar.stdout);
    if (imp.status !== 0) throw new Error(`docker import: ${imp.stderr}`);
    for (const rt of wanted) {
      if (rt === 'runsc' && !runsc) {
        results.set(rt, new Error('runsc is not installed'));
        continue;
      }
      const argv = ['run', '--rm', '--pull=never', '--network=none', `--runtime=${rt}`, IMAGE, 'true'];
      const times = [];
      try {
        for (let i = 0; i <= repeat; i++) {
          process.stderr.write(`bench: docker run --runtime=${rt} ${i === 0 ? 'warm-up' : `${i}/${repeat}`}          \r`);
          const t0 = process.hrtime.bigint();
          const r = d.docker(argv);
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          if (r.status !== 0) throw new Error(`exit status ${r.status}: ${(r.stderr ?? '').trim().split('\n').pop()}`);
          if (i > 0) times.push(ms);
        }
        results.set(rt, { median: median(times), min: Math.min(...times), max: Math.max(...times) });
      } catch (e) {
        results.set(rt, e instanceof Error ? e : new Error(String(e)));
      }
    }
  } finally {
    d?.stop();
    removeTree(dir);
    process.stderr.write(' '.repeat(60) + '\r');
  }
  printDocker(results, repeat, o.markdown === true);
  return results;
}

function printDocker(results, repeat, markdown) {
  const runc = results.get('runc');
  const header = ['docker run --rm IMAGE true (ms)', 'median', 'min', 'max', 'vs runc'];
  const rows = [...results].map(([rt, r]) =>
    r instanceof Error
      ? [rt, 'failed', '', '', '']
      : [rt, r.median.toFixed(0), r.min.toFixed(0), r.max.toFixed(0), runc && !(runc instanceof Error) ? `${(r.median / runc.median).toFixed(2)}×` : ''],
  );
  if (markdown) {
    console.log(`| ${header.join(' | ')} |`);
    console.log(`|---|${header.slice(1).map(() => '---:').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } else {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) console.log(line(r));
  }
  console.log('');
  console.log(
    `${repeat} timed runs per runtime after one warm-up; wall clock of the docker client (create, start, wait, ` +
      'delete); runsc: --platform=ptrace --network=none --ignore-cgroups',
  );
  for (const [rt, r] of results) if (r instanceof Error) console.log(`${rt}: failed: ${r.message}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const o = { repeat: 10, markdown: false, only: null };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repeat') o.repeat = Number(argv[++i]);
    else if (a === '--only') o.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--markdown') o.markdown = true;
    else {
      console.error('usage: node bench/docker.mjs [--repeat N] [--only tsvisor,runc,runsc] [--markdown]');
      process.exit(2);
    }
  }
  if (!Number.isInteger(o.repeat) || o.repeat < 1) {
    console.error('bench: --repeat needs a positive integer');
    process.exit(2);
  }
  if (o.only === null) delete o.only;
  runDocker(o);
}
