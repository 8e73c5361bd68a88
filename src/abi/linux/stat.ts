// File status: struct stat for x86-64 (<asm/stat.h>, 144 bytes), struct statx
// (<linux/stat.h>, 256 bytes), mode bits, STATX_* masks and the AT_* flags of the
// *at() calls (<linux/fcntl.h>). man 2 stat, man 2 statx, man 7 inode.

import { setI64, setU64, zero } from './time.js';

/** File type and permission bits of st_mode (octal, man 7 inode). */
export const enum FileMode {
  S_IFMT = 0o170000,
  S_IFSOCK = 0o140000,
  S_IFLNK = 0o120000,
  S_IFREG = 0o100000,
  S_IFBLK = 0o060000,
  S_IFDIR = 0o040000,
  S_IFCHR = 0o020000,
  S_IFIFO = 0o010000,
  S_ISUID = 0o4000,
  S_ISGID = 0o2000,
  S_ISVTX = 0o1000,
  S_IRWXU = 0o700,
  S_IRUSR = 0o400,
  S_IWUSR = 0o200,
  S_IXUSR = 0o100,
  S_IRWXG = 0o070,
  S_IRGRP = 0o040,
  S_IWGRP = 0o020,
  S_IXGRP = 0o010,
  S_IRWXO = 0o007,
  S_IROTH = 0o004,
  S_IWOTH = 0o002,
  S_IXOTH = 0o001,
}

/** The permission bits chmod(2) and umask(2) take: 07777. */
export const S_IALLUGO = 0o7777;

/** Flags of the *at() calls. AT_EACCESS and AT_REMOVEDIR share 0x200 (each is per-call). */
export const enum At {
  AT_FDCWD = -100,
  AT_SYMLINK_NOFOLLOW = 0x100,
  AT_EACCESS = 0x200,
  AT_REMOVEDIR = 0x200,
  AT_SYMLINK_FOLLOW = 0x400,
  AT_NO_AUTOMOUNT = 0x800,
  AT_EMPTY_PATH = 0x1000,
  AT_STATX_SYNC_TYPE = 0x6000,
  AT_STATX_SYNC_AS_STAT = 0x0000,
  AT_STATX_FORCE_SYNC = 0x2000,
  AT_STATX_DONT_SYNC = 0x4000,
  AT_RECURSIVE = 0x8000,
}

/** Special tv_nsec values of utimensat(2). */
export const enum Utime {
  UTIME_NOW = 0x3fffffff,
  UTIME_OMIT = 0x3ffffffe,
}

/** statx(2) mask bits: what the caller wants (mask) and what was filled (stx_mask). */
export const enum StatxMask {
  STATX_TYPE = 0x00000001,
  STATX_MODE = 0x00000002,
  STATX_NLINK = 0x00000004,
  STATX_UID = 0x00000008,
  STATX_GID = 0x00000010,
  STATX_ATIME = 0x00000020,
  STATX_MTIME = 0x00000040,
  STATX_CTIME = 0x00000080,
  STATX_INO = 0x00000100,
  STATX_SIZE = 0x00000200,
  STATX_BLOCKS = 0x00000400,
  STATX_BASIC_STATS = 0x000007ff,
  STATX_BTIME = 0x00000800,
  STATX_ALL = 0x00000fff,
  STATX_MNT_ID = 0x00001000,
  STATX_DIOALIGN = 0x00002000,
  /** Setting it in mask is EINVAL. Compare with (mask & STATX__RESERVED) !== 0. */
  STATX__RESERVED = 0x80000000,
}

/** stx_attributes bits. */
export const enum StatxAttr {
  STATX_ATTR_COMPRESSED = 0x00000004,
  STATX_ATTR_IMMUTABLE = 0x00000010,
  STATX_ATTR_APPEND = 0x00000020,
  STATX_ATTR_NODUMP = 0x00000040,
  STATX_ATTR_ENCRYPTED = 0x00000800,
  STATX_ATTR_AUTOMOUNT = 0x00001000,
  STATX_ATTR_MOUNT_ROOT = 0x00002000,
  STATX_ATTR_VERITY = 0x00100000,
  STATX_ATTR_DAX = 0x00200000,
}

