// The N_TTY line discipline (Linux drivers/tty/n_tty.c; man 3 termios):
// input processing (ISTRIP, IUCLC, IGNCR/ICRNL/INLCR, IXON flow control,
// ISIG characters), canonical line editing (VERASE, VKILL, VWERASE, VLNEXT,
// VREPRINT, VEOF, VEOL, VEOL2), echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL,
// ECHOCTL, ECHOPRT), the read buffer with its line marks, and output
// processing (OPOST: ONLCR, OCRNL, ONOCR, ONLRET, OLCUC, XTABS) with the
// column the erase echoes need.
//
// This is pure bookkeeping: it never blocks and knows nothing of tasks. The
// terminal (tty.ts) decides when to read, wait and wake; the driver (the
// other side of a pty) takes the processed output and the echoes.
//
// Echo bytes are written to the driver at once, through output processing,
// as Linux's process_echoes does when there is room; the driver bounds what
// it keeps.
import { Cc, Iflag, Lflag, Oflag, VDISABLE, type Termios } from '../../abi/linux/termios.js';

/** The read buffer's size (N_TTY_BUF_SIZE): at most this many bytes wait to be read. */
export const N_TTY_BUF_SIZE = 4096;
const MASK = N_TTY_BUF_SIZE - 1;

const SIGINT = 2;
const SIGQUIT = 3;
const SIGTSTP = 20;

/** Where the line discipline's output goes, and what it may ask of its terminal. */
export interface LdiscDriver {
  /** One processed output byte for the device (output or echo). */
  put(c: number): void;
  /** Bytes the device takes now; writes stop when it is 0 (echoes do not ask). */
  room(): number;
  /** An ISIG character: the signal for the foreground process group. */
  signal(sig: number): void;
  /** tty_driver_flush_buffer: output not yet sent is dropped (ISIG without NOFLSH). */
  flushOutput(): void;
  /** The input buffer was flushed (pty packet mode reports it to the master). */
  inputFlushed(): void;
  /** IXON: VSTOP stops output, VSTART (or any character with IXANY) restarts it. */
  stop(): void;
  start(): void;
  /** Output is stopped by VSTOP (not by tcflow TCOOFF). */
  readonly xoffStopped: boolean;
}

/** Linux's iscntrl (lib/ctype.c): 0-31, 127 and 128-159. */
function isCntrl(c: number): boolean {
  return c < 32 || c === 127 || (c >= 128 && c < 160);
}

/** isalnum for the kernel's Latin-1 ctype table (letters and digits, accented letters included). */
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 192 && c !== 215 && c !== 247);
}

function toLower(c: number): number {
  return (c >= 65 && c <= 90) || (c >= 192 && c <= 222 && c !== 215) ? c + 32 : c;
}

function toUpper(c: number): number {
  return (c >= 97 && c <= 122) || (c >= 224 && c <= 254 && c !== 247) ? c - 32 : c;
}

const enum Kill {
  ERASE,
  WERASE,
  KILL,
}

export class NTty {
  private readonly buf = new Uint8Array(N_TTY_BUF_SIZE);
  /** 1 at a line's last byte (a newline, VEOL, or the VEOF marker). */
  private readonly lineEnd = new Uint8Array(N_TTY_BUF_SIZE);
  /** 1 where the byte is a VEOF marker (not returned to the reader). */
  private readonly eofMark = new Uint8Array(N_TTY_BUF_SIZE);
  /** Monotonic positions: readTail ≤ canonHead ≤ readHead, readHead - readTail ≤ N_TTY_BUF_SIZE. */
  private readTail = 0;
  private canonHead = 0;
  private readHead = 0;
  /** The output column (for tab and control-character erasing), and the column where the current line began. */
  column = 0;
  private canonColumn = 0;
  /** The previous character was VLNEXT. */
  private lnext = false;
  /** Inside an ECHOPRT "\…/" erase. */
  private erasing = false;
  private icanon: boolean;

  constructor(
    private readonly termios: () => Termios,
    private readonly driver: LdiscDriver,
  ) {
    this.icanon = (termios().lflag & Lflag.ICANON) !== 0;
  }

  // ---------------------------------------------------------------------------
  // Settings

