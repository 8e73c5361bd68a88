/*
 * hostile.c: garbage arguments to every syscall a static program needs
 * (bad pointers, huge lengths, negative fds, wild flags). Each call must
 * return an error (the exact errno where Linux is deterministic), never
 * succeed where Linux fails, and the process must keep running. One case per
 * syscall; unlike the other programs, a case goes on after a failed check
 * (extra failures are printed as "#   NAME also: ..." lines), so every call is
 * made. The last case, `survived`, shows the process got to the end.
 */
#include "check.h"

#include <asm/prctl.h>
#include <limits.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <termios.h>
#include <time.h>

enum { K_ERR, K_ANYERR, K_VAL, K_ANY };

static void hcheck(int line, const char *call, int kind, long a, long b, long r, int e)
{
	switch (kind) {
	case K_ERR:
		if (r != -1)
			check_fail(__FILE__, line, "syscall(%s): expected -1 %s, got %ld (success)", call, errname((int)a), r);
		else if (e != a && e != b)
			check_fail(__FILE__, line, "syscall(%s): expected errno %s%s%s, got %s", call, errname((int)a),
				   a != b ? " or " : "", a != b ? errname((int)b) : "", errname(e));
		break;
	case K_ANYERR:
		if (r != -1 || e <= 0 || e >= 4096)
			check_fail(__FILE__, line, "syscall(%s): expected an error, got %ld errno %s", call, r, errname(e));
		break;
	case K_VAL:
		if (r != a)
			check_fail(__FILE__, line, "syscall(%s): expected %ld, got %ld errno %s", call, a, r, errname(e));
		break;
	case K_ANY:
		if (r == -1 && (e <= 0 || e >= 4096))
			check_fail(__FILE__, line, "syscall(%s): failed with a bad errno %d", call, e);
		break;
	}
}

#define EXP(kind, a, b, ...)                                                   \
	do {                                                                   \
		errno = 0;                                                     \
		long hr_ = syscall(__VA_ARGS__);                               \
		int he_ = errno;                                               \
		hcheck(__LINE__, #__VA_ARGS__, kind, (long)(a), (long)(b), hr_, he_); \
	} while (0)
/* exactly this errno */
#define ERR(e, ...) EXP(K_ERR, e, e, __VA_ARGS__)
/* one of two errnos (Linux versions differ, or ENOSYS is allowed) */
#define ERR2(e1, e2, ...) EXP(K_ERR, e1, e2, __VA_ARGS__)
/* some error */
#define ANYERR(...) EXP(K_ANYERR, 0, 0, __VA_ARGS__)
/* exactly this result */
#define VAL(v, ...) EXP(K_VAL, v, 0, __VA_ARGS__)
/* anything (only survival is tested) */
#define ANY(...) EXP(K_ANY, 0, 0, __VA_ARGS__)

#define NEG1 (-1L)
#define ALLBITS (~0UL)
#define HUGE (1UL << 62)

static char *ro;     /* a read-only page */
static char *pn;     /* a PROT_NONE page */
static char *rw;     /* a read-write page, filled with '\n' */
static char nl[4096];

static void setup(void)
{
	memset(nl, '\n', sizeof(nl));
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		say("# setup: mmap failed");
		exit(2);
	}
	memset(p, '\n', 4 * PAGE);
	rw = p;
	ro = p + PAGE;
	pn = p + 2 * PAGE;
	mprotect(ro, PAGE, PROT_READ);
	mprotect(pn, PAGE, PROT_NONE);
	munmap(p + 3 * PAGE, PAGE);
}

/* 8 readable/writable bytes followed by an unmapped page */
static char *edge_rw(void)
{
	static char *e;
	if (!e) {
		char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(p + PAGE, PAGE);
		memset(p, '\n', PAGE);
		e = p + PAGE - 8;
	}
	return e;
}

/* A fresh 2-page read-write mapping followed by an unmapped page, for calls that
 * Linux applies to the mapped part before failing at the hole (mprotect, madvise). */
static char *scratch(void)
{
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + 2 * PAGE, PAGE);
	return p;
}

static void hostile_read(void)
{
	char buf[16];
	ERR(EBADF, SYS_read, -1, buf, 1);
	ERR(EBADF, SYS_read, INT_MAX, buf, 1);
	ERR(EBADF, SYS_read, INT_MIN, BAD_NULL, HUGE);
	ERR(EBADF, SYS_read, 1000, BAD_HIGH, NEG1);
	ERR(EBADF, SYS_read, 1, BAD_NULL, 10);          /* stdout is write-only */
	ERR(EBADF, SYS_read, 0x100000001L, buf, 1);     /* fd is 32 bits: this is fd 1 */
	ERR(EBADF, SYS_read, 2, BAD_KERNEL, ALLBITS);
}

