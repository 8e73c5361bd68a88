// struct new_utsname (<linux/utsname.h>), filled by uname(2): six NUL-terminated
// fields of __NEW_UTS_LEN + 1 = 65 bytes each, 390 bytes in all.

export const UTS_LEN = 64;
export const UTSNAME_FIELD_SIZE = 65;
export const UTSNAME_SIZE = 390;

/** Offsets of the fields of struct new_utsname. */
export const enum UtsnameOffset {
  SYSNAME = 0,
  NODENAME = 65,
  RELEASE = 130,
  VERSION = 195,
  MACHINE = 260,
  DOMAINNAME = 325,
}

/**
 * The six fields, as strings (encoded UTF-8) or raw bytes (as sethostname(2)
 * stored them). Each is truncated to 64 bytes; the rest of the field is zeroed.
 */
export interface Utsname {
  sysname: string | Uint8Array;
  nodename: string | Uint8Array;
  release: string | Uint8Array;
  version: string | Uint8Array;
  machine: string | Uint8Array;
  domainname: string | Uint8Array;
}

const encoder = new TextEncoder();

/** Writes one 65-byte field: at most 64 bytes of content, NUL padded. */
export function encodeUtsField(buf: Uint8Array, off: number, v: string | Uint8Array): void {
  let n = 0;
  if (typeof v !== 'string') {
    n = Math.min(v.length, UTS_LEN);
    for (let i = 0; i < n; i++) buf[off + i] = v[i];
  } else {
    let ascii = true;
    for (let i = 0; i < v.length && n < UTS_LEN; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) { ascii = false; break; }
      buf[off + n++] = c;
    }
    // encodeInto never splits a multi-byte sequence, so truncation stays valid UTF-8.
    if (!ascii) n = encoder.encodeInto(v, buf.subarray(off, off + UTS_LEN)).written;
  }
  buf.fill(0, off + n, off + UTSNAME_FIELD_SIZE);
}

export function encodeUtsname(buf: Uint8Array, off: number, u: Utsname): void {
  encodeUtsField(buf, off + UtsnameOffset.SYSNAME, u.sysname);
  encodeUtsField(buf, off + UtsnameOffset.NODENAME, u.nodename);
  encodeUtsField(buf, off + UtsnameOffset.RELEASE, u.release);
  encodeUtsField(buf, off + UtsnameOffset.VERSION, u.version);
  encodeUtsField(buf, off + UtsnameOffset.MACHINE, u.machine);
  encodeUtsField(buf, off + UtsnameOffset.DOMAINNAME, u.domainname);
}
