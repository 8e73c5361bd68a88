#!/usr/bin/env node
// Syscall micro-benchmarks: native vs `tsvisor do` vs `runsc --platform=ptrace do`.
//
//   node bench/run.mjs [--repeat N] [--iterations N] [--sandbox-iterations N]
//                      [--only native,tsvisor,runsc] [--markdown]
//                      [--suite syscalls,files,processes] [--files N] [--file-mib N]
//                      [--small-reads N] [--forks N] [--spawns N]
//                      [--net-mib N] [--rounds N] [--redis-requests N]
//
// Compiles bench/syscalls.c (gcc -O1 -static) into dist/bench/, runs it N
// times (default 5) in each environment, takes the median ns/op of each
// benchmark and prints a table in µs/op with the ratio to native. runsc is
// used when it is on PATH (Debian: apt-get install runsc; it needs root).
// An environment that fails is reported in the table, not fatal.
//
// --suite picks the benchmark programs (default: syscalls only). The files
// suite (bench/files.c) creates, stats and unlinks --files files (default
// 2000) in /tmp ("tmp_*": the sandbox tmpfs/overlay under the sandboxes) and
// in a fresh host temp dir DIR ("vol_*": bound with --volume DIR:/bench under
// tsvisor, used as-is natively and under runsc `do -force-overlay=false`,
// since runsc do cannot bind a volume), then reads a --file-mib MiB file
// (default 256, created in DIR here) sequentially in 1 MiB reads (shown in
// MB/s) and with --small-reads (default 100000) 64-byte preads at random
// offsets.
//
// The processes suite: bench/processes.c (static) times inside the program
// --forks (default 200) rounds of fork/_exit/waitpid and --spawns (default
// 50) rounds each of vfork+execve and posix_spawn of a static `busybox true`,
// µs per round. Then whole programs are timed from outside (wall clock from
// spawn to exit, sandbox start-up included, in ms): `busybox true` alone
// (the start-up cost, for reference), `busybox sh -c` running 100
// `/bin/busybox true`, `python3 -c pass` (python3 resolved to the real
// binary, never a pyenv shim) and `make -B -j2` of a two-file C project
// (gcc) in a scratch directory outside /tmp (the sandboxes' /tmp is their
// own): under dist/bench/ or else $HOME. A row that fails in an environment
// (make -j2 under tsvisor until pselect6 lands, say) shows "failed" and the
// reason is printed under the table.
//
// The net suite: bench/net.c (static) times, between a process and its
// forked child, the throughput of --net-mib MiB (default 64) in 64 KiB
// writes and the latency of --rounds (default 20000) one-byte round trips
// over a pipe, an AF_UNIX stream socketpair and a loopback TCP connection
// (TCP_NODELAY); then redis-server and redis-benchmark -n --redis-requests
// (default 20000) -t set,get run together in one sandbox (a /bin/sh script),
// shown in requests per second.
//
// The docker suite (bench/docker.mjs; root, dockerd): wall time of `docker
// run --rm --pull=never --network=none --runtime=R IMAGE true` for R =
// tsvisor, runc and runsc, --repeat times each after a warm-up, with its own
// dockerd under a temp dir (--only picks runtimes: tsvisor,runc,runsc).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  statSync,
  accessSync,
  constants,
  mkdtempSync,
  openSync,
  writeSync,
  closeSync,
  rmSync,
  readSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCKER_RUNTIMES, runDocker } from './docker.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'bench', 'syscalls.c');
const bin = path.join(root, 'dist', 'bench', 'syscalls');
const filesSrc = path.join(root, 'bench', 'files.c');
const filesBin = path.join(root, 'dist', 'bench', 'files');
const procSrc = path.join(root, 'bench', 'processes.c');
const procBin = path.join(root, 'dist', 'bench', 'processes');
const netSrc = path.join(root, 'bench', 'net.c');
const netBin = path.join(root, 'dist', 'bench', 'net');
const tsvisor = path.join(root, 'bin', 'tsvisor.js');
const busybox = '/bin/busybox';
const SUITES = ['syscalls', 'files', 'processes', 'net', 'docker'];

