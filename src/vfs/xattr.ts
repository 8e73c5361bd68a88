// Extended attributes (man 7 xattr; man 2 getxattr, setxattr, listxattr,
// removexattr): name and size rules, the namespace rules of xattr_permission,
// and the buffer-size protocol. File systems store; this decides.
import { Errno } from '../abi/linux/errno.js';
import { InMask } from '../abi/linux/inotify.js';
import { FileMode } from '../abi/linux/stat.js';
import { Capability, capable } from './credentials.js';
import type { Caller } from './fs_struct.js';
import { XattrFlag } from './inode.js';
import { notifyChange } from './inotify_hooks.js';
import { XATTR_LIST_MAX, XATTR_NAME_MAX, XATTR_SIZE_MAX } from './limits.js';
import type { VfsPath } from './path.js';
import { checkPermission, isOwnerOrCapable, May } from './permissions.js';

const PREFIXES = ['user.', 'trusted.', 'security.', 'system.'] as const;

/** The name as the caller gave it: empty or longer than XATTR_NAME_MAX is ERANGE (strncpy_from_user into a 256-byte buffer). */
export function checkXattrName(name: string): number {
  if (name.length === 0 || name.length > XATTR_NAME_MAX) return -Errno.ERANGE;
  return 0;
}

/** setxattr's argument checks, made before the path is resolved: flags (EINVAL), name (ERANGE), size (E2BIG). */
export function checkSetxattrArgs(name: string, size: number, flags: number): number {
  if ((flags & ~(XattrFlag.XATTR_CREATE | XattrFlag.XATTR_REPLACE)) !== 0) return -Errno.EINVAL;
  const err = checkXattrName(name);
  if (err < 0) return err;
  if (size > XATTR_SIZE_MAX) return -Errno.E2BIG;
  return 0;
}

/** xattr_resolve_name: a known namespace with a non-empty suffix; EOPNOTSUPP for unknown ones, EINVAL for "user." alone. */
function resolveNamespace(name: string): number {
  for (const p of PREFIXES) {
    if (name.startsWith(p)) return name.length === p.length ? -Errno.EINVAL : 0;
  }
  return -Errno.EOPNOTSUPP;
}

/**
 * xattr_permission. trusted.* needs CAP_SYS_ADMIN (reading without it is
 * ENODATA, writing EPERM); user.* exists only on regular files and
 * directories (else ENODATA / EPERM), and in a sticky directory only its
 * owner may write them; otherwise read or write permission on the file.
 */
function xattrPermission(caller: Caller, p: VfsPath, name: string, mask: May): number {
  const inode = p.dentry.inode;
  const write = mask === May.WRITE;
  if (name.startsWith('security.') || name.startsWith('system.')) return 0;
  if (name.startsWith('trusted.')) {
    if (!capable(caller.creds, Capability.CAP_SYS_ADMIN)) return write ? -Errno.EPERM : -Errno.ENODATA;
    return 0;
  }
  const a = inode.getattr();
  if (name.startsWith('user.')) {
    const type = a.mode & FileMode.S_IFMT;
    if (type !== FileMode.S_IFREG && type !== FileMode.S_IFDIR) return write ? -Errno.EPERM : -Errno.ENODATA;
    if (type === FileMode.S_IFDIR && (a.mode & FileMode.S_ISVTX) !== 0 && write && !isOwnerOrCapable(caller.creds, a)) return -Errno.EPERM;
  }
  return checkPermission(caller.creds, a, mask);
}

/**
 * getxattr: the value, to be copied out by the caller. With size 0 the
 * caller only reports its length; a value longer than size is ERANGE.
 */
export function getxattrPath(caller: Caller, p: VfsPath, name: string, size: number): Uint8Array | number {
  let err = checkXattrName(name);
  if (err < 0) return err;
  err = xattrPermission(caller, p, name, May.READ);
  if (err < 0) return err;
  err = resolveNamespace(name);
  if (err < 0) return err;
  const v = p.dentry.inode.getxattr(name);
  if (typeof v === 'number') return v;
  const limit = Math.min(size, XATTR_SIZE_MAX);
  if (size !== 0 && v.length > limit) return size >= XATTR_SIZE_MAX ? -Errno.E2BIG : -Errno.ERANGE;
  return v;
}

/** setxattr: XATTR_CREATE on an existing name is EEXIST, XATTR_REPLACE on a missing one ENODATA (the file system checks). */
export function setxattrPath(caller: Caller, p: VfsPath, name: string, value: Uint8Array, flags: number): number {
  let err = checkSetxattrArgs(name, value.length, flags);
  if (err < 0) return err;
  if (p.mount.readOnly) return -Errno.EROFS;
  err = xattrPermission(caller, p, name, May.WRITE);
  if (err < 0) return err;
  err = resolveNamespace(name);
  if (err < 0) return err;
  const inode = p.dentry.inode;
  const r = inode.setxattr(name, value, flags);
  if (r < 0) return r;
  notifyChange(p.dentry, InMask.IN_ATTRIB);
  return inode.setattr({ ctime: inode.fs.clock.now() });
}

/** removexattr: ENODATA when absent. */
export function removexattrPath(caller: Caller, p: VfsPath, name: string): number {
  let err = checkXattrName(name);
  if (err < 0) return err;
  if (p.mount.readOnly) return -Errno.EROFS;
  err = xattrPermission(caller, p, name, May.WRITE);
  if (err < 0) return err;
  err = resolveNamespace(name);
  if (err < 0) return err;
  const inode = p.dentry.inode;
  const r = inode.removexattr(name);
  if (r < 0) return r;
  notifyChange(p.dentry, InMask.IN_ATTRIB);
  return inode.setattr({ ctime: inode.fs.clock.now() });
}

/**
 * listxattr: the NUL-terminated names the caller may see (trusted.* only
 * with CAP_SYS_ADMIN), as bytes. size 0 asks for the length; a list longer
 * than size is ERANGE, or E2BIG when even XATTR_LIST_MAX would not hold it.
 */
export function listxattrPath(caller: Caller, p: VfsPath, size: number): Uint8Array | number {
  const names = p.dentry.inode.listxattr();
  if (typeof names === 'number') return names;
  const admin = capable(caller.creds, Capability.CAP_SYS_ADMIN);
  const visible = names.filter((n) => admin || !n.startsWith('trusted.'));
  let total = 0;
  for (const n of visible) total += n.length + 1;
  const limit = Math.min(size, XATTR_LIST_MAX);
  if (total > XATTR_LIST_MAX && (size === 0 || size >= XATTR_LIST_MAX)) return -Errno.E2BIG;
  if (size !== 0 && total > limit) return -Errno.ERANGE;
  const out = new Uint8Array(total);
  let off = 0;
  for (const n of visible) {
    for (let i = 0; i < n.length; i++) out[off++] = n.charCodeAt(i) & 0xff;
    out[off++] = 0;
  }
  return out;
}
