#pragma once
// Host calls for the host file system (src/fs/host/): every call is relative
// to a descriptor the sentry holds, and returns a result or -errno.
#include <stddef.h>
#include <stdint.h>

/** Slots of the statx result (a Float64Array of HOSTFS_STAT_SLOTS). */
enum {
  HOSTFS_ST_MASK,
  HOSTFS_ST_MODE,
  HOSTFS_ST_NLINK,
  HOSTFS_ST_UID,
  HOSTFS_ST_GID,
  HOSTFS_ST_INO_HI,
  HOSTFS_ST_INO_LO,
  HOSTFS_ST_DEV_MAJOR,
  HOSTFS_ST_DEV_MINOR,
  HOSTFS_ST_RDEV_MAJOR,
  HOSTFS_ST_RDEV_MINOR,
  HOSTFS_ST_SIZE,
  HOSTFS_ST_BLOCKS,
  HOSTFS_ST_BLKSIZE,
  HOSTFS_ST_ATIME_SEC,
  HOSTFS_ST_ATIME_NSEC,
  HOSTFS_ST_MTIME_SEC,
  HOSTFS_ST_MTIME_NSEC,
  HOSTFS_ST_CTIME_SEC,
  HOSTFS_ST_CTIME_NSEC,
  HOSTFS_ST_BTIME_SEC,
  HOSTFS_ST_BTIME_NSEC,
  HOSTFS_ST_MNT_ID,
  HOSTFS_STAT_SLOTS,
};

/** Slots of the fstatfs result (a Float64Array of HOSTFS_STATFS_SLOTS). */
enum {
  HOSTFS_SF_TYPE,
  HOSTFS_SF_BSIZE,
  HOSTFS_SF_BLOCKS,
  HOSTFS_SF_BFREE,
  HOSTFS_SF_BAVAIL,
  HOSTFS_SF_FILES,
  HOSTFS_SF_FFREE,
  HOSTFS_SF_NAMELEN,
  HOSTFS_SF_FRSIZE,
  HOSTFS_SF_FLAGS,
  HOSTFS_STATFS_SLOTS,
};

int hostfs_openat2(int dirfd, const char *path, long flags, long mode, long resolve);
int hostfs_statx(int dirfd, const char *path, int flags, double *out);
int hostfs_fstatfs(int fd, double *out);
long hostfs_getdents64(int fd, void *buf, size_t len);
long hostfs_readlinkat(int dirfd, const char *path, char *buf, size_t len);
int hostfs_mkdirat(int dirfd, const char *name, long mode);
int hostfs_mknodat(int dirfd, const char *name, long mode, uint64_t dev);
int hostfs_symlinkat(const char *target, int dirfd, const char *name);
int hostfs_linkat(int olddirfd, const char *oldname, int newdirfd, const char *newname, int flags);
int hostfs_unlinkat(int dirfd, const char *name, int flags);
int hostfs_renameat2(int olddirfd, const char *oldname, int newdirfd, const char *newname, unsigned flags);
int hostfs_fchmodat2(int dirfd, const char *path, long mode, int flags);
int hostfs_fchmod(int fd, long mode);
int hostfs_fchownat(int dirfd, const char *path, long uid, long gid, int flags);
int hostfs_utimensat(int dirfd, const char *path, const double *times, int flags);
int hostfs_ftruncate(int fd, long len);
int hostfs_fallocate(int fd, int mode, long off, long len);
int hostfs_fsync(int fd, int datasync);
long hostfs_lseek(int fd, long off, int whence);
long hostfs_fgetxattr(int fd, const char *name, void *buf, size_t len);
int hostfs_fsetxattr(int fd, const char *name, const void *buf, size_t len, int flags);
long hostfs_flistxattr(int fd, char *buf, size_t len);
int hostfs_fremovexattr(int fd, const char *name);
long hostfs_getxattrat(int dirfd, const char *path, int atflags, const char *name, void *buf, size_t len);
int hostfs_setxattrat(int dirfd, const char *path, int atflags, const char *name, const void *buf, size_t len, int flags);
long hostfs_listxattrat(int dirfd, const char *path, int atflags, char *buf, size_t len);
int hostfs_removexattrat(int dirfd, const char *path, int atflags, const char *name);
int hostfs_dup(int fd);
int hostfs_close(int fd);

/**
 * A single path component for the *at calls that resolve their path the
 * ordinary way (everything but openat2): no '/', not "..", not empty unless
 * allow_empty (AT_EMPTY_PATH). 0 or -EINVAL.
 */
int hostfs_check_component(const char *name, int allow_empty);
