// The formatter behind `tsvisor do --strace` (like runsc --strace and strace(1)):
// one line per syscall, e.g. `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3`.
//
// Argument convention. Each argument is one JS number for a 64-bit register.
// Pass the *signed* value, lo + (hi | 0) * 2^32 (SyscallArgs.i64): it is exact
// for every value in ±2^53, which covers addresses, sizes and small negatives
// such as -1 and AT_FDCWD. The unsigned value, lo + hi * 2^32 (SyscallArgs.u64),
// is accepted too: numbers >= 2^63 are read as v - 2^64. But a sign-extended
// small negative (0xffff...ff9c) is not representable that way and rounds to
// 2^64; such an argument of a 32-bit kind prints as `?`.
// Kinds then convert: int-like kinds (fd, int, pid, signal …) use the low 32
// bits as an int32 and flag kinds as a uint32 (the kernel ignores the high
// half of an int argument too); pointers, sizes, offsets and hex kinds use the
// full 64 bits.
//
// Strings are quoted and escaped as strace does, cut after 32 bytes with `...`
// after the closing quote (paths are shown whole, as strace does, up to
// PATH_MAX). An unreadable pointer prints as hex. Buffers, signal sets,
// sigactions, timespecs and argv are decoded when the memory interface offers
// readBytes; otherwise they print as pointers.

import { SYS, SYSCALL_NAMES } from '../abi/linux/syscalls.js';
import { ERRNO_NAMES } from '../abi/linux/errno.js';
import { CLOCK_NAMES, Itimer, TimerFlag } from '../abi/linux/time.js';
import { NSIG, SaFlag, SigHow, signalName } from '../abi/linux/signal.js';
import { Access, Fcntl, FdFlag, LockType, OpenFlag, Seal, Seek } from '../abi/linux/fcntl.js';
import { At, FileMode, StatxMask } from '../abi/linux/stat.js';
import { IOCTL_NAMES } from '../abi/linux/ioctl.js';
import { Grnd } from '../abi/linux/random.js';
import { Clone, Sched } from '../abi/linux/sched.js';
import { ARCH_PRCTL_NAMES, PRCTL_NAMES, Prctl } from '../abi/linux/prctl.js';
import { RLIMIT_NAMES } from '../abi/linux/rlimit.js';

/** What the formatter needs from a guest address space (the MemoryManager fits). */
export interface StraceMemory {
  /** A NUL-terminated string of at most max bytes (one char per byte), or a negative errno. */
  readCString(addr: number, max: number): string | number;
  /** Copies len bytes at addr into dst[off..]; a negative errno on failure. */
  readBytes?(addr: number, dst: Uint8Array, off: number, len: number): number;
}

/** strace's default -s: string and buffer bytes shown before `...`. */
export const STRACE_STRING_LIMIT = 32;
const PATH_MAX = 4096;

// ---------------------------------------------------------------------------
// Argument kinds.

const enum K {
  /** Not printed (e.g. the ignored pos_h of preadv2 on x86-64). */
  Skip,
  Int,
  UInt,
  Long,
  ULong,
  Hex,
  Ptr,
  Fd,
  DirFd,
  /** uid_t / gid_t: -1 means "unchanged". */
  Id,
  Path,
  Str,
  /** A buffer the call reads, its length in the next argument (write, sendto …). */
  WBuf,
  /** Permission bits, octal. */
  Mode,
  /** File type and permission bits (mknod). */
  FileMode,
  OpenFlags,
  /** O_* flags without an access mode (pipe2, dup3). */
  OFlags,
  AtFlags,
  AccessMode,
  Whence,
  Prot,
  MapFlags,
  MremapFlags,
  MsyncFlags,
  Madvise,
  MlockallFlags,
  Clock,
  TimerFlags,
  Itimer,
  Signal,
  SigSet,
  SigHow,
  Sigaction,
  Timespec,
  Ioctl,
  CloneFlags,
  UnshareFlags,
  WaitOptions,
  IdType,
  Rlimit,
  RusageWho,
  PrioWhich,
  SchedPolicy,
  Family,
  SockType,
  SockFlags,
  MsgFlags,
  Shutdown,
  EpollOp,
  EpollFlags,
  EfdFlags,
  TfdFlags,
  TfdTimerFlags,
  SfdFlags,
  InFlags,
  MfdFlags,
  GrndFlags,
  RenameFlags,
  StatxMask,
  UmountFlags,
  FlockOp,
  SpliceFlags,
  Fadvise,
  RwfFlags,
  ArchPrctl,
  Prctl,
  Fcntl,
  FdFlags,
  Seals,
  FutexOp,
  /** val3 of the *_BITSET futex ops. */
  FutexBitset,
  Argv,
  Envp,
}

type Spec = readonly K[];

// ---------------------------------------------------------------------------
// Name tables ([name, value]), in the order strace prints them. Values come
// from the ABI enums where they exist; the rest are checked against the C
// headers by test/unit/strace_tables.test.ts.

export type Xlat = readonly (readonly [string, number])[];

const OPEN_FLAGS: Xlat = [
  ['O_CREAT', OpenFlag.O_CREAT], ['O_EXCL', OpenFlag.O_EXCL], ['O_NOCTTY', OpenFlag.O_NOCTTY],
  ['O_TRUNC', OpenFlag.O_TRUNC], ['O_APPEND', OpenFlag.O_APPEND], ['O_NONBLOCK', OpenFlag.O_NONBLOCK],
  // Compound values go before their parts.
  ['O_SYNC', OpenFlag.O_SYNC], ['O_DSYNC', OpenFlag.O_DSYNC], ['O_ASYNC', OpenFlag.FASYNC],
  ['O_DIRECT', OpenFlag.O_DIRECT], ['O_LARGEFILE', OpenFlag.O_LARGEFILE], ['O_NOATIME', OpenFlag.O_NOATIME],
  ['O_CLOEXEC', OpenFlag.O_CLOEXEC], ['O_TMPFILE', OpenFlag.O_TMPFILE], ['O_DIRECTORY', OpenFlag.O_DIRECTORY],
  ['O_NOFOLLOW', OpenFlag.O_NOFOLLOW], ['O_PATH', OpenFlag.O_PATH], ['__O_SYNC', OpenFlag.__O_SYNC],
  ['__O_TMPFILE', OpenFlag.__O_TMPFILE],
];

const ACCESS_MODES: readonly string[] = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'];

const AT_FLAGS: Xlat = [
  ['AT_SYMLINK_NOFOLLOW', At.AT_SYMLINK_NOFOLLOW], ['AT_REMOVEDIR', At.AT_REMOVEDIR],
  ['AT_SYMLINK_FOLLOW', At.AT_SYMLINK_FOLLOW], ['AT_NO_AUTOMOUNT', At.AT_NO_AUTOMOUNT],
  ['AT_EMPTY_PATH', At.AT_EMPTY_PATH], ['AT_STATX_FORCE_SYNC', At.AT_STATX_FORCE_SYNC],
  ['AT_STATX_DONT_SYNC', At.AT_STATX_DONT_SYNC], ['AT_RECURSIVE', At.AT_RECURSIVE],
];

const ACCESS_FLAGS: Xlat = [['R_OK', Access.R_OK], ['W_OK', Access.W_OK], ['X_OK', Access.X_OK]];

const FILE_TYPES: Xlat = [
  ['S_IFSOCK', FileMode.S_IFSOCK], ['S_IFLNK', FileMode.S_IFLNK], ['S_IFREG', FileMode.S_IFREG],
  ['S_IFBLK', FileMode.S_IFBLK], ['S_IFDIR', FileMode.S_IFDIR], ['S_IFCHR', FileMode.S_IFCHR],
  ['S_IFIFO', FileMode.S_IFIFO],
];

const WHENCE: Xlat = [
  ['SEEK_SET', Seek.SEEK_SET], ['SEEK_CUR', Seek.SEEK_CUR], ['SEEK_END', Seek.SEEK_END],
  ['SEEK_DATA', Seek.SEEK_DATA], ['SEEK_HOLE', Seek.SEEK_HOLE],
];

const PROT: Xlat = [
  ['PROT_READ', 0x1], ['PROT_WRITE', 0x2], ['PROT_EXEC', 0x4], ['PROT_SEM', 0x8],
  ['PROT_GROWSDOWN', 0x01000000], ['PROT_GROWSUP', 0x02000000],
];

const MAP_TYPES: Xlat = [['MAP_SHARED', 0x01], ['MAP_PRIVATE', 0x02], ['MAP_SHARED_VALIDATE', 0x03]];

const MAP_FLAGS: Xlat = [
  ['MAP_FIXED', 0x10], ['MAP_ANONYMOUS', 0x20], ['MAP_32BIT', 0x40], ['MAP_GROWSDOWN', 0x100],
  ['MAP_DENYWRITE', 0x800], ['MAP_EXECUTABLE', 0x1000], ['MAP_LOCKED', 0x2000], ['MAP_NORESERVE', 0x4000],
  ['MAP_POPULATE', 0x8000], ['MAP_NONBLOCK', 0x10000], ['MAP_STACK', 0x20000], ['MAP_HUGETLB', 0x40000],
  ['MAP_SYNC', 0x80000], ['MAP_FIXED_NOREPLACE', 0x100000], ['MAP_UNINITIALIZED', 0x4000000],
];

const MREMAP_FLAGS: Xlat = [['MREMAP_MAYMOVE', 1], ['MREMAP_FIXED', 2], ['MREMAP_DONTUNMAP', 4]];
const MSYNC_FLAGS: Xlat = [['MS_ASYNC', 1], ['MS_INVALIDATE', 2], ['MS_SYNC', 4]];
const MLOCKALL_FLAGS: Xlat = [['MCL_CURRENT', 1], ['MCL_FUTURE', 2], ['MCL_ONFAULT', 4]];

const MADVISE: Xlat = [
  ['MADV_NORMAL', 0], ['MADV_RANDOM', 1], ['MADV_SEQUENTIAL', 2], ['MADV_WILLNEED', 3],
  ['MADV_DONTNEED', 4], ['MADV_FREE', 8], ['MADV_REMOVE', 9], ['MADV_DONTFORK', 10], ['MADV_DOFORK', 11],
  ['MADV_MERGEABLE', 12], ['MADV_UNMERGEABLE', 13], ['MADV_HUGEPAGE', 14], ['MADV_NOHUGEPAGE', 15],
  ['MADV_DONTDUMP', 16], ['MADV_DODUMP', 17], ['MADV_WIPEONFORK', 18], ['MADV_KEEPONFORK', 19],
  ['MADV_COLD', 20], ['MADV_PAGEOUT', 21], ['MADV_POPULATE_READ', 22], ['MADV_POPULATE_WRITE', 23],
  ['MADV_DONTNEED_LOCKED', 24], ['MADV_COLLAPSE', 25], ['MADV_HWPOISON', 100], ['MADV_SOFT_OFFLINE', 101],
];

