/*
 * sigframe.c: running a signal handler (sigaction(2), sigaltstack(2),
 * sigreturn(2); arch/x86/kernel/signal.c): the rt_sigframe's layout and
 * alignment below the red zone, the alternate stack (nesting on it,
 * SS_ONSTACK, EPERM while on it, SS_DISABLE, SS_AUTODISARM, ENOMEM, EINVAL,
 * what fork and new threads inherit of it), synchronous fault signals and
 * their siginfo and sigcontext (trapno, error code, cr2; SIGSEGV
 * SEGV_MAPERR/SEGV_ACCERR with a handler that mprotects the page and
 * returns, SIGBUS past the end of a file, SIGFPE FPE_INTDIV, SIGILL from ud2,
 * SIGTRAP from int3), faults while the signal is blocked or ignored, handlers
 * that change the interrupted context (rip, a register, uc_sigmask),
 * SA_RESETHAND, SA_NODEFER, sa_mask, and rt_sigreturn or frame setup on a
 * bad stack or with a corrupted frame (the process gets SIGSEGV).
 *
 * Handlers record what they saw in globals; the cases check them. Signals
 * are raised with a raw tgkill so that delivery happens on that syscall's
 * return (glibc's raise() blocks everything around it). Cases that must kill
 * a process run in a forked child and check its wait status.
 */
#include "check.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>

/* --- helpers --------------------------------------------------------------------------------- */

#define BIT(s) (1ULL << ((s) - 1))
#define KSIGMINSTKSZ 2048 /* the kernel's MINSIGSTKSZ (glibc's macro may be a sysconf call) */
#define ALTSZ (64 * 1024)
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
/* The kernel's struct ucontext up to uc_sigmask (8 bytes): what lies between uc and siginfo. */
#define KUCONTEXT_SIZE 304

static pid_t my_tid(void) { return (pid_t)syscall(SYS_gettid); }

/* Sends sig to this thread; it is delivered as tgkill returns. */
static void self_signal(int sig) { syscall(SYS_tgkill, getpid(), my_tid(), sig); }

static uint64_t get_mask(void)
{
	uint64_t m = 0;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
	return m;
}

static int set_mask(uint64_t m) { return (int)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &m, NULL, 8); }

static uint64_t pending_mask(void)
{
	uint64_t m = 0;
	syscall(SYS_rt_sigpending, &m, 8);
	return m;
}

static int set_action(int sig, void (*fn)(int, siginfo_t *, void *), int flags, uint64_t mask)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s <= 64; s++)
		if (mask & BIT(s))
			sigaddset(&sa.sa_mask, s);
	return sigaction(sig, &sa, NULL);
}

static void reset_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	for (int s = 1; s <= 64; s++) {
		if (s == SIGKILL || s == SIGSTOP || s == 32 || s == 33)
			continue;
		sa.sa_handler = SIG_IGN;
		sigaction(s, &sa, NULL);
		sa.sa_handler = SIG_DFL;
		sigaction(s, &sa, NULL);
	}
	set_mask(0);
	stack_t off = {.ss_sp = NULL, .ss_flags = SS_DISABLE, .ss_size = 0};
	sigaltstack(&off, NULL);
}

static char *map(size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int in_range(uintptr_t a, const char *base, size_t len)
{
	return a >= (uintptr_t)base && a < (uintptr_t)base + len;
}

/* The wait status of a child running fn (which should not return). */
static int child_status(void (*fn)(void))
{
	int st = -1;
	pid_t c = fork();
	if (c == 0) {
		/* No core files from the signals that dump core. */
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_CORE, &rl);
		prctl(PR_SET_DUMPABLE, 0);
		fn();
		_exit(100);
	}
	if (c < 0)
		return -1;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* What handlers saw. */
static volatile int hits;
static volatile int depth, max_depth;
static volatile int rec_sig[8];
static volatile int rec_code[8];
static volatile uintptr_t rec_addr[8];
static volatile uintptr_t rec_local[8];
static volatile uintptr_t rec_rip[8];
static volatile long rec_trapno[8];
static volatile long rec_err[8];
static volatile uintptr_t rec_cr2[8];
static volatile uint64_t rec_mask[8];
static volatile uint64_t rec_ucmask[8];
static volatile uint64_t rec_pending[8];
static volatile int rec_ucstack_flags[8];
static volatile uintptr_t rec_ucstack_sp[8];
static volatile size_t rec_ucstack_size[8];
static stack_t rec_ss[8];
static volatile int rec_r[8], rec_errno[8];
static sigjmp_buf jb;

static void clear_rec(void)
{
	hits = depth = max_depth = 0;
	memset((void *)rec_sig, 0, sizeof(rec_sig));
	memset((void *)rec_code, 0, sizeof(rec_code));
	memset((void *)rec_addr, 0, sizeof(rec_addr));
	memset((void *)rec_local, 0, sizeof(rec_local));
	memset((void *)rec_rip, 0, sizeof(rec_rip));
	memset((void *)rec_mask, 0, sizeof(rec_mask));
	memset((void *)rec_ucmask, 0, sizeof(rec_ucmask));
	memset(rec_ss, 0, sizeof(rec_ss));
}

/* Records the common part; returns the record's index. */
static int record(int sig, siginfo_t *si, ucontext_t *uc, void *local)
{
	int i = hits;
	if (i >= 8)
		i = 7;
	rec_sig[i] = sig;
	rec_code[i] = si->si_code;
	rec_addr[i] = (uintptr_t)si->si_addr;
	rec_local[i] = (uintptr_t)local;
	rec_rip[i] = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	rec_trapno[i] = uc->uc_mcontext.gregs[REG_TRAPNO];
	rec_err[i] = uc->uc_mcontext.gregs[REG_ERR];
	rec_cr2[i] = (uintptr_t)uc->uc_mcontext.gregs[REG_CR2];
	rec_mask[i] = get_mask();
	memcpy((void *)&rec_ucmask[i], &uc->uc_sigmask, 8);
	rec_pending[i] = pending_mask();
	rec_ucstack_flags[i] = uc->uc_stack.ss_flags;
	rec_ucstack_sp[i] = (uintptr_t)uc->uc_stack.ss_sp;
	rec_ucstack_size[i] = uc->uc_stack.ss_size;
	hits = hits + 1;
	return i;
}

/* --- the frame --------------------------------------------------------------------------------- */

static volatile uintptr_t fr_uc, fr_si, fr_rsp, fr_fp, fr_sp_in;
static volatile int fr_arg_ok;
static volatile uint64_t fr_oldmask;

__attribute__((noinline)) static void frame_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char local;
	record(sig, si, uc, &local);
	fr_uc = (uintptr_t)uc;
	fr_si = (uintptr_t)si;
	fr_rsp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
	fr_fp = (uintptr_t)uc->uc_mcontext.fpregs;
	fr_oldmask = (uint64_t)uc->uc_mcontext.gregs[REG_OLDMASK];
	fr_sp_in = (uintptr_t)__builtin_frame_address(0);
	fr_arg_ok = sig == SIGUSR1 && si->si_signo == SIGUSR1;
}