// ---------------------------------------------------------------------------
// Device numbers as userspace sees them (glibc's makedev / major / minor, the
// same bits as the kernel's new_encode_dev for major < 4096): minor bits 0-7,
// major bits 8-19, minor bits 8-19 at 20-31; larger majors and minors use the
// high word. A dev_t is a number here (exact below 2^53).

const TWO32 = 4294967296;

export function makeDev(major: number, minor: number): number {
  const lo = ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & 0xfff00) << 12);
  const hi = (major & 0xfffff000) | ((minor >>> 20) & 0xfff);
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

export function devMajor(dev: number): number {
  const lo = dev >>> 0;
  const hi = Math.floor(dev / TWO32) >>> 0;
  return (((lo >>> 8) & 0xfff) | (hi & 0xfffff000)) >>> 0;
}

export function devMinor(dev: number): number {
  const lo = dev >>> 0;
  const hi = Math.floor(dev / TWO32) >>> 0;
  return ((lo & 0xff) | ((lo >>> 12) & 0xfff00) | ((hi & 0xfff) << 20)) >>> 0;
}

// ---------------------------------------------------------------------------
// The values both encoders take; a caller-owned object reused across calls.
// Times are split into seconds and nanoseconds; 64-bit fields are exact below 2^53.

export interface StatValues {
  /** Device of the file system (a dev_t, see makeDev). */
  dev: number;
  ino: number;
  nlink: number;
  mode: number;
  uid: number;
  gid: number;
  /** Device of a block or character special file (a dev_t). */
  rdev: number;
  size: number;
  blksize: number;
  /** Number of 512-byte blocks. */
  blocks: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
}

/** Extra fields statx reports; dev and rdev are split into major and minor. */
export interface StatxValues extends StatValues {
  /** STATX_* bits actually filled. */
  mask: number;
  attributes: number;
  attributesMask: number;
  btimeSec: number;
  btimeNsec: number;
  mntId: number;
  dioMemAlign: number;
  dioOffsetAlign: number;
}

// struct stat, x86-64.
export const STAT_SIZE = 144;

export const enum StatOffset {
  DEV = 0,
  INO = 8,
  NLINK = 16,
  MODE = 24,
  UID = 28,
  GID = 32,
  RDEV = 40,
  SIZE = 48,
  BLKSIZE = 56,
  BLOCKS = 64,
  ATIME = 72,
  ATIME_NSEC = 80,
  MTIME = 88,
  MTIME_NSEC = 96,
  CTIME = 104,
  CTIME_NSEC = 112,
}

/** Writes a struct stat (stat, fstat, lstat, newfstatat), padding zeroed. */
export function encodeStat(dv: DataView, off: number, s: StatValues): void {
  setU64(dv, off + StatOffset.DEV, s.dev);
  setU64(dv, off + StatOffset.INO, s.ino);
  setU64(dv, off + StatOffset.NLINK, s.nlink);
  dv.setUint32(off + StatOffset.MODE, s.mode >>> 0, true);
  dv.setUint32(off + StatOffset.UID, s.uid >>> 0, true);
  dv.setUint32(off + StatOffset.GID, s.gid >>> 0, true);
  dv.setUint32(off + 36, 0, true);
  setU64(dv, off + StatOffset.RDEV, s.rdev);
  setI64(dv, off + StatOffset.SIZE, s.size);
  setI64(dv, off + StatOffset.BLKSIZE, s.blksize);
  setI64(dv, off + StatOffset.BLOCKS, s.blocks);
  setI64(dv, off + StatOffset.ATIME, s.atimeSec);
  setI64(dv, off + StatOffset.ATIME_NSEC, s.atimeNsec);
  setI64(dv, off + StatOffset.MTIME, s.mtimeSec);
  setI64(dv, off + StatOffset.MTIME_NSEC, s.mtimeNsec);
  setI64(dv, off + StatOffset.CTIME, s.ctimeSec);
  setI64(dv, off + StatOffset.CTIME_NSEC, s.ctimeNsec);
  zero(dv, off + 120, 24);
}

