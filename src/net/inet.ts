// What TCP and UDP sockets share (net/ipv4/af_inet.c, net/ipv6/af_inet6.c):
// addresses, the loopback-only routing of the sandbox (--network=none: the
// only interface is lo, 127.0.0.0/8 and ::1; everything else is
// ENETUNREACH), the port tables with their bind conflict rules
// (SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY, ephemeral ports 32768-60999),
// and the SOL_IP / SOL_IPV6 options.
//
// Addresses are kept as 16 bytes, IPv4 ones v4-mapped (::ffff:a.b.c.d), so
// an AF_INET6 socket that is not v6-only meets AF_INET ones naturally.
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import {
  encodeSockaddrIn, encodeSockaddrIn6, EPHEMERAL_HIGH, EPHEMERAL_LOW, IN6ADDR_ANY, IN6ADDR_LOOPBACK, IpOpt, Ipv6Opt, ipEqual, isAny6, isLoopback6,
  isV4Mapped, PROT_SOCK, SIN6_LEN_RFC2133, SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE, V4_ANY, V4_LOOPBACK, type Ip6,
} from '../abi/linux/in.js';
import { AddressFamily, SockLevel } from '../abi/linux/socket.js';
import type { NetCaller } from './caller.js';
import { intResult, Socket, type OptVal } from './socket.js';

/** A decoded sockaddr_in / sockaddr_in6. */
export interface InetAddr {
  family: number;
  ip: Ip6;
  port: number;
}

/** Decodes the family, address and port of a sockaddr_in or sockaddr_in6 (lengths checked by the caller). */
export function decodeInet(a: Uint8Array): InetAddr {
  const family = a[0] | (a[1] << 8);
  const port = (a[2] << 8) | a[3];
  let ip: Ip6;
  if (family === AddressFamily.AF_INET6 && a.length >= SIN6_LEN_RFC2133) ip = a.slice(8, 24);
  else ip = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a[4] ?? 0, a[5] ?? 0, a[6] ?? 0, a[7] ?? 0);
  return { family, ip, port };
}

/** 127.0.0.0/8. */
export function isV4Loopback(ip: Ip6): boolean {
  return isV4Mapped(ip) && ip[12] === 127;
}

function isV4Any(ip: Ip6): boolean {
  return ipEqual(ip, V4_ANY);
}

function isV4Multicast(ip: Ip6): boolean {
  return isV4Mapped(ip) && (ip[12] & 0xf0) === 0xe0;
}

function isV4Broadcast(ip: Ip6): boolean {
  return isV4Mapped(ip) && ip[12] === 255 && ip[13] === 255 && ip[14] === 255 && ip[15] === 255;
}

/**
 * The route to a destination, as the sandbox's only interface (lo) gives
 * it: the destination to use (0.0.0.0 and :: mean the local host) and the
 * source address to send from, or -ENETUNREACH.
 */
export function route(dst: Ip6): { dst: Ip6; src: Ip6 } | number {
  if (isV4Mapped(dst)) {
    if (isV4Any(dst)) return { dst: V4_LOOPBACK, src: V4_LOOPBACK };
    if (isV4Loopback(dst)) return { dst, src: V4_LOOPBACK };
    return -Errno.ENETUNREACH;
  }
  if (isAny6(dst) || isLoopback6(dst)) return { dst: IN6ADDR_LOOPBACK, src: IN6ADDR_LOOPBACK };
  return -Errno.ENETUNREACH;
}

/** A port table: one for TCP, one for UDP. */
export class PortTable<S extends InetSocket> {
  private readonly ports = new Map<number, Set<S>>();

  on(port: number): Iterable<S> {
    return this.ports.get(port) ?? [];
  }

  add(port: number, s: S): void {
    let set = this.ports.get(port);
    if (!set) {
      set = new Set();
      this.ports.set(port, set);
    }
    set.add(s);
  }

  remove(port: number, s: S): void {
    const set = this.ports.get(port);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) this.ports.delete(port);
  }

  used(port: number): boolean {
    return this.ports.has(port);
  }

  /** Every socket in the table, by port (read-only: /proc/net/tcp, udp). */
  *all(): Iterable<S> {
    for (const set of this.ports.values()) yield* set;
  }
}

