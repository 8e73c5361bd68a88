// A host directory. Lookups open one name beneath the directory's descriptor
// with openat2 (O_PATH|O_NOFOLLOW, RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|
// RESOLVE_NO_MAGICLINKS): a symlink comes back as itself, for the VFS to
// read and resolve inside the guest's tree. Changes are *at calls on the
// directory's descriptor with a single component.
//
// readdir hands out its own cookies: the host's d_off values are opaque
// 64-bit numbers (ext4 hashes) that a JavaScript number cannot carry. The
// entries are read from the host when a reader starts at cookie 0 and
// merged into a list in which every name keeps its cookie, so readers
// resuming anywhere neither repeat nor lose entries that stayed (as tmpfs).
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { FileMode } from '../../abi/linux/stat.js';
import { dtType, RenameFlag, type DirEmitter, type Inode, type NewInodeSpec } from '../../vfs/inode.js';
import { checkName, HostStat, RESOLVE_HOST } from './host_native.js';
import { HostInode } from './host_inode.js';
import type { HostFileSystem } from './hostfs.js';

interface Entry {
  readonly name: string;
  ino: number;
  type: number;
  readonly cookie: number;
  live: boolean;
}

/** Cookies 0 and 1 are "." and ".."; entries start here. */
const FIRST_COOKIE = 2;
const AT_REMOVEDIR = 0x200;
const AT_EMPTY_PATH = 0x1000;

export class HostDir extends HostInode {
  /** A host procfs (magic links) met inside the mount: shown empty, never entered. */
  sealed = false;
  private byName: Map<string, Entry> | null = null;
  private order: Entry[] = [];
  private tombstones = 0;
  private nextCookie = FIRST_COOKIE;

  constructor(fs: HostFileSystem, ino: number, fd: number, st: Float64Array) {
    super(fs, ino, FileMode.S_IFDIR, fd, st);
  }

  /** The common checks of the calls that change the directory. */
  private writable(name: string): number {
    const err = checkName(name);
    if (err < 0) return err;
    if (this.fs.readOnly) return -Errno.EROFS;
    if (this.sealed) return -Errno.EACCES;
    return 0;
  }

  override lookup(name: string): Inode | number {
    const err = checkName(name);
    if (err < 0) return err;
    if (this.sealed) return -Errno.EACCES;
    const dirfd = this.hostFd();
    if (dirfd < 0) return dirfd;
    const fd = this.host.openPath(dirfd, name);
    if (fd < 0) return fd;
    return this.fs.adopt(fd, this, name);
  }

  /** The inode of a name just made by a host call. */
  private created(dirfd: number, name: string, spec: NewInodeSpec): Inode | number {
    const fd = this.host.openPath(dirfd, name);
    if (fd < 0) return fd;
    const inode = this.fs.adopt(fd, this, name);
    if (typeof inode === 'number') return inode;
    inode.applySpec(spec);
    this.put(name, inode.ino, inode.type);
    return inode;
  }

  override mknod(name: string, spec: NewInodeSpec): Inode | number {
    const err = this.writable(name);
    if (err < 0) return err;
    const type = spec.mode & FileMode.S_IFMT;
    if (type === FileMode.S_IFDIR || type === FileMode.S_IFLNK) return -Errno.EINVAL;
    const dirfd = this.hostFd();
    if (dirfd < 0) return dirfd;
    const r = this.host.n.hostfsMknodat(dirfd, name, (type || FileMode.S_IFREG) | (spec.mode & 0o7777), spec.rdev);
    if (r < 0) return r;
    return this.created(dirfd, name, spec);
  }

  override mkdir(name: string, spec: NewInodeSpec): Inode | number {
    const err = this.writable(name);
    if (err < 0) return err;
    const dirfd = this.hostFd();
    if (dirfd < 0) return dirfd;
    const r = this.host.n.hostfsMkdirat(dirfd, name, spec.mode & 0o7777);
    if (r < 0) return r;
    return this.created(dirfd, name, spec);
  }

