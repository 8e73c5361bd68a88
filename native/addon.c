// N-API glue: argument decoding only. Mechanisms live in ptrace_platform.c,
// memfile.c and hostio.c. Every function returns a number (a result or a
// negative errno) and never allocates a JavaScript object on the hot path.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <node_api.h>
#include <uv.h>

#include "hostfs.h"
#include "hostio.h"
#include "hostpty.h"
#include "memfile.h"
#include "platform.h"

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

static napi_value num(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return -1;
  if (argc < want) {
    napi_throw_type_error(env, NULL, "tsvisor native: missing argument");
    return -1;
  }
  return 0;
}

static long arg_long(napi_env env, napi_value v) {
  int64_t x = 0;
  napi_get_value_int64(env, v, &x);
  return (long)x;
}

// A byte range of an ArrayBuffer or TypedArray, bounds-checked.
static void *arg_bytes(napi_env env, napi_value v, size_t off, size_t len) {
  void *data = NULL;
  size_t size = 0;
  bool is_ab = false, is_ta = false;
  napi_is_arraybuffer(env, v, &is_ab);
  if (is_ab) {
    napi_get_arraybuffer_info(env, v, &data, &size);
  } else {
    napi_is_typedarray(env, v, &is_ta);
    if (!is_ta) return NULL;
    napi_typedarray_type type;
    size_t length, byte_offset;
    napi_value ab;
    napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &byte_offset);
    void *abdata;
    napi_get_arraybuffer_info(env, ab, &abdata, &size);
    size -= byte_offset;
  }
  if (off > size || len > size - off) return NULL;
  return (char *)data + off;
}

// A (buffer, offset, length) argument triple: the byte range and its length,
// or NULL with *err set (-EINVAL for a negative offset or length, -EFAULT
// for a range outside the buffer).
static void *arg_range(napi_env env, napi_value buf, napi_value voff, napi_value vlen, size_t *len, long *err) {
  long off = arg_long(env, voff), l = arg_long(env, vlen);
  if (off < 0 || l < 0) {
    *err = -EINVAL;
    return NULL;
  }
  void *p = arg_bytes(env, buf, (size_t)off, (size_t)l);
  *err = -EFAULT;
  *len = (size_t)l;
  return p;
}

// --- MemoryFile -------------------------------------------------------------------
static napi_value js_memfile_create(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, memfile_create(arg_long(env, a[0])));
}

static void unmap_window(napi_env env, void *data, void *hint) {
  munmap(data, (size_t)(uintptr_t)hint);
}

static napi_value js_memfile_window(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  long len = arg_long(env, a[2]);
  void *p = memfile_map((int)arg_long(env, a[0]), arg_long(env, a[1]), len);
  if (!p) { napi_throw_error(env, NULL, "tsvisor native: cannot map the memory file"); return NULL; }
  napi_value ab;
  CHECK(napi_create_external_arraybuffer(env, p, len, unmap_window, (void *)(uintptr_t)len, &ab));
  return ab;
}

static napi_value js_memfile_punch(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  return num(env, memfile_punch((int)arg_long(env, a[0]), arg_long(env, a[1]), arg_long(env, a[2])));
}

// --- stubs and threads ---------------------------------------------------------------
static napi_value js_stub_page(napi_env env, napi_callback_info info) {
  uintptr_t a;
  int r = platform_stub_page_init(&a);
  return num(env, r ? r : (double)a);
}

static napi_value js_stub_template(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  int *out = arg_bytes(env, a[1], 0, 8);
  if (!out) { napi_throw_type_error(env, NULL, "stubTemplate: out must hold 2 int32"); return NULL; }
  int h, pid;
  int r = platform_stub_template((int)arg_long(env, a[0]), &h, &pid);
  if (r == 0) { out[0] = h; out[1] = pid; }
  return num(env, r);
}

