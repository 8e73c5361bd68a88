/*
 * proc_fork.c: fork(2), vfork(2), clone(2)/clone3(2) flag errors, exit
 * statuses, copy-on-write memory, MAP_SHARED and madvise(MADV_DONTFORK,
 * MADV_WIPEONFORK) across fork, the open file descriptions a child shares,
 * reparenting to a child subreaper (prctl(2)), setsid(2), setpgid(2) and
 * kill(2) probes with signal 0.
 *
 * Children never print: they report through pipes (fixed-size records) or
 * their exit status, and end with _exit. The parent checks everything.
 * Every case reaps what it forked (on failure too: see reap_all).
 */
#include "check.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#endif

#define NPAGES 64

/* Every child a case forked, killed and reaped by reap_all() if the case gave up early. */
static pid_t kids[16];
static int nkids;

static pid_t spawn(void)
{
	pid_t p = fork();
	if (p > 0 && nkids < 16)
		kids[nkids++] = p;
	return p;
}

static void forget(pid_t p)
{
	for (int i = 0; i < nkids; i++)
		if (kids[i] == p)
			kids[i] = 0;
}

/* waitpid that retries on EINTR and forgets the child once reaped. */
static pid_t reap(pid_t p, int *st, int flags)
{
	pid_t r;
	do
		r = waitpid(p, st, flags);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		forget(r);
	return r;
}

static void reap_all(void)
{
	for (int i = 0; i < nkids; i++) {
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	}
	nkids = 0;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void msleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Reads exactly n bytes (0 on success, -1 on error or early EOF). */
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

static void write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		p += r;
		n -= (size_t)r;
	}
}

static void close2(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* A child's report: a few numbers. */
struct rec {
	long a, b, c, d;
};

static void send_rec(int fd, long a, long b, long c, long d)
{
	struct rec r = {a, b, c, d};
	write_full(fd, &r, sizeof(r));
}

static unsigned char pattern(long page, long off) { return (unsigned char)(page * 31 + off * 7 + 1); }

/* Bytes of [p, p+NPAGES pages) that differ from the pattern. */
static long pattern_mismatches(const unsigned char *p)
{
	long bad = 0;
	for (long pg = 0; pg < NPAGES; pg++)
		for (long i = 0; i < (long)PAGE; i++)
			if (p[pg * PAGE + i] != pattern(pg, i))
				bad++;
	return bad;
}

static long count_not(const unsigned char *p, size_t n, unsigned char v)
{
	long bad = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			bad++;
	return bad;
}

static void fork_exit_status(void)
{
	int st = -1;
	pid_t p = spawn();
	if (p == 0)
		_exit(42);
	CHECK(p > 0);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECKF(WIFEXITED(st), "status 0x%x is not an exit", st);
	CHECK_EQ(WEXITSTATUS(st), 42);
	CHECK_EQ(st, 42 << 8);

	/* Only the low 8 bits of the exit code survive. */
	p = spawn();
	if (p == 0)
		_exit(0x1234);
	CHECK(p > 0);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0x3400);

	p = spawn();
	if (p == 0)
		_exit(0);
	CHECK(p > 0);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
}

static void fork_returns_pids(void)
{
	int pp[2];
	struct rec r;
	int st = -1;
	CHECK_EQ(pipe(pp), 0);
	pid_t p = spawn();
	if (p == 0) {
		send_rec(pp[1], getpid(), getppid(), syscall(SYS_gettid), getpgrp());
		_exit(0);
	}
	close(pp[1]);
	CHECK(p > 0);
	CHECK(p != getpid());
	int rd = read_full(pp[0], &r, sizeof(r));
	close(pp[0]);
	CHECK_EQ(rd, 0);
	CHECK_EQ(r.a, p);       /* the child's getpid() is what fork returned */
	CHECK_EQ(r.b, getpid()); /* and its parent is us */
	CHECK_EQ(r.c, p);       /* its only thread's TID is its PID */
	CHECK_EQ(r.d, getpgrp()); /* it starts in our process group */
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
}

