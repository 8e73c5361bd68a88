/*
 * signals.c: signal generation and delivery as processes see it (man 7
 * signal, sigaction(2), sigprocmask(2), sigsuspend(2), sigtimedwait(2),
 * sigqueue(3), kill(2), tgkill(2), waitpid(2)/waitid(2) job control):
 * handlers interrupting blocking calls (read, sem_wait, waitpid: EINTR, or
 * restarted with SA_RESTART), signals sent by a child or by another thread,
 * which thread takes a process-directed signal, stop/continue reports and
 * every thread stopping, a stop in the middle of read, SIGCONT with a
 * handler, SIGCHLD and its siginfo, SA_NOCLDSTOP, SA_NOCLDWAIT and ignored
 * SIGCHLD, the order of real-time signals and the merging of standard ones,
 * rt_sigqueueinfo permissions, sigtimedwait/sigwaitinfo (also for a signal
 * whose default action is fatal), what fork inherits, sigaction round trips,
 * kill's targets and errors, what cannot be caught or blocked, default
 * actions, sigsuspend and pause, and an interrupted nanosleep.
 *
 * Handlers, faults, the signal frame, the alternate stack and sigreturn are
 * in sigframe.c; FP state across a handler in signals_fp.c.
 *
 * Every case starts from reset_signals(): all actions SIG_DFL, nothing
 * pending, nothing blocked. Children never print: they report through pipes
 * (fixed-size records) or their exit status, and end with _exit.
 */
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

/* --- children ------------------------------------------------------------------------------ */

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

/* waitpid that retries on EINTR and forgets the child once reaped (not on a stop or continue report). */
static pid_t reap(pid_t p, int *st, int flags)
{
	pid_t r;
	int s = 0;
	do
		r = waitpid(p, &s, flags);
	while (r < 0 && errno == EINTR);
	if (r > 0 && (WIFEXITED(s) || WIFSIGNALED(s)))
		forget(r);
	if (st)
		*st = s;
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

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
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

struct rec {
	long a, b, c, d, e, f;
};

static void send_rec(int fd, long a, long b, long c, long d, long e, long f)
{
	struct rec r = {a, b, c, d, e, f};
	write_full(fd, &r, sizeof(r));
}

/*
 * A child that sends sig to target every interval_ms (the first after one
 * interval), so that one of them lands while the target blocks, whatever the
 * scheduling. After `count` signals (0: forever) it writes a byte to wfd (if
 * >= 0) and exits. The parent kills it when done.
 */
static pid_t pester(pid_t target, int sig, long interval_ms, int count, int wfd)
{
	pid_t c = spawn();
	if (c == 0) {
		for (int i = 0; count == 0 || i < count; i++) {
			msleep(interval_ms);
			kill(target, sig);
		}
		if (wfd >= 0) {
			msleep(interval_ms);
			write_full(wfd, "x", 1);
		}
		_exit(0);
	}
	return c;
}

static void stop_kid(pid_t c)
{
	if (c > 0) {
		kill(c, SIGKILL);
		reap(c, NULL, 0);
	}
}

/* --- signal state ---------------------------------------------------------------------------- */

/* Every action back to SIG_DFL (through SIG_IGN, which discards pending signals), nothing blocked. */
static void reset_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	for (int s = 1; s <= 64; s++) {
		if (s == SIGKILL || s == SIGSTOP || s == 32 || s == 33)
			continue;
		sa.sa_handler = SIG_IGN;
		sigaction(s, &sa, NULL);
		sa.sa_handler = SIG_DFL;
		sigaction(s, &sa, NULL);
	}
	uint64_t none = 0;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
}

static int set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	return sigaction(sig, &sa, NULL);
}

static int set_action(int sig, void (*fn)(int, siginfo_t *, void *), int flags, const sigset_t *mask)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	if (mask)
		sa.sa_mask = *mask;
	return sigaction(sig, &sa, NULL);
}

/* The raw 64-bit mask (rt_sigprocmask, no glibc filtering). */
static uint64_t get_mask(void)
{
	uint64_t m = 0;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
	return m;
}

static int block_sig(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return sigprocmask(SIG_BLOCK, &s, NULL);
}

static int unblock_sig(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static uint64_t pending_mask(void)
{
	uint64_t m = 0;
	syscall(SYS_rt_sigpending, &m, 8);
	return m;
}

#define BIT(s) (1ULL << ((s) - 1))

static pid_t my_tid(void) { return (pid_t)syscall(SYS_gettid); }

/* What handlers saw. */
static volatile int hits;
static volatile int hit_sig[16];
static volatile int hit_code[16];
static volatile int hit_val[16];
static volatile pid_t hit_pid[16];
static volatile int hit_status[16];
static volatile uint64_t hit_mask;
static volatile uint64_t hit_ucmask;

static void counter(int sig)
{
	(void)sig;
	hits++;
}

static void recorder(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	int i = hits;
	if (i < 16) {
		hit_sig[i] = sig;
		hit_code[i] = si->si_code;
		hit_val[i] = si->si_value.sival_int;
		hit_pid[i] = si->si_pid;
		hit_status[i] = si->si_status;
	}
	hit_mask = get_mask();
	memcpy((void *)&hit_ucmask, &uc->uc_sigmask, 8);
	hits = i + 1;
}

static void clear_hits(void)
{
	hits = 0;
	for (int i = 0; i < 16; i++)
		hit_sig[i] = hit_code[i] = hit_val[i] = hit_pid[i] = hit_status[i] = 0;
	hit_mask = hit_ucmask = 0;
}

/* --- interrupted reads ----------------------------------------------------------------------- */

static void read_eintr_from_child(void)
{
	int p[2];
	char c;
	clear_hits();
	CHECK_OK(set_handler(SIGUSR1, counter, 0));
	CHECK_OK(pipe(p));
	pid_t k = pester(getpid(), SIGUSR1, 50, 0, -1);
	CHECK_OK(k);
	errno = 0;
	ssize_t r = read(p[0], &c, 1);
	int e = errno;
	stop_kid(k);
	close2(p);
	errno = e;
	CHECK_EQ(r, -1);
	CHECK_EQ(e, EINTR);
	CHECK(hits >= 1);
}

static void read_restart_from_child(void)
{
	int p[2];
	char c = 0;
	clear_hits();
	CHECK_OK(set_handler(SIGUSR1, counter, SA_RESTART));
	CHECK_OK(pipe(p));
	/* Three signals 50 ms apart, then a byte 50 ms later: the read restarts each time. */
	pid_t k = pester(getpid(), SIGUSR1, 50, 3, p[1]);
	CHECK_OK(k);
	ssize_t r = read(p[0], &c, 1);
	int e = errno;
	int st = 0;
	reap(k, &st, 0);
	close2(p);
	errno = e;
	CHECK_EQ(r, 1);
	CHECK_EQ(c, 'x');
	CHECK_EQ(hits, 3);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

struct thread_arg {
	pthread_t main;
	pid_t pid;
	int sig;
	int count; /* 0: until stop */
	int wfd;
	int use_kill; /* process-directed kill() with the signal blocked in this thread */
	volatile int stop;
};

static void *pester_thread(void *v)
{
	struct thread_arg *a = v;
	if (a->use_kill) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, a->sig);
		pthread_sigmask(SIG_BLOCK, &s, NULL);
	}
	for (int i = 0; (a->count == 0 || i < a->count) && !a->stop; i++) {
		msleep(50);
		if (a->stop)
			break;
		if (a->use_kill)
			kill(a->pid, a->sig);
		else
			pthread_kill(a->main, a->sig);
	}
	if (a->wfd >= 0) {
		msleep(50);
		write_full(a->wfd, "y", 1);
	}
	return NULL;
}

