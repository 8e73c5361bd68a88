// Internet sockets (man 7 ip, man 7 ipv6, man 7 tcp, man 7 udp): protocol
// numbers, the IP/IPv6/TCP/UDP option names of <linux/in.h>, <linux/in6.h>
// and <linux/tcp.h>, and the layouts of struct sockaddr_in and sockaddr_in6.

/** Protocol numbers (<linux/in.h>). */
export const enum IpProto {
  IPPROTO_IP = 0,
  IPPROTO_ICMP = 1,
  IPPROTO_TCP = 6,
  IPPROTO_UDP = 17,
  IPPROTO_IPV6 = 41,
  IPPROTO_ICMPV6 = 58,
  IPPROTO_SCTP = 132,
  IPPROTO_UDPLITE = 136,
  IPPROTO_RAW = 255,
  IPPROTO_MPTCP = 262,
}

/** IPPROTO_MAX: protocols at or above it are EINVAL for AF_INET/AF_INET6 sockets. */
export const IPPROTO_MAX = 263;

/** SOL_IP options. */
export const enum IpOpt {
  IP_TOS = 1,
  IP_TTL = 2,
  IP_HDRINCL = 3,
  IP_OPTIONS = 4,
  IP_RECVOPTS = 6,
  IP_RETOPTS = 7,
  IP_PKTINFO = 8,
  IP_PKTOPTIONS = 9,
  IP_MTU_DISCOVER = 10,
  IP_RECVERR = 11,
  IP_RECVTTL = 12,
  IP_RECVTOS = 13,
  IP_MTU = 14,
  IP_FREEBIND = 15,
  IP_PASSSEC = 18,
  IP_TRANSPARENT = 19,
  IP_ORIGDSTADDR = 20,
  IP_MINTTL = 21,
  IP_NODEFRAG = 22,
  IP_CHECKSUM = 23,
  IP_BIND_ADDRESS_NO_PORT = 24,
  IP_RECVFRAGSIZE = 25,
  IP_RECVERR_RFC4884 = 26,
  IP_MULTICAST_IF = 32,
  IP_MULTICAST_TTL = 33,
  IP_MULTICAST_LOOP = 34,
  IP_ADD_MEMBERSHIP = 35,
  IP_DROP_MEMBERSHIP = 36,
  IP_MULTICAST_ALL = 49,
  IP_LOCAL_PORT_RANGE = 51,
}

/** SOL_IPV6 options. */
export const enum Ipv6Opt {
  IPV6_ADDRFORM = 1,
  IPV6_2292PKTINFO = 2,
  IPV6_CHECKSUM = 7,
  IPV6_UNICAST_HOPS = 16,
  IPV6_MULTICAST_IF = 17,
  IPV6_MULTICAST_HOPS = 18,
  IPV6_MULTICAST_LOOP = 19,
  IPV6_ADD_MEMBERSHIP = 20,
  IPV6_DROP_MEMBERSHIP = 21,
  IPV6_MTU_DISCOVER = 23,
  IPV6_MTU = 24,
  IPV6_RECVERR = 25,
  IPV6_V6ONLY = 26,
  IPV6_RECVPKTINFO = 49,
  IPV6_PKTINFO = 50,
  IPV6_RECVHOPLIMIT = 51,
  IPV6_HOPLIMIT = 52,
  IPV6_RECVTCLASS = 66,
  IPV6_TCLASS = 67,
  IPV6_AUTOFLOWLABEL = 70,
  IPV6_ADDR_PREFERENCES = 72,
  IPV6_MINHOPCOUNT = 73,
  IPV6_ORIGDSTADDR = 74,
  IPV6_TRANSPARENT = 75,
  IPV6_UNICAST_IF = 76,
  IPV6_RECVFRAGSIZE = 77,
  IPV6_FREEBIND = 78,
}

/** SOL_TCP options (<linux/tcp.h>). */
export const enum TcpOpt {
  TCP_NODELAY = 1,
  TCP_MAXSEG = 2,
  TCP_CORK = 3,
  TCP_KEEPIDLE = 4,
  TCP_KEEPINTVL = 5,
  TCP_KEEPCNT = 6,
  TCP_SYNCNT = 7,
  TCP_LINGER2 = 8,
  TCP_DEFER_ACCEPT = 9,
  TCP_WINDOW_CLAMP = 10,
  TCP_INFO = 11,
  TCP_QUICKACK = 12,
  TCP_CONGESTION = 13,
  TCP_MD5SIG = 14,
  TCP_THIN_LINEAR_TIMEOUTS = 16,
  TCP_THIN_DUPACK = 17,
  TCP_USER_TIMEOUT = 18,
  TCP_REPAIR = 19,
  TCP_FASTOPEN = 23,
  TCP_TIMESTAMP = 24,
  TCP_NOTSENT_LOWAT = 25,
  TCP_CC_INFO = 26,
  TCP_SAVE_SYN = 27,
  TCP_SAVED_SYN = 28,
  TCP_FASTOPEN_CONNECT = 30,
  TCP_ULP = 31,
  TCP_FASTOPEN_KEY = 33,
  TCP_FASTOPEN_NO_COOKIE = 34,
  TCP_ZEROCOPY_RECEIVE = 35,
  TCP_INQ = 36,
  TCP_TX_DELAY = 37,
}

