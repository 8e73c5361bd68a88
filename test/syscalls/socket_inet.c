/*
 * socket_inet.c: AF_INET and AF_INET6 sockets on the loopback interface
 * (man 7 ip, ipv6, tcp, udp): bind and its errors (EADDRINUSE,
 * SO_REUSEADDR, EADDRNOTAVAIL, ephemeral ports), listen/accept/connect
 * (refused, non-blocking with SO_ERROR, backlogs), data and EOF, RST on a
 * close with unread data, EPIPE after the peer closed, shutdown, TCP and IP
 * options, poll readiness, urgent data (MSG_OOB, SIGURG, SO_OOBINLINE,
 * SIOCATMARK), UDP datagrams (connected and not, ECONNREFUSED),
 * IPv6 with v4-mapped addresses and IPV6_V6ONLY, the lo interface ioctls,
 * and a forked server and client over TCP that hand a connection to a
 * worker over a unix socket.
 *
 * Uses only 127.0.0.0/8 and ::1; nothing leaves the host. Run as root natively.
 */
#include "check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static struct sockaddr_in in4(uint32_t addr, int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(addr);
	return a;
}

#define LOOP4 0x7f000001u

static int port_of(int s)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	if (getsockname(s, (struct sockaddr *)&ss, &l) < 0)
		return -1;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* A TCP listener on 127.0.0.1 and an ephemeral port. */
static int listener(int backlog, int *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = in4(LOOP4, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, backlog) < 0)
		return -1;
	*port = port_of(s);
	return s;
}

static int connect_to(int port, int flags)
{
	int c = socket(AF_INET, SOCK_STREAM | flags, 0);
	struct sockaddr_in a = in4(LOOP4, port);
	if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(c);
		errno = e;
		return -1;
	}
	return c;
}

static short revents(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

static int sockerr(int s)
{
	int e = -1;
	socklen_t l = sizeof(e);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l);
	return e;
}

static void tcp_create(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(s >= 0);
	int v;
	socklen_t l = sizeof(v);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l));
	CHECK_EQ(v, IPPROTO_TCP);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
	CHECK_EQ(v, 16384);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l));
	CHECK_EQ(v, 131072);
	/* A fresh TCP socket polls writable and hung up. */
	CHECK_EQ(revents(s, POLLIN | POLLOUT), POLLOUT | POLLHUP);
	struct sockaddr_in a;
	l = sizeof(a);
	CHECK_OK(getsockname(s, (struct sockaddr *)&a, &l));
	CHECK_EQ(l, sizeof(a));
	CHECK_EQ(a.sin_family, AF_INET);
	CHECK_EQ(a.sin_port, 0);
	CHECK_EQ(a.sin_addr.s_addr, 0);
	l = sizeof(a);
	CHECK_ERR(getpeername(s, (struct sockaddr *)&a, &l), ENOTCONN);
	char c;
	CHECK_ERR(recv(s, &c, 1, 0), ENOTCONN);
	CHECK_ERR(send(s, &c, 1, MSG_NOSIGNAL), EPIPE);
	CHECK_ERR(shutdown(s, SHUT_WR), ENOTCONN);
	close(s);
	CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_INET, SOCK_STREAM, -1), EINVAL);
	int sv[2];
	CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_ERR(listen(s, 1), EOPNOTSUPP);
	CHECK_ERR(accept(s, NULL, NULL), EOPNOTSUPP);
	close(s);
}

