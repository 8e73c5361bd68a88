// The sandbox's debug log (--debug, --debug-log FILE) and the --strace sink.
import fs from 'node:fs';

export class KernelLog {
  private fd = -1;
  private readonly reported = new Set<string>();
  debugEnabled: boolean;
  straceEnabled: boolean;

  constructor(opts: { debug?: boolean; debugLog?: string; strace?: boolean } = {}) {
    this.debugEnabled = !!opts.debug || !!opts.debugLog;
    this.straceEnabled = !!opts.strace;
    if (opts.debugLog) this.fd = fs.openSync(opts.debugLog, 'a');
    else if (this.debugEnabled || this.straceEnabled) this.fd = 2;
  }

  private emit(line: string): void {
    if (this.fd < 0) return;
    try {
      fs.writeSync(this.fd, `${new Date().toISOString()} ${line}\n`);
    } catch {
      // The log is best effort: a full disk must not take the sandbox down.
    }
  }

  debug(msg: string): void {
    if (this.debugEnabled) this.emit(`D ${msg}`);
  }

  /** Warnings always reach the debug log when one is configured. */
  warn(msg: string): void {
    this.emit(`W ${msg}`);
  }

  /** Logs msg once per key (e.g. each unsupported syscall). */
  once(key: string, msg: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.warn(msg);
  }

  strace(line: string): void {
    if (this.straceEnabled) this.emit(`I ${line}`);
  }

  close(): void {
    if (this.fd > 2) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
