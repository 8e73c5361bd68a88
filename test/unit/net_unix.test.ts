// Unix domain sockets in the net layer (src/net/unix.ts), without a
// kernel: pairs, blocking calls parked and woken (by data, a signal, a
// timeout), a datagram sender waiting on the receiver's queue, abstract
// names and autobind, SCM_RIGHTS references, credentials, readiness.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { Poll } from '../../src/abi/linux/poll.js';
import { HZ, MsgFlag, SockType } from '../../src/abi/linux/socket.js';
import { IoCursor } from '../../src/fs/pipe/iov.js';
import { createSocketPair } from '../../src/net/index.js';
import { newSendMsg } from '../../src/net/message.js';
import type { Socket } from '../../src/net/socket.js';
import { createUnixSocket, MAX_DGRAM_QLEN, UnixSocket } from '../../src/net/unix.js';
import type { FileDescription } from '../../src/vfs/file.js';
import { abstractAddr, FakeCaller, FlatMemory, OWNER, recv, send } from './net_helpers.js';

function pair(type: number, c: FakeCaller): [Socket, Socket] {
  const p = createSocketPair(c, 1, type, 0, 0, OWNER);
  assert.ok(Array.isArray(p));
  p[0].incRef();
  p[1].incRef();
  return p;
}

function unix(type: number, flags = 0): UnixSocket {
  const s = createUnixSocket(type, 0, flags, OWNER);
  assert.ok(s instanceof UnixSocket);
  s.incRef();
  return s;
}

test('stream pair: bytes flow both ways, reads take what is there, EOF after close', () => {
  const c = new FakeCaller();
  const m = new FlatMemory();
  const [a, b] = pair(SockType.SOCK_STREAM, c);
  assert.equal(send(a, c, m, 'hello'), 5);
  assert.equal(send(a, c, m, 'world'), 5);
  const r = recv(b, c, m, 64);
  assert.equal(r.r, 10);
  assert.equal(r.text(10), 'helloworld');
  assert.equal(recv(b, c, m, 64, MsgFlag.MSG_DONTWAIT).r, -Errno.EAGAIN);
  a.decRef();
  assert.equal(recv(b, c, m, 64).r, 0);
  assert.equal(b.readiness() & (Poll.POLLHUP | Poll.POLLIN | Poll.POLLRDHUP), Poll.POLLHUP | Poll.POLLIN | Poll.POLLRDHUP);
  assert.equal(send(b, c, m, 'x'), -Errno.EPIPE);
  assert.equal(c.sigpipes, 1);
  assert.equal(send(b, c, m, 'x', MsgFlag.MSG_NOSIGNAL), -Errno.EPIPE);
  assert.equal(c.sigpipes, 1);
});

test('a blocked read is woken by data, by a signal (ERESTARTSYS), and times out with SO_RCVTIMEO', async () => {
  const c = new FakeCaller();
  const w = new FakeCaller();
  const m = new FlatMemory();
  const [a, b] = pair(SockType.SOCK_STREAM, c);
  const r = recv(b, c, m, 16);
  assert.ok(r.r instanceof Promise);
  assert.ok(c.waker);
  assert.equal(send(a, w, m, 'late'), 4);
  assert.equal(await r.r, 4);
  assert.equal(r.text(4), 'late');
  assert.equal(c.waker, null);

  const r2 = recv(b, c, m, 16);
  c.interrupt();
  assert.equal(await r2.r, -Errno.ERESTARTSYS);

  // A pending signal ends the call before it waits.
  c.pending = true;
  assert.equal(recv(b, c, m, 16).r, -Errno.ERESTARTSYS);
  c.pending = false;

  b.rcvtimeo = Math.ceil(HZ / 20); // 50 ms
  const t0 = Date.now();
  const r3 = recv(b, c, m, 16);
  assert.equal(await r3.r, -Errno.EAGAIN);
  assert.ok(Date.now() - t0 >= 40);
  // With a timeout, a signal is EINTR.
  const r4 = recv(b, c, m, 16);
  c.interrupt();
  assert.equal(await r4.r, -Errno.EINTR);
});

test('MSG_WAITALL gathers across writes; a signal then returns what was read', async () => {
  const c = new FakeCaller();
  const w = new FakeCaller();
  const m = new FlatMemory();
  const [a, b] = pair(SockType.SOCK_STREAM, c);
  const r = recv(b, c, m, 6, MsgFlag.MSG_WAITALL);
  send(a, w, m, 'abc');
  send(a, w, m, 'def');
  assert.equal(await r.r, 6);
  assert.equal(r.text(6), 'abcdef');
  const r2 = recv(b, c, m, 6, MsgFlag.MSG_WAITALL);
  send(a, w, m, 'xy');
  c.interrupt();
  assert.equal(await r2.r, 2);
});