  /** n_tty_set_termios: called after the settings changed (old: the previous ICANON state). */
  settingsChanged(): void {
    const t = this.termios();
    const canon = (t.lflag & Lflag.ICANON) !== 0;
    if (canon !== this.icanon) {
      this.lineEnd.fill(0);
      this.eofMark.fill(0);
      if (!canon || this.readHead === this.readTail) {
        this.canonHead = this.readTail;
      } else {
        // What is there becomes a line (Linux's "push").
        this.lineEnd[(this.readHead - 1) & MASK] = 1;
        this.canonHead = this.readHead;
      }
      this.erasing = false;
      this.lnext = false;
      this.icanon = canon;
    }
  }

  // ---------------------------------------------------------------------------
  // Reading

  /** Bytes in the read buffer (including an unfinished canonical line). */
  get buffered(): number {
    return this.readHead - this.readTail;
  }

  /**
   * input_available_p: a complete line (canonical mode), or at least one
   * byte; for poll in non-canonical mode with VTIME 0, at least VMIN.
   */
  inputAvailable(forPoll: boolean): boolean {
    if (this.icanon) return this.canonHead !== this.readTail;
    const t = this.termios();
    const min = t.cc[Cc.VMIN]!;
    const amt = forPoll && t.cc[Cc.VTIME] === 0 && min > 0 ? min : 1;
    return this.readHead - this.readTail >= amt;
  }

  get canonical(): boolean {
    return this.icanon;
  }

  /**
   * canon_copy_from_read_buf: up to len bytes of the first line (scanning at
   * most len bytes for its end). A VEOF marker is consumed and not copied,
   * so a line made of it alone reads as 0 bytes (end of file).
   */
  readCanon(dst: Uint8Array, off: number, len: number): number {
    if (len <= 0) return 0;
    const n = Math.min(len, this.canonHead - this.readTail);
    let eol = -1;
    for (let i = 0; i < n; i++) {
      if (this.lineEnd[(this.readTail + i) & MASK]) {
        eol = i;
        break;
      }
    }
    let take: number;
    let copy: number;
    if (eol >= 0) {
      take = eol + 1;
      copy = this.eofMark[(this.readTail + eol) & MASK] ? eol : take;
    } else {
      take = copy = n;
    }
    this.copyOut(dst, off, copy);
    if (eol >= 0) {
      const p = (this.readTail + eol) & MASK;
      this.lineEnd[p] = 0;
      this.eofMark[p] = 0;
    }
    this.readTail += take;
    return copy;
  }

  /** copy_from_read_buf: up to len bytes (non-canonical mode). */
  readRaw(dst: Uint8Array, off: number, len: number): number {
    const n = Math.min(len, this.readHead - this.readTail);
    this.copyOut(dst, off, n);
    for (let i = 0; i < n; i++) {
      const p = (this.readTail + i) & MASK;
      this.lineEnd[p] = 0;
      this.eofMark[p] = 0;
    }
    this.readTail += n;
    if (this.canonHead < this.readTail) this.canonHead = this.readTail;
    return n;
  }

  private copyOut(dst: Uint8Array, off: number, n: number): void {
    const tail = this.readTail & MASK;
    const first = Math.min(n, N_TTY_BUF_SIZE - tail);
    dst.set(this.buf.subarray(tail, tail + first), off);
    if (n > first) dst.set(this.buf.subarray(0, n - first), off + first);
  }

  /** TIOCINQ/FIONREAD: complete lines without their VEOF markers (canonical), or every byte. */
  inq(): number {
    if (!this.icanon) return this.readHead - this.readTail;
    let n = 0;
    for (let p = this.readTail; p < this.canonHead; p++) if (!this.eofMark[p & MASK]) n++;
    return n;
  }

  /** reset_buffer_flags: the read buffer is emptied (TCIFLUSH, ISIG without NOFLSH). */
  flushInput(): void {
    this.readTail = this.canonHead = this.readHead = 0;
    this.lineEnd.fill(0);
    this.eofMark.fill(0);
    this.erasing = false;
    this.lnext = false;
    this.driver.inputFlushed();
  }

  // ---------------------------------------------------------------------------
  // Receiving (bytes arriving from the device: typed at the master)

  /**
   * n_tty_receive_buf: processes src[off, off+len) as typed input. Returns
   * how many bytes were taken: fewer when the read buffer is full (the rest
   * waits in the device's buffer until a reader makes room).
   */
  receive(src: Uint8Array, off: number, len: number): number {
    let i = 0;
    for (; i < len; i++) {
      if (!this.roomFor()) break;
      this.receiveChar(src[off + i]!);
    }
    return i;
  }

