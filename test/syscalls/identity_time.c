/*
 * identity_time.c: process identity, clocks and sleeps, limits, scheduling,
 * arch_prctl, set_tid_address, ioctl on a non-tty, readlink of
 * /proc/self/exe, rt_sigaction/rt_sigprocmask bookkeeping, ENOSYS.
 *
 * stdout and stderr must not be terminals (the harness makes them pipes).
 * Holds for root and non-root callers: where the two differ, it branches on
 * geteuid().
 */
#include "check.h"

#include <asm/prctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>

static const char *prog_name = "identity_time";

/* struct sigaction as the kernel takes it (rt_sigaction, sigsetsize 8). */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};
#define KSA_RESTORER 0x04000000UL

static long long ts_ns(const struct timespec *t) { return (long long)t->tv_sec * 1000000000LL + t->tv_nsec; }

static long rclock_gettime(long clk, struct timespec *t) { return syscall(SYS_clock_gettime, clk, t); }

static long long now_ns(long clk)
{
	struct timespec t;
	if (rclock_gettime(clk, &t) != 0)
		return -1;
	return ts_ns(&t);
}

static void getpid_gettid_single_thread(void)
{
	long pid = syscall(SYS_getpid), tid = syscall(SYS_gettid);
	CHECK(pid > 0);
	CHECK_EQ(tid, pid);
	CHECK_EQ(getpid(), pid);
	CHECK_EQ(syscall(SYS_getpid), pid); /* stable */
}

static void getppid_sane(void)
{
	long ppid = syscall(SYS_getppid);
	long pid = syscall(SYS_getpid);
	CHECK(ppid >= 0);
	CHECK(ppid != pid);
	/* init of a PID namespace (the sandbox's first process) has no parent in it */
	if (pid == 1)
		CHECK_EQ(ppid, 0);
	else
		CHECK(ppid > 0);
}

static void ids_consistent(void)
{
	long uid = syscall(SYS_getuid), euid = syscall(SYS_geteuid);
	long gid = syscall(SYS_getgid), egid = syscall(SYS_getegid);
	CHECK(uid >= 0 && gid >= 0);
	CHECK_EQ(euid, uid); /* not a set-id program */
	CHECK_EQ(egid, gid);
	CHECK_EQ(getuid(), uid);
	CHECK_EQ(getegid(), egid);
}

static void getgroups_semantics(void)
{
	gid_t groups[65536];
	long n = syscall(SYS_getgroups, 0, NULL);
	CHECK(n >= 0 && n <= 65536);
	CHECK_EQ(syscall(SYS_getgroups, 65536, groups), n);
	CHECK_ERR(syscall(SYS_getgroups, -1, groups), EINVAL);
	if (n > 0) {
		CHECK_ERR(syscall(SYS_getgroups, n - 1, groups), EINVAL); /* too small */
		CHECK_ERR(syscall(SYS_getgroups, n, BAD_LOW), EFAULT);
	} else {
		CHECK_EQ(syscall(SYS_getgroups, 1, BAD_LOW), 0); /* nothing to copy */
	}
}

static void uname_fields(void)
{
	struct utsname u;
	memset(&u, 0x7f, sizeof(u));
	CHECK_EQ(syscall(SYS_uname, &u), 0);
	CHECKF(strcmp(u.sysname, "Linux") == 0, "sysname %.64s", u.sysname);
	CHECK(strnlen(u.nodename, sizeof(u.nodename)) > 0 && strnlen(u.nodename, sizeof(u.nodename)) < sizeof(u.nodename));
	CHECK(strnlen(u.release, sizeof(u.release)) > 0 && strnlen(u.release, sizeof(u.release)) < sizeof(u.release));
	CHECK(strnlen(u.version, sizeof(u.version)) > 0 && strnlen(u.version, sizeof(u.version)) < sizeof(u.version));
	CHECKF(strcmp(u.machine, "x86_64") == 0, "machine %.64s", u.machine);
	CHECK(strnlen(u.domainname, sizeof(u.domainname)) < sizeof(u.domainname));
	CHECKF(u.release[0] >= '1' && u.release[0] <= '9', "release %.64s", u.release);
	CHECK_ERR(syscall(SYS_uname, BAD_NULL), EFAULT);
	CHECK_ERR(syscall(SYS_uname, BAD_HIGH), EFAULT);
}

