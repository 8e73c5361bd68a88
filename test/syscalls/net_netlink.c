/*
 * net_netlink.c: AF_NETLINK / NETLINK_ROUTE sockets (man 7 netlink, man 7
 * rtnetlink): creation errors, bind and autobind (the tgid, then negative
 * port IDs), getsockname, RTM_GETLINK / RTM_GETADDR / RTM_GETROUTE dumps
 * walked with NLMSG_OK/NLMSG_NEXT (lo with its attributes, 127.0.0.1/8 and
 * ::1/128, multipart messages ending in NLMSG_DONE, sequence numbers and
 * port IDs echoed), RTM_GETLINK requests, NLMSG_ERROR acks and errors
 * (EOPNOTSUPP, EINVAL, ENODEV, malformed messages ignored), strict checking
 * and extended acks, MSG_PEEK / MSG_TRUNC, poll and epoll readiness, the
 * SOL_NETLINK options, and what libc builds on it: getifaddrs(),
 * if_nameindex().
 *
 * The host has more interfaces than lo: every check holds for lo whatever
 * else exists. Nothing is changed on the host. Run as root natively.
 */
#include "check.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if_arp.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define BUFSZ (256 * 1024)
static char rbuf[BUFSZ];

static int nl_open(int type)
{
	return socket(AF_NETLINK, type | SOCK_CLOEXEC, NETLINK_ROUTE);
}

static int32_t nl_portid(int s)
{
	struct sockaddr_nl a;
	socklen_t l = sizeof(a);
	memset(&a, 0xff, sizeof(a));
	if (getsockname(s, (struct sockaddr *)&a, &l) < 0 || l != sizeof(a) || a.nl_family != AF_NETLINK)
		return 0x7fffffff;
	return (int32_t)a.nl_pid;
}

/* Sends one request (header + body) to the kernel; returns sendto's result. */
static ssize_t nl_send(int s, int type, int flags, uint32_t seq, const void *body, size_t blen)
{
	char buf[512];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	memset(buf, 0, sizeof(buf));
	h->nlmsg_len = NLMSG_LENGTH(blen);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	memcpy(NLMSG_DATA(h), body, blen);
	return sendto(s, buf, NLMSG_ALIGN(h->nlmsg_len), 0, (struct sockaddr *)&k, sizeof(k));
}

/*
 * Receives replies into rbuf until an NLMSG_DONE or NLMSG_ERROR arrives (or
 * 2 s pass); returns the bytes gathered (messages back to back), -1 on error.
 * *recvs counts the recv calls that returned data.
 */
static ssize_t nl_collect(int s, int *recvs)
{
	size_t len = 0;
	int n = 0;
	for (;;) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		if (poll(&p, 1, 2000) != 1)
			return -1;
		ssize_t r = recv(s, rbuf + len, BUFSZ - len, MSG_DONTWAIT);
		if (r <= 0)
			return -1;
		n++;
		int end = 0;
		int rl = (int)r;
		for (struct nlmsghdr *h = (struct nlmsghdr *)(rbuf + len); NLMSG_OK(h, rl); h = NLMSG_NEXT(h, rl))
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				end = 1;
		len += (size_t)r;
		if (end)
			break;
	}
	if (recvs)
		*recvs = n;
	return (ssize_t)len;
}

static struct rtattr *attr_find(struct rtattr *rta, int len, int type)
{
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == type)
			return rta;
	return NULL;
}

static int lo_index(void)
{
	return (int)if_nametoindex("lo");
}

static int lo_ioctl_int(unsigned long req)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	int r = ioctl(s, req, &ifr);
	close(s);
	return r < 0 ? -1 : ifr.ifr_mtu; /* ifr_mtu, ifr_qlen share the union */
}

/* Whether lo has ::1 according to /proc/net/if_inet6. */
static int have_v6_loopback(void)
{
	char buf[8192];
	FILE *f = fopen("/proc/net/if_inet6", "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, "00000000000000000000000000000001 ") != NULL;
}

static void create(void)
{
	int s = nl_open(SOCK_RAW);
	CHECK(s >= 0);
	int v = 0;
	socklen_t l = sizeof(v);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l));
	CHECK_EQ(v, AF_NETLINK);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
	CHECK_EQ(v, SOCK_RAW);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l));
	CHECK_EQ(v, NETLINK_ROUTE);
	close(s);
	s = nl_open(SOCK_DGRAM);
	CHECK(s >= 0);
	close(s);
	CHECK_ERR(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_NETLINK, SOCK_SEQPACKET, NETLINK_ROUTE), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, NETLINK_UNUSED), EPROTONOSUPPORT);
	/* Not connection-oriented. */
	s = nl_open(SOCK_RAW);
	CHECK_ERR(listen(s, 1), EOPNOTSUPP);
	CHECK_ERR(accept(s, NULL, NULL), EOPNOTSUPP);
	CHECK_ERR(shutdown(s, SHUT_RD), EOPNOTSUPP);
	close(s);
}

