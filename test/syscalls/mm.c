/*
 * mm.c: memory-management conformance (mmap, munmap, mprotect, brk, mremap,
 * madvise, msync, mincore), and EFAULT from write(2) on bad buffers.
 *
 * Uses only stdio (fd 1 must be a pipe or a file, as the harness arranges) and
 * memory. Signals are not used: protections are observed through EFAULT from
 * write(2) and mappings through mincore(2) (ENOMEM for an unmapped page).
 */
#include "check.h"

#include <stdint.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

static char *rmmap(void *addr, size_t len, long prot, long flags, long fd, long off)
{
	return (char *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static long rmunmap(void *addr, size_t len) { return syscall(SYS_munmap, addr, len); }
static long rmprotect(void *addr, size_t len, long prot) { return syscall(SYS_mprotect, addr, len, prot); }
static long rmadvise(void *addr, size_t len, long advice) { return syscall(SYS_madvise, addr, len, advice); }
static long rmsync(void *addr, size_t len, long flags) { return syscall(SYS_msync, addr, len, flags); }
static long rmincore(void *addr, size_t len, unsigned char *vec) { return syscall(SYS_mincore, addr, len, vec); }
static char *rmremap(void *old, size_t oldlen, size_t newlen, long flags, void *new_addr)
{
	return (char *)syscall(SYS_mremap, old, oldlen, newlen, flags, new_addr);
}
static uintptr_t rbrk(uintptr_t addr) { return (uintptr_t)syscall(SYS_brk, addr); }

/* 1 if every page of [p, p+len) is mapped, 0 if mincore says ENOMEM, -1 otherwise. */
static int mapped(void *p, size_t len)
{
	static unsigned char vec[4096];
	if (rmincore(p, len, vec) == 0)
		return 1;
	return errno == ENOMEM ? 0 : -1;
}

/* An address range of `pages` pages that is free right now. */
static char *free_range(size_t pages)
{
	char *p = rmmap(NULL, pages * PAGE, PROT_NONE, ANON, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	rmunmap(p, pages * PAGE);
	return p;
}

/* A mapping of `pages` pages with an unmapped page on each side. */
static char *map_alone(size_t pages, long prot, long flags)
{
	char *f = free_range(pages + 2);
	if (f == NULL)
		return MAP_FAILED;
	return rmmap(f + PAGE, pages * PAGE, prot, flags | MAP_FIXED, -1, 0);
}

static int all_bytes(const char *p, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void mmap_anon_private(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 4 * PAGE, RW, ANON, -1, 0));
	CHECK_EQ((uintptr_t)p % PAGE, 0);
	CHECK(all_bytes(p, 4 * PAGE, 0));
	memset(p, 0x5a, 4 * PAGE);
	CHECK(all_bytes(p, 4 * PAGE, 0x5a));
	CHECK_EQ(mapped(p, 4 * PAGE), 1);
	CHECK_EQ(rmunmap(p, 4 * PAGE), 0);
	CHECK_EQ(mapped(p, 4 * PAGE), 0);
}

static void mmap_anon_shared(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 3 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	CHECK_EQ((uintptr_t)p % PAGE, 0);
	CHECK(all_bytes(p, 3 * PAGE, 0));
	memset(p, 0x33, 3 * PAGE);
	CHECK(all_bytes(p, 3 * PAGE, 0x33));
	CHECK_EQ(rmunmap(p, 3 * PAGE), 0);
	CHECK_EQ(mapped(p, 3 * PAGE), 0);
}

static void mmap_len_rounded_up(void)
{
	char *p;
	char *f;
	CHECK(f = free_range(3));
	CHECK_OK(p = rmmap(f + PAGE, 1, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0));
	p[PAGE - 1] = 1; /* the whole page is usable */
	CHECK_EQ(mapped(p, PAGE), 1);
	CHECK_EQ(mapped(p + PAGE, PAGE), 0);
	CHECK_EQ(rmunmap(p, 1), 0); /* and a 1-byte munmap removes the page */
	CHECK_EQ(mapped(p, PAGE), 0);
}

static void mmap_fixed_replaces(void)
{
	char *p, *q;
	CHECK_OK(p = rmmap(NULL, 3 * PAGE, RW, ANON, -1, 0));
	memset(p, 'a', 3 * PAGE);
	CHECK_OK(q = rmmap(p + PAGE, PAGE, RW, ANON | MAP_FIXED, -1, 0));
	CHECK_EQ(q, p + PAGE);
	CHECK(all_bytes(p, PAGE, 'a'));
	CHECK(all_bytes(p + PAGE, PAGE, 0));
	CHECK(all_bytes(p + 2 * PAGE, PAGE, 'a'));
	/* MAP_FIXED over a range that is partly free */
	CHECK_EQ(rmunmap(p + 2 * PAGE, PAGE), 0);
	CHECK_EQ(rmmap(p + PAGE, 2 * PAGE, PROT_READ, ANON | MAP_FIXED, -1, 0), p + PAGE);
	CHECK(all_bytes(p + PAGE, 2 * PAGE, 0));
	CHECK(all_bytes(p, PAGE, 'a'));
	CHECK_EQ(rmunmap(p, 3 * PAGE), 0);
}

static void mmap_fixed_noreplace(void)
{
	char *p, *f;
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, RW, ANON, -1, 0));
	p[0] = 'x';
	CHECK_ERR(rmmap(p, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	CHECK_ERR(rmmap(p + PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	/* a range that only partly overlaps */
	CHECK_ERR(rmmap(p - PAGE, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	CHECK_EQ(p[0], 'x');
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
	/* on a free range it maps exactly there */
	CHECK(f = free_range(4));
	CHECK_EQ(rmmap(f + PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), f + PAGE);
	CHECK_EQ(mapped(f + PAGE, PAGE), 1);
	CHECK_EQ(rmunmap(f + PAGE, PAGE), 0);
}

static void mmap_hint_free(void)
{
	char *f, *p;
	CHECK(f = free_range(16));
	CHECK_OK(p = rmmap(f + 4 * PAGE, 2 * PAGE, RW, ANON, -1, 0));
	CHECK_EQ(p, f + 4 * PAGE);
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
}

static void mmap_hint_unaligned_rounded_down(void)
{
	char *f, *p;
	CHECK(f = free_range(16));
	/* x86-64 rounds an unaligned hint down (arch_get_unmapped_area: addr &= PAGE_MASK) */
	CHECK_OK(p = rmmap(f + 4 * PAGE + 100, PAGE, RW, ANON, -1, 0));
	CHECK_EQ(p, f + 4 * PAGE);
	CHECK_EQ(rmunmap(p, PAGE), 0);
}

static void mmap_hint_busy(void)
{
	char *p, *q;
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, RW, ANON, -1, 0));
	memset(p, 'h', 2 * PAGE);
	CHECK_OK(q = rmmap(p, 2 * PAGE, RW, ANON, -1, 0));
	CHECKF(q + 2 * PAGE <= p || q >= p + 2 * PAGE, "hint over a busy range gave overlapping %p (busy %p)", q, p);
	CHECK(all_bytes(p, 2 * PAGE, 'h'));
	CHECK(all_bytes(q, 2 * PAGE, 0));
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
	CHECK_EQ(rmunmap(q, 2 * PAGE), 0);
}

static void mmap_einval(void)
{
	char *f;
	CHECK(f = free_range(4));
	CHECK_ERR(rmmap(NULL, 0, RW, ANON, -1, 0), EINVAL);
	CHECK_ERR(rmmap(f + 1, PAGE, RW, ANON | MAP_FIXED, -1, 0), EINVAL);
	CHECK_ERR(rmmap(f + 100, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EINVAL);
	CHECK_ERR(rmmap(NULL, PAGE, RW, MAP_ANONYMOUS, -1, 0), EINVAL); /* neither PRIVATE nor SHARED */
	CHECK_ERR(rmmap(NULL, PAGE, RW, MAP_ANONYMOUS | 0xf, -1, 0), EINVAL); /* bad map type */
	CHECK_ERR(rmmap(NULL, PAGE, RW, ANON, -1, 1), EINVAL);   /* unaligned offset */
	CHECK_ERR(rmmap(NULL, PAGE, RW, ANON, -1, 100), EINVAL);
	CHECK_EQ(mapped(f, 4 * PAGE), 0);
}

static void mmap_enomem(void)
{
	CHECK_ERR(rmmap(NULL, 1ULL << 62, RW, ANON, -1, 0), ENOMEM);
	CHECK_ERR(rmmap(NULL, (size_t)-1, RW, ANON, -1, 0), ENOMEM);       /* wraps to 0 pages */
	CHECK_ERR(rmmap(NULL, (size_t)-PAGE, RW, ANON, -1, 0), ENOMEM);
	CHECK_ERR(rmmap(BAD_KERNEL, PAGE, RW, ANON | MAP_FIXED, -1, 0), ENOMEM); /* beyond TASK_SIZE */
	CHECK_ERR(rmmap((void *)(0x7ffffffff000ULL - PAGE), 4 * PAGE, RW, ANON | MAP_FIXED, -1, 0), ENOMEM);
}

static void mmap_bad_fd(void)
{
	CHECK_ERR(rmmap(NULL, PAGE, RW, MAP_PRIVATE, -1, 0), EBADF);
	CHECK_ERR(rmmap(NULL, PAGE, RW, MAP_SHARED, 1000, 0), EBADF);
	/* MAP_ANONYMOUS ignores the fd */
	char *p;
	CHECK_OK(p = rmmap(NULL, PAGE, RW, ANON, 1000, 0));
	CHECK_EQ(rmunmap(p, PAGE), 0);
}

static void mmap_shared_growsdown_einval(void)
{
	CHECK_ERR(rmmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), EINVAL);
}

static void mmap_noreserve(void)
{
	size_t len = 1UL << 30;
	char *p;
	CHECK_OK(p = rmmap(NULL, len, RW, ANON | MAP_NORESERVE, -1, 0));
	p[0] = 1;
	p[len / 2] = 2;
	p[len - 1] = 3;
	CHECK_EQ(p[0] + p[len / 2] + p[len - 1], 6);
	CHECK_EQ(p[PAGE], 0);
	CHECK_EQ(rmunmap(p, len), 0);
}

static void mmap_populate(void)
{
	unsigned char vec[16];
	char *p;
	CHECK_OK(p = rmmap(NULL, 16 * PAGE, RW, ANON | MAP_POPULATE, -1, 0));
	CHECK_EQ(rmincore(p, 16 * PAGE, vec), 0);
	for (int i = 0; i < 16; i++)
		CHECKF(vec[i] & 1, "page %d of a MAP_POPULATE mapping not resident (vec=%d)", i, vec[i]);
	CHECK(all_bytes(p, 16 * PAGE, 0));
	CHECK_EQ(rmunmap(p, 16 * PAGE), 0);
}

static void mmap_prot_exec(void)
{
	/* mov eax, 42; ret */
	static const unsigned char code[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3};
	char *p;
	CHECK_OK(p = rmmap(NULL, PAGE, RW, ANON, -1, 0));
	memcpy(p, code, sizeof(code));
	CHECK_EQ(rmprotect(p, PAGE, PROT_READ | PROT_EXEC), 0);
	int (*fn)(void) = (int (*)(void))(void *)p;
	CHECK_EQ(fn(), 42);
	CHECK_EQ(rmunmap(p, PAGE), 0);
	/* directly RWX */
	CHECK_OK(p = rmmap(NULL, PAGE, RW | PROT_EXEC, ANON, -1, 0));
	memcpy(p, code, sizeof(code));
	p[1] = 7;
	fn = (int (*)(void))(void *)p;
	CHECK_EQ(fn(), 7);
	CHECK_EQ(rmunmap(p, PAGE), 0);
}

static void prot_none_write_efault(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, RW, ANON, -1, 0));
	memset(p, '\n', 2 * PAGE); /* if a write wrongly succeeds, only blank lines come out */
	CHECK_EQ(rmprotect(p, PAGE, PROT_NONE), 0);
	CHECK_ERR(write(1, p, 16), EFAULT);
	CHECK_ERR(write(1, p + PAGE - 1, 1), EFAULT);
	CHECK_EQ(write(1, p + PAGE, 1), 1);
	/* mapped PROT_NONE from the start */
	char *q;
	CHECK_OK(q = rmmap(NULL, PAGE, PROT_NONE, ANON, -1, 0));
	CHECK_ERR(write(1, q, 1), EFAULT);
	CHECK_EQ(mapped(q, PAGE), 1);
	CHECK_EQ(rmunmap(q, PAGE), 0);
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
}

static void prot_read_buffer_writable_out(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, PAGE, RW, ANON, -1, 0));
	memset(p, '\n', PAGE);
	CHECK_EQ(rmprotect(p, PAGE, PROT_READ), 0);
	CHECK_EQ(write(1, p, 8), 8); /* write(2) only reads the buffer */
	CHECK_EQ(p[0], '\n');
	CHECK_EQ(rmunmap(p, PAGE), 0);
}