  override symlink(name: string, target: string, spec: NewInodeSpec): Inode | number {
    const err = this.writable(name);
    if (err < 0) return err;
    if (target.length === 0) return -Errno.ENOENT;
    if (target.includes('\0')) return -Errno.EINVAL;
    const dirfd = this.hostFd();
    if (dirfd < 0) return dirfd;
    const r = this.host.n.hostfsSymlinkat(target, dirfd, name);
    if (r < 0) return r;
    return this.created(dirfd, name, spec);
  }

  /** O_TMPFILE: an unnamed file in this directory, held by a real descriptor. */
  tmpfile(spec: NewInodeSpec): Inode | number {
    if (this.fs.readOnly) return -Errno.EROFS;
    if (this.sealed) return -Errno.EACCES;
    const dirfd = this.hostFd();
    if (dirfd < 0) return dirfd;
    const fd = this.host.n.hostfsOpenat2(dirfd, '.', OpenFlag.O_TMPFILE | OpenFlag.O_RDWR, spec.mode & 0o7777, RESOLVE_HOST);
    if (fd < 0) return fd;
    const inode = this.fs.adopt(fd, null, '');
    if (typeof inode === 'number') return inode;
    inode.realFd = true;
    inode.applySpec(spec);
    return inode;
  }

  override link(name: string, target: Inode): number {
    const err = this.writable(name);
    if (err < 0) return err;
    if (!(target instanceof HostInode) || target.fs !== this.fs) return -Errno.EXDEV;
    const dirfd = this.hostFd();
    if (dirfd < 0) return dirfd;
    const tfd = target.hostFd();
    if (tfd < 0) return tfd;
    const n = this.host.n;
    let r = n.hostfsLinkat(tfd, '', dirfd, name, AT_EMPTY_PATH);
    if (r === -Errno.ENOENT && target.links.length > 0) {
      // linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH on the host: link a name, then check what it linked.
      r = this.linkByName(target, dirfd, name);
    }
    if (r < 0) return r;
    target.addLink(this, name);
    this.put(name, target.ino, target.type);
    return 0;
  }

  private linkByName(target: HostInode, dirfd: number, name: string): number {
    const h = this.host;
    let r = -Errno.ENOENT;
    for (const l of [...target.links].reverse()) {
      const from = l.dir.hostFd();
      if (from < 0) continue;
      r = h.n.hostfsLinkat(from, l.name, dirfd, name, 0);
      if (r < 0) continue;
      if (h.statx(dirfd, name) === 0 && target.sameFile(h.stat)) return 0;
      h.n.hostfsUnlinkat(dirfd, name, 0);
      r = -Errno.ESTALE;
    }
    return r;
  }

  override unlink(name: string): number {
    return this.remove(name, 0);
  }

  override rmdir(name: string): number {
    return this.remove(name, AT_REMOVEDIR);
  }

  private remove(name: string, flags: number): number {
    const err = this.writable(name);
    if (err < 0) return err;
    const dirfd = this.hostFd();
    if (dirfd < 0) return dirfd;
    const victim = this.cachedChild(dirfd, name);
    const r = this.host.n.hostfsUnlinkat(dirfd, name, flags);
    if (r < 0) return r;
    this.drop(name);
    victim?.removeLink(this, name);
    return 0;
  }

  /** The cached inode the host name leads to now, if any. */
  private cachedChild(dirfd: number, name: string): HostInode | undefined {
    if (this.host.statx(dirfd, name) < 0) return undefined;
    return this.fs.cached(this.host.stat);
  }

