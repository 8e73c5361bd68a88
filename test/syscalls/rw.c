/*
 * rw.c: read/write/readv/writev/pread64/pwrite64/close edge cases on the
 * standard descriptors.
 *
 * The harness runs this with stdout and stderr as pipes (write ends, opened
 * write-only). Anything written for a test is newlines or "# " lines, which
 * the harness ignores. stdin is closed near the end (close_stdin).
 */
#include "check.h"

#include <limits.h>
#include <sys/mman.h>
#include <sys/uio.h>

static long rwrite(long fd, const void *buf, size_t n) { return syscall(SYS_write, fd, buf, n); }
static long rread(long fd, void *buf, size_t n) { return syscall(SYS_read, fd, buf, n); }
static long rwritev(long fd, const struct iovec *iov, long cnt) { return syscall(SYS_writev, fd, iov, cnt); }
static long rreadv(long fd, const struct iovec *iov, long cnt) { return syscall(SYS_readv, fd, iov, cnt); }
static long rpwrite(long fd, const void *buf, size_t n, long off) { return syscall(SYS_pwrite64, fd, buf, n, off); }
static long rpread(long fd, void *buf, size_t n, long off) { return syscall(SYS_pread64, fd, buf, n, off); }

static char nl[4096];

static void write_zero_length(void)
{
	CHECK_EQ(rwrite(1, nl, 0), 0);
	CHECK_EQ(rwrite(2, nl, 0), 0);
	CHECK_EQ(rwrite(1, BAD_NULL, 0), 0); /* nothing is read: no EFAULT */
	CHECK_EQ(rwrite(1, BAD_LOW, 0), 0);
}

static void write_zero_length_kernel_pointer(void)
{
	/* access_ok() fails for a kernel address even with a zero length */
	CHECK_ERR(rwrite(1, BAD_HIGH, 0), EFAULT);
	CHECK_ERR(rwrite(1, BAD_KERNEL, 0), EFAULT);
}

static void write_bad_pointer(void)
{
	CHECK_ERR(rwrite(1, BAD_NULL, 1), EFAULT);
	CHECK_ERR(rwrite(1, BAD_LOW, 16), EFAULT);
	CHECK_ERR(rwrite(1, BAD_HIGH, 16), EFAULT);
	CHECK_ERR(rwrite(1, BAD_KERNEL, 1), EFAULT);
	CHECK_ERR(rwrite(1, BAD_NONCANON, 1), EFAULT);
	CHECK_ERR(rwrite(2, BAD_NULL, 100), EFAULT);
}

static void write_huge_count(void)
{
	/* the range [buf, buf+count) leaves user space: EFAULT before anything is written */
	char *nlp = newline_page();
	CHECK_ERR(rwrite(1, nlp, (size_t)-1), EFAULT);
	CHECK_ERR(rwrite(1, nlp, 1ULL << 62), EFAULT);
	CHECK_ERR(rwrite(1, nlp, 1ULL << 47), EFAULT);
}

static void write_bad_fd(void)
{
	CHECK_ERR(rwrite(-1, nl, 1), EBADF);
	CHECK_ERR(rwrite(1000, nl, 1), EBADF);
	CHECK_ERR(rwrite(INT_MAX, nl, 1), EBADF);
	CHECK_ERR(rwrite(INT_MIN, nl, 1), EBADF);
	CHECK_ERR(rwrite(-1, BAD_NULL, 0), EBADF); /* the fd is checked first */
	CHECK_ERR(rwrite(-1, BAD_NULL, 10), EBADF);
}

static void write_fd_upper_bits_ignored(void)
{
	/* fd is an unsigned int: the upper 32 bits of the register are ignored */
	CHECK_EQ(syscall(SYS_write, 0x100000001L, nl, 1), 1);
	CHECK_EQ(syscall(SYS_write, 0xffffffff00000002L, nl, 0), 0);
}

