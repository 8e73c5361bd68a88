// mmap, munmap, mprotect, brk and mremap with Linux's semantics and error
// order (mm/mmap.c, mm/mprotect.c, mm/mremap.c; man 2 mmap, mprotect, brk,
// mremap). For how arguments are read (unsigned or signed decodings of the
// registers) see args.ts.
import { Errno } from '../abi/linux/errno.js';
import {
  MAP_32BIT, MAP_ANONYMOUS, MAP_DENYWRITE, MAP_DROPPABLE, MAP_EXECUTABLE, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN,
  MAP_HUGE_SHIFT, MAP_HUGETLB, MAP_LOCKED, MAP_NONBLOCK, MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED,
  MAP_SHARED_VALIDATE, MAP_STACK, MAP_TYPE, MAP_UNINITIALIZED, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, PROT_EXEC,
  PROT_GROWSDOWN, PROT_GROWSUP, PROT_READ, PROT_SEM, PROT_WRITE,
} from '../abi/linux/mman.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import { alignUp, pageAligned, TWO64, u64 } from './args.js';
import { FileMemory } from './file_memory.js';
import type { MappedFile } from './mapped_file.js';
import { MmAccess } from './mm_access.js';
import { SharedMemory } from './shared_memory.js';
import { Vma, VmFlag } from './vma.js';

const PROT_RWX = PROT_READ | PROT_WRITE | PROT_EXEC;
/** x86 MAP_ABOVE4G (Linux 6.6; arch/x86/include/uapi/asm/mman.h). TODO: move to src/abi/linux/mman.ts. */
const MAP_ABOVE4G = 0x80;
/**
 * LEGACY_MAP_MASK (include/linux/mman.h): the flags every file accepts;
 * MAP_SHARED drops the others silently, MAP_SHARED_VALIDATE rejects them
 * (EOPNOTSUPP: MAP_SYNC, MAP_FIXED_NOREPLACE, MAP_DROPPABLE's bit …).
 */
const LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED |
  MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT | MAP_ABOVE4G |
  (21 << MAP_HUGE_SHIFT) | (30 << MAP_HUGE_SHIFT); // MAP_HUGE_2MB | MAP_HUGE_1GB
/** file_mmap_size_max in pages: MAX_LFS_FILESIZE (2^63 - 1 bytes) for regular files, ULONG_MAX for others. */
const REGULAR_MAX_PAGES = 2 ** 51;
const OTHER_MAX_PAGES = 2 ** 52;

export class MmMap extends MmAccess {
  protected brkBase = 0;
  protected brkCur = 0;

  /** Sets the start of the heap (the ELF loader: end of the data segment, page aligned up); brk starts there. */
  setBrkStart(addr: number): void {
    this.brkBase = this.brkCur = alignUp(u64(addr));
  }

  get brkStart(): number { return this.brkBase; }
  get currentBrk(): number { return this.brkCur; }

  // --- mmap -------------------------------------------------------------------------------