static void fork_killed_by_signal(void)
{
	static const int sigs[] = {SIGKILL, SIGTERM, SIGUSR1};
	for (int i = 0; i < 3; i++) {
		int st = -1;
		pid_t p = spawn();
		if (p == 0) {
			kill(getpid(), sigs[i]);
			for (;;)
				pause();
		}
		CHECK(p > 0);
		CHECK_EQ(reap(p, &st, 0), p);
		CHECKF(WIFSIGNALED(st), "signal %d: status 0x%x is not a death by signal", sigs[i], st);
		CHECK_EQ(WTERMSIG(st), sigs[i]);
		CHECK(!WIFEXITED(st));
		CHECK(!WIFSTOPPED(st));
	}
}

/* The child overwrites its copy; ours must not change. */
static void cow_child_writes(void)
{
	int pp[2];
	int st = -1;
	struct rec r;
	static unsigned char data_copy[3 * PAGE] = {1}; /* in .data */
	unsigned char *m = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	for (long pg = 0; pg < NPAGES; pg++)
		for (long i = 0; i < (long)PAGE; i++)
			m[pg * PAGE + i] = pattern(pg, i);
	memset(data_copy, 0x3c, sizeof(data_copy));
	unsigned char stack_copy[1000];
	memset(stack_copy, 0x5e, sizeof(stack_copy));
	CHECK_EQ(pipe(pp), 0);
	pid_t p = spawn();
	if (p == 0) {
		long before = pattern_mismatches(m);
		memset(m, 0xaa, NPAGES * PAGE);
		memset(data_copy, 0x11, sizeof(data_copy));
		memset(stack_copy, 0x22, sizeof(stack_copy));
		long after = count_not(m, NPAGES * PAGE, 0xaa);
		send_rec(pp[1], before, after, count_not(data_copy, sizeof(data_copy), 0x11),
			 count_not(stack_copy, sizeof(stack_copy), 0x22));
		_exit(0);
	}
	close(pp[1]);
	CHECK(p > 0);
	int rd = read_full(pp[0], &r, sizeof(r));
	close(pp[0]);
	CHECK_EQ(rd, 0);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
	CHECK_EQ(r.a, 0); /* the child saw our pattern */
	CHECK_EQ(r.b, 0); /* and then its own writes */
	CHECK_EQ(r.c, 0);
	CHECK_EQ(r.d, 0);
	CHECK_EQ(pattern_mismatches(m), 0); /* ours is unchanged */
	CHECK_EQ(count_not(data_copy, sizeof(data_copy), 0x3c), 0);
	CHECK_EQ(count_not(stack_copy, sizeof(stack_copy), 0x5e), 0);
	CHECK_EQ(munmap(m, NPAGES * PAGE), 0);
}

/* We write after the fork; the live child must still see the old values. */
static void cow_parent_writes(void)
{
	int go[2], res[2];
	int st = -1;
	struct rec r;
	unsigned char *m = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	/* Never touched before the fork: both sides start from zero pages. */
	unsigned char *fresh = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(fresh != MAP_FAILED);
	for (long pg = 0; pg < NPAGES; pg++)
		for (long i = 0; i < (long)PAGE; i++)
			m[pg * PAGE + i] = pattern(pg, i);
	CHECK_EQ(pipe(go), 0);
	CHECK_EQ(pipe(res), 0);
	pid_t p = spawn();
	if (p == 0) {
		char c;
		close(go[1]);
		if (read_full(go[0], &c, 1) != 0)
			_exit(3);
		send_rec(res[1], pattern_mismatches(m), count_not(fresh, 8 * PAGE, 0), 0, 0);
		/* Now the child writes too; the parent checks it does not see that. */
		memset(m, 0x99, PAGE);
		memset(fresh, 0x98, PAGE);
		if (read_full(go[0], &c, 1) != 0)
			_exit(4);
		send_rec(res[1], count_not(m, PAGE, 0x99), count_not(fresh, PAGE, 0x98), 0, 0);
		_exit(0);
	}
	close(go[0]);
	close(res[1]);
	CHECK(p > 0);
	memset(m, 0x55, NPAGES * PAGE);
	memset(fresh, 0x66, 8 * PAGE);
	write_full(go[1], "g", 1);
	int rd = read_full(res[0], &r, sizeof(r));
	if (rd == 0) {
		CHECK_EQ(count_not(m, NPAGES * PAGE, 0x55), 0);
		CHECK_EQ(count_not(fresh, 8 * PAGE, 0x66), 0);
		write_full(go[1], "g", 1);
	}
	close(go[1]);
	CHECK_EQ(rd, 0);
	CHECK_EQ(r.a, 0); /* the child still sees the pattern */
	CHECK_EQ(r.b, 0); /* and zeros where we wrote after the fork */
	rd = read_full(res[0], &r, sizeof(r));
	close(res[0]);
	CHECK_EQ(rd, 0);
	CHECK_EQ(r.a, 0);
	CHECK_EQ(r.b, 0);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
	CHECK_EQ(count_not(m, NPAGES * PAGE, 0x55), 0);
	CHECK_EQ(count_not(fresh, 8 * PAGE, 0x66), 0);
	CHECK_EQ(munmap(m, NPAGES * PAGE), 0);
	CHECK_EQ(munmap(fresh, 8 * PAGE), 0);
}