const TIMER_FLAGS: Xlat = [['TIMER_ABSTIME', TimerFlag.TIMER_ABSTIME]];

const ITIMERS: Xlat = [
  ['ITIMER_REAL', Itimer.ITIMER_REAL], ['ITIMER_VIRTUAL', Itimer.ITIMER_VIRTUAL], ['ITIMER_PROF', Itimer.ITIMER_PROF],
];

const SIG_HOW: Xlat = [
  ['SIG_BLOCK', SigHow.SIG_BLOCK], ['SIG_UNBLOCK', SigHow.SIG_UNBLOCK], ['SIG_SETMASK', SigHow.SIG_SETMASK],
];

const SA_FLAGS: Xlat = [
  ['SA_NOCLDSTOP', SaFlag.SA_NOCLDSTOP], ['SA_NOCLDWAIT', SaFlag.SA_NOCLDWAIT], ['SA_SIGINFO', SaFlag.SA_SIGINFO],
  ['SA_RESTORER', SaFlag.SA_RESTORER], ['SA_ONSTACK', SaFlag.SA_ONSTACK], ['SA_RESTART', SaFlag.SA_RESTART],
  ['SA_NODEFER', SaFlag.SA_NODEFER], ['SA_RESETHAND', SaFlag.SA_RESETHAND],
  ['SA_EXPOSE_TAGBITS', SaFlag.SA_EXPOSE_TAGBITS],
];

const CLONE_FLAGS: Xlat = [
  ['CLONE_VM', Clone.CLONE_VM], ['CLONE_FS', Clone.CLONE_FS], ['CLONE_FILES', Clone.CLONE_FILES],
  ['CLONE_SIGHAND', Clone.CLONE_SIGHAND], ['CLONE_PIDFD', Clone.CLONE_PIDFD], ['CLONE_PTRACE', Clone.CLONE_PTRACE],
  ['CLONE_VFORK', Clone.CLONE_VFORK], ['CLONE_PARENT', Clone.CLONE_PARENT], ['CLONE_THREAD', Clone.CLONE_THREAD],
  ['CLONE_NEWNS', Clone.CLONE_NEWNS], ['CLONE_SYSVSEM', Clone.CLONE_SYSVSEM], ['CLONE_SETTLS', Clone.CLONE_SETTLS],
  ['CLONE_PARENT_SETTID', Clone.CLONE_PARENT_SETTID], ['CLONE_CHILD_CLEARTID', Clone.CLONE_CHILD_CLEARTID],
  ['CLONE_DETACHED', Clone.CLONE_DETACHED], ['CLONE_UNTRACED', Clone.CLONE_UNTRACED],
  ['CLONE_CHILD_SETTID', Clone.CLONE_CHILD_SETTID], ['CLONE_NEWCGROUP', Clone.CLONE_NEWCGROUP],
  ['CLONE_NEWUTS', Clone.CLONE_NEWUTS], ['CLONE_NEWIPC', Clone.CLONE_NEWIPC], ['CLONE_NEWUSER', Clone.CLONE_NEWUSER],
  ['CLONE_NEWPID', Clone.CLONE_NEWPID], ['CLONE_NEWNET', Clone.CLONE_NEWNET], ['CLONE_IO', Clone.CLONE_IO],
];

const UNSHARE_FLAGS: Xlat = [['CLONE_NEWTIME', Clone.CLONE_NEWTIME], ...CLONE_FLAGS];

const WAIT_OPTIONS: Xlat = [
  ['WNOHANG', 1], ['WUNTRACED', 2], ['WEXITED', 4], ['WCONTINUED', 8], ['WNOWAIT', 0x01000000],
  ['__WNOTHREAD', 0x20000000], ['__WALL', 0x40000000], ['__WCLONE', 0x80000000],
];

const ID_TYPES: Xlat = [['P_ALL', 0], ['P_PID', 1], ['P_PGID', 2], ['P_PIDFD', 3]];
const RUSAGE_WHO: Xlat = [['RUSAGE_SELF', 0], ['RUSAGE_CHILDREN', -1], ['RUSAGE_THREAD', 1]];
const PRIO_WHICH: Xlat = [['PRIO_PROCESS', 0], ['PRIO_PGRP', 1], ['PRIO_USER', 2]];

const SCHED_POLICIES: Xlat = [
  ['SCHED_OTHER', Sched.SCHED_OTHER], ['SCHED_FIFO', Sched.SCHED_FIFO], ['SCHED_RR', Sched.SCHED_RR],
  ['SCHED_BATCH', Sched.SCHED_BATCH], ['SCHED_IDLE', Sched.SCHED_IDLE], ['SCHED_DEADLINE', Sched.SCHED_DEADLINE],
];

const FAMILIES: Xlat = [
  ['AF_UNSPEC', 0], ['AF_UNIX', 1], ['AF_INET', 2], ['AF_INET6', 10], ['AF_NETLINK', 16], ['AF_PACKET', 17],
  ['AF_VSOCK', 40],
];

const SOCK_TYPES: Xlat = [
  ['SOCK_STREAM', 1], ['SOCK_DGRAM', 2], ['SOCK_RAW', 3], ['SOCK_RDM', 4], ['SOCK_SEQPACKET', 5],
  ['SOCK_DCCP', 6], ['SOCK_PACKET', 10],
];

const SOCK_FLAGS: Xlat = [['SOCK_NONBLOCK', OpenFlag.O_NONBLOCK], ['SOCK_CLOEXEC', OpenFlag.O_CLOEXEC]];

const MSG_FLAGS: Xlat = [
  ['MSG_OOB', 0x1], ['MSG_PEEK', 0x2], ['MSG_DONTROUTE', 0x4], ['MSG_CTRUNC', 0x8], ['MSG_PROXY', 0x10],
  ['MSG_TRUNC', 0x20], ['MSG_DONTWAIT', 0x40], ['MSG_EOR', 0x80], ['MSG_WAITALL', 0x100], ['MSG_FIN', 0x200],
  ['MSG_SYN', 0x400], ['MSG_CONFIRM', 0x800], ['MSG_RST', 0x1000], ['MSG_ERRQUEUE', 0x2000],
  ['MSG_NOSIGNAL', 0x4000], ['MSG_MORE', 0x8000], ['MSG_WAITFORONE', 0x10000], ['MSG_BATCH', 0x40000],
  ['MSG_ZEROCOPY', 0x4000000], ['MSG_FASTOPEN', 0x20000000], ['MSG_CMSG_CLOEXEC', 0x40000000],
];

const SHUTDOWN: Xlat = [['SHUT_RD', 0], ['SHUT_WR', 1], ['SHUT_RDWR', 2]];
const EPOLL_OPS: Xlat = [['EPOLL_CTL_ADD', 1], ['EPOLL_CTL_DEL', 2], ['EPOLL_CTL_MOD', 3]];
const EPOLL_FLAGS: Xlat = [['EPOLL_CLOEXEC', OpenFlag.O_CLOEXEC]];
const EFD_FLAGS: Xlat = [['EFD_SEMAPHORE', 1], ['EFD_CLOEXEC', OpenFlag.O_CLOEXEC], ['EFD_NONBLOCK', OpenFlag.O_NONBLOCK]];
const TFD_FLAGS: Xlat = [['TFD_CLOEXEC', OpenFlag.O_CLOEXEC], ['TFD_NONBLOCK', OpenFlag.O_NONBLOCK]];
const TFD_TIMER_FLAGS: Xlat = [['TFD_TIMER_ABSTIME', 1], ['TFD_TIMER_CANCEL_ON_SET', 2]];
const SFD_FLAGS: Xlat = [['SFD_CLOEXEC', OpenFlag.O_CLOEXEC], ['SFD_NONBLOCK', OpenFlag.O_NONBLOCK]];
const IN_FLAGS: Xlat = [['IN_CLOEXEC', OpenFlag.O_CLOEXEC], ['IN_NONBLOCK', OpenFlag.O_NONBLOCK]];

const MFD_FLAGS: Xlat = [
  ['MFD_CLOEXEC', 1], ['MFD_ALLOW_SEALING', 2], ['MFD_HUGETLB', 4], ['MFD_NOEXEC_SEAL', 8], ['MFD_EXEC', 0x10],
];

const GRND_FLAGS: Xlat = [
  ['GRND_NONBLOCK', Grnd.GRND_NONBLOCK], ['GRND_RANDOM', Grnd.GRND_RANDOM], ['GRND_INSECURE', Grnd.GRND_INSECURE],
];

const RENAME_FLAGS: Xlat = [['RENAME_NOREPLACE', 1], ['RENAME_EXCHANGE', 2], ['RENAME_WHITEOUT', 4]];

const STATX_MASK: Xlat = [
  // STATX_ALL and STATX_BASIC_STATS first, as strace does.
  ['STATX_ALL', StatxMask.STATX_ALL], ['STATX_BASIC_STATS', StatxMask.STATX_BASIC_STATS],
  ['STATX_TYPE', StatxMask.STATX_TYPE], ['STATX_MODE', StatxMask.STATX_MODE], ['STATX_NLINK', StatxMask.STATX_NLINK],
  ['STATX_UID', StatxMask.STATX_UID], ['STATX_GID', StatxMask.STATX_GID], ['STATX_ATIME', StatxMask.STATX_ATIME],
  ['STATX_MTIME', StatxMask.STATX_MTIME], ['STATX_CTIME', StatxMask.STATX_CTIME], ['STATX_INO', StatxMask.STATX_INO],
  ['STATX_SIZE', StatxMask.STATX_SIZE], ['STATX_BLOCKS', StatxMask.STATX_BLOCKS],
  ['STATX_BTIME', StatxMask.STATX_BTIME], ['STATX_MNT_ID', StatxMask.STATX_MNT_ID],
  ['STATX_DIOALIGN', StatxMask.STATX_DIOALIGN],
];

const UMOUNT_FLAGS: Xlat = [['MNT_FORCE', 1], ['MNT_DETACH', 2], ['MNT_EXPIRE', 4], ['UMOUNT_NOFOLLOW', 8]];

const FLOCK_OPS: Xlat = [
  ['LOCK_SH', LockType.LOCK_SH], ['LOCK_EX', LockType.LOCK_EX], ['LOCK_NB', LockType.LOCK_NB],
  ['LOCK_UN', LockType.LOCK_UN],
];

