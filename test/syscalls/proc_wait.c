/*
 * proc_wait.c: wait4(2)/waitpid and waitid(2): ECHILD, WNOHANG, zombies (in
 * /proc/PID/stat), WNOWAIT, the siginfo waitid fills, option and idtype
 * errors, rusage, reaping several children with -1, __WCLONE/__WALL (children
 * whose exit signal is not SIGCHLD), and faults on the status or siginfo
 * pointer (the child is reaped all the same).
 *
 * Children never print; they block on pipes when a case needs them alive.
 */
#include "check.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static pid_t kids[16];
static int nkids;

static pid_t spawn(void)
{
	pid_t p = fork();
	if (p > 0 && nkids < 16)
		kids[nkids++] = p;
	return p;
}

/* Kills and reaps whatever a case left behind (also clone children: __WALL). */
static void reap_all(void)
{
	for (int i = 0; i < nkids; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	nkids = 0;
	while (waitpid(-1, NULL, __WALL) > 0)
		;
}

static void msleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* A child blocked reading p[0] until the parent writes a byte or closes p[1]. */
static pid_t blocked_child(int p[2], int code)
{
	pid_t c = spawn();
	if (c == 0) {
		char ch;
		close(p[1]);
		read_full(p[0], &ch, 1);
		_exit(code);
	}
	return c;
}

/* The state letter in /proc/PID/stat, 0 if it cannot be read (-errno in *err). */
static char proc_state(pid_t p, int *err)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)p);
	*err = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		*err = errno;
		return 0;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *rp = strrchr(buf, ')');
	if (rp == NULL || rp[1] != ' ')
		return 0;
	return rp[2];
}

static void wait_no_children(void)
{
	int st = 0x5a5a;
	siginfo_t si;
	CHECK_ERR(waitpid(-1, &st, 0), ECHILD);
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
	CHECK_ERR(waitpid(0, &st, 0), ECHILD);
	CHECK_ERR(wait(NULL), ECHILD);
	CHECK_ERR(wait4(-1, &st, __WALL, NULL), ECHILD);
	CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD);
	CHECK_EQ(st, 0x5a5a); /* untouched */
}

static void wait_not_a_child(void)
{
	int p[2];
	int st = 0;
	siginfo_t si;
	CHECK_ERR(waitpid(getpid(), &st, 0), ECHILD);
	CHECK_ERR(waitpid(0x3fffff00, &st, 0), ECHILD);
	CHECK_ERR(waitid(P_PID, getpid(), &si, WEXITED), ECHILD);
	/* A grandchild is not ours while its parent lives. */
	int res[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pipe(res), 0);
	pid_t c = spawn();
	if (c == 0) {
		char ch;
		pid_t g = fork();
		if (g == 0) {
			close(p[1]);
			read_full(p[0], &ch, 1);
			_exit(0);
		}
		write(res[1], &g, sizeof(g));
		read_full(p[0], &ch, 1);
		_exit(g > 0 && waitpid(g, NULL, 0) == g ? 0 : 1);
	}
	close(p[0]);
	close(res[1]);
	CHECK(c > 0);
	pid_t g = 0;
	int rd = read_full(res[0], &g, sizeof(g));
	close(res[0]);
	CHECK_EQ(rd, 0);
	CHECK(g > 0);
	CHECK_ERR(waitpid(g, &st, WNOHANG), ECHILD);
	CHECK_ERR(waitpid(g, &st, 0), ECHILD);
	CHECK_EQ(kill(g, 0), 0);
	CHECK_EQ(write(p[1], "xx", 2), 2); /* one byte each */
	close(p[1]);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK_EQ(st, 0);
	CHECK_ERR(waitpid(c, &st, 0), ECHILD); /* reaped */
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
}

/*
 * An orphan goes to init (or a subreaper), never to its grandparent. Run in
 * a middle process M (not init, not a subreaper): M forks C, C forks G and
 * exits; G is then not M's to wait for. (Under tsvisor the test program is
 * init, so G ends up ours: reap_all collects it.)
 */