static void shared_anon_stays_shared(void)
{
	int go[2], res[2];
	int st = -1;
	struct rec r;
	volatile long *s = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED);
	s[0] = 1111;
	s[PAGE / sizeof(long)] = 0; /* second page */
	CHECK_EQ(pipe(go), 0);
	CHECK_EQ(pipe(res), 0);
	pid_t p = spawn();
	if (p == 0) {
		char c;
		long saw = s[0];
		s[0] = 2222;
		s[PAGE / sizeof(long) + 5] = 3333; /* a page the parent never touched after fork */
		send_rec(res[1], saw, 0, 0, 0);
		if (read_full(go[0], &c, 1) != 0)
			_exit(3);
		send_rec(res[1], s[0], s[1], 0, 0);
		_exit(0);
	}
	close(go[0]);
	close(res[1]);
	CHECK(p > 0);
	int rd = read_full(res[0], &r, sizeof(r));
	long v0 = s[0], v1 = s[PAGE / sizeof(long) + 5];
	s[0] = 4444;
	s[1] = 5555;
	write_full(go[1], "g", 1);
	close(go[1]);
	CHECK_EQ(rd, 0);
	CHECK_EQ(r.a, 1111); /* the child saw our value */
	CHECK_EQ(v0, 2222);  /* we see the child's writes */
	CHECK_EQ(v1, 3333);
	rd = read_full(res[0], &r, sizeof(r));
	close(res[0]);
	CHECK_EQ(rd, 0);
	CHECK_EQ(r.a, 4444); /* the child sees our writes made after the fork */
	CHECK_EQ(r.b, 5555);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
	CHECK_EQ(munmap((void *)s, 2 * PAGE), 0);
}

static void madv_dontfork(void)
{
	int pp[2], res[2];
	int st = -1;
	struct rec r;
	unsigned char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	memset(m, 0x42, 2 * PAGE);
	CHECK_EQ(madvise(m, PAGE, MADV_DONTFORK), 0); /* the first page only */
	CHECK_EQ(pipe(pp), 0);
	CHECK_EQ(pipe(res), 0);
	pid_t p = spawn();
	if (p == 0) {
		/* The kernel reading the missing page for write(2) gets EFAULT. */
		errno = 0;
		long w = syscall(SYS_write, pp[1], m, 16);
		long e = errno;
		errno = 0;
		long w2 = syscall(SYS_write, pp[1], m + PAGE, 16); /* the second page was copied */
		long e2 = errno;
		send_rec(res[1], w, e, w2, e2 == 0 ? m[PAGE + 7] : -e2);
		_exit(0);
	}
	close(pp[1]);
	close(res[1]);
	CHECK(p > 0);
	int rd = read_full(res[0], &r, sizeof(r));
	close(res[0]);
	char buf[64];
	ssize_t got = read(pp[0], buf, sizeof(buf)); /* only the second page's 16 bytes */
	close(pp[0]);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
	CHECK_EQ(rd, 0);
	CHECK_EQ(r.a, -1);
	CHECKF(r.b == EFAULT, "write from the MADV_DONTFORK page in the child: errno %s, expected EFAULT", errname((int)r.b));
	CHECK_EQ(r.c, 16);
	CHECK_EQ(r.d, 0x42);
	CHECK_EQ(got, 16);
	CHECK_EQ(count_not((unsigned char *)buf, 16, 0x42), 0);
	CHECK_EQ(count_not(m, 2 * PAGE, 0x42), 0); /* the parent keeps both pages */
	/* MADV_DOFORK undoes it. */
	CHECK_EQ(madvise(m, PAGE, MADV_DOFORK), 0);
	p = spawn();
	if (p == 0)
		_exit(count_not(m, 2 * PAGE, 0x42) == 0 ? 0 : 1);
	CHECK(p > 0);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
	CHECK_EQ(munmap(m, 2 * PAGE), 0);
}

