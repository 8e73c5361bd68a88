// The initial process stack, laid out as Linux does (fs/exec.c do_execveat_common,
// copy_strings, setup_arg_pages; fs/binfmt_elf.c create_elf_tables). From high to low:
//
//   top (vm_end) ─ 8 zero bytes ─ execfn ─ envp strings ─ argv strings   (mm->arg_start)
//   ─ random pad (arch_align_stack), 16-byte aligned ─ "x86_64\0" ─ 16 AT_RANDOM bytes
//   ─ gap ─ auxv pairs, AT_NULL ─ NULL ─ envp[] ─ NULL ─ argv[] ─ argc  ← rsp, 16-byte aligned
//
// Two phases, in Linux's order: mapStack (setup_arg_pages: before the ELF and its interpreter
// are mapped) and writeStack (create_elf_tables: once AT_ENTRY, AT_PHDR, AT_BASE are known).
import { Errno } from '../abi/linux/errno.js';
import { AT } from '../abi/linux/auxv.js';
import type { InterpResult, LoadResult } from './loader.js';
import { HOST_AUXV, type HostAuxv } from './hostauxv.js';
import {
  MAP_ANON_PRIVATE, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE,
  pageDown, type LoaderMemory, type RandomSource,
} from './memory.js';
import { cryptoRandom, randomBytes16 } from './random.js';

/** An argv/envp/execfn string: text (encoded as UTF-8) or raw bytes; cut at the first NUL. */
export type ArgString = string | Uint8Array;

export interface StackArgs {
  readonly argv: readonly ArgString[];
  readonly envp: readonly ArgString[];
  /** AT_EXECFN: the path given to execve. */
  readonly execfn: ArgString;
  /** Executable stack (PT_GNU_STACK with PF_X). */
  readonly execStack: boolean;
  /** RLIMIT_STACK soft limit in bytes (Infinity for RLIM_INFINITY). Default 8 MiB. */
  readonly stackRlimit?: number;
  /** Randomize the stack top and the pad below the strings (randomize_va_space=2). Default true. */
  readonly aslr?: boolean;
  readonly random?: RandomSource;
}

export interface Credentials {
  readonly uid: number;
  readonly euid: number;
  readonly gid: number;
  readonly egid: number;
}

export interface AuxOptions {
  readonly load: LoadResult;
  /** The interpreter, for AT_BASE (0 without one). */
  readonly interp?: InterpResult | null;
  readonly cred: Credentials;
  /** AT_SECURE (setuid/setgid or capability gain). Default false. */
  readonly secure?: boolean;
  /** AT_FLAGS. Default 0. */
  readonly flags?: number;
  /** AT_SYSINFO_EHDR: the vDSO's address; omitted from auxv when undefined. */
  readonly vdso?: number;
  /** The 16 AT_RANDOM bytes; default: fresh from the host CSPRNG. */
  readonly randomBytes?: Uint8Array;
  /** CPU values for AT_HWCAP, AT_HWCAP2, AT_MINSIGSTKSZ. Default: the host's. */
  readonly host?: HostAuxv;
}

/** A mapped stack holding the strings, waiting for its tables (from mapStack). */
export interface StackPlan {
  readonly top: number;
  readonly bottom: number;
  readonly limit: number;
  readonly argStart: number;
  readonly envStart: number;
  readonly execfn: number;
  readonly argAddrs: readonly number[];
  readonly envAddrs: readonly number[];
  /** Where "x86_64\0" and the AT_RANDOM bytes go. */
  readonly platform: number;
  readonly random: number;
}

export type AuxEntry = readonly [type: number, value: number];

export interface StackResult {
  /** Initial rsp: 16-byte aligned, argc at [rsp]. */
  readonly sp: number;
  /** The stack VMA as mapped: [bottom, top), MAP_GROWSDOWN. */
  readonly top: number;
  readonly bottom: number;
  /** Lowest address RLIMIT_STACK lets the stack grow to (0 when unlimited). */
  readonly limit: number;
  readonly argc: number;
  /** Addresses of the argv[] and envp[] pointer arrays and of the auxv pairs. */
  readonly argv: number;
  readonly envp: number;
  readonly auxv: number;
  /** mm->arg_start/arg_end and env_start/env_end: the strings (/proc/PID/cmdline, environ). */
  readonly argStart: number;
  readonly argEnd: number;
  readonly envStart: number;
  readonly envEnd: number;
  readonly execfn: number;
  readonly platform: number;
  readonly random: number;
  /** mm->saved_auxv (/proc/PID/auxv), AT_NULL included. */
  readonly auxvEntries: readonly AuxEntry[];
}

