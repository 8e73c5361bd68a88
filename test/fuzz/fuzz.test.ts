// The hostile-guest fuzzer (DESIGN.md, Testing): "A hostile-guest fuzzer makes
// random syscalls with random arguments: the sandbox must neither crash nor
// hang, and the host must be unchanged."
//
// test/fuzz/fuzz.c makes N random raw system calls with hostile arguments from
// a seed, checks that it is still sane, and prints "fuzz ok seed=S n=N". It
// runs natively first (it must pass there: that validates the program, since
// it only makes calls Linux lets it survive), then under `tsvisor do` for a
// fixed list of seeds and one random seed (printed in the test name so that a
// failure can be replayed). Under tsvisor each run must exit 0 before its
// timeout (a hang fails), print exactly the ok line on stdout (anything else
// there was written by a call that should have failed), and leave no "kernel
// bug" line in its debug log (a handler threw).
//
// Every run traces its calls on stderr (fuzz -v: each call is printed before
// it is made), so a failure message ends with the calls leading up to it. To
// replay one: node bin/tsvisor.js do -- test/syscalls/bin/fuzz SEED N -v
import assert from 'node:assert/strict';
import { randomInt, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildC } from '../helpers/cbuild.js';
import { repoRoot, syscallsBinDir } from '../helpers/paths.js';
import { describeRun, run, runTsvisor, type RunResult } from '../helpers/run.js';

/**
 * Seeds every run tries. Seed 6 reaches arch_prctl(ARCH_SET_GS, 0x7ffffffffffe)
 * at call 3529: Linux says EPERM (the base must be below TASK_SIZE_MAX,
 * 2^47 - 4096); tsvisor accepts it and the sandbox hangs (reported to the lead).
 */
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
/** Calls per seed (about 1-2 s each under tsvisor on a 2-core machine). */
const CALLS = 4000;
/** A run that takes longer than this has hung (a normal one takes a few seconds). */
const RUN_TIMEOUT_MS = 20_000;
/** How many sandboxes run at once. */
const PARALLEL = 2;
/** For the whole before hook: compile, native runs, then every seed under tsvisor. */
const HOOK_TIMEOUT_MS = 5 * 60_000;

/** The random seed of this run; TSVISOR_FUZZ_SEED=N replays one. */
const RANDOM_SEED = process.env.TSVISOR_FUZZ_SEED ? Number(process.env.TSVISOR_FUZZ_SEED) : randomInt(1, 2 ** 31);

const src = path.join(repoRoot, 'test', 'fuzz', 'fuzz.c');
// The git-ignored cache of the conformance programs (the name does not clash).
const bin = path.join(syscallsBinDir, 'fuzz');

function okLine(seed: number): string {
  return `fuzz ok seed=${seed} n=${CALLS}\n`;
}

/** Runs fn over items, at most `limit` at a time; results in order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Names, types, sizes, modes, times and content hashes of everything under
 * dir: what "the host is unchanged" compares.
 */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const r = path.join(rel, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out.push(`${r}/ ${st.mode.toString(8)} ${st.mtimeMs}`);
        walk(p, r);
      } else {
        const hash = st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : '-';
        out.push(`${r} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${hash}`);
      }
    }
  };
  walk(dir, '');
  return out;
}

interface SeedRun {
  seed: number;
  native: RunResult;
  sandboxed: RunResult;
  log: string;
}

describe('hostile-guest fuzzer', () => {
  let tmp = '';
  let work = '';
  let logs = '';
  let hostBefore: string[] = [];
  let runs = new Map<number, SeedRun>();

  before(
    async () => {
      tmp = mkdtempSync(path.join(tmpdir(), 'tsvisor-fuzz-'));
      work = path.join(tmp, 'work');
      logs = path.join(tmp, 'logs');
      mkdirSync(work);
      mkdirSync(logs);
      // The guest's working directory: a marker file in it must be left alone.
      // The fuzzer makes no call that creates or changes files (and the root is
      // an in-memory overlay by default), so this is a cheap sanity check for
      // now; it becomes a real one when file-system calls join the fuzzer.
      writeFileSync(path.join(work, 'marker'), `tsvisor fuzz marker ${process.pid} ${Date.now()}\n`);
      hostBefore = snapshot(work);

      await buildC(src, bin);
      const seeds = [...SEEDS, RANDOM_SEED];
      const natives = await pool(seeds, 4, (seed) => run(bin, [String(seed), String(CALLS)], { timeoutMs: RUN_TIMEOUT_MS, cwd: work }));
      const sandboxed = await pool(seeds, PARALLEL, (seed) => {
        return runTsvisor([bin, String(seed), String(CALLS), '-v'], {
          timeoutMs: RUN_TIMEOUT_MS,
          cwd: work,
          flags: ['--debug-log', path.join(logs, `${seed}.log`)],
        });
      });
      runs = new Map(
        seeds.map((seed, i) => {
          let text = '';
          try {
            text = readFileSync(path.join(logs, `${seed}.log`), 'utf8');
          } catch {
            text = '';
          }
          return [seed, { seed, native: natives[i] as RunResult, sandboxed: sandboxed[i] as RunResult, log: text }];
        }),
      );
    },
    { timeout: HOOK_TIMEOUT_MS },
  );

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test(`natively: every seed passes (validates the fuzzer), ${SEEDS.length + 1} seeds × ${CALLS} calls`, () => {
    for (const r of runs.values()) {
      const n = r.native;
      assert.equal(n.timedOut, false, `seed ${r.seed} hung natively: ${describeRun(n)}`);
      assert.equal(n.code, 0, `seed ${r.seed} fails natively (the fuzzer is wrong): ${describeRun(n)}\n${n.stdout}`);
      assert.equal(n.stdout, okLine(r.seed), `seed ${r.seed} natively`);
    }
  });

  function checkSandboxed(seed: number): void {
    const r = runs.get(seed);
    assert.ok(r, `seed ${seed} did not run`);
    const s = r.sandboxed;
    const replay = `replay: node bin/tsvisor.js do -- ${path.relative(repoRoot, bin)} ${seed} ${CALLS} -v`;
    assert.equal(s.timedOut, false, `seed ${seed}: tsvisor hung (the last calls are at the end)\n${describeRun(s, 12)}\n${replay}`);
    const bugs = r.log.split('\n').filter((l) => l.includes('kernel bug'));
    const bugText = bugs.length > 0 ? `\nkernel bug lines in the debug log:\n${bugs.slice(0, 3).join('\n')}` : '';
    assert.equal(s.code, 0, `seed ${seed}: ${describeRun(s, 12)}\nstdout: ${s.stdout}${bugText}\n${replay}`);
    assert.equal(s.stdout, okLine(seed), `seed ${seed}: unexpected stdout (a call wrote where it must not)\n${replay}`);
    assert.equal(bugs.length, 0, `seed ${seed}: a syscall handler threw${bugText}\n${replay}`);
  }

  for (const seed of SEEDS) {
    test(`under tsvisor: seed ${seed} × ${CALLS} calls`, () => checkSandboxed(seed));
  }

  test(`under tsvisor: random seed ${RANDOM_SEED} × ${CALLS} calls (replay with TSVISOR_FUZZ_SEED=${RANDOM_SEED})`, (t) => {
    t.diagnostic(`random fuzz seed: ${RANDOM_SEED}`);
    checkSandboxed(RANDOM_SEED);
  });

  test('the host is unchanged (the guest working directory and its marker file)', () => {
    assert.deepEqual(snapshot(work), hostBefore);
  });
});
