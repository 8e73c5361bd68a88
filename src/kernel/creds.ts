// Task credentials (man 7 credentials, man 7 capabilities): the user and
// group IDs, supplementary groups, capability sets, securebits and
// no_new_privs of one thread.
//
// Like Linux's struct cred, a Credentials object is never changed once a task
// uses it: a syscall that changes credentials builds a clone, edits it and
// installs it (commitCreds in src/kernel/task_attrs.ts). So anything holding a
// reference (an open file's opener credentials, a pending check) keeps the
// credentials it saw. fork and clone give the child creds.clone() (or may
// share the object, as it is immutable).
//
// no_new_privs is a task flag in Linux (task->atomic_flags); it is kept here
// because it follows the same inheritance (every clone, preserved by execve)
// and guards the same transitions. Credentials satisfies the VFS's
// FsCredentials (src/vfs/credentials.ts) structurally.
import { Securebit, type Capability } from '../abi/linux/capability.js';
import { CapSet } from './capabilities.js';

export class Credentials {
  /** Supplementary group IDs, sorted (replace with setGroups, never edit). */
  groups: readonly number[];
  permitted: CapSet;
  effective: CapSet;
  inheritable: CapSet = CapSet.EMPTY;
  bounding: CapSet = CapSet.FULL;
  ambient: CapSet = CapSet.EMPTY;
  /** SECBIT_* flags (prctl PR_SET_SECUREBITS, PR_SET_KEEPCAPS). */
  securebits = 0;
  /** PR_SET_NO_NEW_PRIVS: set once, never cleared; inherited by every child. */
  noNewPrivs = false;

  /**
   * IDs default as for a process started by root's execve: uid 0 (real or
   * effective) gets the full permitted set (the bounding set), and the full
   * effective set when the effective uid is 0; other users get none. groups
   * are kept sorted, as setgroups(2) stores them.
   */
  constructor(
    public uid = 0,
    public gid = 0,
    public euid = uid,
    public egid = gid,
    public suid = uid,
    public sgid = gid,
    public fsuid = uid,
    public fsgid = gid,
    groups: readonly number[] = [],
  ) {
    this.groups = sortedGroups(groups);
    this.permitted = uid === 0 || euid === 0 ? CapSet.FULL : CapSet.EMPTY;
    this.effective = euid === 0 ? this.permitted : CapSet.EMPTY;
  }

  /** A copy to edit (prepare_creds). */
  clone(): Credentials {
    const c = new Credentials(this.uid, this.gid, this.euid, this.egid, this.suid, this.sgid, this.fsuid, this.fsgid, []);
    c.setGroups(this.groups, true);
    c.permitted = this.permitted;
    c.effective = this.effective;
    c.inheritable = this.inheritable;
    c.bounding = this.bounding;
    c.ambient = this.ambient;
    c.securebits = this.securebits;
    c.noNewPrivs = this.noNewPrivs;
    return c;
  }

  /**
   * A copy with the given capability sets (an OCI config's
   * process.capabilities, Docker's default set): each set is masked to the
   * valid capabilities; the ambient set keeps only capabilities both
   * permitted and inheritable, and effective stays within permitted.
   */
  withCaps(sets: { permitted?: CapSet; effective?: CapSet; inheritable?: CapSet; bounding?: CapSet; ambient?: CapSet }): Credentials {
    const c = this.clone();
    if (sets.permitted) c.permitted = sets.permitted;
    if (sets.effective) c.effective = sets.effective;
    if (sets.inheritable) c.inheritable = sets.inheritable;
    if (sets.bounding) c.bounding = sets.bounding;
    if (sets.ambient) c.ambient = sets.ambient;
    c.effective = c.effective.and(c.permitted);
    c.ambient = c.ambient.and(c.permitted).and(c.inheritable);
    return c;
  }

  /** Whether cap is in the effective set (capable(), the VFS's check). */
  hasCapability(cap: Capability): boolean {
    return this.effective.has(cap);
  }

  /** Replaces the supplementary groups (sorted, duplicates kept, as groups_sort does). */
  setGroups(groups: readonly number[], sorted = false): void {
    this.groups = sorted ? groups : sortedGroups(groups);
  }

  /**
   * The credentials access(2) and faccessat(2) without AT_EACCESS check
   * with (access_override_creds): the real uid and gid as fsuid and fsgid;
   * unless SECBIT_NO_SETUID_FIXUP, no capabilities for a non-root real uid
   * and the permitted set as effective for real uid 0.
   */
  forAccess(): Credentials {
    const c = this.clone();
    c.fsuid = this.uid;
    c.fsgid = this.gid;
    if ((this.securebits & Securebit.SECBIT_NO_SETUID_FIXUP) === 0) c.effective = this.uid === 0 ? this.permitted : CapSet.EMPTY;
    return c;
  }
}

function sortedGroups(groups: readonly number[]): readonly number[] {
  const g = groups.map((x) => x >>> 0);
  g.sort((a, b) => a - b);
  return g;
}
