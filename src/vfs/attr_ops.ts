// The calls that read or change attributes: the stat family, access(2),
// chmod(2), chown(2), utimensat(2), truncate(2), fallocate(2), statfs(2).
// Path-taking calls resolve first (lookupAt); these act on the result, so
// the f* variants share them.
import { Errno } from '../abi/linux/errno.js';
import { Access } from '../abi/linux/fcntl.js';
import { At, FileMode, S_IALLUGO, StatxAttr, StatxMask, type StatxValues } from '../abi/linux/stat.js';
import { Capability, capable, inGroup, type FsCredentials } from './credentials.js';
import type { Caller } from './fs_struct.js';
import { FallocFlag, isDir, isRegular, type SetAttrRequest, type StatFsValues } from './inode.js';
import { changeMask, notifyChange, notifyModify } from './inotify_hooks.js';
import { MAX_FILE_SIZE } from './limits.js';
import { writeDenied } from './write_access.js';
import { MountFlag } from './mount.js';
import { killPrivileges } from './open.js';
import type { OpenFile } from './open_file.js';
import type { VfsPath } from './path.js';
import { checkPermission, isOwnerOrCapable, May } from './permissions.js';
import { lookupAt } from './resolve.js';
import type { Timestamp } from './timestamp.js';

/** The statx mask a file system on the VFS fills. */
const STATX_FILLED = StatxMask.STATX_BASIC_STATS | StatxMask.STATX_BTIME | StatxMask.STATX_MNT_ID;

/** Fills out (stat and statx values) for the file at p. */
export function fillStat(p: VfsPath, out: StatxValues): void {
  const inode = p.dentry.inode;
  const a = inode.getattr();
  out.dev = inode.fs.dev;
  out.ino = inode.ino;
  out.nlink = a.nlink;
  out.mode = a.mode;
  out.uid = a.uid;
  out.gid = a.gid;
  out.rdev = a.rdev;
  out.size = a.size;
  out.blksize = a.blksize;
  out.blocks = a.blocks;
  out.atimeSec = a.atime.sec;
  out.atimeNsec = a.atime.nsec;
  out.mtimeSec = a.mtime.sec;
  out.mtimeNsec = a.mtime.nsec;
  out.ctimeSec = a.ctime.sec;
  out.ctimeNsec = a.ctime.nsec;
  out.btimeSec = a.btime.sec;
  out.btimeNsec = a.btime.nsec;
  out.mask = STATX_FILLED;
  out.attributes = p.dentry === p.mount.root ? StatxAttr.STATX_ATTR_MOUNT_ROOT : 0;
  out.attributesMask = StatxAttr.STATX_ATTR_MOUNT_ROOT;
  out.mntId = p.mount.id;
  out.dioMemAlign = 0;
  out.dioOffsetAlign = 0;
}

/** newfstatat / statx path resolution: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_NO_AUTOMOUNT and the statx sync flags. */
export function statAt(caller: Caller, dirfd: number, path: string, flags: number): VfsPath | number {
  const allowed = At.AT_SYMLINK_NOFOLLOW | At.AT_EMPTY_PATH | At.AT_NO_AUTOMOUNT | At.AT_STATX_SYNC_TYPE;
  if ((flags & ~allowed) !== 0) return -Errno.EINVAL;
  if ((flags & At.AT_STATX_SYNC_TYPE) === At.AT_STATX_SYNC_TYPE) return -Errno.EINVAL;
  return lookupAt(caller, dirfd, path, { follow: (flags & At.AT_SYMLINK_NOFOLLOW) === 0, emptyPath: (flags & At.AT_EMPTY_PATH) !== 0 });
}

/** The credentials access(2) checks with: real uid and gid, unless AT_EACCESS. */
function accessCreds(creds: FsCredentials): FsCredentials {
  const has = creds.hasCapability?.bind(creds);
  return {
    uid: creds.uid,
    gid: creds.gid,
    euid: creds.euid,
    fsuid: creds.uid,
    fsgid: creds.gid,
    groups: creds.groups,
    // access_override_creds: a non-root real uid checks without capabilities.
    hasCapability: has ? (cap) => creds.uid === 0 && has(cap) : undefined,
  };
}