static napi_value js_stub_create(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  int *out = arg_bytes(env, a[2], 0, 8);
  if (!out) { napi_throw_type_error(env, NULL, "stubCreate: out must hold 2 int32"); return NULL; }
  int h, pid;
  int r = platform_stub_create((int)arg_long(env, a[0]), (int)arg_long(env, a[1]), &h, &pid);
  if (r == 0) { out[0] = h; out[1] = pid; }
  return num(env, r);
}

static napi_value js_stub_syscall(napi_env env, napi_callback_info info) {
  napi_value a[8];
  if (get_args(env, info, 8, a)) return NULL;
  long v[7];
  for (int i = 0; i < 7; i++) v[i] = arg_long(env, a[i + 1]);
  return num(env, (double)platform_stub_syscall((int)arg_long(env, a[0]), v));
}

static napi_value js_stub_destroy(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, platform_stub_destroy((int)arg_long(env, a[0])));
}

static napi_value js_stub_kill(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, platform_stub_kill((int)arg_long(env, a[0])));
}

// References keeping each thread's shared buffers alive while the tracer uses them.
#define MAX_THREADS 4096
static napi_ref thread_refs[MAX_THREADS][2];

static napi_value js_thread_create(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (get_args(env, info, 4, a)) return NULL;
  uint64_t *regs = arg_bytes(env, a[1], 0, PLATFORM_REGS_WORDS * 8);
  void *fp = arg_bytes(env, a[2], 0, PLATFORM_FP_BYTES);
  int *out = arg_bytes(env, a[3], 0, 8);
  if (!regs || !fp || !out) {
    napi_throw_type_error(env, NULL, "threadCreate: bad buffers");
    return NULL;
  }
  int h, tid;
  int r = platform_thread_create((int)arg_long(env, a[0]), regs, fp, &h, &tid);
  if (r == 0) {
    if (h < MAX_THREADS) {
      napi_create_reference(env, a[1], 1, &thread_refs[h][0]);
      napi_create_reference(env, a[2], 1, &thread_refs[h][1]);
    }
    out[0] = h; out[1] = tid;
  }
  return num(env, r);
}

static napi_value js_thread_resume(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, platform_thread_resume((int)arg_long(env, a[0])));
}

static napi_value js_thread_exit(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, platform_thread_exit((int)arg_long(env, a[0])));
}

static napi_value js_thread_interrupt(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, platform_thread_interrupt((int)arg_long(env, a[0])));
}

static napi_value js_thread_fp(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  return num(env, platform_thread_fp((int)arg_long(env, a[0]), (int)arg_long(env, a[1])));
}

static napi_value js_thread_release(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  int h = (int)arg_long(env, a[0]);
  int r = platform_thread_release(h);
  if (r == 0 && h >= 0 && h < MAX_THREADS) {
    for (int i = 0; i < 2; i++) {
      if (thread_refs[h][i]) { napi_delete_reference(env, thread_refs[h][i]); thread_refs[h][i] = NULL; }
    }
  }
  return num(env, r);
}

// --- events ------------------------------------------------------------------------------
static napi_value js_take_event(napi_env env, napi_callback_info info) {
  if (platform_event_fd() < 0) return num(env, -1);
  return num(env, platform_take_event());
}

// Blocks the JavaScript thread for at most timeoutMs waiting for a guest event,
// returning early (0) when libuv has I/O ready so Node's own work is not starved.
// Waits at most ms (forever if negative) on the event fd and libuv's backend
// fd; returns 1 if a guest event is ready, 0 if not (timeout, or Node has
// I/O to handle first), or -errno.
static int wait_for_event(napi_env env, double ms) {
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  struct pollfd p[2] = {{platform_event_fd(), POLLIN, 0}, {uv_backend_fd(loop), POLLIN, 0}};
  struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6)};
  if (ppoll(p, 2, ms < 0 ? NULL : &ts, NULL) < 0) return -errno;
  return (p[0].revents & POLLIN) ? 1 : 0;
}