static void frame_layout(void)
{
	clear_rec();
	CHECK_OK(set_action(SIGUSR1, frame_handler, 0, BIT(SIGUSR2)));
	CHECK_OK(set_mask(BIT(SIGWINCH)));
	self_signal(SIGUSR1);
	CHECK_EQ(hits, 1);
	CHECK(fr_arg_ok);
	CHECK_EQ(rec_code[0], SI_TKILL);
	/* rt_sigframe: pretcode at a 16n+8 address, then the ucontext, then the siginfo. */
	CHECK_EQ((fr_uc - 8) % 16, 8);
	CHECK_EQ(fr_si - fr_uc, KUCONTEXT_SIZE);
	/* The frame is below the interrupted rsp's red zone (128 bytes), the FP state above the frame, 64-byte aligned. */
	CHECKF(fr_rsp - 128 >= fr_si + sizeof(siginfo_t), "frame at 0x%lx, interrupted rsp 0x%lx", (unsigned long)fr_uc, (unsigned long)fr_rsp);
	CHECK(fr_rsp - fr_uc < 64 * 1024);
	CHECK(fr_fp >= fr_si + sizeof(siginfo_t));
	CHECK(fr_fp < fr_rsp - 128);
	CHECK_EQ(fr_fp % 64, 0);
	/* The handler's own stack is below the frame. */
	CHECK(fr_sp_in < fr_uc);
	/* Masks: in the handler, old | sa_mask | the signal; the frame has the old one (uc_sigmask and oldmask). */
	CHECK_EQ(rec_mask[0], BIT(SIGWINCH) | BIT(SIGUSR2) | BIT(SIGUSR1));
	CHECK_EQ(rec_ucmask[0], BIT(SIGWINCH));
	CHECK_EQ(fr_oldmask, BIT(SIGWINCH));
	CHECK_EQ(get_mask(), BIT(SIGWINCH));
	/* No alternate stack: uc_stack says SS_DISABLE. */
	CHECK_EQ(rec_ucstack_flags[0], SS_DISABLE);
	CHECK_EQ(rec_ucstack_sp[0], 0);
	CHECK_EQ(rec_ucstack_size[0], 0);
}

/* --- the alternate stack ------------------------------------------------------------------------- */

static char *alt, *alt2;
static volatile int alt_nest; /* alt_handler raises the nested signals */

static void alt_handler(int sig, siginfo_t *si, void *ucv)
{
	char local;
	int d = ++depth;
	if (d > max_depth)
		max_depth = d;
	int i = record(sig, si, ucv, &local);
	rec_r[i] = sigaltstack(NULL, &rec_ss[i]);
	if (alt_nest && sig == SIGUSR1 && d == 1) {
		/* While on it, the alternate stack cannot be changed or disabled. */
		stack_t n = {.ss_sp = alt2, .ss_flags = 0, .ss_size = ALTSZ};
		errno = 0;
		rec_r[7] = sigaltstack(&n, NULL);
		rec_errno[7] = errno;
		stack_t off = {.ss_sp = NULL, .ss_flags = SS_DISABLE, .ss_size = 0};
		errno = 0;
		rec_r[6] = sigaltstack(&off, NULL);
		rec_errno[6] = errno;
		/* The same signal again (SA_NODEFER), then another: both nest on the alternate stack. */
		self_signal(SIGUSR1);
		self_signal(SIGUSR2);
	}
	depth--;
}

