// Opening and reading an executable for execve (Linux fs/exec.c
// do_open_execat): a regular file the caller may execute, on a mount that
// allows it, read whole through the VFS, unless the image cache
// (src/loader/image_cache.ts) holds this very file (same inode, size, mtime
// and ctime): then nothing is read.
import { Errno } from '../abi/linux/errno.js';
import { Access, OpenFlag } from '../abi/linux/fcntl.js';
import { At, FileMode } from '../abi/linux/stat.js';
import { accessAt } from '../vfs/attr_ops.js';
import { BufferMemory } from '../vfs/buffer_memory.js';
import type { FsCredentials } from '../vfs/credentials.js';
import type { Caller } from '../vfs/fs_struct.js';
import { MountFlag } from '../vfs/mount.js';
import { openAt, openatHow, openResolved } from '../vfs/open.js';
import { lookupAt } from '../vfs/resolve.js';
import { isRegular, isSymlink } from '../vfs/inode.js';
import type { OpenFile } from '../vfs/open_file.js';
import { pathName } from '../vfs/path.js';
import { hasWriters } from '../vfs/write_access.js';
import { parseElf } from '../loader/elf.js';
import type { CachedElf, ElfImageCache, FileStamp } from '../loader/image_cache.js';

/** The largest executable the kernel reads to start (the loader holds it in memory). */
const MAX_PROGRAM_BYTES = 1 << 30;

export interface Executable {
  /** The file's path inside the caller's root (what /proc/PID/exe shows). */
  exe: string;
  bytes: Uint8Array;
  /** Owner, group and mode, for set-user-ID and set-group-ID. */
  uid: number;
  gid: number;
  mode: number;
  /** The mount is nosuid: set-ID bits are ignored. */
  nosuid: boolean;
  /** The caller may read the file (an execute-only program makes the process non-dumpable). */
  readable: boolean;
  /** The file's inode (the running program denies writes to it). */
  inode: object;
  /**
   * The file's loaded image from the cache, pinned (the caller unpins it):
   * `bytes` are then only the file's head. Absent when not cached.
   */
  elf?: CachedElf;
}

/** Root's view for reading a file the caller may execute but not read (execute-only programs run too). */
const READER: FsCredentials = { uid: 0, gid: 0, euid: 0, fsuid: 0, fsgid: 0, groups: [] };

/**
 * Opens path (relative to dirfd; flags AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW
 * as execveat) for execution and reads it. Errors as execve(2): ENOENT,
 * ENOTDIR, ELOOP, EACCES (no search or execute permission, not a regular
 * file, a noexec mount), ENAMETOOLONG, EFAULT is the caller's.
 */
export async function readExecutable(caller: Caller, dirfd: number, path: string, flags: number, cache?: ElfImageCache): Promise<Executable | number> {
  // Execute permission with the effective IDs (MAY_EXEC: root needs one x bit).
  const ok = accessAt(caller, dirfd, path, Access.X_OK, At.AT_EACCESS | flags);
  if (ok < 0) return ok === -Errno.EISDIR ? -Errno.EACCES : ok;
  let how = openatHow(OpenFlag.O_RDONLY | ((flags & At.AT_SYMLINK_NOFOLLOW) !== 0 ? OpenFlag.O_NOFOLLOW : 0), 0);
  // execveat(fd, "", AT_EMPTY_PATH): the file the descriptor refers to (an O_PATH one too).
  const at = path === '' && (flags & At.AT_EMPTY_PATH) !== 0 ? caller.fdPath(dirfd) : null;
  if (typeof at === 'number') return at;
  // Only a regular file is opened (may_open refuses MAY_EXEC on the others): a FIFO's open must not wait.
  const where = at ?? lookupAt(caller, dirfd, path, { follow: (flags & At.AT_SYMLINK_NOFOLLOW) === 0 });
  if (typeof where === 'number') return where;
  // O_NOFOLLOW on a symlink is ELOOP (execveat AT_SYMLINK_NOFOLLOW).
  if (isSymlink(where.dentry.inode)) return -Errno.ELOOP;
  if (!isRegular(where.dentry.inode)) return -Errno.EACCES;
  const open = (c: Caller): OpenFile | number => {
    const r = at ? openResolved(c, at, how) : openAt(c, dirfd, path, how);
    return r instanceof Promise ? -Errno.EACCES : r;
  };
  let f = open(caller);
  const readable = f !== -Errno.EACCES;
  if (f === -Errno.EACCES) {
    // Execute without read permission: open_exec does not need MAY_READ.
    how = openatHow(OpenFlag.O_RDONLY, 0);
    f = open({ ...caller, creds: READER });
  }
  if (typeof f === 'number') return f === -Errno.EISDIR || f === -Errno.ENXIO ? -Errno.EACCES : f;
  try {
    return await readOpened(f, caller, readable, cache);
  } finally {
    // A new open file holds no reference until installed: take one to drop it.
    f.incRef();
    f.decRef();
  }
}

async function readOpened(f: OpenFile, caller: Caller, readable: boolean, cache?: ElfImageCache): Promise<Executable | number> {
  const attrs = f.inode.getattr();
  if ((attrs.mode & FileMode.S_IFMT) !== FileMode.S_IFREG) return -Errno.EACCES;
  if ((f.path.mount.flags & MountFlag.MS_NOEXEC) !== 0) return -Errno.EACCES;
  if (hasWriters(f.inode)) return -Errno.ETXTBSY; // do_open_execat's deny_write_access
  if (attrs.size > MAX_PROGRAM_BYTES) return -Errno.ENOMEM;
  // A cached image of this very file (same inode, size, mtime and ctime): nothing to read.
  const stamp: FileStamp = {
    size: attrs.size, mtimeSec: attrs.mtime.sec, mtimeNsec: attrs.mtime.nsec, ctimeSec: attrs.ctime.sec, ctimeNsec: attrs.ctime.nsec,
  };
  let elf = cache?.lookup(f.inode, stamp);
  let bytes: Uint8Array;
  if (elf !== undefined) {
    bytes = elf.head;
  } else {
    const buf = new Uint8Array(attrs.size);
    let done = 0;
    while (done < buf.length) {
      const r = await f.pread(new BufferMemory(buf), done, buf.length - done, done);
      if (r < 0) return r;
      if (r === 0) break;
      done += r;
    }
    bytes = buf.subarray(0, done);
    // Only a whole read of an ELF file is cached (a file that changed size meanwhile is not).
    const image = cache !== undefined && done === attrs.size ? parseElf(bytes) : -Errno.ENOEXEC;
    if (typeof image !== 'number') elf = cache!.insert(f.inode, stamp, image, bytes) ?? undefined;
  }
  return {
    exe: Buffer.from(pathName(f.path, caller.fs.root).name, 'latin1').toString('utf8'),
    bytes,
    elf,
    uid: attrs.uid,
    gid: attrs.gid,
    mode: attrs.mode,
    nosuid: (f.path.mount.flags & MountFlag.MS_NOSUID) !== 0,
    readable,
    inode: f.inode,
  };
}