static void write_full_and_large(void)
{
	CHECK_EQ(rwrite(1, nl, 1), 1);
	CHECK_EQ(rwrite(1, nl, sizeof(nl)), (long)sizeof(nl));
	/* 1 MiB to a pipe: blocks until the reader drains it, then returns all of it */
	size_t len = 1 << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, '\n', len);
	CHECK_EQ(rwrite(1, p, len), (long)len);
	munmap(p, len);
}

static void writev_basic(void)
{
	char a[] = "# writev ", b[] = "gathers ", c[] = "buffers\n";
	struct iovec iov[3] = {{a, strlen(a)}, {b, strlen(b)}, {c, strlen(c)}};
	CHECK_EQ(rwritev(1, iov, 3), (long)(strlen(a) + strlen(b) + strlen(c)));
	/* zero-length entries, even with bad bases, are skipped */
	struct iovec z[4] = {{BAD_NULL, 0}, {nl, 1}, {BAD_LOW, 0}, {nl, 0}};
	CHECK_EQ(rwritev(1, z, 4), 1);
	CHECK_EQ(rwritev(2, z, 4), 1);
}

static void writev_count_limits(void)
{
	static struct iovec iov[1025];
	for (int i = 0; i < 1025; i++) {
		iov[i].iov_base = nl;
		iov[i].iov_len = i == 0 ? 1 : 0;
	}
	CHECK_EQ(rwritev(1, iov, 0), 0);
	CHECK_EQ(rwritev(1, BAD_NULL, 0), 0);
	CHECK_EQ(rwritev(1, iov, 1024), 1); /* IOV_MAX */
	CHECK_ERR(rwritev(1, iov, 1025), EINVAL);
	CHECK_ERR(rwritev(1, iov, -1), EINVAL);
	CHECK_ERR(rwritev(1, iov, INT_MAX), EINVAL);
	/* (not 1 << 40: recent kernels truncate the count to 32 bits, older ones say EINVAL) */
}

static void writev_bad_iovec(void)
{
	struct iovec iov[2];
	char *nlp = newline_page();
	CHECK_ERR(rwritev(1, BAD_NULL, 1), EFAULT);
	CHECK_ERR(rwritev(1, BAD_LOW, 2), EFAULT);
	CHECK_ERR(rwritev(1, BAD_HIGH, 1), EFAULT);
	/* a negative (as ssize_t) length */
	iov[0].iov_base = nlp;
	iov[0].iov_len = (size_t)1 << 63;
	CHECK_ERR(rwritev(1, iov, 1), EINVAL);
	iov[0].iov_len = (size_t)-1;
	CHECK_ERR(rwritev(1, iov, 1), EINVAL);
	iov[0].iov_len = 1;
	iov[1].iov_base = nlp;
	iov[1].iov_len = (size_t)-1;
	CHECK_ERR(rwritev(1, iov, 2), EINVAL);
	/* (not a huge positive length: recent kernels clamp it to MAX_RW_COUNT before
	 * checking the range and write what they can, older ones say EFAULT) */
	/* a bad base */
	iov[0].iov_base = BAD_NULL;
	iov[0].iov_len = 8;
	CHECK_ERR(rwritev(1, iov, 1), EFAULT);
	iov[0].iov_base = BAD_HIGH;
	iov[0].iov_len = 1;
	CHECK_ERR(rwritev(1, iov, 1), EFAULT);
}

static void writev_bad_fd(void)
{
	struct iovec iov = {nl, 1};
	CHECK_ERR(rwritev(-1, &iov, 1), EBADF);
	CHECK_ERR(rwritev(1000, &iov, 1), EBADF);
	CHECK_ERR(rwritev(-1, BAD_NULL, 1), EBADF); /* the fd is checked first */
	CHECK_ERR(rwritev(-1, &iov, -1), EBADF);
}

