// The calls that add, remove and move names: mkdir, mknod, symlink, link,
// unlink, rmdir, rename(2)/renameat2(2), and readlink. Each follows the order
// of checks of its Linux implementation, so that when several errors apply
// the same one is returned.
import { Errno } from '../abi/linux/errno.js';
import { FileMode, S_IALLUGO, At } from '../abi/linux/stat.js';
import { Capability, capable } from './credentials.js';
import type { Dentry } from './dentry.js';
import type { Caller } from './fs_struct.js';
import { isDir, isSymlink, RenameFlag } from './inode.js';
import { PATH_MAX } from './limits.js';
import { touchAtime } from './atime.js';
import { lastNameWatched, notifyCreate, notifyDelete, notifyLink, notifyRename } from './inotify_hooks.js';
import type { MountNamespace } from './mount.js';
import type { VfsPath } from './path.js';
import { checkPermission, May, ownerForNew, stickyForbids } from './permissions.js';
import { LastType, lookupAt, lookupChild, lookupParentAt, type ParentLookup } from './resolve.js';
import { clearLinkable, isLinkable } from './tmpfile.js';

/**
 * filename_create: the parent of a name to be created. "." / ".." / "/" are
 * EEXIST; an existing name is EEXIST; a trailing slash on a missing name is
 * ENOENT unless a directory is being made; a read-only mount is EROFS.
 */
function prepareCreate(caller: Caller, dirfd: number, path: string, wantDir: boolean): ParentLookup | number {
  const p = lookupParentAt(caller, dirfd, path);
  if (typeof p === 'number') return p;
  if (p.type !== LastType.NORM) return -Errno.EEXIST;
  const child = lookupChild(p.parent.dentry, p.name);
  if (typeof child !== 'number') return -Errno.EEXIST;
  if (child !== -Errno.ENOENT) return child;
  if (p.trailing && !wantDir) return -Errno.ENOENT;
  if (p.parent.mount.readOnly) return -Errno.EROFS;
  return p;
}

/** may_create: the directory still exists and the caller may write and search it. */
function mayCreate(caller: Caller, dir: VfsPath): number {
  if (dir.dentry.dead) return -Errno.ENOENT;
  return checkPermission(caller.creds, dir.dentry.inode.getattr(), May.WRITE | May.EXEC);
}

/**
 * may_delete: write and search permission on the directory, the sticky bit,
 * the victim's type against the call (ENOTDIR / EISDIR), never a file
 * system's root (EBUSY).
 */
function mayDelete(caller: Caller, dir: VfsPath, victim: Dentry, wantDir: boolean): number {
  const dirAttrs = dir.dentry.inode.getattr();
  const perm = checkPermission(caller.creds, dirAttrs, May.WRITE | May.EXEC);
  if (perm < 0) return perm;
  if (stickyForbids(caller.creds, dirAttrs, victim.inode.getattr())) return -Errno.EPERM;
  if (wantDir) {
    if (!isDir(victim.inode)) return -Errno.ENOTDIR;
    if (!victim.parent) return -Errno.EBUSY;
  } else if (isDir(victim.inode)) {
    return -Errno.EISDIR;
  }
  if (dir.dentry.dead) return -Errno.ENOENT;
  return 0;
}

/** is_local_mountpoint: something in this namespace is mounted on d. */
function isMountpointIn(ns: MountNamespace | null, d: Dentry): boolean {
  if (d.mountedHere === 0 || !ns) return false;
  return ns.mounts().some((m) => m.mountpoint === d);
}

/** mkdir(2) / mkdirat(2): mode & 01777 less the umask. */
export function mkdirAt(caller: Caller, dirfd: number, path: string, mode: number): number {
  const p = prepareCreate(caller, dirfd, path, true);
  if (typeof p === 'number') return p;
  const err = mayCreate(caller, p.parent);
  if (err < 0) return err;
  const dir = p.parent.dentry;
  const perm = mode & (0o777 | FileMode.S_ISVTX) & ~caller.fs.umask;
  const owner = ownerForNew(caller.creds, dir.inode.getattr(), FileMode.S_IFDIR | perm);
  const inode = dir.inode.mkdir(p.name, { ...owner, rdev: 0 });
  if (typeof inode === 'number') return inode;
  notifyCreate(dir, dir.cache.insert(dir, p.name, inode));
  return 0;
}

