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
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
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
//   +0   INJECT:   syscall; int3                 (address-space ops, exit)
//   +4   CLONE:    syscall; test rax,rax; jnz parent
//   +11  park:     mov eax, SYS_pause; syscall; jmp park   (parked until seized)
//   +20  parent:   int3
//   +21  FORK:     syscall; test rax,rax; jnz parent       (clone(SIGCHLD) in the template)
//   +28  PREAMBLE: prctl(PR_SET_PDEATHSIG, SIGKILL); if (getppid() != r12) exit_group(1);
//                  rt_sigaction(SIGCHLD, &SA_DFL, NULL, 8); if (r13) int3; else jmp park
//   +128 SA_DFL:   a zeroed struct k_sigaction (SIG_DFL, no flags, empty mask)
static const unsigned char stub_code[] = {
    0x0f, 0x05, 0xcc, 0x90,                          // 0: syscall; int3; nop
    0x0f, 0x05,                                      // 4: syscall
    0x48, 0x85, 0xc0,                                // 6: test rax, rax
    0x75, 0x09,                                      // 9: jnz +9 -> 20
    0xb8, 0x22, 0x00, 0x00, 0x00,                    // 11: mov eax, 34 (pause)
    0x0f, 0x05,                                      // 16: syscall
    0xeb, 0xf7,                                      // 18: jmp -9 -> 11
    0xcc,                                            // 20: int3
    0x0f, 0x05,                                      // 21: syscall
    0x48, 0x85, 0xc0,                                // 23: test rax, rax
    0x75, 0xf8,                                      // 26: jnz -8 -> 20
    0xbf, 0x01, 0x00, 0x00, 0x00,                    // 28: mov edi, 1 (PR_SET_PDEATHSIG)
    0xbe, 0x09, 0x00, 0x00, 0x00,                    // 33: mov esi, 9 (SIGKILL)
    0xb8, 0x9d, 0x00, 0x00, 0x00,                    // 38: mov eax, 157 (prctl)
    0x0f, 0x05,                                      // 43: syscall
    0xb8, 0x6e, 0x00, 0x00, 0x00,                    // 45: mov eax, 110 (getppid)
    0x0f, 0x05,                                      // 50: syscall
    0x4c, 0x39, 0xe0,                                // 52: cmp rax, r12 (the template's pid)
    0x75, 0x22,                                      // 55: jne +34 -> 91
    0xbf, 0x11, 0x00, 0x00, 0x00,                    // 57: mov edi, 17 (SIGCHLD)
    0x48, 0x8d, 0x35, 0x3b, 0x00, 0x00, 0x00,        // 62: lea rsi, [rip + 59] -> 128
    0x31, 0xd2,                                      // 69: xor edx, edx
    0x41, 0xba, 0x08, 0x00, 0x00, 0x00,              // 71: mov r10d, 8
    0xb8, 0x0d, 0x00, 0x00, 0x00,                    // 77: mov eax, 13 (rt_sigaction)
    0x0f, 0x05,                                      // 82: syscall
    0x4d, 0x85, 0xed,                                // 84: test r13, r13
    0x75, 0xbb,                                      // 87: jnz -69 -> 20
    0xeb, 0xb0,                                      // 89: jmp -80 -> 11
    0xbf, 0x01, 0x00, 0x00, 0x00,                    // 91: mov edi, 1
    0xb8, 0xe7, 0x00, 0x00, 0x00,                    // 96: mov eax, 231 (exit_group)
    0x0f, 0x05,                                      // 101: syscall
};
#define STUB_INJECT 0
#define STUB_CLONE 4
#define STUB_PARK 11
#define STUB_PARK_END 20
#define STUB_FORK 21
#define STUB_PREAMBLE 28
#define STUB_SA_DFL 128
_Static_assert(sizeof stub_code <= STUB_SA_DFL, "stub code overlaps SA_DFL");

static uintptr_t stub_page;  // address of the stub page, 0 until set up
typedef struct tracer tracer_t;
static long template_unmap(tracer_t *t);

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
    memset((char *)p + STUB_SA_DFL, 0, 32);
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
enum { CMD_NONE = 0, CMD_RESUME, CMD_INJECT, CMD_GETFP, CMD_SETFP, CMD_EXIT_THREAD, CMD_QUIT, CMD_MAP_BATCH };

