import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { LoadResult } from '../../src/loader/loader.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_PRIVATE } from '../../src/loader/memory.js';
import { mapStack, setupStack, writeStack, type AuxOptions, type StackArgs, type StackResult } from '../../src/loader/stack.js';
import { HOST_AUXV, parseHostAuxv, FALLBACK_HOST_AUXV } from '../../src/loader/hostauxv.js';
import { FakeMemory } from './loader_fakemem.test.js';

const TOP = 0x7fffffeff000;
const PAGE = 4096;
const HOST = { hwcap: 0x1234, hwcap2: 2, minsigstksz: 3376 };
const LOAD: LoadResult = {
  bias: 0, entry: 0x401000, phdr: 0x400040, phent: 56, phnum: 9,
  startCode: 0x401000, endCode: 0x402000, startData: 0x403000, endData: 0x403100,
  end: 0x404000, brkStart: 0x404000, execStack: false, interpreter: null,
};
const RANDOM16 = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

function args(argv: string[], envp: string[], extra: Partial<StackArgs> = {}): StackArgs {
  return { argv, envp, execfn: '/bin/prog', execStack: false, aslr: false, ...extra };
}
function aux(extra: Partial<AuxOptions> = {}): AuxOptions {
  return { load: LOAD, cred: { uid: 1, euid: 2, gid: 3, egid: 4 }, randomBytes: RANDOM16, host: HOST, ...extra };
}
function ok(r: StackResult | number): StackResult {
  if (typeof r === 'number') assert.fail(`setupStack: ${r}`);
  return r;
}

/** Walks the stack from sp as a program's _start would: argc, argv, envp, auxv. */
function walk(mem: FakeMemory, sp: number): { argv: string[]; envp: string[]; auxv: [number, number][]; auxvAddr: number } {
  const argc = mem.u64(sp);
  let p = sp + 8;
  const argv: string[] = [];
  for (let i = 0; i < argc; i++, p += 8) argv.push(mem.cstring(mem.u64(p)));
  assert.equal(mem.u64(p), 0, 'argv NULL');
  p += 8;
  const envp: string[] = [];
  for (let e = mem.u64(p); e !== 0; p += 8, e = mem.u64(p)) envp.push(mem.cstring(e));
  p += 8;
  const auxvAddr = p;
  const auxv: [number, number][] = [];
  for (;;) {
    const pair: [number, number] = [mem.u64(p), mem.u64(p + 8)];
    auxv.push(pair);
    p += 16;
    if (pair[0] === 0) break;
    assert.ok(auxv.length < 64, 'auxv ends');
  }
  return { argv, envp, auxv, auxvAddr };
}

test('initial stack: exact layout, strings, pointers and auxv in Linux order', () => {
  const mem = new FakeMemory();
  const r = ok(setupStack(mem, args(['/bin/prog', '-x', 'héllo'], ['A=1', 'PATH=/bin']), aux()));
  // Strings from the top: 8 zero bytes, execfn (10), "PATH=/bin" (10), "A=1" (4), "héllo" (7), "-x" (3), "/bin/prog" (10).
  assert.equal(r.top, TOP);
  assert.equal(r.execfn, TOP - 18);
  assert.deepEqual([r.argStart, r.argEnd, r.envStart, r.envEnd], [TOP - 52, TOP - 32, TOP - 32, TOP - 18]);
  // 16-byte alignment below the strings (TOP - 64), "x86_64\0", 16 random bytes.
  assert.equal(r.platform, TOP - 71);
  assert.equal(r.random, TOP - 87);
  // 20 auxv pairs (320 bytes) + argc, 3 argv + NULL, 2 envp + NULL (8 words) below TOP - 87, rounded down to 16.
  assert.equal(r.sp, TOP - 480);
  assert.equal(r.sp % 16, 0);
  assert.deepEqual([r.argc, r.argv, r.envp, r.auxv], [3, TOP - 472, TOP - 440, TOP - 416]);

  const w = walk(mem, r.sp);
  assert.deepEqual(w.argv, ['/bin/prog', '-x', 'héllo']);
  assert.deepEqual(w.envp, ['A=1', 'PATH=/bin']);
  assert.equal(w.auxvAddr, r.auxv);
  assert.deepEqual([mem.u64(r.argv), mem.u64(r.argv + 8), mem.u64(r.argv + 16)], [TOP - 52, TOP - 42, TOP - 39]);
  assert.deepEqual([mem.u64(r.envp), mem.u64(r.envp + 8)], [TOP - 32, TOP - 28]);
  assert.deepEqual(w.auxv, [
    [51, 3376], // AT_MINSIGSTKSZ
    [16, 0x1234], // AT_HWCAP
    [6, 4096], // AT_PAGESZ
    [17, 100], // AT_CLKTCK
    [3, 0x400040], // AT_PHDR
    [4, 56], // AT_PHENT
    [5, 9], // AT_PHNUM
    [7, 0], // AT_BASE
    [8, 0], // AT_FLAGS
    [9, 0x401000], // AT_ENTRY
    [11, 1], [12, 2], [13, 3], [14, 4], // AT_UID, AT_EUID, AT_GID, AT_EGID
    [23, 0], // AT_SECURE
    [25, TOP - 87], // AT_RANDOM
    [26, 2], // AT_HWCAP2
    [31, TOP - 18], // AT_EXECFN
    [15, TOP - 71], // AT_PLATFORM
    [0, 0],
  ]);
  assert.deepEqual(r.auxvEntries, w.auxv);
  assert.deepEqual(mem.read(r.random, 16), RANDOM16);
  assert.equal(mem.cstring(r.platform), 'x86_64');
  assert.equal(mem.cstring(r.execfn), '/bin/prog');
  assert.deepEqual(mem.read(TOP - 8, 8), new Uint8Array(8));
  // /proc/PID/cmdline and environ are these byte ranges.
  assert.equal(Buffer.from(mem.read(r.argStart, r.argEnd - r.argStart)).toString(), '/bin/prog\0-x\0héllo\0');
  assert.equal(Buffer.from(mem.read(r.envStart, r.envEnd - r.envStart)).toString(), 'A=1\0PATH=/bin\0');
  // The VMA: the strings' page plus 128 KiB, read-write, growing down.
  const vma = mem.vmaAt(r.sp);
  assert.deepEqual(vma && [vma.start, vma.end, vma.prot, vma.flags], [
    TOP - PAGE - 131072, TOP, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_GROWSDOWN,
  ]);
  assert.deepEqual([r.bottom, r.limit], [TOP - PAGE - 131072, TOP - 8 * 1024 * 1024]);
});

