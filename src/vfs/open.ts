// open(2), openat(2), openat2(2), creat(2): the flag rules of build_open_flags,
// the last-component rules of path_openat (O_CREAT, O_EXCL, trailing
// slashes, symlinks), and the checks of may_open.
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag, Resolve, VALID_OPEN_FLAGS, type OpenHow } from '../abi/linux/fcntl.js';
import { FileMode, S_IALLUGO } from '../abi/linux/stat.js';
import { Capability, capable } from './credentials.js';
import { Dentry } from './dentry.js';
import type { Caller } from './fs_struct.js';
import { isDir, isSymlink, type FileImpl } from './inode.js';
import { changeMask, notifyChange, notifyCreate, notifyOpen } from './inotify_hooks.js';
import { MountFlag } from './mount.js';
import { OpenFile } from './open_file.js';
import { holdPath, pathName, releasePath, type VfsPath } from './path.js';
import { checkPermission, isOwnerOrCapable, May, ownerForNew } from './permissions.js';
import { finishLookup, LastType, lookupChild, Walker } from './resolve.js';
import { markLinkable } from './tmpfile.js';
import { writeDenied } from './write_access.js';

const O_TMPFILE_MASK = OpenFlag.__O_TMPFILE | OpenFlag.O_DIRECTORY | OpenFlag.O_CREAT;
const O_PATH_FLAGS = OpenFlag.O_DIRECTORY | OpenFlag.O_NOFOLLOW | OpenFlag.O_PATH | OpenFlag.O_CLOEXEC;
const VALID_RESOLVE = Resolve.RESOLVE_NO_XDEV | Resolve.RESOLVE_NO_MAGICLINKS | Resolve.RESOLVE_NO_SYMLINKS |
  Resolve.RESOLVE_BENEATH | Resolve.RESOLVE_IN_ROOT | Resolve.RESOLVE_CACHED;

/** The flags open(2) and openat(2) act on: unknown bits are ignored there (openat2 refuses them). */
/** An open file, -errno, or a Promise of either when the open waits (a FIFO for its other end). */
export type OpenResult = OpenFile | number | Promise<OpenFile | number>;

export function openatHow(flags: number, mode: number): OpenHow {
  flags &= VALID_OPEN_FLAGS;
  const creating = (flags & OpenFlag.O_CREAT) !== 0 || (flags & OpenFlag.__O_TMPFILE) !== 0;
  return { flags, mode: creating ? mode & S_IALLUGO : 0, resolve: 0 };
}

/** openat2's stricter checks of struct open_how (man 2 openat2 ERRORS). 0 or -EINVAL. */
export function validateOpenHow(how: OpenHow): number {
  if ((how.flags & ~VALID_OPEN_FLAGS) !== 0) return -Errno.EINVAL;
  if ((how.resolve & ~VALID_RESOLVE) !== 0) return -Errno.EINVAL;
  if ((how.resolve & Resolve.RESOLVE_BENEATH) !== 0 && (how.resolve & Resolve.RESOLVE_IN_ROOT) !== 0) return -Errno.EINVAL;
  const creating = (how.flags & OpenFlag.O_CREAT) !== 0 || (how.flags & OpenFlag.__O_TMPFILE) !== 0;
  if (creating ? (how.mode & ~S_IALLUGO) !== 0 : how.mode !== 0) return -Errno.EINVAL;
  if ((how.flags & OpenFlag.O_PATH) !== 0 && (how.flags & ~O_PATH_FLAGS) !== 0) return -Errno.EINVAL;
  return 0;
}

