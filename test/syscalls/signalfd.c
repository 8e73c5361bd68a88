/* signalfd(2): reading blocked signals as records, masks, flags, poll readiness, blocking reads. */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

static void block(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static void read_records(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGRTMIN + 2);
	block(SIGUSR1);
	block(SIGRTMIN + 2);
	int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	struct signalfd_siginfo si[4];
	CHECK_ERR(read(fd, si, sizeof si), EAGAIN);
	CHECK_ERR(read(fd, si, sizeof si[0] - 1), EINVAL);
	struct pollfd pf = {fd, POLLIN, 0};
	CHECK_EQ(poll(&pf, 1, 0), 0);
	CHECK_OK(kill(getpid(), SIGUSR1));
	union sigval v = {.sival_int = 77};
	CHECK_OK(sigqueue(getpid(), SIGRTMIN + 2, v));
	CHECK_EQ(poll(&pf, 1, 0), 1);
	CHECK_EQ(read(fd, si, sizeof si), (ssize_t)(2 * sizeof si[0]));
	CHECK_EQ(si[0].ssi_signo, (uint32_t)SIGUSR1);
	CHECK_EQ(si[0].ssi_code, SI_USER);
	CHECK_EQ(si[0].ssi_pid, (uint32_t)getpid());
	CHECK_EQ(si[0].ssi_uid, (uint32_t)getuid());
	CHECK_EQ(si[1].ssi_signo, (uint32_t)(SIGRTMIN + 2));
	CHECK_EQ(si[1].ssi_code, SI_QUEUE);
	CHECK_EQ(si[1].ssi_int, 77);
	/* Consumed: nothing pending any more. */
	sigset_t p;
	CHECK_OK(sigpending(&p));
	CHECK_EQ(sigismember(&p, SIGUSR1), 0);
	CHECK_ERR(read(fd, si, sizeof si), EAGAIN);
	close(fd);
}

static void mask_and_errors(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &m, 4, 0), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &m, 8, 1), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, NULL, 8, 0), EFAULT);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(signalfd(p[0], &m, 0), EINVAL);
	CHECK_ERR(signalfd(999, &m, 0), EBADF);
	int fd = signalfd(-1, &m, SFD_NONBLOCK);
	CHECK(fd >= 0);
	/* Changing the mask of an existing one returns the same fd. */
	sigaddset(&m, SIGHUP);
	CHECK_EQ(signalfd(fd, &m, 0), fd);
	block(SIGHUP);
	CHECK_OK(raise(SIGHUP));
	struct signalfd_siginfo si;
	CHECK_EQ(read(fd, &si, sizeof si), (ssize_t)sizeof si);
	CHECK_EQ(si.ssi_signo, (uint32_t)SIGHUP);
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void blocking_read_and_child(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGCHLD);
	block(SIGCHLD);
	int fd = signalfd(-1, &m, 0);
	CHECK(fd >= 0);
	pid_t c = fork();
	if (c == 0) {
		usleep(50000);
		_exit(5);
	}
	struct signalfd_siginfo si;
	CHECK_EQ(read(fd, &si, sizeof si), (ssize_t)sizeof si);
	CHECK_EQ(si.ssi_signo, (uint32_t)SIGCHLD);
	CHECK_EQ(si.ssi_code, CLD_EXITED);
	CHECK_EQ(si.ssi_pid, (uint32_t)c);
	CHECK_EQ(si.ssi_status, 5);
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	close(fd);
}

int main(void)
{
	RUN(read_records);
	RUN(mask_and_errors);
	RUN(blocking_read_and_child);
	DONE();
}