test('auxv: AT_SYSINFO_EHDR first when a vDSO is given; AT_BASE, AT_SECURE, AT_FLAGS; exec stack', () => {
  const mem = new FakeMemory();
  const interp = { base: 0x7f0000001000, entry: 0x7f0000002000, start: 0x7f0000001000, end: 0x7f0000009000 };
  const r = ok(setupStack(mem, args(['/bin/prog', '-x', 'héllo'], ['A=1', 'PATH=/bin'], { execStack: true }),
    aux({ vdso: 0x7ffff7fc1000, interp, secure: true, flags: 1 })));
  const w = walk(mem, r.sp);
  assert.deepEqual(w.auxv[0], [33, 0x7ffff7fc1000]);
  assert.deepEqual(w.auxv[1], [51, 3376]);
  assert.equal(w.auxv.length, 21);
  const m = new Map(w.auxv);
  assert.deepEqual([m.get(7), m.get(23), m.get(8)], [0x7f0000001000, 1, 1]);
  assert.equal(r.sp, TOP - 496); // 16 more bytes of auxv than above: TOP - 87 - 336 - 64 = TOP - 487, rounded
  assert.equal(mem.protAt(r.sp), 7);
});

test('alignment and layout hold for every argc/envc parity; argc 0 becomes {""}', () => {
  for (let argc = 0; argc <= 6; argc++) {
    for (let envc = 0; envc <= 4; envc++) {
      const argv = Array.from({ length: argc }, (_, i) => 'a'.repeat(i * 3 + 1));
      const envp = Array.from({ length: envc }, (_, i) => `E${i}=${'v'.repeat(i * 5)}`);
      const mem = new FakeMemory();
      const r = ok(setupStack(mem, args(argv, envp), aux()));
      assert.equal(r.sp % 16, 0);
      const w = walk(mem, r.sp);
      assert.deepEqual(w.argv, argc === 0 ? [''] : argv);
      assert.deepEqual(w.envp, envp);
      assert.equal(r.argc, Math.max(argc, 1));
      assert.ok(w.auxvAddr + w.auxv.length * 16 <= r.random, 'tables below AT_RANDOM');
      assert.ok(r.sp >= r.bottom && r.argStart - r.sp < 2 * PAGE);
    }
  }
});

test('raw bytes and embedded NULs: strings are cut at the first NUL', () => {
  const mem = new FakeMemory();
  const r = ok(setupStack(mem, { argv: [Uint8Array.of(0xff, 0xfe), 'a\0b'], envp: [], execfn: Uint8Array.of(0x2f, 0x78, 0, 0x79), execStack: false, aslr: false }, aux()));
  assert.deepEqual(mem.read(r.argStart, 5), Uint8Array.of(0xff, 0xfe, 0, 0x61, 0));
  assert.equal(mem.cstring(r.execfn), '/x');
  assert.equal(r.execfn, TOP - 8 - 3);
});

test('ASLR: the top moves by up to 16 GiB of pages, sp by a pad below 8 KiB', () => {
  const bounds: number[] = [];
  const random = (bound: number): number => {
    bounds.push(bound);
    return bound === 0x400000 ? 5 : 100;
  };
  const mem = new FakeMemory();
  const r = ok(setupStack(mem, args(['/bin/prog'], [], { aslr: true, random }), aux()));
  assert.deepEqual(bounds, [0x400000, 8192]);
  const top = TOP - 5 * PAGE;
  assert.equal(r.top, top);
  assert.equal(r.argStart, top - 8 - 10 - 10);
  const aligned = r.argStart - 100 - ((r.argStart - 100) % 16);
  assert.equal(r.platform, aligned - 7);
  assert.equal(r.random, aligned - 23);
  assert.equal(r.sp, Math.floor((aligned - 23 - 320 - 5 * 8) / 16) * 16);
});

