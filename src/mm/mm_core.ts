// State and internal machinery of a MemoryManager: VMAs, the page table
// (guest page -> MemoryFile page, and whether and how it is mapped in the
// stub), population, stub synchronisation, faults and stack growth. The
// syscalls are in memory_manager.ts, kernel access to guest memory in
// mm_access.ts.
//
// Invariants, for every guest page pn:
// - a page-table entry exists only inside a VMA;
// - Pte.Mapped implies an entry, and the stub maps pn to exactly that
//   MemoryFile page with protection (flags & ProtMask), a subset of
//   pageProt(): the VMA's, without PROT_WRITE for a copy-on-write page or a
//   clean page of a write-tracked shared object;
// - Pte.Owned entries (private memory) are released by this manager (the
//   MemoryFile frees a page with its last owner); the others are
//   translations of a shared object's pages, which the object frees;
// - a page with more than one owner (MemoryFile.extraOwners > 0) is Pte.Cow
//   in every table owning it, so no stub maps it writable.
// Stub calls are synchronous round trips (~20-40 µs): every operation issues
// as few as it can (one unmap over a whole span, one map per contiguous run).
//
// Copy-on-write (fork, see README.md): fork() marks every private page of the
// parent Cow, gives the child the same translations (Cow, unmapped) and counts
// the extra owner in the MemoryFile; the parent's writable stub mappings of
// those pages are write-protected, one protect() per run. A fault can only
// tell SEGV_MAPERR (nothing mapped) from SEGV_ACCERR (mapped with too little
// protection), not a read from a write: MAPERR maps Cow pages read-only;
// ACCERR on a page mapped with exactly pageProt() < the VMA's protection is a
// write: the page (with its Cow neighbours in the fault-around window; only
// itself in an executable VMA, ±1 page in a stack) gets a private copy in one
// allocation, or is simply taken over when no other owner is left, and is
// mapped writable. Kernel writes (accessPage with write) do the same before
// writing. Dropping a page (munmap, DONTNEED, mremap's old range, exit)
// releases one ownership.
import { Errno } from '../abi/linux/errno.js';
import { BUS_ADRERR, PROT_EXEC, PROT_WRITE, SEGV_ACCERR, SEGV_MAPERR } from '../abi/linux/mman.js';
import { filePagesHooks, type FilePages } from '../memory/file_pages.js';
import type { MemoryFile } from '../memory/memory_file.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import type { AddressSpace } from '../platform/platform.js';
import { FileMemory, readFile } from './file_memory.js';
import { PageTable, Pte } from './page_table.js';
import { Vma, VmaSet, VmFlag } from './vma.js';

/** handleFault results. Positive values < 0x100 are SIGSEGV si_codes. */
export const FAULT_RESOLVED = 0;
export const FAULT_SEGV_MAPERR = SEGV_MAPERR;
export const FAULT_SEGV_ACCERR = SEGV_ACCERR;
/** SIGBUS with si_code BUS_ADRERR (a mapping past the end of its object or file, or a file read error). */
export const FAULT_SIGBUS = 0x100 | BUS_ADRERR;
/** The MemoryFile is exhausted: Linux would OOM-kill; the kernel should kill the process. */
export const FAULT_OOM = -Errno.ENOMEM;

export interface MemoryManagerOptions {
  /** Top of the top-down mmap area (default: 128 MiB below the top of the address space, as Linux without randomisation). */
  mmapBase?: number;
  /** Lowest address a mapping may use (vm.mmap_min_addr; default 65536). */
  mmapMinAddr?: number;
  /** RLIMIT_STACK: most a MAP_GROWSDOWN mapping grows to (default 8 MiB). */
  stackLimit?: number;
  /** vm.max_map_count (default 65530). */
  maxMapCount?: number;
  /** Gap kept below MAP_GROWSDOWN mappings (default 256 pages, Linux stack_guard_gap). */
  stackGuardGap?: number;
  /** Pages populated around a fault (power of two; default 16). */
  faultAround?: number;
  /** Mappings of at most this many pages are populated and mapped at mmap (default 16). */
  eagerPages?: number;
}

/** accessPage results besides a MemoryFile page. */
const ZERO = -1;
const FAULT = -2;
/** More runs than this to re-protect after an mprotect and the whole span is unmapped instead. */
const MAX_PROTECT_RUNS = 4;
/** Most maps queued for one batched stub operation. */
const MAX_MAP_BATCH = 64;
/** Most ranges of the parent's mapped pages a fork maps in the child at once (the rest fault in). */
const MAX_FORK_PREMAP = 48;
/** Most stub map() calls spent re-mapping pages moved by mremap (the rest refault). */
const MAX_REMAP_CALLS = 64;
/** Most protect() calls fork spends write-protecting the parent's stub (the rest is unmapped in one call). */
const MAX_FORK_PROTECTS = 64;
/** Most pages a kernel write un-shares at once. */
const MAX_KERNEL_UNSHARE = 512;
const RECENT = 16;

/** Every memory manager not destroyed: the address spaces a file's pages may be mapped in. */
const liveManagers = new Set<MmCore>();

// unmap_mapping_range: a tmpfs file frees pages (truncate, hole punch).
filePagesHooks.invalidate = (pages, pg, end, evenCows) => {
  for (const mm of liveManagers) mm.invalidateFilePages(pages, pg, end, evenCows);
};
filePagesHooks.sharedWritable = (pages) => {
  for (const mm of liveManagers) {
    for (const v of mm.vmas.list) if (v.obj !== null && v.obj.filePagesOf === pages && v.flags & VmFlag.Shared && v.maxProt & PROT_WRITE) return true;
  }
  return false;
};

export class MmCore {
  readonly vmas: VmaSet;
  protected readonly pt = new PageTable();
  /** Exclusive top of guest addresses (page aligned). */
  readonly maxAddr: number;
  readonly mmapBase: number;
  readonly mmapMinAddr: number;
  /** Base of the bottom-up fallback search (Linux TASK_UNMAPPED_BASE: a third of the address space). */
  readonly legacyBase: number;
  stackLimit: number;
  readonly maxMapCount: number;
  /**
   * The process's RLIMIT_AS and RLIMIT_DATA soft limits in bytes (Infinity:
   * unlimited), read when a mapping grows (may_expand_vm). The kernel sets
   * it; a manager shared by several processes (vfork) answers for its creator.
   */
  rlimit: (resource: 'as' | 'data') => number = () => Infinity;
  protected readonly faultAround: number;
  protected readonly eagerPages: number;
  private cv: Vma | undefined;
  private cvGen = -1;
  // Ranges [start, end) of pages recently mapped by faults, with a retry budget (see handleFault).
  private readonly recentStart = new Float64Array(RECENT);
  private readonly recentEnd = new Float64Array(RECENT);
  private readonly recentBudget = new Uint8Array(RECENT);
  private recentNext = 0;
  /** Set by segment(): MemoryFile offset of the segment, or -1 for zeros. */
  protected segOff = 0;
  // Set by unshare(): the run [runStart, runEnd) made private, and whether the stub maps old pages of it.
  private runStart = 0;
  private runEnd = 0;
  private runStale = false;

