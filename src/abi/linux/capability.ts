// Capabilities, securebits and credential limits: <linux/capability.h>,
// <linux/securebits.h>, <linux/limits.h>; man 7 capabilities, man 2 capget.

/** Capability numbers. */
export const enum Capability {
  CAP_CHOWN = 0,
  CAP_DAC_OVERRIDE = 1,
  CAP_DAC_READ_SEARCH = 2,
  CAP_FOWNER = 3,
  CAP_FSETID = 4,
  CAP_KILL = 5,
  CAP_SETGID = 6,
  CAP_SETUID = 7,
  CAP_SETPCAP = 8,
  CAP_LINUX_IMMUTABLE = 9,
  CAP_NET_BIND_SERVICE = 10,
  CAP_NET_BROADCAST = 11,
  CAP_NET_ADMIN = 12,
  CAP_NET_RAW = 13,
  CAP_IPC_LOCK = 14,
  CAP_IPC_OWNER = 15,
  CAP_SYS_MODULE = 16,
  CAP_SYS_RAWIO = 17,
  CAP_SYS_CHROOT = 18,
  CAP_SYS_PTRACE = 19,
  CAP_SYS_PACCT = 20,
  CAP_SYS_ADMIN = 21,
  CAP_SYS_BOOT = 22,
  CAP_SYS_NICE = 23,
  CAP_SYS_RESOURCE = 24,
  CAP_SYS_TIME = 25,
  CAP_SYS_TTY_CONFIG = 26,
  CAP_MKNOD = 27,
  CAP_LEASE = 28,
  CAP_AUDIT_WRITE = 29,
  CAP_AUDIT_CONTROL = 30,
  CAP_SETFCAP = 31,
  CAP_MAC_OVERRIDE = 32,
  CAP_MAC_ADMIN = 33,
  CAP_SYSLOG = 34,
  CAP_WAKE_ALARM = 35,
  CAP_BLOCK_SUSPEND = 36,
  CAP_AUDIT_READ = 37,
  CAP_PERFMON = 38,
  CAP_BPF = 39,
  CAP_CHECKPOINT_RESTORE = 40,
}

/** The highest capability number (/proc/sys/kernel/cap_last_cap on Linux 5.9+). */
export const CAP_LAST_CAP = 40;

/** Names in number order, for --strace and logs (cap_to_name without the "cap_"). */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/**
 * A 64-bit capability mask as two 32-bit words (caps 0-31 in lo, 32-63 in hi).
 * CAP_VALID_MASK: every capability up to CAP_LAST_CAP.
 */
export const CAP_VALID_LO = 0xffffffff;
export const CAP_VALID_HI = (1 << (CAP_LAST_CAP - 31)) - 1;

/**
 * CAP_FS_MASK (include/linux/capability.h): the capabilities a change of
 * fsuid from 0 drops from, and a change to 0 restores into, the effective set.
 */
export const CAP_FS_MASK_LO =
  (1 << Capability.CAP_CHOWN) |
  (1 << Capability.CAP_DAC_OVERRIDE) |
  (1 << Capability.CAP_DAC_READ_SEARCH) |
  (1 << Capability.CAP_FOWNER) |
  (1 << Capability.CAP_FSETID) |
  (1 << Capability.CAP_LINUX_IMMUTABLE) |
  (1 << Capability.CAP_MKNOD);
export const CAP_FS_MASK_HI = 1 << (Capability.CAP_MAC_OVERRIDE - 32);

/** cap_user_header_t.version values (capget(2)). */
export const enum CapVersion {
  /** 32-bit sets (one cap_user_data_t). */
  _LINUX_CAPABILITY_VERSION_1 = 0x19980330,
  /** Deprecated 64-bit sets (two cap_user_data_t); treated as version 3. */
  _LINUX_CAPABILITY_VERSION_2 = 0x20071026,
  /** 64-bit sets (two cap_user_data_t): the kernel's preferred version. */
  _LINUX_CAPABILITY_VERSION_3 = 0x20080522,
}

/** Words (cap_user_data_t entries) per version. */
export const _LINUX_CAPABILITY_U32S_1 = 1;
export const _LINUX_CAPABILITY_U32S_3 = 2;

/** struct __user_cap_header_struct { __u32 version; int pid; }. */
export const CAP_USER_HEADER_SIZE = 8;
/** struct __user_cap_data_struct { __u32 effective, permitted, inheritable; }. */
export const CAP_USER_DATA_SIZE = 12;
export const enum CapUserData {
  EFFECTIVE = 0,
  PERMITTED = 4,
  INHERITABLE = 8,
}

/**
 * Securebits (prctl PR_GET_SECUREBITS / PR_SET_SECUREBITS, man 7
 * capabilities "The securebits flags"): each flag's lock is the next bit.
 */
export const enum Securebit {
  SECBIT_NOROOT = 1 << 0,
  SECBIT_NOROOT_LOCKED = 1 << 1,
  SECBIT_NO_SETUID_FIXUP = 1 << 2,
  SECBIT_NO_SETUID_FIXUP_LOCKED = 1 << 3,
  SECBIT_KEEP_CAPS = 1 << 4,
  SECBIT_KEEP_CAPS_LOCKED = 1 << 5,
  SECBIT_NO_CAP_AMBIENT_RAISE = 1 << 6,
  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED = 1 << 7,
}

/**
 * SECURE_ALL_BITS and SECURE_ALL_LOCKS of the Linux the sandbox reports
 * (6.6: the four flags above; SECBIT_EXEC_RESTRICT_FILE and
 * SECBIT_EXEC_DENY_INTERACTIVE came in 6.14).
 */
export const SECURE_ALL_BITS = 0x55;
export const SECURE_ALL_LOCKS = SECURE_ALL_BITS << 1;

/** NGROUPS_MAX: the most supplementary groups setgroups(2) takes. */
export const NGROUPS_MAX = 65536;

/** The id that means "unchanged" in setreuid/setresuid and is never a valid uid or gid ((uid_t)-1). */
export const INVALID_ID = 0xffffffff;
