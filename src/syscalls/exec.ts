// execve(2) and execveat(2): the path, argv and envp copied in with
// execve's limits; the work is in kernel/exec.ts.
import { Rlimit } from '../abi/linux/rlimit.js';
import { Errno } from '../abi/linux/errno.js';
import { At } from '../abi/linux/stat.js';
import { SYS } from '../abi/linux/syscalls.js';
import { execve } from '../kernel/exec.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { MAX_ARG_STRLEN } from '../loader/stack.js';
import { PATH_MAX } from '../vfs/limits.js';
import type { SyscallTable } from './table.js';

/** ARG_MAX: the least room for strings whatever RLIMIT_STACK says (32 pages). */
const ARG_MIN = 32 * 4096;
/** _STK_LIM / 4 * 3: the most, whatever RLIMIT_STACK says. */
const ARG_CAP = ((8 * 1024 * 1024) / 4) * 3;
const ptrBuf = new Uint8Array(8);
const ptrView = new DataView(ptrBuf.buffer);

/** Copies a NULL-terminated array of string pointers (argv or envp); a NULL array is empty. */
function readStrings(t: Task, addr: number, out: Uint8Array[], budget: { left: number }): number {
  if (addr === 0) return 0;
  const mm = t.tg.mm;
  for (let i = 0; ; i++) {
    if (mm.readBytes(addr + i * 8, ptrBuf, 0, 8) < 0) return -Errno.EFAULT;
    const p = ptrView.getUint32(0, true) + ptrView.getUint32(4, true) * 2 ** 32;
    if (p === 0) return 0;
    const s = mm.readCStringBytes(p, MAX_ARG_STRLEN);
    if (typeof s === 'number') return s === -Errno.ENAMETOOLONG ? -Errno.E2BIG : s;
    budget.left -= s.length + 1 + 8;
    if (budget.left < 0) return -Errno.E2BIG;
    out.push(s);
  }
}

function doExecve(k: Kernel, t: Task, dirfd: number, pathAddr: number, argvAddr: number, envpAddr: number, flags: number): number | Promise<number> {
  if (flags & ~(At.AT_EMPTY_PATH | At.AT_SYMLINK_NOFOLLOW)) return -Errno.EINVAL;
  const name = t.tg.mm.readCStringBytes(pathAddr, PATH_MAX);
  if (typeof name === 'number') return name;
  if (name.length === 0 && !(flags & At.AT_EMPTY_PATH)) return -Errno.ENOENT;
  const stack = t.tg.limits.get(Rlimit.RLIMIT_STACK).cur;
  const budget = { left: Math.max(ARG_MIN, Math.min(ARG_CAP, Number.isFinite(stack) ? Math.floor(stack / 4) : ARG_CAP)) };
  const argv: Uint8Array[] = [];
  const envp: Uint8Array[] = [];
  let argError = readStrings(t, argvAddr, argv, budget);
  if (argError === 0) argError = readStrings(t, envpAddr, envp, budget);
  // bprm->filename: the path as given when absolute or relative to the cwd, else /dev/fd/N[/path].
  let filename = name;
  if (dirfd !== At.AT_FDCWD && name[0] !== 0x2f) {
    filename = Buffer.from(name.length === 0 ? `/dev/fd/${dirfd}` : `/dev/fd/${dirfd}/${Buffer.from(name).toString('latin1')}`, 'latin1');
  }
  return execve(k, t, {
    dirfd,
    path: Buffer.from(name).toString('latin1'),
    flags,
    filename,
    fdPath: filename !== name,
    argv,
    envp,
    argError,
  });
}

export function registerExec(table: SyscallTable, k: Kernel): void {
  table[SYS.execve] = (t, a) => doExecve(k, t, At.AT_FDCWD, a.u64(0), a.u64(1), a.u64(2), 0);
  table[SYS.execveat] = (t, a) => doExecve(k, t, a.int(0), a.u64(1), a.u64(2), a.u64(3), a.int(4));
}