static void altstack_nested(void)
{
	stack_t ss, old;
	char local;
	clear_rec();
	CHECK(alt = map(ALTSZ, PROT_READ | PROT_WRITE));
	CHECK(alt2 = map(ALTSZ, PROT_READ | PROT_WRITE));
	/* None yet. */
	memset(&old, 0x55, sizeof(old));
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK_EQ(old.ss_flags, SS_DISABLE);
	CHECK(old.ss_sp == NULL);
	CHECK_EQ(old.ss_size, 0);
	ss.ss_sp = alt;
	ss.ss_size = ALTSZ;
	ss.ss_flags = 0;
	memset(&old, 0x55, sizeof(old));
	CHECK_OK(sigaltstack(&ss, &old));
	CHECK_EQ(old.ss_flags, SS_DISABLE);
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK(old.ss_sp == alt);
	CHECK_EQ(old.ss_size, ALTSZ);
	CHECK_EQ(old.ss_flags, 0);
	CHECK_OK(set_action(SIGUSR1, alt_handler, SA_ONSTACK | SA_NODEFER, 0));
	CHECK_OK(set_action(SIGUSR2, alt_handler, SA_ONSTACK, 0));
	alt_nest = 1;
	self_signal(SIGUSR1);
	alt_nest = 0;
	CHECK_EQ(hits, 3);
	CHECK_EQ(max_depth, 2);
	CHECK_EQ(rec_sig[0], SIGUSR1);
	CHECK_EQ(rec_sig[1], SIGUSR1);
	CHECK_EQ(rec_sig[2], SIGUSR2);
	for (int i = 0; i < 3; i++) {
		CHECKF(in_range(rec_local[i], alt, ALTSZ), "handler %d ran at 0x%lx, not on the alternate stack [%p, +%d)", i,
		       (unsigned long)rec_local[i], alt, ALTSZ);
		/* sigaltstack in the handler: SS_ONSTACK. */
		CHECK_EQ(rec_r[i], 0);
		CHECK_EQ(rec_ss[i].ss_flags, SS_ONSTACK);
		CHECK(rec_ss[i].ss_sp == alt);
		CHECK_EQ(rec_ss[i].ss_size, ALTSZ);
		/* uc_stack: the alternate stack's settings. */
		CHECK_EQ(rec_ucstack_sp[i], (uintptr_t)alt);
		CHECK_EQ(rec_ucstack_size[i], ALTSZ);
	}
	int ucflags[3] = {rec_ucstack_flags[0], rec_ucstack_flags[1], rec_ucstack_flags[2]};
	/* Nested frames go below the outer one. */
	CHECK(rec_local[1] < rec_local[0]);
	CHECK(rec_local[2] < rec_local[0]);
	CHECK_EQ(rec_r[7], -1);
	CHECK_EQ(rec_errno[7], EPERM);
	CHECK_EQ(rec_r[6], -1);
	CHECK_EQ(rec_errno[6], EPERM);
	/* Back off it: unchanged, and changeable again. */
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK(old.ss_sp == alt);
	CHECK_EQ(old.ss_flags, 0);
	/* A handler without SA_ONSTACK runs on the normal stack. */
	clear_rec();
	CHECK_OK(set_action(SIGUSR2, alt_handler, 0, 0));
	self_signal(SIGUSR2);
	CHECK_EQ(hits, 1);
	CHECK(!in_range(rec_local[0], alt, ALTSZ));
	CHECKF(rec_local[0] < (uintptr_t)&local && (uintptr_t)&local - rec_local[0] < 64 * 1024,
	       "handler local 0x%lx, ours %p", (unsigned long)rec_local[0], (void *)&local);
	CHECK_EQ(rec_ss[0].ss_flags, 0);
	CHECK_EQ(rec_ucstack_flags[0], 0);
	/*
	 * uc_stack.ss_flags is the flags as set with sigaltstack (Linux's
	 * __save_altstack stores sas_ss_flags), not SS_ONSTACK, even in the
	 * nested frames whose interrupted code ran on the alternate stack.
	 */
	for (int i = 0; i < 3; i++)
		CHECKF(ucflags[i] == 0, "frame %d: uc_stack.ss_flags %d, want 0 (the flags as set)", i, ucflags[i]);
}

static void altstack_errors(void)
{
	stack_t ss, old;
	CHECK(alt = map(ALTSZ, PROT_READ | PROT_WRITE));
	ss.ss_sp = alt;
	ss.ss_flags = 0;
	/* Too small: ENOMEM, and nothing changes. */
	ss.ss_size = KSIGMINSTKSZ - 1;
	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_size = 0;
	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK_EQ(old.ss_flags, SS_DISABLE);
	ss.ss_size = KSIGMINSTKSZ;
	CHECK_OK(sigaltstack(&ss, NULL));
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK_EQ(old.ss_size, KSIGMINSTKSZ);
	/* Bad flags: EINVAL (SS_ONSTACK is accepted, and means 0). */
	ss.ss_size = ALTSZ;
	ss.ss_flags = 0x1234;
	CHECK_ERR(sigaltstack(&ss, NULL), EINVAL);
	ss.ss_flags = SS_DISABLE | SS_ONSTACK;
	CHECK_ERR(sigaltstack(&ss, NULL), EINVAL);
	ss.ss_flags = SS_ONSTACK;
	CHECK_OK(sigaltstack(&ss, NULL));
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK(old.ss_sp == alt);
	CHECK_EQ(old.ss_size, ALTSZ);
	CHECK_EQ(old.ss_flags, 0);
	/* Faults: EFAULT (the old value is not written when the call fails). */
	CHECK_ERR(sigaltstack(BAD_LOW, NULL), EFAULT);
	CHECK_ERR(sigaltstack(NULL, BAD_LOW), EFAULT);
	memset(&old, 0x55, sizeof(old));
	ss.ss_flags = 0x1234;
	CHECK_ERR(sigaltstack(&ss, &old), EINVAL);
	CHECK_EQ(old.ss_flags, 0x55555555);
	/* SS_DISABLE: any sp and size, reads back as NULL, 0. */
	ss.ss_sp = (void *)0x1234;
	ss.ss_size = 1;
	ss.ss_flags = SS_DISABLE;
	memset(&old, 0x55, sizeof(old));
	CHECK_OK(sigaltstack(&ss, &old));
	CHECK(old.ss_sp == alt);
	CHECK_EQ(old.ss_flags, 0);
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK(old.ss_sp == NULL);
	CHECK_EQ(old.ss_size, 0);
	CHECK_EQ(old.ss_flags, SS_DISABLE);
	/* An SA_ONSTACK handler without an alternate stack runs on the normal one. */
	clear_rec();
	CHECK_OK(set_action(SIGUSR1, alt_handler, SA_ONSTACK, 0));
	self_signal(SIGUSR1);
	CHECK_EQ(hits, 1);
	CHECK(!in_range(rec_local[0], alt, ALTSZ));
	CHECK_EQ(rec_ss[0].ss_flags, SS_DISABLE);
}

static volatile int ad_r, ad_errno;

static void autodisarm_handler(int sig, siginfo_t *si, void *ucv)
{
	char local;
	int i = record(sig, si, ucv, &local);
	rec_r[i] = sigaltstack(NULL, &rec_ss[i]);
	/* Disarmed: it may be changed here (the frame's uc_stack puts it back on return). */
	stack_t n = {.ss_sp = alt2, .ss_flags = 0, .ss_size = ALTSZ};
	errno = 0;
	ad_r = sigaltstack(&n, NULL);
	ad_errno = errno;
	if (hits == 1)
		self_signal(SIGUSR2); /* blocked by sa_mask: runs after return, on the restored stack */
}

