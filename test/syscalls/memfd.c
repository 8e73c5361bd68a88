/*
 * memfd.c: memfd_create(2) (flags, names, what the file looks like) and
 * file sealing (fcntl F_ADD_SEALS / F_GET_SEALS): which calls each seal
 * refuses, and the rules for adding seals. Linux 6.3 and later
 * (MFD_EXEC, MFD_NOEXEC_SEAL, F_SEAL_EXEC), vm.memfd_noexec = 0.
 *
 * F_SEAL_WRITE while a writable shared mapping exists (EBUSY) is not
 * checked yet: the memory manager does not tell the seals about mappings.
 */
#include "check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#ifndef MFD_EXEC
#define MFD_NOEXEC_SEAL 0x0008U
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif

#define TMPFS_MAGIC_ 0x01021994
#define HUGETLBFS_MAGIC_ 0x958458f6

static long mfd(const char *name, unsigned flags) { return syscall(SYS_memfd_create, name, flags); }
static long seals(int fd) { return syscall(SYS_fcntl, fd, F_GET_SEALS); }
static long add(int fd, long s) { return syscall(SYS_fcntl, fd, F_ADD_SEALS, s); }

/* readlink of /proc/self/fd/FD into out. */
static long fdlink(int fd, char *out, size_t n)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	long r = readlink(p, out, n - 1);
	if (r >= 0)
		out[r] = 0;
	return r;
}

static void memfd_basic(void)
{
	int fd;
	char l[300], b[16];
	struct stat st;
	struct statfs sf;
	CHECK_OK(fd = mfd("hello", 0));
	CHECK_OK(fdlink(fd, l, sizeof l));
	CHECKF(strcmp(l, "/memfd:hello (deleted)") == 0, "link is %s", l);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0777);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_uid, geteuid());
	CHECK_EQ(st.st_blksize, 4096);
	CHECK_OK(fstatfs(fd, &sf));
	CHECK_EQ(sf.f_type, TMPFS_MAGIC_);
	CHECK_EQ(fcntl(fd, F_GETFL), O_RDWR | 0100000 /* O_LARGEFILE */);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(pread(fd, b, 4, 3), 4);
	CHECK(memcmp(b, "3456", 4) == 0);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 10);
	CHECK_OK(ftruncate(fd, 8192));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 8192);
	close(fd);
}

static void memfd_flags(void)
{
	int fd;
	CHECK_OK(fd = mfd("c", MFD_CLOEXEC));
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	CHECK_ERR(mfd("x", 0x20), EINVAL);
	CHECK_ERR(mfd("x", 0x80000000U), EINVAL);
	CHECK_ERR(mfd("x", 21U << MFD_HUGE_SHIFT), EINVAL); /* a huge page size without MFD_HUGETLB */
	CHECK_ERR(mfd("x", MFD_EXEC | MFD_NOEXEC_SEAL), EINVAL);
	CHECK_ERR(mfd(BAD_LOW, 0x20), EINVAL); /* flags before the name */
	CHECK_OK(fd = mfd("e", MFD_EXEC));
	CHECK_EQ(seals(fd), F_SEAL_SEAL);
	close(fd);
}

static void memfd_names(void)
{
	char name[300], l[300];
	int fd;
	memset(name, 'n', sizeof name);
	name[249] = 0;
	CHECK_OK(fd = mfd(name, 0));
	CHECK_OK(fdlink(fd, l, sizeof l));
	CHECK_EQ(strlen(l), 1 + 6 + 249 + 10);
	close(fd);
	name[249] = 'n';
	name[250] = 0;
	CHECK_ERR(mfd(name, 0), EINVAL);
	name[260] = 0;
	CHECK_ERR(mfd(name, 0), EINVAL);
	CHECK_OK(fd = mfd("", 0));
	CHECK_OK(fdlink(fd, l, sizeof l));
	CHECKF(strcmp(l, "/memfd: (deleted)") == 0, "link is %s", l);
	close(fd);
	CHECK_OK(fd = mfd("a/b c", 0)); /* any bytes */
	CHECK_OK(fdlink(fd, l, sizeof l));
	CHECKF(strcmp(l, "/memfd:a/b c (deleted)") == 0, "link is %s", l);
	close(fd);
	CHECK_ERR(mfd(BAD_LOW, 0), EFAULT);
	CHECK_ERR(mfd(BAD_HIGH, 0), EFAULT);
}

