// Host calls that return -errno instead of throwing (Node's fs throws, which
// is costly on a syscall path), for descriptors the sandbox was given.
#define _GNU_SOURCE
#include <errno.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "hostio.h"

long hostio_read(int fd, void *buf, size_t len) { ssize_t r = read(fd, buf, len); return r < 0 ? -errno : r; }
long hostio_write(int fd, const void *buf, size_t len) { ssize_t r = write(fd, buf, len); return r < 0 ? -errno : r; }
long hostio_pread(int fd, void *buf, size_t len, long pos) { ssize_t r = pread(fd, buf, len, pos); return r < 0 ? -errno : r; }
long hostio_pwrite(int fd, const void *buf, size_t len, long pos) { ssize_t r = pwrite(fd, buf, len, pos); return r < 0 ? -errno : r; }
long hostio_getrandom(void *buf, size_t len) { ssize_t r = getrandom(buf, len, 0); return r < 0 ? -errno : r; }
int hostio_clock_gettime(int clk, double *out) {
  struct timespec ts;
  if (clock_gettime(clk, &ts) < 0) return -errno;
  out[0] = (double)ts.tv_sec; out[1] = (double)ts.tv_nsec;
  return 0;
}
int hostio_clock_getres(int clk, double *out) {
  struct timespec ts;
  if (clock_getres(clk, &ts) < 0) return -errno;
  out[0] = (double)ts.tv_sec; out[1] = (double)ts.tv_nsec;
  return 0;
}