test('datagram pair keeps boundaries; MSG_TRUNC and MSG_PEEK', () => {
  const c = new FakeCaller();
  const m = new FlatMemory();
  const [a, b] = pair(SockType.SOCK_DGRAM, c);
  assert.equal(send(a, c, m, 'one'), 3);
  assert.equal(send(a, c, m, 'twotwo'), 6);
  assert.equal(recv(b, c, m, 64, MsgFlag.MSG_PEEK).r, 3);
  const r = recv(b, c, m, 64);
  assert.equal(r.r, 3);
  const t = recv(b, c, m, 2);
  assert.equal(t.r, 2);
  assert.equal(t.msg.msgFlags, MsgFlag.MSG_TRUNC);
  assert.equal(recv(b, c, m, 2, MsgFlag.MSG_DONTWAIT).r, -Errno.EAGAIN);
  b.decRef();
  assert.equal(send(a, c, m, 'x'), -Errno.ECONNREFUSED);
  assert.equal(send(a, c, m, 'x'), -Errno.ENOTCONN);
});

test('a datagram sender waits for room in a stranger receiver queue (max_dgram_qlen), then goes on', async () => {
  const c = new FakeCaller();
  const m = new FlatMemory();
  const rx = unix(SockType.SOCK_DGRAM);
  const name = abstractAddr('net-unit-qlen');
  assert.equal(rx.bind(c, name), 0);
  const tx = unix(SockType.SOCK_DGRAM);
  for (let i = 0; i <= MAX_DGRAM_QLEN; i++) assert.equal(send(tx, c, m, 'm', 0, name), 1);
  assert.equal(send(tx, c, m, 'm', MsgFlag.MSG_DONTWAIT, name), -Errno.EAGAIN);
  const blocked = send(tx, c, m, 'last', 0, name);
  assert.ok(blocked instanceof Promise);
  const r = new FakeCaller();
  assert.equal(recv(rx, r, m, 8).r, 1);
  assert.equal(await blocked, 4);
  assert.equal(rx.queued, MAX_DGRAM_QLEN + 1);
});

test('abstract names: one namespace per type, EADDRINUSE, freed on close; autobind names', () => {
  const c = new FakeCaller();
  const name = abstractAddr('net-unit-abstract');
  const s1 = unix(SockType.SOCK_STREAM);
  const s2 = unix(SockType.SOCK_STREAM);
  const d = unix(SockType.SOCK_DGRAM);
  assert.equal(s1.bind(c, name), 0);
  assert.equal(s2.bind(c, name), -Errno.EADDRINUSE);
  assert.equal(d.bind(c, name), 0);
  assert.equal(s1.bind(c, abstractAddr('other')), -Errno.EINVAL);
  assert.deepEqual(s1.getName(0), name);
  s1.decRef();
  assert.equal(s2.bind(c, name), 0);
  const a = unix(SockType.SOCK_SEQPACKET);
  assert.equal(a.bind(c, Uint8Array.of(1, 0)), 0);
  const n = a.getName(0) as Uint8Array;
  assert.equal(n.length, 8);
  assert.equal(n[2], 0);
  assert.match(Buffer.from(n.subarray(3)).toString('latin1'), /^[0-9a-f]{5}$/);
  assert.equal(a.bind(c, Uint8Array.of(1, 0)), 0);
  assert.equal(a.bind(c, Uint8Array.of(2, 0, 0)), -Errno.EINVAL);
});

test('listen, connect and accept; a full backlog blocks a connect until accept makes room', async () => {
  const c = new FakeCaller();
  const name = abstractAddr('net-unit-listen');
  const l = unix(SockType.SOCK_STREAM);
  assert.equal(l.listen(c, 1), -Errno.EINVAL);
  assert.equal(l.bind(c, name), 0);
  assert.equal(l.listen(c, 0), 0);
  assert.equal(l.readiness() & Poll.POLLIN, 0);
  const c1 = unix(SockType.SOCK_STREAM);
  assert.equal(c1.connect(c, name, false), 0);
  assert.equal(l.readiness() & Poll.POLLIN, Poll.POLLIN);
  const c2 = unix(SockType.SOCK_STREAM);
  assert.equal(c2.connect(c, name, true), -Errno.EAGAIN);
  const w = new FakeCaller();
  const p = c2.connect(w, name, false);
  assert.ok(p instanceof Promise);
  const out = { sock: null as Socket | null };
  assert.equal(l.accept(c, false, out), 0);
  assert.ok(out.sock);
  assert.equal(await p, 0);
  const d = unix(SockType.SOCK_DGRAM);
  assert.equal(d.connect(c, name, false), -Errno.ECONNREFUSED); // the datagram namespace has no such name
  const sp = unix(SockType.SOCK_SEQPACKET);
  assert.equal(sp.connect(c, abstractAddr('nobody-here'), false), -Errno.ECONNREFUSED);
});