static void tcp_bind(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = in4(LOOP4, 0);
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL);
	a.sin_family = AF_INET6;
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a = in4(0xc0000201u, 0); /* 192.0.2.1: not a local address */
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof(a)), EADDRNOTAVAIL);
	a = in4(LOOP4, 0);
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	int port = port_of(s);
	CHECKF(port >= 32768 && port <= 60999, "ephemeral port %d", port);
	CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	/* The same port: EADDRINUSE, also through 0.0.0.0 and 127.0.0.1. */
	int s2 = socket(AF_INET, SOCK_STREAM, 0);
	a = in4(LOOP4, port);
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	a = in4(0, port);
	CHECK_ERR(bind(s2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	/* Another loopback address does not collide with 127.0.0.1. */
	a = in4(0x7f000002u, port);
	CHECK_OK(bind(s2, (struct sockaddr *)&a, sizeof(a)));
	close(s2);
	/* SO_REUSEADDR on both: they may share the port until one listens. */
	int on = 1;
	s2 = socket(AF_INET, SOCK_STREAM, 0);
	int s3 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK(setsockopt(s2, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)));
	CHECK_OK(setsockopt(s3, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)));
	a = in4(LOOP4, 0);
	CHECK_OK(bind(s2, (struct sockaddr *)&a, sizeof(a)));
	a.sin_port = htons(port_of(s2));
	CHECK_OK(bind(s3, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(s2, 1));
	CHECK_ERR(listen(s3, 1), EADDRINUSE);
	int s4 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK(setsockopt(s4, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)));
	CHECK_ERR(bind(s4, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	close(s2);
	close(s3);
	close(s4);
	close(s);
	/* A port is free again once its socket is closed. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	a = in4(LOOP4, port);
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	close(s);
	/* listen without bind takes an ephemeral port on 0.0.0.0. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK(listen(s, 1));
	port = port_of(s);
	CHECKF(port >= 32768 && port <= 60999, "ephemeral port %d", port);
	int c = connect_to(port, 0);
	CHECK(c >= 0);
	close(c);
	close(s);
}

static void tcp_connect_accept(void)
{
	int port;
	int l = listener(5, &port);
	CHECK(l >= 0);
	int v;
	socklen_t vl = sizeof(v);
	CHECK_OK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	CHECK_EQ(v, 1);
	CHECK_EQ(revents(l, POLLIN | POLLOUT), 0);
	int c = connect_to(port, 0);
	CHECK(c >= 0);
	CHECK_EQ(revents(l, POLLIN), POLLIN);
	struct sockaddr_in peer, me;
	socklen_t pl = sizeof(peer), ml = sizeof(me);
	int a = accept4(l, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK);
	CHECK(a >= 0);
	CHECK((fcntl(a, F_GETFL) & O_NONBLOCK) != 0);
	CHECK_EQ(pl, sizeof(peer));
	CHECK_OK(getsockname(c, (struct sockaddr *)&me, &ml));
	CHECK_EQ(peer.sin_port, me.sin_port);
	CHECK_EQ(me.sin_addr.s_addr, htonl(LOOP4));
	CHECK_EQ(peer.sin_addr.s_addr, htonl(LOOP4));
	ml = sizeof(me);
	CHECK_OK(getpeername(c, (struct sockaddr *)&me, &ml));
	CHECK_EQ(ntohs(me.sin_port), port);
	CHECK_EQ(port_of(a), port);
	CHECK_ERR(connect(c, (struct sockaddr *)&me, sizeof(me)), EISCONN);
	CHECK_ERR(connect(l, (struct sockaddr *)&me, sizeof(me)), EISCONN);
	/* Data both ways, FIONREAD, MSG_PEEK, MSG_WAITALL with what is there. */
	CHECK_EQ(send(c, "hello", 5, 0), 5);
	int n;
	CHECK_OK(ioctl(a, FIONREAD, &n));
	CHECK_EQ(n, 5);
	char buf[64];
	CHECK_EQ(recv(a, buf, 3, MSG_PEEK), 3);
	CHECK_EQ(recv(a, buf, sizeof(buf), 0), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_ERR(recv(a, buf, sizeof(buf), 0), EAGAIN);
	CHECK_EQ(write(a, "world!", 6), 6);
	CHECK_EQ(recv(c, buf, 6, MSG_WAITALL), 6);
	/* MSG_TRUNC discards. */
	CHECK_EQ(send(c, "abcdef", 6, 0), 6);
	CHECK_EQ(recv(a, NULL, 4, MSG_TRUNC), 4);
	CHECK_EQ(recv(a, buf, sizeof(buf), 0), 2);
	CHECK(memcmp(buf, "ef", 2) == 0);
	/* Listener errors. */
	CHECK_ERR(recv(l, buf, 1, 0), ENOTCONN);
	CHECK_ERR(accept4(l, NULL, NULL, 0x1), EINVAL);
	int nl = dup(l);
	fcntl(nl, F_SETFL, O_NONBLOCK);
	CHECK_ERR(accept(nl, NULL, NULL), EAGAIN);
	close(nl);
	close(a);
	close(c);
	close(l);
}

static void tcp_refused(void)
{
	int port;
	int l = listener(1, &port);
	close(l);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = in4(LOOP4, port);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	close(c);
	/* Non-blocking: EINPROGRESS, then POLLERR and SO_ERROR. */
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	struct pollfd p = {c, POLLOUT, 0};
	CHECK_EQ(poll(&p, 1, 2000), 1);
	CHECK_EQ(p.revents, POLLOUT | POLLERR | POLLHUP);
	CHECK_EQ(sockerr(c), ECONNREFUSED);
	CHECK_EQ(sockerr(c), 0);
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	CHECK_EQ(poll(&p, 1, 2000), 1);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	close(c);
	/* Non-blocking success: EINPROGRESS, POLLOUT, then connect says 0, then EISCONN. */
	l = listener(1, &port);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	a = in4(LOOP4, port);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	p.fd = c;
	CHECK_EQ(poll(&p, 1, 2000), 1);
	CHECK_EQ(p.revents, POLLOUT);
	CHECK_EQ(sockerr(c), 0);
	CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof(a)));
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	close(c);
	close(l);
	/* Other families and lengths. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, 8), EINVAL);
	a.sin_family = AF_INET6;
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	close(c);
}

static void tcp_backlog(void)
{
	int port;
	int l = listener(1, &port);
	/* backlog 1 takes two connections; a third waits in SYN_SENT. */
	int c1 = connect_to(port, 0), c2 = connect_to(port, 0);
	CHECK(c1 >= 0 && c2 >= 0);
	int c3 = connect_to(port, SOCK_NONBLOCK);
	CHECK(c3 >= 0);
	usleep(50000);
	CHECK_EQ(revents(c3, POLLOUT), 0);
	struct sockaddr_in p;
	socklen_t pl = sizeof(p);
	CHECK_ERR(getpeername(c3, (struct sockaddr *)&p, &pl), ENOTCONN);
	/* Accepted in order. */
	int a1 = accept(l, NULL, NULL);
	CHECK_EQ(send(c1, "1", 1, 0), 1);
	char b;
	CHECK_EQ(recv(a1, &b, 1, 0), 1);
	CHECK_EQ(b, '1');
	int a2 = accept(l, NULL, NULL);
	CHECK_EQ(send(c2, "2", 1, 0), 1);
	CHECK_EQ(recv(a2, &b, 1, 0), 1);
	CHECK_EQ(b, '2');
	close(a1);
	close(a2);
	close(c1);
	close(c2);
	close(c3);
	close(l);
}

