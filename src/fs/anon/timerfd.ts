// timerfd objects (fs/timerfd.c, man 2 timerfd_create): a timer on a host
// clock behind an anonymous file.
//
// - An expiry adds one tick and does not rearm a periodic timer: read(2)
//   and timerfd_gettime(2) move it forward over the intervals that passed
//   (counting them as ticks) and restart it, as Linux does to keep a short
//   period from flooding the kernel.
// - read(2) needs an 8-byte buffer (EINVAL); it blocks while there are no
//   ticks (EAGAIN with O_NONBLOCK), then returns them as a u64 and resets
//   the count. The count is taken before the copy out: a fault then is
//   EFAULT with the ticks lost, as in Linux.
// - TFD_TIMER_CANCEL_ON_SET on an absolute REALTIME timer: when the
//   realtime clock is set (a host clock step: the realtime-monotonic offset
//   moves), the timer counts a tick and the next read fails with ECANCELED.
// - poll: POLLIN while there are ticks.
// - ioctl TFD_IOC_SET_TICKS sets the count (checkpoint/restore).
//
// Clocks and Node timers come through timerfdHooks (installed by
// src/syscalls/timerfd.ts from the kernel's timers), which keeps this file
// below the kernel and lets tests drive time by hand. Ticks are held in a
// double: exact below 2^53 (a count set by TFD_IOC_SET_TICKS beyond that is
// rounded).
import { Errno } from '../../abi/linux/errno.js';
import { OpenFlag } from '../../abi/linux/fcntl.js';
import { Poll } from '../../abi/linux/poll.js';
import { Clock, TFD_IOC_SET_TICKS, TIMERFD_TICKS_SIZE, TfdFlag, getU64, setU64 } from '../../abi/linux/time.js';
import type { FileDescription, IoResult } from '../../vfs/file.js';
import type { GuestMemory } from '../../vfs/guest_memory.js';
import { notifyRelease, type Parker, type Pollable, type ReadinessListener } from '../../vfs/poll.js';
import { blockingPromise } from '../../kernel/blocking.js';

/** What a timerfd needs from the kernel: host clocks, waits on them, and the caller to park. */
export interface TimerfdHooks {
  /** Now on host clock clk, as a point (ns in the clock's frame). */
  now(clk: number): number;
  /** An absolute timespec on clk as a point (saturating). */
  point(clk: number, sec: number, nsec: number): number;
  /** The point durNs after now on clk (saturating). */
  after(clk: number, now: number, durNs: number): number;
  /** Calls fire once clk reaches deadline (before returning if it already has); returns the canceller. */
  wait(clk: number, deadline: number, fire: () => void): () => void;
  /** CLOCK_REALTIME - CLOCK_MONOTONIC (ns, any fixed base): it moves only when the realtime clock is set. */
  realtimeOffset(): number;
  /** The caller of the current system call, to park a blocking read on; null when unknown (unit tests). */
  currentParker(): Parker | null;
}

function defaultNow(): number {
  return Math.round(performance.now() * 1e6);
}

export const timerfdHooks: TimerfdHooks = {
  now: defaultNow,
  point: (_clk, sec, nsec) => sec * 1e9 + nsec,
  after: (_clk, now, dur) => now + dur,
  wait: (_clk, deadline, fire) => {
    const left = deadline - defaultNow();
    if (left <= 0) {
      fire();
      return () => {};
    }
    const h = setTimeout(fire, Math.ceil(left / 1e6));
    return () => clearTimeout(h);
  },
  realtimeOffset: () => 0,
  currentParker: () => null,
};

/** A realtime-monotonic offset change beyond this is a clock set (reading the two clocks is not atomic). */
const CLOCK_SET_SLACK_NS = 1_000_000;
/** How often armed CANCEL_ON_SET timers look for a clock set. */
const CLOCK_SET_CHECK_MS = 1000;

const valueBuf = new Uint8Array(TIMERFD_TICKS_SIZE);
const valueView = new DataView(valueBuf.buffer);

