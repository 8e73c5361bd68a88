// Netlink (man 7 netlink, man 7 rtnetlink): protocol numbers, struct
// sockaddr_nl and struct nlmsghdr, the NLM_F_* flags and NLMSG_* types of
// <linux/netlink.h>, the SOL_NETLINK options, and the rtnetlink message
// types, attributes and headers of <linux/rtnetlink.h>, <linux/if_link.h>
// and <linux/if_addr.h>, with a writer for messages and attributes.

/** SOL_NETLINK (<linux/socket.h>). */
export const SOL_NETLINK = 270;

/** Netlink protocols (<linux/netlink.h>); only NETLINK_ROUTE exists in the sandbox. */
export const enum NetlinkProto {
  NETLINK_ROUTE = 0,
  NETLINK_USERSOCK = 2,
  NETLINK_SOCK_DIAG = 4,
  NETLINK_KOBJECT_UEVENT = 15,
  NETLINK_GENERIC = 16,
}

/** MAX_LINKS: protocols at or above it are EPROTONOSUPPORT. */
export const NETLINK_MAX_LINKS = 32;

/** struct sockaddr_nl: family (u16), pad, nl_pid (u32), nl_groups (u32). */
export const SOCKADDR_NL_SIZE = 12;

export function encodeSockaddrNl(pid: number, groups: number): Uint8Array {
  const b = new Uint8Array(SOCKADDR_NL_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 16, true); // AF_NETLINK
  dv.setUint32(4, pid >>> 0, true);
  dv.setUint32(8, groups >>> 0, true);
  return b;
}

/** The nl_family, nl_pid (as a signed portid) and nl_groups of a sockaddr_nl (length checked by the caller). */
export function decodeSockaddrNl(a: Uint8Array): { family: number; pid: number; groups: number } {
  const dv = new DataView(a.buffer, a.byteOffset, a.byteLength);
  return { family: dv.getUint16(0, true), pid: dv.getInt32(4, true), groups: dv.getUint32(8, true) };
}

/** struct nlmsghdr: len (u32), type (u16), flags (u16), seq (u32), pid (u32). */
export const NLMSG_HDRLEN = 16;
export const NLMSG_ALIGNTO = 4;