static void read_eintr_from_thread(void)
{
	int p[2];
	char c;
	pthread_t th;
	struct thread_arg a = {pthread_self(), getpid(), SIGUSR1, 0, -1, 0, 0};
	clear_hits();
	CHECK_OK(set_handler(SIGUSR1, counter, 0));
	CHECK_OK(pipe(p));
	CHECK_EQ(pthread_create(&th, NULL, pester_thread, &a), 0);
	errno = 0;
	ssize_t r = read(p[0], &c, 1);
	int e = errno;
	a.stop = 1;
	pthread_join(th, NULL);
	close2(p);
	errno = e;
	CHECK_EQ(r, -1);
	CHECK_EQ(e, EINTR);
	CHECK(hits >= 1);
}

static void read_restart_from_thread(void)
{
	int p[2];
	char c = 0;
	pthread_t th;
	clear_hits();
	CHECK_OK(set_handler(SIGUSR1, counter, SA_RESTART));
	CHECK_OK(pipe(p));
	/* kill(getpid()) from a thread that blocks the signal: only the main thread can take it. */
	struct thread_arg a = {pthread_self(), getpid(), SIGUSR1, 3, p[1], 1, 0};
	CHECK_EQ(pthread_create(&th, NULL, pester_thread, &a), 0);
	ssize_t r = read(p[0], &c, 1);
	int e = errno;
	pthread_join(th, NULL);
	close2(p);
	errno = e;
	CHECK_EQ(r, 1);
	CHECK_EQ(c, 'y');
	CHECK_EQ(hits, 3);
}

/* Other blocking calls a handler interrupts: sem_wait (a futex wait), waitpid. */
static void other_calls_eintr(void)
{
	sem_t sem;
	int st;
	clear_hits();
	CHECK_OK(set_handler(SIGUSR1, counter, 0));
	CHECK_OK(sem_init(&sem, 0, 0));
	pid_t k = pester(getpid(), SIGUSR1, 50, 0, -1);
	CHECK_OK(k);
	errno = 0;
	int r = sem_wait(&sem);
	int e = errno;
	stop_kid(k);
	errno = e;
	CHECK_EQ(r, -1);
	CHECK_EQ(e, EINTR);
	CHECK(hits >= 1);
	/* waitpid for a child that lives on: EINTR without SA_RESTART... */
	pid_t c = spawn();
	if (c == 0) {
		msleep(400);
		_exit(9);
	}
	CHECK_OK(c);
	k = pester(getpid(), SIGUSR1, 50, 2, -1);
	CHECK_OK(k);
	CHECK_ERR(waitpid(c, &st, 0), EINTR);
	CHECK_EQ(reap(k, &st, 0), k);
	/* ...restarted with it: returns when the child ends. */
	CHECK_OK(set_handler(SIGUSR1, counter, SA_RESTART));
	int before = hits;
	k = pester(getpid(), SIGUSR1, 50, 2, -1);
	CHECK_OK(k);
	CHECK_EQ(waitpid(c, &st, 0), c);
	forget(c);
	CHECK_EQ(st, 9 << 8);
	CHECK(hits >= before + 2);
	CHECK_EQ(reap(k, &st, 0), k);
}

/* --- job control ------------------------------------------------------------------------------ */

/*
 * A child that pauses forever, in a process group of its own: a group whose
 * parent is in another group of the session is not orphaned, so stop signals
 * other than SIGSTOP stop it however this program was started (a group
 * orphaned by a setsid'd launcher would discard SIGTTIN and SIGTSTP).
 */
static pid_t sleeper(void)
{
	pid_t c = spawn();
	if (c == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	if (c > 0)
		setpgid(c, c);
	return c;
}

static void stop_continue_waitpid(void)
{
	int st = 0;
	pid_t c = sleeper();
	CHECK_OK(c);
	CHECK_OK(kill(c, SIGSTOP));
	CHECK_EQ(reap(c, &st, WUNTRACED), c);
	CHECKF(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status 0x%x, want stopped by SIGSTOP", st);
	CHECK_EQ(st, 0x137f);
	/* Reported once. */
	CHECK_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), 0);
	CHECK_OK(kill(c, SIGCONT));
	CHECK_EQ(reap(c, &st, WCONTINUED), c);
	CHECKF(WIFCONTINUED(st), "status 0x%x, want continued", st);
	CHECK_EQ(st, 0xffff);
	CHECK_EQ(waitpid(c, &st, WCONTINUED | WNOHANG), 0);
	/* A stop signal other than SIGSTOP. */
	CHECK_OK(kill(c, SIGTTIN));
	CHECK_EQ(reap(c, &st, WUNTRACED), c);
	CHECKF(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN, "status 0x%x, want stopped by SIGTTIN", st);
	CHECK_OK(kill(c, SIGCONT));
	CHECK_EQ(reap(c, &st, WCONTINUED), c);
	CHECK_EQ(st, 0xffff);
	CHECK_OK(kill(c, SIGKILL));
	CHECK_EQ(reap(c, &st, 0), c);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status 0x%x", st);
}

static void stop_continue_waitid(void)
{
	siginfo_t si;
	int st;
	pid_t c = sleeper();
	CHECK_OK(c);
	CHECK_OK(kill(c, SIGSTOP));
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WSTOPPED), 0);
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK_EQ(si.si_code, CLD_STOPPED);
	CHECK_EQ(si.si_status, SIGSTOP);
	CHECK_EQ(si.si_pid, c);
	CHECK_EQ(si.si_uid, getuid());
	/* Already reported: WNOHANG finds nothing (si_pid 0). */
	memset(&si, 0xff, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WSTOPPED | WNOHANG), 0);
	CHECK_EQ(si.si_pid, 0);
	CHECK_OK(kill(c, SIGCONT));
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WCONTINUED), 0);
	CHECK_EQ(si.si_signo, SIGCHLD);
	CHECK_EQ(si.si_code, CLD_CONTINUED);
	CHECK_EQ(si.si_status, SIGCONT);
	CHECK_EQ(si.si_pid, c);
	/* WNOWAIT leaves the stop report to be collected again. */
	CHECK_OK(kill(c, SIGSTOP));
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WSTOPPED | WNOWAIT), 0);
	CHECK_EQ(si.si_code, CLD_STOPPED);
	CHECK_EQ(reap(c, &st, WUNTRACED), c);
	CHECK_EQ(st, 0x137f);
	/* A stopped process still dies of SIGKILL. */
	CHECK_OK(kill(c, SIGKILL));
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WEXITED), 0);
	forget(c);
	CHECK_EQ(si.si_code, CLD_KILLED);
	CHECK_EQ(si.si_status, SIGKILL);
}

static void sigchld_siginfo(void)
{
	int st;
	sigset_t none;
	sigemptyset(&none);
	clear_hits();
	CHECK_OK(set_action(SIGCHLD, recorder, 0, NULL));
	CHECK_OK(block_sig(SIGCHLD));
	pid_t c = spawn();
	if (c == 0)
		_exit(42);
	CHECK_OK(c);
	while (hits == 0)
		sigsuspend(&none);
	CHECK_EQ(hits, 1);
	CHECK_EQ(hit_sig[0], SIGCHLD);
	CHECK_EQ(hit_code[0], CLD_EXITED);
	CHECK_EQ(hit_status[0], 42);
	CHECK_EQ(hit_pid[0], c);
	/* The handler did not reap it. */
	CHECK_EQ(reap(c, &st, 0), c);
	CHECK_EQ(st, 42 << 8);

	/* Killed: CLD_KILLED and the signal number. */
	c = sleeper();
	CHECK_OK(c);
	CHECK_OK(kill(c, SIGKILL));
	while (hits == 1)
		sigsuspend(&none);
	CHECK_EQ(hits, 2);
	CHECK_EQ(hit_code[1], CLD_KILLED);
	CHECK_EQ(hit_status[1], SIGKILL);
	CHECK_EQ(hit_pid[1], c);
	CHECK_EQ(reap(c, &st, 0), c);
	CHECK_EQ(st, SIGKILL);
}

