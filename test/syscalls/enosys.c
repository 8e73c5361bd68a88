/*
 * enosys.c: a fixture. Calls syscall numbers no kernel implements, checks
 * that each fails with ENOSYS, and keeps running: exits 0 if all did.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* write(2) only: no stdio (dprintf would lseek the descriptor first). */
static void out(const char *s) { write(1, s, strlen(s)); }

int main(void)
{
	static const long numbers[] = {1000, 0x7fff, 100000};
	int bad = 0;
	for (unsigned i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		errno = 0;
		long r = syscall(numbers[i], 1, 2, 3, 4, 5, 6);
		if (r != -1 || errno != ENOSYS) {
			char buf[128];
			snprintf(buf, sizeof(buf), "FAIL syscall(%ld): expected -1 ENOSYS, got %ld errno %d\n", numbers[i], r,
				 errno);
			out(buf);
			bad = 1;
		}
	}
	/* and the process is still fine */
	if (syscall(SYS_getpid) <= 0) {
		out("FAIL getpid after ENOSYS\n");
		bad = 1;
	}
	if (!bad)
		out("ok enosys\n");
	return bad;
}
