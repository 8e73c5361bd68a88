// open(2), openat(2), openat2(2), creat(2), close_range(2): decode the
// arguments, reserve the descriptor, let the VFS open, install the result
// (fs/open.c: do_sys_openat2, build_open_how).
import { Errno } from '../../abi/linux/errno.js';
import { decodeOpenHow, OPEN_HOW_SIZE, OpenFlag, type OpenHow } from '../../abi/linux/fcntl.js';
import { Rlimit } from '../../abi/linux/rlimit.js';
import { At } from '../../abi/linux/stat.js';
import { SYS } from '../../abi/linux/syscalls.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { openAt, openatHow, validateOpenHow } from '../../vfs/open.js';
import type { OpenFile } from '../../vfs/open_file.js';
import { scratch, scratchView } from '../scratch.js';
import type { SyscallTable } from '../table.js';
import { callerOf, readPath, UNREADABLE_PATH, type PathArg } from './common.js';

/** The flags O_PATH keeps (build_open_how: "O_PATH beats everything else"). */
const O_PATH_FLAGS = OpenFlag.O_DIRECTORY | OpenFlag.O_NOFOLLOW | OpenFlag.O_PATH | OpenFlag.O_CLOEXEC;
/** open_how is 24 bytes in its first version; larger structs must be zero past what we know. */
const OPEN_HOW_SIZE_VER0 = 24;
const PAGE_SIZE = 4096;

const enum CloseRange {
  CLOSE_RANGE_UNSHARE = 2,
  CLOSE_RANGE_CLOEXEC = 4,
}

/** open(2) and openat(2): force_o_largefile (x86-64), then build_open_how. */
function legacyHow(flags: number, mode: number): OpenHow {
  let f = (flags | OpenFlag.O_LARGEFILE) >>> 0;
  if ((f & OpenFlag.O_PATH) !== 0) f &= O_PATH_FLAGS;
  return openatHow(f, mode);
}

/**
 * do_sys_openat2: the flags (build_open_flags), then the path (getname),
 * then a free descriptor (EMFILE), then the open. The VFS checks the flags
 * before it looks at the path, so a stand-in path that fails at once gets
 * exactly the flag errors, with nothing opened.
 */
function doOpen(t: Task, dirfd: number, path: PathArg, how: OpenHow): number | Promise<number> {
  const caller = callerOf(t);
  const probe = openAt(caller, dirfd, UNREADABLE_PATH, how);
  if (probe instanceof Promise) return -Errno.EINVAL;
  if (typeof probe !== 'number') {
    probe.incRef();
    probe.decRef();
    return -Errno.EINVAL;
  }
  if (probe !== -Errno.ENAMETOOLONG) return probe;
  if (typeof path === 'number') return path;
  // getname refuses an empty path (ENOENT) before a descriptor is taken.
  if (path === '') return -Errno.ENOENT;
  const fds = t.tg.fds;
  const limit = t.tg.limits.get(Rlimit.RLIMIT_NOFILE).cur;
  const free = fds.lowestFree(limit);
  if (free < 0) return free;
  const opened = openAt(caller, dirfd, path, how);
  // A FIFO's open waits for its other end (interruptible like a parked pipe call).
  if (opened instanceof Promise) return opened.then((f) => install(t, f, how, limit));
  return install(t, opened, how, limit);
}

function install(t: Task, file: OpenFile | number, how: OpenHow, limit: number): number {
  if (typeof file === 'number') return file;
  // O_CLOEXEC is a descriptor flag, not a file status flag (F_GETFL does not show it).
  file.flags &= ~OpenFlag.O_CLOEXEC;
  const fd = t.tg.fds.install(file, (how.flags & OpenFlag.O_CLOEXEC) !== 0, limit);
  if (fd < 0) {
    file.incRef();
    file.decRef();
  }
  return fd;
}

/** openat2(2): struct open_how of `size` bytes (copy_struct_from_user), checked strictly. */
function openat2(t: Task, dirfd: number, pathAddr: number, howAddr: number, size: number): number | Promise<number> {
  if (size < OPEN_HOW_SIZE_VER0) return -Errno.EINVAL;
  if (size > PAGE_SIZE) return -Errno.E2BIG;
  const mm = t.tg.mm;
  if (size > OPEN_HOW_SIZE) {
    const extra = size - OPEN_HOW_SIZE;
    const r = mm.readBytes(howAddr + OPEN_HOW_SIZE, scratch, 0, extra);
    if (r < 0) return r;
    for (let i = 0; i < extra; i++) if (scratch[i] !== 0) return -Errno.E2BIG;
  }
  const r = mm.readBytes(howAddr, scratch, 0, OPEN_HOW_SIZE);
  if (r < 0) return r;
  const how: OpenHow = { flags: 0, mode: 0, resolve: 0 };
  if (!decodeOpenHow(scratchView, 0, how)) return -Errno.EINVAL;
  if ((how.flags & OpenFlag.O_PATH) === 0) how.flags = (how.flags | OpenFlag.O_LARGEFILE) >>> 0;
  const err = validateOpenHow(how);
  if (err < 0) return err;
  return doOpen(t, dirfd, readPath(t, pathAddr), how);
}

/** close_range(2): close, or with CLOSE_RANGE_CLOEXEC mark close-on-exec, every open descriptor in [first, last]. */
function closeRange(t: Task, first: number, last: number, flags: number): number {
  if ((flags & ~(CloseRange.CLOSE_RANGE_UNSHARE | CloseRange.CLOSE_RANGE_CLOEXEC)) !== 0) return -Errno.EINVAL;
  if (first > last) return -Errno.EINVAL;
  const fds = t.tg.fds;
  // CLOSE_RANGE_UNSHARE: the table is not shared between processes (no CLONE_FILES yet).
  for (const fd of fds.openIn(first, last)) {
    if ((flags & CloseRange.CLOSE_RANGE_CLOEXEC) !== 0) fds.setCloexec(fd, true);
    else fds.close(fd);
  }
  return 0;
}

export function registerOpen(table: SyscallTable, _k: Kernel): void {
  table[SYS.open] = (t, a) => doOpen(t, At.AT_FDCWD, readPath(t, a.u64(0)), legacyHow(a.int(1), a.u32(2)));
  table[SYS.openat] = (t, a) => doOpen(t, a.int(0), readPath(t, a.u64(1)), legacyHow(a.int(2), a.u32(3)));
  table[SYS.creat] = (t, a) =>
    doOpen(t, At.AT_FDCWD, readPath(t, a.u64(0)), legacyHow(OpenFlag.O_CREAT | OpenFlag.O_WRONLY | OpenFlag.O_TRUNC, a.u32(1)));
  table[SYS.openat2] = (t, a) => openat2(t, a.int(0), a.u64(1), a.u64(2), a.u64(3));
  table[SYS.close_range] = (t, a) => closeRange(t, a.u32(0), a.u32(1), a.u32(2));
}
