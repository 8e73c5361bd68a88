// An epoll instance (fs/eventpoll.c): the interest list, the ready list, and
// the file that stands for them ("anon_inode:[eventpoll]").
//
// - Each watched (file, fd) pair is an item holding the events asked for and
//   64 bits of data; it subscribes to its file's readiness changes. A change
//   that concerns the item's events puts it on the ready list (once) and wakes
//   epoll_wait callers and whoever polls this instance (nested epoll, poll).
// - Harvesting (ep_send_events) takes ready items in order, polls each again
//   and reports those with events; a level-triggered item goes back on the
//   list, an edge-triggered one waits for the next change, a one-shot item
//   is disarmed (events cut to EP_PRIVATE_BITS) until EPOLL_CTL_MOD.
// - An item leaves when EPOLL_CTL_DEL removes it or when the last reference
//   to its open file description goes (not when one of several descriptors
//   for it is closed), as Linux.
// - Instances nest: one is pollable (POLLIN while an item is ready), and
//   adding one to another is refused with ELOOP when it would close a cycle
//   or make a chain deeper than EP_MAX_NESTS (ep_loop_check).
import { Errno } from '../abi/linux/errno.js';
import { EP_MAX_NESTS, EP_PRIVATE_BITS, EPOLL_EVENT_SIZE, Epoll } from '../abi/linux/epoll.js';
import { OpenFlag } from '../abi/linux/fcntl.js';
import { Poll } from '../abi/linux/poll.js';
import type { FileDescription, IoResult } from './file.js';
import type { GuestMemory } from './guest_memory.js';
import { isReleased, notifyRelease, watchRelease, type Pollable, type ReadinessListener } from './poll.js';

/** Watches one user may hold across instances (max_user_watches; Linux's is a share of memory). */
export const MAX_USER_WATCHES = 1 << 20;
const watchesByUser = new Map<number, number>();

/** Reused for one struct epoll_event. */
const eventBuf = new Uint8Array(EPOLL_EVENT_SIZE);
const eventView = new DataView(eventBuf.buffer);

function noop(): void {}

/** Level-triggered items to re-queue after a scan (harvest is never re-entered). */
const relistBuf: EpItem[] = [];

/** One watched (file, fd) (struct epitem). */
export class EpItem {
  /** On the ready list. */
  ready = false;
  unsubscribe: () => void = noop;
  private readonly unwatch: (() => void)[] = [];

  constructor(
    readonly ep: EpollFile,
    readonly file: FileDescription,
    readonly fd: number,
    readonly pollable: Pollable,
    public events: number,
    public dataLo: number,
    public dataHi: number,
  ) {}

  /** Removes the item when obj (its file or the source behind it) is released. */
  watch(obj: object): void {
    this.unwatch.push(watchRelease(obj, () => this.ep.remove(this)));
  }

  /** Drops the subscriptions. */
  detach(): void {
    this.unsubscribe();
    this.unsubscribe = noop;
    for (const fn of this.unwatch) fn();
    this.unwatch.length = 0;
  }

  /** The item's events ready now (ep_item_poll). */
  poll(): number {
    return this.pollable.readiness(this.events) & this.events;
  }
}

export class EpollFile implements FileDescription, Pollable {
  readonly name = 'anon_inode:[eventpoll]';
  readonly positional = false;
  flags = OpenFlag.O_RDWR;
  private refs = 0;
  private released = false;
  /** The interest list (ep->rbr), by file then fd. */
  private readonly items = new Map<FileDescription, EpItem[]>();
  private count = 0;
  /** The ready list (ep->rdllist), oldest first. */
  private ready: EpItem[] = [];
  /** A spare list harvesting swaps in (no allocation per epoll_wait). */
  private spare: EpItem[] = [];
  /** epoll_wait callers to wake (ep->wq). */
  private readonly waiters = new Set<() => void>();
  /** Pollers of this instance (ep->poll_wait): nested epoll, poll, select. */
  private readonly listeners = new Set<ReadinessListener>();
  /** Items of other instances that watch this one (ep->refs). */
  readonly parents = new Set<EpItem>();

  /** owner: the creator's real uid, charged for the watches (ep->user). */
  constructor(readonly owner: number) {}

