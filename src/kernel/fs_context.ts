// A process's view of the file system: its mount namespace, its FsStruct
// (root, working directory, umask), the drivers that open special files
// (FIFOs, device nodes), and the VFS Caller a task's file calls act as.
import { Errno } from '../abi/linux/errno.js';
import { devMajor, devMinor, FileMode } from '../abi/linux/stat.js';
import type { Caller, FsStruct, SpecialOpener } from '../vfs/fs_struct.js';
import type { FileImpl, Inode } from '../vfs/inode.js';
import type { MountNamespace } from '../vfs/mount.js';
import { OpenFile } from '../vfs/open_file.js';
import type { Task } from './task.js';
import type { FsCredentials } from '../vfs/credentials.js';
import { fifoOf } from '../fs/pipe/fifo.js';
import { pipeCallerFromCreds } from '../fs/pipe/accounting.js';

const ROOT: FsCredentials = { uid: 0, gid: 0, euid: 0, fsuid: 0, fsgid: 0, groups: [] };

/** Opens one kind of special file: the I/O of a new open file description, or -errno. */
export type SpecialOpenFn = (inode: Inode, flags: number, creds?: FsCredentials) => FileImpl | number | Promise<FileImpl | number>;

/**
 * The drivers of special files, shared by every process of a kernel. open(2)
 * of a FIFO goes to the FIFO driver (the pipes code registers it); of a
 * character or block device, to the driver registered for its major and
 * minor numbers (or for every minor of a major). ENXIO when none is (as
 * Linux for a device number without a driver); sockets are never opened.
 */
export class SpecialFiles implements SpecialOpener {
  /** Named pipes (man 7 fifo): a pipe buffer per FIFO inode, charged to the opener. */
  private fifo: SpecialOpenFn | undefined = (inode, flags, creds) => fifoOf(inode).open(flags, pipeCallerFromCreds(creds ?? ROOT));
  private readonly devices = new Map<string, SpecialOpenFn>();

  registerFifo(fn: SpecialOpenFn): void {
    this.fifo = fn;
  }

  /** minor -1: every minor of the major. */
  registerDevice(type: 'chr' | 'blk', major: number, minor: number, fn: SpecialOpenFn): void {
    this.devices.set(`${type}:${major}:${minor}`, fn);
  }

  open(inode: Inode, flags: number, creds?: FsCredentials): FileImpl | number | Promise<FileImpl | number> {
    switch (inode.type) {
      case FileMode.S_IFIFO:
        return this.fifo ? this.fifo(inode, flags, creds) : -Errno.ENXIO;
      case FileMode.S_IFCHR:
      case FileMode.S_IFBLK: {
        const type = inode.type === FileMode.S_IFCHR ? 'chr' : 'blk';
        const rdev = inode.getattr().rdev;
        const major = devMajor(rdev);
        const fn = this.devices.get(`${type}:${major}:${devMinor(rdev)}`) ?? this.devices.get(`${type}:${major}:-1`);
        return fn ? fn(inode, flags) : -Errno.ENXIO;
      }
      default:
        return -Errno.ENXIO;
    }
  }
}

/** The file-system state a process owns (Linux's nsproxy->mnt_ns and fs_struct). */
export class FsContext {
  /** Processes sharing it (clone with CLONE_FS); the last one's release drops root and cwd. */
  users = 1;

  constructor(
    readonly mountNs: MountNamespace,
    readonly fs: FsStruct,
    /** Opens FIFOs and device nodes (SpecialFiles, or the device registry of /dev once mounted). */
    readonly special: SpecialOpener,
  ) {}

  /** A child without CLONE_FS: the same namespace, a copy of root, cwd and umask. */
  fork(): FsContext {
    return new FsContext(this.mountNs, this.fs.clone(), this.special);
  }

  /** The process is gone: its hold on root and cwd goes too. */
  release(): void {
    this.fs.release();
  }
}

const callers = new WeakMap<Task, Caller>();
const callerTasks = new WeakMap<Caller, Task>();

/** The task a Caller made by callerOf stands for (procfs's /proc/self), else undefined. */
export function taskOfCaller(c: Caller): Task | undefined {
  return callerTasks.get(c);
}

/**
 * The VFS caller for a task: its current credentials (they may change with
 * setuid), its process's FsStruct, and its descriptors for the *at() calls:
 * an open file of the tree gives its location, a descriptor with no place in
 * it (a pipe, the host's stdio) is ENOTDIR, a closed one EBADF.
 */
export function callerOf(t: Task): Caller {
  let c = callers.get(t);
  if (!c) {
    c = {
      get creds() {
        return t.creds;
      },
      get fs() {
        return t.tg.fsContext.fs;
      },
      get special() {
        return t.tg.fsContext.special;
      },
      fdPath(fd: number) {
        const f = t.tg.fds.get(fd);
        if (!f) return -Errno.EBADF;
        return f instanceof OpenFile ? f.path : -Errno.ENOTDIR;
      },
    };
    callers.set(t, c);
    callerTasks.set(c, t);
  }
  return c;
}