static void clock_gettime_clocks(void)
{
	static const struct { long id; const char *name; } clocks[] = {
		{CLOCK_REALTIME, "REALTIME"},
		{CLOCK_MONOTONIC, "MONOTONIC"},
		{CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID"},
		{CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID"},
		{CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW"},
		{CLOCK_REALTIME_COARSE, "REALTIME_COARSE"},
		{CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE"},
		{CLOCK_BOOTTIME, "BOOTTIME"},
	};
	for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec a, b, c;
		CHECKF(rclock_gettime(clocks[i].id, &a) == 0, "clock_gettime(%s): errno %s", clocks[i].name, errname(errno));
		CHECKF(clock_gettime((clockid_t)clocks[i].id, &b) == 0, "libc clock_gettime(%s)", clocks[i].name);
		CHECKF(rclock_gettime(clocks[i].id, &c) == 0, "clock_gettime(%s)", clocks[i].name);
		CHECKF(a.tv_nsec >= 0 && a.tv_nsec < 1000000000 && a.tv_sec >= 0, "%s: %lld.%09ld", clocks[i].name,
		       (long long)a.tv_sec, a.tv_nsec);
		CHECKF(ts_ns(&a) <= ts_ns(&b) && ts_ns(&b) <= ts_ns(&c), "%s went backwards: %lld %lld %lld",
		       clocks[i].name, ts_ns(&a), ts_ns(&b), ts_ns(&c));
	}
}

static void clock_relations(void)
{
	long long rt = now_ns(CLOCK_REALTIME) / 1000000000LL;
	CHECKF(rt > 1577836800LL && rt < 4102444800LL, "REALTIME %lld s is not between 2020 and 2100", rt);
	/* BOOTTIME counts suspend too: never behind MONOTONIC */
	long long mono = now_ns(CLOCK_MONOTONIC), boot = now_ns(CLOCK_BOOTTIME);
	CHECKF(boot >= mono, "BOOTTIME %lld < MONOTONIC %lld", boot, mono);
	CHECK(mono > 0);
	/* coarse clocks lag their fine clock by at most a tick or so */
	long long fine = now_ns(CLOCK_REALTIME), coarse = now_ns(CLOCK_REALTIME_COARSE);
	CHECKF(coarse <= fine + 1000000 && fine - coarse < 100000000LL, "REALTIME %lld vs COARSE %lld", fine, coarse);
	fine = now_ns(CLOCK_MONOTONIC);
	coarse = now_ns(CLOCK_MONOTONIC_COARSE);
	CHECKF(coarse <= fine + 1000000 && fine - coarse < 100000000LL, "MONOTONIC %lld vs COARSE %lld", fine, coarse);
	/* MONOTONIC_RAW tracks MONOTONIC (no slewing beyond a tiny fraction) */
	long long raw = now_ns(CLOCK_MONOTONIC_RAW);
	CHECK(raw > 0);
}

static void cputime_advances(void)
{
	long long p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	long long start = now_ns(CLOCK_MONOTONIC);
	volatile unsigned long x = 0;
	while (now_ns(CLOCK_MONOTONIC) - start < 50000000LL)
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
	long long p1 = now_ns(CLOCK_PROCESS_CPUTIME_ID), t1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	long long wall = now_ns(CLOCK_MONOTONIC) - start;
	CHECKF(p1 > p0, "process CPU time did not advance over a 50 ms busy loop: %lld -> %lld", p0, p1);
	CHECKF(t1 > t0, "thread CPU time did not advance over a 50 ms busy loop: %lld -> %lld", t0, t1);
	CHECKF(p1 - p0 <= wall + 20000000LL, "one thread used %lld ns of CPU in %lld ns", p1 - p0, wall);
}

static void clock_gettime_errors(void)
{
	struct timespec t;
	CHECK_ERR(rclock_gettime(12345, &t), EINVAL);
	CHECK_ERR(rclock_gettime(16, &t), EINVAL);
	CHECK_ERR(rclock_gettime(0x7fffffff, &t), EINVAL);
	CHECK_ERR(rclock_gettime(-1, &t), EINVAL);
	CHECK_ERR(rclock_gettime(CLOCK_REALTIME, BAD_NULL), EFAULT);
	CHECK_ERR(rclock_gettime(CLOCK_MONOTONIC, BAD_LOW), EFAULT);
	CHECK_ERR(rclock_gettime(CLOCK_MONOTONIC, BAD_HIGH), EFAULT);
}

static void clock_getres_values(void)
{
	static const long ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW,
				   CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
				   CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE};
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct timespec r = {-1, -1};
		CHECKF(syscall(SYS_clock_getres, ids[i], &r) == 0, "clock_getres(%ld): %s", ids[i], errname(errno));
		CHECKF(r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 10000000, "clock %ld resolution %lld.%09ld",
		       ids[i], (long long)r.tv_sec, r.tv_nsec);
		CHECKF(syscall(SYS_clock_getres, ids[i], NULL) == 0, "clock_getres(%ld, NULL)", ids[i]);
	}
	struct timespec r;
	CHECK_ERR(syscall(SYS_clock_getres, 12345, &r), EINVAL);
	CHECK_ERR(syscall(SYS_clock_getres, 12345, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_clock_getres, CLOCK_MONOTONIC, BAD_LOW), EFAULT);
}

static void gettimeofday_semantics(void)
{
	struct timeval tv;
	struct timezone tz;
	CHECK_EQ(syscall(SYS_gettimeofday, &tv, NULL), 0);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	long long rt = now_ns(CLOCK_REALTIME);
	long long g = (long long)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
	CHECKF(g <= rt && rt - g < 1000000000LL, "gettimeofday %lld vs REALTIME %lld", g, rt);
	CHECK_EQ(syscall(SYS_gettimeofday, NULL, NULL), 0);
	CHECK_EQ(syscall(SYS_gettimeofday, &tv, &tz), 0);
	CHECK_ERR(syscall(SYS_gettimeofday, BAD_LOW, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_gettimeofday, NULL, BAD_LOW), EFAULT);
}

static void time_semantics(void)
{
	long long before = now_ns(CLOCK_REALTIME) / 1000000000LL;
	long t1 = syscall(SYS_time, NULL);
	time_t stored = 0;
	long t2 = syscall(SYS_time, &stored);
	long long after = now_ns(CLOCK_REALTIME) / 1000000000LL;
	CHECKF(t1 >= before && t1 <= after, "time() %ld outside [%lld, %lld]", t1, before, after);
	CHECK_EQ(stored, t2);
	CHECK(t2 >= t1 && t2 <= after);
	CHECK_ERR(syscall(SYS_time, BAD_LOW), EFAULT);
	CHECK_EQ(time(NULL) >= t1, 1);
}

static void nanosleep_duration(void)
{
	struct timespec req = {0, 10000000}, rem = {-1, -1};
	long long start = now_ns(CLOCK_MONOTONIC);
	CHECK_EQ(syscall(SYS_nanosleep, &req, &rem), 0);
	long long slept = now_ns(CLOCK_MONOTONIC) - start;
	CHECKF(slept >= 10000000LL, "nanosleep(10ms) returned after %lld ns", slept);
	CHECKF(slept < 5000000000LL, "nanosleep(10ms) took %lld ns", slept);
	req.tv_nsec = 0;
	CHECK_EQ(syscall(SYS_nanosleep, &req, NULL), 0);
	/* rem is only written when interrupted */
	req.tv_nsec = 1;
	CHECK_EQ(syscall(SYS_nanosleep, &req, BAD_LOW), 0);
}

static void nanosleep_errors(void)
{
	struct timespec req = {0, 1000000000};
	CHECK_ERR(syscall(SYS_nanosleep, &req, NULL), EINVAL);
	req.tv_nsec = -1;
	CHECK_ERR(syscall(SYS_nanosleep, &req, NULL), EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	CHECK_ERR(syscall(SYS_nanosleep, &req, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_nanosleep, BAD_NULL, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_nanosleep, BAD_HIGH, NULL), EFAULT);
}

static void clock_nanosleep_abstime(void)
{
	struct timespec t;
	long long target = now_ns(CLOCK_MONOTONIC) + 20000000LL;
	t.tv_sec = target / 1000000000LL;
	t.tv_nsec = target % 1000000000LL;
	CHECK_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL), 0);
	long long now = now_ns(CLOCK_MONOTONIC);
	CHECKF(now >= target, "woke %lld ns before the deadline", target - now);
	/* a deadline in the past returns at once */
	t.tv_sec = 0;
	t.tv_nsec = 1;
	long long start = now_ns(CLOCK_MONOTONIC);
	CHECK_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL), 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - start < 1000000000LL);
	/* REALTIME absolute */
	target = now_ns(CLOCK_REALTIME) + 10000000LL;
	t.tv_sec = target / 1000000000LL;
	t.tv_nsec = target % 1000000000LL;
	CHECK_EQ(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &t, NULL), 0);
	CHECK(now_ns(CLOCK_REALTIME) >= target);
	/* relative */
	t.tv_sec = 0;
	t.tv_nsec = 10000000;
	start = now_ns(CLOCK_MONOTONIC);
	CHECK_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &t, NULL), 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - start >= 10000000LL);
	t.tv_nsec = 1000;
	CHECK_EQ(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &t, NULL), 0);
}

