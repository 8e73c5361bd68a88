// overlay: a read-only lower file system seen through a writable upper one
// (Linux overlayfs, runsc's root overlay). The guest sees one merged tree;
// every change lands in the upper layer (a tmpfs) and the lower one is
// never modified. See README.md in this directory for the semantics.
//
// What the upper layer cannot say by itself is kept in side tables keyed by
// upper inodes (never visible to the guest, never stored as files):
//   - whiteouts: names of a merged directory hidden in its lower directory;
//   - the lower directory a copied-up directory merges with (its "redirect":
//     set at copy-up and kept through renames). An upper directory without
//     one is opaque: nothing of the lower layer shows through it;
//   - the lower inode number of a copied-up file, so st_ino does not change.
// The upper layer must be dedicated to one overlay, start empty, and keep
// its Inode objects for as long as they are linked (tmpfs does).
import { FileMode } from '../../abi/linux/stat.js';
import { allocAnonDev } from '../../vfs/anon_dev.js';
import type { FileSystem, Inode, InodeAttrs, StatFsValues } from '../../vfs/inode.js';
import type { Clock } from '../../vfs/timestamp.js';
import { COPY_UP_CHUNK, copyAttrs, copyXattrs } from './copy_up.js';
import { OverlayInode } from './overlay_inode.js';

/** statfs f_type of overlayfs (OVERLAYFS_SUPER_MAGIC). */
export const OVERLAYFS_SUPER_MAGIC = 0x794c7630;

/**
 * Inode numbers: a file keeps the number of the lower file it came from
 * (before and after copy-up); files born in the upper layer get theirs
 * above this bound, so the two ranges never meet (like overlayfs' xino).
 */
export const UPPER_INO_BASE = 2 ** 52;
/** Numbers handed out for the rare inode numbers outside their range. */
const SPILL_INO_BASE = UPPER_INO_BASE + 2 ** 51;

export interface OverlayOptions {
  /** Bytes read and written at a time when copying a file up (default 1 MiB). */
  copyUpChunk?: number;
  /**
   * Give the upper root the lower root's mode, owner, timestamps and xattrs
   * (default true), so "/" looks like the lower root.
   */
  syncRoot?: boolean;
}

/** What the overlay remembers of an upper inode. */
interface UpperInfo {
  /** st_ino of the lower file it was copied up from. */
  originIno?: number;
  /** The lower directory this upper directory merges with (absent: opaque). */
  lowerDir?: Inode;
  /** Lower names hidden in this (upper) directory. */
  whiteouts?: Set<string>;
}

export class OverlayFileSystem implements FileSystem {
  readonly type = 'overlay';
  readonly dev = allocAnonDev();
  readonly readOnly = false;
  readonly clock: Clock;
  readonly root: OverlayInode;
  readonly copyUpChunk: number;
  private readonly info = new WeakMap<Inode, UpperInfo>();
  /** One OverlayInode per live upper inode, so hard links in the upper layer are one inode to the VFS. */
  private readonly byUpper = new WeakMap<Inode, WeakRef<OverlayInode>>();
  private readonly spill = new Map<string, number>();
  private nextSpill = SPILL_INO_BASE;

  constructor(readonly lower: FileSystem, readonly upper: FileSystem, opts: OverlayOptions = {}) {
    this.clock = upper.clock;
    this.copyUpChunk = opts.copyUpChunk ?? COPY_UP_CHUNK;
    const info = this.infoOf(upper.root);
    info.originIno = lower.root.ino;
    info.lowerDir = lower.root;
    if (opts.syncRoot ?? true) {
      copyXattrs(lower.root, upper.root);
      copyAttrs(lower.root.getattr(), upper.root);
    }
    this.root = new OverlayInode(this, null, '', upper.root, lower.root);
    this.registerUpper(upper.root, this.root);
  }

  statfs(): StatFsValues {
    return { ...this.upper.statfs(), type: OVERLAYFS_SUPER_MAGIC };
  }

  // Side tables.

  private infoOf(upper: Inode): UpperInfo {
    let i = this.info.get(upper);
    if (!i) {
      i = {};
      this.info.set(upper, i);
    }
    return i;
  }

  /**
   * Remembers where a copied-up inode came from. A lower file with other
   * hard links is not given its lower number: copy-up breaks the link, and
   * two different files must not share an inode number (overlayfs without
   * index=on does the same), so that one gets an upper number.
   */
  recordCopyUp(upper: Inode, lower: Inode, lowerAttrs: Readonly<InodeAttrs>): void {
    const i = this.infoOf(upper);
    const isDir = lower.type === FileMode.S_IFDIR;
    if (isDir || lowerAttrs.nlink <= 1) i.originIno = lower.ino;
    if (isDir) i.lowerDir = lower;
  }

  /** The lower directory an upper directory merges with, or null (opaque). */
  lowerDirOf(upper: Inode): Inode | null {
    return this.info.get(upper)?.lowerDir ?? null;
  }

  isWhiteout(upperDir: Inode, name: string): boolean {
    return this.info.get(upperDir)?.whiteouts?.has(name) === true;
  }

  addWhiteout(upperDir: Inode, name: string): void {
    (this.infoOf(upperDir).whiteouts ??= new Set()).add(name);
  }

  /** A name was created in upperDir: it is no longer a whiteout. */
  removeWhiteout(upperDir: Inode, name: string): void {
    this.info.get(upperDir)?.whiteouts?.delete(name);
  }

  clearWhiteouts(upperDir: Inode): void {
    const i = this.info.get(upperDir);
    if (i) i.whiteouts = undefined;
  }

  registerUpper(upper: Inode, node: OverlayInode): void {
    this.byUpper.set(upper, new WeakRef(node));
  }

  /** The live OverlayInode for an upper inode, if any. */
  knownUpper(upper: Inode): OverlayInode | undefined {
    return this.byUpper.get(upper)?.deref();
  }

  // Inode numbers.

  /** The overlay st_ino of a file whose origin is the lower inode number n. */
  lowerIno(n: number): number {
    return n > 0 && n < UPPER_INO_BASE ? n : this.spilled('l', n);
  }

  /** The overlay st_ino of an upper inode: its origin's if it was copied up. */
  inoOfUpper(upper: Inode): number {
    const origin = this.info.get(upper)?.originIno;
    if (origin !== undefined) return this.lowerIno(origin);
    return this.upperIno(upper.ino);
  }

  /** The overlay st_ino of a file born in the upper layer with upper inode number n. */
  upperIno(n: number): number {
    return n > 0 && n < SPILL_INO_BASE - UPPER_INO_BASE ? UPPER_INO_BASE + n : this.spilled('u', n);
  }

  private spilled(layer: string, n: number): number {
    const key = layer + n;
    let v = this.spill.get(key);
    if (v === undefined) {
      v = this.nextSpill++;
      this.spill.set(key, v);
    }
    return v;
  }
}

/** An overlay of lower (read-only, never written) under upper (an empty tmpfs of its own). */
export function createOverlay(lower: FileSystem, upper: FileSystem, opts: OverlayOptions = {}): OverlayFileSystem {
  return new OverlayFileSystem(lower, upper, opts);
}
