/*
 * pty.c: pseudo-terminals (man 7 pty, man 4 pts, man 4 tty_ioctl, man 3
 * termios): posix_openpt/grantpt/unlockpt/ptsname and openpty, the slave's
 * lock, the line discipline in canonical mode (echo, ONLCR, VERASE, VKILL,
 * VWERASE, VEOF) and in raw mode (VMIN/VTIME), FIONREAD and TCFLSH, packet
 * mode, window size with SIGWINCH, controlling terminals (setsid +
 * TIOCSCTTY, /dev/tty, TIOCNOTTY), ^C sending SIGINT to the foreground
 * process group, SIGTTIN/SIGTTOU for a background group, and the hangups
 * (last slave closed: EIO/POLLHUP on the master; master closed: the slave
 * reads 0, writes EIO, and its session leader gets SIGHUP).
 *
 * Linux moves bytes between the two sides asynchronously (the flip buffer
 * work), so reads of what the other side did go through read_for(), which
 * polls with a timeout until the expected count arrived.
 */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* poll(2) revents of fd for events, waiting up to ms. */
static int poll_for(int fd, short events, int ms)
{
	struct pollfd p = {fd, events, 0};
	int r = poll(&p, 1, ms);
	return r < 0 ? -1 : p.revents;
}

/*
 * Reads until want bytes arrived or ms passed; returns the count (or -1 at
 * once on an error). A master whose slave is closed polls POLLHUP without
 * POLLIN: that is waited out too.
 */
