// What every inode of a host file system shares: the host file's identity
// (host device and inode number), an O_PATH descriptor of it, the names it is
// known by (to reopen it: a descriptor may be closed to stay within the
// file system's budget, and I/O needs a real open, which an O_PATH
// descriptor cannot give without /proc), attributes read from the host, and
// the attribute and xattr calls, all on descriptors.
import { InodeDefaults } from '../../vfs/inode_defaults.js';
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { FileMode, makeDev } from '../../abi/linux/stat.js';
import type { Inode, InodeAttrs, NewInodeSpec, SetAttrRequest } from '../../vfs/inode.js';
import { XATTR_LIST_MAX, XATTR_SIZE_MAX } from '../../vfs/limits.js';
import type { Timestamp } from '../../vfs/timestamp.js';
import { AT_EMPTY_PATH, HostStat, RESOLVE_HOST, STATX_BTIME, UTIME_OMIT, type HostCalls } from './host_native.js';
import type { HostDir } from './host_dir.js';
import type { HostFileSystem } from './hostfs.js';

/** A name of an inode: dir/name. */
export interface HostLink {
  readonly dir: HostDir;
  readonly name: string;
}

/** Names remembered per inode (hard links beyond these are found again by lookup). */
const MAX_LINKS = 8;

function ts(old: Timestamp, sec: number, nsec: number): Timestamp {
  return old.sec === sec && old.nsec === nsec ? old : { sec, nsec };
}

export abstract class HostInode extends InodeDefaults implements Inode {
  readonly attrs: InodeAttrs;
  /** The host descriptor (O_PATH, or a real one for O_TMPFILE files), or -1 while closed. */
  fd: number;
  /** fd is an open file (O_TMPFILE), not O_PATH: never closed for the budget. */
  realFd = false;
  /** Names leading to this inode, most recent last. */
  readonly links: HostLink[] = [];
  /** References from open files. */
  refs = 0;
  // The host identity: a reopened name must lead to the same file.
  readonly devMajor: number;
  readonly devMinor: number;
  readonly inoHi: number;
  readonly inoLo: number;
  readonly btimeSec: number;
  readonly btimeNsec: number;
  readonly hasBtime: boolean;

  constructor(readonly fs: HostFileSystem, readonly ino: number, readonly type: number, fd: number, st: Float64Array) {
    super();
    this.fd = fd;
    this.devMajor = st[HostStat.DEV_MAJOR]!;
    this.devMinor = st[HostStat.DEV_MINOR]!;
    this.inoHi = st[HostStat.INO_HI]!;
    this.inoLo = st[HostStat.INO_LO]!;
    this.hasBtime = (st[HostStat.MASK]! & STATX_BTIME) !== 0;
    this.btimeSec = st[HostStat.BTIME_SEC]!;
    this.btimeNsec = st[HostStat.BTIME_NSEC]!;
    const t = (s: HostStat, n: HostStat): Timestamp => ({ sec: st[s]!, nsec: st[n]! });
    this.attrs = {
      mode: 0,
      nlink: 0,
      uid: 0,
      gid: 0,
      rdev: 0,
      size: 0,
      blocks: 0,
      blksize: 0,
      atime: t(HostStat.ATIME_SEC, HostStat.ATIME_NSEC),
      mtime: t(HostStat.MTIME_SEC, HostStat.MTIME_NSEC),
      ctime: t(HostStat.CTIME_SEC, HostStat.CTIME_NSEC),
      btime: t(HostStat.BTIME_SEC, HostStat.BTIME_NSEC),
    };
    this.applyStat(st);
  }

  protected get host(): HostCalls {
    return this.fs.host;
  }

  /** The statx result in st is this very file (same host device, inode number and birth). */
  sameFile(st: Float64Array): boolean {
    return st[HostStat.INO_LO] === this.inoLo && st[HostStat.INO_HI] === this.inoHi &&
      st[HostStat.DEV_MINOR] === this.devMinor && st[HostStat.DEV_MAJOR] === this.devMajor &&
      (st[HostStat.MODE]! & FileMode.S_IFMT) === this.type &&
      (!this.hasBtime || (st[HostStat.BTIME_SEC] === this.btimeSec && st[HostStat.BTIME_NSEC] === this.btimeNsec));
  }

