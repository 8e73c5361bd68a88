// The kernel side of NETLINK_ROUTE (net/core/rtnetlink.c, as seen from user
// space): requests are processed as netlink_rcv_skb does (messages in
// order, control messages skipped, NLMSG_ERROR acks), dumps of the
// sandbox's one interface (RTM_GETLINK), its addresses (RTM_GETADDR:
// 127.0.0.1/8 and ::1/128) and its routes (RTM_GETROUTE: the local table
// loopback routes, IPv4 and IPv6) and the default policy rules
// (RTM_GETRULE) are multipart messages ending in NLMSG_DONE, formatted as
// rtnl_fill_ifinfo, inet_fill_ifaddr, inet6_fill_ifaddr, fib_dump_info,
// rt6_fill_node and fib_nl_fill_rule do (checked against Linux 6.18 in a
// new network namespace). Nothing can be changed: NEW/DEL/SET requests
// are EPERM without CAP_NET_ADMIN and EOPNOTSUPP with it.
import { Errno } from '../abi/linux/errno.js';
import { ARPHRD_LOOPBACK } from '../abi/linux/if.js';
import {
  IF_OPER_UNKNOWN, Ifa, FIB_RULE_HDR_SIZE, FR_ACT_TO_TBL, Fra, IFA_CACHEINFO_SIZE, IFA_F_PERMANENT, IFADDRMSG_SIZE, IFAPROT_KERNEL_LO, IFINFOMSG_SIZE, Ifla, IFLA_XDP_ATTACHED, INFINITY_LIFE_TIME,
  NLMSG_HDRLEN, NLMSGERR_SIZE, NlmFlag, NlmsgerrAttr, NlmsgType, nlmsgAlign, NlWriter, parseAttrs, PF_BRIDGE, Rta, RTA_CACHEINFO_SIZE, RTCF_LOCAL, RTGENMSG_SIZE, RTM_F_CLONED,
  RTMSG_SIZE, RtmType, RtnlKind, Rtn, RTNL_LINK_IFMAP_SIZE, RTNL_LINK_STATS_SIZE, RTNL_LINK_STATS64_SIZE, RTPROT_KERNEL, RtScope, RtTable,
} from '../abi/linux/netlink.js';
import { AddressFamily } from '../abi/linux/socket.js';
import { LO_FLAGS, LO_INDEX, LO_MTU, LO_NAME, LO_TXQLEN } from './netdev.js';

/** What a request's processing needs of the socket that sent it. */
export interface RtnlRequester {
  /** The sender's port ID (the replies' nlmsg_pid). */
  readonly portid: number;
  /** NETLINK_GET_STRICT_CHK, NETLINK_EXT_ACK, NETLINK_CAP_ACK. */
  readonly strictChk: boolean;
  readonly extAck: boolean;
  readonly capAck: boolean;
  /** CAP_NET_ADMIN (netlink_net_capable). */
  readonly netAdmin: boolean;
  /** The sender's uid (RTA_UID of a route lookup). */
  readonly uid: number;
}

/** GSO_MAX_SEGS, GSO_LEGACY_MAX_SIZE and TSO limits of lo (loopback_setup). */
const GSO_MAX_SEGS = 65535;
const GSO_MAX_SIZE = 65536;
const TSO_MAX_SEGS = 65535;
const TSO_MAX_SIZE = 524280;

/** When lo's addresses were made, in hundredths of a second since boot (ifa_cacheinfo cstamp/tstamp). */
const ADDR_STAMP = 1;

const V4_LOCAL = Uint8Array.of(127, 0, 0, 1);
const V4_NET = Uint8Array.of(127, 0, 0, 0);
const V4_BCAST = Uint8Array.of(127, 255, 255, 255);
const V6_LOOPBACK = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

/** Families whose dumps exist (rtnl_register); others fall back to AF_UNSPEC. */
const INET_FAMILIES = [AddressFamily.AF_INET, AddressFamily.AF_INET6] as const;

class RtnlError {
  constructor(
    readonly errno: number,
    readonly msg: string | null = null,
  ) {}
}

/** One request message as it arrived. */
interface Req {
  readonly b: Uint8Array;
  readonly dv: DataView;
  /** Offset of the nlmsghdr in b. */
  readonly off: number;
  readonly len: number;
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
}

/** The output of one dump: its skbs (each a batch of messages). */
type Batches = Uint8Array[];

const w = new NlWriter();

// ---------------------------------------------------------------------------
// The objects: lo, its addresses, its routes

