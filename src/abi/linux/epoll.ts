// epoll(7): <linux/eventpoll.h> and fs/eventpoll.c.

/** epoll_event.events bits (the POLL* ones share their values with <asm-generic/poll.h>). */
export const enum Epoll {
  EPOLLIN = 0x00000001,
  EPOLLPRI = 0x00000002,
  EPOLLOUT = 0x00000004,
  EPOLLERR = 0x00000008,
  EPOLLHUP = 0x00000010,
  EPOLLNVAL = 0x00000020,
  EPOLLRDNORM = 0x00000040,
  EPOLLRDBAND = 0x00000080,
  EPOLLWRNORM = 0x00000100,
  EPOLLWRBAND = 0x00000200,
  EPOLLMSG = 0x00000400,
  EPOLLRDHUP = 0x00002000,
  /** Exclusive wake-up (only with EPOLL_CTL_ADD, on a non-epoll file). */
  EPOLLEXCLUSIVE = 0x10000000,
  /** Keep the system awake while events are pending (needs CAP_BLOCK_SUSPEND, else silently dropped). */
  EPOLLWAKEUP = 0x20000000,
  /** Disable the item after one event, until EPOLL_CTL_MOD. */
  EPOLLONESHOT = 0x40000000,
  /** Edge-triggered. */
  EPOLLET = 0x80000000,
}

/** epoll_ctl(2) operations. */
export const enum EpollCtl {
  EPOLL_CTL_ADD = 1,
  EPOLL_CTL_DEL = 2,
  EPOLL_CTL_MOD = 3,
}

/** epoll_create1(2)'s only flag (= O_CLOEXEC). */
export const EPOLL_CLOEXEC = 0o2000000;

/** Bits that are no events: they stay in an item's mask when EPOLLONESHOT disarms it. */
export const EP_PRIVATE_BITS = (Epoll.EPOLLWAKEUP | Epoll.EPOLLONESHOT | Epoll.EPOLLET | Epoll.EPOLLEXCLUSIVE) >>> 0;

/** The events EPOLLEXCLUSIVE may be combined with (EPOLLEXCLUSIVE_OK_BITS). */
export const EPOLLEXCLUSIVE_OK_BITS =
  (Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLERR | Epoll.EPOLLHUP | Epoll.EPOLLWAKEUP | Epoll.EPOLLET | Epoll.EPOLLEXCLUSIVE) >>> 0;

/** How deep epoll instances may nest (EP_MAX_NESTS): a longer chain, or a cycle, is ELOOP. */
export const EP_MAX_NESTS = 4;

/** Most events one epoll_wait may ask for (EP_MAX_EVENTS = INT_MAX / sizeof(struct epoll_event)). */
export const EP_MAX_EVENTS = Math.floor(0x7fffffff / 12);

/**
 * struct epoll_event { __u32 events; __u64 data; } __attribute__((packed))
 * on x86-64: 12 bytes, data at offset 4.
 */
export const EPOLL_EVENT_SIZE = 12;
export const EPOLL_EVENT_EVENTS = 0;
export const EPOLL_EVENT_DATA = 4;
