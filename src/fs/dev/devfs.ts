// /dev as a container runtime makes it (runc, runsc): a tmpfs (mode 0755)
// holding the standard device nodes, the /proc/self/fd symlinks, and the
// directories devpts (pts/) and a tmpfs (shm/) get mounted on by the boot
// code. Being a tmpfs, it takes mknod, new files and symlinks like Linux's
// /dev. The devices behave through the DeviceRegistry, the SpecialOpener
// the VFS calls when a character device node is opened.
import { FileMode, makeDev } from '../../abi/linux/stat.js';
import { createTmpfs, type TmpfsFileSystem } from '../tmpfs/tmpfs.js';
import type { SpecialOpener } from '../../vfs/fs_struct.js';
import type { FileSystem } from '../../vfs/inode.js';
import type { Clock } from '../../vfs/timestamp.js';
import { Errno } from '../../abi/linux/errno.js';
import { createDevpts, devptsOfInode, type DevptsFs } from '../devpts/devpts.js';
import { PTY_SLAVE_MAJOR } from '../devpts/pty.js';
import { openControllingTerminal } from '../tty/tty.js';
import {
  DeviceRegistry,
  FULL_MINOR,
  MEM_MAJOR,
  NULL_MINOR,
  PTMX_MINOR,
  RANDOM_MINOR,
  registerStandardDevices,
  TTY_MINOR,
  TTYAUX_MAJOR,
  URANDOM_MINOR,
  ZERO_MINOR,
  type StandardDeviceOptions,
} from './devices.js';

export interface DevfsOptions extends StandardDeviceOptions {
  clock?: Clock;
  /** size= of the tmpfs (default 64 MiB, Docker's size=65536k). */
  maxBytes?: number;
  /** The registry to add the standard devices to (default a new one). */
  registry?: DeviceRegistry;
  /** Where the registry sends FIFOs, sockets and unknown devices (the pipe layer). */
  fallback?: SpecialOpener;
  /** The devpts instance behind /dev/ptmx and /dev/pts (default: a new one). */
  devpts?: DevptsFs;
}

export interface Devfs {
  /** Mount at /dev (source "tmpfs", options size=65536k,mode=755, flags nosuid). */
  readonly fs: TmpfsFileSystem;
  /** Set as every Caller's SpecialOpener. */
  readonly devices: DeviceRegistry;
  /** The pseudo-terminals: mount at /dev/pts (mountDevfs in src/sandbox/mounts.ts does). */
  readonly devpts: DevptsFs;
}

/** The devpts instance of each /dev made by createDevfs (to be mounted on its pts/). */
const devptsOfDevfs = new WeakMap<FileSystem, DevptsFs>();

/** The devpts that belongs on fs's pts/ directory, if fs is a /dev made by createDevfs. */
export function devptsFor(fs: FileSystem): DevptsFs | undefined {
  return devptsOfDevfs.get(fs);
}

/** The character device nodes of /dev: name, major, minor, mode. */
export const DEV_NODES: readonly (readonly [string, number, number, number])[] = [
  ['null', MEM_MAJOR, NULL_MINOR, 0o666],
  ['zero', MEM_MAJOR, ZERO_MINOR, 0o666],
  ['full', MEM_MAJOR, FULL_MINOR, 0o666],
  ['random', MEM_MAJOR, RANDOM_MINOR, 0o666],
  ['urandom', MEM_MAJOR, URANDOM_MINOR, 0o666],
  ['tty', TTYAUX_MAJOR, TTY_MINOR, 0o666],
  ['ptmx', TTYAUX_MAJOR, PTMX_MINOR, 0o666],
];

/** The directories of /dev: pts/ for devpts, shm/ for a tmpfs (mode 1777). */
export const DEV_DIRS: readonly (readonly [string, number])[] = [
  ['pts', 0o755],
  ['shm', 0o1777],
];

/** The symlinks of /dev. */
export const DEV_LINKS: readonly (readonly [string, string])[] = [
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
];

const ROOT_OWNER = { uid: 0, gid: 0 };

/** A populated /dev and the device registry behind its nodes. */
export function createDevfs(opts: DevfsOptions = {}): Devfs {
  const fs = createTmpfs({ clock: opts.clock, rootMode: 0o755, maxBytes: opts.maxBytes ?? 64 * 1024 * 1024 });
  const root = fs.root;
  for (const [name, major, minor, mode] of DEV_NODES) {
    const r = root.mknod(name, { mode: FileMode.S_IFCHR | mode, ...ROOT_OWNER, rdev: makeDev(major, minor) });
    if (typeof r === 'number') throw new Error(`devfs: mknod ${name}: errno ${-r}`);
  }
  for (const [name, mode] of DEV_DIRS) {
    const r = root.mkdir(name, { mode: FileMode.S_IFDIR | mode, ...ROOT_OWNER, rdev: 0 });
    if (typeof r === 'number') throw new Error(`devfs: mkdir ${name}: errno ${-r}`);
  }
  for (const [name, target] of DEV_LINKS) {
    const r = root.symlink(name, target, { mode: FileMode.S_IFLNK | 0o777, ...ROOT_OWNER, rdev: 0 });
    if (typeof r === 'number') throw new Error(`devfs: symlink ${name}: errno ${-r}`);
  }
  const devices = opts.registry ?? new DeviceRegistry();
  if (opts.fallback) devices.fallback = opts.fallback;
  registerStandardDevices(devices, opts);
  const devpts = opts.devpts ?? createDevpts({ clock: opts.clock });
  devptsOfDevfs.set(fs, devpts);
  // /dev/ptmx (and pts/ptmx) make a pair in the devpts the node belongs with; pts/N open a slave.
  if (!opts.openPtmx) devices.registerChar(TTYAUX_MAJOR, PTMX_MINOR, (inode, flags) => (devptsOfInode(inode) ?? devpts).openPtmx(flags));
  devices.registerMajor(PTY_SLAVE_MAJOR, (inode, flags) => devptsOfInode(inode)?.openNode(inode, flags) ?? -Errno.ENXIO);
  // /dev/tty: the caller's controlling terminal.
  if (!opts.openTty) devices.registerChar(TTYAUX_MAJOR, TTY_MINOR, (_inode, flags) => openControllingTerminal(flags));
  return { fs, devices, devpts };
}
