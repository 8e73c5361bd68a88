// A regular host file and its I/O: each open file description gets its own
// host descriptor, opened by name beneath the directory's descriptor and
// checked to be the same file; reads and writes are preads and pwrites
// straight into guest memory (no copy in between).
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag, Seek } from '../../abi/linux/fcntl.js';
import { FileMode } from '../../abi/linux/stat.js';
import type { GuestMemory, IoResult } from '../../vfs/guest_memory.js';
import type { FileImpl } from '../../vfs/inode.js';
import { HostInode } from './host_inode.js';
import type { HostFileSystem } from './hostfs.js';

/** The open(2) flags passed on to the host descriptor. O_APPEND is not: the VFS chooses every position (and F_SETFL may change it). */
const PASSED_FLAGS = OpenFlag.O_SYNC | OpenFlag.O_DSYNC;

export class HostRegular extends HostInode {
  /** The open files of this inode (their descriptors serve truncate, fallocate, xattrs). */
  readonly openFiles = new Set<HostFileImpl>();

  constructor(fs: HostFileSystem, ino: number, fd: number, st: Float64Array) {
    super(fs, ino, FileMode.S_IFREG, fd, st);
  }

  override open(flags: number): FileImpl | number {
    let acc = flags & OpenFlag.O_ACCMODE;
    // Access mode 3 (no reading or writing, as fdisk uses it) opens the host file for reading.
    if (acc === OpenFlag.O_ACCMODE) acc = OpenFlag.O_RDONLY;
    const writable = acc !== OpenFlag.O_RDONLY;
    if (writable && this.fs.readOnly) return -Errno.EROFS;
    let fd: number;
    if (this.realFd && this.fd >= 0) {
      fd = this.host.n.hostfsDup(this.fd);
    } else {
      fd = this.openByName(acc | (flags & PASSED_FLAGS));
      if (fd === -Errno.ENOENT || fd === -Errno.ESTALE) {
        // No name leads here any more (unlinked while open): share an open file's descriptor.
        const other = this.openFd(writable, !writable);
        if (other >= 0) fd = this.host.n.hostfsDup(other);
      }
    }
    if (fd < 0) return fd;
    const impl = new HostFileImpl(this, fd, acc);
    this.openFiles.add(impl);
    return impl;
  }

  /** A descriptor of one of the open files: writable if asked, readable too if asked. */
  protected override openFd(writable: boolean, readable = false): number {
    for (const f of this.openFiles) {
      if (writable && !f.writable) continue;
      if (readable && !f.readable) continue;
      return f.fd;
    }
    return -1;
  }

  /** Runs fn on a descriptor open for writing: an open file's, or one opened for the call. */
  private withWritableFd(fn: (fd: number) => number): number {
    const open = this.realFd && this.fd >= 0 ? this.fd : this.openFd(true);
    if (open >= 0) return fn(open);
    const fd = this.openByName(OpenFlag.O_WRONLY | OpenFlag.O_NONBLOCK);
    if (fd < 0) return fd;
    const r = fn(fd);
    this.host.close(fd);
    return r;
  }

  protected override truncate(size: number): number {
    if (size < 0) return -Errno.EINVAL;
    return this.withWritableFd((fd) => this.host.n.hostfsFtruncate(fd, size));
  }

  override allocate(mode: number, offset: number, len: number): number {
    if (this.fs.readOnly) return -Errno.EROFS;
    return this.withWritableFd((fd) => this.host.n.hostfsFallocate(fd, mode, offset, len));
  }
}

/** The I/O of one open host file. */
export class HostFileImpl implements FileImpl {
  readonly seekable = true;
  readonly readable: boolean;
  readonly writable: boolean;

  /** acc: the host descriptor's access mode (O_RDONLY, O_WRONLY or O_RDWR). */
  constructor(private readonly file: HostRegular, public fd: number, acc: number) {
    this.readable = acc !== OpenFlag.O_WRONLY;
    this.writable = acc !== OpenFlag.O_RDONLY;
  }

  read(mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    const n = this.file.fs.host.n;
    const fd = this.fd;
    let p = pos;
    return mm.forEachSegment(addr, len, true, (buf, off, l) => {
      const r = n.hostPread(fd, buf, off, l, p);
      if (r > 0) p += r;
      return r;
    });
  }

  write(mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    const n = this.file.fs.host.n;
    const fd = this.fd;
    let p = pos;
    return mm.forEachSegment(addr, len, false, (buf, off, l) => {
      const r = n.hostPwrite(fd, buf, off, l, p);
      if (r > 0) p += r;
      return r;
    });
  }

  seekData(pos: number, hole: boolean): number {
    return this.file.fs.host.n.hostfsLseek(this.fd, pos, hole ? Seek.SEEK_HOLE : Seek.SEEK_DATA);
  }

  fsync(): number {
    return this.file.fs.host.n.hostfsFsync(this.fd, 0);
  }

  release(): void {
    if (this.fd < 0) return;
    this.file.openFiles.delete(this);
    this.file.fs.host.close(this.fd);
    this.fd = -1;
  }
}