  constructor(readonly mf: MemoryFile, readonly as: AddressSpace, opts: MemoryManagerOptions = {}) {
    this.maxAddr = Math.floor(as.maxAddress / PAGE_SIZE) * PAGE_SIZE;
    this.vmas = new VmaSet(opts.stackGuardGap ?? 256 * PAGE_SIZE);
    this.mmapMinAddr = Math.max(PAGE_SIZE, Math.ceil((opts.mmapMinAddr ?? 65536) / PAGE_SIZE) * PAGE_SIZE);
    const base = opts.mmapBase ?? this.maxAddr - 128 * 1024 * 1024;
    this.mmapBase = Math.min(this.maxAddr, Math.max(this.mmapMinAddr, Math.floor(base / PAGE_SIZE) * PAGE_SIZE));
    this.legacyBase = Math.ceil(this.maxAddr / 3 / PAGE_SIZE) * PAGE_SIZE;
    this.stackLimit = opts.stackLimit ?? 8 * 1024 * 1024;
    this.maxMapCount = opts.maxMapCount ?? 65530;
    const fa = opts.faultAround ?? 16;
    this.faultAround = fa >= 1 ? 2 ** Math.floor(Math.log2(fa)) : 1;
    this.eagerPages = opts.eagerPages ?? 16;
    liveManagers.add(this);
  }

  /** The manager is gone for good (destroy): file truncation no longer looks at it. */
  protected retire(): void {
    liveManagers.delete(this);
  }

  /**
   * Pages [pg, end) of a file are about to be freed: forgets them in every
   * VMA of this address space that maps them shared (unmapping them from the
   * stub), and with evenCows drops private mappings' copies of them too (an
   * access then faults anew: SIGBUS past the end of the file).
   */
  invalidateFilePages(pages: FilePages, pg: number, end: number, evenCows: boolean): void {
    for (const v of this.vmas.list) {
      const f = v.file;
      if (f === null) continue;
      if (v.obj !== null ? v.obj.filePagesOf !== pages : !evenCows || v.filePages !== pages) continue;
      const a = Math.max(pg, v.pgoff);
      const b = Math.min(end, v.pgoff + v.pages);
      if (a >= b) continue;
      const base = v.start / PAGE_SIZE - v.pgoff;
      this.dropPages(base + a, base + b);
    }
  }

  /** Exclusive top of guest addresses (AddressSpace.maxAddress, page aligned). */
  get maxAddress(): number { return this.maxAddr; }

  /** The VMA containing addr (cached: sequential accesses hit the same VMA). */
  protected vmaAt(addr: number): Vma | undefined {
    const c = this.cv;
    if (c !== undefined && this.cvGen === this.vmas.gen && c.start <= addr && addr < c.end) return c;
    const v = this.vmas.find(addr);
    if (v) {
      this.cv = v;
      this.cvGen = this.vmas.gen;
    }
    return v;
  }

  /**
   * may_expand_vm: the address space may grow by len bytes of a mapping with
   * vmFlags and prot (RLIMIT_AS for every mapping; RLIMIT_DATA for private
   * writable ones that are not stacks). `replaced` bytes of existing
   * mappings go away at the same time (MAP_FIXED over them).
   */
  protected mayExpand(len: number, vmFlags: number, prot: number, replacedStart = 0, replacedEnd = 0): boolean {
    const asLimit = this.rlimit('as');
    const dataLimit = this.rlimit('data');
    const isData = (prot & PROT_WRITE) !== 0 && (vmFlags & (VmFlag.Shared | VmFlag.GrowsDown)) === 0;
    if (asLimit === Infinity && (dataLimit === Infinity || !isData)) return true;
    let total = 0;
    let data = 0;
    for (const v of this.vmas.list) {
      const a = Math.max(v.start, replacedStart);
      const b = Math.min(v.end, replacedEnd);
      const size = v.end - v.start - (a < b ? b - a : 0);
      total += size;
      if (v.prot & PROT_WRITE && !(v.flags & (VmFlag.Shared | VmFlag.GrowsDown))) data += size;
    }
    if (total + len > asLimit) return false;
    return !isData || data + len <= dataLimit;
  }

  /** Overcommit heuristic (Linux OVERCOMMIT_GUESS): a single commitment larger than all memory fails. */
  protected commitOk(bytes: number): boolean {
    return bytes <= this.mf.limit;
  }

  // --- backing ------------------------------------------------------------------------

  /** The MemoryFile page backing guest page pn of v, or -1 (caching a shared object's translation). */
  protected backing(v: Vma, pn: number): number {
    const fp = this.pt.filePage(pn);
    if (fp >= 0 || v.obj === null) return fp;
    const f = v.obj.filePage(v.pgoff + (pn - v.start / PAGE_SIZE));
    if (f >= 0) this.pt.set(pn, f, 0);
    return f;
  }

  /**
   * First page number past which v's object or file has no pages (v.end's
   * page for anonymous memory): accesses there raise SIGBUS.
   */
  protected objEnd(v: Vma): number {
    const vend = v.end / PAGE_SIZE;
    let size: number;
    if (v.obj !== null) size = v.obj.sizePages;
    else if (v.file !== null) size = Math.ceil(v.file.size / PAGE_SIZE);
    else return vend;
    return Math.max(v.start / PAGE_SIZE, Math.min(vend, v.start / PAGE_SIZE + size - v.pgoff));
  }

  /** Page offset in v's object or file of guest page pn. */
  protected objPage(v: Vma, pn: number): number {
    return v.pgoff + (pn - v.start / PAGE_SIZE);
  }

  /**
   * The most protection the stub may map page pn of v with (fl: its flags):
   * the VMA's, without PROT_WRITE for a copy-on-write page or for a clean
   * page of a write-tracked shared object (a shared file mapping).
   */
  protected pageProt(v: Vma, pn: number, fl: number): number {
    const prot = v.prot;
    if ((prot & PROT_WRITE) === 0) return prot;
    if (fl & Pte.Cow) return prot & ~PROT_WRITE;
    const obj = v.obj;
    if (obj !== null && obj.tracksWrites && !obj.isDirty(this.objPage(v, pn))) return prot & ~PROT_WRITE;
    return prot;
  }

  /** Drops pn's copy-on-write mark if its other owners are gone; returns its flags. */
  private settle(pn: number): number {
    const fl = this.pt.flags(pn);
    if (fl & Pte.Cow && this.mf.extraOwners(this.pt.filePage(pn) * PAGE_SIZE) === 0) {
      this.pt.setFlags(pn, fl & ~Pte.Cow);
      return fl & ~Pte.Cow;
    }
    return fl;
  }