/**
 * mknod(2) / mknodat(2): a regular file (type 0 or S_IFREG), FIFO, socket, or,
 * with CAP_MKNOD, a device node. A directory type is EPERM, an unknown one EINVAL.
 */
export function mknodAt(caller: Caller, dirfd: number, path: string, mode: number, dev: number): number {
  let type = mode & FileMode.S_IFMT;
  switch (type) {
    case 0:
      type = FileMode.S_IFREG;
      break;
    case FileMode.S_IFREG:
    case FileMode.S_IFCHR:
    case FileMode.S_IFBLK:
    case FileMode.S_IFIFO:
    case FileMode.S_IFSOCK:
      break;
    case FileMode.S_IFDIR:
      return -Errno.EPERM;
    default:
      return -Errno.EINVAL;
  }
  const p = prepareCreate(caller, dirfd, path, false);
  if (typeof p === 'number') return p;
  const err = mayCreate(caller, p.parent);
  if (err < 0) return err;
  const device = type === FileMode.S_IFCHR || type === FileMode.S_IFBLK;
  if (device && !capable(caller.creds, Capability.CAP_MKNOD)) return -Errno.EPERM;
  const dir = p.parent.dentry;
  const owner = ownerForNew(caller.creds, dir.inode.getattr(), type | (mode & S_IALLUGO & ~caller.fs.umask));
  const inode = dir.inode.mknod(p.name, { ...owner, rdev: device ? dev : 0 });
  if (typeof inode === 'number') return inode;
  notifyCreate(dir, dir.cache.insert(dir, p.name, inode));
  return 0;
}

/** symlink(2) / symlinkat(2). An empty target is ENOENT (man 2 symlink). */
export function symlinkAt(caller: Caller, target: string, dirfd: number, path: string): number {
  if (target.length === 0) return -Errno.ENOENT;
  if (target.length >= PATH_MAX) return -Errno.ENAMETOOLONG;
  const p = prepareCreate(caller, dirfd, path, false);
  if (typeof p === 'number') return p;
  const err = mayCreate(caller, p.parent);
  if (err < 0) return err;
  const dir = p.parent.dentry;
  const owner = ownerForNew(caller.creds, dir.inode.getattr(), FileMode.S_IFLNK | 0o777);
  const inode = dir.inode.symlink(p.name, target, { mode: FileMode.S_IFLNK | 0o777, uid: owner.uid, gid: owner.gid, rdev: 0 });
  if (typeof inode === 'number') return inode;
  notifyCreate(dir, dir.cache.insert(dir, p.name, inode));
  return 0;
}

/**
 * link(2) / linkat(2): AT_SYMLINK_FOLLOW follows a trailing link of the old
 * path; AT_EMPTY_PATH (with CAP_DAC_READ_SEARCH) links the file olddirfd
 * refers to, which may be an O_TMPFILE file opened without O_EXCL.
 */
export function linkAt(caller: Caller, olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): number {
  if ((flags & ~(At.AT_SYMLINK_FOLLOW | At.AT_EMPTY_PATH)) !== 0) return -Errno.EINVAL;
  const emptyPath = (flags & At.AT_EMPTY_PATH) !== 0;
  if (emptyPath && !capable(caller.creds, Capability.CAP_DAC_READ_SEARCH)) return -Errno.ENOENT;
  const old = lookupAt(caller, olddirfd, oldpath, { follow: (flags & At.AT_SYMLINK_FOLLOW) !== 0, emptyPath });
  if (typeof old === 'number') return old;
  const p = prepareCreate(caller, newdirfd, newpath, false);
  if (typeof p === 'number') return p;
  if (old.mount !== p.parent.mount) return -Errno.EXDEV;
  const err = mayCreate(caller, p.parent);
  if (err < 0) return err;
  const inode = old.dentry.inode;
  if (isDir(inode)) return -Errno.EPERM;
  if (inode.getattr().nlink === 0 && !isLinkable(inode)) return -Errno.ENOENT;
  const dir = p.parent.dentry;
  const r = dir.inode.link(p.name, inode);
  if (r < 0) return r;
  clearLinkable(inode);
  notifyLink(dir, dir.cache.insert(dir, p.name, inode));
  return 0;
}

