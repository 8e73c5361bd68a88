// Loads the Node-API addon (native/) and types its functions. Every function
// returns a number: a result, or a negative errno.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface NativeAddon {
  memfileCreate(size: number): number;
  memfileWindow(fd: number, offset: number, length: number): ArrayBuffer;
  memfilePunch(fd: number, offset: number, length: number): number;
  stubPage(): number;
  /** The template stub (a fork of the sentry holding only the stub page and memfd); out = [handle, pid]. */
  stubTemplate(memfd: number, out: Int32Array): number;
  /** A new stub forked from the template (memfd must be the template's MemoryFile); out = [handle, pid]. */
  stubCreate(template: number, memfd: number, out: Int32Array): number;
  stubSyscall(stub: number, nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number;
  stubDestroy(stub: number): number;
  stubKill(stub: number): number;
  threadCreate(stub: number, regs: ArrayBuffer, fp: ArrayBuffer, out: Int32Array): number;
  threadResume(thread: number): number;
  threadExit(thread: number): number;
  threadInterrupt(thread: number): number;
  threadFp(thread: number, set: number): number;
  threadRelease(thread: number): number;
  takeEvent(): number;
  resumeAndWait(thread: number, timeoutMs: number): number;
  waitEvent(timeoutMs: number): number;
  watchEvents(callback: () => void): number;
  unwatchEvents(): number;
  hostRead(fd: number, buf: ArrayBuffer | ArrayBufferView, off: number, len: number): number;
  hostWrite(fd: number, buf: ArrayBuffer | ArrayBufferView, off: number, len: number): number;
  hostPread(fd: number, buf: ArrayBuffer | ArrayBufferView, off: number, len: number, pos: number): number;
  hostPwrite(fd: number, buf: ArrayBuffer | ArrayBufferView, off: number, len: number, pos: number): number;
  hostGetrandom(buf: ArrayBuffer | ArrayBufferView, off: number, len: number): number;
  hostClockGettime(clock: number, out: Float64Array): number;
  hostClockGetres(clock: number, out: Float64Array): number;
  // Host file system (src/fs/host/): descriptor-relative calls that never follow a symlink.
  // Names are latin1 strings; *at calls other than openat2 take one component (or "" with AT_EMPTY_PATH).
  hostfsOpenat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number;
  /** statx with AT_SYMLINK_NOFOLLOW into out (HostStat slots, src/fs/host/host_native.ts). */
  hostfsStatx(dirfd: number, path: string, flags: number, out: Float64Array): number;
  hostfsFstatfs(fd: number, out: Float64Array): number;
  hostfsGetdents64(fd: number, buf: Uint8Array, off: number, len: number): number;
  hostfsReadlinkat(dirfd: number, path: string, buf: Uint8Array, off: number, len: number): number;
  hostfsMkdirat(dirfd: number, name: string, mode: number): number;
  hostfsMknodat(dirfd: number, name: string, mode: number, dev: number): number;
  hostfsSymlinkat(target: string, dirfd: number, name: string): number;
  hostfsLinkat(olddirfd: number, oldname: string, newdirfd: number, newname: string, flags: number): number;
  hostfsUnlinkat(dirfd: number, name: string, flags: number): number;
  hostfsRenameat2(olddirfd: number, oldname: string, newdirfd: number, newname: string, flags: number): number;
  hostfsFchmodat2(dirfd: number, path: string, mode: number, flags: number): number;
  hostfsFchmod(fd: number, mode: number): number;
  hostfsFchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): number;
  /** times: atime sec, nsec, mtime sec, nsec (UTIME_OMIT / UTIME_NOW in nsec). */
  hostfsUtimensat(dirfd: number, path: string, times: Float64Array, flags: number): number;
  hostfsFtruncate(fd: number, length: number): number;
  hostfsFallocate(fd: number, mode: number, offset: number, length: number): number;
  hostfsFsync(fd: number, datasync: number): number;
  hostfsLseek(fd: number, offset: number, whence: number): number;
  hostfsFgetxattr(fd: number, name: string, buf: Uint8Array, off: number, len: number): number;
  hostfsFsetxattr(fd: number, name: string, buf: Uint8Array, off: number, len: number, flags: number): number;
  hostfsFlistxattr(fd: number, buf: Uint8Array, off: number, len: number): number;
  hostfsFremovexattr(fd: number, name: string): number;
  hostfsGetxattrat(dirfd: number, path: string, atFlags: number, name: string, buf: Uint8Array, off: number, len: number): number;
  hostfsSetxattrat(dirfd: number, path: string, atFlags: number, name: string, buf: Uint8Array, off: number, len: number, flags: number): number;
  hostfsListxattrat(dirfd: number, path: string, atFlags: number, buf: Uint8Array, off: number, len: number): number;
  hostfsRemovexattrat(dirfd: number, path: string, atFlags: number, name: string): number;
  hostfsDup(fd: number): number;
  hostfsClose(fd: number): number;
  // Host terminals for the OCI runtime's consoles (native/hostpty.c).
  /** A host pty pair (O_NOCTTY, close-on-exec): out = [master, slave]. */
  hostptyOpen(out: Int32Array): number;
  /** TIOCGWINSZ: rows << 16 | cols. */
  hostptyGetWinsize(fd: number): number;
  hostptySetWinsize(fd: number, rows: number, cols: number): number;
  /** cfmakeraw on a host terminal. */
  hostptyMakeRaw(fd: number): number;
  /** Connects to the unix stream socket at path and sends payload with fd in SCM_RIGHTS. */
  hostptySendFd(path: string, fd: number, payload: Uint8Array): number;
  // Spare stubs of the ptrace platform (native/ptrace_platform.c).
  /** A background thread keeps `target` (1-4) stubs of the template, each with its first thread, ready: a pool id. */
  sparesStart(template: number, memfd: number, target: number): number;
  /** Takes a spare, its thread now using regs and fp: out = [stub handle, stub pid, thread handle, thread tid]; -EAGAIN if none is ready. */
  sparesTake(pool: number, regs: ArrayBuffer, fp: ArrayBuffer, out: Int32Array): number;
  /** Stops the pool and destroys its spares. */
  sparesStop(pool: number): number;
  /** n MAP_SHARED|MAP_FIXED mmaps of the MemoryFile in the stub (ops: addr, length, prot, offset each): the number done (stops at the first failure) or -errno if the first failed. */
  stubMapBatch(stub: number, ops: Float64Array, n: number): number;
  /** The host vDSO ranges every stub keeps: (start, end, kind: 0 [vvar], 1 [vvar_vclock], 2 [vdso]) triples into out (12 slots); their number. */
  stubVdso(out: Float64Array): number;
}

function packageRoot(): string {
  // dist/src/platform/native.js -> package root (three levels up from dist/src/platform).
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (path.basename(dir) === 'dist') return path.dirname(dir);
    dir = path.dirname(dir);
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (!addon) {
    const require = createRequire(import.meta.url);
    const root = process.env.TSVISOR_ROOT ?? packageRoot();
    addon = require(path.join(root, 'build', 'Release', 'tsvisor.node')) as NativeAddon;
  }
  return addon;
}
