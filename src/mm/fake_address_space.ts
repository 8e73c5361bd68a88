// An AddressSpace that only records what is mapped where (per page), for tests
// of the memory manager and of kernel code that runs without a stub. It can
// also play the CPU: guestRead/guestWrite access memory through the recorded
// mappings and call the fault handler on a miss, as the platform would.
import { Errno } from '../abi/linux/errno.js';
import { PROT_WRITE, SEGV_ACCERR, SEGV_MAPERR } from '../abi/linux/mman.js';
import type { MemoryFile } from '../memory/memory_file.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import type { AddressSpace } from '../platform/platform.js';
import type { SharedMemory } from './shared_memory.js';
import type { VmaSet } from './vma.js';

export interface FakeMapping {
  /** MemoryFile offset of the page. */
  off: number;
  prot: number;
}

/** The interface of MemoryManager.handleFault. */
export interface FaultHandler {
  handleFault(addr: number, siCode: number): number;
}

export class FakeAddressSpace implements AddressSpace {
  /** Page number -> mapping. */
  readonly pages = new Map<number, FakeMapping>();
  calls = { map: 0, unmap: 0, protect: 0, batch: 0 };
  destroyed = false;
  killed = false;
  readonly hostPid = -1;

  constructor(readonly maxAddress = 0x7fffffeff000) {}

  private check(addr: number, length: number): boolean {
    return addr % PAGE_SIZE === 0 && length % PAGE_SIZE === 0 && length > 0 && addr >= 0 && addr + length <= this.maxAddress;
  }

  map(addr: number, length: number, prot: number, fileOffset: number): number {
    this.calls.map++;
    if (!this.check(addr, length) || fileOffset % PAGE_SIZE !== 0 || !(fileOffset >= 0)) return -Errno.EINVAL;
    for (let i = 0; i < length / PAGE_SIZE; i++) this.pages.set(addr / PAGE_SIZE + i, { off: fileOffset + i * PAGE_SIZE, prot });
    return 0;
  }

  mapBatch(ops: Float64Array, n: number): number {
    this.calls.batch++;
    const map = this.calls.map;
    let done = 0;
    for (; done < n; done++) {
      const r = this.map(ops[4 * done], ops[4 * done + 1], ops[4 * done + 2], ops[4 * done + 3]);
      if (r < 0) {
        this.calls.map = map;
        return done > 0 ? done : r;
      }
    }
    this.calls.map = map; // one call
    return done;
  }

  unmap(addr: number, length: number): number {
    this.calls.unmap++;
    if (!this.check(addr, length)) return -Errno.EINVAL;
    const first = addr / PAGE_SIZE;
    const n = length / PAGE_SIZE;
    if (n > this.pages.size) {
      for (const pn of [...this.pages.keys()]) if (pn >= first && pn < first + n) this.pages.delete(pn);
    } else {
      for (let i = 0; i < n; i++) this.pages.delete(first + i);
    }
    return 0;
  }

  /** Like the host's mprotect: ENOMEM if part of the range is not mapped (pages before the hole are changed). */
  protect(addr: number, length: number, prot: number): number {
    this.calls.protect++;
    if (!this.check(addr, length)) return -Errno.EINVAL;
    for (let i = 0; i < length / PAGE_SIZE; i++) {
      const m = this.pages.get(addr / PAGE_SIZE + i);
      if (!m) return -Errno.ENOMEM;
      m.prot = prot;
    }
    return 0;
  }

  kill(): void {
    this.killed = true;
  }

  destroy(): void {
    this.destroyed = true;
    this.pages.clear();
  }

  get totalCalls(): number { return this.calls.map + this.calls.unmap + this.calls.protect + this.calls.batch; }

  /**
   * Plays one guest access of a byte, x86 rules (any protection allows a read,
   * PROT_WRITE is needed for a write): on a miss, asks the fault handler and
   * retries. Returns the byte read (or 0 for a write), or -(si_code) if the guest
   * would get SIGSEGV/SIGBUS (the handler's answer, negated), or -1000 if the
   * handler keeps resolving without the access ever succeeding.
   */
  access(mf: MemoryFile, mm: FaultHandler, addr: number, write: boolean, value = 0): number {
    for (let tries = 0; tries < 8; tries++) {
      const m = this.pages.get(Math.floor(addr / PAGE_SIZE));
      if (m && m.prot !== 0 && (!write || m.prot & PROT_WRITE)) {
        const b = mf.bytes(m.off + (addr % PAGE_SIZE), 1);
        if (!b) return -1001;
        if (write) {
          b[0] = value;
          return 0;
        }
        return b[0];
      }
      const r = mm.handleFault(addr, m ? SEGV_ACCERR : SEGV_MAPERR);
      if (r !== 0) return -Math.abs(r);
    }
    return -1000;
  }
}

/** What verifyAddressSpace needs from a MemoryManager. */
interface Inspectable {
  readonly vmas: VmaSet;
  readonly maxAddress: number;
  backingOf(addr: number): number;
  stubProtOf(addr: number): number;
  forEachPage(fn: (addr: number, fileOffset: number, stubProt: number, owned: boolean, cow: boolean) => void): void;
}

