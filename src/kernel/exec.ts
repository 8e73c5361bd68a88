// Starting programs: the sandbox's first process (createProcess) and
// execve(2)/execveat(2) (execve). Both build a fresh address space with the
// ELF (and its interpreter) loaded and the initial stack written, and a
// first thread with clean registers; execve then replaces the calling
// process's image (Linux fs/exec.c: bprm, de_thread, begin_new_exec).
import { Rlimit } from '../abi/linux/rlimit.js';
import crypto from 'node:crypto';
import { Errno } from '../abi/linux/errno.js';
import { parseElf } from '../loader/elf.js';
import { ElfImageCache, type CachedElf } from '../loader/image_cache.js';
import { loadProgram } from '../loader/load_program.js';
import { STACK_RND_PAGES } from '../loader/stack.js';
import { MemoryManager } from '../mm/memory_manager.js';
import { Reg, type Context } from '../platform/platform.js';
import { setReg } from '../syscalls/args.js';
import type { FdTable } from '../vfs/fd_table.js';
import { ExeDenyWrite } from '../vfs/write_access.js';
import type { Caller } from '../vfs/fs_struct.js';
import { Credentials } from './creds.js';
import { readExecutable, type Executable } from './exec_file.js';
import { callerOf, type FsContext } from './fs_context.js';
import { NO_RESUME, type Kernel } from './kernel.js';
import { Limits, retireHostUsage } from './limits.js';
import { credsAfterExec } from './capabilities.js';
import { execTaskAttrs } from './task_attrs.js';
import { FileMode } from '../abi/linux/stat.js';
import { Task } from './task.js';
import { commOf, ThreadGroup } from './thread_group.js';
import { Vm } from './vm.js';
import { initFpState, resetFpState } from './fpu.js';

/** The XSAVE size the platform reports (the same for every thread of the host): known after the first reset. */
let xstateSize = 0;

/** The power-on FP state for a new program's thread: one store (a fetch only the first time, for the size). */
function resetNewFpState(ctx: Context): number {
  if (xstateSize <= 0 || xstateSize > ctx.fpState.length) {
    const r = resetFpState(ctx);
    if (r === 0) xstateSize = ctx.fetchFpState();
    return r < 0 ? r : 0;
  }
  initFpState(ctx.fpState, xstateSize);
  return ctx.storeFpState();
}
import { onExec as onExecTimers } from './timers.js';

export interface ProcessSpec {
  /** Absolute path of the executable (what /proc/self/exe shows). */
  exe: string;
  bytes: Uint8Array;
  argv: string[];
  envp: string[];
  /** Mount namespace, root, cwd and umask (the init process's come from the boot mounts). */
  fsContext: FsContext;
  fds: FdTable;
  creds?: Credentials;
  /** The PT_INTERP interpreter's bytes, for a dynamically linked program. */
  interp?: Uint8Array | null;
}

/** Clears the general registers and sets the entry state of a new program (ABI: rdx = 0, rsp = stack). */
function initRegisters(ctx: Context, entry: number, sp: number): void {
  const r = ctx.regs32;
  const keep = [Reg.CS, Reg.SS, Reg.DS, Reg.ES, Reg.FS, Reg.GS];
  for (let i = 0; i < Reg.EV_KIND; i++) {
    if (keep.includes(i)) continue;
    r[i * 2] = 0;
    r[i * 2 + 1] = 0;
  }
  // orig_rax = -1: no syscall to restart.
  r[Reg.ORIG_RAX * 2] = 0xffffffff;
  r[Reg.ORIG_RAX * 2 + 1] = 0xffffffff;
  setReg(r, Reg.RIP, entry);
  setReg(r, Reg.RSP, sp);
  setReg(r, Reg.EFLAGS, 0x202);
}

const PAGE = 4096;
const MiB = 1024 * 1024;
/** mmap_rnd_bits = 28 on x86-64: the mmap base moves down by up to 2^28 pages. */
const MMAP_RND_PAGES = 2 ** 28;

/**
 * The top of the mmap area, as arch/x86/mm/mmap.c mmap_base() computes it:
 * below the stack's maximum size (RLIMIT_STACK, the guard gap and the stack's
 * randomization, which the loader applies), at least 128 MiB below the top, then randomized.
 */
