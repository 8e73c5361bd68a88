/*
 * epoll.c: epoll(7) and eventfd(2): epoll_create/epoll_create1 arguments,
 * epoll_ctl's errors in Linux's order (EBADF, EPERM, EINVAL, EEXIST, ENOENT,
 * ELOOP, EPOLLEXCLUSIVE rules), level- and edge-triggered and one-shot
 * items, the 12-byte packed struct epoll_event and its 64-bit data, items
 * leaving when their open file description is released (not when one of its
 * descriptors is closed), nested instances and their depth limit, ready-list
 * order with a small maxevents, timeouts, blocking until a child writes; and
 * eventfd counters, EFD_SEMAPHORE, EFD_NONBLOCK, limits, readiness and a
 * blocking read woken by a child.
 *
 * Signals: epoll_wait fails with EINTR (never restarted), epoll_pwait's
 * temporary mask lets a pending signal in; a blocked eventfd read is
 * restarted under SA_RESTART. Each case closes what it opens and reaps what
 * it forks.
 */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>

#ifndef EPOLLEXCLUSIVE
#define EPOLLEXCLUSIVE (1u << 28)
#endif
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static long ep_ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event e;
	e.events = events;
	e.data.u64 = data;
	return syscall(SYS_epoll_ctl, ep, op, fd, &e);
}

static long ep_wait(int ep, struct epoll_event *ev, int max, int timeout)
{
	return syscall(SYS_epoll_wait, ep, ev, max, timeout);
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

static int reap(pid_t pid)
{
	int st = -1;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* A child that sleeps ms then writes len bytes of buf to fd and exits. */
static pid_t delayed_write(int fd, int ms, const void *buf, size_t len)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		if (write(fd, buf, len) != (ssize_t)len)
			_exit(1);
		_exit(0);
	}
	return pid;
}

static volatile int usr1_count;
static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

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

/* A child that sleeps ms, sends sig to its parent, then (if fd >= 0) sleeps ms2 and writes len bytes of buf to fd. */
static pid_t signal_then_write(int sig, int ms, int fd, int ms2, const void *buf, size_t len)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		kill(parent, sig);
		if (fd >= 0) {
			struct timespec t2 = {ms2 / 1000, (ms2 % 1000) * 1000000L};
			nanosleep(&t2, NULL);
			if (write(fd, buf, len) != (ssize_t)len)
				_exit(1);
		}
		_exit(0);
	}
	return pid;
}

static void create_args(void)
{
	CHECK_ERR(syscall(SYS_epoll_create, 0), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_create, -1), EINVAL);
	int ep = syscall(SYS_epoll_create, 1);
	CHECK(ep >= 0);
	CHECK_EQ(fcntl(ep, F_GETFD), 0);
	CHECK_EQ(fcntl(ep, F_GETFL), O_RDWR);
	close(ep);
	ep = syscall(SYS_epoll_create, 100000);
	CHECK(ep >= 0);
	close(ep);
	CHECK_ERR(syscall(SYS_epoll_create1, 1), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_create1, O_NONBLOCK), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_create1, -1), EINVAL);
	ep = syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
	CHECK(ep >= 0);
	CHECK_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
	char buf[64], path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ep);
	long n = readlink(path, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n] = 0;
	CHECKF(strcmp(buf, "anon_inode:[eventpoll]") == 0, "link %s", buf);
	/* no read, write; lseek is a no-op */
	char c;
	CHECK_ERR(read(ep, &c, 1), EINVAL);
	CHECK_ERR(write(ep, &c, 1), EINVAL);
	CHECK_ERR(pread(ep, &c, 1, 0), ESPIPE);
	CHECK_EQ(lseek(ep, 5, SEEK_SET), 0);
	close(ep);
}

