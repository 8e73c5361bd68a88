// The futex table over the kernel's MemoryManager (mmFutexMemory): keys of
// private and shared futexes, atomic compare-and-exchange on the MemoryFile,
// protections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/linux/errno.js';
import { FUTEX_BITSET_MATCH_ANY } from '../../src/abi/linux/futex.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, MREMAP_MAYMOVE, PROT_NONE, PROT_READ, PROT_WRITE } from '../../src/abi/linux/mman.js';
import { Clock } from '../../src/abi/linux/time.js';
import { FutexKey, FutexTable, NO_DEADLINE, SHARED_ON_PRIVATE, mmFutexMemory, type FutexTask } from '../../src/kernel/futex.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace, verifiedManager, verifyAddressSpace } from '../../src/mm/fake_address_space.js';
import { MemoryManager } from '../../src/mm/memory_manager.js';

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const X = 0x40000000;
const ANY = FUTEX_BITSET_MATCH_ANY;

function setup() {
  const mf = MemoryFile.create({ limit: 1024 * P, windowSize: 64 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const as = new FakeAddressSpace();
  const mm = verifiedManager(new MemoryManager(mf, as), as, mf);
  const ft = new FutexTable(mmFutexMemory, { tidExists: () => true, now: () => Number(process.hrtime.bigint()) });
  const check = (): void => assert.deepEqual(verifyAddressSpace(mm, as, mf), []);
  return { mf, mm, ft, check };
}

const task = (tid: number): FutexTask => ({ tid, park: () => {}, unpark: () => {} });

test('cmpxchg: atomic on the MemoryFile, gives backing, needs PROT_WRITE', () => {
  const { mf, mm, check } = setup();
  assert.equal(mm.mmap(X, 64 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), X); // too big to be populated at mmap
  const W = X + 40 * P;
  const used = mf.usedBytes;
  assert.equal(mmFutexMemory.readU32(mm, W), 0);
  assert.equal(mf.usedBytes, used); // a read gives no backing
  assert.equal(mmFutexMemory.cmpxchgU32(mm, W, 1, 5), 0); // fails, but faults the page in
  assert.equal(mmFutexMemory.readU32(mm, W), 0);
  assert.ok(mf.usedBytes > used);
  assert.equal(mmFutexMemory.cmpxchgU32(mm, X + 8, 0, 0xfffffffe), 0);
  assert.equal(mm.readU32(X + 8), 0xfffffffe);
  assert.equal(mmFutexMemory.cmpxchgU32(mm, X + 8, 0xfffffffe, 7), 0xfffffffe);
  assert.equal(mm.readU32(X + 8), 7);
  const off = mm.backingOf(X) + 8; // backingOf gives the page's offset
  const view = new DataView(mf.windowBuffer(Math.floor(off / mf.windowSize))!);
  assert.equal(view.getUint32(off % mf.windowSize, true), 7);
  assert.equal(mm.mprotect(X + P, P, PROT_READ), 0);
  assert.equal(mmFutexMemory.cmpxchgU32(mm, X + P, 0, 1), -Errno.EFAULT);
  assert.equal(mmFutexMemory.readU32(mm, X + P), 0);
  assert.equal(mm.mprotect(X + 2 * P, P, PROT_NONE), 0);
  assert.equal(mmFutexMemory.readU32(mm, X + 2 * P), -Errno.EFAULT);
  assert.equal(mmFutexMemory.cmpxchgU32(mm, X + 2 * P, 0, 1), -Errno.EFAULT);
  assert.equal(mmFutexMemory.cmpxchgU32(mm, X + 80 * P, 0, 1), -Errno.EFAULT); // unmapped
  check();
});

test('shared keys: one object at two addresses is one futex; private memory keys by address space', async () => {
  const { mm, ft, check } = setup();
  assert.equal(mm.mmap(X, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0), X);
  const Y = mm.mremap(X, 0, 2 * P, MREMAP_MAYMOVE, 0); // a second mapping of the same object
  assert.ok(Y > 0 && Y !== X, `mremap: ${Y}`);
  const k1 = new FutexKey();
  const k2 = new FutexKey();
  assert.equal(mmFutexMemory.sharedKey(mm, X + P + 16, false, k1), 0);
  assert.equal(mmFutexMemory.sharedKey(mm, Y + P + 16, true, k2), 0);
  assert.equal(k1.owner, k2.owner);
  assert.notEqual(k1.owner, mm);
  assert.equal(k1.off, P + 16);
  assert.equal(k2.off, P + 16);
  // Wait through one mapping (the value written through the other), wake through the other.
  assert.equal(mm.writeU32(Y + 16, 3), 0);
  const p = ft.wait(mm, task(1), X + 16, true, 3, ANY, Clock.CLOCK_MONOTONIC, NO_DEADLINE);
  assert.equal(typeof p, 'object');
  assert.equal(ft.wake(mm, Y + 16, false, 1, ANY), 0); // private keys differ
  assert.equal(ft.wake(mm, Y + 16, true, 1, ANY), 1);
  assert.equal(await p, 0);
  // Private anonymous memory: (mm, address), distinct from the private key.
  const Z = 0x50000000;
  assert.equal(mm.mmap(Z, 2 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), Z);
  assert.equal(mmFutexMemory.sharedKey(mm, Z + 4, false, k1), 0);
  assert.equal(k1.owner, mm);
  assert.equal(k1.off, Z + 4 + SHARED_ON_PRIVATE);
  assert.equal(ft.key(mm, Z + 4, false, false, k2), 0);
  assert.equal(k2.off, Z + 4);
  // Read-only private memory cannot hold a shared futex; read-only shared memory can, for reading.
  assert.equal(mm.mprotect(Z + P, P, PROT_READ), 0);
  assert.equal(mmFutexMemory.sharedKey(mm, Z + P, false, k1), -Errno.EFAULT);
  assert.equal(ft.wake(mm, Z + P, true, 1, ANY), -Errno.EFAULT);
  assert.equal(ft.wake(mm, Z + P, false, 1, ANY), 0);
  assert.equal(mm.mprotect(X, P, PROT_READ), 0);
  assert.equal(mmFutexMemory.sharedKey(mm, X, false, k1), 0);
  assert.equal(mmFutexMemory.sharedKey(mm, X, true, k1), -Errno.EFAULT);
  assert.equal(mm.mprotect(X, P, PROT_NONE), 0);
  assert.equal(mmFutexMemory.sharedKey(mm, X, false, k1), -Errno.EFAULT);
  assert.equal(mmFutexMemory.sharedKey(mm, 0x60000000, false, k1), -Errno.EFAULT);
  // A private wake needs no mapping at all; the address must be a user address.
  assert.equal(ft.wake(mm, 0x60000000, false, 1, ANY), 0);
  assert.equal(ft.wake(mm, 0, false, 1, ANY), 0);
  assert.equal(ft.wake(mm, 0x7ffffffff000, false, 1, ANY), 0);
  assert.equal(ft.wake(mm, 0x7ffffffff004, false, 1, ANY), -Errno.EFAULT);
  check();
});

test('PI and wake-op through the MemoryManager', () => {
  const { mm, ft, check } = setup();
  assert.equal(mm.mmap(X, P, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), X);
  assert.equal(ft.lockPi(mm, task(42), X, false, Clock.CLOCK_MONOTONIC, NO_DEADLINE, true), 0);
  assert.equal(mm.readU32(X), 42);
  assert.equal(ft.unlockPi(mm, task(42), X, false), 0);
  assert.equal(mm.readU32(X), 0);
  assert.equal(mm.writeU32(X + 4, 10), 0);
  // FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_GT, 9)
  assert.equal(ft.wakeOp(mm, X, X + 4, false, 1, 1, (1 << 28) | (4 << 24) | (5 << 12) | 9), 0);
  assert.equal(mm.readU32(X + 4), 15);
  check();
});
