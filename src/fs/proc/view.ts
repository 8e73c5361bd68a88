// What procfs needs from the kernel, as plain interfaces: procfs renders
// these and never reaches into Kernel, ThreadGroup or Task, so it can be
// tested with a fake and the kernel's adapter stays a thin layer. Everything
// is read when a file is rendered (at read time), so values are live.
//
// Conventions: IDs are those of the sandbox's PID namespace; sizes are in
// bytes; times in clock ticks are USER_HZ (100 per second); signal and
// capability sets are 64-bit masks as bigint (bit n-1 is signal n); text is a
// byte string (one char code per byte).
import type { Caller } from '../../vfs/fs_struct.js';
import type { VfsPath } from '../../vfs/path.js';

/** Clock ticks per second of every tick count procfs shows (USER_HZ). */
export const USER_HZ = 100;

/** The kernel as procfs sees it. */
export interface ProcKernelView {
  /** Thread-group IDs of the processes (zombies included), ascending. */
  pids(): readonly number[];
  /** The process whose thread-group ID is pid, or null. */
  process(pid: number): ProcProcess | null;
  /**
   * The process and thread making the current call: caller identifies it
   * when given; without one (a FileImpl's read or write), the task whose
   * system call the kernel is serving. Null outside any task.
   */
  current(caller?: Caller): { pid: number; tid: number } | null;

  hostname(): string;
  /** sethostname through /proc/sys/kernel/hostname (root only; the file is read-only without this). 0 or -errno. */
  setHostname?(name: string): number;
  domainname?(): string;
  /** uname -r ("6.6.0") and uname -v ("#1 SMP PREEMPT_DYNAMIC …"). */
  readonly release: string;
  readonly version: string;
  /** A UUID fixed for the sandbox's life (/proc/sys/kernel/random/boot_id); default: random at mount. */
  readonly bootId?: string;

  /** Seconds since the sandbox booted. */
  uptime(): number;
  /** Seconds all CPUs spent idle since boot (the second number of /proc/uptime); default derived from cpuTimes or 0. */
  idleTime?(): number;
  /** Wall-clock time of boot, in seconds since the epoch (btime). */
  bootTime(): number;
  /** CPUs the sandbox has (cpu0 … cpuN-1). */
  cpus(): number;
  /** Per-CPU times in ticks, one per CPU; default: all idle. */
  cpuTimes?(): readonly ProcCpuTimes[];
  /** The sandbox's memory (MemoryFile): the limit and what is in use. */
  memory(): ProcMemoryInfo;
  /** 1, 5 and 15-minute load averages; default 0. */
  loadavg?(): readonly [number, number, number];
  /** Processes created since boot (the processes line of /proc/stat); default the last PID. */
  forks?(): number;
  /** The most recently allocated PID (/proc/loadavg); default the largest live one. */
  lastPid?(): number;
  /** Context switches since boot (ctxt); default 0. */
  contextSwitches?(): number;
  /** /proc/cpuinfo (see restrictCpuinfo); default: the host's at mount time, restricted to cpus(). */
  cpuinfo?(): string;
  /** /proc/filesystems: the types the sandbox can mount; default tsvisor's own. */
  filesystems?(): readonly ProcFilesystemType[];
}

export interface ProcFilesystemType {
  name: string;
  /** No backing device (printed as "nodev"). */
  nodev: boolean;
}

export interface ProcCpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait?: number;
  irq?: number;
  softirq?: number;
  steal?: number;
  guest?: number;
  guestNice?: number;
}

export interface ProcMemoryInfo {
  /** MemTotal: the sandbox's memory limit. */
  total: number;
  /** Bytes in use (MemFree = total - used). */
  used: number;
  /** tmpfs and shared memory pages (Shmem; counted in Cached). */
  shmem?: number;
  /** Page cache of file data (Cached, besides shmem). */
  cached?: number;
  /** Memory locked with mlock (Mlocked). */
  mlocked?: number;
}

/** Single-letter task states of /proc/PID/stat (fs/proc/array.c task_state_array). */
export type ProcState = 'R' | 'S' | 'D' | 'T' | 't' | 'X' | 'Z' | 'P' | 'I';

/** A process (thread group). */
export interface ProcProcess {
  readonly pid: number;
  /** 0 for the namespace's init. */
  readonly ppid: number;
  /** Process group and session (default: pid). */
  readonly pgid?: number;
  readonly sid?: number;
  /** Controlling terminal as a dev_t (tty_nr), 0 for none; its foreground process group (-1 for none). */
  readonly ttyNr?: number;
  readonly tpgid?: number;
  /** The threads, ascending by TID; the leader's TID is pid. Empty once reaped. */
  threads(): readonly ProcThread[];

