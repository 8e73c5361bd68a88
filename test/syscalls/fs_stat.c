/*
 * fs_stat.c: the attribute calls: stat(2), lstat(2), fstat(2),
 * newfstatat(2), statx(2), statfs(2), fstatfs(2), access(2) and
 * faccessat2(2), chmod(2), chown(2) (as root), umask(2), utimensat(2),
 * utimes(2), utime(2), truncate(2), ftruncate(2), fallocate(2), mknod(2),
 * and which calls change atime, mtime and ctime.
 *
 * Runs in a fresh directory under /tmp that it removes at the end (natively
 * the host's /tmp; under tsvisor the sandbox's own). Run as root natively.
 * Values that differ between file systems (directory sizes, f_type) are not
 * compared.
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <utime.h>

#ifndef STATX_BASIC_STATS
#define STATX_BASIC_STATS 0x7ff
#endif
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2
#endif

static void setup(void)
{
	fs_setup("/tmp/tsvisor-fs_stat-XXXXXX");
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
static long rfstat(long fd, struct stat *st) { return syscall(SYS_fstat, fd, st); }
static long rfstatat(long dfd, const char *p, struct stat *st, long flags) { return syscall(SYS_newfstatat, dfd, p, st, flags); }
static long rstatx(long dfd, const char *p, long flags, unsigned mask, struct statx *stx)
{
	return syscall(SYS_statx, dfd, p, flags, mask, stx);
}
static long rutimensat(long dfd, const char *p, const struct timespec *ts, long flags)
{
	return syscall(SYS_utimensat, dfd, p, ts, flags);
}

/* Sets atime and mtime of name to these seconds (nanoseconds 0). */
static int set_times(const char *name, long a, long m)
{
	struct timespec ts[2] = { { a, 0 }, { m, 0 } };
	return (int)rutimensat(AT_FDCWD, name, ts, 0);
}

static int ts_after(struct timespec t, long sec) { return t.tv_sec > sec; }

static void stat_regular(void)
{
	struct stat st, lst, fst, dst;
	int fd;
	CHECK_OK(put("sr", "hello"));
	CHECK_OK(rstat("sr", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0644);
	CHECK_EQ(st.st_size, 5);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_uid, geteuid());
	CHECK_EQ(st.st_gid, getegid());
	CHECK_EQ(st.st_rdev, 0);
	CHECK(st.st_blksize > 0);
	CHECK_OK(rlstat("sr", &lst));
	CHECK_EQ(lst.st_ino, st.st_ino);
	CHECK_OK(fd = open("sr", O_RDONLY));
	CHECK_OK(rfstat(fd, &fst));
	CHECK_EQ(fst.st_ino, st.st_ino);
	CHECK_EQ(fst.st_dev, st.st_dev);
	CHECK_OK(rfstatat(fd, "", &fst, AT_EMPTY_PATH));
	CHECK_EQ(fst.st_ino, st.st_ino);
	close(fd);
	CHECK_OK(rstat(".", &dst));
	CHECK_EQ(dst.st_dev, st.st_dev);
	CHECK(dst.st_ino != st.st_ino);
	CHECK_ERR(rfstat(999, &st), EBADF);
	CHECK_ERR(rfstat(1, NULL), EFAULT);
	/* The stdio descriptors the harness gave (pipes) have a type. */
	CHECK_OK(rfstat(1, &st));
	CHECK(S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode));
}

static void stat_directory_links(void)
{
	struct stat st;
	CHECK_OK(mkdir("sd", 0750));
	CHECK_OK(rstat("sd", &st));
	CHECK_EQ(st.st_mode, S_IFDIR | 0750);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_OK(mkdir("sd/a", 0755));
	CHECK_OK(mkdir("sd/b", 0755));
	CHECK_OK(put("sd/f", "x"));
	CHECK_OK(rstat("sd", &st));
	CHECK_EQ(st.st_nlink, 4);
	CHECK_OK(rmdir("sd/a"));
	CHECK_OK(rstat("sd", &st));
	CHECK_EQ(st.st_nlink, 3);
	CHECK_OK(rename("sd/b", "sd-b"));
	CHECK_OK(rstat("sd", &st));
	CHECK_EQ(st.st_nlink, 2);
}

