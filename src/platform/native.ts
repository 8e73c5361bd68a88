// Loads the Node-API addon (native/) and types its functions. Every function
// returns a number: a result, or a negative errno.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface NativeAddon {
  memfileCreate(size: number): number;
  memfileWindow(fd: number, offset: number, length: number): ArrayBuffer;
  memfilePunch(fd: number, offset: number, length: number): number;
  stubPage(): number;
  stubCreate(memfd: number, out: Int32Array): number;
  stubSyscall(stub: number, nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number;
  stubDestroy(stub: number): number;
  stubKill(stub: number): number;
  threadCreate(stub: number, regs: ArrayBuffer, fp: ArrayBuffer, out: Int32Array): number;
  threadResume(thread: number): number;
  threadExit(thread: number): number;
  threadFp(thread: number, set: number): number;
  threadRelease(thread: number): number;
  takeEvent(): number;
  resumeAndWait(thread: number, timeoutMs: number): number;
  waitEvent(timeoutMs: number): number;
  watchEvents(callback: () => void): number;
  unwatchEvents(): number;
  hostRead(fd: number, buf: ArrayBuffer | ArrayBufferView, off: number, len: number): number;
  hostWrite(fd: number, buf: ArrayBuffer | ArrayBufferView, off: number, len: number): number;
  hostPread(fd: number, buf: ArrayBuffer | ArrayBufferView, off: number, len: number, pos: number): number;
  hostPwrite(fd: number, buf: ArrayBuffer | ArrayBufferView, off: number, len: number, pos: number): number;
  hostGetrandom(buf: ArrayBuffer | ArrayBufferView, off: number, len: number): number;
  hostClockGettime(clock: number, out: Float64Array): number;
  hostClockGetres(clock: number, out: Float64Array): number;
}

function packageRoot(): string {
  // dist/src/platform/native.js -> package root (three levels up from dist/src/platform).
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (path.basename(dir) === 'dist') return path.dirname(dir);
    dir = path.dirname(dir);
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (!addon) {
    const require = createRequire(import.meta.url);
    const root = process.env.TSVISOR_ROOT ?? packageRoot();
    addon = require(path.join(root, 'build', 'Release', 'tsvisor.node')) as NativeAddon;
  }
  return addon;
}
