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
  MS_PRIVATE = 1 << 18,
  MS_SLAVE = 1 << 19,
  MS_SHARED = 1 << 20,
  MS_RELATIME = 1 << 21,
  MS_STRICTATIME = 1 << 24,
}

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

export class Mount {
  readonly id = nextMountId++;
  /** Mounts on top of each dentry of this mount (the first of each stack). */
  readonly children = new Map<Dentry, Mount>();
  /** Open files, cwd and root inside this mount. */
  refs = 0;

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

  /** Mounts fs (its root) at `at`, on top of anything mounted there. */
  mount(fs: FileSystem, at: VfsPath, flags: number): Mount | number {
    return this.attach(fs, dentryCacheOf(fs).root, at, flags);
  }

  /**
   * Bind mount (MS_BIND): src's dentry appears at `at`; with recursive
   * (MS_REC) the mounts below src come along. ENOTDIR/EISDIR when one is a
   * directory and the other not.
   */
  bind(src: VfsPath, at: VfsPath, flags: number, recursive: boolean): Mount | number {
    if (src.mount.ns !== this) return -Errno.EINVAL;
    const m = this.attach(src.mount.fs, src.dentry, at, flags);
    if (typeof m === 'number' || !recursive) return m;
    this.copyChildren(src.mount, src.dentry, m);
    return m;
  }

  /**
   * umount2: target must be the root of a mount of this namespace (EINVAL),
   * not the namespace root (EBUSY, or EINVAL with MNT_DETACH), and, without
   * MNT_DETACH, neither in use nor covered by other mounts (EBUSY).
   */
  umount(target: VfsPath, flags: number): number {
    if ((flags & ~(UmountFlag.MNT_FORCE | UmountFlag.MNT_DETACH | UmountFlag.MNT_EXPIRE | UmountFlag.UMOUNT_NOFOLLOW)) !== 0) return -Errno.EINVAL;
    if ((flags & UmountFlag.MNT_EXPIRE) !== 0 && (flags & (UmountFlag.MNT_FORCE | UmountFlag.MNT_DETACH)) !== 0) return -Errno.EINVAL;
    const m = target.mount;
    if (m.ns !== this || target.dentry !== m.root) return -Errno.EINVAL;
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
    map.set(this.root, root);
    const walk = (src: Mount, dst: Mount): void => {
      for (const [dentry, child] of src.children) {
        const copy = new Mount(child.fs, child.root, child.flags, ns, dst, dentry);
        child.root.incRef();
        dentry.incRef();
        dentry.mountedHere++;
        dst.children.set(dentry, copy);
        map.set(child, copy);
        walk(child, copy);
      }
    };
    walk(this.root, root);
    return { ns, map };
  }

  private attach(fs: FileSystem, root: Dentry, at: VfsPath, flags: number): Mount | number {
    if (at.mount.ns !== this) return -Errno.EINVAL;
    if (at.dentry.dead) return -Errno.ENOENT;
    const targetIsDir = at.dentry.inode.type === FileMode.S_IFDIR;
    const sourceIsDir = root.inode.type === FileMode.S_IFDIR;
    if (targetIsDir !== sourceIsDir) return targetIsDir ? -Errno.ENOTDIR : -Errno.EISDIR;
    // Mounting on a covered point mounts on the top of its stack (lock_mount).
    let parent = at.mount;
    let point = at.dentry;
    for (let top = parent.children.get(point); top; top = parent.children.get(point)) {
      parent = top;
      point = top.root;
    }
    const m = new Mount(fs, root, flags & PER_MOUNT_FLAGS, this, parent, point);
    root.incRef();
    point.incRef();
    point.mountedHere++;
    parent.children.set(point, m);
    return m;
  }

  private copyChildren(src: Mount, under: Dentry, dst: Mount): void {
    for (const [dentry, child] of src.children) {
      if (!under.isAncestorOf(dentry)) continue;
      const copy = new Mount(child.fs, child.root, child.flags, this, dst, dentry);
      child.root.incRef();
      dentry.incRef();
      dentry.mountedHere++;
      dst.children.set(dentry, copy);
      this.copyChildren(child, child.root, copy);
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
  }
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