static void clock_nanosleep_errors(void)
{
	struct timespec t = {0, 1000000000};
	CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &t, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL), EINVAL);
	t.tv_nsec = -1;
	CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &t, NULL), EINVAL);
	t.tv_nsec = 1000;
	CHECK_ERR(syscall(SYS_clock_nanosleep, 12345, 0, &t, NULL), EINVAL);
	/* no sleeping on a thread CPU clock: EINVAL before Linux 4.x, EOPNOTSUPP (ENOTSUP) since */
	CHECK_ERR2(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &t, NULL), EOPNOTSUPP, EINVAL);
	CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD_NULL, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD_LOW, NULL), EFAULT);
}

static void sysinfo_fields(void)
{
	struct sysinfo si;
	memset(&si, 0xff, sizeof(si));
	CHECK_EQ(syscall(SYS_sysinfo, &si), 0);
	CHECK(si.uptime >= 0); /* a sandbox that just booted may say 0 */
	CHECK(si.mem_unit >= 1);
	CHECK(si.totalram > 0);
	CHECK(si.freeram <= si.totalram);
	CHECK(si.sharedram <= si.totalram);
	CHECK(si.bufferram <= si.totalram);
	CHECK(si.freeswap <= si.totalswap);
	CHECK(si.procs >= 1);
	CHECK((unsigned long long)si.totalram * si.mem_unit >= 16ULL << 20);
	/* uptime is CLOCK_BOOTTIME in seconds */
	long long up = now_ns(CLOCK_BOOTTIME) / 1000000000LL;
	CHECKF(si.uptime >= up - 1 && si.uptime <= up + 1, "uptime %ld but BOOTTIME %lld s", si.uptime, up);
	CHECK_ERR(syscall(SYS_sysinfo, BAD_NULL), EFAULT);
	CHECK_ERR(syscall(SYS_sysinfo, BAD_LOW), EFAULT);
}

