/*
 * socket_unix.c: AF_UNIX sockets (man 7 unix): socket/socketpair flags,
 * stream, datagram and seqpacket semantics, binding to paths (a socket inode),
 * abstract names and autobind, listen/accept/connect with their errors,
 * shutdown and EOF, EPIPE/SIGPIPE, SCM_RIGHTS and SCM_CREDENTIALS,
 * SO_PEERCRED, socket options, poll readiness, FIONREAD/SIOCOUTQ, fstat and
 * /proc/self/fd, and a forked server and client.
 *
 * Runs in a fresh directory under /tmp that it removes at the end (natively
 * the host's /tmp; under tsvisor the sandbox's own). Run as root natively.
 */
#include "check.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

static char dir[64];

static socklen_t path_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	size_t n = strlen(name);
	memcpy(a->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int sigpipes;
static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static short revents(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

static void socket_create(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(s >= 0);
	CHECK((fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
	CHECK_EQ(fcntl(s, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK_EQ(fcntl(s, F_GETFD), FD_CLOEXEC);
	int v = -1;
	socklen_t l = sizeof(v);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
	CHECK_EQ(v, SOCK_STREAM);
	CHECK_EQ(l, 4);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l));
	CHECK_EQ(v, AF_UNIX);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l));
	CHECK_EQ(v, 0);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &l));
	CHECK_EQ(v, 0);
	close(s);
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM | 0x100, 0), EINVAL);
	CHECK_ERR(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
	CHECK_ERR(socket(1000, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(socket(AF_UNIX, 12, 0), EINVAL);
	/* SOCK_RAW is taken as SOCK_DGRAM. */
	s = socket(AF_UNIX, SOCK_RAW, 0);
	CHECK(s >= 0);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
	CHECK_EQ(v, SOCK_DGRAM);
	close(s);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(listen(p[0], 1), ENOTSOCK);
	CHECK_ERR(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &l), ENOTSOCK);
	CHECK_ERR(listen(999, 1), EBADF);
	close(p[0]);
	close(p[1]);
}

static void socket_fstat(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(s >= 0);
	struct stat st;
	CHECK_OK(fstat(s, &st));
	CHECK_EQ(st.st_mode, S_IFSOCK | 0777);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_size, 0);
	char link[64], want[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", s);
	char buf[64] = {0};
	CHECK(readlink(link, buf, sizeof(buf) - 1) > 0);
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	CHECKF(strcmp(buf, want) == 0, "link %s, want %s", buf, want);
	CHECK_ERR(lseek(s, 0, SEEK_SET), ESPIPE);
	char c;
	CHECK_ERR(pread(s, &c, 1, 0), ESPIPE);
	close(s);
}

static void stream_pair(void)
{
	int sv[2] = {-1, -1};
	CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM | 0x100, 0, sv), EINVAL);
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_EQ(write(sv[0], "hello", 5), 5);
	CHECK_EQ(write(sv[0], "world", 5), 5);
	char buf[32] = {0};
	/* A stream read takes what is there, across writes. */
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 10);
	CHECK(memcmp(buf, "helloworld", 10) == 0);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), -1);
	CHECK_EQ(errno, EAGAIN);
	/* PEEK leaves the data. */
	CHECK_EQ(send(sv[1], "abc", 3, 0), 3);
	CHECK_EQ(recv(sv[0], buf, 2, MSG_PEEK), 2);
	CHECK_EQ(recv(sv[0], buf, sizeof(buf), 0), 3);
	CHECK(memcmp(buf, "abc", 3) == 0);
	/* readv / writev */
	struct iovec iov[2] = {{"12", 2}, {"345", 3}};
	CHECK_EQ(writev(sv[0], iov, 2), 5);
	char a[2], b[10];
	struct iovec riov[2] = {{a, 2}, {b, 10}};
	CHECK_EQ(readv(sv[1], riov, 2), 5);
	CHECK(memcmp(a, "12", 2) == 0 && memcmp(b, "345", 3) == 0);
	/* Names of a pair: the family only. */
	struct sockaddr_un un;
	socklen_t l = sizeof(un);
	CHECK_OK(getsockname(sv[0], (struct sockaddr *)&un, &l));
	CHECK_EQ(l, 2);
	CHECK_EQ(un.sun_family, AF_UNIX);
	l = sizeof(un);
	CHECK_OK(getpeername(sv[0], (struct sockaddr *)&un, &l));
	CHECK_EQ(l, 2);
	close(sv[0]);
	/* EOF after the peer closed. */
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 0);
	close(sv[1]);
}

static void stream_shutdown(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_ERR(shutdown(sv[0], 7), EINVAL);
	CHECK_OK(shutdown(sv[0], SHUT_WR));
	char buf[8];
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 0);
	/* The other way still works. */
	CHECK_EQ(write(sv[1], "x", 1), 1);
	CHECK_EQ(read(sv[0], buf, sizeof(buf)), 1);
	CHECK_EQ(send(sv[0], "y", 1, MSG_NOSIGNAL), -1);
	CHECK_EQ(errno, EPIPE);
	CHECK_OK(shutdown(sv[1], SHUT_RD));
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 0);
	close(sv[0]);
	close(sv[1]);
	/* shutdown of an unconnected unix socket succeeds. */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(shutdown(s, SHUT_RDWR));
	close(s);
}

static void stream_epipe(void)
{
	struct sigaction sa = {0}, old;
	sa.sa_handler = on_sigpipe;
	sigaction(SIGPIPE, &sa, &old);
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	close(sv[1]);
	sigpipes = 0;
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_EQ(sigpipes, 0);
	CHECK_ERR(write(sv[0], "x", 1), EPIPE);
	CHECK_EQ(sigpipes, 1);
	close(sv[0]);
	/* Unread data on close: the peer's read gets ECONNRESET after its data. */
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_EQ(write(sv[0], "q", 1), 1);
	CHECK_EQ(write(sv[1], "zz", 2), 2);
	close(sv[1]);
	char buf[8];
	CHECK_EQ(read(sv[0], buf, sizeof(buf)), 2);
	CHECK_ERR(read(sv[0], buf, sizeof(buf)), ECONNRESET);
	CHECK_EQ(read(sv[0], buf, sizeof(buf)), 0);
	close(sv[0]);
	sigaction(SIGPIPE, &old, NULL);
}

