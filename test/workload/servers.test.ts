// Workload: event-driven servers and their clients in ONE sandbox (issue 6),
// each run by a shell script: the server in the background, its client, then
// the server is told to stop (or killed) and waited for, so the sandbox exits.
//
//  - Node's http server and client (test/workload/src/servers/http_*.mjs):
//    GETs over one keep-alive connection, a POST of 1 MiB checked by sha256,
//    a 404, the server's own request and connection counts; and the issue's
//    headline one-liner (a server and a GET in one node process);
//  - python3 asyncio echo server and 100 concurrent clients, over TCP and
//    over a unix socket (test/workload/src/servers/echo_asyncio.py);
//  - nginx (master process on and off) serving a 1 MiB file to curl: its
//    sha256, status codes 200 and 404;
//  - redis-server with redis-cli SET/GET/INCR and redis-benchmark -n 20000.
//
// Each script runs natively first (on free host ports, in a fresh host temp
// directory: that validates the expected output) and then under `tsvisor do`
// (fixed ports on the sandbox's own loopback, files in the sandbox's /tmp).
// Nothing is skipped: a missing program fails its test naming the Debian
// package (CI must install nginx, redis-server, redis-tools, curl, python3).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { describeRun, run, runTsvisor, type RunResult } from '../helpers/run.js';

/** Per run: servers start slowly under ptrace on a busy 2-CPU machine. */
const RUN_TIMEOUT_MS = 180_000;
/** Per test: the native run and the sandboxed one. */
const TEST_TIMEOUT_MS = 2 * RUN_TIMEOUT_MS + 30_000;

const SRC = path.join(repoRoot, 'test', 'workload', 'src', 'servers');
/** Where SRC is bound inside the sandbox. */
const GUEST_SRC = '/srv/tsvisor-servers';
const SH = '/bin/sh';
const NODE = process.execPath;
const NGINX = '/usr/sbin/nginx';
const CURL = '/usr/bin/curl';
const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
const REDIS_BENCHMARK = '/usr/bin/redis-benchmark';

// The scripts find node through PATH: the one running the tests comes first.
process.env.PATH = `${path.dirname(NODE)}:${process.env.PATH ?? ''}`;

/** Fails (never skips) when a program is missing, naming its Debian package. */
function need(file: string, pkg: string): void {
  assert.ok(existsSync(file), `${file} is missing: apt-get install ${pkg} (CI must install it)`);
}

/** A TCP port free on the host now (for the native runs; the sandbox has its own loopback). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

let hostTmp = '';
let serial = 0;

/** Per environment: the variables a script gets (ports, its scratch directory D). */
interface Env {
  [name: string]: string;
}

/**
 * Runs SCRIPT with /bin/sh natively (VARS with host ports, D a fresh host
 * directory) and then under tsvisor (SANDBOX_VARS, D under the sandbox's
 * /tmp); both must exit 0 and print EXPECTED exactly.
 */
async function nativeThenSandbox(
  script: string,
  hostVars: Env,
  sandboxVars: Env,
  expected: string,
): Promise<{ n: RunResult; t: RunResult }> {
  const nVars = { ...hostVars, D: path.join(hostTmp, `d${serial++}`) };
  const n = await run(SH, ['-c', script], { timeoutMs: RUN_TIMEOUT_MS, env: { ...process.env, ...nVars } });
  assert.equal(n.code, 0, `native: ${describeRun(n)}\nstdout: ${n.stdout}`);
  assert.equal(n.stdout, expected, 'native stdout (the expectation is wrong)');
  const tVars = { ...sandboxVars, D: `/tmp/d${serial++}` };
  // The scripts are bound into the sandbox: a checkout under the host's /tmp is not visible inside.
  const flags = ['--volume', `${SRC}:${GUEST_SRC}:ro`];
  const t = await runTsvisor([SH, '-c', script], { timeoutMs: RUN_TIMEOUT_MS, env: { ...process.env, ...tVars }, flags });
  assert.equal(t.code, 0, `tsvisor: ${describeRun(t)}\nstdout: ${t.stdout}`);
  assert.equal(t.stdout, expected, `tsvisor stdout (${describeRun(t)})`);
  return { n, t };
}

