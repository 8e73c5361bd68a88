// Mounts and the mount tree of a mount namespace (man 2 mount, man 2
// umount, man 7 mount_namespaces). A mount shows a file system's dentry
// (its root, or any directory for a bind mount) at a mount point; mounts on
// the same point stack, and the top one shadows the rest.
import { Errno } from '../abi/linux/errno.js';
import { FileMode } from '../abi/linux/stat.js';
import { Dentry, dentryCacheOf } from './dentry.js';
import type { FileSystem } from './inode.js';
import type { VfsPath } from './path.js';

/** mount(2) flags (<linux/mount.h>). The per-mount ones are kept in Mount.flags. */
export const enum MountFlag {
  MS_RDONLY = 1,
  MS_NOSUID = 2,
  MS_NODEV = 4,
  MS_NOEXEC = 8,
  MS_SYNCHRONOUS = 16,
  MS_REMOUNT = 32,
  MS_MANDLOCK = 64,
  MS_DIRSYNC = 128,
  MS_NOSYMFOLLOW = 256,
  MS_NOATIME = 1024,
  MS_NODIRATIME = 2048,
  MS_BIND = 4096,
  MS_MOVE = 8192,
  MS_REC = 16384,
  MS_SILENT = 32768,
  MS_POSIXACL = 1 << 16,
  MS_UNBINDABLE = 1 << 17,
  MS_PRIVATE = 1 << 18,
  MS_SLAVE = 1 << 19,
  MS_SHARED = 1 << 20,
  MS_RELATIME = 1 << 21,
  MS_I_VERSION = 1 << 23,
  MS_STRICTATIME = 1 << 24,
  MS_LAZYTIME = 1 << 25,
  /** Reserved for the kernel's own mounts: EINVAL from mount(2). */
  MS_NOUSER = 1 << 31,
}

/** The propagation types (man 7 mount_namespaces), one per mount. */
export const PROPAGATION_FLAGS = MountFlag.MS_SHARED | MountFlag.MS_PRIVATE | MountFlag.MS_SLAVE | MountFlag.MS_UNBINDABLE;

/** The atime flags of a mount (MNT_ATIME_MASK): kept across a remount that names none. */
export const ATIME_FLAGS = MountFlag.MS_NOATIME | MountFlag.MS_NODIRATIME | MountFlag.MS_RELATIME;

/** sysctl fs.mount-max: mounts per namespace; more is ENOSPC. */
export const MOUNT_MAX = 100000;

/** The flags a mount carries itself. */
export const PER_MOUNT_FLAGS = MountFlag.MS_RDONLY | MountFlag.MS_NOSUID | MountFlag.MS_NODEV | MountFlag.MS_NOEXEC |
  MountFlag.MS_NOSYMFOLLOW | MountFlag.MS_NOATIME | MountFlag.MS_NODIRATIME | MountFlag.MS_RELATIME |
  MountFlag.MS_STRICTATIME;

/** umount2(2) flags. */
export const enum UmountFlag {
  MNT_FORCE = 1,
  MNT_DETACH = 2,
  MNT_EXPIRE = 4,
  UMOUNT_NOFOLLOW = 8,
}

let nextMountId = 1;

/** Peer group ids of shared mounts (mountinfo "shared:N", "master:N"). */
let nextPeerGroup = 1;

export class Mount {
  readonly id = nextMountId++;
  /** Mounts on top of each dentry of this mount (the first of each stack). */
  readonly children = new Map<Dentry, Mount>();
  /** Open files, cwd and root inside this mount. */
  refs = 0;
  /**
   * Propagation type: MS_PRIVATE, MS_SHARED, MS_SLAVE or MS_UNBINDABLE. It is
   * recorded (and shown) but mount events are not propagated between peers.
   */
  propagation: number = MountFlag.MS_PRIVATE;
  /** The peer group of a shared mount, else 0. */
  peerGroup = 0;
  /** The peer group a slave receives from, else 0. */
  masterGroup = 0;
  /** umount2(MNT_EXPIRE) marked it: the next such call unmounts it. */
  expiryMark = false;

  constructor(
    readonly fs: FileSystem,
    readonly root: Dentry,
    public flags: number,
    public ns: MountNamespace | null,
    public parent: Mount | null = null,
    public mountpoint: Dentry | null = null,
  ) {}

  get readOnly(): boolean {
    return (this.flags & MountFlag.MS_RDONLY) !== 0 || this.fs.readOnly;
  }
}

