// The mount namespace of a new sandbox, built from its configuration: the
// root file system, then each mount in order, its mount point created if
// missing (as runc does). The configuration is the object the OCI runtime
// fills from config.json ("root", "mounts") and `tsvisor do` from its flags.
//
// File systems are made by factories the caller supplies (src/sandbox/run.ts
// wires the ones that exist): tmpfs always; the host directory file system,
// the root overlay, proc, dev and sys as they land. A mount whose factory is
// missing is an error, except proc, dev and sys, whose mount points are then
// left as empty directories.
import fs from 'node:fs';
import path from 'node:path';
import { Errno, ERRNO_NAMES } from '../abi/linux/errno.js';
import { At, FileMode } from '../abi/linux/stat.js';
import { devptsFor } from '../fs/dev/devfs.js';
import { createTmpfs } from '../fs/tmpfs/tmpfs.js';
import type { FsCredentials } from '../vfs/credentials.js';
import { FsStruct, makeCaller, type Caller } from '../vfs/fs_struct.js';
import type { FileSystem } from '../vfs/inode.js';
import { MountFlag, MountNamespace } from '../vfs/mount.js';
import { mkdirAt, mknodAt } from '../vfs/namei_ops.js';
import type { VfsPath } from '../vfs/path.js';
import { lookupAt } from '../vfs/resolve.js';

/** The root file system. */
export type RootConfig =
  | { kind: 'tmpfs' }
  | {
      kind: 'host';
      /** Host directory (absolute). */
      path: string;
      /** Writes go to an in-memory upper layer; the host directory is never modified. */
      overlay: boolean;
      /** The root mount is read-only (OCI root.readonly). */
      readOnly: boolean;
    };

export type MountKind = 'tmpfs' | 'bind' | 'proc' | 'dev' | 'sys';

export interface MountSpec {
  kind: MountKind;
  /** Host path of a bind mount. */
  source?: string;
  /** Absolute path in the sandbox. */
  target: string;
  readOnly?: boolean;
  /** tmpfs: size limit in bytes (default: the sandbox's tmpfs default). */
  sizeBytes?: number;
  /** tmpfs: mode of its root directory (default 01777). */
  mode?: number;
  /** Extra per-mount flags (OCI mount options nosuid, nodev, noexec), added to the kind's own. */
  nosuid?: boolean;
  nodev?: boolean;
  noexec?: boolean;
}

export interface MountsConfig {
  root: RootConfig;
  mounts: MountSpec[];
  /**
   * OCI linux.maskedPaths, after every mount: a directory gets an empty
   * read-only tmpfs on top, anything else /dev/null bound over it (as runc
   * does). Paths that do not exist are skipped.
   */
  maskedPaths?: string[];
  /** OCI linux.readonlyPaths: each is bound on itself (with the mounts below it) read-only. Missing ones are skipped. */
  readonlyPaths?: string[];
}

/**
 * Makers of the file systems a configuration may name. Each returns a file
 * system, or -errno, or throws an Error whose message says why.
 */
export interface FileSystemFactories {
  /** A host directory or file (src/fs/host/), read-only to the guest when asked. */
  host?(hostPath: string, readOnly: boolean): FileSystem | number;
  /** The root overlay over a read-only lower layer, with an in-memory upper layer (src/fs/overlay/). */
  overlay?(lower: FileSystem): FileSystem | number;
  proc?(): FileSystem | number;
  dev?(): FileSystem | number;
  sys?(): FileSystem | number;
}

export interface BuildOptions {
  /** Size limit of tmpfs mounts (and a tmpfs root) without their own; 0 for none. */
  tmpfsBytes?: number;
  /** Told about mounts left out (a file system not built yet). */
  warn?(msg: string): void;
}

/** A configuration that cannot be honoured (the message says which mount and why). */
export class MountConfigError extends Error {}