/**
 * The network sysctls the sandbox honours (its one network namespace):
 * net.ipv4.ip_unprivileged_port_start (inet_port_requires_bind_service):
 * binding a port below it needs CAP_NET_BIND_SERVICE. Set at boot from the
 * OCI config's linux.sysctl; /proc/sys shows it.
 */
export const netSysctl = { ipUnprivilegedPortStart: PROT_SOCK };

/** What part of the address space a bound socket answers for: per family, none, any, or one address. */
interface Coverage {
  v4: Ip6 | 'any' | null;
  v6: Ip6 | 'any' | null;
}

function overlaps(a: Ip6 | 'any' | null, b: Ip6 | 'any' | null): boolean {
  if (a === null || b === null) return false;
  if (a === 'any' || b === 'any') return true;
  return ipEqual(a, b);
}

let nextEphemeral = EPHEMERAL_LOW + Math.floor(Math.random() * (EPHEMERAL_HIGH - EPHEMERAL_LOW + 1));

export abstract class InetSocket extends Socket {
  /** The bound (or chosen) local address; wildcard until bound to one. */
  local: Ip6;
  localPort = 0;
  remote: Ip6 = IN6ADDR_ANY;
  remotePort = 0;
  /** IPV6_V6ONLY (AF_INET6 only). */
  v6only = false;
  /** In the port table. */
  hashed = false;
  /** SOCK_BINDPORT_LOCK / SOCK_BINDADDR_LOCK: bound explicitly (kept across a disconnect). */
  portLocked = false;
  addrLocked = false;
  /** SOL_IP and SOL_IPV6 options by name (ints), beyond the defaults. */
  protected readonly ipOpts = new Map<number, number>();
  protected readonly ip6Opts = new Map<number, number>();
  /** The owner's uid (SO_REUSEPORT groups sockets of one user). */
  readonly ownerUid: number;

  constructor(family: number, type: number, protocol: number, flags: number, owner: { fsuid: number; fsgid: number; uid: number }, bufs: { sndbuf: number; rcvbuf: number }) {
    super(family, type, protocol, flags, owner, bufs);
    this.local = (family === AddressFamily.AF_INET ? V4_ANY : IN6ADDR_ANY).slice();
    this.ownerUid = owner.uid;
  }

  protected abstract get table(): PortTable<InetSocket>;

  /** The wildcard address of this socket's family. */
  wildcard(): Ip6 {
    return (this.family === AddressFamily.AF_INET ? V4_ANY : IN6ADDR_ANY).slice();
  }

  get wildcardLocal(): boolean {
    return isV4Any(this.local) || isAny6(this.local);
  }

  // ---------------------------------------------------------------------------
  // Addresses

  /** The sockaddr of (ip, port) in this socket's family. */
  encodeAddr(ip: Ip6, port: number): Uint8Array {
    if (this.family === AddressFamily.AF_INET) {
      const b = new Uint8Array(SOCKADDR_IN_SIZE);
      encodeSockaddrIn(b, 0, ip, port);
      return b;
    }
    const b = new Uint8Array(SOCKADDR_IN6_SIZE);
    encodeSockaddrIn6(b, 0, ip, port);
    return b;
  }

  /** Checks an address given to connect/sendto: EINVAL for a short one, EAFNOSUPPORT for another family. */
  checkDest(a: Uint8Array, unspecOk: boolean): InetAddr | number {
    if (this.family === AddressFamily.AF_INET) {
      if (a.length < SOCKADDR_IN_SIZE) return -Errno.EINVAL;
      const d = decodeInet(a);
      if (d.family !== AddressFamily.AF_INET && !(unspecOk && d.family === AddressFamily.AF_UNSPEC)) return -Errno.EAFNOSUPPORT;
      return d;
    }
    if (a.length < SIN6_LEN_RFC2133) return -Errno.EINVAL;
    const d = decodeInet(a);
    if (d.family !== AddressFamily.AF_INET6) return -Errno.EAFNOSUPPORT;
    return d;
  }

