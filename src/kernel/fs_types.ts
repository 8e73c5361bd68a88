// The file-system types mount(2) can make inside the sandbox (Linux's
// register_filesystem list): tmpfs, proc and sysfs. A mount parses its
// option string as Linux's fs_context does (the superblock words ro, rw,
// sync …, "source", then the type's own parameters; an unknown one is
// EINVAL) and makes an instance; MS_REMOUNT parses again and reconfigures
// one. Host file systems are never among the types: the sandbox has no
// block devices, so mount(2) of ext4 & co. is ENODEV, as for a kernel
// without them.
//
// The registry belongs to a kernel: the boot (src/sandbox/run.ts) makes it
// with the factories it mounts /proc and /sys with, and the sources and
// options it records for /proc/PID/mounts.
import { Errno } from '../abi/linux/errno.js';
import type { MountDescription } from '../fs/proc/mounts.js';
import { createProcfs, ProcFileSystem } from '../fs/proc/procfs.js';
import type { ProcKernelView } from '../fs/proc/view.js';
import { createTmpfs, TmpfsFileSystem } from '../fs/tmpfs/tmpfs.js';
import type { FileSystem } from '../vfs/inode.js';
import { MountFlag } from '../vfs/mount.js';
import type { Kernel } from './kernel.js';

/** A parameter the type does not have (Linux's -ENOPARAM, never returned to the guest). */
export const NO_PARAM = 1;

const PAGE_SIZE = 4096;

/** The superblock flags of a mount or remount (MS_RDONLY, MS_SYNCHRONOUS …) and its source. */
export interface MountRequest {
  source: string | null;
  sbFlags: number;
}

/** The parameters of one mount or remount, given one at a time. */
export interface FsConfig {
  /** One option (value null for a bare word): 0, -EINVAL for a bad value, or NO_PARAM for an unknown one. */
  param(key: string, value: string | null): number;
}

export interface NewMountConfig extends FsConfig {
  /** The instance (with its line in /proc/PID/mounts, unless it is an existing one), or -errno. */
  make(req: MountRequest): { fs: FileSystem; description?: MountDescription } | number;
}

export interface RemountConfig extends FsConfig {
  /** Applies the parameters: the new description of fs (undefined: unchanged), or -errno (nothing changed). */
  apply(req: MountRequest): MountDescription | undefined | number;
}

export interface FileSystemType {
  /** Its name in mount(2) and /proc/filesystems. */
  readonly name: string;
  /** tmpfs's splitting: a comma followed by a digit continues a value (mpol's node lists). */
  readonly digitsContinue?: boolean;
  forMount(): NewMountConfig;
  /** The reconfiguration of fs, an instance of this type. */
  forRemount(fs: FileSystem): RemountConfig;
}

/** vfs_parse_sb_flag: the words every file system takes, and the superblock flag each sets or clears. */
const SB_SET: ReadonlyMap<string, number> = new Map([
  ['dirsync', MountFlag.MS_DIRSYNC],
  ['lazytime', MountFlag.MS_LAZYTIME],
  ['mand', MountFlag.MS_MANDLOCK],
  ['ro', MountFlag.MS_RDONLY],
  ['sync', MountFlag.MS_SYNCHRONOUS],
]);
const SB_CLEAR: ReadonlyMap<string, number> = new Map([
  ['async', MountFlag.MS_SYNCHRONOUS],
  ['nolazytime', MountFlag.MS_LAZYTIME],
  ['nomand', MountFlag.MS_MANDLOCK],
  ['rw', MountFlag.MS_RDONLY],
]);

/**
 * The options of a mount(2) data string: comma separated (generic_parse_monolithic);
 * with digitsContinue, as tmpfs splits them. Empty ones and ones with an empty key ("=x") are skipped.
 */
export function splitOptions(data: string, digitsContinue = false): { key: string; value: string | null }[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= data.length; i++) {
    if (i < data.length && data[i] !== ',') continue;
    if (i < data.length && digitsContinue && /[0-9]/.test(data[i + 1] ?? '')) continue;
    parts.push(data.slice(start, i));
    start = i + 1;
  }
  const out: { key: string; value: string | null }[] = [];
  for (const p of parts) {
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq === 0) continue;
    out.push(eq < 0 ? { key: p, value: null } : { key: p.slice(0, eq), value: p.slice(eq + 1) });
  }
  return out;
}

/**
 * memparse: a number in C syntax (0x hex, 0 octal, else decimal) with an
 * optional K, M, G, T, P or E suffix; the value (bigint, wrapping at 2^64
 * as the C one does) and the rest of the string.
 */
