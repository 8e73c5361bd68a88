// The files of memfd_create(2): unnamed regular files on internal tmpfs
// instances that are mounted nowhere (Linux's shm_mnt, and a hugetlbfs per
// huge page size for MFD_HUGETLB). Each file's dentry is "memfd:NAME" under
// the internal root, never hashed, so /proc/PID/fd shows
// "/memfd:NAME (deleted)"; the inode has no link and goes when its last
// open file and mapping do.
import os from 'node:os';
import { Errno } from '../../abi/linux/errno.js';
import { Seal } from '../../abi/linux/fcntl.js';
import { F_SEAL_EXEC } from '../../abi/linux/memfd.js';
import { FileMode } from '../../abi/linux/stat.js';
import { filePagesHooks } from '../../memory/file_pages.js';
import { Dentry, dentryCacheOf } from '../../vfs/dentry.js';
import type { StatFsValues } from '../../vfs/inode.js';
import { Mount } from '../../vfs/mount.js';
import type { VfsPath } from '../../vfs/path.js';
import { TmpfsFileSystem } from './tmpfs.js';
import { TmpfsRegular } from './tmpfs_regular.js';

export const HUGETLBFS_MAGIC = 0x958458f6;

/** A hugetlbfs instance for one huge page size (its statfs tells it apart). */
class HugetlbFileSystem extends TmpfsFileSystem {
  override readonly type: string = 'hugetlbfs';

  constructor(readonly hugePageSize: number, maxBytes: number) {
    super({ maxBytes });
  }

  override statfs(): StatFsValues {
    const s = super.statfs();
    // An empty huge page pool: no blocks at all.
    return { ...s, type: HUGETLBFS_MAGIC, bsize: this.hugePageSize, frsize: this.hugePageSize, blocks: 0, bfree: 0, bavail: 0 };
  }
}

interface Internal {
  fs: TmpfsFileSystem;
  mount: Mount;
}

let shm: Internal | null = null;
const huge = new Map<number, Internal>();

/**
 * Bytes all memfds together may hold (their tmpfs's size limit), so a guest
 * cannot make the sentry hold unbounded memory: ENOSPC past it. Set before
 * the first memfd is made (setMemfdLimit); default: an eighth of the host's
 * memory (half of the kernel's default memory limit, as the sandbox's tmpfs).
 */
let limitBytes = Math.floor(os.totalmem() / 8);

export function setMemfdLimit(bytes: number): void {
  limitBytes = bytes;
}

function internal(fs: TmpfsFileSystem): Internal {
  return { fs, mount: new Mount(fs, dentryCacheOf(fs).root, 0, null) };
}

/** The huge page sizes the sandbox offers, by log2 (MFD_HUGE_2MB, MFD_HUGE_1GB), as x86-64 does. */
const HUGE_SIZES = new Set([21, 30]);
/** The default huge page size (Hugepagesize in /proc/meminfo). */
const DEFAULT_HUGE_SHIFT = 21;

export interface MemfdSpec {
  /** The caller's name (bytes as a latin1 string), at most MFD_NAME_MAX_LEN bytes. */
  name: string;
  /** Owner: the caller's fsuid and fsgid. */
  uid: number;
  gid: number;
  /** Permission bits (0777, or 0666 with MFD_NOEXEC_SEAL). */
  mode: number;
  /** Initial seals (F_SEAL_SEAL unless sealing is allowed; F_SEAL_EXEC with MFD_NOEXEC_SEAL). */
  seals: number;
  /** log2 of the huge page size for MFD_HUGETLB (0: the default one), or -1 for a plain memfd. */
  hugeShift: number;
}

/**
 * A new memfd's place: the path of its (dead) dentry on the internal mount,
 * the inode holding no reference yet (OpenFile takes one). -ENODEV for an
 * unsupported huge page size, -ENOSPC when the inode cannot be made.
 */
export function createMemfd(spec: MemfdSpec): { path: VfsPath; inode: TmpfsRegular } | number {
  let home: Internal;
  let hugePage = 0;
  if (spec.hugeShift < 0) {
    shm ??= internal(new TmpfsFileSystem({ maxBytes: limitBytes, rootMode: 0o1777 }));
    home = shm;
  } else {
    const shift = spec.hugeShift === 0 ? DEFAULT_HUGE_SHIFT : spec.hugeShift;
    if (!HUGE_SIZES.has(shift)) return -Errno.ENODEV;
    hugePage = 2 ** shift;
    let h = huge.get(shift);
    if (!h) {
      h = internal(new HugetlbFileSystem(hugePage, limitBytes));
      huge.set(shift, h);
    }
    home = h;
  }
  const inode = home.fs.newTmpfile({ mode: FileMode.S_IFREG | (spec.mode & 0o7777), uid: spec.uid, gid: spec.gid, rdev: 0 });
  if (typeof inode === 'number') return inode;
  if (!(inode instanceof TmpfsRegular)) return -Errno.EINVAL;
  inode.seals = spec.seals;
  if (hugePage > 0) {
    inode.hugePageSize = hugePage;
    inode.attrs.blksize = hugePage;
  }
  const root = home.mount.root;
  const dentry = new Dentry(root.cache, `memfd:${spec.name}`, root, inode);
  dentry.dead = true;
  return { path: { mount: home.mount, dentry }, inode };
}

/**
 * The seals of the file behind inode (memfd_file_seals_ptr): any tmpfs or
 * hugetlbfs regular file has them (F_SEAL_SEAL unless made by memfd_create
 * with sealing allowed); other files have none (null: EINVAL).
 */
export function sealsOf(inode: unknown): TmpfsRegular | null {
  return inode instanceof TmpfsRegular ? inode : null;
}

/**
 * What sealing asks of the memory manager: whether the file (the inode) has
 * a shared mapping that is or may become writable (mapping_deny_writable
 * fails: F_SEAL_WRITE is EBUSY). Answered through the file's pages
 * (src/memory/file_pages.ts) when they are in the MemoryFile.
 */
export const sealHooks = {
  writableSharedMappings: (inode: object): boolean => {
    const pages = inode instanceof TmpfsRegular ? inode.filePages : null;
    return pages !== null && pages.mappers > 0 && filePagesHooks.sharedWritable(pages);
  },
};

/**
 * memfd_add_seals after the caller's checks (write access, known bits):
 * EPERM once F_SEAL_SEAL is set; F_SEAL_WRITE is EBUSY while writable
 * shared mappings exist. F_SEAL_EXEC on an executable file implies the
 * write seals.
 */
export function addSeals(file: TmpfsRegular, seals: number): number {
  if ((file.seals & Seal.F_SEAL_SEAL) !== 0) return -Errno.EPERM;
  if ((seals & Seal.F_SEAL_WRITE) !== 0 && (file.seals & Seal.F_SEAL_WRITE) === 0 && sealHooks.writableSharedMappings(file)) return -Errno.EBUSY;
  if ((seals & F_SEAL_EXEC) !== 0 && (file.attrs.mode & 0o111) !== 0) {
    seals |= Seal.F_SEAL_SHRINK | Seal.F_SEAL_GROW | Seal.F_SEAL_WRITE | Seal.F_SEAL_FUTURE_WRITE;
  }
  file.seals |= seals;
  return 0;
}
