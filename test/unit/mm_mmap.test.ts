// MemoryManager: mmap, munmap, mprotect, faults, stack growth, limits.
// Every test checks the fake stub against the VMAs after its operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/linux/errno.js';
import {
  MAP_32BIT, MAP_ANONYMOUS, MAP_DROPPABLE, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_HUGETLB, MAP_LOCKED, MAP_NORESERVE,
  MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_NONE, PROT_READ, PROT_SEM, PROT_WRITE,
  SEGV_ACCERR, SEGV_MAPERR,
} from '../../src/abi/linux/mman.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace, verifiedManager, verifyAddressSpace } from '../../src/mm/fake_address_space.js';
import { FAULT_OOM, FAULT_RESOLVED, MemoryManager, type MemoryManagerOptions } from '../../src/mm/memory_manager.js';

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const PA = MAP_PRIVATE | MAP_ANONYMOUS;

function setup(limitPages = 4096, opts?: MemoryManagerOptions) {
  const mf = MemoryFile.create({ limit: limitPages * P, windowSize: 64 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const as = new FakeAddressSpace();
  const mm = verifiedManager(new MemoryManager(mf, as, opts), as, mf); // checked after every call
  const check = (): void => assert.deepEqual(verifyAddressSpace(mm, as, mf), []);
  const touch = (addr: number, write = true, value = 1): number => as.access(mf, mm, addr, write, value);
  return { mf, as, mm, check, touch };
}

test('mmap: top-down placement, merging, hints, lazy population with one map per window', () => {
  const { mf, as, mm, check, touch } = setup();
  assert.equal(mm.mmapBase, 0x7fffffeff000 - 0x8000000);
  const a = mm.mmap(0, 64 * P, RW, PA, -1, 0);
  assert.equal(a, mm.mmapBase - 64 * P);
  assert.equal(as.pages.size, 0);
  assert.equal(mf.usedBytes, 0);
  const b = mm.mmap(0, 64 * P, RW, PA, -1, 0);
  assert.equal(b, a - 64 * P);
  assert.equal(mm.vmas.count, 1); // adjacent and alike: one VMA
  assert.equal(mm.mmap(0x10000000, 64 * P, RW, PA, -1, 0), 0x10000000); // free hint: used
  assert.equal(mm.mmap(0x10000000, 64 * P, RW, PA, -1, 0), b - 64 * P); // taken: top-down
  assert.equal(mm.mmap(0x20000123, 64 * P, RW, PA, -1, 0), 0x20000000); // rounded down
  assert.equal(mm.mmap(0x1000, 64 * P, RW, PA, -1, 0), 0x10000); // lifted to mmap_min_addr
  assert.equal(as.totalCalls, 0);

  assert.equal(touch(a + 5 * P + 10, true, 42), 0);
  assert.equal(as.calls.map, 1);
  assert.equal(as.pages.size, 16);
  assert.equal(mf.usedBytes, 16 * P);
  const pn = Math.floor((a + 5 * P) / P);
  for (let p = pn - (pn % 16); p < pn - (pn % 16) + 16; p++) assert.equal(as.pages.get(p)?.prot, RW);
  assert.equal(touch(a + 5 * P + 10, false), 42);
  assert.equal(touch(a + 5 * P + 11, false), 0);
  assert.equal(as.calls.map, 1);
  check();
});

test('mmap: small mappings are populated eagerly, MAP_POPULATE populates, MAP_NORESERVE does not', () => {
  const { mf, as, mm, check } = setup();
  const a = mm.mmap(0, 3 * P, RW, PA, -1, 0);
  assert.equal(as.calls.map, 1);
  assert.equal(as.pages.size, 3);
  assert.equal(mf.usedBytes, 3 * P);
  assert.equal(mm.stubProtOf(a), RW);
  mm.mmap(0, 3 * P, PROT_NONE, PA, -1, 0);
  mm.mmap(0, 3 * P, RW, PA | MAP_NORESERVE, -1, 0);
  assert.equal(as.pages.size, 3);
  const big = mm.mmap(0, 100 * P, PROT_READ, PA | MAP_POPULATE, -1, 0);
  assert.equal(as.pages.size, 103);
  assert.equal(mm.stubProtOf(big + 99 * P), PROT_READ);
  assert.equal(as.calls.map, 2); // one contiguous allocation, one map
  check();
});

test('mmap: errors and ignored flags', () => {
  const { mm, check } = setup();
  const E = (e: Errno): number => -e;
  assert.equal(mm.mmap(0, 0, RW, PA, -1, 0), E(Errno.EINVAL));
  assert.equal(mm.mmap(0, P, RW, PA, -1, 1), E(Errno.EINVAL)); // offset not page aligned
  assert.equal(mm.mmap(0, P, RW, MAP_ANONYMOUS, -1, 0), E(Errno.EINVAL)); // neither private nor shared
  assert.equal(mm.mmap(0, P, RW, MAP_ANONYMOUS | MAP_SHARED | MAP_PRIVATE, -1, 0), E(Errno.EINVAL));
  assert.equal(mm.mmap(0, P, RW, PA | 0x04, -1, 0), E(Errno.EINVAL)); // unknown type bit
  assert.equal(mm.mmap(0x10001, P, RW, PA | MAP_FIXED, -1, 0), E(Errno.EINVAL));
  assert.equal(mm.mmap(0x1000, P, RW, PA | MAP_FIXED, -1, 0), E(Errno.EPERM)); // below mmap_min_addr
  assert.equal(mm.mmap(mm.maxAddress, P, RW, PA | MAP_FIXED, -1, 0), E(Errno.ENOMEM));
  assert.equal(mm.mmap(mm.maxAddress - P, 2 * P, RW, PA | MAP_FIXED, -1, 0), E(Errno.ENOMEM));
  assert.equal(mm.mmap(0, 2 ** 47, RW, PA | MAP_NORESERVE, -1, 0), E(Errno.ENOMEM));
  assert.equal(mm.mmap(0, 2 ** 64 - 1, RW, PA, -1, 0), E(Errno.ENOMEM));
  assert.equal(mm.mmap(0, -1, RW, PA, -1, 0), E(Errno.ENOMEM));
  assert.equal(mm.mmap(0, P, RW, MAP_PRIVATE, 3, 0), E(Errno.EBADF)); // a number is no file (the syscall layer resolves fds)
  assert.equal(mm.mmap(0, P, RW, MAP_PRIVATE, -1, 0), E(Errno.EBADF));
  assert.equal(mm.mmap(0, P, RW, MAP_PRIVATE, -1, 1), E(Errno.EINVAL)); // the offset is checked first
  assert.equal(mm.mmap(0, P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), E(Errno.EINVAL));
  assert.equal(mm.mmap(0, P, RW, PA | MAP_HUGETLB, -1, 0), E(Errno.ENOMEM));
  assert.equal(mm.mmap(0, P, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0), E(Errno.EINVAL));
  assert.equal(mm.vmas.count, 0);
  const a = mm.mmap(0x40000000, 4 * P, RW, PA, -1, 0);
  assert.equal(mm.mmap(a + P, P, RW, PA | MAP_FIXED_NOREPLACE, -1, 0), E(Errno.EEXIST));
  assert.equal(mm.mmap(a + P, P, RW, MAP_ANONYMOUS | MAP_SHARED | MAP_PRIVATE | MAP_FIXED_NOREPLACE, -1, 0), E(Errno.EEXIST));
  assert.equal(mm.mmap(a + P + 1, P, RW, PA | MAP_FIXED_NOREPLACE, -1, 0), E(Errno.EINVAL));
  assert.equal(mm.mmap(a + 4 * P, P, RW, PA | MAP_FIXED_NOREPLACE, -1, 0), a + 4 * P);
  // Unknown flag bits are ignored (as Linux does for MAP_SHARED and MAP_PRIVATE).
  assert.ok(mm.mmap(0, P, RW, PA | 0x200, -1, 0) > 0);
  assert.ok(mm.mmap(0, P, RW, (PA | 0x80000000) | 0, -1, 0) > 0);
  assert.ok(mm.mmap(0, P, RW, PA, -1, 2 ** 64 - P) > 0); // the offset of anonymous memory is not used
  const x = mm.mmap(0, P, 0xff, PA, -1, 0); // unknown prot bits are ignored by mmap
  assert.equal(mm.vmas.find(x)?.prot, PROT_READ | PROT_WRITE | PROT_EXEC);
  assert.ok(mm.mmap(0, P, RW, MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0) > 0);
  const low = mm.mmap(0, P, RW, PA | MAP_32BIT, -1, 0);
  assert.equal(low, 0x40001000 + 4 * P); // first free page above 1 GiB
  check();
});

test('MAP_FIXED replaces what was there: stub pages unmapped, backing freed', () => {
  const { mf, as, mm, check, touch } = setup();
  const a = mm.mmap(0, 64 * P, RW, PA, -1, 0);
  for (let i = 0; i < 64; i++) assert.equal(touch(a + i * P, true, i + 1), 0);
  assert.equal(mf.usedBytes, 64 * P);
  assert.equal(mm.mmap(a + 16 * P, 32 * P, PROT_READ, PA | MAP_FIXED, -1, 0), a + 16 * P);
  assert.equal(mm.vmas.count, 3);
  assert.equal(mf.usedBytes, 32 * P);
  assert.equal(as.pages.has((a + 20 * P) / P), false);
  assert.equal(touch(a + 20 * P, false), 0); // fresh zero page
  assert.equal(touch(a + 15 * P, false), 16);
  assert.equal(touch(a + 48 * P, false), 49);
  check();
});

test('munmap: splits, holes, errors', () => {
  const { mf, as, mm, check, touch } = setup();
  const a = mm.mmap(0x40000000, 64 * P, RW, PA, -1, 0);
  for (let i = 0; i < 64; i += 16) touch(a + i * P);
  assert.equal(mm.munmap(a, 0), -Errno.EINVAL);
  assert.equal(mm.munmap(a + 1, P), -Errno.EINVAL);
  assert.equal(mm.munmap(mm.maxAddress, P), -Errno.EINVAL);
  assert.equal(mm.munmap(a, 2 ** 64 - 1), -Errno.EINVAL);
  assert.equal(mm.munmap(a, -1), -Errno.EINVAL);
  const before = as.calls.unmap;
  assert.equal(mm.munmap(a + 8 * P, 40 * P - 1), 0); // length rounds up
  assert.equal(as.calls.unmap, before + 1); // one call for the whole span
  assert.equal(mm.vmas.count, 2);
  assert.equal(mm.vmas.list[0].end, a + 8 * P);
  assert.equal(mm.vmas.list[1].start, a + 48 * P);
  assert.equal(mf.usedBytes, 24 * P);
  assert.equal(touch(a + 9 * P), -SEGV_MAPERR);
  assert.equal(mm.munmap(a + 8 * P, 40 * P), 0); // nothing there: fine
  assert.equal(mm.munmap(0x10000, 0x10000), 0);
  check();
});

test('mprotect: splits, merges, lowering at once, raising lazily', () => {
  const { as, mm, check, touch } = setup();
  const a = mm.mmap(0x40000000, 64 * P, RW, PA, -1, 0);
  assert.equal(touch(a, true, 9), 0); // maps pages 0-15 RW
  assert.equal(mm.mprotect(a + 4 * P, 4 * P, PROT_READ), 0);
  assert.equal(mm.vmas.count, 3);
  assert.equal(as.calls.protect, 1);
  assert.equal(as.calls.unmap, 0);
  assert.equal(as.pages.get((a + 4 * P) / P)?.prot, PROT_READ);
  assert.equal(as.pages.get((a + 8 * P) / P)?.prot, RW);
  check();
  assert.equal(touch(a + 4 * P, true), -SEGV_ACCERR);
  assert.equal(touch(a + 4 * P, false), 0);
  assert.equal(mm.mprotect(a + 4 * P, 4 * P, RW), 0);
  assert.equal(mm.vmas.count, 1); // merged again
  assert.equal(as.pages.get((a + 4 * P) / P)?.prot, PROT_READ); // raised lazily
  const calls = as.totalCalls;
  assert.equal(touch(a + 4 * P, true, 5), 0); // the fault upgrades it
  assert.equal(as.totalCalls, calls + 1);
  assert.equal(as.pages.get((a + 4 * P) / P)?.prot, RW);
  assert.equal(touch(a + 4 * P, false), 5);
  assert.equal(touch(a, false), 9);
  check();
  assert.equal(mm.mprotect(a, 4 * P, PROT_NONE), 0);
  assert.equal(as.pages.has(a / P), false); // PROT_NONE pages leave the stub
  assert.equal(touch(a, false), -SEGV_ACCERR);
  check();
});

test('mprotect: errors, holes, PROT_GROWSDOWN', () => {
  const { mm, check } = setup();
  const a = mm.mmap(0x40000000, 64 * P, RW, PA, -1, 0);
  assert.equal(mm.mprotect(a + 1, P, PROT_READ), -Errno.EINVAL);
  assert.equal(mm.mprotect(a, P, 0x10), -Errno.EINVAL);
  assert.equal(mm.mprotect(a, P, 2 ** 32 + 1), -Errno.EINVAL);
  assert.equal(mm.mprotect(a, P, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), -Errno.EINVAL);
  assert.equal(mm.mprotect(0x10000, 0, 0x10), 0); // length 0 wins over everything but alignment
  assert.equal(mm.mprotect(a + 1, 0, PROT_READ), -Errno.EINVAL);
  assert.equal(mm.mprotect(a, -P, PROT_READ), -Errno.ENOMEM); // wraps around
  assert.equal(mm.mprotect(0x10000, P, PROT_READ), -Errno.ENOMEM);
  assert.equal(mm.mprotect(a, P, PROT_READ | PROT_SEM), 0);
  assert.equal(mm.vmas.find(a)?.prot, PROT_READ);
  assert.equal(mm.mprotect(a, P, PROT_READ | PROT_GROWSDOWN), -Errno.EINVAL); // not a grows-down VMA
  assert.equal(mm.mprotect(a, P, PROT_READ | PROT_GROWSUP), -Errno.EINVAL);
  assert.equal(mm.munmap(a + 32 * P, 8 * P), 0);
  // A hole stops the walk with ENOMEM; what came before it is changed.
  assert.equal(mm.mprotect(a, 64 * P, PROT_EXEC), -Errno.ENOMEM);
  assert.equal(mm.vmas.find(a + 31 * P)?.prot, PROT_EXEC);
  assert.equal(mm.vmas.find(a + 40 * P)?.prot, RW);
  const g = mm.mmap(0x50000000, 8 * P, RW, PA | MAP_GROWSDOWN, -1, 0);
  assert.equal(mm.mprotect(g + 2 * P, P, PROT_READ | PROT_GROWSDOWN), 0); // extends down to the VMA's start
  assert.equal(mm.vmas.find(g)?.prot, PROT_READ);
  assert.equal(mm.vmas.find(g)?.end, g + 3 * P);
  assert.equal(mm.vmas.find(g + 3 * P)?.prot, RW);
  check();
});

test('mprotect: many mapped runs are dropped with one unmap instead of one protect each', () => {
  const { as, mm, check, touch } = setup();
  const a = mm.mmap(0x40000000, 160 * P, RW, PA, -1, 0);
  for (let w = 0; w < 10; w += 2) touch(a + w * 16 * P); // 5 separate runs of 16 pages
  assert.equal(as.pages.size, 80);
  const c = { ...as.calls };
  assert.equal(mm.mprotect(a, 160 * P, PROT_READ), 0);
  assert.equal(as.calls.protect, c.protect);
  assert.equal(as.calls.unmap, c.unmap + 1);
  assert.equal(as.pages.size, 0);
  check();
  assert.equal(mm.mprotect(a, 160 * P, RW), 0);
  for (let w = 0; w < 8; w += 2) touch(a + w * 16 * P); // 4 runs: re-protected in place
  assert.equal(mm.mprotect(a, 160 * P, PROT_READ), 0);
  assert.equal(as.calls.protect, c.protect + 4);
  assert.equal(as.pages.size, 64);
  assert.equal(as.pages.get((a + 16 * 6 * P) / P)?.prot, PROT_READ);
  check();
  assert.equal(mm.mprotect(a, 160 * P, PROT_EXEC), 0); // nothing of PROT_READ left: unmapped run by run
  assert.equal(as.calls.protect, c.protect + 4);
  assert.equal(as.calls.unmap, c.unmap + 5);
  assert.equal(as.pages.size, 0);
  check();
});

test('faults: no VMA, PROT_NONE, past the top; spurious faults are retried', () => {
  const { as, mm, check } = setup();
  const a = mm.mmap(0x40000000, 64 * P, RW, PA, -1, 0);
  const n = mm.mmap(0x50000000, 64 * P, PROT_NONE, PA, -1, 0);
  assert.equal(mm.handleFault(n + 10, SEGV_MAPERR), SEGV_ACCERR);
  assert.equal(mm.handleFault(0x60000000, SEGV_MAPERR), SEGV_MAPERR);
  assert.equal(mm.handleFault(mm.maxAddress + 5, SEGV_MAPERR), SEGV_MAPERR);
  assert.equal(mm.handleFault(-1, SEGV_MAPERR), SEGV_MAPERR);
  assert.equal(mm.handleFault(NaN, SEGV_MAPERR), SEGV_MAPERR);
  assert.equal(mm.handleFault(a, SEGV_MAPERR), FAULT_RESOLVED);
  // Another thread's fault on the same page, reported after the first was served:
  assert.equal(mm.handleFault(a + 8, SEGV_ACCERR), FAULT_RESOLVED);
  assert.equal(mm.handleFault(a + 8, SEGV_ACCERR), FAULT_RESOLVED);
  assert.equal(mm.handleFault(a + 8, SEGV_ACCERR), SEGV_ACCERR); // budget spent: a real violation
  const maps = as.calls.map;
  assert.equal(mm.handleFault(a + 8, SEGV_MAPERR), FAULT_RESOLVED); // the stub had nothing: map again
  assert.equal(as.calls.map, maps + 1);
  check();
});

test('growsdown: faults below grow the VMA, bounded by the stack limit and the guard gap', () => {
  const { as, mm, check, touch } = setup(4096, { stackLimit: 64 * P });
  const X = 0x30000000;
  assert.equal(mm.mmap(X, 16 * P, RW, PA | MAP_GROWSDOWN, -1, 0), X);
  assert.equal(touch(X - 1, true, 3), 0);
  assert.equal(mm.vmas.list[0].start, X - P);
  assert.equal(touch(X - 10 * P, true, 4), 0);
  assert.equal(mm.vmas.count, 1);
  assert.equal(mm.vmas.list[0].start, X - 10 * P);
  assert.equal(touch(X + 16 * P - 65 * P), -SEGV_MAPERR); // would exceed 64 pages
  const buf = new Uint8Array(1);
  assert.equal(mm.readBytes(X - 20 * P, buf, 0, 1), 0); // kernel accesses grow it too
  assert.equal(mm.vmas.list[0].start, X - 20 * P);
  // An accessible mapping less than the guard gap (256 pages) below stops growth...
  const prev = mm.mmap(X - 100 * P, P, RW, PA | MAP_FIXED, -1, 0);
  assert.equal(touch(X - 30 * P), -SEGV_MAPERR);
  // ...an inaccessible one does not.
  assert.equal(mm.mprotect(prev, P, PROT_NONE), 0);
  assert.equal(touch(X - 30 * P, true, 1), 0);
  assert.equal(mm.vmas.find(X - 30 * P)?.start, X - 30 * P);
  // Placement keeps clear of the guard gap: a hint inside it is not used.
  const h = mm.mmap(X - 32 * P, P, RW, PA, -1, 0);
  assert.notEqual(h, X - 32 * P);
  assert.ok(as.pages.size > 0);
  check();
});

test('memory limit: overcommit heuristic at mmap, OOM at fault time', () => {
  const { mf, mm, check, touch } = setup(64);
  assert.equal(mm.mmap(0, 65 * P, RW, PA, -1, 0), -Errno.ENOMEM);
  assert.equal(mm.mmap(0, 65 * P, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0), -Errno.ENOMEM);
  const nr = mm.mmap(0, 65 * P, RW, PA | MAP_NORESERVE, -1, 0);
  assert.ok(nr > 0);
  const ro = mm.mmap(0, 65 * P, PROT_READ, PA, -1, 0);
  assert.ok(ro > 0);
  assert.equal(mm.mprotect(ro, 65 * P, RW), -Errno.ENOMEM); // becoming writable is charged
  const a = mm.mmap(0x40000000, 48 * P, RW, PA, -1, 0);
  const b = mm.mmap(0x50000000, 48 * P, RW, PA, -1, 0);
  const ones = new Uint8Array(48 * P).fill(1);
  assert.equal(mm.writeBytes(a, ones, 0, ones.length), 0);
  assert.equal(mf.usedBytes, 48 * P);
  assert.equal(touch(b), 0); // 16 more pages: at the limit
  assert.equal(mf.usedBytes, 64 * P);
  assert.equal(mm.handleFault(b + 20 * P, SEGV_MAPERR), FAULT_OOM);
  assert.equal(mm.writeBytes(b + 30 * P, ones, 0, 1), -Errno.EFAULT);
  const z = new Uint8Array(4).fill(9);
  assert.equal(mm.readBytes(b + 30 * P, z, 0, 4), 0); // reading untouched memory needs no memory
  assert.deepEqual([...z], [0, 0, 0, 0]);
  assert.equal(mm.munmap(a, 48 * P), 0);
  assert.equal(mm.handleFault(b + 20 * P, SEGV_MAPERR), FAULT_RESOLVED);
  check();
});

test('map count limit: mmap, and splits by munmap and mprotect, fail with ENOMEM', () => {
  const { mm, check } = setup(4096, { maxMapCount: 3 });
  for (let i = 0; i < 4; i++) assert.equal(mm.mmap(0x40000000 + i * 32 * P, 16 * P, RW, PA, -1, 0), 0x40000000 + i * 32 * P);
  assert.equal(mm.vmas.count, 4); // Linux lets the count reach max+1
  assert.equal(mm.mmap(0, P, RW, PA, -1, 0), -Errno.ENOMEM);
  assert.equal(mm.munmap(0x40000000 + P, P), -Errno.ENOMEM); // would split in three
  assert.equal(mm.munmap(0x40000000, P), 0); // trims: no new VMA
  assert.equal(mm.mprotect(0x40000000 + 4 * P, P, PROT_READ), -Errno.ENOMEM);
  assert.equal(mm.vmas.count, 4);
  check();
});

test('arguments: signed decodings of -1 and friends get Linux\'s answers', () => {
  const { mm, check } = setup();
  const rw = mm.mmap(0x40000000, 2 * P, RW, PA, -1, 0);
  assert.equal(mm.mmap(0, P, PROT_READ, PA, -1, -1), -Errno.EINVAL); // offset 0xffff...ffff is not page aligned
  assert.ok(mm.mmap(0, P, PROT_READ, PA, -1, -P) > 0); // 0xffff...f000 is (and unused for anonymous memory)
  assert.equal(mm.mmap(-1, P, PROT_READ, PA | MAP_FIXED, -1, 0), -Errno.ENOMEM);
  assert.ok(mm.mmap(-P, P, PROT_READ, PA, -1, 0) > 0); // a hint past the top is ignored
  assert.equal(mm.munmap(-1, -1), -Errno.EINVAL);
  assert.equal(mm.munmap(rw, -1), -Errno.EINVAL);
  assert.equal(mm.mprotect(-1, -1, -1), -Errno.EINVAL); // PROT_GROWSDOWN|PROT_GROWSUP is checked first
  assert.equal(mm.mprotect(rw, 0, -1), -Errno.EINVAL);
  assert.equal(mm.mprotect(rw, -1, PROT_READ), -Errno.ENOMEM); // PAGE_ALIGN wraps to 0
  assert.equal(mm.mprotect(rw, P, 0x7ffff0), -Errno.EINVAL);
  assert.equal(mm.mprotect(rw, P, 1.5), -Errno.EINVAL);
  assert.equal(mm.msync(rw, -1, 4), 0); // the length rounds up to 0
  assert.equal(mm.madvise(rw, -1, 4), -Errno.EINVAL);
  assert.equal(mm.madvise(-1, P, 4), -Errno.EINVAL);
  assert.equal(mm.mremap(rw, P, P, -1, 0), -Errno.EINVAL);
  assert.equal(mm.mremap(-1, P, 2 * P, 1, 0), -Errno.EINVAL);
  assert.equal(mm.mremap(rw, P, -1, 1, 0), -Errno.EINVAL); // new length wraps to 0
  assert.equal(mm.mincore(-1, P, rw), -Errno.EINVAL);
  assert.equal(mm.mincore(rw, -1, rw), -Errno.ENOMEM);
  assert.equal(mm.brk(-1), 0);
  assert.equal(mm.vmas.count, 2); // the two one-page mappings merged
  check();
});
