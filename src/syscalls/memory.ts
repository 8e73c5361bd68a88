// Memory syscalls: argument decoding only; the logic is the MemoryManager's.
import { Errno } from '../abi/linux/errno.js';
import { MAP_ANONYMOUS } from '../abi/linux/mman.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SyscallArgs } from './args.js';
import type { SyscallTable } from './table.js';

const PAGE_SIZE = 4096;

/** offset_in_page() of a 64-bit argument, from its exact low word. */
function unaligned(a: SyscallArgs, i: number): boolean {
  return (a.u32(i) & (PAGE_SIZE - 1)) !== 0;
}

export function registerMemory(table: SyscallTable, _k: Kernel): void {
  table[SYS.brk] = (t, a) => t.tg.mm.brk(a.i64(0));
  // Addresses, lengths and offsets go to the MemoryManager signed (i64): small
  // negatives stay exact, so alignment and PAGE_ALIGN wrap-around match Linux
  // (see src/mm/args.ts). Values beyond 2^53 lose their low bits, so the
  // alignment checks Linux makes first are made here on the exact low word;
  // such values are far outside the address space and fail later anyway.
  table[SYS.mmap] = (t, a) => {
    // arch/x86/kernel/sys_x86_64.c: the offset's alignment is checked first.
    if (unaligned(a, 5)) return -Errno.EINVAL;
    const flags = a.int(3);
    const fd = a.int(4);
    // File mappings come with the VFS; a descriptor that is not open is EBADF
    // already (mm/mmap.c: ksys_mmap_pgoff looks the fd up first).
    if ((flags & MAP_ANONYMOUS) === 0 && fd >= 0 && !t.tg.fds.get(fd)) return -Errno.EBADF;
    return t.tg.mm.mmap(a.i64(0), a.i64(1), a.int(2), flags, fd, a.i64(5));
  };
  table[SYS.munmap] = (t, a) => (unaligned(a, 0) ? -Errno.EINVAL : t.tg.mm.munmap(a.i64(0), a.i64(1)));
  table[SYS.mprotect] = (t, a) => {
    // prot is an unsigned long: any high bit is an unknown flag.
    if (unaligned(a, 0) || a.hi(2) !== 0) return -Errno.EINVAL;
    return t.tg.mm.mprotect(a.i64(0), a.i64(1), a.int(2));
  };
  table[SYS.mremap] = (t, a) => {
    // flags is an unsigned long: any high bit is an unknown flag.
    if (a.hi(3) !== 0 || unaligned(a, 0)) return -Errno.EINVAL;
    return t.tg.mm.mremap(a.i64(0), a.i64(1), a.i64(2), a.int(3), a.i64(4));
  };
  table[SYS.madvise] = (t, a) => (unaligned(a, 0) ? -Errno.EINVAL : t.tg.mm.madvise(a.i64(0), a.i64(1), a.int(2)));
  table[SYS.mincore] = (t, a) => (unaligned(a, 0) ? -Errno.EINVAL : t.tg.mm.mincore(a.i64(0), a.i64(1), a.i64(2)));
  table[SYS.msync] = (t, a) => (unaligned(a, 0) ? -Errno.EINVAL : t.tg.mm.msync(a.i64(0), a.i64(1), a.int(2)));
}
