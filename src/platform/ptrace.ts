// The ptrace platform (DESIGN.md: Platforms): a stub process per address space
// (a fork of a template stub), a native tracer thread per guest thread,
// PTRACE_SYSEMU so that no guest syscall ever runs on the host. The mechanism
// is native/ptrace_platform.c; the design, docs/platform-ptrace.md.
import { Errno } from '../abi/linux/errno.js';
import { native, type NativeAddon } from './native.js';
import { FP_STATE_BYTES, Prot, REGS_WORDS, type AddressSpace, type Context, type Platform, type SpecialMapping } from './platform.js';

const SYS_mmap = 9;
const SYS_mprotect = 10;
const SYS_munmap = 11;
const MAP_SHARED = 0x01;
const MAP_FIXED = 0x10;
/** The MemoryFile's descriptor number inside the stub (native/platform.h). */
const STUB_MEMFD = 3;

/**
 * A template stub: a fork of the sentry reduced to the stub page and the
 * MemoryFile, made once; every address space's stub is a fork of it (cheap,
 * whatever the sentry's size). It never runs guest code and is never handed
 * out. Its stubs die with it, so it is destroyed only once retired (closed
 * platform, dead template, or memfd naming another file) and unused.
 */
interface Template {
  readonly handle: number;
  readonly memfd: number;
  /** Address spaces forked from it and not yet destroyed. */
  live: number;
  retired: boolean;
  /** Its pool of spare stubs (native), -1 before it is started, -2 if it could not be. */
  spares: number;
}

/** Spare stubs kept ready per template (each holds a host process and two native threads). */
export const SPARE_STUBS = 2;

/** A spare stub's first thread, until newContext takes it. */
interface SpareThread {
  readonly handle: number;
  readonly tid: number;
  readonly regs: ArrayBuffer;
  readonly fp: ArrayBuffer;
}

const VDSO_NAMES = ['[vvar]', '[vvar_vclock]', '[vdso]'];
let vdsoCache: readonly SpecialMapping[] | undefined;

/**
 * The host's vDSO ranges the template keeps in every stub (docs/vdso.md),
 * those below the stub page: [vvar] and [vvar_vclock] read-only (never
 * writable: no VM_MAYWRITE), [vdso] read and execute (VM_MAY* all, as Linux).
 */
function vdsoMappings(n: NativeAddon, stubPage: number): readonly SpecialMapping[] {
  if (vdsoCache !== undefined) return vdsoCache;
  const out = new Float64Array(12);
  const count = n.stubVdso(out);
  const list: SpecialMapping[] = [];
  for (let i = 0; i < count; i++) {
    const start = out[3 * i];
    const end = out[3 * i + 1];
    const kind = out[3 * i + 2];
    if (end > stubPage || kind < 0 || kind > 2) return (vdsoCache = []);
    const code = kind === 2;
    list.push({
      start, end, name: VDSO_NAMES[kind],
      prot: code ? Prot.Read | Prot.Exec : Prot.Read,
      maxProt: code ? Prot.Read | Prot.Write | Prot.Exec : Prot.Read,
    });
  }
  return (vdsoCache = list);
}

class PtraceAddressSpace implements AddressSpace {
  readonly maxAddress: number;
  readonly special: readonly SpecialMapping[];
  private alive = true;
  /** A spare stub's thread, not taken yet: the first newContext gets it. */
  spare: SpareThread | null = null;
  constructor(
    private readonly n: NativeAddon,
    readonly handle: number,
    readonly hostPid: number,
    stubPage: number,
    private readonly onDestroy: () => void,
  ) {
    this.maxAddress = stubPage;
    this.special = vdsoMappings(n, stubPage);
  }
  map(addr: number, length: number, prot: number, fileOffset: number): number {
    const r = this.n.stubSyscall(this.handle, SYS_mmap, addr, length, prot, MAP_SHARED | MAP_FIXED, STUB_MEMFD, fileOffset);
    return r < 0 ? r : 0;
  }
  mapBatch(ops: Float64Array, n: number): number {
    return this.n.stubMapBatch(this.handle, ops, n);
  }
  unmap(addr: number, length: number): number {
    return this.n.stubSyscall(this.handle, SYS_munmap, addr, length, 0, 0, 0, 0);
  }
  protect(addr: number, length: number, prot: number): number {
    return this.n.stubSyscall(this.handle, SYS_mprotect, addr, length, prot, 0, 0, 0);
  }
  kill(): void {
    if (this.alive) this.n.stubKill(this.handle);
  }
  destroy(): void {
    if (!this.alive) return;
    this.alive = false;
    if (this.spare !== null) this.n.threadRelease(this.spare.handle);
    this.spare = null;
    this.n.stubDestroy(this.handle);
    this.onDestroy();
  }
}

