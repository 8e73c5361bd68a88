// An overlay inode: the upper inode when the file has one, else the lower
// one. Reads go to whichever layer is current; every change first copies
// the file (and the directories above it) up, then acts on the upper layer.
// One object per file for as long as anything holds it, so the VFS's
// dentries and open files see a copy-up as the same inode gaining an upper
// layer (st_ino unchanged).
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { FileMode } from '../../abi/linux/stat.js';
import {
  dtType,
  RenameFlag,
  type DirEmitter,
  type FileImpl,
  type Inode,
  type InodeAttrs,
  type NewInodeSpec,
  type SetAttrRequest,
} from '../../vfs/inode.js';
import { copyContents } from './copy_up.js';
import { OverlayFileImpl } from './overlay_file.js';
import type { OverlayFileSystem } from './overlay.js';

/** One entry of a lower directory, as listed once (the lower layer does not change). */
interface LowerEntry {
  readonly name: string;
  readonly ino: number;
  readonly type: number;
}

interface LowerListing {
  readonly entries: LowerEntry[];
  readonly names: Set<string>;
}

/** The layers a name resolves to in a merged directory. */
interface Layers {
  upper: Inode | null;
  lower: Inode | null;
}

const S_IFDIR = FileMode.S_IFDIR;

function sameInode(a: Inode, b: Inode): boolean {
  return a === b || (a.fs === b.fs && a.ino === b.ino);
}

/** A setattr that only moves atime (touch_atime): not worth a copy-up. */
function atimeOnly(req: SetAttrRequest): boolean {
  return req.atime !== undefined && req.mode === undefined && req.uid === undefined && req.gid === undefined &&
    req.size === undefined && req.mtime === undefined && req.ctime === undefined;
}

export class OverlayInode implements Inode {
  readonly type: number;
  /** The upper inode, once there is one. */
  upper: Inode | null;
  /**
   * The lower inode: for a lower-only file, the file; for a directory, the
   * lower directory it merges with (null: opaque or born upper). Dropped for
   * non-directories at copy-up.
   */
  lower: Inode | null;
  /** Removed from the tree (unlink, rmdir, replaced by rename) while something held it. */
  unlinked = false;
  private refs = 0;
  /** Children handed out, by name, while they live (so a name has one inode object). */
  private readonly children = new Map<string, WeakRef<OverlayInode>>();
  private sweepAt = 64;
  private listing: LowerListing | null = null;

  constructor(
    readonly fs: OverlayFileSystem,
    /** The directory holding this one (null: the root, or an unnamed O_TMPFILE file). */
    public parent: OverlayInode | null,
    /** Its name there: where copy-up creates the upper file. */
    public name: string,
    upper: Inode | null,
    lower: Inode | null,
  ) {
    this.upper = upper;
    this.lower = lower;
    this.type = (upper ?? lower)!.type;
  }

  get ino(): number {
    if (this.upper) return this.fs.inoOfUpper(this.upper);
    return this.fs.lowerIno(this.lower!.ino);
  }

  private get isDir(): boolean {
    return this.type === S_IFDIR;
  }

  /** The layer reads go to. */
  private get real(): Inode {
    return (this.upper ?? this.lower)!;
  }

  getattr(): Readonly<InodeAttrs> {
    if (this.upper) {
      const a = this.upper.getattr();
      // ovl_getattr: counting the subdirectories of a merged directory is not worth it; 1 pacifies find(1).
      if (this.isDir && this.lower) return { ...a, nlink: 1 };
      return a;
    }
    const a = this.lower!.getattr();
    if (this.unlinked && a.nlink !== 0) return { ...a, nlink: 0 };
    return a;
  }

  setattr(req: SetAttrRequest): number {
    if (!this.upper) {
      // The lower layer is read-only: an access time is not kept (touch_atime on overlayfs does the same).
      if (atimeOnly(req)) return 0;
      const err = this.copyUp(req.size ?? Infinity);
      if (err < 0) return err;
    }
    return this.upper!.setattr(req);
  }

  // Copy-up.

