// Network interfaces (man 7 netdevice): the socket ioctls of
// <linux/sockios.h>, struct ifreq and struct ifconf, and the IFF_* flags of
// <linux/if.h>.

export const enum SockIoctl {
  /** FIONREAD: bytes (or the next datagram's size) waiting to be read. */
  SIOCINQ = 0x541b,
  /** TIOCOUTQ: bytes sent but not yet taken by the peer. */
  SIOCOUTQ = 0x5411,
  FIOSETOWN = 0x8901,
  SIOCSPGRP = 0x8902,
  FIOGETOWN = 0x8903,
  SIOCGPGRP = 0x8904,
  SIOCATMARK = 0x8905,
  SIOCGSTAMP = 0x8906,
  SIOCGSTAMPNS = 0x8907,
  SIOCGIFNAME = 0x8910,
  SIOCGIFCONF = 0x8912,
  SIOCGIFFLAGS = 0x8913,
  SIOCSIFFLAGS = 0x8914,
  SIOCGIFADDR = 0x8915,
  SIOCGIFDSTADDR = 0x8917,
  SIOCGIFBRDADDR = 0x8919,
  SIOCGIFNETMASK = 0x891b,
  SIOCGIFMETRIC = 0x891d,
  SIOCGIFMTU = 0x8921,
  SIOCGIFHWADDR = 0x8927,
  SIOCGIFINDEX = 0x8933,
  SIOCGIFTXQLEN = 0x8942,
  SIOCOUTQNSD = 0x894b,
  SIOCGIFMAP = 0x8970,
}

/** Whether cmd is one of the 0x89xx socket ioctls (is_socket_ioctl_cmd, SIOCPROTOPRIVATE excluded). */
export function isDevIoctl(cmd: number): boolean {
  return cmd >= 0x8900 && cmd <= 0x89ff;
}

/** Interface flags (<linux/if.h>). */
export const enum IfFlag {
  IFF_UP = 0x1,
  IFF_BROADCAST = 0x2,
  IFF_LOOPBACK = 0x8,
  IFF_RUNNING = 0x40,
  IFF_NOARP = 0x80,
  IFF_LOWER_UP = 0x10000,
}

export const IFNAMSIZ = 16;
/** sizeof(struct ifreq): the name and a 24-byte union. */
export const IFREQ_SIZE = 40;
/** Offset of the union (ifr_addr, ifr_flags, ifr_ifindex, ifr_mtu …). */
export const IFREQ_UNION = 16;
/** sizeof(struct ifconf): int ifc_len (padded) and a pointer. */
export const IFCONF_SIZE = 16;
/** ARPHRD_LOOPBACK (<linux/if_arp.h>): lo's hardware type. */
export const ARPHRD_LOOPBACK = 772;
