// A reused scratch buffer for encoding and decoding small structs on the
// syscall path (no allocation per call). Safe because the kernel is single
// threaded and a handler finishes with it before returning.
export const scratch = new Uint8Array(65536);
export const scratchView = new DataView(scratch.buffer);

const TWO32 = 4294967296;

/** Stores a signed 64-bit value given as a JS number (exact within ±2^53). */
export function setI64(off: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  scratchView.setUint32(off, v - hi * TWO32, true);
  scratchView.setInt32(off + 4, hi, true);
}

/** Loads a signed 64-bit value as a JS number (exact within ±2^53). */
export function getI64(off: number): number {
  return scratchView.getUint32(off, true) + scratchView.getInt32(off + 4, true) * TWO32;
}

/** Loads an unsigned 64-bit value as a JS number (exact below 2^53). */
export function getU64(off: number): number {
  return scratchView.getUint32(off, true) + scratchView.getUint32(off + 4, true) * TWO32;
}
