// The readiness layer (src/vfs/poll.ts): which files are pollable (pipes,
// devices with and without a poll method, files without one), release
// notifications, and the readiness of a host descriptor (src/fs/host_stdio.ts)
// learnt by a non-blocking read ahead, with its timer-driven notifications.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { DEFAULT_POLLMASK, Poll } from '../../src/abi/linux/poll.js';
import { FullDevice, NullDevice, RandomDevice, ZeroDevice } from '../../src/fs/dev/index.js';
import { HostStdioFile } from '../../src/fs/host_stdio.js';
import { createPipe, fifoOf, FifoFile, type PipeCaller } from '../../src/fs/pipe/index.js';
import type { MemoryManager } from '../../src/mm/memory_manager.js';
import type { FileDescription } from '../../src/vfs/file.js';
import { OpenFile } from '../../src/vfs/open_file.js';
import type { GuestMemory } from '../../src/vfs/guest_memory.js';
import { isPollable, isReleased, notifyRelease, pollNow, pollableOf, watchRelease } from '../../src/vfs/poll.js';

const ROOT: PipeCaller = { uid: 0, fsuid: 0, fsgid: 0, capSysResource: true, capSysAdmin: true };
const IN = Poll.POLLIN | Poll.POLLRDNORM;
const OUT = Poll.POLLOUT | Poll.POLLWRNORM;

class FlatMemory implements GuestMemory {
  readonly bytes = new Uint8Array(1 << 17);
  readBytes(addr: number, dst: Uint8Array, off: number, len: number): number {
    dst.set(this.bytes.subarray(addr, addr + len), off);
    return 0;
  }
  writeBytes(addr: number, src: Uint8Array, off: number, len: number): number {
    if (addr + len > this.bytes.length) return -Errno.EFAULT;
    this.bytes.set(src.subarray(off, off + len), addr);
    return 0;
  }
  forEachSegment(addr: number, len: number, _w: boolean, fn: (b: Uint8Array, o: number, l: number) => number): number {
    return fn(this.bytes, addr, len);
  }
  text(addr: number, len: number): string {
    return Buffer.from(this.bytes.subarray(addr, addr + len)).toString('latin1');
  }
}

test('pipe ends are pollable; their release is notified', () => {
  const ends = createPipe(0, ROOT);
  assert.ok(Array.isArray(ends));
  const [r, w] = ends;
  r.incRef();
  w.incRef();
  assert.equal(pollableOf(r), r);
  assert.equal(pollNow(r), 0);
  assert.equal(pollNow(w), OUT);
  let released = 0;
  watchRelease(r, () => released++);
  const cancelled = watchRelease(w, () => released++);
  cancelled();
  w.decRef();
  assert.equal(released, 0);
  assert.equal(pollNow(r), Poll.POLLHUP);
  r.decRef();
  assert.equal(released, 1);
  // Once only.
  notifyRelease(r);
  assert.equal(released, 1);
});

test('devices: poll sees them ready; only those with a poll method are pollable (epoll)', () => {
  for (const d of [new NullDevice(), new ZeroDevice(), new FullDevice(), new RandomDevice(() => 0, false)]) {
    const f = d as unknown as FileDescription;
    assert.equal(pollableOf(f), null);
    assert.equal(pollNow(f), DEFAULT_POLLMASK);
  }
  // A file description that is itself a device-like source with a poll method.
  const random = new RandomDevice(() => 0);
  const p = pollableOf(random as unknown as FileDescription);
  assert.ok(p);
  assert.equal(p.readiness(), IN | OUT);
  assert.equal(pollableOf(random as unknown as FileDescription), p);
  const off = p.onReadinessChange(() => {});
  off();
});

test('an OpenFile answers through its FileImpl (a FIFO end); its release is seen', () => {
  const end = fifoOf({}).open(OpenFlag.O_RDWR, ROOT);
  assert.ok(end instanceof FifoFile);
  // An OpenFile as the VFS makes it, reduced to what poll looks at.
  const of = Object.create(OpenFile.prototype) as OpenFile;
  Object.assign(of, { impl: end, released: false, flags: OpenFlag.O_RDWR });
  assert.equal(pollableOf(of), end);
  assert.equal(pollNow(of), OUT);
  assert.equal(isReleased(of), false);
  Object.assign(of, { released: true });
  assert.equal(isReleased(of), true);
  // A FileImpl without readiness (a regular file): no poll method.
  const plain = Object.create(OpenFile.prototype) as OpenFile;
  Object.assign(plain, { impl: { seekable: true }, released: false });
  assert.equal(pollableOf(plain), null);
  assert.equal(pollNow(plain), DEFAULT_POLLMASK);
  end.release();
});

test('files without a poll method are always ready', () => {
  const f = { name: 'x', flags: 0 } as unknown as FileDescription;
  assert.equal(isPollable(f), false);
  assert.equal(pollableOf(f), null);
  assert.equal(pollNow(f), DEFAULT_POLLMASK);
});