static void orphan_not_grandparents(void)
{
	int res[2];
	int st = -1;
	CHECK_EQ(pipe(res), 0);
	pid_t m = spawn();
	if (m == 0) {
		int go[2], gp[2];
		char ch;
		if (pipe(go) != 0 || pipe(gp) != 0)
			_exit(2);
		pid_t c = fork();
		if (c == 0) {
			pid_t g = fork();
			if (g == 0) {
				close(go[1]);
				read_full(go[0], &ch, 1);
				_exit(0);
			}
			write(gp[1], &g, sizeof(g));
			_exit(0);
		}
		pid_t g = 0;
		int rd = read_full(gp[0], &g, sizeof(g));
		int s1 = -1;
		long r1 = waitpid(c, &s1, 0);
		errno = 0;
		long r2 = waitpid(g, NULL, WNOHANG);
		long e2 = errno;
		errno = 0;
		long r3 = waitpid(-1, NULL, WNOHANG);
		long e3 = errno;
		long alive = kill(g, 0);
		write(go[1], "x", 1);
		long out[8] = {rd, g, r1 == c, s1, r2, e2, r3, e3};
		(void)alive;
		write(res[1], out, sizeof(out));
		_exit(alive == 0 ? 0 : 1);
	}
	close(res[1]);
	CHECK(m > 0);
	long out[8];
	int rd = read_full(res[0], out, sizeof(out));
	close(res[0]);
	CHECK_EQ(waitpid(m, &st, 0), m);
	CHECK_EQ(rd, 0);
	CHECK_EQ(out[0], 0);
	CHECK(out[1] > 0);
	CHECK_EQ(out[2], 1);
	CHECK_EQ(out[3], 0);
	CHECK_EQ(out[4], -1); /* the orphaned grandchild is not M's */
	CHECKF(out[5] == ECHILD, "waitpid(orphaned grandchild): errno %s, expected ECHILD", errname((int)out[5]));
	CHECK_EQ(out[6], -1);
	CHECKF(out[7] == ECHILD, "waitpid(-1) with only an orphaned grandchild: errno %s, expected ECHILD", errname((int)out[7]));
	CHECK_EQ(st, 0); /* it was alive all along */
}

static void wnohang_while_alive(void)
{
	int p[2];
	int st = 0x5a5a;
	siginfo_t si;
	CHECK_EQ(pipe(p), 0);
	pid_t c = blocked_child(p, 4);
	close(p[0]);
	CHECK(c > 0);
	CHECK_EQ(waitpid(c, &st, WNOHANG), 0);
	CHECK_EQ(waitpid(-1, &st, WNOHANG), 0);
	CHECK_EQ(waitpid(0, &st, WNOHANG), 0);
	CHECK_EQ(st, 0x5a5a); /* not written */
	memset(&si, 0x5a, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WEXITED | WNOHANG), 0);
	/* Nothing to report: the kernel writes a zero siginfo. */
	CHECK_EQ(si.si_pid, 0);
	CHECK_EQ(si.si_signo, 0);
	CHECK_EQ(si.si_code, 0);
	CHECK_EQ(si.si_status, 0);
	CHECK_EQ(si.si_uid, 0);
	CHECK_EQ(write(p[1], "x", 1), 1);
	close(p[1]);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK_EQ(st, 4 << 8);
}

static void zombie_in_proc(void)
{
	int st = -1, err = 0;
	char s = 0;
	pid_t c = spawn();
	if (c == 0)
		_exit(6);
	CHECK(c > 0);
	/* Up to 10 s for it to die. */
	for (int i = 0; i < 2000; i++) {
		s = proc_state(c, &err);
		if (s == 'Z' || s == 0)
			break;
		msleep(5);
	}
	CHECKF(s == 'Z', "/proc/%d/stat state '%c' (errno %s), expected 'Z'", (int)c, s ? s : '?', errname(err));
	CHECK_EQ(kill(c, 0), 0);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK_EQ(st, 6 << 8);
	s = proc_state(c, &err);
	CHECKF(s == 0 && err == ENOENT, "/proc/%d/stat after reaping: state '%c' errno %s, expected ENOENT", (int)c,
	       s ? s : '?', errname(err));
}

