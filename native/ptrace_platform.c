// The ptrace platform: stub processes that hold guest address spaces, and one
// native tracer thread per stub thread (ptrace requests are only accepted from
// the thread that attached). Mechanism only: every decision is made in
// TypeScript. See docs/platform-ptrace.md.
#define _GNU_SOURCE
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/elf.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/rseq.h>
#include <time.h>

// --- the stub code page -----------------------------------------------------
// Mapped once in the sentry at a fixed high address (so that it exists at the
// same address in every forked stub) and never writable after set-up.
//   +0  INJECT:  syscall; int3                 (address-space ops, exit)
//   +4  CLONE:   syscall; test rax,rax; jnz parent
//        child:  mov eax, SYS_pause; syscall; jmp child   (parked until seized)
//        parent: int3
static const unsigned char stub_code[] = {
    0x0f, 0x05, 0xcc, 0x90,                          // 0: syscall; int3; nop
    0x0f, 0x05,                                      // 4: syscall
    0x48, 0x85, 0xc0,                                // 6: test rax, rax
    0x75, 0x09,                                      // 9: jnz +9 -> 20
    0xb8, 0x22, 0x00, 0x00, 0x00,                    // 11: mov eax, 34 (pause)
    0x0f, 0x05,                                      // 16: syscall
    0xeb, 0xf7,                                      // 18: jmp -9 -> 11
    0xcc,                                            // 20: int3
};
#define STUB_INJECT 0
#define STUB_CLONE 4

static uintptr_t stub_page;  // address of the stub page, 0 until set up

// The guest address space ends below STUB_REGION_START; the stub page lives in
// [STUB_REGION_START, TASK_SIZE).
#define TASK_SIZE 0x7ffffffff000UL
#define STUB_REGION_START 0x7fff00000000UL

int platform_stub_page_init(uintptr_t *out) {
  if (stub_page) { *out = stub_page; return 0; }
  for (uintptr_t a = TASK_SIZE - 0x100000UL; a >= STUB_REGION_START; a -= 0x1000000UL) {
    void *p = mmap((void *)a, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED) continue;
    if ((uintptr_t)p != a) { munmap(p, 4096); continue; }
    memset(p, 0xcc, 4096);
    memcpy(p, stub_code, sizeof stub_code);
    if (mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0) { munmap(p, 4096); return -errno; }
    stub_page = a;
    *out = a;
    return 0;
  }
  return -ENOMEM;
}

// --- futex helpers ---------------------------------------------------------------
static void fwait(atomic_int *w, int val) {
  while (atomic_load(w) == val) syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}
static void fwake(atomic_int *w) { syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static long elapsed_ns(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - start->tv_sec) * 1000000000L + (now.tv_nsec - start->tv_nsec);
}

// --- event queue (tracer threads -> JavaScript) ----------------------------------
#define QUEUE_CAP 8192
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static int q_items[QUEUE_CAP];
static int q_head;
static atomic_int q_len;
static int event_fd = -1;

int platform_event_fd(void) {
  if (event_fd < 0) event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return event_fd;
}

static void post_event(int handle) {
  pthread_mutex_lock(&q_lock);
  if (q_len < QUEUE_CAP) { q_items[(q_head + q_len) % QUEUE_CAP] = handle; atomic_fetch_add(&q_len, 1); }
  pthread_mutex_unlock(&q_lock);
  uint64_t one = 1;
  ssize_t r = write(event_fd, &one, 8);
  (void)r;
}

// Polls the queue for up to max_ns (the next stop of a guest that was just
// resumed usually comes within microseconds); returns 1 if an event is queued.
int platform_spin_for_event(long max_ns) {
  if (atomic_load(&q_len) > 0) return 1;
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (unsigned i = 1;; i++) {
    __builtin_ia32_pause();
    if (atomic_load_explicit(&q_len, memory_order_acquire) > 0) return 1;
    if ((i & 63) == 0 && elapsed_ns(&start) > max_ns) return 0;
  }
}

int platform_take_event(void) {
  uint64_t v;
  ssize_t r = read(event_fd, &v, 8);  // clear readiness first, then drain
  (void)r;
  int h = -1;
  pthread_mutex_lock(&q_lock);
  if (q_len > 0) { h = q_items[q_head]; q_head = (q_head + 1) % QUEUE_CAP; atomic_fetch_sub(&q_len, 1); }
  if (q_len > 0) { uint64_t one = 1; r = write(event_fd, &one, 8); }
  pthread_mutex_unlock(&q_lock);
  return h;
}

