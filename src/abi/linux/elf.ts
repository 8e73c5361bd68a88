// ELF64 numbers and byte layouts (<uapi/linux/elf.h>, System V gABI), little-endian.
// Decoders only read bytes: validation is the loader's job (src/loader/elf.ts).

export const ELFMAG = [0x7f, 0x45, 0x4c, 0x46] as const; // "\x7fELF"

/** e_ident indices. */
export const enum EI {
  MAG0 = 0,
  CLASS = 4,
  DATA = 5,
  VERSION = 6,
  OSABI = 7,
  ABIVERSION = 8,
  NIDENT = 16,
}

export const enum ELFCLASS {
  NONE = 0,
  CLASS32 = 1,
  CLASS64 = 2,
}

export const enum ELFDATA {
  NONE = 0,
  LSB = 1, // 2's complement, little-endian
  MSB = 2,
}

/** e_version and e_ident[EI_VERSION]. */
export const EV_CURRENT = 1;

export const enum ELFOSABI {
  SYSV = 0,
  HPUX = 1,
  NETBSD = 2,
  GNU = 3, // a.k.a. ELFOSABI_LINUX
  SOLARIS = 6,
  FREEBSD = 9,
  ARM = 97,
  STANDALONE = 255,
}

/** e_type */
export const enum ET {
  NONE = 0,
  REL = 1,
  EXEC = 2,
  DYN = 3,
  CORE = 4,
}

export const EM_X86_64 = 62;

/** p_type */
export const enum PT {
  NULL = 0,
  LOAD = 1,
  DYNAMIC = 2,
  INTERP = 3,
  NOTE = 4,
  SHLIB = 5,
  PHDR = 6,
  TLS = 7,
  LOOS = 0x60000000,
  GNU_EH_FRAME = 0x6474e550,
  GNU_STACK = 0x6474e551,
  GNU_RELRO = 0x6474e552,
  GNU_PROPERTY = 0x6474e553,
  LOPROC = 0x70000000,
  HIPROC = 0x7fffffff,
}

/** p_flags */
export const enum PF {
  X = 1,
  W = 2,
  R = 4,
}

export const EHDR64_SIZE = 64;
export const PHDR64_SIZE = 56;

/** Elf64_Ehdr. 64-bit fields are numbers: exact below 2^53, approximate (but >= 2^53) above. */
export interface Ehdr {
  readonly ident: Uint8Array; // 16 bytes (a copy)
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  readonly entry: number;
  readonly phoff: number;
  readonly shoff: number;
  readonly flags: number;
  readonly ehsize: number;
  readonly phentsize: number;
  readonly phnum: number;
  readonly shentsize: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

/** Elf64_Phdr, with the same number convention as Ehdr. */
export interface Phdr {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly paddr: number;
  readonly filesz: number;
  readonly memsz: number;
  readonly align: number;
}

/** Reads a little-endian u64 as a number (exact iff < 2^53). */
export function readU64(dv: DataView, off: number): number {
  return dv.getUint32(off, true) + dv.getUint32(off + 4, true) * 0x1_0000_0000;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes the ELF64 header at the start of bytes, or null if bytes is too short. */
export function decodeEhdr(bytes: Uint8Array): Ehdr | null {
  if (bytes.length < EHDR64_SIZE) return null;
  const dv = view(bytes);
  return {
    ident: bytes.slice(0, EI.NIDENT),
    type: dv.getUint16(16, true),
    machine: dv.getUint16(18, true),
    version: dv.getUint32(20, true),
    entry: readU64(dv, 24),
    phoff: readU64(dv, 32),
    shoff: readU64(dv, 40),
    flags: dv.getUint32(48, true),
    ehsize: dv.getUint16(52, true),
    phentsize: dv.getUint16(54, true),
    phnum: dv.getUint16(56, true),
    shentsize: dv.getUint16(58, true),
    shnum: dv.getUint16(60, true),
    shstrndx: dv.getUint16(62, true),
  };
}

/** Decodes the Elf64_Phdr at bytes[off], or null if it does not fit. */
export function decodePhdr(bytes: Uint8Array, off: number): Phdr | null {
  if (!Number.isSafeInteger(off) || off < 0 || off + PHDR64_SIZE > bytes.length) return null;
  const dv = view(bytes);
  return {
    type: dv.getUint32(off, true),
    flags: dv.getUint32(off + 4, true),
    offset: readU64(dv, off + 8),
    vaddr: readU64(dv, off + 16),
    paddr: readU64(dv, off + 24),
    filesz: readU64(dv, off + 32),
    memsz: readU64(dv, off + 40),
    align: readU64(dv, off + 48),
  };
}
