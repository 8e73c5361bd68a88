// /proc/PID/mounts and mountinfo from a VFS mount namespace: the mounts a
// process can see from its root (mounts outside a chroot are skipped, as
// seq_path_root does), with the per-mount options of show_mnt_opts.
import { devMajor, devMinor } from '../../abi/linux/stat.js';
import type { Dentry } from '../../vfs/dentry.js';
import { MountFlag, type Mount, type MountNamespace } from '../../vfs/mount.js';
import { pathName, type VfsPath } from '../../vfs/path.js';
import type { ProcMountEntry } from './view.js';

/** What the mount tree does not record: the source given to mount(2) and the file system's own options. */
export interface MountDescription {
  /** Default: the file system type. */
  source?: string;
  /** Default: the file system's type. */
  fsType?: string;
  /** Options after rw/ro in the super options ("size=65536k", "mode=755"). */
  fsOptions?: readonly string[];
  /** mountinfo optional fields ("shared:1"). */
  optional?: readonly string[];
}

const MNT_OPTS: readonly (readonly [number, string])[] = [
  [MountFlag.MS_NOSUID, 'nosuid'],
  [MountFlag.MS_NODEV, 'nodev'],
  [MountFlag.MS_NOEXEC, 'noexec'],
  [MountFlag.MS_NOATIME, 'noatime'],
  [MountFlag.MS_NODIRATIME, 'nodiratime'],
  [MountFlag.MS_RELATIME, 'relatime'],
  [MountFlag.MS_NOSYMFOLLOW, 'nosymfollow'],
];

/** show_mnt_opts: the per-mount flags after rw/ro, in Linux's order. */
export function mountFlagNames(flags: number): string[] {
  return MNT_OPTS.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

/** The path of d from the root of its file system (the mount root column of mountinfo). */
export function dentryPath(d: Dentry): string {
  const parts: string[] = [];
  for (let p: Dentry | null = d; p && p.parent; p = p.parent) parts.push(p.name);
  return '/' + parts.reverse().join('/');
}

/**
 * The mounts of ns visible from root, parents before children. describe
 * supplies what the tree does not know (sources, file-system options).
 */
export function mountEntries(ns: MountNamespace, root: VfsPath, describe?: (m: Mount) => MountDescription | undefined): ProcMountEntry[] {
  const out: ProcMountEntry[] = [];
  for (const m of ns.mounts()) {
    const at = pathName({ mount: m, dentry: m.root }, root);
    if (!at.reachable) continue;
    const d = describe?.(m) ?? {};
    out.push({
      id: m.id,
      parentId: m.parent ? m.parent.id : m.id,
      major: devMajor(m.fs.dev),
      minor: devMinor(m.fs.dev),
      root: dentryPath(m.root),
      mountPoint: at.name,
      readOnly: (m.flags & MountFlag.MS_RDONLY) !== 0,
      superReadOnly: m.fs.readOnly,
      mountFlags: mountFlagNames(m.flags),
      optional: d.optional ?? [],
      fsType: d.fsType ?? m.fs.type,
      source: d.source ?? m.fs.type,
      fsOptions: d.fsOptions ?? [],
    });
  }
  return out;
}
