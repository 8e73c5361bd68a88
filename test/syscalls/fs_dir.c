/*
 * fs_dir.c: directories and names: getdents64(2) and getdents(2) (small
 * buffers, rewinding, resuming at d_off), mkdir(2) / rmdir(2) / unlink(2) /
 * unlinkat(2) errors, the rename(2) / renameat2(2) matrix, link(2) counts,
 * and unlinked or replaced files that stay open.
 *
 * Runs in a fresh directory under /tmp that it removes at the end (natively
 * the host's /tmp; under tsvisor the sandbox's own). Run as root natively.
 * Directory order differs between file systems: names are compared sorted.
 */
#include "fs_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct linux_dirent {
	unsigned long d_ino;
	unsigned long d_off;
	unsigned short d_reclen;
	char d_name[];
};

static void setup(void)
{
	fs_setup("/tmp/tsvisor-fs_dir-XXXXXX");
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

static long get(const char *name, char *buf, size_t size)
{
	int fd = openat(AT_FDCWD, name, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

static long rgetdents64(long fd, void *buf, size_t n) { return syscall(SYS_getdents64, fd, buf, n); }
static long rrenameat2(const char *a, const char *b, long flags) { return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags); }
static long rstat(const char *p, struct stat *st) { return syscall(SYS_stat, p, st); }
static long rlstat(const char *p, struct stat *st) { return syscall(SYS_lstat, p, st); }

/* Names collected by read_names, sorted. */
static char names[64][32];
static unsigned char types[64];
static int nnames;

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

/* Reads every entry of fd with buffers of bufsize bytes; -1 (errno set) on error. */
static int read_names(int fd, size_t bufsize)
{
	static char buf[65536];
	nnames = 0;
	for (;;) {
		long n = rgetdents64(fd, buf, bufsize);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			if (nnames < 64) {
				snprintf(names[nnames], sizeof names[0], "%s", d->d_name);
				types[nnames] = d->d_type;
				nnames++;
			}
			off += d->d_reclen;
		}
	}
	/* Sort names (types travel with them only for the checks that look them up by name). */
	qsort(names, (size_t)nnames, sizeof names[0], cmp);
	return nnames;
}

static int has(const char *name)
{
	for (int i = 0; i < nnames; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

static void getdents_lists_all(void)
{
	static char buf[8192];
	char name[16];
	struct stat st;
	int fd;
	CHECK_OK(mkdir("gl", 0755));
	CHECK_OK(mkdir("gl/sub", 0755));
	CHECK_OK(symlink("x", "gl/lnk"));
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "gl/f%02d", i);
		CHECK_OK(put(name, "x"));
	}
	CHECK_OK(fd = open("gl", O_RDONLY | O_DIRECTORY));
	CHECK_EQ(read_names(fd, sizeof buf), 24);
	CHECK(strcmp(names[0], ".") == 0);
	CHECK(strcmp(names[1], "..") == 0);
	CHECK(strcmp(names[2], "f00") == 0);
	CHECK(strcmp(names[21], "f19") == 0);
	CHECK(strcmp(names[22], "lnk") == 0);
	CHECK(strcmp(names[23], "sub") == 0);
	/* At the end: 0, again and again. */
	CHECK_EQ(rgetdents64(fd, buf, sizeof buf), 0);
	CHECK_EQ(rgetdents64(fd, buf, sizeof buf), 0);
	/* Types and inode numbers. */
	CHECK_OK(lseek(fd, 0, SEEK_SET));
	long n;
	CHECK_OK(n = rgetdents64(fd, buf, sizeof buf));
	int seen = 0;
	for (long off = 0; off < n;) {
		struct linux_dirent64 *d = (void *)(buf + off);
		CHECK_EQ(d->d_reclen % 8, 0);
		if (strcmp(d->d_name, "sub") == 0) {
			CHECK_EQ(d->d_type, DT_DIR);
			CHECK_OK(rstat("gl/sub", &st));
			CHECK_EQ(d->d_ino, st.st_ino);
			seen++;
		} else if (strcmp(d->d_name, "lnk") == 0) {
			CHECK_EQ(d->d_type, DT_LNK);
			seen++;
		} else if (strcmp(d->d_name, "f07") == 0) {
			CHECK_EQ(d->d_type, DT_REG);
			CHECK_OK(rstat("gl/f07", &st));
			CHECK_EQ(d->d_ino, st.st_ino);
			seen++;
		} else if (strcmp(d->d_name, ".") == 0) {
			CHECK_EQ(d->d_type, DT_DIR);
			seen++;
		}
		off += d->d_reclen;
	}
	CHECK_EQ(seen, 4);
	close(fd);
}

static void getdents_small_buffers(void)
{
	static char buf[512];
	char name[16];
	int fd;
	CHECK_OK(mkdir("gs", 0755));
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "gs/entry%d", i);
		CHECK_OK(put(name, "x"));
	}
	CHECK_OK(fd = open("gs", O_RDONLY | O_DIRECTORY));
	/* One record at a time: a record for "entryN" is 32 bytes (19 + 6 + 1, aligned to 8). */
	CHECK_EQ(read_names(fd, 32), 12);
	CHECK(has("entry0") && has("entry9") && has(".") && has(".."));
	CHECK_OK(lseek(fd, 0, SEEK_SET));
	CHECK_EQ(read_names(fd, 40), 12);
	/* Too small for the next record: EINVAL, and nothing is consumed. */
	CHECK_OK(lseek(fd, 0, SEEK_SET));
	CHECK_ERR(rgetdents64(fd, buf, 1), EINVAL);
	CHECK_ERR(rgetdents64(fd, buf, 0), EINVAL);
	CHECK_EQ(read_names(fd, sizeof buf), 12);
	close(fd);
}

