// OCI terminals end to end (process.terminal: true): a console-socket
// receiver written in python3 (socket.recv_fds), as containerd's shim is,
// drives `create --console-socket`, `exec --process P --console-socket
// --detach` (Docker's exec -t) and `exec -t --console-socket`: the
// received descriptor must be a terminal, what is typed at it runs in the
// container's shell and the output comes back, consoleSize is applied,
// TIOCSWINSZ on it changes what `stty size` prints inside, ^C interrupts a
// foreground job, and the exit statuses are the processes'. The same
// driver runs against runc first when it is installed (and we are root),
// which validates it. The foreground case without a console socket (`run`
// in a terminal: the CLI copies the container's terminal to its own) is
// driven through a host pty.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { defaultSpec } from '../../src/oci/spec.js';
import { busybox, tsvisorBin } from '../helpers/paths.js';
import { describeRun, run } from '../helpers/run.js';

const APPLETS = ['sh', 'echo', 'sleep', 'stty', 'tty', 'cat', 'true'];

let tmp = '';

const DRIVER = String.raw`
import fcntl, json, os, select, socket, struct, subprocess, sys, termios, time
cfg = json.loads(sys.argv[1])
T = cfg['cmd'] + ['--root', cfg['root']]
tmp = cfg['tmp']
cid = cfg['id']
def listener(name):
    p = os.path.join(tmp, name + '.sock')
    if os.path.exists(p):
        os.unlink(p)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(p)
    s.listen(1)
    s.settimeout(60)
    return s, p
def receive(s):
    c, _ = s.accept()
    msg, fds, _, _ = socket.recv_fds(c, 4096, 4)
    c.close()
    return msg, fds
bufs = {}
def expect(m, pat, timeout=30):
    buf = bufs.get(m, b'')
    end = time.time() + timeout
    while pat not in buf:
        left = end - time.time()
        if left <= 0:
            print('TIMEOUT waiting for %r; screen %r' % (pat, buf[-400:])); sys.exit(2)
        r, _, _ = select.select([m], [], [], left)
        if r:
            try:
                d = os.read(m, 4096)
            except OSError:
                d = b''
            if not d:
                print('CLOSED waiting for %r; screen %r' % (pat, buf[-400:])); sys.exit(3)
            buf += d
    i = buf.index(pat) + len(pat)
    bufs[m] = buf[i:]
    return buf[:i]
def until_closed(m, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([m], [], [], end - time.time())
        if r:
            try:
                d = os.read(m, 4096)
            except OSError:
                return True
            if not d:
                return True
    return False
def field(m, expr, tag):
    # The shell computes the end marker, so the echo of the typed line never matches it.
    os.write(m, b'echo "' + tag + b'=' + expr + b'=$((40+2))E"\n')
    screen = expect(m, b'=42E')
    return screen[screen.rindex(tag + b'=') + len(tag) + 1:-4].decode()

# create with a console socket: one message, the master in SCM_RIGHTS
s, p = listener('init')
create = subprocess.Popen(T + ['create', '--bundle', cfg['bundle'], '--console-socket', p, cid], stdin=subprocess.DEVNULL)
msg, fds = receive(s)
print('payload:', msg.decode(), 'fds:', len(fds))
m = fds[0]
print('isatty:', os.isatty(m))
print('create:', create.wait(timeout=120))
print('start:', subprocess.call(T + ['start', cid], timeout=60))
expect(m, b'PROMPT# ')
os.write(m, b'echo hi\n')
expect(m, b'\r\nhi\r\n')
print('echo: ok')
print('size:', field(m, b'$(stty size)', b'S'))
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 132, 0, 0))
time.sleep(1)
print('resized:', field(m, b'$(stty size)', b'S'))
print('tty:', field(m, b'$(tty)', b'T'))
os.write(m, b'sleep 100\n')
expect(m, b'sleep 100')
time.sleep(1.5)
t0 = time.time()
os.write(m, b'\x03')
expect(m, b'PROMPT# ')
print('interrupted:', time.time() - t0 < 10, field(m, b'$?', b'R'))

# exec --process (terminal: true, consoleSize) --console-socket --detach: Docker's exec -it
proc = {'terminal': True, 'consoleSize': {'height': 11, 'width': 77}, 'user': {'uid': 0, 'gid': 0},
        'args': ['/bin/sh'], 'env': ['PATH=/bin', 'PS1=EXEC$ '], 'cwd': '/'}
pf = os.path.join(tmp, 'proc.json')
open(pf, 'w').write(json.dumps(proc))
s2, p2 = listener('exec')
ex = subprocess.Popen(T + ['exec', '--process', pf, '--console-socket', p2, '--detach', '--pid-file', os.path.join(tmp, 'exec.pid'), cid])
_, fds2 = receive(s2)
m2 = fds2[0]
print('exec detach:', ex.wait(timeout=120), os.isatty(m2))
expect(m2, b'EXEC$ ')
print('exec size:', field(m2, b'$(stty size)', b'S'), 'tty:', field(m2, b'$(tty)', b'T'))
fcntl.ioctl(m2, termios.TIOCSWINSZ, struct.pack('HHHH', 50, 60, 0, 0))
time.sleep(1)
print('exec resized:', field(m2, b'$(stty size)', b'S'))
os.write(m2, b'exit 5\n')
print('exec hung up:', until_closed(m2))

# exec -t --console-socket in the foreground: the CLI's status is the process's (runc ignores the socket there: not asked of it)
if cfg.get('wait'):
  s3, p3 = listener('exec2')
  ex = subprocess.Popen(T + ['exec', '-t', '--console-socket', p3, cid, '/bin/sh', '-c', 'test -t 0 && test -t 1 && echo "in-tty=$((1+1))"; exit 6'])
  _, fds3 = receive(s3)
  print('exec -t:', b'in-tty=2' in expect(fds3[0], b'in-tty=2'), ex.wait(timeout=120))

os.write(m, b'exit 3\n')
print('init hung up:', until_closed(m))
if cfg.get('wait'):
    r = subprocess.run(T + ['wait', cid], capture_output=True, timeout=60)
    print('wait:', json.loads(r.stdout)['exitStatus'])
for _ in range(100):
    st = subprocess.run(T + ['state', cid], capture_output=True, timeout=60)
    if b'stopped' in st.stdout:
        break
    time.sleep(0.1)
print('delete:', subprocess.call(T + ['delete', cid], timeout=60))
`;

