/*
 * vdso.c: the vDSO (docs/vdso.md). AT_SYSINFO_EHDR names an ELF image,
 * /proc/self/maps shows [vdso] and [vvar], the clocks read through it agree
 * with the clock_gettime syscall, fork and execve keep it, and it is an
 * ordinary mapping to munmap, MAP_FIXED over (it is then gone: the memory
 * there is the new mapping's) and mprotect ([vvar] never becomes writable).
 *
 * `vdso loop N` makes N clock_gettime calls through libc and exits (the
 * harness counts the syscalls they make with --strace: none); `vdso sysloop
 * N` makes them as syscalls (the control: N).
 */
#include "check.h"

#include <elf.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static long long ts_ns(const struct timespec *t) { return (long long)t->tv_sec * 1000000000LL + t->tv_nsec; }

/* The /proc/self/maps line naming `name`: its start, end and permissions; 0 if none. */
static int maps_find(const char *name, unsigned long *lo, unsigned long *hi, char perms[5])
{
	static char buf[65536];
	int fd = open("/proc/self/maps", O_RDONLY);
	if (fd < 0)
		return 0;
	size_t used = 0;
	ssize_t n;
	while (used < sizeof(buf) - 1 && (n = read(fd, buf + used, sizeof(buf) - 1 - used)) > 0)
		used += (size_t)n;
	close(fd);
	buf[used] = 0;
	char want[64];
	snprintf(want, sizeof(want), " %s\n", name);
	char *p = strstr(buf, want);
	if (!p)
		return 0;
	while (p > buf && p[-1] != '\n')
		p--;
	return sscanf(p, "%lx-%lx %4s", lo, hi, perms) == 3;
}

static void auxv_names_elf_image(void)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	CHECK(base != 0);
	CHECK(base % 4096 == 0);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0);
	CHECK_EQ(eh->e_ident[EI_CLASS], ELFCLASS64);
	CHECK_EQ(eh->e_type, ET_DYN);
	CHECK_EQ(eh->e_machine, EM_X86_64);
}

static void proc_maps_shows_vdso_and_vvar(void)
{
	unsigned long lo, hi;
	char perms[5];
	CHECK(maps_find("[vdso]", &lo, &hi, perms));
	CHECK_EQ(lo, getauxval(AT_SYSINFO_EHDR));
	CHECK(hi > lo);
	CHECKF(strcmp(perms, "r-xp") == 0, "[vdso] perms %s", perms);
	CHECK(maps_find("[vvar]", &lo, &hi, perms));
	CHECKF(strcmp(perms, "r--p") == 0, "[vvar] perms %s", perms);
	CHECK(lo < getauxval(AT_SYSINFO_EHDR));
}

/* libc's clock_gettime (the vDSO) brackets the syscall's reading and the other way round. */
static int brackets(clockid_t c, int strict)
{
	struct timespec a, b, d;
	for (int i = 0; i < 100; i++) {
		if (clock_gettime(c, &a) != 0 || syscall(SYS_clock_gettime, c, &b) != 0 || clock_gettime(c, &d) != 0)
			return 0;
		long long x = ts_ns(&a), y = ts_ns(&b), z = ts_ns(&d);
		if (strict ? !(x <= y && y <= z) : (y < x - 1000000000LL || z > y + 1000000000LL))
			return 0;
	}
	return 1;
}

static void clocks_agree_with_syscall(void)
{
	CHECK(brackets(CLOCK_MONOTONIC, 1));
	CHECK(brackets(CLOCK_BOOTTIME, 1));
	CHECK(brackets(CLOCK_MONOTONIC_COARSE, 1));
	CHECK(brackets(CLOCK_MONOTONIC_RAW, 1));
	CHECK(brackets(CLOCK_REALTIME, 0)); /* may be stepped: only close */
	CHECK(brackets(CLOCK_REALTIME_COARSE, 0));
	CHECK(brackets(CLOCK_TAI, 0));
}

static void monotonic_never_goes_back(void)
{
	struct timespec t;
	long long prev = 0, prevc = 0;
	for (int i = 0; i < 20000; i++) {
		CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
		CHECK(ts_ns(&t) >= prev);
		prev = ts_ns(&t);
		CHECK(clock_gettime(CLOCK_MONOTONIC_COARSE, &t) == 0);
		CHECK(ts_ns(&t) >= prevc);
		prevc = ts_ns(&t);
	}
}

static void time_and_gettimeofday_match_realtime(void)
{
	/* time() is the coarse clock's second (it may trail CLOCK_REALTIME by a tick). */
	struct timespec c, r, r2;
	struct timeval tv;
	CHECK(clock_gettime(CLOCK_REALTIME_COARSE, &c) == 0);
	time_t t = time(NULL);
	CHECK(clock_gettime(CLOCK_REALTIME, &r) == 0);
	CHECK(gettimeofday(&tv, NULL) == 0);
	CHECK(clock_gettime(CLOCK_REALTIME, &r2) == 0);
	CHECKF(t >= c.tv_sec && t <= r.tv_sec, "time %ld coarse %ld realtime %ld", (long)t, (long)c.tv_sec, (long)r.tv_sec);
	long long g = (long long)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
	CHECK(g >= ts_ns(&r) / 1000 * 1000 && g <= ts_ns(&r2));
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	time_t t2;
	CHECK(time(&t2) >= t && t2 >= t);
}

static void resolution_and_cpu_clocks(void)
{
	struct timespec res, t;
	CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0);
	CHECK(res.tv_sec == 0 && res.tv_nsec >= 1 && res.tv_nsec <= 1000000);
	struct timespec sres;
	CHECK(syscall(SYS_clock_getres, CLOCK_MONOTONIC, &sres) == 0);
	CHECK_EQ(res.tv_nsec, sres.tv_nsec);
	/* The vDSO has no CPU clocks: it falls back to the syscall. */
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) == 0);
	CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0);
	CHECK(t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
	errno = 0;
	CHECK(clock_gettime((clockid_t)12345, &t) == -1 && errno == EINVAL);
}

