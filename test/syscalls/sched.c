/*
 * sched.c: scheduling and CPU accounting: getpriority/setpriority,
 * sched_setscheduler/getscheduler/setparam/getparam, the priority ranges,
 * sched_setattr/getattr and their size rules, sched_rr_get_interval,
 * sched_setaffinity/getaffinity, getcpu, getrusage and times.
 *
 * Runs as root (CAP_SYS_NICE); privilege is removed where a case needs it by
 * clearing CAP_SYS_NICE from the effective set with capset. Policies are
 * switched back to SCHED_OTHER at the end of each case; SCHED_DEADLINE is
 * only validated, never entered.
 */
#include "check.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif

struct kattr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20

static long rgetprio(int which, int who) { return syscall(SYS_getpriority, which, who); }
static long rsetprio(int which, int who, int nice) { return syscall(SYS_setpriority, which, who, nice); }
static long setsched(long pid, long policy, int prio)
{
	struct sched_param p = {.sched_priority = prio};
	return syscall(SYS_sched_setscheduler, pid, policy, &p);
}
static long getsched(long pid) { return syscall(SYS_sched_getscheduler, pid); }
static long rgetattr(long pid, struct kattr *a, unsigned size, unsigned flags)
{
	return syscall(SYS_sched_getattr, pid, a, size, flags);
}
static long rsetattr(long pid, struct kattr *a, unsigned flags) { return syscall(SYS_sched_setattr, pid, a, flags); }

/* Sets (on) or clears (off) one capability in the effective set. */
static long eff(int cap, int on)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	if (on)
		d[cap / 32].effective |= 1u << (cap % 32);
	else
		d[cap / 32].effective &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &h, d);
}

/* The raw getpriority result of the caller: 20 - nice. */
static int start_prio;

static void back_to_normal(void)
{
	eff(CAP_SYS_NICE, 1);
	setsched(0, SCHED_OTHER, 0);
	rsetprio(PRIO_PROCESS, 0, 20 - start_prio);
}

static void priority_get_set(void)
{
	start_prio = (int)rgetprio(PRIO_PROCESS, 0);
	CHECK(start_prio >= 1 && start_prio <= 40);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 20 - start_prio); /* libc converts */
	CHECK_EQ(rsetprio(PRIO_PROCESS, 0, 5), 0);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 15);
	CHECK_EQ(rgetprio(PRIO_PROCESS, (int)syscall(SYS_gettid)), 15);
	CHECK(rgetprio(PRIO_PGRP, 0) >= 15); /* the highest priority in the group */
	CHECK(rgetprio(PRIO_USER, 0) >= 15);
	/* out of range values are clamped */
	CHECK_EQ(rsetprio(PRIO_PROCESS, 0, 100), 0);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 1);
	CHECK_EQ(rsetprio(PRIO_PROCESS, 0, -100), 0);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 40);
	CHECK_EQ(rsetprio(PRIO_PGRP, 0, 3), 0); /* main() made this process its own group */
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 17);
	CHECK_EQ(rgetprio(PRIO_PGRP, (int)syscall(SYS_getpgid, 0)), 17);
	/* PRIO_USER goes by real uid: use one no other process has */
	CHECK_EQ(syscall(SYS_setresuid, 4242, -1, -1), 0);
	CHECK_EQ(rsetprio(PRIO_USER, 4242, 4), 0);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 16);
	CHECK_EQ(rgetprio(PRIO_USER, 0), 16);
	CHECK_EQ(rsetprio(PRIO_USER, 0, 6), 0);
	CHECK_EQ(rgetprio(PRIO_USER, 4242), 14);
	CHECK_EQ(syscall(SYS_setresuid, 0, -1, -1), 0);
	CHECK_ERR(rgetprio(3, 0), EINVAL);
	CHECK_ERR(rgetprio(-1, 0), EINVAL);
	CHECK_ERR(rsetprio(3, 0, 0), EINVAL);
	CHECK_ERR(rgetprio(PRIO_PROCESS, 0x7ffffff0), ESRCH);
	CHECK_ERR(rsetprio(PRIO_PROCESS, 0x7ffffff0, 0), ESRCH);
	CHECK_ERR(rgetprio(PRIO_PROCESS, -5), ESRCH);
	CHECK_ERR(rgetprio(PRIO_PGRP, 0x7ffffff0), ESRCH);
	CHECK_ERR(rgetprio(PRIO_USER, 54321), ESRCH);
	CHECK_ERR(rsetprio(PRIO_USER, 54321, 0), ESRCH);
	/* without CAP_SYS_NICE: raising nice is fine, lowering it below RLIMIT_NICE is EACCES */
	struct rlimit rn;
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_NICE, &rn), 0);
	CHECK_EQ(rsetprio(PRIO_PROCESS, 0, 10), 0);
	CHECK_EQ(eff(CAP_SYS_NICE, 0), 0);
	CHECK_EQ(rsetprio(PRIO_PROCESS, 0, 12), 0);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 8);
	if (rn.rlim_cur < 20 - 5) {
		CHECK_ERR(rsetprio(PRIO_PROCESS, 0, 5), EACCES);
		CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 8);
	}
	CHECK_EQ(rsetprio(PRIO_PROCESS, 0, 12), 0); /* the same value is no lowering */
	CHECK_EQ(eff(CAP_SYS_NICE, 1), 0);
	CHECK_EQ(rsetprio(PRIO_PROCESS, 0, 20 - start_prio), 0);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), start_prio);
}