static void hostile_write(void)
{
	ERR(EFAULT, SYS_write, 1, BAD_NULL, 1);
	ERR(EFAULT, SYS_write, 1, BAD_LOW, 100);
	ERR(EFAULT, SYS_write, 1, BAD_HIGH, 16);
	ERR(EFAULT, SYS_write, 1, BAD_KERNEL, 4096);
	ERR(EFAULT, SYS_write, 1, BAD_NONCANON, 1);
	ERR(EFAULT, SYS_write, 1, pn, 1);
	ERR(EFAULT, SYS_write, 1, newline_page(), NEG1);
	ERR(EFAULT, SYS_write, 1, newline_page(), HUGE);
	ERR(EFAULT, SYS_write, 2, BAD_HIGH, NEG1);
	ERR(EBADF, SYS_write, -1, BAD_NULL, 0);
	ERR(EBADF, SYS_write, -5, nl, 1);
	ERR(EBADF, SYS_write, INT_MAX, nl, 1);
	ERR(EBADF, SYS_write, INT_MIN, newline_page(), HUGE);
	ERR(EBADF, SYS_write, 1000, BAD_KERNEL, 1);
	VAL(1, SYS_write, 0xffffffff00000001UL, nl, 1); /* fd is 32 bits: this is fd 1 */
	VAL(8, SYS_write, 1, ro, 8);                    /* read-only memory is fine to write out */
}

static void hostile_readv_writev(void)
{
	struct iovec *iov = (struct iovec *)(void *)rw;
	iov[0].iov_base = nl;
	iov[0].iov_len = 1;
	iov[1].iov_base = BAD_HIGH;
	iov[1].iov_len = 8;
	ERR(EFAULT, SYS_writev, 1, BAD_NULL, 1);
	ERR(EFAULT, SYS_writev, 1, BAD_LOW, 2);
	ERR(EFAULT, SYS_writev, 1, BAD_HIGH, 1024);
	ERR(EFAULT, SYS_writev, 1, BAD_KERNEL, 1);
	ERR(EFAULT, SYS_writev, 1, pn, 1);
	ERR(EINVAL, SYS_writev, 1, iov, NEG1);
	ERR(EINVAL, SYS_writev, 1, iov, 1025);
	ERR(EINVAL, SYS_writev, 1, BAD_NULL, INT_MAX);
	ANY(SYS_writev, 1, iov, 1UL << 40);               /* 0 iovecs on recent kernels, EINVAL on older */
	ERR(EFAULT, SYS_writev, 1, iov + 1, 1);          /* a bad base */
	/* an iovec array running off the end of its mapping */
	struct iovec *e = (struct iovec *)(void *)(edge_rw() - 8);
	e->iov_base = nl;
	e->iov_len = 1;
	ERR(EFAULT, SYS_writev, 1, e, 2);
	iov[1].iov_base = newline_page();
	iov[1].iov_len = ALLBITS;
	ERR(EINVAL, SYS_writev, 1, iov, 2);              /* negative as ssize_t */
	iov[1].iov_len = 1UL << 63;
	ERR(EINVAL, SYS_writev, 1, iov, 2);
	ERR(EBADF, SYS_writev, -1, BAD_NULL, NEG1);
	ERR(EBADF, SYS_writev, INT_MIN, iov, 1);
	ANYERR(SYS_readv, 1, BAD_NULL, 1);
	ANYERR(SYS_readv, 1, iov, NEG1);
	ANYERR(SYS_readv, 1, BAD_HIGH, 1024);
	ERR(EBADF, SYS_readv, -1, BAD_NULL, NEG1);
	ERR(EBADF, SYS_readv, 1000, iov, 1);
	iov[0].iov_base = ro; /* read into read-only memory, if it were readable */
	ERR(EBADF, SYS_readv, 2, iov, 1);
}

static void hostile_pread_pwrite(void)
{
	char buf[8];
	ERR(EINVAL, SYS_pwrite64, 1, nl, 1, NEG1);
	ERR(EINVAL, SYS_pwrite64, 1, nl, 1, LONG_MIN);
	ERR(EINVAL, SYS_pwrite64, -1, BAD_NULL, HUGE, NEG1);
	ERR(ESPIPE, SYS_pwrite64, 1, BAD_NULL, 1, 0);
	ERR(ESPIPE, SYS_pwrite64, 1, newline_page(), NEG1, HUGE);
	ERR(EBADF, SYS_pwrite64, -1, nl, 1, 0);
	ERR(EBADF, SYS_pwrite64, INT_MAX, BAD_HIGH, 1, 0);
	ERR(EINVAL, SYS_pread64, 1, buf, 1, NEG1);
	ERR(ESPIPE, SYS_pread64, 1, BAD_NULL, 1, 0);
	ERR(ESPIPE, SYS_pread64, 2, BAD_KERNEL, NEG1, HUGE);
	ERR(EBADF, SYS_pread64, -1, buf, 1, 0);
	ERR(EBADF, SYS_pread64, 1000, BAD_NULL, HUGE, 0);
}

static void hostile_close(void)
{
	ERR(EBADF, SYS_close, -1);
	ERR(EBADF, SYS_close, INT_MIN);
	ERR(EBADF, SYS_close, INT_MAX);
	ERR(EBADF, SYS_close, 1000);
	ERR(EBADF, SYS_close, 0xffffffffUL);
}

static void hostile_brk(void)
{
	long cur = syscall(SYS_brk, 0);
	VAL(cur, SYS_brk, 1);
	VAL(cur, SYS_brk, NEG1);
	VAL(cur, SYS_brk, BAD_HIGH);
	VAL(cur, SYS_brk, BAD_KERNEL);
	VAL(cur, SYS_brk, BAD_NONCANON);
	VAL(cur, SYS_brk, 0x7ffffffff000UL);
	VAL(cur, SYS_brk, 0);
}

