// The notification points of the VFS (include/linux/fsnotify.h): each VFS
// operation calls one of these after it succeeded. Every hook returns at
// once while no watch exists. Order and targets follow Linux 6.x:
//
// - file events (open, read, write, close) and attribute changes go to the
//   parent directory's watches with the name, then to the file's own;
// - name events (create, delete, moves) go to the directory with the name;
// - link-count changes, IN_MOVE_SELF and IN_DELETE_SELF go to the inode only;
// - removing the last name of a watched inode gives IN_DELETE_SELF (and
//   IN_IGNORED) when its dentry is no longer in use: at once if nothing
//   holds it, else when the last open file or working directory lets go
//   (dentry_unlink_inode). Whether it is the last name is asked before the
//   removal (lastNameWatched): after it, a host file's link count may no
//   longer be readable.
import { InMask } from '../abi/linux/inotify.js';
import { FileMode } from '../abi/linux/stat.js';
import type { Dentry } from './dentry.js';
import type { FileSystem, Inode } from './inode.js';
import { anyMarks, inodeRemoved, sendToMarks, unmountMarks } from './inotify_marks.js';
import type { MountNamespace } from './mount.js';

/** fsnotify_get_cookie: ties an IN_MOVED_FROM to its IN_MOVED_TO. */
let nextCookie = 0;

/** Removed names whose dentry was in use: IN_DELETE_SELF comes when it is released. */
const pendingRemoval = new WeakSet<Dentry>();

function dirFlag(inode: Inode): number {
  return inode.type === FileMode.S_IFDIR ? InMask.IN_ISDIR : 0;
}

/**
 * fsnotify_parent + fsnotify: an event about the file at d. pathEvent: the
 * event comes from an open file (IN_EXCL_UNLINK applies once d is unlinked).
 */
function dentryEvent(d: Dentry, mask: number, pathEvent: boolean): void {
  const inode = d.inode;
  mask |= dirFlag(inode);
  const unlinked = pathEvent && d.dead;
  const parentMarks = d.parent?.inode.inotifyMarks;
  if (parentMarks) sendToMarks(parentMarks, mask, 0, d.name, unlinked);
  const own = inode.inotifyMarks;
  if (own) sendToMarks(own, mask, 0, '', unlinked);
}

/** fsnotify_inode: an event for the inode's own watches. */
function inodeEvent(inode: Inode, mask: number): void {
  const own = inode.inotifyMarks;
  if (own) sendToMarks(own, mask | dirFlag(inode), 0, '', false);
}

/** fsnotify_name: an event for a directory's watches about the entry name. */
function nameEvent(dir: Dentry, mask: number, name: string, cookie: number): void {
  const marks = dir.inode.inotifyMarks;
  if (marks) sendToMarks(marks, mask, cookie, name, false);
}

/** IN_OPEN: a file was opened (not O_PATH). */
export function notifyOpen(d: Dentry): void {
  if (anyMarks()) dentryEvent(d, InMask.IN_OPEN, true);
}

/**
 * IN_ACCESS: read(2) and friends moved bytes, or getdents(2) ran. Not for a
 * FIFO's data (Linux 6.18 reports a FIFO's opens and closes only; checked
 * natively), nor IN_MODIFY below.
 */
export function notifyAccess(d: Dentry): void {
  if (anyMarks() && d.inode.type !== FileMode.S_IFIFO) dentryEvent(d, InMask.IN_ACCESS, true);
}

/** IN_MODIFY: write(2) and friends moved bytes, or fallocate(2) succeeded. */
export function notifyModify(d: Dentry): void {
  if (anyMarks() && d.inode.type !== FileMode.S_IFIFO) dentryEvent(d, InMask.IN_MODIFY, true);
}

/** IN_CLOSE_WRITE / IN_CLOSE_NOWRITE: the last reference to an open file description went. */
export function notifyClose(d: Dentry, writable: boolean): void {
  if (anyMarks()) dentryEvent(d, writable ? InMask.IN_CLOSE_WRITE : InMask.IN_CLOSE_NOWRITE, true);
}

/**
 * fsnotify_change / fsnotify_xattr: attributes changed (IN_ATTRIB, IN_MODIFY
 * for a size, IN_ACCESS or IN_MODIFY for one time alone). Not an open-file
 * event: IN_EXCL_UNLINK does not hide it.
 */
export function notifyChange(d: Dentry, mask: number): void {
  if (mask !== 0 && anyMarks()) dentryEvent(d, mask, false);
}

