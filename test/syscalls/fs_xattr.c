/*
 * fs_xattr.c: extended attributes (man 7 xattr): getxattr(2),
 * setxattr(2), listxattr(2), removexattr(2) with their l* and f* forms.
 * ENODATA where nothing is set, EOPNOTSUPP for unknown namespaces, the
 * size protocol (0 asks for the length, ERANGE when too small), the order
 * of argument errors, user.* only on files and directories, trusted.* as
 * root.
 *
 * Runs in a fresh directory under /tmp that it removes at the end (natively
 * the host's /tmp; under tsvisor the sandbox's own). Run as root natively.
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

static void setup(void)
{
	fs_setup("/tmp/tsvisor-fs_xattr-XXXXXX");
}

static int put(const char *name, const char *s)
{
	int fd = openat(AT_FDCWD, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static long rget(const char *p, const char *n, void *v, size_t s) { return syscall(SYS_getxattr, p, n, v, s); }
static long rlget(const char *p, const char *n, void *v, size_t s) { return syscall(SYS_lgetxattr, p, n, v, s); }
static long rfget(long fd, const char *n, void *v, size_t s) { return syscall(SYS_fgetxattr, fd, n, v, s); }
static long rset(const char *p, const char *n, const void *v, size_t s, long f) { return syscall(SYS_setxattr, p, n, v, s, f); }
static long rlset(const char *p, const char *n, const void *v, size_t s, long f) { return syscall(SYS_lsetxattr, p, n, v, s, f); }
static long rfset(long fd, const char *n, const void *v, size_t s, long f) { return syscall(SYS_fsetxattr, fd, n, v, s, f); }
static long rlist(const char *p, char *l, size_t s) { return syscall(SYS_listxattr, p, l, s); }
static long rllist(const char *p, char *l, size_t s) { return syscall(SYS_llistxattr, p, l, s); }
static long rflist(long fd, char *l, size_t s) { return syscall(SYS_flistxattr, fd, l, s); }
static long rremove(const char *p, const char *n) { return syscall(SYS_removexattr, p, n); }
static long rfremove(long fd, const char *n) { return syscall(SYS_fremovexattr, fd, n); }

static void nothing_set(void)
{
	char buf[64];
	int fd;
	CHECK_OK(put("ns", "x"));
	CHECK_ERR(rget("ns", "user.none", buf, sizeof buf), ENODATA);
	CHECK_ERR(rget("ns", "user.none", NULL, 0), ENODATA);
	CHECK_ERR(rlget("ns", "user.none", buf, sizeof buf), ENODATA);
	CHECK_ERR(rremove("ns", "user.none"), ENODATA);
	CHECK_EQ(rlist("ns", buf, sizeof buf), 0);
	CHECK_EQ(rlist("ns", NULL, 0), 0);
	CHECK_OK(fd = open("ns", O_RDONLY));
	CHECK_ERR(rfget(fd, "user.none", buf, sizeof buf), ENODATA);
	CHECK_EQ(rflist(fd, buf, sizeof buf), 0);
	close(fd);
	CHECK_OK(mkdir("ns-d", 0755));
	CHECK_ERR(rget("ns-d", "user.none", buf, sizeof buf), ENODATA);
}

static void set_get_list_remove(void)
{
	char buf[64];
	CHECK_OK(put("sg", "x"));
	CHECK_OK(rset("sg", "user.greeting", "hello", 5, 0));
	CHECK_EQ(rget("sg", "user.greeting", NULL, 0), 5);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(rget("sg", "user.greeting", buf, sizeof buf), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(rget("sg", "user.greeting", buf, 5), 5);
	CHECK_ERR(rget("sg", "user.greeting", buf, 4), ERANGE);
	/* An empty value is a value. */
	CHECK_OK(rset("sg", "user.empty", "", 0, 0));
	CHECK_EQ(rget("sg", "user.empty", buf, sizeof buf), 0);
	/* The list: NUL-terminated names, any order. */
	long n;
	CHECK_EQ(n = rlist("sg", NULL, 0), 14 + 11);
	CHECK_EQ(rlist("sg", buf, sizeof buf), n);
	CHECK(memmem(buf, (size_t)n, "user.greeting\0", 14) != NULL);
	CHECK(memmem(buf, (size_t)n, "user.empty\0", 11) != NULL);
	CHECK_ERR(rlist("sg", buf, (size_t)n - 1), ERANGE);
	/* XATTR_CREATE and XATTR_REPLACE. */
	CHECK_ERR(rset("sg", "user.greeting", "x", 1, XATTR_CREATE), EEXIST);
	CHECK_ERR(rset("sg", "user.absent", "x", 1, XATTR_REPLACE), ENODATA);
	CHECK_OK(rset("sg", "user.greeting", "bye", 3, XATTR_REPLACE));
	CHECK_EQ(rget("sg", "user.greeting", buf, sizeof buf), 3);
	CHECK(memcmp(buf, "bye", 3) == 0);
	CHECK_OK(rset("sg", "user.new", "n", 1, XATTR_CREATE));
	CHECK_OK(rremove("sg", "user.new"));
	CHECK_ERR(rremove("sg", "user.new"), ENODATA);
	CHECK_ERR(rget("sg", "user.new", buf, sizeof buf), ENODATA);
	/* Through a descriptor. */
	int fd;
	CHECK_OK(fd = open("sg", O_RDONLY));
	CHECK_OK(rfset(fd, "user.byfd", "f", 1, 0));
	CHECK_EQ(rfget(fd, "user.byfd", buf, sizeof buf), 1);
	CHECK_OK(rfremove(fd, "user.byfd"));
	close(fd);
	/* On a directory. */
	CHECK_OK(mkdir("sg-d", 0755));
	CHECK_OK(rset("sg-d", "user.d", "dir", 3, 0));
	CHECK_EQ(rget("sg-d", "user.d", buf, sizeof buf), 3);
}