static void hostile_mmap(void)
{
	const long anon = MAP_PRIVATE | MAP_ANONYMOUS;
	ERR(EINVAL, SYS_mmap, 0, 0, PROT_READ, anon, -1, 0);
	ERR(ENOMEM, SYS_mmap, 0, NEG1, PROT_READ, anon, -1, 0);
	ERR(ENOMEM, SYS_mmap, 0, HUGE, PROT_READ, anon, -1, 0);
	ERR(ENOMEM, SYS_mmap, BAD_KERNEL, PAGE, PROT_READ, anon | MAP_FIXED, -1, 0);
	ERR(ENOMEM, SYS_mmap, BAD_HIGH, PAGE, PROT_READ, anon | MAP_FIXED, -1, 0);
	ERR(EINVAL, SYS_mmap, 1, PAGE, PROT_READ, anon | MAP_FIXED, -1, 0);
	ERR(EINVAL, SYS_mmap, 0, PAGE, PROT_READ, anon, -1, 1);
	ERR(EINVAL, SYS_mmap, 0, PAGE, PROT_READ, anon, -1, NEG1);
	ERR(EBADF, SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, -1, 0);
	ERR(EBADF, SYS_mmap, 0, PAGE, PROT_READ, MAP_SHARED, INT_MAX, 0);
	ANYERR(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, 1, 0); /* stdout: a write-only pipe */
	ANYERR(SYS_mmap, 0, PAGE, ALLBITS, ALLBITS, -1, 0);
	ANYERR(SYS_mmap, BAD_HIGH, NEG1, ALLBITS, ALLBITS, NEG1, NEG1);
	ERR(EINVAL, SYS_mmap, 0, PAGE, PROT_READ, MAP_ANONYMOUS | 0xf, -1, 0);
	/* wild but possibly accepted values: if mapped, unmap */
	static const long wild[][2] = {
		{PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | 0x7ff00000L},
		{0xfffffff0L, MAP_PRIVATE | MAP_ANONYMOUS},
		{PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_NORESERVE | MAP_POPULATE | MAP_LOCKED},
	};
	for (unsigned i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
		long r = syscall(SYS_mmap, 0, PAGE, wild[i][0], wild[i][1], -1, 0);
		if (r != -1)
			munmap((void *)r, PAGE);
	}
	long r = syscall(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, -4096L);
	if (r != -1)
		munmap((void *)r, PAGE);
}

static void hostile_munmap(void)
{
	ERR(EINVAL, SYS_munmap, 0, 0);
	ERR(EINVAL, SYS_munmap, 1, 1);
	ERR(EINVAL, SYS_munmap, BAD_HIGH, PAGE);
	ERR(EINVAL, SYS_munmap, BAD_KERNEL, PAGE);
	ERR(EINVAL, SYS_munmap, 0, HUGE);
	ERR(EINVAL, SYS_munmap, rw, NEG1);
	ERR(EINVAL, SYS_munmap, NEG1, NEG1);
	VAL(0, SYS_munmap, 0, PAGE); /* nothing mapped there: fine */
}

static void hostile_mprotect(void)
{
	ERR(ENOMEM, SYS_mprotect, 0, PAGE, PROT_READ);
	ERR(ENOMEM, SYS_mprotect, BAD_HIGH, PAGE, PROT_READ);
	char *s = scratch();
	ERR(ENOMEM, SYS_mprotect, s, NEG1, PROT_READ);
	ERR(ENOMEM, SYS_mprotect, s, HUGE, PROT_READ);
	munmap(s, 2 * PAGE);
	ERR(EINVAL, SYS_mprotect, 1, PAGE, PROT_READ);
	ERR(EINVAL, SYS_mprotect, rw, PAGE, ALLBITS);
	ERR(EINVAL, SYS_mprotect, rw, PAGE, 0x7ffff0L);
	ERR(EINVAL, SYS_mprotect, NEG1, NEG1, ALLBITS);
	ERR(EINVAL, SYS_mprotect, rw, 0, ALLBITS); /* GROWSDOWN|GROWSUP is checked first */
	VAL(0, SYS_mprotect, rw, 0, PROT_READ);
}

static void hostile_mremap(void)
{
	ERR(EINVAL, SYS_mremap, 0, 0, 0, 0, 0);
	ERR(EINVAL, SYS_mremap, rw, PAGE, PAGE, ALLBITS, BAD_HIGH);
	ERR(EINVAL, SYS_mremap, 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0);
	ERR(EINVAL, SYS_mremap, rw, PAGE, 0, MREMAP_MAYMOVE, 0);
	ERR(EFAULT, SYS_mremap, BAD_HIGH, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0);
	ERR(EFAULT, SYS_mremap, 0, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0);
	char *s = scratch();
	ANYERR(SYS_mremap, s, PAGE, HUGE, MREMAP_MAYMOVE, 0);
	ANYERR(SYS_mremap, s, PAGE, NEG1, MREMAP_MAYMOVE, 0);
	ANYERR(SYS_mremap, s, HUGE, 2 * HUGE, MREMAP_MAYMOVE, 0);
	ANYERR(SYS_mremap, s, 3 * PAGE, 4 * PAGE, 0, 0);
	munmap(s, 2 * PAGE);
	ERR(EINVAL, SYS_mremap, rw, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, BAD_KERNEL);
	ERR(EINVAL, SYS_mremap, rw, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, 1);
	ERR(EINVAL, SYS_mremap, rw, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, rw);
	ANYERR(SYS_mremap, NEG1, NEG1, NEG1, ALLBITS, NEG1);
}

