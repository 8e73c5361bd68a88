// The socket system calls (net/socket.c, net/core/scm.c): socket,
// socketpair, bind, listen, accept, accept4, connect, getsockname,
// getpeername, sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg,
// shutdown, setsockopt, getsockopt. They decode the guest's arguments
// (addresses, struct msghdr, iovecs, control messages) in Linux's order of
// checks, hand the socket (src/net) a parsed message, and copy results
// back: addresses as move_addr_to_user does, SCM_CREDENTIALS and SCM_RIGHTS
// as put_cmsg and scm_detach_fds do (MSG_CTRUNC, MSG_CMSG_CLOEXEC).
import { Capability } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { MAX_RW_COUNT, UIO_MAXIOV } from '../abi/linux/iovec.js';
import { Rlimit } from '../abi/linux/rlimit.js';
import { SiCode, Signal } from '../abi/linux/signal.js';
import {
  CMSGHDR_SIZE, cmsgAlign, cmsgLen, cmsgSpace, decodeUcred, encodeUcred, MMSGHDR_LEN, MMSGHDR_SIZE, MsgFlag, MSGHDR_SIZE,
  MsghdrOffset, OPTMEM_MAX, Scm, SCM_MAX_FD, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_TYPE_MASK, SOCKADDR_STORAGE_SIZE, SockLevel, SOMAXCONN,
  UCRED_SIZE, type Ucred,
} from '../abi/linux/socket.js';
import { SYS } from '../abi/linux/syscalls.js';
import { getI64, NSEC_PER_SEC, setI64 } from '../abi/linux/time.js';
import { IoCursor } from '../fs/pipe/iov.js';
import { callerOf } from '../kernel/fs_context.js';
import { NO_RESUME, type Kernel } from '../kernel/kernel.js';
import { hasSignalWork, sendSignal, userSiginfo } from '../kernel/signals.js';
import type { Task } from '../kernel/task.js';
import {
  createSocket, createSocketPair, dropRights, netdevHooks, netHooks, NetlinkSocket, newRecvMsg, newSendMsg, Socket, UnixSocket, type AcceptOut, type NetCaller,
  type OptVal, type SendMsg,
} from '../net/index.js';
import type { FileDescription, IoResult } from '../vfs/file.js';
import type { Caller } from '../vfs/fs_struct.js';
import { capable } from '../vfs/credentials.js';
import { accessOk } from './access.js';
import type { SyscallArgs } from './args.js';
import { monotonicNs } from './poll_wait.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

// ---------------------------------------------------------------------------
// The calling task as the net layer sees it

class TaskNetCaller implements NetCaller {
  constructor(
    private readonly k: Kernel,
    private readonly t: Task,
  ) {}

  get parker(): Task {
    return this.t;
  }

  signalPending(): boolean {
    return hasSignalWork(this.t);
  }

  get pid(): number {
    return this.t.tg.pid;
  }

  get uid(): number {
    return this.t.creds.uid;
  }

  get gid(): number {
    return this.t.creds.gid;
  }

  get euid(): number {
    return this.t.creds.euid;
  }

  get egid(): number {
    return this.t.creds.egid;
  }

  get suid(): number {
    return this.t.creds.suid;
  }

  get sgid(): number {
    return this.t.creds.sgid;
  }

  capable(cap: Capability): boolean {
    return capable(this.t.creds, cap);
  }

  get nofile(): number {
    return this.t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur;
  }

  get vfs(): Caller {
    return callerOf(this.t);
  }

  sigpipe(): void {
    sendSignal(this.k, this.t.tg, Signal.SIGPIPE, this.t, userSiginfo(Signal.SIGPIPE, SiCode.SI_USER, this.t));
  }
}

const callers = new WeakMap<Task, TaskNetCaller>();

function netCaller(k: Kernel, t: Task): TaskNetCaller {
  let c = callers.get(t);
  if (!c) {
    c = new TaskNetCaller(k, t);
    callers.set(t, c);
  }
  return c;
}

function ownerOf(t: Task): { fsuid: number; fsgid: number; uid: number } {
  return { fsuid: t.creds.fsuid, fsgid: t.creds.fsgid, uid: t.creds.uid };
}

function nofile(t: Task): number {
  return t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur;
}

/** Runs fn on r's value, now or when the Promise settles. */
function then(r: IoResult, fn: (v: number) => number): IoResult {
  return typeof r === 'number' ? fn(r) : r.then(fn);
}

// ---------------------------------------------------------------------------
// Descriptors and addresses