static void mprotect_roundtrip(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 3 * PAGE, RW, ANON, -1, 0));
	memset(p, 'm', 3 * PAGE);
	/* protect the middle page only: it splits the mapping */
	CHECK_EQ(rmprotect(p + PAGE, PAGE, PROT_NONE), 0);
	CHECK_ERR(write(1, p + PAGE, 1), EFAULT);
	CHECK_EQ(mapped(p, 3 * PAGE), 1);
	p[0] = 'm';
	p[2 * PAGE] = 'm';
	CHECK_EQ(rmprotect(p + PAGE, PAGE, RW), 0);
	CHECK(all_bytes(p, 3 * PAGE, 'm')); /* contents survive PROT_NONE */
	CHECK_EQ(rmprotect(p, 3 * PAGE, PROT_READ), 0);
	CHECK(all_bytes(p, 3 * PAGE, 'm'));
	CHECK_EQ(rmprotect(p, 0, PROT_NONE), 0); /* zero length: nothing */
	CHECK_EQ(p[0], 'm');
	CHECK_EQ(rmunmap(p, 3 * PAGE), 0);
}

static void mprotect_errors(void)
{
	char *p, *f;
	CHECK_OK(p = map_alone(2, RW, ANON));
	CHECK_ERR(rmprotect(p + 1, PAGE, PROT_READ), EINVAL);       /* unaligned */
	CHECK_ERR(rmprotect(p, PAGE, 0x10), EINVAL);                /* unknown bit */
	CHECK_ERR(rmprotect(p, PAGE, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
	CHECK_ERR(rmprotect(p, PAGE, PROT_READ | PROT_GROWSDOWN), EINVAL); /* not a growsdown mapping */
	CHECK_ERR(rmprotect(p, 3 * PAGE, PROT_READ), ENOMEM);       /* runs past the mapping */
	CHECK(f = free_range(2));
	CHECK_ERR(rmprotect(f, PAGE, PROT_READ), ENOMEM);           /* unmapped */
	CHECK_ERR(rmprotect(p, (size_t)-PAGE, PROT_READ), ENOMEM);  /* wraps */
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
}

static void mprotect_applies_up_to_hole(void)
{
	char *p;
	CHECK_OK(p = map_alone(2, RW, ANON));
	memset(p, '\n', 2 * PAGE);
	/* Linux changes the mapped part, then reports the hole */
	CHECK_ERR(rmprotect(p, 3 * PAGE, PROT_NONE), ENOMEM);
	CHECK_ERR(write(1, p, 1), EFAULT);
	CHECK_ERR(write(1, p + PAGE, 1), EFAULT);
	CHECK_EQ(rmprotect(p, 2 * PAGE, RW), 0);
	CHECK_EQ(p[0], '\n');
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
}

static void unmapped_write_efault(void)
{
	char *f;
	CHECK(f = free_range(2));
	CHECK_ERR(write(1, f, 1), EFAULT);
	CHECK_ERR(syscall(SYS_write, 1, BAD_NULL, 1), EFAULT);
	CHECK_ERR(write(1, BAD_HIGH, 1), EFAULT);
	/* a buffer that starts mapped and runs into an unmapped page */
	char *p;
	CHECK_OK(p = rmmap(f, PAGE, RW, ANON | MAP_FIXED, -1, 0));
	memset(p, '\n', PAGE);
	CHECK_ERR(write(1, p + PAGE, 4), EFAULT);
	CHECK_EQ(rmunmap(p, PAGE), 0);
}

static void munmap_hole(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 3 * PAGE, RW, ANON, -1, 0));
	memset(p, 'L', PAGE);
	memset(p + PAGE, 'M', PAGE);
	memset(p + 2 * PAGE, 'R', PAGE);
	CHECK_EQ(rmunmap(p + PAGE, PAGE), 0);
	CHECK_EQ(mapped(p, PAGE), 1);
	CHECK_EQ(mapped(p + PAGE, PAGE), 0);
	CHECK_EQ(mapped(p + 2 * PAGE, PAGE), 1);
	CHECK_EQ(mapped(p, 3 * PAGE), 0); /* a range with a hole is ENOMEM */
	CHECK(all_bytes(p, PAGE, 'L'));
	CHECK(all_bytes(p + 2 * PAGE, PAGE, 'R'));
	CHECK_ERR(write(1, p + PAGE, 1), EFAULT);
	/* unmapping a range that includes the hole is fine */
	CHECK_EQ(rmunmap(p, 3 * PAGE), 0);
	CHECK_EQ(mapped(p, PAGE), 0);
	CHECK_EQ(mapped(p + 2 * PAGE, PAGE), 0);
	/* and unmapping nothing at all too */
	CHECK_EQ(rmunmap(p, 3 * PAGE), 0);
}