static void hostile_madvise(void)
{
	ERR(EINVAL, SYS_madvise, rw, PAGE, NEG1);
	ERR(EINVAL, SYS_madvise, rw, PAGE, INT_MAX);
	ERR(EINVAL, SYS_madvise, 1, 1, MADV_NORMAL);
	ERR(ENOMEM, SYS_madvise, 0, PAGE, MADV_DONTNEED);
	ANYERR(SYS_madvise, BAD_HIGH, PAGE, MADV_DONTNEED);
	char *s = scratch();
	ANYERR(SYS_madvise, s, NEG1, MADV_DONTNEED);
	ANYERR(SYS_madvise, s, HUGE, MADV_WILLNEED);
	/* Not madvise(s, HUGE, MADV_DONTNEED): Linux applies it to every mapping
	 * above s and survives only because the walk stops with EINVAL at [vvar]
	 * (VM_PFNMAP), below the stack; without that mapping it zeroes the stack. */
	ANYERR(SYS_madvise, s, 3 * PAGE, MADV_DONTNEED);
	munmap(s, 2 * PAGE);
	ANYERR(SYS_madvise, NEG1, NEG1, NEG1);
}

static void hostile_mincore(void)
{
	unsigned char vec[8];
	ERR(ENOMEM, SYS_mincore, 0, PAGE, vec);
	ERR(EFAULT, SYS_mincore, rw, PAGE, BAD_NULL);
	ERR(EFAULT, SYS_mincore, rw, PAGE, BAD_HIGH);
	ERR(EFAULT, SYS_mincore, rw, PAGE, ro);
	ERR(EFAULT, SYS_mincore, rw, PAGE, pn);
	ERR(ENOMEM, SYS_mincore, BAD_KERNEL, PAGE, vec);
	ERR(ENOMEM, SYS_mincore, BAD_HIGH, PAGE, vec);
	ERR(ENOMEM, SYS_mincore, rw, NEG1, vec);
	ERR(EINVAL, SYS_mincore, 1, 1, vec);
	ANYERR(SYS_mincore, NEG1, NEG1, NEG1);
}

static void hostile_msync(void)
{
	ERR(EINVAL, SYS_msync, rw, PAGE, NEG1);
	ERR(EINVAL, SYS_msync, rw, PAGE, MS_SYNC | MS_ASYNC);
	ERR(EINVAL, SYS_msync, 1, PAGE, MS_SYNC);
	ERR(ENOMEM, SYS_msync, 0, PAGE, MS_SYNC);
	ANYERR(SYS_msync, BAD_HIGH, PAGE, MS_ASYNC);
	VAL(0, SYS_msync, rw, NEG1, MS_SYNC); /* the length rounds up to 0 */
	ANYERR(SYS_msync, rw, HUGE, MS_SYNC);
	ANYERR(SYS_msync, NEG1, NEG1, NEG1);
}

static void hostile_arch_prctl(void)
{
	ERR(EINVAL, SYS_arch_prctl, NEG1, 0);
	ERR(EINVAL, SYS_arch_prctl, 0, 0);
	ERR(EINVAL, SYS_arch_prctl, INT_MAX, BAD_HIGH);
	ERR(EFAULT, SYS_arch_prctl, ARCH_GET_FS, BAD_NULL);
	ERR(EFAULT, SYS_arch_prctl, ARCH_GET_FS, BAD_HIGH);
	ERR(EFAULT, SYS_arch_prctl, ARCH_GET_FS, ro);
	ERR(EFAULT, SYS_arch_prctl, ARCH_GET_GS, pn);
	ERR(EFAULT, SYS_arch_prctl, ARCH_GET_GS, edge_rw() + 4);
	ERR(EPERM, SYS_arch_prctl, ARCH_SET_GS, NEG1);
	ERR(EPERM, SYS_arch_prctl, ARCH_SET_GS, BAD_KERNEL);
	ANY(SYS_arch_prctl, 0x1011 /* ARCH_GET_CPUID */, 0);
}

static void hostile_set_tid_address(void)
{
	static int ctid;
	long tid = syscall(SYS_gettid);
	VAL(tid, SYS_set_tid_address, BAD_HIGH);
	VAL(tid, SYS_set_tid_address, BAD_NULL);
	VAL(tid, SYS_set_tid_address, NEG1);
	VAL(tid, SYS_set_tid_address, &ctid);
}

static void hostile_robust_list(void)
{
	void *head = NULL;
	size_t len = 0;
	long ok = syscall(SYS_get_robust_list, 0, &head, &len);
	CHECKF(ok == 0 && len == 24, "get_robust_list: %ld len %zu (%s)", ok, len, errname(errno));
	ERR(EINVAL, SYS_set_robust_list, 0, 0);
	ERR(EINVAL, SYS_set_robust_list, BAD_HIGH, NEG1);
	ERR(EINVAL, SYS_set_robust_list, head, 23);
	ERR(EINVAL, SYS_set_robust_list, head, 25);
	VAL(0, SYS_set_robust_list, BAD_HIGH, 24); /* the pointer is only used at exit */
	ERR(EFAULT, SYS_get_robust_list, 0, BAD_NULL, &len);
	ERR(EFAULT, SYS_get_robust_list, 0, &head, BAD_NULL);
	ERR(EFAULT, SYS_get_robust_list, 0, ro, &len);
	ERR(ESRCH, SYS_get_robust_list, NEG1, &head, &len);
	ERR(ESRCH, SYS_get_robust_list, 0x7ffffff0, &head, &len);
	VAL(0, SYS_set_robust_list, head, 24);
	void *back = NULL;
	VAL(0, SYS_get_robust_list, 0, &back, &len);
	CHECKF(back == head, "robust list head not restored: %p != %p", back, head);
}

