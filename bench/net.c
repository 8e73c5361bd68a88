/*
 * bench/net.c: pipe and socket micro-benchmarks, timed inside the program.
 *
 *     net [-m MIB] [-r ROUNDS]
 *
 * Prints one line per benchmark: "NAME NS", like bench/syscalls.c. Each
 * benchmark runs between this process and a forked child:
 *
 *   TRANSPORT_tput  the child writes MIB MiB (default 64) in 64 KiB write(2)s,
 *                   the parent reads them in 64 KiB read(2)s; ns per MiB
 *                   (MB/s = 1048576e3 / ns)
 *   TRANSPORT_rtt   ROUNDS (default 20000) round trips of one byte: the
 *                   parent writes a byte, the child reads it and writes it
 *                   back, the parent reads it; ns per round trip. A tenth of
 *                   them runs first as a warm-up.
 *
 * TRANSPORT is pipe (two pipes for the round trips), unix (a socketpair(2)
 * AF_UNIX SOCK_STREAM) and tcp (a loopback connection to 127.0.0.1 through
 * listen/accept, TCP_NODELAY). The timer is clock_gettime(CLOCK_MONOTONIC).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 << 10)
#define MIB (1 << 20)

static char buf[CHUNK];

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "net: error: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void report(const char *transport, const char *name, double ns)
{
	printf("%s_%s %.1f\n", transport, name, ns);
	fflush(stdout);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Reads exactly n bytes (fails on EOF). */
static void read_all(int fd, char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (r == 0) {
			errno = EPIPE;
			die("read: early EOF");
		}
		p += r;
		n -= (size_t)r;
	}
}

static void wait_child(pid_t pid)
{
	int status;
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = ECHILD;
		die("child failed");
	}
}

/* Throughput: the child writes MIB MiB to wfd; the parent reads them from rfd. */
static void bench_tput(const char *transport, int rfd, int wfd, long mib)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(rfd);
		memset(buf, 'x', sizeof(buf));
		for (long i = 0; i < mib * (MIB / CHUNK); i++)
			write_all(wfd, buf, CHUNK);
		close(wfd);
		_exit(0);
	}
	close(wfd);
	long long want = (long long)mib * MIB, got = 0;
	double t0 = now_ns();
	for (;;) {
		ssize_t r = read(rfd, buf, CHUNK);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (r == 0)
			break;
		got += r;
	}
	double t1 = now_ns();
	close(rfd);
	wait_child(pid);
	if (got != want) {
		errno = EIO;
		die("short transfer");
	}
	report(transport, "tput", (t1 - t0) / (double)mib);
}

/* Round trips: the parent writes a byte on pfd and reads it back; the child echoes on cfd. */
static void bench_rtt(const char *transport, int p_r, int p_w, int c_r, int c_w, long rounds)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	long warm = rounds / 10;
	if (pid == 0) {
		close(p_r);
		if (p_w != p_r)
			close(p_w);
		char c;
		for (long i = 0; i < warm + rounds; i++) {
			read_all(c_r, &c, 1);
			write_all(c_w, &c, 1);
		}
		_exit(0);
	}
	close(c_r);
	if (c_w != c_r)
		close(c_w);
	char c = 'p';
	for (long i = 0; i < warm; i++) {
		write_all(p_w, &c, 1);
		read_all(p_r, &c, 1);
	}
	double t0 = now_ns();
	for (long i = 0; i < rounds; i++) {
		write_all(p_w, &c, 1);
		read_all(p_r, &c, 1);
	}
	double t1 = now_ns();
	close(p_r);
	if (p_w != p_r)
		close(p_w);
	wait_child(pid);
	report(transport, "rtt", (t1 - t0) / (double)rounds);
}

static void nodelay(int fd)
{
	int one = 1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		die("setsockopt(TCP_NODELAY)");
}

/* A connected loopback TCP pair: fds[0] the accepted end, fds[1] the connecting one. */
static void tcp_pair(int fds[2])
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		die("socket");
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 1) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) != 0)
		die("bind/listen");
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0)
		die("accept");
	close(l);
	nodelay(s);
	nodelay(c);
	fds[0] = s;
	fds[1] = c;
}

int main(int argc, char **argv)
{
	long mib = 64, rounds = 20000;
	int opt;
	while ((opt = getopt(argc, argv, "m:r:")) != -1) {
		if (opt == 'm')
			mib = atol(optarg);
		else if (opt == 'r')
			rounds = atol(optarg);
		else {
			fprintf(stderr, "usage: net [-m MIB] [-r ROUNDS]\n");
			return 2;
		}
	}
	if (mib < 1 || rounds < 10) {
		fprintf(stderr, "net: -m must be >= 1 and -r >= 10\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	int p[2], q[2];
	if (pipe(p) != 0)
		die("pipe");
	bench_tput("pipe", p[0], p[1], mib);
	if (pipe(p) != 0 || pipe(q) != 0)
		die("pipe");
	/* parent writes p[1], child reads p[0]; child writes q[1], parent reads q[0] */
	bench_rtt("pipe", q[0], p[1], p[0], q[1], rounds);

	int s[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) != 0)
		die("socketpair");
	bench_tput("unix", s[0], s[1], mib);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) != 0)
		die("socketpair");
	bench_rtt("unix", s[0], s[0], s[1], s[1], rounds);

	tcp_pair(s);
	bench_tput("tcp", s[0], s[1], mib);
	tcp_pair(s);
	bench_rtt("tcp", s[0], s[0], s[1], s[1], rounds);
	return 0;
}
