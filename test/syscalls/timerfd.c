/*
 * timerfd.c: timerfd_create(2), timerfd_settime(2), timerfd_gettime(2) and
 * reading the expiration count: flags, clocks, one-shot and periodic
 * timers, absolute times, blocking and non-blocking reads, poll, errors,
 * TFD_IOC_SET_TICKS.
 *
 * Expiration counts are checked against bounds computed from clock readings
 * taken around the calls, so a loaded machine cannot make a correct count
 * fail: a periodic timer armed at A with period P has expired
 * floor((now - A) / P) times at now.
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>

#define MS 1000000LL
#define SEC 1000000000LL

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

static long long ts_ns(const struct timespec *t) { return (long long)t->tv_sec * SEC + t->tv_nsec; }

static long long now_ns(clockid_t c)
{
	struct timespec t;
	syscall(SYS_clock_gettime, c, &t);
	return ts_ns(&t);
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	while (syscall(SYS_nanosleep, &t, &t) != 0 && errno == EINTR)
		;
}

static long r_create(int clk, int flags) { return syscall(SYS_timerfd_create, clk, flags); }
static long r_settime(int fd, int flags, const struct itimerspec *n, struct itimerspec *o) { return syscall(SYS_timerfd_settime, fd, flags, n, o); }
static long r_gettime(int fd, struct itimerspec *c) { return syscall(SYS_timerfd_gettime, fd, c); }
static long r_read(int fd, void *buf, size_t n) { return syscall(SYS_read, fd, buf, n); }

static struct itimerspec its(long long value_ns, long long interval_ns)
{
	struct itimerspec s;
	s.it_value.tv_sec = value_ns / SEC;
	s.it_value.tv_nsec = value_ns % SEC;
	s.it_interval.tv_sec = interval_ns / SEC;
	s.it_interval.tv_nsec = interval_ns % SEC;
	return s;
}

/* Reads the expiration count (blocking unless the fd is non-blocking); -1 on error. */
static long long read_ticks(int fd)
{
	uint64_t v = 0;
	long n = r_read(fd, &v, sizeof v);
	if (n != 8)
		return -1;
	return (long long)v;
}

