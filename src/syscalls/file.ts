// Path and descriptor metadata calls available before the VFS lands:
// readlink of /proc/self/exe, fstat of the descriptors the sandbox was given.
// The file-system issue replaces these with the VFS.
import fs from 'node:fs';
import { Errno } from '../abi/linux/errno.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { HostStdioFile } from '../fs/host_stdio.js';
import { At, STAT_SIZE, encodeStat } from '../abi/linux/stat.js';
import { scratch } from './scratch.js';
import type { SyscallTable } from './table.js';

const PATH_MAX = 4096;

function readlink(k: Kernel, t: Task, dirfd: number, pathAddr: number, buf: number, size: number): number {
  const path = t.tg.mm.readCString(pathAddr, PATH_MAX);
  if (typeof path === 'number') return path;
  if (size <= 0) return -Errno.EINVAL;
  if (path.length === 0) return -Errno.ENOENT;
  if (dirfd !== At.AT_FDCWD && !path.startsWith('/') && !t.tg.fds.get(dirfd)) return -Errno.EBADF;
  if (path === '/proc/self/exe' || path === `/proc/${t.tg.pid}/exe` || path === '/proc/thread-self/exe') {
    const target = Buffer.from(t.tg.image.exe, 'utf8');
    const n = Math.min(size, target.length, scratch.length);
    scratch.set(target.subarray(0, n), 0);
    const r = t.tg.mm.writeBytes(buf, scratch, 0, n);
    return r < 0 ? r : n;
  }
  k.log.once(`readlink:${path}`, `readlink(${JSON.stringify(path)}): no file system yet, ENOENT`);
  return -Errno.ENOENT;
}

function fstat(t: Task, fd: number, statbuf: number): number {
  const f = t.tg.fds.get(fd);
  if (!f) return -Errno.EBADF;
  if (!(f instanceof HostStdioFile)) return -Errno.EBADF;
  let st: fs.BigIntStats;
  try {
    st = fs.fstatSync(f.hostFd, { bigint: true });
  } catch {
    return -Errno.EIO;
  }
  encodeStat(new DataView(scratch.buffer), 0, {
    dev: Number(st.dev),
    ino: Number(st.ino),
    nlink: Number(st.nlink),
    mode: Number(st.mode),
    uid: Number(st.uid),
    gid: Number(st.gid),
    rdev: Number(st.rdev),
    size: Number(st.size),
    blksize: Number(st.blksize),
    blocks: Number(st.blocks),
    atimeSec: Number(st.atimeNs / 1_000_000_000n),
    atimeNsec: Number(st.atimeNs % 1_000_000_000n),
    mtimeSec: Number(st.mtimeNs / 1_000_000_000n),
    mtimeNsec: Number(st.mtimeNs % 1_000_000_000n),
    ctimeSec: Number(st.ctimeNs / 1_000_000_000n),
    ctimeNsec: Number(st.ctimeNs % 1_000_000_000n),
  });
  return t.tg.mm.writeBytes(statbuf, scratch, 0, STAT_SIZE);
}

export function registerFile(table: SyscallTable, k: Kernel): void {
  table[SYS.readlink] = (t, a) => readlink(k, t, At.AT_FDCWD, a.u64(0), a.u64(1), a.int(2));
  table[SYS.readlinkat] = (t, a) => readlink(k, t, a.int(0), a.u64(1), a.u64(2), a.int(3));
  table[SYS.fstat] = (t, a) => fstat(t, a.int(0), a.u64(1));
  table[SYS.newfstatat] = (t, a) => {
    const flags = a.int(3);
    if ((flags & ~(At.AT_EMPTY_PATH | At.AT_SYMLINK_NOFOLLOW | At.AT_NO_AUTOMOUNT | At.AT_STATX_SYNC_TYPE)) !== 0) return -Errno.EINVAL;
    const path = t.tg.mm.readCString(a.u64(1), PATH_MAX);
    if (typeof path === 'number') return path;
    if (path === '' && (flags & At.AT_EMPTY_PATH) !== 0) return fstat(t, a.int(0), a.u64(2));
    if (path === '') return -Errno.ENOENT;
    k.log.once(`stat:${path}`, `stat(${JSON.stringify(path)}): no file system yet, ENOENT`);
    return -Errno.ENOENT;
  };
}