// --- tracer threads ------------------------------------------------------------------
enum { CMD_NONE = 0, CMD_RESUME, CMD_INJECT, CMD_GETFP, CMD_SETFP, CMD_EXIT_THREAD, CMD_QUIT };

typedef struct tracer {
  int handle;             // index in tracers[]
  pid_t tid;              // host tid of the traced stub thread
  int is_control;         // the stub's control thread (address-space ops)
  pthread_t thread;
  atomic_int cmd;         // futex: command from JavaScript
  atomic_int done;        // futex: completion of synchronous commands
  long args[7];           // injected syscall: nr + 6 args
  long entry;             // injected syscall: offset in the stub page
  long result;
  uint64_t *regs;         // shared with JavaScript (PLATFORM_REGS_WORDS u64)
  void *fp;               // xstate buffer for GETFP/SETFP (PLATFORM_FP_BYTES)
  struct user_regs_struct clean;  // control thread: registers at the stub's rest point
  int alive;
} tracer_t;

#define MAX_TRACERS 4096
static tracer_t *tracers[MAX_TRACERS];
static pthread_mutex_t tr_lock = PTHREAD_MUTEX_INITIALIZER;

static int alloc_handle(tracer_t *t) {
  pthread_mutex_lock(&tr_lock);
  for (int i = 0; i < MAX_TRACERS; i++) {
    if (!tracers[i]) { tracers[i] = t; t->handle = i; pthread_mutex_unlock(&tr_lock); return i; }
  }
  pthread_mutex_unlock(&tr_lock);
  return -EAGAIN;
}

static tracer_t *get_tracer(int h) {
  if (h < 0 || h >= MAX_TRACERS) return NULL;
  return tracers[h];
}

// Runs a syscall inside a stopped stub thread (at the stub's INJECT point) and
// returns its result. The thread must be in a ptrace stop; registers are restored.
static long inject(tracer_t *t, long entry, long nr, const long *a) {
  struct user_regs_struct saved, r;
  if (ptrace(PTRACE_GETREGS, t->tid, 0, &saved) < 0) return -errno;
  r = t->is_control ? t->clean : saved;
  r.rip = stub_page + entry;
  r.rax = nr;
  r.orig_rax = (unsigned long)-1;
  r.rdi = a[0]; r.rsi = a[1]; r.rdx = a[2]; r.r10 = a[3]; r.r8 = a[4]; r.r9 = a[5];
  if (ptrace(PTRACE_SETREGS, t->tid, 0, &r) < 0) return -errno;
  if (ptrace(PTRACE_CONT, t->tid, 0, 0) < 0) return -errno;
  int status;
  for (;;) {
    pid_t w = waitpid(t->tid, &status, __WALL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -errno;
    if (WIFEXITED(status) || WIFSIGNALED(status)) { t->alive = 0; return -ESRCH; }
    if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP) break;
    // Any other stop (a host signal aimed at the stub): suppress and go on.
    if (ptrace(PTRACE_CONT, t->tid, 0, 0) < 0) return -errno;
  }
  if (ptrace(PTRACE_GETREGS, t->tid, 0, &r) < 0) return -errno;
  long res = (long)r.rax;
  ptrace(PTRACE_SETREGS, t->tid, 0, &saved);
  return res;
}

static void wait_cmd(tracer_t *t) { fwait(&t->cmd, CMD_NONE); }
static void finish_sync(tracer_t *t) {
  atomic_store(&t->cmd, CMD_NONE);
  atomic_store(&t->done, 1);
  fwake(&t->done);
}

// Issues a command and, for synchronous ones, waits for its completion.
static void send_cmd(tracer_t *t, int cmd, int sync) {
  if (sync) atomic_store(&t->done, 0);
  atomic_store(&t->cmd, cmd);
  fwake(&t->cmd);
  // Synchronous commands (address-space operations, FP state) keep a stub
  // thread and its tracer busy: sleeping here leaves them the CPUs.
  if (sync) fwait(&t->done, 0);
}

static void fill_event_from_status(tracer_t *t, int status) {
  uint64_t *ev = t->regs + PLATFORM_REGS_GP;
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    t->alive = 0;
    ev[0] = PLATFORM_EV_EXIT;
    ev[1] = (uint64_t)status;
    ev[2] = 0; ev[3] = 0;
    return;
  }
  int sig = WSTOPSIG(status);
  ptrace(PTRACE_GETREGS, t->tid, 0, (struct user_regs_struct *)t->regs);
  if (sig == (SIGTRAP | 0x80)) {
    ev[0] = PLATFORM_EV_SYSCALL;
    ev[1] = 0; ev[2] = 0; ev[3] = 0;
    return;
  }
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if ((status >> 16) == PTRACE_EVENT_STOP) {
    ev[0] = PLATFORM_EV_SIGNAL;  // group-stop or interrupt: reported as a signal
    ev[1] = (uint64_t)sig; ev[2] = (uint64_t)(int64_t)-1; ev[3] = 0;
    return;
  }
  ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si);
  ev[0] = PLATFORM_EV_SIGNAL;
  ev[1] = (uint64_t)sig;
  ev[2] = (uint64_t)(int64_t)si.si_code;
  ev[3] = (uint64_t)(uintptr_t)si.si_addr;
}