  /**
   * mmap(2). `file` is the mapped file (see MappedFile), or a number (the fd,
   * ignored) when there is none: anonymous mappings, and EBADF for the
   * others (the syscall layer resolves open descriptors to files).
   */
  mmap(addr: number, length: number, prot: number, flags: number, file: MappedFile | number, offset: number): number {
    if (!pageAligned(offset)) return -Errno.EINVAL;
    const anon = (flags & MAP_ANONYMOUS) !== 0;
    // ksys_mmap_pgoff: fget(fd) first, then MAP_HUGETLB needs a hugetlbfs file.
    if (!anon) {
      if (typeof file === 'number') return -Errno.EBADF;
      if (flags & MAP_HUGETLB) return -Errno.EINVAL;
    }
    if (length === 0) return -Errno.EINVAL;
    if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
    const fixed = (flags & MAP_FIXED) !== 0;
    addr = u64(addr);
    if (!fixed) addr = this.roundHintToMin(addr);
    const len = alignUp(length);
    if (len === 0 || len > this.maxAddr) return -Errno.ENOMEM;
    if (this.vmas.count > this.maxMapCount) return -Errno.ENOMEM;
    const start = this.unmappedArea(addr, len, flags);
    if (start < 0) return start;
    if (flags & MAP_FIXED_NOREPLACE && this.vmas.overlaps(start, start + len)) return -Errno.EEXIST;
    let vmFlags = 0;
    if (flags & MAP_GROWSDOWN) vmFlags |= VmFlag.GrowsDown;
    if (flags & MAP_LOCKED) vmFlags |= VmFlag.Locked;
    if (flags & MAP_NORESERVE) vmFlags |= VmFlag.NoReserve;
    if (!anon) return this.mmapFile(start, len, prot, flags, vmFlags, file as MappedFile, u64(offset) / PAGE_SIZE);
    switch (flags & MAP_TYPE) {
      case MAP_SHARED:
        if (vmFlags & VmFlag.GrowsDown) return -Errno.EINVAL;
        vmFlags |= VmFlag.Shared;
        break;
      case MAP_DROPPABLE:
        if (vmFlags & (VmFlag.GrowsDown | VmFlag.Locked)) return -Errno.EINVAL;
        vmFlags |= VmFlag.Droppable | VmFlag.WipeOnFork;
        break;
      case MAP_PRIVATE:
        break;
      default:
        return -Errno.EINVAL; // neither, both (MAP_SHARED_VALIDATE is for files), or unknown type bits
    }
    // The sandbox has no huge page pool (a host with vm.nr_hugepages=0 answers the same).
    if (flags & MAP_HUGETLB) return -Errno.ENOMEM;
    const populate = (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE || (flags & MAP_LOCKED) !== 0;
    return this.mapAnonymous(start, len, prot & PROT_RWX, vmFlags, fixed, populate);
  }

  /**
   * do_mmap's file part, in Linux's order: EOVERFLOW past the largest file
   * offset; by mapping type, EOPNOTSUPP for flags MAP_SHARED_VALIDATE does not
   * know, EACCES for PROT_WRITE on a shared mapping of a file not open for
   * writing or an append-only file open for writing, EACCES for a file not
   * open for reading, EPERM for PROT_EXEC on a noexec mount, ENODEV for a file
   * that cannot be mapped, EINVAL for MAP_GROWSDOWN or another type, EPERM for
   * a shared writable mapping of a write-sealed memfd; then mmap_region. A shared mapping of a file not open for writing can never
   * become writable (no VM_MAYWRITE); /dev/zero gives anonymous memory.
   */
  protected mmapFile(start: number, len: number, prot: number, flags: number, vmFlags: number, file: MappedFile, pgoff: number): number {
    const pages = len / PAGE_SIZE;
    if (!(pgoff + pages < (file.regular ? REGULAR_MAX_PAGES : OTHER_MAX_PAGES))) return -Errno.EOVERFLOW;
    let maxProt = PROT_RWX;
    const type = flags & MAP_TYPE;
    if (type !== MAP_SHARED && type !== MAP_SHARED_VALIDATE && type !== MAP_PRIVATE) return -Errno.EINVAL;
    if (type !== MAP_PRIVATE) {
      // MAP_SHARED ignores unknown flags (flags &= LEGACY_MAP_MASK); MAP_SHARED_VALIDATE refuses them.
      if (type === MAP_SHARED_VALIDATE && (flags & ~LEGACY_MAP_MASK) !== 0) return -Errno.EOPNOTSUPP;
      if (prot & PROT_WRITE && !file.writable) return -Errno.EACCES;
      if (file.appendOnly && file.writable) return -Errno.EACCES;
      vmFlags |= VmFlag.Shared;
      if (!file.writable) maxProt &= ~PROT_WRITE;
    }
    if (!file.readable) return -Errno.EACCES;
    if (file.noexec) {
      if (prot & PROT_EXEC) return -Errno.EPERM;
      maxProt &= ~PROT_EXEC;
    }
    if (!file.mappable) return -Errno.ENODEV;
    if (vmFlags & VmFlag.GrowsDown) return -Errno.EINVAL;
    // memfd_check_seals_mmap: only VM_SHARED mappings (of a writable open file) are concerned.
    if (file.writeSealed && vmFlags & VmFlag.Shared && file.writable) {
      if (prot & PROT_WRITE) return -Errno.EPERM;
      maxProt &= ~PROT_WRITE;
    }
    const fixed = (flags & MAP_FIXED) !== 0;
    const populate = (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE || (flags & MAP_LOCKED) !== 0;
    prot &= PROT_RWX;
    if (file.zero) {
      // mmap_zero: shared is a fresh shared object ("/dev/zero (deleted)"), private is anonymous memory.
      return this.mapAnonymous(start, len, prot, vmFlags, fixed, populate, maxProt);
    }
    const shared = (vmFlags & VmFlag.Shared) !== 0;
    if (!this.mayExpand(len, vmFlags, prot, fixed ? start : 0, fixed ? start + len : 0)) return -Errno.ENOMEM;
    // accountable_mapping: private writable file memory is committed (it may all become copies).
    if (!shared && !(vmFlags & VmFlag.NoReserve) && prot & PROT_WRITE) {
      if (!this.commitOk(len)) return -Errno.ENOMEM;
      vmFlags |= VmFlag.Account;
    }
    const end = start + len;
    if (fixed) {
      if (this.vmas.splitsInside(start, end) && this.vmas.count >= this.maxMapCount) return -Errno.ENOMEM;
      this.unmapRange(start, end);
    }
    const obj = shared ? FileMemory.forFile(this.mf, file) : null;
    const v = new Vma(start, end, prot, maxProt, vmFlags, obj, pgoff, null, file);
    v.hold();
    const i = this.vmas.insert(v);
    this.vmas.mergeAround(i, i + 1);
    // Small writable private mappings (a library's data) are touched at once: read them in now.
    if (populate || (!shared && pages <= this.eagerPages && prot & PROT_WRITE && !(vmFlags & VmFlag.NoReserve))) {
      const m = this.vmas.find(start)!;
      this.prefault(m, start / PAGE_SIZE, end / PAGE_SIZE);
    }
    return start;
  }

  /** Linux round_hint_to_min: page-align a hint down and lift it to mmap_min_addr. */
  private roundHintToMin(addr: number): number {
    addr -= addr % PAGE_SIZE;
    return addr !== 0 && addr < this.mmapMinAddr ? this.mmapMinAddr : addr;
  }

  /**
   * get_unmapped_area: MAP_FIXED checks (ENOMEM past the top, EINVAL
   * unaligned, EPERM below mmap_min_addr); otherwise the hint if it fits below
   * the next VMA's guard gap, else the highest gap below mmapBase, else the
   * lowest above legacyBase (MAP_32BIT: the lowest in [1 GiB, 2 GiB)).
   */
  protected unmappedArea(addr: number, len: number, flags: number): number {
    if (len > this.maxAddr) return -Errno.ENOMEM;
    if (flags & MAP_FIXED) {
      if (addr > this.maxAddr - len) return -Errno.ENOMEM;
      if (addr % PAGE_SIZE !== 0) return -Errno.EINVAL;
      if (addr < this.mmapMinAddr) return -Errno.EPERM;
      return addr;
    }
    let r: number;
    if (flags & MAP_32BIT) {
      r = this.bottomUp(addr, len, 0x40000000, 0x80000000);
    } else {
      if (addr !== 0 && addr % PAGE_SIZE === 0 && addr <= this.maxAddr - len && this.vmas.hintFits(addr, len)) {
        r = addr;
      } else {
        r = this.vmas.gapTopDown(len, this.mmapMinAddr, this.mmapBase);
        if (r < 0) r = this.bottomUp(addr, len, this.legacyBase, this.maxAddr);
      }
    }
    if (r < 0) return -Errno.ENOMEM;
    return r < this.mmapMinAddr ? -Errno.EPERM : r;
  }

  private bottomUp(hint: number, len: number, low: number, high: number): number {
    if (hint !== 0) {
      const h = alignUp(hint);
      if (h !== 0 && h <= this.maxAddr - len && h <= high - len && this.vmas.hintFits(h, len)) return h;
    }
    return this.vmas.gapBottomUp(len, low, high);
  }

  /** mmap_region for anonymous memory. */
  protected mapAnonymous(start: number, len: number, prot: number, vmFlags: number, fixed: boolean, populate: boolean, maxProt = PROT_RWX): number {
    const shared = (vmFlags & VmFlag.Shared) !== 0;
    if (!this.mayExpand(len, vmFlags, prot, fixed ? start : 0, fixed ? start + len : 0)) return -Errno.ENOMEM;
    if (!(vmFlags & VmFlag.NoReserve) && (shared || prot & PROT_WRITE)) {
      if (!this.commitOk(len)) return -Errno.ENOMEM;
      vmFlags |= VmFlag.Account;
    }
    const end = start + len;
    if (fixed) {
      if (this.vmas.splitsInside(start, end) && this.vmas.count >= this.maxMapCount) return -Errno.ENOMEM;
      this.unmapRange(start, end);
    }
    let obj: SharedMemory | null = null;
    if (shared) {
      obj = new SharedMemory(this.mf, len / PAGE_SIZE);
      obj.incRef();
    }
    const v = new Vma(start, end, prot, maxProt, vmFlags, obj, shared ? 0 : start / PAGE_SIZE, null);
    const i = this.vmas.insert(v);
    this.vmas.mergeAround(i, i + 1);
    const pages = len / PAGE_SIZE;
    // Small writable mappings are nearly always touched at once: map them now rather than on a fault.
    if (populate || (pages <= this.eagerPages && prot & PROT_WRITE && !(vmFlags & VmFlag.NoReserve))) {
      const m = this.vmas.find(start)!;
      this.prefault(m, start / PAGE_SIZE, end / PAGE_SIZE);
    }
    return start;
  }

  // --- munmap -----------------------------------------------------------------------------

  /** munmap(2): EINVAL if addr is unaligned, the range leaves the address space or len is 0; unmapped parts are fine. */
  munmap(addr: number, length: number): number {
    if (!pageAligned(addr) || u64(addr) > this.maxAddr || u64(length) > this.maxAddr - u64(addr)) return -Errno.EINVAL;
    const len = alignUp(length);
    if (len === 0) return -Errno.EINVAL;
    return this.doMunmap(addr, addr + len);
  }

  /** do_vmi_munmap of page-aligned [start, end): EINVAL past the top, ENOMEM if it would split a VMA in three at the map count limit. */
  protected doMunmap(start: number, end: number): number {
    if (end > this.maxAddr) return -Errno.EINVAL;
    if (this.vmas.splitsInside(start, end) && this.vmas.count >= this.maxMapCount) return -Errno.ENOMEM;
    this.unmapRange(start, end);
    return 0;
  }

  // --- mprotect ---------------------------------------------------------------------------

  /**
   * mprotect(2). VMAs are changed in address order; a hole stops the walk with
   * ENOMEM, leaving the VMAs before it changed (as Linux). Lowered
   * protections are applied to the stub at once (see syncStubProt); raised
   * ones lazily, when the guest faults on a page mapped with less.
   */
  mprotect(addr: number, length: number, prot: number): number {
    if (!Number.isInteger(prot)) return -Errno.EINVAL;
    const grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return -Errno.EINVAL;
    if (!pageAligned(addr)) return -Errno.EINVAL;
    if (length === 0) return 0;
    addr = u64(addr);
    const len = alignUp(length);
    const end = addr + len;
    if (len === 0 || end >= TWO64) return -Errno.ENOMEM;
    // arch_validate_prot: only PROT_READ|WRITE|EXEC|SEM (a negative int has bit 31 set).
    if (prot < 0 || prot >= 4294967296 || ((prot & ~(PROT_GROWSDOWN | PROT_GROWSUP)) & ~(PROT_RWX | PROT_SEM)) !== 0) return -Errno.EINVAL;
    const newProt = prot & PROT_RWX;
    let start = addr;
    const l = this.vmas.list;
    let i = this.vmas.indexAfter(start);
    const first = l[i];
    if (first === undefined || first.start >= end) return -Errno.ENOMEM;
    if (grows & PROT_GROWSDOWN) {
      start = first.start;
      if (!(first.flags & VmFlag.GrowsDown)) return -Errno.EINVAL;
    } else {
      if (first.start > start) return -Errno.ENOMEM;
      if (grows & PROT_GROWSUP) return -Errno.EINVAL; // no grows-up VMAs on x86
    }
    const i0 = i;
    let tmp = first.start;
    let err = 0;
    let lowered = false;
    let changed = false;
    while (i < l.length && l[i].start < end) {
      let v = l[i];
      if (v.start !== tmp) {
        err = -Errno.ENOMEM;
        break;
      }
      if (newProt & ~v.maxProt) {
        err = -Errno.EACCES;
        break;
      }
      const vend = v.end;
      let flags = v.flags;
      if (newProt & PROT_WRITE && !(flags & (VmFlag.Account | VmFlag.NoReserve | VmFlag.Shared))) {
        // A private mapping becoming writable is charged now (Linux mprotect_fixup).
        if (!this.commitOk(Math.min(end, vend) - Math.max(start, v.start))) {
          err = -Errno.ENOMEM;
          break;
        }
        flags |= VmFlag.Account;
      }
      if (v.prot !== newProt || flags !== v.flags) {
        if (v.start < start) {
          if (this.vmas.count >= this.maxMapCount) {
            err = -Errno.ENOMEM;
            break;
          }
          i = this.vmas.split(start);
          v = l[i];
        }
        if (v.end > end) {
          if (this.vmas.count >= this.maxMapCount) {
            err = -Errno.ENOMEM;
            break;
          }
          this.vmas.split(end);
        }
        if (v.prot & ~newProt) lowered = true;
        // A special range is the host's: the stub's host kernel applies the change (a write copies the page there).
        if (v.flags & VmFlag.Special) this.as.protect(v.start, v.end - v.start, newProt);
        v.prot = newProt;
        v.flags = flags;
        this.vmas.gen++;
        changed = true;
      }
      tmp = vend;
      i++;
    }
    if (err === 0 && tmp < end) err = -Errno.ENOMEM;
    if (changed) this.vmas.mergeAround(i0, i);
    if (lowered) this.syncStubProt(start / PAGE_SIZE, Math.min(tmp, end) / PAGE_SIZE);
    return err;
  }

  // --- brk --------------------------------------------------------------------------------

  /**
   * brk(2): moves the break to addr and returns the new break; on failure (or
   * for addr below the heap start, such as 0) returns the current break.
   * Growth needs room up to one page below the next mapping's guard gap;
   * shrinking unmaps (and frees) the pages above the new break.
   */
  brk(addr: number): number {
    addr = u64(addr);
    const orig = this.brkCur;
    if (this.brkBase === 0 || addr < this.brkBase || addr > this.maxAddr) return orig;
    const newbrk = alignUp(addr);
    const oldbrk = alignUp(this.brkCur);
    if (newbrk === oldbrk) {
      this.brkCur = addr;
      return addr;
    }
    if (addr <= this.brkCur) {
      if (!this.vmas.overlaps(newbrk, oldbrk)) return orig;
      this.brkCur = addr;
      this.unmapRange(newbrk, oldbrk);
      return addr;
    }
    if (this.vmas.count > this.maxMapCount) return orig;
    const next = this.vmas.list[this.vmas.indexAfter(oldbrk)];
    if (next !== undefined && newbrk + PAGE_SIZE > this.vmas.startGap(next)) return orig;
    if (newbrk + PAGE_SIZE > this.maxAddr) return orig;
    if (!this.commitOk(newbrk - oldbrk)) return orig;
    // check_data_rlimit and may_expand_vm: the heap counts against RLIMIT_DATA and RLIMIT_AS.
    if (addr - this.brkBase > this.rlimit('data')) return orig;
    if (!this.mayExpand(newbrk - oldbrk, 0, PROT_READ | PROT_WRITE)) return orig;
    // do_brk_flags: extend the heap VMA ending at the old break, else start a new one (not merged).
    const flags = VmFlag.Account;
    const prev = this.vmas.find(oldbrk - 1);
    if (prev !== undefined && prev.end === oldbrk && prev.end > this.brkBase && prev.obj === null && prev.flags === flags &&
        prev.prot === (PROT_READ | PROT_WRITE) && prev.name === null) {
      prev.end = newbrk;
      this.vmas.gen++;
    } else {
      this.vmas.insert(new Vma(oldbrk, newbrk, PROT_READ | PROT_WRITE, PROT_RWX, flags, null, oldbrk / PAGE_SIZE, null));
    }
    this.brkCur = addr;
    return addr;
  }

  // --- mremap -----------------------------------------------------------------------------

  /**
   * mremap(2): shrinking unmaps the tail; growing extends in place when the
   * range ends its VMA and the space above is free, else moves (MREMAP_MAYMOVE)
   * keeping the contents; MREMAP_FIXED moves to newAddr (unmapping what is
   * there); MREMAP_DONTUNMAP moves the pages and leaves the old range mapped
   * but empty. old_size 0 duplicates a shared mapping.
   */
  mremap(oldAddr: number, oldSize: number, newSize: number, flags: number, newAddr: number): number {
    if (!(Number.isInteger(flags) && flags >= 0 && flags < 4294967296) || flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return -Errno.EINVAL;
    if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) return -Errno.EINVAL;
    if (flags & MREMAP_DONTUNMAP && (!(flags & MREMAP_MAYMOVE) || oldSize !== newSize)) return -Errno.EINVAL;
    if (!pageAligned(oldAddr)) return -Errno.EINVAL;
    oldAddr = u64(oldAddr);
    let oldLen = alignUp(oldSize);
    const newLen = alignUp(newSize);
    if (newLen === 0 || newLen > this.maxAddr) return -Errno.EINVAL;
    let v = this.vmaAt(oldAddr);
    if (v === undefined) return -Errno.EFAULT;
    // A special mapping never grows (VM_DONTEXPAND: EFAULT); moving the host's vDSO is not supported (Linux allows it; docs/vdso.md).
    if (v.flags & VmFlag.Special && (newLen > oldLen || flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))) return newLen > oldLen ? -Errno.EFAULT : -Errno.EINVAL;
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
      // mremap_to
      if (!pageAligned(newAddr) || u64(newAddr) > this.maxAddr - newLen) return -Errno.EINVAL;
      newAddr = u64(newAddr);
      if (oldAddr + oldLen > newAddr && newAddr + newLen > oldAddr) return -Errno.EINVAL;
      if (this.vmas.count + 2 >= this.maxMapCount - 3) return -Errno.ENOMEM;
      if (flags & MREMAP_FIXED) {
        const r = this.doMunmap(newAddr, newAddr + newLen);
        if (r < 0) return r;
      }
      if (oldLen > newLen) {
        const r = this.doMunmap(oldAddr + newLen, oldAddr + oldLen);
        if (r < 0) return r;
        oldLen = newLen;
      }
      v = this.vmas.find(oldAddr);
      if (v === undefined) return -Errno.EFAULT;
      const e = this.checkResize(v, oldAddr, oldLen);
      if (e < 0) return e;
      const dest = this.unmappedArea(newAddr, newLen, (flags & MREMAP_FIXED ? MAP_FIXED : 0) | (v.flags & VmFlag.Shared ? MAP_SHARED : 0));
      if (dest < 0) return dest;
      return this.moveVma(v, oldAddr, oldLen, newLen, dest, flags);
    }
    if (oldLen >= newLen) {
      if (oldLen === newLen) return oldAddr;
      const r = this.doMunmap(oldAddr + newLen, oldAddr + oldLen);
      return r < 0 ? r : oldAddr;
    }
    const e = this.checkResize(v, oldAddr, oldLen);
    if (e < 0) return e;
    if (oldLen === v.end - oldAddr) {
      const delta = newLen - oldLen;
      const newEnd = v.end + delta;
      if (newEnd <= this.maxAddr && !this.vmas.overlaps(v.end, newEnd)) {
        if (!this.mayExpand(delta, v.flags, v.prot)) return -Errno.ENOMEM;
        if (v.flags & VmFlag.Account && !this.commitOk(delta)) return -Errno.ENOMEM;
        v.end = newEnd;
        this.vmas.gen++;
        const i = this.vmas.indexAfter(v.start);
        this.vmas.mergeAround(i + 1, i + 1);
        return oldAddr;
      }
    }
    if (!(flags & MREMAP_MAYMOVE)) return -Errno.ENOMEM;
    const dest = this.unmappedArea(0, newLen, v.flags & VmFlag.Shared ? MAP_SHARED : 0);
    if (dest < 0) return dest;
    return this.moveVma(v, oldAddr, oldLen, newLen, dest, flags);
  }

