// OCI hooks (config.md "POSIX-platform Hooks"), run on the host as runc runs
// them: PATH with args (args[0] is argv[0]) and exactly the hook's env, the
// container's state JSON on stdin, the bundle as working directory, killed
// after `timeout` seconds. A failing hook is an error (message as runc's);
// the caller decides whether that fails the operation (prestart,
// createRuntime, createContainer, startContainer, poststart) or is only
// logged (poststop).
//
// createContainer and startContainer hooks run in the container's
// namespaces under runc; tsvisor's sandbox has no host namespaces to enter,
// so they run on the host too, with their path resolved on the host.
import { spawn } from 'node:child_process';
import type { OciHook } from './spec.js';
import type { OciState } from './spec.js';

export class HookError extends Error {}

const MAX_OUTPUT = 64 * 1024;

function runOne(hook: OciHook, state: string, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = hook.args ?? [hook.path];
    const env: Record<string, string> = {};
    for (const e of hook.env ?? []) {
      const i = e.indexOf('=');
      if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
    }
    let out = '';
    let err = '';
    let timedOut = false;
    const child = spawn(hook.path, args.slice(1), { argv0: args[0] ?? hook.path, env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < MAX_OUTPUT) out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < MAX_OUTPUT) err += d;
    });
    child.stdin.on('error', () => {
      // a hook need not read its input
    });
    child.stdin.end(state);
    const timer =
      hook.timeout !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, hook.timeout * 1000)
        : undefined;
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new HookError(`${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `${hook.path}: no such file or directory` : e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new HookError(`timeout after ${hook.timeout}s`));
      if (code === 0) return resolve();
      const how = signal ? `signal: ${signal}` : `exit status ${code}`;
      reject(new HookError(`${how}, stdout: ${out.trim()}, stderr: ${err.trim()}`));
    });
  });
}

/** Runs the hooks in order; the first failure throws HookError ("error running KIND hook #N: ..."). */
export async function runHooks(kind: string, hooks: OciHook[] | undefined, state: OciState, cwd: string): Promise<void> {
  const list = hooks ?? [];
  const json = JSON.stringify(state);
  for (let i = 0; i < list.length; i++) {
    try {
      await runOne(list[i], json, cwd);
    } catch (e) {
      throw new HookError(`error running ${kind} hook #${i}: ${(e as Error).message}`);
    }
  }
}