static void read_write_only_fd(void)
{
	char buf[8];
	/* stdout is the write end of a pipe */
	CHECK_ERR(rread(1, buf, 1), EBADF);
	CHECK_ERR(rread(1, buf, 0), EBADF);
	CHECK_ERR(rread(2, buf, 1), EBADF);
	CHECK_ERR(rread(-1, buf, 1), EBADF);
	CHECK_ERR(rread(1000, buf, 1), EBADF);
}

static void readv_errors(void)
{
	char buf[8];
	struct iovec iov = {buf, sizeof(buf)};
	CHECK_ERR(rreadv(1, &iov, 1), EBADF);
	CHECK_ERR(rreadv(1, &iov, 0), EBADF);
	CHECK_ERR(rreadv(-1, &iov, 1), EBADF);
	CHECK_ERR(rreadv(1000, &iov, 1), EBADF);
	/* which comes first, the iovec or the file's mode, changed over kernel versions */
	CHECK_ERR2(rreadv(1, BAD_NULL, 1), EBADF, EFAULT);
	CHECK_ERR2(rreadv(1, &iov, -1), EBADF, EINVAL);
	CHECK_ERR2(rreadv(1, &iov, 1025), EBADF, EINVAL);
}

static void pwrite_pipe_espipe(void)
{
	CHECK_ERR(rpwrite(1, nl, 1, 0), ESPIPE);
	CHECK_ERR(rpwrite(1, nl, 0, 0), ESPIPE);
	CHECK_ERR(rpwrite(2, nl, 1, 100), ESPIPE);
	CHECK_ERR(rpwrite(1, BAD_NULL, 1, 0), ESPIPE);
	char buf[4];
	CHECK_ERR(rpread(1, buf, 1, 0), ESPIPE); /* not EBADF: pread checks seekability first */
}

static void pwrite_pread_errors(void)
{
	char buf[4];
	CHECK_ERR(rpwrite(-1, nl, 1, 0), EBADF);
	CHECK_ERR(rpwrite(1000, nl, 1, 0), EBADF);
	CHECK_ERR(rpwrite(1, nl, 1, -1), EINVAL); /* negative offset, checked first */
	CHECK_ERR(rpwrite(-1, nl, 1, -1), EINVAL);
	CHECK_ERR(rpread(-1, buf, 1, 0), EBADF);
	CHECK_ERR(rpread(1, buf, 1, -1), EINVAL);
	CHECK_ERR(rpread(-1, buf, 1, -4096), EINVAL);
}

static void close_bad_fd(void)
{
	CHECK_ERR(syscall(SYS_close, -1), EBADF);
	CHECK_ERR(syscall(SYS_close, 1000), EBADF);
	CHECK_ERR(syscall(SYS_close, INT_MAX), EBADF);
	CHECK_ERR(syscall(SYS_close, INT_MIN), EBADF);
}

static void close_stdin(void)
{
	char buf[1];
	CHECK_EQ(syscall(SYS_close, 0), 0);
	CHECK_ERR(rread(0, buf, 1), EBADF);
	CHECK_ERR(syscall(SYS_close, 0), EBADF);
	CHECK_ERR(rwrite(0, nl, 1), EBADF);
	CHECK_EQ(rwrite(1, nl, 1), 1); /* the others are untouched */
}

int main(void)
{
	memset(nl, '\n', sizeof(nl));
	RUN(write_zero_length);
	RUN(write_zero_length_kernel_pointer);
	RUN(write_bad_pointer);
	RUN(write_huge_count);
	RUN(write_bad_fd);
	RUN(write_fd_upper_bits_ignored);
	RUN(write_full_and_large);
	RUN(writev_basic);
	RUN(writev_count_limits);
	RUN(writev_bad_iovec);
	RUN(writev_bad_fd);
	RUN(read_write_only_fd);
	RUN(readv_errors);
	RUN(pwrite_pipe_espipe);
	RUN(pwrite_pread_errors);
	RUN(close_bad_fd);
	RUN(close_stdin);
	DONE();
}
