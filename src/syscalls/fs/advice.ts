// fadvise64(2), readahead(2) and sync_file_range(2) (mm/fadvise.c,
// mm/readahead.c, fs/sync.c): hints about future I/O and write-back of a
// range. File data lives in memory here (tmpfs), or is the host's, whose
// page cache does the rest: each call checks its arguments and its file as
// Linux does, and then has nothing to do.
import fs from 'node:fs';
import { Errno } from '../../abi/linux/errno.js';
import { Fadvise, SYNC_FILE_RANGE_FLAGS } from '../../abi/linux/fadvise.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { FileMode, type StatxValues } from '../../abi/linux/stat.js';
import { SYS } from '../../abi/linux/syscalls.js';
import { HostStdioFile } from '../../fs/host_stdio.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file.js';
import { OpenFile } from '../../vfs/open_file.js';
import type { SyscallArgs } from '../args.js';
import type { SyscallTable } from '../table.js';
import { plainFile } from './common.js';

const TWO63 = 2n ** 63n;
const TWO64 = 2n ** 64n;

/** Filled by descriptions that answer fstat themselves (pipes, sockets). */
const st: StatxValues = {
  dev: 0, ino: 0, nlink: 0, mode: 0, uid: 0, gid: 0, rdev: 0, size: 0, blksize: 0, blocks: 0,
  atimeSec: 0, atimeNsec: 0, mtimeSec: 0, mtimeNsec: 0, ctimeSec: 0, ctimeNsec: 0,
  mask: 0, attributes: 0, attributesMask: 0, btimeSec: 0, btimeNsec: 0, mntId: 0, dioMemAlign: 0, dioOffsetAlign: 0,
};

/** The S_IFMT bits of the file behind f: 0 for an anonymous inode (eventfd, epoll …), which has none. */
function fileType(f: FileDescription): number {
  if (f instanceof OpenFile) return f.inode.type;
  if (f instanceof HostStdioFile) {
    try {
      return fs.fstatSync(f.hostFd).mode & FileMode.S_IFMT;
    } catch {
      return 0;
    }
  }
  if (!f.stat) return 0;
  st.mode = 0;
  f.stat(st);
  return st.mode & FileMode.S_IFMT;
}

/** A 64-bit argument as a signed bigint (loff_t). */
function loff(a: SyscallArgs, i: number): bigint {
  return BigInt.asIntN(64, BigInt(a.u32(i)) + (BigInt(a.hi(i)) << 32n));
}

/**
 * generic_fadvise: a FIFO (a pipe) is ESPIPE; a negative length EINVAL;
 * any of the six advices is taken (and needs no work), others EINVAL.
 */
function fadvise(f: FileDescription, len: bigint, advice: number): number {
  if (fileType(f) === FileMode.S_IFIFO) return -Errno.ESPIPE;
  if (len < 0n) return -Errno.EINVAL;
  if (advice < Fadvise.POSIX_FADV_NORMAL || advice > Fadvise.POSIX_FADV_NOREUSE) return -Errno.EINVAL;
  return 0;
}

/** fadvise64(fd, offset, len, advice): len is a size_t taken as a loff_t. */
function fadvise64(t: Task, fd: number, len: bigint, advice: number): number {
  const f = plainFile(t, fd);
  if (typeof f === 'number') return f;
  return fadvise(f, len, advice);
}

/**
 * readahead(2): EBADF unless open for reading; EINVAL unless a regular file
 * (or a block device); then POSIX_FADV_WILLNEED over the range.
 */
function readahead(t: Task, fd: number, count: bigint): number {
  const f = plainFile(t, fd);
  if (typeof f === 'number') return f;
  const acc = f.flags & OpenFlag.O_ACCMODE;
  if (acc !== OpenFlag.O_RDONLY && acc !== OpenFlag.O_RDWR) return -Errno.EBADF;
  const type = fileType(f);
  if (type !== FileMode.S_IFREG && type !== FileMode.S_IFBLK) return -Errno.EINVAL;
  return fadvise(f, count, Fadvise.POSIX_FADV_WILLNEED);
}

/**
 * sync_file_range(2): EBADF; then EINVAL for unknown flags, a negative
 * offset or end, or an end that wraps; then ESPIPE unless a regular file,
 * block device, directory or symlink. The data is as written as it gets.
 */
function syncFileRange(t: Task, fd: number, offset: bigint, nbytes: bigint, flags: number): number {
  const f = plainFile(t, fd);
  if (typeof f === 'number') return f;
  if ((flags & ~SYNC_FILE_RANGE_FLAGS) !== 0) return -Errno.EINVAL;
  // endbyte = offset + nbytes, wrapping as the kernel's 64-bit sum does.
  let end = (offset + nbytes) % TWO64;
  if (end >= TWO63) end -= TWO64;
  if (end < -TWO63) end += TWO64;
  if (offset < 0n || end < 0n || end < offset) return -Errno.EINVAL;
  const type = fileType(f);
  if (type !== FileMode.S_IFREG && type !== FileMode.S_IFBLK && type !== FileMode.S_IFDIR && type !== FileMode.S_IFLNK) return -Errno.ESPIPE;
  return 0;
}

export function registerAdvice(table: SyscallTable, _k: Kernel): void {
  table[SYS.fadvise64] = (t, a) => fadvise64(t, a.int(0), loff(a, 2), a.int(3));
  table[SYS.readahead] = (t, a) => readahead(t, a.int(0), loff(a, 2));
  table[SYS.sync_file_range] = (t, a) => syncFileRange(t, a.int(0), loff(a, 1), loff(a, 2), a.u32(3));
}