static void dgram_pair(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	CHECK_EQ(send(sv[0], "one", 3, 0), 3);
	CHECK_EQ(send(sv[0], "twotwo", 6, 0), 6);
	CHECK_EQ(send(sv[0], "", 0, 0), 0);
	int n = -1;
	CHECK_OK(ioctl(sv[1], FIONREAD, &n));
	CHECK_EQ(n, 3);
	char buf[32];
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), 0), 3);
	/* A short buffer truncates the datagram; MSG_TRUNC gives its real size. */
	CHECK_EQ(recv(sv[1], buf, 2, MSG_PEEK | MSG_TRUNC), 6);
	struct msghdr mh = {0};
	struct iovec iov = {buf, 2};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 2);
	CHECK_EQ(mh.msg_flags, MSG_TRUNC);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), 0), 0);
	CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* SIOCOUTQ counts what the peer has not read. */
	CHECK_EQ(send(sv[0], "abc", 3, 0), 3);
	CHECK_OK(ioctl(sv[0], SIOCOUTQ, &n));
	CHECK(n > 0);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), 0), 3);
	CHECK_OK(ioctl(sv[0], SIOCOUTQ, &n));
	CHECK_EQ(n, 0);
	/* The peer gone: ECONNREFUSED, then not connected. */
	close(sv[1]);
	CHECK_ERR(send(sv[0], "x", 1, 0), ECONNREFUSED);
	CHECK_ERR(send(sv[0], "x", 1, 0), ENOTCONN);
	close(sv[0]);
}

static void seqpacket(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	CHECK_EQ(send(sv[0], "record1", 7, 0), 7);
	CHECK_EQ(send(sv[0], "r2", 2, 0), 2);
	int n;
	CHECK_OK(ioctl(sv[1], FIONREAD, &n));
	CHECK_EQ(n, 9);
	char buf[32];
	struct msghdr mh = {0};
	struct iovec iov = {buf, 3};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 3);
	CHECK_EQ(mh.msg_flags & MSG_TRUNC, MSG_TRUNC);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), 0), 2);
	CHECK(memcmp(buf, "r2", 2) == 0);
	close(sv[0]);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), 0), 0);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0);
	CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	close(sv[1]);
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR(send(s, "x", 1, 0), ENOTCONN);
	CHECK_ERR(recv(s, buf, 1, 0), ENOTCONN);
	close(s);
}

static void bind_path(void)
{
	struct sockaddr_un a, b;
	socklen_t al = path_addr(&a, "s1");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	mode_t old = umask(022);
	CHECK_OK(bind(s, (struct sockaddr *)&a, al));
	umask(old);
	struct stat st;
	CHECK_OK(stat(a.sun_path, &st));
	CHECK_EQ(st.st_mode, S_IFSOCK | 0755);
	/* Already bound: EINVAL (the new name is not left behind). */
	socklen_t bl = path_addr(&b, "s1b");
	CHECK_ERR(bind(s, (struct sockaddr *)&b, bl), EINVAL);
	CHECK_ERR(stat(b.sun_path, &st), ENOENT);
	/* The name exists: EADDRINUSE. */
	int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, al), EADDRINUSE);
	struct sockaddr_un got;
	socklen_t gl = sizeof(got);
	CHECK_OK(getsockname(s, (struct sockaddr *)&got, &gl));
	CHECK_EQ(gl, al);
	CHECK(strcmp(got.sun_path, a.sun_path) == 0);
	/* A short buffer gets a prefix and the full length. */
	gl = 4;
	memset(&got, 0, sizeof(got));
	CHECK_OK(getsockname(s, (struct sockaddr *)&got, &gl));
	CHECK_EQ(gl, al);
	CHECK_EQ(got.sun_path[2], 0);
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, 1), EINVAL);
	a.sun_family = AF_INET;
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, al), EINVAL);
	a.sun_family = AF_UNIX;
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, sizeof(a) + 1), EINVAL);
	CHECK_ERR(bind(s2, BAD_LOW, al), EFAULT);
	/* Nothing listens: ECONNREFUSED; no such file: ENOENT; wrong type: EPROTOTYPE. */
	CHECK_ERR(connect(s2, (struct sockaddr *)&a, al), ECONNREFUSED);
	socklen_t nl = path_addr(&b, "nonexistent");
	CHECK_ERR(connect(s2, (struct sockaddr *)&b, nl), ENOENT);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK(listen(s, 5));
	CHECK_ERR(connect(d, (struct sockaddr *)&a, al), EPROTOTYPE);
	/* A regular file is no socket. */
	nl = path_addr(&b, "plainfile");
	int f = open(b.sun_path, O_CREAT | O_WRONLY, 0666);
	close(f);
	CHECK_ERR(connect(s2, (struct sockaddr *)&b, nl), ECONNREFUSED);
	unlink(b.sun_path);
	close(d);
	close(s2);
	close(s);
	/* The file stays after close; binding it again is EADDRINUSE until it is unlinked. */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(s, (struct sockaddr *)&a, al), EADDRINUSE);
	CHECK_OK(unlink(a.sun_path));
	CHECK_OK(bind(s, (struct sockaddr *)&a, al));
	close(s);
	unlink(a.sun_path);
}

