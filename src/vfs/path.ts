// A location in the mount tree: a mount and a dentry within it (Linux's
// struct path). Holding one pins both, so neither is unmounted nor evicted.
import type { Dentry } from './dentry.js';
import type { Mount } from './mount.js';

export interface VfsPath {
  readonly mount: Mount;
  readonly dentry: Dentry;
}

export function samePath(a: VfsPath, b: VfsPath): boolean {
  return a.mount === b.mount && a.dentry === b.dentry;
}

export function holdPath(p: VfsPath): void {
  p.mount.refs++;
  p.dentry.incRef();
}

export function releasePath(p: VfsPath): void {
  p.mount.refs--;
  p.dentry.decRef();
}

/** True if p is root or below it, across mounts (path_is_under). */
export function isUnder(p: VfsPath, root: VfsPath): boolean {
  let mount = p.mount;
  let dentry = p.dentry;
  for (;;) {
    if (mount === root.mount) return root.dentry.isAncestorOf(dentry);
    if (!mount.parent || !mount.mountpoint) return false;
    dentry = mount.mountpoint;
    mount = mount.parent;
  }
}

/**
 * The path name of p as seen from root (d_path): "/" joined names, walking
 * up across mount points. reachable is false when the walk reaches the top
 * of the mount tree without meeting root (the name is then relative to the
 * namespace root); deleted when p's dentry was unlinked.
 */
export function pathName(p: VfsPath, root: VfsPath): { name: string; reachable: boolean; deleted: boolean } {
  const parts: string[] = [];
  let mount = p.mount;
  let dentry = p.dentry;
  let reachable = true;
  for (;;) {
    if (mount === root.mount && dentry === root.dentry) break;
    if (dentry === mount.root) {
      if (!mount.parent || !mount.mountpoint) {
        reachable = false;
        break;
      }
      dentry = mount.mountpoint;
      mount = mount.parent;
      continue;
    }
    if (!dentry.parent) {
      reachable = false;
      break;
    }
    parts.push(dentry.name);
    dentry = dentry.parent;
  }
  parts.reverse();
  return { name: '/' + parts.join('/'), reachable, deleted: p.dentry.dead };
}
