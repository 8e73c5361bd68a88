// MemoryManager: one per guest address space (DESIGN.md: Memory). The
// mapping syscalls are in mm_map.ts, kernel access to guest memory in
// mm_access.ts, faults and the page table in mm_core.ts; this file adds
// madvise, mincore, msync, VMA names, /proc/PID/maps, fork and teardown.
//
// fork() copies the address space copy-on-write: the child gets every VMA
// (but MADV_DONTFORK ones; MADV_WIPEONFORK ones empty) and shares every
// private page with the parent, each MemoryFile page counting its owners;
// the parent's writable stub mappings of them are write-protected, the
// child's stub starts empty. A write fault (or a kernel write) on a shared
// page copies it, or takes it over once no other owner is left. Shared
// mappings stay shared (same object). Details: README.md and mm_core.ts.
import { Errno } from '../abi/linux/errno.js';
import {
  MADV_COLD, MADV_COLLAPSE, MADV_DODUMP, MADV_DOFORK, MADV_DONTDUMP, MADV_DONTFORK, MADV_DONTNEED, MADV_DONTNEED_LOCKED,
  MADV_FREE, MADV_HUGEPAGE, MADV_HWPOISON, MADV_KEEPONFORK, MADV_MERGEABLE, MADV_NOHUGEPAGE, MADV_NORMAL, MADV_PAGEOUT,
  MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_RANDOM, MADV_REMOVE, MADV_SEQUENTIAL, MADV_SOFT_OFFLINE, MADV_UNMERGEABLE,
  MADV_WILLNEED, MADV_WIPEONFORK, MS_ASYNC, MS_INVALIDATE, MS_SYNC, PROT_EXEC, PROT_READ, PROT_WRITE,
} from '../abi/linux/mman.js';
import { devMajor, devMinor } from '../abi/linux/stat.js';
import type { MemoryFile } from '../memory/memory_file.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import type { AddressSpace } from '../platform/platform.js';
import type { MemoryManagerOptions } from './mm_core.js';
import { alignUp, pageAligned, TWO64, u64 } from './args.js';
import { MmMap } from './mm_map.js';
import { Vma, VmFlag } from './vma.js';

export { FAULT_OOM, FAULT_RESOLVED, FAULT_SEGV_ACCERR, FAULT_SEGV_MAPERR, FAULT_SIGBUS } from './mm_core.js';
export type { MemoryManagerOptions } from './mm_core.js';

/** Linux TASK_SIZE_MAX (access_ok's limit) on x86-64 with 4-level paging. */
const TASK_SIZE_MAX = 0x7ffffffff000;
/** mincore works through this many pages at a time (Linux: one page of vector). */
const MINCORE_CHUNK = 4096;
/** Longest VMA name set by prctl(PR_SET_VMA_ANON_NAME), NUL included. */
const ANON_NAME_MAX = 80;

/** Advice values madvise accepts (Linux 6.x with THP and KSM, without guard regions). */
function adviceValid(a: number): boolean {
  return (a >= MADV_NORMAL && a <= MADV_WILLNEED) || a === MADV_DONTNEED || (a >= MADV_FREE && a <= MADV_COLLAPSE) ||
    a === MADV_HWPOISON || a === MADV_SOFT_OFFLINE;
}

/** Where the forking thread is: its stack pointer, TLS base (0: none) and instruction pointer. */
export interface ForkHot {
  readonly sp: number;
  readonly tls: number;
  readonly ip: number;
}

export class MemoryManager extends MmMap {
  private stackTop = 0;
  private readonly vec = new Uint8Array(MINCORE_CHUNK);

  constructor(mf: MemoryFile, as: AddressSpace, opts?: MemoryManagerOptions) {
    super(mf, as, opts);
  }

