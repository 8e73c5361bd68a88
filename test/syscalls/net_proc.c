/*
 * net_proc.c: /proc/net (a link to self/net) and /proc/PID/net, in Linux's
 * formats: tcp and tcp6 (a listener, both ends of a connection, rx_queue),
 * udp and udp6, unix (abstract, autobound, listening, connected sockets),
 * dev, if_inet6, route, snmp. Every socket is looked up by its inode (from
 * fstat) and port; the host has other sockets and interfaces, so no check
 * assumes the lists hold only ours. Run as root natively.
 */
#include "check.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static char text[1 << 20];

/* Reads a whole file into text; returns its length or -1. */
static ssize_t slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, text + len, sizeof(text) - 1 - len);
		if (n < 0) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text[len] = 0;
	return (ssize_t)len;
}

static unsigned long ino_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) < 0 ? 0 : (unsigned long)st.st_ino;
}

static int port_of(int s)
{
	struct sockaddr_in6 a;
	socklen_t l = sizeof(a);
	if (getsockname(s, (struct sockaddr *)&a, &l) < 0)
		return -1;
	return ntohs(a.sin6_port); /* sin_port and sin6_port share their offset */
}

/* The line of text whose inode column (the 10th field) is ino, copied to out; 0 if none. */
static int line_by_inode(unsigned long ino, char *out, size_t outlen)
{
	for (char *l = strchr(text, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
		char *start = l + 1;
		char *end = strchr(start, '\n');
		size_t n = end ? (size_t)(end - start) : strlen(start);
		char buf[512];
		if (n >= sizeof(buf))
			continue;
		memcpy(buf, start, n);
		buf[n] = 0;
		char f[12][80];
		if (sscanf(buf, "%79s %79s %79s %79s %79s %79s %79s %79s %79s %79s", f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]) != 10)
			continue;
		if (strtoul(f[9], NULL, 10) == ino) {
			snprintf(out, outlen, "%s", buf);
			return 1;
		}
	}
	return 0;
}

/* Every line of text (the header too) is exactly width characters before its newline. */
static int all_lines_width(size_t width)
{
	for (char *l = text; *l;) {
		char *end = strchr(l, '\n');
		if (!end || (size_t)(end - l) != width)
			return 0;
		l = end + 1;
	}
	return 1;
}

static int first_line_is(const char *want)
{
	size_t n = strlen(want);
	return strncmp(text, want, n) == 0 && (text[n] == '\n' || text[n] == ' ');
}

static struct sockaddr_in in4(uint32_t addr, int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(addr);
	return a;
}

static void tcp_listener(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = in4(INADDR_LOOPBACK, 0);
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	/* Bound but not listening: in neither hash, not listed. */
	CHECK(slurp("/proc/net/tcp") > 0);
	char line[512], want[128];
	CHECK(!line_by_inode(ino_of(s), line, sizeof(line)));
	CHECK_OK(listen(s, 7));
	int port = port_of(s);
	CHECK(slurp("/proc/net/tcp") > 0);
	CHECK(first_line_is("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"));
	CHECK(all_lines_width(149));
	CHECKF(line_by_inode(ino_of(s), line, sizeof(line)), "no line for inode %lu", ino_of(s));
	/* "   N: 0100007F:PORT 00000000:0000 0A 00000000:00000000 00:00000000 00000000   UID        0 INODE 1 ..." */
	snprintf(want, sizeof(want), ": 0100007F:%04X 00000000:0000 0A 00000000:00000000 00:00000000 00000000 ", port);
	CHECKF(strstr(line, want) != NULL, "line %s", line);
	unsigned uid;
	unsigned long ino;
	CHECK_EQ(sscanf(strstr(line, want) + strlen(want), "%u %*d %lu", &uid, &ino), 2);
	CHECK_EQ(uid, geteuid());
	CHECK_EQ(ino, ino_of(s));
	/* The sl column counts from 0 in four columns. */
	CHECK(isdigit((unsigned char)line[3]) && line[4] == ':');
	/* A pending connection shows in the listener's rx_queue (its accept queue). */
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_port = htons(port);
	CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof(a)));
	CHECK(slurp("/proc/net/tcp") > 0);
	CHECK(line_by_inode(ino_of(s), line, sizeof(line)));
	CHECKF(strstr(line, " 0A 00000000:00000001 ") != NULL, "line %s", line);
	close(c);
	close(s);
	/* Gone once closed. */
	CHECK(slurp("/proc/net/tcp") > 0);
	CHECK(!line_by_inode(ino, line, sizeof(line)));
}

