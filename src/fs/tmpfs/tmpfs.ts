// tmpfs: an in-memory file system (man 5 tmpfs) with a size limit in pages
// and a limit on inodes, both ENOSPC when reached.
import { Errno } from '../../abi/linux/errno.js';
import { FileMode } from '../../abi/linux/stat.js';
import { allocAnonDev } from '../../vfs/anon_dev.js';
import type { FileSystem, Inode, NewInodeSpec, StatFsValues } from '../../vfs/inode.js';
import { NAME_MAX } from '../../vfs/limits.js';
import { realtimeClock, type Clock } from '../../vfs/timestamp.js';
import { PAGE_SIZE, defaultPageStore, type PageStore } from './page_store.js';
import { TmpfsDir } from './tmpfs_dir.js';
import { TmpfsSpecialNode, type TmpfsInode } from './tmpfs_inode.js';
import { TmpfsRegular } from './tmpfs_regular.js';
import { SHORT_SYMLINK_LEN, TmpfsSymlink } from './tmpfs_symlink.js';

export const TMPFS_MAGIC = 0x01021994;

export interface TmpfsOptions {
  /** size=: the limit on file data in bytes, rounded up to pages; 0 for none. */
  maxBytes?: number;
  /** nr_inodes=: 0 for none. */
  maxInodes?: number;
  /** mode=, uid=, gid= of the root directory (default 01777 root:root, as for /tmp). */
  rootMode?: number;
  rootUid?: number;
  rootGid?: number;
  readOnly?: boolean;
  clock?: Clock;
  /** Storage for file pages (default: the kernel's MemoryFile, or a sparse map of arrays without one). */
  pageStore?: () => PageStore;
}

export class TmpfsFileSystem implements FileSystem {
  readonly type: string = 'tmpfs';
  readonly dev = allocAnonDev();
  readonly root: TmpfsDir;
  readonly clock: Clock;
  readonly readOnly: boolean;
  readonly maxPages: number;
  readonly maxInodes: number;
  usedPages = 0;
  usedInodes = 0;
  private nextIno = 1;
  private readonly makeStore: () => PageStore;

  constructor(opts: TmpfsOptions = {}) {
    this.clock = opts.clock ?? realtimeClock;
    this.readOnly = opts.readOnly ?? false;
    this.maxPages = Math.ceil((opts.maxBytes ?? 0) / PAGE_SIZE);
    this.maxInodes = opts.maxInodes ?? 0;
    this.makeStore = opts.pageStore ?? defaultPageStore;
    const spec: NewInodeSpec = {
      mode: FileMode.S_IFDIR | (opts.rootMode ?? 0o1777),
      uid: opts.rootUid ?? 0,
      gid: opts.rootGid ?? 0,
      rdev: 0,
    };
    this.usedInodes = 1;
    this.root = new TmpfsDir(this, this.nextIno++, spec, this.clock.now(), null);
  }

  /** Takes n pages of the size limit; false (nothing taken) if they do not fit. */
  chargePages(n: number): boolean {
    if (this.maxPages > 0 && this.usedPages + n > this.maxPages) return false;
    this.usedPages += n;
    return true;
  }

  unchargePages(n: number): void {
    this.usedPages -= n;
  }

  /** An inode went away. */
  releaseInode(): void {
    this.usedInodes--;
  }

  private takeInode(): number {
    if (this.maxInodes > 0 && this.usedInodes >= this.maxInodes) return -Errno.ENOSPC;
    this.usedInodes++;
    return this.nextIno++;
  }

  /** A regular file, device node, FIFO or socket. */
  newNode(spec: NewInodeSpec): TmpfsInode | number {
    const ino = this.takeInode();
    if (ino < 0) return ino;
    const now = this.clock.now();
    const type = spec.mode & FileMode.S_IFMT;
    if (type === FileMode.S_IFREG) return new TmpfsRegular(this, ino, spec, now, this.makeStore());
    return new TmpfsSpecialNode(this, ino, type, spec, now);
  }

  newDir(spec: NewInodeSpec, parent: TmpfsDir): TmpfsDir | number {
    const ino = this.takeInode();
    if (ino < 0) return ino;
    return new TmpfsDir(this, ino, spec, this.clock.now(), parent);
  }

  newSymlink(spec: NewInodeSpec, target: string): TmpfsSymlink | number {
    if (target.length > SHORT_SYMLINK_LEN && !this.chargePages(1)) return -Errno.ENOSPC;
    const ino = this.takeInode();
    if (ino < 0) {
      if (target.length > SHORT_SYMLINK_LEN) this.unchargePages(1);
      return ino;
    }
    return new TmpfsSymlink(this, ino, spec, this.clock.now(), target);
  }

  /** O_TMPFILE: a regular file with no name (nlink 0), freed when its last reference goes. */
  newTmpfile(spec: NewInodeSpec): Inode | number {
    const inode = this.newNode(spec);
    if (typeof inode === 'number') return inode;
    inode.attrs.nlink = 0;
    return inode;
  }

  statfs(): StatFsValues {
    const blocks = this.maxPages;
    const files = this.maxInodes;
    return {
      type: TMPFS_MAGIC,
      bsize: PAGE_SIZE,
      blocks,
      bfree: blocks > 0 ? blocks - this.usedPages : 0,
      bavail: blocks > 0 ? blocks - this.usedPages : 0,
      files,
      ffree: files > 0 ? files - this.usedInodes : 0,
      namelen: NAME_MAX,
      frsize: PAGE_SIZE,
      flags: 0,
    };
  }
}

export function createTmpfs(opts: TmpfsOptions = {}): TmpfsFileSystem {
  return new TmpfsFileSystem(opts);
}
