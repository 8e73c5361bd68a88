// Parses and validates an ELF64 x86-64 executable (fs/binfmt_elf.c load_elf_binary,
// load_elf_phdrs). The file is hostile: every failure is -ENOEXEC, never an exception,
// and every loop is bounded by e_phnum (at most 1170).
import { Errno } from '../abi/linux/errno.js';
import {
  decodeEhdr, decodePhdr, EI, ELFCLASS, ELFDATA, ELFMAG, EM_X86_64, ET, EV_CURRENT, PF,
  PHDR64_SIZE, PT, type Phdr,
} from '../abi/linux/elf.js';
import { PAGE_SIZE } from './memory.js';

/** Every address and size a loadable image uses stays below this (x86-64 47-bit user space). */
export const USER_LIMIT = 2 ** 47;
/** load_elf_phdrs: at most 64 KiB of program headers. */
export const MAX_PHNUM = Math.floor(65536 / PHDR64_SIZE);
/** PATH_MAX: the PT_INTERP string, NUL included, is at most this long. */
export const INTERP_MAX = 4096;

export interface ElfImage {
  readonly type: ET.EXEC | ET.DYN;
  /** e_entry (before the load bias). */
  readonly entry: number;
  readonly phoff: number;
  readonly phnum: number;
  /** All program headers in file order. */
  readonly phdrs: readonly Phdr[];
  /** PT_LOAD headers with p_memsz > 0, in ascending, non-overlapping p_vaddr order. */
  readonly loads: readonly Phdr[];
  /**
   * Unbiased address of the program headers in memory: PT_PHDR's p_vaddr, else derived from
   * the first PT_LOAD whose file range covers e_phoff; null when they are not mapped.
   */
  readonly phdrVaddr: number | null;
  /** PT_INTERP path bytes (up to the first NUL), or null for a static executable. */
  readonly interpreter: Uint8Array | null;
  /** p_flags of the last PT_GNU_STACK, or null when there is none. */
  readonly stackFlags: number | null;
  /** PT_GNU_STACK has PF_X. x86-64 has no READ_IMPLIES_EXEC default: no header means no exec. */
  readonly execStack: boolean;
  readonly tls: Phdr | null;
  /** Largest power-of-two p_align of the PT_LOADs, at least PAGE_SIZE (binfmt_elf maximum_alignment). */
  readonly maxAlign: number;
  /** Lowest PT_LOAD p_vaddr rounded down to a page, and highest p_vaddr + p_memsz. */
  readonly start: number;
  readonly end: number;
}

const ENOEXEC = -Errno.ENOEXEC;

/** x is a power of two below USER_LIMIT (at most 47 iterations). */
function isPow2(x: number): boolean {
  let a = 1;
  while (a < x && a < USER_LIMIT) a *= 2;
  return a === x;
}

/** Checks a PT_LOAD against the file and the address space; returns false if unusable. */
function loadOk(p: Phdr, fileLen: number): boolean {
  if (p.filesz > p.memsz) return false;
  if (p.vaddr >= USER_LIMIT || p.memsz >= USER_LIMIT || p.vaddr + p.memsz > USER_LIMIT) return false;
  if (p.filesz === 0) return true; // nothing mapped from the file: p_offset is unused
  if (p.offset > fileLen || p.offset + p.filesz > fileLen) return false;
  // elf_map maps from p_offset - PAGEOFFSET(p_vaddr): both must share the page offset.
  return p.vaddr % PAGE_SIZE === p.offset % PAGE_SIZE;
}

