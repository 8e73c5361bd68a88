// Shared set-up for the overlay tests: a lower tmpfs prepared with a tree
// (through its own namespace), wrapped in a guard that fails the test on
// any attempt to change it; an overlay of it under a fresh tmpfs, mounted as
// the root of a namespace; snapshots of a layer for byte-for-byte
// comparison; and small helpers to drive the VFS. Its own tests check the
// fixture and the guard.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At, FileMode } from '../../src/abi/linux/stat.js';
import { BufferMemory } from '../../src/vfs/buffer_memory.js';
import { createOverlay, type OverlayFileSystem, type OverlayOptions } from '../../src/fs/overlay/overlay.js';
import { createTmpfs, type TmpfsFileSystem, type TmpfsOptions } from '../../src/fs/tmpfs/tmpfs.js';
import { chmodAt, chownAt, statAt } from '../../src/vfs/attr_ops.js';
import type { FsCredentials } from '../../src/vfs/credentials.js';
import { FsStruct, makeCaller, type Caller } from '../../src/vfs/fs_struct.js';
import type { GuestMemory, IoResult } from '../../src/vfs/guest_memory.js';
import type { DirEntry, DirEmitter, FileImpl, FileSystem, Inode, InodeAttrs, NewInodeSpec, SetAttrRequest, StatFsValues } from '../../src/vfs/inode.js';
import { MountNamespace } from '../../src/vfs/mount.js';
import { linkAt, mkdirAt, mknodAt, symlinkAt } from '../../src/vfs/namei_ops.js';
import { openAtSync as openAt, openatHow } from '../../src/vfs/open.js';
import type { OpenFile } from '../../src/vfs/open_file.js';
import type { VfsPath } from '../../src/vfs/path.js';
import { lookupAt } from '../../src/vfs/resolve.js';
import { ManualClock } from '../../src/vfs/timestamp.js';
import { setxattrPath } from '../../src/vfs/xattr.js';
import { ArrayMemory, creds } from './vfs_fixture.test.js';

export const CWD = At.AT_FDCWD;
export const ROOT: FsCredentials = creds(0, 0);
export const ALICE: FsCredentials = creds(1000, 1000, [100]);
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

// A guard around the lower layer.

/** Every call that would have changed the guarded file system, as "method name". */
export type Violations = string[];

class GuardFile implements FileImpl {
  constructor(private readonly fs: GuardFs, private readonly real: FileImpl, private readonly v: Violations, private readonly name: string) {}
  get seekable(): boolean {
    return this.real.seekable;
  }
  read(mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    const r = this.real.read(mm, addr, len, pos);
    return this.async ? Promise.resolve(r) : r;
  }
  get async(): boolean {
    return this.fs.asyncReads;
  }
  write(_mm: GuestMemory, _addr: number, _len: number, _pos: number): IoResult {
    this.v.push(`write ${this.name}`);
    return -Errno.EROFS;
  }
  seekData(pos: number, hole: boolean): number {
    return this.real.seekData ? this.real.seekData(pos, hole) : hole ? Number.MAX_SAFE_INTEGER : pos;
  }
  release(): void {
    this.real.release?.();
  }
}