/** sockfd_lookup_light: EBADF without a descriptor (O_PATH ones included), ENOTSOCK for another file. */
function sockOf(t: Task, fd: number): Socket | number {
  const f = t.tg.fds.get(fd);
  if (!f || (f.flags & OpenFlag.O_PATH) !== 0) return -Errno.EBADF;
  return f instanceof Socket ? f : -Errno.ENOTSOCK;
}

/** move_addr_to_kernel: EINVAL for a length outside [0, 128], EFAULT if unreadable. */
function readAddr(t: Task, addr: number, len: number): Uint8Array | number {
  if (len < 0 || len > SOCKADDR_STORAGE_SIZE) return -Errno.EINVAL;
  const b = new Uint8Array(len);
  if (len === 0) return b;
  const r = t.tg.mm.readBytes(addr, b, 0, len);
  return r < 0 ? -Errno.EFAULT : b;
}

/** move_addr_to_user: reads *ulen (EINVAL if negative), copies at most that much, writes the full length back. */
function writeAddr(t: Task, kaddr: Uint8Array, uaddr: number, ulen: number): number {
  const mm = t.tg.mm;
  if (mm.readBytes(ulen, scratch, 0, 4) < 0) return -Errno.EFAULT;
  let len = scratchView.getInt32(0, true);
  if (len < 0) return -Errno.EINVAL;
  if (len > kaddr.length) len = kaddr.length;
  if (len > 0 && mm.writeBytes(uaddr, kaddr, 0, len) < 0) return -Errno.EFAULT;
  scratchView.setInt32(0, kaddr.length, true);
  return mm.writeBytes(ulen, scratch, 0, 4) < 0 ? -Errno.EFAULT : 0;
}

/** Installs a new socket at the lowest free descriptor; the socket goes if that fails. */
function installSocket(t: Task, s: Socket, flags: number): number {
  const fd = t.tg.fds.install(s, (flags & SOCK_CLOEXEC) !== 0, nofile(t));
  if (fd < 0) {
    s.incRef();
    s.decRef();
  }
  return fd;
}

// ---------------------------------------------------------------------------
// socket, socketpair, bind, listen, accept, connect, names, shutdown

function sysSocket(k: Kernel, t: Task, family: number, type: number, protocol: number): number {
  const flags = type & ~SOCK_TYPE_MASK;
  if ((flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) !== 0) return -Errno.EINVAL;
  const s = createSocket(netCaller(k, t), family, type & SOCK_TYPE_MASK, protocol, flags, ownerOf(t));
  if (typeof s === 'number') return s;
  return installSocket(t, s, flags);
}

/** __sys_socketpair: both descriptors reserved and written out before the sockets are made. */
function sysSocketpair(k: Kernel, t: Task, family: number, type: number, protocol: number, sv: number): number {
  const flags = type & ~SOCK_TYPE_MASK;
  if ((flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) !== 0) return -Errno.EINVAL;
  const fds = t.tg.fds;
  const limit = nofile(t);
  const fd1 = fds.lowestFree(limit);
  if (fd1 < 0) return fd1;
  const fd2 = fds.lowestFree(limit, fd1 + 1);
  if (fd2 < 0) return fd2;
  scratchView.setInt32(0, fd1, true);
  if (t.tg.mm.writeBytes(sv, scratch, 0, 4) < 0) return -Errno.EFAULT;
  scratchView.setInt32(0, fd2, true);
  if (t.tg.mm.writeBytes(sv + 4, scratch, 0, 4) < 0) return -Errno.EFAULT;
  const pair = createSocketPair(netCaller(k, t), family, type & SOCK_TYPE_MASK, protocol, flags, ownerOf(t));
  if (typeof pair === 'number') return pair;
  const cloexec = (flags & SOCK_CLOEXEC) !== 0;
  fds.install(pair[0], cloexec, limit, fd1);
  fds.install(pair[1], cloexec, limit, fd2);
  return 0;
}

function sysBind(k: Kernel, t: Task, fd: number, addr: number, len: number): number {
  const s = sockOf(t, fd);
  if (typeof s === 'number') return s;
  const a = readAddr(t, addr, len);
  if (typeof a === 'number') return a;
  return s.bind(netCaller(k, t), a);
}

function sysListen(k: Kernel, t: Task, fd: number, backlog: number): number {
  const s = sockOf(t, fd);
  if (typeof s === 'number') return s;
  if (backlog >>> 0 > SOMAXCONN) backlog = SOMAXCONN;
  return s.listen(netCaller(k, t), backlog);
}