static void seals_need_allow_sealing(void)
{
	int fd;
	CHECK_OK(fd = mfd("s", 0));
	CHECK_EQ(seals(fd), F_SEAL_SEAL);
	CHECK_ERR(add(fd, F_SEAL_WRITE), EPERM);
	CHECK_ERR(add(fd, 0), EPERM);
	close(fd);
	CHECK_OK(fd = mfd("s", MFD_ALLOW_SEALING));
	CHECK_EQ(seals(fd), 0);
	CHECK_OK(add(fd, 0));
	CHECK_ERR(add(fd, 0x40), EINVAL);
	CHECK_ERR(add(fd, -1), EINVAL);
	CHECK_OK(add(fd, F_SEAL_SHRINK));
	CHECK_OK(add(fd, F_SEAL_SHRINK)); /* again: fine */
	CHECK_OK(add(fd, F_SEAL_SEAL));
	CHECK_EQ(seals(fd), F_SEAL_SHRINK | F_SEAL_SEAL);
	CHECK_ERR(add(fd, F_SEAL_GROW), EPERM);
	CHECK_ERR(add(fd, 0), EPERM);
	CHECK_ERR(add(fd, 0x40), EINVAL); /* unknown bits before F_SEAL_SEAL */
	close(fd);
}

static void seal_grow_shrink(void)
{
	int fd;
	CHECK_OK(fd = mfd("g", MFD_ALLOW_SEALING));
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_OK(add(fd, F_SEAL_GROW));
	CHECK_ERR(write(fd, "ab", 2), EPERM); /* at the end */
	CHECK_EQ(pwrite(fd, "ab", 2, 8), 2);
	CHECK_ERR(pwrite(fd, "ab", 2, 9), EPERM);
	CHECK_ERR(ftruncate(fd, 11), EPERM);
	CHECK_OK(ftruncate(fd, 10));
	CHECK_OK(ftruncate(fd, 5));
	CHECK_ERR(fallocate(fd, 0, 0, 20), EPERM);
	CHECK_ERR(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 20), EPERM);
	CHECK_OK(fallocate(fd, 0, 0, 3));
	CHECK_OK(add(fd, F_SEAL_SHRINK));
	CHECK_ERR(ftruncate(fd, 4), EPERM);
	CHECK_OK(ftruncate(fd, 5));
	CHECK_EQ(seals(fd), F_SEAL_GROW | F_SEAL_SHRINK);
	close(fd);
}

static void seal_grow_page_by_page(void)
{
	/* Writes are checked page by page: the pages before the end go in. */
	static char big[10000];
	int fd;
	memset(big, 1, sizeof big);
	CHECK_OK(fd = mfd("p", MFD_ALLOW_SEALING));
	CHECK_EQ(write(fd, big, 5000), 5000);
	CHECK_OK(add(fd, F_SEAL_GROW));
	CHECK_EQ(pwrite(fd, big, 8192, 0), 4096);
	CHECK_EQ(pwrite(fd, big, 4000, 1000), 4000);
	CHECK_ERR(pwrite(fd, big, 4000, 4500), EPERM);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 5000);
	CHECK_EQ(write(fd, big, 0), 0);
	close(fd);
}

