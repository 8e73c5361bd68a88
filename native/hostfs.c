// Host calls for the host file system (src/fs/host/). The sentry reaches a
// mounted host directory only through descriptors: the mount's root, opened
// before confinement, and descriptors opened beneath it. Every call here is
// descriptor-relative and never follows a symbolic link:
//  - openat2 relative to a descriptor must be scoped (RESOLVE_BENEATH and
//    RESOLVE_NO_MAGICLINKS), so no "..", absolute path or link leaves it;
//  - the other *at calls take a single component (no '/', not ".."), or ""
//    with AT_EMPTY_PATH, and get AT_SYMLINK_NOFOLLOW where they have it.
// Results are numbers (a value or -errno); structs go into caller arrays.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "hostfs.h"

// Newer than the C library's headers on some hosts.
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#endif
#ifndef SYS_getxattrat
#define SYS_getxattrat 464
#endif
#ifndef SYS_listxattrat
#define SYS_listxattrat 465
#endif
#ifndef SYS_removexattrat
#define SYS_removexattrat 466
#endif

// <linux/xattr.h> struct xattr_args (Linux 6.13).
struct hostfs_xattr_args {
  uint64_t value;
  uint32_t size;
  uint32_t flags;
};

#define RET(expr) do { long r_ = (long)(expr); return r_ < 0 ? -errno : r_; } while (0)

int hostfs_check_component(const char *name, int allow_empty) {
  if (name[0] == 0) return allow_empty ? 0 : -EINVAL;
  if (strchr(name, '/')) return -EINVAL;
  if (name[0] == '.' && name[1] == '.' && name[2] == 0) return -EINVAL;
  return 0;
}

#define CHECK_NAME(name, empty) do { int c_ = hostfs_check_component((name), (empty)); if (c_) return c_; } while (0)

int hostfs_openat2(int dirfd, const char *path, long flags, long mode, long resolve) {
  const long scoped = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  if (dirfd != AT_FDCWD && (resolve & scoped) != scoped && (resolve & RESOLVE_IN_ROOT) == 0) return -EINVAL;
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | __O_TMPFILE)) ? (uint64_t)(mode & 07777) : 0;
  how.resolve = (uint64_t)resolve;
  long r;
  do r = syscall(SYS_openat2, dirfd, path, &how, sizeof how); while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : (int)r;
}

int hostfs_statx(int dirfd, const char *path, int flags, double *out) {
  CHECK_NAME(path, flags & AT_EMPTY_PATH);
  struct statx sx;
  unsigned mask = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID;
  if (statx(dirfd, path, flags | AT_SYMLINK_NOFOLLOW, mask, &sx) < 0) return -errno;
  out[HOSTFS_ST_MASK] = sx.stx_mask;
  out[HOSTFS_ST_MODE] = sx.stx_mode;
  out[HOSTFS_ST_NLINK] = sx.stx_nlink;
  out[HOSTFS_ST_UID] = sx.stx_uid;
  out[HOSTFS_ST_GID] = sx.stx_gid;
  out[HOSTFS_ST_INO_HI] = (double)(sx.stx_ino >> 32);
  out[HOSTFS_ST_INO_LO] = (double)(sx.stx_ino & 0xffffffffu);
  out[HOSTFS_ST_DEV_MAJOR] = sx.stx_dev_major;
  out[HOSTFS_ST_DEV_MINOR] = sx.stx_dev_minor;
  out[HOSTFS_ST_RDEV_MAJOR] = sx.stx_rdev_major;
  out[HOSTFS_ST_RDEV_MINOR] = sx.stx_rdev_minor;
  out[HOSTFS_ST_SIZE] = (double)sx.stx_size;
  out[HOSTFS_ST_BLOCKS] = (double)sx.stx_blocks;
  out[HOSTFS_ST_BLKSIZE] = sx.stx_blksize;
  out[HOSTFS_ST_ATIME_SEC] = (double)sx.stx_atime.tv_sec;
  out[HOSTFS_ST_ATIME_NSEC] = sx.stx_atime.tv_nsec;
  out[HOSTFS_ST_MTIME_SEC] = (double)sx.stx_mtime.tv_sec;
  out[HOSTFS_ST_MTIME_NSEC] = sx.stx_mtime.tv_nsec;
  out[HOSTFS_ST_CTIME_SEC] = (double)sx.stx_ctime.tv_sec;
  out[HOSTFS_ST_CTIME_NSEC] = sx.stx_ctime.tv_nsec;
  out[HOSTFS_ST_BTIME_SEC] = (sx.stx_mask & STATX_BTIME) ? (double)sx.stx_btime.tv_sec : 0;
  out[HOSTFS_ST_BTIME_NSEC] = (sx.stx_mask & STATX_BTIME) ? sx.stx_btime.tv_nsec : 0;
  out[HOSTFS_ST_MNT_ID] = (sx.stx_mask & STATX_MNT_ID) ? (double)sx.stx_mnt_id : 0;
  return 0;
}

