// Random sequences of memory operations in a small arena, checked after every
// step against the fake stub (verifyAddressSpace) and against a shadow model
// of private memory contents (one byte per page).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/linux/errno.js';
import {
  MADV_DONTNEED, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, PROT_NONE,
  PROT_READ, PROT_WRITE, SEGV_ACCERR, SEGV_MAPERR,
} from '../../src/abi/linux/mman.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace, verifyAddressSpace } from '../../src/mm/fake_address_space.js';
import { FAULT_SIGBUS, MemoryManager } from '../../src/mm/memory_manager.js';

const P = 4096;
const A = 0x40000000; // arena start
const N = 512; // arena pages

function run(seed: number, steps: number): void {
  let s = seed >>> 0;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const mf = MemoryFile.create({ limit: 8192 * P, windowSize: 32 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const as = new FakeAddressSpace();
  const mm = new MemoryManager(mf, as, { mmapBase: A + N * P, mmapMinAddr: A });
  /** Byte address -> value, for the first and last byte of pages of private VMAs (absent: zero). */
  const shadow = new Map<number, number>();
  const drop = (start: number, end: number): void => {
    for (let a = start; a < end; a += P) {
      shadow.delete(a);
      shadow.delete(a + P - 1);
    }
  };
  /** A page's first or last byte: the bytes the shadow models. */
  const edge = (): number => A + rnd(N) * P + rnd(2) * (P - 1);
  const page = (): number => A + rnd(N) * P;
  const one = new Uint8Array(1);

  const verify = (step: string, addr: number): void => {
    const v = mm.vmas.find(addr);
    one[0] = 0xee;
    const r = mm.readBytes(addr, one, 0, 1);
    if (!v) {
      assert.equal(r, -Errno.EFAULT, `${step}: read of unmapped ${addr.toString(16)}`);
      assert.equal(as.access(mf, mm, addr, false), -SEGV_MAPERR, `${step}: guest read of unmapped`);
      return;
    }
    if (v.prot === PROT_NONE) {
      assert.equal(r, -Errno.EFAULT, `${step}: read of PROT_NONE`);
      assert.equal(as.access(mf, mm, addr, false), -SEGV_ACCERR);
      return;
    }
    if (v.obj !== null && v.pgoff + Math.floor((addr - v.start) / P) >= v.obj.sizePages) {
      assert.equal(r, -Errno.EFAULT, `${step}: read past the end of a shared object`);
      assert.equal(as.access(mf, mm, addr, false), -FAULT_SIGBUS);
      return;
    }
    assert.equal(r, 0, `${step}: read at ${addr.toString(16)}`);
    if (v.obj !== null) return; // shared contents are not modelled
    const want = shadow.get(addr) ?? 0;
    assert.equal(one[0], want, `${step}: kernel read at ${addr.toString(16)}`);
    assert.equal(as.access(mf, mm, addr, false), want, `${step}: guest read at ${addr.toString(16)}`);
  };

  for (let i = 0; i < steps; i++) {
    const op = rnd(100);
    let what = '';
    if (op < 15) {
      const len = (1 + rnd(rnd(3) === 0 ? 80 : 20)) * P;
      const prot = [PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE][rnd(4)];
      const shared = rnd(6) === 0;
      const fixed = rnd(2) === 0;
      const addr = fixed ? A + rnd(N - len / P + 1) * P : 0;
      what = `mmap(${addr.toString(16)}, ${len / P}p, ${prot}, ${shared ? 'shared' : 'private'}${fixed ? ' fixed' : ''})`;
      const r = mm.mmap(addr, len, prot, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | (fixed ? MAP_FIXED : 0), -1, 0);
      if (r >= 0) drop(r, r + len);
      else assert.equal(r, -Errno.ENOMEM, what);
    } else if (op < 25) {
      const a = page();
      const len = (1 + rnd(40)) * P;
      what = `munmap(${a.toString(16)}, ${len / P}p)`;
      assert.equal(mm.munmap(a, len), 0, what);
      drop(a, a + len);
    } else if (op < 35) {
      const a = page();
      const len = (1 + rnd(40)) * P;
      const prot = [PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE, PROT_WRITE][rnd(4)];
      what = `mprotect(${a.toString(16)}, ${len / P}p, ${prot})`;
      const r = mm.mprotect(a, len, prot);
      assert.ok(r === 0 || r === -Errno.ENOMEM, what);
    } else if (op < 60) {
      const a = edge();
      const v = mm.vmas.find(a);
      const val = 1 + rnd(255);
      const guest = rnd(2) === 0;
      what = `${guest ? 'guest' : 'kernel'} write ${val} at ${a.toString(16)}`;
      one[0] = val;
      const r: number = guest ? as.access(mf, mm, a, true, val) : mm.writeBytes(a, one, 0, 1);
      const pastEnd = v !== undefined && v.obj !== null && v.pgoff + Math.floor((a - v.start) / P) >= v.obj.sizePages;
      if (v && v.prot & PROT_WRITE && pastEnd) {
        assert.equal(r, guest ? -FAULT_SIGBUS : -Errno.EFAULT, what);
      } else if (v && v.prot & PROT_WRITE) {
        assert.equal(r, 0, what);
        if (v.obj === null) shadow.set(a, val);
      } else if (guest) {
        // The access type is unknown: past a shared object's end any access is SIGBUS.
        assert.equal(r, !v ? -SEGV_MAPERR : pastEnd && v.prot !== PROT_NONE ? -FAULT_SIGBUS : -SEGV_ACCERR, what);
      } else {
        assert.equal(r, -Errno.EFAULT, what);
      }
    } else if (op < 70) {
      const a = page();
      const len = (1 + rnd(20)) * P;
      what = `madvise(${a.toString(16)}, ${len / P}p, DONTNEED)`;
      const r = mm.madvise(a, len, MADV_DONTNEED);
      assert.ok(r === 0 || r === -Errno.ENOMEM, what);
      for (let p = a; p < a + len; p += P) {
        const v = mm.vmas.find(p);
        if (v && v.obj === null) drop(p, p + P);
      }
    } else if (op < 85 && mm.vmas.count > 0) {
      const v = mm.vmas.list[rnd(mm.vmas.count)];
      if (v.start < A || v.end > A + N * P) continue;
      const s0 = v.start + rnd(v.pages) * P;
      const oldLen = (1 + rnd((v.end - s0) / P)) * P;
      const kind = rnd(4);
      let newLen = (1 + rnd(40)) * P;
      let flags = rnd(2) === 0 ? MREMAP_MAYMOVE : 0;
      let newAddr = 0;
      if (kind === 0) {
        flags = MREMAP_MAYMOVE | MREMAP_FIXED;
        newAddr = page();
        if (newAddr + newLen > A + N * P || (s0 + oldLen > newAddr && newAddr + newLen > s0)) continue;
      } else if (kind === 1) {
        flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
        newLen = oldLen;
      }
      what = `mremap(${s0.toString(16)}, ${oldLen / P}p, ${newLen / P}p, ${flags}, ${newAddr.toString(16)})`;
      const wasPrivate = v.obj === null;
      const saved = new Map<number, number>();
      for (const [addr, x] of shadow) if (addr >= s0 && addr < s0 + oldLen) saved.set(addr - s0, x);
      const r = mm.mremap(s0, oldLen, newLen, flags, newAddr);
      if (r < 0) {
        assert.ok(r === -Errno.ENOMEM, `${what} = ${r}`);
      } else if (r === s0) {
        if (newLen < oldLen) drop(s0 + newLen, s0 + oldLen);
      } else {
        drop(r, r + newLen);
        drop(s0, s0 + oldLen);
        if (wasPrivate) for (const [off, x] of saved) if (off < newLen) shadow.set(r + off, x);
      }
    } else {
      for (let k = 0; k < 4; k++) verify(`step ${i}`, edge());
      continue;
    }
    const errs = verifyAddressSpace(mm, as, mf);
    assert.deepEqual(errs, [], `step ${i}: ${what}`);
    verify(`after step ${i} (${what})`, edge());
  }
  for (let p = 0; p < N; p++) {
    verify('final', A + p * P);
    verify('final', A + p * P + P - 1);
  }
  mm.destroy();
  assert.equal(mf.usedBytes, 0);
  assert.equal(as.pages.size, 0);
}

// MM_RANDOM_SEEDS=n and MM_RANDOM_STEPS=m run a longer search.
const seeds = Number(process.env.MM_RANDOM_SEEDS ?? 6);
const steps = Number(process.env.MM_RANDOM_STEPS ?? 1500);
for (let seed = 1; seed <= seeds; seed++) {
  test(`random operations keep the stub, the VMAs and the contents consistent (seed ${seed})`, () => run(seed, steps));
}
