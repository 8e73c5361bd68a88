/*
 * timers.c: alarm(2), getitimer(2)/setitimer(2), POSIX timers (timer_create,
 * timer_settime, timer_gettime, timer_getoverrun, timer_delete),
 * clock_nanosleep(2) on the wall and CPU clocks, clock_gettime(2) and
 * clock_getres(2) on the dynamic CPU clocks.
 *
 * No signal handlers: a timer signal is seen by its default action killing
 * a forked child (WTERMSIG). Handlers, overruns of queued signals and
 * interrupted sleeps are in timers_sig.c.
 *
 * Timing checks allow slack for a loaded machine but never accept a wrong
 * direction: a remaining time is never above what was set (plus the one
 * tick CPU interval timers add), a sleep never ends early.
 *
 * The program re-executes itself (argv[1] names a mode) to check what
 * survives execve: interval timers do, POSIX timers do not.
 */
#include "check.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif

#define MS 1000000LL
#define SEC 1000000000LL

/* MAKE_PROCESS_CPUCLOCK / MAKE_THREAD_CPUCLOCK of <linux/posix-timers.h>. */
#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
#define PROCESS_CPUCLOCK(pid, which) ((int)((~(unsigned)(pid)) << 3) | (which))
#define THREAD_CPUCLOCK(tid, which) (PROCESS_CPUCLOCK(tid, which) | 4)

static char self[PATH_MAX];

static long long ts_ns(const struct timespec *t) { return (long long)t->tv_sec * SEC + t->tv_nsec; }
static long long tv_ns(const struct timeval *t) { return (long long)t->tv_sec * SEC + (long long)t->tv_usec * 1000; }

static long long now_ns(clockid_t c)
{
	struct timespec t;
	if (syscall(SYS_clock_gettime, c, &t) != 0)
		return -1;
	return ts_ns(&t);
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	while (syscall(SYS_nanosleep, &t, &t) != 0 && errno == EINTR)
		;
}

static long r_create(clockid_t c, struct sigevent *ev, int *id) { return syscall(SYS_timer_create, c, ev, id); }
static long r_settime(int id, int flags, const struct itimerspec *n, struct itimerspec *o) { return syscall(SYS_timer_settime, id, flags, n, o); }
static long r_gettime(int id, struct itimerspec *c) { return syscall(SYS_timer_gettime, id, c); }
static long r_delete(int id) { return syscall(SYS_timer_delete, id); }
static long r_overrun(int id) { return syscall(SYS_timer_getoverrun, id); }
static long r_setitimer(int w, const struct itimerval *n, struct itimerval *o) { return syscall(SYS_setitimer, w, n, o); }
static long r_getitimer(int w, struct itimerval *c) { return syscall(SYS_getitimer, w, c); }
static long r_alarm(unsigned s) { return syscall(SYS_alarm, s); }
static long r_nsleep(clockid_t c, int flags, const struct timespec *r, struct timespec *rem) { return syscall(SYS_clock_nanosleep, c, flags, r, rem); }

static struct itimerspec its(long long value_ns, long long interval_ns)
{
	struct itimerspec s;
	s.it_value.tv_sec = value_ns / SEC;
	s.it_value.tv_nsec = value_ns % SEC;
	s.it_interval.tv_sec = interval_ns / SEC;
	s.it_interval.tv_nsec = interval_ns % SEC;
	return s;
}

static struct itimerval itv(long long value_us, long long interval_us)
{
	struct itimerval v;
	v.it_value.tv_sec = value_us / 1000000;
	v.it_value.tv_usec = value_us % 1000000;
	v.it_interval.tv_sec = interval_us / 1000000;
	v.it_interval.tv_usec = interval_us % 1000000;
	return v;
}

static struct sigevent sev(int notify, int signo)
{
	struct sigevent e;
	memset(&e, 0, sizeof e);
	e.sigev_notify = notify;
	e.sigev_signo = signo;
	return e;
}

static void clear_itimers(void)
{
	struct itimerval z = itv(0, 0);
	r_setitimer(ITIMER_REAL, &z, NULL);
	r_setitimer(ITIMER_VIRTUAL, &z, NULL);
	r_setitimer(ITIMER_PROF, &z, NULL);
}

/*
 * Burns CPU in this thread for about ms of CPU time (bounded by 10 s of wall
 * time). The clock is read about once a millisecond: mostly user time, and
 * few system calls.
 */
static void spin_cpu_ms(long ms)
{
	long long start = now_ns(CLOCK_THREAD_CPUTIME_ID);
	long long wall = now_ns(CLOCK_MONOTONIC);
	volatile unsigned long x = 0;
	while (now_ns(CLOCK_THREAD_CPUTIME_ID) - start < ms * MS && now_ns(CLOCK_MONOTONIC) - wall < 10 * SEC)
		for (int i = 0; i < 1000000; i++)
			x += (unsigned long)i;
}

/* Waits for pid; returns its wait status, or -1. */
static int wait_status(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

#define CHECK_KILLED_BY(st, sig)                                                                       \
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == (sig), "child status 0x%x, expected death by signal %d", \
	       (unsigned)(st), (sig))

/* ------------------------------------------------------------------ */
/* alarm and interval timers                                          */
/* ------------------------------------------------------------------ */

static void alarm_returns(void)
{
	clear_itimers();
	CHECK_EQ(r_alarm(0), 0);
	CHECK_EQ(r_alarm(100), 0);
	/* 99.99... s remain: a half second or more rounds up. */
	CHECK_EQ(r_alarm(50), 100);
	CHECK_EQ(r_alarm(0), 50);
	CHECK_EQ(r_alarm(0), 0);
	/* Less than a second pending is 1, never 0. */
	struct itimerval v = itv(800000, 0);
	CHECK_EQ(r_setitimer(ITIMER_REAL, &v, NULL), 0);
	CHECK_EQ(r_alarm(0), 1);
	/* 2.9 s (minus a little) rounds up to 3, 2.4 s down to 2. */
	v = itv(2900000, 0);
	CHECK_EQ(r_setitimer(ITIMER_REAL, &v, NULL), 0);
	CHECK_EQ(r_alarm(0), 3);
	v = itv(2400000, 0);
	CHECK_EQ(r_setitimer(ITIMER_REAL, &v, NULL), 0);
	CHECK_EQ(r_alarm(0), 2);
	/* alarm replaces a periodic ITIMER_REAL and clears its interval. */
	v = itv(5000000, 1000000);
	CHECK_EQ(r_setitimer(ITIMER_REAL, &v, NULL), 0);
	CHECK_EQ(r_alarm(7), 5);
	struct itimerval g;
	CHECK_EQ(r_getitimer(ITIMER_REAL, &g), 0);
	CHECK_EQ(g.it_interval.tv_sec, 0);
	CHECK_EQ(g.it_interval.tv_usec, 0);
	CHECK(g.it_value.tv_sec == 6 || g.it_value.tv_sec == 7);
	CHECK_EQ(r_alarm(0), 7);
}