  /** exe, cwd and root: a location (magic links follow it) or a path name only (readlink works, following is ENOENT). */
  readonly exe: VfsPath | string | null;
  readonly cwd: VfsPath | string | null;
  readonly root: VfsPath | string | null;
  /** The file-creation mask (Umask line), if the process has a file-system context. */
  readonly umask?: number;

  /** argv as in memory: NUL-terminated strings back to back (see nulJoin). */
  cmdline(): Uint8Array;
  /** envp likewise. */
  environ(): Uint8Array;
  /** The auxiliary vector as the ELF loader put it: (type, value) pairs of u64, AT_NULL last. */
  auxv?(): Uint8Array;

  /** Open descriptors, ascending. */
  fds(): readonly ProcFd[];
  /** The size of the descriptor table (FDSize); default: a power of two ≥ 64 above the highest fd. */
  readonly fdSize?: number;

  /** Mappings, ascending (see vmasFromMaps to build them from MemoryManager.procMaps()). */
  vmas(): readonly ProcVma[];
  /** Memory counters (status VmXXX, statm, stat vsize/rss); default: derived from vmas(). Null for none (a zombie). */
  memory?(): ProcMemStats | null;
  /** Addresses of the image's segments and strings (stat fields 26-28, 45-51). */
  layout?(): ProcMemLayout;

  /** Resource limits by RLIMIT_* index, Infinity for RLIM_INFINITY. */
  limits(): readonly { cur: number; max: number }[];
  /** The process's mount namespace seen from its root (see mountEntries). */
  mounts(): readonly ProcMountEntry[];

  /** Signals ignored, caught (a handler installed) and pending for the whole process; pending count for SigQ. */
  readonly sigIgnored?: bigint;
  readonly sigCaught?: bigint;
  readonly sigSharedPending?: bigint;
  readonly sigQueued?: number;

  /** Ticks after boot the process started (stat field 22). */
  readonly startTime?: number;
  /** CPU time of reaped children, in ticks. */
  readonly cutime?: number;
  readonly cstime?: number;
  /** Signal sent to the parent at exit (default SIGCHLD). */
  readonly exitSignal?: number;
  /** The wait status once exited (stat field 52). */
  readonly exitCode?: number;
  /** PF_* flags (stat field 9); default PF_RANDOMIZE. */
  readonly flags?: number;
  /** Not dumpable: /proc/PID entries belong to root and only privileged callers may follow its links. */
  readonly dumpable?: boolean;
  /** /proc/PID/cgroup (default "0::/\n"). */
  readonly cgroup?: string;
}

/** A thread. */
export interface ProcThread {
  readonly tid: number;
  /** The name (up to 15 bytes; PR_SET_NAME, /proc/PID/comm). */
  readonly comm: string;
  /** Writing /proc/PID/comm: the thread's new name (already cut to 15 bytes). */
  setComm?(name: string): void;
  readonly state: ProcState;
  readonly creds: ProcCreds;
  /** Blocked and thread-pending signals. */
  readonly sigBlocked?: bigint;
  readonly sigPending?: bigint;
  /** Capability sets; default: all for euid 0, none otherwise; bounding all. */
  readonly caps?: ProcCaps;
  readonly noNewPrivs?: boolean;
  /** SECCOMP_MODE_* (0 none, 1 strict, 2 filter) and the number of filters. */
  readonly seccompMode?: number;
  readonly seccompFilters?: number;
  /** CPU time in ticks. */
  readonly utime?: number;
  readonly stime?: number;
  /** Ticks after boot the thread started; default the process's. */
  readonly startTime?: number;
  readonly minflt?: number;
  readonly majflt?: number;
  /** Nice value (-20..19), default 0. */
  readonly nice?: number;
  /** The CPU it last ran on. */
  readonly processor?: number;
  /** CPUs it may run on; default all. */
  readonly cpusAllowed?: readonly number[];
  readonly voluntarySwitches?: number;
  readonly involuntarySwitches?: number;
  /** A tracer's PID (TracerPid), 0 for none. */
  readonly tracerPid?: number;
}

export interface ProcCreds {
  readonly uid: number;
  readonly euid: number;
  readonly suid: number;
  readonly fsuid: number;
  readonly gid: number;
  readonly egid: number;
  readonly sgid: number;
  readonly fsgid: number;
  readonly groups: readonly number[];
}

