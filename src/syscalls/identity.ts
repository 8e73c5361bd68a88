// Identity and credentials (man 2 getpid, getuid, setuid, setreuid,
// setresuid, setfsuid, getgroups, setgroups, capget; man 7 credentials):
// kernel/sys.c, kernel/groups.c and kernel/capability.c, with the capability
// fix-ups of security/commoncap.c (src/kernel/capabilities.ts).
//
// Each call that changes credentials works on a clone and installs it with
// commitCreds. It changes only the calling thread, as Linux does: glibc makes
// a multi-threaded process's threads agree by running the call in each
// (nptl's SIGSETXID broadcast).
import {
  CAP_USER_DATA_SIZE,
  CapUserData,
  CapVersion,
  Capability,
  INVALID_ID,
  NGROUPS_MAX,
  _LINUX_CAPABILITY_U32S_1,
  _LINUX_CAPABILITY_U32S_3,
} from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import { SYS } from '../abi/linux/syscalls.js';
import { CapSet, applyCapset, capsetAllowed, fixCapsAfterSetfsuid, fixCapsAfterSetuid } from '../kernel/capabilities.js';
import type { Credentials } from '../kernel/creds.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { commitCreds } from '../kernel/task_attrs.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

/** The ID classes: user IDs need CAP_SETUID and move capabilities; group IDs need CAP_SETGID. */
interface IdKind {
  cap: Capability;
  uid: boolean;
}
const USER: IdKind = { cap: Capability.CAP_SETUID, uid: true };
const GROUP: IdKind = { cap: Capability.CAP_SETGID, uid: false };

/** The real, effective, saved and file-system IDs of one kind. */
function ids(c: Credentials, k: IdKind): [number, number, number, number] {
  return k.uid ? [c.uid, c.euid, c.suid, c.fsuid] : [c.gid, c.egid, c.sgid, c.fsgid];
}

function setIds(c: Credentials, k: IdKind, r: number, e: number, s: number, fs: number): void {
  if (k.uid) {
    c.uid = r;
    c.euid = e;
    c.suid = s;
    c.fsuid = fs;
  } else {
    c.gid = r;
    c.egid = e;
    c.sgid = s;
    c.fsgid = fs;
  }
}

/** Installs next after a set*uid / set*gid: the capability fix-ups for user IDs (cap_task_fix_setuid), then commit_creds. */
function commitIds(t: Task, k: IdKind, prev: Credentials, next: Credentials): number {
  if (k.uid) fixCapsAfterSetuid(prev, next);
  commitCreds(t, next);
  return 0;
}

/** setuid / setgid: with the capability, all of real, effective and saved; otherwise the effective ID, to the real or saved one. */
function setOne(t: Task, k: IdKind, id: number): number {
  if (id === INVALID_ID) return -Errno.EINVAL;
  const prev = t.creds;
  const [r, , s] = ids(prev, k);
  const next = prev.clone();
  if (prev.hasCapability(k.cap)) setIds(next, k, id, id, id, id);
  else if (id === r || id === s) setIds(next, k, r, id, s, id);
  else return -Errno.EPERM;
  return commitIds(t, k, prev, next);
}

/** setreuid / setregid (-1 keeps an ID). */
function setRe(t: Task, k: IdKind, rid: number, eid: number): number {
  const prev = t.creds;
  const [r, e, s] = ids(prev, k);
  const priv = prev.hasCapability(k.cap);
  let nr = r;
  let ne = e;
  if (rid !== INVALID_ID) {
    nr = rid;
    if (rid !== r && rid !== e && !priv) return -Errno.EPERM;
  }
  if (eid !== INVALID_ID) {
    ne = eid;
    if (eid !== r && eid !== e && eid !== s && !priv) return -Errno.EPERM;
  }
  // The saved ID follows the effective one when the real ID is set, or the effective one is set to other than the old real ID.
  const ns = rid !== INVALID_ID || (eid !== INVALID_ID && eid !== r) ? ne : s;
  const next = prev.clone();
  setIds(next, k, nr, ne, ns, ne);
  return commitIds(t, k, prev, next);
}

/** setresuid / setresgid (-1 keeps an ID): unprivileged callers may only use their current real, effective or saved IDs. */
function setRes(t: Task, k: IdKind, rid: number, eid: number, sid: number): number {
  const prev = t.creds;
  const [r, e, s, fs] = ids(prev, k);
  const keep = (x: number): boolean => x === INVALID_ID;
  // A no-op is not even a credential change (the fsuid check: fsuid follows euid).
  if ((keep(rid) || rid === r) && (keep(eid) || (eid === e && eid === fs)) && (keep(sid) || sid === s)) return 0;
  const isNew = (x: number): boolean => !keep(x) && x !== r && x !== e && x !== s;
  if ((isNew(rid) || isNew(eid) || isNew(sid)) && !prev.hasCapability(k.cap)) return -Errno.EPERM;
  const ne = keep(eid) ? e : eid;
  const next = prev.clone();
  setIds(next, k, keep(rid) ? r : rid, ne, keep(sid) ? s : sid, ne);
  return commitIds(t, k, prev, next);
}