static void itimer_real_roundtrip(void)
{
	clear_itimers();
	struct itimerval v = itv(2250000, 1500000), o, g;
	memset(&o, 0x55, sizeof o);
	CHECK_EQ(r_setitimer(ITIMER_REAL, &v, &o), 0);
	CHECK_EQ(tv_ns(&o.it_value), 0);
	CHECK_EQ(tv_ns(&o.it_interval), 0);
	CHECK_EQ(r_getitimer(ITIMER_REAL, &g), 0);
	CHECK_EQ(g.it_interval.tv_sec, 1);
	CHECK_EQ(g.it_interval.tv_usec, 500000);
	CHECKF(tv_ns(&g.it_value) <= 2250 * MS && tv_ns(&g.it_value) > 1250 * MS, "value %ld.%06ld", (long)g.it_value.tv_sec, (long)g.it_value.tv_usec);
	CHECK(g.it_value.tv_usec >= 0 && g.it_value.tv_usec < 1000000);
	sleep_ms(30);
	struct itimerval g2;
	CHECK_EQ(r_getitimer(ITIMER_REAL, &g2), 0);
	CHECKF(tv_ns(&g2.it_value) <= tv_ns(&g.it_value) - 30 * MS, "value did not go down: %lld then %lld", tv_ns(&g.it_value), tv_ns(&g2.it_value));
	/* Disarming returns the old setting. */
	struct itimerval z = itv(0, 0);
	CHECK_EQ(r_setitimer(ITIMER_REAL, &z, &o), 0);
	CHECK_EQ(o.it_interval.tv_sec, 1);
	CHECK_EQ(o.it_interval.tv_usec, 500000);
	CHECK(tv_ns(&o.it_value) <= tv_ns(&g2.it_value) && tv_ns(&o.it_value) > 0);
	CHECK_EQ(r_getitimer(ITIMER_REAL, &g), 0);
	CHECK_EQ(tv_ns(&g.it_value), 0);
	CHECK_EQ(tv_ns(&g.it_interval), 0);
}

static void itimer_interval_only(void)
{
	clear_itimers();
	/* A zero value disarms; ITIMER_REAL forgets the interval, the CPU timers keep it. */
	struct itimerval v = itv(0, 1000000), g;
	CHECK_EQ(r_setitimer(ITIMER_REAL, &v, NULL), 0);
	CHECK_EQ(r_getitimer(ITIMER_REAL, &g), 0);
	CHECK_EQ(tv_ns(&g.it_value), 0);
	CHECK_EQ(tv_ns(&g.it_interval), 0);
	CHECK_EQ(r_setitimer(ITIMER_VIRTUAL, &v, NULL), 0);
	CHECK_EQ(r_getitimer(ITIMER_VIRTUAL, &g), 0);
	CHECK_EQ(tv_ns(&g.it_value), 0);
	CHECK_EQ(g.it_interval.tv_sec, 1);
	CHECK_EQ(g.it_interval.tv_usec, 0);
	CHECK_EQ(r_setitimer(ITIMER_PROF, &v, NULL), 0);
	CHECK_EQ(r_getitimer(ITIMER_PROF, &g), 0);
	CHECK_EQ(tv_ns(&g.it_value), 0);
	CHECK_EQ(g.it_interval.tv_sec, 1);
	clear_itimers();
}

static void itimer_cpu_roundtrip(void)
{
	clear_itimers();
	static const int which[] = {ITIMER_VIRTUAL, ITIMER_PROF};
	for (int i = 0; i < 2; i++) {
		struct itimerval v = itv(5000000, 250000), g, o;
		CHECK_EQ(r_setitimer(which[i], &v, NULL), 0);
		CHECK_EQ(r_getitimer(which[i], &g), 0);
		/* The kernel adds one tick (1/HZ, at most 10 ms) to a new value. */
		CHECKF(tv_ns(&g.it_value) <= 5010 * MS && tv_ns(&g.it_value) > 4500 * MS, "itimer %d value %ld.%06ld", which[i],
		       (long)g.it_value.tv_sec, (long)g.it_value.tv_usec);
		CHECK_EQ(g.it_interval.tv_sec, 0);
		CHECK_EQ(g.it_interval.tv_usec, 250000);
		/* CPU time passes only while running (user time for ITIMER_VIRTUAL, which ticks may attribute unevenly). */
		struct itimerval g2;
		for (int n = 0; n < 100; n++) {
			spin_cpu_ms(20);
			CHECK_EQ(r_getitimer(which[i], &g2), 0);
			if (tv_ns(&g2.it_value) < tv_ns(&g.it_value))
				break;
		}
		CHECKF(tv_ns(&g2.it_value) < tv_ns(&g.it_value), "itimer %d did not run down with CPU time", which[i]);
		struct itimerval z = itv(0, 0);
		CHECK_EQ(r_setitimer(which[i], &z, &o), 0);
		CHECK(tv_ns(&o.it_value) <= tv_ns(&g2.it_value) && tv_ns(&o.it_value) > 0);
		CHECK_EQ(o.it_interval.tv_usec, 250000);
	}
}

