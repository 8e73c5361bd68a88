// What the VFS needs of a task's credentials (man 7 credentials) and the
// capabilities that override file permission checks (man 7 capabilities).
// kernel/creds.ts's Credentials satisfies FsCredentials structurally (the VFS
// sits below the kernel and does not import it).

export interface FsCredentials {
  readonly uid: number;
  readonly gid: number;
  readonly euid: number;
  readonly fsuid: number;
  readonly fsgid: number;
  readonly groups: readonly number[];
  /** The effective capability set, when the kernel models one; see capable(). */
  hasCapability?(cap: Capability): boolean;
}

/** Capability numbers (<linux/capability.h>) the VFS asks about. */
export const enum Capability {
  CAP_CHOWN = 0,
  CAP_DAC_OVERRIDE = 1,
  CAP_DAC_READ_SEARCH = 2,
  CAP_FOWNER = 3,
  CAP_FSETID = 4,
  CAP_LINUX_IMMUTABLE = 9,
  CAP_SYS_CHROOT = 18,
  CAP_SYS_ADMIN = 21,
  CAP_MKNOD = 27,
}

/** The capabilities a change of fsuid to or from 0 raises or drops (man 7 capabilities, "Effect of user ID changes"). */
function isFsCapability(cap: Capability): boolean {
  switch (cap) {
    case Capability.CAP_CHOWN:
    case Capability.CAP_DAC_OVERRIDE:
    case Capability.CAP_DAC_READ_SEARCH:
    case Capability.CAP_FOWNER:
    case Capability.CAP_FSETID:
    case Capability.CAP_LINUX_IMMUTABLE:
    case Capability.CAP_MKNOD:
      return true;
    default:
      return false;
  }
}

/**
 * Whether creds hold cap. Until the kernel models capability sets, root has
 * them all: the file-system ones follow fsuid, the others euid.
 */
export function capable(creds: FsCredentials, cap: Capability): boolean {
  if (creds.hasCapability) return creds.hasCapability(cap);
  return isFsCapability(cap) ? creds.fsuid === 0 : creds.euid === 0;
}

/** in_group_p: the fsgid or a supplementary group. */
export function inGroup(creds: FsCredentials, gid: number): boolean {
  return creds.fsgid === gid || creds.groups.includes(gid);
}