/** What `tsvisor do` mounts on its root: /proc, /dev (with a tmpfs on /dev/shm), /sys, and a tmpfs on /tmp (as runsc do). */
export function defaultMounts(): MountSpec[] {
  return [
    { kind: 'proc', target: '/proc' },
    { kind: 'dev', target: '/dev' },
    { kind: 'tmpfs', target: '/dev/shm', mode: 0o1777 },
    { kind: 'sys', target: '/sys', readOnly: true },
    { kind: 'tmpfs', target: '/tmp' },
  ];
}

const ROOT_CREDS: FsCredentials = { uid: 0, gid: 0, euid: 0, fsuid: 0, fsgid: 0, groups: [] };

/** The flags each kind of mount gets besides MS_RDONLY (those of Docker's and runsc's defaults). */
function kindFlags(kind: MountKind): number {
  switch (kind) {
    case 'proc':
      return MountFlag.MS_NOSUID | MountFlag.MS_NODEV | MountFlag.MS_NOEXEC;
    case 'sys':
      return MountFlag.MS_NOSUID | MountFlag.MS_NODEV | MountFlag.MS_NOEXEC;
    case 'dev':
      return MountFlag.MS_NOSUID;
    case 'tmpfs':
      return MountFlag.MS_NOSUID | MountFlag.MS_NODEV;
    case 'bind':
      return 0;
  }
}

function errnoText(r: number): string {
  return ERRNO_NAMES[-r] ?? `errno ${-r}`;
}

function made(what: string, make: () => FileSystem | number): FileSystem {
  let r: FileSystem | number;
  try {
    r = make();
  } catch (e) {
    throw new MountConfigError(`${what}: ${(e as Error).message}`);
  }
  if (typeof r === 'number') throw new MountConfigError(`${what}: ${errnoText(r)}`);
  return r;
}

function rootFileSystem(cfg: RootConfig, f: FileSystemFactories, opts: BuildOptions): FileSystem {
  if (cfg.kind === 'tmpfs') return createTmpfs({ rootMode: 0o755, maxBytes: opts.tmpfsBytes ?? 0 });
  if (!f.host) throw new MountConfigError(`root ${cfg.path}: the host directory file system is not available yet`);
  const host = f.host;
  const lower = made(`root ${cfg.path}`, () => host(cfg.path, cfg.overlay || cfg.readOnly));
  if (!cfg.overlay) return lower;
  const overlay = f.overlay;
  if (!overlay) throw new MountConfigError(`root ${cfg.path}: the root overlay is not available yet (use --no-overlay)`);
  return made(`root overlay on ${cfg.path}`, () => overlay(lower));
}

/** Components of an absolute path, "." and ".." resolved lexically. */
function normalTarget(target: string): string {
  if (!target.startsWith('/')) throw new MountConfigError(`mount target ${JSON.stringify(target)} is not an absolute path`);
  return path.posix.normalize(target);
}

/** mkdir -p inside the sandbox, as root; symlinks on the way resolve inside the sandbox's root. */
export function mkdirAll(caller: Caller, target: string, mode = 0o755): VfsPath | number {
  const parts = target.split('/').filter((p) => p.length > 0);
  let prefix = '';
  for (const p of parts) {
    prefix += '/' + p;
    const r = mkdirAt(caller, At.AT_FDCWD, prefix, mode);
    if (r < 0 && r !== -Errno.EEXIST) return r;
  }
  return lookupAt(caller, At.AT_FDCWD, target || '/', { follow: true, directory: true });
}