const SPLICE_FLAGS: Xlat = [
  ['SPLICE_F_MOVE', 1], ['SPLICE_F_NONBLOCK', 2], ['SPLICE_F_MORE', 4], ['SPLICE_F_GIFT', 8],
];

const FADVISE: Xlat = [
  ['POSIX_FADV_NORMAL', 0], ['POSIX_FADV_RANDOM', 1], ['POSIX_FADV_SEQUENTIAL', 2],
  ['POSIX_FADV_WILLNEED', 3], ['POSIX_FADV_DONTNEED', 4], ['POSIX_FADV_NOREUSE', 5],
];

const RWF_FLAGS: Xlat = [
  ['RWF_HIPRI', 1], ['RWF_DSYNC', 2], ['RWF_SYNC', 4], ['RWF_NOWAIT', 8], ['RWF_APPEND', 0x10],
];

const FCNTL_CMDS: Xlat = [
  ['F_DUPFD', Fcntl.F_DUPFD], ['F_GETFD', Fcntl.F_GETFD], ['F_SETFD', Fcntl.F_SETFD], ['F_GETFL', Fcntl.F_GETFL],
  ['F_SETFL', Fcntl.F_SETFL], ['F_GETLK', Fcntl.F_GETLK], ['F_SETLK', Fcntl.F_SETLK], ['F_SETLKW', Fcntl.F_SETLKW],
  ['F_SETOWN', Fcntl.F_SETOWN], ['F_GETOWN', Fcntl.F_GETOWN], ['F_SETSIG', Fcntl.F_SETSIG],
  ['F_GETSIG', Fcntl.F_GETSIG], ['F_SETOWN_EX', Fcntl.F_SETOWN_EX], ['F_GETOWN_EX', Fcntl.F_GETOWN_EX],
  ['F_GETOWNER_UIDS', Fcntl.F_GETOWNER_UIDS], ['F_OFD_GETLK', Fcntl.F_OFD_GETLK],
  ['F_OFD_SETLK', Fcntl.F_OFD_SETLK], ['F_OFD_SETLKW', Fcntl.F_OFD_SETLKW], ['F_SETLEASE', Fcntl.F_SETLEASE],
  ['F_GETLEASE', Fcntl.F_GETLEASE], ['F_NOTIFY', Fcntl.F_NOTIFY], ['F_CANCELLK', Fcntl.F_CANCELLK],
  ['F_DUPFD_CLOEXEC', Fcntl.F_DUPFD_CLOEXEC], ['F_SETPIPE_SZ', Fcntl.F_SETPIPE_SZ],
  ['F_GETPIPE_SZ', Fcntl.F_GETPIPE_SZ], ['F_ADD_SEALS', Fcntl.F_ADD_SEALS], ['F_GET_SEALS', Fcntl.F_GET_SEALS],
  ['F_GET_RW_HINT', Fcntl.F_GET_RW_HINT], ['F_SET_RW_HINT', Fcntl.F_SET_RW_HINT],
  ['F_GET_FILE_RW_HINT', Fcntl.F_GET_FILE_RW_HINT], ['F_SET_FILE_RW_HINT', Fcntl.F_SET_FILE_RW_HINT],
];

const FD_FLAGS: Xlat = [['FD_CLOEXEC', FdFlag.FD_CLOEXEC]];

const SEALS: Xlat = [
  ['F_SEAL_SEAL', Seal.F_SEAL_SEAL], ['F_SEAL_SHRINK', Seal.F_SEAL_SHRINK], ['F_SEAL_GROW', Seal.F_SEAL_GROW],
  ['F_SEAL_WRITE', Seal.F_SEAL_WRITE], ['F_SEAL_FUTURE_WRITE', Seal.F_SEAL_FUTURE_WRITE],
];

const FUTEX_OPS: readonly string[] = [
  'FUTEX_WAIT', 'FUTEX_WAKE', 'FUTEX_FD', 'FUTEX_REQUEUE', 'FUTEX_CMP_REQUEUE', 'FUTEX_WAKE_OP',
  'FUTEX_LOCK_PI', 'FUTEX_UNLOCK_PI', 'FUTEX_TRYLOCK_PI', 'FUTEX_WAIT_BITSET', 'FUTEX_WAKE_BITSET',
  'FUTEX_WAIT_REQUEUE_PI', 'FUTEX_CMP_REQUEUE_PI', 'FUTEX_LOCK_PI2',
];
const FUTEX_PRIVATE_FLAG = 128;
const FUTEX_CLOCK_REALTIME = 256;
const FUTEX_BITSET_MATCH_ANY = 0xffffffff;

/** The local tables, for the header check in the tests. */
export const STRACE_XLATS: Readonly<Record<string, Xlat>> = {
  OPEN_FLAGS, AT_FLAGS, ACCESS_FLAGS, FILE_TYPES, WHENCE, PROT, MAP_TYPES, MAP_FLAGS, MREMAP_FLAGS, MSYNC_FLAGS,
  MLOCKALL_FLAGS, MADVISE, TIMER_FLAGS, ITIMERS, SIG_HOW, SA_FLAGS, CLONE_FLAGS, UNSHARE_FLAGS, WAIT_OPTIONS,
  ID_TYPES, RUSAGE_WHO, PRIO_WHICH, SCHED_POLICIES, FAMILIES, SOCK_TYPES, SOCK_FLAGS, MSG_FLAGS, SHUTDOWN,
  EPOLL_OPS, EPOLL_FLAGS, EFD_FLAGS, TFD_FLAGS, TFD_TIMER_FLAGS, SFD_FLAGS, IN_FLAGS, MFD_FLAGS, GRND_FLAGS,
  RENAME_FLAGS, STATX_MASK, UMOUNT_FLAGS, FLOCK_OPS, SPLICE_FLAGS, FADVISE, RWF_FLAGS, FCNTL_CMDS, FD_FLAGS,
  SEALS,
  FUTEX_OPS: FUTEX_OPS.map((n, i) => [n, i] as const),
  FUTEX_MISC: [
    ['FUTEX_PRIVATE_FLAG', FUTEX_PRIVATE_FLAG], ['FUTEX_CLOCK_REALTIME', FUTEX_CLOCK_REALTIME],
    ['FUTEX_BITSET_MATCH_ANY', FUTEX_BITSET_MATCH_ANY],
  ],
};

// ---------------------------------------------------------------------------
// The table: argument kinds of every x86-64 syscall. A syscall without an
// entry (removed ones such as getpmsg or vserver) prints six hex arguments.

const SPECS: (Spec | undefined)[] = [];

function def(nr: number, ...kinds: K[]): void {
  SPECS[nr] = kinds;
}

