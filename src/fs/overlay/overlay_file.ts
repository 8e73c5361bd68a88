// The I/O of an open overlay regular file. It works on the layer current at
// open; a descriptor opened on the lower layer that sees its file copied up
// later (through another descriptor or a path) switches to the upper file at
// its next operation, so it reads what was written there, as overlayfs does
// since Linux 4.19 (ovl_real_fdget) and as runsc's overlay does.
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import type { GuestMemory, IoResult } from '../../vfs/guest_memory.js';
import type { FileImpl } from '../../vfs/inode.js';
import type { OverlayInode } from './overlay_inode.js';

/** Flags that acted at open and must not act again when the upper file is opened later. */
const OPEN_ONLY = OpenFlag.O_CREAT | OpenFlag.O_EXCL | OpenFlag.O_TRUNC | OpenFlag.O_NOCTTY;

export class OverlayFileImpl implements FileImpl {
  private onUpper: boolean;

  private constructor(
    private readonly node: OverlayInode,
    private real: FileImpl,
    private readonly flags: number,
  ) {
    this.onUpper = node.upper !== null;
  }

  /** The I/O of node's current layer, or -errno. */
  static open(node: OverlayInode, flags: number): FileImpl | number {
    const layer = node.upper ?? node.lower!;
    const real = layer.open(flags);
    if (typeof real === 'number') return real;
    return new OverlayFileImpl(node, real, flags);
  }

  /** The current layer's I/O: the upper file's once the file has been copied up. */
  private current(): FileImpl {
    if (!this.onUpper && this.node.upper) {
      const r = this.node.upper.open(this.flags & ~OPEN_ONLY);
      if (typeof r !== 'number') {
        this.real.release?.();
        this.real = r;
        this.onUpper = true;
      }
    }
    return this.real;
  }

  get seekable(): boolean {
    return this.real.seekable;
  }

  read(mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    return this.current().read(mm, addr, len, pos);
  }

  write(mm: GuestMemory, addr: number, len: number, pos: number): IoResult {
    return this.current().write(mm, addr, len, pos);
  }

  seekData(pos: number, hole: boolean): number {
    const real = this.current();
    if (real.seekData) return real.seekData(pos, hole);
    return hole ? this.node.getattr().size : pos;
  }

  fsync(): number {
    const real = this.current();
    return real.fsync ? real.fsync() : 0;
  }

  ioctl(mm: GuestMemory, request: number, arg: number): number {
    const real = this.current();
    return real.ioctl ? real.ioctl(mm, request, arg) : -Errno.ENOTTY;
  }

  release(): void {
    this.real.release?.();
  }
}
