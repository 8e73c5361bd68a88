// UDP over the sandbox's loopback (net/ipv4/udp.c, net/ipv6/udp.c as seen
// from user space): datagrams with their boundaries, connected sockets that
// only hear their peer, a receive queue bounded by SO_RCVBUF (datagrams past
// it are dropped, as Linux drops them), and port unreachable: a datagram to
// a port nobody has bound is lost, and a connected sender gets
// ECONNREFUSED on its next call (the ICMP error Linux reports).
import { Errno } from '../abi/linux/errno.js';
import { SockIoctl } from '../abi/linux/if.js';
import { IpProto, isV4Mapped, UDP_MAX_PAYLOAD4, UDP_MAX_PAYLOAD6, ipEqual, SOCKADDR_IN_SIZE, SIN6_LEN_RFC2133, type Ip6 } from '../abi/linux/in.js';
import { Poll } from '../abi/linux/poll.js';
import { AddressFamily, MsgFlag, RCV_SHUTDOWN, SHUTDOWN_MASK, SockLevel, SockType, RMEM_DEFAULT, WMEM_DEFAULT } from '../abi/linux/socket.js';
import type { IoResult } from '../vfs/file.js';
import type { GuestMemory } from '../vfs/guest_memory.js';
import type { NetCaller } from './caller.js';
import { decodeInet, InetSocket, PortTable, type InetAddr } from './inet.js';
import type { RecvMsg, SendMsg } from './message.js';
import { ENOIOCTLCMD, intResult, optInt, type OptVal } from './socket.js';
import { AGAIN, blockOn, intrErrno } from './wait.js';

export const udpPorts = new PortTable<UdpSocket>();

/** What one datagram costs its receiver beyond its data. */
const UDP_OVERHEAD = 768;

const enum UdpOpt {
  UDP_CORK = 1,
  UDP_ENCAP = 100,
  UDP_NO_CHECK6_TX = 101,
  UDP_NO_CHECK6_RX = 102,
  UDP_SEGMENT = 103,
  UDP_GRO = 104,
}

interface Dgram {
  data: Uint8Array;
  src: Ip6;
  srcPort: number;
  truesize: number;
}

export class UdpSocket extends InetSocket {
  private established = false;
  private q: Dgram[] = [];
  private qHead = 0;
  private rmem = 0;
  private readonly udpOpts = new Map<number, number>();

  constructor(family: number, protocol: number, flags: number, owner: { fsuid: number; fsgid: number; uid: number }) {
    super(family, SockType.SOCK_DGRAM, protocol, flags, owner, { sndbuf: WMEM_DEFAULT, rcvbuf: RMEM_DEFAULT });
  }

  protected get table(): PortTable<InetSocket> {
    return udpPorts as PortTable<InetSocket>;
  }

  get listening(): boolean {
    return false;
  }

  /** /proc/net/udp's rx_queue: what the queued datagrams are charged (sk_rmem_alloc; read-only). */
  get procRxQueue(): number {
    return this.rmem;
  }

  /** Connected (sk_state TCP_ESTABLISHED; read-only). */
  get procEstablished(): boolean {
    return this.established;
  }

  protected get bindable(): boolean {
    return !this.established && this.localPort === 0;
  }

  protected get connected(): boolean {
    return this.established;
  }

  protected override get hasPeekOff(): boolean {
    return true;
  }

  protected peerNameOk(): boolean {
    return this.established && this.remotePort !== 0;
  }

  private get queued(): number {
    return this.q.length - this.qHead;
  }

  override connect(_c: NetCaller, a: Uint8Array): IoResult {
    if (a.length < 2) return -Errno.EINVAL;
    const family = a[0] | (a[1] << 8);
    if (family === AddressFamily.AF_UNSPEC) {
      this.disconnect();
      return 0;
    }
    if (this.autobind() < 0) return -Errno.EAGAIN;
    let d: InetAddr;
    if (this.family === AddressFamily.AF_INET6 && family === AddressFamily.AF_INET) {
      if (this.v6only) return -Errno.EINVAL;
      if (a.length < SOCKADDR_IN_SIZE) return -Errno.EINVAL;
      d = decodeInet(a);
    } else {
      const r = this.checkDest(a, false);
      if (typeof r === 'number') return r;
      d = r;
    }
    const rt = this.routeTo(d.ip);
    if (typeof rt === 'number') return rt;
    if (this.wildcardLocal) this.local = rt.src;
    this.remote = rt.dst;
    this.remotePort = d.port;
    this.established = true;
    this.changed();
    return 0;
  }

  /** udp_disconnect: forget the peer; an implicit local address and port go too. */
  private disconnect(): void {
    this.established = false;
    this.remote = this.wildcard();
    this.remotePort = 0;
    if (!this.addrLocked) this.local = this.wildcard();
    if (!this.portLocked) {
      this.unhash();
      this.localPort = 0;
    }
    this.changed();
  }