static void *guest_tracer_main(void *arg) {
  tracer_t *t = arg;
  // Attach to the parked stub thread.
  long err = 0;
  if (ptrace(PTRACE_SEIZE, t->tid, 0,
             PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0 ||
      ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) < 0) {
    err = -errno;
  } else {
    int status;
    for (;;) {
      pid_t w = waitpid(t->tid, &status, __WALL);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) { err = -errno; break; }
      if (!WIFSTOPPED(status)) { err = -ESRCH; break; }
      if ((status >> 16) == PTRACE_EVENT_STOP) break;
      ptrace(PTRACE_CONT, t->tid, 0, 0);
    }
  }
  if (err == 0) {
    // Start from the parked thread's registers (valid segment selectors), with
    // no syscall to restart: the kernel then leaves rip and rax as given.
    ptrace(PTRACE_GETREGS, t->tid, 0, (struct user_regs_struct *)t->regs);
    ((struct user_regs_struct *)t->regs)->orig_rax = (unsigned long)-1;
  }
  t->result = err;
  t->alive = err == 0;
  finish_sync(t);
  if (err) return NULL;

  for (;;) {
    wait_cmd(t);
    int cmd = atomic_load(&t->cmd);
    if (cmd == CMD_QUIT) break;
    if (cmd == CMD_GETFP || cmd == CMD_SETFP) {
      struct iovec iov = {t->fp, PLATFORM_FP_BYTES};
      long r = ptrace(cmd == CMD_GETFP ? PTRACE_GETREGSET : PTRACE_SETREGSET, t->tid,
                      (void *)NT_X86_XSTATE, &iov);
      t->result = r < 0 ? -errno : (long)iov.iov_len;
      finish_sync(t);
      continue;
    }
    if (cmd == CMD_INJECT) {
      t->result = inject(t, STUB_INJECT, t->args[0], t->args + 1);
      finish_sync(t);
      continue;
    }
    // RESUME or EXIT_THREAD: asynchronous; the outcome is posted as an event.
    atomic_store(&t->cmd, CMD_NONE);
    long r;
    if (cmd == CMD_EXIT_THREAD) {
      struct user_regs_struct e = *(struct user_regs_struct *)t->regs;
      e.rip = stub_page + STUB_INJECT;
      e.rax = SYS_exit;
      e.rdi = 0;
      e.orig_rax = (unsigned long)-1;
      ptrace(PTRACE_SETREGS, t->tid, 0, &e);
      r = ptrace(PTRACE_CONT, t->tid, 0, 0);
    } else {
      r = ptrace(PTRACE_SETREGS, t->tid, 0, (struct user_regs_struct *)t->regs);
      if (r < 0 && errno != ESRCH) {
        // The host refused the registers (e.g. a non-canonical fs/gs base):
        // the thread is still stopped. Report it as a fault the kernel cannot
        // resolve (SIGSEGV, SI_KERNEL), as Linux does when it cannot restore
        // a context, instead of waiting for a stop that never comes.
        uint64_t *ev = t->regs + PLATFORM_REGS_GP;
        ptrace(PTRACE_GETREGS, t->tid, 0, (struct user_regs_struct *)t->regs);
        ev[0] = PLATFORM_EV_SIGNAL;
        ev[1] = SIGSEGV;
        ev[2] = 0x80;  // SI_KERNEL
        ev[3] = 0;
        post_event(t->handle);
        continue;
      }
      if (r == 0) r = ptrace(PTRACE_SYSEMU, t->tid, 0, 0);
    }
    int status = 0;
    if (r < 0) {
      // The tracee vanished (killed with its stub): reap it, report it as killed.
      status = SIGKILL;
      for (;;) {
        pid_t w = waitpid(t->tid, &status, __WALL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) status = SIGKILL;
        if (w < 0 || WIFEXITED(status) || WIFSIGNALED(status)) break;
      }
    } else {
      for (;;) {
        pid_t w = waitpid(t->tid, &status, __WALL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) { status = SIGKILL; break; }
        if (cmd == CMD_EXIT_THREAD && WIFSTOPPED(status)) { ptrace(PTRACE_CONT, t->tid, 0, 0); continue; }
        break;
      }
    }
    fill_event_from_status(t, status);
    post_event(t->handle);
    if (!t->alive) break;
  }
  return NULL;
}

