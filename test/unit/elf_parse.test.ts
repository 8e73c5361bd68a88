import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { parseElf, USER_LIMIT, type ElfImage } from '../../src/loader/elf.js';
import { decodeEhdr, decodePhdr, readU64 } from '../../src/abi/linux/elf.js';
import {
  BUSYBOX, compileFixtures, LDSO, LS, makeElf, PF_R, PF_W, PF_X, prng, PT_BY_NAME, PT_GNU_STACK,
  PT_INTERP, PT_LOAD, PT_PHDR, PT_TLS, readBytes, readelf, type SynthElf,
} from './elf_fixtures.test.js';

const ENOEXEC = -8;
const INTERP = '/lib64/ld-linux-x86-64.so.2';

function ok(r: ElfImage | number): ElfImage {
  if (typeof r === 'number') assert.fail(`parseElf returned ${r}`);
  return r;
}

/** Compares parseElf with readelf -hlW on a real file. */
function checkAgainstReadelf(file: string): ElfImage {
  const img = ok(parseElf(readBytes(file)));
  const re = readelf(file);
  assert.equal(img.type, re.type === 'EXEC' ? 2 : 3);
  assert.equal(img.entry, re.entry);
  assert.equal(img.phoff, re.phoff);
  assert.equal(img.phnum, re.phnum);
  assert.equal(img.phdrs.length, re.phdrs.length);
  re.phdrs.forEach((r, i) => {
    const p = img.phdrs[i];
    assert.ok(p !== undefined);
    const known = PT_BY_NAME[r.type];
    if (known !== undefined) assert.equal(p.type, known, `phdr ${i} type`);
    assert.deepEqual([p.offset, p.vaddr, p.filesz, p.memsz, p.flags & 7, p.align], [r.offset, r.vaddr, r.filesz, r.memsz, r.flags, r.align], `phdr ${i}`);
  });
  const loads = re.phdrs.filter((p) => p.type === 'LOAD' && p.memsz > 0);
  assert.deepEqual(img.loads.map((p) => p.vaddr), loads.map((p) => p.vaddr));
  assert.equal(img.interpreter === null ? null : Buffer.from(img.interpreter).toString(), re.interpreter);
  const stack = re.phdrs.filter((p) => p.type === 'GNU_STACK').pop();
  assert.equal(img.stackFlags === null ? null : img.stackFlags & 7, stack === undefined ? null : stack.flags);
  assert.equal(img.execStack, stack !== undefined && (stack.flags & PF_X) !== 0);
  assert.equal(img.tls !== null, re.phdrs.some((p) => p.type === 'TLS'));
  const phdrSeg = re.phdrs.find((p) => p.type === 'PHDR');
  const cover = loads.find((p) => p.offset <= re.phoff && re.phoff < p.offset + p.filesz);
  const expected = phdrSeg !== undefined ? phdrSeg.vaddr : cover !== undefined ? re.phoff - cover.offset + cover.vaddr : null;
  assert.equal(img.phdrVaddr, expected);
  return img;
}

test('busybox (static ET_EXEC) parses as readelf reads it', (t) => {
  if (!existsSync(BUSYBOX)) return t.skip('no /bin/busybox');
  const img = checkAgainstReadelf(BUSYBOX);
  assert.equal(img.type, 2);
  assert.equal(img.interpreter, null);
  assert.equal(img.start, 0x400000);
  assert.equal(img.phdrVaddr, 0x400040); // no PT_PHDR: first PT_LOAD (offset 0) covers e_phoff 64
  assert.equal(img.execStack, false);
});

test('/bin/ls (PIE, dynamic) parses with its interpreter', (t) => {
  if (!existsSync(LS)) return t.skip('no /bin/ls');
  const img = checkAgainstReadelf(LS);
  assert.equal(img.type, 3);
  assert.deepEqual(img.interpreter, new TextEncoder().encode(INTERP));
  assert.equal(img.start, 0);
});