  /** Takes the attributes of a statx result of this file. */
  applyStat(st: Float64Array): void {
    const a = this.attrs;
    a.mode = st[HostStat.MODE]!;
    a.nlink = st[HostStat.NLINK]!;
    a.uid = st[HostStat.UID]!;
    a.gid = st[HostStat.GID]!;
    a.rdev = makeDev(st[HostStat.RDEV_MAJOR]!, st[HostStat.RDEV_MINOR]!);
    a.size = st[HostStat.SIZE]!;
    a.blocks = st[HostStat.BLOCKS]!;
    a.blksize = st[HostStat.BLKSIZE]!;
    a.atime = ts(a.atime, st[HostStat.ATIME_SEC]!, st[HostStat.ATIME_NSEC]!);
    a.mtime = ts(a.mtime, st[HostStat.MTIME_SEC]!, st[HostStat.MTIME_NSEC]!);
    a.ctime = ts(a.ctime, st[HostStat.CTIME_SEC]!, st[HostStat.CTIME_NSEC]!);
    a.btime = ts(a.btime, st[HostStat.BTIME_SEC]!, st[HostStat.BTIME_NSEC]!);
  }

  // --- the descriptor ---------------------------------------------------------------

  /** The host descriptor, reopened by name if it was closed; -errno if the file cannot be found again. */
  hostFd(): number {
    if (this.fd >= 0) {
      this.fs.touch(this);
      return this.fd;
    }
    return this.reopen();
  }

  private reopen(): number {
    if (this.fs.released) return -Errno.EIO;
    const h = this.host;
    let err = -Errno.ENOENT;
    for (let i = this.links.length - 1; i >= 0; i--) {
      const l = this.links[i]!;
      const dirfd = l.dir.hostFd();
      if (dirfd < 0) {
        err = dirfd;
        continue;
      }
      const fd = h.openPath(dirfd, l.name);
      if (fd >= 0 && h.statx(fd, '') === 0 && this.sameFile(h.stat)) {
        this.applyStat(h.stat);
        this.fd = fd;
        this.fs.hold(this);
        return fd;
      }
      h.close(fd);
      // The name is gone or now names another file: forget it.
      err = fd < 0 ? fd : -Errno.ESTALE;
      if (err === -Errno.ENOENT || err === -Errno.ESTALE) this.links.splice(i, 1);
    }
    return err;
  }

  /** Closes the descriptor (budget, last name gone, unmount). */
  dropFd(): void {
    this.fs.unhold(this);
    if (this.fd >= 0) {
      this.host.close(this.fd);
      this.fd = -1;
      this.realFd = false;
    }
  }

  /**
   * Opens the file itself by one of its names with flags (O_RDONLY,
   * O_WRONLY …), checking that the name still leads to this file; the caller
   * closes the descriptor.
   */
  openByName(flags: number): number {
    const h = this.host;
    let err = -Errno.ENOENT;
    const hostFlags = flags | OpenFlag.O_NOFOLLOW | OpenFlag.O_NOCTTY;
    for (let i = this.links.length - 1; i >= 0; i--) {
      const l = this.links[i]!;
      const dirfd = l.dir.hostFd();
      if (dirfd < 0) {
        err = dirfd;
        continue;
      }
      const fd = h.n.hostfsOpenat2(dirfd, l.name, hostFlags, 0, RESOLVE_HOST);
      if (fd < 0) {
        err = fd;
        continue;
      }
      if (h.statx(fd, '') === 0 && this.sameFile(h.stat)) return fd;
      h.close(fd);
      err = -Errno.ESTALE;
    }
    return err;
  }

  /**
   * Runs fn on a real (non-O_PATH) descriptor of the file, for the calls that
   * need one (f*xattr, fchmod): "." of a directory, a name of a regular file
   * or FIFO opened for reading. EOPNOTSUPP for other types.
   */
  withOpenFd(fn: (fd: number) => number): number {
    if (this.realFd && this.fd >= 0) return fn(this.fd);
    let fd: number;
    if (this.type === FileMode.S_IFDIR) {
      const self = this.hostFd();
      if (self < 0) return self;
      fd = this.host.n.hostfsOpenat2(self, '.', OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY, 0, RESOLVE_HOST);
    } else if (this.type === FileMode.S_IFREG || this.type === FileMode.S_IFIFO) {
      const open = this.openFd(false);
      if (open >= 0) return fn(open);
      fd = this.openByName(OpenFlag.O_RDONLY | OpenFlag.O_NONBLOCK);
    } else {
      return -Errno.EOPNOTSUPP;
    }
    if (fd < 0) return fd;
    const r = fn(fd);
    this.host.close(fd);
    return r;
  }

