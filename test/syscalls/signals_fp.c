/*
 * signals_fp.c: the FP/SIMD state across a signal handler (sigreturn(2);
 * arch/x86/kernel/fpu/signal.c): xmm0-15, the upper halves of ymm0-15 (with
 * AVX: cpuid and xgetbv say), MXCSR, the x87 control word and stack are the
 * same after a handler that clobbers them all; the handler starts with the
 * initial FP state; the frame's fpstate (FXSAVE image, FP_XSTATE_MAGIC1 and
 * the XSAVE header, MAGIC2 after the state) holds the interrupted values; a
 * handler's changes to it (an xmm, MXCSR, a ymm upper half) take effect.
 *
 * Registers are loaded, the signal is sent (raw tgkill) and the registers are
 * stored again within one asm statement, so no compiled code runs between.
 */
#include "check.h"

#include <cpuid.h>
#include <signal.h>
#include <ucontext.h>

#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U
#define MXCSR_DEFAULT 0x1f80
#define FCW_DEFAULT 0x37f

static pid_t my_tid(void) { return (pid_t)syscall(SYS_gettid); }

static int has_avx(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	if (!(c & (1u << 27)) || !(c & (1u << 28))) /* OSXSAVE, AVX */
		return 0;
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6; /* SSE and AVX state enabled */
}

/* The offset of the AVX (YMM_Hi128) component in the standard XSAVE layout. */
static unsigned ymm_offset(void)
{
	unsigned a, b, c, d;
	__cpuid_count(0xd, 2, a, b, c, d);
	(void)a, (void)c, (void)d;
	return b;
}

static int set_action(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	return sigaction(sig, &sa, NULL);
}

/* Values in, values out: 16 registers of 32 bytes (xmm use the low 16). */
static uint8_t vin[16][32] __attribute__((aligned(32)));
static uint8_t vout[16][32] __attribute__((aligned(32)));
static uint8_t vclob[16][32] __attribute__((aligned(32)));
static uint32_t mxcsr_in, mxcsr_out, mxcsr_clob = 0x7f80, mxcsr_default = MXCSR_DEFAULT;
static uint16_t fcw_in, fcw_out, fcw_clob = 0x007f, fcw_default = FCW_DEFAULT;
static double x87_out[2];

static void fill_patterns(void)
{
	for (int r = 0; r < 16; r++)
		for (int i = 0; i < 32; i++) {
			vin[r][i] = (uint8_t)(r * 37 + i * 11 + 1);
			vout[r][i] = 0;
			vclob[r][i] = 0xaa;
		}
	x87_out[0] = x87_out[1] = 0;
}

/* What the handler saw. */
static volatile int hits;
static volatile uint32_t h_mxcsr, h_fcw;
static volatile int h_xmm_zero;
static volatile uint32_t h_magic1, h_magic2, h_xstate_size;
static volatile uint64_t h_xfeatures;
static volatile int h_frame_xmm_ok, h_frame_ymm_ok;
static volatile uint32_t h_frame_mxcsr;
static volatile uint16_t h_frame_fcw;
static int avx;
static unsigned ymm_off;
/* Changes the handler makes to the frame (0: none). */
static volatile int modify;

#define LOAD_XMM(op, base)                                                                  \
	op " 0(" base "), %%xmm0\n" op " 32(" base "), %%xmm1\n" op " 64(" base "), %%xmm2\n"  \
	op " 96(" base "), %%xmm3\n" op " 128(" base "), %%xmm4\n" op " 160(" base "), %%xmm5\n" \
	op " 192(" base "), %%xmm6\n" op " 224(" base "), %%xmm7\n" op " 256(" base "), %%xmm8\n" \
	op " 288(" base "), %%xmm9\n" op " 320(" base "), %%xmm10\n" op " 352(" base "), %%xmm11\n" \
	op " 384(" base "), %%xmm12\n" op " 416(" base "), %%xmm13\n" op " 448(" base "), %%xmm14\n" \
	op " 480(" base "), %%xmm15\n"