static napi_value js_wait_event(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  double ms = 0;
  napi_get_value_double(env, a[0], &ms);
  return num(env, wait_for_event(env, ms));
}

// How long the kernel's thread polls for the next stop before sleeping in
// ppoll. A guest that was just resumed usually stops again within
// microseconds; polling saves the tracer-to-kernel wake-up (measured: 48 ->
// 17 us per getppid). Polling on the tracer side instead only added CPU
// contention on two cores.
#define SPIN_EVENT_NS 40000

// The common syscall path in one crossing: resume a thread, then return the
// next stopped thread (waiting at most timeoutMs), or -1.
static napi_value js_resume_and_wait(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  int r = platform_thread_resume((int)arg_long(env, a[0]));
  if (r < 0) return num(env, r);
  int h = platform_spin_for_event(SPIN_EVENT_NS) ? platform_take_event() : -1;
  if (h >= 0) return num(env, h);
  double ms = 0;
  napi_get_value_double(env, a[1], &ms);
  if (wait_for_event(env, ms < 0 ? 0 : ms) == 1) h = platform_take_event();
  return num(env, h);
}

static uv_poll_t event_poll;
static int event_poll_active;
static napi_env watch_env;
static napi_ref watch_cb;
static napi_async_context watch_ctx;

static void on_event_readable(uv_poll_t *h, int status, int events) {
  napi_handle_scope scope;
  napi_open_handle_scope(watch_env, &scope);
  napi_value cb, global, res;
  napi_get_reference_value(watch_env, watch_cb, &cb);
  napi_get_global(watch_env, &global);
  napi_make_callback(watch_env, watch_ctx, global, cb, 0, NULL, &res);
  napi_close_handle_scope(watch_env, scope);
}

static napi_value js_watch_events(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  if (event_poll_active) return num(env, -EBUSY);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  watch_env = env;
  CHECK(napi_create_reference(env, a[0], 1, &watch_cb));
  napi_value name;
  napi_create_string_utf8(env, "tsvisor-events", NAPI_AUTO_LENGTH, &name);
  CHECK(napi_async_init(env, NULL, name, &watch_ctx));
  if (platform_event_fd() < 0) return num(env, -errno);
  uv_poll_init(loop, &event_poll, platform_event_fd());
  uv_poll_start(&event_poll, UV_READABLE, on_event_readable);
  event_poll_active = 1;
  return num(env, 0);
}

static void poll_closed(uv_handle_t *h) { event_poll_active = 0; }

static napi_value js_unwatch_events(napi_env env, napi_callback_info info) {
  if (!event_poll_active) return num(env, 0);
  uv_poll_stop(&event_poll);
  uv_close((uv_handle_t *)&event_poll, poll_closed);
  napi_delete_reference(env, watch_cb);
  napi_async_destroy(env, watch_ctx);
  return num(env, 0);
}

// --- host I/O ---------------------------------------------------------------------------
static napi_value js_host_rw(napi_env env, napi_callback_info info, int write, int positional) {
  napi_value a[5];
  if (get_args(env, info, positional ? 5 : 4, a)) return NULL;
  int fd = (int)arg_long(env, a[0]);
  size_t len;
  long err;
  void *p = arg_range(env, a[1], a[2], a[3], &len, &err);
  if (!p) return num(env, err);
  long r;
  if (positional) {
    long pos = arg_long(env, a[4]);
    r = write ? hostio_pwrite(fd, p, len, pos) : hostio_pread(fd, p, len, pos);
  } else {
    r = write ? hostio_write(fd, p, len) : hostio_read(fd, p, len);
  }
  return num(env, (double)r);
}
static napi_value js_host_read(napi_env e, napi_callback_info i) { return js_host_rw(e, i, 0, 0); }
static napi_value js_host_write(napi_env e, napi_callback_info i) { return js_host_rw(e, i, 1, 0); }
static napi_value js_host_pread(napi_env e, napi_callback_info i) { return js_host_rw(e, i, 0, 1); }
static napi_value js_host_pwrite(napi_env e, napi_callback_info i) { return js_host_rw(e, i, 1, 1); }