typedef struct tracer {
  int handle;             // index in tracers[]
  pid_t tid;              // host tid of the traced stub thread
  int is_control;         // the stub's control thread (address-space ops)
  void *(*main)(void *);  // what its native thread runs
  atomic_int refs;        // its native thread and its owner (JavaScript): the last one frees it
  atomic_int cmd;         // futex: command from JavaScript
  atomic_int done;        // futex: completion of synchronous commands
  long args[7];           // injected syscall: nr + 6 args
  long entry;             // injected syscall: offset in the stub page
  long result;
  uint64_t *regs;         // shared with JavaScript (PLATFORM_REGS_WORDS u64)
  void *fp;               // xstate buffer for GETFP/SETFP (PLATFORM_FP_BYTES)
  struct user_regs_struct clean;  // control thread: registers at the stub's rest point
  int alive;
  // A template stub (never runs guest code, never maps guest memory): the
  // stubs of address spaces are forks of it. Its creators serialize on lock.
  int is_template;
  pthread_mutex_t lock;
  dev_t mem_dev;          // the MemoryFile it holds at PLATFORM_STUB_MEMFD
  ino_t mem_ino;
  // Control thread start: the template's MemoryFile, or the template's new
  // child to take over and the template's pid.
  int start_memfd;
  pid_t start_child, start_parent;
  // CMD_MAP_BATCH: n mmaps of MemoryFile ranges, 4 doubles each (addr, length, prot, offset).
  const double *batch;
  int batch_n;
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
// returns its result. The thread must be in a ptrace stop; a guest thread's
// registers are restored (a stub's main thread always starts from clean).
static long inject(tracer_t *t, long entry, long nr, const long *a) {
  struct user_regs_struct saved, r;
  if (!t->is_control && ptrace(PTRACE_GETREGS, t->tid, 0, &saved) < 0) return -errno;
  r = t->is_control ? t->clean : saved;
  r.rip = stub_page + entry;
  r.rax = nr;
  r.orig_rax = (unsigned long)-1;
  r.rdi = a[0]; r.rsi = a[1]; r.rdx = a[2]; r.r10 = a[3]; r.r8 = a[4]; r.r9 = a[5];
  // FORK: the child checks getppid() against r12 and parks; PREAMBLE (a
  // child seized before it ran it): a[0] is the parent's pid, then a trap.
  if (entry == STUB_FORK) { r.r12 = (unsigned long)t->tid; r.r13 = 0; }
  if (entry == STUB_PREAMBLE) { r.r12 = (unsigned long)a[0]; r.r13 = 1; }
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
  errno = 0;
  long res = ptrace(PTRACE_PEEKUSER, t->tid, offsetof(struct user_regs_struct, rax), 0);
  if (errno) return -errno;
  if (!t->is_control) ptrace(PTRACE_SETREGS, t->tid, 0, &saved);
  return res;
}

// Waits for a tracee that was killed (or is dying) until it is reaped.
static void reap(pid_t tid) {
  int status;
  for (;;) {
    pid_t w = waitpid(tid, &status, __WALL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 || WIFEXITED(status) || WIFSIGNALED(status)) return;
  }
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

// Attaches the calling thread to a parked stub thread (or a forked stub) and
// waits until it is stopped. 0, or a negative errno (-ESRCH: it died, reaped).
static long seize(pid_t tid) {
  if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0) return -errno;
  if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0) {
    reap(tid);  // only a dying tracee refuses it
    return -ESRCH;
  }
  int status;
  for (;;) {
    pid_t w = waitpid(tid, &status, __WALL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -errno;
    if (!WIFSTOPPED(status)) return -ESRCH;
    if ((status >> 16) == PTRACE_EVENT_STOP) return 0;
    ptrace(PTRACE_CONT, tid, 0, 0);
  }
}

static void *guest_tracer_main(void *arg) {
  tracer_t *t = arg;
  long err = seize(t->tid);
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
    if (cmd == CMD_QUIT) {
      // Released while stopped: it must not outlive its tracer (the thread
      // goes back to the pool, so EXITKILL would not fire): kill it, which
      // kills its stub too, as EXITKILL would.
      syscall(SYS_tkill, t->tid, SIGKILL);
      reap(t->tid);
      break;
    }
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

static void set_clean(tracer_t *t) {
  ptrace(PTRACE_GETREGS, t->tid, 0, &t->clean);
  t->clean.rsp = 0;
  t->clean.eflags = 0x202;
  t->alive = 1;
  t->is_control = 1;
}

// The template: a fork of the sentry (the only time the sentry forks; its
// cost grows with the sentry's page tables) reduced to the stub page and the
// MemoryFile. Its SIGCHLD is ignored, so that its children (the stubs) are
// reaped by the host kernel once their tracers have waited for them.
static long make_template(tracer_t *t, int memfd) {
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
    struct sigaction_k { void *h; unsigned long f; void *r; uint64_t m; } dfl = {0}, ign = {SIG_IGN, 0, 0, 0};
    for (int s = 1; s <= 64; s++) syscall(SYS_rt_sigaction, s, s == SIGCHLD ? &ign : &dfl, NULL, 8);
    uint64_t none = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
    syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
    syscall(SYS_kill, syscall(SYS_getpid), SIGSTOP);
    syscall(SYS_exit_group, 1);  // never reached: the tracer moves us to the stub
  }
  if (pid < 0) return -errno;
  t->tid = pid;
  int status;
  pid_t w;
  do { w = waitpid(pid, &status, __WALL); } while (w < 0 && errno == EINTR);
  if (w < 0 || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP) {
    err = -ECHILD;
  } else if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0) {
    err = -errno;
  } else {
    set_clean(t);
    // Leave only the stub page and the host's vDSO: everything inherited from the sentry goes.
    err = template_unmap(t);
  }
  if (err) { kill(pid, SIGKILL); reap(pid); t->alive = 0; }
  return err ? err : pid;
}

