/*
 * escape.c: a guest that tries every single-threaded way out of its root.
 *
 *     /escape MARKERNAME ENCODED_SECRET HOSTPARENT
 *
 * The test puts a file MARKERNAME holding a secret next to the root directory
 * (in HOSTPARENT, outside the root). The secret is passed encoded (each byte
 * + 1) so that it appears nowhere in the guest's own files, /proc/self/cmdline
 * included. Each case tries a family of ways out and reads whatever it
 * reaches (files read, directories listed and searched for MARKERNAME); it
 * passes unless something it read contained the secret, which prints
 *
 *     FAIL CASE: escape: <how>
 *
 * Writes are made only below /w (a directory the test creates in the root), so
 * that a native run, where /w does not exist, changes nothing on the host.
 * Output: check.h style ("ok NAME", "FAIL NAME: ...", "# ..." notes).
 */
#define _GNU_SOURCE
#include "../syscalls/check.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/xattr.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#endif

/* Files in /many: more than the host file system's descriptor budget (4096). */
#define MANY 4500

struct my_open_how {
	uint64_t flags, mode, resolve;
};

static const char *marker;   /* the marker's file name */
static char secret[256];     /* decoded secret */
static const char *hostparent; /* host path of the directory holding ROOT and MARKER */
static long probes;

static int contains(const char *buf, size_t n)
{
	size_t sl = strlen(secret);
	if (sl == 0 || n < sl)
		return 0;
	return memmem(buf, n, secret, sl) != NULL;
}

static void escaped(const char *how, const char *path)
{
	static const char *last_case;
	static int n_in_case;
	if (last_case != check_case_name) {
		last_case = check_case_name;
		n_in_case = 0;
	}
	if (++n_in_case > 4) /* the first few ways are enough */
		return;
	check_fail(__FILE__, __LINE__, "escape: %s (%s)", how, path);
}

/* Reads fd (a regular file or the like) and checks for the secret. */
static void scan_fd(const char *how, const char *path, int fd)
{
	static char buf[1 << 16];
	size_t total = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (contains(buf, (size_t)n)) {
			escaped(how, path);
			return;
		}
		total += (size_t)n;
		if (total >= (1u << 20))
			break;
	}
}

static void probe_at(const char *how, int dirfd, const char *path);

/* Lists a directory fd: entries named like the marker are opened. */
static void scan_dir(const char *how, const char *path, int fd)
{
	char buf[8192];
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 {
				uint64_t ino;
				int64_t off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			if (contains(d->name, strlen(d->name)))
				escaped(how, path);
			if (strcmp(d->name, marker) == 0) {
				say("#   %s: %s lists the marker's name", how, path);
				probe_at(how, fd, marker);
			}
			off += d->reclen;
		}
	}
	/* And the marker by name, listed or not. */
	int m = openat(fd, marker, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (m >= 0) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/%s", path, marker);
		scan_fd(how, p, m);
		close(m);
	}
}

static void probe_fd(const char *how, const char *path, int fd)
{
	struct stat st;
	probes++;
	if (fstat(fd, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode))
		scan_dir(how, path, fd);
	else if (S_ISREG(st.st_mode))
		scan_fd(how, path, fd);
}

/* Opens path (relative to dirfd) and reads whatever it is. */
static void probe_at(const char *how, int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	probe_fd(how, path, fd);
	close(fd);
}

static void probe(const char *how, const char *path)
{
	probe_at(how, AT_FDCWD, path);
}

/* probe(PREFIX + "../" * k + SUFFIX) for k = 0..n. */
static void probe_ups(const char *how, int dirfd, const char *prefix, int n, const char *suffix)
{
	char p[PATH_MAX];
	for (int k = 0; k <= n; k++) {
		int len = snprintf(p, sizeof(p), "%s", prefix);
		for (int i = 0; i < k; i++)
			len += snprintf(p + len, sizeof(p) - len, "../");
		snprintf(p + len, sizeof(p) - len, "%s", suffix);
		probe_at(how, dirfd, p);
	}
}

/* Everything reachable above dirfd: "..", "../..", ... and the marker there. */
static void probe_around(const char *how, int dirfd)
{
	probe_ups(how, dirfd, "", 12, "");
	probe_ups(how, dirfd, "", 12, marker);
	probe_ups(how, dirfd, "./", 12, ".");
}

static void reads_cwd(const char *how)
{
	probe_around(how, AT_FDCWD);
	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof(cwd)))
		say("#   %s: getcwd = %s", how, cwd);
}

static const char *LINKS[] = {
	"passwd_abs", "passwd_rel", "up", "up_marker", "abs_marker", "abs_hostparent",
	"root_link", "cwd_link", "fd_link", "chain1", "loop1", "self", "dotdot", "deep_up",
	"a_up", NULL,
};

/* ---- cases ---- */

