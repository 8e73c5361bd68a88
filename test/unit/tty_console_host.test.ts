// A console of the sandbox bridged to a host pty (bridgeHostTerminal, the
// OCI runtime's terminals): a real host pty pair from the addon, its slave
// bridged to the console, its master driven here as containerd's shim
// would: typing, reading the output, TIOCSWINSZ, and closing it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { bridgeHostTerminal, createConsole, createDevpts } from '../../src/fs/devpts/index.js';
import { native } from '../../src/platform/native.js';
import { ArrayMemory } from './vfs_fixture.test.js';

async function until<T>(what: string, get: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function readHost(fd: number, want: string, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => reject(new Error(`timed out reading ${JSON.stringify(want)}; got ${JSON.stringify(got)}`)), ms);
    const more = (): void => {
      const buf = Buffer.alloc(256);
      fs.read(fd, buf, 0, buf.length, null, (err, n) => {
        if (err) {
          clearTimeout(timer);
          reject(err);
          return;
        }
        got += buf.subarray(0, n).toString('latin1');
        if (got.includes(want)) {
          clearTimeout(timer);
          resolve(got);
        } else more();
      });
    };
    more();
  });
}

test('a console bridged to a host pty: typing, output, window size from TIOCSWINSZ, hangup when the master closes', { timeout: 30_000 }, async () => {
  const n = native();
  const pair = new Int32Array(2);
  assert.equal(n.hostptyOpen(pair), 0);
  const [master, slave] = [pair[0], pair[1]];
  assert.equal(n.hostptySetWinsize(master, 25, 81), 0);
  assert.equal(n.hostptyGetWinsize(slave), (25 << 16) | 81);

  const devpts = createDevpts();
  const con = createConsole(devpts);
  assert.ok(typeof con !== 'number');
  const guest = con.pty.openSlave(OpenFlag.O_RDWR | OpenFlag.O_NOCTTY | OpenFlag.O_NONBLOCK);
  assert.ok(typeof guest !== 'number');
  const mem = new ArrayMemory();
  const bridge = bridgeHostTerminal(con, slave);
  // The host terminal's size at the start is the console's.
  assert.deepEqual([con.pty.slave.winsize.row, con.pty.slave.winsize.col], [25, 81]);

  // Typed at the master: the guest reads the line (the sandbox's line discipline, canonical mode).
  fs.writeSync(master, 'ls -l\n');
  const line = await until('the typed line', () => {
    const r = guest.read(mem, 0, 100, 0);
    if (r === -Errno.EAGAIN) return undefined;
    assert.equal(typeof r, 'number');
    return Buffer.from(mem.bytes.subarray(0, r as number)).toString('latin1');
  });
  assert.equal(line, 'ls -l\n');
  // Its echo and the guest's output reach the master once each: the host side is raw (no second \r).
  mem.bytes.set(Buffer.from('out\n'), 200);
  assert.equal(guest.write(mem, 200, 4, 0), 4);
  const screen = await readHost(master, 'out\r\n');
  assert.equal(screen, 'ls -l\r\nout\r\n');

  // A new size on the master reaches the console within the poll period.
  assert.equal(n.hostptySetWinsize(master, 40, 132), 0);
  await until('the new size', () => (con.pty.slave.winsize.row === 40 && con.pty.slave.winsize.col === 132 ? true : undefined));

  // The master's holder goes away: the console hangs up.
  let closed = false;
  con.onClose(() => {
    closed = true;
  });
  fs.closeSync(master);
  await until('the hangup', () => (closed ? true : undefined));
  await bridge.drained(100);
  bridge.stop();
  guest.release();
  fs.closeSync(slave);
});
