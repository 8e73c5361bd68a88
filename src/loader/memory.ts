// What the loader needs from a guest address space (implemented by the MemoryManager in
// src/mm/), plus the few mmap numbers and page helpers it uses.

/**
 * The loader's view of a guest address space. Every method returns a result or a
 * negative errno. mmap is only ever called anonymous (fd -1, offset 0).
 */
export interface LoaderMemory {
  mmap(addr: number, length: number, prot: number, flags: number, fd: number, offset: number): number;
  mprotect(addr: number, len: number, prot: number): number;
  /** Writes src[srcOff, srcOff+len) at addr regardless of guest protection. */
  pokeBytes(addr: number, src: Uint8Array, srcOff: number, len: number): number;
  setBrkStart(addr: number): void;
  /**
   * Optional: for each run, makes the MemoryFile pages [off, off + pages *
   * PAGE_SIZE) (held by the caller, e.g. image_cache.ts) the private
   * copy-on-write contents of the untouched pages at bias + vaddr, in private
   * anonymous mappings; the memory takes its own ownership of them. 0 or a
   * negative errno.
   */
  adoptPages?(bias: number, runs: readonly { readonly vaddr: number; readonly off: number; readonly pages: number }[]): number;
  /**
   * Optional: reserves the platform's host mappings (the host vDSO,
   * docs/vdso.md) before anything is loaded, so that no placement lands on them.
   */
  mapSpecial?(): void;
  /** Optional: the start of the [vdso] mapping if it is still in place (AT_SYSINFO_EHDR), else 0. */
  vdsoBase?(): number;
  /** Exclusive top of user addresses. */
  readonly maxAddress: number;
}

// <uapi/asm-generic/mman-common.h>, <uapi/linux/mman.h>.
// TODO: move to src/abi/linux/mman.ts once that file exists.
export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x100;
export const MAP_FIXED_NOREPLACE = 0x100000;
export const MAP_ANON_PRIVATE = MAP_PRIVATE | MAP_ANONYMOUS;

export const PAGE_SIZE = 4096;

export function pageDown(x: number): number {
  return x - (x % PAGE_SIZE);
}

export function pageUp(x: number): number {
  const r = x % PAGE_SIZE;
  return r === 0 ? x : x + (PAGE_SIZE - r);
}

/** Returns an integer in [0, bound). */
export type RandomSource = (bound: number) => number;
