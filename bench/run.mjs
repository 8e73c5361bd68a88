#!/usr/bin/env node
// Syscall micro-benchmarks: native vs `tsvisor do` vs `runsc --platform=ptrace do`.
//
//   node bench/run.mjs [--repeat N] [--iterations N] [--sandbox-iterations N]
//                      [--only native,tsvisor,runsc] [--markdown]
//                      [--suite syscalls,files] [--files N] [--file-mib N]
//                      [--small-reads N]
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
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'bench', 'syscalls.c');
const bin = path.join(root, 'dist', 'bench', 'syscalls');
const filesSrc = path.join(root, 'bench', 'files.c');
const filesBin = path.join(root, 'dist', 'bench', 'files');
const tsvisor = path.join(root, 'bin', 'tsvisor.js');

function usage(msg) {
  if (msg) console.error(`bench: ${msg}`);
  console.error(
    'usage: node bench/run.mjs [--repeat N] [--iterations N] [--sandbox-iterations N] ' +
      '[--only native,tsvisor,runsc] [--markdown] [--suite syscalls,files] [--files N] ' +
      '[--file-mib N] [--small-reads N]',
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
      if (o.suites.length === 0 || o.suites.some((x) => x !== 'syscalls' && x !== 'files'))
        usage('--suite takes syscalls, files or syscalls,files');
    } else if (a === '--files') o.files = num();
    else if (a === '--file-mib') o.fileMiB = num();
    else if (a === '--small-reads') o.smallReads = num();
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

/** Runs ARGV once; returns Map(name -> ns/op) parsed from its stdout or throws. */
function runArgv(argv) {
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
    const errLine = lines.find((l) => /\berror\b/i.test(l));
    const err = errLine ?? lines.slice(-3).join(' | ');
    throw new Error(`${why}${err ? `: ${err}` : ''}`);
  }
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

function fmtMBps(ns) {
  return ((1 << 20) * 1e3 / ns).toFixed(0);
}

/**
 * Prints a table: one row per benchmark name, one column per environment.
 * RESULTS maps env -> Map(bench -> median ns) | Error. A benchmark whose name
 * is in THROUGHPUT (ns per 1 MiB) is shown in MB/s; ratios are always
 * time/native time, i.e. slowdowns.
 */
function printTable(o, title, cols, results, throughput = new Set()) {
  const names = [];
  for (const r of results.values()) if (r instanceof Map) for (const k of r.keys()) if (!names.includes(k)) names.push(k);
  const native = results.get('native');
  const header = [title, ...cols];
  const rows = names.map((n) => [
    throughput.has(n) ? `${n} (MB/s)` : n,
    ...cols.map((c) => {
      const r = results.get(c);
      if (!(r instanceof Map) || !r.has(n)) return 'n/a';
      const v = r.get(n);
      const base = native instanceof Map ? native.get(n) : undefined;
      const shown = throughput.has(n) ? fmtMBps(v) : fmtUs(v);
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
    for (const n of o.only) if (!envs.some((e) => e.name === n)) usage(`unknown or unavailable environment ${n}`);
  }

  if (o.suites.includes('syscalls')) runSyscalls(o, selected);
  if (o.suites.includes('files')) {
    if (o.suites.includes('syscalls')) console.log('');
    runFiles(o, selected, runsc);
  }
  if (!runsc) console.log('runsc: not on PATH (Debian: apt-get install runsc)');
}

main();
