/*
 * fs_mount.c: mount(2) and umount2(2): new tmpfs, proc and sysfs mounts
 * with their options, bind mounts (MS_BIND, MS_REC), remounts (of the file
 * system, and with MS_BIND of the mount alone), propagation types, MS_MOVE,
 * unmounting (busy mounts, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW), the
 * errors and their order, the caller's privilege, and /proc/self/mounts
 * and mountinfo.
 *
 * Run as root. Natively the program first enters a mount namespace of its
 * own (unshare(CLONE_NEWNS)) with every mount private, so the host's mounts
 * never change; under tsvisor unshare may fail, and the sandbox's mounts
 * are its own anyway. Every mount is made under a fresh directory in /tmp
 * and undone before the directory is removed.
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef ENOTBLK
#define ENOTBLK 15
#endif

#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572

static long rmount(const char *src, const char *tgt, const char *type, unsigned long flags, const void *data)
{
	return syscall(SYS_mount, src, tgt, type, flags, data);
}
static long rumount(const char *tgt, long flags) { return syscall(SYS_umount2, tgt, flags); }

static int put(const char *name, const char *s)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static long get(const char *name, char *buf, size_t size)
{
	int fd = open(name, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

/* Absolute path of a name in the work directory. */
static const char *abspath(const char *rel)
{
	static char buf[4][256];
	static int i;
	char *b = buf[i++ & 3];
	snprintf(b, 256, "%s/%s", base, rel);
	return b;
}

/*
 * The last line of a /proc/self file whose field number `field` (0-based,
 * space separated) is `value`; 0 if found, -1 if not.
 */
static int find_line(const char *file, int field, const char *value, char *out, size_t size)
{
	static char text[1 << 16];
	int found = -1;
	long n = get(file, text, sizeof text);
	if (n < 0)
		return -1;
	for (char *line = text; *line;) {
		char *end = strchr(line, '\n');
		if (end)
			*end = 0;
		const char *f = line;
		for (int k = 0; k < field && f; k++) {
			f = strchr(f, ' ');
			if (f)
				f++;
		}
		size_t len = strlen(value);
		if (f && strncmp(f, value, len) == 0 && (f[len] == ' ' || f[len] == 0)) {
			snprintf(out, size, "%s", line);
			found = 0;
		}
		if (!end)
			break;
		line = end + 1;
	}
	return found;
}

/* The options field of the /proc/self/mounts line for rel; NULL if not mounted. */
static const char *mount_opts(const char *rel, char *line, size_t size)
{
	if (find_line("/proc/self/mounts", 1, abspath(rel), line, size) != 0)
		return NULL;
	char *p = line;
	for (int k = 0; k < 3 && p; k++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	char *e = strchr(p, ' ');
	if (e)
		*e = 0;
	return p;
}

static int starts(const char *s, const char *prefix) { return s && strncmp(s, prefix, strlen(prefix)) == 0; }

static int has_filesystem(const char *name)
{
	char text[4096], want[64];
	if (get("/proc/filesystems", text, sizeof text) < 0)
		return 0;
	snprintf(want, sizeof want, "\t%s\n", name);
	return strstr(text, want) != NULL;
}

static void setup(void)
{
	if (syscall(SYS_unshare, CLONE_NEWNS) == 0) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
			say("# cannot make / private in the new mount namespace: %s", strerror(errno));
			exit(2);
		}
	} else if (errno != EPERM && errno != EINVAL && errno != ENOSYS) {
		say("# unshare(CLONE_NEWNS): %s", strerror(errno));
		exit(2);
	}
	fs_setup("/tmp/tsvisor-fs_mount-XXXXXX");
}

