// File permission checks (man 7 path_resolution "Permissions", man 7
// capabilities; Linux's generic_permission, may_create, may_delete).
import { Errno } from '../abi/linux/errno.js';
import { FileMode } from '../abi/linux/stat.js';
import { Capability, capable, inGroup, type FsCredentials } from './credentials.js';
import type { InodeAttrs } from './inode.js';

/** Access wanted: the rwx bits of one class. */
export const enum May {
  EXEC = 1,
  WRITE = 2,
  READ = 4,
}

/**
 * generic_permission: the owner class if fsuid owns the file, else the group
 * class if fsgid or a supplementary group matches, else other; then the
 * capability overrides: CAP_DAC_OVERRIDE for everything except executing a
 * non-directory without any x bit, CAP_DAC_READ_SEARCH for reading and for
 * searching directories. 0 or -EACCES.
 */
export function checkPermission(creds: FsCredentials, attrs: Readonly<InodeAttrs>, mask: number): number {
  const mode = attrs.mode;
  let bits: number;
  if (creds.fsuid === attrs.uid) bits = (mode >> 6) & 7;
  else if (inGroup(creds, attrs.gid)) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  if ((mask & ~bits & 7) === 0) return 0;
  const isDir = (mode & FileMode.S_IFMT) === FileMode.S_IFDIR;
  if (isDir) {
    if ((mask & May.WRITE) === 0 && capable(creds, Capability.CAP_DAC_READ_SEARCH)) return 0;
    if (capable(creds, Capability.CAP_DAC_OVERRIDE)) return 0;
    return -Errno.EACCES;
  }
  if ((mask & May.EXEC) === 0 || (mode & 0o111) !== 0) {
    if (capable(creds, Capability.CAP_DAC_OVERRIDE)) return 0;
  }
  if (mask === May.READ && capable(creds, Capability.CAP_DAC_READ_SEARCH)) return 0;
  return -Errno.EACCES;
}

/** inode_owner_or_capable: the fsuid owns it, or CAP_FOWNER. */
export function isOwnerOrCapable(creds: FsCredentials, attrs: Readonly<InodeAttrs>): boolean {
  return creds.fsuid === attrs.uid || capable(creds, Capability.CAP_FOWNER);
}

/**
 * Sticky directories (man 7 inode, S_ISVTX): in one, only the file's owner,
 * the directory's owner or CAP_FOWNER may unlink or rename a file. True if
 * the sticky bit forbids it.
 */
export function stickyForbids(creds: FsCredentials, dir: Readonly<InodeAttrs>, victim: Readonly<InodeAttrs>): boolean {
  if ((dir.mode & FileMode.S_ISVTX) === 0) return false;
  if (creds.fsuid === victim.uid || creds.fsuid === dir.uid) return false;
  return !capable(creds, Capability.CAP_FOWNER);
}

/**
 * Owner of a new inode (inode_init_owner): fsuid, and fsgid unless the
 * directory is set-group-ID, in which case its group, and a new directory
 * inherits the bit. A non-directory with S_ISGID|S_IXGRP loses S_ISGID when
 * the caller is not in the inherited group and lacks CAP_FSETID
 * (mode_strip_sgid).
 */
export function ownerForNew(creds: FsCredentials, dir: Readonly<InodeAttrs>, mode: number): { mode: number; uid: number; gid: number } {
  let gid = creds.fsgid;
  const isDir = (mode & FileMode.S_IFMT) === FileMode.S_IFDIR;
  if ((dir.mode & FileMode.S_ISGID) !== 0) {
    gid = dir.gid;
    if (isDir) mode |= FileMode.S_ISGID;
    else if ((mode & (FileMode.S_ISGID | FileMode.S_IXGRP)) === (FileMode.S_ISGID | FileMode.S_IXGRP) &&
      !inGroup(creds, gid) && !capable(creds, Capability.CAP_FSETID)) {
      mode &= ~FileMode.S_ISGID;
    }
  }
  return { mode, uid: creds.fsuid, gid };
}
