/*
 * fuzz.c: a hostile guest (DESIGN.md, Testing). It makes N random raw system
 * calls with hostile arguments, drawn from the calls tsvisor implements plus a
 * few query-only calls it may not and some numbers no kernel implements, then
 * checks that it is still sane and prints "fuzz ok seed=S n=N".
 *
 *     fuzz SEED N [-v]
 *
 * -v traces every call on stderr ("#I name(args) = result") so that a seed that
 * crashes or hangs can be replayed and the last call seen.
 *
 * Arguments are hostile (NULL, small integers, -1, unaligned, kernel and
 * non-canonical addresses, a PROT_NONE page, an unmapped hole, read-only
 * memory, huge and wrapping lengths, all-ones flags, random 64-bit values) but
 * chosen so that Linux itself would never let the call kill, wedge or corrupt
 * this program, nor change anything outside it. The program runs natively in
 * the test (that validates it), so every rule below is about what Linux would
 * do:
 *
 *  - Calls that change mappings (mmap, munmap, mprotect, mremap, madvise,
 *    msync, brk) only ever name ranges inside a private 64 MiB arena, or
 *    addresses that are not user space at all, or lengths that wrap around
 *    (always rejected). The arena has PROT_NONE guard regions on both sides
 *    and an unmapped page beyond each guard, so a sequential copy that runs
 *    off the end of the arena faults in the guard. A mapping the kernel
 *    placed elsewhere (mmap without MAP_FIXED, mremap that moved) is unmapped
 *    at once. brk never goes below its value at start (glibc's TLS is there).
 *  - Pointers the kernel writes through are: a static buffer (with a length
 *    that fits it), the arena (any length: the guard stops it), read-only
 *    memory (our text, a read-only page), or inaccessible addresses. Never a
 *    random user address. Pointers the kernel only reads may be anything.
 *    Structures whose contents could hurt (sigaction, rlimits, sleep times)
 *    are prepared by us or inaccessible.
 *  - No data is read from a descriptor that could block (only /dev/null or
 *    descriptors open write-only, which fail), no data is written to an open
 *    descriptor (zero lengths, buffers that fault at their first byte, or
 *    pwrite on a pipe), descriptors 0-2 are never closed or replaced (a 64-bit
 *    fd whose low 32 bits are 0-2 counts as 0-2), terminals are left alone,
 *    and descriptors inherited beyond 0-2 are never touched.
 *  - No exit, no signal handler but SIG_IGN/SIG_DFL (random ones only on
 *    signals nobody sends), no ARCH_SET_FS (libc's TLS), no CPUID faulting,
 *    no shadow stack, no lowered CPU/file-size/stack/descriptor limits,
 *    no sleeps longer than a few microseconds, no clocks a sleep could wait
 *    on forever (CPU-time clocks).
 *
 * At the end it checks a canary buffer, its own text and read-only data, the
 * contents of the read-only page, that the PROT_NONE page and the pages of the
 * guards next to the arena were never written, a stack canary, and that
 * getpid and gettid still give the values they gave at start.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define ARENA_SIZE (64UL << 20)
#define GUARD_SIZE (16UL << 20)
#define SBUF_SIZE (1UL << 20)
#define NIOV 1100 /* > IOV_MAX, so any count up to 1100 reads only prepared entries */
#define INF UINT64_MAX
#define TASK_SIZE 0x7ffffffff000UL
#define MAX_FD 1024 /* descriptors we track; we create none above this */

typedef uint64_t u64;

/* ---- randomness (splitmix64: deterministic from the seed) ---- */

static u64 rng_state;

static u64 rnd(void)
{
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) (n > 0; the bias is irrelevant here). */
static u64 below(u64 n)
{
	return n ? rnd() % n : 0;
}

static int pct(int p)
{
	return (int)below(100) < p;
}

#define PICK(arr) ((arr)[below(sizeof(arr) / sizeof((arr)[0]))])

/* ---- output without stdio (no malloc, no buffering) ---- */