static void madv_wipeonfork(void)
{
	int res[2];
	int st = -1;
	struct rec r;
	unsigned char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	memset(m, 0x77, 4 * PAGE);
	CHECK_EQ(madvise(m, 2 * PAGE, MADV_WIPEONFORK), 0);
	/* Only private anonymous memory can be wiped. */
	void *sh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sh != MAP_FAILED);
	CHECK_ERR(madvise(sh, PAGE, MADV_WIPEONFORK), EINVAL);
	CHECK_EQ(munmap(sh, PAGE), 0);
	CHECK_EQ(pipe(res), 0);
	pid_t p = spawn();
	if (p == 0) {
		long z = count_not(m, 2 * PAGE, 0);
		long kept = count_not(m + 2 * PAGE, 2 * PAGE, 0x77);
		m[0] = 1; /* still mapped and writable */
		send_rec(res[1], z, kept, m[0], 0);
		_exit(0);
	}
	close(res[1]);
	CHECK(p > 0);
	int rd = read_full(res[0], &r, sizeof(r));
	close(res[0]);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
	CHECK_EQ(rd, 0);
	CHECK_EQ(r.a, 0); /* the child reads zeros in the wiped range */
	CHECK_EQ(r.b, 0); /* and a copy past it */
	CHECK_EQ(r.c, 1);
	CHECK_EQ(count_not(m, 4 * PAGE, 0x77), 0); /* ours is untouched */
	/* MADV_KEEPONFORK undoes it. */
	CHECK_EQ(madvise(m, 2 * PAGE, MADV_KEEPONFORK), 0);
	p = spawn();
	if (p == 0)
		_exit(count_not(m, 4 * PAGE, 0x77) == 0 ? 0 : 1);
	CHECK(p > 0);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
	CHECK_EQ(munmap(m, 4 * PAGE), 0);
}