export class MountNamespace {
  readonly root: Mount;
  /** Mounts in the tree (the root included), for MOUNT_MAX. */
  private count = 1;

  constructor(rootFs: FileSystem, flags = MountFlag.MS_RELATIME, root: Dentry = dentryCacheOf(rootFs).root) {
    root.incRef();
    this.root = new Mount(rootFs, root, flags & PER_MOUNT_FLAGS, this);
  }

  get rootPath(): VfsPath {
    return { mount: this.root, dentry: this.root.root };
  }

  /** Every mount, parents before children (the order of /proc/PID/mounts). */
  mounts(): Mount[] {
    const out: Mount[] = [];
    const walk = (m: Mount): void => {
      out.push(m);
      for (const c of m.children.values()) walk(c);
    };
    walk(this.root);
    return out;
  }

  /**
   * Mounts fs (its root) at `at`, on top of anything mounted there (do_add_mount):
   * EBUSY if the top mount there is fs's own root already.
   */
  mount(fs: FileSystem, at: VfsPath, flags: number): Mount | number {
    const top = topOf(at);
    if (top.mount.fs === fs && top.dentry === top.mount.root) return -Errno.EBUSY;
    return this.attach(fs, dentryCacheOf(fs).root, at, flags);
  }

  /**
   * Bind mount (MS_BIND): src's dentry appears at `at` with src's mount flags
   * as given; with recursive (MS_REC) the mounts below src come along (but
   * unbindable ones). EINVAL for a source outside this namespace or
   * unbindable; ENOTDIR when one is a directory and the other not.
   */
  bind(src: VfsPath, at: VfsPath, flags: number, recursive: boolean): Mount | number {
    if (src.mount.ns !== this) return -Errno.EINVAL;
    if (src.mount.propagation === MountFlag.MS_UNBINDABLE) return -Errno.EINVAL;
    // The mounts to copy are chosen before the copy lands (it may land among them).
    const below = recursive ? planCopy(src.mount, src.dentry) : [];
    if (this.count + 1 + planSize(below) > MOUNT_MAX) return -Errno.ENOSPC;
    const m = this.attach(src.mount.fs, src.dentry, at, flags, src.mount);
    if (typeof m !== 'number') this.copyTree(below, m);
    return m;
  }

  /**
   * MS_MOVE (do_move_mount): m, the root of a mount of this namespace (not
   * its root), moves with everything below it to `at`. EINVAL when m is not
   * a mount root of this namespace, its parent is shared, or the types
   * differ; ELOOP when `at` is inside m.
   */
  move(from: VfsPath, at: VfsPath): number {
    const m = from.mount;
    if (at.mount.ns !== this) return -Errno.EINVAL;
    if (m.ns !== this || !m.parent || !m.mountpoint) return -Errno.EINVAL;
    if (from.dentry !== m.root) return -Errno.EINVAL;
    if (isDirDentry(at.dentry) !== isDirDentry(from.dentry)) return -Errno.EINVAL;
    if (m.parent.propagation === MountFlag.MS_SHARED) return -Errno.EINVAL;
    if (at.dentry.dead) return -Errno.ENOENT;
    const { mount: parent, dentry: point } = topOf(at);
    if (parent.propagation === MountFlag.MS_SHARED && treeOf(m).some((x) => x.propagation === MountFlag.MS_UNBINDABLE)) return -Errno.EINVAL;
    for (let p: Mount | null = parent; p; p = p.parent) if (p === m) return -Errno.ELOOP;
    m.parent.children.delete(m.mountpoint);
    m.mountpoint.mountedHere--;
    m.mountpoint.decRef();
    point.incRef();
    point.mountedHere++;
    parent.children.set(point, m);
    m.parent = parent;
    m.mountpoint = point;
    if (parent.propagation === MountFlag.MS_SHARED) for (const x of treeOf(m)) makeShared(x);
    return 0;
  }

