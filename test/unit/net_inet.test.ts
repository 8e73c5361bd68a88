// Loopback TCP and UDP in the net layer (src/net/inet.ts, tcp.ts, udp.ts),
// without a kernel: routing (only lo: ENETUNREACH elsewhere, which the
// conformance programs cannot check natively), bind conflicts and
// ephemeral ports, connection setup and teardown, waiting connects, UDP
// delivery.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { IN6ADDR_LOOPBACK, v4Mapped, V4_LOOPBACK } from '../../src/abi/linux/in.js';
import { Poll } from '../../src/abi/linux/poll.js';
import { MsgFlag, SockType } from '../../src/abi/linux/socket.js';
import { decodeInet, route } from '../../src/net/inet.js';
import { createSocket } from '../../src/net/index.js';
import type { Socket } from '../../src/net/socket.js';
import { TcpSocket } from '../../src/net/tcp.js';
import { UdpSocket } from '../../src/net/udp.js';
import { FakeCaller, FlatMemory, LOOPBACK6, OWNER, portOf, recv, send, sin, sin6 } from './net_helpers.js';

const c = new FakeCaller();

function sock(family: number, type: number): Socket {
  const s = createSocket(c, family, type, 0, 0, OWNER);
  assert.ok(typeof s !== 'number', `socket: ${String(s)}`);
  s.incRef();
  return s;
}

function tcpListener(port = 0): { l: TcpSocket; port: number } {
  const l = sock(2, SockType.SOCK_STREAM) as TcpSocket;
  assert.equal(l.bind(c, sin(127, 0, 0, 1, port)), 0);
  assert.equal(l.listen(c, 4), 0);
  return { l, port: portOf(l) };
}

test('routing: 127/8, ::1 and the wildcards are local; everything else is ENETUNREACH', () => {
  assert.deepEqual(route(v4Mapped(127, 9, 9, 9)), { dst: v4Mapped(127, 9, 9, 9), src: V4_LOOPBACK });
  assert.deepEqual(route(v4Mapped(0, 0, 0, 0)), { dst: V4_LOOPBACK, src: V4_LOOPBACK });
  assert.deepEqual(route(IN6ADDR_LOOPBACK), { dst: IN6ADDR_LOOPBACK, src: IN6ADDR_LOOPBACK });
  assert.equal(route(v4Mapped(10, 0, 0, 1)), -Errno.ENETUNREACH);
  assert.equal(route(v4Mapped(8, 8, 8, 8)), -Errno.ENETUNREACH);
  assert.equal(route(Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)), -Errno.ENETUNREACH);
  const t = sock(2, SockType.SOCK_STREAM);
  assert.equal(t.connect(c, sin(93, 184, 216, 34, 80), false), -Errno.ENETUNREACH);
  const u = sock(2, SockType.SOCK_DGRAM);
  const m = new FlatMemory();
  assert.equal(send(u, c, m, 'dns?', 0, sin(8, 8, 8, 8, 53)), -Errno.ENETUNREACH);
  assert.equal(u.connect(c, sin(8, 8, 8, 8, 53), false), -Errno.ENETUNREACH);
  const t6 = sock(10, SockType.SOCK_STREAM);
  assert.equal(t6.connect(c, sin6([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 80), false), -Errno.ENETUNREACH);
  // A v6-only socket cannot reach IPv4.
  const v6 = sock(10, SockType.SOCK_STREAM) as TcpSocket;
  v6.v6only = true;
  assert.equal(v6.connect(c, sin6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1], 80), false), -Errno.ENETUNREACH);
});

test('decodeInet reads family, address (v4-mapped for AF_INET) and port', () => {
  const d = decodeInet(sin(127, 0, 0, 2, 8080));
  assert.equal(d.family, 2);
  assert.equal(d.port, 8080);
  assert.deepEqual(d.ip, v4Mapped(127, 0, 0, 2));
  const d6 = decodeInet(sin6(LOOPBACK6, 443));
  assert.equal(d6.family, 10);
  assert.deepEqual(d6.ip, IN6ADDR_LOOPBACK);
});

test('connect, accept and data; a blocked recv wakes; FIN gives EOF', async () => {
  const m = new FlatMemory();
  const { l, port } = tcpListener();
  const cl = sock(2, SockType.SOCK_STREAM);
  assert.equal(cl.connect(c, sin(127, 0, 0, 1, port), false), 0);
  const out = { sock: null as Socket | null };
  assert.equal(l.accept(c, false, out), 0);
  const sv = out.sock!;
  sv.incRef();
  assert.deepEqual(sv.getName(2), cl.getName(0));
  const rc = new FakeCaller();
  const r = recv(sv, rc, m, 100);
  assert.ok(r.r instanceof Promise);
  assert.equal(send(cl, c, m, 'ping'), 4);
  assert.equal(await r.r, 4);
  assert.equal(r.text(4), 'ping');
  cl.decRef();
  assert.equal(recv(sv, rc, m, 100).r, 0);
  assert.equal(sv.readiness() & (Poll.POLLIN | Poll.POLLRDHUP), Poll.POLLIN | Poll.POLLRDHUP);
});

