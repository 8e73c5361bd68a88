// lseek(2) (SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE) and the
// sync family: fsync(2), fdatasync(2), syncfs(2), sync(2).
import { Errno } from '../../abi/linux/errno.js';
import { Seek } from '../../abi/linux/fcntl.js';
import { SYS } from '../../abi/linux/syscalls.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { OpenFile } from '../../vfs/open_file.js';
import type { SyscallTable } from '../table.js';
import { plainFile } from './common.js';

/** ksys_lseek: the descriptor (O_PATH is EBADF), whence (EINVAL), then the file (ESPIPE if it cannot seek). */
function lseek(t: Task, fd: number, offset: number, whence: number): number {
  const f = plainFile(t, fd);
  if (typeof f === 'number') return f;
  if (whence > Seek.SEEK_HOLE) return -Errno.EINVAL;
  if (f instanceof OpenFile) return f.seek(offset, whence);
  return f.seek ? f.seek(offset, whence) : -Errno.ESPIPE;
}

/** fsync / fdatasync: EINVAL for files that cannot be synced (pipes, sockets). Memory is the storage here. */
function fsync(t: Task, fd: number): number {
  const f = plainFile(t, fd);
  if (typeof f === 'number') return f;
  return f instanceof OpenFile ? f.fsync() : -Errno.EINVAL;
}

function syncfs(t: Task, fd: number): number {
  const f = plainFile(t, fd);
  return typeof f === 'number' ? f : 0;
}

export function registerSeek(table: SyscallTable, _k: Kernel): void {
  table[SYS.lseek] = (t, a) => lseek(t, a.int(0), a.i64(1), a.u32(2));
  table[SYS.fsync] = (t, a) => fsync(t, a.int(0));
  table[SYS.fdatasync] = (t, a) => fsync(t, a.int(0));
  table[SYS.syncfs] = (t, a) => syncfs(t, a.int(0));
  table[SYS.sync] = () => 0;
}