export function memparse(s: string): { value: bigint; rest: string } {
  let i = 0;
  let base = 10n;
  if (s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && /[0-9a-fA-F]/.test(s[2] ?? '')) {
    base = 16n;
    i = 2;
  } else if (s[0] === '0') {
    base = 8n;
  }
  let v = 0n;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 16);
    if (Number.isNaN(d) || BigInt(d) >= base) break;
    v = (v * base + BigInt(d)) & 0xffffffffffffffffn;
  }
  const shifts: Record<string, bigint> = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };
  const shift = shifts[(s[i] ?? '').toLowerCase()];
  if (shift !== undefined) {
    v = (v << shift) & 0xffffffffffffffffn;
    i++;
  }
  return { value: v, rest: s.slice(i) };
}

/** kstrtouint: the whole string (an optional '+', one trailing newline) as an unsigned 32-bit number in base (0: C syntax), or null. */
export function parseU32(s: string | null, base: 0 | 8 | 10): number | null {
  if (s === null) return null;
  let t = s.endsWith('\n') ? s.slice(0, -1) : s;
  if (t.startsWith('+')) t = t.slice(1);
  let b: number = base === 0 ? 10 : base;
  if (base === 0 && /^0[xX][0-9a-fA-F]/.test(t)) {
    b = 16;
    t = t.slice(2);
  } else if (base === 0 && t.startsWith('0')) {
    b = 8;
  }
  const digits = b === 16 ? /^[0-9a-fA-F]+$/ : b === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(t)) return null;
  const v = parseInt(t, b);
  return v <= 0xffffffff ? v : null;
}

/** The registry of a kernel's mountable types, and where their mounts are described. */
export class FileSystemTypes {
  private readonly types = new Map<string, FileSystemType>();

  /** described: the sources and options /proc/PID/mounts shows, by instance (the boot's map). */
  constructor(readonly described: Map<FileSystem, MountDescription>) {}

  register(t: FileSystemType): void {
    this.types.set(t.name, t);
  }

  get(name: string): FileSystemType | undefined {
    return this.types.get(name);
  }

  /**
   * A new instance of the type called name (do_new_mount after the type is
   * known): the source and the options as parsed, then made. EINVAL for a
   * bad option or two sources.
   */
  newMount(type: FileSystemType, source: string | null, data: string | null, sbFlags: number): FileSystem | number {
    const cfg = type.forMount();
    const req: MountRequest = { source, sbFlags };
    const r = parseInto(cfg, type, data, req);
    if (r < 0) return r;
    const made = cfg.make(req);
    if (typeof made === 'number') return made;
    if (made.description) this.described.set(made.fs, made.description);
    return made.fs;
  }

  /**
   * MS_REMOUNT's reconfiguration of fs (do_remount): the options parsed as
   * its type does (for a type mount(2) cannot make, only the words every
   * file system takes; the rest are left to it and ignored), then applied.
   */
  remount(fs: FileSystem, data: string | null, sbFlags: number): number {
    const type = this.types.get(fs.type);
    const req: MountRequest = { source: null, sbFlags };
    if (!type) return parseInto({ param: () => 0 }, undefined, data, req);
    const cfg = type.forRemount(fs);
    const r = parseInto(cfg, type, data, req);
    if (r < 0) return r;
    const d = cfg.apply(req);
    if (typeof d === 'number') return d;
    if (d) this.described.set(fs, { ...this.described.get(fs), ...d });
    return 0;
  }
}

/** vfs_parse_fs_param for each option: superblock words, then the type's parameters, then "source". */
function parseInto(cfg: FsConfig, type: FileSystemType | undefined, data: string | null, req: MountRequest): number {
  if (data === null) return 0;
  for (const { key, value } of splitOptions(data, type?.digitsContinue)) {
    const set = SB_SET.get(key);
    if (set !== undefined) {
      req.sbFlags |= set;
      continue;
    }
    const clear = SB_CLEAR.get(key);
    if (clear !== undefined) {
      req.sbFlags &= ~clear;
      continue;
    }
    const r = cfg.param(key, value);
    if (r !== NO_PARAM) {
      if (r < 0) return r;
      continue;
    }
    if (key === 'source') {
      if (value === null || req.source !== null) return -Errno.EINVAL;
      req.source = value;
      continue;
    }
    return -Errno.EINVAL;
  }
  return 0;
}

const registries = new WeakMap<Kernel, FileSystemTypes>();

/** The types mount(2) can make in k's sandbox (none before the boot registers them). */
export function fileSystemTypesOf(k: Kernel): FileSystemTypes | undefined {
  return registries.get(k);
}

