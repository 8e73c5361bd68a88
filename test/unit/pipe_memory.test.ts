// Guest memory for the pipe unit tests: a plain array with unmapped holes
// (faults are EFAULT, as MemoryManager reports them) and segments cut short
// to exercise the copy walk. Its own test checks the helper.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import type { GuestMemory } from '../../src/vfs/guest_memory.js';

export class HoleyMemory implements GuestMemory {
  readonly bytes: Uint8Array;
  /** Unmapped [start, end) ranges. */
  readonly holes: [number, number][] = [];

  constructor(size = 1 << 21, readonly segment = 1500) {
    this.bytes = new Uint8Array(size);
  }

  /** The first unmapped address in [addr, addr+len), or -1. */
  private firstBad(addr: number, len: number): number {
    if (addr < 0) return addr;
    let bad = addr + len > this.bytes.length ? Math.max(addr, this.bytes.length) : -1;
    for (const [s, e] of this.holes) {
      if (s < addr + len && e > addr) {
        const b = Math.max(s, addr);
        if (bad < 0 || b < bad) bad = b;
      }
    }
    return bad;
  }

  readBytes(addr: number, dst: Uint8Array, off: number, len: number): number {
    if (this.firstBad(addr, len) >= 0) return -Errno.EFAULT;
    dst.set(this.bytes.subarray(addr, addr + len), off);
    return 0;
  }

  writeBytes(addr: number, src: Uint8Array, off: number, len: number): number {
    if (this.firstBad(addr, len) >= 0) return -Errno.EFAULT;
    this.bytes.set(src.subarray(off, off + len), addr);
    return 0;
  }

  forEachSegment(addr: number, len: number, _forWrite: boolean, fn: (buf: Uint8Array, off: number, len: number) => number): number {
    if (len === 0) return 0;
    const bad = this.firstBad(addr, len);
    const total = bad >= 0 ? bad - addr : len;
    if (total <= 0) return -Errno.EFAULT;
    let done = 0;
    while (done < total) {
      const l = Math.min(this.segment - ((addr + done) % this.segment), total - done);
      const r = fn(this.bytes, addr + done, l);
      if (r < 0) return done > 0 ? done : r;
      done += r;
      if (r < l) break;
    }
    return done;
  }

  /** Puts s (latin1) at addr. */
  put(addr: number, s: string | Uint8Array): number {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    this.bytes.set(b, addr);
    return b.length;
  }

  /** len bytes at addr as a latin1 string. */
  get(addr: number, len: number): string {
    return Buffer.from(this.bytes.subarray(addr, addr + len)).toString('latin1');
  }
}

test('HoleyMemory: holes fault, segments stop at them', () => {
  const m = new HoleyMemory(10000, 100);
  m.holes.push([5000, 6000]);
  assert.equal(m.put(4990, 'abcdefghij'), 10);
  assert.equal(m.readBytes(4995, new Uint8Array(10), 0, 10), -Errno.EFAULT);
  const seen: number[] = [];
  const r = m.forEachSegment(4950, 100, false, (_b, off, l) => {
    seen.push(off, l);
    return l;
  });
  assert.equal(r, 50);
  assert.deepEqual(seen, [4950, 50]);
  assert.equal(m.forEachSegment(5500, 10, true, () => 10), -Errno.EFAULT);
  assert.equal(m.forEachSegment(9990, 100, true, (_b, _o, l) => l), 10);
  assert.equal(m.get(4990, 10), 'abcdefghij');
});
