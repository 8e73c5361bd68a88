/*
 * pipe.c: pipe(2), pipe2(2) and pipe I/O (man 7 pipe): flags, ordering,
 * partial reads, EOF, EAGAIN, EPIPE, capacity (F_GETPIPE_SZ, F_SETPIPE_SZ),
 * FIONREAD, O_DIRECT packets, PIPE_BUF atomicity, faults.
 *
 * One process, no fork: everything that would block is avoided (non-blocking
 * descriptors, or data already in the pipe). Each case closes what it opens.
 *
 * The capacity rules checked are Linux's since 5.5: a pipe is a ring of
 * page-sized buffers (16 by default); a write first appends its last
 * (len % 4096) bytes to the newest buffer if they all fit there, then fills
 * new pages; the pipe is full when every buffer is in use.
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>

#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#endif

static char big[70000];
static char rb[70000];

static long rwrite(int fd, const void *buf, size_t n) { return syscall(SYS_write, fd, buf, n); }
static long rread(int fd, void *buf, size_t n) { return syscall(SYS_read, fd, buf, n); }
static long rpipe2(void *fds, long flags) { return syscall(SYS_pipe2, fds, flags); }

static int fionread(int fd)
{
	int n = -1;
	if (ioctl(fd, FIONREAD, &n) != 0)
		return -1;
	return n;
}

/* The lowest free descriptor (what the next open would get). */
static int lowest_free(void)
{
	int fd = dup(1);
	if (fd >= 0)
		close(fd);
	return fd;
}

static void close2(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* Writes len bytes in chunk-sized writes until one fails; returns the bytes written. */
static long fill(int fd, long chunk)
{
	long total = 0;
	for (;;) {
		long r = rwrite(fd, big, chunk);
		if (r < 0)
			return total;
		total += r;
		if (r < chunk)
			return total;
	}
}

static void pipe_basic(void)
{
	int p[2] = {-1, -1};
	int want = lowest_free();
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(p[0], want); /* the read end gets the lowest descriptor */
	CHECK(p[1] > p[0]);
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY);
	CHECK_EQ(fcntl(p[0], F_GETFD), 0);
	CHECK_EQ(fcntl(p[1], F_GETFD), 0);
	close2(p);
	CHECK_EQ(syscall(SYS_pipe, p), 0);
	CHECK_EQ(p[0], want);
	close2(p);
}

static void pipe2_flags(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, 0), 0);
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY);
	close2(p);

	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
	close2(p);

	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK);
	CHECK_EQ(fcntl(p[0], F_GETFD), 0);
	close2(p);

	/* O_DIRECT is a property of the write end only */
	CHECK_EQ(pipe2(p, O_DIRECT), 0);
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_DIRECT);
	close2(p);

	CHECK_EQ(pipe2(p, O_DIRECT | O_NONBLOCK | O_CLOEXEC), 0);
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK | O_DIRECT);
	CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
	close2(p);

	/* flags is an int: the upper half of the register is ignored */
	CHECK_EQ(rpipe2(p, 0x100000000L | O_CLOEXEC), 0);
	CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	close2(p);
}

static void pipe2_bad_flags(void)
{
	int p[2];
	int want = lowest_free();
	CHECK_ERR(rpipe2(p, 1), EINVAL);
	CHECK_ERR(rpipe2(p, O_RDWR), EINVAL);
	CHECK_ERR(rpipe2(p, O_APPEND), EINVAL);
	CHECK_ERR(rpipe2(p, O_ASYNC), EINVAL);
	CHECK_ERR(rpipe2(p, O_CREAT | O_CLOEXEC), EINVAL);
	CHECK_ERR(rpipe2(p, -1), EINVAL);
	CHECK_ERR(rpipe2(BAD_NULL, O_APPEND), EINVAL); /* flags before the pointer */
	CHECK_EQ(lowest_free(), want);
}