static int sigpipes;
static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void tcp_close(void)
{
	struct sigaction sa = {0}, old;
	sa.sa_handler = on_sigpipe;
	sigaction(SIGPIPE, &sa, &old);
	int port;
	int l = listener(5, &port);
	/* Close with unread data: RST; the peer reads its data, then ECONNRESET, then EOF. */
	int c = connect_to(port, 0);
	int a = accept(l, NULL, NULL);
	CHECK_EQ(write(a, "hello", 5), 5);
	CHECK_EQ(write(c, "unread", 6), 6);
	usleep(20000);
	close(a);
	usleep(20000);
	CHECK_EQ(revents(c, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP | POLLERR | POLLHUP);
	char buf[64];
	CHECK_EQ(read(c, buf, sizeof(buf)), 5);
	CHECK_ERR(read(c, buf, sizeof(buf)), ECONNRESET);
	CHECK_EQ(read(c, buf, sizeof(buf)), 0);
	sigpipes = 0;
	CHECK_ERR(write(c, "x", 1), EPIPE);
	CHECK_EQ(sigpipes, 1);
	close(c);
	/* Graceful close: EOF; the first write after it goes, the next is EPIPE. */
	c = connect_to(port, 0);
	a = accept(l, NULL, NULL);
	CHECK_EQ(write(a, "bye", 3), 3);
	close(a);
	usleep(20000);
	CHECK_EQ(revents(c, POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLRDHUP);
	CHECK_EQ(read(c, buf, sizeof(buf)), 3);
	CHECK_EQ(read(c, buf, sizeof(buf)), 0);
	CHECK_EQ(write(c, "a", 1), 1);
	usleep(20000);
	sigpipes = 0;
	CHECK_ERR(send(c, "b", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_EQ(sigpipes, 0);
	CHECK_ERR(write(c, "c", 1), EPIPE);
	CHECK_EQ(sigpipes, 1);
	close(c);
	/* SO_LINGER with a zero time: close resets. */
	c = connect_to(port, 0);
	a = accept(l, NULL, NULL);
	struct linger lg = {1, 0};
	CHECK_OK(setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(a);
	usleep(20000);
	CHECK_ERR(read(c, buf, sizeof(buf)), ECONNRESET);
	close(c);
	/* Half close: SHUT_WR gives the peer EOF; it can still answer. */
	c = connect_to(port, 0);
	a = accept(l, NULL, NULL);
	CHECK_OK(shutdown(c, SHUT_WR));
	CHECK_EQ(read(a, buf, sizeof(buf)), 0);
	CHECK_EQ(revents(a, POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
	CHECK_EQ(write(a, "still", 5), 5);
	CHECK_EQ(read(c, buf, sizeof(buf)), 5);
	CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_OK(shutdown(a, SHUT_RDWR));
	CHECK_EQ(read(c, buf, sizeof(buf)), 0);
	close(a);
	close(c);
	/* A listener closed with a connection not accepted: the client is reset. */
	c = connect_to(port, 0);
	close(l);
	usleep(20000);
	CHECK_ERR(read(c, buf, sizeof(buf)), ECONNRESET);
	close(c);
	sigaction(SIGPIPE, &old, NULL);
}

static void tcp_options(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int v = 1;
	socklen_t l = sizeof(v);
	CHECK_OK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)));
	v = 0;
	CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &l));
	CHECK_EQ(v, 1);
	CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_MAXSEG, &v, &l));
	CHECK_EQ(v, 536);
	CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, &l));
	CHECK_EQ(v, 7200);
	CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &v, &l));
	CHECK_EQ(v, 75);
	CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, &l));
	CHECK_EQ(v, 9);
	v = 60;
	CHECK_OK(setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)));
	CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, &l));
	CHECK_EQ(v, 60);
	v = 0;
	CHECK_ERR(setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)), EINVAL);
	v = 200;
	CHECK_ERR(setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v)), EINVAL);
	CHECK_ERR(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, 2), EINVAL);
	CHECK_ERR(setsockopt(s, IPPROTO_TCP, 9999, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(getsockopt(s, IPPROTO_TCP, 9999, &v, &l), ENOPROTOOPT);
	v = 1;
	CHECK_OK(setsockopt(s, IPPROTO_TCP, TCP_CORK, &v, sizeof(v)));
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)));
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &l));
	CHECK_EQ(v, 1);
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &v, sizeof(v)));
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_REUSEPORT, &v, &l));
	CHECK_EQ(v, 1);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_PASSCRED, &v, sizeof(v)), EOPNOTSUPP);
	char cc[16] = {0};
	l = sizeof(cc);
	CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_CONGESTION, cc, &l));
	CHECK(strcmp(cc, "cubic") == 0 || strcmp(cc, "reno") == 0 || cc[0] != 0);
	l = sizeof(v);
	CHECK_OK(getsockopt(s, IPPROTO_IP, IP_TTL, &v, &l));
	CHECK_EQ(v, 64);
	v = 300;
	CHECK_ERR(setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof(v)), EINVAL);
	v = 16;
	CHECK_OK(setsockopt(s, IPPROTO_IP, IP_TOS, &v, sizeof(v)));
	CHECK_OK(getsockopt(s, IPPROTO_IP, IP_TOS, &v, &l));
	CHECK_EQ(v, 16);
	CHECK_ERR(getsockopt(s, IPPROTO_IP, IP_MTU, &v, &l), ENOTCONN);
	CHECK_ERR(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)), ENOPROTOOPT);
	struct tcp_info ti;
	l = sizeof(ti);
	CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &l));
	CHECK_EQ(ti.tcpi_state, TCP_CLOSE);
	close(s);
	/* Accepted sockets inherit the listener's options. */
	int port;
	int ls = listener(1, &port);
	v = 1;
	CHECK_OK(setsockopt(ls, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)));
	int c = connect_to(port, 0);
	int a = accept(ls, NULL, NULL);
	l = sizeof(v);
	v = 0;
	CHECK_OK(getsockopt(a, IPPROTO_TCP, TCP_NODELAY, &v, &l));
	CHECK_EQ(v, 1);
	l = sizeof(ti);
	CHECK_OK(getsockopt(a, IPPROTO_TCP, TCP_INFO, &ti, &l));
	CHECK_EQ(ti.tcpi_state, TCP_ESTABLISHED);
	l = sizeof(v);
	CHECK_OK(getsockopt(c, IPPROTO_IP, IP_MTU, &v, &l));
	CHECK_EQ(v, 65535);
	close(a);
	close(c);
	close(ls);
}

