// memfd_create(2) and the seal commands of fcntl(2), F_ADD_SEALS and
// F_GET_SEALS (mm/memfd.c). The files live on internal tmpfs instances
// (src/fs/tmpfs/memfd.ts); seals are enforced by tmpfs on write, truncate,
// fallocate and chmod.
//
// Mappings: F_SEAL_WRITE is EBUSY while writable shared mappings exist once
// the memory manager answers sealHooks.writableSharedMappings; new writable
// shared mappings of a write-sealed file are refused by mmap (EPERM).
import { Errno } from '../../abi/linux/errno.js';
import { Fcntl, OpenFlag, Seal } from '../../abi/linux/fcntl.js';
import { F_ALL_SEALS, F_SEAL_EXEC, MFD_ALL_FLAGS, MFD_HUGE_MASK, MFD_HUGE_SHIFT, MFD_NAME_MAX_LEN, MfdFlag } from '../../abi/linux/memfd.js';
import { Rlimit } from '../../abi/linux/rlimit.js';
import { SYS } from '../../abi/linux/syscalls.js';
import { addSeals, createMemfd, sealsOf } from '../../fs/tmpfs/memfd.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file.js';
import { OpenFile } from '../../vfs/open_file.js';
import type { SyscallTable } from '../table.js';
import { byteString } from './common.js';

/**
 * vm.memfd_noexec (0: memfds are executable unless MFD_NOEXEC_SEAL; 1: not
 * executable unless MFD_EXEC; 2: MFD_EXEC refused, EACCES). The sandbox
 * runs with the default, 0.
 */
export const memfdNoexec = { scope: 0 };

/**
 * memfd_create(2) in the order of mm/memfd.c: the flags (EINVAL; huge page
 * size bits only with MFD_HUGETLB), the vm.memfd_noexec policy, the name
 * (EFAULT; more than 249 bytes: EINVAL), a descriptor (EMFILE), the file
 * (ENODEV for a huge page size the machine lacks).
 */
function memfdCreate(t: Task, nameAddr: number, flags: number): number {
  if ((flags & MfdFlag.MFD_HUGETLB) === 0) {
    if ((flags & ~MFD_ALL_FLAGS) !== 0) return -Errno.EINVAL;
  } else if ((flags & ~(MFD_ALL_FLAGS | (MFD_HUGE_MASK << MFD_HUGE_SHIFT))) !== 0) {
    return -Errno.EINVAL;
  }
  if ((flags & MfdFlag.MFD_EXEC) !== 0 && (flags & MfdFlag.MFD_NOEXEC_SEAL) !== 0) return -Errno.EINVAL;
  if ((flags & (MfdFlag.MFD_EXEC | MfdFlag.MFD_NOEXEC_SEAL)) === 0) {
    flags |= memfdNoexec.scope >= 1 ? MfdFlag.MFD_NOEXEC_SEAL : MfdFlag.MFD_EXEC;
  }
  if ((flags & MfdFlag.MFD_NOEXEC_SEAL) === 0 && memfdNoexec.scope >= 2) return -Errno.EACCES;
  const b = t.tg.mm.readCStringBytes(nameAddr, MFD_NAME_MAX_LEN + 1);
  if (typeof b === 'number') return b === -Errno.ENAMETOOLONG ? -Errno.EINVAL : b;
  const fds = t.tg.fds;
  const limit = t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur;
  const free = fds.lowestFree(limit);
  if (free < 0) return free;
  const noexec = (flags & MfdFlag.MFD_NOEXEC_SEAL) !== 0;
  let seals: number = Seal.F_SEAL_SEAL;
  if (noexec) seals = F_SEAL_EXEC;
  else if ((flags & MfdFlag.MFD_ALLOW_SEALING) !== 0) seals = 0;
  const hugetlb = (flags & MfdFlag.MFD_HUGETLB) !== 0;
  const made = createMemfd({
    name: byteString(b),
    uid: t.creds.fsuid,
    gid: t.creds.fsgid,
    mode: noexec ? 0o666 : 0o777,
    seals,
    hugeShift: hugetlb ? (flags >>> MFD_HUGE_SHIFT) & MFD_HUGE_MASK : -1,
  });
  if (typeof made === 'number') return made;
  const accFlags = OpenFlag.O_RDWR | OpenFlag.O_LARGEFILE;
  const impl = made.inode.open(accFlags);
  if (typeof impl === 'number') {
    made.inode.incRef();
    made.inode.decRef();
    return impl;
  }
  const file = new OpenFile(made.path, accFlags, impl, t.creds, `/memfd:${byteString(b)} (deleted)`);
  const fd = fds.install(file, (flags & MfdFlag.MFD_CLOEXEC) !== 0, limit);
  if (fd < 0) {
    file.incRef();
    file.decRef();
  }
  return fd;
}

/**
 * memfd_fcntl: F_GET_SEALS and F_ADD_SEALS on fd's description f (arg: the
 * argument's low 32 bits). F_ADD_SEALS needs a writable descriptor (EPERM,
 * first, whatever the file), known seal bits (EINVAL), a file with seals
 * (tmpfs and hugetlbfs regular files: EINVAL otherwise), no F_SEAL_SEAL
 * (EPERM). O_PATH descriptors are EBADF.
 */
export function memfdFcntl(f: FileDescription, cmd: number, arg: number): number {
  if ((f.flags & OpenFlag.O_PATH) !== 0) return -Errno.EBADF;
  const file = f instanceof OpenFile ? sealsOf(f.inode) : null;
  if (cmd === Fcntl.F_GET_SEALS) return file ? file.seals : -Errno.EINVAL;
  const acc = f.flags & OpenFlag.O_ACCMODE;
  if (acc !== OpenFlag.O_WRONLY && acc !== OpenFlag.O_RDWR) return -Errno.EPERM;
  if ((arg & ~F_ALL_SEALS) !== 0) return -Errno.EINVAL;
  if (!file) return -Errno.EINVAL;
  return addSeals(file, arg);
}

export function registerMemfd(table: SyscallTable, _k: Kernel): void {
  table[SYS.memfd_create] = (t, a) => memfdCreate(t, a.u64(0), a.u32(1));
}
