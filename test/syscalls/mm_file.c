/*
 * mm_file.c: file-backed mmap(2): private mappings (contents, private
 * writes, offsets, the zeroed tail of the last page), shared mappings
 * (read-only, and written back by msync and munmap), /dev/zero, the errors of
 * man 2 mmap in Linux's order, file mappings in /proc/self/maps, madvise and
 * mremap on them, and the kernel reading untouched file pages (write(2) from
 * a mapping).
 *
 * No signals: accesses past the end of the file (SIGBUS) are not made here.
 * Files live in a fresh directory under /tmp (fs_fixture.h).
 */
#include "fs_fixture.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

#define RW (PROT_READ | PROT_WRITE)
#define FILE_LEN (5 * PAGE + 100)

static char *rmmap(void *addr, size_t len, long prot, long flags, long fd, long off)
{
	return (char *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}
static long rmunmap(void *addr, size_t len) { return syscall(SYS_munmap, addr, len); }

static unsigned char byte_at(size_t i) { return (unsigned char)(i * 31 + 7 + (i >> 12)); }

/* Makes NAME with FILE_LEN bytes of the pattern; returns an fd opened with flags, or -1. */
static int make_file(const char *name, int flags)
{
	static unsigned char buf[FILE_LEN];
	for (size_t i = 0; i < FILE_LEN; i++)
		buf[i] = byte_at(i);
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, buf, FILE_LEN) != FILE_LEN) {
		close(fd);
		return -1;
	}
	close(fd);
	return open(name, flags);
}

static int matches(const char *p, size_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] != byte_at(off + i))
			return 0;
	return 1;
}

static void private_read(void)
{
	int fd;
	char *p;
	CHECK_OK(fd = make_file("f_read", O_RDONLY));
	CHECK_OK(p = rmmap(NULL, 6 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
	CHECK(matches(p, 0, FILE_LEN));
	/* The rest of the last page reads as zeros. */
	for (size_t i = FILE_LEN; i < 6 * PAGE; i++)
		CHECKF(p[i] == 0, "byte %zu past the end is %d", i, p[i]);
	/* The mapping outlives the descriptor. */
	close(fd);
	CHECK(matches(p + 3 * PAGE, 3 * PAGE, PAGE));
	CHECK_OK(rmunmap(p, 6 * PAGE));
}

static void private_write_stays_private(void)
{
	int fd;
	char *p, *q;
	CHECK_OK(fd = make_file("f_priv", O_RDONLY));
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, RW, MAP_PRIVATE, fd, 0));
	CHECK_OK(q = rmmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
	p[10] = 'X';
	p[PAGE + 1] = 'Y';
	CHECK_EQ(p[10], 'X');
	CHECK(matches(q, 0, 2 * PAGE)); /* another private mapping does not see it */
	char c;
	CHECK_EQ(pread(fd, &c, 1, 10), 1);
	CHECK_EQ((unsigned char)c, byte_at(10)); /* nor does the file */
	close(fd);
	rmunmap(p, 2 * PAGE);
	rmunmap(q, 2 * PAGE);
}

static void offset_and_fixed(void)
{
	int fd;
	char *p;
	CHECK_OK(fd = make_file("f_off", O_RDONLY));
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE));
	CHECK(matches(p, 2 * PAGE, 2 * PAGE));
	/* ld.so style: a reservation, then segments mapped over it at their offsets. */
	char *r;
	CHECK_OK(r = rmmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK_EQ(rmmap(r + PAGE, 2 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, 4 * PAGE), r + PAGE);
	CHECK(matches(r + PAGE, 4 * PAGE, FILE_LEN - 4 * PAGE));
	close(fd);
	rmunmap(p, 2 * PAGE);
	rmunmap(r, 4 * PAGE);
}

static void shared_read_only(void)
{
	int fd;
	char *p;
	CHECK_OK(fd = make_file("f_shro", O_RDONLY));
	CHECK_OK(p = rmmap(NULL, 6 * PAGE, PROT_READ, MAP_SHARED, fd, 0));
	CHECK(matches(p, 0, FILE_LEN));
	/* No VM_MAYWRITE without a writable descriptor. */
	CHECK_ERR(mprotect(p, PAGE, RW), EACCES);
	CHECK_OK(mprotect(p, PAGE, PROT_READ | PROT_EXEC));
	close(fd);
	rmunmap(p, 6 * PAGE);
}

