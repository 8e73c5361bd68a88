// Finding and reading the program to start, inside the sandbox's own file
// tree (as runsc resolves a container's process): execvp(3)'s PATH search,
// X_OK, and the bytes read through the VFS, so a root's symlinks can never
// make the sentry load a host file from outside the root.
import fs from 'node:fs';
import path from 'node:path';
import { Errno } from '../abi/linux/errno.js';
import { FileMode } from '../abi/linux/stat.js';
import type { FsContext } from '../kernel/fs_context.js';
import { Access, OpenFlag } from '../abi/linux/fcntl.js';
import { accessAt } from '../vfs/attr_ops.js';
import { BufferMemory } from '../vfs/buffer_memory.js';
import type { FsCredentials } from '../vfs/credentials.js';
import { makeCaller } from '../vfs/fs_struct.js';
import { openAt, openatHow } from '../vfs/open.js';
import { pathName } from '../vfs/path.js';
import { lookupAt } from '../vfs/resolve.js';
import { isRegular } from '../vfs/inode.js';

const AT_FDCWD = -100;
/** The largest executable the sandbox will read to start (the loader holds it in memory). */
const MAX_PROGRAM_BYTES = 1 << 30;

export interface Program {
  /** The program's canonical path inside the sandbox (what /proc/self/exe shows). */
  exe: string;
  bytes: Uint8Array;
}

/** Candidate paths for argv[0]: itself if it has a slash, else each PATH entry (execvp). */
function candidates(prog: string, env: string[]): string[] {
  if (prog.includes('/')) return [prog];
  const pathVar = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return pathVar.split(':').map((dir) => `${dir || '.'}/${prog}`);
}

/**
 * Finds prog in the sandbox and reads it. Returns the program, or a negative
 * errno: ENOENT (not found), EACCES (not executable or not a regular file).
 */
export async function readProgram(ctx: FsContext, creds: FsCredentials, prog: string, env: string[]): Promise<Program | number> {
  const caller = makeCaller(creds, ctx.fs, () => undefined, ctx.special);
  let err = -Errno.ENOENT;
  for (const p of candidates(prog, env)) {
    const bytes = Buffer.from(p, 'utf8').toString('latin1'); // VFS names are byte strings
    const ok = accessAt(caller, AT_FDCWD, bytes, Access.X_OK, 0);
    if (ok < 0) {
      if (ok !== -Errno.ENOENT && ok !== -Errno.ENOTDIR) err = ok;
      continue;
    }
    const at = lookupAt(caller, AT_FDCWD, bytes, { follow: true });
    if (typeof at !== 'number' && !isRegular(at.dentry.inode)) {
      err = -Errno.EACCES;
      continue;
    }
    const opened = openAt(caller, AT_FDCWD, bytes, openatHow(OpenFlag.O_RDONLY, 0));
    const f = opened instanceof Promise ? -Errno.EACCES : opened;
    if (typeof f === 'number') {
      err = f === -Errno.EISDIR ? -Errno.EACCES : f;
      continue;
    }
    try {
      const attrs = f.inode.getattr();
      if ((attrs.mode & FileMode.S_IFMT) !== FileMode.S_IFREG) {
        err = -Errno.EACCES;
        continue;
      }
      if (attrs.size > MAX_PROGRAM_BYTES) return -Errno.E2BIG;
      const buf = new Uint8Array(attrs.size);
      let done = 0;
      while (done < buf.length) {
        const r = await f.pread(new BufferMemory(buf), done, buf.length - done, done);
        if (r < 0) return r;
        if (r === 0) break;
        done += r;
      }
      const exe = Buffer.from(pathName(f.path, ctx.fs.root).name, 'latin1').toString('utf8');
      return { exe, bytes: buf.subarray(0, done) };
    } finally {
      // A new open file holds no reference until installed: take one to drop it.
      f.incRef();
      f.decRef();
    }
  }
  return err;
}

/**
 * The host's file for prog, for `tsvisor do` on the host's own root when the
 * sandbox's tree hides it (a program in the host's /tmp, which the sandbox
 * covers with its own tmpfs): the user named a host program to run.
 * Returns the program or -ENOENT / -EACCES.
 */
export function readHostProgram(prog: string, env: string[]): Program | number {
  for (const p of candidates(prog, env)) {
    try {
      const real = fs.realpathSync(path.resolve(p));
      const st = fs.statSync(real);
      if (!st.isFile()) continue;
      fs.accessSync(real, fs.constants.X_OK);
      return { exe: real, bytes: fs.readFileSync(real) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES') return -Errno.EACCES;
    }
  }
  return -Errno.ENOENT;
}
