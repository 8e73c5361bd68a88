// The ELF image cache (src/loader/image_cache.ts): an image loaded from its
// cached segment pages is byte for byte the image loaded from the file, its
// pages are copy-on-write (a process writing them never changes the cache),
// stale entries are dropped, and the cache gives its pages back when it
// evicts (pinned entries at their unpin).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { parseElf, type ElfImage } from '../../src/loader/elf.js';
import { ElfImageCache, type FileStamp } from '../../src/loader/image_cache.js';
import { loadElf } from '../../src/loader/loader.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace, verifyAddressSpace } from '../../src/mm/fake_address_space.js';
import { MemoryManager } from '../../src/mm/memory_manager.js';
import { BUSYBOX, LDSO, LS, readBytes } from './elf_fixtures.test.js';

const PAGE = 4096;
const STAMP: FileStamp = { size: 1, mtimeSec: 2, mtimeNsec: 3, ctimeSec: 4, ctimeNsec: 5 };

function memoryFile(): MemoryFile {
  const mf = MemoryFile.create({ limit: 256 << 20, windowSize: 1 << 20, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  return mf;
}

function image(bytes: Uint8Array): ElfImage {
  const r = parseElf(bytes);
  if (typeof r === 'number') assert.fail(`parseElf: ${r}`);
  return r;
}

function space(mf: MemoryFile): { mm: MemoryManager; as: FakeAddressSpace } {
  const as = new FakeAddressSpace();
  return { mm: new MemoryManager(mf, as), as };
}

/** Every byte of img's segments at bias, read through mm. */
function segmentBytes(mm: MemoryManager, img: ElfImage, bias: number): Uint8Array[] {
  return img.loads.map((p) => {
    const lo = bias + p.vaddr - (p.vaddr % PAGE);
    const hi = Math.ceil((bias + p.vaddr + p.memsz) / PAGE) * PAGE;
    const b = new Uint8Array(hi - lo);
    assert.equal(mm.readBytes(lo, b, 0, b.length), 0);
    return b;
  });
}

const files = [BUSYBOX, LS, LDSO].filter((f) => existsSync(f));

test('fixtures exist', () => {
  assert.ok(files.length >= 2, `need some of ${BUSYBOX}, ${LS}, ${LDSO}`);
});

for (const file of files) {
  test(`${file}: loaded from the cache, the image is the one loaded from the file; writes stay private`, () => {
    const mf = memoryFile();
    const bytes = readBytes(file);
    const img = image(bytes);
    const cache = new ElfImageCache(mf);
    const a = space(mf);
    const la = loadElf(a.mm, img, bytes, { aslr: false });
    assert.ok(typeof la !== 'number');
    const e = cache.insert({}, STAMP, img, bytes);
    assert.ok(e !== null);
    assert.ok(cache.usedBytes > 0);
    const b = space(mf);
    const lb = loadElf(b.mm, img, e.head, { aslr: false }, e);
    assert.ok(typeof lb !== 'number');
    assert.equal(lb.bias, la.bias);
    const want = segmentBytes(a.mm, img, la.bias);
    assert.deepEqual(segmentBytes(b.mm, img, lb.bias), want);
    // The adopted pages are mapped at once (copy-on-write pages read-only), in one batch.
    // (map calls: only small writable segments' zero pages, mapped at mmap, then replaced)
    assert.equal(b.as.calls.batch, 1);
    assert.ok(b.as.calls.map <= img.loads.filter((p) => p.flags & 2).length, `${b.as.calls.map} map calls`);
    for (const p of img.loads) {
      if (p.filesz > 0) assert.notEqual(b.mm.stubProtOf(lb.bias + p.vaddr), -1, `segment at 0x${p.vaddr.toString(16)} mapped`);
    }
    // A write into the writable segment copies the page: the cache and the next image keep the file's bytes.
    const rw = img.loads.find((p) => p.flags & 2 && p.filesz > 0);
    if (rw !== undefined) {
      const at = lb.bias + rw.vaddr;
      assert.equal(b.mm.writeBytes(at, new Uint8Array([0xaa, 0xbb]), 0, 2), 0);
      const c = space(mf);
      assert.ok(typeof loadElf(c.mm, img, e.head, { aslr: false }, e) !== 'number');
      assert.deepEqual(segmentBytes(c.mm, img, lb.bias), want);
      const got = new Uint8Array(2);
      b.mm.readBytes(at, got, 0, 2);
      assert.deepEqual([...got], [0xaa, 0xbb]);
      c.mm.destroy();
    }
    e.unpin();
    cache.clear();
    assert.equal(cache.usedBytes, 0);
    assert.deepEqual(verifyAddressSpace(b.mm, b.as, mf, [a, b]), []);
    a.mm.destroy();
    b.mm.destroy();
    assert.equal(mf.usedBytes, 0);
  });
}

test('a changed stamp misses and drops the entry; an unpinned evicted entry frees its pages', () => {
  const mf = memoryFile();
  const bytes = readBytes(files[0]);
  const img = image(bytes);
  const cache = new ElfImageCache(mf);
  const key = {};
  const e = cache.insert(key, STAMP, img, bytes);
  assert.ok(e !== null);
  e.unpin();
  const used = mf.usedBytes;
  assert.ok(used > 0);
  const hit = cache.lookup(key, { ...STAMP });
  assert.equal(hit, e);
  hit!.unpin();
  for (const k of ['size', 'mtimeSec', 'mtimeNsec', 'ctimeSec', 'ctimeNsec'] as const) {
    const e2 = cache.insert(key, STAMP, img, bytes);
    assert.ok(e2 !== null);
    e2.unpin();
    assert.equal(cache.lookup(key, { ...STAMP, [k]: STAMP[k] + 1 }), undefined, `a changed ${k} must miss`);
    assert.equal(cache.size, 0);
    assert.equal(mf.usedBytes, 0, `the stale entry's pages are freed (${k})`);
  }
  assert.equal(cache.lookup({}, STAMP), undefined);
});

test('the cache stays within its limit; pinned entries keep their pages until unpinned', () => {
  const mf = memoryFile();
  const bytes = readBytes(files[0]);
  const img = image(bytes);
  const one = new ElfImageCache(mf).insert({}, STAMP, img, bytes);
  assert.ok(one !== null);
  const size = one.bytes;
  one.unpin();
  const cache = new ElfImageCache(mf, size + PAGE); // room for one image
  const base = mf.usedBytes;
  const k1 = {};
  const k2 = {};
  const e1 = cache.insert(k1, STAMP, img, bytes);
  assert.ok(e1 !== null); // pinned
  const e2 = cache.insert(k2, STAMP, img, bytes);
  assert.ok(e2 !== null);
  e2.unpin();
  assert.equal(cache.size, 1);
  assert.ok(cache.usedBytes <= cache.limit);
  assert.equal(cache.lookup(k1, STAMP), undefined); // evicted
  assert.equal(mf.usedBytes, base + 2 * size, 'the pinned evicted entry keeps its pages');
  // An address space loaded from the evicted entry keeps the pages after the unpin.
  const s = space(mf);
  assert.ok(typeof loadElf(s.mm, img, e1.head, { aslr: false }, e1) !== 'number');
  e1.unpin();
  assert.equal(mf.usedBytes, base + 2 * size);
  s.mm.destroy();
  assert.equal(mf.usedBytes, base + size);
  cache.clear();
  assert.equal(mf.usedBytes, base);
  // Larger than the whole cache: served once, never kept.
  const tiny = new ElfImageCache(mf, PAGE);
  const e3 = tiny.insert({}, STAMP, img, bytes);
  assert.ok(e3 !== null);
  assert.equal(tiny.size, 0);
  assert.equal(tiny.usedBytes, 0);
  e3.unpin();
  assert.equal(mf.usedBytes, base);
});
