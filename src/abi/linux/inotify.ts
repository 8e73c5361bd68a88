// inotify(7): <linux/inotify.h>, <linux/fsnotify_backend.h> and the limits
// of fs/notify/inotify/inotify_user.c.

/** Event bits (struct inotify_event mask) and inotify_add_watch(2) flags. */
export const enum InMask {
  IN_ACCESS = 0x00000001,
  IN_MODIFY = 0x00000002,
  IN_ATTRIB = 0x00000004,
  IN_CLOSE_WRITE = 0x00000008,
  IN_CLOSE_NOWRITE = 0x00000010,
  IN_OPEN = 0x00000020,
  IN_MOVED_FROM = 0x00000040,
  IN_MOVED_TO = 0x00000080,
  IN_CREATE = 0x00000100,
  IN_DELETE = 0x00000200,
  IN_DELETE_SELF = 0x00000400,
  IN_MOVE_SELF = 0x00000800,
  IN_UNMOUNT = 0x00002000,
  IN_Q_OVERFLOW = 0x00004000,
  IN_IGNORED = 0x00008000,
  IN_ONLYDIR = 0x01000000,
  IN_DONT_FOLLOW = 0x02000000,
  IN_EXCL_UNLINK = 0x04000000,
  IN_MASK_CREATE = 0x10000000,
  IN_MASK_ADD = 0x20000000,
  IN_ISDIR = 0x40000000,
  IN_ONESHOT = 0x80000000,
}

/** IN_ALL_EVENTS: the events a watch can ask for. */
export const IN_ALL_EVENTS = 0xfff;

/** ALL_INOTIFY_BITS: a mask with none of these is EINVAL (unknown bits alone are). */
export const ALL_INOTIFY_BITS = (IN_ALL_EVENTS | InMask.IN_UNMOUNT | InMask.IN_Q_OVERFLOW | InMask.IN_IGNORED |
  InMask.IN_ONLYDIR | InMask.IN_DONT_FOLLOW | InMask.IN_EXCL_UNLINK | InMask.IN_MASK_ADD | InMask.IN_MASK_CREATE |
  InMask.IN_ISDIR | InMask.IN_ONESHOT) >>> 0;

/** The bits read(2) reports (inotify_mask_to_arg). */
export const IN_REPORTED_BITS = (IN_ALL_EVENTS | InMask.IN_ISDIR | InMask.IN_UNMOUNT | InMask.IN_IGNORED | InMask.IN_Q_OVERFLOW) >>> 0;

/** inotify_init1(2) flags: IN_CLOEXEC = O_CLOEXEC, IN_NONBLOCK = O_NONBLOCK. */
export const enum InitFlag {
  IN_NONBLOCK = 0o4000,
  IN_CLOEXEC = 0o2000000,
}

/** sizeof(struct inotify_event): wd, mask, cookie, len, then the name. */
export const INOTIFY_EVENT_SIZE = 16;

/** INOTIFY_IOC_SETNEXTWD: _IOW('I', 0, __s32). */
export const INOTIFY_IOC_SETNEXTWD = 0x40044900;

/** /proc/sys/fs/inotify defaults (max_user_watches is sized from RAM on Linux; a fixed bound here). */
export const INOTIFY_MAX_QUEUED_EVENTS = 16384;
export const INOTIFY_MAX_USER_INSTANCES = 128;
export const INOTIFY_MAX_USER_WATCHES = 65536;

/** The record length of an event with a name of nameLen bytes: the name, a NUL and padding to 16 bytes. */
export function inotifyEventSize(nameLen: number): number {
  return INOTIFY_EVENT_SIZE + (nameLen === 0 ? 0 : (nameLen + 1 + 15) & ~15);
}

/** Writes one struct inotify_event (name NUL-padded to the record length) at off. */
export function encodeInotifyEvent(buf: Uint8Array, view: DataView, off: number, wd: number, mask: number, cookie: number, name: string): number {
  const size = inotifyEventSize(name.length);
  const padded = size - INOTIFY_EVENT_SIZE;
  view.setInt32(off, wd, true);
  view.setUint32(off + 4, mask >>> 0, true);
  view.setUint32(off + 8, cookie >>> 0, true);
  view.setUint32(off + 12, padded, true);
  const at = off + INOTIFY_EVENT_SIZE;
  for (let i = 0; i < name.length; i++) buf[at + i] = name.charCodeAt(i) & 0xff;
  buf.fill(0, at + name.length, at + padded);
  return size;
}