#define STORE_XMM(op, base)                                                                 \
	op " %%xmm0, 0(" base ")\n" op " %%xmm1, 32(" base ")\n" op " %%xmm2, 64(" base ")\n"  \
	op " %%xmm3, 96(" base ")\n" op " %%xmm4, 128(" base ")\n" op " %%xmm5, 160(" base ")\n" \
	op " %%xmm6, 192(" base ")\n" op " %%xmm7, 224(" base ")\n" op " %%xmm8, 256(" base ")\n" \
	op " %%xmm9, 288(" base ")\n" op " %%xmm10, 320(" base ")\n" op " %%xmm11, 352(" base ")\n" \
	op " %%xmm12, 384(" base ")\n" op " %%xmm13, 416(" base ")\n" op " %%xmm14, 448(" base ")\n" \
	op " %%xmm15, 480(" base ")\n"
#define LOAD_YMM(base)                                                                                       \
	"vmovdqu 0(" base "), %%ymm0\n vmovdqu 32(" base "), %%ymm1\n vmovdqu 64(" base "), %%ymm2\n"             \
	"vmovdqu 96(" base "), %%ymm3\n vmovdqu 128(" base "), %%ymm4\n vmovdqu 160(" base "), %%ymm5\n"          \
	"vmovdqu 192(" base "), %%ymm6\n vmovdqu 224(" base "), %%ymm7\n vmovdqu 256(" base "), %%ymm8\n"         \
	"vmovdqu 288(" base "), %%ymm9\n vmovdqu 320(" base "), %%ymm10\n vmovdqu 352(" base "), %%ymm11\n"       \
	"vmovdqu 384(" base "), %%ymm12\n vmovdqu 416(" base "), %%ymm13\n vmovdqu 448(" base "), %%ymm14\n"      \
	"vmovdqu 480(" base "), %%ymm15\n"
#define STORE_YMM(base)                                                                                      \
	"vmovdqu %%ymm0, 0(" base ")\n vmovdqu %%ymm1, 32(" base ")\n vmovdqu %%ymm2, 64(" base ")\n"             \
	"vmovdqu %%ymm3, 96(" base ")\n vmovdqu %%ymm4, 128(" base ")\n vmovdqu %%ymm5, 160(" base ")\n"          \
	"vmovdqu %%ymm6, 192(" base ")\n vmovdqu %%ymm7, 224(" base ")\n vmovdqu %%ymm8, 256(" base ")\n"         \
	"vmovdqu %%ymm9, 288(" base ")\n vmovdqu %%ymm10, 320(" base ")\n vmovdqu %%ymm11, 352(" base ")\n"       \
	"vmovdqu %%ymm12, 384(" base ")\n vmovdqu %%ymm13, 416(" base ")\n vmovdqu %%ymm14, 448(" base ")\n"      \
	"vmovdqu %%ymm15, 480(" base ")\n"
#define XMM_CLOBBERS                                                                                   \
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", \
		"xmm12", "xmm13", "xmm14", "xmm15"

/*
 * Loads the registers (MXCSR, x87 control word, x87 stack: 1 and pi), sends
 * sig to this thread, stores them back; restores MXCSR and the control word.
 */
__attribute__((noinline)) static void xmm_round_trip(int sig)
{
	long pid = getpid(), tid = my_tid();
	__asm__ volatile("ldmxcsr %[mi]\n"
			 "fldcw %[fi]\n"
			 "fld1\n"
			 "fldpi\n" LOAD_XMM("movdqu", "%[in]")
			 "mov $234, %%eax\n"
			 "syscall\n" STORE_XMM("movdqu", "%[out]")
			 "stmxcsr %[mo]\n"
			 "fnstcw %[fo]\n"
			 "fstpl %[x0]\n"
			 "fstpl %[x1]\n"
			 "ldmxcsr %[md]\n"
			 "fldcw %[fd]\n"
			 : [mo] "=m"(mxcsr_out), [fo] "=m"(fcw_out), [x0] "=m"(x87_out[0]), [x1] "=m"(x87_out[1])
			 : [in] "r"(vin), [out] "r"(vout), [mi] "m"(mxcsr_in), [fi] "m"(fcw_in), [md] "m"(mxcsr_default),
			   [fd] "m"(fcw_default), "D"(pid), "S"(tid), "d"((long)sig)
			 : "rax", "rcx", "r11", "memory", "cc", XMM_CLOBBERS);
}

