// MemoryManager.fork: copy-on-write address spaces. Every step checks all
// live managers together (page owners counted by the MemoryFile, stubs
// against page tables, MemoryFile usage against the distinct pages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/linux/errno.js';
import {
  MADV_DONTFORK, MADV_DONTNEED, MADV_POPULATE_WRITE, MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_FIXED, MAP_LOCKED, MAP_NORESERVE,
  MAP_PRIVATE, MAP_SHARED, MREMAP_FIXED, MREMAP_MAYMOVE, PROT_EXEC, PROT_READ, PROT_WRITE, SEGV_ACCERR,
} from '../../src/abi/linux/mman.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace, verifyAddressSpace, type ManagedSpace } from '../../src/mm/fake_address_space.js';
import { FAULT_OOM, FAULT_RESOLVED, MemoryManager } from '../../src/mm/memory_manager.js';

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const PA = MAP_PRIVATE | MAP_ANONYMOUS;
const X = 0x40000000;

interface Space {
  mm: MemoryManager;
  as: FakeAddressSpace;
}

function setup(limitPages = 8192) {
  const mf = MemoryFile.create({ limit: limitPages * P, windowSize: 64 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const live: ManagedSpace[] = [];
  const spawn = (): Space => {
    const as = new FakeAddressSpace();
    const mm = new MemoryManager(mf, as);
    live.push({ mm, as });
    return { mm, as };
  };
  const fork = (parent: Space): Space => {
    const as = new FakeAddressSpace();
    const mm = parent.mm.fork(as);
    assert.ok(mm instanceof MemoryManager);
    live.push({ mm, as });
    return { mm, as };
  };
  const destroy = (s: Space): void => {
    s.mm.destroy();
    live.splice(live.findIndex((l) => l.mm === s.mm), 1);
  };
  const check = (): void => {
    if (live.length > 0) assert.deepEqual(verifyAddressSpace(live[0].mm, live[0].as, mf, live), []);
    else assert.equal(mf.usedBytes, 0);
  };
  /** A guest access of one byte through the fake stub (faults handled): the byte read, 0 for a write, or -si_code. */
  const touch = (s: Space, addr: number, write = false, value = 0): number => s.as.access(mf, s.mm, addr, write, value);
  return { mf, spawn, fork, destroy, check, touch };
}

test('fork: nothing is copied; writes after fork stay on their side, both ways, over many pages', () => {
  const { mf, spawn, fork, destroy, check, touch } = setup();
  const parent = spawn();
  const n = 200;
  assert.equal(parent.mm.mmap(X, n * P, RW, PA, -1, 0), X);
  for (let i = 0; i < n; i++) assert.equal(touch(parent, X + i * P + 7, true, i & 0xff), 0);
  const used = mf.usedBytes;
  assert.equal(used, n * P);
  const calls = { ...parent.as.calls };
  const child = fork(parent);
  check();
  assert.equal(mf.usedBytes, used); // no page copied
  assert.equal(mf.sharedPages, n);
  assert.equal(child.as.pages.size, 0); // the child's stub starts empty
  assert.equal(child.as.totalCalls, 0);
  assert.equal(parent.as.calls.protect - calls.protect, 1); // one run: one protect
  assert.equal(parent.as.calls.map, calls.map);
  for (const m of parent.as.pages.values()) assert.equal(m.prot, PROT_READ);
  // Reading shares: no allocation on either side.
  for (let i = 0; i < n; i++) assert.equal(touch(child, X + i * P + 7), i & 0xff);
  for (let i = 0; i < n; i++) assert.equal(touch(parent, X + i * P + 7), i & 0xff);
  assert.equal(mf.usedBytes, used);
  check();
  // The child writes even pages, the parent odd ones.
  for (let i = 0; i < n; i += 2) assert.equal(touch(child, X + i * P + 7, true, 0xc0), 0);
  for (let i = 1; i < n; i += 2) assert.equal(touch(parent, X + i * P + 7, true, 0xa0), 0);
  check();
  for (let i = 0; i < n; i++) {
    assert.equal(touch(child, X + i * P + 7), i % 2 === 0 ? 0xc0 : i & 0xff, `child page ${i}`);
    assert.equal(touch(parent, X + i * P + 7), i % 2 === 1 ? 0xa0 : i & 0xff, `parent page ${i}`);
  }
  // Other bytes of copied pages came along.
  assert.equal(touch(child, X + 2 * P + 8), 0);
  assert.ok(mf.usedBytes > used && mf.usedBytes <= 2 * used);
  check();
  // With the child gone, the parent owns everything alone: writes copy nothing.
  destroy(child);
  check();
  const after = mf.usedBytes;
  for (let i = 0; i < n; i++) assert.equal(touch(parent, X + i * P, true, 1), 0);
  assert.equal(mf.usedBytes, after);
  for (let i = 0; i < n; i++) assert.equal(touch(parent, X + i * P + 7), i % 2 === 1 ? 0xa0 : i & 0xff);
  check();
  destroy(parent);
  check();
  assert.equal(mf.usedBytes, 0);
  assert.equal(mf.sharedPages, 0);
});

test('fork: faults map shared pages read-only, a write fault copies the fault-around window in one map', () => {
  const { mf, spawn, fork, check, touch } = setup();
  const parent = spawn();
  assert.equal(parent.mm.mmap(X, 64 * P, RW, PA, -1, 0), X);
  assert.equal(parent.mm.madvise(X, 64 * P, MADV_POPULATE_WRITE), 0);
  const child = fork(parent);
  const used = mf.usedBytes;
  assert.equal(touch(child, X + 20 * P), 0);
  assert.equal(child.as.calls.map, 1);
  assert.equal(child.as.pages.get(X / P + 20)?.prot, PROT_READ);
  assert.equal(child.as.pages.size, 16); // the read fault mapped its window, read-only
  const before = child.as.pages.get(X / P + 20)!.off;
  assert.equal(touch(child, X + 20 * P + 1, true, 9), 0);
  assert.equal(child.as.calls.map, 2);
  const m = child.as.pages.get(X / P + 20)!;
  assert.equal(m.prot, RW);
  assert.notEqual(m.off, before);
  assert.equal(mf.usedBytes, used + 16 * P); // the window [16, 32) was copied
  for (let p = 16; p < 32; p++) assert.equal(child.as.pages.get(X / P + p)?.prot, RW);
  check();
  // The parent's pages are still shared with nobody for [16, 32): its write takes them over.
  const pb = parent.as.pages.get(X / P + 20)?.off;
  assert.equal(touch(parent, X + 20 * P, true, 3), 0);
  assert.equal(parent.as.pages.get(X / P + 20)?.off, pb);
  assert.equal(mf.usedBytes, used + 16 * P);
  assert.equal(touch(child, X + 20 * P), 0);
  assert.equal(touch(child, X + 20 * P + 1), 9);
  check();
  // A genuine violation is still one: ACCERR on a page mapped with the VMA's whole protection
  // (after the retries granted to faults that raced with the mapping).
  let r = 0;
  for (let i = 0; i < 4 && r === 0; i++) r = child.mm.handleFault(X + 20 * P, SEGV_ACCERR);
  assert.equal(r, SEGV_ACCERR);
});

test('fork: executable memory copies only the page written, a stack one page each side', () => {
  const { mf, spawn, fork, check, touch } = setup();
  const parent = spawn();
  assert.equal(parent.mm.mmap(X, 32 * P, RW | PROT_EXEC, PA, -1, 0), X);
  assert.equal(parent.mm.madvise(X, 32 * P, MADV_POPULATE_WRITE), 0);
  const child = fork(parent);
  let used = mf.usedBytes;
  assert.equal(touch(child, X + 5 * P, true, 1), 0);
  assert.equal(mf.usedBytes, used + P);
  check();
  const stackTop = 0x7f0000000000;
  assert.equal(parent.mm.mmap(stackTop - 32 * P, 32 * P, RW, PA | MAP_FIXED | 0x100 /* MAP_GROWSDOWN */, -1, 0), stackTop - 32 * P);
  assert.equal(parent.mm.madvise(stackTop - 32 * P, 32 * P, MADV_POPULATE_WRITE), 0);
  const c2 = fork(parent);
  used = mf.usedBytes;
  assert.equal(touch(c2, stackTop - 10 * P, true, 1), 0);
  assert.equal(mf.usedBytes, used + 3 * P);
  check();
});

test('fork: shared anonymous mappings stay shared', () => {
  const { spawn, fork, destroy, check, touch } = setup();
  const parent = spawn();
  const a = parent.mm.mmap(0, 8 * P, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  assert.ok(a > 0);
  assert.equal(touch(parent, a + 3 * P, true, 5), 0);
  const child = fork(parent);
  check();
  assert.equal(touch(child, a + 3 * P), 5);
  assert.equal(touch(child, a + 3 * P, true, 6), 0);
  assert.equal(touch(parent, a + 3 * P), 6);
  assert.equal(touch(parent, a + 4 * P, true, 7), 0); // a page the parent populates after the fork
  assert.equal(touch(child, a + 4 * P), 7);
  assert.equal(parent.as.pages.get(a / P + 3)?.prot, RW); // shared pages are not write-protected
  check();
  destroy(parent);
  assert.equal(touch(child, a + 3 * P), 6);
  check();
  destroy(child);
  check();
});

test('fork: MADV_DONTFORK, MADV_WIPEONFORK, mlock, names, brk and mmap base', () => {
  const { spawn, fork, check, touch } = setup();
  const parent = spawn();
  parent.mm.setBrkStart(0x10000000);
  assert.equal(parent.mm.brk(0x10000000 + 3 * P), 0x10000000 + 3 * P);
  assert.equal(touch(parent, 0x10000000, true, 1), 0);
  const keep = parent.mm.mmap(X, 4 * P, RW, PA, -1, 0);
  const dont = parent.mm.mmap(X + 8 * P, 4 * P, RW, PA, -1, 0);
  const wipe = parent.mm.mmap(X + 16 * P, 4 * P, RW, PA, -1, 0);
  const locked = parent.mm.mmap(X + 24 * P, 4 * P, RW, PA | MAP_LOCKED, -1, 0);
  for (const b of [keep, dont, wipe, locked]) assert.equal(touch(parent, b + P, true, 0x11), 0);
  assert.equal(parent.mm.madvise(dont, 4 * P, MADV_DONTFORK), 0);
  assert.equal(parent.mm.madvise(wipe, 4 * P, MADV_WIPEONFORK), 0);
  assert.equal(parent.mm.setVmaName(keep, 4 * P, 'kept'), 0);
  parent.mm.setStackStart(locked + P);
  const child = fork(parent);
  check();
  assert.equal(touch(child, keep + P), 0x11);
  assert.equal(touch(child, dont + P), -1); // SEGV_MAPERR: no VMA
  assert.equal(touch(child, wipe + P), 0); // there, empty
  assert.equal(touch(child, locked + P), 0x11);
  assert.equal(touch(child, 0x10000000), 1);
  assert.equal(child.mm.currentBrk, 0x10000000 + 3 * P);
  assert.equal(child.mm.brk(0x10000000 + 5 * P), 0x10000000 + 5 * P);
  assert.equal(child.mm.mmapBase, parent.mm.mmapBase);
  assert.equal(child.mm.mmap(0, P, RW, PA, -1, 0), parent.mm.mmap(0, P, RW, PA, -1, 0));
  // The DONTFORK and WIPEONFORK pages were not write-protected in the parent.
  assert.equal(parent.as.pages.get(dont / P + 1)?.prot, RW);
  assert.equal(parent.as.pages.get(wipe / P + 1)?.prot, RW);
  assert.equal(touch(parent, wipe + P), 0x11);
  const lines = (mm: MemoryManager): string[] => mm.procMaps().trimEnd().split('\n');
  const pl = lines(parent.mm).filter((l) => !l.startsWith(dont.toString(16)));
  const cl = lines(child.mm);
  assert.deepEqual(cl.filter((l) => !l.includes('[heap]')), pl.filter((l) => !l.includes('[heap]')));
  assert.ok(cl.some((l) => l.endsWith('[anon:kept]')));
  assert.ok(cl.some((l) => l.endsWith('[stack]')));
  // mlock is not inherited: DONTNEED (EINVAL on locked memory) works in the child only.
  assert.equal(parent.mm.madvise(locked, P, MADV_DONTNEED), -Errno.EINVAL);
  assert.equal(child.mm.madvise(locked, P, MADV_DONTNEED), 0);
  check();
});

test('fork: kernel writes un-share (in one run), kernel reads do not', () => {
  const { mf, spawn, fork, check, touch } = setup();
  const parent = spawn();
  assert.equal(parent.mm.mmap(X, 64 * P, RW, PA, -1, 0), X);
  const data = new Uint8Array(64 * P);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  assert.equal(parent.mm.writeBytes(X, data, 0, data.length), 0);
  const child = fork(parent);
  const used = mf.usedBytes;
  const back = new Uint8Array(data.length);
  assert.equal(child.mm.readBytes(X, back, 0, back.length), 0);
  assert.deepEqual(back, data);
  assert.equal(child.mm.readU32(X + 100), new DataView(data.buffer).getUint32(100, true));
  assert.equal(mf.usedBytes, used);
  // The parent has its pages mapped read-only now: a kernel write copies them and remaps.
  assert.equal(touch(parent, X + 40 * P), data[40 * P]);
  const src = new Uint8Array(10 * P).fill(0xee);
  assert.equal(parent.mm.writeBytes(X + 35 * P + 5, src, 0, src.length), 0);
  assert.equal(mf.usedBytes, used + 11 * P);
  assert.equal(parent.as.pages.get(X / P + 40)?.prot, RW); // remapped to the copy
  assert.equal(touch(parent, X + 40 * P), 0xee);
  assert.equal(touch(child, X + 40 * P), data[40 * P]);
  assert.equal(child.mm.writeU32(X + 4, 0xdeadbeef), 0);
  assert.equal(child.mm.readU32(X + 4), 0xdeadbeef);
  assert.equal(parent.mm.readU32(X + 4), new DataView(data.buffer).getUint32(4, true));
  assert.equal(child.mm.writeU64(X + 2 * P - 4, 2 ** 40 + 5), 0); // crosses a page: the slow path
  assert.equal(child.mm.readU64(X + 2 * P - 4), 2 ** 40 + 5);
  const eight = new Uint8Array(8);
  assert.equal(parent.mm.readBytes(X + 2 * P - 4, eight, 0, 8), 0);
  assert.deepEqual(eight, data.subarray(2 * P - 4, 2 * P + 4));
  const seg = child.mm.forEachSegment(X + 50 * P, 3 * P, true, (buf, off, len) => {
    buf.fill(0x33, off, off + len);
    return len;
  });
  assert.equal(seg, 3 * P);
  assert.equal(touch(child, X + 51 * P), 0x33);
  assert.equal(touch(parent, X + 51 * P), data[51 * P]);
  check();
});

test('fork: munmap, mremap, MADV_DONTNEED and brk of shared pages release one owner', () => {
  const { mf, spawn, fork, destroy, check, touch } = setup();
  const parent = spawn();
  parent.mm.setBrkStart(0x10000000);
  assert.equal(parent.mm.brk(0x10000000 + 8 * P), 0x10000000 + 8 * P);
  assert.equal(parent.mm.mmap(X, 32 * P, RW, PA, -1, 0), X);
  for (let i = 0; i < 32; i++) assert.equal(touch(parent, X + i * P, true, i + 1), 0);
  for (let i = 0; i < 8; i++) assert.equal(touch(parent, 0x10000000 + i * P, true, 0x50 + i), 0);
  const child = fork(parent);
  const used = mf.usedBytes;
  // munmap in the child: the parent keeps the pages.
  assert.equal(child.mm.munmap(X, 8 * P), 0);
  assert.equal(mf.usedBytes, used);
  check();
  assert.equal(touch(parent, X + 3 * P), 4);
  // The parent writes them: nobody else owns them any more, so no copy.
  assert.equal(touch(parent, X + 3 * P, true, 40), 0);
  assert.equal(mf.usedBytes, used);
  // mremap moves shared pages, copy-on-write still.
  const moved = parent.mm.mremap(X + 8 * P, 8 * P, 16 * P, MREMAP_MAYMOVE | MREMAP_FIXED, X + 0x100000);
  assert.equal(moved, X + 0x100000);
  check();
  assert.equal(touch(parent, moved + 2 * P), 11);
  assert.equal(touch(parent, moved + 2 * P, true, 99), 0);
  assert.equal(touch(child, X + 10 * P), 11);
  assert.equal(touch(parent, moved + 2 * P), 99);
  check();
  // DONTNEED in the child: its view reads zeros, the parent's is intact.
  assert.equal(child.mm.madvise(X + 16 * P, 8 * P, MADV_DONTNEED), 0);
  assert.equal(touch(child, X + 17 * P), 0);
  assert.equal(touch(parent, X + 17 * P), 18);
  check();
  // brk shrink in the child.
  assert.equal(child.mm.brk(0x10000000 + 2 * P), 0x10000000 + 2 * P);
  assert.equal(touch(parent, 0x10000000 + 5 * P), 0x55);
  assert.equal(touch(child, 0x10000000 + P), 0x51);
  check();
  // A private mapping replaced with MAP_FIXED in the parent.
  assert.equal(parent.mm.mmap(X + 24 * P, 8 * P, RW, PA | MAP_FIXED, -1, 0), X + 24 * P);
  assert.equal(touch(child, X + 25 * P), 26);
  check();
  destroy(parent);
  check();
  destroy(child);
  check();
  assert.equal(mf.usedBytes, 0);
});

test('fork: mprotect adding PROT_WRITE leaves shared pages read-only until written', () => {
  const { mf, spawn, fork, check, touch } = setup();
  const parent = spawn();
  assert.equal(parent.mm.mmap(X, 4 * P, RW, PA, -1, 0), X);
  assert.equal(touch(parent, X, true, 8), 0);
  assert.equal(parent.mm.mprotect(X, 4 * P, PROT_READ), 0);
  const child = fork(parent);
  assert.equal(child.mm.mprotect(X, 4 * P, RW), 0);
  assert.equal(parent.mm.mprotect(X, 4 * P, RW | PROT_EXEC), 0);
  assert.equal(touch(child, X), 8);
  assert.equal(child.as.pages.get(X / P)?.prot, PROT_READ);
  assert.equal(touch(parent, X), 8);
  assert.equal(parent.as.pages.get(X / P)?.prot, PROT_READ); // write-protected at the fork
  assert.equal(parent.mm.handleFault(X, 1 /* SEGV_MAPERR */), FAULT_RESOLVED);
  assert.equal(parent.as.pages.get(X / P)?.prot, PROT_READ | PROT_EXEC); // remapped: still without PROT_WRITE
  check();
  const used = mf.usedBytes;
  assert.equal(touch(child, X, true, 9), 0);
  assert.equal(mf.usedBytes, used + 4 * P); // the mapping (populated at mmap) is one window
  assert.equal(touch(parent, X), 8);
  assert.equal(touch(parent, X, true, 10), 0); // now alone: taken over
  assert.equal(mf.usedBytes, used + 4 * P);
  assert.equal(touch(child, X), 9);
  check();
});

test('fork: grandchildren, and parents exiting before their children, keep owner counts right', () => {
  const { mf, spawn, fork, destroy, check, touch } = setup();
  const p = spawn();
  assert.equal(p.mm.mmap(X, 16 * P, RW, PA, -1, 0), X);
  for (let i = 0; i < 16; i++) assert.equal(touch(p, X + i * P, true, i), 0);
  const c = fork(p);
  assert.equal(touch(c, X + P, true, 100), 0); // c copies [0, 16)
  const g = fork(c);
  const g2 = fork(c);
  check();
  assert.equal(touch(g, X + P), 100);
  destroy(c);
  check();
  assert.equal(touch(g, X + P, true, 101), 0);
  assert.equal(touch(g2, X + P), 100);
  assert.equal(touch(p, X + P), 1);
  destroy(p);
  check();
  const gg = fork(g2);
  destroy(g2);
  assert.equal(touch(gg, X + 2 * P), 2);
  assert.equal(touch(g, X + 2 * P), 2);
  check();
  destroy(gg);
  destroy(g);
  check();
  assert.equal(mf.usedBytes, 0);
  assert.equal(mf.sharedPages, 0);
});

test('fork: a large address space forks by walking its page table, and write-protects in few calls', () => {
  const { mf, spawn, fork, destroy, check, touch } = setup(1 << 16);
  const parent = spawn();
  // 1 GiB reserved, 80 MiB of it touched in 80 separate runs.
  const base = parent.mm.mmap(0, 1 << 30, RW, PA | MAP_NORESERVE, -1, 0);
  assert.ok(base > 0);
  const page = new Uint8Array(P).fill(1);
  for (let r = 0; r < 80; r++) {
    const a = base + r * (8 << 20);
    assert.equal(parent.mm.madvise(a, 1 << 20, MADV_POPULATE_WRITE), 0);
    assert.equal(parent.mm.writeBytes(a, page, 0, P), 0);
  }
  const used = mf.usedBytes;
  assert.equal(used, 80 << 20);
  const protects = parent.as.calls.protect;
  const unmaps = parent.as.calls.unmap;
  const t0 = performance.now();
  const child = fork(parent);
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `fork took ${ms} ms`);
  console.log(`# fork of 80 MiB touched in 1 GiB: ${ms.toFixed(1)} ms`);
  assert.equal(mf.usedBytes, used);
  assert.equal(parent.as.calls.protect - protects, 63); // 63 runs protected, the last in...
  assert.equal(parent.as.calls.unmap - unmaps, 1); // ...one unmap
  check();
  assert.equal(touch(child, base + 79 * (8 << 20)), 1);
  assert.equal(touch(parent, base + 79 * (8 << 20)), 1);
  destroy(parent);
  destroy(child);
  check();
});

test('fork: out of memory on a copy-on-write break falls back to one page, then FAULT_OOM', () => {
  const { mf, spawn, fork, check, touch } = setup(64);
  const parent = spawn();
  assert.equal(parent.mm.mmap(X, 48 * P, RW, PA, -1, 0), X);
  assert.equal(parent.mm.madvise(X, 48 * P, MADV_POPULATE_WRITE), 0);
  const child = fork(parent);
  assert.equal(parent.mm.mmap(X + 64 * P, 15 * P, RW, PA | MAP_FIXED, -1, 0), X + 64 * P);
  assert.equal(parent.mm.madvise(X + 64 * P, 15 * P, MADV_POPULATE_WRITE), 0);
  assert.equal(mf.usedBytes, 63 * P);
  // One page left: the window does not fit, the page does.
  assert.equal(touch(child, X + 5 * P), 0);
  assert.equal(child.mm.handleFault(X + 5 * P, SEGV_ACCERR), FAULT_RESOLVED);
  assert.equal(mf.usedBytes, 64 * P);
  check();
  assert.equal(touch(child, X + 6 * P), 0);
  assert.equal(child.mm.handleFault(X + 6 * P, SEGV_ACCERR), FAULT_OOM);
  assert.equal(child.mm.writeBytes(X + 7 * P, new Uint8Array(1), 0, 1), -Errno.EFAULT);
  check();
});

test('fork with hot pages: the stack and TLS pages are copied for the child and mapped; the parent\'s mapped pages are mapped in the child (read-only), in one batch; no write faults', () => {
  const { mf, spawn, destroy, check, touch } = setup();
  const parent = spawn();
  const code = X + 64 * P;
  assert.equal(parent.mm.mmap(X, 16 * P, RW, PA, -1, 0), X);
  assert.equal(parent.mm.mmap(code, 4 * P, PROT_READ | PROT_EXEC, PA, -1, 0), code);
  for (let i = 0; i < 16; i++) assert.equal(touch(parent, X + i * P, true, 10 + i), 0);
  assert.equal(touch(parent, code), 0);
  const sp = X + 5 * P + 64; // within 128 bytes of the page start: the page below is hot too
  const tls = X + 9 * P + 16;
  const used = mf.usedBytes;
  const as = new FakeAddressSpace();
  const mm = parent.mm.fork(as, { sp, tls, ip: code + 100 });
  assert.ok(mm instanceof MemoryManager);
  const child = { mm, as };
  const live = [parent, child];
  assert.deepEqual(verifyAddressSpace(parent.mm, parent.as, mf, live), []);
  assert.equal(mf.usedBytes, used + 3 * P); // pages 4, 5 and 9 copied for the child
  for (const pg of [4, 5, 9]) {
    const a = X + pg * P;
    assert.notEqual(mm.backingOf(a), parent.mm.backingOf(a));
    assert.equal(mm.stubProtOf(a), RW);
    assert.equal(parent.mm.stubProtOf(a), RW);
  }
  assert.equal(parent.mm.stubProtOf(X + 6 * P), PROT_READ); // an ordinary page: write-protected, shared
  assert.equal(mm.stubProtOf(X + 6 * P), PROT_READ); // and mapped so in the child
  assert.equal(mm.backingOf(X + 6 * P), parent.mm.backingOf(X + 6 * P));
  assert.equal(mm.stubProtOf(code), PROT_READ | PROT_EXEC);
  assert.equal(as.calls.batch, 1);
  assert.equal(as.calls.map + as.calls.protect + as.calls.unmap, 0);
  // A write to a shared page in the child copies it (an ACCERR fault), the parent keeps its byte.
  assert.equal(touch(child, X + 6 * P, true, 0xc3), 0);
  assert.equal(touch(parent, X + 6 * P), 10 + 6);
  // Writes to the hot pages fault on neither side and stay on their side.
  const calls = parent.as.calls.map + as.calls.map;
  assert.equal(touch(child, sp, true, 0xc1), 0);
  assert.equal(touch(parent, sp, true, 0xa1), 0);
  assert.equal(touch(child, tls, true, 0xc2), 0);
  assert.equal(parent.as.calls.map + as.calls.map, calls);
  assert.equal(touch(child, sp), 0xc1);
  assert.equal(touch(parent, sp), 0xa1);
  assert.equal(touch(parent, X + 9 * P), 10 + 9);
  assert.equal(touch(child, X + 9 * P), 10 + 9);
  assert.equal(touch(child, X + 4 * P), 10 + 4);
  assert.deepEqual(verifyAddressSpace(parent.mm, parent.as, mf, live), []);
  child.mm.destroy();
  destroy(parent);
  check();
});