static void hostile_rseq(void)
{
	/* glibc may have registered an rseq area; ENOSYS is acceptable for a sandbox */
	ERR2(EINVAL, ENOSYS, SYS_rseq, BAD_NULL, 0, ALLBITS, 0);
	ERR2(EINVAL, ENOSYS, SYS_rseq, BAD_HIGH, 32, 2, 0);
	ANYERR(SYS_rseq, BAD_LOW, 32, 0, 0);
	ANYERR(SYS_rseq, BAD_HIGH, NEG1, 0, 0);
	ANYERR(SYS_rseq, NEG1, NEG1, NEG1, NEG1);
}

static void hostile_uname(void)
{
	ERR(EFAULT, SYS_uname, BAD_NULL);
	ERR(EFAULT, SYS_uname, BAD_LOW);
	ERR(EFAULT, SYS_uname, BAD_HIGH);
	ERR(EFAULT, SYS_uname, BAD_KERNEL);
	ERR(EFAULT, SYS_uname, ro);
	ERR(EFAULT, SYS_uname, pn);
	ERR(EFAULT, SYS_uname, edge_rw());
}

static void hostile_identity(void)
{
	long pid = syscall(SYS_getpid), ppid = syscall(SYS_getppid), uid = syscall(SYS_getuid);
	long gid = syscall(SYS_getgid);
	VAL(pid, SYS_getpid, NEG1, BAD_HIGH, NEG1, NEG1, NEG1, NEG1);
	VAL(pid, SYS_gettid, NEG1, BAD_HIGH, NEG1, NEG1, NEG1, NEG1);
	VAL(ppid, SYS_getppid, NEG1, NEG1, NEG1, NEG1, NEG1, NEG1);
	VAL(uid, SYS_getuid, NEG1, NEG1);
	VAL(uid, SYS_geteuid, BAD_HIGH);
	VAL(gid, SYS_getgid, NEG1);
	VAL(gid, SYS_getegid, BAD_NULL);
	long n = syscall(SYS_getgroups, 0, NULL);
	ERR(EINVAL, SYS_getgroups, NEG1, BAD_NULL);
	ERR(EINVAL, SYS_getgroups, INT_MIN, BAD_HIGH);
	if (n > 0) {
		ERR(EFAULT, SYS_getgroups, INT_MAX, BAD_NULL);
		ERR(EFAULT, SYS_getgroups, 65536, BAD_HIGH);
		ERR(EFAULT, SYS_getgroups, 65536, ro);
	} else {
		VAL(0, SYS_getgroups, INT_MAX, BAD_NULL);
	}
	VAL(n, SYS_getgroups, 0, BAD_HIGH); /* size 0: only the count */
}

static void hostile_clocks(void)
{
	struct timespec t;
	ERR(EINVAL, SYS_clock_gettime, NEG1, &t);
	ERR(EINVAL, SYS_clock_gettime, INT_MAX, &t);
	ERR(EINVAL, SYS_clock_gettime, INT_MIN, &t);
	ERR(EINVAL, SYS_clock_gettime, 100, BAD_NULL);
	ERR(EFAULT, SYS_clock_gettime, CLOCK_REALTIME, BAD_NULL);
	ERR(EFAULT, SYS_clock_gettime, CLOCK_MONOTONIC, BAD_HIGH);
	ERR(EFAULT, SYS_clock_gettime, CLOCK_MONOTONIC, BAD_KERNEL);
	ERR(EFAULT, SYS_clock_gettime, CLOCK_BOOTTIME, ro);
	ERR(EFAULT, SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, pn);
	ERR(EFAULT, SYS_clock_gettime, CLOCK_REALTIME, edge_rw()); /* 16 bytes, 8 mapped */
	VAL(0, SYS_clock_gettime, 0x100000000L | CLOCK_MONOTONIC, &t); /* clockid_t is 32 bits */
	ERR(EINVAL, SYS_clock_getres, NEG1, &t);
	ERR(EINVAL, SYS_clock_getres, INT_MAX, BAD_HIGH);
	ERR(EFAULT, SYS_clock_getres, CLOCK_REALTIME, BAD_HIGH);
	ERR(EFAULT, SYS_clock_getres, CLOCK_MONOTONIC, ro);
	ERR(EFAULT, SYS_gettimeofday, BAD_LOW, NULL);
	ERR(EFAULT, SYS_gettimeofday, BAD_HIGH, BAD_HIGH);
	ERR(EFAULT, SYS_gettimeofday, NULL, BAD_KERNEL);
	ERR(EFAULT, SYS_gettimeofday, ro, NULL);
	ERR(EFAULT, SYS_gettimeofday, edge_rw(), NULL);
	ERR(EFAULT, SYS_time, BAD_LOW);
	ERR(EFAULT, SYS_time, BAD_HIGH);
	ERR(EFAULT, SYS_time, ro);
	ERR(EFAULT, SYS_time, edge_rw() + 4);
}

