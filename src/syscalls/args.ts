// Decoding of syscall arguments from a stopped context's registers, and
// encoding of the return value. Registers are two uint32 words each
// (DESIGN.md: Numbers): no bigint on this path.
import { Reg } from '../platform/platform.js';

const TWO32 = 4294967296;
/** Register word index of each syscall argument (rdi, rsi, rdx, r10, r8, r9). */
const ARG_REG = [Reg.RDI, Reg.RSI, Reg.RDX, Reg.R10, Reg.R8, Reg.R9];

/** A view of one stopped thread's syscall arguments. Reused; never retained. */
export class SyscallArgs {
  regs!: Uint32Array;

  /** Low 32 bits as a signed int (int, fd, pid_t, flags as int). */
  int(i: number): number {
    return this.regs[ARG_REG[i] * 2] | 0;
  }
  /** Low 32 bits as unsigned. */
  u32(i: number): number {
    return this.regs[ARG_REG[i] * 2];
  }
  /** Full 64 bits as an unsigned number (exact below 2^53; larger values are never valid addresses or sizes). */
  u64(i: number): number {
    const r = ARG_REG[i] * 2;
    return this.regs[r] + this.regs[r + 1] * TWO32;
  }
  /** Full 64 bits as a signed number (exact within ±2^53). */
  i64(i: number): number {
    const r = ARG_REG[i] * 2;
    return this.regs[r] + (this.regs[r + 1] | 0) * TWO32;
  }
  /** High 32 bits (to test for values that do not fit an address). */
  hi(i: number): number {
    return this.regs[ARG_REG[i] * 2 + 1];
  }
  /** All six arguments as signed numbers (for --strace and logs: small negatives stay exact). */
  all(out: number[]): number[] {
    for (let i = 0; i < 6; i++) out[i] = this.i64(i);
    return out;
  }
}

export function syscallNumber(regs: Uint32Array): number {
  // arch/x86/entry/common.c do_syscall_64: the number is (int)orig_rax; the
  // high 32 bits are ignored and a negative int is no syscall.
  return regs[Reg.ORIG_RAX * 2] | 0;
}

/** Stores a syscall result (a value, or -errno) in rax. */
export function setReturn(regs: Uint32Array, r: number): void {
  const i = Reg.RAX * 2;
  if (r >= 0) {
    const hi = Math.floor(r / TWO32);
    regs[i] = r - hi * TWO32;
    regs[i + 1] = hi;
  } else {
    const hi = Math.floor(r / TWO32); // -1 for r in [-2^32, 0)
    regs[i] = r - hi * TWO32;
    regs[i + 1] = hi >>> 0;
  }
}

export function getReg(regs: Uint32Array, reg: number): number {
  return regs[reg * 2] + regs[reg * 2 + 1] * TWO32;
}

export function setReg(regs: Uint32Array, reg: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  regs[reg * 2] = v - hi * TWO32;
  regs[reg * 2 + 1] = hi >>> 0;
}