static void itimer_errors(void)
{
	clear_itimers();
	struct itimerval v = itv(1000000, 0), g;
	CHECK_ERR(r_getitimer(3, &g), EINVAL);
	CHECK_ERR(r_getitimer(-1, &g), EINVAL);
	CHECK_ERR(r_getitimer(3, BAD_HIGH), EINVAL); /* which first */
	CHECK_ERR(r_getitimer(ITIMER_REAL, BAD_HIGH), EFAULT);
	CHECK_ERR(r_setitimer(3, &v, NULL), EINVAL);
	CHECK_ERR(r_setitimer(3, BAD_HIGH, NULL), EFAULT); /* the copy first */
	CHECK_ERR(r_setitimer(ITIMER_REAL, BAD_HIGH, NULL), EFAULT);
	v.it_value.tv_usec = 1000000;
	CHECK_ERR(r_setitimer(ITIMER_REAL, &v, NULL), EINVAL);
	v.it_value.tv_usec = -1;
	CHECK_ERR(r_setitimer(ITIMER_PROF, &v, NULL), EINVAL);
	v = itv(1000000, 0);
	v.it_interval.tv_usec = 1000000;
	CHECK_ERR(r_setitimer(ITIMER_VIRTUAL, &v, NULL), EINVAL);
	v = itv(0, 0);
	v.it_value.tv_sec = -1;
	CHECK_ERR(r_setitimer(ITIMER_REAL, &v, NULL), EINVAL);
	/* A failed call changes nothing. */
	CHECK_EQ(r_getitimer(ITIMER_REAL, &g), 0);
	CHECK_EQ(tv_ns(&g.it_value), 0);
	/* The old value is written after the new one is set: EFAULT, yet armed. */
	v = itv(3000000, 0);
	CHECK_ERR(r_setitimer(ITIMER_REAL, &v, BAD_HIGH), EFAULT);
	CHECK_EQ(r_getitimer(ITIMER_REAL, &g), 0);
	CHECK(g.it_value.tv_sec == 2 || g.it_value.tv_sec == 3);
	/* A NULL new value disarms (old Linux misfeature, still there) and returns the old one. */
	struct itimerval o;
	CHECK_EQ(r_setitimer(ITIMER_REAL, NULL, &o), 0);
	CHECK(o.it_value.tv_sec == 2 || o.it_value.tv_sec == 3);
	CHECK_EQ(r_getitimer(ITIMER_REAL, &g), 0);
	CHECK_EQ(tv_ns(&g.it_value), 0);
}

/* Forks a child that arms something deadly, then sleeps; returns its wait status. */
static int child_status(void (*arm)(void), int busy)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		arm();
		if (busy)
			spin_cpu_ms(5000);
		else
			for (int i = 0; i < 50; i++)
				sleep_ms(100);
		_exit(0);
	}
	return wait_status(pid);
}

static void arm_real(void)
{
	struct itimerval v = itv(50000, 0);
	r_setitimer(ITIMER_REAL, &v, NULL);
}
static void arm_alarm(void) { r_alarm(1); }
static void arm_virtual(void)
{
	struct itimerval v = itv(50000, 0);
	r_setitimer(ITIMER_VIRTUAL, &v, NULL);
}
static void arm_prof(void)
{
	struct itimerval v = itv(50000, 0);
	r_setitimer(ITIMER_PROF, &v, NULL);
}

static void itimer_signals_kill(void)
{
	int st = child_status(arm_real, 0);
	CHECK_KILLED_BY(st, SIGALRM);
	st = child_status(arm_alarm, 0);
	CHECK_KILLED_BY(st, SIGALRM);
	st = child_status(arm_virtual, 1);
	CHECK_KILLED_BY(st, SIGVTALRM);
	st = child_status(arm_prof, 1);
	CHECK_KILLED_BY(st, SIGPROF);
	/* A sleeping process uses no CPU time: its CPU timers do not fire. */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		arm_virtual();
		arm_prof();
		sleep_ms(200);
		_exit(7);
	}
	st = wait_status(pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status 0x%x", (unsigned)st);
}

/* ------------------------------------------------------------------ */
/* POSIX timers                                                       */
/* ------------------------------------------------------------------ */

static void posix_timer_none(void)
{
	struct sigevent e = sev(SIGEV_NONE, 0);
	int id = -1;
	CHECK_EQ(r_create(CLOCK_MONOTONIC, &e, &id), 0);
	CHECK(id >= 0);
	struct itimerspec c, o;
	memset(&c, 0x55, sizeof c);
	CHECK_EQ(r_gettime(id, &c), 0);
	CHECK_EQ(ts_ns(&c.it_value), 0);
	CHECK_EQ(ts_ns(&c.it_interval), 0);
	/* Relative: the remaining time counts down. */
	struct itimerspec n = its(500 * MS, 0);
	CHECK_EQ(r_settime(id, 0, &n, &o), 0);
	CHECK_EQ(ts_ns(&o.it_value), 0);
	CHECK_EQ(r_gettime(id, &c), 0);
	CHECKF(ts_ns(&c.it_value) > 0 && ts_ns(&c.it_value) <= 500 * MS, "remaining %lld", ts_ns(&c.it_value));
	CHECK_EQ(ts_ns(&c.it_interval), 0);
	sleep_ms(30);
	struct itimerspec c2;
	CHECK_EQ(r_gettime(id, &c2), 0);
	CHECKF(ts_ns(&c2.it_value) <= ts_ns(&c.it_value) - 30 * MS, "remaining %lld then %lld", ts_ns(&c.it_value), ts_ns(&c2.it_value));
	/* A one-shot SIGEV_NONE timer that expired reads 0. */
	n = its(10 * MS, 0);
	CHECK_EQ(r_settime(id, 0, &n, &o), 0);
	CHECK(ts_ns(&o.it_value) > 0 && ts_ns(&o.it_value) <= ts_ns(&c2.it_value));
	sleep_ms(30);
	CHECK_EQ(r_gettime(id, &c), 0);
	CHECK_EQ(ts_ns(&c.it_value), 0);
	CHECK_EQ(ts_ns(&c.it_interval), 0);
	/* Periodic: always the time to the next period. */
	n = its(20 * MS, 30 * MS);
	CHECK_EQ(r_settime(id, 0, &n, NULL), 0);
	sleep_ms(70);
	CHECK_EQ(r_gettime(id, &c), 0);
	CHECKF(ts_ns(&c.it_value) > 0 && ts_ns(&c.it_value) <= 30 * MS, "periodic remaining %lld", ts_ns(&c.it_value));
	CHECK_EQ(ts_ns(&c.it_interval), 30 * MS);
	/* Nothing is ever delivered: no overruns. */
	CHECK_EQ(r_overrun(id), 0);
	/* Absolute. */
	long long now = now_ns(CLOCK_MONOTONIC);
	n = its(now + 400 * MS, 0);
	CHECK_EQ(r_settime(id, TIMER_ABSTIME, &n, &o), 0);
	CHECK(ts_ns(&o.it_value) > 0 && ts_ns(&o.it_value) <= 30 * MS);
	CHECK_EQ(ts_ns(&o.it_interval), 30 * MS);
	CHECK_EQ(r_gettime(id, &c), 0);
	CHECKF(ts_ns(&c.it_value) > 0 && ts_ns(&c.it_value) <= 400 * MS, "absolute remaining %lld", ts_ns(&c.it_value));
	/* Absolute in the past: expired at once. */
	n = its(1, 0);
	CHECK_EQ(r_settime(id, TIMER_ABSTIME, &n, NULL), 0);
	CHECK_EQ(r_gettime(id, &c), 0);
	CHECK_EQ(ts_ns(&c.it_value), 0);
	/* Disarm. */
	n = its(0, 5 * MS);
	CHECK_EQ(r_settime(id, 0, &n, NULL), 0);
	CHECK_EQ(r_gettime(id, &c), 0);
	CHECK_EQ(ts_ns(&c.it_value), 0);
	CHECK_EQ(ts_ns(&c.it_interval), 0); /* the interval goes with the value */
	CHECK_EQ(r_delete(id), 0);
	CHECK_ERR(r_delete(id), EINVAL);
	CHECK_ERR(r_gettime(id, &c), EINVAL);
	CHECK_ERR(r_settime(id, 0, &n, NULL), EINVAL);
	CHECK_ERR(r_overrun(id), EINVAL);
}

