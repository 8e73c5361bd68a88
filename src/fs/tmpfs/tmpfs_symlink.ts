// A tmpfs symbolic link. Like shmem, a target longer than a short inline
// buffer takes a page of the size limit.
import { FileMode } from '../../abi/linux/stat.js';
import type { NewInodeSpec } from '../../vfs/inode.js';
import type { Timestamp } from '../../vfs/timestamp.js';
import { TmpfsInode } from './tmpfs_inode.js';
import type { TmpfsFileSystem } from './tmpfs.js';

/** Targets up to this length live in the inode (shmem's SHORT_SYMLINK_LEN). */
export const SHORT_SYMLINK_LEN = 128;

export class TmpfsSymlink extends TmpfsInode {
  constructor(fs: TmpfsFileSystem, ino: number, spec: NewInodeSpec, now: Timestamp, readonly target: string) {
    super(fs, ino, FileMode.S_IFLNK, spec, now);
    this.attrs.mode = FileMode.S_IFLNK | 0o777;
    this.attrs.size = target.length;
    if (target.length > SHORT_SYMLINK_LEN) this.attrs.blocks = 8;
  }

  override readlink(): string {
    return this.target;
  }

  protected override releaseData(): void {
    if (this.target.length > SHORT_SYMLINK_LEN) this.fs.unchargePages(1);
  }
}
