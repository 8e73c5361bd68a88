/*
 * futex.c: futex(2) and futex_waitv(2) as one thread sees them (man 2 futex,
 * Linux kernel/futex/): EAGAIN, timeouts (relative, absolute on both
 * clocks), EINVAL / EFAULT / ENOSYS, wakes without waiters, FUTEX_WAKE_OP's
 * arithmetic on the word, and the PI protocol as far as one thread can go
 * (lock, trylock, EDEADLK, EPERM, ESRCH). Waits that need another thread
 * are in futex_mt.c.
 */
#include "check.h"

#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

#define PRIV FUTEX_PRIVATE_FLAG
#define ANY FUTEX_BITSET_MATCH_ANY
/* A TID above any pid_max (PID_MAX_LIMIT is 2^22): no such task. */
#define NO_TID 0x3ffffffeu

static long fx(void *uaddr, long op, long val, const void *timeout, void *uaddr2, long val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

/* The fourth argument as val2 (FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP). */
static long fx2(void *uaddr, long op, long val, long val2, void *uaddr2, long val3)
{
	return syscall(SYS_futex, uaddr, op, val, (void *)(uintptr_t)val2, uaddr2, val3);
}

static long tid(void) { return syscall(SYS_gettid); }

static long long now_ns(clockid_t c)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec ns_to_ts(long long ns)
{
	struct timespec ts = { ns / 1000000000LL, ns % 1000000000LL };
	return ts;
}

static void *map(int prot, int flags)
{
	void *p = (void *)syscall(SYS_mmap, NULL, PAGE, prot, flags | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static uint32_t word;
static uint32_t word2;

static void wait_eagain(void)
{
	word = 1;
	CHECK_ERR(fx(&word, FUTEX_WAIT, 2, NULL, NULL, 0), EAGAIN);
	CHECK_ERR(fx(&word, FUTEX_WAIT | PRIV, 0, NULL, NULL, 0), EAGAIN);
	CHECK_ERR(fx(&word, FUTEX_WAIT_BITSET | PRIV, 0, NULL, NULL, 1), EAGAIN);
	word = 0xfffffffe;
	CHECK_ERR(fx(&word, FUTEX_WAIT | PRIV, 0xffffffff, NULL, NULL, 0), EAGAIN);
	/* The value beats an expired timeout. */
	struct timespec zero = { 0, 0 };
	CHECK_ERR(fx(&word, FUTEX_WAIT | PRIV, 0, &zero, NULL, 0), EAGAIN);
	CHECK_ERR(fx(&word, FUTEX_WAIT_BITSET | PRIV, 0, &zero, NULL, ANY), EAGAIN);
}

static void wait_timeout_relative(void)
{
	word = 7;
	struct timespec zero = { 0, 0 };
	CHECK_ERR(fx(&word, FUTEX_WAIT | PRIV, 7, &zero, NULL, 0), ETIMEDOUT);
	struct timespec rel = { 0, 20 * 1000000 };
	long long t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_ERR(fx(&word, FUTEX_WAIT | PRIV, 7, &rel, NULL, 0), ETIMEDOUT);
	long long took = now_ns(CLOCK_MONOTONIC) - t0;
	CHECKF(took >= 20000000LL && took < 5000000000LL, "waited %lld ns for 20 ms", took);
	/* Shared (no FUTEX_PRIVATE_FLAG) on private memory. */
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_ERR(fx(&word, FUTEX_WAIT, 7, &rel, NULL, 0), ETIMEDOUT);
	took = now_ns(CLOCK_MONOTONIC) - t0;
	CHECKF(took >= 20000000LL, "waited %lld ns for 20 ms", took);
}

static void wait_timeout_absolute_monotonic(void)
{
	word = 3;
	long long t0 = now_ns(CLOCK_MONOTONIC);
	struct timespec abs = ns_to_ts(t0 + 20000000LL);
	CHECK_ERR(fx(&word, FUTEX_WAIT_BITSET | PRIV, 3, &abs, NULL, ANY), ETIMEDOUT);
	long long t1 = now_ns(CLOCK_MONOTONIC);
	CHECKF(t1 >= t0 + 20000000LL, "woke %lld ns before the deadline", t0 + 20000000LL - t1);
	/* A deadline in the past, and one at time 0. */
	abs = ns_to_ts(t0 - 1000000LL);
	CHECK_ERR(fx(&word, FUTEX_WAIT_BITSET | PRIV, 3, &abs, NULL, ANY), ETIMEDOUT);
	struct timespec zero = { 0, 0 };
	CHECK_ERR(fx(&word, FUTEX_WAIT_BITSET, 3, &zero, NULL, 0x10), ETIMEDOUT);
}

static void wait_timeout_absolute_realtime(void)
{
	word = 3;
	long long t0 = now_ns(CLOCK_REALTIME);
	struct timespec abs = ns_to_ts(t0 + 20000000LL);
	CHECK_ERR(fx(&word, FUTEX_WAIT_BITSET | PRIV | FUTEX_CLOCK_REALTIME, 3, &abs, NULL, ANY), ETIMEDOUT);
	long long t1 = now_ns(CLOCK_REALTIME);
	CHECKF(t1 >= t0 + 20000000LL, "woke %lld ns before the deadline", t0 + 20000000LL - t1);
	/* A realtime deadline read as monotonic would be decades away: this must return now. */
	abs = ns_to_ts(t0 - 1000000LL);
	CHECK_ERR(fx(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 3, &abs, NULL, ANY), ETIMEDOUT);
}

static void einval_cases(void)
{
	char *p = (char *)&word2;
	word = 0;
	CHECK_ERR(fx(p + 1, FUTEX_WAIT | PRIV, 0, NULL, NULL, 0), EINVAL);
	CHECK_ERR(fx(p + 2, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), EINVAL);
	CHECK_ERR(fx(p + 3, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL);
	CHECK_ERR(fx(&word, FUTEX_WAIT_BITSET | PRIV, 0, NULL, NULL, 0), EINVAL);
	CHECK_ERR(fx(&word, FUTEX_WAKE_BITSET | PRIV, 1, NULL, NULL, 0), EINVAL);
	/* Bad timespecs, before the value is looked at. */
	struct timespec bad[] = { { 0, 1000000000 }, { 0, -1 }, { -1, 0 } };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_ERR(fx(&word, FUTEX_WAIT | PRIV, 1, &bad[i], NULL, 0), EINVAL);
		CHECK_ERR(fx(&word, FUTEX_WAIT_BITSET | PRIV, 1, &bad[i], NULL, ANY), EINVAL);
		CHECK_ERR(fx(&word, FUTEX_LOCK_PI | PRIV, 0, &bad[i], NULL, 0), EINVAL);
	}
	CHECK_EQ(word, 0);
	/* Requeue counts are ints: negative is EINVAL. */
	CHECK_ERR(fx2(&word, FUTEX_REQUEUE | PRIV, -1, 1, &word2, 0), EINVAL);
	CHECK_ERR(fx2(&word, FUTEX_CMP_REQUEUE | PRIV, 1, -1, &word2, 0), EINVAL);
	CHECK_ERR(fx2(&word, FUTEX_REQUEUE | PRIV, 1, 1, p + 1, 0), EINVAL);
	CHECK_ERR(fx2(&word, FUTEX_WAKE_OP | PRIV, 1, 1, p + 1, 0), EINVAL);
	/* Requeue-PI: distinct futexes, exactly one to wake. */
	CHECK_ERR(fx(&word, FUTEX_WAIT_REQUEUE_PI | PRIV, 0, NULL, &word, 0), EINVAL);
	CHECK_ERR(fx2(&word, FUTEX_CMP_REQUEUE_PI | PRIV, 1, 1, &word, 0), EINVAL);
	CHECK_ERR(fx2(&word, FUTEX_CMP_REQUEUE_PI | PRIV, 2, 1, &word2, 0), EINVAL);
	CHECK_ERR(fx2(&word, FUTEX_CMP_REQUEUE_PI | PRIV, 0, 1, &word2, 0), EINVAL);
}

static void efault_cases(void)
{
	struct timespec ts = { 0, 1000 };
	CHECK_ERR(fx(BAD_NULL, FUTEX_WAIT | PRIV, 0, NULL, NULL, 0), EFAULT);
	CHECK_ERR(fx(BAD_NULL, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
	CHECK_ERR(fx(BAD_HIGH, FUTEX_WAIT | PRIV, 0, NULL, NULL, 0), EFAULT);
	CHECK_ERR(fx(BAD_NONCANON, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), EFAULT);
	CHECK_ERR(fx(BAD_KERNEL, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), EFAULT);
	/* access_ok checks only where a small access starts (up to TASK_SIZE_MAX). */
	CHECK_EQ(fx((void *)0x7ffffffff000UL, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 0);
	CHECK_ERR(fx((void *)0x7ffffffff004UL, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), EFAULT);
	CHECK_ERR(fx((void *)0x7ffffffff000UL, FUTEX_WAIT | PRIV, 0, NULL, NULL, 0), EFAULT);
	word = 0;
	CHECK_ERR(fx(&word, FUTEX_WAIT | PRIV, 0, BAD_LOW, NULL, 0), EFAULT);
	CHECK_ERR(fx(&word, FUTEX_WAIT_BITSET | PRIV, 0, BAD_HIGH, NULL, ANY), EFAULT);
	CHECK_ERR(fx(&word, FUTEX_LOCK_PI | PRIV, 0, BAD_LOW, NULL, 0), EFAULT);
	CHECK_EQ(word, 0);

	char *gone = map(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	CHECK(gone != NULL);
	CHECK_OK(syscall(SYS_munmap, gone, PAGE));
	CHECK_ERR(fx(gone, FUTEX_WAIT | PRIV, 0, &ts, NULL, 0), EFAULT);
	/* A private wake needs no memory; a shared one does. */
	CHECK_EQ(fx(gone, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 0);
	CHECK_EQ(fx(BAD_NULL, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 0);
	CHECK_ERR(fx(gone, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
	CHECK_EQ(fx2(gone, FUTEX_REQUEUE | PRIV, 1, 1, &word, 0), 0);
	CHECK_ERR(fx2(gone, FUTEX_CMP_REQUEUE | PRIV, 1, 1, &word, 0), EFAULT);
	CHECK_ERR(fx2(&word, FUTEX_WAKE_OP | PRIV, 1, 1, gone, 0), EFAULT);
	CHECK_ERR(fx(gone, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), EFAULT);
	CHECK_ERR(fx(gone, FUTEX_TRYLOCK_PI | PRIV, 0, NULL, NULL, 0), EFAULT);
	CHECK_ERR(fx(gone, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), EFAULT);

	/* Read-only memory: a wait reads it; whatever writes the word faults. */
	uint32_t *ro = map(PROT_READ, MAP_PRIVATE);
	CHECK(ro != NULL);
	CHECK_ERR(fx(ro, FUTEX_WAIT | PRIV, 1, NULL, NULL, 0), EAGAIN);
	CHECK_ERR(fx(ro, FUTEX_WAIT | PRIV, 0, &ts, NULL, 0), ETIMEDOUT);
	CHECK_ERR(fx2(&word, FUTEX_WAKE_OP | PRIV, 1, 1, ro, 0), EFAULT);
	CHECK_ERR(fx(ro, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), EFAULT);
	CHECK_ERR(fx(ro, FUTEX_TRYLOCK_PI | PRIV, 0, NULL, NULL, 0), EFAULT);
	/* A shared futex on a read-only private page is EFAULT (Linux: a read-only anonymous page). */
	CHECK_ERR(fx(ro, FUTEX_WAIT, 0, &ts, NULL, 0), EFAULT);
	CHECK_ERR(fx(ro, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
	CHECK_OK(syscall(SYS_munmap, ro, PAGE));

	uint32_t *none = map(PROT_NONE, MAP_PRIVATE);
	CHECK(none != NULL);
	CHECK_ERR(fx(none, FUTEX_WAIT | PRIV, 0, &ts, NULL, 0), EFAULT);
	CHECK_ERR(fx(none, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
	CHECK_EQ(fx(none, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 0);
	CHECK_OK(syscall(SYS_munmap, none, PAGE));
}

static void enosys_cases(void)
{
	word = 0;
	struct timespec ts = { 0, 1000 };
	CHECK_ERR(fx(&word, 2 /* FUTEX_FD, removed */, 0, NULL, NULL, 0), ENOSYS);
	CHECK_ERR(fx(&word, 14, 0, NULL, NULL, 0), ENOSYS);
	CHECK_ERR(fx(&word, 99 | PRIV, 0, NULL, NULL, 0), ENOSYS);
	CHECK_ERR(fx(&word, FUTEX_WAKE | 0x200, 1, NULL, NULL, 0), ENOSYS);
	/* FUTEX_CLOCK_REALTIME only with WAIT_BITSET, WAIT_REQUEUE_PI and LOCK_PI2. */
	CHECK_ERR(fx(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, &ts, NULL, 0), ENOSYS);
	CHECK_ERR(fx(&word, FUTEX_WAIT | PRIV | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
	CHECK_ERR(fx(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
	CHECK_ERR(fx(&word, FUTEX_LOCK_PI | FUTEX_CLOCK_REALTIME, 0, NULL, NULL, 0), ENOSYS);
	CHECK_ERR(fx(&word, FUTEX_TRYLOCK_PI | PRIV | FUTEX_CLOCK_REALTIME, 0, NULL, NULL, 0), ENOSYS);
	CHECK_EQ(word, 0);
	/* The timeout is checked first: a bad one is EINVAL even then. */
	struct timespec bad = { 0, -5 };
	CHECK_ERR(fx(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, &bad, NULL, 0), EINVAL);
}

static void wake_without_waiters(void)
{
	word = 5;
	CHECK_EQ(fx(&word, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 0);
	CHECK_EQ(fx(&word, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0), 0);
	CHECK_EQ(fx(&word, FUTEX_WAKE_BITSET | PRIV, 1, NULL, NULL, 0x4), 0);
	CHECK_EQ(fx2(&word, FUTEX_REQUEUE | PRIV, 1, 10, &word2, 0), 0);
	CHECK_EQ(fx2(&word, FUTEX_CMP_REQUEUE | PRIV, 1, 10, &word2, 5), 0);
	CHECK_EQ(fx2(&word, FUTEX_CMP_REQUEUE, 1, 10, &word2, 5), 0);
	CHECK_ERR(fx2(&word, FUTEX_CMP_REQUEUE | PRIV, 1, 10, &word2, 6), EAGAIN);
	word2 = 0;
	CHECK_EQ(fx2(&word, FUTEX_CMP_REQUEUE_PI | PRIV, 1, 1, &word2, 5), 0);
	CHECK_EQ(word2, 0);
	/* A shared anonymous mapping. */
	uint32_t *sh = map(PROT_READ | PROT_WRITE, MAP_SHARED);
	CHECK(sh != NULL);
	CHECK_EQ(fx(sh, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
	struct timespec ts = { 0, 1000 };
	CHECK_ERR(fx(sh, FUTEX_WAIT, 0, &ts, NULL, 0), ETIMEDOUT);
	CHECK_OK(syscall(SYS_munmap, sh, PAGE));
}

#define OP(op, oparg, cmp, cmparg) FUTEX_OP((op), (oparg), (cmp), (cmparg))

/* Runs WAKE_OP on word2 starting from init; returns the result, the word in *out. */
static long wake_op(uint32_t init, uint32_t op, uint32_t *out)
{
	word2 = init;
	long r = fx2(&word, FUTEX_WAKE_OP | PRIV, 1, 1, &word2, op);
	*out = word2;
	return r;
}

static void wake_op_arithmetic(void)
{
	uint32_t w;
	CHECK_EQ(wake_op(10, OP(FUTEX_OP_SET, 3, FUTEX_OP_CMP_EQ, 10), &w), 0);
	CHECK_EQ(w, 3);
	CHECK_EQ(wake_op(10, OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_NE, 0), &w), 0);
	CHECK_EQ(w, 15);
	CHECK_EQ(wake_op(10, OP(FUTEX_OP_ADD, 0xfff /* -1 */, FUTEX_OP_CMP_LT, 0), &w), 0);
	CHECK_EQ(w, 9);
	CHECK_EQ(wake_op(0, OP(FUTEX_OP_ADD, 0xfff, FUTEX_OP_CMP_GE, 0), &w), 0);
	CHECK_EQ(w, 0xffffffffu);
	CHECK_EQ(wake_op(0xf0, OP(FUTEX_OP_OR, 0x0f, FUTEX_OP_CMP_LE, 0), &w), 0);
	CHECK_EQ(w, 0xff);
	CHECK_EQ(wake_op(0xff, OP(FUTEX_OP_ANDN, 0x0f, FUTEX_OP_CMP_GT, 0), &w), 0);
	CHECK_EQ(w, 0xf0);
	CHECK_EQ(wake_op(0xff, OP(FUTEX_OP_XOR, 0x101, FUTEX_OP_CMP_EQ, 0), &w), 0);
	CHECK_EQ(w, 0x1fe);
	/* FUTEX_OP_OPARG_SHIFT: the operand is 1 << oparg. */
	CHECK_EQ(wake_op(0, OP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_EQ, 0), &w), 0);
	CHECK_EQ(w, 16);
	CHECK_EQ(wake_op(0, OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 31, FUTEX_OP_CMP_EQ, 0), &w), 0);
	CHECK_EQ(w, 0x80000000u);
	CHECK_EQ(wake_op(0xffffffff, OP(FUTEX_OP_ANDN | FUTEX_OP_OPARG_SHIFT, 0, FUTEX_OP_CMP_EQ, 0), &w), 0);
	CHECK_EQ(w, 0xfffffffeu);
	/* An unknown operation leaves the word alone; an unknown comparison does not. */
	CHECK_ERR(wake_op(7, OP(5, 1, FUTEX_OP_CMP_EQ, 0), &w), ENOSYS);
	CHECK_EQ(w, 7);
	CHECK_ERR(wake_op(7, OP(7, 1, FUTEX_OP_CMP_EQ, 0), &w), ENOSYS);
	CHECK_EQ(w, 7);
	CHECK_ERR(wake_op(7, OP(FUTEX_OP_SET, 1, 6, 0), &w), ENOSYS);
	CHECK_EQ(w, 1);
	CHECK_ERR(wake_op(7, OP(FUTEX_OP_ADD, 1, 15, 0), &w), ENOSYS);
	CHECK_EQ(w, 8);
	/* The same futex on both sides, and the shared variant. */
	word = 4;
	CHECK_EQ(fx2(&word, FUTEX_WAKE_OP | PRIV, 1, 1, &word, OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 4)), 0);
	CHECK_EQ(word, 5);
	CHECK_EQ(fx2(&word, FUTEX_WAKE_OP, 1, 1, &word2, OP(FUTEX_OP_SET, 42, FUTEX_OP_CMP_EQ, 0)), 0);
	CHECK_EQ(word2, 42);
}

static void pi_trylock_and_lock_free(void)
{
	long me = tid();
	word = 0;
	CHECK_EQ(fx(&word, FUTEX_TRYLOCK_PI | PRIV, 0, NULL, NULL, 0), 0);
	CHECK_EQ(word, me);
	CHECK_ERR(fx(&word, FUTEX_TRYLOCK_PI | PRIV, 0, NULL, NULL, 0), EDEADLK);
	CHECK_ERR(fx(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), EDEADLK);
	CHECK_EQ(fx(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), 0);
	CHECK_EQ(word, 0);
	CHECK_EQ(fx(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0), 0);
	CHECK_EQ(word, me);
	CHECK_EQ(fx(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), 0);
	CHECK_EQ(word, 0);
	/* LOCK_PI2 takes FUTEX_CLOCK_REALTIME; a timeout does not matter for a free lock. */
	struct timespec past = { 1, 0 };
	CHECK_EQ(fx(&word, FUTEX_LOCK_PI2 | PRIV | FUTEX_CLOCK_REALTIME, 0, &past, NULL, 0), 0);
	CHECK_EQ(word, me);
	/* With FUTEX_WAITERS but no waiter in the kernel, unlock clears the whole word. */
	word = me | FUTEX_WAITERS;
	CHECK_EQ(fx(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), 0);
	CHECK_EQ(word, 0);
	/* A dead owner's lock: taken with FUTEX_OWNER_DIED kept (FUTEX_WAITERS dropped). */
	word = FUTEX_OWNER_DIED | FUTEX_WAITERS;
	CHECK_EQ(fx(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), 0);
	CHECK_EQ(word, FUTEX_OWNER_DIED | me);
	CHECK_ERR(fx(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), EDEADLK);
	CHECK_EQ(fx(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), 0);
	CHECK_EQ(word, 0);
	word = FUTEX_OWNER_DIED;
	CHECK_EQ(fx(&word, FUTEX_TRYLOCK_PI | PRIV, 0, NULL, NULL, 0), 0);
	CHECK_EQ(word, FUTEX_OWNER_DIED | me);
	CHECK_EQ(fx(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), 0);
}

static void pi_unlock_not_owner(void)
{
	long me = tid();
	word = 0;
	CHECK_ERR(fx(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), EPERM);
	word = NO_TID;
	CHECK_ERR(fx(&word, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), EPERM);
	CHECK_EQ(word, NO_TID);
	word = (me + 1) | FUTEX_WAITERS;
	CHECK_ERR(fx(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), EPERM);
	/* The owner check comes before the address check. */
	char buf[12] __attribute__((aligned(4)));
	memset(buf, 0, sizeof(buf));
	CHECK_ERR(fx(buf + 1, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), EPERM);
	CHECK_ERR(fx(buf + 1, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), EINVAL);
}

static void pi_nonexistent_owner(void)
{
	word = NO_TID;
	CHECK_ERR(fx(&word, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), ESRCH);
	/* FUTEX_WAITERS was set before the owner was looked up. */
	CHECK_EQ(word, NO_TID | FUTEX_WAITERS);
	CHECK_ERR(fx(&word, FUTEX_TRYLOCK_PI | PRIV, 0, NULL, NULL, 0), ESRCH);
	CHECK_EQ(word, NO_TID | FUTEX_WAITERS);
	word = NO_TID | FUTEX_OWNER_DIED;
	CHECK_ERR(fx(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0), ESRCH);
	CHECK_EQ(word, NO_TID | FUTEX_OWNER_DIED | FUTEX_WAITERS);
	struct timespec ts = { 0, 1000 };
	word = NO_TID;
	CHECK_ERR(fx(&word, FUTEX_LOCK_PI2 | PRIV, 0, &ts, NULL, 0), ESRCH);
	word = 0;
}

struct waitv {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

static long waitv(struct waitv *w, unsigned n, unsigned flags, struct timespec *ts, int clk)
{
	return syscall(SYS_futex_waitv, w, n, flags, ts, clk);
}

static void waitv_cases(void)
{
	static struct waitv w[129];
	memset(w, 0, sizeof(w));
	word = 1;
	word2 = 2;
	w[0] = (struct waitv){ 1, (uintptr_t)&word, FUTEX_32 | PRIV, 0 };
	w[1] = (struct waitv){ 2, (uintptr_t)&word2, FUTEX_32, 0 };
	long long t0 = now_ns(CLOCK_MONOTONIC);
	struct timespec abs = ns_to_ts(t0 + 20000000LL);
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_MONOTONIC), ETIMEDOUT);
	CHECKF(now_ns(CLOCK_MONOTONIC) >= t0 + 20000000LL, "woke early");
	abs = ns_to_ts(now_ns(CLOCK_REALTIME) + 5000000LL);
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_REALTIME), ETIMEDOUT);
	w[1].val = 3;
	CHECK_ERR(waitv(w, 2, 0, NULL, 0), EAGAIN);
	w[1].val = 2;
	/* Argument checks. */
	CHECK_ERR(waitv(w, 2, 1, &abs, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(waitv(w, 0, 0, &abs, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(waitv(w, 129, 0, &abs, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(waitv(NULL, 1, 0, &abs, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_BOOTTIME), EINVAL);
	CHECK_ERR(waitv(w, 2, 0, BAD_LOW, CLOCK_MONOTONIC), EFAULT);
	CHECK_ERR(waitv(BAD_LOW, 2, 0, &abs, CLOCK_MONOTONIC), EFAULT);
	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR(waitv(w, 2, 0, &bad, CLOCK_MONOTONIC), EINVAL);
	w[1].reserved = 1;
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_MONOTONIC), EINVAL);
	w[1].reserved = 0;
	w[1].flags = 0; /* size u8 */
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_MONOTONIC), EINVAL);
	w[1].flags = 3; /* size u64 */
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_MONOTONIC), EINVAL);
	w[1].flags = FUTEX_32 | 0x40;
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_MONOTONIC), EINVAL);
	w[1].flags = FUTEX_32;
	w[1].uaddr = (uintptr_t)&word2 + 2;
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_MONOTONIC), EINVAL);
	w[1].uaddr = 0;
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_MONOTONIC), EFAULT);
	w[1].uaddr = (uintptr_t)&word2;
	w[1].val = 2 | (1ULL << 32); /* must fit the 32-bit futex */
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_MONOTONIC), EINVAL);
	w[1].val = 2;
	/* The parse stops at the first bad entry: a bad entry after a short count is not read. */
	w[2].flags = 0xff;
	CHECK_ERR(waitv(w, 2, 0, &abs, CLOCK_REALTIME), ETIMEDOUT);
	CHECK_ERR(waitv(w, 3, 0, &abs, CLOCK_REALTIME), EINVAL);
	w[2].flags = 0;
}

/* FUTEX2_NUMA: the futex is a {value, node} pair; FUTEX_NO_NODE becomes a node. */
static void waitv_numa(void)
{
	static uint32_t pair[4] __attribute__((aligned(16)));
	struct waitv w = { 2, (uintptr_t)pair, FUTEX_32 | 4 /* FUTEX2_NUMA */, 0 };
	struct timespec zero = { 0, 0 };
	pair[0] = 2;
	pair[1] = 0xffffffff;
	CHECK_ERR(waitv(&w, 1, 0, &zero, CLOCK_MONOTONIC), ETIMEDOUT);
	CHECK_EQ(pair[1], 0);
	CHECK_ERR(waitv(&w, 1, 0, &zero, CLOCK_MONOTONIC), ETIMEDOUT);
	pair[1] = 0x7fff0000; /* no such node */
	CHECK_ERR(waitv(&w, 1, 0, &zero, CLOCK_MONOTONIC), EINVAL);
	w.uaddr = (uintptr_t)&pair[1]; /* 4-aligned, not 8 */
	w.val = pair[1];
	CHECK_ERR(waitv(&w, 1, 0, &zero, CLOCK_MONOTONIC), EINVAL);
	/* FUTEX2_MPOL alone leaves the word after the futex alone. */
	w.uaddr = (uintptr_t)&pair[2];
	w.val = 0;
	w.flags = FUTEX_32 | 8 | PRIV;
	pair[2] = 0;
	pair[3] = 0xffffffff;
	CHECK_ERR(waitv(&w, 1, 0, &zero, CLOCK_MONOTONIC), ETIMEDOUT);
	CHECK_EQ(pair[3], 0xffffffffu);
	w.flags = FUTEX_32 | 4 | 8 | PRIV;
	CHECK_ERR(waitv(&w, 1, 0, &zero, CLOCK_MONOTONIC), ETIMEDOUT);
	CHECK_EQ(pair[3], 0);
}

static void requeue_pi_no_waiters(void)
{
	word = 0;
	word2 = 0;
	struct timespec ts = { 0, 1000 };
	CHECK_ERR(fx(&word, FUTEX_WAIT_REQUEUE_PI | PRIV, 1, &ts, &word2, 0), EAGAIN);
	long long t0 = now_ns(CLOCK_MONOTONIC);
	struct timespec abs = ns_to_ts(t0 + 10000000LL);
	CHECK_ERR(fx(&word, FUTEX_WAIT_REQUEUE_PI | PRIV, 0, &abs, &word2, 0), ETIMEDOUT);
	CHECKF(now_ns(CLOCK_MONOTONIC) >= t0 + 10000000LL, "woke early");
	abs = ns_to_ts(now_ns(CLOCK_REALTIME) + 1000000LL);
	CHECK_ERR(fx(&word, FUTEX_WAIT_REQUEUE_PI | PRIV | FUTEX_CLOCK_REALTIME, 0, &abs, &word2, 0), ETIMEDOUT);
	CHECK_EQ(word2, 0);
}

int main(void)
{
	RUN(wait_eagain);
	RUN(wait_timeout_relative);
	RUN(wait_timeout_absolute_monotonic);
	RUN(wait_timeout_absolute_realtime);
	RUN(einval_cases);
	RUN(efault_cases);
	RUN(enosys_cases);
	RUN(wake_without_waiters);
	RUN(wake_op_arithmetic);
	RUN(pi_trylock_and_lock_free);
	RUN(pi_unlock_not_owner);
	RUN(pi_nonexistent_owner);
	RUN(waitv_cases);
	RUN(waitv_numa);
	RUN(requeue_pi_no_waiters);
	DONE();
}
