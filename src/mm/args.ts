// How the MemoryManager reads syscall arguments. An argument is a number
// holding either the unsigned 64-bit register value (exact below 2^53) or its
// signed decoding (exact within ±2^53, a negative x standing for 2^64 + x).
// The signed decoding keeps small negatives such as -1 exact, so their low
// bits (page alignment, PAGE_ALIGN wrapping to 0) come out as on Linux; the
// unsigned one rounds values above 2^53 (-1 becomes 2^64, which looks page
// aligned). Every other value is far outside the address space either way.
import { PAGE_SIZE } from '../memory/memory_file.js';

export const TWO64 = 18446744073709551616;

/** The unsigned value x stands for (2^64 + x for negatives; 2^64, out of every range, for non-integers). */
export function u64(x: number): number {
  if (!Number.isInteger(x)) return TWO64;
  return x >= 0 ? x : TWO64 + x;
}

/** offset_in_page(x) === 0. */
export function pageAligned(x: number): boolean {
  return Number.isInteger(x) && x % PAGE_SIZE === 0;
}

/** PAGE_ALIGN(x) with C's wrap-around: 0 when the result would reach 2^64. */
export function alignUp(x: number): number {
  if (!Number.isInteger(x)) return TWO64;
  if (x < 0) return x > -PAGE_SIZE ? 0 : TWO64 + Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
  const r = Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
  return r >= TWO64 ? 0 : r;
}
