/* pidfd_open, pidfd_send_signal, pidfd_getfd, CLONE_PIDFD and waitid(P_PIDFD) (man 2 pidfd_open, clone, waitid). */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <linux/sched.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open(pid_t pid, unsigned flags) { return (int)syscall(SYS_pidfd_open, pid, flags); }
static int pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags) { return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags); }
static int pidfd_getfd(int fd, int target, unsigned flags) { return (int)syscall(SYS_pidfd_getfd, fd, target, flags); }

/* A child that waits for a byte on a pipe, then exits with code. */
static pid_t child_waiting(int *wfd, int code)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t c = fork();
	if (c == 0) {
		char b;
		close(p[1]);
		while (read(p[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(code);
	}
	close(p[0]);
	*wfd = p[1];
	return c;
}

static void open_poll_wait(void)
{
	int w;
	pid_t c = child_waiting(&w, 7);
	CHECK(c > 0);
	int fd = pidfd_open(c, 0);
	CHECK(fd >= 0);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	struct pollfd pf = {fd, POLLIN, 0};
	CHECK_EQ(poll(&pf, 1, 0), 0);
	CHECK_EQ(write(w, "x", 1), 1);
	CHECK_EQ(poll(&pf, 1, 5000), 1);
	CHECK(pf.revents & POLLIN);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK_OK(waitid(P_PIDFD, fd, &si, WEXITED));
	CHECK_EQ(si.si_pid, c);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_status, 7);
	CHECK_ERR(waitid(P_PIDFD, fd, &si, WEXITED), ECHILD);
	close(fd);
	close(w);
}

static void open_errors(void)
{
	CHECK_ERR(pidfd_open(0, 0), EINVAL);
	CHECK_ERR(pidfd_open(-1, 0), EINVAL);
	CHECK_ERR(pidfd_open(getpid(), 1), EINVAL);
	CHECK_ERR(pidfd_open(0x3fffffff, 0), ESRCH);
	int fd = pidfd_open(getpid(), O_NONBLOCK);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	char b[8];
	CHECK_ERR(read(fd, b, sizeof b), EINVAL);
	close(fd);
}

static void send_signal(void)
{
	int w;
	pid_t c = child_waiting(&w, 0);
	int fd = pidfd_open(c, 0);
	CHECK(fd >= 0);
	CHECK_OK(pidfd_send_signal(fd, 0, NULL, 0));
	CHECK_ERR(pidfd_send_signal(fd, SIGTERM, NULL, 1 << 20), EINVAL);
	CHECK_ERR(pidfd_send_signal(w, SIGTERM, NULL, 0), EBADF);
	CHECK_OK(pidfd_send_signal(fd, SIGTERM, NULL, 0));
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	/* The process is gone: ESRCH. */
	CHECK_ERR(pidfd_send_signal(fd, SIGTERM, NULL, 0), ESRCH);
	close(fd);
	close(w);
}

static void nonblock_waitid(void)
{
	int w;
	pid_t c = child_waiting(&w, 3);
	int fd = pidfd_open(c, O_NONBLOCK);
	CHECK(fd >= 0);
	siginfo_t si;
	CHECK_ERR(waitid(P_PIDFD, fd, &si, WEXITED), EAGAIN);
	CHECK_EQ(write(w, "x", 1), 1);
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	close(fd);
	close(w);
}

static void getfd(void)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t c = fork();
	if (c == 0) {
		char b;
		/* Keep p[1] open; wait for the parent to close its end of p[0]'s partner. */
		read(p[0], &b, 1);
		_exit(0);
	}
	int fd = pidfd_open(c, 0);
	CHECK(fd >= 0);
	int dup = pidfd_getfd(fd, p[1], 0);
	CHECK(dup >= 0);
	CHECK_EQ(fcntl(dup, F_GETFD), FD_CLOEXEC);
	CHECK_ERR(pidfd_getfd(fd, 999, 0), EBADF);
	CHECK_ERR(pidfd_getfd(fd, p[1], 1), EINVAL);
	CHECK_EQ(write(dup, "x", 1), 1);
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	close(dup);
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void clone_pidfd(void)
{
	struct clone_args args;
	int pidfd = -1;
	memset(&args, 0, sizeof args);
	args.flags = CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	long c = syscall(SYS_clone3, &args, sizeof args);
	if (c == 0)
		_exit(9);
	CHECK(c > 0);
	CHECK(pidfd >= 0);
	CHECK_EQ(fcntl(pidfd, F_GETFD), FD_CLOEXEC);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK_OK(waitid(P_PIDFD, pidfd, &si, WEXITED));
	CHECK_EQ(si.si_pid, (pid_t)c);
	CHECK_EQ(si.si_status, 9);
	close(pidfd);
}

int main(void)
{
	RUN(open_poll_wait);
	RUN(open_errors);
	RUN(send_signal);
	RUN(nonblock_waitid);
	RUN(getfd);
	RUN(clone_pidfd);
	DONE();
}