export function setFileSystemTypes(k: Kernel, types: FileSystemTypes): void {
  registries.set(k, types);
}

// ---- tmpfs (mm/shmem.c: shmem_parse_one, shmem_reconfigure, shmem_show_options)

/** What a tmpfs was asked for (the limits it enforces may be smaller: see TmpfsTypeOptions.maxBytes). */
interface TmpfsParams {
  /** Size limit in pages; 0: none. */
  blocks: number;
  /** Inode limit; 0: none. */
  inodes: number;
  mode: number;
  uid: number;
  gid: number;
  huge: string;
  mpol: string;
  noswap: boolean;
  inode64: boolean | null;
}

const HUGE = new Set(['never', 'always', 'within_size', 'advise']);
const MPOL_MODES = new Set(['default', 'prefer', 'bind', 'interleave', 'weighted_interleave', 'local']);
/** uid and gid must map; (u32)-1 never does. */
const INVALID_ID = 0xffffffff;

/** mpol_parse_str for a machine of one node: a mode and, where allowed, the node list "0". */
function validMpol(v: string): boolean {
  const [mode, nodes] = v.split(':', 2) as [string, string | undefined];
  const [name] = mode.split('=', 1) as [string];
  if (!MPOL_MODES.has(name)) return false;
  if (nodes === undefined) return name !== 'bind';
  if (name === 'default' || name === 'local') return false;
  return /^0(-0)?$/.test(nodes);
}

export interface TmpfsTypeOptions {
  /** The default size of a tmpfs (Linux's: half the memory) and the most any holds: the sentry keeps the pages. */
  maxBytes: number;
  /** The sandbox's memory: size=N% is a share of it. */
  totalBytes: number;
}

/**
 * A TmpfsFileSystem's limits and read-only state are plain fields, read on
 * every check; they are readonly to the rest of the kernel, and only a
 * reconfiguration changes them.
 */
interface TmpfsSuper {
  maxPages: number;
  maxInodes: number;
  readOnly: boolean;
}

function tmpfsSuper(fs: TmpfsFileSystem): TmpfsSuper {
  return fs as unknown as TmpfsSuper;
}

