/*
 * inotify.c: inotify(7): inotify_init(2), inotify_init1(2),
 * inotify_add_watch(2), inotify_rm_watch(2), reading struct inotify_event
 * records, and the events file operations make, in the order Linux makes
 * them: on the directory (with the name) and on the file itself, link
 * counts, moves with cookies, deletion (IN_DELETE_SELF then IN_IGNORED, late
 * while the name is in use), coalescing, queue overflow, IN_ONESHOT,
 * IN_MASK_ADD / IN_MASK_CREATE, IN_EXCL_UNLINK, IN_UNMOUNT, poll/epoll readiness,
 * blocking reads, FIONREAD, /proc fdinfo and /proc/sys/fs/inotify.
 *
 * Runs in a fresh directory under /tmp that it removes at the end (natively
 * the host's /tmp; under tsvisor the sandbox's own). Run as root natively.
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#ifndef INOTIFY_IOC_SETNEXTWD
#define INOTIFY_IOC_SETNEXTWD _IOW('I', 0, __s32)
#endif

static void setup(void)
{
	fs_setup("/tmp/tsvisor-inotify-XXXXXX");
}

/* A fresh case directory, entered; "" on failure. */
static int enter(const char *name)
{
	if (chdir(base) != 0 || mkdir(name, 0755) != 0 || chdir(name) != 0)
		return -1;
	return 0;
}

static int newin(void)
{
	return inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
}

static int put(const char *name, const char *s)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The queued events as "wd:mask:name" words (cookies checked separately). */
static char got[8192];
static unsigned cookies[256];
static int ncookies;

static int drain(int in)
{
	char buf[16384] __attribute__((aligned(8)));
	size_t used = 0;
	got[0] = 0;
	ncookies = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			used += (size_t)snprintf(got + used, sizeof got - used, "%s%d:%x:%s", used ? " " : "", e->wd, e->mask,
						 e->len ? e->name : "");
			if (ncookies < 256)
				cookies[ncookies++] = e->cookie;
			p += sizeof *e + e->len;
			if (used >= sizeof got - 1)
				return -1;
		}
	}
}

/* The events read from in must be exactly the formatted list. */
#define EXPECT(in, ...)                                                                  \
	do {                                                                             \
		char want_[4096];                                                        \
		snprintf(want_, sizeof want_, __VA_ARGS__);                              \
		CHECKF(drain(in) == 0, "read: %s", errname(errno));                      \
		CHECKF(strcmp(got, want_) == 0, "events\n#     got  [%s]\n#     want [%s]", got, want_); \
	} while (0)