  /**
   * Makes the stub's host mappings (AddressSpace.special: the host's vDSO,
   * docs/vdso.md) VMAs of this fresh address space, as execve maps the vDSO
   * (they are no MemoryFile memory: VmFlag.Special). Returns the [vdso]
   * start for AT_SYSINFO_EHDR, or 0 if there is none (or it is taken).
   */
  mapSpecial(): number {
    let vdso = 0;
    const special = this.as.special ?? [];
    if (special.some((m) => m.end > this.maxAddr || this.vmas.overlaps(m.start, m.end))) {
      // All or nothing: the vDSO's code needs its data pages.
      for (const m of special) if (m.end <= this.maxAddr) this.as.unmap(m.start, m.end - m.start);
      return 0;
    }
    for (const m of special) {
      this.vmas.insert(new Vma(m.start, m.end, m.prot, m.maxProt, VmFlag.Special | VmFlag.DontDump, null, m.start / PAGE_SIZE, m.name));
      if (m.name === '[vdso]') vdso = m.start;
    }
    return vdso;
  }

  /**
   * The start of the [vdso] VMA mapSpecial made if it and the [vvar] pages
   * its code reads are all still whole and in place (a MAP_FIXED image or
   * stack may have replaced some); else 0.
   */
  vdsoBase(): number {
    let vdso = 0;
    for (const m of this.as.special ?? []) {
      const v = this.vmas.find(m.start);
      if (v === undefined || !(v.flags & VmFlag.Special) || v.start !== m.start || v.end !== m.end || v.name !== m.name) return 0;
      if (m.name === '[vdso]') vdso = m.start;
    }
    return vdso;
  }

  /**
   * After fork's VMA copy: the child's stub starts with the host mappings as
   * the template has them; makes them match the child's VMAs (unmapped where
   * the parent unmapped or replaced them, or marked them MADV_DONTFORK;
   * re-protected where it mprotected them).
   */
  private forkSpecial(child: MemoryManager): void {
    const as = child.as;
    for (const m of as.special ?? []) {
      let a = m.start;
      while (a < m.end) {
        const v = child.vmas.find(a);
        const special = v !== undefined && (v.flags & VmFlag.Special) !== 0 && v.name === m.name;
        let b = special ? Math.min(v.end, m.end) : m.end;
        if (!special) {
          // Up to the next special VMA of this range, if any.
          for (let p = a + PAGE_SIZE; p < m.end; p += PAGE_SIZE) {
            const w = child.vmas.find(p);
            if (w !== undefined && w.flags & VmFlag.Special && w.name === m.name) {
              b = p;
              break;
            }
          }
          as.unmap(a, b - a);
        } else if (v.prot !== m.prot) {
          as.protect(a, b - a, v.prot);
        }
        a = b;
      }
    }
  }

  /** Records the initial stack pointer's address (the ELF loader), for "[stack]" in /proc/PID/maps. */
  setStackStart(addr: number): void {
    this.stackTop = addr;
  }

  // --- madvise ----------------------------------------------------------------------------

  /**
   * madvise(2). MADV_DONTNEED/MADV_FREE drop private pages (they read as zeros
   * afterwards) and shared pages' translations (the object keeps the data);
   * MADV_REMOVE zeroes a shared mapping's pages for every mapper;
   * DONTFORK/DOFORK/WIPEONFORK/KEEPONFORK/DONTDUMP/DODUMP set VMA flags; the
   * rest are accepted hints. Holes in the range give ENOMEM after the mapped
   * parts were advised.
   */
  madvise(addr: number, length: number, advice: number): number {
    if (!Number.isInteger(advice) || !adviceValid(advice)) return -Errno.EINVAL;
    if (!pageAligned(addr)) return -Errno.EINVAL;
    addr = u64(addr);
    const len = alignUp(length);
    if (length !== 0 && len === 0) return -Errno.EINVAL;
    const end = addr + len;
    if (end >= TWO64) return -Errno.EINVAL;
    if (end === addr) return 0;
    if (advice === MADV_HWPOISON || advice === MADV_SOFT_OFFLINE) return -Errno.EPERM; // needs CAP_SYS_ADMIN over host memory
    if (advice === MADV_POPULATE_READ || advice === MADV_POPULATE_WRITE) return this.populateAdvice(addr, end, advice === MADV_POPULATE_WRITE);
    return this.walkVmas(addr, end, advice);
  }

  /** madvise_walk_vmas: applies advice to each VMA piece of [start, end); ENOMEM for holes (after the rest). */
  private walkVmas(start: number, end: number, advice: number): number {
    return this.forEachPiece(start, end, (v, a, e) => this.adviseVma(v, a, e, advice));
  }

