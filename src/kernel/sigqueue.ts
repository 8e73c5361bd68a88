// A set of pending signals with their siginfo (Linux struct sigpending):
// a bitmask for the fast checks and a queue in arrival order. Standard
// signals (1-31) are pending at most once (a second one is merged away);
// real-time signals (32-64) queue every instance (man 7 signal).
import { SIGINFO_SIZE } from '../abi/linux/signal.js';

export interface QueuedSignal {
  sig: number;
  /** The siginfo as the guest will see it (128 bytes). */
  info: Uint8Array;
}

const bit = (sig: number): number => 1 << ((sig - 1) & 31);

export class SigQueue {
  /** Pending signals 1-32 and 33-64. */
  lo = 0;
  hi = 0;
  readonly items: QueuedSignal[] = [];

  has(sig: number): boolean {
    return ((sig <= 32 ? this.lo : this.hi) & bit(sig)) !== 0;
  }

  get empty(): boolean {
    return (this.lo | this.hi) === 0;
  }

  /** Queues sig; false if it is a standard signal already pending (merged). */
  add(sig: number, info: Uint8Array): boolean {
    if (sig < 32 && this.has(sig)) return false;
    this.items.push({ sig, info });
    if (sig <= 32) this.lo |= bit(sig);
    else this.hi |= bit(sig);
    return true;
  }

  /** Removes the first instance of sig; its siginfo, or undefined if none is pending. */
  take(sig: number): Uint8Array | undefined {
    const i = this.items.findIndex((q) => q.sig === sig);
    if (i < 0) return undefined;
    const [q] = this.items.splice(i, 1);
    if (!this.items.some((x) => x.sig === sig)) this.clearBit(sig);
    return q.info;
  }

  /** Drops every instance of sig. */
  remove(sig: number): void {
    if (!this.has(sig)) return;
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i].sig === sig) this.items.splice(i, 1);
    this.clearBit(sig);
  }

  private clearBit(sig: number): void {
    if (sig <= 32) this.lo &= ~bit(sig);
    else this.hi &= ~bit(sig);
  }

  clear(): void {
    this.lo = 0;
    this.hi = 0;
    this.items.length = 0;
  }
}

/** A zeroed siginfo buffer. */
export function newSiginfo(): Uint8Array {
  return new Uint8Array(SIGINFO_SIZE);
}