/* A child's descriptors share our open file descriptions (offset, status flags), not the fd flags. */
static void fd_shared_description(void)
{
	char path[64];
	int pp[2];
	int st = -1;
	snprintf(path, sizeof(path), "/tmp/proc_fork.%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	unlink(path);
	char buf[100];
	for (int i = 0; i < 100; i++)
		buf[i] = (char)i;
	CHECK_EQ(write(fd, buf, 100), 100);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(pipe(pp), 0);
	pid_t p = spawn();
	if (p == 0) {
		int bad = 0;
		if (lseek(fd, 37, SEEK_SET) != 37)
			bad |= 1;
		char c;
		if (read(fd, &c, 1) != 1 || c != 37)
			bad |= 2;
		if (fcntl(pp[0], F_SETFL, O_NONBLOCK) != 0) /* a status flag: shared */
			bad |= 4;
		if (fcntl(pp[1], F_SETFD, FD_CLOEXEC) != 0) /* a descriptor flag: ours only */
			bad |= 8;
		close(fd); /* closing our descriptor leaves the parent's */
		_exit(bad);
	}
	CHECK(p > 0);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 38); /* the child's lseek and read moved our offset */
	char c = 0;
	CHECK_EQ(read(fd, &c, 1), 1);
	CHECK_EQ(c, 38);
	CHECK_EQ(fcntl(pp[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_EQ(fcntl(pp[1], F_GETFD), 0);
	CHECK_ERR(read(pp[0], &c, 1), EAGAIN);
	close2(pp);
	CHECK_EQ(close(fd), 0);
}

static volatile int vfork_value;
static volatile pid_t vfork_child_pid, vfork_child_ppid;

static void vfork_shares_memory(void)
{
	int st = -1;
	vfork_value = 0;
	vfork_child_pid = 0;
	vfork_child_ppid = 0;
	pid_t p = vfork();
	if (p == 0) {
		/* The parent is suspended until we _exit: nothing else can set these. */
		struct timespec ts = {0, 50 * 1000000L};
		syscall(SYS_nanosleep, &ts, NULL);
		vfork_child_pid = (pid_t)syscall(SYS_getpid);
		vfork_child_ppid = (pid_t)syscall(SYS_getppid);
		vfork_value = 1234;
		_exit(9);
	}
	CHECK(p > 0);
	CHECK_EQ(vfork_value, 1234);
	CHECK_EQ(vfork_child_pid, p);
	CHECK_EQ(vfork_child_ppid, getpid());
	CHECK_EQ(waitpid(p, &st, 0), p);
	CHECK_EQ(st, 9 << 8);
}

/* The raw clone(2) rules on flags (no child is made on these). */
static void clone_flag_errors(void)
{
	long r;
	errno = 0;
	r = syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, 0);
	CHECKF(r == -1 && errno == EINVAL, "clone(CLONE_SIGHAND without CLONE_VM): %ld errno %s, expected EINVAL", r, errname(errno));
	errno = 0;
	r = syscall(SYS_clone, CLONE_THREAD | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, __WALL);
	CHECKF(r == -1 && errno == EINVAL, "clone(CLONE_THREAD without CLONE_SIGHAND): %ld errno %s, expected EINVAL", r, errname(errno));
	errno = 0;
	r = syscall(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, 0);
	CHECKF(r == -1 && errno == EINVAL, "clone(CLONE_NEWNS|CLONE_FS): %ld errno %s, expected EINVAL", r, errname(errno));
	int ptid = 0;
	errno = 0;
	r = syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &ptid, 0, 0);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, 0);
	CHECKF(r == -1 && errno == EINVAL, "clone(CLONE_PIDFD|CLONE_PARENT_SETTID): %ld errno %s, expected EINVAL", r, errname(errno));
}

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static void clone3_size_errors(void)
{
	static char big[8192];
	struct clone_args_v0 *ca = (struct clone_args_v0 *)big;
	memset(big, 0, sizeof(big));
	ca->exit_signal = SIGCHLD;
	long r;
	errno = 0;
	r = syscall(SYS_clone3, big, 32); /* below CLONE_ARGS_SIZE_VER0 (64) */
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, 0);
	CHECKF(r == -1 && errno == EINVAL, "clone3(size 32): %ld errno %s, expected EINVAL", r, errname(errno));
	errno = 0;
	r = syscall(SYS_clone3, big, 0);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, 0);
	CHECKF(r == -1 && errno == EINVAL, "clone3(size 0): %ld errno %s, expected EINVAL", r, errname(errno));
	errno = 0;
	r = syscall(SYS_clone3, big, 8192); /* over a page */
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, 0);
	CHECKF(r == -1 && errno == E2BIG, "clone3(size 8192): %ld errno %s, expected E2BIG", r, errname(errno));
	/* An exit signal past the last signal. */
	ca->exit_signal = 65;
	errno = 0;
	r = syscall(SYS_clone3, big, 64);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, __WALL);
	CHECKF(r == -1 && errno == EINVAL, "clone3(exit_signal 65): %ld errno %s, expected EINVAL", r, errname(errno));
	/* The args themselves unreadable. */
	errno = 0;
	r = syscall(SYS_clone3, BAD_LOW, 64);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, __WALL);
	CHECKF(r == -1 && errno == EFAULT, "clone3(bad pointer): %ld errno %s, expected EFAULT", r, errname(errno));
}

/* A working clone3: a plain fork with its exit signal and CLONE_PARENT_SETTID. */
static void clone3_fork(void)
{
	struct clone_args_v0 ca;
	int ptid = -1;
	int st = -1;
	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	ca.flags = CLONE_PARENT_SETTID;
	ca.parent_tid = (uint64_t)(uintptr_t)&ptid;
	long r = syscall(SYS_clone3, &ca, sizeof(ca));
	if (r == 0)
		_exit(ptid == -1 ? 1 : 2); /* the child's copy was made before the parent's was set */
	CHECK(r > 0);
	CHECK_EQ(ptid, r);
	CHECK_EQ(waitpid(r, &st, 0), r);
	CHECK_EQ(st, 1 << 8);
}