class GuardInode implements Inode {
  constructor(readonly fs: GuardFs, private readonly real: Inode) {}
  get ino(): number {
    return this.real.ino;
  }
  get type(): number {
    return this.real.type;
  }
  private deny(what: string): number {
    this.fs.violations.push(`${what} ino ${this.real.ino}`);
    return -Errno.EROFS;
  }
  getattr(): Readonly<InodeAttrs> {
    return this.real.getattr();
  }
  setattr(_req: SetAttrRequest): number {
    return this.deny('setattr');
  }
  lookup(name: string): Inode | number {
    const r = this.real.lookup(name);
    return typeof r === 'number' ? r : this.fs.wrap(r);
  }
  mknod(_name: string, _spec: NewInodeSpec): Inode | number {
    return this.deny('mknod');
  }
  mkdir(_name: string, _spec: NewInodeSpec): Inode | number {
    return this.deny('mkdir');
  }
  symlink(_name: string, _target: string, _spec: NewInodeSpec): Inode | number {
    return this.deny('symlink');
  }
  link(_name: string, _target: Inode): number {
    return this.deny('link');
  }
  unlink(_name: string): number {
    return this.deny('unlink');
  }
  rmdir(_name: string): number {
    return this.deny('rmdir');
  }
  rename(_name: string, _newDir: Inode, _newName: string, _flags: number): number {
    return this.deny('rename');
  }
  readdir(cookie: number, emit: DirEmitter): number {
    return this.real.readdir(cookie, emit);
  }
  tmpfile(_spec: NewInodeSpec): Inode | number {
    return this.deny('tmpfile');
  }
  readlink(): string | number {
    return this.real.readlink();
  }
  open(flags: number): FileImpl | number {
    const acc = flags & OpenFlag.O_ACCMODE;
    if (acc !== OpenFlag.O_RDONLY || (flags & OpenFlag.O_TRUNC) !== 0) return this.deny(`open for writing (flags ${flags.toString(8)})`);
    const r = this.real.open(flags);
    return typeof r === 'number' ? r : new GuardFile(this.fs, r, this.fs.violations, `ino ${this.real.ino}`);
  }
  allocate(_mode: number, _offset: number, _len: number): number {
    return this.deny('allocate');
  }
  getxattr(name: string): Uint8Array | number {
    return this.real.getxattr(name);
  }
  setxattr(_name: string, _value: Uint8Array, _flags: number): number {
    return this.deny('setxattr');
  }
  listxattr(): string[] | number {
    return this.real.listxattr();
  }
  removexattr(_name: string): number {
    return this.deny('removexattr');
  }
  incRef(): void {
    this.fs.refs++;
    this.real.incRef();
  }
  decRef(): void {
    this.fs.refs--;
    this.real.decRef();
  }
}

/** A read-only view of a file system that records (and refuses) every attempt to change it. */
export class GuardFs implements FileSystem {
  readonly type: string;
  readonly dev: number;
  readonly readOnly = true;
  readonly violations: Violations = [];
  /** References held through the guard (open files, copy-up reads): back to 0 when all are closed. */
  refs = 0;
  /** Reads answer with a Promise, as a layer that waits for the host might. */
  asyncReads = false;
  private readonly wrapped = new WeakMap<Inode, GuardInode>();
  readonly root: Inode;
  constructor(readonly real: FileSystem) {
    this.type = real.type;
    this.dev = real.dev;
    this.root = this.wrap(real.root);
  }
  get clock(): FileSystem['clock'] {
    return this.real.clock;
  }
  wrap(inode: Inode): GuardInode {
    let g = this.wrapped.get(inode);
    if (!g) {
      g = new GuardInode(this, inode);
      this.wrapped.set(inode, g);
    }
    return g;
  }
  statfs(): StatFsValues {
    return this.real.statfs();
  }
}

// Snapshots.

export interface NodeSnapshot {
  ino: number;
  attrs: Record<string, unknown>;
  xattrs: Record<string, string>;
  data?: string;
  target?: string;
  entries?: Record<string, NodeSnapshot>;
}

/** Every name of a directory but "." and "..", through the Inode interface. */
export function listDir(dir: Inode): DirEntry[] {
  const out: DirEntry[] = [];
  const r = dir.readdir(0, (e) => {
    if (e.name !== '.' && e.name !== '..') out.push(e);
    return true;
  });
  assert.equal(r, 0);
  return out;
}

/** The bytes of a regular file, through its FileImpl, as hex. */
export function fileData(inode: Inode): string {
  const size = inode.getattr().size;
  const impl = inode.open(OpenFlag.O_RDONLY);
  assert.ok(typeof impl !== 'number', `open for snapshot: ${String(impl)}`);
  const mem = new BufferMemory(new Uint8Array(size));
  const r = impl.read(mem, 0, size, 0);
  impl.release?.();
  assert.equal(r, size);
  return Buffer.from(mem.buf).toString('hex');
}

