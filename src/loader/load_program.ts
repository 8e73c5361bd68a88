// execve's image work in one call: parse, stack, executable, interpreter, tables, in the order
// of load_elf_binary (setup_arg_pages, PT_LOADs, load_elf_interp, create_elf_tables).
import { Errno } from '../abi/linux/errno.js';
import { parseElf, type ElfImage } from './elf.js';
import type { SegmentPages } from './image_cache.js';
import type { HostAuxv } from './hostauxv.js';
import { loadElf, loadInterpreter, type InterpResult, type LoadResult } from './loader.js';
import type { LoaderMemory, RandomSource } from './memory.js';
import { mapStack, writeStack, type ArgString, type StackResult } from './stack.js';

export interface ProgramOptions {
  readonly argv: readonly ArgString[];
  readonly envp: readonly ArgString[];
  readonly execfn: ArgString;
  readonly uid: number;
  readonly euid: number;
  readonly gid: number;
  readonly egid: number;
  readonly secure?: boolean;
  /** AT_SYSINFO_EHDR, when a vDSO is mapped. */
  readonly vdso?: number;
  readonly stackRlimit?: number;
  readonly aslr?: boolean;
  readonly random?: RandomSource;
  readonly randomBytes?: Uint8Array;
  readonly host?: HostAuxv;
  /**
   * Reads the file named by PT_INTERP (path bytes, no NUL): its bytes or a negative errno.
   * Without it a dynamic executable gives -ENOEXEC.
   */
  readonly readInterpreter?: (path: Uint8Array) => Uint8Array | number;
  /** The executable's parsed headers and segment pages, cached (bytes are then only its head). */
  readonly cached?: (SegmentPages & { image: ElfImage }) | null;
  /** The same for the interpreter (readInterpreter's bytes are then only its head). */
  readonly interpCached?: (SegmentPages & { image: ElfImage }) | null;
}

export interface ProgramResult {
  /** Where the first thread starts: the interpreter's entry, else the program's. */
  readonly entry: number;
  /** Initial rsp. */
  readonly sp: number;
  readonly load: LoadResult;
  readonly interp: InterpResult | null;
  readonly stack: StackResult;
}

/**
 * Loads an executable into a fresh address space. On a negative errno the address space is
 * half-built and must be discarded (as after execve's point of no return).
 */
export function loadProgram(mem: LoaderMemory, bytes: Uint8Array, o: ProgramOptions): ProgramResult | number {
  const image = o.cached?.image ?? parseElf(bytes);
  if (typeof image === 'number') return image;
  let interpBytes: Uint8Array | null = null;
  if (image.interpreter !== null) {
    if (o.readInterpreter === undefined) return -Errno.ENOEXEC;
    const b = o.readInterpreter(image.interpreter);
    if (typeof b === 'number') return b;
    interpBytes = b;
  }
  const rand = { aslr: o.aslr, random: o.random };
  // Linux maps the vDSO after the image (arch_setup_additional_pages); its
  // range is the host's, fixed, so it is reserved first and the image goes around it.
  if (o.vdso === undefined) mem.mapSpecial?.();
  const plan = mapStack(mem, { argv: o.argv, envp: o.envp, execfn: o.execfn, execStack: image.execStack, stackRlimit: o.stackRlimit, ...rand });
  if (typeof plan === 'number') return plan;
  const load = loadElf(mem, image, bytes, rand, o.cached ?? null);
  if (typeof load === 'number') return load;
  let interp: InterpResult | null = null;
  if (interpBytes !== null) {
    const r = loadInterpreter(mem, interpBytes, o.interpCached ?? null);
    if (typeof r === 'number') return r;
    interp = r;
  }
  const stack = writeStack(mem, plan, {
    load,
    interp,
    cred: { uid: o.uid, euid: o.euid, gid: o.gid, egid: o.egid },
    secure: o.secure,
    vdso: o.vdso ?? (mem.vdsoBase?.() || undefined),
    randomBytes: o.randomBytes,
    host: o.host,
  });
  if (typeof stack === 'number') return stack;
  return { entry: interp?.entry ?? load.entry, sp: stack.sp, load, interp, stack };
}