function mmapBase(maxAddress: number, stackLimit = 8 * MiB): number {
  const gap = Math.min(Math.max(128 * MiB, stackLimit + MiB + STACK_RND_PAGES * PAGE), (maxAddress / 6) * 5);
  const rnd = crypto.randomInt(MMAP_RND_PAGES) * PAGE;
  return Math.floor((maxAddress - gap - rnd) / PAGE) * PAGE;
}


/** The memory manager's view of a process's RLIMIT_AS and RLIMIT_DATA. */
export function limitReader(tg: ThreadGroup): (r: 'as' | 'data') => number {
  return (r) => tg.limits.get(r === 'as' ? Rlimit.RLIMIT_AS : Rlimit.RLIMIT_DATA).cur;
}

/** A new program image ready to run: its address space and first thread. */
interface Image {
  vm: Vm;
  ctx: Context;
}

interface ImageSpec {
  bytes: Uint8Array;
  interp: Uint8Array | null;
  /** The executable's and the interpreter's cached images (bytes are then only their heads). */
  cached?: CachedElf | null;
  interpCached?: CachedElf | null;
  argv: readonly (string | Uint8Array)[];
  envp: readonly (string | Uint8Array)[];
  execfn: string | Uint8Array;
  creds: Credentials;
  stackLimit: number;
  /** AT_SECURE. */
  secure: boolean;
}

/** Builds a fresh address space with the program loaded and a thread set to start it. */
function buildImage(k: Kernel, s: ImageSpec): Image | number {
  const as = k.platform.newAddressSpace(k.memoryFile.fd);
  if (typeof as === 'number') return as;
  const stackLimit = Number.isFinite(s.stackLimit) ? s.stackLimit : 8 * MiB;
  const mm = new MemoryManager(k.memoryFile, as, { mmapBase: mmapBase(as.maxAddress, stackLimit) });
  const vm = new Vm(mm, as);
  const loaded = loadProgram(mm, s.bytes, {
    argv: s.argv,
    envp: s.envp,
    execfn: s.execfn,
    uid: s.creds.uid,
    euid: s.creds.euid,
    gid: s.creds.gid,
    egid: s.creds.egid,
    secure: s.secure,
    stackRlimit: stackLimit,
    readInterpreter: s.interp ? () => s.interp! : undefined,
    cached: s.cached ?? null,
    interpCached: s.interpCached ?? null,
  });
  if (typeof loaded === 'number') {
    vm.put();
    return loaded;
  }
  mm.setStackStart(loaded.sp);
  const ctx = k.newContext(vm);
  if (typeof ctx === 'number') {
    vm.put();
    return ctx;
  }
  initRegisters(ctx, loaded.entry, loaded.sp);
  const fp = resetNewFpState(ctx);
  if (fp < 0) k.log.warn(`cannot reset the FP state of a new thread: errno ${-fp}`);
  return { vm, ctx };
}

/** The sandbox's first process (PID 1), ready to run. */
export function createProcess(k: Kernel, spec: ProcessSpec): ThreadGroup | number {
  const creds = spec.creds ?? new Credentials();
  const limits = new Limits();
  const img = buildImage(k, { bytes: spec.bytes, interp: spec.interp ?? null, argv: spec.argv, envp: spec.envp, execfn: spec.exe, creds, stackLimit: limits.get(Rlimit.RLIMIT_STACK).cur, secure: false });
  if (typeof img === 'number') return img;
  const pid = k.allocatePid();
  if (pid < 0) return pid;
  const tg = new ThreadGroup(pid, img.vm, spec.fds, limits, { exe: spec.exe, argv: spec.argv, envp: spec.envp }, spec.fsContext);
  img.vm.mm.rlimit = limitReader(tg);
  k.addTask(new Task(pid, tg, img.ctx, creds));
  return tg;
}

// --- execve ---------------------------------------------------------------------------------

/** binfmt_script: BINPRM_BUF_SIZE, the bytes of the first line looked at. */
const BINPRM_BUF_SIZE = 256;
/** exec_binprm: more nested interpreters than this is ELOOP. */
const MAX_INTERP_DEPTH = 5;