def(SYS.read, K.Fd, K.Ptr, K.ULong);
def(SYS.write, K.Fd, K.WBuf, K.ULong);
def(SYS.open, K.Path, K.OpenFlags, K.Mode);
def(SYS.close, K.Fd);
def(SYS.stat, K.Path, K.Ptr);
def(SYS.fstat, K.Fd, K.Ptr);
def(SYS.lstat, K.Path, K.Ptr);
def(SYS.poll, K.Ptr, K.UInt, K.Int);
def(SYS.lseek, K.Fd, K.Long, K.Whence);
def(SYS.mmap, K.Ptr, K.ULong, K.Prot, K.MapFlags, K.Fd, K.Hex);
def(SYS.mprotect, K.Ptr, K.ULong, K.Prot);
def(SYS.munmap, K.Ptr, K.ULong);
def(SYS.brk, K.Ptr);
def(SYS.rt_sigaction, K.Signal, K.Sigaction, K.Ptr, K.ULong);
def(SYS.rt_sigprocmask, K.SigHow, K.SigSet, K.Ptr, K.ULong);
def(SYS.rt_sigreturn);
def(SYS.ioctl, K.Fd, K.Ioctl, K.Hex);
def(SYS.pread64, K.Fd, K.Ptr, K.ULong, K.Long);
def(SYS.pwrite64, K.Fd, K.WBuf, K.ULong, K.Long);
def(SYS.readv, K.Fd, K.Ptr, K.Int);
def(SYS.writev, K.Fd, K.Ptr, K.Int);
def(SYS.access, K.Path, K.AccessMode);
def(SYS.pipe, K.Ptr);
def(SYS.select, K.Int, K.Ptr, K.Ptr, K.Ptr, K.Ptr);
def(SYS.sched_yield);
def(SYS.mremap, K.Ptr, K.ULong, K.ULong, K.MremapFlags, K.Ptr);
def(SYS.msync, K.Ptr, K.ULong, K.MsyncFlags);
def(SYS.mincore, K.Ptr, K.ULong, K.Ptr);
def(SYS.madvise, K.Ptr, K.ULong, K.Madvise);
def(SYS.shmget, K.Int, K.ULong, K.Hex);
def(SYS.shmat, K.Int, K.Ptr, K.Hex);
def(SYS.shmctl, K.Int, K.Int, K.Ptr);
def(SYS.dup, K.Fd);
def(SYS.dup2, K.Fd, K.Fd);
def(SYS.pause);
def(SYS.nanosleep, K.Timespec, K.Ptr);
def(SYS.getitimer, K.Itimer, K.Ptr);
def(SYS.alarm, K.UInt);
def(SYS.setitimer, K.Itimer, K.Ptr, K.Ptr);
def(SYS.getpid);
def(SYS.sendfile, K.Fd, K.Fd, K.Ptr, K.ULong);
def(SYS.socket, K.Family, K.SockType, K.Int);
def(SYS.connect, K.Fd, K.Ptr, K.Int);
def(SYS.accept, K.Fd, K.Ptr, K.Ptr);
def(SYS.sendto, K.Fd, K.WBuf, K.ULong, K.MsgFlags, K.Ptr, K.Int);
def(SYS.recvfrom, K.Fd, K.Ptr, K.ULong, K.MsgFlags, K.Ptr, K.Ptr);
def(SYS.sendmsg, K.Fd, K.Ptr, K.MsgFlags);
def(SYS.recvmsg, K.Fd, K.Ptr, K.MsgFlags);
def(SYS.shutdown, K.Fd, K.Shutdown);
def(SYS.bind, K.Fd, K.Ptr, K.Int);
def(SYS.listen, K.Fd, K.Int);
def(SYS.getsockname, K.Fd, K.Ptr, K.Ptr);
def(SYS.getpeername, K.Fd, K.Ptr, K.Ptr);
def(SYS.socketpair, K.Family, K.SockType, K.Int, K.Ptr);
def(SYS.setsockopt, K.Fd, K.Int, K.Int, K.Ptr, K.Int);
def(SYS.getsockopt, K.Fd, K.Int, K.Int, K.Ptr, K.Ptr);
// x86-64 raw order: flags, stack, parent_tid, child_tid, tls.
def(SYS.clone, K.CloneFlags, K.Ptr, K.Ptr, K.Ptr, K.Hex);
def(SYS.fork);
def(SYS.vfork);
def(SYS.execve, K.Path, K.Argv, K.Envp);
def(SYS.exit, K.Int);
def(SYS.wait4, K.Int, K.Ptr, K.WaitOptions, K.Ptr);
def(SYS.kill, K.Int, K.Signal);
def(SYS.uname, K.Ptr);
def(SYS.semget, K.Int, K.Int, K.Hex);
def(SYS.semop, K.Int, K.Ptr, K.ULong);
def(SYS.semctl, K.Int, K.Int, K.Int, K.Hex);
def(SYS.shmdt, K.Ptr);
def(SYS.msgget, K.Int, K.Hex);
def(SYS.msgsnd, K.Int, K.Ptr, K.ULong, K.Hex);
def(SYS.msgrcv, K.Int, K.Ptr, K.ULong, K.Long, K.Hex);
def(SYS.msgctl, K.Int, K.Int, K.Ptr);
def(SYS.fcntl, K.Fd, K.Fcntl, K.Hex);
def(SYS.flock, K.Fd, K.FlockOp);
def(SYS.fsync, K.Fd);
def(SYS.fdatasync, K.Fd);
def(SYS.truncate, K.Path, K.Long);
def(SYS.ftruncate, K.Fd, K.Long);
def(SYS.getdents, K.Fd, K.Ptr, K.UInt);
def(SYS.getcwd, K.Ptr, K.ULong);
def(SYS.chdir, K.Path);
def(SYS.fchdir, K.Fd);
def(SYS.rename, K.Path, K.Path);
def(SYS.mkdir, K.Path, K.Mode);
def(SYS.rmdir, K.Path);
def(SYS.creat, K.Path, K.Mode);
def(SYS.link, K.Path, K.Path);
def(SYS.unlink, K.Path);
def(SYS.symlink, K.Path, K.Path);
def(SYS.readlink, K.Path, K.Ptr, K.ULong);
def(SYS.chmod, K.Path, K.Mode);
def(SYS.fchmod, K.Fd, K.Mode);
def(SYS.chown, K.Path, K.Id, K.Id);
def(SYS.fchown, K.Fd, K.Id, K.Id);
def(SYS.lchown, K.Path, K.Id, K.Id);
def(SYS.umask, K.Mode);
def(SYS.gettimeofday, K.Ptr, K.Ptr);
def(SYS.getrlimit, K.Rlimit, K.Ptr);
def(SYS.getrusage, K.RusageWho, K.Ptr);
def(SYS.sysinfo, K.Ptr);
def(SYS.times, K.Ptr);
def(SYS.ptrace, K.Int, K.Int, K.Ptr, K.Hex);
def(SYS.getuid);
def(SYS.syslog, K.Int, K.Ptr, K.Int);
def(SYS.getgid);
def(SYS.setuid, K.Id);
def(SYS.setgid, K.Id);
def(SYS.geteuid);
def(SYS.getegid);
def(SYS.setpgid, K.Int, K.Int);
def(SYS.getppid);
def(SYS.getpgrp);
def(SYS.setsid);
def(SYS.setreuid, K.Id, K.Id);
def(SYS.setregid, K.Id, K.Id);
def(SYS.getgroups, K.Int, K.Ptr);
def(SYS.setgroups, K.Int, K.Ptr);
def(SYS.setresuid, K.Id, K.Id, K.Id);
def(SYS.getresuid, K.Ptr, K.Ptr, K.Ptr);
def(SYS.setresgid, K.Id, K.Id, K.Id);
def(SYS.getresgid, K.Ptr, K.Ptr, K.Ptr);
def(SYS.getpgid, K.Int);
def(SYS.setfsuid, K.Id);
def(SYS.setfsgid, K.Id);
def(SYS.getsid, K.Int);
def(SYS.capget, K.Ptr, K.Ptr);
def(SYS.capset, K.Ptr, K.Ptr);
def(SYS.rt_sigpending, K.Ptr, K.ULong);
def(SYS.rt_sigtimedwait, K.SigSet, K.Ptr, K.Timespec, K.ULong);
def(SYS.rt_sigqueueinfo, K.Int, K.Signal, K.Ptr);
def(SYS.rt_sigsuspend, K.SigSet, K.ULong);
def(SYS.sigaltstack, K.Ptr, K.Ptr);
def(SYS.utime, K.Path, K.Ptr);
def(SYS.mknod, K.Path, K.FileMode, K.Hex);
def(SYS.uselib, K.Path);
def(SYS.personality, K.Hex);
def(SYS.ustat, K.Hex, K.Ptr);
def(SYS.statfs, K.Path, K.Ptr);
def(SYS.fstatfs, K.Fd, K.Ptr);
def(SYS.sysfs, K.Int, K.Hex, K.Hex);
def(SYS.getpriority, K.PrioWhich, K.Int);
def(SYS.setpriority, K.PrioWhich, K.Int, K.Int);
def(SYS.sched_setparam, K.Int, K.Ptr);
def(SYS.sched_getparam, K.Int, K.Ptr);
def(SYS.sched_setscheduler, K.Int, K.SchedPolicy, K.Ptr);
def(SYS.sched_getscheduler, K.Int);
def(SYS.sched_get_priority_max, K.SchedPolicy);
def(SYS.sched_get_priority_min, K.SchedPolicy);
def(SYS.sched_rr_get_interval, K.Int, K.Ptr);
def(SYS.mlock, K.Ptr, K.ULong);
def(SYS.munlock, K.Ptr, K.ULong);
def(SYS.mlockall, K.MlockallFlags);
def(SYS.munlockall);
def(SYS.vhangup);
def(SYS.modify_ldt, K.Int, K.Ptr, K.ULong);
def(SYS.pivot_root, K.Path, K.Path);
def(SYS._sysctl, K.Ptr);
def(SYS.prctl, K.Prctl, K.Hex, K.Hex, K.Hex, K.Hex);
def(SYS.arch_prctl, K.ArchPrctl, K.Hex);
def(SYS.adjtimex, K.Ptr);
def(SYS.setrlimit, K.Rlimit, K.Ptr);
def(SYS.chroot, K.Path);
def(SYS.sync);
def(SYS.acct, K.Path);
def(SYS.settimeofday, K.Ptr, K.Ptr);
def(SYS.mount, K.Path, K.Path, K.Str, K.Hex, K.Ptr);
def(SYS.umount2, K.Path, K.UmountFlags);
def(SYS.swapon, K.Path, K.Hex);
def(SYS.swapoff, K.Path);
def(SYS.reboot, K.Hex, K.Hex, K.Hex, K.Ptr);
def(SYS.sethostname, K.Str, K.ULong);
def(SYS.setdomainname, K.Str, K.ULong);
def(SYS.iopl, K.Int);
def(SYS.ioperm, K.Hex, K.Hex, K.Int);
def(SYS.init_module, K.Ptr, K.ULong, K.Str);
def(SYS.delete_module, K.Str, K.Hex);
def(SYS.quotactl, K.Hex, K.Path, K.Int, K.Ptr);
def(SYS.gettid);
def(SYS.readahead, K.Fd, K.Long, K.ULong);
def(SYS.setxattr, K.Path, K.Str, K.Ptr, K.ULong, K.Hex);
def(SYS.lsetxattr, K.Path, K.Str, K.Ptr, K.ULong, K.Hex);
def(SYS.fsetxattr, K.Fd, K.Str, K.Ptr, K.ULong, K.Hex);
def(SYS.getxattr, K.Path, K.Str, K.Ptr, K.ULong);
def(SYS.lgetxattr, K.Path, K.Str, K.Ptr, K.ULong);
def(SYS.fgetxattr, K.Fd, K.Str, K.Ptr, K.ULong);
def(SYS.listxattr, K.Path, K.Ptr, K.ULong);
def(SYS.llistxattr, K.Path, K.Ptr, K.ULong);
def(SYS.flistxattr, K.Fd, K.Ptr, K.ULong);
def(SYS.removexattr, K.Path, K.Str);
def(SYS.lremovexattr, K.Path, K.Str);
def(SYS.fremovexattr, K.Fd, K.Str);
def(SYS.tkill, K.Int, K.Signal);
def(SYS.time, K.Ptr);
def(SYS.futex, K.Ptr, K.FutexOp, K.Int, K.Timespec, K.Ptr, K.Hex);
def(SYS.sched_setaffinity, K.Int, K.UInt, K.Ptr);
def(SYS.sched_getaffinity, K.Int, K.UInt, K.Ptr);
def(SYS.set_thread_area, K.Ptr);
def(SYS.io_setup, K.UInt, K.Ptr);
def(SYS.io_destroy, K.Hex);
def(SYS.io_getevents, K.Hex, K.Long, K.Long, K.Ptr, K.Timespec);
def(SYS.io_submit, K.Hex, K.Long, K.Ptr);
def(SYS.io_cancel, K.Hex, K.Ptr, K.Ptr);
def(SYS.get_thread_area, K.Ptr);
def(SYS.lookup_dcookie, K.Hex, K.Ptr, K.ULong);
def(SYS.epoll_create, K.Int);
def(SYS.remap_file_pages, K.Ptr, K.ULong, K.Prot, K.ULong, K.MapFlags);
def(SYS.getdents64, K.Fd, K.Ptr, K.UInt);
def(SYS.set_tid_address, K.Ptr);
def(SYS.restart_syscall);
def(SYS.semtimedop, K.Int, K.Ptr, K.ULong, K.Timespec);
def(SYS.fadvise64, K.Fd, K.Long, K.ULong, K.Fadvise);
def(SYS.timer_create, K.Clock, K.Ptr, K.Ptr);
def(SYS.timer_settime, K.Int, K.TimerFlags, K.Ptr, K.Ptr);
def(SYS.timer_gettime, K.Int, K.Ptr);
def(SYS.timer_getoverrun, K.Int);
def(SYS.timer_delete, K.Int);
def(SYS.clock_settime, K.Clock, K.Timespec);
def(SYS.clock_gettime, K.Clock, K.Ptr);
def(SYS.clock_getres, K.Clock, K.Ptr);
def(SYS.clock_nanosleep, K.Clock, K.TimerFlags, K.Timespec, K.Ptr);
def(SYS.exit_group, K.Int);
def(SYS.epoll_wait, K.Fd, K.Ptr, K.Int, K.Int);
def(SYS.epoll_ctl, K.Fd, K.EpollOp, K.Fd, K.Ptr);
def(SYS.tgkill, K.Int, K.Int, K.Signal);
def(SYS.utimes, K.Path, K.Ptr);
def(SYS.mbind, K.Ptr, K.ULong, K.Int, K.Ptr, K.ULong, K.Hex);
def(SYS.set_mempolicy, K.Int, K.Ptr, K.ULong);
def(SYS.get_mempolicy, K.Ptr, K.Ptr, K.ULong, K.Ptr, K.Hex);
def(SYS.mq_open, K.Str, K.OpenFlags, K.Mode, K.Ptr);
def(SYS.mq_unlink, K.Str);
def(SYS.mq_timedsend, K.Fd, K.WBuf, K.ULong, K.UInt, K.Timespec);
def(SYS.mq_timedreceive, K.Fd, K.Ptr, K.ULong, K.Ptr, K.Timespec);
def(SYS.mq_notify, K.Fd, K.Ptr);
def(SYS.mq_getsetattr, K.Fd, K.Ptr, K.Ptr);
def(SYS.kexec_load, K.Hex, K.ULong, K.Ptr, K.Hex);
def(SYS.waitid, K.IdType, K.Int, K.Ptr, K.WaitOptions, K.Ptr);
def(SYS.add_key, K.Str, K.Str, K.Ptr, K.ULong, K.Int);
def(SYS.request_key, K.Str, K.Str, K.Str, K.Int);
def(SYS.keyctl, K.Int, K.Hex, K.Hex, K.Hex, K.Hex);
def(SYS.ioprio_set, K.Int, K.Int, K.Int);
def(SYS.ioprio_get, K.Int, K.Int);
def(SYS.inotify_init);
def(SYS.inotify_add_watch, K.Fd, K.Path, K.Hex);
def(SYS.inotify_rm_watch, K.Fd, K.Int);
def(SYS.migrate_pages, K.Int, K.ULong, K.Ptr, K.Ptr);
def(SYS.openat, K.DirFd, K.Path, K.OpenFlags, K.Mode);
def(SYS.mkdirat, K.DirFd, K.Path, K.Mode);
def(SYS.mknodat, K.DirFd, K.Path, K.FileMode, K.Hex);
def(SYS.fchownat, K.DirFd, K.Path, K.Id, K.Id, K.AtFlags);
def(SYS.futimesat, K.DirFd, K.Path, K.Ptr);
def(SYS.newfstatat, K.DirFd, K.Path, K.Ptr, K.AtFlags);
def(SYS.unlinkat, K.DirFd, K.Path, K.AtFlags);
def(SYS.renameat, K.DirFd, K.Path, K.DirFd, K.Path);
def(SYS.linkat, K.DirFd, K.Path, K.DirFd, K.Path, K.AtFlags);
def(SYS.symlinkat, K.Path, K.DirFd, K.Path);
def(SYS.readlinkat, K.DirFd, K.Path, K.Ptr, K.ULong);
def(SYS.fchmodat, K.DirFd, K.Path, K.Mode);
def(SYS.faccessat, K.DirFd, K.Path, K.AccessMode);
def(SYS.pselect6, K.Int, K.Ptr, K.Ptr, K.Ptr, K.Timespec, K.Ptr);
def(SYS.ppoll, K.Ptr, K.UInt, K.Timespec, K.SigSet, K.ULong);
def(SYS.unshare, K.UnshareFlags);
def(SYS.set_robust_list, K.Ptr, K.ULong);
def(SYS.get_robust_list, K.Int, K.Ptr, K.Ptr);
def(SYS.splice, K.Fd, K.Ptr, K.Fd, K.Ptr, K.ULong, K.SpliceFlags);
def(SYS.tee, K.Fd, K.Fd, K.ULong, K.SpliceFlags);
def(SYS.sync_file_range, K.Fd, K.Long, K.Long, K.Hex);
def(SYS.vmsplice, K.Fd, K.Ptr, K.ULong, K.SpliceFlags);
def(SYS.move_pages, K.Int, K.ULong, K.Ptr, K.Ptr, K.Ptr, K.Hex);
def(SYS.utimensat, K.DirFd, K.Path, K.Ptr, K.AtFlags);
def(SYS.epoll_pwait, K.Fd, K.Ptr, K.Int, K.Int, K.SigSet, K.ULong);
def(SYS.signalfd, K.Fd, K.SigSet, K.ULong);
def(SYS.timerfd_create, K.Clock, K.TfdFlags);
def(SYS.eventfd, K.UInt);
def(SYS.fallocate, K.Fd, K.Hex, K.Long, K.Long);
def(SYS.timerfd_settime, K.Fd, K.TfdTimerFlags, K.Ptr, K.Ptr);
def(SYS.timerfd_gettime, K.Fd, K.Ptr);
def(SYS.accept4, K.Fd, K.Ptr, K.Ptr, K.SockFlags);
def(SYS.signalfd4, K.Fd, K.SigSet, K.ULong, K.SfdFlags);
def(SYS.eventfd2, K.UInt, K.EfdFlags);
def(SYS.epoll_create1, K.EpollFlags);
def(SYS.dup3, K.Fd, K.Fd, K.OFlags);
def(SYS.pipe2, K.Ptr, K.OFlags);
def(SYS.inotify_init1, K.InFlags);
// x86-64 preadv/pwritev: pos_l holds the whole offset, pos_h is ignored.
def(SYS.preadv, K.Fd, K.Ptr, K.Int, K.Long);
def(SYS.pwritev, K.Fd, K.Ptr, K.Int, K.Long);
def(SYS.rt_tgsigqueueinfo, K.Int, K.Int, K.Signal, K.Ptr);
def(SYS.perf_event_open, K.Ptr, K.Int, K.Int, K.Fd, K.Hex);
def(SYS.recvmmsg, K.Fd, K.Ptr, K.UInt, K.MsgFlags, K.Timespec);
def(SYS.fanotify_init, K.Hex, K.OpenFlags);
def(SYS.fanotify_mark, K.Fd, K.Hex, K.Hex, K.DirFd, K.Path);
def(SYS.prlimit64, K.Int, K.Rlimit, K.Ptr, K.Ptr);
def(SYS.name_to_handle_at, K.DirFd, K.Path, K.Ptr, K.Ptr, K.AtFlags);
def(SYS.open_by_handle_at, K.Fd, K.Ptr, K.OpenFlags);
def(SYS.clock_adjtime, K.Clock, K.Ptr);
def(SYS.syncfs, K.Fd);
def(SYS.sendmmsg, K.Fd, K.Ptr, K.UInt, K.MsgFlags);
def(SYS.setns, K.Fd, K.UnshareFlags);
def(SYS.getcpu, K.Ptr, K.Ptr, K.Ptr);
def(SYS.process_vm_readv, K.Int, K.Ptr, K.ULong, K.Ptr, K.ULong, K.Hex);
def(SYS.process_vm_writev, K.Int, K.Ptr, K.ULong, K.Ptr, K.ULong, K.Hex);
def(SYS.kcmp, K.Int, K.Int, K.Int, K.Hex, K.Hex);
def(SYS.finit_module, K.Fd, K.Str, K.Hex);
def(SYS.sched_setattr, K.Int, K.Ptr, K.Hex);
def(SYS.sched_getattr, K.Int, K.Ptr, K.UInt, K.Hex);
def(SYS.renameat2, K.DirFd, K.Path, K.DirFd, K.Path, K.RenameFlags);
def(SYS.seccomp, K.Int, K.Hex, K.Ptr);
def(SYS.getrandom, K.Ptr, K.ULong, K.GrndFlags);
def(SYS.memfd_create, K.Str, K.MfdFlags);
def(SYS.kexec_file_load, K.Fd, K.Fd, K.ULong, K.Str, K.Hex);
def(SYS.bpf, K.Int, K.Ptr, K.UInt);
def(SYS.execveat, K.DirFd, K.Path, K.Argv, K.Envp, K.AtFlags);
def(SYS.userfaultfd, K.OFlags);
def(SYS.membarrier, K.Int, K.Hex, K.Int);
def(SYS.mlock2, K.Ptr, K.ULong, K.Hex);
def(SYS.copy_file_range, K.Fd, K.Ptr, K.Fd, K.Ptr, K.ULong, K.Hex);
def(SYS.preadv2, K.Fd, K.Ptr, K.Int, K.Long, K.Skip, K.RwfFlags);
def(SYS.pwritev2, K.Fd, K.Ptr, K.Int, K.Long, K.Skip, K.RwfFlags);
def(SYS.pkey_mprotect, K.Ptr, K.ULong, K.Prot, K.Int);
def(SYS.pkey_alloc, K.Hex, K.Hex);
def(SYS.pkey_free, K.Int);
def(SYS.statx, K.DirFd, K.Path, K.AtFlags, K.StatxMask, K.Ptr);
def(SYS.io_pgetevents, K.Hex, K.Long, K.Long, K.Ptr, K.Timespec, K.Ptr);
def(SYS.rseq, K.Ptr, K.UInt, K.Hex, K.Hex);
def(SYS.pidfd_send_signal, K.Fd, K.Signal, K.Ptr, K.Hex);
def(SYS.io_uring_setup, K.UInt, K.Ptr);
def(SYS.io_uring_enter, K.Fd, K.UInt, K.UInt, K.Hex, K.Ptr, K.ULong);
def(SYS.io_uring_register, K.Fd, K.UInt, K.Ptr, K.UInt);
def(SYS.open_tree, K.DirFd, K.Path, K.Hex);
def(SYS.move_mount, K.DirFd, K.Path, K.DirFd, K.Path, K.Hex);
def(SYS.fsopen, K.Str, K.Hex);
def(SYS.fsconfig, K.Fd, K.UInt, K.Str, K.Ptr, K.Int);
def(SYS.fsmount, K.Fd, K.Hex, K.Hex);
def(SYS.fspick, K.DirFd, K.Path, K.Hex);
def(SYS.pidfd_open, K.Int, K.Hex);
def(SYS.clone3, K.Ptr, K.ULong);
def(SYS.close_range, K.Fd, K.UInt, K.Hex);
def(SYS.openat2, K.DirFd, K.Path, K.Ptr, K.ULong);
def(SYS.pidfd_getfd, K.Fd, K.Fd, K.Hex);
def(SYS.faccessat2, K.DirFd, K.Path, K.AccessMode, K.AtFlags);
def(SYS.process_madvise, K.Fd, K.Ptr, K.ULong, K.Madvise, K.Hex);
def(SYS.epoll_pwait2, K.Fd, K.Ptr, K.Int, K.Timespec, K.SigSet, K.ULong);
def(SYS.mount_setattr, K.DirFd, K.Path, K.AtFlags, K.Ptr, K.ULong);
def(SYS.quotactl_fd, K.Fd, K.Hex, K.Int, K.Ptr);
def(SYS.landlock_create_ruleset, K.Ptr, K.ULong, K.Hex);
def(SYS.landlock_add_rule, K.Fd, K.Int, K.Ptr, K.Hex);
def(SYS.landlock_restrict_self, K.Fd, K.Hex);
def(SYS.memfd_secret, K.Hex);
def(SYS.process_mrelease, K.Fd, K.Hex);
def(SYS.futex_waitv, K.Ptr, K.UInt, K.Hex, K.Timespec, K.Clock);
def(SYS.set_mempolicy_home_node, K.Ptr, K.ULong, K.ULong, K.Hex);

