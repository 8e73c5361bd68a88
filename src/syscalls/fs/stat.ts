// stat(2), lstat(2), fstat(2), newfstatat(2), statx(2), statfs(2),
// fstatfs(2): resolve, let the VFS fill the values, encode the struct
// (fs/stat.c, fs/statfs.c).
import fs from 'node:fs';
import { Errno } from '../../abi/linux/errno.js';
import { At, encodeStat, encodeStatx, FileMode, STAT_SIZE, STATX_SIZE, StatxMask, type StatxValues } from '../../abi/linux/stat.js';
import { SYS } from '../../abi/linux/syscalls.js';
import { setU64 } from '../../abi/linux/time.js';
import { HostStdioFile } from '../../fs/host_stdio.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { fillStat, statAt, statfsPath } from '../../vfs/attr_ops.js';
import type { FileDescription } from '../../vfs/file.js';
import type { StatFsValues } from '../../vfs/inode.js';
import { OpenFile } from '../../vfs/open_file.js';
import { scratch, scratchView } from '../scratch.js';
import type { SyscallTable } from '../table.js';
import { callerOf, rawFile, readPath, restorePathError, vfsPath, type PathArg } from './common.js';

/** Reused result of the stat calls (the kernel is single threaded). */
const st: StatxValues = {
  dev: 0, ino: 0, nlink: 0, mode: 0, uid: 0, gid: 0, rdev: 0, size: 0, blksize: 0, blocks: 0,
  atimeSec: 0, atimeNsec: 0, mtimeSec: 0, mtimeNsec: 0, ctimeSec: 0, ctimeNsec: 0,
  mask: 0, attributes: 0, attributesMask: 0, btimeSec: 0, btimeNsec: 0, mntId: 0, dioMemAlign: 0, dioOffsetAlign: 0,
};

function clearStat(): void {
  for (const k of Object.keys(st) as (keyof StatxValues)[]) st[k] = 0;
}

/** The host's answer for a descriptor the sandbox was given (the caller's stdio). */
function hostStat(f: HostStdioFile): number {
  let s: fs.BigIntStats;
  try {
    s = fs.fstatSync(f.hostFd, { bigint: true });
  } catch {
    return -Errno.EIO;
  }
  clearStat();
  st.dev = Number(s.dev);
  st.ino = Number(s.ino);
  st.nlink = Number(s.nlink);
  st.mode = Number(s.mode);
  st.uid = Number(s.uid);
  st.gid = Number(s.gid);
  st.rdev = Number(s.rdev);
  st.size = Number(s.size);
  st.blksize = Number(s.blksize);
  st.blocks = Number(s.blocks);
  st.atimeSec = Number(s.atimeNs / 1_000_000_000n);
  st.atimeNsec = Number(s.atimeNs % 1_000_000_000n);
  st.mtimeSec = Number(s.mtimeNs / 1_000_000_000n);
  st.mtimeNsec = Number(s.mtimeNs % 1_000_000_000n);
  st.ctimeSec = Number(s.ctimeNs / 1_000_000_000n);
  st.ctimeNsec = Number(s.ctimeNs % 1_000_000_000n);
  st.mask = StatxMask.STATX_BASIC_STATS;
  return 0;
}

/** st for an open description: its file in the tree, the host's stdio, or the description's own answer. */
function statFile(t: Task, f: FileDescription): number {
  if (f instanceof OpenFile) {
    fillStat(f.path, st);
    return 0;
  }
  if (f instanceof HostStdioFile) return hostStat(f);
  clearStat();
  if (f.stat) {
    f.stat(st);
    return 0;
  }
  // An anonymous inode (anon_inode_getfile): mode 0600 and no file type.
  st.mode = FileMode.S_IRUSR | FileMode.S_IWUSR;
  st.nlink = 1;
  st.uid = t.creds.euid;
  st.gid = t.creds.egid;
  st.blksize = 4096;
  st.mask = StatxMask.STATX_BASIC_STATS;
  return 0;
}

function writeStat(t: Task, addr: number): number {
  encodeStat(scratchView, 0, st);
  return t.tg.mm.writeBytes(addr, scratch, 0, STAT_SIZE);
}

function writeStatx(t: Task, addr: number): number {
  encodeStatx(scratchView, 0, st);
  return t.tg.mm.writeBytes(addr, scratch, 0, STATX_SIZE);
}

/** fstat(2): any descriptor, O_PATH included (vfs_fstat). */
function fstat(t: Task, fd: number, buf: number): number {
  const f = rawFile(t, fd);
  if (typeof f === 'number') return f;
  const r = statFile(t, f);
  return r < 0 ? r : writeStat(t, buf);
}

/** st for dirfd + path with AT_* flags (vfs_statx); a path that could not be read fails at the lookup. */
function statPath(t: Task, dirfd: number, path: PathArg, flags: number): number {
  const p = restorePathError(statAt(callerOf(t), dirfd, vfsPath(path), flags), path);
  if (typeof p === 'number') return p;
  fillStat(p, st);
  return 0;
}

