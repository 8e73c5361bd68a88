// mount(2) and umount2(2) inside the sandbox (root only): new file systems,
// bind mounts, and unmounting, on paths the caller resolves.
import { Errno } from '../abi/linux/errno.js';
import { At } from '../abi/linux/stat.js';
import { Capability, capable } from './credentials.js';
import type { Caller } from './fs_struct.js';
import type { FileSystem } from './inode.js';
import { MountFlag, UmountFlag, type Mount, type MountNamespace } from './mount.js';
import { lookupAt } from './resolve.js';

function namespaceOf(caller: Caller): MountNamespace | number {
  return caller.fs.root.mount.ns ?? -Errno.EINVAL;
}

/** Mounts fs at target (a new file system: tmpfs, proc …). */
export function mountAt(caller: Caller, fs: FileSystem, target: string, flags: number): Mount | number {
  if (!capable(caller.creds, Capability.CAP_SYS_ADMIN)) return -Errno.EPERM;
  const ns = namespaceOf(caller);
  if (typeof ns === 'number') return ns;
  const at = lookupAt(caller, At.AT_FDCWD, target, { follow: true });
  if (typeof at === 'number') return at;
  return ns.mount(fs, at, flags);
}

/** MS_BIND (with MS_REC: the mounts below source too). */
export function bindMountAt(caller: Caller, source: string, target: string, flags: number): Mount | number {
  if (!capable(caller.creds, Capability.CAP_SYS_ADMIN)) return -Errno.EPERM;
  const ns = namespaceOf(caller);
  if (typeof ns === 'number') return ns;
  const src = lookupAt(caller, At.AT_FDCWD, source, { follow: true });
  if (typeof src === 'number') return src;
  const at = lookupAt(caller, At.AT_FDCWD, target, { follow: true });
  if (typeof at === 'number') return at;
  return ns.bind(src, at, flags, (flags & MountFlag.MS_REC) !== 0);
}

/** umount2(2). */
export function umountAt(caller: Caller, target: string, flags: number): number {
  if (!capable(caller.creds, Capability.CAP_SYS_ADMIN)) return -Errno.EPERM;
  const ns = namespaceOf(caller);
  if (typeof ns === 'number') return ns;
  const at = lookupAt(caller, At.AT_FDCWD, target, { follow: (flags & UmountFlag.UMOUNT_NOFOLLOW) === 0 });
  if (typeof at === 'number') return at;
  return ns.umount(at, flags);
}