static void altstack_autodisarm(void)
{
	stack_t ss, old;
	clear_rec();
	CHECK(alt = map(ALTSZ, PROT_READ | PROT_WRITE));
	CHECK(alt2 = map(ALTSZ, PROT_READ | PROT_WRITE));
	ss.ss_sp = alt;
	ss.ss_size = ALTSZ;
	ss.ss_flags = SS_AUTODISARM;
	CHECK_OK(sigaltstack(&ss, NULL));
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK_EQ((unsigned)old.ss_flags, SS_AUTODISARM);
	CHECK(old.ss_sp == alt);
	CHECK_OK(set_action(SIGUSR1, autodisarm_handler, SA_ONSTACK, BIT(SIGUSR2)));
	CHECK_OK(set_action(SIGUSR2, autodisarm_handler, SA_ONSTACK, 0));
	self_signal(SIGUSR1);
	CHECK_EQ(hits, 2);
	CHECK_EQ(rec_sig[0], SIGUSR1);
	CHECK_EQ(rec_sig[1], SIGUSR2);
	CHECK(in_range(rec_local[0], alt, ALTSZ));
	/* In the handler: disarmed (SS_DISABLE, no SS_AUTODISARM bit), and changeable. */
	CHECK_EQ(rec_r[0], 0);
	CHECK_EQ(rec_ss[0].ss_flags, SS_DISABLE);
	CHECK(rec_ss[0].ss_sp == NULL);
	CHECK_EQ(rec_ss[0].ss_size, 0);
	CHECK_EQ(ad_r, 0);
	/* uc_stack: the stack as it was, with SS_AUTODISARM. */
	CHECK_EQ(rec_ucstack_sp[0], (uintptr_t)alt);
	CHECK_EQ(rec_ucstack_size[0], ALTSZ);
	CHECK_EQ((unsigned)rec_ucstack_flags[0], SS_AUTODISARM);
	/* sigreturn put the first one back: the second handler ran on it again. */
	CHECK(in_range(rec_local[1], alt, ALTSZ));
	CHECK_EQ(rec_ucstack_sp[1], (uintptr_t)alt);
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK(old.ss_sp == alt);
	CHECK_EQ(old.ss_size, ALTSZ);
	CHECK_EQ((unsigned)old.ss_flags, SS_AUTODISARM);
}

static void *altstack_query(void *v)
{
	stack_t *ss = v;
	sigaltstack(NULL, ss);
	return NULL;
}

/* A fork child inherits the alternate stack; a new thread starts without one. */
static void altstack_inheritance(void)
{
	stack_t ss, got;
	pthread_t th;
	CHECK(alt = map(ALTSZ, PROT_READ | PROT_WRITE));
	ss.ss_sp = alt;
	ss.ss_size = ALTSZ;
	ss.ss_flags = 0;
	CHECK_OK(sigaltstack(&ss, NULL));
	memset(&got, 0x55, sizeof(got));
	CHECK_EQ(pthread_create(&th, NULL, altstack_query, &got), 0);
	pthread_join(th, NULL);
	CHECK_EQ(got.ss_flags, SS_DISABLE);
	CHECK(got.ss_sp == NULL);
	CHECK_EQ(got.ss_size, 0);
	pid_t c = fork();
	if (c == 0) {
		sigaltstack(NULL, &got);
		_exit(got.ss_sp == alt && got.ss_size == ALTSZ && got.ss_flags == 0 ? 0 : 1);
	}
	CHECK_OK(c);
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK_EQ(st, 0);
}

/* --- faults -------------------------------------------------------------------------------------- */

static char *fault_page;

static void segv_fix_handler(int sig, siginfo_t *si, void *ucv)
{
	char local;
	record(sig, si, ucv, &local);
	mprotect(fault_page, PAGE, PROT_READ | PROT_WRITE);
}

static void segv_accerr_mprotect(void)
{
	clear_rec();
	CHECK(fault_page = map(PAGE, PROT_READ));
	CHECK_OK(set_action(SIGSEGV, segv_fix_handler, 0, 0));
	volatile int *p = (volatile int *)(fault_page + 8);
	*p = 42; /* faults once; the handler makes the page writable and the write is retried */
	CHECK_EQ(*p, 42);
	CHECK_EQ(hits, 1);
	CHECK_EQ(rec_sig[0], SIGSEGV);
	CHECK_EQ(rec_code[0], SEGV_ACCERR);
	CHECK_EQ(rec_addr[0], (uintptr_t)p);
	CHECK_EQ(rec_mask[0], BIT(SIGSEGV));
	CHECK_EQ(get_mask(), 0);
	/* sigcontext: page fault (trap 14), cr2 the address. */
	CHECK_EQ(rec_trapno[0], 14);
	CHECK_EQ(rec_cr2[0], (uintptr_t)p);
	munmap(fault_page, PAGE);
}

static void jump_handler(int sig, siginfo_t *si, void *ucv)
{
	char local;
	record(sig, si, ucv, &local);
	siglongjmp(jb, 1);
}

static void segv_maperr(void)
{
	char *p;
	clear_rec();
	CHECK(p = map(2 * PAGE, PROT_READ | PROT_WRITE));
	CHECK_OK(munmap(p + PAGE, PAGE));
	CHECK_OK(set_action(SIGSEGV, jump_handler, 0, 0));
	volatile char *bad = p + PAGE + 100;
	if (sigsetjmp(jb, 1) == 0) {
		(void)*bad;
		CHECKF(0, "read of an unmapped page did not fault");
	}
	CHECK_EQ(hits, 1);
	CHECK_EQ(rec_sig[0], SIGSEGV);
	CHECK_EQ(rec_code[0], SEGV_MAPERR);
	CHECK_EQ(rec_addr[0], (uintptr_t)bad);
	/* siglongjmp restored the mask (sigsetjmp saved it). */
	CHECK_EQ(get_mask(), 0);
	/* A PROT_NONE page: SEGV_ACCERR. */
	CHECK_OK(mprotect(p, PAGE, PROT_NONE));
	if (sigsetjmp(jb, 1) == 0) {
		(void)*(volatile char *)(p + 5);
		CHECKF(0, "read of a PROT_NONE page did not fault");
	}
	CHECK_EQ(hits, 2);
	CHECK_EQ(rec_code[1], SEGV_ACCERR);
	CHECK_EQ(rec_addr[1], (uintptr_t)(p + 5));
	/* A kernel address: SEGV_MAPERR... */
	if (sigsetjmp(jb, 1) == 0) {
		(void)*(volatile char *)BAD_HIGH;
		CHECKF(0, "read of a kernel address did not fault");
	}
	CHECK_EQ(hits, 3);
	CHECK_EQ(rec_sig[2], SIGSEGV);
	CHECK_EQ(rec_code[2], SEGV_MAPERR);
	CHECK_EQ(rec_addr[2], (uintptr_t)BAD_HIGH);
	/* ...a non-canonical one is a general protection fault: SI_KERNEL, no address. */
	if (sigsetjmp(jb, 1) == 0) {
		(void)*(volatile char *)BAD_NONCANON;
		CHECKF(0, "read of a non-canonical address did not fault");
	}
	CHECK_EQ(hits, 4);
	CHECK_EQ(rec_sig[3], SIGSEGV);
	CHECK_EQ(rec_code[3], SI_KERNEL);
	CHECK_EQ(rec_addr[3], 0);
	/* sigcontext of the first: page fault (14), cr2. */
	CHECK_EQ(rec_trapno[0], 14);
	CHECK_EQ(rec_cr2[0], (uintptr_t)bad);
	munmap(p, PAGE);
}

