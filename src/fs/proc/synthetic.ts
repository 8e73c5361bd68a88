// Building blocks for file systems whose contents the kernel generates
// (procfs, sysfs; Linux's kernfs and seq_file): directories listed from live
// state, files rendered at read time into a snapshot per open file, plain
// symlinks whose text may depend on the caller, and magic links. Nothing is
// stored: names cannot be created, removed or renamed (EACCES for a new
// file, as lookup_open gives without ->create; EPERM for the rest).
//
// Text is a byte string throughout (one char code per byte, latin1), the
// VFS's convention for names.
import { Errno } from '../../abi/linux/errno.js';
import { FileMode } from '../../abi/linux/stat.js';
import { allocAnonDev } from '../../vfs/anon_dev.js';
import type { Caller } from '../../vfs/fs_struct.js';
import type { GuestMemory, IoResult } from '../../vfs/guest_memory.js';
import {
  dtType,
  type DirEmitter,
  type FileImpl,
  type FileSystem,
  type Inode,
  type InodeAttrs,
  type NewInodeSpec,
  type SetAttrRequest,
  type StatFsValues,
} from '../../vfs/inode.js';
import { NAME_MAX } from '../../vfs/limits.js';
import type { VfsPath } from '../../vfs/path.js';
import type { MagicLinkInode } from '../../vfs/resolve.js';
import type { Clock } from '../../vfs/timestamp.js';

export const PAGE_SIZE = 4096;

/** POLLIN | POLLRDNORM and POLLOUT | POLLWRNORM (<asm-generic/poll.h>). */
export const POLL_READABLE = 0x0001 | 0x0040;
export const POLL_WRITABLE = 0x0004 | 0x0100;

/** The owner of an inode whose owner follows live state (a process's euid/egid). */
export interface Owner {
  uid: number;
  gid: number;
}