export interface ExecRequest {
  dirfd: number;
  /** The path as the VFS takes it (bytes as a latin1 string). */
  path: string;
  /** AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW (execveat). */
  flags: number;
  /** The filename as given (bprm->filename: AT_EXECFN, the comm, a script's argument). */
  filename: Uint8Array;
  argv: Uint8Array[];
  envp: Uint8Array[];
  /** An error copying argv or envp (EFAULT, E2BIG): reported after the file's own errors, as Linux. */
  argError: number;
  /** filename is a /dev/fd/N path made up for execveat: the comm comes from the file's own name. */
  fdPath?: boolean;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * Parses a "#!" line (fs/binfmt_script.c): the interpreter and at most one
 * argument (the rest of the line, trimmed). Returns -ENOEXEC if the line is
 * not one, or if the interpreter's name is cut off by the 256-byte buffer.
 */
function parseShebang(b: Uint8Array): { interp: Uint8Array; arg: Uint8Array | null } | number {
  if (b.length < 2 || b[0] !== 0x23 || b[1] !== 0x21) return -Errno.ENOEXEC;
  const n = Math.min(b.length, BINPRM_BUF_SIZE);
  let end = b.subarray(0, n).indexOf(0x0a);
  const truncated = end < 0;
  if (end < 0) end = n;
  let i = 2;
  while (i < end && isSpace(b[i])) i++;
  let j = end;
  while (j > i && (isSpace(b[j - 1]) || b[j - 1] === 0)) j--;
  if (i >= j) return -Errno.ENOEXEC;
  let k = i;
  while (k < j && !isSpace(b[k]) && b[k] !== 0) k++;
  // An interpreter name running to the end of an unterminated buffer may be cut: refuse it.
  if (truncated && k === j && j === n) return -Errno.ENOEXEC;
  const interp = b.slice(i, k);
  let a = k;
  while (a < j && isSpace(b[a])) a++;
  const arg = a < j ? b.slice(a, j) : null;
  return { interp, arg };
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const utf8 = (b: Uint8Array | string): string => (typeof b === 'string' ? b : Buffer.from(b).toString('utf8'));

/**
 * Finds what to run: follows "#!" interpreters (rewriting argv), reads
 * PT_INTERP's interpreter. Errors are execve's; nothing of the caller changed yet.
 */
export async function resolveProgram(
  caller: Caller,
  req: Pick<ExecRequest, 'dirfd' | 'path' | 'flags' | 'filename' | 'argv'>,
  /** The file at req.path, already read (the sandbox's first program). */
  first?: Pick<Executable, 'exe' | 'bytes'>,
  /** Loaded images to use and fill; the result's cached images are pinned (see unpinProgram). */
  cache?: ElfImageCache,
): Promise<{ exe: Pick<Executable, 'exe' | 'bytes'> & Partial<Executable>; interp: Uint8Array | null; interpElf?: CachedElf; argv: Uint8Array[] } | number> {
  let argv = req.argv;
  let dirfd = req.dirfd;
  let path = req.path;
  let flags = req.flags;
  for (let depth = 0; ; depth++) {
    if (depth > MAX_INTERP_DEPTH) return -Errno.ELOOP;
    const exe = depth === 0 && first ? first : await readExecutable(caller, dirfd, path, flags, cache);
    if (typeof exe === 'number') return exe;
    const sb = parseShebang(exe.bytes);
    if (typeof sb !== 'number') {
      // argv[0] is replaced by: interpreter, its optional argument, the script's name as given.
      const name = depth === 0 ? req.filename : new TextEncoder().encode(path);
      argv = [sb.interp, ...(sb.arg ? [sb.arg] : []), name, ...argv.slice(1)];
      dirfd = -100;
      path = latin1(sb.interp);
      flags = 0;
      continue;
    }
    const elf = (exe as Partial<Executable>).elf;
    const image = elf?.image ?? parseElf(exe.bytes);
    if (typeof image === 'number') return image;
    let interp: Uint8Array | null = null;
    let interpElf: CachedElf | undefined;
    if (image.interpreter !== null) {
      const ip = await readExecutable(caller, -100, latin1(image.interpreter), 0, cache);
      // A missing interpreter is ENOENT, as Linux's open_exec of it.
      if (typeof ip === 'number') {
        elf?.unpin();
        return ip;
      }
      interp = ip.bytes;
      interpElf = ip.elf;
    }
    return { exe, interp, interpElf, argv };
  }
}

/**
 * execve(2): replaces t's process image. Returns 0 (the new program starts
 * with rax = 0), or a negative errno with the caller untouched. The caller's
 * memory, other threads, FD_CLOEXEC descriptors and caught signals go.
 */
export async function execve(k: Kernel, t: Task, req: ExecRequest): Promise<number> {
  const found = await resolveProgram(callerOf(t), req, undefined, ElfImageCache.of(k.memoryFile));
  if (typeof found === 'number') return found;
  try {
    return execFound(k, t, req, found);
  } finally {
    found.exe.elf?.unpin();
    found.interpElf?.unpin();
  }
}

function execFound(k: Kernel, t: Task, req: ExecRequest, found: Found): number {
  const tg = t.tg;
  if (req.argError < 0) return req.argError;
  if (tg.exiting || t.exited) return NO_RESUME;
  // The new program denies writes to its file while it runs (ETXTBSY); released if execve fails.
  const deny = found.exe.inode !== undefined ? ExeDenyWrite.take(found.exe.inode) : null;
  if (typeof deny === 'number') return deny;
  const r = execImage(k, t, found, req);
  if (r === 0 && tg.vm.exeDeny === null) tg.vm.exeDeny = deny;
  else deny?.release();
  return r;
}

type Found = Exclude<Awaited<ReturnType<typeof resolveProgram>>, number>;

/** execve once the program is found: builds the image, then replaces t's (0 or -errno, the caller untouched). */
function execImage(k: Kernel, t: Task, found: Found, req: ExecRequest): number {
  const tg = t.tg;
  const argv = found.argv.length > 0 ? found.argv : [new Uint8Array(0)];
  // Set-user-ID and set-group-ID (a set-GID file needs group execute), not on nosuid mounts.
  const ex = found.exe;
  const mode = ex.mode ?? 0;
  const setuid = !ex.nosuid && (mode & FileMode.S_ISUID) !== 0;
  const setgid = !ex.nosuid && (mode & FileMode.S_ISGID) !== 0 && (mode & FileMode.S_IXGRP) !== 0;
  const cr = credsAfterExec(t.creds, ex.uid ?? 0, ex.gid ?? 0, setuid, setgid, false, { unsafe: tg.fsContext.users > 1 });
  if (typeof cr === 'number') return cr;
  let stackLimit = tg.limits.get(Rlimit.RLIMIT_STACK).cur;
  if (cr.secure) stackLimit = Math.min(stackLimit, 8 * MiB);
  const img = buildImage(k, {
    bytes: found.exe.bytes,
    interp: found.interp,
    cached: found.exe.elf,
    interpCached: found.interpElf,
    argv,
    envp: req.envp,
    execfn: req.filename,
    creds: cr.creds,
    stackLimit,
    secure: cr.secure,
  });
  if (typeof img === 'number') return img;

  // The point of no return: de_thread, then the new memory, files and signals.
  for (const o of [...tg.tasks]) if (o !== t) k.detachTask(o);
  if (t.tid !== tg.pid) k.renumberTask(t, tg.pid);
  const oldVm = tg.vm;
  k.exitHooks.robustList?.(t);
  t.robustListHead = 0;
  t.robustListLen = 0;
  if (t.clearChildTid !== 0 && oldVm.shared && oldVm.mm.writeU32(t.clearChildTid, 0) === 0) k.exitHooks.futexWake?.(t, t.clearChildTid);
  t.clearChildTid = 0;
  tg.vm = img.vm;
  img.vm.mm.rlimit = limitReader(tg);
  k.replaceContext(t, img.ctx);
  if (!oldVm.shared) retireHostUsage(tg, oldVm.as.hostPid);
  oldVm.put();
  execTaskAttrs(t, cr, ex.readable ?? true);
  if (tg.fds.users > 1) {
    tg.fds.users--;
    tg.fds = tg.fds.fork();
  }
  tg.fds.closeOnExec();
  tg.sigactions = tg.sigactions.flushed();
  tg.image = { exe: found.exe.exe, argv: argv.map(utf8), envp: req.envp.map(utf8) };
  const base = req.filename.subarray(req.filename.lastIndexOf(0x2f) + 1);
  tg.comm = req.fdPath ? commOf(found.exe.exe) : commOf(utf8(base));
  tg.execed = true;
  onExecTimers(tg);
  // The alternate signal stack is gone with the old memory; pending signals and the mask stay.
  t.altSp = 0;
  t.altSize = 0;
  t.altFlags = 2;
  t.hasSavedMask = false;
  const vfork = tg.vforkDone;
  tg.vforkDone = null;
  vfork?.();
  k.log.debug(`pid ${tg.pid}: execve ${found.exe.exe} ${JSON.stringify(tg.image.argv)}`);
  return 0;
}
