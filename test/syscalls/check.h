/*
 * check.h: the tiny test framework shared by the conformance programs.
 *
 * A program is a list of named cases. Each case is a function `static void
 * NAME(void)`; RUN(NAME) calls it and prints exactly one line on stdout:
 *
 *     ok NAME
 *     FAIL NAME: <what> (<file>:<line>)
 *
 * The first failed check ends the case (the CHECK macros `return`). Other
 * output lines start with "# " and are ignored by the harness. Output goes
 * through write(2) directly (no stdio buffering), so a program killed
 * halfway still reports the cases it finished. DONE() exits 0 only if every
 * case passed.
 *
 * Syscalls are made with raw syscall(2) where libc could hide the kernel's
 * behaviour; raw calls return -1 and set errno, like libc wrappers.
 */
#ifndef TSVISOR_CHECK_H
#define TSVISOR_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *check_case_name = "?";
static int check_case_failed;
static int check_failures;
static int check_passes;

static void check_out(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = syscall(SYS_write, 1, buf, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* Prints a line (the format must not end in \n: one is added). */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int saved = errno;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	check_out(buf, (size_t)n);
	errno = saved;
}

/* Records a failure of the current case (only the first one is printed). */
__attribute__((format(printf, 3, 4))) static void check_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!check_case_failed)
		say("FAIL %s: %s (%s:%d)", check_case_name, msg, file, line);
	else /* only EXPECT-style checks go on after a failure */
		say("#   %s also: %s (%s:%d)", check_case_name, msg, file, line);
	check_case_failed = 1;
}

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
#define E(x) case x: return #x;
	E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC) E(EBADF)
	E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(EBUSY) E(EEXIST) E(ENODEV)
	E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(EFBIG) E(ENOSPC)
	E(ESPIPE) E(EROFS) E(EPIPE) E(EDOM) E(ERANGE) E(ENAMETOOLONG) E(ENOSYS) E(ELOOP)
	E(EOVERFLOW) E(EOPNOTSUPP) E(EDEADLK) E(ENOTSOCK) E(ENOTCONN)
	E(EXDEV) E(ETXTBSY) E(EMLINK) E(ENOTEMPTY) E(ENOLCK) E(ENODATA) E(ETIMEDOUT)
	E(EADDRINUSE) E(EADDRNOTAVAIL) E(ECONNREFUSED) E(ECONNRESET) E(ECONNABORTED)
	E(EINPROGRESS) E(EALREADY) E(EISCONN) E(EPROTOTYPE) E(EAFNOSUPPORT) E(EPROTONOSUPPORT)
	E(ESOCKTNOSUPPORT) E(ENOPROTOOPT) E(ENETUNREACH) E(EMSGSIZE) E(EDESTADDRREQ) E(ENOBUFS)
	E(ESHUTDOWN) E(EOWNERDEAD) E(ENOTRECOVERABLE)
#undef E
	default: return "E?";
	}
}

#define RUN(fn)                                                      \
	do {                                                         \
		check_case_name = #fn;                               \
		check_case_failed = 0;                               \
		errno = 0;                                           \
		fn();                                                \
		if (check_case_failed) {                             \
			check_failures++;                            \
		} else {                                             \
			check_passes++;                              \
			say("ok %s", #fn);                           \
		}                                                    \
	} while (0)

#define DONE()                                                                    \
	do {                                                                      \
		say("# %d passed, %d failed", check_passes, check_failures);      \
		exit(check_failures ? 1 : 0);                                     \
	} while (0)

/* A condition that must hold. */
#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			check_fail(__FILE__, __LINE__, "%s (errno %s)", #cond, \
				   errname(errno));                          \
			return;                                              \
		}                                                            \
	} while (0)

/* Like CHECK, with a message of our own. */
#define CHECKF(cond, ...)                                           \
	do {                                                        \
		if (!(cond)) {                                      \
			check_fail(__FILE__, __LINE__, __VA_ARGS__); \
			return;                                     \
		}                                                   \
	} while (0)

