// ioctl(2) request numbers for terminals and generic fds, x86-64 values
// (<asm-generic/ioctls.h>, <asm-generic/ioctl.h>); man 2 ioctl_tty, man 2 ioctl.
//
// The request is an unsigned int: take the low 32 bits of the register as
// `req >>> 0` before comparing, since some values are >= 2^31.

export const enum Ioctl {
  TCGETS = 0x5401,
  TCSETS = 0x5402,
  TCSETSW = 0x5403,
  TCSETSF = 0x5404,
  TCGETA = 0x5405,
  TCSETA = 0x5406,
  TCSETAW = 0x5407,
  TCSETAF = 0x5408,
  TCSBRK = 0x5409,
  TCXONC = 0x540a,
  TCFLSH = 0x540b,
  TIOCEXCL = 0x540c,
  TIOCNXCL = 0x540d,
  TIOCSCTTY = 0x540e,
  TIOCGPGRP = 0x540f,
  TIOCSPGRP = 0x5410,
  TIOCOUTQ = 0x5411,
  TIOCSTI = 0x5412,
  TIOCGWINSZ = 0x5413,
  TIOCSWINSZ = 0x5414,
  TIOCMGET = 0x5415,
  TIOCMBIS = 0x5416,
  TIOCMBIC = 0x5417,
  TIOCMSET = 0x5418,
  FIONREAD = 0x541b,
  TIOCINQ = 0x541b,
  TIOCLINUX = 0x541c,
  TIOCCONS = 0x541d,
  TIOCPKT = 0x5420,
  FIONBIO = 0x5421,
  TIOCNOTTY = 0x5422,
  TIOCSETD = 0x5423,
  TIOCGETD = 0x5424,
  TCSBRKP = 0x5425,
  TIOCSBRK = 0x5427,
  TIOCCBRK = 0x5428,
  TIOCGSID = 0x5429,
  /** _IOR('T', 0x2A, struct termios2) */
  TCGETS2 = 0x802c542a,
  TCSETS2 = 0x402c542b,
  TCSETSW2 = 0x402c542c,
  TCSETSF2 = 0x402c542d,
  /** _IOR('T', 0x30, unsigned int) */
  TIOCGPTN = 0x80045430,
  /** _IOW('T', 0x31, int) */
  TIOCSPTLCK = 0x40045431,
  TIOCGDEV = 0x80045432,
  TIOCSIG = 0x40045436,
  TIOCVHANGUP = 0x5437,
  TIOCGPKT = 0x80045438,
  TIOCGPTLCK = 0x80045439,
  TIOCGEXCL = 0x80045440,
  /** _IO('T', 0x41) */
  TIOCGPTPEER = 0x5441,
  FIONCLEX = 0x5450,
  FIOCLEX = 0x5451,
  FIOASYNC = 0x5452,
  FIOQSIZE = 0x5460,
}