static void sigbus_past_eof(void)
{
	char path[] = "/tmp/tsvisor-sigbus-XXXXXX";
	clear_rec();
	int fd = mkstemp(path);
	CHECK_OK(fd);
	unlink(path);
	CHECK_EQ(write(fd, "hello", 5), 5);
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_OK(set_action(SIGBUS, jump_handler, 0, 0));
	CHECK_EQ(p[4], 'o');
	CHECK_EQ(p[100], 0); /* the rest of the last page reads zeroes */
	if (sigsetjmp(jb, 1) == 0) {
		(void)*(volatile char *)(p + PAGE + 10);
		CHECKF(0, "read past the end of the file did not fault");
	}
	CHECK_EQ(hits, 1);
	CHECK_EQ(rec_sig[0], SIGBUS);
	CHECK_EQ(rec_code[0], BUS_ADRERR);
	CHECK_EQ(rec_addr[0], (uintptr_t)(p + PAGE + 10));
	/* A write there too. */
	if (sigsetjmp(jb, 1) == 0) {
		*(volatile char *)(p + 2 * PAGE) = 1;
		CHECKF(0, "write past the end of the file did not fault");
	}
	CHECK_EQ(hits, 2);
	CHECK_EQ(rec_code[1], BUS_ADRERR);
	CHECK_EQ(rec_addr[1], (uintptr_t)(p + 2 * PAGE));
	/* Grown, the page is there. */
	CHECK_OK(ftruncate(fd, 2 * PAGE));
	CHECK_EQ(*(volatile char *)(p + PAGE + 10), 0);
	munmap(p, 3 * PAGE);
	close(fd);
}

/*
 * The page-fault error code in sigcontext (REG_ERR): bit 2 user mode, bit 1
 * a write (QEMU's user mode, for one, tells reads from writes by it); bit 0
 * (page present) depends on whether the page was populated: not checked.
 */
static void segv_error_code(void)
{
	char *p;
	clear_rec();
	CHECK(p = map(2 * PAGE, PROT_READ));
	CHECK_OK(munmap(p + PAGE, PAGE));
	CHECK_EQ(*(volatile char *)p, 0); /* populated */
	CHECK_OK(set_action(SIGSEGV, jump_handler, 0, 0));
	if (sigsetjmp(jb, 1) == 0)
		*(volatile char *)(p + 1) = 1;
	if (sigsetjmp(jb, 1) == 0)
		*(volatile char *)(p + PAGE + 1) = 1;
	if (sigsetjmp(jb, 1) == 0)
		(void)*(volatile char *)(p + PAGE + 2);
	CHECK_EQ(hits, 3);
	CHECK_EQ(rec_code[0], SEGV_ACCERR);
	CHECK_EQ(rec_code[1], SEGV_MAPERR);
	CHECK_EQ(rec_code[2], SEGV_MAPERR);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(rec_trapno[i], 14);
		CHECK_EQ(rec_cr2[i], rec_addr[i]);
	}
	CHECKF((rec_err[0] & 6) == 6, "write to a read-only page: error code %ld, want the write and user bits (6)", rec_err[0]);
	/* The write bit of a fault on an unmapped page (rec_err[1]) is not checked: tsvisor's ptrace
	 * platform does not learn the access type of a fault on a page that is not mapped (a known limit). */
	CHECK_EQ(rec_err[1] & 4, 4);
	CHECKF((rec_err[2] & 6) == 4, "read of an unmapped page: error code %ld, want the user bit only (4)", rec_err[2]);
	CHECK_EQ(rec_err[0] & 1, 1); /* that page was present */
	munmap(p, PAGE);
}

extern char fpe_insn[], ill_insn[], ill_after[], trap_after[], segv_insn[], segv_after[];

__attribute__((noinline)) static int divide(int a, int b)
{
	int q;
	__asm__ volatile(".globl fpe_insn\n"
			 "fpe_insn: cltd\n"
			 "idivl %2\n"
			 : "=a"(q)
			 : "a"(a), "r"(b)
			 : "rdx", "cc");
	return q;
}

static void sigfpe_intdiv(void)
{
	clear_rec();
	CHECK_OK(set_action(SIGFPE, jump_handler, 0, 0));
	CHECK_EQ(divide(7, 2), 3);
	if (sigsetjmp(jb, 1) == 0) {
		divide(1, 0);
		CHECKF(0, "division by zero did not fault");
	}
	CHECK_EQ(hits, 1);
	CHECK_EQ(rec_sig[0], SIGFPE);
	CHECK_EQ(rec_code[0], FPE_INTDIV);
	/* si_addr and rip: the idiv (after the 1-byte cltd). */
	CHECK_EQ(rec_addr[0], (uintptr_t)fpe_insn + 1);
	CHECK_EQ(rec_rip[0], (uintptr_t)fpe_insn + 1);
	CHECK_EQ(get_mask(), 0);
	/* INT_MIN / -1 overflows: SIGFPE too (FPE_INTDIV on x86). */
	if (sigsetjmp(jb, 1) == 0) {
		divide(INT32_MIN, -1);
		CHECKF(0, "INT_MIN / -1 did not fault");
	}
	CHECK_EQ(hits, 2);
	CHECK_EQ(rec_code[1], FPE_INTDIV);
}

