// struct sysinfo (<linux/sysinfo.h>) on x86-64, filled by sysinfo(2): 112 bytes.
// Memory sizes are in units of mem_unit bytes; loads are fixed point with
// SI_LOAD_SHIFT fraction bits (man 2 sysinfo).

import { setI64, setU64, zero } from './time.js';

export const SYSINFO_SIZE = 112;
export const SI_LOAD_SHIFT = 16;

/** Field offsets (x86-64: longs are 8 bytes; procs is a u16 followed by padding). */
export const enum SysinfoOffset {
  UPTIME = 0,
  LOADS = 8,
  TOTALRAM = 32,
  FREERAM = 40,
  SHAREDRAM = 48,
  BUFFERRAM = 56,
  TOTALSWAP = 64,
  FREESWAP = 72,
  PROCS = 80,
  TOTALHIGH = 88,
  FREEHIGH = 96,
  MEM_UNIT = 104,
}

/** Values to encode; a caller-owned object reused across calls. */
export interface Sysinfo {
  /** Seconds since boot. */
  uptime: number;
  /** 1, 5 and 15 minute load averages, already scaled by 1 << SI_LOAD_SHIFT. */
  load1: number;
  load5: number;
  load15: number;
  totalram: number;
  freeram: number;
  sharedram: number;
  bufferram: number;
  totalswap: number;
  freeswap: number;
  /** Number of current processes (threads, as Linux counts them); truncated to 16 bits. */
  procs: number;
  totalhigh: number;
  freehigh: number;
  /** Memory unit size in bytes. */
  memUnit: number;
}

export function encodeSysinfo(dv: DataView, off: number, s: Sysinfo): void {
  zero(dv, off, SYSINFO_SIZE);
  setI64(dv, off + SysinfoOffset.UPTIME, s.uptime);
  setU64(dv, off + SysinfoOffset.LOADS, s.load1);
  setU64(dv, off + SysinfoOffset.LOADS + 8, s.load5);
  setU64(dv, off + SysinfoOffset.LOADS + 16, s.load15);
  setU64(dv, off + SysinfoOffset.TOTALRAM, s.totalram);
  setU64(dv, off + SysinfoOffset.FREERAM, s.freeram);
  setU64(dv, off + SysinfoOffset.SHAREDRAM, s.sharedram);
  setU64(dv, off + SysinfoOffset.BUFFERRAM, s.bufferram);
  setU64(dv, off + SysinfoOffset.TOTALSWAP, s.totalswap);
  setU64(dv, off + SysinfoOffset.FREESWAP, s.freeswap);
  dv.setUint16(off + SysinfoOffset.PROCS, s.procs & 0xffff, true);
  setU64(dv, off + SysinfoOffset.TOTALHIGH, s.totalhigh);
  setU64(dv, off + SysinfoOffset.FREEHIGH, s.freehigh);
  dv.setUint32(off + SysinfoOffset.MEM_UNIT, s.memUnit >>> 0, true);
}