static void shared_write_back(void)
{
	int fd;
	char *p, *q;
	char c;
	CHECK_OK(fd = make_file("f_shrw", O_RDWR));
	CHECK_OK(p = rmmap(NULL, 6 * PAGE, RW, MAP_SHARED, fd, 0));
	CHECK_OK(q = rmmap(NULL, 6 * PAGE, PROT_READ, MAP_SHARED, fd, 0));
	p[5] = 'A';
	p[5 * PAGE + 99] = 'B'; /* the last byte of the file */
	p[5 * PAGE + 100] = 'C'; /* past the end of the file, in its last page */
	CHECK_EQ(q[5], 'A'); /* every shared mapping sees it */
	CHECK_OK(msync(p, 6 * PAGE, MS_SYNC));
	CHECK_EQ(pread(fd, &c, 1, 5), 1);
	CHECK_EQ(c, 'A');
	CHECK_EQ(pread(fd, &c, 1, 5 * PAGE + 99), 1);
	CHECK_EQ(c, 'B');
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, FILE_LEN); /* the mapping does not extend the file */
	/* munmap writes back too. */
	p[2 * PAGE] = 'D';
	CHECK_OK(rmunmap(p, 6 * PAGE));
	CHECK_EQ(pread(fd, &c, 1, 2 * PAGE), 1);
	CHECK_EQ(c, 'D');
	CHECK_EQ(q[2 * PAGE], 'D');
	close(fd);
	rmunmap(q, 6 * PAGE);
}

static void dev_zero(void)
{
	int fd;
	char *p, *s;
	CHECK_OK(fd = open("/dev/zero", O_RDWR));
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, RW, MAP_PRIVATE, fd, 0));
	CHECK_OK(s = rmmap(NULL, 2 * PAGE, RW, MAP_SHARED, fd, 0));
	CHECK_EQ(p[100], 0);
	p[100] = 1;
	s[100] = 2;
	CHECK_EQ(p[100], 1);
	CHECK_EQ(s[100], 2);
	close(fd);
	rmunmap(p, 2 * PAGE);
	rmunmap(s, 2 * PAGE);
}

static void errors(void)
{
	int fd, wfd, dfd, pfd[2], rwfd;
	CHECK_OK(fd = make_file("f_err", O_RDONLY));
	CHECK_OK(wfd = open("f_err", O_WRONLY));
	CHECK_OK(rwfd = open("f_err", O_RDWR));
	CHECK_OK(dfd = open(".", O_RDONLY | O_DIRECTORY));
	CHECK_OK(pipe(pfd));
	int closed = dup(fd);
	close(closed);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, closed, 0), EBADF);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, closed, 1), EINVAL); /* the offset comes first */
	CHECK_ERR(rmmap(NULL, 0, PROT_READ, MAP_PRIVATE, closed, 0), EBADF);    /* then the descriptor */
	CHECK_ERR(rmmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0), EINVAL);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wfd, 0), EACCES);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_SHARED, wfd, 0), EACCES);
	CHECK_ERR(rmmap(NULL, PAGE, RW, MAP_SHARED, fd, 0), EACCES);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dfd, 0), ENODEV);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, pfd[0], 0), ENODEV);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, pfd[1], 0), EACCES);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0), EINVAL);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, 0, fd, 0), EINVAL);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, 0x08 /* MAP_DROPPABLE */, fd, 0), EINVAL);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, fd, 0), EINVAL);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, -4096L), EOVERFLOW);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, (long)(0x7fffffffffffffffUL - 4095)), EOVERFLOW);
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, rwfd, 0), EOPNOTSUPP);
	CHECK_ERR(rmmap((void *)0x200000000000UL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE, rwfd, 0), EOPNOTSUPP);
	char *p;
	/* High offsets are fine while the last byte stays below 2^63 (SIGBUS on access). */
	CHECK_OK(p = rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, (long)(0x7fffffffffffffffUL - 8191)));
	rmunmap(p, PAGE);
	int path;
	CHECK_OK(path = open("f_err", O_PATH));
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, path, 0), EBADF);
	int null;
	CHECK_OK(null = open("/dev/null", O_RDONLY));
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, null, 0), ENODEV);
	int maps;
	CHECK_OK(maps = open("/proc/self/maps", O_RDONLY));
	CHECK_ERR(rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, maps, 0), ENODEV);
	close(path);
	close(null);
	close(maps);
	close(fd);
	close(wfd);
	close(rwfd);
	close(dfd);
	close(pfd[0]);
	close(pfd[1]);
}