/* The next SIGCHLD (blocked), waited for: its siginfo. */
static int next_chld(siginfo_t *si)
{
	sigset_t s;
	struct timespec ts = {10, 0};
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	memset(si, 0, sizeof(*si));
	return sigtimedwait(&s, si, &ts);
}

static void sigchld_stop_reports(void)
{
	int st;
	siginfo_t si;
	clear_hits();
	/*
	 * Without SA_NOCLDSTOP: stop and continue each raise SIGCHLD (the
	 * continue one is sent when the child runs again, so it may come after
	 * waitpid reports the continue: it is waited for).
	 */
	CHECK_OK(set_action(SIGCHLD, recorder, 0, NULL));
	CHECK_OK(block_sig(SIGCHLD));
	pid_t c = sleeper();
	CHECK_OK(c);
	CHECK_OK(kill(c, SIGSTOP));
	CHECK_EQ(reap(c, &st, WUNTRACED), c);
	CHECK_EQ(next_chld(&si), SIGCHLD);
	CHECK_EQ(si.si_code, CLD_STOPPED);
	CHECK_EQ(si.si_status, SIGSTOP);
	CHECK_EQ(si.si_pid, c);
	CHECK_OK(kill(c, SIGCONT));
	CHECK_EQ(reap(c, &st, WCONTINUED), c);
	CHECK_EQ(next_chld(&si), SIGCHLD);
	CHECK_EQ(si.si_code, CLD_CONTINUED);
	CHECK_EQ(si.si_status, SIGCONT);
	CHECK_EQ(si.si_pid, c);
	/* Through the handler too. */
	CHECK_OK(kill(c, SIGSTOP));
	CHECK_EQ(reap(c, &st, WUNTRACED), c);
	CHECK_EQ(pending_mask(), BIT(SIGCHLD));
	CHECK_OK(unblock_sig(SIGCHLD)); /* delivered before sigprocmask returns */
	CHECK_EQ(hits, 1);
	CHECK_EQ(hit_code[0], CLD_STOPPED);
	CHECK_EQ(hit_status[0], SIGSTOP);
	CHECK_EQ(hit_pid[0], c);
	CHECK_OK(block_sig(SIGCHLD));
	CHECK_OK(kill(c, SIGCONT));
	CHECK_EQ(reap(c, &st, WCONTINUED), c);
	CHECK_EQ(next_chld(&si), SIGCHLD);

	/* SA_NOCLDSTOP: neither stop nor continue raise it; the exit does. */
	CHECK_OK(set_action(SIGCHLD, recorder, SA_NOCLDSTOP, NULL));
	CHECK_OK(kill(c, SIGSTOP));
	CHECK_EQ(reap(c, &st, WUNTRACED), c);
	CHECK_EQ(st, 0x137f);
	CHECK_OK(kill(c, SIGCONT));
	CHECK_EQ(reap(c, &st, WCONTINUED), c);
	CHECK_EQ(st, 0xffff);
	msleep(100); /* a wrong continue notice would be sent by now */
	CHECK_EQ(pending_mask(), 0);
	CHECK_OK(kill(c, SIGTERM));
	CHECK_EQ(reap(c, &st, 0), c);
	CHECK_EQ(pending_mask(), BIT(SIGCHLD));
	CHECK_OK(unblock_sig(SIGCHLD));
	CHECK_EQ(hits, 2);
	CHECK_EQ(hit_code[1], CLD_KILLED);
	CHECK_EQ(hit_status[1], SIGTERM);
}

static void sigchld_ignored_autoreap(void)
{
	int st;
	CHECK_OK(set_handler(SIGCHLD, SIG_IGN, 0));
	pid_t c = spawn();
	if (c == 0) {
		msleep(30);
		_exit(5);
	}
	CHECK_OK(c);
	/* Waits for the child to end, then finds no child to report. */
	CHECK_ERR(waitpid(c, &st, 0), ECHILD);
	forget(c);
	CHECK_ERR(kill(c, 0), ESRCH);
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
}

static void sa_nocldwait(void)
{
	int st;
	siginfo_t si;
	clear_hits();
	/* SA_NOCLDWAIT with a handler: the child is reaped on its own, SIGCHLD still comes. */
	CHECK_OK(set_action(SIGCHLD, recorder, SA_NOCLDWAIT, NULL));
	CHECK_OK(block_sig(SIGCHLD));
	pid_t c = spawn();
	if (c == 0)
		_exit(6);
	CHECK_OK(c);
	CHECK_ERR(waitpid(c, &st, 0), ECHILD);
	forget(c);
	CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD);
	CHECK_EQ(pending_mask(), BIT(SIGCHLD));
	CHECK_OK(unblock_sig(SIGCHLD));
	CHECK_EQ(hits, 1);
	CHECK_EQ(hit_code[0], CLD_EXITED);
	CHECK_EQ(hit_status[0], 6);
	CHECK_EQ(hit_pid[0], c);
}

/* --- queueing -------------------------------------------------------------------------------- */

static void rt_queue_order_handlers(void)
{
	sigset_t all, set;
	int lo = SIGRTMIN;
	sigfillset(&all);
	sigemptyset(&set);
	clear_hits();
	/* sa_mask full: one handler at a time, in dequeue order. */
	for (int s = lo; s <= lo + 2; s++) {
		CHECK_OK(set_action(s, recorder, 0, &all));
		sigaddset(&set, s);
	}
	CHECK_OK(set_action(SIGUSR2, recorder, 0, &all));
	sigaddset(&set, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	CHECK_OK(sigqueue(getpid(), lo + 2, (union sigval){.sival_int = 1}));
	CHECK_OK(sigqueue(getpid(), lo, (union sigval){.sival_int = 2}));
	CHECK_OK(sigqueue(getpid(), lo + 1, (union sigval){.sival_int = 3}));
	CHECK_OK(sigqueue(getpid(), lo, (union sigval){.sival_int = 4}));
	CHECK_OK(sigqueue(getpid(), lo + 2, (union sigval){.sival_int = 5}));
	CHECK_OK(sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 6}));
	CHECK_EQ(hits, 0);
	CHECK_EQ(pending_mask(), BIT(lo) | BIT(lo + 1) | BIT(lo + 2) | BIT(SIGUSR2));
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	CHECK_EQ(hits, 6);
	static const int want_sig[6] = {SIGUSR2, 0, 0, 1, 2, 2};
	static const int want_val[6] = {6, 2, 4, 3, 1, 5};
	for (int i = 0; i < 6; i++) {
		int ws = i == 0 ? SIGUSR2 : lo + want_sig[i];
		CHECKF(hit_sig[i] == ws && hit_val[i] == want_val[i],
		       "delivery %d: signal %d value %d, want signal %d value %d", i, hit_sig[i], hit_val[i], ws, want_val[i]);
		CHECK_EQ(hit_code[i], SI_QUEUE);
		CHECK_EQ(hit_pid[i], getpid());
	}
	CHECK_EQ(pending_mask(), 0);
}

static void rt_queue_order_sigwait(void)
{
	sigset_t set;
	siginfo_t si;
	int lo = SIGRTMIN;
	sigemptyset(&set);
	sigaddset(&set, lo);
	sigaddset(&set, lo + 5);
	sigaddset(&set, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	CHECK_OK(sigqueue(getpid(), lo + 5, (union sigval){.sival_int = 10}));
	CHECK_OK(sigqueue(getpid(), lo + 5, (union sigval){.sival_int = 11}));
	CHECK_OK(sigqueue(getpid(), lo, (union sigval){.sival_int = 12}));
	CHECK_OK(kill(getpid(), lo + 5)); /* an RT signal from kill queues too (SI_USER) */
	CHECK_OK(sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 13}));
	static const int want_off[5] = {-1, 0, 5, 5, 5};
	static const int want_val[5] = {13, 12, 10, 11, -1};
	for (int i = 0; i < 5; i++) {
		memset(&si, 0, sizeof(si));
		int r = sigwaitinfo(&set, &si);
		int ws = want_off[i] < 0 ? SIGUSR1 : lo + want_off[i];
		CHECKF(r == ws, "sigwaitinfo %d returned %d (errno %s), want %d", i, r, errname(errno), ws);
		CHECK_EQ(si.si_signo, ws);
		CHECK_EQ(si.si_pid, getpid());
		if (want_val[i] >= 0) {
			CHECK_EQ(si.si_code, SI_QUEUE);
			CHECK_EQ(si.si_value.sival_int, want_val[i]);
		} else {
			CHECK_EQ(si.si_code, SI_USER);
		}
	}
	CHECK_EQ(pending_mask(), 0);
	struct timespec zero = {0, 0};
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
}

