// The host file system: a host directory served to the guest (DESIGN.md,
// "The sentry reaches the host file system only through directory file
// descriptors opened for each mount before it confined itself").
//
// The mount's root is one O_PATH descriptor, opened at boot. Every other
// file is reached from it one name at a time, with openat2 beneath its
// directory's descriptor and without following any symlink (the VFS reads
// links and resolves them inside the guest's tree), so no guest path,
// symlink or ".." reaches outside the directory. A host procfs met inside
// (the one file system with magic links) is shown empty.
//
// Inodes are cached by host device and inode number, so hard links share
// one Inode. Each holds an O_PATH descriptor while it is among the
// `maxFds` most recently used; older ones are closed and reopened by name
// (and checked to be the same file) when used again. Guest inode numbers
// are the host's; st_dev is the mount's own anonymous device (files on
// other host devices below the root get their inode numbers moved to a
// range of their own, so no two files share one). Errors are the host's.
import fs from 'node:fs';
import path from 'node:path';
import { Errno, ERRNO_NAMES } from '../../abi/linux/errno.js';
import { At, FileMode } from '../../abi/linux/stat.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { allocAnonDev } from '../../vfs/anon_dev.js';
import type { FileSystem, StatFsValues } from '../../vfs/inode.js';
import { realtimeClock, type Clock } from '../../vfs/timestamp.js';
import { HostDir } from './host_dir.js';
import { HostInode, HostSpecialNode } from './host_inode.js';
import { checkName, hostCalls, HostStat, HostStatFs, PROC_SUPER_MAGIC, type HostCalls } from './host_native.js';
import { HostRegular } from './host_regular.js';
import { HostSymlink } from './host_symlink.js';

export interface HostFsOptions {
  /** Every change is EROFS (the file system is read-only, whatever the mount says). */
  readOnly?: boolean;
  clock?: Clock;
  /** The most O_PATH descriptors held for inodes at once (default 4096, at least 64). */
  maxFds?: number;
  /** The name in /proc/mounts (default "hostfs"). */
  fsType?: string;
}

/** A host call at mount time failed. */
export class HostFsError extends Error {
  constructor(readonly errno: number, what: string) {
    super(`host file system: ${what}: ${ERRNO_NAMES[errno] ?? `errno ${errno}`}`);
  }
}

const TWO32 = 2 ** 32;
const TWO40 = 2 ** 40;

export class HostFileSystem implements FileSystem {
  readonly type: string;
  readonly dev = allocAnonDev();
  /** A directory, or a file for a bind mount of a file. */
  readonly root: HostInode;
  readonly readOnly: boolean;
  readonly clock: Clock;
  readonly host: HostCalls = hostCalls();
  readonly maxFds: number;
  /** release() was called: nothing is reopened any more. */
  released = false;
  /** Inodes holding a descriptor that may be closed, least recently used first. */
  private readonly held = new Set<HostInode>();
  private readonly inodes = new Map<number, WeakRef<HostInode>>();
  private readonly finalizer = new FinalizationRegistry<number>((ino) => {
    const ref = this.inodes.get(ino);
    if (ref && ref.deref() === undefined) this.inodes.delete(ino);
  });
  private readonly rootDevMajor: number;
  private readonly rootDevMinor: number;
  /** Host devices below the root other than its own, numbered from 1. */
  private readonly devs = new Map<string, number>();
  private readonly synthetic = new Map<string, number>();
  private nextSynthetic = 2 ** 52;

