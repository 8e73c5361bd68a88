// MemoryFile: one file holding all guest memory (DESIGN.md: Memory). Pages are
// handed out by an extent allocator, bounded by a limit so that a guest cannot
// exhaust the host; the sentry reads and writes them through lazily mapped
// windows (N-API refuses external ArrayBuffers over 4 GiB, so windows are
// at most 1 GiB).
//
// A page may have several owners (copy-on-write after fork, see
// src/mm/README.md): share() adds one, release() drops one and frees the page
// with its last owner. Owner counts are kept sparsely: only pages with more
// than one owner have a count, in lazily allocated chunks of 1024 pages.
import os from 'node:os';
import { Errno } from '../abi/linux/errno.js';
import { HeapBackend, NativeBackend, type MemoryBackend } from './backend.js';
import { ExtentAllocator } from './extent_allocator.js';

export const PAGE_SIZE = 4096;
export const DEFAULT_WINDOW_SIZE = 1 << 30;

export interface MemoryFileOptions {
  /** Most bytes allocated at once (default: a quarter of host RAM). */
  limit?: number;
  /** Bytes per window (page multiple; default 1 GiB, which is also the maximum). */
  windowSize?: number;
  /**
   * File size (default: twice the limit, so fragmentation of the file's offsets
   * never makes an allocation fail while usage is under the limit). Sparse.
   */
  fileSize?: number;
  /** Use a HeapBackend (in-process ArrayBuffers) instead of a memfd: for tests. */
  inProcess?: boolean;
}

/**
 * Receives one contiguous piece of a file range as (view of a whole window,
 * offset in it, length); returns bytes consumed (fewer stops the walk).
 */
export type SegmentFn = (buf: Uint8Array, off: number, len: number) => number;

/** Pages per chunk of owner counts. */
const REF_CHUNK_SHIFT = 10;
const REF_CHUNK_PAGES = 1 << REF_CHUNK_SHIFT;
const REF_CHUNK_MASK = REF_CHUNK_PAGES - 1;