static void tcp_fill(void)
{
	int port;
	int l = listener(1, &port);
	int c = connect_to(port, SOCK_NONBLOCK);
	struct pollfd p = {c, POLLOUT, 0};
	CHECK_EQ(poll(&p, 1, 2000), 1);
	int a = accept(l, NULL, NULL);
	static char big[65536];
	long total = 0;
	for (;;) {
		long r = send(c, big, sizeof(big), 0);
		if (r < 0) {
			CHECK_EQ(errno, EAGAIN);
			break;
		}
		total += r;
		CHECK(total < 256L << 20);
	}
	CHECK_EQ(revents(c, POLLOUT), 0);
	long got = 0;
	while (got < total) {
		long r = recv(a, big, sizeof(big), 0);
		CHECK(r > 0);
		got += r;
	}
	CHECK_EQ(got, total);
	usleep(20000);
	CHECK_EQ(revents(c, POLLOUT), POLLOUT);
	int n = -1;
	CHECK_OK(ioctl(c, SIOCOUTQ, &n));
	CHECK_EQ(n, 0);
	close(a);
	close(c);
	close(l);
}

static volatile int sigurgs;
static void on_sigurg(int sig)
{
	(void)sig;
	sigurgs++;
}

/* Waits (up to a second) until fd shows POLLPRI: loopback delivery may finish after send returns. */
static short wait_pri(int fd)
{
	struct pollfd p = {fd, POLLPRI, 0};
	if (poll(&p, 1, 1000) < 0)
		return -1;
	return p.revents;
}

static int atmark(int fd)
{
	int v = -1;
	if (ioctl(fd, SIOCATMARK, &v) < 0)
		return -1;
	return v;
}

/*
 * Urgent data (man 7 tcp, "Sockets API"): the last byte of a send with
 * MSG_OOB; SIGURG to the receiver's owner; read out of line with
 * recv(MSG_OOB), or inline with SO_OOBINLINE; reads stop at the mark;
 * SIOCATMARK, FIONREAD, POLLPRI.
 */