static void lstat_symlink(void)
{
	struct stat st, t;
	CHECK_OK(put("ls-target", "abc"));
	CHECK_OK(symlink("ls-target", "ls-link"));
	CHECK_OK(rlstat("ls-link", &st));
	CHECK_EQ(st.st_mode & S_IFMT, S_IFLNK);
	CHECK_EQ(st.st_mode & 07777, 0777);
	CHECK_EQ(st.st_size, 9);
	CHECK_OK(rstat("ls-link", &t));
	CHECK_EQ(t.st_size, 3);
	CHECK(t.st_ino != st.st_ino);
	CHECK_OK(rfstatat(AT_FDCWD, "ls-link", &t, AT_SYMLINK_NOFOLLOW));
	CHECK_EQ(t.st_ino, st.st_ino);
}

static void statx_fields(void)
{
	struct statx stx;
	struct stat st;
	int fd;
	CHECK_OK(put("sx", "twelve bytes"));
	CHECK_OK(rstat("sx", &st));
	memset(&stx, 0xee, sizeof stx);
	CHECK_OK(rstatx(AT_FDCWD, "sx", 0, STATX_BASIC_STATS | STATX_BTIME, &stx));
	CHECK_EQ(stx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	CHECK_EQ(stx.stx_mode, S_IFREG | 0644);
	CHECK_EQ(stx.stx_size, 12);
	CHECK_EQ(stx.stx_ino, st.st_ino);
	CHECK_EQ(stx.stx_nlink, 1);
	CHECK_EQ(stx.stx_uid, st.st_uid);
	CHECK_EQ(stx.stx_gid, st.st_gid);
	CHECK_EQ(stx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	CHECK_EQ(stx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec);
	CHECK_EQ(stx.stx_ctime.tv_nsec, st.st_ctim.tv_nsec);
	CHECK_EQ(makedev(stx.stx_dev_major, stx.stx_dev_minor), st.st_dev);
	CHECK_EQ(stx.stx_blocks, st.st_blocks);
	if (stx.stx_mask & STATX_BTIME)
		CHECK(stx.stx_btime.tv_sec <= stx.stx_mtime.tv_sec);
	/* Not a mount root; "/" is. */
	if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		CHECK_EQ(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT, 0);
	CHECK_OK(rstatx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &stx));
	if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		CHECK_EQ(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT, STATX_ATTR_MOUNT_ROOT);
	/* A descriptor, O_PATH too. */
	CHECK_OK(fd = open("sx", O_PATH));
	CHECK_OK(rstatx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx));
	CHECK_EQ(stx.stx_ino, st.st_ino);
	close(fd);
	/* Errors: the mask, the sync type and the flags come before the path. */
	CHECK_ERR(rstatx(AT_FDCWD, "sx", 0, 0x80000000u, &stx), EINVAL);
	CHECK_ERR(rstatx(AT_FDCWD, NULL, 0, 0x80000000u, &stx), EINVAL);
	CHECK_ERR(rstatx(AT_FDCWD, "sx", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &stx), EINVAL);
	CHECK_ERR(rstatx(AT_FDCWD, "sx", 0x80000, STATX_BASIC_STATS, &stx), EINVAL);
	CHECK_ERR(rstatx(AT_FDCWD, "sx-missing", 0, STATX_BASIC_STATS, &stx), ENOENT);
	CHECK_ERR(rstatx(AT_FDCWD, "sx", 0, STATX_BASIC_STATS, NULL), EFAULT);
	/* Which fields come back for an empty mask depends on the file system. */
	CHECK_OK(rstatx(AT_FDCWD, "sx", AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT, 0, &stx));
	/* newfstatat accepts the sync-type bits and ignores them. */
	CHECK_OK(rfstatat(AT_FDCWD, "sx", &st, AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC));
}