/** Validates and summarizes bytes as a loadable ELF64 little-endian x86-64 ET_EXEC/ET_DYN. */
export function parseElf(bytes: Uint8Array): ElfImage | number {
  const eh = decodeEhdr(bytes);
  if (eh === null) return ENOEXEC;
  for (let i = 0; i < ELFMAG.length; i++) if (eh.ident[EI.MAG0 + i] !== ELFMAG[i]) return ENOEXEC;
  if (eh.ident[EI.CLASS] !== ELFCLASS.CLASS64 || eh.ident[EI.DATA] !== ELFDATA.LSB) return ENOEXEC;
  if (eh.ident[EI.VERSION] !== EV_CURRENT || eh.version !== EV_CURRENT) return ENOEXEC;
  if (eh.type !== ET.EXEC && eh.type !== ET.DYN) return ENOEXEC;
  if (eh.machine !== EM_X86_64) return ENOEXEC;
  // load_elf_phdrs: exact entry size, 1..65536/56 entries, all inside the file.
  if (eh.phentsize !== PHDR64_SIZE || eh.phnum < 1 || eh.phnum > MAX_PHNUM) return ENOEXEC;
  if (eh.phoff > bytes.length || eh.phoff + eh.phnum * PHDR64_SIZE > bytes.length) return ENOEXEC;
  if (eh.entry >= USER_LIMIT) return ENOEXEC; // BAD_ADDR(elf_entry)

  const phdrs: Phdr[] = [];
  const loads: Phdr[] = [];
  let interp: Phdr | null = null;
  let phdrSeg: Phdr | null = null;
  let tls: Phdr | null = null;
  let stackFlags: number | null = null;
  let maxAlign = PAGE_SIZE;
  for (let i = 0; i < eh.phnum; i++) {
    const p = decodePhdr(bytes, eh.phoff + i * PHDR64_SIZE);
    if (p === null) return ENOEXEC;
    phdrs.push(p);
    switch (p.type) {
      case PT.LOAD: {
        if (!loadOk(p, bytes.length)) return ENOEXEC;
        if (p.memsz === 0) break;
        // gABI: PT_LOAD entries are sorted by p_vaddr; we also refuse overlapping bytes.
        const prev = loads[loads.length - 1];
        if (prev !== undefined && p.vaddr < prev.vaddr + prev.memsz) return ENOEXEC;
        loads.push(p);
        if (p.align > maxAlign && p.align < USER_LIMIT && isPow2(p.align)) maxAlign = p.align;
        break;
      }
      case PT.INTERP:
        interp ??= p; // binfmt_elf uses the first one
        break;
      case PT.PHDR:
        phdrSeg ??= p;
        break;
      case PT.TLS:
        tls ??= p;
        break;
      case PT.GNU_STACK:
        stackFlags = p.flags; // the last one wins, as in load_elf_binary
        break;
    }
  }
  const first = loads[0];
  const last = loads[loads.length - 1];
  if (first === undefined || last === undefined) return ENOEXEC;

  let interpreter: Uint8Array | null = null;
  if (interp !== null) {
    // load_elf_binary: 2 <= p_filesz <= PATH_MAX, inside the file, NUL-terminated.
    if (interp.filesz < 2 || interp.filesz > INTERP_MAX) return ENOEXEC;
    if (interp.offset > bytes.length || interp.offset + interp.filesz > bytes.length) return ENOEXEC;
    const raw = bytes.subarray(interp.offset, interp.offset + interp.filesz);
    if (raw[raw.length - 1] !== 0) return ENOEXEC;
    interpreter = raw.slice(0, raw.indexOf(0));
  }

  let phdrVaddr: number | null = null;
  if (phdrSeg !== null) {
    if (phdrSeg.vaddr >= USER_LIMIT) return ENOEXEC;
    phdrVaddr = phdrSeg.vaddr;
  } else {
    for (const p of loads) {
      if (p.offset <= eh.phoff && eh.phoff < p.offset + p.filesz) {
        phdrVaddr = eh.phoff - p.offset + p.vaddr;
        break;
      }
    }
  }

  return {
    type: eh.type,
    entry: eh.entry,
    phoff: eh.phoff,
    phnum: eh.phnum,
    phdrs,
    loads,
    phdrVaddr,
    interpreter,
    stackFlags,
    execStack: stackFlags !== null && (stackFlags & PF.X) !== 0,
    tls,
    maxAlign,
    start: first.vaddr - (first.vaddr % PAGE_SIZE),
    end: last.vaddr + last.memsz,
  };
}
