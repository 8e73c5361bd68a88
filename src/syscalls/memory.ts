// Memory syscalls: argument decoding only; the logic is the MemoryManager's.
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SyscallTable } from './table.js';

export function registerMemory(table: SyscallTable, _k: Kernel): void {
  table[SYS.brk] = (t, a) => t.tg.mm.brk(a.u64(0));
  table[SYS.mmap] = (t, a) => t.tg.mm.mmap(a.u64(0), a.u64(1), a.int(2), a.int(3), a.int(4), a.u64(5));
  table[SYS.munmap] = (t, a) => t.tg.mm.munmap(a.u64(0), a.u64(1));
  table[SYS.mprotect] = (t, a) => t.tg.mm.mprotect(a.u64(0), a.u64(1), a.int(2));
  table[SYS.mremap] = (t, a) => t.tg.mm.mremap(a.u64(0), a.u64(1), a.u64(2), a.int(3), a.u64(4));
  table[SYS.madvise] = (t, a) => t.tg.mm.madvise(a.u64(0), a.u64(1), a.int(2));
  table[SYS.mincore] = (t, a) => t.tg.mm.mincore(a.u64(0), a.u64(1), a.u64(2));
  table[SYS.msync] = (t, a) => t.tg.mm.msync(a.u64(0), a.u64(1), a.int(2));
}
