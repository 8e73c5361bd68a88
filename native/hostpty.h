#pragma once
#include <stddef.h>
// Host terminals and descriptor passing for the OCI runtime's consoles
// (src/oci/terminal.ts). Each returns 0 or a result, or a negative errno.
int hostpty_open(int out[2]);
int hostpty_get_winsize(int fd);
int hostpty_set_winsize(int fd, int rows, int cols);
int hostpty_make_raw(int fd);
int hostpty_send_fd(const char *path, int fd, const void *payload, size_t len);