static void times_on_create_and_write(void)
{
	struct stat st, dir0, dir1;
	int fd;
	CHECK_OK(mkdir("tw", 0755));
	CHECK_OK(set_times("tw", 1000, 1000));
	CHECK_OK(rstat("tw", &dir0));
	CHECK_OK(fd = open("tw/f", O_RDWR | O_CREAT, 0644));
	CHECK_OK(rfstat(fd, &st));
	/* A new file's three times are the same instant. */
	CHECK_EQ(st.st_atim.tv_sec, st.st_mtim.tv_sec);
	CHECK_EQ(st.st_atim.tv_nsec, st.st_mtim.tv_nsec);
	CHECK_EQ(st.st_ctim.tv_nsec, st.st_mtim.tv_nsec);
	/* Its directory's mtime and ctime moved. */
	CHECK_OK(rstat("tw", &dir1));
	CHECK(ts_after(dir1.st_mtim, 1000));
	CHECK(ts_after(dir1.st_ctim, 1000));
	CHECK_EQ(dir1.st_atim.tv_sec, 1000);
	/* A write moves mtime and ctime, not atime. */
	CHECK_OK(set_times("tw/f", 2000, 2000));
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_OK(rfstat(fd, &st));
	CHECK_EQ(st.st_atim.tv_sec, 2000);
	CHECK(ts_after(st.st_mtim, 2000));
	CHECK(st.st_ctim.tv_sec >= st.st_mtim.tv_sec);
	close(fd);
}

static void atime_relatime(void)
{
	struct stat st;
	char c;
	int fd;
	time_t now = time(NULL);
	CHECK_OK(put("ra", "data"));
	/* atime older than mtime: a read updates it (relatime). */
	CHECK_OK(set_times("ra", 1000, 2000));
	CHECK_OK(fd = open("ra", O_RDONLY));
	CHECK_EQ(read(fd, &c, 1), 1);
	close(fd);
	CHECK_OK(rstat("ra", &st));
	CHECK(ts_after(st.st_atim, 2000));
	CHECK_EQ(st.st_mtim.tv_sec, 2000);
	/* atime in the future, newer than mtime and ctime: a read leaves it. */
	CHECK_OK(set_times("ra", now + 36000, 2000));
	CHECK_OK(fd = open("ra", O_RDONLY));
	CHECK_EQ(read(fd, &c, 1), 1);
	close(fd);
	CHECK_OK(rstat("ra", &st));
	CHECK_EQ(st.st_atim.tv_sec, now + 36000);
	/* A read of nothing (at the end) does not count. */
	CHECK_OK(set_times("ra", 1000, 2000));
	CHECK_OK(fd = open("ra", O_RDONLY));
	CHECK_EQ(read(fd, &c, 0), 0);
	close(fd);
	CHECK_OK(rstat("ra", &st));
	CHECK_EQ(st.st_atim.tv_sec, 1000);
}

static void ctime_changes(void)
{
	struct stat st;
	CHECK_OK(put("ct", "x"));
	/* chmod: ctime only. */
	CHECK_OK(set_times("ct", 1000, 1000));
	CHECK_OK(rstat("ct", &st));
	long c0 = st.st_ctim.tv_sec;
	CHECK_OK(set_times("ct", 1000, 1000));
	CHECK_OK(chmod("ct", 0600));
	CHECK_OK(rstat("ct", &st));
	CHECK_EQ(st.st_mtim.tv_sec, 1000);
	CHECK(st.st_ctim.tv_sec >= c0 && st.st_ctim.tv_sec > 1000);
	/* link and rename: the file's ctime; the directory's mtime. */
	CHECK_OK(mkdir("ctd", 0755));
	CHECK_OK(set_times("ctd", 1000, 1000));
	CHECK_OK(link("ct", "ctd/hard"));
	CHECK_OK(rstat("ctd", &st));
	CHECK(ts_after(st.st_mtim, 1000));
	CHECK_OK(rstat("ct", &st));
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(st.st_mtim.tv_sec, 1000);
	CHECK_OK(set_times("ctd", 1000, 1000));
	CHECK_OK(rename("ctd/hard", "ctd/hard2"));
	CHECK_OK(rstat("ctd", &st));
	CHECK(ts_after(st.st_mtim, 1000));
	CHECK(ts_after(st.st_ctim, 1000));
	CHECK_OK(set_times("ctd", 1000, 1000));
	CHECK_OK(unlink("ctd/hard2"));
	CHECK_OK(rstat("ctd", &st));
	CHECK(ts_after(st.st_mtim, 1000));
	CHECK_OK(rstat("ct", &st));
	CHECK_EQ(st.st_nlink, 1);
}

