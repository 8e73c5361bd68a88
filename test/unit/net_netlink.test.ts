// NETLINK_ROUTE sockets and /proc/net formats without a kernel: the exact
// bytes of lo's messages (compared with what Linux 6.x sends, captured on
// a host), the request rules that need CAP_NET_ADMIN (which the
// conformance programs, run as root, cannot change natively), receive
// buffer overruns (ENOBUFS), blocking receives, and the /proc/net line
// formats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { TcpState } from '../../src/abi/linux/in.js';
import {
  FIB_RULE_HDR_SIZE, FR_ACT_TO_TBL, Fra, IF_OPER_UNKNOWN, Ifa, IFAPROT_KERNEL_LO, IFA_CACHEINFO_SIZE, IFA_F_PERMANENT, IFADDRMSG_SIZE, IFINFOMSG_SIZE, Ifla, IFLA_XDP_ATTACHED, NDMSG_SIZE, NetlinkOpt, NetlinkProto,
  NLMSG_HDRLEN, NLMSGERR_SIZE, NlmFlag, NlmsgerrAttr, NlmsgType, NlWriter, parseAttrs, PF_BRIDGE, Rta, RTA_CACHEINFO_SIZE, RTCF_LOCAL, RTM_F_CLONED, RTMSG_SIZE, RtmType, Rtn,
  RTNL_LINK_IFMAP_SIZE, RTNL_LINK_STATS_SIZE, RTNL_LINK_STATS64_SIZE, RTNLGRP_MAX, RTPROT_KERNEL, RtScope, RtTable, SOCKADDR_NL_SIZE, SOL_NETLINK,
} from '../../src/abi/linux/netlink.js';
import { haveGcc, runC } from '../helpers/cprobe.js';
import { MsgFlag, SockType } from '../../src/abi/linux/socket.js';
import { formatIfInet6, formatTcp4, formatTcp6, formatUdp4, formatUnix } from '../../src/fs/proc/net_format.js';
import { createSocket } from '../../src/net/index.js';
import { NetlinkSocket } from '../../src/net/netlink.js';
import { rtnetlinkRcv, type RtnlRequester } from '../../src/net/netlink_route.js';
import { FakeCaller, FlatMemory, OWNER, recv } from './net_helpers.js';
import { IoCursor } from '../../src/fs/pipe/iov.js';
import { newSendMsg } from '../../src/net/message.js';

const c = new FakeCaller();
const ADMIN: RtnlRequester = { portid: 77, strictChk: false, extAck: false, capAck: false, netAdmin: true, uid: 0 };

/** The replies to one sendmsg's data. */
function rtnetlinkReplies(data: Uint8Array, q: RtnlRequester): Uint8Array[] {
  const out: Uint8Array[] = [];
  rtnetlinkRcv(data, q, (skb) => out.push(skb));
  return out;
}

function request(type: number, flags: number, seq: number, body: number[]): Uint8Array {
  const w = new NlWriter();
  const at = w.begin(type, flags, seq, 0);
  w.bytes(Uint8Array.from(body));
  w.end(at);
  return w.take();
}

interface Msg {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
}

