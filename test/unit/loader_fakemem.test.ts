// An in-memory LoaderMemory for loader tests: VMAs as sorted ranges, bytes in a sparse page
// map (untouched pages read as zero). Its own sanity tests run only when this file is the
// test being run, not when another test file imports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_PRIVATE, PAGE_SIZE,
  type LoaderMemory,
} from '../../src/loader/memory.js';

const EEXIST = -17;
const ENOMEM = -12;
const EINVAL = -22;
const EFAULT = -14;

export interface FakeVma {
  start: number;
  end: number;
  prot: number;
  flags: number;
}

export interface MmapCall {
  addr: number;
  length: number;
  prot: number;
  flags: number;
  fd: number;
  offset: number;
  result: number;
}

export class FakeMemory implements LoaderMemory {
  readonly maxAddress: number;
  vmas: FakeVma[] = [];
  readonly pages = new Map<number, Uint8Array>();
  readonly calls: MmapCall[] = [];
  brkStart = -1;
  /** Top-down hint for non-fixed mmap (like mm->mmap_base). */
  mmapBase: number;

  constructor(maxAddress = 0x7fffffeff000, mmapBase = 0x7f0000000000) {
    this.maxAddress = maxAddress;
    this.mmapBase = mmapBase;
  }

  mmap(addr: number, length: number, prot: number, flags: number, fd: number, offset: number): number {
    const result = this.doMmap(addr, length, prot, flags, fd, offset);
    this.calls.push({ addr, length, prot, flags, fd, offset, result });
    return result;
  }

  private doMmap(addr: number, length: number, prot: number, flags: number, fd: number, offset: number): number {
    if (fd !== -1 || offset !== 0) return EINVAL;
    if ((flags & (MAP_PRIVATE | MAP_ANONYMOUS)) !== (MAP_PRIVATE | MAP_ANONYMOUS)) return EINVAL;
    if (!Number.isSafeInteger(length) || length <= 0 || length % PAGE_SIZE !== 0) return EINVAL;
    const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
    if (fixed) {
      if (addr % PAGE_SIZE !== 0) return EINVAL;
      if (addr < 0x10000 || addr + length > this.maxAddress) return ENOMEM;
      if (flags & MAP_FIXED_NOREPLACE && this.overlaps(addr, addr + length)) return EEXIST; // wins over MAP_FIXED
      this.carve(addr, addr + length);
    } else {
      let at = this.mmapBase - length;
      for (;;) {
        if (at < 0x10000) return ENOMEM;
        const hit = this.vmas.find((v) => v.start < at + length && at < v.end);
        if (hit === undefined) break;
        at = hit.start - length;
      }
      addr = at;
    }
    this.vmas.push({ start: addr, end: addr + length, prot, flags });
    this.vmas.sort((a, b) => a.start - b.start);
    return addr;
  }

  mprotect(addr: number, len: number, prot: number): number {
    if (addr % PAGE_SIZE !== 0 || len <= 0 || len % PAGE_SIZE !== 0) return EINVAL;
    if (!this.covered(addr, addr + len)) return ENOMEM;
    this.split(addr);
    this.split(addr + len);
    for (const v of this.vmas) if (v.start >= addr && v.end <= addr + len) v.prot = prot;
    return 0;
  }

  pokeBytes(addr: number, src: Uint8Array, srcOff: number, len: number): number {
    if (len < 0 || srcOff < 0 || srcOff + len > src.length) return EFAULT;
    if (len === 0) return 0;
    if (!this.covered(addr, addr + len)) return EFAULT;
    let done = 0;
    while (done < len) {
      const a = addr + done;
      const pageAddr = a - (a % PAGE_SIZE);
      const inPage = a - pageAddr;
      const n = Math.min(len - done, PAGE_SIZE - inPage);
      let page = this.pages.get(pageAddr);
      if (page === undefined) {
        page = new Uint8Array(PAGE_SIZE);
        this.pages.set(pageAddr, page);
      }
      page.set(src.subarray(srcOff + done, srcOff + done + n), inPage);
      done += n;
    }
    return len;
  }

  setBrkStart(addr: number): void {
    this.brkStart = addr;
  }

  // ---- test helpers ----

  vmaAt(addr: number): FakeVma | undefined {
    return this.vmas.find((v) => v.start <= addr && addr < v.end);
  }

  protAt(addr: number): number | undefined {
    return this.vmaAt(addr)?.prot;
  }