  /** The destination through lo (a v4-mapped one needs a socket that is not v6-only), or -ENETUNREACH. */
  routeTo(dst: Ip6): { dst: Ip6; src: Ip6 } | number {
    if (this.family === AddressFamily.AF_INET6) {
      if (isAny6(dst)) dst = isV4Mapped(this.local) && !isAny6(this.local) ? V4_LOOPBACK : IN6ADDR_LOOPBACK;
      if (isV4Mapped(dst) && this.v6only) return -Errno.ENETUNREACH;
    }
    const r = route(dst);
    if (typeof r === 'number') return r;
    // A socket bound to an address sends from it.
    if (!this.wildcardLocal && isV4Mapped(this.local) === isV4Mapped(r.dst)) return { dst: r.dst, src: this.local };
    return r;
  }

  /** How well this bound socket matches a local destination: 0 no, 1 through a wildcard, 2 exactly. */
  matchLocal(dst: Ip6): number {
    if (isV4Mapped(dst)) {
      if (this.family === AddressFamily.AF_INET) return ipEqual(this.local, dst) ? 2 : isV4Any(this.local) ? 1 : 0;
      if (this.v6only) return 0;
      if (ipEqual(this.local, dst)) return 2;
      return isAny6(this.local) || isV4Any(this.local) ? 1 : 0;
    }
    if (this.family === AddressFamily.AF_INET) return 0;
    if (ipEqual(this.local, dst)) return 2;
    return isAny6(this.local) ? 1 : 0;
  }

  private coverage(): Coverage {
    const l = this.local;
    if (this.family === AddressFamily.AF_INET) return { v4: isV4Any(l) ? 'any' : l, v6: null };
    if (isAny6(l)) return { v4: this.v6only ? null : 'any', v6: 'any' };
    if (isV4Mapped(l)) return { v4: isV4Any(l) ? 'any' : l, v6: null };
    return { v4: null, v6: l };
  }

  /** Whether this socket and s, on the same port, answer for a common address. */
  overlapsWith(s: InetSocket): boolean {
    const a = this.coverage();
    const b = s.coverage();
    return overlaps(a.v4, b.v4) || overlaps(a.v6, b.v6);
  }

  /** Whether this socket may share port with s (both SO_REUSEADDR and s not listening, or both SO_REUSEPORT of one user). */
  protected mayShare(s: InetSocket): boolean {
    if (this.reuseAddr && s.reuseAddr && !s.listening) return true;
    if (this.reusePort && s.reusePort && this.ownerUid === s.ownerUid) return true;
    return false;
  }

  /** inet_csk_bind_conflict / udp_lib_lport_inuse: whether port is taken for this socket. */
  conflicts(port: number): boolean {
    for (const s of this.table.on(port)) {
      if (s === this || s.released) continue;
      if (!this.overlapsWith(s)) continue;
      if (this.mayShare(s)) continue;
      return true;
    }
    return false;
  }

  /** get_port: takes port (0: an ephemeral one) in the table. EADDRINUSE, or EADDRNOTAVAIL when none is free. */
  getPort(port: number): number {
    if (port === 0) {
      const n = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
      for (let i = 0; i < n; i++) {
        const p = nextEphemeral;
        nextEphemeral = p >= EPHEMERAL_HIGH ? EPHEMERAL_LOW : p + 1;
        if (this.table.used(p)) continue;
        return this.hash(p);
      }
      for (let p = EPHEMERAL_LOW; p <= EPHEMERAL_HIGH; p++) if (!this.conflicts(p)) return this.hash(p);
      return -Errno.EADDRNOTAVAIL;
    }
    if (this.conflicts(port)) return -Errno.EADDRINUSE;
    return this.hash(port);
  }

  private hash(port: number): number {
    this.localPort = port;
    this.table.add(port, this);
    this.hashed = true;
    return 0;
  }

  unhash(): void {
    if (!this.hashed) return;
    this.table.remove(this.localPort, this);
    this.hashed = false;
  }