static void rlimit_get(void)
{
	struct rlimit r, p;
	static const int res[] = {RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS,
				  RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS,
				  RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME};
	for (unsigned i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		CHECKF(syscall(SYS_getrlimit, res[i], &r) == 0, "getrlimit(%d): %s", res[i], errname(errno));
		CHECKF(r.rlim_cur <= r.rlim_max, "resource %d: soft %llu > hard %llu", res[i],
		       (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max);
		CHECKF(syscall(SYS_prlimit64, 0, res[i], NULL, &p) == 0, "prlimit64(%d)", res[i]);
		CHECK(p.rlim_cur == r.rlim_cur && p.rlim_max == r.rlim_max);
	}
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &r), 0);
	CHECK(r.rlim_cur >= 3);
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_STACK, &r), 0);
	CHECK(r.rlim_cur > 0);
	CHECK_ERR(syscall(SYS_getrlimit, RLIM_NLIMITS, &r), EINVAL);
	CHECK_ERR(syscall(SYS_getrlimit, 1000, &r), EINVAL);
	CHECK_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, BAD_NULL), EFAULT);
	CHECK_ERR(syscall(SYS_prlimit64, 0, RLIM_NLIMITS, NULL, &p), EINVAL);
	CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BAD_LOW), EFAULT);
	CHECK_ERR(syscall(SYS_prlimit64, 0x7ffffff0, RLIMIT_NOFILE, NULL, &p), ESRCH);
	CHECK_EQ(syscall(SYS_prlimit64, syscall(SYS_getpid), RLIMIT_NOFILE, NULL, &p), 0);
}

static void rlimit_set(void)
{
	struct rlimit orig, r, old;
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &orig), 0);
	/* lowering the soft limit works, and raising it back up to the hard one */
	r.rlim_cur = 64;
	r.rlim_max = orig.rlim_max;
	CHECK_EQ(syscall(SYS_setrlimit, RLIMIT_NOFILE, &r), 0);
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &r), 0);
	CHECK_EQ(r.rlim_cur, 64);
	CHECK_EQ(r.rlim_max, orig.rlim_max);
	CHECK_EQ(syscall(SYS_setrlimit, RLIMIT_NOFILE, &orig), 0);
	/* soft above hard */
	r.rlim_cur = orig.rlim_max;
	r.rlim_max = 64;
	CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, &r), EINVAL);
	/* prlimit64 sets and returns the old value at once */
	r.rlim_cur = 100;
	r.rlim_max = orig.rlim_max;
	CHECK_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &r, &old), 0);
	CHECK_EQ(old.rlim_cur, orig.rlim_cur);
	CHECK_EQ(old.rlim_max, orig.rlim_max);
	CHECK_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &orig, &old), 0);
	CHECK_EQ(old.rlim_cur, 100);
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &r), 0);
	CHECK_EQ(r.rlim_cur, orig.rlim_cur);
	CHECK_ERR(syscall(SYS_setrlimit, RLIM_NLIMITS, &orig), EINVAL);
	CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, BAD_LOW), EFAULT);
	CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, BAD_LOW, NULL), EFAULT);
}