static void create_flags(void)
{
	int fd;
	CHECK_OK(fd = (int)r_create(CLOCK_MONOTONIC, 0));
	CHECK_EQ(fcntl(fd, F_GETFL), O_RDWR);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	char path[64], link[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	long n = syscall(SYS_readlink, path, link, sizeof link - 1);
	CHECK(n > 0);
	link[n] = 0;
	CHECKF(strcmp(link, "anon_inode:[timerfd]") == 0, "link %s", link);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mode & S_IFMT, 0);
	close(fd);
	CHECK_OK(fd = (int)r_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
	CHECK_EQ(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	CHECK_OK(fd = (int)r_create(CLOCK_BOOTTIME, TFD_CLOEXEC));
	close(fd);
	/* The ALARM clocks need CAP_WAKE_ALARM (the tests run as root). */
	CHECK_OK(fd = (int)r_create(CLOCK_REALTIME_ALARM, 0));
	close(fd);
	CHECK_OK(fd = (int)r_create(CLOCK_BOOTTIME_ALARM, 0));
	close(fd);
	static const int bad_clocks[] = {CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW,
					 CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, 10, CLOCK_TAI, 12, -1, -6, INT_MAX};
	for (unsigned i = 0; i < sizeof bad_clocks / sizeof bad_clocks[0]; i++)
		CHECK_ERR(r_create(bad_clocks[i], 0), EINVAL);
	CHECK_ERR(r_create(CLOCK_MONOTONIC, 1), EINVAL);
	CHECK_ERR(r_create(CLOCK_MONOTONIC, O_APPEND), EINVAL);
	CHECK_ERR(r_create(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME), EINVAL);
}

static void settime_gettime(void)
{
	int fd;
	CHECK_OK(fd = (int)r_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	struct itimerspec c, o;
	memset(&c, 0x55, sizeof c);
	CHECK_EQ(r_gettime(fd, &c), 0);
	CHECK_EQ(ts_ns(&c.it_value), 0);
	CHECK_EQ(ts_ns(&c.it_interval), 0);
	struct itimerspec n = its(500 * MS, 100 * MS);
	memset(&o, 0x55, sizeof o);
	CHECK_EQ(r_settime(fd, 0, &n, &o), 0);
	CHECK_EQ(ts_ns(&o.it_value), 0);
	CHECK_EQ(ts_ns(&o.it_interval), 0);
	CHECK_EQ(r_gettime(fd, &c), 0);
	CHECKF(ts_ns(&c.it_value) > 0 && ts_ns(&c.it_value) <= 500 * MS, "remaining %lld", ts_ns(&c.it_value));
	CHECK_EQ(ts_ns(&c.it_interval), 100 * MS);
	sleep_ms(20);
	struct itimerspec c2;
	CHECK_EQ(r_gettime(fd, &c2), 0);
	CHECK(ts_ns(&c2.it_value) <= ts_ns(&c.it_value) - 20 * MS);
	/* Replacing returns the old setting. */
	n = its(2 * SEC, 0);
	CHECK_EQ(r_settime(fd, 0, &n, &o), 0);
	CHECK(ts_ns(&o.it_value) > 0 && ts_ns(&o.it_value) <= ts_ns(&c2.it_value));
	CHECK_EQ(ts_ns(&o.it_interval), 100 * MS);
	/* Disarming keeps the interval it is given (timerfd, unlike POSIX timers). */
	n = its(0, SEC);
	CHECK_EQ(r_settime(fd, 0, &n, &o), 0);
	CHECK(ts_ns(&o.it_value) > SEC && ts_ns(&o.it_value) <= 2 * SEC);
	CHECK_EQ(r_gettime(fd, &c), 0);
	CHECK_EQ(ts_ns(&c.it_value), 0);
	CHECK_EQ(ts_ns(&c.it_interval), SEC);
	CHECK_ERR(r_read(fd, &o, 8), EAGAIN);
	/* TFD_TIMER_CANCEL_ON_SET without TFD_TIMER_ABSTIME, or on another clock, is accepted and means nothing. */
	n = its(SEC, 0);
	CHECK_EQ(r_settime(fd, TFD_TIMER_CANCEL_ON_SET, &n, NULL), 0);
	CHECK_EQ(r_settime(fd, TFD_TIMER_CANCEL_ON_SET | TFD_TIMER_ABSTIME, &n, NULL), 0);
	close(fd);
}

static void oneshot_read(void)
{
	int fd;
	CHECK_OK(fd = (int)r_create(CLOCK_MONOTONIC, 0));
	struct itimerspec n = its(20 * MS, 0), c;
	long long t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_EQ(r_settime(fd, 0, &n, NULL), 0);
	/* Blocks until the expiry. */
	CHECK_EQ(read_ticks(fd), 1);
	long long t1 = now_ns(CLOCK_MONOTONIC);
	CHECKF(t1 - t0 >= 20 * MS, "read returned after %lld ns", t1 - t0);
	CHECK_EQ(r_gettime(fd, &c), 0);
	CHECK_EQ(ts_ns(&c.it_value), 0);
	CHECK_EQ(ts_ns(&c.it_interval), 0);
	/* Nothing more: non-blocking read is EAGAIN. */
	CHECK_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	uint64_t v;
	CHECK_ERR(r_read(fd, &v, 8), EAGAIN);
	/* A short buffer is EINVAL, whatever the count. */
	CHECK_ERR(r_read(fd, &v, 7), EINVAL);
	n = its(1, 0);
	CHECK_EQ(r_settime(fd, 0, &n, NULL), 0);
	struct pollfd p = {fd, POLLIN, 0};
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_ERR(r_read(fd, &v, 4), EINVAL);
	/* A bigger buffer gets 8 bytes. */
	char big[64];
	memset(big, 0x7f, sizeof big);
	CHECK_EQ(r_read(fd, big, sizeof big), 8);
	memcpy(&v, big, 8);
	CHECK_EQ(v, 1);
	CHECK_EQ(big[8], 0x7f);
	/* A buffer outside user space is refused before the read: the count stays. */
	CHECK_EQ(r_settime(fd, 0, &n, NULL), 0);
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_ERR(r_read(fd, BAD_HIGH, 8), EFAULT);
	CHECK_EQ(poll(&p, 1, 0), 1);
	/* A fault while copying out loses it (it was taken first). */
	char *hole = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hole != MAP_FAILED);
	CHECK_EQ(munmap(hole, PAGE), 0);
	CHECK_ERR(r_read(fd, hole, 8), EFAULT);
	CHECK_ERR(r_read(fd, &v, 8), EAGAIN);
	close(fd);
}

static void periodic_counts(void)
{
	int fd;
	CHECK_OK(fd = (int)r_create(CLOCK_MONOTONIC, 0));
	const long long P = 10 * MS;
	struct itimerspec n = its(P, P), c;
	long long a0 = now_ns(CLOCK_MONOTONIC);
	CHECK_EQ(r_settime(fd, 0, &n, NULL), 0);
	long long a1 = now_ns(CLOCK_MONOTONIC);
	sleep_ms(100);
	long long r0 = now_ns(CLOCK_MONOTONIC);
	long long got = read_ticks(fd);
	long long r1 = now_ns(CLOCK_MONOTONIC);
	/* Armed in [a0, a1], read in [r0, r1]: floor((read - arm) / P) expirations. */
	long long lo = (r0 - a1) / P, hi = (r1 - a0) / P;
	CHECKF(got >= lo && got <= hi && got >= 1, "%lld expirations, expected %lld..%lld", got, lo, hi);
	/* The timer went on from where it was: total expirations so far fit the same rule. */
	sleep_ms(45);
	long long s0 = now_ns(CLOCK_MONOTONIC);
	long long got2 = read_ticks(fd);
	long long s1 = now_ns(CLOCK_MONOTONIC);
	long long total_lo = (s0 - a1) / P, total_hi = (s1 - a0) / P;
	CHECKF(got + got2 >= total_lo && got + got2 <= total_hi, "%lld + %lld expirations, expected %lld..%lld in all", got, got2,
	       total_lo, total_hi);
	/* gettime moves a fired periodic timer forward and keeps the count. */
	sleep_ms(35);
	CHECK_EQ(r_gettime(fd, &c), 0);
	CHECKF(ts_ns(&c.it_value) > 0 && ts_ns(&c.it_value) <= P, "remaining %lld", ts_ns(&c.it_value));
	CHECK_EQ(ts_ns(&c.it_interval), P);
	long long u0 = now_ns(CLOCK_MONOTONIC);
	long long got3 = read_ticks(fd);
	long long u1 = now_ns(CLOCK_MONOTONIC);
	total_lo = (u0 - a1) / P;
	total_hi = (u1 - a0) / P;
	long long all = got + got2 + got3;
	CHECKF(all >= total_lo && all <= total_hi, "%lld expirations in all, expected %lld..%lld", all, total_lo, total_hi);
	/* settime resets the count. */
	sleep_ms(25);
	n = its(10 * SEC, 0);
	CHECK_EQ(r_settime(fd, 0, &n, NULL), 0);
	CHECK_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	uint64_t v;
	CHECK_ERR(r_read(fd, &v, 8), EAGAIN);
	close(fd);
}

static void absolute_times(void)
{
	static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM};
	for (int i = 0; i < 5; i++) {
		clockid_t ck = clocks[i];
		clockid_t base = ck == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME : ck == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME : ck;
		int fd;
		CHECK_OK(fd = (int)r_create(ck, 0));
		long long target = now_ns(base) + 30 * MS;
		struct itimerspec n = its(target, 0), c;
		CHECK_EQ(r_settime(fd, TFD_TIMER_ABSTIME, &n, NULL), 0);
		CHECK_EQ(r_gettime(fd, &c), 0);
		/* 0 only once the target passed. */
		CHECKF(ts_ns(&c.it_value) <= 30 * MS && (ts_ns(&c.it_value) > 0 || now_ns(base) >= target), "clock %d: remaining %lld", ck,
		       ts_ns(&c.it_value));
		CHECK_EQ(read_ticks(fd), 1);
		long long t = now_ns(base);
		CHECKF(t >= target, "clock %d: expired %lld ns early", ck, target - t);
		/* In the past, periodic: every period since counts. */
		const long long P = 10 * MS;
		long long start = now_ns(base) - 95 * MS;
		n = its(start, P);
		CHECK_EQ(r_settime(fd, TFD_TIMER_ABSTIME, &n, NULL), 0);
		struct pollfd p = {fd, POLLIN, 0};
		CHECK_EQ(poll(&p, 1, 5000), 1);
		long long r0 = now_ns(base);
		long long got = read_ticks(fd);
		long long r1 = now_ns(base);
		/* Expired at start, start + P, ...: floor((read - start) / P) + 1 times. */
		long long lo = (r0 - start) / P + 1, hi = (r1 - start) / P + 1;
		CHECKF(got >= lo && got <= hi, "clock %d: %lld expirations, expected %lld..%lld", ck, got, lo, hi);
		close(fd);
	}
}

static void poll_readiness(void)
{
	int fd;
	CHECK_OK(fd = (int)r_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	struct pollfd p = {fd, POLLIN | POLLOUT, 0};
	/* Never writable; readable only with expirations to read. */
	CHECK_EQ(poll(&p, 1, 0), 0);
	struct itimerspec n = its(200 * MS, 0);
	long long t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_EQ(r_settime(fd, 0, &n, NULL), 0);
	int early = poll(&p, 1, 0);
	long long t1 = now_ns(CLOCK_MONOTONIC);
	CHECK(early == 0 || t1 - t0 >= 200 * MS);
	CHECK_EQ(poll(&p, 1, 5000), 1);
	long long t2 = now_ns(CLOCK_MONOTONIC);
	CHECK_EQ(p.revents, POLLIN);
	CHECKF(t2 - t0 >= 200 * MS, "poll woke %lld ns after the 200 ms timer was set", t2 - t0);
	CHECK_EQ(read_ticks(fd), 1);
	CHECK_EQ(poll(&p, 1, 0), 0);
	/* epoll, level-triggered. */
	int ep;
	CHECK_OK(ep = epoll_create1(EPOLL_CLOEXEC));
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 77};
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	struct epoll_event out[2];
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
	n = its(20 * MS, 0);
	CHECK_EQ(r_settime(fd, 0, &n, NULL), 0);
	CHECK_EQ(epoll_wait(ep, out, 2, 5000), 1);
	CHECK_EQ(out[0].events, EPOLLIN);
	CHECK_EQ(out[0].data.u64, 77);
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 1);
	CHECK_EQ(read_ticks(fd), 1);
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
	close(ep);
	close(fd);
}