static void listen_accept(void)
{
	struct sockaddr_un a;
	socklen_t al = path_addr(&a, "srv");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(listen(s, 1), EINVAL); /* unbound */
	CHECK_OK(bind(s, (struct sockaddr *)&a, al));
	CHECK_ERR(accept(s, NULL, NULL), EINVAL); /* not listening */
	CHECK_OK(listen(s, 0));
	int v;
	socklen_t l = sizeof(v);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &l));
	CHECK_EQ(v, 1);
	CHECK_EQ(revents(s, POLLIN | POLLOUT), 0);
	/* backlog 0 holds one connection; the next non-blocking connect is EAGAIN. */
	int c1 = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un cb;
	socklen_t cbl = abstract_addr(&cb, "tsvisor-client-name");
	CHECK_OK(bind(c1, (struct sockaddr *)&cb, cbl));
	CHECK_OK(connect(c1, (struct sockaddr *)&a, al));
	int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_ERR(connect(c2, (struct sockaddr *)&a, al), EAGAIN);
	CHECK_EQ(revents(s, POLLIN), POLLIN);
	/* The client may write before accept. */
	CHECK_EQ(write(c1, "early", 5), 5);
	struct sockaddr_un peer;
	socklen_t pl = sizeof(peer);
	int a1 = accept4(s, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
	CHECK(a1 >= 0);
	CHECK_EQ(fcntl(a1, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(pl, cbl);
	CHECK(memcmp(peer.sun_path, cb.sun_path, cbl - 2) == 0);
	char buf[16];
	CHECK_EQ(read(a1, buf, sizeof(buf)), 5);
	/* Names: the accepted socket has the listener's; the client's peer is the listener's. */
	struct sockaddr_un got;
	socklen_t gl = sizeof(got);
	CHECK_OK(getsockname(a1, (struct sockaddr *)&got, &gl));
	CHECK_EQ(gl, al);
	gl = sizeof(got);
	CHECK_OK(getpeername(c1, (struct sockaddr *)&got, &gl));
	CHECK_EQ(gl, al);
	CHECK(strcmp(got.sun_path, a.sun_path) == 0);
	/* Now there is room (a connected socket finds that out before EISCONN). */
	CHECK_ERR(connect(c1, (struct sockaddr *)&a, al), EISCONN);
	CHECK_OK(connect(c2, (struct sockaddr *)&a, al));
	int a2 = accept(s, NULL, NULL);
	CHECK(a2 >= 0);
	CHECK_ERR(accept4(s, NULL, NULL, 0x4), EINVAL);
	int ns = dup(s);
	fcntl(ns, F_SETFL, O_NONBLOCK);
	CHECK_ERR(accept(ns, NULL, NULL), EAGAIN);
	close(ns);
	/* Unconnected stream: recv EINVAL, send ENOTCONN, getpeername ENOTCONN. */
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(recv(u, buf, 1, 0), EINVAL);
	CHECK_ERR(send(u, buf, 1, 0), ENOTCONN);
	gl = sizeof(got);
	CHECK_ERR(getpeername(u, (struct sockaddr *)&got, &gl), ENOTCONN);
	CHECK_EQ(revents(u, POLLIN | POLLOUT), POLLOUT | POLLHUP);
	/* sendto with an address on a connected stream: EISCONN; unconnected: EOPNOTSUPP. */
	CHECK_ERR(sendto(c1, "x", 1, 0, (struct sockaddr *)&a, al), EISCONN);
	CHECK_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&a, al), EOPNOTSUPP);
	close(u);
	/* A listener closed with connections queued: the clients see ECONNRESET. */
	int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(connect(c3, (struct sockaddr *)&a, al));
	close(s);
	CHECK_ERR(read(c3, buf, 1), ECONNRESET);
	close(c3);
	close(a1);
	close(a2);
	close(c1);
	close(c2);
	unlink(a.sun_path);
}

static void abstract_names(void)
{
	struct sockaddr_un a;
	socklen_t al = abstract_addr(&a, "tsvisor-abstract-test");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(bind(s, (struct sockaddr *)&a, al));
	struct sockaddr_un got;
	socklen_t gl = sizeof(got);
	CHECK_OK(getsockname(s, (struct sockaddr *)&got, &gl));
	CHECK_EQ(gl, al);
	CHECK(memcmp(&got, &a, al) == 0);
	int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, al), EADDRINUSE);
	/* Each socket type has its own abstract namespace. */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK(bind(d, (struct sockaddr *)&a, al));
	/* A name that differs only in length is another name. */
	CHECK_OK(bind(s2, (struct sockaddr *)&a, al - 1));
	CHECK_OK(listen(s, 1));
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(connect(c, (struct sockaddr *)&a, al));
	close(c);
	c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, al), ECONNREFUSED);
	close(c);
	close(s);
	close(s2);
	close(d);
	/* Closed: the name is free again. */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(bind(s, (struct sockaddr *)&a, al));
	close(s);
}