static void standard_signals_merge(void)
{
	siginfo_t si;
	sigset_t set;
	clear_hits();
	CHECK_OK(set_handler(SIGUSR1, counter, 0));
	CHECK_OK(block_sig(SIGUSR1));
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_EQ(pending_mask(), BIT(SIGUSR1));
	CHECK_EQ(hits, 0);
	CHECK_OK(unblock_sig(SIGUSR1));
	CHECK_EQ(hits, 1);
	CHECK_EQ(pending_mask(), 0);
	/*
	 * The process's queue (kill) and the thread's (tgkill) are separate:
	 * one instance pending in each, so two deliveries.
	 */
	CHECK_OK(block_sig(SIGUSR1));
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_OK(syscall(SYS_tgkill, getpid(), my_tid(), SIGUSR1));
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_OK(syscall(SYS_tgkill, getpid(), my_tid(), SIGUSR1));
	CHECK_EQ(pending_mask(), BIT(SIGUSR1));
	CHECK_OK(unblock_sig(SIGUSR1));
	CHECK_EQ(hits, 3);
	CHECK_EQ(pending_mask(), 0);

	/* The first instance's siginfo is the one kept. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	CHECK_OK(kill(getpid(), SIGUSR2));
	CHECK_OK(sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 77}));
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sigwaitinfo(&set, &si), SIGUSR2);
	CHECK_EQ(si.si_code, SI_USER);
	CHECK_EQ(si.si_pid, getpid());
	CHECK_EQ(si.si_uid, getuid());
	struct timespec zero = {0, 0};
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
}

static int queueinfo(pid_t pid, int sig, int code, int val)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = 4242;
	si.si_uid = 4343;
	si.si_value.sival_int = val;
	return (int)syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static void *queueinfo_thread(void *v)
{
	/* From a thread other than the main one, the PID is not "ourselves" (the TID is compared). */
	errno = 0;
	long r = queueinfo(getpid(), SIGUSR1, SI_USER, 1);
	*(long *)v = r < 0 ? -errno : r;
	return NULL;
}

static void sigqueueinfo_perm(void)
{
	int p[2];
	struct rec r;
	siginfo_t si;
	sigset_t set;
	CHECK_OK(pipe(p));
	CHECK_OK(block_sig(SIGUSR1));
	pid_t c = spawn();
	if (c == 0) {
		sigset_t s;
		siginfo_t i;
		struct timespec ts = {10, 0};
		/* Caught, not fatal: only sigtimedwait is tested here (see sigwait_fatal_default). */
		set_handler(SIGUSR1, counter, 0);
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		int got = sigtimedwait(&s, &i, &ts);
		send_rec(p[1], got, i.si_code, i.si_value.sival_int, i.si_pid, i.si_uid, 0);
		_exit(0);
	}
	CHECK_OK(c);
	close(p[1]);
	/* Posing as kill (SI_USER), the kernel (SI_KERNEL) or tkill to another process: EPERM. */
	CHECK_ERR(queueinfo(c, SIGUSR1, SI_USER, 1), EPERM);
	CHECK_ERR(queueinfo(c, SIGUSR1, SI_KERNEL, 1), EPERM);
	CHECK_ERR(queueinfo(c, SIGUSR1, SI_TKILL, 1), EPERM);
	CHECK_ERR(queueinfo(c, SIGUSR1, 1 /* a positive, kernel code */, 1), EPERM);
	/* Bad signal numbers. */
	CHECK_ERR(queueinfo(c, 65, SI_QUEUE, 1), EINVAL);
	CHECK_ERR(queueinfo(c, -1, SI_QUEUE, 1), EINVAL);
	/* A negative code other than SI_TKILL goes through, siginfo as given. */
	CHECK_EQ(queueinfo(c, SIGUSR1, SI_QUEUE, 99), 0);
	CHECK_EQ(read_full(p[0], &r, sizeof(r)), 0);
	CHECK_EQ(r.a, SIGUSR1);
	CHECK_EQ(r.b, SI_QUEUE);
	CHECK_EQ(r.c, 99);
	CHECK_EQ(r.d, 4242);
	CHECK_EQ(r.e, 4343);
	int st;
	CHECK_EQ(reap(c, &st, 0), c);
	CHECK_EQ(st, 0);
	close(p[0]);
	/* Sent by the process itself (main thread), any code is accepted. */
	CHECK_EQ(queueinfo(getpid(), SIGUSR1, SI_USER, 5), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sigwaitinfo(&set, &si), SIGUSR1);
	CHECK_EQ(si.si_code, SI_USER);
	CHECK_EQ(si.si_pid, 4242);
	/* To a process that does not exist. */
	CHECK_ERR(queueinfo(c, SIGUSR1, SI_QUEUE, 1), ESRCH);
	/*
	 * From another thread of the process: EPERM (Linux compares the
	 * caller's TID, task_pid_vnr(current), with the PID argument).
	 */
	pthread_t th;
	long tr = 0;
	CHECK_EQ(pthread_create(&th, NULL, queueinfo_thread, &tr), 0);
	pthread_join(th, NULL);
	CHECK_EQ(tr, -EPERM);
	CHECK_EQ(pending_mask(), 0);
}

static void sigtimedwait_timeout(void)
{
	sigset_t set;
	siginfo_t si;
	struct timespec ts = {0, 100 * 1000000L};
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	long t0 = now_ms();
	CHECK_ERR(sigtimedwait(&set, &si, &ts), EAGAIN);
	long dt = now_ms() - t0;
	CHECKF(dt >= 95 && dt < 2000, "waited %ld ms, want about 100", dt);
	struct timespec zero = {0, 0};
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
	/* Raw rt_sigtimedwait: bad timeouts and sigset size. */
	struct timespec bad = {0, 1000000000L};
	CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &bad, 8), EINVAL);
	struct timespec neg = {-1, 0};
	CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &neg, 8), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 4), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigtimedwait, BAD_LOW, &si, &zero, 8), EFAULT);
	/* Another signal with a handler interrupts the wait: EINTR. */
	clear_hits();
	CHECK_OK(set_handler(SIGUSR1, counter, SA_RESTART));
	pid_t k = pester(getpid(), SIGUSR1, 50, 0, -1);
	CHECK_OK(k);
	struct timespec longer = {10, 0};
	errno = 0;
	int r = sigtimedwait(&set, &si, &longer);
	int e = errno;
	stop_kid(k);
	errno = e;
	CHECK_EQ(r, -1);
	CHECK_EQ(e, EINTR);
	CHECK(hits >= 1);
}