static void pipe_bad_pointer(void)
{
	int want = lowest_free();
	CHECK_ERR(syscall(SYS_pipe, BAD_NULL), EFAULT);
	CHECK_ERR(rpipe2(BAD_NULL, 0), EFAULT);
	CHECK_ERR(rpipe2(BAD_LOW, O_CLOEXEC), EFAULT);
	CHECK_ERR(rpipe2(BAD_HIGH, 0), EFAULT);
	CHECK_ERR(rpipe2(BAD_KERNEL, O_NONBLOCK), EFAULT);
	/* read-only memory */
	CHECK_ERR(rpipe2((void *)"read-only string", 0), EFAULT);
	/* an array running into an unmapped page */
	char *nlp = newline_page();
	CHECK_ERR(rpipe2(nlp + PAGE - 4, 0), EFAULT);
	memset(nlp, '\n', PAGE);
	/* no descriptor leaked */
	CHECK_EQ(lowest_free(), want);
}

static void pipe_emfile(void)
{
	struct rlimit old, lim;
	int p[2] = {-1, -1};
	int want = lowest_free();
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
	/* room for exactly one more descriptor (want is the only free one below the limit) */
	lim = old;
	lim.rlim_cur = (rlim_t)want + 1;
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &lim), 0);
	errno = 0;
	long r = syscall(SYS_pipe2, p, 0);
	int e = errno;
	lim.rlim_cur = (rlim_t)want;
	setrlimit(RLIMIT_NOFILE, &lim);
	errno = 0;
	long r2 = syscall(SYS_pipe2, p, 0);
	int e2 = errno;
	setrlimit(RLIMIT_NOFILE, &old);
	CHECKF(r == -1 && e == EMFILE, "pipe2 with one free descriptor: got %ld errno %s", r, errname(e));
	CHECKF(r2 == -1 && e2 == EMFILE, "pipe2 with none free: got %ld errno %s", r2, errname(e2));
	CHECK_EQ(lowest_free(), want);
}

static void write_then_read(void)
{
	int p[2];
	char buf[64];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(rwrite(p[1], "hello", 5), 5);
	CHECK_EQ(rwrite(p[1], ", ", 2), 2);
	CHECK_EQ(rwrite(p[1], "world", 5), 5);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(rread(p[0], buf, sizeof(buf)), 12);
	CHECK(memcmp(buf, "hello, world", 12) == 0);
	CHECK_EQ(fionread(p[0]), 0);
	close2(p);
}

static void order_across_pages(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	for (int i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 4096);
	CHECK_EQ(rwrite(p[1], big, 10000), 10000);
	CHECK_EQ(rwrite(p[1], big + 10000, 30000), 30000);
	memset(rb, 0, sizeof(rb));
	long got = 0;
	while (got < 40000) {
		long r = rread(p[0], rb + got, 3333);
		CHECKF(r > 0, "read at %ld returned %ld", got, r);
		got += r;
	}
	CHECK_EQ(got, 40000);
	CHECK(memcmp(rb, big, 40000) == 0);
	CHECK_ERR(rread(p[0], rb, 1), EAGAIN);
	close2(p);
	memset(big, 'x', sizeof(big));
}

static void partial_reads(void)
{
	int p[2];
	char buf[64];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(rwrite(p[1], "abcdefghij", 10), 10);
	CHECK_EQ(rread(p[0], buf, 4), 4);
	CHECK(memcmp(buf, "abcd", 4) == 0);
	CHECK_EQ(fionread(p[0]), 6);
	CHECK_EQ(rread(p[0], buf, 1), 1);
	CHECK_EQ(buf[0], 'e');
	/* a read returns what is there, without waiting for more */
	CHECK_EQ(rread(p[0], buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "fghij", 5) == 0);
	close2(p);
}