static void priority_ranges(void)
{
	CHECK_EQ(syscall(SYS_sched_get_priority_max, SCHED_FIFO), 99);
	CHECK_EQ(syscall(SYS_sched_get_priority_min, SCHED_FIFO), 1);
	CHECK_EQ(syscall(SYS_sched_get_priority_max, SCHED_RR), 99);
	CHECK_EQ(syscall(SYS_sched_get_priority_min, SCHED_RR), 1);
	static const int zero[] = {SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, SCHED_DEADLINE};
	for (unsigned i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
		CHECK_EQ(syscall(SYS_sched_get_priority_max, zero[i]), 0);
		CHECK_EQ(syscall(SYS_sched_get_priority_min, zero[i]), 0);
	}
	CHECK_ERR(syscall(SYS_sched_get_priority_max, 4), EINVAL);
	CHECK_ERR(syscall(SYS_sched_get_priority_min, 4), EINVAL);
	CHECK_ERR(syscall(SYS_sched_get_priority_max, -1), EINVAL);
	CHECK_ERR(syscall(SYS_sched_get_priority_min, 1000), EINVAL);
	CHECK_ERR(syscall(SYS_sched_get_priority_max, SCHED_FIFO | SCHED_RESET_ON_FORK), EINVAL);
}

static void scheduler_policies(void)
{
	struct sched_param p;
	struct timespec ts;
	CHECK_EQ(getsched(0), SCHED_OTHER);
	CHECK_EQ(syscall(SYS_sched_getparam, 0, &p), 0);
	CHECK_EQ(p.sched_priority, 0);
	CHECK_EQ(syscall(SYS_sched_rr_get_interval, 0, &ts), 0);
	CHECK_EQ(setsched(0, SCHED_FIFO, 10), 0);
	CHECK_EQ(getsched(0), SCHED_FIFO);
	CHECK_EQ(getsched(syscall(SYS_gettid)), SCHED_FIFO);
	CHECK_EQ(syscall(SYS_sched_getparam, 0, &p), 0);
	CHECK_EQ(p.sched_priority, 10);
	CHECK_EQ(syscall(SYS_sched_rr_get_interval, 0, &ts), 0);
	CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
	p.sched_priority = 20;
	CHECK_EQ(syscall(SYS_sched_setparam, 0, &p), 0);
	CHECK_EQ(getsched(0), SCHED_FIFO);
	CHECK_EQ(syscall(SYS_sched_getparam, 0, &p), 0);
	CHECK_EQ(p.sched_priority, 20);
	p.sched_priority = 0;
	CHECK_ERR(syscall(SYS_sched_setparam, 0, &p), EINVAL); /* an RT policy needs 1..99 */
	CHECK_EQ(setsched(0, SCHED_RR, 5), 0);
	CHECK_EQ(getsched(0), SCHED_RR);
	CHECK_EQ(syscall(SYS_sched_rr_get_interval, 0, &ts), 0);
	CHECK(ts.tv_sec == 0 && ts.tv_nsec == 100000000);
	/* nice stays what it was under an RT policy */
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), start_prio);
	CHECK_EQ(setsched(0, SCHED_BATCH, 0), 0);
	CHECK_EQ(getsched(0), SCHED_BATCH);
	CHECK_EQ(syscall(SYS_sched_getparam, 0, &p), 0);
	CHECK_EQ(p.sched_priority, 0);
	CHECK_EQ(setsched(0, SCHED_IDLE, 0), 0);
	CHECK_EQ(getsched(0), SCHED_IDLE);
	CHECK_EQ(setsched(0, SCHED_OTHER, 0), 0);
	CHECK_EQ(getsched(0), SCHED_OTHER);
	/* the legacy reset-on-fork bit */
	CHECK_EQ(setsched(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0), 0);
	CHECK_EQ(getsched(0), SCHED_OTHER | SCHED_RESET_ON_FORK);
	p.sched_priority = 0;
	CHECK_EQ(syscall(SYS_sched_setparam, 0, &p), 0); /* keeps the flag */
	CHECK_EQ(getsched(0), SCHED_OTHER | SCHED_RESET_ON_FORK);
	CHECK_EQ(setsched(0, SCHED_OTHER, 0), 0);
	CHECK_EQ(getsched(0), SCHED_OTHER);
	/* errors */
	CHECK_ERR(setsched(0, SCHED_OTHER, 1), EINVAL);
	CHECK_ERR(setsched(0, SCHED_FIFO, 0), EINVAL);
	CHECK_ERR(setsched(0, SCHED_FIFO, 100), EINVAL);
	CHECK_ERR(setsched(0, SCHED_FIFO, -1), EINVAL);
	CHECK_ERR(setsched(0, 4, 0), EINVAL);
	CHECK_ERR(setsched(0, -1, 0), EINVAL);
	CHECK_ERR(setsched(0, SCHED_DEADLINE, 0), EINVAL); /* no runtime/deadline via sched_param */
	CHECK_ERR(setsched(-1, SCHED_OTHER, 0), EINVAL);
	CHECK_ERR(setsched(0x7ffffff0, SCHED_OTHER, 0), ESRCH);
	CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD_LOW), EFAULT);
	CHECK_ERR(syscall(SYS_sched_setscheduler, 0x7ffffff0, SCHED_OTHER, BAD_LOW), EFAULT); /* read first */
	CHECK_ERR(syscall(SYS_sched_setparam, 0, NULL), EINVAL);
	CHECK_ERR(getsched(-1), EINVAL);
	CHECK_ERR(getsched(0x7ffffff0), ESRCH);
	CHECK_ERR(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getparam, -1, &p), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getparam, 0x7ffffff0, &p), ESRCH);
	CHECK_ERR(syscall(SYS_sched_getparam, 0, BAD_HIGH), EFAULT);
	CHECK_ERR(syscall(SYS_sched_rr_get_interval, -1, &ts), EINVAL);
	CHECK_ERR(syscall(SYS_sched_rr_get_interval, 0x7ffffff0, &ts), ESRCH);
	CHECK_ERR(syscall(SYS_sched_rr_get_interval, 0, BAD_NULL), EFAULT);
	/* without CAP_SYS_NICE and with RLIMIT_RTPRIO 0, no RT policy */
	struct rlimit rt;
	CHECK_EQ(syscall(SYS_getrlimit, RLIMIT_RTPRIO, &rt), 0);
	CHECK_EQ(eff(CAP_SYS_NICE, 0), 0);
	if (rt.rlim_cur == 0)
		CHECK_ERR(setsched(0, SCHED_FIFO, 1), EPERM);
	CHECK_EQ(setsched(0, SCHED_BATCH, 0), 0);
	CHECK_EQ(setsched(0, SCHED_OTHER, 0), 0);
	/* nor clearing reset-on-fork */
	CHECK_EQ(setsched(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0), 0);
	CHECK_ERR(setsched(0, SCHED_OTHER, 0), EPERM);
	CHECK_EQ(eff(CAP_SYS_NICE, 1), 0);
	CHECK_EQ(setsched(0, SCHED_OTHER, 0), 0);
	CHECK_EQ(getsched(0), SCHED_OTHER);
}