static napi_value js_host_getrandom(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  size_t len;
  long err;
  void *p = arg_range(env, a[0], a[1], a[2], &len, &err);
  if (!p) return num(env, err);
  return num(env, (double)hostio_getrandom(p, len));
}

static napi_value js_host_clock(napi_env env, napi_callback_info info, int res) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  double *out = arg_bytes(env, a[1], 0, 16);
  if (!out) return num(env, -EFAULT);
  int clk = (int)arg_long(env, a[0]);
  return num(env, res ? hostio_clock_getres(clk, out) : hostio_clock_gettime(clk, out));
}
static napi_value js_host_clock_gettime(napi_env e, napi_callback_info i) { return js_host_clock(e, i, 0); }
static napi_value js_host_clock_getres(napi_env e, napi_callback_info i) { return js_host_clock(e, i, 1); }

// --- host file system ---------------------------------------------------------------------
// Names and paths are latin1 strings (one char per byte, as the VFS keeps names).
#define HOSTFS_PATH_MAX 4096

// A string argument into buf: 0, -ENAMETOOLONG, or -EINVAL (not a string, or a NUL inside).
static int arg_name(napi_env env, napi_value v, char *buf, size_t size) {
  size_t len = 0;
  if (napi_get_value_string_latin1(env, v, buf, size, &len) != napi_ok) return -EINVAL;
  if (len == size - 1) {
    size_t full = 0;
    napi_get_value_string_latin1(env, v, NULL, 0, &full);
    if (full > len) return -ENAMETOOLONG;
  }
  if (strlen(buf) != len) return -EINVAL;
  return 0;
}

#define NAME_ARG(var, v) char var[HOSTFS_PATH_MAX]; do { int e_ = arg_name(env, (v), var, sizeof var); if (e_) return num(env, e_); } while (0)
#define FD_ARG(v) ((int)arg_long(env, (v)))

static napi_value js_hostfs_openat2(napi_env env, napi_callback_info info) {
  napi_value a[5];
  if (get_args(env, info, 5, a)) return NULL;
  NAME_ARG(path, a[1]);
  return num(env, hostfs_openat2(FD_ARG(a[0]), path, arg_long(env, a[2]), arg_long(env, a[3]), arg_long(env, a[4])));
}

static napi_value js_hostfs_statx(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (get_args(env, info, 4, a)) return NULL;
  NAME_ARG(path, a[1]);
  double *out = arg_bytes(env, a[3], 0, HOSTFS_STAT_SLOTS * sizeof(double));
  if (!out) return num(env, -EFAULT);
  return num(env, hostfs_statx(FD_ARG(a[0]), path, (int)arg_long(env, a[2]), out));
}

static napi_value js_hostfs_fstatfs(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  double *out = arg_bytes(env, a[1], 0, HOSTFS_STATFS_SLOTS * sizeof(double));
  if (!out) return num(env, -EFAULT);
  return num(env, hostfs_fstatfs(FD_ARG(a[0]), out));
}

// (fd, buf, off, len) -> bytes filled of buf[off..off+len).
static napi_value js_hostfs_getdents64(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (get_args(env, info, 4, a)) return NULL;
  size_t len;
  long err;
  void *p = arg_range(env, a[1], a[2], a[3], &len, &err);
  if (!p) return num(env, err);
  return num(env, (double)hostfs_getdents64(FD_ARG(a[0]), p, (size_t)len));
}

static napi_value js_hostfs_readlinkat(napi_env env, napi_callback_info info) {
  napi_value a[5];
  if (get_args(env, info, 5, a)) return NULL;
  NAME_ARG(path, a[1]);
  size_t len;
  long err;
  char *p = arg_range(env, a[2], a[3], a[4], &len, &err);
  if (!p) return num(env, err);
  return num(env, (double)hostfs_readlinkat(FD_ARG(a[0]), path, p, (size_t)len));
}