static void zero_length_io(void)
{
	int p[2];
	char buf[4];
	CHECK_EQ(pipe(p), 0);
	/* an empty blocking pipe: a zero-length read returns at once */
	CHECK_EQ(rread(p[0], buf, 0), 0);
	CHECK_EQ(rwrite(p[1], buf, 0), 0);
	CHECK_EQ(rread(p[0], BAD_NULL, 0), 0);
	CHECK_EQ(rwrite(p[1], BAD_NULL, 0), 0);
	CHECK_EQ(fionread(p[0]), 0);
	close2(p);
}

static void eof_after_close_write(void)
{
	int p[2];
	char buf[16];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(rwrite(p[1], "tail", 4), 4);
	CHECK_EQ(close(p[1]), 0);
	/* data first, then end of file, again and again */
	CHECK_EQ(rread(p[0], buf, sizeof(buf)), 4);
	CHECK_EQ(rread(p[0], buf, sizeof(buf)), 0);
	CHECK_EQ(rread(p[0], buf, sizeof(buf)), 0);
	close(p[0]);

	/* non-blocking: EOF, not EAGAIN */
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	close(p[1]);
	CHECK_EQ(rread(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
}

static void eof_needs_every_writer(void)
{
	int p[2];
	char buf[4];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	int w2 = dup(p[1]);
	CHECK(w2 >= 0);
	CHECK_EQ(close(p[1]), 0);
	/* a duplicate of the write end is still open */
	CHECK_ERR(rread(p[0], buf, 1), EAGAIN);
	CHECK_EQ(rwrite(w2, "z", 1), 1);
	CHECK_EQ(close(w2), 0);
	CHECK_EQ(rread(p[0], buf, 4), 1);
	CHECK_EQ(rread(p[0], buf, 4), 0);
	close(p[0]);
}

static void eagain_empty_nonblock(void)
{
	int p[2];
	char buf[4];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK_ERR(rread(p[0], buf, 1), EAGAIN);
	CHECK_ERR(rread(p[0], buf, 4), EAGAIN);
	close2(p);

	/* O_NONBLOCK set later with F_SETFL */
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK);
	CHECK_ERR(rread(p[0], buf, 1), EAGAIN);
	close2(p);
}

static void eagain_full(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK_EQ(fill(p[1], 4096), 65536);
	CHECK_ERR(rwrite(p[1], big, 1), EAGAIN);
	CHECK_ERR(rwrite(p[1], big, 4096), EAGAIN);
	CHECK_ERR(rwrite(p[1], big, 100000), EAGAIN);
	CHECK_EQ(fionread(p[0]), 65536);
	/* reading a little does not free a page: still full */
	CHECK_EQ(rread(p[0], rb, 1), 1);
	CHECK_ERR(rwrite(p[1], big, 1), EAGAIN);
	/* reading the rest of the first page frees it */
	CHECK_EQ(rread(p[0], rb, 4095), 4095);
	CHECK_EQ(rwrite(p[1], big, 5000), 4096);
	CHECK_ERR(rwrite(p[1], big, 1), EAGAIN);
	close2(p);

	/* a full blocking-mode pipe made non-blocking */
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(rwrite(p[1], big, 65536), 65536);
	CHECK_EQ(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	CHECK_ERR(rwrite(p[1], big, 1), EAGAIN);
	close2(p);
}

static void capacity_is_pages(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	/* 1000-byte writes: four share a page (the fifth does not fit), 16 pages */
	CHECK_EQ(fill(p[1], 1000), 64000);
	CHECK_EQ(fionread(p[0]), 64000);
	close2(p);

	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	/* 1-byte writes all merge: a one-page pipe takes 4096 of them */
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	long n = 0;
	while (rwrite(p[1], big, 1) == 1)
		n++;
	CHECK_EQ(n, 4096);
	close2(p);

	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	/* the tail (70000 % 4096 = 368) is merged into the first page, then 15 whole pages */
	CHECK_EQ(rwrite(p[1], big, 100), 100);
	CHECK_EQ(rwrite(p[1], big, 70000), 368 + 15 * 4096);
	CHECK_EQ(fionread(p[0]), 100 + 368 + 15 * 4096);
	close2(p);
}

static void pipe_buf_atomic(void)
{
	int p[2];
	CHECK_EQ(PIPE_BUF, 4096);
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	/* 15 full pages and one holding 4000 bytes: 96 bytes of room */
	for (int i = 0; i < 15; i++)
		CHECK_EQ(rwrite(p[1], big, 4096), 4096);
	CHECK_EQ(rwrite(p[1], big, 4000), 4000);
	/* a write of at most PIPE_BUF is all or nothing */
	CHECK_ERR(rwrite(p[1], big, PIPE_BUF), EAGAIN);
	CHECK_ERR(rwrite(p[1], big, 97), EAGAIN);
	CHECK_EQ(fionread(p[0]), 15 * 4096 + 4000);
	CHECK_EQ(rwrite(p[1], big, 96), 96);
	CHECK_ERR(rwrite(p[1], big, 1), EAGAIN);
	/* one free page: PIPE_BUF fits whole */
	CHECK_EQ(rread(p[0], rb, 4096), 4096);
	CHECK_EQ(rwrite(p[1], big, PIPE_BUF), PIPE_BUF);
	close2(p);

	/* a larger write may be split */
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	for (int i = 0; i < 15; i++)
		CHECK_EQ(rwrite(p[1], big, 4096), 4096);
	CHECK_EQ(rwrite(p[1], big, PIPE_BUF + 1), PIPE_BUF);
	CHECK_ERR(rwrite(p[1], big, PIPE_BUF + 1), EAGAIN);
	close2(p);
}

static void getpipe_sz_default(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536);
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 65536);
	close2(p);
	CHECK_ERR(fcntl(-1, F_GETPIPE_SZ), EBADF);
	CHECK_ERR(fcntl(1000, F_SETPIPE_SZ, 4096), EBADF);
}

