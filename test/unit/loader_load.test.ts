import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { parseElf, type ElfImage } from '../../src/loader/elf.js';
import { etDynBase, loadElf, loadInterpreter, protOf, type LoadResult } from '../../src/loader/loader.js';
import { loadProgram } from '../../src/loader/load_program.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_PRIVATE } from '../../src/loader/memory.js';
import { FakeMemory } from './loader_fakemem.test.js';
import {
  BUSYBOX, compileFixtures, LDSO, LS, makeElf, pattern, PF_R, PF_W, PF_X, PT_GNU_STACK, PT_LOAD,
  readBytes, readelf, type SynthElf,
} from './elf_fixtures.test.js';

const AP = MAP_PRIVATE | MAP_ANONYMOUS;
const PAGE = 4096;
const pageDown = (x: number): number => x - (x % PAGE);
const pageUp = (x: number): number => Math.ceil(x / PAGE) * PAGE;

function image(bytes: Uint8Array): ElfImage {
  const r = parseElf(bytes);
  if (typeof r === 'number') assert.fail(`parseElf: ${r}`);
  return r;
}

function loaded<T>(r: T | number): T {
  if (typeof r === 'number') assert.fail(`load failed: ${r}`);
  return r;
}

/**
 * Checks a loaded image against its file, independently of the loader's own arithmetic:
 * protections (a later segment wins a shared page), file bytes, zeroed bss up to the page end.
 */
function checkSegments(mem: FakeMemory, img: ElfImage, bytes: Uint8Array, bias: number): void {
  const protByPage = new Map<number, number>();
  for (const p of img.loads) {
    for (let a = pageDown(bias + p.vaddr); a < bias + p.vaddr + p.memsz; a += PAGE) protByPage.set(a, protOf(p.flags));
  }
  for (const [a, prot] of protByPage) assert.equal(mem.protAt(a), prot, `prot of page 0x${a.toString(16)}`);
  for (const p of img.loads) {
    const at = bias + p.vaddr;
    assert.deepEqual(mem.read(at, p.filesz), bytes.subarray(p.offset, p.offset + p.filesz), `bytes at 0x${at.toString(16)}`);
    if (p.memsz > p.filesz) {
      const bss = mem.read(at + p.filesz, pageUp(at + p.memsz) - (at + p.filesz));
      assert.equal(bss.findIndex((x) => x !== 0), -1, `bss at 0x${(at + p.filesz).toString(16)}`);
    }
  }
}

function checkPhdr(mem: FakeMemory, r: LoadResult, bytes: Uint8Array, img: ElfImage): void {
  assert.equal(r.phent, 56);
  assert.equal(r.phnum, img.phnum);
  assert.deepEqual(mem.read(r.phdr, img.phnum * 56), bytes.subarray(img.phoff, img.phoff + img.phnum * 56));
}

test('static ET_EXEC (gcc -static) loads at its addresses', (t) => {
  const c = compileFixtures();
  if (c === null) return t.skip('gcc -static unavailable');
  const bytes = readBytes(c.static);
  const img = image(bytes);
  const mem = new FakeMemory();
  const r = loaded(loadElf(mem, img, bytes, { aslr: false }));
  const re = readelf(c.static);
  assert.equal(r.bias, 0);
  assert.equal(r.entry, re.entry);
  checkSegments(mem, img, bytes, 0);
  checkPhdr(mem, r, bytes, img);
  const loads = re.phdrs.filter((p) => p.type === 'LOAD');
  const end = Math.max(...loads.map((p) => p.vaddr + p.memsz));
  assert.equal(r.end, end);
  assert.equal(r.brkStart, pageUp(end));
  assert.equal(mem.brkStart, pageUp(end));
  const text = loads.filter((p) => p.flags & PF_X);
  assert.equal(r.startCode, Math.min(...text.map((p) => p.vaddr)));
  assert.equal(r.endCode, Math.max(...text.map((p) => p.vaddr + p.filesz)));
  assert.equal(r.startData, Math.max(...loads.map((p) => p.vaddr)));
  assert.equal(r.endData, Math.max(...loads.map((p) => p.vaddr + p.filesz)));
  assert.equal(r.execStack, false);
  assert.equal(r.interpreter, null);
  for (const call of mem.calls) {
    assert.equal(call.flags, AP | MAP_FIXED_NOREPLACE);
    assert.deepEqual([call.fd, call.offset], [-1, 0]);
  }
});

test('busybox loads at its addresses', (t) => {
  if (!existsSync(BUSYBOX)) return t.skip('no busybox');
  const bytes = readBytes(BUSYBOX);
  const img = image(bytes);
  const mem = new FakeMemory();
  const r = loaded(loadElf(mem, img, bytes, { aslr: false }));
  assert.equal(r.entry, readelf(BUSYBOX).entry);
  assert.equal(r.phdr, 0x400040);
  checkSegments(mem, img, bytes, 0);
  checkPhdr(mem, r, bytes, img);
});

