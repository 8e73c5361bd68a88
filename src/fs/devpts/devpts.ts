// devpts (man 4 pts, Linux fs/devpts/inode.c): the file system mounted on
// /dev/pts, one instance per sandbox (a container's "newinstance" devpts,
// with runc's options gid=5,mode=620,ptmxmode=666). Its root lists ptmx (a
// second way to open the multiplexer) and one character device N (major
// 136) for each pseudo-terminal whose master is open. Opening /dev/ptmx (or
// pts/ptmx) makes a new pair; opening N opens its slave.
//
// Names cannot be created or removed by the guest (mknod EPERM, new files
// EACCES, unlink EPERM); modes and owners of the nodes may be changed
// (grantpt on older C libraries, mesg(1)).
import { Errno } from '../../abi/linux/errno.js';
import { FileMode, devMinor, makeDev } from '../../abi/linux/stat.js';
import { dentryCacheOf } from '../../vfs/dentry.js';
import type { FileImpl, Inode, SetAttrRequest } from '../../vfs/inode.js';
import type { Clock } from '../../vfs/timestamp.js';
import { realtimeClock } from '../../vfs/timestamp.js';
import { FIRST_POS, nameToInt, SynthDir, SynthFs, SynthInode, type SynthEntry } from '../proc/synthetic.js';
import { ttyKernel } from '../tty/hooks.js';
import { BufferBudget } from '../tty/queue.js';
import { PTY_SLAVE_MAJOR, Pty, PtyMasterFile, type PtyOwner, type PtySlaveFile } from './pty.js';

export const DEVPTS_SUPER_MAGIC = 0x1cd1;
/** /proc/sys/kernel/pty/max less pty/reserve: pseudo-terminals a container's instance may have at once. */
export const PTY_MAX = 3072;
/** What all the pairs of an instance may keep queued (typed input and output not read yet). */
export const PTY_BUFFER_BUDGET = 16 << 20;
const TTYAUX_MAJOR = 5;
const PTMX_MINOR = 2;

export interface DevptsOptions {
  clock?: Clock;
  /** Mode of new slave nodes (mode=, default 0620). */
  mode?: number;
  /** Group of new slave nodes (gid=, default 5, "tty"); -1 for the creator's fsgid. */
  gid?: number;
  /** Mode of pts/ptmx (ptmxmode=, default 0666). */
  ptmxMode?: number;
  /** Largest number of pairs at once (max=, default PTY_MAX). */
  max?: number;
  /** Bytes all pairs may keep queued (default PTY_BUFFER_BUDGET): writers wait beyond it. */
  bufferBudget?: number;
}

/** An inode of devpts: attributes in memory; mode, owner and times may change. */
class DevptsInode extends SynthInode {
  override setattr(req: SetAttrRequest): number {
    if (req.mode !== undefined) this.attrs.mode = (this.attrs.mode & FileMode.S_IFMT) | (req.mode & 0o7777);
    const a = this.attrs;
    if (req.uid !== undefined) a.uid = req.uid;
    if (req.gid !== undefined) a.gid = req.gid;
    if (req.atime) a.atime = req.atime;
    if (req.mtime) a.mtime = req.mtime;
    a.ctime = req.ctime ?? this.fs.clock.now();
    return 0;
  }
}

/** /dev/pts/N. */
export class PtsNode extends DevptsInode {
  constructor(fs: DevptsFs, readonly pty: Pty, mode: number, uid: number, gid: number) {
    super(fs, FileMode.S_IFCHR, mode, { uid, gid, rdev: makeDev(PTY_SLAVE_MAJOR, pty.index) });
  }
}

class PtmxNode extends DevptsInode {
  constructor(fs: DevptsFs, mode: number) {
    super(fs, FileMode.S_IFCHR, mode, { rdev: makeDev(TTYAUX_MAJOR, PTMX_MINOR) });
  }
}

class DevptsRoot extends SynthDir {
  constructor(private readonly pts: DevptsFs) {
    super(pts, 0o755);
  }

  parentIno(): number {
    return this.ino;
  }

  *listing(): Iterable<SynthEntry> {
    yield { name: 'ptmx', pos: FIRST_POS, inode: this.pts.ptmx };
    for (const [i, node] of this.pts.nodesInOrder()) yield { name: String(i), pos: FIRST_POS + 1 + i, inode: node };
  }

  lookup(name: string): Inode | number {
    if (name === 'ptmx') return this.pts.ptmx;
    const i = nameToInt(name);
    return (i >= 0 && this.pts.node(i)) || -Errno.ENOENT;
  }

  override revalidate(name: string, child: Inode): boolean {
    return this.lookup(name) === child;
  }