/* Skips the faulting instruction: rip to the label after it. */
static volatile uintptr_t skip_to;
static volatile long set_rax;

static void skip_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char local;
	record(sig, si, uc, &local);
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)skip_to;
	if (set_rax)
		uc->uc_mcontext.gregs[REG_RAX] = set_rax;
}

__attribute__((noinline)) static void do_ud2(void)
{
	__asm__ volatile(".globl ill_insn\n"
			 "ill_insn: ud2\n"
			 ".globl ill_after\n"
			 "ill_after:\n");
}

static void sigill_ud2(void)
{
	clear_rec();
	skip_to = (uintptr_t)ill_after;
	set_rax = 0;
	CHECK_OK(set_action(SIGILL, skip_handler, 0, 0));
	do_ud2();
	CHECK_EQ(hits, 1);
	CHECK_EQ(rec_sig[0], SIGILL);
	CHECK_EQ(rec_code[0], ILL_ILLOPN);
	CHECK_EQ(rec_addr[0], (uintptr_t)ill_insn);
	CHECK_EQ(rec_rip[0], (uintptr_t)ill_insn);
	CHECK_EQ(get_mask(), 0);
	do_ud2();
	CHECK_EQ(hits, 2);
}

__attribute__((noinline)) static void do_int3(void)
{
	__asm__ volatile("int3\n"
			 ".globl trap_after\n"
			 "trap_after:\n");
}

static void record_handler(int sig, siginfo_t *si, void *ucv)
{
	char local;
	record(sig, si, ucv, &local);
}

static void sigtrap_int3(void)
{
	clear_rec();
	CHECK_OK(set_action(SIGTRAP, record_handler, 0, 0));
	do_int3();
	CHECK_EQ(hits, 1);
	CHECK_EQ(rec_sig[0], SIGTRAP);
	/* int3 is a trap: rip is past it. Linux sends it as the kernel (SI_KERNEL), no address. */
	CHECK_EQ(rec_rip[0], (uintptr_t)trap_after);
	CHECK_EQ(rec_code[0], SI_KERNEL);
	CHECK_EQ(rec_addr[0], 0);
	do_int3();
	CHECK_EQ(hits, 2);
}

/* sigcontext's trapno (and error code) for each kind of fault, as the CPU gave them. */
static void sigcontext_trapno(void)
{
	clear_rec();
	CHECK_OK(set_action(SIGFPE, jump_handler, 0, 0));
	CHECK_OK(set_action(SIGTRAP, record_handler, 0, 0));
	CHECK_OK(set_action(SIGSEGV, jump_handler, 0, 0));
	skip_to = (uintptr_t)ill_after;
	set_rax = 0;
	CHECK_OK(set_action(SIGILL, skip_handler, 0, 0));
	if (sigsetjmp(jb, 1) == 0)
		divide(1, 0);
	do_int3();
	do_ud2();
	if (sigsetjmp(jb, 1) == 0)
		(void)*(volatile char *)BAD_NONCANON;
	if (sigsetjmp(jb, 1) == 0)
		(void)*(volatile char *)BAD_LOW;
	CHECK_EQ(hits, 5);
	static const int sigs[5] = {SIGFPE, SIGTRAP, SIGILL, SIGSEGV, SIGSEGV};
	static const long traps[5] = {0 /* #DE */, 3 /* #BP */, 6 /* #UD */, 13 /* #GP */, 14 /* #PF */};
	static const char *names[5] = {"divide error", "int3", "ud2", "non-canonical access", "page fault"};
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(rec_sig[i], sigs[i]);
		CHECKF(rec_trapno[i] == traps[i], "%s: trapno %ld, want %ld", names[i], rec_trapno[i], traps[i]);
		if (i < 4)
			CHECKF(rec_err[i] == 0, "%s: error code %ld, want 0", names[i], rec_err[i]);
	}
}

__attribute__((noinline)) static long load_from(const void *addr)
{
	long v;
	__asm__ volatile("xor %%eax, %%eax\n"
			 ".globl segv_insn\n"
			 "segv_insn: movl (%1), %%eax\n"
			 ".globl segv_after\n"
			 "segv_after:\n"
			 : "=&a"(v)
			 : "r"(addr)
			 : "memory");
	return v;
}

static void ucontext_skip_insn(void)
{
	char *p;
	clear_rec();
	CHECK(p = map(PAGE, PROT_NONE));
	skip_to = (uintptr_t)segv_after;
	set_rax = 0x1234;
	CHECK_OK(set_action(SIGSEGV, skip_handler, 0, 0));
	/* The handler moves rip past the load and sets rax: both take effect. */
	long v = load_from(p + 64);
	CHECK_EQ(hits, 1);
	CHECK_EQ(v, 0x1234);
	CHECK_EQ(rec_rip[0], (uintptr_t)segv_insn);
	CHECK_EQ(rec_addr[0], (uintptr_t)(p + 64));
	CHECK_EQ(rec_code[0], SEGV_ACCERR);
	set_rax = 0;
	munmap(p, PAGE);
}

/* A fault whose signal is blocked or ignored cannot be put off: the process dies of it. */
static void segv_blocked_child(void)
{
	set_action(SIGSEGV, record_handler, 0, 0);
	set_mask(BIT(SIGSEGV));
	*(volatile int *)BAD_LOW = 1;
}

static void segv_ignored_child(void)
{
	signal(SIGSEGV, SIG_IGN);
	*(volatile int *)BAD_LOW = 1;
}

static void ill_blocked_child(void)
{
	set_action(SIGILL, record_handler, 0, 0);
	set_mask(BIT(SIGILL));
	do_ud2();
}

/* A fault in a SIGSEGV handler (SIGSEGV is blocked while it runs). */
static void segv_again_handler(int sig, siginfo_t *si, void *ucv)
{
	(void)sig, (void)si, (void)ucv;
	*(volatile int *)BAD_LOW = 2;
}

