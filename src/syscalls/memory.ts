// Memory syscalls: argument decoding only; the logic is the MemoryManager's.
// mmap of a descriptor hands the MemoryManager a MappedFile (src/mm/mapped_file.ts):
// FileMapping below adapts an open file description to it.
import { Errno } from '../abi/linux/errno.js';
import { OpenFlag, Seal } from '../abi/linux/fcntl.js';
import { MAP_ANONYMOUS } from '../abi/linux/mman.js';
import { FileMode, makeDev } from '../abi/linux/stat.js';
import { SYS } from '../abi/linux/syscalls.js';
import { SynthFs } from '../fs/proc/synthetic.js';
import type { Kernel } from '../kernel/kernel.js';
import type { FilePages } from '../memory/file_pages.js';
import type { Task } from '../kernel/task.js';
import type { MappedFile } from '../mm/mapped_file.js';
import type { FileDescription } from '../vfs/file.js';
import type { FsStruct } from '../vfs/fs_struct.js';
import { isRegular } from '../vfs/inode.js';
import { MountFlag } from '../vfs/mount.js';
import { OpenFile } from '../vfs/open_file.js';
import { pathName } from '../vfs/path.js';
import type { SyscallArgs } from './args.js';
import type { SyscallTable } from './table.js';

const PAGE_SIZE = 4096;
/** /dev/zero (mem major 1, minor 5). */
const DEV_ZERO = makeDev(1, 5);

/** offset_in_page() of a 64-bit argument, from its exact low word. */
function unaligned(a: SyscallArgs, i: number): boolean {
  return (a.u32(i) & (PAGE_SIZE - 1)) !== 0;
}

/**
 * An open file description as the MemoryManager maps it. One per
 * description (so that VMAs mapping the same description merge, as Linux's
 * with the same vm_file); it holds the description while any VMA maps it.
 * Mappable: regular files of every file system but the generated ones
 * (procfs, sysfs: no f_op->mmap, ENODEV), and /dev/zero.
 */
class FileMapping implements MappedFile {
  readonly readable: boolean;
  readonly writable: boolean;
  readonly mappable: boolean;
  readonly regular: boolean;
  readonly zero: boolean;
  /** No inode attribute for chattr +a in the VFS yet. */
  readonly appendOnly = false;
  readonly noexec: boolean;
  private readonly sealed: { seals?: unknown } | null;
  private refs = 0;

  constructor(private readonly f: FileDescription, private readonly fs: FsStruct) {
    const acc = f.flags & OpenFlag.O_ACCMODE;
    this.readable = acc === OpenFlag.O_RDONLY || acc === OpenFlag.O_RDWR;
    this.writable = acc === OpenFlag.O_WRONLY || acc === OpenFlag.O_RDWR;
    if (f instanceof OpenFile) {
      const inode = f.inode;
      this.regular = isRegular(inode);
      this.zero = inode.type === FileMode.S_IFCHR && inode.getattr().rdev === DEV_ZERO;
      this.mappable = this.zero || (this.regular && !(inode.fs instanceof SynthFs));
      this.noexec = (f.path.mount.flags & MountFlag.MS_NOEXEC) !== 0;
      this.sealed = inode as { seals?: unknown };
    } else {
      this.regular = this.zero = this.mappable = this.noexec = false;
      this.sealed = null;
    }
  }

  /** F_SEAL_WRITE or F_SEAL_FUTURE_WRITE on a memfd (an inode with a numeric `seals`, as tmpfs files carry them). */
  get writeSealed(): boolean {
    const seals = this.sealed?.seals;
    return typeof seals === 'number' && (seals & (Seal.F_SEAL_WRITE | Seal.F_SEAL_FUTURE_WRITE)) !== 0;
  }

  private get file(): OpenFile {
    return this.f as OpenFile; // only called for mappable files
  }

