/*
 * mm_fork.c: fork(2) and memory: private memory is copied (copy-on-write,
 * invisible to the other side in both directions, over many pages, the
 * stack, brk and a moved mapping included), MAP_SHARED|MAP_ANONYMOUS stays
 * shared, MADV_DONTFORK mappings are absent from the child, MADV_WIPEONFORK
 * ones read as zeros there, kernel writes (read(2) into memory) copy too,
 * grandchildren keep their memory when their parent exits first, and
 * mlock is not inherited.
 *
 * Children report through their exit status (0: all fine, else the number
 * of the failed check) and never print. Parent and child take turns through
 * pipes where both sides must write after the fork.
 */
#include "check.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define NPAGES 64

/* In a child: exit with the line number if cond fails. */
#define CHILD_CHECK(cond)                    \
	do {                                 \
		if (!(cond))                 \
			_exit(__LINE__ % 250 + 1); \
	} while (0)

/* Waits for pid; the child's exit status (0: it passed), or -1. */
static int reap(pid_t pid)
{
	int st;
	pid_t r;
	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r != pid)
		return -1;
	if (WIFSIGNALED(st))
		return 1000 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void sync_write(int fd)
{
	char c = 1;
	while (write(fd, &c, 1) < 0 && errno == EINTR)
		;
}

static int sync_read(int fd)
{
	char c;
	ssize_t r;
	do
		r = read(fd, &c, 1);
	while (r < 0 && errno == EINTR);
	return r == 1;
}

static int all_pages(const char *p, size_t pages, int (*want)(size_t))
{
	for (size_t i = 0; i < pages; i++)
		if (p[i * PAGE] != (char)want(i) || p[i * PAGE + PAGE - 1] != (char)want(i))
			return 0;
	return 1;
}

static int orig(size_t i) { return (int)(i + 1); }
static int child_view(size_t i) { return i % 2 == 0 ? 0x40 : orig(i); }
static int parent_view(size_t i) { return i % 2 == 1 ? 0x50 : orig(i); }

static void fill(char *p, size_t i, int v)
{
	p[i * PAGE] = (char)v;
	p[i * PAGE + PAGE - 1] = (char)v;
}

static void private_copy_both_ways(void)
{
	char *p = mmap(NULL, NPAGES * PAGE, RW, ANON, -1, 0);
	CHECK(p != MAP_FAILED);
	for (size_t i = 0; i < NPAGES; i++)
		fill(p, i, orig(i));
	int to_child[2], to_parent[2];
	CHECK_OK(pipe(to_child));
	CHECK_OK(pipe(to_parent));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		CHILD_CHECK(all_pages(p, NPAGES, orig));
		for (size_t i = 0; i < NPAGES; i += 2)
			fill(p, i, 0x40);
		sync_write(to_parent[1]);
		CHILD_CHECK(sync_read(to_child[0])); /* the parent has written its pages */
		CHILD_CHECK(all_pages(p, NPAGES, child_view));
		_exit(0);
	}
	CHECK(sync_read(to_parent[0])); /* the child has written its pages */
	CHECK(all_pages(p, NPAGES, orig));
	for (size_t i = 1; i < NPAGES; i += 2)
		fill(p, i, 0x50);
	sync_write(to_child[1]);
	CHECK_EQ(reap(pid), 0);
	CHECK(all_pages(p, NPAGES, parent_view));
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	munmap(p, NPAGES * PAGE);
}

static void shared_anonymous_stays_shared(void)
{
	volatile int *s = mmap(NULL, 2 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED);
	s[0] = 7;
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		CHILD_CHECK(s[0] == 7);
		s[0] = 8;
		s[PAGE / sizeof(int)] = 9; /* a page nobody touched before the fork */
		_exit(0);
	}
	CHECK_EQ(reap(pid), 0);
	CHECK_EQ(s[0], 8);
	CHECK_EQ(s[PAGE / sizeof(int)], 9);
	munmap((void *)s, 2 * PAGE);
}

static void dontfork_and_wipeonfork(void)
{
	char *d = mmap(NULL, 2 * PAGE, RW, ANON, -1, 0);
	char *w = mmap(NULL, 2 * PAGE, RW, ANON, -1, 0);
	CHECK(d != MAP_FAILED && w != MAP_FAILED);
	d[0] = 1;
	w[0] = 2;
	w[PAGE] = 3;
	CHECK_OK(madvise(d, 2 * PAGE, MADV_DONTFORK));
	CHECK_OK(madvise(w, 2 * PAGE, MADV_WIPEONFORK));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		unsigned char vec[2];
		/* Not mapped in the child: mincore says ENOMEM, write(2) from it EFAULT. */
		CHILD_CHECK(mincore(d, 2 * PAGE, vec) == -1 && errno == ENOMEM);
		CHILD_CHECK(write(1, d, 1) == -1 && errno == EFAULT);
		CHILD_CHECK(mincore(w, 2 * PAGE, vec) == 0);
		CHILD_CHECK(w[0] == 0 && w[PAGE] == 0);
		w[0] = 5;
		_exit(0);
	}
	CHECK_EQ(reap(pid), 0);
	CHECK_EQ(d[0], 1);
	CHECK_EQ(w[0], 2);
	CHECK_EQ(w[PAGE], 3);
	d[1] = 4; /* still writable in the parent */
	munmap(d, 2 * PAGE);
	munmap(w, 2 * PAGE);
}