/** unlinkat(2): AT_REMOVEDIR makes it rmdir. */
export function unlinkAt(caller: Caller, dirfd: number, path: string, flags: number): number {
  if ((flags & ~At.AT_REMOVEDIR) !== 0) return -Errno.EINVAL;
  return (flags & At.AT_REMOVEDIR) !== 0 ? rmdirAt(caller, dirfd, path) : unlinkFile(caller, dirfd, path);
}

/** unlink(2): "." / ".." / "/" are EISDIR; "name/" is EISDIR for a directory, else ENOTDIR. */
function unlinkFile(caller: Caller, dirfd: number, path: string): number {
  const p = lookupParentAt(caller, dirfd, path);
  if (typeof p === 'number') return p;
  if (p.type !== LastType.NORM) return -Errno.EISDIR;
  if (p.parent.mount.readOnly) return -Errno.EROFS;
  const victim = lookupChild(p.parent.dentry, p.name);
  if (typeof victim === 'number') return victim;
  if (p.trailing) return isDir(victim.inode) ? -Errno.EISDIR : -Errno.ENOTDIR;
  const err = mayDelete(caller, p.parent, victim, false);
  if (err < 0) return err;
  if (isMountpointIn(p.parent.mount.ns, victim)) return -Errno.EBUSY;
  const last = lastNameWatched(victim);
  const r = p.parent.dentry.inode.unlink(p.name);
  if (r < 0) return r;
  victim.cache.kill(victim);
  notifyDelete(p.parent.dentry, victim, false, last);
  return 0;
}

/** rmdir(2): ".." is ENOTEMPTY, "." EINVAL, "/" EBUSY; a mount point is EBUSY. */
export function rmdirAt(caller: Caller, dirfd: number, path: string): number {
  const p = lookupParentAt(caller, dirfd, path);
  if (typeof p === 'number') return p;
  switch (p.type) {
    case LastType.DOTDOT:
      return -Errno.ENOTEMPTY;
    case LastType.DOT:
      return -Errno.EINVAL;
    case LastType.ROOT:
      return -Errno.EBUSY;
    default:
  }
  if (p.parent.mount.readOnly) return -Errno.EROFS;
  const victim = lookupChild(p.parent.dentry, p.name);
  if (typeof victim === 'number') return victim;
  const err = mayDelete(caller, p.parent, victim, true);
  if (err < 0) return err;
  if (isMountpointIn(p.parent.mount.ns, victim)) return -Errno.EBUSY;
  const last = lastNameWatched(victim);
  const r = p.parent.dentry.inode.rmdir(p.name);
  if (r < 0) return r;
  victim.cache.kill(victim);
  notifyDelete(p.parent.dentry, victim, true, last);
  return 0;
}

/**
 * renameat2(2) with RENAME_NOREPLACE and RENAME_EXCHANGE (RENAME_WHITEOUT is
 * for overlay file systems and refused here: EINVAL). The rules of man 2
 * rename, in Linux's order of checks (do_renameat2, vfs_rename).
 */