// struct statx. Timestamps are struct statx_timestamp { __s64 tv_sec; __u32 tv_nsec; __s32 __reserved; }.
export const STATX_SIZE = 256;

export const enum StatxOffset {
  MASK = 0,
  BLKSIZE = 4,
  ATTRIBUTES = 8,
  NLINK = 16,
  UID = 20,
  GID = 24,
  MODE = 28,
  INO = 32,
  SIZE = 40,
  BLOCKS = 48,
  ATTRIBUTES_MASK = 56,
  ATIME = 64,
  BTIME = 80,
  CTIME = 96,
  MTIME = 112,
  RDEV_MAJOR = 128,
  RDEV_MINOR = 132,
  DEV_MAJOR = 136,
  DEV_MINOR = 140,
  MNT_ID = 144,
  DIO_MEM_ALIGN = 152,
  DIO_OFFSET_ALIGN = 156,
}

function encodeStatxTimestamp(dv: DataView, off: number, sec: number, nsec: number): void {
  setI64(dv, off, sec);
  dv.setUint32(off + 8, nsec >>> 0, true);
  dv.setInt32(off + 12, 0, true);
}

/**
 * Writes a struct statx. man 2 statx: fields whose bit is not in s.mask are
 * still written (the caller may zero them); spare space is zeroed.
 */
export function encodeStatx(dv: DataView, off: number, s: StatxValues): void {
  dv.setUint32(off + StatxOffset.MASK, s.mask >>> 0, true);
  dv.setUint32(off + StatxOffset.BLKSIZE, s.blksize >>> 0, true);
  setU64(dv, off + StatxOffset.ATTRIBUTES, s.attributes);
  dv.setUint32(off + StatxOffset.NLINK, s.nlink >>> 0, true);
  dv.setUint32(off + StatxOffset.UID, s.uid >>> 0, true);
  dv.setUint32(off + StatxOffset.GID, s.gid >>> 0, true);
  dv.setUint16(off + StatxOffset.MODE, s.mode & 0xffff, true);
  dv.setUint16(off + 30, 0, true);
  setU64(dv, off + StatxOffset.INO, s.ino);
  setU64(dv, off + StatxOffset.SIZE, s.size);
  setU64(dv, off + StatxOffset.BLOCKS, s.blocks);
  setU64(dv, off + StatxOffset.ATTRIBUTES_MASK, s.attributesMask);
  encodeStatxTimestamp(dv, off + StatxOffset.ATIME, s.atimeSec, s.atimeNsec);
  encodeStatxTimestamp(dv, off + StatxOffset.BTIME, s.btimeSec, s.btimeNsec);
  encodeStatxTimestamp(dv, off + StatxOffset.CTIME, s.ctimeSec, s.ctimeNsec);
  encodeStatxTimestamp(dv, off + StatxOffset.MTIME, s.mtimeSec, s.mtimeNsec);
  dv.setUint32(off + StatxOffset.RDEV_MAJOR, devMajor(s.rdev), true);
  dv.setUint32(off + StatxOffset.RDEV_MINOR, devMinor(s.rdev), true);
  dv.setUint32(off + StatxOffset.DEV_MAJOR, devMajor(s.dev), true);
  dv.setUint32(off + StatxOffset.DEV_MINOR, devMinor(s.dev), true);
  setU64(dv, off + StatxOffset.MNT_ID, s.mntId);
  dv.setUint32(off + StatxOffset.DIO_MEM_ALIGN, s.dioMemAlign >>> 0, true);
  dv.setUint32(off + StatxOffset.DIO_OFFSET_ALIGN, s.dioOffsetAlign >>> 0, true);
  zero(dv, off + 160, 96);
}