static void dotdot_from_root(void)
{
	CHECK_OK(chdir("/"));
	probe_ups("/..+", AT_FDCWD, "/", 12, marker);
	probe_ups("/..+", AT_FDCWD, "/", 12, "");
	probe_ups("/../..+", AT_FDCWD, "/../../../", 12, marker);
	probe_ups("relative ..", AT_FDCWD, "", 12, marker);
	probe_ups("relative ..", AT_FDCWD, "", 12, "");
	probe_ups("mixed ./..", AT_FDCWD, "/./.././a/../", 12, marker);
	probe("//..", "//../../..");
	probe("trailing", "/../../../.");
	/* The root's parent is the root itself. */
	struct stat a, b;
	CHECK_OK(stat("/", &a));
	CHECK_OK(stat("/..", &b));
	CHECKF(a.st_dev == b.st_dev && a.st_ino == b.st_ino, "/.. is not / (ino %lu vs %lu)",
	       (unsigned long)b.st_ino, (unsigned long)a.st_ino);
	CHECK_OK(stat("/../../../..", &b));
	CHECK(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	CHECK_ERR(stat(marker, &b), ENOENT);
	CHECK_ERR(stat("/../marker-does-not-matter/..", &b), ENOENT);
}

static void dotdot_from_subdirs(void)
{
	static const char *dirs[] = { "/a", "/a/b", "/a/b/c", "/a/b/c/d", "/w", NULL };
	for (int i = 0; dirs[i]; i++) {
		if (chdir(dirs[i]) != 0)
			continue;
		reads_cwd("chdir subdir + ..");
		probe_ups("abs subdir ..", AT_FDCWD, dirs[i], 0, "");
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/", dirs[i]);
		probe_ups("abs subdir/..", AT_FDCWD, p, 12, marker);
	}
	CHECK_OK(chdir("/"));
}

static void host_absolute_paths(void)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", hostparent, marker);
	probe("host path", p);
	probe("host parent", hostparent);
	probe_ups("host path via ..", AT_FDCWD, "/", 12, p + 1);
	snprintf(p, sizeof(p), "/a/b/c/../../../../../../../../..%s/%s", hostparent, marker);
	probe("host path via subdir ..", p);
	/* Not even its existence shows. */
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", hostparent, marker);
	CHECK_ERR(stat(p, &st), ENOENT);
	CHECK_ERR(lstat(p, &st), ENOENT);
	snprintf(p, sizeof(p), "../../../../../%s", marker);
	CHECK_ERR(lstat(p, &st), ENOENT);
	CHECK_ERR(access(p, F_OK), ENOENT);
}

/* The "shocker" escape: open_by_handle_at with a handle of the host's inodes. */
static void file_handles(void)
{
	struct {
		unsigned int handle_bytes;
		int handle_type;
		unsigned char f_handle[128];
	} h;
	int mount_id;
	int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(rootfd >= 0);
	static const char *names[] = { "/", "/a", "/a/b", "/a/file", "/links/up", NULL };
	for (int i = 0; names[i]; i++) {
		memset(&h, 0, sizeof(h));
		h.handle_bytes = sizeof(h.f_handle);
		errno = 0;
		long r = syscall(SYS_name_to_handle_at, AT_FDCWD, names[i], &h, &mount_id, 0);
		if (r != 0) {
			if (i == 0)
				say("#   name_to_handle_at: %s", errname(errno));
			continue;
		}
		long fd = syscall(SYS_open_by_handle_at, rootfd, &h, O_RDONLY);
		if (fd >= 0) {
			probe_fd("open_by_handle_at (own handle)", names[i], (int)fd);
			probe_around("open_by_handle_at + ..", (int)fd);
			close((int)fd);
		}
	}
	/* Forged handles: ext4/xfs FILEID_INO32_GEN and btrfs-like inode numbers. */
	static const unsigned int inos[] = { 2, 11, 128, 256, 1 };
	for (int t = 1; t <= 2; t++) {
		for (size_t i = 0; i < sizeof(inos) / sizeof(inos[0]); i++) {
			memset(&h, 0, sizeof(h));
			h.handle_type = t;
			h.handle_bytes = 8;
			memcpy(h.f_handle, &inos[i], 4);
			long fd = syscall(SYS_open_by_handle_at, rootfd, &h, O_RDONLY);
			if (fd >= 0) {
				probe_fd("open_by_handle_at (forged)", "handle", (int)fd);
				probe_around("open_by_handle_at (forged) + ..", (int)fd);
				close((int)fd);
			}
		}
	}
	close(rootfd);
}

