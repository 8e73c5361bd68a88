// Shared pieces of the net unit tests: flat guest memory, a fake caller
// (parker, credentials, SIGPIPE count) and small send/recv wrappers.
import { Errno } from '../../src/abi/linux/errno.js';
import { IoCursor } from '../../src/fs/pipe/iov.js';
import type { NetCaller } from '../../src/net/caller.js';
import { newRecvMsg, newSendMsg, type RecvMsg } from '../../src/net/message.js';
import type { Socket } from '../../src/net/socket.js';
import type { GuestMemory } from '../../src/vfs/guest_memory.js';
import type { IoResult } from '../../src/vfs/file.js';

export class FlatMemory implements GuestMemory {
  readonly bytes = new Uint8Array(1 << 20);
  readBytes(addr: number, dst: Uint8Array, off: number, len: number): number {
    if (addr < 0 || addr + len > this.bytes.length) return -Errno.EFAULT;
    dst.set(this.bytes.subarray(addr, addr + len), off);
    return 0;
  }
  writeBytes(addr: number, src: Uint8Array, off: number, len: number): number {
    if (addr < 0 || addr + len > this.bytes.length) return -Errno.EFAULT;
    this.bytes.set(src.subarray(off, off + len), addr);
    return 0;
  }
  forEachSegment(addr: number, len: number, _w: boolean, fn: (b: Uint8Array, o: number, l: number) => number): number {
    if (addr < 0 || addr >= this.bytes.length) return -Errno.EFAULT;
    return fn(this.bytes, addr, Math.min(len, this.bytes.length - addr));
  }
  put(addr: number, s: string): number {
    this.bytes.set(Buffer.from(s, 'latin1'), addr);
    return s.length;
  }
  get(addr: number, len: number): string {
    return Buffer.from(this.bytes.subarray(addr, addr + len)).toString('latin1');
  }
}

export class FakeCaller implements NetCaller {
  waker: ((r: number) => void) | null = null;
  pending = false;
  sigpipes = 0;
  pid = 100;
  uid = 0;
  gid = 0;
  euid = 0;
  egid = 0;
  suid = 0;
  sgid = 0;
  nofile = 1024;
  vfs = null;
  readonly parker = {
    park: (w: (r: number) => void): void => {
      this.waker = w;
    },
    unpark: (): void => {
      this.waker = null;
    },
  };
  signalPending(): boolean {
    return this.pending;
  }
  capable(): boolean {
    return true;
  }
  sigpipe(): void {
    this.sigpipes++;
  }
  /** A signal arrives while parked. */
  interrupt(r = -Errno.ERESTARTSYS): void {
    const w = this.waker;
    this.waker = null;
    w?.(r);
  }
}

export const OWNER = { fsuid: 0, fsgid: 0, uid: 0 };

export function send(s: Socket, c: NetCaller | null, m: FlatMemory, data: string, flags = 0, addr: Uint8Array | null = null): IoResult {
  const at = 0x1000;
  m.put(at, data);
  return s.sendmsg(c, newSendMsg(new IoCursor(m, at, data.length), data.length, flags, addr));
}

export function recv(s: Socket, c: NetCaller | null, m: FlatMemory, len: number, flags = 0): { r: IoResult; msg: RecvMsg; text: (n: number) => string } {
  const at = 0x80000;
  const msg = newRecvMsg(new IoCursor(m, at, len), len, flags, true);
  const r = s.recvmsg(c, msg);
  return { r, msg, text: (n: number) => m.get(at, n) };
}

/** A sockaddr_un for an abstract name. */
export function abstractAddr(name: string): Uint8Array {
  const b = new Uint8Array(3 + name.length);
  b[0] = 1;
  b.set(Buffer.from(name, 'latin1'), 3);
  return b;
}

/** A sockaddr_in. */
export function sin(a: number, b: number, c: number, d: number, port: number): Uint8Array {
  return Uint8Array.of(2, 0, port >> 8, port & 0xff, a, b, c, d, 0, 0, 0, 0, 0, 0, 0, 0);
}

/** A sockaddr_in6. */
export function sin6(addr: number[], port: number): Uint8Array {
  const b = new Uint8Array(28);
  b[0] = 10;
  b[2] = port >> 8;
  b[3] = port & 0xff;
  b.set(addr, 8);
  return b;
}

export const LOOPBACK6 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

export function portOf(s: Socket): number {
  const n = s.getName(0) as Uint8Array;
  return (n[2] << 8) | n[3];
}
