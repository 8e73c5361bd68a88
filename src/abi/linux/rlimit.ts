// Resource limits: <asm-generic/resource.h>, <linux/resource.h>; man 2 getrlimit.
// struct rlimit (two unsigned longs) and struct rlimit64 (two __u64) have the
// same 16-byte layout on x86-64.

export const enum Rlimit {
  RLIMIT_CPU = 0,
  RLIMIT_FSIZE = 1,
  RLIMIT_DATA = 2,
  RLIMIT_STACK = 3,
  RLIMIT_CORE = 4,
  RLIMIT_RSS = 5,
  RLIMIT_NPROC = 6,
  RLIMIT_NOFILE = 7,
  RLIMIT_MEMLOCK = 8,
  RLIMIT_AS = 9,
  RLIMIT_LOCKS = 10,
  RLIMIT_SIGPENDING = 11,
  RLIMIT_MSGQUEUE = 12,
  RLIMIT_NICE = 13,
  RLIMIT_RTPRIO = 14,
  RLIMIT_RTTIME = 15,
}

export const RLIM_NLIMITS = 16;

export const RLIMIT_NAMES: readonly string[] = [
  'RLIMIT_CPU',
  'RLIMIT_FSIZE',
  'RLIMIT_DATA',
  'RLIMIT_STACK',
  'RLIMIT_CORE',
  'RLIMIT_RSS',
  'RLIMIT_NPROC',
  'RLIMIT_NOFILE',
  'RLIMIT_MEMLOCK',
  'RLIMIT_AS',
  'RLIMIT_LOCKS',
  'RLIMIT_SIGPENDING',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
];

/**
 * RLIM_INFINITY is ~0 (all 64 bits set) in the ABI. In JS it is Infinity, so
 * comparisons such as `used > limit` need no special case. Any other value
 * decodes to a number (exact below 2^53); an encoded number that is not finite
 * or rounds to 2^64 or more becomes ~0 again.
 */
export const RLIM_INFINITY = Infinity;

export const RLIMIT_SIZE = 16;

/** Caller-owned decode target. */
export interface RlimitValue {
  cur: number;
  max: number;
}

const TWO32 = 4294967296;
const TWO64 = 18446744073709551616;

/** Reads one rlim_t: ~0 is Infinity. */
export function decodeRlim(dv: DataView, off: number): number {
  const lo = dv.getUint32(off, true);
  const hi = dv.getUint32(off + 4, true);
  if (lo === 0xffffffff && hi === 0xffffffff) return RLIM_INFINITY;
  return hi * TWO32 + lo;
}

/** Writes one rlim_t: Infinity (or anything >= 2^64) is ~0. */
export function encodeRlim(dv: DataView, off: number, v: number): void {
  if (!(v < TWO64)) {
    dv.setUint32(off, 0xffffffff, true);
    dv.setUint32(off + 4, 0xffffffff, true);
    return;
  }
  dv.setUint32(off, v >>> 0, true);
  dv.setUint32(off + 4, Math.floor(v / TWO32) >>> 0, true);
}

export function decodeRlimit(dv: DataView, off: number, out: RlimitValue): RlimitValue {
  out.cur = decodeRlim(dv, off);
  out.max = decodeRlim(dv, off + 8);
  return out;
}

export function encodeRlimit(dv: DataView, off: number, cur: number, max: number): void {
  encodeRlim(dv, off, cur);
  encodeRlim(dv, off + 8, max);
}
