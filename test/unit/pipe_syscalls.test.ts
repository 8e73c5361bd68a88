// pipe(2)/pipe2(2) and the pipe fcntls at the syscall layer (src/syscalls/pipe.ts):
// flag checks, descriptor order, EMFILE and EFAULT without leaks, F_GETPIPE_SZ
// and F_SETPIPE_SZ on pipes and on other files.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { Fcntl, OpenFlag } from '../../src/abi/linux/fcntl.js';
import { Rlimit } from '../../src/abi/linux/rlimit.js';
import { PipeFile } from '../../src/fs/pipe/index.js';
import { Credentials } from '../../src/kernel/creds.js';
import { Limits } from '../../src/kernel/limits.js';
import type { Task } from '../../src/kernel/task.js';
import { pipe2, pipeCallerOf, pipeFcntl, pipeOfFile } from '../../src/syscalls/pipe.js';
import { FdTable } from '../../src/vfs/fd_table.js';
import type { FileDescription } from '../../src/vfs/file.js';
import { HoleyMemory } from './pipe_memory.test.js';

function fakeTask(uid = 0): { t: Task; fds: FdTable; mm: HoleyMemory; limits: Limits } {
  const fds = new FdTable();
  const mm = new HoleyMemory(1 << 16);
  const limits = new Limits();
  const t = { tg: { fds, mm, limits }, creds: new Credentials(uid, uid) } as unknown as Task;
  return { t, fds, mm, limits };
}

function fdPair(mm: HoleyMemory, at: number): [number, number] {
  const dv = new DataView(mm.bytes.buffer);
  return [dv.getInt32(at, true), dv.getInt32(at + 4, true)];
}

/** A file that is not a pipe. */
const notPipe = { flags: 0, name: 'x', positional: true } as unknown as FileDescription;

test('pipe2: read end first, at the lowest descriptors, with the right flags', () => {
  const { t, fds, mm } = fakeTask();
  assert.equal(pipe2(t, 100, 0), 0);
  assert.deepEqual(fdPair(mm, 100), [0, 1]);
  const r = fds.get(0)!;
  const w = fds.get(1)!;
  assert.ok(r instanceof PipeFile && w instanceof PipeFile);
  assert.equal(r.flags, OpenFlag.O_RDONLY);
  assert.equal(w.flags, OpenFlag.O_WRONLY);
  assert.equal(fds.getCloexec(0), false);
  assert.equal(r.pipe, w.pipe);

  assert.equal(pipe2(t, 200, OpenFlag.O_CLOEXEC | OpenFlag.O_NONBLOCK | OpenFlag.O_DIRECT), 0);
  assert.deepEqual(fdPair(mm, 200), [2, 3]);
  assert.equal(fds.getCloexec(2), true);
  assert.equal(fds.getCloexec(3), true);
  assert.equal(fds.get(2)!.flags, OpenFlag.O_RDONLY | OpenFlag.O_NONBLOCK);
  assert.equal(fds.get(3)!.flags, OpenFlag.O_WRONLY | OpenFlag.O_NONBLOCK | OpenFlag.O_DIRECT);
});

test('pipe2: EINVAL for unknown flags, ENOPKG for notification pipes, before the pointer', () => {
  const { t, fds } = fakeTask();
  for (const f of [1, OpenFlag.O_RDWR, OpenFlag.O_APPEND, OpenFlag.FASYNC, OpenFlag.O_CREAT, -1]) {
    assert.equal(pipe2(t, 100, f), -Errno.EINVAL, `flags ${f}`);
  }
  assert.equal(pipe2(t, 1 << 30, OpenFlag.O_APPEND), -Errno.EINVAL);
  assert.equal(pipe2(t, 100, OpenFlag.O_EXCL), -Errno.ENOPKG);
  assert.equal(pipe2(t, 1 << 30, OpenFlag.O_EXCL), -Errno.ENOPKG);
  assert.equal(fds.get(0), undefined);
});

