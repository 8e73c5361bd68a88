// Sockets (man 2 socket, man 7 socket, man 7 unix, man 3 cmsg): the
// constants of <linux/socket.h>, <asm-generic/socket.h>, <linux/net.h> and
// <linux/un.h> (x86-64 values), and the byte layouts of struct msghdr,
// mmsghdr, cmsghdr, ucred, linger, sockaddr_un and the socket timeval.
import { getI64, setI64 } from './time.js';

/** Address families (<linux/socket.h>). */
export const enum AddressFamily {
  AF_UNSPEC = 0,
  AF_UNIX = 1,
  AF_INET = 2,
  AF_INET6 = 10,
  AF_NETLINK = 16,
  AF_PACKET = 17,
}

/** NPROTO (AF_MAX): families at or above it are EAFNOSUPPORT before anything else. */
export const AF_MAX = 46;

/** Socket types (<linux/net.h>). */
export const enum SockType {
  SOCK_STREAM = 1,
  SOCK_DGRAM = 2,
  SOCK_RAW = 3,
  SOCK_RDM = 4,
  SOCK_SEQPACKET = 5,
  SOCK_DCCP = 6,
  SOCK_PACKET = 10,
}

/** SOCK_MAX: types at or above it are EINVAL. */
export const SOCK_MAX = 11;
export const SOCK_TYPE_MASK = 0xf;
/** socket(2)/socketpair(2)/accept4(2) flags (= O_NONBLOCK, O_CLOEXEC). */
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

/** SOL_SOCKET and the other levels of setsockopt(2). */
export const enum SockLevel {
  SOL_IP = 0,
  SOL_SOCKET = 1,
  SOL_TCP = 6,
  SOL_UDP = 17,
  SOL_IPV6 = 41,
  SOL_RAW = 255,
}

/** SOL_SOCKET options (<asm-generic/socket.h>). */
export const enum SockOpt {
  SO_DEBUG = 1,
  SO_REUSEADDR = 2,
  SO_TYPE = 3,
  SO_ERROR = 4,
  SO_DONTROUTE = 5,
  SO_BROADCAST = 6,
  SO_SNDBUF = 7,
  SO_RCVBUF = 8,
  SO_KEEPALIVE = 9,
  SO_OOBINLINE = 10,
  SO_NO_CHECK = 11,
  SO_PRIORITY = 12,
  SO_LINGER = 13,
  SO_BSDCOMPAT = 14,
  SO_REUSEPORT = 15,
  SO_PASSCRED = 16,
  SO_PEERCRED = 17,
  SO_RCVLOWAT = 18,
  SO_SNDLOWAT = 19,
  SO_RCVTIMEO_OLD = 20,
  SO_SNDTIMEO_OLD = 21,
  SO_SECURITY_AUTHENTICATION = 22,
  SO_BINDTODEVICE = 25,
  SO_ATTACH_FILTER = 26,
  SO_DETACH_FILTER = 27,
  SO_PEERNAME = 28,
  SO_TIMESTAMP_OLD = 29,
  SO_ACCEPTCONN = 30,
  SO_PEERSEC = 31,
  SO_SNDBUFFORCE = 32,
  SO_RCVBUFFORCE = 33,
  SO_PASSSEC = 34,
  SO_TIMESTAMPNS_OLD = 35,
  SO_MARK = 36,
  SO_TIMESTAMPING_OLD = 37,
  SO_PROTOCOL = 38,
  SO_DOMAIN = 39,
  SO_RXQ_OVFL = 40,
  SO_WIFI_STATUS = 41,
  SO_PEEK_OFF = 42,
  SO_NOFCS = 43,
  SO_LOCK_FILTER = 44,
  SO_SELECT_ERR_QUEUE = 45,
  SO_BUSY_POLL = 46,
  SO_MAX_PACING_RATE = 47,
  SO_BPF_EXTENSIONS = 48,
  SO_INCOMING_CPU = 49,
  SO_ATTACH_BPF = 50,
  SO_ATTACH_REUSEPORT_CBPF = 51,
  SO_ATTACH_REUSEPORT_EBPF = 52,
  SO_CNX_ADVICE = 53,
  SO_MEMINFO = 55,
  SO_INCOMING_NAPI_ID = 56,
  SO_COOKIE = 57,
  SO_PEERGROUPS = 59,
  SO_ZEROCOPY = 60,
  SO_TXTIME = 61,
  SO_BINDTOIFINDEX = 62,
  SO_TIMESTAMP_NEW = 63,
  SO_TIMESTAMPNS_NEW = 64,
  SO_TIMESTAMPING_NEW = 65,
  SO_RCVTIMEO_NEW = 66,
  SO_SNDTIMEO_NEW = 67,
  SO_DETACH_REUSEPORT_BPF = 68,
  SO_PREFER_BUSY_POLL = 69,
  SO_BUSY_POLL_BUDGET = 70,
  SO_NETNS_COOKIE = 71,
  SO_BUF_LOCK = 72,
  SO_RESERVE_MEM = 73,
  SO_TXREHASH = 74,
  SO_RCVMARK = 75,
  SO_PASSPIDFD = 76,
  SO_PEERPIDFD = 77,
}