__attribute__((noinline)) static void ymm_round_trip(int sig)
{
	long pid = getpid(), tid = my_tid();
	__asm__ volatile("ldmxcsr %[mi]\n" LOAD_YMM("%[in]")
			 "mov $234, %%eax\n"
			 "syscall\n" STORE_YMM("%[out]")
			 "stmxcsr %[mo]\n"
			 "ldmxcsr %[md]\n"
			 "vzeroupper\n"
			 : [mo] "=m"(mxcsr_out)
			 : [in] "r"(vin), [out] "r"(vout), [mi] "m"(mxcsr_in), [md] "m"(mxcsr_default), "D"(pid), "S"(tid),
			   "d"((long)sig)
			 : "rax", "rcx", "r11", "memory", "cc", XMM_CLOBBERS);
}

/* The handler: looks at its entry state and the frame, then clobbers everything. */
static void clobber_handler(int sig, siginfo_t *si, void *ucv)
{
	uint32_t m;
	uint16_t f;
	static uint8_t entry[16][32];
	(void)sig, (void)si;
	__asm__ volatile("stmxcsr %0\n fnstcw %1\n" STORE_XMM("movdqu", "%2")
			 : "=m"(m), "=m"(f)
			 : "r"(entry)
			 : "memory");
	h_mxcsr = m;
	h_fcw = f;
	int zero = 1;
	for (int r = 0; r < 16; r++)
		for (int i = 0; i < 16; i++)
			if (entry[r][i] != 0)
				zero = 0;
	h_xmm_zero = zero;

	ucontext_t *uc = ucv;
	uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
	uint32_t sw[5];
	memcpy(sw, fp + 464, sizeof(sw)); /* fpx_sw_bytes in the FXSAVE image's software area */
	h_magic1 = sw[0];
	h_xstate_size = sw[4];
	memcpy((void *)&h_xfeatures, &sw[2], 8);
	uint32_t m2;
	memcpy(&m2, fp + sw[4], 4);
	h_magic2 = sw[0] == FP_XSTATE_MAGIC1 ? m2 : 0;
	h_frame_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
	h_frame_fcw = uc->uc_mcontext.fpregs->cwd;
	int ok = 1;
	for (int r = 0; r < 16; r++)
		if (memcmp(&uc->uc_mcontext.fpregs->_xmm[r], vin[r], 16) != 0)
			ok = 0;
	h_frame_xmm_ok = ok;
	ok = 1;
	if (avx && h_magic1 == FP_XSTATE_MAGIC1)
		for (int r = 0; r < 16; r++)
			if (memcmp(fp + ymm_off + 16 * r, vin[r] + 16, 16) != 0)
				ok = 0;
	h_frame_ymm_ok = ok;

	if (modify) {
		/* xmm3 := 0x11.., MXCSR := round down, ymm5's upper half := 0x22.. */
		memset(&uc->uc_mcontext.fpregs->_xmm[3], 0x11, 16);
		uc->uc_mcontext.fpregs->mxcsr = 0x3f80;
		if (avx)
			memset(fp + ymm_off + 16 * 5, 0x22, 16);
	}

	/* Clobber: every vector register, MXCSR, the x87 state. */
	if (avx)
		__asm__ volatile(LOAD_YMM("%0") : : "r"(vclob) : XMM_CLOBBERS);
	else
		__asm__ volatile(LOAD_XMM("movdqu", "%0") : : "r"(vclob) : XMM_CLOBBERS);
	__asm__ volatile("ldmxcsr %0\n fninit\n fldcw %1\n fldz\n fldz\n fldz\n fstp %%st(0)\n fstp %%st(0)\n fstp %%st(0)\n"
			 :
			 : "m"(mxcsr_clob), "m"(fcw_clob));
	hits++;
}