  /**
   * Gives this file an upper inode: its parent directories first, then the
   * file with its data (the first dataLimit bytes), xattrs, mode, owner and
   * timestamps. The parent's timestamps are left as they were: a copy-up is
   * not a change the guest can see. A file removed while held open goes to
   * an unnamed upper file.
   */
  copyUp(dataLimit = Infinity): number {
    if (this.upper) return 0;
    const lower = this.lower!;
    const parent = this.parent;
    if (this.unlinked || !parent) return this.copyUpUnnamed(lower, dataLimit);
    const err = parent.copyUp();
    if (err < 0) return err;
    const dir = parent.upper!;
    const saved = dir.getattr();
    const times = { atime: saved.atime, mtime: saved.mtime, ctime: saved.ctime };
    const a = lower.getattr();
    const spec: NewInodeSpec = { mode: a.mode, uid: a.uid, gid: a.gid, rdev: a.rdev };
    let made: Inode | number;
    switch (this.type) {
      case S_IFDIR:
        made = dir.mkdir(this.name, spec);
        break;
      case FileMode.S_IFLNK: {
        const target = lower.readlink();
        made = typeof target === 'number' ? target : dir.symlink(this.name, target, spec);
        break;
      }
      default:
        made = dir.mknod(this.name, spec);
    }
    if (typeof made === 'number') {
      dir.setattr(times);
      return made;
    }
    const r = copyContents(lower, made, dataLimit, this.fs.copyUpChunk);
    if (r < 0) {
      if (this.isDir) dir.rmdir(this.name);
      else dir.unlink(this.name);
      dir.setattr(times);
      return r;
    }
    dir.setattr(times);
    this.adoptUpper(made, lower, a);
    return 0;
  }

  private copyUpUnnamed(lower: Inode, dataLimit: number): number {
    const home = this.fs.upper.root;
    if (this.type !== FileMode.S_IFREG || !home.tmpfile) return -Errno.ENOENT;
    const a = lower.getattr();
    const made = home.tmpfile({ mode: a.mode, uid: a.uid, gid: a.gid, rdev: 0 });
    if (typeof made === 'number') return made;
    made.incRef();
    const r = copyContents(lower, made, dataLimit, this.fs.copyUpChunk);
    if (r === 0) this.adoptUpper(made, lower, a);
    made.decRef();
    return r;
  }

  /** The upper inode takes over: it gets this inode's references, and a non-directory lets go of the lower one. */
  private adoptUpper(upper: Inode, lower: Inode, lowerAttrs: Readonly<InodeAttrs>): void {
    this.fs.recordCopyUp(upper, lower, lowerAttrs);
    this.upper = upper;
    this.fs.registerUpper(upper, this);
    for (let i = 0; i < this.refs; i++) upper.incRef();
    if (!this.isDir) {
      for (let i = 0; i < this.refs; i++) lower.decRef();
      this.lower = null;
    }
  }

  // Directories: lookup and the merged view.

  /** What name is in this directory: the upper entry, a whiteout (ENOENT), or the lower entry. */
  private resolve(name: string): Layers | number {
    if (this.upper) {
      const u = this.upper.lookup(name);
      if (typeof u !== 'number') return { upper: u, lower: null };
      if (u !== -Errno.ENOENT) return u;
      if (this.fs.isWhiteout(this.upper, name)) return -Errno.ENOENT;
    }
    if (!this.lower) return -Errno.ENOENT;
    const l = this.lower.lookup(name);
    if (typeof l === 'number') return l;
    return { upper: null, lower: l };
  }

  /** The lower directory has name: removing it from the view takes a whiteout. */
  private lowerHas(name: string): boolean {
    if (!this.lower) return false;
    return typeof this.lower.lookup(name) !== 'number';
  }

  lookup(name: string): Inode | number {
    if (!this.isDir) return -Errno.ENOTDIR;
    const r = this.resolve(name);
    if (typeof r === 'number') return r;
    return this.child(name, r);
  }

  /** The inode object for name, given its layers: the live one if there is one. */
  private child(name: string, r: Layers): OverlayInode {
    const fs = this.fs;
    if (r.upper) {
      const known = fs.knownUpper(r.upper);
      if (known) {
        if (known.isDir) {
          known.parent = this;
          known.name = name;
        }
        this.remember(name, known);
        return known;
      }
      const lower = r.upper.type === S_IFDIR ? fs.lowerDirOf(r.upper) : null;
      const node = new OverlayInode(fs, this, name, r.upper, lower);
      fs.registerUpper(r.upper, node);
      this.remember(name, node);
      return node;
    }
    const cached = this.children.get(name)?.deref();
    if (cached && !cached.upper && cached.lower && sameInode(cached.lower, r.lower!)) return cached;
    const node = new OverlayInode(fs, this, name, null, r.lower);
    this.remember(name, node);
    return node;
  }

  private remember(name: string, node: OverlayInode): void {
    this.children.set(name, new WeakRef(node));
    if (this.children.size >= this.sweepAt) {
      for (const [n, ref] of this.children) if (!ref.deref()) this.children.delete(n);
      this.sweepAt = Math.max(64, this.children.size * 2);
    }
  }

