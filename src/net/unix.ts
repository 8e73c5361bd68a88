// Unix domain sockets (man 7 unix; Linux net/unix/af_unix.c): SOCK_STREAM,
// SOCK_DGRAM and SOCK_SEQPACKET, named by a path (a socket inode in the
// VFS), by an abstract name (sun_path[0] == 0; one namespace per socket
// type, as Linux hashes the type in) or by autobind ("\0" and five hex
// digits).
//
// Data travels as skbs queued on the receiver: a stream write is cut into
// chunks of at most sndbuf/2 - 64 bytes (and 32 KiB plus a page); a datagram
// is one skb. Each skb is charged to its sender (sk_wmem_alloc, with a
// fixed overhead per skb standing in for truesize) until the receiver
// consumes it, which is what blocks a writer (wmem >= sndbuf) and what
// SIOCOUTQ reports. SCM_RIGHTS files and credentials ride on the skb.
//
// A stream or seqpacket connect completes at once: the server side is made
// then (an "embryo" queued on the listener until accept), so a client may
// write before the accept, as on Linux. A full backlog (more than backlog
// embryos) blocks the connect, or is EAGAIN when non-blocking.
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import { PollCode } from '../abi/linux/signal.js';
import { SockIoctl } from '../abi/linux/if.js';
import { Poll } from '../abi/linux/poll.js';
import {
  AddressFamily, MsgFlag, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, SockType, SOCKADDR_UN_SIZE, SUN_PATH_OFFSET, type Ucred,
  WMEM_DEFAULT, RMEM_DEFAULT,
} from '../abi/linux/socket.js';
import { At, FileMode } from '../abi/linux/stat.js';
import type { FileDescription, IoResult } from '../vfs/file.js';
import type { Caller } from '../vfs/fs_struct.js';
import type { GuestMemory } from '../vfs/guest_memory.js';
import { mknodAt, unlinkAt } from '../vfs/namei_ops.js';
import { checkPermission, May } from '../vfs/permissions.js';
import { lookupAt } from '../vfs/resolve.js';
import type { NetCaller } from './caller.js';
import { dropRights, type RecvMsg, type SendMsg } from './message.js';
import { ENOIOCTLCMD, Socket, type AcceptOut } from './socket.js';
import { AGAIN, blockOn, intrErrno, type WaitCtl } from './wait.js';

const enum State {
  CLOSE,
  LISTEN,
  ESTABLISHED,
}

/** net.unix.max_dgram_qlen: a datagram receiver's queue limit (sk_max_ack_backlog). */
export const MAX_DGRAM_QLEN = 10;
/** What one skb costs its sender beyond its data (sk_buff and skb_shared_info). */
export const SKB_OVERHEAD = 576;
/** SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ: the largest stream chunk. */
const MAX_STREAM_CHUNK = 3776 + 32768;

/** The credentials of a message sent without any (pid 0, overflow uid and gid). */
const NO_CREDS: Ucred = { pid: 0, uid: 65534, gid: 65534 };
/** The credentials a stream read reports when it read no message (a zeroed scm_cookie). */
const ZERO_CREDS: Ucred = { pid: 0, uid: 0, gid: 0 };

interface UnixAddr {
  /** The sockaddr_un as getsockname returns it (its length is the addrlen). */
  readonly bytes: Uint8Array;
  /** Key in the abstract namespace, or of the bound inode. */
  readonly abstractKey: string | null;
  readonly inodeKey: string | null;
}

interface Skb {
  data: Uint8Array;
  /** Bytes already read (streams). */
  off: number;
  readonly sender: UnixSocket;
  readonly truesize: number;
  rights: FileDescription[] | null;
  /** The owner of the rights in flight (unix_inflight accounting). */
  rightsUid: number;
  readonly creds: Ucred | null;
}

/** The abstract namespace: "type:name" to the bound socket. */
const abstractNames = new Map<string, UnixSocket>();
/** Sockets bound to paths, by their inode ("dev:ino"). */
const pathBindings = new Map<string, UnixSocket>();
/** Every unix socket not yet released (/proc/net/unix). */
const liveSockets = new Set<UnixSocket>();

/** The open unix sockets, read-only (/proc/net/unix). */
export function unixSockets(): Iterable<UnixSocket> {
  return liveSockets;
}

/** SCM_RIGHTS files in flight per user (user->unix_inflight). */
const inflight = new Map<number, number>();

function inflightAdd(uid: number, n: number): void {
  const v = (inflight.get(uid) ?? 0) + n;
  if (v === 0) inflight.delete(uid);
  else inflight.set(uid, v);
}