int hostfs_fstatfs(int fd, double *out) {
  struct statfs s;
  if (fstatfs(fd, &s) < 0) return -errno;
  out[HOSTFS_SF_TYPE] = (double)(unsigned long)s.f_type;
  out[HOSTFS_SF_BSIZE] = (double)s.f_bsize;
  out[HOSTFS_SF_BLOCKS] = (double)s.f_blocks;
  out[HOSTFS_SF_BFREE] = (double)s.f_bfree;
  out[HOSTFS_SF_BAVAIL] = (double)s.f_bavail;
  out[HOSTFS_SF_FILES] = (double)s.f_files;
  out[HOSTFS_SF_FFREE] = (double)s.f_ffree;
  out[HOSTFS_SF_NAMELEN] = (double)s.f_namelen;
  out[HOSTFS_SF_FRSIZE] = (double)s.f_frsize;
  out[HOSTFS_SF_FLAGS] = (double)s.f_flags;
  return 0;
}

long hostfs_getdents64(int fd, void *buf, size_t len) { RET(syscall(SYS_getdents64, fd, buf, len)); }

long hostfs_readlinkat(int dirfd, const char *path, char *buf, size_t len) {
  CHECK_NAME(path, 1);
  RET(readlinkat(dirfd, path, buf, len));
}

int hostfs_mkdirat(int dirfd, const char *name, long mode) {
  CHECK_NAME(name, 0);
  RET(mkdirat(dirfd, name, (mode_t)(mode & 07777)));
}

int hostfs_mknodat(int dirfd, const char *name, long mode, uint64_t dev) {
  CHECK_NAME(name, 0);
  if ((mode & S_IFMT) == S_IFDIR || (mode & S_IFMT) == S_IFLNK) return -EINVAL;
  RET(mknodat(dirfd, name, (mode_t)mode, (dev_t)dev));
}

int hostfs_symlinkat(const char *target, int dirfd, const char *name) {
  CHECK_NAME(name, 0);
  RET(symlinkat(target, dirfd, name));
}

int hostfs_linkat(int olddirfd, const char *oldname, int newdirfd, const char *newname, int flags) {
  flags &= AT_EMPTY_PATH;
  CHECK_NAME(oldname, flags & AT_EMPTY_PATH);
  CHECK_NAME(newname, 0);
  RET(linkat(olddirfd, oldname, newdirfd, newname, flags));
}

int hostfs_unlinkat(int dirfd, const char *name, int flags) {
  CHECK_NAME(name, 0);
  RET(unlinkat(dirfd, name, flags & AT_REMOVEDIR));
}

int hostfs_renameat2(int olddirfd, const char *oldname, int newdirfd, const char *newname, unsigned flags) {
  CHECK_NAME(oldname, 0);
  CHECK_NAME(newname, 0);
  RET(syscall(SYS_renameat2, olddirfd, oldname, newdirfd, newname, flags));
}

int hostfs_fchmodat2(int dirfd, const char *path, long mode, int flags) {
  CHECK_NAME(path, flags & AT_EMPTY_PATH);
  RET(syscall(SYS_fchmodat2, dirfd, path, (mode_t)(mode & 07777), (flags & AT_EMPTY_PATH) | AT_SYMLINK_NOFOLLOW));
}

