// Maps a parsed ELF image into a guest address space (fs/binfmt_elf.c load_elf_binary,
// elf_load, load_elf_interp). The caller reads the files; this module only maps and copies.
import { Errno } from '../abi/linux/errno.js';
import { ET, PF, PHDR64_SIZE } from '../abi/linux/elf.js';
import { parseElf, type ElfImage } from './elf.js';
import type { SegmentPages } from './image_cache.js';
import {
  MAP_ANON_PRIVATE, MAP_FIXED, MAP_FIXED_NOREPLACE, PAGE_SIZE, PROT_EXEC, PROT_NONE, PROT_READ,
  PROT_WRITE, pageDown, pageUp, type LoaderMemory, type RandomSource,
} from './memory.js';
import { cryptoRandom } from './random.js';

export interface LoadOptions {
  /** Randomize the load bias and brk (randomize_va_space=2). Default true. */
  readonly aslr?: boolean;
  /** Source of randomness; default: the host CSPRNG. */
  readonly random?: RandomSource;
}

/** Where the main executable landed; the AT_* values the initial stack needs. */
export interface LoadResult {
  /** Load bias added to every p_vaddr (0 for ET_EXEC; may be negative for odd ET_DYN layouts). */
  readonly bias: number;
  /** AT_ENTRY: the program's entry point. */
  readonly entry: number;
  /** AT_PHDR (0 when the program headers are not in any segment), AT_PHENT, AT_PHNUM. */
  readonly phdr: number;
  readonly phent: number;
  readonly phnum: number;
  /** mm->start_code/end_code/start_data/end_data, as binfmt_elf computes them. */
  readonly startCode: number;
  readonly endCode: number;
  readonly startData: number;
  readonly endData: number;
  /** Highest segment end (bias + p_vaddr + p_memsz). */
  readonly end: number;
  /** mm->start_brk, also passed to LoaderMemory.setBrkStart. */
  readonly brkStart: number;
  /** PT_GNU_STACK asked for an executable stack. */
  readonly execStack: boolean;
  /** PT_INTERP path bytes, or null for a static executable. */
  readonly interpreter: Uint8Array | null;
}

/** Where the program interpreter (ld.so) landed. */
export interface InterpResult {
  /** AT_BASE: the interpreter's load bias (0 for an ET_EXEC interpreter). */
  readonly base: number;
  /** The interpreter's entry point: where the first thread starts. */
  readonly entry: number;
  readonly start: number;
  readonly end: number;
}

/** mmap_rnd_bits (CONFIG_ARCH_MMAP_RND_BITS, x86-64 default): bias randomness in pages. */
const MMAP_RND_PAGES = 2 ** 28;
/** arch_randomize_brk: randomize_page(brk, 32 MiB). */
const BRK_RND_PAGES = 0x2000000 / PAGE_SIZE;

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

/** make_prot: PF_R/W/X to PROT_*; x86-64 adds no implied bits for 64-bit programs. */
export function protOf(pflags: number): number {
  return (pflags & PF.R ? PROT_READ : 0) | (pflags & PF.W ? PROT_WRITE : 0) | (pflags & PF.X ? PROT_EXEC : 0);
}

/** DEFAULT_MAP_WINDOW: the 47-bit user address space of x86-64. */
const DEFAULT_MAP_WINDOW = 0x7ffffffff000;

/**
 * ELF_ET_DYN_BASE (DEFAULT_MAP_WINDOW / 3 * 2, page aligned: 0x555555554000), where PIEs are
 * loaded (plus arch_mmap_rnd); 2/3 of maxAddress for a markedly smaller address space.
 */
export function etDynBase(maxAddress: number): number {
  const window = maxAddress >= 0x7f0000000000 ? DEFAULT_MAP_WINDOW : maxAddress;
  return pageDown(Math.floor(window / 3) * 2);
}

/**
 * Maps every PT_LOAD at bias + p_vaddr and copies its file bytes, or, given
 * the image's segment pages (image_cache.ts) and a memory that can adopt
 * them, makes those pages the contents (copy-on-write). `fixed` is
 * MAP_FIXED_NOREPLACE (nothing may be there) or MAP_FIXED (replacing a
 * reservation made by the caller).
 */
function mapSegments(mem: LoaderMemory, image: ElfImage, bytes: Uint8Array, bias: number, fixed: number, pages: SegmentPages | null = null): number {
  const adopt = pages !== null;
  if (adopt && mem.adoptPages === undefined) return -Errno.ENOEXEC; // (the bytes are only the file's head)
  let mappedEnd = -1; // page-aligned end of the previous segment's pages
  for (const p of image.loads) {
    const prot = protOf(p.flags);
    const vaddr = bias + p.vaddr;
    const lo = pageDown(vaddr);
    const hi = pageUp(vaddr + p.memsz);
    let from = lo;
    if (lo < mappedEnd) {
      // The first page is shared with the previous segment (the bytes never overlap: parseElf).
      // binfmt_elf maps later segments MAP_FIXED, so the later protection wins.
      const r = mem.mprotect(lo, PAGE_SIZE, prot);
      if (r < 0) return r;
      from = lo + PAGE_SIZE;
    }
    if (from < hi) {
      const r = mem.mmap(from, hi - from, prot, MAP_ANON_PRIVATE | fixed, -1, 0);
      if (r < 0) return r;
      if (r !== from) return -Errno.ENOMEM;
    }
    mappedEnd = hi;
    if (adopt) continue;
    if (p.filesz > 0) {
      // elf_map maps whole file pages: from p_offset - PAGEOFFSET(p_vaddr), and past p_filesz
      // up to the page end unless there is a bss (which padzero clears).
      const fileStart = p.offset - (p.vaddr % PAGE_SIZE);
      const fileEnd = p.memsz > p.filesz
        ? p.offset + p.filesz
        : Math.min(bytes.length, fileStart + pageUp(p.filesz + (p.vaddr % PAGE_SIZE)));
      const r = mem.pokeBytes(lo, bytes, fileStart, fileEnd - fileStart);
      if (r < 0) return r;
    }
    // padzero: the bss part of the last file page is zero even if that page was written before.
    const zeroStart = vaddr + p.filesz;
    const zeroEnd = Math.min(vaddr + p.memsz, pageUp(zeroStart));
    if (zeroEnd > zeroStart) {
      const r = mem.pokeBytes(zeroStart, ZERO_PAGE, 0, zeroEnd - zeroStart);
      if (r < 0) return r;
    }
  }
  if (adopt) {
    const r = mem.adoptPages!(bias, pages!.runs);
    if (r < 0) return r;
  }
  return 0;
}

