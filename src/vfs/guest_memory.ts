// The part of a MemoryManager (src/mm/mm_access.ts) the file layer uses to
// move bytes between files and guest memory. Declared here, structurally, so
// the VFS and file systems can be tested on plain arrays (see the tests'
// ArrayMemory); MemoryManager satisfies it.

export type { IoResult } from './file.js';

export interface GuestMemory {
  /** Copies len bytes from guest addr into dst[off..]; 0 or -EFAULT. */
  readBytes(addr: number, dst: Uint8Array, off: number, len: number): number;
  /** Copies len bytes from src[off..] to guest addr; 0 or -EFAULT. */
  writeBytes(addr: number, src: Uint8Array, off: number, len: number): number;
  /**
   * Calls fn on each contiguous host view of guest [addr, addr+len) in order
   * (forWrite: the kernel will write into it, as read(2) does). fn returns
   * the bytes it handled or -errno; a short or negative result stops the
   * walk. Returns the total handled, or the first error if none was, or
   * -EFAULT at an unmapped address before any progress.
   */
  forEachSegment(addr: number, len: number, forWrite: boolean, fn: (buf: Uint8Array, off: number, len: number) => number): number;
}