static void autobind(void)
{
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(sa_family_t)));
	struct sockaddr_un got;
	socklen_t gl = sizeof(got);
	CHECK_OK(getsockname(s, (struct sockaddr *)&got, &gl));
	CHECK_EQ(gl, 8);
	CHECK_EQ(got.sun_path[0], 0);
	for (int i = 1; i < 6; i++)
		CHECKF(strchr("0123456789abcdef", got.sun_path[i]) != NULL, "autobind name byte %d is %d", i, got.sun_path[i]);
	/* Autobinding a bound socket does nothing. */
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(sa_family_t)));
	/* A datagram to the autobound name, from an unbound sender: no source address. */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_EQ(sendto(d, "hi", 2, 0, (struct sockaddr *)&got, gl), 2);
	struct sockaddr_un from;
	socklen_t fl = sizeof(from);
	char buf[8];
	CHECK_EQ(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 2);
	CHECK_EQ(fl, 0);
	/* With SO_PASSCRED, sending autobinds the sender. */
	int on = 1;
	CHECK_OK(setsockopt(d, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	CHECK_EQ(sendto(d, "hi", 2, 0, (struct sockaddr *)&got, gl), 2);
	fl = sizeof(from);
	CHECK_EQ(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 2);
	CHECK_EQ(fl, 8);
	close(d);
	close(s);
}

static void dgram_addressing(void)
{
	struct sockaddr_un a, b;
	socklen_t al = path_addr(&a, "dga");
	socklen_t bl = path_addr(&b, "dgb");
	int sa = socket(AF_UNIX, SOCK_DGRAM, 0), sb = socket(AF_UNIX, SOCK_DGRAM, 0), sc = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK(bind(sa, (struct sockaddr *)&a, al));
	CHECK_OK(bind(sb, (struct sockaddr *)&b, bl));
	CHECK_ERR(send(sc, "x", 1, 0), ENOTCONN);
	CHECK_EQ(sendto(sb, "from-b", 6, 0, (struct sockaddr *)&a, al), 6);
	struct sockaddr_un from;
	socklen_t fl = sizeof(from);
	char buf[16];
	CHECK_EQ(recvfrom(sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 6);
	CHECK_EQ(fl, bl);
	CHECK(strcmp(from.sun_path, b.sun_path) == 0);
	/* sa connected to sb: sc may not send to sa (EPERM) nor connect to it. */
	CHECK_OK(connect(sa, (struct sockaddr *)&b, bl));
	CHECK_ERR(sendto(sc, "x", 1, 0, (struct sockaddr *)&a, al), EPERM);
	CHECK_ERR(connect(sc, (struct sockaddr *)&a, al), EPERM);
	CHECK_EQ(send(sa, "to-b", 4, 0), 4);
	CHECK_EQ(recv(sb, buf, sizeof(buf), 0), 4);
	struct sockaddr_un got;
	socklen_t gl = sizeof(got);
	CHECK_OK(getpeername(sa, (struct sockaddr *)&got, &gl));
	CHECK_EQ(gl, bl);
	/* Disconnect with AF_UNSPEC. */
	struct sockaddr unspec = {.sa_family = AF_UNSPEC};
	CHECK_OK(connect(sa, &unspec, sizeof(unspec)));
	gl = sizeof(got);
	CHECK_ERR(getpeername(sa, (struct sockaddr *)&got, &gl), ENOTCONN);
	CHECK_EQ(sendto(sc, "x", 1, 0, (struct sockaddr *)&a, al), 1);
	/* A receiver with max_dgram_qlen (10) messages queued from strangers is full. */
	int nb = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int sent = 0;
	for (int i = 0; i < 100; i++) {
		if (sendto(nb, "y", 1, 0, (struct sockaddr *)&a, al) < 0) {
			CHECK_EQ(errno, EAGAIN);
			break;
		}
		sent++;
	}
	CHECK_EQ(sent, 10);
	CHECK_EQ(revents(sa, POLLIN), POLLIN);
	close(nb);
	close(sa);
	/* The name of a closed socket refuses. */
	CHECK_ERR(sendto(sc, "x", 1, 0, (struct sockaddr *)&a, al), ECONNREFUSED);
	close(sb);
	close(sc);
	unlink(a.sun_path);
	unlink(b.sun_path);
}

static int send_fds(int s, const int *fds, int n, const char *data)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 8)];
	memset(cbuf, 0, sizeof(cbuf));
	struct iovec iov = {(void *)data, strlen(data)};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
	return (int)sendmsg(s, &mh, 0);
}