static void init_flags(void)
{
	int in, flags;
	struct stat st;
	char path[64], link[64];
	CHECK_ERR(inotify_init1(1), EINVAL);
	CHECK_ERR(inotify_init1(IN_CLOEXEC | O_RDWR), EINVAL);
	CHECK_OK(in = inotify_init());
	CHECK_EQ(fcntl(in, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY);
	CHECK_EQ(fcntl(in, F_GETFD), 0);
	close(in);
	CHECK_OK(in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
	CHECK_OK(flags = fcntl(in, F_GETFL));
	CHECK_EQ(flags & (O_ACCMODE | O_NONBLOCK), O_RDONLY | O_NONBLOCK);
	CHECK_EQ(fcntl(in, F_GETFD), FD_CLOEXEC);
	CHECK_OK(fstat(in, &st));
	CHECK_EQ(st.st_mode, 0600);
	snprintf(path, sizeof path, "/proc/self/fd/%d", in);
	ssize_t n = readlink(path, link, sizeof link - 1);
	CHECK_OK(n);
	link[n] = 0;
	CHECKF(strcmp(link, "anon_inode:inotify") == 0, "link %s", link);
	CHECK_ERR(write(in, "x", 1), EBADF);
	char b[64];
	CHECK_ERR(pread(in, b, sizeof b, 0), ESPIPE);
	CHECK_ERR(read(in, b, sizeof b), EAGAIN);
	close(in);
}

static void add_watch_errors(void)
{
	int in, fd, w, w2;
	CHECK_OK(enter("errs"));
	CHECK_OK(put("f", "x"));
	CHECK_OK(symlink("f", "lnk"));
	CHECK_OK(in = newin());
	CHECK_OK(fd = open("f", O_RDONLY));
	/* The mask is checked before the descriptor. */
	CHECK_ERR(inotify_add_watch(99999, "f", 0), EINVAL);
	CHECK_ERR(inotify_add_watch(in, "f", 0), EINVAL);
	CHECK_ERR(inotify_add_watch(in, "f", 0x1000), EINVAL);
	CHECK_ERR(inotify_add_watch(99999, "f", IN_MASK_ADD | IN_MASK_CREATE | IN_ATTRIB), EBADF);
	CHECK_ERR(inotify_add_watch(99999, "f", IN_ATTRIB), EBADF);
	CHECK_ERR(inotify_add_watch(fd, "f", IN_ATTRIB), EINVAL);
	/* Then IN_MASK_ADD with IN_MASK_CREATE, before the path. */
	CHECK_ERR(inotify_add_watch(in, "nope", IN_MASK_ADD | IN_MASK_CREATE | IN_ATTRIB), EINVAL);
	CHECK_ERR(inotify_add_watch(in, "nope", IN_ATTRIB), ENOENT);
	CHECK_ERR(inotify_add_watch(in, "", IN_ATTRIB), ENOENT);
	CHECK_ERR(inotify_add_watch(in, (char *)8, IN_ATTRIB), EFAULT);
	CHECK_ERR(inotify_add_watch(in, "f", IN_ATTRIB | IN_ONLYDIR), ENOTDIR);
	CHECK_ERR(inotify_add_watch(in, "f/", IN_ATTRIB), ENOTDIR);
	close(fd);
	CHECK_OK(fd = open("f", O_PATH));
	CHECK_ERR(inotify_add_watch(fd, "f", IN_ATTRIB), EBADF);
	close(fd);
	/* The same inode, by any name, is one watch. */
	CHECK_OK(w = inotify_add_watch(in, "f", IN_ATTRIB));
	CHECK_EQ(w, 1);
	CHECK_EQ(inotify_add_watch(in, "lnk", IN_MODIFY), w);
	CHECK_EQ(inotify_add_watch(in, "./f", IN_MODIFY | IN_MASK_ADD), w);
	CHECK_ERR(inotify_add_watch(in, "f", IN_MODIFY | IN_MASK_CREATE), EEXIST);
	/* IN_DONT_FOLLOW watches the link itself. */
	CHECK_OK(w2 = inotify_add_watch(in, "lnk", IN_ATTRIB | IN_DONT_FOLLOW));
	CHECK_EQ(w2, 2);
	/* A mask of flags alone, or IN_IGNORED alone, is a watch with no events. */
	CHECK_EQ(inotify_add_watch(in, ".", IN_ONLYDIR), 3);
	CHECK_EQ(inotify_add_watch(in, ".", IN_IGNORED), 3);
	CHECK_EQ(inotify_add_watch(in, ".", IN_MASK_CREATE | IN_ATTRIB | IN_ONLYDIR) == -1 ? errno : 0, EEXIST);
	EXPECT(in, "%s", "");
	close(in);
}

static void eacces(void)
{
	int in;
	CHECK_OK(enter("acc"));
	CHECK_OK(put("secret", "x"));
	CHECK_OK(chmod("secret", 0600));
	CHECK_OK(put("open", "x"));
	CHECK_OK(mkdir("d", 0700));
	CHECK_OK(chmod(".", 0755));
	pid_t c = fork();
	CHECK_OK(c);
	if (c == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		in = newin();
		if (in < 0)
			_exit(11);
		if (inotify_add_watch(in, "secret", IN_ALL_EVENTS) != -1 || errno != EACCES)
			_exit(12);
		if (inotify_add_watch(in, "d", IN_ALL_EVENTS) != -1 || errno != EACCES)
			_exit(13);
		if (inotify_add_watch(in, "d/x", IN_ALL_EVENTS) != -1 || errno != EACCES)
			_exit(14);
		if (inotify_add_watch(in, "open", IN_ALL_EVENTS) != 1)
			_exit(15);
		_exit(0);
	}
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

static void rm_watch(void)
{
	int in, fd, w1, w2;
	CHECK_OK(enter("rm"));
	CHECK_OK(put("f", "x"));
	CHECK_OK(put("g", "x"));
	CHECK_OK(in = newin());
	CHECK_OK(fd = open("f", O_RDONLY));
	CHECK_ERR(inotify_rm_watch(in, 1), EINVAL);
	CHECK_ERR(inotify_rm_watch(99999, 1), EBADF);
	CHECK_ERR(inotify_rm_watch(fd, 1), EINVAL);
	close(fd);
	CHECK_OK(w1 = inotify_add_watch(in, "f", IN_ALL_EVENTS));
	CHECK_OK(w2 = inotify_add_watch(in, "g", IN_ALL_EVENTS));
	CHECK_EQ(inotify_rm_watch(in, w1), 0);
	CHECK_ERR(inotify_rm_watch(in, w1), EINVAL);
	CHECK_ERR(inotify_rm_watch(in, -1), EINVAL);
	CHECK_ERR(inotify_rm_watch(in, 0), EINVAL);
	EXPECT(in, "%d:8000:", w1);
	/* No events for a removed watch; descriptors are not reused at once. */
	CHECK_OK(chmod("f", 0600));
	EXPECT(in, "%s", "");
	CHECK_EQ(inotify_add_watch(in, "f", IN_ATTRIB), w2 + 1);
	CHECK_OK(ioctl(in, INOTIFY_IOC_SETNEXTWD, 100));
	CHECK_EQ(inotify_add_watch(in, ".", IN_ATTRIB), 100);
	CHECK_ERR(ioctl(in, INOTIFY_IOC_SETNEXTWD, 0), EINVAL);
	CHECK_ERR(ioctl(in, FIONBIO + 0x1000, 0), ENOTTY);
	close(in);
}

static void read_rules(void)
{
	int in, w, avail;
	char buf[256] __attribute__((aligned(8)));
	struct inotify_event *e = (struct inotify_event *)buf;
	CHECK_OK(enter("rd"));
	CHECK_OK(put("a", "x"));
	CHECK_OK(put("name-of-17-bytes.", "x"));
	CHECK_OK(in = newin());
	CHECK_ERR(read(in, buf, 0), EAGAIN);
	CHECK_OK(w = inotify_add_watch(in, ".", IN_ATTRIB));
	CHECK_OK(chmod("a", 0600));
	CHECK_OK(chmod("name-of-17-bytes.", 0600));
	CHECK_OK(ioctl(in, FIONREAD, &avail));
	CHECK_EQ(avail, 32 + 48);
	CHECK_ERR(ioctl(in, FIONREAD, (int *)8), EFAULT);
	/* Too small for the next record: EINVAL, even for 0 bytes. */
	CHECK_ERR(read(in, buf, 0), EINVAL);
	CHECK_ERR(read(in, buf, 16), EINVAL);
	CHECK_ERR(read(in, buf, 31), EINVAL);
	/* Whole records only: a second that does not fit stays queued. */
	CHECK_EQ(read(in, buf, 32 + 47), 32);
	CHECK_EQ(e->wd, w);
	CHECK_EQ(e->mask, IN_ATTRIB);
	CHECK_EQ(e->cookie, 0);
	CHECK_EQ(e->len, 16);
	CHECKF(strcmp(e->name, "a") == 0, "name %s", e->name);
	for (int i = 1; i < 16; i++)
		CHECK_EQ(e->name[i], 0);
	CHECK_OK(ioctl(in, FIONREAD, &avail));
	CHECK_EQ(avail, 48);
	memset(buf, 0x55, sizeof buf);
	CHECK_EQ(read(in, buf, sizeof buf), 48);
	CHECK_EQ(e->len, 32);
	CHECKF(strcmp(e->name, "name-of-17-bytes.") == 0, "name %s", e->name);
	for (int i = 17; i < 32; i++)
		CHECK_EQ(e->name[i], 0);
	CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);
	CHECK_OK(ioctl(in, FIONREAD, &avail));
	CHECK_EQ(avail, 0);
	/* Two records in one read; a bad buffer loses the event (EFAULT). */
	CHECK_OK(chmod("a", 0644));
	CHECK_OK(chmod("name-of-17-bytes.", 0644));
	CHECK_EQ(read(in, buf, sizeof buf), 80);
	CHECK_OK(chmod("a", 0600));
	CHECK_ERR(syscall(SYS_read, in, (char *)8, sizeof buf), EFAULT);
	CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);
	close(in);
}

static void file_events(void)
{
	int in, d, f, fd;
	char c[8];
	CHECK_OK(enter("file"));
	CHECK_OK(put("f", "hello"));
	CHECK_OK(in = newin());
	CHECK_OK(d = inotify_add_watch(in, ".", IN_ALL_EVENTS));
	CHECK_OK(f = inotify_add_watch(in, "f", IN_ALL_EVENTS));
	CHECK_OK(fd = open("f", O_RDONLY));
	CHECK_EQ(read(fd, c, 2), 2);
	CHECK_EQ(read(fd, c, 0), 0);
	CHECK_EQ(pread(fd, c, 2, 100), 0);
	close(fd);
	EXPECT(in, "%d:20:f %d:20: %d:1:f %d:1: %d:10:f %d:10:", d, f, d, f, d, f);
	CHECK_OK(fd = open("f", O_WRONLY | O_TRUNC));
	EXPECT(in, "%d:20:f %d:20: %d:2:f %d:2:", d, f, d, f);
	CHECK_EQ(write(fd, "ab", 2), 2);
	CHECK_EQ(pwrite(fd, "c", 1, 0), 1);
	CHECK_OK(ftruncate(fd, 1));
	CHECK_OK(fchmod(fd, 0640));
	close(fd);
	/* One event per call (interleaved with the directory's, none merge). */
	EXPECT(in, "%d:2:f %d:2: %d:2:f %d:2: %d:2:f %d:2: %d:4:f %d:4: %d:8:f %d:8:", d, f, d, f, d, f, d, f, d, f);
	CHECK_OK(truncate("f", 0));
	CHECK_OK(chown("f", 0, 0));
	/* Nothing to change: no event. */
	CHECK_OK(chown("f", -1, -1));
	CHECK_OK(setxattr("f", "user.k", "v", 1, 0));
	CHECK_OK(removexattr("f", "user.k"));
	EXPECT(in, "%d:2:f %d:2: %d:4:f %d:4: %d:4:f %d:4: %d:4:f %d:4:", d, f, d, f, d, f, d, f);
	struct timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	CHECK_OK(utimensat(AT_FDCWD, "f", ts, 0));
	EXPECT(in, "%d:1:f %d:1:", d, f);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	CHECK_OK(utimensat(AT_FDCWD, "f", ts, 0));
	EXPECT(in, "%d:2:f %d:2:", d, f);
	ts[1].tv_nsec = UTIME_OMIT;
	CHECK_OK(utimensat(AT_FDCWD, "f", ts, 0));
	CHECK_OK(utimensat(AT_FDCWD, "f", NULL, 0));
	EXPECT(in, "%d:4:f %d:4:", d, f);
	/* O_PATH opens make no events. */
	CHECK_OK(fd = open("f", O_PATH));
	close(fd);
	EXPECT(in, "%s", "");
	close(in);
}

static void dir_events(void)
{
	int in, d, s, f, fd;
	char b[4096];
	CHECK_OK(enter("dir"));
	CHECK_OK(mkdir("sub", 0755));
	CHECK_OK(put("f", "x"));
	CHECK_OK(in = newin());
	CHECK_OK(d = inotify_add_watch(in, ".", IN_ALL_EVENTS));
	CHECK_OK(s = inotify_add_watch(in, "sub", IN_ALL_EVENTS));
	CHECK_OK(f = inotify_add_watch(in, "f", IN_ALL_EVENTS));
	CHECK_OK(fd = open("new", O_CREAT | O_WRONLY, 0644));
	close(fd);
	CHECK_OK(mkdir("sub/dd", 0755));
	CHECK_OK(mknod("fifo", S_IFIFO | 0644, 0));
	CHECK_OK(symlink("f", "sym"));
	EXPECT(in, "%d:100:new %d:20:new %d:8:new %d:40000100:dd %d:100:fifo %d:100:sym", d, d, d, s, d, d);
	/* A FIFO's data makes no IN_ACCESS / IN_MODIFY; its open and close do. */
	CHECK_OK(fd = open("fifo", O_RDWR));
	CHECK_EQ(write(fd, "ab", 2), 2);
	CHECK_EQ(read(fd, b, sizeof b), 2);
	close(fd);
	EXPECT(in, "%d:20:fifo %d:8:fifo", d, d);
	CHECK_OK(fd = open("sub", O_RDONLY | O_DIRECTORY));
	CHECK_OK(syscall(SYS_getdents64, fd, b, sizeof b));
	close(fd);
	EXPECT(in, "%d:40000020:sub %d:40000020: %d:40000001:sub %d:40000001: %d:40000010:sub %d:40000010:", d, s, d, s, d,
	       s);
	CHECK_OK(chmod("sub", 0700));
	EXPECT(in, "%d:40000004:sub %d:40000004:", d, s);
	/* link: the link count (the file only), then the name. */
	CHECK_OK(link("f", "h"));
	EXPECT(in, "%d:4: %d:100:h", f, d);
	CHECK_OK(unlink("h"));
	EXPECT(in, "%d:4: %d:200:h", f, d);
	/* The last name: IN_ATTRIB, IN_DELETE_SELF, IN_IGNORED, then IN_DELETE. */
	CHECK_OK(unlink("f"));
	EXPECT(in, "%d:4: %d:400: %d:8000: %d:200:f", f, f, f, d);
	CHECK_OK(rmdir("sub/dd"));
	CHECK_OK(rmdir("sub"));
	EXPECT(in, "%d:40000200:dd %d:400: %d:8000: %d:40000200:sub", s, s, s, d);
	close(in);
}

static void rename_events(void)
{
	int in, d, o, a, b, x, s;
	CHECK_OK(enter("mv"));
	CHECK_OK(mkdir("other", 0755));
	CHECK_OK(put("a", "x"));
	CHECK_OK(put("b", "x"));
	CHECK_OK(mkdir("sd", 0755));
	CHECK_OK(mkdir("empty", 0755));
	CHECK_OK(in = newin());
	CHECK_OK(d = inotify_add_watch(in, ".", IN_ALL_EVENTS));
	CHECK_OK(o = inotify_add_watch(in, "other", IN_ALL_EVENTS));
	CHECK_OK(a = inotify_add_watch(in, "a", IN_ALL_EVENTS));
	CHECK_OK(b = inotify_add_watch(in, "b", IN_ALL_EVENTS));
	CHECK_OK(rename("a", "other/a2"));
	EXPECT(in, "%d:40:a %d:80:a2 %d:800:", d, o, a);
	CHECKF(cookies[0] != 0 && cookies[0] == cookies[1] && cookies[2] == 0, "cookies %u %u %u", cookies[0], cookies[1],
	       cookies[2]);
	unsigned first = cookies[0];
	/* Over an existing name: the victim's link count, the move, then its removal. */
	CHECK_OK(rename("other/a2", "b"));
	EXPECT(in, "%d:40:a2 %d:80:b %d:4: %d:800: %d:400: %d:8000:", o, d, b, a, b, b);
	CHECKF(cookies[0] != first && cookies[0] == cookies[1], "cookies %u %u (first %u)", cookies[0], cookies[1], first);
	/* Directories: IN_ISDIR on the names, never on the self events. */
	CHECK_OK(s = inotify_add_watch(in, "sd", IN_ALL_EVENTS));
	CHECK_OK(x = inotify_add_watch(in, "empty", IN_ALL_EVENTS));
	CHECK_OK(rename("sd", "empty"));
	EXPECT(in, "%d:40000040:sd %d:40000080:empty %d:40000004: %d:800: %d:400: %d:8000:", d, d, x, s, x, x);
	/* RENAME_EXCHANGE: two moves. */
	CHECK_OK(put("c", "x"));
	CHECK_OK(drain(in));
	CHECK_OK(x = inotify_add_watch(in, "c", IN_MOVE_SELF));
	CHECK_OK(renameat2(AT_FDCWD, "c", AT_FDCWD, "b", RENAME_EXCHANGE));
	EXPECT(in, "%d:40:c %d:80:b %d:800: %d:40:b %d:80:c %d:800:", d, d, x, d, d, a);
	CHECKF(cookies[0] == cookies[1] && cookies[3] == cookies[4] && cookies[0] != cookies[3], "cookies");
	close(in);
}

static void delete_late(void)
{
	int in, d, k, s, fd;
	CHECK_OK(enter("late"));
	CHECK_OK(mkdir("cwd", 0755));
	CHECK_OK(in = newin());
	CHECK_OK(d = inotify_add_watch(in, ".", IN_ALL_EVENTS));
	CHECK_OK(fd = open("k", O_CREAT | O_RDWR, 0644));
	CHECK_OK(k = inotify_add_watch(in, "k", IN_ALL_EVENTS));
	CHECK_OK(unlink("k"));
	/* The directory still hears of the unlinked file's I/O. */
	CHECK_EQ(write(fd, "x", 1), 1);
	EXPECT(in, "%d:100:k %d:20:k %d:4: %d:200:k %d:2:k %d:2:", d, d, k, d, d, k);
	close(fd);
	EXPECT(in, "%d:8:k %d:8: %d:400: %d:8000:", d, k, k, k);
	/* A removed working directory goes when it is left. */
	CHECK_OK(s = inotify_add_watch(in, "cwd", IN_DELETE_SELF));
	CHECK_OK(chdir("cwd"));
	CHECK_OK(chdir(".."));
	CHECK_OK(drain(in));
	CHECK_OK(chdir("cwd"));
	CHECK_OK(rmdir("../cwd"));
	EXPECT(in, "%d:40000200:cwd", d);
	CHECK_OK(chdir(".."));
	EXPECT(in, "%d:400: %d:8000:", s, s);
	close(in);
}

static void flags_events(void)
{
	int in, d, f, fd;
	char path[64];
	CHECK_OK(enter("flags"));
	CHECK_OK(put("f", "x"));
	CHECK_OK(in = newin());
	/* IN_ONESHOT: one event, then IN_IGNORED. */
	CHECK_OK(f = inotify_add_watch(in, "f", IN_MODIFY | IN_ONESHOT));
	CHECK_OK(fd = open("f", O_WRONLY));
	CHECK_EQ(write(fd, "a", 1), 1);
	CHECK_OK(fchmod(fd, 0600));
	CHECK_EQ(write(fd, "a", 1), 1);
	close(fd);
	EXPECT(in, "%d:2: %d:8000:", f, f);
	/* Only the asked events, but all bits of an event asked for. */
	CHECK_OK(f = inotify_add_watch(in, "f", IN_CLOSE_WRITE));
	CHECK_OK(put("f", "y"));
	CHECK_OK(chmod("f", 0644));
	EXPECT(in, "%d:8:", f);
	/* IN_MASK_ADD keeps what was there (IN_ONESHOT too); without it the mask is replaced. */
	CHECK_EQ(inotify_add_watch(in, "f", IN_ATTRIB | IN_MASK_ADD), f);
	CHECK_OK(chmod("f", 0600));
	CHECK_OK(put("f", "z"));
	EXPECT(in, "%d:4: %d:8:", f, f);
	CHECK_EQ(inotify_add_watch(in, "f", IN_ATTRIB), f);
	CHECK_OK(put("f", "z"));
	CHECK_OK(chmod("f", 0644));
	EXPECT(in, "%d:4:", f);
	/* IN_EXCL_UNLINK: no open-file events once the name is gone; attribute changes still come. */
	CHECK_OK(d = inotify_add_watch(in, ".", IN_ALL_EVENTS | IN_EXCL_UNLINK));
	CHECK_OK(fd = open("y", O_CREAT | O_RDWR, 0644));
	CHECK_OK(unlink("y"));
	CHECK_EQ(write(fd, "a", 1), 1);
	CHECK_OK(fchmod(fd, 0600));
	close(fd);
	EXPECT(in, "%d:100:y %d:20:y %d:200:y %d:4:y", d, d, d, d);
	/* fdinfo: one line per watch, newest first. */
	struct stat st, sd;
	CHECK_OK(stat("f", &st));
	CHECK_OK(stat(".", &sd));
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", in);
	CHECK_OK(fd = open(path, O_RDONLY));
	char text[2048];
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	CHECK_OK(n);
	text[n] = 0;
	char want[256];
	unsigned sdev = (major(st.st_dev) << 20) | minor(st.st_dev);
	snprintf(want, sizeof want, "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:0 ", d, (unsigned long)sd.st_ino, sdev,
		 IN_ALL_EVENTS | IN_EXCL_UNLINK);
	char *l1 = strstr(text, want);
	CHECKF(l1 != NULL, "no [%s] in\n%s", want, text);
	snprintf(want, sizeof want, "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:0 ", f, (unsigned long)st.st_ino, sdev,
		 IN_ATTRIB);
	char *l2 = strstr(text, want);
	CHECKF(l2 != NULL && l2 > l1, "no [%s] after the first line in\n%s", want, text);
	CHECKF(strncmp(text, "pos:\t0\nflags:\t02004000\n", 23) == 0, "fdinfo starts\n%s", text);
	close(in);
}

static void coalesce_overflow(void)
{
	int in, w, max = 0, fd;
	char num[32];
	CHECK_OK(enter("ovf"));
	CHECK_OK(put("f", "x"));
	CHECK_OK(put("g", "x"));
	CHECK_OK(fd = open("/proc/sys/fs/inotify/max_queued_events", O_RDONLY));
	ssize_t n = read(fd, num, sizeof num - 1);
	close(fd);
	CHECK_OK(n);
	num[n] = 0;
	max = atoi(num);
	CHECKF(max > 0 && max <= 65536, "max_queued_events %s", num);
	CHECK_OK(in = newin());
	CHECK_OK(w = inotify_add_watch(in, ".", IN_ATTRIB));
	for (int i = 0; i < 3; i++)
		CHECK_OK(chmod("f", 0600));
	EXPECT(in, "%d:4:f", w);
	/* Alternating events are not merged; past the limit one IN_Q_OVERFLOW stands for the rest. */
	for (int i = 0; i < max + 10; i++)
		CHECK_OK(chmod(i & 1 ? "g" : "f", 0600));
	int avail = 0;
	CHECK_OK(ioctl(in, FIONREAD, &avail));
	CHECK_EQ(avail, max * 32 + 16);
	static char big[1 << 20] __attribute__((aligned(8)));
	int count = 0, overflow_at = -1;
	for (;;) {
		n = read(in, big, sizeof big);
		if (n < 0)
			break;
		for (char *p = big; p < big + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			if (e->wd == -1) {
				CHECK_EQ(e->mask, IN_Q_OVERFLOW);
				CHECK_EQ(e->len, 0);
				overflow_at = count;
			} else {
				CHECK_EQ(e->mask, IN_ATTRIB);
				CHECKF(strcmp(e->name, count & 1 ? "g" : "f") == 0, "event %d name %s", count, e->name);
			}
			count++;
			p += sizeof *e + e->len;
		}
	}
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(count, max + 1);
	CHECK_EQ(overflow_at, max);
	/* Reading it frees the queue. */
	CHECK_OK(chmod("f", 0644));
	EXPECT(in, "%d:4:f", w);
	close(in);
}

static void readiness(void)
{
	int in, ep, w;
	struct pollfd p;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = 7}, out;
	CHECK_OK(enter("poll"));
	CHECK_OK(in = newin());
	CHECK_OK(w = inotify_add_watch(in, ".", IN_CREATE));
	p.fd = in;
	p.events = POLLIN | POLLOUT | POLLRDNORM;
	CHECK_EQ(poll(&p, 1, 0), 0);
	CHECK_OK(ep = epoll_create1(EPOLL_CLOEXEC));
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, in, &ev));
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
	/* Another process makes the event while this one waits. */
	pid_t c = fork();
	CHECK_OK(c);
	if (c == 0) {
		usleep(100 * 1000);
		_exit(put("made", "x") == 0 ? 0 : 1);
	}
	CHECK_EQ(epoll_wait(ep, &out, 1, 10000), 1);
	CHECK_EQ(out.events, EPOLLIN);
	CHECK_EQ(out.data.u32, 7);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN | POLLRDNORM);
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	EXPECT(in, "%d:100:made", w);
	CHECK_EQ(poll(&p, 1, 0), 0);
	close(ep);
	close(in);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void blocking_read(void)
{
	int in, w;
	char buf[256] __attribute__((aligned(8)));
	struct inotify_event *e = (struct inotify_event *)buf;
	CHECK_OK(enter("block"));
	CHECK_OK(in = inotify_init());
	CHECK_OK(w = inotify_add_watch(in, ".", IN_CREATE | IN_DELETE));
	pid_t c = fork();
	CHECK_OK(c);
	if (c == 0) {
		usleep(100 * 1000);
		if (put("x", "x") != 0 || unlink("x") != 0)
			_exit(1);
		_exit(0);
	}
	/* The read waits, then returns what the other process's calls queued. */
	ssize_t n = read(in, buf, sizeof buf);
	CHECK_OK(n);
	CHECK_EQ(e->wd, w);
	CHECK_EQ(e->mask, IN_CREATE);
	CHECKF(strcmp(e->name, "x") == 0, "name %s", e->name);
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	if (n == 32)
		CHECK_EQ(read(in, buf, sizeof buf), 32);
	else
		CHECK_EQ(n, 64);
	/* A signal without SA_RESTART ends a waiting read with EINTR. */
	struct sigaction sa = {.sa_handler = on_alarm};
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	CHECK_ERR(read(in, buf, sizeof buf), EINTR);
	signal(SIGALRM, SIG_DFL);
	close(in);
}

