// Path resolution (man 7 path_resolution, man 2 openat2 RESOLVE_*): the walk
// from a starting directory through each component, with search permission
// on every directory, ".." across mount points and held at the root,
// symbolic links (MAXSYMLINKS in all, ELOOP), mounts entered on the way down,
// and a trailing slash meaning "must be a directory, follow the link".
import { Errno } from '../abi/linux/errno.js';
import { At } from '../abi/linux/stat.js';
import { Resolve } from '../abi/linux/fcntl.js';
import type { Dentry } from './dentry.js';
import { isDir, isSymlink, type Inode } from './inode.js';
import { MAXSYMLINKS, NAME_MAX, PATH_MAX } from './limits.js';
import { MountFlag, mountedOn } from './mount.js';
import { isUnder, samePath, type VfsPath } from './path.js';
import { checkPermission, May } from './permissions.js';
import type { Caller } from './fs_struct.js';
import { touchAtime } from './atime.js';

/** What the last component of a path is (Linux's last_type). */
export const enum LastType {
  NORM,
  DOT,
  DOTDOT,
  /** No component at all: "/" or an AT_EMPTY_PATH "". */
  ROOT,
}

/** One path component; trailing: a slash follows it in its path string. */
export interface Component {
  readonly name: string;
  readonly type: LastType;
  readonly trailing: boolean;
}

/** A symlink whose target is a location rather than text (/proc/PID/fd/N, /proc/PID/cwd …). */
export interface MagicLinkInode extends Inode {
  magicLink(caller: Caller): VfsPath | number;
}

function isMagicLink(inode: Inode): inode is MagicLinkInode {
  return typeof (inode as Partial<MagicLinkInode>).magicLink === 'function';
}

/** Splits a path into components, last first (a stack to pop from). */
function components(path: string): Component[] {
  const out: Component[] = [];
  let i = 0;
  const n = path.length;
  while (i < n) {
    while (i < n && path.charCodeAt(i) === 0x2f) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && path.charCodeAt(j) !== 0x2f) j++;
    const name = path.slice(i, j);
    const type = name === '.' ? LastType.DOT : name === '..' ? LastType.DOTDOT : LastType.NORM;
    out.push({ name, type, trailing: j < n });
    i = j;
  }
  return out.reverse();
}

/** ENOENT for "", ENAMETOOLONG for PATH_MAX bytes or more (getname). */
export function checkPathName(path: string, allowEmpty: boolean): number {
  if (path.length === 0 && !allowEmpty) return -Errno.ENOENT;
  if (path.length >= PATH_MAX) return -Errno.ENAMETOOLONG;
  return 0;
}

export interface WalkOptions {
  /** AT_EMPTY_PATH: "" names dirfd itself. */
  emptyPath?: boolean;
  /** RESOLVE_* flags (openat2). */
  resolve?: number;
}

/** The state of one resolution (Linux's nameidata). */
export class Walker {
  /** The directory reached so far. */
  cur: VfsPath;
  /** Where "/" and ".." stop: the caller's root, or dirfd for RESOLVE_BENEATH / RESOLVE_IN_ROOT. */
  readonly root: VfsPath;
  /** The pending last component after walkPrefix; null if the path has none. */
  last: Component | null = null;
  /** A trailing slash was seen on a last component: the result must be a directory, and links are followed. */
  mustBeDir = false;
  private readonly pending: Component[];
  private links = 0;

  private constructor(readonly caller: Caller, readonly resolve: number, root: VfsPath, start: VfsPath, path: string) {
    this.root = root;
    this.cur = start;
    this.pending = components(path);
  }

  /** path_init: the starting point for dirfd and path. */
  static begin(caller: Caller, dirfd: number, path: string, opts: WalkOptions = {}): Walker | number {
    const err = checkPathName(path, opts.emptyPath === true);
    if (err < 0) return err;
    const resolve = opts.resolve ?? 0;
    const scoped = (resolve & (Resolve.RESOLVE_BENEATH | Resolve.RESOLVE_IN_ROOT)) !== 0;
    const absolute = path.charCodeAt(0) === 0x2f;
    // RESOLVE_BENEATH refuses absolute paths (before dirfd is looked at); RESOLVE_IN_ROOT reads them from dirfd.
    if (absolute && (resolve & Resolve.RESOLVE_BENEATH) !== 0) return -Errno.EXDEV;
    let dir: VfsPath | number;
    if (absolute && !scoped) dir = caller.fs.root;
    else if (dirfd === At.AT_FDCWD) dir = caller.fs.cwd;
    else dir = caller.fdPath(dirfd);
    if (typeof dir === 'number') return dir;
    if (path.length > 0 && !isDir(dir.dentry.inode)) return -Errno.ENOTDIR;
    const root = scoped ? dir : caller.fs.root;
    return new Walker(caller, resolve, root, dir, path);
  }

