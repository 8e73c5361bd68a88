// MemoryManager: brk, mremap, madvise, mincore, msync, shared memory,
// /proc/PID/maps, destroy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/linux/errno.js';
import {
  MADV_DODUMP, MADV_DOFORK, MADV_DONTFORK, MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_FREE, MADV_HWPOISON, MADV_NORMAL,
  MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_REMOVE, MADV_WILLNEED, MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_FIXED, MAP_GROWSDOWN,
  MAP_LOCKED, MAP_PRIVATE, MAP_SHARED, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, MS_ASYNC, MS_INVALIDATE, MS_SYNC,
  PROT_NONE, PROT_READ, PROT_WRITE,
} from '../../src/abi/linux/mman.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace, verifiedManager, verifyAddressSpace } from '../../src/mm/fake_address_space.js';
import { FAULT_SIGBUS, MemoryManager, type MemoryManagerOptions } from '../../src/mm/memory_manager.js';

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const PA = MAP_PRIVATE | MAP_ANONYMOUS;
const SA = MAP_SHARED | MAP_ANONYMOUS;

function setup(limitPages = 4096, opts?: MemoryManagerOptions) {
  const mf = MemoryFile.create({ limit: limitPages * P, windowSize: 64 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const as = new FakeAddressSpace();
  const mm = verifiedManager(new MemoryManager(mf, as, opts), as, mf); // checked after every call
  const check = (): void => assert.deepEqual(verifyAddressSpace(mm, as, mf), []);
  const touch = (addr: number, write = true, value = 1): number => as.access(mf, mm, addr, write, value);
  const fill = (addr: number, pages: number, seed: number): void => {
    const b = new Uint8Array(pages * P);
    for (let i = 0; i < b.length; i++) b[i] = (i * 7 + seed) & 0xff;
    assert.equal(mm.writeBytes(addr, b, 0, b.length), 0);
  };
  const expectFill = (addr: number, pages: number, seed: number): void => {
    const b = new Uint8Array(pages * P);
    assert.equal(mm.readBytes(addr, b, 0, b.length), 0);
    for (let i = 0; i < b.length; i++) if (b[i] !== ((i * 7 + seed) & 0xff)) assert.fail(`byte ${i} at ${addr.toString(16)} is ${b[i]}`);
  };
  const zeros = (addr: number, len: number): boolean => {
    const b = new Uint8Array(len).fill(0xee);
    assert.equal(mm.readBytes(addr, b, 0, len), 0);
    return b.every((x) => x === 0);
  };
  return { mf, as, mm, check, touch, fill, expectFill, zeros };
}

test('brk: start, grow, write, shrink frees, blocked by a mapping, never an errno', () => {
  const { mf, mm, check, zeros } = setup();
  assert.equal(mm.brk(0), 0); // no heap yet
  mm.setBrkStart(0x555555560123);
  const s = 0x555555561000;
  assert.equal(mm.brkStart, s);
  assert.equal(mm.brk(0), s);
  assert.equal(mm.brk(s - 1), s);
  assert.equal(mm.brk(s + 100), s + 100);
  assert.equal(mm.vmas.find(s)?.end, s + P);
  assert.equal(mm.brk(s + 10 * P + 1), s + 10 * P + 1);
  assert.equal(mm.vmas.count, 1);
  assert.equal(mm.vmas.find(s)?.end, s + 11 * P);
  const ones = new Uint8Array(11 * P).fill(1);
  assert.equal(mm.writeBytes(s, ones, 0, ones.length), 0);
  assert.equal(mf.usedBytes, 11 * P);
  assert.match(mm.procMaps(), /^555555561000-55555556c000 rw-p 00000000 00:00 0 {26}\[heap\]$/m);
  assert.equal(mm.brk(s + P), s + P);
  assert.equal(mf.usedBytes, P);
  assert.equal(mm.readBytes(s + 5 * P, ones, 0, 1), -Errno.EFAULT);
  assert.equal(mm.brk(s + 2 * P), s + 2 * P);
  assert.ok(zeros(s + P, P)); // the regrown page is fresh
  assert.equal(mm.mmap(s + 20 * P, P, RW, PA | MAP_FIXED, -1, 0), s + 20 * P);
  assert.equal(mm.brk(s + 19 * P + 1), s + 2 * P); // needs a page of room below the next mapping
  assert.equal(mm.brk(s + 19 * P), s + 19 * P);
  assert.equal(mm.brk(s + 2 ** 40), s + 19 * P); // over the commit limit
  assert.equal(mm.brk(2 ** 64), s + 19 * P);
  check();
});

test('mremap: grow in place, move keeping contents, shrink, MREMAP_FIXED, MREMAP_DONTUNMAP', () => {
  const { mf, as, mm, check, touch, fill, expectFill, zeros } = setup();
  const X = 0x40000000;
  assert.equal(mm.mmap(X, 64 * P, RW, PA, -1, 0), X);
  fill(X, 64, 1);
  assert.equal(touch(X), 0); // some pages mapped in the stub too
  assert.equal(mm.mremap(X, 64 * P, 96 * P, 0, 0), X);
  assert.equal(mm.vmas.find(X)?.end, X + 96 * P);
  assert.equal(mm.mmap(X + 96 * P, 16 * P, PROT_READ, PA | MAP_FIXED, -1, 0), X + 96 * P);
  assert.equal(mm.mremap(X, 96 * P, 128 * P, 0, 0), -Errno.ENOMEM); // no room, may not move
  const used = mf.usedBytes;
  const Y = mm.mremap(X, 96 * P, 128 * P, MREMAP_MAYMOVE, 0);
  assert.ok(Y > 0 && Y !== X);
  assert.equal(mf.usedBytes, used); // pages moved, not copied
  expectFill(Y, 64, 1);
  assert.ok(zeros(Y + 64 * P, 64 * P));
  assert.equal(mm.vmas.find(X), undefined);
  assert.ok(mm.vmas.find(X + 96 * P));
  assert.equal(as.pages.get(Y / P)?.prot, RW); // pages that were mapped are mapped again at once
  check();
  assert.equal(mm.mremap(Y, 128 * P, 32 * P, 0, 0), Y);
  assert.equal(mm.vmas.find(Y)?.end, Y + 32 * P);
  assert.equal(mf.usedBytes, 32 * P);
  const Z = 0x50000000;
  assert.equal(mm.mmap(Z, 8 * P, RW, PA, -1, 0), Z); // MREMAP_FIXED unmaps what is there
  assert.equal(mm.mremap(Y, 32 * P, 32 * P, MREMAP_MAYMOVE | MREMAP_FIXED, Z), Z);
  expectFill(Z, 32, 1);
  assert.equal(mf.usedBytes, 32 * P);
  check();
  const W = mm.mremap(Z, 16 * P, 16 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
  assert.ok(W > 0);
  expectFill(W, 16, 1);
  assert.ok(mm.vmas.find(Z)); // still mapped...
  assert.ok(zeros(Z, 16 * P)); // ...but empty
  const b = new Uint8Array(P);
  assert.equal(mm.readBytes(Z + 16 * P, b, 0, P), 0);
  assert.equal(b[0], (16 * P * 7 + 1) & 0xff); // the rest did not move
  check();
});

test('mremap: errors', () => {
  const { mm, check } = setup();
  const X = 0x40000000;
  mm.mmap(X, 16 * P, RW, PA, -1, 0);
  mm.mmap(X + 16 * P, 16 * P, PROT_READ, PA, -1, 0);
  assert.equal(mm.mremap(X, P, P, 8, 0), -Errno.EINVAL);
  assert.equal(mm.mremap(X, P, P, 2 ** 32 + MREMAP_MAYMOVE, 0), -Errno.EINVAL);
  assert.equal(mm.mremap(X, P, 2 * P, MREMAP_FIXED, X + 64 * P), -Errno.EINVAL);
  assert.equal(mm.mremap(X, P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), -Errno.EINVAL);
  assert.equal(mm.mremap(X, P, P, MREMAP_DONTUNMAP, 0), -Errno.EINVAL);
  assert.equal(mm.mremap(X + 1, P, 2 * P, 0, 0), -Errno.EINVAL);
  assert.equal(mm.mremap(X, P, 0, 0, 0), -Errno.EINVAL);
  assert.equal(mm.mremap(0x60000000, P, 2 * P, MREMAP_MAYMOVE, 0), -Errno.EFAULT);
  assert.equal(mm.mremap(X, 24 * P, 32 * P, MREMAP_MAYMOVE, 0), -Errno.EFAULT); // spans two VMAs
  assert.equal(mm.mremap(X, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, X + 2 * P), -Errno.EINVAL); // overlap
  assert.equal(mm.mremap(X, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, X + 64 * P + 1), -Errno.EINVAL);
  assert.equal(mm.mremap(X, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x1000), -Errno.EPERM);
  assert.equal(mm.mremap(X, 0, 4 * P, MREMAP_MAYMOVE, 0), -Errno.EINVAL); // duplicating private memory
  assert.equal(mm.mremap(X, 4 * P, 8 * P, 0, 0), -Errno.ENOMEM); // not at the end of its VMA
  assert.equal(mm.mremap(X, 4 * P, 4 * P, 0, 0), X);
  assert.equal(mm.vmas.count, 2);
  check();
});

test('shared anonymous memory: one object behind every mapping, SIGBUS past its end, /dev/zero in maps', () => {
  const { mf, mm, check, touch } = setup();
  const s = mm.mmap(0, 16 * P, RW, SA, -1, 0);
  assert.equal(touch(s, true, 7), 0);
  const d = mm.mremap(s, 0, 16 * P, MREMAP_MAYMOVE, 0); // old_size 0 duplicates a shared mapping
  assert.ok(d > 0 && d !== s);
  assert.equal(touch(d, false), 7);
  assert.equal(touch(d + 1, true, 8), 0);
  assert.equal(touch(s + 1, false), 8);
  const ino = mm.vmas.find(s)!.obj!.ino;
  assert.equal(mm.vmas.find(d)!.obj!.ino, ino);
  const maps = mm.procMaps();
  assert.equal((maps.match(new RegExp(`rw-s 00000000 00:01 ${ino} +/dev/zero \\(deleted\\)`, 'g')) ?? []).length, 2);
  const used = mf.usedBytes;
  assert.equal(mm.munmap(s, 16 * P), 0);
  assert.equal(mf.usedBytes, used); // the other mapping keeps the object
  const g = mm.mremap(d, 16 * P, 32 * P, MREMAP_MAYMOVE, 0); // grown: the object is not
  assert.ok(g > 0);
  assert.equal(touch(g + 1, false), 8);
  assert.equal(mm.handleFault(g + 20 * P, 1), FAULT_SIGBUS);
  assert.equal(mm.readBytes(g + 20 * P, new Uint8Array(1), 0, 1), -Errno.EFAULT);
  check();
  assert.equal(mm.munmap(g, 32 * P), 0);
  assert.equal(mf.usedBytes, 0);
  check();
});

test('madvise: DONTNEED zeroes private memory and frees it; shared memory keeps its data', () => {
  const { mf, as, mm, check, touch, fill, expectFill, zeros } = setup();
  const X = 0x40000000;
  mm.mmap(X, 64 * P, RW, PA, -1, 0);
  fill(X, 64, 3);
  touch(X + 8 * P);
  assert.equal(mf.usedBytes, 64 * P);
  assert.equal(mm.madvise(X + 8 * P, 8 * P, MADV_DONTNEED), 0);
  assert.equal(mf.usedBytes, 56 * P);
  assert.equal(as.pages.has((X + 8 * P) / P), false);
  assert.ok(zeros(X + 8 * P, 8 * P));
  expectFill(X, 8, 3);
  assert.equal(mm.madvise(X + 16 * P, 8 * P, MADV_FREE), 0);
  assert.ok(zeros(X + 16 * P, 8 * P));
  assert.equal(mf.usedBytes, 48 * P);
  assert.equal(touch(X + 9 * P, false), 0);
  check();
  const s = mm.mmap(0, 4 * P, RW, SA, -1, 0);
  assert.equal(touch(s, true, 5), 0);
  assert.equal(mm.madvise(s, 4 * P, MADV_DONTNEED), 0);
  assert.equal(touch(s, false), 5);
  assert.equal(mm.madvise(s, 4 * P, MADV_FREE), -Errno.EINVAL);
  assert.equal(mm.madvise(s, 4 * P, MADV_WIPEONFORK), -Errno.EINVAL);
  const d = mm.mremap(s, 0, 4 * P, MREMAP_MAYMOVE, 0);
  const used = mf.usedBytes;
  assert.equal(mm.madvise(s, 4 * P, MADV_REMOVE), 0); // zeroes the object for every mapping
  assert.equal(touch(d, false), 0);
  assert.equal(touch(s, false), 0);
  assert.equal(mf.usedBytes, used);
  assert.equal(mm.madvise(X, P, MADV_REMOVE), -Errno.EINVAL); // private memory
  check();
});

test('madvise: errors, holes, flags that split VMAs, populate', () => {
  const { as, mm, check } = setup();
  const X = 0x40000000;
  mm.mmap(X, 64 * P, RW, PA, -1, 0);
  assert.equal(mm.madvise(X, P, 999), -Errno.EINVAL);
  assert.equal(mm.madvise(X, P, 102), -Errno.EINVAL); // guard regions: not offered
  assert.equal(mm.madvise(X + 1, P, MADV_NORMAL), -Errno.EINVAL);
  assert.equal(mm.madvise(X, 2 ** 64 - 1, MADV_NORMAL), -Errno.EINVAL);
  assert.equal(mm.madvise(0, 0, 999), -Errno.EINVAL);
  assert.equal(mm.madvise(0, 0, MADV_DONTNEED), 0);
  assert.equal(mm.madvise(X, P, MADV_HWPOISON), -Errno.EPERM);
  assert.equal(mm.madvise(0x60000000, P, MADV_WILLNEED), -Errno.ENOMEM);
  assert.equal(mm.madvise(X - P, 2 * P, MADV_WILLNEED), -Errno.ENOMEM);
  assert.equal(mm.madvise(X + P, P, MADV_DONTFORK), 0);
  assert.equal(mm.vmas.count, 3);
  assert.equal(mm.madvise(X + P, P, MADV_DOFORK), 0);
  assert.equal(mm.vmas.count, 1);
  assert.equal(mm.madvise(X, 64 * P, MADV_DODUMP), 0);
  assert.equal(mm.vmas.count, 1);
  const ro = mm.mmap(0x50000000, 4 * P, PROT_READ, PA, -1, 0);
  const none = mm.mmap(0x51000000, 4 * P, PROT_NONE, PA, -1, 0);
  assert.equal(mm.madvise(ro, 4 * P, MADV_POPULATE_WRITE), -Errno.EINVAL);
  assert.equal(mm.madvise(ro, 4 * P, MADV_POPULATE_READ), 0);
  assert.equal(mm.madvise(none, 4 * P, MADV_POPULATE_READ), -Errno.EINVAL);
  assert.equal(mm.madvise(X + 64 * P - P, 2 * P, MADV_POPULATE_WRITE), -Errno.ENOMEM);
  const before = as.pages.size;
  assert.equal(mm.madvise(X + 32 * P, 20 * P, MADV_POPULATE_WRITE), 0);
  assert.equal(as.pages.size, before + 20);
  const locked = mm.mmap(0x52000000, 4 * P, RW, PA | MAP_LOCKED, -1, 0);
  assert.equal(mm.madvise(locked, P, MADV_DONTNEED), -Errno.EINVAL);
  assert.equal(mm.madvise(locked, P, MADV_DONTNEED_LOCKED), 0);
  check();
});

test('mincore: one byte per page, errors', () => {
  const { mm, check } = setup();
  const X = 0x40000000;
  mm.mmap(X, 64 * P, RW, PA, -1, 0);
  const one = new Uint8Array([1]);
  assert.equal(mm.writeBytes(X, one, 0, 1), 0);
  assert.equal(mm.writeBytes(X + 40 * P + 5, one, 0, 1), 0);
  const V = mm.mmap(0x50000000, P, RW, PA, -1, 0);
  assert.equal(mm.mincore(X, 64 * P, V), 0);
  const vec = new Uint8Array(64);
  assert.equal(mm.readBytes(V, vec, 0, 64), 0);
  const expect = new Uint8Array(64);
  expect[0] = 1;
  expect[40] = 1;
  assert.deepEqual(vec, expect);
  assert.equal(mm.mincore(X + 40 * P, 1, V + 100), 0);
  assert.equal(mm.readU32(V + 100) & 0xffff, 1);
  assert.equal(mm.mincore(X + 1, P, V), -Errno.EINVAL);
  assert.equal(mm.mincore(0x60000000, P, V), -Errno.ENOMEM);
  assert.equal(mm.mincore(X, 65 * P, V), -Errno.ENOMEM);
  assert.equal(mm.mincore(X, 2 ** 47, V), -Errno.ENOMEM);
  assert.equal(mm.mincore(X, P, 0x60000000), -Errno.EFAULT);
  assert.equal(mm.mincore(X, P, 2 ** 47 - 1), -Errno.EFAULT);
  assert.equal(mm.mprotect(V, P, PROT_READ), 0);
  assert.equal(mm.mincore(X, P, V), -Errno.EFAULT);
  assert.equal(mm.mincore(X, 0, V), 0);
  const s = mm.mmap(0x58000000, 32 * P, RW, SA, -1, 0); // large enough to be populated lazily
  const d = mm.mremap(s, 0, 32 * P, MREMAP_MAYMOVE, 0);
  assert.equal(mm.writeBytes(s, one, 0, 1), 0);
  assert.equal(mm.mincore(d, 2 * P, X + 8 * P), 0); // resident in the object counts
  assert.equal(mm.readU32(X + 8 * P) & 0xffff, 1);
  check();
});

test('msync: validation only for anonymous memory', () => {
  const { mm, check } = setup();
  const X = 0x40000000;
  mm.mmap(X, 16 * P, RW, PA, -1, 0);
  assert.equal(mm.msync(X, P, 0), 0);
  assert.equal(mm.msync(X, P, MS_SYNC), 0);
  assert.equal(mm.msync(X, P, MS_SYNC | MS_ASYNC), -Errno.EINVAL);
  assert.equal(mm.msync(X, P, 8), -Errno.EINVAL);
  assert.equal(mm.msync(X + 1, P, MS_SYNC), -Errno.EINVAL);
  assert.equal(mm.msync(X, 0, MS_SYNC), 0);
  assert.equal(mm.msync(X, 32 * P, MS_SYNC), -Errno.ENOMEM);
  assert.equal(mm.msync(X - P, 2 * P, MS_ASYNC), -Errno.ENOMEM);
  assert.equal(mm.msync(X - P, 2 * P, MS_SYNC), -Errno.ENOMEM);
  assert.equal(mm.msync(0x60000000, P, MS_ASYNC), -Errno.ENOMEM);
  assert.equal(mm.msync(X, P, MS_INVALIDATE), 0);
  const l = mm.mmap(0x50000000, P, RW, PA | MAP_LOCKED, -1, 0);
  assert.equal(mm.msync(l, P, MS_INVALIDATE), -Errno.EBUSY);
  assert.equal(mm.msync(l, P, MS_SYNC), 0);
  check();
});

test('procMaps: format, heap, stack, names', () => {
  const { mm, check } = setup();
  mm.setBrkStart(0x555555559000);
  mm.brk(0x55555555b000);
  mm.mmap(0x7f0000000000, 2 * P, PROT_READ, PA | MAP_FIXED, -1, 0);
  mm.mmap(0x7f0000004000, 2 * P, RW, PA | MAP_FIXED, -1, 0);
  assert.equal(mm.setVmaName(0x7f0000004000, P, 'buf'), 0);
  assert.equal(mm.setVmaName(0x7f0000004000, P, 'bad[name'), -Errno.EINVAL);
  assert.equal(mm.setVmaName(0x7f0000004000, P, 'x'.repeat(80)), -Errno.EINVAL);
  const s = mm.mmap(0x7f0000010000, P, RW, SA | MAP_FIXED, -1, 0);
  const ino = mm.vmas.find(s)!.obj!.ino;
  mm.mmap(0x7fffffe00000 - 8 * P, 8 * P, RW, PA | MAP_GROWSDOWN | MAP_FIXED, -1, 0);
  mm.setStackStart(0x7fffffe00000 - 100);
  const pad = (prefix: string, name: string): string => prefix.padEnd(72, ' ') + ' ' + name;
  const expected = [
    pad('555555559000-55555555b000 rw-p 00000000 00:00 0 ', '[heap]'),
    '7f0000000000-7f0000002000 r--p 00000000 00:00 0 ',
    pad('7f0000004000-7f0000005000 rw-p 00000000 00:00 0 ', '[anon:buf]'),
    '7f0000005000-7f0000006000 rw-p 00000000 00:00 0 ',
    pad(`7f0000010000-7f0000011000 rw-s 00000000 00:01 ${ino} `, '/dev/zero (deleted)'),
    pad('7fffffdf8000-7fffffe00000 rw-p 00000000 00:00 0 ', '[stack]'),
    '',
  ].join('\n');
  assert.equal(mm.procMaps(), expected);
  assert.equal(expected.split('\n')[0], '555555559000-55555555b000 rw-p 00000000 00:00 0                          [heap]');
  assert.equal(mm.setVmaName(0x7f0000004000, P, null), 0);
  assert.equal(mm.vmas.count, 5); // merged back once the name is gone
  check();
});

test('destroy frees every page and leaves the stub empty', () => {
  const { mf, as, mm, touch } = setup();
  const a = mm.mmap(0x40000000, 64 * P, RW, PA, -1, 0);
  const s = mm.mmap(0, 16 * P, RW, SA, -1, 0);
  mm.mremap(s, 0, 16 * P, MREMAP_MAYMOVE, 0);
  touch(a);
  touch(s);
  assert.ok(mf.usedBytes > 0);
  const calls = as.totalCalls;
  mm.destroy();
  assert.equal(as.totalCalls, calls + 1);
  assert.equal(mf.usedBytes, 0);
  assert.equal(as.pages.size, 0);
  assert.equal(mm.vmas.count, 0);
  assert.equal(mm.procMaps(), '');
});