static void getdents_resume(void)
{
	static char buf[4096];
	char first[64];
	int fd;
	long n;
	CHECK_OK(mkdir("gr", 0755));
	CHECK_OK(put("gr/a", "x"));
	CHECK_OK(put("gr/b", "x"));
	CHECK_OK(put("gr/c", "x"));
	CHECK_OK(fd = open("gr", O_RDONLY | O_DIRECTORY));
	CHECK_OK(n = rgetdents64(fd, buf, sizeof buf));
	/* Seeking to an entry's d_off resumes right after it. */
	struct linux_dirent64 *d0 = (void *)buf;
	struct linux_dirent64 *d1 = (void *)(buf + d0->d_reclen);
	snprintf(first, sizeof first, "%s", d1->d_name);
	CHECK_EQ(lseek(fd, d0->d_off, SEEK_SET), d0->d_off);
	CHECK_OK(rgetdents64(fd, buf, sizeof buf));
	CHECK(strcmp(((struct linux_dirent64 *)buf)->d_name, first) == 0);
	/* A name removed while reading is not listed later; the others are listed once. */
	CHECK_OK(lseek(fd, 0, SEEK_SET));
	CHECK_OK(unlink("gr/c"));
	CHECK_EQ(read_names(fd, sizeof buf), 4);
	CHECK(!has("c"));
	close(fd);
}

static void getdents_old_format(void)
{
	static char buf[4096];
	int fd;
	long n;
	CHECK_OK(mkdir("go", 0755));
	CHECK_OK(mkdir("go/dir", 0755));
	CHECK_OK(put("go/file", "x"));
	CHECK_OK(fd = open("go", O_RDONLY | O_DIRECTORY));
	CHECK_OK(n = syscall(SYS_getdents, fd, buf, sizeof buf));
	int found = 0;
	for (long off = 0; off < n;) {
		struct linux_dirent *d = (void *)(buf + off);
		unsigned char type = (unsigned char)buf[off + d->d_reclen - 1];
		if (strcmp(d->d_name, "dir") == 0) {
			CHECK_EQ(type, DT_DIR);
			found++;
		}
		if (strcmp(d->d_name, "file") == 0) {
			CHECK_EQ(type, DT_REG);
			found++;
		}
		off += d->d_reclen;
	}
	CHECK_EQ(found, 2);
	close(fd);
}

static void getdents_errors(void)
{
	static char buf[256];
	int fd;
	CHECK_OK(put("ge-file", "x"));
	CHECK_OK(fd = open("ge-file", O_RDONLY));
	CHECK_ERR(rgetdents64(fd, buf, sizeof buf), ENOTDIR);
	close(fd);
	CHECK_ERR(rgetdents64(999, buf, sizeof buf), EBADF);
	CHECK_OK(mkdir("ge-d", 0755));
	CHECK_OK(fd = open("ge-d", O_RDONLY | O_DIRECTORY));
	CHECK_ERR(rgetdents64(fd, NULL, sizeof buf), EFAULT);
	/* A removed directory lists nothing: ENOENT. */
	CHECK_OK(rmdir("ge-d"));
	CHECK_ERR(rgetdents64(fd, buf, sizeof buf), ENOENT);
	close(fd);
}

