/*
 * fs_perm.c: file permissions as a user that is not root (man 7
 * path_resolution, man 2 open/chmod/chown/utimensat/unlink/rename/access).
 * Root prepares files in the work directory; each case forks a child that
 * drops to uid/gid 1000 (setgroups, setresgid, setresuid: no capabilities
 * left) and checks EACCES/EPERM for mode bits (owner, group, supplementary
 * groups, other; directories' read, write and search), exec permission,
 * sticky directories, chown/chgrp/chmod by non-owners, utimes with other
 * owners, O_NOATIME, setgid directories, access(2)'s real IDs and fsuid.
 * Then ETXTBSY (as root): opening for writing or truncating a file being
 * executed, and executing a file open for writing (a writable memfd too).
 *
 * Runs in a fresh directory under /tmp that it removes at the end (natively
 * the host's /tmp; under tsvisor the sandbox's own). Run as root natively.
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <sys/mman.h>
#include <time.h>

#define USER 1000
#define GROUP 1000
#define OTHER 1001
#define OGROUP 1001
#define SUPP 2000

/* Checks for the unprivileged child: print the line and return it (non-zero). */
#define EXPECT(cond)                                                                   \
	do {                                                                           \
		if (!(cond)) {                                                         \
			say("# line %d: %s (errno %s)", __LINE__, #cond, errname(errno)); \
			return __LINE__;                                               \
		}                                                                      \
	} while (0)
#define EXPECT_OK(expr)                                                                \
	do {                                                                           \
		errno = 0;                                                             \
		if ((long)(expr) == -1) {                                              \
			say("# line %d: %s failed: %s", __LINE__, #expr, errname(errno)); \
			return __LINE__;                                               \
		}                                                                      \
	} while (0)
#define EXPECT_ERR(expr, e)                                                                     \
	do {                                                                                    \
		errno = 0;                                                                      \
		long r_ = (long)(expr);                                                         \
		if (r_ != -1 || errno != (e)) {                                                 \
			say("# line %d: %s: expected %s, got %ld errno %s", __LINE__, #expr,   \
			    errname(e), r_, errname(errno));                                    \
			return __LINE__;                                                        \
		}                                                                               \
	} while (0)

/* Runs fn in a child with the given IDs (supplementary groups: n of groups); 0 if it returned 0. */
static int as_ids(uid_t ruid, uid_t euid, gid_t gid, int n, const gid_t *groups, int (*fn)(void))
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups((size_t)n, groups) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(ruid, euid, euid) != 0) {
			say("# cannot drop privileges: %s", errname(errno));
			_exit(2);
		}
		_exit(fn() == 0 ? 0 : 1);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 0x100 | st;
}

static int as_user(int (*fn)(void))
{
	return as_ids(USER, USER, GROUP, 0, NULL, fn);
}

static int mkfile(const char *name, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, "data", 4) != 4 || fchown(fd, uid, gid) != 0 || fchmod(fd, mode) != 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int mkdir_as(const char *name, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(name, 0700) != 0 || chown(name, uid, gid) != 0)
		return -1;
	return chmod(name, mode);
}

static void setup(void)
{
	fs_setup("/tmp/tsvisor-fs_perm-XXXXXX");
	if (chmod(base, 0755) != 0)
		say("# chmod %s: %s", base, strerror(errno));
}

/* ---- mode bits of regular files --------------------------------------------------------- */