const WANT = [
  'payload: /dev/ptmx fds: 1',
  'isatty: True',
  'create: 0',
  'start: 0',
  'echo: ok',
  'size: 25 81',
  'resized: 40 132',
  'tty: /dev/pts/0',
  'interrupted: True 130',
  'exec detach: 0 True',
  'exec size: 11 77 tty: /dev/pts/1',
  'exec resized: 50 60',
  'exec hung up: True',
  'exec -t: True 6',
  'init hung up: True',
];

function writeBundle(name: string, terminal: boolean, args = ['/bin/sh']): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const s = defaultSpec();
  s.root = { path: path.join(tmp, 'rootfs'), readonly: false };
  s.process!.args = args;
  s.process!.terminal = terminal;
  s.process!.consoleSize = { height: 25, width: 81 };
  s.process!.env = ['PATH=/bin', 'TERM=dumb', 'PS1=PROMPT# '];
  s.process!.capabilities = undefined;
  s.process!.noNewPrivileges = false;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(s, null, 2));
  return dir;
}

function driverArgs(cmd: string[], root: string, wait: boolean): string[] {
  return ['-c', DRIVER, JSON.stringify({ cmd, root, tmp, bundle: path.join(tmp, 'tty'), id: `tty${process.pid}`, wait })];
}

