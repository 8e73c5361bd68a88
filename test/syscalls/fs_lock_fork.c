/*
 * fs_lock_fork.c: the file-lock cases that need a second process: POSIX
 * locks conflicting between processes and not inherited by fork, flock and
 * OFD locks shared through an inherited description, F_SETLKW and blocking
 * flock waiting for another process, EDEADLK, release at exit, and EINTR.
 *
 * Not in the conformance PROGRAMS until tsvisor has fork(2); it must pass
 * natively (gcc -O1 -static fs_lock_fork.c && ./a.out).
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

static void setup(void)
{
	fs_setup("/tmp/tsvisor-fs_lock_fork-XXXXXX");
}

static int make(const char *name)
{
	return open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
}

static long setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock l;
	memset(&l, 0, sizeof l);
	l.l_type = type;
	l.l_whence = SEEK_SET;
	l.l_start = start;
	l.l_len = len;
	return syscall(SYS_fcntl, fd, cmd, &l);
}

static long getlk(int fd, int cmd, short type, off_t start, off_t len, struct flock *l)
{
	memset(l, 0, sizeof *l);
	l->l_type = type;
	l->l_whence = SEEK_SET;
	l->l_start = start;
	l->l_len = len;
	return syscall(SYS_fcntl, fd, cmd, l);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits for pid; returns its exit code (or 100 + signal). */
static int reap(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

/* One byte through a pipe: a step of a two-process script. */
static void signal_step(int fd) { (void)!write(fd, "x", 1); }
static void wait_step(int fd) { char c; (void)!read(fd, &c, 1); }

static void posix_between_processes(void)
{
	int fd, sync[2];
	CHECK_OK(fd = make("pb"));
	CHECK_OK(pipe(sync));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 10));
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		struct flock l;
		/* Not inherited: the parent's lock blocks the child. */
		if (setlk(fd, F_SETLK, F_RDLCK, 5, 1) != -1 || errno != EAGAIN)
			_exit(1);
		if (getlk(fd, F_GETLK, F_RDLCK, 0, 0, &l) != 0 || l.l_type != F_WRLCK || l.l_pid != parent || l.l_start != 0 || l.l_len != 10)
			_exit(2);
		if (setlk(fd, F_SETLK, F_WRLCK, 10, 5) != 0)
			_exit(3);
		signal_step(sync[1]);
		pause();
		_exit(0);
	}
	CHECK(pid > 0);
	wait_step(sync[0]);
	struct flock l;
	CHECK_OK(getlk(fd, F_GETLK, F_WRLCK, 0, 0, &l));
	CHECK_EQ(l.l_type, F_WRLCK);
	CHECK_EQ(l.l_start, 10);
	CHECK_EQ(l.l_pid, pid);
	CHECK_ERR(setlk(fd, F_SETLK, F_RDLCK, 12, 1), EAGAIN);
	kill(pid, SIGKILL);
	CHECK_EQ(reap(pid), 100 + SIGKILL);
	/* The child's locks went with it. */
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 10, 5));
	close(fd);
	close(sync[0]);
	close(sync[1]);
}

