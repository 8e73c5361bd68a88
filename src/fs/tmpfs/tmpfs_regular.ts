// A tmpfs regular file: bytes in a PageStore, charged to the file system's
// size limit page by page (ENOSPC), holes for pages never written. The data
// operations work on plain Uint8Arrays; TmpfsFileImpl adapts them to guest
// memory segment by segment, without an intermediate copy. When the pages are
// in the MemoryFile, `filePages` lets shared mappings map them directly
// (src/memory/file_pages.ts): truncation and hole punching first make every
// address space let go of the pages they free.
import { Errno } from '../../abi/linux/errno.js';
import { Seal } from '../../abi/linux/fcntl.js';
import { filePagesHooks, type FilePages } from '../../memory/file_pages.js';
import type { MemoryFile } from '../../memory/memory_file.js';
import { F_SEAL_EXEC } from '../../abi/linux/memfd.js';
import { FileMode } from '../../abi/linux/stat.js';
import type { GuestMemory, IoResult } from '../../vfs/guest_memory.js';
import { FallocFlag, type FileImpl, type NewInodeSpec, type SetAttrRequest } from '../../vfs/inode.js';
import { MAX_FILE_SIZE } from '../../vfs/limits.js';
import type { Timestamp } from '../../vfs/timestamp.js';
import { PAGE_SIZE, type PageStore } from './page_store.js';
import { TmpfsInode } from './tmpfs_inode.js';
import type { TmpfsFileSystem } from './tmpfs.js';

const SECTORS_PER_PAGE = PAGE_SIZE / 512;

/** The seals that forbid write(2) (F_SEAL_WRITE, F_SEAL_FUTURE_WRITE). */
const WRITE_SEALS = Seal.F_SEAL_WRITE | Seal.F_SEAL_FUTURE_WRITE;

export class TmpfsRegular extends TmpfsInode {
  /**
   * memfd seals (man 2 memfd_create, fcntl F_ADD_SEALS): every shmem file
   * has them; F_SEAL_SEAL from the start forbids adding any, except on
   * memfds made with MFD_ALLOW_SEALING or MFD_NOEXEC_SEAL.
   */
  seals: number = Seal.F_SEAL_SEAL;
  /**
   * A hugetlbfs file (MFD_HUGETLB) of this huge page size, else 0. The
   * sandbox has no huge pages (as a host with an empty pool): write(2) is
   * EINVAL, sizes are whole huge pages, fallocate is ENOSPC, reads see zeros.
   */
  hugePageSize = 0;
  private mapped: TmpfsFilePages | null = null;

  constructor(fs: TmpfsFileSystem, ino: number, spec: NewInodeSpec, now: Timestamp, readonly pages: PageStore) {
    super(fs, ino, FileMode.S_IFREG, spec, now);
  }

  /**
   * The file's pages for a shared mapping to map directly (one object per
   * file), or null when they are not in a MemoryFile or the file is a
   * hugetlbfs one (mapped by copy, as host files are).
   */
  get filePages(): FilePages | null {
    if (this.mapped !== null) return this.mapped;
    const mf = this.pages.mf;
    if (mf === null || this.hugePageSize > 0) return null;
    return (this.mapped = new TmpfsFilePages(this, mf));
  }

  /** Before pages [pg, end) are freed: address spaces mapping the file let go of them (evenCows: private copies too). */
  private invalidate(pg: number, end: number, evenCows: boolean): void {
    const m = this.mapped;
    if (m !== null && m.mappers > 0 && pg < end) filePagesHooks.invalidate(m, pg, end, evenCows);
  }

  /**
   * Gives zeroed pages to the holes of [pg, end), charging each: 0, -ENOSPC
   * (the size limit) or -ENOMEM (the MemoryFile); earlier pages stay.
   */
  fillPages(pg: number, end: number): number {
    for (let i = pg; i < end; i++) {
      if (this.pages.has(i)) continue;
      if (!this.fs.chargePages(1)) return -Errno.ENOSPC;
      if (this.pages.allocate(i) === null) {
        this.fs.unchargePages(1);
        return -Errno.ENOMEM;
      }
      this.attrs.blocks += SECTORS_PER_PAGE;
    }
    return 0;
  }

  /**
   * How much of a write of len bytes at pos the seals let through (page by
   * page, as shmem_write_begin checks each): len, fewer, or -EPERM for none.
   */
  writableBytes(pos: number, len: number): number {
    if (len <= 0) return len;
    if ((this.seals & WRITE_SEALS) !== 0) return -Errno.EPERM;
    if ((this.seals & Seal.F_SEAL_GROW) === 0) return len;
    const size = this.attrs.size;
    const end = pos + len;
    let p = pos;
    while (p < end) {
      const c = Math.min(PAGE_SIZE - (p % PAGE_SIZE), end - p);
      if (p + c > size) break;
      p += c;
    }
    return p > pos ? p - pos : -Errno.EPERM;
  }