  override setattr(req: SetAttrRequest): number {
    if (req.mode !== undefined) this.attrs.mode = FileMode.S_IFDIR | (req.mode & 0o7777);
    if (req.uid !== undefined) this.attrs.uid = req.uid;
    if (req.gid !== undefined) this.attrs.gid = req.gid;
    if (req.atime) this.attrs.atime = req.atime;
    if (req.mtime) this.attrs.mtime = req.mtime;
    if (req.ctime) this.attrs.ctime = req.ctime;
    return 0;
  }

  protected override refreshAttrs(): void {
    this.attrs.nlink = 2;
  }
}

export class DevptsFs extends SynthFs implements PtyOwner {
  declare root: DevptsRoot;
  readonly ptmx: PtmxNode;
  private readonly ptys = new Map<number, Pty>();
  /** Nodes of live masters (removed when the master closes, while the slave may stay open). */
  private readonly nodes = new Map<number, PtsNode>();
  private readonly mode: number;
  private readonly gid: number;
  private readonly max: number;
  /** Queued bytes of all pairs. */
  readonly budget: BufferBudget;

  constructor(opts: DevptsOptions = {}) {
    super('devpts', DEVPTS_SUPER_MAGIC, false, opts.clock ?? realtimeClock);
    this.mode = (opts.mode ?? 0o620) & 0o7777;
    this.gid = opts.gid ?? 5;
    this.max = Math.min(opts.max ?? PTY_MAX, PTY_MAX);
    this.budget = new BufferBudget(opts.bufferBudget ?? PTY_BUFFER_BUDGET);
    // Writers of every pair may be waiting for the budget another pair spent.
    this.budget.onFreed = () => {
      for (const p of this.ptys.values()) p.wq.notify();
    };
    this.root = new DevptsRoot(this);
    this.ptmx = new PtmxNode(this, opts.ptmxMode ?? 0o666);
  }

  /** Pairs whose index is taken now. */
  get count(): number {
    return this.ptys.size;
  }

  node(i: number): PtsNode | undefined {
    return this.nodes.get(i);
  }

  /** The pty of index i while its index is taken. */
  pty(i: number): Pty | undefined {
    return this.ptys.get(i);
  }

  nodesInOrder(): [number, PtsNode][] {
    return [...this.nodes].sort((a, b) => a[0] - b[0]);
  }

  /**
   * ptmx_open: a new pair, at the lowest free index; its slave node is owned
   * by the caller's filesystem user (and the tty group), locked until
   * TIOCSPTLCK unlocks it. ENOSPC when every index is taken.
   */
  openPtmx(flags: number): PtyMasterFile | number {
    const pty = this.newPty();
    if (typeof pty === 'number') return pty;
    return pty.openMaster(flags);
  }

  /** A new pair with its master open (a console's, or ptmx's). */
  newPty(): Pty | number {
    let index = 0;
    while (this.ptys.has(index)) index++;
    if (index >= this.max) return -Errno.ENOSPC;
    const k = ttyKernel();
    const task = k.currentTask();
    const ids = task === undefined ? { uid: 0, gid: 0 } : k.fsIds(task);
    const pty = new Pty(this, index, this, this.budget);
    this.ptys.set(index, pty);
    this.nodes.set(index, new PtsNode(this, pty, this.mode, ids.uid, this.gid >= 0 ? this.gid : ids.gid));
    return pty;
  }

  /** Opens /dev/pts/N (a node of this instance): the slave's file, or -errno. */
  openNode(inode: Inode, flags: number): PtySlaveFile | PtyMasterFile | number {
    if (inode === this.ptmx) return this.openPtmx(flags);
    if (!(inode instanceof PtsNode)) return -Errno.ENXIO;
    const i = devMinor(inode.getattr().rdev);
    if (this.nodes.get(i) !== inode) return -Errno.EIO;
    return inode.pty.openSlave(flags);
  }

  removeNode(index: number): void {
    if (!this.nodes.delete(index)) return;
    // devpts_pty_kill: the name is gone (open slave files show it deleted).
    const cache = dentryCacheOf(this);
    const d = cache.root.children.get(String(index));
    if (d) cache.kill(d);
  }

  freeIndex(index: number): void {
    this.ptys.delete(index);
  }
}

/** A devpts instance (mount it at /dev/pts). */
export function createDevpts(opts: DevptsOptions = {}): DevptsFs {
  return new DevptsFs(opts);
}

/** Whether inode is a devpts node (ptmx or a slave): its instance. */
export function devptsOfInode(inode: Inode): DevptsFs | undefined {
  return inode.fs instanceof DevptsFs ? inode.fs : undefined;
}

export type { FileImpl };