function sysAccept(k: Kernel, t: Task, fd: number, addr: number, lenp: number, flags: number): IoResult {
  if ((flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) !== 0) return -Errno.EINVAL;
  const f = t.tg.fds.get(fd);
  if (!f || (f.flags & OpenFlag.O_PATH) !== 0) return -Errno.EBADF;
  const free = t.tg.fds.lowestFree(nofile(t));
  if (free < 0) return free;
  if (!(f instanceof Socket)) return -Errno.ENOTSOCK;
  const out: AcceptOut = { sock: null };
  const c = netCaller(k, t);
  const r = f.accept(c, (f.flags & OpenFlag.O_NONBLOCK) !== 0, out);
  return then(r, (v) => {
    const s = out.sock;
    if (v < 0 || !s) {
      if (s) {
        s.incRef();
        s.decRef();
      }
      return v < 0 ? v : -Errno.EINVAL;
    }
    s.flags = OpenFlag.O_RDWR | (flags & OpenFlag.O_NONBLOCK);
    s.uid = t.creds.fsuid;
    s.gid = t.creds.fsgid;
    if (t.exited) {
      s.incRef();
      s.decRef();
      return NO_RESUME;
    }
    if (addr !== 0) {
      const name = s.getName(2);
      const e = typeof name === 'number' ? -Errno.ECONNABORTED : writeAddr(t, name, addr, lenp);
      if (e < 0) {
        s.incRef();
        s.decRef();
        return e;
      }
    }
    return installSocket(t, s, flags);
  });
}

function sysConnect(k: Kernel, t: Task, fd: number, addr: number, len: number): IoResult {
  const f = t.tg.fds.get(fd);
  if (!f || (f.flags & OpenFlag.O_PATH) !== 0) return -Errno.EBADF;
  const a = readAddr(t, addr, len);
  if (typeof a === 'number') return a;
  if (!(f instanceof Socket)) return -Errno.ENOTSOCK;
  return f.connect(netCaller(k, t), a, (f.flags & OpenFlag.O_NONBLOCK) !== 0);
}

function sysGetName(t: Task, fd: number, addr: number, lenp: number, peer: 0 | 1): number {
  const s = sockOf(t, fd);
  if (typeof s === 'number') return s;
  const name = s.getName(peer);
  if (typeof name === 'number') return name;
  return writeAddr(t, name, addr, lenp);
}

function sysShutdown(k: Kernel, t: Task, fd: number, how: number): number {
  const s = sockOf(t, fd);
  if (typeof s === 'number') return s;
  return s.shutdown(netCaller(k, t), how);
}

// ---------------------------------------------------------------------------
// Options

function sysSetsockopt(k: Kernel, t: Task, fd: number, level: number, name: number, optval: number, optlen: number): number {
  const s = sockOf(t, fd);
  if (typeof s === 'number') return s;
  if (optlen < 0) return -Errno.EINVAL;
  const v: OptVal = {
    len: optlen,
    read: (n: number) => {
      const b = new Uint8Array(n);
      if (n > 0 && t.tg.mm.readBytes(optval, b, 0, n) < 0) return -Errno.EFAULT;
      return b;
    },
  };
  return s.setsockopt(netCaller(k, t), level, name, v);
}

function sysGetsockopt(k: Kernel, t: Task, fd: number, level: number, name: number, optval: number, optlenp: number): number {
  const s = sockOf(t, fd);
  if (typeof s === 'number') return s;
  const mm = t.tg.mm;
  if (mm.readBytes(optlenp, scratch, 0, 4) < 0) return -Errno.EFAULT;
  const len = scratchView.getInt32(0, true);
  const r = s.getsockopt(netCaller(k, t), level, name, len);
  if (typeof r === 'number') return r;
  if (r.length > 0 && mm.writeBytes(optval, r, 0, r.length) < 0) return -Errno.EFAULT;
  scratchView.setInt32(0, r.length, true);
  return mm.writeBytes(optlenp, scratch, 0, 4) < 0 ? -Errno.EFAULT : 0;
}

// ---------------------------------------------------------------------------
// Messages

/** import_iovec for a msghdr's iovecs: EINVAL for a negative length, EFAULT for a bad array or segment. */
function readIovecs(t: Task, addr: number, cnt: number): { bases: number[]; lens: number[]; total: number } | number {
  const bases: number[] = [];
  const lens: number[] = [];
  if (cnt === 0) return { bases, lens, total: 0 };
  const raw = new Uint8Array(cnt * 16);
  if (t.tg.mm.readBytes(addr, raw, 0, raw.length) < 0) return -Errno.EFAULT;
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < cnt; i++) if (dv.getInt32(i * 16 + 12, true) < 0) return -Errno.EINVAL;
  let total = 0;
  for (let i = 0; i < cnt; i++) {
    const o = i * 16;
    const bLo = dv.getUint32(o, true);
    const bHi = dv.getUint32(o + 4, true);
    const lLo = dv.getUint32(o + 8, true);
    const lHi = dv.getUint32(o + 12, true);
    if (!accessOk(bLo, bHi, lLo, lHi)) return -Errno.EFAULT;
    const len = Math.min(lLo + lHi * 4294967296, MAX_RW_COUNT - total);
    bases.push(bLo + bHi * 4294967296);
    lens.push(len);
    total += len;
  }
  return { bases, lens, total };
}