static void bind_autobind(void)
{
	int a = nl_open(SOCK_RAW), b = nl_open(SOCK_RAW), c = nl_open(SOCK_DGRAM);
	CHECK(a >= 0 && b >= 0 && c >= 0);
	CHECK_EQ(nl_portid(a), 0);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, sizeof(sa) - 1), EINVAL);
	sa.nl_family = AF_INET;
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, sizeof(sa)), EINVAL);
	sa.nl_family = AF_NETLINK;
	/* The first autobind takes the tgid (nobody else here holds it). */
	CHECK_OK(bind(a, (struct sockaddr *)&sa, sizeof(sa)));
	CHECK_EQ(nl_portid(a), getpid());
	/* The next one a negative ID below -4096. */
	CHECK_OK(bind(b, (struct sockaddr *)&sa, sizeof(sa)));
	int32_t pb = nl_portid(b);
	CHECKF(pb < -4096, "second autobind gave %d", pb);
	/* Binding again to the same ID is fine, to another EINVAL. */
	sa.nl_pid = (uint32_t)pb;
	CHECK_OK(bind(b, (struct sockaddr *)&sa, sizeof(sa)));
	sa.nl_pid = 0x7654321;
	CHECK_ERR(bind(b, (struct sockaddr *)&sa, sizeof(sa)), EINVAL);
	/* An explicit ID, and EADDRINUSE for one taken. */
	CHECK_OK(bind(c, (struct sockaddr *)&sa, sizeof(sa)));
	CHECK_EQ(nl_portid(c), 0x7654321);
	int d = nl_open(SOCK_RAW);
	CHECK_ERR(bind(d, (struct sockaddr *)&sa, sizeof(sa)), EADDRINUSE);
	/* getpeername: the kernel (0) until connected elsewhere. */
	struct sockaddr_nl p;
	socklen_t l = sizeof(p);
	memset(&p, 0xff, sizeof(p));
	CHECK_OK(getpeername(d, (struct sockaddr *)&p, &l));
	CHECK_EQ(l, sizeof(p));
	CHECK_EQ(p.nl_family, AF_NETLINK);
	CHECK_EQ(p.nl_pid, 0);
	close(c);
	/* Free again once closed. */
	CHECK_OK(bind(d, (struct sockaddr *)&sa, sizeof(sa)));
	close(a);
	close(b);
	close(d);
	/* sendto autobinds, and replies carry the port ID. */
	int e = nl_open(SOCK_RAW);
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	CHECK_EQ(nl_send(e, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 5, &g, sizeof(g)), NLMSG_SPACE(sizeof(g)));
	int32_t pe = nl_portid(e);
	CHECK_EQ(pe, getpid());
	ssize_t n = nl_collect(e, NULL);
	CHECK(n > 0);
	CHECK_EQ((int32_t)((struct nlmsghdr *)rbuf)->nlmsg_pid, pe);
	close(e);
}

/* Checks lo's RTM_NEWLINK message. */
static int check_lo_link(struct nlmsghdr *h, char *why)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int alen = (int)IFLA_PAYLOAD(h);
	struct rtattr *a;
	if (ifi->ifi_type != ARPHRD_LOOPBACK)
		return sprintf(why, "ifi_type %d", ifi->ifi_type), 0;
	if ((ifi->ifi_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) != (IFF_UP | IFF_LOOPBACK | IFF_RUNNING))
		return sprintf(why, "ifi_flags %#x", ifi->ifi_flags), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_IFNAME)) || strcmp(RTA_DATA(a), "lo") != 0)
		return sprintf(why, "IFLA_IFNAME"), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_MTU)) || RTA_PAYLOAD(a) != 4 || *(int *)RTA_DATA(a) != lo_ioctl_int(SIOCGIFMTU))
		return sprintf(why, "IFLA_MTU"), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_TXQLEN)) || RTA_PAYLOAD(a) != 4 || *(int *)RTA_DATA(a) != lo_ioctl_int(SIOCGIFTXQLEN))
		return sprintf(why, "IFLA_TXQLEN"), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_OPERSTATE)) || RTA_PAYLOAD(a) != 1)
		return sprintf(why, "IFLA_OPERSTATE"), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_LINKMODE)) || RTA_PAYLOAD(a) != 1 || *(uint8_t *)RTA_DATA(a) != 0)
		return sprintf(why, "IFLA_LINKMODE"), 0;
	static const uint8_t zero6[6];
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_ADDRESS)) || RTA_PAYLOAD(a) != 6 || memcmp(RTA_DATA(a), zero6, 6) != 0)
		return sprintf(why, "IFLA_ADDRESS"), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_BROADCAST)) || RTA_PAYLOAD(a) != 6 || memcmp(RTA_DATA(a), zero6, 6) != 0)
		return sprintf(why, "IFLA_BROADCAST"), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_STATS64)) || RTA_PAYLOAD(a) < 23 * 8)
		return sprintf(why, "IFLA_STATS64"), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_STATS)) || RTA_PAYLOAD(a) < 23 * 4)
		return sprintf(why, "IFLA_STATS"), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_QDISC)) || strcmp(RTA_DATA(a), "noqueue") != 0)
		return sprintf(why, "IFLA_QDISC"), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_NUM_TX_QUEUES)) || *(uint32_t *)RTA_DATA(a) < 1)
		return sprintf(why, "IFLA_NUM_TX_QUEUES"), 0;
	if (!(a = attr_find(IFLA_RTA(ifi), alen, IFLA_CARRIER)) || *(uint8_t *)RTA_DATA(a) != 1)
		return sprintf(why, "IFLA_CARRIER"), 0;
	return 1;
}

