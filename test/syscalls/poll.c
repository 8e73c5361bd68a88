/*
 * poll.c: poll(2), ppoll(2), select(2), pselect6(2) (man 2 poll, man 2
 * select): readiness of pipes, regular files and devices, POLLNVAL, POLLHUP
 * and POLLERR, the event filter, nfds limits, timeouts and the time written
 * back, the temporary signal mask's argument checks, faults, and blocking
 * until a child process writes.
 *
 * Signals: a handler interrupts a wait with EINTR (even with SA_RESTART),
 * the sets are then left alone and the time left written back; ppoll's and
 * pselect6's temporary mask lets a pending signal in at once (the old mask
 * is back after the handler), or holds one back until the call is over.
 * Each case closes what it opens and reaps what it forks.
 */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

static char big[70000];

static long rpoll(struct pollfd *fds, unsigned long n, int timeout) { return syscall(SYS_poll, fds, n, timeout); }
static long rppoll(struct pollfd *fds, unsigned long n, struct timespec *ts, void *mask, unsigned long size)
{
	return syscall(SYS_ppoll, fds, n, ts, mask, size);
}
static long rselect(int n, void *in, void *out, void *ex, struct timeval *tv) { return syscall(SYS_select, n, in, out, ex, tv); }
static long rpselect(int n, void *in, void *out, void *ex, struct timespec *ts, void *pack)
{
	return syscall(SYS_pselect6, n, in, out, ex, ts, pack);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close2(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* A child that sleeps ms then writes one byte to fd and exits. */
static pid_t delayed_writer(int fd, int ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		if (write(fd, "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int st = -1;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

static volatile int usr1_count;
static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

/* A SIGUSR1 handler (flags: SA_RESTART or 0); returns 0. */
static int catch_usr1(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	usr1_count = 0;
	return sigaction(SIGUSR1, &sa, NULL);
}

static void restore_usr1(void)
{
	signal(SIGUSR1, SIG_DFL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* A child that sleeps ms then sends sig to its parent. */
static pid_t delayed_signal(int sig, int ms)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		kill(parent, sig);
		_exit(0);
	}
	return pid;
}

static int usr1_blocked(void)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, SIGUSR1);
}

static void poll_pipe_ends(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	struct pollfd f[2] = {{p[0], POLLIN | POLLOUT, 0x7777}, {p[1], POLLIN | POLLOUT, 0x7777}};
	CHECK_EQ(rpoll(f, 2, 0), 1);
	CHECK_EQ(f[0].revents, 0);
	CHECK_EQ(f[1].revents, POLLOUT);
	/* fd and events are left alone */
	CHECK_EQ(f[0].fd, p[0]);
	CHECK_EQ(f[0].events, POLLIN | POLLOUT);
	CHECK_EQ(write(p[1], "a", 1), 1);
	CHECK_EQ(rpoll(f, 2, 0), 2);
	CHECK_EQ(f[0].revents, POLLIN);
	CHECK_EQ(f[1].revents, POLLOUT);
	/* the normal-data bits when asked */
	f[0].events = POLLRDNORM;
	f[1].events = POLLWRNORM;
	CHECK_EQ(rpoll(f, 2, 0), 2);
	CHECK_EQ(f[0].revents, POLLRDNORM);
	CHECK_EQ(f[1].revents, POLLWRNORM);
	/* events not asked for are filtered out */
	f[0].events = POLLOUT;
	f[1].events = POLLIN | POLLPRI;
	CHECK_EQ(rpoll(f, 2, 0), 0);
	CHECK_EQ(f[0].revents, 0);
	CHECK_EQ(f[1].revents, 0);
	close2(p);
}

static void poll_hup_and_err(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	close(p[1]);
	/* POLLHUP is reported even when not asked for */
	struct pollfd f = {p[0], 0, 0};
	CHECK_EQ(rpoll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLHUP);
	f.events = POLLIN;
	CHECK_EQ(rpoll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLIN | POLLHUP);
	char b[4];
	CHECK_EQ(read(p[0], b, 4), 2);
	CHECK_EQ(rpoll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLHUP);
	/* pipes do not report POLLRDHUP */
	f.events = POLLIN | POLLRDHUP;
	CHECK_EQ(rpoll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLHUP);
	close(p[0]);

	/* no reader: POLLERR on the write end, even when not asked for */
	CHECK_EQ(pipe(p), 0);
	close(p[0]);
	f.fd = p[1];
	f.events = 0;
	CHECK_EQ(rpoll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLERR);
	f.events = POLLOUT;
	CHECK_EQ(rpoll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLOUT | POLLERR);
	close(p[1]);
}

static void poll_full_pipe(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	long total = 0;
	for (;;) {
		long r = write(p[1], big, 4096);
		if (r < 0)
			break;
		total += r;
	}
	CHECK_EQ(total, 65536);
	struct pollfd f = {p[1], POLLOUT, 0};
	CHECK_EQ(rpoll(&f, 1, 0), 0);
	CHECK_EQ(f.revents, 0);
	/* one page read frees a slot: writable again */
	CHECK_EQ(read(p[0], big, 4096), 4096);
	CHECK_EQ(rpoll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLOUT);
	close2(p);
}

static void poll_negative_and_closed(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int closed = dup(p[0]);
	CHECK(closed >= 0);
	close(closed);
	struct pollfd f[4] = {{-1, POLLIN, 0x55}, {p[1], POLLOUT, 0}, {closed, POLLIN, 0}, {-12345, 0, 1}};
	CHECK_EQ(rpoll(f, 4, 0), 2);
	CHECK_EQ(f[0].revents, 0);
	CHECK_EQ(f[1].revents, POLLOUT);
	CHECK_EQ(f[2].revents, POLLNVAL);
	CHECK_EQ(f[3].revents, 0);
	/* POLLNVAL whatever the events */
	f[2].events = 0;
	CHECK_EQ(rpoll(&f[2], 1, 0), 1);
	CHECK_EQ(f[2].revents, POLLNVAL);
	/* an O_PATH descriptor is invisible to poll */
	int o = open("/", O_PATH);
	CHECK(o >= 0);
	f[0].fd = o;
	f[0].events = POLLIN;
	CHECK_EQ(rpoll(f, 1, 0), 1);
	CHECK_EQ(f[0].revents, POLLNVAL);
	close(o);
	close2(p);
}

static void poll_files_without_poll(void)
{
	/* regular files are always readable and writable */
	int fd = open("/etc/passwd", O_RDONLY);
	CHECK(fd >= 0);
	struct pollfd f = {fd, POLLIN | POLLOUT | POLLPRI | POLLRDNORM | POLLWRNORM, 0};
	CHECK_EQ(rpoll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	close(fd);
	int m = syscall(SYS_memfd_create, "poll", 0);
	CHECK(m >= 0);
	f.fd = m;
	CHECK_EQ(rpoll(&f, 1, -1), 1);
	CHECK_EQ(f.revents, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	close(m);
	/* a directory too */
	int d = open("/", O_RDONLY | O_DIRECTORY);
	CHECK(d >= 0);
	f.fd = d;
	CHECK_EQ(rpoll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	close(d);
	/* and /dev/null, /dev/zero */
	const char *devs[] = {"/dev/null", "/dev/zero"};
	for (int i = 0; i < 2; i++) {
		int n = open(devs[i], O_RDWR);
		CHECK(n >= 0);
		f.fd = n;
		f.events = POLLIN | POLLOUT;
		CHECK_EQ(rpoll(&f, 1, 0), 1);
		CHECK_EQ(f.revents, POLLIN | POLLOUT);
		close(n);
	}
}

static void poll_limits_and_faults(void)
{
	struct rlimit old, lim;
	struct pollfd f[8];
	memset(f, 0, sizeof(f));
	for (int i = 0; i < 8; i++)
		f[i].fd = -1;
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = 4;
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &lim), 0);
	errno = 0;
	long r1 = rpoll(f, 5, 0);
	int e1 = errno;
	long r2 = rpoll(f, 4, 0);
	setrlimit(RLIMIT_NOFILE, &old);
	CHECKF(r1 == -1 && e1 == EINVAL, "nfds above RLIMIT_NOFILE: got %ld errno %s", r1, errname(e1));
	CHECK_EQ(r2, 0);
	/* nfds is unsigned: -1 is huge */
	CHECK_ERR(syscall(SYS_poll, f, -1L, 0), EINVAL);
	/* nfds 0 reads nothing */
	CHECK_EQ(rpoll(BAD_NULL, 0, 0), 0);
	CHECK_ERR(rpoll(BAD_NULL, 1, 0), EFAULT);
	CHECK_ERR(rpoll(BAD_HIGH, 1, 0), EFAULT);
	/* the array runs into an unmapped page */
	char *nlp = newline_page();
	CHECK_ERR(rpoll((struct pollfd *)(nlp + PAGE - 4), 1, 0), EFAULT);
	/* read-only memory: revents cannot be written back */
	static const struct pollfd ro = {-1, 0, 0};
	CHECK_ERR(rpoll((struct pollfd *)&ro, 1, 0), EFAULT);
	memset(nlp, '\n', PAGE);
}

static void poll_timeout(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	struct pollfd f = {p[0], POLLIN, 0};
	long long t0 = now_ms();
	CHECK_EQ(rpoll(&f, 1, 60), 0);
	long long dt = now_ms() - t0;
	CHECKF(dt >= 55 && dt < 5000, "poll(60 ms) took %lld ms", dt);
	CHECK_EQ(f.revents, 0);
	/* nothing to watch: a sleep */
	t0 = now_ms();
	CHECK_EQ(rpoll(NULL, 0, 30), 0);
	dt = now_ms() - t0;
	CHECKF(dt >= 25 && dt < 5000, "poll(NULL, 0, 30) took %lld ms", dt);
	close2(p);
}

static void poll_wakes_on_write(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t pid = delayed_writer(p[1], 50);
	CHECK(pid > 0);
	struct pollfd f[2] = {{p[0], POLLIN, 0}, {-1, 0, 0}};
	long long t0 = now_ms();
	long r = rpoll(f, 2, -1);
	long long dt = now_ms() - t0;
	int st = reap(pid);
	CHECK_EQ(r, 1);
	CHECK_EQ(f[0].revents, POLLIN);
	CHECKF(dt >= 20, "poll returned after %lld ms, before the write", dt);
	CHECK_EQ(st, 0);
	/* the writer's end is closed in the child, still open here: no POLLHUP */
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	/* and wakes for POLLHUP when the last writer goes */
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		struct timespec ts = {0, 30000000};
		nanosleep(&ts, NULL);
		_exit(0);
	}
	close(p[1]);
	f[0].events = POLLIN;
	r = rpoll(f, 1, 5000);
	reap(pid);
	CHECK_EQ(r, 1);
	CHECK_EQ(f[0].revents, POLLHUP);
	close(p[0]);
}

static void ppoll_timespec(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	struct pollfd f = {p[0], POLLIN, 0};
	/* invalid timespecs, checked before anything else */
	struct timespec ts = {0, 1000000000};
	CHECK_ERR(rppoll(&f, 1, &ts, NULL, 0), EINVAL);
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	CHECK_ERR(rppoll(&f, 1, &ts, NULL, 0), EINVAL);
	ts.tv_sec = 0;
	ts.tv_nsec = -1;
	CHECK_ERR(rppoll(&f, 1, &ts, NULL, 0), EINVAL);
	CHECK_ERR(rppoll(&f, 1, BAD_HIGH, NULL, 0), EFAULT);
	CHECK_ERR(rppoll(BAD_NULL, 1, BAD_NULL, NULL, 0), EFAULT);
	/* a zero timeout is not written back */
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	CHECK_EQ(rppoll(&f, 1, &ts, NULL, 0), 0);
	CHECK_EQ(ts.tv_sec, 0);
	CHECK_EQ(ts.tv_nsec, 0);
	/* the time left is written back: none after a timeout */
	ts.tv_nsec = 40000000;
	long long t0 = now_ms();
	CHECK_EQ(rppoll(&f, 1, &ts, NULL, 0), 0);
	CHECKF(now_ms() - t0 >= 35, "ppoll(40 ms) took %lld ms", now_ms() - t0);
	CHECK_EQ(ts.tv_sec, 0);
	CHECK_EQ(ts.tv_nsec, 0);
	/* nearly all of it when ready at once */
	CHECK_EQ(write(p[1], "x", 1), 1);
	ts.tv_sec = 100;
	ts.tv_nsec = 0;
	CHECK_EQ(rppoll(&f, 1, &ts, NULL, 0), 1);
	CHECK_EQ(f.revents, POLLIN);
	CHECKF(ts.tv_sec == 99 && ts.tv_nsec > 0, "time left %ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
	/* a read-only timespec: the result stands */
	static const struct timespec rots = {5, 0};
	CHECK_EQ(rppoll(&f, 1, (struct timespec *)&rots, NULL, 0), 1);
	close2(p);
}

static void ppoll_sigmask_args(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	struct pollfd f = {p[1], POLLOUT, 0};
	uint64_t mask = 1ULL << (SIGUSR1 - 1);
	uint64_t before = 0, after = 0;
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &before, 8), 0);
	/* the size must be sizeof(sigset_t), only when a mask is given */
	CHECK_ERR(rppoll(&f, 1, NULL, &mask, 4), EINVAL);
	CHECK_ERR(rppoll(&f, 1, NULL, &mask, 16), EINVAL);
	CHECK_EQ(rppoll(&f, 1, NULL, NULL, 4), 1);
	CHECK_ERR(rppoll(&f, 1, NULL, BAD_HIGH, 8), EFAULT);
	/* the mask is checked before the pollfds are read */
	CHECK_ERR(rppoll(BAD_NULL, 1, NULL, &mask, 4), EINVAL);
	CHECK_EQ(rppoll(&f, 1, NULL, &mask, 8), 1);
	CHECK_EQ(f.revents, POLLOUT);
	/* the caller's mask is back afterwards */
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &after, 8), 0);
	CHECK_EQ(after, before);
	close2(p);
}