int hostfs_fchmod(int fd, long mode) { RET(fchmod(fd, (mode_t)(mode & 07777))); }

int hostfs_fchownat(int dirfd, const char *path, long uid, long gid, int flags) {
  CHECK_NAME(path, flags & AT_EMPTY_PATH);
  RET(fchownat(dirfd, path, (uid_t)uid, (gid_t)gid, (flags & AT_EMPTY_PATH) | AT_SYMLINK_NOFOLLOW));
}

// times: atime sec, nsec, mtime sec, nsec (nsec may be UTIME_NOW or UTIME_OMIT).
int hostfs_utimensat(int dirfd, const char *path, const double *times, int flags) {
  CHECK_NAME(path, flags & AT_EMPTY_PATH);
  struct timespec ts[2] = {
      {(time_t)times[0], (long)times[1]},
      {(time_t)times[2], (long)times[3]},
  };
  RET(utimensat(dirfd, path, ts, (flags & AT_EMPTY_PATH) | AT_SYMLINK_NOFOLLOW));
}

int hostfs_ftruncate(int fd, long len) { RET(ftruncate(fd, len)); }

int hostfs_fallocate(int fd, int mode, long off, long len) { RET(fallocate(fd, mode, off, len)); }

int hostfs_fsync(int fd, int datasync) { RET(datasync ? fdatasync(fd) : fsync(fd)); }

long hostfs_lseek(int fd, long off, int whence) { RET(lseek(fd, off, whence)); }

long hostfs_fgetxattr(int fd, const char *name, void *buf, size_t len) { RET(fgetxattr(fd, name, buf, len)); }

int hostfs_fsetxattr(int fd, const char *name, const void *buf, size_t len, int flags) {
  RET(fsetxattr(fd, name, buf, len, flags & (XATTR_CREATE | XATTR_REPLACE)));
}

long hostfs_flistxattr(int fd, char *buf, size_t len) { RET(flistxattr(fd, buf, len)); }

int hostfs_fremovexattr(int fd, const char *name) { RET(fremovexattr(fd, name)); }

long hostfs_getxattrat(int dirfd, const char *path, int atflags, const char *name, void *buf, size_t len) {
  CHECK_NAME(path, atflags & AT_EMPTY_PATH);
  struct hostfs_xattr_args a = {(uint64_t)(uintptr_t)buf, (uint32_t)len, 0};
  RET(syscall(SYS_getxattrat, dirfd, path, (atflags & AT_EMPTY_PATH) | AT_SYMLINK_NOFOLLOW, name, &a, sizeof a));
}

int hostfs_setxattrat(int dirfd, const char *path, int atflags, const char *name, const void *buf, size_t len, int flags) {
  CHECK_NAME(path, atflags & AT_EMPTY_PATH);
  struct hostfs_xattr_args a = {(uint64_t)(uintptr_t)buf, (uint32_t)len, (uint32_t)(flags & (XATTR_CREATE | XATTR_REPLACE))};
  RET(syscall(SYS_setxattrat, dirfd, path, (atflags & AT_EMPTY_PATH) | AT_SYMLINK_NOFOLLOW, name, &a, sizeof a));
}

long hostfs_listxattrat(int dirfd, const char *path, int atflags, char *buf, size_t len) {
  CHECK_NAME(path, atflags & AT_EMPTY_PATH);
  RET(syscall(SYS_listxattrat, dirfd, path, (atflags & AT_EMPTY_PATH) | AT_SYMLINK_NOFOLLOW, buf, len));
}

int hostfs_removexattrat(int dirfd, const char *path, int atflags, const char *name) {
  CHECK_NAME(path, atflags & AT_EMPTY_PATH);
  RET(syscall(SYS_removexattrat, dirfd, path, (atflags & AT_EMPTY_PATH) | AT_SYMLINK_NOFOLLOW, name));
}

int hostfs_dup(int fd) { RET(fcntl(fd, F_DUPFD_CLOEXEC, 0)); }

int hostfs_close(int fd) {
  // Linux releases the descriptor even when close reports EINTR: never retry.
  return close(fd) < 0 && errno != EINTR ? -errno : 0;
}