static void sigwaitinfo_consumes(void)
{
	sigset_t set;
	siginfo_t si;
	clear_hits();
	CHECK_OK(set_handler(SIGUSR1, counter, 0));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	CHECK_OK(kill(getpid(), SIGUSR1));
	sigset_t pend;
	CHECK_OK(sigpending(&pend));
	CHECK_EQ(sigismember(&pend, SIGUSR1), 1);
	CHECK_EQ(sigismember(&pend, SIGUSR2), 0);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sigwaitinfo(&set, &si), SIGUSR1);
	CHECK_EQ(si.si_signo, SIGUSR1);
	CHECK_EQ(si.si_code, SI_USER);
	CHECK_EQ(si.si_pid, getpid());
	CHECK_EQ(si.si_uid, getuid());
	CHECK_OK(sigpending(&pend));
	CHECK_EQ(sigismember(&pend, SIGUSR1), 0);
	/* Consumed: unblocking runs no handler. */
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	CHECK_EQ(hits, 0);
	/* Still blocked after sigwaitinfo, which only unblocks while waiting. */
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	/* A signal that arrives while waiting (sent by a child). */
	pid_t k = pester(getpid(), SIGUSR1, 50, 1, -1);
	CHECK_OK(k);
	memset(&si, 0, sizeof(si));
	int r = sigwaitinfo(&set, &si);
	int e = errno;
	int st;
	reap(k, &st, 0);
	errno = e;
	CHECK_EQ(r, SIGUSR1);
	CHECK_EQ(si.si_pid, k);
	CHECK_EQ(si.si_code, SI_USER);
	CHECK_EQ(hits, 0);
	CHECK_EQ(get_mask(), BIT(SIGUSR1));
	/* rt_sigpending: a size larger than the sigset is EINVAL, a bad pointer EFAULT. */
	uint64_t m;
	CHECK_ERR(syscall(SYS_rt_sigpending, &m, 16), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigpending, BAD_LOW, 8), EFAULT);
}

/*
 * A signal whose default action is fatal, blocked and waited for: it is
 * taken by sigtimedwait, not acted on while the wait unblocks it
 * (complete_signal's real_blocked test).
 */
static void sigwait_fatal_default(void)
{
	int p[2], st;
	char ch;
	CHECK_OK(pipe(p));
	pid_t c = spawn();
	if (c == 0) {
		sigset_t s;
		siginfo_t i;
		struct timespec ts = {10, 0};
		sigemptyset(&s);
		sigaddset(&s, SIGTERM);
		sigaddset(&s, SIGRTMIN);
		sigprocmask(SIG_BLOCK, &s, NULL);
		write_full(p[1], "r", 1);
		int a = sigtimedwait(&s, &i, &ts);
		int b = sigtimedwait(&s, &i, &ts);
		_exit(a == SIGTERM && b == SIGRTMIN ? 0 : 1);
	}
	CHECK_OK(c);
	close(p[1]);
	CHECK_EQ(read_full(p[0], &ch, 1), 0);
	close(p[0]);
	msleep(100); /* in sigtimedwait by now */
	CHECK_OK(kill(c, SIGTERM));
	msleep(100);
	CHECK_OK(kill(c, SIGRTMIN));
	CHECK_EQ(reap(c, &st, 0), c);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x, want exit 0", st);
}

/* --- threads and processes ------------------------------------------------------------------ */

static volatile pid_t handler_tid;

static void tid_handler(int sig)
{
	(void)sig;
	handler_tid = my_tid();
	hits++;
}

struct waiter_arg {
	int ready[2];
	volatile pid_t tid;
	volatile uint64_t pending;
	volatile int paused;
};

static void *unblocked_waiter(void *v)
{
	struct waiter_arg *a = v;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	a->tid = my_tid();
	write_full(a->ready[1], "r", 1);
	errno = 0;
	a->paused = pause();
	return NULL;
}

static void *pending_reader(void *v)
{
	((struct waiter_arg *)v)->pending = pending_mask();
	return NULL;
}

static void process_signal_picks_thread(void)
{
	struct waiter_arg a = {{-1, -1}, 0, 0, 0};
	pthread_t th;
	char ch;
	clear_hits();
	handler_tid = 0;
	CHECK_OK(set_handler(SIGUSR1, tid_handler, 0));
	CHECK_OK(block_sig(SIGUSR1));
	CHECK_OK(pipe(a.ready));
	CHECK_EQ(pthread_create(&th, NULL, unblocked_waiter, &a), 0);
	CHECK_EQ(read_full(a.ready[0], &ch, 1), 0);
	msleep(50); /* in pause() by now */
	/* Process-directed: the one thread that does not block it takes it, and its pause ends. */
	CHECK_OK(kill(getpid(), SIGUSR1));
	pthread_join(th, NULL);
	close2(a.ready);
	CHECK_EQ(hits, 1);
	CHECK_EQ(handler_tid, a.tid);
	CHECK_EQ(a.paused, -1);
	CHECK_EQ(pending_mask(), 0);
	/* Thread-directed to us while we block it: pending for us only, not seen by other threads. */
	CHECK_OK(syscall(SYS_tgkill, getpid(), my_tid(), SIGUSR1));
	CHECK_EQ(pending_mask(), BIT(SIGUSR1));
	a.pending = 99;
	CHECK_EQ(pthread_create(&th, NULL, pending_reader, &a), 0);
	pthread_join(th, NULL);
	CHECK_EQ(a.pending, 0);
	/* A process-directed one is seen by every thread (that blocks it). */
	CHECK_OK(kill(getpid(), SIGUSR2 + 0 * block_sig(SIGUSR2)));
	CHECK_EQ(pthread_create(&th, NULL, pending_reader, &a), 0);
	pthread_join(th, NULL);
	CHECK_EQ(a.pending, BIT(SIGUSR2));
	CHECK_OK(set_handler(SIGUSR2, SIG_IGN, 0));
	CHECK_OK(unblock_sig(SIGUSR1));
	CHECK_EQ(hits, 2);
	CHECK_EQ(handler_tid, my_tid());
}

static volatile long *spin;

static void *spinner(void *v)
{
	(void)v;
	for (;;)
		spin[1]++;
	return NULL;
}

static void stop_stops_all_threads(void)
{
	int st;
	spin = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(spin != MAP_FAILED);
	pid_t c = spawn();
	if (c == 0) {
		pthread_t th;
		pthread_create(&th, NULL, spinner, NULL);
		for (;;)
			spin[0]++;
	}
	CHECK_OK(c);
	long t0 = now_ms();
	while ((spin[0] == 0 || spin[1] == 0) && now_ms() - t0 < 5000)
		msleep(5);
	CHECK(spin[0] != 0 && spin[1] != 0);
	CHECK_OK(kill(c, SIGSTOP));
	CHECK_EQ(reap(c, &st, WUNTRACED), c);
	CHECK_EQ(st, 0x137f);
	/* Reported once every thread has stopped. */
	long a = spin[0], b = spin[1];
	msleep(150);
	CHECKF(spin[0] == a && spin[1] == b, "still running while stopped: main %ld -> %ld, thread %ld -> %ld", a, spin[0], b, spin[1]);
	CHECK_OK(kill(c, SIGCONT));
	CHECK_EQ(reap(c, &st, WCONTINUED), c);
	t0 = now_ms();
	while ((spin[0] == a || spin[1] == b) && now_ms() - t0 < 5000)
		msleep(5);
	CHECKF(spin[0] != a && spin[1] != b, "not running after SIGCONT: main %ld, thread %ld", spin[0] - a, spin[1] - b);
	CHECK_OK(kill(c, SIGKILL));
	CHECK_EQ(reap(c, &st, 0), c);
	CHECK_EQ(st, SIGKILL);
	munmap((void *)spin, PAGE);
}

static volatile int cont_hits;

static void cont_handler(int sig)
{
	(void)sig;
	cont_hits++;
}

/*
 * A child blocked in read on p[0]: exit 0 if it read 'z' and no SIGCONT
 * handler ran, 1 if read failed with EINTR after one SIGCONT handler, else
 * 20 + errno if read failed, 2 + 10 * count + handler runs if it returned.
 */
static pid_t reader_child(int p[2], int catch_cont)
{
	pid_t c = spawn();
	if (c == 0) {
		char ch = 0;
		close(p[1]);
		if (catch_cont)
			set_handler(SIGCONT, cont_handler, 0);
		ssize_t r = read(p[0], &ch, 1);
		if (r == 1 && ch == 'z' && cont_hits == 0)
			_exit(0);
		if (r < 0 && errno == EINTR && cont_hits == 1)
			_exit(1);
		_exit(r < 0 ? 20 + errno : 2 + (int)r * 10 + cont_hits);
	}
	return c;
}