/* A signal timer that has not fired yet reads its remaining time like any other. */
static void posix_timer_signal_gettime(void)
{
	struct sigevent e = sev(SIGEV_SIGNAL, SIGUSR1);
	e.sigev_value.sival_int = 42;
	int id = -1;
	CHECK_EQ(r_create(CLOCK_REALTIME, &e, &id), 0);
	struct itimerspec n = its(10 * SEC, 2 * SEC), c;
	CHECK_EQ(r_settime(id, 0, &n, NULL), 0);
	CHECK_EQ(r_gettime(id, &c), 0);
	CHECKF(ts_ns(&c.it_value) > 9 * SEC && ts_ns(&c.it_value) <= 10 * SEC, "remaining %lld", ts_ns(&c.it_value));
	CHECK_EQ(ts_ns(&c.it_interval), 2 * SEC);
	/* Absolute on CLOCK_REALTIME. */
	long long now = now_ns(CLOCK_REALTIME);
	n = its(now + 5 * SEC, 0);
	CHECK_EQ(r_settime(id, TIMER_ABSTIME, &n, NULL), 0);
	CHECK_EQ(r_gettime(id, &c), 0);
	CHECKF(ts_ns(&c.it_value) > 4 * SEC && ts_ns(&c.it_value) <= 5 * SEC, "remaining %lld", ts_ns(&c.it_value));
	CHECK_EQ(r_overrun(id), 0);
	CHECK_EQ(r_delete(id), 0);
	/* Other clocks. */
	static const clockid_t clocks[] = {CLOCK_BOOTTIME, CLOCK_TAI};
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(r_create(clocks[i], &e, &id), 0);
		n = its(3 * SEC, 0);
		CHECK_EQ(r_settime(id, 0, &n, NULL), 0);
		CHECK_EQ(r_gettime(id, &c), 0);
		CHECK(ts_ns(&c.it_value) > 2 * SEC && ts_ns(&c.it_value) <= 3 * SEC);
		CHECK_EQ(r_delete(id), 0);
	}
}

static void posix_timer_ids(void)
{
	/* In a new process ids start at 0, count up, are not reused at once, and a failed create uses one up. */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct sigevent e = sev(SIGEV_NONE, 0);
		int a = -1, b = -1, c = -1, d = -1;
		if (r_create(CLOCK_MONOTONIC, &e, &a) != 0 || a != 0)
			_exit(1);
		if (r_create(CLOCK_MONOTONIC, &e, &b) != 0 || b != 1)
			_exit(2);
		if (r_delete(a) != 0)
			_exit(3);
		if (r_create(CLOCK_MONOTONIC, &e, &c) != 0 || c != 2)
			_exit(4);
		struct sigevent bad = sev(SIGEV_SIGNAL, 0);
		if (r_create(CLOCK_MONOTONIC, &bad, &d) != -1 || errno != EINVAL)
			_exit(5);
		/* The default event (NULL): SIGALRM with the id as value. */
		if (r_create(CLOCK_MONOTONIC, NULL, &d) != 0 || d != 4)
			_exit(6);
		_exit(0);
	}
	int st = wait_status(pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x", (unsigned)st);
}