static void setpipe_sz_rounding(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	/* rounded up to a power of two of at least a page */
	CHECK_EQ(fcntl(p[0], F_SETPIPE_SZ, 5000), 8192);
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 8192); /* one pipe, two ends */
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 0), 4096);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 1), 4096);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 4097), 8192);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 15 * 4096), 65536);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 70000), 131072);
	/* /proc/sys/fs/pipe-max-size (1 MiB by default) is allowed to anyone */
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 1 << 20), 1 << 20);
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 1 << 20);
	/* above 2^31 rounds to nothing */
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, (1U << 31) + 1), EINVAL);
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, -1), EINVAL);
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 1 << 20);
	/* the argument is an unsigned int: the register's upper half is ignored */
	CHECK_EQ(syscall(SYS_fcntl, p[1], F_SETPIPE_SZ, (1UL << 32) | 8192), 8192);
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 8192);
	close2(p);
}

static void setpipe_sz_capacity(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	CHECK_EQ(fill(p[1], 1000), 4000);
	/* one page: a 1000-byte write no longer fits the only buffer */
	CHECK_ERR(rwrite(p[1], big, 1000), EAGAIN);
	CHECK_EQ(rwrite(p[1], big, 96), 96);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 8192), 8192);
	CHECK_EQ(rwrite(p[1], big, 5000), 4096);
	CHECK_EQ(fionread(p[0]), 8192);
	close2(p);
}

static void setpipe_sz_ebusy(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	for (int i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)(i % 251);
	CHECK_EQ(rwrite(p[1], big, 65536), 65536);
	/* 16 pages in use: no smaller size */
	CHECK_ERR(fcntl(p[0], F_SETPIPE_SZ, 32768), EBUSY);
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536);
	/* growing is fine */
	CHECK_EQ(fcntl(p[0], F_SETPIPE_SZ, 131072), 131072);
	/* a page is in use while any byte of it is unread: 9 pages here */
	CHECK_EQ(rread(p[0], rb, 4095 + 7 * 4096), 4095 + 7 * 4096);
	CHECK_ERR(fcntl(p[0], F_SETPIPE_SZ, 32768), EBUSY);
	CHECK_EQ(rread(p[0], rb + 4095 + 7 * 4096, 1), 1);
	CHECK_EQ(fcntl(p[0], F_SETPIPE_SZ, 32768), 32768);
	CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 32768);
	/* full again at 8 pages */
	CHECK_ERR(rwrite(p[1], big, 1), EAGAIN);
	/* the data survives the resize, in order */
	CHECK_EQ(rread(p[0], rb + 8 * 4096, sizeof(rb)), 8 * 4096);
	CHECK(memcmp(rb, big, 65536) == 0);
	close2(p);
	memset(big, 'x', sizeof(big));
}