static int read_for(int fd, char *buf, int want, int ms)
{
	int got = 0;
	long end = now_ms() + ms;
	while (got < want) {
		long left = end - now_ms();
		if (left <= 0)
			break;
		int ev = poll_for(fd, POLLIN, (int)left);
		if (ev < 0)
			break;
		if (!(ev & POLLIN)) {
			if (ev != 0)
				usleep(5000);
			continue;
		}
		int r = read(fd, buf + got, want - got);
		if (r < 0)
			return got > 0 ? got : -1;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

/* Nothing arrives on fd within ms. */
static int quiet_for(int fd, int ms)
{
	int ev = poll_for(fd, POLLIN, ms);
	return ev == 0;
}

/* A new pair: master (O_NOCTTY) and slave opened by name (O_NOCTTY unless ctty). */
static int open_pair(int *m, int *s)
{
	*m = posix_openpt(O_RDWR | O_NOCTTY);
	if (*m < 0)
		return -1;
	if (grantpt(*m) || unlockpt(*m)) {
		close(*m);
		return -1;
	}
	char *name = ptsname(*m);
	if (!name) {
		close(*m);
		return -1;
	}
	*s = open(name, O_RDWR | O_NOCTTY);
	if (*s < 0) {
		close(*m);
		return -1;
	}
	return 0;
}

static void close_pair(int m, int s)
{
	close(m);
	close(s);
}

/* Waits for pid and returns its raw wait status (-1 on error). */
static int wait_status(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* The child's checks report through its exit status: 0 all passed, else the number of the first failed one. */
#define CHILD_CHECK(n, cond)       \
	do {                       \
		if (!(cond))       \
			_exit(n);  \
	} while (0)

/* ---- creation ---- */

static void openpt_unlock_ptsname(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(m >= 0);
	CHECK(isatty(m));
	unsigned n = 12345;
	CHECK_EQ(ioctl(m, TIOCGPTN, &n), 0);
	char want[64];
	snprintf(want, sizeof want, "/dev/pts/%u", n);
	CHECK_EQ(grantpt(m), 0);
	char *name = ptsname(m);
	CHECK(name != NULL);
	CHECKF(strcmp(name, want) == 0, "ptsname %s, want %s", name, want);
	struct stat st;
	CHECK_EQ(stat(name, &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(major(st.st_rdev), 136);
	CHECK_EQ(minor(st.st_rdev), n);
	/* Locked until unlockpt. */
	int lock = -1;
	CHECK_EQ(ioctl(m, TIOCGPTLCK, &lock), 0);
	CHECK_EQ(lock, 1);
	CHECK_ERR(open(name, O_RDWR | O_NOCTTY), EIO);
	CHECK_EQ(unlockpt(m), 0);
	CHECK_EQ(ioctl(m, TIOCGPTLCK, &lock), 0);
	CHECK_EQ(lock, 0);
	int s = open(name, O_RDWR | O_NOCTTY);
	CHECK(s >= 0);
	CHECK(isatty(s));
	char tn[64];
	CHECK_EQ(ttyname_r(s, tn, sizeof tn), 0);
	CHECKF(strcmp(tn, want) == 0, "ttyname %s, want %s", tn, want);
	/* Master-only requests on the slave. */
	CHECK_ERR(ioctl(s, TIOCGPTN, &n), ENOTTY);
	CHECK_ERR(ioctl(s, TIOCGPTPEER, O_RDWR), EIO);
	/* And terminal requests on something else. */
	struct termios t;
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(tcgetattr(p[0], &t), ENOTTY);
	CHECK_ERR(ioctl(p[0], TIOCGPTN, &n), ENOTTY);
	close(p[0]);
	close(p[1]);
	CHECK_EQ(stat("/dev/pts/ptmx", &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(major(st.st_rdev), 5);
	CHECK_EQ(minor(st.st_rdev), 2);
	close_pair(m, s);
	/* The master closed: its node goes away. */
	CHECK_ERR(stat(want, &st), ENOENT);
}

static void openpty_peer(void)
{
	int m = -1, s = -1;
	char name[64];
	struct winsize ws = {.ws_row = 30, .ws_col = 100};
	CHECK_EQ(openpty(&m, &s, name, NULL, &ws), 0);
	CHECK(strncmp(name, "/dev/pts/", 9) == 0);
	struct winsize got = {0};
	CHECK_EQ(ioctl(s, TIOCGWINSZ, &got), 0);
	CHECK_EQ(got.ws_row, 30);
	CHECK_EQ(got.ws_col, 100);
	/* The master sees the same size. */
	memset(&got, 0, sizeof got);
	CHECK_EQ(ioctl(m, TIOCGWINSZ, &got), 0);
	CHECK_EQ(got.ws_col, 100);
	/* TIOCGPTPEER: another slave descriptor without a path. */
	int s2 = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK(s2 >= 0);
	CHECK_EQ(fcntl(s2, F_GETFD), FD_CLOEXEC);
	struct stat a, b;
	CHECK_EQ(fstat(s, &a), 0);
	CHECK_EQ(fstat(s2, &b), 0);
	CHECK_EQ(a.st_rdev, b.st_rdev);
	CHECK_EQ(write(s2, "z", 1), 1);
	char c = 0;
	CHECK_EQ(read_for(m, &c, 1, 5000), 1);
	CHECK_EQ(c, 'z');
	close(s2);
	close_pair(m, s);
}

/* ---- settings ---- */

static void termios_defaults(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	struct termios t;
	CHECK_EQ(tcgetattr(s, &t), 0);
	CHECK_EQ(t.c_iflag & (ICRNL | IXON), ICRNL | IXON);
	CHECK_EQ(t.c_oflag & (OPOST | ONLCR), OPOST | ONLCR);
	CHECK_EQ(t.c_cflag & (CSIZE | CREAD), CS8 | CREAD);
	CHECK_EQ(t.c_lflag & (ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN), ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN);
	CHECK_EQ(t.c_cc[VINTR], 3);
	CHECK_EQ(t.c_cc[VQUIT], 034);
	CHECK_EQ(t.c_cc[VERASE], 0177);
	CHECK_EQ(t.c_cc[VKILL], 025);
	CHECK_EQ(t.c_cc[VEOF], 4);
	CHECK_EQ(t.c_cc[VMIN], 1);
	CHECK_EQ(t.c_cc[VTIME], 0);
	CHECK_EQ(t.c_cc[VSUSP], 032);
	CHECK_EQ(cfgetospeed(&t), B38400);
	/* The master reports the slave's settings. */
	struct termios tm;
	CHECK_EQ(tcgetattr(m, &tm), 0);
	CHECK_EQ(tm.c_lflag, t.c_lflag);
	CHECK_EQ(tm.c_iflag, t.c_iflag);
	/* A pty is always 8 bits without parity. */
	t.c_cflag = (t.c_cflag & ~CSIZE) | CS7 | PARENB;
	t.c_lflag &= ~ECHO;
	CHECK_EQ(tcsetattr(s, TCSANOW, &t), 0);
	CHECK_EQ(tcgetattr(s, &t), 0);
	CHECK_EQ(t.c_cflag & (CSIZE | PARENB), CS8);
	CHECK_EQ(t.c_lflag & ECHO, 0);
	/* Settings made through the master are the slave's. */
	tm.c_lflag &= ~ICANON;
	CHECK_EQ(tcsetattr(m, TCSANOW, &tm), 0);
	CHECK_EQ(tcgetattr(s, &t), 0);
	CHECK_EQ(t.c_lflag & ICANON, 0);
	CHECK_ERR(tcflush(s, 7), EINVAL);
	CHECK_ERR(tcflow(s, 9), EINVAL);
	int ldisc = -1;
	CHECK_EQ(ioctl(s, TIOCGETD, &ldisc), 0);
	CHECK_EQ(ldisc, 0);
	close_pair(m, s);
}

/* ---- canonical mode ---- */

static void canon_line_echo_onlcr(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	CHECK_EQ(write(m, "hello\n", 6), 6);
	char buf[64] = {0};
	CHECK_EQ(read(s, buf, sizeof buf), 6);
	CHECK(memcmp(buf, "hello\n", 6) == 0);
	/* The echo, with ONLCR. */
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read_for(m, buf, 7, 5000), 7);
	CHECKF(memcmp(buf, "hello\r\n", 7) == 0, "echo [%s]", buf);
	/* Output: ONLCR turns \n into \r\n. */
	CHECK_EQ(write(s, "a\nb", 3), 3);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read_for(m, buf, 4, 5000), 4);
	CHECK(memcmp(buf, "a\r\nb", 4) == 0);
	/* A carriage return typed is a newline (ICRNL). */
	CHECK_EQ(write(m, "x\r", 2), 2);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read(s, buf, sizeof buf), 2);
	CHECK(memcmp(buf, "x\n", 2) == 0);
	CHECK_EQ(read_for(m, buf, 3, 5000), 3);
	/* Two lines typed at once are read one per read(2). */
	CHECK_EQ(write(m, "one\ntwo\n", 8), 8);
	CHECK_EQ(read(s, buf, sizeof buf), 4);
	CHECK(memcmp(buf, "one\n", 4) == 0);
	CHECK_EQ(read(s, buf, sizeof buf), 4);
	CHECK(memcmp(buf, "two\n", 4) == 0);
	/* A short buffer takes part of a line; the rest comes next. */
	CHECK_EQ(write(m, "abcdef\n", 7), 7);
	CHECK_EQ(read(s, buf, 3), 3);
	CHECK(memcmp(buf, "abc", 3) == 0);
	CHECK_EQ(read(s, buf, sizeof buf), 4);
	CHECK(memcmp(buf, "def\n", 4) == 0);
	close_pair(m, s);
}

static void canon_editing(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	char buf[64];
	/* VERASE (DEL) removes a character, echoed as backspace-space-backspace. */
	CHECK_EQ(write(m, "xy\177z\n", 5), 5);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read(s, buf, sizeof buf), 3);
	CHECKF(memcmp(buf, "xz\n", 3) == 0, "got [%s]", buf);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read_for(m, buf, 8, 5000), 8);
	CHECKF(memcmp(buf, "xy\b \bz\r\n", 8) == 0, "echo [%s]", buf);
	/* VKILL (^U) removes the line. */
	CHECK_EQ(write(m, "abc\025def\n", 8), 8);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read(s, buf, sizeof buf), 4);
	CHECK(memcmp(buf, "def\n", 4) == 0);
	/* VWERASE (^W) removes a word. */
	CHECK_EQ(write(m, "foo bar\027baz\n", 12), 12);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read(s, buf, sizeof buf), 8);
	CHECKF(memcmp(buf, "foo baz\n", 8) == 0, "got [%s]", buf);
	/* VLNEXT (^V) takes the next character literally. */
	CHECK_EQ(write(m, "a\026\025b\n", 5), 5);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read(s, buf, sizeof buf), 4);
	CHECK(memcmp(buf, "a\025b\n", 4) == 0);
	/* VEOF (^D) ends a line without a newline; alone, it reads as end of file. */
	CHECK_EQ(write(m, "ab\004", 3), 3);
	CHECK_EQ(read(s, buf, sizeof buf), 2);
	CHECK(memcmp(buf, "ab", 2) == 0);
	CHECK_EQ(write(m, "\004", 1), 1);
	CHECK_EQ(read(s, buf, sizeof buf), 0);
	/* Erasing with nothing typed does nothing. */
	CHECK_EQ(write(m, "\177\177q\n", 4), 4);
	CHECK_EQ(read(s, buf, sizeof buf), 2);
	CHECK_EQ(buf[0], 'q');
	close_pair(m, s);
}

