// inotify watches on inodes (fsnotify marks) and the delivery of events to
// them (fs/notify/fsnotify.c). The VFS reports what it did through the hooks
// of inotify_hooks.ts; this finds the watches interested and hands each
// event to the watch's inotify instance (src/fs/anon/inotify.ts).
//
// A watched inode carries its watches in inode.inotifyMarks (absent when
// none), so an event on an unwatched file costs a counter test, or a
// property read or two while anything is watched anywhere.
import { InMask, IN_ALL_EVENTS } from '../abi/linux/inotify.js';
import { FileMode } from '../abi/linux/stat.js';
import type { FileSystem, Inode } from './inode.js';

/** What a mark delivers to: an inotify instance (a group in fsnotify terms). */
export interface InotifyGroup {
  /** Queues an event the mark is interested in (inotify_handle_inode_event); may destroy an IN_ONESHOT mark. */
  handleEvent(mark: InotifyMark, mask: number, cookie: number, name: string): void;
  /** The mark's inode went away: IN_IGNORED, and the mark is forgotten. */
  removeMark(mark: InotifyMark): void;
}

/** One watch: an instance's interest in an inode (struct inotify_inode_mark). */
export class InotifyMark {
  constructor(
    readonly group: InotifyGroup,
    readonly inode: Inode,
    readonly wd: number,
    /** IN_ALL_EVENTS bits, plus IN_ONESHOT and IN_EXCL_UNLINK (inotify_mark_user_mask). */
    public mask: number,
  ) {}
}

/** Every mark alive in the sentry: none lets every hook return at once. */
const allMarks = new Set<InotifyMark>();

export function anyMarks(): boolean {
  return allMarks.size !== 0;
}

/** Hangs mark on its inode. */
export function attachMark(mark: InotifyMark): void {
  const list = mark.inode.inotifyMarks;
  if (list) list.push(mark);
  else mark.inode.inotifyMarks = [mark];
  allMarks.add(mark);
}

/** Takes mark off its inode (no event). */
export function detachMark(mark: InotifyMark): void {
  const list = mark.inode.inotifyMarks;
  if (!list) return;
  const i = list.indexOf(mark);
  if (i < 0) return;
  list.splice(i, 1);
  if (list.length === 0) mark.inode.inotifyMarks = undefined;
  allMarks.delete(mark);
}

/** group's mark on inode, if any (fsnotify_find_mark). */
export function findMark(inode: Inode, group: InotifyGroup): InotifyMark | undefined {
  const list = inode.inotifyMarks;
  if (!list) return undefined;
  for (const m of list) if (m.group === group) return m;
  return undefined;
}

/**
 * Hands an event to the marks interested (send_to_group): the event's bits
 * are all reported, even those the mark did not ask for. unlinked: the event
 * is about an open file whose name is gone (IN_EXCL_UNLINK marks skip it).
 * Backwards, so a mark an IN_ONESHOT event removes does not upset the walk.
 */
export function sendToMarks(list: readonly InotifyMark[], mask: number, cookie: number, name: string, unlinked: boolean): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i];
    if (m === undefined || (m.mask & mask & IN_ALL_EVENTS) === 0) continue;
    if (unlinked && (m.mask & InMask.IN_EXCL_UNLINK) !== 0) continue;
    m.group.handleEvent(m, mask, cookie, name);
  }
}

/** The inode is gone (fsnotify_inoderemove): IN_DELETE_SELF, then every mark on it ends (IN_IGNORED). */
export function inodeRemoved(inode: Inode): void {
  const list = inode.inotifyMarks;
  if (!list) return;
  sendToMarks(list, InMask.IN_DELETE_SELF, 0, '', false);
  destroyMarks(inode);
}

/** Ends every mark on inode (IN_IGNORED each): its deletion, or its file system unmounted. */
export function destroyMarks(inode: Inode): void {
  for (let list = inode.inotifyMarks; list && list.length > 0; list = inode.inotifyMarks) {
    const m = list[list.length - 1]!;
    m.group.removeMark(m);
    detachMark(m); // in case the group did not
  }
}

/**
 * fs is no longer mounted (fsnotify_unmount_inodes): every watched inode of
 * it, newest first, gives IN_UNMOUNT to all its marks, then they end.
 */
export function unmountMarks(fs: FileSystem): void {
  const inodes = new Set<Inode>();
  for (const m of allMarks) if (m.inode.fs === fs) inodes.add(m.inode);
  for (const inode of [...inodes].sort((a, b) => b.ino - a.ino)) {
    const mask = InMask.IN_UNMOUNT | (inode.type === FileMode.S_IFDIR ? InMask.IN_ISDIR : 0);
    const list = inode.inotifyMarks;
    if (list) for (let i = list.length - 1; i >= 0; i--) list[i]?.group.handleEvent(list[i]!, mask, 0, '');
    destroyMarks(inode);
  }
}
