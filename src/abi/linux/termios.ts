// Terminal settings: struct termios, termios2 and termio as the kernel sees
// them (<asm-generic/termbits.h>, <asm-generic/termios.h>, x86-64 values),
// the default settings of a new terminal (tty_std_termios, INIT_C_CC) and
// the flag and control-character numbers of man 3 termios. struct winsize
// and the request numbers are in ./ioctl.ts.
import { NCCS, TERMIOS_SIZE, TERMIOS2_SIZE } from './ioctl.js';

export { NCCS, TERMIOS_SIZE, TERMIOS2_SIZE };

/** c_iflag bits. */
export const enum Iflag {
  IGNBRK = 0o1,
  BRKINT = 0o2,
  IGNPAR = 0o4,
  PARMRK = 0o10,
  INPCK = 0o20,
  ISTRIP = 0o40,
  INLCR = 0o100,
  IGNCR = 0o200,
  ICRNL = 0o400,
  IUCLC = 0o1000,
  IXON = 0o2000,
  IXANY = 0o4000,
  IXOFF = 0o10000,
  IMAXBEL = 0o20000,
  IUTF8 = 0o40000,
}

/** c_oflag bits. */
export const enum Oflag {
  OPOST = 0o1,
  OLCUC = 0o2,
  ONLCR = 0o4,
  OCRNL = 0o10,
  ONOCR = 0o20,
  ONLRET = 0o40,
  OFILL = 0o100,
  OFDEL = 0o200,
  NLDLY = 0o400,
  CRDLY = 0o3000,
  TABDLY = 0o14000,
  /** TAB3: expand tabs to spaces. */
  XTABS = 0o14000,
  BSDLY = 0o20000,
  VTDLY = 0o40000,
  FFDLY = 0o100000,
}

/** c_cflag bits. */
export const enum Cflag {
  CBAUD = 0o10017,
  B0 = 0o0,
  B9600 = 0o15,
  B38400 = 0o17,
  CSIZE = 0o60,
  CS5 = 0o0,
  CS6 = 0o20,
  CS7 = 0o40,
  CS8 = 0o60,
  CSTOPB = 0o100,
  CREAD = 0o200,
  PARENB = 0o400,
  PARODD = 0o1000,
  HUPCL = 0o2000,
  CLOCAL = 0o4000,
  CBAUDEX = 0o10000,
  BOTHER = 0o10000,
  CIBAUD = 0o2003600000,
  CMSPAR = 0o10000000000,
  CRTSCTS = 0o20000000000,
}

/** c_lflag bits. */
export const enum Lflag {
  ISIG = 0o1,
  ICANON = 0o2,
  XCASE = 0o4,
  ECHO = 0o10,
  ECHOE = 0o20,
  ECHOK = 0o40,
  ECHONL = 0o100,
  NOFLSH = 0o200,
  TOSTOP = 0o400,
  ECHOCTL = 0o1000,
  ECHOPRT = 0o2000,
  ECHOKE = 0o4000,
  FLUSHO = 0o10000,
  PENDIN = 0o40000,
  IEXTEN = 0o100000,
  EXTPROC = 0o200000,
}

/** Indexes of c_cc. */
export const enum Cc {
  VINTR = 0,
  VQUIT = 1,
  VERASE = 2,
  VKILL = 3,
  VEOF = 4,
  VTIME = 5,
  VMIN = 6,
  VSWTC = 7,
  VSTART = 8,
  VSTOP = 9,
  VSUSP = 10,
  VEOL = 11,
  VREPRINT = 12,
  VDISCARD = 13,
  VWERASE = 14,
  VLNEXT = 15,
  VEOL2 = 16,
}

/** A c_cc entry of this value disables the character (_POSIX_VDISABLE on Linux). */
export const VDISABLE = 0;

/** tcflush(3) queue selectors (TCFLSH). */
export const enum TcFlush {
  TCIFLUSH = 0,
  TCOFLUSH = 1,
  TCIOFLUSH = 2,
}

/** tcflow(3) actions (TCXONC). */
export const enum TcFlow {
  TCOOFF = 0,
  TCOON = 1,
  TCIOFF = 2,
  TCION = 3,
}

/** TIOCPKT status bits: the first byte of each packet-mode read from a pty master. */
export const enum TiocPkt {
  TIOCPKT_DATA = 0,
  TIOCPKT_FLUSHREAD = 1,
  TIOCPKT_FLUSHWRITE = 2,
  TIOCPKT_STOP = 4,
  TIOCPKT_START = 8,
  TIOCPKT_NOSTOP = 16,
  TIOCPKT_DOSTOP = 32,
  TIOCPKT_IOCTL = 64,
}

/** The line discipline numbers (TIOCGETD/TIOCSETD): only N_TTY exists here. */
export const N_TTY = 0;

/** struct termio (TCGETA/TCSETA*): four unsigned shorts, c_line, c_cc[NCC]; 18 bytes. */
export const NCC = 8;
export const TERMIO_SIZE = 18;

/** The kernel's struct ktermios, with the speeds of termios2. */
export interface Termios {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  line: number;
  /** NCCS control characters. */
  cc: Uint8Array;
  ispeed: number;
  ospeed: number;
}

/** INIT_C_CC: ^C ^\ DEL ^U ^D, TIME 0, MIN 1, SWTC 0, ^Q ^S ^Z, EOL 0, ^R ^O ^W ^V, EOL2 0. */
export const INIT_C_CC: readonly number[] = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0];