static void scm_rights(void)
{
	int sv[2], p[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_OK(pipe(p));
	CHECK_EQ(send_fds(sv[0], p, 2, "fds"), 3);
	char data[8], cbuf[CMSG_SPACE(sizeof(int) * 2)];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	CHECK_EQ(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC), 3);
	CHECK_EQ(mh.msg_flags & MSG_CTRUNC, 0);
	CHECK_EQ(mh.msg_controllen, CMSG_SPACE(sizeof(int) * 2));
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	CHECK(cm != NULL);
	CHECK_EQ(cm->cmsg_level, SOL_SOCKET);
	CHECK_EQ(cm->cmsg_type, SCM_RIGHTS);
	CHECK_EQ(cm->cmsg_len, CMSG_LEN(sizeof(int) * 2));
	int got[2];
	memcpy(got, CMSG_DATA(cm), sizeof(got));
	CHECK(got[0] != p[0] && got[1] != p[1]);
	CHECK_EQ(fcntl(got[0], F_GETFD), FD_CLOEXEC);
	/* The received write end reaches the original read end. */
	CHECK_EQ(write(got[1], "pipe", 4), 4);
	char buf[8];
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 4);
	struct stat s1, s2;
	fstat(got[0], &s1);
	fstat(p[0], &s2);
	CHECK_EQ(s1.st_ino, s2.st_ino);
	close(got[0]);
	close(got[1]);
	/* Room for one descriptor: MSG_CTRUNC, the other is not installed. */
	CHECK_EQ(send_fds(sv[0], p, 2, "t"), 1);
	char small[CMSG_LEN(sizeof(int))];
	mh.msg_control = small;
	mh.msg_controllen = sizeof(small);
	int before = dup(0);
	close(before);
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 1);
	CHECK_EQ(mh.msg_flags & MSG_CTRUNC, MSG_CTRUNC);
	cm = CMSG_FIRSTHDR(&mh);
	CHECK(cm != NULL);
	CHECK_EQ(cm->cmsg_len, CMSG_LEN(sizeof(int)));
	memcpy(got, CMSG_DATA(cm), sizeof(int));
	CHECK_EQ(got[0], before);
	int next = dup(0);
	CHECK_EQ(next, before + 1);
	close(next);
	close(got[0]);
	/* No control buffer: MSG_CTRUNC. read(2) drops the descriptors. */
	CHECK_EQ(send_fds(sv[0], p, 1, "u"), 1);
	mh.msg_control = NULL;
	mh.msg_controllen = 0;
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 1);
	CHECK_EQ(mh.msg_flags & MSG_CTRUNC, MSG_CTRUNC);
	CHECK_EQ(send_fds(sv[0], p, 1, "v"), 1);
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 1);
	next = dup(0);
	CHECK_EQ(next, before);
	close(next);
	/* Bad descriptors: EBADF; too many: EINVAL. */
	int bad[1] = {999};
	CHECK_ERR(send_fds(sv[0], bad, 1, "w"), EBADF);
	/* A short cmsg_len: EINVAL. */
	char cb2[CMSG_SPACE(sizeof(int))] = {0};
	struct msghdr m2 = {0};
	struct iovec i2 = {"z", 1};
	m2.msg_iov = &i2;
	m2.msg_iovlen = 1;
	m2.msg_control = cb2;
	m2.msg_controllen = sizeof(cb2);
	cm = CMSG_FIRSTHDR(&m2);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = 4;
	CHECK_ERR(sendmsg(sv[0], &m2, 0), EINVAL);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_type = 77;
	CHECK_ERR(sendmsg(sv[0], &m2, 0), EINVAL);
	/* A socket can travel too: the received one is the same socket. */
	int sv2[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv2));
	CHECK_EQ(send_fds(sv[0], &sv2[0], 1, "s"), 1);
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 1);
	cm = CMSG_FIRSTHDR(&mh);
	memcpy(got, CMSG_DATA(cm), sizeof(int));
	close(sv2[0]);
	CHECK_EQ(send(got[0], "via", 3, 0), 3);
	CHECK_EQ(recv(sv2[1], buf, sizeof(buf), 0), 3);
	close(got[0]);
	close(sv2[1]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void scm_credentials(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	int on = 1;
	CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	int v;
	socklen_t l = sizeof(v);
	CHECK_OK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l));
	CHECK_EQ(v, 1);
	CHECK_EQ(send(sv[0], "c", 1, 0), 1);
	char data[4], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 1);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	CHECK(cm != NULL);
	CHECK_EQ(cm->cmsg_type, SCM_CREDENTIALS);
	CHECK_EQ(cm->cmsg_len, CMSG_LEN(sizeof(struct ucred)));
	struct ucred uc;
	memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
	CHECK_EQ(uc.pid, getpid());
	CHECK_EQ(uc.uid, getuid());
	CHECK_EQ(uc.gid, getgid());
	/* Explicit credentials: checked (no such pid: ESRCH; uid -1: EINVAL). */
	struct msghdr sm = {0};
	char sbuf[CMSG_SPACE(sizeof(struct ucred))] = {0};
	struct iovec siov = {"d", 1};
	sm.msg_iov = &siov;
	sm.msg_iovlen = 1;
	sm.msg_control = sbuf;
	sm.msg_controllen = sizeof(sbuf);
	cm = CMSG_FIRSTHDR(&sm);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	struct ucred mine = {getpid(), getuid(), getgid()};
	memcpy(CMSG_DATA(cm), &mine, sizeof(mine));
	CHECK_EQ(sendmsg(sv[0], &sm, 0), 1);
	mh.msg_controllen = sizeof(cbuf);
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 1);
	struct ucred bad = {getpid(), (uid_t)-1, getgid()};
	memcpy(CMSG_DATA(cm), &bad, sizeof(bad));
	CHECK_ERR(sendmsg(sv[0], &sm, 0), EINVAL);
	struct ucred nopid = {4000000, getuid(), getgid()};
	memcpy(CMSG_DATA(cm), &nopid, sizeof(nopid));
	CHECK_ERR(sendmsg(sv[0], &sm, 0), ESRCH);
	/* No control buffer with SO_PASSCRED: MSG_CTRUNC. */
	CHECK_EQ(send(sv[0], "e", 1, 0), 1);
	mh.msg_control = NULL;
	mh.msg_controllen = 0;
	CHECK_EQ(recvmsg(sv[1], &mh, 0), 1);
	CHECK_EQ(mh.msg_flags & MSG_CTRUNC, MSG_CTRUNC);
	close(sv[0]);
	close(sv[1]);
	/* SO_PEERCRED: the creator of a pair. */
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	l = sizeof(uc);
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &l));
	CHECK_EQ(l, sizeof(uc));
	CHECK_EQ(uc.pid, getpid());
	CHECK_EQ(uc.uid, geteuid());
	close(sv[0]);
	close(sv[1]);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	l = sizeof(uc);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l));
	CHECK_EQ(uc.pid, 0);
	CHECK_EQ(uc.uid, (uid_t)-1);
	close(s);
}

static void sockopts(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	int v = 10000;
	socklen_t l = sizeof(v);
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
	CHECK_EQ(v, 20000);
	v = 1;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
	CHECK_EQ(v, 4608);
	v = 1;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l));
	CHECK_EQ(v, 2304);
	v = 100000;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l));
	CHECK_EQ(v, 200000);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_SNDBUF, BAD_LOW, 4), EFAULT);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, 9999, &v, 4), ENOPROTOOPT);
	CHECK_ERR(getsockopt(s, SOL_SOCKET, 9999, &v, &l), ENOPROTOOPT);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, -1), EINVAL);
	l = -1;
	CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l), EINVAL);
	/* A short buffer gets a prefix. */
	unsigned char c = 0xee;
	l = 1;
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &c, &l));
	CHECK_EQ(l, 1);
	CHECK_EQ(c, SOCK_STREAM);
	/* Timeouts are kept in jiffies. */
	struct timeval tv = {0, 500000}, got;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	l = sizeof(got);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &l));
	CHECK_EQ(l, sizeof(got));
	CHECK_EQ(got.tv_sec, 0);
	CHECK_EQ(got.tv_usec, 500000);
	tv.tv_usec = 2000000;
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), EDOM);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, 8), EINVAL);
	struct linger lg = {1, 5}, lg2;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	l = sizeof(lg2);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg2, &l));
	CHECK_EQ(lg2.l_onoff, 1);
	CHECK_EQ(lg2.l_linger, 5);
	v = 1;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)));
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	l = sizeof(v);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &l));
	CHECK_EQ(v, 1);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &v, sizeof(v)), EOPNOTSUPP);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &l));
	CHECK_EQ(v, 0);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &v, &l));
	CHECK_EQ(v, 1);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDLOWAT, &v, &l));
	CHECK_EQ(v, 1);
	/* Protocol levels: a unix socket has none. */
	CHECK_ERR(setsockopt(s, IPPROTO_TCP, 1, &v, sizeof(v)), EOPNOTSUPP);
	CHECK_ERR(getsockopt(s, IPPROTO_TCP, 1, &v, &l), EOPNOTSUPP);
	close(s);
}