static void fionread_counts(void)
{
	int p[2];
	int n = -1;
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(ioctl(p[0], FIONREAD, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(rwrite(p[1], "12345", 5), 5);
	CHECK_EQ(rwrite(p[1], "6789012", 7), 7);
	CHECK_EQ(ioctl(p[0], FIONREAD, &n), 0);
	CHECK_EQ(n, 12);
	CHECK_EQ(rread(p[0], rb, 3), 3);
	CHECK_EQ(fionread(p[0]), 9);
	/* the write end answers too */
	CHECK_EQ(ioctl(p[1], FIONREAD, &n), 0);
	CHECK_EQ(n, 9);
	CHECK_ERR(ioctl(p[0], FIONREAD, BAD_NULL), EFAULT);
	CHECK_ERR(ioctl(p[0], FIONREAD, BAD_HIGH), EFAULT);
	close2(p);
}

static void odirect_packets(void)
{
	int p[2];
	char buf[16];
	CHECK_EQ(pipe2(p, O_DIRECT | O_NONBLOCK), 0);
	CHECK_EQ(rwrite(p[1], "abc", 3), 3);
	CHECK_EQ(rwrite(p[1], "defgh", 5), 5);
	CHECK_EQ(rwrite(p[1], big, 5000), 5000); /* two packets: 4096 and 904 */
	CHECK_EQ(fionread(p[0]), 5008);
	/* a read takes one packet at most, and drops what it does not take */
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(rread(p[0], buf, 2), 2);
	CHECK(memcmp(buf, "ab", 2) == 0);
	CHECK_EQ(fionread(p[0]), 5005);
	CHECK_EQ(rread(p[0], buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "defgh", 5) == 0);
	CHECK_EQ(rread(p[0], rb, sizeof(rb)), 4096);
	CHECK_EQ(rread(p[0], rb, sizeof(rb)), 904);
	CHECK_ERR(rread(p[0], rb, sizeof(rb)), EAGAIN);
	/* an empty write makes no packet */
	CHECK_EQ(rwrite(p[1], big, 0), 0);
	CHECK_ERR(rread(p[0], rb, sizeof(rb)), EAGAIN);
	/* packets are never merged: 16 one-byte packets fill the pipe */
	for (int i = 0; i < 16; i++)
		CHECK_EQ(rwrite(p[1], big, 1), 1);
	CHECK_ERR(rwrite(p[1], big, 1), EAGAIN);
	CHECK_EQ(fionread(p[0]), 16);
	CHECK_EQ(rread(p[0], rb, sizeof(rb)), 1);
	close2(p);
}

static void odirect_via_setfl(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(p[1], F_SETFL, O_NONBLOCK | O_DIRECT), 0);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK | O_DIRECT);
	CHECK_EQ(rwrite(p[1], "xy", 2), 2);
	CHECK_EQ(rwrite(p[1], "z", 1), 1);
	CHECK_EQ(rread(p[0], rb, 100), 2);
	CHECK_EQ(rread(p[0], rb, 100), 1);
	/* and back to a byte stream */
	CHECK_EQ(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(rwrite(p[1], "xy", 2), 2);
	CHECK_EQ(rwrite(p[1], "z", 1), 1);
	CHECK_EQ(rread(p[0], rb, 100), 3);
	close2(p);
}

static void odirect_writev_one_packet(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_DIRECT | O_NONBLOCK), 0);
	struct iovec iov[3] = {{"ab", 2}, {"cd", 2}, {"e", 1}};
	/* one writev is one write: one packet */
	CHECK_EQ(writev(p[1], iov, 3), 5);
	CHECK_EQ(rread(p[0], rb, 100), 5);
	CHECK(memcmp(rb, "abcde", 5) == 0);
	close2(p);
}