static void link_dump(void)
{
	int s = nl_open(SOCK_RAW);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	CHECK_OK(bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	int32_t me = nl_portid(s);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1234, &ifi, sizeof(ifi)) > 0);
	int recvs = 0;
	ssize_t n = nl_collect(s, &recvs);
	CHECK(n > 0);
	int len = (int)n, links = 0, lo = 0, done = 0;
	char why[128] = "";
	for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		CHECK_EQ(h->nlmsg_seq, 1234);
		CHECK_EQ((int32_t)h->nlmsg_pid, me);
		CHECK(h->nlmsg_flags & NLM_F_MULTI);
		CHECK(!done);
		if (h->nlmsg_type == NLMSG_DONE) {
			CHECK_EQ(h->nlmsg_len, NLMSG_LENGTH(sizeof(int)));
			CHECK_EQ(*(int *)NLMSG_DATA(h), 0);
			done = 1;
			continue;
		}
		CHECK_EQ(h->nlmsg_type, RTM_NEWLINK);
		struct ifinfomsg *m = NLMSG_DATA(h);
		links++;
		if (m->ifi_index == lo_index()) {
			lo++;
			CHECKF(check_lo_link(h, why), "lo: %s", why);
		}
	}
	CHECK(done);
	CHECK_EQ(len, 0);
	CHECK_EQ(lo, 1);
	/* NLMSG_DONE comes in a datagram of its own. */
	CHECK(recvs >= 2);
	/* As many links as if_nameindex() knows. */
	struct if_nameindex *ni = if_nameindex();
	CHECK(ni != NULL);
	int count = 0;
	while (ni[count].if_index != 0)
		count++;
	if_freenameindex(ni);
	CHECK_EQ(links, count);
	/* Another family falls back to the AF_UNSPEC dump; AF_BRIDGE lists bridge ports (lo is none). */
	ifi.ifi_family = AF_PACKET;
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1235, &ifi, sizeof(ifi)) > 0);
	n = nl_collect(s, NULL);
	CHECK(n > 0);
	len = (int)n;
	lo = 0;
	for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
		if (h->nlmsg_type == RTM_NEWLINK && ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index == lo_index())
			lo++;
	CHECK_EQ(lo, 1);
	ifi.ifi_family = AF_BRIDGE;
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1236, &ifi, sizeof(ifi)) > 0);
	n = nl_collect(s, NULL);
	CHECK(n > 0);
	len = (int)n;
	for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
		if (h->nlmsg_type == RTM_NEWLINK)
			CHECK(((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index != lo_index());
	close(s);
}

/* Counts the addresses of a dump in rbuf; checks lo's. *v4 and *v6 count lo's 127.0.0.1/8 and ::1/128. */
static int walk_addrs(ssize_t n, uint32_t seq, int family, int *v4, int *v6, char *why)
{
	int len = (int)n, done = 0, count = 0;
	*v4 = *v6 = 0;
	for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_seq != seq || !(h->nlmsg_flags & NLM_F_MULTI))
			return sprintf(why, "seq %u flags %#x", h->nlmsg_seq, h->nlmsg_flags), -1;
		if (h->nlmsg_type == NLMSG_DONE) {
			done = 1;
			if (*(int *)NLMSG_DATA(h) != 0)
				return sprintf(why, "DONE %d", *(int *)NLMSG_DATA(h)), -1;
			continue;
		}
		if (h->nlmsg_type != RTM_NEWADDR)
			return sprintf(why, "type %d", h->nlmsg_type), -1;
		struct ifaddrmsg *ifa = NLMSG_DATA(h);
		int alen = (int)IFA_PAYLOAD(h);
		count++;
		if (family != AF_UNSPEC && ifa->ifa_family != family)
			return sprintf(why, "family %d in a dump of %d", ifa->ifa_family, family), -1;
		if ((int)ifa->ifa_index != lo_index())
			continue;
		struct rtattr *addr = attr_find(IFA_RTA(ifa), alen, IFA_ADDRESS);
		struct rtattr *ci = attr_find(IFA_RTA(ifa), alen, IFA_CACHEINFO);
		struct rtattr *fl = attr_find(IFA_RTA(ifa), alen, IFA_FLAGS);
		if (!addr || !ci || RTA_PAYLOAD(ci) != sizeof(struct ifa_cacheinfo) || !fl || RTA_PAYLOAD(fl) != 4)
			return sprintf(why, "lo address without IFA_ADDRESS/IFA_CACHEINFO/IFA_FLAGS"), -1;
		struct ifa_cacheinfo *c = RTA_DATA(ci);
		if (ifa->ifa_family == AF_INET) {
			struct rtattr *local = attr_find(IFA_RTA(ifa), alen, IFA_LOCAL);
			struct rtattr *label = attr_find(IFA_RTA(ifa), alen, IFA_LABEL);
			uint32_t want = htonl(INADDR_LOOPBACK);
			if (ifa->ifa_prefixlen == 8 && RTA_PAYLOAD(addr) == 4 && memcmp(RTA_DATA(addr), &want, 4) == 0) {
				if (!local || memcmp(RTA_DATA(local), &want, 4) != 0)
					return sprintf(why, "127.0.0.1: IFA_LOCAL"), -1;
				if (!label || strcmp(RTA_DATA(label), "lo") != 0)
					return sprintf(why, "127.0.0.1: IFA_LABEL"), -1;
				if (ifa->ifa_scope != RT_SCOPE_HOST || !(*(uint32_t *)RTA_DATA(fl) & IFA_F_PERMANENT))
					return sprintf(why, "127.0.0.1: scope %d flags %#x", ifa->ifa_scope, *(uint32_t *)RTA_DATA(fl)), -1;
				if (c->ifa_valid != 0xffffffffu || c->ifa_prefered != 0xffffffffu)
					return sprintf(why, "127.0.0.1: lifetimes"), -1;
				(*v4)++;
			}
		} else if (ifa->ifa_family == AF_INET6) {
			if (ifa->ifa_prefixlen == 128 && RTA_PAYLOAD(addr) == 16 && memcmp(RTA_DATA(addr), &in6addr_loopback, 16) == 0) {
				if (ifa->ifa_scope != RT_SCOPE_HOST || !(*(uint32_t *)RTA_DATA(fl) & IFA_F_PERMANENT))
					return sprintf(why, "::1: scope %d", ifa->ifa_scope), -1;
				if (c->ifa_valid != 0xffffffffu)
					return sprintf(why, "::1: lifetime"), -1;
				(*v6)++;
			}
		}
	}
	if (!done || len != 0)
		return sprintf(why, "no NLMSG_DONE"), -1;
	return count;
}

static void addr_dump(void)
{
	int s = nl_open(SOCK_DGRAM);
	char why[128] = "";
	int v4, v6, n4, n6, nall;
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	CHECK(nl_send(s, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 77, &ifa, sizeof(ifa)) > 0);
	ssize_t n = nl_collect(s, NULL);
	CHECK(n > 0);
	n4 = walk_addrs(n, 77, AF_INET, &v4, &v6, why);
	CHECKF(n4 >= 0, "AF_INET dump: %s", why);
	CHECK_EQ(v4, 1);
	ifa.ifa_family = AF_INET6;
	CHECK(nl_send(s, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 78, &ifa, sizeof(ifa)) > 0);
	n = nl_collect(s, NULL);
	CHECK(n > 0);
	n6 = walk_addrs(n, 78, AF_INET6, &v4, &v6, why);
	CHECKF(n6 >= 0, "AF_INET6 dump: %s", why);
	CHECK_EQ(v6, have_v6_loopback());
	/* AF_UNSPEC (as an rtgenmsg): both families. */
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	CHECK(nl_send(s, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 79, &g, sizeof(g)) > 0);
	n = nl_collect(s, NULL);
	CHECK(n > 0);
	nall = walk_addrs(n, 79, AF_UNSPEC, &v4, &v6, why);
	CHECKF(nall >= 0, "AF_UNSPEC dump: %s", why);
	CHECK_EQ(nall, n4 + n6);
	CHECK_EQ(v4, 1);
	CHECK_EQ(v6, have_v6_loopback());
	close(s);
}