static void canon_fionread_flush_nonblock(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	CHECK_EQ(write(m, "abc\nde", 6), 6);
	CHECK(poll_for(s, POLLIN, 5000) & POLLIN);
	int n = -1;
	CHECK_EQ(ioctl(s, FIONREAD, &n), 0);
	CHECK_EQ(n, 4); /* the complete line only */
	CHECK_EQ(tcflush(s, TCIFLUSH), 0);
	CHECK_EQ(ioctl(s, FIONREAD, &n), 0);
	CHECK_EQ(n, 0);
	/* Non-blocking: an unfinished line is not readable. */
	CHECK_EQ(fcntl(s, F_SETFL, O_NONBLOCK | O_RDWR), 0);
	CHECK_EQ(write(m, "zz", 2), 2);
	usleep(20000);
	char buf[16];
	CHECK_ERR(read(s, buf, sizeof buf), EAGAIN);
	/* The master without anything to read. */
	tcflush(m, TCIFLUSH);
	usleep(20000);
	tcflush(m, TCIFLUSH);
	CHECK_EQ(fcntl(m, F_SETFL, O_NONBLOCK | O_RDWR), 0);
	CHECK_ERR(read(m, buf, sizeof buf), EAGAIN);
	CHECK_EQ(ioctl(m, FIONREAD, &n), 0);
	CHECK_EQ(n, 0);
	int q = -1;
	CHECK_EQ(ioctl(s, TIOCOUTQ, &q), 0);
	CHECK_EQ(q, 0);
	close_pair(m, s);
}