static void waitid_wnowait_then_reap(void)
{
	siginfo_t si;
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t c = blocked_child(p, 23);
	close(p[0]);
	CHECK(c > 0);
	close(p[1]); /* EOF: it exits */
	memset(&si, 0x5a, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WEXITED | WNOWAIT), 0);
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK_EQ(si.si_errno, 0);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_pid, c);
	CHECK_EQ(si.si_uid, getuid());
	CHECK_EQ(si.si_status, 23);
	/* Still there: a second WNOWAIT sees it again, and WNOHANG|WNOWAIT too. */
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | WNOHANG), 0);
	CHECK_EQ(si.si_pid, c);
	CHECK_EQ(si.si_status, 23);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PGID, getpgrp(), &si, WEXITED | WNOWAIT), 0);
	CHECK_EQ(si.si_pid, c);
	/* Now reap it. */
	memset(&si, 0x5a, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WEXITED), 0);
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_pid, c);
	CHECK_EQ(si.si_status, 23);
	CHECK_ERR(waitid(P_PID, c, &si, WEXITED), ECHILD);
	CHECK_ERR(waitpid(c, NULL, 0), ECHILD);
}

static void waitid_killed(void)
{
	siginfo_t si;
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t c = blocked_child(p, 0);
	close(p[0]);
	CHECK(c > 0);
	CHECK_EQ(kill(c, SIGKILL), 0);
	memset(&si, 0x5a, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WEXITED), 0);
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK_EQ(si.si_code, CLD_KILLED);
	CHECK_EQ(si.si_pid, c);
	CHECK_EQ(si.si_status, SIGKILL);
	close(p[1]);

	/* SIGTERM, the child killing itself; waitpid's view of the same. */
	c = spawn();
	if (c == 0) {
		kill(getpid(), SIGTERM);
		for (;;)
			pause();
	}
	CHECK(c > 0);
	memset(&si, 0x5a, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WEXITED | WNOWAIT), 0);
	CHECK_EQ(si.si_code, CLD_KILLED);
	CHECK_EQ(si.si_status, SIGTERM);
	int st = -1;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGTERM);
}

static void wait_option_errors(void)
{
	siginfo_t si;
	int st;
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t c = blocked_child(p, 0); /* a child, so that ECHILD cannot come first */
	close(p[0]);
	CHECK(c > 0);
	/* waitid needs one of WEXITED, WSTOPPED, WCONTINUED. */
	CHECK_ERR(waitid(P_ALL, 0, &si, WNOHANG), EINVAL);
	CHECK_ERR(waitid(P_ALL, 0, &si, 0), EINVAL);
	CHECK_ERR(waitid(P_PID, c, &si, WNOWAIT), EINVAL);
	/* Unknown option bits. */
	CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED | 0x10), EINVAL);
	CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED | 0x100000), EINVAL);
	/* Bad idtype and ids. */
	CHECK_ERR(syscall(SYS_waitid, 99, 0, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR(waitid(P_PID, 0, &si, WEXITED), EINVAL);
	CHECK_ERR(syscall(SYS_waitid, P_PID, -1, &si, WEXITED, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_waitid, P_PGID, -1, &si, WEXITED, NULL), EINVAL);
	/* wait4 takes neither WEXITED nor WNOWAIT, nor unknown bits. */
	CHECK_ERR(waitpid(-1, &st, WEXITED), EINVAL);
	CHECK_ERR(waitpid(-1, &st, WNOWAIT), EINVAL);
	CHECK_ERR(waitpid(-1, &st, 0x10), EINVAL);
	/* wait4(INT_MIN) is refused (it cannot be negated). */
	CHECK_ERR(syscall(SYS_wait4, (int)0x80000000, &st, WNOHANG, NULL), ESRCH);
	/* The child is still there. */
	CHECK_EQ(waitpid(c, &st, WNOHANG), 0);
	close(p[1]);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK_EQ(st, 0);
}

static void wait4_rusage(void)
{
	struct rusage ru;
	int st = -1;
	pid_t c = spawn();
	if (c == 0) {
		/* About 50 ms of CPU time (at most 3 s of wall time). */
		struct timespec t0, t, w0, w;
		clock_gettime(CLOCK_MONOTONIC, &w0);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		volatile unsigned long x = 0;
		for (;;) {
			for (int i = 0; i < 100000; i++)
				x += (unsigned long)i;
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
			clock_gettime(CLOCK_MONOTONIC, &w);
			if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) >= 50000000L)
				break;
			if (w.tv_sec - w0.tv_sec >= 3)
				break;
		}
		_exit(11);
	}
	CHECK(c > 0);
	memset(&ru, 0xff, sizeof(ru));
	CHECK_EQ(wait4(c, &st, 0, &ru), c);
	CHECK_EQ(st, 11 << 8);
	CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
	CHECK(ru.ru_stime.tv_sec >= 0 && ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
	long us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	CHECKF(us >= 10000, "the child's user+system time is %ld us, expected at least 10 ms", us);
	CHECK(us < 60 * 1000000L);
	CHECK(ru.ru_maxrss >= 0);
	/* RUSAGE_CHILDREN now includes it. */
	struct rusage all;
	CHECK_EQ(getrusage(RUSAGE_CHILDREN, &all), 0);
	long allus = (all.ru_utime.tv_sec + all.ru_stime.tv_sec) * 1000000L + all.ru_utime.tv_usec + all.ru_stime.tv_usec;
	CHECKF(allus >= us, "RUSAGE_CHILDREN %ld us < the reaped child's %ld us", allus, us);

	/* waitid's fifth argument (the raw syscall) is a rusage too. */
	c = spawn();
	if (c == 0)
		_exit(12);
	CHECK(c > 0);
	siginfo_t si;
	memset(&ru, 0xff, sizeof(ru));
	CHECK_EQ(syscall(SYS_waitid, P_PID, c, &si, WEXITED, &ru), 0);
	CHECK_EQ(si.si_status, 12);
	CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
	CHECK(ru.ru_maxrss >= 0);
}