static void hostile_sleeps(void)
{
	struct timespec *t = (struct timespec *)(void *)(rw + 64);
	ERR(EFAULT, SYS_nanosleep, BAD_NULL, NULL);
	ERR(EFAULT, SYS_nanosleep, BAD_HIGH, BAD_HIGH);
	ERR(EFAULT, SYS_nanosleep, pn, NULL);
	ERR(EFAULT, SYS_nanosleep, edge_rw(), NULL);
	t->tv_sec = 0;
	t->tv_nsec = -1;
	ERR(EINVAL, SYS_nanosleep, t, NULL);
	t->tv_nsec = LONG_MAX;
	ERR(EINVAL, SYS_nanosleep, t, NULL);
	t->tv_sec = LONG_MIN;
	t->tv_nsec = 0;
	ERR(EINVAL, SYS_nanosleep, t, NULL);
	t->tv_sec = -1;
	t->tv_nsec = -1;
	ERR(EINVAL, SYS_nanosleep, t, BAD_HIGH);
	t->tv_sec = 0;
	t->tv_nsec = 1;
	VAL(0, SYS_nanosleep, t, BAD_HIGH); /* rem is only written when interrupted */
	ERR(EINVAL, SYS_clock_nanosleep, NEG1, 0, t, NULL);
	ERR(EINVAL, SYS_clock_nanosleep, INT_MAX, ALLBITS, t, NULL);
	ERR(EFAULT, SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD_HIGH, NULL);
	ERR(EFAULT, SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, pn, NULL);
	VAL(0, SYS_clock_nanosleep, CLOCK_MONOTONIC, ALLBITS, t, BAD_HIGH); /* abstime 1 ns: in the past */
	VAL(0, SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, t, BAD_HIGH);
	t->tv_nsec = 1000000000;
	ERR(EINVAL, SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, t, NULL);
	ERR(EINVAL, SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL);
}

static void hostile_getrandom(void)
{
	char buf[16];
	ERR(EFAULT, SYS_getrandom, BAD_NULL, 16, 0);
	ERR(EFAULT, SYS_getrandom, BAD_LOW, 16, 0);
	ERR(EFAULT, SYS_getrandom, BAD_HIGH, 16, 0);
	ERR(EFAULT, SYS_getrandom, BAD_KERNEL, NEG1, 0);
	ERR(EFAULT, SYS_getrandom, BAD_NULL, NEG1, 1);
	ERR(EFAULT, SYS_getrandom, ro, 16, 0);
	ERR(EFAULT, SYS_getrandom, pn, 16, 2);
	ERR(EINVAL, SYS_getrandom, buf, 16, ALLBITS);
	ERR(EINVAL, SYS_getrandom, BAD_HIGH, NEG1, ALLBITS);
	ERR(EINVAL, SYS_getrandom, buf, 16, 6);
	VAL(8, SYS_getrandom, edge_rw(), 4096, 0); /* short: stops at the unmapped page */
}

static void hostile_rlimits(void)
{
	struct rlimit *r = (struct rlimit *)(void *)(rw + 128), cur;
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &cur), 0);
	ERR(EINVAL, SYS_getrlimit, NEG1, r);
	ERR(EINVAL, SYS_getrlimit, RLIM_NLIMITS, r);
	ERR(EFAULT, SYS_getrlimit, RLIMIT_NOFILE, BAD_NULL);
	ERR(EFAULT, SYS_getrlimit, RLIMIT_NOFILE, BAD_HIGH);
	ERR(EFAULT, SYS_getrlimit, RLIMIT_STACK, ro);
	ERR(EFAULT, SYS_getrlimit, RLIMIT_STACK, edge_rw());
	VAL(0, SYS_getrlimit, 0x100000000L | RLIMIT_NOFILE, r); /* resource is 32 bits */
	ERR(EINVAL, SYS_setrlimit, NEG1, r);
	ERR(EFAULT, SYS_setrlimit, RLIMIT_NOFILE, BAD_NULL);
	ERR(EFAULT, SYS_setrlimit, RLIMIT_NOFILE, pn);
	r->rlim_cur = 2;
	r->rlim_max = 1;
	ERR(EINVAL, SYS_setrlimit, RLIMIT_NOFILE, r);
	r->rlim_cur = RLIM_INFINITY;
	r->rlim_max = RLIM_INFINITY;
	ERR(EPERM, SYS_setrlimit, RLIMIT_NOFILE, r); /* above fs.nr_open: EPERM even for root */
	ERR(EINVAL, SYS_prlimit64, 0, NEG1, NULL, r);
	ERR2(EFAULT, EINVAL, SYS_prlimit64, 0, INT_MAX, BAD_HIGH, BAD_HIGH); /* both bad: Linux reads the struct first */
	ERR(EFAULT, SYS_prlimit64, 0, RLIMIT_NOFILE, BAD_HIGH, NULL);
	ERR(EFAULT, SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BAD_HIGH);
	ERR(EFAULT, SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, ro);
	ERR(ESRCH, SYS_prlimit64, NEG1, RLIMIT_NOFILE, NULL, r);
	ERR(ESRCH, SYS_prlimit64, INT_MAX, RLIMIT_NOFILE, NULL, r);
	r->rlim_cur = 2;
	r->rlim_max = 1;
	ERR(EINVAL, SYS_prlimit64, 0, RLIMIT_NOFILE, r, NULL);
	struct rlimit after;
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &after), 0);
	CHECKF(after.rlim_cur == cur.rlim_cur && after.rlim_max == cur.rlim_max, "RLIMIT_NOFILE changed by failed calls");
}