static void rlimit_raise_hard(void)
{
	/* RLIMIT_CORE: lower the hard limit, then try to raise it back */
	struct rlimit orig, r;
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_CORE, &orig), 0);
	r.rlim_cur = 0;
	r.rlim_max = 4096;
	if (orig.rlim_max < 4096)
		r.rlim_max = orig.rlim_max;
	CHECK_EQ(syscall(SYS_setrlimit, RLIMIT_CORE, &r), 0);
	struct rlimit lowered = r;
	r.rlim_max += 4096;
	if (geteuid() == 0) {
		/* root may still lack CAP_SYS_RESOURCE (containers drop it): then EPERM too */
		errno = 0;
		long ret = syscall(SYS_setrlimit, RLIMIT_CORE, &r);
		CHECKF(ret == 0 || errno == EPERM, "raising the hard limit as root: %ld errno %s", ret, errname(errno));
		if (ret == 0) {
			CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_CORE, &r), 0);
			CHECK_EQ(r.rlim_max, lowered.rlim_max + 4096);
			CHECK_EQ(syscall(SYS_setrlimit, RLIMIT_CORE, &orig), 0);
			return;
		}
	} else {
		CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_CORE, &r), EPERM);
	}
	/* the failed call changed nothing */
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_CORE, &r), 0);
	CHECK_EQ(r.rlim_max, lowered.rlim_max);
	CHECK_EQ(r.rlim_cur, lowered.rlim_cur);
}

static void sched_affinity(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	long n = syscall(SYS_sched_getaffinity, 0, sizeof(set), &set);
	CHECKF(n > 0 && n % 8 == 0 && n <= (long)sizeof(set), "sched_getaffinity returned %ld", n);
	CHECK(CPU_COUNT(&set) >= 1);
	cpu_set_t set2;
	CPU_ZERO(&set2);
	CHECK_EQ(syscall(SYS_sched_getaffinity, syscall(SYS_getpid), sizeof(set2), &set2), n);
	CHECK(CPU_EQUAL(&set, &set2));
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 0, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 1, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 7, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, sizeof(set), BAD_NULL), EFAULT);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0x7ffffff0, sizeof(set), &set), ESRCH);
	CHECK_ERR(syscall(SYS_sched_getaffinity, -1, sizeof(set), &set), ESRCH);
}

static void sched_yield_ok(void)
{
	for (int i = 0; i < 10; i++)
		CHECK_EQ(syscall(SYS_sched_yield), 0);
}

/* arch_prctl through inline asm, so that nothing (errno is TLS!) uses %fs in between. */
static long raw_arch_prctl(long code, unsigned long arg)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "0"(SYS_arch_prctl), "D"(code), "S"(arg) : "rcx", "r11", "memory");
	return ret;
}

static unsigned long fake_tcb[64] __attribute__((aligned(64)));

static void arch_prctl_fs(void)
{
	unsigned long fs = 0, fs_after = 0, read_back = 0, self = 0, restored = 0;
	long r_get, r_set, r_get2, r_restore, r_get3;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	r_get = raw_arch_prctl(ARCH_GET_FS, (unsigned long)&fs);
	/* a copy of the TCB whose self pointer is the copy */
	memcpy(fake_tcb, (void *)self, sizeof(fake_tcb));
	fake_tcb[0] = (unsigned long)fake_tcb;
	r_set = raw_arch_prctl(ARCH_SET_FS, (unsigned long)fake_tcb);
	r_get2 = raw_arch_prctl(ARCH_GET_FS, (unsigned long)&fs_after);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(read_back));
	r_restore = raw_arch_prctl(ARCH_SET_FS, fs);
	r_get3 = raw_arch_prctl(ARCH_GET_FS, (unsigned long)&restored);
	/* only now is it safe to use libc again */
	CHECK_EQ(r_get, 0);
	CHECK_EQ(fs, self);
	CHECK_EQ(r_set, 0);
	CHECK_EQ(r_get2, 0);
	CHECK_EQ(fs_after, (unsigned long)fake_tcb);
	CHECK_EQ(read_back, (unsigned long)fake_tcb);
	CHECK_EQ(r_restore, 0);
	CHECK_EQ(r_get3, 0);
	CHECK_EQ(restored, self);
}

static void arch_prctl_gs(void)
{
	static unsigned long gs_target[2] = {0x1122334455667788UL, 0};
	unsigned long orig = 1, now = 1, via_gs = 0;
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_GS, &orig), 0);
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_SET_GS, gs_target), 0);
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_GS, &now), 0);
	__asm__ volatile("mov %%gs:0, %0" : "=r"(via_gs));
	CHECK_EQ(now, (unsigned long)gs_target);
	CHECK_EQ(via_gs, gs_target[0]);
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_SET_GS, orig), 0);
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_GS, &now), 0);
	CHECK_EQ(now, orig);
}