static void sched_attr_rules(void)
{
	struct kattr a;
	memset(&a, 0xa5, sizeof(a));
	CHECK_EQ(rgetattr(0, &a, sizeof(a), 0), 0);
	CHECK_EQ(a.size, 56);
	CHECK_EQ(a.policy, SCHED_OTHER);
	CHECK_EQ(a.flags, 0);
	CHECK_EQ(a.nice, 20 - start_prio);
	CHECK_EQ(a.priority, 0);
	/* a smaller (VER0) buffer gets 48 bytes */
	memset(&a, 0xa5, sizeof(a));
	CHECK_EQ(rgetattr(0, &a, 48, 0), 0);
	CHECK_EQ(a.size, 48);
	CHECK_EQ(a.util_min, 0xa5a5a5a5u);
	/* a larger one: still 56 bytes */
	char big[128];
	memset(big, 0xa5, sizeof(big));
	CHECK_EQ(rgetattr(0, (struct kattr *)big, sizeof(big), 0), 0);
	CHECK_EQ(((struct kattr *)big)->size, 56); /* the tail is left alone (6.6) or zeroed (6.13+) */
	CHECK_ERR(rgetattr(0, &a, 47, 0), EINVAL);
	CHECK_ERR(rgetattr(0, &a, 4097, 0), EINVAL);
	CHECK_ERR(rgetattr(0, &a, sizeof(a), 1), EINVAL);
	CHECK_ERR(rgetattr(0, NULL, sizeof(a), 0), EINVAL);
	CHECK_ERR(rgetattr(-1, &a, sizeof(a), 0), EINVAL);
	CHECK_ERR(rgetattr(0x7ffffff0, &a, sizeof(a), 0), ESRCH);
	CHECK_ERR(rgetattr(0, BAD_LOW, sizeof(a), 0), EFAULT);

	/* setattr: policy and nice together */
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.policy = SCHED_BATCH;
	a.nice = 3;
	CHECK_EQ(rsetattr(0, &a, 0), 0);
	CHECK_EQ(getsched(0), SCHED_BATCH);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 17);
	/* size 0 means VER0 */
	a.size = 0;
	a.policy = SCHED_OTHER;
	a.nice = 2;
	CHECK_EQ(rsetattr(0, &a, 0), 0);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 18);
	/* out-of-range nice is clamped */
	a.size = sizeof(a);
	a.nice = 100;
	CHECK_EQ(rsetattr(0, &a, 0), 0);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 1);
	/* KEEP_POLICY: the nice changes, the policy does not */
	CHECK_EQ(setsched(0, SCHED_BATCH, 0), 0);
	a.policy = SCHED_IDLE;
	a.flags = SCHED_FLAG_KEEP_POLICY;
	a.nice = 4;
	CHECK_EQ(rsetattr(0, &a, 0), 0);
	CHECK_EQ(getsched(0), SCHED_BATCH);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 16);
	/* KEEP_PARAMS: checked, but neither the policy nor the parameters change */
	a.policy = SCHED_OTHER;
	a.flags = SCHED_FLAG_KEEP_PARAMS;
	a.nice = -10;
	CHECK_EQ(rsetattr(0, &a, 0), 0);
	CHECK_EQ(getsched(0), SCHED_BATCH);
	CHECK_EQ(rgetprio(PRIO_PROCESS, 0), 16);
	a.policy = 4;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL);
	a.policy = SCHED_OTHER;
	a.flags = SCHED_FLAG_KEEP_PARAMS | SCHED_FLAG_RESET_ON_FORK;
	CHECK_EQ(rsetattr(0, &a, 0), 0);
	CHECK_EQ(getsched(0), SCHED_BATCH | SCHED_RESET_ON_FORK);
	CHECK_EQ(setsched(0, SCHED_OTHER, 0), 0);
	CHECK_EQ(getsched(0), SCHED_OTHER);
	/* RT through setattr, reset-on-fork through its flag */
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.policy = SCHED_FIFO;
	a.priority = 7;
	a.flags = SCHED_FLAG_RESET_ON_FORK;
	CHECK_EQ(rsetattr(0, &a, 0), 0);
	CHECK_EQ(getsched(0), SCHED_FIFO | SCHED_RESET_ON_FORK);
	memset(&a, 0, sizeof(a));
	CHECK_EQ(rgetattr(0, &a, sizeof(a), 0), 0);
	CHECK_EQ(a.policy, SCHED_FIFO);
	CHECK_EQ(a.priority, 7);
	CHECK_EQ(a.flags, SCHED_FLAG_RESET_ON_FORK);
	CHECK_EQ(a.nice, 0); /* not reported for RT */
	CHECK_EQ(setsched(0, SCHED_OTHER, 0), 0);

	/* size rules: E2BIG writes the kernel's size back */
	memset(&a, 0, sizeof(a));
	a.size = 40;
	CHECK_ERR(rsetattr(0, &a, 0), E2BIG);
	CHECK_EQ(a.size, 56);
	a.size = 8192;
	CHECK_ERR(rsetattr(0, &a, 0), E2BIG);
	CHECK_EQ(a.size, 56);
	memset(big, 0, sizeof(big));
	((struct kattr *)big)->size = 64;
	CHECK_EQ(rsetattr(0, (struct kattr *)big, 0), 0); /* unknown tail of zeros: fine */
	big[60] = 1;
	CHECK_ERR(rsetattr(0, (struct kattr *)big, 0), E2BIG);
	CHECK_EQ(((struct kattr *)big)->size, 56);
	/* other errors */
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	CHECK_ERR(rsetattr(0, &a, 1), EINVAL);
	CHECK_ERR(rsetattr(0, NULL, 0), EINVAL);
	CHECK_ERR(rsetattr(-1, &a, 0), EINVAL);
	CHECK_ERR(rsetattr(0x7ffffff0, &a, 0), ESRCH);
	CHECK_ERR(rsetattr(0, BAD_LOW, 0), EFAULT);
	a.flags = 0x80;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL);
	a.flags = 1ULL << 40;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL);
	a.flags = 0;
	a.policy = (uint32_t)-1;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL);
	a.policy = SCHED_OTHER | SCHED_RESET_ON_FORK; /* only sched_setscheduler takes the bit */
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL);
	a.policy = SCHED_OTHER;
	a.flags = SCHED_FLAG_UTIL_CLAMP_MIN;
	a.size = 48;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL); /* clamps need VER1 */
	a.size = sizeof(a);
	a.util_min = 2000;
	CHECK_ERR2(rsetattr(0, &a, 0), EINVAL, EOPNOTSUPP);
	/* SCHED_DEADLINE: invalid parameters are EINVAL before any privilege check */
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.policy = SCHED_DEADLINE;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL);
	a.runtime = 10000000;
	a.deadline = 5000000;
	a.period = 30000000;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL); /* deadline < runtime */
	a.deadline = 40000000;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL); /* period < deadline */
	a.runtime = 100;
	a.deadline = a.period = 30000000;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL); /* runtime under 1024 ns */
	a.runtime = 10000000;
	a.deadline = a.period = 10000000000ULL;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL); /* period above sched_dl_period_max */
	a.deadline = a.period = 30000000;
	a.priority = 1;
	CHECK_ERR(rsetattr(0, &a, 0), EINVAL); /* no priority for deadline */
	CHECK_EQ(getsched(0), SCHED_OTHER);
	CHECK_EQ(rsetprio(PRIO_PROCESS, 0, 20 - start_prio), 0);
}