/*
 * Runs in a middle process M (under tsvisor the test program is init, which
 * gets orphans anyway): M becomes a child subreaper, forks A, A forks G and
 * exits; G must be reparented to M, which reaps it. M reports through a pipe.
 */
static void subreaper_middle(int out)
{
	int pp[2], res[2];
	int st = -1, v = -1;
	struct rec r;
	long rep[8] = {0};
	rep[0] = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
	rep[1] = v;
	if (pipe(pp) != 0 || pipe(res) != 0)
		_exit(2);
	pid_t me = getpid();
	pid_t a = fork();
	if (a == 0) {
		int ready[2];
		char c;
		int cv = -1;
		/* The attribute is not inherited. */
		prctl(PR_GET_CHILD_SUBREAPER, &cv, 0, 0, 0);
		if (pipe(ready) != 0)
			_exit(2);
		pid_t g = fork();
		if (g == 0) {
			pid_t mid = getppid(); /* our parent waits for this byte before it exits */
			write_full(ready[1], "r", 1);
			/* Wait (up to 10 s) for our parent to die and us to move to the subreaper. */
			for (int i = 0; i < 2000 && getppid() == mid; i++)
				msleep(5);
			send_rec(res[1], getppid(), mid, 0, 0);
			_exit(7);
		}
		if (g > 0 && read_full(ready[0], &c, 1) != 0)
			_exit(3);
		send_rec(pp[1], g, cv, 0, 0);
		_exit(g > 0 ? 0 : 1);
	}
	close(pp[1]);
	close(res[1]);
	int rd = read_full(pp[0], &r, sizeof(r));
	pid_t g = rd == 0 ? (pid_t)r.a : -1;
	rep[2] = rd == 0 ? r.b : -99; /* A's PR_GET_CHILD_SUBREAPER */
	rep[3] = waitpid(a, &st, 0) == a ? st : -1;
	rd = read_full(res[0], &r, sizeof(r));
	rep[4] = rd == 0 && r.a == me;  /* G's new parent is M */
	rep[5] = rd == 0 && r.b == a;   /* and its first was A */
	rep[6] = g > 0 && waitpid(g, &st, 0) == g ? st : -1;
	rep[7] = g;
	write_full(out, rep, sizeof(rep));
	_exit(0);
}

static void subreaper_reparents_orphans(void)
{
	int p[2];
	int st = -1;
	long rep[8];
	CHECK_EQ(pipe(p), 0);
	pid_t m = spawn();
	if (m == 0) {
		close(p[0]);
		subreaper_middle(p[1]);
	}
	close(p[1]);
	CHECK(m > 0);
	int rd = read_full(p[0], rep, sizeof(rep));
	close(p[0]);
	CHECK_EQ(reap(m, &st, 0), m);
	CHECK_EQ(st, 0);
	CHECK_EQ(rd, 0);
	CHECK_EQ(rep[0], 0); /* PR_SET_CHILD_SUBREAPER */
	CHECK_EQ(rep[1], 1); /* PR_GET_CHILD_SUBREAPER */
	CHECK_EQ(rep[2], 0); /* not inherited by a child */
	CHECK_EQ(rep[3], 0); /* A exited 0 */
	CHECK(rep[7] > 0);
	CHECKF(rep[5] == 1, "the grandchild's first parent was not A");
	CHECKF(rep[4] == 1, "the orphaned grandchild was not reparented to the subreaper");
	CHECK_EQ(rep[6], 7 << 8); /* the subreaper reaped it */
	/* And in this process the attribute was never set. */
	int v = -1;
	CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0), 0);
	CHECK_EQ(v, 0);
}