  /** pageProt of pn (an entry) after settle(). */
  private protOf(v: Vma, pn: number): number {
    return this.pageProt(v, pn, this.settle(pn));
  }

  /**
   * Gives backing to the pages of [a, b) (inside v) that have none, in as few
   * contiguous allocations as possible. Returns 0, or -ENOMEM when the
   * MemoryFile is exhausted (earlier pages keep what they got).
   */
  protected populate(v: Vma, a: number, b: number): number {
    if (v.obj !== null || v.file !== null) {
      b = Math.min(b, this.objEnd(v));
      if (a >= b) return 0;
    }
    if (v.obj !== null) {
      const r = v.obj.populate(v.pgoff + (a - v.start / PAGE_SIZE), b - a);
      for (let p = a; p < b; p++) this.backing(v, p);
      return r;
    }
    let p = a;
    while (p < b) {
      if (this.pt.filePage(p) >= 0) {
        p++;
        continue;
      }
      let q = p + 1;
      while (q < b && this.pt.filePage(q) < 0) q++;
      while (p < q) {
        let want = q - p;
        let off = this.mf.allocate(want * PAGE_SIZE);
        while (off < 0 && want > 1) {
          want = Math.ceil(want / 2);
          off = this.mf.allocate(want * PAGE_SIZE);
        }
        if (off < 0) return off;
        if (v.file !== null) {
          // A private file mapping: the pages start as the file's contents.
          const r = readFile(this.mf, v.file, this.objPage(v, p) * PAGE_SIZE, off, want * PAGE_SIZE);
          if (r < 0) {
            this.mf.free(off, want * PAGE_SIZE);
            return r;
          }
        }
        const fp = off / PAGE_SIZE;
        for (let i = 0; i < want; i++) this.pt.set(p + i, fp + i, Pte.Owned);
        p += want;
      }
    }
    return 0;
  }

  private fullyMapped(pn: number, prot: number): boolean {
    const fl = this.pt.flags(pn);
    return (fl & Pte.Mapped) !== 0 && (fl & Pte.ProtMask) === prot;
  }

  private markMapped(a: number, b: number, prot: number): void {
    for (let p = a; p < b; p++) this.pt.setFlags(p, (this.pt.flags(p) & Pte.Keep) | Pte.Mapped | prot);
  }

  /**
   * Maps into the stub the backed pages of [a, b) (inside v) that are not
   * mapped with their pageProt(): one map() per run of contiguous backing
   * and equal protection. At most maxCalls calls. Returns 0 or a negative
   * errno from the stub.
   */
  protected mapRange(v: Vma, a: number, b: number, maxCalls = Infinity, queue = false): number {
    if (v.prot === 0) return 0;
    let calls = 0;
    for (let p = this.pt.next(a, b); p < b && calls < maxCalls; p = this.pt.next(p, b)) {
      const prot = this.protOf(v, p);
      if (this.fullyMapped(p, prot)) {
        p++;
        continue;
      }
      const fp = this.pt.filePage(p);
      let q = p + 1;
      while (q < b && this.pt.filePage(q) === fp + (q - p) && this.protOf(v, q) === prot && !this.fullyMapped(q, prot)) q++;
      if (queue) {
        const r = this.queueMap(p, q, prot, fp);
        if (r < 0) return r;
        p = q;
        continue;
      }
      const r = this.as.map(p * PAGE_SIZE, (q - p) * PAGE_SIZE, prot, fp * PAGE_SIZE);
      calls++;
      if (r < 0) return r;
      this.markMapped(p, q, prot);
      p = q;
    }
    return 0;
  }

  // --- batched stub maps ------------------------------------------------------------------
  // Maps decided together (an exec's segments, a fork child's first pages) are
  // queued and made in one platform operation (AddressSpace.mapBatch): one
  // crossing to the stub instead of one per range. Pages are marked mapped
  // once the stub has them; flushMaps must run before the operation ends.
  private readonly qOps = new Float64Array(4 * MAX_MAP_BATCH);
  private qN = 0;

  /** Queues mapping pages [a, b) to MemoryFile pages from fp with prot (flushing a full queue first). 0 or a stub error. */
  protected queueMap(a: number, b: number, prot: number, fp: number): number {
    const r = this.qN === MAX_MAP_BATCH ? this.flushMaps() : 0;
    const o = 4 * this.qN++;
    this.qOps[o] = a * PAGE_SIZE;
    this.qOps[o + 1] = (b - a) * PAGE_SIZE;
    this.qOps[o + 2] = prot;
    this.qOps[o + 3] = fp * PAGE_SIZE;
    return r;
  }

  /** Makes the queued maps, in one operation if the platform has it. 0 or the first stub error (the maps before it are done). */
  protected flushMaps(): number {
    const n = this.qN;
    this.qN = 0;
    if (n === 0) return 0;
    const ops = this.qOps;
    let done: number;
    if (this.as.mapBatch !== undefined) {
      done = this.as.mapBatch(ops, n);
    } else {
      done = 0;
      while (done < n) {
        const r = this.as.map(ops[4 * done], ops[4 * done + 1], ops[4 * done + 2], ops[4 * done + 3]);
        if (r < 0) {
          if (done === 0) done = r;
          break;
        }
        done++;
      }
    }
    for (let i = 0; i < Math.max(0, done); i++) {
      const a = ops[4 * i] / PAGE_SIZE;
      this.markMapped(a, a + ops[4 * i + 1] / PAGE_SIZE, ops[4 * i + 2]);
    }
    return done < 0 ? done : done < n ? -Errno.ENOMEM : 0;
  }

  /** Populates [a, b) of v and maps it into the stub (MAP_POPULATE, small mappings). Best effort. */
  protected prefault(v: Vma, a: number, b: number): number {
    const r = this.populate(v, a, b);
    const m = this.mapRange(v, a, b);
    return r < 0 ? r : m;
  }