class PtraceContext implements Context {
  readonly regs32: Uint32Array;
  readonly regs64: BigUint64Array;
  readonly fpState: Uint8Array;
  constructor(private readonly n: NativeAddon, readonly handle: number, readonly hostTid: number, regs: ArrayBuffer, fp: ArrayBuffer) {
    this.regs32 = new Uint32Array(regs);
    this.regs64 = new BigUint64Array(regs);
    this.fpState = new Uint8Array(fp);
  }
  resume(): void { this.n.threadResume(this.handle); }
  exit(): void { this.n.threadExit(this.handle); }
  interrupt(): void { this.n.threadInterrupt(this.handle); }
  fetchFpState(): number { return this.n.threadFp(this.handle, 0); }
  storeFpState(): number { return this.n.threadFp(this.handle, 1); }
  release(): void {
    this.n.threadRelease(this.handle);
    this.onRelease(this);
  }
  onRelease: (ctx: PtraceContext) => void = () => {};
}

export class PtracePlatform implements Platform {
  readonly name = 'ptrace';
  private readonly n = native();
  private readonly contexts: (PtraceContext | undefined)[] = [];
  private readonly out = new Int32Array(4);
  private watching = false;
  /** Templates by MemoryFile descriptor. */
  private readonly templates = new Map<number, Template>();

  newAddressSpace(memfd: number): AddressSpace | number {
    const page = this.n.stubPage();
    if (page < 0) return page;
    for (let attempt = 0; ; attempt++) {
      let tp = this.templates.get(memfd);
      if (!tp) {
        const r = this.n.stubTemplate(memfd, this.out);
        if (r < 0) return r;
        tp = { handle: this.out[0], memfd, live: 0, retired: false, spares: -1 };
        this.templates.set(memfd, tp);
      }
      const spare = this.takeSpare(tp, page);
      if (spare !== null) return spare;
      const r = this.n.stubCreate(tp.handle, memfd, this.out);
      if ((r === -Errno.ESRCH || r === -Errno.ESTALE) && attempt === 0) {
        // The template died (killed from outside), or memfd is now another file.
        this.retire(tp);
        continue;
      }
      if (r < 0) return r;
      const t = tp;
      t.live++;
      return new PtraceAddressSpace(this.n, this.out[0], this.out[1], page, () => {
        if (--t.live === 0 && t.retired) this.n.stubDestroy(t.handle);
      });
    }
  }

  /**
   * A spare stub of tp with its first thread, or null if none is ready. The
   * pool starts with the second address space (the first fork or execve: a
   * sandbox running one program never pays for spares).
   */
  private takeSpare(tp: Template, page: number): PtraceAddressSpace | null {
    if (tp.spares === -1) {
      if (tp.live === 0) return null;
      const id = this.n.sparesStart(tp.handle, tp.memfd, SPARE_STUBS);
      tp.spares = id >= 0 ? id : -2;
      return null; // (the first spare is on its way)
    }
    if (tp.spares < 0) return null;
    const regs = new ArrayBuffer(REGS_WORDS * 8);
    const fp = new ArrayBuffer(FP_STATE_BYTES);
    if (this.n.sparesTake(tp.spares, regs, fp, this.out) !== 0) return null;
    const t = tp;
    t.live++;
    const as = new PtraceAddressSpace(this.n, this.out[0], this.out[1], page, () => {
      if (--t.live === 0 && t.retired) this.n.stubDestroy(t.handle);
    });
    as.spare = { handle: this.out[2], tid: this.out[3], regs, fp };
    return as;
  }

  private retire(tp: Template): void {
    if (tp.retired) return;
    tp.retired = true;
    if (tp.spares >= 0) this.n.sparesStop(tp.spares);
    tp.spares = -2;
    if (this.templates.get(tp.memfd) === tp) this.templates.delete(tp.memfd);
    if (tp.live === 0) this.n.stubDestroy(tp.handle);
  }

  newContext(as: AddressSpace): Context | number {
    const pas = as as PtraceAddressSpace;
    const spare = pas.spare;
    if (spare !== null) {
      pas.spare = null;
      return this.register(new PtraceContext(this.n, spare.handle, spare.tid, spare.regs, spare.fp));
    }
    const regs = new ArrayBuffer(REGS_WORDS * 8);
    const fp = new ArrayBuffer(FP_STATE_BYTES);
    const r = this.n.threadCreate((as as PtraceAddressSpace).handle, regs, fp, this.out);
    if (r < 0) return r;
    return this.register(new PtraceContext(this.n, this.out[0], this.out[1], regs, fp));
  }

  private register(ctx: PtraceContext): PtraceContext {
    this.contexts[ctx.handle] = ctx;
    ctx.onRelease = (c) => {
      if (this.contexts[c.handle] === c) this.contexts[c.handle] = undefined;
    };
    return ctx;
  }

  takeStopped(): Context | undefined {
    const h = this.n.takeEvent();
    return h < 0 ? undefined : this.contexts[h];
  }

  resumeAndWait(ctx: Context, timeoutMs: number): Context | undefined {
    const h = this.n.resumeAndWait((ctx as PtraceContext).handle, timeoutMs);
    return h < 0 ? undefined : this.contexts[h];
  }

  waitStopped(timeoutMs: number): boolean {
    return this.n.waitEvent(timeoutMs) === 1;
  }

  onReady(fn: () => void): void {
    if (this.watching) this.n.unwatchEvents();
    this.n.watchEvents(fn);
    this.watching = true;
  }

  close(): void {
    if (this.watching) this.n.unwatchEvents();
    this.watching = false;
    for (const tp of [...this.templates.values()]) this.retire(tp);
  }
}