  /**
   * Takes ownership of dirFd, a descriptor (O_PATH is enough) of a host
   * directory: the root, or, with fileName, the directory holding the file
   * that is the root (a bind mount of a file; the directory itself is never
   * shown).
   */
  constructor(dirFd: number, opts: HostFsOptions = {}, fileName?: string) {
    this.type = opts.fsType ?? 'hostfs';
    this.readOnly = opts.readOnly ?? false;
    this.clock = opts.clock ?? realtimeClock;
    this.maxFds = Math.max(64, opts.maxFds ?? 4096);
    const h = this.host;
    const r = h.statx(dirFd, '');
    if (r < 0) throw new HostFsError(-r, 'stat of the root');
    if ((h.stat[HostStat.MODE]! & FileMode.S_IFMT) !== FileMode.S_IFDIR) throw new HostFsError(Errno.ENOTDIR, 'the root');
    this.rootDevMajor = h.stat[HostStat.DEV_MAJOR]!;
    this.rootDevMinor = h.stat[HostStat.DEV_MINOR]!;
    const dir = new HostDir(this, this.inoOf(h.stat), dirFd, h.stat);
    if (this.isProc(dirFd)) throw new HostFsError(Errno.EACCES, 'a host procfs cannot be served');
    this.remember(dir);
    if (fileName === undefined) {
      this.root = dir;
      return;
    }
    const err = checkName(fileName);
    if (err < 0) throw new HostFsError(-err, `the root ${JSON.stringify(fileName)}`);
    const fd = h.openPath(dirFd, fileName);
    if (fd < 0) throw new HostFsError(-fd, `open ${fileName}`);
    const file = this.adopt(fd, dir, fileName);
    if (typeof file === 'number') throw new HostFsError(-file, `stat of ${fileName}`);
    if (file.type === FileMode.S_IFDIR || file.type === FileMode.S_IFLNK) throw new HostFsError(Errno.EINVAL, `the root ${fileName}`);
    this.root = file;
  }

  /** The guest inode number of a host file (see the file comment). */
  mapIno(devMajor: number, devMinor: number, inoHi: number, inoLo: number): number {
    let index = 0;
    if (devMajor !== this.rootDevMajor || devMinor !== this.rootDevMinor) {
      const key = `${devMajor}:${devMinor}`;
      index = this.devs.get(key) ?? 0;
      if (index === 0) {
        index = this.devs.size + 1;
        this.devs.set(key, index);
      }
    }
    if (index === 0 && inoHi < 0x200000) return inoHi * TWO32 + inoLo;
    if (index < 4096 && inoHi < 256) return index * TWO40 + inoHi * TWO32 + inoLo;
    const key = `${devMajor}:${devMinor}:${inoHi}:${inoLo}`;
    let ino = this.synthetic.get(key);
    if (ino === undefined) {
      ino = this.nextSynthetic++;
      this.synthetic.set(key, ino);
    }
    return ino;
  }

  /** The guest inode number of the file in a statx result. */
  inoOf(st: Float64Array): number {
    return this.mapIno(st[HostStat.DEV_MAJOR]!, st[HostStat.DEV_MINOR]!, st[HostStat.INO_HI]!, st[HostStat.INO_LO]!);
  }

  /** The cached inode of the file in a statx result, if any. */
  cached(st: Float64Array): HostInode | undefined {
    const inode = this.inodes.get(this.inoOf(st))?.deref();
    return inode && inode.sameFile(st) ? inode : undefined;
  }

  /**
   * The inode for fd, a fresh O_PATH descriptor (or, for O_TMPFILE, a real
   * one) of dir/name: the cached one for the same host file (the new
   * descriptor is then closed unless it lacks one), else a new one. Takes
   * ownership of fd.
   */
  adopt(fd: number, dir: HostDir | null, name: string): HostInode | number {
    const h = this.host;
    const r = h.statx(fd, '');
    if (r < 0) {
      h.close(fd);
      return r;
    }
    const st = h.stat;
    const ino = this.inoOf(st);
    const old = this.inodes.get(ino)?.deref();
    if (old && old.sameFile(st)) {
      old.applyStat(st);
      if (old.fd < 0) old.fd = fd;
      else h.close(fd);
      if (dir) old.addLink(dir, name);
      return old;
    }
    const type = st[HostStat.MODE]! & FileMode.S_IFMT;
    let inode: HostInode;
    switch (type) {
      case FileMode.S_IFDIR: {
        const d = new HostDir(this, ino, fd, st);
        if (dir && (d.devMajor !== dir.devMajor || d.devMinor !== dir.devMinor) && this.isProc(fd)) d.sealed = true;
        inode = d;
        break;
      }
      case FileMode.S_IFREG:
        inode = new HostRegular(this, ino, fd, st);
        break;
      case FileMode.S_IFLNK:
        inode = new HostSymlink(this, ino, fd, st);
        break;
      default:
        inode = new HostSpecialNode(this, ino, type, fd, st);
    }
    this.remember(inode);
    if (dir) inode.addLink(dir, name);
    return inode;
  }