test('an accept blocked on the listener is woken by a connect; a full queue holds connects until accept', async () => {
  const { l, port } = tcpListener();
  l.listen(c, 0);
  const ac = new FakeCaller();
  const out = { sock: null as Socket | null };
  const a = l.accept(ac, false, out);
  assert.ok(a instanceof Promise);
  const c1 = sock(2, SockType.SOCK_STREAM);
  assert.equal(c1.connect(c, sin(127, 0, 0, 1, port), false), 0);
  assert.equal(await a, 0);
  assert.ok(out.sock);
  const c2 = sock(2, SockType.SOCK_STREAM);
  assert.equal(c2.connect(c, sin(127, 0, 0, 1, port), false), 0);
  const c3 = sock(2, SockType.SOCK_STREAM);
  const wc = new FakeCaller();
  const p3 = c3.connect(wc, sin(127, 0, 0, 1, port), false);
  assert.ok(p3 instanceof Promise);
  const c4 = sock(2, SockType.SOCK_STREAM);
  assert.equal(c4.connect(c, sin(127, 0, 0, 1, port), true), -Errno.EINPROGRESS);
  assert.equal(c4.readiness() & Poll.POLLOUT, 0);
  assert.equal(l.accept(c, false, out), 0);
  assert.equal(await p3, 0);
  assert.equal(l.accept(c, false, out), 0);
  assert.equal(c4.readiness() & Poll.POLLOUT, Poll.POLLOUT);
  // Closing the listener resets what it holds (c4's connection is still queued).
  const c5 = sock(2, SockType.SOCK_STREAM);
  const p5 = c5.connect(new FakeCaller(), sin(127, 0, 0, 1, port), false);
  assert.ok(p5 instanceof Promise);
  l.decRef();
  assert.equal(await p5, -Errno.ECONNREFUSED);
  assert.equal(c4.readiness() & Poll.POLLERR, Poll.POLLERR);
  assert.equal(c4.takeError(), -Errno.ECONNRESET);
});

test('refused and non-blocking connects', () => {
  const { l, port } = tcpListener();
  l.decRef();
  const s = sock(2, SockType.SOCK_STREAM);
  assert.equal(s.connect(c, sin(127, 0, 0, 1, port), false), -Errno.ECONNREFUSED);
  const n = sock(2, SockType.SOCK_STREAM);
  assert.equal(n.connect(c, sin(127, 0, 0, 1, port), true), -Errno.EINPROGRESS);
  // tcp_done: all shut down, so POLLIN and POLLRDHUP too.
  assert.equal(n.readiness() & (Poll.POLLOUT | Poll.POLLERR | Poll.POLLHUP), Poll.POLLOUT | Poll.POLLERR | Poll.POLLHUP);
  assert.equal(n.connect(c, sin(127, 0, 0, 1, port), true), -Errno.ECONNREFUSED);
});

test('bind conflicts: wildcard and specific, SO_REUSEADDR until listen, v6 dual stack and V6ONLY', () => {
  const a = sock(2, SockType.SOCK_STREAM);
  assert.equal(a.bind(c, sin(0, 0, 0, 0, 0)), 0);
  const port = portOf(a);
  assert.ok(port >= 32768 && port <= 60999);
  const b = sock(2, SockType.SOCK_STREAM);
  assert.equal(b.bind(c, sin(127, 0, 0, 5, port)), -Errno.EADDRINUSE);
  const v6 = sock(10, SockType.SOCK_STREAM);
  assert.equal(v6.bind(c, sin6(new Array(16).fill(0), port)), -Errno.EADDRINUSE);
  const v6only = sock(10, SockType.SOCK_STREAM) as TcpSocket;
  v6only.v6only = true;
  assert.equal(v6only.bind(c, sin6(new Array(16).fill(0), port)), 0);
  a.decRef();
  const r1 = sock(2, SockType.SOCK_STREAM);
  const r2 = sock(2, SockType.SOCK_STREAM);
  r1.reuseAddr = r2.reuseAddr = true;
  assert.equal(r1.bind(c, sin(127, 0, 0, 1, port)), 0);
  assert.equal(r2.bind(c, sin(127, 0, 0, 1, port)), 0);
  assert.equal(r1.listen(c, 1), 0);
  assert.equal(r2.listen(c, 1), -Errno.EADDRINUSE);
  const x = sock(2, SockType.SOCK_STREAM);
  assert.equal(x.bind(c, sin(10, 1, 2, 3, 0)), -Errno.EADDRNOTAVAIL);
  assert.equal(x.bind(c, sin(127, 0, 0, 1, 80)), 0); // root may take a privileged port
});