class CountedFile implements FileDescription {
  readonly name = 'counted';
  flags = 0;
  readonly positional = false;
  refs = 0;
  read(): number {
    return 0;
  }
  write(): number {
    return 0;
  }
  pread(): number {
    return 0;
  }
  pwrite(): number {
    return 0;
  }
  ioctl(): number {
    return -Errno.ENOTTY;
  }
  incRef(): void {
    this.refs++;
  }
  decRef(): void {
    this.refs--;
  }
}

test('SCM_RIGHTS: the message holds the references until received, peeked copies add one, dropped ones are released', () => {
  const c = new FakeCaller();
  const m = new FlatMemory();
  const [a, b] = pair(SockType.SOCK_STREAM, c);
  const f = new CountedFile();
  f.incRef(); // the sender's descriptor
  f.incRef(); // the reference scm_fp_copy takes
  const msg = newSendMsg(new IoCursor(m, 0x1000, 1), 1, 0, null);
  m.put(0x1000, 'F');
  msg.rights = [f];
  assert.equal(a.sendmsg(c, msg), 1);
  assert.equal(msg.rights, null);
  assert.equal(f.refs, 2);
  const peek = recv(b, c, m, 8, MsgFlag.MSG_PEEK);
  assert.equal(peek.r, 1);
  assert.deepEqual(peek.msg.rights, [f]);
  assert.equal(f.refs, 3);
  const got = recv(b, c, m, 8);
  assert.deepEqual(got.msg.rights, [f]);
  assert.equal(f.refs, 3);
  // Unreceived files go with the socket.
  const msg2 = newSendMsg(new IoCursor(m, 0x1000, 1), 1, 0, null);
  f.incRef();
  msg2.rights = [f];
  assert.equal(a.sendmsg(c, msg2), 1);
  assert.equal(f.refs, 4);
  b.decRef();
  assert.equal(f.refs, 3);
});

test('credentials: SO_PASSCRED on the receiver attaches the sender pid, uid and gid; SO_PEERCRED', () => {
  const c = new FakeCaller();
  c.pid = 42;
  c.uid = 7;
  c.gid = 8;
  c.euid = 9;
  const m = new FlatMemory();
  const [a, b] = pair(SockType.SOCK_DGRAM, c);
  assert.deepEqual(a.peerCred, { pid: 42, uid: 9, gid: 0 });
  b.passcred = true;
  send(a, c, m, 'x');
  const r = recv(b, c, m, 8);
  assert.deepEqual(r.msg.creds, { pid: 42, uid: 7, gid: 8 });
  // Sent before the receiver asked: no credentials (pid 0, overflow ids).
  b.passcred = false;
  send(a, c, m, 'y');
  b.passcred = true;
  assert.deepEqual(recv(b, c, m, 8).msg.creds, { pid: 0, uid: 65534, gid: 65534 });
});

test('stream writers block on a full send buffer and resume as the reader drains', async () => {
  const c = new FakeCaller();
  const m = new FlatMemory();
  const [a, b] = pair(SockType.SOCK_STREAM, c);
  a.sndbuf = 4608;
  let sent = 0;
  for (;;) {
    const r = send(a, c, m, 'x'.repeat(1000), MsgFlag.MSG_DONTWAIT);
    if (r === -Errno.EAGAIN) break;
    assert.equal(typeof r, 'number');
    sent += r as number;
  }
  assert.ok(sent > 0);
  assert.equal(a.readiness() & Poll.POLLOUT, 0);
  const blocked = send(a, c, m, 'y'.repeat(100));
  assert.ok(blocked instanceof Promise);
  const rd = new FakeCaller();
  let got = 0;
  while (got < sent) {
    const r = recv(b, rd, m, 65536).r as number;
    assert.ok(r > 0);
    got += r;
  }
  assert.equal(await blocked, 100);
  assert.equal(a.readiness() & Poll.POLLOUT, Poll.POLLOUT);
});

test('seqpacket: EOF as 0, even non-blocking; ENOTCONN unconnected', () => {
  const c = new FakeCaller();
  const m = new FlatMemory();
  const [a, b] = pair(SockType.SOCK_SEQPACKET, c);
  send(a, c, m, 'rec');
  a.decRef();
  assert.equal(recv(b, c, m, 8).r, 3);
  assert.equal(recv(b, c, m, 8).r, 0);
  assert.equal(recv(b, c, m, 8, MsgFlag.MSG_DONTWAIT).r, 0);
  const s = unix(SockType.SOCK_SEQPACKET);
  assert.equal(recv(s, c, m, 8).r, -Errno.ENOTCONN);
  assert.equal(send(s, c, m, 'x'), -Errno.ENOTCONN);
});