  /**
   * The ELF loader's cached segment pages (src/loader/image_cache.ts): each
   * run's MemoryFile pages [off, off + pages), held by the caller, become the
   * contents of the pages at bias + vaddr in private anonymous mappings, this table
   * one more owner of each (copy-on-write, as after a fork), and are mapped
   * into the stub at once (a new program touches most of them: one batched
   * call instead of a fault per window). Pages there may only be untouched or
   * private pages of this table alone (a small mapping populated at mmap):
   * those are replaced. 0, -EINVAL, or a stub error.
   */
  adoptPages(bias: number, runs: readonly { readonly vaddr: number; readonly off: number; readonly pages: number }[]): number {
    for (const run of runs) {
      const a = (bias + run.vaddr) / PAGE_SIZE;
      const b = a + run.pages;
      if (!Number.isInteger(a) || !Number.isInteger(run.pages) || run.pages <= 0 || run.off % PAGE_SIZE !== 0 || a < 0 || b * PAGE_SIZE > this.maxAddr) return -Errno.EINVAL;
      // A run may span several VMAs (segments with different protections), without holes.
      for (let p = a; p < b;) {
        const v = this.vmas.find(p * PAGE_SIZE);
        if (v === undefined || v.obj !== null || v.file !== null || v.flags & VmFlag.Shared) return -Errno.EINVAL;
        p = v.end / PAGE_SIZE;
      }
      for (let p = this.pt.next(a, b); p < b; p = this.pt.next(p + 1, b)) {
        if ((this.pt.flags(p) & Pte.Keep) !== Pte.Owned || this.mf.extraOwners(this.pt.filePage(p) * PAGE_SIZE) > 0) return -Errno.EINVAL;
      }
    }
    // Pages replaced are released only once the stub maps the new ones (or nothing) there.
    const old: number[] = [];
    for (const run of runs) {
      const a = (bias + run.vaddr) / PAGE_SIZE;
      const b = a + run.pages;
      for (let p = this.pt.next(a, b); p < b; p = this.pt.next(p + 1, b)) old.push(this.pt.filePage(p));
      this.mf.share(run.off, run.pages * PAGE_SIZE);
      const fp = run.off / PAGE_SIZE;
      for (let i = 0; i < run.pages; i++) this.pt.set(a + i, fp + i, Pte.Owned | Pte.Cow);
    }
    let r = 0;
    for (const run of runs) {
      const a = (bias + run.vaddr) / PAGE_SIZE;
      const b = a + run.pages;
      for (let p = a; p < b && r === 0;) {
        const v = this.vmas.find(p * PAGE_SIZE)!;
        const e = Math.min(b, v.end / PAGE_SIZE);
        r = this.mapRange(v, p, e, Infinity, true);
        p = e;
      }
    }
    const f = this.flushMaps();
    if (r === 0) r = f;
    if (r < 0 && old.length > 0) {
      // The stub may still map replaced pages: nothing of the runs stays mapped.
      for (const run of runs) {
        const a = (bias + run.vaddr) / PAGE_SIZE;
        this.as.unmap(a * PAGE_SIZE, run.pages * PAGE_SIZE);
        for (let p = a; p < a + run.pages; p++) this.pt.setFlags(p, this.pt.flags(p) & Pte.Keep);
      }
    }
    for (const fp of old) this.mf.release(fp * PAGE_SIZE, PAGE_SIZE);
    return r;
  }

  /** Unmaps from the stub the mapped pages of [a, b), with one call over their span. */
  protected unmapStub(a: number, b: number): number {
    let first = -1;
    let last = -1;
    for (let p = this.pt.next(a, b); p < b; p = this.pt.next(p + 1, b)) {
      const fl = this.pt.flags(p);
      if (fl & Pte.Mapped) {
        if (first < 0) first = p;
        last = p;
        this.pt.setFlags(p, fl & Pte.Keep);
      }
    }
    if (first < 0) return 0;
    return this.as.unmap(first * PAGE_SIZE, (last + 1 - first) * PAGE_SIZE);
  }

  /** Forgets every page of [a, b): unmaps it from the stub, then releases owned backing (freed with its last owner). */
  protected dropPages(a: number, b: number): void {
    if (a === 0 && b >= this.maxAddr / PAGE_SIZE) {
      this.dropAll();
      return;
    }
    this.unmapStub(a, b);
    let p = this.pt.next(a, b);
    while (p < b) {
      const fp = this.pt.filePage(p);
      const owned = (this.pt.flags(p) & Pte.Owned) !== 0;
      this.pt.clear(p);
      let q = p + 1;
      if (owned) {
        while (q < b && this.pt.filePage(q) === fp + (q - p) && this.pt.flags(q) & Pte.Owned) this.pt.clear(q++);
        this.mf.release(fp * PAGE_SIZE, (q - p) * PAGE_SIZE);
      }
      p = this.pt.next(q, b);
    }
  }

  /** dropPages of the whole address space: one unmap, then the pages are released (never before the stub lets go of them). */
  private dropAll(): void {
    const pt = this.pt;
    const end = this.maxAddr / PAGE_SIZE;
    let first = -1;
    let last = -1;
    pt.forEach(0, end, (p, _fp, fl) => {
      if (fl & Pte.Mapped) {
        if (first < 0) first = p;
        last = p;
      }
    });
    if (first >= 0) this.as.unmap(first * PAGE_SIZE, (last + 1 - first) * PAGE_SIZE);
    let runFp = -1;
    let runN = 0;
    pt.forEach(0, end, (_p, fp, fl) => {
      if (!(fl & Pte.Owned)) return;
      if (runN > 0 && fp === runFp + runN) {
        runN++;
        return;
      }
      if (runN > 0) this.mf.release(runFp * PAGE_SIZE, runN * PAGE_SIZE);
      runFp = fp;
      runN = 1;
    });
    if (runN > 0) this.mf.release(runFp * PAGE_SIZE, runN * PAGE_SIZE);
    pt.reset();
  }

  /** Moves the entries of pages [a, b) to start at page c (which must be clear), unmapping them from the stub. */
  protected movePages(a: number, b: number, c: number): void {
    this.unmapStub(a, b);
    const delta = c - a;
    for (let p = this.pt.next(a, b); p < b; p = this.pt.next(p + 1, b)) {
      const fp = this.pt.filePage(p);
      const fl = this.pt.flags(p);
      this.pt.clear(p);
      this.pt.set(p + delta, fp, fl & Pte.Keep);
    }
  }

  /** After moving pages to [c, d) of v, maps them again (bounded) so the guest does not refault them one window at a time. */
  protected remapMoved(v: Vma, c: number, d: number): void {
    this.mapRange(v, c, d, MAX_REMAP_CALLS);
  }

  /**
   * After protections were lowered somewhere in [a, b): brings every stub
   * mapping within its VMA's protection. Strategy: mapped pages whose stub
   * protection exceeds their VMA's form runs; up to MAX_PROTECT_RUNS runs are
   * re-protected in place (protect(), or unmap() where nothing is left), more
   * are handled with one unmap() over their whole span (the pages refault with
   * the new protection).
   */
  protected syncStubProt(a: number, b: number): void {
    const runs = this.protectRuns(a, b, false);
    if (runs <= 0) return;
    if (runs > MAX_PROTECT_RUNS) {
      this.unmapStub(this.firstOffending, this.lastOffending + 1);
      return;
    }
    this.protectRuns(a, b, true);
  }

  private firstOffending = -1;
  private lastOffending = -1;

