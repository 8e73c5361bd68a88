// Memory syscalls: argument decoding only; the logic is the MemoryManager's.
import { Errno } from '../abi/linux/errno.js';
import { MAP_ANONYMOUS } from '../abi/linux/mman.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SyscallTable } from './table.js';

export function registerMemory(table: SyscallTable, _k: Kernel): void {
  table[SYS.brk] = (t, a) => t.tg.mm.brk(a.i64(0));
  // Addresses, lengths and offsets go to the MemoryManager signed (i64): small
  // negatives stay exact, so alignment and PAGE_ALIGN wrap-around match Linux
  // (see src/mm/args.ts).
  table[SYS.mmap] = (t, a) => {
    const flags = a.int(3);
    const fd = a.int(4);
    // File mappings come with the VFS; a descriptor that is not open is EBADF
    // already (mm/mmap.c: ksys_mmap_pgoff looks the fd up first).
    if ((flags & MAP_ANONYMOUS) === 0 && fd >= 0 && !t.tg.fds.get(fd)) return -Errno.EBADF;
    return t.tg.mm.mmap(a.i64(0), a.i64(1), a.int(2), flags, fd, a.i64(5));
  };
  table[SYS.munmap] = (t, a) => t.tg.mm.munmap(a.i64(0), a.i64(1));
  table[SYS.mprotect] = (t, a) => t.tg.mm.mprotect(a.i64(0), a.i64(1), a.int(2));
  table[SYS.mremap] = (t, a) => t.tg.mm.mremap(a.i64(0), a.i64(1), a.i64(2), a.int(3), a.i64(4));
  table[SYS.madvise] = (t, a) => t.tg.mm.madvise(a.i64(0), a.i64(1), a.int(2));
  table[SYS.mincore] = (t, a) => t.tg.mm.mincore(a.i64(0), a.i64(1), a.i64(2));
  table[SYS.msync] = (t, a) => t.tg.mm.msync(a.i64(0), a.i64(1), a.int(2));
}
