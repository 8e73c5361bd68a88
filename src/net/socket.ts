// The part every socket shares (net/socket.c and net/core/sock.c): the open
// file description (read/write as recv/send without flags, fstat as a sockfs
// inode S_IFSOCK|0777, /proc/PID/fd as "socket:[INO]", ESPIPE for
// positional I/O), readiness for poll and epoll, the reference count, and
// the SOL_SOCKET options of sk_setsockopt/sk_getsockopt. Protocols (unix,
// tcp, udp) extend it with the operations of their proto_ops.
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { SockIoctl } from '../abi/linux/if.js';
import {
  encodeTimeval, encodeUcred, HZ, LINGER_SIZE, MsgFlag, RMEM_MAX, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF, SOCK_TIMEVAL_SIZE, SockLevel, SockOpt,
  UCRED_SIZE, WMEM_MAX, type Ucred,
} from '../abi/linux/socket.js';
import { PollCode } from '../abi/linux/signal.js';
import { FileMode, StatxMask, type StatxValues } from '../abi/linux/stat.js';
import { getI64 } from '../abi/linux/time.js';
import { IoCursor } from '../fs/pipe/iov.js';
import { allocAnonDev } from '../vfs/anon_dev.js';
import type { FileDescription, IoResult } from '../vfs/file.js';
import { fasyncOn, getOwnPid, ownerLookup, setOwnPid } from '../vfs/fown.js';
import type { GuestMemory } from '../vfs/guest_memory.js';
import { notifyRelease, type Pollable, type ReadinessListener } from '../vfs/poll.js';
import { realtimeClock, type Timestamp } from '../vfs/timestamp.js';
import { netHooks, type NetCaller } from './caller.js';
import { dropRights, newRecvMsg, newSendMsg, type RecvMsg, type SendMsg } from './message.js';
import { netdevIoctl } from './netdev.js';
import { FOREVER, WaitQueue } from './wait.js';

/** A timeout in jiffies meaning none (MAX_SCHEDULE_TIMEOUT). */
export const MAX_SCHEDULE_TIMEOUT = -1;

/** MAX_SCHEDULE_TIMEOUT / HZ - 1: timeouts of more seconds are "forever". */
const MAX_TIMEOUT_SEC = Number(0x7fffffffffffffffn / BigInt(HZ)) - 1;
/** SO_LINGER's l_linger for an infinite linger time: (LONG_MAX / HZ) as an int. */
const LINGER_FOREVER = Number(BigInt.asIntN(32, 0x7fffffffffffffffn / BigInt(HZ)));

/**
 * SO_SNDBUFFORCE / SO_RCVBUFFORCE are capped at this (half the buffer): the
 * sentry bounds what a guest can make it hold (DESIGN.md, Security model),
 * where Linux would allow up to 2 GiB.
 */
const FORCE_MAX = 32 << 20;

/** An ioctl a protocol does not handle (ENOIOCTLCMD): the generic socket ioctls are tried next. */
export const ENOIOCTLCMD = -515;

let nextIno = 1 << 20;
let sockfsDev = -1;
let nextCookie = 1;

/** st_dev of sockets (sockfs: an anonymous device). */
export function sockfsDevice(): number {
  if (sockfsDev < 0) sockfsDev = allocAnonDev();
  return sockfsDev;
}

/** A setsockopt value: its length, and a reader of its first n bytes (-EFAULT if unreadable). */
export interface OptVal {
  readonly len: number;
  read(n: number): Uint8Array | number;
}

/** An int value of setsockopt: EINVAL below 4 bytes, EFAULT if unreadable; else { val }. */
export function optInt(v: OptVal): { val: number } | number {
  if (v.len < 4) return -Errno.EINVAL;
  const b = v.read(4);
  if (typeof b === 'number') return b;
  return { val: new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true) };
}

/** getsockopt's answer for an int option: min(len, 4) bytes of v. */
export function intResult(v: number, len: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v | 0, true);
  return b.subarray(0, Math.min(len, 4));
}

/** A socket's receive and send timeouts in milliseconds (FOREVER for none), from jiffies. */
function jiffiesToMs(j: number): number {
  return j === MAX_SCHEDULE_TIMEOUT ? FOREVER : (j * 1000) / HZ;
}

/** Where accept puts the new connection. */
export interface AcceptOut {
  sock: Socket | null;
}