  /** A descriptor of an open file of this inode (writable if asked), or -1. Regular files override. */
  protected openFd(_writable: boolean): number {
    return -1;
  }

  /**
   * Runs fn(dirfd, name) with a name of this file whose identity was just
   * checked, for the path-based *at calls (the xattrs of symlinks and
   * special files).
   */
  private withName(fn: (dirfd: number, name: string) => number): number {
    const h = this.host;
    let err = -Errno.ENOENT;
    for (let i = this.links.length - 1; i >= 0; i--) {
      const l = this.links[i]!;
      const dirfd = l.dir.hostFd();
      if (dirfd < 0) {
        err = dirfd;
        continue;
      }
      const r = h.statx(dirfd, l.name);
      if (r < 0 || !this.sameFile(h.stat)) {
        err = r < 0 ? r : -Errno.ESTALE;
        continue;
      }
      return fn(dirfd, l.name);
    }
    return err;
  }

  // --- names --------------------------------------------------------------------------

  addLink(dir: HostDir, name: string): void {
    const i = this.links.findIndex((l) => l.dir === dir && l.name === name);
    if (i >= 0) this.links.splice(i, 1);
    else if (this.links.length >= MAX_LINKS) this.links.shift();
    this.links.push({ dir, name });
    if (this.fd >= 0) this.fs.hold(this);
  }

  /** dir/name was removed (unlink, rmdir, replaced by rename). */
  removeLink(dir: HostDir, name: string): void {
    const i = this.links.findIndex((l) => l.dir === dir && l.name === name);
    if (i >= 0) this.links.splice(i, 1);
    if (this.links.length === 0) this.orphaned();
  }

  moveLink(dir: HostDir, name: string, newDir: HostDir, newName: string): void {
    const i = this.links.findIndex((l) => l.dir === dir && l.name === name);
    if (i >= 0) this.links.splice(i, 1);
    this.addLink(newDir, newName);
  }

  /** No known name is left: the descriptor cannot be reopened, so it stays until the last open file goes. */
  private orphaned(): void {
    this.fs.unhold(this);
    if (this.refs === 0 && !this.isRoot) this.dropFd();
  }

  get isRoot(): boolean {
    return this === (this.fs.root as HostInode);
  }

  // --- attributes -----------------------------------------------------------------------

  /** Reads the attributes from the host. */
  refresh(): number {
    const fd = this.hostFd();
    if (fd < 0) return fd;
    const r = this.host.statx(fd, '');
    if (r < 0) return r;
    this.applyStat(this.host.stat);
    return 0;
  }

  getattr(): Readonly<InodeAttrs> {
    // A file that cannot be reached any more keeps its last attributes.
    this.refresh();
    return this.attrs;
  }

  /**
   * Applies a change on the host. Access-time touches alone are left to the
   * host (it keeps atime as the files are read) and ctime is the host's.
   */
  setattr(req: SetAttrRequest): number {
    if (this.fs.readOnly) return -Errno.EROFS;
    const n = this.host.n;
    const changesAttrs = req.mode !== undefined || req.uid !== undefined || req.gid !== undefined || req.size !== undefined || req.mtime !== undefined;
    if (!changesAttrs && (req.atime === undefined || req.ctime === undefined)) return 0;
    if (req.size !== undefined) {
      const r = this.truncate(req.size);
      if (r < 0) return r;
    }
    if (req.uid !== undefined || req.gid !== undefined) {
      const fd = this.hostFd();
      if (fd < 0) return fd;
      const r = n.hostfsFchownat(fd, '', req.uid ?? -1, req.gid ?? -1, AT_EMPTY_PATH);
      if (r < 0) return r;
    }
    if (req.mode !== undefined && this.type !== FileMode.S_IFLNK) {
      const r = this.chmod(req.mode);
      if (r < 0) return r;
    }
    // A size change set mtime and ctime on the host already.
    if ((req.atime !== undefined || req.mtime !== undefined) && req.size === undefined) {
      const fd = this.hostFd();
      if (fd < 0) return fd;
      const t = this.host.times;
      t[0] = req.atime ? req.atime.sec : 0;
      t[1] = req.atime ? req.atime.nsec : UTIME_OMIT;
      t[2] = req.mtime ? req.mtime.sec : 0;
      t[3] = req.mtime ? req.mtime.nsec : UTIME_OMIT;
      const r = n.hostfsUtimensat(fd, '', t, AT_EMPTY_PATH);
      if (r < 0) return r;
    }
    this.refresh();
    return 0;
  }