  override shutdown(_c: NetCaller, how: number): number {
    if (how < 0 || how > 2) return -Errno.EINVAL;
    this.shutdownBits |= how + 1;
    this.changed();
    return this.established ? 0 : -Errno.ENOTCONN;
  }

  /** The destination of a sendmsg: from msg_name (checked as udp_sendmsg / udpv6_sendmsg do), or the peer. */
  private destination(addr: Uint8Array | null): InetAddr | null | number {
    if (!addr || addr.length === 0) return null;
    if (this.family === AddressFamily.AF_INET) {
      if (addr.length < SOCKADDR_IN_SIZE) return -Errno.EINVAL;
      const d = decodeInet(addr);
      if (d.family !== AddressFamily.AF_INET && d.family !== AddressFamily.AF_UNSPEC) return -Errno.EAFNOSUPPORT;
      if (d.port === 0) return -Errno.EINVAL;
      return d;
    }
    if (addr.length < 2) return -Errno.EINVAL;
    const family = addr[0] | (addr[1] << 8);
    switch (family) {
      case AddressFamily.AF_INET6: {
        if (addr.length < SIN6_LEN_RFC2133) return -Errno.EINVAL;
        const d = decodeInet(addr);
        if (d.port === 0) return -Errno.EINVAL;
        return d;
      }
      case AddressFamily.AF_INET: {
        if (this.v6only) return -Errno.ENETUNREACH;
        if (addr.length < SOCKADDR_IN_SIZE) return -Errno.EINVAL;
        const d = decodeInet(addr);
        if (d.port === 0) return -Errno.EINVAL;
        return d;
      }
      case AddressFamily.AF_UNSPEC:
        return null;
      default:
        return -Errno.EINVAL;
    }
  }

  sendmsg(_c: NetCaller | null, m: SendMsg): IoResult {
    // inet_send_prepare: an unbound socket gets its port first.
    if (this.autobind() < 0) return -Errno.EAGAIN;
    if (m.len > 0xffff) return -Errno.EMSGSIZE;
    if ((m.flags & MsgFlag.MSG_OOB) !== 0) return -Errno.EOPNOTSUPP;
    const d = this.destination(m.addr);
    if (typeof d === 'number') return d;
    let dst: Ip6;
    let dport: number;
    if (d) {
      dst = d.ip;
      dport = d.port;
    } else {
      if (!this.established) return -Errno.EDESTADDRREQ;
      dst = this.remote;
      dport = this.remotePort;
    }
    const rt = this.routeTo(dst);
    if (typeof rt === 'number') return rt;
    const max = isV4Mapped(rt.dst) ? UDP_MAX_PAYLOAD4 : UDP_MAX_PAYLOAD6;
    if (m.len > max) return -Errno.EMSGSIZE;
    const e = this.takeError();
    if (e < 0) return e;
    const data = new Uint8Array(m.len);
    if (m.cur.copyIn(data, 0, m.len) < m.len) return -Errno.EFAULT;
    const src = this.wildcardLocal ? rt.src : this.local;
    const to = UdpSocket.lookup(rt.dst, dport, src, this.localPort);
    if (!to) {
      // ICMP port unreachable: reported to a connected socket.
      if (this.established) {
        this.soError = Errno.ECONNREFUSED;
        this.changed();
      }
      return m.len;
    }
    to.deliver({ data, src, srcPort: this.localPort, truesize: m.len + UDP_OVERHEAD });
    return m.len;
  }