static int count_cpus(const unsigned char *m, int bytes)
{
	int n = 0;
	for (int i = 0; i < bytes * 8; i++)
		n += (m[i / 8] >> (i % 8)) & 1;
	return n;
}

static void affinity(void)
{
	unsigned char all[128], m[128];
	memset(all, 0, sizeof(all));
	long n = syscall(SYS_sched_getaffinity, 0, sizeof(all), all);
	CHECK(n >= 8 && n % 8 == 0);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int have = count_cpus(all, (int)n);
	CHECK(have >= 1 && have <= ncpu);
	int first = 0;
	while (!((all[first / 8] >> (first % 8)) & 1))
		first++;
	/* one CPU only */
	memset(m, 0, sizeof(m));
	m[first / 8] = (unsigned char)(1 << (first % 8));
	CHECK_EQ(syscall(SYS_sched_setaffinity, 0, 8, m), 0);
	memset(m, 0xff, sizeof(m));
	CHECK_EQ(syscall(SYS_sched_getaffinity, 0, sizeof(m), m), n);
	CHECK_EQ(count_cpus(m, (int)n), 1);
	CHECK((m[first / 8] >> (first % 8)) & 1);
	unsigned cpu = 12345, node = 12345;
	CHECK_EQ(syscall(SYS_getcpu, &cpu, &node, NULL), 0);
	CHECK_EQ(cpu, (unsigned)first);
	CHECK_EQ(node, 0);
	/* a shorter mask is zero-extended; a longer one (all ones) is cut to the CPUs there are */
	memset(m, 0xff, sizeof(m));
	CHECK_EQ(syscall(SYS_sched_setaffinity, 0, sizeof(m), m), 0);
	memset(m, 0, sizeof(m));
	CHECK_EQ(syscall(SYS_sched_getaffinity, 0, sizeof(m), m), n);
	CHECK_EQ(count_cpus(m, (int)n), have);
	/* empty: EINVAL, and nothing changes */
	memset(m, 0, sizeof(m));
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof(m), m), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, 0, m), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, 0, NULL), EINVAL);
	m[127] = 0x80; /* CPU 1023: none there */
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof(m), m), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof(m), BAD_NULL), EFAULT);
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0x7ffffff0, sizeof(m), BAD_NULL), EFAULT); /* read first */
	CHECK_ERR(syscall(SYS_sched_setaffinity, 0x7ffffff0, sizeof(all), all), ESRCH);
	CHECK_ERR(syscall(SYS_sched_setaffinity, -1, sizeof(all), all), ESRCH);
	CHECK_EQ(syscall(SYS_sched_setaffinity, syscall(SYS_gettid), sizeof(all), all), 0);
	memset(m, 0, sizeof(m));
	CHECK_EQ(syscall(SYS_sched_getaffinity, 0, sizeof(m), m), n);
	CHECK(memcmp(m, all, (size_t)n) == 0);
	/* getaffinity's size rules */
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 4, m), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 12, m), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 0, m), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, sizeof(m), BAD_NULL), EFAULT);
}