static void unmount(void)
{
	int in, root, f, top;
	CHECK_OK(enter("umnt"));
	CHECK_OK(mkdir("m", 0755));
	CHECK_OK(mkdir("b", 0755));
	CHECK_OK(mount("none", "m", "tmpfs", 0, NULL));
	CHECK_OK(put("m/f", "x"));
	CHECK_OK(in = newin());
	CHECK_OK(root = inotify_add_watch(in, "m", IN_CREATE));
	CHECK_OK(f = inotify_add_watch(in, "m/f", IN_ATTRIB));
	CHECK_OK(top = inotify_add_watch(in, ".", IN_ALL_EVENTS));
	/* While another mount shows the file system, nothing happens. */
	CHECK_OK(mount("m", "b", NULL, MS_BIND, NULL));
	CHECK_OK(umount("m"));
	EXPECT(in, "%s", "");
	/* Then every watched inode of it: IN_UNMOUNT (IN_ISDIR for a directory), IN_IGNORED; newest first. */
	CHECK_OK(umount("b"));
	EXPECT(in, "%d:2000: %d:8000: %d:40002000: %d:8000:", f, f, root, root);
	CHECK_ERR(inotify_rm_watch(in, root), EINVAL);
	CHECK_EQ(inotify_rm_watch(in, top), 0);
	close(in);
}