  /** Copies up to len bytes at pos into dst[off..]; stops at the end of file. Bytes read. */
  readAt(pos: number, dst: Uint8Array, off: number, len: number): number {
    const size = this.attrs.size;
    if (pos >= size || len <= 0) return 0;
    const n = Math.min(len, size - pos);
    let done = 0;
    while (done < n) {
      const p = pos + done;
      const index = Math.floor(p / PAGE_SIZE);
      const inPage = p - index * PAGE_SIZE;
      const chunk = Math.min(PAGE_SIZE - inPage, n - done);
      const page = this.pages.get(index);
      if (page) dst.set(page.subarray(inPage, inPage + chunk), off + done);
      else dst.fill(0, off + done, off + done + chunk);
      done += chunk;
    }
    return n;
  }

  /**
   * Copies len bytes of src[off..] to pos, allocating pages; the file grows
   * as needed. Bytes written, or -ENOSPC / -EFBIG if none could be.
   * Updates mtime and ctime when anything was written.
   */
  writeAt(pos: number, src: Uint8Array, off: number, len: number): number {
    if (len <= 0) return 0;
    if (pos >= MAX_FILE_SIZE) return -Errno.EFBIG;
    len = Math.min(len, MAX_FILE_SIZE - pos);
    let done = 0;
    let err = -Errno.ENOSPC;
    while (done < len) {
      const p = pos + done;
      const index = Math.floor(p / PAGE_SIZE);
      const inPage = p - index * PAGE_SIZE;
      const chunk = Math.min(PAGE_SIZE - inPage, len - done);
      let page = this.pages.get(index);
      if (!page) {
        if (!this.fs.chargePages(1)) break;
        const fresh = this.pages.allocate(index);
        if (fresh === null) {
          this.fs.unchargePages(1);
          err = -Errno.ENOMEM; // the MemoryFile (sandbox memory) is full
          break;
        }
        page = fresh;
        this.attrs.blocks += SECTORS_PER_PAGE;
      }
      page.set(src.subarray(off + done, off + done + chunk), inPage);
      done += chunk;
    }
    if (done === 0) return err;
    if (pos + done > this.attrs.size) this.attrs.size = pos + done;
    const now = this.fs.clock.now();
    this.attrs.mtime = now;
    this.attrs.ctime = now;
    return done;
  }

  override setattr(req: SetAttrRequest): number {
    // shmem_setattr / hugetlbfs_setattr: F_SEAL_EXEC freezes the exec bits; SHRINK and GROW the size.
    if (req.mode !== undefined && (this.seals & F_SEAL_EXEC) !== 0 && ((this.attrs.mode ^ req.mode) & 0o111) !== 0) return -Errno.EPERM;
    if (req.size !== undefined) {
      if (req.size < 0) return -Errno.EINVAL;
      if (req.size > MAX_FILE_SIZE) return -Errno.EFBIG;
      if (this.hugePageSize > 0 && req.size % this.hugePageSize !== 0) return -Errno.EINVAL;
      const old = this.attrs.size;
      if ((req.size < old && (this.seals & Seal.F_SEAL_SHRINK) !== 0) || (req.size > old && (this.seals & Seal.F_SEAL_GROW) !== 0)) return -Errno.EPERM;
      this.truncate(req.size);
    }
    this.applyAttrs(req);
    return 0;
  }

  /**
   * Sets the size: shrinking frees every page past the new end (those
   * fallocate'd beyond the old size too) and zeroes the tail of the last.
   */
  private truncate(size: number): void {
    const old = this.attrs.size;
    this.attrs.size = size;
    if (size >= old) return;
    const keep = Math.ceil(size / PAGE_SIZE);
    // truncate_pagecache: mappings of the pages past the end go first (private copies too: SIGBUS there).
    this.invalidate(keep, Infinity, true);
    this.freePages(keep, Infinity);
    if (size % PAGE_SIZE !== 0) this.pages.get(keep - 1)?.fill(0, size % PAGE_SIZE);
  }

  /** Zeroes [start, end): whole pages are freed, partial ones cleared. */
  private zeroRange(start: number, end: number): void {
    const first = Math.ceil(start / PAGE_SIZE);
    const last = Math.floor(end / PAGE_SIZE);
    const headIndex = Math.floor(start / PAGE_SIZE);
    if (start % PAGE_SIZE !== 0) {
      const head = this.pages.get(headIndex);
      head?.fill(0, start % PAGE_SIZE, headIndex === Math.floor((end - 1) / PAGE_SIZE) ? ((end - 1) % PAGE_SIZE) + 1 : PAGE_SIZE);
    }
    if (end % PAGE_SIZE !== 0 && last >= first && last !== headIndex) {
      this.pages.get(last)?.fill(0, 0, end % PAGE_SIZE);
    }
    this.invalidate(first, last, false);
    this.freePages(first, last);
  }

  /** Frees the pages of [first, end) and their charge. */
  private freePages(first: number, end: number): void {
    if (first >= end) return;
    const n = this.pages.freeRange(first, end);
    this.fs.unchargePages(n);
    this.attrs.blocks -= n * SECTORS_PER_PAGE;
  }

