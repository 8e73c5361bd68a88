// The library API: run a program sandboxed from Node.
export { runSandboxed, SandboxError, type SandboxOptions } from './sandbox/run.js';
export type { ExitResult } from './kernel/kernel.js';
