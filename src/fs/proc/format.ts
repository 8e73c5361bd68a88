// The text of procfs files, byte for byte as Linux 6.x prints them
// (fs/proc/array.c, base.c, task_mmu.c, fd.c, meminfo.c, stat.c, uptime.c,
// loadavg.c, fs/proc_namespace.c): tools parse these with sscanf and fixed
// field positions, so spacing, widths and field order matter.
import { RLIMIT_NAMES } from '../../abi/linux/rlimit.js';
import type {
  ProcCaps,
  ProcCpuTimes,
  ProcFd,
  ProcFilesystemType,
  ProcKernelView,
  ProcMemLayout,
  ProcMemStats,
  ProcMemoryInfo,
  ProcMountEntry,
  ProcProcess,
  ProcState,
  ProcThread,
  ProcVma,
} from './view.js';
import { USER_HZ } from './view.js';

const KB = 1024;
const PAGE = 4096;
const U64_MAX = '18446744073709551615';
/** O_CLOEXEC, shown in fdinfo flags for a close-on-exec descriptor. */
const O_CLOEXEC = 0o2000000;
/** Capabilities 0 … CAP_LAST_CAP (40, CAP_CHECKPOINT_RESTORE). */
export const CAP_LAST_CAP = 40;
export const CAP_FULL = (1n << BigInt(CAP_LAST_CAP + 1)) - 1n;
/** PF_RANDOMIZE: the usual PF_* flags of a user process. */
const PF_RANDOMIZE = 0x00400000;
const SIGCHLD = 17;
const MASK64 = (1n << 64n) - 1n;

const STATE_NAMES: Record<ProcState, string> = {
  R: 'R (running)',
  S: 'S (sleeping)',
  D: 'D (disk sleep)',
  T: 'T (stopped)',
  t: 't (tracing stop)',
  X: 'X (dead)',
  Z: 'Z (zombie)',
  P: 'P (parked)',
  I: 'I (idle)',
};

/** An unsigned limit: RLIM_INFINITY (Infinity or beyond 2^64-1) prints as 2^64-1. */
function ulong(v: number): string {
  if (!Number.isFinite(v) || v >= 2 ** 64) return U64_MAX;
  return String(Math.max(0, Math.trunc(v)));
}

function kb(bytes: number | undefined): number {
  return Math.floor((bytes ?? 0) / KB);
}

function pages(bytes: number | undefined): number {
  return Math.floor((bytes ?? 0) / PAGE);
}

/** seq_put_decimal_ull_width(…, 8) followed by " kB". */
function kbField(label: string, bytes: number | undefined): string {
  return `${label}${String(kb(bytes)).padStart(8)} kB\n`;
}

/** A 64-bit set as 16 hex digits (render_sigset_t, render_cap_t). */
export function hex16(set: bigint | undefined): string {
  return ((set ?? 0n) & MASK64).toString(16).padStart(16, '0');
}

/** The leader of a process (the thread whose TID is the PID), or its first thread. */
export function leaderOf(p: ProcProcess): ProcThread | undefined {
  const ts = p.threads();
  return ts.find((t) => t.tid === p.pid) ?? ts[0];
}

