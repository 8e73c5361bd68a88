// splice(2), tee(2), vmsplice(2) flags (<linux/splice.h>) and copy_file_range(2)'s.

export const enum SpliceFlag {
  SPLICE_F_MOVE = 0x01,
  SPLICE_F_NONBLOCK = 0x02,
  SPLICE_F_MORE = 0x04,
  SPLICE_F_GIFT = 0x08,
}

/** SPLICE_F_ALL: any other bit is EINVAL. */
export const SPLICE_F_ALL = 0x0f;