export function tmpfsType(opts: TmpfsTypeOptions): FileSystemType {
  const capPages = Math.max(1, Math.floor(opts.maxBytes / PAGE_SIZE));
  const totalPages = Math.max(1, Math.floor(opts.totalBytes / PAGE_SIZE));
  const asked = new WeakMap<FileSystem, TmpfsParams>();

  const defaults = (): TmpfsParams => ({ blocks: capPages, inodes: capPages, mode: 0o1777, uid: 0, gid: 0, huge: 'never', mpol: 'default', noswap: false, inode64: null });

  /** What an instance made by the boot (or before a remount) was asked for, from its state. */
  const paramsOf = (fs: TmpfsFileSystem): TmpfsParams => {
    const p = asked.get(fs);
    if (p) return p;
    const attrs = fs.root.getattr();
    return { ...defaults(), blocks: fs.maxPages, inodes: fs.maxInodes, mode: attrs.mode & 0o7777, uid: attrs.uid, gid: attrs.gid };
  };

  /** Limits as enforced: at most the cap (0, none, is the cap). */
  const enforced = (n: number): number => (n === 0 || n > capPages ? capPages : n);

  /** shmem_show_options: what differs from the defaults. */
  const show = (p: TmpfsParams): string[] => {
    const o: string[] = [];
    if (p.blocks !== capPages) o.push(`size=${p.blocks * (PAGE_SIZE / 1024)}k`);
    if (p.inodes !== capPages) o.push(`nr_inodes=${p.inodes}`);
    if (p.mode !== 0o1777) o.push(`mode=${p.mode.toString(8).padStart(3, '0')}`);
    if (p.uid !== 0) o.push(`uid=${p.uid}`);
    if (p.gid !== 0) o.push(`gid=${p.gid}`);
    if (p.inode64 !== null) o.push(p.inode64 ? 'inode64' : 'inode32');
    if (p.huge !== 'never') o.push(`huge=${p.huge}`);
    if (p.mpol !== 'default') o.push(`mpol=${p.mpol}`);
    if (p.noswap) o.push('noswap');
    return o;
  };

  /** shmem_parse_one into p; seen records which limits were given. */
  const param = (p: TmpfsParams, seen: Set<string>, key: string, value: string | null): number => {
    switch (key) {
      case 'size': {
        if (!value) return -Errno.EINVAL;
        const m = memparse(value);
        let bytes = m.value;
        let rest = m.rest;
        if (rest.startsWith('%')) {
          bytes = (bytes * BigInt(totalPages) * BigInt(PAGE_SIZE)) / 100n;
          rest = rest.slice(1);
        }
        if (rest !== '') return -Errno.EINVAL;
        p.blocks = Number((bytes + BigInt(PAGE_SIZE - 1)) / BigInt(PAGE_SIZE));
        seen.add('blocks');
        return 0;
      }
      case 'nr_blocks': {
        if (!value) return -Errno.EINVAL;
        const m = memparse(value);
        if (m.rest !== '' || m.value > 0x7fffffffffffffffn) return -Errno.EINVAL;
        p.blocks = Number(m.value);
        seen.add('blocks');
        return 0;
      }
      case 'nr_inodes': {
        if (!value) return -Errno.EINVAL;
        const m = memparse(value);
        if (m.rest !== '' || m.value > 0xffffffffffffffffn / 1024n) return -Errno.EINVAL;
        p.inodes = Number(m.value);
        seen.add('inodes');
        return 0;
      }
      case 'mode': {
        const v = parseU32(value, 8);
        if (v === null) return -Errno.EINVAL;
        p.mode = v & 0o7777;
        return 0;
      }
      case 'uid':
      case 'gid': {
        const v = parseU32(value, 0);
        if (v === null || v === INVALID_ID) return -Errno.EINVAL;
        p[key] = v;
        return 0;
      }
      case 'huge':
        if (value === null || !HUGE.has(value)) return -Errno.EINVAL;
        p.huge = value;
        return 0;
      case 'mpol':
        if (!value || !validMpol(value)) return -Errno.EINVAL;
        p.mpol = value;
        seen.add('mpol');
        return 0;
      case 'inode32':
      case 'inode64':
        if (value !== null) return -Errno.EINVAL;
        p.inode64 = key === 'inode64';
        return 0;
      case 'noswap':
        if (value !== null) return -Errno.EINVAL;
        p.noswap = true;
        seen.add('noswap');
        return 0;
      default:
        return NO_PARAM;
    }
  };

  return {
    name: 'tmpfs',
    digitsContinue: true,
    forMount() {
      const p = defaults();
      const seen = new Set<string>();
      return {
        param: (key, value) => param(p, seen, key, value),
        make(req) {
          const fs = createTmpfs({
            maxBytes: enforced(p.blocks) * PAGE_SIZE,
            maxInodes: enforced(p.inodes),
            rootMode: p.mode,
            rootUid: p.uid,
            rootGid: p.gid,
            readOnly: (req.sbFlags & MountFlag.MS_RDONLY) !== 0,
          });
          asked.set(fs, p);
          return { fs, description: { source: req.source ?? 'none', fsOptions: show(p) } };
        },
      };
    },
    forRemount(fs) {
      const tfs = fs instanceof TmpfsFileSystem ? fs : null;
      const old = tfs ? paramsOf(tfs) : defaults();
      const p = { ...old };
      const seen = new Set<string>();
      return {
        param: (key, value) => param(p, seen, key, value),
        apply(req) {
          if (!tfs) return undefined;
          // shmem_reconfigure: the limits only, and never below what is in use; mode, uid and gid stay.
          if (seen.has('blocks') && p.blocks !== 0) {
            if (old.blocks === 0) return -Errno.EINVAL;
            if (tfs.usedPages > enforced(p.blocks)) return -Errno.EINVAL;
          }
          if (seen.has('inodes') && p.inodes !== 0) {
            if (old.inodes === 0) return -Errno.EINVAL;
            if (tfs.usedInodes > enforced(p.inodes)) return -Errno.EINVAL;
          }
          if (seen.has('noswap') && !old.noswap) return -Errno.EINVAL;
          const next: TmpfsParams = { ...old, blocks: p.blocks, inodes: p.inodes, huge: p.huge, mpol: p.mpol, inode64: p.inode64 };
          const sb = tmpfsSuper(tfs);
          sb.maxPages = enforced(next.blocks);
          sb.maxInodes = enforced(next.inodes);
          sb.readOnly = (req.sbFlags & MountFlag.MS_RDONLY) !== 0;
          asked.set(tfs, next);
          return { fsOptions: show(next) };
        },
      };
    },
  };
}

// ---- proc (fs/proc/root.c: proc_parse_param, proc_show_options)

const HIDEPID_NAMES: Record<number, string> = { 0: 'off', 1: 'noaccess', 2: 'invisible', 4: 'ptraceable' };

interface ProcParams {
  gid: number;
  hidepid: number;
  subset: boolean;
}

/**
 * proc: a new instance per mount over the same processes (as Linux since
 * 5.8). gid=, hidepid= and subset=pid are taken and shown; hiding other
 * users' processes is not done.
 */