  private remember(inode: HostInode): void {
    this.inodes.set(inode.ino, new WeakRef(inode));
    this.finalizer.register(inode, inode.ino);
  }

  private isProc(fd: number): boolean {
    const h = this.host;
    return h.n.hostfsFstatfs(fd, h.statfs) === 0 && h.statfs[HostStatFs.TYPE] === PROC_SUPER_MAGIC;
  }

  // --- the descriptor budget ------------------------------------------------------------

  /** inode holds a descriptor it can reopen by name: count it, closing the least recently used beyond maxFds. */
  hold(inode: HostInode): void {
    if (inode.fd < 0 || inode.links.length === 0 || inode === (this.root as HostInode)) return;
    this.held.delete(inode);
    this.held.add(inode);
    while (this.held.size > this.maxFds) {
      const oldest = this.held.values().next().value as HostInode;
      oldest.dropFd();
    }
  }

  unhold(inode: HostInode): void {
    this.held.delete(inode);
  }

  /** inode's descriptor was used. */
  touch(inode: HostInode): void {
    if (this.held.delete(inode)) this.held.add(inode);
  }

  /** Descriptors held now (tests, diagnostics). */
  get heldFds(): number {
    return this.held.size;
  }

  /** Closes every descriptor (unmount): later calls fail with EIO. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const ref of this.inodes.values()) ref.deref()?.dropFd();
    this.root.dropFd();
    for (const l of this.root.links) l.dir.dropFd();
    this.held.clear();
  }

  statfs(): StatFsValues {
    const h = this.host;
    const s = h.statfs;
    if (this.root.fd < 0 || h.n.hostfsFstatfs(this.root.fd, s) < 0) s.fill(0);
    return {
      type: s[HostStatFs.TYPE]!,
      bsize: s[HostStatFs.BSIZE]!,
      blocks: s[HostStatFs.BLOCKS]!,
      bfree: s[HostStatFs.BFREE]!,
      bavail: s[HostStatFs.BAVAIL]!,
      files: s[HostStatFs.FILES]!,
      ffree: s[HostStatFs.FFREE]!,
      namelen: s[HostStatFs.NAMELEN]!,
      frsize: s[HostStatFs.FRSIZE]!,
      flags: 0,
    };
  }
}

/**
 * Serves the host directory (or file) hostPath, opened now, as the sentry
 * does before confining itself; symlinks in hostPath itself are followed, as
 * for a bind mount's source. Throws HostFsError if it cannot be served.
 */
export function createHostFs(hostPath: string, opts: HostFsOptions = {}): HostFileSystem {
  const h = hostCalls();
  const fd = h.n.hostfsOpenat2(At.AT_FDCWD, hostPath, OpenFlag.O_PATH, 0, 0);
  if (fd < 0) throw new HostFsError(-fd, `open ${hostPath}`);
  const r = h.statx(fd, '');
  if (r < 0) {
    h.close(fd);
    throw new HostFsError(-r, `stat of ${hostPath}`);
  }
  if ((h.stat[HostStat.MODE]! & FileMode.S_IFMT) === FileMode.S_IFDIR) return hostFsFromFd(fd, opts);
  // A file: the root is its name in its (real) parent directory.
  h.close(fd);
  let real: string;
  try {
    real = fs.realpathSync(hostPath);
  } catch (e) {
    throw new HostFsError(-((e as NodeJS.ErrnoException).errno ?? -Errno.ENOENT), `resolve ${hostPath}`);
  }
  const dirFd = h.n.hostfsOpenat2(At.AT_FDCWD, path.dirname(real), OpenFlag.O_PATH | OpenFlag.O_DIRECTORY, 0, 0);
  if (dirFd < 0) throw new HostFsError(-dirFd, `open ${path.dirname(real)}`);
  try {
    return new HostFileSystem(dirFd, opts, path.basename(real));
  } catch (e) {
    h.close(dirFd);
    throw e;
  }
}

/** Serves the directory behind fd (opened before confinement); takes ownership of fd. */
export function hostFsFromFd(fd: number, opts: HostFsOptions = {}): HostFileSystem {
  try {
    return new HostFileSystem(fd, opts);
  } catch (e) {
    hostCalls().close(fd);
    throw e;
  }
}