static napi_value js_hostfs_mkdirat(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  NAME_ARG(name, a[1]);
  return num(env, hostfs_mkdirat(FD_ARG(a[0]), name, arg_long(env, a[2])));
}

static napi_value js_hostfs_mknodat(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (get_args(env, info, 4, a)) return NULL;
  NAME_ARG(name, a[1]);
  return num(env, hostfs_mknodat(FD_ARG(a[0]), name, arg_long(env, a[2]), (uint64_t)arg_long(env, a[3])));
}

static napi_value js_hostfs_symlinkat(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  NAME_ARG(target, a[0]);
  NAME_ARG(name, a[2]);
  return num(env, hostfs_symlinkat(target, FD_ARG(a[1]), name));
}

static napi_value js_hostfs_linkat(napi_env env, napi_callback_info info) {
  napi_value a[5];
  if (get_args(env, info, 5, a)) return NULL;
  NAME_ARG(oldname, a[1]);
  NAME_ARG(newname, a[3]);
  return num(env, hostfs_linkat(FD_ARG(a[0]), oldname, FD_ARG(a[2]), newname, (int)arg_long(env, a[4])));
}

static napi_value js_hostfs_unlinkat(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  NAME_ARG(name, a[1]);
  return num(env, hostfs_unlinkat(FD_ARG(a[0]), name, (int)arg_long(env, a[2])));
}

static napi_value js_hostfs_renameat2(napi_env env, napi_callback_info info) {
  napi_value a[5];
  if (get_args(env, info, 5, a)) return NULL;
  NAME_ARG(oldname, a[1]);
  NAME_ARG(newname, a[3]);
  return num(env, hostfs_renameat2(FD_ARG(a[0]), oldname, FD_ARG(a[2]), newname, (unsigned)arg_long(env, a[4])));
}

static napi_value js_hostfs_fchmodat2(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (get_args(env, info, 4, a)) return NULL;
  NAME_ARG(path, a[1]);
  return num(env, hostfs_fchmodat2(FD_ARG(a[0]), path, arg_long(env, a[2]), (int)arg_long(env, a[3])));
}

static napi_value js_hostfs_fchmod(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  return num(env, hostfs_fchmod(FD_ARG(a[0]), arg_long(env, a[1])));
}

static napi_value js_hostfs_fchownat(napi_env env, napi_callback_info info) {
  napi_value a[5];
  if (get_args(env, info, 5, a)) return NULL;
  NAME_ARG(path, a[1]);
  return num(env, hostfs_fchownat(FD_ARG(a[0]), path, arg_long(env, a[2]), arg_long(env, a[3]), (int)arg_long(env, a[4])));
}

static napi_value js_hostfs_utimensat(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (get_args(env, info, 4, a)) return NULL;
  NAME_ARG(path, a[1]);
  double *times = arg_bytes(env, a[2], 0, 4 * sizeof(double));
  if (!times) return num(env, -EFAULT);
  return num(env, hostfs_utimensat(FD_ARG(a[0]), path, times, (int)arg_long(env, a[3])));
}

static napi_value js_hostfs_ftruncate(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  return num(env, hostfs_ftruncate(FD_ARG(a[0]), arg_long(env, a[1])));
}

static napi_value js_hostfs_fallocate(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (get_args(env, info, 4, a)) return NULL;
  return num(env, hostfs_fallocate(FD_ARG(a[0]), (int)arg_long(env, a[1]), arg_long(env, a[2]), arg_long(env, a[3])));
}

static napi_value js_hostfs_fsync(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  return num(env, hostfs_fsync(FD_ARG(a[0]), (int)arg_long(env, a[1])));
}

static napi_value js_hostfs_lseek(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  return num(env, (double)hostfs_lseek(FD_ARG(a[0]), arg_long(env, a[1]), (int)arg_long(env, a[2])));
}

