// Where MemoryFile bytes live: the memfd (native addon) in production, plain
// ArrayBuffers in unit tests. DESIGN.md: Memory.
import { Errno } from '../abi/linux/errno.js';
import { native } from '../platform/native.js';

export interface MemoryBackend {
  /** Host descriptor of the file (what the stub maps), or -1 for an in-process backend. */
  readonly fd: number;
  /** File size in bytes (page aligned); offsets at or past it must never be touched. */
  readonly size: number;
  /**
   * A view of [offset, offset+length) shared with the file: writes through it are
   * seen by every other window and by the stub. offset is page aligned. Throws if
   * the range cannot be mapped.
   */
  window(offset: number, length: number): ArrayBuffer;
  /** Frees the memory behind [offset, offset+length); the range then reads as zeros. 0 or -errno. */
  punch(offset: number, length: number): number;
}

/** The production backend: a sparse memfd created by the addon. */
export class NativeBackend implements MemoryBackend {
  private constructor(readonly fd: number, readonly size: number) {}

  /** Creates a memfd of `size` bytes (sparse); returns the backend or -errno. */
  static create(size: number): NativeBackend | number {
    const fd = native().memfileCreate(size);
    return fd < 0 ? fd : new NativeBackend(fd, size);
  }

  window(offset: number, length: number): ArrayBuffer {
    return native().memfileWindow(this.fd, offset, length);
  }

  punch(offset: number, length: number): number {
    return native().memfilePunch(this.fd, offset, length);
  }
}

/**
 * An in-process backend for tests: the file is cut into chunks of `chunkSize`
 * bytes, each a lazily created ArrayBuffer. window() must be asked for whole
 * chunks (MemoryFile does so when its windowSize equals chunkSize).
 */
export class HeapBackend implements MemoryBackend {
  readonly fd = -1;
  private readonly chunks: (ArrayBuffer | undefined)[] = [];
  /** Bytes punched so far (for tests). */
  punchedBytes = 0;

  constructor(readonly size: number, readonly chunkSize: number) {
    if (size % 4096 !== 0 || chunkSize % 4096 !== 0 || chunkSize <= 0) throw new RangeError('HeapBackend: sizes must be page multiples');
  }

  window(offset: number, length: number): ArrayBuffer {
    const i = offset / this.chunkSize;
    if (!Number.isInteger(i) || length !== Math.min(this.chunkSize, this.size - offset) || length <= 0) {
      throw new RangeError(`HeapBackend: window must be one whole chunk (offset ${offset}, length ${length})`);
    }
    let c = this.chunks[i];
    if (!c) this.chunks[i] = c = new ArrayBuffer(length);
    return c;
  }

  punch(offset: number, length: number): number {
    if (offset % 4096 !== 0 || length % 4096 !== 0 || offset < 0 || offset + length > this.size) return -Errno.EINVAL;
    this.punchedBytes += length;
    let o = offset;
    const end = offset + length;
    while (o < end) {
      const i = Math.floor(o / this.chunkSize);
      const base = i * this.chunkSize;
      const n = Math.min(end, base + this.chunkSize) - o;
      const c = this.chunks[i];
      if (c) new Uint8Array(c, o - base, n).fill(0);
      o += n;
    }
    return 0;
  }
}