static void waitpid_many_any_order(void)
{
	enum { N = 6 };
	pid_t pids[N];
	int seen[N];
	for (int i = 0; i < N; i++) {
		pids[i] = spawn();
		if (pids[i] == 0) {
			msleep((N - i) * 7); /* finish in roughly reverse order */
			_exit(30 + i);
		}
		CHECK(pids[i] > 0);
		seen[i] = 0;
	}
	for (int k = 0; k < N; k++) {
		int st = -1;
		pid_t w = waitpid(-1, &st, 0);
		CHECKF(w > 0, "waitpid(-1) #%d: %d errno %s", k, (int)w, errname(errno));
		int i;
		for (i = 0; i < N; i++)
			if (pids[i] == w)
				break;
		CHECKF(i < N, "waitpid(-1) returned %d, not one of our children", (int)w);
		CHECKF(seen[i] == 0, "child %d reaped twice", (int)w);
		seen[i] = 1;
		CHECK_EQ(st, (30 + i) << 8);
	}
	CHECK_ERR(waitpid(-1, NULL, 0), ECHILD);
	nkids = 0;
}

/* A child made by raw clone(2) with the given exit signal and no stack (a fork). */
static pid_t clone_child(int exit_signal, int code)
{
	long r = syscall(SYS_clone, (long)exit_signal, 0, 0, 0, 0);
	if (r == 0)
		_exit(code);
	if (r > 0 && nkids < 16)
		kids[nkids++] = (pid_t)r;
	return (pid_t)r;
}

static void wclone_children(void)
{
	int st = -1;
	pid_t cl = clone_child(0, 13); /* no exit signal: a "clone" child */
	CHECK(cl > 0);
	pid_t fk = spawn();
	if (fk == 0)
		_exit(14);
	CHECK(fk > 0);
	/* Without __WCLONE (or __WALL) the clone child is not waitable, and the reverse. */
	CHECK_ERR(waitpid(cl, &st, 0), ECHILD);
	CHECK_ERR(waitpid(cl, &st, WNOHANG), ECHILD);
	CHECK_ERR(wait4(fk, &st, __WCLONE, NULL), ECHILD);
	CHECK_EQ(wait4(-1, &st, __WCLONE, NULL), cl);
	CHECK_EQ(st, 13 << 8);
	CHECK_ERR(wait4(-1, &st, __WCLONE | WNOHANG, NULL), ECHILD);
	CHECK_EQ(waitpid(-1, &st, 0), fk);
	CHECK_EQ(st, 14 << 8);

	/* __WALL sees both kinds; SIGUSR1 as exit signal (ignored here) also makes a clone child. */
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	CHECK_EQ(sigaction(SIGUSR1, &sa, &old), 0);
	cl = clone_child(SIGUSR1, 15);
	CHECK(cl > 0);
	fk = spawn();
	if (fk == 0)
		_exit(16);
	CHECK(fk > 0);
	CHECK_ERR(waitpid(cl, &st, 0), ECHILD);
	int got = 0;
	for (int k = 0; k < 2; k++) {
		pid_t w = wait4(-1, &st, __WALL, NULL);
		if (w == cl && st == 15 << 8)
			got |= 1;
		else if (w == fk && st == 16 << 8)
			got |= 2;
		else
			CHECKF(0, "wait4(-1, __WALL) returned %d status 0x%x (clone %d, fork %d)", (int)w, st, (int)cl, (int)fk);
	}
	CHECK_EQ(got, 3);
	CHECK_ERR(wait4(-1, &st, __WALL, NULL), ECHILD);
	CHECK_EQ(sigaction(SIGUSR1, &old, NULL), 0);
	/* waitid: the same rule. */
	cl = clone_child(0, 17);
	CHECK(cl > 0);
	siginfo_t si;
	CHECK_ERR(waitid(P_PID, cl, &si, WEXITED), ECHILD);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, cl, &si, WEXITED | __WCLONE), 0);
	CHECK_EQ(si.si_pid, cl);
	CHECK_EQ(si.si_status, 17);
	/* A clone child with exit signal 0 sends no signal: si_signo is still SIGCHLD for waitid. */
	CHECK_EQ(si.si_signo, SIGCHLD);
	nkids = 0;
}