static void munmap_errors(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, PAGE, RW, ANON, -1, 0));
	CHECK_ERR(rmunmap(p + 1, PAGE), EINVAL);
	CHECK_ERR(rmunmap(p, 0), EINVAL);
	CHECK_ERR(rmunmap(BAD_KERNEL, PAGE), EINVAL);
	CHECK_ERR(rmunmap(p, (size_t)-PAGE), EINVAL);
	CHECK_ERR(rmunmap(p, 1ULL << 62), EINVAL);
	CHECK_EQ(mapped(p, PAGE), 1);
	CHECK_EQ(rmunmap(p, PAGE), 0);
}

static void mincore_semantics(void)
{
	unsigned char vec[64];
	char *p, *f;
	CHECK_OK(p = map_alone(4, RW, ANON));
	memset(p, 1, 4 * PAGE);
	memset(vec, 0xff, sizeof(vec));
	CHECK_EQ(rmincore(p, 4 * PAGE, vec), 0);
	for (int i = 0; i < 4; i++)
		CHECKF(vec[i] == 1, "touched page %d: vec=%d, expected 1", i, vec[i]);
	CHECK_EQ(rmincore(p, 1, vec), 0); /* length rounded up */
	CHECK_EQ(rmincore(p, 0, vec), 0);
	CHECK_ERR(rmincore(p + 1, PAGE, vec), EINVAL);
	CHECK_ERR(rmincore(p, PAGE, BAD_NULL), EFAULT);
	CHECK_ERR(rmincore(p, PAGE, (unsigned char *)BAD_HIGH), EFAULT);
	CHECK_ERR(rmincore(BAD_KERNEL, PAGE, vec), ENOMEM);
	CHECK(f = free_range(1));
	CHECK_ERR(rmincore(f, PAGE, vec), ENOMEM);
	CHECK_ERR(rmincore(p, 5 * PAGE, vec), ENOMEM);
	CHECK_EQ(rmunmap(p, 4 * PAGE), 0);
}

