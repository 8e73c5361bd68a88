// FIFOs (man 7 fifo, fs/pipe.c fifo_open): open blocking rules, ENXIO,
// O_RDWR, POLLHUP suppression, a buffer shared by all opens and freed with
// the last one, interrupted opens.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { Fifo, FifoFile, PipeAccounting, type Pipe, PollEvent, fifoOf, fifoPipe, interruptPipeWait, pipeHooks, type PipeCaller } from '../../src/fs/pipe/index.js';
import { HoleyMemory } from './pipe_memory.test.js';

const ROOT: PipeCaller = { uid: 0, fsuid: 0, fsgid: 0, capSysResource: true, capSysAdmin: true };
const RD = OpenFlag.O_RDONLY;
const WR = OpenFlag.O_WRONLY;
const NB = OpenFlag.O_NONBLOCK;

type OpenResult = FifoFile | number | Promise<FifoFile | number>;

async function state(p: OpenResult): Promise<FifoFile | number | 'pending'> {
  if (!(p instanceof Promise)) return p;
  let v: FifoFile | number | 'pending' = 'pending';
  void p.then((x) => {
    v = x;
  });
  await new Promise((res) => setImmediate(res));
  return v;
}

/** The FIFO's live buffer (a call, so assertions on it do not narrow later reads). */
function cur(fifo: Fifo): Pipe | null {
  return fifo.current;
}

function end(r: FifoFile | number | 'pending'): FifoFile {
  assert.ok(r instanceof FifoFile, `expected an open FIFO end, got ${String(r)}`);
  return r;
}

afterEach(() => {
  pipeHooks.currentTask = () => undefined;
});

test('O_RDONLY waits for a writer; O_WRONLY then opens at once', async () => {
  const fifo = new Fifo(new PipeAccounting());
  const r = fifo.open(RD, ROOT);
  assert.ok(r instanceof Promise);
  assert.equal(await state(r), 'pending');
  assert.equal(cur(fifo)?.readers, 1); // counted while it waits
  const w = end(fifo.open(WR, ROOT) as FifoFile);
  const rd = end(await state(r));
  const m = new HoleyMemory();
  m.put(0, 'through the fifo');
  assert.equal(w.write(m, 0, 16), 16);
  assert.equal(rd.read(m, 1000, 100), 16);
  assert.equal(m.get(1000, 16), 'through the fifo');
  assert.equal(w.seekable, false);
});

test('O_WRONLY waits for a reader; O_WRONLY|O_NONBLOCK without one is ENXIO', async () => {
  const fifo = new Fifo(new PipeAccounting());
  assert.equal(fifo.open(WR | NB, ROOT), -Errno.ENXIO);
  assert.equal(cur(fifo), null); // nothing left behind
  const w = fifo.open(WR, ROOT);
  assert.ok(w instanceof Promise);
  assert.equal(await state(w), 'pending');
  // A waiting writer does not make a non-blocking writer succeed: it needs a reader.
  assert.equal(fifo.open(WR | NB, ROOT), -Errno.ENXIO);
  const r = end(fifo.open(RD | NB, ROOT) as FifoFile);
  end(await state(w));
  // Now a non-blocking writer is fine.
  end(fifo.open(WR | NB, ROOT) as FifoFile);
  assert.equal(cur(fifo)?.readers, 1);
  assert.equal(cur(fifo)?.writers, 2);
  r.release();
});

test('O_RDONLY|O_NONBLOCK opens at once and withholds POLLHUP until a writer has come', () => {
  const fifo = new Fifo(new PipeAccounting());
  const r = end(fifo.open(RD | NB, ROOT) as FifoFile);
  assert.equal(r.readiness(), 0);
  const m = new HoleyMemory();
  assert.equal(r.read(m, 0, 10), 0); // no writer: EOF
  const w = end(fifo.open(WR, ROOT) as FifoFile);
  assert.equal(r.readiness(), 0);
  w.release();
  assert.equal(r.readiness(), PollEvent.POLLHUP);
});

