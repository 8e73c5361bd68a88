// The FP/SSE/AVX state of a new program or of a signal handler: the power-on
// values (FCW 0x37f, MXCSR 0x1f80, every register zero), so nothing of the
// sentry's thread or of the interrupted code leaks in.
import type { Context } from '../platform/platform.js';

/** Resets ctx's FP state (XSAVE layout); returns 0 or a negative errno from the platform. */
export function resetFpState(ctx: Context): number {
  const size = ctx.fetchFpState();
  if (size < 0) return size;
  const fp = ctx.fpState;
  const v = new DataView(fp.buffer, fp.byteOffset, fp.byteLength);
  fp.fill(0, 0, 512);
  v.setUint16(0, 0x37f, true); // FCW
  v.setUint32(24, 0x1f80, true); // MXCSR
  v.setUint32(28, 0xffff, true); // MXCSR_MASK (ignored on restore)
  if (size > 512) {
    // XSAVE header: XSTATE_BV = x87|SSE; every other component in its init state.
    fp.fill(0, 512, size);
    v.setUint32(512, 3, true);
  }
  return ctx.storeFpState();
}