static void posix_timer_errors(void)
{
	struct sigevent e = sev(SIGEV_NONE, 0);
	int id = -1;
	struct itimerspec n = its(SEC, 0), c;
	CHECK_ERR(r_create(10 /* CLOCK_SGI_CYCLE */, &e, &id), EINVAL);
	CHECK_ERR(r_create(12, &e, &id), EINVAL);
	CHECK_ERR(r_create(INT_MAX, &e, &id), EINVAL);
	CHECK_ERR(r_create(CLOCK_MONOTONIC_RAW, &e, &id), EOPNOTSUPP);
	CHECK_ERR(r_create(CLOCK_REALTIME_COARSE, &e, &id), EOPNOTSUPP);
	CHECK_ERR(r_create(CLOCK_MONOTONIC_COARSE, &e, &id), EOPNOTSUPP);
	CHECK_ERR(r_create(-5 /* a CLOCKFD id: no such clock */, &e, &id), EOPNOTSUPP);
	CHECK_ERR(r_create(THREAD_CPUCLOCK(0, 3), &e, &id), EINVAL);
	CHECK_ERR(r_create(PROCESS_CPUCLOCK(0x3fffff0, CPUCLOCK_SCHED), &e, &id), EINVAL);
	CHECK_ERR(r_create(99, BAD_HIGH, &id), EFAULT); /* the event is read first */
	CHECK_ERR(r_create(CLOCK_MONOTONIC, &e, BAD_HIGH), EFAULT);
	CHECK_ERR(r_create(CLOCK_MONOTONIC, &e, BAD_NULL), EFAULT);
	struct sigevent b = sev(3, SIGUSR1);
	CHECK_ERR(r_create(CLOCK_MONOTONIC, &b, &id), EINVAL);
	b = sev(SIGEV_SIGNAL, 65);
	CHECK_ERR(r_create(CLOCK_MONOTONIC, &b, &id), EINVAL);
	b = sev(SIGEV_SIGNAL, -1);
	CHECK_ERR(r_create(CLOCK_MONOTONIC, &b, &id), EINVAL);
	/* SIGEV_THREAD is glibc's: the kernel takes it as a signal to the process. */
	b = sev(SIGEV_THREAD, SIGUSR1);
	CHECK_EQ(r_create(CLOCK_MONOTONIC, &b, &id), 0);
	CHECK_EQ(r_delete(id), 0);
	b = sev(SIGEV_THREAD, 0);
	CHECK_ERR(r_create(CLOCK_MONOTONIC, &b, &id), EINVAL);
	/* SIGEV_THREAD_ID: a thread of this process only. */
	b = sev(SIGEV_THREAD_ID, SIGUSR1);
	b._sigev_un._tid = (int)syscall(SYS_gettid);
	CHECK_EQ(r_create(CLOCK_MONOTONIC, &b, &id), 0);
	CHECK_EQ(r_delete(id), 0);
	pid_t child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		sleep_ms(2000);
		_exit(0);
	}
	b._sigev_un._tid = child;
	errno = 0;
	long r = r_create(CLOCK_MONOTONIC, &b, &id);
	int err = errno;
	kill(child, SIGKILL);
	wait_status(child);
	CHECKF(r == -1 && err == EINVAL, "SIGEV_THREAD_ID naming another process: %ld errno %s", r, errname(err));
	b._sigev_un._tid = 0x3ffffff;
	CHECK_ERR(r_create(CLOCK_MONOTONIC, &b, &id), EINVAL);
	b = sev(SIGEV_THREAD_ID, 0);
	b._sigev_un._tid = (int)syscall(SYS_gettid);
	CHECK_ERR(r_create(CLOCK_MONOTONIC, &b, &id), EINVAL);

	/* settime, gettime, getoverrun, delete. */
	CHECK_EQ(r_create(CLOCK_MONOTONIC, &e, &id), 0);
	CHECK_ERR(r_settime(id, 0, NULL, NULL), EINVAL);
	CHECK_ERR(r_settime(id, 0, BAD_HIGH, NULL), EFAULT);
	CHECK_ERR(r_settime(-1, 0, &n, NULL), EINVAL);
	CHECK_ERR(r_settime(id + 1000, 0, &n, NULL), EINVAL);
	struct itimerspec bad = n;
	bad.it_value.tv_nsec = SEC;
	CHECK_ERR(r_settime(id, 0, &bad, NULL), EINVAL);
	bad = n;
	bad.it_interval.tv_nsec = -1;
	CHECK_ERR(r_settime(id, 0, &bad, NULL), EINVAL);
	bad = n;
	bad.it_value.tv_sec = -1;
	CHECK_ERR(r_settime(id, TIMER_ABSTIME, &bad, NULL), EINVAL);
	/* Unknown flag bits are ignored. */
	CHECK_EQ(r_settime(id, 0xf0, &n, NULL), 0);
	/* The old value is written after the timer is set. */
	struct itimerspec n2 = its(2 * SEC, 0);
	CHECK_ERR(r_settime(id, 0, &n2, BAD_HIGH), EFAULT);
	CHECK_EQ(r_gettime(id, &c), 0);
	CHECK(ts_ns(&c.it_value) > SEC);
	CHECK_ERR(r_gettime(id, BAD_HIGH), EFAULT);
	CHECK_ERR(r_gettime(-1, &c), EINVAL);
	CHECK_ERR(r_overrun(-1), EINVAL);
	CHECK_ERR(r_delete(id + 1000), EINVAL);
	CHECK_EQ(r_delete(id), 0);
}

/* Kills children with POSIX timer signals (default actions). */
static int posix_kill_sig;
static void arm_posix_signal(void)
{
	struct sigevent e = sev(SIGEV_SIGNAL, posix_kill_sig);
	int id;
	struct itimerspec n = its(50 * MS, 0);
	if (r_create(CLOCK_MONOTONIC, &e, &id) == 0)
		r_settime(id, 0, &n, NULL);
}
static void arm_posix_default(void)
{
	int id;
	struct itimerspec n = its(40 * MS, 0);
	if (r_create(CLOCK_REALTIME, NULL, &id) == 0)
		r_settime(id, 0, &n, NULL);
}
static void arm_posix_thread_id(void)
{
	struct sigevent e = sev(SIGEV_THREAD_ID, SIGUSR2);
	e._sigev_un._tid = (int)syscall(SYS_gettid);
	int id;
	struct itimerspec n = its(now_ns(CLOCK_MONOTONIC) + 30 * MS, 0);
	if (r_create(CLOCK_MONOTONIC, &e, &id) == 0)
		r_settime(id, TIMER_ABSTIME, &n, NULL);
}
static void arm_posix_cpu(void)
{
	struct sigevent e = sev(SIGEV_SIGNAL, SIGXCPU);
	int id;
	struct itimerspec n = its(40 * MS, 0);
	if (r_create(CLOCK_PROCESS_CPUTIME_ID, &e, &id) == 0)
		r_settime(id, 0, &n, NULL);
}
static void arm_posix_thread_cpu(void)
{
	struct sigevent e = sev(SIGEV_SIGNAL, SIGTERM);
	int id;
	struct itimerspec n = its(40 * MS, 0);
	if (r_create(CLOCK_THREAD_CPUTIME_ID, &e, &id) == 0)
		r_settime(id, 0, &n, NULL);
}