export function nlmsgAlign(n: number): number {
  return (n + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
}

/** struct nlattr: len (u16), type (u16). */
export const NLA_HDRLEN = 4;
/** NLA_F_NESTED | NLA_F_NET_BYTEORDER: flag bits of nla_type. */
export const NLA_TYPE_MASK = 0x3fff;
export const NLA_F_NESTED = 0x8000;

/** struct nlmsgerr: int error and the request's nlmsghdr. */
export const NLMSGERR_SIZE = 20;

export const enum NlmsgType {
  NLMSG_NOOP = 1,
  NLMSG_ERROR = 2,
  NLMSG_DONE = 3,
  NLMSG_OVERRUN = 4,
  /** Types below this are control messages. */
  NLMSG_MIN_TYPE = 0x10,
}

export const enum NlmFlag {
  NLM_F_REQUEST = 0x01,
  NLM_F_MULTI = 0x02,
  NLM_F_ACK = 0x04,
  NLM_F_ECHO = 0x08,
  NLM_F_DUMP_INTR = 0x10,
  NLM_F_DUMP_FILTERED = 0x20,
  NLM_F_ROOT = 0x100,
  NLM_F_MATCH = 0x200,
  NLM_F_DUMP = 0x300,
  /** In an NLMSG_ERROR: the request was not appended, and extended ACK TLVs follow. */
  NLM_F_CAPPED = 0x100,
  NLM_F_ACK_TLVS = 0x200,
}

/** Attributes of an extended ACK (enum nlmsgerr_attrs). */
export const enum NlmsgerrAttr {
  NLMSGERR_ATTR_MSG = 1,
  NLMSGERR_ATTR_OFFS = 2,
}

/** SOL_NETLINK options. */
export const enum NetlinkOpt {
  NETLINK_ADD_MEMBERSHIP = 1,
  NETLINK_DROP_MEMBERSHIP = 2,
  NETLINK_PKTINFO = 3,
  NETLINK_BROADCAST_ERROR = 4,
  NETLINK_NO_ENOBUFS = 5,
  NETLINK_RX_RING = 6,
  NETLINK_TX_RING = 7,
  NETLINK_LISTEN_ALL_NSID = 8,
  NETLINK_LIST_MEMBERSHIPS = 9,
  NETLINK_CAP_ACK = 10,
  NETLINK_EXT_ACK = 11,
  NETLINK_GET_STRICT_CHK = 12,
}

// ---------------------------------------------------------------------------
// rtnetlink

/** PF_BRIDGE: the family whose RTM_GETLINK dump lists bridge ports. */
export const PF_BRIDGE = 7;

/** RTNLGRP_MAX: the multicast groups of NETLINK_ROUTE (nl_table[].groups). */
export const RTNLGRP_MAX = 36;

export const enum RtmType {
  RTM_BASE = 16,
  RTM_NEWLINK = 16,
  RTM_DELLINK = 17,
  RTM_GETLINK = 18,
  RTM_SETLINK = 19,
  RTM_NEWADDR = 20,
  RTM_DELADDR = 21,
  RTM_GETADDR = 22,
  RTM_NEWROUTE = 24,
  RTM_DELROUTE = 25,
  RTM_GETROUTE = 26,
  RTM_NEWNEIGH = 28,
  RTM_GETNEIGH = 30,
  RTM_NEWRULE = 32,
  RTM_GETRULE = 34,
  /** (((__RTM_MAX + 3) & ~3) - 1): higher types are EOPNOTSUPP. */
  RTM_MAX = 123,
}

/** rtnl_msgtype_kind: (type - RTM_BASE) & 3. */
export const enum RtnlKind {
  NEW = 0,
  DEL = 1,
  GET = 2,
  SET = 3,
}

/** struct rtgenmsg: one byte, the family. */
export const RTGENMSG_SIZE = 1;

/** struct ifinfomsg: family (u8), pad, type (u16), index (s32), flags (u32), change (u32). */
export const IFINFOMSG_SIZE = 16;
/** struct ifaddrmsg: family, prefixlen, flags, scope (u8 each), index (u32). */
export const IFADDRMSG_SIZE = 8;
/** struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type (u8 each), flags (u32). */
export const RTMSG_SIZE = 12;
/** struct ndmsg: family, pad1, pad2 (u16), ifindex (s32), state (u16), flags, type (u8). */
export const NDMSG_SIZE = 12;

/** Link attributes (IFLA_*). */
export const enum Ifla {
  IFLA_ADDRESS = 1,
  IFLA_BROADCAST = 2,
  IFLA_IFNAME = 3,
  IFLA_MTU = 4,
  IFLA_LINK = 5,
  IFLA_QDISC = 6,
  IFLA_STATS = 7,
  IFLA_MASTER = 10,
  IFLA_TXQLEN = 13,
  IFLA_MAP = 14,
  IFLA_OPERSTATE = 16,
  IFLA_LINKMODE = 17,
  IFLA_LINKINFO = 18,
  IFLA_IFALIAS = 20,
  IFLA_STATS64 = 23,
  IFLA_AF_SPEC = 26,
  IFLA_GROUP = 27,
  IFLA_EXT_MASK = 29,
  IFLA_PROMISCUITY = 30,
  IFLA_NUM_TX_QUEUES = 31,
  IFLA_NUM_RX_QUEUES = 32,
  IFLA_CARRIER = 33,
  IFLA_CARRIER_CHANGES = 35,
  IFLA_PROTO_DOWN = 39,
  IFLA_GSO_MAX_SEGS = 40,
  IFLA_GSO_MAX_SIZE = 41,
  IFLA_XDP = 43,
  IFLA_TARGET_NETNSID = 46,
  IFLA_CARRIER_UP_COUNT = 47,
  IFLA_CARRIER_DOWN_COUNT = 48,
  IFLA_MIN_MTU = 50,
  IFLA_MAX_MTU = 51,
  IFLA_ALT_IFNAME = 53,
  IFLA_GRO_MAX_SIZE = 58,
  IFLA_TSO_MAX_SIZE = 59,
  IFLA_TSO_MAX_SEGS = 60,
  IFLA_ALLMULTI = 61,
}

/** IFLA_XDP_ATTACHED inside IFLA_XDP. */
export const IFLA_XDP_ATTACHED = 2;

/** IF_OPER_* (RFC 2863 operational states): lo reports UNKNOWN. */
export const IF_OPER_UNKNOWN = 0;

/** sizeof(struct rtnl_link_stats), rtnl_link_stats64 and rtnl_link_ifmap. */
export const RTNL_LINK_STATS_SIZE = 96;
export const RTNL_LINK_STATS64_SIZE = 200;
export const RTNL_LINK_IFMAP_SIZE = 32;

/** Address attributes (IFA_*). */
export const enum Ifa {
  IFA_ADDRESS = 1,
  IFA_LOCAL = 2,
  IFA_LABEL = 3,
  IFA_BROADCAST = 4,
  IFA_ANYCAST = 5,
  IFA_CACHEINFO = 6,
  IFA_MULTICAST = 7,
  IFA_FLAGS = 8,
  IFA_TARGET_NETNSID = 10,
  IFA_PROTO = 11,
}

/** IFA_PROTO of an address the kernel put on lo (::1). */
export const IFAPROT_KERNEL_LO = 1;

/** IFA_F_* address flags. */
export const IFA_F_PERMANENT = 0x80;
/** IFA_HOST: the scope /proc/net/if_inet6 shows for ::1 (IPV6_ADDR_LOOPBACK, net/addrconf.h). */
export const IFA_HOST = 0x10;
/** struct ifa_cacheinfo: prefered, valid, cstamp, tstamp (u32 each). */
export const IFA_CACHEINFO_SIZE = 16;
/** INFINITY_LIFE_TIME: the lifetime of a permanent address. */
export const INFINITY_LIFE_TIME = 0xffffffff;

/** Route attributes (RTA_*). */
export const enum Rta {
  RTA_DST = 1,
  RTA_SRC = 2,
  RTA_IIF = 3,
  RTA_OIF = 4,
  RTA_GATEWAY = 5,
  RTA_PRIORITY = 6,
  RTA_PREFSRC = 7,
  RTA_CACHEINFO = 12,
  RTA_TABLE = 15,
  RTA_PREF = 20,
  RTA_UID = 25,
}

/** Route scopes, tables, protocols and types. */
export const enum RtScope {
  RT_SCOPE_UNIVERSE = 0,
  RT_SCOPE_LINK = 253,
  RT_SCOPE_HOST = 254,
}
export const enum RtTable {
  RT_TABLE_DEFAULT = 253,
  RT_TABLE_MAIN = 254,
  RT_TABLE_LOCAL = 255,
}
export const RTPROT_KERNEL = 2;
export const enum Rtn {
  RTN_UNICAST = 1,
  RTN_LOCAL = 2,
  RTN_BROADCAST = 3,
}
/** struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action (u8 each), flags (u32). */
export const FIB_RULE_HDR_SIZE = 12;
/** FR_ACT_TO_TBL: a rule that looks up a table. */
export const FR_ACT_TO_TBL = 1;

/** Rule attributes (FRA_*, <linux/fib_rules.h>). */
export const enum Fra {
  FRA_PRIORITY = 6,
  FRA_SUPPRESS_PREFIXLEN = 14,
  FRA_TABLE = 15,
  FRA_PROTOCOL = 21,
}

/** struct rta_cacheinfo (IPv6 routes): eight u32. */
export const RTA_CACHEINFO_SIZE = 32;
/** RTM_F_* rtm_flags, and RTCF_LOCAL (<linux/in_route.h>) on a cached local route. */
export const RTM_F_CLONED = 0x200;
export const RTCF_LOCAL = 0x80000000;

/**
 * Writes netlink messages into a growing buffer: begin() a message, add
 * attributes, end() it (sets nlmsg_len); nested attributes likewise.
 */
export class NlWriter {
  buf = new Uint8Array(1024);
  dv = new DataView(this.buf.buffer);
  len = 0;

  private reserve(n: number): number {
    const at = this.len;
    const need = at + n;
    if (need > this.buf.length) {
      const nb = new Uint8Array(Math.max(need, this.buf.length * 2));
      nb.set(this.buf.subarray(0, this.len));
      this.buf = nb;
      this.dv = new DataView(nb.buffer);
    }
    this.buf.fill(0, at, need);
    this.len = need;
    return at;
  }

  /** Starts a message (nlmsghdr); returns its offset for end(). */
  begin(type: number, flags: number, seq: number, pid: number): number {
    const at = this.reserve(NLMSG_HDRLEN);
    this.dv.setUint16(at + 4, type, true);
    this.dv.setUint16(at + 6, flags, true);
    this.dv.setUint32(at + 8, seq >>> 0, true);
    this.dv.setUint32(at + 12, pid >>> 0, true);
    return at;
  }

  /** Ends the message started at `at`: nlmsg_len, the buffer padded to NLMSG_ALIGN. */
  end(at: number): void {
    this.dv.setUint32(at, this.len - at, true);
    this.reserve(nlmsgAlign(this.len) - this.len);
  }

  /** Appends n zeroed bytes (a family header), aligned; returns their offset. */
  header(n: number): number {
    const at = this.reserve(nlmsgAlign(n));
    return at;
  }

  bytes(b: Uint8Array): void {
    const at = this.reserve(nlmsgAlign(b.length));
    this.buf.set(b, at);
  }

  /** An attribute with a raw payload (padded to 4). */
  attr(type: number, payload: Uint8Array): void {
    const at = this.reserve(NLA_HDRLEN + nlmsgAlign(payload.length));
    this.dv.setUint16(at, NLA_HDRLEN + payload.length, true);
    this.dv.setUint16(at + 2, type, true);
    this.buf.set(payload, at + NLA_HDRLEN);
  }

  u8(type: number, v: number): void {
    this.attr(type, Uint8Array.of(v & 0xff));
  }

  u16(type: number, v: number): void {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, true);
    this.attr(type, b);
  }

  u32(type: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.attr(type, b);
  }

  /** A NUL-terminated string attribute. */
  str(type: number, s: string): void {
    const b = new Uint8Array(s.length + 1);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
    this.attr(type, b);
  }

  /** Starts a nested attribute; returns its offset for endNest(). */
  nest(type: number): number {
    const at = this.reserve(NLA_HDRLEN);
    this.dv.setUint16(at + 2, type, true);
    return at;
  }

  endNest(at: number): void {
    this.dv.setUint16(at, this.len - at, true);
  }

  /** The bytes written so far (a copy), and a reset. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }
}

/** One attribute of a parsed message: its type (flags masked off) and payload. */
export interface NlAttr {
  type: number;
  data: Uint8Array;
}

/**
 * nla_parse (deprecated, non-strict form): the attributes in b from off to
 * end; null if one is malformed (nla_len < 4 or past the end). The last one
 * of a type wins, as in the kernel's tb[] array.
 */
export function parseAttrs(b: Uint8Array, off: number, end: number): Map<number, Uint8Array> | null {
  const out = new Map<number, Uint8Array>();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  while (end - off >= NLA_HDRLEN) {
    const len = dv.getUint16(off, true);
    const type = dv.getUint16(off + 2, true) & NLA_TYPE_MASK;
    if (len < NLA_HDRLEN || len > end - off) return null;
    out.set(type, b.subarray(off + NLA_HDRLEN, off + len));
    off += nlmsgAlign(len);
  }
  return out;
}
