// MemoryManager: kernel access to guest memory (copyin/copyout, strings,
// zero-copy segments, the loader's pokes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/linux/errno.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_NONE, PROT_READ, PROT_WRITE } from '../../src/abi/linux/mman.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace, verifiedManager, verifyAddressSpace } from '../../src/mm/fake_address_space.js';
import { MemoryManager } from '../../src/mm/memory_manager.js';

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const PA = MAP_PRIVATE | MAP_ANONYMOUS;
const X = 0x40000000;

function setup() {
  const mf = MemoryFile.create({ limit: 4096 * P, windowSize: 64 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const as = new FakeAddressSpace();
  const mm = verifiedManager(new MemoryManager(mf, as), as, mf); // checked after every call
  const check = (): void => assert.deepEqual(verifyAddressSpace(mm, as, mf), []);
  return { mf, as, mm, check };
}

test('readBytes/writeBytes: protections, holes, zeros without allocation, across windows', () => {
  const { mf, mm, check } = setup();
  assert.equal(mm.mmap(X, 256 * P, RW, PA, -1, 0), X);
  const big = new Uint8Array(200 * P + 123);
  for (let i = 0; i < big.length; i++) big[i] = (i * 13) & 0xff;
  assert.equal(mm.writeBytes(X + 77, big, 0, big.length), 0); // spans 4 MemoryFile windows
  const back = new Uint8Array(big.length);
  assert.equal(mm.readBytes(X + 77, back, 0, back.length), 0);
  assert.deepEqual(back, big);
  const used = mf.usedBytes;
  const z = new Uint8Array(3 * P).fill(5);
  assert.equal(mm.readBytes(X + 240 * P, z, 0, z.length), 0);
  assert.ok(z.every((b) => b === 0));
  assert.equal(mf.usedBytes, used); // reading untouched memory allocates nothing
  assert.equal(mm.readBytes(X, z, 0, 0), 0);
  assert.equal(mm.readBytes(X + 255 * P, z, 0, 2 * P), -Errno.EFAULT); // runs off the end
  assert.equal(mm.readBytes(X, z, 10, z.length), -Errno.EFAULT); // destination too small
  assert.equal(mm.readBytes(-1, z, 0, 1), -Errno.EFAULT);
  assert.equal(mm.readBytes(mm.maxAddress, z, 0, 1), -Errno.EFAULT);
  assert.equal(mm.mprotect(X + 10 * P, P, PROT_READ), 0);
  assert.equal(mm.writeBytes(X + 9 * P, big, 0, 2 * P), -Errno.EFAULT); // read-only page
  assert.equal(mm.readBytes(X + 10 * P, z, 0, P), 0);
  assert.equal(mm.mprotect(X + 10 * P, P, PROT_NONE), 0);
  assert.equal(mm.readBytes(X + 10 * P, z, 0, 1), -Errno.EFAULT); // PROT_NONE page
  assert.equal(mm.mprotect(X + 10 * P, P, PROT_WRITE), 0);
  assert.equal(mm.readBytes(X + 10 * P, z, 0, 1), 0); // x86: writable implies readable
  assert.equal(mm.munmap(X + 20 * P, P), 0);
  assert.equal(mm.readBytes(X + 19 * P, z, 0, 2 * P), -Errno.EFAULT); // across a hole
  check();
});

test('readU32/readU64/writeU32/writeU64, in a page and across pages', () => {
  const { mm, check } = setup();
  mm.mmap(X, 4 * P, RW, PA, -1, 0);
  const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  for (const at of [X + 8, X + P - 3]) {
    assert.equal(mm.writeBytes(at, bytes, 0, 8), 0);
    assert.equal(mm.readU32(at), 0x04030201);
    assert.equal(mm.readU64(at), 0x0807060504030201);
    assert.equal(mm.writeU32(at, 0xdeadbeef), 0);
    assert.equal(mm.readU32(at), 0xdeadbeef);
    assert.equal(mm.writeU64(at, -1), 0);
    const b = new Uint8Array(8);
    mm.readBytes(at, b, 0, 8);
    assert.deepEqual([...b], [255, 255, 255, 255, 255, 255, 255, 255]);
    assert.equal(mm.writeU64(at, -(2 ** 32)), 0);
    mm.readBytes(at, b, 0, 8);
    assert.deepEqual([...b], [0, 0, 0, 0, 255, 255, 255, 255]);
    assert.equal(mm.writeU64(at, 2 ** 53 + 2), 0);
    assert.equal(mm.readU64(at), 2 ** 53 + 2);
    assert.equal(mm.writeU64(at, 0x123456789a), 0);
    assert.equal(mm.readU64(at), 0x123456789a);
  }
  assert.equal(mm.readU32(X + 3 * P), 0); // untouched
  assert.equal(mm.readU64(X + 4 * P - 4), -Errno.EFAULT); // second half unmapped
  assert.equal(mm.readU32(X + 4 * P), -Errno.EFAULT);
  assert.equal(mm.writeU32(X + 4 * P - 2, 1), -Errno.EFAULT);
  assert.equal(mm.readU32(1.5), -Errno.EFAULT);
  check();
});

test('readCString: NUL within maxLen, ENAMETOOLONG, EFAULT, UTF-8, exact bytes', () => {
  const { mm, check } = setup();
  mm.mmap(X, 64 * P, RW, PA, -1, 0);
  const put = (addr: number, s: string | number[]): void => {
    const b = typeof s === 'string' ? new TextEncoder().encode(s) : new Uint8Array(s);
    assert.equal(mm.writeBytes(addr, b, 0, b.length), 0);
  };
  put(X, 'hello\0');
  assert.equal(mm.readCString(X, 4096), 'hello');
  assert.equal(mm.readCString(X, 6), 'hello');
  assert.equal(mm.readCString(X, 5), -Errno.ENAMETOOLONG);
  assert.equal(mm.readCString(X, 0), -Errno.ENAMETOOLONG);
  assert.equal(mm.readCString(X + 5, 10), '');
  assert.equal(mm.readCString(X + 40 * P, 10), ''); // untouched memory is a NUL
  put(X + P - 3, 'abc'); // ends at a page boundary; the next page has the NUL
  assert.equal(mm.readCString(X + P - 3, 100), 'abc');
  put(X + 2 * P, 'h\u00e9llo\0');
  assert.equal(mm.readCString(X + 2 * P, 100), 'h\u00e9llo');
  put(X + 3 * P, [0x61, 0xff, 0x62, 0]);
  assert.deepEqual(mm.readCStringBytes(X + 3 * P, 100), new Uint8Array([0x61, 0xff, 0x62]));
  assert.equal(mm.readCString(X + 3 * P, 100), 'a\ufffdb');
  const long = 'x'.repeat(3 * P);
  put(X + 4 * P + 10, long + '\0'); // longer than the string buffer's first size, across pages
  assert.equal(mm.readCString(X + 4 * P + 10, 4 * P), long);
  put(X + 64 * P - 4, 'abcd');
  assert.equal(mm.readCString(X + 64 * P - 4, 100), -Errno.EFAULT); // runs into unmapped memory
  assert.equal(mm.readCString(X + 64 * P - 4, 4), -Errno.ENAMETOOLONG); // the fault lies beyond maxLen
  assert.equal(mm.readCString(0x60000000, 100), -Errno.EFAULT);
  check();
});

test('forEachSegment: zero copy, partial counts, EFAULT first, short and failing consumers', () => {
  const { mf, mm, check } = setup();
  mm.mmap(X, 200 * P, RW, PA, -1, 0);
  assert.equal(mm.munmap(X + 100 * P, P), 0);
  // read(2) into guest memory: fn writes.
  let seen: number[] = [];
  const r = mm.forEachSegment(X + 98 * P + 5, 10 * P, true, (buf, off, len) => {
    seen.push(len);
    buf.fill(0x5a, off, off + len);
    return len;
  });
  assert.equal(r, 2 * P - 5); // stops at the hole
  assert.deepEqual(seen, [2 * P - 5]);
  const b = new Uint8Array(2);
  assert.equal(mm.readBytes(X + 99 * P + 4094, b, 0, 2), 0);
  assert.deepEqual([...b], [0x5a, 0x5a]);
  assert.equal(mm.forEachSegment(X + 100 * P, 10, true, () => 10), -Errno.EFAULT);
  assert.equal(mm.forEachSegment(X, 0, true, () => assert.fail('not called')), 0);
  // One segment per MemoryFile window; a window-sized allocation comes in one piece.
  seen = [];
  assert.equal(mm.forEachSegment(X, 64 * P, true, (_b, _o, len) => { seen.push(len); return len; }), 64 * P);
  assert.equal(seen.reduce((s, x) => s + x, 0), 64 * P);
  assert.ok(seen.length <= 2, `segments ${seen}`);
  // write(2) from guest memory: untouched memory reads as zeros and allocates nothing.
  const used = mf.usedBytes;
  let sum = 0;
  assert.equal(mm.forEachSegment(X + 150 * P, 20 * P, false, (buf, off, len) => {
    for (let i = off; i < off + len; i++) sum += buf[i];
    return len;
  }), 20 * P);
  assert.equal(sum, 0);
  assert.equal(mf.usedBytes, used);
  // Short and failing consumers.
  assert.equal(mm.forEachSegment(X, 64 * P, false, (_b, _o, len) => len - 1), seen[0] - 1);
  assert.equal(mm.forEachSegment(X, 10, false, () => -Errno.EAGAIN), -Errno.EAGAIN);
  let calls = 0;
  assert.equal(mm.forEachSegment(X + 98 * P, 3 * P, false, (_b, _o, len) => (++calls === 1 ? len : -Errno.EIO)), 2 * P);
  // Reading needs some protection, writing PROT_WRITE.
  assert.equal(mm.mprotect(X, P, PROT_READ), 0);
  assert.equal(mm.forEachSegment(X, 10, true, () => 10), -Errno.EFAULT);
  assert.equal(mm.forEachSegment(X, 10, false, () => 10), 10);
  check();
});

test('pokeBytes writes through the guest protection, but not outside VMAs', () => {
  const { mm, check } = setup();
  mm.mmap(X, 4 * P, PROT_READ, PA, -1, 0);
  const src = new Uint8Array([9, 8, 7]);
  assert.equal(mm.writeBytes(X + 100, src, 0, 3), -Errno.EFAULT);
  assert.equal(mm.pokeBytes(X + 100, src, 0, 3), 0);
  assert.equal(mm.readU32(X + 100) & 0xffffff, 0x070809);
  assert.equal(mm.pokeBytes(X + 4 * P - 1, src, 0, 3), -Errno.EFAULT);
  check();
});