/* Two integers must be equal. */
#define CHECK_EQ(got_expr, want_expr)                                                    \
	do {                                                                             \
		long long check_got = (long long)(got_expr);                             \
		long long check_want = (long long)(want_expr);                           \
		if (check_got != check_want) {                                           \
			check_fail(__FILE__, __LINE__,                                   \
				   "%s: expected %lld (0x%llx) got %lld (0x%llx), errno %s", \
				   #got_expr, check_want, (unsigned long long)check_want,  \
				   check_got, (unsigned long long)check_got, errname(errno)); \
			return;                                                          \
		}                                                                        \
	} while (0)

/* A call must succeed (not return -1 / MAP_FAILED); evaluates to its value. */
#define CHECK_OK(expr)                                                                  \
	do {                                                                            \
		errno = 0;                                                              \
		long long check_r = (long long)(expr);                                  \
		if (check_r == -1) {                                                    \
			check_fail(__FILE__, __LINE__, "%s: expected success, got -1 errno %s", \
				   #expr, errname(errno));                                  \
			return;                                                         \
		}                                                                       \
	} while (0)

/* A call must fail with -1 and exactly this errno. */
#define CHECK_ERR(expr, want_errno)                                                             \
	do {                                                                                    \
		errno = 0;                                                                      \
		long long check_r = (long long)(expr);                                          \
		int check_e = errno;                                                            \
		if (check_r != -1 || check_e != (want_errno)) {                                 \
			if (check_r != -1)                                                      \
				check_fail(__FILE__, __LINE__,                                  \
					   "%s: expected -1 %s, got %lld (0x%llx) (success)",   \
					   #expr, errname(want_errno), check_r,                 \
					   (unsigned long long)check_r);                        \
			else                                                                    \
				check_fail(__FILE__, __LINE__, "%s: expected errno %s, got %s", \
					   #expr, errname(want_errno), errname(check_e));       \
			return;                                                                 \
		}                                                                               \
	} while (0)

/* A call must fail with -1 and one of two errnos. */
#define CHECK_ERR2(expr, e1, e2)                                                             \
	do {                                                                                 \
		errno = 0;                                                                   \
		long long check_r = (long long)(expr);                                       \
		int check_e = errno;                                                         \
		if (check_r != -1 || (check_e != (e1) && check_e != (e2))) {                 \
			check_fail(__FILE__, __LINE__,                                       \
				   "%s: expected -1 %s or %s, got %lld errno %s", #expr,     \
				   errname(e1), errname(e2), check_r, errname(check_e));     \
			return;                                                              \
		}                                                                            \
	} while (0)

/* Addresses that are never valid user memory. */
#define BAD_NULL ((void *)0)
#define BAD_LOW ((void *)1)
#define BAD_HIGH ((void *)0xffffffffffff0000ULL)        /* kernel half */
#define BAD_KERNEL ((void *)0xffff800000000000ULL)      /* first kernel address */
#define BAD_NONCANON ((void *)0x0000800000000000ULL)    /* first non-canonical */

#define PAGE 4096UL

/*
 * A page of '\n' followed by an unmapped page. Used as the buffer for calls
 * with huge lengths: if a kernel wrongly writes out part of it, only blank
 * lines (which the harness ignores) reach stdout, never other memory.
 */
__attribute__((unused)) static char *newline_page(void)
{
	static char *page;
	if (page == NULL) {
		char *p = (char *)syscall(SYS_mmap, NULL, 2 * PAGE, 3 /* RW */, 0x22 /* PRIVATE|ANON */, -1, 0);
		if (p == (char *)-1)
			abort();
		syscall(SYS_munmap, p + PAGE, PAGE);
		memset(p, '\n', PAGE);
		page = p;
	}
	return page;
}

#endif
