// Pipe buffer sizes and their accounting (man 7 pipe "Pipe capacity",
// "/proc files"; fs/pipe.c alloc_pipe_info, pipe_set_size, round_pipe_size).
//
// A pipe's capacity is a number of page-sized slots. Linux charges every
// pipe's slots to the user that created it: past pipe-user-pages-soft an
// unprivileged user's new pipes get 2 slots and may not grow; past
// pipe-user-pages-hard (0: no limit) they cannot be created. tsvisor adds one
// bound of its own on the slots of all pipes in the sandbox, root included,
// so a guest cannot make the sentry hold unbounded memory: past it new pipes
// get 2 slots, then ENFILE, and growing is refused (ENOMEM as a failed
// allocation for privileged callers, EPERM for others).
import { Errno } from '../../abi/linux/errno.js';
import { Capability, capable, type FsCredentials } from '../../vfs/credentials.js';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
/** Writes of at most this many bytes are atomic (man 7 pipe). */
export const PIPE_BUF = 4096;
/** Slots of a new pipe: 16 pages, 65536 bytes. */
export const PIPE_DEF_BUFFERS = 16;
/** Slots of a new pipe once its user is over the soft limit. */
export const PIPE_MIN_DEF_BUFFERS = 2;

/** Who creates or resizes a pipe, as the limits see them. */
export interface PipeCaller {
  /** The real uid (the user_struct pipes are charged to). */
  readonly uid: number;
  /** Owner of a new pipe's inode (fstat). */
  readonly fsuid: number;
  readonly fsgid: number;
  /** CAP_SYS_RESOURCE: may exceed pipe-max-size and the per-user limits. */
  readonly capSysResource: boolean;
  /** CAP_SYS_ADMIN: also exempt from the per-user limits (pipe_is_unprivileged_user). */
  readonly capSysAdmin: boolean;
}

const CAP_SYS_RESOURCE = 24 as Capability;

/** The PipeCaller of a task's credentials (root has both capabilities until the kernel models capability sets). */
export function pipeCallerFromCreds(c: FsCredentials): PipeCaller {
  return {
    uid: c.uid,
    fsuid: c.fsuid,
    fsgid: c.fsgid,
    capSysResource: capable(c, CAP_SYS_RESOURCE),
    capSysAdmin: capable(c, Capability.CAP_SYS_ADMIN),
  };
}

/** round_pipe_size: a power of two of at least a page, 0 if too large (arg is an unsigned int). */
export function roundPipeSize(size: number): number {
  size = size >>> 0;
  if (size > 0x80000000) return 0;
  if (size < PAGE_SIZE) return PAGE_SIZE;
  let p = PAGE_SIZE;
  while (p < size) p *= 2;
  return p;
}

export class PipeAccounting {
  /** /proc/sys/fs/pipe-max-size: the largest size an unprivileged F_SETPIPE_SZ may ask for. */
  maxSize = 1 << 20;
  /** /proc/sys/fs/pipe-user-pages-soft (0: none). */
  userPagesSoft = 16384;
  /** /proc/sys/fs/pipe-user-pages-hard (0: none). */
  userPagesHard = 0;
  /** tsvisor's bound on the slots of every pipe of the sandbox (65536 pages: 256 MiB). */
  sandboxPages = 65536;

  private readonly perUser = new Map<number, number>();
  private totalPages = 0;

  /** Slots charged to all pipes now. */
  get total(): number {
    return this.totalPages;
  }

  userPages(uid: number): number {
    return this.perUser.get(uid) ?? 0;
  }

  /** account_pipe_buffers: moves uid's charge from old to new slots; returns uid's total. */
  charge(uid: number, oldSlots: number, newSlots: number): number {
    const u = (this.perUser.get(uid) ?? 0) + newSlots - oldSlots;
    if (u === 0) this.perUser.delete(uid);
    else this.perUser.set(uid, u);
    this.totalPages += newSlots - oldSlots;
    return u;
  }

  private overSoft(userPages: number): boolean {
    return this.userPagesSoft !== 0 && userPages > this.userPagesSoft;
  }

  private overHard(userPages: number): boolean {
    return this.userPagesHard !== 0 && userPages > this.userPagesHard;
  }

  /** alloc_pipe_info's sizing: the slots of a new pipe (charged), or -ENFILE. */
  allocate(caller: PipeCaller): number {
    const unprivileged = !caller.capSysResource && !caller.capSysAdmin;
    let slots = PIPE_DEF_BUFFERS;
    if (slots * PAGE_SIZE > this.maxSize && !caller.capSysResource) slots = Math.max(1, this.maxSize >>> PAGE_SHIFT);
    let user = this.charge(caller.uid, 0, slots);
    if ((unprivileged && this.overSoft(user)) || this.totalPages > this.sandboxPages) {
      user = this.charge(caller.uid, slots, PIPE_MIN_DEF_BUFFERS);
      slots = PIPE_MIN_DEF_BUFFERS;
    }
    if ((unprivileged && this.overHard(user)) || this.totalPages > this.sandboxPages) {
      this.charge(caller.uid, slots, 0);
      return -Errno.ENFILE;
    }
    return slots;
  }

  /**
   * pipe_set_size's checks for a pipe of owner uid going from cur to want
   * slots: 0 (charged; the caller must call it back with (want, cur) if the
   * resize then fails) or -EPERM / -ENOMEM.
   */
  resize(owner: number, caller: PipeCaller, cur: number, want: number): number {
    if (want > cur && want * PAGE_SIZE > this.maxSize && !caller.capSysResource) return -Errno.EPERM;
    const user = this.charge(owner, cur, want);
    if (want > cur) {
      const unprivileged = !caller.capSysResource && !caller.capSysAdmin;
      if (unprivileged && (this.overHard(user) || this.overSoft(user))) {
        this.charge(owner, want, cur);
        return -Errno.EPERM;
      }
      if (this.totalPages > this.sandboxPages) {
        this.charge(owner, want, cur);
        return unprivileged ? -Errno.EPERM : -Errno.ENOMEM;
      }
    }
    return 0;
  }

  /** A pipe is freed. */
  release(owner: number, slots: number): void {
    this.charge(owner, slots, 0);
  }
}

/** The accounting of every pipe of this sandbox (one kernel per sentry process). */
export const defaultPipeAccounting = new PipeAccounting();