static void brk_grow_shrink(void)
{
	uintptr_t cur = rbrk(0);
	CHECKF(cur != 0 && cur != (uintptr_t)-1, "brk(0) = %#lx", (unsigned long)cur);
	CHECK_EQ(rbrk(0), cur); /* stable */
	uintptr_t base = (cur + PAGE - 1) & ~(PAGE - 1);
	CHECK_EQ(rbrk(base + 3 * PAGE), base + 3 * PAGE);
	CHECK_EQ(rbrk(0), base + 3 * PAGE);
	char *b = (char *)base;
	CHECK(all_bytes(b, 3 * PAGE, 0));
	memset(b, 0xaa, 3 * PAGE);
	CHECK_EQ(mapped(b, 3 * PAGE), 1);
	/* shrink by two pages: they are unmapped */
	CHECK_EQ(rbrk(base + PAGE), base + PAGE);
	CHECK_EQ(mapped(b, PAGE), 1);
	CHECK_EQ(mapped(b + PAGE, PAGE), 0);
	CHECK_EQ(mapped(b + 2 * PAGE, PAGE), 0);
	CHECK_EQ((unsigned char)b[0], 0xaa);
	/* grow again: the new pages are zero */
	CHECK_EQ(rbrk(base + 3 * PAGE), base + 3 * PAGE);
	CHECK(all_bytes(b + PAGE, 2 * PAGE, 0));
	CHECK_EQ((unsigned char)b[0], 0xaa);
	/* back to where we started */
	CHECK_EQ(rbrk(cur), cur);
	CHECK_EQ(rbrk(0), cur);
}

