// A static helper put into the end-to-end tests' container image:
//   e2e_helper mem N     map and touch N MiB, one MiB at a time; prints
//                        "touched N MiB", or "ENOMEM after K MiB" and exits 12
//   e2e_helper segv      dies of SIGSEGV (a fault: delivered even to PID 1)
//   e2e_helper write F   creates F; prints "ok" or the errno's name and exits 1
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *errname(int e) {
  switch (e) {
    case EROFS: return "EROFS";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ENOSPC: return "ENOSPC";
    default: return strerror(e);
  }
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "mem") == 0) {
    long mib = atol(argv[2]);
    for (long i = 0; i < mib; i++) {
      char *p = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) {
        printf("ENOMEM after %ld MiB\n", i);
        return 12;
      }
      memset(p, 1, 1 << 20);
    }
    printf("touched %ld MiB\n", mib);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "segv") == 0) {
    fflush(stdout);
    *(volatile int *)8 = 1;
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "write") == 0) {
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
      printf("%s\n", errname(errno));
      return 1;
    }
    close(fd);
    printf("ok\n");
    return 0;
  }
  fprintf(stderr, "usage: e2e_helper mem MIB | segv | write FILE\n");
  return 2;
}
