// Where things are, whether running from test/ (ts) or dist/test/ (compiled js).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name;
        if (name === 'tsvisor') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the tsvisor repository root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The repository root (the directory holding tsvisor's package.json). */
export const repoRoot: string = findRoot();

/** The CLI entry point, run as `node bin/tsvisor.js do -- PROGRAM ARGS...`. */
export const tsvisorBin: string = path.join(repoRoot, 'bin', 'tsvisor.js');

/** Sources of the C conformance programs. */
export const syscallsSrcDir: string = path.join(repoRoot, 'test', 'syscalls');

/** Compiled conformance programs (git-ignored cache). */
export const syscallsBinDir: string = path.join(repoRoot, 'test', 'syscalls', 'bin');

/** busybox-static, as Debian installs it. */
export const busybox = '/bin/busybox';