  // -------------------------------------------------------------------------
  // The interest list (epoll_ctl)

  /** ep_find. */
  find(file: FileDescription, fd: number): EpItem | undefined {
    const list = this.items.get(file);
    if (!list) return undefined;
    for (const it of list) if (it.fd === fd) return it;
    return undefined;
  }

  /** The number of items. */
  get size(): number {
    return this.count;
  }

  /**
   * ep_insert: watches (file, fd) through pollable with events (EPOLLERR |
   * EPOLLHUP already added by the caller). 0 or -ENOSPC. An item ready at
   * once is queued at once.
   */
  insert(file: FileDescription, fd: number, pollable: Pollable, events: number, dataLo: number, dataHi: number): number {
    const used = watchesByUser.get(this.owner) ?? 0;
    if (used >= MAX_USER_WATCHES) return -Errno.ENOSPC;
    watchesByUser.set(this.owner, used + 1);
    const it = new EpItem(this, file, fd, pollable, events >>> 0, dataLo >>> 0, dataHi >>> 0);
    let list = this.items.get(file);
    if (!list) {
      list = [];
      this.items.set(file, list);
    }
    list.push(it);
    this.count++;
    it.watch(file);
    if ((pollable as object) !== file) it.watch(pollable);
    if (pollable instanceof EpollFile) pollable.parents.add(it);
    it.unsubscribe = pollable.onReadinessChange((mask) => this.callback(it, mask));
    if (it.poll() !== 0) this.queue(it);
    return 0;
  }

  /** ep_modify: new events and data; an item ready now is queued. */
  modify(it: EpItem, events: number, dataLo: number, dataHi: number): void {
    it.events = events >>> 0;
    it.dataLo = dataLo >>> 0;
    it.dataHi = dataHi >>> 0;
    if (it.poll() !== 0) this.queue(it);
  }

  /** ep_remove: forgets the item. Idempotent. */
  remove(it: EpItem): void {
    const list = this.items.get(it.file);
    if (!list) return;
    const i = list.indexOf(it);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.items.delete(it.file);
    this.count--;
    const used = watchesByUser.get(this.owner) ?? 1;
    if (used <= 1) watchesByUser.delete(this.owner);
    else watchesByUser.set(this.owner, used - 1);
    it.detach();
    if (it.pollable instanceof EpollFile) it.pollable.parents.delete(it);
    if (it.ready) {
      it.ready = false;
      const j = this.ready.indexOf(it);
      if (j >= 0) this.ready.splice(j, 1);
    }
  }

  /** ep_poll_callback: the item's file changed. */
  private callback(it: EpItem, mask: number): void {
    // A disarmed one-shot item, or a change that does not concern the item.
    if ((it.events & ~EP_PRIVATE_BITS) === 0) return;
    if ((mask & it.events) === 0) return;
    this.queue(it);
  }

  private queue(it: EpItem): void {
    if (!it.ready) {
      it.ready = true;
      this.ready.push(it);
    }
    for (const w of [...this.waiters]) w();
    if (this.listeners.size > 0) {
      const mask = this.readiness();
      for (const fn of [...this.listeners]) fn(mask);
    }
  }

  // -------------------------------------------------------------------------
  // Harvesting (epoll_wait)

  /** Whether the ready list is empty (ep_events_available). */
  get idle(): boolean {
    return this.ready.length === 0;
  }