/** build_open_flags: the access wanted and the effective flags, or -errno. */
function buildOpenFlags(how: OpenHow): { flags: number; acc: number } | number {
  let flags = how.flags;
  if ((flags & OpenFlag.__O_TMPFILE) !== 0) {
    if ((flags & O_TMPFILE_MASK) !== OpenFlag.O_TMPFILE) return -Errno.EINVAL;
    const accMode = flags & OpenFlag.O_ACCMODE;
    if (accMode !== OpenFlag.O_WRONLY && accMode !== OpenFlag.O_RDWR) return -Errno.EINVAL;
  } else if ((flags & OpenFlag.O_CREAT) !== 0 && (flags & OpenFlag.O_DIRECTORY) !== 0) {
    // Linux 6.4 and later (commit 43b450632676): no directory is ever created by open.
    return -Errno.EINVAL;
  }
  if ((flags & OpenFlag.O_PATH) !== 0) return { flags: flags & O_PATH_FLAGS, acc: 0 };
  if ((flags & OpenFlag.__O_SYNC) !== 0) flags |= OpenFlag.O_DSYNC;
  let acc = 0;
  switch (flags & OpenFlag.O_ACCMODE) {
    case OpenFlag.O_RDONLY:
      acc = May.READ;
      break;
    case OpenFlag.O_WRONLY:
      acc = May.WRITE;
      break;
    default:
      acc = May.READ | May.WRITE;
  }
  if ((flags & OpenFlag.O_TRUNC) !== 0) acc |= May.WRITE;
  // O_EXCL with O_CREAT never follows a trailing symlink (man 2 open).
  if ((flags & (OpenFlag.O_CREAT | OpenFlag.O_EXCL)) === (OpenFlag.O_CREAT | OpenFlag.O_EXCL)) flags |= OpenFlag.O_NOFOLLOW;
  if ((how.resolve & Resolve.RESOLVE_CACHED) !== 0 && (flags & (OpenFlag.O_TRUNC | OpenFlag.O_CREAT | OpenFlag.__O_TMPFILE)) !== 0) return -Errno.EAGAIN;
  return { flags, acc };
}

/**
 * openat2 semantics for every open variant: dirfd, path, flags, mode (the
 * caller's umask is applied here) and RESOLVE_* flags. Returns a new open
 * file description with no descriptor reference yet (FdTable.install takes
 * one), or -errno.
 */
export function openAt(caller: Caller, dirfd: number, path: string, how: OpenHow): OpenResult {
  const built = buildOpenFlags(how);
  if (typeof built === 'number') return built;
  const { flags, acc } = built;
  if ((flags & OpenFlag.__O_TMPFILE) !== 0) return openTmpfile(caller, dirfd, path, how, flags);

  const w = Walker.begin(caller, dirfd, path, { resolve: how.resolve });
  if (typeof w === 'number') return w;
  const follow = (flags & OpenFlag.O_NOFOLLOW) === 0;
  const creat = (flags & OpenFlag.O_CREAT) !== 0;
  let target: VfsPath | null = null;
  let created = false;

  if (!creat) {
    const r = finishLookup(w, follow, false);
    if (typeof r === 'number') return r;
    target = r;
  } else {
    for (;;) {
      const err = w.walkPrefix();
      if (err < 0) return err;
      const last = w.last;
      if (!last || last.type !== LastType.NORM) {
        const r = w.stepLast();
        if (typeof r === 'number') return r;
        target = r;
        break;
      }
      // open_last_lookups: O_CREAT and a trailing slash is EISDIR, whatever is there.
      if (last.trailing) return -Errno.EISDIR;
      const dir = w.cur;
      const child = lookupChild(dir.dentry, last.name);
      if (typeof child === 'number') {
        if (child !== -Errno.ENOENT) return child;
        const made = createRegular(caller, dir, last.name, how.mode);
        if (typeof made === 'number') return made;
        target = made;
        created = true;
        break;
      }
      const next = w.stepLast();
      if (typeof next === 'number') return next;
      if (isSymlink(next.dentry.inode) && follow) {
        const r = w.followLink(next);
        if (r < 0) return r;
        continue;
      }
      target = next;
      break;
    }
    if ((flags & OpenFlag.O_EXCL) !== 0 && !created) return -Errno.EEXIST;
    if (isDir(target.dentry.inode)) return -Errno.EISDIR;
  }

  if ((w.mustBeDir || (flags & OpenFlag.O_DIRECTORY) !== 0) && !isDir(target.dentry.inode)) return -Errno.ENOTDIR;
  return finishOpen(caller, target, flags, created ? 0 : acc, created);
}

/** openAt for callers that cannot wait (boot code, tests): an open that would wait (a FIFO) is -ENXIO. */
export function openAtSync(caller: Caller, dirfd: number, path: string, how: OpenHow): OpenFile | number {
  const r = openAt(caller, dirfd, path, how);
  if (!(r instanceof Promise)) return r;
  r.then((f) => {
    if (typeof f !== 'number') {
      f.incRef();
      f.decRef();
    }
  }, () => undefined);
  return -Errno.ENXIO;
}

