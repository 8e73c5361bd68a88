// The pipe side of splice and tee (src/fs/pipe/pipe.ts): moving whole
// buffers and parts of them, duplicating without consuming, appending
// file data in page-aligned buffers that writes never merge into, peeking
// and consuming, and the readiness waits splice parks in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { createPipe, interruptPipeWait, pipeHooks, SPLICE_RETRY, type PipeCaller, type PipeFile } from '../../src/fs/pipe/index.js';
import { BufferMemory } from '../../src/vfs/buffer_memory.js';

const ROOT: PipeCaller = { uid: 0, fsuid: 0, fsgid: 0, capSysResource: true, capSysAdmin: true };
const mem = new BufferMemory(new Uint8Array(1 << 20));
for (let i = 0; i < 65536; i++) mem.buf[i] = 97 + (i % 26);

function mkpipe(flags = OpenFlag.O_NONBLOCK): [PipeFile, PipeFile] {
  const ends = createPipe(flags, ROOT);
  assert.ok(typeof ends !== 'number');
  ends[0].incRef();
  ends[1].incRef();
  return ends;
}

function put(w: PipeFile, s: string): number {
  const at = 500000;
  for (let i = 0; i < s.length; i++) mem.buf[at + i] = s.charCodeAt(i);
  const r = w.write(mem, at, s.length);
  assert.equal(typeof r, 'number');
  return r as number;
}

function take(r: PipeFile, n = 70000): string {
  const at = 600000;
  const got = r.read(mem, at, n);
  assert.equal(typeof got, 'number');
  return Buffer.from(mem.buf.subarray(at, at + (got as number))).toString('latin1');
}

test('spliceTo moves whole buffers as they are and copies part of the last', () => {
  const [ar, aw] = mkpipe();
  const [br, bw] = mkpipe();
  put(aw, 'x');
  assert.equal(ar.pipe.spliceTo(bw.pipe, 10, undefined), 1);
  assert.equal(aw.pipe.occupancy, 0);
  put(bw, 'y'); // the moved buffer still merges
  assert.equal(bw.pipe.occupancy, 1);
  put(aw, 'abc');
  assert.equal(ar.pipe.spliceTo(bw.pipe, 2, undefined), 2);
  put(bw, 'z'); // a part never merges
  assert.equal(bw.pipe.occupancy, 3);
  assert.equal(take(br), 'xyabz');
  assert.equal(take(ar), 'c');
  // Nothing to move: try again later; no writer: 0.
  assert.equal(ar.pipe.spliceTo(bw.pipe, 5, undefined), SPLICE_RETRY);
  aw.decRef();
  assert.equal(ar.pipe.spliceTo(bw.pipe, 5, undefined), 0);
  ar.decRef();
  br.decRef();
  bw.decRef();
});

test('spliceTo and teeTo: EPIPE and SIGPIPE without a reader', () => {
  const [ar, aw] = mkpipe();
  const [br, bw] = mkpipe();
  put(aw, 'data');
  br.decRef();
  const sent: unknown[] = [];
  const saved = pipeHooks.sigpipe;
  pipeHooks.sigpipe = (t) => sent.push(t);
  try {
    assert.equal(ar.pipe.spliceTo(bw.pipe, 4, 'me'), -Errno.EPIPE);
    assert.equal(ar.pipe.teeTo(bw.pipe, 4, 'me'), -Errno.EPIPE);
  } finally {
    pipeHooks.sigpipe = saved;
  }
  assert.deepEqual(sent, ['me', 'me']);
  assert.equal(ar.pipe.queued, 4);
  ar.decRef();
  aw.decRef();
  bw.decRef();
});

test('teeTo duplicates without consuming, up to the room the output has', () => {
  const [ar, aw] = mkpipe();
  const [br, bw] = mkpipe();
  put(aw, 'hello ');
  put(aw, 'world');
  assert.equal(ar.pipe.teeTo(bw.pipe, 3, undefined), 3);
  assert.equal(ar.pipe.teeTo(bw.pipe, 100, undefined), 11);
  assert.equal(take(br), 'helhello world');
  assert.equal(take(ar), 'hello world');
  // A full output takes nothing.
  for (let i = 0; i < 16; i++) assert.equal(bw.write(mem, 0, 4096), 4096);
  put(aw, 'more');
  assert.equal(ar.pipe.teeTo(bw.pipe, 4, undefined), 0);
  for (const e of [ar, aw, br, bw]) e.decRef();
});

test('append keeps a file page alignment; peek and consume', () => {
  const [r, w] = mkpipe();
  const src = new Uint8Array(10000).map((_, i) => i % 251);
  assert.equal(r.pipe.append(src, 0, 5000, 4000), 5000);
  assert.equal(r.pipe.occupancy, 3); // 96 + 4096 + 808
  const peek = new Uint8Array(6000);
  assert.equal(r.pipe.peek(peek, 0, 6000), 5000);
  assert.deepEqual(peek.subarray(0, 5000), src.subarray(0, 5000));
  r.pipe.consume(100);
  assert.equal(r.pipe.queued, 4900);
  assert.equal(r.pipe.occupancy, 2);
  // Appending stops when the slots run out.
  assert.equal(r.pipe.append(new Uint8Array(70000), 0, 70000, 0), 14 * 4096);
  assert.equal(r.pipe.freeSlots, 0);
  r.decRef();
  w.decRef();
});

test('waitReadable and waitWritable wake when the state allows, or when interrupted', async () => {
  const [r, w] = mkpipe();
  const pr = r.pipe.waitReadable('reader');
  let woke = -1;
  void pr.then((v) => (woke = v));
  await Promise.resolve();
  assert.equal(woke, -1);
  put(w, 'x');
  await Promise.resolve();
  assert.equal(woke, 0);
  for (let i = 0; i < 15; i++) assert.equal(w.write(mem, 0, 4096), 4096);
  const pw = r.pipe.waitWritable('writer');
  let wrote = -1;
  void pw.then((v) => (wrote = v));
  assert.ok(interruptPipeWait('writer', -Errno.EINTR));
  await Promise.resolve();
  assert.equal(wrote, -Errno.EINTR);
  // The last end going wakes waiters too.
  const pw2 = w.pipe.waitWritable('writer2');
  r.decRef();
  assert.equal(await pw2, 0);
  w.decRef();
});