  /** name left the tree: its inode (if still held) is marked removed. */
  private forgetChild(name: string): void {
    const c = this.children.get(name)?.deref();
    this.children.delete(name);
    if (c && (!c.upper || c.isDir)) c.unlinked = true;
  }

  /** The lower directory's entries, listed once: their order gives the merged directory's first cookies. */
  private lowerListing(): LowerListing | number {
    if (this.listing) return this.listing;
    const entries: LowerEntry[] = [];
    const names = new Set<string>();
    if (this.lower) {
      let cookie = 0;
      for (;;) {
        let got = 0;
        const start = cookie;
        const r = this.lower.readdir(cookie, (e) => {
          got++;
          cookie = e.next;
          if (e.name !== '.' && e.name !== '..' && !names.has(e.name)) {
            names.add(e.name);
            entries.push({ name: e.name, ino: e.ino, type: e.type });
          }
          return true;
        });
        if (r < 0) return r;
        if (got === 0 || cookie === start) break;
      }
    }
    this.listing = { entries, names };
    return this.listing;
  }

  /**
   * Merged directory entries with cookies that stay valid while entries come
   * and go: cookies 2 … 2+n-1 are the n lower entries in their listed order
   * (each shown as the upper entry of that name if there is one, skipped if
   * whited out), then upper-only entries at n + the upper directory's
   * cookie. A name's place never moves: copy-up, unlink and re-creation
   * keep it, so nothing that stays is repeated or lost.
   */
  readdir(cookie: number, emit: DirEmitter): number {
    if (!this.isDir) return -Errno.ENOTDIR;
    if (cookie < 0) return -Errno.EINVAL;
    const fs = this.fs;
    const dirType = dtType(S_IFDIR);
    if (cookie === 0 && !emit({ name: '.', ino: this.ino, type: dirType, next: 1 })) return 0;
    if (cookie <= 1 && !emit({ name: '..', ino: (this.parent ?? this).ino, type: dirType, next: 2 })) return 0;
    const listing = this.lowerListing();
    if (typeof listing === 'number') return listing;
    const n = listing.entries.length;
    const upper = this.upper;
    for (let i = Math.max(cookie - 2, 0); i < n; i++) {
      const e = listing.entries[i]!;
      const next = i + 3;
      if (upper) {
        const u = upper.lookup(e.name);
        if (typeof u !== 'number') {
          if (!emit({ name: e.name, ino: fs.inoOfUpper(u), type: dtType(u.getattr().mode), next })) return 0;
          continue;
        }
        if (fs.isWhiteout(upper, e.name)) continue;
      }
      if (!emit({ name: e.name, ino: fs.lowerIno(e.ino), type: e.type, next })) return 0;
    }
    if (!upper) return 0;
    return upper.readdir(Math.max(cookie - n, 2), (e) => {
      if (e.name === '.' || e.name === '..' || listing.names.has(e.name)) return true;
      const u = upper.lookup(e.name);
      const ino = typeof u === 'number' ? fs.upperIno(e.ino) : fs.inoOfUpper(u);
      return emit({ name: e.name, ino, type: e.type, next: e.next + n });
    });
  }

  /** Empty as the guest sees it: no upper entry, and every lower entry whited out. */
  private isEmpty(): boolean | number {
    if (this.upper) {
      let any = false;
      const r = this.upper.readdir(0, (e) => {
        if (e.name === '.' || e.name === '..') return true;
        any = true;
        return false;
      });
      if (r < 0) return r;
      if (any) return false;
    }
    const listing = this.lowerListing();
    if (typeof listing === 'number') return listing;
    for (const e of listing.entries) {
      if (!this.upper || !this.fs.isWhiteout(this.upper, e.name)) return false;
    }
    return true;
  }

  // Directories: changes.

  /** EEXIST if name is visible; other errors of the lookup. */
  private checkNew(name: string): number {
    const r = this.resolve(name);
    if (typeof r !== 'number') return -Errno.EEXIST;
    return r === -Errno.ENOENT ? 0 : r;
  }

  /** Copies this directory up for a new entry name; the inode made by make takes the name. */
  private create(name: string, make: (dir: Inode) => Inode | number): Inode | number {
    if (!this.isDir) return -Errno.ENOTDIR;
    let err = this.checkNew(name);
    if (err < 0) return err;
    err = this.copyUp();
    if (err < 0) return err;
    const made = make(this.upper!);
    if (typeof made === 'number') return made;
    this.fs.removeWhiteout(this.upper!, name);
    // A new directory has no lower directory: it is opaque, hiding a lower one of the same name.
    return this.child(name, { upper: made, lower: null });
  }