test('static-pie loads at ELF_ET_DYN_BASE (0x555555554000 without ASLR)', (t) => {
  const c = compileFixtures();
  if (c === null) return t.skip('gcc -static-pie unavailable');
  const bytes = readBytes(c.staticPie);
  const img = image(bytes);
  assert.equal(etDynBase(0x7fffffeff000), 0x555555554000);
  const mem = new FakeMemory();
  const r = loaded(loadElf(mem, img, bytes, { aslr: false }));
  assert.equal(r.bias, 0x555555554000);
  assert.equal(r.entry, 0x555555554000 + readelf(c.staticPie).entry);
  checkSegments(mem, img, bytes, r.bias);
  checkPhdr(mem, r, bytes, img);
  assert.equal(r.brkStart, pageUp(r.bias + img.end));
});

test('ASLR: bias and brk move by whole random pages within Linux ranges', (t) => {
  const c = compileFixtures();
  if (c === null) return t.skip('gcc -static-pie unavailable');
  const bytes = readBytes(c.staticPie);
  const img = image(bytes);
  const bounds: number[] = [];
  const random = (bound: number): number => {
    bounds.push(bound);
    return bound === 2 ** 28 ? 1234 : 77;
  };
  const mem = new FakeMemory();
  const r = loaded(loadElf(mem, img, bytes, { random }));
  assert.deepEqual(bounds, [2 ** 28, 8192]); // arch_mmap_rnd (28 bits of pages), randomize_page(brk, 32 MiB)
  assert.equal(r.bias, 0x555555554000 + 1234 * PAGE);
  assert.equal(r.brkStart, pageUp(r.bias + img.end) + 77 * PAGE);
  checkSegments(mem, img, bytes, r.bias);
});

test('ET_DYN bias is aligned to the largest PT_LOAD p_align', () => {
  const spec: SynthElf = {
    type: 3,
    entry: 0x100,
    size: 0x3000,
    phdrs: [
      { type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: 0, filesz: 0x2000, memsz: 0x2000, align: 0x200000 },
      { type: PT_LOAD, flags: PF_R | PF_W, offset: 0x2000, vaddr: 0x202000, filesz: 0x800, memsz: 0x1000, align: 0x200000 },
    ],
  };
  const bytes = makeElf(spec);
  const mem = new FakeMemory();
  const r = loaded(loadElf(mem, image(bytes), bytes, { random: () => 3 }));
  assert.equal(r.bias, 0x555555400000); // (0x555555554000 + 3 pages) & ~(2 MiB - 1)
  assert.equal(r.entry, 0x555555400100);
  assert.equal(mem.protAt(0x555555602000), 3);
  assert.equal(mem.vmaAt(0x555555402000), undefined, 'the hole between segments stays unmapped');
});

// A text segment ending mid-page and a data segment starting in that same page.
const sharedSpec: SynthElf = {
  entry: 0x400100,
  size: 0x2000,
  phdrs: [
    { type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: 0x400000, filesz: 0x1234, memsz: 0x1234 },
    { type: PT_LOAD, flags: PF_R | PF_W, offset: 0x1300, vaddr: 0x401300, filesz: 0x100, memsz: 0x2000 },
    { type: PT_GNU_STACK, flags: PF_R | PF_W | PF_X, offset: 0, vaddr: 0, filesz: 0, memsz: 0 },
  ],
};

test('segments sharing a page: later protection wins, bytes as Linux maps them, bss zero', () => {
  const bytes = makeElf(sharedSpec);
  const mem = new FakeMemory();
  const r = loaded(loadElf(mem, image(bytes), bytes, { aslr: false }));
  assert.deepEqual(mem.calls.map((c) => [c.addr, c.length, c.prot, c.flags]), [
    [0x400000, 0x2000, 5, AP | MAP_FIXED_NOREPLACE],
    [0x402000, 0x2000, 3, AP | MAP_FIXED_NOREPLACE],
  ]);
  assert.deepEqual(mem.vmas.map((v) => [v.start, v.end, v.prot]), [
    [0x400000, 0x401000, 5], [0x401000, 0x402000, 3], [0x402000, 0x404000, 3],
  ]);
  const expect = (addr: number, fileOff: number, len: number): void => {
    const got = mem.read(addr, len);
    for (let i = 0; i < len; i++) assert.equal(got[i], pattern(fileOff + i), `byte at 0x${(addr + i).toString(16)}`);
  };
  const hdrs = 64 + 3 * 56;
  expect(0x400000 + hdrs, hdrs, 0x1234 - hdrs); // text after the headers
  expect(0x401234, 0x1234, 0xcc); // the data page's head comes from the file page (MAP_FIXED)
  expect(0x401300, 0x1300, 0x100);
  // bss: zero from p_vaddr + p_filesz, including the rest of the last file page (file bytes there are non-zero).
  assert.equal(mem.read(0x401400, 0x403300 - 0x401400).findIndex((x) => x !== 0), -1);
  assert.equal(r.execStack, true);
  assert.equal(r.brkStart, 0x404000);
  assert.equal(r.phdr, 0x400040);
  assert.deepEqual([r.startCode, r.endCode, r.startData, r.endData], [0x400000, 0x401234, 0x401300, 0x401400]);
});