// A stub: a child the template just forked at its FORK entry (see the stub
// code), which runs the PREAMBLE (its parent, the template, dies with the
// sentry: so must it) and parks. Seized here, it is traced by this thread
// (EXITKILL) and dies with it.
static long take_fork(tracer_t *t, pid_t pid, pid_t parent) {
  t->tid = pid;
  long err = seize(pid);
  if (err) {
    if (err != -ESRCH) kill(pid, SIGKILL);  // not ours: the template reaps it
    return err;
  }
  set_clean(t);
  uintptr_t rip = t->clean.rip;
  if (rip < stub_page + STUB_PARK || rip >= stub_page + STUB_PARK_END) {
    // Seized before it parked (often before it ran at all): run its preamble
    // (again: it is idempotent) and take it at the trap that ends it.
    long a[6] = {parent, 0, 0, 0, 0, 0};
    long r = inject(t, STUB_PREAMBLE, 0, a);
    if (r < 0) err = r;
  }
  if (err) { kill(pid, SIGKILL); reap(pid); t->alive = 0; }
  return err ? err : pid;
}

// Runs a batch of MAP_SHARED|MAP_FIXED mmaps of the MemoryFile in the stub, in
// order: the number done (it stops at the first failure), or -errno if the first failed.
static long map_batch(tracer_t *t) {
  long done = 0;
  for (int i = 0; i < t->batch_n; i++) {
    const double *o = t->batch + 4 * i;
    long a[6] = {(long)o[0], (long)o[1], (long)o[2], MAP_SHARED | MAP_FIXED, PLATFORM_STUB_MEMFD, (long)o[3]};
    long r = inject(t, STUB_INJECT, SYS_mmap, a);
    if (r < 0) return done > 0 ? done : r;
    done++;
  }
  return done;
}

static void *control_main(void *arg) {
  tracer_t *t = arg;
  long r = t->start_child ? take_fork(t, t->start_child, t->start_parent) : make_template(t, t->start_memfd);
  t->result = r;
  finish_sync(t);
  if (r < 0) return NULL;

  for (;;) {
    wait_cmd(t);
    int cmd = atomic_load(&t->cmd);
    if (cmd == CMD_QUIT) break;
    if (cmd == CMD_INJECT) {
      t->result = t->alive ? inject(t, t->entry, t->args[0], t->args + 1) : -ESRCH;
    } else if (cmd == CMD_MAP_BATCH) {
      t->result = t->alive ? map_batch(t) : -ESRCH;
    } else {
      t->result = -EINVAL;
    }
    finish_sync(t);
  }
  if (t->alive) { kill(t->tid, SIGKILL); reap(t->tid); }
  return NULL;
}