/** tty_std_termios: the settings of a new terminal (ICRNL IXON, OPOST ONLCR, B38400 CS8 CREAD HUPCL, ISIG ICANON ECHO…). */
export function stdTermios(): Termios {
  return {
    iflag: Iflag.ICRNL | Iflag.IXON,
    oflag: Oflag.OPOST | Oflag.ONLCR,
    cflag: Cflag.B38400 | Cflag.CS8 | Cflag.CREAD | Cflag.HUPCL,
    lflag: Lflag.ISIG | Lflag.ICANON | Lflag.ECHO | Lflag.ECHOE | Lflag.ECHOK | Lflag.ECHOCTL | Lflag.ECHOKE | Lflag.IEXTEN,
    line: N_TTY,
    cc: Uint8Array.from(INIT_C_CC),
    ispeed: 38400,
    ospeed: 38400,
  };
}

/** The initial settings of a pseudo-terminal slave (pts_driver->init_termios): tty_std_termios without HUPCL. */
export function ptySlaveTermios(): Termios {
  const t = stdTermios();
  t.cflag = Cflag.B38400 | Cflag.CS8 | Cflag.CREAD;
  return t;
}

export function copyTermios(t: Termios): Termios {
  return { ...t, cc: Uint8Array.from(t.cc) };
}

/** struct termios at off (36 bytes): c_iflag, c_oflag, c_cflag, c_lflag, c_line, c_cc[19]. */
export function decodeTermios(dv: DataView, off: number, out: Termios): Termios {
  out.iflag = dv.getUint32(off, true);
  out.oflag = dv.getUint32(off + 4, true);
  out.cflag = dv.getUint32(off + 8, true);
  out.lflag = dv.getUint32(off + 12, true);
  out.line = dv.getUint8(off + 16);
  for (let i = 0; i < NCCS; i++) out.cc[i] = dv.getUint8(off + 17 + i);
  return out;
}

export function encodeTermios(dv: DataView, off: number, t: Termios): void {
  dv.setUint32(off, t.iflag >>> 0, true);
  dv.setUint32(off + 4, t.oflag >>> 0, true);
  dv.setUint32(off + 8, t.cflag >>> 0, true);
  dv.setUint32(off + 12, t.lflag >>> 0, true);
  dv.setUint8(off + 16, t.line & 0xff);
  for (let i = 0; i < NCCS; i++) dv.setUint8(off + 17 + i, t.cc[i] ?? 0);
}

/** struct termios2 (44 bytes): termios, then c_ispeed and c_ospeed. */
export function decodeTermios2(dv: DataView, off: number, out: Termios): Termios {
  decodeTermios(dv, off, out);
  out.ispeed = dv.getUint32(off + 36, true);
  out.ospeed = dv.getUint32(off + 40, true);
  return out;
}

export function encodeTermios2(dv: DataView, off: number, t: Termios): void {
  encodeTermios(dv, off, t);
  dv.setUint32(off + 36, t.ispeed >>> 0, true);
  dv.setUint32(off + 40, t.ospeed >>> 0, true);
}

/**
 * struct termio (18 bytes): the low 16 bits of each flag word, c_line, the
 * first NCC control characters. Decoding keeps the high bits of the flags
 * (user_termio_to_kernel_termios merges into the current settings).
 */
export function decodeTermio(dv: DataView, off: number, out: Termios): Termios {
  out.iflag = ((out.iflag & 0xffff0000) | dv.getUint16(off, true)) >>> 0;
  out.oflag = ((out.oflag & 0xffff0000) | dv.getUint16(off + 2, true)) >>> 0;
  out.cflag = ((out.cflag & 0xffff0000) | dv.getUint16(off + 4, true)) >>> 0;
  out.lflag = ((out.lflag & 0xffff0000) | dv.getUint16(off + 6, true)) >>> 0;
  out.line = dv.getUint8(off + 8);
  for (let i = 0; i < NCC; i++) out.cc[i] = dv.getUint8(off + 9 + i);
  return out;
}

export function encodeTermio(dv: DataView, off: number, t: Termios): void {
  dv.setUint16(off, t.iflag & 0xffff, true);
  dv.setUint16(off + 2, t.oflag & 0xffff, true);
  dv.setUint16(off + 4, t.cflag & 0xffff, true);
  dv.setUint16(off + 6, t.lflag & 0xffff, true);
  dv.setUint8(off + 8, t.line & 0xff);
  for (let i = 0; i < NCC; i++) dv.setUint8(off + 9 + i, t.cc[i] ?? 0);
}

/** The baud rates of the CBAUD codes (B0 … B38400, then CBAUDEX B57600 … B4000000). */
const BAUD_TABLE: readonly number[] = [
  0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400,
  57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
];

/** tty_termios_baud_rate: the speed a CBAUD code names (BOTHER: the explicit speed). */
export function baudOf(cflag: number, explicit: number): number {
  let code = cflag & Cflag.CBAUD;
  if (code === Cflag.BOTHER) return explicit;
  if ((code & Cflag.CBAUDEX) !== 0) {
    code &= ~Cflag.CBAUDEX;
    return code >= 1 && code + 15 < BAUD_TABLE.length ? BAUD_TABLE[code + 15]! : 0;
  }
  return BAUD_TABLE[code] ?? 0;
}