static void ctl_errors(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	CHECK(ep >= 0);
	int closed = dup(p[0]);
	close(closed);
	CHECK_ERR(ep_ctl(closed, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), EBADF);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, closed, EPOLLIN, 0), EBADF);
	/* the event is copied in first, for ADD and MOD (and unknown ops) */
	CHECK_ERR(syscall(SYS_epoll_ctl, closed, EPOLL_CTL_ADD, p[0], BAD_NULL), EFAULT);
	CHECK_ERR(syscall(SYS_epoll_ctl, ep, 77, p[0], BAD_HIGH), EFAULT);
	/* DEL does not read it */
	CHECK_ERR(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], BAD_NULL), ENOENT);
	/* files without a poll method: EPERM, before the epfd is looked at */
	int f = open("/etc/passwd", O_RDONLY);
	CHECK(f >= 0);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, f, EPOLLIN, 0), EPERM);
	CHECK_ERR(ep_ctl(p[0], EPOLL_CTL_ADD, f, EPOLLIN, 0), EPERM);
	close(f);
	int d = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, d, EPOLLIN, 0), EPERM);
	close(d);
	const char *nopoll[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/urandom"};
	for (int i = 0; i < 4; i++) {
		int n = open(nopoll[i], O_RDONLY);
		CHECK(n >= 0);
		errno = 0;
		long r = ep_ctl(ep, EPOLL_CTL_ADD, n, EPOLLIN, 0);
		int e = errno;
		close(n);
		CHECKF(r == -1 && e == EPERM, "%s: got %ld errno %s", nopoll[i], r, errname(e));
	}
	int rnd = open("/dev/random", O_RDONLY);
	CHECK(rnd >= 0);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, rnd, EPOLLIN, 0), 0);
	close(rnd);
	int m = syscall(SYS_memfd_create, "x", 0);
	CHECK(m >= 0);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, m, EPOLLIN, 0), EPERM);
	close(m);
	/* O_PATH descriptors are not seen */
	int o = open("/", O_PATH);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, o, EPOLLIN, 0), EBADF);
	close(o);
	/* epfd must be an epoll instance, and not the target */
	CHECK_ERR(ep_ctl(p[1], EPOLL_CTL_ADD, p[0], EPOLLIN, 0), EINVAL);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0), EINVAL);
	/* the operations */
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0), ENOENT);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0), ENOENT);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), 0);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), EEXIST);
	CHECK_ERR(ep_ctl(ep, 0, p[0], EPOLLIN, 0), EINVAL);
	CHECK_ERR(ep_ctl(ep, 4, p[0], EPOLLIN, 0), EINVAL);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLOUT, 0), 0);
	CHECK_EQ(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL), 0);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0), ENOENT);
	/* a dup'd descriptor is another item */
	int q = dup(p[0]);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), 0);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, q, EPOLLIN, 0), 0);
	close(q);
	close(ep);
	close2(p);
}

static void ctl_exclusive(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	int ep2 = epoll_create1(0);
	CHECK(ep >= 0 && ep2 >= 0);
	/* only with ADD, on a non-epoll file, with in/out/err/hup/wakeup/et */
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0), EINVAL);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP, 0), EINVAL);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLPRI | EPOLLEXCLUSIVE, 0), EINVAL);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN | EPOLLEXCLUSIVE, 0), EINVAL);
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 0), EINVAL);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLET | EPOLLEXCLUSIVE, 0), 0);
	/* an exclusive item cannot be modified */
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0), EINVAL);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0), 0);
	close(ep2);
	close(ep);
	close2(p);
}

static void wait_errors(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	struct epoll_event ev[2];
	CHECK_ERR(ep_wait(ep, ev, 0, 0), EINVAL);
	CHECK_ERR(ep_wait(ep, ev, -1, 0), EINVAL);
	CHECK_ERR(ep_wait(ep, ev, 0x7fffffff, 0), EINVAL); /* above INT_MAX / 12 */
	CHECK_ERR(ep_wait(p[0], ev, 1, 0), EINVAL);
	CHECK_ERR(ep_wait(99999, ev, 1, 0), EBADF);
	/* (Linux 6.15 on) the descriptor first, then maxevents, the buffer's range, the file's type */
	CHECK_ERR(ep_wait(99999, ev, 0, 0), EBADF);
	CHECK_ERR(ep_wait(99999, BAD_HIGH, 1, 0), EBADF);
	CHECK_ERR(ep_wait(ep, BAD_HIGH, 1, 0), EFAULT);
	CHECK_ERR(ep_wait(p[0], ev, 0, 0), EINVAL);
	CHECK_ERR(ep_wait(p[0], BAD_HIGH, 1, 0), EFAULT);
	/* nothing ready: the buffer is not touched */
	CHECK_EQ(ep_wait(ep, BAD_NULL, 1, 0), 0);
	/* ready: a fault writing the event; the item stays ready */
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 7), 0);
	CHECK_ERR(ep_wait(ep, BAD_NULL, 1, 0), EFAULT);
	CHECK_ERR(ep_wait(ep, (struct epoll_event *)"read-only", 1, 0), EFAULT);
	CHECK_EQ(ep_wait(ep, ev, 2, 0), 1);
	CHECK_EQ(ev[0].data.u64, 7);
	close(ep);
	close2(p);
}

