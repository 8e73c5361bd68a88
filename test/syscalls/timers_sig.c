/*
 * timers_sig.c: timer signals delivered to handlers and to sigtimedwait:
 * SIGALRM from alarm and periodic ITIMER_REAL, interrupted sleeps (EINTR
 * and rem, the restart after a stop), POSIX timer siginfo (SI_TIMER,
 * si_timerid, si_value, si_overrun) and timer_getoverrun, SIGEV_THREAD_ID,
 * and a timerfd read interrupted by a signal.
 *
 * Needs signal delivery (handlers, masks, queued signals): it is not in the
 * conformance PROGRAMS list until the kernel delivers signals. It must pass
 * natively (Linux 6.13 or later: a re-armed timer drops its queued signal).
 */
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#define MS 1000000LL
#define SEC 1000000000LL

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

static struct itimerspec its(long long value_ns, long long interval_ns)
{
	struct itimerspec s;
	s.it_value.tv_sec = value_ns / SEC;
	s.it_value.tv_nsec = value_ns % SEC;
	s.it_interval.tv_sec = interval_ns / SEC;
	s.it_interval.tv_nsec = interval_ns % SEC;
	return s;
}

static volatile sig_atomic_t hits;
static volatile int last_code;
static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	hits++;
	last_code = si->si_code;
}

static void handle(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static void dfl(int sig) { signal(sig, SIG_DFL); }

static void set_real(long long value_us, long long interval_us)
{
	struct itimerval v = {{interval_us / 1000000, interval_us % 1000000}, {value_us / 1000000, value_us % 1000000}};
	setitimer(ITIMER_REAL, &v, NULL);
}

static void alarm_handler(void)
{
	hits = 0;
	handle(SIGALRM, 0);
	set_real(30000, 0);
	long r = syscall(SYS_pause);
	int e = errno;
	dfl(SIGALRM);
	CHECK_EQ(r, -1);
	CHECK_EQ(e, EINTR);
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_code, SI_KERNEL);
}

static void itimer_periodic(void)
{
	hits = 0;
	handle(SIGALRM, SA_RESTART);
	set_real(10000, 10000);
	long long t0 = now_ns(CLOCK_MONOTONIC);
	while (hits < 5 && now_ns(CLOCK_MONOTONIC) - t0 < 5 * SEC)
		sleep_ms(5);
	set_real(0, 0);
	dfl(SIGALRM);
	CHECKF(hits >= 5, "%d SIGALRMs", (int)hits);
}

static void sleep_interrupted(void)
{
	handle(SIGALRM, 0);
	set_real(30000, 0);
	struct timespec req = {1, 0}, rem = {0, 0};
	long r = syscall(SYS_nanosleep, &req, &rem);
	int e = errno;
	CHECK_EQ(r, -1);
	CHECK_EQ(e, EINTR);
	CHECKF(ts_ns(&rem) > 500 * MS && ts_ns(&rem) < SEC, "rem %lld", ts_ns(&rem));
	/* clock_nanosleep, relative: rem too. */
	set_real(30000, 0);
	rem.tv_sec = 0;
	rem.tv_nsec = 0;
	r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, &rem);
	CHECK_EQ(r, -1);
	CHECK_EQ(errno, EINTR);
	CHECK(ts_ns(&rem) > 500 * MS && ts_ns(&rem) < SEC);
	/* Absolute: EINTR, rem untouched. */
	set_real(30000, 0);
	long long target = now_ns(CLOCK_MONOTONIC) + SEC;
	struct timespec abs = {target / SEC, target % SEC};
	rem.tv_sec = 77;
	r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, &rem);
	CHECK_EQ(r, -1);
	CHECK_EQ(errno, EINTR);
	CHECK_EQ(rem.tv_sec, 77);
	/* SA_RESTART does not restart a sleep (ERESTART_RESTARTBLOCK becomes EINTR with a handler). */
	handle(SIGALRM, SA_RESTART);
	set_real(30000, 0);
	r = syscall(SYS_nanosleep, &req, &rem);
	CHECK_EQ(r, -1);
	CHECK_EQ(errno, EINTR);
	dfl(SIGALRM);
}