/** getresuid / getresgid: three put_user in order. */
function getRes(t: Task, k: IdKind, ra: number, ea: number, sa: number): number {
  const [r, e, s] = ids(t.creds, k);
  const mm = t.tg.mm;
  let x = mm.writeU32(ra, r);
  if (x < 0) return x;
  x = mm.writeU32(ea, e);
  if (x < 0) return x;
  return mm.writeU32(sa, s);
}

/** setfsuid / setfsgid: returns the old file-system ID whether or not it changed; never an errno. */
function setFs(t: Task, k: IdKind, id: number): number {
  const prev = t.creds;
  const [r, e, s, fs] = ids(prev, k);
  if (id === INVALID_ID) return fs;
  if ((id === r || id === e || id === s || id === fs || prev.hasCapability(k.cap)) && id !== fs) {
    const next = prev.clone();
    if (k.uid) next.fsuid = id;
    else next.fsgid = id;
    if (k.uid) fixCapsAfterSetfsuid(prev, next);
    commitCreds(t, next);
  }
  return fs;
}

/** A buffer of n bytes for group lists: the shared scratch when it fits. */
function groupBuffer(n: number): Uint8Array {
  return n <= scratch.length ? scratch : new Uint8Array(n);
}

function getgroups(t: Task, size: number, addr: number): number {
  const groups = t.creds.groups;
  // kernel/groups.c: only a negative size is invalid; 0 asks for the count.
  if (size < 0) return -Errno.EINVAL;
  if (size === 0 || groups.length === 0) return groups.length;
  if (size < groups.length) return -Errno.EINVAL;
  const buf = groupBuffer(groups.length * 4);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < groups.length; i++) dv.setUint32(i * 4, groups[i], true);
  const r = t.tg.mm.writeBytes(addr, buf, 0, groups.length * 4);
  return r < 0 ? r : groups.length;
}

function setgroups(t: Task, size: number, addr: number): number {
  // may_setgroups, then the size, then each gid as groups_from_user reads it.
  if (!t.creds.hasCapability(Capability.CAP_SETGID)) return -Errno.EPERM;
  if (size >>> 0 > NGROUPS_MAX) return -Errno.EINVAL;
  const groups: number[] = new Array<number>(size);
  if (size > 0) {
    const buf = groupBuffer(size * 4);
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const r = t.tg.mm.readBytes(addr, buf, 0, size * 4);
    if (r < 0) {
      // Which comes first: an invalid gid before the unreadable part, or the fault.
      for (let i = 0; i < size; i++) {
        const g = t.tg.mm.readBytes(addr + i * 4, buf, 0, 4);
        if (g < 0) return g;
        if (dv.getUint32(0, true) === INVALID_ID) return -Errno.EINVAL;
      }
      return r;
    }
    for (let i = 0; i < size; i++) {
      const g = dv.getUint32(i * 4, true);
      if (g === INVALID_ID) return -Errno.EINVAL;
      groups[i] = g;
    }
  }
  const next = t.creds.clone();
  next.setGroups(groups);
  commitCreds(t, next);
  return 0;
}

/**
 * cap_validate_magic: the header's version gives the number of
 * cap_user_data_t words to copy; an unknown version is EINVAL after the
 * preferred version is written back (a probe).
 */
function capVersion(t: Task, hdr: number): number {
  const r = t.tg.mm.readBytes(hdr, scratch, 0, 4);
  if (r < 0) return r;
  switch (scratchView.getUint32(0, true)) {
    case CapVersion._LINUX_CAPABILITY_VERSION_1:
      return _LINUX_CAPABILITY_U32S_1;
    case CapVersion._LINUX_CAPABILITY_VERSION_2:
    case CapVersion._LINUX_CAPABILITY_VERSION_3:
      return _LINUX_CAPABILITY_U32S_3;
    default: {
      const w = t.tg.mm.writeU32(hdr, CapVersion._LINUX_CAPABILITY_VERSION_3);
      return w < 0 ? w : -Errno.EINVAL;
    }
  }
}

/** The header's pid (an int after the version). */
function capPid(t: Task, hdr: number): number | null {
  const r = t.tg.mm.readBytes(hdr + 4, scratch, 0, 4);
  return r < 0 ? null : scratchView.getInt32(0, true);
}