static int mode_bits_child(void)
{
	char b[4];
	int fd;
	EXPECT_ERR(open("m-root600", O_RDONLY), EACCES);
	EXPECT_OK(fd = open("m-root644", O_RDONLY));
	EXPECT(read(fd, b, 4) == 4);
	close(fd);
	EXPECT_ERR(open("m-root644", O_WRONLY), EACCES);
	EXPECT_ERR(open("m-root644", O_RDWR), EACCES);
	EXPECT_ERR(open("m-root644", O_WRONLY | O_TRUNC), EACCES);
	EXPECT_ERR(truncate("m-root644", 0), EACCES);
	/* The owner class decides for the owner, even when others may do more. */
	EXPECT_ERR(open("m-own077", O_RDONLY), EACCES);
	EXPECT_OK(fd = open("m-own400", O_RDONLY));
	close(fd);
	EXPECT_ERR(open("m-own400", O_WRONLY), EACCES);
	/* The group class for a member, even when others may do more. */
	EXPECT_OK(fd = open("m-grp040", O_RDONLY));
	close(fd);
	EXPECT_ERR(open("m-grp404", O_RDONLY), EACCES);
	EXPECT_OK(fd = open("m-root666", O_RDWR));
	close(fd);
	EXPECT_OK(truncate("m-root666", 2));
	/* ftruncate needs a descriptor open for writing. */
	EXPECT_OK(fd = open("m-root644", O_RDONLY));
	EXPECT_ERR(ftruncate(fd, 0), EINVAL);
	close(fd);
	/* access(2) agrees. */
	EXPECT_ERR(access("m-root600", R_OK), EACCES);
	EXPECT_ERR(access("m-root644", W_OK), EACCES);
	EXPECT_OK(access("m-root644", R_OK));
	EXPECT_ERR(access("m-own077", R_OK), EACCES);
	EXPECT_OK(access("m-grp040", R_OK));
	return 0;
}

static void mode_bits(void)
{
	CHECK_OK(mkfile("m-root600", 0600, 0, 0));
	CHECK_OK(mkfile("m-root644", 0644, 0, 0));
	CHECK_OK(mkfile("m-root666", 0666, 0, 0));
	CHECK_OK(mkfile("m-own077", 0077, USER, 0));
	CHECK_OK(mkfile("m-own400", 0400, USER, 0));
	CHECK_OK(mkfile("m-grp040", 0040, 0, GROUP));
	CHECK_OK(mkfile("m-grp404", 0404, 0, GROUP));
	CHECK_EQ(as_user(mode_bits_child), 0);
}

static int supp_child(void)
{
	int fd;
	EXPECT_OK(fd = open("s-supp040", O_RDONLY));
	close(fd);
	EXPECT_ERR(open("s-supp040", O_WRONLY), EACCES);
	EXPECT_ERR(open("s-other040", O_RDONLY), EACCES);
	return 0;
}

static int nosupp_child(void)
{
	EXPECT_ERR(open("s-supp040", O_RDONLY), EACCES);
	return 0;
}

/* A supplementary group grants the group class. */
static void supplementary_groups(void)
{
	gid_t g[1] = {SUPP};
	CHECK_OK(mkfile("s-supp040", 0040, 0, SUPP));
	CHECK_OK(mkfile("s-other040", 0040, 0, OGROUP));
	CHECK_EQ(as_ids(USER, USER, GROUP, 1, g, supp_child), 0);
	CHECK_EQ(as_user(nosupp_child), 0); /* without the group */
}

/* ---- directories -------------------------------------------------------------------------- */

