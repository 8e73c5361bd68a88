// The platform runs guest code and reports why it stopped. One interface, one
// implementation per mechanism (ptrace now, systrap later). DESIGN.md: Platforms.

/** Why a guest thread stopped. */
export const enum StopKind {
  Syscall = 1,
  /** A host signal stopped the thread: a fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) or another signal. */
  Signal = 2,
  /** The thread is gone (the stub was killed, or the thread exited). */
  Exit = 3,
}

/** Protection bits as mmap(2) takes them. */
export const enum Prot {
  None = 0,
  Read = 1,
  Write = 2,
  Exec = 4,
}

/** A host mapping present in every stub at the same address ([vvar], [vvar_vclock], [vdso]). */
export interface SpecialMapping {
  readonly start: number;
  readonly end: number;
  /** Its name in /proc/PID/maps. */
  readonly name: string;
  /** Its protection, and the most mprotect may grant (VM_MAY*). */
  readonly prot: number;
  readonly maxProt: number;
}

/**
 * A guest address space: ranges of the MemoryFile mapped at guest addresses.
 * Every operation is synchronous and returns 0 or a negative errno.
 */
export interface AddressSpace {
  /** Maps [fileOffset, fileOffset+length) of the MemoryFile at addr (MAP_SHARED|MAP_FIXED). */
  map(addr: number, length: number, prot: number, fileOffset: number): number;
  unmap(addr: number, length: number): number;
  protect(addr: number, length: number, prot: number): number;
  /**
   * Optional: n map() calls in one operation, ops holding (addr, length,
   * prot, fileOffset) for each, done in order. Returns how many were done
   * (it stops at the first failure), or a negative errno if the first failed.
   */
  mapBatch?(ops: Float64Array, n: number): number;
  /** Host pid of the stub process (for host CPU clocks and logs). */
  readonly hostPid: number;
  /** Highest address (exclusive) a guest mapping may use. */
  readonly maxAddress: number;
  /**
   * Host mappings every new address space starts with (the host's vDSO, see
   * docs/vdso.md), below maxAddress, sorted; absent or empty if none.
   */
  readonly special?: readonly SpecialMapping[];
  /** Kills every thread of this address space at once (SIGKILL to the stub); returns without waiting. */
  kill(): void;
  /** Frees the address space; call once every context in it has reported Exit. */
  destroy(): void;
}

/**
 * Register file of one guest thread, shared with the native side. Word indices
 * follow struct user_regs_struct; the event words follow it.
 */
export const enum Reg {
  R15 = 0, R14, R13, R12, RBP, RBX, R11, R10, R9, R8, RAX, RCX, RDX, RSI, RDI, ORIG_RAX,
  RIP, CS, EFLAGS, RSP, SS, FS_BASE, GS_BASE, DS, ES, FS, GS,
  EV_KIND = 27, EV_INFO0 = 28, EV_INFO1 = 29, EV_INFO2 = 30,
}
export const REGS_WORDS = 32;
export const FP_STATE_BYTES = 4096;

/** A guest thread's execution context: registers plus how to run it. */
export interface Context {
  /** 64-bit register words, little-endian: two uint32 per register (lo at 2*i, hi at 2*i+1). */
  readonly regs32: Uint32Array;
  readonly regs64: BigUint64Array;
  /** FP/SSE/AVX state (XSAVE layout) after fetchFpState(). */
  readonly fpState: Uint8Array;
  /** Host thread id of the stub thread (for logs). */
  readonly hostTid: number;
  /** Resumes the thread (after setting registers); its next stop is reported through the platform's event wait. */
  resume(): void;
  /** Makes the stub thread exit; an Exit stop follows. */
  exit(): void;
  /** Makes a running thread stop soon (a Signal stop with SIGSTOP follows); no effect on a stopped one beyond that stop. */
  interrupt(): void;
  /** Reads the FP state into fpState; returns its size or a negative errno. */
  fetchFpState(): number;
  /** Writes fpState back; returns 0 or a negative errno. */
  storeFpState(): number;
  /** Frees the native side once the Exit stop was seen. */
  release(): void;
}

export interface Platform {
  readonly name: string;
  /** Makes an empty address space backed by the MemoryFile with the given fd. */
  newAddressSpace(memfd: number): AddressSpace | number;
  /** Makes a thread in the address space, stopped; its first stop comes after resume(). */
  newContext(as: AddressSpace): Context | number;
  /**
   * Returns the context that stopped, or undefined if none is ready. The
   * platform sets the callback with onReady() so the kernel is woken when idle.
   */
  takeStopped(): Context | undefined;
  /**
   * Resumes ctx and returns the next stopped context, waiting at most
   * timeoutMs (returns early when Node has I/O): the common syscall path in
   * one crossing into the addon.
   */
  resumeAndWait(ctx: Context, timeoutMs: number): Context | undefined;
  /** Blocks at most timeoutMs for a stop; true if one is ready. Returns early when Node has I/O. */
  waitStopped(timeoutMs: number): boolean;
  /** Calls fn from Node's event loop whenever a stop may be ready while the kernel is idle. */
  onReady(fn: () => void): void;
  /** Stops calling the onReady callback (so the process can exit). */
  close(): void;
}