static void getcpu_works(void)
{
	int cpu = sched_getcpu();
	CHECK(cpu >= 0);
	unsigned c = ~0u, node = ~0u;
	CHECK(syscall(SYS_getcpu, &c, &node, NULL) == 0);
	CHECK(c != ~0u && node != ~0u);
}

static void vvar_never_writable(void)
{
	unsigned long lo, hi;
	char perms[5];
	CHECK(maps_find("[vvar]", &lo, &hi, perms));
	CHECK_ERR(mprotect((void *)lo, 4096, PROT_READ | PROT_WRITE), EACCES);
	CHECK(maps_find("[vvar]", &lo, &hi, perms));
	CHECKF(strcmp(perms, "r--p") == 0, "[vvar] perms %s", perms);
}

/* Runs fn in a child; its exit status. */
static int in_child(int (*fn)(void))
{
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0)
		_exit(fn());
	int st;
	if (waitpid(p, &st, 0) != p)
		return -1;
	return st;
}

static int child_uses_vdso(void)
{
	struct timespec t;
	unsigned long lo, hi;
	char perms[5];
	if (!maps_find("[vdso]", &lo, &hi, perms) || lo != getauxval(AT_SYSINFO_EHDR))
		return 1;
	for (int i = 0; i < 1000; i++)
		if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
			return 2;
	return 0;
}

static void fork_keeps_vdso(void)
{
	int st = in_child(child_uses_vdso);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

static int map_fixed_over_vdso(void)
{
	unsigned long lo, hi;
	char perms[5];
	if (!maps_find("[vdso]", &lo, &hi, perms))
		return 1;
	void *p = mmap((void *)lo, hi - lo, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p != (void *)lo)
		return 2;
	for (unsigned long a = lo; a < hi; a++)
		if (*(volatile unsigned char *)a != 0)
			return 3; /* the vDSO's bytes still show through */
	if (maps_find("[vdso]", &lo, &hi, perms))
		return 4;
	memset(p, 0x5a, hi - lo);
	struct timespec t;
	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t) != 0)
		return 5;
	/* A fork copies the new memory, not the vDSO. */
	pid_t c = fork();
	if (c == 0)
		_exit(*(volatile unsigned char *)lo == 0x5a && *(volatile unsigned char *)(hi - 1) == 0x5a ? 0 : 1);
	int st;
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 6;
	return 0;
}

static void map_fixed_replaces_vdso(void)
{
	int st = in_child(map_fixed_over_vdso);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

static int unmap_vdso_then_fork(void)
{
	unsigned long lo, hi;
	char perms[5];
	if (!maps_find("[vdso]", &lo, &hi, perms))
		return 1;
	if (munmap((void *)lo, hi - lo) != 0)
		return 2;
	if (maps_find("[vdso]", &lo, &hi, perms))
		return 3;
	/* mmap may use the hole again: MAP_FIXED_NOREPLACE there succeeds. */
	void *p = mmap((void *)lo, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)lo)
		return 4;
	if (*(volatile unsigned char *)lo != 0)
		return 5;
	if (munmap(p, 4096) != 0)
		return 6;
	/* Neither this process nor a child can read the unmapped range. */
	pid_t c = fork();
	if (c == 0) {
		(void)*(volatile unsigned char *)lo;
		_exit(0);
	}
	int st;
	if (c < 0 || waitpid(c, &st, 0) != c)
		return 7;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
		return 8;
	return 0;
}

static void munmap_removes_vdso(void)
{
	int st = in_child(unmap_vdso_then_fork);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

static void vdso_not_growable(void)
{
	unsigned long lo, hi;
	char perms[5];
	CHECK(maps_find("[vvar]", &lo, &hi, perms));
	/* A special mapping never grows (VM_DONTEXPAND): EFAULT, or ENOMEM when the space above is taken. */
	CHECK_ERR2(mremap((void *)lo, hi - lo, hi - lo + 4096, 0), EFAULT, ENOMEM);
	CHECK(maps_find("[vvar]", &lo, &hi, perms));
}

static void exec_maps_vdso(void)
{
	pid_t p = fork();
	CHECK(p >= 0);
	if (p == 0) {
		char *argv[] = {"vdso", "exec-check", NULL};
		execv("/proc/self/exe", argv);
		_exit(100);
	}
	int st;
	CHECK(waitpid(p, &st, 0) == p);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec'd child status %#x", st);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "loop") == 0) {
		struct timespec t;
		long n = atol(argv[2]);
		for (long i = 0; i < n; i++)
			if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
				return 1;
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "sysloop") == 0) {
		struct timespec t;
		long n = atol(argv[2]);
		for (long i = 0; i < n; i++)
			if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t) != 0)
				return 1;
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "exec-check") == 0)
		return child_uses_vdso();
	RUN(auxv_names_elf_image);
	RUN(proc_maps_shows_vdso_and_vvar);
	RUN(clocks_agree_with_syscall);
	RUN(monotonic_never_goes_back);
	RUN(time_and_gettimeofday_match_realtime);
	RUN(resolution_and_cpu_clocks);
	RUN(getcpu_works);
	RUN(vvar_never_writable);
	RUN(vdso_not_growable);
	RUN(fork_keeps_vdso);
	RUN(map_fixed_replaces_vdso);
	RUN(munmap_removes_vdso);
	RUN(exec_maps_vdso);
	DONE();
}