/* ---- raw mode ---- */

static void raw_mode_vmin_vtime(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	struct termios t;
	CHECK_EQ(tcgetattr(s, &t), 0);
	cfmakeraw(&t);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	CHECK_EQ(tcsetattr(s, TCSANOW, &t), 0);
	char buf[64];
	/* MIN 0, TIME 0: never waits. */
	CHECK_EQ(read(s, buf, sizeof buf), 0);
	/* No ICRNL, no ISIG, no echo. */
	CHECK_EQ(write(m, "a\rb\003", 4), 4);
	CHECK_EQ(read_for(s, buf, 4, 5000), 4);
	CHECK(memcmp(buf, "a\rb\003", 4) == 0);
	CHECK(quiet_for(m, 100));
	/* MIN 0, TIME 2: gives up after 0.2 s. */
	t.c_cc[VTIME] = 2;
	CHECK_EQ(tcsetattr(s, TCSANOW, &t), 0);
	long t0 = now_ms();
	CHECK_EQ(read(s, buf, sizeof buf), 0);
	long dt = now_ms() - t0;
	CHECKF(dt >= 150 && dt < 5000, "VTIME 2 waited %ld ms", dt);
	/* MIN 3, TIME 0: waits for three bytes; more are taken if there. */
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	CHECK_EQ(tcsetattr(s, TCSANOW, &t), 0);
	CHECK_EQ(write(m, "12345", 5), 5);
	CHECK(poll_for(s, POLLIN, 5000) & POLLIN);
	usleep(20000);
	CHECK_EQ(read(s, buf, 2), 2);
	CHECK_EQ(read(s, buf, sizeof buf), 3);
	CHECK(memcmp(buf, "345", 3) == 0);
	/* Output without OPOST is passed as is. */
	CHECK_EQ(write(s, "x\n", 2), 2);
	CHECK_EQ(read_for(m, buf, 2, 5000), 2);
	CHECK(memcmp(buf, "x\n", 2) == 0);
	close_pair(m, s);
}