  /**
   * MS_SHARED, MS_PRIVATE, MS_SLAVE or MS_UNBINDABLE on m (with recursive,
   * on every mount below it too). The type is recorded; mount events are
   * not propagated.
   */
  setPropagation(m: Mount, type: number, recursive: boolean): number {
    if (m.ns !== this) return -Errno.EINVAL;
    const mounts = recursive ? treeOf(m) : [m];
    for (const x of mounts) {
      switch (type) {
        case MountFlag.MS_SHARED:
          makeShared(x);
          break;
        case MountFlag.MS_SLAVE: {
          // A member of a peer group receives from it; the only member of one keeps its master, if any.
          const peers = x.peerGroup !== 0 && this.mounts().some((o) => o !== x && o.peerGroup === x.peerGroup);
          if (peers) x.masterGroup = x.peerGroup;
          x.peerGroup = 0;
          x.propagation = x.masterGroup !== 0 ? MountFlag.MS_SLAVE : MountFlag.MS_PRIVATE;
          break;
        }
        case MountFlag.MS_PRIVATE:
        case MountFlag.MS_UNBINDABLE:
          x.peerGroup = 0;
          x.masterGroup = 0;
          x.propagation = type;
          break;
        default:
          return -Errno.EINVAL;
      }
    }
    return 0;
  }

  /**
   * umount2 (can_umount, do_umount): target must be the root of a mount of
   * this namespace (EINVAL), not the namespace root (EBUSY, or EINVAL with
   * MNT_DETACH), and, without MNT_DETACH, neither in use nor covered by
   * other mounts (EBUSY). MNT_EXPIRE: EINVAL with MNT_FORCE or MNT_DETACH or
   * on the caller's root mount; the first call marks an unused mount and is
   * EAGAIN, the next one unmounts it.
   */
  umount(target: VfsPath, flags: number, callerRoot?: Mount): number {
    if ((flags & ~(UmountFlag.MNT_FORCE | UmountFlag.MNT_DETACH | UmountFlag.MNT_EXPIRE | UmountFlag.UMOUNT_NOFOLLOW)) !== 0) return -Errno.EINVAL;
    const m = target.mount;
    if (target.dentry !== m.root || m.ns !== this) return -Errno.EINVAL;
    if ((flags & UmountFlag.MNT_EXPIRE) !== 0) {
      if (m === callerRoot || (flags & (UmountFlag.MNT_FORCE | UmountFlag.MNT_DETACH)) !== 0) return -Errno.EINVAL;
      if (m === this.root || m.children.size > 0 || this.inUse(m)) return -Errno.EBUSY;
      if (!m.expiryMark) {
        m.expiryMark = true;
        return -Errno.EAGAIN;
      }
    }
    if (m === this.root) return (flags & UmountFlag.MNT_DETACH) !== 0 ? -Errno.EINVAL : -Errno.EBUSY;
    if ((flags & UmountFlag.MNT_DETACH) === 0) {
      if (m.children.size > 0 || this.inUse(m)) return -Errno.EBUSY;
    }
    this.detach(m);
    return 0;
  }

  /** A copy of the tree for a new namespace (CLONE_NEWNS, unshare). Paths translate through the map. */
  clone(): { ns: MountNamespace; map: Map<Mount, Mount> } {
    const ns = new MountNamespace(this.root.fs, this.root.flags, this.root.root);
    const map = new Map<Mount, Mount>();
    const root = ns.root;
    copyPropagation(this.root, root);
    map.set(this.root, root);
    const walk = (src: Mount, dst: Mount): void => {
      for (const [dentry, child] of src.children) {
        const copy = new Mount(child.fs, child.root, child.flags, ns, dst, dentry);
        copyPropagation(child, copy);
        child.root.incRef();
        dentry.incRef();
        dentry.mountedHere++;
        dst.children.set(dentry, copy);
        ns.count++;
        map.set(child, copy);
        walk(child, copy);
      }
    };
    walk(this.root, root);
    return { ns, map };
  }

  /** graft_tree: a new mount of root (of fs) on top of at's stack; like is the mount it copies (a bind). */
  private attach(fs: FileSystem, root: Dentry, at: VfsPath, flags: number, like?: Mount): Mount | number {
    if (at.mount.ns !== this) return -Errno.EINVAL;
    if (at.dentry.dead) return -Errno.ENOENT;
    if (isDirDentry(at.dentry) !== isDirDentry(root)) return -Errno.ENOTDIR;
    if (this.count >= MOUNT_MAX) return -Errno.ENOSPC;
    // Mounting on a covered point mounts on the top of its stack (lock_mount).
    const { mount: parent, dentry: point } = topOf(at);
    const m = new Mount(fs, root, flags & PER_MOUNT_FLAGS, this, parent, point);
    if (like) copyPropagation(like, m);
    if (parent.propagation === MountFlag.MS_SHARED) makeShared(m);
    root.incRef();
    point.incRef();
    point.mountedHere++;
    parent.children.set(point, m);
    this.count++;
    return m;
  }

