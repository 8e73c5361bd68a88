// i_writecount (include/linux/fs.h get_write_access, deny_write_access): per
// inode, the open file descriptions that may write it (> 0), or the running
// programs made from it (< 0, held by their address space). Opening for
// writing (or truncating) a file being executed, and executing a file open
// for writing, are ETXTBSY (man 2 open, man 2 execve, man 2 truncate).
import { Errno } from '../abi/linux/errno.js';

const counts = new WeakMap<object, number>();

/** True if the inode is a running program's (opening it for writing is ETXTBSY). */
export function writeDenied(inode: object): boolean {
  return (counts.get(inode) ?? 0) < 0;
}

/** True if an open file description may write the inode (executing it is ETXTBSY). */
export function hasWriters(inode: object): boolean {
  return (counts.get(inode) ?? 0) > 0;
}

function add(inode: object, d: number): void {
  const n = (counts.get(inode) ?? 0) + d;
  if (n === 0) counts.delete(inode);
  else counts.set(inode, n);
}

/** An open file description that may write the inode comes (the opener checked writeDenied). */
export function takeWriteAccess(inode: object): void {
  add(inode, 1);
}

export function putWriteAccess(inode: object): void {
  add(inode, -1);
}

/** A running program's hold on its executable: writes are ETXTBSY until every copy is released. */
export class ExeDenyWrite {
  private held = true;

  private constructor(private readonly inode: object) {
    add(inode, -1);
  }

  /** Denies writes to inode, or -ETXTBSY if it is open for writing. */
  static take(inode: object): ExeDenyWrite | number {
    return hasWriters(inode) ? -Errno.ETXTBSY : new ExeDenyWrite(inode);
  }

  /** Another address space running the same program (fork). */
  dup(): ExeDenyWrite {
    return new ExeDenyWrite(this.inode);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    add(this.inode, 1);
  }
}
