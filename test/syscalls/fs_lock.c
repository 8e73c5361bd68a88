/*
 * fs_lock.c: flock(2) and fcntl(2) record locks (F_GETLK, F_SETLK,
 * F_SETLKW) and open file description locks (F_OFD_*), in one process.
 *
 * One process owns all its POSIX record locks, so they never conflict with
 * each other; conflicts are shown between two open() of one file (flock and
 * OFD locks belong to the open file description) and between OFD and POSIX
 * locks. Nothing here blocks: every wait would be on this process itself.
 * Cases needing a second process are in fs_lock_fork.c (run natively only,
 * until fork lands).
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <stddef.h>
#include <sys/file.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif
#ifndef LOCK_MAND
#define LOCK_MAND 32
#endif

static void setup(void)
{
	fs_setup("/tmp/tsvisor-fs_lock-XXXXXX");
}

static int make(const char *name, size_t size)
{
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && size > 0 && ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static long rflock(int fd, long op) { return syscall(SYS_flock, fd, op); }
static long rfcntl(int fd, long cmd, void *arg) { return syscall(SYS_fcntl, fd, cmd, arg); }

static struct flock lk(short type, short whence, off_t start, off_t len)
{
	struct flock l;
	memset(&l, 0, sizeof l);
	l.l_type = type;
	l.l_whence = whence;
	l.l_start = start;
	l.l_len = len;
	return l;
}

/* A lock call with a fresh struct: cmd on fd for [start, start+len). */
static long setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock l = lk(type, SEEK_SET, start, len);
	return rfcntl(fd, cmd, &l);
}

/* F_OFD_GETLK for a write lock over [start, start+len) from fd: fills *out. */
static long probe(int fd, int cmd, short type, off_t start, off_t len, struct flock *out)
{
	*out = lk(type, SEEK_SET, start, len);
	return rfcntl(fd, cmd, out);
}

static void struct_layout(void)
{
	CHECK_EQ(sizeof(struct flock), 32);
	CHECK_EQ(offsetof(struct flock, l_type), 0);
	CHECK_EQ(offsetof(struct flock, l_whence), 2);
	CHECK_EQ(offsetof(struct flock, l_start), 8);
	CHECK_EQ(offsetof(struct flock, l_len), 16);
	CHECK_EQ(offsetof(struct flock, l_pid), 24);
}

