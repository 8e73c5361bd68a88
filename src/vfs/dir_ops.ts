// Working directory and root (chdir(2), fchdir(2), chroot(2), getcwd(2)) and
// the getdents(2) / getdents64(2) record formats.
import { Errno } from '../abi/linux/errno.js';
import { At } from '../abi/linux/stat.js';
import { Capability, capable } from './credentials.js';
import type { Caller } from './fs_struct.js';
import { isDir, type DirEntry } from './inode.js';
import type { OpenFile } from './open_file.js';
import { pathName, type VfsPath } from './path.js';
import { checkPermission, May } from './permissions.js';
import { lookupAt } from './resolve.js';

function searchableDir(caller: Caller, p: VfsPath): number {
  if (!isDir(p.dentry.inode)) return -Errno.ENOTDIR;
  return checkPermission(caller.creds, p.dentry.inode.getattr(), May.EXEC);
}

/** chdir(2): a directory the caller may search. */
export function chdirAt(caller: Caller, path: string): number {
  const p = lookupAt(caller, At.AT_FDCWD, path, { follow: true, directory: true });
  if (typeof p === 'number') return p;
  const err = searchableDir(caller, p);
  if (err < 0) return err;
  caller.fs.setCwd(p);
  return 0;
}

/** fchdir(2). */
export function fchdir(caller: Caller, file: OpenFile): number {
  const err = searchableDir(caller, file.path);
  if (err < 0) return err;
  caller.fs.setCwd(file.path);
  return 0;
}

/** chroot(2): CAP_SYS_CHROOT; the working directory is left alone (man 2 chroot). */
export function chrootAt(caller: Caller, path: string): number {
  const p = lookupAt(caller, At.AT_FDCWD, path, { follow: true, directory: true });
  if (typeof p === 'number') return p;
  const err = searchableDir(caller, p);
  if (err < 0) return err;
  if (!capable(caller.creds, Capability.CAP_SYS_CHROOT)) return -Errno.EPERM;
  caller.fs.setRoot(p);
  return 0;
}

/**
 * getcwd(2): ENOENT if the directory was removed; a directory outside the
 * root comes back prefixed "(unreachable)" (man 2 getcwd).
 */
export function getcwd(caller: Caller): string | number {
  const n = pathName(caller.fs.cwd, caller.fs.root);
  if (n.deleted) return -Errno.ENOENT;
  return n.reachable ? n.name : '(unreachable)' + n.name;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Size of a struct linux_dirent64 record for a name of this length. */
export function dirent64Size(nameLen: number): number {
  return align8(19 + nameLen + 1);
}

/**
 * getdents64(2): fills buf with struct linux_dirent64 records from the
 * directory's offset on. Bytes written, 0 at the end, EINVAL if buf cannot
 * hold the next record.
 */
export function fillDirents64(file: OpenFile, buf: Uint8Array): number {
  return fillDirents(file, buf, dirent64Size, (dv, off, e, reclen) => {
    dv.setBigUint64(off, BigInt(e.ino), true);
    dv.setBigInt64(off + 8, BigInt(e.next), true);
    dv.setUint16(off + 16, reclen, true);
    dv.setUint8(off + 18, e.type);
    writeName(buf, off + 19, e.name, reclen - 19);
  });
}

/** Size of a struct linux_dirent (getdents(2)): name, NUL, and d_type in the last byte. */
export function direntSize(nameLen: number): number {
  return align8(18 + nameLen + 2);
}

/** getdents(2), the old format: d_ino, d_off, d_reclen, d_name, then d_type in the record's last byte. */
export function fillDirents(file: OpenFile, buf: Uint8Array, size = direntSize,
  put: (dv: DataView, off: number, e: DirEntry, reclen: number) => void = putOldDirent(buf)): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  let tooSmall = false;
  const r = file.readdir((e) => {
    const reclen = size(e.name.length);
    if (off + reclen > buf.length) {
      if (off === 0) tooSmall = true;
      return false;
    }
    put(dv, off, e, reclen);
    off += reclen;
    return true;
  });
  if (r < 0) return r;
  if (tooSmall) return -Errno.EINVAL;
  return off;
}

function putOldDirent(buf: Uint8Array): (dv: DataView, off: number, e: DirEntry, reclen: number) => void {
  return (dv, off, e, reclen) => {
    dv.setBigUint64(off, BigInt(e.ino), true);
    dv.setBigInt64(off + 8, BigInt(e.next), true);
    dv.setUint16(off + 16, reclen, true);
    writeName(buf, off + 18, e.name, reclen - 19);
    buf[off + reclen - 1] = e.type;
  };
}

/** The name's bytes, then zeros to fill room bytes. */
function writeName(buf: Uint8Array, off: number, name: string, room: number): void {
  for (let i = 0; i < name.length; i++) buf[off + i] = name.charCodeAt(i) & 0xff;
  buf.fill(0, off + name.length, off + room);
}