test('a segment without bss maps the file up to its page end (zero past EOF); a read-only bss is zero', () => {
  const spec: SynthElf = {
    entry: 0x400000,
    size: 0x1800,
    phdrs: [
      { type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: 0x400000, filesz: 0x1234, memsz: 0x1234 },
      { type: PT_LOAD, flags: PF_R, offset: 0x1000, vaddr: 0x403000, filesz: 0x100, memsz: 0x3000 },
    ],
  };
  const bytes = makeElf(spec);
  const mem = new FakeMemory();
  loaded(loadElf(mem, image(bytes), bytes, { aslr: false }));
  const tail = mem.read(0x401234, 0x1800 - 0x1234);
  for (let i = 0; i < tail.length; i++) assert.equal(tail[i], pattern(0x1234 + i));
  assert.equal(mem.read(0x401800, 0x800).findIndex((x) => x !== 0), -1);
  assert.equal(mem.read(0x403100, 0x2f00).findIndex((x) => x !== 0), -1);
  assert.deepEqual([mem.protAt(0x403000), mem.protAt(0x405000)], [1, 1]);
});

test('load errors: occupied addresses, entry or segments outside user space, failing pokes', () => {
  const bytes = makeElf(sharedSpec);
  const img = image(bytes);
  const busy = new FakeMemory();
  busy.mmap(0x402000, 0x1000, 0, AP | MAP_FIXED, -1, 0);
  assert.equal(loadElf(busy, img, bytes, { aslr: false }), -17); // EEXIST from MAP_FIXED_NOREPLACE

  const high: SynthElf = {
    entry: 0x7ffffff00000,
    size: 0x1000,
    phdrs: [{ type: PT_LOAD, flags: PF_R, offset: 0, vaddr: 0x7ffffff00000, filesz: 0x1000, memsz: 0x1000 }],
  };
  const hb = makeElf(high);
  assert.equal(loadElf(new FakeMemory(), image(hb), hb, { aslr: false }), -22); // entry >= maxAddress
  const hb2 = makeElf({ ...high, entry: 0x400000 });
  assert.equal(loadElf(new FakeMemory(), image(hb2), hb2, { aslr: false }), -12);

  // bias = 0x555555554000 - 0x400000: the entry lands exactly on maxAddress.
  const dyn = makeElf({ ...sharedSpec, type: 3, entry: 0x7fffffeff000 - 0x555555154000 });
  assert.equal(loadElf(new FakeMemory(), image(dyn), dyn, { aslr: false }), -22);
  const dynOk = makeElf({ ...sharedSpec, type: 3, entry: 0x7fffffeff000 - 0x555555154000 - 1 });
  assert.equal(loaded(loadElf(new FakeMemory(), image(dynOk), dynOk, { aslr: false })).bias, 0x555555154000);

  class NoPoke extends FakeMemory {
    override pokeBytes(): number {
      return -14;
    }
  }
  assert.equal(loadElf(new NoPoke(), img, bytes, { aslr: false }), -14);
});

test('ld.so loads as an interpreter at an mmap-chosen base', (t) => {
  if (!existsSync(LDSO)) return t.skip('no ld.so');
  const bytes = readBytes(LDSO);
  const img = image(bytes);
  const mem = new FakeMemory(0x7fffffeff000, 0x7f0000000000);
  const r = loaded(loadInterpreter(mem, bytes));
  const size = pageUp(img.end);
  assert.equal(r.base, 0x7f0000000000 - size);
  assert.equal(r.entry, r.base + readelf(LDSO).entry);
  assert.deepEqual([r.start, r.end], [r.base, r.base + img.end]);
  const first = mem.calls[0];
  assert.deepEqual(first && [first.addr, first.length, first.prot, first.flags], [0, size, 0, AP]);
  for (const c of mem.calls.slice(1)) assert.equal(c.flags, AP | MAP_FIXED);
  checkSegments(mem, img, bytes, r.base);
});