export function procType(make: () => FileSystem | number): FileSystemType {
  const asked = new WeakMap<FileSystem, ProcParams>();
  const show = (p: ProcParams): string[] => [
    ...(p.gid !== 0 ? [`gid=${p.gid}`] : []),
    ...(p.hidepid !== 0 ? [`hidepid=${HIDEPID_NAMES[p.hidepid]}`] : []),
    ...(p.subset ? ['subset=pid'] : []),
  ];
  const param = (p: ProcParams, key: string, value: string | null): number => {
    switch (key) {
      case 'gid': {
        const v = parseU32(value, 0);
        if (v === null || v === INVALID_ID) return -Errno.EINVAL;
        p.gid = v;
        return 0;
      }
      case 'hidepid': {
        if (value === null) return -Errno.EINVAL;
        const n = parseU32(value, 0);
        const byName = Object.entries(HIDEPID_NAMES).find(([, name]) => name === value);
        const v = n !== null ? n : byName ? Number(byName[0]) : -1;
        if (HIDEPID_NAMES[v] === undefined) return -Errno.EINVAL;
        p.hidepid = v;
        return 0;
      }
      case 'subset':
        if (value === null) return -Errno.EINVAL;
        if (value !== '' && value !== 'pid') return -Errno.EINVAL;
        p.subset = value === 'pid';
        return 0;
      default:
        return NO_PARAM;
    }
  };
  return {
    name: 'proc',
    forMount() {
      const p: ProcParams = { gid: 0, hidepid: 0, subset: false };
      return {
        param: (key, value) => param(p, key, value),
        make(req) {
          const fs = make();
          if (typeof fs === 'number') return fs;
          asked.set(fs, p);
          return { fs, description: { source: req.source ?? 'none', fsOptions: show(p) } };
        },
      };
    },
    forRemount(fs) {
      const p = { ...(asked.get(fs) ?? { gid: 0, hidepid: 0, subset: false }) };
      return {
        param: (key, value) => param(p, key, value),
        apply() {
          asked.set(fs, p);
          return { fsOptions: show(p) };
        },
      };
    },
  };
}

/**
 * sysfs: one instance (Linux's is per network namespace), so every mount of
 * it shows the same tree and mounting it on its own root is EBUSY. It takes
 * no options.
 */
export function sysfsType(instance: () => FileSystem | number): FileSystemType {
  const none = { param: () => NO_PARAM };
  return {
    name: 'sysfs',
    forMount: () => ({
      ...none,
      make: () => {
        const fs = instance();
        return typeof fs === 'number' ? fs : { fs };
      },
    }),
    forRemount: () => ({ ...none, apply: () => undefined }),
  };
}

/** A ProcFileSystem's view, for another instance: the same processes, boot_id and cpuinfo. */
function sharedProcView(first: ProcFileSystem): ProcKernelView {
  return Object.create(first.view, {
    bootId: { value: first.bootId },
    cpuinfo: { value: () => first.cpuinfo() },
  }) as ProcKernelView;
}

/** The boot's factories of the file systems mount(2) may make too. */
export interface MountableFactories {
  proc?(): FileSystem | number;
  sys?(): FileSystem | number;
}

/**
 * Registers tmpfs, proc and sysfs for mount(2) in k's sandbox and returns
 * the factories with their first instances remembered: later proc mounts
 * share the first one's view (its boot_id and the host's cpuinfo, read
 * before the sentry confined itself), and sysfs mounts are the first sysfs.
 */
export function registerMountableTypes<F extends MountableFactories>(
  k: Kernel,
  factories: F,
  opts: TmpfsTypeOptions & { described: Map<FileSystem, MountDescription> },
): F {
  const types = new FileSystemTypes(opts.described);
  types.register(tmpfsType(opts));
  const out: F = { ...factories };
  let firstProc: ProcFileSystem | undefined;
  let firstSys: FileSystem | undefined;
  const proc = factories.proc?.bind(factories);
  const sys = factories.sys?.bind(factories);
  if (proc) {
    out.proc = () => {
      const fs = proc();
      if (fs instanceof ProcFileSystem) firstProc ??= fs;
      return fs;
    };
    types.register(procType(() => (firstProc ? createProcfs(sharedProcView(firstProc), { hostCpuinfo: null }) : out.proc!())));
  }
  if (sys) {
    out.sys = () => {
      const fs = sys();
      if (typeof fs !== 'number') firstSys ??= fs;
      return fs;
    };
    types.register(sysfsType(() => firstSys ?? out.sys!()));
  }
  setFileSystemTypes(k, types);
  return out;
}
