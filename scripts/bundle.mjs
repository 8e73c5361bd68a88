// Bundles the compiled CLI (dist/src/cli/main.js and everything it imports)
// into one ESM file beside it, dist/src/cli/tsvisor.bundle.mjs: Node then
// reads and compiles one file instead of resolving and loading ~260 modules,
// which is most of `tsvisor do`'s start-up (and of every OCI command). The
// bundle sits in the same directory as main.js, so the paths the code finds
// relative to its own module (bin/, package.json, build/Release) are the
// same. bin/tsvisor.js uses it only while it is newer than the last
// TypeScript build (dist/tsconfig.tsbuildinfo); otherwise it loads main.js.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [path.join(root, 'dist/src/cli/main.js')],
  outfile: path.join(root, 'dist/src/cli/tsvisor.bundle.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // CommonJS dependencies (commander) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __tsvisorRequire } from 'node:module'; const require = __tsvisorRequire(import.meta.url);" },
});