static void route_dump(void)
{
	int s = nl_open(SOCK_RAW);
	struct rtmsg rt = { .rtm_family = AF_INET };
	CHECK(nl_send(s, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 90, &rt, sizeof(rt)) > 0);
	ssize_t n = nl_collect(s, NULL);
	CHECK(n > 0);
	int len = (int)n, local8 = 0, local32 = 0, done = 0;
	for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		CHECK_EQ(h->nlmsg_seq, 90);
		if (h->nlmsg_type == NLMSG_DONE) {
			done = 1;
			continue;
		}
		CHECK_EQ(h->nlmsg_type, RTM_NEWROUTE);
		struct rtmsg *r = NLMSG_DATA(h);
		CHECK_EQ(r->rtm_family, AF_INET);
		int alen = (int)RTM_PAYLOAD(h);
		struct rtattr *dst = attr_find(RTM_RTA(r), alen, RTA_DST);
		struct rtattr *oif = attr_find(RTM_RTA(r), alen, RTA_OIF);
		struct rtattr *tab = attr_find(RTM_RTA(r), alen, RTA_TABLE);
		CHECK(tab != NULL && *(uint32_t *)RTA_DATA(tab) == r->rtm_table);
		if (r->rtm_type != RTN_LOCAL || !dst || !oif || *(int *)RTA_DATA(oif) != lo_index())
			continue;
		uint32_t d = ntohl(*(uint32_t *)RTA_DATA(dst));
		CHECK_EQ(r->rtm_table, RT_TABLE_LOCAL);
		CHECK_EQ(r->rtm_scope, RT_SCOPE_HOST);
		CHECK_EQ(r->rtm_protocol, RTPROT_KERNEL);
		if (d == 0x7f000000 && r->rtm_dst_len == 8)
			local8++;
		if (d == 0x7f000001 && r->rtm_dst_len == 32)
			local32++;
	}
	CHECK(done);
	CHECK_EQ(local8, 1);
	CHECK_EQ(local32, 1);
	close(s);
}

/* The IPv4 policy rules include the three defaults: local (pref 0), main (32766), default (32767). */
static void rule_dump(void)
{
	int s = nl_open(SOCK_RAW);
	struct fib_rule_hdr frh = { .family = AF_INET };
	CHECK(nl_send(s, RTM_GETRULE, NLM_F_REQUEST | NLM_F_DUMP, 95, &frh, sizeof(frh)) > 0);
	ssize_t n = nl_collect(s, NULL);
	CHECK(n > 0);
	int len = (int)n, found = 0, done = 0;
	for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		CHECK_EQ(h->nlmsg_seq, 95);
		if (h->nlmsg_type == NLMSG_DONE) {
			done = 1;
			continue;
		}
		CHECK_EQ(h->nlmsg_type, RTM_NEWRULE);
		struct fib_rule_hdr *r = NLMSG_DATA(h);
		CHECK_EQ(r->family, AF_INET);
		int alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*r)));
		struct rtattr *first = (struct rtattr *)((char *)r + NLMSG_ALIGN(sizeof(*r)));
		struct rtattr *tab = attr_find(first, alen, FRA_TABLE);
		struct rtattr *prio = attr_find(first, alen, FRA_PRIORITY);
		CHECK(tab != NULL);
		uint32_t t = *(uint32_t *)RTA_DATA(tab), p = prio ? *(uint32_t *)RTA_DATA(prio) : 0;
		if (r->action == FR_ACT_TO_TBL && ((t == RT_TABLE_LOCAL && p == 0) || (t == RT_TABLE_MAIN && p == 32766) || (t == RT_TABLE_DEFAULT && p == 32767)))
			found++;
	}
	CHECK(done);
	CHECK_EQ(found, 3);
	close(s);
}

/* One reply (a non-dump request) into rbuf; returns its length. */
static ssize_t one_reply(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	if (poll(&p, 1, 2000) != 1)
		return -1;
	return recv(s, rbuf, BUFSZ, MSG_DONTWAIT);
}

/* Whether the IPv4 main table has a default route (a dump with rtm_dst_len 0 in RT_TABLE_MAIN). */
static int have_default_route(int s)
{
	struct rtmsg rt = { .rtm_family = AF_INET };
	if (nl_send(s, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 96, &rt, sizeof(rt)) <= 0)
		return -1;
	ssize_t n = nl_collect(s, NULL);
	int len = (int)n, found = 0;
	for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; n > 0 && NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		struct rtmsg *r = NLMSG_DATA(h);
		if (h->nlmsg_type == RTM_NEWROUTE && r->rtm_table == RT_TABLE_MAIN && r->rtm_dst_len == 0 && r->rtm_type == RTN_UNICAST)
			found = 1;
	}
	return found;
}