  /**
   * Calls fn on each VMA's piece of [start, end) in address order (looking the
   * next VMA up after each call, which may split or merge VMAs); stops at the
   * first error. Holes do not stop the walk: they make the result ENOMEM.
   */
  private forEachPiece(start: number, end: number, fn: (v: Vma, s: number, e: number) => number): number {
    let unmapped = 0;
    let a = start;
    while (a < end) {
      const v = this.vmas.list[this.vmas.indexAfter(a)];
      if (v === undefined) return -Errno.ENOMEM;
      if (a < v.start) {
        unmapped = -Errno.ENOMEM;
        a = v.start;
        if (a >= end) break;
      }
      const e = Math.min(end, v.end);
      const r = fn(v, a, e);
      if (r < 0) return r;
      a = e;
    }
    return unmapped;
  }

  private adviseVma(v: Vma, s: number, e: number, advice: number): number {
    switch (advice) {
      case MADV_DONTNEED:
      case MADV_DONTNEED_LOCKED:
      case MADV_FREE:
        if (advice !== MADV_DONTNEED_LOCKED && v.flags & VmFlag.Locked) return -Errno.EINVAL;
        if (advice === MADV_FREE && (v.obj !== null || v.file !== null)) return -Errno.EINVAL; // private anonymous only
        // MADV_FREE may free at once: the pages then read as zeros, as after DONTNEED.
        this.dropPages(s / PAGE_SIZE, e / PAGE_SIZE);
        return 0;
      case MADV_REMOVE:
        if (v.flags & VmFlag.Locked || (v.obj === null && v.file === null)) return -Errno.EINVAL;
        if (v.obj === null || !(v.flags & VmFlag.Shared) || !(v.maxProt & PROT_WRITE)) return -Errno.EACCES;
        return v.obj.decommit(v.pgoff + (s - v.start) / PAGE_SIZE, (e - s) / PAGE_SIZE);
      case MADV_COLD:
      case MADV_PAGEOUT:
        return v.flags & VmFlag.Locked ? -Errno.EINVAL : 0;
      case MADV_COLLAPSE:
        return -Errno.EINVAL; // no huge pages to collapse into
      case MADV_DONTFORK:
        return this.changeFlags(s, e, VmFlag.DontCopy, 0);
      case MADV_DOFORK:
        return this.changeFlags(s, e, 0, VmFlag.DontCopy);
      case MADV_WIPEONFORK:
        if (v.obj !== null || v.file !== null) return -Errno.EINVAL;
        return this.changeFlags(s, e, VmFlag.WipeOnFork, 0);
      case MADV_KEEPONFORK:
        if (v.flags & VmFlag.Droppable) return -Errno.EINVAL;
        return this.changeFlags(s, e, 0, VmFlag.WipeOnFork);
      case MADV_DONTDUMP:
        return this.changeFlags(s, e, VmFlag.DontDump, 0);
      case MADV_DODUMP:
        return this.changeFlags(s, e, 0, VmFlag.DontDump);
      case MADV_NORMAL:
      case MADV_RANDOM:
      case MADV_SEQUENTIAL:
      case MADV_WILLNEED:
      case MADV_MERGEABLE:
      case MADV_UNMERGEABLE:
      case MADV_HUGEPAGE:
      case MADV_NOHUGEPAGE:
      default:
        return 0;
    }
  }

  /** Sets and clears VmFlags on [s, e) (inside one VMA), splitting and merging as needed. ENOMEM at the map count limit. */
  private changeFlags(s: number, e: number, set: number, clear: number): number {
    return this.updateVmas(s, e, (v) => {
      const f = (v.flags | set) & ~clear;
      if (f === v.flags) return false;
      v.flags = f;
      return true;
    });
  }