static void segv_in_handler_child(void)
{
	set_action(SIGSEGV, segv_again_handler, 0, 0);
	*(volatile int *)BAD_LOW = 1;
}

static void fault_blocked_or_ignored(void)
{
	int st = child_status(segv_blocked_child);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "blocked SIGSEGV: status 0x%x", st);
	st = child_status(segv_ignored_child);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "ignored SIGSEGV: status 0x%x", st);
	st = child_status(ill_blocked_child);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGILL, "blocked SIGILL: status 0x%x", st);
	st = child_status(segv_in_handler_child);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "SIGSEGV in its handler: status 0x%x", st);
}

/* --- what a handler may change ----------------------------------------------------------------- */

static void ucmask_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char local;
	record(sig, si, uc, &local);
	sigaddset(&uc->uc_sigmask, SIGUSR2);
	sigdelset(&uc->uc_sigmask, SIGWINCH);
	/* Even SIGKILL and SIGSTOP: sigreturn drops them. */
	sigaddset(&uc->uc_sigmask, SIGKILL);
	sigaddset(&uc->uc_sigmask, SIGSTOP);
}

static void ucontext_sigmask(void)
{
	clear_rec();
	CHECK_OK(set_action(SIGUSR1, ucmask_handler, 0, 0));
	CHECK_OK(set_mask(BIT(SIGWINCH) | BIT(SIGURG)));
	self_signal(SIGUSR1);
	CHECK_EQ(hits, 1);
	CHECK_EQ(rec_ucmask[0], BIT(SIGWINCH) | BIT(SIGURG));
	/* sigreturn set the mask from uc_sigmask as the handler left it. */
	CHECK_EQ(get_mask(), BIT(SIGURG) | BIT(SIGUSR2));
	/* Unchanged, it is restored as it was. */
	clear_rec();
	CHECK_OK(set_action(SIGUSR1, record_handler, 0, BIT(SIGHUP)));
	self_signal(SIGUSR1);
	CHECK_EQ(hits, 1);
	CHECK_EQ(rec_mask[0], BIT(SIGURG) | BIT(SIGUSR2) | BIT(SIGHUP) | BIT(SIGUSR1));
	CHECK_EQ(get_mask(), BIT(SIGURG) | BIT(SIGUSR2));
}

static void resethand_child(void)
{
	clear_rec();
	set_action(SIGUSR1, record_handler, SA_RESETHAND, 0);
	self_signal(SIGUSR1);
	if (hits != 1)
		_exit(10);
	self_signal(SIGUSR1); /* SIG_DFL now: terminates */
	_exit(11);
}

static void sa_resethand(void)
{
	struct sigaction old;
	clear_rec();
	CHECK_OK(set_action(SIGUSR1, record_handler, SA_RESETHAND, BIT(SIGUSR2)));
	self_signal(SIGUSR1);
	CHECK_EQ(hits, 1);
	/* The handler ran with the signal blocked (SA_RESETHAND alone does not imply SA_NODEFER). */
	CHECK_EQ(rec_mask[0], BIT(SIGUSR1) | BIT(SIGUSR2));
	CHECK_OK(sigaction(SIGUSR1, NULL, &old));
	CHECK(old.sa_handler == SIG_DFL);
	int st = child_status(resethand_child);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "status 0x%x", st);
	/* Only the handler is reset (get_signal: sa_handler = SIG_DFL): flags and mask stay. */
	CHECK_EQ(old.sa_flags & (SA_RESETHAND | SA_SIGINFO), SA_RESETHAND | SA_SIGINFO);
	CHECK_EQ(sigismember(&old.sa_mask, SIGUSR2), 1);
}

static void nodefer_handler(int sig, siginfo_t *si, void *ucv)
{
	char local;
	int d = ++depth;
	if (d > max_depth)
		max_depth = d;
	record(sig, si, ucv, &local);
	if (hits == 1)
		self_signal(sig);
	depth--;
}

static void sa_nodefer(void)
{
	/* SA_NODEFER: the same signal nests. */
	clear_rec();
	CHECK_OK(set_action(SIGUSR1, nodefer_handler, SA_NODEFER, 0));
	self_signal(SIGUSR1);
	CHECK_EQ(hits, 2);
	CHECK_EQ(max_depth, 2);
	CHECK_EQ(rec_mask[0], 0);
	/* Without it: blocked in the handler, delivered after it returns. */
	clear_rec();
	CHECK_OK(set_action(SIGUSR1, nodefer_handler, 0, 0));
	self_signal(SIGUSR1);
	CHECK_EQ(hits, 2);
	CHECK_EQ(max_depth, 1);
	CHECK_EQ(rec_mask[0], BIT(SIGUSR1));
	CHECK_EQ(rec_pending[0], 0); /* recorded before it raised the second one */
	CHECK_EQ(get_mask(), 0);
	/* SA_NODEFER with the signal in sa_mask: sa_mask still blocks it. */
	clear_rec();
	CHECK_OK(set_action(SIGUSR1, nodefer_handler, SA_NODEFER, BIT(SIGUSR1)));
	self_signal(SIGUSR1);
	CHECK_EQ(hits, 2);
	CHECK_EQ(max_depth, 1);
}

static volatile int order[8], norder;

static void order_handler(int sig, siginfo_t *si, void *ucv)
{
	char local;
	order[norder++] = sig;
	record(sig, si, ucv, &local);
	if (sig == SIGUSR1) {
		self_signal(SIGUSR2); /* blocked by sa_mask: pending until we return */
		rec_pending[7] = pending_mask();
		order[norder++] = -SIGUSR1;
	}
}

static void sa_mask_blocks(void)
{
	clear_rec();
	norder = 0;
	CHECK_OK(set_action(SIGUSR1, order_handler, 0, BIT(SIGUSR2)));
	CHECK_OK(set_action(SIGUSR2, order_handler, 0, 0));
	self_signal(SIGUSR1);
	CHECK_EQ(norder, 3);
	CHECK_EQ(order[0], SIGUSR1);
	CHECK_EQ(order[1], -SIGUSR1);
	CHECK_EQ(order[2], SIGUSR2);
	CHECK_EQ(rec_pending[7], BIT(SIGUSR2));
	CHECK_EQ(rec_mask[0], BIT(SIGUSR1) | BIT(SIGUSR2));
	CHECK_EQ(rec_mask[1], BIT(SIGUSR2));
	CHECK_EQ(get_mask(), 0);
}