/**
 * getname_maybe_null: with AT_EMPTY_PATH, a NULL or empty path names dirfd
 * itself (statted directly when dirfd is a descriptor). Returns null then.
 */
function maybeEmpty(t: Task, addr: number, flags: number): PathArg | null {
  if ((flags & At.AT_EMPTY_PATH) === 0) return readPath(t, addr);
  if (addr === 0) return null;
  const p = readPath(t, addr);
  return p === '' ? null : p;
}

/** newfstatat(2) (glibc's stat, lstat and fstat all come here). */
function newfstatat(t: Task, dirfd: number, pathAddr: number, buf: number, flags: number): number {
  const path = maybeEmpty(t, pathAddr, flags);
  if (path === null && dirfd >= 0) return fstat(t, dirfd, buf);
  // The statx sync-type bits mean nothing to newfstatat; vfs_statx accepts them.
  const r = statPath(t, dirfd, path ?? '', (flags & ~At.AT_STATX_SYNC_TYPE) | At.AT_NO_AUTOMOUNT);
  return r < 0 ? r : writeStat(t, buf);
}

/** statx(2): the mask and sync type are checked first; the filled mask may exceed the asked one (man 2 statx). */
function statx(t: Task, dirfd: number, pathAddr: number, flags: number, mask: number, buf: number): number {
  if ((mask & StatxMask.STATX__RESERVED) !== 0) return -Errno.EINVAL;
  if ((flags & At.AT_STATX_SYNC_TYPE) === At.AT_STATX_SYNC_TYPE) return -Errno.EINVAL;
  const allowed = At.AT_SYMLINK_NOFOLLOW | At.AT_NO_AUTOMOUNT | At.AT_EMPTY_PATH | At.AT_STATX_SYNC_TYPE;
  if ((flags & ~allowed) !== 0) return -Errno.EINVAL;
  const path = maybeEmpty(t, pathAddr, flags);
  let r: number;
  if (path === null && dirfd >= 0) {
    const f = rawFile(t, dirfd);
    r = typeof f === 'number' ? f : statFile(t, f);
  } else {
    r = statPath(t, dirfd, path ?? '', flags);
  }
  return r < 0 ? r : writeStatx(t, buf);
}

/** struct statfs (x86-64): 120 bytes. */
const STATFS_SIZE = 120;

function writeStatfs(t: Task, addr: number, v: StatFsValues, dev: number): number {
  const dv = scratchView;
  setU64(dv, 0, v.type);
  setU64(dv, 8, v.bsize);
  setU64(dv, 16, v.blocks);
  setU64(dv, 24, v.bfree);
  setU64(dv, 32, v.bavail);
  setU64(dv, 40, v.files);
  setU64(dv, 48, v.ffree);
  // f_fsid: the device number, as file systems without a UUID report it.
  dv.setUint32(56, dev >>> 0, true);
  dv.setUint32(60, Math.floor(dev / 4294967296) >>> 0, true);
  setU64(dv, 64, v.namelen);
  setU64(dv, 72, v.frsize);
  setU64(dv, 80, v.flags);
  scratch.fill(0, 88, STATFS_SIZE);
  return t.tg.mm.writeBytes(addr, scratch, 0, STATFS_SIZE);
}

/** statfs(2): follows a trailing link. */
function statfs(t: Task, pathAddr: number, buf: number): number {
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  const p = statAt(callerOf(t), At.AT_FDCWD, path, 0);
  if (typeof p === 'number') return p;
  return writeStatfs(t, buf, statfsPath(p), p.mount.fs.dev);
}

/** pipefs's numbers, for descriptions outside the tree (simple_statfs of an anonymous file system). */
const ANON_STATFS: StatFsValues = {
  type: 0x50495045, bsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, namelen: 255, frsize: 4096, flags: 32,
};

/** fstatfs(2): any descriptor, O_PATH included. */
function fstatfs(t: Task, fd: number, buf: number): number {
  const f = rawFile(t, fd);
  if (typeof f === 'number') return f;
  if (f instanceof OpenFile) return writeStatfs(t, buf, statfsPath(f.path), f.path.mount.fs.dev);
  return writeStatfs(t, buf, ANON_STATFS, 0);
}

export function registerStat(table: SyscallTable, _k: Kernel): void {
  table[SYS.stat] = (t, a) => newfstatat(t, At.AT_FDCWD, a.u64(0), a.u64(1), 0);
  table[SYS.lstat] = (t, a) => newfstatat(t, At.AT_FDCWD, a.u64(0), a.u64(1), At.AT_SYMLINK_NOFOLLOW);
  table[SYS.fstat] = (t, a) => fstat(t, a.int(0), a.u64(1));
  table[SYS.newfstatat] = (t, a) => newfstatat(t, a.int(0), a.u64(1), a.u64(2), a.int(3));
  table[SYS.statx] = (t, a) => statx(t, a.int(0), a.u64(1), a.int(2), a.u32(3), a.u64(4));
  table[SYS.statfs] = (t, a) => statfs(t, a.u64(0), a.u64(1));
  table[SYS.fstatfs] = (t, a) => fstatfs(t, a.int(0), a.u64(1));
}
