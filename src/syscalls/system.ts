// System-wide information and limits: uname, sysinfo, getrandom, rlimits
// (man 2 uname, sysinfo, getrandom, getrlimit). CPU affinity and yielding
// are in sched.ts.
import { Errno } from '../abi/linux/errno.js';
import { Grnd } from '../abi/linux/random.js';
import { Capability } from '../abi/linux/capability.js';
import { RLIMIT_SIZE, Rlimit, decodeRlimit, encodeRlimit } from '../abi/linux/rlimit.js';
import { SYSINFO_SIZE, encodeSysinfo, type Sysinfo } from '../abi/linux/sysinfo.js';
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

const newLimit: Limit = { cur: 0, max: 0 };

/**
 * do_prlimit (kernel/sys.c) on task p for the caller t: the resource, then
 * the new limit's own checks (soft above hard: EINVAL; RLIMIT_NOFILE above
 * fs.nr_open: EPERM), then raising a hard limit needs CAP_SYS_RESOURCE.
 * Fills old (if given) with the limit before the change.
 */
function doPrlimit(t: Task, p: Task, resource: number, next: Limit | null, old: Limit | null): number {
  if (resource >= RLIMIT_COUNT) return -Errno.EINVAL;
  if (next) {
    if (next.cur > next.max) return -Errno.EINVAL;
    if (resource === Rlimit.RLIMIT_NOFILE && next.max > NR_OPEN) return -Errno.EPERM;
  }
  const lim = p.tg.limits.get(resource);
  if (next && next.max > lim.max && !t.creds.hasCapability(Capability.CAP_SYS_RESOURCE)) return -Errno.EPERM;
  if (old) {
    old.cur = lim.cur;
    old.max = lim.max;
  }
  if (next) {
    // Partial: a new RLIMIT_CPU soft limit does not arm a CPU-time timer yet.
    lim.cur = next.cur;
    lim.max = next.max;
  }
  return 0;
}

/**
 * check_prlimit_permission: another process's limits need the caller's
 * real uid and gid to be all of the target's real, effective and saved IDs,
 * or CAP_SYS_RESOURCE.
 */
function prlimitAllowed(t: Task, p: Task): boolean {
  if (p === t) return true;
  const c = t.creds;
  const pc = p.creds;
  const same = c.uid === pc.uid && c.uid === pc.euid && c.uid === pc.suid && c.gid === pc.gid && c.gid === pc.egid && c.gid === pc.sgid;
  return same || c.hasCapability(Capability.CAP_SYS_RESOURCE);
}

/** Reads a struct rlimit (two rlim_t; ~0 is RLIM_INFINITY) into newLimit. */
function readLimit(t: Task, addr: number): number {
  const r = t.tg.mm.readBytes(addr, scratch, 0, RLIMIT_SIZE);
  if (r < 0) return r;
  decodeRlimit(scratchView, 0, newLimit);
  return 0;
}

function writeLimit(t: Task, addr: number, l: Limit): number {
  encodeRlimit(scratchView, 0, l.cur, l.max);
  return t.tg.mm.writeBytes(addr, scratch, 0, RLIMIT_SIZE);
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
    // Linux's order: read the new limit, find the process, check permission, then do_prlimit.
    const newAddr = a.u64(2);
    const oldAddr = a.u64(3);
    if (newAddr !== 0) {
      const r = readLimit(t, newAddr);
      if (r < 0) return r;
    }
    const pid = a.int(0);
    const p = pid === 0 ? t : k.tasks.get(pid);
    if (!p) return -Errno.ESRCH;
    if (!prlimitAllowed(t, p)) return -Errno.EPERM;
    const old: Limit = { cur: 0, max: 0 };
    const r = doPrlimit(t, p, a.u32(1), newAddr !== 0 ? newLimit : null, oldAddr !== 0 ? old : null);
    if (r < 0 || oldAddr === 0) return r;
    return writeLimit(t, oldAddr, old) < 0 ? -Errno.EFAULT : 0;
  };
  table[SYS.getrlimit] = (t, a) => {
    const old: Limit = { cur: 0, max: 0 };
    const r = doPrlimit(t, t, a.u32(0), null, old);
    if (r < 0) return r;
    return writeLimit(t, a.u64(1), old);
  };
  table[SYS.setrlimit] = (t, a) => {
    const r = readLimit(t, a.u64(1));
    if (r < 0) return r;
    return doPrlimit(t, t, a.u32(0), newLimit, null);
  };
}
