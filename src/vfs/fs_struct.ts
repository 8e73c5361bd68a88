// What the VFS knows of the caller: a process's root, cwd and umask (its
// fs_struct, shared by CLONE_FS threads), its credentials, and its
// descriptors for the *at() calls.
import { Errno } from '../abi/linux/errno.js';
import type { FsCredentials } from './credentials.js';
import type { FileImpl, Inode } from './inode.js';
import { holdPath, releasePath, type VfsPath } from './path.js';

export class FsStruct {
  private _root: VfsPath;
  private _cwd: VfsPath;

  constructor(root: VfsPath, cwd: VfsPath = root, public umask = 0o022) {
    this._root = root;
    this._cwd = cwd;
    holdPath(root);
    holdPath(cwd);
  }

  get root(): VfsPath {
    return this._root;
  }

  get cwd(): VfsPath {
    return this._cwd;
  }

  setCwd(p: VfsPath): void {
    holdPath(p);
    releasePath(this._cwd);
    this._cwd = p;
  }

  setRoot(p: VfsPath): void {
    holdPath(p);
    releasePath(this._root);
    this._root = p;
  }

  /** A copy for a child without CLONE_FS. */
  clone(): FsStruct {
    return new FsStruct(this._root, this._cwd, this.umask);
  }

  /** The process exits: drop its hold on root and cwd. */
  release(): void {
    releasePath(this._root);
    releasePath(this._cwd);
  }
}

/** Opens special files: FIFOs, sockets, character and block devices (the kernel registers drivers). */
export interface SpecialOpener {
  /**
   * The I/O for a FIFO or device inode, or -errno (ENXIO when no driver); a
   * Promise when the open waits (a FIFO's open for the other end).
   */
  open(inode: Inode, flags: number, creds?: FsCredentials): FileImpl | number | Promise<FileImpl | number>;
}

/** The caller of a VFS operation. */
export interface Caller {
  readonly creds: FsCredentials;
  readonly fs: FsStruct;
  /** The location of the open file behind fd (-EBADF if none; -ENOTDIR if it has no path in the tree). */
  fdPath(fd: number): VfsPath | number;
  readonly special?: SpecialOpener;
}

/** A Caller for tests and boot code: descriptors resolve through the given function. */
export function makeCaller(creds: FsCredentials, fs: FsStruct, fdPath: (fd: number) => VfsPath | undefined = () => undefined, special?: SpecialOpener): Caller {
  return {
    creds,
    fs,
    fdPath: (fd) => fdPath(fd) ?? -Errno.EBADF,
    special,
  };
}