static void brk_unaligned(void)
{
	uintptr_t cur = rbrk(0);
	uintptr_t base = (cur + PAGE - 1) & ~(PAGE - 1);
	/* the break itself need not be page aligned: brk returns it exactly */
	CHECK_EQ(rbrk(base + 100), base + 100);
	CHECK_EQ(rbrk(0), base + 100);
	((char *)base)[PAGE - 1] = 1; /* the rest of the page is usable */
	CHECK_EQ(rbrk(cur), cur);
}

static void brk_bad_values_keep_break(void)
{
	uintptr_t cur = rbrk(0);
	CHECK_EQ(rbrk(0x1000), cur);                  /* below the start of the heap */
	CHECK_EQ(rbrk(1), cur);
	CHECK_EQ(rbrk(cur + (1ULL << 47)), cur);      /* beyond the end of user space */
	CHECK_EQ(rbrk((uintptr_t)BAD_KERNEL), cur);
	CHECK_EQ(rbrk((uintptr_t)-PAGE), cur);
	CHECK_EQ(rbrk(0), cur);
}

static void mremap_grow_in_place(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 4 * PAGE, RW, ANON, -1, 0));
	CHECK_EQ(rmunmap(p + 2 * PAGE, 2 * PAGE), 0);
	memset(p, 'g', 2 * PAGE);
	CHECK_EQ(rmremap(p, 2 * PAGE, 4 * PAGE, 0, NULL), p);
	CHECK(all_bytes(p, 2 * PAGE, 'g'));
	CHECK(all_bytes(p + 2 * PAGE, 2 * PAGE, 0));
	p[4 * PAGE - 1] = 1;
	CHECK_EQ(mapped(p, 4 * PAGE), 1);
	CHECK_EQ(rmunmap(p, 4 * PAGE), 0);
}

