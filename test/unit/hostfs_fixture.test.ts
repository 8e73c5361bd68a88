// Shared set-up for the host file system tests: a temporary host tree with
// a marker file next to the mounted directory, a mount namespace with the
// host file system as its root (or mounted on a tmpfs), callers, and guest
// memory backed by an array. Its own test checks the fixture.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OpenFlag } from '../../src/abi/linux/fcntl.js';
import { At } from '../../src/abi/linux/stat.js';
import { createHostFs, type HostFileSystem, type HostFsOptions } from '../../src/fs/host/hostfs.js';
import { createTmpfs } from '../../src/fs/tmpfs/tmpfs.js';
import type { FsCredentials } from '../../src/vfs/credentials.js';
import { FsStruct, makeCaller, type Caller } from '../../src/vfs/fs_struct.js';
import type { FileSystem, Inode } from '../../src/vfs/inode.js';
import { MountNamespace } from '../../src/vfs/mount.js';
import { openAtSync as openAt, openatHow } from '../../src/vfs/open.js';
import type { OpenFile } from '../../src/vfs/open_file.js';
import type { VfsPath } from '../../src/vfs/path.js';
import { lookupAt } from '../../src/vfs/resolve.js';
import { ArrayMemory, ROOT } from './vfs_fixture.test.js';

export const MARKER = 'SECRET: outside the mount';

/** A host tree: outer/marker (must stay unreachable) and outer/mnt (served). */
export interface HostTree {
  readonly outer: string;
  readonly mnt: string;
  readonly marker: string;
  remove(): void;
}

/**
 * outer/
 *   marker                     MARKER
 *   mnt/
 *     file.txt                 "hello host"
 *     hard                     hard link of file.txt
 *     dir/nested.txt           "nested"
 *     dir/deep/
 *     etc/passwd               "inside passwd"
 *     empty/
 *     fifo                     a FIFO
 *     link_rel -> file.txt, link_dir -> dir, link_passwd -> /etc/passwd,
 *     link_up -> ../../.., link_up_marker -> ../marker,
 *     link_abs_marker -> outer/marker (absolute host path), link_abs_mnt -> mnt/file.txt (absolute),
 *     link_proc -> /proc/self/root/etc/passwd, link_loop -> link_loop, dir/link_back -> ../../marker
 */
export function makeHostTree(): HostTree {
  const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-hostfs-'));
  const mnt = path.join(outer, 'mnt');
  const marker = path.join(outer, 'marker');
  fs.writeFileSync(marker, MARKER);
  fs.mkdirSync(mnt);
  fs.writeFileSync(path.join(mnt, 'file.txt'), 'hello host');
  fs.linkSync(path.join(mnt, 'file.txt'), path.join(mnt, 'hard'));
  fs.mkdirSync(path.join(mnt, 'dir', 'deep'), { recursive: true });
  fs.writeFileSync(path.join(mnt, 'dir', 'nested.txt'), 'nested');
  fs.mkdirSync(path.join(mnt, 'etc'));
  fs.writeFileSync(path.join(mnt, 'etc', 'passwd'), 'inside passwd');
  fs.mkdirSync(path.join(mnt, 'empty'));
  execFileSync('mkfifo', [path.join(mnt, 'fifo')]);
  const links: [string, string][] = [
    ['link_rel', 'file.txt'],
    ['link_dir', 'dir'],
    ['link_passwd', '/etc/passwd'],
    ['link_up', '../../..'],
    ['link_up_marker', '../marker'],
    ['link_abs_marker', marker],
    ['link_abs_mnt', path.join(mnt, 'file.txt')],
    ['link_proc', '/proc/self/root/etc/passwd'],
    ['link_loop', 'link_loop'],
    ['dir/link_back', '../../marker'],
  ];
  for (const [name, target] of links) fs.symlinkSync(target, path.join(mnt, name));
  return { outer, mnt, marker, remove: () => fs.rmSync(outer, { recursive: true, force: true }) };
}

/** A namespace whose root is a host file system (or a tmpfs with it mounted at /mnt), a caller, descriptors. */
export class HostWorld {
  readonly fs: HostFileSystem;
  readonly ns: MountNamespace;
  readonly fds = new Map<number, OpenFile>();
  readonly mem = new ArrayMemory(new Uint8Array(4 << 20));
  private nextFd = 3;

