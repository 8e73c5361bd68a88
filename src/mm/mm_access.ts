// Kernel access to guest memory (copyin/copyout): every access is checked
// against the VMAs and the guest's protection (x86: any protection allows a
// read, PROT_WRITE is needed for a write), goes through the MemoryFile windows
// without a syscall, reads untouched anonymous memory as zeros without
// allocating (untouched file-backed memory is read in from the file), gives
// backing to untouched pages it writes (they are mapped into the stub when
// the guest faults on them), and un-shares copy-on-write pages before writing
// them (see accessPage in mm_core.ts).
import { Errno } from '../abi/linux/errno.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import { MmCore } from './mm_core.js';

/** Source of zeros for forEachSegment reads of untouched memory. Callers must never write into it. */
const ZERO_BUF = new Uint8Array(64 * 1024);
/** Copies of at most this many bytes are done with a loop (no view allocation). */
const SMALL_COPY = 32;
const FAST_ZERO = -1;
const FAST_FAULT = -2;
const FAST_SLOW = -3;
const TWO32 = 4294967296;

/** Receives (a view of a whole MemoryFile window or of a zero buffer, offset in it, length); returns bytes handled. */
export type GuestSegmentFn = (buf: Uint8Array, off: number, len: number) => number;

export class MmAccess extends MmCore {
  private readonly scratch = new Uint8Array(8);
  private readonly scratchView = new DataView(this.scratch.buffer);
  private fastView: DataView | null = null;
  private strBuf = new Uint8Array(256);
  private readonly utf8 = new TextDecoder('utf-8');

  /** Copies len bytes at guest addr into dst[dstOff..]. 0 or -EFAULT (dst may then be partly written). */
  readBytes(addr: number, dst: Uint8Array, dstOff: number, len: number): number {
    return this.copy(addr, dst, dstOff, len, false, false);
  }

  /** Copies src[srcOff..srcOff+len) to guest addr. 0 or -EFAULT (a prefix may have been written). */
  writeBytes(addr: number, src: Uint8Array, srcOff: number, len: number): number {
    return this.copy(addr, src, srcOff, len, true, false);
  }

  /** writeBytes ignoring the guest's protection (but not the VMAs): for the ELF loader. */
  pokeBytes(addr: number, src: Uint8Array, srcOff: number, len: number): number {
    return this.copy(addr, src, srcOff, len, true, true);
  }

  private copy(addr: number, buf: Uint8Array, bufOff: number, len: number, write: boolean, force: boolean): number {
    if (len === 0) return 0;
    if (!this.rangeOk(addr, len) || !(bufOff >= 0 && bufOff + len <= buf.length)) return -Errno.EFAULT;
    const ws = this.mf.windowSize;
    let done = 0;
    while (done < len) {
      const n = this.segment(addr + done, len - done, write, force, len);
      if (n < 0) return n;
      const o = this.segOff;
      const b = bufOff + done;
      if (o < 0) {
        buf.fill(0, b, b + n);
      } else {
        const w = Math.floor(o / ws);
        const u = this.mf.windowBytes(w);
        if (u === null) return -Errno.EFAULT;
        const wo = o - w * ws;
        if (n <= SMALL_COPY) {
          if (write) for (let i = 0; i < n; i++) u[wo + i] = buf[b + i];
          else for (let i = 0; i < n; i++) buf[b + i] = u[wo + i];
        } else if (write) {
          u.set(buf.subarray(b, b + n), wo);
        } else {
          buf.set(u.subarray(wo, wo + n), b);
        }
      }
      done += n;
    }
    return 0;
  }

  /**
   * For an access of `size` bytes inside one page: sets fastView and returns
   * the offset in it; or FAST_ZERO (untouched, read), FAST_FAULT, FAST_SLOW
   * (crosses a page: use copy()).
   */
  private fast(addr: number, size: number, write: boolean): number {
    if (!(addr >= 0 && addr + size <= this.maxAddr && Number.isInteger(addr))) return FAST_FAULT;
    const inPage = addr % PAGE_SIZE;
    if (inPage > PAGE_SIZE - size) return FAST_SLOW;
    const fp = this.accessPage(addr, write, false, Math.floor(addr / PAGE_SIZE) + 1);
    if (fp === -1) return FAST_ZERO;
    if (fp < 0) return FAST_FAULT;
    const off = fp * PAGE_SIZE + inPage;
    const ws = this.mf.windowSize;
    const w = Math.floor(off / ws);
    const dv = this.mf.windowView(w);
    if (dv === null) return FAST_FAULT;
    this.fastView = dv;
    return off - w * ws;
  }

  /** The little-endian u32 at addr, or -EFAULT. */
  readU32(addr: number): number {
    const o = this.fast(addr, 4, false);
    if (o >= 0) return this.fastView!.getUint32(o, true);
    if (o === FAST_ZERO) return 0;
    if (o === FAST_FAULT) return -Errno.EFAULT;
    const r = this.copy(addr, this.scratch, 0, 4, false, false);
    return r < 0 ? r : this.scratchView.getUint32(0, true);
  }

  /**
   * The little-endian u64 at addr as a number (exact below 2^53, larger values
   * rounded to the nearest double), or -EFAULT. Read with readBytes when all 64
   * bits matter.
   */
  readU64(addr: number): number {
    const o = this.fast(addr, 8, false);
    if (o >= 0) return this.fastView!.getUint32(o + 4, true) * TWO32 + this.fastView!.getUint32(o, true);
    if (o === FAST_ZERO) return 0;
    if (o === FAST_FAULT) return -Errno.EFAULT;
    const r = this.copy(addr, this.scratch, 0, 8, false, false);
    return r < 0 ? r : this.scratchView.getUint32(4, true) * TWO32 + this.scratchView.getUint32(0, true);
  }

