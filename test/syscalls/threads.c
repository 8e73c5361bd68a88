/*
 * threads.c: threads (clone with CLONE_THREAD): 100 live pthreads with
 * distinct TIDs in one process, pthread_exit of a thread and of the main
 * thread, CLONE_CHILD_CLEARTID/CLONE_PARENT_SETTID by raw clone(2) with a
 * futex wait on the TID word, exit_group from a secondary thread, a
 * mutex-protected counter, tgkill probes, and a thread reaping a child its
 * sibling forked (and __WNOTHREAD).
 *
 * Cases that end a process (exit_group, the main thread's pthread_exit)
 * run in a forked child and report through its exit status or a pipe.
 */
#include "check.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static long gettid_(void) { return syscall(SYS_gettid); }

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

/* ---- 100 threads ---- */

enum { NTHREADS = 100 };

struct worker {
	pthread_t th;
	long tid;
	pid_t pid;
	pid_t ppid;
	int gate; /* read end of the pipe every worker waits on */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char c;
	w->tid = gettid_();
	w->pid = getpid();
	w->ppid = getppid();
	/* Stay alive until every worker exists. */
	if (read_full(w->gate, &c, 1) != 0)
		return (void *)-1L;
	return (void *)w->tid;
}

static void hundred_threads(void)
{
	static struct worker w[NTHREADS];
	int gate[2];
	pthread_attr_t attr;
	CHECK_EQ(pipe(gate), 0);
	CHECK_EQ(pthread_attr_init(&attr), 0);
	CHECK_EQ(pthread_attr_setstacksize(&attr, 64 * 1024), 0);
	int made = 0;
	int err = 0;
	for (int i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].gate = gate[0];
		err = pthread_create(&w[i].th, &attr, worker_main, &w[i]);
		if (err != 0)
			break;
		made++;
	}
	pthread_attr_destroy(&attr);
	/* One byte per worker: all of them were alive together. */
	static char bytes[NTHREADS];
	memset(bytes, 'g', sizeof(bytes));
	CHECK_EQ(write(gate[1], bytes, (size_t)made), made);
	long ret[NTHREADS];
	int joined = 0, jerr = 0;
	for (int i = 0; i < made; i++) {
		void *r = NULL;
		int e = pthread_join(w[i].th, &r);
		if (e != 0 && jerr == 0)
			jerr = e;
		if (e == 0)
			joined++;
		ret[i] = (long)r;
	}
	close(gate[0]);
	close(gate[1]);
	CHECKF(err == 0, "pthread_create #%d: %s", made, errname(err));
	CHECKF(jerr == 0, "pthread_join: %s", errname(jerr));
	CHECK_EQ(joined, NTHREADS);
	long me = gettid_();
	CHECK_EQ(me, getpid()); /* the main thread's TID is the PID */
	for (int i = 0; i < NTHREADS; i++) {
		CHECK_EQ(ret[i], w[i].tid); /* pthread_join returns what the thread returned */
		CHECK(w[i].tid > 0);
		CHECK(w[i].tid != me);
		CHECK_EQ(w[i].pid, getpid());
		CHECK_EQ(w[i].ppid, getppid());
		for (int j = 0; j < i; j++)
			CHECKF(w[i].tid != w[j].tid, "threads %d and %d share TID %ld", i, j, w[i].tid);
	}
}

/* ---- pthread_exit ---- */

static void *exiting_thread(void *arg)
{
	(void)arg;
	pthread_exit((void *)42L);
	return NULL;
}

static void pthread_exit_thread(void)
{
	pthread_t t;
	void *r = NULL;
	CHECK_EQ(pthread_create(&t, NULL, exiting_thread, NULL), 0);
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK_EQ((long)r, 42); /* and we are still here */
	CHECK_EQ(gettid_(), getpid());
}

static int main_exit_pipe;

static void *outliving_thread(void *arg)
{
	pid_t leader = (pid_t)(long)arg;
	/* The main thread has called pthread_exit; the process lives on with us. */
	msleep(50);
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "alive %d %d", (int)getpid(), (int)(getpid() == leader));
	(void)!write(main_exit_pipe, buf, (size_t)n);
	exit(7);
}

