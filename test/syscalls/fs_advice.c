/*
 * fs_advice.c: fadvise64(2), readahead(2) and sync_file_range(2): the
 * advice and flags each takes, their length and offset checks, and what
 * each says of descriptors that are not regular files (pipes and FIFOs,
 * directories, devices, anonymous files, O_PATH).
 *
 * Runs in a fresh directory under /tmp that it removes at the end.
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#ifndef SYNC_FILE_RANGE_WAIT_BEFORE
#define SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SYNC_FILE_RANGE_WRITE 2
#define SYNC_FILE_RANGE_WAIT_AFTER 4
#endif

static long rfadvise(long fd, long off, long len, long advice) { return syscall(SYS_fadvise64, fd, off, len, advice); }
static long rreadahead(long fd, long off, long count) { return syscall(SYS_readahead, fd, off, count); }
static long rsync_range(long fd, long off, long nbytes, long flags) { return syscall(SYS_sync_file_range, fd, off, nbytes, flags); }

static void setup(void)
{
	fs_setup("/tmp/tsvisor-fs_advice-XXXXXX");
	int fd = open("f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "0123456789", 10) != 10) {
		say("# cannot make the test file: %s", strerror(errno));
		exit(2);
	}
	close(fd);
	if (mkfifo("fifo", 0644) != 0) {
		say("# mkfifo: %s", strerror(errno));
		exit(2);
	}
}

static void fadvise_regular(void)
{
	int fd = open("f", O_RDONLY);
	CHECK(fd >= 0);
	for (int a = POSIX_FADV_NORMAL; a <= POSIX_FADV_NOREUSE; a++)
		CHECK_OK(rfadvise(fd, 0, 0, a));
	CHECK_OK(rfadvise(fd, 3, 4, POSIX_FADV_WILLNEED));
	CHECK_OK(rfadvise(fd, 1L << 40, 1L << 40, POSIX_FADV_DONTNEED));
	CHECK_OK(rfadvise(fd, LONG_MAX, LONG_MAX, POSIX_FADV_SEQUENTIAL));
	/* A negative offset is taken; a negative length is not. */
	CHECK_OK(rfadvise(fd, -1, 10, POSIX_FADV_NORMAL));
	CHECK_ERR(rfadvise(fd, 0, -1, POSIX_FADV_NORMAL), EINVAL);
	CHECK_ERR(rfadvise(fd, 0, 0, 6), EINVAL);
	CHECK_ERR(rfadvise(fd, 0, 0, -1), EINVAL);
	/* The advice is an int: higher bits are not looked at. */
	CHECK_OK(rfadvise(fd, 0, 0, 0x100000000L | POSIX_FADV_RANDOM));
	close(fd);
	/* Write-only is enough. */
	CHECK((fd = open("f", O_WRONLY)) >= 0);
	CHECK_OK(rfadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	close(fd);
}