function fillLink(type: number, flags: number, seq: number, pid: number): void {
  const at = w.begin(type, flags, seq, pid);
  const h = w.header(IFINFOMSG_SIZE);
  w.dv.setUint8(h, AddressFamily.AF_UNSPEC);
  w.dv.setUint16(h + 2, ARPHRD_LOOPBACK, true);
  w.dv.setInt32(h + 4, LO_INDEX, true);
  w.dv.setUint32(h + 8, LO_FLAGS, true);
  w.dv.setUint32(h + 12, 0, true);
  w.str(Ifla.IFLA_IFNAME, LO_NAME);
  w.u32(Ifla.IFLA_TXQLEN, LO_TXQLEN);
  w.u8(Ifla.IFLA_OPERSTATE, IF_OPER_UNKNOWN);
  w.u8(Ifla.IFLA_LINKMODE, 0);
  w.u32(Ifla.IFLA_MTU, LO_MTU);
  w.u32(Ifla.IFLA_MIN_MTU, 0);
  w.u32(Ifla.IFLA_MAX_MTU, 0);
  w.u32(Ifla.IFLA_GROUP, 0);
  w.u32(Ifla.IFLA_PROMISCUITY, 0);
  w.u32(Ifla.IFLA_ALLMULTI, 0);
  w.u32(Ifla.IFLA_NUM_TX_QUEUES, 1);
  w.u32(Ifla.IFLA_GSO_MAX_SEGS, GSO_MAX_SEGS);
  w.u32(Ifla.IFLA_GSO_MAX_SIZE, GSO_MAX_SIZE);
  w.u32(Ifla.IFLA_GRO_MAX_SIZE, GSO_MAX_SIZE);
  w.u32(Ifla.IFLA_TSO_MAX_SIZE, TSO_MAX_SIZE);
  w.u32(Ifla.IFLA_TSO_MAX_SEGS, TSO_MAX_SEGS);
  w.u32(Ifla.IFLA_NUM_RX_QUEUES, 1);
  w.u8(Ifla.IFLA_CARRIER, 1);
  w.u32(Ifla.IFLA_CARRIER_CHANGES, 0);
  w.u32(Ifla.IFLA_CARRIER_UP_COUNT, 0);
  w.u32(Ifla.IFLA_CARRIER_DOWN_COUNT, 0);
  w.u8(Ifla.IFLA_PROTO_DOWN, 0);
  // dev->addr_len is ETH_ALEN for lo: an all-zero hardware and broadcast address.
  w.attr(Ifla.IFLA_ADDRESS, new Uint8Array(6));
  w.attr(Ifla.IFLA_BROADCAST, new Uint8Array(6));
  w.attr(Ifla.IFLA_STATS64, new Uint8Array(RTNL_LINK_STATS64_SIZE));
  w.attr(Ifla.IFLA_STATS, new Uint8Array(RTNL_LINK_STATS_SIZE));
  const xdp = w.nest(Ifla.IFLA_XDP);
  w.u8(IFLA_XDP_ATTACHED, 0);
  w.endNest(xdp);
  w.str(Ifla.IFLA_QDISC, 'noqueue');
  w.attr(Ifla.IFLA_MAP, new Uint8Array(RTNL_LINK_IFMAP_SIZE));
  w.end(at);
}

function cacheinfo(): Uint8Array {
  const b = new Uint8Array(IFA_CACHEINFO_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, INFINITY_LIFE_TIME, true);
  dv.setUint32(4, INFINITY_LIFE_TIME, true);
  dv.setUint32(8, ADDR_STAMP, true);
  dv.setUint32(12, ADDR_STAMP, true);
  return b;
}

function ifaddrHeader(family: number, prefixlen: number): void {
  const h = w.header(IFADDRMSG_SIZE);
  w.dv.setUint8(h, family);
  w.dv.setUint8(h + 1, prefixlen);
  w.dv.setUint8(h + 2, IFA_F_PERMANENT);
  w.dv.setUint8(h + 3, RtScope.RT_SCOPE_HOST);
  w.dv.setUint32(h + 4, LO_INDEX, true);
}

