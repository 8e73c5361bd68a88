/*
 * fs_fixture.h: the work directory every fs_*.c conformance program runs in:
 * a fresh directory under /tmp (natively the host's /tmp; under tsvisor the
 * sandbox's own), removed at the end.
 */
#ifndef FS_FIXTURE_H
#define FS_FIXTURE_H

#include "check.h"

#include <ftw.h>
#include <sys/stat.h>

static char base[64];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

/* Makes and enters the work directory from a mkdtemp template; umask 022. */
static void fs_setup(const char *template)
{
	snprintf(base, sizeof base, "%s", template);
	if (!mkdtemp(base) || chdir(base) != 0) {
		say("# cannot make a work directory under /tmp: %s", strerror(errno));
		exit(2);
	}
	umask(022);
}

static void teardown(void)
{
	if (chdir("/") == 0)
		nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
