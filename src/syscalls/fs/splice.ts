// sendfile(2), splice(2), tee(2) and copy_file_range(2) (fs/splice.c,
// fs/read_write.c do_sendfile and vfs_copy_file_range, Linux 6.x):
//
// - pipe to pipe (splice, tee) moves or duplicates pipe buffers (src/fs/pipe);
// - a file into a pipe reads at most what the pipe has free slots for, in
//   buffers that keep a regular file's page alignment;
// - a pipe into a file writes what the pipe holds, waiting only while it is
//   empty;
// - file to file ("direct": sendfile to a non-pipe, copy_file_range) loops
//   through a staging buffer until the count is done, EOF, or a short
//   write; the input must be seekable.
//
// Data moves through staging buffers taken from a small pool (no
// allocation per chunk). A long direct copy yields to the event loop every
// few MiB so other tasks' system calls go on. Waits park on the pipes
// (interruptible as pipe reads and writes are); SPLICE_F_NONBLOCK, or
// O_NONBLOCK where Linux looks at it, makes them EAGAIN.
import { Errno } from '../../abi/linux/errno.js';
import { OFFSET_MAX, OpenFlag, Seek } from '../../abi/linux/fcntl.js';
import { MAX_RW_COUNT } from '../../abi/linux/iovec.js';
import { SPLICE_F_ALL, SpliceFlag } from '../../abi/linux/splice.js';
import { SYS } from '../../abi/linux/syscalls.js';
import { pipeHooks, SPLICE_RETRY, type Pipe, type TaskToken } from '../../fs/pipe/index.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import type { MemoryManager } from '../../mm/memory_manager.js';
import { BufferMemory } from '../../vfs/buffer_memory.js';
import type { FileDescription, IoResult } from '../../vfs/file.js';
import { isDir, isRegular } from '../../vfs/inode.js';
import { MAX_FILE_SIZE } from '../../vfs/limits.js';
import { OpenFile } from '../../vfs/open_file.js';
import { pipeOfFile } from '../pipe.js';
import { scratch, scratchView } from '../scratch.js';
import type { SyscallTable } from '../table.js';
import { plainFile } from './common.js';

const PAGE_SIZE = 4096;
/** Bytes of one staging buffer (a direct copy's chunk). */
const STAGING_SIZE = 256 * 1024;
/** A direct copy returns to the event loop after this many bytes in one go. */
const BURST_BYTES = 16 * 1024 * 1024;
const POOL_MAX = 4;

// ---------------------------------------------------------------------------
// Staging buffers

interface Staging {
  buf: Uint8Array;
  /** The buffer as the memory a FileDescription reads into and writes from (addresses are offsets). */
  mem: MemoryManager;
}

const pool: Staging[] = [];

function takeStaging(): Staging {
  const s = pool.pop();
  if (s) return s;
  const buf = new Uint8Array(STAGING_SIZE);
  // FileDescription's I/O only uses the GuestMemory part of a MemoryManager.
  return { buf, mem: new BufferMemory(buf) as unknown as MemoryManager };
}

function giveStaging(s: Staging): void {
  if (pool.length < POOL_MAX) pool.push(s);
}

// ---------------------------------------------------------------------------
// Files as splice sees them

function canRead(f: FileDescription): boolean {
  const acc = f.flags & OpenFlag.O_ACCMODE;
  return (f.flags & OpenFlag.O_PATH) === 0 && (acc === OpenFlag.O_RDONLY || acc === OpenFlag.O_RDWR);
}

function canWrite(f: FileDescription): boolean {
  const acc = f.flags & OpenFlag.O_ACCMODE;
  return (f.flags & OpenFlag.O_PATH) === 0 && (acc === OpenFlag.O_WRONLY || acc === OpenFlag.O_RDWR);
}

/** FMODE_PREAD/FMODE_PWRITE (and FMODE_LSEEK, which goes with them here). */
function seekable(f: FileDescription): boolean {
  return f.positional;
}

/**
 * Whether the file has ->splice_read: not directories, not the sandbox's
 * pipes (fs/pipe.c has none). A host descriptor the sandbox was given
 * (stdin) is read with read(2), whatever it is: a host pipe there stands
 * for a pipe, which splice would read from.
 */
