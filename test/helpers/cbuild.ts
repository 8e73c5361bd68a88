// Compiling the C test programs into a cache directory, rebuilding when a
// source or header is newer than the binary.
import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface BuildOptions {
  /** Files the binary also depends on (headers). */
  deps?: readonly string[];
  /** gcc flags (default: -O1 -static). */
  flags?: readonly string[];
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** Compiles `src` to `out` with gcc unless `out` is newer than it and its deps. Returns `out`. */
export async function buildC(src: string, out: string, opts: BuildOptions = {}): Promise<string> {
  const newest = Math.max(mtime(src), ...(opts.deps ?? []).map(mtime));
  if (mtime(src) < 0) throw new Error(`no such source file: ${src}`);
  if (mtime(out) >= newest) return out;
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const flags = opts.flags ?? ['-O1', '-static'];
  try {
    await execFileAsync('gcc', [...flags, '-o', tmp, src], { timeout: 120_000 });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as { stderr?: string; message: string; code?: string };
    if (err.code === 'ENOENT') {
      throw new Error('gcc is not installed (apt-get install gcc libc6-dev; .ci/run does this)');
    }
    throw new Error(`gcc ${flags.join(' ')} ${src} failed:\n${err.stderr ?? err.message}`);
  }
  return out;
}