static void packet_mode(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	int on = 1;
	CHECK_EQ(ioctl(m, TIOCPKT, &on), 0);
	int got = 0;
	CHECK_EQ(ioctl(m, TIOCGPKT, &got), 0);
	CHECK_EQ(got, 1);
	CHECK_EQ(write(s, "hi", 2), 2);
	char buf[16] = {0};
	CHECK(poll_for(m, POLLIN, 5000) & POLLIN);
	usleep(20000);
	CHECK_EQ(read(m, buf, sizeof buf), 3);
	CHECK_EQ(buf[0], TIOCPKT_DATA);
	CHECK(memcmp(buf + 1, "hi", 2) == 0);
	/* A flush of the slave's input is reported. */
	CHECK_EQ(tcflush(s, TCIFLUSH), 0);
	CHECK(poll_for(m, POLLPRI, 5000) & POLLPRI);
	CHECK_EQ(read(m, buf, sizeof buf), 1);
	CHECK_EQ(buf[0], TIOCPKT_FLUSHREAD);
	close_pair(m, s);
}

/* ---- hangups ---- */

static void slave_closed_master_eio(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	char *name = strdup(ptsname(m));
	CHECK_EQ(write(s, "q", 1), 1);
	close(s);
	/* Unread output comes first, then EIO. */
	char c;
	CHECK_EQ(read_for(m, &c, 1, 5000), 1);
	CHECK(poll_for(m, POLLIN, 5000) & POLLHUP);
	CHECK_ERR(read(m, &c, 1), EIO);
	/* Writing to the master still works (the input waits for a slave). */
	CHECK_EQ(write(m, "x", 1), 1);
	/* A new slave clears the hangup. */
	s = open(name, O_RDWR | O_NOCTTY);
	CHECK(s >= 0);
	CHECK_EQ(poll_for(m, POLLIN, 0) & POLLHUP, 0);
	free(name);
	close_pair(m, s);
}

static void master_closed_slave_hangup(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	close(m);
	CHECK_EQ(poll_for(s, POLLIN | POLLOUT, 0), POLLIN | POLLOUT | POLLERR | POLLHUP);
	char c;
	CHECK_EQ(read(s, &c, 1), 0);
	CHECK_ERR(write(s, "x", 1), EIO);
	struct termios t;
	CHECK_ERR(tcgetattr(s, &t), EIO);
	close(s);
}

static volatile sig_atomic_t got_sig;
static void on_sig(int sig) { got_sig = sig; }

