#!/usr/bin/env node
// Syscall micro-benchmarks: native vs `tsvisor do` vs `runsc --platform=ptrace do`.
//
//   node bench/run.mjs [--repeat N] [--iterations N] [--sandbox-iterations N]
//                      [--only native,tsvisor,runsc] [--markdown]
//
// Compiles bench/syscalls.c (gcc -O1 -static) into dist/bench/, runs it N
// times (default 5) in each environment, takes the median ns/op of each
// benchmark and prints a table in µs/op with the ratio to native. runsc is
// used when it is on PATH (Debian: apt-get install runsc; it needs root).
// An environment that fails is reported in the table, not fatal.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'bench', 'syscalls.c');
const bin = path.join(root, 'dist', 'bench', 'syscalls');
const tsvisor = path.join(root, 'bin', 'tsvisor.js');

function usage(msg) {
  if (msg) console.error(`bench: ${msg}`);
  console.error(
    'usage: node bench/run.mjs [--repeat N] [--iterations N] [--sandbox-iterations N] ' +
      '[--only native,tsvisor,runsc] [--markdown]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = { repeat: 5, iterations: 1_000_000, sandboxIterations: 50_000, only: null, markdown: false };
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

function build() {
  const fresh = existsSync(bin) && statSync(bin).mtimeMs >= statSync(src).mtimeMs;
  if (fresh) return;
  mkdirSync(path.dirname(bin), { recursive: true });
  execFileSync('gcc', ['-O1', '-static', '-o', bin, src], { stdio: 'inherit' });
}

/** Runs one environment once; returns Map(name -> ns/op) or throws. */
function runOnce(env, iterations) {
  const argv = [...env.prefix, bin, '-n', String(iterations)];
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

function main() {
  const o = parseArgs(process.argv.slice(2));
  build();

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

  const results = new Map(); // env -> Map(bench -> median ns) | Error
  for (const env of selected) {
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

  const names = [];
  for (const r of results.values()) if (r instanceof Map) for (const k of r.keys()) if (!names.includes(k)) names.push(k);
  const native = results.get('native');
  const cols = selected.map((e) => e.name);
  const header = ['benchmark (µs/op, median)', ...cols];
  const rows = names.map((n) => [
    n,
    ...cols.map((c) => {
      const r = results.get(c);
      if (!(r instanceof Map) || !r.has(n)) return 'n/a';
      const v = r.get(n);
      const base = native instanceof Map ? native.get(n) : undefined;
      return c === 'native' || base === undefined ? fmtUs(v) : `${fmtUs(v)} (${(v / base).toFixed(1)}×)`;
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
  console.log(
    `repeat ${o.repeat}; iterations: native ${o.iterations}, sandboxes ${o.sandboxIterations} ` +
      `(mmap_touch_munmap: a tenth); ratios are against native`,
  );
  for (const [name, r] of results) if (r instanceof Error) console.log(`${name}: failed: ${r.message}`);
  if (!runsc) console.log('runsc: not on PATH (Debian: apt-get install runsc)');
}

main();
