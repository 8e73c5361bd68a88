// `tsvisor do` on a terminal (issue 6): an interactive shell on the sandbox's
// pty, driven from a host pty the way a user at a terminal would. python3's
// pty module makes the host pty and forks tsvisor on it (a session leader
// with the pty as its controlling terminal, so stdin is a terminal and
// `do` gives the guest a terminal of its own); the driver types commands,
// reads the screen, ^C's a foreground `sleep 100`, sets the host window
// size (SIGWINCH to tsvisor, then to the guest), and checks the exit
// status. The same driver runs the shell natively first, which validates it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { describeRun, run } from '../helpers/run.js';
import { tsvisorBin } from '../helpers/paths.js';

const DRIVER = String.raw`
import fcntl, json, os, pty, select, struct, sys, termios, time
cmd = json.loads(sys.argv[1])
pid, m = pty.fork()
if pid == 0:
    os.environ.update(PS1='PROMPT$ ', HISTFILE='/dev/null', TERM='dumb', ENV='')
    os.execvp(cmd[0], cmd)
buf = b''
def expect(pat, timeout=30):
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
                print('EIO waiting for %r; screen %r' % (pat, buf[-400:])); sys.exit(3)
            if not d:
                break
            buf += d
    i = buf.index(pat) + len(pat)
    out, buf = buf[:i], buf[i:]
    return out
def run(line, marker):
    os.write(m, line + b'\n')
    return expect(marker)
expect(b'PROMPT$ ')
# Markers are computed by the shell, so the echo of the typed line never matches them.
run(b'echo "A$((6*7))B"', b'A42B')
screen = run(b'echo "T=$(tty)="', b'=\r\n')
print('tty:', b'T=/dev/pts/' in screen)
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack('HHHH', 33, 101, 0, 0))
time.sleep(1)
screen = run(b'echo "S=$(stty size)=$((2+3))E"', b'=5E')
print('size:', screen[screen.rindex(b'S=') + 2:-3].decode())
os.write(m, b'sleep 100\n')
expect(b'sleep 100')
time.sleep(1.5)
t0 = time.time()
os.write(m, b'\x03')
run(b'echo "R$((1+1))R=$?"', b'R2R=')
took = time.time() - t0
st = expect(b'\r\n')
print('interrupted:', took < 10, 'status:', st.strip().decode())
os.write(m, b'exit 7\n')
_, ws = os.waitpid(pid, 0)
print('exit:', os.waitstatus_to_exitcode(ws))
`;

const WANT_EXIT = 'tty: True\nsize: 33 101\ninterrupted: True status: 130\nexit: 7\n';

async function drive(cmd: string[]): Promise<Awaited<ReturnType<typeof run>>> {
  return run('python3', ['-c', DRIVER, JSON.stringify(cmd)], { timeoutMs: 120_000 });
}

const SHELLS: [string, string[]][] = [
  ['bash', ['/bin/bash', '--norc', '--noprofile', '-i']],
  ['busybox sh', ['/bin/busybox', 'sh', '-i']],
];

for (const [name, shell] of SHELLS) {
  test(`${name} on the sandbox's terminal: prompt, output, ^C of a foreground sleep, window size, exit status`, { timeout: 300_000 }, async () => {
    const native = await drive(shell);
    assert.equal(native.stdout, WANT_EXIT, describeRun(native));
    const sandboxed = await drive([process.execPath, tsvisorBin, 'do', '--tty', '--', ...shell]);
    assert.equal(sandboxed.stdout, WANT_EXIT, describeRun(sandboxed));
  });
}

// The caller's terminal closing hangs the guest's up: its session leader gets SIGHUP (a trap records it).
const HANGUP_DRIVER = String.raw`
import json, os, pty, sys, time
pid, m = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], json.loads(sys.argv[2]))
buf = b''
end = time.time() + 60
while b'READY' not in buf and time.time() < end:
    buf += os.read(m, 4096)
time.sleep(0.5)
os.close(m)
t0 = time.time()
os.waitpid(pid, 0)
print('ended:', time.time() - t0 < 20)
`;