  /** Stores value (its low 32 bits, two's complement for negatives) at addr. 0 or -EFAULT. */
  writeU32(addr: number, value: number): number {
    const o = this.fast(addr, 4, true);
    if (o >= 0) {
      this.fastView!.setUint32(o, value >>> 0, true);
      return 0;
    }
    if (o !== FAST_SLOW) return -Errno.EFAULT;
    this.scratchView.setUint32(0, value >>> 0, true);
    return this.copy(addr, this.scratch, 0, 4, true, false);
  }

  /**
   * Stores an integer as a little-endian u64 at addr: negative values (above
   * -2^53) as their two's complement, values up to 2^64 as the exact integer
   * of their double. 0 or -EFAULT.
   */
  writeU64(addr: number, value: number): number {
    const v = Math.trunc(value);
    const w = Math.abs(v);
    let lo = w % TWO32;
    let hi = Math.floor(w / TWO32) % TWO32;
    if (v < 0) {
      const carry = lo === 0 ? 1 : 0;
      lo = (~lo + 1) >>> 0;
      hi = (~hi + carry) >>> 0;
    }
    const o = this.fast(addr, 8, true);
    if (o >= 0) {
      this.fastView!.setUint32(o, lo, true);
      this.fastView!.setUint32(o + 4, hi, true);
      return 0;
    }
    if (o !== FAST_SLOW) return -Errno.EFAULT;
    this.scratchView.setUint32(0, lo, true);
    this.scratchView.setUint32(4, hi, true);
    return this.copy(addr, this.scratch, 0, 8, true, false);
  }

  /**
   * Reads the NUL-terminated string at addr into strBuf. maxLen counts the NUL
   * (PATH_MAX = 4096 allows 4095 characters). Returns its length, -EFAULT if a
   * byte before the NUL is inaccessible, -ENAMETOOLONG if there is no NUL in
   * the first maxLen bytes.
   */
  private cstr(addr: number, maxLen: number): number {
    if (!(maxLen > 0)) return -Errno.ENAMETOOLONG;
    if (!(addr >= 0 && Number.isInteger(addr))) return -Errno.EFAULT;
    const ws = this.mf.windowSize;
    let done = 0;
    while (done < maxLen) {
      const a = addr + done;
      if (a >= this.maxAddr) return -Errno.EFAULT;
      const n = this.segment(a, Math.min(maxLen - done, this.maxAddr - a), false, false, PAGE_SIZE);
      if (n < 0) return n;
      if (this.segOff < 0) return done;
      const w = Math.floor(this.segOff / ws);
      const u = this.mf.windowBytes(w);
      if (u === null) return -Errno.EFAULT;
      const wo = this.segOff - w * ws;
      const seg = u.subarray(wo, wo + n);
      let k = seg.indexOf(0);
      if (k < 0) k = n;
      if (done + k > this.strBuf.length) {
        const nb = new Uint8Array(Math.max(done + k, this.strBuf.length * 2));
        nb.set(this.strBuf.subarray(0, done));
        this.strBuf = nb;
      }
      this.strBuf.set(seg.subarray(0, k), done);
      done += k;
      if (k < n) return done;
    }
    return -Errno.ENAMETOOLONG;
  }

  /** The NUL-terminated string at addr, decoded as UTF-8 (invalid bytes become U+FFFD); see cstr for maxLen and errors. */
  readCString(addr: number, maxLen: number): string | number {
    const n = this.cstr(addr, maxLen);
    if (n < 0) return n;
    return n === 0 ? '' : this.utf8.decode(this.strBuf.subarray(0, n));
  }

  /** The bytes of the NUL-terminated string at addr (without the NUL), exact; see cstr. */
  readCStringBytes(addr: number, maxLen: number): Uint8Array | number {
    const n = this.cstr(addr, maxLen);
    return n < 0 ? n : this.strBuf.slice(0, n);
  }

  /**
   * Zero-copy host I/O on guest memory: calls fn with pieces of
   * [addr, addr+len) in order, each as (view, offset in it, length) where the
   * view spans a whole MemoryFile window (so buf.buffer/offset suits host
   * calls taking an ArrayBuffer too); fn returns the
   * bytes it handled (fewer stops the walk; a negative errno stops it too).
   * forWrite: fn writes guest memory (read(2) into it: needs PROT_WRITE, gives
   * backing); otherwise fn only reads (write(2) from it), and untouched memory
   * comes from a shared zero buffer that fn must not modify. Returns the total
   * handled; -EFAULT if the first byte is inaccessible (or fn's errno if it
   * failed first); the partial count if a later page is.
   */
  forEachSegment(addr: number, len: number, forWrite: boolean, fn: GuestSegmentFn): number {
    if (len === 0) return 0;
    if (!(addr >= 0 && addr < this.maxAddr && Number.isInteger(addr) && len > 0)) return -Errno.EFAULT;
    const total = Math.min(len, this.maxAddr - addr);
    const ws = this.mf.windowSize;
    let done = 0;
    while (done < total) {
      const n = this.segment(addr + done, total - done, forWrite, false, ZERO_BUF.byteLength);
      if (n < 0) return done > 0 ? done : n;
      let r: number;
      if (this.segOff < 0) {
        r = fn(ZERO_BUF, 0, n);
      } else {
        const w = Math.floor(this.segOff / ws);
        const buf = this.mf.windowBytes(w);
        if (buf === null) return done > 0 ? done : -Errno.EFAULT;
        r = fn(buf, this.segOff - w * ws, n);
      }
      if (r < 0) return done > 0 ? done : r;
      done += Math.min(r, n);
      if (r < n) break;
    }
    return done;
  }
}