/** Opens a location already resolved (execveat's AT_EMPTY_PATH on a descriptor), with open(2)'s checks. */
export function openResolved(caller: Caller, target: VfsPath, how: OpenHow): OpenResult {
  const built = buildOpenFlags(how);
  if (typeof built === 'number') return built;
  const { flags, acc } = built;
  if ((flags & OpenFlag.O_DIRECTORY) !== 0 && !isDir(target.dentry.inode)) return -Errno.ENOTDIR;
  return finishOpen(caller, target, flags, acc, false);
}

/** may_o_create + the file system's create: a new regular file in dir. */
function createRegular(caller: Caller, dir: VfsPath, name: string, mode: number): VfsPath | number {
  if (dir.mount.readOnly) return -Errno.EROFS;
  const dirAttrs = dir.dentry.inode.getattr();
  const perm = checkPermission(caller.creds, dirAttrs, May.WRITE | May.EXEC);
  if (perm < 0) return perm;
  if (dir.dentry.dead) return -Errno.ENOENT;
  const owner = ownerForNew(caller.creds, dirAttrs, FileMode.S_IFREG | (mode & ~caller.fs.umask & S_IALLUGO));
  const inode = dir.dentry.inode.mknod(name, { ...owner, rdev: 0 });
  if (typeof inode === 'number') return inode;
  const dentry = dir.dentry.cache.insert(dir.dentry, name, inode);
  notifyCreate(dir.dentry, dentry);
  return { mount: dir.mount, dentry };
}

/** may_open, the truncation of O_TRUNC, and the file's I/O. */
function finishOpen(caller: Caller, target: VfsPath, flags: number, acc: number, created: boolean): OpenResult {
  const inode = target.dentry.inode;
  const name = pathName(target, caller.fs.root).name;
  if ((flags & OpenFlag.O_PATH) !== 0) return new OpenFile(target, flags, null, caller.creds, name);

  const type = inode.type;
  let truncate = !created && (flags & OpenFlag.O_TRUNC) !== 0 && type === FileMode.S_IFREG;
  if (truncate && target.mount.readOnly) return -Errno.EROFS;
  switch (type) {
    case FileMode.S_IFLNK:
      return -Errno.ELOOP;
    case FileMode.S_IFDIR:
      if ((acc & May.WRITE) !== 0) return -Errno.EISDIR;
      break;
    case FileMode.S_IFCHR:
    case FileMode.S_IFBLK:
      if ((target.mount.flags & MountFlag.MS_NODEV) !== 0) return -Errno.EACCES;
      truncate = false;
      break;
    case FileMode.S_IFIFO:
    case FileMode.S_IFSOCK:
      truncate = false;
      break;
  }
  const attrs = inode.getattr();
  if ((acc & May.WRITE) !== 0 && inode.fs.readOnly && (type === FileMode.S_IFREG || type === FileMode.S_IFDIR)) return -Errno.EROFS;
  const perm = checkPermission(caller.creds, attrs, acc);
  if (perm < 0) return perm;
  if ((flags & OpenFlag.O_NOATIME) !== 0 && !isOwnerOrCapable(caller.creds, attrs)) return -Errno.EPERM;
  const writable = (flags & OpenFlag.O_ACCMODE) === OpenFlag.O_WRONLY || (flags & OpenFlag.O_ACCMODE) === OpenFlag.O_RDWR;
  const special = type !== FileMode.S_IFREG && type !== FileMode.S_IFDIR;
  if (writable && !special && target.mount.readOnly) return -Errno.EROFS;
  if (writable && type === FileMode.S_IFREG && writeDenied(inode)) return -Errno.ETXTBSY; // a running program's

  let impl: FileImpl | null = null;
  if (type === FileMode.S_IFREG) {
    const r = inode.open(flags);
    if (typeof r === 'number') return r;
    impl = r;
  } else if (type === FileMode.S_IFSOCK) {
    return -Errno.ENXIO;
  } else if (special) {
    const r = caller.special ? caller.special.open(inode, flags, caller.creds) : -Errno.ENXIO;
    if (typeof r === 'number') return r;
    if (r instanceof Promise) {
      // A FIFO's open waits for the other end; the open file is made when it comes.
      holdPath(target);
      const kept = flags & ~(OpenFlag.O_CREAT | OpenFlag.O_EXCL | OpenFlag.O_NOCTTY | OpenFlag.O_TRUNC);
      return r.then(
        (done) => {
          const f = typeof done === 'number' ? done : specialFile(target, kept, done, caller, name);
          if (typeof f !== 'number') notifyOpen(target.dentry);
          releasePath(target);
          return f;
        },
        () => {
          releasePath(target);
          return -Errno.EIO;
        },
      );
    }
    impl = r;
  }
  // Linux 6.x: fsnotify_open in do_dentry_open, before handle_truncate.
  notifyOpen(target.dentry);
  if (truncate) {
    const now = inode.fs.clock.now();
    const req = { size: 0, mtime: now, ctime: now, ...killPrivileges(caller, attrs.mode) };
    const r = inode.setattr(req);
    if (r < 0) {
      impl?.release?.();
      return r;
    }
    notifyChange(target.dentry, changeMask(req));
  }
  const kept = flags & ~(OpenFlag.O_CREAT | OpenFlag.O_EXCL | OpenFlag.O_NOCTTY | OpenFlag.O_TRUNC);
  if (impl !== null && special) return specialFile(target, kept, impl, caller, name);
  const f = new OpenFile(target, kept, impl, caller.creds, name);
  if (writable && type === FileMode.S_IFREG) f.holdWriteAccess();
  return f;
}