static int dir_child(void)
{
	struct stat st;
	int fd;
	/* No search permission: nothing inside can be looked up. */
	EXPECT_ERR(stat("d-700/f", &st), EACCES);
	EXPECT_ERR(open("d-700/f", O_RDONLY), EACCES);
	EXPECT_ERR(chdir("d-700"), EACCES);
	EXPECT_ERR(open("d-700", O_RDONLY | O_DIRECTORY), EACCES);
	/* Read without search: the names can be listed, not looked up. */
	DIR *d = opendir("d-744");
	EXPECT(d != NULL);
	int names = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		names += strcmp(e->d_name, "f") == 0;
	closedir(d);
	EXPECT(names == 1);
	EXPECT_ERR(stat("d-744/f", &st), EACCES);
	/* Search without read: lookups work, listing does not. */
	EXPECT_OK(stat("d-711/f", &st));
	EXPECT_ERR(open("d-711", O_RDONLY | O_DIRECTORY), EACCES);
	/* No write permission: no new names, no removal, no rename. */
	EXPECT_ERR(open("d-755/new", O_WRONLY | O_CREAT, 0644), EACCES);
	EXPECT_ERR(mkdir("d-755/sub", 0755), EACCES);
	EXPECT_ERR(unlink("d-755/f"), EACCES);
	EXPECT_ERR(rename("d-755/f", "d-777/f"), EACCES);
	EXPECT_ERR(symlink("x", "d-755/l"), EACCES);
	EXPECT_ERR(link("d-777/mine", "d-755/l"), EACCES);
	/* An existing file can still be opened for writing if its mode allows. */
	EXPECT_OK(fd = open("d-755/f", O_WRONLY));
	close(fd);
	/* Write without search is not enough to create. */
	EXPECT_ERR(open("d-733w/new", O_WRONLY | O_CREAT, 0644), EACCES);
	EXPECT_ERR(open("d-766/new", O_WRONLY | O_CREAT, 0644), EACCES);
	/* Write and search: a new file is the caller's. */
	EXPECT_OK(fd = open("d-777/new", O_WRONLY | O_CREAT | O_EXCL, 0666));
	EXPECT_OK(fstat(fd, &st));
	close(fd);
	EXPECT(st.st_uid == USER && st.st_gid == GROUP);
	/* Moving a directory to a new parent needs write permission on it (its "..") */
	EXPECT_ERR(rename("d-777/rootdir", "d-777/sub2/rootdir"), EACCES);
	EXPECT_OK(rename("d-777/rootdir", "d-777/rootdir2")); /* same parent: ".." unchanged */
	return 0;
}

static void dir_perms(void)
{
	CHECK_OK(mkdir_as("d-700", 0700, 0, 0));
	CHECK_OK(mkfile("d-700/f", 0644, 0, 0));
	CHECK_OK(mkdir_as("d-744", 0744, 0, 0));
	CHECK_OK(mkfile("d-744/f", 0644, 0, 0));
	CHECK_OK(mkdir_as("d-711", 0711, 0, 0));
	CHECK_OK(mkfile("d-711/f", 0644, 0, 0));
	CHECK_OK(mkdir_as("d-755", 0755, 0, 0));
	CHECK_OK(mkfile("d-755/f", 0666, 0, 0));
	CHECK_OK(mkdir_as("d-733w", 0766, 0, 0)); /* others rw-, no search */
	CHECK_OK(mkdir_as("d-766", 0766, 0, 0));
	CHECK_OK(mkdir_as("d-777", 0777, 0, 0));
	CHECK_OK(mkfile("d-777/mine", 0644, USER, GROUP));
	CHECK_OK(mkdir_as("d-777/sub2", 0777, 0, 0));
	CHECK_OK(mkdir_as("d-777/rootdir", 0755, 0, 0));
	CHECK_EQ(as_user(dir_child), 0);
}

/* ---- exec permission ------------------------------------------------------------------------ */

static int exec_child(void)
{
	char *argv[] = {"x", NULL};
	EXPECT_ERR(access("x-644", X_OK), EACCES);
	EXPECT_ERR(execve("x-644", argv, NULL), EACCES);
	EXPECT_ERR(execve("x-700", argv, NULL), EACCES);
	EXPECT_OK(access("x-755", X_OK));
	EXPECT_ERR(execve("d-exec", argv, NULL), EACCES);
	return 0;
}

static void exec_perm(void)
{
	CHECK_OK(mkfile("x-644", 0644, 0, 0));
	CHECK_OK(mkfile("x-700", 0700, 0, 0));
	CHECK_OK(mkfile("x-755", 0755, 0, 0));
	CHECK_OK(mkdir("d-exec", 0755));
	/* Root needs one execute bit somewhere for X_OK on a file, none for a directory. */
	CHECK_ERR(access("x-644", X_OK), EACCES);
	CHECK_OK(access("x-700", X_OK));
	CHECK_OK(chmod("d-exec", 0644));
	CHECK_OK(access("d-exec", X_OK));
	CHECK_OK(chmod("d-exec", 0755));
	CHECK_EQ(as_user(exec_child), 0);
}

/* ---- sticky directories --------------------------------------------------------------------- */

