// Syscall argument decoding and return encoding over the shared register words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reg, REGS_WORDS } from '../../src/platform/platform.js';
import { SyscallArgs, getReg, setReg, setReturn, syscallNumber } from '../../src/syscalls/args.js';

function regsWith(values: Partial<Record<number, bigint>>): { r32: Uint32Array; r64: BigUint64Array } {
  const buf = new ArrayBuffer(REGS_WORDS * 8);
  const r64 = new BigUint64Array(buf);
  for (const [k, v] of Object.entries(values)) r64[Number(k)] = BigInt.asUintN(64, v as bigint);
  return { r32: new Uint32Array(buf), r64 };
}

test('arguments decode as int, u32, u64 and i64 from rdi, rsi, rdx, r10, r8, r9', () => {
  const { r32 } = regsWith({ [Reg.RDI]: -100n, [Reg.RSI]: 0x7fffffffe000n, [Reg.RDX]: 0xffffffffn, [Reg.R10]: -1n, [Reg.R8]: 1n << 52n, [Reg.R9]: 0x123456789n });
  const a = new SyscallArgs();
  a.regs = r32;
  assert.equal(a.int(0), -100);
  assert.equal(a.u64(1), 0x7fffffffe000);
  assert.equal(a.u32(2), 0xffffffff);
  assert.equal(a.int(2), -1);
  assert.equal(a.i64(3), -1);
  assert.equal(a.hi(3), 0xffffffff);
  assert.equal(a.u64(4), 2 ** 52);
  assert.equal(a.u64(5), 0x123456789);
  assert.equal(a.i64(0), -100);
});

test('return values encode as 64-bit two\'s complement in rax', () => {
  const { r32, r64 } = regsWith({});
  setReturn(r32, -38);
  assert.equal(r64[Reg.RAX], BigInt.asUintN(64, -38n));
  setReturn(r32, 0x7fffffeff000);
  assert.equal(r64[Reg.RAX], 0x7fffffeff000n);
  setReturn(r32, 0);
  assert.equal(r64[Reg.RAX], 0n);
  setReturn(r32, -4095);
  assert.equal(r64[Reg.RAX], BigInt.asUintN(64, -4095n));
  setReturn(r32, 2 ** 32);
  assert.equal(r64[Reg.RAX], 1n << 32n);
});

test('registers round-trip through setReg/getReg, and orig_rax gives the syscall number', () => {
  const { r32, r64 } = regsWith({ [Reg.ORIG_RAX]: 39n });
  assert.equal(syscallNumber(r32), 39);
  r64[Reg.ORIG_RAX] = BigInt.asUintN(64, -1n);
  assert.equal(syscallNumber(r32), -1);
  setReg(r32, Reg.FS_BASE, 0x7f00deadb000);
  assert.equal(getReg(r32, Reg.FS_BASE), 0x7f00deadb000);
  assert.equal(r64[Reg.FS_BASE], 0x7f00deadb000n);
});