/** inet_fill_ifaddr for 127.0.0.1/8 on lo. */
function fillAddr4(flags: number, seq: number, pid: number): void {
  const at = w.begin(RtmType.RTM_NEWADDR, flags, seq, pid);
  ifaddrHeader(AddressFamily.AF_INET, 8);
  w.attr(Ifa.IFA_ADDRESS, V4_LOCAL);
  w.attr(Ifa.IFA_LOCAL, V4_LOCAL);
  w.str(Ifa.IFA_LABEL, LO_NAME);
  w.u32(Ifa.IFA_FLAGS, IFA_F_PERMANENT);
  w.attr(Ifa.IFA_CACHEINFO, cacheinfo());
  w.end(at);
}

/** inet6_fill_ifaddr for ::1/128 on lo. */
function fillAddr6(flags: number, seq: number, pid: number): void {
  const at = w.begin(RtmType.RTM_NEWADDR, flags, seq, pid);
  ifaddrHeader(AddressFamily.AF_INET6, 128);
  w.attr(Ifa.IFA_ADDRESS, V6_LOOPBACK);
  w.attr(Ifa.IFA_CACHEINFO, cacheinfo());
  w.u32(Ifa.IFA_FLAGS, IFA_F_PERMANENT);
  w.u8(Ifa.IFA_PROTO, IFAPROT_KERNEL_LO);
  w.end(at);
}

function rtmsgHeader(family: number, dstLen: number, table: number, scope: number, type: number): void {
  const h = w.header(RTMSG_SIZE);
  w.dv.setUint8(h, family);
  w.dv.setUint8(h + 1, dstLen);
  w.dv.setUint8(h + 4, table);
  w.dv.setUint8(h + 5, RTPROT_KERNEL);
  w.dv.setUint8(h + 6, scope);
  w.dv.setUint8(h + 7, type);
}

/** fib_dump_info for a route of lo's 127.0.0.1/8 in the local table. */
function fillRoute4(flags: number, seq: number, pid: number, dst: Uint8Array, dstLen: number, scope: number, type: number): void {
  const at = w.begin(RtmType.RTM_NEWROUTE, flags, seq, pid);
  rtmsgHeader(AddressFamily.AF_INET, dstLen, RtTable.RT_TABLE_LOCAL, scope, type);
  w.u32(Rta.RTA_TABLE, RtTable.RT_TABLE_LOCAL);
  w.attr(Rta.RTA_DST, dst);
  w.attr(Rta.RTA_PREFSRC, V4_LOCAL);
  w.u32(Rta.RTA_OIF, LO_INDEX);
  w.end(at);
}

/** rt6_fill_node for ::1/128 in the local table (Linux 6.x adds no prefix route for lo's ::1). */
function fillRoute6(flags: number, seq: number, pid: number, table: number, type: number, metric: number): void {
  const at = w.begin(RtmType.RTM_NEWROUTE, flags, seq, pid);
  rtmsgHeader(AddressFamily.AF_INET6, 128, table, RtScope.RT_SCOPE_UNIVERSE, type);
  w.u32(Rta.RTA_TABLE, table);
  w.attr(Rta.RTA_DST, V6_LOOPBACK);
  w.u32(Rta.RTA_PRIORITY, metric);
  w.u32(Rta.RTA_OIF, LO_INDEX);
  w.attr(Rta.RTA_CACHEINFO, new Uint8Array(RTA_CACHEINFO_SIZE));
  w.u8(Rta.RTA_PREF, 0);
  w.end(at);
}

// ---------------------------------------------------------------------------
// Request checks (the strict ones run with NETLINK_GET_STRICT_CHK)

/** The family header's bytes must all be zero at the given offsets (relative to the payload). */
function zeroAt(r: Req, offsets: readonly number[]): boolean {
  const p = r.off + NLMSG_HDRLEN;
  return offsets.every((o) => r.b[p + o] === 0);
}

/** The attributes after a family header of hdrLen bytes, or an error when malformed. */
function attrsOf(r: Req, hdrLen: number): Map<number, Uint8Array> | null {
  const start = r.off + NLMSG_HDRLEN + nlmsgAlign(hdrLen);
  const end = r.off + r.len;
  if (start > end) return new Map();
  return parseAttrs(r.b, start, end);
}

function payloadLen(r: Req): number {
  return r.len - NLMSG_HDRLEN;
}

