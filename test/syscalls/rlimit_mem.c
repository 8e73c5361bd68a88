/* RLIMIT_AS and RLIMIT_DATA enforced by mmap, mremap and brk (man 2 getrlimit, may_expand_vm). Each case runs in a forked child so the limits do not leak. */
#include "check.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define MiB (1UL << 20)

static int set_limit(int res, unsigned long bytes)
{
	struct rlimit r = {bytes, bytes};
	return setrlimit(res, &r);
}

/* Runs fn in a child; the child's exit status is the number of failed checks. */
static int in_child(int (*fn)(void))
{
	pid_t p = fork();
	if (p == 0)
		_exit(fn());
	int st;
	if (waitpid(p, &st, 0) != p || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int as_child(void)
{
	int bad = 0;
	if (set_limit(RLIMIT_AS, 256 * MiB))
		return 100;
	void *p = mmap(0, 512 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bad += !(p == MAP_FAILED && errno == ENOMEM);
	p = mmap(0, 16 * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bad += p == MAP_FAILED;
	/* Growing in place past the limit fails too. */
	void *q = mremap(p, 16 * MiB, 400 * MiB, MREMAP_MAYMOVE);
	bad += !(q == MAP_FAILED && errno == ENOMEM);
	/* MAP_FIXED over an existing mapping replaces it: no growth, no error. */
	q = mmap(p, 16 * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	bad += q != p;
	return bad;
}

static void rlimit_as_mmap(void)
{
	CHECK_EQ(in_child(as_child), 0);
}

static int data_child(void)
{
	int bad = 0;
	if (set_limit(RLIMIT_DATA, 8 * MiB))
		return 100;
	void *p = mmap(0, 16 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bad += !(p == MAP_FAILED && errno == ENOMEM);
	/* Read-only and shared mappings are not data. */
	p = mmap(0, 16 * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bad += p == MAP_FAILED;
	p = mmap(0, 16 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	bad += p == MAP_FAILED;
	/* The heap counts against RLIMIT_DATA. */
	void *b = sbrk(0);
	bad += brk((char *)b + 16 * MiB) == 0;
	bad += brk((char *)b + 4096) != 0;
	return bad;
}

static void rlimit_data_mmap_brk(void)
{
	CHECK_EQ(in_child(data_child), 0);
}

int main(void)
{
	RUN(rlimit_as_mmap);
	RUN(rlimit_data_mmap_brk);
	DONE();
}
