// futex(2) and futex_waitv(2): argument decoding, timeouts and the Linux
// checks that come before the futex table (kernel/futex/syscalls.c). The
// operations themselves are in src/kernel/futex.ts.
import { Errno } from '../abi/linux/errno.js';
import {
  FUTEX_BITSET_MATCH_ANY,
  FUTEX_WAITV_MAX,
  FUTEX_WAITV_SIZE,
  Futex2Flag,
  FutexCmd,
  FutexFlag,
  FutexWaitvOffset,
} from '../abi/linux/futex.js';
import { SYS } from '../abi/linux/syscalls.js';
import { Clock, NSEC_PER_SEC, TIMESPEC_SIZE, getI64 } from '../abi/linux/time.js';
import type { Kernel } from '../kernel/kernel.js';
import { FutexTable, NO_DEADLINE, WAITV_NUMA, WAITV_SHARED, exitRobustList, futexTable, futexWake } from '../kernel/futex.js';
import type { Task } from '../kernel/task.js';
import type { MemoryManager } from '../mm/memory_manager.js';
import type { SyscallArgs } from './args.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

type Table = FutexTable<MemoryManager>;

/** An address argument as a number: values from 2^52 up (never user addresses) keep only their alignment. */
function addrArg(a: SyscallArgs, i: number): number {
  return a.hi(i) >= 0x100000 ? 2 ** 52 + (a.u32(i) & 3) : a.u64(i);
}

/** Result of readTimeout: the timeout in nanoseconds. */
let timeoutNs = 0;

/** Reads a struct __kernel_timespec (timespec64_valid): 0, -EFAULT or -EINVAL; the value in timeoutNs. */
function readTimeout(t: Task, addr: number): number {
  const r = t.tg.mm.readBytes(addr, scratch, 0, TIMESPEC_SIZE);
  if (r < 0) return r;
  const sec = getI64(scratchView, 0);
  const nsec = getI64(scratchView, 8);
  if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC) return -Errno.EINVAL;
  timeoutNs = sec * NSEC_PER_SEC + nsec;
  return 0;
}

/** futex_cmd_has_timeout: the operations whose fourth argument is a timeout (else it is val2). */
function hasTimeout(cmd: number): boolean {
  return cmd === FutexCmd.FUTEX_WAIT || cmd === FutexCmd.FUTEX_LOCK_PI || cmd === FutexCmd.FUTEX_LOCK_PI2 ||
    cmd === FutexCmd.FUTEX_WAIT_BITSET || cmd === FutexCmd.FUTEX_WAIT_REQUEUE_PI;
}

function futex(ft: Table, t: Task, a: SyscallArgs): number | Promise<number> {
  const op = a.int(1);
  const cmd = op & ~FutexFlag.FUTEX_OPTION_MASK;
  const shared = (op & FutexFlag.FUTEX_PRIVATE_FLAG) === 0;
  const realtime = (op & FutexFlag.FUTEX_CLOCK_REALTIME) !== 0;
  let clock: number = Clock.CLOCK_MONOTONIC;
  let deadline = NO_DEADLINE;
  if ((a.u32(3) !== 0 || a.hi(3) !== 0) && hasTimeout(cmd)) {
    const r = readTimeout(t, a.u64(3));
    if (r < 0) return r;
    if (cmd === FutexCmd.FUTEX_WAIT) {
      // Relative, measured on CLOCK_MONOTONIC.
      deadline = ft.clockNow(Clock.CLOCK_MONOTONIC) + timeoutNs;
    } else {
      // Absolute: FUTEX_LOCK_PI on CLOCK_REALTIME, the others on MONOTONIC unless FUTEX_CLOCK_REALTIME.
      if (cmd === FutexCmd.FUTEX_LOCK_PI || realtime) clock = Clock.CLOCK_REALTIME;
      deadline = timeoutNs;
    }
  }
  if (realtime && cmd !== FutexCmd.FUTEX_WAIT_BITSET && cmd !== FutexCmd.FUTEX_WAIT_REQUEUE_PI && cmd !== FutexCmd.FUTEX_LOCK_PI2) {
    return -Errno.ENOSYS;
  }
  const mm = t.tg.mm;
  const uaddr = addrArg(a, 0);
  switch (cmd) {
    case FutexCmd.FUTEX_WAIT:
      return ft.wait(mm, t, uaddr, shared, a.u32(2), FUTEX_BITSET_MATCH_ANY, clock, deadline);
    case FutexCmd.FUTEX_WAIT_BITSET:
      return ft.wait(mm, t, uaddr, shared, a.u32(2), a.u32(5), clock, deadline);
    case FutexCmd.FUTEX_WAKE:
      return ft.wake(mm, uaddr, shared, a.int(2), FUTEX_BITSET_MATCH_ANY);
    case FutexCmd.FUTEX_WAKE_BITSET:
      return ft.wake(mm, uaddr, shared, a.int(2), a.u32(5));
    case FutexCmd.FUTEX_REQUEUE:
      return ft.requeue(mm, uaddr, addrArg(a, 4), shared, a.int(2), a.int(3), -1);
    case FutexCmd.FUTEX_CMP_REQUEUE:
      return ft.requeue(mm, uaddr, addrArg(a, 4), shared, a.int(2), a.int(3), a.u32(5));
    case FutexCmd.FUTEX_WAKE_OP:
      return ft.wakeOp(mm, uaddr, addrArg(a, 4), shared, a.int(2), a.int(3), a.u32(5));
    case FutexCmd.FUTEX_LOCK_PI:
    case FutexCmd.FUTEX_LOCK_PI2:
      return ft.lockPi(mm, t, uaddr, shared, clock, deadline, false);
    case FutexCmd.FUTEX_TRYLOCK_PI:
      return ft.lockPi(mm, t, uaddr, shared, clock, NO_DEADLINE, true);
    case FutexCmd.FUTEX_UNLOCK_PI:
      return ft.unlockPi(mm, t, uaddr, shared);
    case FutexCmd.FUTEX_WAIT_REQUEUE_PI:
      return ft.waitRequeuePi(mm, t, uaddr, addrArg(a, 4), shared, a.u32(2), FUTEX_BITSET_MATCH_ANY, clock, deadline);
    case FutexCmd.FUTEX_CMP_REQUEUE_PI:
      return ft.cmpRequeuePi(mm, uaddr, addrArg(a, 4), shared, a.int(2), a.int(3), a.u32(5));
    default:
      // FUTEX_FD (gone since Linux 2.6.26) and unknown operations.
      return -Errno.ENOSYS;
  }
}

