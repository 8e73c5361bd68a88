// Creating a process from an executable image: a fresh address space, the ELF
// loaded with its initial stack, and the first thread with clean registers.
import crypto from 'node:crypto';
import { loadProgram } from '../loader/load_program.js';
import { STACK_RND_PAGES } from '../loader/stack.js';
import { MemoryManager } from '../mm/memory_manager.js';
import { Reg, type Context } from '../platform/platform.js';
import { setReg } from '../syscalls/args.js';
import type { FdTable } from '../vfs/fd_table.js';
import { Credentials } from './creds.js';
import type { FsContext } from './fs_context.js';
import type { Kernel } from './kernel.js';
import { Limits } from './limits.js';
import { Task } from './task.js';
import { ThreadGroup } from './thread_group.js';

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

/**
 * Resets the FP/SSE/AVX state to the power-on values (FCW 0x37f, MXCSR
 * 0x1f80, all registers zero): the stub thread starts with whatever the
 * sentry's thread held, which must never leak into the guest.
 */
function resetFpState(ctx: Context): number {
  const size = ctx.fetchFpState();
  if (size < 0) return size;
  const fp = ctx.fpState;
  const v = new DataView(fp.buffer, fp.byteOffset, fp.byteLength);
  fp.fill(0, 0, 512);
  v.setUint16(0, 0x37f, true); // FCW
  v.setUint32(24, 0x1f80, true); // MXCSR
  v.setUint32(28, 0xffff, true); // MXCSR_MASK (ignored on restore)
  if (size > 512) {
    // XSAVE header: XSTATE_BV = x87|SSE; every other component in its init state.
    fp.fill(0, 512, size);
    v.setUint32(512, 3, true);
  }
  return ctx.storeFpState();
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
  const gap = Math.max(128 * MiB, stackLimit + MiB + STACK_RND_PAGES * PAGE);
  const rnd = crypto.randomInt(MMAP_RND_PAGES) * PAGE;
  return Math.floor((maxAddress - gap - rnd) / PAGE) * PAGE;
}

export function createProcess(k: Kernel, spec: ProcessSpec): ThreadGroup | number {
  const as = k.platform.newAddressSpace(k.memoryFile.fd);
  if (typeof as === 'number') return as;
  const mm = new MemoryManager(k.memoryFile, as, { mmapBase: mmapBase(as.maxAddress) });
  const creds = spec.creds ?? new Credentials();
  const loaded = loadProgram(mm, spec.bytes, {
    argv: spec.argv,
    envp: spec.envp,
    execfn: spec.exe,
    uid: creds.uid,
    euid: creds.euid,
    gid: creds.gid,
    egid: creds.egid,
  });
  if (typeof loaded === 'number') {
    mm.destroy();
    as.destroy();
    return loaded;
  }
  mm.setStackStart(loaded.sp);
  const pid = k.allocatePid();
  const tg = new ThreadGroup(pid, 0, mm, as, spec.fds, new Limits(), { exe: spec.exe, argv: spec.argv, envp: spec.envp }, spec.fsContext);
  const ctx = k.platform.newContext(as);
  if (typeof ctx === 'number') {
    mm.destroy();
    as.destroy();
    return ctx;
  }
  initRegisters(ctx, loaded.entry, loaded.sp);
  const fp = resetFpState(ctx);
  if (fp < 0) k.log.warn(`cannot reset the FP state of a new thread: errno ${-fp}`);
  k.addTask(new Task(pid, tg, ctx, creds));
  return tg;
}