test('ld.so (ET_DYN, no interpreter) parses', (t) => {
  if (!existsSync(LDSO)) return t.skip('no ld.so');
  const img = checkAgainstReadelf(LDSO);
  assert.equal(img.type, 3);
  assert.equal(img.interpreter, null);
});

test('gcc -static and -static-pie programs parse, with TLS', (t) => {
  const c = compileFixtures();
  if (c === null) return t.skip('gcc -static unavailable');
  const st = checkAgainstReadelf(c.static);
  assert.equal(st.type, 2);
  assert.notEqual(st.tls, null);
  const pie = checkAgainstReadelf(c.staticPie);
  assert.equal(pie.type, 3);
  assert.equal(pie.interpreter, null);
  assert.notEqual(pie.tls, null);
  // The bss of the program (100000 bytes) is in the last PT_LOAD.
  const last = pie.loads[pie.loads.length - 1];
  assert.ok(last !== undefined && last.memsz - last.filesz >= 100000);
});

// ---- a synthetic executable and its corruptions ----

function baseSpec(): SynthElf {
  return {
    entry: 0x400100,
    size: 0x2000,
    phdrs: [
      { type: PT_PHDR, flags: PF_R, offset: 64, vaddr: 0x400040, filesz: 56 * 6, memsz: 56 * 6, align: 8 },
      { type: PT_INTERP, flags: PF_R, offset: 0x200, vaddr: 0x400200, filesz: INTERP.length + 1, memsz: INTERP.length + 1, align: 1 },
      { type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: 0x400000, filesz: 0x1800, memsz: 0x1800 },
      { type: PT_LOAD, flags: PF_R | PF_W, offset: 0x1800, vaddr: 0x402800, filesz: 0x400, memsz: 0x3000 },
      { type: PT_TLS, flags: PF_R, offset: 0x1800, vaddr: 0x402800, filesz: 0x10, memsz: 0x20, align: 8 },
      { type: PT_GNU_STACK, flags: PF_R | PF_W, offset: 0, vaddr: 0, filesz: 0, memsz: 0, align: 16 },
    ],
  };
}

function build(spec: SynthElf = baseSpec()): Uint8Array {
  const b = makeElf(spec);
  b.set(new TextEncoder().encode(INTERP + '\0'), 0x200);
  return b;
}

const PH = (i: number, field: number): number => 64 + i * 56 + field; // field offsets: 0 type, 4 flags, 8 offset, 16 vaddr, 32 filesz, 40 memsz, 48 align

function setU64(b: Uint8Array, off: number, v: bigint): void {
  new DataView(b.buffer, b.byteOffset).setBigUint64(off, v, true);
}
function setU16(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint16(off, v, true);
}
function setU32(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(off, v, true);
}

test('the synthetic executable parses to exact values', () => {
  const img = ok(parseElf(build()));
  assert.equal(img.type, 2);
  assert.equal(img.entry, 0x400100);
  assert.equal(img.phnum, 6);
  assert.equal(img.phdrVaddr, 0x400040);
  assert.deepEqual(img.interpreter, new TextEncoder().encode(INTERP));
  assert.deepEqual(img.loads.map((p) => [p.vaddr, p.offset, p.filesz, p.memsz, p.flags]), [
    [0x400000, 0, 0x1800, 0x1800, PF_R | PF_X],
    [0x402800, 0x1800, 0x400, 0x3000, PF_R | PF_W],
  ]);
  assert.equal(img.tls?.memsz, 0x20);
  assert.equal(img.stackFlags, PF_R | PF_W);
  assert.equal(img.execStack, false);
  assert.equal(img.maxAlign, 0x1000);
  assert.equal(img.start, 0x400000);
  assert.equal(img.end, 0x405800);
});

