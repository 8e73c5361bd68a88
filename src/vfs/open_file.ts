// An open file description (man 2 open "open file description"): the file,
// the O_* status flags, and the offset, shared by every descriptor dup'd or
// inherited from the one open(2) returned.
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag, Seek } from '../abi/linux/fcntl.js';
import { InMask } from '../abi/linux/inotify.js';
import { FileMode } from '../abi/linux/stat.js';
import { touchAtime } from './atime.js';
import { BufferMemory } from './buffer_memory.js';
import { Capability, capable, type FsCredentials } from './credentials.js';
import type { FileDescription } from './file.js';
import { releaseFileLocks } from './file_locks.js';
import type { GuestMemory, IoResult } from './guest_memory.js';
import { isDir, isRegular, type DirEmitter, type FileImpl, type Inode } from './inode.js';
import { notifyAccess, notifyChange, notifyClose, notifyModify } from './inotify_hooks.js';
import { MAX_FILE_SIZE } from './limits.js';
import { holdPath, releasePath, type VfsPath } from './path.js';
import { putWriteAccess, takeWriteAccess } from './write_access.js';

const FIONREAD = 0x541b;

export class OpenFile implements FileDescription {
  /** The file position (for a directory: the readdir cookie). */
  offset = 0;
  readonly inode: Inode;
  private refs = 0;
  private released = false;

  /**
   * Holds path and the inode from now on; the last decRef releases them.
   * impl is null for O_PATH descriptors and directories.
   */
  constructor(
    readonly path: VfsPath,
    public flags: number,
    private readonly impl: FileImpl | null,
    /** The opener's credentials (f_cred): used where a write must drop set-user-ID bits. */
    readonly creds: FsCredentials,
    readonly name: string,
  ) {
    this.inode = path.dentry.inode;
    holdPath(path);
    this.inode.incRef();
  }

  /** Counted in the inode's writers (write_access.ts) until released. */
  private writeAccess = false;

  /**
   * get_write_access, for open(2) of a regular file for writing (the opener
   * checked writeDenied: ETXTBSY). Files made without an open (memfd_create)
   * do not count, as in Linux.
   */
  holdWriteAccess(): void {
    if (this.writeAccess) return;
    this.writeAccess = true;
    takeWriteAccess(this.inode);
  }

  /** pread/pwrite allowed (FMODE_PREAD|FMODE_PWRITE): false for pipes, sockets and terminals. */
  get positional(): boolean {
    return this.impl ? this.impl.seekable : true;
  }

  get isPath(): boolean {
    return (this.flags & OpenFlag.O_PATH) !== 0;
  }

  /** FMODE_READ: O_RDONLY or O_RDWR (access mode 3 is neither). */
  get readable(): boolean {
    const acc = this.flags & OpenFlag.O_ACCMODE;
    return !this.isPath && (acc === OpenFlag.O_RDONLY || acc === OpenFlag.O_RDWR);
  }

  get writable(): boolean {
    const acc = this.flags & OpenFlag.O_ACCMODE;
    return !this.isPath && (acc === OpenFlag.O_WRONLY || acc === OpenFlag.O_RDWR);
  }

  read(mm: GuestMemory, addr: number, len: number): IoResult {
    const err = this.checkRead();
    if (err < 0) return err;
    const impl = this.impl!;
    const r = impl.read(mm, addr, len, this.offset);
    return this.afterRead(r, len, impl.seekable);
  }

  pread(mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    const err = this.checkRead();
    if (err < 0) return err;
    const impl = this.impl!;
    if (!impl.seekable) return -Errno.ESPIPE;
    if (pos < 0) return -Errno.EINVAL;
    const r = impl.read(mm, addr, len, pos);
    return this.afterRead(r, len, false);
  }

  write(mm: GuestMemory, addr: number, len: number): IoResult {
    const err = this.checkWrite();
    if (err < 0) return err;
    const impl = this.impl!;
    const append = (this.flags & OpenFlag.O_APPEND) !== 0 && impl.seekable;
    const pos = append ? this.inode.getattr().size : this.offset;
    const r = this.writeAt(impl, mm, addr, len, pos);
    if (!impl.seekable) return r;
    const advance = (n: number): number => {
      if (n > 0) this.offset = pos + n;
      else if (append) this.offset = pos;
      return n;
    };
    return typeof r === 'number' ? advance(r) : r.then(advance);
  }

  /** man 2 pwrite BUGS: with O_APPEND, Linux appends whatever the offset. */
  pwrite(mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    const err = this.checkWrite();
    if (err < 0) return err;
    const impl = this.impl!;
    if (!impl.seekable) return -Errno.ESPIPE;
    if (pos < 0) return -Errno.EINVAL;
    if ((this.flags & OpenFlag.O_APPEND) !== 0) pos = this.inode.getattr().size;
    return this.writeAt(impl, mm, addr, len, pos);
  }

  /**
   * I/O for a memory mapping of this file (the syscall layer's MappedFile
   * for src/mm): reads or writes buf[off, off+len) at pos without moving the
   * offset, O_APPEND ignored (a mapping writes pages where they belong). A
   * result the file system could only give later is -EIO: faults cannot wait.
   */
  mappedIo(write: boolean, buf: Uint8Array, off: number, len: number, pos: number): number {
    if (!this.impl) return -Errno.ENODEV;
    const mem = new BufferMemory(buf);
    const r = write ? this.impl.write(mem, off, len, pos) : this.impl.read(mem, off, len, pos);
    if (typeof r === 'number') return r;
    r.catch(() => undefined);
    return -Errno.EIO;
  }