static void mkdir_rmdir_errors(void)
{
	CHECK_OK(mkdir("mr", 0755));
	CHECK_OK(put("mr/f", "x"));
	CHECK_ERR(mkdir("mr", 0755), EEXIST);
	CHECK_ERR(mkdir("mr/f", 0755), EEXIST);
	CHECK_ERR(mkdir(".", 0755), EEXIST);
	CHECK_ERR(mkdir("..", 0755), EEXIST);
	CHECK_ERR(mkdir("/", 0755), EEXIST);
	CHECK_ERR(mkdir("mr-missing/x", 0755), ENOENT);
	CHECK_ERR(mkdir("", 0755), ENOENT);
	CHECK_ERR(rmdir("mr"), ENOTEMPTY);
	CHECK_ERR(rmdir("mr/f"), ENOTDIR);
	CHECK_ERR(rmdir("mr-missing"), ENOENT);
	CHECK_ERR(rmdir("."), EINVAL);
	CHECK_ERR(rmdir("mr/."), EINVAL);
	CHECK_ERR(rmdir(".."), ENOTEMPTY);
	CHECK_ERR(rmdir("/"), EBUSY);
	CHECK_OK(symlink("mr", "mr-link"));
	CHECK_ERR(rmdir("mr-link"), ENOTDIR);
	CHECK_OK(unlink("mr/f"));
	CHECK_OK(rmdir("mr"));
	CHECK_OK(mkdirat(AT_FDCWD, "mr", 0700));
	CHECK_OK(syscall(SYS_unlinkat, AT_FDCWD, "mr", AT_REMOVEDIR));
}

static void unlink_calls(void)
{
	struct stat st;
	CHECK_OK(put("ul", "x"));
	CHECK_OK(mkdir("ul-d", 0755));
	CHECK_OK(unlink("ul"));
	CHECK_ERR(rstat("ul", &st), ENOENT);
	CHECK_ERR(unlink("ul"), ENOENT);
	CHECK_ERR(unlink("ul-d"), EISDIR);
	CHECK_ERR(unlink("."), EISDIR);
	CHECK_ERR(unlink(""), ENOENT);
	CHECK_ERR(syscall(SYS_unlinkat, AT_FDCWD, "ul-d", 0x1), EINVAL);
	/* The flags come before the path. */
	CHECK_ERR(syscall(SYS_unlinkat, AT_FDCWD, NULL, 0x1), EINVAL);
	CHECK_ERR(syscall(SYS_unlinkat, AT_FDCWD, NULL, 0), EFAULT);
	CHECK_ERR(syscall(SYS_unlinkat, AT_FDCWD, "ul-d-missing", AT_REMOVEDIR), ENOENT);
	/* unlink of a symlink removes the link, not the target. */
	CHECK_OK(put("ul-t", "x"));
	CHECK_OK(symlink("ul-t", "ul-l"));
	CHECK_OK(unlink("ul-l"));
	CHECK_OK(rstat("ul-t", &st));
	int d;
	CHECK_OK(d = open("ul-d", O_RDONLY | O_DIRECTORY));
	CHECK_OK(put("ul-d/in", "x"));
	CHECK_OK(unlinkat(d, "in", 0));
	close(d);
	CHECK_OK(syscall(SYS_unlinkat, AT_FDCWD, "ul-d", AT_REMOVEDIR));
}

static void rename_files(void)
{
	struct stat a, b;
	char buf[16];
	CHECK_OK(put("rf-a", "aaa"));
	CHECK_OK(put("rf-b", "bb"));
	CHECK_OK(rstat("rf-a", &a));
	CHECK_OK(rename("rf-a", "rf-c"));
	CHECK_ERR(rstat("rf-a", &b), ENOENT);
	CHECK_OK(rstat("rf-c", &b));
	CHECK_EQ(a.st_ino, b.st_ino);
	/* Over an existing file: replaced. */
	CHECK_OK(rename("rf-c", "rf-b"));
	CHECK_EQ(get("rf-b", buf, sizeof buf), 3);
	CHECK_ERR(rstat("rf-c", &b), ENOENT);
	/* Onto itself, or between two links of one file: nothing happens. */
	CHECK_OK(rename("rf-b", "rf-b"));
	CHECK_OK(link("rf-b", "rf-b2"));
	CHECK_OK(rename("rf-b", "rf-b2"));
	CHECK_OK(rstat("rf-b", &a));
	CHECK_OK(rstat("rf-b2", &b));
	CHECK_EQ(a.st_nlink, 2);
	CHECK_ERR(rename("rf-missing", "rf-x"), ENOENT);
	CHECK_ERR(rename("rf-b", "rf-missing/x"), ENOENT);
	CHECK_ERR(rename("", "rf-x"), ENOENT);
	CHECK_ERR(rename("rf-b", ""), ENOENT);
	CHECK_ERR(rename(".", "rf-x"), EBUSY);
	CHECK_ERR(rename("rf-b", "."), EBUSY);
	CHECK_ERR(rename("rf-b", ".."), EBUSY);
	/* A symlink is renamed itself. */
	CHECK_OK(symlink("rf-b", "rf-l"));
	CHECK_OK(rename("rf-l", "rf-l2"));
	CHECK_OK(rlstat("rf-l2", &a));
	CHECK(S_ISLNK(a.st_mode));
}