/** A struct msghdr as copied in (__copy_msghdr). */
interface MsgHdr {
  name: number;
  namelen: number;
  /** sendmsg: the address copied in (move_addr_to_kernel), or null. */
  addr: Uint8Array | null;
  control: number;
  controllen: number;
  flags: number;
  bases: number[];
  lens: number[];
  total: number;
}

/**
 * copy_msghdr_from_user and import_iovec: EFAULT, EINVAL (negative
 * namelen), the address for sendmsg (EFAULT), EMSGSIZE (too many iovecs),
 * then the iovecs.
 */
function readMsghdr(t: Task, addr: number, copyName: boolean): MsgHdr | number {
  const raw = new Uint8Array(MSGHDR_SIZE);
  if (t.tg.mm.readBytes(addr, raw, 0, MSGHDR_SIZE) < 0) return -Errno.EFAULT;
  const dv = new DataView(raw.buffer);
  const name = getI64(dv, MsghdrOffset.NAME);
  let namelen = dv.getInt32(MsghdrOffset.NAMELEN, true);
  const iov = getI64(dv, MsghdrOffset.IOV);
  const iovlen = dv.getUint32(MsghdrOffset.IOVLEN, true) + dv.getUint32(MsghdrOffset.IOVLEN + 4, true) * 4294967296;
  const control = getI64(dv, MsghdrOffset.CONTROL);
  const controllen = dv.getUint32(MsghdrOffset.CONTROLLEN, true) + dv.getUint32(MsghdrOffset.CONTROLLEN + 4, true) * 4294967296;
  const flags = dv.getInt32(MsghdrOffset.FLAGS, true);
  if (name === 0) namelen = 0;
  if (namelen < 0) return -Errno.EINVAL;
  if (namelen > SOCKADDR_STORAGE_SIZE) namelen = SOCKADDR_STORAGE_SIZE;
  let kaddr: Uint8Array | null = null;
  if (copyName && namelen > 0) {
    const a = readAddr(t, name, namelen);
    if (typeof a === 'number') return a;
    kaddr = a;
  }
  if (iovlen > UIO_MAXIOV) return -Errno.EMSGSIZE;
  const v = readIovecs(t, iov, iovlen);
  if (typeof v === 'number') return v;
  return { name, namelen, addr: kaddr, control, controllen, flags, ...v };
}

/** Unix and netlink sockets take SCM_RIGHTS and SCM_CREDENTIALS (scm_send/scm_recv); others only SOL_SOCKET basics. */
function takesScm(s: Socket): boolean {
  return s instanceof UnixSocket || s instanceof NetlinkSocket;
}

/** __scm_send for a unix socket: SCM_RIGHTS (files, one reference each) and SCM_CREDENTIALS (checked). */
function parseScm(k: Kernel, t: Task, ctl: Uint8Array, m: SendMsg, unix: boolean): number {
  const dv = new DataView(ctl.buffer, ctl.byteOffset, ctl.byteLength);
  const size = ctl.length;
  const rights: FileDescription[] = [];
  const fail = (e: number): number => {
    dropRights(rights);
    return e;
  };
  for (let off = 0; off + CMSGHDR_SIZE <= size; ) {
    const lenLo = dv.getUint32(off, true);
    const lenHi = dv.getUint32(off + 4, true);
    const clen = lenLo + lenHi * 4294967296;
    // CMSG_OK
    if (clen < CMSGHDR_SIZE || clen > size - off) return fail(-Errno.EINVAL);
    const level = dv.getInt32(off + 8, true);
    const type = dv.getInt32(off + 12, true);
    if (level === SockLevel.SOL_SOCKET) {
      if (!unix) {
        // sock_cmsg_send: SO_MARK and SO_PRIORITY (and timestamping) only.
        if (type !== 36 && type !== 12 && type !== 37 && type !== 61) return fail(-Errno.EINVAL);
      } else if (type === Scm.SCM_RIGHTS) {
        const num = Math.floor((clen - CMSGHDR_SIZE) / 4);
        if (num > 0) {
          if (num > SCM_MAX_FD || rights.length + num > SCM_MAX_FD) return fail(-Errno.EINVAL);
          for (let i = 0; i < num; i++) {
            const fd = dv.getInt32(off + CMSGHDR_SIZE + i * 4, true);
            const f = fd >= 0 ? t.tg.fds.get(fd) : undefined;
            if (!f) return fail(-Errno.EBADF);
            f.incRef();
            rights.push(f);
          }
        }
      } else if (type === Scm.SCM_CREDENTIALS) {
        if (clen !== cmsgLen(UCRED_SIZE)) return fail(-Errno.EINVAL);
        const e = checkCreds(k, t, decodeUcred(dv, off + CMSGHDR_SIZE));
        if (typeof e === 'number') return fail(e);
        m.creds = e;
      } else {
        return fail(-Errno.EINVAL);
      }
    }
    off += cmsgAlign(clen);
  }
  if (rights.length > 0) m.rights = rights;
  return 0;
}