static void seal_write(void)
{
	int fd;
	char b[4];
	CHECK_OK(fd = mfd("w", MFD_ALLOW_SEALING));
	CHECK_EQ(write(fd, "abcd", 4), 4);
	CHECK_OK(add(fd, F_SEAL_WRITE));
	CHECK_ERR(write(fd, "x", 1), EPERM);
	CHECK_ERR(pwrite(fd, "x", 1, 0), EPERM);
	CHECK_EQ(write(fd, "x", 0), 0);
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2), EPERM);
	/* The size may still change. */
	CHECK_OK(ftruncate(fd, 100));
	CHECK_OK(ftruncate(fd, 4));
	CHECK_EQ(pread(fd, b, 4, 0), 4);
	CHECK(memcmp(b, "abcd", 4) == 0);
	close(fd);
	CHECK_OK(fd = mfd("fw", MFD_ALLOW_SEALING));
	CHECK_OK(add(fd, F_SEAL_FUTURE_WRITE));
	CHECK_ERR(write(fd, "x", 1), EPERM);
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2), EPERM);
	CHECK_OK(ftruncate(fd, 100));
	close(fd);
}

static void seal_write_mappings(void)
{
	/* A write-sealed file: no shared mapping that could write (EPERM); others are fine. */
	int fd;
	void *m;
	CHECK_OK(fd = mfd("wm", MFD_ALLOW_SEALING));
	CHECK_OK(ftruncate(fd, 8192));
	CHECK_OK(add(fd, F_SEAL_WRITE));
	CHECK(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
	CHECK_EQ(errno, EPERM);
	m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	CHECK_ERR(mprotect(m, 8192, PROT_READ | PROT_WRITE), EACCES); /* it may never write */
	CHECK_OK(munmap(m, 8192));
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED);
	CHECK_OK(munmap(m, 8192));
	close(fd);
}

static void seal_exec(void)
{
	int fd;
	struct stat st;
	/* MFD_NOEXEC_SEAL: mode 0666, F_SEAL_EXEC, and sealing allowed. */
	CHECK_OK(fd = mfd("n", MFD_NOEXEC_SEAL));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0666);
	CHECK_EQ(seals(fd), F_SEAL_EXEC);
	CHECK_ERR(fchmod(fd, 0755), EPERM);
	CHECK_OK(fchmod(fd, 0600)); /* the exec bits stay as they are */
	CHECK_OK(add(fd, F_SEAL_GROW));
	CHECK_EQ(seals(fd), F_SEAL_EXEC | F_SEAL_GROW);
	close(fd);
	/* On an executable memfd F_SEAL_EXEC brings the write seals along. */
	CHECK_OK(fd = mfd("x", MFD_EXEC | MFD_ALLOW_SEALING));
	CHECK_OK(add(fd, F_SEAL_EXEC));
	CHECK_EQ(seals(fd), F_SEAL_EXEC | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE);
	CHECK_ERR(fchmod(fd, 0644), EPERM);
	CHECK_ERR(fchmod(fd, 0770), EPERM);
	CHECK_OK(fchmod(fd, 0777));
	CHECK_ERR(write(fd, "x", 1), EPERM);
	close(fd);
	/* Not executable: F_SEAL_EXEC alone. */
	CHECK_OK(fd = mfd("y", MFD_ALLOW_SEALING));
	CHECK_OK(fchmod(fd, 0644));
	CHECK_OK(add(fd, F_SEAL_EXEC));
	CHECK_EQ(seals(fd), F_SEAL_EXEC);
	CHECK_ERR(fchmod(fd, 0744), EPERM);
	close(fd);
}

static void seal_errors(void)
{
	int fd, ro, nul, rnul, p;
	char path[64];
	CHECK_OK(fd = mfd("e", MFD_ALLOW_SEALING));
	/* A descriptor without write access may not add seals (EPERM comes first). */
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	CHECK_OK(ro = open(path, O_RDONLY));
	CHECK_ERR(add(ro, F_SEAL_WRITE), EPERM);
	CHECK_ERR(add(ro, 0x40), EPERM);
	CHECK_EQ(seals(ro), 0);
	CHECK_OK(add(fd, F_SEAL_GROW));
	CHECK_EQ(seals(ro), F_SEAL_GROW); /* the seals are the inode's */
	/* Files other than tmpfs ones have no seals. */
	CHECK_OK(nul = open("/dev/null", O_RDWR));
	CHECK_ERR(add(nul, F_SEAL_WRITE), EINVAL);
	CHECK_ERR(seals(nul), EINVAL);
	CHECK_OK(rnul = open("/dev/null", O_RDONLY));
	CHECK_ERR(add(rnul, F_SEAL_WRITE), EPERM);
	CHECK_OK(p = open("/dev/null", O_PATH));
	CHECK_ERR(seals(p), EBADF);
	CHECK_ERR(add(p, 0), EBADF);
	CHECK_ERR(seals(9999), EBADF);
	close(p);
	close(rnul);
	close(nul);
	close(ro);
	close(fd);
}