/** rtnl_valid_dump_ifinfo_req. */
function checkLinkDump(r: Req, strict: boolean): RtnlError | null {
  if (!strict) return null;
  if (payloadLen(r) < IFINFOMSG_SIZE) return new RtnlError(Errno.EINVAL, 'Invalid header for link dump');
  const dv = r.dv;
  const p = r.off + NLMSG_HDRLEN;
  if (r.b[p + 1] !== 0 || dv.getUint16(p + 2, true) !== 0 || dv.getUint32(p + 8, true) !== 0 || dv.getUint32(p + 12, true) !== 0) {
    return new RtnlError(Errno.EINVAL, 'Invalid values in header for link dump request');
  }
  if (dv.getInt32(p + 4, true) !== 0) return new RtnlError(Errno.EINVAL, 'Filter by device index not supported for link dumps');
  const tb = attrsOf(r, IFINFOMSG_SIZE);
  if (!tb) return new RtnlError(Errno.EINVAL);
  for (const t of tb.keys()) {
    if (t !== Ifla.IFLA_TARGET_NETNSID && t !== Ifla.IFLA_EXT_MASK && t !== Ifla.IFLA_MASTER && t !== Ifla.IFLA_LINKINFO) {
      return new RtnlError(Errno.EINVAL, 'Unsupported attribute in link dump request');
    }
  }
  return null;
}

/** inet_valid_dump_ifaddr_req / inet6_valid_dump_ifaddr_req: the index filter (0 for none), or an error. */
function checkAddrDump(r: Req, strict: boolean, family: number): number | RtnlError {
  if (!strict) return 0;
  const pfx = family === AddressFamily.AF_INET6 ? 'ipv6: ' : 'ipv4: ';
  if (payloadLen(r) < IFADDRMSG_SIZE) return new RtnlError(Errno.EINVAL, `${pfx}Invalid header for address dump request`);
  if (!zeroAt(r, [1, 2, 3])) return new RtnlError(Errno.EINVAL, `${pfx}Invalid values in header for address dump request`);
  const tb = attrsOf(r, IFADDRMSG_SIZE);
  if (!tb) return new RtnlError(Errno.EINVAL);
  for (const t of tb.keys()) {
    if (t !== Ifa.IFA_TARGET_NETNSID) return new RtnlError(Errno.EINVAL, `${pfx}Unsupported attribute in dump request`);
  }
  return r.dv.getInt32(r.off + NLMSG_HDRLEN + 4, true);
}

/** ip_valid_fib_dump_req / the IPv6 one: route dumps take an rtmsg with only the table and RTM_F_CLONED set. */
function checkRouteDump(r: Req, strict: boolean): RtnlError | null {
  if (!strict) return null;
  if (payloadLen(r) < RTMSG_SIZE) return new RtnlError(Errno.EINVAL, 'Invalid header for FIB dump request');
  if (!zeroAt(r, [1, 2, 3, 5, 6])) return new RtnlError(Errno.EINVAL, 'Invalid values in header for FIB dump request');
  const tb = attrsOf(r, RTMSG_SIZE);
  if (!tb) return new RtnlError(Errno.EINVAL);
  for (const t of tb.keys()) {
    if (t !== Rta.RTA_TABLE && t !== Rta.RTA_OIF) return new RtnlError(Errno.EINVAL, 'Unsupported attribute in dump request');
  }
  return null;
}

// ---------------------------------------------------------------------------
// Dumps

/** One batch of messages made by fill (nothing if it wrote none). */
function batch(out: Batches, fill: () => void): void {
  fill();
  if (w.len > 0) out.push(w.take());
}

function dumpLinks(r: Req, family: number, q: RtnlRequester, out: Batches): RtnlError | null {
  // PF_BRIDGE has its own link dump (bridge ports): lo is none.
  if (family === PF_BRIDGE) return null;
  const e = checkLinkDump(r, q.strictChk);
  if (e) return e;
  batch(out, () => fillLink(RtmType.RTM_NEWLINK, NlmFlag.NLM_F_MULTI, r.seq, q.portid));
  return null;
}

function dumpAddrs(r: Req, family: number, q: RtnlRequester, out: Batches): RtnlError | null {
  const families = family === AddressFamily.AF_INET || family === AddressFamily.AF_INET6 ? [family] : INET_FAMILIES;
  let flags = NlmFlag.NLM_F_MULTI;
  for (const f of families) {
    const idx = checkAddrDump(r, q.strictChk, f);
    if (typeof idx !== 'number') return idx;
    // An index that names no device: ENODEV (the dump's device lookup).
    if (idx !== 0 && idx !== LO_INDEX) return new RtnlError(Errno.ENODEV);
    if (idx !== 0) flags |= NlmFlag.NLM_F_DUMP_FILTERED;
  }
  batch(out, () => {
    for (const f of families) {
      if (f === AddressFamily.AF_INET) fillAddr4(flags, r.seq, q.portid);
      else fillAddr6(flags, r.seq, q.portid);
    }
  });
  return null;
}