static int sticky_child(void)
{
	int fd;
	/* Others' entries: no unlink, no rename away, no rename over, no rmdir. */
	EXPECT_ERR(unlink("t/other"), EPERM);
	EXPECT_ERR(rename("t/other", "t/moved"), EPERM);
	EXPECT_ERR(rename("t/mine", "t/other"), EPERM);
	EXPECT_ERR(rmdir("t/otherdir"), EPERM);
	/* Writing to it is a matter of its mode, not of the sticky bit. */
	EXPECT_OK(fd = open("t/other", O_WRONLY));
	close(fd);
	/* Own entries are fine. */
	EXPECT_OK(rename("t/mine", "t/mine2"));
	EXPECT_OK(unlink("t/mine2"));
	/* The directory's owner may remove anyone's entries. */
	EXPECT_OK(unlink("u/other"));
	return 0;
}

static void sticky_dir(void)
{
	struct stat st;
	CHECK_OK(mkdir_as("t", 01777, 0, 0));
	CHECK_OK(mkfile("t/other", 0666, OTHER, OGROUP));
	CHECK_OK(mkfile("t/mine", 0644, USER, GROUP));
	CHECK_OK(mkdir_as("t/otherdir", 0777, OTHER, OGROUP));
	CHECK_OK(mkdir_as("u", 01777, USER, GROUP));
	CHECK_OK(mkfile("u/other", 0644, OTHER, OGROUP));
	CHECK_EQ(as_user(sticky_child), 0);
	CHECK_OK(stat("t/other", &st));
	CHECK_ERR(stat("u/other", &st), ENOENT);
	/* Root (CAP_FOWNER) may remove anything. */
	CHECK_OK(unlink("t/other"));
}

/* ---- chown, chgrp, chmod ------------------------------------------------------------------ */

static int chown_child(void)
{
	struct stat st;
	/* Giving a file away is EPERM, even one's own. */
	EXPECT_ERR(chown("c-mine", OTHER, -1), EPERM);
	EXPECT_ERR(chown("c-other", USER, -1), EPERM);
	/* To one's own uid (a no-op) and a group one is in: fine. */
	EXPECT_OK(chown("c-mine", USER, -1));
	EXPECT_OK(chown("c-mine", -1, SUPP));
	EXPECT_OK(stat("c-mine", &st));
	EXPECT(st.st_gid == SUPP);
	/* A group one is not in. */
	EXPECT_ERR(chown("c-mine", -1, OGROUP), EPERM);
	/* Nothing to change (-1, -1) is no ownership change: allowed even on another's file. */
	EXPECT_OK(chown("c-other", -1, -1));
	EXPECT_ERR(chmod("c-other", 0600), EPERM);
	EXPECT_ERR(chmod("c-other", 0666), EPERM);
	/* chgrp by the owner clears set-user-ID. */
	EXPECT_OK(chown("c-suid", -1, SUPP));
	EXPECT_OK(stat("c-suid", &st));
	EXPECT((st.st_mode & 07777) == 0755);
	/* Setting set-group-ID on a file of a group one is not in clears the bit silently. */
	EXPECT_OK(chmod("c-ogrp", 02755));
	EXPECT_OK(stat("c-ogrp", &st));
	EXPECT((st.st_mode & 07777) == 0755);
	EXPECT_OK(chmod("c-mine", 02750));
	EXPECT_OK(stat("c-mine", &st));
	EXPECT((st.st_mode & 07777) == 02750);
	/* Through descriptors too. */
	int fd = open("c-other", O_RDONLY);
	EXPECT(fd >= 0);
	EXPECT_ERR(fchmod(fd, 0644), EPERM);
	EXPECT_ERR(fchown(fd, USER, GROUP), EPERM);
	close(fd);
	return 0;
}

static void chown_perm(void)
{
	gid_t g[1] = {SUPP};
	CHECK_OK(mkfile("c-mine", 0644, USER, GROUP));
	CHECK_OK(mkfile("c-other", 0644, OTHER, OGROUP));
	CHECK_OK(mkfile("c-suid", 04755, USER, GROUP));
	CHECK_OK(mkfile("c-ogrp", 0755, USER, OGROUP));
	CHECK_EQ(as_ids(USER, USER, GROUP, 1, g, chown_child), 0);
}