static void arch_prctl_errors(void)
{
	CHECK_ERR(syscall(SYS_arch_prctl, 0x9999, 0), EINVAL);
	CHECK_ERR(syscall(SYS_arch_prctl, ARCH_GET_FS, BAD_NULL), EFAULT);
	CHECK_ERR(syscall(SYS_arch_prctl, ARCH_GET_GS, BAD_LOW), EFAULT);
	CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_GS, BAD_KERNEL), EPERM);
	CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_GS, BAD_NONCANON), EPERM);
	/* ARCH_SET_FS with a bad base would kill us at the next TLS access; the error path is safe */
	CHECK_EQ(raw_arch_prctl(ARCH_SET_FS, (unsigned long)BAD_KERNEL), -EPERM);
}

static void set_tid_address_returns_tid(void)
{
	static int ctid;
	long tid = syscall(SYS_gettid);
	CHECK_EQ(syscall(SYS_set_tid_address, &ctid), tid);
	CHECK_EQ(syscall(SYS_set_tid_address, NULL), tid);
	CHECK_EQ(syscall(SYS_set_tid_address, &ctid), tid);
}

static void ioctl_not_a_tty(void)
{
	struct termios t;
	struct winsize w;
	CHECK_ERR(syscall(SYS_ioctl, 1, TCGETS, &t), ENOTTY);
	CHECK_ERR(syscall(SYS_ioctl, 2, TCGETS, &t), ENOTTY);
	CHECK_ERR(syscall(SYS_ioctl, 1, TIOCGWINSZ, &w), ENOTTY);
	CHECK_ERR(syscall(SYS_ioctl, 1, TCGETS, BAD_NULL), ENOTTY);
	CHECK_ERR(syscall(SYS_ioctl, 1, 0x12345678, NULL), ENOTTY);
	CHECK_EQ(isatty(1), 0);
	CHECK_ERR(syscall(SYS_ioctl, -1, TCGETS, &t), EBADF);
	CHECK_ERR(syscall(SYS_ioctl, 1000, TIOCGWINSZ, &w), EBADF);
}

static int ends_with_prog(const char *path, long n)
{
	size_t pl = strlen(prog_name);
	return n > (long)pl && path[0] == '/' && path[n - (long)pl - 1] == '/' &&
	       memcmp(path + n - (long)pl, prog_name, pl) == 0;
}

static void readlink_proc_self_exe(void)
{
	char buf[4096];
	memset(buf, 'X', sizeof(buf));
	long n = syscall(SYS_readlink, "/proc/self/exe", buf, sizeof(buf));
	CHECKF(n > 0 && n < (long)sizeof(buf), "readlink returned %ld (%s)", n, errname(errno));
	CHECK_EQ(buf[n], 'X'); /* not NUL-terminated */
	buf[n] = 0;
	CHECKF(ends_with_prog(buf, n), "/proc/self/exe -> %s", buf);
	/* a short buffer truncates silently */
	char small[4] = {0, 0, 0, 0};
	CHECK_EQ(syscall(SYS_readlink, "/proc/self/exe", small, 4), 4);
	CHECK(memcmp(small, buf, 4) == 0);
	CHECK_ERR(syscall(SYS_readlink, "/proc/self/exe", buf, 0), EINVAL);
	CHECK_ERR(syscall(SYS_readlink, "/proc/self/exe", buf, -1), EINVAL);
	CHECK_ERR(syscall(SYS_readlink, "/proc/self/exe", BAD_NULL, 100), EFAULT);
	CHECK_ERR(syscall(SYS_readlink, BAD_NULL, buf, 100), EFAULT);
}

static void readlinkat_proc_self_exe(void)
{
	char buf[4096], buf2[4096];
	long n = syscall(SYS_readlink, "/proc/self/exe", buf, sizeof(buf));
	CHECK(n > 0);
	long m = syscall(SYS_readlinkat, -100 /* AT_FDCWD */, "/proc/self/exe", buf2, sizeof(buf2));
	CHECK_EQ(m, n);
	CHECK(memcmp(buf, buf2, (size_t)n) == 0);
}

static void dummy_handler(int sig) { (void)sig; }
static void dummy_restorer(void) {}

static long rsigaction(long sig, const struct ksigaction *act, struct ksigaction *old)
{
	return syscall(SYS_rt_sigaction, sig, act, old, 8);
}