/** access(2) / faccessat2(2). */
export function accessAt(caller: Caller, dirfd: number, path: string, mode: number, flags: number): number {
  if ((mode & ~(Access.R_OK | Access.W_OK | Access.X_OK)) !== 0) return -Errno.EINVAL;
  if ((flags & ~(At.AT_EACCESS | At.AT_SYMLINK_NOFOLLOW | At.AT_EMPTY_PATH)) !== 0) return -Errno.EINVAL;
  const creds = (flags & At.AT_EACCESS) !== 0 ? caller.creds : accessCreds(caller.creds);
  const c: Caller = { ...caller, creds };
  const p = lookupAt(c, dirfd, path, { follow: (flags & At.AT_SYMLINK_NOFOLLOW) === 0, emptyPath: (flags & At.AT_EMPTY_PATH) !== 0 });
  if (typeof p === 'number') return p;
  if (mode === Access.F_OK) return 0;
  const inode = p.dentry.inode;
  const type = inode.type;
  const plain = type === FileMode.S_IFREG || type === FileMode.S_IFDIR || type === FileMode.S_IFLNK;
  if ((mode & Access.X_OK) !== 0 && type === FileMode.S_IFREG && (p.mount.flags & MountFlag.MS_NOEXEC) !== 0) return -Errno.EACCES;
  if ((mode & Access.W_OK) !== 0 && plain && inode.fs.readOnly) return -Errno.EROFS;
  const r = checkPermission(creds, inode.getattr(), mode);
  if (r < 0) return r;
  if ((mode & Access.W_OK) !== 0 && plain && p.mount.readOnly) return -Errno.EROFS;
  return 0;
}

function writable(p: VfsPath): number {
  return p.mount.readOnly ? -Errno.EROFS : 0;
}

/** chmod(2) family on a resolved file: owner or CAP_FOWNER; S_ISGID dropped for a group the caller is not in. */
export function chmodPath(caller: Caller, p: VfsPath, mode: number): number {
  const err = writable(p);
  if (err < 0) return err;
  const inode = p.dentry.inode;
  const a = inode.getattr();
  if (!isOwnerOrCapable(caller.creds, a)) return -Errno.EPERM;
  let m = mode & S_IALLUGO;
  if ((m & FileMode.S_ISGID) !== 0 && !inGroup(caller.creds, a.gid) && !capable(caller.creds, Capability.CAP_FSETID)) m &= ~FileMode.S_ISGID;
  return changed(p, { mode: m, ctime: inode.fs.clock.now() });
}

/** fchmodat(2) / fchmodat2(2): a symlink's mode cannot be changed (EOPNOTSUPP). */
export function chmodAt(caller: Caller, dirfd: number, path: string, mode: number, flags: number): number {
  if ((flags & ~(At.AT_SYMLINK_NOFOLLOW | At.AT_EMPTY_PATH)) !== 0) return -Errno.EINVAL;
  const p = lookupAt(caller, dirfd, path, { follow: (flags & At.AT_SYMLINK_NOFOLLOW) === 0, emptyPath: (flags & At.AT_EMPTY_PATH) !== 0 });
  if (typeof p === 'number') return p;
  if (p.dentry.inode.type === FileMode.S_IFLNK) return -Errno.EOPNOTSUPP;
  return chmodPath(caller, p, mode);
}

/**
 * chown(2) family on a resolved file; -1 leaves an id unchanged. Changing
 * the owner needs CAP_CHOWN; the group, ownership of the file and
 * membership of the group, or CAP_CHOWN. On a non-directory S_ISUID is
 * cleared, and S_ISGID when group-executable (or the caller could not set it).
 */
export function chownPath(caller: Caller, p: VfsPath, uid: number, gid: number): number {
  const err = writable(p);
  if (err < 0) return err;
  const inode = p.dentry.inode;
  const a = inode.getattr();
  const creds = caller.creds;
  const setUid = uid !== -1 && uid !== 0xffffffff;
  const setGid = gid !== -1 && gid !== 0xffffffff;
  const canChown = capable(creds, Capability.CAP_CHOWN);
  if (setUid && !(creds.fsuid === a.uid && uid === a.uid) && !canChown) return -Errno.EPERM;
  if (setGid && !(creds.fsuid === a.uid && (gid === a.gid || inGroup(creds, gid))) && !canChown) return -Errno.EPERM;
  const req: SetAttrRequest = { ctime: inode.fs.clock.now() };
  if (setUid) req.uid = uid >>> 0;
  if (setGid) req.gid = gid >>> 0;
  if (!isDir(inode)) {
    let kill = a.mode & FileMode.S_ISUID;
    if ((a.mode & FileMode.S_ISGID) !== 0) {
      const groupExec = (a.mode & FileMode.S_IXGRP) !== 0;
      if (groupExec || (!inGroup(creds, a.gid) && !capable(creds, Capability.CAP_FSETID))) kill |= FileMode.S_ISGID;
    }
    if (kill !== 0) req.mode = a.mode & S_IALLUGO & ~kill;
  }
  return changed(p, req);
}

