// prctl(2) (kernel/sys.c, and cap_task_prctl in security/commoncap.c). The
// attributes it sets beyond Task's fields live in src/kernel/task_attrs.ts.
import { Capability, SECURE_ALL_BITS, SECURE_ALL_LOCKS, Securebit } from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import {
  MceKill,
  PR_SET_VMA_ANON_NAME,
  PR_TIMING_STATISTICAL,
  PrCapAmbient,
  PrSetMm,
  PrTsc,
  Prctl,
  TASK_COMM_LEN,
} from '../abi/linux/prctl.js';
import { Dumpable, PRCTL_MM_MAP_SIZE, PrctlNew } from '../abi/linux/prctl_kernel.js';
import { NSIG } from '../abi/linux/signal.js';
import { SYS } from '../abi/linux/syscalls.js';
import { CapSet, capValid } from '../kernel/capabilities.js';
import type { Kernel } from '../kernel/kernel.js';
import { attrsOf, commitCreds, dumpable, pdeathSignal, processAttrs, processAttrsOf, setDumpable, taskAttrs, timerSlackNs } from '../kernel/task_attrs.js';
import type { Task } from '../kernel/task.js';
import { TASK_SIZE_MAX } from './access.js';
import type { SyscallArgs } from './args.js';
import { scratch } from './scratch.js';
import type { SyscallTable } from './table.js';

/** mmap_min_addr: PR_SET_MM addresses below it are invalid. */
const MMAP_MIN_ADDR = 65536;
/** ANON_VMA_NAME_MAX_LEN: a VMA name with its NUL. */
const ANON_VMA_NAME_MAX_LEN = 80;

/** The unsigned long argument i is nonzero. */
function nz(a: SyscallArgs, i: number): boolean {
  return a.u32(i) !== 0 || a.hi(i) !== 0;
}

/** The unsigned long argument i is exactly v (a small non-negative number). */
function is(a: SyscallArgs, i: number, v: number): boolean {
  return a.hi(i) === 0 && a.u32(i) === v;
}

/** The unsigned long argument i as a capability number, or -1 if it is none (cap_valid). */
function capArg(a: SyscallArgs, i: number): number {
  return a.hi(i) === 0 && capValid(a.u32(i)) ? a.u32(i) : -1;
}

function setName(t: Task, addr: number): number {
  // strncpy_from_user of at most 15 bytes: a longer name is cut, and only
  // the bytes copied must be readable.
  const max = TASK_COMM_LEN - 1;
  let bytes = t.tg.mm.readCStringBytes(addr, max);
  if (bytes === -Errno.ENAMETOOLONG) {
    const r = t.tg.mm.readBytes(addr, scratch, 0, max);
    if (r < 0) return r;
    bytes = scratch.slice(0, max);
  }
  if (typeof bytes === 'number') return bytes;
  t.tg.comm = Buffer.from(bytes).toString('latin1');
  return 0;
}

function getName(t: Task, addr: number): number {
  scratch.fill(0, 0, TASK_COMM_LEN);
  const b = Buffer.from(t.tg.comm, 'latin1');
  scratch.set(b.subarray(0, TASK_COMM_LEN - 1), 0);
  return t.tg.mm.writeBytes(addr, scratch, 0, TASK_COMM_LEN);
}

/** PR_SET_SECUREBITS (cap_task_prctl): no locked bit changes, no lock released, only known bits, and CAP_SETPCAP. */
function setSecurebits(t: Task, a: SyscallArgs): number {
  const old = t.creds.securebits;
  const lo = a.u32(1);
  const bad =
    (((old & SECURE_ALL_LOCKS) >>> 1) & (old ^ lo)) !== 0 ||
    (old & SECURE_ALL_LOCKS & ~lo) !== 0 ||
    a.hi(1) !== 0 ||
    (lo & ~(SECURE_ALL_LOCKS | SECURE_ALL_BITS)) !== 0 ||
    !t.creds.hasCapability(Capability.CAP_SETPCAP);
  if (bad) return -Errno.EPERM;
  const n = t.creds.clone();
  n.securebits = lo;
  commitCreds(t, n);
  return 0;
}