static void tcp_connection(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = in4(INADDR_LOOPBACK, 0);
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(s, 1));
	int port = port_of(s);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_port = htons(port);
	CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof(a)));
	int d = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	CHECK(d >= 0);
	CHECK_EQ(write(c, "hello", 5), 5);
	int cport = port_of(c);
	char line[512], want[96];
	/* Give the data time to arrive (instant on loopback, but the host is busy). */
	usleep(20000);
	CHECK(slurp("/proc/net/tcp") > 0);
	CHECK(line_by_inode(ino_of(c), line, sizeof(line)));
	snprintf(want, sizeof(want), ": 0100007F:%04X 0100007F:%04X 01 ", cport, port);
	CHECKF(strstr(line, want) != NULL, "client line %s", line);
	CHECK(line_by_inode(ino_of(d), line, sizeof(line)));
	/* The server's end holds 5 unread bytes. */
	snprintf(want, sizeof(want), ": 0100007F:%04X 0100007F:%04X 01 00000000:00000005 ", port, cport);
	CHECKF(strstr(line, want) != NULL, "server line %s", line);
	/* /proc/net/snmp: CurrEstab counts at least our two ends. */
	CHECK(slurp("/proc/net/snmp") > 0);
	char *hdr = strstr(text, "\nTcp: ");
	CHECK(hdr != NULL);
	char *vals = strstr(hdr + 1, "\nTcp: ");
	CHECK(vals != NULL);
	int col = 0, idx = -1;
	char name[64];
	for (char *p = hdr + 6; *p && *p != '\n'; col++) {
		int n = 0;
		if (sscanf(p, "%63s%n", name, &n) != 1)
			break;
		if (strcmp(name, "CurrEstab") == 0)
			idx = col;
		p += n;
		while (*p == ' ')
			p++;
	}
	CHECK_EQ(idx, 8);
	long v[32];
	CHECK(sscanf(vals + 6, "%ld %ld %ld %ld %ld %ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) == 9);
	CHECK_EQ(v[0], 1);
	CHECK_EQ(v[1], 200);
	CHECK_EQ(v[2], 120000);
	CHECK_EQ(v[3], -1);
	CHECKF(v[8] >= 2, "CurrEstab %ld", v[8]);
	close(c);
	close(d);
	close(s);
}

static void tcp6_listener(void)
{
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(s, 3));
	int port = port_of(s);
	CHECK(slurp("/proc/net/tcp6") > 0);
	CHECK(first_line_is("  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"));
	char line[512], want[128];
	CHECK(line_by_inode(ino_of(s), line, sizeof(line)));
	snprintf(want, sizeof(want), ": 00000000000000000000000000000000:%04X 00000000000000000000000000000000:0000 0A ", port);
	CHECKF(strstr(line, want) != NULL, "line %s", line);
	/* An AF_INET6 socket is never in /proc/net/tcp. */
	CHECK(slurp("/proc/net/tcp") > 0);
	CHECK(!line_by_inode(ino_of(s), line, sizeof(line)));
	/* A v4-mapped connection to it shows ::ffff:127.0.0.1 in tcp6. */
	int c = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &to.sin6_addr);
	CHECK_OK(connect(c, (struct sockaddr *)&to, sizeof(to)));
	CHECK(slurp("/proc/net/tcp6") > 0);
	CHECK(line_by_inode(ino_of(c), line, sizeof(line)));
	snprintf(want, sizeof(want), " 0000000000000000FFFF00000100007F:%04X 01 ", port);
	CHECKF(strstr(line, want) != NULL, "line %s", line);
	close(c);
	close(s);
}

