/*
 * fs_splice.c: sendfile(2), splice(2), tee(2), copy_file_range(2): data,
 * counts, offsets (updated through the pointer, not the file position,
 * when one is given), the limits of a pipe's free slots, and errors.
 *
 * One process, nothing blocks: pipes are given data first or used with
 * SPLICE_F_NONBLOCK / O_NONBLOCK.
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

static char buf[300000];
static char rb[300000];

static void setup(void)
{
	fs_setup("/tmp/tsvisor-fs_splice-XXXXXX");
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)('a' + (i * 7 + i / 4096) % 26);
}

static long rsendfile(int out, int in, off_t *off, size_t n) { return syscall(SYS_sendfile, out, in, off, n); }
static long rsplice(int in, loff_t *offin, int out, loff_t *offout, size_t n, unsigned flags)
{
	return syscall(SYS_splice, in, offin, out, offout, n, flags);
}
static long rtee(int in, int out, size_t n, unsigned flags) { return syscall(SYS_tee, in, out, n, flags); }
static long rcopy(int in, loff_t *offin, int out, loff_t *offout, size_t n, unsigned flags)
{
	return syscall(SYS_copy_file_range, in, offin, out, offout, n, flags);
}

/* A file of size bytes of buf. */
static int make(const char *name, size_t size)
{
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (size > 0 && write(fd, buf, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static off_t pos(int fd) { return lseek(fd, 0, SEEK_CUR); }

/* Whether fd's bytes [at, at+n) equal buf[from, from+n). */
static int same(int fd, off_t at, size_t from, size_t n)
{
	if (pread(fd, rb, n, at) != (ssize_t)n)
		return 0;
	return memcmp(rb, buf + from, n) == 0;
}

/* Reads everything a non-blocking pipe holds into rb; returns the count. */
static long drain(int fd)
{
	long total = 0;
	for (;;) {
		long r = read(fd, rb + total, sizeof rb - (size_t)total);
		if (r <= 0)
			return total;
		total += r;
	}
}

static void close2(int p[2])
{
	close(p[0]);
	close(p[1]);
}

static void sendfile_file_to_file(void)
{
	int in, out;
	off_t off;
	CHECK_OK(in = make("sf-in", 10000));
	CHECK_OK(out = make("sf-out", 0));
	CHECK_EQ(rsendfile(out, in, NULL, 3000), 3000);
	CHECK_EQ(pos(in), 3000);
	CHECK_EQ(pos(out), 3000);
	CHECK(same(out, 0, 0, 3000));
	/* With an offset: it moves, the input's position does not. */
	off = 9000;
	CHECK_EQ(rsendfile(out, in, &off, 5000), 1000); /* up to EOF */
	CHECK_EQ(off, 10000);
	CHECK_EQ(pos(in), 3000);
	CHECK_EQ(pos(out), 4000);
	CHECK(same(out, 3000, 9000, 1000));
	off = 10000;
	CHECK_EQ(rsendfile(out, in, &off, 5000), 0);
	CHECK_EQ(off, 10000);
	CHECK_EQ(rsendfile(out, in, NULL, 0), 0);
	/* /dev/zero to /dev/null: a long transfer. */
	int z, n;
	CHECK_OK(z = open("/dev/zero", O_RDONLY));
	CHECK_OK(n = open("/dev/null", O_WRONLY));
	CHECK_EQ(rsendfile(n, z, NULL, 1 << 20), 1 << 20);
	close(z);
	close(n);
	close(in);
	close(out);
}

static void sendfile_big(void)
{
	/* More than any staging buffer: 6 MB through a file and back. */
	int a, b;
	const size_t chunk = sizeof buf;
	CHECK_OK(a = make("big-a", 0));
	for (int i = 0; i < 20; i++)
		CHECK_EQ(write(a, buf, chunk), (long)chunk);
	CHECK_OK(b = make("big-b", 0));
	lseek(a, 0, SEEK_SET);
	CHECK_EQ(rsendfile(b, a, NULL, 20 * chunk + 5), (long)(20 * chunk));
	struct stat st;
	CHECK_OK(fstat(b, &st));
	CHECK_EQ(st.st_size, (long)(20 * chunk));
	CHECK(same(b, 0, 0, chunk));
	CHECK(same(b, (off_t)(19 * chunk), 0, chunk));
	close(a);
	close(b);
}

static void sendfile_to_pipe(void)
{
	int in, p[2];
	CHECK_OK(in = make("sp-in", 200000));
	CHECK_OK(pipe2(p, O_NONBLOCK));
	/* At most what the pipe's free slots take: 16 pages, less the start's offset in its page. */
	CHECK_OK(lseek(in, 100, SEEK_SET));
	CHECK_EQ(rsendfile(p[1], in, NULL, 100000), 65536 - 100);
	CHECK_EQ(pos(in), 65536);
	CHECK_EQ(drain(p[0]), 65536 - 100);
	CHECK(memcmp(rb, buf + 100, 65536 - 100) == 0);
	CHECK_EQ(rsendfile(p[1], in, NULL, 10), 10);
	/* 15 free slots; the first takes the rest of the file's page after offset 10. */
	CHECK_EQ(rsendfile(p[1], in, NULL, 100000), 65536 - 4096 - 10);
	/* Full: EAGAIN for a non-blocking pipe. */
	CHECK_ERR(rsendfile(p[1], in, NULL, 1), EAGAIN);
	CHECK_EQ(drain(p[0]), 65536 - 4096);
	CHECK(memcmp(rb, buf + 65536, 65536 - 4096) == 0);
	close(in);
	close2(p);
}

static void sendfile_errors(void)
{
	int in, out, ro, app, dir, p[2];
	off_t off;
	CHECK_OK(in = make("se-in", 100));
	CHECK_OK(out = make("se-out", 0));
	CHECK_OK(ro = open("se-out", O_RDONLY));
	CHECK_OK(app = open("se-out", O_WRONLY | O_APPEND));
	CHECK_OK(dir = open(".", O_RDONLY | O_DIRECTORY));
	CHECK_OK(pipe(p));
	CHECK_ERR(rsendfile(-1, in, NULL, 10), EBADF);
	CHECK_ERR(rsendfile(out, -1, NULL, 10), EBADF);
	CHECK_ERR(rsendfile(ro, in, NULL, 10), EBADF);   /* output not writable */
	CHECK_ERR(rsendfile(out, app, NULL, 10), EBADF); /* input not readable */
	CHECK_ERR(rsendfile(app, in, NULL, 10), EINVAL); /* O_APPEND output */
	CHECK_ERR(rsendfile(app, in, NULL, 0), EINVAL);
	CHECK_ERR(rsendfile(out, dir, NULL, 10), EINVAL);
	CHECK_EQ(rsendfile(out, dir, NULL, 0), 0);
	CHECK_ERR(rsendfile(out, p[0], NULL, 10), EINVAL); /* an unseekable input to a file */
	off = 0;
	CHECK_ERR(rsendfile(out, p[0], &off, 10), ESPIPE);
	CHECK_ERR(rsendfile(p[1], p[0], NULL, 10), EINVAL);
	off = -1;
	CHECK_ERR(rsendfile(out, in, &off, 10), EINVAL);
	CHECK_EQ(off, -1);
	off = 0x7ffffffffffffff0LL;
	CHECK_ERR(rsendfile(out, in, &off, 100), EINVAL);
	CHECK_ERR(rsendfile(out, in, (off_t *)1, 10), EFAULT);
	CHECK_ERR(rsendfile(out, in, NULL, (size_t)-1), EINVAL);
	CHECK_EQ(pos(in), 0);
	close(in);
	close(out);
	close(ro);
	close(app);
	close(dir);
	close2(p);
}

static void splice_file_pipe_file(void)
{
	int in, out, p[2];
	loff_t off;
	CHECK_OK(in = make("sx-in", 10000));
	CHECK_OK(out = make("sx-out", 0));
	CHECK_OK(pipe(p));
	/* File to pipe at the file's position. */
	CHECK_EQ(rsplice(in, NULL, p[1], NULL, 1000, 0), 1000);
	CHECK_EQ(pos(in), 1000);
	/* At an offset: the pointer moves, the position does not. */
	off = 5000;
	CHECK_EQ(rsplice(in, &off, p[1], NULL, 500, 0), 500);
	CHECK_EQ(off, 5500);
	CHECK_EQ(pos(in), 1000);
	/* Pipe to file: what the pipe holds, up to len. */
	CHECK_EQ(rsplice(p[0], NULL, out, NULL, 1200, 0), 1200);
	CHECK_EQ(pos(out), 1200);
	off = 4000;
	CHECK_EQ(rsplice(p[0], NULL, out, &off, 100000, 0), 300);
	CHECK_EQ(off, 4300);
	CHECK_EQ(pos(out), 1200);
	CHECK(same(out, 0, 0, 1000));
	CHECK(same(out, 1000, 5000, 200));
	CHECK(same(out, 4000, 5200, 300));
	/* Nothing left and a writer: EAGAIN with SPLICE_F_NONBLOCK. */
	CHECK_ERR(rsplice(p[0], NULL, out, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
	/* No writer: end of file. */
	close(p[1]);
	CHECK_EQ(rsplice(p[0], NULL, out, NULL, 10, 0), 0);
	/* At the input's end of file: 0. */
	close(p[0]);
	CHECK_OK(pipe(p));
	off = 10000;
	CHECK_EQ(rsplice(in, &off, p[1], NULL, 10, 0), 0);
	CHECK_EQ(off, 10000);
	close(in);
	close(out);
	close2(p);
}

static void splice_pipe_to_pipe(void)
{
	int a[2], b[2];
	char s[16];
	CHECK_OK(pipe(a));
	CHECK_OK(pipe2(b, O_NONBLOCK));
	CHECK_EQ(write(a[1], "hello ", 6), 6);
	CHECK_EQ(write(a[1], "world", 5), 5); /* merged into one buffer */
	CHECK_EQ(rsplice(a[0], NULL, b[1], NULL, 3, 0), 3);
	CHECK_EQ(rsplice(a[0], NULL, b[1], NULL, 100, 0), 8);
	CHECK_EQ(read(b[0], s, sizeof s), 11);
	CHECK(memcmp(s, "hello world", 11) == 0);
	/* Input empty: EAGAIN without waiting (the output's O_NONBLOCK counts too). */
	CHECK_ERR(rsplice(a[0], NULL, b[1], NULL, 5, 0), EAGAIN);
	CHECK_ERR(rsplice(a[0], NULL, b[1], NULL, 5, SPLICE_F_NONBLOCK), EAGAIN);
	/* Output full: EAGAIN. */
	long r;
	for (int i = 0; i < 16; i++)
		CHECK_EQ(write(b[1], buf, 4096), 4096);
	CHECK_EQ(write(a[1], "x", 1), 1);
	CHECK_ERR(rsplice(a[0], NULL, b[1], NULL, 1, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_EQ(drain(b[0]), 65536);
	CHECK_EQ(r = rsplice(a[0], NULL, b[1], NULL, 1, SPLICE_F_NONBLOCK), 1);
	/* Writer gone and input empty: 0. */
	close(a[1]);
	CHECK_EQ(rsplice(a[0], NULL, b[1], NULL, 5, 0), 0);
	close(a[0]);
	close2(b);
}

/* Page writes that fit in p's free slots until the pipe is full. */
static int pages_until_full(int fd)
{
	int n = 0;
	while (write(fd, buf, 4096) == 4096)
		n++;
	return n;
}

static void splice_moves_buffers(void)
{
	int a[2], b[2], f;
	CHECK_OK(pipe2(a, O_NONBLOCK));
	CHECK_OK(pipe2(b, O_NONBLOCK));
	/* A whole buffer moves as it is, still open to merging: "y" joins it. */
	CHECK_EQ(write(a[1], "x", 1), 1);
	CHECK_EQ(rsplice(a[0], NULL, b[1], NULL, 10, 0), 1);
	CHECK_EQ(write(b[1], "y", 1), 1);
	CHECK_EQ(pages_until_full(b[1]), 15);
	CHECK_EQ(drain(b[0]), 2 + 15 * 4096);
	CHECK(memcmp(rb, "xy", 2) == 0);
	/* Part of a buffer moves as a new one that is never merged into. */
	CHECK_EQ(write(a[1], "abc", 3), 3);
	CHECK_EQ(rsplice(a[0], NULL, b[1], NULL, 2, 0), 2);
	CHECK_EQ(write(b[1], "z", 1), 1);
	CHECK_EQ(pages_until_full(b[1]), 14);
	CHECK_EQ(drain(b[0]), 3 + 14 * 4096);
	CHECK(memcmp(rb, "abz", 3) == 0);
	CHECK_EQ(drain(a[0]), 1);
	CHECK_EQ(rb[0], 'c');
	/* Data spliced from a file is not merged into either. */
	CHECK_OK(f = make("mv", 100));
	CHECK_EQ(rsplice(f, NULL, b[1], NULL, 10, 0), 10);
	CHECK_EQ(write(b[1], "w", 1), 1);
	CHECK_EQ(pages_until_full(b[1]), 14);
	/* tee's copies neither. */
	CHECK_EQ(drain(b[0]), 11 + 14 * 4096);
	CHECK_EQ(write(a[1], "t", 1), 1);
	CHECK_EQ(rtee(a[0], b[1], 1, 0), 1);
	CHECK_EQ(write(b[1], "u", 1), 1);
	CHECK_EQ(pages_until_full(b[1]), 14);
	close(f);
	close2(a);
	close2(b);
}

static void splice_errors(void)
{
	int in, out, ro, app, dir, p[2], q[2];
	loff_t off = 0;
	CHECK_OK(in = make("sE-in", 100));
	CHECK_OK(out = make("sE-out", 0));
	CHECK_OK(ro = open("sE-out", O_RDONLY));
	CHECK_OK(app = open("sE-out", O_WRONLY | O_APPEND));
	CHECK_OK(dir = open(".", O_RDONLY | O_DIRECTORY));
	CHECK_OK(pipe(p));
	CHECK_OK(pipe(q));
	CHECK_EQ(rsplice(-1, NULL, -1, NULL, 0, 0), 0); /* len 0: nothing checked */
	CHECK_ERR(rsplice(in, NULL, out, NULL, 1, 0x10), EINVAL);
	CHECK_ERR(rsplice(-1, NULL, p[1], NULL, 1, 0x10), EINVAL); /* flags before descriptors */
	CHECK_ERR(rsplice(-1, NULL, p[1], NULL, 1, 0), EBADF);
	CHECK_ERR(rsplice(in, NULL, -1, NULL, 1, 0), EBADF);
	CHECK_ERR(rsplice(in, NULL, out, NULL, 1, 0), EINVAL); /* no pipe */
	CHECK_ERR(rsplice(p[0], NULL, p[1], NULL, 1, 0), EINVAL); /* the same pipe */
	CHECK_ERR(rsplice(p[0], &off, out, NULL, 1, 0), ESPIPE);
	CHECK_ERR(rsplice(in, NULL, p[1], &off, 1, 0), ESPIPE);
	CHECK_ERR(rsplice(p[1], NULL, out, NULL, 1, 0), EBADF); /* a write end as input */
	CHECK_ERR(rsplice(p[0], NULL, q[0], NULL, 1, 0), EBADF);
	CHECK_ERR(rsplice(p[0], NULL, ro, NULL, 1, 0), EBADF);
	CHECK_ERR(rsplice(p[0], NULL, dir, NULL, 1, 0), EBADF);
	CHECK_ERR(rsplice(p[0], NULL, app, NULL, 1, 0), EINVAL);
	CHECK_ERR(rsplice(dir, NULL, p[1], NULL, 1, SPLICE_F_NONBLOCK), EINVAL);
	off = -1;
	CHECK_ERR(rsplice(in, &off, p[1], NULL, 1, 0), EINVAL);
	CHECK_ERR(rsplice(in, (loff_t *)1, p[1], NULL, 1, 0), EFAULT);
	CHECK_ERR(rsplice(p[0], NULL, out, (loff_t *)1, 1, 0), EFAULT);
	close(in);
	close(out);
	close(ro);
	close(app);
	close(dir);
	close2(p);
	close2(q);
}

static void splice_epipe(void)
{
	int in, p[2], q[2];
	CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	CHECK_OK(in = make("ep-in", 100));
	CHECK_OK(pipe(p));
	CHECK_OK(pipe(q));
	close(p[0]);
	CHECK_ERR(rsplice(in, NULL, p[1], NULL, 10, 0), EPIPE);
	CHECK_ERR(rsendfile(p[1], in, NULL, 10), EPIPE);
	CHECK_EQ(write(q[1], "abc", 3), 3);
	CHECK_ERR(rsplice(q[0], NULL, p[1], NULL, 3, 0), EPIPE);
	CHECK_ERR(rtee(q[0], p[1], 3, 0), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(in);
	close(p[1]);
	close2(q);
}

static void tee_duplicates(void)
{
	int a[2], b[2];
	char s[32];
	CHECK_OK(pipe(a));
	CHECK_OK(pipe2(b, O_NONBLOCK));
	CHECK_EQ(write(a[1], "hello world", 11), 11);
	CHECK_EQ(rtee(a[0], b[1], 5, 0), 5);
	CHECK_EQ(rtee(a[0], b[1], 100, 0), 11); /* from the start again: nothing was consumed */
	CHECK_EQ(read(b[0], s, sizeof s), 16);
	CHECK(memcmp(s, "hellohello world", 16) == 0);
	CHECK_EQ(read(a[0], s, sizeof s), 11);
	CHECK(memcmp(s, "hello world", 11) == 0);
	/* Empty input: EAGAIN when non-blocking. */
	CHECK_ERR(rtee(a[0], b[1], 5, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR(rtee(a[0], b[1], 5, 0), EAGAIN); /* b's O_NONBLOCK */
	close(a[1]);
	CHECK_EQ(rtee(a[0], b[1], 5, 0), 0);
	close(a[0]);
	close2(b);
}

static void tee_errors(void)
{
	int f, p[2], q[2];
	CHECK_OK(f = make("te", 10));
	CHECK_OK(pipe(p));
	CHECK_OK(pipe(q));
	CHECK_EQ(rtee(-1, -1, 0, 0), 0);
	CHECK_ERR(rtee(-1, -1, 0, 0x10), EINVAL); /* flags before len */
	CHECK_ERR(rtee(-1, -1, 1, 0), EBADF);
	CHECK_ERR(rtee(f, q[1], 1, 0), EINVAL);
	CHECK_ERR(rtee(p[0], f, 1, 0), EINVAL);
	CHECK_ERR(rtee(p[0], p[1], 1, 0), EINVAL);
	CHECK_ERR(rtee(p[1], q[1], 1, 0), EBADF);
	CHECK_ERR(rtee(p[0], q[0], 1, 0), EBADF);
	close(f);
	close2(p);
	close2(q);
}

static void copy_file_range_basic(void)
{
	int in, out;
	loff_t a, b;
	CHECK_OK(in = make("cf-in", 10000));
	CHECK_OK(out = make("cf-out", 0));
	CHECK_EQ(rcopy(in, NULL, out, NULL, 4000, 0), 4000);
	CHECK_EQ(pos(in), 4000);
	CHECK_EQ(pos(out), 4000);
	a = 9000;
	b = 100;
	CHECK_EQ(rcopy(in, &a, out, &b, 5000, 0), 1000); /* to the input's end */
	CHECK_EQ(a, 10000);
	CHECK_EQ(b, 1100);
	CHECK_EQ(pos(in), 4000);
	CHECK_EQ(pos(out), 4000);
	CHECK(same(out, 0, 0, 100));
	CHECK(same(out, 100, 9000, 1000));
	CHECK(same(out, 1100, 1100, 2900));
	CHECK_EQ(rcopy(in, &a, out, &b, 10, 0), 0); /* at EOF */
	/* Within one file, ranges that do not overlap. */
	a = 0;
	b = 10000;
	CHECK_EQ(rcopy(in, &a, in, &b, 10000, 0), 10000);
	CHECK(same(in, 10000, 0, 10000));
	a = 0;
	b = 5;
	CHECK_ERR(rcopy(in, &a, in, &b, 10, 0), EINVAL);
	a = 0;
	b = 10;
	CHECK_EQ(rcopy(in, &a, in, &b, 10, 0), 10);
	close(in);
	close(out);
}

static void copy_file_range_errors(void)
{
	int in, out, ro, app, dir, shm, p[2], z;
	loff_t a, b;
	CHECK_OK(in = make("ce-in", 100));
	CHECK_OK(out = make("ce-out", 0));
	CHECK_OK(ro = open("ce-out", O_RDONLY));
	CHECK_OK(app = open("ce-out", O_WRONLY | O_APPEND));
	CHECK_OK(dir = open(".", O_RDONLY | O_DIRECTORY));
	CHECK_OK(pipe(p));
	CHECK_OK(z = open("/dev/zero", O_RDONLY));
	CHECK_ERR(rcopy(-1, NULL, out, NULL, 0, 0), EBADF);
	CHECK_ERR(rcopy(in, NULL, -1, NULL, 0, 0), EBADF);
	CHECK_ERR(rcopy(in, (loff_t *)1, out, NULL, 0, 1), EFAULT); /* offsets before flags */
	CHECK_ERR(rcopy(in, NULL, out, NULL, 0, 1), EINVAL);
	CHECK_ERR(rcopy(dir, NULL, p[1], NULL, 10, 0), EISDIR);
	CHECK_ERR(rcopy(in, NULL, dir, NULL, 10, 0), EISDIR);
	CHECK_ERR(rcopy(p[0], NULL, out, NULL, 10, 0), EINVAL);
	CHECK_ERR(rcopy(in, NULL, p[1], NULL, 10, 0), EINVAL);
	CHECK_ERR(rcopy(z, NULL, out, NULL, 10, 0), EINVAL);
	CHECK_ERR(rcopy(in, NULL, app, NULL, 10, 0), EBADF);
	CHECK_ERR(rcopy(in, NULL, ro, NULL, 10, 0), EBADF);
	CHECK_ERR(rcopy(app, NULL, out, NULL, 10, 0), EBADF);
	/* Another file system: EXDEV (Linux 5.19 and later copy across only between files of one driver that can). */
	shm = open("/dev/shm/tsvisor-fs_splice-x", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_OK(shm);
	unlink("/dev/shm/tsvisor-fs_splice-x");
	CHECK_ERR(rcopy(in, NULL, shm, NULL, 10, 0), EXDEV);
	CHECK_ERR(rcopy(shm, NULL, out, NULL, 0, 0), EXDEV);
	a = -1;
	CHECK_ERR(rcopy(in, &a, out, NULL, 10, 0), EOVERFLOW);
	CHECK_ERR(rcopy(in, &a, out, NULL, 0, 0), EINVAL);
	a = 0;
	b = -1;
	CHECK_ERR(rcopy(in, &a, out, &b, 10, 0), EOVERFLOW);
	b = 0x7ffffffffffffff0LL;
	CHECK_ERR(rcopy(in, &a, out, &b, 100, 0), EFBIG);
	a = 1000;
	b = 0;
	CHECK_EQ(rcopy(in, &a, out, &b, 10, 0), 0);
	CHECK_EQ(a, 1000);
	close(in);
	close(out);
	close(ro);
	close(app);
	close(dir);
	close(shm);
	close(z);
	close2(p);
}

int main(void)
{
	setup();
	RUN(sendfile_file_to_file);
	RUN(sendfile_big);
	RUN(sendfile_to_pipe);
	RUN(sendfile_errors);
	RUN(splice_file_pipe_file);
	RUN(splice_pipe_to_pipe);
	RUN(splice_moves_buffers);
	RUN(splice_errors);
	RUN(splice_epipe);
	RUN(tee_duplicates);
	RUN(tee_errors);
	RUN(copy_file_range_basic);
	RUN(copy_file_range_errors);
	teardown();
	DONE();
}
