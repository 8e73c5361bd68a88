// Shared set-up for the VFS and tmpfs unit tests: a tmpfs root in a mount
// namespace, callers with root and non-root credentials, a descriptor table,
// and guest memory backed by a plain array. Its own test checks the fixture.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At } from '../../src/abi/linux/stat.js';
import { createTmpfs, type TmpfsFileSystem, type TmpfsOptions } from '../../src/fs/tmpfs/tmpfs.js';
import type { FsCredentials } from '../../src/vfs/credentials.js';
import { FsStruct, makeCaller, type Caller } from '../../src/vfs/fs_struct.js';
import type { GuestMemory } from '../../src/vfs/guest_memory.js';
import type { Inode } from '../../src/vfs/inode.js';
import { MountNamespace } from '../../src/vfs/mount.js';
import { openAtSync as openAt, openatHow } from '../../src/vfs/open.js';
import type { OpenFile } from '../../src/vfs/open_file.js';
import type { VfsPath } from '../../src/vfs/path.js';
import { lookupAt } from '../../src/vfs/resolve.js';
import { ManualClock } from '../../src/vfs/timestamp.js';

/** Guest memory as one array: addresses are offsets; segments are cut at 1000 bytes to exercise the walk. */
export class ArrayMemory implements GuestMemory {
  constructor(readonly bytes = new Uint8Array(1 << 20), readonly segment = 1000) {}
  readBytes(addr: number, dst: Uint8Array, off: number, len: number): number {
    if (addr < 0 || addr + len > this.bytes.length) return -Errno.EFAULT;
    dst.set(this.bytes.subarray(addr, addr + len), off);
    return 0;
  }
  writeBytes(addr: number, src: Uint8Array, off: number, len: number): number {
    if (addr < 0 || addr + len > this.bytes.length) return -Errno.EFAULT;
    this.bytes.set(src.subarray(off, off + len), addr);
    return 0;
  }
  forEachSegment(addr: number, len: number, _forWrite: boolean, fn: (buf: Uint8Array, off: number, len: number) => number): number {
    if (len === 0) return 0;
    if (addr < 0 || addr >= this.bytes.length) return -Errno.EFAULT;
    const total = Math.min(len, this.bytes.length - addr);
    let done = 0;
    while (done < total) {
      const l = Math.min(this.segment - ((addr + done) % this.segment), total - done);
      const r = fn(this.bytes, addr + done, l);
      if (r < 0) return done > 0 ? done : r;
      done += r;
      if (r < l) break;
    }
    return done;
  }
}

export function creds(uid: number, gid: number, groups: number[] = []): FsCredentials {
  return { uid, gid, euid: uid, fsuid: uid, fsgid: gid, groups };
}

export const ROOT = creds(0, 0);
export const ALICE = creds(1000, 1000, [100]);
export const BOB = creds(1001, 1001, [100]);

/** One world: a tmpfs root, a namespace, a descriptor table shared by the callers made from it. */
export class World {
  readonly clock = new ManualClock();
  readonly fs: TmpfsFileSystem;
  readonly ns: MountNamespace;
  readonly fds = new Map<number, OpenFile>();
  private nextFd = 3;
  readonly mem = new ArrayMemory();

  constructor(opts: TmpfsOptions = {}) {
    this.fs = createTmpfs({ clock: this.clock, rootMode: 0o755, ...opts });
    this.ns = new MountNamespace(this.fs);
  }

  tmpfs(opts: TmpfsOptions = {}): TmpfsFileSystem {
    return createTmpfs({ clock: this.clock, rootMode: 0o755, ...opts });
  }

  caller(c: FsCredentials = ROOT, umask = 0o022): Caller {
    const root = this.ns.rootPath;
    return makeCaller(c, new FsStruct(root, root, umask), (fd) => this.fds.get(fd)?.path);
  }

  /** Installs an open file; returns its descriptor. */
  install(f: OpenFile): number {
    const fd = this.nextFd++;
    f.incRef();
    this.fds.set(fd, f);
    return fd;
  }

  close(fd: number): void {
    this.fds.get(fd)?.decRef();
    this.fds.delete(fd);
  }

  open(c: Caller, path: string, flags: number, mode = 0o666, dirfd = At.AT_FDCWD): OpenFile | number {
    return openAt(c, dirfd, path, openatHow(flags, mode));
  }

  /** Opens or fails the test. */
  must(c: Caller, path: string, flags: number, mode = 0o666): OpenFile {
    const f = this.open(c, path, flags, mode);
    if (typeof f === 'number') throw new Error(`open ${path}: ${f}`);
    this.install(f);
    return f;
  }

  lookup(c: Caller, path: string, follow = true): VfsPath | number {
    return lookupAt(c, At.AT_FDCWD, path, { follow });
  }

  inode(c: Caller, path: string, follow = true): Inode {
    const p = this.lookup(c, path, follow);
    if (typeof p === 'number') throw new Error(`lookup ${path}: ${p}`);
    return p.dentry.inode;
  }

  /** Writes bytes through an open file at its offset. */
  write(f: OpenFile, data: Uint8Array | string): number {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.mem.bytes.set(bytes, 0);
    const r = f.write(this.mem, 0, bytes.length);
    if (typeof r !== 'number') throw new Error('write blocked');
    return r;
  }

  /** Reads up to len bytes at the file's offset; a string (latin1) or an errno. */
  read(f: OpenFile, len: number): string | number {
    const r = f.read(this.mem, 0, len);
    if (typeof r !== 'number') throw new Error('read blocked');
    if (r < 0) return r;
    return Buffer.from(this.mem.bytes.subarray(0, r)).toString('latin1');
  }

  /** Creates a file with contents (as the given caller). */
  file(c: Caller, path: string, contents = '', mode = 0o644): Inode {
    const f = this.open(c, path, OpenFlag.O_CREAT | OpenFlag.O_WRONLY | OpenFlag.O_TRUNC, mode);
    if (typeof f === 'number') throw new Error(`create ${path}: ${f}`);
    f.incRef();
    if (contents) this.write(f, contents);
    f.decRef();
    return f.inode;
  }
}

test('fixture: a file written through the array memory reads back', () => {
  const w = new World();
  const c = w.caller();
  w.file(c, '/f', 'hello world');
  const f = w.must(c, '/f', OpenFlag.O_RDONLY);
  assert.equal(w.read(f, 100), 'hello world');
  assert.equal(w.read(f, 100), '');
});