/**
 * sk_setsockopt's SO_SNDBUF/SO_RCVBUF (max: wmem_max or rmem_max) and their
 * *FORCE forms (CAP_NET_ADMIN, up to FORCE_MAX): the doubled
 * value the kernel stores (before the per-direction minimum), or -EPERM.
 */
function bufferRequest(c: NetCaller, val: number, force: boolean, max: number): number {
  let n: number;
  if (force) {
    if (!c.capable(Capability.CAP_NET_ADMIN)) return -Errno.EPERM;
    n = Math.min(Math.max(val, 0), FORCE_MAX);
  } else {
    n = Math.min(val >>> 0, max);
  }
  return Math.min(n, 0x3fffffff) * 2;
}

export abstract class Socket implements FileDescription, Pollable {
  readonly ino = nextIno++;
  readonly positional = false;
  flags: number;
  /** The inode's owner (the creator's fsuid and fsgid) and times. */
  uid: number;
  gid: number;
  readonly created: Timestamp = realtimeClock.now();
  private refs = 0;
  /** Set once the last reference is gone. */
  released = false;
  private readonly listeners = new Set<ReadinessListener>();
  /** Calls waiting for this socket to change. */
  readonly waitq = new WaitQueue();

  /** sk_shutdown: RCV_SHUTDOWN | SEND_SHUTDOWN. */
  shutdownBits = 0;
  /** sk_err: a pending error (positive errno), reported once. */
  soError = 0;

  // SOL_SOCKET options.
  reuseAddr = false;
  reusePort = false;
  keepalive = false;
  broadcast = false;
  oobinline = false;
  dontroute = false;
  debug = false;
  noCheck = false;
  passcred = false;
  passsec = false;
  passpidfd = false;
  priority = 0;
  mark = 0;
  lingerOn = false;
  lingerJiffies = 0;
  rcvlowat = 1;
  rcvtimeo = MAX_SCHEDULE_TIMEOUT;
  sndtimeo = MAX_SCHEDULE_TIMEOUT;
  sndbuf: number;
  rcvbuf: number;
  peekOff = -1;
  busyPoll = 0;
  boundDev = 0;
  zerocopy = false;
  private boolFlags = new Map<number, boolean>();
  private cookie = 0;
  /** SO_PEERCRED: the peer's credentials when the connection was made (null: pid 0, uid and gid -1). */
  peerCred: Ucred | null = null;

  constructor(
    readonly family: number,
    readonly type: number,
    readonly protocol: number,
    flags: number,
    owner: { fsuid: number; fsgid: number },
    bufs: { sndbuf: number; rcvbuf: number },
  ) {
    this.flags = OpenFlag.O_RDWR | (flags & OpenFlag.O_NONBLOCK);
    this.uid = owner.fsuid;
    this.gid = owner.fsgid;
    this.sndbuf = bufs.sndbuf;
    this.rcvbuf = bufs.rcvbuf;
  }

  get name(): string {
    return `socket:[${this.ino}]`;
  }

  // ---------------------------------------------------------------------------
  // Protocol operations (proto_ops)

  abstract readiness(interest?: number): number;

  bind(_c: NetCaller, _addr: Uint8Array): number {
    return -Errno.EOPNOTSUPP;
  }

  connect(_c: NetCaller, _addr: Uint8Array, _nonblock: boolean): IoResult {
    return -Errno.EOPNOTSUPP;
  }

  listen(_c: NetCaller, _backlog: number): number {
    return -Errno.EOPNOTSUPP;
  }

  /** Accepts a connection into out.sock (0), or -errno; a Promise when it waits. */
  accept(_c: NetCaller, _nonblock: boolean, _out: AcceptOut): IoResult {
    return -Errno.EOPNOTSUPP;
  }

  /** The local (peer 0) or remote address (peer 1: getpeername; 2: accept's, allowed on a closed child). */
  abstract getName(peer: 0 | 1 | 2): Uint8Array | number;

  abstract sendmsg(c: NetCaller | null, m: SendMsg): IoResult;
  abstract recvmsg(c: NetCaller | null, m: RecvMsg): IoResult;

  shutdown(_c: NetCaller, _how: number): number {
    return -Errno.EOPNOTSUPP;
  }

  /** Options below SOL_SOCKET (SOL_IP, SOL_TCP …): none for a protocol without them. */
  protected protoSetsockopt(_c: NetCaller, _level: number, _name: number, _v: OptVal): number {
    return -Errno.EOPNOTSUPP;
  }

