// struct termios, termios2 and termio codecs and the default settings
// (src/abi/linux/termios.ts), against the values a Linux pty reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  baudOf, Cc, Cflag, copyTermios, decodeTermio, decodeTermios, decodeTermios2, encodeTermio, encodeTermios, encodeTermios2, NCCS, ptySlaveTermios,
  stdTermios, TERMIO_SIZE, TERMIOS_SIZE, TERMIOS2_SIZE,
} from '../../src/abi/linux/termios.js';

test('a new pty slave reports what Linux reports (stty -a on a fresh /dev/pts/N)', () => {
  const t = ptySlaveTermios();
  assert.equal(t.iflag, 0o2400); // ICRNL IXON
  assert.equal(t.oflag, 0o5); // OPOST ONLCR
  assert.equal(t.cflag, 0o277); // B38400 CS8 CREAD
  assert.equal(t.lflag, 0o105073); // ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
  assert.equal(t.line, 0);
  assert.deepEqual([...t.cc], [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0]);
  assert.equal(t.cc.length, NCCS);
  assert.equal(stdTermios().cflag, 0o2277); // with HUPCL
});

test('termios (36 bytes) and termios2 (44 bytes) round-trip at their offsets', () => {
  const t = ptySlaveTermios();
  t.iflag = 0xdeadbeef;
  t.cc[Cc.VMIN] = 7;
  t.ispeed = 115200;
  t.ospeed = 9600;
  const dv = new DataView(new ArrayBuffer(64));
  encodeTermios(dv, 4, t);
  assert.equal(dv.getUint32(4, true), 0xdeadbeef);
  assert.equal(dv.getUint8(4 + 17 + Cc.VMIN), 7);
  const back = decodeTermios(dv, 4, stdTermios());
  assert.equal(back.iflag, 0xdeadbeef);
  assert.equal(back.lflag, t.lflag);
  assert.deepEqual([...back.cc], [...t.cc]);
  assert.equal(TERMIOS_SIZE, 36);
  encodeTermios2(dv, 0, t);
  const b2 = decodeTermios2(dv, 0, stdTermios());
  assert.equal(b2.ispeed, 115200);
  assert.equal(b2.ospeed, 9600);
  assert.equal(TERMIOS2_SIZE, 44);
});

test('termio (18 bytes) carries the low 16 bits and 8 characters; decoding keeps the high bits', () => {
  const t = ptySlaveTermios();
  t.iflag = 0x12345;
  const dv = new DataView(new ArrayBuffer(TERMIO_SIZE));
  encodeTermio(dv, 0, t);
  assert.equal(dv.getUint16(0, true), 0x2345);
  const into = copyTermios(t);
  into.iflag = 0x70000;
  decodeTermio(dv, 0, into);
  assert.equal(into.iflag, 0x72345);
  assert.equal(into.cc[Cc.VEOF], 4);
});

test('baud rates from CBAUD codes, CBAUDEX and BOTHER', () => {
  assert.equal(baudOf(Cflag.B38400, 0), 38400);
  assert.equal(baudOf(Cflag.B9600, 0), 9600);
  assert.equal(baudOf(Cflag.B0, 0), 0);
  assert.equal(baudOf(Cflag.CBAUDEX | 2, 0), 115200);
  assert.equal(baudOf(Cflag.BOTHER, 12345), 12345);
});
