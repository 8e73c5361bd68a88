// Capability sets and the rules that move them (man 7 capabilities;
// security/commoncap.c): the fix-ups after set*uid, capset's checks, and the
// transformation at execve.
//
// The sandbox's root starts with every capability (permitted, effective and
// bounding sets full), as root does in runsc's sandbox: the guest runs in
// the sandbox's own user namespace, so a capability only ever grants power
// over the sandbox's state, never the host's. A stricter set (Docker's default
// 14 capabilities, or an OCI config's process.capabilities) is installed by
// whoever creates the first process (Credentials.withCaps).
import {
  CAP_FS_MASK_HI,
  CAP_FS_MASK_LO,
  CAP_LAST_CAP,
  CAP_VALID_HI,
  CAP_VALID_LO,
  Capability,
  Securebit,
} from '../abi/linux/capability.js';
import { Errno } from '../abi/linux/errno.js';
import type { Credentials } from './creds.js';

/**
 * An immutable 64-bit capability mask, as two unsigned 32-bit words (bits
 * 0-31 and 32-63): no bigint on the permission-check path.
 */
export class CapSet {
  static readonly EMPTY = new CapSet(0, 0);
  /** Every capability up to CAP_LAST_CAP (CAP_VALID_MASK). */
  static readonly FULL = new CapSet(CAP_VALID_LO, CAP_VALID_HI);
  /** CAP_FS_MASK: the capabilities that follow fsuid. */
  static readonly FS = new CapSet(CAP_FS_MASK_LO, CAP_FS_MASK_HI);

  readonly lo: number;
  readonly hi: number;

  /** Words are masked to the valid capabilities (mk_kernel_cap). */
  constructor(lo: number, hi: number) {
    this.lo = (lo & CAP_VALID_LO) >>> 0;
    this.hi = (hi & CAP_VALID_HI) >>> 0;
  }

  static of(...caps: Capability[]): CapSet {
    let s = CapSet.EMPTY;
    for (const c of caps) s = s.with(c);
    return s;
  }

  static fromBigInt(v: bigint): CapSet {
    return new CapSet(Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn));
  }

  has(cap: number): boolean {
    if (cap < 32) return cap >= 0 && ((this.lo >>> cap) & 1) !== 0;
    return cap <= CAP_LAST_CAP && ((this.hi >>> (cap - 32)) & 1) !== 0;
  }

  with(cap: number): CapSet {
    if (!capValid(cap)) return this;
    return cap < 32 ? new CapSet(this.lo | (1 << cap), this.hi) : new CapSet(this.lo, this.hi | (1 << (cap - 32)));
  }

  without(cap: number): CapSet {
    if (!capValid(cap)) return this;
    return cap < 32 ? new CapSet(this.lo & ~(1 << cap), this.hi) : new CapSet(this.lo, this.hi & ~(1 << (cap - 32)));
  }

  and(o: CapSet): CapSet {
    return new CapSet(this.lo & o.lo, this.hi & o.hi);
  }

  or(o: CapSet): CapSet {
    return new CapSet(this.lo | o.lo, this.hi | o.hi);
  }

  andNot(o: CapSet): CapSet {
    return new CapSet(this.lo & ~o.lo, this.hi & ~o.hi);
  }

  /** cap_issubset(this, o). */
  subsetOf(o: CapSet): boolean {
    return ((this.lo & ~o.lo) | (this.hi & ~o.hi)) === 0;
  }

  isEmpty(): boolean {
    return (this.lo | this.hi) === 0;
  }

  equals(o: CapSet): boolean {
    return this.lo === o.lo && this.hi === o.hi;
  }

  toBigInt(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** "%016llx", as /proc/PID/status prints the sets. */
  toString(): string {
    return this.toBigInt().toString(16).padStart(16, '0');
  }
}

/** cap_valid(): 0 ≤ cap ≤ CAP_LAST_CAP. */
export function capValid(cap: number): boolean {
  return Number.isInteger(cap) && cap >= 0 && cap <= CAP_LAST_CAP;
}

/**
 * cap_task_fix_setuid for setuid, setreuid and setresuid (LSM_SETID_ID/RE/RES,
 * cap_emulate_setxuid): leaving uid 0 in all of uid, euid and suid clears
 * the permitted and effective sets (unless SECBIT_KEEP_CAPS) and the ambient
 * set; euid leaving 0 clears the effective set; euid becoming 0 restores
 * effective from permitted. Edits next in place; prev is the caller's
 * credentials before the call.
 */