static void posix_timer_signals_kill(void)
{
	posix_kill_sig = SIGUSR1;
	int st = child_status(arm_posix_signal, 0);
	CHECK_KILLED_BY(st, SIGUSR1);
	posix_kill_sig = SIGRTMIN + 2;
	st = child_status(arm_posix_signal, 0);
	CHECK_KILLED_BY(st, SIGRTMIN + 2);
	st = child_status(arm_posix_default, 0);
	CHECK_KILLED_BY(st, SIGALRM);
	st = child_status(arm_posix_thread_id, 0);
	CHECK_KILLED_BY(st, SIGUSR2);
	st = child_status(arm_posix_cpu, 1);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGXCPU, "status 0x%x", (unsigned)st);
	st = child_status(arm_posix_thread_cpu, 1);
	CHECK_KILLED_BY(st, SIGTERM);
	/* A SIGEV_NONE timer never signals; a deleted timer does not fire. */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct sigevent e = sev(SIGEV_NONE, SIGKILL);
		int id, id2;
		struct itimerspec n = its(20 * MS, 0);
		r_create(CLOCK_MONOTONIC, &e, &id);
		r_settime(id, 0, &n, NULL);
		r_create(CLOCK_MONOTONIC, NULL, &id2);
		r_settime(id2, 0, &n, NULL);
		r_delete(id2);
		sleep_ms(100);
		_exit(9);
	}
	st = wait_status(pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 9, "status 0x%x", (unsigned)st);
}

static void posix_cpu_timers(void)
{
	struct sigevent e = sev(SIGEV_NONE, 0);
	int id = -1;
	struct itimerspec n = its(10 * SEC, 0), c;
	clockid_t pc = -1, tc = -1;
	CHECK_EQ(clock_getcpuclockid(getpid(), &pc), 0);
	CHECK_EQ(pthread_getcpuclockid(pthread_self(), &tc), 0);
	const clockid_t clocks[] = {CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, pc, tc,
				    PROCESS_CPUCLOCK(0, CPUCLOCK_PROF), PROCESS_CPUCLOCK(0, CPUCLOCK_VIRT),
				    THREAD_CPUCLOCK(0, CPUCLOCK_VIRT)};
	for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		CHECKF(r_create(clocks[i], &e, &id) == 0, "create on clock %d: errno %s", clocks[i], errname(errno));
		CHECK_EQ(r_settime(id, 0, &n, NULL), 0);
		CHECK_EQ(r_gettime(id, &c), 0);
		CHECKF(ts_ns(&c.it_value) > 9 * SEC && ts_ns(&c.it_value) <= 10 * SEC, "clock %d: remaining %lld", clocks[i], ts_ns(&c.it_value));
		/* Absolute: against the clock's own reading. */
		long long now = now_ns(clocks[i]);
		CHECK(now >= 0);
		struct itimerspec a = its(now + 2 * SEC, 0);
		CHECK_EQ(r_settime(id, TIMER_ABSTIME, &a, NULL), 0);
		CHECK_EQ(r_gettime(id, &c), 0);
		CHECKF(ts_ns(&c.it_value) > SEC && ts_ns(&c.it_value) <= 2 * SEC, "clock %d: absolute remaining %lld", clocks[i], ts_ns(&c.it_value));
		CHECK_EQ(r_delete(id), 0);
	}
	/* Another process's CPU clock can carry a timer. */
	pid_t child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		sleep_ms(2000);
		_exit(0);
	}
	clockid_t cc = -1;
	long r1 = clock_getcpuclockid(child, &cc);
	long r2 = r1 == 0 ? r_create(cc, &e, &id) : -1;
	if (r2 == 0)
		r_delete(id);
	kill(child, SIGKILL);
	wait_status(child);
	CHECK_EQ(r1, 0);
	CHECK_EQ(r2, 0);
	/* A thread clock must be one of this process's threads. */
	CHECK_ERR(r_create(THREAD_CPUCLOCK(child, CPUCLOCK_SCHED), &e, &id), EINVAL);
}

/* ------------------------------------------------------------------ */
/* clock_nanosleep and CPU clocks                                     */
/* ------------------------------------------------------------------ */

static void clock_nanosleep_wall(void)
{
	static const clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME, CLOCK_TAI};
	for (int i = 0; i < 4; i++) {
		clockid_t ck = clocks[i];
		/* Relative. */
		long long t0 = now_ns(ck);
		struct timespec r = {0, 20 * MS};
		CHECK_EQ(r_nsleep(ck, 0, &r, NULL), 0);
		long long t1 = now_ns(ck);
		CHECKF(t1 - t0 >= 20 * MS, "clock %d: relative sleep of 20 ms took %lld ns", ck, t1 - t0);
		/* Absolute: never returns before the target. */
		long long target = now_ns(ck) + 25 * MS;
		struct timespec a = {target / SEC, target % SEC};
		CHECK_EQ(r_nsleep(ck, TIMER_ABSTIME, &a, NULL), 0);
		long long t2 = now_ns(ck);
		CHECKF(t2 >= target, "clock %d: absolute sleep ended %lld ns early", ck, target - t2);
		CHECKF(t2 - target < 5 * SEC, "clock %d: absolute sleep ended %lld ns late", ck, t2 - target);
		/* In the past: at once; rem is never touched by an absolute sleep. */
		a.tv_sec = 0;
		a.tv_nsec = 1;
		CHECK_EQ(r_nsleep(ck, TIMER_ABSTIME, &a, BAD_HIGH), 0);
	}
	/* Zero and unknown flag bits (only TIMER_ABSTIME counts). */
	struct timespec z = {0, 0};
	CHECK_EQ(r_nsleep(CLOCK_MONOTONIC, 0, &z, NULL), 0);
	struct timespec r = {0, 1000};
	CHECK_EQ(r_nsleep(CLOCK_MONOTONIC, 0x100, &r, BAD_HIGH), 0);
}