const corruptions: [string, (b: Uint8Array) => Uint8Array | void][] = [
  ['empty file', () => new Uint8Array(0)],
  ['63 bytes', (b) => b.slice(0, 63)],
  ['header only (program headers cut)', (b) => b.slice(0, 64 + 56 * 3)],
  ['bad magic 0', (b) => void (b[0] = 0x7e)],
  ['bad magic 1', (b) => void (b[1] = 0x45 ^ 0x20)],
  ['bad magic 2', (b) => void (b[2] = 0)],
  ['bad magic 3', (b) => void (b[3] = 0x47)],
  ['ELFCLASS32', (b) => void (b[4] = 1)],
  ['ELFCLASSNONE', (b) => void (b[4] = 0)],
  ['big-endian', (b) => void (b[5] = 2)],
  ['EI_VERSION 0', (b) => void (b[6] = 0)],
  ['e_version 0', (b) => setU32(b, 20, 0)],
  ['e_version 2', (b) => setU32(b, 20, 2)],
  ['ET_REL', (b) => setU16(b, 16, 1)],
  ['ET_CORE', (b) => setU16(b, 16, 4)],
  ['ET_NONE', (b) => setU16(b, 16, 0)],
  ['EM_386', (b) => setU16(b, 18, 3)],
  ['EM_AARCH64', (b) => setU16(b, 18, 183)],
  ['e_phentsize 32', (b) => setU16(b, 54, 32)],
  ['e_phentsize 64', (b) => setU16(b, 54, 64)],
  ['e_phnum 0', (b) => setU16(b, 56, 0)],
  ['e_phnum 1171', (b) => setU16(b, 56, 1171)],
  ['e_phnum 0xffff (PN_XNUM)', (b) => setU16(b, 56, 0xffff)],
  ['e_phnum beyond the file', (b) => setU16(b, 56, 200)],
  ['e_phoff past EOF', (b) => setU64(b, 32, 0x2000n)],
  ['e_phoff table crossing EOF', (b) => setU64(b, 32, BigInt(0x2000 - 56 * 6 + 8))],
  ['e_phoff 2^63', (b) => setU64(b, 32, 1n << 63n)],
  ['e_phoff 2^64-8 (wraps)', (b) => setU64(b, 32, (1n << 64n) - 8n)],
  ['e_entry 2^47', (b) => setU64(b, 24, 1n << 47n)],
  ['e_entry 2^64-1', (b) => setU64(b, 24, (1n << 64n) - 1n)],
  ['PT_LOAD filesz > memsz', (b) => setU64(b, PH(3, 32), 0x3001n)],
  ['PT_LOAD past EOF', (b) => setU64(b, PH(3, 32), 0x801n)],
  ['PT_LOAD offset 2^64-4096 (wraps)', (b) => { setU64(b, PH(3, 8), (1n << 64n) - 0x800n); }],
  ['PT_LOAD offset 2^53+0x800', (b) => setU64(b, PH(3, 8), (1n << 53n) + 0x800n)],
  ['PT_LOAD vaddr/offset page offsets differ', (b) => setU64(b, PH(3, 16), 0x402900n)],
  ['PT_LOAD end above 2^47', (b) => setU64(b, PH(3, 16), (1n << 47n) - 0x800n)],
  ['PT_LOAD vaddr 2^64-0x800', (b) => setU64(b, PH(3, 16), (1n << 64n) - 0x800n)],
  ['PT_LOAD memsz 2^63', (b) => setU64(b, PH(3, 40), 1n << 63n)],
  ['PT_LOAD memsz 2^64-1 (vaddr+memsz wraps)', (b) => setU64(b, PH(3, 40), (1n << 64n) - 1n)],
  ['overlapping PT_LOADs', (b) => setU64(b, PH(3, 16), 0x401800n - 0x1000n)],
  ['PT_LOADs out of order', (b) => {
    const first = b.slice(PH(2, 0), PH(3, 0));
    b.copyWithin(PH(2, 0), PH(3, 0), PH(4, 0));
    b.set(first, PH(3, 0));
  }],
  ['no PT_LOAD', (b) => { setU32(b, PH(2, 0), 4); setU32(b, PH(3, 0), 4); }],
  ['only zero-size PT_LOADs', (b) => { setU64(b, PH(2, 32), 0n); setU64(b, PH(2, 40), 0n); setU64(b, PH(3, 32), 0n); setU64(b, PH(3, 40), 0n); }],
  ['PT_INTERP not NUL-terminated', (b) => void (b[0x200 + INTERP.length] = 0x41)],
  ['PT_INTERP filesz 1', (b) => setU64(b, PH(1, 32), 1n)],
  ['PT_INTERP filesz 0', (b) => setU64(b, PH(1, 32), 0n)],
  ['PT_INTERP longer than PATH_MAX', (b) => setU64(b, PH(1, 32), 4097n)],
  ['PT_INTERP past EOF', (b) => setU64(b, PH(1, 8), 0x2000n - 4n)],
  ['PT_INTERP offset 2^64-1', (b) => setU64(b, PH(1, 8), (1n << 64n) - 1n)],
  ['PT_PHDR vaddr 2^47', (b) => setU64(b, PH(0, 16), 1n << 47n)],
];

