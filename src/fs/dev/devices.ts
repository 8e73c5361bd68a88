// Character devices (drivers/char/mem.c, random.c, tty): the I/O behind
// /dev/null, zero, full, random, urandom, tty and ptmx, and the registry the
// VFS opens device nodes through (a SpecialOpener keyed by major:minor, so a
// node made with mknod anywhere — tmpfs, a host directory — behaves alike).
import { Errno } from '../../abi/linux/errno.js';
import { devMajor, devMinor, FileMode } from '../../abi/linux/stat.js';
import { native } from '../../platform/native.js';
import type { SpecialOpener } from '../../vfs/fs_struct.js';
import type { FsCredentials } from '../../vfs/credentials.js';
import type { GuestMemory, IoResult } from '../../vfs/guest_memory.js';
import type { FileImpl, Inode } from '../../vfs/inode.js';

/** Device numbers (Documentation/admin-guide/devices.txt). */
export const MEM_MAJOR = 1;
export const NULL_MINOR = 3;
export const ZERO_MINOR = 5;
export const FULL_MINOR = 7;
export const RANDOM_MINOR = 8;
export const URANDOM_MINOR = 9;
export const TTYAUX_MAJOR = 5;
export const TTY_MINOR = 0;
export const CONSOLE_MINOR = 1;
export const PTMX_MINOR = 2;
/** Pseudo-terminal slaves (devpts). */
export const UNIX98_PTY_SLAVE_MAJOR = 136;

/** POLLIN | POLLRDNORM and POLLOUT | POLLWRNORM. */
const POLL_READABLE = 0x0001 | 0x0040;
const POLL_WRITABLE = 0x0004 | 0x0100;

/** RNDGETENTCNT: _IOR('R', 0x00, int). */
const RNDGETENTCNT = 0x80045200;
/** What RNDGETENTCNT and /proc/sys/kernel/random/entropy_avail report: a fully seeded pool. */
const ENTROPY_BITS = 256;

/** Fills buf[off, off+len) with random bytes; the count filled or -errno (the addon's hostGetrandom). */
export type RandomSource = (buf: Uint8Array, off: number, len: number) => number;

/** getrandom(2) on the host, through the addon (loaded on first use). */
export const hostRandom: RandomSource = (buf, off, len) => native().hostGetrandom(buf, off, len);

/** A device's I/O with its readiness mask (src/vfs/poll.ts). */
export interface DeviceFile extends FileImpl {
  /** The poll events ready now (POLLIN/POLLOUT bits; the name the pipe layer uses too). */
  readiness(): number;
  /**
   * false when the driver has no poll method (mem.c's null, zero and full,
   * urandom): poll and select see them always ready all the same, but
   * epoll_ctl refuses them (EPERM), as Linux does.
   */
  readonly hasPoll: boolean;
}

/** Fills guest memory with zeros (read_iter_zero). */
function readZeros(mm: GuestMemory, addr: number, len: number): IoResult {
  if (len <= 0) return 0;
  return mm.forEachSegment(addr, len, true, (buf, off, l) => {
    buf.fill(0, off, off + l);
    return l;
  });
}

/** /dev/null: reads end at once, writes vanish. */
export class NullDevice implements DeviceFile {
  readonly seekable = true;
  readonly hasPoll = false;
  read(_mm: GuestMemory, _addr: number, _len: number, _pos: number): IoResult {
    return 0;
  }
  write(_mm: GuestMemory, _addr: number, len: number, _pos: number): IoResult {
    return len;
  }
  readiness(): number {
    return POLL_READABLE | POLL_WRITABLE;
  }
}

/** /dev/zero: reads give zeros, writes vanish. */
export class ZeroDevice implements DeviceFile {
  readonly seekable = true;
  readonly hasPoll = false;
  read(mm: GuestMemory, addr: number, len: number, _pos: number): IoResult {
    return readZeros(mm, addr, len);
  }
  write(_mm: GuestMemory, _addr: number, len: number, _pos: number): IoResult {
    return len;
  }
  readiness(): number {
    return POLL_READABLE | POLL_WRITABLE;
  }
}

/** /dev/full: reads give zeros, every write is ENOSPC (even of 0 bytes, as write_full). */
export class FullDevice implements DeviceFile {
  readonly seekable = true;
  readonly hasPoll = false;
  read(mm: GuestMemory, addr: number, len: number, _pos: number): IoResult {
    return readZeros(mm, addr, len);
  }
  write(_mm: GuestMemory, _addr: number, _len: number, _pos: number): IoResult {
    return -Errno.ENOSPC;
  }
  readiness(): number {
    return POLL_READABLE | POLL_WRITABLE;
  }
}

/**
 * /dev/random and /dev/urandom: bytes from the host's getrandom (both are
 * the same since Linux 5.6 once the pool is seeded, which the host's is).
 * Writes are accepted and ignored (mixing into the host pool is not ours).
 */
