/*
 * fs_open.c: open(2), openat(2), openat2(2), creat(2), close_range(2) and
 * lseek(2): the open flags (O_CREAT, O_EXCL, O_TRUNC, O_APPEND,
 * O_DIRECTORY, O_NOFOLLOW, O_PATH, O_TMPFILE, O_CLOEXEC), the order of
 * their errors, descriptors, and seeking (SEEK_DATA / SEEK_HOLE too).
 *
 * Runs in a fresh directory under /tmp that it removes at the end (natively
 * the host's /tmp; under tsvisor the sandbox's own). Run as root natively.
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/resource.h>
#include <sys/stat.h>

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif

static void setup(void)
{
	fs_setup("/tmp/tsvisor-fs_open-XXXXXX");
}

static long ropen(const char *p, long flags, long mode) { return syscall(SYS_open, p, flags, mode); }
static long ropenat(long dfd, const char *p, long flags, long mode) { return syscall(SYS_openat, dfd, p, flags, mode); }
static long ropenat2(long dfd, const char *p, void *how, size_t size) { return syscall(SYS_openat2, dfd, p, how, size); }
static long rclose(long fd) { return syscall(SYS_close, fd); }
static long rlseek(long fd, long off, long whence) { return syscall(SYS_lseek, fd, off, whence); }

/* Writes a whole string to a new file (0644). */
static int put(const char *name, const char *s)
{
	int fd = (int)ropenat(AT_FDCWD, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	rclose(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The file's contents into buf (NUL-terminated); the length or -1. */
static long get(const char *name, char *buf, size_t size)
{
	int fd = (int)ropenat(AT_FDCWD, name, O_RDONLY, 0);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	rclose(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

static void creat_excl(void)
{
	struct stat st;
	long fd;
	CHECK_OK(fd = ropenat(AT_FDCWD, "ce", O_CREAT | O_EXCL | O_WRONLY, 0644));
	CHECK_OK(fstat((int)fd, &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0644);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_nlink, 1);
	rclose(fd);
	CHECK_ERR(ropenat(AT_FDCWD, "ce", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	/* O_CREAT|O_EXCL never follows a trailing symlink, even a dangling one. */
	CHECK_OK(symlink("ce-target", "ce-link"));
	CHECK_ERR(ropenat(AT_FDCWD, "ce-link", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	CHECK_ERR(lstat("ce-target", &st), ENOENT);
	/* Without O_EXCL the dangling link's target is created. */
	CHECK_OK(fd = ropenat(AT_FDCWD, "ce-link", O_CREAT | O_WRONLY, 0600));
	rclose(fd);
	CHECK_OK(lstat("ce-target", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0600);
}

static void creat_mode_and_umask(void)
{
	struct stat st;
	long fd;
	CHECK_EQ(umask(077), 022);
	CHECK_OK(fd = syscall(SYS_creat, "cm", 0666));
	umask(022);
	CHECK_OK(fstat((int)fd, &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0600);
	CHECK_EQ(fcntl((int)fd, F_GETFL) & O_ACCMODE, O_WRONLY);
	CHECK_EQ(write((int)fd, "xy", 2), 2);
	rclose(fd);
	/* O_CREAT on an existing file keeps its mode and contents. */
	CHECK_OK(fd = ropen("cm", O_CREAT | O_RDWR, 0777));
	CHECK_OK(fstat((int)fd, &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0600);
	CHECK_EQ(st.st_size, 2);
	rclose(fd);
	/* creat truncates an existing file. */
	CHECK_OK(fd = syscall(SYS_creat, "cm", 0644));
	CHECK_OK(fstat((int)fd, &st));
	CHECK_EQ(st.st_size, 0);
	rclose(fd);
}

static void trunc_flag(void)
{
	char buf[32];
	struct stat st;
	long fd;
	CHECK_OK(put("tr", "hello"));
	CHECK_OK(fd = ropenat(AT_FDCWD, "tr", O_WRONLY | O_TRUNC, 0));
	CHECK_OK(fstat((int)fd, &st));
	CHECK_EQ(st.st_size, 0);
	rclose(fd);
	CHECK_OK(put("tr", "hello"));
	/* O_RDONLY|O_TRUNC truncates too on Linux. */
	CHECK_OK(fd = ropenat(AT_FDCWD, "tr", O_RDONLY | O_TRUNC, 0));
	CHECK_EQ(read((int)fd, buf, sizeof buf), 0);
	rclose(fd);
	CHECK_EQ(get("tr", buf, sizeof buf), 0);
}

static void append_flag(void)
{
	char buf[32];
	long fd;
	CHECK_OK(put("ap", "abc"));
	CHECK_OK(fd = ropenat(AT_FDCWD, "ap", O_WRONLY | O_APPEND, 0));
	CHECK_EQ(rlseek(fd, 0, SEEK_CUR), 0);
	CHECK_EQ(write((int)fd, "de", 2), 2);
	CHECK_EQ(rlseek(fd, 0, SEEK_CUR), 5);
	CHECK_EQ(rlseek(fd, 1, SEEK_SET), 1);
	CHECK_EQ(write((int)fd, "f", 1), 1);
	CHECK_EQ(rlseek(fd, 0, SEEK_CUR), 6);
	/* pwrite on an O_APPEND file appends whatever the offset (man 2 pwrite, BUGS). */
	CHECK_EQ(pwrite((int)fd, "g", 1, 0), 1);
	CHECK_EQ(fcntl((int)fd, F_GETFL) & O_APPEND, O_APPEND);
	rclose(fd);
	CHECK_EQ(get("ap", buf, sizeof buf), 7);
	CHECK(strcmp(buf, "abcdefg") == 0);
}

static void directory_flag(void)
{
	long fd;
	CHECK_OK(mkdir("dd", 0755));
	CHECK_OK(put("df", "x"));
	CHECK_ERR(ropenat(AT_FDCWD, "df", O_RDONLY | O_DIRECTORY, 0), ENOTDIR);
	CHECK_OK(fd = ropenat(AT_FDCWD, "dd", O_RDONLY | O_DIRECTORY, 0));
	rclose(fd);
	CHECK_OK(fd = ropenat(AT_FDCWD, "dd", O_RDONLY, 0));
	rclose(fd);
	CHECK_ERR(ropenat(AT_FDCWD, "dd", O_WRONLY, 0), EISDIR);
	CHECK_ERR(ropenat(AT_FDCWD, "dd", O_RDWR, 0), EISDIR);
	CHECK_ERR(ropenat(AT_FDCWD, "dd", O_RDONLY | O_CREAT, 0644), EISDIR);
	/* O_CREAT|O_DIRECTORY never makes anything (EINVAL since Linux 6.4), and comes before the path. */
	CHECK_ERR(ropenat(AT_FDCWD, "dd-new", O_RDONLY | O_CREAT | O_DIRECTORY, 0755), EINVAL);
	CHECK_ERR(ropenat(AT_FDCWD, NULL, O_RDONLY | O_CREAT | O_DIRECTORY, 0755), EINVAL);
	CHECK_ERR(access("dd-new", F_OK), ENOENT);
	/* Reading a directory is EISDIR. */
	char c;
	CHECK_OK(fd = ropenat(AT_FDCWD, "dd", O_RDONLY, 0));
	CHECK_ERR(read((int)fd, &c, 1), EISDIR);
	CHECK_ERR(write((int)fd, &c, 1), EBADF);
	rclose(fd);
}

static void nofollow_flag(void)
{
	struct stat st;
	long fd;
	CHECK_OK(put("nf", "data"));
	CHECK_OK(symlink("nf", "nf-link"));
	CHECK_ERR(ropenat(AT_FDCWD, "nf-link", O_RDONLY | O_NOFOLLOW, 0), ELOOP);
	/* With O_PATH, O_NOFOLLOW opens the link itself. */
	CHECK_OK(fd = ropenat(AT_FDCWD, "nf-link", O_PATH | O_NOFOLLOW, 0));
	CHECK_OK(fstat((int)fd, &st));
	CHECK(S_ISLNK(st.st_mode));
	rclose(fd);
	/* Links before the last component are followed. */
	CHECK_OK(mkdir("nfd", 0755));
	CHECK_OK(put("nfd/in", "x"));
	CHECK_OK(symlink("nfd", "nfd-link"));
	CHECK_OK(fd = ropenat(AT_FDCWD, "nfd-link/in", O_RDONLY | O_NOFOLLOW, 0));
	rclose(fd);
}

static void path_flag(void)
{
	struct stat st, st2;
	char c, buf[64];
	long fd, d, f;
	CHECK_OK(put("pf", "abc"));
	CHECK_OK(mkdir("pd", 0755));
	CHECK_OK(put("pd/child", "zz"));
	CHECK_OK(fd = ropenat(AT_FDCWD, "pf", O_PATH | O_RDWR | O_TRUNC | O_APPEND, 0));
	/* O_PATH drops every other flag (but O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC) and truncates nothing. */
	CHECK_EQ(fcntl((int)fd, F_GETFL), O_PATH);
	CHECK_ERR(read((int)fd, &c, 1), EBADF);
	CHECK_ERR(write((int)fd, &c, 1), EBADF);
	CHECK_ERR(rlseek(fd, 0, SEEK_SET), EBADF);
	CHECK_ERR(syscall(SYS_fchmod, fd, 0600), EBADF);
	CHECK_ERR(syscall(SYS_ftruncate, fd, 0), EBADF);
	CHECK_ERR(syscall(SYS_fgetxattr, fd, "user.x", buf, sizeof buf), EBADF);
	CHECK_OK(fstat((int)fd, &st));
	CHECK_EQ(st.st_size, 3);
	CHECK_OK(stat("pf", &st2));
	CHECK_EQ(st.st_ino, st2.st_ino);
	rclose(fd);
	/* An O_PATH directory serves as a dirfd and for fchdir. */
	CHECK_OK(d = ropenat(AT_FDCWD, "pd", O_PATH | O_DIRECTORY, 0));
	CHECK_ERR(syscall(SYS_getdents64, d, buf, sizeof buf), EBADF);
	CHECK_OK(f = ropenat(d, "child", O_RDONLY, 0));
	CHECK_EQ(read((int)f, buf, sizeof buf), 2);
	rclose(f);
	CHECK_OK(fchdir((int)d));
	CHECK_OK(stat("child", &st));
	CHECK_OK(chdir(base));
	rclose(d);
}

static void tmpfile_flag(void)
{
	struct stat st;
	char buf[16];
	long fd;
	CHECK_OK(mkdir("tmpd", 0755));
	CHECK_OK(put("tmpf", "x"));
	/* O_TMPFILE needs write access and a directory; these errors come before the file system's support. */
	CHECK_ERR(ropenat(AT_FDCWD, "tmpd", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	CHECK_ERR(ropenat(AT_FDCWD, "tmpf", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	fd = ropenat(AT_FDCWD, "tmpd", O_TMPFILE | O_RDWR, 0600);
	if (fd < 0) {
		CHECK_EQ(errno, EOPNOTSUPP);
		say("# O_TMPFILE is not supported on this file system");
		return;
	}
	CHECK_OK(fstat((int)fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(st.st_mode, S_IFREG | 0600);
	CHECK_EQ(pwrite((int)fd, "temp", 4, 0), 4);
	CHECK_EQ(pread((int)fd, buf, sizeof buf, 0), 4);
	/* Nothing shows in the directory: it is empty. */
	CHECK_OK(rmdir("tmpd"));
	CHECK_OK(mkdir("tmpd", 0755));
	/* Without O_EXCL it may be given a name. */
	CHECK_OK(linkat((int)fd, "", AT_FDCWD, "tmpd/named", AT_EMPTY_PATH));
	CHECK_OK(fstat((int)fd, &st));
	CHECK_EQ(st.st_nlink, 1);
	rclose(fd);
	CHECK_EQ(get("tmpd/named", buf, sizeof buf), 4);
	/* With O_EXCL it may not. */
	CHECK_OK(fd = ropenat(AT_FDCWD, "tmpd", O_TMPFILE | O_WRONLY | O_EXCL, 0600));
	CHECK_ERR(linkat((int)fd, "", AT_FDCWD, "tmpd/named2", AT_EMPTY_PATH), ENOENT);
	rclose(fd);
}

static void open_errors(void)
{
	static char longp[4200];
	CHECK_OK(put("oe", "x"));
	CHECK_ERR(ropenat(AT_FDCWD, "", O_RDONLY, 0), ENOENT);
	CHECK_ERR(ropenat(AT_FDCWD, NULL, O_RDONLY, 0), EFAULT);
	CHECK_ERR(ropenat(AT_FDCWD, (char *)-1L, O_RDONLY, 0), EFAULT);
	CHECK_ERR(ropenat(AT_FDCWD, "oe-none", O_RDONLY, 0), ENOENT);
	CHECK_ERR(ropenat(AT_FDCWD, "oe/", O_RDONLY, 0), ENOTDIR);
	CHECK_ERR(ropenat(AT_FDCWD, "oe/x", O_RDONLY, 0), ENOTDIR);
	CHECK_ERR(ropenat(AT_FDCWD, "oe-new/", O_RDWR | O_CREAT, 0644), EISDIR);
	CHECK_ERR(ropenat(AT_FDCWD, "oe-none/x", O_RDWR | O_CREAT, 0644), ENOENT);
	/* A path of PATH_MAX bytes without its NUL is too long; one byte less is looked up. */
	memset(longp, 0, sizeof longp);
	for (int i = 0; i < 4094; i += 2)
		memcpy(longp + i, "./", 2);
	longp[4094] = 'z';
	CHECK_EQ(strlen(longp), 4095);
	CHECK_ERR(ropenat(AT_FDCWD, longp, O_RDONLY, 0), ENOENT);
	longp[4095] = 'z';
	CHECK_ERR(ropenat(AT_FDCWD, longp, O_RDONLY, 0), ENAMETOOLONG);
	/* A component of 256 bytes. */
	memset(longp, 'n', 256);
	longp[256] = 0;
	CHECK_ERR(ropenat(AT_FDCWD, longp, O_RDONLY, 0), ENAMETOOLONG);
	longp[255] = 0;
	CHECK_ERR(ropenat(AT_FDCWD, longp, O_RDONLY, 0), ENOENT);
}

static void fd_flags(void)
{
	long a, b, c;
	CHECK_OK(put("fl", "x"));
	CHECK_OK(a = ropenat(AT_FDCWD, "fl", O_RDONLY, 0));
	CHECK_OK(b = ropenat(AT_FDCWD, "fl", O_RDWR | O_CLOEXEC, 0));
	CHECK_EQ(b, a + 1);
	CHECK_EQ(fcntl((int)a, F_GETFD), 0);
	CHECK_EQ(fcntl((int)b, F_GETFD), FD_CLOEXEC);
	/* F_GETFL shows O_LARGEFILE (forced on x86-64) but never O_CLOEXEC. */
	CHECK_EQ(fcntl((int)b, F_GETFL), O_RDWR | 0100000);
	/* The lowest free descriptor is taken. */
	rclose(a);
	CHECK_OK(c = ropenat(AT_FDCWD, "fl", O_WRONLY, 0));
	CHECK_EQ(c, a);
	rclose(b);
	rclose(c);
}

static void emfile_order(void)
{
	struct rlimit old, lim;
	long fds[8];
	int n = 0;
	long fd;
	CHECK_OK(put("em", "x"));
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &old));
	CHECK_OK(fd = ropenat(AT_FDCWD, "em", O_RDONLY, 0));
	rclose(fd);
	lim = old;
	lim.rlim_cur = (rlim_t)fd + 4;
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &lim));
	while (n < 8) {
		fd = ropenat(AT_FDCWD, "em", O_RDONLY, 0);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	int e = errno;
	/* A full table is EMFILE whatever the path; flags and the path's bytes are checked before. */
	long r1 = ropenat(AT_FDCWD, "em-none", O_RDONLY, 0);
	int e1 = errno;
	long r2 = ropenat(AT_FDCWD, NULL, O_RDONLY, 0);
	int e2 = errno;
	long r3 = ropenat(AT_FDCWD, "em", O_RDONLY | O_CREAT | O_DIRECTORY, 0);
	int e3 = errno;
	long r4 = ropenat(AT_FDCWD, "", O_RDONLY, 0);
	int e4 = errno;
	for (int i = 0; i < n; i++)
		rclose(fds[i]);
	setrlimit(RLIMIT_NOFILE, &old);
	CHECK_EQ(n, 4);
	CHECK_EQ(e, EMFILE);
	CHECK(r1 == -1 && e1 == EMFILE);
	CHECK(r2 == -1 && e2 == EFAULT);
	CHECK(r3 == -1 && e3 == EINVAL);
	CHECK(r4 == -1 && e4 == ENOENT);
}

static void openat_dirfd(void)
{
	char buf[16];
	long d, f, g;
	CHECK_OK(mkdir("od", 0755));
	CHECK_OK(put("od/in", "inner"));
	CHECK_OK(put("of", "x"));
	CHECK_OK(d = ropenat(AT_FDCWD, "od", O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(f = ropenat(d, "in", O_RDONLY, 0));
	CHECK_EQ(read((int)f, buf, sizeof buf), 5);
	rclose(f);
	CHECK_OK(f = ropenat(d, "../of", O_RDONLY, 0));
	rclose(f);
	CHECK_OK(g = ropenat(AT_FDCWD, "of", O_RDONLY, 0));
	CHECK_ERR(ropenat(g, "x", O_RDONLY, 0), ENOTDIR);
	CHECK_ERR(ropenat(g, "", O_RDONLY, 0), ENOENT);
	CHECK_ERR(ropenat(999, "x", O_RDONLY, 0), EBADF);
	CHECK_ERR(ropenat(-5, "x", O_RDONLY, 0), EBADF);
	/* An absolute path ignores dirfd, even a bad one. */
	snprintf(buf, sizeof buf, "%s", "/");
	CHECK_OK(f = ropenat(999, "/", O_RDONLY | O_DIRECTORY, 0));
	rclose(f);
	rclose(g);
	rclose(d);
}

static void openat2_how(void)
{
	struct open_how how;
	char big[64];
	long fd, d;
	CHECK_OK(mkdir("o2", 0755));
	CHECK_OK(put("o2/f", "x"));
	CHECK_OK(symlink("f", "o2/lnk"));
	CHECK_OK(symlink("/", "o2/abs"));
	CHECK_OK(d = ropenat(AT_FDCWD, "o2", O_RDONLY | O_DIRECTORY, 0));
	memset(&how, 0, sizeof how);
	how.flags = O_RDONLY;
	CHECK_ERR(ropenat2(d, "f", &how, 16), EINVAL);
	CHECK_ERR(ropenat2(d, "f", &how, 8192), E2BIG);
	CHECK_ERR(ropenat2(d, "f", NULL, sizeof how), EFAULT);
	CHECK_OK(fd = ropenat2(d, "f", &how, sizeof how));
	rclose(fd);
	/* A larger struct must be zero beyond what the kernel knows. */
	memset(big, 0, sizeof big);
	memcpy(big, &how, sizeof how);
	CHECK_OK(fd = ropenat2(d, "f", big, sizeof big));
	rclose(fd);
	big[40] = 1;
	CHECK_ERR(ropenat2(d, "f", big, sizeof big), E2BIG);
	/* Unknown bits, a mode without O_CREAT, conflicting scopes: EINVAL. */
	how.flags = O_RDONLY | (1ULL << 40);
	CHECK_ERR(ropenat2(d, "f", &how, sizeof how), EINVAL);
	how.flags = O_RDONLY;
	how.mode = 0644;
	CHECK_ERR(ropenat2(d, "f", &how, sizeof how), EINVAL);
	how.mode = 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_IN_ROOT;
	CHECK_ERR(ropenat2(d, "f", &how, sizeof how), EINVAL);
	how.resolve = 1ULL << 20;
	CHECK_ERR(ropenat2(d, "f", &how, sizeof how), EINVAL);
	how.flags = O_PATH | O_RDWR;
	how.resolve = 0;
	CHECK_ERR(ropenat2(d, "f", &how, sizeof how), EINVAL);
	/* RESOLVE_BENEATH: no absolute path, no "..", no absolute link out of dirfd. */
	how.flags = O_RDONLY;
	how.resolve = RESOLVE_BENEATH;
	CHECK_OK(fd = ropenat2(d, "f", &how, sizeof how));
	rclose(fd);
	CHECK_ERR(ropenat2(d, "../o2/f", &how, sizeof how), EXDEV);
	CHECK_ERR(ropenat2(d, "/", &how, sizeof how), EXDEV);
	CHECK_ERR(ropenat2(d, "abs", &how, sizeof how), EXDEV);
	/* RESOLVE_IN_ROOT: "/" and ".." stay at dirfd. */
	how.resolve = RESOLVE_IN_ROOT;
	CHECK_OK(fd = ropenat2(d, "/f", &how, sizeof how));
	rclose(fd);
	CHECK_OK(fd = ropenat2(d, "../../f", &how, sizeof how));
	rclose(fd);
	/* RESOLVE_NO_SYMLINKS. */
	how.resolve = RESOLVE_NO_SYMLINKS;
	CHECK_ERR(ropenat2(d, "lnk", &how, sizeof how), ELOOP);
	how.resolve = 0;
	CHECK_OK(fd = ropenat2(d, "lnk", &how, sizeof how));
	rclose(fd);
	rclose(d);
}

static void close_range_cases(void)
{
	long a, b, c;
	CHECK_OK(put("cr", "x"));
	CHECK_OK(a = ropenat(AT_FDCWD, "cr", O_RDONLY, 0));
	CHECK_OK(b = ropenat(AT_FDCWD, "cr", O_RDONLY, 0));
	CHECK_OK(c = ropenat(AT_FDCWD, "cr", O_RDONLY, 0));
	CHECK_ERR(syscall(SYS_close_range, c, a, 0), EINVAL);
	CHECK_ERR(syscall(SYS_close_range, a, c, 1), EINVAL);
	CHECK_OK(syscall(SYS_close_range, b, c, CLOSE_RANGE_CLOEXEC));
	CHECK_EQ(fcntl((int)a, F_GETFD), 0);
	CHECK_EQ(fcntl((int)b, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl((int)c, F_GETFD), FD_CLOEXEC);
	CHECK_OK(syscall(SYS_close_range, a, ~0U, 0));
	CHECK_ERR(fcntl((int)a, F_GETFD), EBADF);
	CHECK_ERR(fcntl((int)c, F_GETFD), EBADF);
	CHECK_OK(fcntl(1, F_GETFD));
}

static void lseek_cases(void)
{
	long fd, d;
	char buf[8];
	CHECK_OK(fd = ropenat(AT_FDCWD, "ls", O_RDWR | O_CREAT, 0644));
	CHECK_EQ(write((int)fd, "0123456789", 10), 10);
	CHECK_EQ(rlseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ(rlseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ(rlseek(fd, 3, SEEK_CUR), 5);
	CHECK_EQ(read((int)fd, buf, 2), 2);
	CHECK(memcmp(buf, "56", 2) == 0);
	CHECK_EQ(rlseek(fd, -1, SEEK_END), 9);
	CHECK_ERR(rlseek(fd, -20, SEEK_END), EINVAL);
	CHECK_ERR(rlseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_EQ(rlseek(fd, 0, SEEK_CUR), 9);
	CHECK_ERR(rlseek(fd, 0, 5), EINVAL);
	CHECK_ERR(rlseek(999, 0, 5), EBADF);
	/* Past the end is allowed; reading there gives 0, writing leaves a hole. */
	CHECK_EQ(rlseek(fd, 100, SEEK_END), 110);
	CHECK_EQ(read((int)fd, buf, 1), 0);
	/* A directory's position can be set (SEEK_SET). */
	CHECK_OK(d = ropenat(AT_FDCWD, ".", O_RDONLY | O_DIRECTORY, 0));
	CHECK_EQ(rlseek(d, 0, SEEK_SET), 0);
	rclose(d);
	rclose(fd);
}

static void seek_data_hole(void)
{
	long fd;
	CHECK_OK(fd = ropenat(AT_FDCWD, "sparse", O_RDWR | O_CREAT | O_TRUNC, 0644));
	/* Data in [0, 4096) and at 12288; a hole between. */
	static char page[4096];
	memset(page, 'd', sizeof page);
	CHECK_EQ(pwrite((int)fd, page, 4096, 0), 4096);
	CHECK_EQ(pwrite((int)fd, "e", 1, 12288), 1);
	CHECK_EQ(rlseek(fd, 0, SEEK_DATA), 0);
	CHECK_EQ(rlseek(fd, 0, SEEK_HOLE), 4096);
	CHECK_EQ(rlseek(fd, 5000, SEEK_DATA), 12288);
	CHECK_EQ(rlseek(fd, 5000, SEEK_HOLE), 5000);
	CHECK_EQ(rlseek(fd, 12288, SEEK_HOLE), 12289);
	CHECK_ERR(rlseek(fd, 12289, SEEK_DATA), ENXIO);
	CHECK_ERR(rlseek(fd, 12289, SEEK_HOLE), ENXIO);
	CHECK_ERR(rlseek(fd, -1, SEEK_DATA), ENXIO);
	rclose(fd);
}

static void legacy_open(void)
{
	long fd;
	CHECK_OK(fd = ropen("lo", O_RDWR | O_CREAT | O_EXCL, 0640));
	CHECK_EQ(write((int)fd, "q", 1), 1);
	rclose(fd);
	CHECK_ERR(ropen("lo", O_RDWR | O_CREAT | O_EXCL, 0640), EEXIST);
	CHECK_OK(fd = ropen("lo", O_RDONLY, 0));
	rclose(fd);
	CHECK_ERR(ropen("", O_RDONLY, 0), ENOENT);
	/* Unknown flag bits are ignored by open(2) and openat(2). */
	CHECK_OK(fd = ropen("lo", O_RDONLY | 0x40000000, 0));
	rclose(fd);
}

int main(void)
{
	setup();
	RUN(creat_excl);
	RUN(creat_mode_and_umask);
	RUN(trunc_flag);
	RUN(append_flag);
	RUN(directory_flag);
	RUN(nofollow_flag);
	RUN(path_flag);
	RUN(tmpfile_flag);
	RUN(open_errors);
	RUN(fd_flags);
	RUN(emfile_order);
	RUN(openat_dirfd);
	RUN(openat2_how);
	RUN(close_range_cases);
	RUN(lseek_cases);
	RUN(seek_data_hole);
	RUN(legacy_open);
	teardown();
	DONE();
}