function dumpRoutes(r: Req, family: number, q: RtnlRequester, out: Batches): RtnlError | null {
  const e = checkRouteDump(r, q.strictChk);
  if (e) return e;
  const families = family === AddressFamily.AF_INET || family === AddressFamily.AF_INET6 ? [family] : INET_FAMILIES;
  const f = NlmFlag.NLM_F_MULTI;
  batch(out, () => {
    for (const fam of families) {
      if (fam === AddressFamily.AF_INET) {
        fillRoute4(f, r.seq, q.portid, V4_NET, 8, RtScope.RT_SCOPE_HOST, Rtn.RTN_LOCAL);
        fillRoute4(f, r.seq, q.portid, V4_LOCAL, 32, RtScope.RT_SCOPE_HOST, Rtn.RTN_LOCAL);
        fillRoute4(f, r.seq, q.portid, V4_BCAST, 32, RtScope.RT_SCOPE_LINK, Rtn.RTN_BROADCAST);
      } else {
        fillRoute6(f, r.seq, q.portid, RtTable.RT_TABLE_LOCAL, Rtn.RTN_LOCAL, 0);
      }
    }
  });
  return null;
}

/** fib_nl_fill_rule for a default rule (RTPROT_KERNEL, FR_ACT_TO_TBL); pref 0 is not sent. */
function fillRule(flags: number, seq: number, pid: number, family: number, table: number, pref: number): void {
  const at = w.begin(RtmType.RTM_NEWRULE, flags, seq, pid);
  const h = w.header(FIB_RULE_HDR_SIZE);
  w.dv.setUint8(h, family);
  w.dv.setUint8(h + 4, table);
  w.dv.setUint8(h + 7, FR_ACT_TO_TBL);
  w.u32(Fra.FRA_TABLE, table);
  w.u32(Fra.FRA_SUPPRESS_PREFIXLEN, 0xffffffff);
  w.u8(Fra.FRA_PROTOCOL, RTPROT_KERNEL);
  if (pref !== 0) w.u32(Fra.FRA_PRIORITY, pref);
  w.end(at);
}

/** The default policy rules: IPv4 local (0), main (32766), default (32767); IPv6 local and main. */
function dumpRules(r: Req, family: number, q: RtnlRequester, out: Batches): RtnlError | null {
  if (q.strictChk) {
    // fib_valid_dumprule_req.
    if (payloadLen(r) < FIB_RULE_HDR_SIZE) return new RtnlError(Errno.EINVAL, 'Invalid header for fib rule dump request');
    if (!zeroAt(r, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])) return new RtnlError(Errno.EINVAL, 'Invalid values in header for fib rule dump request');
    if (r.len > NLMSG_HDRLEN + nlmsgAlign(FIB_RULE_HDR_SIZE)) return new RtnlError(Errno.EINVAL, 'Invalid data after header in fib rule dump request');
  }
  const families = family === AddressFamily.AF_INET || family === AddressFamily.AF_INET6 ? [family] : INET_FAMILIES;
  const f = NlmFlag.NLM_F_MULTI;
  batch(out, () => {
    for (const fam of families) {
      fillRule(f, r.seq, q.portid, fam, RtTable.RT_TABLE_LOCAL, 0);
      fillRule(f, r.seq, q.portid, fam, RtTable.RT_TABLE_MAIN, 32766);
      if (fam === AddressFamily.AF_INET) fillRule(f, r.seq, q.portid, fam, RtTable.RT_TABLE_DEFAULT, 32767);
    }
  });
  return null;
}

type DumpFn = (r: Req, family: number, q: RtnlRequester, out: Batches) => RtnlError | null;

interface Dump {
  fill: DumpFn;
  /** The dump finishes in the call that fills its skb: NLMSG_DONE shares it. */
  doneInline: (family: number) => boolean;
}

/** The dumps that exist: RTM_GETNEIGH lists no neighbours (lo has none). */
const DUMPS = new Map<number, Dump>([
  [RtmType.RTM_GETLINK, { fill: dumpLinks, doneInline: () => false }],
  // inet6_dump_addr ends with the IPv6 addresses; inet_dump_ifaddr asks for another call.
  [RtmType.RTM_GETADDR, { fill: dumpAddrs, doneInline: (f) => f === AddressFamily.AF_INET6 }],
  [RtmType.RTM_GETROUTE, { fill: dumpRoutes, doneInline: () => false }],
  [RtmType.RTM_GETNEIGH, { fill: () => null, doneInline: () => false }],
  [RtmType.RTM_GETRULE, { fill: dumpRules, doneInline: () => true }],
]);