static void flock_conflicts(void)
{
	int a, b;
	CHECK_OK(a = make("fc", 0));
	CHECK_OK(b = open("fc", O_RDONLY));
	CHECK_OK(rflock(a, LOCK_EX));
	CHECK_OK(rflock(a, LOCK_EX)); /* again: no change */
	CHECK_ERR(rflock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	CHECK_ERR(rflock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_OK(rflock(a, LOCK_UN));
	CHECK_OK(rflock(b, LOCK_SH | LOCK_NB));
	CHECK_OK(rflock(a, LOCK_SH | LOCK_NB)); /* shared locks coexist */
	CHECK_ERR(rflock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_OK(rflock(b, LOCK_UN));
	CHECK_OK(rflock(b, LOCK_UN)); /* nothing held: fine */
	close(a);
	close(b);
}

static void flock_conversion_drops_first(void)
{
	/* man 2 flock: a conversion is not atomic; the old lock goes first. */
	int a, b;
	CHECK_OK(a = make("fv", 0));
	CHECK_OK(b = open("fv", O_RDWR));
	CHECK_OK(rflock(a, LOCK_SH));
	CHECK_OK(rflock(b, LOCK_SH));
	CHECK_ERR(rflock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	/* a lost its shared lock: b may upgrade now. */
	CHECK_OK(rflock(b, LOCK_EX | LOCK_NB));
	CHECK_ERR(rflock(a, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* Downgrade b, then a can share. */
	CHECK_OK(rflock(b, LOCK_SH));
	CHECK_OK(rflock(a, LOCK_SH | LOCK_NB));
	close(a);
	close(b);
}

static void flock_belongs_to_description(void)
{
	int a, b, d;
	CHECK_OK(a = make("fd", 0));
	CHECK_OK(b = open("fd", O_RDWR));
	CHECK_OK(rflock(a, LOCK_EX));
	CHECK_OK(d = dup(a));
	CHECK_OK(rflock(d, LOCK_EX | LOCK_NB)); /* the same description: already its lock */
	close(a);                               /* not the last reference: still locked */
	CHECK_ERR(rflock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	close(d); /* the last one: released */
	CHECK_OK(rflock(b, LOCK_EX | LOCK_NB));
	/* Unlocking through a dup releases the description's lock. */
	CHECK_OK(d = dup(b));
	CHECK_OK(rflock(d, LOCK_UN));
	CHECK_OK(a = open("fd", O_RDONLY));
	CHECK_OK(rflock(a, LOCK_EX | LOCK_NB));
	close(a);
	close(b);
	close(d);
}

static void flock_errors(void)
{
	int a, p;
	CHECK_OK(a = make("fe", 0));
	CHECK_ERR(rflock(a, 0), EINVAL);
	CHECK_ERR(rflock(a, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_ERR(rflock(a, LOCK_NB), EINVAL);
	CHECK_ERR(rflock(a, LOCK_UN | LOCK_SH), EINVAL);
	CHECK_ERR(rflock(a, 16 | LOCK_SH), EINVAL);
	CHECK_ERR(rflock(a, 64 | LOCK_SH), EINVAL);
	/* The operation is checked before the descriptor. */
	CHECK_ERR(rflock(-1, 0), EINVAL);
	CHECK_ERR(rflock(-1, LOCK_SH), EBADF);
	CHECK_ERR(rflock(9999, LOCK_UN), EBADF);
	/* LOCK_MAND is ignored: success whatever else is wrong. */
	CHECK_EQ(rflock(-1, LOCK_MAND | LOCK_SH), 0);
	CHECK_EQ(rflock(a, LOCK_MAND), 0);
	CHECK_OK(p = open("fe", O_PATH));
	CHECK_ERR(rflock(p, LOCK_SH), EBADF);
	CHECK_ERR(rflock(p, LOCK_UN), EBADF);
	CHECK_OK(rflock(a, LOCK_UN | LOCK_NB));
	close(p);
	close(a);
}

static void flock_on_pipe_and_dir(void)
{
	int p[2], d, d2;
	CHECK_OK(pipe(p));
	CHECK_OK(rflock(p[0], LOCK_EX | LOCK_NB));
	CHECK_ERR(rflock(p[1], LOCK_SH | LOCK_NB), EWOULDBLOCK); /* the other end: same pipe inode */
	close(p[0]);
	CHECK_OK(rflock(p[1], LOCK_SH | LOCK_NB));
	close(p[1]);
	CHECK_OK(mkdir("fdir", 0755));
	CHECK_OK(d = open("fdir", O_RDONLY | O_DIRECTORY));
	CHECK_OK(d2 = open("fdir", O_RDONLY | O_DIRECTORY));
	CHECK_OK(rflock(d, LOCK_EX | LOCK_NB));
	CHECK_ERR(rflock(d2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	close(d);
	close(d2);
}

static void flock_and_fcntl_independent(void)
{
	int a, b;
	struct flock l;
	CHECK_OK(a = make("fi", 0));
	CHECK_OK(b = open("fi", O_RDWR));
	CHECK_OK(rflock(a, LOCK_EX));
	CHECK_OK(setlk(b, F_OFD_SETLK, F_WRLCK, 0, 0));
	CHECK_OK(probe(a, F_OFD_GETLK, F_WRLCK, 0, 0, &l));
	CHECK_EQ(l.l_type, F_WRLCK); /* b's OFD lock, not a's flock */
	CHECK_EQ(l.l_pid, -1);
	close(a);
	close(b);
}

static void posix_same_process(void)
{
	int a, b;
	struct flock l;
	CHECK_OK(a = make("ps", 0));
	CHECK_OK(b = open("ps", O_RDWR));
	CHECK_OK(setlk(a, F_SETLK, F_WRLCK, 0, 10));
	CHECK_OK(setlk(b, F_SETLK, F_WRLCK, 0, 10)); /* one owner: the process */
	CHECK_OK(setlk(b, F_SETLKW, F_RDLCK, 5, 100));
	/* F_GETLK from the owner sees nothing; only l_type changes. */
	l = lk(F_WRLCK, SEEK_SET, 3, 7);
	l.l_pid = 12345;
	CHECK_OK(rfcntl(a, F_GETLK, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	CHECK_EQ(l.l_whence, SEEK_SET);
	CHECK_EQ(l.l_start, 3);
	CHECK_EQ(l.l_len, 7);
	CHECK_EQ(l.l_pid, 12345);
	close(a);
	close(b);
}

static void posix_seen_by_ofd(void)
{
	int a, c;
	struct flock l;
	CHECK_OK(a = make("po", 0));
	CHECK_OK(c = open("po", O_RDWR));
	CHECK_OK(setlk(a, F_SETLK, F_WRLCK, 10, 20));
	/* An OFD lock is another owner: POSIX and OFD locks conflict. */
	CHECK_ERR(setlk(c, F_OFD_SETLK, F_RDLCK, 29, 1), EAGAIN);
	CHECK_OK(setlk(c, F_OFD_SETLK, F_RDLCK, 30, 1));
	CHECK_OK(probe(c, F_OFD_GETLK, F_RDLCK, 0, 0, &l));
	CHECK_EQ(l.l_type, F_WRLCK);
	CHECK_EQ(l.l_whence, SEEK_SET);
	CHECK_EQ(l.l_start, 10);
	CHECK_EQ(l.l_len, 20);
	CHECK_EQ(l.l_pid, getpid());
	/* And the POSIX owner sees the OFD lock with l_pid -1. */
	CHECK_ERR(setlk(a, F_SETLK, F_WRLCK, 30, 1), EAGAIN);
	CHECK_OK(probe(a, F_GETLK, F_WRLCK, 25, 10, &l));
	CHECK_EQ(l.l_type, F_RDLCK); /* the process's own lock over 25..29 is no conflict */
	CHECK_EQ(l.l_start, 30);
	CHECK_OK(probe(a, F_GETLK, F_WRLCK, 30, 0, &l));
	CHECK_EQ(l.l_type, F_RDLCK);
	CHECK_EQ(l.l_start, 30);
	CHECK_EQ(l.l_len, 1);
	CHECK_EQ(l.l_pid, -1);
	close(a);
	close(c);
}

static void posix_released_by_any_close(void)
{
	int a, b, c;
	struct flock l;
	CHECK_OK(a = make("pr", 0));
	CHECK_OK(b = open("pr", O_RDONLY)); /* never used for locking */
	CHECK_OK(c = open("pr", O_RDWR));
	CHECK_OK(setlk(a, F_SETLK, F_WRLCK, 0, 0));
	CHECK_OK(probe(c, F_OFD_GETLK, F_WRLCK, 0, 1, &l));
	CHECK_EQ(l.l_type, F_WRLCK);
	close(b); /* closing any descriptor of the file drops the process's locks */
	CHECK_OK(probe(c, F_OFD_GETLK, F_WRLCK, 0, 1, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	/* dup2 over a descriptor of the file closes it: the same. */
	CHECK_OK(setlk(a, F_SETLK, F_RDLCK, 0, 0));
	CHECK_OK(b = open("pr", O_RDONLY));
	int n;
	CHECK_OK(n = open("/dev/null", O_RDONLY));
	CHECK_OK(dup2(n, b));
	CHECK_OK(probe(c, F_OFD_GETLK, F_WRLCK, 0, 1, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	/* Closing a descriptor of another file changes nothing. */
	CHECK_OK(setlk(a, F_SETLK, F_RDLCK, 0, 0));
	close(n);
	close(b);
	CHECK_OK(probe(c, F_OFD_GETLK, F_WRLCK, 0, 1, &l));
	CHECK_EQ(l.l_type, F_RDLCK);
	close(a);
	close(c);
}

static void ofd_conflicts(void)
{
	int a, b, d;
	struct flock l;
	CHECK_OK(a = make("oc", 0));
	CHECK_OK(b = open("oc", O_RDWR));
	CHECK_OK(setlk(a, F_OFD_SETLK, F_WRLCK, 0, 100));
	CHECK_ERR(setlk(b, F_OFD_SETLK, F_WRLCK, 50, 10), EAGAIN);
	CHECK_ERR(setlk(b, F_OFD_SETLK, F_RDLCK, 99, 1), EAGAIN);
	CHECK_OK(setlk(b, F_OFD_SETLK, F_WRLCK, 100, 1));
	CHECK_OK(probe(b, F_OFD_GETLK, F_RDLCK, 10, 1, &l));
	CHECK_EQ(l.l_type, F_WRLCK);
	CHECK_EQ(l.l_start, 0);
	CHECK_EQ(l.l_len, 100);
	CHECK_EQ(l.l_pid, -1);
	/* A dup shares the description, so its lock. */
	CHECK_OK(d = dup(a));
	CHECK_OK(setlk(d, F_OFD_SETLK, F_WRLCK, 50, 10));
	close(a); /* not the last reference: a's locks stay */
	CHECK_ERR(setlk(b, F_OFD_SETLK, F_WRLCK, 0, 1), EAGAIN);
	close(d); /* released with the description */
	CHECK_OK(setlk(b, F_OFD_SETLK, F_WRLCK, 0, 1));
	close(b);
}

static void ofd_split_and_merge(void)
{
	int a, b;
	struct flock l;
	CHECK_OK(a = make("os", 0));
	CHECK_OK(b = open("os", O_RDWR));
	CHECK_OK(setlk(a, F_OFD_SETLK, F_WRLCK, 0, 100));
	/* A hole in the middle splits the lock in two. */
	CHECK_OK(setlk(a, F_OFD_SETLK, F_UNLCK, 40, 20));
	CHECK_OK(probe(b, F_OFD_GETLK, F_WRLCK, 0, 0, &l));
	CHECK_EQ(l.l_type, F_WRLCK);
	CHECK_EQ(l.l_start, 0);
	CHECK_EQ(l.l_len, 40);
	CHECK_OK(probe(b, F_OFD_GETLK, F_WRLCK, 40, 20, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	CHECK_OK(probe(b, F_OFD_GETLK, F_WRLCK, 45, 0, &l));
	CHECK_EQ(l.l_start, 60);
	CHECK_EQ(l.l_len, 40);
	/* A downgrade in the middle of the first piece: three pieces. */
	CHECK_OK(setlk(a, F_OFD_SETLK, F_RDLCK, 10, 10));
	CHECK_OK(setlk(b, F_OFD_SETLK, F_RDLCK, 12, 5)); /* shared with a's read lock */
	CHECK_OK(setlk(b, F_OFD_SETLK, F_UNLCK, 0, 0));
	CHECK_OK(probe(b, F_OFD_GETLK, F_WRLCK, 15, 1, &l));
	CHECK_EQ(l.l_type, F_RDLCK);
	CHECK_EQ(l.l_start, 10);
	CHECK_EQ(l.l_len, 10);
	CHECK_OK(probe(b, F_OFD_GETLK, F_RDLCK, 0, 0, &l));
	CHECK_EQ(l.l_type, F_WRLCK);
	CHECK_EQ(l.l_start, 0);
	CHECK_EQ(l.l_len, 10);
	CHECK_OK(probe(b, F_OFD_GETLK, F_RDLCK, 10, 0, &l));
	CHECK_EQ(l.l_start, 20);
	CHECK_EQ(l.l_len, 20);
	/* Filling the hole with a write lock merges the neighbours: [20, 100). */
	CHECK_OK(setlk(a, F_OFD_SETLK, F_WRLCK, 40, 20));
	CHECK_OK(probe(b, F_OFD_GETLK, F_RDLCK, 25, 1, &l));
	CHECK_EQ(l.l_start, 20);
	CHECK_EQ(l.l_len, 80);
	/* Upgrading the read piece merges everything: [0, 100). */
	CHECK_OK(setlk(a, F_OFD_SETLK, F_WRLCK, 10, 10));
	CHECK_OK(probe(b, F_OFD_GETLK, F_RDLCK, 50, 1, &l));
	CHECK_EQ(l.l_start, 0);
	CHECK_EQ(l.l_len, 100);
	/* Adjacent ranges of one type merge; an unlock to EOF trims. */
	CHECK_OK(setlk(a, F_OFD_SETLK, F_WRLCK, 100, 50));
	CHECK_OK(probe(b, F_OFD_GETLK, F_RDLCK, 120, 1, &l));
	CHECK_EQ(l.l_start, 0);
	CHECK_EQ(l.l_len, 150);
	CHECK_OK(setlk(a, F_OFD_SETLK, F_UNLCK, 75, 0));
	CHECK_OK(probe(b, F_OFD_GETLK, F_RDLCK, 0, 0, &l));
	CHECK_EQ(l.l_len, 75);
	CHECK_OK(probe(b, F_OFD_GETLK, F_RDLCK, 75, 0, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	close(a);
	close(b);
}

static void posix_upgrade_downgrade(void)
{
	int a, c;
	struct flock l;
	CHECK_OK(a = make("pu", 0));
	CHECK_OK(c = open("pu", O_RDWR));
	CHECK_OK(setlk(a, F_SETLK, F_WRLCK, 0, 100));
	CHECK_OK(setlk(a, F_SETLK, F_RDLCK, 20, 10));
	CHECK_OK(probe(c, F_OFD_GETLK, F_RDLCK, 0, 0, &l));
	CHECK_EQ(l.l_type, F_WRLCK);
	CHECK_EQ(l.l_len, 20);
	CHECK_OK(probe(c, F_OFD_GETLK, F_RDLCK, 20, 10, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	CHECK_OK(probe(c, F_OFD_GETLK, F_WRLCK, 25, 1, &l));
	CHECK_EQ(l.l_type, F_RDLCK);
	CHECK_EQ(l.l_start, 20);
	CHECK_EQ(l.l_len, 10);
	CHECK_EQ(l.l_pid, getpid());
	CHECK_OK(setlk(a, F_SETLK, F_WRLCK, 20, 10)); /* upgrade back: one lock again */
	CHECK_OK(probe(c, F_OFD_GETLK, F_RDLCK, 50, 1, &l));
	CHECK_EQ(l.l_start, 0);
	CHECK_EQ(l.l_len, 100);
	close(a);
	close(c);
}

static void whence_and_lengths(void)
{
	int a, c;
	struct flock l;
	CHECK_OK(a = make("wl", 1000));
	CHECK_OK(c = open("wl", O_RDWR));
	CHECK_EQ(lseek(a, 100, SEEK_SET), 100);
	/* SEEK_CUR with a negative length: the bytes before l_start. */
	l = lk(F_WRLCK, SEEK_CUR, -10, -5);
	CHECK_OK(rfcntl(a, F_OFD_SETLK, &l));
	CHECK_OK(probe(c, F_OFD_GETLK, F_RDLCK, 0, 0, &l));
	CHECK_EQ(l.l_start, 85);
	CHECK_EQ(l.l_len, 5);
	CHECK_EQ(l.l_whence, SEEK_SET);
	/* SEEK_END: from the size; length 0 reaches any end of file. */
	l = lk(F_RDLCK, SEEK_END, -1, 0);
	CHECK_OK(rfcntl(a, F_OFD_SETLK, &l));
	CHECK_OK(probe(c, F_OFD_GETLK, F_WRLCK, 500, 0, &l));
	CHECK_EQ(l.l_type, F_RDLCK);
	CHECK_EQ(l.l_start, 999);
	CHECK_EQ(l.l_len, 0);
	/* The largest ranges. */
	CHECK_OK(setlk(a, F_OFD_SETLK, F_UNLCK, 0, 0));
	CHECK_OK(setlk(a, F_OFD_SETLK, F_WRLCK, 0x7fffffffffffffffLL, 1));
	CHECK_OK(probe(c, F_OFD_GETLK, F_WRLCK, 1, 0x7fffffffffffffffLL, &l));
	CHECK_EQ(l.l_type, F_WRLCK);
	CHECK_EQ(l.l_start, 0x7fffffffffffffffLL);
	CHECK_EQ(l.l_len, 0); /* it ends at OFFSET_MAX: reported as "to EOF" */
	CHECK_OK(probe(c, F_OFD_GETLK, F_WRLCK, 0x7ffffffffffffffeLL, 1, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	close(a);
	close(c);
}

static void lock_errors(void)
{
	int a, ro, wo, p;
	struct flock l;
	CHECK_OK(a = make("le", 0));
	CHECK_OK(ro = open("le", O_RDONLY));
	CHECK_OK(wo = open("le", O_WRONLY));
	/* The lock type needs the matching access. */
	CHECK_ERR(setlk(ro, F_SETLK, F_WRLCK, 0, 0), EBADF);
	CHECK_ERR(setlk(wo, F_SETLK, F_RDLCK, 0, 0), EBADF);
	CHECK_ERR(setlk(ro, F_OFD_SETLK, F_WRLCK, 0, 0), EBADF);
	CHECK_ERR(setlk(wo, F_SETLKW, F_RDLCK, 0, 0), EBADF);
	CHECK_OK(setlk(ro, F_SETLK, F_UNLCK, 0, 0));
	CHECK_OK(setlk(ro, F_SETLK, F_RDLCK, 0, 0));
	/* F_GETLK needs no access and a real lock type. */
	CHECK_OK(probe(ro, F_GETLK, F_WRLCK, 0, 0, &l));
	CHECK_ERR(probe(ro, F_GETLK, F_UNLCK, 0, 0, &l), EINVAL);
	CHECK_ERR(probe(ro, F_GETLK, 5, 0, 0, &l), EINVAL);
	/* Type, whence and range. */
	CHECK_ERR(setlk(a, F_SETLK, 3, 0, 0), EINVAL);
	CHECK_ERR(setlk(a, F_SETLK, -1, 0, 0), EINVAL);
	l = lk(F_WRLCK, 3, 0, 0);
	CHECK_ERR(rfcntl(a, F_SETLK, &l), EINVAL);
	l = lk(F_WRLCK, -1, 0, 0);
	CHECK_ERR(rfcntl(a, F_GETLK, &l), EINVAL);
	l = lk(9, 7, 0, 0); /* whence before type */
	CHECK_ERR(rfcntl(a, F_SETLK, &l), EINVAL);
	CHECK_ERR(setlk(a, F_SETLK, F_WRLCK, -1, 1), EINVAL);
	CHECK_ERR(setlk(a, F_SETLK, F_WRLCK, 20, -21), EINVAL);
	CHECK_OK(setlk(a, F_SETLK, F_WRLCK, 20, -20));
	CHECK_ERR(setlk(a, F_SETLK, F_WRLCK, 0x7fffffffffffffffLL, 2), EOVERFLOW);
	CHECK_ERR(setlk(a, F_SETLK, 9, 0x7fffffffffffffffLL, 2), EOVERFLOW); /* before the type */
	CHECK_EQ(lseek(a, 100, SEEK_SET), 100);
	l = lk(F_WRLCK, SEEK_CUR, 0x7fffffffffffffffLL, 1);
	CHECK_ERR(rfcntl(a, F_GETLK, &l), EOVERFLOW);
	l = lk(F_WRLCK, SEEK_CUR, -101, 1);
	CHECK_ERR(rfcntl(a, F_GETLK, &l), EINVAL);
	l = lk(F_WRLCK, SEEK_CUR, -100, (off_t)0x8000000000000000ULL);
	CHECK_ERR(rfcntl(a, F_GETLK, &l), EINVAL);
	/* OFD locks want l_pid 0 (after the access check). */
	l = lk(F_WRLCK, SEEK_SET, 0, 0);
	l.l_pid = 5;
	CHECK_ERR(rfcntl(a, F_OFD_SETLK, &l), EINVAL);
	CHECK_ERR(rfcntl(a, F_OFD_SETLKW, &l), EINVAL);
	CHECK_ERR(rfcntl(a, F_OFD_GETLK, &l), EINVAL);
	CHECK_ERR(rfcntl(ro, F_OFD_SETLK, &l), EBADF);
	l.l_pid = 5;
	CHECK_OK(rfcntl(a, F_SETLK, &l)); /* ignored by POSIX locks */
	/* Memory and descriptors. */
	CHECK_ERR(rfcntl(a, F_GETLK, NULL), EFAULT);
	CHECK_ERR(rfcntl(a, F_SETLK, (void *)1), EFAULT);
	CHECK_ERR(rfcntl(a, F_OFD_GETLK, BAD_HIGH), EFAULT);
	CHECK_ERR(rfcntl(9999, F_SETLK, &l), EBADF);
	CHECK_OK(p = open("le", O_PATH));
	CHECK_ERR(rfcntl(p, F_GETLK, &l), EBADF);
	CHECK_ERR(rfcntl(p, F_SETLK, NULL), EBADF);
	close(p);
	close(a);
	close(ro);
	close(wo);
}

static void ofd_getlk_unlck(void)
{
	/* Linux 6.6: F_OFD_GETLK with F_UNLCK reports the description's own lock. */
	int a, b;
	struct flock l;
	CHECK_OK(a = make("ou", 0));
	CHECK_OK(b = open("ou", O_RDWR));
	CHECK_OK(setlk(a, F_OFD_SETLK, F_WRLCK, 10, 5));
	CHECK_OK(probe(a, F_OFD_GETLK, F_UNLCK, 0, 0, &l));
	CHECK_EQ(l.l_type, F_WRLCK);
	CHECK_EQ(l.l_start, 10);
	CHECK_EQ(l.l_len, 5);
	CHECK_EQ(l.l_pid, -1);
	CHECK_OK(probe(b, F_OFD_GETLK, F_UNLCK, 0, 0, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	CHECK_OK(probe(a, F_OFD_GETLK, F_UNLCK, 15, 0, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	close(a);
	close(b);
}

static void getlk_reports_conflict_fields(void)
{
	int a, b;
	struct flock l;
	CHECK_OK(a = make("gf", 0));
	CHECK_OK(b = open("gf", O_RDWR));
	CHECK_OK(setlk(a, F_OFD_SETLK, F_RDLCK, 200, 50));
	/* A read lock does not block a read lock. */
	CHECK_OK(probe(b, F_OFD_GETLK, F_RDLCK, 0, 0, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	CHECK_OK(lseek(b, 300, SEEK_SET));
	l = lk(F_WRLCK, SEEK_CUR, -80, 10);
	l.l_pid = 0;
	CHECK_OK(rfcntl(b, F_OFD_GETLK, &l));
	CHECK_EQ(l.l_type, F_RDLCK);
	CHECK_EQ(l.l_whence, SEEK_SET);
	CHECK_EQ(l.l_start, 200);
	CHECK_EQ(l.l_len, 50);
	CHECK_EQ(l.l_pid, -1);
	close(a);
	close(b);
}

static void setlkw_without_conflict(void)
{
	int a;
	CHECK_OK(a = make("sw", 0));
	CHECK_OK(setlk(a, F_SETLKW, F_WRLCK, 0, 0));
	CHECK_OK(setlk(a, F_SETLKW, F_RDLCK, 0, 0)); /* its own lock never blocks it */
	CHECK_OK(setlk(a, F_SETLKW, F_UNLCK, 0, 0));
	CHECK_OK(setlk(a, F_OFD_SETLKW, F_RDLCK, 0, 10));
	CHECK_OK(setlk(a, F_OFD_SETLKW, F_WRLCK, 5, 10));
	close(a);
}

static void many_locks(void)
{
	int a, b;
	struct flock l;
	CHECK_OK(a = make("ml", 0));
	CHECK_OK(b = open("ml", O_RDWR));
	/* Every other byte: 2000 separate locks, then probes and one unlock. */
	for (int i = 0; i < 4000; i += 2)
		CHECK_OK(setlk(a, F_OFD_SETLK, F_WRLCK, i, 1));
	CHECK_OK(probe(b, F_OFD_GETLK, F_WRLCK, 1001, 1, &l));
	CHECK_EQ(l.l_type, F_UNLCK);
	CHECK_OK(probe(b, F_OFD_GETLK, F_WRLCK, 1001, 2, &l));
	CHECK_EQ(l.l_start, 1002);
	CHECK_OK(setlk(a, F_OFD_SETLK, F_UNLCK, 0, 0));
	CHECK_OK(setlk(b, F_OFD_SETLK, F_WRLCK, 0, 0));
	close(a);
	close(b);
}

int main(void)
{
	setup();
	RUN(struct_layout);
	RUN(flock_conflicts);
	RUN(flock_conversion_drops_first);
	RUN(flock_belongs_to_description);
	RUN(flock_errors);
	RUN(flock_on_pipe_and_dir);
	RUN(flock_and_fcntl_independent);
	RUN(posix_same_process);
	RUN(posix_seen_by_ofd);
	RUN(posix_released_by_any_close);
	RUN(ofd_conflicts);
	RUN(ofd_split_and_merge);
	RUN(posix_upgrade_downgrade);
	RUN(whence_and_lengths);
	RUN(lock_errors);
	RUN(ofd_getlk_unlck);
	RUN(getlk_reports_conflict_fields);
	RUN(setlkw_without_conflict);
	RUN(many_locks);
	teardown();
	DONE();
}