static void xmm_preserved(void)
{
	fill_patterns();
	hits = 0;
	modify = 0;
	mxcsr_in = 0x5f80; /* round up, all exceptions masked */
	fcw_in = 0x027f;   /* 53-bit precision */
	CHECK_OK(set_action(SIGUSR1, clobber_handler));
	xmm_round_trip(SIGUSR1);
	CHECK_EQ(hits, 1);
	for (int r = 0; r < 16; r++)
		CHECKF(memcmp(vout[r], vin[r], 16) == 0, "xmm%d changed across the handler", r);
	CHECK_EQ(mxcsr_out, 0x5f80);
	CHECK_EQ(fcw_out, 0x027f);
	CHECKF(x87_out[0] > 3.14159 && x87_out[0] < 3.1416, "x87 st0 %g, want pi", x87_out[0]);
	CHECKF(x87_out[1] == 1.0, "x87 st1 %g, want 1", x87_out[1]);
	/* The handler started from the initial FP state. */
	CHECK_EQ(h_mxcsr, MXCSR_DEFAULT);
	CHECK_EQ(h_fcw, FCW_DEFAULT);
	CHECK(h_xmm_zero);
	/* The frame held the interrupted values. */
	CHECK(h_frame_xmm_ok);
	CHECK_EQ(h_frame_mxcsr, 0x5f80);
	CHECK_EQ(h_frame_fcw, 0x027f);
}

static void fpstate_frame_format(void)
{
	fill_patterns();
	hits = 0;
	modify = 0;
	mxcsr_in = MXCSR_DEFAULT;
	fcw_in = FCW_DEFAULT;
	CHECK_OK(set_action(SIGUSR1, clobber_handler));
	xmm_round_trip(SIGUSR1);
	CHECK_EQ(hits, 1);
	/* An XSAVE frame: magic words around the state, its size, x87|SSE (|AVX) features. */
	CHECK_EQ(h_magic1, FP_XSTATE_MAGIC1);
	CHECK_EQ(h_magic2, FP_XSTATE_MAGIC2);
	CHECK(h_xstate_size > 512 && h_xstate_size < 65536);
	CHECK_EQ(h_xfeatures & 3, 3);
	if (avx)
		CHECK_EQ(h_xfeatures & 4, 4);
}

static void ymm_preserved(void)
{
	if (!avx) {
		say("# no AVX: ymm not tested (xmm_preserved covers the SSE state)");
		return;
	}
	fill_patterns();
	hits = 0;
	modify = 0;
	mxcsr_in = 0x3f80;
	CHECK_OK(set_action(SIGUSR1, clobber_handler));
	ymm_round_trip(SIGUSR1);
	CHECK_EQ(hits, 1);
	for (int r = 0; r < 16; r++)
		CHECKF(memcmp(vout[r], vin[r], 32) == 0, "ymm%d changed across the handler (low half %s)", r,
		       memcmp(vout[r], vin[r], 16) == 0 ? "intact" : "changed");
	CHECK_EQ(mxcsr_out, 0x3f80);
	CHECK(h_frame_ymm_ok);
}