/** fchownat(2). */
export function chownAt(caller: Caller, dirfd: number, path: string, uid: number, gid: number, flags: number): number {
  if ((flags & ~(At.AT_SYMLINK_NOFOLLOW | At.AT_EMPTY_PATH)) !== 0) return -Errno.EINVAL;
  const p = lookupAt(caller, dirfd, path, { follow: (flags & At.AT_SYMLINK_NOFOLLOW) === 0, emptyPath: (flags & At.AT_EMPTY_PATH) !== 0 });
  if (typeof p === 'number') return p;
  return chownPath(caller, p, uid, gid);
}

/** A utimensat(2) time: an instant, UTIME_NOW or UTIME_OMIT. */
export type TimeSpec = Timestamp | 'now' | 'omit';

/**
 * utimensat(2) on a resolved file (the caller returns 0 early when both are
 * 'omit', as Linux does before resolving). Setting both to now needs
 * ownership, write permission or CAP_FOWNER (else EACCES); any explicit
 * time needs ownership or CAP_FOWNER (else EPERM).
 */
export function utimensPath(caller: Caller, p: VfsPath, atime: TimeSpec, mtime: TimeSpec): number {
  if (atime === 'omit' && mtime === 'omit') return 0;
  const err = writable(p);
  if (err < 0) return err;
  const inode = p.dentry.inode;
  const a = inode.getattr();
  // vfs_utimes: anything but "now" for both (a NULL times) is ATTR_TIMES_SET: the owner's (or CAP_FOWNER's) alone.
  const explicit = atime !== 'now' || mtime !== 'now';
  if (!isOwnerOrCapable(caller.creds, a)) {
    if (explicit) return -Errno.EPERM;
    const perm = checkPermission(caller.creds, a, May.WRITE);
    if (perm < 0) return perm;
  }
  const now = inode.fs.clock.now();
  const req: SetAttrRequest = { ctime: now };
  if (atime !== 'omit') req.atime = atime === 'now' ? now : atime;
  if (mtime !== 'omit') req.mtime = mtime === 'now' ? now : mtime;
  return changed(p, req);
}

/** truncate(2): write permission on the file; times change only with the size. */
export function truncatePath(caller: Caller, p: VfsPath, length: number): number {
  if (length < 0) return -Errno.EINVAL;
  const inode = p.dentry.inode;
  if (isDir(inode)) return -Errno.EISDIR;
  if (!isRegular(inode)) return -Errno.EINVAL;
  const err = writable(p);
  if (err < 0) return err;
  const a = inode.getattr();
  const perm = checkPermission(caller.creds, a, May.WRITE);
  if (perm < 0) return perm;
  if (writeDenied(inode)) return -Errno.ETXTBSY; // vfs_truncate's get_write_access
  if (length > MAX_FILE_SIZE) return -Errno.EFBIG;
  const req: SetAttrRequest = { size: length, ...killPrivileges(caller, a.mode) };
  if (length !== a.size) req.mtime = req.ctime = inode.fs.clock.now();
  return changed(p, req);
}

/** ftruncate(2): the file must be open for writing (EINVAL otherwise); mtime and ctime always change. */
export function ftruncate(caller: Caller, file: OpenFile, length: number): number {
  if (length < 0) return -Errno.EINVAL;
  if (file.isPath) return -Errno.EBADF;
  const inode = file.inode;
  if (!isRegular(inode) || !file.writable) return -Errno.EINVAL;
  if (length > MAX_FILE_SIZE) return -Errno.EFBIG;
  const now = inode.fs.clock.now();
  return changed(file.path, { size: length, mtime: now, ctime: now, ...killPrivileges(caller, inode.getattr().mode) });
}

const FALLOC_SUPPORTED = FallocFlag.FALLOC_FL_KEEP_SIZE | FallocFlag.FALLOC_FL_PUNCH_HOLE | FallocFlag.FALLOC_FL_COLLAPSE_RANGE |
  FallocFlag.FALLOC_FL_ZERO_RANGE | FallocFlag.FALLOC_FL_INSERT_RANGE | FallocFlag.FALLOC_FL_UNSHARE_RANGE;