function capAmbient(t: Task, a: SyscallArgs): number {
  const c = t.creds;
  if (is(a, 1, PrCapAmbient.PR_CAP_AMBIENT_CLEAR_ALL)) {
    if (nz(a, 2) || nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
    const n = c.clone();
    n.ambient = CapSet.EMPTY;
    commitCreds(t, n);
    return 0;
  }
  const cap = capArg(a, 2);
  if (cap < 0 || nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
  if (is(a, 1, PrCapAmbient.PR_CAP_AMBIENT_IS_SET)) return c.ambient.has(cap) ? 1 : 0;
  const raise = is(a, 1, PrCapAmbient.PR_CAP_AMBIENT_RAISE);
  if (!raise && !is(a, 1, PrCapAmbient.PR_CAP_AMBIENT_LOWER)) return -Errno.EINVAL;
  if (raise && (!c.permitted.has(cap) || !c.inheritable.has(cap) || (c.securebits & Securebit.SECBIT_NO_CAP_AMBIENT_RAISE) !== 0)) {
    return -Errno.EPERM;
  }
  const n = c.clone();
  n.ambient = raise ? n.ambient.with(cap) : n.ambient.without(cap);
  commitCreds(t, n);
  return 0;
}

/** PR_SET_MM (prctl_set_mm): the checks; changing the layout itself is not offered. */
function setMm(k: Kernel, t: Task, a: SyscallArgs): number {
  const opt = a.hi(1) === 0 ? a.u32(1) : -1;
  const flexible = opt === PrSetMm.PR_SET_MM_AUXV || opt === PrSetMm.PR_SET_MM_MAP || opt === PrSetMm.PR_SET_MM_MAP_SIZE;
  if (nz(a, 4) || (nz(a, 3) && !flexible)) return -Errno.EINVAL;
  if (opt === PrSetMm.PR_SET_MM_MAP_SIZE) return t.tg.mm.writeU32(a.u64(2), PRCTL_MM_MAP_SIZE);
  if (opt === PrSetMm.PR_SET_MM_MAP) {
    // Partial: checkpoint/restore's whole-layout update is not implemented.
    k.log.once('prctl:set_mm_map', 'prctl(PR_SET_MM, PR_SET_MM_MAP): EINVAL (not implemented)');
    return -Errno.EINVAL;
  }
  if (!t.creds.hasCapability(Capability.CAP_SYS_RESOURCE)) return -Errno.EPERM;
  if (opt !== PrSetMm.PR_SET_MM_EXE_FILE && opt !== PrSetMm.PR_SET_MM_AUXV) {
    const addr = a.u64(2);
    if (a.hi(2) >= 0x8000 || addr >= TASK_SIZE_MAX || addr < MMAP_MIN_ADDR) return -Errno.EINVAL;
  }
  if (opt < PrSetMm.PR_SET_MM_START_CODE || opt > PrSetMm.PR_SET_MM_EXE_FILE) return -Errno.EINVAL;
  // Partial: the layout fields (/proc/PID/stat's start_code … env_end), the auxv and the exe link are not settable yet.
  k.log.once(`prctl:set_mm:${opt}`, `prctl(PR_SET_MM, ${opt}): EINVAL (not implemented)`);
  return -Errno.EINVAL;
}

/** PR_SET_VMA, PR_SET_VMA_ANON_NAME (prctl_set_vma): names anonymous memory in /proc/PID/maps. */
function setVma(t: Task, a: SyscallArgs): number {
  if (!is(a, 1, PR_SET_VMA_ANON_NAME)) return -Errno.EINVAL;
  let name: string | null = null;
  const uname = a.u64(4);
  if (uname !== 0) {
    const b = t.tg.mm.readCStringBytes(uname, ANON_VMA_NAME_MAX_LEN);
    if (b === -Errno.ENAMETOOLONG) return -Errno.EINVAL;
    if (typeof b === 'number') return b;
    name = Buffer.from(b).toString('latin1');
  }
  // An unaligned start is EINVAL whatever the name (a bad name is EINVAL too). Tested on the
  // raw word: addresses past 2^53 lose their low bits as numbers.
  if ((a.u32(2) & 0xfff) !== 0) return -Errno.EINVAL;
  return t.tg.mm.setVmaName(a.u64(2), a.u64(3), name);
}

function prctl(k: Kernel, t: Task, a: SyscallArgs): number {
  const option = a.int(0);
  switch (option) {
    // --- security/commoncap.c cap_task_prctl ---
    case Prctl.PR_CAPBSET_READ: {
      const cap = capArg(a, 1);
      if (cap < 0) return -Errno.EINVAL;
      return t.creds.bounding.has(cap) ? 1 : 0;
    }
    case Prctl.PR_CAPBSET_DROP: {
      if (!t.creds.hasCapability(Capability.CAP_SETPCAP)) return -Errno.EPERM;
      const cap = capArg(a, 1);
      if (cap < 0) return -Errno.EINVAL;
      const n = t.creds.clone();
      n.bounding = n.bounding.without(cap);
      commitCreds(t, n);
      return 0;
    }
    case Prctl.PR_SET_SECUREBITS:
      return setSecurebits(t, a);
    case Prctl.PR_GET_SECUREBITS:
      return t.creds.securebits;
    case Prctl.PR_GET_KEEPCAPS:
      return (t.creds.securebits & Securebit.SECBIT_KEEP_CAPS) !== 0 ? 1 : 0;
    case Prctl.PR_SET_KEEPCAPS: {
      if (a.hi(1) !== 0 || a.u32(1) > 1) return -Errno.EINVAL;
      if ((t.creds.securebits & Securebit.SECBIT_KEEP_CAPS_LOCKED) !== 0) return -Errno.EPERM;
      const n = t.creds.clone();
      if (a.u32(1) === 1) n.securebits |= Securebit.SECBIT_KEEP_CAPS;
      else n.securebits &= ~Securebit.SECBIT_KEEP_CAPS;
      commitCreds(t, n);
      return 0;
    }
    case Prctl.PR_CAP_AMBIENT:
      return capAmbient(t, a);

    // --- kernel/sys.c ---
    case Prctl.PR_SET_PDEATHSIG:
      // valid_signal(): 0 (none) to _NSIG.
      if (a.hi(1) !== 0 || a.u32(1) > NSIG) return -Errno.EINVAL;
      attrsOf(t).pdeathSignal = a.u32(1);
      return 0;
    case Prctl.PR_GET_PDEATHSIG:
      return t.tg.mm.writeU32(a.u64(1), pdeathSignal(t));
    case Prctl.PR_GET_DUMPABLE:
      return dumpable(t.tg);
    case Prctl.PR_SET_DUMPABLE:
      if (!is(a, 1, Dumpable.SUID_DUMP_DISABLE) && !is(a, 1, Dumpable.SUID_DUMP_USER)) return -Errno.EINVAL;
      setDumpable(t.tg, a.u32(1));
      return 0;
    case Prctl.PR_GET_TIMING:
      return PR_TIMING_STATISTICAL;
    case Prctl.PR_SET_TIMING:
      return is(a, 1, PR_TIMING_STATISTICAL) ? 0 : -Errno.EINVAL;
    case Prctl.PR_SET_NAME:
      return setName(t, a.u64(1));
    case Prctl.PR_GET_NAME:
      return getName(t, a.u64(1));
    case Prctl.PR_GET_SECCOMP:
      // Seccomp mode: the sandbox's guests run unfiltered (SECCOMP_MODE_DISABLED).
      return 0;
    case Prctl.PR_SET_SECCOMP:
      k.log.once('prctl:set_seccomp', 'prctl(PR_SET_SECCOMP): EINVAL (seccomp is not implemented)');
      return -Errno.EINVAL;
    case Prctl.PR_GET_TSC:
      // The time stamp counter is readable (PR_TSC_ENABLE).
      return t.tg.mm.writeU32(a.u64(1), PrTsc.PR_TSC_ENABLE);
    case Prctl.PR_SET_TSC:
      if (is(a, 1, PrTsc.PR_TSC_ENABLE)) return 0;
      if (is(a, 1, PrTsc.PR_TSC_SIGSEGV)) {
        // Partial: trapping RDTSC needs the host to set CR4.TSD for the stub thread.
        k.log.once('prctl:set_tsc', 'prctl(PR_SET_TSC, PR_TSC_SIGSEGV): EINVAL (not implemented)');
      }
      return -Errno.EINVAL;
    case Prctl.PR_TASK_PERF_EVENTS_DISABLE:
    case Prctl.PR_TASK_PERF_EVENTS_ENABLE:
      return 0;
    case Prctl.PR_GET_TIMERSLACK:
      return timerSlackNs(t);
    case Prctl.PR_SET_TIMERSLACK: {
      const at = attrsOf(t);
      // Values past 2^53 ns (104 days) are kept to double precision.
      at.timerSlackNs = nz(a, 1) ? a.u64(1) : at.defaultTimerSlackNs;
      return 0;
    }
    case Prctl.PR_MCE_KILL: {
      if (nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
      const at = attrsOf(t);
      if (is(a, 1, MceKill.PR_MCE_KILL_CLEAR)) {
        if (nz(a, 2)) return -Errno.EINVAL;
        at.mceKill = MceKill.PR_MCE_KILL_DEFAULT;
        return 0;
      }
      if (!is(a, 1, MceKill.PR_MCE_KILL_SET)) return -Errno.EINVAL;
      if (is(a, 2, MceKill.PR_MCE_KILL_EARLY)) at.mceKill = MceKill.PR_MCE_KILL_EARLY;
      else if (is(a, 2, MceKill.PR_MCE_KILL_LATE)) at.mceKill = MceKill.PR_MCE_KILL_LATE;
      else if (is(a, 2, MceKill.PR_MCE_KILL_DEFAULT)) at.mceKill = MceKill.PR_MCE_KILL_DEFAULT;
      else return -Errno.EINVAL;
      return 0;
    }
    case Prctl.PR_MCE_KILL_GET:
      if (nz(a, 1) || nz(a, 2) || nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
      return taskAttrs.get(t)?.mceKill ?? MceKill.PR_MCE_KILL_DEFAULT;
    case Prctl.PR_SET_MM:
      return setMm(k, t, a);
    case Prctl.PR_GET_TID_ADDRESS:
      return t.tg.mm.writeU64(a.u64(1), t.clearChildTid);
    case Prctl.PR_SET_CHILD_SUBREAPER:
      t.tg.childSubreaper = nz(a, 1);
      return 0;
    case Prctl.PR_GET_CHILD_SUBREAPER:
      return t.tg.mm.writeU32(a.u64(1), t.tg.childSubreaper ? 1 : 0);
    case Prctl.PR_SET_NO_NEW_PRIVS: {
      if (!is(a, 1, 1) || nz(a, 2) || nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
      if (!t.creds.noNewPrivs) {
        const n = t.creds.clone();
        n.noNewPrivs = true;
        t.creds = n; // a task flag in Linux: no commit_creds side effects
      }
      return 0;
    }
    case Prctl.PR_GET_NO_NEW_PRIVS:
      if (nz(a, 1) || nz(a, 2) || nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
      return t.creds.noNewPrivs ? 1 : 0;
    case Prctl.PR_GET_THP_DISABLE:
      if (nz(a, 1) || nz(a, 2) || nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
      return processAttrs.get(t.tg)?.thpDisable ? 1 : 0;
    case Prctl.PR_SET_THP_DISABLE:
      if (nz(a, 2) || nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
      processAttrsOf(t.tg).thpDisable = nz(a, 1);
      return 0;
    case Prctl.PR_SET_IO_FLUSHER:
      if (!t.creds.hasCapability(Capability.CAP_SYS_RESOURCE)) return -Errno.EPERM;
      if (nz(a, 2) || nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
      if (!is(a, 1, 0) && !is(a, 1, 1)) return -Errno.EINVAL;
      attrsOf(t).ioFlusher = is(a, 1, 1);
      return 0;
    case Prctl.PR_GET_IO_FLUSHER:
      if (!t.creds.hasCapability(Capability.CAP_SYS_RESOURCE)) return -Errno.EPERM;
      if (nz(a, 1) || nz(a, 2) || nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
      return taskAttrs.get(t)?.ioFlusher ? 1 : 0;
    case PrctlNew.PR_GET_MDWE:
      // Memory-deny-write-execute is never on.
      if (nz(a, 1) || nz(a, 2) || nz(a, 3) || nz(a, 4)) return -Errno.EINVAL;
      return 0;
    case Prctl.PR_SET_VMA:
      return setVma(t, a);
    case Prctl.PR_SET_PTRACER: {
      // Yama: 0 clears, PR_SET_PTRACER_ANY allows any tracer, else a PID
      // that must exist. Recorded nowhere: guests cannot ptrace each other.
      // The PID is arg2 as a pid_t; (int)arg2 == -1 means any as well.
      if (!nz(a, 1) || a.int(1) === -1) return 0;
      return a.int(1) > 0 && k.tasks.has(a.int(1)) ? 0 : -Errno.EINVAL;
    }
    // Options x86-64 does not have (alignment, FP emulation and exceptions,
    // endianness, FP modes, SVE, pointer authentication, MPX, tagged
    // addresses): EINVAL, as on Linux.
    case Prctl.PR_GET_UNALIGN:
    case Prctl.PR_SET_UNALIGN:
    case Prctl.PR_GET_FPEMU:
    case Prctl.PR_SET_FPEMU:
    case Prctl.PR_GET_FPEXC:
    case Prctl.PR_SET_FPEXC:
    case Prctl.PR_GET_ENDIAN:
    case Prctl.PR_SET_ENDIAN:
    case Prctl.PR_SET_FP_MODE:
    case Prctl.PR_GET_FP_MODE:
    case Prctl.PR_SVE_SET_VL:
    case Prctl.PR_SVE_GET_VL:
    case Prctl.PR_PAC_RESET_KEYS:
    case Prctl.PR_MPX_ENABLE_MANAGEMENT:
    case Prctl.PR_MPX_DISABLE_MANAGEMENT:
    case Prctl.PR_SET_TAGGED_ADDR_CTRL:
    case Prctl.PR_GET_TAGGED_ADDR_CTRL:
      return -Errno.EINVAL;
    default:
      k.log.once(`prctl:${option}`, `unsupported prctl option ${option}: EINVAL`);
      return -Errno.EINVAL;
  }
}

export function registerPrctl(table: SyscallTable, k: Kernel): void {
  table[SYS.prctl] = (t, a) => prctl(k, t, a);
}
