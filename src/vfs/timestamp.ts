// File timestamps (man 7 inode: atime, mtime, ctime, btime) and the clock
// the file systems stamp them with.

/** An instant as seconds and nanoseconds since the epoch (a struct timespec). */
export interface Timestamp {
  readonly sec: number;
  readonly nsec: number;
}

/** The source of "now" for a file system; tests pass a manual one. */
export interface Clock {
  now(): Timestamp;
}

/** Wall-clock time with microsecond resolution. */
export const realtimeClock: Clock = {
  now(): Timestamp {
    const ms = performance.timeOrigin + performance.now();
    const sec = Math.floor(ms / 1000);
    const nsec = Math.min(999_999_999, Math.max(0, Math.round((ms - sec * 1000) * 1e6)));
    return { sec, nsec };
  },
};

/** A clock that only moves when told to (unit tests). */
export class ManualClock implements Clock {
  constructor(public sec = 1_000_000_000, public nsec = 0) {}
  now(): Timestamp {
    return { sec: this.sec, nsec: this.nsec };
  }
  advance(sec: number, nsec = 0): void {
    this.nsec += nsec;
    this.sec += sec + Math.floor(this.nsec / 1e9);
    this.nsec %= 1e9;
  }
}

export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}