// Extended attributes: values and lists go through buf[off..off+len); len 0 asks for the size.
static napi_value js_hostfs_fgetxattr(napi_env env, napi_callback_info info) {
  napi_value a[5];
  if (get_args(env, info, 5, a)) return NULL;
  NAME_ARG(name, a[1]);
  size_t len;
  long err;
  void *p = arg_range(env, a[2], a[3], a[4], &len, &err);
  if (!p) return num(env, err);
  return num(env, (double)hostfs_fgetxattr(FD_ARG(a[0]), name, p, (size_t)len));
}

static napi_value js_hostfs_fsetxattr(napi_env env, napi_callback_info info) {
  napi_value a[6];
  if (get_args(env, info, 6, a)) return NULL;
  NAME_ARG(name, a[1]);
  size_t len;
  long err;
  void *p = arg_range(env, a[2], a[3], a[4], &len, &err);
  if (!p) return num(env, err);
  return num(env, hostfs_fsetxattr(FD_ARG(a[0]), name, p, (size_t)len, (int)arg_long(env, a[5])));
}

static napi_value js_hostfs_flistxattr(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (get_args(env, info, 4, a)) return NULL;
  size_t len;
  long err;
  char *p = arg_range(env, a[1], a[2], a[3], &len, &err);
  if (!p) return num(env, err);
  return num(env, (double)hostfs_flistxattr(FD_ARG(a[0]), p, (size_t)len));
}

static napi_value js_hostfs_fremovexattr(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (get_args(env, info, 2, a)) return NULL;
  NAME_ARG(name, a[1]);
  return num(env, hostfs_fremovexattr(FD_ARG(a[0]), name));
}

static napi_value js_hostfs_getxattrat(napi_env env, napi_callback_info info) {
  napi_value a[7];
  if (get_args(env, info, 7, a)) return NULL;
  NAME_ARG(path, a[1]);
  NAME_ARG(name, a[3]);
  size_t len;
  long err;
  void *p = arg_range(env, a[4], a[5], a[6], &len, &err);
  if (!p) return num(env, err);
  return num(env, (double)hostfs_getxattrat(FD_ARG(a[0]), path, (int)arg_long(env, a[2]), name, p, (size_t)len));
}

static napi_value js_hostfs_setxattrat(napi_env env, napi_callback_info info) {
  napi_value a[8];
  if (get_args(env, info, 8, a)) return NULL;
  NAME_ARG(path, a[1]);
  NAME_ARG(name, a[3]);
  size_t len;
  long err;
  void *p = arg_range(env, a[4], a[5], a[6], &len, &err);
  if (!p) return num(env, err);
  return num(env, hostfs_setxattrat(FD_ARG(a[0]), path, (int)arg_long(env, a[2]), name, p, (size_t)len, (int)arg_long(env, a[7])));
}

static napi_value js_hostfs_listxattrat(napi_env env, napi_callback_info info) {
  napi_value a[6];
  if (get_args(env, info, 6, a)) return NULL;
  NAME_ARG(path, a[1]);
  size_t len;
  long err;
  char *p = arg_range(env, a[3], a[4], a[5], &len, &err);
  if (!p) return num(env, err);
  return num(env, (double)hostfs_listxattrat(FD_ARG(a[0]), path, (int)arg_long(env, a[2]), p, (size_t)len));
}

static napi_value js_hostfs_removexattrat(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (get_args(env, info, 4, a)) return NULL;
  NAME_ARG(path, a[1]);
  NAME_ARG(name, a[3]);
  return num(env, hostfs_removexattrat(FD_ARG(a[0]), path, (int)arg_long(env, a[2]), name));
}

static napi_value js_hostfs_dup(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, hostfs_dup(FD_ARG(a[0])));
}

static napi_value js_hostfs_close(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, hostfs_close(FD_ARG(a[0])));
}