static void setsid_in_child(void)
{
	int go[2], res[2];
	int st = -1;
	struct rec r, r2;
	CHECK_EQ(pipe(go), 0);
	CHECK_EQ(pipe(res), 0);
	pid_t p = spawn();
	if (p == 0) {
		char c;
		errno = 0;
		long s = setsid();
		long e = errno;
		send_rec(res[1], s, e, getsid(0), getpgrp());
		errno = 0;
		long s2 = setsid(); /* a session leader is a group leader: EPERM */
		send_rec(res[1], s2, errno, getsid(getppid()), getpgid(0));
		if (read_full(go[0], &c, 1) != 0)
			_exit(3);
		_exit(0);
	}
	close(go[0]);
	close(res[1]);
	CHECK(p > 0);
	int rd = read_full(res[0], &r, sizeof(r));
	int rd2 = read_full(res[0], &r2, sizeof(r2));
	close(res[0]);
	pid_t mysid = getsid(0);
	/* While the child lives in its own session: its sid, and setpgid on it is refused. */
	errno = 0;
	long theirs = getsid(p);
	long theirs_e = errno;
	errno = 0;
	long sp = setpgid(p, p);
	long sp_e = errno;
	errno = 0;
	long sp2 = setpgid(p, getpgrp());
	long sp2_e = errno;
	write_full(go[1], "g", 1);
	close(go[1]);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
	CHECK_EQ(rd, 0);
	CHECK_EQ(rd2, 0);
	CHECK_EQ(r.a, p); /* setsid returns the new session's id: the caller's pid */
	CHECK_EQ(r.b, 0);
	CHECK_EQ(r.c, p); /* getsid(0) */
	CHECK_EQ(r.d, p); /* and it leads a new process group */
	CHECK_EQ(r2.a, -1);
	CHECKF(r2.b == EPERM, "second setsid: errno %s, expected EPERM", errname((int)r2.b));
	CHECK_EQ(r2.c, mysid); /* the parent's session is unchanged */
	CHECK_EQ(r2.d, p);
	CHECK_EQ(theirs, p);
	CHECK_EQ(theirs_e, 0);
	CHECK_EQ(sp, -1); /* a session leader */
	CHECK_EQ(sp_e, EPERM);
	CHECK_EQ(sp2, -1); /* a child in another session */
	CHECK_EQ(sp2_e, EPERM);
	CHECK(mysid > 0);
	CHECK_EQ(getsid(0), mysid);
}

static void setpgid_rules(void)
{
	int go[2], res[2];
	int st = -1;
	struct rec r;
	CHECK_ERR(setpgid(0, -1), EINVAL);
	CHECK_ERR(setpgid(-1, 0), EINVAL);
	CHECK_EQ(pipe(go), 0);
	CHECK_EQ(pipe(res), 0);
	pid_t p = spawn();
	if (p == 0) {
		char c;
		close(go[1]);
		pid_t g = fork(); /* a grandchild, for the parent's ESRCH */
		if (g == 0) {
			read_full(go[0], &c, 1);
			_exit(0);
		}
		send_rec(res[1], g, 0, 0, 0);
		if (read_full(go[0], &c, 1) != 0)
			_exit(3);
		waitpid(g, NULL, 0);
		send_rec(res[1], getpgrp(), getpgid(0), 0, 0);
		_exit(5);
	}
	close(go[0]);
	close(res[1]);
	CHECK(p > 0);
	int rd = read_full(res[0], &r, sizeof(r));
	pid_t g = (pid_t)r.a;
	pid_t pg = getpgrp();
	errno = 0;
	long e1 = setpgid(p, p) == 0 ? 0 : errno;          /* into a group of its own */
	long gp = getpgid(p);
	errno = 0;
	long wn = waitpid(-p, &st, WNOHANG); /* the group has a live child: 0 */
	errno = 0;
	long e2 = setpgid(g, g) == 0 ? 0 : errno;           /* a grandchild is not ours: ESRCH */
	errno = 0;
	long e3 = setpgid(p, 0x3fffff00) == 0 ? 0 : errno;  /* no such group in our session: EPERM */
	errno = 0;
	long e4 = setpgid(p, pg) == 0 ? 0 : errno;          /* back into ours, and out again */
	long gp2 = getpgid(p);
	errno = 0;
	long e5 = setpgid(p, 0) == 0 ? 0 : errno;           /* 0: its own pid */
	write_full(go[1], "gg", 2);
	close(go[1]);
	int rd2 = read_full(res[0], &r, sizeof(r));
	close(res[0]);
	pid_t w = reap(-p, &st, 0); /* reaped through its process group */
	CHECK_EQ(rd, 0);
	CHECK(g > 0);
	CHECK_EQ(e1, 0);
	CHECK_EQ(gp, p);
	CHECK_EQ(wn, 0);
	CHECKF(e2 == ESRCH, "setpgid(grandchild): %s, expected ESRCH", errname((int)e2));
	CHECKF(e3 == EPERM, "setpgid(child, unknown group): %s, expected EPERM", errname((int)e3));
	CHECK_EQ(e4, 0);
	CHECK_EQ(gp2, pg);
	CHECK_EQ(e5, 0);
	CHECK_EQ(rd2, 0);
	CHECK_EQ(r.a, p); /* the child sees the group we put it in */
	CHECK_EQ(r.b, p);
	CHECK_EQ(w, p);
	CHECK_EQ(st, 5 << 8);
	CHECK_ERR(waitpid(-p, &st, WNOHANG), ECHILD);
	CHECK_EQ(getpgrp(), pg);
	CHECK_EQ(getpgid(0), pg);
	CHECK_ERR(getpgid(p), ESRCH);
	CHECK_ERR(setpgid(p, p), ESRCH); /* reaped */
}