for (const [name, corrupt] of corruptions) {
  test(`corrupt: ${name} is -ENOEXEC`, () => {
    const b = build();
    const out = corrupt(b) ?? b;
    let r: ElfImage | number = 0;
    assert.doesNotThrow(() => { r = parseElf(out); });
    assert.equal(r, ENOEXEC);
  });
}

test('accepted variations give exact results', () => {
  // PF_X in PT_GNU_STACK: executable stack; the last PT_GNU_STACK wins.
  let b = build();
  setU32(b, PH(5, 4), PF_R | PF_W | PF_X);
  assert.equal(ok(parseElf(b)).execStack, true);
  // No PT_GNU_STACK (turned into PT_NULL): no exec stack on x86-64.
  b = build();
  setU32(b, PH(5, 0), 0);
  assert.deepEqual([ok(parseElf(b)).stackFlags, ok(parseElf(b)).execStack], [null, false]);
  // No PT_PHDR: derived from the PT_LOAD covering e_phoff.
  b = build();
  setU32(b, PH(0, 0), 0);
  assert.equal(ok(parseElf(b)).phdrVaddr, 0x400040);
  // No PT_PHDR and e_phoff outside every PT_LOAD's file bytes: unknown.
  const spec = baseSpec();
  spec.phoff = 0x1c00;
  spec.phdrs[0] = { type: 0, flags: 0, offset: 0, vaddr: 0, filesz: 0, memsz: 0 };
  b = build(spec);
  assert.equal(ok(parseElf(b)).phdrVaddr, null);
  // A zero-size PT_LOAD is ignored; a bss-only PT_LOAD may have any p_offset.
  b = build();
  setU64(b, PH(3, 32), 0n);
  setU64(b, PH(3, 8), 0x123457n);
  assert.deepEqual(ok(parseElf(b)).loads.map((p) => [p.vaddr, p.filesz]), [[0x400000, 0x1800], [0x402800, 0]]);
  setU64(b, PH(3, 40), 0n);
  assert.equal(ok(parseElf(b)).loads.length, 1);
  // The interpreter path stops at its first NUL.
  b = build();
  b[0x200 + 6] = 0;
  assert.equal(Buffer.from(ok(parseElf(b)).interpreter ?? []).toString(), '/lib64');
  // Segments sharing a page (not bytes).
  b = build();
  setU64(b, PH(3, 16), 0x401800n);
  assert.equal(ok(parseElf(b)).loads[1]?.vaddr, 0x401800);
  // Linux does not check EI_OSABI.
  b = build();
  b[7] = 9;
  assert.equal(typeof parseElf(b), 'object');
  // maxAlign: largest power-of-two p_align; others ignored.
  b = build();
  setU64(b, PH(2, 48), 0x200000n);
  setU64(b, PH(3, 48), 0x300000n);
  assert.equal(ok(parseElf(b)).maxAlign, 0x200000);
  setU64(b, PH(2, 48), 1n << 63n);
  assert.equal(ok(parseElf(b)).maxAlign, 0x1000);
});