static void mremap_grow_blocked(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 3 * PAGE, RW, ANON, -1, 0));
	memset(p, 'b', 3 * PAGE);
	/* the next page is in use: without MREMAP_MAYMOVE it cannot grow */
	CHECK_ERR(rmremap(p, PAGE, 2 * PAGE, 0, NULL), ENOMEM);
	CHECK(all_bytes(p, 3 * PAGE, 'b'));
	CHECK_EQ(rmunmap(p, 3 * PAGE), 0);
}

static void mremap_maymove(void)
{
	char *p, *q;
	CHECK_OK(p = rmmap(NULL, 3 * PAGE, RW, ANON, -1, 0));
	memset(p, 'A', PAGE);
	memset(p + PAGE, 'B', PAGE);
	memset(p + 2 * PAGE, 'C', PAGE); /* blocks growth in place */
	CHECK_OK(q = rmremap(p, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE, NULL));
	CHECKF(q != p, "mremap grew in place over a busy page");
	CHECK(all_bytes(q, PAGE, 'A'));
	CHECK(all_bytes(q + PAGE, PAGE, 'B'));
	CHECK(all_bytes(q + 2 * PAGE, 6 * PAGE, 0));
	CHECK_EQ(mapped(p, 2 * PAGE), 0); /* the old range is gone */
	CHECK_EQ(mapped(p + 2 * PAGE, PAGE), 1);
	CHECK(all_bytes(p + 2 * PAGE, PAGE, 'C'));
	CHECK_EQ(rmunmap(q, 8 * PAGE), 0);
	CHECK_EQ(rmunmap(p + 2 * PAGE, PAGE), 0);
}

static void mremap_fixed(void)
{
	char *p, *t;
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, RW, ANON, -1, 0));
	CHECK_OK(t = rmmap(NULL, 4 * PAGE, RW, ANON, -1, 0));
	memset(p, 'F', 2 * PAGE);
	memset(t, 'T', 4 * PAGE);
	/* onto an existing mapping: it is replaced */
	CHECK_EQ(rmremap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, t + PAGE), t + PAGE);
	CHECK(all_bytes(t, PAGE, 'T'));
	CHECK(all_bytes(t + PAGE, 2 * PAGE, 'F'));
	CHECK(all_bytes(t + 3 * PAGE, PAGE, 'T'));
	CHECK_EQ(mapped(p, 2 * PAGE), 0);
	/* FIXED and growing */
	char *f;
	CHECK(f = free_range(8));
	CHECK_EQ(rmremap(t + PAGE, 2 * PAGE, 3 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, f), f);
	CHECK(all_bytes(f, 2 * PAGE, 'F'));
	CHECK(all_bytes(f + 2 * PAGE, PAGE, 0));
	CHECK_EQ(mapped(t + PAGE, 2 * PAGE), 0);
	CHECK_EQ(rmunmap(f, 3 * PAGE), 0);
	CHECK_EQ(rmunmap(t, 4 * PAGE), 0);
}

static void mremap_shrink(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 4 * PAGE, RW, ANON, -1, 0));
	memset(p, 's', 4 * PAGE);
	CHECK_EQ(rmremap(p, 4 * PAGE, 2 * PAGE, 0, NULL), p);
	CHECK(all_bytes(p, 2 * PAGE, 's'));
	CHECK_EQ(mapped(p + 2 * PAGE, 2 * PAGE), 0);
	/* same size: a no-op that returns the address */
	CHECK_EQ(rmremap(p, 2 * PAGE, 2 * PAGE, 0, NULL), p);
	/* shrink with an unaligned new length: rounded up */
	CHECK_EQ(rmremap(p, 2 * PAGE, PAGE + 1, 0, NULL), p);
	CHECK_EQ(mapped(p, 2 * PAGE), 1);
	CHECK_EQ(rmremap(p, 2 * PAGE, 1, MREMAP_MAYMOVE, NULL), p);
	CHECK_EQ(mapped(p, PAGE), 1);
	CHECK_EQ(mapped(p + PAGE, PAGE), 0);
	CHECK_EQ(rmunmap(p, PAGE), 0);
}

