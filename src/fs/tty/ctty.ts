// Controlling terminals (man 7 credentials, "controlling terminal"; Linux's
// signal->tty and tty->ctrl.session). A terminal records the session it
// controls; a process's controlling terminal is the one recording its
// session, unless the process gave it up alone (TIOCNOTTY by a member that
// is not the session leader). setsid(2) thus leaves the old terminal behind
// by itself: the new session is not recorded anywhere.
//
// Partial: children that a process forks after giving up its terminal with
// TIOCNOTTY (staying in its session) see the session's terminal again;
// Linux copies the process's own signal->tty, empty then, at fork.
import type { TtyProcess } from './hooks.js';

/** What the registry needs of a terminal. */
export interface SessionTerminal {
  /** The session it controls, or null. */
  readonly ctrl: { readonly ns: object; readonly sid: number } | null;
}

const controlling = new Set<SessionTerminal>();
const detached = new WeakMap<object, SessionTerminal>();

/** The controlling terminal of process p, if any. */
export function controllingTerminalOf<T extends SessionTerminal>(p: TtyProcess): T | undefined {
  for (const t of controlling) {
    const c = t.ctrl;
    if (c && c.ns === p.ns && c.sid === p.sid && detached.get(p.proc) !== t) return t as T;
  }
  return undefined;
}

/** t now controls a session (its ctrl was set). */
export function registerControlling(t: SessionTerminal): void {
  controlling.add(t);
}

/** t controls no session any more. */
export function unregisterControlling(t: SessionTerminal): void {
  controlling.delete(t);
}

/** proc_clear_tty for one process: p no longer has t as its controlling terminal. */
export function detachProcess(p: TtyProcess, t: SessionTerminal): void {
  detached.set(p.proc, t);
}

/** p takes a controlling terminal afresh: any earlier TIOCNOTTY of its own is forgotten. */
export function attachProcess(p: TtyProcess): void {
  detached.delete(p.proc);
}