static void hostile_sysinfo(void)
{
	ERR(EFAULT, SYS_sysinfo, BAD_NULL);
	ERR(EFAULT, SYS_sysinfo, BAD_LOW);
	ERR(EFAULT, SYS_sysinfo, BAD_HIGH);
	ERR(EFAULT, SYS_sysinfo, ro);
	ERR(EFAULT, SYS_sysinfo, edge_rw());
}

static void hostile_sched(void)
{
	char *buf = rw + 1024;
	ERR(EFAULT, SYS_sched_getaffinity, 0, 8, BAD_NULL);
	ERR(EFAULT, SYS_sched_getaffinity, 0, 8, BAD_HIGH);
	ERR(EFAULT, SYS_sched_getaffinity, 0, 8, ro);
	ERR(EINVAL, SYS_sched_getaffinity, 0, 0, BAD_NULL);
	ERR(EINVAL, SYS_sched_getaffinity, 0, 3, buf);
	ERR(ESRCH, SYS_sched_getaffinity, NEG1, 8, buf);
	ERR(ESRCH, SYS_sched_getaffinity, INT_MAX, 8, buf);
	ANY(SYS_sched_getaffinity, 0, 2048, buf);         /* copies at most the kernel's mask size */
	ANY(SYS_sched_getaffinity, 0, 0xfffffff8UL, buf);
	VAL(0, SYS_sched_yield, NEG1, NEG1, NEG1);
}

static void hostile_ioctl(void)
{
	ERR(EBADF, SYS_ioctl, -1, TCGETS, BAD_NULL);
	ERR(EBADF, SYS_ioctl, INT_MAX, ALLBITS, BAD_HIGH);
	ERR(EBADF, SYS_ioctl, INT_MIN, TIOCGWINSZ, 0);
	ERR(ENOTTY, SYS_ioctl, 1, TCGETS, BAD_NULL);
	ERR(ENOTTY, SYS_ioctl, 1, TCGETS, BAD_HIGH);
	ERR(ENOTTY, SYS_ioctl, 2, TIOCGWINSZ, BAD_KERNEL);
	ERR(ENOTTY, SYS_ioctl, 1, 0x7fffffffUL, BAD_HIGH);
	ERR(ENOTTY, SYS_ioctl, 1, 0, 0);
	ERR(ENOTTY, SYS_ioctl, 1, TCSETS, ro);
	ERR(ENOTTY, SYS_ioctl, 1, TIOCSWINSZ, pn);
	ERR(EFAULT, SYS_ioctl, 1, FIONBIO, BAD_NULL);
}

static void hostile_readlink(void)
{
	char buf[64];
	const char *exe = "/proc/self/exe";
	ERR(EFAULT, SYS_readlink, BAD_NULL, buf, sizeof(buf));
	ERR(EFAULT, SYS_readlink, BAD_HIGH, buf, sizeof(buf));
	ERR(EFAULT, SYS_readlink, pn, buf, sizeof(buf));
	ERR(EFAULT, SYS_readlink, exe, BAD_NULL, sizeof(buf));
	ERR(EFAULT, SYS_readlink, exe, BAD_HIGH, sizeof(buf));
	ERR(EFAULT, SYS_readlink, exe, ro, sizeof(buf));
	ERR(EINVAL, SYS_readlink, exe, buf, 0);
	ERR(EINVAL, SYS_readlink, exe, buf, NEG1);
	ERR(EINVAL, SYS_readlink, exe, buf, INT_MIN);
	ERR(EFAULT, SYS_readlink, exe, edge_rw(), 4096); /* the target is longer than 8 bytes */
	ERR(ENOENT, SYS_readlink, "", buf, sizeof(buf));
	/* a path with no NUL before the end of its mapping */
	char *e = edge_rw();
	memset(e, 'a', 8);
	ERR(EFAULT, SYS_readlink, e, buf, sizeof(buf));
	/* a path longer than PATH_MAX */
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		memset(p, 'a', 2 * PAGE - 1);
		p[0] = '/';
		p[2 * PAGE - 1] = 0;
		ERR(ENAMETOOLONG, SYS_readlink, p, buf, sizeof(buf));
		munmap(p, 2 * PAGE);
	}
	ERR(ENOENT, SYS_readlink, "/nonexistent-tsvisor-hostile/x", buf, sizeof(buf));
}

struct ksigaction {
	unsigned long handler, flags, restorer, mask;
};