  /** inet_bind / inet6_bind. */
  override bind(c: NetCaller, a: Uint8Array): number {
    let d: InetAddr;
    if (this.family === AddressFamily.AF_INET) {
      if (a.length < SOCKADDR_IN_SIZE) return -Errno.EINVAL;
      d = decodeInet(a);
      if (d.family !== AddressFamily.AF_INET && !(d.family === AddressFamily.AF_UNSPEC && isV4Any(d.ip))) return -Errno.EAFNOSUPPORT;
      if (!this.localV4Ok(d.ip)) return -Errno.EADDRNOTAVAIL;
      if (d.port !== 0 && d.port < netSysctl.ipUnprivilegedPortStart && !c.capable(Capability.CAP_NET_BIND_SERVICE)) return -Errno.EACCES;
      if (!this.bindable) return -Errno.EINVAL;
    } else {
      if (a.length < SIN6_LEN_RFC2133) return -Errno.EINVAL;
      d = decodeInet(a);
      if (d.family !== AddressFamily.AF_INET6) return -Errno.EAFNOSUPPORT;
      if (d.ip[0] === 0xff && this.type === 1) return -Errno.EINVAL;
      if (d.port !== 0 && d.port < netSysctl.ipUnprivilegedPortStart && !c.capable(Capability.CAP_NET_BIND_SERVICE)) return -Errno.EACCES;
      if (!this.bindable) return -Errno.EINVAL;
      if (isV4Mapped(d.ip)) {
        if (this.v6only) return -Errno.EINVAL;
        if (!this.localV4Ok(d.ip)) return -Errno.EADDRNOTAVAIL;
      } else if (!isAny6(d.ip) && !isLoopback6(d.ip) && d.ip[0] !== 0xff && !this.freebind) {
        return -Errno.EADDRNOTAVAIL;
      }
    }
    const old = this.local;
    const oldV6only = this.v6only;
    this.local = d.ip;
    // Binding an AF_INET6 socket to one IPv6 address makes it v6-only.
    if (this.family === AddressFamily.AF_INET6 && !isAny6(d.ip) && !isV4Mapped(d.ip)) this.v6only = true;
    if (d.port !== 0 || !this.bindAddressNoPort) {
      const r = this.getPort(d.port);
      if (r < 0) {
        this.local = old;
        this.v6only = oldV6only;
        return r;
      }
      this.portLocked = d.port !== 0;
    }
    if (!this.wildcardLocal) this.addrLocked = true;
    return 0;
  }

  /** Local IPv4 addresses (inet_addr_valid_or_nonlocal): any, 127/8, broadcast, multicast; others with IP_FREEBIND or IP_TRANSPARENT. */
  private localV4Ok(ip: Ip6): boolean {
    return isV4Any(ip) || isV4Loopback(ip) || isV4Broadcast(ip) || isV4Multicast(ip) || this.freebind;
  }

  private get freebind(): boolean {
    return (this.ipOpts.get(IpOpt.IP_FREEBIND) ?? 0) !== 0 || (this.ipOpts.get(IpOpt.IP_TRANSPARENT) ?? 0) !== 0 || (this.ip6Opts.get(Ipv6Opt.IPV6_FREEBIND) ?? 0) !== 0;
  }

  private get bindAddressNoPort(): boolean {
    return (this.ipOpts.get(IpOpt.IP_BIND_ADDRESS_NO_PORT) ?? 0) !== 0;
  }

  /** Not yet bound nor connected (sk_state TCP_CLOSE and no port). */
  protected abstract get bindable(): boolean;

  /** inet_autobind: an ephemeral port for a socket about to send or connect. */
  autobind(): number {
    if (this.hashed) return 0;
    return this.getPort(0);
  }

  override getName(peer: 0 | 1 | 2): Uint8Array | number {
    if (peer === 0) return this.encodeAddr(this.local, this.localPort);
    if (!this.peerNameOk(peer)) return -Errno.ENOTCONN;
    return this.encodeAddr(this.remote, this.remotePort);
  }

  protected abstract peerNameOk(peer: 1 | 2): boolean;

  // ---------------------------------------------------------------------------
  // SOL_IP and SOL_IPV6 options