/** scm_check_creds and the pid lookup of __scm_send. */
function checkCreds(k: Kernel, t: Task, u: Ucred): Ucred | number {
  const c = t.creds;
  if (u.uid === 0xffffffff || u.gid === 0xffffffff) return -Errno.EINVAL;
  const pidOk = u.pid === t.tg.pid || capable(c, Capability.CAP_SYS_ADMIN);
  const uidOk = u.uid === c.uid || u.uid === c.euid || u.uid === c.suid || capable(c, Capability.CAP_SETUID);
  const gidOk = u.gid === c.gid || u.gid === c.egid || u.gid === c.sgid || capable(c, Capability.CAP_SETGID);
  if (!(pidOk && uidOk && gidOk)) return -Errno.EPERM;
  if (u.pid !== t.tg.pid && !k.tasks.has(u.pid) && !k.processes.has(u.pid)) return -Errno.ESRCH;
  return u;
}

/** ___sys_sendmsg for one msghdr at addr. sent: the bytes the call took (to detect a partial send). */
function sendOne(k: Kernel, t: Task, s: Socket, addr: number, flags: number, out?: { left: number }): IoResult {
  const h = readMsghdr(t, addr, true);
  if (typeof h === 'number') return h;
  const name = h.addr;
  if (h.controllen > 0x7fffffff) return -Errno.ENOBUFS;
  const cur = new IoCursor(t.tg.mm, h.bases, h.lens, h.bases.length);
  if ((s.flags & OpenFlag.O_NONBLOCK) !== 0) flags |= MsgFlag.MSG_DONTWAIT;
  const m = newSendMsg(cur, h.total, flags, name);
  if (h.controllen > 0) {
    if (h.controllen > OPTMEM_MAX) return -Errno.ENOBUFS;
    const ctl = new Uint8Array(h.controllen);
    if (t.tg.mm.readBytes(h.control, ctl, 0, h.controllen) < 0) return -Errno.EFAULT;
    const e = parseScm(k, t, ctl, m, takesScm(s));
    if (e < 0) return e;
  }
  const r = s.sendmsg(netCaller(k, t), m);
  return then(r, (v) => {
    dropRights(m.rights);
    m.rights = null;
    if (out) out.left = cur.remaining;
    return v;
  });
}

function sysSendto(k: Kernel, t: Task, a: SyscallArgs): IoResult {
  const r = a.regs;
  // import_ubuf: the buffer must be in user space.
  if (!accessOk(r[2 * 13], r[2 * 13 + 1], r[2 * 12], r[2 * 12 + 1])) return -Errno.EFAULT;
  const len = Math.min(a.u64(2), MAX_RW_COUNT);
  const s = sockOf(t, a.int(0));
  if (typeof s === 'number') return s;
  let name: Uint8Array | null = null;
  const addr = a.u64(4);
  if (addr !== 0) {
    const n = readAddr(t, addr, a.int(5));
    if (typeof n === 'number') return n;
    name = n;
  }
  let flags = a.int(3);
  if ((s.flags & OpenFlag.O_NONBLOCK) !== 0) flags |= MsgFlag.MSG_DONTWAIT;
  const m = newSendMsg(new IoCursor(t.tg.mm, a.u64(1), len), len, flags, name);
  return s.sendmsg(netCaller(k, t), m);
}