function canSpliceRead(f: FileDescription): boolean {
  if (f instanceof OpenFile) return !isDir(f.inode) && pipeOfFile(f) === undefined;
  return pipeOfFile(f) === undefined;
}

/** A regular file's data comes from its page cache: spliced buffers keep the file's page alignment. */
function pageCached(f: FileDescription): boolean {
  return f instanceof OpenFile && isRegular(f.inode);
}

/** f_pos: an open file's offset; other descriptions keep none of ours. */
function getPos(f: FileDescription): number {
  return f instanceof OpenFile ? f.offset : 0;
}

function setPos(f: FileDescription, pos: number): void {
  if (f instanceof OpenFile) f.offset = pos;
  else if (f.seek && f.positional) f.seek(pos, Seek.SEEK_SET);
}

/** Reads n staged bytes from f: at pos when pos >= 0 (pread), else at f's own position. */
function readInto(f: FileDescription, st: Staging, off: number, n: number, pos: number): IoResult {
  return pos >= 0 ? f.pread(st.mem, off, n, pos) : f.read(st.mem, off, n);
}

function writeFrom(f: FileDescription, st: Staging, off: number, n: number, pos: number): IoResult {
  return pos >= 0 ? f.pwrite(st.mem, off, n, pos) : f.write(st.mem, off, n);
}

/**
 * rw_verify_area's range checks: a count that is negative as ssize_t, a
 * negative position, or a range past OFFSET_MAX is EINVAL.
 */
function verifyArea(pos: bigint, count: bigint): number {
  if (count > OFFSET_MAX) return -Errno.EINVAL;
  if (pos < 0n) return -Errno.EINVAL;
  if (pos + count > OFFSET_MAX) return -Errno.EINVAL;
  return 0;
}