/** Timers asking to be cancelled when the realtime clock is set (cancel_list). */
const cancelList = new Set<TimerFd>();
let cancelCheck: ReturnType<typeof setInterval> | null = null;

/** timerfd_clock_was_set, driven by noticing the offset move. */
function checkClockSet(): void {
  if (cancelList.size === 0) return;
  const off = timerfdHooks.realtimeOffset();
  for (const ctx of cancelList) ctx.clockMaybeSet(off);
}

function updateCancelCheck(): void {
  if (cancelList.size > 0 && cancelCheck === null) {
    cancelCheck = setInterval(checkClockSet, CLOCK_SET_CHECK_MS);
    cancelCheck.unref();
  } else if (cancelList.size === 0 && cancelCheck !== null) {
    clearInterval(cancelCheck);
    cancelCheck = null;
  }
}

interface Reader {
  readonly parker: Parker | null;
  readonly resolve: (r: number) => void;
  readonly mm: GuestMemory;
  readonly addr: number;
  done: boolean;
}

export class TimerFd implements FileDescription, Pollable {
  readonly name = 'anon_inode:[timerfd]';
  readonly positional = false;
  /** The host clock the timer measures (an ALARM clock measures its base clock). */
  readonly hostClk: number;
  /** The clock of the current arming: a relative CLOCK_REALTIME arming runs on CLOCK_MONOTONIC (hrtimer_init). */
  private armClk: number;
  /** The hrtimer's expiry (a point on armClk); 0 with hasExpiry false when never armed. */
  private expiry = 0;
  private hasExpiry = false;
  private interval = 0;
  private ticks = 0;
  /** It fired and was not moved forward since (a periodic timer is then stopped). */
  private expired = false;
  private cancelTimer: (() => void) | null = null;
  /** TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET of the last settime (fdinfo). */
  settimeFlags = 0;
  private mightCancel = false;
  /** ktime_mono_to_real(0) when last seen; NaN once the clock was set (KTIME_MAX in Linux). */
  private moffs: number;
  private refs = 0;
  private released = false;
  private readonly readers: Reader[] = [];
  private readonly listeners = new Set<ReadinessListener>();

  /**
   * clockid: the timerfd_create clock (REALTIME, MONOTONIC, BOOTTIME or an
   * ALARM clock); flags: the file's status flags (O_RDWR, plus O_NONBLOCK).
   */
  constructor(
    readonly clockid: number,
    public flags: number,
  ) {
    this.hostClk =
      clockid === Clock.CLOCK_REALTIME_ALARM ? Clock.CLOCK_REALTIME : clockid === Clock.CLOCK_BOOTTIME_ALARM ? Clock.CLOCK_BOOTTIME : clockid;
    this.armClk = this.hostClk;
    this.moffs = timerfdHooks.realtimeOffset();
  }

  /** The expiration count (fdinfo, tests). */
  get tickCount(): number {
    return this.ticks;
  }

  /** The lines /proc/PID/fdinfo/N adds for a timerfd (timerfd_show). */
  get fdinfoExtra(): string {
    const v = this.remaining();
    const iv = this.interval;
    const sec = (ns: number): number => Math.floor(ns / 1e9);
    return (
      `clockid: ${this.clockid}\nticks: ${this.ticks}\nsettime flags: 0${this.settimeFlags.toString(8)}\n` +
      `it_value: (${sec(v)}, ${Math.round(v - sec(v) * 1e9)})\nit_interval: (${sec(iv)}, ${Math.round(iv - sec(iv) * 1e9)})\n`
    );
  }

