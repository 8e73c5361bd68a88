// eventfd(2): <linux/eventfd.h>.

/** eventfd2 flags: EFD_CLOEXEC = O_CLOEXEC, EFD_NONBLOCK = O_NONBLOCK. */
export const enum EventfdFlag {
  EFD_SEMAPHORE = 1,
  EFD_NONBLOCK = 0o4000,
  EFD_CLOEXEC = 0o2000000,
}

/** Every flag eventfd2 accepts (EFD_FLAGS_SET); others are EINVAL. */
export const EFD_FLAGS_SET = EventfdFlag.EFD_SEMAPHORE | EventfdFlag.EFD_NONBLOCK | EventfdFlag.EFD_CLOEXEC;

/** The counter is a u64 that never reaches ULLONG_MAX: reads and writes move 8 bytes. */
export const EVENTFD_VALUE_SIZE = 8;
