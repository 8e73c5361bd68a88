// End to end on a sandbox pty (issue 6's interactive bash): python3 makes a
// pty, forks an interactive bash on it as a session leader (pty.fork: setsid,
// TIOCSCTTY), types commands, reads the screen, and ^C's a `sleep 100` in
// the foreground. Run natively (which validates the driver) and under
// `tsvisor do`; both must print the same summary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRun, run, runTsvisor } from '../helpers/run.js';

const DRIVER = String.raw`
import os, pty, select, sys, time
pid, m = pty.fork()
if pid == 0:
    os.environ.update(PS1='PROMPT$ ', HISTFILE='/dev/null', TERM='dumb')
    os.execvp('bash', ['bash', '--norc', '--noprofile', '-i'])
buf = b''
def expect(pat, timeout=20):
    global buf
    end = time.time() + timeout
    while pat not in buf:
        left = end - time.time()
        if left <= 0:
            print('TIMEOUT waiting for %r; screen %r' % (pat, buf[-300:])); sys.exit(2)
        r, _, _ = select.select([m], [], [], left)
        if r:
            try:
                d = os.read(m, 4096)
            except OSError:
                print('EIO waiting for %r; screen %r' % (pat, buf[-300:])); sys.exit(3)
            if not d:
                break
            buf += d
    i = buf.index(pat) + len(pat)
    out, buf = buf[:i], buf[i:]
    return out
expect(b'PROMPT$ ')
os.write(m, b'echo hello $((6*7))\n')
expect(b'hello 42')
expect(b'PROMPT$ ')
os.write(m, b'sleep 100\n')
time.sleep(0.5)
t0 = time.time()
os.write(m, b'\x03')
expect(b'PROMPT$ ')
took = time.time() - t0
os.write(m, b'echo status=$?\n')
expect(b'status=130')
expect(b'PROMPT$ ')
os.write(m, b'tty; stty size; echo done\n')
screen = expect(b'PROMPT$ ')
os.write(m, b'exit 7\n')
_, st = os.waitpid(pid, 0)
print('interrupted:', took < 5)
print('tty:', b'/dev/pts/' in screen, b'done' in screen)
print('exit:', os.waitstatus_to_exitcode(st))
`;

const WANT = 'interrupted: True\ntty: True True\nexit: 7\n';

test('an interactive bash on a pty: commands, the screen, ^C of a foreground sleep', { timeout: 180_000 }, async () => {
  const native = await run('python3', ['-c', DRIVER], { timeoutMs: 60_000 });
  assert.equal(native.stdout, WANT, describeRun(native));
  const sandboxed = await runTsvisor(['python3', '-c', DRIVER], { timeoutMs: 90_000 });
  assert.equal(sandboxed.stdout, WANT, describeRun(sandboxed));
  assert.equal(sandboxed.code, 0, describeRun(sandboxed));
});
