// mount(2) and umount2(2) inside the sandbox (fs/namespace.c): new tmpfs,
// proc and sysfs instances, bind mounts (MS_BIND, MS_REC), remounts
// (MS_REMOUNT, with MS_BIND the per-mount flags only), propagation types
// (recorded), MS_MOVE; and unmounting (MNT_FORCE, MNT_DETACH, MNT_EXPIRE,
// UMOUNT_NOFOLLOW). Root only (CAP_SYS_ADMIN); every path is the sandbox's.
import { Errno } from '../../abi/linux/errno.js';
import { At } from '../../abi/linux/stat.js';
import { SYS } from '../../abi/linux/syscalls.js';
import { fileSystemTypesOf, type FileSystemTypes } from '../../kernel/fs_types.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { Capability, capable } from '../../vfs/credentials.js';
import { notifyUnmount } from '../../vfs/inotify_hooks.js';
import { PATH_MAX } from '../../vfs/limits.js';
import { ATIME_FLAGS, MountFlag, PER_MOUNT_FLAGS, PROPAGATION_FLAGS, UmountFlag, type Mount } from '../../vfs/mount.js';
import type { VfsPath } from '../../vfs/path.js';
import { lookupAt } from '../../vfs/resolve.js';
import type { SyscallTable } from '../table.js';
import { byteString, callerOf, readPath } from './common.js';

const PAGE_SIZE = 4096;
/** MS_MGC_VAL: the magic old programs put in the top 16 bits of the flags (discarded). */
const MS_MGC_VAL = 0xc0ed0000;
const MS_MGC_MSK = 0xffff0000;
/** The superblock flags of path_mount. */
const SB_FLAGS =
  MountFlag.MS_RDONLY | MountFlag.MS_SYNCHRONOUS | MountFlag.MS_MANDLOCK | MountFlag.MS_DIRSYNC | MountFlag.MS_SILENT |
  MountFlag.MS_POSIXACL | MountFlag.MS_LAZYTIME | MountFlag.MS_I_VERSION;
/** The per-mount flags mount(2) sets from its own (MNT_USER_SETTABLE_MASK). */
const USER_SETTABLE =
  MountFlag.MS_NOSUID | MountFlag.MS_NODEV | MountFlag.MS_NOEXEC | MountFlag.MS_NOATIME | MountFlag.MS_NODIRATIME |
  MountFlag.MS_RELATIME | MountFlag.MS_RDONLY | MountFlag.MS_NOSYMFOLLOW;
const UMOUNT_FLAGS = UmountFlag.MNT_FORCE | UmountFlag.MNT_DETACH | UmountFlag.MNT_EXPIRE | UmountFlag.UMOUNT_NOFOLLOW;

/** copy_mount_string: a NUL-terminated string of under PATH_MAX bytes (strndup_user: EFAULT, or EINVAL if longer); null for NULL. */
function readMountString(t: Task, addr: number): string | null | number {
  if (addr === 0) return null;
  const b = t.tg.mm.readCStringBytes(addr, PATH_MAX);
  if (b === -Errno.ENAMETOOLONG) return -Errno.EINVAL;
  return typeof b === 'number' ? b : byteString(b);
}

/**
 * copy_mount_options: up to a page from addr, as much of it as is readable
 * (EFAULT if nothing is), taken as a string up to its NUL (path_mount puts
 * one at the end of the page); null for NULL.
 */
function readMountData(t: Task, addr: number): string | null | number {
  if (addr === 0) return null;
  const buf = new Uint8Array(PAGE_SIZE);
  let n = 0;
  while (n < PAGE_SIZE) {
    const chunk = Math.min(PAGE_SIZE - n, PAGE_SIZE - ((addr + n) % PAGE_SIZE));
    if (t.tg.mm.readBytes(addr + n, buf, n, chunk) < 0) break;
    n += chunk;
  }
  if (n === 0) return -Errno.EFAULT;
  buf[PAGE_SIZE - 1] = 0;
  const nul = buf.subarray(0, n).indexOf(0);
  return byteString(buf.subarray(0, nul < 0 ? n : nul));
}