/** fallocate(2): vfs_fallocate's checks, then the file system's. */
export function fallocate(file: OpenFile, mode: number, offset: number, len: number): number {
  if (offset < 0 || len <= 0) return -Errno.EINVAL;
  if ((mode & ~FALLOC_SUPPORTED) !== 0) return -Errno.EOPNOTSUPP;
  const punch = (mode & FallocFlag.FALLOC_FL_PUNCH_HOLE) !== 0;
  if (punch && (mode & FallocFlag.FALLOC_FL_ZERO_RANGE) !== 0) return -Errno.EOPNOTSUPP;
  if (punch && (mode & FallocFlag.FALLOC_FL_KEEP_SIZE) === 0) return -Errno.EOPNOTSUPP;
  if ((mode & FallocFlag.FALLOC_FL_COLLAPSE_RANGE) !== 0 && mode !== FallocFlag.FALLOC_FL_COLLAPSE_RANGE) return -Errno.EINVAL;
  if ((mode & FallocFlag.FALLOC_FL_INSERT_RANGE) !== 0 && mode !== FallocFlag.FALLOC_FL_INSERT_RANGE) return -Errno.EINVAL;
  if ((mode & FallocFlag.FALLOC_FL_UNSHARE_RANGE) !== 0 && (mode & ~(FallocFlag.FALLOC_FL_UNSHARE_RANGE | FallocFlag.FALLOC_FL_KEEP_SIZE)) !== 0) return -Errno.EINVAL;
  if (!file.writable) return -Errno.EBADF;
  const inode = file.inode;
  if (inode.type === FileMode.S_IFIFO) return -Errno.ESPIPE;
  if (isDir(inode)) return -Errno.EISDIR;
  if (!isRegular(inode) && inode.type !== FileMode.S_IFBLK) return -Errno.ENODEV;
  if (offset + len > MAX_FILE_SIZE) return -Errno.EFBIG;
  const r = inode.allocate(mode, offset, len);
  if (r === 0) notifyModify(file.path.dentry);
  return r;
}

/** notify_change: the file system applies req, then watchers hear of it (fsnotify_change). */
function changed(p: VfsPath, req: SetAttrRequest): number {
  const r = p.dentry.inode.setattr(req);
  if (r >= 0) notifyChange(p.dentry, changeMask(req));
  return r;
}

/** statfs(2) f_flags bits (ST_*). */
const enum StFlag {
  ST_RDONLY = 1,
  ST_NOSUID = 2,
  ST_NODEV = 4,
  ST_NOEXEC = 8,
  ST_SYNCHRONOUS = 16,
  ST_VALID = 32,
  ST_MANDLOCK = 64,
  ST_NOSYMFOLLOW = 256,
  ST_NOATIME = 1024,
  ST_NODIRATIME = 2048,
  ST_RELATIME = 4096,
}

/** statfs(2) / fstatfs(2): the file system's numbers and the mount's flags. */
export function statfsPath(p: VfsPath): StatFsValues {
  const v = p.mount.fs.statfs();
  const m = p.mount.flags;
  let f = v.flags | StFlag.ST_VALID;
  if (p.mount.readOnly) f |= StFlag.ST_RDONLY;
  if ((m & MountFlag.MS_NOSUID) !== 0) f |= StFlag.ST_NOSUID;
  if ((m & MountFlag.MS_NODEV) !== 0) f |= StFlag.ST_NODEV;
  if ((m & MountFlag.MS_NOEXEC) !== 0) f |= StFlag.ST_NOEXEC;
  if ((m & MountFlag.MS_SYNCHRONOUS) !== 0) f |= StFlag.ST_SYNCHRONOUS;
  if ((m & MountFlag.MS_MANDLOCK) !== 0) f |= StFlag.ST_MANDLOCK;
  if ((m & MountFlag.MS_NOSYMFOLLOW) !== 0) f |= StFlag.ST_NOSYMFOLLOW;
  if ((m & MountFlag.MS_NOATIME) !== 0) f |= StFlag.ST_NOATIME;
  if ((m & MountFlag.MS_NODIRATIME) !== 0) f |= StFlag.ST_NODIRATIME;
  if ((m & MountFlag.MS_RELATIME) !== 0) f |= StFlag.ST_RELATIME;
  return { ...v, flags: f };
}
