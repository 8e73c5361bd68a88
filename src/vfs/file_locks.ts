// Advisory file locks, kept per inode as fs/locks.c keeps them:
//
// - flock(2) locks belong to an open file description: at most one per
//   description, shared or exclusive; a conversion first drops the old lock
//   (it is not atomic: man 2 flock), then takes the new one or waits.
// - Record locks (man 2 fcntl, "Advisory record locking" and "Open file
//   description locks") cover byte ranges [start, end] (end inclusive,
//   OFFSET_MAX: to the end of any file). A POSIX lock belongs to the process
//   through its descriptor table (fl_owner = current->files), an OFD lock to
//   the open file description; the two kinds share one list and conflict
//   with each other. One owner's locks never overlap: setting a range
//   replaces what the owner held there, splitting locks of the other type
//   and merging adjacent or overlapping ones of the same type.
// - Both kinds conflict when they overlap, belong to different owners, and
//   one is a write (exclusive) lock. flock and record locks never conflict
//   with each other.
// - A blocked request waits in its inode's queue; every change on the inode
//   retries the queue in order (Linux wakes the waiters of the lock that
//   changed; retrying all of them gives the same outcomes). A POSIX request
//   that would wait on an owner that itself waits, through a chain, on the
//   requester fails with EDEADLK (posix_locks_deadlock).
//
// Offsets are bigints: ranges reach OFFSET_MAX (2^63 - 1) and are compared
// exactly. The tables never hold an inode: a WeakMap keyed by the inode
// object (or whatever stands for the file: a pipe) finds them.
import { Errno } from '../abi/linux/errno.js';
import { LockType, OFFSET_MAX, OpenFlag } from '../abi/linux/fcntl.js';
import { blockingPromise } from '../kernel/blocking.js';

export { OFFSET_MAX };

/** How a blocked request records and forgets the way to interrupt it (Task has these). */
export interface LockParker {
  park(waker: (r: number) => void): void;
  unpark(): void;
}

/** One record lock. */
export interface RecordLock {
  /** The descriptor table (POSIX lock) or the open file description (OFD lock). */
  readonly owner: object;
  readonly ofd: boolean;
  /** The locking process's PID (F_GETLK's l_pid for a POSIX lock). */
  readonly pid: number;
  /** LockType.F_RDLCK or LockType.F_WRLCK. */
  readonly type: number;
  readonly start: bigint;
  /** Inclusive; OFFSET_MAX for "to the end of the file". */
  readonly end: bigint;
}

/** A record lock request (F_SETLK and friends): type F_UNLCK removes. */
export interface RecordLockRequest {
  owner: object;
  ofd: boolean;
  pid: number;
  type: number;
  start: bigint;
  end: bigint;
}

interface FlockEntry {
  readonly file: object;
  readonly type: number;
}

/** Sandbox-wide bound on lock records (each split can add two): beyond it, ENOLCK. */
export const MAX_LOCKS = 1 << 18;
/** posix_locks_deadlock gives up after this many hops (MAX_DEADLK_ITERATIONS). */
const MAX_DEADLK_ITERATIONS = 10;
/** An attempt's answer when the request must wait. */
const BLOCKED = 1;

class Waiter {
  done = false;
  /** The lock this request waits for (POSIX deadlock detection follows it). */
  blocker: RecordLock | null = null;
  resolve: (r: number) => void = () => {};

  constructor(
    readonly tab: InodeLocks,
    /** Tries the request again: 0 or -errno when done, BLOCKED to keep waiting. */
    readonly attempt: (w: Waiter) => number,
    readonly parker: LockParker | null,
    /** The owner of a waiting POSIX (not OFD) request: what deadlock detection looks up. */
    readonly posixOwner: object | null,
  ) {}

  /** The request completed (granted or failed): wakes the caller. */
  finish(r: number): void {
    if (this.done) return;
    this.done = true;
    this.forget();
    this.parker?.unpark();
    this.resolve(r);
  }

  /** The kernel cuts the wait short (a signal, or the task dies). */
  cancel(r: number): void {
    if (this.done) return;
    this.done = true;
    const i = this.tab.waiters.indexOf(this);
    if (i >= 0) this.tab.waiters.splice(i, 1);
    this.forget();
    this.resolve(r);
  }

  private forget(): void {
    totalWaiters--;
    if (!this.posixOwner) return;
    const ws = blockedByOwner.get(this.posixOwner);
    if (!ws) return;
    const i = ws.indexOf(this);
    if (i >= 0) ws.splice(i, 1);
    if (ws.length === 0) blockedByOwner.delete(this.posixOwner);
  }
}