static void tcp_oob(void)
{
	struct sigaction sa = {0}, old;
	sa.sa_handler = on_sigurg;
	sigaction(SIGURG, &sa, &old);
	sigurgs = 0;
	int port;
	int l = listener(5, &port);
	int c = connect_to(port, 0);
	int a = accept(l, NULL, NULL);
	CHECK(l >= 0 && c >= 0 && a >= 0);
	CHECK_OK(fcntl(a, F_SETOWN, getpid()));
	char buf[64], ch = 0;

	/* Nothing urgent yet. */
	CHECK_ERR(recv(a, &ch, 1, MSG_OOB), EINVAL);
	CHECK_EQ(atmark(a), 0);

	CHECK_EQ(send(c, "hello", 5, MSG_OOB), 5);
	CHECK_EQ(wait_pri(a) & POLLPRI, POLLPRI);
	CHECK_EQ(revents(a, POLLIN | POLLPRI), POLLIN | POLLPRI);
	CHECK_EQ(sigurgs, 1);
	int n = -1;
	CHECK_OK(ioctl(a, FIONREAD, &n));
	CHECK_EQ(n, 4);
	CHECK_EQ(atmark(a), 0);
	/* A read stops at the mark. */
	CHECK_EQ(recv(a, buf, sizeof(buf), 0), 4);
	CHECK(memcmp(buf, "hell", 4) == 0);
	CHECK_EQ(atmark(a), 1);
	/* At the mark only the urgent byte is left: not readable as data. */
	CHECK_EQ(revents(a, POLLIN | POLLPRI), POLLPRI);
	CHECK_EQ(recv(a, &ch, 1, MSG_OOB | MSG_PEEK), 1);
	CHECK_EQ(ch, 'o');
	ch = 0;
	CHECK_EQ(recv(a, &ch, 1, MSG_OOB), 1);
	CHECK_EQ(ch, 'o');
	CHECK_ERR(recv(a, &ch, 1, MSG_OOB), EINVAL);
	CHECK_EQ(revents(a, POLLIN | POLLPRI), 0);
	/* Still at the mark: a read steps over the urgent byte (and finds nothing more). */
	CHECK_EQ(atmark(a), 1);
	CHECK_ERR(recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_EQ(atmark(a), 0);
	CHECK_EQ(send(c, "xy", 2, 0), 2);
	CHECK_EQ(revents(a, POLLIN) & POLLIN, POLLIN);
	CHECK_EQ(recv(a, buf, sizeof(buf), 0), 2);
	CHECK(memcmp(buf, "xy", 2) == 0);

	/* Reading past an urgent byte that was never read with MSG_OOB loses it. */
	CHECK_EQ(send(c, "12", 2, MSG_OOB), 2);
	CHECK_EQ(wait_pri(a) & POLLPRI, POLLPRI);
	CHECK_EQ(sigurgs, 2);
	CHECK_EQ(recv(a, buf, sizeof(buf), 0), 1);
	CHECK_EQ(buf[0], '1');
	CHECK_EQ(send(c, "3", 1, 0), 1);
	CHECK_EQ(revents(a, POLLIN) & POLLIN, POLLIN);
	CHECK_EQ(recv(a, buf, sizeof(buf), 0), 1);
	CHECK_EQ(buf[0], '3');
	CHECK_ERR(recv(a, &ch, 1, MSG_OOB), EINVAL);

	/* MSG_OOB with no room: MSG_TRUNC in msg_flags (and without MSG_PEEK the byte is gone). */
	CHECK_EQ(send(c, "Z", 1, MSG_OOB), 1);
	CHECK_EQ(wait_pri(a) & POLLPRI, POLLPRI);
	struct msghdr mh = {0};
	CHECK_EQ(recvmsg(a, &mh, MSG_OOB | MSG_PEEK), 0);
	CHECK_EQ(mh.msg_flags, MSG_OOB | MSG_TRUNC);
	struct iovec iov = {&ch, 1};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	CHECK_EQ(recvmsg(a, &mh, MSG_OOB), 1);
	CHECK_EQ(mh.msg_flags, MSG_OOB);
	CHECK_EQ(ch, 'Z');
	CHECK_EQ(send(c, "W", 1, MSG_OOB), 1);
	CHECK_EQ(wait_pri(a) & POLLPRI, POLLPRI);
	mh.msg_iov = NULL;
	mh.msg_iovlen = 0;
	CHECK_EQ(recvmsg(a, &mh, MSG_OOB), 0);
	CHECK_EQ(mh.msg_flags, MSG_OOB | MSG_TRUNC);
	CHECK_ERR(recv(a, &ch, 1, MSG_OOB), EINVAL);
	CHECK_EQ(sigurgs, 4);
	/* The byte read out of line is still skipped by a read. */
	CHECK_EQ(atmark(a), 1);
	CHECK_ERR(recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

	/* SO_OOBINLINE: the byte stays in the stream; MSG_OOB is EINVAL; the mark still splits reads. */
	int one = 1;
	CHECK_OK(setsockopt(a, SOL_SOCKET, SO_OOBINLINE, &one, sizeof(one)));
	CHECK_EQ(send(c, "pq", 2, MSG_OOB), 2);
	CHECK_EQ(wait_pri(a) & POLLPRI, POLLPRI);
	CHECK_EQ(sigurgs, 5);
	CHECK_ERR(recv(a, &ch, 1, MSG_OOB), EINVAL);
	CHECK_OK(ioctl(a, FIONREAD, &n));
	CHECK_EQ(n, 2);
	CHECK_EQ(recv(a, buf, sizeof(buf), 0), 1);
	CHECK_EQ(buf[0], 'p');
	CHECK_EQ(atmark(a), 1);
	CHECK_EQ(recv(a, buf, sizeof(buf), 0), 1);
	CHECK_EQ(buf[0], 'q');
	CHECK_EQ(atmark(a), 0);

	/* Not on a listener (whose error queue is looked at first, and empty). */
	CHECK_ERR(recv(l, &ch, 1, MSG_OOB), ENOTCONN);
	CHECK_ERR(recv(l, &ch, 1, MSG_ERRQUEUE | MSG_OOB), EAGAIN);
	close(a);
	close(c);
	close(l);
	sigaction(SIGURG, &old, NULL);
}

static void udp_basic(void)
{
	int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = in4(LOOP4, 0);
	CHECK_OK(bind(r, (struct sockaddr *)&a, sizeof(a)));
	a.sin_port = htons(port_of(r));
	CHECK_EQ(sendto(s, "one", 3, 0, (struct sockaddr *)&a, sizeof(a)), 3);
	/* sendto bound the sender to an ephemeral port. */
	int sport = port_of(s);
	CHECKF(sport >= 32768 && sport <= 60999, "port %d", sport);
	CHECK_EQ(sendto(s, "twotwo", 6, 0, (struct sockaddr *)&a, sizeof(a)), 6);
	CHECK_EQ(sendto(s, "", 0, 0, (struct sockaddr *)&a, sizeof(a)), 0);
	int n;
	CHECK_OK(ioctl(r, FIONREAD, &n));
	CHECK_EQ(n, 3);
	char buf[16];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	CHECK_EQ(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 3);
	CHECK_EQ(fl, sizeof(from));
	CHECK_EQ(ntohs(from.sin_port), sport);
	CHECK_EQ(from.sin_addr.s_addr, htonl(LOOP4));
	CHECK_EQ(recv(r, buf, 2, MSG_TRUNC), 6);
	CHECK_EQ(recv(r, buf, sizeof(buf), 0), 0);
	CHECK_ERR(recv(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_ERR(send(s, "x", 1, 0), EDESTADDRREQ);
	CHECK_ERR(sendto(s, "x", 1, 0, (struct sockaddr *)&a, 8), EINVAL);
	struct sockaddr_in z = in4(LOOP4, 0);
	CHECK_ERR(sendto(s, "x", 1, 0, (struct sockaddr *)&z, sizeof(z)), EINVAL);
	static char huge[70000];
	CHECK_ERR(sendto(s, huge, 65508, 0, (struct sockaddr *)&a, sizeof(a)), EMSGSIZE);
	CHECK_EQ(sendto(s, huge, 65507, 0, (struct sockaddr *)&a, sizeof(a)), 65507);
	CHECK_EQ(recv(r, huge, sizeof(huge), 0), 65507);
	/* Connected: only the peer is heard; getpeername works. */
	CHECK_OK(connect(r, (struct sockaddr *)&a, sizeof(a))); /* to itself */
	CHECK_EQ(sendto(s, "ignored", 7, 0, (struct sockaddr *)&a, sizeof(a)), 7);
	CHECK_ERR(recv(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_EQ(send(r, "self", 4, 0), 4);
	CHECK_EQ(recv(r, buf, sizeof(buf), 0), 4);
	struct sockaddr_in pa;
	socklen_t pal = sizeof(pa);
	CHECK_OK(getpeername(r, (struct sockaddr *)&pa, &pal));
	CHECK_EQ(pa.sin_port, a.sin_port);
	struct sockaddr unspec = {.sa_family = AF_UNSPEC};
	CHECK_OK(connect(r, &unspec, sizeof(unspec)));
	pal = sizeof(pa);
	CHECK_ERR(getpeername(r, (struct sockaddr *)&pa, &pal), ENOTCONN);
	close(r);
	close(s);
}

static void udp_refused(void)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = in4(LOOP4, 0);
	int t = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_OK(bind(t, (struct sockaddr *)&a, sizeof(a)));
	a.sin_port = htons(port_of(t));
	close(t); /* nothing on that port now */
	CHECK_OK(connect(u, (struct sockaddr *)&a, sizeof(a)));
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	CHECK_OK(getsockname(u, (struct sockaddr *)&me, &ml));
	CHECK_EQ(me.sin_addr.s_addr, htonl(LOOP4));
	CHECK_EQ(send(u, "x", 1, 0), 1);
	usleep(20000);
	CHECK_EQ(revents(u, POLLIN | POLLOUT), POLLOUT | POLLERR);
	CHECK_ERR(send(u, "x", 1, 0), ECONNREFUSED);
	CHECK_EQ(send(u, "x", 1, 0), 1);
	usleep(20000);
	char buf[4];
	CHECK_ERR(recv(u, buf, sizeof(buf), MSG_DONTWAIT), ECONNREFUSED);
	CHECK_ERR(recv(u, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* Unconnected senders hear nothing. */
	int v = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(sendto(v, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)), 1);
	usleep(20000);
	CHECK_EQ(sockerr(v), 0);
	close(v);
	close(u);
}

static void ipv6(void)
{
	int l6 = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(l6 >= 0);
	int v = -1;
	socklen_t vl = sizeof(v);
	CHECK_OK(getsockopt(l6, IPPROTO_IPV6, IPV6_V6ONLY, &v, &vl));
	CHECK_EQ(v, 0);
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = in6addr_any};
	CHECK_ERR(bind(l6, (struct sockaddr *)&a, 20), EINVAL);
	CHECK_OK(bind(l6, (struct sockaddr *)&a, sizeof(a)));
	CHECK_ERR(setsockopt(l6, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)), EINVAL);
	CHECK_OK(listen(l6, 4));
	int port = port_of(l6);
	/* A v4 client reaches a dual-stack listener; the server sees a v4-mapped peer. */
	int c4 = connect_to(port, 0);
	CHECK(c4 >= 0);
	struct sockaddr_in6 peer;
	socklen_t pl = sizeof(peer);
	int a4 = accept(l6, (struct sockaddr *)&peer, &pl);
	CHECK(a4 >= 0);
	CHECK_EQ(pl, sizeof(peer));
	CHECK_EQ(peer.sin6_family, AF_INET6);
	CHECK(IN6_IS_ADDR_V4MAPPED(&peer.sin6_addr));
	CHECK_EQ(peer.sin6_addr.s6_addr[12], 127);
	/* A v6 client over ::1. */
	int c6 = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 d = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_loopback};
	CHECK_OK(connect(c6, (struct sockaddr *)&d, sizeof(d)));
	struct sockaddr_in6 me;
	socklen_t ml = sizeof(me);
	CHECK_OK(getsockname(c6, (struct sockaddr *)&me, &ml));
	CHECK_EQ(ml, sizeof(me));
	CHECK(IN6_IS_ADDR_LOOPBACK(&me.sin6_addr));
	int a6 = accept(l6, NULL, NULL);
	CHECK_EQ(send(c6, "six", 3, 0), 3);
	char buf[8];
	CHECK_EQ(recv(a6, buf, sizeof(buf), 0), 3);
	close(a6);
	close(c6);
	close(a4);
	close(c4);
	close(l6);
	/* IPV6_V6ONLY: v4 clients are refused; the v4 port stays free. */
	l6 = socket(AF_INET6, SOCK_STREAM, 0);
	v = 1;
	CHECK_OK(setsockopt(l6, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)));
	CHECK_OK(bind(l6, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(l6, 1));
	port = port_of(l6);
	int l4 = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a4addr = in4(0, port);
	CHECK_OK(bind(l4, (struct sockaddr *)&a4addr, sizeof(a4addr)));
	close(l4);
	c4 = socket(AF_INET, SOCK_STREAM, 0);
	a4addr = in4(LOOP4, port);
	CHECK_ERR(connect(c4, (struct sockaddr *)&a4addr, sizeof(a4addr)), ECONNREFUSED);
	close(c4);
	close(l6);
	/* A dual-stack wildcard collides with 0.0.0.0 on the same port. */
	l6 = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK_OK(bind(l6, (struct sockaddr *)&a, sizeof(a)));
	l4 = socket(AF_INET, SOCK_STREAM, 0);
	a4addr = in4(0, port_of(l6));
	CHECK_ERR(bind(l4, (struct sockaddr *)&a4addr, sizeof(a4addr)), EADDRINUSE);
	close(l4);
	close(l6);
	/* Binding to a non-local IPv6 address. */
	l6 = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 bad = {.sin6_family = AF_INET6};
	inet_pton(AF_INET6, "2001:db8::1", &bad.sin6_addr);
	CHECK_ERR(bind(l6, (struct sockaddr *)&bad, sizeof(bad)), EADDRNOTAVAIL);
	close(l6);
	/* UDP over ::1, and a v6 socket sending to a v4 address. */
	int u6 = socket(AF_INET6, SOCK_DGRAM, 0), r6 = socket(AF_INET6, SOCK_DGRAM, 0);
	CHECK_OK(bind(r6, (struct sockaddr *)&a, sizeof(a)));
	d.sin6_port = htons(port_of(r6));
	CHECK_EQ(sendto(u6, "v6", 2, 0, (struct sockaddr *)&d, sizeof(d)), 2);
	struct sockaddr_in6 from;
	socklen_t fl = sizeof(from);
	CHECK_EQ(recvfrom(r6, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 2);
	CHECK_EQ(fl, sizeof(from));
	CHECK(IN6_IS_ADDR_LOOPBACK(&from.sin6_addr));
	struct sockaddr_in to4 = in4(LOOP4, port_of(r6));
	CHECK_EQ(sendto(u6, "v4", 2, 0, (struct sockaddr *)&to4, sizeof(to4)), 2);
	fl = sizeof(from);
	CHECK_EQ(recvfrom(r6, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 2);
	CHECK(IN6_IS_ADDR_V4MAPPED(&from.sin6_addr));
	close(u6);
	close(r6);
}

static void lo_ioctls(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	CHECK_OK(ioctl(s, SIOCGIFFLAGS, &ifr));
	CHECK((ifr.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
	CHECK_OK(ioctl(s, SIOCGIFINDEX, &ifr));
	CHECK_EQ(ifr.ifr_ifindex, 1);
	CHECK_OK(ioctl(s, SIOCGIFMTU, &ifr));
	CHECK_EQ(ifr.ifr_mtu, 65536);
	CHECK_OK(ioctl(s, SIOCGIFADDR, &ifr));
	CHECK_EQ(((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr, htonl(LOOP4));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = 1;
	CHECK_OK(ioctl(s, SIOCGIFNAME, &ifr));
	CHECK(strcmp(ifr.ifr_name, "lo") == 0);
	strcpy(ifr.ifr_name, "nosuchif0");
	CHECK_ERR(ioctl(s, SIOCGIFFLAGS, &ifr), ENODEV);
	CHECK_ERR(ioctl(s, TCGETS, &ifr), ENOTTY);
	/* SIOCGIFCONF lists the interfaces with an IPv4 address; lo is there. */
	struct ifreq list[16];
	struct ifconf ifc = {.ifc_len = sizeof(list), .ifc_req = list};
	CHECK_OK(ioctl(s, SIOCGIFCONF, &ifc));
	CHECK(ifc.ifc_len >= (int)sizeof(struct ifreq) && ifc.ifc_len % (int)sizeof(struct ifreq) == 0);
	int found = 0;
	for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++)
		if (strcmp(list[i].ifr_name, "lo") == 0 && ((struct sockaddr_in *)&list[i].ifr_addr)->sin_addr.s_addr == htonl(LOOP4))
			found = 1;
	CHECK(found);
	struct ifconf q = {.ifc_len = 0, .ifc_req = NULL};
	CHECK_OK(ioctl(s, SIOCGIFCONF, &q));
	CHECK_EQ(q.ifc_len, ifc.ifc_len);
	close(s);
	/* The same on a unix socket. */
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	CHECK_OK(ioctl(s, SIOCGIFINDEX, &ifr));
	CHECK_EQ(ifr.ifr_ifindex, 1);
	close(s);
}

static int send_fd(int s, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	memset(cbuf, 0, sizeof(cbuf));
	struct iovec iov = {"F", 1};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return (int)sendmsg(s, &mh, 0);
}

static int recv_fd(int s)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&c, 1};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	if (recvmsg(s, &mh, 0) != 1)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * One sandbox, three processes: the parent accepts TCP connections and hands
 * each to a worker over a unix socket (SCM_RIGHTS); a client process makes
 * the connections and checks the worker's answers.
 */
static void fork_server_client(void)
{
	int port;
	int l = listener(8, &port);
	CHECK(l >= 0);
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	enum { CONNS = 3 };
	pid_t worker = fork();
	CHECK(worker >= 0);
	if (worker == 0) {
		close(sv[0]);
		close(l);
		for (int i = 0; i < CONNS; i++) {
			int fd = recv_fd(sv[1]);
			if (fd < 0)
				_exit(20);
			char buf[64];
			long n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				_exit(21);
			for (long j = 0; j < n; j++)
				buf[j] = (char)(buf[j] - 'a' + 'A');
			if (write(fd, buf, n) != n)
				_exit(22);
			close(fd);
		}
		_exit(0);
	}
	pid_t client = fork();
	CHECK(client >= 0);
	if (client == 0) {
		close(l);
		for (int i = 0; i < CONNS; i++) {
			int c = connect_to(port, 0);
			if (c < 0)
				_exit(30);
			char msg[8] = "ping0";
			msg[4] = (char)('a' + i);
			if (write(c, msg, 5) != 5)
				_exit(31);
			char buf[8];
			if (recv(c, buf, 5, MSG_WAITALL) != 5)
				_exit(32);
			if (memcmp(buf, "PING", 4) != 0 || buf[4] != 'A' + i)
				_exit(33);
			if (read(c, buf, 1) != 0) /* the worker closed */
				_exit(34);
			close(c);
		}
		_exit(0);
	}
	close(sv[1]);
	for (int i = 0; i < CONNS; i++) {
		int a = accept(l, NULL, NULL);
		CHECK(a >= 0);
		CHECK_EQ(send_fd(sv[0], a), 1);
		close(a);
	}
	int st;
	CHECK_EQ(waitpid(client, &st, 0), client);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "client status 0x%x", st);
	CHECK_EQ(waitpid(worker, &st, 0), worker);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker status 0x%x", st);
	close(sv[0]);
	close(l);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(tcp_create);
	RUN(tcp_bind);
	RUN(tcp_connect_accept);
	RUN(tcp_refused);
	RUN(tcp_backlog);
	RUN(tcp_close);
	RUN(tcp_options);
	RUN(tcp_fill);
	RUN(tcp_oob);
	RUN(udp_basic);
	RUN(udp_refused);
	RUN(ipv6);
	RUN(lo_ioctls);
	RUN(fork_server_client);
	DONE();
}