static void setting_changes_ctime(void)
{
	struct stat st;
	struct timespec ts[2] = { { 1000, 0 }, { 1000, 0 } };
	CHECK_OK(put("cx", "x"));
	CHECK_OK(utimensat(AT_FDCWD, "cx", ts, 0));
	CHECK_OK(stat("cx", &st));
	CHECK_OK(rset("cx", "user.t", "1", 1, 0));
	struct stat after;
	CHECK_OK(stat("cx", &after));
	CHECK_EQ(after.st_mtim.tv_sec, 1000);
	CHECK(after.st_ctim.tv_sec >= st.st_ctim.tv_sec);
}

static void namespaces(void)
{
	char buf[64];
	CHECK_OK(put("nm", "x"));
	/* Unknown namespaces are not supported; a bare prefix is invalid. */
	CHECK_ERR(rset("nm", "foo.bar", "x", 1, 0), EOPNOTSUPP);
	CHECK_ERR(rget("nm", "foo.bar", buf, sizeof buf), EOPNOTSUPP);
	CHECK_ERR(rget("nm", "nodot", buf, sizeof buf), EOPNOTSUPP);
	CHECK_ERR(rremove("nm", "foo.bar"), EOPNOTSUPP);
	CHECK_ERR(rget("nm", "user.", buf, sizeof buf), EINVAL);
	CHECK_ERR(rset("nm", "user.", "x", 1, 0), EINVAL);
	/* trusted.* for root. */
	CHECK_OK(rset("nm", "trusted.t", "secret", 6, 0));
	CHECK_EQ(rget("nm", "trusted.t", buf, sizeof buf), 6);
	long n = rlist("nm", buf, sizeof buf);
	CHECK_EQ(n, 10);
	CHECK(memcmp(buf, "trusted.t", 10) == 0);
	CHECK_OK(rremove("nm", "trusted.t"));
}

