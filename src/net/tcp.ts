// TCP over the sandbox's loopback (net/ipv4/tcp*.c as seen from user
// space), without a wire: a connection is two TcpSockets pointing at each
// other, and sending appends to the peer's receive queue.
//
// - connect finds the listener at once. With room in its accept queue (at
//   most backlog + 1 connections), the connection is made then: a blocking
//   connect returns 0, a non-blocking one EINPROGRESS (as on Linux, where
//   the handshake completes after the call) and poll then shows POLLOUT.
//   With no listener the connection is refused (ECONNREFUSED, or
//   EINPROGRESS and SO_ERROR for a non-blocking connect). With a full queue
//   the connect waits (SYN_SENT) until an accept makes room, as a SYN that
//   is retransmitted would.
// - A queue holds at most the receiver's SO_RCVBUF plus the sender's
//   SO_SNDBUF; a writer waits beyond that (EAGAIN when non-blocking).
// - close sends FIN (the peer reads EOF after the data), or RST when unread
//   data is left or SO_LINGER is on with a zero timeout (the peer gets
//   ECONNRESET, or EPIPE if it had seen our FIN). Data sent to a closed
//   socket is answered with RST: the first write succeeds, the next is EPIPE.
// - A closing listener resets the connections it had not accepted.
// - There is no TIME_WAIT: a port is free again when its sockets close.
// - Urgent data (MSG_OOB, tcp(7) "Sockets API"): the last byte of a send
//   with MSG_OOB is urgent. The receiver's owner gets SIGURG; the byte is
//   taken out of the stream (read with recv(MSG_OOB)) unless SO_OOBINLINE;
//   reads stop at the mark (SIOCATMARK); poll shows POLLPRI until it is read.
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import { PollCode } from '../abi/linux/signal.js';
import { SockIoctl } from '../abi/linux/if.js';
import { IpProto, isV4Mapped, MAX_TCP_KEEPCNT, MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_SYNCNT, TCP_INFO_SIZE, TcpOpt, TcpState } from '../abi/linux/in.js';
import { Poll } from '../abi/linux/poll.js';
import { AddressFamily, MsgFlag, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, SOCK_MIN_RCVBUF, SockLevel, SockType } from '../abi/linux/socket.js';
import type { IoCursor } from '../fs/pipe/iov.js';
import type { IoResult } from '../vfs/file.js';
import type { GuestMemory } from '../vfs/guest_memory.js';
import type { NetCaller } from './caller.js';
import { InetSocket, PortTable } from './inet.js';
import type { RecvMsg, SendMsg } from './message.js';
import { ownerLookup } from '../vfs/fown.js';
import { ENOIOCTLCMD, intResult, optInt, type AcceptOut, type OptVal } from './socket.js';
import { AGAIN, blockOn, intrErrno } from './wait.js';

/** net.ipv4.tcp_wmem[1] and tcp_rmem[1]: the default SO_SNDBUF and SO_RCVBUF. */
export const TCP_WMEM_DEFAULT = 16384;
export const TCP_RMEM_DEFAULT = 131072;
/** TCP_MSS_DEFAULT, and the MSS Linux 6.x reports for a connection over lo. */
const TCP_MSS_DEFAULT = 536;
const LO_MSS4 = 32768;
const LO_MSS6 = 32768;
const TCP_MIN_MSS = 88;
const MAX_TCP_WINDOW = 32767;
/** TCP_FIN_TIMEOUT_MAX / HZ and net.ipv4.tcp_fin_timeout. */
const FIN_TIMEOUT_MAX = 120;
const FIN_TIMEOUT = 60;
/** The largest chunk one append takes (keeps queue entries bounded). */
const MAX_CHUNK = 65536;
/** tp->urg_data: the urgent byte is here (its value in the low 8 bits), or was read with MSG_OOB. */
const TCP_URG_VALID = 0x0100;
const TCP_URG_READ = 0x0400;

export const tcpPorts = new PortTable<TcpSocket>();
/** Rotates connections among SO_REUSEPORT listeners. */
let reuseportTurn = 0;

/** struct socket's state (SS_*): what connect(2) remembers between calls. */
const enum SS {
  UNCONNECTED,
  CONNECTING,
  CONNECTED,
}

/** A queue of bytes in chunks. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  /** Bytes of chunks[head] already taken. */
  private off = 0;
  bytes = 0;

  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.bytes += b.length;
  }

  /** Copies n bytes starting skip bytes in to cur; returns the bytes copied (short: a fault). */
  copyTo(cur: IoCursor, skip: number, n: number): number {
    let done = 0;
    let i = this.head;
    let o = this.off + skip;
    while (i < this.chunks.length && o >= this.chunks[i].length) {
      o -= this.chunks[i].length;
      i++;
    }
    while (done < n && i < this.chunks.length) {
      const c = this.chunks[i];
      const k = Math.min(c.length - o, n - done);
      const got = cur.copyOut(c, o, k);
      done += got;
      if (got < k) break;
      i++;
      o = 0;
    }
    return done;
  }

  discard(n: number): void {
    this.bytes -= n;
    while (n > 0) {
      const c = this.chunks[this.head];
      const left = c.length - this.off;
      if (n < left) {
        this.off += n;
        return;
      }
      n -= left;
      this.chunks[this.head++] = undefined as unknown as Uint8Array;
      this.off = 0;
    }
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.off = 0;
    this.bytes = 0;
  }
}

function secsToRetrans(seconds: number, timeout: number, rtoMax: number): number {
  let res = 0;
  if (seconds > 0) {
    let period = timeout;
    res = 1;
    while (seconds > period && res < 255) {
      res++;
      timeout <<= 1;
      if (timeout > rtoMax) timeout = rtoMax;
      period += timeout;
    }
  }
  return res;
}

