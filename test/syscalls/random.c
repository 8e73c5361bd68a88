/*
 * random.c: getrandom(2): every flag, argument errors, lengths.
 *
 * getrandom(2): reads of up to 256 bytes from an initialized urandom source
 * always return the full length; larger reads may be short (a signal could
 * interrupt them), so those cases accept 0 < n <= len and read on to fill.
 */
#include "check.h"

#include <sys/mman.h>

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif
#ifndef GRND_RANDOM
#define GRND_RANDOM 0x0002
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

static long rgetrandom(void *buf, size_t len, long flags) { return syscall(SYS_getrandom, buf, len, flags); }

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Fills buf completely, allowing short reads; returns 0 or the failing errno. */
static int fill(unsigned char *buf, size_t len, long flags, long *first)
{
	size_t got = 0;
	*first = -2;
	while (got < len) {
		long n = rgetrandom(buf + got, len - got, flags);
		if (*first == -2)
			*first = n;
		if (n < 0)
			return errno;
		if (n == 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void flags_zero(void)
{
	unsigned char a[32], b[32];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK_EQ(rgetrandom(a, sizeof(a), 0), 32);
	CHECK_EQ(rgetrandom(b, sizeof(b), 0), 32);
	CHECK(!all_zero(a, 32));
	CHECK(memcmp(a, b, 32) != 0);
}

static void flag_nonblock(void)
{
	unsigned char a[64];
	memset(a, 0, sizeof(a));
	/* the pool is initialized long before a test runs: no EAGAIN */
	CHECK_EQ(rgetrandom(a, sizeof(a), GRND_NONBLOCK), 64);
	CHECK(!all_zero(a, 64));
}

static void flag_random(void)
{
	unsigned char a[64];
	memset(a, 0, sizeof(a));
	long n = rgetrandom(a, sizeof(a), GRND_RANDOM);
	CHECKF(n > 0 && n <= 64, "GRND_RANDOM returned %ld (%s)", n, errname(errno));
	CHECK(!all_zero(a, (size_t)n) || n < 8);
	errno = 0;
	n = rgetrandom(a, sizeof(a), GRND_RANDOM | GRND_NONBLOCK);
	CHECKF((n > 0 && n <= 64) || (n == -1 && errno == EAGAIN), "GRND_RANDOM|GRND_NONBLOCK returned %ld (%s)", n,
	       errname(errno));
}

static void flag_insecure(void)
{
	unsigned char a[64];
	memset(a, 0, sizeof(a));
	CHECK_EQ(rgetrandom(a, sizeof(a), GRND_INSECURE), 64);
	CHECK(!all_zero(a, 64));
	CHECK_EQ(rgetrandom(a, sizeof(a), GRND_INSECURE | GRND_NONBLOCK), 64);
}

static void flags_invalid(void)
{
	unsigned char a[16];
	CHECK_ERR(rgetrandom(a, sizeof(a), GRND_INSECURE | GRND_RANDOM), EINVAL);
	CHECK_ERR(rgetrandom(a, sizeof(a), 0x8), EINVAL);
	CHECK_ERR(rgetrandom(a, sizeof(a), 0x100), EINVAL);
	CHECK_ERR(rgetrandom(a, sizeof(a), -1), EINVAL);
	CHECK_ERR(rgetrandom(a, sizeof(a), 0x80000000L), EINVAL);
	CHECK_ERR(rgetrandom(a, 0, 0x8), EINVAL);         /* flags are checked even for 0 bytes */
	CHECK_ERR(rgetrandom(BAD_NULL, 16, 0x8), EINVAL); /* ... and before the buffer */
}

static void bad_buffer_efault(void)
{
	CHECK_ERR(rgetrandom(BAD_NULL, 16, 0), EFAULT);
	CHECK_ERR(rgetrandom(BAD_LOW, 16, 0), EFAULT);
	CHECK_ERR(rgetrandom(BAD_HIGH, 16, 0), EFAULT);
	CHECK_ERR(rgetrandom(BAD_KERNEL, 16, GRND_NONBLOCK), EFAULT);
	CHECK_ERR(rgetrandom(BAD_NULL, 1, GRND_INSECURE), EFAULT);
	/* a read-only buffer */
	unsigned char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_ERR(rgetrandom(p, 16, 0), EFAULT);
	CHECK(all_zero(p, PAGE));
	munmap(p, PAGE);
}

static void partial_buffer_short_read(void)
{
	/* a buffer whose second page is PROT_NONE: the bytes before it are filled */
	unsigned char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_NONE), 0);
	long n = rgetrandom(p + PAGE - 64, 128, 0);
	CHECKF(n > 0 && n <= 64, "getrandom across a PROT_NONE page returned %ld (%s)", n, errname(errno));
	CHECK(!all_zero(p + PAGE - 64, (size_t)n) || n < 8);
	munmap(p, 2 * PAGE);
}

static void length_zero(void)
{
	unsigned char a[4] = {1, 2, 3, 4};
	CHECK_EQ(rgetrandom(a, 0, 0), 0);
	CHECK(a[0] == 1 && a[3] == 4);
	CHECK_EQ(rgetrandom(BAD_NULL, 0, 0), 0);
	CHECK_EQ(rgetrandom(a, 0, GRND_RANDOM), 0);
	CHECK_EQ(rgetrandom(a, 0, GRND_NONBLOCK | GRND_INSECURE), 0);
}

static void length_one(void)
{
	unsigned char a[4] = {0xee, 0xee, 0xee, 0xee};
	/* 1 byte: 64 calls cannot all produce the same value by chance */
	int seen_diff = 0;
	unsigned char first = 0;
	for (int i = 0; i < 64; i++) {
		a[1] = 0xee;
		CHECK_EQ(rgetrandom(a, 1, 0), 1);
		CHECK_EQ(a[1], 0xee); /* exactly one byte written */
		if (i == 0)
			first = a[0];
		else if (a[0] != first)
			seen_diff = 1;
	}
	CHECK(seen_diff);
}

static void length_256(void)
{
	unsigned char a[260];
	memset(a, 0, sizeof(a));
	a[256] = 0xab;
	CHECK_EQ(rgetrandom(a, 256, 0), 256); /* never short up to 256 bytes */
	CHECK_EQ(a[256], 0xab);
	int zeros = 0;
	for (int i = 0; i < 256; i++)
		zeros += a[i] == 0;
	CHECKF(zeros < 16, "%d zero bytes in 256", zeros);
}

static void length_1mib(void)
{
	size_t len = 1 << 20;
	unsigned char *p = mmap(NULL, len + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	p[len] = 0xcd;
	long first;
	int err = fill(p, len, 0, &first);
	CHECKF(err == 0, "filling 1 MiB: errno %s", errname(err));
	CHECKF(first > 0 && first <= (long)len, "first read of 1 MiB returned %ld", first);
	CHECK_EQ(p[len], 0xcd);
	/* a crude distribution check: byte mean near 127.5, few zeros */
	unsigned long long sum = 0, zeros = 0;
	for (size_t i = 0; i < len; i++) {
		sum += p[i];
		zeros += p[i] == 0;
	}
	double mean = (double)sum / (double)len;
	CHECKF(mean > 126.0 && mean < 129.0, "mean byte %f", mean);
	CHECKF(zeros > len / 512 && zeros < len / 128, "%llu zero bytes in 1 MiB", zeros);
	/* every page got random bytes (no page left untouched) */
	for (size_t off = 0; off < len; off += PAGE)
		CHECKF(!all_zero(p + off, 64), "page at offset %zu looks unwritten", off);
	munmap(p, len + PAGE);
}

static void large_insecure_and_random(void)
{
	size_t len = 1 << 16;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	long first;
	int err = fill(p, len, GRND_INSECURE, &first);
	CHECKF(err == 0 && first > 0, "GRND_INSECURE 64 KiB: first %ld errno %s", first, errname(err));
	err = fill(p, len, GRND_NONBLOCK, &first);
	CHECKF(err == 0 && first > 0, "GRND_NONBLOCK 64 KiB: first %ld errno %s", first, errname(err));
	long n = rgetrandom(p, len, GRND_RANDOM);
	CHECKF(n > 0 && n <= (long)len, "GRND_RANDOM 64 KiB returned %ld (%s)", n, errname(errno));
	munmap(p, len);
}

int main(void)
{
	RUN(flags_zero);
	RUN(flag_nonblock);
	RUN(flag_random);
	RUN(flag_insecure);
	RUN(flags_invalid);
	RUN(bad_buffer_efault);
	RUN(partial_buffer_short_read);
	RUN(length_zero);
	RUN(length_one);
	RUN(length_256);
	RUN(length_1mib);
	RUN(large_insecure_and_random);
	DONE();
}