/** A deep, comparable picture of a tree: attributes, inode numbers, xattrs, bytes, link targets. */
export function snapshot(inode: Inode): NodeSnapshot {
  const a = inode.getattr();
  const xattrs: Record<string, string> = {};
  const names = inode.listxattr();
  if (typeof names !== 'number') {
    for (const n of [...names].sort()) {
      const v = inode.getxattr(n);
      xattrs[n] = typeof v === 'number' ? `errno ${v}` : Buffer.from(v).toString('hex');
    }
  }
  const s: NodeSnapshot = { ino: inode.ino, attrs: { ...a }, xattrs };
  if (inode.type === FileMode.S_IFREG) s.data = fileData(inode);
  if (inode.type === FileMode.S_IFLNK) s.target = String(inode.readlink());
  if (inode.type === FileMode.S_IFDIR) {
    s.entries = {};
    for (const e of listDir(inode).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const child = inode.lookup(e.name);
      assert.ok(typeof child !== 'number', `lookup ${e.name}`);
      s.entries[e.name] = snapshot(child);
    }
  }
  return s;
}

// The world: a prepared lower tmpfs, an overlay of it, and the VFS around it.

export interface OverlayWorldOptions {
  upper?: TmpfsOptions;
  overlay?: OverlayOptions;
  /** Builds the lower tree (default: the standard tree below). */
  prepare?: (c: Caller, w: LowerBuilder) => void;
}

/** Drives the lower tmpfs through its own namespace while it is being prepared. */
export class LowerBuilder {
  readonly fs: TmpfsFileSystem;
  readonly ns: MountNamespace;
  readonly mem = new ArrayMemory();
  constructor(readonly clock: ManualClock) {
    this.fs = createTmpfs({ clock, rootMode: 0o755 });
    this.ns = new MountNamespace(this.fs);
  }
  caller(c: FsCredentials = ROOT): Caller {
    const root = this.ns.rootPath;
    return makeCaller(c, new FsStruct(root, root, 0));
  }
  mkdir(c: Caller, path: string, mode = 0o755): void {
    assert.equal(mkdirAt(c, CWD, path, mode), 0, `mkdir ${path}`);
  }
  file(c: Caller, path: string, data: string | Uint8Array = '', mode = 0o644, at = 0): void {
    const f = openAt(c, CWD, path, openatHow(OpenFlag.O_CREAT | OpenFlag.O_WRONLY, mode));
    assert.ok(typeof f !== 'number', `create ${path}: ${String(f)}`);
    f.incRef();
    const b = typeof data === 'string' ? bytes(data) : data;
    if (b.length > 0) {
      this.mem.bytes.set(b, 0);
      assert.equal(f.pwrite(this.mem, 0, b.length, at), b.length);
    }
    f.decRef();
  }
  chown(c: Caller, path: string, uid: number, gid: number): void {
    assert.equal(chownAt(c, CWD, path, uid, gid, At.AT_SYMLINK_NOFOLLOW), 0, `chown ${path}`);
  }
  chmod(c: Caller, path: string, mode: number): void {
    assert.equal(chmodAt(c, CWD, path, mode, 0), 0, `chmod ${path}`);
  }
  xattr(c: Caller, path: string, name: string, value: string): void {
    const p = lookupAt(c, CWD, path, { follow: false });
    assert.ok(typeof p !== 'number');
    assert.equal(setxattrPath(c, p, name, bytes(value), 0), 0, `setxattr ${path} ${name}`);
  }
}

/** The patterned bytes of /data/big. */
export function bigData(n = 10_000): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) & 0xff;
  return b;
}

/**
 * The standard lower tree:
 *   /etc (0755): passwd, shadow (0640 root:42, user.tag=s), hosts
 *   /bin: sh (0755 "#!elf"), link -> sh
 *   /usr/lib: a.so, b.so        /usr/share/doc/readme
 *   /home/alice (0700 1000:1000): notes (0600 1000:1000, user.color=blue)
 *   /data: big (10,000 patterned bytes), sparse (hole, then "end" at 1 MiB)
 *   /empty (empty dir)   /full: x, y, z, sub/deep
 *   /hard1, /hard2 (one file, two names)   /fifo   /suid (04755)
 */
