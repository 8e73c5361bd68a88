// The host's CPU-dependent auxv values, read once from /proc/self/auxv at import time (before
// the sentry confines itself and loses /proc). Guests run natively on the host CPU, so its
// AT_HWCAP/AT_HWCAP2 are the truth; AT_MINSIGSTKSZ follows the host's XSAVE size.
import { readFileSync } from 'node:fs';
import { AT } from '../abi/linux/auxv.js';
import { readU64 } from '../abi/linux/elf.js';

export interface HostAuxv {
  readonly hwcap: number;
  readonly hwcap2: number;
  readonly minsigstksz: number;
}

/** Used when /proc/self/auxv is unreadable: CPUID.1:EDX of a common x86-64, FSGSBASE, 2 KiB. */
export const FALLBACK_HOST_AUXV: HostAuxv = { hwcap: 0x178bfbff, hwcap2: 0x2, minsigstksz: 2048 };

/** Parses auxv bytes (u64 type/value pairs up to AT_NULL), overriding the fallback values. */
export function parseHostAuxv(bytes: Uint8Array, fallback: HostAuxv = FALLBACK_HOST_AUXV): HostAuxv {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let { hwcap, hwcap2, minsigstksz } = fallback;
  for (let off = 0; off + 16 <= bytes.length; off += 16) {
    const type = readU64(dv, off);
    const value = readU64(dv, off + 8);
    if (type === AT.NULL) break;
    if (!Number.isSafeInteger(value)) continue;
    if (type === AT.HWCAP) hwcap = value;
    else if (type === AT.HWCAP2) hwcap2 = value;
    else if (type === AT.MINSIGSTKSZ && value > 0) minsigstksz = value;
  }
  return { hwcap, hwcap2, minsigstksz };
}

function readHostAuxv(): HostAuxv {
  try {
    return parseHostAuxv(readFileSync('/proc/self/auxv'));
  } catch {
    return FALLBACK_HOST_AUXV;
  }
}

export const HOST_AUXV: HostAuxv = readHostAuxv();