  /**
   * Whether one more byte can be processed: room in the buffer, or (a
   * canonical line too long for it, with no complete line waiting) the
   * byte is processed and an ordinary character dropped, so that erase and
   * newline still work.
   */
  private roomFor(): boolean {
    if (this.readHead - this.readTail < N_TTY_BUF_SIZE - 1) return true;
    return this.icanon && this.canonHead === this.readTail;
  }

  private get full(): boolean {
    return this.readHead - this.readTail >= N_TTY_BUF_SIZE - 1;
  }

  private put(c: number): void {
    if (this.readHead - this.readTail >= N_TTY_BUF_SIZE) return;
    const p = this.readHead & MASK;
    this.buf[p] = c;
    this.lineEnd[p] = 0;
    this.eofMark[p] = 0;
    this.readHead++;
  }

  private receiveChar(c: number): void {
    const t = this.termios();
    if (this.lnext) {
      this.lnext = false;
      if (t.iflag & Iflag.ISTRIP) c &= 0x7f;
      if (t.iflag & Iflag.IUCLC && t.lflag & Lflag.IEXTEN) c = toLower(c);
      this.receiveOrdinary(c, t);
      return;
    }
    if (t.iflag & Iflag.ISTRIP) c &= 0x7f;
    if (t.iflag & Iflag.IUCLC && t.lflag & Lflag.IEXTEN) c = toLower(c);
    if (t.lflag & Lflag.EXTPROC) {
      this.put(c);
      return;
    }
    if (!this.receiveSpecial(c, t)) this.receiveOrdinary(c, t);
  }

  /** A character equal to an enabled c_cc entry. */
  private is(c: number, t: Termios, idx: number): boolean {
    const v = t.cc[idx]!;
    return v !== VDISABLE && c === v;
  }

  /** n_tty_receive_char_special; false when c is an ordinary character after all. */
  private receiveSpecial(c: number, t: Termios): boolean {
    const d = this.driver;
    if (t.iflag & Iflag.IXON) {
      if (this.is(c, t, Cc.VSTART)) {
        d.start();
        return true;
      }
      if (this.is(c, t, Cc.VSTOP)) {
        d.stop();
        return true;
      }
    }
    if (t.lflag & Lflag.ISIG) {
      const sig = this.is(c, t, Cc.VINTR) ? SIGINT : this.is(c, t, Cc.VQUIT) ? SIGQUIT : this.is(c, t, Cc.VSUSP) ? SIGTSTP : 0;
      if (sig !== 0) {
        this.isig(sig, t);
        if (t.iflag & Iflag.IXON) d.start();
        if (t.lflag & Lflag.ECHO) this.echoChar(c, t);
        return true;
      }
    }
    if (d.xoffStopped && t.iflag & Iflag.IXON && t.iflag & Iflag.IXANY) d.start();
    if (c === 13) {
      if (t.iflag & Iflag.IGNCR) return true;
      if (t.iflag & Iflag.ICRNL) c = 10;
    } else if (c === 10 && t.iflag & Iflag.INLCR) {
      c = 13;
    }
    if (this.icanon) {
      if (this.is(c, t, Cc.VERASE) || this.is(c, t, Cc.VKILL) || (this.is(c, t, Cc.VWERASE) && t.lflag & Lflag.IEXTEN)) {
        this.eraser(c, t);
        return true;
      }
      if (this.is(c, t, Cc.VLNEXT) && t.lflag & Lflag.IEXTEN) {
        this.lnext = true;
        if (t.lflag & Lflag.ECHO) {
          this.finishErasing();
          if (t.lflag & Lflag.ECHOCTL) {
            this.echoRaw(94); // '^'
            this.echoRaw(8);
          }
        }
        return true;
      }
      if (this.is(c, t, Cc.VREPRINT) && t.lflag & Lflag.ECHO && t.lflag & Lflag.IEXTEN) {
        this.finishErasing();
        this.echoChar(c, t);
        this.echoRaw(10);
        for (let p = this.canonHead; p < this.readHead; p++) this.echoChar(this.buf[p & MASK]!, t);
        return true;
      }
      if (c === 10) {
        if (t.lflag & (Lflag.ECHO | Lflag.ECHONL)) this.echoRaw(10);
        this.newline(10, false);
        return true;
      }
      if (this.is(c, t, Cc.VEOF)) {
        this.newline(0, true);
        return true;
      }
      if (this.is(c, t, Cc.VEOL) || (this.is(c, t, Cc.VEOL2) && t.lflag & Lflag.IEXTEN)) {
        if (t.lflag & Lflag.ECHO) {
          if (this.canonHead === this.readHead) this.canonColumn = this.column;
          this.echoChar(c, t);
        }
        if (c === 0xff && t.iflag & Iflag.PARMRK) this.put(c);
        this.newline(c, false);
        return true;
      }
      return false;
    }
    if (c !== 10 && c !== 13) return false;
    // A converted CR or NL in non-canonical mode is an ordinary character.
    this.receiveOrdinary(c, t, true);
    return true;
  }