  /**
   * Walks every component but the last, following symlinks, and checks
   * search permission on the directory holding the last. Sets last (null
   * when there is none).
   */
  walkPrefix(): number {
    for (;;) {
      const c = this.pending.pop();
      if (!c) {
        this.last = null;
        return 0;
      }
      const err = this.mayLookup();
      if (err < 0) return err;
      if (this.pending.length === 0) {
        this.last = c;
        if (c.trailing && c.type === LastType.NORM) this.mustBeDir = true;
        return 0;
      }
      const next = this.step(c);
      if (typeof next === 'number') return next;
      if (isSymlink(next.dentry.inode)) {
        const r = this.followLink(next);
        if (r < 0) return r;
        continue;
      }
      if (!isDir(next.dentry.inode)) return -Errno.ENOTDIR;
      this.cur = next;
    }
  }

  /** The location the last component names: the directory itself for "." and "..". Does not follow links. */
  stepLast(): VfsPath | number {
    if (!this.last) return this.cur;
    return this.step(this.last);
  }

  /** Whether a symlink met as the last component is followed. */
  followsLast(follow: boolean): boolean {
    return follow || this.mustBeDir;
  }

  /**
   * Follows the link at `link` (a child of cur): its text is walked next, from
   * root if absolute; a magic link moves to its target. ELOOP past
   * MAXSYMLINKS or under RESOLVE_NO_SYMLINKS / RESOLVE_NO_MAGICLINKS.
   */
  followLink(link: VfsPath): number {
    const inode = link.dentry.inode;
    if ((this.resolve & Resolve.RESOLVE_NO_SYMLINKS) !== 0) return -Errno.ELOOP;
    if ((link.mount.flags & MountFlag.MS_NOSYMFOLLOW) !== 0) return -Errno.ELOOP;
    if (this.links++ >= MAXSYMLINKS) return -Errno.ELOOP;
    touchAtime(link.mount, inode);
    if (isMagicLink(inode)) {
      if ((this.resolve & Resolve.RESOLVE_NO_MAGICLINKS) !== 0) return -Errno.ELOOP;
      const target = inode.magicLink(this.caller);
      if (typeof target === 'number') return target;
      if ((this.resolve & Resolve.RESOLVE_NO_XDEV) !== 0 && target.mount !== this.cur.mount) return -Errno.EXDEV;
      if ((this.resolve & (Resolve.RESOLVE_BENEATH | Resolve.RESOLVE_IN_ROOT)) !== 0) return -Errno.EXDEV;
      if (this.pending.length > 0 && !isDir(target.dentry.inode)) return -Errno.ENOTDIR;
      this.cur = target;
      return 0;
    }
    const body = inode.readlink();
    if (typeof body === 'number') return body;
    if (body.length === 0) return -Errno.ENOENT;
    if (body.charCodeAt(0) === 0x2f) {
      const err = this.jumpRoot();
      if (err < 0) return err;
    }
    // components() lists last first, the order of the pending stack.
    for (const c of components(body)) this.pending.push(c);
    return 0;
  }

  /** nd_jump_root, for an absolute symlink. */
  private jumpRoot(): number {
    if ((this.resolve & Resolve.RESOLVE_BENEATH) !== 0) return -Errno.EXDEV;
    if ((this.resolve & Resolve.RESOLVE_NO_XDEV) !== 0 && this.cur.mount !== this.root.mount) return -Errno.EXDEV;
    this.cur = this.root;
    return 0;
  }

  /** may_lookup: search (x) permission on the current directory. */
  private mayLookup(): number {
    return checkPermission(this.caller.creds, this.cur.dentry.inode.getattr(), May.EXEC);
  }

  private step(c: Component): VfsPath | number {
    if (c.type === LastType.DOT) return this.cur;
    if (c.type === LastType.DOTDOT) return this.dotdot();
    const child = lookupChild(this.cur.dentry, c.name);
    if (typeof child === 'number') return child;
    return this.enterMounts({ mount: this.cur.mount, dentry: child });
  }

  /** Goes to the top mount on p, if any (EXDEV under RESOLVE_NO_XDEV). */
  private enterMounts(p: VfsPath): VfsPath | number {
    const m = mountedOn(p.mount, p.dentry);
    if (!m) return p;
    if ((this.resolve & Resolve.RESOLVE_NO_XDEV) !== 0) return -Errno.EXDEV;
    return { mount: m, dentry: m.root };
  }