test('the caller\'s terminal closing hangs the guest\'s terminal up (SIGHUP to its session leader)', { timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-tty-hup-'));
  const script = (file: string): string => `trap "echo got-hup > ${file}; exit 0" HUP; echo READY; sleep 100 & wait`;
  try {
    // Natively first: the driver and the script do what is expected of them.
    const native = await run('python3', ['-c', HANGUP_DRIVER, '/bin/sh', JSON.stringify(['/bin/sh', '-c', script(path.join(dir, 'native'))])], { timeoutMs: 60_000 });
    assert.equal(native.stdout, 'ended: True\n', describeRun(native));
    assert.equal(fs.readFileSync(path.join(dir, 'native'), 'utf8'), 'got-hup\n');
    const argv = [process.execPath, tsvisorBin, 'do', '--volume', `${dir}:/v`, '--', '/bin/sh', '-c', script('/v/sandboxed')];
    const sandboxed = await run('python3', ['-c', HANGUP_DRIVER, process.execPath, JSON.stringify(argv)], { timeoutMs: 90_000 });
    assert.equal(sandboxed.stdout, 'ended: True\n', describeRun(sandboxed));
    assert.equal(fs.readFileSync(path.join(dir, 'sandboxed'), 'utf8'), 'got-hup\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// stdin a terminal: the guest gets a terminal of the sandbox by default (as `runsc do`); --tty=false keeps the host's descriptors.
const TTY_DRIVER = String.raw`
import json, os, pty, sys
pid, m = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], json.loads(sys.argv[2]))
out = b''
while True:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
_, ws = os.waitpid(pid, 0)
print(repr(out.replace(b'\r\n', b'\n').decode()), os.waitstatus_to_exitcode(ws))
`;

test('do: a terminal by default when stdin is one; --tty=false opts out', { timeout: 120_000 }, async () => {
  const auto = await run('python3', ['-c', TTY_DRIVER, process.execPath, JSON.stringify([process.execPath, tsvisorBin, 'do', '--', '/bin/sh', '-c', 'tty; test -t 0 && echo in-tty'])], { timeoutMs: 60_000 });
  assert.match(auto.stdout, /^'\/dev\/pts\/\d+\\nin-tty\\n' 0\n$/, describeRun(auto));
  const off = await run('python3', ['-c', TTY_DRIVER, process.execPath, JSON.stringify([process.execPath, tsvisorBin, 'do', '--tty=false', '--', '/bin/sh', '-c', 'tty; exit 3'])], { timeoutMs: 60_000 });
  assert.equal(off.stdout, "'not a tty\\n' 3\n", describeRun(off));
  // --tty with pipes: the guest still has a terminal, and its output reaches the pipe.
  const piped = await run(process.execPath, [tsvisorBin, 'do', '--tty', '--', '/bin/sh', '-c', 'tty; stty size'], { timeoutMs: 60_000 });
  assert.match(piped.stdout, /^\/dev\/pts\/\d+\r?\n0 0\r?\n$/, describeRun(piped));
  assert.equal(piped.code, 0, describeRun(piped));
});

// The caller's terminal is raw while the guest runs, and back as it was afterwards: after an exit, and after SIGTERM to tsvisor.
const SH_ON_PTY = String.raw`
import os, pty, sys
pid, m = pty.fork()
if pid == 0:
    os.execvp('sh', ['sh', '-c', sys.argv[1]])
out = b''
while True:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
_, ws = os.waitpid(pid, 0)
print(repr(out.replace(b'\r\n', b'\n').decode()), os.waitstatus_to_exitcode(ws))
`;

test('do --tty: the caller\'s terminal is raw while the guest runs and restored after an exit and after SIGTERM', { timeout: 120_000 }, async () => {
  const t = `'${process.execPath}' '${tsvisorBin}' do --tty --`;
  const script = [
    'a=$(stty -g)',
    `${t} /bin/sh -c 'sleep 4' </dev/tty & p=$!; sleep 2.5; stty -a | grep -q -- -icanon && echo raw-while-running; wait $p`,
    `${t} /bin/sh -c 'exit 4'; echo st=$?`,
    '[ "$a" = "$(stty -g)" ] && echo restored-after-exit',
    `${t} /bin/sleep 100 </dev/tty & p=$!; sleep 3; kill -TERM $p; wait $p; echo st=$?`,
    '[ "$a" = "$(stty -g)" ] && echo restored-after-term',
  ].join('\n');
  const r = await run('python3', ['-c', SH_ON_PTY, script], { timeoutMs: 90_000 });
  assert.equal(r.stdout, "'raw-while-running\\nst=4\\nrestored-after-exit\\nTerminated\\nst=143\\nrestored-after-term\\n' 0\n", describeRun(r));
});
