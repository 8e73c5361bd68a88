// /proc/PID/net (and /proc/net, a link to self/net): the sandbox's network
// namespace as procfs shows it. The socket files list the sandbox's own
// sockets, read from src/net's port tables and socket list at read time;
// lo is the only interface (dev, if_inet6), and the main routing table is
// empty (route); the counters (snmp, snmp6, netstat) count no packets.
// Formats are in net_format.ts.
import { Errno } from '../../abi/linux/errno.js';
import { IN6ADDR_LOOPBACK, TcpState } from '../../abi/linux/in.js';
import { IFA_F_PERMANENT, IFA_HOST } from '../../abi/linux/netlink.js';
import { AddressFamily } from '../../abi/linux/socket.js';
import { LO_INDEX, LO_NAME } from '../../net/netdev.js';
import type { InetSocket } from '../../net/inet.js';
import { netlinkSockets } from '../../net/netlink.js';
import { tcpPorts } from '../../net/tcp.js';
import { udpPorts } from '../../net/udp.js';
import { unixSockets } from '../../net/unix.js';
import {
  formatIfInet6, formatNetDev, formatNetlink, formatNetstat, formatRoute, formatSnmp, formatSnmp6, formatTcp4, formatTcp6, formatUdp4, formatUdp6, formatUnix, type ProcInetSock,
  type ProcNetlinkSock, type ProcUnixSock,
} from './net_format.js';
import { GeneratedFile, StaticDir, type Generated, type SynthDir, type SynthFs } from './synthetic.js';


function inetRecord(s: InetSocket, state: number, rxQueue: number): ProcInetSock {
  return { local: s.local, localPort: s.localPort, remote: s.remote, remotePort: s.remotePort, state, txQueue: 0, rxQueue, uid: s.uid, ino: s.ino };
}

/** TCP sockets of a family in the listening or established hashes (bound-only and closed ones are in neither). */
export function tcpRecords(family: number): ProcInetSock[] {
  const out: ProcInetSock[] = [];
  for (const s of tcpPorts.all()) {
    if (s.released || s.family !== family || s.state === TcpState.TCP_CLOSE) continue;
    out.push(inetRecord(s, s.state, s.procRxQueue));
  }
  return out;
}

/** Bound UDP sockets of a family. */
export function udpRecords(family: number): ProcInetSock[] {
  const out: ProcInetSock[] = [];
  for (const s of udpPorts.all()) {
    if (s.released || s.family !== family) continue;
    out.push(inetRecord(s, s.procEstablished ? TcpState.TCP_ESTABLISHED : TcpState.TCP_CLOSE, s.procRxQueue));
  }
  return out;
}

export function unixRecords(): ProcUnixSock[] {
  const out: ProcUnixSock[] = [];
  for (const s of unixSockets()) {
    if (s.released) continue;
    const st = s.procState;
    out.push({ type: s.type, listening: s.listening, established: st.established, embryo: st.embryo, ino: s.ino, addr: s.addr?.bytes ?? null });
  }
  return out;
}

function netlinkRecords(): ProcNetlinkSock[] {
  const out: ProcNetlinkSock[] = [];
  for (const s of netlinkSockets()) {
    if (!s.released) out.push({ protocol: s.protocol, portid: s.portid, groups: s.groupsLow, rmem: s.rmemAlloc, ino: s.ino });
  }
  return out;
}

function currEstab(): number {
  let n = 0;
  for (const s of tcpPorts.all()) {
    if (!s.released && (s.state === TcpState.TCP_ESTABLISHED || s.state === TcpState.TCP_CLOSE_WAIT)) n++;
  }
  return n;
}

/** The files of a net directory, in procfs order (shorter names first). */
const FILES: readonly (readonly [string, () => Generated])[] = [
  ['dev', () => formatNetDev([{ name: LO_NAME, rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 }])],
  ['tcp', () => formatTcp4(tcpRecords(AddressFamily.AF_INET))],
  ['udp', () => formatUdp4(udpRecords(AddressFamily.AF_INET))],
  ['snmp', () => formatSnmp({ currEstab: currEstab() })],
  ['tcp6', () => formatTcp6(tcpRecords(AddressFamily.AF_INET6))],
  ['udp6', () => formatUdp6(udpRecords(AddressFamily.AF_INET6))],
  ['unix', () => formatUnix(unixRecords())],
  ['route', () => formatRoute()],
  ['snmp6', () => formatSnmp6()],
  ['netlink', () => formatNetlink(netlinkRecords())],
  ['netstat', () => formatNetstat()],
  ['if_inet6', () => formatIfInet6([{ addr: IN6ADDR_LOOPBACK, ifindex: LO_INDEX, prefixLen: 128, scope: IFA_HOST, flags: IFA_F_PERMANENT, dev: LO_NAME }])],
];

/** A /proc/PID/net directory (its files are read-only: writes are EIO, as procfs files without ->write). */
export function buildNetDir(fs: SynthFs, parent: SynthDir): StaticDir {
  const dir = new StaticDir(fs, 0o555, parent);
  for (const [name, render] of FILES) dir.add(name, new GeneratedFile(fs, 0o444, render, { writeErrno: Errno.EIO }));
  return dir;
}