static void bad_status_pointer(void)
{
	siginfo_t si;
	pid_t c = spawn();
	if (c == 0)
		_exit(8);
	CHECK(c > 0);
	CHECK_ERR(waitpid(c, (int *)BAD_LOW, 0), EFAULT);
	/* It was reaped all the same. */
	CHECK_ERR(waitpid(c, NULL, WNOHANG), ECHILD);
	CHECK_ERR(kill(c, 0), ESRCH);

	c = spawn();
	if (c == 0)
		_exit(9);
	CHECK(c > 0);
	CHECK_ERR(wait4(c, NULL, 0, (struct rusage *)BAD_HIGH), EFAULT);
	CHECK_ERR(waitpid(c, NULL, WNOHANG), ECHILD);

	c = spawn();
	if (c == 0)
		_exit(10);
	CHECK(c > 0);
	CHECK_ERR(waitid(P_PID, c, (siginfo_t *)BAD_LOW, WEXITED), EFAULT);
	CHECK_ERR(waitid(P_PID, c, &si, WEXITED | WNOHANG), ECHILD);

	/* A NULL status is fine. */
	c = spawn();
	if (c == 0)
		_exit(11);
	CHECK(c > 0);
	CHECK_EQ(waitpid(c, NULL, 0), c);
	nkids = 0;
}

static void wait_process_group(void)
{
	int p1[2], p2[2];
	int st = -1;
	CHECK_EQ(pipe(p1), 0);
	CHECK_EQ(pipe(p2), 0);
	pid_t a = blocked_child(p1, 1);
	CHECK(a > 0);
	pid_t b = blocked_child(p2, 2);
	CHECK(b > 0);
	close(p1[0]);
	close(p2[0]);
	CHECK_EQ(setpgid(a, a), 0);
	/* b (in our group) exits; a (in its own) is still alive. Each holds the other's pipe: write, not close. */
	CHECK_EQ(write(p2[1], "x", 1), 1);
	CHECK_EQ(waitpid(-a, &st, WNOHANG), 0);
	CHECK_EQ(waitpid(0, &st, 0), b); /* 0: our own group */
	CHECK_EQ(st, 2 << 8);
	CHECK_ERR(waitpid(0, &st, WNOHANG), ECHILD);
	siginfo_t si;
	memset(&si, 0x5a, sizeof(si));
	CHECK_EQ(waitid(P_PGID, a, &si, WEXITED | WNOHANG), 0);
	CHECK_EQ(si.si_pid, 0);
	CHECK_EQ(write(p1[1], "x", 1), 1);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PGID, a, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, a);
	CHECK_EQ(si.si_status, 1);
	close(p1[1]);
	close(p2[1]);
	nkids = 0;
}

int main(void)
{
	RUN(wait_no_children);
	reap_all();
	RUN(wait_not_a_child);
	reap_all();
	RUN(orphan_not_grandparents);
	reap_all();
	RUN(wnohang_while_alive);
	reap_all();
	RUN(zombie_in_proc);
	reap_all();
	RUN(waitid_wnowait_then_reap);
	reap_all();
	RUN(waitid_killed);
	reap_all();
	RUN(wait_option_errors);
	reap_all();
	RUN(wait4_rusage);
	reap_all();
	RUN(waitpid_many_any_order);
	reap_all();
	RUN(wclone_children);
	reap_all();
	RUN(bad_status_pointer);
	reap_all();
	RUN(wait_process_group);
	reap_all();
	DONE();
}