export class RandomDevice implements DeviceFile {
  readonly seekable = true;
  /**
   * hasPoll: /dev/random has random_poll (always ready once the pool is
   * seeded, which the host's is); /dev/urandom has no poll method.
   */
  constructor(
    private readonly source: RandomSource,
    readonly hasPoll = true,
  ) {}

  read(mm: GuestMemory, addr: number, len: number, _pos: number): IoResult {
    if (len <= 0) return 0;
    const source = this.source;
    return mm.forEachSegment(addr, len, true, (buf, off, l) => {
      let done = 0;
      while (done < l) {
        const r = source(buf, off + done, l - done);
        if (r === -Errno.EINTR) continue;
        if (r < 0) return done > 0 ? done : r;
        if (r === 0) break;
        done += r;
      }
      return done;
    });
  }

  write(_mm: GuestMemory, _addr: number, len: number, _pos: number): IoResult {
    return len;
  }

  /** RNDGETENTCNT answers a full pool; the other random ioctls need CAP_SYS_ADMIN and change nothing here. */
  ioctl(mm: GuestMemory, request: number, arg: number): number {
    if (request === RNDGETENTCNT) {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, ENTROPY_BITS, true);
      const r = mm.writeBytes(arg, b, 0, 4);
      return r < 0 ? r : 0;
    }
    return -Errno.EINVAL;
  }

  readiness(): number {
    return POLL_READABLE | POLL_WRITABLE;
  }
}

/** Opens one device: the FileImpl for a new open file description, or -errno. */
export type DeviceOpener = (inode: Inode, flags: number) => FileImpl | number;

function devKey(major: number, minor: number): string {
  return `${major}:${minor}`;
}

/**
 * The character-device table (chrdev_open): a node's rdev picks the driver.
 * Set it as the Caller's SpecialOpener; FIFOs, sockets, block devices and
 * unregistered numbers go to the fallback (the pipe layer, devpts …), else
 * ENXIO, as Linux gives for a device without a driver.
 */
export class DeviceRegistry implements SpecialOpener {
  private readonly devices = new Map<string, DeviceOpener>();
  private readonly majors = new Map<number, DeviceOpener>();

  constructor(public fallback?: SpecialOpener) {}

  /** The driver of character device major:minor. */
  registerChar(major: number, minor: number, opener: DeviceOpener): void {
    this.devices.set(devKey(major, minor), opener);
  }

  /** A driver for every minor of a major without its own entry (pty slaves, 136:*). */
  registerMajor(major: number, opener: DeviceOpener): void {
    this.majors.set(major, opener);
  }

  /** The driver registered for a node, if any. */
  driverOf(inode: Inode): DeviceOpener | undefined {
    if (inode.type !== FileMode.S_IFCHR) return undefined;
    const rdev = inode.getattr().rdev;
    const major = devMajor(rdev);
    return this.devices.get(devKey(major, devMinor(rdev))) ?? this.majors.get(major);
  }

  open(inode: Inode, flags: number, creds?: FsCredentials): FileImpl | number | Promise<FileImpl | number> {
    const driver = this.driverOf(inode);
    if (driver) return driver(inode, flags);
    if (this.fallback) return this.fallback.open(inode, flags, creds);
    return -Errno.ENXIO;
  }
}

export interface StandardDeviceOptions {
  /** Random bytes for random and urandom (default: the host's getrandom via the addon). */
  random?: RandomSource;
  /** /dev/tty: the caller's controlling terminal; default here ENXIO (createDevfs opens the controlling terminal). */
  openTty?: (flags: number) => FileImpl | number;
  /** /dev/ptmx: a new pseudo-terminal master; default here ENOSPC (as when pty/max is reached; createDevfs uses its devpts). */
  openPtmx?: (flags: number) => FileImpl | number;
}

/** Registers null, zero, full, random, urandom, tty and ptmx. */
export function registerStandardDevices(reg: DeviceRegistry, opts: StandardDeviceOptions = {}): void {
  const random = opts.random ?? hostRandom;
  reg.registerChar(MEM_MAJOR, NULL_MINOR, () => new NullDevice());
  reg.registerChar(MEM_MAJOR, ZERO_MINOR, () => new ZeroDevice());
  reg.registerChar(MEM_MAJOR, FULL_MINOR, () => new FullDevice());
  reg.registerChar(MEM_MAJOR, RANDOM_MINOR, () => new RandomDevice(random));
  reg.registerChar(MEM_MAJOR, URANDOM_MINOR, () => new RandomDevice(random, false));
  reg.registerChar(TTYAUX_MAJOR, TTY_MINOR, (_inode, flags) => (opts.openTty ? opts.openTty(flags) : -Errno.ENXIO));
  reg.registerChar(TTYAUX_MAJOR, PTMX_MINOR, (_inode, flags) => (opts.openPtmx ? opts.openPtmx(flags) : -Errno.ENOSPC));
}