function sysRecvfrom(k: Kernel, t: Task, a: SyscallArgs): IoResult {
  const r = a.regs;
  if (!accessOk(r[2 * 13], r[2 * 13 + 1], r[2 * 12], r[2 * 12 + 1])) return -Errno.EFAULT;
  const len = Math.min(a.u64(2), MAX_RW_COUNT);
  const s = sockOf(t, a.int(0));
  if (typeof s === 'number') return s;
  let flags = a.int(3);
  if ((s.flags & OpenFlag.O_NONBLOCK) !== 0) flags |= MsgFlag.MSG_DONTWAIT;
  const addr = a.u64(4);
  const lenp = a.u64(5);
  const m = newRecvMsg(new IoCursor(t.tg.mm, a.u64(1), len), len, flags, addr !== 0);
  return then(s.recvmsg(netCaller(k, t), m), (v) => {
    dropRights(m.rights);
    m.rights = null;
    if (v < 0 || addr === 0 || v === NO_RESUME || t.exited) return v;
    const e = writeAddr(t, m.name ?? new Uint8Array(0), addr, lenp);
    return e < 0 ? e : v;
  });
}

/**
 * put_cmsg into the guest's control buffer: a truncated header when it does
 * not fit (MSG_CTRUNC). Returns the new (control, controllen).
 */
function putCmsg(t: Task, st: { ctl: number; left: number; flags: number }, level: number, type: number, data: Uint8Array): void {
  if (st.ctl === 0 || st.left < CMSGHDR_SIZE) {
    st.flags |= MsgFlag.MSG_CTRUNC;
    return;
  }
  let cmlen = cmsgLen(data.length);
  if (st.left < cmlen) {
    st.flags |= MsgFlag.MSG_CTRUNC;
    cmlen = st.left;
  }
  const b = new Uint8Array(cmlen);
  const dv = new DataView(b.buffer);
  setI64(dv, 0, cmlen);
  dv.setInt32(8, level, true);
  dv.setInt32(12, type, true);
  b.set(data.subarray(0, cmlen - CMSGHDR_SIZE), CMSGHDR_SIZE);
  if (t.tg.mm.writeBytes(st.ctl, b, 0, cmlen) < 0) return;
  const space = Math.min(cmsgSpace(data.length), st.left);
  st.ctl += space;
  st.left -= space;
}

/** scm_detach_fds: installs as many files as fit (MSG_CMSG_CLOEXEC honoured); MSG_CTRUNC if some did not. */
function detachFds(t: Task, st: { ctl: number; left: number; flags: number }, rights: FileDescription[]): void {
  const cloexec = (st.flags & MsgFlag.MSG_CMSG_CLOEXEC) !== 0;
  const fdmax = st.ctl === 0 || st.left <= CMSGHDR_SIZE ? 0 : Math.min(Math.floor((st.left - CMSGHDR_SIZE) / 4), rights.length);
  const mm = t.tg.mm;
  let i = 0;
  for (; i < fdmax; i++) {
    const fd = t.tg.fds.lowestFree(nofile(t));
    if (fd < 0) break;
    scratchView.setInt32(0, fd, true);
    if (mm.writeBytes(st.ctl + CMSGHDR_SIZE + i * 4, scratch, 0, 4) < 0) break;
    t.tg.fds.install(rights[i], cloexec, nofile(t), fd);
  }
  if (i > 0) {
    const cmlen = cmsgLen(i * 4);
    setI64(scratchView, 0, cmlen);
    scratchView.setInt32(8, SockLevel.SOL_SOCKET, true);
    scratchView.setInt32(12, Scm.SCM_RIGHTS, true);
    if (mm.writeBytes(st.ctl, scratch, 0, CMSGHDR_SIZE) === 0) {
      const space = Math.min(cmsgSpace(i * 4), st.left);
      st.ctl += space;
      st.left -= space;
    }
  }
  if (i < rights.length || (rights.length > 0 && fdmax <= 0)) st.flags |= MsgFlag.MSG_CTRUNC;
}