export function fixCapsAfterSetuid(prev: Credentials, next: Credentials): void {
  if ((prev.securebits & Securebit.SECBIT_NO_SETUID_FIXUP) !== 0) return;
  const wasRoot = prev.uid === 0 || prev.euid === 0 || prev.suid === 0;
  const isRoot = next.uid === 0 || next.euid === 0 || next.suid === 0;
  if (wasRoot && !isRoot) {
    if ((prev.securebits & Securebit.SECBIT_KEEP_CAPS) === 0) {
      next.permitted = CapSet.EMPTY;
      next.effective = CapSet.EMPTY;
    }
    next.ambient = CapSet.EMPTY;
  }
  if (prev.euid === 0 && next.euid !== 0) next.effective = CapSet.EMPTY;
  if (prev.euid !== 0 && next.euid === 0) next.effective = next.permitted;
}

/**
 * cap_task_fix_setuid for setfsuid (LSM_SETID_FS): fsuid leaving 0 drops
 * CAP_FS_MASK from the effective set; fsuid becoming 0 raises the permitted
 * ones of it.
 */
export function fixCapsAfterSetfsuid(prev: Credentials, next: Credentials): void {
  if ((prev.securebits & Securebit.SECBIT_NO_SETUID_FIXUP) !== 0) return;
  if (prev.fsuid === 0 && next.fsuid !== 0) next.effective = next.effective.andNot(CapSet.FS);
  if (prev.fsuid !== 0 && next.fsuid === 0) next.effective = next.effective.or(next.permitted.and(CapSet.FS));
}

/**
 * cap_capset's checks: the new inheritable set within the old inheritable
 * and permitted sets (unless CAP_SETPCAP) and within inheritable plus the
 * bounding set; permitted never grows; effective within the new permitted.
 * 0 or -EPERM.
 */
export function capsetAllowed(prev: Credentials, effective: CapSet, permitted: CapSet, inheritable: CapSet): number {
  const inhCapped = !prev.effective.has(Capability.CAP_SETPCAP);
  if (inhCapped && !inheritable.subsetOf(prev.inheritable.or(prev.permitted))) return -Errno.EPERM;
  if (!inheritable.subsetOf(prev.inheritable.or(prev.bounding))) return -Errno.EPERM;
  if (!permitted.subsetOf(prev.permitted)) return -Errno.EPERM;
  if (!effective.subsetOf(permitted)) return -Errno.EPERM;
  return 0;
}

/** capset's update once allowed: the three sets, and ambient capabilities no longer both permitted and inheritable dropped. */
export function applyCapset(next: Credentials, effective: CapSet, permitted: CapSet, inheritable: CapSet): void {
  next.effective = effective;
  next.permitted = permitted;
  next.inheritable = inheritable;
  next.ambient = next.ambient.and(permitted.and(inheritable));
}

/** A file's capabilities (the security.capability extended attribute, decoded by decodeFileCaps). */
export interface FileCaps {
  permitted: CapSet;
  inheritable: CapSet;
  /** VFS_CAP_FLAGS_EFFECTIVE: the new permitted set becomes effective. */
  effective: boolean;
}

/** VFS_CAP_REVISION_* and the sizes of struct vfs_cap_data / vfs_ns_cap_data. */
const VFS_CAP_REVISION_MASK = 0xff000000;
const VFS_CAP_REVISION_1 = 0x01000000;
const VFS_CAP_REVISION_2 = 0x02000000;
const VFS_CAP_REVISION_3 = 0x03000000;
const VFS_CAP_FLAGS_EFFECTIVE = 0x000001;

/**
 * Decodes a security.capability value (get_vfs_caps_from_disk): revision 1
 * (12 bytes, 32-bit sets), 2 (20 bytes) or 3 (24 bytes, with the root uid of
 * the namespace the capabilities apply in: only 0 counts in the sandbox).
 * Returns null for a malformed value or one that does not apply (Linux then
 * runs the program without file capabilities).
 */
export function decodeFileCaps(b: Uint8Array): FileCaps | null {
  if (b.length < 4) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = dv.getUint32(0, true);
  const rev = (magic & VFS_CAP_REVISION_MASK) >>> 0;
  let size: number;
  if (rev === VFS_CAP_REVISION_1) size = 12;
  else if (rev === VFS_CAP_REVISION_2) size = 20;
  else if (rev === VFS_CAP_REVISION_3) size = 24;
  else return null;
  if (b.length !== size) return null;
  if (rev === VFS_CAP_REVISION_3 && dv.getUint32(20, true) !== 0) return null;
  const wide = rev !== VFS_CAP_REVISION_1;
  return {
    permitted: new CapSet(dv.getUint32(4, true), wide ? dv.getUint32(12, true) : 0),
    inheritable: new CapSet(dv.getUint32(8, true), wide ? dv.getUint32(16, true) : 0),
    effective: (magic & VFS_CAP_FLAGS_EFFECTIVE) !== 0,
  };
}

