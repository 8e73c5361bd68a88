// The sandbox's one network interface, lo (index 1, 127.0.0.1/8 and ::1),
// as the netdevice ioctls show it (man 7 netdevice): SIOCGIFCONF lists it,
// SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFMTU, SIOCGIFHWADDR … answer
// for it (ENODEV for any other name), and AF_INET sockets also get its
// addresses (SIOCGIFADDR, SIOCGIFNETMASK …, devinet_ioctl).
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import { ARPHRD_LOOPBACK, IFCONF_SIZE, IFNAMSIZ, IFREQ_SIZE, IFREQ_UNION, IfFlag, isDevIoctl, SockIoctl } from '../abi/linux/if.js';
import { encodeSockaddrIn, v4Mapped, V4_ANY, V4_LOOPBACK } from '../abi/linux/in.js';
import type { GuestMemory } from '../vfs/guest_memory.js';

export const LO_NAME = 'lo';
export const LO_INDEX = 1;
export const LO_MTU = 65536;
export const LO_TXQLEN = 1000;
/** dev_get_flags of lo (IFF_LOWER_UP does not fit ifr_flags, a short). */
export const LO_FLAGS = IfFlag.IFF_UP | IfFlag.IFF_LOOPBACK | IfFlag.IFF_RUNNING | IfFlag.IFF_LOWER_UP;

const ifr = new Uint8Array(IFREQ_SIZE);
const ifrView = new DataView(ifr.buffer);

function writeName(name: string): void {
  ifr.fill(0, 0, IFNAMSIZ);
  for (let i = 0; i < name.length; i++) ifr[i] = name.charCodeAt(i);
}

/** Whether a capability check passes for the caller of an ioctl (set by the syscall layer per call). */
export const netdevHooks = { capable: (_cap: Capability): boolean => false };

/**
 * The 0x89xx socket ioctls about interfaces. family: the socket's (the
 * address requests are AF_INET's). ENOTTY for requests that are not socket
 * ioctls.
 */
export function netdevIoctl(mm: GuestMemory, cmd: number, arg: number, family: number): number {
  if (!isDevIoctl(cmd)) return -Errno.ENOTTY;
  if (cmd === SockIoctl.SIOCGIFCONF) return ifconf(mm, arg);
  const r = mm.readBytes(arg, ifr, 0, IFREQ_SIZE);
  if (r < 0) return r;
  if (cmd === SockIoctl.SIOCGIFNAME) {
    if (ifrView.getInt32(IFREQ_UNION, true) !== LO_INDEX) return -Errno.ENODEV;
    writeName(LO_NAME);
    return mm.writeBytes(arg, ifr, 0, IFREQ_SIZE);
  }
  ifr[IFNAMSIZ - 1] = 0;
  const end = ifr.indexOf(0);
  const name = Buffer.from(ifr.subarray(0, end)).toString('latin1');
  const inet = family === 2;
  switch (cmd) {
    case SockIoctl.SIOCGIFFLAGS:
    case SockIoctl.SIOCGIFINDEX:
    case SockIoctl.SIOCGIFMTU:
    case SockIoctl.SIOCGIFMETRIC:
    case SockIoctl.SIOCGIFTXQLEN:
    case SockIoctl.SIOCGIFHWADDR:
    case SockIoctl.SIOCGIFMAP:
      break;
    case SockIoctl.SIOCGIFADDR:
    case SockIoctl.SIOCGIFNETMASK:
    case SockIoctl.SIOCGIFBRDADDR:
    case SockIoctl.SIOCGIFDSTADDR:
      if (!inet) return -Errno.ENOTTY;
      break;
    case SockIoctl.SIOCSIFFLAGS:
      if (!netdevHooks.capable(Capability.CAP_NET_ADMIN)) return -Errno.EPERM;
      return name === LO_NAME ? -Errno.EOPNOTSUPP : -Errno.ENODEV;
    default:
      return -Errno.ENOTTY;
  }
  if (name !== LO_NAME) return -Errno.ENODEV;
  ifr.fill(0, IFREQ_UNION);
  switch (cmd) {
    case SockIoctl.SIOCGIFFLAGS:
      ifrView.setInt16(IFREQ_UNION, LO_FLAGS & 0xffff, true);
      break;
    case SockIoctl.SIOCGIFINDEX:
      ifrView.setInt32(IFREQ_UNION, LO_INDEX, true);
      break;
    case SockIoctl.SIOCGIFMTU:
      ifrView.setInt32(IFREQ_UNION, LO_MTU, true);
      break;
    case SockIoctl.SIOCGIFTXQLEN:
      ifrView.setInt32(IFREQ_UNION, LO_TXQLEN, true);
      break;
    case SockIoctl.SIOCGIFHWADDR:
      ifrView.setUint16(IFREQ_UNION, ARPHRD_LOOPBACK, true);
      break;
    case SockIoctl.SIOCGIFADDR:
    case SockIoctl.SIOCGIFDSTADDR:
      encodeSockaddrIn(ifr, IFREQ_UNION, V4_LOOPBACK, 0);
      break;
    case SockIoctl.SIOCGIFNETMASK:
      encodeSockaddrIn(ifr, IFREQ_UNION, v4Mapped(255, 0, 0, 0), 0);
      break;
    case SockIoctl.SIOCGIFBRDADDR:
      encodeSockaddrIn(ifr, IFREQ_UNION, V4_ANY, 0);
      break;
    default:
      break;
  }
  return mm.writeBytes(arg, ifr, 0, IFREQ_SIZE);
}

/** dev_ifconf: one struct ifreq per IPv4 address (lo's 127.0.0.1); a null buffer asks for the length. */
function ifconf(mm: GuestMemory, arg: number): number {
  const hdr = new Uint8Array(IFCONF_SIZE);
  const r = mm.readBytes(arg, hdr, 0, IFCONF_SIZE);
  if (r < 0) return r;
  const dv = new DataView(hdr.buffer);
  const len = dv.getInt32(0, true);
  const buf = dv.getUint32(8, true) + dv.getUint32(12, true) * 4294967296;
  let total = 0;
  if (buf === 0) {
    total = IFREQ_SIZE;
  } else if (len >= IFREQ_SIZE) {
    ifr.fill(0);
    writeName(LO_NAME);
    encodeSockaddrIn(ifr, IFREQ_UNION, V4_LOOPBACK, 0);
    const w = mm.writeBytes(buf, ifr, 0, IFREQ_SIZE);
    if (w < 0) return -Errno.EFAULT;
    total = IFREQ_SIZE;
  }
  dv.setInt32(0, total, true);
  return mm.writeBytes(arg, hdr, 0, 4);
}