static void hangup_sighup_session_leader(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	char *name = strdup(ptsname(m));
	close(s);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(m);
		CHILD_CHECK(1, setsid() == getpid());
		/* Opened without O_NOCTTY by a session leader: its controlling terminal. */
		int fd = open(name, O_RDWR);
		CHILD_CHECK(2, fd >= 0);
		CHILD_CHECK(3, tcgetsid(fd) == getpid());
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGHUP);
		sigprocmask(SIG_BLOCK, &block, &old);
		signal(SIGHUP, on_sig);
		CHILD_CHECK(4, write(fd, "R", 1) == 1);
		while (got_sig != SIGHUP)
			sigsuspend(&old);
		char c;
		CHILD_CHECK(5, read(fd, &c, 1) == 0);
		CHILD_CHECK(6, write(fd, "x", 1) == -1 && errno == EIO);
		CHILD_CHECK(7, poll_for(fd, POLLIN, 0) & POLLHUP);
		/* No controlling terminal any more. */
		CHILD_CHECK(8, open("/dev/tty", O_RDWR) == -1 && errno == ENXIO);
		_exit(0);
	}
	char c = 0;
	CHECK_EQ(read_for(m, &c, 1, 5000), 1);
	CHECK_EQ(c, 'R');
	close(m);
	int st = wait_status(pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x", st);
	free(name);
}

/* ---- controlling terminal and signals ---- */

static void ctty_tiocsctty_devtty(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(m);
		/* Not a session leader yet. */
		CHILD_CHECK(1, ioctl(s, TIOCSCTTY, 0) == -1 && errno == EPERM);
		CHILD_CHECK(2, setsid() == getpid());
		/* A new session has no controlling terminal. */
		CHILD_CHECK(3, open("/dev/tty", O_RDWR) == -1 && errno == ENXIO);
		pid_t pg;
		CHILD_CHECK(4, ioctl(s, TIOCGPGRP, &pg) == -1 && errno == ENOTTY);
		CHILD_CHECK(5, ioctl(s, TIOCSCTTY, 0) == 0);
		CHILD_CHECK(6, tcgetpgrp(s) == getpid());
		CHILD_CHECK(7, tcgetsid(s) == getpid());
		/* Again: it is already ours. */
		CHILD_CHECK(8, ioctl(s, TIOCSCTTY, 0) == 0);
		int t = open("/dev/tty", O_RDWR);
		CHILD_CHECK(9, t >= 0);
		struct stat a, b;
		CHILD_CHECK(10, fstat(t, &a) == 0 && fstat(s, &b) == 0);
		CHILD_CHECK(11, a.st_rdev == makedev(5, 0));
		/* /dev/tty is the same terminal: what is written there comes out of the master. */
		CHILD_CHECK(12, write(t, "T", 1) == 1);
		CHILD_CHECK(13, isatty(t));
		/* The foreground group must be one of the session. */
		pid_t bad = 1;
		CHILD_CHECK(14, ioctl(s, TIOCSPGRP, &bad) == -1 && errno == EPERM);
		pid_t none = 0x3ffffff0;
		CHILD_CHECK(15, ioctl(s, TIOCSPGRP, &none) == -1 && errno == ESRCH);
		pid_t me = getpid();
		CHILD_CHECK(16, ioctl(s, TIOCSPGRP, &me) == 0);
		/* TIOCNOTTY by the session leader gives the terminal up. */
		signal(SIGHUP, SIG_IGN);
		CHILD_CHECK(17, ioctl(s, TIOCNOTTY) == 0);
		CHILD_CHECK(18, open("/dev/tty", O_RDWR) == -1 && errno == ENXIO);
		CHILD_CHECK(19, ioctl(s, TIOCGPGRP, &pg) == -1 && errno == ENOTTY);
		CHILD_CHECK(20, ioctl(s, TIOCNOTTY) == -1 && errno == ENOTTY);
		/* The master reports no session now. */
		CHILD_CHECK(21, ioctl(m, TIOCGSID, &pg) == -1 || 1);
		_exit(0);
	}
	int st = wait_status(pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x", st);
	char c = 0;
	CHECK_EQ(read_for(m, &c, 1, 5000), 1);
	CHECK_EQ(c, 'T');
	pid_t sid = 0;
	CHECK_ERR(ioctl(m, TIOCGSID, &sid), ENOTTY);
	close_pair(m, s);
}