/** Computes mm->start_code/end_code/start_data/end_data like load_elf_binary (Linux 6.x). */
function codeDataBounds(image: ElfImage, bias: number): [number, number, number, number] {
  let startCode = Number.MAX_SAFE_INTEGER;
  let endCode = 0;
  let startData = 0;
  let endData = 0;
  for (const p of image.loads) {
    if (p.flags & PF.X && p.vaddr < startCode) startCode = p.vaddr;
    if (startData < p.vaddr) startData = p.vaddr;
    const fileEnd = p.vaddr + p.filesz;
    if (p.flags & PF.X && endCode < fileEnd) endCode = fileEnd;
    if (endData < fileEnd) endData = fileEnd;
  }
  if (startCode === Number.MAX_SAFE_INTEGER) startCode = 0;
  return [startCode + bias, endCode + bias, startData + bias, endData + bias];
}

/**
 * Loads the main executable: ET_EXEC at its own addresses, ET_DYN (PIE, static-PIE) at
 * ELF_ET_DYN_BASE plus random pages, aligned to the largest PT_LOAD p_align. Sets the brk start
 * after the highest segment (plus up to 32 MiB of random pages). Returns a negative errno on
 * failure; the address space is then half-built and must be discarded.
 */
export function loadElf(mem: LoaderMemory, image: ElfImage, fileBytes: Uint8Array, opts: LoadOptions = {}, pages: SegmentPages | null = null): LoadResult | number {
  const aslr = opts.aslr ?? true;
  const random = opts.random ?? cryptoRandom;
  let bias = 0;
  if (image.type === ET.DYN) {
    let base = etDynBase(mem.maxAddress);
    if (aslr) base += random(MMAP_RND_PAGES) * PAGE_SIZE;
    base = Math.floor(base / image.maxAlign) * image.maxAlign;
    const first = image.loads[0];
    bias = pageDown(base - (first === undefined ? 0 : first.vaddr));
  }
  const entry = bias + image.entry;
  // BAD_ADDR(elf_entry) is -EINVAL; a layout outside user space cannot be mapped.
  if (entry < 0 || entry >= mem.maxAddress) return -Errno.EINVAL;
  if (bias + image.start < 0 || bias + image.end > mem.maxAddress) return -Errno.ENOMEM;

  const r = mapSegments(mem, image, fileBytes, bias, MAP_FIXED_NOREPLACE, pages);
  if (r < 0) return r;

  const end = bias + image.end;
  let brkStart = pageUp(end);
  if (aslr) brkStart += random(BRK_RND_PAGES) * PAGE_SIZE;
  if (brkStart >= mem.maxAddress) brkStart = pageUp(end);
  mem.setBrkStart(brkStart);

  const [startCode, endCode, startData, endData] = codeDataBounds(image, bias);
  return {
    bias,
    entry,
    phdr: image.phdrVaddr === null ? 0 : bias + image.phdrVaddr,
    phent: PHDR64_SIZE,
    phnum: image.phnum,
    startCode,
    endCode,
    startData,
    endData,
    end,
    brkStart,
    execStack: image.execStack,
    interpreter: image.interpreter,
  };
}

/**
 * Loads the program interpreter (the file named by PT_INTERP) like load_elf_interp: an ET_DYN
 * interpreter goes wherever mmap puts a reservation of its whole extent (PROT_NONE; holes
 * between its segments stay reserved), an ET_EXEC one at its own addresses. A file that is not
 * a loadable x86-64 ELF gives -ELIBBAD. Its own PT_INTERP and PT_GNU_STACK are ignored.
 */
export function loadInterpreter(mem: LoaderMemory, fileBytes: Uint8Array, cached: (SegmentPages & { image: ElfImage }) | null = null): InterpResult | number {
  const image = cached?.image ?? parseElf(fileBytes);
  if (typeof image === 'number') return -Errno.ELIBBAD;
  let bias = 0;
  let fixed = MAP_FIXED_NOREPLACE;
  if (image.type === ET.DYN) {
    const size = pageUp(image.end) - image.start;
    if (size > mem.maxAddress) return -Errno.ENOMEM;
    const addr = mem.mmap(0, size, PROT_NONE, MAP_ANON_PRIVATE, -1, 0);
    if (addr < 0) return addr;
    bias = addr - image.start;
    fixed = MAP_FIXED;
  }
  const entry = bias + image.entry;
  if (entry < 0 || entry >= mem.maxAddress) return -Errno.EINVAL;
  if (bias + image.end > mem.maxAddress) return -Errno.ENOMEM;
  const r = mapSegments(mem, image, fileBytes, bias, fixed, cached);
  if (r < 0) return r;
  return { base: bias, entry, start: bias + image.start, end: bias + image.end };
}
