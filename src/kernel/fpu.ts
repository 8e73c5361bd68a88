// The FP/SSE/AVX state of a new program or of a signal handler: the power-on
// values (FCW 0x37f, MXCSR 0x1f80, every register zero), so nothing of the
// sentry's thread or of the interrupted code leaks in.
import type { Context } from '../platform/platform.js';

/** The legacy FXSAVE area; the XSAVE header follows it. */
const FXSAVE_SIZE = 512;

/** Writes the power-on state into the first size bytes of an XSAVE image. */
export function initFpState(fp: Uint8Array, size: number): void {
  const v = new DataView(fp.buffer, fp.byteOffset, fp.byteLength);
  fp.fill(0, 0, size);
  v.setUint16(0, 0x37f, true); // FCW
  v.setUint32(24, 0x1f80, true); // MXCSR
  v.setUint32(28, 0xffff, true); // MXCSR_MASK (ignored on restore)
  // XSAVE header: XSTATE_BV = x87|SSE; every other component in its init state.
  if (size > FXSAVE_SIZE) v.setUint32(FXSAVE_SIZE, 3, true);
}

/** Resets ctx's FP state; returns 0 or a negative errno from the platform. */
export function resetFpState(ctx: Context): number {
  const size = ctx.fetchFpState();
  if (size < 0) return size;
  initFpState(ctx.fpState, size);
  return ctx.storeFpState();
}