static void getcpu_values(void)
{
	unsigned cpu = 12345, node = 12345;
	CHECK_EQ(syscall(SYS_getcpu, &cpu, &node, NULL), 0);
	CHECK(cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF));
	CHECK_EQ(node, 0);
	CHECK_EQ(syscall(SYS_getcpu, &cpu, NULL, NULL), 0);
	CHECK_EQ(syscall(SYS_getcpu, NULL, &node, NULL), 0);
	CHECK_EQ(syscall(SYS_getcpu, NULL, NULL, NULL), 0);
	CHECK_EQ(syscall(SYS_getcpu, &cpu, &node, BAD_LOW), 0); /* the cache argument is unused */
	CHECK_ERR(syscall(SYS_getcpu, BAD_LOW, &node, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_getcpu, &cpu, BAD_HIGH, NULL), EFAULT);
	CHECK(sched_getcpu() >= 0);
}

static long long tv_us(const struct timeval *t) { return (long long)t->tv_sec * 1000000 + t->tv_usec; }

static void burn(long long ns)
{
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i * i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec) < ns);
}

static void getrusage_values(void)
{
	struct rusage r1, r2, th, ch;
	CHECK_EQ(syscall(SYS_getrusage, RUSAGE_SELF, &r1), 0);
	burn(60000000);
	CHECK_EQ(syscall(SYS_getrusage, RUSAGE_THREAD, &th), 0);
	CHECK_EQ(syscall(SYS_getrusage, RUSAGE_SELF, &r2), 0);
	long long t1 = tv_us(&r1.ru_utime) + tv_us(&r1.ru_stime);
	long long t2 = tv_us(&r2.ru_utime) + tv_us(&r2.ru_stime);
	CHECKF(t2 - t1 >= 50000, "60 ms of CPU: usage went from %lld to %lld us", t1, t2);
	CHECK(tv_us(&r2.ru_utime) >= tv_us(&r1.ru_utime));
	CHECK(tv_us(&r2.ru_stime) >= tv_us(&r1.ru_stime));
	CHECK(r2.ru_utime.tv_usec < 1000000 && r2.ru_stime.tv_usec < 1000000);
	CHECK(r2.ru_maxrss > 0);
	long long tt = tv_us(&th.ru_utime) + tv_us(&th.ru_stime);
	CHECKF(tt >= 50000 && tt <= t2 + 20000, "thread %lld us, process %lld us", tt, t2);
	/* no children reaped yet */
	CHECK_EQ(syscall(SYS_getrusage, RUSAGE_CHILDREN, &ch), 0);
	CHECK_EQ(tv_us(&ch.ru_utime) + tv_us(&ch.ru_stime), 0);
	CHECK_ERR(syscall(SYS_getrusage, 2, &r1), EINVAL);
	CHECK_ERR(syscall(SYS_getrusage, -2, &r1), EINVAL); /* RUSAGE_BOTH is kernel-internal */
	CHECK_ERR(syscall(SYS_getrusage, 1000, &r1), EINVAL);
	CHECK_ERR(syscall(SYS_getrusage, RUSAGE_SELF, BAD_NULL), EFAULT);
	CHECK_ERR(syscall(SYS_getrusage, RUSAGE_THREAD, BAD_HIGH), EFAULT);
	CHECK_ERR(syscall(SYS_getrusage, RUSAGE_CHILDREN, BAD_LOW), EFAULT);
}

