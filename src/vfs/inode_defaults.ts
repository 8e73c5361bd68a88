// What an inode answers for the operations of other file types (a directory
// operation on a file: ENOTDIR; readlink of a non-link: EINVAL; opening a
// node nothing drives: ENXIO; fallocate where it means nothing: ENODEV),
// shared by the file systems' inode base classes. Subclasses override what
// their type supports.
import { Errno } from '../abi/linux/errno.js';
import type { DirEmitter, FileImpl, Inode, NewInodeSpec } from './inode.js';

export abstract class InodeDefaults {
  lookup(_name: string): Inode | number {
    return -Errno.ENOTDIR;
  }
  mknod(_name: string, _spec: NewInodeSpec): Inode | number {
    return -Errno.ENOTDIR;
  }
  mkdir(_name: string, _spec: NewInodeSpec): Inode | number {
    return -Errno.ENOTDIR;
  }
  symlink(_name: string, _target: string, _spec: NewInodeSpec): Inode | number {
    return -Errno.ENOTDIR;
  }
  link(_name: string, _target: Inode): number {
    return -Errno.ENOTDIR;
  }
  unlink(_name: string): number {
    return -Errno.ENOTDIR;
  }
  rmdir(_name: string): number {
    return -Errno.ENOTDIR;
  }
  rename(_name: string, _newDir: Inode, _newName: string, _flags: number): number {
    return -Errno.ENOTDIR;
  }
  readdir(_cookie: number, _emit: DirEmitter): number {
    return -Errno.ENOTDIR;
  }
  readlink(): string | number {
    return -Errno.EINVAL;
  }
  open(_flags: number): FileImpl | number {
    return -Errno.ENXIO;
  }
  allocate(_mode: number, _offset: number, _len: number): number {
    return -Errno.ENODEV;
  }
}
