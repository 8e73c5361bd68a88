// AF_NETLINK sockets (man 7 netlink; net/netlink/af_netlink.c), NETLINK_ROUTE
// only: SOCK_RAW and SOCK_DGRAM, port IDs (bind, autobind to the tgid and
// then to random negative IDs, as netlink_autobind), a datagram receive
// queue bounded by SO_RCVBUF, unicast to the kernel (answered at once by
// netlink_route.ts, the replies queued before sendmsg returns) or to
// another netlink socket, multicast group subscriptions (accepted; the
// sandbox's kernel never sends events), and the SOL_NETLINK options.
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import {
  decodeSockaddrNl, encodeSockaddrNl, NETLINK_MAX_LINKS, NetlinkOpt, NetlinkProto, RTNLGRP_MAX, SOCKADDR_NL_SIZE, SOL_NETLINK,
} from '../abi/linux/netlink.js';
import { Poll } from '../abi/linux/poll.js';
import { AddressFamily, MsgFlag, RCV_SHUTDOWN, RMEM_DEFAULT, SHUTDOWN_MASK, SockType, WMEM_DEFAULT, type Ucred } from '../abi/linux/socket.js';
import type { IoResult } from '../vfs/file.js';
import type { NetCaller } from './caller.js';
import type { RecvMsg, SendMsg } from './message.js';
import { rtnetlinkRcv } from './netlink_route.js';
import { intResult, type OptVal, Socket } from './socket.js';
import { AGAIN, blockOn, intrErrno, type WaitCtl } from './wait.js';

/** What an skb costs its receiver beyond its data (truesize). */
const SKB_OVERHEAD = 576;
/** sk_sndbuf - 32: the largest message sendmsg takes. */
const SNDBUF_SLACK = 32;

interface NlSkb {
  readonly data: Uint8Array;
  /** NETLINK_CB(skb).portid: the sender (0: the kernel). */
  readonly portid: number;
  /** NETLINK_CB(skb).dst_group (a group number, 0 for unicast). */
  readonly group: number;
  readonly creds: Ucred;
  readonly truesize: number;
}

/** The kernel's credentials on its messages (NETLINK_CREDS of a kernel skb). */
const KERNEL_CREDS: Ucred = { pid: 0, uid: 0, gid: 0 };

/** Bound NETLINK_ROUTE sockets by port ID (nl_table[NETLINK_ROUTE].hash). */
const ports = new Map<number, NetlinkSocket>();

/** The bound netlink sockets, read-only (/proc/net/netlink). */
export function netlinkSockets(): Iterable<NetlinkSocket> {
  return ports.values();
}

/** group (1-based) as nl_groups shows it: bit group-1 for the first 32, else 0 (netlink_group_mask). */
function groupMask(group: number): number {
  return group > 0 && group <= 32 ? (1 << (group - 1)) >>> 0 : 0;
}

/** ffs(): the lowest set bit of groups, 1-based, or 0. */
function ffs(groups: number): number {
  if (groups === 0) return 0;
  return 32 - Math.clz32(groups & -groups);
}

export class NetlinkSocket extends Socket {
  portid = 0;
  bound = false;
  /** connect(2)'s destination. */
  private dstPortid = 0;
  private dstGroup = 0;
  private connected = false;
  /** Subscribed multicast groups (bit g-1 for group g); ngroups is 0 until the first subscription. */
  private groups = 0n;
  private ngroups = 0;
  // NETLINK_F_* flags.
  private pktinfo = false;
  private broadcastError = false;
  private noEnobufs = false;
  private listenAllNsid = false;
  private capAck = false;
  private extAck = false;
  private strictChk = false;
  private q: NlSkb[] = [];
  private qHead = 0;
  private rmem = 0;

  constructor(type: number, protocol: number, flags: number, owner: { fsuid: number; fsgid: number }) {
    super(AddressFamily.AF_NETLINK, type, protocol, flags, owner, { sndbuf: WMEM_DEFAULT, rcvbuf: RMEM_DEFAULT });
  }

  get listening(): boolean {
    return false;
  }

  protected override get mayScmRecv(): boolean {
    return true;
  }

  /** Messages waiting (for SIOCINQ-like uses and tests). */
  get queued(): number {
    return this.q.length - this.qHead;
  }

  /** The first 32 groups subscribed (nl_groups). */
  get groupsLow(): number {
    return Number(this.groups & 0xffffffffn);
  }

  /** The bytes the receive queue is charged (sk_rmem_alloc). */
  get rmemAlloc(): number {
    return this.rmem;
  }

  // ---------------------------------------------------------------------------
  // Names

  /** netlink_insert: EADDRINUSE if portid is taken. */
  private insert(portid: number): number {
    if (this.bound) return this.portid === portid ? 0 : -Errno.EBUSY;
    if (ports.has(portid)) return -Errno.EADDRINUSE;
    ports.set(portid, this);
    this.portid = portid;
    this.bound = true;
    return 0;
  }