/** The mount point for spec, made if missing: a directory, or an empty file for a bind of a host file. */
function mountPoint(caller: Caller, spec: MountSpec, target: string): VfsPath | number {
  const at = lookupAt(caller, At.AT_FDCWD, target, { follow: true });
  if (at !== -Errno.ENOENT) return at;
  let fileSource = false;
  if (spec.kind === 'bind' && spec.source) {
    try {
      fileSource = !fs.statSync(spec.source).isDirectory();
    } catch {
      fileSource = false;
    }
  }
  if (!fileSource) return mkdirAll(caller, target);
  const parent = mkdirAll(caller, path.posix.dirname(target));
  if (typeof parent === 'number') return parent;
  const r = mknodAt(caller, At.AT_FDCWD, target, FileMode.S_IFREG | 0o644, 0);
  if (r < 0 && r !== -Errno.EEXIST) return r;
  return lookupAt(caller, At.AT_FDCWD, target, { follow: true });
}

function mountFileSystem(spec: MountSpec, f: FileSystemFactories, opts: BuildOptions): FileSystem | null {
  const what = `${spec.kind} on ${spec.target}`;
  switch (spec.kind) {
    case 'tmpfs':
      return createTmpfs({ rootMode: spec.mode ?? 0o1777, maxBytes: spec.sizeBytes ?? opts.tmpfsBytes ?? 0 });
    case 'bind':
      if (!spec.source) throw new MountConfigError(`${what}: a bind mount needs a source`);
      if (!f.host) throw new MountConfigError(`bind ${spec.source} on ${spec.target}: the host directory file system is not available yet`);
      const host = f.host;
      const source = spec.source;
      return made(`bind ${source} on ${spec.target}`, () => host(source, spec.readOnly === true));
    case 'proc':
    case 'dev':
    case 'sys': {
      const make = f[spec.kind];
      if (!make) {
        opts.warn?.(`${what}: that file system is not available yet; ${spec.target} is an empty directory`);
        return null;
      }
      return made(what, () => make.call(f));
    }
  }
}

function extraFlags(spec: MountSpec): number {
  return (spec.nosuid ? MountFlag.MS_NOSUID : 0) | (spec.nodev ? MountFlag.MS_NODEV : 0) | (spec.noexec ? MountFlag.MS_NOEXEC : 0);
}

/** A /dev's devpts on its pts/ directory (nosuid, noexec), as runc mounts devpts on /dev/pts. */
function mountDevpts(ns: MountNamespace, caller: Caller, dev: FileSystem, target: string): void {
  const pts = devptsFor(dev);
  if (!pts) return;
  const where = path.posix.join(target, 'pts');
  const at = mkdirAll(caller, where);
  if (typeof at === 'number') throw new MountConfigError(`devpts on ${where}: cannot make the mount point: ${errnoText(at)}`);
  const m = ns.mount(pts, at, MountFlag.MS_RELATIME | MountFlag.MS_NOSUID | MountFlag.MS_NOEXEC);
  if (typeof m === 'number') throw new MountConfigError(`devpts on ${where}: ${errnoText(m)}`);
}