static void stop_during_read(void)
{
	int p[2], st;
	/* Stopped and continued in read: the read goes on (restarted), no EINTR. */
	CHECK_OK(pipe(p));
	pid_t c = reader_child(p, 0);
	CHECK_OK(c);
	msleep(100);
	CHECK_OK(kill(c, SIGSTOP));
	CHECK_EQ(reap(c, &st, WUNTRACED), c);
	CHECK_OK(kill(c, SIGCONT));
	CHECK_EQ(reap(c, &st, WCONTINUED), c);
	msleep(50);
	CHECK_EQ(write(p[1], "z", 1), 1);
	CHECK_EQ(reap(c, &st, 0), c);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x, want exit 0 (read restarted)", st);
	close2(p);
	/* With a SIGCONT handler (no SA_RESTART): continued, the handler runs, read fails with EINTR. */
	CHECK_OK(pipe(p));
	c = reader_child(p, 1);
	CHECK_OK(c);
	msleep(100);
	CHECK_OK(kill(c, SIGSTOP));
	CHECK_EQ(reap(c, &st, WUNTRACED), c);
	CHECK_OK(kill(c, SIGCONT));
	/* Bounded: if the read is not interrupted, a byte ends it (and the status says so). */
	long t0 = now_ms();
	pid_t r;
	while ((r = reap(c, &st, WNOHANG)) == 0 && now_ms() - t0 < 3000)
		msleep(10);
	if (r == 0) {
		write(p[1], "z", 1);
		CHECK_EQ(reap(c, &st, 0), c);
	}
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 1,
	       "status 0x%x, want exit 1 (read failed with EINTR, the SIGCONT handler ran once); "
	       "exit 13: the read went on until a byte came 3 s later, the handler ran after it", st);
	close2(p);
}

static void fork_inherits(void)
{
	int st;
	clear_hits();
	CHECK_OK(set_handler(SIGUSR1, counter, SA_RESTART));
	CHECK_OK(set_handler(SIGUSR2, SIG_IGN, 0));
	CHECK_OK(block_sig(SIGHUP));
	CHECK_OK(kill(getpid(), SIGHUP));
	CHECK_OK(syscall(SYS_tgkill, getpid(), my_tid(), SIGHUP));
	CHECK_EQ(pending_mask(), BIT(SIGHUP));
	pid_t c = spawn();
	if (c == 0) {
		struct sigaction a1, a2;
		sigaction(SIGUSR1, NULL, &a1);
		sigaction(SIGUSR2, NULL, &a2);
		if (a1.sa_handler != counter || !(a1.sa_flags & SA_RESTART))
			_exit(10);
		if (a2.sa_handler != SIG_IGN)
			_exit(11);
		/* The mask is inherited, pending signals are not. */
		if (get_mask() != BIT(SIGHUP))
			_exit(12);
		if (pending_mask() != 0)
			_exit(13);
		kill(getpid(), SIGUSR1);
		_exit(hits == 1 ? 0 : 14);
	}
	CHECK_OK(c);
	CHECK_EQ(reap(c, &st, 0), c);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
	CHECK_EQ(pending_mask(), BIT(SIGHUP));
	CHECK_OK(set_handler(SIGHUP, SIG_IGN, 0));
	CHECK_EQ(pending_mask(), 0);
}

static void sigaction_roundtrip(void)
{
	/* The kernel's struct sigaction: handler, flags, restorer, mask. */
	struct ksa {
		uint64_t handler, flags, restorer, mask;
	} set, got;
	set.handler = (uint64_t)(uintptr_t)counter;
	set.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER | 0x04000000 /* SA_RESTORER */;
	set.restorer = 0x12345678;
	set.mask = BIT(SIGUSR2) | BIT(SIGKILL) | BIT(SIGSTOP) | BIT(40);
	CHECK_OK(syscall(SYS_rt_sigaction, SIGUSR1, &set, NULL, 8));
	memset(&got, 0x55, sizeof(got));
	CHECK_OK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &got, 8));
	CHECK_EQ(got.handler, set.handler);
	CHECK_EQ(got.flags, set.flags);
	CHECK_EQ(got.restorer, set.restorer);
	CHECK_EQ(got.mask, BIT(SIGUSR2) | BIT(40)); /* SIGKILL and SIGSTOP dropped */
	/* The old action comes back when a new one is set. */
	struct ksa dfl = {0, 0x04000000, 0, 0};
	memset(&got, 0x55, sizeof(got));
	CHECK_OK(syscall(SYS_rt_sigaction, SIGUSR1, &dfl, &got, 8));
	CHECK_EQ(got.handler, set.handler);
	CHECK_EQ(got.flags, set.flags);
	/* Faults. */
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, BAD_LOW, NULL, 8), EFAULT);
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, BAD_LOW, 8), EFAULT);
	/*
	 * Flags the kernel does not know are dropped (do_sigaction masks them
	 * with UAPI_SA_FLAGS, Linux 5.11+: how SA_UNSUPPORTED probing works, sigaction(2)).
	 */
	set.flags = SA_SIGINFO | 0x04000000 | 0x00000400 /* SA_UNSUPPORTED */ | 0x00010000 /* unknown */ |
		    0x00000800 /* SA_EXPOSE_TAGBITS: known, kept */;
	CHECK_OK(syscall(SYS_rt_sigaction, SIGUSR1, &set, NULL, 8));
	CHECK_OK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &got, 8));
	CHECK_EQ(got.flags, SA_SIGINFO | 0x04000000 | 0x00000800);
}

/* --- kill ------------------------------------------------------------------------------------ */

static void kill_process_group(void)
{
	int p[2];
	struct rec r[2];
	char ready;
	clear_hits();
	/* We are not in the children's group: nothing reaches us. */
	CHECK_OK(set_handler(SIGUSR1, counter, 0));
	CHECK_OK(set_handler(SIGUSR2, counter, 0));
	CHECK_OK(pipe(p));
	pid_t a = spawn();
	if (a == 0) {
		sigset_t s;
		siginfo_t i1, i2;
		struct timespec ts = {10, 0};
		setpgid(0, 0);
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigaddset(&s, SIGUSR2);
		sigprocmask(SIG_BLOCK, &s, NULL);
		pid_t b = fork();
		/* Both: SIGUSR1 from A's kill(0), then SIGUSR2 from the parent's kill(-pgid). */
		if (b != 0) {
			write_full(p[1], "r", 1);
			if (kill(0, SIGUSR1) != 0)
				_exit(20);
		}
		sigdelset(&s, SIGUSR2);
		int s1 = sigtimedwait(&s, &i1, &ts);
		sigemptyset(&s);
		sigaddset(&s, SIGUSR2);
		int s2 = sigtimedwait(&s, &i2, &ts);
		send_rec(p[1], b == 0, s1, i1.si_pid, i1.si_code, s2, i2.si_pid);
		if (b == 0)
			_exit(0);
		int st;
		waitpid(b, &st, 0);
		_exit(st == 0 ? 0 : 21);
	}
	CHECK_OK(a);
	close(p[1]);
	setpgid(a, a); /* either this or the child's own call makes it (the other may fail) */
	CHECK_EQ(read_full(p[0], &ready, 1), 0);
	CHECK_EQ(getpgid(a), a);
	CHECK_OK(kill(-a, 0));
	CHECK_OK(kill(-a, SIGUSR2));
	CHECK_EQ(read_full(p[0], &r[0], sizeof(r[0])), 0);
	CHECK_EQ(read_full(p[0], &r[1], sizeof(r[1])), 0);
	int st;
	CHECK_EQ(reap(a, &st, 0), a);
	CHECK_EQ(st, 0);
	close(p[0]);
	CHECK(r[0].a != r[1].a); /* one from each */
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(r[i].b, SIGUSR1);
		CHECK_EQ(r[i].c, a);
		CHECK_EQ(r[i].d, SI_USER);
		CHECK_EQ(r[i].e, SIGUSR2);
		CHECK_EQ(r[i].f, getpid());
	}
	CHECK_EQ(hits, 0);
	/* The group is gone. */
	CHECK_ERR(kill(-a, 0), ESRCH);
	CHECK_ERR(kill(-a, SIGUSR1), ESRCH);
	/* kill(0, 0): our own group. */
	CHECK_OK(kill(0, 0));
	CHECK_EQ(hits, 0);
}

