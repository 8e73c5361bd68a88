// The text of /proc/net files, in Linux's formats (net/ipv4/tcp_ipv4.c
// get_tcp4_sock, net/ipv6/tcp_ipv6.c get_tcp6_sock, net/ipv4/udp.c
// udp4_format_sock, net/ipv6/datagram.c __ip6_dgram_sock_seq_show,
// net/unix/af_unix.c unix_seq_show, net/core/net-procfs.c dev_seq_show,
// net/ipv6/addrconf.c if6_seq_show, net/ipv4/fib_trie.c fib_route_seq_show,
// net/ipv4/proc.c snmp_seq_show), from plain records of the sockets.
// Kernel pointers print as %pK does for an unprivileged reader: zeros.
import { TcpState } from '../../abi/linux/in.js';
import { IPEXT_COLUMNS, MPTCPEXT_COLUMNS, SNMP6_NAMES, TCPEXT_COLUMNS } from './net_counters.js';

/** One TCP or UDP socket as /proc/net shows it. Addresses are 16 bytes (IPv4 v4-mapped). */
export interface ProcInetSock {
  local: Uint8Array;
  localPort: number;
  remote: Uint8Array;
  remotePort: number;
  /** sk_state (TCP_* numbers; UDP: 1 connected, 7 not). */
  state: number;
  txQueue: number;
  rxQueue: number;
  uid: number;
  ino: number;
}

/** One unix socket as /proc/net/unix shows it. */
export interface ProcUnixSock {
  type: number;
  listening: boolean;
  established: boolean;
  /** Not yet accepted (no struct socket): SS_CONNECTING when connected. */
  embryo: boolean;
  ino: number;
  /** The bound sockaddr_un (family, then sun_path; its length is the address length), or null. */
  addr: Uint8Array | null;
}

const NULL_PTR = '0000000000000000';
/** TMPSZ - 1: the width tcp4 lines are padded to. */
const TCP4_WIDTH = 149;
const UDP4_WIDTH = 127;
/** The UDP hash table's mask (the sl column is the bucket). */
const UDP_HASH_MASK = 0x3fff;

function hex(n: number, w: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(w, '0');
}

function dec(n: number, w: number): string {
  return String(n).padStart(w, ' ');
}

/** The 32-bit word at b[o..o+3] as a little-endian CPU prints a __be32 / s6_addr32[i] with %08X. */
function word(b: Uint8Array, o: number): string {
  return hex(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24), 8);
}

function addr4(b: Uint8Array): string {
  return word(b, 12);
}

function addr6(b: Uint8Array): string {
  return word(b, 0) + word(b, 4) + word(b, 8) + word(b, 12);
}

function pad(line: string, width: number): string {
  return `${line.padEnd(width, ' ')}\n`;
}

/** The timer, retransmit, uid, timeout and inode columns shared by TCP and UDP lines. */
function middle(s: ProcInetSock): string {
  return `${hex(s.state, 2)} ${hex(s.txQueue, 8)}:${hex(s.rxQueue, 8)} 00:00000000 00000000 ${dec(s.uid, 5)}        0 ${s.ino}`;
}

/** The columns after the inode of a TCP line: refcount, pointer, rto, ato, quick/pingpong, cwnd, ssthresh (or fastopen queue). */
function tcpTail(s: ProcInetSock): string {
  return s.state === TcpState.TCP_LISTEN ? ` 1 ${NULL_PTR} 100 0 0 10 0` : ` 2 ${NULL_PTR} 20 4 30 10 -1`;
}

/** Listening sockets first (the listening hash), then the rest, each by local port. */
function tcpOrder(list: readonly ProcInetSock[]): ProcInetSock[] {
  const rank = (s: ProcInetSock): number => (s.state === TcpState.TCP_LISTEN ? 0 : 1);
  return [...list].sort((a, b) => rank(a) - rank(b) || a.localPort - b.localPort || a.ino - b.ino);
}