test('close with unread data resets the peer; a write to a closed peer is answered with RST', () => {
  const m = new FlatMemory();
  const { l, port } = tcpListener();
  const cl = sock(2, SockType.SOCK_STREAM);
  cl.connect(c, sin(127, 0, 0, 1, port), false);
  const out = { sock: null as Socket | null };
  l.accept(c, false, out);
  const sv = out.sock!;
  sv.incRef();
  send(cl, c, m, 'unread');
  send(sv, c, m, 'data');
  sv.decRef();
  assert.equal(recv(cl, c, m, 16).r, 4);
  assert.equal(recv(cl, c, m, 16).r, -Errno.ECONNRESET);
  assert.equal(recv(cl, c, m, 16).r, 0);

  const cl2 = sock(2, SockType.SOCK_STREAM);
  cl2.connect(c, sin(127, 0, 0, 1, port), false);
  l.accept(c, false, out);
  out.sock!.incRef();
  out.sock!.decRef();
  assert.equal(send(cl2, c, m, 'a'), 1);
  const before = c.sigpipes;
  assert.equal(send(cl2, c, m, 'b'), -Errno.EPIPE);
  assert.equal(c.sigpipes, before + 1);
  assert.equal(send(cl2, c, m, 'b', MsgFlag.MSG_NOSIGNAL), -Errno.EPIPE);
  assert.equal(c.sigpipes, before + 1);
});

test('UDP: delivery to the best bound socket, connected sockets hear only their peer, ECONNREFUSED for a connected sender', () => {
  const m = new FlatMemory();
  const any = sock(2, SockType.SOCK_DGRAM) as UdpSocket;
  assert.equal(any.bind(c, sin(0, 0, 0, 0, 0)), 0);
  const port = portOf(any);
  const tx = sock(2, SockType.SOCK_DGRAM);
  assert.equal(send(tx, c, m, 'hi', 0, sin(127, 0, 0, 1, port)), 2);
  const r = recv(any, c, m, 16);
  assert.equal(r.r, 2);
  assert.deepEqual(r.msg.name, sin(127, 0, 0, 1, portOf(tx)));
  // A v6 socket receives v4 traffic as v4-mapped.
  const six = sock(10, SockType.SOCK_DGRAM);
  assert.equal(six.bind(c, sin6(new Array(16).fill(0), 0)), 0);
  assert.equal(send(tx, c, m, 'v4', 0, sin(127, 0, 0, 1, portOf(six))), 2);
  const r6 = recv(six, c, m, 16);
  assert.equal((r6.msg.name as Uint8Array).length, 28);
  // Connected UDP to nobody.
  const lone = sock(2, SockType.SOCK_DGRAM);
  assert.equal(lone.bind(c, sin(127, 0, 0, 1, 0)), 0);
  const dead = portOf(lone);
  lone.decRef();
  const u = sock(2, SockType.SOCK_DGRAM);
  assert.equal(u.connect(c, sin(127, 0, 0, 1, dead), false), 0);
  assert.equal(send(u, c, m, 'x'), 1);
  assert.equal(send(u, c, m, 'x'), -Errno.ECONNREFUSED);
  assert.equal(send(u, c, m, 'x'), 1);
  assert.equal(recv(u, c, m, 4, MsgFlag.MSG_DONTWAIT).r, -Errno.ECONNREFUSED);
  assert.equal(recv(u, c, m, 4, MsgFlag.MSG_DONTWAIT).r, -Errno.EAGAIN);
  assert.equal(send(tx, c, m, 'x'), -Errno.EDESTADDRREQ);
});

test('sockets of unsupported kinds', () => {
  assert.equal(createSocket(c, 2, SockType.SOCK_SEQPACKET, 0, 0, OWNER), -Errno.ESOCKTNOSUPPORT);
  assert.equal(createSocket(c, 2, SockType.SOCK_STREAM, 17, 0, OWNER), -Errno.EPROTONOSUPPORT);
  assert.equal(createSocket(c, 2, SockType.SOCK_DGRAM, 1, 0, OWNER), -Errno.EACCES);
  assert.equal(createSocket(c, 17, SockType.SOCK_DGRAM, 0, 0, OWNER), -Errno.EAFNOSUPPORT);
  assert.equal(createSocket(c, 99, SockType.SOCK_DGRAM, 0, 0, OWNER), -Errno.EAFNOSUPPORT);
  assert.equal(createSocket(c, 2, 11, 0, 0, OWNER), -Errno.EINVAL);
});