/** _STK_LIM: the default RLIMIT_STACK. */
export const DEFAULT_STACK_RLIMIT = 8 * 1024 * 1024;
/** MAX_ARG_STRLEN: one string, NUL included. */
export const MAX_ARG_STRLEN = 32 * PAGE_SIZE;
/** ARG_MAX: the floor of the argument space. */
const ARG_MAX = 32 * PAGE_SIZE;
/** setup_arg_pages: the stack VMA extends 128 KiB below the strings. */
const STACK_EXPAND = 131072;
/** STACK_RND_MASK (64-bit): randomize_stack_top moves the top down by up to 16 GiB of pages. */
export const STACK_RND_PAGES = 0x400000;
/** ELF_PLATFORM for x86-64. */
const PLATFORM = new TextEncoder().encode('x86_64\0');
/** Most auxv pairs writeStack emits (AT_NULL and AT_SYSINFO_EHDR included). */
const MAX_AUXV = 21;

const encoder = new TextEncoder();

function toBytes(s: ArgString): Uint8Array {
  const b = typeof s === 'string' ? encoder.encode(s) : s;
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

/** bprm_stack_limits: strings and pointers get 1/4 of the rlimit, at most 6 MiB, at least ARG_MAX. */
function argLimit(rlimit: number): number {
  return Math.max(Math.min((DEFAULT_STACK_RLIMIT / 4) * 3, rlimit / 4), ARG_MAX);
}

/** STACK_ROUND in create_elf_tables: the lowest word, 16-byte aligned. */
function stackPointer(plan: StackPlan, auxvPairs: number): number {
  const items = plan.argAddrs.length + 1 + plan.envAddrs.length + 1 + 1; // argc, argv+NULL, envp+NULL
  const sp = plan.random - auxvPairs * 16 - items * 8;
  return sp - (sp % 16);
}

/**
 * Maps the stack VMA below mem.maxAddress (randomized top; the strings' pages plus 128 KiB,
 * within RLIMIT_STACK) and copies execfn, envp and argv into it. Returns -E2BIG when the
 * strings exceed execve(2)'s limits ("Limits on size of arguments and environment"), or the
 * mmap error. An empty argv becomes {""} (Linux >= 5.18).
 */
export function mapStack(mem: LoaderMemory, a: StackArgs): StackPlan | number {
  const aslr = a.aslr ?? true;
  const rnd = a.random ?? cryptoRandom;
  const rlimit = a.stackRlimit ?? DEFAULT_STACK_RLIMIT;
  const execfn = toBytes(a.execfn);
  const envs = a.envp.map(toBytes);
  let args = a.argv.map(toBytes);

  const ptrSize = (Math.max(args.length, 1) + envs.length) * 8;
  const limit = argLimit(rlimit);
  if (limit <= ptrSize) return -Errno.E2BIG;
  if (args.length === 0) args = [new Uint8Array(0)];
  let strBytes = 0;
  for (const s of [execfn, ...envs, ...args]) {
    if (s.length + 1 > MAX_ARG_STRLEN) return -Errno.E2BIG;
    strBytes += s.length + 1;
  }
  if (strBytes > limit - ptrSize) return -Errno.E2BIG;

  // copy_strings works downwards from one pointer below the top: execfn, envp[n-1..0], argv[n-1..0].
  const top = pageDown(mem.maxAddress) - (aslr ? rnd(STACK_RND_PAGES) * PAGE_SIZE : 0);
  let p = top - 8;
  const execfnAddr = (p -= execfn.length + 1);
  const envAddrs = envs.map(() => 0);
  for (let i = envs.length - 1; i >= 0; i--) envAddrs[i] = p -= (envs[i]?.length ?? 0) + 1;
  const argAddrs = args.map(() => 0);
  for (let i = args.length - 1; i >= 0; i--) argAddrs[i] = p -= (args[i]?.length ?? 0) + 1;
  const argStart = p;
  const stringsPage = pageDown(p);

  // create_elf_tables starts with arch_align_stack: a random pad below 8 KiB, then 16-byte alignment.
  if (aslr) p -= rnd(8192);
  p -= p % 16;
  const platform = p - PLATFORM.length;
  const random = platform - 16;

  const rlimBytes = Number.isFinite(rlimit) ? pageDown(rlimit) : Infinity;
  const plan: StackPlan = {
    top,
    bottom: Math.min(stringsPage, Math.max(stringsPage - STACK_EXPAND, top - rlimBytes)),
    limit: Number.isFinite(rlimBytes) ? Math.max(0, top - rlimBytes) : 0,
    argStart,
    envStart: envAddrs[0] ?? execfnAddr,
    execfn: execfnAddr,
    argAddrs,
    envAddrs,
    platform,
    random,
  };
  // The tables may reach below the VMA: the kernel's put_user would grow the stack, up to the rlimit.
  const lowest = pageDown(stackPointer(plan, MAX_AUXV));
  let bottom = plan.bottom;
  if (lowest < bottom) {
    if (top - lowest > rlimBytes) return -Errno.EFAULT;
    bottom = lowest;
  }
  if (bottom <= 0) return -Errno.ENOMEM;

  const prot = PROT_READ | PROT_WRITE | (a.execStack ? PROT_EXEC : 0);
  const m = mem.mmap(bottom, top - bottom, prot, MAP_ANON_PRIVATE | MAP_FIXED_NOREPLACE | MAP_GROWSDOWN, -1, 0);
  if (m < 0) return m;
  if (m !== bottom) return -Errno.ENOMEM;

  const buf = new Uint8Array(top - argStart);
  const put = (addr: number, s: Uint8Array): void => buf.set(s, addr - argStart);
  put(execfnAddr, execfn);
  envs.forEach((s, i) => put(envAddrs[i] ?? 0, s));
  args.forEach((s, i) => put(argAddrs[i] ?? 0, s));
  const r = mem.pokeBytes(argStart, buf, 0, buf.length);
  if (r < 0) return r;
  return { ...plan, bottom };
}

function auxvFor(o: AuxOptions, plan: StackPlan): AuxEntry[] {
  const host = o.host ?? HOST_AUXV;
  const aux: AuxEntry[] = [];
  // ARCH_DLINFO (x86-64), then the generic entries of create_elf_tables, in its order.
  if (o.vdso !== undefined) aux.push([AT.SYSINFO_EHDR, o.vdso]);
  aux.push(
    [AT.MINSIGSTKSZ, host.minsigstksz],
    [AT.HWCAP, host.hwcap],
    [AT.PAGESZ, PAGE_SIZE],
    [AT.CLKTCK, 100], // USER_HZ
    [AT.PHDR, o.load.phdr],
    [AT.PHENT, o.load.phent],
    [AT.PHNUM, o.load.phnum],
    [AT.BASE, o.interp?.base ?? 0],
    [AT.FLAGS, o.flags ?? 0],
    [AT.ENTRY, o.load.entry],
    [AT.UID, o.cred.uid],
    [AT.EUID, o.cred.euid],
    [AT.GID, o.cred.gid],
    [AT.EGID, o.cred.egid],
    [AT.SECURE, o.secure ? 1 : 0],
    [AT.RANDOM, plan.random],
    [AT.HWCAP2, host.hwcap2],
    [AT.EXECFN, plan.execfn],
    [AT.PLATFORM, plan.platform],
    [AT.NULL, 0],
  );
  return aux;
}

function putU64(dv: DataView, off: number, v: number): void {
  dv.setUint32(off, v >>> 0, true);
  dv.setUint32(off + 4, Math.floor(v / 0x1_0000_0000) >>> 0, true);
}

/** Writes AT_PLATFORM, AT_RANDOM, argc, argv[], envp[] and auxv below the strings of plan. */
export function writeStack(mem: LoaderMemory, plan: StackPlan, o: AuxOptions): StackResult | number {
  const auxv = auxvFor(o, plan);
  const sp = stackPointer(plan, auxv.length);
  const argc = plan.argAddrs.length;
  const envc = plan.envAddrs.length;
  // [sp, plan.platform + 7): the words, the gap, the random bytes, the platform string.
  const buf = new Uint8Array(plan.platform + PLATFORM.length - sp);
  const dv = new DataView(buf.buffer);
  buf.set(PLATFORM, plan.platform - sp);
  buf.set((o.randomBytes ?? randomBytes16()).subarray(0, 16), plan.random - sp);
  let w = 0;
  const word = (v: number): void => {
    putU64(dv, w, v);
    w += 8;
  };
  word(argc);
  plan.argAddrs.forEach((a) => word(a));
  word(0);
  plan.envAddrs.forEach((a) => word(a));
  word(0);
  for (const [type, value] of auxv) {
    word(type);
    word(value);
  }
  const r = mem.pokeBytes(sp, buf, 0, buf.length);
  if (r < 0) return r;
  const argv = sp + 8;
  const envp = argv + (argc + 1) * 8;
  return {
    sp,
    top: plan.top,
    bottom: plan.bottom,
    limit: plan.limit,
    argc,
    argv,
    envp,
    auxv: envp + (envc + 1) * 8,
    argStart: plan.argStart,
    argEnd: plan.envStart,
    envStart: plan.envStart,
    envEnd: plan.execfn,
    execfn: plan.execfn,
    platform: plan.platform,
    random: plan.random,
    auxvEntries: auxv,
  };
}

/** mapStack then writeStack, for callers that load the ELF first. */
export function setupStack(mem: LoaderMemory, a: StackArgs, o: AuxOptions): StackResult | number {
  const plan = mapStack(mem, a);
  return typeof plan === 'number' ? plan : writeStack(mem, plan, o);
}