/* Undoes any mount a failed case left under the work directory, then removes it (never crossing into another file system). */
static void cleanup(void)
{
	static char text[1 << 16];
	char prefix[80];
	snprintf(prefix, sizeof prefix, " %s/", base);
	for (int round = 0; round < 8; round++) {
		int any = 0;
		if (get("/proc/self/mounts", text, sizeof text) < 0)
			break;
		for (char *line = text; *line;) {
			char *end = strchr(line, '\n');
			if (end)
				*end = 0;
			char *p = strstr(line, prefix);
			if (p) {
				char *e = strchr(p + 1, ' ');
				if (e)
					*e = 0;
				if (rumount(p + 1, MNT_DETACH) == 0)
					any = 1;
			}
			if (!end)
				break;
			line = end + 1;
		}
		if (!any)
			break;
	}
	if (chdir("/") == 0)
		nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void tmpfs_new(void)
{
	struct stat before, st;
	struct statfs sf;
	char buf[16];
	CHECK_OK(mkdir("t1", 0755));
	CHECK_OK(stat("t1", &before));
	CHECK_OK(rmount("none", "t1", "tmpfs", 0, "size=1m,mode=0700"));
	CHECK_OK(stat("t1", &st));
	CHECK_EQ(st.st_mode, S_IFDIR | 0700);
	CHECKF(st.st_dev != before.st_dev, "the mount has the directory's st_dev");
	CHECK_OK(statfs("t1", &sf));
	CHECK_EQ(sf.f_type, TMPFS_MAGIC);
	CHECK_EQ(sf.f_bsize, 4096);
	CHECK_EQ(sf.f_blocks, 256);
	CHECK_OK(put("t1/f", "in tmpfs"));
	CHECK_EQ(get("t1/f", buf, sizeof buf), 8);
	/* Another tmpfs on the same directory stacks on top. */
	CHECK_OK(rmount("none", "t1", "tmpfs", 0, NULL));
	CHECK_ERR(stat("t1/f", &st), ENOENT);
	CHECK_OK(stat("t1", &st));
	CHECK_EQ(st.st_mode, S_IFDIR | 01777);
	CHECK_OK(rumount("t1", 0));
	CHECK_EQ(get("t1/f", buf, sizeof buf), 8);
	CHECK_OK(rumount("t1", 0));
	CHECK_ERR(stat("t1/f", &st), ENOENT);
	CHECK_OK(stat("t1", &st));
	CHECK_EQ(st.st_mode, S_IFDIR | 0755);
	CHECK_EQ(st.st_dev, before.st_dev);
}

static void tmpfs_options(void)
{
	struct stat st;
	struct statfs sf;
	CHECK_OK(mkdir("t2", 0755));
	CHECK_OK(rmount("tmpfs", "t2", "tmpfs", 0, "uid=1234,gid=567,mode=1750,nr_inodes=3,size=64k"));
	CHECK_OK(stat("t2", &st));
	CHECK_EQ(st.st_uid, 1234);
	CHECK_EQ(st.st_gid, 567);
	CHECK_EQ(st.st_mode, S_IFDIR | 01750);
	CHECK_OK(statfs("t2", &sf));
	CHECK_EQ(sf.f_blocks, 16);
	CHECK_EQ(sf.f_files, 3);
	/* The root is one of the three inodes. */
	CHECK_OK(put("t2/a", "a"));
	CHECK_OK(mkdir("t2/b", 0755));
	CHECK_ERR(open("t2/c", O_CREAT | O_WRONLY, 0644), ENOSPC);
	CHECK_OK(rumount("t2", 0));
	/* Numbers in C syntax and with suffixes. */
	CHECK_OK(rmount("tmpfs", "t2", "tmpfs", 0, "size=0x10000,nr_inodes=1k,mode=0755,uid=0x10"));
	CHECK_OK(statfs("t2", &sf));
	CHECK_EQ(sf.f_blocks, 16);
	CHECK_EQ(sf.f_files, 1024);
	CHECK_OK(stat("t2", &st));
	CHECK_EQ(st.st_uid, 16);
	CHECK_OK(rumount("t2", 0));
	/* Bad options and values. */
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "bogus"), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "size=1m,bogus=1"), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "size=12q"), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "size"), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "size="), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "mode=8"), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "uid=-1"), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "uid=4294967295"), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "gid=x"), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "nr_inodes=12x"), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "huge=sometimes"), EINVAL);
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "=x,bogus"), EINVAL);
	/* A second source. */
	CHECK_ERR(rmount("tmpfs", "t2", "tmpfs", 0, "source=other"), EINVAL);
	/* None of those mounted anything. */
	CHECK_ERR(rumount("t2", 0), EINVAL);
	/* Empty options, the words every file system takes, and "ro" in the string: the file system is read-only. */
	CHECK_OK(rmount("tmpfs", "t2", "tmpfs", 0, ",,=x,async,rw,nomand,ro"));
	CHECK_ERR(mkdir("t2/x", 0755), EROFS);
	CHECK_OK(rumount("t2", 0));
}