/** The event a setattr request gives (fsnotify_change): what changed, by field. */
export function changeMask(fields: { uid?: number; gid?: number; mode?: number; size?: number; atime?: unknown; mtime?: unknown }): number {
  let mask = 0;
  if (fields.uid !== undefined || fields.gid !== undefined || fields.mode !== undefined) mask |= InMask.IN_ATTRIB;
  if (fields.size !== undefined) mask |= InMask.IN_MODIFY;
  const a = fields.atime !== undefined;
  const m = fields.mtime !== undefined;
  if (a && m) mask |= InMask.IN_ATTRIB;
  else if (a) mask |= InMask.IN_ACCESS;
  else if (m && fields.size === undefined) mask |= InMask.IN_MODIFY;
  return mask;
}

/** IN_CREATE in dir for child (mkdir, mknod, symlink, creat). */
export function notifyCreate(dir: Dentry, child: Dentry): void {
  if (anyMarks()) nameEvent(dir, InMask.IN_CREATE | dirFlag(child.inode), child.name, 0);
}

/** link(2): IN_ATTRIB on the inode (its link count), then IN_CREATE in dir. */
export function notifyLink(dir: Dentry, child: Dentry): void {
  if (!anyMarks()) return;
  inodeEvent(child.inode, InMask.IN_ATTRIB);
  nameEvent(dir, InMask.IN_CREATE, child.name, 0);
}

/**
 * Asked before a name is removed (unlink, rmdir, replaced by rename): d's
 * inode is watched and d is its last name (a directory has one).
 */
export function lastNameWatched(d: Dentry): boolean {
  const inode = d.inode;
  return inode.inotifyMarks !== undefined && (inode.type === FileMode.S_IFDIR || inode.getattr().nlink <= 1);
}

/**
 * unlink(2) (IN_ATTRIB on the inode first) or rmdir(2): the inode's removal
 * if that was its last name (see lastNameWatched), then IN_DELETE in dir.
 * victim is already dead.
 */
export function notifyDelete(dir: Dentry, victim: Dentry, rmdir: boolean, lastName: boolean): void {
  if (!anyMarks()) return;
  const inode = victim.inode;
  if (!rmdir) inodeEvent(inode, InMask.IN_ATTRIB);
  if (lastName) removed(victim);
  nameEvent(dir, InMask.IN_DELETE | dirFlag(inode), victim.name, 0);
}

/**
 * rename(2) (fsnotify_move): IN_MOVED_FROM and IN_MOVED_TO with one cookie,
 * IN_ATTRIB on a replaced target, IN_MOVE_SELF on the source, then the
 * target's removal. RENAME_EXCHANGE moves both ways. Names are the ones
 * before the rename; source and target are the dentries moved or replaced.
 */
export function notifyRename(oldDir: Dentry, oldName: string, newDir: Dentry, newName: string,
  source: Dentry, target: Dentry | null, exchange: boolean, targetLastName: boolean): void {
  if (!anyMarks()) return;
  moveEvents(oldDir, oldName, newDir, newName, source.inode, exchange ? null : target);
  if (exchange && target) moveEvents(newDir, newName, oldDir, oldName, target.inode, null);
  else if (target && targetLastName) removed(target);
}

function moveEvents(oldDir: Dentry, oldName: string, newDir: Dentry, newName: string, moved: Inode, replaced: Dentry | null): void {
  const isDir = dirFlag(moved);
  nextCookie = (nextCookie + 1) >>> 0;
  nameEvent(oldDir, InMask.IN_MOVED_FROM | isDir, oldName, nextCookie);
  nameEvent(newDir, InMask.IN_MOVED_TO | isDir, newName, nextCookie);
  if (replaced) inodeEvent(replaced.inode, InMask.IN_ATTRIB);
  inodeEvent(moved, InMask.IN_MOVE_SELF);
}

/** A dead dentry's last user let go (Dentry.decRef): the removal of its inode, if it was pending. */
export function notifyDentryRelease(d: Dentry): void {
  if (pendingRemoval.delete(d)) inodeRemoved(d.inode);
}

/** The last name went: the inode is removed now, or when the dentry's users are gone. */
function removed(d: Dentry): void {
  if (d.refs === 0) inodeRemoved(d.inode);
  else pendingRemoval.add(d);
}

/**
 * umount2(2) took a mount of fs away: if ns mounts fs nowhere else, its
 * watches get IN_UNMOUNT and end. (Linux waits for the superblock's last
 * user; a lazily detached mount still in use is treated as gone here.)
 */
export function notifyUnmount(ns: MountNamespace, fs: FileSystem): void {
  if (anyMarks() && !ns.mounts().some((m) => m.fs === fs)) unmountMarks(fs);
}