static void select_pipe(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	fd_set r, w, e;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(p[0], &r);
	FD_SET(p[1], &r);
	FD_SET(p[0], &w);
	FD_SET(p[1], &w);
	FD_SET(p[0], &e);
	FD_SET(p[1], &e);
	struct timeval tv = {0, 0};
	int n = p[1] + 1;
	/* only the write end is writable: one bit */
	CHECK_EQ(rselect(n, &r, &w, &e, &tv), 1);
	CHECK(!FD_ISSET(p[0], &r) && !FD_ISSET(p[1], &r));
	CHECK(!FD_ISSET(p[0], &w) && FD_ISSET(p[1], &w));
	CHECK(!FD_ISSET(p[0], &e) && !FD_ISSET(p[1], &e));
	CHECK_EQ(write(p[1], "x", 1), 1);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	FD_SET(p[0], &w); /* the read end is never writable */
	CHECK_EQ(rselect(n, &r, &w, NULL, &tv), 2);
	CHECK(FD_ISSET(p[0], &r));
	CHECK(FD_ISSET(p[1], &w) && !FD_ISSET(p[0], &w));
	/* a descriptor readable and in two sets counts twice */
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[1], &r);
	FD_SET(p[1], &w);
	close(p[0]);
	/* no reader: POLLERR makes the write end readable and writable */
	CHECK_EQ(rselect(n, &r, &w, NULL, &tv), 2);
	CHECK(FD_ISSET(p[1], &r) && FD_ISSET(p[1], &w));
	close(p[1]);
}