static void udp_sockets(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = in4(INADDR_LOOPBACK, 0);
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	int port = port_of(s);
	int c = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_port = htons(port);
	CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof(a)));
	CHECK_EQ(send(c, "12345", 5, 0), 5);
	int cport = port_of(c);
	char line[512], want[96];
	CHECK(slurp("/proc/net/udp") > 0);
	CHECK(first_line_is("   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops"));
	CHECK(all_lines_width(127));
	CHECK(line_by_inode(ino_of(s), line, sizeof(line)));
	snprintf(want, sizeof(want), ": 0100007F:%04X 00000000:0000 07 00000000:", port);
	CHECKF(strstr(line, want) != NULL, "server line %s", line);
	/* A datagram is waiting: rx_queue is its truesize, more than its 5 bytes. */
	unsigned rxq = 0;
	CHECK_EQ(sscanf(strstr(line, want) + strlen(want), "%x", &rxq), 1);
	CHECKF(rxq > 5, "rx_queue %u", rxq);
	CHECK(line_by_inode(ino_of(c), line, sizeof(line)));
	snprintf(want, sizeof(want), ": 0100007F:%04X 0100007F:%04X 01 ", cport, port);
	CHECKF(strstr(line, want) != NULL, "client line %s", line);
	/* Nothing after the inode but "ref pointer drops". */
	unsigned long ino;
	int ref;
	char ptr[32];
	unsigned drops;
	char *p = strstr(line, want);
	CHECK_EQ(sscanf(p + strlen(want), "%*x:%*x %*x:%*x %*x %*u %*d %lu %d %31s %u", &ino, &ref, ptr, &drops), 4);
	CHECK_EQ(ino, ino_of(c));
	CHECK_EQ(strlen(ptr), 16);
	CHECK_EQ(drops, 0);
	/* udp6: an AF_INET6 socket. */
	int u6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	CHECK_OK(bind(u6, (struct sockaddr *)&a6, sizeof(a6)));
	CHECK(slurp("/proc/net/udp6") > 0);
	CHECK(first_line_is("  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops"));
	CHECK(line_by_inode(ino_of(u6), line, sizeof(line)));
	snprintf(want, sizeof(want), ": 00000000000000000000000000000000:%04X 00000000000000000000000000000000:0000 07 ", port_of(u6));
	CHECKF(strstr(line, want) != NULL, "udp6 line %s", line);
	close(u6);
	close(c);
	close(s);
}

/* The /proc/net/unix line of a socket, by inode (the 7th field). */
static int unix_line(unsigned long ino, char *out, size_t outlen)
{
	for (char *l = strchr(text, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
		unsigned long i;
		if (sscanf(l + 1, "%*s %*s %*s %*s %*s %*s %lu", &i) == 1 && i == ino) {
			char *end = strchr(l + 1, '\n');
			size_t n = end ? (size_t)(end - l - 1) : strlen(l + 1);
			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, l + 1, n);
			out[n] = 0;
			return 1;
		}
	}
	return 0;
}

static void unix_sockets(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char name[64];
	int nlen = snprintf(name, sizeof(name), "tsvisor-net-proc-%d", getpid());
	memcpy(a.sun_path + 1, name, (size_t)nlen);
	CHECK_OK(bind(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + nlen)));
	CHECK_OK(listen(s, 1));
	int pair[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair));
	int ab = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK_OK(bind(ab, (struct sockaddr *)&a, sizeof(sa_family_t)));
	CHECK(slurp("/proc/net/unix") > 0);
	CHECK(first_line_is("Num       RefCount Protocol Flags    Type St Inode Path"));
	char line[512], want[128];
	CHECK(unix_line(ino_of(s), line, sizeof(line)));
	/* "XXXXXXXXXXXXXXXX: 0000000N 00000000 00010000 0001 01 INODE @name" */
	CHECK(strlen(line) > 18 && line[16] == ':' && line[17] == ' ');
	snprintf(want, sizeof(want), " 00000000 00010000 0001 01 %5lu @%s", ino_of(s), name);
	CHECKF(strstr(line, want) != NULL && strcmp(strstr(line, want), want) == 0, "listener line %s", line);
	CHECK(unix_line(ino_of(pair[0]), line, sizeof(line)));
	snprintf(want, sizeof(want), " 00000000 00000000 0002 03 %5lu", ino_of(pair[0]));
	CHECKF(strstr(line, want) != NULL && strcmp(strstr(line, want), want) == 0, "pair line %s", line);
	/* Autobind: '@' and five hex digits. */
	CHECK(unix_line(ino_of(ab), line, sizeof(line)));
	char *at = strchr(line, '@');
	CHECKF(at && strlen(at) == 6, "autobind line %s", line);
	for (int i = 1; i < 6; i++)
		CHECK(isxdigit((unsigned char)at[i]));
	unsigned long gone = ino_of(ab);
	close(ab);
	CHECK(slurp("/proc/net/unix") > 0);
	CHECK(!unix_line(gone, line, sizeof(line)));
	close(pair[0]);
	close(pair[1]);
	close(s);
}