  /**
   * Applies fn to the VMA piece [s, e) (inside one VMA): splits first when fn
   * would change it, then merges with the neighbours.
   */
  private updateVmas(s: number, e: number, fn: (v: Vma) => boolean): number {
    const probe = this.vmas.find(s)!;
    const copy = new Vma(probe.start, probe.end, probe.prot, probe.maxProt, probe.flags, probe.obj, probe.pgoff, probe.name, probe.file);
    if (!fn(copy)) return 0;
    const splits = (probe.start < s ? 1 : 0) + (probe.end > e ? 1 : 0);
    if (splits > 0 && this.vmas.count >= this.maxMapCount) return -Errno.ENOMEM;
    const i = this.vmas.split(s);
    this.vmas.split(e);
    fn(this.vmas.list[i]);
    this.vmas.gen++;
    this.vmas.mergeAround(i, i + 1);
    return 0;
  }

  /** MADV_POPULATE_READ/WRITE: every page must be mapped (ENOMEM), accessible (EINVAL), writable for WRITE (EINVAL). */
  private populateAdvice(start: number, end: number, write: boolean): number {
    let a = start;
    while (a < end) {
      const v = this.vmaAt(a);
      if (v === undefined) return -Errno.ENOMEM;
      if (v.prot === 0 || (write && !(v.prot & PROT_WRITE))) return -Errno.EINVAL;
      const e = Math.min(end, v.end);
      if (e > this.objEnd(v) * PAGE_SIZE) return -Errno.EFAULT; // past a shared object or file: SIGBUS on access
      // Reads of untouched anonymous memory need nothing (they see zeros); writes
      // (and reads of file pages) get backing and stub mappings now.
      if (write || v.file !== null) {
        const r = this.populate(v, a / PAGE_SIZE, e / PAGE_SIZE);
        if (r === -Errno.ENOMEM) return r;
        if (r < 0) return -Errno.EFAULT; // the file could not be read: SIGBUS on access
        if (write) {
          const w = this.prepareWrite(v, a / PAGE_SIZE, e / PAGE_SIZE);
          if (w < 0) return w;
        }
        this.mapRange(v, a / PAGE_SIZE, e / PAGE_SIZE);
      }
      a = e;
    }
    return 0;
  }

  // --- mincore ----------------------------------------------------------------------------

  /**
   * mincore(2): writes one byte per page of [addr, addr+len) at vecAddr, 1 if
   * the page has memory (private backing, or a shared object's page). EINVAL
   * for an unaligned addr, ENOMEM for a range outside the address space or
   * with unmapped pages, EFAULT for a bad vector.
   */
  mincore(addr: number, length: number, vecAddr: number): number {
    if (!pageAligned(addr)) return -Errno.EINVAL;
    addr = u64(addr);
    length = u64(length);
    vecAddr = u64(vecAddr);
    if (length > TASK_SIZE_MAX || addr > TASK_SIZE_MAX - length) return -Errno.ENOMEM;
    let pages = Math.ceil(length / PAGE_SIZE);
    if (pages > TASK_SIZE_MAX || vecAddr > TASK_SIZE_MAX - pages) return -Errno.EFAULT;
    let a = addr;
    let out = vecAddr;
    while (pages > 0) {
      const v = this.vmaAt(a);
      if (v === undefined) return -Errno.ENOMEM;
      const n = Math.min(pages, MINCORE_CHUNK, (v.end - a) / PAGE_SIZE);
      const pn = a / PAGE_SIZE;
      for (let i = 0; i < n; i++) this.vec[i] = this.resident(v, pn + i) ? 1 : 0;
      if (this.writeBytes(out, this.vec, 0, n) < 0) return -Errno.EFAULT;
      pages -= n;
      out += n;
      a += n * PAGE_SIZE;
    }
    return 0;
  }

  private resident(v: Vma, pn: number): boolean {
    if (this.pt.filePage(pn) >= 0) return true;
    return v.obj !== null && v.obj.filePage(v.pgoff + (pn - v.start / PAGE_SIZE)) >= 0;
  }

  // --- msync ------------------------------------------------------------------------------