export function formatTcp4(list: readonly ProcInetSock[]): string {
  let out = pad('  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode', TCP4_WIDTH);
  tcpOrder(list).forEach((s, i) => {
    out += pad(`${dec(i, 4)}: ${addr4(s.local)}:${hex(s.localPort, 4)} ${addr4(s.remote)}:${hex(s.remotePort, 4)} ${middle(s)}${tcpTail(s)}`, TCP4_WIDTH);
  });
  return out;
}

export function formatTcp6(list: readonly ProcInetSock[]): string {
  let out = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  tcpOrder(list).forEach((s, i) => {
    out += `${dec(i, 4)}: ${addr6(s.local)}:${hex(s.localPort, 4)} ${addr6(s.remote)}:${hex(s.remotePort, 4)} ${middle(s)}${tcpTail(s)}\n`;
  });
  return out;
}

function udpOrder(list: readonly ProcInetSock[]): ProcInetSock[] {
  const bucket = (s: ProcInetSock): number => s.localPort & UDP_HASH_MASK;
  return [...list].sort((a, b) => bucket(a) - bucket(b) || a.ino - b.ino);
}

export function formatUdp4(list: readonly ProcInetSock[]): string {
  let out = pad('   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops', UDP4_WIDTH);
  for (const s of udpOrder(list)) {
    out += pad(`${dec(s.localPort & UDP_HASH_MASK, 5)}: ${addr4(s.local)}:${hex(s.localPort, 4)} ${addr4(s.remote)}:${hex(s.remotePort, 4)} ${middle(s)} 2 ${NULL_PTR} 0`, UDP4_WIDTH);
  }
  return out;
}

export function formatUdp6(list: readonly ProcInetSock[]): string {
  let out = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n';
  for (const s of udpOrder(list)) {
    out += `${dec(s.localPort & UDP_HASH_MASK, 5)}: ${addr6(s.local)}:${hex(s.localPort, 4)} ${addr6(s.remote)}:${hex(s.remotePort, 4)} ${middle(s)} 2 ${NULL_PTR} 0\n`;
  }
  return out;
}

/** __SO_ACCEPTCON, and the SS_* states unix_seq_show prints. */
const SO_ACCEPTCON = 0x10000;
const SS_UNCONNECTED = 1;
const SS_CONNECTING = 2;
const SS_CONNECTED = 3;
const SS_DISCONNECTING = 4;
/** offsetof(struct sockaddr_un, sun_path). */
const SUN_PATH_OFFSET = 2;

function unixPath(a: Uint8Array): string {
  let len = a.length - SUN_PATH_OFFSET;
  let i = 0;
  let out = ' ';
  if (a[SUN_PATH_OFFSET] !== 0) {
    len--;
  } else {
    out += '@';
    i++;
  }
  for (; i < len; i++) {
    const c = a[SUN_PATH_OFFSET + i];
    out += c === 0 ? '@' : String.fromCharCode(c);
  }
  return out;
}

export function formatUnix(list: readonly ProcUnixSock[]): string {
  let out = 'Num       RefCount Protocol Flags    Type St Inode Path\n';
  for (const s of list) {
    const st = s.embryo ? (s.established ? SS_CONNECTING : SS_DISCONNECTING) : s.established ? SS_CONNECTED : SS_UNCONNECTED;
    const refs = s.established ? 3 : 2;
    out += `${NULL_PTR}: ${hex(refs, 8)} 00000000 ${hex(s.listening ? SO_ACCEPTCON : 0, 8)} ${hex(s.type, 4)} ${hex(st, 2)} ${dec(s.ino, 5)}`;
    if (s.addr) out += unixPath(s.addr);
    out += '\n';
  }
  return out;
}