static void utimensat_calls(void)
{
	struct stat st;
	struct timespec ts[2];
	int fd;
	CHECK_OK(put("ut", "x"));
	ts[0].tv_sec = 1234567890; ts[0].tv_nsec = 123456789;
	ts[1].tv_sec = 987654321; ts[1].tv_nsec = 999999999;
	CHECK_OK(rutimensat(AT_FDCWD, "ut", ts, 0));
	CHECK_OK(rstat("ut", &st));
	CHECK_EQ(st.st_atim.tv_sec, 1234567890);
	CHECK_EQ(st.st_atim.tv_nsec, 123456789);
	CHECK_EQ(st.st_mtim.tv_sec, 987654321);
	CHECK_EQ(st.st_mtim.tv_nsec, 999999999);
	/* UTIME_OMIT keeps one; UTIME_NOW sets it to now. */
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 5; ts[1].tv_nsec = UTIME_NOW;
	CHECK_OK(rutimensat(AT_FDCWD, "ut", ts, 0));
	CHECK_OK(rstat("ut", &st));
	CHECK_EQ(st.st_atim.tv_sec, 1234567890);
	CHECK(ts_after(st.st_mtim, 1000000000));
	/* Both omitted: nothing is looked at, not even the path. */
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_OMIT;
	CHECK_OK(rutimensat(AT_FDCWD, "ut-missing", ts, 0));
	CHECK_OK(rutimensat(AT_FDCWD, NULL, ts, 0x12345));
	/* NULL times: both now. */
	CHECK_OK(set_times("ut", 1000, 1000));
	CHECK_OK(rutimensat(AT_FDCWD, "ut", NULL, 0));
	CHECK_OK(rstat("ut", &st));
	CHECK(ts_after(st.st_atim, 1000) && ts_after(st.st_mtim, 1000));
	/* A bad tv_nsec is EINVAL once the file is found. */
	ts[0].tv_sec = 0; ts[0].tv_nsec = 1000000000;
	ts[1].tv_sec = 0; ts[1].tv_nsec = 0;
	CHECK_ERR(rutimensat(AT_FDCWD, "ut", ts, 0), EINVAL);
	CHECK_ERR(rutimensat(AT_FDCWD, "ut-missing", ts, 0), ENOENT);
	ts[0].tv_nsec = -1;
	CHECK_ERR(rutimensat(AT_FDCWD, "ut", ts, 0), EINVAL);
	ts[0].tv_nsec = 0;
	CHECK_ERR(rutimensat(AT_FDCWD, "ut", ts, 0x8000), EINVAL);
	CHECK_ERR(rutimensat(AT_FDCWD, "ut", (struct timespec *)1, 0), EFAULT);
	CHECK_ERR(rutimensat(AT_FDCWD, NULL, ts, 0), EFAULT);
	/* A descriptor and a NULL path (futimens): flags must be 0; O_PATH is EBADF. */
	CHECK_OK(fd = open("ut", O_RDONLY));
	ts[0].tv_sec = 11; ts[1].tv_sec = 22;
	CHECK_OK(rutimensat(fd, NULL, ts, 0));
	CHECK_ERR(rutimensat(fd, NULL, ts, AT_SYMLINK_NOFOLLOW), EINVAL);
	CHECK_OK(rfstat(fd, &st));
	CHECK_EQ(st.st_atim.tv_sec, 11);
	CHECK_EQ(st.st_mtim.tv_sec, 22);
	close(fd);
	CHECK_OK(fd = open("ut", O_PATH));
	CHECK_ERR(rutimensat(fd, NULL, ts, 0), EBADF);
	/* ... but AT_EMPTY_PATH on it works. */
	CHECK_OK(rutimensat(fd, "", ts, AT_EMPTY_PATH));
	close(fd);
	CHECK_ERR(rutimensat(999, NULL, ts, 0), EBADF);
	/* AT_SYMLINK_NOFOLLOW sets the link's own times. */
	CHECK_OK(symlink("ut", "ut-link"));
	ts[0].tv_sec = 33; ts[1].tv_sec = 44;
	CHECK_OK(rutimensat(AT_FDCWD, "ut-link", ts, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(rlstat("ut-link", &st));
	CHECK_EQ(st.st_mtim.tv_sec, 44);
	CHECK_OK(rstat("ut", &st));
	CHECK_EQ(st.st_mtim.tv_sec, 22);
}

static void utimes_and_utime(void)
{
	struct stat st;
	struct timeval tv[2];
	struct utimbuf ub;
	CHECK_OK(put("uu", "x"));
	tv[0].tv_sec = 100; tv[0].tv_usec = 5;
	tv[1].tv_sec = 200; tv[1].tv_usec = 999999;
	CHECK_OK(syscall(SYS_utimes, "uu", tv));
	CHECK_OK(rstat("uu", &st));
	CHECK_EQ(st.st_atim.tv_sec, 100);
	CHECK_EQ(st.st_atim.tv_nsec, 5000);
	CHECK_EQ(st.st_mtim.tv_nsec, 999999000);
	tv[1].tv_usec = 1000000;
	CHECK_ERR(syscall(SYS_utimes, "uu", tv), EINVAL);
	CHECK_ERR(syscall(SYS_utimes, "uu-missing", tv), EINVAL);
	tv[1].tv_usec = 0;
	CHECK_ERR(syscall(SYS_utimes, "uu-missing", tv), ENOENT);
	CHECK_OK(syscall(SYS_futimesat, AT_FDCWD, "uu", tv));
	ub.actime = 300;
	ub.modtime = 400;
	CHECK_OK(syscall(SYS_utime, "uu", &ub));
	CHECK_OK(rstat("uu", &st));
	CHECK_EQ(st.st_atim.tv_sec, 300);
	CHECK_EQ(st.st_mtim.tv_sec, 400);
	CHECK_EQ(st.st_mtim.tv_nsec, 0);
	CHECK_OK(syscall(SYS_utime, "uu", NULL));
	CHECK_OK(rstat("uu", &st));
	CHECK(ts_after(st.st_mtim, 1000000000));
}

static void umask_calls(void)
{
	struct stat st;
	CHECK_EQ(umask(027), 022);
	CHECK_EQ(umask(027), 027);
	CHECK_OK(mkdir("um-d", 0777));
	CHECK_OK(rstat("um-d", &st));
	CHECK_EQ(st.st_mode, S_IFDIR | 0750);
	CHECK_OK(syscall(SYS_mknod, "um-n", S_IFREG | 0666, 0));
	CHECK_OK(rstat("um-n", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	/* Only the permission bits are kept. */
	CHECK_EQ(syscall(SYS_umask, 0177777), 027);
	CHECK_EQ(syscall(SYS_umask, 022), 0777);
	/* umask does not apply to chmod. */
	CHECK_OK(chmod("um-n", 0666));
	CHECK_OK(rstat("um-n", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0666);
}

static void chmod_calls(void)
{
	struct stat st;
	int fd;
	CHECK_OK(put("cm", "x"));
	CHECK_OK(chmod("cm", 07755));
	CHECK_OK(rstat("cm", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 07755);
	CHECK_OK(syscall(SYS_chmod, "cm", 0170644));
	CHECK_OK(rstat("cm", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0644);
	CHECK_OK(fd = open("cm", O_RDONLY));
	CHECK_OK(fchmod(fd, 0600));
	CHECK_OK(rstat("cm", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0600);
	close(fd);
	CHECK_OK(syscall(SYS_fchmodat, AT_FDCWD, "cm", 0640));
	CHECK_OK(rstat("cm", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	CHECK_ERR(chmod("cm-missing", 0644), ENOENT);
	CHECK_ERR(fchmod(999, 0644), EBADF);
	CHECK_OK(fd = open("cm", O_PATH));
	CHECK_ERR(fchmod(fd, 0644), EBADF);
	close(fd);
	/* Through a symlink: the target changes. */
	CHECK_OK(symlink("cm", "cm-link"));
	CHECK_OK(chmod("cm-link", 0604));
	CHECK_OK(rstat("cm", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0604);
	CHECK_OK(rlstat("cm-link", &st));
	CHECK_EQ(st.st_mode & 07777, 0777);
	/* A directory. */
	CHECK_OK(mkdir("cm-d", 0755));
	CHECK_OK(chmod("cm-d", 01777));
	CHECK_OK(rstat("cm-d", &st));
	CHECK_EQ(st.st_mode, S_IFDIR | 01777);
}

static void chown_calls(void)
{
	struct stat st;
	int fd;
	CHECK_OK(put("co", "x"));
	CHECK_OK(chown("co", 1000, 1001));
	CHECK_OK(rstat("co", &st));
	CHECK_EQ(st.st_uid, 1000);
	CHECK_EQ(st.st_gid, 1001);
	CHECK_OK(chown("co", -1, 2000));
	CHECK_OK(rstat("co", &st));
	CHECK_EQ(st.st_uid, 1000);
	CHECK_EQ(st.st_gid, 2000);
	CHECK_OK(chown("co", -1, -1));
	CHECK_OK(rstat("co", &st));
	CHECK_EQ(st.st_uid, 1000);
	/* chown clears set-user-ID (and set-group-ID when group-executable), root or not, even with -1 -1. */
	CHECK_OK(chmod("co", 06755));
	CHECK_OK(chown("co", -1, -1));
	CHECK_OK(rstat("co", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0755);
	CHECK_OK(chmod("co", 02745));
	CHECK_OK(chown("co", 0, 0));
	CHECK_OK(rstat("co", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 02745);
	/* A directory keeps its bits. */
	CHECK_OK(mkdir("co-d", 0755));
	CHECK_OK(chmod("co-d", 06755));
	CHECK_OK(chown("co-d", 5, 5));
	CHECK_OK(rstat("co-d", &st));
	CHECK_EQ(st.st_mode, S_IFDIR | 06755);
	/* lchown changes the link; chown the target. */
	CHECK_OK(symlink("co", "co-link"));
	CHECK_OK(lchown("co-link", 77, 78));
	CHECK_OK(rlstat("co-link", &st));
	CHECK_EQ(st.st_uid, 77);
	CHECK_OK(rstat("co", &st));
	CHECK_EQ(st.st_uid, 0);
	CHECK_OK(fd = open("co", O_RDONLY));
	CHECK_OK(fchown(fd, 9, 10));
	CHECK_OK(rfstat(fd, &st));
	CHECK_EQ(st.st_uid, 9);
	close(fd);
	CHECK_OK(fchownat(AT_FDCWD, "co-link", 11, 12, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(rlstat("co-link", &st));
	CHECK_EQ(st.st_gid, 12);
	CHECK_ERR(fchownat(AT_FDCWD, "co", 1, 1, 0x8000), EINVAL);
	CHECK_ERR(syscall(SYS_fchownat, AT_FDCWD, NULL, 1, 1, 0x8000), EINVAL);
	CHECK_ERR(chown("co-missing", 1, 1), ENOENT);
	CHECK_ERR(fchown(999, 1, 1), EBADF);
}

static void truncate_calls(void)
{
	struct stat st;
	char buf[16];
	int fd;
	CHECK_OK(put("tr", "hello world"));
	CHECK_OK(truncate("tr", 5));
	CHECK_OK(rstat("tr", &st));
	CHECK_EQ(st.st_size, 5);
	CHECK_OK(truncate("tr", 8));
	CHECK_OK(fd = open("tr", O_RDWR));
	CHECK_EQ(read(fd, buf, sizeof buf), 8);
	CHECK(memcmp(buf, "hello\0\0\0", 8) == 0);
	CHECK_OK(ftruncate(fd, 2));
	CHECK_OK(rfstat(fd, &st));
	CHECK_EQ(st.st_size, 2);
	/* Large and sparse: beyond 4 GiB. */
	CHECK_OK(ftruncate(fd, 5LL << 30));
	CHECK_OK(rfstat(fd, &st));
	CHECK_EQ(st.st_size, 5LL << 30);
	CHECK_EQ(pwrite(fd, "end", 3, (5LL << 30) - 3), 3);
	CHECK_EQ(pread(fd, buf, 3, (5LL << 30) - 3), 3);
	CHECK(memcmp(buf, "end", 3) == 0);
	CHECK_EQ(pread(fd, buf, 4, 4LL << 30), 4);
	CHECK(memcmp(buf, "\0\0\0\0", 4) == 0);
	CHECK_OK(ftruncate(fd, 0));
	close(fd);
	/* truncate: the length first (EINVAL before ENOENT), a directory EISDIR. */
	CHECK_ERR(truncate("tr-missing", -1), EINVAL);
	CHECK_ERR(truncate("tr-missing", 0), ENOENT);
	CHECK_OK(mkdir("tr-d", 0755));
	CHECK_ERR(truncate("tr-d", 0), EISDIR);
	/* ftruncate: the length, then the descriptor, then "open for writing". */
	CHECK_ERR(ftruncate(999, -1), EINVAL);
	CHECK_ERR(ftruncate(999, 0), EBADF);
	CHECK_OK(fd = open("tr", O_RDONLY));
	CHECK_ERR(ftruncate(fd, 0), EINVAL);
	close(fd);
	CHECK_OK(fd = open("tr-d", O_RDONLY));
	CHECK_ERR(ftruncate(fd, 0), EINVAL);
	close(fd);
	/* ftruncate to the same size still moves mtime (truncate(2) does or not, by file system). */
	CHECK_OK(set_times("tr", 1000, 1000));
	CHECK_OK(fd = open("tr", O_WRONLY));
	CHECK_OK(ftruncate(fd, 0));
	CHECK_OK(rfstat(fd, &st));
	CHECK(ts_after(st.st_mtim, 1000));
	close(fd);
}

static void fallocate_calls(void)
{
	struct stat st;
	char buf[8];
	int fd;
	CHECK_OK(fd = open("fa", O_RDWR | O_CREAT, 0644));
	CHECK_OK(fallocate(fd, 0, 0, 8192));
	CHECK_OK(rfstat(fd, &st));
	CHECK_EQ(st.st_size, 8192);
	CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192));
	CHECK_OK(rfstat(fd, &st));
	CHECK_EQ(st.st_size, 8192);
	CHECK_EQ(pwrite(fd, "abcdefgh", 8, 100), 8);
	CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	CHECK_EQ(pread(fd, buf, 8, 100), 8);
	CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);
	CHECK_OK(rfstat(fd, &st));
	CHECK_EQ(st.st_size, 8192);
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR(fallocate(fd, 0, -1, 10), EINVAL);
	CHECK_ERR(fallocate(999, 0, 0, 10), EBADF);
	close(fd);
	CHECK_OK(fd = open("fa", O_RDONLY));
	CHECK_ERR(fallocate(fd, 0, 0, 10), EBADF);
	close(fd);
}

static void statfs_calls(void)
{
	struct statfs a, b;
	int fd;
	CHECK_OK(statfs(".", &a));
	CHECK(a.f_bsize > 0);
	CHECK_EQ(a.f_namelen, 255);
	CHECK(a.f_bfree <= a.f_blocks);
	CHECK_OK(put("sf", "x"));
	CHECK_OK(fd = open("sf", O_RDONLY));
	CHECK_OK(fstatfs(fd, &b));
	CHECK_EQ(a.f_type, b.f_type);
	CHECK_EQ(a.f_bsize, b.f_bsize);
	close(fd);
	CHECK_OK(fd = open("sf", O_PATH));
	CHECK_OK(fstatfs(fd, &b));
	CHECK_EQ(a.f_type, b.f_type);
	close(fd);
	CHECK_ERR(statfs("sf-missing", &a), ENOENT);
	CHECK_ERR(syscall(SYS_statfs, "sf", NULL), EFAULT);
	CHECK_ERR(fstatfs(999, &a), EBADF);
}

static void access_calls(void)
{
	CHECK_OK(put("ac", "x"));
	CHECK_OK(access("ac", F_OK));
	CHECK_OK(access("ac", R_OK | W_OK));
	/* Root may not execute a file with no x bit at all. */
	CHECK_ERR(access("ac", X_OK), EACCES);
	CHECK_OK(chmod("ac", 0100));
	CHECK_OK(access("ac", X_OK | R_OK | W_OK));
	CHECK_OK(chmod("ac", 0));
	CHECK_OK(access("ac", R_OK | W_OK));
	CHECK_OK(mkdir("ac-d", 0));
	CHECK_OK(access("ac-d", R_OK | W_OK | X_OK));
	CHECK_ERR(access("ac-missing", F_OK), ENOENT);
	/* The mode, then the flags, then the path. */
	CHECK_ERR(access("ac", 8), EINVAL);
	CHECK_ERR(syscall(SYS_access, NULL, 8), EINVAL);
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, NULL, F_OK, 0x8000), EINVAL);
	CHECK_ERR(syscall(SYS_access, NULL, F_OK), EFAULT);
	CHECK_OK(symlink("ac-missing", "ac-dangling"));
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, "ac-dangling", F_OK, 0), ENOENT);
	CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, "ac-dangling", F_OK, AT_SYMLINK_NOFOLLOW));
	CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, "ac", R_OK, AT_EACCESS));
	CHECK_OK(syscall(SYS_faccessat, AT_FDCWD, "ac", R_OK));
}

static void mknod_calls(void)
{
	struct stat st;
	CHECK_OK(syscall(SYS_mknod, "mn-fifo", S_IFIFO | 0644, 0));
	CHECK_OK(rstat("mn-fifo", &st));
	CHECK_EQ(st.st_mode, S_IFIFO | 0644);
	CHECK_OK(syscall(SYS_mknod, "mn-reg", 0644, 0));
	CHECK_OK(rstat("mn-reg", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0644);
	CHECK_EQ(st.st_size, 0);
	CHECK_OK(syscall(SYS_mknod, "mn-chr", S_IFCHR | 0600, makedev(1, 3)));
	CHECK_OK(rstat("mn-chr", &st));
	CHECK_EQ(st.st_mode, S_IFCHR | 0600);
	CHECK_EQ(major(st.st_rdev), 1);
	CHECK_EQ(minor(st.st_rdev), 3);
	CHECK_OK(syscall(SYS_mknodat, AT_FDCWD, "mn-blk", S_IFBLK | 0600, makedev(7, 300)));
	CHECK_OK(rstat("mn-blk", &st));
	CHECK_EQ(major(st.st_rdev), 7);
	CHECK_EQ(minor(st.st_rdev), 300);
	/* The type is checked before the path. */
	CHECK_ERR(syscall(SYS_mknod, "mn-dir", S_IFDIR | 0755, 0), EPERM);
	CHECK_ERR(syscall(SYS_mknod, NULL, S_IFDIR | 0755, 0), EPERM);
	CHECK_ERR(syscall(SYS_mknod, "mn-bad", 0170000 | 0644, 0), EINVAL);
	CHECK_ERR(syscall(SYS_mknod, "mn-fifo", S_IFIFO | 0644, 0), EEXIST);
	CHECK_ERR(syscall(SYS_mknod, NULL, S_IFIFO | 0644, 0), EFAULT);
}

int main(void)
{
	setup();
	RUN(stat_regular);
	RUN(stat_directory_links);
	RUN(lstat_symlink);
	RUN(statx_fields);
	RUN(times_on_create_and_write);
	RUN(atime_relatime);
	RUN(ctime_changes);
	RUN(utimensat_calls);
	RUN(utimes_and_utime);
	RUN(umask_calls);
	RUN(chmod_calls);
	RUN(chown_calls);
	RUN(truncate_calls);
	RUN(fallocate_calls);
	RUN(statfs_calls);
	RUN(access_calls);
	RUN(mknod_calls);
	teardown();
	DONE();
}