test('every prefix of the synthetic file is handled without throwing', () => {
  const b = build();
  for (let n = 0; n <= b.length; n++) {
    const r = parseElf(b.subarray(0, n));
    if (n < 0x1c00) assert.equal(r, ENOEXEC, `prefix ${n}`); // the second PT_LOAD's file bytes end at 0x1c00
    else assert.equal(typeof r, 'object', `prefix ${n}`);
  }
});

function checkInvariants(img: ElfImage, len: number): void {
  assert.ok(img.phnum >= 1 && img.phnum <= 1170 && img.phdrs.length === img.phnum);
  assert.ok(img.entry >= 0 && img.entry < USER_LIMIT);
  assert.ok(img.loads.length >= 1);
  let prevEnd = 0;
  for (const p of img.loads) {
    assert.equal(p.type, PT_LOAD);
    assert.ok(p.vaddr >= prevEnd, 'sorted, no overlap');
    assert.ok(p.filesz <= p.memsz && p.memsz > 0 && p.vaddr + p.memsz <= USER_LIMIT);
    if (p.filesz > 0) {
      assert.ok(p.offset + p.filesz <= len);
      assert.equal(p.vaddr % 4096, p.offset % 4096);
    }
    prevEnd = p.vaddr + p.memsz;
  }
  if (img.interpreter !== null) assert.ok(img.interpreter.length < 4096 && !img.interpreter.includes(0));
}

function fuzz(bytes: Uint8Array, seed: number, rounds: number): number {
  const rand = prng(seed);
  const eh = decodeEhdr(bytes);
  assert.ok(eh !== null);
  const span = 64 + eh.phnum * 56;
  const saved = bytes.slice(0, span);
  let accepted = 0;
  for (let i = 0; i < rounds; i++) {
    const edits = 1 + Math.floor(rand() * 8);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * span);
      bytes[at] = rand() < 0.2 ? [0, 0xff, 0x7f, 0x80][Math.floor(rand() * 4)] ?? 0 : Math.floor(rand() * 256);
    }
    let r: ElfImage | number = 0;
    assert.doesNotThrow(() => { r = parseElf(bytes); }, `seed ${seed} round ${i}`);
    const res: ElfImage | number = r;
    if (typeof res === 'number') assert.equal(res, ENOEXEC, `seed ${seed} round ${i}`);
    else {
      checkInvariants(res, bytes.length);
      accepted++;
    }
    bytes.set(saved, 0);
  }
  return accepted;
}

test('fuzz: 2000 mutations of a real header never throw; accepted images are sane', (t) => {
  const c = compileFixtures();
  const file = c?.static ?? (existsSync(BUSYBOX) ? BUSYBOX : null);
  if (file === null) return t.skip('no static binary');
  const accepted = fuzz(readBytes(file), 0x5eed, 2000);
  assert.ok(accepted > 0, 'some mutations (e.g. of p_paddr) stay valid');
});

test('fuzz: 2000 mutations of the synthetic header never throw', () => {
  fuzz(build(), 0xe1f, 2000);
});

test('abi decoders: readU64 exactness and bounds', () => {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, 0x1f_ffff_ffff_ffffn, true);
  assert.equal(readU64(dv, 0), 2 ** 53 - 1);
  dv.setBigUint64(8, (1n << 64n) - 1n, true);
  assert.ok(readU64(dv, 8) >= 2 ** 64 - 2048);
  assert.equal(decodeEhdr(b), null);
  assert.equal(decodePhdr(new Uint8Array(56), 1), null);
  assert.equal(decodePhdr(new Uint8Array(56), -1), null);
  assert.equal(decodePhdr(new Uint8Array(56), 0)?.type, 0);
});