/* The error of the NLMSG_ERROR at h (or 1 if h is not one). */
static int err_of(struct nlmsghdr *h)
{
	if (h->nlmsg_type != NLMSG_ERROR)
		return 1;
	return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

static void getlink_request(void)
{
	int s = nl_open(SOCK_RAW);
	struct {
		struct ifinfomsg ifi;
		char attrs[64];
	} req;
	memset(&req, 0, sizeof(req));
	req.ifi.ifi_index = lo_index();
	/* By index, with an ACK after the answer. */
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 500, &req, sizeof(req.ifi)) > 0);
	ssize_t n = one_reply(s);
	CHECK(n > 0);
	struct nlmsghdr *h = (struct nlmsghdr *)rbuf;
	char why[128] = "";
	CHECK_EQ(h->nlmsg_type, RTM_NEWLINK);
	CHECK_EQ(h->nlmsg_flags, 0);
	CHECK_EQ(h->nlmsg_seq, 500);
	CHECKF(check_lo_link(h, why), "lo: %s", why);
	int len = (int)n;
	h = NLMSG_NEXT(h, len);
	if (!NLMSG_OK(h, len)) {
		n = one_reply(s);
		CHECK(n > 0);
		h = (struct nlmsghdr *)rbuf;
	}
	CHECK_EQ(err_of(h), 0);
	CHECK_EQ(h->nlmsg_flags, NLM_F_CAPPED);
	CHECK_EQ(h->nlmsg_len, NLMSG_LENGTH(sizeof(struct nlmsgerr)));
	struct nlmsgerr *e = NLMSG_DATA(h);
	CHECK_EQ(e->msg.nlmsg_type, RTM_GETLINK);
	CHECK_EQ(e->msg.nlmsg_seq, 500);
	CHECK_EQ(e->msg.nlmsg_len, NLMSG_LENGTH(sizeof(req.ifi)));
	/* By name. */
	req.ifi.ifi_index = 0;
	struct rtattr *a = (struct rtattr *)req.attrs;
	a->rta_type = IFLA_IFNAME;
	a->rta_len = RTA_LENGTH(3);
	memcpy(RTA_DATA(a), "lo", 3);
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST, 501, &req, sizeof(req.ifi) + RTA_SPACE(3)) > 0);
	n = one_reply(s);
	CHECK(n > 0);
	h = (struct nlmsghdr *)rbuf;
	CHECK_EQ(h->nlmsg_type, RTM_NEWLINK);
	CHECK_EQ(((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index, lo_index());
	/* No ACK was asked for: nothing more. */
	CHECK_ERR(recv(s, rbuf, BUFSZ, MSG_DONTWAIT), EAGAIN);
	/* No such device: ENODEV, with the request echoed. */
	memcpy(RTA_DATA(a), "zz9", 3);
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST, 502, &req, sizeof(req.ifi) + RTA_SPACE(3)) > 0);
	n = one_reply(s);
	h = (struct nlmsghdr *)rbuf;
	CHECK_EQ(err_of(h), -ENODEV);
	CHECK_EQ(h->nlmsg_flags, 0);
	CHECK_EQ(h->nlmsg_len, NLMSG_LENGTH(sizeof(struct nlmsgerr)) + sizeof(req.ifi) + RTA_SPACE(3));
	CHECK_EQ(n, h->nlmsg_len);
	CHECK(memcmp((char *)NLMSG_DATA(h) + sizeof(struct nlmsgerr), &req, sizeof(req.ifi) + RTA_SPACE(3)) == 0);
	req.ifi.ifi_index = 0x7ffffff0;
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST, 503, &req, sizeof(req.ifi)) > 0);
	n = one_reply(s);
	CHECK_EQ(err_of((struct nlmsghdr *)rbuf), -ENODEV);
	/* Neither index nor name: EINVAL. */
	req.ifi.ifi_index = 0;
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST, 504, &req, sizeof(req.ifi)) > 0);
	n = one_reply(s);
	CHECK_EQ(err_of((struct nlmsghdr *)rbuf), -EINVAL);
	/* With NETLINK_CAP_ACK the request is not echoed. */
	int on = 1;
	CHECK_OK(setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(on)));
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST, 505, &req, sizeof(req.ifi)) > 0);
	n = one_reply(s);
	h = (struct nlmsghdr *)rbuf;
	CHECK_EQ(err_of(h), -EINVAL);
	CHECK_EQ(h->nlmsg_flags, NLM_F_CAPPED);
	CHECK_EQ(h->nlmsg_len, NLMSG_LENGTH(sizeof(struct nlmsgerr)));
	close(s);
}

/* ip route get: a cloned local route through lo for 127/8; unreachable without a default route. */
static void route_get(void)
{
	int s = nl_open(SOCK_RAW);
	struct {
		struct rtmsg rt;
		struct rtattr a;
		uint32_t dst;
	} req;
	memset(&req, 0, sizeof(req));
	req.rt.rtm_family = AF_INET;
	req.rt.rtm_dst_len = 32;
	req.a.rta_type = RTA_DST;
	req.a.rta_len = RTA_LENGTH(4);
	static const uint32_t dsts[2] = { 0x7f000001, 0x7f000005 };
	for (int i = 0; i < 2; i++) {
		req.dst = htonl(dsts[i]);
		CHECK(nl_send(s, RTM_GETROUTE, NLM_F_REQUEST, 97, &req, sizeof(req)) > 0);
		ssize_t n = one_reply(s);
		CHECK(n > 0);
		struct nlmsghdr *h = (struct nlmsghdr *)rbuf;
		CHECK_EQ(h->nlmsg_type, RTM_NEWROUTE);
		CHECK_EQ(h->nlmsg_flags, 0);
		struct rtmsg *r = NLMSG_DATA(h);
		CHECK_EQ(r->rtm_family, AF_INET);
		CHECK_EQ(r->rtm_dst_len, 32);
		CHECK_EQ(r->rtm_type, RTN_LOCAL);
		CHECK(r->rtm_flags & RTM_F_CLONED);
		int alen = (int)RTM_PAYLOAD(h);
		struct rtattr *a = attr_find(RTM_RTA(r), alen, RTA_DST);
		CHECK(a && *(uint32_t *)RTA_DATA(a) == htonl(dsts[i]));
		a = attr_find(RTM_RTA(r), alen, RTA_OIF);
		CHECK(a && *(int *)RTA_DATA(a) == lo_index());
		a = attr_find(RTM_RTA(r), alen, RTA_PREFSRC);
		CHECK(a && *(uint32_t *)RTA_DATA(a) == htonl(0x7f000001));
		a = attr_find(RTM_RTA(r), alen, RTA_UID);
		CHECK(a && *(uint32_t *)RTA_DATA(a) == getuid());
	}
	/* A header shorter than struct rtmsg: EINVAL. */
	CHECK(nl_send(s, RTM_GETROUTE, NLM_F_REQUEST, 98, &req, 4) > 0);
	CHECK(one_reply(s) > 0);
	CHECK_EQ(err_of((struct nlmsghdr *)rbuf), -EINVAL);
	/* TEST-NET-1: only reachable through a default route. */
	int def = have_default_route(s);
	CHECK(def >= 0);
	req.dst = htonl(0xc0000201);
	CHECK(nl_send(s, RTM_GETROUTE, NLM_F_REQUEST, 99, &req, sizeof(req)) > 0);
	CHECK(one_reply(s) > 0);
	if (def)
		CHECK_EQ(((struct nlmsghdr *)rbuf)->nlmsg_type, RTM_NEWROUTE);
	else
		CHECK_EQ(err_of((struct nlmsghdr *)rbuf), -ENETUNREACH);
	close(s);
}

