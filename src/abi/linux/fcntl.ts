// open(2) flags and fcntl(2) commands: <asm-generic/fcntl.h> (the x86-64 values),
// <linux/fcntl.h>, <linux/openat2.h>; access(2) modes from <unistd.h>.

import { getI64, setI64, setU64 } from './time.js';

/** open flags, octal as in the headers. O_LARGEFILE is nonzero here (glibc defines it as 0 on x86-64). */
export const enum OpenFlag {
  O_ACCMODE = 0o3,
  O_RDONLY = 0o0,
  O_WRONLY = 0o1,
  O_RDWR = 0o2,
  O_CREAT = 0o100,
  O_EXCL = 0o200,
  O_NOCTTY = 0o400,
  O_TRUNC = 0o1000,
  O_APPEND = 0o2000,
  O_NONBLOCK = 0o4000,
  O_NDELAY = 0o4000,
  O_DSYNC = 0o10000,
  FASYNC = 0o20000,
  O_DIRECT = 0o40000,
  O_LARGEFILE = 0o100000,
  O_DIRECTORY = 0o200000,
  O_NOFOLLOW = 0o400000,
  O_NOATIME = 0o1000000,
  O_CLOEXEC = 0o2000000,
  __O_SYNC = 0o4000000,
  /** __O_SYNC | O_DSYNC: test with (flags & O_SYNC) === O_SYNC. */
  O_SYNC = 0o4010000,
  O_PATH = 0o10000000,
  __O_TMPFILE = 0o20000000,
  /** __O_TMPFILE | O_DIRECTORY: test with (flags & O_TMPFILE) === O_TMPFILE. */
  O_TMPFILE = 0o20200000,
}

/** Every flag open(2) knows; other bits are ignored by open and openat, EINVAL for openat2. */
export const VALID_OPEN_FLAGS =
  OpenFlag.O_ACCMODE | OpenFlag.O_CREAT | OpenFlag.O_EXCL | OpenFlag.O_NOCTTY | OpenFlag.O_TRUNC |
  OpenFlag.O_APPEND | OpenFlag.O_NONBLOCK | OpenFlag.O_SYNC | OpenFlag.FASYNC | OpenFlag.O_DIRECT |
  OpenFlag.O_LARGEFILE | OpenFlag.O_DIRECTORY | OpenFlag.O_NOFOLLOW | OpenFlag.O_NOATIME |
  OpenFlag.O_CLOEXEC | OpenFlag.O_PATH | OpenFlag.__O_TMPFILE;

/** The flags fcntl(F_SETFL) may change (man 2 fcntl); the others are ignored. */
export const SETFL_MASK =
  OpenFlag.O_APPEND | OpenFlag.O_NONBLOCK | OpenFlag.FASYNC | OpenFlag.O_DIRECT | OpenFlag.O_NOATIME;

/** fcntl(2) commands. */
export const enum Fcntl {
  F_DUPFD = 0,
  F_GETFD = 1,
  F_SETFD = 2,
  F_GETFL = 3,
  F_SETFL = 4,
  F_GETLK = 5,
  F_SETLK = 6,
  F_SETLKW = 7,
  F_SETOWN = 8,
  F_GETOWN = 9,
  F_SETSIG = 10,
  F_GETSIG = 11,
  F_SETOWN_EX = 15,
  F_GETOWN_EX = 16,
  F_GETOWNER_UIDS = 17,
  F_OFD_GETLK = 36,
  F_OFD_SETLK = 37,
  F_OFD_SETLKW = 38,
  F_LINUX_SPECIFIC_BASE = 1024,
  F_SETLEASE = 1024,
  F_GETLEASE = 1025,
  F_NOTIFY = 1026,
  F_CANCELLK = 1029,
  F_DUPFD_CLOEXEC = 1030,
  F_SETPIPE_SZ = 1031,
  F_GETPIPE_SZ = 1032,
  F_ADD_SEALS = 1033,
  F_GET_SEALS = 1034,
  F_GET_RW_HINT = 1035,
  F_SET_RW_HINT = 1036,
  F_GET_FILE_RW_HINT = 1037,
  F_SET_FILE_RW_HINT = 1038,
}

/** File descriptor flags (F_GETFD / F_SETFD). */
export const enum FdFlag {
  FD_CLOEXEC = 1,
}

/** F_SETOWN_EX owner types. */
export const enum FOwner {
  F_OWNER_TID = 0,
  F_OWNER_PID = 1,
  F_OWNER_PGRP = 2,
}

/** Record lock types (struct flock l_type) and flock(2) operations. */
export const enum LockType {
  F_RDLCK = 0,
  F_WRLCK = 1,
  F_UNLCK = 2,
  LOCK_SH = 1,
  LOCK_EX = 2,
  LOCK_NB = 4,
  LOCK_UN = 8,
  /** Obsolete mandatory flock (with LOCK_READ 64 / LOCK_WRITE 128): ignored, flock(2) returns 0. */
  LOCK_MAND = 32,
}