  /** follow_dotdot: ".." stays at the root, climbs out of mounts to their mount point, then to the parent. */
  private dotdot(): VfsPath | number {
    let p = this.cur;
    for (;;) {
      if (samePath(p, this.root)) {
        if ((this.resolve & Resolve.RESOLVE_BENEATH) !== 0) return -Errno.EXDEV;
        return p;
      }
      if (p.dentry !== p.mount.root) break;
      const parent = p.mount.parent;
      const point = p.mount.mountpoint;
      if (!parent || !point) return p;
      if ((this.resolve & Resolve.RESOLVE_NO_XDEV) !== 0) return -Errno.EXDEV;
      p = { mount: parent, dentry: point };
    }
    const up: VfsPath = { mount: p.mount, dentry: p.dentry.parent ?? p.dentry };
    const next = this.enterMounts(up);
    if (typeof next === 'number') return next;
    if ((this.resolve & (Resolve.RESOLVE_BENEATH | Resolve.RESOLVE_IN_ROOT)) !== 0 && !isUnder(next, this.root)) return -Errno.EXDEV;
    return next;
  }
}

/**
 * The child dentry name of dir, from the cache or the file system:
 * ENAMETOOLONG beyond NAME_MAX, ENOENT in a removed directory or if absent.
 */
export function lookupChild(dir: Dentry, name: string): Dentry | number {
  if (name.length > NAME_MAX) return -Errno.ENAMETOOLONG;
  if (dir.dead) return -Errno.ENOENT;
  const cached = dir.cache.cached(dir, name);
  if (cached) {
    const inode = dir.inode;
    // d_revalidate: a stale child (a /proc/PID whose process is gone) is dropped and looked up again.
    if (!inode.revalidate || inode.revalidate(name, cached.inode)) return cached;
    dir.cache.kill(cached);
  }
  const inode = dir.inode.lookup(name);
  if (typeof inode === 'number') return inode;
  return dir.cache.insert(dir, name, inode);
}

export interface LookupOptions extends WalkOptions {
  /** Follow a trailing symlink (no AT_SYMLINK_NOFOLLOW / O_NOFOLLOW). */
  follow: boolean;
  /** The result must be a directory (O_DIRECTORY, chdir). */
  directory?: boolean;
}

/** Resolves dirfd + path to an existing file (filename_lookup). */
export function lookupAt(caller: Caller, dirfd: number, path: string, opts: LookupOptions): VfsPath | number {
  const w = Walker.begin(caller, dirfd, path, opts);
  if (typeof w === 'number') return w;
  return finishLookup(w, opts.follow, opts.directory === true);
}

/** Completes a walk begun by Walker.begin: walks, steps into the last component, follows as asked. */
export function finishLookup(w: Walker, follow: boolean, directory: boolean): VfsPath | number {
  for (;;) {
    const err = w.walkPrefix();
    if (err < 0) return err;
    if (!w.last) break;
    const next = w.stepLast();
    if (typeof next === 'number') return next;
    if (isSymlink(next.dentry.inode) && w.followsLast(follow)) {
      const r = w.followLink(next);
      if (r < 0) return r;
      continue;
    }
    w.cur = next;
    break;
  }
  if ((w.mustBeDir || directory) && !isDir(w.cur.dentry.inode)) return -Errno.ENOTDIR;
  return w.cur;
}

/** The directory and last component of a path, for calls that create or remove a name (filename_parentat). */
export interface ParentLookup {
  readonly parent: VfsPath;
  readonly name: string;
  readonly type: LastType;
  /** A slash followed the last component. */
  readonly trailing: boolean;
}

export function lookupParentAt(caller: Caller, dirfd: number, path: string, resolve = 0): ParentLookup | number {
  const w = Walker.begin(caller, dirfd, path, { resolve });
  if (typeof w === 'number') return w;
  const err = w.walkPrefix();
  if (err < 0) return err;
  const last = w.last;
  if (!last) return { parent: w.cur, name: '', type: LastType.ROOT, trailing: false };
  return { parent: w.cur, name: last.name, type: last.type, trailing: last.trailing };
}

/** The AT_* flags a lookup call accepts become LookupOptions; EINVAL for others. */
export function atFlagsToLookup(flags: number, allowed: number): LookupOptions | number {
  if ((flags & ~allowed) !== 0) return -Errno.EINVAL;
  return {
    follow: (flags & At.AT_SYMLINK_NOFOLLOW) === 0,
    emptyPath: (flags & At.AT_EMPTY_PATH) !== 0,
  };
}