static void errors_and_acks(void)
{
	int s = nl_open(SOCK_RAW);
	char body[16] = { 0 };
	/* A type beyond RTM_MAX: EOPNOTSUPP. */
	CHECK(nl_send(s, 0xffff, NLM_F_REQUEST, 600, body, 4) > 0);
	CHECK(one_reply(s) > 0);
	CHECK_EQ(err_of((struct nlmsghdr *)rbuf), -EOPNOTSUPP);
	/* RTM_GETADDR without NLM_F_DUMP for IPv4: no handler, EOPNOTSUPP. */
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_index = (uint32_t)lo_index() };
	CHECK(nl_send(s, RTM_GETADDR, NLM_F_REQUEST, 601, &ifa, sizeof(ifa)) > 0);
	CHECK(one_reply(s) > 0);
	CHECK_EQ(err_of((struct nlmsghdr *)rbuf), -EOPNOTSUPP);
	/* RTM_GETLINK shorter than struct ifinfomsg: EINVAL, request echoed (payload padded). */
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST, 602, body, 1) > 0);
	ssize_t n = one_reply(s);
	CHECK_EQ(err_of((struct nlmsghdr *)rbuf), -EINVAL);
	CHECK_EQ(n, NLMSG_LENGTH(sizeof(struct nlmsgerr)) + 4);
	/* No payload at all: nothing to do; only an ACK if asked for. */
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST, 603, body, 0) > 0);
	CHECK_ERR(recv(s, rbuf, BUFSZ, MSG_DONTWAIT), EAGAIN);
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 604, body, 0) > 0);
	CHECK(one_reply(s) > 0);
	CHECK_EQ(err_of((struct nlmsghdr *)rbuf), 0);
	CHECK_EQ(((struct nlmsghdr *)rbuf)->nlmsg_seq, 604);
	/* Control messages and non-requests are only acknowledged. */
	CHECK(nl_send(s, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 605, body, 0) > 0);
	CHECK(one_reply(s) > 0);
	CHECK_EQ(err_of((struct nlmsghdr *)rbuf), 0);
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_ACK, 606, body, 4) > 0);
	CHECK(one_reply(s) > 0);
	CHECK_EQ(err_of((struct nlmsghdr *)rbuf), 0);
	CHECK(nl_send(s, RTM_GETLINK, 0, 607, body, 4) > 0);
	CHECK_ERR(recv(s, rbuf, BUFSZ, MSG_DONTWAIT), EAGAIN);
	/* Malformed headers end the batch without a word. */
	struct nlmsghdr bad[2];
	memset(bad, 0, sizeof(bad));
	bad[0].nlmsg_len = 8;
	bad[0].nlmsg_type = RTM_GETLINK;
	bad[0].nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	CHECK_EQ(send(s, bad, sizeof(bad), 0), sizeof(bad));
	bad[0].nlmsg_len = 100;
	CHECK_EQ(send(s, bad, sizeof(bad), 0), sizeof(bad));
	CHECK_ERR(recv(s, rbuf, BUFSZ, MSG_DONTWAIT), EAGAIN);
	/* Two requests in one datagram: answered in order. */
	char two[64];
	memset(two, 0, sizeof(two));
	struct nlmsghdr *h1 = (struct nlmsghdr *)two, *h2 = (struct nlmsghdr *)(two + 32);
	h1->nlmsg_len = 32;
	h1->nlmsg_type = RTM_GETLINK;
	h1->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h1->nlmsg_seq = 610;
	((struct ifinfomsg *)NLMSG_DATA(h1))->ifi_index = lo_index();
	h2->nlmsg_len = 16;
	h2->nlmsg_type = NLMSG_NOOP;
	h2->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h2->nlmsg_seq = 611;
	CHECK_EQ(send(s, two, 48, 0), 48);
	uint32_t seqs[3];
	int types[3], got = 0;
	while (got < 3) {
		n = one_reply(s);
		CHECK(n > 0);
		int len = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, len) && got < 3; h = NLMSG_NEXT(h, len)) {
			seqs[got] = h->nlmsg_seq;
			types[got++] = h->nlmsg_type;
		}
	}
	CHECK(types[0] == RTM_NEWLINK && seqs[0] == 610);
	CHECK(types[1] == NLMSG_ERROR && seqs[1] == 610);
	CHECK(types[2] == NLMSG_ERROR && seqs[2] == 611);
	/* A dump with NLM_F_ACK gets no ACK after NLMSG_DONE. */
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, 612, &g, sizeof(g)) > 0);
	CHECK(nl_collect(s, NULL) > 0);
	CHECK_ERR(recv(s, rbuf, BUFSZ, MSG_DONTWAIT), EAGAIN);
	/* Sending to a port nobody holds: ECONNREFUSED. */
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = 0x7654322 };
	CHECK_ERR(sendto(s, body, 16, 0, (struct sockaddr *)&to, sizeof(to)), ECONNREFUSED);
	CHECK_ERR(sendto(s, body, 16, 0, (struct sockaddr *)&to, sizeof(to) - 1), EINVAL);
	to.nl_family = AF_INET;
	CHECK_ERR(sendto(s, body, 16, 0, (struct sockaddr *)&to, sizeof(to)), EINVAL);
	CHECK_ERR(send(s, body, 16, MSG_OOB), EOPNOTSUPP);
	/* An empty message (Linux 6.x): ENODATA. */
	CHECK_ERR(send(s, body, 0, 0), ENODATA);
	close(s);
}