/** ___sys_recvmsg for one msghdr at addr: the result, with msg_namelen, msg_flags and msg_controllen written back. */
function recvOne(k: Kernel, t: Task, s: Socket, addr: number, flags: number): IoResult {
  const h = readMsghdr(t, addr, false);
  if (typeof h === 'number') return h;
  const cur = new IoCursor(t.tg.mm, h.bases, h.lens, h.bases.length);
  let rflags = flags;
  if ((s.flags & OpenFlag.O_NONBLOCK) !== 0) rflags |= MsgFlag.MSG_DONTWAIT;
  const m = newRecvMsg(cur, h.total, rflags, true);
  return then(s.recvmsg(netCaller(k, t), m), (v) => {
    if (v < 0 || v === NO_RESUME || t.exited) {
      dropRights(m.rights);
      return v;
    }
    const st = { ctl: h.control, left: h.controllen, flags: (flags & MsgFlag.MSG_CMSG_CLOEXEC) | m.msgFlags };
    const unix = takesScm(s);
    if (h.control === 0) {
      if (unix && (s.passcred || m.rights)) st.flags |= MsgFlag.MSG_CTRUNC;
    } else {
      if (m.creds) {
        const b = new Uint8Array(UCRED_SIZE);
        encodeUcred(new DataView(b.buffer), 0, m.creds);
        putCmsg(t, st, SockLevel.SOL_SOCKET, Scm.SCM_CREDENTIALS, b);
      }
      if (m.rights) detachFds(t, st, m.rights);
    }
    dropRights(m.rights);
    m.rights = null;
    const mm = t.tg.mm;
    if (h.name !== 0) {
      const e = writeAddr(t, m.name ?? new Uint8Array(0), h.name, addr + MsghdrOffset.NAMELEN);
      if (e < 0) return e;
    }
    scratchView.setInt32(0, st.flags, true);
    if (mm.writeBytes(addr + MsghdrOffset.FLAGS, scratch, 0, 4) < 0) return -Errno.EFAULT;
    setI64(scratchView, 0, st.ctl - h.control);
    if (mm.writeBytes(addr + MsghdrOffset.CONTROLLEN, scratch, 0, 8) < 0) return -Errno.EFAULT;
    return v;
  });
}

function sysSendmsg(k: Kernel, t: Task, fd: number, msg: number, flags: number): IoResult {
  if ((flags & MsgFlag.MSG_CMSG_COMPAT) !== 0) return -Errno.EINVAL;
  const s = sockOf(t, fd);
  if (typeof s === 'number') return s;
  return sendOne(k, t, s, msg, flags);
}

function sysRecvmsg(k: Kernel, t: Task, fd: number, msg: number, flags: number): IoResult {
  if ((flags & MsgFlag.MSG_CMSG_COMPAT) !== 0) return -Errno.EINVAL;
  const s = sockOf(t, fd);
  if (typeof s === 'number') return s;
  return recvOne(k, t, s, msg, flags);
}

/** __sys_sendmmsg: sends until one fails or is partial; the count if any went, else the error. */
function sysSendmmsg(k: Kernel, t: Task, fd: number, vec: number, vlen: number, flags: number): IoResult {
  if ((flags & MsgFlag.MSG_CMSG_COMPAT) !== 0) return -Errno.EINVAL;
  const s = sockOf(t, fd);
  if (typeof s === 'number') return s;
  if (vlen > UIO_MAXIOV) vlen = UIO_MAXIOV;
  let datagrams = 0;
  const step = (): IoResult => {
    let err = 0;
    while (datagrams < vlen) {
      const entry = vec + datagrams * MMSGHDR_SIZE;
      const f = datagrams === vlen - 1 ? flags : flags | MsgFlag.MSG_BATCH;
      const out = { left: 0 };
      const r = sendOne(k, t, s, entry, f, out);
      const after = (v: number): number | null => {
        if (v < 0 || v === NO_RESUME) {
          err = v;
          return null;
        }
        scratchView.setUint32(0, v >>> 0, true);
        if (t.tg.mm.writeBytes(entry + MMSGHDR_LEN, scratch, 0, 4) < 0) {
          err = -Errno.EFAULT;
          return null;
        }
        datagrams++;
        return out.left > 0 ? null : 0;
      };
      if (typeof r !== 'number') {
        return r.then((v) => {
          if (after(v) === null) return datagrams > 0 && v !== NO_RESUME ? datagrams : err;
          return step();
        });
      }
      if (after(r) === null) break;
    }
    return datagrams > 0 && err !== NO_RESUME ? datagrams : err;
  };
  return step();
}