function retransToSecs(retrans: number, timeout: number, rtoMax: number): number {
  let period = 0;
  if (retrans > 0) {
    period = timeout;
    while (--retrans > 0) {
      timeout <<= 1;
      if (timeout > rtoMax) timeout = rtoMax;
      period += timeout;
    }
  }
  return period;
}

export class TcpSocket extends InetSocket {
  state = TcpState.TCP_CLOSE;
  private ss = SS.UNCONNECTED;
  peer: TcpSocket | null = null;
  private readonly rcv = new ByteQueue();
  /** Bytes taken from rcv so far (read, or skipped urgent bytes): tp->copied_seq, from 0. */
  private copiedSeq = 0;
  /** tp->urg_data (0: none, TCP_URG_VALID | byte, TCP_URG_READ) and tp->urg_seq (in copiedSeq's terms). */
  private urgData = 0;
  private urgSeq = 0;
  /** A FIN was received (SOCK_DONE). */
  private done = false;
  private acceptq: TcpSocket[] = [];
  /** Connects waiting for room in the accept queue. */
  private synq: TcpSocket[] = [];
  private maxBacklog = 0;
  /** The listener whose queue this socket waits in (SYN_SENT) or sits in (an unaccepted connection). */
  private listener: TcpSocket | null = null;
  // SOL_TCP options.
  nodelay = false;
  cork = false;
  keepidle = 7200;
  keepintvl = 75;
  keepcnt = 9;
  private syncnt = 0;
  private linger2 = 0;
  private deferAccept = 0;
  private windowClamp = 0;
  private quickack = 1;
  private userTimeout = 0;
  private userMss = 0;
  private notsentLowat = 0;
  private readonly tcpOpts = new Map<number, number>();
  private congestion = 'cubic';
  // Counters for TCP_INFO.
  private bytesSent = 0;
  private bytesReceived = 0;

  constructor(family: number, protocol: number, flags: number, owner: { fsuid: number; fsgid: number; uid: number }) {
    super(family, SockType.SOCK_STREAM, protocol, flags, owner, { sndbuf: TCP_WMEM_DEFAULT, rcvbuf: TCP_RMEM_DEFAULT });
  }

  protected get table(): PortTable<InetSocket> {
    return tcpPorts as PortTable<InetSocket>;
  }

  get listening(): boolean {
    return this.state === TcpState.TCP_LISTEN;
  }

  /** /proc/net/tcp's rx_queue: the accept queue of a listener, else the unread bytes (read-only). */
  get procRxQueue(): number {
    return this.state === TcpState.TCP_LISTEN ? this.acceptq.length : this.rcv.bytes;
  }

  protected get bindable(): boolean {
    return this.state === TcpState.TCP_CLOSE && this.localPort === 0;
  }

  protected get connected(): boolean {
    return this.state === TcpState.TCP_ESTABLISHED || this.state === TcpState.TCP_CLOSE_WAIT;
  }

  protected override get hasPeekOff(): boolean {
    return true;
  }

  protected peerNameOk(peer: 1 | 2): boolean {
    if (this.remotePort === 0) return false;
    return !(peer === 1 && (this.state === TcpState.TCP_CLOSE || this.state === TcpState.TCP_SYN_SENT));
  }

  // ---------------------------------------------------------------------------
  // Connecting

  override connect(c: NetCaller, a: Uint8Array, nonblock: boolean): IoResult {
    if (a.length < 2) return -Errno.EINVAL;
    if ((a[0] | (a[1] << 8)) === AddressFamily.AF_UNSPEC) {
      this.disconnect();
      this.ss = SS.UNCONNECTED;
      return 0;
    }
    let err: number;
    switch (this.ss) {
      case SS.CONNECTED:
        return -Errno.EISCONN;
      case SS.CONNECTING:
        err = -Errno.EALREADY;
        break;
      default: {
        if (this.state !== TcpState.TCP_CLOSE) return -Errno.EISCONN;
        const r = this.startConnect(a);
        if (r < 0) return r;
        this.ss = SS.CONNECTING;
        err = -Errno.EINPROGRESS;
      }
    }
    const timeo = this.sndTimeout(nonblock);
    const finish = (): number => {
      if (this.state === TcpState.TCP_CLOSE) {
        const e = this.takeError();
        this.ss = SS.UNCONNECTED;
        this.changed();
        return e < 0 ? e : -Errno.ECONNABORTED;
      }
      this.ss = SS.CONNECTED;
      return 0;
    };
    if (this.state === TcpState.TCP_SYN_SENT) {
      if (timeo === 0) return err;
      return this.hold(
        blockOn(c, this, () => (this.state === TcpState.TCP_SYN_SENT ? AGAIN : finish()), {
          timeoutMs: timeo,
          onTimeout: () => err,
          onInterrupt: (r) => intrErrno(timeo, r),
        }),
      );
    }
    // The handshake is over already; a non-blocking call still reports it in progress.
    if (timeo === 0 && err === -Errno.EINPROGRESS) return err;
    return finish();
  }