  /** The socket a datagram for (dst, port) from (src, sport) goes to: the best match, connected sockets only hearing their peer. */
  private static lookup(dst: Ip6, port: number, src: Ip6, sport: number): UdpSocket | null {
    let best: UdpSocket | null = null;
    let bestScore = 0;
    for (const s of udpPorts.on(port)) {
      if (s.released || !(s instanceof UdpSocket)) continue;
      let score = s.matchLocal(dst);
      if (score === 0) continue;
      if (s.established) {
        if (s.remotePort !== sport || !ipEqual(s.remote, src)) continue;
        score += 4;
      }
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    return best;
  }

  /** __udp_enqueue_schedule_skb: queued unless the receive buffer is already full. */
  private deliver(d: Dgram): void {
    if (this.rmem > this.rcvbuf) return;
    this.q.push(d);
    this.rmem += d.truesize;
    this.dataReady();
  }

  recvmsg(c: NetCaller | null, m: RecvMsg): IoResult {
    if ((m.flags & MsgFlag.MSG_ERRQUEUE) !== 0) return -Errno.EAGAIN;
    const peek = (m.flags & MsgFlag.MSG_PEEK) !== 0;
    const timeo = this.rcvTimeout((m.flags & MsgFlag.MSG_DONTWAIT) !== 0);
    const attempt = (): number => {
      const e = this.takeError();
      if (e < 0) {
        this.changed();
        return e;
      }
      const d = this.q[this.qHead];
      if (!d) {
        if ((this.shutdownBits & RCV_SHUTDOWN) !== 0 && timeo !== 0) return 0;
        return AGAIN;
      }
      const skip = peek && this.peekOff >= 0 ? Math.min(this.peekOff, d.data.length) : 0;
      const ulen = d.data.length - skip;
      let copied = m.len;
      if (copied > ulen) copied = ulen;
      else if (copied < ulen) m.msgFlags |= MsgFlag.MSG_TRUNC;
      if (m.cur.copyOut(d.data, skip, copied) < copied) return -Errno.EFAULT;
      if (m.wantName) m.name = this.encodeAddr(d.src, d.srcPort);
      if (!peek) {
        this.q[this.qHead++] = undefined as unknown as Dgram;
        if (this.qHead === this.q.length) {
          this.q.length = 0;
          this.qHead = 0;
        } else if (this.qHead >= 64 && this.qHead * 2 >= this.q.length) {
          this.q = this.q.slice(this.qHead);
          this.qHead = 0;
        }
        this.rmem -= d.truesize;
        if (this.peekOff >= 0) this.peekOff = Math.max(0, this.peekOff - d.data.length);
        this.changed();
      } else if (this.peekOff >= 0) {
        this.peekOff += copied;
      }
      return (m.flags & MsgFlag.MSG_TRUNC) !== 0 ? ulen : copied;
    };
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => -Errno.EAGAIN,
        onInterrupt: (r) => intrErrno(timeo, r),
      }),
    );
  }

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

  protected override protoIoctl(mm: GuestMemory, cmd: number, arg: number): number {
    let v: number;
    switch (cmd) {
      case SockIoctl.SIOCINQ:
        v = this.queued > 0 ? this.q[this.qHead].data.length : 0;
        break;
      case SockIoctl.SIOCOUTQ:
        v = 0;
        break;
      default:
        return ENOIOCTLCMD;
    }
    return mm.writeBytes(arg, intResult(v, 4), 0, 4);
  }

  protected override protoSetsockopt(c: NetCaller, level: number, name: number, v: OptVal): number {
    if (level !== SockLevel.SOL_UDP) return super.protoSetsockopt(c, level, name, v);
    const iv = optInt(v);
    if (typeof iv === 'number') return iv;
    const val = iv.val;
    switch (name) {
      case UdpOpt.UDP_CORK:
      case UdpOpt.UDP_NO_CHECK6_TX:
      case UdpOpt.UDP_NO_CHECK6_RX:
      case UdpOpt.UDP_GRO:
        this.udpOpts.set(name, val !== 0 ? 1 : 0);
        return 0;
      case UdpOpt.UDP_ENCAP:
        this.udpOpts.set(name, val);
        return 0;
      case UdpOpt.UDP_SEGMENT:
        if (val < 0 || val > 0xffff) return -Errno.EINVAL;
        this.udpOpts.set(name, val);
        return 0;
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  protected override protoGetsockopt(c: NetCaller, level: number, name: number, len: number): Uint8Array | number {
    if (level !== SockLevel.SOL_UDP) return super.protoGetsockopt(c, level, name, len);
    if (len < 0) return -Errno.EINVAL;
    switch (name) {
      case UdpOpt.UDP_CORK:
      case UdpOpt.UDP_ENCAP:
      case UdpOpt.UDP_NO_CHECK6_TX:
      case UdpOpt.UDP_NO_CHECK6_RX:
      case UdpOpt.UDP_SEGMENT:
      case UdpOpt.UDP_GRO:
        return intResult(this.udpOpts.get(name) ?? 0, len);
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  protected release(): void {
    this.unhash();
    this.q = [];
    this.qHead = 0;
    this.rmem = 0;
    this.changed();
  }
}

/** inet_create for SOCK_DGRAM: IPPROTO_UDP (or 0); ping sockets (IPPROTO_ICMP) are not allowed to anyone (ping_group_range). */
export function createUdpSocket(family: number, protocol: number, flags: number, owner: { fsuid: number; fsgid: number; uid: number }): UdpSocket | number {
  if (protocol === IpProto.IPPROTO_ICMP || protocol === IpProto.IPPROTO_ICMPV6) return -Errno.EACCES;
  if (protocol !== 0 && protocol !== IpProto.IPPROTO_UDP) return -Errno.EPROTONOSUPPORT;
  return new UdpSocket(family, IpProto.IPPROTO_UDP, flags, owner);
}