static void select_hup(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	close(p[1]);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval tv = {0, 0};
	/* POLLHUP is in POLLIN_SET: end of file is readable */
	CHECK_EQ(rselect(p[0] + 1, &r, NULL, NULL, &tv), 1);
	CHECK(FD_ISSET(p[0], &r));
	close(p[0]);
}

static void select_errors(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int closed = dup(p[0]);
	close(closed);
	fd_set r;
	struct timeval tv = {0, 0};
	CHECK_ERR(rselect(-1, NULL, NULL, NULL, &tv), EINVAL);
	FD_ZERO(&r);
	FD_SET(closed, &r);
	FD_SET(p[0], &r);
	CHECK_ERR(rselect(closed + 1, &r, NULL, NULL, &tv), EBADF);
	/* the set is left alone on error */
	CHECK(FD_ISSET(closed, &r) && FD_ISSET(p[0], &r));
	/* a bit at or beyond nfds is not looked at */
	CHECK_EQ(rselect(p[0] + 1, &r, NULL, NULL, &tv), 0);
	/* an O_PATH descriptor counts as open (no EBADF) but poll cannot see
	 * it (POLLNVAL): it is reported in every set it is in */
	int o = open("/", O_PATH);
	CHECK(o >= 0);
	fd_set w, e;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(o, &r);
	FD_SET(o, &w);
	FD_SET(o, &e);
	CHECK_EQ(rselect(o + 1, &r, &w, &e, &tv), 3);
	CHECK(FD_ISSET(o, &r) && FD_ISSET(o, &w) && FD_ISSET(o, &e));
	close(o);
	/* faults */
	CHECK_ERR(rselect(p[0] + 1, BAD_HIGH, NULL, NULL, &tv), EFAULT);
	CHECK_ERR(rselect(p[0] + 1, NULL, BAD_LOW, NULL, &tv), EFAULT);
	/* a NULL set is an empty one */
	CHECK_EQ(rselect(p[0] + 1, NULL, BAD_NULL, NULL, &tv), 0);
	CHECK_ERR(rselect(p[0] + 1, NULL, NULL, NULL, BAD_HIGH), EFAULT);
	/* invalid timeouts */
	tv.tv_sec = -1;
	tv.tv_usec = 0;
	CHECK_ERR(rselect(0, NULL, NULL, NULL, &tv), EINVAL);
	tv.tv_sec = 0;
	tv.tv_usec = -1;
	CHECK_ERR(rselect(0, NULL, NULL, NULL, &tv), EINVAL);
	/* tv_usec beyond a second is carried into seconds */
	tv.tv_sec = 0;
	tv.tv_usec = 2500000;
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	CHECK_EQ(rselect(p[1] + 1, NULL, &w, NULL, &tv), 1);
	CHECKF(tv.tv_sec == 2 && tv.tv_usec > 400000 && tv.tv_usec <= 500000, "time left %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	close2(p);
}

/* The descriptor table's size, FDSize in /proc/self/status (the kernel's max_fds). */
static int fd_table_size(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	if (fd < 0)
		return -1;
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *s = strstr(buf, "FDSize:");
	return s ? atoi(s + 7) : -1;
}

static void select_large_nfds(void)
{
	/*
	 * nfds beyond the descriptor table's size (FDSize: at least 64, grown
	 * as descriptors above it were used, and inherited across fork) is cut
	 * to it: bits beyond are neither checked (no EBADF) nor written back.
	 */
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int size = fd_table_size();
	CHECKF(size >= 64 && size <= 960, "FDSize %d", size);
	CHECK(p[1] < 64);
	static unsigned long r[16], w[16];
	memset(r, 0, sizeof(r));
	memset(w, 0, sizeof(w));
	r[0] = 1UL << p[0];
	w[0] = 1UL << p[1];
	int beyond = size + 3; /* not open: the table is not that large */
	r[beyond / 64] |= 1UL << (beyond % 64);
	struct timeval tv = {0, 0};
	CHECK_EQ(rselect(1024, r, w, NULL, &tv), 1);
	CHECK_EQ(r[0], 0);
	CHECK_EQ(w[0], 1UL << p[1]);
	CHECK_EQ(r[beyond / 64], 1UL << (beyond % 64));
	/* a closed descriptor inside the table is EBADF, whatever nfds */
	int closed = dup(p[1]);
	CHECK(closed >= 0 && closed < 64);
	close(closed);
	memset(r, 0, sizeof(r));
	r[0] = 1UL << closed;
	CHECK_ERR(rselect(1024, r, NULL, NULL, &tv), EBADF);
	/* the bits of the last long beyond nfds are neither checked nor kept */
	w[0] = (1UL << p[1]) | (1UL << 63);
	CHECK_EQ(rselect(p[1] + 1, NULL, w, NULL, &tv), 1);
	CHECK_EQ(w[0], 1UL << p[1]);
	close2(p);
}

static void select_timeout(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval tv = {0, 50000};
	long long t0 = now_ms();
	CHECK_EQ(rselect(p[0] + 1, &r, NULL, NULL, &tv), 0);
	long long dt = now_ms() - t0;
	CHECKF(dt >= 45 && dt < 5000, "select(50 ms) took %lld ms", dt);
	/* the sets are cleared and the time left (none) written back */
	CHECK(!FD_ISSET(p[0], &r));
	CHECK_EQ(tv.tv_sec, 0);
	CHECK_EQ(tv.tv_usec, 0);
	/* no sets at all: a sleep */
	tv.tv_sec = 0;
	tv.tv_usec = 30000;
	t0 = now_ms();
	CHECK_EQ(rselect(0, NULL, NULL, NULL, &tv), 0);
	dt = now_ms() - t0;
	CHECKF(dt >= 25 && dt < 5000, "select(0, 30 ms) took %lld ms", dt);
	/* ready at once: most of the time is left */
	CHECK_EQ(write(p[1], "x", 1), 1);
	FD_SET(p[0], &r);
	tv.tv_sec = 10;
	tv.tv_usec = 0;
	CHECK_EQ(rselect(p[0] + 1, &r, NULL, NULL, &tv), 1);
	CHECKF(tv.tv_sec == 9 && tv.tv_usec > 0, "time left %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	close2(p);
}

static void select_wakes_on_write(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t pid = delayed_writer(p[1], 50);
	CHECK(pid > 0);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	long r1 = rselect(p[0] + 1, &r, NULL, NULL, NULL);
	int st = reap(pid);
	CHECK_EQ(r1, 1);
	CHECK(FD_ISSET(p[0], &r));
	CHECK_EQ(st, 0);
	close2(p);
}

static void pselect6_args(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	fd_set w;
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	uint64_t mask = 1ULL << (SIGUSR1 - 1);
	uint64_t before = 0, after = 0;
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &before, 8), 0);
	struct {
		void *ss;
		unsigned long len;
	} pack = {&mask, 8};
	struct timespec ts = {0, 0};
	CHECK_EQ(rpselect(p[1] + 1, NULL, &w, NULL, &ts, &pack), 1);
	CHECK(FD_ISSET(p[1], &w));
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &after, 8), 0);
	CHECK_EQ(after, before);
	pack.len = 4;
	CHECK_ERR(rpselect(p[1] + 1, NULL, &w, NULL, &ts, &pack), EINVAL);
	/* no mask: the size is not looked at */
	pack.ss = NULL;
	CHECK_EQ(rpselect(p[1] + 1, NULL, &w, NULL, &ts, &pack), 1);
	CHECK_ERR(rpselect(p[1] + 1, NULL, &w, NULL, &ts, BAD_HIGH), EFAULT);
	pack.ss = BAD_HIGH;
	pack.len = 8;
	CHECK_ERR(rpselect(p[1] + 1, NULL, &w, NULL, &ts, &pack), EFAULT);
	/* the timespec is checked before the mask */
	ts.tv_nsec = 1000000000;
	pack.len = 4;
	CHECK_ERR(rpselect(p[1] + 1, NULL, &w, NULL, &ts, &pack), EINVAL);
	CHECK_ERR(rpselect(p[1] + 1, NULL, &w, NULL, BAD_HIGH, &pack), EFAULT);
	/* the argpack is read first */
	CHECK_ERR(rpselect(p[1] + 1, NULL, &w, NULL, &ts, BAD_LOW), EFAULT);
	/* time left as a timespec */
	ts.tv_sec = 0;
	ts.tv_nsec = 30000000;
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK_EQ(rpselect(p[0] + 1, &r, NULL, NULL, &ts, NULL), 0);
	CHECK_EQ(ts.tv_sec, 0);
	CHECK_EQ(ts.tv_nsec, 0);
	ts.tv_sec = 7;
	CHECK_EQ(rpselect(p[1] + 1, NULL, &w, NULL, &ts, NULL), 1);
	CHECKF(ts.tv_sec == 6 && ts.tv_nsec > 0, "time left %ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
	close2(p);
}