static void dev_and_if_inet6(void)
{
	CHECK(slurp("/proc/net/dev") > 0);
	CHECK(strncmp(text,
		      "Inter-|   Receive                                                |  Transmit\n"
		      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n",
		      strlen("Inter-|   Receive                                                |  Transmit\n"
			     " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n")) == 0);
	char *lo = strstr(text, "\n    lo:");
	CHECK(lo != NULL);
	unsigned long long v[16];
	int n = 0;
	CHECK_EQ(sscanf(lo + 9, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
			&v[10], &v[11], &v[12], &v[13], &v[14], &v[15], &n),
		 16);
	CHECK_EQ(lo[9 + n], '\n');
	/* lo sends what it receives. */
	CHECK(v[0] == v[8] || v[0] + 100000 > v[8]);
	/* if_inet6: "ADDR IDX PLEN SCOPE FLAGS NAME"; ::1 is there exactly when it can be bound. */
	CHECK(slurp("/proc/net/if_inet6") >= 0);
	int listed = 0;
	for (char *l = text; *l;) {
		char addr[40], dev[20];
		unsigned idx, plen, scope, flags;
		CHECK_EQ(sscanf(l, "%39s %x %x %x %x %19s", addr, &idx, &plen, &scope, &flags, dev), 6);
		CHECK_EQ(strlen(addr), 32);
		CHECK(l[32] == ' ' && l[35] == ' ' && l[38] == ' ' && l[41] == ' ' && l[44] == ' ');
		if (strcmp(addr, "00000000000000000000000000000001") == 0) {
			CHECK_EQ(idx, if_nametoindex("lo"));
			CHECK_EQ(plen, 128);
			CHECK_EQ(scope, 0x10);
			CHECK(flags & 0x80);
			CHECK(strncmp(l + 45, "      lo\n", 9) == 0);
			listed = 1;
		}
		l = strchr(l, '\n');
		CHECK(l != NULL);
		l++;
	}
	int s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int can = s6 >= 0 && bind(s6, (struct sockaddr *)&a6, sizeof(a6)) == 0;
	if (s6 >= 0)
		close(s6);
	CHECK_EQ(listed, can);
}