/** path_mount's per-mount flags (in MS_* bits): relatime unless noatime or strictatime; a remount keeps the atime flags unless it names some. */
function mountFlagsOf(flags: number, at: VfsPath): number {
  let mnt = (flags & MountFlag.MS_NOATIME) === 0 ? MountFlag.MS_RELATIME : 0;
  mnt |= flags & (MountFlag.MS_NOSUID | MountFlag.MS_NODEV | MountFlag.MS_NOEXEC | MountFlag.MS_NOATIME | MountFlag.MS_NODIRATIME | MountFlag.MS_RDONLY | MountFlag.MS_NOSYMFOLLOW);
  if ((flags & MountFlag.MS_STRICTATIME) !== 0) mnt &= ~(MountFlag.MS_RELATIME | MountFlag.MS_NOATIME);
  const atime = MountFlag.MS_NOATIME | MountFlag.MS_NODIRATIME | MountFlag.MS_RELATIME | MountFlag.MS_STRICTATIME;
  if ((flags & MountFlag.MS_REMOUNT) !== 0 && (flags & atime) === 0) {
    mnt = (mnt & ~ATIME_FLAGS) | (at.mount.flags & ATIME_FLAGS);
  }
  return mnt;
}

/** set_mount_attributes: the user-settable flags replaced. */
function setMountFlags(m: Mount, mnt: number): void {
  m.flags = ((m.flags & ~USER_SETTABLE) | mnt) & PER_MOUNT_FLAGS;
}

/** The root of a mount of the caller's namespace (path_mounted and check_mnt), else EINVAL. */
function mountRootOf(t: Task, at: VfsPath): Mount | number {
  return at.dentry === at.mount.root && at.mount.ns === t.tg.fsContext.mountNs ? at.mount : -Errno.EINVAL;
}

/** A source path of MS_BIND or MS_MOVE: none or empty is EINVAL. */
function lookupSource(t: Task, source: string | null): VfsPath | number {
  if (source === null || source === '') return -Errno.EINVAL;
  return lookupAt(callerOf(t), At.AT_FDCWD, source, { follow: true });
}

function newMount(t: Task, types: FileSystemTypes | undefined, at: VfsPath, typeName: string | null, source: string | null, data: string | null, sbFlags: number, mnt: number): number {
  if (typeName === null) return -Errno.EINVAL;
  const type = types?.get(typeName);
  if (!types || !type) return -Errno.ENODEV;
  const fs = types.newMount(type, source, data, sbFlags);
  if (typeof fs === 'number') return fs;
  const m = t.tg.fsContext.mountNs.mount(fs, at, mnt);
  if (typeof m === 'number') {
    types.described.delete(fs);
    return m;
  }
  return 0;
}

function remount(t: Task, types: FileSystemTypes | undefined, at: VfsPath, data: string | null, sbFlags: number, mnt: number): number {
  const m = mountRootOf(t, at);
  if (typeof m === 'number') return m;
  if (types) {
    const r = types.remount(m.fs, data, sbFlags);
    if (r < 0) return r;
  }
  setMountFlags(m, mnt);
  return 0;
}

/** do_change_type: exactly one propagation type (MS_REC and MS_SILENT aside), on a mount root. */
function changeType(t: Task, at: VfsPath, flags: number): number {
  const m = mountRootOf(t, at);
  if (typeof m === 'number') return m;
  const type = flags & ~(MountFlag.MS_REC | MountFlag.MS_SILENT);
  if ((type & ~PROPAGATION_FLAGS) !== 0 || type === 0 || (type & (type - 1)) !== 0) return -Errno.EINVAL;
  return t.tg.fsContext.mountNs.setPropagation(m, type, (flags & MountFlag.MS_REC) !== 0);
}