function runcUsable(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('runc', ['--version'], { encoding: 'utf8' }).status === 0;
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-oci-tty-'));
  const rootfs = path.join(tmp, 'rootfs');
  fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  fs.copyFileSync(busybox, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const a of APPLETS) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  writeBundle('tty', true);
  writeBundle('notty', false);
  writeBundle('sleeper', false, ['/bin/sleep', '120']);
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('create/exec with --console-socket: the pty master is sent, and the container\'s shell is driven through it', { timeout: 400_000 }, async () => {
  if (runcUsable()) {
    // The reference: runc, which validates the driver (`wait` is not runc's, and runc's foreground exec -t uses its own stdio, not the socket: not asked).
    const ref = await run('python3', driverArgs(['runc'], path.join(tmp, 'runc-state'), false), { timeoutMs: 180_000 });
    assert.equal(ref.stdout, WANT.filter((l) => !l.startsWith('exec -t')).join('\n') + '\ndelete: 0\n', describeRun(ref));
  }
  const r = await run('python3', driverArgs([process.execPath, tsvisorBin], path.join(tmp, 'state'), true), { timeoutMs: 300_000 });
  assert.equal(r.stdout, [...WANT, 'wait: 3', 'delete: 0'].join('\n') + '\n', describeRun(r));
});

test('terminal and console socket: each needs the other where the CLI does not stay', { timeout: 120_000 }, async () => {
  const root = path.join(tmp, 'state-errors');
  const noSocket = await run(process.execPath, [tsvisorBin, '--root', root, 'create', '--bundle', path.join(tmp, 'tty'), 'e1'], { timeoutMs: 60_000 });
  assert.equal(noSocket.code, 1, describeRun(noSocket));
  assert.match(noSocket.stderr, /cannot allocate tty if .* will detach without setting console socket/, describeRun(noSocket));
  const noTty = await run(process.execPath, [tsvisorBin, '--root', root, 'create', '--bundle', path.join(tmp, 'notty'), '--console-socket', path.join(tmp, 'none.sock'), 'e2'], { timeoutMs: 60_000 });
  assert.equal(noTty.code, 1, describeRun(noTty));
  assert.match(noTty.stderr, /cannot use console socket if .* will not detach or allocate tty/, describeRun(noTty));
  // Neither left a container behind.
  const list = await run(process.execPath, [tsvisorBin, '--root', root, 'list', '-q'], { timeoutMs: 60_000 });
  assert.equal(list.stdout, '', describeRun(list));
  // A console socket nobody listens on: create fails and cleans up.
  const dead = await run(process.execPath, [tsvisorBin, '--root', root, 'create', '--bundle', path.join(tmp, 'tty'), '--console-socket', path.join(tmp, 'none.sock'), 'e3'], { timeoutMs: 60_000 });
  assert.equal(dead.code, 1, describeRun(dead));
  assert.match(dead.stderr, /console socket/, describeRun(dead));
  const list2 = await run(process.execPath, [tsvisorBin, '--root', root, 'list', '-q'], { timeoutMs: 60_000 });
  assert.equal(list2.stdout, '', describeRun(list2));
});

// `run` in the foreground from a terminal, without a console socket: the CLI copies the container's terminal to its own.
const PTY_DRIVER = String.raw`
import fcntl, json, os, pty, select, struct, sys, termios, time
cmd = json.loads(sys.argv[1])
pid, m = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack('HHHH', 30, 90, 0, 0))
buf = b''
def expect(pat, timeout=60):
    global buf
    end = time.time() + timeout
    while pat not in buf:
        left = end - time.time()
        if left <= 0:
            print('TIMEOUT waiting for %r; screen %r' % (pat, buf[-400:])); sys.exit(2)
        r, _, _ = select.select([m], [], [], left)
        if r:
            try:
                d = os.read(m, 4096)
            except OSError:
                d = b''
            if not d:
                print('CLOSED waiting for %r; screen %r' % (pat, buf[-400:])); sys.exit(3)
            buf += d
    i = buf.index(pat) + len(pat)
    out, buf = buf[:i], buf[i:]
    return out
expect(b'PROMPT# ')
os.write(m, b'echo "S=$(stty size)=$((40+2))E"\n')
screen = expect(b'=42E')
print('size:', screen[screen.rindex(b'S=') + 2:-4].decode(), 'crlf:', b'\r\r\n' not in screen)
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack('HHHH', 31, 91, 0, 0))
time.sleep(1)
os.write(m, b'echo "S=$(stty size)=$((40+2))E"\n')
screen = expect(b'=42E')
print('resized:', screen[screen.rindex(b'S=') + 2:-4].decode())
os.write(m, b'exit 4\n')
_, ws = os.waitpid(pid, 0)
print('exit:', os.waitstatus_to_exitcode(ws))
`;

test('run in a terminal without a console socket: the container\'s terminal is copied to the caller\'s', { timeout: 200_000 }, async () => {
  const cmd = [process.execPath, tsvisorBin, '--root', path.join(tmp, 'state-run'), 'run', '--bundle', path.join(tmp, 'tty'), `run${process.pid}`];
  const r = await run('python3', ['-c', PTY_DRIVER, JSON.stringify(cmd)], { timeoutMs: 150_000 });
  assert.equal(r.stdout, 'size: 30 90 crlf: True\nresized: 31 91\nexit: 4\n', describeRun(r));
});

test('exec -t in a terminal without a console socket: the process\'s terminal is copied to the caller\'s', { timeout: 200_000 }, async () => {
  const root = path.join(tmp, 'state-exec');
  const id = `exec${process.pid}`;
  // Not through run(): the container's stdio must not be pipes the helper waits on (nor its process group killed).
  const started = spawnSync(process.execPath, [tsvisorBin, '--root', root, 'run', '--detach', '--bundle', path.join(tmp, 'sleeper'), id], { stdio: 'ignore', timeout: 60_000 });
  assert.equal(started.status, 0);
  try {
    const cmd = [process.execPath, tsvisorBin, '--root', root, 'exec', '-t', id, '/bin/sh'];
    const r = await run('python3', ['-c', PTY_DRIVER, JSON.stringify(cmd)], { timeoutMs: 150_000 });
    assert.equal(r.stdout, 'size: 30 90 crlf: True\nresized: 31 91\nexit: 4\n', describeRun(r));
  } finally {
    await run(process.execPath, [tsvisorBin, '--root', root, 'delete', '--force', id], { timeoutMs: 60_000 });
  }
});
