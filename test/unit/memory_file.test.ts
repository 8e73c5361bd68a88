import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Errno } from '../../src/abi/linux/errno.js';
import { HeapBackend } from '../../src/memory/backend.js';
import { ExtentAllocator } from '../../src/memory/extent_allocator.js';
import { MemoryFile, PAGE_SIZE } from '../../src/memory/memory_file.js';

const P = PAGE_SIZE;

function heapFile(limitPages: number, windowPages = 4, filePages = 2 * limitPages): MemoryFile {
  const mf = MemoryFile.create({ limit: limitPages * P, windowSize: windowPages * P, fileSize: filePages * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  return mf;
}

test('extent allocator: first fit, coalescing, double free', () => {
  const a = new ExtentAllocator(100);
  assert.equal(a.alloc(10), 0);
  assert.equal(a.alloc(10), 10);
  assert.equal(a.alloc(10), 20);
  assert.equal(a.freePages, 70);
  assert.equal(a.free(10, 10), true);
  assert.equal(a.extentCount, 2);
  assert.equal(a.alloc(5), 10); // first fit reuses the hole
  assert.equal(a.free(10, 5), true);
  assert.equal(a.free(0, 10), true); // joins the hole above it
  assert.equal(a.extentCount, 2);
  assert.equal(a.free(20, 10), true); // joins both sides: one extent again
  assert.equal(a.extentCount, 1);
  assert.equal(a.freePages, 100);
  assert.equal(a.free(0, 1), false); // already free
  assert.equal(a.free(99, 2), false); // out of range
  assert.equal(a.alloc(101), -1);
  assert.equal(a.alloc(100), 0);
  assert.equal(a.alloc(1), -1);
  assert.equal(a.isAllocated(0, 100), true);
});

test('extent allocator: finds a fit beyond the bounded scan', () => {
  const a = new ExtentAllocator(1000);
  assert.equal(a.alloc(1000), 0);
  // 40 one-page holes, then a 5-page hole, then the rest allocated.
  for (let i = 0; i < 40; i++) assert.equal(a.free(i * 2, 1), true);
  assert.equal(a.free(500, 5), true);
  assert.equal(a.extentCount, 41);
  assert.equal(a.alloc(5), 500);
  assert.equal(a.alloc(2), -1);
  assert.equal(a.alloc(1), 0);
  assert.equal(a.isAllocated(0, 2), true);
  assert.equal(a.isAllocated(2, 2), false);
});

test('MemoryFile: allocate, limit, usedBytes, free zeroes', () => {
  const mf = heapFile(8);
  assert.equal(mf.limit, 8 * P);
  assert.equal(mf.allocate(0), -Errno.EINVAL);
  const a = mf.allocate(3 * P);
  assert.equal(a, 0);
  const b = mf.allocate(1); // rounds up to a page
  assert.equal(b, 3 * P);
  assert.equal(mf.usedBytes, 4 * P);
  assert.equal(mf.allocate(5 * P), -Errno.ENOMEM); // over the limit
  assert.equal(mf.allocate(4 * P), 4 * P);
  assert.equal(mf.usedBytes, 8 * P);
  assert.equal(mf.allocate(P), -Errno.ENOMEM);
  const v = mf.bytes(a + 10, 4)!;
  v.set([1, 2, 3, 4]);
  assert.equal(mf.free(a, 3 * P), 0);
  assert.equal(mf.usedBytes, 5 * P);
  assert.equal(mf.free(a, P), -Errno.EINVAL); // double free
  assert.equal(mf.free(a + 1, P), -Errno.EINVAL); // unaligned
  assert.equal(mf.usedBytes, 5 * P);
  assert.deepEqual([...mf.bytes(a + 10, 4)!], [0, 0, 0, 0]);
  assert.equal(mf.allocate(3 * P), 0); // reused, and zero
});

test('MemoryFile: windows, bytes() inside one window, segments across windows', () => {
  const mf = heapFile(16, 2); // two pages per window
  assert.equal(mf.windowSize, 2 * P);
  const off = mf.allocate(4 * P);
  assert.equal(off, 0);
  assert.equal(mf.bytes(P, 2 * P), null); // crosses a window boundary
  const inOne = mf.bytes(P, P)!;
  assert.equal(inOne.length, P);
  const src = new Uint8Array(3 * P);
  for (let i = 0; i < src.length; i++) src[i] = i % 251;
  assert.equal(mf.write(100, src, 0, src.length), true);
  const pieces: number[] = [];
  const firsts: number[] = [];
  const got = mf.forEachSegment(100, 3 * P, (buf, o, n) => {
    assert.equal(buf.length, 2 * P); // a whole window
    pieces.push(n);
    firsts.push(buf[o]);
    return n;
  });
  assert.equal(got, 3 * P);
  assert.deepEqual(pieces, [2 * P - 100, P + 100]);
  assert.deepEqual(firsts, [0, (2 * P - 100) % 251]);
  const dst = new Uint8Array(3 * P);
  assert.equal(mf.read(100, dst, 0, dst.length), true);
  assert.deepEqual(dst, src);
  // A short consumer stops the walk.
  assert.equal(mf.forEachSegment(0, 4 * P, (_b, _o, n) => n - 1), 2 * P - 1);
  assert.equal(mf.forEachSegment(mf.size - P, 2 * P, () => 1), -Errno.EFAULT);
});

test('HeapBackend: punch zeroes, windows must be whole chunks', () => {
  const b = new HeapBackend(8 * P, 2 * P);
  const w = new Uint8Array(b.window(2 * P, 2 * P));
  w.fill(7);
  assert.equal(b.punch(3 * P, P), 0);
  assert.equal(w[0], 7);
  assert.equal(w[P], 0);
  assert.equal(b.punchedBytes, P);
  assert.equal(b.punch(1, P), -Errno.EINVAL);
  assert.throws(() => b.window(P, 2 * P));
  assert.equal(new Uint8Array(b.window(2 * P, 2 * P))[0], 7); // same storage
});

test('MemoryFile.create: option validation', () => {
  assert.equal(MemoryFile.create({ limit: 4 * P, windowSize: 3000, inProcess: true }), -Errno.EINVAL);
  assert.equal(MemoryFile.create({ limit: 4 * P, windowSize: 2 ** 31, inProcess: true }), -Errno.EINVAL);
  assert.equal(MemoryFile.create({ limit: 4 * P, fileSize: 2 * P, inProcess: true }), -Errno.EINVAL);
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const haveAddon = fs.existsSync(path.join(root, 'build', 'Release', 'tsvisor.node'));

test('MemoryFile on the native memfd backend', { skip: !haveAddon && 'addon not built' }, () => {
  const mf = MemoryFile.create({ limit: 64 * P, windowSize: 16 * P });
  assert.ok(mf instanceof MemoryFile);
  assert.ok(mf.fd >= 0);
  const off = mf.allocate(20 * P);
  assert.equal(off, 0);
  const data = new Uint8Array(20 * P).fill(0xab);
  assert.equal(mf.write(off, data, 0, data.length), true);
  // Two windows over the same file see the same bytes.
  assert.equal(mf.windowBytes(1)![0], 0xab);
  assert.equal(mf.free(off + 16 * P, 4 * P), 0); // punches the second window's pages
  assert.equal(mf.windowBytes(1)![0], 0);
  assert.equal(mf.windowBytes(0)![15 * P], 0xab);
});