  /** Counts (act=false) or fixes (act=true) the runs of pages mapped beyond their VMA's protection. */
  private protectRuns(a: number, b: number, act: boolean): number {
    let runs = 0;
    let runStart = -1;
    let prevP = -2;
    let target = -1;
    let v: Vma | undefined;
    this.firstOffending = -1;
    const flush = (end: number): void => {
      if (!act || runStart < 0) return;
      if (target === 0) {
        this.as.unmap(runStart * PAGE_SIZE, (end - runStart) * PAGE_SIZE);
        for (let p = runStart; p < end; p++) this.pt.setFlags(p, this.pt.flags(p) & Pte.Keep);
      } else if (this.as.protect(runStart * PAGE_SIZE, (end - runStart) * PAGE_SIZE, target) === 0) {
        this.markMapped(runStart, end, target);
      } else {
        // The stub disagrees with our record: drop the run, it will refault.
        this.as.unmap(runStart * PAGE_SIZE, (end - runStart) * PAGE_SIZE);
        for (let p = runStart; p < end; p++) this.pt.setFlags(p, this.pt.flags(p) & Pte.Keep);
      }
    };
    for (let p = this.pt.next(a, b); p < b; p = this.pt.next(p + 1, b)) {
      const fl = this.pt.flags(p);
      if (!(fl & Pte.Mapped)) continue;
      const addr = p * PAGE_SIZE;
      if (v === undefined || addr < v.start || addr >= v.end) v = this.vmas.find(addr);
      const vprot = v ? v.prot : 0;
      const m = fl & Pte.ProtMask;
      if ((m & ~vprot) === 0) continue;
      const t = m & vprot;
      if (p !== prevP + 1 || t !== target) {
        flush(prevP + 1);
        runs++;
        runStart = p;
        target = t;
      }
      prevP = p;
      if (this.firstOffending < 0) this.firstOffending = p;
      this.lastOffending = p;
    }
    flush(prevP + 1);
    return runs;
  }

  /** Removes every VMA in [start, end) and frees what they held. */
  protected unmapRange(start: number, end: number): void {
    const removed = this.vmas.removeRange(start, end);
    if (removed.length === 0) return;
    for (const v of removed) if (v.flags & VmFlag.Special) this.as.unmap(v.start, v.end - v.start);
    this.dropPages(start / PAGE_SIZE, end / PAGE_SIZE);
    this.releaseVmas(removed);
  }

  /** Drops the references of VMAs taken out of the set (their pages dropped), writing shared file pages back first. */
  protected releaseVmas(removed: readonly Vma[]): void {
    for (const v of removed) {
      this.writeBack(v, v.start / PAGE_SIZE, v.end / PAGE_SIZE);
      v.release();
    }
  }

  /**
   * Writes the dirty pages of [a, b) (inside v) back to v's file, if v is a
   * shared mapping of a file opened for writing. 0 or -errno.
   */
  protected writeBack(v: Vma, a: number, b: number): number {
    const obj = v.obj;
    if (!(obj instanceof FileMemory) || v.file === null || !v.file.writable) return 0;
    return obj.writeback(v.file, this.objPage(v, a), b - a);
  }

  // --- faults ---------------------------------------------------------------------------

  /**
   * MAP_GROWSDOWN: if addr lies below a grows-down VMA (with no VMA between),
   * extends it down to addr's page, as Linux expand_downwards: not below
   * mmap_min_addr, not within the guard gap above an accessible non-stack VMA,
   * not beyond the stack limit. Returns the grown VMA.
   */
  protected growStack(addr: number): Vma | undefined {
    if (!(addr >= 0 && addr < this.maxAddr)) return undefined;
    const l = this.vmas.list;
    const i = this.vmas.indexAfter(addr);
    const v = l[i];
    if (v === undefined || !(v.flags & VmFlag.GrowsDown) || v.start <= addr) return undefined;
    const start = addr - (addr % PAGE_SIZE);
    if (start < this.mmapMinAddr) return undefined;
    const prev = l[i - 1];
    if (prev && !(prev.flags & VmFlag.GrowsDown) && prev.prot !== 0 && start - prev.end < this.vmas.guardGap) return undefined;
    if (v.end - start > this.stackLimit) return undefined;
    if (v.flags & VmFlag.Account && !this.commitOk(v.start - start)) return undefined;
    v.pgoff -= (v.start - start) / PAGE_SIZE;
    v.start = start;
    this.vmas.gen++;
    return v;
  }

  private noteRecent(a: number, b: number): void {
    const i = this.recentNext;
    this.recentStart[i] = a;
    this.recentEnd[i] = b;
    this.recentBudget[i] = 2;
    this.recentNext = (i + 1) % RECENT;
  }

  /** True (once per budget unit) if pn was mapped by a recent fault: a fault on it may predate that mapping. */
  private consumeRecent(pn: number): boolean {
    let found = false;
    for (let i = 0; i < RECENT; i++) {
      if (this.recentBudget[i] > 0 && pn >= this.recentStart[i] && pn < this.recentEnd[i]) {
        this.recentBudget[i]--; // every entry covering pn: at most 2 retries per page however often it was mapped
        found = true;
      }
    }
    return found;
  }