static void clock_nanosleep_errors(void)
{
	struct timespec r = {0, 1000};
	CHECK_ERR(r_nsleep(10, 0, &r, NULL), EINVAL);
	CHECK_ERR(r_nsleep(12, 0, &r, NULL), EINVAL);
	CHECK_ERR(r_nsleep(-1, 0, &r, NULL), EINVAL); /* this thread's own CPU clock (and which 3) */
	/* Clocks without a sleep: EOPNOTSUPP, before the request is read. */
	CHECK_ERR(r_nsleep(CLOCK_THREAD_CPUTIME_ID, 0, &r, NULL), EOPNOTSUPP);
	CHECK_ERR(r_nsleep(CLOCK_THREAD_CPUTIME_ID, 0, BAD_HIGH, NULL), EOPNOTSUPP);
	CHECK_ERR(r_nsleep(CLOCK_MONOTONIC_RAW, 0, BAD_HIGH, NULL), EOPNOTSUPP);
	CHECK_ERR(r_nsleep(CLOCK_REALTIME_COARSE, 0, &r, NULL), EOPNOTSUPP);
	CHECK_ERR(r_nsleep(CLOCK_MONOTONIC_COARSE, 0, &r, NULL), EOPNOTSUPP);
	CHECK_ERR(r_nsleep(-5 /* CLOCKFD */, 0, &r, NULL), EOPNOTSUPP);
	/* The request. */
	CHECK_ERR(r_nsleep(CLOCK_MONOTONIC, 0, BAD_HIGH, NULL), EFAULT);
	CHECK_ERR(r_nsleep(CLOCK_PROCESS_CPUTIME_ID, 0, BAD_NULL, NULL), EFAULT);
	struct timespec b = {0, SEC};
	CHECK_ERR(r_nsleep(CLOCK_MONOTONIC, 0, &b, NULL), EINVAL);
	b.tv_nsec = -1;
	CHECK_ERR(r_nsleep(CLOCK_REALTIME, TIMER_ABSTIME, &b, NULL), EINVAL);
	b.tv_sec = -1;
	b.tv_nsec = 0;
	CHECK_ERR(r_nsleep(CLOCK_PROCESS_CPUTIME_ID, 0, &b, NULL), EINVAL);
	/* A thread cannot sleep on its own CPU clock, by id 0 or by its tid. */
	CHECK_ERR(r_nsleep(THREAD_CPUCLOCK(0, CPUCLOCK_SCHED), 0, &r, NULL), EINVAL);
	CHECK_ERR(r_nsleep(THREAD_CPUCLOCK(syscall(SYS_gettid), CPUCLOCK_SCHED), 0, &r, NULL), EINVAL);
	/* No such process. */
	CHECK_ERR(r_nsleep(PROCESS_CPUCLOCK(0x3ffffff, CPUCLOCK_SCHED), 0, &r, NULL), EINVAL);
	CHECK_ERR(r_nsleep(THREAD_CPUCLOCK(0, 3), 0, &r, NULL), EINVAL);
}

static volatile int spinning;
static void *spinner(void *arg)
{
	(void)arg;
	long long wall = now_ns(CLOCK_MONOTONIC);
	volatile unsigned long x = 0;
	while (spinning && now_ns(CLOCK_MONOTONIC) - wall < 10 * SEC)
		for (int i = 0; i < 1000000; i++)
			x++;
	return NULL;
}

static void clock_nanosleep_cpu(void)
{
	pthread_t th;
	spinning = 1;
	CHECK_EQ(pthread_create(&th, NULL, spinner, NULL), 0);
	long long c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	struct timespec r = {0, 60 * MS};
	long rr = r_nsleep(CLOCK_PROCESS_CPUTIME_ID, 0, &r, NULL);
	long long c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	/* Absolute, on the process clock by pid. */
	clockid_t pc = -1;
	long rc = clock_getcpuclockid(getpid(), &pc);
	long long target = c1 + 40 * MS;
	struct timespec a = {target / SEC, target % SEC};
	long ra = rc == 0 ? r_nsleep(pc, TIMER_ABSTIME, &a, NULL) : -1;
	long long c2 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	/* Another thread's CPU clock. */
	clockid_t tc = -1;
	long rt = pthread_getcpuclockid(th, &tc);
	long long t0 = rt == 0 ? now_ns(tc) : -1;
	struct timespec r2 = {0, 30 * MS};
	long rs = rt == 0 ? r_nsleep(tc, 0, &r2, NULL) : -1;
	long long t1 = rt == 0 ? now_ns(tc) : -1;
	spinning = 0;
	pthread_join(th, NULL);
	CHECK_EQ(rr, 0);
	CHECKF(c1 - c0 >= 60 * MS, "process CPU time advanced %lld ns during a 60 ms CPU sleep", c1 - c0);
	CHECK_EQ(rc, 0);
	CHECK_EQ(ra, 0);
	CHECKF(c2 >= target, "absolute CPU sleep ended %lld ns early", target - c2);
	CHECK_EQ(rt, 0);
	CHECK_EQ(rs, 0);
	CHECKF(t1 - t0 >= 30 * MS, "thread CPU time advanced %lld ns during a 30 ms sleep on it", t1 - t0);
}