static void timeouts(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct timeval tv = {0, 100000};
	CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	char buf[4];
	double t0 = now();
	CHECK_ERR(recv(sv[0], buf, sizeof(buf), 0), EAGAIN);
	double dt = now() - t0;
	CHECKF(dt >= 0.09 && dt < 2.0, "SO_RCVTIMEO waited %.3fs", dt);
	/* MSG_WAITALL with a timeout returns what it got. */
	CHECK_EQ(write(sv[1], "ab", 2), 2);
	CHECK_EQ(recv(sv[0], buf, sizeof(buf), MSG_WAITALL), 2);
	close(sv[0]);
	close(sv[1]);
}

static void readiness(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_EQ(revents(sv[0], POLLIN | POLLOUT | POLLRDHUP), POLLOUT);
	CHECK_EQ(write(sv[1], "x", 1), 1);
	CHECK_EQ(revents(sv[0], POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT);
	int n;
	CHECK_OK(ioctl(sv[0], FIONREAD, &n));
	CHECK_EQ(n, 1);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = 7}, out[2];
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 1);
	CHECK_EQ(out[0].data.u32, 7);
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
	CHECK_EQ(write(sv[1], "y", 1), 1);
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 1);
	CHECK_OK(shutdown(sv[1], SHUT_WR));
	CHECK_EQ(revents(sv[0], POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP);
	close(sv[1]);
	CHECK_EQ(revents(sv[0], POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	close(ep);
	close(sv[0]);
	/* Filling the send buffer clears POLLOUT; EAGAIN when non-blocking. */
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
	static char big[65536];
	long total = 0;
	for (;;) {
		long r = write(sv[0], big, sizeof(big));
		if (r < 0) {
			CHECK_EQ(errno, EAGAIN);
			break;
		}
		total += r;
		CHECK(total < 64L << 20);
	}
	CHECK(total > 0);
	CHECK_EQ(revents(sv[0], POLLOUT), 0);
	int outq;
	CHECK_OK(ioctl(sv[0], SIOCOUTQ, &outq));
	CHECK(outq > 0);
	CHECK_OK(ioctl(sv[1], FIONREAD, &n));
	CHECK_EQ(n, total);
	while (read(sv[1], big, sizeof(big)) > 0)
		;
	CHECK_EQ(revents(sv[0], POLLOUT), POLLOUT);
	close(sv[0]);
	close(sv[1]);
}

/*
 * The file's owner (man 2 fcntl, "Managing signals"): F_SETOWN/F_GETOWN and
 * the socket ioctls FIOSETOWN/SIOCSPGRP/FIOGETOWN/SIOCGPGRP share it;
 * F_SETOWN_EX/F_GETOWN_EX, F_SETSIG/F_GETSIG; errors of f_setown.
 */
static void owner(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct f_owner_ex ex = {.type = -1, .pid = -1};
	CHECK_EQ(fcntl(sv[0], F_GETOWN), 0);
	CHECK_OK(fcntl(sv[0], F_GETOWN_EX, &ex));
	CHECK_EQ(ex.type, F_OWNER_TID);
	CHECK_EQ(ex.pid, 0);
	CHECK_EQ(fcntl(sv[0], F_GETSIG), 0);

	CHECK_OK(fcntl(sv[0], F_SETOWN, getpid()));
	CHECK_EQ(fcntl(sv[0], F_GETOWN), getpid());
	int who = 0;
	CHECK_OK(ioctl(sv[0], FIOGETOWN, &who));
	CHECK_EQ(who, getpid());
	CHECK_OK(fcntl(sv[0], F_GETOWN_EX, &ex));
	CHECK_EQ(ex.type, F_OWNER_PID);
	CHECK_EQ(ex.pid, getpid());
	/* dup shares the description, hence the owner; the peer has its own. */
	int d = dup(sv[0]);
	CHECK(d >= 0);
	CHECK_EQ(fcntl(d, F_GETOWN), getpid());
	close(d);
	CHECK_EQ(fcntl(sv[1], F_GETOWN), 0);

	/* A process group: negative. SIOCSPGRP takes the same argument. */
	who = -getpgrp();
	CHECK_OK(ioctl(sv[0], SIOCSPGRP, &who));
	CHECK_EQ(fcntl(sv[0], F_GETOWN), -getpgrp());
	CHECK_OK(fcntl(sv[0], F_GETOWN_EX, &ex));
	CHECK_EQ(ex.type, F_OWNER_PGRP);
	CHECK_EQ(ex.pid, getpgrp());
	who = 0;
	CHECK_OK(ioctl(sv[0], SIOCGPGRP, &who));
	CHECK_EQ(who, -getpgrp());

	/* A thread. */
	ex.type = F_OWNER_TID;
	ex.pid = (pid_t)syscall(SYS_gettid);
	CHECK_OK(fcntl(sv[0], F_SETOWN_EX, &ex));
	CHECK_EQ(fcntl(sv[0], F_GETOWN), (int)syscall(SYS_gettid));

	/* Errors: no such process, INT_MIN, a bad type, bad pointers, bad signals. */
	CHECK_ERR(fcntl(sv[0], F_SETOWN, 0x3ffffff0), ESRCH);
	CHECK_ERR(fcntl(sv[0], F_SETOWN, -0x3ffffff0), ESRCH);
	CHECK_ERR(fcntl(sv[0], F_SETOWN, (int)0x80000000), EINVAL);
	who = 0x3ffffff0;
	CHECK_ERR(ioctl(sv[0], FIOSETOWN, &who), ESRCH);
	CHECK_ERR(ioctl(sv[0], FIOSETOWN, (void *)8), EFAULT);
	ex.type = 3;
	ex.pid = getpid();
	CHECK_ERR(fcntl(sv[0], F_SETOWN_EX, &ex), EINVAL);
	ex.type = F_OWNER_PID;
	ex.pid = 0x3ffffff0;
	CHECK_ERR(fcntl(sv[0], F_SETOWN_EX, &ex), ESRCH);
	CHECK_ERR(fcntl(sv[0], F_SETOWN_EX, (void *)8), EFAULT);
	CHECK_ERR(fcntl(sv[0], F_GETOWN_EX, (void *)8), EFAULT);
	CHECK_ERR(fcntl(sv[0], F_SETSIG, 65), EINVAL);
	CHECK_ERR(fcntl(sv[0], F_SETSIG, -1), EINVAL);
	CHECK_OK(fcntl(sv[0], F_SETSIG, SIGRTMIN));
	CHECK_EQ(fcntl(sv[0], F_GETSIG), SIGRTMIN);
	/* The owner survives the failed calls; 0 clears it. */
	CHECK_EQ(fcntl(sv[0], F_GETOWN), (int)syscall(SYS_gettid));
	CHECK_OK(fcntl(sv[0], F_SETOWN, 0));
	CHECK_EQ(fcntl(sv[0], F_GETOWN), 0);

	/* An owner that is gone (reaped) reads back as 0. */
	int gate[2];
	CHECK_OK(pipe(gate));
	pid_t child = fork();
	if (child == 0) {
		char b;
		close(gate[1]);
		_exit(read(gate[0], &b, 1) == 0 ? 0 : 1);
	}
	CHECK(child > 0);
	close(gate[0]);
	CHECK_OK(fcntl(sv[0], F_SETOWN, child));
	CHECK_EQ(fcntl(sv[0], F_GETOWN), child);
	close(gate[1]);
	int st;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK_EQ(fcntl(sv[0], F_GETOWN), 0);
	CHECK_OK(fcntl(sv[0], F_GETOWN_EX, &ex));
	CHECK_EQ(ex.type, F_OWNER_PID);
	CHECK_EQ(ex.pid, 0);

	/* Any file has an owner: a pipe. */
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_OK(fcntl(p[0], F_SETOWN, getpid()));
	CHECK_EQ(fcntl(p[0], F_GETOWN), getpid());
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static volatile int sigios, rt_code, rt_fd;
static volatile long rt_band;
static void on_sigio(int sig)
{
	(void)sig;
	sigios++;
}
static void on_rt_sigio(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	rt_code = si->si_code;
	rt_band = si->si_band;
	rt_fd = si->si_fd;
}

/*
 * O_ASYNC (man 2 fcntl, "Managing signals"): SIGIO to the owner when data
 * arrives, or the F_SETSIG signal with si_code POLL_IN/POLL_HUP, si_band and
 * si_fd; nothing without an owner or with O_ASYNC off (FIOASYNC).
 */
static void async_io(void)
{
	struct sigaction sa = {0}, old_io, old_rt;
	sa.sa_handler = on_sigio;
	sigaction(SIGIO, &sa, &old_io);
	sa.sa_handler = NULL;
	sa.sa_sigaction = on_rt_sigio;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGRTMIN, &sa, &old_rt);
	sigios = 0;
	int sv[2];
	char buf[8];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_OK(fcntl(sv[0], F_SETOWN, getpid()));
	CHECK_OK(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_ASYNC));
	CHECK_EQ(fcntl(sv[0], F_GETFL) & O_ASYNC, O_ASYNC);
	CHECK_EQ(sigios, 0);
	CHECK_EQ(write(sv[1], "x", 1), 1);
	CHECK_EQ(sigios, 1);
	/* Reading, and writing the other way, send nothing here. */
	CHECK_EQ(read(sv[0], buf, sizeof(buf)), 1);
	CHECK_EQ(write(sv[0], "y", 1), 1);
	CHECK_EQ(sigios, 1);
	/* No owner: no signal. */
	CHECK_OK(fcntl(sv[0], F_SETOWN, 0));
	CHECK_EQ(write(sv[1], "x", 1), 1);
	CHECK_EQ(sigios, 1);
	/* F_SETSIG: a real-time signal with the reason, band and descriptor. */
	CHECK_OK(fcntl(sv[0], F_SETOWN, getpid()));
	CHECK_OK(fcntl(sv[0], F_SETSIG, SIGRTMIN));
	rt_code = rt_fd = -1;
	CHECK_EQ(write(sv[1], "x", 1), 1);
	CHECK_EQ(rt_code, POLL_IN);
	CHECK_EQ(rt_band, POLLIN | POLLRDNORM);
	CHECK_EQ(rt_fd, sv[0]);
	CHECK_EQ(sigios, 1);
	/* The peer's close: POLL_HUP. */
	rt_code = rt_fd = -1;
	close(sv[1]);
	CHECK_EQ(rt_code, POLL_HUP);
	CHECK_EQ(rt_band, POLLHUP | POLLERR);
	CHECK_EQ(rt_fd, sv[0]);
	close(sv[0]);

	/* FIOASYNC turns it on and off; a listener hears of connections. */
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	CHECK_OK(fcntl(sv[0], F_SETOWN, getpid()));
	int on = 1;
	CHECK_OK(ioctl(sv[0], FIOASYNC, &on));
	CHECK_EQ(fcntl(sv[0], F_GETFL) & O_ASYNC, O_ASYNC);
	CHECK_EQ(send(sv[1], "d", 1, 0), 1);
	CHECK_EQ(sigios, 2);
	on = 0;
	CHECK_OK(ioctl(sv[0], FIOASYNC, &on));
	CHECK_EQ(fcntl(sv[0], F_GETFL) & O_ASYNC, 0);
	CHECK_EQ(send(sv[1], "d", 1, 0), 1);
	CHECK_EQ(sigios, 2);
	close(sv[0]);
	close(sv[1]);

	struct sockaddr_un a;
	socklen_t al = path_addr(&a, "async");
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0);
	CHECK_OK(bind(l, (struct sockaddr *)&a, al));
	CHECK_OK(listen(l, 5));
	CHECK_OK(fcntl(l, F_SETOWN, getpid()));
	CHECK_OK(fcntl(l, F_SETFL, O_ASYNC));
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(connect(c, (struct sockaddr *)&a, al));
	CHECK_EQ(sigios, 3);
	close(c);
	close(l);
	unlink(a.sun_path);
	sigaction(SIGIO, &old_io, NULL);
	sigaction(SIGRTMIN, &old_rt, NULL);
}