// --- control thread: the stub process itself ---------------------------------------

typedef struct control_start {
  tracer_t *t;
  int memfd;
} control_start_t;

static void *control_main(void *arg) {
  control_start_t *cs = arg;
  tracer_t *t = cs->t;
  int memfd = cs->memfd;
  long err = 0;

  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // The child: raw, async-signal-safe calls only (the sentry is multithreaded).
    syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (syscall(SYS_getppid) != parent) syscall(SYS_exit_group, 1);
    syscall(SYS_setsid);
    // The forking thread's rseq area and robust list live in memory this child
    // is about to unmap: the kernel would fault on them at every return to user.
    if (__rseq_size > 0) {
      void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
      if (syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) != 0)
        syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
    }
    syscall(SYS_set_robust_list, NULL, 24);
    if (memfd != PLATFORM_STUB_MEMFD) {
      syscall(SYS_dup3, memfd, PLATFORM_STUB_MEMFD, 0);
    } else {
      syscall(SYS_fcntl, memfd, F_SETFD, 0);
    }
    syscall(SYS_close_range, 0, PLATFORM_STUB_MEMFD - 1, 0);
    syscall(SYS_close_range, PLATFORM_STUB_MEMFD + 1, ~0U, 0);
    struct sigaction_k { void *h; unsigned long f; void *r; uint64_t m; } dfl = {0};
    for (int s = 1; s <= 64; s++) syscall(SYS_rt_sigaction, s, &dfl, NULL, 8);
    uint64_t none = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
    syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
    syscall(SYS_kill, syscall(SYS_getpid), SIGSTOP);
    syscall(SYS_exit_group, 1);  // never reached: the tracer moves us to the stub
  }
  if (pid < 0) {
    err = -errno;
  } else {
    t->tid = pid;
    int status;
    pid_t w;
    do { w = waitpid(pid, &status, __WALL); } while (w < 0 && errno == EINTR);
    if (w < 0 || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP) {
      err = -ECHILD;
    } else if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0) {
      err = -errno;
    } else {
      ptrace(PTRACE_GETREGS, pid, 0, &t->clean);
      t->clean.rsp = 0;
      t->clean.eflags = 0x202;
      t->alive = 1;
      t->is_control = 1;
      // Leave only the stub page: everything inherited from the sentry goes.
      long a1[6] = {0, (long)stub_page, 0, 0, 0, 0};
      long a2[6] = {(long)(stub_page + 4096), (long)(TASK_SIZE - stub_page - 4096), 0, 0, 0, 0};
      long r1 = inject(t, STUB_INJECT, SYS_munmap, a1);
      long r2 = inject(t, STUB_INJECT, SYS_munmap, a2);
      if (r1 < 0) err = r1;
      else if (r2 < 0) err = r2;
    }
    if (err) { kill(pid, SIGKILL); waitpid(pid, &status, __WALL); t->alive = 0; }
  }
  t->result = err ? err : pid;
  finish_sync(t);
  if (err) return NULL;

  for (;;) {
    wait_cmd(t);
    int cmd = atomic_load(&t->cmd);
    if (cmd == CMD_QUIT) break;
    if (cmd == CMD_INJECT) {
      t->result = t->alive ? inject(t, t->entry, t->args[0], t->args + 1) : -ESRCH;
    } else {
      t->result = -EINVAL;
    }
    finish_sync(t);
  }
  if (t->alive) {
    kill(t->tid, SIGKILL);
    int status;
    while (waitpid(t->tid, &status, __WALL) < 0 && errno == EINTR) {}
  }
  return NULL;
}

static int start_thread(tracer_t *t, void *(*fn)(void *), void *arg) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 128 * 1024);
  atomic_store(&t->done, 0);
  int r = pthread_create(&t->thread, &attr, fn, arg);
  pthread_attr_destroy(&attr);
  if (r) return -r;
  fwait(&t->done, 0);
  return 0;
}

static void free_tracer(tracer_t *t) {
  pthread_mutex_lock(&tr_lock);
  if (tracers[t->handle] == t) tracers[t->handle] = NULL;
  pthread_mutex_unlock(&tr_lock);
  free(t);
}