  /**
   * timerfd_settime: value (sec, nsec) absolute or relative, interval in ns,
   * flags TFD_TIMER_*; old (if given) gets the previous [value, interval].
   */
  settime(flags: number, sec: number, nsec: number, intervalNs: number, durNs: number, old: Float64Array | null): void {
    this.stopTimer();
    this.setupCancel(flags);
    if (this.expired && this.interval !== 0) this.forward(timerfdHooks.now(this.armClk));
    if (old) {
      old[0] = this.remaining();
      old[1] = this.interval;
    }
    // timerfd_setup
    const abs = (flags & TfdFlag.TFD_TIMER_ABSTIME) !== 0;
    this.settimeFlags = flags & (TfdFlag.TFD_TIMER_ABSTIME | TfdFlag.TFD_TIMER_CANCEL_ON_SET);
    this.expired = false;
    this.ticks = 0;
    this.interval = intervalNs;
    this.armClk = !abs && this.hostClk === Clock.CLOCK_REALTIME ? Clock.CLOCK_MONOTONIC : this.hostClk;
    this.hasExpiry = false;
    this.expiry = 0;
    if (sec === 0 && nsec === 0) return;
    const h = timerfdHooks;
    this.expiry = abs ? h.point(this.armClk, sec, nsec) : h.after(this.armClk, h.now(this.armClk), durNs);
    this.hasExpiry = true;
    this.startTimer();
  }

  /** timerfd_gettime: out = [value, interval] in ns; a fired periodic timer is moved forward first. */
  gettime(out: Float64Array): void {
    checkClockSet();
    if (this.expired && this.interval !== 0) {
      this.expired = false;
      this.ticks += this.forward(timerfdHooks.now(this.armClk)) - 1;
      this.startTimer();
    }
    out[0] = this.remaining();
    out[1] = this.interval;
  }

  read(mm: GuestMemory, addr: number, len: number): IoResult {
    if (len < TIMERFD_TICKS_SIZE) return -Errno.EINVAL;
    checkClockSet();
    const r = this.consume(mm, addr);
    if (r !== 0) return r;
    if ((this.flags & OpenFlag.O_NONBLOCK) !== 0) return -Errno.EAGAIN;
    return this.park(mm, addr);
  }

  /** No write operation: vfs_write fails with EINVAL. */
  write(): IoResult {
    return -Errno.EINVAL;
  }

  pread(): IoResult {
    return -Errno.ESPIPE;
  }

  pwrite(): IoResult {
    return -Errno.ESPIPE;
  }

  ioctl(mm: GuestMemory, request: number, arg: number): number {
    if (request !== TFD_IOC_SET_TICKS) return -Errno.ENOTTY;
    if (mm.readBytes(arg, valueBuf, 0, TIMERFD_TICKS_SIZE) < 0) return -Errno.EFAULT;
    const ticks = getU64(valueView, 0);
    if (ticks === 0) return -Errno.EINVAL;
    if (this.takeCanceled()) return -Errno.ECANCELED;
    this.ticks = ticks;
    this.changed();
    return 0;
  }

  /** noop_llseek: the position stays 0. */
  seek(): number {
    return 0;
  }

  readiness(): number {
    checkClockSet();
    return this.ticks !== 0 ? Poll.POLLIN : 0;
  }

