// A host descriptor the sandbox was given (the caller's stdin, stdout and
// stderr in `tsvisor do`), served directly: guest memory goes to the host fd
// through the MemoryFile mapping, without an extra copy.
import fs from 'node:fs';
import tty from 'node:tty';
import { Errno } from '../abi/linux/errno.js';
import { Ioctl } from '../abi/linux/ioctl.js';
import type { MemoryManager } from '../mm/memory_manager.js';
import { native, type NativeAddon } from '../platform/native.js';
import type { FileDescription, IoResult } from '../vfs/file.js';


export class HostStdioFile implements FileDescription {
  private refs = 0;
  private readonly n: NativeAddon = native();
  readonly positional: boolean;
  private readonly isTty: boolean;
  /**
   * What the host's /proc/self/fd/N says for the descriptor ("/dev/pts/0",
   * "pipe:[123]", a file's path), read at start-up (before the sentry
   * confines itself): the guest's /proc/PID/fd link shows it, as Linux would.
   */
  readonly hostLink: string | null;

  constructor(readonly hostFd: number, public flags: number, readonly name: string) {
    let st: fs.Stats | undefined;
    try {
      st = fs.fstatSync(hostFd);
    } catch {
      st = undefined;
    }
    this.positional = !!st && (st.isFile() || st.isBlockDevice());
    this.isTty = !!st && st.isCharacterDevice() && tty.isatty(hostFd);
    let link: string | null;
    try {
      link = fs.readlinkSync(`/proc/self/fd/${hostFd}`);
    } catch {
      link = null;
    }
    this.hostLink = link;
  }

  write(mm: MemoryManager, addr: number, len: number): IoResult {
    const n = this.n;
    const fd = this.hostFd;
    return mm.forEachSegment(addr, len, false, (buf, off, l) => {
      let done = 0;
      while (done < l) {
        const r = n.hostWrite(fd, buf, off + done, l - done);
        if (r === -Errno.EINTR) continue;
        if (r < 0) return done > 0 ? done : r;
        if (r === 0) break;
        done += r;
      }
      return done;
    });
  }

  read(mm: MemoryManager, addr: number, len: number): IoResult {
    // Host reads may block (a terminal, a pipe): they run on libuv's thread
    // pool, never on the kernel's thread.
    if (len === 0) return 0;
    return new Promise<number>((resolve) => {
      const tmp = Buffer.allocUnsafe(Math.min(len, 1 << 20));
      fs.read(this.hostFd, tmp, 0, tmp.length, null, (err, bytes) => {
        if (err) {
          const e = (err as NodeJS.ErrnoException).errno;
          resolve(typeof e === 'number' && e < 0 ? e : -Errno.EIO);
          return;
        }
        if (bytes === 0) {
          resolve(0);
          return;
        }
        const w = mm.writeBytes(addr, tmp, 0, bytes);
        resolve(w < 0 ? w : bytes);
      });
    });
  }

  pwrite(mm: MemoryManager, addr: number, len: number, pos: number): IoResult {
    if (!this.positional) return -Errno.ESPIPE;
    const n = this.n;
    const fd = this.hostFd;
    let p = pos;
    return mm.forEachSegment(addr, len, false, (buf, off, l) => {
      const r = n.hostPwrite(fd, buf, off, l, p);
      if (r > 0) p += r;
      return r;
    });
  }

  pread(mm: MemoryManager, addr: number, len: number, pos: number): IoResult {
    if (!this.positional) return -Errno.ESPIPE;
    const n = this.n;
    const fd = this.hostFd;
    let p = pos;
    return mm.forEachSegment(addr, len, true, (buf, off, l) => {
      const r = n.hostPread(fd, buf, off, l, p);
      if (r > 0) p += r;
      return r;
    });
  }

  ioctl(_mm: MemoryManager, request: number, _arg: number): number {
    if (!this.isTty && (request === Ioctl.TCGETS || request === Ioctl.TIOCGWINSZ)) return -Errno.ENOTTY;
    // Terminal ioctls come with the terminals issue (pty, job control).
    return -Errno.ENOTTY;
  }

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    this.refs--;
    // The host descriptor belongs to the caller: it is never closed here.
  }
}

