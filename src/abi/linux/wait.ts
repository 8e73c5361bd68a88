// wait4(2) / waitid(2) options and id types (<linux/wait.h>), and struct
// rusage (<linux/resource.h>) as wait4 and getrusage fill it.
import { setI64 } from './time.js';

export const enum WaitOption {
  WNOHANG = 0x00000001,
  WUNTRACED = 0x00000002,
  WSTOPPED = 0x00000002,
  WEXITED = 0x00000004,
  WCONTINUED = 0x00000008,
  WNOWAIT = 0x01000000,
  __WNOTHREAD = 0x20000000,
  __WALL = 0x40000000,
  __WCLONE = 0x80000000,
}

/** waitid's idtype. */
export const enum IdType {
  P_ALL = 0,
  P_PID = 1,
  P_PGID = 2,
  P_PIDFD = 3,
}

/** sizeof(struct rusage) on x86-64: two timevals and fourteen longs. */
export const RUSAGE_SIZE = 144;

export interface Rusage {
  utimeUs: number;
  stimeUs: number;
  maxRssKb: number;
}

/** Writes a struct rusage with the times and ru_maxrss given; every other field 0 (as the sandbox counts nothing else). */
export function encodeRusage(dv: DataView, off: number, r: Rusage): void {
  for (let i = 0; i < RUSAGE_SIZE; i += 8) setI64(dv, off + i, 0);
  setI64(dv, off, Math.floor(r.utimeUs / 1e6));
  setI64(dv, off + 8, r.utimeUs % 1e6);
  setI64(dv, off + 16, Math.floor(r.stimeUs / 1e6));
  setI64(dv, off + 24, r.stimeUs % 1e6);
  setI64(dv, off + 32, r.maxRssKb);
}