static void symlinks_and_specials(void)
{
	char buf[64];
	CHECK_OK(put("sl-target", "x"));
	CHECK_OK(symlink("sl-target", "sl-link"));
	/* user.* exists only on regular files and directories: on a link, reads find nothing and writes are refused. */
	CHECK_ERR(rlset("sl-link", "user.x", "v", 1, 0), EPERM);
	CHECK_ERR(rlget("sl-link", "user.x", buf, sizeof buf), ENODATA);
	CHECK_EQ(rllist("sl-link", buf, sizeof buf), 0);
	/* Without the l, the target. */
	CHECK_OK(rset("sl-link", "user.x", "v", 1, 0));
	CHECK_EQ(rget("sl-target", "user.x", buf, sizeof buf), 1);
	CHECK_EQ(rllist("sl-link", buf, sizeof buf), 0);
	CHECK_EQ(rlist("sl-link", buf, sizeof buf), 7);
	CHECK_OK(mknod("sl-fifo", S_IFIFO | 0644, 0));
	CHECK_ERR(rset("sl-fifo", "user.x", "v", 1, 0), EPERM);
	CHECK_ERR(rget("sl-fifo", "user.x", buf, sizeof buf), ENODATA);
}

static void argument_errors(void)
{
	static char name[300], big[70000];
	char buf[64];
	int fd;
	CHECK_OK(put("ae", "x"));
	/* Names: empty or over 255 bytes is ERANGE. */
	CHECK_ERR(rget("ae", "", buf, sizeof buf), ERANGE);
	CHECK_ERR(rset("ae", "", "v", 1, 0), ERANGE);
	memcpy(name, "user.", 5);
	memset(name + 5, 'n', 250);
	name[255] = 0;
	CHECK_ERR(rget("ae", name, buf, sizeof buf), ENODATA);
	name[255] = 'n';
	name[256] = 0;
	CHECK_ERR(rget("ae", name, buf, sizeof buf), ERANGE);
	CHECK_ERR(rset("ae", name, "v", 1, 0), ERANGE);
	CHECK_ERR(rremove("ae", name), ERANGE);
	/* Values over 64 KiB: E2BIG. Bad flags: EINVAL, first of all. */
	CHECK_ERR(rset("ae", "user.big", big, sizeof big, 0), E2BIG);
	CHECK_ERR(rset("ae", "user.x", "v", 1, 4), EINVAL);
	CHECK_ERR(rset(NULL, NULL, NULL, 1, 4), EINVAL);
	/* Then the name, the size, the value, and last the path. */
	CHECK_ERR(rset(NULL, NULL, "v", 1, 0), EFAULT);
	CHECK_ERR(rset(NULL, "", "v", 1, 0), ERANGE);
	CHECK_ERR(rset(NULL, "user.x", big, sizeof big, 0), E2BIG);
	CHECK_ERR(rset("ae-missing", "user.x", NULL, 1, 0), EFAULT);
	CHECK_ERR(rset("ae-missing", "user.x", "v", 1, 0), ENOENT);
	CHECK_ERR(rget("ae-missing", "", buf, sizeof buf), ERANGE);
	CHECK_ERR(rget("ae-missing", "user.x", buf, sizeof buf), ENOENT);
	CHECK_ERR(rget(NULL, "user.x", buf, sizeof buf), EFAULT);
	CHECK_ERR(rremove("ae-missing", ""), ERANGE);
	/* A value that does not fit the caller's buffer address: EFAULT. */
	CHECK_OK(rset("ae", "user.v", "value", 5, 0));
	CHECK_ERR(rget("ae", "user.v", NULL, 16), EFAULT);
	CHECK_ERR(rlist("ae", NULL, 16), EFAULT);
	/* Descriptors: bad and O_PATH are EBADF. */
	CHECK_ERR(rfget(999, "user.v", buf, sizeof buf), EBADF);
	CHECK_ERR(rflist(999, buf, sizeof buf), EBADF);
	CHECK_OK(fd = open("ae", O_PATH));
	CHECK_ERR(rfget(fd, "user.v", buf, sizeof buf), EBADF);
	CHECK_ERR(rfset(fd, "user.v", "x", 1, 0), EBADF);
	CHECK_ERR(rflist(fd, buf, sizeof buf), EBADF);
	close(fd);
}

int main(void)
{
	setup();
	RUN(nothing_set);
	RUN(set_get_list_remove);
	RUN(setting_changes_ctime);
	RUN(namespaces);
	RUN(symlinks_and_specials);
	RUN(argument_errors);
	teardown();
	DONE();
}