/** True if the syscall has an argument table (the others print raw). For tests. */
export function hasSpec(nr: number): boolean {
  return SPECS[nr] !== undefined;
}

// Per-call adjustments of the static table, as strace prints them.
function specFor(nr: number, a: ArrayLike<number>): Spec | undefined {
  switch (nr) {
    case SYS.open:
    case SYS.openat: {
      // The mode is shown only when it is used: O_CREAT or O_TMPFILE.
      const flags = lo32(arg(a, nr === SYS.open ? 1 : 2));
      const used = (flags & OpenFlag.O_CREAT) !== 0 || (flags & OpenFlag.__O_TMPFILE) !== 0;
      const s = SPECS[nr];
      return used || s === undefined ? s : s.slice(0, s.length - 1);
    }
    case SYS.fcntl:
      return fcntlSpec(lo32(arg(a, 1)) | 0);
    case SYS.futex:
      return futexSpec(lo32(arg(a, 1)) & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME));
    case SYS.prctl:
      return prctlSpec(lo32(arg(a, 0)) | 0);
    default:
      return SPECS[nr];
  }
}

function fcntlSpec(cmd: number): Spec {
  switch (cmd) {
    case Fcntl.F_GETFD: case Fcntl.F_GETFL: case Fcntl.F_GETOWN: case Fcntl.F_GETSIG:
    case Fcntl.F_GETLEASE: case Fcntl.F_GETPIPE_SZ: case Fcntl.F_GET_SEALS:
      return [K.Fd, K.Fcntl];
    case Fcntl.F_SETFD:
      return [K.Fd, K.Fcntl, K.FdFlags];
    case Fcntl.F_SETFL:
      return [K.Fd, K.Fcntl, K.OpenFlags];
    case Fcntl.F_DUPFD: case Fcntl.F_DUPFD_CLOEXEC: case Fcntl.F_SETOWN: case Fcntl.F_SETLEASE:
    case Fcntl.F_NOTIFY: case Fcntl.F_SETPIPE_SZ:
      return [K.Fd, K.Fcntl, K.Int];
    case Fcntl.F_SETSIG:
      return [K.Fd, K.Fcntl, K.Signal];
    case Fcntl.F_ADD_SEALS:
      return [K.Fd, K.Fcntl, K.Seals];
    default:
      return [K.Fd, K.Fcntl, K.Ptr];
  }
}

