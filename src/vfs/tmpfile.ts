// O_TMPFILE files opened without O_EXCL may be given a name with linkat(2)
// (Linux's I_LINKABLE); other inodes with no links may not (ENOENT).
import type { Inode } from './inode.js';

const linkable = new WeakSet<Inode>();

export function markLinkable(inode: Inode): void {
  linkable.add(inode);
}

/** linkat gave it a name: it is an ordinary inode now. */
export function isLinkable(inode: Inode): boolean {
  return linkable.has(inode);
}

export function clearLinkable(inode: Inode): void {
  linkable.delete(inode);
}
