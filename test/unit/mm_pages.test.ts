// MemoryFile page owners (copy-on-write sharing) and page copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFile } from '../../src/memory/memory_file.js';

const P = 4096;

test('MemoryFile: share/release count owners sparsely; the last owner frees', () => {
  const mf = MemoryFile.create({ limit: 4096 * P, windowSize: 64 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const a = mf.allocate(8 * P);
  const b = mf.allocate(2000 * P); // spans several count chunks
  assert.equal(mf.usedBytes, 2008 * P);
  mf.share(a + 2 * P, 3 * P);
  mf.share(a + 3 * P, P);
  assert.equal(mf.extraOwners(a + P), 0);
  assert.equal(mf.extraOwners(a + 2 * P), 1);
  assert.equal(mf.extraOwners(a + 3 * P), 2);
  assert.equal(mf.sharedPages, 3);
  // Releasing everything once: unshared pages go, shared ones lose an owner.
  assert.equal(mf.release(a, 8 * P), 5 * P);
  assert.equal(mf.usedBytes, 2003 * P);
  assert.equal(mf.extraOwners(a + 3 * P), 1);
  assert.equal(mf.release(a + 2 * P, 3 * P), 2 * P);
  assert.equal(mf.release(a + 3 * P, P), P);
  assert.equal(mf.sharedPages, 0);
  mf.share(b, 2000 * P);
  assert.equal(mf.sharedPages, 2000);
  assert.equal(mf.release(b, 2000 * P), 0);
  assert.equal(mf.release(b, 2000 * P), 2000 * P);
  assert.equal(mf.usedBytes, 0);
  assert.equal(mf.sharedPages, 0);
});

test('MemoryFile: copy moves page contents, across windows too', () => {
  const mf = MemoryFile.create({ limit: 4096 * P, windowSize: 4 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const src = mf.allocate(6 * P);
  const dst = mf.allocate(6 * P);
  const data = new Uint8Array(6 * P);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13 + 5) & 0xff;
  assert.ok(mf.write(src, data, 0, data.length));
  assert.ok(mf.copy(src, dst, 6 * P));
  const back = new Uint8Array(6 * P);
  assert.ok(mf.read(dst, back, 0, back.length));
  assert.deepEqual(back, data);
  assert.ok(mf.copy(src + P, src + 4 * P, P)); // within one file, other window
  assert.ok(mf.read(src + 4 * P, back, 0, P));
  assert.deepEqual(back.subarray(0, P), data.subarray(P, 2 * P));
  assert.equal(mf.copy(src, mf.size, P), false);
});