static void proc_maps_names_the_file(void)
{
	int fd;
	char *p;
	struct stat st;
	CHECK_OK(fd = make_file("f_maps", O_RDONLY));
	CHECK_OK(fstat(fd, &st));
	CHECK_OK(p = rmmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE));
	char want[256];
	snprintf(want, sizeof want, "%lx-%lx r--p %08lx %02x:%02x %lu", (unsigned long)p, (unsigned long)(p + 2 * PAGE),
		 2 * PAGE, major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	char path[128];
	snprintf(path, sizeof path, "%s/f_maps", base);
	int mfd;
	CHECK_OK(mfd = open("/proc/self/maps", O_RDONLY));
	static char text[1 << 16];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof text - 1 && (r = read(mfd, text + n, sizeof text - 1 - n)) > 0)
		n += (size_t)r;
	text[n] = 0;
	close(mfd);
	char *line = strstr(text, want);
	CHECKF(line != NULL, "no line \"%s\" in /proc/self/maps", want);
	char *eol = strchr(line, '\n');
	CHECK(eol != NULL);
	*eol = 0;
	size_t pl = strlen(path);
	CHECKF(strlen(line) > pl && strcmp(line + strlen(line) - pl, path) == 0, "line \"%s\" does not end in %s", line, path);
	CHECKF(line[73] == '/', "the path starts at column 73: \"%s\"", line);
	close(fd);
	rmunmap(p, 2 * PAGE);
}

static void madvise_and_mremap(void)
{
	int fd;
	char *p;
	CHECK_OK(fd = make_file("f_madv", O_RDONLY));
	CHECK_OK(p = rmmap(NULL, 4 * PAGE, RW, MAP_PRIVATE, fd, 0));
	p[PAGE] = 'Z';
	CHECK_OK(madvise(p, 4 * PAGE, MADV_DONTNEED));
	CHECK_EQ((unsigned char)p[PAGE], byte_at(PAGE)); /* back to the file's contents */
	CHECK_ERR(madvise(p, PAGE, MADV_WIPEONFORK), EINVAL);
	CHECK_ERR(madvise(p, PAGE, MADV_REMOVE), EACCES);
	/* Growing keeps the file behind it. */
	char *q;
	CHECK_OK(q = mremap(p, 4 * PAGE, 6 * PAGE, MREMAP_MAYMOVE));
	CHECK(matches(q, 0, FILE_LEN));
	close(fd);
	rmunmap(q, 6 * PAGE);
}

static void kernel_reads_file_pages(void)
{
	int fd, pfd[2];
	char *p;
	static char buf[3 * PAGE];
	CHECK_OK(fd = make_file("f_kread", O_RDONLY));
	CHECK_OK(p = rmmap(NULL, 6 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
	CHECK_OK(pipe(pfd));
	/* write(2) from pages the program never touched: the kernel reads the file's data. */
	CHECK_EQ(write(pfd[1], p + 2 * PAGE + 17, 3 * PAGE), (long)(3 * PAGE));
	size_t got = 0;
	while (got < 3 * PAGE) {
		ssize_t r = read(pfd[0], buf + got, 3 * PAGE - got);
		CHECK(r > 0);
		got += (size_t)r;
	}
	CHECK(matches(buf, 2 * PAGE + 17, 3 * PAGE));
	/* read(2) into a private writable mapping copies, the file stays. */
	char *w;
	CHECK_OK(w = rmmap(NULL, PAGE, RW, MAP_PRIVATE, fd, 0));
	CHECK_EQ(write(pfd[1], "hello", 5), 5);
	CHECK_EQ(read(pfd[0], w + 1, 5), 5);
	CHECK(memcmp(w + 1, "hello", 5) == 0);
	CHECK_EQ((unsigned char)w[0], byte_at(0));
	CHECK_EQ((unsigned char)w[6], byte_at(6));
	close(fd);
	close(pfd[0]);
	close(pfd[1]);
	rmunmap(p, 6 * PAGE);
	rmunmap(w, PAGE);
}

static void own_executable(void)
{
	int fd;
	unsigned char *p;
	CHECK_OK(fd = open("/proc/self/exe", O_RDONLY));
	CHECK_OK(p = (unsigned char *)rmmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
	CHECK(p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F');
	close(fd);
	rmunmap(p, PAGE);
}

int main(void)
{
	fs_setup("/tmp/tsvisor_mm_file.XXXXXX");
	RUN(private_read);
	RUN(private_write_stays_private);
	RUN(offset_and_fixed);
	RUN(shared_read_only);
	RUN(shared_write_back);
	RUN(dev_zero);
	RUN(errors);
	RUN(proc_maps_names_the_file);
	RUN(madvise_and_mremap);
	RUN(kernel_reads_file_pages);
	RUN(own_executable);
	teardown();
	DONE();
}