// --- host terminals (hostpty.c) -----------------------------------------------------------
// (out: Int32Array[2]) -> 0 with out = [master, slave], or -errno.
static napi_value js_hostpty_open(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  int *out = arg_bytes(env, a[0], 0, 2 * sizeof(int));
  if (!out) return num(env, -EFAULT);
  int fds[2];
  int r = hostpty_open(fds);
  if (r == 0) memcpy(out, fds, sizeof fds);
  return num(env, r);
}

static napi_value js_hostpty_get_winsize(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, hostpty_get_winsize(FD_ARG(a[0])));
}

static napi_value js_hostpty_set_winsize(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  return num(env, hostpty_set_winsize(FD_ARG(a[0]), (int)arg_long(env, a[1]), (int)arg_long(env, a[2])));
}

static napi_value js_hostpty_make_raw(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, hostpty_make_raw(FD_ARG(a[0])));
}

// (socketPath, fd, payload: Uint8Array) -> 0 or -errno.
static napi_value js_hostpty_send_fd(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  NAME_ARG(path, a[0]);
  size_t len = 0;
  bool is_ta = false;
  napi_is_typedarray(env, a[2], &is_ta);
  if (!is_ta) return num(env, -EINVAL);
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  void *data;
  napi_get_typedarray_info(env, a[2], &type, &len, &data, &ab, &off);
  if (type != napi_uint8_array) return num(env, -EINVAL);
  return num(env, hostpty_send_fd(path, FD_ARG(a[1]), data, len));
}

// --- spare stubs (ptrace_platform.c) ------------------------------------------------------
static napi_value js_spares_start(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  return num(env, platform_spares_start((int)arg_long(env, a[0]), (int)arg_long(env, a[1]), (int)arg_long(env, a[2])));
}

static napi_value js_spares_take(napi_env env, napi_callback_info info) {
  napi_value a[4];
  if (get_args(env, info, 4, a)) return NULL;
  uint64_t *regs = arg_bytes(env, a[1], 0, PLATFORM_REGS_WORDS * 8);
  void *fp = arg_bytes(env, a[2], 0, PLATFORM_FP_BYTES);
  int *out = arg_bytes(env, a[3], 0, 16);
  if (!regs || !fp || !out) {
    napi_throw_type_error(env, NULL, "sparesTake: bad buffers");
    return NULL;
  }
  int o[4];
  int r = platform_spares_take((int)arg_long(env, a[0]), regs, fp, o);
  if (r == 0) {
    int h = o[2];
    if (h >= 0 && h < MAX_THREADS) {
      napi_create_reference(env, a[1], 1, &thread_refs[h][0]);
      napi_create_reference(env, a[2], 1, &thread_refs[h][1]);
    }
    for (int i = 0; i < 4; i++) out[i] = o[i];
  }
  return num(env, r);
}

static napi_value js_stub_map_batch(napi_env env, napi_callback_info info) {
  napi_value a[3];
  if (get_args(env, info, 3, a)) return NULL;
  long n = arg_long(env, a[2]);
  if (n < 0 || n > 4096) return num(env, -EINVAL);
  const double *ops = arg_bytes(env, a[1], 0, (size_t)n * 4 * sizeof(double));
  if (!ops) return num(env, -EFAULT);
  return num(env, (double)platform_stub_map_batch((int)arg_long(env, a[0]), ops, (int)n));
}

static napi_value js_spares_stop(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  return num(env, platform_spares_stop((int)arg_long(env, a[0])));
}

// The host vDSO ranges every stub keeps: (start, end, kind) triples into a Float64Array; their number.
static napi_value js_stub_vdso(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (get_args(env, info, 1, a)) return NULL;
  double *out = arg_bytes(env, a[0], 0, 12 * sizeof(double));
  if (!out) return num(env, -EFAULT);
  uint64_t r[12];
  int n = platform_vdso_ranges(r, 4);
  for (int i = 0; i < 3 * n; i++) out[i] = (double)r[i];
  return num(env, n);
}