/** The open file of a FIFO or device; status flags the driver reads (O_NONBLOCK) follow F_SETFL. */
function specialFile(target: VfsPath, flags: number, impl: FileImpl, caller: Caller, name: string): OpenFile {
  const f = new OpenFile(target, flags, impl, caller.creds, name);
  const bind = (impl as { bindStatusFlags?: (fn: () => number) => void }).bindStatusFlags;
  if (bind) bind.call(impl, () => f.flags);
  return f;
}

/** Truncation by a caller without CAP_FSETID clears S_ISUID and group-executable S_ISGID. */
export function killPrivileges(caller: Caller, mode: number): { mode?: number } {
  let kill = 0;
  if ((mode & FileMode.S_ISUID) !== 0) kill |= FileMode.S_ISUID;
  if ((mode & (FileMode.S_ISGID | FileMode.S_IXGRP)) === (FileMode.S_ISGID | FileMode.S_IXGRP)) kill |= FileMode.S_ISGID;
  if (kill === 0 || capable(caller.creds, Capability.CAP_FSETID)) return {};
  return { mode: mode & S_IALLUGO & ~kill };
}

/** O_TMPFILE: an unnamed regular file in the directory path names (man 2 open). */
function openTmpfile(caller: Caller, dirfd: number, path: string, how: OpenHow, flags: number): OpenFile | number {
  const w = Walker.begin(caller, dirfd, path, { resolve: how.resolve });
  if (typeof w === 'number') return w;
  const dir = finishLookup(w, true, true);
  if (typeof dir === 'number') return dir;
  if (dir.mount.readOnly) return -Errno.EROFS;
  const dirAttrs = dir.dentry.inode.getattr();
  const perm = checkPermission(caller.creds, dirAttrs, May.WRITE | May.EXEC);
  if (perm < 0) return perm;
  const make = dir.dentry.inode.tmpfile;
  if (!make) return -Errno.EOPNOTSUPP;
  const owner = ownerForNew(caller.creds, dirAttrs, FileMode.S_IFREG | (how.mode & ~caller.fs.umask & S_IALLUGO));
  const inode = make.call(dir.dentry.inode, { ...owner, rdev: 0 });
  if (typeof inode === 'number') return inode;
  // d_tmpfile: a dentry named "#ino" under dir, never hashed, so reported as deleted.
  const dentry = new Dentry(dir.dentry.cache, `#${inode.ino}`, dir.dentry, inode);
  dentry.dead = true;
  if ((flags & OpenFlag.O_EXCL) === 0) markLinkable(inode);
  const target = { mount: dir.mount, dentry };
  const opened = finishOpen(caller, target, flags, 0, true);
  const r = opened instanceof Promise ? -Errno.EIO : opened; // a regular file's open never waits
  if (typeof r === 'number') {
    // Nothing holds the unnamed inode: a reference cycle lets the file system free it.
    inode.incRef();
    inode.decRef();
  }
  return r;
}
