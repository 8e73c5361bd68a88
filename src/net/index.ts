// The sandbox's sockets (DESIGN.md: src/net): unix domain sockets and
// loopback TCP/UDP, all inside the sentry; no host socket is ever made.
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import { IPPROTO_MAX } from '../abi/linux/in.js';
import { AddressFamily, AF_MAX, SOCK_MAX, SockType } from '../abi/linux/socket.js';
import type { NetCaller } from './caller.js';
import { createNetlinkSocket } from './netlink.js';
import type { Socket } from './socket.js';
import { createTcpSocket } from './tcp.js';
import { createUdpSocket } from './udp.js';
import { createUnixSocket, UnixSocket } from './unix.js';

export { netHooks, type NetCaller, type NetHooks } from './caller.js';
export { dropRights, newRecvMsg, newSendMsg, type RecvMsg, type SendMsg } from './message.js';
export { netdevHooks } from './netdev.js';
export { NetlinkSocket } from './netlink.js';
export { Socket, type AcceptOut, type OptVal } from './socket.js';
export { TcpSocket } from './tcp.js';
export { UdpSocket } from './udp.js';
export { UnixSocket } from './unix.js';

export interface SocketOwner {
  fsuid: number;
  fsgid: number;
  uid: number;
}

/** __sock_create: the family (EAFNOSUPPORT), the type (EINVAL), then the family's create. */
export function createSocket(c: NetCaller, family: number, type: number, protocol: number, flags: number, owner: SocketOwner): Socket | number {
  if (family < 0 || family >= AF_MAX) return -Errno.EAFNOSUPPORT;
  if (type < 0 || type >= SOCK_MAX) return -Errno.EINVAL;
  if (family === AddressFamily.AF_INET && type === SockType.SOCK_PACKET) family = AddressFamily.AF_PACKET;
  switch (family) {
    case AddressFamily.AF_UNIX:
      return createUnixSocket(type, protocol, flags, owner);
    case AddressFamily.AF_INET:
    case AddressFamily.AF_INET6:
      if (protocol < 0 || protocol >= IPPROTO_MAX) return -Errno.EINVAL;
      switch (type) {
        case SockType.SOCK_STREAM:
          return createTcpSocket(family, protocol, flags, owner);
        case SockType.SOCK_DGRAM:
          return createUdpSocket(family, protocol, flags, owner);
        case SockType.SOCK_RAW:
          // Raw sockets need CAP_NET_RAW; the sandbox has no raw IP at all.
          return c.capable(Capability.CAP_NET_RAW) ? -Errno.EPROTONOSUPPORT : -Errno.EPERM;
        default:
          return -Errno.ESOCKTNOSUPPORT;
      }
    case AddressFamily.AF_NETLINK:
      return createNetlinkSocket(type, protocol, flags, owner);
    default:
      return -Errno.EAFNOSUPPORT;
  }
}

/** socketpair(2): AF_UNIX only (EOPNOTSUPP for inet families, as sock_no_socketpair). */
export function createSocketPair(c: NetCaller, family: number, type: number, protocol: number, flags: number, owner: SocketOwner): [Socket, Socket] | number {
  const a = createSocket(c, family, type, protocol, flags, owner);
  if (typeof a === 'number') return a;
  if (!(a instanceof UnixSocket)) {
    a.incRef();
    a.decRef();
    return -Errno.EOPNOTSUPP;
  }
  const b = createUnixSocket(a.type, protocol, flags, owner) as UnixSocket;
  UnixSocket.pair(a, b, c);
  return [a, b];
}