// man 2 futex: which of uaddr, futex_op, val, timeout|val2, uaddr2, val3 each operation uses.
function futexSpec(op: number): Spec {
  switch (op) {
    case 0: /* WAIT */ case 6: /* LOCK_PI */ case 13: /* LOCK_PI2 */
      return [K.Ptr, K.FutexOp, K.Int, K.Timespec];
    case 1: /* WAKE */ case 2: /* FD */
      return [K.Ptr, K.FutexOp, K.Int];
    case 7: /* UNLOCK_PI */ case 8: /* TRYLOCK_PI */
      return [K.Ptr, K.FutexOp];
    case 3: /* REQUEUE */
      return [K.Ptr, K.FutexOp, K.Int, K.UInt, K.Ptr];
    case 4: /* CMP_REQUEUE */ case 12: /* CMP_REQUEUE_PI */
      return [K.Ptr, K.FutexOp, K.Int, K.UInt, K.Ptr, K.Int];
    case 5: /* WAKE_OP */
      return [K.Ptr, K.FutexOp, K.Int, K.UInt, K.Ptr, K.Hex];
    case 11: /* WAIT_REQUEUE_PI */
      return [K.Ptr, K.FutexOp, K.Int, K.Timespec, K.Ptr];
    default: /* WAIT_BITSET, WAKE_BITSET, unknown */
      return [K.Ptr, K.FutexOp, K.Int, K.Timespec, K.Ptr, K.FutexBitset];
  }
}

function prctlSpec(op: number): Spec {
  switch (op) {
    case Prctl.PR_SET_NAME:
      return [K.Prctl, K.Str];
    case Prctl.PR_GET_NAME: case Prctl.PR_GET_PDEATHSIG: case Prctl.PR_GET_TID_ADDRESS:
      return [K.Prctl, K.Ptr];
    case Prctl.PR_SET_PDEATHSIG:
      return [K.Prctl, K.Signal];
    case Prctl.PR_GET_DUMPABLE: case Prctl.PR_GET_KEEPCAPS: case Prctl.PR_GET_SECCOMP:
    case Prctl.PR_GET_TIMERSLACK: case Prctl.PR_GET_CHILD_SUBREAPER: case Prctl.PR_GET_NO_NEW_PRIVS:
    case Prctl.PR_GET_SECUREBITS: case Prctl.PR_GET_THP_DISABLE: case Prctl.PR_GET_IO_FLUSHER:
      return [K.Prctl];
    case Prctl.PR_SET_DUMPABLE: case Prctl.PR_SET_KEEPCAPS: case Prctl.PR_CAPBSET_READ:
    case Prctl.PR_CAPBSET_DROP: case Prctl.PR_SET_CHILD_SUBREAPER: case Prctl.PR_SET_TIMERSLACK:
      return [K.Prctl, K.Int];
    default:
      return SPECS[SYS.prctl] as Spec;
  }
}

// ---------------------------------------------------------------------------
// Number conversions (see the convention at the top).

const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;
const TWO64 = 18446744073709551616;

/** Argument i, 0 if the caller passed fewer. */
function arg(a: ArrayLike<number>, i: number): number {
  return i < a.length ? a[i] : 0;
}

/** Low 32 bits as uint32 (exact whenever v is). */
function lo32(v: number): number {
  return v >>> 0;
}

/** High 32 bits as uint32. */
function hi32(v: number): number {
  return Math.floor(v / TWO32) >>> 0;
}

/** True if v cannot be an exact register value: a rounded sign-extended negative. */
function lost(v: number): boolean {
  return v >= TWO64;
}