  ioctl(mm: GuestMemory, request: number, arg: number): number {
    if (this.isPath) return -Errno.EBADF;
    if (request === FIONREAD && isRegular(this.inode)) {
      const avail = Math.max(0, Math.min(0x7fffffff, this.inode.getattr().size - this.offset));
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, avail, true);
      const r = mm.writeBytes(arg, b, 0, 4);
      return r < 0 ? r : 0;
    }
    if (this.impl?.ioctl) return this.impl.ioctl(mm, request, arg);
    return -Errno.ENOTTY;
  }

  /** lseek(2). Directories take SEEK_SET / SEEK_CUR to a readdir cookie. */
  seek(off: number, whence: number): number {
    if (this.isPath) return -Errno.EBADF;
    const dir = isDir(this.inode);
    if (!dir && this.impl && !this.impl.seekable) return -Errno.ESPIPE;
    let pos: number;
    switch (whence) {
      case Seek.SEEK_SET:
        pos = off;
        break;
      case Seek.SEEK_CUR:
        pos = this.offset + off;
        break;
      case Seek.SEEK_END:
        if (dir) return -Errno.EINVAL;
        pos = this.inode.getattr().size + off;
        break;
      case Seek.SEEK_DATA:
      case Seek.SEEK_HOLE: {
        if (dir) return -Errno.EINVAL;
        const size = this.inode.getattr().size;
        if (off < 0 || off >= size) return -Errno.ENXIO;
        const hole = whence === Seek.SEEK_HOLE;
        pos = this.impl?.seekData ? this.impl.seekData(off, hole) : hole ? size : off;
        if (pos < 0) return pos;
        break;
      }
      default:
        return -Errno.EINVAL;
    }
    if (pos < 0) return -Errno.EINVAL;
    if (pos > MAX_FILE_SIZE) return -Errno.EOVERFLOW;
    this.offset = pos;
    return pos;
  }

  /**
   * Directory entries from the current cookie on; the offset moves past each
   * entry emit accepts. ENOTDIR for other files, ENOENT in a removed directory.
   */
  readdir(emit: DirEmitter): number {
    if (this.isPath) return -Errno.EBADF;
    if (!isDir(this.inode)) return -Errno.ENOTDIR;
    if (this.path.dentry.dead) return -Errno.ENOENT;
    const r = this.inode.readdir(this.offset, (e) => {
      if (!emit(e)) return false;
      this.offset = e.next;
      return true;
    });
    notifyAccess(this.path.dentry);
    if (r >= 0) touchAtime(this.path.mount, this.inode, this.flags);
    return r;
  }

  fsync(): number {
    if (this.isPath) return -Errno.EBADF;
    return this.impl?.fsync ? this.impl.fsync() : 0;
  }

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    if (--this.refs > 0 || this.released) return;
    this.released = true;
    if (!this.isPath) notifyClose(this.path.dentry, this.writable);
    releaseFileLocks(this, this.inode);
    this.impl?.release?.();
    if (this.writeAccess) putWriteAccess(this.inode);
    this.inode.decRef();
    releasePath(this.path);
  }

  private checkRead(): number {
    if (!this.readable) return -Errno.EBADF;
    if (isDir(this.inode)) return -Errno.EISDIR;
    if (!this.impl) return -Errno.EINVAL;
    return 0;
  }

  private checkWrite(): number {
    if (!this.writable) return -Errno.EBADF;
    if (!this.impl) return -Errno.EINVAL;
    return 0;
  }

  private afterRead(r: IoResult, len: number, seekable: boolean): IoResult {
    const done = (n: number): number => {
      if (n > 0 && seekable) this.offset += n;
      if (n >= 0 && len > 0) this.accessed();
      if (n > 0) notifyAccess(this.path.dentry);
      return n;
    };
    return typeof r === 'number' ? done(r) : r.then(done);
  }

  private accessed(): void {
    if (isRegular(this.inode)) touchAtime(this.path.mount, this.inode, this.flags);
  }

  private writeAt(impl: FileImpl, mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    if (len === 0 && isRegular(this.inode)) return 0;
    if (impl.seekable && pos >= MAX_FILE_SIZE) return -Errno.EFBIG;
    if (isRegular(this.inode)) this.dropPrivileges();
    const r = impl.write(mm, addr, len, pos);
    return typeof r === 'number' ? this.written(r) : r.then((n) => this.written(n));
  }

  /** fsnotify_modify after a write that moved bytes. */
  private written(n: number): number {
    if (n > 0) notifyModify(this.path.dentry);
    return n;
  }

  /** file_remove_privs: a write by a caller without CAP_FSETID clears S_ISUID, and S_ISGID when group-executable. */
  private dropPrivileges(): void {
    const mode = this.inode.getattr().mode;
    let kill = 0;
    if ((mode & FileMode.S_ISUID) !== 0) kill |= FileMode.S_ISUID;
    if ((mode & (FileMode.S_ISGID | FileMode.S_IXGRP)) === (FileMode.S_ISGID | FileMode.S_IXGRP)) kill |= FileMode.S_ISGID;
    if (kill === 0 || capable(this.creds, Capability.CAP_FSETID)) return;
    if (this.inode.setattr({ mode: mode & 0o7777 & ~kill }) >= 0) notifyChange(this.path.dentry, InMask.IN_ATTRIB);
  }
}