#define FN(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_default, NULL}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      FN("memfileCreate", js_memfile_create),
      FN("memfileWindow", js_memfile_window),
      FN("memfilePunch", js_memfile_punch),
      FN("stubPage", js_stub_page),
      FN("stubTemplate", js_stub_template),
      FN("stubCreate", js_stub_create),
      FN("stubSyscall", js_stub_syscall),
      FN("stubDestroy", js_stub_destroy),
      FN("stubKill", js_stub_kill),
      FN("threadCreate", js_thread_create),
      FN("threadResume", js_thread_resume),
      FN("threadExit", js_thread_exit),
      FN("threadInterrupt", js_thread_interrupt),
      FN("threadFp", js_thread_fp),
      FN("threadRelease", js_thread_release),
      FN("takeEvent", js_take_event),
      FN("resumeAndWait", js_resume_and_wait),
      FN("waitEvent", js_wait_event),
      FN("watchEvents", js_watch_events),
      FN("unwatchEvents", js_unwatch_events),
      FN("hostRead", js_host_read),
      FN("hostWrite", js_host_write),
      FN("hostPread", js_host_pread),
      FN("hostPwrite", js_host_pwrite),
      FN("hostGetrandom", js_host_getrandom),
      FN("hostClockGettime", js_host_clock_gettime),
      FN("hostClockGetres", js_host_clock_getres),
      FN("hostfsOpenat2", js_hostfs_openat2),
      FN("hostfsStatx", js_hostfs_statx),
      FN("hostfsFstatfs", js_hostfs_fstatfs),
      FN("hostfsGetdents64", js_hostfs_getdents64),
      FN("hostfsReadlinkat", js_hostfs_readlinkat),
      FN("hostfsMkdirat", js_hostfs_mkdirat),
      FN("hostfsMknodat", js_hostfs_mknodat),
      FN("hostfsSymlinkat", js_hostfs_symlinkat),
      FN("hostfsLinkat", js_hostfs_linkat),
      FN("hostfsUnlinkat", js_hostfs_unlinkat),
      FN("hostfsRenameat2", js_hostfs_renameat2),
      FN("hostfsFchmodat2", js_hostfs_fchmodat2),
      FN("hostfsFchmod", js_hostfs_fchmod),
      FN("hostfsFchownat", js_hostfs_fchownat),
      FN("hostfsUtimensat", js_hostfs_utimensat),
      FN("hostfsFtruncate", js_hostfs_ftruncate),
      FN("hostfsFallocate", js_hostfs_fallocate),
      FN("hostfsFsync", js_hostfs_fsync),
      FN("hostfsLseek", js_hostfs_lseek),
      FN("hostfsFgetxattr", js_hostfs_fgetxattr),
      FN("hostfsFsetxattr", js_hostfs_fsetxattr),
      FN("hostfsFlistxattr", js_hostfs_flistxattr),
      FN("hostfsFremovexattr", js_hostfs_fremovexattr),
      FN("hostfsGetxattrat", js_hostfs_getxattrat),
      FN("hostfsSetxattrat", js_hostfs_setxattrat),
      FN("hostfsListxattrat", js_hostfs_listxattrat),
      FN("hostfsRemovexattrat", js_hostfs_removexattrat),
      FN("hostfsDup", js_hostfs_dup),
      FN("hostfsClose", js_hostfs_close),
      FN("hostptyOpen", js_hostpty_open),
      FN("hostptyGetWinsize", js_hostpty_get_winsize),
      FN("hostptySetWinsize", js_hostpty_set_winsize),
      FN("hostptyMakeRaw", js_hostpty_make_raw),
      FN("hostptySendFd", js_hostpty_send_fd),
      FN("sparesStart", js_spares_start),
      FN("sparesTake", js_spares_take),
      FN("sparesStop", js_spares_stop),
      FN("stubMapBatch", js_stub_map_batch),
      FN("stubVdso", js_stub_vdso),
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
