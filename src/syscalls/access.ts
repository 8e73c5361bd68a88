// access_ok(): whether a user range lies in user space, before any page is touched.

/** TASK_SIZE_MAX on x86-64 with 4-level paging: the end of user addresses access_ok accepts. */
export const TASK_SIZE_MAX = 0x7ffffffff000;
/** High word of 2^47: a value at or above it is no user address or length. */
const HI_USER = 0x8000;
const TWO32 = 4294967296;

/**
 * access_ok(buf, count) with 64-bit arithmetic from raw 32-bit halves
 * (arch/x86/include/asm/uaccess_64.h): the range must end inside user space,
 * even for count 0.
 */
export function accessOk(bufLo: number, bufHi: number, cntLo: number, cntHi: number): boolean {
  if (bufHi >= HI_USER || cntHi >= HI_USER) return false;
  return bufLo + bufHi * TWO32 + cntLo + cntHi * TWO32 <= TASK_SIZE_MAX;
}

/** access_ok for an address and a length already known to be exact numbers. */
export function rangeOk(addr: number, len: number): boolean {
  return addr >= 0 && len >= 0 && addr + len <= TASK_SIZE_MAX;
}
