/*
 * futex_mt.c: futex(2) between threads and processes (man 2 futex, man 7
 * futex; Linux kernel/futex/): wait/wake with counts and bitsets, requeue,
 * wake-op, futex_waitv, shared futexes across fork and across two mappings
 * of one page, signals interrupting waits, PI locks (hand-off, contention
 * with a user-space fast path, trylock and timeouts), robust lists (raw and
 * through glibc's robust mutexes) and CLONE_CHILD_CLEARTID through
 * pthread_join.
 *
 * Built like the other programs (-O1 -static; glibc >= 2.34 has pthreads in
 * libc). A waiter is known to be queued when FUTEX_CMP_REQUEUE of the futex
 * onto itself counts it (nothing moves), or for PI futexes when the kernel
 * has set FUTEX_WAITERS in the word.
 */
#include "check.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

#define PRIV FUTEX_PRIVATE_FLAG
#define ANY FUTEX_BITSET_MATCH_ANY

static long fx(void *uaddr, long op, long val, const void *timeout, void *uaddr2, long val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

static long fx2(void *uaddr, long op, long val, long val2, void *uaddr2, long val3)
{
	return syscall(SYS_futex, uaddr, op, val, (void *)(uintptr_t)val2, uaddr2, val3);
}

static long tid(void) { return syscall(SYS_gettid); }

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The time ms milliseconds from now on clock c. */
static struct timespec abs_after(clockid_t c, long ms)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* Waiters queued on the futex: CMP_REQUEUE onto itself wakes and moves nobody but counts them. */
static long queued(uint32_t *a, int priv)
{
	for (;;) {
		uint32_t v = atomic_load((_Atomic uint32_t *)a);
		long r = fx2(a, FUTEX_CMP_REQUEUE | (priv ? PRIV : 0), 0, INT_MAX, a, v);
		if (r >= 0 || errno != EAGAIN)
			return r;
	}
}

/* Waits (up to 10 s) until n waiters are queued on a. */
static int wait_queued(uint32_t *a, int priv, long n)
{
	for (int i = 0; i < 10000; i++) {
		if (queued(a, priv) >= n)
			return 1;
		sleep_ms(1);
	}
	return 0;
}

/* Waits (up to 10 s) until the bits are set in *a. */
static int wait_bits(uint32_t *a, uint32_t bits)
{
	for (int i = 0; i < 10000; i++) {
		if ((atomic_load((_Atomic uint32_t *)a) & bits) == bits)
			return 1;
		sleep_ms(1);
	}
	return 0;
}

struct waiter {
	pthread_t th;
	uint32_t *addr;
	long op;
	uint32_t val;
	uint32_t bitset;
	const struct timespec *timeout;
	long ret;
	int err;
	_Atomic int done;
};

static void *waiter_main(void *p)
{
	struct waiter *w = p;
	errno = 0;
	w->ret = fx(w->addr, w->op, w->val, w->timeout, NULL, w->bitset);
	w->err = errno;
	atomic_store(&w->done, 1);
	return NULL;
}

static int start(struct waiter *w, uint32_t *addr, long op, uint32_t val, uint32_t bitset)
{
	w->addr = addr;
	w->op = op;
	w->val = val;
	w->bitset = bitset;
	w->ret = -2;
	w->err = 0;
	atomic_store(&w->done, 0);
	return pthread_create(&w->th, NULL, waiter_main, w) == 0;
}

static uint32_t fa, fb;

static void wait_wake(void)
{
	struct waiter w = { .timeout = NULL };
	fa = 0;
	CHECK(start(&w, &fa, FUTEX_WAIT | PRIV, 0, 0));
	CHECK(wait_queued(&fa, 1, 1));
	CHECK_EQ(atomic_load(&w.done), 0);
	CHECK_EQ(fx(&fa, FUTEX_WAKE, 1, NULL, NULL, 0), 0); /* a shared wake misses a private waiter */
	CHECK_EQ(fx(&fa, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 1);
	pthread_join(w.th, NULL);
	CHECK_EQ(w.ret, 0);
	CHECK_EQ(fx(&fa, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 0);
}

static void wake_counts(void)
{
	struct waiter w[4];
	fa = 0;
	for (int i = 0; i < 4; i++) {
		w[i].timeout = NULL;
		CHECK(start(&w[i], &fa, FUTEX_WAIT | PRIV, 0, 0));
	}
	CHECK(wait_queued(&fa, 1, 4));
	CHECK_EQ(fx(&fa, FUTEX_WAKE | PRIV, 2, NULL, NULL, 0), 2);
	CHECK(wait_queued(&fa, 1, 2));
	CHECK_EQ(queued(&fa, 1), 2);
	CHECK_EQ(fx(&fa, FUTEX_WAKE | PRIV, INT_MAX, NULL, NULL, 0), 2);
	for (int i = 0; i < 4; i++) {
		pthread_join(w[i].th, NULL);
		CHECK_EQ(w[i].ret, 0);
	}
}

static void bitsets(void)
{
	struct waiter w1 = { .timeout = NULL }, w2 = { .timeout = NULL };
	fa = 0;
	CHECK(start(&w1, &fa, FUTEX_WAIT_BITSET | PRIV, 0, 1));
	CHECK(start(&w2, &fa, FUTEX_WAIT_BITSET | PRIV, 0, 6));
	CHECK(wait_queued(&fa, 1, 2));
	CHECK_EQ(fx(&fa, FUTEX_WAKE_BITSET | PRIV, INT_MAX, NULL, NULL, 8), 0);
	CHECK_EQ(fx(&fa, FUTEX_WAKE_BITSET | PRIV, INT_MAX, NULL, NULL, 4), 1);
	pthread_join(w2.th, NULL);
	CHECK_EQ(w2.ret, 0);
	CHECK_EQ(atomic_load(&w1.done), 0);
	CHECK_EQ(fx(&fa, FUTEX_WAKE | PRIV, INT_MAX, NULL, NULL, 0), 1);
	pthread_join(w1.th, NULL);
	CHECK_EQ(w1.ret, 0);
}

static void requeue(void)
{
	struct waiter w[3];
	fa = 5;
	fb = 0;
	for (int i = 0; i < 3; i++) {
		w[i].timeout = NULL;
		CHECK(start(&w[i], &fa, FUTEX_WAIT | PRIV, 5, 0));
	}
	CHECK(wait_queued(&fa, 1, 3));
	CHECK_ERR(fx2(&fa, FUTEX_CMP_REQUEUE | PRIV, 1, INT_MAX, &fb, 4), EAGAIN);
	CHECK_EQ(fx2(&fa, FUTEX_CMP_REQUEUE | PRIV, 1, INT_MAX, &fb, 5), 3);
	CHECK_EQ(queued(&fa, 1), 0);
	CHECK_EQ(queued(&fb, 1), 2);
	CHECK_EQ(fx2(&fb, FUTEX_REQUEUE | PRIV, 0, 1, &fa, 0), 1);
	CHECK_EQ(fx(&fb, FUTEX_WAKE | PRIV, INT_MAX, NULL, NULL, 0), 1);
	CHECK_EQ(fx(&fa, FUTEX_WAKE | PRIV, INT_MAX, NULL, NULL, 0), 1);
	for (int i = 0; i < 3; i++) {
		pthread_join(w[i].th, NULL);
		CHECK_EQ(w[i].ret, 0);
	}
}

static void wake_op(void)
{
	struct waiter wa = { .timeout = NULL }, wb = { .timeout = NULL };
	fa = 0;
	fb = 0;
	CHECK(start(&wa, &fa, FUTEX_WAIT | PRIV, 0, 0));
	CHECK(start(&wb, &fb, FUTEX_WAIT | PRIV, 0, 0));
	CHECK(wait_queued(&fa, 1, 1));
	CHECK(wait_queued(&fb, 1, 1));
	/* fb was 0, not 1: only fa's waiter wakes; fb becomes 7. */
	CHECK_EQ(fx2(&fa, FUTEX_WAKE_OP | PRIV, 1, 1, &fb, FUTEX_OP(FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 1)), 1);
	CHECK_EQ(fb, 7);
	pthread_join(wa.th, NULL);
	CHECK_EQ(wa.ret, 0);
	CHECK_EQ(atomic_load(&wb.done), 0);
	/* The waiter on fb expects 0 but sleeps on: this op wakes it. */
	CHECK_EQ(fx2(&fa, FUTEX_WAKE_OP | PRIV, 1, 1, &fb, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 7)), 1);
	CHECK_EQ(fb, 8);
	pthread_join(wb.th, NULL);
	CHECK_EQ(wb.ret, 0);
}

static void timed_wait_is_woken(void)
{
	struct timespec rel = { 30, 0 };
	struct waiter w = { .timeout = &rel };
	fa = 0;
	CHECK(start(&w, &fa, FUTEX_WAIT | PRIV, 0, 0));
	CHECK(wait_queued(&fa, 1, 1));
	CHECK_EQ(fx(&fa, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 1);
	pthread_join(w.th, NULL);
	CHECK_EQ(w.ret, 0);
}

struct futex_waitv_s {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

struct vwaiter {
	struct futex_waitv_s v[3];
	long ret;
};

static void *vwaiter_main(void *p)
{
	struct vwaiter *w = p;
	w->ret = syscall(SYS_futex_waitv, w->v, 3, 0, NULL, 0);
	return NULL;
}

static uint32_t fc;

static void waitv_wakes_index(void)
{
	static struct vwaiter w;
	pthread_t th;
	fa = fb = fc = 0;
	w.v[0] = (struct futex_waitv_s){ 0, (uintptr_t)&fa, FUTEX_32 | PRIV, 0 };
	w.v[1] = (struct futex_waitv_s){ 0, (uintptr_t)&fb, FUTEX_32, 0 };
	w.v[2] = (struct futex_waitv_s){ 0, (uintptr_t)&fc, FUTEX_32 | PRIV, 0 };
	CHECK(pthread_create(&th, NULL, vwaiter_main, &w) == 0);
	CHECK(wait_queued(&fc, 1, 1));
	CHECK(wait_queued(&fb, 0, 1));
	CHECK_EQ(fx(&fb, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 0); /* entry 1 is shared */
	CHECK_EQ(fx(&fb, FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	pthread_join(th, NULL);
	CHECK_EQ(w.ret, 1);
	CHECK_EQ(queued(&fa, 1), 0);
	CHECK_EQ(queued(&fc, 1), 0);
}

/* A page shared with a child: the child waits through a second mapping of it. */
static void shared_across_fork(void)
{
	uint32_t *p = (uint32_t *)syscall(SYS_mmap, NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	p[0] = 0;
	p[1] = 0;
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		uint32_t *q = (uint32_t *)syscall(SYS_mremap, p, 0, PAGE, MREMAP_MAYMOVE);
		if (q == MAP_FAILED || q == p)
			_exit(2);
		atomic_store((_Atomic uint32_t *)&q[1], 1);
		long r = fx(&q[0], FUTEX_WAIT, 0, NULL, NULL, 0);
		_exit(r == 0 ? 0 : 3);
	}
	CHECK(wait_bits(&p[1], 1));
	/* The child's waiter is keyed by the page, not its address: wake through ours. */
	long woken = 0;
	for (int i = 0; i < 10000 && woken == 0; i++) {
		woken = fx(&p[0], FUTEX_WAKE, 1, NULL, NULL, 0);
		if (woken == 0)
			sleep_ms(1);
	}
	CHECK_EQ(woken, 1);
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	syscall(SYS_munmap, p, PAGE);
}

/* A file's page is one futex whether mapped shared or private read-only (Linux keys it by inode). */
static void shared_file_mappings(void)
{
	int fd = (int)syscall(SYS_memfd_create, "futex", 0);
	CHECK(fd >= 0);
	CHECK_OK(ftruncate(fd, PAGE));
	uint32_t *sh = (uint32_t *)syscall(SYS_mmap, NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uint32_t *ro = (uint32_t *)syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(sh != MAP_FAILED && ro != MAP_FAILED);
	sh[4] = 9;
	struct waiter w = { .timeout = NULL };
	CHECK(start(&w, &ro[4], FUTEX_WAIT, ro[4], 0));
	CHECK(wait_queued(&sh[4], 0, 1));
	CHECK_EQ(queued(&ro[4], 0), 1);
	CHECK_EQ(fx(&sh[4], FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 0);
	CHECK_EQ(fx(&sh[4], FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	pthread_join(w.th, NULL);
	CHECK_EQ(w.ret, 0);
	syscall(SYS_munmap, sh, PAGE);
	syscall(SYS_munmap, ro, PAGE);
	close(fd);
}

static void on_usr1(int sig) { (void)sig; }

static void signal_interrupts(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	/* Timed: EINTR even with SA_RESTART (Linux: -ERESTART_RESTARTBLOCK). */
	struct timespec rel = { 10, 0 };
	struct waiter w = { .timeout = &rel };
	fa = 0;
	CHECK(start(&w, &fa, FUTEX_WAIT | PRIV, 0, 0));
	CHECK(wait_queued(&fa, 1, 1));
	CHECK_EQ(pthread_kill(w.th, SIGUSR1), 0);
	pthread_join(w.th, NULL);
	CHECK_EQ(w.ret, -1);
	CHECK_EQ(w.err, EINTR);
	/* Untimed with SA_RESTART: restarted, so only the wake ends it. */
	struct waiter u = { .timeout = NULL };
	CHECK(start(&u, &fa, FUTEX_WAIT | PRIV, 0, 0));
	CHECK(wait_queued(&fa, 1, 1));
	CHECK_EQ(pthread_kill(u.th, SIGUSR1), 0);
	sleep_ms(20);
	CHECK(wait_queued(&fa, 1, 1));
	CHECK_EQ(atomic_load(&u.done), 0);
	CHECK_EQ(fx(&fa, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), 1);
	pthread_join(u.th, NULL);
	CHECK_EQ(u.ret, 0);
	/* Untimed without SA_RESTART: EINTR. */
	sa.sa_flags = 0;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	struct waiter v = { .timeout = NULL };
	CHECK(start(&v, &fa, FUTEX_WAIT | PRIV, 0, 0));
	CHECK(wait_queued(&fa, 1, 1));
	CHECK_EQ(pthread_kill(v.th, SIGUSR1), 0);
	pthread_join(v.th, NULL);
	CHECK_EQ(v.ret, -1);
	CHECK_EQ(v.err, EINTR);
	signal(SIGUSR1, SIG_DFL);
}

/* --- PI ------------------------------------------------------------------------------------- */

static uint32_t pi;

static void pi_lock(uint32_t *f, uint32_t me)
{
	uint32_t zero = 0;
	if (atomic_compare_exchange_strong((_Atomic uint32_t *)f, &zero, me))
		return;
	while (fx(f, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0) != 0)
		if (errno != EINTR)
			abort();
}

static void pi_unlock(uint32_t *f, uint32_t me)
{
	uint32_t mine = me;
	if (atomic_compare_exchange_strong((_Atomic uint32_t *)f, &mine, 0))
		return;
	if (fx(f, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0) != 0)
		abort();
}

struct pi_waiter {
	pthread_t th;
	long tid;
	long ret;
	int err;
	uint32_t seen;
	const struct timespec *timeout;
	long op;
};

static void *pi_waiter_main(void *p)
{
	struct pi_waiter *w = p;
	w->tid = tid();
	errno = 0;
	w->ret = fx(&pi, w->op, 0, w->timeout, NULL, 0);
	w->err = errno;
	w->seen = atomic_load((_Atomic uint32_t *)&pi);
	if (w->ret == 0)
		fx(&pi, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0);
	return NULL;
}

static void pi_handoff(void)
{
	uint32_t me = (uint32_t)tid();
	pi = 0;
	CHECK_EQ(fx(&pi, FUTEX_LOCK_PI | PRIV, 0, NULL, NULL, 0), 0);
	CHECK_EQ(pi, me);
	struct pi_waiter w = { .timeout = NULL, .op = FUTEX_LOCK_PI | PRIV };
	CHECK(pthread_create(&w.th, NULL, pi_waiter_main, &w) == 0);
	CHECK(wait_bits(&pi, FUTEX_WAITERS));
	CHECK_EQ(pi, me | FUTEX_WAITERS);
	/* The kernel's waiters are not for FUTEX_WAKE. */
	CHECK_ERR(fx(&pi, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0), EINVAL);
	CHECK_EQ(fx(&pi, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), 0);
	pthread_join(w.th, NULL);
	CHECK_EQ(w.ret, 0);
	/* Handed over with FUTEX_WAITERS set (the new owner unlocks through the kernel). */
	CHECK_EQ(w.seen, (uint32_t)w.tid | FUTEX_WAITERS);
	CHECK_EQ(pi, 0);
}

static void pi_trylock_and_timeout(void)
{
	uint32_t me = (uint32_t)tid();
	pi = me;
	struct pi_waiter t = { .timeout = NULL, .op = FUTEX_TRYLOCK_PI | PRIV };
	CHECK(pthread_create(&t.th, NULL, pi_waiter_main, &t) == 0);
	pthread_join(t.th, NULL);
	CHECK_EQ(t.ret, -1);
	CHECK_EQ(t.err, EAGAIN);
	CHECK_EQ(pi, me | FUTEX_WAITERS);
	/* LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2's on CLOCK_MONOTONIC. */
	struct timespec abs = abs_after(CLOCK_REALTIME, 20);
	struct pi_waiter w = { .timeout = &abs, .op = FUTEX_LOCK_PI | PRIV };
	CHECK(pthread_create(&w.th, NULL, pi_waiter_main, &w) == 0);
	pthread_join(w.th, NULL);
	CHECK_EQ(w.ret, -1);
	CHECK_EQ(w.err, ETIMEDOUT);
	struct timespec mono = abs_after(CLOCK_MONOTONIC, 20);
	struct pi_waiter w2 = { .timeout = &mono, .op = FUTEX_LOCK_PI2 | PRIV };
	CHECK(pthread_create(&w2.th, NULL, pi_waiter_main, &w2) == 0);
	pthread_join(w2.th, NULL);
	CHECK_EQ(w2.ret, -1);
	CHECK_EQ(w2.err, ETIMEDOUT);
	CHECK_EQ(pi, me | FUTEX_WAITERS);
	CHECK_EQ(fx(&pi, FUTEX_UNLOCK_PI | PRIV, 0, NULL, NULL, 0), 0);
	CHECK_EQ(pi, 0);
}

#define PI_THREADS 10
#define PI_ROUNDS 300
static long pi_counter;

static void *pi_contender(void *p)
{
	(void)p;
	uint32_t me = (uint32_t)tid();
	for (int i = 0; i < PI_ROUNDS; i++) {
		pi_lock(&pi, me);
		if ((atomic_load((_Atomic uint32_t *)&pi) & FUTEX_TID_MASK) != me)
			abort();
		long c = pi_counter;
		if ((i & 7) == 0)
			sched_yield();
		pi_counter = c + 1;
		pi_unlock(&pi, me);
	}
	return NULL;
}

static void pi_contention(void)
{
	pthread_t th[PI_THREADS];
	pi = 0;
	pi_counter = 0;
	for (int i = 0; i < PI_THREADS; i++)
		CHECK(pthread_create(&th[i], NULL, pi_contender, NULL) == 0);
	for (int i = 0; i < PI_THREADS; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(pi_counter, PI_THREADS * PI_ROUNDS);
	CHECK_EQ(pi, 0);
}

/* --- robust lists ----------------------------------------------------------------------------- */

struct robust_lock {
	struct robust_list list;
	uint32_t word;
};

static struct robust_list_head rhead;
static struct robust_lock rlock, rlock_other, rlock_pending;
static _Atomic long robust_tid;

static void *robust_dier(void *p)
{
	(void)p;
	uint32_t me = (uint32_t)tid();
	/* Our own list replaces glibc's for this thread (it holds no robust mutex). */
	rhead.list.next = &rlock.list;
	rlock.list.next = &rlock_other.list;
	rlock_other.list.next = &rhead.list;
	rhead.futex_offset = offsetof(struct robust_lock, word);
	rhead.list_op_pending = &rlock_pending.list;
	rlock.word = me | FUTEX_WAITERS;
	rlock_other.word = me + 1;
	rlock_pending.word = 0; /* released, waiter not yet woken */
	if (syscall(SYS_set_robust_list, &rhead, sizeof(rhead)) != 0)
		abort();
	atomic_store(&robust_tid, me);
	/* Exit when both waiters are queued (the main thread says so). */
	while (atomic_load(&robust_tid) != 0)
		sleep_ms(1);
	return NULL;
}

static void robust_list_raw(void)
{
	pthread_t th;
	atomic_store(&robust_tid, 0);
	CHECK(pthread_create(&th, NULL, robust_dier, NULL) == 0);
	while (atomic_load(&robust_tid) == 0)
		sleep_ms(1);
	long dier = atomic_load(&robust_tid);
	/* Shared waits: the kernel wakes robust futexes without FUTEX_PRIVATE_FLAG. */
	struct waiter w1 = { .timeout = NULL }, w2 = { .timeout = NULL }, wp = { .timeout = NULL };
	CHECK(start(&w1, &rlock.word, FUTEX_WAIT, (uint32_t)dier | FUTEX_WAITERS, 0));
	CHECK(wait_queued(&rlock.word, 0, 1)); /* w1 first: the one woken */
	CHECK(start(&w2, &rlock.word, FUTEX_WAIT, (uint32_t)dier | FUTEX_WAITERS, 0));
	CHECK(start(&wp, &rlock_pending.word, FUTEX_WAIT, 0, 0));
	CHECK(wait_queued(&rlock.word, 0, 2));
	CHECK(wait_queued(&rlock_pending.word, 0, 1));
	atomic_store(&robust_tid, 0);
	pthread_join(th, NULL);
	pthread_join(w1.th, NULL); /* one waiter woken per word */
	CHECK_EQ(w1.ret, 0);
	pthread_join(wp.th, NULL);
	CHECK_EQ(wp.ret, 0);
	CHECK_EQ(rlock.word, FUTEX_OWNER_DIED | FUTEX_WAITERS);
	CHECK_EQ(rlock_other.word, (uint32_t)dier + 1);
	CHECK_EQ(rlock_pending.word, 0);
	sleep_ms(20);
	CHECK_EQ(atomic_load(&w2.done), 0);
	CHECK_EQ(fx(&rlock.word, FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	pthread_join(w2.th, NULL);
	CHECK_EQ(w2.ret, 0);
}

static pthread_mutex_t rmutex;
static _Atomic int rstage;

static void *robust_mutex_owner(void *p)
{
	(void)p;
	if (pthread_mutex_lock(&rmutex) != 0)
		abort();
	atomic_store(&rstage, 1);
	while (atomic_load(&rstage) != 2)
		sleep_ms(1);
	return NULL; /* dies holding it */
}

static void *robust_mutex_waiter(void *p)
{
	long r = pthread_mutex_lock(&rmutex);
	*(long *)p = r;
	if (r == EOWNERDEAD) {
		pthread_mutex_consistent(&rmutex);
		pthread_mutex_unlock(&rmutex);
	}
	return NULL;
}

/* glibc robust mutexes (plain and PI): the owner dies, a blocked waiter and a later locker see EOWNERDEAD. */
static void robust_mutex_owner_dies_as(int protocol)
{
	pthread_mutexattr_t at;
	pthread_mutexattr_init(&at);
	pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
	CHECK_EQ(pthread_mutexattr_setprotocol(&at, protocol), 0);
	CHECK_EQ(pthread_mutex_init(&rmutex, &at), 0);
	atomic_store(&rstage, 0);
	pthread_t owner, waiter;
	long wret = -1;
	CHECK(pthread_create(&owner, NULL, robust_mutex_owner, NULL) == 0);
	while (atomic_load(&rstage) != 1)
		sleep_ms(1);
	CHECK(pthread_create(&waiter, NULL, robust_mutex_waiter, &wret) == 0);
	CHECK(wait_bits((uint32_t *)&rmutex.__data.__lock, FUTEX_WAITERS));
	atomic_store(&rstage, 2);
	pthread_join(owner, NULL);
	pthread_join(waiter, NULL);
	CHECK_EQ(wret, EOWNERDEAD);
	/* The owner dies again with nobody waiting. */
	atomic_store(&rstage, 0);
	CHECK(pthread_create(&owner, NULL, robust_mutex_owner, NULL) == 0);
	while (atomic_load(&rstage) != 1)
		sleep_ms(1);
	atomic_store(&rstage, 2);
	pthread_join(owner, NULL);
	CHECK_EQ(pthread_mutex_lock(&rmutex), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(&rmutex), 0);
	CHECK_EQ(pthread_mutex_unlock(&rmutex), 0);
	CHECK_EQ(pthread_mutex_lock(&rmutex), 0);
	CHECK_EQ(pthread_mutex_unlock(&rmutex), 0);
	pthread_mutex_destroy(&rmutex);
}

static void robust_mutex_owner_dies(void) { robust_mutex_owner_dies_as(PTHREAD_PRIO_NONE); }
static void robust_pi_mutex_owner_dies(void) { robust_mutex_owner_dies_as(PTHREAD_PRIO_INHERIT); }

/* pthread_join waits on the thread's TID word, which the kernel clears and wakes (CLONE_CHILD_CLEARTID). */
static void *short_lived(void *p)
{
	sleep_ms(10);
	return p;
}

static void join_uses_cleartid(void)
{
	for (int i = 0; i < 20; i++) {
		pthread_t th;
		void *ret = NULL;
		CHECK(pthread_create(&th, NULL, short_lived, (void *)(uintptr_t)(i + 1)) == 0);
		CHECK_EQ(pthread_join(th, &ret), 0);
		CHECK_EQ((uintptr_t)ret, (uintptr_t)(i + 1));
	}
}

int main(void)
{
	RUN(wait_wake);
	RUN(wake_counts);
	RUN(bitsets);
	RUN(requeue);
	RUN(wake_op);
	RUN(timed_wait_is_woken);
	RUN(waitv_wakes_index);
	RUN(shared_across_fork);
	RUN(shared_file_mappings);
	RUN(signal_interrupts);
	RUN(pi_handoff);
	RUN(pi_trylock_and_timeout);
	RUN(pi_contention);
	RUN(robust_list_raw);
	RUN(robust_mutex_owner_dies);
	RUN(robust_pi_mutex_owner_dies);
	RUN(join_uses_cleartid);
	DONE();
}
