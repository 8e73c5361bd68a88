// Host pseudo-terminals and SCM_RIGHTS, which Node lacks: a console for the
// OCI runtime is a host pty whose master goes to the --console-socket
// receiver (containerd's shim, runc's recvtty) and whose slave the sandbox
// bridges to the guest's own pty. Mechanisms only; the policy is in
// src/oci/terminal.ts.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include "hostpty.h"

// out[0] = master, out[1] = slave, both O_NOCTTY and close-on-exec.
int hostpty_open(int out[2]) {
  int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0) return -errno;
  char name[128];
  if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof name) != 0) {
    int e = errno ? errno : EIO;
    close(m);
    return -e;
  }
  int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0) {
    int e = errno;
    close(m);
    return -e;
  }
  out[0] = m;
  out[1] = s;
  return 0;
}

// rows << 16 | cols, or -errno.
int hostpty_get_winsize(int fd) {
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) < 0) return -errno;
  return ((int)ws.ws_row << 16) | ws.ws_col;
}

int hostpty_set_winsize(int fd, int rows, int cols) {
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  return ioctl(fd, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}

// cfmakeraw: bytes pass unchanged (the sandbox's own line discipline edits and echoes).
int hostpty_make_raw(int fd) {
  struct termios t;
  if (tcgetattr(fd, &t) < 0) return -errno;
  cfmakeraw(&t);
  return tcsetattr(fd, TCSANOW, &t) < 0 ? -errno : 0;
}

// Connects to the unix stream socket at path and sends one message: payload,
// with fd in SCM_RIGHTS (what runc sends to a --console-socket).
int hostpty_send_fd(const char *path, int fd, const void *payload, size_t len) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return -ENAMETOOLONG;
  strcpy(addr.sun_path, path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -errno;
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int e = errno;
    close(s);
    return -e;
  }
  char one = 0;
  struct iovec iov = {.iov_base = len > 0 ? (void *)payload : &one, .iov_len = len > 0 ? len : 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } c;
  memset(&c, 0, sizeof c);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof c.buf};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof(int));
  ssize_t r;
  do r = sendmsg(s, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  int e = r < 0 ? errno : 0;
  close(s);
  return -e;
}