test('pipe2: EFAULT closes both descriptors and frees the pipe', () => {
  const { t, fds, mm } = fakeTask();
  mm.holes.push([4096, 8192]);
  assert.equal(pipe2(t, 4096, 0), -Errno.EFAULT);
  assert.equal(pipe2(t, 4092, 0), -Errno.EFAULT); // straddles into the hole
  assert.equal(pipe2(t, 1 << 20, 0), -Errno.EFAULT);
  assert.equal(fds.get(0), undefined);
  assert.equal(fds.get(1), undefined);
  assert.equal(pipe2(t, 0, 0), 0);
  assert.deepEqual(fdPair(mm, 0), [0, 1]);
});

test('pipe2: EMFILE with one or no descriptor free, nothing leaked', () => {
  const { t, fds, limits } = fakeTask();
  limits.get(Rlimit.RLIMIT_NOFILE).cur = 3;
  assert.equal(pipe2(t, 0, 0), 0); // 0, 1
  assert.equal(pipe2(t, 0, 0), -Errno.EMFILE); // only 2 is free
  assert.equal(fds.get(2), undefined);
  limits.get(Rlimit.RLIMIT_NOFILE).cur = 2;
  assert.equal(pipe2(t, 0, 0), -Errno.EMFILE);
  // The first pipe's ends are still a working pair; the failed ones are gone.
  const r = fds.get(0) as PipeFile;
  assert.equal(r.pipe.readers, 1);
  assert.equal(r.pipe.writers, 1);
});

test('closing the descriptors releases the ends: EOF, EPIPE, and the pipe freed', () => {
  const { t, fds, mm } = fakeTask();
  assert.equal(pipe2(t, 0, OpenFlag.O_NONBLOCK), 0);
  const r = fds.get(0) as PipeFile;
  const w = fds.get(1) as PipeFile;
  assert.equal(fds.install(w, false, 100), 2); // dup of the write end
  assert.equal(fds.close(1), 0);
  assert.equal(r.read(mm, 100, 10), -Errno.EAGAIN);
  assert.equal(fds.close(2), 0);
  assert.equal(r.read(mm, 100, 10), 0);
  assert.equal(fds.close(0), 0);
  assert.equal(r.pipe.isFree, true);
});

test('F_GETPIPE_SZ / F_SETPIPE_SZ: pipes only (EBADF otherwise), arg as an unsigned int', () => {
  const { t, fds } = fakeTask();
  assert.equal(pipe2(t, 0, 0), 0);
  const r = fds.get(0)!;
  const w = fds.get(1)!;
  assert.equal(pipeFcntl(t, r, Fcntl.F_GETPIPE_SZ, 0), 65536);
  assert.equal(pipeFcntl(t, w, Fcntl.F_SETPIPE_SZ, 5000), 8192);
  assert.equal(pipeFcntl(t, r, Fcntl.F_GETPIPE_SZ, 0), 8192);
  assert.equal(pipeFcntl(t, w, Fcntl.F_SETPIPE_SZ, -1), -Errno.EINVAL);
  assert.equal(pipeFcntl(t, w, Fcntl.F_SETPIPE_SZ, 0x80000001), -Errno.EINVAL);
  assert.equal(pipeFcntl(t, w, Fcntl.F_SETPIPE_SZ, 1 << 21), 1 << 21); // root: CAP_SYS_RESOURCE
  assert.equal(pipeFcntl(t, notPipe, Fcntl.F_GETPIPE_SZ, 0), -Errno.EBADF);
  assert.equal(pipeFcntl(t, notPipe, Fcntl.F_SETPIPE_SZ, 4096), -Errno.EBADF);
  assert.equal(pipeOfFile(r), (r as PipeFile).pipe);
  assert.equal(pipeOfFile(notPipe), undefined);

  const user = fakeTask(1000);
  assert.equal(pipe2(user.t, 0, 0), 0);
  const ur = user.fds.get(0)!;
  assert.equal(pipeFcntl(user.t, ur, Fcntl.F_SETPIPE_SZ, 1 << 20), 1 << 20);
  assert.equal(pipeFcntl(user.t, ur, Fcntl.F_SETPIPE_SZ, (1 << 20) + 1), -Errno.EPERM);
  assert.deepEqual(pipeCallerOf(user.t), { uid: 1000, fsuid: 1000, fsgid: 1000, capSysResource: false, capSysAdmin: false });
});
