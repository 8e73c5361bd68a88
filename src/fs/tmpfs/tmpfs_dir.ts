// A tmpfs directory: entries by name, and in creation order with a cookie
// each, so readdir can resume at any cookie (getdents d_off, telldir) and
// stays stable while entries are added or removed: removed entries are
// skipped, the rest are neither repeated nor lost.
import { Errno } from '../../abi/linux/errno.js';
import { FileMode } from '../../abi/linux/stat.js';
import { dtType, RenameFlag, type DirEmitter, type Inode, type NewInodeSpec } from '../../vfs/inode.js';
import type { Timestamp } from '../../vfs/timestamp.js';
import { TmpfsInode } from './tmpfs_inode.js';
import type { TmpfsFileSystem } from './tmpfs.js';

interface Entry {
  name: string;
  inode: TmpfsInode;
  readonly cookie: number;
  live: boolean;
}

/** Cookies 0 and 1 are "." and ".."; entries start here. */
const FIRST_COOKIE = 2;
/** A directory's st_size grows by this per entry, from 2 for "." and ".." (shmem's BOGO_DIRENT_SIZE). */
const BOGO_DIRENT_SIZE = 20;

export class TmpfsDir extends TmpfsInode {
  /** The directory holding this one (itself for the root). */
  parent: TmpfsDir;
  private readonly byName = new Map<string, Entry>();
  /** Entries in cookie order, removed ones kept as tombstones until compaction. */
  private order: Entry[] = [];
  private tombstones = 0;
  private nextCookie = FIRST_COOKIE;

  constructor(fs: TmpfsFileSystem, ino: number, spec: NewInodeSpec, now: Timestamp, parent: TmpfsDir | null) {
    super(fs, ino, FileMode.S_IFDIR, spec, now);
    this.attrs.nlink = 2;
    this.attrs.size = 2 * BOGO_DIRENT_SIZE;
    this.parent = parent ?? this;
  }

  get entryCount(): number {
    return this.byName.size;
  }

  /** Removed by rmdir: nothing may be created in it (ENOENT). */
  get removed(): boolean {
    return this.attrs.nlink === 0;
  }

  override lookup(name: string): Inode | number {
    return this.byName.get(name)?.inode ?? -Errno.ENOENT;
  }

  override mknod(name: string, spec: NewInodeSpec): Inode | number {
    const err = this.checkNew(name);
    if (err < 0) return err;
    const inode = this.fs.newNode(spec);
    if (typeof inode === 'number') return inode;
    this.insert(name, inode);
    return inode;
  }

  override mkdir(name: string, spec: NewInodeSpec): Inode | number {
    const err = this.checkNew(name);
    if (err < 0) return err;
    const dir = this.fs.newDir(spec, this);
    if (typeof dir === 'number') return dir;
    this.attrs.nlink++;
    this.insert(name, dir);
    return dir;
  }

  override symlink(name: string, target: string, spec: NewInodeSpec): Inode | number {
    const err = this.checkNew(name);
    if (err < 0) return err;
    const link = this.fs.newSymlink(spec, target);
    if (typeof link === 'number') return link;
    this.insert(name, link);
    return link;
  }

  /** O_TMPFILE: an unnamed file (man 2 open). */
  tmpfile(spec: NewInodeSpec): Inode | number {
    if (this.removed) return -Errno.ENOENT;
    return this.fs.newTmpfile(spec);
  }

  override link(name: string, target: Inode): number {
    const err = this.checkNew(name);
    if (err < 0) return err;
    if (!(target instanceof TmpfsInode) || target.fs !== this.fs) return -Errno.EXDEV;
    const now = this.fs.clock.now();
    target.attrs.nlink++;
    target.touchCtime(now);
    this.insert(name, target);
    return 0;
  }

  override unlink(name: string): number {
    const e = this.byName.get(name);
    if (!e) return -Errno.ENOENT;
    if (e.inode instanceof TmpfsDir) return -Errno.EISDIR;
    const now = this.fs.clock.now();
    this.remove(e, now);
    e.inode.touchCtime(now);
    e.inode.dropLink();
    return 0;
  }

  override rmdir(name: string): number {
    const e = this.byName.get(name);
    if (!e) return -Errno.ENOENT;
    const dir = e.inode;
    if (!(dir instanceof TmpfsDir)) return -Errno.ENOTDIR;
    if (dir.entryCount > 0) return -Errno.ENOTEMPTY;
    const now = this.fs.clock.now();
    this.remove(e, now);
    this.attrs.nlink--;
    dir.touchCtime(now);
    dir.clearLinks();
    return 0;
  }