  /**
   * msync(2). EINVAL for unknown flags, MS_ASYNC with MS_SYNC, or an
   * unaligned addr; EBUSY for MS_INVALIDATE on locked memory; ENOMEM if part
   * of the range is unmapped (at once for a plain MS_ASYNC). The dirty pages
   * of shared file mappings in the range are written back to their files
   * (MS_ASYNC too: read(2) does not see mapped pages before that), and
   * MS_SYNC then fsyncs the file; EIO (the error) if that fails.
   */
  msync(addr: number, length: number, flags: number): number {
    flags |= 0;
    if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -Errno.EINVAL;
    if (!pageAligned(addr)) return -Errno.EINVAL;
    if (flags & MS_ASYNC && flags & MS_SYNC) return -Errno.EINVAL;
    addr = u64(addr);
    const len = alignUp(length); // may wrap to 0: then there is nothing to do
    const end = addr + len;
    if (end >= TWO64) return -Errno.ENOMEM;
    if (end === addr) return 0;
    let unmapped = 0;
    let a = addr;
    for (;;) {
      const v = this.vmas.list[this.vmas.indexAfter(a)];
      if (v === undefined) return -Errno.ENOMEM;
      if (a < v.start) {
        if (flags === MS_ASYNC) return -Errno.ENOMEM;
        a = v.start;
        if (a >= end) return -Errno.ENOMEM;
        unmapped = -Errno.ENOMEM;
      }
      if (flags & MS_INVALIDATE && v.flags & VmFlag.Locked) return -Errno.EBUSY;
      if (v.obj !== null && v.file !== null) {
        const e = Math.min(end, v.end);
        const r = this.writeBack(v, a / PAGE_SIZE, e / PAGE_SIZE);
        if (r < 0) return r;
        if (flags & MS_SYNC && v.file.writable) {
          const f = v.file.sync();
          if (f < 0) return f;
        }
      }
      a = v.end;
      if (a >= end) return unmapped;
    }
  }

  // --- names ------------------------------------------------------------------------------

  /**
   * prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME): names the anonymous memory of
   * [addr, addr+len) "[anon:name]" ("[anon_shmem:name]" if shared), or clears
   * the name (null). EINVAL for an unaligned addr, a name over 79 bytes or
   * with characters outside 0x20-0x7e or in \`$[]; ENOMEM for holes.
   */
  setVmaName(addr: number, length: number, name: string | null): number {
    if (name !== null) {
      if (Buffer.byteLength(name) >= ANON_NAME_MAX) return -Errno.EINVAL;
      for (let i = 0; i < name.length; i++) {
        const c = name.charCodeAt(i);
        if (c < 0x20 || c >= 0x7f || '\\`$[]'.includes(name[i])) return -Errno.EINVAL;
      }
    }
    // Only anonymous memory can be named (madvise_vma_anon_name: EBADF for a file mapping).
    return this.nameRange(addr, length, (v) => (v.file !== null ? -Errno.EBADF : name === null ? null : v.obj !== null ? `[anon_shmem:${name}]` : `[anon:${name}]`));
  }

  /** Labels [addr, addr+len) with a special name such as "[vdso]" or "[vvar]" (kernel use). */
  setSpecialName(addr: number, length: number, label: string): number {
    return this.nameRange(addr, length, () => label);
  }

  private nameRange(addr: number, length: number, nameFor: (v: Vma) => string | null | number): number {
    if (!pageAligned(addr)) return -Errno.EINVAL;
    addr = u64(addr);
    const len = alignUp(length);
    if (length !== 0 && len === 0) return -Errno.EINVAL;
    const end = addr + len;
    if (end >= TWO64) return -Errno.EINVAL;
    return this.forEachPiece(addr, end, (v, a, e) => {
      const name = nameFor(v);
      if (typeof name === 'number') return name;
      return this.updateVmas(a, e, (x) => {
        if (x.name === name) return false;
        x.name = name;
        return true;
      });
    });
  }

  // --- /proc/PID/maps ---------------------------------------------------------------------

  /** The address space in /proc/PID/maps format. */
  procMaps(): string {
    let out = '';
    for (const v of this.vmas.list) {
      const obj = v.obj;
      const file = v.file;
      const dev = file !== null ? ' ' + hex(devMajor(file.dev), 2) + ':' + hex(devMinor(file.dev), 2) + ' ' + file.ino : obj ? ' 00:01 ' + obj.ino : ' 00:00 0';
      let line = hex(v.start, 8) + '-' + hex(v.end, 8) + ' ' + (v.prot & PROT_READ ? 'r' : '-') + (v.prot & PROT_WRITE ? 'w' : '-') +
        (v.prot & PROT_EXEC ? 'x' : '-') + (v.flags & VmFlag.Shared ? 's' : 'p') + ' ' + hex(obj || file ? v.pgoff * PAGE_SIZE : 0, 8) +
        dev + ' ';
      const name = this.vmaName(v);
      if (name !== null) line = line.padEnd(72, ' ') + ' ' + name;
      out += line + '\n';
    }
    return out;
  }

