/*
 * proc_exec_cache.c: executing the same file many times. tsvisor keeps the
 * loaded segments of executables in a shared, copy-on-write cache
 * (src/loader/image_cache.ts); these cases check what must hold whatever the
 * kernel does: each new image starts from the file's bytes (a process that
 * wrote its .data and .bss does not change the next one's), and a file
 * changed in place (even with its mtime put back), replaced by rename, or
 * rewritten to another size runs as it is now, never as it was.
 *
 * The images are copies of this program in a temporary file. With argv[1]
 * "image-data" or "image-marker" the program is the new image: it checks
 * its initialized data / reports its marker string through its exit status.
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

/* The marker: its 8th byte ('A') is patched in the copies. volatile: read from memory. */
static volatile const char marker[] = "MARKER-A-9d1c7e";
/* Initialized data and bss: every new image must see these values. */
static volatile int data_word = 42;
static volatile char data_page[8192] = {1, 2, 3};
static volatile int bss_word;

static int image_main(const char *mode)
{
	if (strcmp(mode, "image-data") == 0) {
		int ok = data_word == 42 && data_page[0] == 1 && data_page[2] == 3 && data_page[5000] == 0 && bss_word == 0;
		data_word = 7;
		data_page[0] = 9;
		data_page[5000] = 9;
		bss_word = 5;
		return ok ? 0 : 1;
	}
	if (strcmp(mode, "image-marker") == 0)
		return 10 + (marker[7] - 'A');
	return 100;
}

static char copy_path[PATH_MAX];

/* Copies /proc/self/exe to path (mode 0755). 0 or -1. */
static int copy_self(const char *path)
{
	int in = open("/proc/self/exe", O_RDONLY);
	if (in < 0)
		return -1;
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	char buf[65536];
	ssize_t n;
	int r = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			r = -1;
			break;
		}
	}
	if (n < 0)
		r = -1;
	close(in);
	if (close(out) < 0)
		r = -1;
	return r;
}

/* Runs path with argv[1] = mode in a child; returns its exit status or -1. */
static int run_image(const char *path, const char *mode)
{
	char *argv[] = { (char *)path, (char *)mode, NULL };
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(path, argv, environ);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Offset of the marker's 8th byte in the file at path, or -1. */
static off_t marker_offset(const char *path)
{
	/* The pattern is built at run time so that it appears in the file only once. */
	char pat[sizeof(marker)];
	for (size_t i = 0; i + 1 < sizeof(marker); i++)
		pat[i] = marker[i];
	pat[7] = 'A';
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	char *b = malloc((size_t)st.st_size);
	off_t found = -1;
	if (b != NULL && pread(fd, b, (size_t)st.st_size, 0) == st.st_size) {
		for (off_t i = 0; i + (off_t)sizeof(marker) - 1 <= st.st_size; i++) {
			if (memcmp(b + i, pat, sizeof(marker) - 1) == 0) {
				found = i + 7;
				break;
			}
		}
	}
	free(b);
	close(fd);
	return found;
}

/* Writes c at off in path; with keep_mtime, puts the mtime back as it was (only ctime then tells). */
static int patch(const char *path, off_t off, char c, int keep_mtime)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	struct stat st;
	int r = fstat(fd, &st);
	if (r == 0 && pwrite(fd, &c, 1, off) != 1)
		r = -1;
	if (r == 0 && keep_mtime) {
		struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, st.st_mtim };
		r = futimens(fd, ts);
	}
	if (close(fd) < 0)
		r = -1;
	return r;
}

static void fresh_copy(void)
{
	unlink(copy_path);
	CHECK_OK(copy_self(copy_path));
}

static void data_is_private(void)
{
	fresh_copy();
	for (int i = 0; i < 4; i++)
		CHECK_EQ(run_image(copy_path, "image-data"), 0);
	/* The running program's own file too. */
	for (int i = 0; i < 2; i++)
		CHECK_EQ(run_image("/proc/self/exe", "image-data"), 0);
}

static void rewrite_in_place(void)
{
	fresh_copy();
	off_t off = marker_offset(copy_path);
	CHECK(off > 0);
	CHECK_EQ(run_image(copy_path, "image-marker"), 10);
	CHECK_EQ(run_image(copy_path, "image-marker"), 10);
	CHECK_OK(patch(copy_path, off, 'B', 0));
	CHECK_EQ(run_image(copy_path, "image-marker"), 11);
	CHECK_OK(patch(copy_path, off, 'C', 0));
	CHECK_EQ(run_image(copy_path, "image-marker"), 12);
}

static void rewrite_keeping_mtime(void)
{
	fresh_copy();
	off_t off = marker_offset(copy_path);
	CHECK(off > 0);
	CHECK_EQ(run_image(copy_path, "image-marker"), 10);
	CHECK_OK(patch(copy_path, off, 'D', 1));
	CHECK_EQ(run_image(copy_path, "image-marker"), 13);
}

static void replace_by_rename(void)
{
	fresh_copy();
	CHECK_EQ(run_image(copy_path, "image-marker"), 10);
	char other[PATH_MAX + 8];
	snprintf(other, sizeof(other), "%s.new", copy_path);
	unlink(other);
	CHECK_OK(copy_self(other));
	off_t off = marker_offset(other);
	CHECK(off > 0);
	CHECK_OK(patch(other, off, 'E', 0));
	CHECK_OK(rename(other, copy_path));
	CHECK_EQ(run_image(copy_path, "image-marker"), 14);
}

static void rewrite_other_size(void)
{
	fresh_copy();
	CHECK_EQ(run_image(copy_path, "image-marker"), 10);
	off_t off = marker_offset(copy_path);
	CHECK(off > 0);
	CHECK_OK(patch(copy_path, off, 'F', 0));
	/* A longer file: a page of zeros appended. */
	int fd = open(copy_path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	static const char zeros[4096];
	CHECK_EQ(write(fd, zeros, sizeof(zeros)), (ssize_t)sizeof(zeros));
	CHECK_OK(close(fd));
	CHECK_EQ(run_image(copy_path, "image-marker"), 15);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return image_main(argv[1]);
	snprintf(copy_path, sizeof(copy_path), "/tmp/proc_exec_cache.%d", (int)getpid());
	RUN(data_is_private);
	RUN(rewrite_in_place);
	RUN(rewrite_keeping_mtime);
	RUN(replace_by_rename);
	RUN(rewrite_other_size);
	unlink(copy_path);
	DONE();
}