  override rename(name: string, newDirInode: Inode, newName: string, flags: number): number {
    if (!(newDirInode instanceof TmpfsDir) || newDirInode.fs !== this.fs) return -Errno.EXDEV;
    const newDir = newDirInode;
    const src = this.byName.get(name);
    if (!src) return -Errno.ENOENT;
    const dst = newDir.byName.get(newName);
    const now = this.fs.clock.now();
    if ((flags & RenameFlag.RENAME_EXCHANGE) !== 0) {
      if (!dst) return -Errno.ENOENT;
      return this.exchange(src, newDir, dst, now);
    }
    if (dst && (flags & RenameFlag.RENAME_NOREPLACE) !== 0) return -Errno.EEXIST;
    if (dst === src) return 0;
    const moving = src.inode;
    const movingDir = moving instanceof TmpfsDir;
    if (dst) {
      const victim = dst.inode;
      if (victim instanceof TmpfsDir) {
        if (!movingDir) return -Errno.EISDIR;
        if (victim.entryCount > 0) return -Errno.ENOTEMPTY;
        newDir.remove(dst, now);
        newDir.attrs.nlink--;
        victim.touchCtime(now);
        victim.clearLinks();
      } else {
        if (movingDir) return -Errno.ENOTDIR;
        newDir.remove(dst, now);
        victim.touchCtime(now);
        victim.dropLink();
      }
    }
    this.remove(src, now);
    newDir.insert(newName, moving, now);
    if (movingDir && newDir !== this) {
      this.attrs.nlink--;
      newDir.attrs.nlink++;
      moving.parent = newDir;
    }
    moving.touchCtime(now);
    return 0;
  }

  /** RENAME_EXCHANGE: the two names swap inodes (each keeps its cookie). */
  private exchange(a: Entry, bDir: TmpfsDir, b: Entry, now: Timestamp): number {
    const ai = a.inode;
    const bi = b.inode;
    a.inode = bi;
    b.inode = ai;
    if (bDir !== this) {
      const aDir = ai instanceof TmpfsDir;
      const bIsDir = bi instanceof TmpfsDir;
      if (aDir) {
        ai.parent = bDir;
        this.attrs.nlink--;
        bDir.attrs.nlink++;
      }
      if (bIsDir) {
        bi.parent = this;
        bDir.attrs.nlink--;
        this.attrs.nlink++;
      }
    }
    ai.touchCtime(now);
    bi.touchCtime(now);
    this.touchDir(now);
    bDir.touchDir(now);
    return 0;
  }

  override readdir(cookie: number, emit: DirEmitter): number {
    if (cookie < 0) return -Errno.EINVAL;
    if (cookie === 0 && !emit({ name: '.', ino: this.ino, type: dtType(FileMode.S_IFDIR), next: 1 })) return 0;
    if (cookie <= 1 && !emit({ name: '..', ino: this.parent.ino, type: dtType(FileMode.S_IFDIR), next: FIRST_COOKIE })) return 0;
    for (let i = this.firstAtOrAfter(Math.max(cookie, FIRST_COOKIE)); i < this.order.length; i++) {
      const e = this.order[i]!;
      if (!e.live) continue;
      if (!emit({ name: e.name, ino: e.inode.ino, type: dtType(e.inode.attrs.mode), next: e.cookie + 1 })) break;
    }
    return 0;
  }

  private firstAtOrAfter(cookie: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order[mid]!.cookie < cookie) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private checkNew(name: string): number {
    if (this.removed) return -Errno.ENOENT;
    if (this.byName.has(name)) return -Errno.EEXIST;
    return 0;
  }

  private insert(name: string, inode: TmpfsInode, now = this.fs.clock.now()): void {
    const e: Entry = { name, inode, cookie: this.nextCookie++, live: true };
    this.byName.set(name, e);
    this.order.push(e);
    this.attrs.size += BOGO_DIRENT_SIZE;
    this.touchDir(now);
  }

  private remove(e: Entry, now: Timestamp): void {
    this.byName.delete(e.name);
    e.live = false;
    this.attrs.size -= BOGO_DIRENT_SIZE;
    this.tombstones++;
    if (this.tombstones > 64 && this.tombstones * 2 > this.order.length) {
      this.order = this.order.filter((x) => x.live);
      this.tombstones = 0;
    }
    this.touchDir(now);
  }

  /** A name was added or removed: mtime and ctime of the directory. */
  private touchDir(now: Timestamp): void {
    this.attrs.mtime = now;
    this.attrs.ctime = now;
  }
}