static void strict_and_ext_ack(void)
{
	int s = nl_open(SOCK_RAW);
	int on = 1, v = -1;
	socklen_t l = sizeof(v);
	CHECK_OK(getsockopt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &v, &l));
	CHECK_EQ(v, 0);
	CHECK_OK(setsockopt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof(on)));
	CHECK_OK(setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on)));
	CHECK_OK(getsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &v, &l));
	CHECK_EQ(v, 1);
	CHECK_EQ(l, sizeof(int));
	l = 2;
	CHECK_ERR(getsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &v, &l), EINVAL);
	l = sizeof(v);
	CHECK_ERR(getsockopt(s, SOL_NETLINK, 99, &v, &l), ENOPROTOOPT);
	CHECK_ERR(setsockopt(s, SOL_NETLINK, 99, &on, sizeof(on)), ENOPROTOOPT);
	/* A strict link dump may not filter by index: NLMSG_DONE carries -EINVAL and the message. */
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = lo_index() };
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 700, &ifi, sizeof(ifi)) > 0);
	ssize_t n = one_reply(s);
	struct nlmsghdr *h = (struct nlmsghdr *)rbuf;
	CHECK_EQ(h->nlmsg_type, NLMSG_DONE);
	CHECK_EQ(*(int *)NLMSG_DATA(h), -EINVAL);
	CHECK_EQ(h->nlmsg_flags, NLM_F_MULTI | NLM_F_ACK_TLVS);
	struct rtattr *a = (struct rtattr *)((char *)NLMSG_DATA(h) + sizeof(int));
	CHECK_EQ(a->rta_type, NLMSGERR_ATTR_MSG);
	CHECK(strcmp(RTA_DATA(a), "Filter by device index not supported for link dumps") == 0);
	CHECK_EQ(n, h->nlmsg_len);
	/* A correct strict dump works. */
	ifi.ifi_index = 0;
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 701, &ifi, sizeof(ifi)) > 0);
	n = nl_collect(s, NULL);
	CHECK(n > 0);
	int len = (int)n, lo = 0;
	for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_DONE)
			CHECK_EQ(*(int *)NLMSG_DATA(h), 0);
		else if (((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index == lo_index())
			lo++;
	}
	CHECK_EQ(lo, 1);
	/* A strict address dump needs a whole ifaddrmsg. */
	struct rtgenmsg g = { .rtgen_family = AF_INET };
	CHECK(nl_send(s, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 702, &g, sizeof(g)) > 0);
	n = one_reply(s);
	h = (struct nlmsghdr *)rbuf;
	CHECK_EQ(h->nlmsg_type, NLMSG_DONE);
	CHECK_EQ(*(int *)NLMSG_DATA(h), -EINVAL);
	close(s);
}

static void peek_trunc(void)
{
	int s = nl_open(SOCK_RAW);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = lo_index() };
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST, 800, &ifi, sizeof(ifi)) > 0);
	struct pollfd p = { .fd = s, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 2000), 1);
	/* MSG_PEEK|MSG_TRUNC with a small buffer: the message's real length. */
	char small[8];
	ssize_t full = recv(s, small, sizeof(small), MSG_PEEK | MSG_TRUNC);
	CHECK(full > (ssize_t)sizeof(small));
	CHECK_EQ(((struct nlmsghdr *)small)->nlmsg_len, full);
	/* MSG_PEEK leaves it there. */
	CHECK_EQ(recv(s, rbuf, BUFSZ, MSG_PEEK), full);
	/* recvmsg with a short buffer: MSG_TRUNC in msg_flags, and the source is the kernel. */
	struct sockaddr_nl from;
	memset(&from, 0xff, sizeof(from));
	struct iovec iov = { .iov_base = rbuf, .iov_len = 20 };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK_EQ(recvmsg(s, &mh, 0), 20);
	CHECK(mh.msg_flags & MSG_TRUNC);
	CHECK_EQ(mh.msg_namelen, sizeof(from));
	CHECK_EQ(from.nl_family, AF_NETLINK);
	CHECK_EQ(from.nl_pid, 0);
	CHECK_EQ(from.nl_groups, 0);
	/* The rest of that message is gone. */
	CHECK_ERR(recv(s, rbuf, BUFSZ, MSG_DONTWAIT), EAGAIN);
	/* recvfrom with MSG_TRUNC returns the full length even when it copies less. */
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST, 801, &ifi, sizeof(ifi)) > 0);
	CHECK_EQ(poll(&p, 1, 2000), 1);
	socklen_t fl = sizeof(from);
	CHECK_EQ(recvfrom(s, small, sizeof(small), MSG_TRUNC, (struct sockaddr *)&from, &fl), full);
	CHECK_EQ(fl, sizeof(from));
	close(s);
}

static void readiness(void)
{
	int s = nl_open(SOCK_RAW);
	struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLOUT);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 50000 };
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	CHECK_ERR(recv(s, rbuf, BUFSZ, 0), EAGAIN);
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	CHECK(nl_send(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 900, &g, sizeof(g)) > 0);
	CHECK_EQ(epoll_wait(ep, &ev, 1, 2000), 1);
	CHECK_EQ(ev.data.u32, 7);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLIN | POLLOUT);
	CHECK(nl_collect(s, NULL) > 0);
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLOUT);
	close(ep);
	close(s);
}