static void hostile_rt_sigaction(void)
{
	struct ksigaction *act = (struct ksigaction *)(void *)(rw + 256), old;
	memset(act, 0, sizeof(*act));
	act->handler = 0xdeadbeef;
	act->flags = 0x04000000; /* SA_RESTORER */
	act->restorer = 0xdeadbeef;
	ERR(EINVAL, SYS_rt_sigaction, 0, act, NULL, 8);
	ERR(EINVAL, SYS_rt_sigaction, 65, act, NULL, 8);
	ERR(EINVAL, SYS_rt_sigaction, NEG1, NULL, &old, 8);
	ERR2(EFAULT, EINVAL, SYS_rt_sigaction, INT_MAX, BAD_HIGH, BAD_HIGH, 8); /* both bad: Linux reads act first */
	ERR(EINVAL, SYS_rt_sigaction, SIGKILL, act, NULL, 8);
	ERR(EINVAL, SYS_rt_sigaction, SIGSTOP, act, &old, 8);
	ERR(EINVAL, SYS_rt_sigaction, SIGUSR1, NULL, &old, NEG1);
	ERR(EINVAL, SYS_rt_sigaction, SIGUSR1, NULL, &old, 0);
	ERR(EINVAL, SYS_rt_sigaction, SIGUSR1, BAD_HIGH, NULL, 4);
	ERR(EFAULT, SYS_rt_sigaction, SIGUSR1, BAD_LOW, NULL, 8);
	ERR(EFAULT, SYS_rt_sigaction, SIGUSR1, BAD_HIGH, NULL, 8);
	ERR(EFAULT, SYS_rt_sigaction, SIGUSR1, pn, NULL, 8);
	ERR(EFAULT, SYS_rt_sigaction, SIGUSR1, edge_rw(), NULL, 8);
	ERR(EFAULT, SYS_rt_sigaction, SIGUSR1, NULL, BAD_HIGH, 8);
	ERR(EFAULT, SYS_rt_sigaction, SIGUSR1, NULL, ro, 8);
	VAL(0, SYS_rt_sigaction, 0x100000000L | SIGUSR1, NULL, &old, 8); /* sig is 32 bits */
	/* wild flags and handler are stored, not checked; then restore the default */
	act->flags = ALLBITS;
	act->mask = ALLBITS;
	ANY(SYS_rt_sigaction, SIGUSR2, act, NULL, 8);
	act->handler = 0; /* SIG_DFL */
	act->flags = 0x04000000;
	act->mask = 0;
	VAL(0, SYS_rt_sigaction, SIGUSR2, act, NULL, 8);
}

static void hostile_rt_sigprocmask(void)
{
	unsigned long *set = (unsigned long *)(void *)(rw + 512), orig;
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &orig, 8), 0);
	*set = ALLBITS;
	ERR(EINVAL, SYS_rt_sigprocmask, NEG1, set, NULL, 8);
	ERR(EINVAL, SYS_rt_sigprocmask, 3, set, NULL, 8);
	ERR(EINVAL, SYS_rt_sigprocmask, SIG_BLOCK, set, NULL, 0);
	ERR(EINVAL, SYS_rt_sigprocmask, SIG_BLOCK, set, NULL, NEG1);
	ERR(EFAULT, SYS_rt_sigprocmask, SIG_BLOCK, BAD_LOW, NULL, 8);
	ERR(EFAULT, SYS_rt_sigprocmask, SIG_BLOCK, BAD_HIGH, NULL, 8);
	ERR(EFAULT, SYS_rt_sigprocmask, SIG_SETMASK, pn, NULL, 8);
	ERR(EFAULT, SYS_rt_sigprocmask, SIG_BLOCK, NULL, BAD_HIGH, 8);
	ERR(EFAULT, SYS_rt_sigprocmask, SIG_BLOCK, NULL, ro, 8);
	ERR(EFAULT, SYS_rt_sigprocmask, SIG_BLOCK, NULL, edge_rw() + 4, 8);
	VAL(0, SYS_rt_sigprocmask, SIG_SETMASK, set, NULL, 8);
	VAL(0, SYS_rt_sigprocmask, SIG_SETMASK, &orig, NULL, 8);
	unsigned long now = 1;
	VAL(0, SYS_rt_sigprocmask, SIG_BLOCK, NULL, &now, 8);
	CHECK_EQ(now, orig);
}

static void hostile_unknown_numbers(void)
{
	ERR(ENOSYS, 1000, NEG1, NEG1, NEG1, NEG1, NEG1, NEG1);
	ERR(ENOSYS, 0x7fff, 0, 0, 0, 0, 0, 0);
	ERR(ENOSYS, NEG1, 0, 0, 0, 0, 0, 0);
	ERR(ENOSYS, INT_MAX, BAD_HIGH, 0, 0, 0, 0, 0);
	ERR(ENOSYS, INT_MIN, BAD_HIGH, 0, 0, 0, 0, 0);
	ANY(0x40000000L + SYS_getpid);         /* x32 getpid: ENOSYS unless the x32 ABI is on */
	ANY(0xffffffff00000000L + SYS_getpid); /* recent kernels use only the low 32 bits */
	ANY(0x100000000000L + SYS_getppid);
}

static void survived(void)
{
	CHECK(syscall(SYS_getpid) > 0);
	CHECK_EQ(syscall(SYS_write, 1, nl, 1), 1);
}

int main(void)
{
	setup();
	RUN(hostile_read);
	RUN(hostile_write);
	RUN(hostile_readv_writev);
	RUN(hostile_pread_pwrite);
	RUN(hostile_close);
	RUN(hostile_brk);
	RUN(hostile_mmap);
	RUN(hostile_munmap);
	RUN(hostile_mprotect);
	RUN(hostile_mremap);
	RUN(hostile_madvise);
	RUN(hostile_mincore);
	RUN(hostile_msync);
	RUN(hostile_arch_prctl);
	RUN(hostile_set_tid_address);
	RUN(hostile_robust_list);
	RUN(hostile_rseq);
	RUN(hostile_uname);
	RUN(hostile_identity);
	RUN(hostile_clocks);
	RUN(hostile_sleeps);
	RUN(hostile_getrandom);
	RUN(hostile_rlimits);
	RUN(hostile_sysinfo);
	RUN(hostile_sched);
	RUN(hostile_ioctl);
	RUN(hostile_readlink);
	RUN(hostile_rt_sigaction);
	RUN(hostile_rt_sigprocmask);
	RUN(hostile_unknown_numbers);
	RUN(survived);
	DONE();
}
