#pragma once
#include <stddef.h>
long hostio_read(int fd, void *buf, size_t len);
long hostio_write(int fd, const void *buf, size_t len);
long hostio_pread(int fd, void *buf, size_t len, long pos);
long hostio_pwrite(int fd, const void *buf, size_t len, long pos);
long hostio_getrandom(void *buf, size_t len);
int hostio_clock_gettime(int clk, double *out);
int hostio_clock_getres(int clk, double *out);