  /** n_tty_receive_char (converted: the CR/NL conversion was already made). */
  private receiveOrdinary(c: number, t: Termios, _converted = false): void {
    if (this.driver.xoffStopped && t.iflag & Iflag.IXON && t.iflag & Iflag.IXANY) this.driver.start();
    if (this.icanon && this.full) return; // a line longer than the buffer: the excess is dropped
    if (t.lflag & Lflag.ECHO) {
      this.finishErasing();
      if (c === 10) this.echoRaw(10);
      else {
        if (this.canonHead === this.readHead) this.canonColumn = this.column;
        this.echoChar(c, t);
      }
    }
    if (c === 0xff && t.iflag & Iflag.PARMRK) this.put(c);
    this.put(c);
  }

  /** handle_newline: a line ends here (its last byte c, or the VEOF marker). */
  private newline(c: number, eof: boolean): void {
    if (this.readHead - this.readTail >= N_TTY_BUF_SIZE) return;
    const p = this.readHead & MASK;
    this.buf[p] = c;
    this.lineEnd[p] = 1;
    this.eofMark[p] = eof ? 1 : 0;
    this.readHead++;
    this.canonHead = this.readHead;
  }

  /** isig: the signal, and unless NOFLSH the input and pending output are dropped. */
  private isig(sig: number, t: Termios): void {
    this.driver.signal(sig);
    if ((t.lflag & Lflag.NOFLSH) === 0) {
      this.driver.flushOutput();
      this.flushInput();
    }
  }

  private isContinuation(c: number, t: Termios): boolean {
    return (t.iflag & Iflag.IUTF8) !== 0 && (c & 0xc0) === 0x80;
  }

  /** eraser: VERASE, VWERASE or VKILL in canonical mode. */
  private eraser(c: number, t: Termios): void {
    if (this.readHead === this.canonHead) return;
    let kill: Kill;
    if (this.is(c, t, Cc.VERASE)) kill = Kill.ERASE;
    else if (this.is(c, t, Cc.VWERASE)) kill = Kill.WERASE;
    else {
      if ((t.lflag & Lflag.ECHO) === 0) {
        this.readHead = this.canonHead;
        return;
      }
      if ((t.lflag & Lflag.ECHOK) === 0 || (t.lflag & Lflag.ECHOKE) === 0 || (t.lflag & Lflag.ECHOE) === 0) {
        this.readHead = this.canonHead;
        this.finishErasing();
        this.echoChar(t.cc[Cc.VKILL]!, t);
        if (t.lflag & Lflag.ECHOK) this.echoRaw(10);
        return;
      }
      kill = Kill.KILL;
    }
    let seenAlnums = 0;
    while (this.readHead !== this.canonHead) {
      let head = this.readHead;
      let ch: number;
      do {
        head--;
        ch = this.buf[head & MASK]!;
      } while (this.isContinuation(ch, t) && head !== this.canonHead);
      if (this.isContinuation(ch, t)) break;
      if (kill === Kill.WERASE) {
        if (isAlnum(ch) || ch === 95) seenAlnums++;
        else if (seenAlnums) break;
      }
      let cnt = this.readHead - head;
      this.readHead = head;
      if (t.lflag & Lflag.ECHO) {
        if (t.lflag & Lflag.ECHOPRT) {
          if (!this.erasing) {
            this.echoRaw(92); // '\\'
            this.erasing = true;
          }
          this.echoChar(ch, t);
          while (--cnt > 0) {
            head++;
            this.echoRaw(this.buf[head & MASK]!);
            if (this.column > 0) this.column--;
          }
        } else if (kill === Kill.ERASE && (t.lflag & Lflag.ECHOE) === 0) {
          this.echoChar(t.cc[Cc.VERASE]!, t);
        } else if (ch === 9) {
          this.eraseTab(t);
        } else {
          if (isCntrl(ch) && t.lflag & Lflag.ECHOCTL) this.rubOut();
          if (!isCntrl(ch) || t.lflag & Lflag.ECHOCTL) this.rubOut();
        }
      }
      if (kill === Kill.ERASE) break;
    }
    if (this.readHead === this.canonHead && t.lflag & Lflag.ECHO) this.finishErasing();
  }

