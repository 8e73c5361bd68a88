// The poll, epoll and eventfd numbers and layouts (src/abi/linux/poll.ts,
// epoll.ts, eventfd.ts) against this machine's C headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EP_MAX_EVENTS, EPOLL_CLOEXEC, EPOLL_EVENT_DATA, EPOLL_EVENT_EVENTS, EPOLL_EVENT_SIZE, Epoll, EpollCtl } from '../../src/abi/linux/epoll.js';
import { EFD_FLAGS_SET, EventfdFlag } from '../../src/abi/linux/eventfd.js';
import { DEFAULT_POLLMASK, NFDBITS, POLLFD_EVENTS, POLLFD_FD, POLLFD_REVENTS, POLLFD_SIZE, Poll, fdsBytes } from '../../src/abi/linux/poll.js';
import { haveGcc, runC } from '../helpers/cprobe.js';

const values: Record<string, number> = {
  POLLIN: Poll.POLLIN,
  POLLPRI: Poll.POLLPRI,
  POLLOUT: Poll.POLLOUT,
  POLLERR: Poll.POLLERR,
  POLLHUP: Poll.POLLHUP,
  POLLNVAL: Poll.POLLNVAL,
  POLLRDNORM: Poll.POLLRDNORM,
  POLLRDBAND: Poll.POLLRDBAND,
  POLLWRNORM: Poll.POLLWRNORM,
  POLLWRBAND: Poll.POLLWRBAND,
  POLLMSG: Poll.POLLMSG,
  POLLREMOVE: Poll.POLLREMOVE,
  POLLRDHUP: Poll.POLLRDHUP,
  EPOLLIN: Epoll.EPOLLIN,
  EPOLLPRI: Epoll.EPOLLPRI,
  EPOLLOUT: Epoll.EPOLLOUT,
  EPOLLERR: Epoll.EPOLLERR,
  EPOLLHUP: Epoll.EPOLLHUP,
  EPOLLRDNORM: Epoll.EPOLLRDNORM,
  EPOLLRDBAND: Epoll.EPOLLRDBAND,
  EPOLLWRNORM: Epoll.EPOLLWRNORM,
  EPOLLWRBAND: Epoll.EPOLLWRBAND,
  EPOLLMSG: Epoll.EPOLLMSG,
  EPOLLRDHUP: Epoll.EPOLLRDHUP,
  EPOLLEXCLUSIVE: Epoll.EPOLLEXCLUSIVE,
  EPOLLWAKEUP: Epoll.EPOLLWAKEUP,
  EPOLLONESHOT: Epoll.EPOLLONESHOT,
  EPOLLET: Epoll.EPOLLET >>> 0,
  EPOLL_CTL_ADD: EpollCtl.EPOLL_CTL_ADD,
  EPOLL_CTL_DEL: EpollCtl.EPOLL_CTL_DEL,
  EPOLL_CTL_MOD: EpollCtl.EPOLL_CTL_MOD,
  EPOLL_CLOEXEC,
  EFD_SEMAPHORE: EventfdFlag.EFD_SEMAPHORE,
  EFD_NONBLOCK: EventfdFlag.EFD_NONBLOCK,
  EFD_CLOEXEC: EventfdFlag.EFD_CLOEXEC,
  'sizeof(struct epoll_event)': EPOLL_EVENT_SIZE,
  'offsetof(struct epoll_event, events)': EPOLL_EVENT_EVENTS,
  'offsetof(struct epoll_event, data)': EPOLL_EVENT_DATA,
  'sizeof(struct pollfd)': POLLFD_SIZE,
  'offsetof(struct pollfd, fd)': POLLFD_FD,
  'offsetof(struct pollfd, events)': POLLFD_EVENTS,
  'offsetof(struct pollfd, revents)': POLLFD_REVENTS,
  'sizeof(fd_mask) * 8': NFDBITS,
};

test('poll, epoll and eventfd constants match the C headers', { skip: !haveGcc() && 'gcc is not installed' }, () => {
  const names = Object.keys(values);
  const src = [
    '#define _GNU_SOURCE',
    '#include <stdio.h>',
    '#include <stddef.h>',
    '#include <poll.h>',
    '#include <sys/epoll.h>',
    '#include <sys/eventfd.h>',
    '#include <sys/select.h>',
    'int main(void) {',
    ...names.map((n) => `  printf("%llu\\n", (unsigned long long)(unsigned int)(${n}));`),
    '  return 0;',
    '}',
  ].join('\n');
  const out = runC(src, 'tsvisor-poll-abi-').trim().split('\n').map(Number);
  names.forEach((n, i) => assert.equal(values[n], out[i], n));
});

test('derived values', () => {
  assert.equal(DEFAULT_POLLMASK, 0x145);
  assert.equal(EFD_FLAGS_SET, 0o2004001);
  assert.equal(EP_MAX_EVENTS, Math.floor(0x7fffffff / 12));
  assert.equal(fdsBytes(0), 0);
  assert.equal(fdsBytes(1), 8);
  assert.equal(fdsBytes(64), 8);
  assert.equal(fdsBytes(65), 16);
});