/** One interface's counters for /proc/net/dev (all zero when not counted). */
export interface ProcNetDev {
  name: string;
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

export function formatNetDev(devs: readonly ProcNetDev[]): string {
  let out =
    'Inter-|   Receive                                                |  Transmit\n' +
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
  for (const d of devs) {
    out +=
      `${d.name.padStart(6, ' ')}:${dec(d.rxBytes, 8)} ${dec(d.rxPackets, 7)} ${dec(0, 4)} ${dec(0, 4)} ${dec(0, 4)} ${dec(0, 5)} ${dec(0, 10)} ${dec(0, 9)} ` +
      `${dec(d.txBytes, 8)} ${dec(d.txPackets, 7)} ${dec(0, 4)} ${dec(0, 4)} ${dec(0, 4)} ${dec(0, 5)} ${dec(0, 7)} ${dec(0, 10)}\n`;
  }
  return out;
}

/** One IPv6 address for /proc/net/if_inet6. */
export interface ProcInet6Addr {
  addr: Uint8Array;
  ifindex: number;
  prefixLen: number;
  /** ipv6_addr_scope (IFA_HOST 0x10 for ::1). */
  scope: number;
  flags: number;
  dev: string;
}

export function formatIfInet6(addrs: readonly ProcInet6Addr[]): string {
  let out = '';
  for (const a of addrs) {
    const h = Buffer.from(a.addr).toString('hex');
    const x = (n: number): string => n.toString(16).padStart(2, '0');
    out += `${h} ${x(a.ifindex)} ${x(a.prefixLen)} ${x(a.scope)} ${x(a.flags)} ${a.dev.padStart(8, ' ')}\n`;
  }
  return out;
}

/** /proc/net/route: the main table, which holds nothing when lo is the only interface. */
export function formatRoute(): string {
  return pad('Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT', 127);
}

/** Figures /proc/net/snmp reports beyond zeros. */
export interface ProcSnmp {
  /** TCP connections in ESTABLISHED or CLOSE_WAIT (CurrEstab). */
  currEstab: number;
}

/** /proc/net/snmp (Linux 6.x columns), with no packets counted. */
export function formatSnmp(s: ProcSnmp): string {
  const row = (name: string, cols: string, vals: (number | string)[]): string => {
    const n = cols.split(' ').length;
    const v = [...vals.map(String), ...Array<string>(Math.max(0, n - vals.length)).fill('0')];
    return `${name}: ${cols}\n${name}: ${v.join(' ')}\n`;
  };
  const udpCols = 'InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors';
  return (
    row(
      'Ip',
      'Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits',
      [2, 64],
    ) +
    row(
      'Icmp',
      'InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps',
      [],
    ) +
    row('Tcp', 'RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors', [
      1, 200, 120000, -1, 0, 0, 0, 0, s.currEstab,
    ]) +
    row('Udp', udpCols, []) +
    row('UdpLite', udpCols, [])
  );
}


/** A names line and a values line (all zero), as snmp_seq_show and netstat_seq_show print them. */
function counterRows(name: string, cols: readonly string[]): string {
  return `${name}: ${cols.join(' ')}\n${name}: ${cols.map(() => '0').join(' ')}\n`;
}

/** /proc/net/netstat: TcpExt, IpExt and MPTcpExt, nothing counted. */
export function formatNetstat(): string {
  return counterRows('TcpExt', TCPEXT_COLUMNS) + counterRows('IpExt', IPEXT_COLUMNS) + counterRows('MPTcpExt', MPTCPEXT_COLUMNS);
}

/** /proc/net/snmp6: one "%-32s\t%lu" line per counter. */
export function formatSnmp6(): string {
  let out = '';
  for (const n of SNMP6_NAMES) out += `${n.padEnd(32, ' ')}\t0\n`;
  return out;
}

/** One netlink socket for /proc/net/netlink. */
export interface ProcNetlinkSock {
  protocol: number;
  portid: number;
  groups: number;
  rmem: number;
  ino: number;
}

/** /proc/net/netlink (netlink_seq_show): the kernel's rtnetlink socket, then the bound user sockets. */
export function formatNetlink(list: readonly ProcNetlinkSock[]): string {
  let out = 'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n';
  const left = (v: number | string, w: number): string => String(v).padEnd(w, ' ');
  for (const s of [{ protocol: 0, portid: 0, groups: 0, rmem: 0, ino: 0 }, ...list]) {
    out += `${NULL_PTR} ${left(s.protocol, 3)} ${left(s.portid >>> 0, 10)} ${hex(s.groups, 8).toLowerCase()} ${left(s.rmem, 8)} ${left(0, 8)} ${left(0, 5)} ${left(2, 8)} ${left(0, 8)} ${left(s.ino, 8)}\n`;
  }
  return out;
}
