// MemoryFile mechanism: one memfd holding all guest memory, mapped into the
// sentry in windows (N-API refuses external ArrayBuffers over 4 GiB).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "memfile.h"

int memfile_create(long size) {
  int fd = memfd_create("tsvisor-memory", MFD_CLOEXEC);
  if (fd < 0) return -errno;
  if (ftruncate(fd, size) < 0) { int e = errno; close(fd); return -e; }
  return fd;
}

void *memfile_map(int fd, long off, long len) {
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, off);
  return p == MAP_FAILED ? NULL : p;
}

int memfile_punch(int fd, long off, long len) {
  if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) < 0) return -errno;
  return 0;
}