/** Bytes of a byte string (latin1). */
export function latin1(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/** A superblock of generated inodes. */
export class SynthFs implements FileSystem {
  readonly dev = allocAnonDev();
  root!: Inode;
  private nextIno = 1;

  constructor(
    readonly type: string,
    /** f_type of statfs (PROC_SUPER_MAGIC, SYSFS_MAGIC …). */
    readonly magic: number,
    readonly readOnly: boolean,
    readonly clock: Clock,
  ) {}

  allocIno(): number {
    return this.nextIno++;
  }

  statfs(): StatFsValues {
    return { type: this.magic, bsize: PAGE_SIZE, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, namelen: NAME_MAX, frsize: PAGE_SIZE, flags: 0 };
  }
}

export interface SynthInodeOptions {
  uid?: number;
  gid?: number;
  rdev?: number;
  /** st_size (0 for generated files, as in procfs). */
  size?: number;
  /** A live owner, consulted by every getattr (for /proc/PID entries). */
  owner?: () => Owner | null;
}

/** An inode of a SynthFs: attributes in memory, every namespace operation refused. */
export abstract class SynthInode implements Inode {
  readonly ino: number;
  protected readonly attrs: InodeAttrs;
  private readonly ownerFn?: () => Owner | null;

  constructor(readonly fs: SynthFs, readonly type: number, perm: number, opts: SynthInodeOptions = {}) {
    this.ino = fs.allocIno();
    const now = fs.clock.now();
    this.ownerFn = opts.owner;
    this.attrs = {
      mode: type | (perm & 0o7777),
      nlink: type === FileMode.S_IFDIR ? 2 : 1,
      uid: opts.uid ?? 0,
      gid: opts.gid ?? 0,
      rdev: opts.rdev ?? 0,
      size: opts.size ?? 0,
      blocks: 0,
      blksize: PAGE_SIZE,
      atime: now,
      mtime: now,
      ctime: now,
      btime: now,
    };
  }

  getattr(): Readonly<InodeAttrs> {
    if (this.ownerFn) {
      const o = this.ownerFn();
      if (o) {
        this.attrs.uid = o.uid;
        this.attrs.gid = o.gid;
      }
    }
    this.refreshAttrs();
    return this.attrs;
  }

  /** Hook for attributes that follow live state (nlink of a directory, a link's mode). */
  protected refreshAttrs(): void {}

  /**
   * proc_setattr: the mode never changes (EPERM); owner and times are kept in
   * memory; a size (O_TRUNC on open) is accepted and ignored.
   */
  setattr(req: SetAttrRequest): number {
    if (req.mode !== undefined) return -Errno.EPERM;
    const a = this.attrs;
    if (req.uid !== undefined) a.uid = req.uid;
    if (req.gid !== undefined) a.gid = req.gid;
    if (req.atime) a.atime = req.atime;
    if (req.mtime) a.mtime = req.mtime;
    if (req.ctime) a.ctime = req.ctime;
    return 0;
  }

  lookup(_name: string): Inode | number {
    return -Errno.ENOTDIR;
  }
  /** open(O_CREAT) of a new name: EACCES (no ->create); mknod(2): EPERM. */
  mknod(_name: string, spec: NewInodeSpec): Inode | number {
    if (this.type !== FileMode.S_IFDIR) return -Errno.ENOTDIR;
    return (spec.mode & FileMode.S_IFMT) === FileMode.S_IFREG ? -Errno.EACCES : -Errno.EPERM;
  }
  mkdir(_name: string, _spec: NewInodeSpec): Inode | number {
    return this.type === FileMode.S_IFDIR ? -Errno.EPERM : -Errno.ENOTDIR;
  }
  symlink(_name: string, _target: string, _spec: NewInodeSpec): Inode | number {
    return this.type === FileMode.S_IFDIR ? -Errno.EPERM : -Errno.ENOTDIR;
  }
  link(_name: string, _target: Inode): number {
    return this.type === FileMode.S_IFDIR ? -Errno.EPERM : -Errno.ENOTDIR;
  }
  unlink(_name: string): number {
    return this.type === FileMode.S_IFDIR ? -Errno.EPERM : -Errno.ENOTDIR;
  }
  rmdir(_name: string): number {
    return this.type === FileMode.S_IFDIR ? -Errno.EPERM : -Errno.ENOTDIR;
  }
  rename(_name: string, _newDir: Inode, _newName: string, _flags: number): number {
    return this.type === FileMode.S_IFDIR ? -Errno.EPERM : -Errno.ENOTDIR;
  }
  readdir(_cookie: number, _emit: DirEmitter): number {
    return -Errno.ENOTDIR;
  }
  readlink(_caller?: Caller): string | number {
    return -Errno.EINVAL;
  }
  open(_flags: number): FileImpl | number {
    return -Errno.ENXIO;
  }
  allocate(_mode: number, _offset: number, _len: number): number {
    return -Errno.EOPNOTSUPP;
  }
  getxattr(_name: string): Uint8Array | number {
    return -Errno.EOPNOTSUPP;
  }
  setxattr(_name: string, _value: Uint8Array, _flags: number): number {
    return -Errno.EOPNOTSUPP;
  }
  listxattr(): string[] | number {
    return [];
  }
  removexattr(_name: string): number {
    return -Errno.EOPNOTSUPP;
  }
  incRef(): void {}
  decRef(): void {}
}

/** One entry of a generated directory: pos orders entries and is the readdir cookie (≥ 2). */
export interface SynthEntry {
  readonly name: string;
  readonly pos: number;
  readonly inode: Inode;
}

/** Cookies 0 and 1 are "." and "..". */
export const FIRST_POS = 2;

/**
 * Drops cached entries whose key is no longer live once the cache has grown
 * well past the live set (entries are made on lookup; listing prunes too).
 */
export function pruneCache<K, V>(cache: Map<K, V>, liveCount: number, isLive: (key: K, value: V) => boolean): void {
  if (cache.size <= 64 + 2 * liveCount) return;
  for (const [k, v] of cache) if (!isLive(k, v)) cache.delete(k);
}

/**
 * A directory whose entries come from listing(), in ascending pos. Cookies
 * are positions, so a listing that changes between getdents calls (a
 * process exits) neither repeats nor skips the entries that remain.
 */
export abstract class SynthDir extends SynthInode {
  constructor(fs: SynthFs, perm: number, opts: SynthInodeOptions = {}) {
    super(fs, FileMode.S_IFDIR, perm, opts);
  }

  /** The directory holding this one (itself for the root). */
  abstract parentIno(): number;
  abstract listing(): Iterable<SynthEntry>;
  abstract override lookup(name: string): Inode | number;

  /**
   * Whether a cached child is still what name means (d_revalidate): false
   * once the process behind /proc/PID has gone. The VFS's dentry cache
   * should ask this before using a cached dentry.
   */
  revalidate(_name: string, _child: Inode): boolean {
    return true;
  }

  override readdir(cookie: number, emit: DirEmitter): number {
    if (cookie < 0) return -Errno.EINVAL;
    if (cookie === 0 && !emit({ name: '.', ino: this.ino, type: dtType(FileMode.S_IFDIR), next: 1 })) return 0;
    if (cookie <= 1 && !emit({ name: '..', ino: this.parentIno(), type: dtType(FileMode.S_IFDIR), next: FIRST_POS })) return 0;
    for (const e of this.listing()) {
      if (e.pos < cookie) continue;
      if (!emit({ name: e.name, ino: e.inode.ino, type: dtType(e.inode.type), next: e.pos + 1 })) break;
    }
    return 0;
  }
}

/** A directory with a fixed list of children, listed in the order added. */
export class StaticDir extends SynthDir {
  private readonly children = new Map<string, SynthEntry>();
  private parent: SynthDir | null;

  constructor(fs: SynthFs, perm = 0o555, parent: SynthDir | null = null, opts: SynthInodeOptions = {}) {
    super(fs, perm, opts);
    this.parent = parent;
  }

  parentIno(): number {
    return this.parent ? this.parent.ino : this.ino;
  }

  /** Adds a child (a subdirectory's parent is set to this). */
  add<T extends Inode>(name: string, inode: T): T {
    this.children.set(name, { name, pos: FIRST_POS + this.children.size, inode });
    if (inode instanceof StaticDir) {
      inode.parent = this;
      this.attrs.nlink++;
    }
    return inode;
  }

  /** A subdirectory, made if missing. */
  dir(name: string, perm = 0o555): StaticDir {
    const e = this.children.get(name);
    if (e && e.inode instanceof StaticDir) return e.inode;
    return this.add(name, new StaticDir(this.fs, perm, this));
  }

  get names(): string[] {
    return [...this.children.keys()];
  }

  listing(): Iterable<SynthEntry> {
    return this.children.values();
  }

  lookup(name: string): Inode | number {
    return this.children.get(name)?.inode ?? -Errno.ENOENT;
  }
}

/** What a generator returns: the text (a byte string), bytes, or -errno. */
export type Generated = string | Uint8Array | number;

export interface GeneratedFileOptions extends SynthInodeOptions {
  /**
   * Handles a write(2): data is the first bytes written (at most maxWrite),
   * count the length asked; returns the count consumed or -errno. Absent:
   * writes fail with writeErrno.
   */
  write?: (data: Uint8Array, count: number) => number;
  /** Bytes of a write copied in for write() (default one page). */
  maxWrite?: number;
  /** The error of a write to a file without a write handler (EINVAL, as vfs_write without ->write; procfs system files give EIO). */
  writeErrno?: number;
}

/**
 * A regular file rendered by a function (seq_file's single_open): st_size 0,
 * each open file holds its own snapshot, made at the first read and again at
 * every read from offset 0 (so tools that rewind /proc/stat see fresh data).
 */
export class GeneratedFile extends SynthInode {
  constructor(fs: SynthFs, perm: number, readonly generate: () => Generated, readonly opts: GeneratedFileOptions = {}) {
    super(fs, FileMode.S_IFREG, perm, opts);
  }

  override open(_flags: number): FileImpl | number {
    return new SnapshotFile(this);
  }
}

/** The I/O of one open GeneratedFile. */
export class SnapshotFile implements FileImpl {
  readonly seekable = true;
  private data: Uint8Array | null = null;

  constructor(private readonly file: GeneratedFile) {}

  /** Renders the file again; 0 or -errno. */
  refresh(): number {
    const g = this.file.generate();
    if (typeof g === 'number') return g;
    this.data = typeof g === 'string' ? latin1(g) : g;
    return 0;
  }

  read(mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    if (pos === 0 || !this.data) {
      const r = this.refresh();
      if (r < 0) return r;
    }
    const data = this.data!;
    if (pos >= data.length || len <= 0) return 0;
    const n = Math.min(len, data.length - pos);
    const r = mm.writeBytes(addr, data, pos, n);
    return r < 0 ? r : n;
  }

  write(mm: GuestMemory, addr: number, len: number, _pos: number): IoResult {
    const o = this.file.opts;
    if (!o.write) return -(o.writeErrno ?? Errno.EINVAL);
    const n = Math.min(len, o.maxWrite ?? PAGE_SIZE);
    const buf = new Uint8Array(n);
    if (n > 0) {
      const r = mm.readBytes(addr, buf, 0, n);
      if (r < 0) return r;
    }
    return o.write(buf, len);
  }

  readiness(): number {
    return POLL_READABLE | POLL_WRITABLE;
  }
}

/**
 * A symbolic link: fixed text (st_size its length), or text computed when
 * read, which may depend on the caller (/proc/self; st_size 0).
 */
export class SynthSymlink extends SynthInode {
  private readonly text: (caller?: Caller) => string | number;

  constructor(fs: SynthFs, text: string | ((caller?: Caller) => string | number), opts: SynthInodeOptions = {}) {
    super(fs, FileMode.S_IFLNK, 0o777, typeof text === 'string' ? { size: text.length, ...opts } : opts);
    this.text = typeof text === 'string' ? () => text : text;
  }

  override readlink(caller?: Caller): string | number {
    return this.text(caller);
  }
}

/**
 * A magic link (/proc/PID/exe, cwd, root, fd/N): readlink gives a path name,
 * following it goes straight to a location in the mount tree.
 */
export class SynthMagicLink extends SynthInode implements MagicLinkInode {
  constructor(
    fs: SynthFs,
    readonly text: (caller?: Caller) => string | number,
    readonly target: (caller: Caller) => VfsPath | number,
    opts: SynthInodeOptions & { perm?: () => number } = {},
  ) {
    super(fs, FileMode.S_IFLNK, 0o777, opts);
    this.permOf = opts.perm;
  }

  private readonly permOf?: () => number;

  protected override refreshAttrs(): void {
    if (this.permOf) this.attrs.mode = FileMode.S_IFLNK | this.permOf();
  }

  override readlink(caller?: Caller): string | number {
    return this.text(caller);
  }

  magicLink(caller: Caller): VfsPath | number {
    return this.target(caller);
  }
}

/** name_to_int: a canonical non-negative decimal (no sign, no leading zero), or -1. */
export function nameToInt(name: string): number {
  if (name.length === 0 || name.length > 10) return -1;
  if (name.length > 1 && name.charCodeAt(0) === 0x30) return -1;
  let n = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n > 0x7fffffff ? -1 : n;
}