  mknod(name: string, spec: NewInodeSpec): Inode | number {
    return this.create(name, (dir) => dir.mknod(name, spec));
  }

  mkdir(name: string, spec: NewInodeSpec): Inode | number {
    return this.create(name, (dir) => dir.mkdir(name, spec));
  }

  symlink(name: string, target: string, spec: NewInodeSpec): Inode | number {
    return this.create(name, (dir) => dir.symlink(name, target, spec));
  }

  /** O_TMPFILE: an unnamed upper file, made in this directory's upper layer. */
  tmpfile(spec: NewInodeSpec): Inode | number {
    if (!this.isDir) return -Errno.ENOTDIR;
    if (this.unlinked) return -Errno.ENOENT;
    const err = this.copyUp();
    if (err < 0) return err;
    const make = this.upper!.tmpfile;
    if (!make) return -Errno.EOPNOTSUPP;
    const made = make.call(this.upper!, spec);
    if (typeof made === 'number') return made;
    const node = new OverlayInode(this.fs, null, '', made, null);
    this.fs.registerUpper(made, node);
    return node;
  }

  /** A hard link to target: a lower file is copied up first (its lower hard links are not followed). */
  link(name: string, target: Inode): number {
    if (!this.isDir) return -Errno.ENOTDIR;
    if (!(target instanceof OverlayInode) || target.fs !== this.fs) return -Errno.EXDEV;
    let err = this.checkNew(name);
    if (err < 0) return err;
    err = target.copyUp();
    if (err < 0) return err;
    err = this.copyUp();
    if (err < 0) return err;
    const r = this.upper!.link(name, target.upper!);
    if (r < 0) return r;
    this.fs.removeWhiteout(this.upper!, name);
    this.remember(name, target);
    return 0;
  }

  /** After name disappeared from the view: a whiteout if the lower layer has it; the directory's times if the upper did not move them. */
  private hideLower(name: string, upperChanged: boolean): void {
    const dir = this.upper!;
    if (this.lowerHas(name)) this.fs.addWhiteout(dir, name);
    if (!upperChanged) {
      const now = this.fs.clock.now();
      dir.setattr({ mtime: now, ctime: now });
    }
  }

  unlink(name: string): number {
    if (!this.isDir) return -Errno.ENOTDIR;
    const r = this.resolve(name);
    if (typeof r === 'number') return r;
    if ((r.upper ?? r.lower)!.type === S_IFDIR) return -Errno.EISDIR;
    const err = this.copyUp();
    if (err < 0) return err;
    if (r.upper) {
      const u = this.upper!.unlink(name);
      if (u < 0) return u;
    }
    this.hideLower(name, r.upper !== null);
    this.forgetChild(name);
    return 0;
  }

  rmdir(name: string): number {
    if (!this.isDir) return -Errno.ENOTDIR;
    const r = this.resolve(name);
    if (typeof r === 'number') return r;
    if ((r.upper ?? r.lower)!.type !== S_IFDIR) return -Errno.ENOTDIR;
    const victim = this.child(name, r);
    const empty = victim.isEmpty();
    if (typeof empty === 'number') return empty;
    if (!empty) return -Errno.ENOTEMPTY;
    const err = this.copyUp();
    if (err < 0) return err;
    if (r.upper) {
      const u = this.upper!.rmdir(name);
      if (u < 0) return u;
      this.fs.clearWhiteouts(r.upper);
    }
    this.hideLower(name, r.upper !== null);
    this.forgetChild(name);
    return 0;
  }

