// Dentries: the names of inodes, linked into a tree per file system, and the
// cache of them. A dentry pins what mounts, open files, cwd and root point
// at; unreferenced leaves are dropped in least-recently-used order when the
// cache grows past its capacity (an in-memory file system still has its
// directories; a host one is asked again).
import type { FileSystem, Inode } from './inode.js';
import { notifyDentryRelease } from './inotify_hooks.js';

export class Dentry {
  /** Children looked up so far, by name. Negative lookups are not cached. */
  readonly children = new Map<string, Dentry>();
  /** Holders: open files, cwd/root, mounts (their root and their mount point). */
  refs = 0;
  /** Mounts whose mount point this is, in any namespace. */
  mountedHere = 0;
  /** Unlinked, removed or replaced: no longer reachable by name. */
  dead = false;

  constructor(
    readonly cache: DentryCache,
    public name: string,
    public parent: Dentry | null,
    readonly inode: Inode,
  ) {}

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    // The last user of an unlinked name: the inode's removal is reported now.
    if (--this.refs === 0 && this.dead && this.inode.inotifyMarks !== undefined) notifyDentryRelease(this);
  }

  /** True if this is ancestor of d, or d itself (within one file system). */
  isAncestorOf(d: Dentry): boolean {
    for (let p: Dentry | null = d; p; p = p.parent) if (p === this) return true;
    return false;
  }
}

const DEFAULT_CAPACITY = 4096;

export class DentryCache {
  readonly root: Dentry;
  /** Every live cached dentry but the root, least recently used first. */
  private readonly lru = new Set<Dentry>();

  constructor(readonly fs: FileSystem, public capacity = DEFAULT_CAPACITY) {
    this.root = new Dentry(this, '/', null, fs.root);
    this.root.refs = 1;
  }

  get size(): number {
    return this.lru.size;
  }

  /** The cached child, marked recently used. */
  cached(parent: Dentry, name: string): Dentry | undefined {
    const d = parent.children.get(name);
    if (d) {
      this.lru.delete(d);
      this.lru.add(d);
    }
    return d;
  }

  /** Caches inode as parent/name (replacing a stale entry) and trims the cache. */
  insert(parent: Dentry, name: string, inode: Inode): Dentry {
    const old = parent.children.get(name);
    if (old) this.kill(old);
    const d = new Dentry(this, name, parent, inode);
    parent.children.set(name, d);
    this.lru.add(d);
    if (this.lru.size > this.capacity) this.trim();
    return d;
  }

  /** The name went away (unlink, rmdir, replaced by rename): d is dead. */
  kill(d: Dentry): void {
    if (d.parent && d.parent.children.get(d.name) === d) d.parent.children.delete(d.name);
    d.dead = true;
    this.lru.delete(d);
  }

  /** Forgets the cached child name, if any, without declaring it dead (it may be looked up again). */
  forget(parent: Dentry, name: string): void {
    const d = parent.children.get(name);
    if (d && d.refs === 0 && d.mountedHere === 0 && d.children.size === 0) {
      parent.children.delete(name);
      this.lru.delete(d);
    }
  }

  /** rename: d now lives at newParent/newName; a dentry there before is dead. */
  move(d: Dentry, newParent: Dentry, newName: string): void {
    const victim = newParent.children.get(newName);
    if (victim && victim !== d) this.kill(victim);
    if (d.parent && d.parent.children.get(d.name) === d) d.parent.children.delete(d.name);
    d.parent = newParent;
    d.name = newName;
    newParent.children.set(newName, d);
  }

  /** RENAME_EXCHANGE: a and b swap names and parents. */
  exchange(a: Dentry, b: Dentry): void {
    const ap = a.parent;
    const an = a.name;
    const bp = b.parent;
    const bn = b.name;
    if (!ap || !bp) return;
    ap.children.delete(an);
    bp.children.delete(bn);
    a.parent = bp;
    a.name = bn;
    b.parent = ap;
    b.name = an;
    bp.children.set(bn, a);
    ap.children.set(an, b);
  }

  /** Drops unreferenced leaves, oldest first, until within capacity. */
  private trim(): void {
    for (const d of this.lru) {
      if (this.lru.size <= this.capacity) return;
      if (d.refs > 0 || d.mountedHere > 0 || d.children.size > 0) continue;
      this.lru.delete(d);
      if (d.parent && d.parent.children.get(d.name) === d) d.parent.children.delete(d.name);
    }
  }
}

const caches = new WeakMap<FileSystem, DentryCache>();

/** The dentry tree of fs, made on first use (every mount of fs shares it). */
export function dentryCacheOf(fs: FileSystem): DentryCache {
  let c = caches.get(fs);
  if (!c) {
    c = new DentryCache(fs);
    caches.set(fs, c);
  }
  return c;
}