/* --- bad frames ---------------------------------------------------------------------------------- */

static void bad_fpstate_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig, (void)si;
	uc->uc_mcontext.fpregs = (fpregset_t)0x1000; /* never mapped */
}

static void bad_fpstate_child(void)
{
	set_action(SIGUSR1, bad_fpstate_handler, 0, 0);
	self_signal(SIGUSR1);
	_exit(10);
}

static void noncanon_fpstate_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig, (void)si;
	uc->uc_mcontext.fpregs = (fpregset_t)0xdead000000000000ULL;
}

static void noncanon_fpstate_child(void)
{
	set_action(SIGUSR1, noncanon_fpstate_handler, 0, 0);
	self_signal(SIGUSR1);
	_exit(10);
}

/* rt_sigreturn with rsp at the end of a PROT_NONE page: the frame cannot be read. */
static void sigreturn_unreadable_child(void)
{
	char *p = map(2 * PAGE, PROT_NONE);
	__asm__ volatile("mov %0, %%rsp\n"
			 "mov $15, %%eax\n"
			 "syscall\n"
			 "ud2\n"
			 :
			 : "r"(p + PAGE)
			 : "memory");
}

/* rt_sigreturn from a frame of 0xff bytes. */
static void sigreturn_garbage_child(void)
{
	char *p = map(4 * PAGE, PROT_READ | PROT_WRITE);
	memset(p, 0xff, 4 * PAGE);
	__asm__ volatile("mov %0, %%rsp\n"
			 "mov $15, %%eax\n"
			 "syscall\n"
			 "ud2\n"
			 :
			 : "r"(p + 8)
			 : "memory");
}

static void segv_exit_handler(int sig, siginfo_t *si, void *ucv)
{
	(void)ucv;
	/* 50 for a SIGSEGV sent by the kernel (SI_KERNEL), 60 + si_code for another, 1 for another signal. */
	_exit(sig != SIGSEGV ? 1 : si->si_code == SI_KERNEL ? 50 : 60 + (si->si_code & 0xf));
}

/* The SIGSEGV of a failed rt_sigreturn is an ordinary one: a handler on the alternate stack takes it. */
static void sigreturn_unreadable_handled_child(void)
{
	stack_t ss = {.ss_sp = map(ALTSZ, PROT_READ | PROT_WRITE), .ss_flags = 0, .ss_size = ALTSZ};
	sigaltstack(&ss, NULL);
	set_action(SIGSEGV, segv_exit_handler, SA_ONSTACK, 0);
	sigreturn_unreadable_child();
}

static void usr1_noop(int sig, siginfo_t *si, void *ucv) { (void)sig, (void)si, (void)ucv; }

/* A signal whose frame cannot be written (rsp on a PROT_NONE page). */
static void frame_unwritable_child(void)
{
	char *p = map(2 * PAGE, PROT_NONE);
	set_action(SIGUSR1, usr1_noop, 0, 0);
	long pid = getpid(), tid = my_tid();
	__asm__ volatile("mov %0, %%rsp\n"
			 "mov $234, %%eax\n" /* tgkill */
			 "syscall\n"
			 "ud2\n"
			 :
			 : "r"(p + PAGE), "D"(pid), "S"(tid), "d"((long)SIGUSR1)
			 : "memory", "rax");
}

/* The same, with a SIGSEGV handler on the alternate stack: it takes the SIGSEGV (force_sigsegv). */
static void frame_unwritable_handled_child(void)
{
	stack_t ss = {.ss_sp = map(ALTSZ, PROT_READ | PROT_WRITE), .ss_flags = 0, .ss_size = ALTSZ};
	sigaltstack(&ss, NULL);
	set_action(SIGSEGV, segv_exit_handler, SA_ONSTACK, 0);
	frame_unwritable_child();
}

static void sigreturn_bad_frame(void)
{
	int st = child_status(bad_fpstate_child);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "fpstate 0x1000: status 0x%x, want killed by SIGSEGV", st);
	st = child_status(noncanon_fpstate_child);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "non-canonical fpstate: status 0x%x, want killed by SIGSEGV", st);
	st = child_status(sigreturn_unreadable_child);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "unreadable frame: status 0x%x, want killed by SIGSEGV", st);
	st = child_status(sigreturn_garbage_child);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "garbage frame: status 0x%x, want killed by SIGSEGV", st);
	st = child_status(sigreturn_unreadable_handled_child);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 50, "unreadable frame, SIGSEGV handler on the altstack: status 0x%x, want exit 50 (its handler ran, SI_KERNEL)", st);
}

static void frame_setup_fails(void)
{
	int st = child_status(frame_unwritable_child);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status 0x%x, want killed by SIGSEGV", st);
	st = child_status(frame_unwritable_handled_child);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 50, "SIGSEGV handler on the altstack: status 0x%x, want exit 50 (its handler ran, SI_KERNEL)", st);
}

static void next(void) { reset_signals(); }

int main(void)
{
	reset_signals();
	RUN(frame_layout); next();
	RUN(altstack_nested); next();
	RUN(altstack_errors); next();
	RUN(altstack_autodisarm); next();
	RUN(altstack_inheritance); next();
	RUN(segv_accerr_mprotect); next();
	RUN(segv_maperr); next();
	RUN(segv_error_code); next();
	RUN(sigbus_past_eof); next();
	RUN(sigfpe_intdiv); next();
	RUN(sigill_ud2); next();
	RUN(sigtrap_int3); next();
	RUN(ucontext_skip_insn); next();
	RUN(sigcontext_trapno); next();
	RUN(fault_blocked_or_ignored); next();
	RUN(ucontext_sigmask); next();
	RUN(sa_resethand); next();
	RUN(sa_nodefer); next();
	RUN(sa_mask_blocks); next();
	RUN(sigreturn_bad_frame); next();
	RUN(frame_setup_fails); next();
	DONE();
}