static void flock_shared_by_fork(void)
{
	int fd, other;
	CHECK_OK(fd = make("fs"));
	CHECK_OK(other = open("fs", O_RDWR));
	CHECK_OK(flock(fd, LOCK_EX));
	pid_t pid = fork();
	if (pid == 0) {
		/* The inherited description holds the lock: unlocking here unlocks it for the parent too. */
		if (flock(fd, LOCK_EX | LOCK_NB) != 0)
			_exit(1);
		if (flock(fd, LOCK_UN) != 0)
			_exit(2);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK_EQ(reap(pid), 0);
	CHECK_OK(flock(other, LOCK_EX | LOCK_NB));
	close(fd);
	close(other);
}

static void ofd_shared_by_fork(void)
{
	int fd, other;
	CHECK_OK(fd = make("of"));
	CHECK_OK(other = open("of", O_RDWR));
	CHECK_OK(setlk(fd, F_OFD_SETLK, F_WRLCK, 0, 0));
	pid_t pid = fork();
	if (pid == 0) {
		if (setlk(fd, F_OFD_SETLK, F_WRLCK, 0, 5) != 0) /* same owner: the description */
			_exit(1);
		if (setlk(other, F_OFD_SETLK, F_RDLCK, 0, 5) != -1 || errno != EAGAIN)
			_exit(2);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK_EQ(reap(pid), 0);
	/* The child's exit closed its descriptors, not the description: still locked. */
	CHECK_ERR(setlk(other, F_OFD_SETLK, F_RDLCK, 0, 5), EAGAIN);
	close(fd);
	CHECK_OK(setlk(other, F_OFD_SETLK, F_RDLCK, 0, 5));
	close(other);
}

static void setlkw_waits(void)
{
	int fd, sync[2];
	CHECK_OK(fd = make("sw"));
	CHECK_OK(pipe(sync));
	pid_t pid = fork();
	if (pid == 0) {
		if (setlk(fd, F_SETLK, F_WRLCK, 0, 0) != 0)
			_exit(1);
		signal_step(sync[1]);
		usleep(200000);
		_exit(0); /* exit releases the lock */
	}
	CHECK(pid > 0);
	wait_step(sync[0]);
	double t0 = now();
	CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
	CHECK_OK(setlk(fd, F_SETLKW, F_WRLCK, 0, 1));
	CHECK(now() - t0 > 0.1);
	CHECK_EQ(reap(pid), 0);
	close(fd);
	close(sync[0]);
	close(sync[1]);
}

static void ofd_setlkw_waits(void)
{
	int fd, other, sync[2];
	CHECK_OK(fd = make("ow"));
	CHECK_OK(other = open("ow", O_RDWR));
	CHECK_OK(pipe(sync));
	CHECK_OK(setlk(fd, F_OFD_SETLK, F_WRLCK, 0, 0));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(200000);
		if (setlk(fd, F_OFD_SETLK, F_UNLCK, 0, 0) != 0)
			_exit(1);
		_exit(0);
	}
	CHECK(pid > 0);
	double t0 = now();
	CHECK_OK(setlk(other, F_OFD_SETLKW, F_RDLCK, 0, 1));
	CHECK(now() - t0 > 0.1);
	CHECK_EQ(reap(pid), 0);
	close(fd);
	close(other);
	close(sync[0]);
	close(sync[1]);
}

static void flock_waits(void)
{
	int fd, other;
	CHECK_OK(fd = make("fw"));
	CHECK_OK(other = open("fw", O_RDWR));
	CHECK_OK(flock(fd, LOCK_EX));
	pid_t pid = fork();
	if (pid == 0) {
		close(other);
		usleep(200000);
		close(fd); /* the child's reference only: the parent's keeps the lock */
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK_EQ(reap(pid), 0);
	CHECK_ERR(flock(other, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	pid = fork();
	if (pid == 0) {
		usleep(200000);
		flock(fd, LOCK_UN);
		_exit(0);
	}
	double t0 = now();
	CHECK_OK(flock(other, LOCK_SH));
	CHECK(now() - t0 > 0.1);
	CHECK_EQ(reap(pid), 0);
	close(fd);
	close(other);
}

static void deadlock_detected(void)
{
	int fd, sync[2];
	CHECK_OK(fd = make("dl"));
	CHECK_OK(pipe(sync));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 1));
	pid_t pid = fork();
	if (pid == 0) {
		if (setlk(fd, F_SETLK, F_WRLCK, 1, 1) != 0)
			_exit(1);
		signal_step(sync[1]);
		/* Waits for the parent's byte 0. */
		if (setlk(fd, F_SETLKW, F_WRLCK, 0, 1) != 0)
			_exit(2);
		_exit(0);
	}
	CHECK(pid > 0);
	wait_step(sync[0]);
	usleep(100000); /* let the child block */
	/* Waiting for the child's byte 1 would close the cycle. */
	CHECK_ERR(setlk(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK);
	/* Without waiting it is only a conflict. */
	CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, 1, 1), EAGAIN);
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 1)); /* lets the child through */
	CHECK_EQ(reap(pid), 0);
	close(fd);
	close(sync[0]);
	close(sync[1]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void setlkw_interrupted(void)
{
	int fd, sync[2];
	CHECK_OK(fd = make("si"));
	CHECK_OK(pipe(sync));
	pid_t pid = fork();
	if (pid == 0) {
		if (setlk(fd, F_SETLK, F_WRLCK, 0, 0) != 0)
			_exit(1);
		signal_step(sync[1]);
		pause();
		_exit(0);
	}
	CHECK(pid > 0);
	wait_step(sync[0]);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART */
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	CHECK_ERR(setlk(fd, F_SETLKW, F_RDLCK, 0, 1), EINTR);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	kill(pid, SIGKILL);
	reap(pid);
	close(fd);
	close(sync[0]);
	close(sync[1]);
}

int main(void)
{
	setup();
	RUN(posix_between_processes);
	RUN(flock_shared_by_fork);
	RUN(ofd_shared_by_fork);
	RUN(setlkw_waits);
	RUN(ofd_setlkw_waits);
	RUN(flock_waits);
	RUN(deadlock_detected);
	RUN(setlkw_interrupted);
	teardown();
	DONE();
}