function capget(k: Kernel, t: Task, hdr: number, data: number): number {
  const words = capVersion(t, hdr);
  // A NULL data pointer is how programs probe the version: the preferred one was written, and it is no error.
  if (data === 0) return words === -Errno.EINVAL ? 0 : words < 0 ? words : 0;
  if (words < 0) return words;
  const pid = capPid(t, hdr);
  if (pid === null) return -Errno.EFAULT;
  if (pid < 0) return -Errno.EINVAL;
  const target = pid === 0 || pid === t.tid ? t : k.tasks.get(pid);
  if (!target) return -Errno.ESRCH;
  const c = target.creds;
  const dv = scratchView;
  const sets: [CapSet, CapSet, CapSet] = [c.effective, c.permitted, c.inheritable];
  for (let w = 0; w < words; w++) {
    const base = w * CAP_USER_DATA_SIZE;
    dv.setUint32(base + CapUserData.EFFECTIVE, w === 0 ? sets[0].lo : sets[0].hi, true);
    dv.setUint32(base + CapUserData.PERMITTED, w === 0 ? sets[1].lo : sets[1].hi, true);
    dv.setUint32(base + CapUserData.INHERITABLE, w === 0 ? sets[2].lo : sets[2].hi, true);
  }
  return t.tg.mm.writeBytes(data, scratch, 0, words * CAP_USER_DATA_SIZE);
}

function capset(t: Task, hdr: number, data: number): number {
  const words = capVersion(t, hdr);
  if (words < 0) return words;
  const pid = capPid(t, hdr);
  if (pid === null) return -Errno.EFAULT;
  // Only the caller's own capabilities can be set.
  if (pid !== 0 && pid !== t.tid) return -Errno.EPERM;
  scratch.fill(0, 0, 2 * CAP_USER_DATA_SIZE);
  const r = t.tg.mm.readBytes(data, scratch, 0, words * CAP_USER_DATA_SIZE);
  if (r < 0) return r;
  const dv = scratchView;
  const word = (w: number, off: number): number => dv.getUint32(w * CAP_USER_DATA_SIZE + off, true);
  const eff = new CapSet(word(0, CapUserData.EFFECTIVE), word(1, CapUserData.EFFECTIVE));
  const perm = new CapSet(word(0, CapUserData.PERMITTED), word(1, CapUserData.PERMITTED));
  const inh = new CapSet(word(0, CapUserData.INHERITABLE), word(1, CapUserData.INHERITABLE));
  const prev = t.creds;
  const ok = capsetAllowed(prev, eff, perm, inh);
  if (ok < 0) return ok;
  const next = prev.clone();
  applyCapset(next, eff, perm, inh);
  commitCreds(t, next);
  return 0;
}

export function registerIdentity(table: SyscallTable, k: Kernel): void {
  table[SYS.getpid] = (t) => t.tg.pid;
  table[SYS.gettid] = (t) => t.tid;
  table[SYS.getppid] = (t) => t.tg.ppid;
  table[SYS.getuid] = (t) => t.creds.uid;
  table[SYS.geteuid] = (t) => t.creds.euid;
  table[SYS.getgid] = (t) => t.creds.gid;
  table[SYS.getegid] = (t) => t.creds.egid;

  table[SYS.setuid] = (t, a) => setOne(t, USER, a.u32(0));
  table[SYS.setgid] = (t, a) => setOne(t, GROUP, a.u32(0));
  table[SYS.setreuid] = (t, a) => setRe(t, USER, a.u32(0), a.u32(1));
  table[SYS.setregid] = (t, a) => setRe(t, GROUP, a.u32(0), a.u32(1));
  table[SYS.setresuid] = (t, a) => setRes(t, USER, a.u32(0), a.u32(1), a.u32(2));
  table[SYS.setresgid] = (t, a) => setRes(t, GROUP, a.u32(0), a.u32(1), a.u32(2));
  table[SYS.getresuid] = (t, a) => getRes(t, USER, a.u64(0), a.u64(1), a.u64(2));
  table[SYS.getresgid] = (t, a) => getRes(t, GROUP, a.u64(0), a.u64(1), a.u64(2));
  table[SYS.setfsuid] = (t, a) => setFs(t, USER, a.u32(0));
  table[SYS.setfsgid] = (t, a) => setFs(t, GROUP, a.u32(0));
  table[SYS.getgroups] = (t, a) => getgroups(t, a.int(0), a.u64(1));
  table[SYS.setgroups] = (t, a) => setgroups(t, a.int(0), a.u64(1));
  table[SYS.capget] = (t, a) => capget(k, t, a.u64(0), a.u64(1));
  table[SYS.capset] = (t, a) => capset(t, a.u64(0), a.u64(1));
}