  rename(name: string, newDirInode: Inode, newName: string, flags: number): number {
    if (!this.isDir) return -Errno.ENOTDIR;
    if (!(newDirInode instanceof OverlayInode) || newDirInode.fs !== this.fs) return -Errno.EXDEV;
    if ((flags & RenameFlag.RENAME_WHITEOUT) !== 0) return -Errno.EINVAL;
    const newDir = newDirInode;
    if (!newDir.isDir) return -Errno.ENOTDIR;
    const exchange = (flags & RenameFlag.RENAME_EXCHANGE) !== 0;
    const rs = this.resolve(name);
    if (typeof rs === 'number') return rs;
    const rd = newDir.resolve(newName);
    if (typeof rd === 'number' && rd !== -Errno.ENOENT) return rd;
    const source = this.child(name, rs);
    const target = typeof rd === 'number' ? null : newDir.child(newName, rd);
    if (exchange && !target) return -Errno.ENOENT;
    if (target && (flags & RenameFlag.RENAME_NOREPLACE) !== 0) return -Errno.EEXIST;
    if (target && source.sameFile(target)) {
      // Two names of one file: rename does nothing (man 2 rename); the VFS moves its dentry, so follow it.
      if (!exchange) this.moved(source, name, newDir, newName, null);
      return 0;
    }
    if (target && !exchange) {
      if (source.isDir && !target.isDir) return -Errno.ENOTDIR;
      if (!source.isDir && target.isDir) return -Errno.EISDIR;
      if (target.isDir) {
        const empty = target.isEmpty();
        if (typeof empty === 'number') return empty;
        if (!empty) return -Errno.ENOTEMPTY;
      }
    }
    let err = source.copyUp();
    if (err < 0) return err;
    err = this.copyUp();
    if (err < 0) return err;
    err = newDir.copyUp();
    if (err < 0) return err;
    if (exchange) {
      err = target!.copyUp();
      if (err < 0) return err;
    }
    const replaced = target?.upper ?? null;
    const r = this.upper!.rename(name, newDir.upper!, newName, flags & (RenameFlag.RENAME_NOREPLACE | RenameFlag.RENAME_EXCHANGE));
    if (r < 0) return r;
    if (exchange) {
      this.exchanged(source, name, newDir, newName, target!);
      return 0;
    }
    if (replaced && target!.isDir) this.fs.clearWhiteouts(replaced);
    newDir.fs.removeWhiteout(newDir.upper!, newName);
    // The old name: hidden in the lower layer if it is there (the upper rename moved the times).
    if (this.lowerHas(name)) this.fs.addWhiteout(this.upper!, name);
    this.moved(source, name, newDir, newName, target);
    return 0;
  }

  /** Both are names of one file (hard links, in one layer). */
  private sameFile(other: OverlayInode): boolean {
    if (this === other) return true;
    if (this.upper || other.upper) return this.upper !== null && this.upper === other.upper;
    return !this.isDir && sameInode(this.lower!, other.lower!);
  }

  private moved(source: OverlayInode, name: string, newDir: OverlayInode, newName: string, victim: OverlayInode | null): void {
    this.children.delete(name);
    if (victim && victim !== source) newDir.forgetChild(newName);
    source.parent = newDir;
    source.name = newName;
    newDir.remember(newName, source);
  }

  private exchanged(a: OverlayInode, aName: string, bDir: OverlayInode, bName: string, b: OverlayInode): void {
    a.parent = bDir;
    a.name = bName;
    b.parent = this;
    b.name = aName;
    this.remember(aName, b);
    bDir.remember(bName, a);
  }

  // Symlinks and regular files.

  readlink(): string | number {
    return this.real.readlink();
  }

  /** Opening for writing (or O_TRUNC) copies up first; O_TRUNC copies no data. */
  open(flags: number): FileImpl | number {
    const acc = flags & OpenFlag.O_ACCMODE;
    const trunc = (flags & OpenFlag.O_TRUNC) !== 0;
    if (!this.upper && (acc === OpenFlag.O_WRONLY || acc === OpenFlag.O_RDWR || trunc)) {
      const err = this.copyUp(trunc ? 0 : Infinity);
      if (err < 0) return err;
    }
    return OverlayFileImpl.open(this, flags);
  }

  allocate(mode: number, offset: number, len: number): number {
    const err = this.copyUp();
    if (err < 0) return err;
    return this.upper!.allocate(mode, offset, len);
  }

  // Extended attributes.

  getxattr(name: string): Uint8Array | number {
    return this.real.getxattr(name);
  }

  setxattr(name: string, value: Uint8Array, flags: number): number {
    const err = this.copyUp();
    if (err < 0) return err;
    return this.upper!.setxattr(name, value, flags);
  }

  listxattr(): string[] | number {
    return this.real.listxattr();
  }

  removexattr(name: string): number {
    if (!this.upper) {
      // Nothing to remove is not worth a copy-up.
      const v = this.lower!.getxattr(name);
      if (typeof v === 'number') return v;
    }
    const err = this.copyUp();
    if (err < 0) return err;
    return this.upper!.removexattr(name);
  }

  // References: every layer the inode has holds as many as it has.

  incRef(): void {
    this.refs++;
    this.upper?.incRef();
    this.lower?.incRef();
  }

  decRef(): void {
    if (this.refs === 0) return;
    this.refs--;
    this.upper?.decRef();
    this.lower?.decRef();
  }
}