static void fadvise_others(void)
{
	int p[2], fd;
	CHECK_ERR(rfadvise(-1, 0, 0, POSIX_FADV_NORMAL), EBADF);
	CHECK_ERR(rfadvise(999, 0, 0, POSIX_FADV_NORMAL), EBADF);
	CHECK_ERR(rfadvise(999, 0, -1, 99), EBADF);
	CHECK((fd = open("f", O_PATH)) >= 0);
	CHECK_ERR(rfadvise(fd, 0, 0, POSIX_FADV_NORMAL), EBADF);
	close(fd);
	/* Pipes and FIFOs: ESPIPE, before the length and the advice are looked at. */
	CHECK_OK(pipe(p));
	CHECK_ERR(rfadvise(p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
	CHECK_ERR(rfadvise(p[1], 0, 0, POSIX_FADV_WILLNEED), ESPIPE);
	CHECK_ERR(rfadvise(p[0], 0, -1, 99), ESPIPE);
	close(p[0]);
	close(p[1]);
	CHECK((fd = open("fifo", O_RDWR)) >= 0);
	CHECK_ERR(rfadvise(fd, 0, 0, POSIX_FADV_NORMAL), ESPIPE);
	close(fd);
	/* Directories, devices, anonymous files and memfds take advice. */
	CHECK((fd = open(".", O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK_OK(rfadvise(fd, 0, 0, POSIX_FADV_WILLNEED));
	CHECK_ERR(rfadvise(fd, 0, 0, 7), EINVAL);
	close(fd);
	CHECK((fd = open("/dev/null", O_RDWR)) >= 0);
	CHECK_OK(rfadvise(fd, 0, 0, POSIX_FADV_NORMAL));
	CHECK_ERR(rfadvise(fd, 0, -5, POSIX_FADV_NORMAL), EINVAL);
	close(fd);
	CHECK((fd = eventfd(0, 0)) >= 0);
	CHECK_OK(rfadvise(fd, 0, 0, POSIX_FADV_NORMAL));
	CHECK_ERR(rfadvise(fd, 0, 0, 6), EINVAL);
	close(fd);
	CHECK((fd = (int)syscall(SYS_memfd_create, "advice", 0)) >= 0);
	CHECK_OK(rfadvise(fd, 0, 4096, POSIX_FADV_DONTNEED));
	close(fd);
}

static void readahead_cases(void)
{
	int p[2], fd;
	CHECK((fd = open("f", O_RDONLY)) >= 0);
	CHECK_OK(rreadahead(fd, 0, 10));
	CHECK_OK(rreadahead(fd, 0, 0));
	CHECK_OK(rreadahead(fd, 1L << 40, 1 << 20));
	CHECK_OK(rreadahead(fd, -1, 10));
	/* The count is a size_t taken as a signed length. */
	CHECK_ERR(rreadahead(fd, 0, -1), EINVAL);
	close(fd);
	CHECK((fd = open("f", O_RDWR)) >= 0);
	CHECK_OK(rreadahead(fd, 0, 10));
	close(fd);
	/* Not open for reading: EBADF. */
	CHECK((fd = open("f", O_WRONLY)) >= 0);
	CHECK_ERR(rreadahead(fd, 0, 10), EBADF);
	close(fd);
	CHECK((fd = open("f", O_PATH)) >= 0);
	CHECK_ERR(rreadahead(fd, 0, 10), EBADF);
	close(fd);
	CHECK_ERR(rreadahead(-1, 0, 10), EBADF);
	CHECK_ERR(rreadahead(999, 0, 10), EBADF);
	/* Not a regular file: EINVAL (a pipe's write end is EBADF first). */
	CHECK((fd = open(".", O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK_ERR(rreadahead(fd, 0, 10), EINVAL);
	close(fd);
	CHECK_OK(pipe(p));
	CHECK_ERR(rreadahead(p[0], 0, 10), EINVAL);
	CHECK_ERR(rreadahead(p[1], 0, 10), EBADF);
	close(p[0]);
	close(p[1]);
	CHECK((fd = open("fifo", O_RDWR)) >= 0);
	CHECK_ERR(rreadahead(fd, 0, 10), EINVAL);
	close(fd);
	CHECK((fd = open("/dev/null", O_RDONLY)) >= 0);
	CHECK_ERR(rreadahead(fd, 0, 10), EINVAL);
	close(fd);
	CHECK((fd = eventfd(0, 0)) >= 0);
	CHECK_ERR(rreadahead(fd, 0, 10), EINVAL);
	close(fd);
	CHECK((fd = (int)syscall(SYS_memfd_create, "advice", 0)) >= 0);
	CHECK_OK(rreadahead(fd, 0, 10));
	close(fd);
}

static void sync_file_range_cases(void)
{
	int p[2], fd;
	CHECK((fd = open("f", O_RDWR)) >= 0);
	for (int fl = 0; fl <= 7; fl++)
		CHECK_OK(rsync_range(fd, 0, 0, fl));
	CHECK_OK(rsync_range(fd, 2, 5, SYNC_FILE_RANGE_WRITE));
	CHECK_OK(rsync_range(fd, 1L << 40, 1L << 40, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER));
	CHECK_OK(rsync_range(fd, LONG_MAX - 1, 1, 0));
	/* Unknown flags, a negative offset or end, and an end that wraps. */
	CHECK_ERR(rsync_range(fd, 0, 0, 8), EINVAL);
	CHECK_ERR(rsync_range(fd, 0, 0, -1), EINVAL);
	CHECK_OK(rsync_range(fd, 0, 0, 0x100000000L | SYNC_FILE_RANGE_WRITE));
	CHECK_ERR(rsync_range(fd, -1, 0, 0), EINVAL);
	CHECK_ERR(rsync_range(fd, 0, -1, 0), EINVAL);
	CHECK_ERR(rsync_range(fd, 10, -5, 0), EINVAL);
	CHECK_ERR(rsync_range(fd, LONG_MAX, 1, 0), EINVAL);
	CHECK_ERR(rsync_range(fd, LONG_MAX, LONG_MAX, 0), EINVAL);
	CHECK_ERR(rsync_range(fd, 1, LONG_MIN, 0), EINVAL);
	close(fd);
	/* Read-only is enough. */
	CHECK((fd = open("f", O_RDONLY)) >= 0);
	CHECK_OK(rsync_range(fd, 0, 10, SYNC_FILE_RANGE_WRITE));
	close(fd);
	/* The descriptor is looked at first. */
	CHECK_ERR(rsync_range(-1, 0, 0, 0), EBADF);
	CHECK_ERR(rsync_range(999, -1, 0, 99), EBADF);
	CHECK((fd = open("f", O_PATH)) >= 0);
	CHECK_ERR(rsync_range(fd, 0, 0, 0), EBADF);
	close(fd);
	/* Directories are synced; pipes, FIFOs, devices and anonymous files are ESPIPE, after the argument checks. */
	CHECK((fd = open(".", O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK_OK(rsync_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
	close(fd);
	CHECK_OK(pipe(p));
	CHECK_ERR(rsync_range(p[0], 0, 0, 0), ESPIPE);
	CHECK_ERR(rsync_range(p[1], 0, 0, SYNC_FILE_RANGE_WRITE), ESPIPE);
	CHECK_ERR(rsync_range(p[1], 0, 0, 8), EINVAL);
	CHECK_ERR(rsync_range(p[1], -1, 0, 0), EINVAL);
	close(p[0]);
	close(p[1]);
	CHECK((fd = open("fifo", O_RDWR)) >= 0);
	CHECK_ERR(rsync_range(fd, 0, 0, 0), ESPIPE);
	close(fd);
	CHECK((fd = open("/dev/null", O_RDWR)) >= 0);
	CHECK_ERR(rsync_range(fd, 0, 0, 0), ESPIPE);
	close(fd);
	CHECK((fd = eventfd(0, 0)) >= 0);
	CHECK_ERR(rsync_range(fd, 0, 0, 0), ESPIPE);
	close(fd);
	CHECK((fd = (int)syscall(SYS_memfd_create, "advice", 0)) >= 0);
	CHECK_OK(rsync_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
	close(fd);
}

int main(void)
{
	setup();
	RUN(fadvise_regular);
	RUN(fadvise_others);
	RUN(readahead_cases);
	RUN(sync_file_range_cases);
	teardown();
	DONE();
}