/** The locks of one inode (struct file_lock_context). */
export class InodeLocks {
  /** flock locks, oldest first. */
  readonly flocks: FlockEntry[] = [];
  /** Record locks by owner, owners in the order they took their first lock, each list sorted and disjoint. */
  readonly posix = new Map<object, RecordLock[]>();
  /** Blocked requests, oldest first. */
  readonly waiters: Waiter[] = [];
  /** Bumped by every change (the pump retries waiters while it moves). */
  version = 0;
  private pumping = false;

  /** Retries the waiting requests in order until a whole pass changes nothing. */
  pump(): void {
    if (this.pumping || this.waiters.length === 0) return;
    this.pumping = true;
    try {
      let seen: number;
      do {
        seen = this.version;
        for (let i = 0; i < this.waiters.length; ) {
          const w = this.waiters[i];
          const r = w.attempt(w);
          if (r === BLOCKED) {
            i++;
            continue;
          }
          this.waiters.splice(i, 1);
          w.finish(r);
        }
      } while (this.version !== seen && this.waiters.length > 0);
    } finally {
      this.pumping = false;
    }
  }
}

const tables = new WeakMap<object, InodeLocks>();
/** The inodes where each POSIX owner holds record locks (releaseProcessLocks). */
const ownerIndex = new Map<object, Set<InodeLocks>>();
/** Waiting POSIX requests by owner (blocked_hash). */
const blockedByOwner = new Map<object, Waiter[]>();
let totalLocks = 0;
let totalWaiters = 0;

/** Lock records held in the sandbox now (flock and record locks). */
export function lockCount(): number {
  return totalLocks;
}

/** Requests waiting for a lock now. */
export function lockWaiterCount(): number {
  return totalWaiters;
}

/** The lock table of key (an inode, or what stands for one), if any lock or waiter was ever there. */
export function locksOf(key: object): InodeLocks | undefined {
  return tables.get(key);
}

function tableFor(key: object): InodeLocks {
  let t = tables.get(key);
  if (!t) {
    t = new InodeLocks();
    tables.set(key, t);
  }
  return t;
}

/** What locks of an open file description attach to: its inode, or its pipe, or the description itself. */
export function lockKeyOf(file: object): object {
  const f = file as { inode?: unknown; pipe?: unknown };
  if (typeof f.inode === 'object' && f.inode !== null) return f.inode;
  if (typeof f.pipe === 'object' && f.pipe !== null) return f.pipe;
  return file;
}

function conflicts(a: number, b: number): boolean {
  return a === LockType.F_WRLCK || b === LockType.F_WRLCK;
}

/** Parks the request w until an attempt completes it. */
function block(w: Waiter): Promise<number> {
  const p = blockingPromise<number>((resolve) => {
    w.resolve = resolve;
  });
  w.tab.waiters.push(w);
  totalWaiters++;
  if (w.posixOwner) {
    const ws = blockedByOwner.get(w.posixOwner);
    if (ws) ws.push(w);
    else blockedByOwner.set(w.posixOwner, [w]);
  }
  w.parker?.park((r) => w.cancel(r));
  return p;
}

// ---------------------------------------------------------------------------
// flock(2)

/** flock_lock_inode: one attempt (the description's old lock goes first). */
function flockAttempt(tab: InodeLocks, file: object, type: number): number {
  const list = tab.flocks;
  for (let i = 0; i < list.length; i++) {
    if (list[i].file !== file) continue;
    if (list[i].type === type) return 0;
    list.splice(i, 1);
    totalLocks--;
    tab.version++;
    break;
  }
  if (type === LockType.F_UNLCK) return 0;
  for (const l of list) if (l.file !== file && conflicts(l.type, type)) return -Errno.EAGAIN;
  if (totalLocks >= MAX_LOCKS) return -Errno.ENOLCK;
  list.push({ file, type });
  totalLocks++;
  tab.version++;
  return 0;
}

/**
 * flock(2) on the description `file` of `key`: type F_RDLCK (LOCK_SH),
 * F_WRLCK (LOCK_EX) or F_UNLCK. With wait, a conflict parks the caller (a
 * Promise; interruptible through parker); without, EAGAIN (EWOULDBLOCK).
 */
export function flockFile(key: object, file: object, type: number, wait: boolean, parker: LockParker | null): number | Promise<number> {
  if (type === LockType.F_UNLCK && !tables.has(key)) return 0;
  const tab = tableFor(key);
  const r = flockAttempt(tab, file, type);
  if (r !== -Errno.EAGAIN || !wait) {
    tab.pump();
    return r;
  }
  const w = new Waiter(tab, () => {
    const a = flockAttempt(tab, file, type);
    return a === -Errno.EAGAIN ? BLOCKED : a;
  }, parker, null);
  const p = block(w);
  tab.pump();
  return p;
}