// --- native threads -------------------------------------------------------------------
// Tracers run on pooled native threads: creating and joining a thread costs
// as much as an address-space operation. A pooled thread never keeps a
// tracee: every tracer reaps its tracee before it returns.
typedef struct worker {
  atomic_int go;         // futex: 1 once job is set
  tracer_t *job;
  struct worker *next;   // in the idle list
} worker_t;

#define POOL_IDLE_MAX 16
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static worker_t *pool_idle;
static int pool_idle_count;

static void free_tracer(tracer_t *t) {
  pthread_mutex_lock(&tr_lock);
  if (tracers[t->handle] == t) tracers[t->handle] = NULL;
  pthread_mutex_unlock(&tr_lock);
  if (t->is_template) pthread_mutex_destroy(&t->lock);
  free(t);
}

// Lets go of a started tracer (its owner once done with it, or its thread once
// its main returned): the last one frees it.
static void put_tracer(tracer_t *t) {
  if (atomic_fetch_sub(&t->refs, 1) == 1) free_tracer(t);
}

static void *worker_main(void *arg) {
  worker_t *w = arg;
  for (;;) {
    fwait(&w->go, 0);
    atomic_store(&w->go, 0);
    tracer_t *t = w->job;
    t->main(t);
    put_tracer(t);
    pthread_mutex_lock(&pool_lock);
    int keep = pool_idle_count < POOL_IDLE_MAX;
    if (keep) { w->next = pool_idle; pool_idle = w; pool_idle_count++; }
    pthread_mutex_unlock(&pool_lock);
    if (!keep) break;
  }
  free(w);
  return NULL;
}