// Both servers stop themselves: the client's last request tells them to.
const HTTP_SCRIPT = `
set -u
mkdir -p "$D" && cd "$D"
node "$SRC/http_server.mjs" "$PORT" & server=$!
node "$SRC/http_client.mjs" "$PORT"; echo "client exit $?"
wait $server; echo "server exit $?"
`;

const HTTP_EXPECTED = [
  ...[1, 2, 3, 4, 5].map((i) => `200 hello ${i}`),
  'post 1MiB ok',
  '404 not found',
  // The client's probe for the server (no agent), then the others over one keep-alive connection.
  '200 requests 9 connections 2',
  '200 bye',
  'client exit 0',
  'server exit 0',
].join('\n') + '\n';

// The headline command: it keeps serving after the GET, as natively; the script kills it.
const HEADLINE_SCRIPT = `
set -u
mkdir -p "$D"
node -e 'require("http").createServer((q,s)=>s.end("ok")).listen('"$PORT"',()=>require("http").get("http://127.0.0.1:'"$PORT"'",r=>r.pipe(process.stdout)))' > "$D/out" & p=$!
i=0; while [ ! -s "$D/out" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
kill $p; wait $p; echo " killed $?"
cat "$D/out"; echo
`;

const ECHO_SCRIPT = `
set -u
mkdir -p "$D" && cd "$D"
python3 "$SRC/echo_asyncio.py" server tcp "$PORT" & server=$!
python3 "$SRC/echo_asyncio.py" client tcp "$PORT" 100; echo "tcp client exit $?"
wait $server; echo "tcp server exit $?"
python3 "$SRC/echo_asyncio.py" server unix "$D/echo.sock" & server=$!
python3 "$SRC/echo_asyncio.py" client unix "$D/echo.sock" 100; echo "unix client exit $?"
wait $server; echo "unix server exit $?"
`;

const ECHO_EXPECTED =
  ['echo ok 100 of 100', 'tcp client exit 0', 'tcp server exit 0'].join('\n') +
  '\n' +
  ['echo ok 100 of 100', 'unix client exit 0', 'unix server exit 0'].join('\n') +
  '\n';

// nginx in the foreground (daemon off), everything it writes under $D.
const NGINX_SCRIPT = `
set -u
mkdir -p "$D/html" "$D/body"
cat > "$D/nginx.conf" <<CONF
daemon off;
master_process $MASTER;
worker_processes 1;
pid $D/nginx.pid;
error_log $D/error.log info;
events { worker_connections 64; }
http {
  access_log $D/access.log;
  client_body_temp_path $D/body;
  proxy_temp_path $D/body;
  fastcgi_temp_path $D/body;
  uwsgi_temp_path $D/body;
  scgi_temp_path $D/body;
  server {
    listen 127.0.0.1:$PORT;
    root $D/html;
  }
}
CONF
head -c 1048576 /dev/urandom > "$D/html/big.bin"
echo "hello from nginx" > "$D/html/index.html"
/usr/sbin/nginx -c "$D/nginx.conf" -e "$D/error.log" & server=$!
i=0; until curl -s -o /dev/null "http://127.0.0.1:$PORT/" || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done
want=$(sha256sum < "$D/html/big.bin")
got=$(curl -s "http://127.0.0.1:$PORT/big.bin" | sha256sum)
[ "$want" = "$got" ] && echo "big.bin sha256 ok" || echo "big.bin sha256 MISMATCH"
curl -s -o /dev/null -w 'big.bin %{http_code} %{size_download}\\n' "http://127.0.0.1:$PORT/big.bin"
curl -s -o /dev/null -w 'missing %{http_code}\\n' "http://127.0.0.1:$PORT/missing"
curl -s "http://127.0.0.1:$PORT/"
curl -s "http://127.0.0.1:$PORT/" "http://127.0.0.1:$PORT/index.html"
kill $server; wait $server; echo "nginx exit $?"
grep -c ' 200 ' "$D/access.log"
`;

