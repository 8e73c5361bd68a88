// A position in a list of guest buffers (the iov_iter of fs/pipe.c): pipe
// reads copy into it, pipe writes copy out of it, page by page. It survives
// a parked call, so a blocked write resumes where it stopped.
import type { GuestMemory } from '../../vfs/guest_memory.js';

export class IoCursor {
  private readonly bases: number[];
  private readonly lens: number[];
  private seg = 0;
  /** Bytes already used in bases[seg]. */
  private segOff = 0;
  /** Bytes left in the whole list. */
  remaining: number;

  /** One buffer (read/write) or the first n entries of an iovec list (readv/writev; the arrays are copied). */
  constructor(readonly mm: GuestMemory, base: number | readonly number[], len: number | readonly number[], n = 1) {
    if (typeof base === 'number') {
      this.bases = [base];
      this.lens = [len as number];
      this.remaining = len as number;
    } else {
      const lens = len as readonly number[];
      this.bases = base.slice(0, n);
      this.lens = lens.slice(0, n);
      let total = 0;
      for (let i = 0; i < n; i++) total += lens[i];
      this.remaining = total;
    }
  }

  /** Pipe to guest: copies up to n bytes of src[off..]; returns the bytes copied (short: a fault). */
  copyOut(src: Uint8Array, off: number, n: number): number {
    return this.copy(src, off, n, true);
  }

  /** Guest to pipe: fills dst[off..off+n) from the guest; returns the bytes copied (short: a fault). */
  copyIn(dst: Uint8Array, off: number, n: number): number {
    return this.copy(dst, off, n, false);
  }

  private copy(page: Uint8Array, off: number, n: number, toGuest: boolean): number {
    let done = 0;
    while (done < n && this.remaining > 0) {
      const left = this.lens[this.seg] - this.segOff;
      if (left === 0) {
        this.seg++;
        this.segOff = 0;
        continue;
      }
      const want = Math.min(left, n - done);
      const addr = this.bases[this.seg] + this.segOff;
      let got = 0;
      const r = this.mm.forEachSegment(addr, want, toGuest, (buf, o, l) => {
        const p = off + done + got;
        if (toGuest) buf.set(page.subarray(p, p + l), o);
        else page.set(buf.subarray(o, o + l), p);
        got += l;
        return l;
      });
      if (got > 0) {
        done += got;
        this.segOff += got;
        this.remaining -= got;
      }
      if (r < 0 || got < want) break;
    }
    return done;
  }
}