/** nlmsg_put_answer(NLMSG_DONE) with the dump's result, and its extended ACK message. */
function doneMessage(r: Req, q: RtnlRequester, err: RtnlError | null, filtered: boolean): Uint8Array {
  let flags = NlmFlag.NLM_F_MULTI | (filtered ? NlmFlag.NLM_F_DUMP_FILTERED : 0);
  const withMsg = err?.msg != null && q.extAck;
  if (withMsg) flags |= NlmFlag.NLM_F_ACK_TLVS;
  const at = w.begin(NlmsgType.NLMSG_DONE, flags, r.seq, q.portid);
  const h = w.header(4);
  w.dv.setInt32(h, err ? -err.errno : 0, true);
  if (withMsg) w.str(NlmsgerrAttr.NLMSGERR_ATTR_MSG, err!.msg!);
  w.end(at);
  return w.take();
}

// ---------------------------------------------------------------------------
// Requests

/** rtnl_getlink: by ifi_index, else IFLA_IFNAME / IFLA_ALT_IFNAME. */
function getLink(r: Req, q: RtnlRequester, out: Batches): RtnlError | null {
  if (payloadLen(r) < IFINFOMSG_SIZE) return new RtnlError(Errno.EINVAL, 'Invalid header for get link');
  const tb = attrsOf(r, IFINFOMSG_SIZE);
  if (q.strictChk) {
    const dv = r.dv;
    const p = r.off + NLMSG_HDRLEN;
    if (r.b[p + 1] !== 0 || dv.getUint16(p + 2, true) !== 0 || dv.getUint32(p + 8, true) !== 0 || dv.getUint32(p + 12, true) !== 0) {
      return new RtnlError(Errno.EINVAL, 'Invalid values in header for get link request');
    }
    if (tb) {
      for (const t of tb.keys()) {
        if (t !== Ifla.IFLA_IFNAME && t !== Ifla.IFLA_ALT_IFNAME && t !== Ifla.IFLA_EXT_MASK && t !== Ifla.IFLA_TARGET_NETNSID) {
          return new RtnlError(Errno.EINVAL, 'Unsupported attribute in get link request');
        }
      }
    }
  }
  if (!tb) return new RtnlError(Errno.EINVAL);
  const index = r.dv.getInt32(r.off + NLMSG_HDRLEN + 4, true);
  let found: boolean;
  if (index > 0) {
    found = index === LO_INDEX;
  } else {
    const name = tb.get(Ifla.IFLA_IFNAME) ?? tb.get(Ifla.IFLA_ALT_IFNAME);
    if (!name) return new RtnlError(Errno.EINVAL);
    let end = name.indexOf(0);
    if (end < 0) end = name.length;
    found = Buffer.from(name.subarray(0, end)).toString('latin1') === LO_NAME;
  }
  if (!found) return new RtnlError(Errno.ENODEV);
  batch(out, () => fillLink(RtmType.RTM_NEWLINK, 0, r.seq, q.portid));
  return null;
}

/** rta_cacheinfo of a route lookup's answer: the route's two references, nothing else. */
function lookupCacheinfo(): Uint8Array {
  const b = new Uint8Array(RTA_CACHEINFO_SIZE);
  b[0] = 2;
  return b;
}

/**
 * inet_rtm_getroute / inet6_rtm_getroute (ip route get): the route to
 * RTA_DST through lo, or ENETUNREACH; a missing destination is the local
 * host (0.0.0.0 becomes 127.0.0.1).
 */