/** send/recv flags (<linux/socket.h>). */
export const enum MsgFlag {
  MSG_OOB = 0x1,
  MSG_PEEK = 0x2,
  MSG_DONTROUTE = 0x4,
  MSG_CTRUNC = 0x8,
  MSG_PROBE = 0x10,
  MSG_TRUNC = 0x20,
  MSG_DONTWAIT = 0x40,
  MSG_EOR = 0x80,
  MSG_WAITALL = 0x100,
  MSG_FIN = 0x200,
  MSG_SYN = 0x400,
  MSG_CONFIRM = 0x800,
  MSG_RST = 0x1000,
  MSG_ERRQUEUE = 0x2000,
  MSG_NOSIGNAL = 0x4000,
  MSG_MORE = 0x8000,
  MSG_WAITFORONE = 0x10000,
  MSG_BATCH = 0x40000,
  MSG_ZEROCOPY = 0x4000000,
  MSG_FASTOPEN = 0x20000000,
  MSG_CMSG_CLOEXEC = 0x40000000,
  MSG_CMSG_COMPAT = 0x80000000,
}

/** Control message types at SOL_SOCKET. */
export const enum Scm {
  SCM_RIGHTS = 1,
  SCM_CREDENTIALS = 2,
  SCM_SECURITY = 3,
  SCM_PIDFD = 4,
}

/** shutdown(2) how. */
export const enum Shut {
  SHUT_RD = 0,
  SHUT_WR = 1,
  SHUT_RDWR = 2,
}

/** sk_shutdown bits (RCV_SHUTDOWN, SEND_SHUTDOWN): how + 1. */
export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

/** net.core.somaxconn (listen backlogs are capped to it). */
export const SOMAXCONN = 4096;
/** The most descriptors one SCM_RIGHTS message carries. */
export const SCM_MAX_FD = 253;
/** sizeof(struct sockaddr_storage): the longest address a call copies in or out. */
export const SOCKADDR_STORAGE_SIZE = 128;
/** net.core.optmem_max: the largest control buffer sendmsg copies (ENOBUFS beyond). */
export const OPTMEM_MAX = 131072;
/** net.core.wmem_default / rmem_default and the *_max caps. */
export const WMEM_DEFAULT = 212992;
export const RMEM_DEFAULT = 212992;
export const WMEM_MAX = 212992;
export const RMEM_MAX = 212992;
/** SOCK_MIN_SNDBUF and SOCK_MIN_RCVBUF (2 × and 1 × TCP_SKB_MIN_TRUESIZE). */
export const SOCK_MIN_SNDBUF = 4608;
export const SOCK_MIN_RCVBUF = 2304;
/** The kernel's HZ (jiffies per second), which socket timeouts are rounded to. */
export const HZ = 250;

// --- struct sockaddr_un ---------------------------------------------------------------------

/** offsetof(struct sockaddr_un, sun_path); also sizeof(sa_family_t). */
export const SUN_PATH_OFFSET = 2;
export const UNIX_PATH_MAX = 108;
/** sizeof(struct sockaddr_un). */
export const SOCKADDR_UN_SIZE = 110;

// --- struct msghdr, mmsghdr, cmsghdr ----------------------------------------------------------

/** struct msghdr (user_msghdr): 56 bytes. */
export const MSGHDR_SIZE = 56;
export const enum MsghdrOffset {
  NAME = 0,
  NAMELEN = 8,
  IOV = 16,
  IOVLEN = 24,
  CONTROL = 32,
  CONTROLLEN = 40,
  FLAGS = 48,
}
/** struct mmsghdr: a msghdr and an unsigned msg_len, padded to 64 bytes. */
export const MMSGHDR_SIZE = 64;
export const MMSGHDR_LEN = 56;

/** struct cmsghdr: size_t cmsg_len; int cmsg_level; int cmsg_type. */
export const CMSGHDR_SIZE = 16;

/** CMSG_ALIGN: to a multiple of sizeof(long). */
export function cmsgAlign(n: number): number {
  return (n + 7) & ~7;
}

/** CMSG_LEN(n). */
export function cmsgLen(n: number): number {
  return CMSGHDR_SIZE + n;
}

/** CMSG_SPACE(n). */
export function cmsgSpace(n: number): number {
  return CMSGHDR_SIZE + cmsgAlign(n);
}

// --- struct ucred, linger, timeval ------------------------------------------------------------

/** struct ucred { pid_t pid; uid_t uid; gid_t gid; }. */
export const UCRED_SIZE = 12;

export interface Ucred {
  pid: number;
  uid: number;
  gid: number;
}

export function encodeUcred(dv: DataView, off: number, c: Ucred): void {
  dv.setInt32(off, c.pid, true);
  dv.setUint32(off + 4, c.uid >>> 0, true);
  dv.setUint32(off + 8, c.gid >>> 0, true);
}

export function decodeUcred(dv: DataView, off: number): Ucred {
  return { pid: dv.getInt32(off, true), uid: dv.getUint32(off + 4, true), gid: dv.getUint32(off + 8, true) };
}

/** struct linger { int l_onoff; int l_linger; }. */
export const LINGER_SIZE = 8;

/** struct __kernel_old_timeval / __kernel_sock_timeval on x86-64: two 64-bit fields. */
export const SOCK_TIMEVAL_SIZE = 16;

export function decodeTimeval(dv: DataView, off: number): { sec: number; usec: number } {
  return { sec: getI64(dv, off), usec: getI64(dv, off + 8) };
}

export function encodeTimeval(dv: DataView, off: number, sec: number, usec: number): void {
  setI64(dv, off, sec);
  setI64(dv, off + 8, usec);
}