/* A stop and continue without a handler restarts the sleep (restart_syscall) to the same deadline. */
static void sleep_restarted(void)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		long long t0 = now_ns(CLOCK_MONOTONIC);
		struct timespec req = {0, 300 * MS}, rem = {0, 0};
		long r = syscall(SYS_nanosleep, &req, &rem);
		long long t1 = now_ns(CLOCK_MONOTONIC);
		_exit(r == 0 && t1 - t0 >= 300 * MS && t1 - t0 < 3 * SEC ? 0 : 1);
	}
	sleep_ms(50);
	kill(pid, SIGSTOP);
	sleep_ms(50);
	kill(pid, SIGCONT);
	int st = 0;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", (unsigned)st);
}

static void posix_overrun(void)
{
	int sig = SIGRTMIN + 1;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct sigevent e;
	memset(&e, 0, sizeof e);
	e.sigev_notify = SIGEV_SIGNAL;
	e.sigev_signo = sig;
	e.sigev_value.sival_int = 1234;
	timer_t id;
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &e, &id), 0);
	struct itimerspec n = its(5 * MS, 5 * MS);
	CHECK_EQ(timer_settime(id, 0, &n, NULL), 0);
	sleep_ms(60);
	siginfo_t si;
	struct timespec to = {5, 0};
	CHECK_EQ(sigtimedwait(&set, &si, &to), sig);
	CHECK_EQ(si.si_code, SI_TIMER);
	CHECK_EQ(si.si_value.sival_int, 1234);
	CHECKF(si.si_overrun >= 5, "si_overrun %d", si.si_overrun);
	CHECK_EQ(timer_getoverrun(id), si.si_overrun);
	/* The timer was rearmed at delivery: the next one comes, with few overruns. */
	CHECK_EQ(sigtimedwait(&set, &si, &to), sig);
	CHECK(si.si_overrun >= 0 && si.si_overrun < 1000);
	CHECK_EQ(timer_delete(id), 0);

	/* Re-arming drops a queued signal (Linux 6.13+). */
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &e, &id), 0);
	n = its(1 * MS, 0);
	CHECK_EQ(timer_settime(id, 0, &n, NULL), 0);
	sleep_ms(20);
	n = its(10 * SEC, 0);
	CHECK_EQ(timer_settime(id, 0, &n, NULL), 0);
	struct timespec zero = {0, 0};
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
	/* So does deleting. */
	n = its(1 * MS, 0);
	CHECK_EQ(timer_settime(id, 0, &n, NULL), 0);
	sleep_ms(20);
	CHECK_EQ(timer_delete(id), 0);
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static volatile int thread_tid;
static volatile int thread_got;
static void *waiter(void *arg)
{
	sigset_t *set = arg;
	thread_tid = (int)syscall(SYS_gettid);
	siginfo_t si;
	struct timespec to = {5, 0};
	if (sigtimedwait(set, &si, &to) == SIGUSR2 && si.si_code == SI_TIMER)
		thread_got = (int)syscall(SYS_gettid);
	return NULL;
}

static void thread_id_target(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	thread_tid = 0;
	thread_got = 0;
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, waiter, &set), 0);
	while (thread_tid == 0)
		sleep_ms(1);
	struct sigevent e;
	memset(&e, 0, sizeof e);
	e.sigev_notify = SIGEV_THREAD_ID;
	e.sigev_signo = SIGUSR2;
	e._sigev_un._tid = thread_tid;
	timer_t id;
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &e, &id), 0);
	struct itimerspec n = its(20 * MS, 0);
	CHECK_EQ(timer_settime(id, 0, &n, NULL), 0);
	pthread_join(th, NULL);
	timer_delete(id);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	CHECK_EQ(thread_got, thread_tid);
}

static void timerfd_read_interrupted(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(fd >= 0);
	struct itimerspec n = its(300 * MS, 0);
	CHECK_EQ(timerfd_settime(fd, 0, &n, NULL), 0);
	handle(SIGALRM, 0);
	set_real(30000, 0);
	uint64_t v;
	CHECK_ERR(read(fd, &v, 8), EINTR);
	/* With SA_RESTART the read goes on and gets the expiration. */
	handle(SIGALRM, SA_RESTART);
	set_real(30000, 0);
	CHECK_EQ(read(fd, &v, 8), 8);
	CHECK_EQ(v, 1);
	dfl(SIGALRM);
	close(fd);
}

int main(void)
{
	RUN(alarm_handler);
	RUN(itimer_periodic);
	RUN(sleep_interrupted);
	RUN(sleep_restarted);
	RUN(posix_overrun);
	RUN(thread_id_target);
	RUN(timerfd_read_interrupted);
	DONE();
}