static void mremap_einval(void)
{
	char *p, *f;
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, RW, ANON, -1, 0));
	CHECK(f = free_range(4));
	CHECK_ERR(rmremap(p + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE, NULL), EINVAL);      /* unaligned */
	CHECK_ERR(rmremap(p, PAGE, 0, MREMAP_MAYMOVE, NULL), EINVAL);                 /* new_len 0 */
	CHECK_ERR(rmremap(p, PAGE, 2 * PAGE, 0x80, NULL), EINVAL);                    /* unknown flag */
	CHECK_ERR(rmremap(p, PAGE, PAGE, MREMAP_FIXED, f), EINVAL);                   /* FIXED without MAYMOVE */
	CHECK_ERR(rmremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, f + 1), EINVAL); /* unaligned target */
	CHECK_ERR(rmremap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p + PAGE), EINVAL); /* overlap */
	CHECK_ERR(rmremap(p, PAGE, 2 * PAGE, MREMAP_DONTUNMAP, NULL), EINVAL);         /* DONTUNMAP without MAYMOVE */
	CHECK_ERR(rmremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL), EINVAL); /* sizes differ */
	CHECK_ERR(rmremap(p, 0, PAGE, MREMAP_MAYMOVE, NULL), EINVAL);                 /* old_len 0 of a private mapping */
	CHECK_EQ(mapped(p, 2 * PAGE), 1);
	CHECK_EQ(mapped(f, 4 * PAGE), 0);
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
}

static void mremap_efault(void)
{
	char *p, *f;
	CHECK(f = free_range(4));
	/* growing something that is not mapped */
	CHECK_ERR(rmremap(f, PAGE, 2 * PAGE, MREMAP_MAYMOVE, NULL), EFAULT);
	/* an old range that runs past the end of its mapping */
	CHECK_OK(p = rmmap(f, PAGE, RW, ANON | MAP_FIXED, -1, 0));
	CHECK_ERR(rmremap(p, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE, NULL), EFAULT);
	CHECK_EQ(mapped(p, PAGE), 1);
	CHECK_EQ(rmunmap(p, PAGE), 0);
}

static void madvise_dontneed_private(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 4 * PAGE, RW, ANON, -1, 0));
	memset(p, 'd', 4 * PAGE);
	CHECK_EQ(rmadvise(p + PAGE, 2 * PAGE, MADV_DONTNEED), 0);
	CHECK(all_bytes(p, PAGE, 'd'));
	CHECK(all_bytes(p + PAGE, 2 * PAGE, 0));
	CHECK(all_bytes(p + 3 * PAGE, PAGE, 'd'));
	CHECK_EQ(mapped(p, 4 * PAGE), 1); /* still mapped, still writable */
	p[PAGE] = 'n';
	CHECK_EQ(p[PAGE], 'n');
	CHECK_EQ(rmunmap(p, 4 * PAGE), 0);
}

static void madvise_dontneed_shared_keeps_data(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	memset(p, 'S', 2 * PAGE);
	CHECK_EQ(rmadvise(p, 2 * PAGE, MADV_DONTNEED), 0);
	CHECK(all_bytes(p, 2 * PAGE, 'S'));
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
}

static void madvise_other_advice(void)
{
	char *p;
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, RW, ANON, -1, 0));
	memset(p, 'o', 2 * PAGE);
	CHECK_EQ(rmadvise(p, 2 * PAGE, MADV_NORMAL), 0);
	CHECK_EQ(rmadvise(p, 2 * PAGE, MADV_RANDOM), 0);
	CHECK_EQ(rmadvise(p, 2 * PAGE, MADV_SEQUENTIAL), 0);
	CHECK_EQ(rmadvise(p, 2 * PAGE, MADV_WILLNEED), 0);
	CHECK(all_bytes(p, 2 * PAGE, 'o'));
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
}

static void madvise_errors(void)
{
	char *p, *f;
	CHECK_OK(p = map_alone(2, RW, ANON));
	CHECK_ERR(rmadvise(p + 1, PAGE, MADV_DONTNEED), EINVAL);
	CHECK_ERR(rmadvise(p, PAGE, 999), EINVAL);
	CHECK_ERR(rmadvise(p, PAGE, -1), EINVAL);
	CHECK_EQ(rmadvise(p, 0, MADV_DONTNEED), 0);
	CHECK_ERR(rmadvise(p, (size_t)-PAGE, MADV_NORMAL), EINVAL); /* wraps */
	CHECK(f = free_range(2));
	CHECK_ERR(rmadvise(f, PAGE, MADV_DONTNEED), ENOMEM);
	CHECK_ERR(rmadvise(f, PAGE, MADV_NORMAL), ENOMEM);
	CHECK_ERR(rmadvise(p, 3 * PAGE, MADV_NORMAL), ENOMEM); /* runs past the mapping */
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
}