export function standardTree(c: Caller, b: LowerBuilder): void {
  const tick = (): void => b.clock.advance(10);
  b.mkdir(c, '/etc');
  b.file(c, '/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  tick();
  b.file(c, '/etc/shadow', 'root:*:19000::::::\n', 0o640);
  b.chown(c, '/etc/shadow', 0, 42);
  b.xattr(c, '/etc/shadow', 'user.tag', 's');
  b.file(c, '/etc/hosts', '127.0.0.1 localhost\n');
  tick();
  b.mkdir(c, '/bin');
  b.file(c, '/bin/sh', '#!elf', 0o755);
  assert.equal(symlinkAt(c, 'sh', CWD, '/bin/link'), 0);
  b.mkdir(c, '/usr');
  b.mkdir(c, '/usr/lib');
  b.file(c, '/usr/lib/a.so', 'AAAA');
  b.file(c, '/usr/lib/b.so', 'BBBB');
  b.mkdir(c, '/usr/share');
  b.mkdir(c, '/usr/share/doc');
  b.file(c, '/usr/share/doc/readme', 'read me');
  tick();
  b.mkdir(c, '/home');
  b.mkdir(c, '/home/alice', 0o700);
  b.chown(c, '/home/alice', 1000, 1000);
  b.file(c, '/home/alice/notes', 'alice notes', 0o600);
  b.chown(c, '/home/alice/notes', 1000, 1000);
  b.xattr(c, '/home/alice/notes', 'user.color', 'blue');
  tick();
  b.mkdir(c, '/data');
  b.file(c, '/data/big', bigData());
  b.file(c, '/data/sparse', 'end', 0o644, 1 << 20);
  b.mkdir(c, '/empty');
  b.mkdir(c, '/full');
  for (const n of ['x', 'y', 'z']) b.file(c, `/full/${n}`, n);
  b.mkdir(c, '/full/sub');
  b.file(c, '/full/sub/deep', 'deep');
  b.file(c, '/hard1', 'shared');
  assert.equal(linkAt(c, CWD, '/hard1', CWD, '/hard2', 0), 0);
  assert.equal(mknodAt(c, CWD, '/fifo', FileMode.S_IFIFO | 0o644, 0), 0);
  b.file(c, '/suid', 'setuid', 0o755);
  b.chmod(c, '/suid', 0o4755);
  tick();
}

export class OverlayWorld {
  readonly clock = new ManualClock();
  readonly lower: LowerBuilder;
  readonly guard: GuardFs;
  readonly upper: TmpfsFileSystem;
  readonly ov: OverlayFileSystem;
  readonly ns: MountNamespace;
  readonly mem = new ArrayMemory();
  /** The lower tree as prepared, before the overlay touched anything. */
  readonly before: NodeSnapshot;

  constructor(opts: OverlayWorldOptions = {}) {
    this.lower = new LowerBuilder(this.clock);
    (opts.prepare ?? standardTree)(this.lower.caller(), this.lower);
    this.clock.advance(1000);
    this.before = snapshot(this.lower.fs.root);
    this.guard = new GuardFs(this.lower.fs);
    this.upper = createTmpfs({ clock: this.clock, ...opts.upper });
    this.ov = createOverlay(this.guard, this.upper, opts.overlay);
    this.ns = new MountNamespace(this.ov);
  }

  caller(c: FsCredentials = ROOT, umask = 0o022): Caller {
    const root = this.ns.rootPath;
    return makeCaller(c, new FsStruct(root, root, umask));
  }

  /** The lower layer is exactly as prepared, and nothing tried to change it. */
  assertLowerUnchanged(): void {
    assert.deepEqual(this.guard.violations, []);
    assert.deepEqual(snapshot(this.lower.fs.root), this.before);
  }

  open(c: Caller, path: string, flags: number, mode = 0o666): OpenFile | number {
    const f = openAt(c, CWD, path, openatHow(flags, mode));
    if (typeof f !== 'number') f.incRef();
    return f;
  }

  must(c: Caller, path: string, flags: number, mode = 0o666): OpenFile {
    const f = this.open(c, path, flags, mode);
    if (typeof f === 'number') throw new Error(`open ${path}: ${f}`);
    return f;
  }

  lookup(c: Caller, path: string, follow = false): VfsPath | number {
    return lookupAt(c, CWD, path, { follow });
  }

  at(c: Caller, path: string, follow = false): VfsPath {
    const p = this.lookup(c, path, follow);
    if (typeof p === 'number') throw new Error(`lookup ${path}: ${p}`);
    return p;
  }

  inode(c: Caller, path: string, follow = false): Inode {
    return this.at(c, path, follow).dentry.inode;
  }

  /** stat(2) through the VFS (no follow): the attributes and st_ino, or an errno. */
  stat(c: Caller, path: string): (InodeAttrs & { ino: number; dev: number }) | number {
    const p = statAt(c, CWD, path, At.AT_SYMLINK_NOFOLLOW);
    if (typeof p === 'number') return p;
    const inode = p.dentry.inode;
    return { ...inode.getattr(), ino: inode.ino, dev: inode.fs.dev };
  }

  write(f: OpenFile, data: string | Uint8Array): number {
    const b = typeof data === 'string' ? bytes(data) : data;
    this.mem.bytes.set(b, 0);
    const r = f.write(this.mem, 0, b.length);
    if (typeof r !== 'number') throw new Error('write blocked');
    return r;
  }

  read(f: OpenFile, len: number): string | number {
    const r = f.read(this.mem, 0, len);
    if (typeof r !== 'number') throw new Error('read blocked');
    if (r < 0) return r;
    return Buffer.from(this.mem.bytes.subarray(0, r)).toString('latin1');
  }

  pread(f: OpenFile, len: number, pos: number): string | number {
    const r = f.pread(this.mem, 0, len, pos);
    if (typeof r !== 'number') throw new Error('read blocked');
    if (r < 0) return r;
    return Buffer.from(this.mem.bytes.subarray(0, r)).toString('latin1');
  }

  /** The whole contents of path (latin1), or an errno. */
  cat(c: Caller, path: string): string | number {
    const f = this.open(c, path, OpenFlag.O_RDONLY);
    if (typeof f === 'number') return f;
    let out = '';
    for (;;) {
      const r = this.read(f, 65536);
      if (typeof r === 'number') return r;
      if (r.length === 0) break;
      out += r;
    }
    f.decRef();
    return out;
  }

  /** Creates or replaces path with data. */
  put(c: Caller, path: string, data: string, mode = 0o644): void {
    const f = this.open(c, path, OpenFlag.O_CREAT | OpenFlag.O_WRONLY | OpenFlag.O_TRUNC, mode);
    if (typeof f === 'number') throw new Error(`create ${path}: ${f}`);
    if (data.length > 0) assert.equal(this.write(f, data), data.length);
    f.decRef();
  }

  /** The names in a directory through getdents (readdir), "." and ".." left out, in order. */
  ls(c: Caller, path: string): string[] {
    return this.entries(c, path).map((e) => e.name);
  }

  entries(c: Caller, path: string): DirEntry[] {
    const f = this.must(c, path, OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY);
    const out: DirEntry[] = [];
    assert.equal(f.readdir((e) => {
      if (e.name !== '.' && e.name !== '..') out.push(e);
      return true;
    }), 0);
    f.decRef();
    return out;
  }
}

export function sorted(names: string[]): string[] {
  return [...names].sort();
}

test('fixture: the standard lower tree reads back through the overlay, and the guard refuses changes', () => {
  const w = new OverlayWorld();
  const c = w.caller();
  assert.equal(w.cat(c, '/etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  assert.deepEqual(sorted(w.ls(c, '/')), ['bin', 'data', 'empty', 'etc', 'fifo', 'full', 'hard1', 'hard2', 'home', 'suid', 'usr']);
  const lowerRoot = w.guard.root;
  assert.equal(lowerRoot.mkdir('x', { mode: FileMode.S_IFDIR | 0o755, uid: 0, gid: 0, rdev: 0 }), -Errno.EROFS);
  assert.deepEqual(w.guard.violations, ['mkdir ino 1']);
  w.guard.violations.length = 0;
  w.assertLowerUnchanged();
});