static void settime_errors(void)
{
	int fd, pfd[2];
	CHECK_OK(fd = (int)r_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	CHECK_EQ(pipe(pfd), 0);
	struct itimerspec n = its(SEC, 0), c;
	CHECK_ERR(r_settime(fd, 4, &n, NULL), EINVAL);
	CHECK_ERR(r_settime(fd, TFD_NONBLOCK, &n, NULL), EINVAL);
	CHECK_ERR(r_settime(-1, 4, &n, NULL), EINVAL); /* flags before the descriptor */
	CHECK_ERR(r_settime(-1, 0, BAD_HIGH, NULL), EFAULT); /* the copy first of all */
	CHECK_ERR(r_settime(fd, 0, NULL, NULL), EFAULT);
	CHECK_ERR(r_settime(-1, 0, &n, NULL), EBADF);
	CHECK_ERR(r_settime(9999, 0, &n, NULL), EBADF);
	CHECK_ERR(r_settime(pfd[0], 0, &n, NULL), EINVAL);
	struct itimerspec b = n;
	b.it_value.tv_nsec = SEC;
	CHECK_ERR(r_settime(fd, 0, &b, NULL), EINVAL);
	b = n;
	b.it_interval.tv_sec = -1;
	CHECK_ERR(r_settime(fd, 0, &b, NULL), EINVAL);
	b = n;
	b.it_interval.tv_nsec = -1;
	CHECK_ERR(r_settime(-1, 0, &b, NULL), EINVAL);
	CHECK_ERR(r_gettime(fd, BAD_HIGH), EFAULT);
	CHECK_ERR(r_gettime(-1, &c), EBADF);
	CHECK_ERR(r_gettime(pfd[1], &c), EINVAL);
	/* The old value is written after the timer is set. */
	n = its(3 * SEC, 0);
	CHECK_ERR(r_settime(fd, 0, &n, BAD_HIGH), EFAULT);
	CHECK_EQ(r_gettime(fd, &c), 0);
	CHECK(ts_ns(&c.it_value) > 2 * SEC);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
}

static void file_ops(void)
{
	int fd;
	CHECK_OK(fd = (int)r_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	uint64_t v = 3;
	CHECK_ERR(write(fd, &v, 8), EINVAL);
	CHECK_ERR(pread(fd, &v, 8, 0), ESPIPE);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_ERR(ioctl(fd, FIONREAD, &v), ENOTTY);
	/* TFD_IOC_SET_TICKS (checkpoint/restore): sets the count read next. */
	v = 5;
	CHECK_EQ(ioctl(fd, TFD_IOC_SET_TICKS, &v), 0);
	struct pollfd p = {fd, POLLIN, 0};
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(read_ticks(fd), 5);
	v = 0;
	CHECK_ERR(ioctl(fd, TFD_IOC_SET_TICKS, &v), EINVAL);
	CHECK_ERR(ioctl(fd, TFD_IOC_SET_TICKS, BAD_HIGH), EFAULT);
	/* dup'd descriptors share the timer. */
	int d;
	CHECK_OK(d = dup(fd));
	struct itimerspec n = its(1, 0), c;
	CHECK_EQ(r_settime(d, 0, &n, NULL), 0);
	CHECK_EQ(poll(&p, 1, 5000), 1);
	close(d);
	CHECK_EQ(read_ticks(fd), 1);
	n = its(SEC, 0);
	CHECK_EQ(r_settime(fd, 0, &n, NULL), 0);
	CHECK_OK(d = dup(fd));
	CHECK_EQ(r_gettime(d, &c), 0);
	CHECK(ts_ns(&c.it_value) > 0);
	close(d);
	close(fd);
}

int main(void)
{
	RUN(create_flags);
	RUN(settime_gettime);
	RUN(oneshot_read);
	RUN(periodic_counts);
	RUN(absolute_times);
	RUN(poll_readiness);
	RUN(settime_errors);
	RUN(file_ops);
	DONE();
}
