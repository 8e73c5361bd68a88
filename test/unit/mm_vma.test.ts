import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PageTable, Pte } from '../../src/mm/page_table.js';
import { Vma, VmaSet, VmFlag } from '../../src/mm/vma.js';

const P = 4096;

function anon(start: number, end: number, prot = 3, flags = 0): Vma {
  return new Vma(start, end, prot, 7, flags, null, start / P, null);
}

function ranges(s: VmaSet): string[] {
  return s.list.map((v) => `${(v.start / P).toString(16)}-${(v.end / P).toString(16)}:${v.prot}`);
}

test('VmaSet: find, split, merge, removeRange', () => {
  const s = new VmaSet();
  s.insert(anon(0x10 * P, 0x20 * P));
  s.insert(anon(0x30 * P, 0x40 * P));
  assert.equal(s.find(0x10 * P)?.start, 0x10 * P);
  assert.equal(s.find(0x20 * P - 1)?.start, 0x10 * P);
  assert.equal(s.find(0x20 * P), undefined);
  assert.equal(s.overlaps(0x20 * P, 0x30 * P), false);
  assert.equal(s.overlaps(0x20 * P, 0x30 * P + 1), true);
  const i = s.split(0x18 * P);
  assert.equal(i, 1);
  assert.deepEqual(ranges(s), ['10-18:3', '18-20:3', '30-40:3']);
  assert.equal(s.list[1].pgoff, 0x18); // the upper half's page offset follows
  s.mergeAround(0, 2);
  assert.deepEqual(ranges(s), ['10-20:3', '30-40:3']);
  s.split(0x14 * P);
  s.split(0x16 * P);
  s.list[1].prot = 1;
  assert.deepEqual(ranges(s), ['10-14:3', '14-16:1', '16-20:3', '30-40:3']);
  s.mergeAround(0, 3);
  assert.deepEqual(ranges(s), ['10-14:3', '14-16:1', '16-20:3', '30-40:3']);
  const removed = s.removeRange(0x12 * P, 0x35 * P);
  assert.deepEqual(removed.map((v) => [v.start / P, v.end / P]), [[0x12, 0x14], [0x14, 0x16], [0x16, 0x20], [0x30, 0x35]]);
  assert.deepEqual(ranges(s), ['10-12:3', '35-40:3']);
  assert.equal(s.splitsInside(0x36 * P, 0x37 * P), true);
  assert.equal(s.splitsInside(0x35 * P, 0x37 * P), false);
  assert.equal(s.splitsNeeded(0x36 * P, 0x37 * P), 2);
});

test('VMAs with different page offsets (moved memory) or names do not merge', () => {
  const a = anon(0x10 * P, 0x20 * P);
  const b = new Vma(0x20 * P, 0x30 * P, 3, 7, 0, null, 0x999, null);
  assert.equal(a.canMerge(b), false);
  const c = anon(0x20 * P, 0x30 * P);
  assert.equal(a.canMerge(c), true);
  c.name = '[anon:x]';
  assert.equal(a.canMerge(c), false);
  c.name = null;
  c.flags = VmFlag.Locked;
  assert.equal(a.canMerge(c), false);
});

test('gap search: top-down below high, guard gap of grows-down VMAs, bottom-up', () => {
  const s = new VmaSet(4 * P);
  s.insert(anon(0x100 * P, 0x110 * P));
  assert.equal(s.gapTopDown(0x10 * P, 0x10 * P, 0x200 * P), 0x1f0 * P);
  s.insert(anon(0x1f0 * P, 0x200 * P));
  assert.equal(s.gapTopDown(0x10 * P, 0x10 * P, 0x200 * P), 0x1e0 * P);
  // A grows-down VMA keeps 4 pages below it clear.
  s.insert(anon(0x1e0 * P, 0x1f0 * P, 3, VmFlag.GrowsDown));
  assert.equal(s.gapTopDown(0x10 * P, 0x10 * P, 0x200 * P), 0x1cc * P);
  assert.equal(s.hintFits(0x1d0 * P, 0x10 * P), false);
  assert.equal(s.hintFits(0x1cc * P, 0x10 * P), true);
  assert.equal(s.gapTopDown(0xd0 * P, 0x10 * P, 0x200 * P), 0x30 * P); // below the VMA at 0x100
  assert.equal(s.gapTopDown(0x200 * P, 0x10 * P, 0x200 * P), -1);
  assert.equal(s.gapBottomUp(0x10 * P, 0x100 * P, 0x200 * P), 0x110 * P);
  assert.equal(s.gapBottomUp(0xf0 * P, 0x10 * P, 0x200 * P), 0x10 * P);
  assert.equal(s.gapBottomUp(0x100 * P, 0x10 * P, 0x200 * P), -1);
});

test('gap search cache gives the same answers as a full search under random operations', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const low = 0x10 * P;
  const high = 0x4000 * P;
  const s = new VmaSet(8 * P);
  const fresh = (): VmaSet => {
    const f = new VmaSet(8 * P);
    for (const v of s.list) f.insert(new Vma(v.start, v.end, v.prot, v.maxProt, v.flags, null, v.pgoff, null));
    return f;
  };
  for (let step = 0; step < 3000; step++) {
    const op = rnd(10);
    if (op < 6) {
      const len = (1 + rnd(rnd(4) === 0 ? 200 : 8)) * P;
      const expect = fresh().gapTopDown(len, low, high);
      const got = s.gapTopDown(len, low, high);
      assert.equal(got, expect, `step ${step}: gap for ${len / P} pages`);
      if (got >= 0) s.insert(anon(got, got + len, 3, rnd(8) === 0 ? VmFlag.GrowsDown : 0));
    } else if (op < 9 && s.count > 0) {
      const v = s.list[rnd(s.count)];
      const a = v.start + rnd(v.pages) * P;
      s.removeRange(a, Math.min(v.end, a + (1 + rnd(4)) * P));
    } else {
      const a = (0x10 + rnd(0x3f00)) * P;
      const e = a + (1 + rnd(16)) * P;
      if (!s.overlaps(a - 8 * P, e + 8 * P)) s.insert(anon(a, e));
    }
  }
  assert.ok(s.count > 10);
});

test('PageTable: set, clear, next across chunks, flags', () => {
  const t = new PageTable();
  assert.equal(t.filePage(5), -1);
  assert.equal(t.next(0, 1 << 30), 1 << 30);
  t.set(5, 0, Pte.Owned);
  t.set(511, 7, 0);
  t.set(512, 8, Pte.Mapped | 3);
  t.set(2 ** 35 - 1, 9, 0); // the top page of the address space
  assert.equal(t.size, 4);
  assert.equal(t.filePage(5), 0);
  assert.equal(t.flags(5), Pte.Owned);
  assert.equal(t.flags(512), Pte.Mapped | 3);
  assert.equal(t.next(0, 1000), 5);
  assert.equal(t.next(6, 1000), 511);
  assert.equal(t.next(512, 1000), 512);
  assert.equal(t.next(513, 1000), 1000);
  assert.equal(t.next(513, 2 ** 35), 2 ** 35 - 1);
  t.setFlags(512, 0);
  assert.equal(t.flags(512), 0);
  t.clear(512);
  t.clear(511);
  assert.equal(t.next(6, 2 ** 35 - 1), 2 ** 35 - 1);
  t.clear(5);
  t.clear(2 ** 35 - 1);
  assert.equal(t.size, 0);
  assert.equal(t.next(0, 2 ** 35), 2 ** 35);
});
