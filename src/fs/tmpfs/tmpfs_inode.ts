// What every tmpfs inode shares: attributes, extended attributes, link and
// open counts, and freeing when both reach zero. The operations of other
// inode types answer with the errno Linux gives for the wrong type.
import { InodeDefaults } from '../../vfs/inode_defaults.js';
import { Errno } from '../../abi/linux/errno.js';
import type { Inode, InodeAttrs, NewInodeSpec, SetAttrRequest } from '../../vfs/inode.js';
import type { Timestamp } from '../../vfs/timestamp.js';
import type { TmpfsFileSystem } from './tmpfs.js';
import { PAGE_SIZE } from './page_store.js';
import { XattrStore } from './xattr_store.js';

export abstract class TmpfsInode extends InodeDefaults implements Inode {
  readonly attrs: InodeAttrs;
  readonly xattrs = new XattrStore();
  private refs = 0;
  private evicted = false;

  constructor(readonly fs: TmpfsFileSystem, readonly ino: number, readonly type: number, spec: NewInodeSpec, now: Timestamp) {
    super();
    this.attrs = {
      mode: type | (spec.mode & 0o7777),
      nlink: 1,
      uid: spec.uid,
      gid: spec.gid,
      rdev: spec.rdev,
      size: 0,
      blocks: 0,
      blksize: PAGE_SIZE,
      atime: now,
      mtime: now,
      ctime: now,
      btime: now,
    };
  }

  getattr(): Readonly<InodeAttrs> {
    return this.attrs;
  }

  setattr(req: SetAttrRequest): number {
    if (req.size !== undefined) return -Errno.EINVAL;
    this.applyAttrs(req);
    return 0;
  }

  /** Applies everything but the size. */
  protected applyAttrs(req: SetAttrRequest): void {
    const a = this.attrs;
    if (req.mode !== undefined) a.mode = this.type | (req.mode & 0o7777);
    if (req.uid !== undefined) a.uid = req.uid;
    if (req.gid !== undefined) a.gid = req.gid;
    if (req.atime) a.atime = req.atime;
    if (req.mtime) a.mtime = req.mtime;
    if (req.ctime) a.ctime = req.ctime;
  }

  /** ctime = now (a link count or name changed). */
  touchCtime(now: Timestamp): void {
    this.attrs.ctime = now;
  }

  /** One name fewer; frees the inode when no name and no reference is left. */
  dropLink(): void {
    if (this.attrs.nlink > 0) this.attrs.nlink--;
    this.maybeEvict();
  }

  /** Directories lose both their links at once on rmdir. */
  clearLinks(): void {
    this.attrs.nlink = 0;
    this.maybeEvict();
  }

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    if (this.refs > 0) this.refs--;
    this.maybeEvict();
  }

  get isEvicted(): boolean {
    return this.evicted;
  }

  private maybeEvict(): void {
    if (this.evicted || this.refs > 0 || this.attrs.nlink > 0) return;
    this.evicted = true;
    this.releaseData();
    this.fs.releaseInode();
  }

  /** Frees what the inode holds (pages), when it goes away. */
  protected releaseData(): void {}


  getxattr(name: string): Uint8Array | number {
    return this.xattrs.get(name);
  }
  setxattr(name: string, value: Uint8Array, flags: number): number {
    return this.xattrs.set(name, value, flags);
  }
  listxattr(): string[] | number {
    return this.xattrs.names();
  }
  removexattr(name: string): number {
    return this.xattrs.remove(name);
  }
}

/** A device node, FIFO or socket: only attributes; opening is the kernel's business. */
export class TmpfsSpecialNode extends TmpfsInode {}