static void kill_zero_probes(void)
{
	int go[2];
	int st = -1;
	siginfo_t si;
	CHECK_EQ(pipe(go), 0);
	pid_t p = spawn();
	if (p == 0) {
		char c;
		close(go[1]);
		read_full(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	CHECK(p > 0);
	CHECK_EQ(kill(p, 0), 0); /* alive */
	CHECK_EQ(kill(-getpgrp(), 0), 0);
	write_full(go[1], "g", 1);
	close(go[1]);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, p, &si, WEXITED | WNOWAIT), 0); /* now a zombie, not reaped */
	CHECK_EQ(si.si_pid, p);
	CHECK_EQ(kill(p, 0), 0); /* a zombie still exists */
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 0);
	CHECK_ERR(kill(p, 0), ESRCH); /* gone */
	CHECK_ERR(kill(0x3fffff00, 0), ESRCH);
	CHECK_ERR(kill(getpid(), 65), EINVAL);
	CHECK_EQ(kill(getpid(), 0), 0);
}

static void fork_many_sequential(void)
{
	/* Fork and reap 50 children one after another; each reports its index. */
	for (int i = 0; i < 50; i++) {
		int st = -1;
		pid_t p = spawn();
		if (p == 0)
			_exit(i);
		CHECK(p > 0);
		CHECK_EQ(reap(p, &st, 0), p);
		CHECK_EQ(st, i << 8);
		nkids = 0;
	}
}

static void fork_in_child(void)
{
	/* A grandchild's status goes to its parent, which reports it through its own. */
	int st = -1;
	pid_t p = spawn();
	if (p == 0) {
		int s2 = -1;
		pid_t g = fork();
		if (g == 0)
			_exit(21);
		if (g < 0 || waitpid(g, &s2, 0) != g)
			_exit(1);
		if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
			_exit(2);
		_exit(WIFEXITED(s2) ? WEXITSTATUS(s2) + 1 : 3);
	}
	CHECK(p > 0);
	CHECK_EQ(reap(p, &st, 0), p);
	CHECK_EQ(st, 22 << 8);
}

int main(void)
{
	RUN(fork_exit_status);
	reap_all();
	RUN(fork_returns_pids);
	reap_all();
	RUN(fork_killed_by_signal);
	reap_all();
	RUN(cow_child_writes);
	reap_all();
	RUN(cow_parent_writes);
	reap_all();
	RUN(shared_anon_stays_shared);
	reap_all();
	RUN(madv_dontfork);
	reap_all();
	RUN(madv_wipeonfork);
	reap_all();
	RUN(fd_shared_description);
	reap_all();
	RUN(vfork_shares_memory);
	reap_all();
	RUN(clone_flag_errors);
	reap_all();
	RUN(clone3_size_errors);
	reap_all();
	RUN(clone3_fork);
	reap_all();
	RUN(subreaper_reparents_orphans);
	reap_all();
	RUN(setsid_in_child);
	reap_all();
	RUN(setpgid_rules);
	reap_all();
	RUN(kill_zero_probes);
	reap_all();
	RUN(fork_many_sequential);
	reap_all();
	RUN(fork_in_child);
	reap_all();
	DONE();
}