test('interpreter: holes stay PROT_NONE reserved; ET_EXEC at its own address; garbage is ELIBBAD', () => {
  const spec: SynthElf = {
    type: 3,
    entry: 0x10,
    size: 0x2000,
    phdrs: [
      { type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: 0, filesz: 0x1000, memsz: 0x1000 },
      { type: PT_LOAD, flags: PF_R | PF_W, offset: 0x1000, vaddr: 0x10000, filesz: 0x10, memsz: 0x20 },
    ],
  };
  const mem = new FakeMemory(0x7fffffeff000, 0x7f0000000000);
  const r = loaded(loadInterpreter(mem, makeElf(spec)));
  assert.equal(r.base, 0x7f0000000000 - 0x11000);
  assert.deepEqual(mem.vmas.map((v) => [v.start - r.base, v.end - r.base, v.prot]), [
    [0, 0x1000, 5], [0x1000, 0x10000, 0], [0x10000, 0x11000, 3],
  ]);
  const exec = makeElf({ ...spec, type: 2, entry: 0x500010, phdrs: spec.phdrs.map((p) => ({ ...p, vaddr: Number(p.vaddr) + 0x500000 })) });
  const m2 = new FakeMemory();
  assert.deepEqual(loaded(loadInterpreter(m2, exec)), { base: 0, entry: 0x500010, start: 0x500000, end: 0x510020 });
  assert.equal(loadInterpreter(new FakeMemory(), new Uint8Array(100)), -80);
  assert.equal(loadInterpreter(new FakeMemory(), readBytes('/proc/self/cmdline')), -80);
});

test('loadProgram: a PIE with ld.so, stack mapped before the interpreter', (t) => {
  if (!existsSync(LS) || !existsSync(LDSO)) return t.skip('no /bin/ls or ld.so');
  const bytes = readBytes(LS);
  const paths: string[] = [];
  const mem = new FakeMemory(0x7fffffeff000, 0x7f0000000000);
  const r = loaded(loadProgram(mem, bytes, {
    argv: ['ls', '-l'], envp: ['HOME=/'], execfn: '/bin/ls', uid: 0, euid: 0, gid: 0, egid: 0, aslr: false,
    readInterpreter: (p) => { paths.push(Buffer.from(p).toString()); return readBytes(LDSO); },
  }));
  assert.deepEqual(paths, ['/lib64/ld-linux-x86-64.so.2']);
  assert.ok(r.interp !== null);
  assert.equal(r.entry, r.interp.entry);
  assert.equal(r.load.bias, 0x555555554000);
  assert.equal(r.load.entry, 0x555555554000 + readelf(LS).entry);
  assert.equal(r.sp, r.stack.sp);
  const aux = new Map(r.stack.auxvEntries.map(([k, v]) => [k, v]));
  assert.equal(aux.get(7), r.interp.base); // AT_BASE
  assert.equal(aux.get(9), r.load.entry); // AT_ENTRY
  assert.equal(aux.get(3), r.load.bias + 0x40); // AT_PHDR from PT_PHDR
  const stackCall = mem.calls.findIndex((c) => (c.flags & MAP_GROWSDOWN) !== 0);
  const interpCall = mem.calls.findIndex((c) => (c.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) === 0);
  assert.ok(stackCall === 0 && interpCall > stackCall);

  assert.equal(loadProgram(new FakeMemory(), bytes, { argv: [], envp: [], execfn: 'ls', uid: 0, euid: 0, gid: 0, egid: 0 }), -8);
  assert.equal(loadProgram(new FakeMemory(), bytes, {
    argv: [], envp: [], execfn: 'ls', uid: 0, euid: 0, gid: 0, egid: 0, readInterpreter: () => -2,
  }), -2);
});

test('loadProgram: static executable starts at its own entry with AT_BASE 0', (t) => {
  const c = compileFixtures();
  if (c === null) return t.skip('gcc -static unavailable');
  const bytes = readBytes(c.static);
  const mem = new FakeMemory();
  const r = loaded(loadProgram(mem, bytes, { argv: ['prog'], envp: [], execfn: c.static, uid: 1, euid: 1, gid: 1, egid: 1 }));
  assert.equal(r.interp, null);
  assert.equal(r.entry, readelf(c.static).entry);
  assert.equal(new Map(r.stack.auxvEntries.map(([k, v]) => [k, v])).get(7), 0);
  assert.equal(mem.u64(r.sp), 1);
  assert.equal(mem.cstring(mem.u64(r.sp + 8)), 'prog');
  assert.equal(loadProgram(mem, new Uint8Array(10), { argv: [], envp: [], execfn: 'x', uid: 0, euid: 0, gid: 0, egid: 0 }), -8);
});