static void times_values(void)
{
	struct tms a, b;
	long hz = sysconf(_SC_CLK_TCK);
	CHECK_EQ(hz, 100);
	long c1 = syscall(SYS_times, &a);
	CHECK(c1 != -1);
	burn(50000000);
	struct timespec d = {0, 200000000};
	nanosleep(&d, NULL);
	long c2 = syscall(SYS_times, &b);
	CHECKF(c2 - c1 >= 18 && c2 - c1 <= 200, "times went from %ld to %ld over ~250 ms", c1, c2);
	CHECKF(b.tms_utime + b.tms_stime - a.tms_utime - a.tms_stime >= 4, "CPU ticks %ld -> %ld",
	       (long)(a.tms_utime + a.tms_stime), (long)(b.tms_utime + b.tms_stime));
	CHECK_EQ(b.tms_cutime, 0);
	CHECK_EQ(b.tms_cstime, 0);
	CHECK(syscall(SYS_times, NULL) >= c2);
	CHECK_ERR(syscall(SYS_times, BAD_LOW), EFAULT);
}

static void yield_ok(void)
{
	for (int i = 0; i < 5; i++)
		CHECK_EQ(syscall(SYS_sched_yield), 0);
	CHECK_EQ(sched_yield(), 0);
}

int main(void)
{
	if (geteuid() != 0) {
		say("# sched: needs root");
		return 1;
	}
	/* PRIO_PGRP cases must not renice other processes */
	if (syscall(SYS_getpgid, 0) != syscall(SYS_getpid))
		syscall(SYS_setpgid, 0, 0);
	RUN(priority_get_set);
	back_to_normal();
	RUN(priority_ranges);
	RUN(scheduler_policies);
	back_to_normal();
	RUN(sched_attr_rules);
	back_to_normal();
	RUN(affinity);
	RUN(getcpu_values);
	RUN(getrusage_values);
	RUN(times_values);
	RUN(yield_ok);
	DONE();
}
