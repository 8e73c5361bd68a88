// Signal dispositions of a process, recorded faithfully from rt_sigaction.
// Delivery comes with the signals issue; this issue only stores and returns them.
import { NSIG } from '../abi/linux/signal.js';

/** One struct k_sigaction as the kernel stores it (handler, flags, restorer, mask). */
export interface SigAction {
  handler: number;
  flags: number;
  restorer: number;
  maskLo: number;
  maskHi: number;
}


export class SignalActions {
  private readonly table: SigAction[] = [];

  constructor() {
    for (let i = 0; i <= NSIG; i++) this.table.push({ handler: 0, flags: 0, restorer: 0, maskLo: 0, maskHi: 0 });
  }

  get(sig: number): SigAction {
    return this.table[sig];
  }

  set(sig: number, a: SigAction): void {
    this.table[sig] = { ...a };
  }

  /** A child's own copy (clone without CLONE_SIGHAND). */
  copy(): SignalActions {
    const out = new SignalActions();
    for (let sig = 1; sig <= NSIG; sig++) out.set(sig, this.table[sig]);
    return out;
  }

  /**
   * flush_signal_handlers(force_default = false), for execve and
   * CLONE_CLEAR_SIGHAND: a new table where caught signals are back to
   * SIG_DFL, ignored ones stay ignored, and flags, restorers and masks are gone.
   */
  flushed(): SignalActions {
    const out = new SignalActions();
    for (let sig = 1; sig <= NSIG; sig++) if (this.table[sig].handler === SIG_IGN) out.table[sig].handler = SIG_IGN;
    return out;
  }
}

const SIG_IGN = 1;