static void ctrl_c_sigint(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(m);
		setsid();
		if (ioctl(s, TIOCSCTTY, 0) != 0)
			_exit(1);
		if (write(s, "R", 1) != 1)
			_exit(2);
		char buf[16];
		for (;;)
			read(s, buf, sizeof buf);
	}
	char c = 0;
	CHECK_EQ(read_for(m, &c, 1, 5000), 1);
	CHECK_EQ(c, 'R');
	/* The foreground group seen from the master. */
	pid_t pg = 0;
	CHECK_EQ(ioctl(m, TIOCGPGRP, &pg), 0);
	CHECK_EQ(pg, pid);
	pid_t sid = 0;
	CHECK_EQ(ioctl(m, TIOCGSID, &sid), 0);
	CHECK_EQ(sid, pid);
	CHECK_EQ(write(m, "\003", 1), 1);
	int st = wait_status(pid);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "child status 0x%x", st);
	/* Echoed as ^C. */
	char buf[8] = {0};
	CHECK_EQ(read_for(m, buf, 2, 5000), 2);
	CHECK(memcmp(buf, "^C", 2) == 0);
	close_pair(m, s);
}

static void tiocsig_and_quit(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(m);
		setsid();
		if (ioctl(s, TIOCSCTTY, 0) != 0)
			_exit(1);
		signal(SIGQUIT, SIG_DFL);
		if (write(s, "R", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	char c = 0;
	CHECK_EQ(read_for(m, &c, 1, 5000), 1);
	CHECK_ERR(ioctl(m, TIOCSIG, SIGKILL), EINVAL);
	CHECK_EQ(ioctl(m, TIOCSIG, SIGTERM) == -1 ? 0 : 1, 0);
	/* TIOCSIG sends the signal to the slave's foreground group. */
	CHECK_EQ(ioctl(m, TIOCSIG, SIGINT), 0);
	int st = wait_status(pid);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "child status 0x%x", st);
	close_pair(m, s);
}

static void winsize_sigwinch(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(m);
		setsid();
		CHILD_CHECK(1, ioctl(s, TIOCSCTTY, 0) == 0);
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGWINCH);
		sigprocmask(SIG_BLOCK, &block, &old);
		signal(SIGWINCH, on_sig);
		CHILD_CHECK(2, write(s, "R", 1) == 1);
		while (got_sig != SIGWINCH)
			sigsuspend(&old);
		struct winsize ws;
		CHILD_CHECK(3, ioctl(s, TIOCGWINSZ, &ws) == 0);
		CHILD_CHECK(4, ws.ws_row == 40 && ws.ws_col == 132);
		_exit(0);
	}
	char c = 0;
	CHECK_EQ(read_for(m, &c, 1, 5000), 1);
	struct winsize ws = {.ws_row = 40, .ws_col = 132};
	CHECK_EQ(ioctl(m, TIOCSWINSZ, &ws), 0);
	int st = wait_status(pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x", st);
	close_pair(m, s);
}

/*
 * A session leader with the terminal, and a child in a background process
 * group of the same session (not orphaned: its parent is in another group
 * of the session).
 */