static void proc_sys(void)
{
	static const char *names[] = {"max_queued_events", "max_user_instances", "max_user_watches"};
	long v[3];
	for (int i = 0; i < 3; i++) {
		char path[96], num[32];
		snprintf(path, sizeof path, "/proc/sys/fs/inotify/%s", names[i]);
		int fd = open(path, O_RDONLY);
		CHECKF(fd >= 0, "%s: %s", path, errname(errno));
		ssize_t n = read(fd, num, sizeof num - 1);
		close(fd);
		CHECK_OK(n);
		num[n] = 0;
		char *end;
		v[i] = strtol(num, &end, 10);
		CHECKF(v[i] > 0 && *end == '\n' && end[1] == 0, "%s: [%s]", names[i], num);
	}
	/* Instances per user stop at max_user_instances (EMFILE); some may be in use elsewhere. */
	int fds[1024], n = 0;
	CHECKF(v[1] < 1000, "max_user_instances %ld", v[1]);
	while (n < 1024) {
		int in = inotify_init1(IN_CLOEXEC);
		if (in < 0)
			break;
		fds[n++] = in;
	}
	int e = errno;
	for (int i = 0; i < n; i++)
		close(fds[i]);
	CHECKF(n > 0 && n <= v[1] && e == EMFILE, "%d instances then %s (max %ld)", n, errname(e), v[1]);
	/* Closing gives them back. */
	int in = inotify_init1(0);
	CHECK_OK(in);
	close(in);
}

int main(void)
{
	setup();
	RUN(init_flags);
	RUN(add_watch_errors);
	RUN(eacces);
	RUN(rm_watch);
	RUN(read_rules);
	RUN(file_events);
	RUN(dir_events);
	RUN(rename_events);
	RUN(delete_late);
	RUN(flags_events);
	RUN(coalesce_overflow);
	RUN(readiness);
	RUN(blocking_read);
	RUN(unmount);
	RUN(proc_sys);
	teardown();
	DONE();
}