/** linux.maskedPaths and linux.readonlyPaths (runc's maskPath and readonlyPath). */
function maskAndProtect(ns: MountNamespace, caller: Caller, cfg: MountsConfig, opts: BuildOptions): void {
  for (const p of cfg.maskedPaths ?? []) {
    const target = normalTarget(p);
    const at = lookupAt(caller, At.AT_FDCWD, target, { follow: true });
    if (at === -Errno.ENOENT || at === -Errno.ENOTDIR) continue;
    if (typeof at === 'number') throw new MountConfigError(`masked path ${target}: ${errnoText(at)}`);
    const isDir = (at.dentry.inode.getattr().mode & FileMode.S_IFMT) === FileMode.S_IFDIR;
    let m: unknown;
    if (isDir) {
      m = ns.mount(createTmpfs({ rootMode: 0o755, maxBytes: 4096 }), at, MountFlag.MS_RELATIME | MountFlag.MS_RDONLY);
    } else {
      const devNull = lookupAt(caller, At.AT_FDCWD, '/dev/null', { follow: true });
      if (typeof devNull === 'number') {
        opts.warn?.(`masked path ${target}: no /dev/null to bind over it (${errnoText(devNull)}); left as it is`);
        continue;
      }
      m = ns.bind(devNull, at, devNull.mount.flags, false);
    }
    if (typeof m === 'number') throw new MountConfigError(`masked path ${target}: ${errnoText(m)}`);
  }
  for (const p of cfg.readonlyPaths ?? []) {
    const target = normalTarget(p);
    const at = lookupAt(caller, At.AT_FDCWD, target, { follow: true });
    if (at === -Errno.ENOENT || at === -Errno.ENOTDIR) continue;
    if (typeof at === 'number') throw new MountConfigError(`read-only path ${target}: ${errnoText(at)}`);
    // Mounts below the path come along (MS_REC); they are taken before the bind, which lands among them.
    const below = [...at.mount.children].filter(([d]) => d !== at.dentry && at.dentry.isAncestorOf(d));
    const m = ns.bind(at, at, at.mount.flags | MountFlag.MS_RDONLY, false);
    if (typeof m === 'number') throw new MountConfigError(`read-only path ${target}: ${errnoText(m)}`);
    for (const [d, child] of below) {
      const r = ns.bind({ mount: child, dentry: child.root }, { mount: m, dentry: d }, child.flags | MountFlag.MS_RDONLY, true);
      if (typeof r === 'number') throw new MountConfigError(`read-only path ${target}: ${errnoText(r)}`);
    }
  }
}

/** Builds the namespace: the root, then every mount in order. Throws MountConfigError. */
export function buildMountNamespace(cfg: MountsConfig, f: FileSystemFactories, opts: BuildOptions = {}): MountNamespace {
  const rootFs = rootFileSystem(cfg.root, f, opts);
  const rootReadOnly = cfg.root.kind === 'host' && cfg.root.readOnly;
  const ns = new MountNamespace(rootFs, MountFlag.MS_RELATIME);
  const fsStruct = new FsStruct(ns.rootPath);
  const caller = makeCaller(ROOT_CREDS, fsStruct);
  try {
    for (const spec of cfg.mounts) {
      const target = normalTarget(spec.target);
      const at = mountPoint(caller, spec, target);
      if (typeof at === 'number') throw new MountConfigError(`${spec.kind} on ${target}: cannot make the mount point: ${errnoText(at)}`);
      const mfs = mountFileSystem(spec, f, opts);
      if (!mfs) continue;
      const flags = MountFlag.MS_RELATIME | kindFlags(spec.kind) | (spec.readOnly ? MountFlag.MS_RDONLY : 0) | extraFlags(spec);
      const m = ns.mount(mfs, at, flags);
      if (typeof m === 'number') throw new MountConfigError(`${spec.kind} on ${target}: ${errnoText(m)}`);
      if (spec.kind === 'dev') mountDevpts(ns, caller, mfs, target);
    }
    maskAndProtect(ns, caller, cfg, opts);
    // Made read-only last, so that missing mount points could still be made (in the overlay's upper layer).
    if (rootReadOnly) ns.root.flags |= MountFlag.MS_RDONLY;
  } finally {
    fsStruct.release();
  }
  return ns;
}

/**
 * The FsStruct of the init process: root at the namespace's root, cwd at
 * `cwd` (absolute; made if missing, as runc makes process.cwd), umask 022.
 */
export function initFsStruct(ns: MountNamespace, cwd: string): FsStruct {
  const boot = new FsStruct(ns.rootPath);
  try {
    const caller = makeCaller(ROOT_CREDS, boot);
    const target = path.posix.resolve('/', cwd);
    let at = lookupAt(caller, At.AT_FDCWD, target, { follow: true, directory: true });
    if (at === -Errno.ENOENT) at = mkdirAll(caller, target);
    if (typeof at === 'number') throw new MountConfigError(`working directory ${target}: ${errnoText(at)}`);
    return new FsStruct(ns.rootPath, at, 0o022);
  } finally {
    boot.release();
  }
}