function messages(skb: Uint8Array): Msg[] {
  const out: Msg[] = [];
  const dv = new DataView(skb.buffer, skb.byteOffset, skb.byteLength);
  for (let off = 0; off + 16 <= skb.length; ) {
    const len = dv.getUint32(off, true);
    out.push({ type: dv.getUint16(off + 4, true), flags: dv.getUint16(off + 6, true), seq: dv.getUint32(off + 8, true), pid: dv.getUint32(off + 12, true), payload: skb.subarray(off + 16, off + len) });
    off += (len + 3) & ~3;
  }
  return out;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

test('NlWriter and parseAttrs: aligned attributes round-trip; a bad nla_len is malformed', () => {
  const w = new NlWriter();
  w.str(3, 'lo');
  w.u32(4, 65536);
  w.u8(16, 0);
  const b = w.take();
  assert.equal(hex(b), '070003006c6f0000' + '0800040000000100' + '0500100000000000');
  const tb = parseAttrs(b, 0, b.length);
  assert.ok(tb);
  assert.equal(hex(tb.get(3)!), '6c6f00');
  assert.equal(tb.get(4)!.length, 4);
  b[8] = 200; // IFLA_MTU's length past the end
  assert.equal(parseAttrs(b, 0, b.length), null);
});

test('RTM_GETADDR AF_INET dump: 127.0.0.1/8 exactly as Linux formats it, then NLMSG_DONE alone', () => {
  const out = rtnetlinkReplies(request(RtmType.RTM_GETADDR, NlmFlag.NLM_F_REQUEST | NlmFlag.NLM_F_DUMP, 42, [2, 0, 0, 0, 0, 0, 0, 0]), ADMIN);
  assert.equal(out.length, 2);
  const [m] = messages(out[0]);
  assert.deepEqual([m.type, m.flags, m.seq, m.pid], [RtmType.RTM_NEWADDR, NlmFlag.NLM_F_MULTI, 42, 77]);
  // Captured from Linux 6.18 for lo (the cacheinfo time stamps differ).
  assert.equal(hex(m.payload.subarray(0, 8 + 8 + 8 + 8 + 8)), '020880fe01000000' + '080001007f000001' + '080002007f000001' + '070003006c6f0000' + '0800080080000000');
  assert.equal(hex(m.payload.subarray(40, 52)), '14000600ffffffffffffffff');
  assert.equal(m.payload.length, 60);
  const [done] = messages(out[1]);
  assert.deepEqual([done.type, done.flags, hex(done.payload)], [NlmsgType.NLMSG_DONE, NlmFlag.NLM_F_MULTI, '00000000']);
});

test('RTM_GETLINK dump: lo with the attributes in rtnl_fill_ifinfo order', () => {
  const out = rtnetlinkReplies(request(RtmType.RTM_GETLINK, NlmFlag.NLM_F_REQUEST | NlmFlag.NLM_F_DUMP, 1, [0]), ADMIN);
  assert.equal(out.length, 2);
  const [m] = messages(out[0]);
  assert.equal(hex(m.payload.subarray(0, 16)), '00000403010000004900010000000000');
  const types: number[] = [];
  const dv = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
  for (let o = 16; o < m.payload.length; o += (dv.getUint16(o, true) + 3) & ~3) types.push(dv.getUint16(o + 2, true));
  // The order Linux 6.18 sends (those of its attributes the sandbox has).
  assert.deepEqual(types, [3, 13, 16, 17, 4, 50, 51, 27, 30, 61, 31, 40, 41, 58, 59, 60, 32, 33, 35, 47, 48, 39, 1, 2, 23, 7, 43, 6, 14]);
});

test('changes need CAP_NET_ADMIN (EPERM) and are not supported with it (EOPNOTSUPP); errors echo the request', () => {
  const req = request(RtmType.RTM_NEWADDR, NlmFlag.NLM_F_REQUEST, 9, [2, 8, 0, 0, 1, 0, 0, 0]);
  const user = { ...ADMIN, netAdmin: false };
  for (const [who, errno] of [
    [user, Errno.EPERM],
    [ADMIN, Errno.EOPNOTSUPP],
  ] as const) {
    const out = rtnetlinkReplies(req, who);
    assert.equal(out.length, 1);
    const [m] = messages(out[0]);
    assert.equal(m.type, NlmsgType.NLMSG_ERROR);
    assert.equal(m.flags, 0);
    assert.equal(new DataView(m.payload.buffer, m.payload.byteOffset).getInt32(0, true), -errno);
    assert.equal(hex(m.payload.subarray(4)), hex(req));
  }
  // Reading is fine for anyone.
  assert.equal(rtnetlinkReplies(request(RtmType.RTM_GETLINK, NlmFlag.NLM_F_REQUEST | NlmFlag.NLM_F_DUMP, 1, [0]), user).length, 2);
});

test('RTM_GETADDR for ::1 (inet6_rtm_getaddr): the address, EADDRNOTAVAIL for another, EINVAL without one', () => {
  const ask = (addr: number[] | null): Msg => {
    const body = [10, 0, 0, 0, 0, 0, 0, 0];
    if (addr) body.push(20, 0, 1, 0, ...addr);
    const out = rtnetlinkReplies(request(RtmType.RTM_GETADDR, NlmFlag.NLM_F_REQUEST, 3, body), ADMIN);
    return messages(out[0])[0];
  };
  const one = ask([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual([one.type, one.flags], [RtmType.RTM_NEWADDR, 0]);
  const err = (m: Msg): number => new DataView(m.payload.buffer, m.payload.byteOffset).getInt32(0, true);
  assert.equal(err(ask([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])), -Errno.EADDRNOTAVAIL);
  assert.equal(err(ask(null)), -Errno.EINVAL);
});

function nlSocket(): NetlinkSocket {
  const s = createSocket(c, 16, SockType.SOCK_RAW, 0, 0, OWNER);
  assert.ok(s instanceof NetlinkSocket);
  s.incRef();
  return s;
}

function sendTo(s: NetlinkSocket, mem: FlatMemory, data: Uint8Array, addr: Uint8Array | null = null, flags = 0): number {
  mem.bytes.set(data, 0x1000);
  const r = s.sendmsg(c, newSendMsg(new IoCursor(mem, 0x1000, data.length), data.length, flags, addr));
  assert.equal(typeof r, 'number');
  return r as number;
}

test('a full receive queue loses replies and reports ENOBUFS once, unless NETLINK_NO_ENOBUFS', () => {
  const mem = new FlatMemory();
  const s = nlSocket();
  const min = new Uint8Array(4);
  s.setsockopt(c, 1, 8, { len: 4, read: () => min }); // SO_RCVBUF 0 → SOCK_MIN_RCVBUF
  const dump = request(RtmType.RTM_GETLINK, NlmFlag.NLM_F_REQUEST | NlmFlag.NLM_F_DUMP, 1, [0]);
  for (let i = 0; i < 8; i++) assert.equal(sendTo(s, mem, dump), dump.length);
  assert.ok(s.queued < 16);
  const r = recv(s, c, mem, 65536, MsgFlag.MSG_DONTWAIT);
  assert.equal(r.r, -Errno.ENOBUFS);
  // Then the queued messages.
  assert.ok((recv(s, c, mem, 65536, MsgFlag.MSG_DONTWAIT).r as number) > 0);
  // With NETLINK_NO_ENOBUFS the overrun is silent.
  const on = Uint8Array.of(1, 0, 0, 0);
  assert.equal(s.setsockopt(c, SOL_NETLINK, NetlinkOpt.NETLINK_NO_ENOBUFS, { len: 4, read: () => on }), 0);
  for (let i = 0; i < 8; i++) sendTo(s, mem, dump);
  assert.equal(s.soError, 0);
  s.decRef();
});

test('a blocked recv wakes when another socket sends to its port; autobind collisions go negative', async () => {
  const mem = new FlatMemory();
  const a = nlSocket();
  const b = nlSocket();
  const nl = (pid: number): Uint8Array => {
    const x = new Uint8Array(12);
    const dv = new DataView(x.buffer);
    dv.setUint16(0, 16, true);
    dv.setInt32(4, pid, true);
    return x;
  };
  assert.equal(a.bind(c, nl(0)), 0);
  assert.equal(a.portid, c.pid);
  assert.equal(b.bind(c, nl(0)), 0);
  assert.ok(b.portid < -4096);
  const pending = recv(a, c, mem, 100);
  assert.ok(pending.r instanceof Promise);
  assert.equal(sendTo(b, mem, Uint8Array.from([1, 2, 3]), nl(a.portid)), 3);
  assert.equal(await pending.r, 3);
  const from = new DataView(pending.msg.name!.buffer);
  assert.equal(from.getInt32(4, true), b.portid);
  // Once a is gone its port is free and sends to it are refused.
  const port = a.portid;
  a.decRef();
  assert.equal(sendTo(b, mem, Uint8Array.from([1]), nl(port)), -Errno.ECONNREFUSED);
  b.decRef();
});

test('/proc/net/tcp and tcp6 lines: little-endian address words, padding, listener and connection tails', () => {
  const v4 = (a: number, b: number, c2: number, d: number): Uint8Array => Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c2, d);
  const listen = { local: v4(127, 0, 0, 1), localPort: 8080, remote: v4(0, 0, 0, 0), remotePort: 0, state: TcpState.TCP_LISTEN, txQueue: 0, rxQueue: 0, uid: 0, ino: 1217 };
  const conn = { ...listen, localPort: 43283, remote: v4(127, 0, 0, 1), remotePort: 8080, state: TcpState.TCP_ESTABLISHED, rxQueue: 5, uid: 1000, ino: 1300 };
  const text = formatTcp4([conn, listen]);
  const lines = text.split('\n');
  assert.equal(lines.length, 4);
  for (const l of lines.slice(0, 3)) assert.equal(l.length, 149);
  assert.equal(lines[1].trimEnd(), '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1217 1 0000000000000000 100 0 0 10 0');
  assert.equal(lines[2].trimEnd(), '   1: 0100007F:A913 0100007F:1F90 01 00000000:00000005 00:00000000 00000000  1000        0 1300 2 0000000000000000 20 4 30 10 -1');
  const six = formatTcp6([{ ...listen, local: new Uint8Array(16), remote: new Uint8Array(16), localPort: 34517 }]).split('\n')[1];
  assert.equal(six, '   0: 00000000000000000000000000000000:86D5 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1217 1 0000000000000000 100 0 0 10 0');
  const udp = formatUdp4([{ ...conn, state: TcpState.TCP_CLOSE, localPort: 54321, remote: v4(0, 0, 0, 0), remotePort: 0, rxQueue: 0x340 }]).split('\n')[1];
  assert.equal(udp.length, 127);
  assert.equal(udp.trimEnd(), `${String(54321 & 0x3fff).padStart(5)}: 0100007F:D431 00000000:0000 07 00000000:00000340 00:00000000 00000000  1000        0 1300 2 0000000000000000 0`);
});

test('/proc/net/unix paths: abstract names with @ for NULs, bound paths without their NUL, states', () => {
  const un = (path: string): Uint8Array => Uint8Array.from([1, 0, ...Buffer.from(path, 'latin1')]);
  const text = formatUnix([
    { type: 1, listening: true, established: false, embryo: false, ino: 1216609, addr: un('/run/x.sock\0') },
    { type: 2, listening: false, established: true, embryo: false, ino: 5, addr: un('\0a\0b') },
    { type: 1, listening: false, established: true, embryo: true, ino: 6, addr: null },
  ]);
  assert.equal(
    text,
    'Num       RefCount Protocol Flags    Type St Inode Path\n' +
      '0000000000000000: 00000002 00000000 00010000 0001 01 1216609 /run/x.sock\n' +
      '0000000000000000: 00000003 00000000 00000000 0002 03     5 @a@b\n' +
      '0000000000000000: 00000003 00000000 00000000 0001 02     6\n',
  );
  assert.equal(
    formatIfInet6([{ addr: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), ifindex: 1, prefixLen: 128, scope: 0x10, flags: 0x80, dev: 'lo' }]),
    '00000000000000000000000000000001 01 80 10 80       lo\n',
  );
});

test('the netlink and rtnetlink numbers match this machine\'s headers', { skip: !haveGcc() && 'no gcc' }, () => {
  const pairs: [string, number][] = [
    ['SOL_NETLINK', SOL_NETLINK],
    ['NETLINK_ROUTE', NetlinkProto.NETLINK_ROUTE],
    ['NETLINK_SOCK_DIAG', NetlinkProto.NETLINK_SOCK_DIAG],
    ['NETLINK_GENERIC', NetlinkProto.NETLINK_GENERIC],
    ['sizeof(struct sockaddr_nl)', SOCKADDR_NL_SIZE],
    ['sizeof(struct nlmsghdr)', NLMSG_HDRLEN],
    ['sizeof(struct nlmsgerr)', NLMSGERR_SIZE],
    ['NLMSG_ERROR', NlmsgType.NLMSG_ERROR],
    ['NLMSG_DONE', NlmsgType.NLMSG_DONE],
    ['NLMSG_MIN_TYPE', NlmsgType.NLMSG_MIN_TYPE],
    ['NLM_F_DUMP', NlmFlag.NLM_F_DUMP],
    ['NLM_F_CAPPED', NlmFlag.NLM_F_CAPPED],
    ['NLM_F_ACK_TLVS', NlmFlag.NLM_F_ACK_TLVS],
    ['NLM_F_DUMP_FILTERED', NlmFlag.NLM_F_DUMP_FILTERED],
    ['NLMSGERR_ATTR_MSG', NlmsgerrAttr.NLMSGERR_ATTR_MSG],
    ['NETLINK_ADD_MEMBERSHIP', NetlinkOpt.NETLINK_ADD_MEMBERSHIP],
    ['NETLINK_LIST_MEMBERSHIPS', NetlinkOpt.NETLINK_LIST_MEMBERSHIPS],
    ['NETLINK_CAP_ACK', NetlinkOpt.NETLINK_CAP_ACK],
    ['NETLINK_EXT_ACK', NetlinkOpt.NETLINK_EXT_ACK],
    ['NETLINK_GET_STRICT_CHK', NetlinkOpt.NETLINK_GET_STRICT_CHK],
    ['RTNLGRP_MAX', RTNLGRP_MAX],
    ['RTM_MAX', RtmType.RTM_MAX],
    ['RTM_GETLINK', RtmType.RTM_GETLINK],
    ['RTM_GETADDR', RtmType.RTM_GETADDR],
    ['RTM_GETROUTE', RtmType.RTM_GETROUTE],
    ['RTM_GETNEIGH', RtmType.RTM_GETNEIGH],
    ['sizeof(struct ifinfomsg)', IFINFOMSG_SIZE],
    ['sizeof(struct ifaddrmsg)', IFADDRMSG_SIZE],
    ['sizeof(struct rtmsg)', RTMSG_SIZE],
    ['sizeof(struct ndmsg)', NDMSG_SIZE],
    ['sizeof(struct ifa_cacheinfo)', IFA_CACHEINFO_SIZE],
    ['sizeof(struct rta_cacheinfo)', RTA_CACHEINFO_SIZE],
    ['sizeof(struct rtnl_link_stats)', RTNL_LINK_STATS_SIZE],
    ['sizeof(struct rtnl_link_stats64)', RTNL_LINK_STATS64_SIZE],
    ['sizeof(struct rtnl_link_ifmap)', RTNL_LINK_IFMAP_SIZE],
    ['IFLA_IFNAME', Ifla.IFLA_IFNAME],
    ['IFLA_STATS64', Ifla.IFLA_STATS64],
    ['IFLA_EXT_MASK', Ifla.IFLA_EXT_MASK],
    ['IFLA_XDP', Ifla.IFLA_XDP],
    ['IFLA_TARGET_NETNSID', Ifla.IFLA_TARGET_NETNSID],
    ['IFLA_CARRIER_DOWN_COUNT', Ifla.IFLA_CARRIER_DOWN_COUNT],
    ['IFLA_MAX_MTU', Ifla.IFLA_MAX_MTU],
    ['IFLA_ALT_IFNAME', Ifla.IFLA_ALT_IFNAME],
    ['IFLA_GRO_MAX_SIZE', Ifla.IFLA_GRO_MAX_SIZE],
    ['IFLA_TSO_MAX_SEGS', Ifla.IFLA_TSO_MAX_SEGS],
    ['IFLA_ALLMULTI', Ifla.IFLA_ALLMULTI],
    ['IFLA_XDP_ATTACHED', IFLA_XDP_ATTACHED],
    ['IFA_FLAGS', Ifa.IFA_FLAGS],
    ['IFA_TARGET_NETNSID', Ifa.IFA_TARGET_NETNSID],
    ['IFA_F_PERMANENT', IFA_F_PERMANENT],
    ['RTA_TABLE', Rta.RTA_TABLE],
    ['RTA_PREF', Rta.RTA_PREF],
    ['RTA_CACHEINFO', Rta.RTA_CACHEINFO],
    ['RT_TABLE_LOCAL', RtTable.RT_TABLE_LOCAL],
    ['RT_SCOPE_HOST', RtScope.RT_SCOPE_HOST],
    ['RTPROT_KERNEL', RTPROT_KERNEL],
    ['RTN_BROADCAST', Rtn.RTN_BROADCAST],
    ['PF_BRIDGE', PF_BRIDGE],
    ['IF_OPER_UNKNOWN', IF_OPER_UNKNOWN],
    ['RTM_GETRULE', RtmType.RTM_GETRULE],
    ['RTM_NEWRULE', RtmType.RTM_NEWRULE],
    ['sizeof(struct fib_rule_hdr)', FIB_RULE_HDR_SIZE],
    ['FR_ACT_TO_TBL', FR_ACT_TO_TBL],
    ['FRA_TABLE', Fra.FRA_TABLE],
    ['FRA_PRIORITY', Fra.FRA_PRIORITY],
    ['FRA_PROTOCOL', Fra.FRA_PROTOCOL],
    ['FRA_SUPPRESS_PREFIXLEN', Fra.FRA_SUPPRESS_PREFIXLEN],
    ['RT_TABLE_DEFAULT', RtTable.RT_TABLE_DEFAULT],
    ['IFA_PROTO', Ifa.IFA_PROTO],
    ['IFAPROT_KERNEL_LO', IFAPROT_KERNEL_LO],
    ['RTA_UID', Rta.RTA_UID],
    ['RTM_F_CLONED', RTM_F_CLONED],
    ['(long)(unsigned)RTCF_LOCAL', RTCF_LOCAL],
  ];
  const src =
    '#include <stdio.h>\n#include <sys/socket.h>\n#include <linux/netlink.h>\n#include <linux/rtnetlink.h>\n#include <linux/if_link.h>\n#include <linux/if_addr.h>\n#include <linux/neighbour.h>\n#include <linux/if.h>\n#include <linux/fib_rules.h>\n#include <linux/in_route.h>\nint main(void){\n' +
    pairs.map(([e]) => `printf("%ld\\n", (long)(${e}));\n`).join('') +
    'return 0;}\n';
  const got = runC(src, 'tsvisor-netlink-').trim().split('\n').map(Number);
  assert.deepEqual(
    pairs.map(([e], i) => [e, got[i]]),
    pairs.map(([e, v]) => [e, v]),
  );
});

test('IPv6 address and route dumps: ::1 and the local routes byte for byte as Linux 6.18 sends them in a new netns', () => {
  const addr = rtnetlinkReplies(request(RtmType.RTM_GETADDR, NlmFlag.NLM_F_REQUEST | NlmFlag.NLM_F_DUMP, 42, [10, 0, 0, 0, 0, 0, 0, 0]), ADMIN);
  // inet6_dump_addr: NLMSG_DONE shares the skb.
  assert.equal(addr.length, 1);
  const [a, done] = messages(addr[0]);
  assert.equal(done.type, NlmsgType.NLMSG_DONE);
  assert.equal(a.payload.length, 80 - 16);
  assert.equal(hex(a.payload.subarray(0, 28)), '0a8080fe01000000' + '14000100' + '00000000000000000000000000000001');
  assert.equal(hex(a.payload.subarray(28, 40)), '14000600ffffffffffffffff');
  assert.equal(hex(a.payload.subarray(48)), '0800080080000000' + '0500' + '0b00' + '01000000');
  const routes = rtnetlinkReplies(request(RtmType.RTM_GETROUTE, NlmFlag.NLM_F_REQUEST | NlmFlag.NLM_F_DUMP, 42, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), ADMIN);
  assert.equal(routes.length, 2);
  const rs = messages(routes[0]);
  const attrs4 = (dst: string): string => '08000f00ff000000' + `08000100${dst}` + '080007007f000001' + '0800040001000000';
  assert.deepEqual(
    rs.map((m) => [m.type, m.flags, hex(m.payload)]),
    [
      [RtmType.RTM_NEWROUTE, NlmFlag.NLM_F_MULTI, '02080000ff02fe0200000000' + attrs4('7f000000')],
      [RtmType.RTM_NEWROUTE, NlmFlag.NLM_F_MULTI, '02200000ff02fe0200000000' + attrs4('7f000001')],
      [RtmType.RTM_NEWROUTE, NlmFlag.NLM_F_MULTI, '02200000ff02fd0300000000' + attrs4('7fffffff')],
      [
        RtmType.RTM_NEWROUTE,
        NlmFlag.NLM_F_MULTI,
        '0a800000ff02000200000000' + '08000f00ff000000' + '14000100' + '00000000000000000000000000000001' + '0800060000000000' + '0800040001000000' + '24000c00' + '00'.repeat(32) + '0500140000000000',
      ],
    ],
  );
  assert.equal(messages(routes[1])[0].type, NlmsgType.NLMSG_DONE);
});

test('hostile requests: random and truncated messages never throw, and every reply is well formed', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const types = [RtmType.RTM_GETLINK, RtmType.RTM_GETADDR, RtmType.RTM_GETROUTE, RtmType.RTM_GETNEIGH, RtmType.RTM_NEWLINK, 1, 2, 3, 0xffff];
  for (let i = 0; i < 3000; i++) {
    const body = Array.from({ length: rnd(48) }, () => (rnd(4) === 0 ? rnd(256) : rnd(3) === 0 ? 4 + rnd(12) : 0));
    const req = request(types[rnd(types.length)], rnd(0x800), i, body);
    // Sometimes lie about the length, or cut the buffer short.
    if (rnd(5) === 0) new DataView(req.buffer).setUint32(0, rnd(200), true);
    const data = rnd(5) === 0 ? req.subarray(0, rnd(req.length + 1)) : req;
    const q = { ...ADMIN, strictChk: rnd(2) === 0, extAck: rnd(2) === 0, capAck: rnd(2) === 0, netAdmin: rnd(2) === 0 };
    for (const skb of rtnetlinkReplies(data, q)) {
      let off = 0;
      const dv = new DataView(skb.buffer, skb.byteOffset, skb.byteLength);
      while (off < skb.length) {
        const len = dv.getUint32(off, true);
        assert.ok(len >= 16 && off + len <= skb.length, `bad reply length ${len}`);
        assert.equal(dv.getUint32(off + 8, true), i);
        off += (len + 3) & ~3;
      }
      assert.equal(off, skb.length);
    }
  }
});