static void rt_sigaction_roundtrip(void)
{
	struct ksigaction act, old, got;
	memset(&act, 0, sizeof(act));
	act.handler = (void *)dummy_handler;
	act.flags = SA_SIGINFO | SA_RESTART | SA_NODEFER | KSA_RESTORER;
	act.restorer = (void *)dummy_restorer;
	act.mask = (1UL << (SIGUSR2 - 1)) | (1UL << (SIGTERM - 1));
	CHECK_EQ(rsigaction(SIGUSR1, NULL, &old), 0);
	CHECK(old.handler == SIG_DFL);
	CHECK_EQ(rsigaction(SIGUSR1, &act, NULL), 0);
	memset(&got, 0x55, sizeof(got));
	CHECK_EQ(rsigaction(SIGUSR1, NULL, &got), 0);
	CHECK(got.handler == act.handler);
	CHECK_EQ(got.flags, act.flags);
	CHECK(got.restorer == act.restorer);
	CHECK_EQ(got.mask, act.mask);
	/* set and get at once: old is the previous action */
	struct ksigaction ign;
	memset(&ign, 0, sizeof(ign));
	ign.handler = SIG_IGN;
	ign.flags = KSA_RESTORER;
	ign.restorer = (void *)dummy_restorer;
	CHECK_EQ(rsigaction(SIGUSR1, &ign, &got), 0);
	CHECK(got.handler == act.handler);
	CHECK_EQ(rsigaction(SIGUSR1, NULL, &got), 0);
	CHECK(got.handler == SIG_IGN);
	/* each signal has its own action */
	CHECK_EQ(rsigaction(SIGUSR2, NULL, &got), 0);
	CHECK(got.handler == SIG_DFL);
	/* SIGKILL and SIGSTOP cannot be in sa_mask */
	act.mask |= (1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1));
	CHECK_EQ(rsigaction(SIGUSR1, &act, NULL), 0);
	CHECK_EQ(rsigaction(SIGUSR1, NULL, &got), 0);
	CHECK_EQ(got.mask, (1UL << (SIGUSR2 - 1)) | (1UL << (SIGTERM - 1)));
	/* real-time signals too */
	CHECK_EQ(rsigaction(SIGRTMAX, &act, NULL), 0);
	CHECK_EQ(rsigaction(64, NULL, &got), 0);
	CHECK(got.handler == act.handler);
	/* restore */
	old.flags |= KSA_RESTORER;
	old.restorer = (void *)dummy_restorer;
	CHECK_EQ(rsigaction(SIGUSR1, &old, NULL), 0);
	CHECK_EQ(rsigaction(64, &old, NULL), 0);
	CHECK_EQ(rsigaction(SIGUSR1, NULL, &got), 0);
	CHECK(got.handler == SIG_DFL);
}

static void rt_sigaction_libc(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = dummy_handler;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sa.sa_flags = SA_RESTART;
	CHECK_EQ(sigaction(SIGTERM, &sa, NULL), 0);
	CHECK_EQ(sigaction(SIGTERM, NULL, &old), 0);
	CHECK(old.sa_handler == dummy_handler);
	CHECK(old.sa_flags & SA_RESTART);
	CHECK(sigismember(&old.sa_mask, SIGHUP));
	CHECK(!sigismember(&old.sa_mask, SIGINT));
	sa.sa_handler = SIG_DFL;
	CHECK_EQ(sigaction(SIGTERM, &sa, NULL), 0);
}

static void rt_sigaction_errors(void)
{
	struct ksigaction act, got;
	memset(&act, 0, sizeof(act));
	act.handler = (void *)dummy_handler;
	act.flags = KSA_RESTORER;
	act.restorer = (void *)dummy_restorer;
	CHECK_ERR(rsigaction(SIGKILL, &act, NULL), EINVAL);
	CHECK_ERR(rsigaction(SIGSTOP, &act, NULL), EINVAL);
	act.handler = SIG_IGN;
	CHECK_ERR(rsigaction(SIGKILL, &act, NULL), EINVAL);
	CHECK_EQ(rsigaction(SIGKILL, NULL, &got), 0); /* reading is fine */
	CHECK(got.handler == SIG_DFL);
	CHECK_ERR(rsigaction(0, NULL, &got), EINVAL);
	CHECK_ERR(rsigaction(65, NULL, &got), EINVAL);
	CHECK_ERR(rsigaction(-1, NULL, &got), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &got, 4), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &got, 16), EINVAL);
	CHECK_ERR(rsigaction(SIGUSR1, BAD_LOW, NULL), EFAULT);
	CHECK_ERR(rsigaction(SIGUSR1, NULL, BAD_LOW), EFAULT);
}

static long rsigprocmask(long how, const unsigned long *set, unsigned long *old)
{
	return syscall(SYS_rt_sigprocmask, how, set, old, 8);
}