export function renameAt(caller: Caller, olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): number {
  const known = RenameFlag.RENAME_NOREPLACE | RenameFlag.RENAME_EXCHANGE | RenameFlag.RENAME_WHITEOUT;
  if ((flags & ~known) !== 0) return -Errno.EINVAL;
  const noreplace = (flags & RenameFlag.RENAME_NOREPLACE) !== 0;
  const exchange = (flags & RenameFlag.RENAME_EXCHANGE) !== 0;
  if (noreplace && exchange) return -Errno.EINVAL;
  if ((flags & RenameFlag.RENAME_WHITEOUT) !== 0) return -Errno.EINVAL;

  const from = lookupParentAt(caller, olddirfd, oldpath);
  if (typeof from === 'number') return from;
  const to = lookupParentAt(caller, newdirfd, newpath);
  if (typeof to === 'number') return to;
  if (from.parent.mount !== to.parent.mount) return -Errno.EXDEV;
  if (from.type !== LastType.NORM) return -Errno.EBUSY;
  if (to.type !== LastType.NORM) return noreplace ? -Errno.EEXIST : -Errno.EBUSY;
  if (from.parent.mount.readOnly) return -Errno.EROFS;

  const oldDir = from.parent.dentry;
  const newDir = to.parent.dentry;
  const source = lookupChild(oldDir, from.name);
  if (typeof source === 'number') return source;
  let target: Dentry | null = null;
  const t = lookupChild(newDir, to.name);
  if (typeof t !== 'number') target = t;
  else if (t !== -Errno.ENOENT) return t;

  if (noreplace && target) return -Errno.EEXIST;
  if (exchange) {
    if (!target) return -Errno.ENOENT;
    if (!isDir(target.inode) && to.trailing) return -Errno.ENOTDIR;
  }
  // A trailing slash is allowed only on directories.
  if (!isDir(source.inode)) {
    if (from.trailing) return -Errno.ENOTDIR;
    if (!exchange && to.trailing) return -Errno.ENOTDIR;
  }
  // The source may not be an ancestor of the target's directory, nor the target of the source's.
  if (source.isAncestorOf(newDir)) return -Errno.EINVAL;
  if (target && target.isAncestorOf(oldDir)) return exchange ? -Errno.EINVAL : -Errno.ENOTEMPTY;

  // vfs_rename
  if (target && target.inode === source.inode) return 0;
  const sourceIsDir = isDir(source.inode);
  let err = mayDelete(caller, from.parent, source, sourceIsDir);
  if (err < 0) return err;
  if (!target) err = mayCreate(caller, to.parent);
  else err = mayDelete(caller, to.parent, target, exchange ? isDir(target.inode) : sourceIsDir);
  if (err < 0) return err;
  if (oldDir !== newDir) {
    // A directory changing parents rewrites its "..": it must be writable.
    if (sourceIsDir) {
      err = checkPermission(caller.creds, source.inode.getattr(), May.WRITE);
      if (err < 0) return err;
    }
    if (exchange && target && isDir(target.inode)) {
      err = checkPermission(caller.creds, target.inode.getattr(), May.WRITE);
      if (err < 0) return err;
    }
  }
  const ns = from.parent.mount.ns;
  if (isMountpointIn(ns, source) || (target && isMountpointIn(ns, target))) return -Errno.EBUSY;

  const targetLast = target !== null && lastNameWatched(target);
  const r = oldDir.inode.rename(from.name, newDir.inode, to.name, flags);
  if (r < 0) return r;
  if (exchange && target) oldDir.cache.exchange(source, target);
  else oldDir.cache.move(source, newDir, to.name);
  notifyRename(oldDir, from.name, newDir, to.name, source, target, exchange, targetLast);
  return 0;
}

/**
 * readlink(2) / readlinkat(2): the link's text; EINVAL for anything else
 * (ENOENT when an empty path named the file behind dirfd).
 */
export function readlinkAt(caller: Caller, dirfd: number, path: string): string | number {
  const p = lookupAt(caller, dirfd, path, { follow: false, emptyPath: true });
  if (typeof p === 'number') return p;
  const inode = p.dentry.inode;
  if (!isSymlink(inode)) return path.length === 0 ? -Errno.ENOENT : -Errno.EINVAL;
  touchAtime(p.mount, inode);
  return inode.readlink();
}