/* The main thread exits; the process ends only with its last thread, with that thread's status. */
static void pthread_exit_main_thread(void)
{
	int p[2];
	int st = -1;
	CHECK_EQ(pipe(p), 0);
	pid_t c = fork();
	if (c == 0) {
		pthread_t t;
		close(p[0]);
		main_exit_pipe = p[1];
		if (pthread_create(&t, NULL, outliving_thread, (void *)(long)getpid()) != 0)
			_exit(2);
		pthread_exit(NULL);
	}
	close(p[1]);
	CHECK(c > 0);
	char buf[64] = {0};
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(n > 0);
	char want[64];
	snprintf(want, sizeof(want), "alive %d 1", (int)c);
	CHECKF(strcmp(buf, want) == 0, "the surviving thread wrote '%s', expected '%s'", buf, want);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status 0x%x, expected exit 7", st);
}

/* ---- raw clone with CLONE_CHILD_CLEARTID ---- */

static volatile int ctid_word;
static volatile int ptid_word;
static volatile long child_saw_tid;
static volatile int child_go;

/* Runs in the raw thread: no TLS, no libc (errno lives in TLS). */
static void raw_child(void)
{
	long tid;
	__asm__ volatile("syscall" : "=a"(tid) : "a"((long)SYS_gettid) : "rcx", "r11", "memory");
	child_saw_tid = tid;
	/* Wait (futex on child_go) so that the parent really sleeps on the TID word. */
	while (!child_go) {
		long r;
		struct timespec ts = {0, 20 * 1000000L};
		__asm__ volatile("mov %5, %%r10\n\tsyscall"
				 : "=a"(r)
				 : "a"((long)SYS_futex), "D"(&child_go), "S"((long)FUTEX_WAIT), "d"(0L), "r"(&ts)
				 : "rcx", "r10", "r11", "memory");
		(void)r;
	}
}

/*
 * clone(flags, stack) whose child calls fn() on the new stack and then
 * exit(0) (the thread only, not the group). Returns the child's TID in the
 * parent, or -errno.
 */
static long clone_thread(unsigned long flags, void *stack_top, volatile int *ptid, volatile int *ctid, void (*fn)(void))
{
	long ret;
	register long r10 __asm__("r10") = (long)ctid;
	register long r8 __asm__("r8") = 0;
	register long r12 __asm__("r12") = (long)fn;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "call *%%r12\n\t"
			 "mov $60, %%eax\n\t" /* SYS_exit */
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "hlt\n"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone), "D"(flags), "S"(stack_top), "d"(ptid), "r"(r10), "r"(r8), "r"(r12)
			 : "rcx", "r11", "memory");
	return ret;
}

static void clone_child_cleartid(void)
{
	size_t size = 256 * 1024;
	char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	CHECK(stack != MAP_FAILED);
	ctid_word = 0x7fffffff;
	ptid_word = 0;
	child_saw_tid = 0;
	child_go = 0;
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
			      CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	long tid = clone_thread(flags, stack + size, &ptid_word, &ctid_word, raw_child);
	CHECKF(tid > 0, "clone: %ld (%s)", tid, errname((int)-tid));
	CHECK_EQ(ptid_word, tid); /* CLONE_PARENT_SETTID: written before clone returned */
	CHECK_EQ(ctid_word, 0x7fffffff);
	/* The new thread is ours: alive, in our group, not a child to wait for. */
	CHECK_EQ(syscall(SYS_tgkill, getpid(), tid, 0), 0);
	CHECK_ERR(waitpid((pid_t)tid, NULL, WNOHANG | __WALL), ECHILD);
	/* Let it finish; sleep on the TID word until the kernel clears it and wakes us. */
	for (int i = 0; i < 500 && child_saw_tid == 0; i++)
		msleep(2);
	child_go = 1;
	syscall(SYS_futex, &child_go, FUTEX_WAKE, 1, NULL, NULL, 0);
	int waits = 0;
	for (;;) {
		int v = ctid_word;
		if (v == 0)
			break;
		struct timespec ts = {1, 0};
		long r = syscall(SYS_futex, &ctid_word, FUTEX_WAIT, v, &ts, NULL, 0);
		CHECKF(r == 0 || errno == EAGAIN || errno == EINTR || errno == ETIMEDOUT, "futex wait: %s", errname(errno));
		CHECKF(++waits < 10, "the TID word is still %d after 10 s", ctid_word);
	}
	CHECK_EQ(ctid_word, 0);
	CHECK_EQ(child_saw_tid, tid);
	/* Gone: tgkill finds no such thread (a thread's exit releases its TID at once). */
	for (int i = 0; i < 500 && syscall(SYS_tgkill, getpid(), tid, 0) == 0; i++)
		msleep(2);
	CHECK_ERR(syscall(SYS_tgkill, getpid(), tid, 0), ESRCH);
	CHECK_EQ(munmap(stack, size), 0);
}