/** Name of each request above, for --strace. */
export const IOCTL_NAMES: ReadonlyMap<number, string> = new Map([
  [Ioctl.TCGETS, 'TCGETS'], [Ioctl.TCSETS, 'TCSETS'], [Ioctl.TCSETSW, 'TCSETSW'], [Ioctl.TCSETSF, 'TCSETSF'],
  [Ioctl.TCGETA, 'TCGETA'], [Ioctl.TCSETA, 'TCSETA'], [Ioctl.TCSETAW, 'TCSETAW'], [Ioctl.TCSETAF, 'TCSETAF'],
  [Ioctl.TCSBRK, 'TCSBRK'], [Ioctl.TCXONC, 'TCXONC'], [Ioctl.TCFLSH, 'TCFLSH'], [Ioctl.TIOCEXCL, 'TIOCEXCL'],
  [Ioctl.TIOCNXCL, 'TIOCNXCL'], [Ioctl.TIOCSCTTY, 'TIOCSCTTY'], [Ioctl.TIOCGPGRP, 'TIOCGPGRP'],
  [Ioctl.TIOCSPGRP, 'TIOCSPGRP'], [Ioctl.TIOCOUTQ, 'TIOCOUTQ'], [Ioctl.TIOCSTI, 'TIOCSTI'],
  [Ioctl.TIOCGWINSZ, 'TIOCGWINSZ'], [Ioctl.TIOCSWINSZ, 'TIOCSWINSZ'], [Ioctl.TIOCMGET, 'TIOCMGET'],
  [Ioctl.TIOCMBIS, 'TIOCMBIS'], [Ioctl.TIOCMBIC, 'TIOCMBIC'], [Ioctl.TIOCMSET, 'TIOCMSET'],
  [Ioctl.FIONREAD, 'FIONREAD'], [Ioctl.TIOCLINUX, 'TIOCLINUX'], [Ioctl.TIOCCONS, 'TIOCCONS'],
  [Ioctl.TIOCPKT, 'TIOCPKT'], [Ioctl.FIONBIO, 'FIONBIO'], [Ioctl.TIOCNOTTY, 'TIOCNOTTY'],
  [Ioctl.TIOCSETD, 'TIOCSETD'], [Ioctl.TIOCGETD, 'TIOCGETD'], [Ioctl.TCSBRKP, 'TCSBRKP'],
  [Ioctl.TIOCSBRK, 'TIOCSBRK'], [Ioctl.TIOCCBRK, 'TIOCCBRK'], [Ioctl.TIOCGSID, 'TIOCGSID'],
  [Ioctl.TCGETS2, 'TCGETS2'], [Ioctl.TCSETS2, 'TCSETS2'], [Ioctl.TCSETSW2, 'TCSETSW2'],
  [Ioctl.TCSETSF2, 'TCSETSF2'], [Ioctl.TIOCGPTN, 'TIOCGPTN'], [Ioctl.TIOCSPTLCK, 'TIOCSPTLCK'],
  [Ioctl.TIOCGDEV, 'TIOCGDEV'], [Ioctl.TIOCSIG, 'TIOCSIG'], [Ioctl.TIOCVHANGUP, 'TIOCVHANGUP'],
  [Ioctl.TIOCGPKT, 'TIOCGPKT'], [Ioctl.TIOCGPTLCK, 'TIOCGPTLCK'], [Ioctl.TIOCGEXCL, 'TIOCGEXCL'],
  [Ioctl.TIOCGPTPEER, 'TIOCGPTPEER'], [Ioctl.FIONCLEX, 'FIONCLEX'], [Ioctl.FIOCLEX, 'FIOCLEX'],
  [Ioctl.FIOASYNC, 'FIOASYNC'], [Ioctl.FIOQSIZE, 'FIOQSIZE'],
]);

// ---------------------------------------------------------------------------
// Request encoding (<asm-generic/ioctl.h>): nr 8 bits, type 8, size 14, dir 2.

export const enum IocDir {
  _IOC_NONE = 0,
  _IOC_WRITE = 1,
  _IOC_READ = 2,
}

/** _IOC(dir, type, nr, size) as an unsigned 32-bit number. */
export function ioc(dir: number, type: number, nr: number, size: number): number {
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}

export function iocDir(req: number): number {
  return req >>> 30;
}

export function iocType(req: number): number {
  return (req >>> 8) & 0xff;
}

export function iocNr(req: number): number {
  return req & 0xff;
}

export function iocSize(req: number): number {
  return (req >>> 16) & 0x3fff;
}

// ---------------------------------------------------------------------------
// struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }  8 bytes.

export const WINSIZE_SIZE = 8;

export interface Winsize {
  row: number;
  col: number;
  xpixel: number;
  ypixel: number;
}

export function decodeWinsize(dv: DataView, off: number, out: Winsize): Winsize {
  out.row = dv.getUint16(off, true);
  out.col = dv.getUint16(off + 2, true);
  out.xpixel = dv.getUint16(off + 4, true);
  out.ypixel = dv.getUint16(off + 6, true);
  return out;
}

export function encodeWinsize(dv: DataView, off: number, w: Winsize): void {
  dv.setUint16(off, w.row, true);
  dv.setUint16(off + 2, w.col, true);
  dv.setUint16(off + 4, w.xpixel, true);
  dv.setUint16(off + 6, w.ypixel, true);
}

/** The kernel's struct termios (TCGETS/TCSETS*): 4 tcflag_t, c_line, c_cc[NCCS]; 36 bytes. */
export const NCCS = 19;
export const TERMIOS_SIZE = 36;
/** struct termios2 (TCGETS2): termios plus c_ispeed and c_ospeed; 44 bytes. */
export const TERMIOS2_SIZE = 44;