function getRoute(r: Req, family: number, q: RtnlRequester, out: Batches): RtnlError | null {
  const v6 = family === AddressFamily.AF_INET6;
  if (payloadLen(r) < RTMSG_SIZE) return new RtnlError(Errno.EINVAL, v6 ? 'ipv6: Invalid header for get route request' : 'ipv4: Invalid header for route get request');
  const tb = attrsOf(r, RTMSG_SIZE);
  if (!tb) return new RtnlError(Errno.EINVAL);
  const alen = v6 ? 16 : 4;
  const dstA = tb.get(Rta.RTA_DST);
  const srcA = tb.get(Rta.RTA_SRC);
  if ((dstA && dstA.length < alen) || (srcA && srcA.length < alen)) return new RtnlError(Errno.EINVAL);
  const dst = dstA ? dstA.slice(0, alen) : new Uint8Array(alen);
  if (v6) {
    if (!dst.every((b, i) => b === V6_LOOPBACK[i])) return new RtnlError(Errno.ENETUNREACH);
    batch(out, () => {
      const at = w.begin(RtmType.RTM_NEWROUTE, 0, r.seq, q.portid);
      rtmsgHeader(AddressFamily.AF_INET6, 128, RtTable.RT_TABLE_LOCAL, RtScope.RT_SCOPE_UNIVERSE, Rtn.RTN_LOCAL);
      w.dv.setUint8(at + NLMSG_HDRLEN + 2, 128);
      w.u32(Rta.RTA_TABLE, RtTable.RT_TABLE_LOCAL);
      w.attr(Rta.RTA_DST, dst);
      w.attr(Rta.RTA_SRC, srcA ? srcA.slice(0, 16) : new Uint8Array(16));
      w.attr(Rta.RTA_PREFSRC, V6_LOOPBACK);
      w.u32(Rta.RTA_PRIORITY, 0);
      w.u32(Rta.RTA_OIF, LO_INDEX);
      w.attr(Rta.RTA_CACHEINFO, lookupCacheinfo());
      w.u8(Rta.RTA_PREF, 0);
      w.end(at);
    });
    return null;
  }
  if (dst.every((b) => b === 0)) dst.set(V4_LOCAL);
  // A source of 0.0.0.0 is none; any other must be a local address (no device has it: ENETUNREACH).
  const src = srcA && srcA.subarray(0, 4).some((b) => b !== 0) ? srcA.slice(0, 4) : null;
  if (src && src[0] !== 127) return new RtnlError(Errno.ENETUNREACH);
  if (dst[0] !== 127) return new RtnlError(Errno.ENETUNREACH);
  batch(out, () => {
    const at = w.begin(RtmType.RTM_NEWROUTE, 0, r.seq, q.portid);
    rtmsgHeader(AddressFamily.AF_INET, 32, RtTable.RT_TABLE_MAIN, RtScope.RT_SCOPE_UNIVERSE, Rtn.RTN_LOCAL);
    w.dv.setUint8(at + NLMSG_HDRLEN + 5, 0);
    w.dv.setUint32(at + NLMSG_HDRLEN + 8, (RTM_F_CLONED | RTCF_LOCAL) >>> 0, true);
    if (src) w.dv.setUint8(at + NLMSG_HDRLEN + 2, 32);
    w.u32(Rta.RTA_TABLE, RtTable.RT_TABLE_MAIN);
    w.attr(Rta.RTA_DST, dst);
    if (src) w.attr(Rta.RTA_SRC, src);
    w.u32(Rta.RTA_OIF, LO_INDEX);
    // The source chosen, unless it is the one asked for (rt_fill_info).
    if (!src) w.attr(Rta.RTA_PREFSRC, V4_LOCAL);
    w.u32(Rta.RTA_UID, q.uid);
    w.attr(Rta.RTA_CACHEINFO, lookupCacheinfo());
    w.end(at);
  });
  return null;
}

/** inet6_rtm_getaddr: the address named by IFA_ADDRESS or IFA_LOCAL (EINVAL without one, EADDRNOTAVAIL if not ours). */
function getAddr6(r: Req, q: RtnlRequester, out: Batches): RtnlError | null {
  if (payloadLen(r) < IFADDRMSG_SIZE) return new RtnlError(Errno.EINVAL, 'ipv6: Invalid header for get address request');
  const tb = attrsOf(r, IFADDRMSG_SIZE);
  if (!tb) return new RtnlError(Errno.EINVAL);
  const a = tb.get(Ifa.IFA_ADDRESS) ?? tb.get(Ifa.IFA_LOCAL);
  if (!a || a.length < 16) return new RtnlError(Errno.EINVAL);
  if (!a.subarray(0, 16).every((v, i) => v === V6_LOOPBACK[i])) return new RtnlError(Errno.EADDRNOTAVAIL);
  batch(out, () => fillAddr6(0, r.seq, q.portid));
  return null;
}

/**
 * rtnetlink_rcv_msg for one request: replies go to out. Returns the error
 * to acknowledge (0 for success), or null when no ACK may follow (a dump).
 */