static void proc_mount(void)
{
	char want[32], got[32];
	struct statfs sf;
	struct stat st;
	CHECK_OK(mkdir("p", 0755));
	CHECK_OK(rmount("proc", "p", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	CHECK_OK(statfs("p", &sf));
	CHECK_EQ(sf.f_type, PROC_SUPER_MAGIC);
	snprintf(want, sizeof want, "%d", (int)getpid());
	long n = readlink("p/self", got, sizeof got - 1);
	CHECK(n > 0);
	got[n] = 0;
	CHECKF(strcmp(got, want) == 0, "p/self is %s, want %s", got, want);
	CHECK_OK(stat("p/self/status", &st));
	CHECK_OK(stat("p/filesystems", &st));
	CHECK_OK(rumount("p", 0));
	CHECK_OK(rmount("proc", "p", "proc", 0, "hidepid=invisible,gid=5"));
	CHECK_OK(rumount("p", 0));
	CHECK_ERR(rmount("proc", "p", "proc", 0, "hidepid=3"), EINVAL);
	CHECK_ERR(rmount("proc", "p", "proc", 0, "subset=fd"), EINVAL);
	CHECK_ERR(rmount("proc", "p", "proc", 0, "size=1m"), EINVAL);
	CHECK_ERR(rumount("p", 0), EINVAL);
}

static void sysfs_mount(void)
{
	struct statfs sf;
	struct stat st;
	CHECK_OK(mkdir("s", 0755));
	CHECK_OK(rmount("sysfs", "s", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	CHECK_OK(statfs("s", &sf));
	CHECK_EQ(sf.f_type, SYSFS_MAGIC);
	CHECK_EQ(sf.f_flags & ST_RDONLY, ST_RDONLY);
	CHECK_OK(stat("s/devices/system/cpu/online", &st));
	CHECK_EQ(st.st_mode & S_IFMT, S_IFREG);
	/* sysfs is one file system: mounting it again on its own root is EBUSY. */
	CHECK_ERR(rmount("sysfs", "s", "sysfs", MS_RDONLY, NULL), EBUSY);
	CHECK_OK(rumount("s", 0));
	CHECK_ERR(rmount("sysfs", "s", "sysfs", 0, "mode=755"), EINVAL);
	CHECK_ERR(rumount("s", 0), EINVAL);
}

static void unknown_type(void)
{
	CHECK_OK(mkdir("u", 0755));
	CHECK_OK(put("u-file", ""));
	CHECK_ERR(rmount("none", "u", "tsvisor-no-such-fs", 0, NULL), ENODEV);
	CHECK_ERR(rmount("none", "u", "", 0, NULL), ENODEV);
	/* A new mount needs a type. */
	CHECK_ERR(rmount("none", "u", NULL, 0, NULL), EINVAL);
	/* A block file system: its device must exist and be a block device (or the type is unknown here). */
	if (has_filesystem("ext4")) {
		CHECK_ERR(rmount("/tsvisor-no-such-device", "u", "ext4", 0, NULL), ENOENT);
		CHECK_ERR(rmount("u-file", "u", "ext4", MS_RDONLY, NULL), ENOTBLK);
	} else {
		CHECK_ERR(rmount("/tsvisor-no-such-device", "u", "ext4", 0, NULL), ENODEV);
		CHECK_ERR(rmount("u-file", "u", "ext4", MS_RDONLY, NULL), ENODEV);
	}
	CHECK_ERR(rumount("u", 0), EINVAL);
}

static void mount_errors(void)
{
	static char longname[PATH_MAX + 1];
	CHECK_OK(mkdir("me", 0755));
	CHECK_OK(put("me-file", ""));
	CHECK_ERR(rmount("none", "me-missing", "tmpfs", 0, NULL), ENOENT);
	CHECK_ERR(rmount("none", "me-missing/x", "tmpfs", 0, NULL), ENOENT);
	CHECK_ERR(rmount("none", "", "tmpfs", 0, NULL), ENOENT);
	CHECK_ERR(rmount("none", "me-file/x", "tmpfs", 0, NULL), ENOTDIR);
	/* A new file system goes on a directory only. */
	CHECK_ERR(rmount("none", "me-file", "tmpfs", 0, NULL), ENOTDIR);
	CHECK_ERR(rmount("none", BAD_LOW, "tmpfs", 0, NULL), EFAULT);
	CHECK_ERR(rmount(BAD_LOW, "me", "tmpfs", 0, NULL), EFAULT);
	CHECK_ERR(rmount("none", "me", BAD_LOW, 0, NULL), EFAULT);
	CHECK_ERR(rmount("none", "me", "tmpfs", 0, BAD_LOW), EFAULT);
	CHECK_ERR(rmount("none", "me", "tmpfs", 0, BAD_HIGH), EFAULT);
	/* The strings are read before the target is looked up. */
	CHECK_ERR(rmount("none", "me-missing", BAD_LOW, 0, NULL), EFAULT);
	CHECK_ERR(rmount("none", "me-missing", "tmpfs", 0, BAD_LOW), EFAULT);
	/* ... and the target before the flags are checked. */
	CHECK_ERR(rmount("none", "me-missing", "tmpfs", MS_NOUSER, NULL), ENOENT);
	CHECK_ERR(rmount("none", "me", "tmpfs", MS_NOUSER, NULL), EINVAL);
	/* A type or source of PATH_MAX bytes or more is EINVAL. */
	memset(longname, 'a', PATH_MAX);
	CHECK_ERR(rmount("none", "me", longname, 0, NULL), EINVAL);
	CHECK_ERR(rmount(longname, "me", "tmpfs", 0, NULL), EINVAL);
	longname[PATH_MAX - 1] = 0;
	CHECK_ERR(rmount("none", "me", longname, 0, NULL), ENODEV);
	/* The old magic in the top 16 bits of the flags is ignored. */
	CHECK_OK(rmount("none", "me", "tmpfs", 0xC0ED0000UL | MS_NOSUID, NULL));
	CHECK_OK(rumount("me", 0));
	CHECK_ERR(rumount("me", 0), EINVAL);
}

/* A child that is not root: mount and umount2 are EPERM, after the lookup. Returns the failing line, or 0. */
static int nonroot_checks(void)
{
#define EXPECT_ERR(expr, e)                                   \
	do {                                                  \
		errno = 0;                                    \
		long r_ = (long)(expr);                       \
		if (r_ != -1 || errno != (e)) {               \
			say("# line %d: got %ld errno %s", __LINE__, r_, errname(errno)); \
			return __LINE__;                      \
		}                                             \
	} while (0)
	if (setgid(65534) != 0 || setuid(65534) != 0)
		return __LINE__;
	EXPECT_ERR(rmount("none", "nr", "tmpfs", 0, NULL), EPERM);
	EXPECT_ERR(rmount("none", "nr-missing", "tmpfs", 0, NULL), ENOENT);
	EXPECT_ERR(rmount("nr", "nr", NULL, MS_BIND, NULL), EPERM);
	EXPECT_ERR(rmount(NULL, "nr/m", NULL, MS_PRIVATE, NULL), EPERM);
	EXPECT_ERR(rmount(NULL, "nr/m", NULL, MS_NOUSER, NULL), EINVAL);
	EXPECT_ERR(rumount("nr/m", 0), EPERM);
	EXPECT_ERR(rumount("nr", 0), EPERM);
	EXPECT_ERR(rumount("nr-missing", 0), ENOENT);
	EXPECT_ERR(rumount("nr/m", 0x100), EINVAL);
	return 0;
#undef EXPECT_ERR
}

static void nonroot(void)
{
	int status;
	CHECK_OK(chmod(base, 0755));
	CHECK_OK(mkdir("nr", 0755));
	CHECK_OK(mkdir("nr/m", 0755));
	CHECK_OK(rmount("none", "nr/m", "tmpfs", 0, "mode=755"));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(nonroot_checks() ? 1 : 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	chmod(base, 0700);
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the unprivileged child failed (status 0x%x)", status);
	CHECK_OK(rumount("nr/m", 0));
}

static void bind_dir(void)
{
	char buf[16];
	struct stat a, b;
	CHECK_OK(mkdir("bsrc", 0755));
	CHECK_OK(mkdir("bdst", 0755));
	CHECK_OK(put("bsrc/f", "bound"));
	CHECK_OK(rmount("bsrc", "bdst", "ignored", MS_BIND, "ignored=1"));
	CHECK_EQ(get("bdst/f", buf, sizeof buf), 5);
	CHECK_OK(stat("bsrc/f", &a));
	CHECK_OK(stat("bdst/f", &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	CHECK_OK(put("bdst/g", "back"));
	CHECK_EQ(get("bsrc/g", buf, sizeof buf), 4);
	CHECK_OK(rumount("bdst", 0));
	CHECK_ERR(stat("bdst/f", &b), ENOENT);
	/* The source: none or empty is EINVAL, a missing one ENOENT. */
	CHECK_ERR(rmount(NULL, "bdst", NULL, MS_BIND, NULL), EINVAL);
	CHECK_ERR(rmount("", "bdst", NULL, MS_BIND, NULL), EINVAL);
	CHECK_ERR(rmount("bmissing", "bdst", NULL, MS_BIND, NULL), ENOENT);
	CHECK_ERR(rmount(BAD_LOW, "bdst", NULL, MS_BIND, NULL), EFAULT);
	/* The type is read even for a bind. */
	CHECK_ERR(rmount("bsrc", "bdst", BAD_LOW, MS_BIND, NULL), EFAULT);
	/* A directory on a file and a file on a directory: ENOTDIR both ways. */
	CHECK_OK(put("bfile", "file"));
	CHECK_OK(put("bfile2", "other"));
	CHECK_ERR(rmount("bsrc", "bfile", NULL, MS_BIND, NULL), ENOTDIR);
	CHECK_ERR(rmount("bfile", "bdst", NULL, MS_BIND, NULL), ENOTDIR);
	/* A file on a file. */
	CHECK_OK(rmount("bfile", "bfile2", NULL, MS_BIND, NULL));
	CHECK_EQ(get("bfile2", buf, sizeof buf), 4);
	CHECK_OK(rumount("bfile2", 0));
	CHECK_EQ(get("bfile2", buf, sizeof buf), 5);
	/* A bind keeps the flags of the mount it copies: MS_RDONLY needs a remount. */
	CHECK_OK(rmount("bsrc", "bdst", NULL, MS_BIND | MS_RDONLY, NULL));
	CHECK_OK(put("bdst/h", "rw"));
	CHECK_OK(rumount("bdst", 0));
}

static void bind_rec(void)
{
	char buf[16];
	struct stat st;
	CHECK_OK(mkdir("rsrc", 0755));
	CHECK_OK(mkdir("rsrc/sub", 0755));
	CHECK_OK(mkdir("rnr", 0755));
	CHECK_OK(mkdir("rrec", 0755));
	CHECK_OK(rmount("none", "rsrc/sub", "tmpfs", 0, NULL));
	CHECK_OK(put("rsrc/sub/f", "deep"));
	CHECK_OK(rmount("rsrc", "rnr", NULL, MS_BIND, NULL));
	CHECK_OK(stat("rnr/sub", &st));
	CHECK_ERR(stat("rnr/sub/f", &st), ENOENT);
	CHECK_OK(rmount("rsrc", "rrec", NULL, MS_BIND | MS_REC, NULL));
	CHECK_EQ(get("rrec/sub/f", buf, sizeof buf), 4);
	/* A mount with another below it is busy. */
	CHECK_ERR(rumount("rrec", 0), EBUSY);
	CHECK_OK(rumount("rrec/sub", 0));
	CHECK_OK(rumount("rrec", 0));
	CHECK_OK(rumount("rnr", 0));
	/* MNT_DETACH takes the mounts below along. */
	CHECK_OK(rmount("rsrc", "rrec", NULL, MS_BIND | MS_REC, NULL));
	CHECK_OK(rumount("rrec", MNT_DETACH));
	CHECK_ERR(stat("rrec/sub", &st), ENOENT);
	CHECK_EQ(get("rsrc/sub/f", buf, sizeof buf), 4);
	CHECK_OK(rumount("rsrc/sub", 0));
}

static void remount_fs(void)
{
	struct statvfs sv;
	struct statfs sf;
	char line[512];
	CHECK_OK(mkdir("rm", 0755));
	CHECK_OK(mkdir("rm-plain", 0755));
	CHECK_OK(rmount("none", "rm", "tmpfs", MS_NOSUID, "size=1m"));
	CHECK_OK(mkdir("rm/sub", 0755));
	CHECK_OK(put("rm/f", "x"));
	CHECK_OK(rmount(NULL, "rm", NULL, MS_REMOUNT | MS_RDONLY, NULL));
	CHECK_ERR(open("rm/f", O_WRONLY), EROFS);
	CHECK_ERR(mkdir("rm/d", 0755), EROFS);
	CHECK_OK(statvfs("rm", &sv));
	CHECK_EQ(sv.f_flag & (ST_RDONLY | ST_NOSUID), ST_RDONLY);
	CHECK(starts(mount_opts("rm", line, sizeof line), "ro,relatime"));
	{
		int fd = open("rm/f", O_RDONLY);
		CHECK(fd >= 0);
		close(fd);
	}
	/* Back to read-write, with a new size. */
	CHECK_OK(rmount(NULL, "rm", NULL, MS_REMOUNT | MS_NOSUID, "size=2m"));
	CHECK_OK(put("rm/f", "y"));
	CHECK_OK(statfs("rm", &sf));
	CHECK_EQ(sf.f_blocks, 512);
	CHECK_OK(statvfs("rm", &sv));
	CHECK_EQ(sv.f_flag & (ST_RDONLY | ST_NOSUID), ST_NOSUID);
	CHECK(starts(mount_opts("rm", line, sizeof line), "rw,nosuid,relatime,size=2048k"));
	/* The atime flags stay unless the remount names some. */
	CHECK_OK(rmount(NULL, "rm", NULL, MS_REMOUNT | MS_NOATIME, NULL));
	CHECK(starts(mount_opts("rm", line, sizeof line), "rw,noatime"));
	CHECK_OK(rmount(NULL, "rm", NULL, MS_REMOUNT, NULL));
	CHECK(starts(mount_opts("rm", line, sizeof line), "rw,noatime"));
	CHECK_OK(rmount(NULL, "rm", NULL, MS_REMOUNT | MS_STRICTATIME, NULL));
	CHECK(starts(mount_opts("rm", line, sizeof line), "rw,size=2048k"));
	/* Not a mount root, a bad option, and a size below what is in use. */
	CHECK_ERR(rmount(NULL, "rm/sub", NULL, MS_REMOUNT, NULL), EINVAL);
	CHECK_ERR(rmount(NULL, "rm-plain", NULL, MS_REMOUNT, NULL), EINVAL);
	CHECK_ERR(rmount(NULL, "rm", NULL, MS_REMOUNT, "bogus"), EINVAL);
	CHECK_OK(put("rm/big", "0123456789abcdef"));
	{
		int fd = open("rm/big", O_WRONLY);
		CHECK(fd >= 0);
		CHECK_EQ(pwrite(fd, "z", 1, 64 * 1024), 1);
		close(fd);
	}
	CHECK_ERR(rmount(NULL, "rm", NULL, MS_REMOUNT, "size=4k"), EINVAL);
	CHECK_OK(statfs("rm", &sf));
	CHECK_EQ(sf.f_blocks, 512);
	CHECK_OK(rumount("rm", 0));
}

static void remount_bind(void)
{
	struct stat st;
	char line[512];
	CHECK_OK(mkdir("rba", 0755));
	CHECK_OK(mkdir("rbb", 0755));
	CHECK_OK(rmount("none", "rba", "tmpfs", 0, NULL));
	CHECK_OK(rmount("rba", "rbb", NULL, MS_BIND, NULL));
	CHECK_OK(rmount(NULL, "rbb", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOEXEC, NULL));
	CHECK_ERR(mkdir("rbb/x", 0755), EROFS);
	CHECK_OK(mkdir("rba/x", 0755));
	CHECK_OK(stat("rbb/x", &st));
	CHECK(starts(mount_opts("rbb", line, sizeof line), "ro,noexec,relatime"));
	CHECK(starts(mount_opts("rba", line, sizeof line), "rw,relatime"));
	CHECK_OK(rmount(NULL, "rbb", NULL, MS_REMOUNT | MS_BIND, NULL));
	CHECK_OK(mkdir("rbb/y", 0755));
	CHECK(starts(mount_opts("rbb", line, sizeof line), "rw,relatime"));
	CHECK_ERR(rmount(NULL, "rbb/x", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), EINVAL);
	/* The options are not looked at. */
	CHECK_OK(rmount(NULL, "rbb", NULL, MS_REMOUNT | MS_BIND | MS_NOSYMFOLLOW, "bogus"));
	CHECK(starts(mount_opts("rbb", line, sizeof line), "rw,relatime,nosymfollow"));
	CHECK_OK(rumount("rbb", 0));
	CHECK_OK(rumount("rba", 0));
}

static void propagation(void)
{
	CHECK_OK(mkdir("pg", 0755));
	CHECK_OK(mkdir("pg2", 0755));
	CHECK_OK(rmount("none", "pg", "tmpfs", 0, NULL));
	CHECK_OK(mkdir("pg/sub", 0755));
	CHECK_OK(rmount(NULL, "pg", NULL, MS_SHARED, NULL));
	CHECK_OK(rmount(NULL, "pg", NULL, MS_SLAVE, NULL));
	CHECK_OK(rmount(NULL, "pg", NULL, MS_PRIVATE | MS_REC, NULL));
	CHECK_OK(rmount(NULL, "pg", NULL, MS_PRIVATE | MS_SILENT, NULL));
	CHECK_OK(rmount("ignored", "pg", "ignored", MS_SLAVE | MS_REC, NULL));
	/* One type at a time, nothing else, on a mount root. */
	CHECK_ERR(rmount(NULL, "pg", NULL, MS_SHARED | MS_PRIVATE, NULL), EINVAL);
	CHECK_ERR(rmount(NULL, "pg", NULL, MS_PRIVATE | MS_NOSUID, NULL), EINVAL);
	CHECK_ERR(rmount(NULL, "pg/sub", NULL, MS_PRIVATE, NULL), EINVAL);
	CHECK_ERR(rmount(NULL, "pg2", NULL, MS_PRIVATE, NULL), EINVAL);
	/* An unbindable mount cannot be bound; private again, it can. */
	CHECK_OK(rmount(NULL, "pg", NULL, MS_UNBINDABLE, NULL));
	CHECK_ERR(rmount("pg", "pg2", NULL, MS_BIND, NULL), EINVAL);
	CHECK_ERR(rmount("pg/sub", "pg2", NULL, MS_BIND, NULL), EINVAL);
	CHECK_OK(rmount(NULL, "pg", NULL, MS_PRIVATE, NULL));
	CHECK_OK(rmount("pg/sub", "pg2", NULL, MS_BIND, NULL));
	CHECK_OK(rumount("pg2", 0));
	CHECK_OK(rumount("pg", 0));
}

static void move_mount_old(void)
{
	char buf[16];
	struct stat st;
	CHECK_OK(mkdir("mva", 0755));
	CHECK_OK(mkdir("mvb", 0755));
	CHECK_OK(put("mvfile", ""));
	CHECK_OK(rmount("none", "mva", "tmpfs", 0, NULL));
	CHECK_OK(put("mva/f", "moved"));
	CHECK_OK(mkdir("mva/in", 0755));
	CHECK_OK(rmount("mva", "mvb", NULL, MS_MOVE, NULL));
	CHECK_EQ(get("mvb/f", buf, sizeof buf), 5);
	CHECK_ERR(stat("mva/f", &st), ENOENT);
	CHECK_ERR(rumount("mva", 0), EINVAL);
	/* Not a mount root; into itself; onto a file; no source. */
	CHECK_ERR(rmount("mvb/in", "mva", NULL, MS_MOVE, NULL), EINVAL);
	CHECK_ERR(rmount("mvb", "mvb/in", NULL, MS_MOVE, NULL), ELOOP);
	CHECK_ERR(rmount("mvb", "mvfile", NULL, MS_MOVE, NULL), EINVAL);
	CHECK_ERR(rmount("mvmissing", "mva", NULL, MS_MOVE, NULL), ENOENT);
	CHECK_ERR(rmount("", "mva", NULL, MS_MOVE, NULL), EINVAL);
	CHECK_ERR(rmount(NULL, "mva", NULL, MS_MOVE, NULL), EINVAL);
	CHECK_OK(rumount("mvb", 0));
	CHECK_ERR(stat("mvb/f", &st), ENOENT);
}

static void umount_busy(void)
{
	struct stat st;
	CHECK_OK(mkdir("ub", 0755));
	CHECK_OK(mkdir("ub-plain", 0755));
	CHECK_OK(rmount("none", "ub", "tmpfs", 0, NULL));
	CHECK_OK(put("ub/f", "x"));
	CHECK_OK(mkdir("ub/sub", 0755));
	int fd = open("ub/f", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERR(rumount("ub", 0), EBUSY);
	CHECK_ERR(rumount("ub", MNT_FORCE), EBUSY);
	close(fd);
	/* A working directory inside. */
	CHECK_OK(chdir("ub/sub"));
	CHECK_ERR(rumount(abspath("ub"), 0), EBUSY);
	CHECK_OK(chdir(base));
	/* Errors: flags first, then the lookup, then the target. */
	CHECK_ERR(rumount("ub/sub", 0), EINVAL);
	CHECK_ERR(rumount("ub-plain", 0), EINVAL);
	CHECK_ERR(rumount("ub", 0x10), EINVAL);
	CHECK_ERR(rumount("ub-missing", 0x10), EINVAL);
	CHECK_ERR(rumount("ub-missing", 0), ENOENT);
	CHECK_ERR(rumount("ub-missing", MNT_EXPIRE | MNT_DETACH), ENOENT);
	CHECK_ERR(rumount("ub-plain", MNT_EXPIRE | MNT_DETACH), EINVAL);
	CHECK_ERR(rumount("ub", MNT_EXPIRE | MNT_DETACH), EINVAL);
	CHECK_ERR(rumount("ub", MNT_EXPIRE | MNT_FORCE), EINVAL);
	CHECK_ERR(rumount(BAD_LOW, 0), EFAULT);
	CHECK_ERR(rumount("", 0), ENOENT);
	CHECK_OK(rumount("ub", MNT_FORCE));
	CHECK_ERR(stat("ub/f", &st), ENOENT);
}

static void umount_detach(void)
{
	char buf[16];
	struct stat st;
	CHECK_OK(mkdir("ud", 0755));
	CHECK_OK(rmount("none", "ud", "tmpfs", 0, NULL));
	CHECK_OK(put("ud/f", "still here"));
	int fd = open("ud/f", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_OK(rumount("ud", MNT_DETACH));
	CHECK_ERR(stat("ud/f", &st), ENOENT);
	CHECK_EQ(read(fd, buf, sizeof buf), 10);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 10);
	close(fd);
	CHECK_ERR(rumount("ud", MNT_DETACH), EINVAL);
}

static void umount_expire(void)
{
	struct stat st;
	CHECK_OK(mkdir("ue", 0755));
	CHECK_OK(rmount("none", "ue", "tmpfs", 0, NULL));
	CHECK_OK(put("ue/f", "x"));
	int fd = open("ue/f", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERR(rumount("ue", MNT_EXPIRE), EBUSY);
	close(fd);
	CHECK_ERR(rumount("ue", MNT_EXPIRE), EAGAIN);
	CHECK_OK(rumount("ue", MNT_EXPIRE));
	CHECK_ERR(stat("ue/f", &st), ENOENT);
}

static void umount_nofollow(void)
{
	struct stat st;
	CHECK_OK(mkdir("un", 0755));
	CHECK_OK(symlink("un", "un-link"));
	CHECK_OK(rmount("none", "un-link", "tmpfs", 0, NULL));
	CHECK_OK(put("un/f", "x"));
	CHECK_ERR(rumount("un-link", UMOUNT_NOFOLLOW), EINVAL);
	CHECK_OK(stat("un/f", &st));
	CHECK_OK(rumount("un-link", 0));
	CHECK_ERR(stat("un/f", &st), ENOENT);
}

static void proc_mounts(void)
{
	char line[512], info[512];
	const char *o;
	CHECK_OK(mkdir("pm", 0755));
	CHECK_OK(mkdir("pm2", 0755));
	CHECK_OK(rmount("tsvtest", "pm", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=750"));
	CHECK_OK(mkdir("pm/sub", 0755));
	CHECK_OK(find_line("/proc/self/mounts", 1, abspath("pm"), line, sizeof line));
	CHECKF(starts(line, "tsvtest "), "mounts line: %s", line);
	o = mount_opts("pm", line, sizeof line);
	CHECKF(starts(o, "rw,nosuid,nodev,relatime,size=1024k,mode=750"), "options: %s", o ? o : "(none)");
	/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS */
	CHECK_OK(find_line("/proc/self/mountinfo", 4, abspath("pm"), info, sizeof info));
	CHECKF(strstr(info, " / ") != NULL && strstr(info, " rw,nosuid,nodev,relatime ") != NULL, "mountinfo: %s", info);
	CHECKF(strstr(info, " - tmpfs tsvtest rw,size=1024k,mode=750") != NULL, "mountinfo: %s", info);
	/* A bind of a subdirectory shows its root in the file system. */
	CHECK_OK(rmount("pm/sub", "pm2", NULL, MS_BIND, NULL));
	CHECK_OK(find_line("/proc/self/mountinfo", 4, abspath("pm2"), info, sizeof info));
	CHECKF(strstr(info, " /sub ") != NULL && strstr(info, " - tmpfs tsvtest ") != NULL, "mountinfo: %s", info);
	CHECK_OK(rumount("pm2", 0));
	CHECKF(find_line("/proc/self/mountinfo", 4, abspath("pm2"), info, sizeof info) != 0, "still listed: %s", info);
	/* A remount shows the new options. */
	CHECK_OK(rmount(NULL, "pm", NULL, MS_REMOUNT | MS_NODEV, "size=2m"));
	o = mount_opts("pm", line, sizeof line);
	CHECKF(starts(o, "rw,nodev,relatime,size=2048k,mode=750"), "options: %s", o ? o : "(none)");
	CHECK_OK(rumount("pm", 0));
	CHECKF(mount_opts("pm", line, sizeof line) == NULL, "still listed: %s", line);
}

int main(void)
{
	setup();
	RUN(tmpfs_new);
	RUN(tmpfs_options);
	RUN(proc_mount);
	RUN(sysfs_mount);
	RUN(unknown_type);
	RUN(mount_errors);
	RUN(nonroot);
	RUN(bind_dir);
	RUN(bind_rec);
	RUN(remount_fs);
	RUN(remount_bind);
	RUN(propagation);
	RUN(move_mount_old);
	RUN(umount_busy);
	RUN(umount_detach);
	RUN(umount_expire);
	RUN(umount_nofollow);
	RUN(proc_mounts);
	cleanup();
	(void)teardown; /* cleanup() removes the directory without crossing mounts */
	DONE();
}