static void kill_probes(void)
{
	int st;
	siginfo_t si;
	/* kill(-1, 0): every process we may signal but ourselves and init; a child is one. */
	pid_t c = sleeper();
	CHECK_OK(c);
	CHECK_OK(kill(-1, 0));
	CHECK_OK(kill(c, 0));
	stop_kid(c);
	/* A zombie can still be signalled (to no effect). */
	c = spawn();
	if (c == 0)
		_exit(3);
	CHECK_OK(c);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, c, &si, WEXITED | WNOWAIT), 0);
	CHECK_EQ(si.si_pid, c);
	CHECK_EQ(kill(c, 0), 0);
	CHECK_EQ(kill(c, SIGKILL), 0);
	CHECK_EQ(kill(c, SIGUSR1), 0);
	CHECK_EQ(reap(c, &st, 0), c);
	CHECK_EQ(st, 3 << 8); /* still an exit, not a kill */
	CHECK_ERR(kill(c, 0), ESRCH);
	CHECK_ERR(syscall(SYS_tgkill, c, c, 0), ESRCH);
	CHECK_ERR(syscall(SYS_tkill, c, 0), ESRCH);
}

static void kill_errors(void)
{
	pid_t me = getpid();
	pid_t tid = my_tid();
	CHECK_ERR(kill(me, 65), EINVAL);
	CHECK_ERR(kill(me, -1), EINVAL);
	CHECK_ERR(kill(me, 1000), EINVAL);
	CHECK_ERR(syscall(SYS_tkill, tid, 65), EINVAL);
	CHECK_ERR(syscall(SYS_tkill, 0, SIGUSR1), EINVAL);
	CHECK_ERR(syscall(SYS_tkill, -1, SIGUSR1), EINVAL);
	CHECK_ERR(syscall(SYS_tgkill, me, tid, 65), EINVAL);
	CHECK_ERR(syscall(SYS_tgkill, 0, tid, 0), EINVAL);
	CHECK_ERR(syscall(SYS_tgkill, me, 0, 0), EINVAL);
	CHECK_ERR(syscall(SYS_tgkill, -1, tid, 0), EINVAL);
	CHECK_OK(syscall(SYS_tgkill, me, tid, 0));
	/* Our TID under another process's TGID: ESRCH. */
	pid_t c = sleeper();
	CHECK_OK(c);
	errno = 0;
	long r = syscall(SYS_tgkill, c, tid, SIGUSR1);
	int e = errno;
	long r2 = syscall(SYS_tgkill, me, c, SIGUSR1);
	int e2 = errno;
	stop_kid(c);
	errno = e;
	CHECK_EQ(r, -1);
	CHECK_EQ(e, ESRCH);
	CHECK_EQ(r2, -1);
	CHECK_EQ(e2, ESRCH);
	CHECK_ERR(kill(INT32_MIN, 0), ESRCH);
	CHECK_EQ(pending_mask(), 0);
	/* rt_sigaction: signal numbers and sigset size. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	CHECK_ERR(syscall(SYS_rt_sigaction, 0, &sa, NULL, 8), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigaction, 65, NULL, &sa, 8), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &sa, 16), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 16), EINVAL);
	uint64_t m = 0;
	CHECK_ERR(syscall(SYS_rt_sigprocmask, 3, &m, NULL, 8), EINVAL);
}

static void uncatchable(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = counter;
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	sa.sa_handler = SIG_IGN;
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	sa.sa_handler = SIG_DFL;
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	/* Reading the action is allowed. */
	memset(&old, 0xff, sizeof(old));
	CHECK_OK(sigaction(SIGKILL, NULL, &old));
	CHECK(old.sa_handler == SIG_DFL);
	CHECK_OK(sigaction(SIGSTOP, NULL, &old));
	CHECK(old.sa_handler == SIG_DFL);
	/* Blocking them is silently ignored (raw call: glibc filters its own signals). */
	uint64_t set = BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGUSR1), got = 0;
	CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &got, 8));
	CHECK_EQ(got, 0);
	CHECK_EQ(get_mask(), BIT(SIGUSR1));
	uint64_t all = ~0ULL;
	CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8));
	CHECK_EQ(get_mask(), ~0ULL & ~BIT(SIGKILL) & ~BIT(SIGSTOP));
	uint64_t none = 0;
	CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8));
	/* A handler's sa_mask cannot block them either. */
	sa.sa_handler = counter;
	sigfillset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	uint64_t raw[4];
	CHECK_OK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, raw, 8));
	CHECK_EQ(raw[3] & (BIT(SIGKILL) | BIT(SIGSTOP)), 0);
	/* A child that blocks everything still dies of SIGKILL and stops on SIGSTOP. */
	pid_t c = spawn();
	if (c == 0) {
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
		for (;;)
			pause();
	}
	CHECK_OK(c);
	int st;
	CHECK_OK(kill(c, SIGSTOP));
	CHECK_EQ(reap(c, &st, WUNTRACED), c);
	CHECK_EQ(st, 0x137f);
	CHECK_OK(kill(c, SIGKILL));
	CHECK_EQ(reap(c, &st, 0), c);
	CHECK_EQ(st, SIGKILL);
	/* sigtimedwait cannot take them: only SIGUSR2 is waited for here. */
	CHECK_OK(block_sig(SIGUSR2));
	sigset_t ws;
	siginfo_t si;
	struct timespec zero = {0, 0};
	sigemptyset(&ws);
	sigaddset(&ws, SIGKILL);
	sigaddset(&ws, SIGSTOP);
	CHECK_ERR(sigtimedwait(&ws, &si, &zero), EAGAIN);
}

/* --- default actions ------------------------------------------------------------------------- */

/* A child that waits for signals (no core dumps), reporting ready on p[1]. */
static pid_t victim(int p[2])
{
	pid_t c = spawn();
	if (c == 0) {
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_CORE, &rl);
		prctl(PR_SET_DUMPABLE, 0);
		write_full(p[1], "r", 1);
		for (;;)
			pause();
	}
	return c;
}

static void default_term_actions(void)
{
	const int sigs[] = {SIGTERM, SIGQUIT, SIGUSR1, SIGHUP, SIGALRM, 34 /* SIGRTMIN */, SIGABRT};
	int p[2];
	CHECK_OK(pipe(p));
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		char ch;
		int st;
		pid_t c = victim(p);
		CHECK_OK(c);
		CHECK_EQ(read_full(p[0], &ch, 1), 0);
		CHECK_OK(kill(c, sigs[i]));
		CHECK_EQ(reap(c, &st, 0), c);
		CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i], "signal %d: status 0x%x", sigs[i], st);
	}
	close2(p);
}

static void default_ignore_actions(void)
{
	int st;
	pid_t c = spawn();
	if (c == 0) {
		kill(getpid(), SIGCHLD);
		kill(getpid(), SIGURG);
		kill(getpid(), SIGWINCH);
		kill(getpid(), SIGCONT);
		if (pending_mask() != 0)
			_exit(10);
		/* Blocked, a signal whose default is to ignore it stays pending... */
		block_sig(SIGURG);
		kill(getpid(), SIGURG);
		if (pending_mask() != BIT(SIGURG))
			_exit(11);
		/* ...and goes when unblocked. */
		unblock_sig(SIGURG);
		if (pending_mask() != 0)
			_exit(12);
		/* SIG_IGN discards an already pending one. */
		block_sig(SIGTERM);
		kill(getpid(), SIGTERM);
		if (pending_mask() != BIT(SIGTERM))
			_exit(13);
		signal(SIGTERM, SIG_IGN);
		if (pending_mask() != 0)
			_exit(14);
		unblock_sig(SIGTERM);
		kill(getpid(), SIGTERM);
		_exit(7);
	}
	CHECK_OK(c);
	CHECK_EQ(reap(c, &st, 0), c);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status 0x%x", st);
}