static void msync_flags(void)
{
	char *p, *f;
	CHECK_OK(p = map_alone(2, RW, ANON));
	p[0] = 1;
	CHECK_EQ(rmsync(p, 2 * PAGE, MS_SYNC), 0);
	CHECK_EQ(rmsync(p, 2 * PAGE, MS_ASYNC), 0);
	CHECK_EQ(rmsync(p, 2 * PAGE, MS_INVALIDATE), 0);
	CHECK_EQ(rmsync(p, 2 * PAGE, 0), 0);
	CHECK_EQ(rmsync(p, 0, MS_SYNC), 0);
	CHECK_ERR(rmsync(p, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK_ERR(rmsync(p, PAGE, 0x100), EINVAL);
	CHECK_ERR(rmsync(p, PAGE, -1), EINVAL);
	CHECK_ERR(rmsync(p + 1, PAGE, MS_SYNC), EINVAL);
	CHECK(f = free_range(2));
	CHECK_ERR(rmsync(f, PAGE, MS_SYNC), ENOMEM);
	CHECK_ERR(rmsync(p, 3 * PAGE, MS_SYNC), ENOMEM);
	CHECK_EQ(p[0], 1);
	CHECK_EQ(rmunmap(p, 2 * PAGE), 0);
}

static void mmap_growsdown(void)
{
	char *f, *p;
	/* plenty of free space below, more than the kernel's stack guard gap */
	CHECK(f = free_range(1024));
	CHECK_OK(p = rmmap(f + 1020 * PAGE, 4 * PAGE, RW, ANON | MAP_GROWSDOWN | MAP_FIXED, -1, 0));
	CHECK_EQ(p, f + 1020 * PAGE);
	p[4 * PAGE - 1] = 't';
	p[0] = 'b';
	CHECK_EQ(mapped(p, 4 * PAGE), 1);
	CHECK_EQ(rmunmap(p, 4 * PAGE), 0);
}

/* Runs last: if touching below a MAP_GROWSDOWN mapping does not grow it, the process dies. */
static void mmap_growsdown_grows(void)
{
	char *f, *p;
	CHECK(f = free_range(1024));
	CHECK_OK(p = rmmap(f + 1020 * PAGE, 4 * PAGE, RW, ANON | MAP_GROWSDOWN | MAP_FIXED, -1, 0));
	CHECK_EQ(mapped(p - PAGE, PAGE), 0);
	volatile char *below = p - PAGE;
	*below = 'g';
	CHECK_EQ(*below, 'g');
	CHECK_EQ(mapped(p - PAGE, 5 * PAGE), 1);
	CHECK_EQ(rmunmap(p - PAGE, 5 * PAGE), 0);
}

int main(void)
{
	RUN(mmap_anon_private);
	RUN(mmap_anon_shared);
	RUN(mmap_len_rounded_up);
	RUN(mmap_fixed_replaces);
	RUN(mmap_fixed_noreplace);
	RUN(mmap_hint_free);
	RUN(mmap_hint_unaligned_rounded_down);
	RUN(mmap_hint_busy);
	RUN(mmap_einval);
	RUN(mmap_enomem);
	RUN(mmap_bad_fd);
	RUN(mmap_shared_growsdown_einval);
	RUN(mmap_noreserve);
	RUN(mmap_populate);
	RUN(mmap_prot_exec);
	RUN(prot_none_write_efault);
	RUN(prot_read_buffer_writable_out);
	RUN(mprotect_roundtrip);
	RUN(mprotect_errors);
	RUN(mprotect_applies_up_to_hole);
	RUN(unmapped_write_efault);
	RUN(munmap_hole);
	RUN(munmap_errors);
	RUN(mincore_semantics);
	RUN(brk_grow_shrink);
	RUN(brk_unaligned);
	RUN(brk_bad_values_keep_break);
	RUN(mremap_grow_in_place);
	RUN(mremap_grow_blocked);
	RUN(mremap_maymove);
	RUN(mremap_fixed);
	RUN(mremap_shrink);
	RUN(mremap_einval);
	RUN(mremap_efault);
	RUN(madvise_dontneed_private);
	RUN(madvise_dontneed_shared_keeps_data);
	RUN(madvise_other_advice);
	RUN(madvise_errors);
	RUN(msync_flags);
	RUN(mmap_growsdown);
	RUN(mmap_growsdown_grows);
	DONE();
}