/* ---- utimes with other owners ------------------------------------------------------------- */

static int utimes_child(void)
{
	struct timespec now2[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
	struct timespec omit2[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
	struct timespec set2[2] = {{1000, 0}, {2000, 0}};
	struct timespec now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	struct stat st;
	/* Another's file we may write: "now" is allowed, explicit times are not. */
	EXPECT_OK(utimensat(AT_FDCWD, "u-other666", NULL, 0));
	EXPECT_OK(utimensat(AT_FDCWD, "u-other666", now2, 0));
	EXPECT_ERR(utimensat(AT_FDCWD, "u-other666", set2, 0), EPERM);
	EXPECT_ERR(utimensat(AT_FDCWD, "u-other666", now_omit, 0), EPERM);
	EXPECT_OK(utimensat(AT_FDCWD, "u-other666", omit2, 0));
	EXPECT_OK(utimes("u-other666", NULL));
	/* Another's file we may not write: even "now" is refused. */
	EXPECT_ERR(utimensat(AT_FDCWD, "u-other644", NULL, 0), EACCES);
	EXPECT_ERR(utimensat(AT_FDCWD, "u-other644", now2, 0), EACCES);
	EXPECT_ERR(utimensat(AT_FDCWD, "u-other644", set2, 0), EPERM);
	EXPECT_ERR(utimes("u-other644", NULL), EACCES);
	/* Our own file, even read-only: anything. */
	EXPECT_OK(utimensat(AT_FDCWD, "u-mine444", set2, 0));
	EXPECT_OK(stat("u-mine444", &st));
	EXPECT(st.st_mtime == 2000 && st.st_atime == 1000);
	/* futimens on a read-only descriptor of a writable file of another. */
	int fd = open("u-other666", O_RDONLY);
	EXPECT(fd >= 0);
	EXPECT_OK(futimens(fd, NULL));
	EXPECT_ERR(futimens(fd, set2), EPERM);
	close(fd);
	return 0;
}

static void utimes_perm(void)
{
	CHECK_OK(mkfile("u-other666", 0666, OTHER, OGROUP));
	CHECK_OK(mkfile("u-other644", 0644, OTHER, OGROUP));
	CHECK_OK(mkfile("u-mine444", 0444, USER, GROUP));
	CHECK_EQ(as_user(utimes_child), 0);
}

/* ---- O_NOATIME ----------------------------------------------------------------------------- */

static int noatime_child(void)
{
	int fd;
	EXPECT_ERR(open("n-other", O_RDONLY | O_NOATIME), EPERM);
	EXPECT_OK(fd = open("n-mine", O_RDONLY | O_NOATIME));
	close(fd);
	/* fcntl(F_SETFL) applies the same rule. */
	EXPECT_OK(fd = open("n-other", O_RDONLY));
	EXPECT_ERR(fcntl(fd, F_SETFL, O_NOATIME), EPERM);
	close(fd);
	return 0;
}

static void noatime_perm(void)
{
	int fd;
	CHECK_OK(mkfile("n-other", 0644, OTHER, OGROUP));
	CHECK_OK(mkfile("n-mine", 0644, USER, GROUP));
	/* Root (CAP_FOWNER) may. */
	CHECK_OK(fd = open("n-other", O_RDONLY | O_NOATIME));
	close(fd);
	CHECK_EQ(as_user(noatime_child), 0);
}

/* ---- setgid directories --------------------------------------------------------------------- */

static int setgid_child(void)
{
	struct stat st;
	int fd;
	EXPECT_OK(fd = open("g/f", O_WRONLY | O_CREAT | O_EXCL, 0644));
	EXPECT_OK(fstat(fd, &st));
	close(fd);
	EXPECT(st.st_gid == OGROUP && st.st_uid == USER);
	EXPECT_OK(mkdir("g/sub", 0755));
	EXPECT_OK(stat("g/sub", &st));
	EXPECT(st.st_gid == OGROUP && (st.st_mode & S_ISGID));
	/* A set-group-ID file created there for a group we are not in loses the bit. */
	EXPECT_OK(fd = open("g/sgid", O_WRONLY | O_CREAT | O_EXCL, 02755));
	EXPECT_OK(fstat(fd, &st));
	close(fd);
	EXPECT((st.st_mode & 07777) == 0755);
	return 0;
}

static void setgid_dir(void)
{
	CHECK_OK(mkdir_as("g", 02777, 0, OGROUP));
	CHECK_EQ(as_user(setgid_child), 0);
}

/* ---- which IDs are checked ------------------------------------------------------------------ */

static int real_ids_child(void)
{
	int fd;
	/* euid 0, ruid USER: open uses the effective IDs, access(2) the real ones. */
	EXPECT_OK(fd = open("i-root600", O_RDONLY));
	close(fd);
	EXPECT_ERR(access("i-root600", R_OK), EACCES);
	EXPECT_OK(syscall(SYS_faccessat2, AT_FDCWD, "i-root600", R_OK, AT_EACCESS));
	/* setfsuid: the file-system uid decides (and loses the capabilities). */
	setfsuid(USER);
	EXPECT((int)setfsuid(-1) == USER);
	EXPECT_ERR(open("i-root600", O_RDONLY), EACCES);
	setfsuid(0);
	EXPECT_OK(fd = open("i-root600", O_RDONLY));
	close(fd);
	return 0;
}

static void real_ids(void)
{
	CHECK_OK(mkfile("i-root600", 0600, 0, 0));
	CHECK_EQ(as_ids(USER, 0, GROUP, 0, NULL, real_ids_child), 0);
}

/* ---- user xattrs ----------------------------------------------------------------------------- */

static int xattr_child(void)
{
	char v[8];
	EXPECT_ERR(setxattr("x-other644", "user.k", "v", 1, 0), EACCES);
	EXPECT(getxattr("x-other644", "user.r", v, sizeof v) == 1);
	EXPECT_ERR(getxattr("x-other600", "user.r", v, sizeof v), EACCES);
	EXPECT_OK(setxattr("x-other666", "user.k", "v", 1, 0));
	EXPECT_ERR(setxattr("x-other666", "trusted.k", "v", 1, 0), EPERM);
	return 0;
}

static void xattr_perm(void)
{
	CHECK_OK(mkfile("x-other644", 0644, OTHER, OGROUP));
	CHECK_OK(mkfile("x-other600", 0600, OTHER, OGROUP));
	CHECK_OK(mkfile("x-other666", 0666, OTHER, OGROUP));
	CHECK_OK(setxattr("x-other644", "user.r", "1", 1, 0));
	CHECK_OK(setxattr("x-other600", "user.r", "1", 1, 0));
	CHECK_EQ(as_user(xattr_child), 0);
}

/* ---- ETXTBSY ------------------------------------------------------------------------------------ */

/* Copies this program to name (mode 0755); 0 or -1. */
static int copy_self(const char *name)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY);
	int out = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	long n;
	int ok = in >= 0 && out >= 0;
	while (ok && (n = read(in, buf, sizeof buf)) > 0)
		ok = write(out, buf, (size_t)n) == n;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ok ? 0 : -1;
}