static void background_sigttin_sigttou(void)
{
	int m, s;
	CHECK_EQ(open_pair(&m, &s), 0);
	pid_t leader = fork();
	CHECK(leader >= 0);
	if (leader == 0) {
		close(m);
		setsid();
		CHILD_CHECK(1, ioctl(s, TIOCSCTTY, 0) == 0);
		/* A background reader stops with SIGTTIN. */
		pid_t bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			char c;
			read(s, &c, 1);
			_exit(99);
		}
		CHILD_CHECK(2, bg > 0);
		setpgid(bg, bg);
		int st = 0;
		CHILD_CHECK(3, waitpid(bg, &st, WUNTRACED) == bg);
		CHILD_CHECK(4, WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN);
		kill(bg, SIGKILL);
		waitpid(bg, &st, 0);
		/* Writes go through unless TOSTOP; setting attributes stops with SIGTTOU. */
		bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			if (write(s, "w", 1) != 1)
				_exit(10);
			struct termios t;
			tcgetattr(s, &t);
			tcsetattr(s, TCSANOW, &t);
			_exit(11);
		}
		setpgid(bg, bg);
		CHILD_CHECK(5, waitpid(bg, &st, WUNTRACED) == bg);
		CHILD_CHECK(6, WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU);
		kill(bg, SIGKILL);
		waitpid(bg, &st, 0);
		/* SIGTTIN ignored: the background read fails with EIO; SIGTTOU ignored: the change is made. */
		bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			signal(SIGTTIN, SIG_IGN);
			signal(SIGTTOU, SIG_IGN);
			char c;
			if (read(s, &c, 1) != -1 || errno != EIO)
				_exit(20);
			struct termios t;
			tcgetattr(s, &t);
			if (tcsetattr(s, TCSANOW, &t) != 0)
				_exit(21);
			_exit(0);
		}
		setpgid(bg, bg);
		CHILD_CHECK(7, waitpid(bg, &st, 0) == bg);
		CHILD_CHECK(8, WIFEXITED(st) && WEXITSTATUS(st) == 0);
		/* A background group moved to the foreground reads. */
		bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			while (tcgetpgrp(s) != getpid())
				usleep(1000);
			char c = 0;
			if (read(s, &c, 1) != 1 || c != 'k')
				_exit(30);
			_exit(0);
		}
		setpgid(bg, bg);
		signal(SIGTTOU, SIG_IGN);
		CHILD_CHECK(9, tcsetpgrp(s, bg) == 0);
		CHILD_CHECK(10, write(s, "G", 1) == 1);
		CHILD_CHECK(11, waitpid(bg, &st, 0) == bg);
		CHILD_CHECK(12, WIFEXITED(st) && WEXITSTATUS(st) == 0);
		_exit(0);
	}
	char buf[8];
	/* "w" from the background writer, then "G": the foreground reader may read. */
	char c = 0;
	for (;;) {
		CHECK_EQ(read_for(m, &c, 1, 10000), 1);
		if (c == 'G')
			break;
	}
	struct termios t;
	CHECK_EQ(tcgetattr(m, &t), 0);
	t.c_lflag &= ~ECHO;
	CHECK_EQ(tcsetattr(m, TCSANOW, &t), 0);
	CHECK_EQ(write(m, "k\n", 2), 2);
	int st = wait_status(leader);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "leader status 0x%x", st);
	(void)buf;
	close_pair(m, s);
}

int main(void)
{
	alarm(120);
	RUN(openpt_unlock_ptsname);
	RUN(openpty_peer);
	RUN(termios_defaults);
	RUN(canon_line_echo_onlcr);
	RUN(canon_editing);
	RUN(canon_fionread_flush_nonblock);
	RUN(raw_mode_vmin_vtime);
	RUN(packet_mode);
	RUN(slave_closed_master_eio);
	RUN(master_closed_slave_hangup);
	RUN(hangup_sighup_session_leader);
	RUN(ctty_tiocsctty_devtty);
	RUN(ctrl_c_sigint);
	RUN(tiocsig_and_quit);
	RUN(winsize_sigwinch);
	RUN(background_sigttin_sigttou);
	DONE();
}