static void out(int fd, const char *buf, size_t len)
{
	int waits = 0;
	while (len > 0) {
		long n = syscall(SYS_write, fd, buf, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN && waits++ < 20000) {
				/* the fuzzer may have made the pipe non-blocking */
				struct timespec ts = { 0, 100000 };
				syscall(SYS_nanosleep, &ts, NULL);
				continue;
			}
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

__attribute__((format(printf, 2, 3))) static void say(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	out(fd, buf, (size_t)n);
}

/* ---- memory we set up ---- */

static char *arena;       /* [arena, arena + ARENA_SIZE): the fuzzed calls own it */
static char *guard_lo;    /* PROT_NONE, GUARD_SIZE, just below the arena */
static char *guard_hi;    /* PROT_NONE, GUARD_SIZE, just above the arena */
static char *ro_page;     /* PROT_READ, filled with 'A' (no NUL: strings run into pn_page) */
static char *pn_page;     /* PROT_NONE, right after ro_page */
static char *hole;        /* an unmapped page, right after pn_page */
static u64 brk0;          /* the break at start */

static char sbuf[SBUF_SIZE] __attribute__((aligned(4096)));     /* kernel may write here (within SBUF_SIZE) */
static unsigned char canary[1 << 16] __attribute__((aligned(4096))); /* nobody may write here */
static const char rodata_blob[8192] = "tsvisor fuzz read-only data";     /* read-only: the kernel must not write here */
static u64 iov[NIOV * 2] __attribute__((aligned(64)));              /* prepared iovecs (base, len) */
static char paths[8][5000];                                         /* prepared path strings */
static u64 prepared[64] __attribute__((aligned(64)));               /* prepared structs (sigaction, rlimit, timespec, flock) */

extern char __executable_start[];
extern char etext[];

static u64 fnv(const void *p, size_t n)
{
	const unsigned char *b = p;
	u64 h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static int in_arena(u64 a)
{
	return a >= (u64)arena && a < (u64)arena + ARENA_SIZE;
}

/* ---- descriptors ---- */

enum {
	FD_CLOSED = 0,
	FD_OPEN = 1,     /* ours (0-2 or a dup we made) */
	FD_FOREIGN = 2,  /* inherited beyond 0-2: never touched */
};
static unsigned char fd_state[MAX_FD];
/* Per open fd, what it is a copy of (0, 1 or 2: all our fds are copies of those). */
static unsigned char fd_origin[MAX_FD];
/* Properties of the three descriptors we were given. */
static int std_readable_safe[3]; /* a read returns at once: write-only (EBADF) or /dev/null */
static int std_write_sink[3];    /* writes go nowhere: /dev/null open for writing */
static int std_tty[3];           /* a terminal (or unknown): no ioctl, no F_SETFL */
static int std_fifo[3];          /* a pipe: pwrite is ESPIPE before anything */

static void setup_fds(void)
{
	for (int fd = 3; fd < MAX_FD; fd++)
		if (syscall(SYS_fcntl, fd, F_GETFD) >= 0)
			fd_state[fd] = FD_FOREIGN;
	for (int fd = 0; fd < 3; fd++) {
		fd_state[fd] = FD_OPEN;
		fd_origin[fd] = (unsigned char)fd;
		long fl = syscall(SYS_fcntl, fd, F_GETFL);
		struct stat st;
		int have_st = syscall(SYS_fstat, fd, &st) == 0;
		int devnull = have_st && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
		int acc = fl < 0 ? -1 : (int)(fl & O_ACCMODE);
		std_readable_safe[fd] = fl >= 0 && (acc == O_WRONLY || devnull);
		std_write_sink[fd] = devnull && (acc == O_WRONLY || acc == O_RDWR);
		std_fifo[fd] = have_st && S_ISFIFO(st.st_mode);
		/* A terminal, or anything we cannot identify as a pipe or /dev/null. */
		std_tty[fd] = !(std_fifo[fd] || devnull);
	}
}

static int fd_low(u64 fd)
{
	return (int)(uint32_t)fd;
}

static int is_ours(u64 fd)
{
	int f = fd_low(fd);
	return f >= 0 && f < MAX_FD && fd_state[f] == FD_OPEN;
}

static int origin(u64 fd)
{
	return fd_origin[fd_low(fd)];
}

/* Sometimes set random high bits: fds are 32-bit, the kernel must ignore them. */
static u64 maybe_high(u64 fd)
{
	if (pct(8))
		return (fd & 0xffffffffULL) | (rnd() << 32);
	return fd;
}

/* A number that is certainly not an open descriptor (low 32 bits). */
static u64 closed_fd(void)
{
	for (int tries = 0; tries < 8; tries++) {
		int f = 3 + (int)below(125);
		if (fd_state[f] == FD_CLOSED)
			return (u64)f;
	}
	static const u64 never[] = { (u64)-1, (u64)-2, 0x7fffffff, 0x80000000, 0xffffffff, 1UL << 20, 1UL << 30, 20000000 };
	return PICK(never);
}

/* One of our open descriptors (0-2 or a dup), or -1 if none matches `ok`. */
static int open_fd(int (*ok)(int fd))
{
	int cands[64];
	int n = 0;
	for (int f = 0; f < MAX_FD && n < 64; f++)
		if (fd_state[f] == FD_OPEN && (!ok || ok(f)))
			cands[n++] = f;
	return n ? cands[below((u64)n)] : -1;
}

static int ok_read(int f) { return std_readable_safe[fd_origin[f]]; }
static int ok_quiet(int f) { return !std_tty[fd_origin[f]]; }
static int ok_any(int f) { (void)f; return 1; }

/* A descriptor for a call that has `ok` on open fds (or a closed one). */
static u64 fd_for(int (*ok)(int fd))
{
	if (pct(65)) {
		int f = open_fd(ok);
		if (f >= 0)
			return maybe_high((u64)f);
	}
	return maybe_high(closed_fd());
}

/* A target for close/dup2/dup3: never 0-2, never foreign; ours or closed. */
static u64 target_fd(void)
{
	if (pct(40)) {
		int f = open_fd(NULL);
		if (f > 2)
			return maybe_high((u64)f);
	}
	if (pct(50))
		return maybe_high(closed_fd());
	for (;;) {
		int f = 3 + (int)below(61);
		if (fd_state[f] != FD_FOREIGN)
			return maybe_high((u64)f);
	}
}

static void note_new_fd(long r, u64 from)
{
	if (r >= 0 && r < MAX_FD && fd_state[r] != FD_FOREIGN) {
		fd_state[r] = FD_OPEN;
		fd_origin[r] = (unsigned char)origin(from);
	}
}

/* ---- pointers and lengths ---- */

/* Addresses no access can succeed at (or touch anything of ours). */
static u64 bad_ptr(void)
{
	switch (below(16)) {
	case 0: return 0;
	case 1: return 1 + below(4095);
	case 2: return (u64)-1;
	case 3: return (u64)-4096;
	case 4: return 0xffffffff81000000ULL;   /* kernel text */
	case 5: return 0xffff800000000000ULL;   /* start of the kernel half */
	case 6: return 0x0000800000000000ULL;   /* first non-canonical */
	case 7: return 0x8000000000000000ULL;
	case 8: return 0xffffffffff600000ULL;   /* vsyscall page */
	case 9: return TASK_SIZE + below(PAGE); /* the last user page, never mapped */
	case 10: return (rnd() | (1ULL << 47)) & ~(pct(50) ? 0ULL : 0xfffULL); /* not user space */
	case 11: return (u64)pn_page + below(PAGE);
	case 12: return (u64)hole + below(PAGE);
	case 13: return (u64)pn_page;
	case 14: return (u64)hole;
	default: return 0x00007fffffffffffULL - below(8);
	}
}

/* Read-only memory of ours: the kernel must refuse to write here. */
static u64 ro_ptr(void)
{
	switch (below(4)) {
	case 0: return (u64)ro_page + below(PAGE);
	case 1: return (u64)rodata_blob + below(sizeof(rodata_blob) - 64);
	case 2: return (u64)__executable_start + below((u64)(etext - __executable_start) - 64);
	default: return (u64)ro_page;
	}
}

/*
 * A pointer the kernel may write `need` bytes (at least) through, and in
 * *cap the length that is safe there (INF: any length).
 */
static u64 out_ptr(u64 need, u64 *cap)
{
	int r = (int)below(100);
	if (r < 30) {
		u64 off = below(SBUF_SIZE - need + 1);
		if (pct(50))
			off &= ~(PAGE - 1);
		*cap = SBUF_SIZE - off;
		return (u64)sbuf + off;
	}
	*cap = INF;
	if (r < 60) {
		u64 off;
		switch (below(4)) {
		case 0: off = below(ARENA_SIZE) & ~(PAGE - 1); break;
		case 1: off = ARENA_SIZE - 1 - below(64); break; /* runs into the guard */
		default: off = below(ARENA_SIZE); break;
		}
		return (u64)arena + off;
	}
	if (r < 70)
		return ro_ptr();
	return bad_ptr();
}

/* A pointer the kernel only reads through: anything at all. */
static u64 in_ptr(void)
{
	u64 cap;
	switch (below(8)) {
	case 0: return (u64)canary + below(sizeof(canary));
	case 1: return below(1ULL << 47);                /* a random user address */
	case 2: return (u64)&cap;                       /* our stack */
	case 3: return (u64)__executable_start + below((u64)(etext - __executable_start));
	default: return out_ptr(0, &cap);
	}
}

/* A length for a buffer with safe capacity `cap`. */
static u64 len_for(u64 cap)
{
	u64 lim = cap == INF ? (1UL << 24) : cap;
	switch (below(10)) {
	case 0: return 0;
	case 1: return 1 + below(16);
	case 2: return PAGE < lim ? PAGE : lim;
	case 3: return lim;
	case 4: case 5: return below(lim + 1);
	default:
		if (cap != INF)
			return below(lim + 1);
		switch (below(10)) {
		case 0: return (u64)-1;
		case 1: return 1ULL << 63;
		case 2: return 1ULL << 62;
		case 3: return 0x7ffff000;
		case 4: return 0x80000000;
		case 5: return 0xffffffff;
		case 6: return 1ULL << 47;
		case 7: return (u64)-4096;
		case 8: return (u64)(uint32_t)rnd();
		default: return rnd();
		}
	}
}

/* Random flags: all ones, a few random bits, or a random word. */
static u64 rflags(u64 known)
{
	switch (below(6)) {
	case 0: return (u64)-1;
	case 1: return 0xffffffff;
	case 2: return rnd();
	case 3: return (u64)(uint32_t)rnd();
	case 4: return 0;
	default: return known & rnd();
	}
}

/*
 * A range for a call that changes mappings: inside the arena (the length
 * never passes its end), or a length that wraps around the address space,
 * or an address that is not user space.
 */
static void mm_range(u64 *addr, u64 *len)
{
	int r = (int)below(100);
	if (r < 75) {
		u64 off = below(ARENA_SIZE / PAGE) * PAGE;
		if (pct(8))
			off += 1 + below(PAGE - 1); /* unaligned */
		*addr = (u64)arena + off;
		u64 rem = ARENA_SIZE - off;
		switch (below(6)) {
		case 0: *len = 0; break;
		case 1: *len = PAGE < rem ? PAGE : rem; break;
		case 2: *len = rem; break;
		case 3: *len = below(rem + 1); break;
		default: *len = (below(rem / PAGE) + 1) * PAGE; if (*len > rem) *len = rem; break;
		}
		return;
	}
	if (r < 85) {
		/* arena address, a length that wraps past 2^64 */
		*addr = (u64)arena + below(ARENA_SIZE / PAGE) * PAGE;
		*len = (u64)0 - (1 + below(*addr));
		return;
	}
	/* not user space; any length */
	do {
		*addr = bad_ptr();
	} while (*addr < (1ULL << 47));
	*len = len_for(INF);
}

/* A prepared struct in `prepared` (slot 0..7, 64 bytes each). */
static u64 *slot(int i)
{
	return &prepared[i * 8];
}

/* ---- tracing ---- */

static int verbose;
static u64 iter;

/* -v: "#I name(args)" before the call (so a hang shows it), "#I = result" after. */
static void trace_call(const char *name, long nr, const u64 *a)
{
	char buf[400];
	int k;
	if (strncmp(name, "SYS_", 4) == 0)
		k = snprintf(buf, sizeof(buf), "#%llu %s(", (unsigned long long)iter, name);
	else
		k = snprintf(buf, sizeof(buf), "#%llu syscall_%#lx(", (unsigned long long)iter, (unsigned long)nr);
	for (int i = 0; i < 6; i++)
		k += snprintf(buf + k, sizeof(buf) - (size_t)k, "%s%#llx", i ? ", " : "", (unsigned long long)a[i]);
	k += snprintf(buf + k, sizeof(buf) - (size_t)k, ")\n");
	out(2, buf, (size_t)k);
}

static void trace_result(long r, int e)
{
	char buf[64];
	int k;
	if (r == -1)
		k = snprintf(buf, sizeof(buf), "#%llu = -1 errno %d\n", (unsigned long long)iter, e);
	else
		k = snprintf(buf, sizeof(buf), "#%llu = %#lx\n", (unsigned long long)iter, (unsigned long)r);
	out(2, buf, (size_t)k);
}

static int last_errno;

static long call(const char *name, long nr, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	u64 a[6] = { a0, a1, a2, a3, a4, a5 };
	if (verbose)
		trace_call(name, nr, a);
	errno = 0;
	long r = syscall(nr, a0, a1, a2, a3, a4, a5);
	last_errno = errno;
	if (verbose)
		trace_result(r, last_errno);
	return r;
}

#define CALL(nr, ...) call(#nr, nr, __VA_ARGS__)
#define A0 0, 0, 0, 0, 0, 0

/* ---- the fuzzed calls ---- */

static void f_read(void)
{
	u64 cap;
	u64 buf = out_ptr(0, &cap);
	u64 fd = fd_for(ok_read);
	u64 len = len_for(cap);
	if (pct(50))
		CALL(SYS_read, fd, buf, len, 0, 0, 0);
	else
		CALL(SYS_pread64, fd, buf, len, pct(20) ? rnd() : below(1 << 20), 0, 0);
}

/* For writes to an open descriptor: a buffer that faults at its first byte
 * (every bad_ptr does). */
static u64 fault_ptr(void)
{
	return bad_ptr();
}

/* Whether data written to fd may go anywhere: closed, /dev/null, or pwrite on a pipe (ESPIPE). */
static int write_harmless(u64 fd, int positional)
{
	if (!is_ours(fd))
		return 1;
	int o = origin(fd);
	return std_write_sink[o] || (positional && std_fifo[o]);
}

static void f_write(void)
{
	int positional = pct(35);
	u64 fd = pct(50) ? maybe_high(closed_fd()) : fd_for(ok_any);
	u64 buf, len;
	if (write_harmless(fd, positional)) {
		buf = in_ptr();
		len = len_for(INF);
	} else if (pct(50)) {
		buf = in_ptr();
		len = 0;
	} else {
		buf = fault_ptr();
		len = len_for(INF);
	}
	if (!positional)
		CALL(SYS_write, fd, buf, len, 0, 0, 0);
	else
		CALL(SYS_pwrite64, fd, buf, len, pct(20) ? rnd() : below(1 << 20), 0, 0);
}

/* Fills iov[0..n) (the rest zero) and returns the iovec array. With `quiet`,
 * every segment is empty or faults at its first byte: nothing can be written. */
static u64 prep_iov(int n, int quiet)
{
	memset(iov, 0, sizeof(iov));
	for (int i = 0; i < n && i < NIOV; i++) {
		u64 cap;
		if (quiet) {
			if (pct(30)) {
				iov[2 * i] = in_ptr();
				iov[2 * i + 1] = 0;
			} else {
				iov[2 * i] = fault_ptr();
				iov[2 * i + 1] = len_for(INF);
			}
		} else {
			iov[2 * i] = out_ptr(0, &cap);
			iov[2 * i + 1] = len_for(cap);
		}
	}
	return (u64)iov;
}

static u64 iov_count(int n)
{
	static const u64 c[] = { 0, 1, 2, 1024, 1025, (u64)-1, 0x80000000, 0x100000001ULL, 1023 };
	return pct(60) ? (u64)n : PICK(c);
}

static void f_readv(void)
{
	int n = (int)below(8) + (pct(5) ? 1000 : 0);
	u64 fd = fd_for(ok_read);
	u64 v = pct(85) ? prep_iov(n, 0) : (pct(50) ? bad_ptr() : ro_ptr());
	u64 cnt = iov_count(n);
	if (pct(50))
		CALL(SYS_readv, fd, v, cnt, 0, 0, 0);
	else
		CALL(SYS_preadv, fd, v, cnt, pct(20) ? rnd() : below(1 << 20), pct(10) ? rnd() : 0, 0);
}

static void f_writev(void)
{
	int n = (int)below(8) + (pct(5) ? 1000 : 0);
	int positional = pct(35);
	u64 fd = pct(50) ? maybe_high(closed_fd()) : fd_for(ok_any);
	u64 v;
	if (write_harmless(fd, positional))
		v = pct(85) ? prep_iov(n, 0) : in_ptr();
	else
		v = pct(85) ? prep_iov(n, 1) : bad_ptr();
	u64 cnt = iov_count(n);
	if (!positional)
		CALL(SYS_writev, fd, v, cnt, 0, 0, 0);
	else
		CALL(SYS_pwritev, fd, v, cnt, pct(20) ? rnd() : below(1 << 20), pct(10) ? rnd() : 0, 0);
}

static void f_close(void)
{
	u64 fd = target_fd();
	long r = CALL(SYS_close, fd, 0, 0, 0, 0, 0);
	int f = fd_low(fd);
	/* Linux closes the fd even when close reports an error (EINTR, EIO). */
	if (f >= 3 && f < MAX_FD && fd_state[f] == FD_OPEN && (r == 0 || last_errno != EBADF))
		fd_state[f] = FD_CLOSED;
}

static void f_dup(void)
{
	u64 old = fd_for(ok_any);
	switch (below(3)) {
	case 0: {
		long r = CALL(SYS_dup, old, 0, 0, 0, 0, 0);
		note_new_fd(r, old);
		break;
	}
	case 1: {
		if (pct(10))
			old = target_fd(); /* dup2(fd, fd) */
		u64 nfd = pct(10) ? old : target_fd();
		long r = CALL(SYS_dup2, old, nfd, 0, 0, 0, 0);
		if (r >= 0)
			note_new_fd(r, old);
		break;
	}
	default: {
		u64 nfd = pct(10) ? old : target_fd();
		if (fd_low(nfd) < 3)
			nfd = target_fd();
		u64 fl = pct(70) ? (pct(50) ? O_CLOEXEC : 0) : rflags(O_CLOEXEC);
		long r = CALL(SYS_dup3, old, nfd, fl, 0, 0, 0);
		if (r >= 0)
			note_new_fd(r, old);
		break;
	}
	}
}

static void f_fcntl(void)
{
	/* Commands whose argument is a pointer the kernel may write through. */
	static const int ptr_cmds[] = { F_GETLK, F_OFD_GETLK, F_GETOWN_EX, 1035 /* F_GET_RW_HINT */,
					1037 /* F_GET_FILE_RW_HINT */, 17 /* F_GETOWNER_UIDS */,
					F_SETLK, F_OFD_SETLK, 1036 /* F_SET_RW_HINT */, 1038 };
	static const int int_cmds[] = { F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETOWN, F_GETSIG,
					F_GETLEASE, F_DUPFD_CLOEXEC, F_GETPIPE_SZ, 1034 /* F_GET_SEALS */,
					1033 /* F_ADD_SEALS */, 1027 /* F_DUPFD_QUERY */, 1028 /* F_CREATED_QUERY */,
					1029 /* F_CANCELLK */ };
	u64 fd = fd_for(ok_any);
	/* Only a pipe of ours may be locked or given hints: /dev/null's inode is the host's. */
	int pipe = !is_ours(fd) || std_fifo[origin(fd)];
	int tty = is_ours(fd) && std_tty[origin(fd)];
	u64 cmd;
	u64 arg;
	int kind = (int)below(10);
	if (kind < 3) {
		cmd = (u64)PICK(ptr_cmds);
		u64 cap;
		arg = pct(80) ? out_ptr(64, &cap) : below(4096);
		if (!pipe && (cmd == F_SETLK || cmd == F_OFD_SETLK || cmd == 1036 || cmd == 1038))
			cmd = F_GETLK;
	} else if (kind < 9) {
		cmd = (u64)PICK(int_cmds);
		switch (below(5)) {
		case 0: arg = below(64); break;
		case 1: arg = (u64)-1; break;
		case 2: arg = rnd(); break;
		case 3: arg = below(4096); break;
		default: arg = (u64)(uint32_t)rnd(); break;
		}
		if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
			/* never a new descriptor above what we track */
			if ((uint32_t)arg < 0x80000000U && (uint32_t)arg >= MAX_FD / 2)
				arg = below(MAX_FD / 2);
		}
		if (tty && (cmd == F_SETFL || cmd == 1033))
			cmd = F_GETFL;
	} else {
		/* an unknown command (random, above all known ones) */
		do {
			cmd = rnd();
		} while ((uint32_t)cmd < 4096);
		arg = rnd();
	}
	if (pct(5))
		cmd |= rnd() << 32; /* cmd is an int */
	long r = CALL(SYS_fcntl, fd, cmd, arg, 0, 0, 0);
	int c = (int)(uint32_t)cmd;
	if (c == F_DUPFD || c == F_DUPFD_CLOEXEC)
		note_new_fd(r, fd);
}

static void f_ioctl(void)
{
	static const uint32_t reqs[] = { 0x541B /* FIONREAD */, 0x5421 /* FIONBIO */, 0x5451 /* FIOCLEX */,
					 0x5450 /* FIONCLEX */, 0x5452 /* FIOASYNC */, 0x5460 /* FIOQSIZE */,
					 0x5401 /* TCGETS */, 0x5413 /* TIOCGWINSZ */, 0x540F /* TIOCGPGRP */,
					 0x5429 /* TIOCGSID */, 0x80086601 /* FS_IOC_GETFLAGS */, 0x2 /* FIGETBSZ */,
					 0x80811501 /* FS_IOC_GETFSUUID */, 0x80811501 };
	u64 fd = fd_for(ok_quiet);
	u64 req;
	if (pct(60))
		req = PICK(reqs);
	else {
		do {
			req = pct(50) ? rnd() : (u64)(uint32_t)rnd();
			/* FIFREEZE, FITHAW: never, even where they would fail */
		} while ((uint32_t)req == 0xC0045877U || (uint32_t)req == 0xC0045878U);
	}
	if (pct(5))
		req |= rnd() << 32; /* the request is 32 bits */
	u64 cap;
	u64 arg = pct(80) ? out_ptr(4096, &cap) : below(4096);
	CALL(SYS_ioctl, fd, req, arg, 0, 0, 0);
}

static void f_mmap(void)
{
	static const u64 common[] = {
		MAP_PRIVATE | MAP_ANONYMOUS,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED,
		MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_FIXED,
		MAP_PRIVATE | MAP_FIXED, /* file mapping with a random fd */
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		MAP_ANONYMOUS | MAP_FIXED, /* no type */
		MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS,
	};
	u64 flags = pct(70) ? PICK(common) : rflags(0xfffff);
	if (pct(10))
		flags |= rnd() << 32; /* flags are an int */
	u64 prot = pct(70) ? below(8) : rflags(0xffffffff);
	u64 addr, len;
	uint32_t f = (uint32_t)flags;
	if (f & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		mm_range(&addr, &len);
	} else {
		/* a hint: anything; the kernel will not clobber with it */
		u64 cap;
		addr = pct(50) ? out_ptr(0, &cap) : in_ptr();
		len = pct(70) ? below(1 << 22) : len_for(INF);
	}
	/* populating or locking: keep it small (or absurd) */
	if ((f & (MAP_POPULATE | MAP_LOCKED)) && len > (8UL << 20) && len <= TASK_SIZE)
		len = below(8UL << 20);
	/* never a descriptor we did not open (a file could be mapped shared and written) */
	u64 fd = pct(80) ? (u64)-1 : (pct(50) ? fd_for(ok_quiet) : (rnd() | 0x80000000ULL));
	u64 off = pct(70) ? 0 : (pct(50) ? below(1 << 20) * PAGE : rnd());
	long r = CALL(SYS_mmap, addr, len, prot, flags, fd, off);
	if (r != -1 && !in_arena((u64)r)) {
		/* placed by the kernel outside the arena: ours to drop */
		syscall(SYS_munmap, r, len);
	}
}

static void f_munmap(void)
{
	u64 a, l;
	mm_range(&a, &l);
	CALL(SYS_munmap, a, l, 0, 0, 0, 0);
}

static void f_mprotect(void)
{
	u64 a, l;
	mm_range(&a, &l);
	u64 prot = pct(70) ? below(8) : (pct(50) ? (below(8) | PROT_GROWSDOWN | (pct(50) ? PROT_GROWSUP : 0)) : rflags(~0ULL));
	CALL(SYS_mprotect, a, l, prot, 0, 0, 0);
}

static void f_mremap(void)
{
	u64 old, olen;
	mm_range(&old, &olen);
	static const u64 fl[] = { 0, MREMAP_MAYMOVE, MREMAP_MAYMOVE | MREMAP_FIXED, MREMAP_FIXED,
				  MREMAP_MAYMOVE | MREMAP_DONTUNMAP, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
				  MREMAP_DONTUNMAP };
	u64 flags = pct(85) ? PICK(fl) : rflags(7);
	u64 nlen, naddr = 0;
	if (flags & MREMAP_FIXED) {
		mm_range(&naddr, &nlen);
		if (pct(20) && in_arena(naddr) && olen <= ARENA_SIZE && naddr + olen <= (u64)arena + ARENA_SIZE)
			nlen = olen; /* a pure move */
	} else {
		nlen = pct(70) ? below(1 << 24) : len_for(INF);
		naddr = pct(50) ? 0 : in_ptr();
	}
	if (pct(5))
		flags |= rnd() << 32;
	long r = CALL(SYS_mremap, old, olen, nlen, flags, naddr, 0);
	if (r != -1 && !in_arena((u64)r))
		syscall(SYS_munmap, r, nlen);
}

static void f_madvise(void)
{
	static const int adv[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
				   MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE,
				   MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP,
				   MADV_WIPEONFORK, MADV_KEEPONFORK, 20 /* COLD */, 21 /* PAGEOUT */,
				   22 /* POPULATE_READ */, 23 /* POPULATE_WRITE */, 24 /* DONTNEED_LOCKED */,
				   25 /* COLLAPSE */, 102 /* GUARD_INSTALL */, 103 /* GUARD_REMOVE */, -1, 1000 };
	u64 a, l;
	mm_range(&a, &l);
	u64 advice;
	if (pct(80))
		advice = (u64)(int64_t)PICK(adv);
	else {
		do {
			advice = pct(50) ? rnd() : below(256);
			/* MADV_HWPOISON, MADV_SOFT_OFFLINE: root could poison real pages */
		} while ((uint32_t)advice == 100 || (uint32_t)advice == 101);
	}
	CALL(SYS_madvise, a, l, advice, 0, 0, 0);
}

static void f_mincore(void)
{
	u64 a, l;
	if (pct(60)) {
		mm_range(&a, &l);
	} else {
		a = in_ptr() & (pct(80) ? ~(PAGE - 1) : ~0ULL); /* read-only call: any address */
		l = len_for(INF);
	}
	u64 cap;
	u64 vec = out_ptr(16, &cap);
	if (cap != INF && l / PAGE + (l % PAGE != 0) > cap)
		l = (cap - 1) * PAGE;
	CALL(SYS_mincore, a, l, vec, 0, 0, 0);
}

static void f_msync(void)
{
	u64 a, l;
	mm_range(&a, &l);
	u64 fl = pct(70) ? below(8) : rflags(7);
	CALL(SYS_msync, a, l, fl, 0, 0, 0);
}

static void f_brk(void)
{
	u64 v;
	switch (below(6)) {
	case 0: v = 0; break;
	case 1: v = bad_ptr(); break;
	case 2: v = below(brk0 > 4096 ? brk0 / 2 : 4096); break; /* below the heap: refused */
	case 3: v = rnd(); break;
	default: v = brk0 + below(64UL << 20); break;
	}
	/* Never between the heap's start and its value at start (glibc's TLS lives there). */
	if (v < brk0 && v >= brk0 - (64UL << 20))
		v = brk0;
	CALL(SYS_brk, v, 0, 0, 0, 0, 0);
}

static void f_arch_prctl(void)
{
	static const u64 safe[] = { 0x1003 /* GET_FS */, 0x1004 /* GET_GS */, 0x1001 /* SET_GS */,
				    0x1011 /* GET_CPUID */, 0x1021 /* GET_XCOMP_SUPP */, 0x1022 /* GET_XCOMP_PERM */,
				    0x1024 /* GET_XCOMP_GUEST_PERM */, 0, 0x1000, 0x1005, 0x1fff };
	u64 code;
	if (pct(85))
		code = PICK(safe);
	else {
		for (;;) {
			code = pct(50) ? below(0x10000) : rnd();
			uint32_t c = (uint32_t)code;
			/* SET_FS (libc's TLS), SET_CPUID, vDSO mapping, LAM, shadow stack: never */
			if (c == 0x1002 || c == 0x1012 || (c >= 0x2000 && c < 0x6000))
				continue;
			break;
		}
	}
	if (pct(5) && (uint32_t)code != 0x1002)
		code |= rnd() << 32;
	u64 cap;
	u64 addr;
	if ((uint32_t)code == 0x1001)
		addr = pct(50) ? rnd() : in_ptr(); /* SET_GS: any value (libc does not use %gs) */
	else
		addr = out_ptr(8, &cap);
	CALL(SYS_arch_prctl, code, addr, 0, 0, 0, 0);
}

static void f_tid_robust_rseq(void)
{
	u64 cap;
	switch (below(4)) {
	case 0:
		CALL(SYS_set_tid_address, pct(50) ? out_ptr(4, &cap) : in_ptr(), 0, 0, 0, 0, 0);
		break;
	case 1:
		CALL(SYS_set_robust_list, in_ptr(), pct(60) ? 24 : len_for(INF), 0, 0, 0, 0);
		break;
	case 2: {
		static const u64 pids[] = { 0, 1, (u64)-1, 0x7fffffff, 99999999 };
		u64 pid = pct(60) ? (u64)getpid() : PICK(pids);
		CALL(SYS_get_robust_list, pid, out_ptr(8, &cap), out_ptr(8, &cap), 0, 0, 0);
		break;
	}
	default: {
		u64 p = in_ptr();
		u64 len = pct(50) ? 32 : len_for(INF);
		u64 fl = pct(50) ? 0 : rflags(1);
		u64 sig = pct(50) ? 0x53053053 : rnd();
		long r = CALL(SYS_rseq, p, len, fl, sig, 0, 0);
		if (r == 0 && !(fl & 1))
			syscall(SYS_rseq, p, len, 1, sig); /* registered: take it back at once */
		break;
	}
	}
}

static void f_identity(void)
{
	static const long nrs[] = { SYS_getpid, SYS_gettid, SYS_getppid, SYS_getuid, SYS_geteuid, SYS_getgid,
				    SYS_getegid, SYS_sched_yield };
	long nr = PICK(nrs);
	call("identity", nr, rnd(), rnd(), rnd(), rnd(), rnd(), rnd());
	if (pct(30)) {
		u64 cap;
		u64 p = out_ptr(4 * 65536 + 8, &cap);
		u64 size = pct(50) ? below(70000) : (pct(50) ? (u64)-1 : rnd());
		if (cap != INF && (uint32_t)size * 4ULL > cap)
			size = cap / 4;
		CALL(SYS_getgroups, size, p, 0, 0, 0, 0);
	}
}

static u64 clock_id(int for_sleep)
{
	static const u64 sleepable[] = { 0, 1, 7, 11, 8, 9, 3, 4, 5, 6, 10, 12, 16, 1000, 0x7fffffff };
	static const u64 any[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, (u64)-1, (u64)-2, (u64)-6,
				   (u64)-8, (u64)-14, 0x7fffffff, 0x80000000 };
	if (for_sleep)
		return PICK(sleepable); /* no CPU-time clocks: a sleep on one may never end */
	if (pct(15))
		return rnd();
	return PICK(any);
}

/* A prepared timespec that sleeps a few microseconds at most, or an invalid one. */
static u64 sleep_req(void)
{
	if (pct(15))
		return bad_ptr();
	if (pct(5))
		return (u64)ro_page + below(PAGE / 8 - 2) * 8; /* all 'A': an invalid tv_nsec */
	u64 *ts = slot(1);
	switch (below(6)) {
	case 0: ts[0] = 0; ts[1] = below(2000); break;
	case 1: ts[0] = 0; ts[1] = 1000000000 + below(1000); break; /* EINVAL */
	case 2: ts[0] = 0; ts[1] = (u64)-1 - below(1000); break;     /* EINVAL */
	case 3: ts[0] = (u64)-1 - below(1000); ts[1] = below(1000); break; /* negative: EINVAL */
	case 4: ts[0] = rnd() | (1ULL << 63); ts[1] = below(1000000000); break; /* negative */
	default: ts[0] = rnd(); ts[1] = 1000000000ULL + below(1ULL << 40); break; /* EINVAL */
	}
	return (u64)ts;
}

static void f_time(void)
{
	u64 cap;
	switch (below(7)) {
	case 0: CALL(SYS_clock_gettime, clock_id(0), out_ptr(16, &cap), 0, 0, 0, 0); break;
	case 1: CALL(SYS_clock_getres, clock_id(0), pct(20) ? 0 : out_ptr(16, &cap), 0, 0, 0, 0); break;
	case 2: CALL(SYS_gettimeofday, pct(20) ? 0 : out_ptr(16, &cap), pct(50) ? 0 : out_ptr(8, &cap), 0, 0, 0, 0); break;
	case 3: CALL(SYS_time, pct(30) ? 0 : out_ptr(8, &cap), 0, 0, 0, 0, 0); break;
	case 4: CALL(SYS_nanosleep, sleep_req(), pct(50) ? 0 : out_ptr(16, &cap), 0, 0, 0, 0); break;
	case 5: {
		u64 fl = pct(50) ? (pct(50) ? 1 /* TIMER_ABSTIME */ : 0) : rflags(1);
		CALL(SYS_clock_nanosleep, clock_id(1), fl, sleep_req(), pct(50) ? 0 : out_ptr(16, &cap), 0, 0);
		break;
	}
	default: CALL(SYS_sysinfo, out_ptr(112, &cap), 0, 0, 0, 0, 0); break;
	}
}

static void f_uname_random(void)
{
	u64 cap;
	if (pct(40)) {
		CALL(SYS_uname, out_ptr(390, &cap), 0, 0, 0, 0, 0);
		return;
	}
	u64 buf = out_ptr(0, &cap);
	u64 len = len_for(cap);
	static const u64 fl[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	u64 flags = pct(70) ? PICK(fl) : rflags(7);
	CALL(SYS_getrandom, buf, len, flags, 0, 0, 0);
}

/* Limits we must not lower (or could never raise back). */
static int protected_limit(u64 res)
{
	switch ((uint32_t)res) {
	case 0:  /* CPU: SIGXCPU */
	case 1:  /* FSIZE */
	case 2:  /* DATA */
	case 3:  /* STACK */
	case 7:  /* NOFILE */
	case 9:  /* AS */
	case 15: /* RTTIME */
		return 1;
	}
	return 0;
}

/* A new-limit pointer for resource `res`. */
static u64 new_rlimit(u64 res)
{
	if (pct(20))
		return bad_ptr();
	u64 *rl = slot(2);
	if (protected_limit(res)) {
		switch (below(3)) {
		case 0: /* cur > max: EINVAL */
			rl[1] = below(1 << 20);
			rl[0] = rl[1] + 1 + below(1000);
			break;
		case 1: /* as it is (from getrlimit) */
			if (syscall(SYS_prlimit64, 0, (uint32_t)res, 0, rl) != 0)
				rl[0] = 1, rl[1] = 0;
			break;
		default: /* infinite: raising needs privilege, lowering is impossible */
			rl[0] = rl[1] = (u64)-1;
			if ((uint32_t)res == 7) /* NOFILE: above nr_open is EPERM */
				rl[0] = rl[1] = pct(50) ? (u64)-1 : (1ULL << 40);
			break;
		}
	} else {
		rl[0] = pct(30) ? (u64)-1 : (pct(50) ? below(1 << 20) : rnd());
		rl[1] = pct(30) ? (u64)-1 : (pct(50) ? below(1 << 20) : rnd());
	}
	return (u64)rl;
}

static void f_rlimit(void)
{
	u64 res = pct(85) ? below(17) : (pct(50) ? rnd() : (u64)-1);
	u64 cap;
	switch (below(3)) {
	case 0: {
		u64 pid = pct(70) ? 0 : (pct(50) ? (u64)getpid() : (u64)-1);
		u64 nw = pct(40) ? new_rlimit(res) : 0;
		u64 old = pct(40) ? 0 : out_ptr(16, &cap);
		if (!nw && pct(20))
			pid = pct(50) ? 1 : rnd() & 0xffffff; /* query another process: harmless */
		CALL(SYS_prlimit64, pid, res, nw, old, 0, 0);
		break;
	}
	case 1:
		CALL(SYS_getrlimit, res, pct(10) ? 0 : out_ptr(16, &cap), 0, 0, 0, 0);
		break;
	default:
		CALL(SYS_setrlimit, res, pct(10) ? 0 : new_rlimit(res), 0, 0, 0, 0);
		break;
	}
}

static void f_affinity(void)
{
	u64 cap;
	u64 pid = pct(60) ? 0 : (pct(50) ? (u64)getpid() : rnd() & 0xffffff);
	u64 mask = out_ptr(8192, &cap);
	static const u64 lens[] = { 0, 1, 7, 8, 16, 64, 128, 1024, 8192, (u64)-1, 0x80000000, 4097 };
	u64 len = pct(70) ? PICK(lens) : len_for(INF);
	CALL(SYS_sched_getaffinity, pid, len, mask, 0, 0, 0);
}

static void f_readlink(void)
{
	u64 cap;
	u64 path;
	switch (below(4)) {
	case 0: path = (u64)paths[below(8)]; break;
	case 1: path = bad_ptr(); break;
	case 2: path = ro_ptr(); break;
	default: path = in_ptr(); break;
	}
	u64 buf = out_ptr(0, &cap);
	u64 size = len_for(cap);
	if (cap != INF && size > cap)
		size = cap;
	switch (below(4)) {
	case 0:
		CALL(SYS_readlinkat, pct(50) ? (u64)AT_FDCWD : fd_for(ok_any), path, buf, size, 0, 0);
		break;
	case 1: {
		static const u64 fl[] = { 0, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, (u64)-1 };
		CALL(SYS_newfstatat, pct(50) ? (u64)AT_FDCWD : fd_for(ok_any), path, out_ptr(256, &cap),
		     pct(70) ? PICK(fl) : rnd(), 0, 0);
		break;
	}
	case 2:
		CALL(SYS_fstat, fd_for(ok_any), out_ptr(256, &cap), 0, 0, 0, 0);
		break;
	default:
		CALL(SYS_readlink, path, buf, size, 0, 0, 0);
		break;
	}
}

/* Signals nobody will send us: a garbage handler there is harmless. */
static const int quiet_sigs[] = { SIGUSR1, SIGUSR2, 34, 40, 50, 60, 64 };
/* Signals where SIG_IGN/SIG_DFL are harmless. */
static const int mild_sigs[] = { SIGUSR1, SIGUSR2, SIGWINCH, SIGURG, SIGCHLD, SIGPIPE, SIGTTOU, SIGTTIN,
				 SIGPROF, SIGALRM, SIGHUP, SIGIO, SIGXFSZ, SIGSEGV, SIGBUS, 34, 45, 64 };

static void f_sigaction(void)
{
	u64 cap;
	u64 sig;
	u64 act = 0;
	int kind = (int)below(10);
	if (kind < 4) {
		/* query */
		sig = pct(80) ? 1 + below(64) : rnd();
	} else if (kind < 8) {
		/* SIG_DFL / SIG_IGN on a harmless signal */
		sig = (u64)PICK(mild_sigs);
		u64 *sa = slot(3);
		sa[0] = pct(50) ? (u64)SIG_DFL : (u64)SIG_IGN;
		sa[1] = pct(50) ? 0x04000000 /* SA_RESTORER */ : rflags(~0ULL);
		sa[2] = rnd();
		sa[3] = rnd();
		act = (u64)sa;
	} else if (kind < 9) {
		/* random memory as the action: on a signal nobody sends, or an invalid one */
		static const u64 inval[] = { 0, 65, 66, 1000, (u64)-1, SIGKILL, SIGSTOP, 0x80000000 };
		sig = pct(60) ? (u64)PICK(quiet_sigs) : PICK(inval);
		act = pct(50) ? in_ptr() : bad_ptr();
	} else {
		/* an unreadable action */
		sig = pct(30) ? (pct(50) ? SIGKILL : SIGSTOP) : (u64)PICK(mild_sigs);
		act = bad_ptr();
		if (act == 0)
			act = (u64)pn_page;
	}
	if (pct(5))
		sig |= rnd() << 32; /* the signal is an int: the low 32 bits decide */
	u64 oact = pct(40) ? 0 : out_ptr(32, &cap);
	u64 size = pct(85) ? 8 : (pct(50) ? below(32) : rnd());
	CALL(SYS_rt_sigaction, sig, act, oact, size, 0, 0);
}

static void f_sigprocmask(void)
{
	u64 cap;
	u64 how = pct(80) ? below(3) : (pct(50) ? below(10) : rnd());
	u64 set = pct(20) ? 0 : in_ptr();
	u64 oset = pct(40) ? 0 : out_ptr(8, &cap);
	u64 size = pct(85) ? 8 : (pct(50) ? below(32) : rnd());
	CALL(SYS_rt_sigprocmask, how, set, oset, size, 0, 0);
}

/* Calls tsvisor may not implement that only query (any result is fine). */
static void f_queries(void)
{
	u64 cap;
	u64 pid = pct(50) ? 0 : (pct(50) ? (u64)getpid() : rnd() & 0xffffff);
	switch (below(16)) {
	case 0: CALL(SYS_getpgrp, A0); break;
	case 1: CALL(SYS_getpgid, pid, 0, 0, 0, 0, 0); break;
	case 2: CALL(SYS_getsid, pid, 0, 0, 0, 0, 0); break;
	case 3: CALL(SYS_times, pct(20) ? 0 : out_ptr(32, &cap), 0, 0, 0, 0, 0); break;
	case 4: CALL(SYS_getrusage, pct(70) ? below(3) - 1 : rnd(), out_ptr(144, &cap), 0, 0, 0, 0); break;
	case 5: CALL(SYS_getresuid, out_ptr(4, &cap), out_ptr(4, &cap), out_ptr(4, &cap), 0, 0, 0); break;
	case 6: CALL(SYS_getresgid, out_ptr(4, &cap), out_ptr(4, &cap), out_ptr(4, &cap), 0, 0, 0); break;
	case 7: CALL(SYS_getitimer, pct(70) ? below(4) : rnd(), out_ptr(32, &cap), 0, 0, 0, 0); break;
	case 8: CALL(SYS_sched_getscheduler, pid, 0, 0, 0, 0, 0); break;
	case 9: CALL(SYS_sched_getparam, pid, out_ptr(4, &cap), 0, 0, 0, 0); break;
	case 10: CALL(SYS_sched_get_priority_max, pct(70) ? below(8) : rnd(), 0, 0, 0, 0, 0); break;
	case 11: CALL(SYS_sched_rr_get_interval, pid, out_ptr(16, &cap), 0, 0, 0, 0); break;
	case 12: CALL(SYS_getcpu, pct(30) ? 0 : out_ptr(4, &cap), pct(30) ? 0 : out_ptr(4, &cap), 0, 0, 0, 0); break;
	case 13: CALL(SYS_rt_sigpending, out_ptr(8, &cap), pct(80) ? 8 : rnd(), 0, 0, 0, 0); break;
	case 14: CALL(SYS_sigaltstack, pct(50) ? 0 : bad_ptr(), pct(30) ? 0 : out_ptr(24, &cap), 0, 0, 0, 0); break;
	default: {
		u64 buf = out_ptr(0, &cap);
		u64 size = len_for(cap);
		CALL(SYS_getcwd, buf, size, 0, 0, 0, 0);
		break;
	}
	}
}

static void f_prctl(void)
{
	u64 cap;
	switch (below(6)) {
	case 0: CALL(SYS_prctl, 16 /* PR_GET_NAME */, out_ptr(16, &cap), 0, 0, 0, 0); break;
	case 1: CALL(SYS_prctl, 15 /* PR_SET_NAME */, in_ptr(), 0, 0, 0, 0); break;
	case 2: CALL(SYS_prctl, 3 /* PR_GET_DUMPABLE */, rnd(), rnd(), rnd(), rnd(), 0); break;
	case 3: CALL(SYS_prctl, 4 /* PR_SET_DUMPABLE */, pct(50) ? 1 : rnd(), 0, 0, 0, 0); break;
	case 4: CALL(SYS_prctl, 2 /* PR_GET_PDEATHSIG */, out_ptr(4, &cap), 0, 0, 0, 0); break;
	default: {
		static const u64 inval[] = { 0, 1000, 0x7fffffff, (u64)-1, 0x59616d61 - 1 };
		CALL(SYS_prctl, PICK(inval), rnd(), rnd(), rnd(), rnd(), 0);
		break;
	}
	}
}

/*
 * Numbers no x86-64 kernel implements (with random arguments): they must fail
 * with ENOSYS, natively and sandboxed. (The kernel takes the low 32 bits of
 * rax as a signed int: all of these are negative or far past the table.)
 */
static void f_unimplemented(void)
{
	u64 nr;
	switch (below(6)) {
	case 0: nr = 512 + below(36); break;             /* the x32 range: not in the 64-bit table */
	case 1: nr = 1024 + below(1 << 20); break;      /* far past the last syscall */
	case 2: nr = 0x7fffffff - below(16); break;
	case 3: nr = (u64)-1 - below(16); break;        /* negative */
	case 4: nr = 0xffffffff - below(1 << 20); break; /* negative as an int */
	default: nr = 0x80000000 + below(1 << 20); break;
	}
	long r = call("unimplemented", (long)nr, rnd(), rnd(), rnd(), rnd(), rnd(), rnd());
	if (r != -1 || last_errno != ENOSYS) {
		say(1, "fuzz FAIL: syscall %#llx returned %ld errno %d, not ENOSYS (call %llu)\n", (unsigned long long)nr,
		    r, last_errno, (unsigned long long)iter);
		_exit(1);
	}
}

struct entry {
	void (*fn)(void);
	int weight;
};

static const struct entry table[] = {
	{ f_read, 6 },      { f_write, 6 },      { f_readv, 4 },        { f_writev, 4 },      { f_close, 3 },
	{ f_dup, 4 },       { f_fcntl, 5 },      { f_ioctl, 4 },        { f_mmap, 10 },       { f_munmap, 6 },
	{ f_mprotect, 6 },  { f_mremap, 7 },     { f_madvise, 5 },      { f_mincore, 4 },     { f_msync, 3 },
	{ f_brk, 3 },       { f_arch_prctl, 3 }, { f_tid_robust_rseq, 4 }, { f_identity, 3 }, { f_time, 6 },
	{ f_uname_random, 5 }, { f_rlimit, 4 },  { f_affinity, 3 },     { f_readlink, 4 },    { f_sigaction, 5 },
	{ f_sigprocmask, 4 }, { f_queries, 4 },  { f_prctl, 2 },        { f_unimplemented, 3 },
};

static void fuzz_one(void)
{
	int total = 0;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		total += table[i].weight;
	int r = (int)below((u64)total);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (r < table[i].weight) {
			table[i].fn();
			return;
		}
		r -= table[i].weight;
	}
}

/* ---- setup and the final checks ---- */

static void die(const char *what)
{
	say(1, "fuzz FAIL: %s (errno %d)\n", what, errno);
	_exit(1);
}

static void setup_memory(void)
{
	/* [hole page][guard_lo][arena][guard_hi][hole page] */
	u64 total = PAGE + GUARD_SIZE + ARENA_SIZE + GUARD_SIZE + PAGE;
	char *base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		die("mmap of the arena");
	if (munmap(base, PAGE) || munmap(base + total - PAGE, PAGE))
		die("munmap of the arena's outer pages");
	guard_lo = base + PAGE;
	arena = guard_lo + GUARD_SIZE;
	guard_hi = arena + ARENA_SIZE;
	if (mprotect(arena, ARENA_SIZE, PROT_READ | PROT_WRITE))
		die("mprotect of the arena");

	/* [ro_page][pn_page][hole] */
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap of the special pages");
	memset(p, 'A', PAGE);
	ro_page = p;
	pn_page = p + PAGE;
	hole = p + 2 * PAGE;
	if (mprotect(ro_page, PAGE, PROT_READ) || mprotect(pn_page, PAGE, PROT_NONE) || munmap(hole, PAGE))
		die("mprotect/munmap of the special pages");

	for (size_t i = 0; i < sizeof(canary); i++)
		canary[i] = (unsigned char)rnd();

	/* path strings */
	strcpy(paths[0], "/proc/self/exe");
	strcpy(paths[1], "");
	strcpy(paths[2], "/");
	strcpy(paths[3], "/proc/self/fd/1");
	strcpy(paths[4], "/nonexistent/x");
	memset(paths[5], 'a', sizeof(paths[5]) - 1); /* longer than PATH_MAX */
	paths[5][0] = '/';
	strcpy(paths[6], "/proc/thread-self/exe");
	for (int i = 0; i < 100; i++)
		paths[7][i] = (char)(1 + below(255));

	brk0 = (u64)syscall(SYS_brk, 0);
}

static int zero_page(const char *pg)
{
	for (size_t i = 0; i < PAGE; i++)
		if (pg[i])
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		say(2, "usage: fuzz SEED N [-v]\n");
		return 2;
	}
	u64 seed = strtoull(argv[1], NULL, 0);
	u64 n = strtoull(argv[2], NULL, 0);
	verbose = argc > 3 && strcmp(argv[3], "-v") == 0;
	rng_state = seed;

	volatile u64 stack_canary[64];
	for (int i = 0; i < 64; i++)
		stack_canary[i] = 0x5555aaaa00000000ULL + (u64)i;

	setup_memory();
	setup_fds();
	long pid0 = syscall(SYS_getpid);
	long tid0 = syscall(SYS_gettid);
	u64 h_canary = fnv(canary, sizeof(canary));
	u64 h_text = fnv(__executable_start, (size_t)(etext - __executable_start));
	u64 h_ro = fnv(rodata_blob, sizeof(rodata_blob));
	u64 h_ro_page = fnv(ro_page, PAGE);

	for (iter = 0; iter < n; iter++)
		fuzz_one();
	iter = n;

	/* Still sane? */
	if (fnv(canary, sizeof(canary)) != h_canary)
		die("the canary buffer changed");
	if (fnv(__executable_start, (size_t)(etext - __executable_start)) != h_text)
		die("our text changed");
	if (fnv(rodata_blob, sizeof(rodata_blob)) != h_ro)
		die("our read-only data changed");
	if (fnv(ro_page, PAGE) != h_ro_page)
		die("the read-only page changed");
	for (int i = 0; i < 64; i++)
		if (stack_canary[i] != 0x5555aaaa00000000ULL + (u64)i)
			die("the stack canary changed");
	if (syscall(SYS_getpid) != pid0)
		die("getpid changed");
	if (syscall(SYS_gettid) != tid0)
		die("gettid changed");
	/* Nothing may have been written to PROT_NONE memory. */
	if (mprotect(pn_page, PAGE, PROT_READ) || !zero_page(pn_page))
		die("the PROT_NONE page was written");
	if (mprotect(guard_lo + GUARD_SIZE - PAGE, PAGE, PROT_READ) || !zero_page(guard_lo + GUARD_SIZE - PAGE))
		die("the guard below the arena was written");
	if (mprotect(guard_hi, PAGE, PROT_READ) || !zero_page(guard_hi))
		die("the guard above the arena was written");
	say(1, "fuzz ok seed=%llu n=%llu\n", (unsigned long long)seed, (unsigned long long)n);
	return 0;
}