  override rename(name: string, newDirInode: Inode, newName: string, flags: number): number {
    let err = this.writable(name);
    if (err < 0) return err;
    if (!(newDirInode instanceof HostDir) || newDirInode.fs !== this.fs) return -Errno.EXDEV;
    const newDir = newDirInode;
    err = newDir.writable(newName);
    if (err < 0) return err;
    const from = this.hostFd();
    if (from < 0) return from;
    const to = newDir.hostFd();
    if (to < 0) return to;
    const h = this.host;
    const sr = h.statx(from, name);
    if (sr < 0) return sr;
    const moving = this.fs.cached(h.stat);
    const movingIno = this.fs.inoOf(h.stat);
    const movingType = dtType(h.stat[HostStat.MODE]!);
    const replacing = h.statx(to, newName) === 0;
    const victim = replacing ? this.fs.cached(h.stat) : undefined;
    const victimIno = replacing ? this.fs.inoOf(h.stat) : 0;
    const victimType = replacing ? dtType(h.stat[HostStat.MODE]!) : 0;
    const r = h.n.hostfsRenameat2(from, name, to, newName, flags);
    if (r < 0) return r;
    if ((flags & RenameFlag.RENAME_EXCHANGE) !== 0) {
      this.put(name, victimIno, victimType);
      newDir.put(newName, movingIno, movingType);
      moving?.moveLink(this, name, newDir, newName);
      victim?.moveLink(newDir, newName, this, name);
      return 0;
    }
    // Two names of one file (or a name onto itself): the host did nothing (man 2 rename).
    if (replacing && victimIno === movingIno) return 0;
    this.drop(name);
    newDir.put(newName, movingIno, movingType);
    victim?.removeLink(newDir, newName);
    moving?.moveLink(this, name, newDir, newName);
    return 0;
  }

  // --- readdir ------------------------------------------------------------------------------

  override readdir(cookie: number, emit: DirEmitter): number {
    if (cookie < 0) return -Errno.EINVAL;
    if (cookie === 0 || !this.byName) {
      const r = this.load();
      if (r < 0) return r;
    }
    const parent = this.links.length > 0 ? this.links[this.links.length - 1]!.dir.ino : this.ino;
    if (cookie === 0 && !emit({ name: '.', ino: this.ino, type: dtType(FileMode.S_IFDIR), next: 1 })) return 0;
    if (cookie <= 1 && !emit({ name: '..', ino: parent, type: dtType(FileMode.S_IFDIR), next: FIRST_COOKIE })) return 0;
    for (let i = this.firstAtOrAfter(Math.max(cookie, FIRST_COOKIE)); i < this.order.length; i++) {
      const e = this.order[i]!;
      if (!e.live) continue;
      if (!emit({ name: e.name, ino: e.ino, type: e.type, next: e.cookie + 1 })) break;
    }
    return 0;
  }

  /** Reads the host directory and merges it into the entry list. */
  private load(): number {
    const byName = (this.byName ??= new Map());
    if (this.sealed) return 0;
    const self = this.hostFd();
    if (self < 0) return self;
    const h = this.host;
    const fd = h.n.hostfsOpenat2(self, '.', OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY, 0, RESOLVE_HOST);
    if (fd < 0) return fd;
    const seen = new Set<string>();
    const unknown: Entry[] = [];
    let r: number;
    do {
      r = h.getdents(fd, (name, inoHi, inoLo, dtype) => {
        if (name === '.' || name === '..') return;
        seen.add(name);
        const ino = this.fs.mapIno(this.devMajor, this.devMinor, inoHi, inoLo);
        let e = byName.get(name);
        if (e) {
          e.ino = ino;
          e.type = dtype;
        } else {
          e = { name, ino, type: dtype, cookie: this.nextCookie++, live: true };
          byName.set(name, e);
          this.order.push(e);
        }
        if (dtype === 0) unknown.push(e);
      });
    } while (r > 0);
    if (r === 0) {
      // DT_UNKNOWN (some file systems): the type from a stat of the name.
      for (const e of unknown) if (h.statx(fd, e.name) === 0) e.type = dtType(h.stat[HostStat.MODE]!);
    }
    h.close(fd);
    if (r < 0) return r;
    for (const e of [...byName.values()]) if (!seen.has(e.name)) this.drop(e.name);
    return 0;
  }

  /** name exists now (created or moved here by us). */
  private put(name: string, ino: number, type: number): void {
    if (!this.byName) return;
    const e = this.byName.get(name);
    if (e) {
      e.ino = ino;
      e.type = type;
      return;
    }
    const ne: Entry = { name, ino, type, cookie: this.nextCookie++, live: true };
    this.byName.set(name, ne);
    this.order.push(ne);
  }

  /** name is gone. */
  private drop(name: string): void {
    const e = this.byName?.get(name);
    if (!e) return;
    this.byName!.delete(name);
    e.live = false;
    this.tombstones++;
    if (this.tombstones > 64 && this.tombstones * 2 > this.order.length) {
      this.order = this.order.filter((x) => x.live);
      this.tombstones = 0;
    }
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
}