/** mount(2): the strings are read first (type, source, options), then the target is looked up, then the flags and the caller are checked. */
function mount(t: Task, types: FileSystemTypes | undefined, sourceAddr: number, targetAddr: number, typeAddr: number, flagsArg: number, dataAddr: number): number {
  const typeName = readMountString(t, typeAddr);
  if (typeof typeName === 'number') return typeName;
  const source = readMountString(t, sourceAddr);
  if (typeof source === 'number') return source;
  const data = readMountData(t, dataAddr);
  if (typeof data === 'number') return data;
  const target = readPath(t, targetAddr);
  if (typeof target === 'number') return target;
  const at = lookupAt(callerOf(t), At.AT_FDCWD, target, { follow: true });
  if (typeof at === 'number') return at;

  let flags = flagsArg | 0;
  if ((flags & MS_MGC_MSK) >>> 0 === MS_MGC_VAL) flags &= ~MS_MGC_MSK;
  if ((flags & MountFlag.MS_NOUSER) !== 0) return -Errno.EINVAL;
  if (!capable(t.creds, Capability.CAP_SYS_ADMIN)) return -Errno.EPERM;

  const mnt = mountFlagsOf(flags, at);
  const sbFlags = flags & SB_FLAGS;
  const ns = t.tg.fsContext.mountNs;
  if ((flags & (MountFlag.MS_REMOUNT | MountFlag.MS_BIND)) === (MountFlag.MS_REMOUNT | MountFlag.MS_BIND)) {
    // do_reconfigure_mnt: the mount's own flags, not the file system's.
    const m = mountRootOf(t, at);
    if (typeof m === 'number') return m;
    setMountFlags(m, mnt);
    return 0;
  }
  if ((flags & MountFlag.MS_REMOUNT) !== 0) return remount(t, types, at, data, sbFlags, mnt);
  if ((flags & MountFlag.MS_BIND) !== 0) {
    const src = lookupSource(t, source);
    if (typeof src === 'number') return src;
    const m = ns.bind(src, at, src.mount.flags, (flags & MountFlag.MS_REC) !== 0);
    return typeof m === 'number' ? m : 0;
  }
  if ((flags & PROPAGATION_FLAGS) !== 0) return changeType(t, at, flags);
  if ((flags & MountFlag.MS_MOVE) !== 0) {
    const src = lookupSource(t, source);
    if (typeof src === 'number') return src;
    return ns.move(src, at);
  }
  return newMount(t, types, at, typeName, source, data, sbFlags, mnt);
}

/**
 * umount2(2): the flags, the lookup, the caller (EPERM), then the target
 * must be a mount root of the caller's namespace. The caller's own root is
 * not unmounted without MNT_DETACH: it is made read-only, as Linux does.
 */
function umount2(t: Task, types: FileSystemTypes | undefined, targetAddr: number, flags: number): number {
  if ((flags & ~UMOUNT_FLAGS) !== 0) return -Errno.EINVAL;
  const target = readPath(t, targetAddr);
  if (typeof target === 'number') return target;
  const caller = callerOf(t);
  const at = lookupAt(caller, At.AT_FDCWD, target, { follow: (flags & UmountFlag.UMOUNT_NOFOLLOW) === 0 });
  if (typeof at === 'number') return at;
  if (!capable(t.creds, Capability.CAP_SYS_ADMIN)) return -Errno.EPERM;
  const m = mountRootOf(t, at);
  if (typeof m === 'number') return m;
  const rootMount = caller.fs.root.mount;
  if (m === rootMount && (flags & (UmountFlag.MNT_DETACH | UmountFlag.MNT_EXPIRE)) === 0) {
    if (types && !m.fs.readOnly) {
      const r = types.remount(m.fs, null, MountFlag.MS_RDONLY);
      if (r < 0) return r;
    }
    if (!m.fs.readOnly) m.flags |= MountFlag.MS_RDONLY;
    return 0;
  }
  const r = t.tg.fsContext.mountNs.umount(at, flags, rootMount);
  if (r === 0) notifyUnmount(t.tg.fsContext.mountNs, m.fs);
  return r;
}

export function registerMount(table: SyscallTable, k: Kernel): void {
  table[SYS.mount] = (t, a) => mount(t, fileSystemTypesOf(k), a.u64(0), a.u64(1), a.u64(2), a.u32(3), a.u64(4));
  table[SYS.umount2] = (t, a) => umount2(t, fileSystemTypesOf(k), a.u64(0), a.int(1));
}