function credsEqual(a: Ucred | null, b: Ucred | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.pid === b.pid && a.uid === b.uid && a.gid === b.gid;
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** unix_validate_addr: 2 < addrlen <= sizeof(sockaddr_un) and AF_UNIX. */
function validateAddr(addr: Uint8Array): number {
  if (addr.length <= SUN_PATH_OFFSET || addr.length > SOCKADDR_UN_SIZE) return -Errno.EINVAL;
  if ((addr[0] | (addr[1] << 8)) !== AddressFamily.AF_UNIX) return -Errno.EINVAL;
  return 0;
}

/** unix_mkname_bsd: the path up to its first NUL (the name ends at addrlen), and the address as stored. */
function bsdName(addr: Uint8Array): { path: string; bytes: Uint8Array } {
  let end = SUN_PATH_OFFSET;
  while (end < addr.length && addr[end] !== 0) end++;
  const bytes = new Uint8Array(end + 1);
  bytes.set(addr.subarray(0, end));
  return { path: latin1(addr.subarray(SUN_PATH_OFFSET, end)), bytes };
}

function inodeKeyOf(caller: Caller, path: string, follow: boolean): { key: string; type: number; perm: number } | number {
  const p = lookupAt(caller, At.AT_FDCWD, path, { follow });
  if (typeof p === 'number') return p;
  const inode = p.dentry.inode;
  return {
    key: `${inode.fs.dev}:${inode.ino}`,
    type: inode.type,
    perm: checkPermission(caller.creds, inode.getattr(), May.WRITE),
  };
}

/** The caller's credentials as SCM_CREDENTIALS attaches them (tgid, real uid and gid). */
function currentCreds(c: NetCaller | null): Ucred {
  return c ? { pid: c.pid, uid: c.uid, gid: c.gid } : { pid: 0, uid: 0, gid: 0 };
}

/** SO_PEERCRED's view of the caller (init_peercred: tgid, effective uid and gid). */
function peerCredOf(c: NetCaller | null): Ucred {
  return c ? { pid: c.pid, uid: c.euid, gid: c.egid } : { pid: 0, uid: 0, gid: 0 };
}

export class UnixSocket extends Socket {
  private state = State.CLOSE;
  peer: UnixSocket | null = null;
  addr: UnixAddr | null = null;
  /** The receive queue (skbs), oldest at qHead. */
  private q: Skb[] = [];
  private qHead = 0;
  /** Connections waiting for accept (a listener's receive queue in Linux). */
  private acceptq: UnixSocket[] = [];
  /** sk_max_ack_backlog: the listen backlog, or max_dgram_qlen for datagrams. */
  private maxBacklog: number;
  /** sk_wmem_alloc: what this socket's unconsumed skbs cost. */
  wmem = 0;
  /** An embryo not yet accepted (no file: messages to it always carry credentials). */
  private embryo = false;
  /** The listener holding this embryo. */
  private listener: UnixSocket | null = null;
  /** Datagram sockets connected to this one (told when its queue drains). */
  private readonly connectedFrom = new Set<UnixSocket>();

  constructor(type: number, protocol: number, flags: number, owner: { fsuid: number; fsgid: number }) {
    super(AddressFamily.AF_UNIX, type, protocol, flags, owner, { sndbuf: WMEM_DEFAULT, rcvbuf: RMEM_DEFAULT });
    this.maxBacklog = type === SockType.SOCK_DGRAM ? MAX_DGRAM_QLEN : 0;
    liveSockets.add(this);
  }

  /** For /proc/net/unix: connected (TCP_ESTABLISHED), and an embryo not yet accepted (no struct socket). */
  get procState(): { established: boolean; embryo: boolean } {
    return { established: this.state === State.ESTABLISHED, embryo: this.embryo };
  }

  private get connectionBased(): boolean {
    return this.type !== SockType.SOCK_DGRAM;
  }

  get listening(): boolean {
    return this.state === State.LISTEN;
  }

  protected override get hasPeekOff(): boolean {
    return true;
  }

  protected override get mayScmRecv(): boolean {
    return true;
  }

  /** Messages waiting. */
  get queued(): number {
    return this.q.length - this.qHead;
  }

  private head(i = 0): Skb | undefined {
    return this.q[this.qHead + i];
  }

  private enqueue(skb: Skb): void {
    this.q.push(skb);
  }

  private dequeue(): void {
    this.q[this.qHead++] = undefined as unknown as Skb;
    if (this.qHead === this.q.length) {
      this.q.length = 0;
      this.qHead = 0;
    } else if (this.qHead >= 64 && this.qHead * 2 >= this.q.length) {
      this.q = this.q.slice(this.qHead);
      this.qHead = 0;
    }
  }

  /** An skb was consumed or dropped: its sender gets the memory back, its files are released. */
  private static free(skb: Skb): void {
    if (skb.rights) {
      inflightAdd(skb.rightsUid, -skb.rights.length);
      dropRights(skb.rights);
      skb.rights = null;
    }
    const s = skb.sender;
    s.wmem -= skb.truesize;
    s.changed();
  }

  /** Takes an skb's files for a receiver (no longer in flight). */
  private static takeRights(skb: Skb): FileDescription[] | null {
    const r = skb.rights;
    if (!r) return null;
    inflightAdd(skb.rightsUid, -r.length);
    skb.rights = null;
    return r;
  }

  /** unix_peek_fds: new references to an skb's files. */
  private static peekRights(skb: Skb): FileDescription[] | null {
    if (!skb.rights) return null;
    for (const f of skb.rights) f.incRef();
    return [...skb.rights];
  }

  // ---------------------------------------------------------------------------
  // Names

  /** The address as getsockname shows it: the bound name, or just the family. */
  private nameBytes(): Uint8Array {
    return this.addr ? this.addr.bytes : Uint8Array.of(AddressFamily.AF_UNIX, 0);
  }

  getName(peer: 0 | 1 | 2): Uint8Array | number {
    if (peer === 0) return this.nameBytes();
    if (!this.peer) return -Errno.ENOTCONN;
    return this.peer.nameBytes();
  }

  /** unix_autobind: "\0" and five hex digits, starting at a random one; ENOSPC when all are taken. */
  autobind(): number {
    if (this.addr) return 0;
    const start = Math.floor(Math.random() * 0x100000);
    for (let i = 0; i <= 0xfffff; i++) {
      const n = (start + i) & 0xfffff;
      const name = '\0' + n.toString(16).padStart(5, '0');
      const key = `${this.type}:${name}`;
      if (abstractNames.has(key)) continue;
      const bytes = new Uint8Array(SUN_PATH_OFFSET + 6);
      bytes[0] = AddressFamily.AF_UNIX;
      for (let j = 0; j < 6; j++) bytes[SUN_PATH_OFFSET + j] = name.charCodeAt(j);
      abstractNames.set(key, this);
      this.addr = { bytes, abstractKey: key, inodeKey: null };
      return 0;
    }
    return -Errno.ENOSPC;
  }

  override bind(c: NetCaller, addr: Uint8Array): number {
    if (addr.length === SUN_PATH_OFFSET && (addr[0] | (addr[1] << 8)) === AddressFamily.AF_UNIX) return this.autobind();
    const err = validateAddr(addr);
    if (err < 0) return err;
    if (addr[SUN_PATH_OFFSET] !== 0) return this.bindPath(c, addr);
    if (this.addr) return -Errno.EINVAL;
    const key = `${this.type}:${latin1(addr.subarray(SUN_PATH_OFFSET))}`;
    if (abstractNames.has(key)) return -Errno.EADDRINUSE;
    abstractNames.set(key, this);
    this.addr = { bytes: addr.slice(), abstractKey: key, inodeKey: null };
    return 0;
  }

  /** unix_bind_bsd: make the socket inode (EADDRINUSE if the name exists), then bind to it. */
  private bindPath(c: NetCaller, addr: Uint8Array): number {
    const vfs = c.vfs;
    if (!vfs) return -Errno.EOPNOTSUPP;
    const { path, bytes } = bsdName(addr);
    const r = mknodAt(vfs, At.AT_FDCWD, path, FileMode.S_IFSOCK | 0o777, 0);
    if (r < 0) return r === -Errno.EEXIST ? -Errno.EADDRINUSE : r;
    if (this.addr) {
      unlinkAt(vfs, At.AT_FDCWD, path, 0);
      return -Errno.EINVAL;
    }
    const k = inodeKeyOf(vfs, path, false);
    if (typeof k === 'number') return k;
    pathBindings.set(k.key, this);
    this.addr = { bytes, abstractKey: null, inodeKey: k.key };
    return 0;
  }

  private unbind(): void {
    const a = this.addr;
    if (!a) return;
    if (a.abstractKey !== null && abstractNames.get(a.abstractKey) === this) abstractNames.delete(a.abstractKey);
    if (a.inodeKey !== null && pathBindings.get(a.inodeKey) === this) pathBindings.delete(a.inodeKey);
  }

  /** unix_find_other: the socket bound to addr (validated) for a socket of this type. */
  private findOther(c: NetCaller | null, addr: Uint8Array): UnixSocket | number {
    if (addr[SUN_PATH_OFFSET] !== 0) {
      const vfs = c?.vfs;
      if (!vfs) return -Errno.ECONNREFUSED;
      const k = inodeKeyOf(vfs, bsdName(addr).path, true);
      if (typeof k === 'number') return k;
      if (k.perm < 0) return k.perm;
      if (k.type !== FileMode.S_IFSOCK) return -Errno.ECONNREFUSED;
      const s = pathBindings.get(k.key);
      if (!s || s.released) return -Errno.ECONNREFUSED;
      if (s.type !== this.type) return -Errno.EPROTOTYPE;
      return s;
    }
    const s = abstractNames.get(`${this.type}:${latin1(addr.subarray(SUN_PATH_OFFSET))}`);
    if (!s || s.released) return -Errno.ECONNREFUSED;
    return s;
  }

  /** unix_may_send: other is not connected to someone else. */
  private mayPass(other: UnixSocket): boolean {
    return other.peer === null || other.peer === this;
  }

  // ---------------------------------------------------------------------------
  // Connections

  /** socketpair(2): two connected sockets, each with the creator as SO_PEERCRED. */
  static pair(a: UnixSocket, b: UnixSocket, c: NetCaller | null): void {
    a.peer = b;
    b.peer = a;
    a.peerCred = peerCredOf(c);
    b.peerCred = peerCredOf(c);
    a.state = State.ESTABLISHED;
    b.state = State.ESTABLISHED;
    if (a.type === SockType.SOCK_DGRAM) {
      a.connectedFrom.add(b);
      b.connectedFrom.add(a);
    }
  }

  override listen(c: NetCaller, backlog: number): number {
    if (this.type !== SockType.SOCK_STREAM && this.type !== SockType.SOCK_SEQPACKET) return -Errno.EOPNOTSUPP;
    if (!this.addr) return -Errno.EINVAL;
    if (this.state !== State.CLOSE && this.state !== State.LISTEN) return -Errno.EINVAL;
    const grew = backlog > this.maxBacklog;
    this.maxBacklog = backlog;
    this.state = State.LISTEN;
    this.peerCred = peerCredOf(c);
    if (grew) this.changed();
    return 0;
  }

  override connect(c: NetCaller, addr: Uint8Array, nonblock: boolean): IoResult {
    if (this.type === SockType.SOCK_DGRAM) return this.dgramConnect(c, addr);
    const err = validateAddr(addr);
    if (err < 0) return err;
    if ((this.passcred || this.passpidfd) && !this.addr) {
      const r = this.autobind();
      if (r < 0) return r;
    }
    const timeo = this.sndTimeout(nonblock);
    const attempt = (ctl: WaitCtl): number => {
      const other = this.findOther(c, addr);
      if (typeof other === 'number') return other;
      if (other.state !== State.LISTEN) return -Errno.ECONNREFUSED;
      if ((other.shutdownBits & RCV_SHUTDOWN) !== 0) return -Errno.ECONNREFUSED;
      if (other.acceptq.length > other.maxBacklog) {
        ctl.target = other;
        return AGAIN;
      }
      if (this.state === State.ESTABLISHED) return -Errno.EISCONN;
      if (this.state !== State.CLOSE) return -Errno.EINVAL;
      this.establish(c, other);
      return 0;
    };
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => -Errno.EAGAIN,
        onInterrupt: (r) => intrErrno(timeo, r),
      }),
    );
  }

  /** The second half of unix_stream_connect: the server side is made and queued on the listener. */
  private establish(c: NetCaller | null, other: UnixSocket): void {
    const newsk = new UnixSocket(this.type, this.protocol, 0, { fsuid: other.uid, fsgid: other.gid });
    newsk.state = State.ESTABLISHED;
    newsk.peer = this;
    newsk.peerCred = peerCredOf(c);
    newsk.addr = other.addr;
    newsk.embryo = true;
    newsk.listener = other;
    this.peer = newsk;
    this.peerCred = other.peerCred;
    this.state = State.ESTABLISHED;
    other.acceptq.push(newsk);
    other.dataReady();
    this.changed();
  }

  override accept(c: NetCaller, nonblock: boolean, out: AcceptOut): IoResult {
    if (this.type !== SockType.SOCK_STREAM && this.type !== SockType.SOCK_SEQPACKET) return -Errno.EOPNOTSUPP;
    if (this.state !== State.LISTEN) return -Errno.EINVAL;
    const timeo = this.rcvTimeout(nonblock);
    const attempt = (): number => {
      const e = this.takeError();
      if (e < 0) return e;
      const s = this.acceptq.shift();
      if (s) {
        s.embryo = false;
        s.listener = null;
        // unix_sock_inherit_flags
        s.passcred = this.passcred;
        s.passpidfd = this.passpidfd;
        s.passsec = this.passsec;
        out.sock = s;
        this.changed();
        return 0;
      }
      if (this.state !== State.LISTEN) return -Errno.EINVAL;
      if (timeo !== 0 && (this.shutdownBits & RCV_SHUTDOWN) !== 0) return -Errno.EINVAL;
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

  /** unix_dgram_connect: sets (or with AF_UNSPEC clears) the default destination. */
  private dgramConnect(c: NetCaller, addr: Uint8Array): number {
    if (addr.length < SUN_PATH_OFFSET) return -Errno.EINVAL;
    let other: UnixSocket | null = null;
    if ((addr[0] | (addr[1] << 8)) !== AddressFamily.AF_UNSPEC) {
      const err = validateAddr(addr);
      if (err < 0) return err;
      if ((this.passcred || this.passpidfd) && !this.addr) {
        const r = this.autobind();
        if (r < 0) return r;
      }
      const o = this.findOther(c, addr);
      if (typeof o === 'number') return o;
      if (!this.mayPass(o)) return -Errno.EPERM;
      other = o;
    }
    const old = this.peer;
    this.peer = other;
    this.state = other ? State.ESTABLISHED : State.CLOSE;
    if (old !== other) {
      if (old) {
        old.connectedFrom.delete(this);
        this.dgramDisconnected(old);
      }
      other?.connectedFrom.add(this);
    }
    this.changed();
    return 0;
  }

  /** unix_dgram_disconnected: messages queued here are dropped; a peer connected back gets ECONNRESET. */
  private dgramDisconnected(other: UnixSocket): void {
    if (this.queued === 0) return;
    this.purge();
    if (!other.released && other.peer === this) {
      other.soError = Errno.ECONNRESET;
      other.changed();
    }
    this.notifyConnectedFrom();
  }

  private purge(): void {
    while (this.queued > 0) {
      const skb = this.head()!;
      this.dequeue();
      UnixSocket.free(skb);
    }
  }

  private notifyConnectedFrom(): void {
    for (const s of [...this.connectedFrom]) s.changed();
  }

  override shutdown(_c: NetCaller, how: number): number {
    if (how < 0 || how > 2) return -Errno.EINVAL;
    const mode = how + 1;
    this.shutdownBits |= mode;
    const other = this.peer;
    this.changed();
    if (other && this.connectionBased) {
      let peerMode = 0;
      if ((mode & RCV_SHUTDOWN) !== 0) peerMode |= SEND_SHUTDOWN;
      if ((mode & SEND_SHUTDOWN) !== 0) peerMode |= RCV_SHUTDOWN;
      other.shutdownBits |= peerMode;
      other.changed();
    }
    return 0;
  }

  // ---------------------------------------------------------------------------
  // Sending

  /** unix_attach_fds: the files go with the skb; ETOOMANYREFS past RLIMIT_NOFILE files in flight. */
  private attachRights(c: NetCaller | null, m: SendMsg, skb: Skb): number {
    const r = m.rights;
    if (!r || r.length === 0) return 0;
    const uid = c?.uid ?? 0;
    if (c && (inflight.get(uid) ?? 0) > c.nofile && !c.capable(Capability.CAP_SYS_RESOURCE) && !c.capable(Capability.CAP_SYS_ADMIN)) {
      return -Errno.ETOOMANYREFS;
    }
    skb.rights = r;
    skb.rightsUid = uid;
    inflightAdd(uid, r.length);
    m.rights = null;
    return 0;
  }

  /** maybe_add_creds: explicit SCM_CREDENTIALS, else the sender's when either side wants them (or the receiver is an embryo). */
  private credsFor(c: NetCaller | null, m: SendMsg, other: UnixSocket): Ucred | null {
    if (m.creds) return m.creds;
    if (this.passcred || this.passpidfd || other.passcred || other.passpidfd || other.embryo) return currentCreds(c);
    return null;
  }

  sendmsg(c: NetCaller | null, m: SendMsg): IoResult {
    if (this.type === SockType.SOCK_STREAM) return this.streamSend(c, m);
    if (this.type === SockType.SOCK_SEQPACKET) {
      if (this.state !== State.ESTABLISHED) return -Errno.ENOTCONN;
      return this.dgramSend(c, m, null);
    }
    return this.dgramSend(c, m, m.addr && m.addr.length > 0 ? m.addr : null);
  }

  private pipeErr(c: NetCaller | null, m: SendMsg, sent: number): number {
    if (sent === 0 && (m.flags & MsgFlag.MSG_NOSIGNAL) === 0) c?.sigpipe();
    return sent > 0 ? sent : -Errno.EPIPE;
  }

  /** unix_stream_sendmsg. */
  private streamSend(c: NetCaller | null, m: SendMsg): IoResult {
    if ((m.flags & MsgFlag.MSG_OOB) !== 0) return -Errno.EOPNOTSUPP;
    if (m.addr && m.addr.length > 0) return this.state === State.ESTABLISHED ? -Errno.EISCONN : -Errno.EOPNOTSUPP;
    const other = this.peer;
    if (!other) return -Errno.ENOTCONN;
    if ((this.shutdownBits & SEND_SHUTDOWN) !== 0) return this.pipeErr(c, m, 0);
    const timeo = this.sndTimeout((m.flags & MsgFlag.MSG_DONTWAIT) !== 0);
    let sent = 0;
    let fdsSent = false;
    const attempt = (): number => {
      while (sent < m.len) {
        // sock_alloc_send_pskb
        const e = this.takeError();
        if (e < 0) return sent > 0 ? sent : e;
        if ((this.shutdownBits & SEND_SHUTDOWN) !== 0) return sent > 0 ? sent : -Errno.EPIPE;
        if (this.wmem >= this.sndbuf) return AGAIN;
        const size = Math.min(m.len - sent, (this.sndbuf >> 1) - 64, MAX_STREAM_CHUNK);
        const data = new Uint8Array(size);
        const skb: Skb = { data, off: 0, sender: this, truesize: size + SKB_OVERHEAD, rights: null, rightsUid: 0, creds: null };
        if (!fdsSent) {
          const r = this.attachRights(c, m, skb);
          if (r < 0) return sent > 0 ? sent : r;
        }
        fdsSent = true;
        if (m.cur.copyIn(data, 0, size) < size) {
          this.unattach(skb);
          return sent > 0 ? sent : -Errno.EFAULT;
        }
        if (other.released || (other.shutdownBits & RCV_SHUTDOWN) !== 0) {
          this.unattach(skb);
          return this.pipeErr(c, m, sent);
        }
        (skb as { creds: Ucred | null }).creds = this.credsFor(c, m, other);
        other.enqueue(skb);
        this.wmem += skb.truesize;
        sent += size;
        other.dataReady();
      }
      return sent;
    };
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => (sent > 0 ? sent : -Errno.EAGAIN),
        onInterrupt: (r) => (sent > 0 ? sent : intrErrno(timeo, r)),
      }),
    );
  }

  /** An skb that was not sent gives its files back to the message (dropped by the caller). */
  private unattach(skb: Skb): void {
    if (!skb.rights) return;
    inflightAdd(skb.rightsUid, -skb.rights.length);
    dropRights(skb.rights);
    skb.rights = null;
  }

  /** unix_dgram_sendmsg (SOCK_DGRAM, and SOCK_SEQPACKET without an address). */
  private dgramSend(c: NetCaller | null, m: SendMsg, sunaddr: Uint8Array | null): IoResult {
    if ((m.flags & MsgFlag.MSG_OOB) !== 0) return -Errno.EOPNOTSUPP;
    let other: UnixSocket | null = null;
    if (sunaddr) {
      const err = validateAddr(sunaddr);
      if (err < 0) return err;
    } else {
      other = this.peer;
      if (!other) return -Errno.ENOTCONN;
    }
    if ((this.passcred || this.passpidfd) && !this.addr) {
      const r = this.autobind();
      if (r < 0) return r;
    }
    if (m.len > this.sndbuf - 32) return -Errno.EMSGSIZE;
    const timeo = this.sndTimeout((m.flags & MsgFlag.MSG_DONTWAIT) !== 0);
    let skb: Skb | null = null;
    const attempt = (ctl: WaitCtl): number => {
      if (!skb) {
        const e = this.takeError();
        if (e < 0) return e;
        if ((this.shutdownBits & SEND_SHUTDOWN) !== 0) return -Errno.EPIPE;
        if (this.wmem >= this.sndbuf) {
          ctl.target = this;
          return AGAIN;
        }
        const data = new Uint8Array(m.len);
        const s: Skb = { data, off: 0, sender: this, truesize: m.len + SKB_OVERHEAD, rights: null, rightsUid: 0, creds: null };
        const r = this.attachRights(c, m, s);
        if (r < 0) return r;
        if (m.cur.copyIn(data, 0, m.len) < m.len) {
          this.unattach(s);
          return -Errno.EFAULT;
        }
        skb = s;
      }
      for (;;) {
        if (!other) {
          if (!sunaddr) return this.dropSkb(skb, -Errno.ECONNRESET);
          const o = this.findOther(c, sunaddr);
          if (typeof o === 'number') return this.dropSkb(skb, o);
          other = o;
        }
        if (!this.mayPass(other)) return this.dropSkb(skb, -Errno.EPERM);
        if (other.released) {
          if (this.type === SockType.SOCK_SEQPACKET) return this.dropSkb(skb, -Errno.EPIPE);
          if (this.peer === other) {
            this.peer = null;
            this.state = State.CLOSE;
            other.connectedFrom.delete(this);
            this.dgramDisconnected(other);
            return this.dropSkb(skb, -Errno.ECONNREFUSED);
          }
          other = null;
          continue;
        }
        break;
      }
      if ((other.shutdownBits & RCV_SHUTDOWN) !== 0) return this.dropSkb(skb, -Errno.EPIPE);
      if (other !== this && other.peer !== this && other.queued > other.maxBacklog) {
        ctl.target = other;
        return AGAIN;
      }
      (skb as { creds: Ucred | null }).creds = this.credsFor(c, m, other);
      other.enqueue(skb);
      this.wmem += skb.truesize;
      const sentSkb = skb;
      skb = null;
      other.dataReady();
      return sentSkb.data.length;
    };
    const unsent = (r: number): number => (skb ? this.dropSkb(skb, r) : r);
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => unsent(-Errno.EAGAIN),
        onInterrupt: (r) => unsent(intrErrno(timeo, r)),
      }),
    );
  }

  private dropSkb(skb: Skb, r: number): number {
    this.unattach(skb);
    return r;
  }

  // ---------------------------------------------------------------------------
  // Receiving

  recvmsg(c: NetCaller | null, m: RecvMsg): IoResult {
    if (this.type === SockType.SOCK_STREAM) return this.streamRecv(c, m);
    if (this.type === SockType.SOCK_SEQPACKET && this.state !== State.ESTABLISHED) return -Errno.ENOTCONN;
    return this.dgramRecv(c, m);
  }

  /** unix_stream_read_generic. */
  private streamRecv(c: NetCaller | null, m: RecvMsg): IoResult {
    if (this.state !== State.ESTABLISHED) return -Errno.EINVAL;
    // unix_stream_recv_urg: no out-of-band byte is ever queued (sending one is EOPNOTSUPP).
    if ((m.flags & MsgFlag.MSG_OOB) !== 0) return -Errno.EINVAL;
    const peek = (m.flags & MsgFlag.MSG_PEEK) !== 0;
    const target = (m.flags & MsgFlag.MSG_WAITALL) !== 0 ? m.len || 1 : Math.min(this.rcvlowat, m.len) || 1;
    const timeo = this.rcvTimeout((m.flags & MsgFlag.MSG_DONTWAIT) !== 0);
    let copied = 0;
    let size = m.len;
    let credsSet = false;
    let creds: Ucred | null = null;
    const finish = (r: number): number => {
      if (this.passcred) m.creds = credsSet ? creds ?? NO_CREDS : ZERO_CREDS;
      return r;
    };
    const attempt = (): number => {
      let skip = peek ? Math.max(this.peekOff, 0) : 0;
      let i = 0;
      do {
        let skb = this.head(i);
        while (skb && skip >= skb.data.length - skb.off) {
          skip -= skb.data.length - skb.off;
          skb = this.head(++i);
        }
        if (!skb) {
          if (copied >= target) return finish(copied);
          const e = this.takeError();
          if (e < 0) return finish(copied > 0 ? copied : e);
          if ((this.shutdownBits & RCV_SHUTDOWN) !== 0) return finish(copied);
          if (peek && copied > 0) return finish(copied);
          return AGAIN;
        }
        if (this.passcred) {
          if (!credsSet) {
            creds = skb.creds;
            credsSet = true;
          } else if (!credsEqual(skb.creds, creds)) {
            break;
          }
        }
        if (m.wantName && skb.sender.addr) m.name = skb.sender.addr.bytes;
        const avail = skb.data.length - skb.off - skip;
        const chunk = Math.min(avail, size);
        const done = m.cur.copyOut(skb.data, skb.off + skip, chunk);
        if (done < chunk) {
          if (copied === 0) return finish(-Errno.EFAULT);
          break;
        }
        copied += chunk;
        size -= chunk;
        if (!peek) {
          skb.off += chunk;
          if (this.peekOff >= 0) this.peekOff = Math.max(0, this.peekOff - chunk);
          let gotFds = false;
          if (skb.rights) {
            m.rights = UnixSocket.takeRights(skb);
            gotFds = true;
          }
          if (skb.off < skb.data.length) break;
          this.dequeue();
          UnixSocket.free(skb);
          if (gotFds) break;
        } else {
          if (this.peekOff >= 0) this.peekOff += chunk;
          if (skb.rights) {
            m.rights = UnixSocket.peekRights(skb);
            break;
          }
          skip = 0;
          i++;
          if (!this.head(i)) break;
        }
      } while (size > 0);
      return finish(copied);
    };
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => finish(copied > 0 ? copied : -Errno.EAGAIN),
        onInterrupt: (r) => (copied > 0 ? finish(copied) : intrErrno(timeo, r)),
      }),
    );
  }

  /** unix_dgram_recvmsg (datagrams and seqpacket records). */
  private dgramRecv(c: NetCaller | null, m: RecvMsg): IoResult {
    if ((m.flags & MsgFlag.MSG_OOB) !== 0) return -Errno.EOPNOTSUPP;
    const peek = (m.flags & MsgFlag.MSG_PEEK) !== 0;
    const timeo = this.rcvTimeout((m.flags & MsgFlag.MSG_DONTWAIT) !== 0);
    const seqpacket = this.type === SockType.SOCK_SEQPACKET;
    const attempt = (): number => {
      const e = this.takeError();
      if (e < 0) return e;
      const skb = this.head();
      if (!skb) {
        if ((this.shutdownBits & RCV_SHUTDOWN) !== 0) return timeo === 0 && !seqpacket ? -Errno.EAGAIN : 0;
        if (seqpacket && this.state !== State.ESTABLISHED && this.state !== State.LISTEN) return -Errno.ENOTCONN;
        return AGAIN;
      }
      let skip = 0;
      if (peek && this.peekOff >= 0) skip = Math.min(this.peekOff, skb.data.length);
      if (!peek) {
        this.dequeue();
        if (this.queued === this.maxBacklog) this.notifyConnectedFrom();
      }
      if (m.wantName && skb.sender.addr) m.name = skb.sender.addr.bytes;
      const avail = skb.data.length - skip;
      let size = m.len;
      if (size > avail) size = avail;
      else if (size < avail) m.msgFlags |= MsgFlag.MSG_TRUNC;
      const done = m.cur.copyOut(skb.data, skip, size);
      if (done < size) {
        if (!peek) {
          UnixSocket.free(skb);
          this.changed();
        }
        return -Errno.EFAULT;
      }
      if (this.passcred) m.creds = skb.creds ?? NO_CREDS;
      if (peek) {
        m.rights = UnixSocket.peekRights(skb);
        if (this.peekOff >= 0) this.peekOff += size;
      } else {
        m.rights = UnixSocket.takeRights(skb);
        if (this.peekOff >= 0) this.peekOff = Math.max(0, this.peekOff - skb.data.length);
        UnixSocket.free(skb);
        this.changed();
      }
      return (m.flags & MsgFlag.MSG_TRUNC) !== 0 ? skb.data.length - skip : size;
    };
    return this.hold(
      blockOn(c, this, attempt, {
        timeoutMs: timeo,
        onTimeout: () => {
          if (seqpacket && (this.shutdownBits & RCV_SHUTDOWN) !== 0) return 0;
          return -Errno.EAGAIN;
        },
        onInterrupt: (r) => intrErrno(timeo, r),
      }),
    );
  }

  // ---------------------------------------------------------------------------
  // Readiness, ioctls, release

  readiness(interest?: number): number {
    let mask = 0;
    const sd = this.shutdownBits;
    if (this.soError !== 0) mask |= Poll.POLLERR;
    if (sd === SHUTDOWN_MASK) mask |= Poll.POLLHUP;
    if ((sd & RCV_SHUTDOWN) !== 0) mask |= Poll.POLLRDHUP | Poll.POLLIN | Poll.POLLRDNORM;
    if (this.queued > 0 || this.acceptq.length > 0) mask |= Poll.POLLIN | Poll.POLLRDNORM;
    if (this.connectionBased && this.state === State.CLOSE) mask |= Poll.POLLHUP;
    if (this.type !== SockType.SOCK_STREAM && interest !== undefined && (interest & (Poll.POLLOUT | Poll.POLLWRNORM | Poll.POLLWRBAND)) === 0) {
      return mask;
    }
    let writable = this.state !== State.LISTEN && this.wmem * 4 <= this.sndbuf;
    if (writable && this.type !== SockType.SOCK_STREAM) {
      const other = this.peer;
      if (other && other.peer !== this && other.queued > other.maxBacklog) writable = false;
    }
    if (writable) mask |= Poll.POLLOUT | Poll.POLLWRNORM | Poll.POLLWRBAND;
    return mask;
  }

  protected override protoIoctl(mm: GuestMemory, cmd: number, arg: number): number {
    let v: number;
    switch (cmd) {
      case SockIoctl.SIOCOUTQ:
        v = this.wmem;
        break;
      case SockIoctl.SIOCINQ: {
        if (this.state === State.LISTEN) return -Errno.EINVAL;
        v = 0;
        if (this.type === SockType.SOCK_DGRAM) {
          const h = this.head();
          if (h) v = h.data.length;
        } else {
          for (let i = this.qHead; i < this.q.length; i++) v += this.q[i].data.length - this.q[i].off;
        }
        break;
      }
      case SockIoctl.SIOCATMARK:
        v = 0;
        break;
      default:
        return ENOIOCTLCMD;
    }
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    return mm.writeBytes(arg, b, 0, 4);
  }

  protected release(): void {
    this.releaseSock(false);
  }

  /** unix_release_sock. */
  private releaseSock(embrion: boolean): void {
    this.released = true;
    liveSockets.delete(this);
    this.unbind();
    this.shutdownBits = SHUTDOWN_MASK;
    const wasState = this.state;
    this.state = State.CLOSE;
    const skpair = this.peer;
    this.peer = null;
    if (skpair) {
      if (this.connectionBased) {
        skpair.shutdownBits = SHUTDOWN_MASK;
        if (this.queued > 0 || embrion) skpair.soError = Errno.ECONNRESET;
        skpair.changed();
        skpair.wakeAsync(PollCode.POLL_HUP);
      } else {
        skpair.connectedFrom.delete(this);
      }
    }
    this.purge();
    if (wasState === State.LISTEN) {
      for (const e of this.acceptq.splice(0)) e.releaseSock(true);
    }
    // A listener's embryo going away (its listener closed) also leaves the queue.
    if (this.listener) {
      const i = this.listener.acceptq.indexOf(this);
      if (i >= 0) this.listener.acceptq.splice(i, 1);
      this.listener = null;
    }
    this.notifyConnectedFrom();
    this.changed();
  }
}

/** Creates an AF_UNIX socket (unix_create): SOCK_RAW is taken as SOCK_DGRAM. */
export function createUnixSocket(type: number, protocol: number, flags: number, owner: { fsuid: number; fsgid: number }): UnixSocket | number {
  if (protocol !== 0 && protocol !== AddressFamily.AF_UNIX) return -Errno.EPROTONOSUPPORT;
  switch (type) {
    case SockType.SOCK_STREAM:
    case SockType.SOCK_SEQPACKET:
    case SockType.SOCK_DGRAM:
      break;
    case SockType.SOCK_RAW:
      type = SockType.SOCK_DGRAM;
      break;
    default:
      return -Errno.ESOCKTNOSUPPORT;
  }
  return new UnixSocket(type, protocol, flags, owner);
}
