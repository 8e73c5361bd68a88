/*
 * bench/files.c: file-system micro-benchmarks, timed inside the program.
 *
 *     files -d DIR [-p PREFIX] [-n FILES] [-f FILE] [-r SMALL_READS]
 *
 * Prints one line per benchmark: "NAME NS_PER_OP", like bench/syscalls.c,
 * each NAME prefixed by "PREFIX_" when -p is given. The timer is
 * clock_gettime(CLOCK_MONOTONIC), read twice per benchmark.
 *
 *   create    in a fresh directory DIR/files-PID: open(O_CREAT|O_EXCL) and
 *             close FILES files (default 2000); ns per file
 *   stat      stat each of them; ns per file
 *   unlink    unlink each of them (then the directory is removed); ns per file
 *
 * With -f FILE (an existing file, created beforehand by the caller):
 *
 *   seq_read_1MiB  read FILE from start to end in 1 MiB read(2)s; ns per
 *                  1 MiB read (MB/s = 1048576e3 / ns)
 *   pread_64B      SMALL_READS (default 100000) pread(2)s of 64 bytes at
 *                  pseudo-random offsets (fixed seed); ns per read. A tenth
 *                  of them runs first as a warm-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (1 << 20)

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static const char *prefix = "";

static void report(const char *name, double ns)
{
	printf("%s%s%s %.1f\n", prefix, *prefix ? "_" : "", name, ns);
	fflush(stdout);
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "files: error: %s %s: %s\n", what, path ? path : "", strerror(errno));
	exit(1);
}

static void bench_metadata(const char *dir, long n)
{
	char sub[4096], path[4200];
	snprintf(sub, sizeof(sub), "%s/files-%ld", dir, (long)getpid());
	if (mkdir(sub, 0755) != 0)
		die("mkdir", sub);

	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", sub, i);
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			die("open(O_CREAT)", path);
		close(fd);
	}
	double t1 = now_ns();
	report("create", (t1 - t0) / (double)n);

	struct stat st;
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", sub, i);
		if (stat(path, &st) != 0)
			die("stat", path);
	}
	t1 = now_ns();
	report("stat", (t1 - t0) / (double)n);

	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", sub, i);
		if (unlink(path) != 0)
			die("unlink", path);
	}
	t1 = now_ns();
	report("unlink", (t1 - t0) / (double)n);

	if (rmdir(sub) != 0)
		die("rmdir", sub);
}

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned long long next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void bench_read(const char *file, long small)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open", file);
	struct stat st;
	if (fstat(fd, &st) != 0)
		die("fstat", file);
	if (st.st_size < BLOCK) {
		errno = EINVAL;
		die("file smaller than 1 MiB:", file);
	}
	char *buf = malloc(BLOCK);
	if (!buf)
		die("malloc", NULL);

	long blocks = 0;
	unsigned long long total = 0, sum = 0;
	double t0 = now_ns();
	for (;;) {
		ssize_t r = read(fd, buf, BLOCK);
		if (r < 0)
			die("read", file);
		if (r == 0)
			break;
		total += (unsigned long long)r;
		sum += (unsigned char)buf[r - 1];
		if (r == BLOCK)
			blocks++;
	}
	double t1 = now_ns();
	if (total != (unsigned long long)st.st_size) {
		fprintf(stderr, "files: error: read %llu bytes of %lld\n", total, (long long)st.st_size);
		exit(1);
	}
	report("seq_read_1MiB", (t1 - t0) / ((double)total / BLOCK));

	unsigned long long span = (unsigned long long)st.st_size - 64;
	char small_buf[64];
	for (int pass = 0; pass < 2; pass++) {
		long n = pass == 0 ? small / 10 + 1 : small;
		t0 = now_ns();
		for (long i = 0; i < n; i++) {
			off_t off = (off_t)(next_rand() % span);
			if (pread(fd, small_buf, 64, off) != 64)
				die("pread", file);
			sum += (unsigned char)small_buf[0];
		}
		t1 = now_ns();
		if (pass == 1)
			report("pread_64B", (t1 - t0) / (double)n);
	}
	close(fd);
	free(buf);
	if (sum == 42)
		fputc('\n', stderr); /* keep sum alive */
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *file = NULL;
	long n = 2000, small = 100000;
	int c;
	while ((c = getopt(argc, argv, "d:p:n:f:r:")) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'p': prefix = optarg; break;
		case 'n': n = atol(optarg); break;
		case 'f': file = optarg; break;
		case 'r': small = atol(optarg); break;
		default: goto usage;
		}
	}
	if ((!dir && !file) || n < 1 || small < 1 || optind != argc)
		goto usage;
	if (dir)
		bench_metadata(dir, n);
	if (file)
		bench_read(file, small);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-d DIR] [-p PREFIX] [-n FILES>=1] [-f FILE] [-r SMALL_READS>=1]\n", argv[0]);
	return 2;
}