  /** Reads mapped memory; throws on an unmapped byte (a test bug or a loader bug). */
  read(addr: number, len: number): Uint8Array {
    if (!this.covered(addr, addr + len)) throw new Error(`read of unmapped [0x${addr.toString(16)}, +0x${len.toString(16)})`);
    const out = new Uint8Array(len);
    for (let done = 0; done < len;) {
      const a = addr + done;
      const pageAddr = a - (a % PAGE_SIZE);
      const inPage = a - pageAddr;
      const n = Math.min(len - done, PAGE_SIZE - inPage);
      const page = this.pages.get(pageAddr);
      if (page !== undefined) out.set(page.subarray(inPage, inPage + n), done);
      done += n;
    }
    return out;
  }

  u64(addr: number): number {
    const b = this.read(addr, 8);
    const dv = new DataView(b.buffer);
    const hi = dv.getUint32(4, true);
    if (hi >= 0x200000) throw new Error('u64 above 2^53');
    return dv.getUint32(0, true) + hi * 0x1_0000_0000;
  }

  cstring(addr: number, max = 1 << 20): string {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      const c = this.read(addr + i, 1)[0];
      if (c === 0) return Buffer.from(bytes).toString('utf8');
      bytes.push(c ?? 0);
    }
    throw new Error('unterminated string');
  }

  private overlaps(start: number, end: number): boolean {
    return this.vmas.some((v) => v.start < end && start < v.end);
  }

  private covered(start: number, end: number): boolean {
    let at = start;
    for (const v of this.vmas) {
      if (v.end <= at) continue;
      if (v.start > at) return false;
      at = v.end;
      if (at >= end) return true;
    }
    return at >= end;
  }

  private split(x: number): void {
    const i = this.vmas.findIndex((v) => v.start < x && x < v.end);
    if (i < 0) return;
    const v = this.vmas[i] as FakeVma;
    this.vmas.splice(i, 1, { ...v, end: x }, { ...v, start: x });
  }

  private carve(start: number, end: number): void {
    this.split(start);
    this.split(end);
    this.vmas = this.vmas.filter((v) => !(v.start >= start && v.end <= end));
    for (const k of [...this.pages.keys()]) if (k >= start && k < end) this.pages.delete(k);
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

if (isMain) {
  const AP = MAP_PRIVATE | MAP_ANONYMOUS;

  test('fake memory: NOREPLACE refuses overlap, FIXED replaces and zeroes', () => {
    const m = new FakeMemory();
    assert.equal(m.mmap(0x400000, 0x2000, 3, AP | MAP_FIXED_NOREPLACE, -1, 0), 0x400000);
    assert.equal(m.mmap(0x401000, 0x1000, 1, AP | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
    assert.equal(m.pokeBytes(0x401ffe, Uint8Array.of(1, 2), 0, 2), 2);
    assert.deepEqual([...m.read(0x401ffe, 2)], [1, 2]);
    assert.equal(m.mmap(0x401000, 0x1000, 1, AP | MAP_FIXED, -1, 0), 0x401000);
    assert.deepEqual([...m.read(0x401ffe, 2)], [0, 0]);
    assert.equal(m.protAt(0x400000), 3);
    assert.equal(m.protAt(0x401000), 1);
  });

  test('fake memory: poke outside mappings is EFAULT; mprotect splits', () => {
    const m = new FakeMemory();
    assert.equal(m.pokeBytes(0x500000, Uint8Array.of(1), 0, 1), EFAULT);
    assert.equal(m.mmap(0x500000, 0x3000, 0, AP | MAP_FIXED_NOREPLACE | MAP_GROWSDOWN, -1, 0), 0x500000);
    assert.equal(m.pokeBytes(0x502fff, Uint8Array.of(1, 2), 0, 2), EFAULT);
    assert.equal(m.mprotect(0x501000, 0x1000, 5), 0);
    assert.deepEqual(m.vmas.map((v) => [v.start, v.end, v.prot]), [
      [0x500000, 0x501000, 0], [0x501000, 0x502000, 5], [0x502000, 0x503000, 0],
    ]);
    assert.equal(m.mprotect(0x502000, 0x2000, 1), ENOMEM);
  });

  test('fake memory: top-down placement below mmapBase', () => {
    const m = new FakeMemory(0x7fffffeff000, 0x7f0000000000);
    assert.equal(m.mmap(0, 0x3000, 0, AP, -1, 0), 0x7f0000000000 - 0x3000);
    assert.equal(m.mmap(0, 0x1000, 0, AP, -1, 0), 0x7f0000000000 - 0x4000);
  });
}