  /** copy_tree: copies of the planned mounts, below dst. */
  private copyTree(plan: readonly CopyPlan[], dst: Mount): void {
    for (const { dentry, mount: child, below } of plan) {
      const copy = new Mount(child.fs, child.root, child.flags, this, dst, dentry);
      copyPropagation(child, copy);
      if (dst.propagation === MountFlag.MS_SHARED) makeShared(copy);
      child.root.incRef();
      dentry.incRef();
      dentry.mountedHere++;
      dst.children.set(dentry, copy);
      this.count++;
      this.copyTree(below, copy);
    }
  }

  private inUse(m: Mount): boolean {
    return m.refs > 0;
  }

  /** Removes m and everything mounted below it from the tree; holders keep them alive. */
  private detach(m: Mount): void {
    for (const c of [...m.children.values()]) this.detach(c);
    if (m.parent && m.mountpoint) {
      m.parent.children.delete(m.mountpoint);
      m.mountpoint.mountedHere--;
      m.mountpoint.decRef();
    }
    m.root.decRef();
    m.ns = null;
    m.parent = null;
    m.mountpoint = null;
    this.count--;
  }
}

/** A mount to copy in a recursive bind: where it is on its parent, and the mounts below it to copy too. */
interface CopyPlan {
  readonly dentry: Dentry;
  readonly mount: Mount;
  readonly below: readonly CopyPlan[];
}

/** The mounts below `under` in src, recursively; unbindable ones (and what is below them) stay behind. */
function planCopy(src: Mount, under: Dentry): CopyPlan[] {
  const out: CopyPlan[] = [];
  for (const [dentry, child] of src.children) {
    if (!under.isAncestorOf(dentry) || child.propagation === MountFlag.MS_UNBINDABLE) continue;
    out.push({ dentry, mount: child, below: planCopy(child, child.root) });
  }
  return out;
}

function planSize(plan: readonly CopyPlan[]): number {
  let n = 0;
  for (const p of plan) n += 1 + planSize(p.below);
  return n;
}

function isDirDentry(d: Dentry): boolean {
  return d.inode.type === FileMode.S_IFDIR;
}

/** The top of the mount stack on `at` (lock_mount's target): the mount and dentry a new mount goes on. */
function topOf(at: VfsPath): VfsPath {
  let mount = at.mount;
  let dentry = at.dentry;
  for (let top = mount.children.get(dentry); top; top = mount.children.get(dentry)) {
    mount = top;
    dentry = top.root;
  }
  return { mount, dentry };
}

/** m and every mount below it. */
function treeOf(m: Mount): Mount[] {
  const out: Mount[] = [m];
  for (let i = 0; i < out.length; i++) for (const c of out[i]!.children.values()) out.push(c);
  return out;
}

/** MS_SHARED: a mount not shared yet starts a peer group of its own (invent_group_ids). */
function makeShared(m: Mount): void {
  if (m.peerGroup === 0) m.peerGroup = nextPeerGroup++;
  m.propagation = MountFlag.MS_SHARED;
}

/** clone_mnt: a copy of a shared mount is its peer, of a slave a slave of the same master; others are private. */
function copyPropagation(from: Mount, to: Mount): void {
  if (from.propagation === MountFlag.MS_SHARED || from.propagation === MountFlag.MS_SLAVE) {
    to.propagation = from.propagation;
    to.peerGroup = from.peerGroup;
    to.masterGroup = from.masterGroup;
  }
}

/**
 * The optional fields of m's line in /proc/PID/mountinfo (show_mountinfo):
 * "shared:N" for a shared mount, "master:N" for a slave, "unbindable".
 */
export function propagationFields(m: Mount): string[] {
  const out: string[] = [];
  if (m.peerGroup !== 0) out.push(`shared:${m.peerGroup}`);
  if (m.masterGroup !== 0) out.push(`master:${m.masterGroup}`);
  if (m.propagation === MountFlag.MS_UNBINDABLE) out.push('unbindable');
  return out;
}

/** The mount on top of (mount, dentry), following stacks, or null if none. */
export function mountedOn(mount: Mount, dentry: Dentry): Mount | null {
  if (dentry.mountedHere === 0) return null;
  let top: Mount | null = null;
  let m = mount;
  let d = dentry;
  for (let c = m.children.get(d); c; c = m.children.get(d)) {
    top = c;
    m = c;
    d = c.root;
  }
  return top;
}