/* A child blocks in accept / recv; the parent connects and writes in pieces. */
static void fork_server(void)
{
	struct sockaddr_un a;
	socklen_t al = path_addr(&a, "forked");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(bind(s, (struct sockaddr *)&a, al));
	CHECK_OK(listen(s, 4));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			_exit(10);
		struct ucred uc;
		socklen_t l = sizeof(uc);
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &l) < 0 || uc.pid != getppid())
			_exit(11);
		char buf[12];
		if (recv(c, buf, sizeof(buf), MSG_WAITALL) != sizeof(buf) || memcmp(buf, "0123456789ab", 12) != 0)
			_exit(12);
		/* Pass a descriptor back: this end of a fresh pair. */
		int sv[2];
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		if (send_fds(c, &sv[0], 1, "F") != 1)
			_exit(13);
		if (write(sv[1], "over-fd", 7) != 7)
			_exit(14);
		if (read(c, buf, 1) != 0)
			_exit(15);
		_exit(0);
	}
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(connect(c, (struct sockaddr *)&a, al));
	struct ucred uc;
	socklen_t l = sizeof(uc);
	CHECK_OK(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &l));
	CHECK_EQ(uc.pid, getpid()); /* the listener's creator */
	for (int i = 0; i < 12; i += 4) {
		usleep(20000);
		CHECK_EQ(write(c, "0123456789ab" + i, 4), 4);
	}
	char data[4], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	CHECK_EQ(recvmsg(c, &mh, 0), 1);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	CHECK(cm != NULL && cm->cmsg_type == SCM_RIGHTS);
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	char buf[16];
	CHECK_EQ(read(fd, buf, sizeof(buf)), 7);
	CHECK(memcmp(buf, "over-fd", 7) == 0);
	close(fd);
	close(c);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x", st);
	close(s);
	unlink(a.sun_path);
}