static void event_layout(void)
{
	/* struct epoll_event is packed: 12 bytes, data at offset 4 */
	CHECK_EQ(sizeof(struct epoll_event), 12);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 0x1122334455667788ULL), 0);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0xfedcba9876543210ULL), 0);
	CHECK_EQ(write(p[1], "x", 1), 1);
	unsigned char raw[3 * 12];
	memset(raw, 0xaa, sizeof(raw));
	CHECK_EQ(ep_wait(ep, (struct epoll_event *)raw, 3, 0), 2);
	uint32_t ev0, ev1;
	uint64_t d0, d1;
	memcpy(&ev0, raw, 4);
	memcpy(&d0, raw + 4, 8);
	memcpy(&ev1, raw + 12, 4);
	memcpy(&d1, raw + 16, 8);
	CHECK(raw[24] == 0xaa); /* the third slot is untouched */
	/* the write end was ready first */
	CHECK_EQ(ev0, EPOLLOUT);
	CHECK_EQ(d0, 0x1122334455667788ULL);
	CHECK_EQ(ev1, EPOLLIN);
	CHECK_EQ(d1, 0xfedcba9876543210ULL);
	close(ep);
	close2(p);
}

static void level_triggered(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	struct epoll_event ev[4];
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1), 0);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
		CHECK_EQ(ev[0].events, EPOLLIN);
		CHECK_EQ(ev[0].data.u64, 1);
	}
	char b[2];
	CHECK_EQ(read(p[0], b, 2), 2);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	/* events asked for are filtered; EPOLLHUP always comes */
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLOUT, 2), 0);
	CHECK_EQ(write(p[1], "c", 1), 1);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	close(p[1]);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].events, EPOLLHUP);
	CHECK_EQ(ev[0].data.u64, 2);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLRDHUP, 3), 0);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].events, EPOLLIN | EPOLLHUP);
	close(ep);
	close(p[0]);
}

static void edge_triggered(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	struct epoll_event ev[4];
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 5), 0);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	CHECK_EQ(write(p[1], "a", 1), 1);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].events, EPOLLIN);
	/* no new edge, though still readable */
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	/* every write is an edge */
	CHECK_EQ(write(p[1], "b", 1), 1);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	/* MOD re-polls: ready now means an event */
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 6), 0);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, 6);
	/* a write end, edge-triggered: writable at ADD */
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLET, 9), 0);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, 9);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	close(ep);
	close2(p);
}

static void oneshot(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	struct epoll_event ev[4];
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLONESHOT, 1), 0);
	CHECK_EQ(write(p[1], "a", 1), 1);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
	/* disarmed: nothing, even for new data or a hang-up */
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	CHECK_EQ(write(p[1], "b", 1), 1);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	/* the item is still there: ADD is EEXIST, MOD re-arms */
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1), EEXIST);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 2), 0);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, 2);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	close(ep);
	close2(p);
}

static void close_removes(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	struct epoll_event ev[4];
	CHECK_EQ(write(p[1], "a", 1), 1);
	/* a second descriptor keeps the open file description: the item stays */
	int q = dup(p[0]);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, q, EPOLLIN, 11), 0);
	close(q);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, 11);
	/* and cannot be deleted through the closed number */
	CHECK_ERR(ep_ctl(ep, EPOLL_CTL_DEL, q, 0, 0), EBADF);
	/* the last descriptor closed: the item is gone */
	close(p[0]);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 0);
	/* and the pipe has no reader left */
	struct pollfd f = {p[1], POLLOUT, 0};
	CHECK_EQ(poll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLOUT | POLLERR);
	/* a new file at the same number is a new item */
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 12), 0);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, 12);
	close(ep);
	close2(p);
}

