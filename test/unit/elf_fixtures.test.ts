// Fixtures for ELF and loader tests: C programs compiled with gcc (static, static-pie) into a
// temp dir, a synthetic ELF builder, and readelf as an independent oracle. Its own sanity
// tests run only when this file is the test being run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const BUSYBOX = '/bin/busybox';
export const LS = '/bin/ls';
export const LDSO = '/lib64/ld-linux-x86-64.so.2';

const PROGRAM = `
#include <stdio.h>
int data[4] = {1, 2, 3, 4};
static char bss[100000];
__thread int tls_var = 5;
int main(int argc, char **argv) {
  bss[argc] = 1;
  printf("%d %d %d\\n", data[argc & 3], bss[1], tls_var);
  return 0;
}
`;

export interface Compiled {
  readonly dir: string;
  readonly static: string;
  readonly staticPie: string;
}

let compiled: Compiled | null | undefined;

/** Compiles the test program once per process; null when gcc (or static glibc) is missing. */
export function compileFixtures(): Compiled | null {
  if (compiled !== undefined) return compiled;
  const dir = mkdtempSync(path.join(tmpdir(), 'tsvisor-elf-'));
  try {
    const src = path.join(dir, 'prog.c');
    writeFileSync(src, PROGRAM);
    const st = path.join(dir, 'static');
    const pie = path.join(dir, 'static-pie');
    execFileSync('gcc', ['-O1', '-static', '-o', st, src], { stdio: 'pipe' });
    execFileSync('gcc', ['-O1', '-static-pie', '-o', pie, src], { stdio: 'pipe' });
    compiled = { dir, static: st, staticPie: pie };
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  } catch {
    rmSync(dir, { recursive: true, force: true });
    compiled = null;
  }
  return compiled;
}

export function readBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(file));
}

// ---- synthetic ELF files ----

export interface SynthPhdr {
  type: number;
  flags: number;
  offset: number | bigint;
  vaddr: number | bigint;
  paddr?: number | bigint;
  filesz: number | bigint;
  memsz: number | bigint;
  align?: number | bigint;
}

export interface SynthElf {
  type?: number;
  machine?: number;
  entry: number | bigint;
  phoff?: number;
  phdrs: SynthPhdr[];
  /** Total file size; bytes outside the headers hold a non-zero pattern. */
  size: number;
}

export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** The byte the synthetic file holds at offset i (never 0). */
export function pattern(i: number): number {
  return ((i * 7 + 3) % 255) + 1;
}

export function makeElf(e: SynthElf): Uint8Array {
  const phoff = e.phoff ?? 64;
  const b = new Uint8Array(e.size);
  for (let i = 0; i < b.length; i++) b[i] = pattern(i);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  b.fill(0, 8, 16);
  dv.setUint16(16, e.type ?? 2, true);
  dv.setUint16(18, e.machine ?? 62, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(e.entry), true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setBigUint64(40, 0n, true);
  dv.setUint32(48, 0, true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, e.phdrs.length, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, 0, true);
  dv.setUint16(62, 0, true);
  e.phdrs.forEach((p, i) => {
    const o = phoff + i * 56;
    dv.setUint32(o, p.type, true);
    dv.setUint32(o + 4, p.flags, true);
    dv.setBigUint64(o + 8, BigInt(p.offset), true);
    dv.setBigUint64(o + 16, BigInt(p.vaddr), true);
    dv.setBigUint64(o + 24, BigInt(p.paddr ?? p.vaddr), true);
    dv.setBigUint64(o + 32, BigInt(p.filesz), true);
    dv.setBigUint64(o + 40, BigInt(p.memsz), true);
    dv.setBigUint64(o + 48, BigInt(p.align ?? 0x1000), true);
  });
  return b;
}

// ---- readelf as an oracle ----

export interface ReadelfPhdr {
  type: string;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  align: number;
}

export interface ReadelfInfo {
  type: string;
  entry: number;
  phoff: number;
  phnum: number;
  phdrs: ReadelfPhdr[];
  interpreter: string | null;
}

export const PT_BY_NAME: Record<string, number> = {
  NULL: 0, LOAD: 1, DYNAMIC: 2, INTERP: 3, NOTE: 4, PHDR: 6, TLS: 7,
  GNU_EH_FRAME: 0x6474e550, GNU_STACK: 0x6474e551, GNU_RELRO: 0x6474e552, GNU_PROPERTY: 0x6474e553,
};

export function readelf(file: string): ReadelfInfo {
  const out = execFileSync('readelf', ['-hlW', file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const field = (re: RegExp): string => {
    const m = re.exec(out);
    if (m === null || m[1] === undefined) throw new Error(`readelf: no ${re}`);
    return m[1];
  };
  const phdrs: ReadelfPhdr[] = [];
  const row = /^\s+([A-Z_]+|LOOS\+0x[0-9a-f]+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) ([RWE ]{3}) 0x([0-9a-f]+)$/gm;
  for (const m of out.matchAll(row)) {
    const flg = m[7] ?? '';
    phdrs.push({
      type: m[1] ?? '',
      offset: parseInt(m[2] ?? '', 16),
      vaddr: parseInt(m[3] ?? '', 16),
      filesz: parseInt(m[5] ?? '', 16),
      memsz: parseInt(m[6] ?? '', 16),
      flags: (flg.includes('R') ? PF_R : 0) | (flg.includes('W') ? PF_W : 0) | (flg.includes('E') ? PF_X : 0),
      align: parseInt(m[8] ?? '', 16),
    });
  }
  const interp = /\[Requesting program interpreter: (.*)\]/.exec(out);
  return {
    type: field(/^\s+Type:\s+(\S+)/m),
    entry: parseInt(field(/^\s+Entry point address:\s+0x([0-9a-f]+)/m), 16),
    phoff: parseInt(field(/^\s+Start of program headers:\s+(\d+)/m), 10),
    phnum: parseInt(field(/^\s+Number of program headers:\s+(\d+)/m), 10),
    phdrs,
    interpreter: interp?.[1] ?? null,
  };
}

/** A seeded PRNG (mulberry32) so fuzz failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

if (isMain) {
  test('fixtures: makeElf output is what readelf reads', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsvisor-synth-'));
    try {
      const f = path.join(dir, 'synth');
      writeFileSync(f, makeElf({
        entry: 0x401000,
        size: 0x3000,
        phdrs: [
          { type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: 0x400000, filesz: 0x2000, memsz: 0x2000 },
          { type: PT_LOAD, flags: PF_R | PF_W, offset: 0x2000, vaddr: 0x402000, filesz: 0x100, memsz: 0x5000 },
        ],
      }));
      const r = readelf(f);
      assert.equal(r.type, 'EXEC');
      assert.equal(r.entry, 0x401000);
      assert.deepEqual(r.phdrs.map((p) => [p.type, p.vaddr, p.filesz, p.memsz, p.flags]), [
        ['LOAD', 0x400000, 0x2000, 0x2000, PF_R | PF_X],
        ['LOAD', 0x402000, 0x100, 0x5000, PF_R | PF_W],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fixtures: gcc builds a static and a static-pie program', (t) => {
    const c = compileFixtures();
    if (c === null) return t.skip('gcc -static is not available');
    assert.equal(readelf(c.static).type, 'EXEC');
    assert.equal(readelf(c.staticPie).type, 'DYN');
    assert.equal(readelf(c.staticPie).interpreter, null);
  });
}