test('ip route get: the cloned local route as Linux 6.18 answers it, ENETUNREACH off lo', () => {
  const ask = (family: number, dst: number[]): Msg => {
    const body = [family, dst.length * 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4 + dst.length, 0, 1, 0, ...dst];
    return messages(rtnetlinkReplies(request(RtmType.RTM_GETROUTE, NlmFlag.NLM_F_REQUEST, 9, body), { ...ADMIN, uid: 1000 })[0])[0];
  };
  const v4 = ask(2, [127, 0, 0, 5]);
  assert.equal(
    hex(v4.payload),
    '02200000fe00000200020080' + '08000f00fe000000' + '080001007f000005' + '0800040001000000' + '080007007f000001' + '08001900e8030000' + '24000c00' + '02' + '00'.repeat(31),
  );
  const v6 = ask(10, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  const one = '00000000000000000000000000000001';
  assert.equal(
    hex(v6.payload),
    '0a808000ff02000200000000' + '08000f00ff000000' + `14000100${one}` + `14000200${'00'.repeat(16)}` + `14000700${one}` + '0800060000000000' + '0800040001000000' + '24000c00' + '02' + '00'.repeat(31) + '0500140000000000',
  );
  const err = (m: Msg): number => new DataView(m.payload.buffer, m.payload.byteOffset).getInt32(0, true);
  assert.equal(err(ask(2, [8, 8, 8, 8])), -Errno.ENETUNREACH);
  assert.equal(err(ask(10, [0x20, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])), -Errno.ENETUNREACH);
});