static void ready_order(void)
{
	/* three ready items, two events per call: the ones left over come first next time */
	int p[3][2];
	int ep = epoll_create1(0);
	struct epoll_event ev[4];
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(pipe(p[i]), 0);
		CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[i][1], EPOLLOUT, 100 + i), 0);
	}
	CHECK_EQ(ep_wait(ep, ev, 2, 0), 2);
	CHECK_EQ(ev[0].data.u64, 100);
	CHECK_EQ(ev[1].data.u64, 101);
	CHECK_EQ(ep_wait(ep, ev, 2, 0), 2);
	CHECK_EQ(ev[0].data.u64, 102);
	CHECK_EQ(ev[1].data.u64, 100);
	CHECK_EQ(ep_wait(ep, ev, 4, 0), 3);
	CHECK_EQ(ev[0].data.u64, 101);
	CHECK_EQ(ev[1].data.u64, 102);
	CHECK_EQ(ev[2].data.u64, 100);
	for (int i = 0; i < 3; i++)
		close2(p[i]);
	close(ep);
}

static void nested(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int inner = epoll_create1(0);
	int outer = epoll_create1(0);
	struct epoll_event ev[4];
	CHECK_EQ(ep_ctl(inner, EPOLL_CTL_ADD, p[0], EPOLLIN, 1), 0);
	CHECK_EQ(ep_ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN, 2), 0);
	CHECK_EQ(ep_wait(outer, ev, 4, 0), 0);
	struct pollfd f = {inner, POLLIN | POLLOUT, 0};
	CHECK_EQ(poll(&f, 1, 0), 0);
	CHECK_EQ(write(p[1], "a", 1), 1);
	/* an instance is readable while one of its items is ready */
	CHECK_EQ(poll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLIN);
	CHECK_EQ(ep_wait(outer, ev, 4, 0), 1);
	CHECK_EQ(ev[0].events, EPOLLIN);
	CHECK_EQ(ev[0].data.u64, 2);
	CHECK_EQ(ep_wait(inner, ev, 4, 0), 1);
	CHECK_EQ(ev[0].data.u64, 1);
	/* loops are refused */
	CHECK_ERR(ep_ctl(inner, EPOLL_CTL_ADD, outer, EPOLLIN, 0), ELOOP);
	int third = epoll_create1(0);
	CHECK_EQ(ep_ctl(third, EPOLL_CTL_ADD, outer, EPOLLIN, 3), 0);
	CHECK_ERR(ep_ctl(inner, EPOLL_CTL_ADD, third, EPOLLIN, 0), ELOOP);
	/* closing the inner instance removes it from the outer one */
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	close(inner);
	CHECK_EQ(write(p[1], "b", 1), 1);
	CHECK_EQ(ep_wait(outer, ev, 4, 0), 0);
	close(third);
	close(outer);
	close2(p);
}

static void nesting_depth(void)
{
	/* a chain of five instances is allowed, a sixth level is ELOOP */
	int e[7];
	for (int i = 0; i < 7; i++) {
		e[i] = epoll_create1(0);
		CHECK(e[i] >= 0);
	}
	for (int i = 1; i < 5; i++)
		CHECK_EQ(ep_ctl(e[i], EPOLL_CTL_ADD, e[i - 1], EPOLLIN, i), 0);
	CHECK_ERR(ep_ctl(e[5], EPOLL_CTL_ADD, e[4], EPOLLIN, 5), ELOOP);
	/* the chain above the instance added to counts too */
	CHECK_ERR(ep_ctl(e[0], EPOLL_CTL_ADD, e[5], EPOLLIN, 6), ELOOP);
	CHECK_EQ(ep_ctl(e[1], EPOLL_CTL_ADD, e[5], EPOLLIN, 6), 0);
	/* and below and above together */
	CHECK_EQ(ep_ctl(e[6], EPOLL_CTL_ADD, e[5], EPOLLIN, 7), 0);
	CHECK_ERR(ep_ctl(e[1], EPOLL_CTL_ADD, e[6], EPOLLIN, 8), ELOOP);
	CHECK_EQ(ep_ctl(e[3], EPOLL_CTL_ADD, e[6], EPOLLIN, 8), 0);
	for (int i = 0; i < 7; i++)
		close(e[i]);
}

