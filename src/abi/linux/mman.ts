// Memory-management ABI numbers for x86-64 (<asm-generic/mman-common.h>,
// <asm/mman.h>, <linux/mman.h>): mmap, mprotect, mremap, madvise, msync.

/** mmap(2)/mprotect(2) protection bits. */
export const PROT_NONE = 0x0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
/** Accepted by mprotect and ignored (atomic ops; no effect on x86). */
export const PROT_SEM = 0x8;
/** mprotect: extend the change down to the start of a MAP_GROWSDOWN mapping. */
export const PROT_GROWSDOWN = 0x01000000;
/** mprotect: extend up to the end of a grows-up mapping (none exist on x86: always EINVAL). */
export const PROT_GROWSUP = 0x02000000;

/** mmap(2) flags. The low nibble (MAP_TYPE) selects the mapping type. */
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
/** MAP_SHARED that rejects unknown flags (files only: EINVAL for anonymous memory). */
export const MAP_SHARED_VALIDATE = 0x03;
/** Private anonymous memory the kernel may zero under memory pressure (Linux 6.11). */
export const MAP_DROPPABLE = 0x08;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
/** x86-64: place the mapping in the first 2 GiB. */
export const MAP_32BIT = 0x40;
export const MAP_GROWSDOWN = 0x0100;
/** Ignored. */
export const MAP_DENYWRITE = 0x0800;
/** Ignored. */
export const MAP_EXECUTABLE = 0x1000;
export const MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
/** With MAP_POPULATE: do not populate. */
export const MAP_NONBLOCK = 0x10000;
/** Hint only. */
export const MAP_STACK = 0x20000;
export const MAP_HUGETLB = 0x40000;
/** Only meaningful with MAP_SHARED_VALIDATE on DAX files. */
export const MAP_SYNC = 0x80000;
export const MAP_FIXED_NOREPLACE = 0x100000;
/** Ignored (needs CONFIG_MMAP_ALLOW_UNINITIALIZED). */
export const MAP_UNINITIALIZED = 0x4000000;
export const MAP_HUGE_SHIFT = 26;
export const MAP_HUGE_MASK = 0x3f;

/** mremap(2) flags. */
export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;
export const MREMAP_DONTUNMAP = 4;

/** madvise(2) advice values. */
export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_REMOVE = 9;
export const MADV_DONTFORK = 10;
export const MADV_DOFORK = 11;
export const MADV_MERGEABLE = 12;
export const MADV_UNMERGEABLE = 13;
export const MADV_HUGEPAGE = 14;
export const MADV_NOHUGEPAGE = 15;
export const MADV_DONTDUMP = 16;
export const MADV_DODUMP = 17;
export const MADV_WIPEONFORK = 18;
export const MADV_KEEPONFORK = 19;
export const MADV_COLD = 20;
export const MADV_PAGEOUT = 21;
export const MADV_POPULATE_READ = 22;
export const MADV_POPULATE_WRITE = 23;
export const MADV_DONTNEED_LOCKED = 24;
export const MADV_COLLAPSE = 25;
export const MADV_HWPOISON = 100;
export const MADV_SOFT_OFFLINE = 101;
/** Linux 6.13 guard regions; not offered (EINVAL, as an older kernel answers). */
export const MADV_GUARD_INSTALL = 102;
export const MADV_GUARD_REMOVE = 103;

/** msync(2) flags. */
export const MS_ASYNC = 1;
export const MS_INVALIDATE = 2;
export const MS_SYNC = 4;

/** si_code values for SIGSEGV and SIGBUS raised by memory faults. */
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const BUS_ADRERR = 2;
