/*
 * bench/processes.c: process-creation micro-benchmarks, timed inside the
 * program.
 *
 *     processes [-n FORKS] [-s SPAWNS] [-b PROGRAM]
 *
 * Prints one line per benchmark: "NAME NS_PER_OP", like bench/syscalls.c.
 * The timer is clock_gettime(CLOCK_MONOTONIC), read twice per benchmark.
 * Each benchmark runs a tenth of its iterations first as a warm-up.
 *
 *   fork_exit_wait     fork(2); the child _exit(0)s; the parent waitpid(2)s
 *                      for it (FORKS rounds, default 200); ns per round
 *   vfork_exec         vfork(2); the child execve(2)s PROGRAM ("true" as
 *                      argv[1], default PROGRAM /bin/busybox); the parent
 *                      waitpid(2)s for it (SPAWNS rounds, default 50)
 *   posix_spawn_exec   the same with posix_spawn(3) (glibc: clone(CLONE_VM|
 *                      CLONE_VFORK) + execve) (SPAWNS rounds)
 *
 * Every child must exit with status 0, or the program fails (exit 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void report(const char *name, double ns)
{
	printf("%s %.1f\n", name, ns);
	fflush(stdout);
}

static void die(const char *what)
{
	fprintf(stderr, "processes: error: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void reap(pid_t pid, const char *what)
{
	int st;
	pid_t r;
	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r != pid)
		die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "processes: error: %s: child ended with wait status 0x%x\n", what, st);
		exit(1);
	}
}

static void do_fork(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		reap(pid, "fork");
	}
}

static char *prog = "/bin/busybox";

/* vfork+execve PROGRAM true; returns the child's pid (the child never returns). */
static __attribute__((noinline)) pid_t vfork_exec(void)
{
	char *argv[] = { prog, "true", NULL };
	pid_t pid = vfork();
	if (pid == 0) {
		execve(prog, argv, environ);
		_exit(127);
	}
	return pid;
}

static void do_vfork(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = vfork_exec();
		if (pid < 0)
			die("vfork");
		reap(pid, "vfork+execve");
	}
}

static void do_posix_spawn(long n)
{
	char *argv[] = { prog, "true", NULL };
	for (long i = 0; i < n; i++) {
		pid_t pid;
		int e = posix_spawn(&pid, prog, NULL, NULL, argv, environ);
		if (e != 0) {
			errno = e;
			die("posix_spawn");
		}
		reap(pid, "posix_spawn");
	}
}

static void bench(const char *name, void (*fn)(long), long n)
{
	fn(n / 10 + 1);
	double t0 = now_ns();
	fn(n);
	double t1 = now_ns();
	report(name, (t1 - t0) / (double)n);
}

int main(int argc, char **argv)
{
	long forks = 200, spawns = 50;
	int c;
	while ((c = getopt(argc, argv, "n:s:b:")) != -1) {
		switch (c) {
		case 'n': forks = atol(optarg); break;
		case 's': spawns = atol(optarg); break;
		case 'b': prog = optarg; break;
		default: goto usage;
		}
	}
	if (forks < 1 || spawns < 1 || optind != argc)
		goto usage;
	bench("fork_exit_wait", do_fork, forks);
	bench("vfork_exec", do_vfork, spawns);
	bench("posix_spawn_exec", do_posix_spawn, spawns);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-n FORKS>=1] [-s SPAWNS>=1] [-b PROGRAM]\n", argv[0]);
	return 2;
}