test('execve limits: MAX_ARG_STRLEN and a quarter of RLIMIT_STACK give -E2BIG', () => {
  const big = 'x'.repeat(131071); // with its NUL, exactly MAX_ARG_STRLEN
  assert.equal(typeof setupStack(new FakeMemory(), args([big], []), aux()), 'object');
  assert.equal(setupStack(new FakeMemory(), args([big + 'x'], []), aux()), -7);
  assert.equal(setupStack(new FakeMemory(), { ...args([], []), execfn: big + 'x' }, aux()), -7);
  // 8 MiB rlimit: 2 MiB for strings and pointers.
  const s = 'y'.repeat(127999);
  const n16 = Array.from({ length: 16 }, () => s);
  assert.equal(typeof setupStack(new FakeMemory(), args(n16, []), aux()), 'object');
  assert.equal(setupStack(new FakeMemory(), args([...n16, s], []), aux()), -7);
  // Unlimited: capped at 6 MiB.
  const n48 = Array.from({ length: 48 }, () => s);
  const r = ok(setupStack(new FakeMemory(), args(n48, [], { stackRlimit: Infinity }), aux()));
  assert.equal(r.limit, 0);
  assert.equal(setupStack(new FakeMemory(), args([...n48, s, s], [], { stackRlimit: Infinity }), aux()), -7);
  // A tiny rlimit still allows ARG_MAX (128 KiB) of arguments...
  assert.equal(typeof setupStack(new FakeMemory(), args([s], [], { stackRlimit: 65536 }), aux()), 'object');
  // ...but pointers that need more stack than the rlimit fault (expand_stack refuses).
  const manyEnv = Array.from({ length: 13000 }, () => '');
  assert.equal(setupStack(new FakeMemory(), args(['p'], manyEnv, { stackRlimit: 65536 }), aux()), -14);
  // Pointers alone over the limit.
  assert.equal(setupStack(new FakeMemory(), args(['p'], Array.from({ length: 17000 }, () => ''), { stackRlimit: 65536 }), aux()), -7);
});

test('tables larger than the 128 KiB expansion extend the VMA down to sp', () => {
  const envp = Array.from({ length: 20000 }, () => '');
  const mem = new FakeMemory();
  const r = ok(setupStack(mem, args(['p'], envp), aux()));
  assert.equal(r.bottom, r.sp - (r.sp % PAGE));
  assert.equal(mem.vmaAt(r.sp)?.start, r.bottom);
  assert.equal(walk(mem, r.sp).envp.length, 20000);
});

test('mapStack then writeStack: the same stack as setupStack; mmap errors propagate', () => {
  const a = args(['/bin/prog', '-x'], ['A=1']);
  const m1 = new FakeMemory();
  const r1 = ok(setupStack(m1, a, aux()));
  const m2 = new FakeMemory();
  const plan = mapStack(m2, a);
  assert.ok(typeof plan === 'object');
  const r2 = ok(writeStack(m2, plan, aux()));
  assert.deepEqual(r2, r1);
  assert.deepEqual(m2.read(r2.sp, TOP - r2.sp), m1.read(r1.sp, TOP - r1.sp));

  const busy = new FakeMemory();
  busy.mmap(TOP - PAGE, PAGE, 0, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  assert.equal(setupStack(busy, a, aux()), -17);
});

test('host auxv: parsed from u64 pairs up to AT_NULL, with fallbacks', () => {
  const pairs = new BigUint64Array([16n, 0xbfebfbffn, 26n, 2n, 51n, 0n, 0n, 0n, 16n, 1n]);
  const parsed = parseHostAuxv(new Uint8Array(pairs.buffer));
  assert.deepEqual(parsed, { hwcap: 0xbfebfbff, hwcap2: 2, minsigstksz: FALLBACK_HOST_AUXV.minsigstksz });
  assert.deepEqual(parseHostAuxv(new Uint8Array(7)), FALLBACK_HOST_AUXV);
  const raw = new BigUint64Array(new Uint8Array(readFileSync('/proc/self/auxv')).buffer);
  const host = new Map<bigint, bigint>();
  for (let i = 0; i + 1 < raw.length && raw[i] !== 0n; i += 2) host.set(raw[i] ?? 0n, raw[i + 1] ?? 0n);
  assert.equal(HOST_AUXV.hwcap, Number(host.get(16n) ?? BigInt(FALLBACK_HOST_AUXV.hwcap)));
  assert.equal(HOST_AUXV.hwcap2, Number(host.get(26n) ?? BigInt(FALLBACK_HOST_AUXV.hwcap2)));
  assert.equal(HOST_AUXV.minsigstksz, Number(host.get(51n) ?? BigInt(FALLBACK_HOST_AUXV.minsigstksz)));
});
