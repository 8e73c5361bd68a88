// Workload: the runtimes and tools that live on signals, futexes and timers
// (issue 5's workload tests), run natively and under `tsvisor do`:
//
//  - a static Go binary (built here with Debian's golang-go, CGO_ENABLED=0):
//    hundreds of goroutines, timers, channels, sync, os/signal, and
//    asynchronous preemption (SIGURG sent with tgkill to a thread spinning in a
//    loop without function calls);
//  - python3: signal.alarm, setitimer, threading.Timer, kill, pthread_kill,
//    sigwait, and a subprocess killed by SIGTERM;
//  - bash and coreutils: traps during `sleep 0.2`, `trap ... EXIT`, `timeout`
//    (124 and 137), stop and continue of a background job;
//  - the PI futex concurrency program (test/syscalls/futex_mt.c) 20 times in a
//    row under tsvisor: it must never flake.
//
// Each program's stdout and exit status are known exactly; the native run
// validates the expectation, the sandboxed one must match it. Programs run
// natively first, then under tsvisor (never concurrently: some cases measure
// time or keep two CPUs busy). Nothing is skipped: a missing tool fails its
// test naming the Debian package (.ci/run installs them).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { buildC } from '../helpers/cbuild.js';
import { repoRoot, syscallsSrcDir } from '../helpers/paths.js';
import { describeRun, run, runTsvisor, type RunResult } from '../helpers/run.js';

const execFileAsync = promisify(execFile);

/** Per program run. */
const RUN_TIMEOUT_MS = 60_000;
/** Per test: build + native run + tsvisor run. */
const TEST_TIMEOUT_MS = 5 * 60_000;

const SRC_DIR = path.join(repoRoot, 'test', 'workload', 'src');
/** Built programs (cached across runs, rebuilt when a source is newer). */
const CACHE_DIR = path.join(tmpdir(), `tsvisor-signal-workloads-${process.getuid?.() ?? 0}`);

const BASH = '/bin/bash';

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** True if FILE starts with the ELF magic. */
function isElf(file: string): boolean {
  let fd: number | undefined;
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

/** Fails (never skips) when a program is missing, naming its Debian package. */
function need(file: string, pkg: string): void {
  assert.ok(existsSync(file), `${file} is missing: apt-get install ${pkg} (.ci/run must install it)`);
}

/** The Go toolchain's `go`: on PATH, or where Debian's golang-go puts it. */
async function goTool(): Promise<string> {
  for (const go of ['go', '/usr/lib/go/bin/go']) {
    try {
      await execFileAsync(go, ['version'], { timeout: 60_000 });
      return go;
    } catch {
      // not this one
    }
  }
  assert.fail('the Go toolchain (go) is missing: apt-get install golang-go (.ci/run must install it)');
}

/**
 * Builds a Go source file into a static binary (CGO_ENABLED=0) in the cache,
 * unless the binary is newer than the source. Returns the binary.
 */
async function buildGo(src: string, name: string): Promise<string> {
  const out = path.join(CACHE_DIR, name);
  if (mtime(src) < 0) throw new Error(`no such source file: ${src}`);
  if (mtime(out) >= mtime(src)) return out;
  const go = await goTool();
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CGO_ENABLED: '0',
    GOOS: 'linux',
    GOARCH: 'amd64',
    GOCACHE: path.join(CACHE_DIR, 'gocache'),
    GOPATH: path.join(CACHE_DIR, 'gopath'),
    GOFLAGS: '',
    GO111MODULE: 'off',
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
  };
  try {
    await execFileAsync(go, ['build', '-o', tmp, src], { env, cwd: CACHE_DIR, timeout: 5 * 60_000 });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as { stderr?: string; message: string };
    throw new Error(`go build ${src} failed:\n${err.stderr ?? err.message}`);
  }
  return out;
}

/**
 * Debian's python3 as a real binary (/usr/bin/python3 resolved: python3.11
 * on bookworm), never a pyenv shim (a bash script) found first on PATH.
 */
function python3(): string {
  let real = '';
  try {
    real = realpathSync('/usr/bin/python3');
  } catch {
    // missing: reported below
  }
  assert.ok(real && isElf(real), '/usr/bin/python3 is missing or not an ELF binary: apt-get install python3');
  return real;
}

/** The run exited with STATUS and printed exactly EXPECTED. */
function expectRun(r: RunResult, where: string, expected: string, status: number): void {
  assert.equal(r.code, status, `${where}: ${describeRun(r)}\nstdout: ${JSON.stringify(r.stdout.slice(0, 3000))}`);
  assert.equal(r.stdout, expected, `${where}: stdout (${describeRun(r)})`);
}