static void poll_interrupted(void)
{
	/* a handler, even with SA_RESTART: poll fails with EINTR */
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(catch_usr1(SA_RESTART), 0);
	pid_t pid = delayed_signal(SIGUSR1, 50);
	struct pollfd f = {p[0], POLLIN, 0x77};
	long long t0 = now_ms();
	errno = 0;
	long r = rpoll(&f, 1, 10000);
	int e = errno;
	long long dt = now_ms() - t0;
	reap(pid);
	restore_usr1();
	close2(p);
	CHECKF(r == -1 && e == EINTR, "poll: got %ld errno %s", r, errname(e));
	CHECK_EQ(usr1_count, 1);
	CHECK_EQ(f.revents, 0);
	CHECKF(dt < 5000, "interrupted after %lld ms", dt);
}

static void select_interrupted(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(catch_usr1(SA_RESTART), 0);
	pid_t pid = delayed_signal(SIGUSR1, 50);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval tv = {20, 0};
	errno = 0;
	long n = rselect(p[0] + 1, &r, NULL, NULL, &tv);
	int e = errno;
	reap(pid);
	restore_usr1();
	close2(p);
	CHECKF(n == -1 && e == EINTR, "select: got %ld errno %s", n, errname(e));
	CHECK_EQ(usr1_count, 1);
	/* the set is left alone; the time left is written back */
	CHECK(FD_ISSET(p[0], &r));
	CHECKF(tv.tv_sec >= 14 && tv.tv_sec < 20, "time left %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
}

static void ppoll_mask_unblocks(void)
{
	/*
	 * SIGUSR1 blocked and pending: a ppoll whose mask lets it through is
	 * interrupted at once, the handler runs, and the old mask is back.
	 */
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(catch_usr1(0), 0);
	sigset_t block, empty;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGUSR1);
	int before = usr1_count;
	struct pollfd f = {p[0], POLLIN, 0};
	struct timespec ts = {10, 0};
	long long t0 = now_ms();
	errno = 0;
	long r = rppoll(&f, 1, &ts, &empty, 8);
	int e = errno;
	long long dt = now_ms() - t0;
	int blocked = usr1_blocked();
	int after = usr1_count;
	restore_usr1();
	close2(p);
	CHECK_EQ(before, 0);
	CHECKF(r == -1 && e == EINTR, "ppoll: got %ld errno %s", r, errname(e));
	CHECK_EQ(after, 1);
	CHECK(blocked);
	CHECKF(dt < 5000, "ppoll took %lld ms", dt);
}