const NGINX_EXPECTED = [
  'big.bin sha256 ok',
  'big.bin 200 1048576',
  'missing 404',
  'hello from nginx',
  'hello from nginx',
  'hello from nginx',
  'nginx exit 0',
  // 200s: the probe (/), big.bin twice, / twice and /index.html.
  '6',
].join('\n') + '\n';

const REDIS_SCRIPT = `
set -u
mkdir -p "$D"
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$D" --save '' --appendonly no --daemonize no --logfile "$D/redis.log" & server=$!
i=0; until [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ] || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done
redis-cli -p "$PORT" set greeting hello
redis-cli -p "$PORT" get greeting
redis-cli -p "$PORT" incr counter
redis-cli -p "$PORT" incr counter
redis-cli -p "$PORT" exists missing
redis-benchmark -p "$PORT" -n 20000 -q -t set,get | tr '\\r' '\\n' | grep 'requests per second' |
  sed -E 's/^ *([A-Z]+): [0-9.]+ requests per second.*/\\1 benchmark done/'
redis-cli -p "$PORT" get key:__rand_int__ | wc -c
redis-cli -p "$PORT" dbsize
redis-cli -p "$PORT" shutdown nosave
wait $server; echo "redis exit $?"
`;

const REDIS_EXPECTED = [
  'OK',
  'hello',
  '1',
  '2',
  '0',
  'SET benchmark done',
  'GET benchmark done',
  // redis-benchmark's value: 3 bytes ("xxx") and a newline.
  '4',
  // greeting, counter and redis-benchmark's key.
  '3',
  'redis exit 0',
].join('\n') + '\n';

describe('servers and clients in one sandbox', { concurrency: 1 }, () => {
  before(() => {
    hostTmp = mkdtempSync(path.join(tmpdir(), 'tsvisor-servers-'));
    // nginx's worker runs as nobody natively (as root): it must reach the files.
    chmodSync(hostTmp, 0o755);
  });
  after(() => {
    if (hostTmp) rmSync(hostTmp, { recursive: true, force: true });
  });

  test('node http server and client: keep-alive, a 1 MiB POST, 404', { timeout: TEST_TIMEOUT_MS }, async () => {
    await nativeThenSandbox(HTTP_SCRIPT, { SRC, PORT: String(await freePort()) }, { SRC: GUEST_SRC, PORT: '8080' }, HTTP_EXPECTED);
  });

  test("the issue's headline: node -e an http server and a GET, killed afterwards", { timeout: TEST_TIMEOUT_MS }, async () => {
    // Killed by SIGTERM: wait reports 143.
    await nativeThenSandbox(HEADLINE_SCRIPT, { PORT: String(await freePort()) }, { PORT: '8080' }, ' killed 143\nok\n');
  });

  test('python3 asyncio echo server, 100 concurrent clients, over TCP and a unix socket', { timeout: TEST_TIMEOUT_MS }, async () => {
    await nativeThenSandbox(ECHO_SCRIPT, { SRC, PORT: String(await freePort()) }, { SRC: GUEST_SRC, PORT: '7000' }, ECHO_EXPECTED);
  });

  for (const master of ['on', 'off']) {
    test(`nginx (master_process ${master}) serving curl: a 1 MiB file's sha256, 200 and 404`, { timeout: TEST_TIMEOUT_MS }, async () => {
      need(NGINX, 'nginx');
      need(CURL, 'curl');
      await nativeThenSandbox(
        NGINX_SCRIPT,
        { MASTER: master, PORT: String(await freePort()) },
        { MASTER: master, PORT: '8080' },
        NGINX_EXPECTED,
      );
    });
  }

  test('redis-server with redis-cli and redis-benchmark -n 20000', { timeout: TEST_TIMEOUT_MS }, async () => {
    need(REDIS_SERVER, 'redis-server');
    need(REDIS_CLI, 'redis-tools');
    need(REDIS_BENCHMARK, 'redis-tools');
    await nativeThenSandbox(REDIS_SCRIPT, { PORT: String(await freePort()) }, { PORT: '6379' }, REDIS_EXPECTED);
  });
});