static void rename_dirs(void)
{
	struct stat st;
	CHECK_OK(mkdir("rd-a", 0755));
	CHECK_OK(mkdir("rd-a/sub", 0755));
	CHECK_OK(mkdir("rd-empty", 0755));
	CHECK_OK(mkdir("rd-full", 0755));
	CHECK_OK(put("rd-full/f", "x"));
	CHECK_OK(put("rd-file", "x"));
	/* Kinds must match; a non-empty target directory is refused. */
	CHECK_ERR(rename("rd-file", "rd-empty"), EISDIR);
	CHECK_ERR(rename("rd-a", "rd-file"), ENOTDIR);
	CHECK_ERR(rename("rd-a", "rd-full"), ENOTEMPTY);
	CHECK_OK(rename("rd-a", "rd-empty"));
	CHECK_OK(rstat("rd-empty/sub", &st));
	CHECK_ERR(rstat("rd-a", &st), ENOENT);
	/* Never into itself. */
	CHECK_ERR(rename("rd-empty", "rd-empty/sub/x"), EINVAL);
	CHECK_ERR(rename("rd-empty", "rd-empty/x"), EINVAL);
	/* Nor a directory over an ancestor. */
	CHECK_ERR(rename("rd-empty/sub", "rd-empty"), ENOTEMPTY);
	/* Moving a directory moves its ".." link. */
	CHECK_OK(mkdir("rd-p1", 0755));
	CHECK_OK(mkdir("rd-p2", 0755));
	CHECK_OK(mkdir("rd-p1/kid", 0755));
	CHECK_OK(rename("rd-p1/kid", "rd-p2/kid"));
	CHECK_OK(rstat("rd-p1", &st));
	CHECK_EQ(st.st_nlink, 2);
	CHECK_OK(rstat("rd-p2", &st));
	CHECK_EQ(st.st_nlink, 3);
	struct stat up;
	CHECK_OK(rstat("rd-p2/kid/..", &up));
	CHECK_EQ(up.st_ino, st.st_ino);
	/* Trailing slashes are fine on directories. */
	CHECK_OK(rename("rd-p2/kid/", "rd-p1/kid2/"));
}