  /** netlink_autobind: the tgid if free, else a random ID in [INT32_MIN, -4097]. */
  private autobind(c: NetCaller | null): number {
    if (this.bound) return 0;
    let portid = c?.pid ?? 0;
    if (portid === 0 || ports.has(portid)) {
      do {
        portid = -0x80000000 + Math.floor(Math.random() * (0x80000000 - 4096));
      } while (ports.has(portid));
    }
    return this.insert(portid);
  }

  override bind(c: NetCaller, a: Uint8Array): number {
    if (a.length < SOCKADDR_NL_SIZE) return -Errno.EINVAL;
    const nl = decodeSockaddrNl(a);
    if (nl.family !== AddressFamily.AF_NETLINK) return -Errno.EINVAL;
    let groups = nl.groups;
    // NETLINK_ROUTE lets anyone listen (NL_CFG_F_NONROOT_RECV).
    if (groups !== 0) this.ngroups = Math.max(this.ngroups, RTNLGRP_MAX);
    if (this.ngroups < 32) groups = this.ngroups === 0 ? 0 : groups & ((1 << this.ngroups) - 1);
    if (this.bound && nl.pid !== this.portid) return -Errno.EINVAL;
    if (!this.bound) {
      const e = nl.pid !== 0 ? this.insert(nl.pid) : this.autobind(c);
      if (e < 0) return e;
    }
    this.groups = (this.groups & ~0xffffffffn) | BigInt(groups >>> 0);
    return 0;
  }

  override connect(c: NetCaller, a: Uint8Array): IoResult {
    if (a.length < 2) return -Errno.EINVAL;
    const family = a[0] | (a[1] << 8);
    if (family === AddressFamily.AF_UNSPEC) {
      this.connected = false;
      this.dstPortid = 0;
      this.dstGroup = 0;
      return 0;
    }
    if (family !== AddressFamily.AF_NETLINK) return -Errno.EINVAL;
    if (a.length < SOCKADDR_NL_SIZE) return -Errno.EINVAL;
    const nl = decodeSockaddrNl(a);
    // Sending to anyone but the kernel needs CAP_NET_ADMIN (no NL_CFG_F_NONROOT_SEND).
    if ((nl.groups !== 0 || nl.pid !== 0) && !c.capable(Capability.CAP_NET_ADMIN)) return -Errno.EPERM;
    const e = this.autobind(c);
    if (e < 0) return e;
    this.connected = true;
    this.dstPortid = nl.pid;
    this.dstGroup = ffs(nl.groups);
    return 0;
  }

  getName(peer: 0 | 1 | 2): Uint8Array {
    if (peer !== 0) return encodeSockaddrNl(this.dstPortid, groupMask(this.dstGroup));
    return encodeSockaddrNl(this.portid, this.groupsLow);
  }

  // ---------------------------------------------------------------------------
  // Messages

  /** Queues an skb; false when the receive buffer is full. */
  private enqueue(skb: NlSkb): boolean {
    if (this.rmem > this.rcvbuf) return false;
    this.q.push(skb);
    this.rmem += skb.truesize;
    // sk_data_ready: readers, poll and O_ASYNC owners are told.
    this.dataReady();
    return true;
  }

  /** A reply from the kernel; a full queue loses it and reports ENOBUFS (netlink_overrun). */
  private fromKernel(data: Uint8Array): void {
    if (this.enqueue({ data, portid: 0, group: 0, creds: KERNEL_CREDS, truesize: data.length + SKB_OVERHEAD })) return;
    if (!this.noEnobufs) {
      this.soError = Errno.ENOBUFS;
      this.changed();
    }
  }