/** Runs ARGV natively, then under tsvisor; both must print EXPECTED and exit with STATUS. */
async function both(argv: string[], expected: string, status = 0): Promise<void> {
  const n = await run(argv[0] as string, argv.slice(1), { timeoutMs: RUN_TIMEOUT_MS });
  expectRun(n, 'native', expected, status);
  const t = await runTsvisor(argv, { timeoutMs: RUN_TIMEOUT_MS });
  expectRun(t, 'tsvisor', expected, status);
}

const lines = (...l: string[]): string => l.map((s) => `${s}\n`).join('');

// --- Go --------------------------------------------------------------------------------------

const GO_EXPECTED = lines(
  'static go',
  'goroutines: 500 done, sum 125250, sum of squares 41791750',
  'pipeline: 200 stages, total 24950',
  'time.Sleep(30ms) slept at least 30ms: true',
  'NewTimer(20ms) fired after at least 20ms: true',
  'Stop of a pending timer: true',
  'Reset(10ms) of a stopped timer: false',
  'reset timer fired',
  'AfterFunc ran',
  'ticker: 5 ticks, at least 50ms: true',
  'select: timed out',
  'concurrent timers fired: 300',
  'parallel sleeps: 0 woke early, at least 200ms in all: true',
  'preemption: main ran 10 ticks and a third goroutine summed 500500 while 2 goroutines spun (both spun: true)',
  'os/signal: got user defined signal 1',
  'done',
);

// --- Python ----------------------------------------------------------------------------------

const PY_EXPECTED = lines(
  'alarm: caught Alarm(SIGALRM) after 1s: True',
  'alarm: remaining after it fired: 0',
  'setitimer: old value (0.0, 0.0)',
  'getitimer while armed: 0 < value <= 0.05: True, interval 0.05',
  'setitimer: 4 ticks, at least 0.2s: True',
  'getitimer after disarming: (0.0, 0.0)',
  'ticks after disarming and 0.15s: 4',
  'threading.Timer fired: True after at least 0.05s: True',
  'cancelled threading.Timer did not run',
  "os.kill(getpid(), SIGUSR1) ran the handler: ['SIGUSR1']",
  "pthread_kill(main thread, SIGUSR2) ran the handler: ['SIGUSR2']",
  "sigwait in a thread returned: ['SIGUSR1'] alive: False",
  "pending while blocked: ['SIGUSR1']",
  'sigwait in the main thread: SIGUSR1',
  'pending after sigwait: [] handler ran: []',
  'sigtimedwait(0.05) with nothing pending: None',
  'child says: child up',
  'child returncode after terminate(): -15',
  'self-SIGKILLed child returncode: -9',
  'done',
);

// --- bash ------------------------------------------------------------------------------------

/** Shell helpers using builtins only (no fork per poll: forks are slow in the sandbox). */
const SH_HELPERS = `
# Until process $1 runs program $2 (it has exec'd: a signal now reaches that program, not a forked bash).
execd() { local c=; until [ "$c" = "$2" ]; do read -r c < /proc/$1/comm; done; }
# $st: the state letter of process $1 (from /proc/$1/stat).
state() { local s=; read -r s < /proc/$1/stat; s=\${s##*) }; st=\${s%% *}; }
# $now: milliseconds since the epoch.
now_ms() { local t=$EPOCHREALTIME; now=$(( \${t%.*} * 1000 + 10#\${t#*.} / 1000 )); }
`;

const BASH_SCRIPT = `${SH_HELPERS}
trap 'echo bye' EXIT
# A trapped signal that arrives while a foreground job runs: the trap runs when the job is done.
trap 'echo got USR1' USR1
kill -USR1 $$ &
sleep 0.2
echo "after sleep 0.2: $?"
wait
echo "after wait"
trap - USR1
now_ms; t0=$now
timeout 1 sleep 5; echo "timeout 1 sleep 5: $?"
now_ms; t=$(( now - t0 )); echo "took 1s to 4s: $(( t >= 950 && t < 4000 ))"
now_ms; t0=$now
timeout -s KILL 0.2 sleep 5; echo "timeout -s KILL 0.2 sleep 5: $?"
now_ms; t=$(( now - t0 )); echo "took 0.2s to 3s: $(( t >= 180 && t < 3000 ))"
timeout 5 sleep 0.1; echo "timeout 5 sleep 0.1: $?"
timeout 5 sh -c 'exit 3'; echo "timeout 5 sh -c 'exit 3': $?"
# A stopped job does not finish its sleep; SIGCONT lets it, and wait reaps it.
sleep 0.5 & pid=$!
execd $pid sleep
kill -STOP $pid
sleep 0.7
kill -0 $pid && echo "stopped job still there after 0.7s"
kill -CONT $pid
wait $pid; echo "wait after CONT: $?"
exit 7
`;