static void writev_atomic(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	for (int i = 0; i < 15; i++)
		CHECK_EQ(rwrite(p[1], big, 4096), 4096);
	CHECK_EQ(rwrite(p[1], big, 4000), 4000);
	/* 100 bytes in two pieces: at most PIPE_BUF in all, so all or nothing */
	struct iovec iov[2] = {{big, 50}, {big, 50}};
	CHECK_ERR(writev(p[1], iov, 2), EAGAIN);
	CHECK_EQ(fionread(p[0]), 15 * 4096 + 4000);
	iov[1].iov_len = 46;
	CHECK_EQ(writev(p[1], iov, 2), 96);
	close2(p);
}

static void readv_gathers(void)
{
	int p[2];
	char a[4], b[8];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(rwrite(p[1], "0123456789", 10), 10);
	struct iovec iov[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
	/* returns what the pipe holds, spread over the buffers, without waiting */
	CHECK_EQ(readv(p[0], iov, 2), 10);
	CHECK(memcmp(a, "0123", 4) == 0);
	CHECK(memcmp(b, "456789", 6) == 0);
	close2(p);
}

static void epipe_no_reader(void)
{
	int p[2];
	CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(close(p[0]), 0);
	CHECK_ERR(rwrite(p[1], "x", 1), EPIPE);
	CHECK_ERR(rwrite(p[1], big, 100000), EPIPE);
	/* an empty write succeeds even so */
	CHECK_EQ(rwrite(p[1], big, 0), 0);
	struct iovec iov = {big, 10};
	CHECK_ERR(writev(p[1], &iov, 1), EPIPE);
	close(p[1]);

	/* non-blocking and full: EPIPE, not EAGAIN */
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK_EQ(fill(p[1], 4096), 65536);
	CHECK_EQ(close(p[0]), 0);
	CHECK_ERR(rwrite(p[1], "x", 1), EPIPE);
	close(p[1]);

	/* every reader must be gone */
	CHECK_EQ(pipe(p), 0);
	int r2 = dup(p[0]);
	CHECK(r2 >= 0);
	CHECK_EQ(close(p[0]), 0);
	CHECK_EQ(rwrite(p[1], "x", 1), 1);
	CHECK_EQ(close(r2), 0);
	CHECK_ERR(rwrite(p[1], "x", 1), EPIPE);
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}

static void wrong_end_and_seek(void)
{
	int p[2];
	char buf[4];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(rwrite(p[1], "ab", 2), 2);
	CHECK_ERR(rread(p[1], buf, 1), EBADF);
	CHECK_ERR(rwrite(p[0], "x", 1), EBADF);
	CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
	CHECK_ERR(pwrite(p[1], "x", 1, 0), ESPIPE);
	CHECK_ERR(ioctl(p[0], TCGETS, buf), ENOTTY);
	CHECK_EQ(fionread(p[0]), 2);
	close2(p);
}

static void fstat_and_seek(void)
{
	int p[2];
	struct stat a, b;
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(rwrite(p[1], "data", 4), 4);
	CHECK_EQ(fstat(p[0], &a), 0);
	CHECK_EQ(fstat(p[1], &b), 0);
	CHECK(S_ISFIFO(a.st_mode));
	CHECK_EQ(a.st_mode, S_IFIFO | 0600);
	CHECK_EQ(a.st_nlink, 1);
	CHECK_EQ(a.st_size, 0); /* not the bytes held */
	CHECK_EQ(a.st_blksize, 4096);
	CHECK_EQ(a.st_uid, geteuid());
	CHECK_EQ(a.st_gid, getegid());
	/* both ends are one inode */
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	CHECK_ERR(lseek(p[0], 0, SEEK_CUR), ESPIPE);
	CHECK_ERR(lseek(p[1], 0, SEEK_SET), ESPIPE);
	/* another pipe is another inode */
	int q[2];
	CHECK_EQ(pipe(q), 0);
	CHECK_EQ(fstat(q[0], &b), 0);
	CHECK(a.st_ino != b.st_ino);
	close2(q);
	close2(p);
}

static void fault_on_write(void)
{
	int p[2];
	char *nlp = newline_page(); /* a mapped page, then an unmapped one */
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK_ERR(rwrite(p[1], BAD_NULL, 10), EFAULT);
	/* a write that faults within its page puts nothing in the pipe */
	CHECK_ERR(rwrite(p[1], nlp + PAGE - 100, 200), EFAULT);
	CHECK_EQ(fionread(p[0]), 0);
	CHECK_ERR(rread(p[0], rb, 10), EAGAIN);
	/* one that faults on a later page keeps the pages before */
	CHECK_EQ(rwrite(p[1], nlp, 2 * PAGE), (long)PAGE);
	CHECK_EQ(fionread(p[0]), (int)PAGE);
	/* a faulting merge into the last buffer: nothing */
	CHECK_EQ(rread(p[0], rb, 100), 100);
	CHECK_EQ(rwrite(p[1], "abc", 3), 3);
	CHECK_ERR(rwrite(p[1], nlp + PAGE - 2, 4), EFAULT);
	CHECK_EQ(fionread(p[0]), (int)PAGE - 100 + 3);
	close2(p);
}

static void fault_on_read(void)
{
	int p[2];
	char *nlp = newline_page();
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK_EQ(rwrite(p[1], "hello", 5), 5);
	CHECK_ERR(rread(p[0], BAD_NULL, 5), EFAULT);
	/* a read that faults consumes nothing of that buffer */
	CHECK_ERR(rread(p[0], nlp + PAGE - 2, 5), EFAULT);
	CHECK_EQ(fionread(p[0]), 5);
	/* one that fits before the fault is fine */
	CHECK_EQ(rread(p[0], nlp + PAGE - 2, 2), 2);
	CHECK_EQ(rread(p[0], rb, 10), 3);
	CHECK(memcmp(rb, "llo", 3) == 0);
	memset(nlp, '\n', PAGE);
	close2(p);
}

static void fd_reuse(void)
{
	int p[2], q[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(close(p[0]), 0);
	/* the freed descriptor is the lowest: the new read end takes it */
	CHECK_EQ(pipe(q), 0);
	CHECK_EQ(q[0], p[0]);
	CHECK(q[1] > p[1]);
	close(p[1]);
	close2(q);
}

int main(void)
{
	memset(big, 'x', sizeof(big));
	RUN(pipe_basic);
	RUN(pipe2_flags);
	RUN(pipe2_bad_flags);
	RUN(pipe_bad_pointer);
	RUN(pipe_emfile);
	RUN(write_then_read);
	RUN(order_across_pages);
	RUN(partial_reads);
	RUN(zero_length_io);
	RUN(eof_after_close_write);
	RUN(eof_needs_every_writer);
	RUN(eagain_empty_nonblock);
	RUN(eagain_full);
	RUN(capacity_is_pages);
	RUN(pipe_buf_atomic);
	RUN(getpipe_sz_default);
	RUN(setpipe_sz_rounding);
	RUN(setpipe_sz_capacity);
	RUN(setpipe_sz_ebusy);
	RUN(fionread_counts);
	RUN(odirect_packets);
	RUN(odirect_via_setfl);
	RUN(odirect_writev_one_packet);
	RUN(writev_atomic);
	RUN(readv_gathers);
	RUN(epipe_no_reader);
	RUN(wrong_end_and_seek);
	RUN(fstat_and_seek);
	RUN(fault_on_write);
	RUN(fault_on_read);
	RUN(fd_reuse);
	DONE();
}
