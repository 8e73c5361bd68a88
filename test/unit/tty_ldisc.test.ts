// The N_TTY line discipline on its own (src/fs/tty/ldisc.ts): canonical
// editing and its echo, VEOF, output processing and the column, ISIG and
// IXON characters, mode switches, and the read buffer's limit. The expected
// bytes are what Linux's n_tty.c produces for the same input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cc, Iflag, Lflag, Oflag, ptySlaveTermios, type Termios } from '../../src/abi/linux/termios.js';
import { N_TTY_BUF_SIZE, NTty, type LdiscDriver } from '../../src/fs/tty/ldisc.js';

class FakeDriver implements LdiscDriver {
  out: number[] = [];
  signals: number[] = [];
  flushedOutput = 0;
  flushedInput = 0;
  stopped = false;
  space = 1 << 20;
  put(c: number): void {
    this.out.push(c);
  }
  room(): number {
    return this.stopped ? 0 : this.space - this.out.length;
  }
  signal(sig: number): void {
    this.signals.push(sig);
  }
  flushOutput(): void {
    this.flushedOutput++;
  }
  inputFlushed(): void {
    this.flushedInput++;
  }
  stop(): void {
    this.stopped = true;
  }
  start(): void {
    this.stopped = false;
  }
  get xoffStopped(): boolean {
    return this.stopped;
  }
  /** The output so far as a latin1 string, then cleared. */
  take(): string {
    const s = Buffer.from(this.out).toString('latin1');
    this.out = [];
    return s;
  }
}

function setup(edit?: (t: Termios) => void): { ld: NTty; d: FakeDriver; t: Termios } {
  const t = ptySlaveTermios();
  edit?.(t);
  const d = new FakeDriver();
  const ld = new NTty(() => t, d);
  return { ld, d, t };
}

function type(ld: NTty, s: string): number {
  const b = Buffer.from(s, 'latin1');
  return ld.receive(b, 0, b.length);
}

function readCanon(ld: NTty, len = 4096): string {
  const b = new Uint8Array(len);
  const n = ld.readCanon(b, 0, len);
  return Buffer.from(b.subarray(0, n)).toString('latin1');
}

function readRaw(ld: NTty, len = 4096): string {
  const b = new Uint8Array(len);
  const n = ld.readRaw(b, 0, len);
  return Buffer.from(b.subarray(0, n)).toString('latin1');
}

function write(ld: NTty, s: string): number {
  const b = Buffer.from(s, 'latin1');
  return ld.write(b, 0, b.length);
}

test('canonical: a line is readable once complete; echo goes through ONLCR', () => {
  const { ld, d } = setup();
  type(ld, 'hel');
  assert.equal(ld.inputAvailable(false), false);
  assert.equal(ld.inq(), 0);
  type(ld, 'lo\r');
  assert.equal(ld.inputAvailable(false), true);
  assert.equal(ld.inq(), 6);
  assert.equal(d.take(), 'hello\r\n');
  assert.equal(readCanon(ld), 'hello\n');
  assert.equal(ld.inputAvailable(false), false);
});

test('canonical: one line per read, a short buffer takes part of it', () => {
  const { ld } = setup();
  type(ld, 'one\ntwo\nthree\n');
  assert.equal(readCanon(ld), 'one\n');
  assert.equal(readCanon(ld, 2), 'tw');
  assert.equal(readCanon(ld), 'o\n');
  assert.equal(readCanon(ld), 'three\n');
});

test('VEOF ends a line without itself; alone it reads as 0 bytes; FIONREAD skips it', () => {
  const { ld, d } = setup();
  type(ld, 'ab\x04');
  assert.equal(d.take(), 'ab'); // VEOF is not echoed
  assert.equal(ld.inq(), 2);
  assert.equal(readCanon(ld), 'ab');
  type(ld, '\x04');
  assert.equal(ld.inputAvailable(false), true);
  assert.equal(ld.inq(), 0);
  assert.equal(readCanon(ld), '');
  assert.equal(ld.inputAvailable(false), false);
});

test('VERASE, VKILL and VWERASE, with their echoes', () => {
  const { ld, d } = setup();
  type(ld, 'xy\x7fz\n');
  assert.equal(readCanon(ld), 'xz\n');
  assert.equal(d.take(), 'xy\b \bz\r\n');
  // ECHOK + ECHOKE + ECHOE: the line is rubbed out character by character.
  type(ld, 'abc\x15');
  assert.equal(d.take(), 'abc\b \b\b \b\b \b');
  type(ld, 'def\n');
  assert.equal(readCanon(ld), 'def\n');
  d.take();
  // A word: trailing spaces, then the word.
  type(ld, 'foo bar \x17');
  assert.equal(d.take(), 'foo bar ' + '\b \b'.repeat(4));
  type(ld, 'baz\n');
  assert.equal(readCanon(ld), 'foo baz\n');
});