static void rename_flags(void)
{
	struct stat st;
	char buf[16];
	CHECK_OK(put("rx-a", "a"));
	CHECK_OK(put("rx-b", "b"));
	CHECK_OK(mkdir("rx-d", 0755));
	CHECK_ERR(rrenameat2("rx-a", "rx-b", RENAME_NOREPLACE), EEXIST);
	CHECK_OK(rrenameat2("rx-a", "rx-c", RENAME_NOREPLACE));
	CHECK_OK(rrenameat2("rx-c", "rx-a", 0));
	/* EXCHANGE swaps two names, of any kinds. */
	CHECK_OK(rrenameat2("rx-a", "rx-b", RENAME_EXCHANGE));
	CHECK_EQ(get("rx-a", buf, sizeof buf), 1);
	CHECK(buf[0] == 'b');
	CHECK_OK(rrenameat2("rx-a", "rx-d", RENAME_EXCHANGE));
	CHECK_OK(rstat("rx-a", &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_OK(rstat("rx-d", &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_ERR(rrenameat2("rx-a", "rx-missing", RENAME_EXCHANGE), ENOENT);
	/* Flag errors come before the paths are looked at. */
	CHECK_ERR(rrenameat2("rx-a", "rx-b", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
	CHECK_ERR(rrenameat2(NULL, NULL, RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
	CHECK_ERR(rrenameat2("rx-a", "rx-b", 0x100), EINVAL);
	CHECK_ERR(rrenameat2(NULL, "rx-b", 0), EFAULT);
	/* Both parents are found before either name is looked up. */
	CHECK_ERR(rrenameat2("rx-missing", NULL, 0), EFAULT);
	CHECK_ERR(rrenameat2("rx-missing/x", NULL, 0), ENOENT);
}

static void rename_over_open_file(void)
{
	char buf[16];
	int fd;
	CHECK_OK(put("ro-old", "old"));
	CHECK_OK(put("ro-new", "new!"));
	CHECK_OK(fd = open("ro-old", O_RDONLY));
	CHECK_OK(rename("ro-new", "ro-old"));
	/* The open description still reads the replaced file. */
	CHECK_EQ(read(fd, buf, sizeof buf), 3);
	CHECK(memcmp(buf, "old", 3) == 0);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	close(fd);
	CHECK_EQ(get("ro-old", buf, sizeof buf), 4);
}

static void link_counts(void)
{
	struct stat st;
	CHECK_OK(put("lc", "x"));
	CHECK_OK(link("lc", "lc2"));
	CHECK_OK(link("lc", "lc3"));
	CHECK_OK(rstat("lc", &st));
	CHECK_EQ(st.st_nlink, 3);
	CHECK_OK(unlink("lc2"));
	CHECK_OK(rstat("lc3", &st));
	CHECK_EQ(st.st_nlink, 2);
	CHECK_ERR(link("lc", "lc3"), EEXIST);
	CHECK_ERR(link("lc-missing", "lc4"), ENOENT);
	CHECK_OK(mkdir("lc-d", 0755));
	CHECK_ERR(link("lc-d", "lc-d2"), EPERM);
	CHECK_ERR(link("lc", "lc-missing/x"), ENOENT);
	/* linkat: the link itself by default, its target with AT_SYMLINK_FOLLOW. */
	CHECK_OK(symlink("lc", "lc-sym"));
	CHECK_OK(linkat(AT_FDCWD, "lc-sym", AT_FDCWD, "lc-symlink2", 0));
	CHECK_OK(rlstat("lc-symlink2", &st));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_nlink, 2);
	CHECK_OK(linkat(AT_FDCWD, "lc-sym", AT_FDCWD, "lc-target2", AT_SYMLINK_FOLLOW));
	CHECK_OK(rlstat("lc-target2", &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_nlink, 3);
	CHECK_ERR(linkat(AT_FDCWD, "lc", AT_FDCWD, "lc5", 0x1), EINVAL);
	CHECK_ERR(syscall(SYS_linkat, AT_FDCWD, NULL, AT_FDCWD, "lc5", 0x1), EINVAL);
	/* A descriptor with AT_EMPTY_PATH (root has CAP_DAC_READ_SEARCH). */
	int fd;
	CHECK_OK(fd = open("lc", O_RDONLY));
	CHECK_OK(linkat(fd, "", AT_FDCWD, "lc-byfd", AT_EMPTY_PATH));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 4);
	close(fd);
}

static void unlinked_open_file(void)
{
	struct stat st;
	char buf[32];
	int fd;
	CHECK_OK(put("uo", "still here"));
	CHECK_OK(fd = open("uo", O_RDWR));
	CHECK_OK(unlink("uo"));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(st.st_size, 10);
	CHECK_EQ(read(fd, buf, sizeof buf), 10);
	CHECK(memcmp(buf, "still here", 10) == 0);
	CHECK_EQ(write(fd, "!", 1), 1);
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 11);
	CHECK(memcmp(buf, "still here!", 11) == 0);
	CHECK_OK(ftruncate(fd, 4));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 4);
	/* The name is free again. */
	CHECK_OK(put("uo", "new"));
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 4);
	close(fd);
	/* An unlinked directory that is still open. */
	CHECK_OK(mkdir("uo-d", 0755));
	CHECK_OK(fd = open("uo-d", O_RDONLY | O_DIRECTORY));
	CHECK_OK(rmdir("uo-d"));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	CHECK_ERR(openat(fd, "x", O_RDWR | O_CREAT, 0644), ENOENT);
	close(fd);
}

int main(void)
{
	setup();
	RUN(getdents_lists_all);
	RUN(getdents_small_buffers);
	RUN(getdents_resume);
	RUN(getdents_old_format);
	RUN(getdents_errors);
	RUN(mkdir_rmdir_errors);
	RUN(unlink_calls);
	RUN(rename_files);
	RUN(rename_dirs);
	RUN(rename_flags);
	RUN(rename_over_open_file);
	RUN(link_counts);
	RUN(unlinked_open_file);
	teardown();
	DONE();
}
