#!/usr/bin/env node
// The CLI: the one-file bundle of dist/src/cli (scripts/bundle.mjs) when it
// is at least as new as the last TypeScript build, else the modules themselves.
import { statSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
function mtime(rel) {
  try {
    return statSync(new URL(rel, dist)).mtimeMs;
  } catch {
    return -1;
  }
}
const bundled = mtime('src/cli/tsvisor.bundle.mjs');
const entry = bundled >= 0 && bundled >= mtime('tsconfig.tsbuildinfo') ? '../dist/src/cli/tsvisor.bundle.mjs' : '../dist/src/cli/main.js';
import(entry).then((m) => m.main(process.argv.slice(2)));