  /**
   * ep_send_events: writes up to max events at addr (12 bytes each);
   * returns how many, or -EFAULT if the first one could not be written
   * (its item stays ready).
   */
  harvest(mm: GuestMemory, addr: number, max: number): number {
    if (this.ready.length === 0) return 0;
    const tx = this.ready;
    // Items that become ready during the scan land on the spare list.
    this.ready = this.spare;
    const relist = relistBuf;
    let n = 0;
    let i = 0;
    let fault = false;
    for (; i < tx.length && n < max; i++) {
      const it = tx[i]!;
      it.ready = false;
      if (isReleased(it.file)) {
        this.remove(it);
        continue;
      }
      const revents = it.poll();
      if (revents === 0) continue;
      eventView.setUint32(0, revents >>> 0, true);
      eventView.setUint32(4, it.dataLo, true);
      eventView.setUint32(8, it.dataHi, true);
      if (mm.writeBytes(addr + n * EPOLL_EVENT_SIZE, eventBuf, 0, EPOLL_EVENT_SIZE) < 0) {
        // The item goes back at the head, with the rest of the scan.
        it.ready = true;
        fault = true;
        break;
      }
      n++;
      if ((it.events & Epoll.EPOLLONESHOT) !== 0) it.events &= EP_PRIVATE_BITS;
      else if ((it.events & Epoll.EPOLLET) === 0) relist.push(it);
    }
    // ep_done_scan: what was not scanned first (still marked ready), then
    // the level-triggered items re-queued, then those that became ready meanwhile.
    const meanwhile = this.ready;
    let k = 0;
    for (let j = i; j < tx.length; j++) tx[k++] = tx[j]!;
    tx.length = k;
    for (const it of relist) {
      if (it.ready) continue;
      it.ready = true;
      tx.push(it);
    }
    relist.length = 0;
    for (const it of meanwhile) tx.push(it);
    meanwhile.length = 0;
    this.spare = meanwhile;
    this.ready = tx;
    if (fault && n === 0) return -Errno.EFAULT;
    return n;
  }

  /** Adds an epoll_wait caller's wake-up; returns the remover. */
  addWaiter(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => {
      this.waiters.delete(fn);
    };
  }

  // -------------------------------------------------------------------------
  // Pollable (ep_eventpoll_poll)

  /** POLLIN | POLLRDNORM while some ready item has events; items without any leave the ready list. */
  readiness(): number {
    let found = false;
    for (let i = 0; i < this.ready.length; ) {
      const it = this.ready[i]!;
      if (!isReleased(it.file) && it.poll() !== 0) {
        found = true;
        break;
      }
      it.ready = false;
      this.ready.splice(i, 1);
    }
    return found ? Poll.POLLIN | Poll.POLLRDNORM : 0;
  }

  onReadinessChange(fn: ReadinessListener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  // -------------------------------------------------------------------------
  // Nesting (ep_loop_check)

  /** Whether adding instance `to` to this one would close a loop or nest too deep. */
  loopCheck(to: EpollFile): boolean {
    const down = new Map<EpollFile, number>();
    const downDepth = (ep: EpollFile, depth: number): number => {
      const known = down.get(ep);
      if (known !== undefined) return known;
      down.set(ep, 0);
      let result = 0;
      for (const list of ep.items.values()) {
        for (const it of list) {
          if (!(it.pollable instanceof EpollFile)) continue;
          const child = it.pollable;
          if (child === this || depth > EP_MAX_NESTS) result = Number.MAX_SAFE_INTEGER;
          else result = Math.max(result, downDepth(child, depth + 1) + 1);
          if (result > EP_MAX_NESTS) break;
        }
        if (result > EP_MAX_NESTS) break;
      }
      down.set(ep, result);
      return result;
    };
    const depth = downDepth(to, 0);
    if (depth > EP_MAX_NESTS) return true;
    const up = new Map<EpollFile, number>();
    const upDepth = (ep: EpollFile): number => {
      const known = up.get(ep);
      if (known !== undefined) return known;
      up.set(ep, 0);
      let result = 0;
      for (const it of ep.parents) result = Math.max(result, upDepth(it.ep) + 1);
      up.set(ep, result);
      return result;
    };
    return depth + 1 + upDepth(this) > EP_MAX_NESTS;
  }

  // -------------------------------------------------------------------------
  // The file

  read(): IoResult {
    return -Errno.EINVAL;
  }

  write(): IoResult {
    return -Errno.EINVAL;
  }

  pread(): IoResult {
    return -Errno.ESPIPE;
  }

  pwrite(): IoResult {
    return -Errno.ESPIPE;
  }

  ioctl(): number {
    return -Errno.ENOTTY;
  }

  /** noop_llseek. */
  seek(): number {
    return 0;
  }

  incRef(): void {
    this.refs++;
  }

  /** ep_eventpoll_release: the last reference frees the instance and its items; instances watching it forget it. */
  decRef(): void {
    if (--this.refs > 0 || this.released) return;
    this.released = true;
    for (const list of [...this.items.values()]) for (const it of [...list]) this.remove(it);
    this.listeners.clear();
    notifyRelease(this);
  }
}