test('erasing control characters (two columns with ECHOCTL) and tabs', () => {
  const { ld, d } = setup();
  type(ld, '\x01');
  assert.equal(d.take(), '^A');
  type(ld, '\x7f');
  assert.equal(d.take(), '\b \b\b \b');
  // A tab after two characters takes six columns; erasing it backs up six.
  type(ld, 'ab\t');
  assert.equal(d.take(), 'ab\t');
  assert.equal(ld.column, 8);
  type(ld, '\x7f');
  assert.equal(d.take(), '\b'.repeat(6));
  assert.equal(ld.column, 2);
});

test('without ECHOE the erase character is echoed; without ECHOKE the kill character and a newline', () => {
  const { ld, d } = setup((t) => {
    t.lflag &= ~(Lflag.ECHOE | Lflag.ECHOKE);
  });
  type(ld, 'ab\x7f');
  assert.equal(d.take(), 'ab^?');
  type(ld, 'cd\x15');
  assert.equal(d.take(), 'cd^U\r\n');
  type(ld, 'e\n');
  assert.equal(readCanon(ld), 'e\n');
});

test('ECHOPRT shows erased characters between \\ and /', () => {
  const { ld, d } = setup((t) => {
    t.lflag |= Lflag.ECHOPRT;
  });
  type(ld, 'abc\x7f\x7fd');
  assert.equal(d.take(), 'abc\\cb/d');
});

test('VLNEXT quotes the next character; VREPRINT redraws the line', () => {
  const { ld, d } = setup();
  type(ld, 'a\x16\x03b');
  assert.equal(d.take(), 'a^\b^Cb');
  assert.deepEqual(d.signals, []);
  type(ld, '\x12');
  assert.equal(d.take(), '^R\r\na^Cb');
  type(ld, '\n');
  assert.equal(readCanon(ld), 'a\x03b\n');
});

test('ISIG: ^C, ^\\ and ^Z signal, echo and flush (not with NOFLSH)', () => {
  const { ld, d, t } = setup();
  type(ld, 'abc\x03');
  assert.deepEqual(d.signals, [2]);
  assert.equal(d.take(), 'abc^C');
  assert.equal(d.flushedOutput, 1);
  assert.equal(ld.buffered, 0);
  type(ld, '\x1c\x1a');
  assert.deepEqual(d.signals, [2, 3, 20]);
  t.lflag |= Lflag.NOFLSH;
  type(ld, 'x\n\x03');
  assert.equal(readCanon(ld), 'x\n');
  t.lflag &= ~Lflag.ISIG;
  type(ld, '\x03\n');
  assert.equal(readCanon(ld), '\x03\n');
  assert.equal(d.signals.length, 4);
});

test('IXON: ^S stops and ^Q starts output (not put in the buffer); IXANY restarts on any key', () => {
  const { ld, d, t } = setup();
  type(ld, '\x13');
  assert.equal(d.stopped, true);
  assert.equal(write(ld, 'hi'), 0);
  type(ld, '\x11');
  assert.equal(d.stopped, false);
  assert.equal(ld.buffered, 0);
  t.iflag |= Iflag.IXANY;
  type(ld, '\x13');
  assert.equal(d.stopped, true);
  type(ld, 'k');
  assert.equal(d.stopped, false);
});

test('input conversions: IGNCR, INLCR, ISTRIP, IUCLC', () => {
  const { ld, t } = setup();
  t.iflag = Iflag.IGNCR;
  type(ld, 'a\rb\n');
  assert.equal(readCanon(ld), 'ab\n');
  t.iflag = Iflag.INLCR | Iflag.ICRNL;
  t.cc[Cc.VEOL] = 13;
  type(ld, 'c\n');
  assert.equal(readCanon(ld), 'c\r');
  t.cc[Cc.VEOL] = 0;
  t.iflag = Iflag.ISTRIP | Iflag.IUCLC;
  type(ld, 'A\xc2\n'); // stripped to 'B', then lower-cased (IEXTEN is on)
  assert.equal(readCanon(ld), 'ab\n');
});