function usage(msg) {
  if (msg) console.error(`bench: ${msg}`);
  console.error(
    'usage: node bench/run.mjs [--repeat N] [--iterations N] [--sandbox-iterations N] ' +
      '[--only native,tsvisor,runsc] [--markdown] [--suite syscalls,files,processes] [--files N] ' +
      '[--file-mib N] [--small-reads N] [--forks N] [--spawns N] [--net-mib N] [--rounds N] [--redis-requests N]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    repeat: 5,
    iterations: 1_000_000,
    sandboxIterations: 50_000,
    only: null,
    markdown: false,
    suites: ['syscalls'],
    files: 2000,
    fileMiB: 256,
    smallReads: 100_000,
    forks: 200,
    spawns: 50,
    netMiB: 64,
    rounds: 20_000,
    redisRequests: 20_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) usage(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--repeat') o.repeat = num();
    else if (a === '--iterations') o.iterations = num();
    else if (a === '--sandbox-iterations') o.sandboxIterations = num();
    else if (a === '--only') o.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--markdown') o.markdown = true;
    else if (a === '--suite') {
      o.suites = (argv[++i] ?? '').split(',').filter(Boolean);
      if (o.suites.length === 0 || o.suites.some((x) => !SUITES.includes(x)))
        usage(`--suite takes a comma-separated list of ${SUITES.join(', ')}`);
    } else if (a === '--files') o.files = num();
    else if (a === '--file-mib') o.fileMiB = num();
    else if (a === '--small-reads') o.smallReads = num();
    else if (a === '--forks') o.forks = num();
    else if (a === '--spawns') o.spawns = num();
    else if (a === '--net-mib') o.netMiB = num();
    else if (a === '--rounds') o.rounds = num();
    else if (a === '--redis-requests') o.redisRequests = num();
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  return o;
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

function build(source = src, binary = bin) {
  const fresh = existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs;
  if (fresh) return;
  mkdirSync(path.dirname(binary), { recursive: true });
  execFileSync('gcc', ['-O1', '-static', '-o', binary, source], { stdio: 'inherit' });
}

/** Runs one environment once; returns Map(name -> ns/op) or throws. */
function runOnce(env, iterations) {
  return runArgv([...env.prefix, bin, '-n', String(iterations)]);
}

/** Runs ARGV once to completion; returns spawnSync's result if it exited 0, or throws. */
function spawnChecked(argv) {
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    timeout: 10 * 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 << 20,
  });
  if (r.error) throw new Error(`${argv.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    const why = r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`;
    const lines = (r.stderr ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
    // make reports as "make: *** ...", without the word error.
    const errLine = lines.find((l) => /\berror\b/i.test(l)) ?? lines.find((l) => /\*\*\*/.test(l));
    const err = errLine ?? lines.slice(-3).join(' | ');
    throw new Error(`${why}${err ? `: ${err}` : ''}`);
  }
  return r;
}

/** Runs ARGV once; returns its wall-clock time in ns (spawn to exit) or throws. */
function timeArgv(argv) {
  const t0 = process.hrtime.bigint();
  spawnChecked(argv);
  return Number(process.hrtime.bigint() - t0);
}

/** Runs ARGV once; returns Map(name -> ns/op) parsed from its stdout or throws. */
function runArgv(argv) {
  const r = spawnChecked(argv);
  const out = new Map();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\w+) ([\d.]+)$/.exec(line.trim());
    if (m) out.set(m[1], Number(m[2]));
  }
  if (out.size === 0) throw new Error(`no results in output: ${JSON.stringify(r.stdout.slice(0, 200))}`);
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmtUs(ns) {
  const us = ns / 1000;
  return us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us >= 1 ? us.toFixed(2) : us.toFixed(3);
}