export interface ProcCaps {
  readonly inheritable: bigint;
  readonly permitted: bigint;
  readonly effective: bigint;
  readonly bounding: bigint;
  readonly ambient: bigint;
}

/** One open descriptor. */
export interface ProcFd {
  readonly fd: number;
  /** Where the file is, if it has a place in a mount tree: readlink shows its path, following opens it. */
  readonly path?: VfsPath;
  /** The link text when there is no path ("pipe:[123]", "socket:[45]", "anon_inode:[eventfd]"). */
  readonly name?: string;
  /** O_* status flags and access mode of the open file description. */
  readonly flags: number;
  readonly cloexec: boolean;
  /** The file offset. */
  readonly pos: number;
  /** mnt_id and ino of fdinfo when there is no path. */
  readonly mntId?: number;
  readonly ino?: number;
  /** Lines appended to fdinfo (eventfd-count, tfd …), each ending in "\n". */
  readonly fdinfoExtra?: string;
}

/** One mapping, as /proc/PID/maps shows it. */
export interface ProcVma {
  readonly start: number;
  readonly end: number;
  readonly read: boolean;
  readonly write: boolean;
  readonly exec: boolean;
  /** MAP_SHARED ('s'). */
  readonly shared: boolean;
  /** File offset in bytes (0 for anonymous memory). */
  readonly offset: number;
  readonly major: number;
  readonly minor: number;
  readonly ino: number;
  /** Path, "[heap]", "[stack]", "[vdso]", "[anon:name]" …, or null. */
  readonly name: string | null;
  /** Resident bytes (approximate); default 0. */
  readonly rss?: number;
  /** Anonymous (private, copied) bytes among rss; default rss of a private anonymous mapping. */
  readonly anonymous?: number;
  /** Locked bytes (mlock). */
  readonly locked?: number;
  /** smaps VmFlags mnemonics; default derived from the protections. */
  readonly vmFlags?: readonly string[];
}

/** Memory counters in bytes (fs/proc/task_mmu.c task_mem). */
export interface ProcMemStats {
  readonly vmSize: number;
  readonly vmPeak?: number;
  readonly vmLck?: number;
  readonly vmPin?: number;
  readonly vmHwm?: number;
  readonly vmRss?: number;
  readonly rssAnon?: number;
  readonly rssFile?: number;
  readonly rssShmem?: number;
  readonly vmData?: number;
  readonly vmStk?: number;
  readonly vmExe?: number;
  readonly vmLib?: number;
  readonly vmPte?: number;
  readonly vmSwap?: number;
}

/** Addresses of the process image (struct mm_struct). */
export interface ProcMemLayout {
  readonly startCode?: number;
  readonly endCode?: number;
  readonly startData?: number;
  readonly endData?: number;
  readonly startBrk?: number;
  readonly startStack?: number;
  readonly argStart?: number;
  readonly argEnd?: number;
  readonly envStart?: number;
  readonly envEnd?: number;
}

/** One mount, as /proc/PID/mountinfo shows it (see mountEntries). */
export interface ProcMountEntry {
  readonly id: number;
  readonly parentId: number;
  /** st_dev of the file system. */
  readonly major: number;
  readonly minor: number;
  /** The mount's root within its file system ("/" unless a bind of a subdirectory). */
  readonly root: string;
  /** Where it is mounted, relative to the process's root. */
  readonly mountPoint: string;
  /** The mount's own MS_RDONLY (mountinfo's per-mount rw/ro; /proc/mounts shows ro if either is). */
  readonly readOnly: boolean;
  /** The file system itself is read-only. */
  readonly superReadOnly: boolean;
  /** Per-mount options in show_mnt_opts order: nosuid, nodev, noexec, noatime, nodiratime, relatime, nosymfollow. */
  readonly mountFlags: readonly string[];
  /** Optional fields of mountinfo ("shared:1", "master:2"). */
  readonly optional: readonly string[];
  readonly fsType: string;
  /** The mount source ("proc", "tmpfs", "overlay", "none"). */
  readonly source: string;
  /** File-system options after rw/ro ("size=65536k", "mode=755"). */
  readonly fsOptions: readonly string[];
}

/** argv or envp as the kernel copies them: each string followed by a NUL. */
export function nulJoin(strings: readonly string[]): Uint8Array {
  return Buffer.from(strings.map((s) => s + '\0').join(''), 'latin1');
}