// ---------------------------------------------------------------------------
// Host descriptors

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-poll-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A host FIFO: the descriptor given to the sandbox (opened O_RDWR, so it never blocks) and a writer. */
function hostFifo(name: string): { fd: number; writer: number } {
  const p = path.join(dir, name);
  execFileSync('mkfifo', [p]);
  const fd = fs.openSync(p, fs.constants.O_RDWR);
  const writer = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  return { fd, writer };
}

test('host regular file: always ready, not pollable by epoll', () => {
  const p = path.join(dir, 'regular');
  fs.writeFileSync(p, 'data');
  const fd = fs.openSync(p, 'r');
  const f = new HostStdioFile(fd, OpenFlag.O_RDONLY, 'host:stdin');
  assert.equal(f.readiness(), DEFAULT_POLLMASK);
  assert.equal(pollableOf(f), null);
  assert.equal(pollNow(f), DEFAULT_POLLMASK);
  fs.closeSync(fd);
});

test('host pipe: readiness by reading ahead; the guest reads what was read ahead first', () => {
  const { fd, writer } = hostFifo('fifo1');
  const f = new HostStdioFile(fd, OpenFlag.O_RDONLY, 'host:stdin');
  f.incRef();
  assert.equal(f.readiness(), 0);
  fs.writeSync(writer, 'hello');
  assert.equal(f.readiness(), IN);
  assert.equal(f.readiness(), IN);
  const m = new FlatMemory();
  const mm = m as unknown as MemoryManager;
  assert.equal(f.read(mm, 0, 2), 2);
  assert.equal(m.text(0, 2), 'he');
  assert.equal(f.read(mm, 0, 100), 3);
  assert.equal(m.text(0, 3), 'llo');
  assert.equal(f.readiness(), 0);
  // O_NONBLOCK reads do not block: EAGAIN when empty.
  f.flags = OpenFlag.O_RDONLY | OpenFlag.O_NONBLOCK;
  assert.equal(f.read(mm, 0, 10), -Errno.EAGAIN);
  fs.writeSync(writer, 'xyz');
  assert.equal(f.read(mm, 0, 10), 3);
  assert.equal(m.text(0, 3), 'xyz');
  // A write-only host descriptor is always writable.
  const w = new HostStdioFile(writer, OpenFlag.O_WRONLY, 'host:stdout');
  assert.equal(w.readiness(), OUT);
  f.decRef();
  fs.closeSync(writer);
  fs.closeSync(fd);
});

test('host pipe: a subscribed wait hears about data arriving later', async () => {
  const { fd, writer } = hostFifo('fifo2');
  const f = new HostStdioFile(fd, OpenFlag.O_RDONLY, 'host:stdin');
  f.incRef();
  assert.equal(f.readiness(), 0);
  const heard = new Promise<number>((resolve) => {
    const off = f.onReadinessChange((mask) => {
      if (mask & Poll.POLLIN) {
        off();
        resolve(mask);
      }
    });
  });
  // A poller subscribes, then asks for POLLIN: from then on the host file is probed on a timer.
  assert.equal(f.readiness(Poll.POLLIN), 0);
  setTimeout(() => fs.writeSync(writer, 'late'), 20);
  assert.equal(await heard, IN);
  const m = new FlatMemory();
  assert.equal(f.read(m as unknown as MemoryManager, 0, 10), 4);
  assert.equal(m.text(0, 4), 'late');
  f.decRef();
  fs.closeSync(writer);
  fs.closeSync(fd);
});

test('host terminal-like file shared by several descriptors: one read-ahead; POLLOUT alone reads nothing ahead', () => {
  const { fd, writer } = hostFifo('fifo3');
  const stdin = new HostStdioFile(fd, OpenFlag.O_RDONLY, 'host:stdin');
  const stdout = new HostStdioFile(fd, OpenFlag.O_RDWR, 'host:stdout');
  stdin.incRef();
  stdout.incRef();
  assert.equal(pollableOf(stdout), stdout);
  fs.writeSync(writer, 'abc');
  // Asking stdout for POLLOUT only: writable, nothing read ahead.
  assert.equal(stdout.readiness(Poll.POLLOUT), OUT);
  // Asking for POLLIN through stdout reads ahead; stdin sees the same bytes.
  assert.equal(stdout.readiness(Poll.POLLIN), IN | OUT);
  assert.equal(stdin.readiness(Poll.POLLIN), IN);
  const m = new FlatMemory();
  assert.equal(stdin.read(m as unknown as MemoryManager, 0, 10), 3);
  assert.equal(m.text(0, 3), 'abc');
  assert.equal(stdout.readiness(Poll.POLLIN), OUT);
  stdout.decRef();
  // The read-ahead lives on with stdin.
  fs.writeSync(writer, 'd');
  assert.equal(stdin.readiness(), IN);
  stdin.decRef();
  fs.closeSync(writer);
  fs.closeSync(fd);
});