  sendmsg(c: NetCaller | null, m: SendMsg): IoResult {
    if ((m.flags & MsgFlag.MSG_OOB) !== 0) return -Errno.EOPNOTSUPP;
    // An empty message would make an empty skb: ENODATA (Linux 6.x).
    if (m.len === 0) return -Errno.ENODATA;
    let dstPortid: number;
    let dstGroup: number;
    if (m.addr && m.addr.length > 0) {
      if (m.addr.length < SOCKADDR_NL_SIZE) return -Errno.EINVAL;
      const nl = decodeSockaddrNl(m.addr);
      if (nl.family !== AddressFamily.AF_NETLINK) return -Errno.EINVAL;
      dstPortid = nl.pid;
      dstGroup = ffs(nl.groups);
      if ((dstGroup !== 0 || dstPortid !== 0) && !(c?.capable(Capability.CAP_NET_ADMIN) ?? false)) return -Errno.EPERM;
    } else {
      dstPortid = this.dstPortid;
      dstGroup = this.dstGroup;
    }
    const e = this.autobind(c);
    if (e < 0) return e;
    if (m.len > this.sndbuf - SNDBUF_SLACK) return -Errno.EMSGSIZE;
    const data = new Uint8Array(m.len);
    if (m.cur.copyIn(data, 0, m.len) < m.len) return -Errno.EFAULT;
    const creds: Ucred = m.creds ?? { pid: c?.pid ?? 0, uid: c?.uid ?? 0, gid: c?.gid ?? 0 };
    const skb: NlSkb = { data, portid: this.portid, group: dstGroup, creds, truesize: m.len + SKB_OVERHEAD };
    if (dstGroup !== 0) this.multicast(skb);
    if (dstPortid === 0) {
      const req = { portid: this.portid, strictChk: this.strictChk, extAck: this.extAck, capAck: this.capAck, netAdmin: c?.capable(Capability.CAP_NET_ADMIN) ?? false, uid: c?.uid ?? 0 };
      rtnetlinkRcv(data, req, (skb) => this.fromKernel(skb));
      return m.len;
    }
    return this.unicast(c, skb, dstPortid, m);
  }

  /** netlink_broadcast to the other sockets subscribed to the group. */
  private multicast(skb: NlSkb): void {
    const bit = 1n << BigInt(skb.group - 1);
    for (const s of ports.values()) {
      if (s === this || s.released || (s.groups & bit) === 0n) continue;
      s.enqueue({ ...skb, data: skb.data.slice() });
    }
  }