/* Without CLONE_CHILD_CLEARTID the word is left alone; CLONE_CHILD_SETTID writes the TID. */
static void clone_child_settid(void)
{
	size_t size = 256 * 1024;
	char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	CHECK(stack != MAP_FAILED);
	ctid_word = 0;
	child_saw_tid = 0;
	child_go = 1; /* no waiting */
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_CHILD_SETTID;
	long tid = clone_thread(flags, stack + size, NULL, &ctid_word, raw_child);
	CHECKF(tid > 0, "clone: %ld (%s)", tid, errname((int)-tid));
	for (int i = 0; i < 2500 && (child_saw_tid == 0 || syscall(SYS_tgkill, getpid(), tid, 0) == 0); i++)
		msleep(2);
	CHECK_EQ(child_saw_tid, tid);
	CHECK_ERR(syscall(SYS_tgkill, getpid(), tid, 0), ESRCH); /* it has exited */
	CHECK_EQ(ctid_word, tid);                                /* and nothing cleared the word */
	CHECK_EQ(munmap(stack, size), 0);
}

/* ---- exit_group from a thread ---- */

static void *exit_group_thread(void *arg)
{
	(void)arg;
	msleep(20);
	syscall(SYS_exit_group, 33);
	return NULL;
}

static void *sleeper_thread(void *arg)
{
	int fd = (int)(long)arg;
	char c;
	(void)!read(fd, &c, 1); /* never written */
	return NULL;
}

static void exit_group_from_thread(void)
{
	int p[2];
	int st = -1;
	CHECK_EQ(pipe(p), 0);
	pid_t c = fork();
	if (c == 0) {
		pthread_t a, b;
		if (pthread_create(&b, NULL, sleeper_thread, (void *)(long)p[0]) != 0)
			_exit(2);
		if (pthread_create(&a, NULL, exit_group_thread, NULL) != 0)
			_exit(3);
		char ch;
		(void)!read(p[0], &ch, 1); /* the main thread blocks too */
		_exit(4);
	}
	CHECK(c > 0);
	pid_t w = waitpid(c, &st, 0);
	close(p[0]);
	close(p[1]);
	CHECK_EQ(w, c);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 33, "status 0x%x, expected exit 33", st);
	/* exit() (from libc) in a thread does the same. */
	c = fork();
	if (c == 0) {
		pthread_t a;
		main_exit_pipe = open("/dev/null", O_WRONLY);
		if (pthread_create(&a, NULL, outliving_thread, (void *)(long)getpid()) != 0)
			_exit(2);
		for (;;)
			pause();
	}
	CHECK(c > 0);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status 0x%x, expected exit 7", st);
}

/* ---- a mutex ---- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *incrementer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10000; i++) {
		pthread_mutex_lock(&mu);
		long v = counter;
		if ((i & 1023) == 0)
			sched_yield(); /* with the lock held: the others must wait */
		counter = v + 1;
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void mutex_counter(void)
{
	pthread_t t[8];
	counter = 0;
	int made = 0, err = 0;
	for (int i = 0; i < 8; i++) {
		err = pthread_create(&t[i], NULL, incrementer, NULL);
		if (err != 0)
			break;
		made++;
	}
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	CHECKF(err == 0, "pthread_create: %s", errname(err));
	CHECK_EQ(counter, 80000);
}

/* ---- tgkill probes ---- */

