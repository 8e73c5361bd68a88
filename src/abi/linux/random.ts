// getrandom(2) flags (<linux/random.h>).

export const enum Grnd {
  /** Return EAGAIN instead of blocking when the pool is not initialized. */
  GRND_NONBLOCK = 0x0001,
  /** Historical; no effect since Linux 5.6 beyond the blocking rule. */
  GRND_RANDOM = 0x0002,
  /** Never block; may return non-cryptographic bytes before init. EINVAL with GRND_RANDOM. */
  GRND_INSECURE = 0x0004,
}

/** Any other bit is EINVAL (man 2 getrandom). */
export const GRND_VALID_FLAGS = Grnd.GRND_NONBLOCK | Grnd.GRND_RANDOM | Grnd.GRND_INSECURE;