static void wait_timeout(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	struct epoll_event ev[2];
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1), 0);
	long long t0 = now_ms();
	CHECK_EQ(ep_wait(ep, ev, 2, 60), 0);
	long long dt = now_ms() - t0;
	CHECKF(dt >= 55 && dt < 5000, "epoll_wait(60 ms) took %lld ms", dt);
	/* epoll_pwait2: a timespec */
	struct timespec ts = {0, 30000000};
	t0 = now_ms();
	CHECK_EQ(syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 0), 0);
	dt = now_ms() - t0;
	CHECKF(dt >= 25 && dt < 5000, "epoll_pwait2(30 ms) took %lld ms", dt);
	CHECK_EQ(ts.tv_nsec, 30000000); /* not written back */
	ts.tv_nsec = 1000000000;
	CHECK_ERR(syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 0), EINVAL);
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	CHECK_ERR(syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 0), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_pwait2, ep, ev, 2, BAD_HIGH, NULL, 0), EFAULT);
	ts.tv_sec = 0;
	CHECK_EQ(syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 0), 0);
	close(ep);
	close2(p);
}

static void pwait_sigmask(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	struct epoll_event ev[2];
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 1), 0);
	uint64_t mask = 1ULL << (SIGUSR2 - 1), before = 0, after = 0;
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &before, 8), 0);
	CHECK_ERR(syscall(SYS_epoll_pwait, ep, ev, 2, 0, &mask, 4), EINVAL);
	/* the mask is set up before anything else is checked */
	CHECK_ERR(syscall(SYS_epoll_pwait, 99999, ev, 0, 0, &mask, 4), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_pwait, ep, ev, 2, 0, BAD_HIGH, 8), EFAULT);
	CHECK_EQ(syscall(SYS_epoll_pwait, ep, ev, 2, 0, NULL, 4), 1);
	CHECK_EQ(syscall(SYS_epoll_pwait, ep, ev, 2, -1, &mask, 8), 1);
	CHECK_EQ(syscall(SYS_epoll_pwait2, ep, ev, 2, NULL, &mask, 8), 1);
	CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &after, 8), 0);
	CHECK_EQ(after, before);
	close(ep);
	close2(p);
}

static void wait_wakes(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	struct epoll_event ev[2];
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 42), 0);
	pid_t pid = delayed_write(p[1], 50, "x", 1);
	CHECK(pid > 0);
	long long t0 = now_ms();
	long r = ep_wait(ep, ev, 2, -1);
	long long dt = now_ms() - t0;
	int st = reap(pid);
	CHECK_EQ(r, 1);
	CHECK_EQ(ev[0].events, EPOLLIN);
	CHECK_EQ(ev[0].data.u64, 42);
	CHECKF(dt >= 20, "woke after %lld ms, before the write", dt);
	CHECK_EQ(st, 0);
	/* a nested instance wakes its waiter too */
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	int outer = epoll_create1(0);
	CHECK_EQ(ep_ctl(outer, EPOLL_CTL_ADD, ep, EPOLLIN, 43), 0);
	pid = delayed_write(p[1], 30, "y", 1);
	r = ep_wait(outer, ev, 2, 5000);
	reap(pid);
	CHECK_EQ(r, 1);
	CHECK_EQ(ev[0].data.u64, 43);
	close(outer);
	close(ep);
	close2(p);
}

static void eventfd_counter(void)
{
	int e = syscall(SYS_eventfd2, 3, 0);
	CHECK(e >= 0);
	CHECK_EQ(fcntl(e, F_GETFL), O_RDWR);
	CHECK_EQ(fcntl(e, F_GETFD), 0);
	uint64_t v = 0;
	CHECK_EQ(read(e, &v, 8), 8);
	CHECK_EQ(v, 3);
	v = 5;
	CHECK_EQ(write(e, &v, 8), 8);
	v = 0x100000000ULL;
	CHECK_EQ(write(e, &v, 8), 8);
	/* a larger buffer is fine; a smaller one EINVAL */
	uint64_t big[2] = {0, 0};
	CHECK_EQ(read(e, big, 16), 8);
	CHECK_EQ(big[0], 0x100000005ULL);
	char small[7];
	CHECK_ERR(read(e, small, 7), EINVAL);
	CHECK_ERR(write(e, small, 7), EINVAL);
	v = ~0ULL;
	CHECK_ERR(write(e, &v, 8), EINVAL);
	/* a write of 0 is allowed */
	v = 0;
	CHECK_EQ(write(e, &v, 8), 8);
	CHECK_ERR(syscall(SYS_write, e, BAD_NULL, 8), EFAULT);
	/* no positional I/O; lseek is a no-op */
	CHECK_ERR(pread(e, &v, 8, 0), ESPIPE);
	CHECK_EQ(lseek(e, 9, SEEK_SET), 0);
	char buf[64], path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", e);
	long n = readlink(path, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n] = 0;
	CHECKF(strcmp(buf, "anon_inode:[eventfd]") == 0, "link %s", buf);
	close(e);
	/* eventfd(2) takes no flags; the initial value is an unsigned int */
	e = syscall(SYS_eventfd, 0xffffffffUL);
	CHECK(e >= 0);
	CHECK_EQ(read(e, &v, 8), 8);
	CHECK_EQ(v, 0xffffffffULL);
	close(e);
}