// Runs fn(t) on a pooled thread and waits for its first finish_sync.
static int start_thread(tracer_t *t, void *(*fn)(void *)) {
  t->main = fn;
  atomic_store(&t->refs, 2);
  atomic_store(&t->done, 0);
  pthread_mutex_lock(&pool_lock);
  worker_t *w = pool_idle;
  if (w) { pool_idle = w->next; pool_idle_count--; }
  pthread_mutex_unlock(&pool_lock);
  if (w) {
    w->job = t;
    atomic_store(&w->go, 1);
    fwake(&w->go);
  } else {
    w = calloc(1, sizeof *w);
    if (!w) return -ENOMEM;
    w->job = t;
    atomic_store(&w->go, 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 128 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    int r = pthread_create(&th, &attr, worker_main, w);
    pthread_attr_destroy(&attr);
    if (r) { free(w); return -r; }
  }
  fwait(&t->done, 0);
  return 0;
}

static int start_control(tracer_t *t, int *handle_out, int *pid_out) {
  int r = start_thread(t, control_main);
  if (r) { free_tracer(t); return r; }
  if (t->result < 0) {
    int e = (int)t->result;
    put_tracer(t);
    return e;
  }
  *handle_out = t->handle;
  *pid_out = (int)t->result;
  return 0;
}

int platform_stub_template(int memfd, int *handle_out, int *pid_out) {
  uintptr_t sp;
  int r = platform_stub_page_init(&sp);
  if (r) return r;
  if (platform_event_fd() < 0) return -errno;
  struct stat st;
  if (fstat(memfd, &st) < 0) return -errno;
  tracer_t *t = calloc(1, sizeof *t);
  if (!t) return -ENOMEM;
  t->is_template = 1;
  t->mem_dev = st.st_dev;
  t->mem_ino = st.st_ino;
  pthread_mutex_init(&t->lock, NULL);
  int h = alloc_handle(t);
  if (h < 0) { free(t); return h; }
  t->start_memfd = memfd;
  return start_control(t, handle_out, pid_out);
}

int platform_stub_create(int template_handle, int memfd, int *handle_out, int *pid_out) {
  tracer_t *tp = get_tracer(template_handle);
  if (!tp || !tp->is_template) return -EBADF;
  struct stat st;
  if (fstat(memfd, &st) < 0) return -errno;
  if (st.st_dev != tp->mem_dev || st.st_ino != tp->mem_ino) return -ESTALE;
  tracer_t *t = calloc(1, sizeof *t);
  if (!t) return -ENOMEM;
  int h = alloc_handle(t);
  if (h < 0) { free(t); return h; }
  // The template forks at its FORK entry (a plain fork: flags = SIGCHLD).
  pthread_mutex_lock(&tp->lock);
  long pid = -ESRCH;
  if (tp->alive) {
    tp->args[0] = SYS_clone;
    tp->args[1] = SIGCHLD; tp->args[2] = 0; tp->args[3] = 0; tp->args[4] = 0; tp->args[5] = 0; tp->args[6] = 0;
    tp->entry = STUB_FORK;
    send_cmd(tp, CMD_INJECT, 1);
    pid = tp->result;
  }
  pthread_mutex_unlock(&tp->lock);
  if (pid < 0) { free_tracer(t); return (int)pid; }
  t->start_child = (pid_t)pid;
  t->start_parent = tp->tid;
  return start_control(t, handle_out, pid_out);
}

long platform_stub_syscall(int handle, const long *nr_and_args) {
  tracer_t *t = get_tracer(handle);
  if (!t || !t->is_control || t->is_template) return -EBADF;
  memcpy(t->args, nr_and_args, 7 * sizeof(long));
  t->entry = STUB_INJECT;
  send_cmd(t, CMD_INJECT, 1);
  return t->result;
}

int platform_stub_destroy(int handle) {
  tracer_t *t = get_tracer(handle);
  if (!t || !t->is_control) return -EBADF;
  // The control thread reaps the stub on its own: nobody waits for it.
  if (t->alive) kill(t->tid, SIGKILL);
  send_cmd(t, CMD_QUIT, 0);
  put_tracer(t);
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
  if (!c || !c->is_control || c->is_template) return -EBADF;
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
  int e = start_thread(t, guest_tracer_main);
  if (e) { free_tracer(t); return e; }
  if (t->result < 0) {
    e = (int)t->result;
    put_tracer(t);
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

// Called after the thread's EXIT event was consumed (or while it is stopped):
// the tracer touches neither the registers nor the FP buffer any more.
int platform_thread_release(int handle) {
  tracer_t *t = get_tracer(handle);
  if (!t || t->is_control) return -EBADF;
  if (t->alive) {
    // Still stopped in the stub: make it quit its tracer loop.
    send_cmd(t, CMD_QUIT, 0);
  }
  put_tracer(t);
  return 0;
}

// --- spare stubs -----------------------------------------------------------------------
// A stub with its first thread, made ahead of time by a background thread per
// template, so that fork and execve do not wait for the template's fork, the
// seizes and the thread's clone (~0.5-2 ms on a busy 2-vCPU machine). A spare
// is exactly what platform_stub_create + platform_thread_create give; its
// thread's registers wait in the spare until JavaScript takes it and hands in
// its own buffers.
typedef struct spare {
  int stub_handle, stub_pid, thread_handle, thread_tid;
  uint64_t regs[PLATFORM_REGS_WORDS];
  unsigned char fp[PLATFORM_FP_BYTES] __attribute__((aligned(64)));
} spare_t;

#define SPARES_MAX 4
#define SPARE_POOLS 16
typedef struct spare_pool {
  int template_handle, memfd, target;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  spare_t *items[SPARES_MAX];
  int count;
  int stop;
  int failed;  // the last attempt failed: wait for a take before trying again
  pthread_t th;
} spare_pool_t;

static spare_pool_t *spare_pools[SPARE_POOLS];
static pthread_mutex_t spare_pools_lock = PTHREAD_MUTEX_INITIALIZER;

static spare_t *spare_make(spare_pool_t *p) {
  spare_t *s;
  if (posix_memalign((void **)&s, 64, sizeof *s)) return NULL;
  memset(s, 0, sizeof *s);
  if (platform_stub_create(p->template_handle, p->memfd, &s->stub_handle, &s->stub_pid) < 0) { free(s); return NULL; }
  if (platform_thread_create(s->stub_handle, s->regs, s->fp, &s->thread_handle, &s->thread_tid) < 0) {
    platform_stub_destroy(s->stub_handle);
    free(s);
    return NULL;
  }
  return s;
}

static void spare_destroy(spare_t *s) {
  platform_thread_release(s->thread_handle);  // its tracer kills and reaps it; it touches no buffer
  platform_stub_destroy(s->stub_handle);
  free(s);
}

static void *spares_main(void *arg) {
  spare_pool_t *p = arg;
  pthread_mutex_lock(&p->lock);
  while (!p->stop) {
    if (p->count >= p->target || p->failed) { pthread_cond_wait(&p->cond, &p->lock); continue; }
    pthread_mutex_unlock(&p->lock);
    spare_t *s = spare_make(p);
    pthread_mutex_lock(&p->lock);
    if (!s) { p->failed = 1; continue; }
    if (p->stop || p->count >= SPARES_MAX) { spare_destroy(s); continue; }
    p->items[p->count++] = s;
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

// Starts keeping `target` spares of the template (memfd: its MemoryFile). A pool id or -errno.
int platform_spares_start(int template_handle, int memfd, int target) {
  tracer_t *tp = get_tracer(template_handle);
  if (!tp || !tp->is_template) return -EBADF;
  if (target < 1 || target > SPARES_MAX) return -EINVAL;
  spare_pool_t *p = calloc(1, sizeof *p);
  if (!p) return -ENOMEM;
  p->template_handle = template_handle;
  p->memfd = memfd;
  p->target = target;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->cond, NULL);
  pthread_mutex_lock(&spare_pools_lock);
  int id = -1;
  for (int i = 0; i < SPARE_POOLS; i++) if (!spare_pools[i]) { id = i; break; }
  if (id >= 0) spare_pools[id] = p;
  pthread_mutex_unlock(&spare_pools_lock);
  if (id < 0) { free(p); return -EAGAIN; }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 128 * 1024);
  int r = pthread_create(&p->th, &attr, spares_main, p);
  pthread_attr_destroy(&attr);
  if (r) {
    pthread_mutex_lock(&spare_pools_lock);
    spare_pools[id] = NULL;
    pthread_mutex_unlock(&spare_pools_lock);
    free(p);
    return -r;
  }
  return id;
}

// Takes a spare: its thread now reports into regs and fp (copied from the
// spare). out = [stub handle, stub pid, thread handle, thread tid]. -EAGAIN if none is ready.
int platform_spares_take(int id, uint64_t *regs, void *fp, int *out) {
  if (id < 0 || id >= SPARE_POOLS || !spare_pools[id]) return -EBADF;
  spare_pool_t *p = spare_pools[id];
  pthread_mutex_lock(&p->lock);
  spare_t *s = p->count > 0 ? p->items[--p->count] : NULL;
  p->failed = 0;
  pthread_cond_signal(&p->cond);
  pthread_mutex_unlock(&p->lock);
  if (!s) return -EAGAIN;
  // A spare dead meanwhile (its template killed from outside: PR_SET_PDEATHSIG) is not handed out.
  siginfo_t si;
  memset(&si, 0, sizeof si);
  tracer_t *t = get_tracer(s->thread_handle);
  if (!t || waitid(P_PID, (id_t)s->stub_pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 || si.si_pid != 0) {
    spare_destroy(s);
    return -EAGAIN;
  }
  // The tracer is idle (waiting for a command): it reads these pointers only after the next one.
  memcpy(regs, s->regs, sizeof s->regs);
  t->regs = regs;
  t->fp = fp;
  out[0] = s->stub_handle; out[1] = s->stub_pid; out[2] = s->thread_handle; out[3] = s->thread_tid;
  free(s);
  return 0;
}

// Stops the pool's thread and destroys its spares (before the template goes).
int platform_spares_stop(int id) {
  if (id < 0 || id >= SPARE_POOLS || !spare_pools[id]) return -EBADF;
  spare_pool_t *p = spare_pools[id];
  pthread_mutex_lock(&p->lock);
  p->stop = 1;
  pthread_cond_signal(&p->cond);
  pthread_mutex_unlock(&p->lock);
  pthread_join(p->th, NULL);
  for (int i = 0; i < p->count; i++) spare_destroy(p->items[i]);
  pthread_mutex_lock(&spare_pools_lock);
  spare_pools[id] = NULL;
  pthread_mutex_unlock(&spare_pools_lock);
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->lock);
  free(p);
  return 0;
}

// n mmaps of MemoryFile ranges in one command (ops: addr, length, prot, offset
// per map): the number done, stopping at the first failure, or -errno if the first failed.
long platform_stub_map_batch(int handle, const double *ops, int n) {
  tracer_t *t = get_tracer(handle);
  if (!t || !t->is_control || t->is_template) return -EBADF;
  if (n < 0) return -EINVAL;
  if (n == 0) return 0;
  t->batch = ops;
  t->batch_n = n;
  send_cmd(t, CMD_MAP_BATCH, 1);
  return t->result;
}

// --- the host vDSO (docs/vdso.md) -------------------------------------------------
// The host maps [vvar], [vvar_vclock] and [vdso] into every process; the
// template keeps the sentry's (so every stub has them at the same address) and
// the kernel offers them to the guest. Found in /proc/self/maps when the addon
// loads, before the sentry confines itself.
#define VDSO_MAX 4
static uint64_t vdso_ranges[3 * VDSO_MAX];  // start, end, kind (PLATFORM_VDSO_*)
static int vdso_count;

__attribute__((constructor)) static void vdso_scan(void) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  static char buf[1 << 16];
  size_t used = 0;
  for (;;) {
    ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
    if (n <= 0) break;
    used += (size_t)n;
    buf[used] = 0;
    char *line = buf, *nl;
    while ((nl = strchr(line, '\n')) != NULL) {
      *nl = 0;
      int kind = strstr(line, " [vvar]") ? PLATFORM_VDSO_VVAR
               : strstr(line, " [vvar_vclock]") ? PLATFORM_VDSO_VVAR_VCLOCK
               : strstr(line, " [vdso]") ? PLATFORM_VDSO_CODE : -1;
      unsigned long lo, hi;
      if (kind >= 0 && vdso_count < VDSO_MAX && sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
        vdso_ranges[3 * vdso_count] = lo;
        vdso_ranges[3 * vdso_count + 1] = hi;
        vdso_ranges[3 * vdso_count + 2] = (uint64_t)kind;
        vdso_count++;
      }
      line = nl + 1;
    }
    used = strlen(line);
    memmove(buf, line, used);
    if (used == sizeof buf - 1) used = 0;  // an absurd line: drop it
  }
  close(fd);
  // All or nothing: without a [vdso] code range there is nothing to offer.
  int code = 0;
  for (int i = 0; i < vdso_count; i++) code |= vdso_ranges[3 * i + 2] == PLATFORM_VDSO_CODE;
  if (!code) vdso_count = 0;
}

int platform_vdso_ranges(uint64_t *out, int max) {
  int n = vdso_count < max ? vdso_count : max;
  memcpy(out, vdso_ranges, (size_t)n * 3 * sizeof *out);
  return n;
}

// Unmaps [0, TASK_SIZE) of the template but the stub page and the vDSO ranges (sorted, as in maps).
static long template_unmap(tracer_t *t) {
  uintptr_t from = 0;
  for (int i = 0; i <= vdso_count; i++) {
    uintptr_t lo = i < vdso_count ? vdso_ranges[3 * i] : TASK_SIZE;
    uintptr_t hi = i < vdso_count ? vdso_ranges[3 * i + 1] : TASK_SIZE;
    if (lo <= stub_page && stub_page < hi) return -EEXIST;
    if (from <= stub_page && stub_page < lo) {
      if (stub_page > from) {
        long a[6] = {(long)from, (long)(stub_page - from), 0, 0, 0, 0};
        long r = inject(t, STUB_INJECT, SYS_munmap, a);
        if (r < 0) return r;
      }
      from = stub_page + 4096;
    }
    if (lo > from) {
      long a[6] = {(long)from, (long)(lo - from), 0, 0, 0, 0};
      long r = inject(t, STUB_INJECT, SYS_munmap, a);
      if (r < 0) return r;
    }
    if (hi > from) from = hi;
  }
  return 0;
}