  /** tcp_v4_connect / tcp_v6_connect and tcp_connect: route, source address and port, then the handshake. */
  private startConnect(a: Uint8Array): number {
    const d = this.checkDest(a, false);
    if (typeof d === 'number') return d;
    if (this.family === AddressFamily.AF_INET6 && d.ip[0] === 0xff) return -Errno.ENETUNREACH;
    const rt = this.routeTo(d.ip);
    if (typeof rt === 'number') return rt;
    const oldLocal = this.local;
    if (this.wildcardLocal) this.local = rt.src;
    if (!this.hashed) {
      const r = this.getPort(0);
      if (r < 0) {
        this.local = oldLocal;
        return r;
      }
    }
    this.remote = rt.dst;
    this.remotePort = d.port;
    this.state = TcpState.TCP_SYN_SENT;
    const l = this.findListener();
    if (!l) {
      this.reset();
    } else if (l.acceptq.length > l.maxBacklog) {
      l.synq.push(this);
      this.listener = l;
    } else {
      this.establish(l);
    }
    return 0;
  }

  /**
   * The listener for the destination: an exact address beats a wildcard;
   * listeners sharing a port with SO_REUSEPORT take connections in turn.
   */
  private findListener(): TcpSocket | null {
    let best: TcpSocket[] = [];
    let score = 0;
    for (const s of tcpPorts.on(this.remotePort)) {
      if (s.state !== TcpState.TCP_LISTEN || s.released) continue;
      const m = s.matchLocal(this.remote);
      if (m > score) {
        best = [s];
        score = m;
      } else if (m === score && m > 0 && s.reusePort) {
        best.push(s);
      }
    }
    if (best.length === 0) return null;
    return best[reuseportTurn++ % best.length];
  }

  /** The connection is made: the server side joins the listener's accept queue. */
  private establish(l: TcpSocket): void {
    const child = new TcpSocket(l.family, l.protocol, 0, { fsuid: l.uid, fsgid: l.gid, uid: l.ownerUid });
    child.inherit(l);
    child.local = this.remote;
    child.remote = this.local;
    child.remotePort = this.localPort;
    child.localPort = l.localPort;
    tcpPorts.add(child.localPort, child);
    child.hashed = true;
    child.portLocked = true;
    child.state = TcpState.TCP_ESTABLISHED;
    child.ss = SS.CONNECTED;
    child.peer = this;
    child.listener = l;
    this.peer = child;
    this.listener = null;
    this.state = TcpState.TCP_ESTABLISHED;
    l.acceptq.push(child);
    l.dataReady();
    this.changed();
  }

  /** sk_clone: what an accepted socket takes from its listener. */
  private inherit(l: TcpSocket): void {
    this.reuseAddr = l.reuseAddr;
    this.reusePort = l.reusePort;
    this.keepalive = l.keepalive;
    this.sndbuf = l.sndbuf;
    this.rcvbuf = l.rcvbuf;
    this.rcvtimeo = l.rcvtimeo;
    this.sndtimeo = l.sndtimeo;
    this.lingerOn = l.lingerOn;
    this.lingerJiffies = l.lingerJiffies;
    this.priority = l.priority;
    this.mark = l.mark;
    this.oobinline = l.oobinline;
    this.rcvlowat = l.rcvlowat;
    this.nodelay = l.nodelay;
    this.keepidle = l.keepidle;
    this.keepintvl = l.keepintvl;
    this.keepcnt = l.keepcnt;
    this.userTimeout = l.userTimeout;
    this.v6only = l.v6only;
    for (const [k, v] of l.ipOpts) this.ipOpts.set(k, v);
    for (const [k, v] of l.ip6Opts) this.ip6Opts.set(k, v);
  }

  /** The waiting connects that now fit in the accept queue are made. */
  private promote(): void {
    while (this.synq.length > 0 && this.acceptq.length <= this.maxBacklog && this.state === TcpState.TCP_LISTEN) {
      const s = this.synq.shift()!;
      if (s.state === TcpState.TCP_SYN_SENT && !s.released) s.establish(this);
    }
  }

  /** tcp_reset: an RST arrived. */
  reset(): void {
    let err: number;
    switch (this.state) {
      case TcpState.TCP_SYN_SENT:
        err = Errno.ECONNREFUSED;
        break;
      case TcpState.TCP_CLOSE_WAIT:
        err = Errno.EPIPE;
        break;
      case TcpState.TCP_CLOSE:
        return;
      default:
        err = Errno.ECONNRESET;
    }
    this.soError = err;
    this.done2();
    // sk_error_report
    this.wakeAsync(PollCode.POLL_ERR);
  }

  /** tcp_done: the connection is closed. */
  private done2(): void {
    if (this.listener) {
      const l = this.listener;
      const i = l.synq.indexOf(this);
      if (i >= 0) l.synq.splice(i, 1);
      this.listener = null;
    }
    this.state = TcpState.TCP_CLOSE;
    this.shutdownBits = SHUTDOWN_MASK;
    this.peer = null;
    this.changed();
  }

  /** Sends RST to the peer and forgets the connection. */
  private abort(): void {
    const p = this.peer;
    this.peer = null;
    if (p && !p.released) p.reset();
  }

  /** Sends FIN: the peer reads EOF once it has read the data. */
  private sendFin(): void {
    switch (this.state) {
      case TcpState.TCP_ESTABLISHED:
        this.state = TcpState.TCP_FIN_WAIT2;
        break;
      case TcpState.TCP_CLOSE_WAIT:
        this.state = TcpState.TCP_LAST_ACK;
        break;
      default:
        return;
    }
    const p = this.peer;
    if (p && !p.released) p.finReceived();
    if (this.state === TcpState.TCP_LAST_ACK) {
      // The peer acknowledges at once: the connection is over (tcp_done).
      this.state = TcpState.TCP_CLOSE;
      this.shutdownBits = SHUTDOWN_MASK;
      this.peer = null;
    }
  }

