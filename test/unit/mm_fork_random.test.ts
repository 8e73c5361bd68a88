// Random sequences of memory operations over several address spaces made by
// fork (and destroyed at random): anonymous and file mappings, private and
// shared. After every step all managers are checked together
// (verifyAddressSpace over the group: owner counts, stubs, usage), and the
// private contents against one shadow model per address space (one byte per
// page edge; file pages default to the file's bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/linux/errno.js';
import {
  MADV_DONTFORK, MADV_DONTNEED, MADV_POPULATE_WRITE, MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED,
  MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, PROT_NONE, PROT_READ, PROT_WRITE, SEGV_ACCERR, SEGV_MAPERR,
} from '../../src/abi/linux/mman.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace, verifyAddressSpace, type ManagedSpace } from '../../src/mm/fake_address_space.js';
import type { MappedFile } from '../../src/mm/mapped_file.js';
import { FAULT_SIGBUS, MemoryManager } from '../../src/mm/memory_manager.js';
import type { Vma } from '../../src/mm/vma.js';

const P = 4096;
const A = 0x40000000; // arena start
const N = 512; // arena pages
const DONT_COPY = 32; // VmFlag.DontCopy
const WIPE_ON_FORK = 64; // VmFlag.WipeOnFork
const FILE_PAGES = 40;

class ArrayFile implements MappedFile {
  readonly readable = true;
  readonly mappable = true;
  readonly regular = true;
  readonly zero = false;
  readonly appendOnly = false;
  readonly writeSealed = false;
  readonly noexec = false;
  readonly dev = 0x803;
  readonly ino = 7;
  readonly key = {};
  refs = 0;
  constructor(readonly data: Uint8Array, readonly writable: boolean) {}
  get size(): number { return this.data.length; }
  name(): string { return '/data'; }
  read(pos: number, dst: Uint8Array, off: number, len: number): number {
    const n = Math.max(0, Math.min(len, this.data.length - pos));
    dst.set(this.data.subarray(pos, pos + n), off);
    return n;
  }
  write(pos: number, src: Uint8Array, off: number, len: number): number {
    this.data.set(src.subarray(off, off + len), pos);
    return len;
  }
  sync(): number { return 0; }
  incRef(): void { this.refs++; }
  decRef(): void { this.refs--; }
}

interface Space extends ManagedSpace {
  mm: MemoryManager;
  as: FakeAddressSpace;
  /** Byte address -> value for page edges of private VMAs (absent: zero, or the file's byte). */
  shadow: Map<number, number>;
}