static void pselect_mask_unblocks(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(catch_usr1(SA_RESTART), 0);
	sigset_t block, empty;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGUSR1);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct {
		void *ss;
		unsigned long len;
	} pack = {&empty, 8};
	errno = 0;
	long n = rpselect(p[0] + 1, &r, NULL, NULL, NULL, &pack);
	int e = errno;
	int blocked = usr1_blocked();
	int after = usr1_count;
	restore_usr1();
	close2(p);
	CHECKF(n == -1 && e == EINTR, "pselect6: got %ld errno %s", n, errname(e));
	CHECK_EQ(after, 1);
	CHECK(blocked);
}

static void ppoll_mask_blocks(void)
{
	/*
	 * The temporary mask blocks SIGUSR1: the signal waits until ppoll is
	 * over, then is delivered as the old mask comes back.
	 */
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(catch_usr1(0), 0);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	pid_t pid = delayed_signal(SIGUSR1, 20);
	struct pollfd f = {p[0], POLLIN, 0};
	struct timespec ts = {0, 200000000};
	errno = 0;
	long r = rppoll(&f, 1, &ts, &block, 8);
	int e = errno;
	int after = usr1_count;
	reap(pid);
	restore_usr1();
	close2(p);
	CHECKF(r == 0, "ppoll: got %ld errno %s", r, errname(e));
	CHECK_EQ(after, 1);
}

int main(void)
{
	RUN(poll_pipe_ends);
	RUN(poll_hup_and_err);
	RUN(poll_full_pipe);
	RUN(poll_negative_and_closed);
	RUN(poll_files_without_poll);
	RUN(poll_limits_and_faults);
	RUN(poll_timeout);
	RUN(poll_wakes_on_write);
	RUN(ppoll_timespec);
	RUN(ppoll_sigmask_args);
	RUN(select_pipe);
	RUN(select_hup);
	RUN(select_errors);
	RUN(select_large_nfds);
	RUN(select_timeout);
	RUN(select_wakes_on_write);
	RUN(pselect6_args);
	RUN(poll_interrupted);
	RUN(select_interrupted);
	RUN(ppoll_mask_unblocks);
	RUN(pselect_mask_unblocks);
	RUN(ppoll_mask_blocks);
	DONE();
}