  /** vma_to_resize's checks. */
  private checkResize(v: Vma, oldAddr: number, oldLen: number): number {
    if (oldLen === 0 && !(v.flags & VmFlag.Shared)) return -Errno.EINVAL; // only shared mappings can be duplicated
    if (oldLen > v.end - oldAddr) return -Errno.EFAULT; // the range must lie in one VMA
    return 0;
  }

  /** move_vma: a new VMA at newAddr takes over the pages of [oldAddr, oldAddr+oldLen). */
  private moveVma(v: Vma, oldAddr: number, oldLen: number, newLen: number, newAddr: number, flags: number): number {
    if (this.vmas.count >= this.maxMapCount - 3) return -Errno.ENOMEM;
    if (newLen > oldLen && !this.mayExpand(flags & MREMAP_DONTUNMAP ? newLen : newLen - oldLen, v.flags, v.prot)) return -Errno.ENOMEM;
    if (v.flags & VmFlag.Account) {
      const charge = flags & MREMAP_DONTUNMAP ? newLen : Math.max(0, newLen - oldLen);
      if (!this.commitOk(charge)) return -Errno.ENOMEM;
    }
    const nv = new Vma(newAddr, newAddr + newLen, v.prot, v.maxProt, v.flags, v.obj, v.pgoff + (oldAddr - v.start) / PAGE_SIZE, v.name, v.file);
    nv.hold();
    this.vmas.insert(nv);
    this.movePages(oldAddr / PAGE_SIZE, (oldAddr + oldLen) / PAGE_SIZE, newAddr / PAGE_SIZE);
    if (flags & MREMAP_DONTUNMAP) {
      if (v.flags & VmFlag.Locked) {
        v.flags &= ~VmFlag.Locked;
        this.vmas.gen++;
      }
    } else if (oldLen > 0) {
      this.unmapRange(oldAddr, oldAddr + oldLen);
    }
    const i = this.vmas.indexAfter(newAddr);
    this.vmas.mergeAround(i, i + 1);
    const m = this.vmas.find(newAddr)!;
    this.remapMoved(m, newAddr / PAGE_SIZE, (newAddr + Math.min(oldLen, newLen)) / PAGE_SIZE);
    return newAddr;
  }
}