static void route_table(void)
{
	CHECK(slurp("/proc/net/route") > 0);
	CHECK(first_line_is("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"));
	CHECK(all_lines_width(127));
	/* lo's routes are in the local table, which this file does not show. */
	for (char *l = strchr(text, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
		int tabs = 0;
		for (char *p = l + 1; *p && *p != '\n'; p++)
			tabs += *p == '\t';
		CHECK_EQ(tabs, 10);
		CHECK(strncmp(l + 1, "lo\t", 3) != 0);
	}
}

static void self_and_pid(void)
{
	char link[64];
	ssize_t n = readlink("/proc/net", link, sizeof(link) - 1);
	CHECK(n > 0);
	link[n] = 0;
	CHECK(strcmp(link, "self/net") == 0);
	struct stat a, b;
	CHECK_OK(stat("/proc/net", &a));
	CHECK(S_ISDIR(a.st_mode));
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/net/unix", getpid());
	CHECK_OK(stat(path, &b));
	CHECK(S_ISREG(b.st_mode));
	CHECK_EQ(b.st_mode & 0777, 0444);
	CHECK_EQ(b.st_size, 0);
	/* The listing has the files this sandbox provides. */
	DIR *d = opendir("/proc/self/net");
	CHECK(d != NULL);
	int found = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		static const char *const want[] = { "tcp", "tcp6", "udp", "udp6", "unix", "dev", "if_inet6", "route", "snmp", "snmp6", "netstat", "netlink" };
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (strcmp(e->d_name, want[i]) == 0) {
				found++;
				CHECK_EQ(e->d_type, DT_REG);
			}
	}
	closedir(d);
	CHECK_EQ(found, 12);
	/* The same socket shows through /proc/self/net and /proc/PID/net. */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = in4(INADDR_LOOPBACK, 0);
	CHECK_OK(bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	CHECK_OK(listen(s, 1));
	char line[512];
	snprintf(path, sizeof(path), "/proc/%d/net/tcp", getpid());
	CHECK(slurp(path) > 0);
	CHECK(line_by_inode(ino_of(s), line, sizeof(line)));
	CHECK(slurp("/proc/self/net/tcp") > 0);
	CHECK(line_by_inode(ino_of(s), line, sizeof(line)));
	close(s);
}

/* Lines of "Name: a b c" then "Name: 1 2 3": the same names twice, as many values as names. */
static int paired_rows(const char *first)
{
	if (strncmp(text, first, strlen(first)) != 0)
		return 0;
	for (char *l = text; *l;) {
		char *e1 = strchr(l, '\n');
		if (!e1)
			return 0;
		char *e2 = strchr(e1 + 1, '\n');
		if (!e2)
			return 0;
		char *colon = strchr(l, ':');
		if (!colon || colon > e1 || strncmp(l, e1 + 1, (size_t)(colon - l + 1)) != 0)
			return 0;
		int names = 0, vals = 0;
		for (char *p = colon + 1; p < e1; p++)
			names += *p == ' ';
		for (char *p = e1 + 1 + (colon - l) + 1; p < e2; p++) {
			vals += *p == ' ';
			if (*p != ' ' && *p != '-' && !isdigit((unsigned char)*p))
				return 0;
		}
		if (names == 0 || names != vals)
			return 0;
		l = e2 + 1;
	}
	return 1;
}

static void counters(void)
{
	CHECK(slurp("/proc/net/snmp") > 0);
	CHECK(paired_rows("Ip: Forwarding DefaultTTL "));
	CHECK(slurp("/proc/net/netstat") > 0);
	CHECK(paired_rows("TcpExt: SyncookiesSent "));
	CHECK(strstr(text, "\nIpExt: ") != NULL);
	/* snmp6: "%-32s\t%lu" lines. */
	CHECK(slurp("/proc/net/snmp6") > 0);
	CHECK(strncmp(text, "Ip6InReceives", 13) == 0);
	for (char *l = text; *l;) {
		char *e = strchr(l, '\n');
		CHECK(e != NULL);
		CHECK(e - l > 33 && l[32] == '\t' && l[31] != '\t');
		for (char *p = l + 33; p < e; p++)
			CHECK(isdigit((unsigned char)*p));
		l = e + 1;
	}
}

static void netlink_list(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	CHECK(s >= 0);
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_pid = 0x7654330, .nl_groups = RTMGRP_LINK };
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK(slurp("/proc/net/netlink") > 0);
	CHECK(first_line_is("sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode"));
	char want[128];
	/* "PTR 0   124076848  00000001 0        0        0     2        0        INODE   " */
	snprintf(want, sizeof(want), " 0   %-10u 00000001 0        0        0     ", 0x7654330);
	char *l = strstr(text, want);
	CHECKF(l != NULL, "no line with \"%s\"", want);
	CHECK(l - text >= 16 && l[-17] == '\n');
	unsigned long ino;
	CHECK_EQ(sscanf(l + strlen(want), "%*d %*u %lu", &ino), 1);
	CHECK_EQ(ino, ino_of(s));
	close(s);
	CHECK(slurp("/proc/net/netlink") > 0);
	CHECK(strstr(text, want) == NULL);
}

int main(void)
{
	RUN(tcp_listener);
	RUN(tcp_connection);
	RUN(tcp6_listener);
	RUN(udp_sockets);
	RUN(unix_sockets);
	RUN(dev_and_if_inet6);
	RUN(route_table);
	RUN(self_and_pid);
	RUN(counters);
	RUN(netlink_list);
	DONE();
}