static void options_and_groups(void)
{
	int s = nl_open(SOCK_RAW);
	int v = 0;
	socklen_t l = sizeof(v);
	/* SO_RCVBUF / SO_SNDBUF are doubled as on every socket. */
	v = 32768;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l));
	CHECK_EQ(v, 65536);
	v = 1024;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	l = sizeof(v);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
	/* A message larger than SO_SNDBUF - 32: EMSGSIZE. */
	char big[8192];
	memset(big, 0, sizeof(big));
	CHECK_ERR(send(s, big, (size_t)v, 0), EMSGSIZE);
	/* Groups: 1..RTNLGRP_MAX; anyone may listen on NETLINK_ROUTE. */
	int g = 0;
	CHECK_ERR(setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)), EINVAL);
	g = 1000;
	CHECK_ERR(setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)), EINVAL);
	g = RTNLGRP_IPV4_IFADDR;
	CHECK_OK(setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)));
	/* The send above bound the socket (before EMSGSIZE): bind must name its port ID. */
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	CHECK_ERR(bind(s, (struct sockaddr *)&sa, sizeof(sa)), EINVAL);
	sa.nl_pid = (uint32_t)nl_portid(s);
	CHECK_OK(bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	struct sockaddr_nl me;
	l = sizeof(me);
	CHECK_OK(getsockname(s, (struct sockaddr *)&me, &l));
	CHECK_EQ(me.nl_groups, RTMGRP_LINK);
	uint32_t groups[4] = { 0 };
	l = sizeof(groups);
	CHECK_OK(getsockopt(s, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &l));
	CHECK_EQ(l, 8);
	CHECK_EQ(groups[0], RTMGRP_LINK);
	CHECK_EQ(groups[1], 0);
	/* A group above 32 shows only in NETLINK_LIST_MEMBERSHIPS. */
	g = 33;
	CHECK_OK(setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)));
	l = sizeof(groups);
	CHECK_OK(getsockopt(s, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &l));
	CHECK_EQ(groups[1], 1);
	g = 33;
	CHECK_OK(setsockopt(s, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &g, sizeof(g)));
	/* No events come from the sandbox's kernel; the socket still answers requests. */
	CHECK_ERR(recv(s, rbuf, BUFSZ, MSG_DONTWAIT), EAGAIN);
	int on = 1;
	CHECK_OK(setsockopt(s, SOL_NETLINK, NETLINK_NO_ENOBUFS, &on, sizeof(on)));
	CHECK_OK(setsockopt(s, SOL_NETLINK, NETLINK_PKTINFO, &on, sizeof(on)));
	l = sizeof(v);
	CHECK_OK(getsockopt(s, SOL_NETLINK, NETLINK_NO_ENOBUFS, &v, &l));
	CHECK_EQ(v, 1);
	CHECK_ERR(setsockopt(s, SOL_IP, IP_TTL, &on, sizeof(on)), ENOPROTOOPT);
	close(s);
}

static void libc_getifaddrs(void)
{
	struct ifaddrs *list;
	CHECK_OK(getifaddrs(&list));
	int v4 = 0, v6 = 0, pkt = 0;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (strcmp(i->ifa_name, "lo") != 0 || !i->ifa_addr)
			continue;
		CHECK((i->ifa_flags & (IFF_UP | IFF_LOOPBACK)) == (IFF_UP | IFF_LOOPBACK));
		if (i->ifa_addr->sa_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)i->ifa_addr, *m = (struct sockaddr_in *)i->ifa_netmask;
			if (a->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
				CHECK(m && m->sin_addr.s_addr == htonl(0xff000000));
				v4++;
			}
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)i->ifa_addr;
			if (memcmp(&a->sin6_addr, &in6addr_loopback, 16) == 0)
				v6++;
		} else if (i->ifa_addr->sa_family == AF_PACKET) {
			struct sockaddr_ll *ll = (struct sockaddr_ll *)i->ifa_addr;
			CHECK_EQ(ll->sll_ifindex, lo_index());
			CHECK_EQ(ll->sll_hatype, ARPHRD_LOOPBACK);
			pkt++;
		}
	}
	freeifaddrs(list);
	CHECK_EQ(v4, 1);
	CHECK_EQ(v6, have_v6_loopback());
	CHECK_EQ(pkt, 1);
}

static void libc_if_nameindex(void)
{
	struct if_nameindex *ni = if_nameindex();
	CHECK(ni != NULL);
	int lo = 0;
	for (struct if_nameindex *i = ni; i->if_index != 0; i++)
		if (strcmp(i->if_name, "lo") == 0) {
			CHECK_EQ(i->if_index, (unsigned)lo_index());
			lo++;
		}
	if_freenameindex(ni);
	CHECK_EQ(lo, 1);
	char name[IF_NAMESIZE];
	CHECK(if_indextoname((unsigned)lo_index(), name) != NULL);
	CHECK(strcmp(name, "lo") == 0);
}

/* Changing anything needs CAP_NET_ADMIN: EPERM for an unprivileged user (checked before the device). */
static void unprivileged_change(void)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(10);
		int s = nl_open(SOCK_RAW);
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 0x7ffffff0 };
		if (nl_send(s, RTM_DELLINK, NLM_F_REQUEST, 1, &ifi, sizeof(ifi)) <= 0)
			_exit(11);
		if (one_reply(s) <= 0)
			_exit(12);
		if (err_of((struct nlmsghdr *)rbuf) != -EPERM)
			_exit(13);
		/* Reading is allowed. */
		struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
		if (nl_send(s, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 2, &g, sizeof(g)) <= 0 || nl_collect(s, NULL) <= 0)
			_exit(14);
		/* Sending to another port needs CAP_NET_ADMIN too. */
		struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = 1 };
		if (sendto(s, &g, 1, 0, (struct sockaddr *)&to, sizeof(to)) != -1 || errno != EPERM)
			_exit(15);
		_exit(0);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

/* Two netlink sockets can talk to each other by port ID. */
static void user_unicast(void)
{
	int a = nl_open(SOCK_DGRAM), b = nl_open(SOCK_DGRAM);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = 0x7654323 };
	CHECK_OK(bind(b, (struct sockaddr *)&sa, sizeof(sa)));
	CHECK_EQ(sendto(a, "hello", 5, 0, (struct sockaddr *)&sa, sizeof(sa)), 5);
	struct pollfd p = { .fd = b, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 2000), 1);
	struct sockaddr_nl from;
	socklen_t fl = sizeof(from);
	char buf[16];
	CHECK_EQ(recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ((int32_t)from.nl_pid, nl_portid(a));
	close(a);
	close(b);
}

int main(void)
{
	RUN(create);
	RUN(bind_autobind);
	RUN(link_dump);
	RUN(addr_dump);
	RUN(route_dump);
	RUN(rule_dump);
	RUN(route_get);
	RUN(getlink_request);
	RUN(errors_and_acks);
	RUN(strict_and_ext_ack);
	RUN(peek_trunc);
	RUN(readiness);
	RUN(options_and_groups);
	RUN(libc_getifaddrs);
	RUN(libc_if_nameindex);
	RUN(unprivileged_change);
	RUN(user_unicast);
	DONE();
}
