// A GuestMemory whose addresses are offsets into one array: for kernel code
// that moves file bytes through the FileImpl interface without a guest
// (overlay copy-up, reading the program to start).
import { Errno } from '../abi/linux/errno.js';
import type { GuestMemory } from './guest_memory.js';

/** A GuestMemory whose addresses are offsets into buf. */
export class BufferMemory implements GuestMemory {
  constructor(readonly buf: Uint8Array) {}

  private inRange(addr: number, len: number): boolean {
    return addr >= 0 && len >= 0 && addr + len <= this.buf.length;
  }

  readBytes(addr: number, dst: Uint8Array, off: number, len: number): number {
    if (!this.inRange(addr, len)) return -Errno.EFAULT;
    dst.set(this.buf.subarray(addr, addr + len), off);
    return 0;
  }

  writeBytes(addr: number, src: Uint8Array, off: number, len: number): number {
    if (!this.inRange(addr, len)) return -Errno.EFAULT;
    this.buf.set(src.subarray(off, off + len), addr);
    return 0;
  }

  forEachSegment(addr: number, len: number, _forWrite: boolean, fn: (buf: Uint8Array, off: number, len: number) => number): number {
    if (len === 0) return 0;
    if (!this.inRange(addr, len)) return -Errno.EFAULT;
    return fn(this.buf, addr, len);
  }
}