  /** The permission bits (07777). */
  chmod(mode: number): number {
    const fd = this.hostFd();
    if (fd < 0) return fd;
    const r = this.host.n.hostfsFchmodat2(fd, '', mode & 0o7777, AT_EMPTY_PATH);
    // Before Linux 6.6 (no fchmodat2): fchmod on a real descriptor.
    if (r !== -Errno.ENOSYS) return r;
    return this.withOpenFd((f) => this.host.n.hostfsFchmod(f, mode & 0o7777));
  }

  protected truncate(_size: number): number {
    return -Errno.EINVAL;
  }

  /** After creation: the owner and mode the VFS asked for (the host used its own ids and umask). Best effort. */
  applySpec(spec: NewInodeSpec): void {
    const a = this.attrs;
    const fd = this.hostFd();
    if (fd < 0) return;
    if (a.uid !== spec.uid || a.gid !== spec.gid) this.host.n.hostfsFchownat(fd, '', spec.uid, spec.gid, AT_EMPTY_PATH);
    if (this.type !== FileMode.S_IFLNK) {
      this.refresh();
      if ((a.mode & 0o7777) !== (spec.mode & 0o7777)) this.chmod(spec.mode & 0o7777);
    }
    this.refresh();
  }

  // --- extended attributes ----------------------------------------------------------------

  /** Regular files, directories and FIFOs through a real descriptor; other types by checked name (Linux 6.13's *xattrat). */
  private xattrCall(viaFd: (fd: number) => number, viaName: (dirfd: number, name: string) => number): number {
    const t = this.type;
    if (t === FileMode.S_IFREG || t === FileMode.S_IFDIR || t === FileMode.S_IFIFO || this.realFd) return this.withOpenFd(viaFd);
    const r = this.withName(viaName);
    return r === -Errno.ENOSYS ? -Errno.EOPNOTSUPP : r;
  }

  getxattr(name: string): Uint8Array | number {
    const h = this.host;
    const r = this.xattrCall(
      (fd) => h.n.hostfsFgetxattr(fd, name, h.xattr, 0, XATTR_SIZE_MAX),
      (dirfd, file) => h.n.hostfsGetxattrat(dirfd, file, 0, name, h.xattr, 0, XATTR_SIZE_MAX),
    );
    return r < 0 ? r : h.xattrValue(r);
  }

  setxattr(name: string, value: Uint8Array, flags: number): number {
    if (this.fs.readOnly) return -Errno.EROFS;
    const n = this.host.n;
    const r = this.xattrCall(
      (fd) => n.hostfsFsetxattr(fd, name, value, 0, value.length, flags),
      (dirfd, file) => n.hostfsSetxattrat(dirfd, file, 0, name, value, 0, value.length, flags),
    );
    return r < 0 ? r : 0;
  }

  listxattr(): string[] | number {
    const h = this.host;
    const r = this.xattrCall(
      (fd) => h.n.hostfsFlistxattr(fd, h.xattr, 0, XATTR_LIST_MAX),
      (dirfd, file) => h.n.hostfsListxattrat(dirfd, file, 0, h.xattr, 0, XATTR_LIST_MAX),
    );
    return r < 0 ? r : h.xattrNames(r);
  }

  removexattr(name: string): number {
    if (this.fs.readOnly) return -Errno.EROFS;
    const n = this.host.n;
    const r = this.xattrCall(
      (fd) => n.hostfsFremovexattr(fd, name),
      (dirfd, file) => n.hostfsRemovexattrat(dirfd, file, 0, name),
    );
    return r < 0 ? r : 0;
  }

  // --- references -------------------------------------------------------------------------

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    if (this.refs > 0) this.refs--;
    if (this.refs === 0 && this.links.length === 0 && !this.isRoot) this.dropFd();
  }

  // --- the operations of other types answer as Linux does for the wrong type ---------------

}

/** A FIFO, socket or device node: attributes only (opening is the kernel's business, as on tmpfs). */
export class HostSpecialNode extends HostInode {}
