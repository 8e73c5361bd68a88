// `tsvisor do [flags] -- PROGRAM [ARGS…]` (as `runsc do`).
import { runSandboxed, SandboxError } from '../sandbox/run.js';

export interface DoOptions {
  debug?: boolean;
  debugLog?: string;
  strace?: boolean;
  env: string[];
  cwd?: string;
  hostname: string;
}

/** Returns the exit status a shell would report: the code, or 128+N when killed by signal N. */
export async function runDo(prog: string, args: string[], opts: DoOptions): Promise<number> {
  const env = opts.env.length > 0 ? opts.env : Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
  try {
    const r = await runSandboxed({
      argv: [prog, ...args],
      env,
      cwd: opts.cwd ?? process.cwd(),
      hostname: opts.hostname,
      debug: opts.debug,
      debugLog: opts.debugLog,
      strace: opts.strace,
    });
    return r.signal !== undefined ? 128 + r.signal : r.code ?? 0;
  } catch (e) {
    if (e instanceof SandboxError) {
      process.stderr.write(`tsvisor: ${e.message}\n`);
      return e.status;
    }
    throw e;
  }
}