test('output processing: ONLCR, OCRNL, ONOCR, ONLRET, OLCUC, XTABS and the column', () => {
  const { ld, d, t } = setup();
  assert.equal(write(ld, 'ab\ncd'), 5);
  assert.equal(d.take(), 'ab\r\ncd');
  assert.equal(ld.column, 2);
  t.oflag = Oflag.OPOST | Oflag.OCRNL;
  write(ld, 'x\r');
  assert.equal(d.take(), 'x\n');
  // OCRNL left the column alone: the first CR goes out, the second (column 0) is dropped.
  t.oflag = Oflag.OPOST | Oflag.ONOCR;
  assert.equal(write(ld, '\r\ry\r'), 4);
  assert.equal(d.take(), '\ry\r');
  t.oflag = Oflag.OPOST | Oflag.OLCUC | Oflag.XTABS;
  write(ld, 'a\tb');
  assert.equal(d.take(), 'A       B');
  assert.equal(ld.column, 9);
  t.oflag = 0;
  write(ld, 'a\n\t');
  assert.equal(d.take(), 'a\n\t');
});

test('output stops at the device\'s room, never splitting an expansion', () => {
  const { ld, d } = setup();
  d.space = 3;
  assert.equal(write(ld, 'ab\ncd'), 2); // "\r\n" needs two bytes, one is left
  assert.equal(d.take(), 'ab');
  d.space = 100;
  assert.equal(write(ld, '\ncd'), 3);
  assert.equal(d.take(), '\r\ncd');
});

test('raw mode: bytes as typed, no echo; switching modes keeps what is buffered', () => {
  const { ld, d, t } = setup();
  type(ld, 'par');
  d.take();
  t.lflag &= ~Lflag.ICANON;
  ld.settingsChanged();
  assert.equal(ld.inputAvailable(false), true);
  assert.equal(readRaw(ld, 2), 'pa');
  t.lflag &= ~Lflag.ECHO;
  t.iflag = 0;
  type(ld, '\r\x7f');
  assert.equal(d.take(), '');
  assert.equal(readRaw(ld), 'r\r\x7f');
  // VMIN for poll: at least VMIN bytes when VTIME is 0.
  t.cc[Cc.VMIN] = 3;
  type(ld, 'ab');
  assert.equal(ld.inputAvailable(true), false);
  assert.equal(ld.inputAvailable(false), true);
  type(ld, 'c');
  assert.equal(ld.inputAvailable(true), true);
  // Back to canonical: what is buffered becomes a line.
  t.lflag |= Lflag.ICANON;
  ld.settingsChanged();
  assert.equal(readCanon(ld), 'abc');
});

test('the read buffer holds N_TTY_BUF_SIZE - 1 bytes; a too-long canonical line still takes erase and newline', () => {
  const { ld, t } = setup((x) => {
    x.lflag &= ~Lflag.ECHO;
  });
  const long = 'x'.repeat(5000);
  assert.equal(type(ld, long), 5000); // processed, the excess dropped
  assert.equal(ld.buffered, N_TTY_BUF_SIZE - 1);
  type(ld, '\x7f\n');
  const line = readCanon(ld);
  assert.equal(line.length, N_TTY_BUF_SIZE - 1);
  assert.ok(line.endsWith('x\n'));
  // Non-canonical: the rest waits (receive takes less).
  t.lflag &= ~Lflag.ICANON;
  ld.settingsChanged();
  assert.equal(type(ld, long), N_TTY_BUF_SIZE - 1);
  // A complete line pending in canonical mode also stops input when full.
  readRaw(ld);
  t.lflag |= Lflag.ICANON;
  ld.settingsChanged();
  type(ld, 'done\n');
  assert.equal(type(ld, long), N_TTY_BUF_SIZE - 1 - 5);
});

test('IUTF8: erase removes a whole multibyte character', () => {
  const { ld, d, t } = setup();
  t.iflag |= Iflag.IUTF8;
  type(ld, 'a\xc3\xa9');
  assert.equal(ld.column, 2);
  d.take();
  type(ld, '\x7f\n');
  assert.equal(readCanon(ld), 'a\n');
  assert.equal(d.take(), '\b \b\r\n');
});

test('flushInput empties the buffer and tells the driver', () => {
  const { ld, d } = setup();
  type(ld, 'abc\nde');
  ld.flushInput();
  assert.equal(ld.buffered, 0);
  assert.equal(ld.inputAvailable(false), false);
  assert.equal(d.flushedInput, 1);
});