static void rt_sigprocmask_roundtrip(void)
{
	unsigned long orig, set, cur;
	const unsigned long usr1 = 1UL << (SIGUSR1 - 1), usr2 = 1UL << (SIGUSR2 - 1);
	CHECK_EQ(rsigprocmask(SIG_BLOCK, NULL, &orig), 0);
	set = usr1;
	CHECK_EQ(rsigprocmask(SIG_BLOCK, &set, &cur), 0);
	CHECK_EQ(cur, orig);
	CHECK_EQ(rsigprocmask(SIG_BLOCK, NULL, &cur), 0);
	CHECK_EQ(cur, orig | usr1);
	set = usr2;
	CHECK_EQ(rsigprocmask(SIG_BLOCK, &set, NULL), 0);
	CHECK_EQ(rsigprocmask(SIG_SETMASK, NULL, &cur), 0);
	CHECK_EQ(cur, orig | usr1 | usr2);
	set = usr1;
	CHECK_EQ(rsigprocmask(SIG_UNBLOCK, &set, &cur), 0);
	CHECK_EQ(cur, orig | usr1 | usr2);
	CHECK_EQ(rsigprocmask(SIG_BLOCK, NULL, &cur), 0);
	CHECK_EQ(cur, (orig | usr2) & ~usr1);
	set = usr1;
	CHECK_EQ(rsigprocmask(SIG_SETMASK, &set, NULL), 0);
	CHECK_EQ(rsigprocmask(SIG_BLOCK, NULL, &cur), 0);
	CHECK_EQ(cur, usr1);
	/* SIGKILL and SIGSTOP are silently not blocked */
	set = ~0UL;
	CHECK_EQ(rsigprocmask(SIG_SETMASK, &set, NULL), 0);
	CHECK_EQ(rsigprocmask(SIG_BLOCK, NULL, &cur), 0);
	CHECK_EQ(cur, ~0UL & ~((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1))));
	/* libc view */
	sigset_t s;
	CHECK_EQ(sigprocmask(SIG_BLOCK, NULL, &s), 0);
	CHECK(sigismember(&s, SIGUSR1) && sigismember(&s, SIGTERM) && !sigismember(&s, SIGKILL));
	CHECK_EQ(rsigprocmask(SIG_SETMASK, &orig, NULL), 0);
	CHECK_EQ(rsigprocmask(SIG_BLOCK, NULL, &cur), 0);
	CHECK_EQ(cur, orig);
}

static void rt_sigprocmask_errors(void)
{
	unsigned long set = 1UL << (SIGUSR1 - 1), cur;
	CHECK_ERR(rsigprocmask(99, &set, NULL), EINVAL);
	CHECK_ERR(rsigprocmask(-1, &set, &cur), EINVAL);
	CHECK_EQ(rsigprocmask(99, NULL, &cur), 0); /* how is ignored without a set */
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 16), EINVAL);
	CHECK_ERR(rsigprocmask(SIG_BLOCK, BAD_LOW, NULL), EFAULT);
	CHECK_ERR(rsigprocmask(SIG_BLOCK, NULL, BAD_LOW), EFAULT);
	CHECK_EQ(rsigprocmask(SIG_BLOCK, NULL, &cur), 0);
	CHECK_EQ(cur & set, 0); /* the failed calls changed nothing */
}

static void unknown_syscall_enosys(void)
{
	CHECK_ERR(syscall(1000), ENOSYS);
	/* (no number inside the table's holes: new kernels fill them, e.g. 335 is uretprobe since 6.11) */
	CHECK_ERR(syscall(0x7fff), ENOSYS);
	CHECK_ERR(syscall(100000, 1, 2, 3, 4, 5, 6), ENOSYS);
	CHECK(syscall(SYS_getpid) > 0);    /* and we go on */
}

int main(int argc, char **argv)
{
	(void)argc;
	if (argv[0] && strrchr(argv[0], '/'))
		prog_name = strrchr(argv[0], '/') + 1;
	else if (argv[0])
		prog_name = argv[0];
	RUN(getpid_gettid_single_thread);
	RUN(getppid_sane);
	RUN(ids_consistent);
	RUN(getgroups_semantics);
	RUN(uname_fields);
	RUN(clock_gettime_clocks);
	RUN(clock_relations);
	RUN(cputime_advances);
	RUN(clock_gettime_errors);
	RUN(clock_getres_values);
	RUN(gettimeofday_semantics);
	RUN(time_semantics);
	RUN(nanosleep_duration);
	RUN(nanosleep_errors);
	RUN(clock_nanosleep_abstime);
	RUN(clock_nanosleep_errors);
	RUN(sysinfo_fields);
	RUN(rlimit_get);
	RUN(rlimit_set);
	RUN(rlimit_raise_hard);
	RUN(sched_affinity);
	RUN(sched_yield_ok);
	RUN(arch_prctl_fs);
	RUN(arch_prctl_gs);
	RUN(arch_prctl_errors);
	RUN(set_tid_address_returns_tid);
	RUN(ioctl_not_a_tty);
	RUN(readlink_proc_self_exe);
	RUN(readlinkat_proc_self_exe);
	RUN(rt_sigaction_roundtrip);
	RUN(rt_sigaction_libc);
	RUN(rt_sigaction_errors);
	RUN(rt_sigprocmask_roundtrip);
	RUN(rt_sigprocmask_errors);
	RUN(unknown_syscall_enosys);
	DONE();
}