static void cpu_clocks(void)
{
	struct timespec t, res;
	clockid_t pc = -1, tc = -1;
	CHECK_EQ(clock_getcpuclockid(0, &pc), 0);
	CHECK_EQ(pthread_getcpuclockid(pthread_self(), &tc), 0);
	spin_cpu_ms(20);
	long long p = now_ns(CLOCK_PROCESS_CPUTIME_ID), pp = now_ns(pc);
	long long th = now_ns(CLOCK_THREAD_CPUTIME_ID), tt = now_ns(tc);
	CHECK(p >= 20 * MS && pp >= p);
	CHECK(th >= 20 * MS && tt >= th);
	/* PROF (user + system) and VIRT (user) advance too, and VIRT <= PROF. */
	long long prof = now_ns(PROCESS_CPUCLOCK(0, CPUCLOCK_PROF));
	long long virt = now_ns(PROCESS_CPUCLOCK(0, CPUCLOCK_VIRT));
	CHECKF(prof > 0 && virt > 0 && virt <= prof + 10 * MS, "prof %lld virt %lld", prof, virt);
	CHECK(now_ns(THREAD_CPUCLOCK(0, CPUCLOCK_PROF)) >= 0);
	CHECK(now_ns(THREAD_CPUCLOCK(0, CPUCLOCK_VIRT)) >= 0);
	/* The caller's own tid names its process for clock_gettime. */
	CHECK_EQ(syscall(SYS_clock_gettime, PROCESS_CPUCLOCK(syscall(SYS_gettid), CPUCLOCK_SCHED), &t), 0);
	/* Resolutions: 1 ns for the scheduler clock, one tick for PROF and VIRT. */
	CHECK_EQ(syscall(SYS_clock_getres, CLOCK_PROCESS_CPUTIME_ID, &res), 0);
	CHECK_EQ(res.tv_sec, 0);
	CHECK_EQ(res.tv_nsec, 1);
	CHECK_EQ(syscall(SYS_clock_getres, CLOCK_THREAD_CPUTIME_ID, &res), 0);
	CHECK_EQ(res.tv_nsec, 1);
	CHECK_EQ(syscall(SYS_clock_getres, PROCESS_CPUCLOCK(0, CPUCLOCK_PROF), &res), 0);
	CHECKF(res.tv_sec == 0 && res.tv_nsec >= 1000000 && res.tv_nsec <= 10000000, "PROF resolution %ld", res.tv_nsec);
	CHECK_EQ(syscall(SYS_clock_getres, THREAD_CPUCLOCK(0, CPUCLOCK_VIRT), &res), 0);
	CHECKF(res.tv_sec == 0 && res.tv_nsec >= 1000000 && res.tv_nsec <= 10000000, "VIRT resolution %ld", res.tv_nsec);
	CHECK_EQ(syscall(SYS_clock_getres, pc, NULL), 0);
	/* Invalid ids. */
	CHECK_ERR(syscall(SYS_clock_gettime, PROCESS_CPUCLOCK(0, 3), &t), EINVAL);
	CHECK_ERR(syscall(SYS_clock_gettime, PROCESS_CPUCLOCK(0x3ffffff, CPUCLOCK_SCHED), &t), EINVAL);
	CHECK_ERR(syscall(SYS_clock_getres, PROCESS_CPUCLOCK(0x3ffffff, CPUCLOCK_SCHED), &res), EINVAL);
	CHECK_ERR(syscall(SYS_clock_gettime, -5 /* CLOCKFD of fd 0 */, &t), EINVAL);
	/* Another process's CPU clock reads; its threads' clocks do not. */
	int sync[2];
	CHECK_EQ(pipe(sync), 0);
	pid_t child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		spin_cpu_ms(30);
		(void)!write(sync[1], "x", 1);
		sleep_ms(5000);
		_exit(0);
	}
	char c;
	CHECK_EQ(read(sync[0], &c, 1), 1);
	close(sync[0]);
	close(sync[1]);
	long rp = syscall(SYS_clock_gettime, PROCESS_CPUCLOCK(child, CPUCLOCK_SCHED), &t);
	long long child_ns = ts_ns(&t);
	errno = 0;
	long rt = syscall(SYS_clock_gettime, THREAD_CPUCLOCK(child, CPUCLOCK_SCHED), &t);
	int et = errno;
	kill(child, SIGKILL);
	wait_status(child);
	CHECK_EQ(rp, 0);
	CHECKF(child_ns >= 20 * MS, "child's CPU clock reads %lld", child_ns);
	CHECKF(rt == -1 && et == EINVAL, "another process's thread clock: %ld errno %s", rt, errname(et));
}

/* ------------------------------------------------------------------ */
/* execve                                                             */
/* ------------------------------------------------------------------ */

/* The new image of exec_keeps_itimers: ITIMER_REAL and ITIMER_PROF survive, POSIX timer argv[2] does not. */
static int after_exec(const char *id_text)
{
	struct itimerval g;
	if (r_getitimer(ITIMER_REAL, &g) != 0 || tv_ns(&g.it_value) <= 0 || tv_ns(&g.it_value) > 3 * SEC)
		return 10;
	if (g.it_interval.tv_sec != 1)
		return 11;
	if (r_getitimer(ITIMER_PROF, &g) != 0 || tv_ns(&g.it_value) <= 0 || g.it_value.tv_sec > 60)
		return 12;
	struct itimerspec c;
	int id = atoi(id_text);
	if (r_gettime(id, &c) != -1 || errno != EINVAL)
		return 13;
	if (r_delete(id) != -1 || errno != EINVAL)
		return 14;
	clear_itimers();
	return 0;
}

static void exec_keeps_itimers(void)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct itimerval v = itv(3000000, 1000000);
		r_setitimer(ITIMER_REAL, &v, NULL);
		v = itv(50000000, 0);
		r_setitimer(ITIMER_PROF, &v, NULL);
		struct sigevent e = sev(SIGEV_SIGNAL, SIGUSR1);
		int id = -1;
		struct itimerspec n = its(100 * MS, 0);
		if (r_create(CLOCK_MONOTONIC, &e, &id) != 0 || r_settime(id, 0, &n, NULL) != 0)
			_exit(2);
		char arg[16];
		snprintf(arg, sizeof arg, "%d", id);
		execl(self, "timers", "after-exec", arg, (char *)NULL);
		_exit(3);
	}
	int st = wait_status(pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", (unsigned)st);
	/* An alarm set before execve fires in the new image. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct itimerval v = itv(100000, 0);
		r_setitimer(ITIMER_REAL, &v, NULL);
		execl(self, "timers", "sleep", (char *)NULL);
		_exit(3);
	}
	st = wait_status(pid);
	CHECK_KILLED_BY(st, SIGALRM);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "after-exec") == 0)
		return after_exec(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "sleep") == 0) {
		for (int i = 0; i < 50; i++)
			sleep_ms(100);
		return 0;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0)
		self[n] = 0;

	RUN(alarm_returns);
	RUN(itimer_real_roundtrip);
	RUN(itimer_interval_only);
	RUN(itimer_cpu_roundtrip);
	RUN(itimer_errors);
	RUN(itimer_signals_kill);
	RUN(posix_timer_none);
	RUN(posix_timer_signal_gettime);
	RUN(posix_timer_ids);
	RUN(posix_timer_errors);
	RUN(posix_timer_signals_kill);
	RUN(posix_cpu_timers);
	RUN(clock_nanosleep_wall);
	RUN(clock_nanosleep_errors);
	RUN(clock_nanosleep_cpu);
	RUN(cpu_clocks);
	RUN(exec_keeps_itimers);
	clear_itimers();
	DONE();
}
