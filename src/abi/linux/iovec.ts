// struct iovec (<linux/uio.h>) for readv/writev/preadv/pwritev/process_vm_*:
// iov_base @0 (8 bytes), iov_len @8 (size_t), 16 bytes. man 2 readv.

import { getU64, setU64 } from './time.js';

export const IOVEC_SIZE = 16;

/** Most iovecs one call accepts (UIO_MAXIOV; IOV_MAX in <limits.h>): more is EINVAL. */
export const UIO_MAXIOV = 1024;
export const IOV_MAX = 1024;
/** Iovecs the kernel copies without allocating; a hint for scratch sizing. */
export const UIO_FASTIOV = 8;

/**
 * The kernel clamps one read/write to MAX_RW_COUNT bytes (INT_MAX rounded down
 * to a page): a larger transfer is short, not an error (man 2 read, NOTES).
 */
export const MAX_RW_COUNT = 0x7ffff000;

/** Caller-owned decode target. */
export interface Iovec {
  base: number;
  len: number;
}

/** Reads iovec i of the array at off. len is exact below 2^53; see iovLenTooBig for the ssize_t check. */
export function decodeIovec(dv: DataView, off: number, i: number, out: Iovec): Iovec {
  const p = off + i * IOVEC_SIZE;
  out.base = getU64(dv, p);
  out.len = getU64(dv, p + 8);
  return out;
}

/**
 * man 2 readv: EINVAL if an iov_len is negative as an ssize_t (its top bit is
 * set); the caller also checks that the running sum does not overflow ssize_t.
 */
export function iovLenTooBig(dv: DataView, off: number, i: number): boolean {
  return dv.getInt32(off + i * IOVEC_SIZE + 12, true) < 0;
}

export function encodeIovec(dv: DataView, off: number, i: number, base: number, len: number): void {
  const p = off + i * IOVEC_SIZE;
  setU64(dv, p, base);
  setU64(dv, p + 8, len);
}
