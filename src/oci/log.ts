// The runtime's log (--log FILE, --log-format text|json), as runc writes it
// with logrus: containerd reads the last "level":"error" line of the JSON
// log and shows its msg. Lines are appended synchronously (the CLI exits
// right after an error). Without --log, the log goes to stderr; errors are
// also printed plainly on stderr, as runc's fatal() does.
import fs from 'node:fs';

export type Level = 'debug' | 'info' | 'warning' | 'error';

export class RuntimeLog {
  private readonly fd: number;
  private readonly ownsFd: boolean;

  constructor(
    private readonly opts: { file?: string; format?: 'text' | 'json'; debug?: boolean } = {},
  ) {
    if (opts.file) {
      try {
        this.fd = fs.openSync(opts.file, 'a', 0o644);
        this.ownsFd = true;
        return;
      } catch {
        // fall back to stderr
      }
    }
    this.fd = 2;
    this.ownsFd = false;
  }

  /** Writes to a log file (not stderr). */
  get toFile(): boolean {
    return this.ownsFd;
  }

  line(level: Level, msg: string): string {
    const time = new Date().toISOString();
    if (this.opts.format === 'json') return JSON.stringify({ level, msg, time }) + '\n';
    return `time=${JSON.stringify(time)} level=${level} msg=${JSON.stringify(msg)}\n`;
  }

  private write(level: Level, msg: string): void {
    try {
      fs.writeSync(this.fd, this.line(level, msg));
    } catch {
      // best effort
    }
  }

  debug(msg: string): void {
    if (this.opts.debug) this.write('debug', msg);
  }

  /** Info and warnings go to a log file, or to stderr only with --debug (a container's stderr may be ours). */
  info(msg: string): void {
    if (this.ownsFd || this.opts.debug) this.write('info', msg);
  }

  warn(msg: string): void {
    if (this.ownsFd || this.opts.debug) this.write('warning', msg);
  }

  /** An error: to the log, and plainly to stderr. */
  error(msg: string): void {
    if (this.ownsFd) this.write('error', msg);
    try {
      fs.writeSync(2, `${msg}\n`);
    } catch {
      // stderr closed
    }
  }

  close(): void {
    if (this.ownsFd) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // closed
      }
    }
  }
}
