// Readiness (the f_op->poll of Linux): what a file can do now without
// blocking, and a way to hear when that may have changed. poll(2),
// select(2) and epoll(7) build on it; any FileDescription (or the FileImpl
// behind an OpenFile) becomes pollable by implementing Pollable.
//
// - readiness() returns the POLL* bits true now (src/abi/linux/poll.ts).
// - onReadinessChange(fn) calls fn(mask) after any change that can affect
//   readiness (it may be spurious: listeners recompute what they need). For
//   edge-triggered epoll, a file notifies on every new arrival (each write
//   to a pipe), not only on a transition. It returns the unsubscriber.
//   Listeners must not re-enter the file synchronously beyond readiness().
//
// A file without a poll method (regular files, directories) is always
// readable and writable for poll and select (DEFAULT_POLLMASK), and cannot
// be added to an epoll set (EPERM).
//
// When the last reference to an open file description goes, epoll forgets it
// (eventpoll_release): files that can be watched call notifyRelease(this)
// then. OpenFile is checked for being released lazily (see isReleased).
import { DEFAULT_POLLMASK } from '../abi/linux/poll.js';
import type { FileDescription } from './file.js';
import { OpenFile } from './open_file.js';

export type ReadinessListener = (mask: number) => void;

export interface Pollable {
  /**
   * The POLL* events ready now. interest: the events the caller asks for (a
   * hint: a source may skip costly checks for the others; all when absent).
   */
  readiness(interest?: number): number;
  /** Calls fn after every change that can affect readiness; returns the unsubscriber. */
  onReadinessChange(fn: ReadinessListener): () => void;
}

/** How a blocking wait parks its task (Task satisfies it): a waker the kernel calls to cut the wait short. */
export interface Parker {
  park(waker: (r: number) => void): void;
  unpark(): void;
}

/**
 * A source may say it has no poll method after all (hasPoll false: a host
 * regular file, /dev/null): poll and select see DEFAULT_POLLMASK, epoll_ctl
 * is EPERM (file_can_poll is false).
 */
interface MaybePoll {
  readonly hasPoll?: boolean;
}

/** A file whose readiness never changes (devices): nothing to subscribe to. */
interface StaticReadiness extends MaybePoll {
  readiness(interest?: number): number;
}

const NO_UNSUBSCRIBE = (): void => {};

export function isPollable(x: unknown): x is Pollable {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Partial<Pollable>).readiness === 'function' &&
    typeof (x as Partial<Pollable>).onReadinessChange === 'function'
  );
}

function hasReadiness(x: unknown): x is StaticReadiness {
  return typeof x === 'object' && x !== null && typeof (x as Partial<StaticReadiness>).readiness === 'function';
}

/** Adapters for files with a fixed readiness, made once per object. */
const staticAdapters = new WeakMap<object, Pollable>();

function adaptStatic(x: StaticReadiness): Pollable {
  let p = staticAdapters.get(x);
  if (!p) {
    p = {
      readiness: (interest?: number) => x.readiness(interest),
      onReadinessChange: () => NO_UNSUBSCRIBE,
    };
    staticAdapters.set(x, p);
  }
  return p;
}

/**
 * The private parts of OpenFile poll needs. OpenFile keeps its FileImpl and
 * its released state private; until it offers accessors (a `pollable`
 * getter and a release notification), they are read here, in one place.
 */
interface OpenFileInternals {
  impl: unknown;
  released: boolean;
}

function internals(f: OpenFile): OpenFileInternals {
  return f as unknown as OpenFileInternals;
}

/**
 * The readiness source of an open file description, or null for a file
 * without a poll method (DEFAULT_POLLMASK for poll and select, EPERM for
 * epoll_ctl). An OpenFile answers through its FileImpl (FIFOs, devices).
 */
export function pollableOf(f: FileDescription): Pollable | null {
  const target: unknown = f instanceof OpenFile ? internals(f).impl : f;
  if (typeof target !== 'object' || target === null || (target as MaybePoll).hasPoll === false) return null;
  if (isPollable(target)) return target;
  if (hasReadiness(target)) return adaptStatic(target);
  return null;
}

/** vfs_poll: the file's events now (DEFAULT_POLLMASK without a poll method); interest as for Pollable.readiness. */
export function pollNow(f: FileDescription, interest?: number): number {
  const p = pollableOf(f);
  return p ? p.readiness(interest) : DEFAULT_POLLMASK;
}

// ---------------------------------------------------------------------------
// Release of an open file description (eventpoll_release)

const releaseWatchers = new WeakMap<object, Set<() => void>>();

/** Calls fn once obj (a FileDescription or the Pollable behind one) is released; returns the canceller. */
export function watchRelease(obj: object, fn: () => void): () => void {
  let set = releaseWatchers.get(obj);
  if (!set) {
    set = new Set();
    releaseWatchers.set(obj, set);
  }
  set.add(fn);
  const s = set;
  return () => {
    s.delete(fn);
  };
}

/** The last reference to obj's open file description is gone: epoll sets drop it. */
export function notifyRelease(obj: object): void {
  const set = releaseWatchers.get(obj);
  if (!set) return;
  releaseWatchers.delete(obj);
  for (const fn of [...set]) fn();
}

/** Whether f's last reference is gone (for files that do not call notifyRelease themselves). */
export function isReleased(f: FileDescription): boolean {
  return f instanceof OpenFile && internals(f).released === true;
}