  /** "\b \b". */
  private rubOut(): void {
    this.echoRaw(8);
    this.echoRaw(32);
    this.echoRaw(8);
  }

  /** echo_erase_tab and ECHO_OP_ERASE_TAB: back over the columns the erased tab took. */
  private eraseTab(t: Termios): void {
    let numChars = 0;
    let afterTab = false;
    for (let p = this.readHead; p !== this.canonHead; ) {
      p--;
      const c = this.buf[p & MASK]!;
      if (c === 9) {
        afterTab = true;
        break;
      } else if (isCntrl(c)) {
        if (t.lflag & Lflag.ECHOCTL) numChars += 2;
      } else if (!this.isContinuation(c, t)) {
        numChars++;
      }
    }
    if (!afterTab) numChars += this.canonColumn;
    let bs = 8 - (numChars & 7);
    while (bs-- > 0) {
      this.driver.put(8);
      if (this.column > 0) this.column--;
    }
  }

  private finishErasing(): void {
    if (this.erasing) {
      this.echoRaw(47); // '/'
      this.erasing = false;
    }
  }

  /** echo_char: a control character as ^X with ECHOCTL (not TAB), else the character. */
  private echoChar(c: number, t: Termios): void {
    if (t.lflag & Lflag.ECHOCTL && isCntrl(c) && c !== 9) {
      this.driver.put(94);
      this.driver.put(c ^ 0o100);
      this.column += 2;
      return;
    }
    this.outputChar(c, t, true);
  }

  /** echo_char_raw: through output processing. */
  private echoRaw(c: number): void {
    this.outputChar(c, this.termios(), true);
  }

  // ---------------------------------------------------------------------------
  // Output (bytes a program writes to the terminal)

  /**
   * do_output_char for one byte: the bytes it becomes, or 0 when the driver
   * lacks the room for them (nothing written then). Echo (force) ignores room.
   */
  private outputChar(c: number, t: Termios, force: boolean): number {
    const d = this.driver;
    if ((t.oflag & Oflag.OPOST) === 0) {
      if (!force && d.room() < 1) return 0;
      d.put(c);
      return 1;
    }
    const space = force ? Number.MAX_SAFE_INTEGER : d.room();
    if (space < 1) return 0;
    switch (c) {
      case 10:
        if (t.oflag & Oflag.ONLRET) this.column = 0;
        if (t.oflag & Oflag.ONLCR) {
          if (space < 2) return 0;
          this.column = this.canonColumn = 0;
          d.put(13);
          d.put(10);
          return 2;
        }
        this.canonColumn = this.column;
        break;
      case 13:
        if (t.oflag & Oflag.ONOCR && this.column === 0) return 1; // nothing written, the byte is consumed
        if (t.oflag & Oflag.OCRNL) {
          c = 10;
          if (t.oflag & Oflag.ONLRET) this.column = this.canonColumn = 0;
          break;
        }
        this.column = this.canonColumn = 0;
        break;
      case 9: {
        const spaces = 8 - (this.column & 7);
        if ((t.oflag & Oflag.TABDLY) === Oflag.XTABS) {
          if (space < spaces) return 0;
          this.column += spaces;
          for (let i = 0; i < spaces; i++) d.put(32);
          return spaces;
        }
        this.column += spaces;
        break;
      }
      case 8:
        if (this.column > 0) this.column--;
        break;
      default:
        if (!isCntrl(c)) {
          if (t.oflag & Oflag.OLCUC) c = toUpper(c);
          if (!this.isContinuation(c, t)) this.column++;
        }
        break;
    }
    d.put(c);
    return 1;
  }

  /**
   * n_tty_write's output: processes src[off, off+len) while the driver has
   * room; returns how many source bytes were consumed.
   */
  write(src: Uint8Array, off: number, len: number): number {
    const t = this.termios();
    let i = 0;
    for (; i < len; i++) {
      if (this.outputChar(src[off + i]!, t, false) === 0) break;
    }
    return i;
  }
}
