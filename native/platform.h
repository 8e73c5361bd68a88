// Native platform mechanisms shared by the N-API glue (addon.c).
#pragma once
#include <stdint.h>

// Per-thread shared register block (u64 words), owned by JavaScript:
//   [0, 27)  struct user_regs_struct (r15 … gs), as PTRACE_GETREGS lays it out
//   [27, 31) event: kind, info0, info1, info2 (see PLATFORM_EV_*)
#define PLATFORM_REGS_GP 27
#define PLATFORM_REGS_WORDS 32
#define PLATFORM_FP_BYTES 4096

#define PLATFORM_EV_SYSCALL 1
#define PLATFORM_EV_SIGNAL 2  // info0 = signo, info1 = si_code, info2 = si_addr
#define PLATFORM_EV_EXIT 3    // info0 = raw wait status

// The MemoryFile descriptor number inside every stub.
#define PLATFORM_STUB_MEMFD 3

int platform_stub_page_init(uintptr_t *out);
int platform_event_fd(void);
int platform_take_event(void);
int platform_spin_for_event(long max_ns);
// The template stub: made once by forking the sentry, reduced to the stub page
// and the MemoryFile at PLATFORM_STUB_MEMFD. It never runs guest code.
int platform_stub_template(int memfd, int *handle_out, int *pid_out);
// A new stub (an empty address space): a fork of the template, whose
// MemoryFile must be memfd's (-ESTALE otherwise; -ESRCH: the template died).
int platform_stub_create(int template_handle, int memfd, int *handle_out, int *pid_out);
long platform_stub_syscall(int handle, const long *nr_and_args);
int platform_stub_destroy(int handle);
int platform_stub_kill(int handle);
int platform_thread_create(int stub_handle, uint64_t *regs, void *fp, int *handle_out, int *tid_out);
int platform_thread_resume(int handle);
int platform_thread_exit(int handle);
// Makes a running thread stop soon (a signal-delivery stop the kernel suppresses); harmless if it is stopped.
int platform_thread_interrupt(int handle);
int platform_thread_fp(int handle, int set);
int platform_thread_release(int handle);
// Spare stubs (each with its first thread) made ahead by a background thread per template.
int platform_spares_start(int template_handle, int memfd, int target);
int platform_spares_take(int id, uint64_t *regs, void *fp, int *out);
int platform_spares_stop(int id);
// n MAP_SHARED|MAP_FIXED mmaps of the MemoryFile in a stub in one command (4 doubles per map: addr, length, prot, offset).
long platform_stub_map_batch(int handle, const double *ops, int n);
// The host's vDSO ranges kept in every stub (docs/vdso.md): up to max
// (start, end, kind) triples into out, sorted by address; returns their number.
#define PLATFORM_VDSO_VVAR 0
#define PLATFORM_VDSO_VVAR_VCLOCK 1
#define PLATFORM_VDSO_CODE 2
int platform_vdso_ranges(uint64_t *out, int max);