  protected override protoSetsockopt(c: NetCaller, level: number, name: number, v: OptVal): number {
    if (level === SockLevel.SOL_IP) return this.setIpOpt(c, name, v);
    if (level === SockLevel.SOL_IPV6) {
      if (this.family !== AddressFamily.AF_INET6) return -Errno.ENOPROTOOPT;
      return this.setIp6Opt(c, name, v);
    }
    return -Errno.ENOPROTOOPT;
  }

  protected override protoGetsockopt(_c: NetCaller, level: number, name: number, len: number): Uint8Array | number {
    if (level === SockLevel.SOL_IP) {
      if (len < 0) return -Errno.EINVAL;
      return this.getIpOpt(name, len);
    }
    if (level === SockLevel.SOL_IPV6) {
      if (this.family !== AddressFamily.AF_INET6) return -Errno.ENOPROTOOPT;
      if (len < 0) return -Errno.EINVAL;
      return this.getIp6Opt(name, len);
    }
    return -Errno.ENOPROTOOPT;
  }

  /** do_ip_setsockopt's reading of an int option: an int, else a byte, else (optlen 0) zero. */
  private ipInt(v: OptVal): number | { err: number } {
    if (v.len >= 4) {
      const b = v.read(4);
      if (typeof b === 'number') return { err: b };
      return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
    }
    if (v.len >= 1) {
      const b = v.read(1);
      if (typeof b === 'number') return { err: b };
      return b[0];
    }
    return 0;
  }