static void tmpfs_files_are_sealed(void)
{
	/* Any tmpfs file has seals: F_SEAL_SEAL, so none can be added. */
	int fd;
	CHECK_OK(fd = open("/dev/shm/tsvisor-memfd-test", O_RDWR | O_CREAT | O_TRUNC, 0600));
	unlink("/dev/shm/tsvisor-memfd-test");
	CHECK_EQ(seals(fd), F_SEAL_SEAL);
	CHECK_ERR(add(fd, F_SEAL_WRITE), EPERM);
	close(fd);
}

static void reopen_through_proc(void)
{
	int fd, again;
	char path[64], b[8];
	struct stat a, s;
	CHECK_OK(fd = mfd("r", 0));
	CHECK_EQ(write(fd, "shared", 6), 6);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	CHECK_OK(again = open(path, O_RDWR));
	CHECK_OK(fstat(fd, &a));
	CHECK_OK(fstat(again, &s));
	CHECK_EQ(a.st_ino, s.st_ino);
	CHECK_EQ(a.st_dev, s.st_dev);
	CHECK_EQ(read(again, b, sizeof b), 6); /* its own offset */
	CHECK(memcmp(b, "shared", 6) == 0);
	close(fd);
	CHECK_EQ(pwrite(again, "S", 1, 0), 1); /* alive while open */
	close(again);
}

static void hugetlb(void)
{
	/* No huge pages are reserved: the file exists, but write(2) is not supported on hugetlbfs. */
	int fd;
	struct stat st;
	struct statfs sf;
	char l[300];
	CHECK_OK(fd = mfd("huge", MFD_HUGETLB));
	CHECK_OK(fdlink(fd, l, sizeof l));
	CHECKF(strcmp(l, "/memfd:huge (deleted)") == 0, "link is %s", l);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_blksize, 2 << 20);
	CHECK_OK(fstatfs(fd, &sf));
	CHECK_EQ(sf.f_type, HUGETLBFS_MAGIC_);
	CHECK_ERR(write(fd, "a", 1), EINVAL);
	CHECK_ERR(ftruncate(fd, 4096), EINVAL);
	CHECK_OK(ftruncate(fd, 2 << 20));
	CHECK_EQ(seals(fd), F_SEAL_SEAL);
	close(fd);
	CHECK_OK(fd = mfd("huge", MFD_HUGETLB | MFD_ALLOW_SEALING | (30U << MFD_HUGE_SHIFT)));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_blksize, 1 << 30);
	CHECK_EQ(seals(fd), 0);
	CHECK_ERR(ftruncate(fd, 2 << 20), EINVAL);
	close(fd);
	CHECK_ERR(mfd("huge", MFD_HUGETLB | (20U << MFD_HUGE_SHIFT)), ENODEV);
}

int main(void)
{
	RUN(memfd_basic);
	RUN(memfd_flags);
	RUN(memfd_names);
	RUN(seals_need_allow_sealing);
	RUN(seal_grow_shrink);
	RUN(seal_grow_page_by_page);
	RUN(seal_write);
	RUN(seal_write_mappings);
	RUN(seal_exec);
	RUN(seal_errors);
	RUN(tmpfs_files_are_sealed);
	RUN(reopen_through_proc);
	RUN(hugetlb);
	DONE();
}