/** A size_t argument as a bigint (its high half decides whether it is negative as ssize_t). */
function sizeArg(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function readOffset(t: Task, addr: number): bigint | number {
  const r = t.tg.mm.readBytes(addr, scratch, 0, 8);
  if (r < 0) return r;
  return scratchView.getBigInt64(0, true);
}

function writeOffset(t: Task, addr: number, v: bigint): number {
  scratchView.setBigInt64(0, v, true);
  return t.tg.mm.writeBytes(addr, scratch, 0, 8);
}

/**
 * Like fdget for the whole call: a call that completes later keeps its
 * files open (another thread may close the descriptors meanwhile).
 */
function hold(r: IoResult, a: FileDescription, b: FileDescription): IoResult {
  if (typeof r === 'number') return r;
  a.incRef();
  b.incRef();
  return r.then((v) => {
    a.decRef();
    b.decRef();
    return v;
  });
}

/** Chains a step that may complete later. */
function then<T>(r: T | Promise<T>, fn: (v: T) => IoResult): IoResult {
  return r instanceof Promise ? r.then(fn) : fn(r);
}

// ---------------------------------------------------------------------------
// Waiting on pipes

/** wait_for_space: -EPIPE (SIGPIPE) with no reader, else 0 once a slot is free, -EAGAIN, or the wait's interruption. */
function waitForSpace(pipe: Pipe, nonblock: boolean, task: TaskToken): IoResult {
  if (pipe.readers === 0) {
    pipeHooks.sigpipe(task);
    return -Errno.EPIPE;
  }
  if (pipe.freeSlots > 0) return 0;
  if (nonblock) return -Errno.EAGAIN;
  return pipe.waitWritable(task).then((r) => (r < 0 ? r : waitForSpace(pipe, nonblock, task)));
}

/** opipe_prep: 0 while a slot is free; when full, -EPIPE (SIGPIPE) with no reader, -EAGAIN, or wait. */
function opipePrep(pipe: Pipe, nonblock: boolean, task: TaskToken): IoResult {
  if (pipe.freeSlots > 0) return 0;
  if (pipe.readers === 0) {
    pipeHooks.sigpipe(task);
    return -Errno.EPIPE;
  }
  if (nonblock) return -Errno.EAGAIN;
  return pipe.waitWritable(task).then((r) => (r < 0 ? r : opipePrep(pipe, nonblock, task)));
}

/** ipipe_prep: 0 once the pipe holds data or has no writer, -EAGAIN, or the wait's interruption. */
function waitForData(pipe: Pipe, nonblock: boolean, task: TaskToken): IoResult {
  if (pipe.queued > 0 || pipe.writers === 0) return 0;
  if (nonblock) return -Errno.EAGAIN;
  return pipe.waitReadable(task).then((r) => (r < 0 ? r : waitForData(pipe, nonblock, task)));
}

// ---------------------------------------------------------------------------
// The four movements

/** Where a file end of a transfer is: pos >= 0 for an explicit or tracked position, -1 for the file's own. */
interface FileEnd {
  f: FileDescription;
  pos: number;
}

/**
 * splice_file_to_pipe: waits for a free slot, then reads once (as far as
 * the free slots reach) from the file into new pipe buffers. Returns bytes
 * moved; in.pos advances by them.
 */
function fileToPipe(src: FileEnd, pipe: Pipe, len: number, nonblock: boolean, task: TaskToken): IoResult {
  return then(waitForSpace(pipe, nonblock, task), (r) => {
    if (r < 0) return r;
    if (!canRead(src.f)) return -Errno.EBADF;
    if (len === 0) return 0;
    const aligned = pageCached(src.f) && src.pos >= 0;
    const pageOff = aligned ? src.pos % PAGE_SIZE : 0;
    let want = Math.min(len, pipe.freeSlots * PAGE_SIZE - pageOff, MAX_RW_COUNT);
    if (!canSpliceRead(src.f)) return -Errno.EINVAL;
    const st = takeStaging();
    let done = 0;
    // Positional files are read chunk by chunk while full; others once (a second read could block).
    const step = (): IoResult => {
      const n = Math.min(want, st.buf.length);
      return then(readInto(src.f, st, 0, n, src.pos), (got) => {
        if (got <= 0) return finish(got);
        const put = pipe.append(st.buf, 0, got, aligned ? (src.pos + done) % PAGE_SIZE : 0);
        done += put;
        if (src.pos >= 0) src.pos += put;
        want -= put;
        if (put < got || got < n || want <= 0 || src.pos < 0) return finish(0);
        return step();
      });
    };
    const finish = (r: number): number => {
      giveStaging(st);
      return done > 0 ? done : r;
    };
    return step();
  });
}

/**
 * iter_file_splice_write after splice_from_pipe_next: waits while the pipe
 * is empty (unless it has no writer: 0, or something was written), then
 * writes what it holds, up to len, consuming what was written.
 */
function pipeToFile(pipe: Pipe, dst: FileEnd, len: number, nonblock: boolean, task: TaskToken): IoResult {
  const st = takeStaging();
  let done = 0;
  const finish = (r: number): number => {
    giveStaging(st);
    return done > 0 ? done : r;
  };
  const step = (): IoResult => {
    if (len === 0) return finish(0);
    if (pipe.queued === 0) {
      if (pipe.writers === 0 || done > 0) return finish(0);
      return then(waitForData(pipe, nonblock, task), (r) => (r < 0 ? finish(r) : pipe.queued === 0 ? finish(0) : step()));
    }
    const n = pipe.peek(st.buf, 0, Math.min(len, st.buf.length));
    return then(writeFrom(dst.f, st, 0, n, dst.pos), (w) => {
      if (w <= 0) return finish(w);
      pipe.consume(Math.min(w, pipe.queued));
      done += w;
      len -= w;
      if (dst.pos >= 0) dst.pos += w;
      return step();
    });
  };
  return step();
}

/** splice_pipe_to_pipe: waits for input and room, moves buffers, and tries again if another caller was first. */
function pipeToPipe(ipipe: Pipe, opipe: Pipe, len: number, nonblock: boolean, task: TaskToken): IoResult {
  return then(waitForData(ipipe, nonblock, task), (r) => {
    if (r < 0) return r;
    return then(opipePrep(opipe, nonblock, task), (w) => {
      if (w < 0) return w;
      const moved = ipipe.spliceTo(opipe, len, task);
      if (moved !== SPLICE_RETRY) return moved;
      if (nonblock) return -Errno.EAGAIN;
      return pipeToPipe(ipipe, opipe, len, nonblock, task);
    });
  });
}

/**
 * do_splice_direct (splice_direct_to_actor): file to file through a
 * staging buffer, chunk by chunk, until len bytes, EOF, an error or a
 * short write. src.pos and dst.pos (when >= 0) advance by what was written.
 */
function direct(src: FileEnd, dst: FileEnd, len: number, alive: () => boolean): IoResult {
  const st = takeStaging();
  let done = 0;
  let burst = 0;
  const finish = (r: number): number => {
    giveStaging(st);
    return done > 0 ? done : r;
  };
  const step = (): IoResult => {
    for (;;) {
      if (len === 0) return finish(0);
      if (burst >= BURST_BYTES) {
        burst = 0;
        // The caller's process died meanwhile: nobody waits for the rest.
        return new Promise<void>((resolve) => setImmediate(resolve)).then(() => (alive() ? step() : finish(0)));
      }
      const n = Math.min(len, st.buf.length);
      const rr = readInto(src.f, st, 0, n, src.pos);
      const more = then(rr, (got) => {
        if (got <= 0) return finish(got);
        return then(writeFrom(dst.f, st, 0, got, dst.pos), (w) => {
          if (w <= 0) return finish(w);
          done += w;
          len -= w;
          burst += w;
          src.pos += w;
          if (dst.pos >= 0) dst.pos += w;
          if (w < got) return finish(0);
          return CONTINUE;
        });
      });
      if (more === CONTINUE) continue;
      if (typeof more === 'number') return more;
      return more.then((v) => (v === CONTINUE ? step() : v));
    }
  };
  return step();
}

/** direct's marker for "go on with the next chunk". */
const CONTINUE = -0x7ffffffc;

// ---------------------------------------------------------------------------
// sendfile(2)

/**
 * do_sendfile: the input (EBADF, ESPIPE for an offset on an unseekable
 * file, rw_verify_area), the count clamped to MAX_RW_COUNT, the output
 * (EBADF), the largest offset (EOVERFLOW), then into a pipe (one read's
 * worth) or directly (the output must not be O_APPEND, the input seekable).
 */
function sendfile(t: Task, outFd: number, inFd: number, offAddr: number, countLo: number, countHi: number): IoResult {
  let ppos: bigint | null = null;
  if (offAddr !== 0) {
    const o = readOffset(t, offAddr);
    if (typeof o === 'number') return o;
    ppos = o;
  }
  const r = doSendfile(t, outFd, inFd, ppos, sizeArg(countLo, countHi));
  if (ppos === null) return r;
  // sendfile64 writes the offset back whatever happened (unchanged on failure).
  return then(r, (v) => {
    const moved = v > 0 ? BigInt(v) : 0n;
    const e = writeOffset(t, offAddr, ppos! + moved);
    return e < 0 ? e : v;
  });
}

function doSendfile(t: Task, outFd: number, inFd: number, ppos: bigint | null, count: bigint): IoResult {
  const inF = plainFile(t, inFd);
  if (typeof inF === 'number') return inF;
  if (!canRead(inF)) return -Errno.EBADF;
  let pos: bigint;
  if (ppos === null) {
    pos = BigInt(getPos(inF));
  } else {
    pos = ppos;
    if (!seekable(inF)) return -Errno.ESPIPE;
  }
  const v = verifyArea(pos, count);
  if (v < 0) return v;
  if (count > BigInt(MAX_RW_COUNT)) count = BigInt(MAX_RW_COUNT);
  const outF = plainFile(t, outFd);
  if (typeof outF === 'number') return outF;
  if (!canWrite(outF)) return -Errno.EBADF;
  const max = BigInt(MAX_FILE_SIZE);
  if (pos + count > max) {
    if (pos >= max) return -Errno.EOVERFLOW;
    count = max - pos;
  }
  const n = Number(count);
  const src: FileEnd = { f: inF, pos: Number(pos) };
  const opipe = pipeOfFile(outF);
  let r: IoResult;
  if (opipe) {
    const nonblock = (outF.flags & OpenFlag.O_NONBLOCK) !== 0;
    // Reading an unseekable input at its own position (a terminal): no offset to track.
    if (!seekable(inF)) src.pos = -1;
    r = fileToPipe(src, opipe, n, nonblock, pipeHooks.currentTask());
  } else {
    const outPos = getPos(outF);
    const w = verifyArea(BigInt(outPos), count);
    if (w < 0) return w;
    if ((outF.flags & OpenFlag.O_APPEND) !== 0) return -Errno.EINVAL;
    if (!seekable(inF)) return -Errno.EINVAL;
    if (n === 0) return 0;
    if (!canSpliceRead(inF)) return -Errno.EINVAL;
    const dst: FileEnd = { f: outF, pos: outF instanceof OpenFile && seekable(outF) ? outPos : -1 };
    r = then(direct(src, dst, n, () => !t.tg.exiting), (v) => {
      if (v > 0 && dst.pos >= 0) setPos(outF, dst.pos);
      return v;
    });
  }
  return hold(then(r, (v) => {
    if (v > 0 && ppos === null && src.pos >= 0) setPos(inF, src.pos);
    return v;
  }), inF, outF);
}

// ---------------------------------------------------------------------------
// splice(2)

/**
 * __do_splice and do_splice: len 0 is 0 before anything, then the flags
 * (EINVAL), both descriptors (EBADF), an offset on a pipe end (ESPIPE),
 * the offsets' memory (EFAULT), the access modes (EBADF), and the
 * movement: at least one end must be a pipe (EINVAL), and not the same
 * pipe. Offsets given are updated through their pointers, not the files.
 */
function splice(t: Task, inFd: number, offInAddr: number, outFd: number, offOutAddr: number, lenLo: number, lenHi: number, flags: number): IoResult {
  if (lenLo === 0 && lenHi === 0) return 0;
  if ((flags & ~SPLICE_F_ALL) !== 0) return -Errno.EINVAL;
  const inF = plainFile(t, inFd);
  if (typeof inF === 'number') return inF;
  const outF = plainFile(t, outFd);
  if (typeof outF === 'number') return outF;
  const ipipe = pipeOfFile(inF);
  const opipe = pipeOfFile(outF);
  if (ipipe && offInAddr !== 0) return -Errno.ESPIPE;
  if (opipe && offOutAddr !== 0) return -Errno.ESPIPE;
  // One variable serves both offsets in __do_splice; only one is ever used.
  let offset = 0n;
  if (offInAddr !== 0) {
    const o = readOffset(t, offInAddr);
    if (typeof o === 'number') return o;
    offset = o;
  }
  if (offOutAddr !== 0) {
    const o = readOffset(t, offOutAddr);
    if (typeof o === 'number') return o;
    offset = o;
  }
  if (!canRead(inF) || !canWrite(outF)) return -Errno.EBADF;
  return hold(doSplice(t, inF, offInAddr, outF, offOutAddr, sizeArg(lenLo, lenHi), flags, offset), inF, outF);
}

/** do_splice after the descriptors and offsets were read: the three movements. */
function doSplice(t: Task, inF: FileDescription, offInAddr: number, outF: FileDescription, offOutAddr: number, len: bigint, flags: number, offset: bigint): IoResult {
  const ipipe = pipeOfFile(inF);
  const opipe = pipeOfFile(outF);
  let nonblock = (flags & SpliceFlag.SPLICE_F_NONBLOCK) !== 0;
  const task = pipeHooks.currentTask();
  if (ipipe && opipe) {
    if (ipipe === opipe) return -Errno.EINVAL;
    if (((inF.flags | outF.flags) & OpenFlag.O_NONBLOCK) !== 0) nonblock = true;
    return pipeToPipe(ipipe, opipe, clampLen(len), nonblock, task);
  }
  if (ipipe) {
    let pos: bigint;
    if (offOutAddr !== 0) {
      if (!seekable(outF)) return -Errno.EINVAL;
      pos = offset;
    } else {
      pos = BigInt(getPos(outF));
    }
    if ((outF.flags & OpenFlag.O_APPEND) !== 0) return -Errno.EINVAL;
    const v = verifyArea(pos, len);
    if (v < 0) return v;
    if ((inF.flags & OpenFlag.O_NONBLOCK) !== 0) nonblock = true;
    const dst: FileEnd = { f: outF, pos: seekable(outF) && outF instanceof OpenFile ? Number(pos) : offOutAddr !== 0 ? Number(pos) : -1 };
    const start = dst.pos;
    return then(pipeToFile(ipipe, dst, clampLen(len), nonblock, task), (r) => {
      if (r < 0) return r;
      if (offOutAddr !== 0) {
        const e = writeOffset(t, offOutAddr, pos + BigInt(start >= 0 ? dst.pos - start : 0));
        return e < 0 ? e : r;
      }
      if (r > 0 && dst.pos >= 0) setPos(outF, dst.pos);
      return r;
    });
  }
  if (opipe) {
    let pos: bigint;
    if (offInAddr !== 0) {
      if (!seekable(inF)) return -Errno.EINVAL;
      pos = offset;
    } else {
      pos = BigInt(getPos(inF));
    }
    const v = verifyArea(pos, len);
    if (v < 0) return v;
    if ((outF.flags & OpenFlag.O_NONBLOCK) !== 0) nonblock = true;
    const src: FileEnd = { f: inF, pos: seekable(inF) ? Number(pos) : -1 };
    const start = src.pos;
    return then(fileToPipe(src, opipe, clampLen(len), nonblock, task), (r) => {
      if (r < 0) return r;
      if (offInAddr !== 0) {
        const e = writeOffset(t, offInAddr, pos + BigInt(start >= 0 ? src.pos - start : 0));
        return e < 0 ? e : r;
      }
      if (r > 0 && src.pos >= 0) setPos(inF, src.pos);
      return r;
    });
  }
  return -Errno.EINVAL;
}

/** A length as a number for the movements (they never move more than MAX_RW_COUNT at once). */
function clampLen(len: bigint): number {
  return len > BigInt(MAX_RW_COUNT) ? MAX_RW_COUNT : Number(len);
}

// ---------------------------------------------------------------------------
// tee(2)

/** tee: flags (EINVAL) before len 0, the descriptors (EBADF), access (EBADF), two different pipes (EINVAL). */
function tee(t: Task, inFd: number, outFd: number, lenLo: number, lenHi: number, flags: number): IoResult {
  if ((flags & ~SPLICE_F_ALL) !== 0) return -Errno.EINVAL;
  if (lenLo === 0 && lenHi === 0) return 0;
  const inF = plainFile(t, inFd);
  if (typeof inF === 'number') return inF;
  const outF = plainFile(t, outFd);
  if (typeof outF === 'number') return outF;
  const ipipe = pipeOfFile(inF);
  const opipe = pipeOfFile(outF);
  if (!canRead(inF) || !canWrite(outF)) return -Errno.EBADF;
  if (!ipipe || !opipe || ipipe === opipe) return -Errno.EINVAL;
  let nonblock = (flags & SpliceFlag.SPLICE_F_NONBLOCK) !== 0;
  if (((inF.flags | outF.flags) & OpenFlag.O_NONBLOCK) !== 0) nonblock = true;
  const len = clampLen(sizeArg(lenLo, lenHi));
  const task = pipeHooks.currentTask();
  const r = then(waitForData(ipipe, nonblock, task), (r) => {
    if (r < 0) return r;
    return then(opipePrep(opipe, nonblock, task), (w) => {
      if (w < 0) return w;
      return ipipe.teeTo(opipe, len, task);
    });
  });
  return hold(r, inF, outF);
}

// ---------------------------------------------------------------------------
// copy_file_range(2)

/** Whether two files may be copied between: the same file system, or both overlays (one ->copy_file_range). */
function sameCopyDomain(a: OpenFile, b: OpenFile): boolean {
  return a.inode.fs === b.inode.fs || (a.inode.fs.type === 'overlay' && b.inode.fs.type === 'overlay');
}

/**
 * copy_file_range: the descriptors (EBADF), the offsets (EFAULT), flags
 * (EINVAL), then generic_copy_file_checks: directories (EISDIR), other
 * non-regular files (EINVAL), access and O_APPEND (EBADF), file systems
 * (EXDEV), wrapping offsets (EOVERFLOW), the count cut at the input's end
 * and at the output's limits (EFBIG), overlapping ranges of one file
 * (EINVAL); then rw_verify_area on both (EINVAL).
 */
function copyFileRange(t: Task, inFd: number, offInAddr: number, outFd: number, offOutAddr: number, lenLo: number, lenHi: number, flags: number): IoResult {
  const inF = plainFile(t, inFd);
  if (typeof inF === 'number') return inF;
  const outF = plainFile(t, outFd);
  if (typeof outF === 'number') return outF;
  let posIn: bigint;
  let posOut: bigint;
  if (offInAddr !== 0) {
    const o = readOffset(t, offInAddr);
    if (typeof o === 'number') return o;
    posIn = o;
  } else {
    posIn = BigInt(getPos(inF));
  }
  if (offOutAddr !== 0) {
    const o = readOffset(t, offOutAddr);
    if (typeof o === 'number') return o;
    posOut = o;
  } else {
    posOut = BigInt(getPos(outF));
  }
  if (flags !== 0) return -Errno.EINVAL;
  if (!(inF instanceof OpenFile) || !(outF instanceof OpenFile)) {
    const dirIn = inF instanceof OpenFile && isDir(inF.inode);
    const dirOut = outF instanceof OpenFile && isDir(outF.inode);
    return dirIn || dirOut ? -Errno.EISDIR : -Errno.EINVAL;
  }
  if (isDir(inF.inode) || isDir(outF.inode)) return -Errno.EISDIR;
  if (!isRegular(inF.inode) || !isRegular(outF.inode)) return -Errno.EINVAL;
  if (!canRead(inF) || !canWrite(outF) || (outF.flags & OpenFlag.O_APPEND) !== 0) return -Errno.EBADF;
  if (!sameCopyDomain(inF, outF)) return -Errno.EXDEV;
  // Unsigned 64-bit arithmetic, as the kernel's loff_t + uint64_t.
  const U64 = 1n << 64n;
  const uIn = BigInt.asUintN(64, posIn);
  const uOut = BigInt.asUintN(64, posOut);
  let count = sizeArg(lenLo, lenHi);
  if (uIn + count >= U64 || uOut + count >= U64) return -Errno.EOVERFLOW;
  const sizeIn = BigInt(inF.inode.getattr().size);
  if (posIn >= sizeIn) count = 0n;
  else if (sizeIn - posIn < count) count = sizeIn - posIn;
  // generic_write_check_limits (RLIMIT_FSIZE is not enforced by the sandbox yet).
  const maxSize = BigInt(MAX_FILE_SIZE);
  if (posOut >= maxSize) return -Errno.EFBIG;
  if (maxSize - posOut < count) count = maxSize - posOut;
  if (inF.inode === outF.inode && posOut + count > posIn && posOut < posIn + count) return -Errno.EINVAL;
  let v = verifyArea(posIn, count);
  if (v < 0) return v;
  v = verifyArea(posOut, count);
  if (v < 0) return v;
  if (count === 0n) return 0;
  const n = count > BigInt(MAX_RW_COUNT) ? MAX_RW_COUNT : Number(count);
  const src: FileEnd = { f: inF, pos: Number(posIn) };
  const dst: FileEnd = { f: outF, pos: Number(posOut) };
  return hold(then(direct(src, dst, n, () => !t.tg.exiting), (r) => {
    if (r <= 0) return r;
    let ret = r;
    if (offInAddr !== 0) {
      if (writeOffset(t, offInAddr, posIn + BigInt(r)) < 0) ret = -Errno.EFAULT;
    } else {
      inF.offset = src.pos;
    }
    if (offOutAddr !== 0) {
      if (writeOffset(t, offOutAddr, posOut + BigInt(r)) < 0) ret = -Errno.EFAULT;
    } else {
      outF.offset = dst.pos;
    }
    return ret;
  }), inF, outF);
}

export function registerSplice(table: SyscallTable, _k: Kernel): void {
  table[SYS.sendfile] = (t, a) => sendfile(t, a.int(0), a.int(1), a.u64(2), a.u32(3), a.hi(3));
  table[SYS.splice] = (t, a) => splice(t, a.int(0), a.u64(1), a.int(2), a.u64(3), a.u32(4), a.hi(4), a.u32(5));
  table[SYS.tee] = (t, a) => tee(t, a.int(0), a.int(1), a.u32(2), a.hi(2), a.u32(3));
  table[SYS.copy_file_range] = (t, a) => copyFileRange(t, a.int(0), a.u64(1), a.int(2), a.u64(3), a.u32(4), a.hi(4), a.u32(5));
}