  /**
   * The guest faulted at addr; siCode is the host's si_code (SEGV_MAPERR: the
   * stub had no page there; SEGV_ACCERR: it had one with too little protection).
   * The access type is unknown, so: no VMA (and no stack growth) is
   * FAULT_SEGV_MAPERR; a PROT_NONE VMA, or a page already mapped with its VMA's
   * full protection, is FAULT_SEGV_ACCERR; SEGV_ACCERR on a page mapped with
   * its pageProt() short of the VMA's protection (copy-on-write, or a clean
   * shared file page) is a write: see writeFault; otherwise the page is
   * populated and mapped with its pageProt(), with a window of faultAround
   * pages around it (clipped to the VMA), in one map() call, and the result is
   * FAULT_RESOLVED (the guest retries). Since guest threads run concurrently, a
   * fault on a page mapped meanwhile by another thread's fault is retried
   * rather than reported (a genuine violation faults again and is reported
   * then). Returns FAULT_SIGBUS past the end of a shared object or a file (or
   * when the file cannot be read), FAULT_OOM (or another negative errno from
   * the stub) when the fault cannot be served.
   */
  handleFault(addr: number, siCode: number): number {
    if (!(addr >= 0 && addr < this.maxAddr)) return FAULT_SEGV_MAPERR;
    const v = this.vmaAt(addr) ?? this.growStack(addr);
    if (v === undefined) return FAULT_SEGV_MAPERR;
    if (v.prot === 0) return FAULT_SEGV_ACCERR;
    // The host maps a special range itself: what faults there is the guest's own doing.
    if (v.flags & VmFlag.Special) return siCode === SEGV_MAPERR ? FAULT_SEGV_MAPERR : FAULT_SEGV_ACCERR;
    const pn = Math.floor(addr / PAGE_SIZE);
    const objEnd = this.objEnd(v);
    if (pn >= objEnd) return FAULT_SIGBUS;
    const fl = this.pt.flags(pn);
    if (fl & Pte.Mapped && siCode !== SEGV_MAPERR) {
      // (SEGV_MAPERR on a page we have mapped: mapped by a fault served after this
      // one happened, or our record is stale: it is mapped again below.)
      const m = fl & Pte.ProtMask;
      if (m === v.prot) return this.consumeRecent(pn) ? FAULT_RESOLVED : FAULT_SEGV_ACCERR;
      if ((m | PROT_WRITE) === v.prot && m === this.pageProt(v, pn, fl)) return this.writeFault(v, pn, objEnd);
    }
    const w = this.faultAround;
    const ws = Math.max(v.start / PAGE_SIZE, pn - (pn % w));
    const we = Math.min(objEnd, pn - (pn % w) + w);
    let fp = this.backing(v, pn);
    if (fp < 0 && v.obj !== null && !v.obj.faultAroundAllocates) {
      const r = this.populate(v, pn, pn + 1);
      fp = this.backing(v, pn);
      if (fp < 0) return r === 0 || r === -Errno.ENOMEM ? FAULT_OOM : FAULT_SIGBUS;
    } else if (fp < 0) {
      let a = pn;
      while (a > ws && this.backing(v, a - 1) < 0) a--;
      let b = pn + 1;
      while (b < we && this.backing(v, b) < 0) b++;
      this.populate(v, a, b);
      fp = this.backing(v, pn);
      if (fp < 0) {
        const r = this.populate(v, pn, pn + 1);
        fp = this.backing(v, pn);
        if (fp < 0) return r === 0 || r === -Errno.ENOMEM ? FAULT_OOM : FAULT_SIGBUS;
      }
    }
    const prot = this.protOf(v, pn);
    let a = pn;
    while (a > ws && fp - (pn - a + 1) >= 0 && this.backing(v, a - 1) === fp - (pn - a + 1) && this.protOf(v, a - 1) === prot &&
      !this.fullyMapped(a - 1, prot)) a--;
    let b = pn + 1;
    while (b < we && this.backing(v, b) === fp + (b - pn) && this.protOf(v, b) === prot && !this.fullyMapped(b, prot)) b++;
    const r = this.as.map(a * PAGE_SIZE, (b - a) * PAGE_SIZE, prot, (fp - (pn - a)) * PAGE_SIZE);
    if (r < 0) return r;
    this.markMapped(a, b, prot);
    this.noteRecent(a, b);
    return FAULT_RESOLVED;
  }

  /**
   * A write fault on page pn of v (writable), mapped read-only because it is
   * copy-on-write or a clean shared file page: un-shares it (and, in a
   * private mapping, its copy-on-write neighbours: the fault-around window,
   * one page either side in a stack, none in executable memory) or marks it
   * dirty, and maps the result writable in one call.
   */
  private writeFault(v: Vma, pn: number, objEnd: number): number {
    let a = pn;
    let b = pn + 1;
    if (v.obj !== null) {
      v.obj.markDirty(this.objPage(v, pn), 1);
    } else {
      let ws: number;
      let we: number;
      if (v.prot & PROT_EXEC) {
        ws = pn;
        we = pn + 1;
      } else if (v.flags & VmFlag.GrowsDown) {
        ws = pn - 1;
        we = pn + 2;
      } else {
        ws = pn - (pn % this.faultAround);
        we = ws + this.faultAround;
      }
      const r = this.unshare(pn, Math.max(ws, v.start / PAGE_SIZE), Math.min(we, objEnd));
      if (r < 0) return r === -Errno.ENOMEM ? FAULT_OOM : r;
      a = this.runStart;
      b = this.runEnd;
    }
    const r = this.mapRun(v, a, b);
    if (r < 0) return r;
    this.noteRecent(a, b);
    return FAULT_RESOLVED;
  }

  /** Maps [a, b) of v (one run of contiguous backing, none of it write-protected) with v's protection; on failure makes sure the stub maps none of it. */
  private mapRun(v: Vma, a: number, b: number): number {
    const r = v.prot === 0 ? -Errno.EINVAL : this.as.map(a * PAGE_SIZE, (b - a) * PAGE_SIZE, v.prot, this.pt.filePage(a) * PAGE_SIZE);
    if (r < 0) {
      this.as.unmap(a * PAGE_SIZE, (b - a) * PAGE_SIZE);
      for (let p = a; p < b; p++) this.pt.setFlags(p, this.pt.flags(p) & Pte.Keep);
      return r;
    }
    this.markMapped(a, b, v.prot);
    return 0;
  }

  private cowShared(p: number): boolean {
    return (this.pt.flags(p) & Pte.Cow) !== 0 && this.mf.extraOwners(this.pt.filePage(p) * PAGE_SIZE) > 0;
  }

  /**
   * Makes the copy-on-write page pn, and its copy-on-write neighbours within
   * [ws, we) in the same state, this table's alone: pages other tables still
   * own get copies (one contiguous allocation; just pn's page if that fails),
   * pages no other table owns any more are taken as they are (only a run of
   * contiguous backing). Sets runStart/runEnd to the run and runStale if the
   * stub maps old pages in it (the caller must map the run again). 0 or
   * -ENOMEM.
   */
  private unshare(pn: number, ws: number, we: number): number {
    const pt = this.pt;
    const shared = this.cowShared(pn);
    let a = pn;
    let b = pn + 1;
    this.runStale = false;
    if (!shared) {
      const fp = pt.filePage(pn);
      while (a > ws && pt.flags(a - 1) & Pte.Cow && pt.filePage(a - 1) === fp - (pn - a + 1) && !this.cowShared(a - 1)) a--;
      while (b < we && pt.flags(b) & Pte.Cow && pt.filePage(b) === fp + (b - pn) && !this.cowShared(b)) b++;
      for (let p = a; p < b; p++) pt.setFlags(p, pt.flags(p) & ~Pte.Cow);
      this.runStart = a;
      this.runEnd = b;
      return 0;
    }
    while (a > ws && this.cowShared(a - 1)) a--;
    while (b < we && this.cowShared(b)) b++;
    let off = this.mf.allocate((b - a) * PAGE_SIZE);
    if (off < 0 && b - a > 1) {
      a = pn;
      b = pn + 1;
      off = this.mf.allocate(PAGE_SIZE);
    }
    if (off < 0) return off;
    const nfp = off / PAGE_SIZE;
    for (let p = a; p < b; p++) {
      const old = pt.filePage(p) * PAGE_SIZE;
      const fl = pt.flags(p);
      if (fl & Pte.Mapped) this.runStale = true;
      this.mf.copy(old, (nfp + p - a) * PAGE_SIZE, PAGE_SIZE);
      pt.set(p, nfp + p - a, Pte.Owned); // unmapped in our record until the caller maps it again
      this.mf.release(old, PAGE_SIZE); // another owner is left: only the count drops
    }
    this.runStart = a;
    this.runEnd = b;
    return 0;
  }