test('O_RDWR never blocks and is both a reader and a writer; access mode 3 is EINVAL', () => {
  const fifo = new Fifo(new PipeAccounting());
  assert.equal(fifo.open(3, ROOT), -Errno.EINVAL);
  assert.equal(cur(fifo), null);
  const rw = end(fifo.open(OpenFlag.O_RDWR, ROOT) as FifoFile);
  assert.equal(cur(fifo)?.readers, 1);
  assert.equal(cur(fifo)?.writers, 1);
  const m = new HoleyMemory();
  m.put(0, 'loop');
  assert.equal(rw.write(m, 0, 4), 4);
  assert.equal(rw.read(m, 100, 10), 4);
  assert.equal(rw.readiness(), PollEvent.POLLOUT | PollEvent.POLLWRNORM);
  // With a reader present, a writer opens without waiting; a reader with a writer present too.
  end(fifo.open(WR | NB, ROOT) as FifoFile);
  end(fifo.open(RD, ROOT) as FifoFile);
});

test('a writer that opened and closed still releases a waiting reader (the counter moved)', async () => {
  const fifo = new Fifo(new PipeAccounting());
  const rw = end(fifo.open(OpenFlag.O_RDWR, ROOT) as FifoFile); // keeps the buffer alive
  rw.release();
  const r = fifo.open(RD, ROOT);
  assert.equal(await state(r), 'pending');
  const w = end(fifo.open(WR, ROOT) as FifoFile);
  w.release();
  const rd = end(await state(r));
  // The writer is gone: EOF.
  assert.equal(rd.read(new HoleyMemory(), 0, 10), 0);
});

test('the buffer lives while some end is open; data goes with the last close', () => {
  const acct = new PipeAccounting();
  const fifo = new Fifo(acct);
  const rw = end(fifo.open(OpenFlag.O_RDWR, ROOT) as FifoFile);
  const m = new HoleyMemory();
  assert.equal(rw.write(m, 0, 100), 100);
  const first = cur(fifo);
  assert.ok(first);
  assert.equal(acct.total, 16);
  const r = end(fifo.open(RD | NB, ROOT) as FifoFile);
  rw.release();
  assert.equal(cur(fifo), first);
  assert.equal(first.queued, 100);
  r.release();
  assert.equal(cur(fifo), null);
  assert.equal(first.isFree, true);
  assert.equal(acct.total, 0);
  const again = end(fifo.open(OpenFlag.O_RDWR, ROOT) as FifoFile);
  assert.notEqual(again.pipe, first);
  assert.equal(again.pipe.queued, 0);
});

test('an interrupted open gives its end back', async () => {
  let task: unknown;
  pipeHooks.currentTask = () => task;
  const fifo = new Fifo(new PipeAccounting());
  task = 'reader';
  const r = fifo.open(RD, ROOT);
  assert.equal(cur(fifo)?.readers, 1);
  assert.equal(interruptPipeWait('reader', -512), true);
  assert.equal(await state(r), -512);
  assert.equal(cur(fifo), null); // it was the only open: the buffer is gone

  const keep = end(fifo.open(RD | NB, ROOT) as FifoFile);
  task = 'second reader';
  const rd2 = fifo.open(RD, ROOT); // waits: no writer
  const pipe = cur(fifo)!;
  assert.equal(pipe.readers, 2);
  assert.equal(interruptPipeWait('second reader', -4), true);
  assert.equal(await state(rd2), -4);
  assert.equal(pipe.readers, 1);
  keep.release();
  assert.equal(cur(fifo), null);
});

test('status flags are read through the binding (F_SETFL on the OpenFile)', () => {
  const fifo = new Fifo(new PipeAccounting());
  const rw = end(fifo.open(OpenFlag.O_RDWR | NB, ROOT) as FifoFile);
  const m = new HoleyMemory();
  assert.equal(rw.read(m, 0, 10), -Errno.EAGAIN);
  let flags = OpenFlag.O_RDWR | OpenFlag.O_DIRECT | NB;
  rw.bindStatusFlags(() => flags);
  m.put(0, 'abcd');
  assert.equal(rw.write(m, 0, 2), 2);
  assert.equal(rw.write(m, 2, 2), 2);
  assert.equal(rw.read(m, 100, 10), 2); // packets now
  flags = OpenFlag.O_RDWR;
  assert.equal(rw.read(m, 100, 10), 2);
  assert.ok(rw.read(m, 100, 10) instanceof Promise); // blocking now (it is its own writer)
});

test('fifoOf keeps one state per inode; fifoPipe finds the live buffer', () => {
  const inode = {};
  const a = fifoOf(inode, new PipeAccounting());
  assert.equal(fifoOf(inode), a);
  assert.equal(fifoPipe(inode), null);
  const e = end(a.open(OpenFlag.O_RDWR, ROOT) as FifoFile);
  assert.equal(fifoPipe(inode), e.pipe);
  e.release();
  assert.equal(fifoPipe(inode), null);
});