/** The flock lock the description holds on key: F_RDLCK, F_WRLCK or F_UNLCK (for tests and /proc/locks). */
export function flockHeld(key: object, file: object): number {
  const tab = tables.get(key);
  const l = tab?.flocks.find((e) => e.file === file);
  return l ? l.type : LockType.F_UNLCK;
}

// ---------------------------------------------------------------------------
// Record locks

/** The first index of list whose lock ends at or after pos. */
function firstEndingFrom(list: RecordLock[], pos: bigint): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].end < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first lock (in list order: owners by age, then by start) another
 * owner holds over [start, end] that conflicts with a lock of type.
 */
function findConflict(tab: InodeLocks, owner: object, type: number, start: bigint, end: bigint): RecordLock | null {
  for (const [o, list] of tab.posix) {
    if (o === owner) continue;
    for (let i = firstEndingFrom(list, start); i < list.length && list[i].start <= end; i++) {
      if (conflicts(list[i].type, type)) return list[i];
    }
  }
  return null;
}

/** posix_locks_deadlock: whether waiting for `blocker` closes a cycle of waiting owners back to owner. */
function wouldDeadlock(owner: object, blocker: RecordLock): boolean {
  let b: RecordLock | null = blocker;
  for (let i = 0; ; i++) {
    const ws = blockedByOwner.get(b.owner);
    b = ws && ws.length > 0 ? ws[0].blocker : null;
    if (!b) return false;
    if (i > MAX_DEADLK_ITERATIONS) return false;
    if (b.owner === owner) return true;
  }
}

function index(owner: object, tab: InodeLocks): void {
  const s = ownerIndex.get(owner);
  if (s) s.add(tab);
  else ownerIndex.set(owner, new Set([tab]));
}

function unindex(owner: object, tab: InodeLocks): void {
  const s = ownerIndex.get(owner);
  if (!s) return;
  s.delete(tab);
  if (s.size === 0) ownerIndex.delete(owner);
}

function sameRange(a: RecordLock, b: RecordLock): boolean {
  return a.type === b.type && a.start === b.start && a.end === b.end;
}

/**
 * Sets req's range of req.owner's locks to req.type (F_UNLCK: none),
 * splitting locks of the other type and merging adjacent ones of the same
 * type (posix_lock_inode without the conflict search). 0 or -ENOLCK.
 */
function applyRecord(tab: InodeLocks, req: RecordLockRequest): number {
  const { owner, type, start: s, end: e } = req;
  const unlock = type === LockType.F_UNLCK;
  let list = tab.posix.get(owner);
  if (!list) {
    if (unlock) return 0;
    if (totalLocks >= MAX_LOCKS) return -Errno.ENOLCK;
    list = [];
    tab.posix.set(owner, list);
    if (!req.ofd) index(owner, tab);
  }
  // Locks overlapping or touching [s, e]: "start - 1" rather than "end + 1" as Linux, bigints never wrap.
  const lo = firstEndingFrom(list, s - 1n);
  let hi = lo;
  while (hi < list.length && list[hi].start <= e + 1n) hi++;
  let ns = s;
  let ne = e;
  let pid = -1;
  const before: RecordLock[] = [];
  const after: RecordLock[] = [];
  for (let i = lo; i < hi; i++) {
    const l = list[i];
    if (!unlock && l.type === type) {
      if (l.start < ns) ns = l.start;
      if (l.end > ne) ne = l.end;
      if (pid < 0) pid = l.pid;
      continue;
    }
    if (l.end < s) {
      before.push(l);
    } else if (l.start > e) {
      after.push(l);
    } else {
      if (l.start < s) before.push({ ...l, end: s - 1n });
      if (l.end > e) after.push({ ...l, start: e + 1n });
    }
  }
  const repl = before;
  if (!unlock) repl.push({ owner, ofd: req.ofd, pid: pid < 0 ? req.pid : pid, type, start: ns, end: ne });
  for (const l of after) repl.push(l);
  const n = hi - lo;
  if (repl.length === n) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = sameRange(repl[i], list[lo + i]);
    if (same) {
      if (list.length === 0) dropOwner(tab, owner, req.ofd);
      return 0;
    }
  }
  const delta = repl.length - n;
  if (delta > 0 && totalLocks + delta > MAX_LOCKS) {
    if (list.length === 0) dropOwner(tab, owner, req.ofd);
    return -Errno.ENOLCK;
  }
  list.splice(lo, n, ...repl);
  totalLocks += delta;
  tab.version++;
  if (list.length === 0) dropOwner(tab, owner, req.ofd);
  return 0;
}