  private setIpOpt(c: NetCaller, name: number, v: OptVal): number {
    switch (name) {
      case IpOpt.IP_OPTIONS: {
        if (v.len > 40) return -Errno.EINVAL;
        return 0;
      }
      case IpOpt.IP_ADD_MEMBERSHIP:
      case IpOpt.IP_DROP_MEMBERSHIP:
        return v.len < 8 ? -Errno.EINVAL : -Errno.ENODEV;
      case IpOpt.IP_MULTICAST_IF:
        return 0;
      case IpOpt.IP_LOCAL_PORT_RANGE:
        if (v.len < 4) return -Errno.EINVAL;
        return 0;
    }
    const val = this.ipInt(v);
    if (typeof val === 'object') return val.err;
    switch (name) {
      case IpOpt.IP_TOS:
        this.ipOpts.set(name, this.type === 1 ? (val & 0xfc) | ((this.ipOpts.get(name) ?? 0) & 3) : val & 0xff);
        return 0;
      case IpOpt.IP_TTL:
        if (v.len < 1) return -Errno.EINVAL;
        if (val !== -1 && (val < 1 || val > 255)) return -Errno.EINVAL;
        this.ipOpts.set(name, val);
        return 0;
      case IpOpt.IP_MULTICAST_TTL:
        if (this.type === 1) return -Errno.EINVAL;
        if (v.len < 1) return -Errno.EINVAL;
        if (val === -1) this.ipOpts.set(name, 1);
        else if (val < 0 || val > 255) return -Errno.EINVAL;
        else this.ipOpts.set(name, val);
        return 0;
      case IpOpt.IP_MTU_DISCOVER:
        if (val < 0 || val > 5) return -Errno.EINVAL;
        this.ipOpts.set(name, val);
        return 0;
      case IpOpt.IP_TRANSPARENT:
        if (!c.capable(Capability.CAP_NET_RAW) && !c.capable(Capability.CAP_NET_ADMIN)) return -Errno.EPERM;
        if (v.len < 1) return -Errno.EINVAL;
        this.ipOpts.set(name, val !== 0 ? 1 : 0);
        return 0;
      case IpOpt.IP_MINTTL:
        if (v.len < 1) return -Errno.EINVAL;
        if (val < 0 || val > 255) return -Errno.EINVAL;
        this.ipOpts.set(name, val);
        return 0;
      case IpOpt.IP_PKTINFO:
      case IpOpt.IP_RECVTTL:
      case IpOpt.IP_RECVOPTS:
      case IpOpt.IP_RECVTOS:
      case IpOpt.IP_RETOPTS:
      case IpOpt.IP_RECVERR:
      case IpOpt.IP_RECVERR_RFC4884:
      case IpOpt.IP_ORIGDSTADDR:
      case IpOpt.IP_FREEBIND:
      case IpOpt.IP_PASSSEC:
      case IpOpt.IP_NODEFRAG:
      case IpOpt.IP_BIND_ADDRESS_NO_PORT:
      case IpOpt.IP_CHECKSUM:
      case IpOpt.IP_RECVFRAGSIZE:
      case IpOpt.IP_MULTICAST_LOOP:
      case IpOpt.IP_MULTICAST_ALL:
        this.ipOpts.set(name, val !== 0 ? 1 : 0);
        return 0;
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  private getIpOpt(name: number, len: number): Uint8Array | number {
    let val: number;
    switch (name) {
      case IpOpt.IP_TTL: {
        const t = this.ipOpts.get(name) ?? -1;
        val = t < 0 ? 64 : t;
        break;
      }
      case IpOpt.IP_MULTICAST_TTL:
      case IpOpt.IP_MULTICAST_LOOP:
      case IpOpt.IP_MULTICAST_ALL:
      case IpOpt.IP_MTU_DISCOVER:
        val = this.ipOpts.get(name) ?? 1;
        break;
      case IpOpt.IP_MTU:
        // lo's mtu, capped at IP_MAX_MTU.
        if (!this.connected) return -Errno.ENOTCONN;
        val = 65535;
        break;
      case IpOpt.IP_OPTIONS:
        return new Uint8Array(0);
      case IpOpt.IP_MULTICAST_IF: {
        return new Uint8Array(Math.min(len, 4));
      }
      case IpOpt.IP_TOS:
      case IpOpt.IP_PKTINFO:
      case IpOpt.IP_RECVTTL:
      case IpOpt.IP_RECVOPTS:
      case IpOpt.IP_RECVTOS:
      case IpOpt.IP_RETOPTS:
      case IpOpt.IP_RECVERR:
      case IpOpt.IP_RECVERR_RFC4884:
      case IpOpt.IP_ORIGDSTADDR:
      case IpOpt.IP_FREEBIND:
      case IpOpt.IP_TRANSPARENT:
      case IpOpt.IP_PASSSEC:
      case IpOpt.IP_NODEFRAG:
      case IpOpt.IP_BIND_ADDRESS_NO_PORT:
      case IpOpt.IP_CHECKSUM:
      case IpOpt.IP_RECVFRAGSIZE:
      case IpOpt.IP_MINTTL:
        val = this.ipOpts.get(name) ?? 0;
        break;
      default:
        return -Errno.ENOPROTOOPT;
    }
    // do_ip_getsockopt: a short buffer gets one byte when the value fits one.
    if (len < 4 && len > 0 && val >= 0 && val <= 255) return Uint8Array.of(val);
    return intResult(val, len);
  }

  private setIp6Opt(c: NetCaller, name: number, v: OptVal): number {
    let val = 0;
    if (v.len >= 4) {
      const b = v.read(4);
      if (typeof b === 'number') return b;
      val = new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
    }
    const needInt = (): boolean => v.len < 4;
    switch (name) {
      case Ipv6Opt.IPV6_V6ONLY:
        if (needInt()) return -Errno.EINVAL;
        if (this.localPort !== 0) return -Errno.EINVAL;
        this.v6only = val !== 0;
        return 0;
      case Ipv6Opt.IPV6_UNICAST_HOPS:
      case Ipv6Opt.IPV6_MULTICAST_HOPS:
        if (needInt()) return -Errno.EINVAL;
        if (name === Ipv6Opt.IPV6_MULTICAST_HOPS && this.type === 1) return -Errno.ENOPROTOOPT;
        if (val > 255 || val < -1) return -Errno.EINVAL;
        this.ip6Opts.set(name, val);
        return 0;
      case Ipv6Opt.IPV6_MULTICAST_LOOP:
        if (needInt()) return -Errno.EINVAL;
        if (val !== 0 && val !== 1) return -Errno.EINVAL;
        this.ip6Opts.set(name, val);
        return 0;
      case Ipv6Opt.IPV6_TCLASS:
        if (needInt()) return -Errno.EINVAL;
        if (val < -1 || val > 0xff) return -Errno.EINVAL;
        this.ip6Opts.set(name, val === -1 ? 0 : val);
        return 0;
      case Ipv6Opt.IPV6_MTU_DISCOVER:
        if (needInt()) return -Errno.EINVAL;
        if (val < 0 || val > 5) return -Errno.EINVAL;
        this.ip6Opts.set(name, val);
        return 0;
      case Ipv6Opt.IPV6_TRANSPARENT:
        if (!c.capable(Capability.CAP_NET_RAW) && !c.capable(Capability.CAP_NET_ADMIN)) return -Errno.EPERM;
        if (needInt()) return -Errno.EINVAL;
        this.ip6Opts.set(name, val !== 0 ? 1 : 0);
        return 0;
      case Ipv6Opt.IPV6_RECVPKTINFO:
      case Ipv6Opt.IPV6_RECVHOPLIMIT:
      case Ipv6Opt.IPV6_RECVTCLASS:
      case Ipv6Opt.IPV6_RECVERR:
      case Ipv6Opt.IPV6_AUTOFLOWLABEL:
      case Ipv6Opt.IPV6_FREEBIND:
      case Ipv6Opt.IPV6_ORIGDSTADDR:
      case Ipv6Opt.IPV6_RECVFRAGSIZE:
      case Ipv6Opt.IPV6_2292PKTINFO:
        if (needInt()) return -Errno.EINVAL;
        this.ip6Opts.set(name, val !== 0 ? 1 : 0);
        return 0;
      case Ipv6Opt.IPV6_ADD_MEMBERSHIP:
      case Ipv6Opt.IPV6_DROP_MEMBERSHIP:
        return v.len < 20 ? -Errno.EINVAL : -Errno.ENODEV;
      case Ipv6Opt.IPV6_MULTICAST_IF:
      case Ipv6Opt.IPV6_UNICAST_IF:
        if (needInt()) return -Errno.EINVAL;
        if (val !== 0 && val !== 1) return -Errno.ENODEV;
        this.ip6Opts.set(name, val);
        return 0;
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  private getIp6Opt(name: number, len: number): Uint8Array | number {
    let val: number;
    switch (name) {
      case Ipv6Opt.IPV6_V6ONLY:
        val = +this.v6only;
        break;
      case Ipv6Opt.IPV6_UNICAST_HOPS: {
        const h = this.ip6Opts.get(name) ?? -1;
        val = h < 0 ? 64 : h;
        break;
      }
      case Ipv6Opt.IPV6_MULTICAST_HOPS: {
        const h = this.ip6Opts.get(name) ?? -1;
        val = h < 0 ? 1 : h;
        break;
      }
      case Ipv6Opt.IPV6_MULTICAST_LOOP:
      case Ipv6Opt.IPV6_AUTOFLOWLABEL:
      case Ipv6Opt.IPV6_MTU_DISCOVER:
        val = this.ip6Opts.get(name) ?? 1;
        break;
      case Ipv6Opt.IPV6_MTU:
        if (!this.connected) return -Errno.ENOTCONN;
        val = 65536;
        break;
      case Ipv6Opt.IPV6_TCLASS:
      case Ipv6Opt.IPV6_TRANSPARENT:
      case Ipv6Opt.IPV6_RECVPKTINFO:
      case Ipv6Opt.IPV6_RECVHOPLIMIT:
      case Ipv6Opt.IPV6_RECVTCLASS:
      case Ipv6Opt.IPV6_RECVERR:
      case Ipv6Opt.IPV6_FREEBIND:
      case Ipv6Opt.IPV6_ORIGDSTADDR:
      case Ipv6Opt.IPV6_RECVFRAGSIZE:
      case Ipv6Opt.IPV6_2292PKTINFO:
      case Ipv6Opt.IPV6_MULTICAST_IF:
      case Ipv6Opt.IPV6_UNICAST_IF:
        val = this.ip6Opts.get(name) ?? 0;
        break;
      default:
        return -Errno.ENOPROTOOPT;
    }
    return intResult(val, len);
  }

  /** Connected (for IP_MTU and getpeername). */
  protected abstract get connected(): boolean;
}

