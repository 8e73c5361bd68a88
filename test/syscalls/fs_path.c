/*
 * fs_path.c: path resolution (man 7 path_resolution): trailing slashes,
 * ".." at the root, symlinks (relative, absolute, dangling, loops, the
 * 40-link limit), ENAMETOOLONG, ENOTDIR, empty and bad paths, dirfds,
 * chdir(2) / fchdir(2) / getcwd(2) / chroot(2), readlink(2).
 *
 * Runs in a fresh directory under /tmp that it removes at the end (natively
 * the host's /tmp; under tsvisor the sandbox's own). Run as root natively.
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <sys/stat.h>

static void setup(void)
{
	fs_setup("/tmp/tsvisor-fs_path-XXXXXX");
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

static long rstat(const char *p, struct stat *st) { return syscall(SYS_stat, p, st); }
static long rlstat(const char *p, struct stat *st) { return syscall(SYS_lstat, p, st); }
static long rfstatat(long dfd, const char *p, struct stat *st, long flags) { return syscall(SYS_newfstatat, dfd, p, st, flags); }
static long rgetcwd(char *buf, size_t size) { return syscall(SYS_getcwd, buf, size); }

static void trailing_slash(void)
{
	struct stat st;
	CHECK_OK(put("ts-file", "x"));
	CHECK_OK(mkdir("ts-dir", 0755));
	CHECK_OK(symlink("ts-dir", "ts-dlink"));
	CHECK_OK(symlink("ts-file", "ts-flink"));
	CHECK_ERR(rstat("ts-file/", &st), ENOTDIR);
	CHECK_OK(rstat("ts-dir/", &st));
	CHECK_OK(rstat("ts-dir//.//", &st));
	CHECK(S_ISDIR(st.st_mode));
	/* A trailing slash follows a symlink, even for lstat. */
	CHECK_OK(rlstat("ts-dlink", &st));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_OK(rlstat("ts-dlink/", &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_ERR(rlstat("ts-flink/", &st), ENOTDIR);
	CHECK_OK(mkdir("ts-new/", 0755));
	CHECK_OK(rmdir("ts-new/"));
	CHECK_ERR(unlink("ts-file/"), ENOTDIR);
	CHECK_ERR(unlink("ts-dir/"), EISDIR);
	CHECK_ERR(syscall(SYS_mknod, "ts-node/", S_IFREG | 0644, 0), ENOENT);
	CHECK_ERR(symlink("x", "ts-sym/"), ENOENT);
	CHECK_ERR(rename("ts-file", "ts-renamed/"), ENOTDIR);
	CHECK_ERR(rename("ts-file/", "ts-renamed"), ENOTDIR);
	CHECK_OK(rename("ts-dir/", "ts-dir2/"));
	CHECK_OK(rstat("ts-dir2", &st));
}

static void dotdot_at_root(void)
{
	struct stat root, st;
	CHECK_OK(rstat("/", &root));
	CHECK_OK(rstat("/..", &st));
	CHECK_EQ(st.st_ino, root.st_ino);
	CHECK_EQ(st.st_dev, root.st_dev);
	CHECK_OK(rstat("/../../..", &st));
	CHECK_EQ(st.st_ino, root.st_ino);
	char p[128];
	snprintf(p, sizeof p, "/../..%s/../..", base);
	CHECK_OK(rstat(p, &st));
	CHECK_EQ(st.st_ino, root.st_ino);
	CHECK_OK(rstat("/../tmp", &st));
	CHECK(S_ISDIR(st.st_mode));
	/* ".." of base is /tmp. */
	struct stat tmp;
	CHECK_OK(rstat("/tmp", &tmp));
	CHECK_OK(rstat("..", &st));
	CHECK_EQ(st.st_ino, tmp.st_ino);
	CHECK_EQ(st.st_dev, tmp.st_dev);
}

static void symlink_loops(void)
{
	struct stat st;
	char a[16], b[16];
	CHECK_OK(symlink("loop-b", "loop-a"));
	CHECK_OK(symlink("loop-a", "loop-b"));
	CHECK_OK(symlink("loop-self", "loop-self"));
	CHECK_ERR(rstat("loop-a", &st), ELOOP);
	CHECK_ERR(open("loop-a", O_RDONLY), ELOOP);
	CHECK_ERR(rstat("loop-self", &st), ELOOP);
	CHECK_ERR(rstat("loop-a/x", &st), ELOOP);
	CHECK_OK(rlstat("loop-a", &st));
	CHECK(S_ISLNK(st.st_mode));
	/* O_CREAT through a loop is ELOOP too. */
	CHECK_ERR(open("loop-a", O_RDWR | O_CREAT, 0644), ELOOP);
	/* 40 links are followed; the 41st is ELOOP. */
	CHECK_OK(put("chain-target", "end"));
	CHECK_OK(symlink("chain-target", "c0"));
	for (int i = 1; i <= 40; i++) {
		snprintf(a, sizeof a, "c%d", i);
		snprintf(b, sizeof b, "c%d", i - 1);
		CHECK_OK(symlink(b, a));
	}
	CHECK_OK(rstat("c39", &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_ERR(rstat("c40", &st), ELOOP);
	CHECK_OK(rlstat("c40", &st));
}

static void name_too_long(void)
{
	static char p[5000];
	struct stat st;
	memset(p, 'a', 255);
	p[255] = 0;
	CHECK_ERR(rstat(p, &st), ENOENT);
	CHECK_OK(put(p, "x"));
	CHECK_OK(unlink(p));
	memset(p, 'a', 256);
	p[256] = 0;
	CHECK_ERR(rstat(p, &st), ENAMETOOLONG);
	CHECK_ERR(mkdir(p, 0755), ENAMETOOLONG);
	CHECK_ERR(open(p, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
	/* A long component after a missing directory: the missing one is found first. */
	memcpy(p, "missing/", 8);
	memset(p + 8, 'b', 300);
	p[308] = 0;
	CHECK_ERR(rstat(p, &st), ENOENT);
	/* Whole paths: 4095 bytes resolve, 4096 do not. */
	memset(p, 0, sizeof p);
	for (int i = 0; i < 4094; i += 2)
		memcpy(p + i, "./", 2);
	p[4094] = '.';
	CHECK_OK(rstat(p, &st));
	p[4095] = '.';
	CHECK_ERR(rstat(p, &st), ENAMETOOLONG);
	/* A symlink's target may not be PATH_MAX long either. */
	CHECK_ERR(symlink(p, "toolong-link"), ENAMETOOLONG);
}

static void not_a_directory(void)
{
	struct stat st;
	int fd;
	CHECK_OK(put("nd-file", "x"));
	CHECK_ERR(rstat("nd-file/x", &st), ENOTDIR);
	CHECK_ERR(rstat("nd-file/..", &st), ENOTDIR);
	CHECK_ERR(rstat("nd-file/.", &st), ENOTDIR);
	CHECK_ERR(mkdir("nd-file/x", 0755), ENOTDIR);
	CHECK_ERR(unlink("nd-file/x"), ENOTDIR);
	CHECK_OK(fd = open("nd-file", O_RDONLY));
	CHECK_ERR(rfstatat(fd, "x", &st, 0), ENOTDIR);
	CHECK_OK(rfstatat(fd, "/", &st, 0));
	CHECK_OK(rfstatat(fd, "", &st, AT_EMPTY_PATH));
	CHECK(S_ISREG(st.st_mode));
	close(fd);
	CHECK_ERR(chdir("nd-file"), ENOTDIR);
}

static void empty_and_bad_paths(void)
{
	struct stat st;
	CHECK_ERR(rstat("", &st), ENOENT);
	CHECK_ERR(rlstat("", &st), ENOENT);
	CHECK_ERR(rstat(NULL, &st), EFAULT);
	CHECK_ERR(rstat((char *)-1L, &st), EFAULT);
	CHECK_ERR(rfstatat(AT_FDCWD, "", &st, 0), ENOENT);
	CHECK_OK(rfstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH));
	CHECK(S_ISDIR(st.st_mode));
	/* The flags are checked before the path is: EINVAL, not EFAULT. */
	CHECK_ERR(rfstatat(AT_FDCWD, NULL, &st, 0x80000), EINVAL);
	CHECK_ERR(rfstatat(AT_FDCWD, ".", &st, 0x80000), EINVAL);
	CHECK_ERR(rfstatat(AT_FDCWD, ".", NULL, 0), EFAULT);
	CHECK_ERR(rfstatat(AT_FDCWD, "missing", NULL, 0), ENOENT);
	CHECK_ERR(rfstatat(999, "x", &st, 0), EBADF);
	CHECK_ERR(rfstatat(999, "", &st, AT_EMPTY_PATH), EBADF);
	CHECK_ERR(syscall(SYS_mkdir, NULL, 0755), EFAULT);
	CHECK_ERR(chdir(""), ENOENT);
}

static void dirfd_relative(void)
{
	struct stat a, b;
	int d;
	CHECK_OK(mkdir("rel", 0755));
	CHECK_OK(mkdir("rel/sub", 0755));
	CHECK_OK(put("rel/sub/f", "x"));
	CHECK_OK(d = open("rel/sub", O_RDONLY | O_DIRECTORY));
	CHECK_OK(rfstatat(d, "f", &a, 0));
	CHECK_OK(rstat("rel/sub/f", &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_OK(rfstatat(d, "../sub/./f", &a, 0));
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_OK(rfstatat(d, "..", &a, 0));
	CHECK_OK(rstat("rel", &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	/* A directory renamed under an open dirfd: the dirfd follows it. */
	CHECK_OK(rename("rel/sub", "rel/moved"));
	CHECK_OK(rfstatat(d, "f", &a, 0));
	CHECK_OK(mkdirat(d, "made", 0755));
	CHECK_OK(rstat("rel/moved/made", &a));
	close(d);
}

static void cwd_calls(void)
{
	char buf[256], want[256];
	int d;
	CHECK_OK(mkdir("cw", 0755));
	CHECK_EQ(rgetcwd(buf, sizeof buf), (long)strlen(base) + 1);
	CHECK(strcmp(buf, base) == 0);
	CHECK_OK(chdir("cw"));
	snprintf(want, sizeof want, "%s/cw", base);
	CHECK_OK(rgetcwd(buf, sizeof buf));
	CHECK(strcmp(buf, want) == 0);
	/* size must hold the NUL: ERANGE for one byte less. */
	CHECK_ERR(rgetcwd(buf, strlen(want)), ERANGE);
	CHECK_EQ(rgetcwd(buf, strlen(want) + 1), (long)strlen(want) + 1);
	CHECK_ERR(rgetcwd(NULL, sizeof buf), EFAULT);
	CHECK_OK(chdir(".."));
	CHECK_OK(rgetcwd(buf, sizeof buf));
	CHECK(strcmp(buf, base) == 0);
	CHECK_OK(d = open("cw", O_RDONLY | O_DIRECTORY));
	CHECK_OK(fchdir(d));
	CHECK_OK(rgetcwd(buf, sizeof buf));
	CHECK(strcmp(buf, want) == 0);
	close(d);
	CHECK_ERR(fchdir(999), EBADF);
	CHECK_OK(d = open(".", O_RDONLY));
	CHECK_OK(chdir(base));
	CHECK_OK(put("cw-file", "x"));
	close(d);
	CHECK_OK(d = open("cw-file", O_RDONLY));
	CHECK_ERR(fchdir(d), ENOTDIR);
	close(d);
	CHECK_ERR(chdir("cw-missing"), ENOENT);
	CHECK_OK(chdir("/"));
	CHECK_EQ(rgetcwd(buf, sizeof buf), 2);
	CHECK(strcmp(buf, "/") == 0);
	CHECK_OK(chdir(base));
}

static void cwd_removed(void)
{
	char buf[256], gone[256];
	struct stat st;
	snprintf(gone, sizeof gone, "%s/gone", base);
	CHECK_OK(mkdir("gone", 0755));
	CHECK_OK(chdir("gone"));
	CHECK_OK(rmdir(gone));
	CHECK_ERR(rgetcwd(buf, sizeof buf), ENOENT);
	CHECK_ERR(open("new", O_RDWR | O_CREAT, 0644), ENOENT);
	CHECK_ERR(mkdir("newd", 0755), ENOENT);
	CHECK_OK(rstat(".", &st));
	CHECK_EQ(st.st_nlink, 0);
	CHECK_OK(chdir(base));
}

static void chroot_jail(void)
{
	struct stat st, marker;
	char buf[256];
	int oldroot, d;
	CHECK_OK(mkdir("jail", 0755));
	CHECK_OK(mkdir("jail/inner", 0755));
	CHECK_OK(put("jail/marker", "m"));
	CHECK_OK(rstat("jail/marker", &marker));
	CHECK_OK(oldroot = open("/", O_RDONLY | O_DIRECTORY));
	CHECK_OK(d = open("jail/inner", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(chroot("jail-missing"), ENOENT);
	CHECK_OK(chroot("jail"));
	/* The working directory stays outside: getcwd says so. */
	CHECK_OK(rgetcwd(buf, sizeof buf));
	int unreachable = strncmp(buf, "(unreachable)", 13) == 0;
	int in_jail = rstat("/marker", &st) == 0 && st.st_ino == marker.st_ino;
	int dotdot = rstat("/../../marker", &st) == 0 && st.st_ino == marker.st_ino;
	int fch = fchdir(d) == 0 && rgetcwd(buf, sizeof buf) > 0 && strcmp(buf, "/inner") == 0;
	int up = chdir("../../..") == 0 && rgetcwd(buf, sizeof buf) > 0 && strcmp(buf, "/") == 0;
	/* Back out: fchdir to the old root, chroot("."). */
	int back = fchdir(oldroot) == 0 && chroot(".") == 0 && chdir(base) == 0;
	close(oldroot);
	close(d);
	CHECK(back);
	CHECK(unreachable);
	CHECK(in_jail);
	CHECK(dotdot);
	CHECK(fch);
	CHECK(up);
	CHECK_OK(rstat("jail/marker", &st));
}

static void symlink_resolution(void)
{
	struct stat st, f;
	char abs[256];
	CHECK_OK(mkdir("sr", 0755));
	CHECK_OK(mkdir("sr/a", 0755));
	CHECK_OK(put("sr/f", "x"));
	CHECK_OK(rstat("sr/f", &f));
	/* A relative target is read from the link's directory. */
	CHECK_OK(symlink("../f", "sr/a/up"));
	CHECK_OK(rstat("sr/a/up", &st));
	CHECK_EQ(st.st_ino, f.st_ino);
	snprintf(abs, sizeof abs, "%s/sr/f", base);
	CHECK_OK(symlink(abs, "sr/absl"));
	CHECK_OK(rstat("sr/absl", &st));
	CHECK_EQ(st.st_ino, f.st_ino);
	/* Links in the middle of a path. */
	CHECK_OK(symlink("a", "sr/alink"));
	CHECK_OK(rstat("sr/alink/up", &st));
	CHECK_EQ(st.st_ino, f.st_ino);
	/* ".." after a symlink goes up from the target, not the link. */
	CHECK_OK(symlink("a", "sr/a2"));
	CHECK_OK(rstat("sr/alink/../f", &st));
	CHECK_EQ(st.st_ino, f.st_ino);
	/* Dangling. */
	CHECK_OK(symlink("nowhere", "sr/dangling"));
	CHECK_ERR(rstat("sr/dangling", &st), ENOENT);
	CHECK_OK(rlstat("sr/dangling", &st));
	CHECK_EQ(st.st_size, 7);
	CHECK_ERR(symlink("", "sr/empty"), ENOENT);
	CHECK_ERR(symlink("x", "sr/f"), EEXIST);
	CHECK_ERR(symlink("x", "sr/dangling"), EEXIST);
	int d;
	CHECK_OK(d = open("sr", O_RDONLY | O_DIRECTORY));
	CHECK_OK(symlinkat("f", d, "viaat"));
	CHECK_OK(rstat("sr/viaat", &st));
	CHECK_EQ(st.st_ino, f.st_ino);
	close(d);
}

static void readlink_calls(void)
{
	char buf[64];
	CHECK_OK(put("rl-file", "x"));
	CHECK_OK(symlink("rl-file", "rl-link"));
	CHECK_EQ(syscall(SYS_readlink, "rl-link", buf, sizeof buf), 7);
	CHECK(memcmp(buf, "rl-file", 7) == 0);
	/* Cut to the buffer, no NUL. */
	memset(buf, '#', sizeof buf);
	CHECK_EQ(syscall(SYS_readlink, "rl-link", buf, 3), 3);
	CHECK(memcmp(buf, "rl-#", 4) == 0);
	CHECK_ERR(syscall(SYS_readlink, "rl-file", buf, sizeof buf), EINVAL);
	CHECK_ERR(syscall(SYS_readlink, "rl-link", buf, 0), EINVAL);
	CHECK_ERR(syscall(SYS_readlink, "rl-link", buf, -1), EINVAL);
	CHECK_ERR(syscall(SYS_readlink, "rl-missing", buf, sizeof buf), ENOENT);
	CHECK_ERR(syscall(SYS_readlink, "", buf, sizeof buf), ENOENT);
	CHECK_ERR(syscall(SYS_readlink, "rl-link", NULL, sizeof buf), EFAULT);
	int fd;
	CHECK_OK(fd = open("rl-link", O_PATH | O_NOFOLLOW));
	CHECK_EQ(syscall(SYS_readlinkat, fd, "", buf, sizeof buf), 7);
	close(fd);
	CHECK_OK(fd = open(".", O_RDONLY));
	CHECK_EQ(syscall(SYS_readlinkat, fd, "rl-link", buf, sizeof buf), 7);
	CHECK_ERR(syscall(SYS_readlinkat, fd, "", buf, sizeof buf), ENOENT);
	close(fd);
	/* The running program. */
	long n;
	CHECK_OK(n = syscall(SYS_readlink, "/proc/self/exe", buf, sizeof buf - 1));
	buf[n] = 0;
	CHECK(buf[0] == '/');
	CHECK(n >= 8 && strcmp(buf + n - 8, "/fs_path") == 0);
}

int main(void)
{
	setup();
	RUN(trailing_slash);
	RUN(dotdot_at_root);
	RUN(symlink_loops);
	RUN(name_too_long);
	RUN(not_a_directory);
	RUN(empty_and_bad_paths);
	RUN(dirfd_relative);
	RUN(cwd_calls);
	RUN(cwd_removed);
	RUN(chroot_jail);
	RUN(symlink_resolution);
	RUN(readlink_calls);
	teardown();
	DONE();
}
