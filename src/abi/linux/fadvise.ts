// posix_fadvise(2) advice and sync_file_range(2) flags (<linux/fadvise.h>, <linux/fs.h>).

export const enum Fadvise {
  POSIX_FADV_NORMAL = 0,
  POSIX_FADV_RANDOM = 1,
  POSIX_FADV_SEQUENTIAL = 2,
  POSIX_FADV_WILLNEED = 3,
  POSIX_FADV_DONTNEED = 4,
  POSIX_FADV_NOREUSE = 5,
}

export const enum SyncFileRange {
  SYNC_FILE_RANGE_WAIT_BEFORE = 1,
  SYNC_FILE_RANGE_WRITE = 2,
  SYNC_FILE_RANGE_WAIT_AFTER = 4,
}

/** Every sync_file_range flag (VALID_FLAGS). */
export const SYNC_FILE_RANGE_FLAGS = 7;