/* Starts name --hold in a child: it says "r" on *status_fd once running and exits when *release_fd closes. */
static pid_t start_held(const char *name, int *release_fd, int *status_fd)
{
	int in[2], out[2];
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		char *argv[] = {(char *)name, "--hold", NULL};
		execv(name, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*release_fd = in[1];
	*status_fd = out[0];
	return pid;
}

static int exit_status(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 0x100 | st;
}

/* Runs execveat(fd, "", AT_EMPTY_PATH) --exit7 in a child: its status (7), or 26 for ETXTBSY. */
static int fexec_status(int fd)
{
	char *argv[] = {"m", "--exit7", NULL};
	char *envp[] = {NULL};
	pid_t pid = fork();
	if (pid == 0) {
		syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
		_exit(errno == ETXTBSY ? 26 : 1);
	}
	return pid < 0 ? -1 : exit_status(pid);
}

/* A running program's file cannot be opened for writing nor truncated; reading, unlinking and renaming are fine. */
static void etxtbsy_running(void)
{
	int rel, st, fd;
	char c = 0;
	struct stat sb;
	CHECK_OK(copy_self("busy"));
	pid_t pid = start_held("./busy", &rel, &st);
	CHECK_OK(pid);
	CHECK_EQ(read(st, &c, 1), 1);
	CHECK_EQ(c, 'r');
	CHECK_ERR(open("busy", O_WRONLY), ETXTBSY);
	CHECK_ERR(open("busy", O_RDWR), ETXTBSY);
	CHECK_ERR(open("busy", O_WRONLY | O_TRUNC), ETXTBSY);
	CHECK_ERR(truncate("busy", 0), ETXTBSY);
	CHECK_OK(fd = open("busy", O_RDONLY));
	close(fd);
	CHECK_OK(stat("busy", &sb));
	CHECK_EQ(sb.st_size > 0, 1);
	/* A link to it names the same inode: busy too. */
	CHECK_OK(link("busy", "busy-link"));
	CHECK_ERR(open("busy-link", O_WRONLY), ETXTBSY);
	CHECK_OK(unlink("busy-link"));
	/* The program ends. */
	close(rel);
	CHECK_EQ(exit_status(pid), 0);
	close(st);
	/* Nobody runs it any more. */
	CHECK_OK(fd = open("busy", O_WRONLY));
	close(fd);
	CHECK_OK(truncate("busy", 0));
	CHECK_OK(unlink("busy"));
}

/* Executing a file open for writing (anywhere, by anyone) is ETXTBSY; once closed it runs. */
static void etxtbsy_exec_open_for_writing(void)
{
	int fd;
	char *argv[] = {"busy2", "--exit7", NULL};
	CHECK_OK(copy_self("busy2"));
	CHECK_OK(fd = open("busy2", O_WRONLY));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		execv("./busy2", argv);
		_exit(errno == ETXTBSY ? 26 : 1);
	}
	CHECK_EQ(exit_status(pid), 26);
	/* A descriptor open for reading does not count. */
	int rd = open("busy2", O_RDONLY);
	CHECK_OK(rd);
	close(fd);
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		execv("./busy2", argv);
		_exit(errno == ETXTBSY ? 26 : 1);
	}
	CHECK_EQ(exit_status(pid), 7);
	close(rd);
	CHECK_OK(unlink("busy2"));
}