static void sigpipe_actions(void)
{
	int st, p[2];
	pid_t c = spawn();
	if (c == 0) {
		int q[2];
		pipe(q);
		close(q[0]);
		write(q[1], "x", 1);
		_exit(1);
	}
	CHECK_OK(c);
	CHECK_EQ(reap(c, &st, 0), c);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "status 0x%x", st);
	/* Ignored: EPIPE. */
	CHECK_OK(set_handler(SIGPIPE, SIG_IGN, 0));
	CHECK_OK(pipe(p));
	close(p[0]);
	CHECK_ERR(write(p[1], "x", 1), EPIPE);
	/* Caught: EPIPE, and the handler saw a SIGPIPE the kernel sent as if by kill from us. */
	clear_hits();
	CHECK_OK(set_action(SIGPIPE, recorder, 0, NULL));
	CHECK_ERR(write(p[1], "x", 1), EPIPE);
	CHECK_EQ(hits, 1);
	CHECK_EQ(hit_sig[0], SIGPIPE);
	CHECK_EQ(hit_code[0], SI_USER);
	CHECK_EQ(hit_pid[0], getpid());
	/* Blocked: EPIPE and left pending. */
	CHECK_OK(block_sig(SIGPIPE));
	CHECK_ERR(write(p[1], "x", 1), EPIPE);
	CHECK_EQ(pending_mask(), BIT(SIGPIPE));
	close(p[1]);
}

/* --- sleeping -------------------------------------------------------------------------------- */

static void sigsuspend_eintr(void)
{
	sigset_t orig, tmp;
	clear_hits();
	sigset_t hm;
	sigemptyset(&hm);
	sigaddset(&hm, SIGURG);
	CHECK_OK(set_action(SIGUSR1, recorder, SA_RESTART, &hm));
	sigemptyset(&orig);
	sigaddset(&orig, SIGUSR1);
	sigaddset(&orig, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_SETMASK, &orig, NULL));
	/* Already pending: sigsuspend takes it at once. */
	CHECK_OK(kill(getpid(), SIGUSR1));
	sigemptyset(&tmp);
	sigaddset(&tmp, SIGWINCH);
	CHECK_ERR(sigsuspend(&tmp), EINTR);
	CHECK_EQ(hits, 1);
	/* In the handler: the temporary mask, plus sa_mask and the signal. */
	CHECK_EQ(hit_mask, BIT(SIGWINCH) | BIT(SIGURG) | BIT(SIGUSR1));
	/* The frame's mask is the one from before sigsuspend, restored on return. */
	CHECK_EQ(hit_ucmask, BIT(SIGUSR1) | BIT(SIGUSR2));
	CHECK_EQ(get_mask(), BIT(SIGUSR1) | BIT(SIGUSR2));
	/* Arriving later, from a child (SA_RESTART does not restart sigsuspend). */
	pid_t k = pester(getpid(), SIGUSR1, 50, 0, -1);
	CHECK_OK(k);
	errno = 0;
	int r = sigsuspend(&tmp);
	int e = errno;
	stop_kid(k);
	errno = e;
	CHECK_EQ(r, -1);
	CHECK_EQ(e, EINTR);
	CHECK(hits >= 2);
	CHECK_EQ(hit_ucmask, BIT(SIGUSR1) | BIT(SIGUSR2));
	CHECK_EQ(get_mask(), BIT(SIGUSR1) | BIT(SIGUSR2));
	/* pause too. */
	CHECK_OK(sigprocmask(SIG_SETMASK, &tmp, NULL));
	int before = hits;
	k = pester(getpid(), SIGUSR1, 50, 0, -1);
	CHECK_OK(k);
	errno = 0;
	r = pause();
	e = errno;
	stop_kid(k);
	errno = e;
	CHECK_EQ(r, -1);
	CHECK_EQ(e, EINTR);
	CHECK(hits > before);
	CHECK_EQ(get_mask(), BIT(SIGWINCH));
	CHECK_ERR(syscall(SYS_rt_sigsuspend, &tmp, 4), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigsuspend, BAD_LOW, 8), EFAULT);
}

static void sleep_interrupted(int flags)
{
	struct timespec req = {2, 0}, rem = {0, 0};
	clear_hits();
	CHECK_OK(set_handler(SIGUSR1, counter, flags));
	pid_t k = pester(getpid(), SIGUSR1, 100, 0, -1);
	CHECK_OK(k);
	long t0 = now_ms();
	errno = 0;
	int r = nanosleep(&req, &rem);
	int e = errno;
	long dt = now_ms() - t0;
	/* clock_nanosleep returns the error number instead. */
	struct timespec rem2 = {0, 0};
	int r2 = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem2);
	stop_kid(k);
	errno = e;
	CHECK_EQ(r, -1);
	CHECK_EQ(e, EINTR);
	CHECK(hits >= 1);
	CHECKF(dt < 1500, "slept %ld ms", dt);
	long long left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
	CHECKF(left > 500000000LL && left < 2000000000LL, "rem %lld.%09ld", (long long)rem.tv_sec, rem.tv_nsec);
	CHECK(rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L);
	CHECK_EQ(r2, EINTR);
	left = rem2.tv_sec * 1000000000LL + rem2.tv_nsec;
	CHECKF(left > 500000000LL && left < 2000000000LL, "clock_nanosleep rem %lld.%09ld", (long long)rem2.tv_sec, rem2.tv_nsec);
}

static void nanosleep_eintr(void) { sleep_interrupted(0); }
/* nanosleep is never restarted after a handler, SA_RESTART or not (signal(7)). */
static void nanosleep_eintr_sa_restart(void) { sleep_interrupted(SA_RESTART); }

/* Between cases: reap what a case left (on failure too) and start over from the default state. */
static void next(void)
{
	reap_all();
	reset_signals();
}

int main(void)
{
	reset_signals();
	RUN(read_eintr_from_child); next();
	RUN(read_restart_from_child); next();
	RUN(read_eintr_from_thread); next();
	RUN(read_restart_from_thread); next();
	RUN(other_calls_eintr); next();
	RUN(stop_continue_waitpid); next();
	RUN(stop_continue_waitid); next();
	RUN(sigchld_siginfo); next();
	RUN(sigchld_stop_reports); next();
	RUN(sigchld_ignored_autoreap); next();
	RUN(sa_nocldwait); next();
	RUN(rt_queue_order_handlers); next();
	RUN(rt_queue_order_sigwait); next();
	RUN(standard_signals_merge); next();
	RUN(sigqueueinfo_perm); next();
	RUN(sigtimedwait_timeout); next();
	RUN(sigwaitinfo_consumes); next();
	RUN(sigwait_fatal_default); next();
	RUN(process_signal_picks_thread); next();
	RUN(stop_stops_all_threads); next();
	RUN(stop_during_read); next();
	RUN(fork_inherits); next();
	RUN(sigaction_roundtrip); next();
	RUN(kill_process_group); next();
	RUN(kill_probes); next();
	RUN(kill_errors); next();
	RUN(uncatchable); next();
	RUN(default_term_actions); next();
	RUN(default_ignore_actions); next();
	RUN(sigpipe_actions); next();
	RUN(sigsuspend_eintr); next();
	RUN(nanosleep_eintr); next();
	RUN(nanosleep_eintr_sa_restart); next();
	reset_signals();
	DONE();
}