/** A memory manager and its fake stub, for checks over several managers sharing a MemoryFile (after fork). */
export interface ManagedSpace {
  readonly mm: Inspectable;
  readonly as: FakeAddressSpace;
}

/**
 * Checks a memory manager against the fake stub and the MemoryFile: VMAs
 * sorted, page aligned and disjoint; every stub page inside a VMA, with no
 * more protection than it, pointing at the page's backing; every page-table
 * entry inside a VMA and agreeing with the stub; copy-on-write pages never
 * mapped writable. With `group` (every live manager on mf, this one
 * included or added), the checks cover them all, and: each private page's
 * owners are counted right by the MemoryFile (and marked copy-on-write when
 * more than one); MemoryFile usage equals the distinct private pages plus the
 * shared objects' pages; object reference counts equal the VMAs using them.
 * Returns the problems found (empty if none).
 */
export function verifyAddressSpace(mm: Inspectable, as: FakeAddressSpace, mf: MemoryFile, group?: readonly ManagedSpace[]): string[] {
  const all: ManagedSpace[] = group ? [...group] : [];
  if (!all.some((g) => g.mm === mm)) all.push({ mm, as });
  const errs: string[] = [];
  const hex = (n: number): string => '0x' + n.toString(16);
  const objs = new Map<SharedMemory, number>();
  const owners = new Map<number, number>();
  for (const { mm: m, as: stub } of all) {
    const l = m.vmas.list;
    for (let i = 0; i < l.length; i++) {
      const v = l[i];
      if (v.start % PAGE_SIZE || v.end % PAGE_SIZE || v.start >= v.end || v.end > m.maxAddress) errs.push(`bad VMA ${hex(v.start)}-${hex(v.end)}`);
      if (i > 0 && l[i - 1].end > v.start) errs.push(`VMAs overlap or are unsorted at ${hex(v.start)}`);
      if (v.obj) objs.set(v.obj, (objs.get(v.obj) ?? 0) + 1);
    }
    for (const [pn, pm] of stub.pages) {
      const addr = pn * PAGE_SIZE;
      const v = m.vmas.find(addr);
      if (!v) { errs.push(`stub maps ${hex(addr)} outside every VMA`); continue; }
      if (pm.prot & ~v.prot) errs.push(`stub maps ${hex(addr)} with prot ${pm.prot} beyond the VMA's ${v.prot}`);
      if (m.stubProtOf(addr) !== pm.prot) errs.push(`page table says ${hex(addr)} is mapped with ${m.stubProtOf(addr)}, stub has ${pm.prot}`);
      if (m.backingOf(addr) !== pm.off) errs.push(`stub maps ${hex(addr)} to ${hex(pm.off)}, backing is ${hex(m.backingOf(addr))}`);
    }
    m.forEachPage((addr, off, stubProt, isOwned, cow) => {
      const v = m.vmas.find(addr);
      if (!v) { errs.push(`page-table entry ${hex(addr)} outside every VMA`); return; }
      if (isOwned) {
        owners.set(off, (owners.get(off) ?? 0) + 1);
        if (v.obj) errs.push(`private page ${hex(addr)} in a shared VMA`);
        if (cow && stubProt >= 0 && stubProt & PROT_WRITE) errs.push(`copy-on-write page ${hex(addr)} mapped writable`);
        if (!cow && mf.extraOwners(off) > 0) errs.push(`page ${hex(addr)} (${hex(off)}) has other owners but is not copy-on-write`);
      } else if (!v.obj || v.obj.filePage(v.pgoff + (addr - v.start) / PAGE_SIZE) * PAGE_SIZE !== off) {
        errs.push(`stale shared translation at ${hex(addr)}`);
      }
      const pm = stub.pages.get(addr / PAGE_SIZE);
      if (stubProt >= 0 && (!pm || pm.prot !== stubProt || pm.off !== off)) errs.push(`page table says ${hex(addr)} is mapped, stub disagrees`);
    });
  }
  for (const [off, n] of owners) {
    if (n !== 1 + mf.extraOwners(off)) errs.push(`MemoryFile page ${hex(off)} has ${n} owners, counted ${1 + mf.extraOwners(off)}`);
  }
  let shared = 0;
  for (const [o, n] of objs) {
    shared += o.residentPages;
    if (o.refCount !== n) errs.push(`object ${o.ino} has ${o.refCount} references for ${n} VMAs`);
  }
  if (mf.usedBytes !== (owners.size + shared) * PAGE_SIZE) {
    errs.push(`MemoryFile uses ${mf.usedBytes} bytes, pages account for ${(owners.size + shared) * PAGE_SIZE}`);
  }
  return errs;
}

/**
 * Wraps a memory manager so that every method call is followed by
 * verifyAddressSpace (over `group` if given: a list the test keeps up to
 * date with every live manager); a problem throws (naming the call). For
 * tests.
 */
export function verifiedManager<T extends Inspectable & object>(mm: T, as: FakeAddressSpace, mf: MemoryFile, group?: readonly ManagedSpace[]): T {
  return new Proxy(mm, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      const fn = v as (...args: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const r = fn.apply(target, args);
        const errs = verifyAddressSpace(target, as, mf, group);
        if (errs.length > 0) throw new Error(`after ${String(prop)}(${args.map(String).join(', ')}): ${errs.join('; ')}`);
        return r;
      };
    },
  });
}