/** TCP states as TCP_INFO and /proc/net/tcp number them (<net/tcp_states.h>). */
export const enum TcpState {
  TCP_ESTABLISHED = 1,
  TCP_SYN_SENT = 2,
  TCP_SYN_RECV = 3,
  TCP_FIN_WAIT1 = 4,
  TCP_FIN_WAIT2 = 5,
  TCP_TIME_WAIT = 6,
  TCP_CLOSE = 7,
  TCP_CLOSE_WAIT = 8,
  TCP_LAST_ACK = 9,
  TCP_LISTEN = 10,
  TCP_CLOSING = 11,
}

/** Range checks of tcp_setsockopt. */
export const MAX_TCP_KEEPIDLE = 32767;
export const MAX_TCP_KEEPINTVL = 32767;
export const MAX_TCP_KEEPCNT = 127;
export const MAX_TCP_SYNCNT = 127;
/** sizeof(struct tcp_info) in Linux 6.x. */
export const TCP_INFO_SIZE = 248;

/** net.ipv4.ip_local_port_range and ip_unprivileged_port_start. */
export const EPHEMERAL_LOW = 32768;
export const EPHEMERAL_HIGH = 60999;
export const PROT_SOCK = 1024;

/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_SIZE = 16;
/** sizeof(struct sockaddr_in6), and SIN6_LEN_RFC2133 (without sin6_scope_id), the shortest accepted. */
export const SOCKADDR_IN6_SIZE = 28;
export const SIN6_LEN_RFC2133 = 24;

/** The largest UDP payload over IPv4 and IPv6 (65535 less the headers). */
export const UDP_MAX_PAYLOAD4 = 65507;
export const UDP_MAX_PAYLOAD6 = 65527;

/**
 * An IP address as 16 bytes, an IPv4 one as its v4-mapped form
 * (::ffff:a.b.c.d), so one comparison serves both families.
 */
export type Ip6 = Uint8Array;

export function v4Mapped(a: number, b: number, c: number, d: number): Ip6 {
  return Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d);
}

export const IN6ADDR_ANY: Ip6 = new Uint8Array(16);
export const IN6ADDR_LOOPBACK: Ip6 = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
export const V4_ANY: Ip6 = v4Mapped(0, 0, 0, 0);
export const V4_LOOPBACK: Ip6 = v4Mapped(127, 0, 0, 1);

export function isV4Mapped(a: Ip6): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}

export function ipEqual(a: Ip6, b: Ip6): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function isAny6(a: Ip6): boolean {
  return ipEqual(a, IN6ADDR_ANY);
}

export function isLoopback6(a: Ip6): boolean {
  return ipEqual(a, IN6ADDR_LOOPBACK);
}

/** Text for logs and /proc: dotted quad for v4-mapped addresses. */
export function ipText(a: Ip6): string {
  if (isV4Mapped(a)) return `${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((a[i] << 8) | a[i + 1]).toString(16));
  return parts.join(':');
}

/** Encodes a struct sockaddr_in (16 bytes) at off: family, port (network order), address, zeros. */
export function encodeSockaddrIn(out: Uint8Array, off: number, addr: Ip6, port: number): number {
  out.fill(0, off, off + SOCKADDR_IN_SIZE);
  out[off] = 2; // AF_INET
  out[off + 2] = (port >> 8) & 0xff;
  out[off + 3] = port & 0xff;
  out.set(addr.subarray(12, 16), off + 4);
  return SOCKADDR_IN_SIZE;
}

/** Encodes a struct sockaddr_in6 (28 bytes) at off: family, port, flowinfo 0, address, scope 0. */
export function encodeSockaddrIn6(out: Uint8Array, off: number, addr: Ip6, port: number): number {
  out.fill(0, off, off + SOCKADDR_IN6_SIZE);
  out[off] = 10; // AF_INET6
  out[off + 2] = (port >> 8) & 0xff;
  out[off + 3] = port & 0xff;
  out.set(addr, off + 8);
  return SOCKADDR_IN6_SIZE;
}
