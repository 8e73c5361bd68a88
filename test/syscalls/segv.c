/*
 * segv.c: a fixture, not a conformance program. Writes through a NULL
 * pointer: the process must die of SIGSEGV (a shell reports status 139).
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	static const char msg[] = "segv: writing through NULL\n";
	write(2, msg, sizeof(msg) - 1);
	*(volatile int *)0 = 1;
	static const char bad[] = "segv: still alive after writing through NULL\n";
	write(2, bad, sizeof(bad) - 1);
	return 0;
}