static void eventfd_flags(void)
{
	CHECK_ERR(syscall(SYS_eventfd2, 0, 2), EINVAL);
	CHECK_ERR(syscall(SYS_eventfd2, 0, O_RDWR), EINVAL);
	CHECK_ERR(syscall(SYS_eventfd2, 0, O_APPEND), EINVAL);
	int e = syscall(SYS_eventfd2, 0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(e >= 0);
	CHECK_EQ(fcntl(e, F_GETFL), O_RDWR | O_NONBLOCK);
	CHECK_EQ(fcntl(e, F_GETFD), FD_CLOEXEC);
	uint64_t v;
	CHECK_ERR(read(e, &v, 8), EAGAIN);
	/* up to ULLONG_MAX - 1, then EAGAIN */
	v = 0xfffffffffffffffeULL;
	CHECK_EQ(write(e, &v, 8), 8);
	v = 1;
	CHECK_ERR(write(e, &v, 8), EAGAIN);
	v = 0;
	CHECK_EQ(write(e, &v, 8), 8);
	CHECK_EQ(read(e, &v, 8), 8);
	CHECK_EQ(v, 0xfffffffffffffffeULL);
	/* a read that faults still takes the counter */
	v = 9;
	CHECK_EQ(write(e, &v, 8), 8);
	CHECK_ERR(syscall(SYS_read, e, BAD_NULL, 8), EFAULT);
	CHECK_ERR(read(e, &v, 8), EAGAIN);
	close(e);
	/* semaphore mode: one at a time */
	e = syscall(SYS_eventfd2, 2, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK(e >= 0);
	CHECK_EQ(read(e, &v, 8), 8);
	CHECK_EQ(v, 1);
	CHECK_EQ(read(e, &v, 8), 8);
	CHECK_EQ(v, 1);
	CHECK_ERR(read(e, &v, 8), EAGAIN);
	/* F_SETFL clears O_NONBLOCK */
	CHECK_EQ(fcntl(e, F_SETFL, 0), 0);
	CHECK_EQ(fcntl(e, F_GETFL), O_RDWR);
	close(e);
}

static void eventfd_readiness(void)
{
	int e = syscall(SYS_eventfd2, 0, EFD_NONBLOCK);
	CHECK(e >= 0);
	struct pollfd f = {e, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, 0};
	CHECK_EQ(poll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLOUT);
	uint64_t v = 1;
	CHECK_EQ(write(e, &v, 8), 8);
	CHECK_EQ(poll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLIN | POLLOUT);
	v = 0xfffffffffffffffdULL;
	CHECK_EQ(write(e, &v, 8), 8);
	CHECK_EQ(poll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLIN);
	/* in epoll, edge-triggered: every write is an edge, a read is not one for POLLIN */
	CHECK_EQ(read(e, &v, 8), 8);
	int ep = epoll_create1(0);
	struct epoll_event ev[2];
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN | EPOLLET, 1), 0);
	CHECK_EQ(ep_wait(ep, ev, 2, 0), 0);
	v = 1;
	CHECK_EQ(write(e, &v, 8), 8);
	CHECK_EQ(ep_wait(ep, ev, 2, 0), 1);
	CHECK_EQ(ev[0].events, EPOLLIN);
	CHECK_EQ(ep_wait(ep, ev, 2, 0), 0);
	CHECK_EQ(write(e, &v, 8), 8);
	CHECK_EQ(ep_wait(ep, ev, 2, 0), 1);
	CHECK_EQ(read(e, &v, 8), 8);
	CHECK_EQ(ep_wait(ep, ev, 2, 0), 0);
	close(ep);
	close(e);
}