  /**
   * Before the kernel writes [a, b) of v on the guest's behalf
   * (MADV_POPULATE_WRITE): un-shares its copy-on-write pages, or marks the
   * shared file pages dirty. 0 or -ENOMEM.
   */
  protected prepareWrite(v: Vma, a: number, b: number): number {
    const obj = v.obj;
    if (obj !== null) {
      if (obj.tracksWrites) obj.markDirty(this.objPage(v, a), b - a);
      return 0;
    }
    for (let p = this.pt.next(a, b); p < b; p = this.pt.next(p, b)) {
      if (!(this.pt.flags(p) & Pte.Cow)) {
        p++;
        continue;
      }
      const r = this.unshare(p, p, b);
      if (r < 0) return r;
      if (this.runStale) this.mapRun(v, this.runStart, this.runEnd);
      p = this.runEnd;
    }
    return 0;
  }

  // --- fork -----------------------------------------------------------------------------

  /**
   * fork: the private pages of [a, b) become copy-on-write, owned by this
   * table and by child's (empty there), with the MemoryFile counting the
   * extra owner. The stub is left to writeProtectCow().
   */
  protected shareInto(child: MmCore, a: number, b: number): void {
    this.pt.shareInto(child.pt, a, b, this.shareRun);
  }

  private readonly shareRun = (fp: number, n: number): void => this.mf.share(fp * PAGE_SIZE, n * PAGE_SIZE);

  /**
   * After shareInto: the private page at addr, which a fork's two processes
   * are about to write (the stack at the parent's stack pointer, the TLS
   * block), is copied for child right away and mapped there writable, and
   * stays this table's alone (writeProtectCow then leaves it writable): no
   * write fault on either side. Only for a page shared by exactly these two
   * tables. With copy false, the page is only mapped in child (with its
   * pageProt, e.g. the code at the instruction pointer). Best effort.
   */
  protected forkHotPage(child: MmCore, addr: number, copy: boolean): void {
    if (!(addr >= 0 && addr < this.maxAddr)) return;
    const v = this.vmaAt(addr);
    const cv = child.vmaAt(addr);
    if (v === undefined || cv === undefined || v.obj !== null || cv.obj !== null || cv.prot === 0) return;
    const pn = Math.floor(addr / PAGE_SIZE);
    const fp = this.pt.filePage(pn);
    if (fp < 0 || child.pt.filePage(pn) !== fp) return;
    if (child.pt.flags(pn) & Pte.Mapped) return;
    if (copy && cv.prot & PROT_WRITE && this.pt.flags(pn) & Pte.Cow && this.mf.extraOwners(fp * PAGE_SIZE) === 1) {
      if (child.unshare(pn, pn, pn + 1) < 0) return;
      this.pt.setFlags(pn, this.pt.flags(pn) & ~Pte.Cow);
      child.queueMap(pn, pn + 1, cv.prot, child.pt.filePage(pn));
      return;
    }
    child.mapRange(cv, pn, pn + 1, 1, true);
  }

  /**
   * After writeProtectCow: queues in child the maps of the pages this stub
   * maps and child shares (read-only there, as here), one range per run of
   * contiguous backing and protection within a VMA, at most MAX_FORK_PREMAP:
   * a forked process mostly touches what its parent had mapped (one batched
   * call instead of a fault per window). The caller flushes child's queue.
   */
  protected forkPremap(child: MmCore): void {
    let ops = 0;
    for (const v of this.vmas.list) {
      if (ops >= MAX_FORK_PREMAP) return;
      if (v.obj !== null || v.prot === 0) continue;
      const cv = child.vmaAt(v.start);
      if (cv === undefined || cv.start !== v.start || cv.end !== v.end) continue;
      const a = v.start / PAGE_SIZE;
      const b = v.end / PAGE_SIZE;
      for (let p = this.pt.next(a, b); p < b && ops < MAX_FORK_PREMAP; p = this.pt.next(p, b)) {
        const fl = this.pt.flags(p);
        const fp = this.pt.filePage(p);
        const prot = fl & Pte.ProtMask;
        if (!(fl & Pte.Mapped) || prot === 0 || child.pt.filePage(p) !== fp || child.pt.flags(p) & Pte.Mapped || prot !== child.pageProt(cv, p, child.pt.flags(p))) {
          p++;
          continue;
        }
        let q = p + 1;
        while (q < b && this.pt.filePage(q) === fp + (q - p) && (this.pt.flags(q) & (Pte.Mapped | Pte.ProtMask)) === (fl & (Pte.Mapped | Pte.ProtMask)) &&
          child.pt.filePage(q) === fp + (q - p) && !(child.pt.flags(q) & Pte.Mapped) && child.pageProt(cv, q, child.pt.flags(q)) === prot) q++;
        child.queueMap(p, q, prot, fp);
        ops++;
        p = q;
      }
    }
  }

  /**
   * After shareInto: removes PROT_WRITE from the stub mappings of Cow pages,
   * one protect() per run of mapped pages with the same resulting protection
   * (pages mapped without PROT_WRITE join runs; pages that keep it end them).
   * Past MAX_FORK_PROTECTS runs, the rest is unmapped in one call (those
   * pages refault).
   */
  protected writeProtectCow(): void {
    const pt = this.pt;
    const end = this.maxAddr / PAGE_SIZE;
    const starts: number[] = [];
    const ends: number[] = [];
    const prots: number[] = [];
    let rs = -1;
    let re = -1;
    let rp = -1;
    let lastWork = -1;
    const flush = (): void => {
      if (rs >= 0 && lastWork >= rs) {
        starts.push(rs);
        ends.push(lastWork + 1);
        prots.push(rp);
      }
      rs = -1;
    };
    pt.forEach(0, end, (p, _fp, fl) => {
      if (!(fl & Pte.Mapped)) return; // (a gap ends the run: the next page is not at re)
      const m = fl & Pte.ProtMask;
      const work = (fl & Pte.Cow) !== 0 && (m & PROT_WRITE) !== 0;
      if (!work && m & PROT_WRITE) {
        flush();
        return;
      }
      const t = m & ~PROT_WRITE;
      if (rs < 0 || p !== re || t !== rp) {
        flush();
        rs = p;
        rp = t;
      }
      re = p + 1;
      if (work) lastWork = p;
    });
    flush();
    const n = starts.length;
    for (let i = 0; i < n; i++) {
      if (i === MAX_FORK_PROTECTS - 1 && n > MAX_FORK_PROTECTS) {
        this.unmapStub(starts[i], ends[n - 1]);
        return;
      }
      const a = starts[i];
      const b = ends[i];
      const t = prots[i];
      if (t !== 0 && this.as.protect(a * PAGE_SIZE, (b - a) * PAGE_SIZE, t) === 0) {
        this.markMapped(a, b, t);
      } else {
        this.as.unmap(a * PAGE_SIZE, (b - a) * PAGE_SIZE);
        for (let p = a; p < b; p++) this.pt.setFlags(p, this.pt.flags(p) & Pte.Keep);
      }
    }
  }