/* Mounts inside the sandbox: binds of the root's parent, a fresh proc. */
static void mount_tricks(void)
{
	if (access("/w", F_OK) != 0) {
		say("#   no /w (native run?)");
		return;
	}
	static const char *srcs[] = { "/..", "/../..", "/links/up", "/proc/self/root", "/proc/1/root/..", "/a/b/up2", NULL };
	char m[64];
	for (int i = 0; srcs[i]; i++) {
		snprintf(m, sizeof(m), "/w/m%d", i);
		CHECK_OK(mkdir(m, 0755));
		errno = 0;
		int r = mount(srcs[i], m, NULL, MS_BIND | MS_REC, NULL);
		if (r != 0) {
			say("#   bind %s: %s", srcs[i], errname(errno));
			continue;
		}
		char q[PATH_MAX];
		snprintf(q, sizeof(q), "%s/", m);
		probe_ups("bind mount/..", AT_FDCWD, q, 12, marker);
		probe_ups("bind mount/..", AT_FDCWD, q, 12, "");
		snprintf(q, sizeof(q), "%s%s/%s", m, hostparent, marker);
		probe("bind mount + host path", q);
		int fd = open(m, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		CHECK_OK(umount2(m, MNT_DETACH)); /* keeps the later walk small */
		if (fd >= 0) {
			probe_around("detached bind dirfd ..", fd);
			close(fd);
		}
	}
	CHECK_OK(mkdir("/w/proc2", 0755));
	if (mount("proc", "/w/proc2", "proc", 0, NULL) == 0) {
		probe_ups("new proc: 1/root/..", AT_FDCWD, "/w/proc2/1/root/", 12, marker);
		probe_ups("new proc: self/cwd/..", AT_FDCWD, "/w/proc2/self/cwd/", 12, marker);
		CHECK_OK(umount2("/w/proc2", MNT_DETACH));
	} else {
		say("#   mount proc: %s", errname(errno));
	}
	CHECK_OK(mkdir("/w/tmpfs", 0755));
	if (mount("tmpfs", "/w/tmpfs", "tmpfs", 0, NULL) == 0) {
		CHECK_OK(symlink("../../../../../..", "/w/tmpfs/up"));
		probe_ups("tmpfs link/..", AT_FDCWD, "/w/tmpfs/up/", 12, marker);
		int fd = open("/w/tmpfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		CHECK(fd >= 0);
		/* Unmount it under an open dirfd (lazily), then .. from the fd. */
		if (umount2("/w/tmpfs", MNT_DETACH) == 0)
			probe_around("detached mount dirfd ..", fd);
		close(fd);
	}
	/* Symlinks in the sandbox's own tmpfs mounts, pointing up. */
	static const char *tl[] = { "/tmp/esc_up", "/dev/shm/esc_up", NULL };
	for (int i = 0; tl[i]; i++) {
		if (symlink("../../../../../../../..", tl[i]) != 0)
			continue;
		char q[PATH_MAX];
		snprintf(q, sizeof(q), "%s/", tl[i]);
		probe_ups("tmpfs symlink/..", AT_FDCWD, q, 12, marker);
		snprintf(q, sizeof(q), "%s%s/%s", tl[i], hostparent, marker);
		probe("tmpfs symlink + host path", q);
	}
}

static void symlink_farm(void)
{
	char p[PATH_MAX];
	for (int i = 0; LINKS[i]; i++) {
		snprintf(p, sizeof(p), "/links/%s", LINKS[i]);
		probe("symlink", p);
		snprintf(p, sizeof(p), "/links/%s/", LINKS[i]);
		probe_ups("symlink/..", AT_FDCWD, p, 12, marker);
		probe_ups("symlink/..", AT_FDCWD, p, 12, "");
		snprintf(p, sizeof(p), "/links/%s/%s/%s", LINKS[i], hostparent, marker);
		probe("symlink + host path", p);
		/* Through the link as a directory, then chdir into it. */
		snprintf(p, sizeof(p), "/links/%s", LINKS[i]);
		if (chdir(p) == 0) {
			reads_cwd("chdir symlink + ..");
			CHECK_OK(chdir("/"));
		}
		/* A directory fd through the link. */
		int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			probe_around("symlink dirfd + ..", fd);
			close(fd);
		}
	}
	probe("nested link", "/a/b/up2");
	probe_ups("nested link/..", AT_FDCWD, "/a/b/up2/", 12, marker);
	probe("chain", "/links/chain1/chain_end_marker");
	errno = 0;
	CHECK(open("/links/loop1", O_RDONLY) == -1 && errno == ELOOP);
	CHECK(open("/links/self", O_RDONLY) == -1 && errno == ELOOP);
}

static void chdir_fchdir_dotdot(void)
{
	CHECK_OK(chdir("/"));
	for (int i = 0; i < 12; i++)
		(void)chdir("..");
	reads_cwd("chdir .. x12");
	static const char *dirs[] = { "/", "/a", "/a/b", "/links", NULL };
	for (int i = 0; dirs[i]; i++) {
		int fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		CHECK_OK(fchdir(fd));
		for (int j = 0; j < 12; j++)
			(void)chdir("..");
		reads_cwd("fchdir + chdir ..");
		CHECK_OK(fchdir(fd));
		for (int j = 0; j < 12; j++)
			(void)chdir("../");
		reads_cwd("fchdir + chdir ../");
		close(fd);
	}
	CHECK_OK(chdir("/"));
}

static void openat_dirfds(void)
{
	static const char *dirs[] = { "/", "/.", "/..", "/a", "/a/b", "/w", "/proc", "/proc/self", "/dev", "/tmp", "/sys", NULL };
	for (int i = 0; dirs[i]; i++) {
		int fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		probe_around("openat dirfd ..", fd);
		/* Walk up one openat(fd, "..") at a time. */
		int cur = dup(fd);
		for (int j = 0; j < 12 && cur >= 0; j++) {
			int up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			close(cur);
			cur = up;
			if (cur >= 0)
				probe_fd("openat(fd, \"..\") chain", "..", cur);
		}
		if (cur >= 0)
			close(cur);
		close(fd);
	}
}

static void o_path_fds(void)
{
	static const char *dirs[] = { "/", "/a", "/a/b", "/links/up", "/links/dotdot", "/proc/self/root", "/proc/self/cwd", NULL };
	for (int i = 0; dirs[i]; i++) {
		int fd = open(dirs[i], O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		probe_around("O_PATH dirfd ..", fd);
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		probe("O_PATH via /proc/self/fd", p);
		probe_ups("O_PATH /proc/self/fd/N/..", AT_FDCWD, p, 0, "");
		snprintf(p, sizeof(p), "/proc/self/fd/%d/", fd);
		probe_ups("O_PATH /proc/self/fd/N/..", AT_FDCWD, p, 12, marker);
		close(fd);
		/* O_PATH|O_NOFOLLOW of a symlink, then through it. */
		fd = open(dirs[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			probe_at("O_PATH|O_NOFOLLOW + AT_EMPTY_PATH-ish", fd, "");
			snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
			probe("O_PATH|O_NOFOLLOW via /proc/self/fd", p);
			close(fd);
		}
	}
}

static void proc_self_root_and_cwd(void)
{
	static const char *bases[] = { "/proc/self/root", "/proc/thread-self/root", "/proc/self/cwd",
				       "/proc/thread-self/cwd", NULL };
	char p[PATH_MAX];
	static const char *cwds[] = { "/", "/a/b/c", "/links", NULL };
	for (int c = 0; cwds[c]; c++) {
		if (chdir(cwds[c]) != 0)
			continue;
		for (int i = 0; bases[i]; i++) {
			probe("proc link", bases[i]);
			snprintf(p, sizeof(p), "%s/", bases[i]);
			probe_ups("proc link/..", AT_FDCWD, p, 12, marker);
			probe_ups("proc link/..", AT_FDCWD, p, 12, "");
			snprintf(p, sizeof(p), "%s%s/%s", bases[i], hostparent, marker);
			probe("proc link + host path", p);
			snprintf(p, sizeof(p), "%s/proc/self/root/../%s", bases[i], marker);
			probe("proc link nested", p);
			int fd = open(bases[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0) {
				probe_around("proc link dirfd ..", fd);
				close(fd);
			}
			if (chdir(bases[i]) == 0) {
				reads_cwd("chdir proc link + ..");
				CHECK_OK(chdir(cwds[c]));
			}
		}
	}
	CHECK_OK(chdir("/"));
}

static void proc_fd_magic_links(void)
{
	static const char *dirs[] = { "/", "/a", "/a/b", "/a/b/c", "/links", "/proc", "/proc/self", NULL };
	char p[PATH_MAX];
	for (int i = 0; dirs[i]; i++) {
		int fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		static const char *fmts[] = { "/proc/self/fd/%d", "/proc/thread-self/fd/%d", "/dev/fd/%d", NULL };
		for (int f = 0; fmts[f]; f++) {
			snprintf(p, sizeof(p), fmts[f], fd);
			probe("fd magic link", p);
			size_t len = strlen(p);
			snprintf(p + len, sizeof(p) - len, "/");
			probe_ups("fd magic link/..", AT_FDCWD, p, 12, marker);
			probe_ups("fd magic link/..", AT_FDCWD, p, 12, "");
			if (chdir(p) == 0) {
				reads_cwd("chdir fd magic link + ..");
				CHECK_OK(chdir("/"));
			}
		}
		/* The pid's own number instead of self. */
		snprintf(p, sizeof(p), "/proc/%d/fd/%d/", getpid(), fd);
		probe_ups("/proc/PID/fd/N/..", AT_FDCWD, p, 12, marker);
		close(fd);
	}
}

static void proc_other_pids(void)
{
	char p[PATH_MAX];
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	char buf[8192];
	long n;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d =
				(void *)(buf + off);
			off += d->reclen;
			if (d->name[0] < '0' || d->name[0] > '9')
				continue;
			static const char *sub[] = { "root", "cwd", "exe", NULL };
			for (int s = 0; sub[s]; s++) {
				snprintf(p, sizeof(p), "/proc/%s/%s", d->name, sub[s]);
				probe("/proc/PID link", p);
				snprintf(p, sizeof(p), "/proc/%s/%s/", d->name, sub[s]);
				probe_ups("/proc/PID link/..", AT_FDCWD, p, 12, marker);
				snprintf(p, sizeof(p), "/proc/%s/%s%s/%s", d->name, sub[s], hostparent, marker);
				probe("/proc/PID link + host path", p);
			}
		}
	}
	close(fd);
	/* Pids that need not exist. */
	static const int pids[] = { 1, 2, 0, -1, 4194304 };
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "/proc/%d/root/", pids[i]);
		probe_ups("/proc/N/root/..", AT_FDCWD, p, 12, marker);
		snprintf(p, sizeof(p), "/proc/%d/root%s/%s", pids[i], hostparent, marker);
		probe("/proc/N/root + host path", p);
	}
}

