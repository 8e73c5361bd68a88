// A host symbolic link: its text, read through its O_PATH descriptor, for
// the VFS to resolve inside the guest's tree (an absolute target starts at
// the guest's root, ".." stops there). The host never follows it for us.
import { FileMode } from '../../abi/linux/stat.js';
import { HostInode } from './host_inode.js';
import type { HostFileSystem } from './hostfs.js';

export class HostSymlink extends HostInode {
  /** A link's text never changes (a new target is a new link). */
  private target: string | null = null;

  constructor(fs: HostFileSystem, ino: number, fd: number, st: Float64Array) {
    super(fs, ino, FileMode.S_IFLNK, fd, st);
  }

  override readlink(): string | number {
    if (this.target !== null) return this.target;
    const fd = this.hostFd();
    if (fd < 0) return fd;
    const r = this.host.readlink(fd, '');
    if (typeof r === 'string') this.target = r;
    return r;
  }
}