int platform_stub_create(int memfd, int *handle_out, int *pid_out) {
  uintptr_t sp;
  int r = platform_stub_page_init(&sp);
  if (r) return r;
  if (platform_event_fd() < 0) return -errno;
  tracer_t *t = calloc(1, sizeof *t);
  if (!t) return -ENOMEM;
  int h = alloc_handle(t);
  if (h < 0) { free(t); return h; }
  control_start_t cs = {t, memfd};
  r = start_thread(t, control_main, &cs);
  if (r) { free_tracer(t); return r; }
  if (t->result < 0) {
    int e = (int)t->result;
    pthread_join(t->thread, NULL);
    free_tracer(t);
    return e;
  }
  *handle_out = h;
  *pid_out = (int)t->result;
  return 0;
}

long platform_stub_syscall(int handle, const long *nr_and_args) {
  tracer_t *t = get_tracer(handle);
  if (!t || !t->is_control) return -EBADF;
  memcpy(t->args, nr_and_args, 7 * sizeof(long));
  t->entry = STUB_INJECT;
  send_cmd(t, CMD_INJECT, 1);
  return t->result;
}

int platform_stub_destroy(int handle) {
  tracer_t *t = get_tracer(handle);
  if (!t || !t->is_control) return -EBADF;
  if (t->alive) kill(t->tid, SIGKILL);
  send_cmd(t, CMD_QUIT, 0);
  pthread_join(t->thread, NULL);
  free_tracer(t);
  return 0;
}

int platform_stub_kill(int handle) {
  tracer_t *t = get_tracer(handle);
  if (!t || !t->is_control) return -EBADF;
  if (kill(t->tid, SIGKILL) < 0) return -errno;
  return 0;
}

int platform_thread_create(int stub_handle, uint64_t *regs, void *fp, int *handle_out, int *tid_out) {
  tracer_t *c = get_tracer(stub_handle);
  if (!c || !c->is_control) return -EBADF;
  // Make a parked thread in the stub: clone at the CLONE entry, whose child
  // side loops in pause() until its own tracer seizes it.
  long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
  c->args[0] = SYS_clone;
  c->args[1] = flags; c->args[2] = 0; c->args[3] = 0; c->args[4] = 0; c->args[5] = 0; c->args[6] = 0;
  c->entry = STUB_CLONE;
  send_cmd(c, CMD_INJECT, 1);
  long tid = c->result;
  if (tid < 0) return (int)tid;
  tracer_t *t = calloc(1, sizeof *t);
  if (!t) { kill(tid, SIGKILL); return -ENOMEM; }
  t->tid = (pid_t)tid;
  t->regs = regs;
  t->fp = fp;
  int h = alloc_handle(t);
  if (h < 0) { free(t); return h; }
  int e = start_thread(t, guest_tracer_main, t);
  if (e == 0 && t->result < 0) e = (int)t->result;
  if (e) {
    pthread_join(t->thread, NULL);
    free_tracer(t);
    return e;
  }
  *handle_out = h;
  *tid_out = (int)tid;
  return 0;
}

int platform_thread_resume(int handle) {
  tracer_t *t = get_tracer(handle);
  if (!t || t->is_control) return -EBADF;
  if (!t->alive) return -ESRCH;
  send_cmd(t, CMD_RESUME, 0);
  return 0;
}

int platform_thread_exit(int handle) {
  tracer_t *t = get_tracer(handle);
  if (!t || t->is_control) return -EBADF;
  if (!t->alive) return -ESRCH;
  send_cmd(t, CMD_EXIT_THREAD, 0);
  return 0;
}

int platform_thread_interrupt(int handle) {
  tracer_t *t = get_tracer(handle);
  if (!t || t->is_control) return -EBADF;
  if (!t->alive) return -ESRCH;
  // SIGSTOP to the one stub thread: its tracer sees a signal-delivery stop
  // (reported as a Signal stop) and resumes it with the signal suppressed.
  if (syscall(SYS_tkill, t->tid, SIGSTOP) < 0) return -errno;
  return 0;
}

int platform_thread_fp(int handle, int set) {
  tracer_t *t = get_tracer(handle);
  if (!t || t->is_control) return -EBADF;
  if (!t->alive) return -ESRCH;
  send_cmd(t, set ? CMD_SETFP : CMD_GETFP, 1);
  return (int)t->result;
}

// Called after the thread's EXIT event was consumed: joins the tracer thread.
int platform_thread_release(int handle) {
  tracer_t *t = get_tracer(handle);
  if (!t || t->is_control) return -EBADF;
  if (t->alive) {
    // Still stopped in the stub: make it quit its tracer loop.
    send_cmd(t, CMD_QUIT, 0);
  }
  pthread_join(t->thread, NULL);
  free_tracer(t);
  return 0;
}