/* A signal interrupts a blocked recv: EINTR with SA_RESTART off, restarted with it. */
static int alarms;
static int alarm_pipe = -1;
static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
	if (alarm_pipe >= 0)
		(void)!write(alarm_pipe, "a", 1);
}

static void interrupted(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct sigaction sa = {0}, old;
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, &old);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	char buf[4];
	alarms = 0;
	CHECK_ERR(recv(sv[0], buf, sizeof(buf), 0), EINTR);
	CHECK_EQ(alarms, 1);
	/* With a receive timeout the call is EINTR even with SA_RESTART. */
	struct timeval tv = {5, 0};
	CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_ERR(recv(sv[0], buf, sizeof(buf), 0), EINTR);
	/*
	 * Without one, SA_RESTART restarts it: the handler tells a child, which
	 * then writes, so the data comes only after the interruption.
	 */
	struct timeval zero = {0, 0};
	CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &zero, sizeof(zero)));
	int p[2];
	CHECK_OK(pipe(p));
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		(void)!write(sv[1], "late", 4);
		_exit(0);
	}
	alarm_pipe = p[1];
	setitimer(ITIMER_REAL, &it, NULL);
	alarms = 0;
	CHECK_EQ(recv(sv[0], buf, sizeof(buf), 0), 4);
	CHECK_EQ(alarms, 1);
	alarm_pipe = -1;
	waitpid(pid, NULL, 0);
	sigaction(SIGALRM, &old, NULL);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void mmsg(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	struct mmsghdr mm[3];
	struct iovec iov[3] = {{"a", 1}, {"bb", 2}, {"ccc", 3}};
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK_EQ(sendmmsg(sv[0], mm, 3, 0), 3);
	CHECK_EQ(mm[2].msg_len, 3);
	char b[3][8];
	struct iovec riov[3] = {{b[0], 8}, {b[1], 8}, {b[2], 8}};
	struct mmsghdr rm[3];
	memset(rm, 0, sizeof(rm));
	for (int i = 0; i < 3; i++) {
		rm[i].msg_hdr.msg_iov = &riov[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK_EQ(recvmmsg(sv[1], rm, 3, MSG_DONTWAIT, NULL), 3);
	CHECK_EQ(rm[0].msg_len, 1);
	CHECK_EQ(rm[1].msg_len, 2);
	CHECK_EQ(rm[2].msg_len, 3);
	CHECK(memcmp(b[2], "ccc", 3) == 0);
	CHECK_ERR(recvmmsg(sv[1], rm, 3, MSG_DONTWAIT, NULL), EAGAIN);
	CHECK_EQ(send(sv[0], "z", 1, 0), 1);
	CHECK_EQ(recvmmsg(sv[1], rm, 3, MSG_WAITFORONE, NULL), 1);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	strcpy(dir, "/tmp/tsvisor-socket_unix-XXXXXX");
	if (!mkdtemp(dir)) {
		say("FAIL setup: mkdtemp: %s", strerror(errno));
		return 1;
	}
	RUN(socket_create);
	RUN(socket_fstat);
	RUN(stream_pair);
	RUN(stream_shutdown);
	RUN(stream_epipe);
	RUN(dgram_pair);
	RUN(seqpacket);
	RUN(bind_path);
	RUN(listen_accept);
	RUN(abstract_names);
	RUN(autobind);
	RUN(dgram_addressing);
	RUN(scm_rights);
	RUN(scm_credentials);
	RUN(sockopts);
	RUN(timeouts);
	RUN(readiness);
	RUN(owner);
	RUN(async_io);
	RUN(fork_server);
	RUN(interrupted);
	RUN(mmsg);
	rmdir(dir);
	DONE();
}
