// Per-process descriptor table (man 2 open, man 2 dup): lowest free number,
// FD_CLOEXEC per descriptor, bounded by RLIMIT_NOFILE.
import { Errno } from '../abi/linux/errno.js';
import type { FileDescription } from './file.js';
import { releasePosixLocks } from './file_locks.js';

interface Slot {
  file: FileDescription;
  cloexec: boolean;
}

export class FdTable {
  private readonly slots: (Slot | undefined)[] = [];
  /** Processes sharing this table (clone with CLONE_FILES); the last to leave closes everything. */
  users = 1;

  get(fd: number): FileDescription | undefined {
    if (fd < 0 || fd >= this.slots.length) return undefined;
    return this.slots[fd]?.file;
  }

  /** Installs file at the lowest free descriptor ≥ min; takes a reference. */
  install(file: FileDescription, cloexec: boolean, limit: number, min = 0): number {
    let fd = min;
    while (fd < this.slots.length && this.slots[fd]) fd++;
    if (fd >= limit) return -Errno.EMFILE;
    file.incRef();
    this.slots[fd] = { file, cloexec };
    return fd;
  }

  /** Installs file at exactly fd, closing what was there. */
  installAt(fd: number, file: FileDescription, cloexec: boolean): void {
    file.incRef();
    const old = this.slots[fd];
    this.slots[fd] = { file, cloexec };
    if (old) {
      // Closing a descriptor drops the process's POSIX locks on its file (filp_flush).
      releasePosixLocks(this, old.file);
      old.file.decRef();
    }
  }

  getCloexec(fd: number): boolean | undefined {
    return fd >= 0 && fd < this.slots.length ? this.slots[fd]?.cloexec : undefined;
  }

  setCloexec(fd: number, cloexec: boolean): number {
    const slot = fd >= 0 && fd < this.slots.length ? this.slots[fd] : undefined;
    if (!slot) return -Errno.EBADF;
    slot.cloexec = cloexec;
    return 0;
  }

  close(fd: number): number {
    const slot = fd >= 0 && fd < this.slots.length ? this.slots[fd] : undefined;
    if (!slot) return -Errno.EBADF;
    this.slots[fd] = undefined;
    releasePosixLocks(this, slot.file);
    slot.file.decRef();
    return 0;
  }

  /**
   * The descriptor install(…, limit, min) would take, or -EMFILE. open(2)
   * asks before resolving the path (get_unused_fd_flags comes first), so a
   * full table is EMFILE whatever the path.
   */
  lowestFree(limit: number, min = 0): number {
    let fd = min;
    while (fd < this.slots.length && this.slots[fd]) fd++;
    return fd >= limit ? -Errno.EMFILE : fd;
  }

  /** The open descriptors in [first, last], in order. */
  openIn(first: number, last: number): number[] {
    const out: number[] = [];
    const end = Math.min(last, this.slots.length - 1);
    for (let fd = Math.max(0, first); fd <= end; fd++) if (this.slots[fd]) out.push(fd);
    return out;
  }

  /** The open descriptors, ascending, with their files and FD_CLOEXEC (/proc/PID/fd). */
  entries(): { fd: number; file: FileDescription; cloexec: boolean }[] {
    const out: { fd: number; file: FileDescription; cloexec: boolean }[] = [];
    for (let fd = 0; fd < this.slots.length; fd++) {
      const s = this.slots[fd];
      if (s) out.push({ fd, file: s.file, cloexec: s.cloexec });
    }
    return out;
  }

  /** A child's table without CLONE_FILES: every descriptor and its FD_CLOEXEC, sharing the open file descriptions. */
  fork(): FdTable {
    const t = new FdTable();
    for (let fd = 0; fd < this.slots.length; fd++) {
      const s = this.slots[fd];
      if (!s) continue;
      s.file.incRef();
      t.slots[fd] = { file: s.file, cloexec: s.cloexec };
    }
    return t;
  }

  /** execve: closes the descriptors marked FD_CLOEXEC. */
  closeOnExec(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]?.cloexec) this.close(fd);
  }

  closeAll(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]) this.close(fd);
  }
}