  /** tcp_fin: the peer will send no more. */
  private finReceived(): void {
    this.shutdownBits |= RCV_SHUTDOWN;
    this.done = true;
    switch (this.state) {
      case TcpState.TCP_ESTABLISHED:
        this.state = TcpState.TCP_CLOSE_WAIT;
        break;
      case TcpState.TCP_FIN_WAIT1:
      case TcpState.TCP_FIN_WAIT2:
        // TIME_WAIT: the full socket is done.
        this.state = TcpState.TCP_CLOSE;
        this.shutdownBits = SHUTDOWN_MASK;
        this.peer = null;
        break;
      default:
        break;
    }
    this.changed();
    this.wakeAsync(this.shutdownBits === SHUTDOWN_MASK || this.state === TcpState.TCP_CLOSE ? PollCode.POLL_HUP : PollCode.POLL_IN);
  }

  /** tcp_disconnect (connect with AF_UNSPEC, shutdown of a listener). */
  private disconnect(): void {
    let err = 0;
    if (this.state === TcpState.TCP_LISTEN) {
      this.stopListening();
    } else if (this.peer) {
      this.abort();
      err = Errno.ECONNRESET;
    } else if (this.state === TcpState.TCP_SYN_SENT) {
      this.done2();
      err = Errno.ECONNRESET;
    }
    this.state = TcpState.TCP_CLOSE;
    this.remote = this.wildcard();
    this.remotePort = 0;
    this.shutdownBits = 0;
    this.soError = err;
    this.done = false;
    this.rcv.clear();
    this.urgData = 0;
    // The port stays (inet_num is kept); an address not bound explicitly goes.
    if (!this.addrLocked) this.local = this.wildcard();
    this.changed();
  }

  private stopListening(): void {
    this.state = TcpState.TCP_CLOSE;
    for (const child of this.acceptq.splice(0)) {
      child.listener = null;
      child.abort();
      child.state = TcpState.TCP_CLOSE;
      child.unhash();
    }
    for (const s of this.synq.splice(0)) {
      s.listener = null;
      s.reset();
    }
    this.changed();
  }

  override listen(_c: NetCaller, backlog: number): number {
    if (this.ss !== SS.UNCONNECTED) return -Errno.EINVAL;
    if (this.state !== TcpState.TCP_CLOSE && this.state !== TcpState.TCP_LISTEN) return -Errno.EINVAL;
    this.maxBacklog = backlog;
    if (this.state !== TcpState.TCP_LISTEN) {
      this.state = TcpState.TCP_LISTEN;
      if (this.hashed) {
        if (this.conflicts(this.localPort)) {
          this.state = TcpState.TCP_CLOSE;
          return -Errno.EADDRINUSE;
        }
      } else {
        const r = this.getPort(0);
        if (r < 0) {
          this.state = TcpState.TCP_CLOSE;
          return r;
        }
      }
      this.shutdownBits = 0;
      this.changed();
    }
    this.promote();
    return 0;
  }