  get size(): number { return this.file.inode.getattr().size; }
  get dev(): number { return this.file.inode.fs.dev; }
  get ino(): number { return this.file.inode.ino; }
  get key(): object { return this.file.inode; }
  /**
   * A tmpfs file's or memfd's own pages (its inode's `filePages`; through an
   * overlay, its upper inode's), which shared mappings map directly.
   */
  get pages(): FilePages | null {
    type Paged = { filePages?: FilePages | null; upper?: Paged | null };
    const i = this.file.inode as Paged;
    return (i.upper ?? i).filePages ?? null;
  }

  name(): string {
    const r = pathName(this.file.path, this.fs.root);
    return r.deleted ? `${r.name} (deleted)` : r.name;
  }

  read(pos: number, dst: Uint8Array, off: number, len: number): number {
    return this.file.mappedIo(false, dst, off, len, pos);
  }

  write(pos: number, src: Uint8Array, off: number, len: number): number {
    return this.file.mappedIo(true, src, off, len, pos);
  }

  sync(): number {
    return this.file.fsync();
  }

  incRef(): void {
    if (this.refs++ === 0) this.f.incRef();
  }

  decRef(): void {
    if (--this.refs === 0) this.f.decRef();
  }
}

const mappings = new WeakMap<FileDescription, FileMapping>();

/** The MappedFile of descriptor fd (EBADF: none, or an O_PATH descriptor, which fget does not return). */
function mappedFile(t: Task, fd: number): MappedFile | number {
  const f = t.tg.fds.get(fd);
  if (f === undefined || (f instanceof OpenFile && f.isPath)) return -Errno.EBADF;
  let m = mappings.get(f);
  if (m === undefined) mappings.set(f, (m = new FileMapping(f, t.tg.fsContext.fs)));
  return m;
}

export function registerMemory(table: SyscallTable, _k: Kernel): void {
  table[SYS.brk] = (t, a) => t.tg.mm.brk(a.i64(0));
  // Addresses, lengths and offsets go to the MemoryManager signed (i64): small
  // negatives stay exact, so alignment and PAGE_ALIGN wrap-around match Linux
  // (see src/mm/args.ts). Values beyond 2^53 lose their low bits, so the
  // alignment checks Linux makes first are made here on the exact low word;
  // such values are far outside the address space and fail later anyway.
  table[SYS.mmap] = (t, a) => {
    // arch/x86/kernel/sys_x86_64.c: the offset's alignment is checked first.
    if (unaligned(a, 5)) return -Errno.EINVAL;
    const flags = a.int(3);
    // ksys_mmap_pgoff: fget(fd) next (the MemoryManager turns "no file" into EBADF).
    const file = (flags & MAP_ANONYMOUS) === 0 ? mappedFile(t, a.int(4)) : -1;
    return t.tg.mm.mmap(a.i64(0), a.i64(1), a.int(2), flags, file, a.i64(5));
  };
  table[SYS.munmap] = (t, a) => (unaligned(a, 0) ? -Errno.EINVAL : t.tg.mm.munmap(a.i64(0), a.i64(1)));
  table[SYS.mprotect] = (t, a) => {
    // prot is an unsigned long: any high bit is an unknown flag.
    if (unaligned(a, 0) || a.hi(2) !== 0) return -Errno.EINVAL;
    return t.tg.mm.mprotect(a.i64(0), a.i64(1), a.int(2));
  };
  table[SYS.mremap] = (t, a) => {
    // flags is an unsigned long: any high bit is an unknown flag.
    if (a.hi(3) !== 0 || unaligned(a, 0)) return -Errno.EINVAL;
    return t.tg.mm.mremap(a.i64(0), a.i64(1), a.i64(2), a.int(3), a.i64(4));
  };
  table[SYS.madvise] = (t, a) => (unaligned(a, 0) ? -Errno.EINVAL : t.tg.mm.madvise(a.i64(0), a.i64(1), a.int(2)));
  table[SYS.mincore] = (t, a) => (unaligned(a, 0) ? -Errno.EINVAL : t.tg.mm.mincore(a.i64(0), a.i64(1), a.i64(2)));
  table[SYS.msync] = (t, a) => (unaligned(a, 0) ? -Errno.EINVAL : t.tg.mm.msync(a.i64(0), a.i64(1), a.int(2)));
}
