// System-wide information and limits: uname, sysinfo, getrandom, rlimits,
// CPU affinity and yielding (man 2 uname, sysinfo, getrandom, getrlimit,
// sched_getaffinity, sched_yield).
import os from 'node:os';
import { Errno } from '../abi/linux/errno.js';
import { Grnd } from '../abi/linux/random.js';
import { Rlimit, encodeRlimit } from '../abi/linux/rlimit.js';
import { SYSINFO_SIZE, encodeSysinfo, type Sysinfo } from '../abi/linux/sysinfo.js';
import { getU64 } from '../abi/linux/time.js';
import { UTSNAME_SIZE, encodeUtsname, type Utsname } from '../abi/linux/utsname.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import { RLIMIT_COUNT, type Limit } from '../kernel/limits.js';
import type { Task } from '../kernel/task.js';
import { native } from '../platform/native.js';
import { rangeOk } from './access.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

/** The Linux release the sandbox reports (a kernel of our choosing, as runsc does). */
export const UTS_RELEASE = '6.6.0';
export const UTS_VERSION = '#1 SMP PREEMPT_DYNAMIC tsvisor';

/** getrandom returns at most this many bytes per call (drivers/char/random.c: MAX_RW_COUNT). */
const GETRANDOM_MAX = 0x7ffff000;

/** /proc/sys/fs/nr_open: Rlimit.RLIMIT_NOFILE can never exceed it. */
const NR_OPEN = 1048576;
const clockOut = new Float64Array(2);
/** The fixed utsname fields; nodename is the sandbox's hostname at each call. */
const uts: Utsname = { sysname: 'Linux', nodename: '', release: UTS_RELEASE, version: UTS_VERSION, machine: 'x86_64', domainname: '(none)' };
/** sysinfo's answer, reused; the fields left 0 are the sandbox's (no load, swap or high memory). */
const info: Sysinfo = { uptime: 0, load1: 0, load5: 0, load15: 0, totalram: 0, freeram: 0, sharedram: 0, bufferram: 0, totalswap: 0, freeswap: 0, procs: 0, totalhigh: 0, freehigh: 0, memUnit: 1 };

function getRlimValue(off: number): number {
  // RLIM_INFINITY is ~0; any value ≥ 2^63 is treated as infinite as well.
  if (scratchView.getUint32(off + 4, true) >= 0x80000000) return Infinity;
  return getU64(scratchView, off);
}

/** prlimit64 core: reads new (if any), writes old (if any); Linux order and rules (kernel/sys.c do_prlimit). */
function prlimit(t: Task, resource: number, newAddr: number, oldAddr: number): number {
  if (resource < 0 || resource >= RLIMIT_COUNT) return -Errno.EINVAL;
  let next: Limit | undefined;
  if (newAddr !== 0) {
    const r = t.tg.mm.readBytes(newAddr, scratch, 0, 16);
    if (r < 0) return r;
    next = { cur: getRlimValue(0), max: getRlimValue(8) };
    if (next.cur > next.max) return -Errno.EINVAL;
    if (resource === Rlimit.RLIMIT_NOFILE && next.max > NR_OPEN) return -Errno.EPERM;
  }
  const lim = t.tg.limits.get(resource);
  const old = { cur: lim.cur, max: lim.max };
  if (next) {
    // Raising the hard limit needs CAP_SYS_RESOURCE (held by uid 0 here).
    if (next.max > lim.max && t.creds.euid !== 0) return -Errno.EPERM;
    lim.cur = next.cur;
    lim.max = next.max;
  }
  if (oldAddr !== 0) {
    encodeRlimit(scratchView, 16, old.cur, old.max);
    return t.tg.mm.writeBytes(oldAddr, scratch, 16, 16);
  }
  return 0;
}

export function registerSystem(table: SyscallTable, k: Kernel): void {
  table[SYS.uname] = (t, a) => {
    uts.nodename = k.hostname;
    encodeUtsname(scratch, 0, uts);
    return t.tg.mm.writeBytes(a.u64(0), scratch, 0, UTSNAME_SIZE);
  };

  table[SYS.sysinfo] = (t, a) => {
    // Seconds since boot as CLOCK_BOOTTIME shows it (the host's clock; the
    // sandbox does not virtualize time yet); memory in bytes (mem_unit 1).
    native().hostClockGettime(7, clockOut);
    info.uptime = clockOut[0];
    info.totalram = k.memoryFile.limit;
    info.freeram = Math.max(0, info.totalram - k.memoryFile.usedBytes);
    info.procs = Math.min(0xffff, t.tg.tasks.size);
    encodeSysinfo(scratchView, 0, info);
    return t.tg.mm.writeBytes(a.u64(0), scratch, 0, SYSINFO_SIZE);
  };

  table[SYS.getrandom] = (t, a) => {
    const flags = a.u32(2);
    if ((flags & ~(Grnd.GRND_NONBLOCK | Grnd.GRND_RANDOM | Grnd.GRND_INSECURE)) !== 0) return -Errno.EINVAL;
    if ((flags & Grnd.GRND_RANDOM) !== 0 && (flags & Grnd.GRND_INSECURE) !== 0) return -Errno.EINVAL;
    // drivers/char/random.c: the count is clipped (never EINVAL), then the
    // buffer must pass access_ok (import_ubuf).
    const len = a.hi(1) !== 0 ? GETRANDOM_MAX : Math.min(a.u64(1), GETRANDOM_MAX);
    if (a.hi(0) >= 0x8000 || !rangeOk(a.u64(0), len)) return -Errno.EFAULT;
    if (len === 0) return 0;
    const n = native();
    return t.tg.mm.forEachSegment(a.u64(0), len, true, (buf, off, l) => n.hostGetrandom(buf, off, l));
  };

  table[SYS.prlimit64] = (t, a) => {
    const pid = a.int(0);
    if (pid !== 0 && pid !== t.tg.pid) return -Errno.ESRCH;
    return prlimit(t, a.u32(1), a.u64(2), a.u64(3));
  };
  table[SYS.getrlimit] = (t, a) => {
    if (a.u32(0) >= RLIMIT_COUNT) return -Errno.EINVAL;
    if (a.u64(1) === 0) return -Errno.EFAULT;
    return prlimit(t, a.u32(0), 0, a.u64(1));
  };
  table[SYS.setrlimit] = (t, a) => {
    if (a.u32(0) >= RLIMIT_COUNT) return -Errno.EINVAL;
    if (a.u64(1) === 0) return -Errno.EFAULT;
    return prlimit(t, a.u32(0), a.u64(1), 0);
  };

  table[SYS.sched_getaffinity] = (t, a) => {
    // kernel/sched/core.c: len is an unsigned int, checked before the pid:
    // it must hold nr_cpu_ids bits (len * 8 in 32-bit arithmetic) and be a
    // multiple of sizeof(long); the result is cpumask_size() bytes.
    const len = a.u32(1);
    const ncpu = os.availableParallelism();
    const maskSize = Math.ceil(ncpu / 64) * 8;
    if ((len * 8) % 4294967296 < ncpu || len % 8 !== 0) return -Errno.EINVAL;
    const pid = a.int(0);
    if (pid !== 0 && pid !== t.tid) return -Errno.ESRCH;
    const size = Math.min(len, maskSize);
    scratch.fill(0, 0, size);
    for (let c = 0; c < ncpu; c++) scratch[c >> 3] |= 1 << (c & 7);
    const r = t.tg.mm.writeBytes(a.u64(2), scratch, 0, size);
    return r < 0 ? r : size;
  };
  table[SYS.sched_yield] = () => 0;
}