static void rename_races(void)
{
	/* A dirfd deep in a tree; its ancestors are moved up; then ".." from it. */
	if (mkdir("/w/r1", 0755) != 0 || mkdir("/w/r1/r2", 0755) != 0 || mkdir("/w/r1/r2/r3", 0755) != 0 ||
	    mkdir("/w/r1/r2/r3/r4", 0755) != 0) {
		say("#   rename_races: no /w (native run?): %s", errname(errno));
		return;
	}
	int fd = open("/w/r1/r2/r3/r4", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	int cwdfd = open("/w/r1/r2/r3", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(cwdfd >= 0);
	CHECK_OK(fchdir(cwdfd));
	/* Move r2 (holding the open directories) to the top of the root. */
	CHECK_OK(rename("/w/r1/r2", "/r2moved"));
	probe_around("rename ancestor to / then .. from dirfd", fd);
	reads_cwd("rename ancestor to / then .. from cwd");
	/* And then out again, deeper, several times, trying each step. */
	CHECK_OK(rename("/r2moved", "/w/r2back"));
	probe_around("rename back then ..", fd);
	/* Try to move a directory above the root. */
	errno = 0;
	int r = rename("/w/r2back", "/../../r2out");
	say("#   rename to /../../r2out: %d %s", r, errname(errno));
	if (r == 0) {
		probe_around("renamed to /../..", fd);
		struct stat st;
		CHECK(stat("/r2out", &st) == 0); /* it must have landed inside */
		CHECK_OK(rename("/r2out", "/w/r2back"));
	}
	r = renameat(cwdfd, "../../../../../../../../w/r2back", AT_FDCWD, "/w/r2b");
	say("#   renameat via ..: %d %s", r, errname(errno));
	probe_around("renameat via .. then ..", fd);
	/* The open directory itself renamed while it is the cwd, then removed. */
	CHECK_OK(chdir("/"));
	CHECK_OK(mkdir("/w/gone", 0755));
	int gfd = open("/w/gone", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(gfd >= 0);
	CHECK_OK(fchdir(gfd));
	CHECK_OK(rmdir("/w/gone"));
	reads_cwd("cwd removed then ..");
	probe_around("removed dirfd ..", gfd);
	CHECK(openat(gfd, "newfile", O_CREAT | O_WRONLY, 0644) == -1);
	close(gfd);
	/* Exchange (renameat2 RENAME_EXCHANGE) a parent with a link to /. */
	CHECK_OK(chdir("/"));
	if (mkdir("/w/x1", 0755) == 0 && mkdir("/w/x1/x2", 0755) == 0) {
		int xfd = open("/w/x1/x2", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		CHECK_OK(symlink("../../..", "/w/xl"));
		r = (int)syscall(SYS_renameat2, AT_FDCWD, "/w/x1", AT_FDCWD, "/w/xl", 2 /* RENAME_EXCHANGE */);
		say("#   RENAME_EXCHANGE dir <-> symlink: %d %s", r, errname(errno));
		probe_around("exchange then ..", xfd);
		probe_ups("exchanged link/..", AT_FDCWD, "/w/x1/", 12, marker);
		close(xfd);
	}
	close(fd);
	close(cwdfd);
	CHECK_OK(chdir("/"));
}

static void openat2_resolve(void)
{
	static const uint64_t resolves[] = { 0, RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_XDEV,
					     RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS,
					     RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	char hostp[PATH_MAX];
	snprintf(hostp, sizeof(hostp), "%s/%s", hostparent, marker);
	const char *paths[] = { "..", "../..", marker, "../../../../", "/..", hostp, "links/up", "links/abs_marker",
				"links/up_marker", "proc/self/root/..", "a/b/up2/..", "links/root_link/..", NULL };
	static const char *dirs[] = { "/", "/a", "/a/b", "/links", "/proc/self", NULL };
	char buf[PATH_MAX];
	for (int d = 0; dirs[d]; d++) {
		int dfd = open(dirs[d], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;
		for (size_t r = 0; r < sizeof(resolves) / sizeof(resolves[0]); r++) {
			for (int i = 0; paths[i]; i++) {
				for (int up = 0; up < 4; up++) {
					int len = 0;
					for (int u = 0; u < up; u++)
						len += snprintf(buf + len, sizeof(buf) - len, "../");
					snprintf(buf + len, sizeof(buf) - len, "%s", paths[i]);
					struct my_open_how how = { O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0, resolves[r] };
					long fd = syscall(SYS_openat2, dfd, buf, &how, sizeof(how));
					if (fd < 0 && errno == ENOSYS) {
						say("#   openat2: ENOSYS");
						close(dfd);
						return;
					}
					if (fd >= 0) {
						probe_fd("openat2", buf, (int)fd);
						close((int)fd);
					}
				}
			}
		}
		close(dfd);
	}
}

static void link_symlink_rename_out(void)
{
	if (access("/w", W_OK) != 0) {
		say("#   no /w (native run?)");
		return;
	}
	char p[PATH_MAX], q[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", hostparent, marker);
	/* Symlinks we create, pointing out. */
	struct { const char *target, *name; } sl[] = {
		{ "../../../../../../../..", "/w/s_up" }, { p, "/w/s_host" }, { "/proc/self/root/..", "/w/s_proc" },
		{ "/../../..", "/w/s_absup" }, { hostparent, "/w/s_hostparent" },
	};
	for (size_t i = 0; i < sizeof(sl) / sizeof(sl[0]); i++) {
		if (symlinkat(sl[i].target, AT_FDCWD, sl[i].name) != 0)
			continue;
		probe("own symlink", sl[i].name);
		snprintf(q, sizeof(q), "%s/", sl[i].name);
		probe_ups("own symlink/..", AT_FDCWD, q, 12, marker);
		snprintf(q, sizeof(q), "%s/%s", sl[i].name, marker);
		probe("own symlink/marker", q);
	}
	/* Hard links to things outside. */
	static const char *srcs[] = { NULL, NULL, "/links/abs_marker", "/links/up_marker", "/w/s_host", NULL };
	char up[PATH_MAX];
	snprintf(up, sizeof(up), "../../../../../../%s", marker);
	srcs[0] = up;
	srcs[1] = p;
	for (int i = 0; i < 5; i++) {
		for (int follow = 0; follow < 2; follow++) {
			snprintf(q, sizeof(q), "/w/hl%d_%d", i, follow);
			if (linkat(AT_FDCWD, srcs[i], AT_FDCWD, q, follow ? AT_SYMLINK_FOLLOW : 0) == 0)
				probe("linkat", q);
		}
	}
	/* Renames of outside things in. */
	static const char *rsrc[] = { NULL, NULL, "/links/up_marker/", "/../", NULL };
	rsrc[0] = up;
	rsrc[1] = p;
	for (int i = 0; i < 4; i++) {
		snprintf(q, sizeof(q), "/w/rn%d", i);
		if (rename(rsrc[i], q) == 0)
			probe("renameat in", q);
	}
	/* Creating files above the root: they must land inside. */
	CHECK_OK(chdir("/w"));
	int fd = open("../../../../../../../escape-created", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd >= 0) {
		close(fd);
		struct stat st;
		CHECK(stat("/escape-created", &st) == 0);
	}
	snprintf(q, sizeof(q), "%s/escape-created-abs", hostparent);
	fd = open(q, O_CREAT | O_WRONLY | O_CLOEXEC, 0644); /* ENOENT inside the sandbox */
	if (fd >= 0)
		close(fd);
	(void)mkdir("../../../../escape-mkdir", 0755);
	(void)symlink("x", "../../../../escape-symlink");
	CHECK_OK(chdir("/"));
}

/* Writes, truncations, chmods and utimes through links that point out. */
static void write_through_links(void)
{
	if (access("/w", F_OK) != 0) {
		say("#   no /w (native run?)");
		return;
	}
	char p[PATH_MAX];
	static const char *names[] = { "/links/up_marker", "/links/abs_marker", "/a/b/c/marker_rel", "/w/s_host", NULL };
	for (int i = 0; names[i]; i++) {
		int fd = open(names[i], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			(void)write(fd, "guest was here\n", 15);
			close(fd);
		}
		(void)truncate(names[i], 0);
		(void)chmod(names[i], 0);
		(void)chown(names[i], 12345, 12345);
		(void)utimes(names[i], NULL);
		(void)setxattr(names[i], "user.escape", "x", 1, 0);
		probe("written link, read back", names[i]);
	}
	static const char *dirs[] = { "/links/up", "/links/abs_hostparent", "/links/dotdot", "/links/chain1", "/a/b/up2", NULL };
	for (int i = 0; dirs[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", dirs[i], marker);
		int fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			(void)write(fd, "guest was here\n", 15);
			close(fd);
		}
		(void)truncate(p, 0);
		(void)unlink(p);
		snprintf(p, sizeof(p), "%s/escape-new-dir", dirs[i]);
		(void)mkdir(p, 0755);
		(void)rmdir(p);
		snprintf(p, sizeof(p), "%s/escape-new-file", dirs[i]);
		int nf = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (nf >= 0)
			close(nf);
	}
}

/* Touches every file of /many (more than the host fs keeps descriptors for). */
static int touch_many(void)
{
	char p[64];
	struct stat st;
	int n = 0;
	for (int i = 0; i < MANY; i++) {
		snprintf(p, sizeof(p), "/many/f%d", i);
		if (stat(p, &st) == 0)
			n++;
		int fd = open(p, O_PATH | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
	return n;
}

/*
 * The host file system closes the descriptors of the least recently used
 * inodes and reopens them by name: dirfds whose host descriptors were
 * dropped, and directories renamed meanwhile, must still stay inside.
 */
static void fd_cache_eviction(void)
{
	if (access("/many", F_OK) != 0) {
		say("#   no /many (native run?)");
		return;
	}
	static const char *dirs[] = { "/a/b/c/d", "/a/b/c", "/a", "/links", NULL };
	int fds[8], nf = 0;
	for (int i = 0; dirs[i]; i++) {
		fds[nf] = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		CHECK(fds[nf] >= 0);
		nf++;
	}
	int pathfd = open("/a/b/c/d", O_PATH | O_CLOEXEC);
	CHECK(pathfd >= 0);
	CHECK(chdir("/a/b/c/d") == 0);
	int n = touch_many();
	CHECKF(n == MANY, "only %d of /many/f* found", n);
	for (int i = 0; i < nf; i++)
		probe_around("evicted dirfd ..", fds[i]);
	probe_around("evicted O_PATH fd ..", pathfd);
	reads_cwd("evicted cwd ..");
	if (access("/w", W_OK) == 0 && rename("/a/b", "/w/ab") == 0) {
		touch_many();
		for (int i = 0; i < nf; i++)
			probe_around("renamed + evicted dirfd ..", fds[i]);
		reads_cwd("renamed + evicted cwd ..");
		probe("renamed + evicted file", "/w/ab/c/d/deep");
		int d = openat(pathfd, "deep", O_RDONLY | O_CLOEXEC);
		CHECK(d >= 0);
		close(d);
		touch_many();
		CHECK_OK(rename("/w/ab", "/a/b"));
		touch_many();
		for (int i = 0; i < nf; i++)
			probe_around("renamed back + evicted dirfd ..", fds[i]);
		d = openat(fds[0], "deep", O_RDONLY | O_CLOEXEC);
		CHECK(d >= 0);
		close(d);
	}
	for (int i = 0; i < nf; i++)
		close(fds[i]);
	close(pathfd);
	CHECK_OK(chdir("/"));
}

/* True if s is a readlink result that names the host's directories. */
static int names_host(const char *s)
{
	size_t hl = strlen(hostparent);
	return hl > 1 && strstr(s, hostparent) != NULL;
}

static void readlink_everything(void)
{
	char p[PATH_MAX], buf[PATH_MAX];
	for (int i = 0; LINKS[i]; i++) {
		snprintf(p, sizeof(p), "/links/%s", LINKS[i]);
		ssize_t n = readlink(p, buf, sizeof(buf) - 1);
		if (n >= 0 && contains(buf, (size_t)n))
			escaped("readlink", p);
	}
	int dfd = open("/a/b", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	static const char *proc[] = { "/proc/self/root", "/proc/self/cwd", "/proc/self/exe", "/proc/1/root",
				      "/proc/1/cwd", "/proc/1/exe", "/proc/self", "/proc/thread-self", "/dev/fd",
				      "/dev/stdin", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2", NULL };
	for (int i = 0; proc[i]; i++) {
		ssize_t n = readlink(proc[i], buf, sizeof(buf) - 1);
		if (n < 0)
			continue;
		buf[n] = 0;
		say("#   readlink %s = %s", proc[i], buf);
		if (contains(buf, (size_t)n))
			escaped("readlink", proc[i]);
		/*
		 * root, cwd and fd links must be the guest's paths. exe names the
		 * host file tsvisor loaded (it reads PROGRAM from the host, not the
		 * root): noted, not failed, until the program is resolved inside.
		 */
		if (names_host(buf) && strstr(proc[i], "/exe") == NULL)
			check_fail(__FILE__, __LINE__, "readlink %s = %s: names the host directory", proc[i], buf);
		else if (names_host(buf))
			say("#   note: readlink %s names a host path: %s", proc[i], buf);
	}
	snprintf(p, sizeof(p), "/proc/self/fd/%d", dfd);
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n] = 0;
	CHECKF(strcmp(buf, "/a/b") == 0, "readlink %s = %s, want /a/b", p, buf);
	close(dfd);
}

/* Reads every file in the sandbox (bounded), looking for the secret. */
static long walked;
static void walk(int dfd, const char *path, int depth)
{
	if (depth > 10 || walked > 20000)
		return;
	char buf[8192];
	long n;
	while ((n = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d =
				(void *)(buf + off);
			off += d->reclen;
			if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
				continue;
			char p[PATH_MAX];
			snprintf(p, sizeof(p), "%s/%s", strcmp(path, "/") ? path : "", d->name);
			walked++;
			if (contains(d->name, strlen(d->name)))
				escaped("walk: a name", p);
			/* Files that are not safe or useful to read. */
			if (!strcmp(d->name, "mem") || !strcmp(d->name, "pagemap") || !strcmp(d->name, "kcore") ||
			    !strcmp(d->name, "kmsg") || !strcmp(d->name, "environ") || !strcmp(d->name, "cmdline") ||
			    !strcmp(d->name, "tty") || !strcmp(d->name, "ptmx") || !strcmp(d->name, "console") ||
			    !strcmp(p, "/dev/stdin"))
				continue;
			struct stat st;
			if (fstatat(dfd, d->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			if (S_ISLNK(st.st_mode)) {
				char t[PATH_MAX];
				ssize_t tn = readlinkat(dfd, d->name, t, sizeof(t) - 1);
				if (tn > 0 && contains(t, (size_t)tn))
					escaped("walk: link target", p);
				/* Following it, one level (no recursion through links). */
				int fd = openat(dfd, d->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
				if (fd >= 0) {
					struct stat fst;
					if (fstat(fd, &fst) == 0 && S_ISREG(fst.st_mode))
						scan_fd("walk: through link", p, fd);
					else if (S_ISDIR(fst.st_mode))
						scan_dir("walk: through link", p, fd);
					close(fd);
				}
				continue;
			}
			if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
				continue;
			int fd = openat(dfd, d->name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (S_ISDIR(st.st_mode)) {
				/* Skip the other tasks' subtrees of /proc after the first level. */
				walk(fd, p, depth + 1);
			} else {
				scan_fd("walk: file", p, fd);
			}
			close(fd);
		}
	}
}

static void walk_everything(void)
{
	if (access("/w", F_OK) != 0) {
		say("#   no /w (native run?): not walking the host");
		return;
	}
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	walk(fd, "/", 0);
	close(fd);
	say("#   walked %ld entries", walked);
}

/* Last: chroot changes the rest of the program's view. */
static void chroot_then_dotdot(void)
{
	if (mkdir("/w/jail", 0755) != 0 || mkdir("/w/jail/sub", 0755) != 0) {
		say("#   no /w (native run?)");
		return;
	}
	int outside = open("/a", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(outside >= 0);
	CHECK_OK(chdir("/w"));
	errno = 0;
	if (chroot("/w/jail") != 0) {
		say("#   chroot: %s (not root?)", errname(errno));
		return;
	}
	/* cwd is outside the new root: .. from it walks up to the real root, and must stop there. */
	reads_cwd("chroot, cwd outside, ..");
	for (int i = 0; i < 12; i++)
		(void)chdir("..");
	reads_cwd("chroot, chdir .. from outside cwd");
	probe_around("chroot, dirfd from before", outside);
	CHECK_OK(fchdir(outside));
	reads_cwd("chroot, fchdir outside dirfd");
	/* Nested chroot into the sub directory, then break out with the old fd. */
	CHECK_OK(chroot("/"));
	CHECK_OK(chdir("/"));
	(void)mkdir("/sub/deeper", 0755);
	CHECK_OK(chroot("/sub"));
	probe_ups("nested chroot ..", AT_FDCWD, "/", 12, marker);
	CHECK_OK(fchdir(outside));
	for (int i = 0; i < 12; i++)
		(void)chdir("..");
	CHECK_OK(chroot("."));
	reads_cwd("re-chroot at the top");
	probe_ups("re-chroot ..", AT_FDCWD, "/", 12, marker);
	probe("re-chroot proc", "/proc/self/root/../..");
	close(outside);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		say("usage: escape MARKERNAME ENCODED_SECRET HOSTPARENT");
		return 2;
	}
	marker = argv[1];
	size_t i;
	for (i = 0; argv[2][i] && i < sizeof(secret) - 1; i++)
		secret[i] = (char)(argv[2][i] - 1);
	secret[i] = 0;
	hostparent = argv[3];
	if (strlen(secret) < 8) {
		say("secret too short");
		return 2;
	}

	RUN(dotdot_from_root);
	RUN(dotdot_from_subdirs);
	RUN(host_absolute_paths);
	RUN(symlink_farm);
	RUN(chdir_fchdir_dotdot);
	RUN(openat_dirfds);
	RUN(o_path_fds);
	RUN(proc_self_root_and_cwd);
	RUN(proc_fd_magic_links);
	RUN(proc_other_pids);
	RUN(rename_races);
	RUN(openat2_resolve);
	RUN(link_symlink_rename_out);
	RUN(write_through_links);
	RUN(fd_cache_eviction);
	RUN(file_handles);
	RUN(mount_tricks);
	RUN(readlink_everything);
	RUN(walk_everything);
	RUN(chroot_then_dotdot);
	say("# %ld probes", probes);
	DONE();
}
