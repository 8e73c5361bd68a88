// What the VFS needs of a task's credentials (man 7 credentials) and the
// capabilities that override file permission checks (man 7 capabilities).
// kernel/creds.ts's Credentials satisfies FsCredentials structurally (the VFS
// sits below the kernel and does not import it).
import { CAP_FS_MASK_HI, CAP_FS_MASK_LO, Capability } from '../abi/linux/capability.js';

/** Capability numbers (<linux/capability.h>). */
export { Capability };

export interface FsCredentials {
  readonly uid: number;
  readonly gid: number;
  readonly euid: number;
  readonly fsuid: number;
  readonly fsgid: number;
  readonly groups: readonly number[];
  /**
   * Whether cap is in the effective capability set. The kernel's
   * Credentials always has it; plain objects (the kernel's own lookups as
   * root) may leave it out: see capable().
   */
  hasCapability?(cap: Capability): boolean;
  /**
   * The credentials access(2) checks with (access_override_creds): real
   * uid/gid as fsuid/fsgid, and the capabilities of the real uid.
   */
  forAccess?(): FsCredentials;
}

/** Whether cap is one of CAP_FS_MASK, which follows fsuid (man 7 capabilities, "Effect of user ID changes"). */
function isFsCapability(cap: Capability): boolean {
  return cap < 32 ? ((CAP_FS_MASK_LO >>> cap) & 1) !== 0 : ((CAP_FS_MASK_HI >>> (cap - 32)) & 1) !== 0;
}

/**
 * capable(): whether creds hold cap in their effective set. Credentials
 * without capability sets (plain objects) count as a root whose
 * capabilities follow the IDs: CAP_FS_MASK with fsuid 0, the rest with euid 0.
 */
export function capable(creds: FsCredentials, cap: Capability): boolean {
  if (creds.hasCapability) return creds.hasCapability(cap);
  return isFsCapability(cap) ? creds.fsuid === 0 : creds.euid === 0;
}

/** in_group_p: the fsgid or a supplementary group. */
export function inGroup(creds: FsCredentials, gid: number): boolean {
  return creds.fsgid === gid || creds.groups.includes(gid);
}