/** do_recvmmsg: receives up to vlen messages; MSG_WAITFORONE, the (after-the-fact) timeout, errors kept for the next call. */
function sysRecvmmsg(k: Kernel, t: Task, fd: number, vec: number, vlen: number, flags: number, timeout: number): IoResult {
  if ((flags & MsgFlag.MSG_CMSG_COMPAT) !== 0) return -Errno.EINVAL;
  let end = -1;
  if (timeout !== 0) {
    if (t.tg.mm.readBytes(timeout, scratch, 0, 16) < 0) return -Errno.EFAULT;
    const sec = getI64(scratchView, 0);
    const nsec = getI64(scratchView, 8);
    if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC) return -Errno.EINVAL;
    end = monotonicNs() + sec * NSEC_PER_SEC + nsec;
  }
  const s = sockOf(t, fd);
  if (typeof s === 'number') return s;
  if ((flags & MsgFlag.MSG_ERRQUEUE) === 0) {
    const e = s.takeError();
    if (e < 0) {
      s.changed();
      return e;
    }
  }
  let datagrams = 0;
  let err = 0;
  const finish = (): number => {
    if (err === NO_RESUME) return err;
    let r: number;
    if (err === 0) r = datagrams;
    else if (datagrams === 0) r = err;
    else {
      if (err !== -Errno.EAGAIN) {
        s.soError = -err;
        s.changed();
      }
      r = datagrams;
    }
    if (timeout !== 0 && r > 0) {
      const left = Math.max(0, end - monotonicNs());
      setI64(scratchView, 0, Math.floor(left / NSEC_PER_SEC));
      setI64(scratchView, 8, left % NSEC_PER_SEC);
      if (t.tg.mm.writeBytes(timeout, scratch, 0, 16) < 0) return -Errno.EFAULT;
    }
    return r;
  };
  let f = flags;
  /** After one message: false to stop. */
  const after = (v: number, entry: number): boolean => {
    if (v < 0 || v === NO_RESUME) {
      err = v;
      return false;
    }
    scratchView.setUint32(0, v >>> 0, true);
    if (t.tg.mm.writeBytes(entry + MMSGHDR_LEN, scratch, 0, 4) < 0) {
      err = -Errno.EFAULT;
      return false;
    }
    datagrams++;
    if ((flags & MsgFlag.MSG_WAITFORONE) !== 0) f |= MsgFlag.MSG_DONTWAIT;
    if (timeout !== 0 && end - monotonicNs() <= 0) return false;
    return true;
  };
  const step = (): IoResult => {
    while (datagrams < vlen) {
      const entry = vec + datagrams * MMSGHDR_SIZE;
      const r = recvOne(k, t, s, entry, f & ~MsgFlag.MSG_WAITFORONE);
      if (typeof r !== 'number') return r.then((v) => (after(v, entry) ? step() : finish()));
      if (!after(r, entry)) break;
    }
    return finish();
  };
  return step();
}

export function registerSocket(table: SyscallTable, k: Kernel): void {
  netHooks.current = () => {
    const t = k.currentTask;
    return t ? netCaller(k, t) : null;
  };
  netdevHooks.capable = (cap) => {
    const t = k.currentTask;
    return t ? capable(t.creds, cap) : false;
  };
  table[SYS.socket] = (t, a) => sysSocket(k, t, a.int(0), a.int(1), a.int(2));
  table[SYS.socketpair] = (t, a) => sysSocketpair(k, t, a.int(0), a.int(1), a.int(2), a.u64(3));
  table[SYS.bind] = (t, a) => sysBind(k, t, a.int(0), a.u64(1), a.int(2));
  table[SYS.listen] = (t, a) => sysListen(k, t, a.int(0), a.int(1));
  table[SYS.accept] = (t, a) => sysAccept(k, t, a.int(0), a.u64(1), a.u64(2), 0);
  table[SYS.accept4] = (t, a) => sysAccept(k, t, a.int(0), a.u64(1), a.u64(2), a.int(3));
  table[SYS.connect] = (t, a) => sysConnect(k, t, a.int(0), a.u64(1), a.int(2));
  table[SYS.getsockname] = (t, a) => sysGetName(t, a.int(0), a.u64(1), a.u64(2), 0);
  table[SYS.getpeername] = (t, a) => sysGetName(t, a.int(0), a.u64(1), a.u64(2), 1);
  table[SYS.sendto] = (t, a) => sysSendto(k, t, a);
  table[SYS.recvfrom] = (t, a) => sysRecvfrom(k, t, a);
  table[SYS.sendmsg] = (t, a) => sysSendmsg(k, t, a.int(0), a.u64(1), a.int(2));
  table[SYS.recvmsg] = (t, a) => sysRecvmsg(k, t, a.int(0), a.u64(1), a.int(2));
  table[SYS.sendmmsg] = (t, a) => sysSendmmsg(k, t, a.int(0), a.u64(1), a.u32(2), a.int(3));
  table[SYS.recvmmsg] = (t, a) => sysRecvmmsg(k, t, a.int(0), a.u64(1), a.u32(2), a.int(3), a.u64(4));
  table[SYS.shutdown] = (t, a) => sysShutdown(k, t, a.int(0), a.int(1));
  table[SYS.setsockopt] = (t, a) => sysSetsockopt(k, t, a.int(0), a.int(1), a.int(2), a.u64(3), a.int(4));
  table[SYS.getsockopt] = (t, a) => sysGetsockopt(k, t, a.int(0), a.int(1), a.int(2), a.u64(3), a.u64(4));
}