function hex(v: number): string {
  const hi = hi32(v);
  const lo = lo32(v);
  return hi === 0 ? `0x${lo.toString(16)}` : `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
}

/** strace's %#lx: 0 is "0". */
function hexOrZero(v: number): string {
  return v === 0 ? '0' : hex(v);
}

function ptr(v: number): string {
  return v === 0 ? 'NULL' : hex(v);
}

function int32(v: number): string {
  return lost(v) ? '?' : String(lo32(v) | 0);
}

function uint32(v: number): string {
  return lost(v) ? '?' : String(lo32(v));
}

/** Decimal without exponent or lost digits (numbers above 2^53 print their exact double value). */
function decimal(v: number): string {
  return Number.isSafeInteger(v) || !Number.isInteger(v) ? String(v) : BigInt(v).toString();
}

function long(v: number): string {
  return decimal(v >= TWO63 ? v - TWO64 : v);
}

function ulong(v: number): string {
  return v < 0 && Number.isInteger(v) ? (BigInt(v) + (1n << 64n)).toString() : decimal(v);
}

function octal(m: number): string {
  return `0${m.toString(8)}`.padStart(3, '0');
}

// ---------------------------------------------------------------------------
// Flags and enumerations.

/**
 * name1|name2|0xrest, or `zero` when v is 0. Flag arguments are ints (or
 * unsigned longs whose high half no flag uses): only the low 32 bits count, as
 * in the kernel, so a sign-extended value prints like its int.
 */
export function formatFlags(v: number, table: Xlat, zero = '0'): string {
  let rest = lo32(v);
  if (rest === 0) return zero;
  let out = '';
  for (const [name, bit] of table) {
    const b = bit >>> 0;
    if (b !== 0 && (rest & b) >>> 0 === b) {
      out += out === '' ? name : `|${name}`;
      rest = (rest & ~b) >>> 0;
    }
  }
  if (rest !== 0) out += out === '' ? `0x${rest.toString(16)}` : `|0x${rest.toString(16)}`;
  return out;
}

/** The name of a value, or the value in decimal (as an int32). */
export function formatEnum(v: number, table: Xlat): string {
  const x = lo32(v) | 0;
  for (const [name, val] of table) if (val === x || val >>> 0 === x >>> 0) return name;
  return int32(v);
}

function nameOr(names: ReadonlyMap<number, string>, key: number, fallback: string): string {
  return names.get(key) ?? fallback;
}

/** O_RDONLY|O_CLOEXEC … (the access mode always comes first). */
export function formatOpenFlags(v: number): string {
  const f = lo32(v);
  const rest = formatFlags(f & ~OpenFlag.O_ACCMODE, OPEN_FLAGS, '');
  const acc = ACCESS_MODES[f & OpenFlag.O_ACCMODE];
  return rest === '' ? acc : `${acc}|${rest}`;
}

function mapFlags(v: number): string {
  const f = lo32(v);
  const type = f & 0xf;
  const name = MAP_TYPES.find((t) => t[1] === type)?.[0] ?? (type === 0 ? '' : `0x${type.toString(16)}`);
  const rest = formatFlags(f & ~0xf, MAP_FLAGS, '');
  if (name === '') return rest === '' ? '0' : rest;
  return rest === '' ? name : `${name}|${rest}`;
}

function cloneFlags(v: number): string {
  const f = lo32(v);
  const sig = f & 0xff;
  const rest = formatFlags(f & ~0xff, CLONE_FLAGS, '');
  if (sig === 0) return rest === '' ? '0' : rest;
  const s = signalName(sig);
  return rest === '' ? s : `${rest}|${s}`;
}

function fileMode(v: number): string {
  const m = lo32(v);
  const type = FILE_TYPES.find((t) => t[1] === (m & FileMode.S_IFMT))?.[0];
  const perm = octal(m & ~FileMode.S_IFMT);
  return type === undefined ? (m & FileMode.S_IFMT ? octal(m) : perm) : `${type}|${perm}`;
}

function futexOp(v: number): string {
  const x = lo32(v);
  const cmd = x & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  let s = cmd < FUTEX_OPS.length ? FUTEX_OPS[cmd] : String(cmd);
  if (x & FUTEX_PRIVATE_FLAG) s += '_PRIVATE';
  if (x & FUTEX_CLOCK_REALTIME) s += '|FUTEX_CLOCK_REALTIME';
  return s;
}

function clockName(v: number): string {
  const c = lo32(v) | 0;
  return c >= 0 && c < CLOCK_NAMES.length ? CLOCK_NAMES[c] : int32(v);
}

function signal(v: number): string {
  const s = lo32(v) | 0;
  return s >= 1 && s <= NSIG ? signalName(s) : int32(v);
}

function rlimitName(v: number): string {
  const r = lo32(v);
  return r < RLIMIT_NAMES.length ? RLIMIT_NAMES[r] : int32(v);
}

function accessMode(v: number): string {
  return formatFlags(v, ACCESS_FLAGS, 'F_OK');
}

function id(v: number): string {
  return lost(v) ? '?' : lo32(v) === 0xffffffff ? '-1' : String(lo32(v));
}

// ---------------------------------------------------------------------------
// Strings and memory.

const bytes = new Uint8Array(PATH_MAX + 8);
const utf8 = new TextEncoder();
const view = new DataView(bytes.buffer);

/** Quotes n bytes of buf like strace: C escapes, octal for the rest; `...` after the quote if more. */
export function quoteBytes(buf: Uint8Array, n: number, more: boolean): string {
  let s = '"';
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    switch (c) {
      case 0x22: s += '\\"'; break;
      case 0x5c: s += '\\\\'; break;
      case 0x0c: s += '\\f'; break;
      case 0x0a: s += '\\n'; break;
      case 0x0d: s += '\\r'; break;
      case 0x09: s += '\\t'; break;
      case 0x0b: s += '\\v'; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          s += String.fromCharCode(c);
        } else if (i + 1 < n && buf[i + 1] >= 0x30 && buf[i + 1] <= 0x37) {
          // The next byte is an octal digit: use all three digits.
          s += `\\${c >> 6}${(c >> 3) & 7}${c & 7}`;
        } else {
          s += `\\${c.toString(8)}`;
        }
    }
  }
  return more ? `${s}"...` : `${s}"`;
}

/** Quotes a JS string (one char per byte; chars above 0xff are UTF-8 encoded), cut after limit bytes. */
export function quoteString(str: string, limit: number): string {
  limit = Math.min(limit, PATH_MAX);
  let n = 0;
  let more = false;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c <= 0xff) {
      if (n >= limit) { more = true; break; }
      bytes[n++] = c;
    } else {
      const enc = utf8.encode(str.slice(i, i + (c >= 0xd800 && c < 0xdc00 ? 2 : 1)));
      if (n + enc.length > limit) { more = true; break; }
      bytes.set(enc, n);
      n += enc.length;
      if (enc.length === 4) i++;
    }
  }
  return quoteBytes(bytes, n, more);
}

function readString(mem: StraceMemory, addr: number, limit: number): string {
  if (addr === 0) return 'NULL';
  const r = mem.readCString(addr, PATH_MAX);
  if (typeof r === 'string') return quoteString(r, limit);
  // Longer than PATH_MAX (or a fault): show what a raw read gives, else the pointer.
  if (mem.readBytes !== undefined && mem.readBytes(addr, bytes, 0, limit) >= 0) return quoteBytes(bytes, limit, true);
  return hex(addr);
}

function readBuf(mem: StraceMemory, addr: number, len: number): string {
  if (addr === 0) return 'NULL';
  if (mem.readBytes === undefined) return hex(addr);
  const n = len < 0 || len > STRACE_STRING_LIMIT ? STRACE_STRING_LIMIT : len;
  if (mem.readBytes(addr, bytes, 0, n) < 0) return hex(addr);
  return quoteBytes(bytes, n, n < len || len < 0);
}

/** [INT TERM], or ~[...] for the complement when more than half the signals are in the set (as strace). */
export function formatSigset(lo: number, hi: number): string {
  let count = 0;
  for (let s = 1; s <= NSIG; s++) if (sigHas(lo, hi, s)) count++;
  const invert = count > NSIG / 2;
  let out = '';
  for (let s = 1; s <= NSIG; s++) {
    if (sigHas(lo, hi, s) !== invert) out += (out === '' ? '' : ' ') + signalName(s).slice(3);
  }
  return invert ? `~[${out}]` : `[${out}]`;
}

function sigHas(lo: number, hi: number, s: number): boolean {
  return s <= 32 ? ((lo >>> (s - 1)) & 1) === 1 : ((hi >>> (s - 33)) & 1) === 1;
}

function readSigset(mem: StraceMemory, addr: number): string {
  if (addr === 0) return 'NULL';
  if (mem.readBytes === undefined || mem.readBytes(addr, bytes, 0, 8) < 0) return hex(addr);
  return formatSigset(view.getUint32(0, true), view.getUint32(4, true));
}

function readSigaction(mem: StraceMemory, addr: number): string {
  if (addr === 0) return 'NULL';
  if (mem.readBytes === undefined || mem.readBytes(addr, bytes, 0, 32) < 0) return hex(addr);
  const handler = view.getUint32(4, true) * TWO32 + view.getUint32(0, true);
  const flags = view.getUint32(8, true);
  const restorer = view.getUint32(20, true) * TWO32 + view.getUint32(16, true);
  const h = handler === 0 ? 'SIG_DFL' : handler === 1 ? 'SIG_IGN' : hex(handler);
  const mask = formatSigset(view.getUint32(24, true), view.getUint32(28, true));
  let s = `{sa_handler=${h}, sa_mask=${mask}, sa_flags=${formatFlags(flags, SA_FLAGS)}`;
  if (flags & SaFlag.SA_RESTORER) s += `, sa_restorer=${hex(restorer)}`;
  return `${s}}`;
}

function readTimespec(mem: StraceMemory, addr: number): string {
  if (addr === 0) return 'NULL';
  if (mem.readBytes === undefined || mem.readBytes(addr, bytes, 0, 16) < 0) return hex(addr);
  const sec = view.getInt32(4, true) * TWO32 + view.getUint32(0, true);
  const nsec = view.getInt32(12, true) * TWO32 + view.getUint32(8, true);
  return `{tv_sec=${sec}, tv_nsec=${nsec}}`;
}

const ARGV_MAX = 32;

function readPtrAt(mem: StraceMemory, addr: number): number {
  if (mem.readBytes === undefined || mem.readBytes(addr, bytes, PATH_MAX, 8) < 0) return -1;
  return view.getUint32(PATH_MAX + 4, true) * TWO32 + view.getUint32(PATH_MAX, true);
}

/** ["ls", "-l"]; more than 32 entries end with `...`. */
function readArgv(mem: StraceMemory, addr: number): string {
  if (addr === 0) return 'NULL';
  if (mem.readBytes === undefined) return hex(addr);
  const parts: string[] = [];
  for (let i = 0; ; i++) {
    const p = readPtrAt(mem, addr + i * 8);
    if (p < 0) return i === 0 ? hex(addr) : `[${parts.join(', ')}, ...]`;
    if (p === 0) break;
    if (i === ARGV_MAX) { parts.push('...'); break; }
    parts.push(readString(mem, p, STRACE_STRING_LIMIT));
  }
  return `[${parts.join(', ')}]`;
}

/** 0x7ffd… /* 23 vars *\/ (strace's default for envp). */
function readEnvp(mem: StraceMemory, addr: number): string {
  if (addr === 0) return 'NULL';
  if (mem.readBytes === undefined) return hex(addr);
  let n = 0;
  for (; n < 65536; n++) {
    const p = readPtrAt(mem, addr + n * 8);
    if (p < 0) return hex(addr);
    if (p === 0) break;
  }
  return `${hex(addr)} /* ${n} var${n === 1 ? '' : 's'} */`;
}

// ---------------------------------------------------------------------------
// Formatting.

function formatArg(k: K, a: ArrayLike<number>, i: number, mem: StraceMemory): string {
  const v = arg(a, i);
  switch (k) {
    case K.Skip: return '';
    case K.Int: case K.Fd: return int32(v);
    case K.UInt: return uint32(v);
    case K.Long: return long(v);
    case K.ULong: return ulong(v);
    case K.Hex: return hexOrZero(v);
    case K.Ptr: return ptr(v);
    case K.DirFd: return !lost(v) && (lo32(v) | 0) === At.AT_FDCWD ? 'AT_FDCWD' : int32(v);
    case K.Id: return id(v);
    case K.Path: return readString(mem, v, PATH_MAX);
    case K.Str: return readString(mem, v, STRACE_STRING_LIMIT);
    case K.WBuf: return readBuf(mem, v, arg(a, i + 1));
    case K.Mode: return octal(lo32(v));
    case K.FileMode: return fileMode(v);
    case K.OpenFlags: return formatOpenFlags(v);
    case K.OFlags: return formatFlags(v, OPEN_FLAGS);
    case K.AtFlags: return formatFlags(v, AT_FLAGS);
    case K.AccessMode: return accessMode(v);
    case K.Whence: return formatEnum(v, WHENCE);
    case K.Prot: return formatFlags(v, PROT, 'PROT_NONE');
    case K.MapFlags: return mapFlags(v);
    case K.MremapFlags: return formatFlags(v, MREMAP_FLAGS);
    case K.MsyncFlags: return formatFlags(v, MSYNC_FLAGS);
    case K.Madvise: return formatEnum(v, MADVISE);
    case K.MlockallFlags: return formatFlags(v, MLOCKALL_FLAGS);
    case K.Clock: return clockName(v);
    case K.TimerFlags: return formatFlags(v, TIMER_FLAGS);
    case K.Itimer: return formatEnum(v, ITIMERS);
    case K.Signal: return signal(v);
    case K.SigSet: return readSigset(mem, v);
    case K.SigHow: return formatEnum(v, SIG_HOW);
    case K.Sigaction: return readSigaction(mem, v);
    case K.Timespec: return readTimespec(mem, v);
    case K.Ioctl: return nameOr(IOCTL_NAMES, lo32(v), hex(lo32(v)));
    case K.CloneFlags: return cloneFlags(v);
    case K.UnshareFlags: return formatFlags(v, UNSHARE_FLAGS);
    case K.WaitOptions: return formatFlags(v, WAIT_OPTIONS);
    case K.IdType: return formatEnum(v, ID_TYPES);
    case K.Rlimit: return rlimitName(v);
    case K.RusageWho: return formatEnum(v, RUSAGE_WHO);
    case K.PrioWhich: return formatEnum(v, PRIO_WHICH);
    case K.SchedPolicy: {
      const p = lo32(v);
      const name = formatEnum(p & ~Sched.SCHED_RESET_ON_FORK, SCHED_POLICIES);
      return p & Sched.SCHED_RESET_ON_FORK ? `${name}|SCHED_RESET_ON_FORK` : name;
    }
    case K.Family: return formatEnum(v, FAMILIES);
    case K.SockType: {
      const t = lo32(v);
      const name = formatEnum(t & 0xf, SOCK_TYPES);
      const flags = formatFlags(t & ~0xf, SOCK_FLAGS, '');
      return flags === '' ? name : `${name}|${flags}`;
    }
    case K.SockFlags: return formatFlags(v, SOCK_FLAGS);
    case K.MsgFlags: return formatFlags(v, MSG_FLAGS);
    case K.Shutdown: return formatEnum(v, SHUTDOWN);
    case K.EpollOp: return formatEnum(v, EPOLL_OPS);
    case K.EpollFlags: return formatFlags(v, EPOLL_FLAGS);
    case K.EfdFlags: return formatFlags(v, EFD_FLAGS);
    case K.TfdFlags: return formatFlags(v, TFD_FLAGS);
    case K.TfdTimerFlags: return formatFlags(v, TFD_TIMER_FLAGS);
    case K.SfdFlags: return formatFlags(v, SFD_FLAGS);
    case K.InFlags: return formatFlags(v, IN_FLAGS);
    case K.MfdFlags: return formatFlags(v, MFD_FLAGS);
    case K.GrndFlags: return formatFlags(v, GRND_FLAGS);
    case K.RenameFlags: return formatFlags(v, RENAME_FLAGS);
    case K.StatxMask: return formatFlags(v, STATX_MASK);
    case K.UmountFlags: return formatFlags(v, UMOUNT_FLAGS);
    case K.FlockOp: return formatFlags(v, FLOCK_OPS);
    case K.SpliceFlags: return formatFlags(v, SPLICE_FLAGS);
    case K.Fadvise: return formatEnum(v, FADVISE);
    case K.RwfFlags: return formatFlags(v, RWF_FLAGS);
    case K.ArchPrctl: return nameOr(ARCH_PRCTL_NAMES, lo32(v), hex(lo32(v)));
    case K.Prctl: return nameOr(PRCTL_NAMES, lo32(v), int32(v));
    case K.Fcntl: return formatEnum(v, FCNTL_CMDS);
    case K.FdFlags: return formatFlags(v, FD_FLAGS);
    case K.Seals: return formatFlags(v, SEALS);
    case K.FutexOp: return futexOp(v);
    case K.FutexBitset: return lo32(v) === FUTEX_BITSET_MATCH_ANY ? 'FUTEX_BITSET_MATCH_ANY' : hexOrZero(lo32(v));
    case K.Argv: return readArgv(mem, v);
    case K.Envp: return readEnvp(mem, v);
  }
}

/** The name of a syscall number, or syscall_NNN. */
export function syscallName(nr: number): string {
  return nr >= 0 && nr < SYSCALL_NAMES.length ? SYSCALL_NAMES[nr] : `syscall_${nr}`;
}

/**
 * Formats a call at entry, e.g. `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)`.
 * a holds the six argument registers (see the convention at the top).
 */
export function formatCall(nr: number, a: ArrayLike<number>, mem: StraceMemory): string {
  const spec = specFor(nr, a);
  let args = '';
  if (spec === undefined) {
    for (let i = 0; i < 6; i++) args += (i === 0 ? '' : ', ') + hexOrZero(arg(a, i));
  } else {
    for (let i = 0; i < spec.length; i++) {
      if (spec[i] === K.Skip) continue;
      args += (args === '' ? '' : ', ') + formatArg(spec[i], a, i, mem);
    }
  }
  return `${syscallName(nr)}(${args})`;
}

// ---------------------------------------------------------------------------
// Results.

const enum R {
  Dec,
  Hex,
  Oct,
  /** The call does not return (exit, exit_group). */
  None,
}

const RESULT_KINDS: R[] = [];
RESULT_KINDS[SYS.mmap] = R.Hex;
RESULT_KINDS[SYS.mremap] = R.Hex;
RESULT_KINDS[SYS.brk] = R.Hex;
RESULT_KINDS[SYS.shmat] = R.Hex;
RESULT_KINDS[SYS.umask] = R.Oct;
RESULT_KINDS[SYS.exit] = R.None;
RESULT_KINDS[SYS.exit_group] = R.None;

/** strerror(3) of glibc for each errno (Linux errno values 1..133). */
const ERRNO_TEXT: readonly string[] = [
  '',
  'Operation not permitted', // 1
  'No such file or directory', // 2
  'No such process', // 3
  'Interrupted system call', // 4
  'Input/output error', // 5
  'No such device or address', // 6
  'Argument list too long', // 7
  'Exec format error', // 8
  'Bad file descriptor', // 9
  'No child processes', // 10
  'Resource temporarily unavailable', // 11
  'Cannot allocate memory', // 12
  'Permission denied', // 13
  'Bad address', // 14
  'Block device required', // 15
  'Device or resource busy', // 16
  'File exists', // 17
  'Invalid cross-device link', // 18
  'No such device', // 19
  'Not a directory', // 20
  'Is a directory', // 21
  'Invalid argument', // 22
  'Too many open files in system', // 23
  'Too many open files', // 24
  'Inappropriate ioctl for device', // 25
  'Text file busy', // 26
  'File too large', // 27
  'No space left on device', // 28
  'Illegal seek', // 29
  'Read-only file system', // 30
  'Too many links', // 31
  'Broken pipe', // 32
  'Numerical argument out of domain', // 33
  'Numerical result out of range', // 34
  'Resource deadlock avoided', // 35
  'File name too long', // 36
  'No locks available', // 37
  'Function not implemented', // 38
  'Directory not empty', // 39
  'Too many levels of symbolic links', // 40
  'Unknown error 41', // 41
  'No message of desired type', // 42
  'Identifier removed', // 43
  'Channel number out of range', // 44
  'Level 2 not synchronized', // 45
  'Level 3 halted', // 46
  'Level 3 reset', // 47
  'Link number out of range', // 48
  'Protocol driver not attached', // 49
  'No CSI structure available', // 50
  'Level 2 halted', // 51
  'Invalid exchange', // 52
  'Invalid request descriptor', // 53
  'Exchange full', // 54
  'No anode', // 55
  'Invalid request code', // 56
  'Invalid slot', // 57
  'Unknown error 58', // 58
  'Bad font file format', // 59
  'Device not a stream', // 60
  'No data available', // 61
  'Timer expired', // 62
  'Out of streams resources', // 63
  'Machine is not on the network', // 64
  'Package not installed', // 65
  'Object is remote', // 66
  'Link has been severed', // 67
  'Advertise error', // 68
  'Srmount error', // 69
  'Communication error on send', // 70
  'Protocol error', // 71
  'Multihop attempted', // 72
  'RFS specific error', // 73
  'Bad message', // 74
  'Value too large for defined data type', // 75
  'Name not unique on network', // 76
  'File descriptor in bad state', // 77
  'Remote address changed', // 78
  'Can not access a needed shared library', // 79
  'Accessing a corrupted shared library', // 80
  '.lib section in a.out corrupted', // 81
  'Attempting to link in too many shared libraries', // 82
  'Cannot exec a shared library directly', // 83
  'Invalid or incomplete multibyte or wide character', // 84
  'Interrupted system call should be restarted', // 85
  'Streams pipe error', // 86
  'Too many users', // 87
  'Socket operation on non-socket', // 88
  'Destination address required', // 89
  'Message too long', // 90
  'Protocol wrong type for socket', // 91
  'Protocol not available', // 92
  'Protocol not supported', // 93
  'Socket type not supported', // 94
  'Operation not supported', // 95
  'Protocol family not supported', // 96
  'Address family not supported by protocol', // 97
  'Address already in use', // 98
  'Cannot assign requested address', // 99
  'Network is down', // 100
  'Network is unreachable', // 101
  'Network dropped connection on reset', // 102
  'Software caused connection abort', // 103
  'Connection reset by peer', // 104
  'No buffer space available', // 105
  'Transport endpoint is already connected', // 106
  'Transport endpoint is not connected', // 107
  'Cannot send after transport endpoint shutdown', // 108
  'Too many references: cannot splice', // 109
  'Connection timed out', // 110
  'Connection refused', // 111
  'Host is down', // 112
  'No route to host', // 113
  'Operation already in progress', // 114
  'Operation now in progress', // 115
  'Stale file handle', // 116
  'Structure needs cleaning', // 117
  'Not a XENIX named type file', // 118
  'No XENIX semaphores available', // 119
  'Is a named type file', // 120
  'Remote I/O error', // 121
  'Disk quota exceeded', // 122
  'No medium found', // 123
  'Wrong medium type', // 124
  'Operation canceled', // 125
  'Required key not available', // 126
  'Key has expired', // 127
  'Key has been revoked', // 128
  'Key was rejected by service', // 129
  'Owner died', // 130
  'State not recoverable', // 131
  'Operation not possible due to RF-kill', // 132
  'Memory page has hardware error', // 133
];

/** strace's texts for the kernel-internal restart codes (seen when a signal interrupts a call). */
const RESTART_TEXT: Readonly<Record<number, string>> = {
  512: 'To be restarted if SA_RESTART is set',
  513: 'To be restarted',
  514: 'To be restarted if no handler',
  516: 'Interrupted by signal',
};

/** Largest errno a syscall can return (the kernel's MAX_ERRNO). */
const MAX_ERRNO = 4095;

/**
 * Formats a result: `= 3`, `= 0x7f12a000` (mmap, brk …), `= -1 ENOENT (No such
 * file or directory)`, `= ? ERESTARTSYS (To be restarted if SA_RESTART is set)`.
 * ret is the signed result the kernel computed (-errno for an error).
 */
export function formatReturn(nr: number, ret: number): string {
  const kind = nr >= 0 ? RESULT_KINDS[nr] : undefined;
  if (kind === R.None) return '= ?';
  if (ret < 0 && ret >= -MAX_ERRNO) {
    const e = -ret;
    const name = ERRNO_NAMES[e];
    const restart = RESTART_TEXT[e];
    if (restart !== undefined) return `= ? ${name} (${restart})`;
    if (name === undefined) return `= -1 E??? (Unknown error ${e})`;
    return `= -1 ${name} (${ERRNO_TEXT[e] ?? `Unknown error ${e}`})`;
  }
  switch (kind) {
    case R.Hex: return `= ${hex(ret)}`;
    case R.Oct: return `= ${octal(ret)}`;
    default: return `= ${decimal(ret)}`;
  }
}
