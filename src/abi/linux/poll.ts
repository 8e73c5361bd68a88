// poll(2), select(2) and their kin: <asm-generic/poll.h> (x86-64 values; the
// EPOLL* bits of <linux/eventpoll.h> are the same numbers), the kernel's
// select sets (fs/select.c) and struct pollfd.

/** poll(2) event bits. */
export const enum Poll {
  POLLIN = 0x0001,
  POLLPRI = 0x0002,
  POLLOUT = 0x0004,
  POLLERR = 0x0008,
  POLLHUP = 0x0010,
  POLLNVAL = 0x0020,
  POLLRDNORM = 0x0040,
  POLLRDBAND = 0x0080,
  POLLWRNORM = 0x0100,
  POLLWRBAND = 0x0200,
  POLLMSG = 0x0400,
  POLLREMOVE = 0x1000,
  POLLRDHUP = 0x2000,
}

/** vfs_poll of a file without a poll method (regular files, directories): always readable and writable. */
export const DEFAULT_POLLMASK = Poll.POLLIN | Poll.POLLOUT | Poll.POLLRDNORM | Poll.POLLWRNORM;

/**
 * The events select(2) reports as readable, writable and exceptional
 * (fs/select.c). POLLNVAL is in all three (since Linux 5.x): a descriptor
 * that is not there for the file layer (O_PATH, or closed during the wait)
 * is reported ready in every set it is in, so the caller finds out.
 */
export const POLLIN_SET = Poll.POLLRDNORM | Poll.POLLRDBAND | Poll.POLLIN | Poll.POLLHUP | Poll.POLLERR | Poll.POLLNVAL;
export const POLLOUT_SET = Poll.POLLWRBAND | Poll.POLLWRNORM | Poll.POLLOUT | Poll.POLLERR | Poll.POLLNVAL;
export const POLLEX_SET = Poll.POLLPRI | Poll.POLLNVAL;

/** struct pollfd { int fd; short events; short revents; }: 8 bytes. */
export const POLLFD_SIZE = 8;
export const POLLFD_FD = 0;
export const POLLFD_EVENTS = 4;
export const POLLFD_REVENTS = 6;

/** An fd_set word: select's bitmaps are read and written in longs (FDS_BYTES). */
export const NFDBITS = 64;

/** Bytes of an fd_set covering n descriptors: whole longs (FDS_BYTES). */
export function fdsBytes(n: number): number {
  return Math.ceil(n / NFDBITS) * 8;
}

/** pselect6's sixth argument: struct { const sigset_t *ss; size_t ss_len; } (16 bytes). */
export const SIGSET_ARGPACK_SIZE = 16;

/** The smallest fd table (NR_OPEN_DEFAULT = BITS_PER_LONG): select's nfds is clamped to the table's size. */
export const NR_OPEN_DEFAULT = 64;