  /** netlink_unicast to a user socket: ECONNREFUSED without one; a full queue waits (or EAGAIN). */
  private unicast(c: NetCaller | null, skb: NlSkb, dstPortid: number, m: SendMsg): IoResult {
    const timeo = this.sndTimeout((m.flags & MsgFlag.MSG_DONTWAIT) !== 0);
    const attempt = (ctl: WaitCtl): number => {
      const dst = ports.get(dstPortid);
      if (!dst || dst.released) return -Errno.ECONNREFUSED;
      if (dst.connected && dst.dstPortid !== this.portid) return -Errno.ECONNREFUSED;
      if (!dst.enqueue(skb)) {
        ctl.target = dst;
        return AGAIN;
      }
      return skb.data.length;
    };
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => -Errno.EAGAIN,
        onInterrupt: (r) => intrErrno(timeo, r),
      }),
    );
  }

  recvmsg(c: NetCaller | null, m: RecvMsg): IoResult {
    if ((m.flags & MsgFlag.MSG_OOB) !== 0) return -Errno.EOPNOTSUPP;
    const peek = (m.flags & MsgFlag.MSG_PEEK) !== 0;
    const timeo = this.rcvTimeout((m.flags & MsgFlag.MSG_DONTWAIT) !== 0);
    const attempt = (): number => {
      const e = this.takeError();
      if (e < 0) {
        this.changed();
        return e;
      }
      const skb = this.q[this.qHead];
      if (!skb) {
        if ((this.shutdownBits & RCV_SHUTDOWN) !== 0) return 0;
        return AGAIN;
      }
      const size = skb.data.length;
      let copied = size;
      if (m.len < copied) {
        m.msgFlags |= MsgFlag.MSG_TRUNC;
        copied = m.len;
      }
      const ok = m.cur.copyOut(skb.data, 0, copied) === copied;
      if (m.wantName) m.name = encodeSockaddrNl(skb.portid, groupMask(skb.group));
      if (this.passcred) m.creds = skb.creds;
      if (!peek) this.dequeue();
      if (!ok) return -Errno.EFAULT;
      return (m.flags & MsgFlag.MSG_TRUNC) !== 0 ? size : copied;
    };
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => -Errno.EAGAIN,
        onInterrupt: (r) => intrErrno(timeo, r),
      }),
    );
  }

  private dequeue(): void {
    const skb = this.q[this.qHead];
    this.q[this.qHead++] = undefined as unknown as NlSkb;
    if (this.qHead === this.q.length) {
      this.q.length = 0;
      this.qHead = 0;
    } else if (this.qHead >= 64 && this.qHead * 2 >= this.q.length) {
      this.q = this.q.slice(this.qHead);
      this.qHead = 0;
    }
    this.rmem -= skb.truesize;
    this.changed();
  }

  /** datagram_poll. */
  readiness(): number {
    let mask = 0;
    if (this.soError !== 0) mask |= Poll.POLLERR;
    const sd = this.shutdownBits;
    if ((sd & RCV_SHUTDOWN) !== 0) mask |= Poll.POLLRDHUP | Poll.POLLIN | Poll.POLLRDNORM;
    if (sd === SHUTDOWN_MASK) mask |= Poll.POLLHUP;
    if (this.queued > 0) mask |= Poll.POLLIN | Poll.POLLRDNORM;
    mask |= Poll.POLLOUT | Poll.POLLWRNORM | Poll.POLLWRBAND;
    return mask;
  }

  // ---------------------------------------------------------------------------
  // SOL_NETLINK options

  protected override protoSetsockopt(c: NetCaller, level: number, name: number, v: OptVal): number {
    if (level !== SOL_NETLINK) return -Errno.ENOPROTOOPT;
    let val = 0;
    if (v.len >= 4) {
      const b = v.read(4);
      if (typeof b === 'number') return b;
      val = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
    }
    const on = val !== 0;
    switch (name) {
      case NetlinkOpt.NETLINK_PKTINFO:
        this.pktinfo = on;
        return 0;
      case NetlinkOpt.NETLINK_ADD_MEMBERSHIP:
      case NetlinkOpt.NETLINK_DROP_MEMBERSHIP: {
        this.ngroups = Math.max(this.ngroups, RTNLGRP_MAX);
        if (val === 0 || val - 1 >= this.ngroups) return -Errno.EINVAL;
        const bit = 1n << BigInt(val - 1);
        if (name === NetlinkOpt.NETLINK_ADD_MEMBERSHIP) this.groups |= bit;
        else this.groups &= ~bit;
        return 0;
      }
      case NetlinkOpt.NETLINK_BROADCAST_ERROR:
        this.broadcastError = on;
        return 0;
      case NetlinkOpt.NETLINK_NO_ENOBUFS:
        this.noEnobufs = on;
        return 0;
      case NetlinkOpt.NETLINK_LISTEN_ALL_NSID:
        if (!c.capable(Capability.CAP_NET_BROADCAST)) return -Errno.EPERM;
        this.listenAllNsid = on;
        return 0;
      case NetlinkOpt.NETLINK_CAP_ACK:
        this.capAck = on;
        return 0;
      case NetlinkOpt.NETLINK_EXT_ACK:
        this.extAck = on;
        return 0;
      case NetlinkOpt.NETLINK_GET_STRICT_CHK:
        this.strictChk = on;
        return 0;
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  protected override protoGetsockopt(_c: NetCaller, level: number, name: number, len: number): Uint8Array | number {
    if (level !== SOL_NETLINK) return -Errno.ENOPROTOOPT;
    if (len < 0) return -Errno.EINVAL;
    let flag: boolean;
    switch (name) {
      case NetlinkOpt.NETLINK_PKTINFO:
        flag = this.pktinfo;
        break;
      case NetlinkOpt.NETLINK_BROADCAST_ERROR:
        flag = this.broadcastError;
        break;
      case NetlinkOpt.NETLINK_NO_ENOBUFS:
        flag = this.noEnobufs;
        break;
      case NetlinkOpt.NETLINK_LIST_MEMBERSHIPS: {
        // The groups as u32 words, as many as fit (optlen is set to the words needed).
        const words = Math.ceil(this.ngroups / 32);
        const n = Math.min(words, Math.floor(len / 4));
        const b = new Uint8Array(n * 4);
        const dv = new DataView(b.buffer);
        for (let i = 0; i < n; i++) dv.setUint32(i * 4, Number((this.groups >> BigInt(i * 32)) & 0xffffffffn), true);
        return b;
      }
      case NetlinkOpt.NETLINK_LISTEN_ALL_NSID:
        flag = this.listenAllNsid;
        break;
      case NetlinkOpt.NETLINK_CAP_ACK:
        flag = this.capAck;
        break;
      case NetlinkOpt.NETLINK_EXT_ACK:
        flag = this.extAck;
        break;
      case NetlinkOpt.NETLINK_GET_STRICT_CHK:
        flag = this.strictChk;
        break;
      default:
        return -Errno.ENOPROTOOPT;
    }
    if (len < 4) return -Errno.EINVAL;
    return intResult(+flag, 4);
  }

  protected release(): void {
    if (this.bound && ports.get(this.portid) === this) ports.delete(this.portid);
    this.bound = false;
    this.q = [];
    this.qHead = 0;
    this.rmem = 0;
    this.changed();
  }
}

/** netlink_create: SOCK_RAW or SOCK_DGRAM (ESOCKTNOSUPPORT), a protocol below MAX_LINKS that exists (EPROTONOSUPPORT). */
export function createNetlinkSocket(type: number, protocol: number, flags: number, owner: { fsuid: number; fsgid: number }): NetlinkSocket | number {
  if (type !== SockType.SOCK_RAW && type !== SockType.SOCK_DGRAM) return -Errno.ESOCKTNOSUPPORT;
  if (protocol < 0 || protocol >= NETLINK_MAX_LINKS) return -Errno.EPROTONOSUPPORT;
  if (protocol !== NetlinkProto.NETLINK_ROUTE) return -Errno.EPROTONOSUPPORT;
  return new NetlinkSocket(type, protocol, flags, owner);
}