function rcvMsg(r: Req, q: RtnlRequester, out: Batches): RtnlError | number | null {
  if (r.type > RtmType.RTM_MAX) return new RtnlError(Errno.EOPNOTSUPP);
  const t = r.type - RtmType.RTM_BASE;
  // All messages must carry at least the one byte of a struct rtgenmsg.
  if (payloadLen(r) < RTGENMSG_SIZE) return 0;
  const family = r.b[r.off + NLMSG_HDRLEN];
  const kind = t & 3;
  if (kind !== RtnlKind.GET && !q.netAdmin) return new RtnlError(Errno.EPERM);
  if (kind === RtnlKind.GET && (r.flags & NlmFlag.NLM_F_DUMP) !== 0) {
    const dump = DUMPS.get(r.type);
    if (!dump) return new RtnlError(Errno.EOPNOTSUPP);
    const before = out.length;
    const e = dump.fill(r, family, q, out);
    if (e) out.length = before;
    const filtered = out.length > before && (new DataView(out[out.length - 1].buffer).getUint16(6, true) & NlmFlag.NLM_F_DUMP_FILTERED) !== 0;
    const done = doneMessage(r, q, e, filtered);
    if (!e && out.length > before && dump.doneInline(family)) {
      const last = out[out.length - 1];
      const joined = new Uint8Array(last.length + done.length);
      joined.set(last);
      joined.set(done, last.length);
      out[out.length - 1] = joined;
    } else {
      out.push(done);
    }
    return null;
  }
  if (r.type === RtmType.RTM_GETLINK) return getLink(r, q, out) ?? 0;
  if (r.type === RtmType.RTM_GETADDR && family === AddressFamily.AF_INET6) return getAddr6(r, q, out) ?? 0;
  if (r.type === RtmType.RTM_GETROUTE && (family === AddressFamily.AF_INET || family === AddressFamily.AF_INET6)) return getRoute(r, family, q, out) ?? 0;
  return new RtnlError(Errno.EOPNOTSUPP);
}

/** netlink_ack: NLMSG_ERROR with the error and the request (its payload too for an error, unless NETLINK_CAP_ACK). */
function ackMessage(r: Req, q: RtnlRequester, err: RtnlError | null): Uint8Array {
  const errno = err ? -err.errno : 0;
  let flags = 0;
  const full = errno !== 0 && !q.capAck;
  if (!full) flags |= NlmFlag.NLM_F_CAPPED;
  const withMsg = err?.msg != null && q.extAck;
  if (withMsg) flags |= NlmFlag.NLM_F_ACK_TLVS;
  const at = w.begin(NlmsgType.NLMSG_ERROR, flags, r.seq, q.portid);
  const h = w.header(NLMSGERR_SIZE);
  w.dv.setInt32(h, errno, true);
  // The request's header as it was sent.
  w.buf.set(r.b.subarray(r.off, r.off + NLMSG_HDRLEN), h + 4);
  if (full) w.bytes(r.b.subarray(r.off + NLMSG_HDRLEN, r.off + r.len));
  if (withMsg) w.str(NlmsgerrAttr.NLMSGERR_ATTR_MSG, err!.msg!);
  w.end(at);
  return w.take();
}

/**
 * netlink_rcv_skb over one sendmsg's data: every complete message in turn,
 * its replies handed to emit (in order) before the next is processed, so a
 * long batch never holds more than one message's replies.
 */
export function rtnetlinkRcv(data: Uint8Array, q: RtnlRequester, emit: (skb: Uint8Array) => void): void {
  const out: Batches = [];
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let off = 0;
  w.len = 0;
  while (data.length - off >= NLMSG_HDRLEN) {
    const len = dv.getUint32(off, true);
    // A message that claims less than a header, or more than is left, ends the batch silently.
    if (len < NLMSG_HDRLEN || len > data.length - off) break;
    const r: Req = { b: data, dv, off, len, type: dv.getUint16(off + 4, true), flags: dv.getUint16(off + 6, true), seq: dv.getUint32(off + 8, true) };
    let res: RtnlError | number | null = 0;
    // Only requests are handled, and control messages are skipped.
    if ((r.flags & NlmFlag.NLM_F_REQUEST) !== 0 && r.type >= NlmsgType.NLMSG_MIN_TYPE) res = rcvMsg(r, q, out);
    if (res !== null) {
      const err = typeof res === 'number' ? null : res;
      if ((r.flags & NlmFlag.NLM_F_ACK) !== 0 || err) out.push(ackMessage(r, q, err));
    }
    for (const skb of out) emit(skb);
    out.length = 0;
    off += Math.min(nlmsgAlign(len), data.length - off);
  }
}
