// The data-moving half of copy-up: file bytes (holes kept where the lower
// layer reports them through SEEK_DATA / SEEK_HOLE), extended attributes,
// and the attributes stat(2) shows. Everything goes through the Inode and
// FileImpl interfaces, so any file system can be the lower layer; the
// bytes pass through a private buffer posing as guest memory.
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { FileMode } from '../../abi/linux/stat.js';
import { BufferMemory } from '../../vfs/buffer_memory.js';
import type { IoResult } from '../../vfs/guest_memory.js';
import type { FileImpl, Inode, InodeAttrs } from '../../vfs/inode.js';

/** Default size of the buffer copy-up reads and writes through. */
export const COPY_UP_CHUNK = 1 << 20;


/**
 * Copy-up runs inside one system call and cannot wait: a layer whose I/O
 * answers with a Promise fails the copy with EIO (the Promise's outcome is
 * dropped).
 */
function settled(r: IoResult): number {
  if (typeof r === 'number') return r;
  r.then(
    () => undefined,
    () => undefined,
  );
  return -Errno.EIO;
}

/** Opens inode for the copy, holding a reference for as long as the FileImpl lives. */
function openFor(inode: Inode, flags: number): { impl: FileImpl; close(): void } | number {
  inode.incRef();
  const impl = inode.open(flags);
  if (typeof impl === 'number') {
    inode.decRef();
    return impl;
  }
  return {
    impl,
    close(): void {
      impl.release?.();
      inode.decRef();
    },
  };
}

/**
 * Copies the first `size` bytes of the regular file src into dst (empty,
 * regular), skipping holes src reports, and sets dst's size to `size`.
 * 0 or -errno (ENOSPC from a full upper layer, EIO from an asynchronous one).
 */
export function copyData(src: Inode, dst: Inode, size: number, chunk = COPY_UP_CHUNK): number {
  if (size > 0) {
    const from = openFor(src, OpenFlag.O_RDONLY);
    if (typeof from === 'number') return from;
    const to = openFor(dst, OpenFlag.O_WRONLY);
    if (typeof to === 'number') {
      from.close();
      return to;
    }
    try {
      const err = copyRanges(from.impl, to.impl, size, chunk);
      if (err < 0) return err;
    } finally {
      from.close();
      to.close();
    }
  }
  return dst.setattr({ size });
}

function copyRanges(src: FileImpl, dst: FileImpl, size: number, chunk: number): number {
  const mem = new BufferMemory(new Uint8Array(Math.max(1, Math.min(chunk, size))));
  const cap = mem.buf.length;
  let pos = 0;
  while (pos < size) {
    let start = pos;
    let end = size;
    if (src.seekData) {
      const data = src.seekData(pos, false);
      if (data < 0) break; // ENXIO: only a hole is left
      start = Math.min(data, size);
      if (start >= size) break;
      const hole = src.seekData(start, true);
      end = hole < 0 ? size : Math.min(Math.max(hole, start + 1), size);
    }
    for (let p = start; p < end;) {
      const want = Math.min(cap, end - p);
      const r = settled(src.read(mem, 0, want, p));
      if (r < 0) return r;
      if (r === 0) return 0; // the lower file is shorter than it said: keep what there is
      let off = 0;
      while (off < r) {
        const w = settled(dst.write(mem, off, r - off, p + off));
        if (w < 0) return w;
        if (w === 0) return -Errno.EIO;
        off += w;
      }
      p += r;
    }
    pos = end;
  }
  return 0;
}

/**
 * Copies every extended attribute src lists to dst. A name dst cannot
 * store (EOPNOTSUPP, e.g. system.* ACLs on tmpfs) is skipped; a lower
 * layer without xattrs has none to copy.
 */
export function copyXattrs(src: Inode, dst: Inode): number {
  const names = src.listxattr();
  if (typeof names === 'number') return names === -Errno.EOPNOTSUPP ? 0 : names;
  for (const name of names) {
    const value = src.getxattr(name);
    if (typeof value === 'number') {
      if (value === -Errno.ENODATA || value === -Errno.EOPNOTSUPP) continue;
      return value;
    }
    const r = dst.setxattr(name, value, 0);
    if (r < 0 && r !== -Errno.EOPNOTSUPP) return r;
  }
  return 0;
}

/** Mode bits, owner and the three settable timestamps of a onto dst (last: writing data moved mtime). */
export function copyAttrs(a: Readonly<InodeAttrs>, dst: Inode): number {
  return dst.setattr({
    mode: a.mode & 0o7777,
    uid: a.uid,
    gid: a.gid,
    atime: a.atime,
    mtime: a.mtime,
    ctime: a.ctime,
  });
}

/** Contents (data of regular files up to dataLimit bytes), xattrs, then attributes of src onto the fresh dst. */
export function copyContents(src: Inode, dst: Inode, dataLimit: number, chunk = COPY_UP_CHUNK): number {
  const a = src.getattr();
  if (src.type === FileMode.S_IFREG) {
    const err = copyData(src, dst, Math.min(a.size, dataLimit), chunk);
    if (err < 0) return err;
  }
  const err = copyXattrs(src, dst);
  if (err < 0) return err;
  return copyAttrs(a, dst);
}