function fmtMs(ns) {
  const ms = ns / 1e6;
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function fmtMBps(ns) {
  return ((1 << 20) * 1e3 / ns).toFixed(0);
}

/**
 * Prints a table: one row per benchmark name, one column per environment.
 * RESULTS maps env -> Map(bench -> median ns) | Error. A benchmark whose name
 * is in THROUGHPUT (ns per 1 MiB) is shown in MB/s, one in opts.millis in ms,
 * one in opts.rate (ns per request) in requests/s, the others in µs; ratios
 * are always time/native time, i.e. slowdowns.
 * opts.names fixes the order of the rows (default: as found); a cell whose
 * "env/bench" is in opts.failed shows "failed" rather than "n/a".
 */
function printTable(o, title, cols, results, throughput = new Set(), opts = {}) {
  const millis = opts.millis ?? new Set();
  const rate = opts.rate ?? new Set();
  const failed = opts.failed ?? new Set();
  const names = opts.names ? [...opts.names] : [];
  for (const r of results.values()) if (r instanceof Map) for (const k of r.keys()) if (!names.includes(k)) names.push(k);
  const native = results.get('native');
  const header = [title, ...cols];
  const rows = names.map((n) => [
    throughput.has(n) ? `${n} (MB/s)` : millis.has(n) ? `${n} (ms)` : rate.has(n) ? `${n} (req/s)` : n,
    ...cols.map((c) => {
      const r = results.get(c);
      if (failed.has(`${c}/${n}`)) return 'failed';
      if (!(r instanceof Map) || !r.has(n)) return 'n/a';
      const v = r.get(n);
      const base = native instanceof Map ? native.get(n) : undefined;
      const shown = throughput.has(n) ? fmtMBps(v) : millis.has(n) ? fmtMs(v) : rate.has(n) ? (1e9 / v).toFixed(0) : fmtUs(v);
      return c === 'native' || base === undefined ? shown : `${shown} (${(v / base).toFixed(1)}×)`;
    }),
  ]);

  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  if (o.markdown) {
    console.log(`| ${header.join(' | ')} |`);
    console.log(`|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } else {
    const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) console.log(line(r));
  }
  console.log('');
}

function runSyscalls(o, envs) {
  build();
  const results = new Map(); // env -> Map(bench -> median ns) | Error
  for (const env of envs) {
    const samples = new Map();
    try {
      for (let i = 0; i < o.repeat; i++) {
        process.stderr.write(`bench: ${env.name} run ${i + 1}/${o.repeat}\r`);
        for (const [k, v] of runOnce(env, env.iterations)) {
          if (!samples.has(k)) samples.set(k, []);
          samples.get(k).push(v);
        }
      }
      results.set(env.name, new Map([...samples].map(([k, v]) => [k, median(v)])));
    } catch (e) {
      results.set(env.name, e instanceof Error ? e : new Error(String(e)));
    }
  }
  process.stderr.write(' '.repeat(40) + '\r');

  printTable(o, 'benchmark (µs/op, median)', envs.map((e) => e.name), results);
  console.log(
    `repeat ${o.repeat}; iterations: native ${o.iterations}, sandboxes ${o.sandboxIterations} ` +
      `(mmap_touch_munmap: a tenth); ratios are against native`,
  );
  for (const [name, r] of results) if (r instanceof Error) console.log(`${name}: failed: ${r.message}`);
}

/** Writes MIB MiB of pseudo-random bytes to FILE. */
function makeBigFile(file, mib) {
  const chunk = randomBytes(1 << 20);
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      chunk.writeUInt32LE(i, 0); // distinct blocks
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
}

function runFiles(o, envs, runsc) {
  build(filesSrc, filesBin);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvisor-bench-'));
  const big = path.join(dir, 'big');
  const guest = '/bench';
  const meta = ['-n', String(o.files)];
  const reads = ['-r', String(o.smallReads)];
  const results = new Map(); // env -> Map(bench -> median ns)
  const failures = [];
  try {
    process.stderr.write(`bench: creating ${o.fileMiB} MiB file in ${dir}\r`);
    makeBigFile(big, o.fileMiB);
    // env name -> [variant, argv]: "tmp" in /tmp, "vol" in the host directory DIR.
    const variants = {
      native: [
        ['tmp', [filesBin, '-p', 'tmp', '-d', '/tmp', ...meta]],
        ['vol', [filesBin, '-p', 'vol', '-d', dir, ...meta, '-f', big, ...reads]],
      ],
      tsvisor: [
        ['tmp', [process.execPath, tsvisor, 'do', '--', filesBin, '-p', 'tmp', '-d', '/tmp', ...meta]],
        [
          'vol',
          [
            process.execPath, tsvisor, 'do', '--volume', `${dir}:${guest}`, '--',
            filesBin, '-p', 'vol', '-d', guest, ...meta, '-f', `${guest}/big`, ...reads,
          ],
        ],
      ],
      // runsc do cannot bind a volume: for "vol", turn its root overlay off so
      // the host directory (through the gofer) is read and written directly.
      runsc: [
        ['tmp', [runsc, '--platform=ptrace', '--network=none', 'do', filesBin, '-p', 'tmp', '-d', '/tmp', ...meta]],
        [
          'vol',
          [
            runsc, '--platform=ptrace', '--network=none', 'do', '-force-overlay=false',
            filesBin, '-p', 'vol', '-d', dir, ...meta, '-f', big, ...reads,
          ],
        ],
      ],
    };
    for (const env of envs) {
      const samples = new Map();
      for (const [variant, argv] of variants[env.name]) {
        try {
          for (let i = 0; i < o.repeat; i++) {
            process.stderr.write(`bench: ${env.name} ${variant} run ${i + 1}/${o.repeat}          \r`);
            for (const [k, v] of runArgv(argv)) {
              if (!samples.has(k)) samples.set(k, []);
              samples.get(k).push(v);
            }
          }
        } catch (e) {
          failures.push(`${env.name} ${variant}_*: failed: ${e instanceof Error ? e.message : String(e)}`);
          for (const k of [...samples.keys()]) if (k.startsWith(`${variant}_`)) samples.delete(k);
        }
      }
      results.set(env.name, new Map([...samples].map(([k, v]) => [k, median(v)])));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(' '.repeat(60) + '\r');

  printTable(o, 'file benchmark (µs/op, median)', envs.map((e) => e.name), results, new Set(['vol_seq_read_1MiB']));
  console.log(
    `repeat ${o.repeat}; create/stat/unlink: ${o.files} files in a fresh directory, µs per file; ` +
      `seq_read_1MiB: one ${o.fileMiB} MiB file in 1 MiB reads, MB/s; ` +
      `pread_64B: ${o.smallReads} 64-byte preads at random offsets of it, µs/op; ratios are time against native`,
  );
  console.log(
    'tmp_*: /tmp (tsvisor: sandbox tmpfs; runsc: its in-memory root overlay; native: host /tmp); ' +
      `vol_*: a host temp dir (native: as is; tsvisor: --volume DIR:${guest}; ` +
      'runsc: do -force-overlay=false, as runsc do has no volume option)',
  );
  for (const f of failures) console.log(f);
}

/** True if FILE starts with the ELF magic (a real binary, not a script such as a pyenv shim). */
function isElf(file) {
  let fd;
  try {
    fd = openSync(file, 'r');
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The real python3 binary: python3 on PATH, else /usr/bin/python3, symlinks resolved; null if none is an ELF file. */
function realPython3() {
  for (const p of [onPath('python3'), '/usr/bin/python3']) {
    if (!p) continue;
    try {
      const real = realpathSync(p);
      if (isElf(real)) return real;
    } catch {
      // dangling
    }
  }
  return null;
}

function isUnder(dir, parent) {
  const rel = path.relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * A fresh scratch directory outside /tmp (which both sandboxes replace by
 * their own): under dist/bench/ of this checkout, or else $HOME.
 */
function scratchDir(prefix) {
  const tmps = ['/tmp', os.tmpdir()].map((d) => {
    try {
      return realpathSync(d);
    } catch {
      return d;
    }
  });
  for (const parent of [path.join(root, 'dist', 'bench'), os.homedir()]) {
    try {
      mkdirSync(parent, { recursive: true });
      if (tmps.some((t) => isUnder(realpathSync(parent), t))) continue;
      return mkdtempSync(path.join(parent, prefix));
    } catch {
      // try the next one
    }
  }
  throw new Error('no scratch directory outside /tmp (tried dist/bench/ and $HOME)');
}

/** Writes a two-file C project with a Makefile (gcc) into DIR. */
function makeCProject(dir) {
  writeFileSync(
    path.join(dir, 'main.c'),
    '#include <stdio.h>\nint work(int);\nint main(void) { printf("%d\\n", work(20)); return 0; }\n',
  );
  writeFileSync(
    path.join(dir, 'work.c'),
    'int work(int n) { return n < 2 ? n : work(n - 1) + work(n - 2); }\n',
  );
  writeFileSync(
    path.join(dir, 'Makefile'),
    'prog: main.o work.o\n\tgcc -o $@ main.o work.o\n\n%.o: %.c\n\tgcc -O2 -c -o $@ $<\n',
  );
}

function runProcesses(o, envs) {
  // Rows timed inside bench/processes.c (ns per round), then whole programs
  // timed from outside (ns of wall clock, shown in ms).
  const inProgram = ['fork_exit_wait', 'vfork_exec', 'posix_spawn_exec'];
  const millis = new Set(['busybox_true', 'sh_100_spawns', 'python3_startup', 'make_j2']);
  const names = [...inProgram, ...millis];
  const python = realPython3();
  const make = onPath('make');
  const gcc = onPath('gcc');
  let dir = null;
  let dirError = null;
  try {
    dir = scratchDir('make-');
    makeCProject(dir);
  } catch (e) {
    dirError = e instanceof Error ? e.message : String(e);
  }

  /** name -> argv of the program (without the sandbox prefix), or an Error saying why it cannot run. */
  const missing = (what, pkg) => new Error(`${what} is not installed (apt-get install ${pkg})`);
  const programs = {
    busybox_true: existsSync(busybox) ? [busybox, 'true'] : missing(busybox, 'busybox-static'),
    sh_100_spawns: existsSync(busybox)
      ? [busybox, 'sh', '-c', 'for i in $(seq 100); do /bin/busybox true; done']
      : missing(busybox, 'busybox-static'),
    python3_startup: python ? [python, '-c', 'pass'] : missing('python3 (a real binary, not a shim)', 'python3'),
    make_j2: !make
      ? missing('make', 'make')
      : !gcc
        ? missing('gcc', 'gcc libc6-dev')
        : dirError
          ? new Error(dirError)
          : [make, '-C', dir, '-B', '-s', '-j2'],
  };

  const results = new Map(); // env -> Map(bench -> median ns)
  const failed = new Set(); // "env/bench"
  const failures = [];
  const fail = (env, bench, e) => {
    failed.add(`${env}/${bench}`);
    failures.push(`${env} ${bench}: failed: ${e instanceof Error ? e.message : String(e)}`);
  };
  try {
    let buildError = null;
    try {
      if (!existsSync(busybox)) throw missing(busybox, 'busybox-static');
      build(procSrc, procBin);
    } catch (e) {
      buildError = e;
    }
    for (const env of envs) {
      const samples = new Map();
      const add = (k, v) => {
        if (!samples.has(k)) samples.set(k, []);
        samples.get(k).push(v);
      };
      if (buildError) for (const n of inProgram) fail(env.name, n, buildError);
      else {
        try {
          for (let i = 0; i < o.repeat; i++) {
            process.stderr.write(`bench: ${env.name} processes run ${i + 1}/${o.repeat}          \r`);
            const argv = [...env.prefix, procBin, '-n', String(o.forks), '-s', String(o.spawns), '-b', busybox];
            for (const [k, v] of runArgv(argv)) add(k, v);
          }
        } catch (e) {
          for (const n of inProgram) {
            samples.delete(n);
            fail(env.name, n, e);
          }
        }
      }
      for (const [name, argv] of Object.entries(programs)) {
        if (argv instanceof Error) {
          fail(env.name, name, argv);
          continue;
        }
        try {
          for (let i = 0; i < o.repeat; i++) {
            process.stderr.write(`bench: ${env.name} ${name} run ${i + 1}/${o.repeat}          \r`);
            add(name, timeArgv([...env.prefix, ...argv]));
          }
        } catch (e) {
          samples.delete(name);
          fail(env.name, name, e);
        }
      }
      results.set(env.name, new Map([...samples].map(([k, v]) => [k, median(v)])));
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(' '.repeat(60) + '\r');

  printTable(o, 'process benchmark (median)', envs.map((e) => e.name), results, new Set(), { millis, failed, names });
  console.log(
    `repeat ${o.repeat}; µs per round, timed inside bench/processes.c: fork_exit_wait ${o.forks} rounds of ` +
      `fork/_exit/waitpid; vfork_exec, posix_spawn_exec ${o.spawns} rounds of vfork+execve or posix_spawn ` +
      `of ${busybox} true and waitpid; ratios are time against native`,
  );
  console.log(
    'ms of wall clock from spawn to exit, sandbox start-up included: busybox_true: busybox true alone ' +
      "(the start-up cost); sh_100_spawns: busybox sh -c 'for i in $(seq 100); do /bin/busybox true; done'; " +
      `python3_startup: ${python ?? 'python3'} -c pass; make_j2: make -B -j2 of a two-file C project (gcc -O2) ` +
      `in a scratch directory outside /tmp`,
  );
  for (const f of failures) console.log(f);
}

/** The shell script running redis-server and redis-benchmark (--csv) together, on PORT. */
function redisScript(port, requests) {
  return `
D=$(mktemp -d) || exit 1
redis-server --port ${port} --bind 127.0.0.1 --dir "$D" --save '' --appendonly no --daemonize no --logfile "$D/log" & server=$!
i=0; until [ "$(redis-cli -p ${port} ping 2>/dev/null)" = PONG ]; do
  i=$((i+1)); [ $i -lt 600 ] || { echo "redis-server did not start" >&2; kill $server; exit 1; }; sleep 0.1
done
redis-benchmark -p ${port} -n ${requests} --csv -t set,get; status=$?
redis-cli -p ${port} shutdown nosave >/dev/null; wait $server
rm -rf "$D"
exit $status
`;
}

function runNet(o, envs) {
  const inProgram = ['pipe_tput', 'pipe_rtt', 'unix_tput', 'unix_rtt', 'tcp_tput', 'tcp_rtt'];
  const rate = new Set(['redis_set', 'redis_get']);
  const names = [...inProgram, ...rate];
  const missing = (what, pkg) => new Error(`${what} is not installed (apt-get install ${pkg})`);
  const redisMissing = !onPath('redis-server')
    ? missing('redis-server', 'redis-server')
    : !onPath('redis-benchmark') || !onPath('redis-cli')
      ? missing('redis-benchmark', 'redis-tools')
      : null;

  const results = new Map(); // env -> Map(bench -> median ns)
  const failed = new Set(); // "env/bench"
  const failures = [];
  const fail = (env, bench, e) => {
    failed.add(`${env}/${bench}`);
    failures.push(`${env} ${bench}: failed: ${e instanceof Error ? e.message : String(e)}`);
  };
  let buildError = null;
  try {
    build(netSrc, netBin);
  } catch (e) {
    buildError = e;
  }
  for (const env of envs) {
    const samples = new Map();
    const add = (k, v) => {
      if (!samples.has(k)) samples.set(k, []);
      samples.get(k).push(v);
    };
    if (buildError) for (const n of inProgram) fail(env.name, n, buildError);
    else {
      try {
        for (let i = 0; i < o.repeat; i++) {
          process.stderr.write(`bench: ${env.name} net run ${i + 1}/${o.repeat}          \r`);
          for (const [k, v] of runArgv([...env.prefix, netBin, '-m', String(o.netMiB), '-r', String(o.rounds)])) add(k, v);
        }
      } catch (e) {
        for (const n of inProgram) {
          samples.delete(n);
          fail(env.name, n, e);
        }
      }
    }
    if (redisMissing) for (const n of rate) fail(env.name, n, redisMissing);
    else {
      // The sandboxes have their own loopback; natively, a port unlikely to be taken.
      const port = env.name === 'native' ? 20000 + (process.pid % 20000) : 6379;
      try {
        for (let i = 0; i < o.repeat; i++) {
          process.stderr.write(`bench: ${env.name} redis run ${i + 1}/${o.repeat}          \r`);
          const r = spawnChecked([...env.prefix, '/bin/sh', '-c', redisScript(port, o.redisRequests)]);
          let found = 0;
          for (const line of r.stdout.split('\n')) {
            const m = /^"(SET|GET)","([\d.]+)"/.exec(line.trim());
            if (m && Number(m[2]) > 0) {
              add(`redis_${m[1].toLowerCase()}`, 1e9 / Number(m[2]));
              found++;
            }
          }
          if (found !== 2) throw new Error(`no SET/GET results in output: ${JSON.stringify(r.stdout.slice(0, 200))}`);
        }
      } catch (e) {
        for (const n of rate) {
          samples.delete(n);
          fail(env.name, n, e);
        }
      }
    }
    results.set(env.name, new Map([...samples].map(([k, v]) => [k, median(v)])));
  }
  process.stderr.write(' '.repeat(60) + '\r');

  printTable(
    o,
    'net benchmark (median)',
    envs.map((e) => e.name),
    results,
    new Set(['pipe_tput', 'unix_tput', 'tcp_tput']),
    { rate, failed, names },
  );
  console.log(
    `repeat ${o.repeat}; timed inside bench/net.c between a process and its forked child: *_tput ${o.netMiB} MiB ` +
      `in 64 KiB writes (MB/s); *_rtt µs per one-byte round trip (${o.rounds} rounds); pipe: pipe(2), ` +
      'unix: socketpair(AF_UNIX, SOCK_STREAM), tcp: 127.0.0.1 with TCP_NODELAY; ' +
      `redis_*: redis-benchmark -n ${o.redisRequests} -t set,get against redis-server in the same sandbox ` +
      '(requests per second); ratios are time against native (slowdowns)',
  );
  for (const f of failures) console.log(f);
}

function main() {
  const o = parseArgs(process.argv.slice(2));

  const envs = [
    { name: 'native', prefix: [], iterations: o.iterations },
    { name: 'tsvisor', prefix: [process.execPath, tsvisor, 'do', '--'], iterations: o.sandboxIterations },
  ];
  const runsc = onPath('runsc');
  if (runsc) {
    envs.push({
      name: 'runsc',
      prefix: [runsc, '--platform=ptrace', '--network=none', 'do'],
      iterations: o.sandboxIterations,
    });
  }
  const selected = o.only ? envs.filter((e) => o.only.includes(e.name)) : envs;
  if (o.only) {
    for (const n of o.only) {
      const dockerRuntime = o.suites.includes('docker') && DOCKER_RUNTIMES.includes(n);
      if (!envs.some((e) => e.name === n) && !dockerRuntime) usage(`unknown or unavailable environment ${n}`);
    }
  }

  if (o.suites.includes('syscalls')) runSyscalls(o, selected);
  if (o.suites.includes('files')) {
    if (o.suites.includes('syscalls')) console.log('');
    runFiles(o, selected, runsc);
  }
  if (o.suites.includes('processes')) {
    if (o.suites.includes('syscalls') || o.suites.includes('files')) console.log('');
    runProcesses(o, selected);
  }
  if (o.suites.includes('net')) {
    if (o.suites.some((x) => x !== 'net')) console.log('');
    runNet(o, selected);
  }
  if (o.suites.includes('docker')) {
    // bench/docker.mjs: docker run --rm IMAGE true with the tsvisor, runc and runsc runtimes.
    if (o.suites.some((x) => x !== 'docker')) console.log('');
    try {
      runDocker({ repeat: o.repeat, only: o.only ?? undefined, markdown: o.markdown });
    } catch (e) {
      console.log(`docker: failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (!runsc) console.log('runsc: not on PATH (Debian: apt-get install runsc)');
}

main();