export interface ExecCredsOptions {
  /**
   * bprm->unsafe other than no_new_privs: the process's fs_struct is shared
   * with another process (CLONE_FS, LSM_UNSAFE_SHARE), or it is ptraced by a
   * tracer without CAP_SYS_PTRACE. Set-user-ID and capability gains are then
   * cut back (permitted ∩ old permitted; euid/egid kept only with CAP_SETUID).
   */
  unsafe?: boolean;
  /** The file's capabilities, when it has a valid security.capability and its mount allows set-user-ID. */
  fileCaps?: FileCaps | null;
}

export interface ExecCreds {
  /** The credentials to install; a new object (the caller's are unchanged). */
  creds: Credentials;
  /** AT_SECURE (bprm->secureexec): the program gained privilege. */
  secure: boolean;
}

/**
 * The credentials after execve of a file (fs/exec.c prepare_exec_creds and
 * bprm_fill_uid, security/commoncap.c cap_bprm_creds_from_file; man 7
 * capabilities "Transformation of capabilities during execve()" and
 * "Capabilities and execution of programs by root").
 *
 * setuidBit: the file is S_ISUID and its mount is not MS_NOSUID.
 * setgidBit: the file is S_ISGID *and* S_IXGRP (a setgid file without group
 * execute is a mandatory-locking candidate, not set-group-ID), mount not
 * MS_NOSUID.
 * noNewPrivs: PR_SET_NO_NEW_PRIVS is set (creds.noNewPrivs counts too): the
 * set-ID bits are ignored and no capability is gained.
 *
 * Returns -EPERM only when file capabilities with the effective bit ask for
 * more than the bounding and inheritable sets allow (the execve fails).
 */
export function credsAfterExec(
  creds: Credentials,
  fileUid: number,
  fileGid: number,
  setuidBit: boolean,
  setgidBit: boolean,
  noNewPrivs: boolean,
  opts: ExecCredsOptions = {},
): ExecCreds | number {
  const old = creds;
  const nnp = noNewPrivs || old.noNewPrivs;
  const n = old.clone();
  // prepare_exec_creds: the saved and file-system IDs follow the effective ones.
  n.suid = n.fsuid = n.euid;
  n.sgid = n.fsgid = n.egid;
  // bprm_fill_uid.
  if (!nnp) {
    if (setuidBit) n.euid = fileUid;
    if (setgidBit) n.egid = fileGid;
  }
  // get_file_caps: pP' = (X & fP) | (pI & fI), or nothing.
  let effective = false;
  const fcaps = opts.fileCaps ?? null;
  n.permitted = CapSet.EMPTY;
  if (fcaps) {
    effective = fcaps.effective;
    n.permitted = n.bounding.and(fcaps.permitted).or(n.inheritable.and(fcaps.inheritable));
    if (effective && !fcaps.permitted.subsetOf(n.permitted)) return -Errno.EPERM;
  }
  // handle_privileged_root.
  if ((old.securebits & Securebit.SECBIT_NOROOT) === 0 && !(fcaps && n.euid === 0 && n.uid !== 0)) {
    if (n.euid === 0 || n.uid === 0) n.permitted = old.bounding.or(old.inheritable);
    if (n.euid === 0) effective = true;
  }
  const isSetid = n.euid !== old.uid || n.egid !== old.gid;
  const gained = !n.permitted.subsetOf(old.permitted);
  if ((isSetid || gained) && (nnp || opts.unsafe === true)) {
    if (!old.effective.has(Capability.CAP_SETUID) || nnp) {
      n.euid = n.uid;
      n.egid = n.gid;
    }
    n.permitted = n.permitted.and(old.permitted);
  }
  n.suid = n.fsuid = n.euid;
  n.sgid = n.fsgid = n.egid;
  // File capabilities or set-ID cancel the ambient set; pP' |= pA'; pE' = fE ? pP' : pA'.
  if (fcaps || isSetid) n.ambient = CapSet.EMPTY;
  n.permitted = n.permitted.or(n.ambient);
  n.effective = effective ? n.permitted : n.ambient;
  n.securebits &= ~Securebit.SECBIT_KEEP_CAPS;
  const secure = isSetid || (n.uid !== 0 && (effective || !n.permitted.subsetOf(n.ambient)));
  return { creds: n, secure };
}

/** The five sets as /proc/PID/status shows them (ProcCaps of src/fs/proc/view.ts). */
export function procCaps(c: Credentials): { inheritable: bigint; permitted: bigint; effective: bigint; bounding: bigint; ambient: bigint } {
  return {
    inheritable: c.inheritable.toBigInt(),
    permitted: c.permitted.toBigInt(),
    effective: c.effective.toBigInt(),
    bounding: c.bounding.toBigInt(),
    ambient: c.ambient.toBigInt(),
  };
}
