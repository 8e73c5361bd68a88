/*
 * bench/syscalls.c: system-call micro-benchmarks, timed inside the program.
 *
 *     syscalls [-n ITERATIONS] [NAME...]
 *
 * Prints one line per benchmark: "NAME NS_PER_OP". The timer is
 * clock_gettime(CLOCK_MONOTONIC) through libc (the vDSO natively), read
 * twice per benchmark, so its own cost does not matter. Each benchmark runs a
 * tenth of its iterations first as a warm-up.
 *
 *   getppid            raw syscall(SYS_getppid): the bare round trip
 *   clock_gettime      raw syscall(SYS_clock_gettime, CLOCK_MONOTONIC)
 *   clock_gettime_libc libc clock_gettime (the vDSO when there is one)
 *   mmap_touch_munmap  mmap one anonymous page, write to it, munmap it
 *                      (ITERATIONS / 10 rounds)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void do_getppid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static void do_clock_gettime(long n)
{
	struct timespec t;
	for (long i = 0; i < n; i++)
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
}

static void do_clock_gettime_libc(long n)
{
	struct timespec t;
	for (long i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &t);
}

static void do_mmap_touch_munmap(long n)
{
	for (long i = 0; i < n; i++) {
		volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			exit(1);
		}
		p[0] = 1;
		munmap((void *)p, 4096);
	}
}

static const struct {
	const char *name;
	void (*fn)(long);
	long divisor;
} benches[] = {
	{"getppid", do_getppid, 1},
	{"clock_gettime", do_clock_gettime, 1},
	{"clock_gettime_libc", do_clock_gettime_libc, 1},
	{"mmap_touch_munmap", do_mmap_touch_munmap, 10},
};

int main(int argc, char **argv)
{
	long iterations = 100000;
	int first = 1;
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		iterations = atol(argv[2]);
		first = 3;
	}
	if (iterations < 10) {
		fprintf(stderr, "usage: %s [-n ITERATIONS>=10] [NAME...]\n", argv[0]);
		return 2;
	}
	for (unsigned b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
		int wanted = first >= argc;
		for (int a = first; a < argc; a++)
			wanted |= strcmp(argv[a], benches[b].name) == 0;
		if (!wanted)
			continue;
		long n = iterations / benches[b].divisor;
		if (n < 1)
			n = 1;
		benches[b].fn(n / 10 + 1);
		double t0 = now_ns();
		benches[b].fn(n);
		double t1 = now_ns();
		printf("%s %.1f\n", benches[b].name, (t1 - t0) / (double)n);
		fflush(stdout);
	}
	return 0;
}