/** proc_task_name with escaping, as in status: only "\n" and "\\" are escaped. */
function escapeName(name: string): string {
  return name.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function defaultCaps(t: ProcThread): ProcCaps {
  const all = t.creds.euid === 0;
  return { inheritable: 0n, permitted: all ? CAP_FULL : 0n, effective: all ? CAP_FULL : 0n, bounding: CAP_FULL, ambient: 0n };
}

/** %*pbl: "0-3,6". */
export function cpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** %*pb over nbits: 32-bit hex words, most significant first, the first as wide as its bits need. */
export function cpuMask(cpus: readonly number[], nbits: number): string {
  const words = Math.max(1, Math.ceil(nbits / 32));
  const out: string[] = [];
  for (let w = words - 1; w >= 0; w--) {
    let v = 0;
    for (const c of cpus) if (c >= w * 32 && c < (w + 1) * 32 && c < nbits) v |= 1 << (c - w * 32);
    const bits = w === words - 1 ? nbits - w * 32 : 32;
    out.push((v >>> 0).toString(16).padStart(Math.max(1, Math.ceil(bits / 4)), '0'));
  }
  return out.join(',');
}

function allCpus(n: number): number[] {
  return Array.from({ length: Math.max(1, n) }, (_, i) => i);
}

/** Memory counters derived from the mappings (task_mem's sources, approximated). */
export function memStatsFromVmas(vmas: readonly ProcVma[], layout?: ProcMemLayout): ProcMemStats {
  let size = 0;
  let rss = 0;
  let anon = 0;
  let file = 0;
  let shmem = 0;
  let data = 0;
  let stack = 0;
  let execVm = 0;
  let locked = 0;
  let firstFile: string | null = null;
  let firstFileExec = 0;
  for (const v of vmas) {
    const len = v.end - v.start;
    const r = v.rss ?? 0;
    const a = v.anonymous ?? (!v.shared && v.ino === 0 ? r : 0);
    size += len;
    rss += r;
    anon += a;
    locked += v.locked ?? 0;
    if (v.shared) shmem += r;
    else file += r - a;
    const isStack = v.name === '[stack]';
    if (isStack) stack += len;
    else if (v.write && !v.shared) data += len;
    if (v.exec && !v.write && !isStack) {
      execVm += len;
      if (v.ino !== 0 && v.name !== null && v.name[0] !== '[') {
        if (firstFile === null) firstFile = v.name;
        if (v.name === firstFile) firstFileExec += len;
      }
    }
  }
  let text = firstFileExec;
  if (layout?.startCode !== undefined && layout.endCode !== undefined) {
    const start = layout.startCode - (layout.startCode % PAGE);
    const end = Math.ceil(layout.endCode / PAGE) * PAGE;
    text = Math.min(Math.max(0, end - start), execVm);
  }
  return {
    vmSize: size,
    vmPeak: size,
    vmLck: locked,
    vmPin: 0,
    vmHwm: rss,
    vmRss: rss,
    rssAnon: anon,
    rssFile: file,
    rssShmem: shmem,
    vmData: data,
    vmStk: stack,
    vmExe: text,
    vmLib: execVm - text,
    vmPte: Math.ceil(size / (512 * PAGE)) * PAGE,
    vmSwap: 0,
  };
}

function memOf(p: ProcProcess): ProcMemStats | null {
  if (p.memory) return p.memory();
  const vmas = p.vmas();
  return memStatsFromVmas(vmas, p.layout?.());
}

/** Who reads: whether fields reserved to a ptrace-capable reader are shown (do_task_stat's permitted). */
export interface StatOptions {
  /** /proc/PID/stat (whole process: times and faults summed over threads) rather than task/TID/stat. */
  whole: boolean;
  permitted: boolean;
}

/** /proc/PID/stat and /proc/PID/task/TID/stat: 52 fields (man 5 proc_pid_stat). */
export function formatStat(p: ProcProcess, t: ProcThread, opts: StatOptions): string {
  const threads = p.threads();
  const mem = memOf(p);
  const layout = p.layout?.() ?? {};
  const limits = p.limits();
  const sum = (f: (x: ProcThread) => number | undefined): number => (opts.whole ? threads.reduce((s, x) => s + (f(x) ?? 0), 0) : (f(t) ?? 0));
  const nice = t.nice ?? 0;
  const running = t.state === 'R';
  const permitted = opts.permitted;
  const hasMm = mem !== null;
  const f: (string | number)[] = [
    t.state,
    p.ppid,
    p.pgid ?? p.pid,
    p.sid ?? p.pid,
    p.ttyNr ?? 0,
    p.tpgid ?? -1,
    p.flags ?? PF_RANDOMIZE,
    sum((x) => x.minflt),
    0,
    sum((x) => x.majflt),
    0,
    Math.floor(sum((x) => x.utime)),
    Math.floor(sum((x) => x.stime)),
    Math.floor(p.cutime ?? 0),
    Math.floor(p.cstime ?? 0),
    20 + nice,
    nice,
    threads.length,
    0,
    Math.floor(t.startTime ?? p.startTime ?? 0),
    mem?.vmSize ?? 0,
    pages(mem?.vmRss),
    ulong(limits[5]?.cur ?? Infinity),
    hasMm ? (permitted ? layout.startCode ?? 0 : 1) : 0,
    hasMm ? (permitted ? layout.endCode ?? 0 : 1) : 0,
    permitted && hasMm ? layout.startStack ?? 0 : 0,
    0,
    0,
    Number((t.sigPending ?? 0n) & 0x7fffffffn),
    Number((t.sigBlocked ?? 0n) & 0x7fffffffn),
    Number((p.sigIgnored ?? 0n) & 0x7fffffffn),
    Number((p.sigCaught ?? 0n) & 0x7fffffffn),
    permitted && !running ? 1 : 0,
    0,
    0,
    t.tid === p.pid ? p.exitSignal ?? SIGCHLD : -1,
    t.processor ?? 0,
    0,
    0,
    0,
    0,
    0,
  ];
  if (hasMm && permitted) {
    f.push(layout.startData ?? 0, layout.endData ?? 0, layout.startBrk ?? 0, layout.argStart ?? 0, layout.argEnd ?? 0, layout.envStart ?? 0, layout.envEnd ?? 0);
  } else {
    f.push(0, 0, 0, 0, 0, 0, 0);
  }
  f.push(permitted ? p.exitCode ?? 0 : 0);
  return `${t.tid} (${t.comm}) ${f.join(' ')}\n`;
}

/** "%#04o": 022 is "0022", 0 is "0000". */
function umaskText(mask: number): string {
  const m = mask & 0o777;
  return (m === 0 ? '0' : '0' + m.toString(8)).padStart(4, '0');
}

/** /proc/PID/status (proc_pid_status). */
export function formatStatus(p: ProcProcess, t: ProcThread, view: ProcKernelView, fdSize: number): string {
  const c = t.creds;
  const threads = p.threads();
  let s = `Name:\t${escapeName(t.comm)}\n`;
  if (p.umask !== undefined) s += `Umask:\t${umaskText(p.umask)}\n`;
  s += `State:\t${STATE_NAMES[t.state]}\n`;
  s += `Tgid:\t${p.pid}\nNgid:\t0\nPid:\t${t.tid}\nPPid:\t${p.ppid}\nTracerPid:\t${t.tracerPid ?? 0}\n`;
  s += `Uid:\t${c.uid}\t${c.euid}\t${c.suid}\t${c.fsuid}\n`;
  s += `Gid:\t${c.gid}\t${c.egid}\t${c.sgid}\t${c.fsgid}\n`;
  s += `FDSize:\t${fdSize}\n`;
  s += `Groups:\t${c.groups.join(' ')} \n`;
  s += `NStgid:\t${p.pid}\nNSpid:\t${t.tid}\nNSpgid:\t${p.pgid ?? p.pid}\nNSsid:\t${p.sid ?? p.pid}\n`;
  const mem = memOf(p);
  if (mem) {
    s += kbField('VmPeak:\t', mem.vmPeak ?? mem.vmSize);
    s += kbField('VmSize:\t', mem.vmSize);
    s += kbField('VmLck:\t', mem.vmLck);
    s += kbField('VmPin:\t', mem.vmPin);
    s += kbField('VmHWM:\t', mem.vmHwm ?? mem.vmRss);
    s += kbField('VmRSS:\t', mem.vmRss);
    s += kbField('RssAnon:\t', mem.rssAnon);
    s += kbField('RssFile:\t', mem.rssFile);
    s += kbField('RssShmem:\t', mem.rssShmem);
    s += kbField('VmData:\t', mem.vmData);
    s += kbField('VmStk:\t', mem.vmStk);
    s += kbField('VmExe:\t', mem.vmExe);
    s += kbField('VmLib:\t', mem.vmLib);
    s += kbField('VmPTE:\t', mem.vmPte);
    s += kbField('VmSwap:\t', mem.vmSwap);
    s += kbField('HugetlbPages:\t', 0);
    s += 'CoreDumping:\t0\nTHP_enabled:\t1\n';
  }
  const sigLimit = p.limits()[11]?.cur ?? Infinity;
  s += `Threads:\t${threads.length}\n`;
  s += `SigQ:\t${p.sigQueued ?? 0}/${ulong(sigLimit)}\n`;
  s += `SigPnd:\t${hex16(t.sigPending)}\nShdPnd:\t${hex16(p.sigSharedPending)}\nSigBlk:\t${hex16(t.sigBlocked)}\n`;
  s += `SigIgn:\t${hex16(p.sigIgnored)}\nSigCgt:\t${hex16(p.sigCaught)}\n`;
  const caps = t.caps ?? defaultCaps(t);
  s += `CapInh:\t${hex16(caps.inheritable)}\nCapPrm:\t${hex16(caps.permitted)}\nCapEff:\t${hex16(caps.effective)}\n`;
  s += `CapBnd:\t${hex16(caps.bounding)}\nCapAmb:\t${hex16(caps.ambient)}\n`;
  s += `NoNewPrivs:\t${t.noNewPrivs ? 1 : 0}\nSeccomp:\t${t.seccompMode ?? 0}\nSeccomp_filters:\t${t.seccompFilters ?? 0}\n`;
  s += 'Speculation_Store_Bypass:\tthread vulnerable\nSpeculationIndirectBranch:\tconditional enabled\n';
  const ncpu = view.cpus();
  const allowed = t.cpusAllowed ?? allCpus(ncpu);
  s += `Cpus_allowed:\t${cpuMask(allowed, ncpu)}\nCpus_allowed_list:\t${cpuList(allowed)}\n`;
  s += `Mems_allowed:\t${cpuMask([0], 1024)}\nMems_allowed_list:\t0\n`;
  s += `voluntary_ctxt_switches:\t${t.voluntarySwitches ?? 0}\nnonvoluntary_ctxt_switches:\t${t.involuntarySwitches ?? 0}\n`;
  return s;
}

/** FDSize: the descriptor table's size (a power of two, at least 64 — NR_OPEN_DEFAULT = BITS_PER_LONG). */
export function fdTableSize(fds: readonly ProcFd[]): number {
  let max = -1;
  for (const f of fds) if (f.fd > max) max = f.fd;
  let n = 64;
  while (n <= max) n *= 2;
  return n;
}

/** /proc/PID/statm: size resident shared text lib data dt, in pages. */
export function formatStatm(p: ProcProcess): string {
  const m = memOf(p);
  if (!m) return '0 0 0 0 0 0 0\n';
  const shared = (m.rssFile ?? 0) + (m.rssShmem ?? 0);
  return `${pages(m.vmSize)} ${pages(m.vmRss)} ${pages(shared)} ${pages(m.vmExe)} 0 ${pages((m.vmData ?? 0) + (m.vmStk ?? 0))} 0\n`;
}

const LIMIT_LABELS: readonly (readonly [string, string | null])[] = [
  ['Max cpu time', 'seconds'],
  ['Max file size', 'bytes'],
  ['Max data size', 'bytes'],
  ['Max stack size', 'bytes'],
  ['Max core file size', 'bytes'],
  ['Max resident set', 'bytes'],
  ['Max processes', 'processes'],
  ['Max open files', 'files'],
  ['Max locked memory', 'bytes'],
  ['Max address space', 'bytes'],
  ['Max file locks', 'locks'],
  ['Max pending signals', 'signals'],
  ['Max msgqueue size', 'bytes'],
  ['Max nice priority', null],
  ['Max realtime priority', null],
  ['Max realtime timeout', 'us'],
];

/** /proc/PID/limits (proc_pid_limits). */
export function formatLimits(limits: readonly { cur: number; max: number }[]): string {
  const val = (v: number): string => (!Number.isFinite(v) || v >= 2 ** 64 ? 'unlimited' : ulong(v));
  let s = `${'Limit'.padEnd(25)} ${'Soft Limit'.padEnd(20)} ${'Hard Limit'.padEnd(20)} ${'Units'.padEnd(10)}\n`;
  for (let i = 0; i < LIMIT_LABELS.length && i < RLIMIT_NAMES.length; i++) {
    const [name, unit] = LIMIT_LABELS[i]!;
    const l = limits[i] ?? { cur: Infinity, max: Infinity };
    s += `${name.padEnd(25)} ${val(l.cur).padEnd(20)} ${val(l.max).padEnd(20)} `;
    s += unit ? `${unit.padEnd(10)}\n` : '\n';
  }
  return s;
}

function hexw(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** show_vma_header_prefix plus the name, padded to column 73 (seq_pad). */
function mapsLine(v: ProcVma): string {
  const perms = (v.read ? 'r' : '-') + (v.write ? 'w' : '-') + (v.exec ? 'x' : '-') + (v.shared ? 's' : 'p');
  let line = `${hexw(v.start, 8)}-${hexw(v.end, 8)} ${perms} ${hexw(v.offset, 8)} ${hexw(v.major, 2)}:${hexw(v.minor, 2)} ${v.ino} `;
  if (v.name !== null) line = line.padEnd(72, ' ') + ' ' + v.name;
  return line + '\n';
}

/** /proc/PID/maps. */
export function formatMaps(vmas: readonly ProcVma[]): string {
  let s = '';
  for (const v of vmas) s += mapsLine(v);
  return s;
}

/** The VmFlags mnemonics Linux would show for a mapping with these protections. */
export function defaultVmFlags(v: ProcVma): string[] {
  const f: string[] = [];
  if (v.read) f.push('rd');
  if (v.write) f.push('wr');
  if (v.exec) f.push('ex');
  if (v.shared) f.push('sh');
  f.push('mr', 'mw', 'me');
  if (v.shared) f.push('ms');
  const stack = v.name === '[stack]';
  if (stack) f.push('gd');
  if (v.locked) f.push('lo');
  if ((v.write || stack) && !v.shared) f.push('ac');
  return f;
}

function smapsField(label: string, bytes: number): string {
  return `${label.padEnd(16)}${String(kb(bytes)).padStart(8)} kB\n`;
}

/** /proc/PID/smaps (show_smap): the maps line, then sizes per mapping. */
export function formatSmaps(vmas: readonly ProcVma[]): string {
  let s = '';
  for (const v of vmas) {
    const size = v.end - v.start;
    const rss = Math.min(size, v.rss ?? 0);
    const anon = Math.min(rss, v.anonymous ?? (!v.shared && v.ino === 0 ? rss : 0));
    const dirty = v.shared ? rss : anon;
    s += mapsLine(v);
    s += smapsField('Size:', size);
    s += smapsField('KernelPageSize:', PAGE);
    s += smapsField('MMUPageSize:', PAGE);
    s += smapsField('Rss:', rss);
    s += smapsField('Pss:', rss);
    s += smapsField('Pss_Dirty:', dirty);
    s += smapsField('Shared_Clean:', 0);
    s += smapsField('Shared_Dirty:', 0);
    s += smapsField('Private_Clean:', rss - dirty);
    s += smapsField('Private_Dirty:', dirty);
    s += smapsField('Referenced:', rss);
    s += smapsField('Anonymous:', anon);
    s += smapsField('KSM:', 0);
    s += smapsField('LazyFree:', 0);
    s += smapsField('AnonHugePages:', 0);
    s += smapsField('ShmemPmdMapped:', 0);
    s += smapsField('FilePmdMapped:', 0);
    s += smapsField('Shared_Hugetlb:', 0);
    s += `Private_Hugetlb: ${String(0).padStart(7)} kB\n`;
    s += smapsField('Swap:', 0);
    s += smapsField('SwapPss:', 0);
    s += smapsField('Locked:', Math.min(rss, v.locked ?? 0));
    s += `${'THPeligible:'.padEnd(16)}${'0'.padStart(8)}\n`;
    s += `VmFlags: ${(v.vmFlags ?? defaultVmFlags(v)).map((x) => x + ' ').join('')}\n`;
  }
  return s;
}

const MAPS_LINE = /^([0-9a-f]+)-([0-9a-f]+) ([r-])([w-])([x-])([sp]) ([0-9a-f]+) ([0-9a-f]+):([0-9a-f]+) (\d+) ?(.*)$/;

/**
 * Mappings from the text of /proc/PID/maps (MemoryManager.procMaps()), for
 * an adapter that has only that; rss is unknown (0).
 */
export function vmasFromMaps(text: string): ProcVma[] {
  const out: ProcVma[] = [];
  for (const line of text.split('\n')) {
    const m = MAPS_LINE.exec(line);
    if (!m) continue;
    const name = m[11]!.trimStart();
    out.push({
      start: parseInt(m[1]!, 16),
      end: parseInt(m[2]!, 16),
      read: m[3] === 'r',
      write: m[4] === 'w',
      exec: m[5] === 'x',
      shared: m[6] === 's',
      offset: parseInt(m[7]!, 16),
      major: parseInt(m[8]!, 16),
      minor: parseInt(m[9]!, 16),
      ino: Number(m[10]),
      name: name.length > 0 ? name : null,
    });
  }
  return out;
}

/** /proc/PID/fdinfo/N (seq_show in fs/proc/fd.c). */
export function formatFdinfo(f: ProcFd, mntId: number, ino: number): string {
  const flags = (f.flags | (f.cloexec ? O_CLOEXEC : 0)) >>> 0;
  return `pos:\t${f.pos}\nflags:\t0${flags.toString(8)}\nmnt_id:\t${mntId}\nino:\t${ino}\n${f.fdinfoExtra ?? ''}`;
}

/** mangle(): space, tab, newline and backslash as octal escapes. */
export function mangle(s: string): string {
  return s.replace(/[ \t\n\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));
}

/** /proc/PID/mounts (show_vfsmnt). */
export function formatMounts(entries: readonly ProcMountEntry[]): string {
  let s = '';
  for (const e of entries) {
    const ro = e.readOnly || e.superReadOnly ? 'ro' : 'rw';
    const opts = [ro, ...e.mountFlags, ...e.fsOptions].join(',');
    s += `${mangle(e.source)} ${mangle(e.mountPoint)} ${mangle(e.fsType)} ${opts} 0 0\n`;
  }
  return s;
}

/** /proc/PID/mountinfo (show_mountinfo, man 5 proc_pid_mountinfo). */
export function formatMountinfo(entries: readonly ProcMountEntry[]): string {
  let s = '';
  for (const e of entries) {
    const mnt = [e.readOnly ? 'ro' : 'rw', ...e.mountFlags].join(',');
    const sb = [e.superReadOnly ? 'ro' : 'rw', ...e.fsOptions].join(',');
    const optional = e.optional.map((o) => ' ' + o).join('');
    s += `${e.id} ${e.parentId} ${e.major}:${e.minor} ${mangle(e.root)} ${mangle(e.mountPoint)} ${mnt}${optional} - ${mangle(e.fsType)} ${mangle(e.source)} ${sb}\n`;
  }
  return s;
}

// --- system-wide files -------------------------------------------------------------------

function meminfoLine(label: string, v: number, unit = true): string {
  return `${(label + ':').padEnd(16)}${String(v).padStart(8)}${unit ? ' kB' : ''}\n`;
}

/** /proc/meminfo for the sandbox: MemTotal is its memory limit, MemFree what is left of it. */
export function formatMeminfo(m: ProcMemoryInfo): string {
  const total = kb(m.total);
  const used = Math.min(total, kb(m.used));
  const free = total - used;
  const shmem = Math.min(used, kb(m.shmem));
  const cached = Math.min(used - shmem, kb(m.cached));
  const anon = Math.max(0, used - shmem - cached);
  const mlocked = kb(m.mlocked);
  const lines: [string, number, boolean?][] = [
    ['MemTotal', total],
    ['MemFree', free],
    ['MemAvailable', free + cached],
    ['Buffers', 0],
    ['Cached', cached + shmem],
    ['SwapCached', 0],
    ['Active', anon + shmem + cached],
    ['Inactive', 0],
    ['Active(anon)', anon + shmem],
    ['Inactive(anon)', 0],
    ['Active(file)', cached],
    ['Inactive(file)', 0],
    ['Unevictable', mlocked],
    ['Mlocked', mlocked],
    ['SwapTotal', 0],
    ['SwapFree', 0],
    ['Zswap', 0],
    ['Zswapped', 0],
    ['Dirty', 0],
    ['Writeback', 0],
    ['AnonPages', anon],
    ['Mapped', cached + shmem],
    ['Shmem', shmem],
    ['KReclaimable', 0],
    ['Slab', 0],
    ['SReclaimable', 0],
    ['SUnreclaim', 0],
    ['KernelStack', 0],
    ['PageTables', 0],
    ['SecPageTables', 0],
    ['NFS_Unstable', 0],
    ['Bounce', 0],
    ['WritebackTmp', 0],
    ['CommitLimit', Math.floor(total / 2)],
    ['Committed_AS', used],
    ['VmallocTotal', 34359738367],
    ['VmallocUsed', 0],
    ['VmallocChunk', 0],
    ['Percpu', 0],
    ['AnonHugePages', 0],
    ['ShmemHugePages', 0],
    ['ShmemPmdMapped', 0],
    ['FileHugePages', 0],
    ['FilePmdMapped', 0],
    ['HugePages_Total', 0, false],
    ['HugePages_Free', 0, false],
    ['HugePages_Rsvd', 0, false],
    ['HugePages_Surp', 0, false],
    ['Hugepagesize', 2048],
    ['Hugetlb', 0],
  ];
  return lines.map(([l, v, unit]) => meminfoLine(l, v, unit !== false)).join('');
}

function cpuLine(label: string, t: {
  user: number; nice: number; system: number; idle: number; iowait?: number; irq?: number; softirq?: number; steal?: number; guest?: number; guestNice?: number;
}): string {
  const v = [t.user, t.nice, t.system, t.idle, t.iowait ?? 0, t.irq ?? 0, t.softirq ?? 0, t.steal ?? 0, t.guest ?? 0, t.guestNice ?? 0];
  return label + v.map((x) => ' ' + Math.max(0, Math.floor(x))).join('') + '\n';
}

/** The per-CPU times, all idle when the view has none. */
export function cpuTimesOf(view: ProcKernelView): readonly ProcCpuTimes[] {
  const n = Math.max(1, view.cpus());
  const given = view.cpuTimes?.();
  if (given && given.length > 0) return given;
  const idle = Math.floor(view.uptime() * USER_HZ);
  return Array.from({ length: n }, () => ({ user: 0, nice: 0, system: 0, idle }));
}

/** Thread states over every process: [running, blocked in D, all threads]. */
function threadCounts(view: ProcKernelView): { running: number; blocked: number; total: number } {
  let running = 0;
  let blocked = 0;
  let total = 0;
  for (const pid of view.pids()) {
    const p = view.process(pid);
    if (!p) continue;
    for (const t of p.threads()) {
      total++;
      if (t.state === 'R') running++;
      else if (t.state === 'D') blocked++;
    }
  }
  return { running, blocked, total };
}

function lastPidOf(view: ProcKernelView): number {
  if (view.lastPid) return view.lastPid();
  const pids = view.pids();
  return pids.length > 0 ? pids[pids.length - 1]! : 0;
}

/** /proc/stat (show_stat). */
export function formatProcStat(view: ProcKernelView): string {
  const times = cpuTimesOf(view);
  const total = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0 };
  for (const t of times) {
    total.user += t.user;
    total.nice += t.nice;
    total.system += t.system;
    total.idle += t.idle;
    total.iowait += t.iowait ?? 0;
    total.irq += t.irq ?? 0;
    total.softirq += t.softirq ?? 0;
    total.steal += t.steal ?? 0;
    total.guest += t.guest ?? 0;
    total.guestNice += t.guestNice ?? 0;
  }
  let s = cpuLine('cpu ', total);
  times.forEach((t, i) => {
    s += cpuLine(`cpu${i}`, t);
  });
  const counts = threadCounts(view);
  s += 'intr 0\n';
  s += `ctxt ${Math.floor(view.contextSwitches?.() ?? 0)}\n`;
  s += `btime ${Math.floor(view.bootTime())}\n`;
  s += `processes ${view.forks?.() ?? lastPidOf(view)}\n`;
  s += `procs_running ${Math.max(1, counts.running)}\n`;
  s += `procs_blocked ${counts.blocked}\n`;
  s += 'softirq 0 0 0 0 0 0 0 0 0 0 0\n';
  return s;
}

/** "%lu.%02lu": seconds with hundredths, truncated. */
function centi(sec: number): string {
  const c = Math.max(0, Math.floor(sec * 100));
  return `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

/** /proc/uptime: seconds since boot and idle seconds summed over CPUs. */
export function formatUptime(view: ProcKernelView): string {
  const up = view.uptime();
  let idle: number;
  if (view.idleTime) idle = view.idleTime();
  else if (view.cpuTimes) idle = cpuTimesOf(view).reduce((s, t) => s + t.idle, 0) / USER_HZ;
  else idle = 0;
  return `${centi(up)} ${centi(idle)}\n`;
}

/** /proc/loadavg: the three averages, running/total threads, the last PID. */
export function formatLoadavg(view: ProcKernelView): string {
  const [a, b, c] = view.loadavg?.() ?? [0, 0, 0];
  const counts = threadCounts(view);
  return `${centi(a)} ${centi(b)} ${centi(c)} ${Math.max(1, counts.running)}/${counts.total} ${lastPidOf(view)}\n`;
}

/** /proc/version. */
export function formatVersion(view: ProcKernelView): string {
  return `Linux version ${view.release} (tsvisor@tsvisor) (tsvisor) ${view.version}\n`;
}

/** The file systems tsvisor provides. */
export const DEFAULT_FILESYSTEMS: readonly ProcFilesystemType[] = [
  { name: 'sysfs', nodev: true },
  { name: 'tmpfs', nodev: true },
  { name: 'proc', nodev: true },
  { name: 'devpts', nodev: true },
  { name: 'overlay', nodev: true },
];

/** /proc/filesystems. */
export function formatFilesystems(list: readonly ProcFilesystemType[]): string {
  return list.map((f) => `${f.nodev ? 'nodev' : ''}\t${f.name}\n`).join('');
}

/**
 * The host's /proc/cpuinfo cut to the first n processors, renumbered, with
 * the sibling and core counts a machine of n CPUs would show.
 */
export function restrictCpuinfo(hostText: string, n: number): string {
  const blocks = hostText.split(/\n\n+/).filter((b) => /^processor\s*:/m.test(b));
  if (blocks.length === 0) return syntheticCpuinfo(n);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const b = blocks[i % blocks.length]!;
    out.push(
      b
        .replace(/^(processor\s*:\s*)\d+/m, `$1${i}`)
        .replace(/^(siblings\s*:\s*)\d+/m, `$1${n}`)
        .replace(/^(cpu cores\s*:\s*)\d+/m, `$1${n}`)
        .replace(/^(core id\s*:\s*)\d+/m, `$1${i}`)
        .replace(/^((?:initial )?apicid\s*:\s*)\d+/gm, `$1${i}`)
        .replace(/\n+$/, '') + '\n',
    );
  }
  return out.join('\n') + '\n';
}

/** A minimal /proc/cpuinfo when the host's is unavailable. */
export function syntheticCpuinfo(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      `processor\t: ${i}\nvendor_id\t: unknown\ncpu family\t: 0\nmodel\t\t: 0\nmodel name\t: unknown\n` +
        `physical id\t: 0\nsiblings\t: ${n}\ncore id\t\t: ${i}\ncpu cores\t: ${n}\nfpu\t\t: yes\nflags\t\t: fpu\n` +
        'clflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 48 bits physical, 48 bits virtual\npower management:\n',
    );
  }
  return out.join('\n') + '\n';
}

/** %pU of 16 random bytes made a version-4 UUID (generate_random_uuid). */
export function formatUuid(b: Uint8Array): string {
  const u = Uint8Array.from(b.subarray(0, 16));
  u[6] = (u[6]! & 0x0f) | 0x40;
  u[8] = (u[8]! & 0x3f) | 0x80;
  const h = Buffer.from(u).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