  protected protoGetsockopt(_c: NetCaller, _level: number, _name: number, _len: number): Uint8Array | number {
    return -Errno.EOPNOTSUPP;
  }

  /** The protocol's ioctls (SIOCINQ, SIOCOUTQ …): ENOIOCTLCMD for others. */
  protected protoIoctl(_mm: GuestMemory, _cmd: number, _arg: number): number {
    return ENOIOCTLCMD;
  }

  /** SO_PEEK_OFF is supported (proto_ops->set_peek_off). */
  protected get hasPeekOff(): boolean {
    return false;
  }

  /** SO_PASSCRED and SO_PASSPIDFD may be set (sk_may_scm_recv: unix and netlink). */
  protected get mayScmRecv(): boolean {
    return false;
  }

  /** SO_ACCEPTCONN. */
  abstract get listening(): boolean;

  /** The last reference went: disconnect, free buffers, unbind. */
  protected abstract release(): void;

  // ---------------------------------------------------------------------------
  // Readiness and waking

  onReadinessChange(fn: ReadinessListener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** Something that may affect readiness or a waiting call changed: retry waiters, tell listeners. */
  changed(): void {
    this.waitq.wake();
    if (this.listeners.size === 0) return;
    const mask = this.readiness();
    for (const fn of [...this.listeners]) fn(mask);
  }

  /**
   * sk_wake_async: with O_ASYNC on, SIGIO (or the F_SETSIG signal) to the
   * file's owner; reason is a PollCode (POLL_IN, POLL_HUP …). Sent for
   * arrivals, hang-ups and errors; not for write space (SOCK_WAKE_SPACE),
   * and also while a reader sleeps (Linux skips SOCK_WAKE_WAITD then).
   */
  wakeAsync(reason: number): void {
    if ((this.flags & OpenFlag.FASYNC) !== 0 && fasyncOn(this)) ownerLookup.sendSigio(this, reason);
  }

  /** sk_data_ready (sock_def_readable): data or a connection arrived. */
  dataReady(): void {
    this.changed();
    this.wakeAsync(PollCode.POLL_IN);
  }

  /** sock_rcvtimeo / sock_sndtimeo in milliseconds: 0 when not blocking. */
  rcvTimeout(nonblock: boolean): number {
    return nonblock ? 0 : jiffiesToMs(this.rcvtimeo);
  }

  sndTimeout(nonblock: boolean): number {
    return nonblock ? 0 : jiffiesToMs(this.sndtimeo);
  }

  /** sock_error: takes the pending error (as -errno), or 0. */
  takeError(): number {
    const e = this.soError;
    if (e === 0) return 0;
    this.soError = 0;
    return -e;
  }

  /** Keeps the socket alive while a call waits on it (the file reference a syscall holds in Linux). */
  hold<T extends IoResult>(r: T): T {
    if (typeof r === 'number') return r;
    this.incRef();
    return r.finally(() => this.decRef()) as T;
  }

  // ---------------------------------------------------------------------------
  // FileDescription

  read(mm: GuestMemory, addr: number, len: number): IoResult {
    return this.readv(mm, [addr], [len], 1);
  }

  write(mm: GuestMemory, addr: number, len: number): IoResult {
    return this.writev(mm, [addr], [len], 1);
  }

  /** readv(2): one recvmsg over all the buffers (a datagram is not split across calls). */
  readv(mm: GuestMemory, bases: readonly number[], lens: readonly number[], n: number): IoResult {
    const cur = new IoCursor(mm, bases, lens, n);
    const len = cur.remaining;
    if (len === 0) return 0;
    const m = newRecvMsg(cur, len, (this.flags & OpenFlag.O_NONBLOCK) !== 0 ? MsgFlag.MSG_DONTWAIT : 0, false);
    const r = this.hold(this.recvmsg(netHooks.current(), m));
    if (typeof r === 'number') {
      dropRights(m.rights);
      return r;
    }
    return r.then((v) => {
      dropRights(m.rights);
      return v;
    });
  }

  /** writev(2): one sendmsg of all the buffers (one datagram). */
  writev(mm: GuestMemory, bases: readonly number[], lens: readonly number[], n: number): IoResult {
    const cur = new IoCursor(mm, bases, lens, n);
    const m = newSendMsg(cur, cur.remaining, (this.flags & OpenFlag.O_NONBLOCK) !== 0 ? MsgFlag.MSG_DONTWAIT : 0, null, true);
    return this.hold(this.sendmsg(netHooks.current(), m));
  }

  pread(): IoResult {
    return -Errno.ESPIPE;
  }

  pwrite(): IoResult {
    return -Errno.ESPIPE;
  }

  ioctl(mm: GuestMemory, request: number, arg: number): number {
    const r = this.protoIoctl(mm, request, arg);
    if (r !== ENOIOCTLCMD) return r;
    switch (request) {
      // The file's owner, as F_SETOWN / F_GETOWN (sock_ioctl: f_setown(file, pid, 1)).
      case SockIoctl.FIOSETOWN:
      case SockIoctl.SIOCSPGRP: {
        const b = new Uint8Array(4);
        const e = mm.readBytes(arg, b, 0, 4);
        if (e < 0) return e;
        const c = netHooks.current();
        return setOwnPid(this, new DataView(b.buffer).getInt32(0, true), c?.uid ?? 0, c?.euid ?? 0);
      }
      case SockIoctl.FIOGETOWN:
      case SockIoctl.SIOCGPGRP:
        return mm.writeBytes(arg, intResult(getOwnPid(this), 4), 0, 4);
      case SockIoctl.SIOCGSTAMP:
      case SockIoctl.SIOCGSTAMPNS:
        return -Errno.ENOENT;
    }
    return netdevIoctl(mm, request, arg, this.family);
  }

  stat(out: StatxValues): void {
    out.dev = sockfsDevice();
    out.ino = this.ino;
    out.nlink = 1;
    out.mode = FileMode.S_IFSOCK | 0o777;
    out.uid = this.uid;
    out.gid = this.gid;
    out.rdev = 0;
    out.size = 0;
    out.blksize = 4096;
    out.blocks = 0;
    out.atimeSec = out.mtimeSec = out.ctimeSec = this.created.sec;
    out.atimeNsec = out.mtimeNsec = out.ctimeNsec = this.created.nsec;
    out.mask = StatxMask.STATX_BASIC_STATS;
  }

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    if (--this.refs > 0) return;
    if (this.released) return;
    this.released = true;
    this.release();
    notifyRelease(this);
  }