const BASH_EXPECTED = lines(
  'got USR1',
  'after sleep 0.2: 0',
  'after wait',
  'timeout 1 sleep 5: 124',
  'took 1s to 4s: 1',
  'timeout -s KILL 0.2 sleep 5: 137',
  'took 0.2s to 3s: 1',
  'timeout 5 sleep 0.1: 0',
  "timeout 5 sh -c 'exit 3': 3",
  'stopped job still there after 0.7s',
  'wait after CONT: 0',
  'bye',
);

/**
 * A stopped process: state T in /proc, and a SIGTERM sent to it stays pending
 * (Linux's wants_signal() skips stopped tasks, so the fatal signal does not
 * kill at once) until SIGCONT, when it takes effect.
 */
const BASH_STOPPED_SCRIPT = `${SH_HELPERS}
sleep 5 & pid=$!
execd $pid sleep
kill -STOP $pid
# Until it has stopped (at most 3 s).
now_ms; t0=$now
while state $pid; now_ms; [ "$st" != T ] && [ $(( now - t0 )) -lt 3000 ]; do :; done
echo "stopped: $st, $(grep State: /proc/$pid/status)"
kill -TERM $pid
sleep 0.2
echo "TERM sent while stopped: $(kill -0 $pid && echo still there), $(grep ShdPnd: /proc/$pid/status)"
kill -CONT $pid
wait $pid; echo "after CONT: $?"
`;

const BASH_STOPPED_EXPECTED = lines(
  'stopped: T, State:\tT (stopped)',
  'TERM sent while stopped: still there, ShdPnd:\t0000000000004000',
  'after CONT: 143',
);

// --- futex_mt --------------------------------------------------------------------------------

const FUTEX_RUNS = 20;

/** The case names futex_mt runs, in order, from its RUN(...) lines. */
function futexCases(src: string): string[] {
  const cases = [...readFileSync(src, 'utf8').matchAll(/^\s*RUN\((\w+)\);/gm)].map((m) => m[1] as string);
  assert.ok(cases.includes('pi_contention'), `${src} has no pi_contention case`);
  return cases;
}

describe('signal workloads (issue 5)', () => {
  test('go: static binary with 500 goroutines, timers, channels, sync, os/signal and SIGURG preemption', { timeout: TEST_TIMEOUT_MS }, async () => {
    const bin = await buildGo(path.join(SRC_DIR, 'goroutines.go'), 'goroutines');
    assert.ok(isElf(bin), `${bin} is not an ELF binary`);
    await both([bin], GO_EXPECTED);
  });

  test('python3: alarm, setitimer, threading.Timer, kill, pthread_kill, sigwait, subprocess killed by SIGTERM', { timeout: TEST_TIMEOUT_MS }, async () => {
    const py = python3();
    // The script's text, not its path: a checkout under the host's /tmp is hidden by the sandbox's own /tmp.
    await both([py, '-c', readFileSync(path.join(SRC_DIR, 'signals.py'), 'utf8')], PY_EXPECTED);
  });

  test('bash: trap during sleep 0.2, trap EXIT, timeout 124 and 137, kill -STOP/-CONT of a job', { timeout: TEST_TIMEOUT_MS }, async () => {
    need(BASH, 'bash');
    need('/usr/bin/timeout', 'coreutils');
    need('/usr/bin/sleep', 'coreutils');
    await both([BASH, '-c', BASH_SCRIPT], BASH_EXPECTED, 7);
  });

  test('bash: a stopped job is T in /proc and keeps a SIGTERM pending until SIGCONT', { timeout: TEST_TIMEOUT_MS }, async () => {
    need(BASH, 'bash');
    need('/usr/bin/sleep', 'coreutils');
    need('/usr/bin/grep', 'grep');
    await both([BASH, '-c', BASH_STOPPED_SCRIPT], BASH_STOPPED_EXPECTED);
  });

  test(`futex_mt (PI contention with a user-space fast path, robust lists, ...) ${FUTEX_RUNS} times in a row under tsvisor`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const src = path.join(syscallsSrcDir, 'futex_mt.c');
    const bin = await buildC(src, path.join(CACHE_DIR, 'futex_mt'), {
      deps: [path.join(syscallsSrcDir, 'check.h')],
      flags: ['-O1', '-static', '-pthread'],
    });
    const cases = futexCases(src);
    const expected = lines(...cases.map((c) => `ok ${c}`), `# ${cases.length} passed, 0 failed`);
    const n = await run(bin, [], { timeoutMs: RUN_TIMEOUT_MS });
    expectRun(n, 'native', expected, 0);
    for (let i = 1; i <= FUTEX_RUNS; i++) {
      const t = await runTsvisor([bin], { timeoutMs: RUN_TIMEOUT_MS });
      expectRun(t, `tsvisor run ${i} of ${FUTEX_RUNS}`, expected, 0);
    }
  });
});