  onReadinessChange(fn: ReadinessListener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  incRef(): void {
    this.refs++;
  }

  decRef(): void {
    if (--this.refs > 0) return;
    this.released = true;
    notifyRelease(this);
    // A read parked here holds the file in Linux: the timer goes with the last reader.
    if (this.readers.length === 0) this.shutdown();
  }

  /** timerfd_release: the timer stops and leaves the cancel list. */
  private shutdown(): void {
    this.stopTimer();
    if (this.mightCancel) {
      this.mightCancel = false;
      cancelList.delete(this);
      updateCancelCheck();
    }
  }

  /** The realtime clock may have been set (offset off): cancel, as timerfd_clock_was_set does. */
  clockMaybeSet(off: number): void {
    if (!this.mightCancel || this.moffs !== this.moffs) return;
    if (Math.abs(off - this.moffs) <= CLOCK_SET_SLACK_NS) return;
    this.moffs = NaN;
    this.ticks++;
    this.changed();
  }

  /** timerfd_canceled: true once after a clock set (and resets the offset). */
  private takeCanceled(): boolean {
    if (!this.mightCancel || this.moffs === this.moffs) return false;
    this.moffs = timerfdHooks.realtimeOffset();
    return true;
  }

  private setupCancel(flags: number): void {
    const want =
      (this.clockid === Clock.CLOCK_REALTIME || this.clockid === Clock.CLOCK_REALTIME_ALARM) &&
      (flags & TfdFlag.TFD_TIMER_ABSTIME) !== 0 &&
      (flags & TfdFlag.TFD_TIMER_CANCEL_ON_SET) !== 0;
    if (want === this.mightCancel) return;
    this.mightCancel = want;
    if (want) cancelList.add(this);
    else cancelList.delete(this);
    updateCancelCheck();
  }

  /** hrtimer_expires_remaining, never negative. */
  private remaining(): number {
    if (!this.hasExpiry) return 0;
    const rem = this.expiry - timerfdHooks.now(this.armClk);
    return rem > 0 ? rem : 0;
  }

  /** hrtimer_forward: moves a passed expiry forward by whole intervals past now; returns how many. */
  private forward(now: number): number {
    const iv = this.interval;
    const delta = now - this.expiry;
    if (delta < 0 || iv <= 0) return 0;
    const n = Math.floor(delta / iv) + 1;
    this.expiry += n * iv;
    if (this.expiry <= now) this.expiry = now + iv;
    return n;
  }

  private startTimer(): void {
    this.stopTimer();
    this.cancelTimer = timerfdHooks.wait(this.armClk, this.expiry, this.fire);
  }

  private stopTimer(): void {
    const c = this.cancelTimer;
    this.cancelTimer = null;
    c?.();
  }

  /** timerfd_tmrproc: one tick; the timer is not restarted here. */
  private readonly fire = (): void => {
    this.cancelTimer = null;
    this.expired = true;
    this.ticks++;
    this.changed();
  };

  /** Takes the ticks for a read: 0 if none, else 8, -EFAULT or -ECANCELED. */
  private consume(mm: GuestMemory, addr: number): number {
    if (this.takeCanceled()) {
      this.ticks = 0;
      this.expired = false;
      return -Errno.ECANCELED;
    }
    if (this.ticks === 0) return 0;
    let n = this.ticks;
    if (this.expired && this.interval !== 0) {
      n += this.forward(timerfdHooks.now(this.armClk)) - 1;
      this.startTimer();
    }
    this.expired = false;
    this.ticks = 0;
    setU64(valueView, 0, n);
    return mm.writeBytes(addr, valueBuf, 0, TIMERFD_TICKS_SIZE) < 0 ? -Errno.EFAULT : TIMERFD_TICKS_SIZE;
  }

  private park(mm: GuestMemory, addr: number): Promise<number> {
    const parker = timerfdHooks.currentParker();
    return blockingPromise<number>((resolve) => {
      const w: Reader = { parker, resolve, mm, addr, done: false };
      this.readers.push(w);
      parker?.park((r) => {
        if (w.done) return;
        w.done = true;
        this.dropReader(w);
        resolve(r);
      });
    });
  }

  private dropReader(w: Reader): void {
    const i = this.readers.indexOf(w);
    if (i >= 0) this.readers.splice(i, 1);
    if (this.released && this.readers.length === 0) this.shutdown();
  }

  /** Ticks arrived (or the clock was set): wake readers in order while there is something to take, then the listeners. */
  private changed(): void {
    while (this.readers.length > 0 && this.ticks !== 0) {
      const w = this.readers[0]!;
      w.done = true;
      this.readers.shift();
      w.parker?.unpark();
      w.resolve(this.consume(w.mm, w.addr));
    }
    if (this.released && this.readers.length === 0) this.shutdown();
    if (this.listeners.size === 0) return;
    const mask = this.ticks !== 0 ? Poll.POLLIN : 0;
    for (const fn of [...this.listeners]) fn(mask);
  }
}