  // ---------------------------------------------------------------------------
  // Options

  /** setsockopt(2) (sock_setsockopt, then the protocol's). */
  setsockopt(c: NetCaller, level: number, name: number, v: OptVal): number {
    if (level !== SockLevel.SOL_SOCKET) return this.protoSetsockopt(c, level, name, v);
    return this.setSockOpt(c, name, v);
  }

  /** getsockopt(2): the bytes to copy out (at most len; their count is the new optlen), or -errno. */
  getsockopt(c: NetCaller, level: number, name: number, len: number): Uint8Array | number {
    if (level !== SockLevel.SOL_SOCKET) return this.protoGetsockopt(c, level, name, len);
    return this.getSockOpt(name, len);
  }

  private setSockOpt(c: NetCaller, name: number, v: OptVal): number {
    if (name === SockOpt.SO_BINDTODEVICE) return this.setBindToDevice(c, v);
    const iv = optInt(v);
    if (typeof iv === 'number') return iv;
    const val = iv.val;
    const on = val !== 0;
    switch (name) {
      case SockOpt.SO_DEBUG:
        if (on && !c.capable(Capability.CAP_NET_ADMIN)) return -Errno.EACCES;
        this.debug = on;
        return 0;
      case SockOpt.SO_REUSEADDR:
        this.reuseAddr = on;
        return 0;
      case SockOpt.SO_REUSEPORT:
        if (on && !this.isInet) return -Errno.EOPNOTSUPP;
        this.reusePort = on;
        return 0;
      case SockOpt.SO_DONTROUTE:
        this.dontroute = on;
        return 0;
      case SockOpt.SO_BROADCAST:
        this.broadcast = on;
        return 0;
      case SockOpt.SO_SNDBUF:
      case SockOpt.SO_SNDBUFFORCE: {
        const n = bufferRequest(c, val, name === SockOpt.SO_SNDBUFFORCE, WMEM_MAX);
        if (n < 0) return n;
        this.sndbuf = Math.max(n, SOCK_MIN_SNDBUF);
        this.buffersChanged();
        return 0;
      }
      case SockOpt.SO_RCVBUF:
      case SockOpt.SO_RCVBUFFORCE: {
        const n = bufferRequest(c, val, name === SockOpt.SO_RCVBUFFORCE, RMEM_MAX);
        if (n < 0) return n;
        this.rcvbuf = Math.max(n, SOCK_MIN_RCVBUF);
        this.buffersChanged();
        return 0;
      }
      case SockOpt.SO_KEEPALIVE:
        this.keepalive = on;
        return 0;
      case SockOpt.SO_OOBINLINE:
        this.oobinline = on;
        return 0;
      case SockOpt.SO_NO_CHECK:
        this.noCheck = on;
        return 0;
      case SockOpt.SO_PRIORITY:
        if ((val >= 0 && val <= 6) || c.capable(Capability.CAP_NET_RAW) || c.capable(Capability.CAP_NET_ADMIN)) {
          this.priority = val;
          return 0;
        }
        return -Errno.EPERM;
      case SockOpt.SO_LINGER: {
        if (v.len < LINGER_SIZE) return -Errno.EINVAL;
        const b = v.read(LINGER_SIZE);
        if (typeof b === 'number') return b;
        const dv = new DataView(b.buffer, b.byteOffset, LINGER_SIZE);
        if (dv.getInt32(0, true) === 0) {
          this.lingerOn = false;
        } else {
          const secs = dv.getInt32(4, true);
          // l_linger is an int widened to an unsigned long: a negative one is huge (forever).
          this.lingerJiffies = secs < 0 ? MAX_SCHEDULE_TIMEOUT : secs * HZ;
          this.lingerOn = true;
        }
        return 0;
      }
      case SockOpt.SO_BSDCOMPAT:
        return 0;
      case SockOpt.SO_PASSCRED:
        if (!this.mayScmRecv) return -Errno.EOPNOTSUPP;
        this.passcred = on;
        return 0;
      case SockOpt.SO_PASSPIDFD:
        if (!this.mayScmRecv) return -Errno.EOPNOTSUPP;
        this.passpidfd = on;
        return 0;
      case SockOpt.SO_PASSSEC:
        if (!this.mayScmRecv) return -Errno.EOPNOTSUPP;
        this.passsec = on;
        return 0;
      case SockOpt.SO_RCVLOWAT:
        this.rcvlowat = val < 0 ? 0x7fffffff : val === 0 ? 1 : val;
        this.changed();
        return 0;
      case SockOpt.SO_RCVTIMEO_OLD:
      case SockOpt.SO_RCVTIMEO_NEW:
      case SockOpt.SO_SNDTIMEO_OLD:
      case SockOpt.SO_SNDTIMEO_NEW: {
        const j = this.readTimeout(v);
        if (j === null) return -Errno.EINVAL;
        if (typeof j === 'object') return j.err;
        if (name === SockOpt.SO_RCVTIMEO_OLD || name === SockOpt.SO_RCVTIMEO_NEW) this.rcvtimeo = j;
        else this.sndtimeo = j;
        return 0;
      }
      case SockOpt.SO_PEEK_OFF:
        if (!this.hasPeekOff) return -Errno.EOPNOTSUPP;
        this.peekOff = val < 0 ? -1 : val;
        return 0;
      case SockOpt.SO_MARK:
        if (!c.capable(Capability.CAP_NET_RAW) && !c.capable(Capability.CAP_NET_ADMIN)) return -Errno.EPERM;
        this.mark = val >>> 0;
        return 0;
      case SockOpt.SO_BUSY_POLL:
        if (val < 0) return -Errno.EINVAL;
        if (val > this.busyPoll && !c.capable(Capability.CAP_NET_ADMIN)) return -Errno.EPERM;
        this.busyPoll = val;
        return 0;
      case SockOpt.SO_ZEROCOPY:
        if (!this.isInet) return -Errno.EOPNOTSUPP;
        if (val < 0 || val > 1) return -Errno.EINVAL;
        this.zerocopy = on;
        return 0;
      case SockOpt.SO_BINDTOIFINDEX:
        return this.bindToIndex(c, val);
      case SockOpt.SO_TIMESTAMP_OLD:
      case SockOpt.SO_TIMESTAMP_NEW:
      case SockOpt.SO_TIMESTAMPNS_OLD:
      case SockOpt.SO_TIMESTAMPNS_NEW:
      case SockOpt.SO_RXQ_OVFL:
      case SockOpt.SO_WIFI_STATUS:
      case SockOpt.SO_NOFCS:
      case SockOpt.SO_SELECT_ERR_QUEUE:
      case SockOpt.SO_RCVMARK:
      case SockOpt.SO_PREFER_BUSY_POLL:
        this.boolFlags.set(name, on);
        return 0;
      case SockOpt.SO_INCOMING_CPU:
      case SockOpt.SO_CNX_ADVICE:
        return 0;
      case SockOpt.SO_TXREHASH:
        if (val < -1 || val > 1) return -Errno.EINVAL;
        return 0;
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  /** sock_set_timeout: jiffies, MAX_SCHEDULE_TIMEOUT for 0/0, 0 for a negative time; EDOM for bad microseconds. */
  private readTimeout(v: OptVal): number | { err: number } | null {
    if (v.len < SOCK_TIMEVAL_SIZE) return null;
    const b = v.read(SOCK_TIMEVAL_SIZE);
    if (typeof b === 'number') return { err: b };
    const dv = new DataView(b.buffer, b.byteOffset, SOCK_TIMEVAL_SIZE);
    const sec = getI64(dv, 0);
    const usec = getI64(dv, 8);
    if (usec < 0 || usec >= 1_000_000) return { err: -Errno.EDOM };
    if (sec < 0) return 0;
    if (sec === 0 && usec === 0) return MAX_SCHEDULE_TIMEOUT;
    if (sec >= MAX_TIMEOUT_SEC) return MAX_SCHEDULE_TIMEOUT;
    return sec * HZ + Math.ceil(usec / (1_000_000 / HZ));
  }

  private setBindToDevice(c: NetCaller, v: OptVal): number {
    if (v.len < 0) return -Errno.EINVAL;
    const n = Math.min(v.len, 15);
    let name = '';
    if (n > 0) {
      const b = v.read(n);
      if (typeof b === 'number') return b;
      const end = b.indexOf(0);
      name = Buffer.from(b.subarray(0, end < 0 ? n : end)).toString('latin1');
    }
    if (name === '') return this.bindToIndex(c, 0);
    if (name !== 'lo') return -Errno.ENODEV;
    return this.bindToIndex(c, 1);
  }

  private bindToIndex(c: NetCaller, index: number): number {
    if (index === this.boundDev) return 0;
    if (!c.capable(Capability.CAP_NET_RAW)) return -Errno.EPERM;
    if (index < 0) return -Errno.EINVAL;
    if (index !== 0 && index !== 1) return -Errno.ENODEV;
    this.boundDev = index;
    return 0;
  }

  private getSockOpt(name: number, len: number): Uint8Array | number {
    if (len < 0) return -Errno.EINVAL;
    switch (name) {
      case SockOpt.SO_DEBUG:
        return intResult(+this.debug, len);
      case SockOpt.SO_DONTROUTE:
        return intResult(+this.dontroute, len);
      case SockOpt.SO_BROADCAST:
        return intResult(+this.broadcast, len);
      case SockOpt.SO_SNDBUF:
        return intResult(this.sndbuf, len);
      case SockOpt.SO_RCVBUF:
        return intResult(this.rcvbuf, len);
      case SockOpt.SO_REUSEADDR:
        return intResult(+this.reuseAddr, len);
      case SockOpt.SO_REUSEPORT:
        return intResult(+this.reusePort, len);
      case SockOpt.SO_KEEPALIVE:
        return intResult(+this.keepalive, len);
      case SockOpt.SO_TYPE:
        return intResult(this.type, len);
      case SockOpt.SO_PROTOCOL:
        return intResult(this.protocol, len);
      case SockOpt.SO_DOMAIN:
        return intResult(this.family, len);
      case SockOpt.SO_ERROR: {
        const e = this.takeError();
        if (e !== 0) this.changed();
        return intResult(-e, len);
      }
      case SockOpt.SO_OOBINLINE:
        return intResult(+this.oobinline, len);
      case SockOpt.SO_NO_CHECK:
        return intResult(+this.noCheck, len);
      case SockOpt.SO_PRIORITY:
        return intResult(this.priority, len);
      case SockOpt.SO_LINGER: {
        const b = new Uint8Array(LINGER_SIZE);
        const dv = new DataView(b.buffer);
        dv.setInt32(0, +this.lingerOn, true);
        dv.setInt32(4, this.lingerJiffies === MAX_SCHEDULE_TIMEOUT ? LINGER_FOREVER : Math.floor(this.lingerJiffies / HZ), true);
        return b.subarray(0, Math.min(len, LINGER_SIZE));
      }
      case SockOpt.SO_BSDCOMPAT:
        return intResult(0, len);
      case SockOpt.SO_TIMESTAMP_OLD:
      case SockOpt.SO_TIMESTAMP_NEW:
      case SockOpt.SO_TIMESTAMPNS_OLD:
      case SockOpt.SO_TIMESTAMPNS_NEW:
      case SockOpt.SO_RXQ_OVFL:
      case SockOpt.SO_WIFI_STATUS:
      case SockOpt.SO_NOFCS:
      case SockOpt.SO_SELECT_ERR_QUEUE:
      case SockOpt.SO_RCVMARK:
      case SockOpt.SO_PREFER_BUSY_POLL:
        return intResult(+(this.boolFlags.get(name) ?? false), len);
      case SockOpt.SO_RCVTIMEO_OLD:
      case SockOpt.SO_RCVTIMEO_NEW:
      case SockOpt.SO_SNDTIMEO_OLD:
      case SockOpt.SO_SNDTIMEO_NEW: {
        const j = name === SockOpt.SO_RCVTIMEO_OLD || name === SockOpt.SO_RCVTIMEO_NEW ? this.rcvtimeo : this.sndtimeo;
        const b = new Uint8Array(SOCK_TIMEVAL_SIZE);
        if (j !== MAX_SCHEDULE_TIMEOUT) encodeTimeval(new DataView(b.buffer), 0, Math.floor(j / HZ), Math.floor(((j % HZ) * 1_000_000) / HZ));
        return b.subarray(0, Math.min(len, SOCK_TIMEVAL_SIZE));
      }
      case SockOpt.SO_RCVLOWAT:
        return intResult(this.rcvlowat, len);
      case SockOpt.SO_SNDLOWAT:
        return intResult(1, len);
      case SockOpt.SO_PASSCRED:
        return intResult(+this.passcred, len);
      case SockOpt.SO_PASSPIDFD:
        return intResult(+this.passpidfd, len);
      case SockOpt.SO_PASSSEC:
        return intResult(+this.passsec, len);
      case SockOpt.SO_PEERCRED: {
        const b = new Uint8Array(UCRED_SIZE);
        encodeUcred(new DataView(b.buffer), 0, this.peerCred ?? { pid: 0, uid: 0xffffffff, gid: 0xffffffff });
        return b.subarray(0, Math.min(len, UCRED_SIZE));
      }
      case SockOpt.SO_PEERNAME: {
        const a = this.getName(2);
        if (typeof a === 'number') return -Errno.ENOTCONN;
        if (a.length < len) return -Errno.EINVAL;
        return a.subarray(0, len);
      }
      case SockOpt.SO_ACCEPTCONN:
        return intResult(+this.listening, len);
      case SockOpt.SO_MARK:
        return intResult(this.mark, len);
      case SockOpt.SO_PEEK_OFF:
        if (!this.hasPeekOff) return -Errno.EOPNOTSUPP;
        return intResult(this.peekOff, len);
      case SockOpt.SO_BINDTODEVICE: {
        if (this.boundDev === 0) return new Uint8Array(0);
        if (len < 16) return -Errno.EINVAL;
        return Uint8Array.of(0x6c, 0x6f, 0);
      }
      case SockOpt.SO_BUSY_POLL:
        return intResult(this.busyPoll, len);
      case SockOpt.SO_INCOMING_CPU:
        return intResult(-1, len);
      case SockOpt.SO_INCOMING_NAPI_ID:
        return intResult(0, len);
      case SockOpt.SO_COOKIE: {
        if (len < 8) return -Errno.EINVAL;
        if (this.cookie === 0) this.cookie = nextCookie++;
        const b = new Uint8Array(8);
        new DataView(b.buffer).setUint32(0, this.cookie, true);
        return b;
      }
      case SockOpt.SO_ZEROCOPY:
        return intResult(+this.zerocopy, len);
      case SockOpt.SO_BINDTOIFINDEX:
        return intResult(this.boundDev, len);
      case SockOpt.SO_TXREHASH:
        return intResult(1, len);
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  /** AF_INET or AF_INET6. */
  protected get isInet(): boolean {
    return this.family === 2 || this.family === 10;
  }

  /** SO_SNDBUF or SO_RCVBUF changed: blocked writers may go on. */
  protected buffersChanged(): void {
    this.changed();
  }
}