static void fpstate_modified_by_handler(void)
{
	fill_patterns();
	hits = 0;
	modify = 1;
	mxcsr_in = MXCSR_DEFAULT;
	CHECK_OK(set_action(SIGUSR1, clobber_handler));
	if (avx)
		ymm_round_trip(SIGUSR1);
	else
		xmm_round_trip(SIGUSR1);
	modify = 0;
	CHECK_EQ(hits, 1);
	uint8_t want[16];
	memset(want, 0x11, 16);
	CHECK(memcmp(vout[3], want, 16) == 0);
	CHECK_EQ(mxcsr_out, 0x3f80);
	for (int r = 0; r < 16; r++)
		if (r != 3)
			CHECKF(memcmp(vout[r], vin[r], 16) == 0, "xmm%d changed", r);
	if (avx) {
		memset(want, 0x22, 16);
		CHECK(memcmp(vout[5] + 16, want, 16) == 0);
		CHECK(memcmp(vout[5], vin[5], 16) == 0);
		CHECK(memcmp(vout[3] + 16, vin[3] + 16, 16) == 0);
	}
}

/* A handler that only uses SSE for ordinary C (memcpy etc.) must not leak into the interrupted code: nested. */
static volatile int nest_hits;

static void nest_inner(int sig, siginfo_t *si, void *ucv)
{
	(void)sig, (void)si, (void)ucv;
	__asm__ volatile(LOAD_XMM("movdqu", "%0") "ldmxcsr %1\n" : : "r"(vclob), "m"(mxcsr_clob) : XMM_CLOBBERS);
	nest_hits++;
}

static void nest_outer(int sig, siginfo_t *si, void *ucv)
{
	static uint8_t before[16][32], after[16][32];
	static uint32_t mb, ma;
	(void)sig, (void)si, (void)ucv;
	long pid = getpid(), tid = my_tid();
	/* Inside a handler, the same round trip through a nested one. */
	for (int r = 0; r < 16; r++)
		for (int i = 0; i < 16; i++)
			before[r][i] = (uint8_t)(r + i * 3 + 100);
	mb = 0x5f80;
	__asm__ volatile("ldmxcsr %[mi]\n" LOAD_XMM("movdqu", "%[in]")
			 "mov $234, %%eax\n"
			 "syscall\n" STORE_XMM("movdqu", "%[out]")
			 "stmxcsr %[mo]\n"
			 "ldmxcsr %[md]\n"
			 : [mo] "=m"(ma)
			 : [in] "r"(before), [out] "r"(after), [mi] "m"(mb), [md] "m"(mxcsr_default), "D"(pid), "S"(tid),
			   "d"((long)SIGUSR2)
			 : "rax", "rcx", "r11", "memory", "cc", XMM_CLOBBERS);
	int ok = ma == 0x5f80;
	for (int r = 0; r < 16; r++)
		if (memcmp(before[r], after[r], 16) != 0)
			ok = 0;
	h_frame_xmm_ok = ok;
	hits++;
}

static void nested_handlers(void)
{
	fill_patterns();
	hits = nest_hits = 0;
	h_frame_xmm_ok = 0;
	mxcsr_in = 0x7f80;
	fcw_in = 0x027f;
	CHECK_OK(set_action(SIGUSR1, nest_outer));
	CHECK_OK(set_action(SIGUSR2, nest_inner));
	xmm_round_trip(SIGUSR1);
	CHECK_EQ(hits, 1);
	CHECK_EQ(nest_hits, 1);
	CHECKF(h_frame_xmm_ok, "the outer handler's xmm/MXCSR changed across the nested one");
	for (int r = 0; r < 16; r++)
		CHECKF(memcmp(vout[r], vin[r], 16) == 0, "xmm%d changed across the handlers", r);
	CHECK_EQ(mxcsr_out, 0x7f80);
	CHECK_EQ(fcw_out, 0x027f);
}

int main(void)
{
	avx = has_avx();
	if (avx)
		ymm_off = ymm_offset();
	say("# AVX %s, YMM state at %u", avx ? "yes" : "no", ymm_off);
	RUN(xmm_preserved);
	RUN(fpstate_frame_format);
	RUN(ymm_preserved);
	RUN(fpstate_modified_by_handler);
	RUN(nested_handlers);
	DONE();
}