static void *gated(void *arg)
{
	int fd = (int)(long)arg;
	char c;
	long tid = gettid_();
	(void)!read(fd, &c, 1);
	return (void *)tid;
}

static void tgkill_probes(void)
{
	int p[2];
	pthread_t t;
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(syscall(SYS_tgkill, getpid(), gettid_(), 0), 0);
	CHECK_EQ(syscall(SYS_tkill, gettid_(), 0), 0);
	CHECK_EQ(pthread_create(&t, NULL, gated, (void *)(long)p[0]), 0);
	/* Find its TID: it is in /proc/self/task, but pthread_kill(0) is enough to see it is there. */
	CHECK_EQ(pthread_kill(t, 0), 0);
	(void)!write(p[1], "g", 1);
	void *r = NULL;
	CHECK_EQ(pthread_join(t, &r), 0);
	long tid = (long)r;
	CHECK(tid > 0 && tid != getpid());
	/* The TID word is cleared (and pthread_join returns) just before the thread is fully gone: wait for it. */
	for (int i = 0; i < 1000 && syscall(SYS_tgkill, getpid(), tid, 0) == 0; i++)
		msleep(1);
	CHECK_ERR(syscall(SYS_tgkill, getpid(), tid, 0), ESRCH);
	CHECK_ERR(syscall(SYS_tkill, tid, 0), ESRCH);
	CHECK_ERR(syscall(SYS_tgkill, getpid(), 0, 0), EINVAL);
	CHECK_ERR(syscall(SYS_tgkill, 0, gettid_(), 0), EINVAL);
	CHECK_ERR(syscall(SYS_tgkill, getpid(), gettid_(), 65), EINVAL);
	CHECK_ERR(syscall(SYS_tkill, 0, 0), EINVAL);
	/* The right TID with the wrong TGID. */
	pid_t c = fork();
	if (c == 0) {
		msleep(5000);
		_exit(0);
	}
	CHECK(c > 0);
	long e = syscall(SYS_tgkill, c, gettid_(), 0) == 0 ? 0 : errno;
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	close(p[0]);
	close(p[1]);
	CHECKF(e == ESRCH, "tgkill(other process, our tid): %s, expected ESRCH", errname((int)e));
}

/* ---- threads and children ---- */

static pid_t shared_child;

static void *reaper_thread(void *arg)
{
	(void)arg;
	int st = -1;
	long out[4];
	/* __WNOTHREAD: only children this thread forked. */
	errno = 0;
	out[0] = waitpid(shared_child, &st, __WNOTHREAD);
	out[1] = errno;
	out[2] = waitpid(shared_child, &st, 0); /* a sibling's child is ours to wait for */
	out[3] = st;
	long *res = malloc(sizeof(out));
	if (res)
		memcpy(res, out, sizeof(out));
	return res;
}

static void thread_reaps_sibling_child(void)
{
	pthread_t t;
	shared_child = fork();
	if (shared_child == 0) {
		msleep(30);
		_exit(19);
	}
	CHECK(shared_child > 0);
	int e = pthread_create(&t, NULL, reaper_thread, NULL);
	if (e != 0)
		waitpid(shared_child, NULL, 0);
	CHECKF(e == 0, "pthread_create: %s", errname(e));
	void *r = NULL;
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK(r != NULL);
	long *out = r;
	long o[4];
	memcpy(o, out, sizeof(o));
	free(out);
	if (o[2] != shared_child)
		waitpid(shared_child, NULL, 0);
	CHECK_EQ(o[0], -1);
	CHECKF(o[1] == ECHILD, "waitpid(__WNOTHREAD) from another thread: errno %s, expected ECHILD", errname((int)o[1]));
	CHECK_EQ(o[2], shared_child);
	CHECK_EQ(o[3], 19 << 8);
}

int main(void)
{
	RUN(hundred_threads);
	RUN(pthread_exit_thread);
	RUN(pthread_exit_main_thread);
	RUN(clone_child_cleartid);
	RUN(clone_child_settid);
	RUN(exit_group_from_thread);
	RUN(mutex_counter);
	RUN(tgkill_probes);
	RUN(thread_reaps_sibling_child);
	DONE();
}