function dropOwner(tab: InodeLocks, owner: object, ofd: boolean): void {
  tab.posix.delete(owner);
  if (!ofd) unindex(owner, tab);
}

/** One attempt at req for waiter w (null: the caller does not wait). */
function recordAttempt(tab: InodeLocks, req: RecordLockRequest, w: Waiter | null, wait: boolean): number {
  if (req.type !== LockType.F_UNLCK) {
    const c = findConflict(tab, req.owner, req.type, req.start, req.end);
    if (c) {
      if (!wait) return -Errno.EAGAIN;
      if (!req.ofd && wouldDeadlock(req.owner, c)) return -Errno.EDEADLK;
      if (w) w.blocker = c;
      return BLOCKED;
    }
  }
  return applyRecord(tab, req);
}

/**
 * F_SETLK / F_SETLKW / F_OFD_SETLK / F_OFD_SETLKW on key. Without wait a
 * conflict is EAGAIN; with wait the caller parks (a Promise) until the
 * range is free, or gets EDEADLK (POSIX locks only) if waiting would close
 * a cycle. req.start/end are validated (0 <= start <= end <= OFFSET_MAX).
 */
export function setRecordLock(key: object, req: RecordLockRequest, wait: boolean, parker: LockParker | null): number | Promise<number> {
  if (req.type === LockType.F_UNLCK && !tables.has(key)) return 0;
  const tab = tableFor(key);
  const w = wait ? new Waiter(tab, (self) => recordAttempt(tab, req, self, true), parker, req.ofd ? null : req.owner) : null;
  const r = recordAttempt(tab, req, w, wait);
  if (r !== BLOCKED) {
    tab.pump();
    return r;
  }
  return block(w!);
}

/**
 * F_GETLK / F_OFD_GETLK: the first lock that would block a lock of type
 * over [start, end] for owner, or null. type F_UNLCK (F_OFD_GETLK only,
 * Linux 6.6) finds the owner's own first lock overlapping the range.
 */
export function testRecordLock(key: object, owner: object, type: number, start: bigint, end: bigint): RecordLock | null {
  const tab = tables.get(key);
  if (!tab) return null;
  if (type !== LockType.F_UNLCK) return findConflict(tab, owner, type, start, end);
  const list = tab.posix.get(owner);
  if (!list) return null;
  const i = firstEndingFrom(list, start);
  return i < list.length && list[i].start <= end ? list[i] : null;
}

/** The record locks owner holds on key, in order (tests, /proc/locks). */
export function recordLocksHeld(key: object, owner: object): readonly RecordLock[] {
  return tables.get(key)?.posix.get(owner) ?? [];
}

// ---------------------------------------------------------------------------
// Release

function dropRecords(tab: InodeLocks, owner: object, ofd: boolean): void {
  const list = tab.posix.get(owner);
  if (!list) return;
  totalLocks -= list.length;
  dropOwner(tab, owner, ofd);
  tab.version++;
  tab.pump();
}

/**
 * A descriptor of `file` was closed by the process whose descriptor table
 * is owner (filp_flush → locks_remove_posix): every POSIX lock the process
 * holds on the file goes, whichever descriptor set it. O_PATH descriptors
 * never held any.
 */
export function releasePosixLocks(owner: object, file: { flags: number }): void {
  if (totalLocks === 0 || (file.flags & OpenFlag.O_PATH) !== 0) return;
  const tab = tables.get(lockKeyOf(file));
  if (tab) dropRecords(tab, owner, false);
}

/**
 * The last reference to the open file description `file` went away
 * (locks_remove_file): its flock lock and OFD locks go.
 */
export function releaseFileLocks(file: object, key: object = lockKeyOf(file)): void {
  if (totalLocks === 0) return;
  const tab = tables.get(key);
  if (!tab) return;
  const i = tab.flocks.findIndex((l) => l.file === file);
  if (i >= 0) {
    tab.flocks.splice(i, 1);
    totalLocks--;
    tab.version++;
    tab.pump();
  }
  dropRecords(tab, file, true);
}

/**
 * Every POSIX lock owner (a process's descriptor table) holds, on any file:
 * for process exit, after or instead of closing each descriptor (closing
 * them already releases the locks; this catches what a shared table left).
 */
export function releaseProcessLocks(owner: object): void {
  const s = ownerIndex.get(owner);
  if (!s) return;
  for (const tab of [...s]) dropRecords(tab, owner, false);
  ownerIndex.delete(owner);
}
