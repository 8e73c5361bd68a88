// The host calls of the host file system and the layouts they fill: the
// statx slots (native/hostfs.h), getdents64 records, NUL-separated xattr
// lists. Buffers are shared and reused (one kernel thread): decode a result
// before the next call.
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag, Resolve } from '../../abi/linux/fcntl.js';
import { At } from '../../abi/linux/stat.js';
import { native, type NativeAddon } from '../../platform/native.js';
import { PATH_MAX, XATTR_LIST_MAX, XATTR_SIZE_MAX } from '../../vfs/limits.js';

/** Slots of hostfsStatx's Float64Array (HOSTFS_ST_* in native/hostfs.h). */
export const enum HostStat {
  MASK,
  MODE,
  NLINK,
  UID,
  GID,
  INO_HI,
  INO_LO,
  DEV_MAJOR,
  DEV_MINOR,
  RDEV_MAJOR,
  RDEV_MINOR,
  SIZE,
  BLOCKS,
  BLKSIZE,
  ATIME_SEC,
  ATIME_NSEC,
  MTIME_SEC,
  MTIME_NSEC,
  CTIME_SEC,
  CTIME_NSEC,
  BTIME_SEC,
  BTIME_NSEC,
  MNT_ID,
  SLOTS,
}

/** Slots of hostfsFstatfs's Float64Array (HOSTFS_SF_*). */
export const enum HostStatFs {
  TYPE,
  BSIZE,
  BLOCKS,
  BFREE,
  BAVAIL,
  FILES,
  FFREE,
  NAMELEN,
  FRSIZE,
  FLAGS,
  SLOTS,
}

/** statx's STATX_BTIME bit in stx_mask. */
export const STATX_BTIME = 0x800;
/** f_type of procfs: the only file system with magic links, never served. */
export const PROC_SUPER_MAGIC = 0x9fa0;

/**
 * How every name is opened beneath a directory descriptor: no "..", absolute
 * path or symlink may lead out, and magic links are never followed.
 */
export const RESOLVE_HOST = Resolve.RESOLVE_BENEATH | Resolve.RESOLVE_NO_MAGICLINKS | Resolve.RESOLVE_NO_SYMLINKS;
/** O_PATH|O_NOFOLLOW: with RESOLVE_NO_SYMLINKS, a symlink itself is opened, never followed. */
export const O_PATH_NOFOLLOW = OpenFlag.O_PATH | OpenFlag.O_NOFOLLOW;
export const AT_EMPTY_PATH = At.AT_EMPTY_PATH;
/** utimensat's "leave this time alone". */
export const UTIME_OMIT = 0x3ffffffe;

export class HostCalls {
  readonly n: NativeAddon = native();
  /** statx results. */
  readonly stat = new Float64Array(HostStat.SLOTS);
  readonly statfs = new Float64Array(HostStatFs.SLOTS);
  readonly times = new Float64Array(4);
  /** getdents64 records. */
  readonly dirents = new Uint8Array(64 * 1024);
  private readonly direntsView = new DataView(this.dirents.buffer);
  private readonly direntsBuf = Buffer.from(this.dirents.buffer);
  /** readlink targets. */
  readonly link = new Uint8Array(PATH_MAX);
  private readonly linkBuf = Buffer.from(this.link.buffer);
  /** xattr values and lists. */
  readonly xattr = new Uint8Array(Math.max(XATTR_SIZE_MAX, XATTR_LIST_MAX));
  private readonly xattrBuf = Buffer.from(this.xattr.buffer);

  /** statx of dirfd/name ("" for dirfd itself) into this.stat, never following a link. */
  statx(dirfd: number, name: string): number {
    return this.n.hostfsStatx(dirfd, name, name.length === 0 ? AT_EMPTY_PATH : 0, this.stat);
  }

  /** Opens name beneath dirfd without following anything. */
  openPath(dirfd: number, name: string): number {
    return this.n.hostfsOpenat2(dirfd, name, O_PATH_NOFOLLOW, 0, RESOLVE_HOST);
  }

  close(fd: number): void {
    if (fd >= 0) this.n.hostfsClose(fd);
  }

  /** The target of the symlink dirfd/name ("" for an O_PATH descriptor of the link). */
  readlink(dirfd: number, name: string): string | number {
    const r = this.n.hostfsReadlinkat(dirfd, name, this.link, 0, this.link.length);
    if (r < 0) return r;
    return this.linkBuf.toString('latin1', 0, r);
  }

  /** Calls fn(name, inoHi, inoLo, dtype) for each record of one getdents64 batch; the bytes read, 0 at the end, or -errno. */
  getdents(fd: number, fn: (name: string, inoHi: number, inoLo: number, dtype: number) => void): number {
    const r = this.n.hostfsGetdents64(fd, this.dirents, 0, this.dirents.length);
    if (r <= 0) return r;
    const dv = this.direntsView;
    const b = this.dirents;
    let off = 0;
    while (off + 19 < r) {
      const inoLo = dv.getUint32(off, true);
      const inoHi = dv.getUint32(off + 4, true);
      const reclen = dv.getUint16(off + 16, true);
      if (reclen < 20 || off + reclen > r) break;
      const dtype = b[off + 18]!;
      let end = off + 19;
      const limit = off + reclen;
      while (end < limit && b[end] !== 0) end++;
      fn(this.direntsBuf.toString('latin1', off + 19, end), inoHi, inoLo, dtype);
      off += reclen;
    }
    return r;
  }

  /** A copy of the first len bytes of the xattr buffer. */
  xattrValue(len: number): Uint8Array {
    return this.xattr.slice(0, len);
  }

  /** The names of a listxattr result of len bytes. */
  xattrNames(len: number): string[] {
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i < len; i++) {
      if (this.xattr[i] !== 0) continue;
      if (i > start) out.push(this.xattrBuf.toString('latin1', start, i));
      start = i + 1;
    }
    return out;
  }
}

let calls: HostCalls | undefined;

/** The process's one set of host-call buffers. */
export function hostCalls(): HostCalls {
  return (calls ??= new HostCalls());
}

/**
 * A file system name the host calls accept: one component, not "." or "..",
 * no NUL. -EINVAL otherwise (the VFS never passes such names: this is the
 * file system's own guard).
 */
export function checkName(name: string): number {
  if (name.length === 0 || name === '.' || name === '..') return -Errno.EINVAL;
  if (name.includes('/') || name.includes('\0')) return -Errno.EINVAL;
  return 0;
}