  private vmaName(v: Vma): string | null {
    if (v.file !== null) return v.file.name().replace(/\n/g, '\\012'); // seq_file_path escapes newlines
    if (v.obj !== null) return v.name ?? v.obj.name;
    if (this.brkBase !== 0 && v.start <= this.brkCur && v.end >= this.brkBase) return '[heap]';
    if (this.stackTop !== 0 && v.start <= this.stackTop && v.end >= this.stackTop) return '[stack]';
    return v.name;
  }

  // --- teardown ---------------------------------------------------------------------------

  /**
   * Unmaps everything from the stub (one call), writes shared file pages
   * back, and releases all backing (pages shared copy-on-write with other
   * managers stay theirs); the manager is empty afterwards.
   */
  destroy(): void {
    const end = this.maxAddr / PAGE_SIZE;
    this.dropPages(0, end);
    const removed = this.vmas.removeAt(0, this.vmas.count);
    this.releaseVmas(removed);
    this.brkBase = this.brkCur = 0;
    this.stackTop = 0;
    this.retire();
  }

  // --- fork -------------------------------------------------------------------------------

  /**
   * fork(2) without CLONE_VM (dup_mmap): a manager for the empty address
   * space childAs with a copy-on-write copy of this one. The child gets every
   * VMA (names, brk, stack, limits and mmap base included) but MADV_DONTFORK
   * ones, without mlock (VM_LOCKED is not inherited); MADV_WIPEONFORK VMAs
   * come empty; shared mappings share their object. No page is copied (see
   * mm_core.ts) but, given `hot`, the pages at the forking thread's stack
   * pointer and TLS base, which both sides write at once (forkHotPage). Returns the child's manager, or -ENOMEM if childAs is smaller
   * than this address space.
   */
  fork(childAs: AddressSpace, hot?: ForkHot): MemoryManager | number {
    if (Math.floor(childAs.maxAddress / PAGE_SIZE) * PAGE_SIZE < this.maxAddr) return -Errno.ENOMEM;
    const child = new MemoryManager(this.mf, childAs, {
      mmapBase: this.mmapBase,
      mmapMinAddr: this.mmapMinAddr,
      stackLimit: this.stackLimit,
      maxMapCount: this.maxMapCount,
      stackGuardGap: this.vmas.guardGap,
      faultAround: this.faultAround,
      eagerPages: this.eagerPages,
    });
    const list = child.vmas.list;
    for (const v of this.vmas.list) {
      if (v.flags & VmFlag.DontCopy) continue;
      const c = new Vma(v.start, v.end, v.prot, v.maxProt, v.flags & ~VmFlag.Locked, v.obj, v.pgoff, v.name, v.file);
      c.hold();
      list.push(c);
      if (v.obj === null && !(v.flags & VmFlag.WipeOnFork)) this.shareInto(child, v.start / PAGE_SIZE, v.end / PAGE_SIZE);
    }
    child.vmas.gen++;
    this.forkSpecial(child);
    if (hot !== undefined) {
      // The pages both processes write first get the child's copy now; the code page is mapped in the child.
      this.forkHotPage(child, hot.sp, true);
      if (Math.floor((hot.sp - 128) / PAGE_SIZE) !== Math.floor(hot.sp / PAGE_SIZE)) this.forkHotPage(child, hot.sp - 128, true);
      if (hot.tls !== 0) this.forkHotPage(child, hot.tls, true);
      this.forkHotPage(child, hot.ip, false);
    }
    this.writeProtectCow();
    if (hot !== undefined) {
      this.forkPremap(child);
      child.flushMaps();
    }
    child.brkBase = this.brkBase;
    child.brkCur = this.brkCur;
    child.rlimit = this.rlimit;
    child.stackTop = this.stackTop;
    return child;
  }
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