  constructor(hostDir: string, opts: HostFsOptions & { underTmpfs?: boolean } = {}) {
    this.fs = createHostFs(hostDir, opts);
    if (opts.underTmpfs) {
      const root: FileSystem = createTmpfs({ rootMode: 0o755 });
      this.ns = new MountNamespace(root);
      const rootInode = root.root;
      const made = rootInode.mkdir('mnt', { mode: 0o40755, uid: 0, gid: 0, rdev: 0 });
      assert.ok(typeof made !== 'number');
      const at = lookupAt(this.caller(), At.AT_FDCWD, '/mnt', { follow: true });
      assert.ok(typeof at !== 'number');
      assert.ok(typeof this.ns.mount(this.fs, at, 0) !== 'number');
    } else {
      this.ns = new MountNamespace(this.fs);
    }
  }

  caller(c: FsCredentials = ROOT, umask = 0o022): Caller {
    const root = this.ns.rootPath;
    return makeCaller(c, new FsStruct(root, root, umask), (fd) => this.fds.get(fd)?.path);
  }

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

  closeAll(): void {
    for (const fd of [...this.fds.keys()]) this.close(fd);
  }

  open(c: Caller, p: string, flags: number, mode = 0o666): OpenFile | number {
    return openAt(c, At.AT_FDCWD, p, openatHow(flags, mode));
  }

  /** Opens (and installs) or fails the test. */
  must(c: Caller, p: string, flags: number, mode = 0o666): OpenFile {
    const f = this.open(c, p, flags, mode);
    if (typeof f === 'number') throw new Error(`open ${p}: ${f}`);
    this.install(f);
    return f;
  }

  lookup(c: Caller, p: string, follow = true): VfsPath | number {
    return lookupAt(c, At.AT_FDCWD, p, { follow });
  }

  inode(c: Caller, p: string, follow = true): Inode {
    const r = this.lookup(c, p, follow);
    if (typeof r === 'number') throw new Error(`lookup ${p}: ${r}`);
    return r.dentry.inode;
  }

  write(f: OpenFile, data: Uint8Array | string): number {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.mem.bytes.set(bytes, 0);
    const r = f.write(this.mem, 0, bytes.length);
    if (typeof r !== 'number') throw new Error('write blocked');
    return r;
  }

  read(f: OpenFile, len: number): string | number {
    const r = f.read(this.mem, 0, len);
    if (typeof r !== 'number') throw new Error('read blocked');
    if (r < 0) return r;
    return Buffer.from(this.mem.bytes.subarray(0, r)).toString('latin1');
  }

  /** The whole contents of p (following links), or an errno. */
  readFile(c: Caller, p: string): string | number {
    const f = this.open(c, p, OpenFlag.O_RDONLY);
    if (typeof f === 'number') return f;
    f.incRef();
    let out = '';
    for (;;) {
      const r = this.read(f, 65536);
      if (typeof r === 'number') {
        f.decRef();
        return r;
      }
      if (r.length === 0) break;
      out += r;
    }
    f.decRef();
    return out;
  }

  /** Names of a directory through readdir, in batches of `batch` entries. */
  list(c: Caller, p: string, batch = 1000): { name: string; ino: number; type: number }[] | number {
    const f = this.open(c, p, OpenFlag.O_RDONLY | OpenFlag.O_DIRECTORY);
    if (typeof f === 'number') return f;
    f.incRef();
    const out: { name: string; ino: number; type: number }[] = [];
    for (;;) {
      let n = 0;
      const r = f.readdir((e) => {
        if (n === batch) return false;
        n++;
        out.push({ name: e.name, ino: e.ino, type: e.type });
        return true;
      });
      if (r < 0) {
        f.decRef();
        return r;
      }
      if (n === 0) break;
    }
    f.decRef();
    return out;
  }
}

/** A description of a host tree (names, types, modes, owners, sizes, contents, link targets, mtimes) to compare before and after. */
export function snapshotTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const r = path.join(rel, name);
      const st = fs.lstatSync(p, { bigint: true });
      let what = `${r} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${st.nlink} ${st.mtimeNs}`;
      if (st.isSymbolicLink()) what += ` -> ${fs.readlinkSync(p)}`;
      else if (st.isFile()) what += ` ${fs.readFileSync(p).toString('base64')}`;
      out.push(what);
      if (st.isDirectory()) walk(p, r);
    }
  };
  walk(dir, '');
  return out;
}

test('host fixture: the tree is served and the marker is next to it', () => {
  const t = makeHostTree();
  try {
    const w = new HostWorld(t.mnt);
    const c = w.caller();
    assert.equal(w.readFile(c, '/file.txt'), 'hello host');
    assert.equal(fs.readFileSync(t.marker, 'utf8'), MARKER);
    w.closeAll();
    w.fs.release();
  } finally {
    t.remove();
  }
});