/** memfd seals (F_ADD_SEALS / F_GET_SEALS). */
export const enum Seal {
  F_SEAL_SEAL = 0x0001,
  F_SEAL_SHRINK = 0x0002,
  F_SEAL_GROW = 0x0004,
  F_SEAL_WRITE = 0x0008,
  F_SEAL_FUTURE_WRITE = 0x0010,
}

/** lseek(2) whence. */
export const enum Seek {
  SEEK_SET = 0,
  SEEK_CUR = 1,
  SEEK_END = 2,
  SEEK_DATA = 3,
  SEEK_HOLE = 4,
}

/** access(2) / faccessat(2) modes (<unistd.h>). */
export const enum Access {
  F_OK = 0,
  X_OK = 1,
  W_OK = 2,
  R_OK = 4,
}

/** openat2(2) resolve flags. */
export const enum Resolve {
  RESOLVE_NO_XDEV = 0x01,
  RESOLVE_NO_MAGICLINKS = 0x02,
  RESOLVE_NO_SYMLINKS = 0x04,
  RESOLVE_BENEATH = 0x08,
  RESOLVE_IN_ROOT = 0x10,
  RESOLVE_CACHED = 0x20,
}

// ---------------------------------------------------------------------------
// struct flock: l_type @0 (short), l_whence @2 (short), l_start @8 (off_t),
// l_len @16 (off_t), l_pid @24 (pid_t), 32 bytes.

export const FLOCK_SIZE = 32;

export interface Flock {
  type: number;
  whence: number;
  /** Exact within ±2^53. */
  start: number;
  len: number;
  pid: number;
}

export function decodeFlock(dv: DataView, off: number, out: Flock): Flock {
  out.type = dv.getInt16(off, true);
  out.whence = dv.getInt16(off + 2, true);
  out.start = getI64(dv, off + 8);
  out.len = getI64(dv, off + 16);
  out.pid = dv.getInt32(off + 24, true);
  return out;
}

export function encodeFlock(dv: DataView, off: number, f: Flock): void {
  dv.setInt16(off, f.type, true);
  dv.setInt16(off + 2, f.whence, true);
  dv.setUint32(off + 4, 0, true);
  setI64(dv, off + 8, f.start);
  setI64(dv, off + 16, f.len);
  dv.setInt32(off + 24, f.pid, true);
  dv.setUint32(off + 28, 0, true);
}

/** The largest file offset (OFFSET_MAX, LLONG_MAX) as a bigint: lock ranges reach it exactly. */
export const OFFSET_MAX = 0x7fffffffffffffffn;

/** struct flock with its 64-bit fields exact (record locks compare offsets near 2^63). */
export interface FlockExact {
  type: number;
  whence: number;
  start: bigint;
  len: bigint;
  pid: number;
}

export function decodeFlockExact(dv: DataView, off: number, out: FlockExact): FlockExact {
  out.type = dv.getInt16(off, true);
  out.whence = dv.getInt16(off + 2, true);
  out.start = dv.getBigInt64(off + 8, true);
  out.len = dv.getBigInt64(off + 16, true);
  out.pid = dv.getInt32(off + 24, true);
  return out;
}

/** Writes the fields fcntl(F_GETLK) reports; the padding keeps what the caller gave. */
export function encodeFlockExact(dv: DataView, off: number, f: FlockExact): void {
  dv.setInt16(off, f.type, true);
  dv.setInt16(off + 2, f.whence, true);
  dv.setBigInt64(off + 8, f.start, true);
  dv.setBigInt64(off + 16, f.len, true);
  dv.setInt32(off + 24, f.pid, true);
}

// ---------------------------------------------------------------------------
// struct open_how for openat2(2): flags, mode, resolve, each __u64; 24 bytes.
// man 2 openat2: unknown bits in any field are EINVAL, so check the high halves.

export const OPEN_HOW_SIZE = 24;

export interface OpenHow {
  flags: number;
  mode: number;
  resolve: number;
}

/** Decodes open_how; returns false if a field has bits above 2^32 (the caller answers EINVAL). */
export function decodeOpenHow(dv: DataView, off: number, out: OpenHow): boolean {
  out.flags = dv.getUint32(off, true);
  out.mode = dv.getUint32(off + 8, true);
  out.resolve = dv.getUint32(off + 16, true);
  return dv.getUint32(off + 4, true) === 0 && dv.getUint32(off + 12, true) === 0 && dv.getUint32(off + 20, true) === 0;
}

export function encodeOpenHow(dv: DataView, off: number, h: OpenHow): void {
  setU64(dv, off, h.flags >>> 0);
  setU64(dv, off + 8, h.mode >>> 0);
  setU64(dv, off + 16, h.resolve >>> 0);
}