static void eventfd_blocking(void)
{
	int e = syscall(SYS_eventfd2, 0, 0);
	CHECK(e >= 0);
	uint64_t one = 7;
	pid_t pid = delayed_write(e, 50, &one, 8);
	CHECK(pid > 0);
	long long t0 = now_ms();
	uint64_t v = 0;
	long r = read(e, &v, 8);
	long long dt = now_ms() - t0;
	int st = reap(pid);
	CHECK_EQ(r, 8);
	CHECK_EQ(v, 7);
	CHECKF(dt >= 20, "read returned after %lld ms, before the write", dt);
	CHECK_EQ(st, 0);
	/* a write that would overflow waits for a read */
	v = 0xfffffffffffffffeULL;
	CHECK_EQ(write(e, &v, 8), 8);
	pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 50000000};
		nanosleep(&ts, NULL);
		uint64_t x;
		_exit(read(e, &x, 8) == 8 && x == 0xfffffffffffffffeULL ? 0 : 1);
	}
	v = 5;
	r = write(e, &v, 8);
	st = reap(pid);
	CHECK_EQ(r, 8);
	CHECK_EQ(st, 0);
	CHECK_EQ(read(e, &v, 8), 8);
	CHECK_EQ(v, 5);
	close(e);
}

static void wait_interrupted(void)
{
	/* epoll_wait is never restarted: EINTR even with SA_RESTART */
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1), 0);
	CHECK_EQ(catch_usr1(SA_RESTART), 0);
	pid_t pid = signal_then_write(SIGUSR1, 50, -1, 0, NULL, 0);
	struct epoll_event ev[2];
	errno = 0;
	long r = ep_wait(ep, ev, 2, 10000);
	int e = errno;
	reap(pid);
	restore_usr1();
	close(ep);
	close2(p);
	CHECKF(r == -1 && e == EINTR, "epoll_wait: got %ld errno %s", r, errname(e));
	CHECK_EQ(usr1_count, 1);
}

static void pwait_mask_unblocks(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int ep = epoll_create1(0);
	CHECK_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1), 0);
	CHECK_EQ(catch_usr1(0), 0);
	sigset_t block, empty, cur;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGUSR1);
	struct epoll_event ev[2];
	errno = 0;
	long r = syscall(SYS_epoll_pwait, ep, ev, 2, 10000, &empty, 8);
	int e = errno;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	int after = usr1_count;
	restore_usr1();
	close(ep);
	close2(p);
	CHECKF(r == -1 && e == EINTR, "epoll_pwait: got %ld errno %s", r, errname(e));
	CHECK_EQ(after, 1);
	CHECK(sigismember(&cur, SIGUSR1));
}

static void eventfd_read_interrupted(void)
{
	int e = syscall(SYS_eventfd2, 0, 0);
	CHECK(e >= 0);
	uint64_t v = 3;
	/* SA_RESTART: the read goes on after the handler and gets the value */
	CHECK_EQ(catch_usr1(SA_RESTART), 0);
	pid_t pid = signal_then_write(SIGUSR1, 30, e, 50, &v, 8);
	uint64_t got = 0;
	errno = 0;
	long r = read(e, &got, 8);
	int err = errno;
	int st = reap(pid);
	int count = usr1_count;
	CHECKF(r == 8 && got == 3, "read: got %ld (%llu) errno %s", r, (unsigned long long)got, errname(err));
	CHECK_EQ(count, 1);
	CHECK_EQ(st, 0);
	/* without: EINTR */
	CHECK_EQ(catch_usr1(0), 0);
	pid = signal_then_write(SIGUSR1, 30, -1, 0, NULL, 0);
	errno = 0;
	r = read(e, &got, 8);
	err = errno;
	reap(pid);
	count = usr1_count;
	restore_usr1();
	close(e);
	CHECKF(r == -1 && err == EINTR, "read: got %ld errno %s", r, errname(err));
	CHECK_EQ(count, 1);
}

int main(void)
{
	RUN(create_args);
	RUN(ctl_errors);
	RUN(ctl_exclusive);
	RUN(wait_errors);
	RUN(event_layout);
	RUN(level_triggered);
	RUN(edge_triggered);
	RUN(oneshot);
	RUN(close_removes);
	RUN(ready_order);
	RUN(nested);
	RUN(nesting_depth);
	RUN(wait_timeout);
	RUN(pwait_sigmask);
	RUN(wait_wakes);
	RUN(eventfd_counter);
	RUN(eventfd_flags);
	RUN(eventfd_readiness);
	RUN(eventfd_blocking);
	RUN(wait_interrupted);
	RUN(pwait_mask_unblocks);
	RUN(eventfd_read_interrupted);
	DONE();
}
