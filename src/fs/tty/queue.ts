// A FIFO of bytes in chunks: what one side of a terminal has written and
// the other has not read yet (a pty master's input, a pending flip buffer).
// Appends of single bytes (echo) fill the last chunk instead of making one.
// Queues may share a BufferBudget: the bytes all of them hold, so that the
// terminals of a sandbox together keep a bounded amount of memory.

const CHUNK = 4096;

interface Chunk {
  buf: Uint8Array;
  start: number;
  end: number;
}

/** Bytes held by the queues sharing it, and how many they may hold. */
export class BufferBudget {
  used = 0;
  /** Called when bytes are released while the budget was spent (writers waiting elsewhere may go on). */
  onFreed: (() => void) | null = null;

  constructor(readonly limit: number) {}

  /** Bytes that may still be queued. */
  get left(): number {
    return Math.max(0, this.limit - this.used);
  }

  charge(delta: number): void {
    const spent = this.used >= this.limit;
    this.used += delta;
    if (spent && delta < 0) this.onFreed?.();
  }
}

export class ByteQueue {
  private readonly chunks: Chunk[] = [];
  private size = 0;

  constructor(readonly budget: BufferBudget | null = null) {}

  private account(delta: number): void {
    this.size += delta;
    if (this.budget && delta !== 0) this.budget.charge(delta);
  }

  get length(): number {
    return this.size;
  }

  /** Appends src[off, off+len). */
  push(src: Uint8Array, off = 0, len = src.length - off): void {
    if (len <= 0) return;
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.buf.length - last.end >= len) {
      last.buf.set(src.subarray(off, off + len), last.end);
      last.end += len;
    } else {
      const buf = new Uint8Array(Math.max(CHUNK, len));
      buf.set(src.subarray(off, off + len), 0);
      this.chunks.push({ buf, start: 0, end: len });
    }
    this.account(len);
  }

  pushByte(b: number): void {
    let last = this.chunks[this.chunks.length - 1];
    if (!last || last.end === last.buf.length) {
      last = { buf: new Uint8Array(CHUNK), start: 0, end: 0 };
      this.chunks.push(last);
    }
    last.buf[last.end++] = b;
    this.account(1);
  }

  /** The first byte, or -1 when empty. */
  peekByte(): number {
    const c = this.chunks[0];
    return c ? c.buf[c.start]! : -1;
  }

  /** Moves up to len bytes into dst[off..]; returns the count. */
  read(dst: Uint8Array, off: number, len: number): number {
    let done = 0;
    while (done < len && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const n = Math.min(len - done, c.end - c.start);
      dst.set(c.buf.subarray(c.start, c.start + n), off + done);
      c.start += n;
      done += n;
      if (c.start === c.end) this.chunks.shift();
    }
    this.account(-done);
    return done;
  }

  /** Drops up to len bytes from the front. */
  skip(len: number): number {
    let done = 0;
    while (done < len && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const n = Math.min(len - done, c.end - c.start);
      c.start += n;
      done += n;
      if (c.start === c.end) this.chunks.shift();
    }
    this.account(-done);
    return done;
  }

  /** A view of the contiguous bytes at the front (at most len), without consuming them. */
  front(len: number): Uint8Array {
    const c = this.chunks[0];
    if (!c) return new Uint8Array(0);
    return c.buf.subarray(c.start, Math.min(c.end, c.start + len));
  }

  clear(): void {
    this.chunks.length = 0;
    this.account(-this.size);
  }
}