// futex_waitv's parsed vector (reused: one call at a time).
const vAddrs = new Float64Array(FUTEX_WAITV_MAX);
const vVals = new Uint32Array(FUTEX_WAITV_MAX);
const vFlags = new Uint8Array(FUTEX_WAITV_MAX);
/** FUTEX2_VALID_MASK: the flags a waiter may carry. FUTEX2_MPOL only picks a node, and there is one. */
const WAITV_VALID = Futex2Flag.FUTEX2_SIZE_MASK | Futex2Flag.FUTEX2_NUMA | Futex2Flag.FUTEX2_MPOL | Futex2Flag.FUTEX2_PRIVATE;

function futexWaitv(ft: Table, t: Task, a: SyscallArgs): number | Promise<number> {
  const waiters = a.u64(0);
  const nr = a.u32(1);
  if (a.u32(2) !== 0) return -Errno.EINVAL; // no flags defined yet
  if (nr === 0 || nr > FUTEX_WAITV_MAX || waiters === 0) return -Errno.EINVAL;
  let clock: number = Clock.CLOCK_MONOTONIC;
  let deadline = NO_DEADLINE;
  if (a.u32(3) !== 0 || a.hi(3) !== 0) {
    // futex2_setup_timeout: an absolute time on CLOCK_REALTIME or CLOCK_MONOTONIC.
    const clk = a.int(4);
    if (clk !== Clock.CLOCK_REALTIME && clk !== Clock.CLOCK_MONOTONIC) return -Errno.EINVAL;
    const r = readTimeout(t, a.u64(3));
    if (r < 0) return r;
    clock = clk;
    deadline = timeoutNs;
  }
  const mm = t.tg.mm;
  for (let i = 0; i < nr; i++) {
    const r = mm.readBytes(waiters + i * FUTEX_WAITV_SIZE, scratch, 0, FUTEX_WAITV_SIZE);
    if (r < 0) return r;
    const flags = scratchView.getUint32(FutexWaitvOffset.FLAGS, true);
    if ((flags & ~WAITV_VALID) !== 0 || scratchView.getUint32(FutexWaitvOffset.RESERVED, true) !== 0) return -Errno.EINVAL;
    if ((flags & Futex2Flag.FUTEX2_SIZE_MASK) !== Futex2Flag.FUTEX2_SIZE_U32) return -Errno.EINVAL;
    if (scratchView.getUint32(FutexWaitvOffset.VAL + 4, true) !== 0) return -Errno.EINVAL; // val must fit the futex size
    vVals[i] = scratchView.getUint32(FutexWaitvOffset.VAL, true);
    const lo = scratchView.getUint32(FutexWaitvOffset.UADDR, true);
    const hi = scratchView.getUint32(FutexWaitvOffset.UADDR + 4, true);
    vAddrs[i] = hi >= 0x100000 ? 2 ** 52 + (lo & 3) : hi * 4294967296 + lo;
    vFlags[i] = ((flags & Futex2Flag.FUTEX2_PRIVATE) === 0 ? WAITV_SHARED : 0) | ((flags & Futex2Flag.FUTEX2_NUMA) !== 0 ? WAITV_NUMA : 0);
  }
  return ft.waitv(mm, t, nr, vAddrs, vVals, vFlags, clock, deadline);
}

export function registerFutex(table: SyscallTable, k: Kernel): void {
  const ft = futexTable(k);
  table[SYS.futex] = (t, a) => futex(ft, t, a);
  table[SYS.futex_waitv] = (t, a) => futexWaitv(ft, t, a);
  // Thread exit and exec (Linux mm_release and futex_cleanup).
  k.exitHooks.futexWake = (t, addr) => {
    futexWake(k, t.tg.mm, addr, 1);
  };
  k.exitHooks.robustList = (t) => exitRobustList(k, t);
}