/*
 * memfd_create's own descriptor does not count as a writer (the file is made
 * without an open: fexecve of it runs), a writable reopen through
 * /proc/self/fd does.
 */
static void etxtbsy_memfd(void)
{
	char buf[65536], path[64];
	long n;
	int mfd = (int)syscall(SYS_memfd_create, "prog", MFD_CLOEXEC);
	CHECK_OK(mfd);
	int in = open("/proc/self/exe", O_RDONLY);
	CHECK_OK(in);
	while ((n = read(in, buf, sizeof buf)) > 0)
		CHECK_EQ(write(mfd, buf, (size_t)n), n);
	close(in);
	CHECK_EQ(fexec_status(mfd), 7);
	snprintf(path, sizeof path, "/proc/self/fd/%d", mfd);
	int rw = open(path, O_RDWR | O_CLOEXEC);
	CHECK_OK(rw);
	CHECK_EQ(fexec_status(mfd), 26);
	close(rw);
	CHECK_EQ(fexec_status(mfd), 7);
	close(mfd);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--hold") == 0) {
		char c;
		if (write(1, "r", 1) != 1)
			return 1;
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--exit7") == 0)
		return 7;
	if (geteuid() != 0) {
		say("# fs_perm must run as root (it drops to other users itself)");
		return 2;
	}
	setup();
	RUN(mode_bits);
	RUN(supplementary_groups);
	RUN(dir_perms);
	RUN(exec_perm);
	RUN(sticky_dir);
	RUN(chown_perm);
	RUN(utimes_perm);
	RUN(noatime_perm);
	RUN(setgid_dir);
	RUN(real_ids);
	RUN(xattr_perm);
	RUN(etxtbsy_running);
	RUN(etxtbsy_exec_open_for_writing);
	RUN(etxtbsy_memfd);
	teardown();
	DONE();
}