  // --- kernel access --------------------------------------------------------------------

  /**
   * Resolves the page holding addr for a kernel access: its MemoryFile page,
   * ZERO for an untouched anonymous page being read, or FAULT (no VMA,
   * protection, past a shared object or file, out of memory, a file read
   * error). A write gives backing to the untouched pages from addr's page up
   * to endPn (bounded), in one allocation if it can, and un-shares
   * copy-on-write pages the same way (marking shared file pages dirty); a
   * read of untouched file-backed memory fills it from the file. force
   * ignores the guest's protection (the ELF loader's writes).
   */
  protected accessPage(addr: number, write: boolean, force: boolean, endPn: number): number {
    const v = this.vmaAt(addr) ?? this.growStack(addr);
    if (v === undefined || v.flags & VmFlag.Special) return FAULT;
    if (!force && (write ? (v.prot & PROT_WRITE) === 0 : v.prot === 0)) return FAULT;
    const pn = Math.floor(addr / PAGE_SIZE);
    const fp = this.backing(v, pn);
    if (fp >= 0) return write ? this.writablePage(v, pn, fp, endPn) : fp;
    const objEnd = this.objEnd(v);
    if (pn >= objEnd) return FAULT;
    if (!write && v.file === null) return ZERO;
    const end = Math.min(endPn, objEnd, pn + 512);
    let b = pn + 1;
    while (b < end && this.backing(v, b) < 0) b++;
    this.populate(v, pn, b);
    const f = this.backing(v, pn);
    if (f >= 0 && write && v.obj !== null && v.obj.tracksWrites) v.obj.markDirty(this.objPage(v, pn), b - pn);
    return f >= 0 ? f : FAULT;
  }

  /** For a kernel write to backed page pn of v: un-shares it (with the Cow pages after it, up to endPn) or marks it dirty; its page or FAULT. */
  private writablePage(v: Vma, pn: number, fp: number, endPn: number): number {
    const obj = v.obj;
    if (obj !== null) {
      if (obj.tracksWrites) obj.markDirty(this.objPage(v, pn), 1);
      return fp;
    }
    if (!(this.pt.flags(pn) & Pte.Cow)) return fp;
    if (this.unshare(pn, pn, Math.min(endPn, pn + MAX_KERNEL_UNSHARE, v.end / PAGE_SIZE)) < 0) return FAULT;
    // The stub still maps the old pages (read-only): point it at the copies.
    if (this.runStale) this.mapRun(v, this.runStart, this.runEnd);
    return this.pt.filePage(pn);
  }

  /**
   * The longest run from addr (at most maxLen bytes) that is one contiguous
   * MemoryFile range within one window (segOff = its offset) or all zeros
   * (segOff = -1; reads only, at most zeroMax bytes). Returns its length or
   * -EFAULT if addr's own page is inaccessible.
   */
  protected segment(addr: number, maxLen: number, write: boolean, force: boolean, zeroMax: number): number {
    const endPn = Math.ceil((addr + maxLen) / PAGE_SIZE);
    const fp = this.accessPage(addr, write, force, endPn);
    if (fp === FAULT) return -Errno.EFAULT;
    let len = Math.min(PAGE_SIZE - (addr % PAGE_SIZE), maxLen);
    if (fp === ZERO) {
      this.segOff = -1;
      while (len < maxLen && len < zeroMax && this.accessPage(addr + len, false, force, endPn) === ZERO) {
        len = Math.min(maxLen, zeroMax, len + PAGE_SIZE);
      }
      return Math.min(len, zeroMax);
    }
    const off = fp * PAGE_SIZE + (addr % PAGE_SIZE);
    this.segOff = off;
    const ws = this.mf.windowSize;
    const windowEnd = (Math.floor(off / ws) + 1) * ws;
    let next = fp + 1;
    while (len < maxLen && next * PAGE_SIZE < windowEnd && this.accessPage(addr + len, write, force, endPn) === next) {
      len = Math.min(maxLen, len + PAGE_SIZE);
      next++;
    }
    return len;
  }

  /** True if [addr, addr+len) is inside the user address range (access_ok). */
  protected rangeOk(addr: number, len: number): boolean {
    return addr >= 0 && len >= 0 && addr + len <= this.maxAddr && Number.isInteger(addr) && Number.isInteger(len);
  }

  // --- introspection (tests, /proc) -------------------------------------------------------

  /** MemoryFile offset backing the page at addr (shared objects included), or -1. */
  backingOf(addr: number): number {
    const v = this.vmas.find(addr);
    if (v === undefined) return -1;
    const pn = Math.floor(addr / PAGE_SIZE);
    const fp = this.pt.filePage(pn);
    if (fp >= 0) return fp * PAGE_SIZE;
    if (v.obj === null) return -1;
    const f = v.obj.filePage(v.pgoff + (pn - v.start / PAGE_SIZE));
    return f >= 0 ? f * PAGE_SIZE : -1;
  }

  /** Protection the page at addr is mapped with in the stub, or -1 if it is not mapped. */
  stubProtOf(addr: number): number {
    const fl = this.pt.flags(Math.floor(addr / PAGE_SIZE));
    return fl & Pte.Mapped ? fl & Pte.ProtMask : -1;
  }

  /**
   * Calls fn for every page with a page-table entry: its address, backing
   * offset, stub protection (-1: unmapped), ownership, copy-on-write mark.
   */
  forEachPage(fn: (addr: number, fileOffset: number, stubProt: number, owned: boolean, cow: boolean) => void): void {
    const end = this.maxAddr / PAGE_SIZE;
    for (let p = this.pt.next(0, end); p < end; p = this.pt.next(p + 1, end)) {
      const fl = this.pt.flags(p);
      fn(p * PAGE_SIZE, this.pt.filePage(p) * PAGE_SIZE, fl & Pte.Mapped ? fl & Pte.ProtMask : -1, (fl & Pte.Owned) !== 0, (fl & Pte.Cow) !== 0);
    }
  }

  /** Bytes of private memory with backing (resident set, shared objects excluded). */
  get privateResidentBytes(): number {
    let n = 0;
    this.forEachPage((_a, _o, _p, owned) => { if (owned) n += PAGE_SIZE; });
    return n;
  }
}