function pageUp(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

export class MemoryFile {
  readonly fd: number;
  readonly size: number;
  private limitBytes: number;
  readonly windowSize: number;
  private readonly alloc: ExtentAllocator;
  private used = 0;
  private readonly bufs: (ArrayBuffer | null)[] = [];
  private readonly u8s: (Uint8Array | null)[] = [];
  private readonly dvs: (DataView | null)[] = [];
  /** Owners beyond the first, per page, in chunks of REF_CHUNK_PAGES (undefined: all zero). */
  private readonly refChunks: (Uint32Array | undefined)[] = [];
  /** Pages with a nonzero count, per chunk (a chunk is dropped at zero). */
  private readonly refChunkUsed: number[] = [];
  private shared = 0;

  /** Makes a MemoryFile (a memfd unless opts.inProcess) limited to opts.limit (or `limit`) bytes; returns it or -errno. */
  static create(limitOrOpts: number | MemoryFileOptions = {}): MemoryFile | number {
    const opts = typeof limitOrOpts === 'number' ? { limit: limitOrOpts } : limitOrOpts;
    const limit = pageUp(opts.limit ?? Math.floor(os.totalmem() / 4));
    const windowSize = opts.windowSize ?? DEFAULT_WINDOW_SIZE;
    if (!(limit > 0) || !(windowSize > 0) || windowSize % PAGE_SIZE !== 0 || windowSize > DEFAULT_WINDOW_SIZE) return -Errno.EINVAL;
    const size = pageUp(opts.fileSize ?? 2 * limit);
    if (size < limit || size / PAGE_SIZE >= 0xffffffff) return -Errno.EINVAL;
    let backend: MemoryBackend | number;
    if (opts.inProcess) backend = new HeapBackend(size, windowSize);
    else backend = NativeBackend.create(size);
    if (typeof backend === 'number') return backend;
    return new MemoryFile(backend, limit, windowSize);
  }

  constructor(private readonly backend: MemoryBackend, limit: number, windowSize = DEFAULT_WINDOW_SIZE) {
    this.fd = backend.fd;
    this.size = backend.size;
    this.limitBytes = Math.min(pageUp(limit), backend.size);
    this.windowSize = windowSize;
    this.alloc = new ExtentAllocator(Math.floor(backend.size / PAGE_SIZE));
  }

  /** Bytes currently allocated. */
  get usedBytes(): number { return this.used; }

  /** Most bytes allocated at once (setLimit changes it). */
  get limit(): number { return this.limitBytes; }

  /**
   * Changes the limit (a running container's `update --memory`): page-rounded,
   * at most the file's size. A lower limit than what is allocated leaves those
   * pages alone; only new allocations fail. Returns 0 or -EINVAL.
   */
  setLimit(bytes: number): number {
    const limit = pageUp(bytes);
    if (!(limit > 0) || limit > this.size) return -Errno.EINVAL;
    this.limitBytes = limit;
    return 0;
  }

  /**
   * Allocates `bytes` (rounded up to pages) of contiguous, zeroed file space.
   * Returns the file offset, -ENOMEM over the limit (or if no contiguous run is
   * free), -EINVAL for a non-positive size.
   */
  allocate(bytes: number): number {
    if (!(bytes > 0)) return -Errno.EINVAL;
    const n = Math.ceil(bytes / PAGE_SIZE);
    if (this.used + n * PAGE_SIZE > this.limit) return -Errno.ENOMEM;
    const p = this.alloc.alloc(n);
    if (p < 0) return -Errno.ENOMEM;
    this.used += n * PAGE_SIZE;
    return p * PAGE_SIZE;
  }

  /**
   * Returns [offset, offset+bytes) to the allocator and punches it out of the
   * file (so it reads as zeros when handed out again). The range must be
   * allocated: -EINVAL (and nothing freed) otherwise. The caller must make sure
   * no address space still maps the range. Owner counts are not consulted:
   * pages that may have several owners are given back with release().
   */
  free(offset: number, bytes: number): number {
    if (offset % PAGE_SIZE !== 0 || !(bytes > 0)) return -Errno.EINVAL;
    const n = Math.ceil(bytes / PAGE_SIZE);
    const p = offset / PAGE_SIZE;
    if (!this.alloc.isAllocated(p, n)) return -Errno.EINVAL;
    this.zero(offset, n * PAGE_SIZE);
    this.alloc.free(p, n);
    this.used -= n * PAGE_SIZE;
    return 0;
  }

  /** Pages that currently have more than one owner. */
  get sharedPages(): number { return this.shared; }

  /**
   * Adds an owner to every page of [offset, offset+bytes) (allocated pages):
   * each will be freed only when every owner has released it.
   */
  share(offset: number, bytes: number): void {
    const first = offset / PAGE_SIZE;
    const end = first + Math.ceil(bytes / PAGE_SIZE);
    for (let p = first; p < end; p++) {
      const ci = p >>> REF_CHUNK_SHIFT;
      let c = this.refChunks[ci];
      if (c === undefined) {
        this.refChunks[ci] = c = new Uint32Array(REF_CHUNK_PAGES);
        this.refChunkUsed[ci] = 0;
      }
      const j = p & REF_CHUNK_MASK;
      if (c[j]++ === 0) {
        this.refChunkUsed[ci]++;
        this.shared++;
      }
    }
  }

  /** Owners of the page at offset beyond the first (0: one owner, or not allocated). */
  extraOwners(offset: number): number {
    const p = offset / PAGE_SIZE;
    const c = this.refChunks[p >>> REF_CHUNK_SHIFT];
    return c === undefined ? 0 : c[p & REF_CHUNK_MASK];
  }

  /**
   * Drops one owner of every page of [offset, offset+bytes): the pages that
   * had no other owner are freed (in contiguous runs). Returns the bytes freed.
   */
  release(offset: number, bytes: number): number {
    const first = offset / PAGE_SIZE;
    const end = first + Math.ceil(bytes / PAGE_SIZE);
    let freed = 0;
    let runStart = -1;
    for (let p = first; p < end;) {
      const ci = p >>> REF_CHUNK_SHIFT;
      const c = this.refChunks[ci];
      const chunkEnd = Math.min(end, (ci + 1) * REF_CHUNK_PAGES);
      if (c === undefined) {
        // No shared page in this chunk: the whole piece goes.
        if (runStart < 0) runStart = p;
        p = chunkEnd;
        continue;
      }
      for (; p < chunkEnd; p++) {
        const j = p & REF_CHUNK_MASK;
        if (c[j] === 0) {
          if (runStart < 0) runStart = p;
          continue;
        }
        if (runStart >= 0) {
          freed += (p - runStart) * PAGE_SIZE;
          this.free(runStart * PAGE_SIZE, (p - runStart) * PAGE_SIZE);
          runStart = -1;
        }
        if (--c[j] === 0) {
          this.shared--;
          if (--this.refChunkUsed[ci] === 0) this.refChunks[ci] = undefined;
        }
      }
    }
    if (runStart >= 0) {
      freed += (end - runStart) * PAGE_SIZE;
      this.free(runStart * PAGE_SIZE, (end - runStart) * PAGE_SIZE);
    }
    return freed;
  }

  /** Copies the page-aligned range [src, src+bytes) of the file to dst (the ranges must not overlap); false if either is outside the file. */
  copy(src: number, dst: number, bytes: number): boolean {
    if (!(src >= 0 && dst >= 0 && src + bytes <= this.size && dst + bytes <= this.size)) return false;
    const ws = this.windowSize;
    let done = 0;
    while (done < bytes) {
      const s = src + done;
      const d = dst + done;
      const sw = Math.floor(s / ws);
      const dw = Math.floor(d / ws);
      const n = Math.min(bytes - done, (sw + 1) * ws - s, (dw + 1) * ws - d);
      const sb = this.windowBytes(sw);
      const db = this.windowBytes(dw);
      if (sb === null || db === null) return false;
      const so = s - sw * ws;
      const dof = d - dw * ws;
      if (sw === dw) db.copyWithin(dof, so, so + n);
      else db.set(sb.subarray(so, so + n), dof);
      done += n;
    }
    return true;
  }

  /**
   * Zeroes [offset, offset+bytes) and releases its host memory, keeping it
   * allocated (shared mappings stay coherent: every mapper sees the zeros).
   */
  zero(offset: number, bytes: number): void {
    if (this.backend.punch(offset, bytes) === 0) return;
    // Punching failed (it should not): zero by hand so that the range still reads as zeros.
    this.forEachSegment(offset, bytes, (buf, off, len) => {
      buf.fill(0, off, off + len);
      return len;
    });
  }

  /** Number of windows (the last one may be shorter). */
  get windowCount(): number { return Math.ceil(this.size / this.windowSize); }

  /** The ArrayBuffer of window w (lazily mapped), or null if it cannot be mapped. */
  windowBuffer(w: number): ArrayBuffer | null {
    const b = this.bufs[w];
    if (b) return b;
    return this.open(w) ? this.bufs[w]! : null;
  }

  /** A Uint8Array over all of window w, or null. */
  windowBytes(w: number): Uint8Array | null {
    const u = this.u8s[w];
    if (u) return u;
    return this.open(w) ? this.u8s[w]! : null;
  }

  /** A DataView over all of window w, or null. */
  windowView(w: number): DataView | null {
    const d = this.dvs[w];
    if (d) return d;
    return this.open(w) ? this.dvs[w]! : null;
  }

  private open(w: number): boolean {
    if (!(w >= 0 && w < this.windowCount && Number.isInteger(w))) return false;
    const off = w * this.windowSize;
    let buf: ArrayBuffer;
    try {
      buf = this.backend.window(off, Math.min(this.windowSize, this.size - off));
    } catch {
      return false;
    }
    this.bufs[w] = buf;
    this.u8s[w] = new Uint8Array(buf);
    this.dvs[w] = new DataView(buf);
    return true;
  }

  /** A view of [offset, offset+length) if it lies inside one window (and the window maps), else null. */
  bytes(offset: number, length: number): Uint8Array | null {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.size)) return null;
    const w = Math.floor(offset / this.windowSize);
    const base = w * this.windowSize;
    if (offset + length > base + this.windowSize) return null;
    const u = this.windowBytes(w);
    return u ? u.subarray(offset - base, offset - base + length) : null;
  }

  /**
   * Calls fn for each window-contained piece of [offset, offset+length), in
   * order, until fn consumes less than it was given. Returns the bytes
   * consumed, or -EFAULT if the range is outside the file or a window cannot be
   * mapped before anything was consumed.
   */
  forEachSegment(offset: number, length: number, fn: SegmentFn): number {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.size)) return -Errno.EFAULT;
    let done = 0;
    while (done < length) {
      const o = offset + done;
      const w = Math.floor(o / this.windowSize);
      const base = w * this.windowSize;
      const n = Math.min(length - done, base + this.windowSize - o);
      const buf = this.windowBytes(w);
      if (!buf) return done > 0 ? done : -Errno.EFAULT;
      const r = fn(buf, o - base, n);
      if (!(r > 0)) break;
      done += Math.min(r, n);
      if (r < n) break;
    }
    return done;
  }

  /** Copies file bytes into dst; false if the range is outside the file. */
  read(offset: number, dst: Uint8Array, dstOff: number, len: number): boolean {
    let d = dstOff;
    return this.forEachSegment(offset, len, (buf, off, n) => {
      dst.set(buf.subarray(off, off + n), d);
      d += n;
      return n;
    }) === len;
  }

  /** Copies src into the file; false if the range is outside the file. */
  write(offset: number, src: Uint8Array, srcOff: number, len: number): boolean {
    let s = srcOff;
    return this.forEachSegment(offset, len, (buf, off, n) => {
      buf.set(src.subarray(s, s + n), off);
      s += n;
      return n;
    }) === len;
  }
}