  /**
   * fallocate: allocate pages (all or nothing: ENOSPC leaves the file as it
   * was), growing the size unless FALLOC_FL_KEEP_SIZE; or punch a hole
   * (FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE). Other modes: EOPNOTSUPP.
   */
  override allocate(mode: number, offset: number, len: number): number {
    if ((mode & ~(FallocFlag.FALLOC_FL_KEEP_SIZE | FallocFlag.FALLOC_FL_PUNCH_HOLE)) !== 0) return -Errno.EOPNOTSUPP;
    const end = offset + len;
    const now = this.fs.clock.now();
    const punch = (mode & FallocFlag.FALLOC_FL_PUNCH_HOLE) !== 0;
    // shmem_fallocate: a hole may not be punched under a write seal, nor the file grow under F_SEAL_GROW (KEEP_SIZE or not).
    if (punch && (this.seals & WRITE_SEALS) !== 0) return -Errno.EPERM;
    if (!punch && (this.seals & Seal.F_SEAL_GROW) !== 0 && end > this.attrs.size) return -Errno.EPERM;
    if (this.hugePageSize > 0 && !punch) return -Errno.ENOSPC;
    if (punch) {
      this.zeroRange(offset, end);
      this.attrs.mtime = now;
      this.attrs.ctime = now;
      return 0;
    }
    const first = Math.floor(offset / PAGE_SIZE);
    const last = Math.ceil(end / PAGE_SIZE);
    const missing: number[] = [];
    for (let i = first; i < last; i++) if (!this.pages.has(i)) missing.push(i);
    if (!this.fs.chargePages(missing.length)) return -Errno.ENOSPC;
    for (let k = 0; k < missing.length; k++) {
      if (this.pages.allocate(missing[k]) !== null) continue;
      // The MemoryFile is full: undo (all or nothing).
      for (let j = 0; j < k; j++) this.pages.free(missing[j]);
      this.fs.unchargePages(missing.length);
      return -Errno.ENOMEM;
    }
    this.attrs.blocks += missing.length * SECTORS_PER_PAGE;
    if ((mode & FallocFlag.FALLOC_FL_KEEP_SIZE) === 0 && end > this.attrs.size) {
      this.attrs.size = end;
      this.attrs.ctime = now;
    }
    return 0;
  }

  /** SEEK_DATA / SEEK_HOLE at page granularity (allocated pages are data). pos < size. */
  seekData(pos: number, hole: boolean): number {
    const size = this.attrs.size;
    let index = Math.floor(pos / PAGE_SIZE);
    const lastIndex = Math.floor((size - 1) / PAGE_SIZE);
    if (hole) {
      while (index <= lastIndex && this.pages.has(index)) index++;
      return Math.min(size, Math.max(pos, index * PAGE_SIZE));
    }
    let next = Infinity;
    for (const i of this.pages.indices()) if (i >= index && i < next) next = i;
    if (next > lastIndex) return -Errno.ENXIO;
    return Math.max(pos, next * PAGE_SIZE);
  }

  override open(_flags: number): FileImpl | number {
    return new TmpfsFileImpl(this);
  }

  protected override releaseData(): void {
    const n = this.pages.freeRange(0, Infinity);
    this.fs.unchargePages(n);
    this.attrs.blocks = 0;
  }
}

/** A tmpfs file's pages as shared mappings see them (src/memory/file_pages.ts). */
class TmpfsFilePages implements FilePages {
  mappers = 0;

  constructor(private readonly file: TmpfsRegular, readonly mf: MemoryFile) {}

  filePage(pg: number): number {
    return this.file.pages.filePage(pg);
  }

  fill(pg: number, n: number): number {
    return this.file.fillPages(pg, pg + n);
  }

  punch(pg: number, n: number): number {
    return this.file.allocate(FallocFlag.FALLOC_FL_PUNCH_HOLE | FallocFlag.FALLOC_FL_KEEP_SIZE, pg * PAGE_SIZE, n * PAGE_SIZE);
  }
}

/** The I/O of an open tmpfs regular file, straight between pages and guest memory. */
export class TmpfsFileImpl implements FileImpl {
  readonly seekable = true;

  constructor(private readonly file: TmpfsRegular) {}

  read(mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    const n = Math.min(len, this.file.attrs.size - pos);
    if (n <= 0) return 0;
    let p = pos;
    return mm.forEachSegment(addr, n, true, (buf, off, l) => {
      const r = this.file.readAt(p, buf, off, l);
      p += r;
      return r;
    });
  }

  write(mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    // hugetlbfs has no write(2); seals may refuse some or all of it.
    if (this.file.hugePageSize > 0) return -Errno.EINVAL;
    if (this.file.seals !== Seal.F_SEAL_SEAL) {
      const n = this.file.writableBytes(pos, len);
      if (n < 0) return n;
      len = n;
    }
    let p = pos;
    return mm.forEachSegment(addr, len, false, (buf, off, l) => {
      const r = this.file.writeAt(p, buf, off, l);
      if (r > 0) p += r;
      return r;
    });
  }

  seekData(pos: number, hole: boolean): number {
    return this.file.seekData(pos, hole);
  }
}