static void kernel_writes_copy(void)
{
	char *p = mmap(NULL, 4 * PAGE, RW, ANON, -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 'a', 4 * PAGE);
	int fds[2];
	CHECK_OK(pipe(fds));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		/* read(2) writes into a page shared with the parent (without touching it first). */
		CHILD_CHECK(read(fds[0], p + PAGE + 10, 5) == 5);
		CHILD_CHECK(memcmp(p + PAGE + 10, "child", 5) == 0);
		CHILD_CHECK(p[PAGE + 9] == 'a' && p[PAGE + 15] == 'a');
		_exit(0);
	}
	CHECK_EQ(write(fds[1], "child", 5), 5);
	CHECK_EQ(reap(pid), 0);
	CHECK_EQ(p[PAGE + 10], 'a');
	/* And the other way: the parent's read(2) after a fork leaves the child's copy alone. */
	int back[2];
	CHECK_OK(pipe(back));
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		CHILD_CHECK(sync_read(back[0])); /* the parent has read into its copy */
		CHILD_CHECK(p[3 * PAGE] == 'a');
		_exit(0);
	}
	CHECK_EQ(write(fds[1], "P", 1), 1);
	CHECK_EQ(read(fds[0], p + 3 * PAGE, 1), 1);
	CHECK_EQ(p[3 * PAGE], 'P');
	sync_write(back[1]);
	CHECK_EQ(reap(pid), 0);
	close(fds[0]);
	close(fds[1]);
	close(back[0]);
	close(back[1]);
	munmap(p, 4 * PAGE);
}

static void stack_and_heap(void)
{
	volatile int local = 10;
	char *h = sbrk(0);
	CHECK(h != (char *)-1);
	CHECK(sbrk(2 * PAGE) != (void *)-1);
	h[0] = 'h';
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		CHILD_CHECK(local == 10 && h[0] == 'h');
		local = 11;
		h[0] = 'c';
		CHILD_CHECK(sbrk(PAGE) != (void *)-1); /* the child has its own break */
		h[2 * PAGE] = 'x';
		_exit(0);
	}
	CHECK_EQ(reap(pid), 0);
	CHECK_EQ(local, 10);
	CHECK_EQ(h[0], 'h');
	CHECK(sbrk(-2 * PAGE) != (void *)-1);
}

static void moved_and_unmapped_in_child(void)
{
	char *p = mmap(NULL, 8 * PAGE, RW, ANON, -1, 0);
	CHECK(p != MAP_FAILED);
	for (int i = 0; i < 8; i++)
		p[i * PAGE] = (char)('0' + i);
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		char *q = mremap(p, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p + 16 * PAGE);
		CHILD_CHECK(q == p + 16 * PAGE);
		CHILD_CHECK(q[2 * PAGE] == '2');
		q[2 * PAGE] = 'm';
		CHILD_CHECK(munmap(p + 4 * PAGE, 4 * PAGE) == 0);
		_exit(0);
	}
	CHECK_EQ(reap(pid), 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(p[i * PAGE], '0' + i);
	munmap(p, 8 * PAGE);
}

static void grandchild_outlives_child(void)
{
	char *p = mmap(NULL, 4 * PAGE, RW, ANON, -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 'g', 4 * PAGE);
	int res[2], go[2];
	CHECK_OK(pipe(res));
	CHECK_OK(pipe(go));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		p[0] = 'c';
		pid_t g = fork();
		if (g < 0)
			_exit(2);
		if (g == 0) {
			/* Waits until its parent is gone, then checks and reports. */
			char ok = 0;
			if (sync_read(go[0])) {
				p[PAGE] = 'G';
				ok = p[0] == 'c' && p[PAGE] == 'G' && p[2 * PAGE] == 'g';
			}
			while (write(res[1], &ok, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		p[0] = 'x'; /* after the grandchild's fork: not its business */
		_exit(0);
	}
	CHECK_EQ(reap(pid), 0);
	sync_write(go[1]);
	char ok = 0;
	CHECK_EQ(read(res[0], &ok, 1), 1);
	CHECK_EQ(ok, 1);
	CHECK_EQ(p[0], 'g');
	CHECK_EQ(p[PAGE], 'g');
	close(res[0]);
	close(res[1]);
	close(go[0]);
	close(go[1]);
	munmap(p, 4 * PAGE);
}

static void mlock_not_inherited(void)
{
	char *p = mmap(NULL, PAGE, RW, ANON | MAP_LOCKED, -1, 0);
	if (p == MAP_FAILED && (errno == EAGAIN || errno == EPERM)) {
		say("# mlock not allowed here: skipped");
		return;
	}
	CHECK(p != MAP_FAILED);
	p[0] = 1;
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		/* MADV_DONTNEED is EINVAL on locked memory: fine in the child. */
		CHILD_CHECK(madvise(p, PAGE, MADV_DONTNEED) == 0);
		CHILD_CHECK(p[0] == 0);
		_exit(0);
	}
	CHECK_EQ(reap(pid), 0);
	CHECK_ERR(madvise(p, PAGE, MADV_DONTNEED), EINVAL);
	CHECK_EQ(p[0], 1);
	munmap(p, PAGE);
}

int main(void)
{
	RUN(private_copy_both_ways);
	RUN(shared_anonymous_stays_shared);
	RUN(dontfork_and_wipeonfork);
	RUN(kernel_writes_copy);
	RUN(stack_and_heap);
	RUN(moved_and_unmapped_in_child);
	RUN(grandchild_outlives_child);
	RUN(mlock_not_inherited);
	DONE();
}