  override accept(c: NetCaller, nonblock: boolean, out: AcceptOut): IoResult {
    if (this.state !== TcpState.TCP_LISTEN) return -Errno.EINVAL;
    const timeo = this.rcvTimeout(nonblock);
    const attempt = (): number => {
      const child = this.acceptq.shift();
      if (child) {
        child.listener = null;
        out.sock = child;
        this.promote();
        this.changed();
        return 0;
      }
      if (this.state !== TcpState.TCP_LISTEN) return -Errno.EINVAL;
      return AGAIN;
    };
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => -Errno.EAGAIN,
        onInterrupt: (r) => intrErrno(timeo, r),
      }),
    );
  }

  override shutdown(_c: NetCaller, how: number): number {
    if (how < 0 || how > 2) return -Errno.EINVAL;
    const mode = how + 1;
    let err = 0;
    switch (this.state) {
      case TcpState.TCP_LISTEN:
        if ((mode & RCV_SHUTDOWN) === 0) break;
        this.disconnect();
        this.ss = SS.UNCONNECTED;
        break;
      case TcpState.TCP_SYN_SENT:
        this.disconnect();
        this.ss = SS.UNCONNECTED;
        break;
      default:
        if (this.state === TcpState.TCP_CLOSE) err = -Errno.ENOTCONN;
        this.shutdownBits |= mode;
        if ((mode & SEND_SHUTDOWN) !== 0) this.sendFin();
        break;
    }
    this.changed();
    return err;
  }

  // ---------------------------------------------------------------------------
  // Data

  /**
   * tcp_check_urg and tcp_urg: an urgent byte (BYTE, at PTR in copiedSeq's
   * terms) arrives with data about to be queued. Called before the data is
   * pushed.
   */
  urgentArrives(ptr: number, byte: number): void {
    // Already read past it, or a newer (or the same) urgent pointer is known.
    if (this.copiedSeq > ptr) return;
    if (this.urgData !== 0 && ptr <= this.urgSeq) return;
    // sk_send_sigurg: SIGURG to the file's owner.
    ownerLookup.sendSigurg(this);
    // The previous urgent byte is next to read and out of line: it goes, not to be read as data.
    if (this.urgSeq === this.copiedSeq && this.urgData !== 0 && !this.oobinline && this.rcv.bytes > 0) {
      this.rcv.discard(1);
      this.copiedSeq++;
    }
    this.urgSeq = ptr;
    this.urgData = TCP_URG_VALID | byte;
  }

  /** tcp_recv_urg: recv(MSG_OOB) takes the urgent byte; it never blocks. */
  private recvUrgent(m: RecvMsg): number {
    if (this.oobinline || this.urgData === 0 || this.urgData === TCP_URG_READ) return -Errno.EINVAL;
    if (this.state === TcpState.TCP_CLOSE && !this.done) return -Errno.ENOTCONN;
    if ((this.urgData & TCP_URG_VALID) !== 0) {
      const byte = this.urgData & 0xff;
      if ((m.flags & MsgFlag.MSG_PEEK) === 0) {
        this.urgData = TCP_URG_READ;
        this.changed();
      }
      m.msgFlags |= MsgFlag.MSG_OOB;
      if (m.len === 0) {
        m.msgFlags |= MsgFlag.MSG_TRUNC;
        return 0;
      }
      if ((m.flags & MsgFlag.MSG_TRUNC) === 0 && m.cur.copyOut(Uint8Array.of(byte), 0, 1) !== 1) return -Errno.EFAULT;
      return 1;
    }
    if (this.state === TcpState.TCP_CLOSE || (this.shutdownBits & RCV_SHUTDOWN) !== 0) return 0;
    return -Errno.EAGAIN;
  }

  /** N bytes leave the receive queue (read, or an urgent byte skipped); past the urgent byte it is forgotten. */
  private consumed(n: number): void {
    this.rcv.discard(n);
    this.copiedSeq += n;
    if (this.urgData !== 0 && this.copiedSeq > this.urgSeq) this.urgData = 0;
  }

  /** tcp_inq: the bytes readable, up to an out-of-line urgent byte still ahead. */
  private inq(): number {
    const rcvNxt = this.copiedSeq + this.rcv.bytes;
    if (this.oobinline || this.urgData === 0 || this.urgSeq < this.copiedSeq || this.urgSeq >= rcvNxt) return this.rcv.bytes;
    return this.urgSeq - this.copiedSeq;
  }

  /** The urgent mark is the next byte to read (SIOCATMARK). */
  private get atMark(): boolean {
    return this.urgData !== 0 && this.urgSeq === this.copiedSeq;
  }

  /** How much may wait in the peer's queue from this side. */
  private capacity(p: TcpSocket): number {
    return p.rcvbuf + this.sndbuf;
  }

  sendmsg(c: NetCaller | null, m: SendMsg): IoResult {
    const timeo = this.sndTimeout((m.flags & MsgFlag.MSG_DONTWAIT) !== 0);
    let copied = 0;
    const fail = (err: number): number => {
      if (copied > 0) return copied;
      // sk_stream_error: EPIPE raises SIGPIPE unless MSG_NOSIGNAL.
      if (err === -Errno.EPIPE && (m.flags & MsgFlag.MSG_NOSIGNAL) === 0) c?.sigpipe();
      return err;
    };
    const attempt = (): number => {
      if (this.state !== TcpState.TCP_ESTABLISHED && this.state !== TcpState.TCP_CLOSE_WAIT) {
        // sk_stream_wait_connect
        if (this.soError !== 0) return fail(this.takeError());
        if (this.state !== TcpState.TCP_SYN_SENT) return fail(-Errno.EPIPE);
        return AGAIN;
      }
      for (;;) {
        if (this.soError !== 0 || (this.shutdownBits & SEND_SHUTDOWN) !== 0) {
          if (copied > 0) return copied;
          const e = this.takeError();
          return fail(e < 0 ? e : -Errno.EPIPE);
        }
        if (copied >= m.len) return copied;
        const p = this.peer;
        if (!p) return fail(-Errno.EPIPE);
        let space = p.released ? MAX_CHUNK : this.capacity(p) - p.rcv.bytes;
        if (space <= 0) return AGAIN;
        space = Math.min(space, m.len - copied, MAX_CHUNK);
        const data = new Uint8Array(space);
        const got = m.cur.copyIn(data, 0, space);
        if (got > 0 && !p.released) {
          // tcp_push with MSG_OOB marks the end of what is sent (snd_up): its last byte is urgent.
          if ((m.flags & MsgFlag.MSG_OOB) !== 0 && copied + got === m.len) p.urgentArrives(p.copiedSeq + p.rcv.bytes + got - 1, data[got - 1]);
          p.rcv.push(got < space ? data.subarray(0, got) : data);
          p.bytesReceived += got;
        }
        copied += got;
        this.bytesSent += got;
        if (got < space) return copied > 0 ? copied : -Errno.EFAULT;
        if (p.released) {
          // The peer is closed: it answers data with RST.
          this.reset();
        } else {
          p.dataReady();
        }
      }
    };
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => (copied > 0 ? copied : -Errno.EAGAIN),
        onInterrupt: (r) => (copied > 0 ? copied : intrErrno(timeo, r)),
      }),
    );
  }

  recvmsg(c: NetCaller | null, m: RecvMsg): IoResult {
    // tcp_recvmsg: the (always empty) error queue first, then tcp_recvmsg_locked's checks.
    if ((m.flags & MsgFlag.MSG_ERRQUEUE) !== 0) return -Errno.EAGAIN;
    if (this.state === TcpState.TCP_LISTEN) return -Errno.ENOTCONN;
    if ((m.flags & MsgFlag.MSG_OOB) !== 0) return this.recvUrgent(m);
    const peek = (m.flags & MsgFlag.MSG_PEEK) !== 0;
    const trunc = (m.flags & MsgFlag.MSG_TRUNC) !== 0;
    const target = (m.flags & MsgFlag.MSG_WAITALL) !== 0 ? m.len || 1 : Math.min(this.rcvlowat, m.len) || 1;
    const timeo = this.rcvTimeout((m.flags & MsgFlag.MSG_DONTWAIT) !== 0);
    let copied = 0;
    /** MSG_PEEK: urgent bytes skipped so far (peek_seq runs ahead of what was copied). */
    let peekHoles = 0;
    const attempt = (): number => {
      for (;;) {
        const skip = peek ? Math.max(this.peekOff, 0) + copied + peekHoles : 0;
        const seq = this.copiedSeq + skip;
        // At the urgent mark: stop after what was read before it; a pending signal (SIGURG) goes first.
        if (this.urgData !== 0 && this.urgSeq === seq) {
          if (copied > 0) return copied;
          if (c?.signalPending()) return timeo === 0 ? -Errno.EAGAIN : intrErrno(timeo, -Errno.ERESTARTSYS);
        }
        const avail = this.rcv.bytes - skip;
        if (avail <= 0 || copied >= m.len) break;
        let n = Math.min(avail, m.len - copied);
        let from = skip;
        let toMark = false;
        if (this.urgData !== 0 && this.urgSeq >= seq && this.urgSeq - seq < n) {
          const off = this.urgSeq - seq;
          if (off > 0) {
            n = off;
            toMark = true;
          } else if (!this.oobinline) {
            // The urgent byte is not part of the stream.
            if (peek) {
              peekHoles++;
            } else {
              this.consumed(1);
              this.changed();
            }
            from++;
            n--;
            if (n === 0) continue;
          }
        }
        let got = n;
        // Not peeking, the queue's head is where reading starts (a skipped byte is gone).
        if (!trunc) got = this.rcv.copyTo(m.cur, peek ? from : 0, n);
        if (got === 0 && copied === 0) return -Errno.EFAULT;
        if (!peek) {
          this.consumed(got);
          if (this.peekOff >= 0) this.peekOff = Math.max(0, this.peekOff - got);
          const p = this.peer;
          if (p && !p.released) p.changed();
          this.changed();
        } else if (this.peekOff >= 0) {
          this.peekOff += got;
        }
        copied += got;
        if (got < n) return copied;
        if (!toMark) break;
      }
      if (copied >= target || (copied > 0 && copied >= m.len)) return copied;
      if (copied > 0) {
        if (this.soError !== 0 || this.state === TcpState.TCP_CLOSE || (this.shutdownBits & RCV_SHUTDOWN) !== 0) return copied;
        return AGAIN;
      }
      if (this.done) return 0;
      if (this.soError !== 0) {
        const e = this.takeError();
        this.changed();
        return e;
      }
      if ((this.shutdownBits & RCV_SHUTDOWN) !== 0) return 0;
      if (this.state === TcpState.TCP_CLOSE) return -Errno.ENOTCONN;
      return AGAIN;
    };
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => (copied > 0 ? copied : -Errno.EAGAIN),
        onInterrupt: (r) => (copied > 0 ? copied : intrErrno(timeo, r)),
      }),
    );
  }

  // ---------------------------------------------------------------------------
  // Readiness, ioctls, options, release

  readiness(): number {
    if (this.state === TcpState.TCP_LISTEN) return this.acceptq.length > 0 ? Poll.POLLIN | Poll.POLLRDNORM : 0;
    let mask = 0;
    const sd = this.shutdownBits;
    if (sd === SHUTDOWN_MASK || this.state === TcpState.TCP_CLOSE) mask |= Poll.POLLHUP;
    if ((sd & RCV_SHUTDOWN) !== 0) mask |= Poll.POLLIN | Poll.POLLRDNORM | Poll.POLLRDHUP;
    if (this.state !== TcpState.TCP_SYN_SENT) {
      // An out-of-line urgent byte next in the queue does not count as data (tcp_poll).
      const target = Math.max(this.rcvlowat, 1) + (this.atMark && !this.oobinline ? 1 : 0);
      if (this.rcv.bytes >= target) mask |= Poll.POLLIN | Poll.POLLRDNORM;
      if ((this.urgData & TCP_URG_VALID) !== 0) mask |= Poll.POLLPRI;
      if ((sd & SEND_SHUTDOWN) === 0) {
        const p = this.peer;
        if (!p || p.released || p.rcv.bytes * 3 <= this.capacity(p) * 2) mask |= Poll.POLLOUT | Poll.POLLWRNORM;
      } else {
        mask |= Poll.POLLOUT | Poll.POLLWRNORM;
      }
    }
    if (this.soError !== 0) mask |= Poll.POLLERR;
    return mask;
  }

  protected override protoIoctl(mm: GuestMemory, cmd: number, arg: number): number {
    let v: number;
    switch (cmd) {
      case SockIoctl.SIOCINQ:
        if (this.state === TcpState.TCP_LISTEN) return -Errno.EINVAL;
        v = this.state === TcpState.TCP_SYN_SENT ? 0 : this.inq();
        break;
      case SockIoctl.SIOCOUTQ:
      case SockIoctl.SIOCOUTQNSD: {
        if (this.state === TcpState.TCP_LISTEN) return -Errno.EINVAL;
        const p = this.peer;
        v = p && !p.released && this.state !== TcpState.TCP_SYN_SENT ? Math.max(0, p.rcv.bytes - p.rcvbuf) : 0;
        break;
      }
      case SockIoctl.SIOCATMARK:
        v = this.atMark ? 1 : 0;
        break;
      default:
        return ENOIOCTLCMD;
    }
    return mm.writeBytes(arg, intResult(v, 4), 0, 4);
  }

  protected override protoSetsockopt(c: NetCaller, level: number, name: number, v: OptVal): number {
    if (level !== SockLevel.SOL_TCP) return super.protoSetsockopt(c, level, name, v);
    if (name === TcpOpt.TCP_CONGESTION) {
      const n = Math.min(Math.max(v.len, 0), 15);
      const b = v.read(n);
      if (typeof b === 'number') return b;
      const end = b.indexOf(0);
      const s = Buffer.from(b.subarray(0, end < 0 ? n : end)).toString('latin1');
      if (s !== 'cubic' && s !== 'reno') return -Errno.ENOENT;
      this.congestion = s;
      return 0;
    }
    if (name === TcpOpt.TCP_ULP) return -Errno.ENOENT;
    if (name === TcpOpt.TCP_MD5SIG || name === TcpOpt.TCP_FASTOPEN_KEY) return -Errno.EINVAL;
    const iv = optInt(v);
    if (typeof iv === 'number') return iv;
    const val = iv.val;
    switch (name) {
      case TcpOpt.TCP_NODELAY:
        this.nodelay = val !== 0;
        return 0;
      case TcpOpt.TCP_CORK:
        this.cork = val !== 0;
        return 0;
      case TcpOpt.TCP_MAXSEG:
        if (val !== 0 && (val < TCP_MIN_MSS || val > MAX_TCP_WINDOW)) return -Errno.EINVAL;
        this.userMss = val;
        return 0;
      case TcpOpt.TCP_KEEPIDLE:
        if (val < 1 || val > MAX_TCP_KEEPIDLE) return -Errno.EINVAL;
        this.keepidle = val;
        return 0;
      case TcpOpt.TCP_KEEPINTVL:
        if (val < 1 || val > MAX_TCP_KEEPINTVL) return -Errno.EINVAL;
        this.keepintvl = val;
        return 0;
      case TcpOpt.TCP_KEEPCNT:
        if (val < 1 || val > MAX_TCP_KEEPCNT) return -Errno.EINVAL;
        this.keepcnt = val;
        return 0;
      case TcpOpt.TCP_SYNCNT:
        if (val < 1 || val > MAX_TCP_SYNCNT) return -Errno.EINVAL;
        this.syncnt = val;
        return 0;
      case TcpOpt.TCP_LINGER2:
        this.linger2 = val < 0 ? -1 : val > FIN_TIMEOUT_MAX ? FIN_TIMEOUT_MAX : val;
        return 0;
      case TcpOpt.TCP_DEFER_ACCEPT:
        this.deferAccept = retransToSecs(secsToRetrans(val, 1, 120), 1, 120);
        return 0;
      case TcpOpt.TCP_WINDOW_CLAMP:
        if (val === 0) {
          if (this.state !== TcpState.TCP_CLOSE) return -Errno.EINVAL;
          this.windowClamp = 0;
        } else {
          this.windowClamp = val < SOCK_MIN_RCVBUF / 2 ? SOCK_MIN_RCVBUF / 2 : val;
        }
        return 0;
      case TcpOpt.TCP_QUICKACK:
        this.quickack = val !== 0 ? 1 : 0;
        return 0;
      case TcpOpt.TCP_USER_TIMEOUT:
        if (val < 0) return -Errno.EINVAL;
        this.userTimeout = val;
        return 0;
      case TcpOpt.TCP_NOTSENT_LOWAT:
        this.notsentLowat = val;
        return 0;
      case TcpOpt.TCP_FASTOPEN:
        if (val < 0) return -Errno.EINVAL;
        this.tcpOpts.set(name, val);
        return 0;
      case TcpOpt.TCP_FASTOPEN_CONNECT:
        if (val < 0 || val > 1) return -Errno.EINVAL;
        if (this.state !== TcpState.TCP_CLOSE) return -Errno.EINVAL;
        this.tcpOpts.set(name, val);
        return 0;
      case TcpOpt.TCP_FASTOPEN_NO_COOKIE:
      case TcpOpt.TCP_THIN_LINEAR_TIMEOUTS:
      case TcpOpt.TCP_INQ:
        if (val < 0 || val > 1) return -Errno.EINVAL;
        this.tcpOpts.set(name, val);
        return 0;
      case TcpOpt.TCP_THIN_DUPACK:
        return 0;
      case TcpOpt.TCP_SAVE_SYN:
        if (val < 0 || val > 2) return -Errno.EINVAL;
        this.tcpOpts.set(name, val);
        return 0;
      case TcpOpt.TCP_TX_DELAY:
        this.tcpOpts.set(name, Math.max(val, 0));
        return 0;
      case TcpOpt.TCP_REPAIR:
        return c.capable(Capability.CAP_NET_ADMIN) ? -Errno.EOPNOTSUPP : -Errno.EPERM;
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  protected override protoGetsockopt(c: NetCaller, level: number, name: number, len: number): Uint8Array | number {
    if (level !== SockLevel.SOL_TCP) return super.protoGetsockopt(c, level, name, len);
    if (len < 0) return -Errno.EINVAL;
    const ilen = Math.min(len, 4);
    switch (name) {
      case TcpOpt.TCP_NODELAY:
        return intResult(+this.nodelay, ilen);
      case TcpOpt.TCP_CORK:
        return intResult(+this.cork, ilen);
      case TcpOpt.TCP_MAXSEG: {
        let v = this.connected ? (this.family === AddressFamily.AF_INET6 && !isV4Mapped(this.remote) ? LO_MSS6 : LO_MSS4) : TCP_MSS_DEFAULT;
        if (this.userMss !== 0 && (this.state === TcpState.TCP_CLOSE || this.state === TcpState.TCP_LISTEN)) v = this.userMss;
        else if (this.userMss !== 0 && this.userMss < v) v = this.userMss;
        return intResult(v, ilen);
      }
      case TcpOpt.TCP_KEEPIDLE:
        return intResult(this.keepidle, ilen);
      case TcpOpt.TCP_KEEPINTVL:
        return intResult(this.keepintvl, ilen);
      case TcpOpt.TCP_KEEPCNT:
        return intResult(this.keepcnt, ilen);
      case TcpOpt.TCP_SYNCNT:
        return intResult(this.syncnt || 6, ilen);
      case TcpOpt.TCP_LINGER2:
        return intResult(this.linger2 < 0 ? -1 : this.linger2 || FIN_TIMEOUT, ilen);
      case TcpOpt.TCP_DEFER_ACCEPT:
        return intResult(this.deferAccept, ilen);
      case TcpOpt.TCP_WINDOW_CLAMP:
        return intResult(this.windowClamp || (this.connected ? 65535 * 16 : 0), ilen);
      case TcpOpt.TCP_QUICKACK:
        return intResult(this.quickack, ilen);
      case TcpOpt.TCP_USER_TIMEOUT:
        return intResult(this.userTimeout, ilen);
      case TcpOpt.TCP_NOTSENT_LOWAT:
        return intResult(this.notsentLowat, ilen);
      case TcpOpt.TCP_FASTOPEN:
      case TcpOpt.TCP_FASTOPEN_CONNECT:
      case TcpOpt.TCP_FASTOPEN_NO_COOKIE:
      case TcpOpt.TCP_THIN_LINEAR_TIMEOUTS:
      case TcpOpt.TCP_INQ:
      case TcpOpt.TCP_SAVE_SYN:
      case TcpOpt.TCP_TX_DELAY:
        return intResult(this.tcpOpts.get(name) ?? 0, ilen);
      case TcpOpt.TCP_THIN_DUPACK:
        return intResult(0, ilen);
      case TcpOpt.TCP_CONGESTION: {
        const b = new Uint8Array(16);
        for (let i = 0; i < this.congestion.length; i++) b[i] = this.congestion.charCodeAt(i);
        return b.subarray(0, Math.min(len, 16));
      }
      case TcpOpt.TCP_ULP:
        return new Uint8Array(0);
      case TcpOpt.TCP_INFO:
        return this.tcpInfo().subarray(0, Math.min(len, TCP_INFO_SIZE));
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  /** struct tcp_info: the state and the figures a loopback connection would show. */
  private tcpInfo(): Uint8Array {
    const b = new Uint8Array(TCP_INFO_SIZE);
    const dv = new DataView(b.buffer);
    b[0] = this.state;
    const conn = this.connected || this.state === TcpState.TCP_FIN_WAIT2 || this.state === TcpState.TCP_LAST_ACK;
    const mss = this.family === AddressFamily.AF_INET6 && !isV4Mapped(this.remote) ? LO_MSS6 : LO_MSS4;
    if (conn) {
      b[5] = 1 | 2 | 4; // TCPI_OPT_TIMESTAMPS | SACK | WSCALE
      b[6] = 7 | (7 << 4);
    }
    dv.setUint32(8, conn ? 203333 : 1000000, true); // rto (us)
    dv.setUint32(12, conn ? 40000 : 0, true); // ato
    dv.setUint32(16, conn ? mss : TCP_MSS_DEFAULT, true); // snd_mss
    dv.setUint32(20, TCP_MSS_DEFAULT, true); // rcv_mss
    dv.setUint32(60, 65535, true); // pmtu
    dv.setUint32(64, conn ? 65483 : 0, true); // rcv_ssthresh
    dv.setUint32(68, conn ? 50 : 0, true); // rtt
    dv.setUint32(72, conn ? 25 : 250000, true); // rttvar
    dv.setUint32(76, 0x7fffffff, true); // snd_ssthresh
    dv.setUint32(80, 10, true); // snd_cwnd
    dv.setUint32(84, conn ? mss : TCP_MSS_DEFAULT, true); // advmss
    dv.setUint32(88, 3, true); // reordering
    dv.setBigUint64(120, BigInt(this.bytesSent), true); // bytes_acked
    dv.setBigUint64(128, BigInt(this.bytesReceived), true); // bytes_received
    dv.setUint32(148, conn ? 20 : 0xffffffff, true); // min_rtt
    dv.setBigUint64(200, BigInt(this.bytesSent), true); // bytes_sent
    const p = this.peer;
    dv.setUint32(228, p ? p.rcvbuf : 0, true); // snd_wnd
    dv.setUint32(232, this.rcvbuf, true); // rcv_wnd
    return b;
  }

  /** tcp_close. */
  protected release(): void {
    switch (this.state) {
      case TcpState.TCP_LISTEN:
        this.stopListening();
        break;
      case TcpState.TCP_SYN_SENT:
        this.done2();
        break;
      default: {
        const unread = this.rcv.bytes > 0;
        this.rcv.clear();
        if (this.peer) {
          if (unread || (this.lingerOn && this.lingerJiffies === 0)) {
            this.abort();
          } else {
            this.sendFin();
            // The orphan keeps its peer: data the peer sends now is answered with RST.
          }
        }
        if (this.listener) {
          const i = this.listener.acceptq.indexOf(this);
          if (i >= 0) this.listener.acceptq.splice(i, 1);
          this.listener = null;
        }
      }
    }
    this.shutdownBits = SHUTDOWN_MASK;
    this.unhash();
    this.changed();
  }
}

/** inet_create for SOCK_STREAM: IPPROTO_TCP (or 0). */
export function createTcpSocket(family: number, protocol: number, flags: number, owner: { fsuid: number; fsgid: number; uid: number }): TcpSocket | number {
  if (protocol !== 0 && protocol !== IpProto.IPPROTO_TCP) return -Errno.EPROTONOSUPPORT;
  return new TcpSocket(family, IpProto.IPPROTO_TCP, flags, owner);
}