function run(seed: number, steps: number): void {
  let s = seed >>> 0;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const mf = MemoryFile.create({ limit: 16384 * P, windowSize: 32 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  // A private file (read only; +100 bytes: a partial last page) and a shared one (writable).
  const fdata = new Uint8Array(FILE_PAGES * P + 100);
  for (let i = 0; i < fdata.length; i++) fdata[i] = 1 + ((i * 7 + (i >> 12)) % 250);
  const pfile = new ArrayFile(fdata, false);
  const sfile = new ArrayFile(new Uint8Array(FILE_PAGES * P), true);
  const spaces: Space[] = [];
  const first = new FakeAddressSpace();
  spaces.push({ mm: new MemoryManager(mf, first, { mmapBase: A + N * P, mmapMinAddr: A }), as: first, shadow: new Map() });
  const one = new Uint8Array(1);
  const edge = (): number => A + rnd(N) * P + rnd(2) * (P - 1);
  const page = (): number => A + rnd(N) * P;
  const drop = (sp: Space, start: number, end: number): void => {
    for (let a = start; a < end; a += P) {
      sp.shadow.delete(a);
      sp.shadow.delete(a + P - 1);
    }
  };
  const sizePages = (v: Vma): number => (v.obj !== null ? v.obj.sizePages : v.file !== null ? Math.ceil(v.file.size / P) : Infinity);
  const pastEnd = (v: Vma, addr: number): boolean => v.pgoff + Math.floor((addr - v.start) / P) >= sizePages(v);
  const fileByte = (v: Vma, addr: number): number => {
    if (v.file === null) return 0;
    const pos = (v.pgoff * P) + (addr - v.start);
    return pos < pfile.data.length ? pfile.data[pos] : 0;
  };

  const verify = (sp: Space, step: string, addr: number): void => {
    const { mm, as } = sp;
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
    if (pastEnd(v, addr)) {
      assert.equal(r, -Errno.EFAULT, `${step}: read past the end of an object or file`);
      assert.equal(as.access(mf, mm, addr, false), -FAULT_SIGBUS);
      return;
    }
    assert.equal(r, 0, `${step}: read at ${addr.toString(16)}`);
    if (v.obj !== null) return; // shared contents are not modelled
    const want = sp.shadow.get(addr) ?? fileByte(v, addr);
    assert.equal(one[0], want, `${step}: kernel read at ${addr.toString(16)}`);
    assert.equal(as.access(mf, mm, addr, false), want, `${step}: guest read at ${addr.toString(16)}`);
  };

  for (let i = 0; i < steps; i++) {
    const sp = spaces[rnd(spaces.length)];
    const { mm, as } = sp;
    const op = rnd(100);
    let what = '';
    if (op < 4 && spaces.length < 5) {
      const cas = new FakeAddressSpace();
      const child = mm.fork(cas);
      assert.ok(child instanceof MemoryManager);
      const shadow = new Map<number, number>();
      for (const [addr, x] of sp.shadow) {
        const v = mm.vmas.find(addr);
        if (v && !(v.flags & (DONT_COPY | WIPE_ON_FORK))) shadow.set(addr, x);
      }
      spaces.push({ mm: child, as: cas, shadow });
      what = 'fork';
    } else if (op < 6 && spaces.length > 1) {
      mm.destroy();
      assert.equal(as.pages.size, 0);
      spaces.splice(spaces.indexOf(sp), 1);
      what = 'destroy';
    } else if (op < 8) {
      const a = page();
      const len = (1 + rnd(20)) * P;
      const advice = [MADV_DONTFORK, MADV_WIPEONFORK, MADV_POPULATE_WRITE][rnd(3)];
      what = `madvise(${a.toString(16)}, ${len / P}p, ${advice})`;
      const r = mm.madvise(a, len, advice);
      assert.ok(r === 0 || r === -Errno.ENOMEM || r === -Errno.EINVAL || r === -Errno.EFAULT, `${what} = ${r}`);
    } else if (op < 22) {
      const pages = 1 + rnd(rnd(3) === 0 ? 60 : 20);
      const len = pages * P;
      const prot = [PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE][rnd(4)];
      const kind = rnd(8); // 0: shared anon, 1: private file, 2: shared file, else private anon
      const fixed = rnd(2) === 0;
      const addr = fixed ? A + rnd(N - pages + 1) * P : 0;
      const pgoff = rnd(FILE_PAGES);
      const flags = (kind === 0 || kind === 2 ? MAP_SHARED : MAP_PRIVATE) | (kind === 1 || kind === 2 ? 0 : MAP_ANONYMOUS) | (fixed ? MAP_FIXED : 0);
      const file = kind === 1 ? pfile : kind === 2 ? sfile : -1;
      what = `mmap(${addr.toString(16)}, ${pages}p, ${prot}, kind ${kind}, pgoff ${pgoff}${fixed ? ' fixed' : ''})`;
      const r = mm.mmap(addr, len, prot, flags, file, file === -1 ? 0 : pgoff * P);
      if (r >= 0) drop(sp, r, r + len);
      else assert.equal(r, -Errno.ENOMEM, what);
    } else if (op < 30) {
      const a = page();
      const len = (1 + rnd(40)) * P;
      what = `munmap(${a.toString(16)}, ${len / P}p)`;
      assert.equal(mm.munmap(a, len), 0, what);
      drop(sp, a, a + len);
    } else if (op < 38) {
      const a = page();
      const len = (1 + rnd(40)) * P;
      const prot = [PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE, PROT_WRITE][rnd(4)];
      what = `mprotect(${a.toString(16)}, ${len / P}p, ${prot})`;
      const r = mm.mprotect(a, len, prot);
      assert.ok(r === 0 || r === -Errno.ENOMEM || r === -Errno.EACCES, what);
    } else if (op < 65) {
      const a = edge();
      const v = mm.vmas.find(a);
      const val = 1 + rnd(255);
      const guest = rnd(2) === 0;
      what = `${guest ? 'guest' : 'kernel'} write ${val} at ${a.toString(16)}`;
      one[0] = val;
      const r: number = guest ? as.access(mf, mm, a, true, val) : mm.writeBytes(a, one, 0, 1);
      const past = v !== undefined && pastEnd(v, a);
      if (v && v.prot & PROT_WRITE && past) {
        assert.equal(r, guest ? -FAULT_SIGBUS : -Errno.EFAULT, what);
      } else if (v && v.prot & PROT_WRITE) {
        assert.equal(r, 0, what);
        if (v.obj === null) sp.shadow.set(a, val);
      } else if (guest) {
        assert.equal(r, !v ? -SEGV_MAPERR : past && v.prot !== PROT_NONE ? -FAULT_SIGBUS : -SEGV_ACCERR, what);
      } else {
        assert.equal(r, -Errno.EFAULT, what);
      }
    } else if (op < 72) {
      const a = page();
      const len = (1 + rnd(20)) * P;
      what = `madvise(${a.toString(16)}, ${len / P}p, DONTNEED)`;
      const r = mm.madvise(a, len, MADV_DONTNEED);
      assert.ok(r === 0 || r === -Errno.ENOMEM || r === -Errno.EINVAL, what);
      if (r !== -Errno.EINVAL) {
        for (let p = a; p < a + len; p += P) {
          const v = mm.vmas.find(p);
          if (v && v.obj === null) drop(sp, p, p + P);
        }
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
      for (const [addr, x] of sp.shadow) if (addr >= s0 && addr < s0 + oldLen) saved.set(addr - s0, x);
      const r = mm.mremap(s0, oldLen, newLen, flags, newAddr);
      if (r < 0) {
        assert.ok(r === -Errno.ENOMEM, `${what} = ${r}`);
      } else if (r === s0) {
        if (newLen < oldLen) drop(sp, s0 + newLen, s0 + oldLen);
      } else {
        drop(sp, r, r + newLen);
        drop(sp, s0, s0 + oldLen);
        if (wasPrivate) for (const [off, x] of saved) if (off < newLen) sp.shadow.set(r + off, x);
      }
    } else {
      for (let k = 0; k < 4; k++) verify(sp, `step ${i}`, edge());
      continue;
    }
    const errs = verifyAddressSpace(spaces[0].mm, spaces[0].as, mf, spaces);
    assert.deepEqual(errs, [], `step ${i}: ${what}`);
    for (const x of spaces) verify(x, `after step ${i} (${what})`, edge());
  }
  for (const sp of spaces) {
    for (let p = 0; p < N; p++) {
      verify(sp, 'final', A + p * P);
      verify(sp, 'final', A + p * P + P - 1);
    }
  }
  for (const sp of spaces) sp.mm.destroy();
  assert.equal(mf.usedBytes, 0);
  assert.equal(mf.sharedPages, 0);
  assert.equal(pfile.refs + sfile.refs, 0);
}

// MM_RANDOM_SEEDS=n and MM_RANDOM_STEPS=m run a longer search.
const seeds = Number(process.env.MM_RANDOM_SEEDS ?? 4);
const steps = Number(process.env.MM_RANDOM_STEPS ?? 1500);
for (let seed = 1; seed <= seeds; seed++) {
  test(`random operations across forked address spaces stay consistent (seed ${seed})`, () => run(seed, steps));
}
