/*
 * fs_shm.c: coherence of tmpfs file data (/dev/shm, /tmp, memfd) between
 * MAP_SHARED mappings and read(2)/write(2), across processes and without
 * msync: a store through a mapping is seen by read(2) at once and a write(2)
 * by every mapping; ftruncate shrinking a mapped file gives SIGBUS past the
 * end; mremap of a shared mapping; MAP_PRIVATE copies. Then POSIX shared
 * memory and semaphores through glibc: shm_open, sem_open, and a
 * process-shared pthread mutex and semaphore in a shared file.
 */
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char name[64];

/* A fresh shm_open name per case (the native and sandboxed runs may overlap). */
static const char *shm_name(const char *tag)
{
	snprintf(name, sizeof name, "/tsvisor-%s-%d", tag, (int)getpid());
	return name;
}

/* An unlinked shm object of `pages` pages, open O_RDWR. */
static int shm_file(const char *tag, int pages)
{
	int fd = shm_open(shm_name(tag), O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0)
		return -1;
	shm_unlink(name);
	if (ftruncate(fd, pages * (long)PAGE) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Waits for child pid; its exit status, or -1 if it did not exit normally. */
static int reap(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static sigjmp_buf jb;
static volatile sig_atomic_t got_sig;

static void on_fault(int sig)
{
	got_sig = sig;
	siglongjmp(jb, 1);
}

/* Reads *p; returns the signal it raised (0 for none) and stores the byte in *out. */
static int probe_read(volatile char *p, char *out)
{
	struct sigaction sa = {0}, obus, osegv;
	sa.sa_handler = on_fault;
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	got_sig = 0;
	if (sigsetjmp(jb, 1) == 0)
		*out = *p;
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return got_sig;
}

/* Writes v to *p; returns the signal it raised (0 for none). */
static int probe_write(volatile char *p, char v)
{
	struct sigaction sa = {0}, obus, osegv;
	sa.sa_handler = on_fault;
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	got_sig = 0;
	if (sigsetjmp(jb, 1) == 0)
		*p = v;
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return got_sig;
}

/* shm_open makes a file in /dev/shm, on tmpfs, that open(2) finds by path. */
static void shm_open_dev_shm(void)
{
	char path[96];
	struct stat st;
	int fd, fd2;
	CHECK_OK(fd = shm_open(shm_name("open"), O_CREAT | O_EXCL | O_RDWR, 0640));
	snprintf(path, sizeof path, "/dev/shm%s", name);
	CHECK_OK(stat(path, &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	CHECK_EQ(st.st_size, 0);
	CHECK_ERR(shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);
	CHECK_OK(fd2 = open(path, O_RDWR));
	CHECK_EQ(write(fd2, "abc", 3), 3);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 3);
	CHECK_OK(shm_unlink(name));
	CHECK_ERR(shm_unlink(name), ENOENT);
	CHECK_ERR(stat(path, &st), ENOENT);
	close(fd);
	close(fd2);
}

/* A store through one shared mapping is read by another open's mapping and by read(2), no msync. */
static void map_store_seen_by_read(void)
{
	char path[96], b[8];
	int fd, fd2;
	CHECK_OK(fd = shm_open(shm_name("store"), O_CREAT | O_EXCL | O_RDWR, 0600));
	snprintf(path, sizeof path, "/dev/shm%s", name);
	CHECK_OK(ftruncate(fd, 2 * PAGE));
	CHECK_OK(fd2 = open(path, O_RDWR));
	shm_unlink(name);
	char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *m2 = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd2, 0);
	CHECK(m != MAP_FAILED && m2 != MAP_FAILED);
	CHECK_EQ(m2[PAGE + 5], 0);
	memcpy(m + PAGE + 5, "hello", 5);
	CHECK(memcmp(m2 + PAGE + 5, "hello", 5) == 0);
	CHECK_EQ(pread(fd2, b, 5, PAGE + 5), 5);
	CHECK(memcmp(b, "hello", 5) == 0);
	/* And again on the same (now resident, writable) page. */
	m[PAGE + 5] = 'J';
	CHECK_EQ(pread(fd, b, 1, PAGE + 5), 1);
	CHECK_EQ(b[0], 'J');
	munmap(m, 2 * PAGE);
	munmap(m2, 2 * PAGE);
	close(fd);
	close(fd2);
}

/* write(2) is seen by a shared mapping made before it (resident pages included), no msync. */
static void write_seen_by_map(void)
{
	int fd;
	CHECK_OK(fd = shm_file("write", 3));
	char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	m[0] = 'x';          /* resident and written */
	CHECK_EQ(m[PAGE], 0); /* resident, clean */
	CHECK_EQ(pwrite(fd, "ABCD", 4, 0), 4);
	CHECK_EQ(pwrite(fd, "EFGH", 4, PAGE + 10), 4);
	CHECK_EQ(pwrite(fd, "IJKL", 4, 2 * PAGE + 20), 4);
	CHECK(memcmp(m, "ABCD", 4) == 0);
	CHECK(memcmp(m + PAGE + 10, "EFGH", 4) == 0);
	CHECK(memcmp(m + 2 * PAGE + 20, "IJKL", 4) == 0);
	/* A later store through the mapping is not lost under a write(2) that came before it. */
	m[1] = 'z';
	char b[4];
	CHECK_EQ(pread(fd, b, 4, 0), 4);
	CHECK(memcmp(b, "AzCD", 4) == 0);
	munmap(m, 3 * PAGE);
	close(fd);
}

/* Parent and forked child share the pages of a MAP_SHARED file mapping both ways, while both are alive. */
static void fork_shares_pages(void)
{
	int fd, p2c[2], c2p[2];
	char b[8], t;
	CHECK_OK(fd = shm_file("fork", 2));
	char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	m[0] = 'p';
	CHECK_OK(pipe(p2c));
	CHECK_OK(pipe(c2p));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		int bad = 0;
		if (m[0] != 'p')
			bad |= 1;
		memcpy(m + PAGE, "child", 5);          /* through memory */
		if (pwrite(fd, "cw", 2, 100) != 2)    /* through the file */
			bad |= 2;
		if (write(c2p[1], "1", 1) != 1 || read(p2c[0], &t, 1) != 1)
			bad |= 4;
		if (memcmp(m + 200, "parent", 6) != 0)
			bad |= 8;
		if (pread(fd, b, 3, 300) != 3 || memcmp(b, "pw!", 3) != 0)
			bad |= 16;
		_exit(bad);
	}
	CHECK_EQ(read(c2p[0], &t, 1), 1);
	/* The child is still alive (no exit, no munmap, no msync). */
	CHECK(memcmp(m + PAGE, "child", 5) == 0);
	CHECK_EQ(pread(fd, b, 5, PAGE), 5);
	CHECK(memcmp(b, "child", 5) == 0);
	CHECK(memcmp(m + 100, "cw", 2) == 0);
	memcpy(m + 200, "parent", 6);
	CHECK_EQ(pwrite(fd, "pw!", 3, 300), 3);
	CHECK_EQ(write(p2c[1], "1", 1), 1);
	CHECK_EQ(reap(pid), 0);
	munmap(m, 2 * PAGE);
	close(fd);
	close(p2c[0]); close(p2c[1]); close(c2p[0]); close(c2p[1]);
}

/* An unrelated process (fresh open by name after exec-less fork, its own mapping) sees the same bytes. */
static void unrelated_opens(void)
{
	int fd, sync_[2];
	char t;
	CHECK_OK(fd = shm_open(shm_name("unrel"), O_CREAT | O_EXCL | O_RDWR, 0600));
	CHECK_OK(ftruncate(fd, PAGE));
	close(fd);
	CHECK_OK(pipe(sync_));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		int f = shm_open(name, O_RDWR, 0);
		char *cm = f < 0 ? MAP_FAILED : mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
		if (cm == MAP_FAILED)
			_exit(1);
		strcpy(cm + 64, "from the child");
		if (write(sync_[1], "1", 1) != 1)
			_exit(2);
		/* Stay alive with the mapping until the parent has looked. */
		for (int i = 0; i < 2000 && cm[0] != 'Q'; i++)
			usleep(1000);
		_exit(cm[0] == 'Q' ? 0 : 3);
	}
	CHECK_EQ(read(sync_[0], &t, 1), 1);
	CHECK_OK(fd = shm_open(name, O_RDWR, 0));
	char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	CHECKF(strcmp(m + 64, "from the child") == 0, "mapping has '%.14s'", m + 64);
	char b[16] = {0};
	CHECK_EQ(pread(fd, b, 14, 64), 14);
	CHECK(strcmp(b, "from the child") == 0);
	m[0] = 'Q';
	CHECK_EQ(reap(pid), 0);
	shm_unlink(name);
	munmap(m, PAGE);
	close(fd);
	close(sync_[0]);
	close(sync_[1]);
}

/* A file on /tmp (tmpfs) behaves the same: mapping and read/write are one. */
static void tmp_file_coherent(void)
{
	char path[64], b[4];
	snprintf(path, sizeof path, "/tmp/tsvisor-shm-%d", (int)getpid());
	int fd;
	CHECK_OK(fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600));
	unlink(path);
	CHECK_EQ(pwrite(fd, "0123", 4, 0), 4);
	char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	CHECK(memcmp(m, "0123", 4) == 0);
	m[1] = 'X';
	CHECK_EQ(pread(fd, b, 4, 0), 4);
	CHECK(memcmp(b, "0X23", 4) == 0);
	CHECK_EQ(pwrite(fd, "Y", 1, 2), 1);
	CHECK_EQ(m[2], 'Y');
	/* The tail of the last page past EOF reads as zero. */
	CHECK_EQ(m[100], 0);
	munmap(m, PAGE);
	close(fd);
}

/* A file on the root file system (under tsvisor: the overlay's in-memory upper layer) too. */
static void rootfs_file_coherent(void)
{
	char path[64], b[4];
	snprintf(path, sizeof path, "/var/tmp/tsvisor-shm-%d", (int)getpid());
	int fd;
	CHECK_OK(fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600));
	unlink(path);
	CHECK_OK(ftruncate(fd, PAGE));
	char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		m[7] = 'c';
		_exit(pwrite(fd, "w", 1, 8) == 1 ? 0 : 1);
	}
	CHECK_EQ(reap(pid), 0);
	CHECK_EQ(m[8], 'w');
	m[9] = 'p';
	CHECK_EQ(pread(fd, b, 3, 7), 3);
	CHECK(memcmp(b, "cwp", 3) == 0);
	munmap(m, PAGE);
	close(fd);
}

/* memfd: mapping and write(2) coherent, across fork too. */
static void memfd_coherent(void)
{
	int fd = (int)syscall(SYS_memfd_create, "shm", 0);
	char b[4];
	CHECK_OK(fd);
	CHECK_OK(ftruncate(fd, 2 * PAGE));
	char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	m[PAGE] = 'm';
	CHECK_EQ(pread(fd, b, 1, PAGE), 1);
	CHECK_EQ(b[0], 'm');
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		int bad = pwrite(fd, "kid", 3, 10) == 3 ? 0 : 1;
		if (m[PAGE] != 'm')
			bad |= 2;
		m[PAGE + 1] = 'k';
		_exit(bad);
	}
	CHECK_EQ(reap(pid), 0);
	CHECK(memcmp(m + 10, "kid", 3) == 0);
	CHECK_EQ(pread(fd, b, 2, PAGE), 2);
	CHECK(memcmp(b, "mk", 2) == 0);
	munmap(m, 2 * PAGE);
	close(fd);
}

/* ftruncate shrinking a mapped file: pages past the end raise SIGBUS, in every mapper; growing back reads zeros. */
static void truncate_sigbus(void)
{
	int fd;
	char c = 1;
	CHECK_OK(fd = shm_file("trunc", 3));
	char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	memset(m, 'a', 3 * PAGE);
	CHECK_OK(ftruncate(fd, PAGE + 100));
	CHECK_EQ(probe_read(m, &c), 0);
	CHECK_EQ(c, 'a');
	CHECK_EQ(probe_read(m + PAGE + 99, &c), 0);
	CHECK_EQ(c, 'a');
	/* The rest of the last page was zeroed by the truncation. */
	CHECK_EQ(probe_read(m + PAGE + 100, &c), 0);
	CHECK_EQ(c, 0);
	CHECK_EQ(probe_read(m + 2 * PAGE, &c), SIGBUS);
	CHECK_EQ(probe_write(m + 2 * PAGE + 5, 'z'), SIGBUS);
	/* A private mapping of the file also faults past the end. */
	char *p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(probe_read(p + 2 * PAGE, &c), SIGBUS);
	munmap(p, 3 * PAGE);
	CHECK_OK(ftruncate(fd, 3 * PAGE));
	CHECK_EQ(probe_read(m + 2 * PAGE, &c), 0);
	CHECK_EQ(c, 0);
	CHECK_EQ(probe_read(m + PAGE + 200, &c), 0);
	CHECK_EQ(c, 0);
	munmap(m, 3 * PAGE);
	close(fd);
}

/* Truncation seen by a child's mapping of the same file: SIGBUS there too. */
static void truncate_sigbus_child(void)
{
	int fd, p2c[2], c2p[2];
	char t;
	CHECK_OK(fd = shm_file("trunc2", 2));
	char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	m[PAGE] = 'x';
	CHECK_OK(pipe(p2c));
	CHECK_OK(pipe(c2p));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		char c;
		int bad = m[PAGE] == 'x' ? 0 : 1; /* resident in the child */
		if (write(c2p[1], "1", 1) != 1 || read(p2c[0], &t, 1) != 1)
			_exit(9);
		if (probe_read(m + PAGE, &c) != SIGBUS)
			bad |= 2;
		_exit(bad);
	}
	CHECK_EQ(read(c2p[0], &t, 1), 1);
	CHECK_OK(ftruncate(fd, PAGE));
	CHECK_EQ(write(p2c[1], "1", 1), 1);
	CHECK_EQ(reap(pid), 0);
	munmap(m, 2 * PAGE);
	close(fd);
	close(p2c[0]); close(p2c[1]); close(c2p[0]); close(c2p[1]);
}

/* mremap of a shared mapping keeps it shared: grown part maps the file, moved pages stay coherent. */
static void mremap_shared(void)
{
	int fd;
	char b[4];
	CHECK_OK(fd = shm_file("mremap", 1));
	char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	m[0] = 'A';
	CHECK_OK(ftruncate(fd, 3 * PAGE));
	/* Keep a neighbour so that growing in place is impossible and it moves. */
	char *n = mmap(m + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	char *r = mremap(m, PAGE, 3 * PAGE, MREMAP_MAYMOVE);
	CHECK(r != MAP_FAILED);
	CHECK_EQ(r[0], 'A');
	r[2 * PAGE + 1] = 'B';
	CHECK_EQ(pread(fd, b, 2, 2 * PAGE), 2);
	CHECK_EQ(b[1], 'B');
	CHECK_EQ(pwrite(fd, "C", 1, 1), 1);
	CHECK_EQ(r[1], 'C');
	if (n != MAP_FAILED)
		munmap(n, PAGE);
	munmap(r, 3 * PAGE);
	close(fd);
}

/* MAP_PRIVATE: after its own write to a page, the copy no longer sees the file's later writes (nor the file its). */
static void private_copy(void)
{
	int fd;
	char b[4];
	CHECK_OK(fd = shm_file("priv", 1));
	CHECK_EQ(pwrite(fd, "orig", 4, 0), 4);
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *s = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED && s != MAP_FAILED);
	CHECK(memcmp(p, "orig", 4) == 0);
	p[0] = 'P';
	CHECK_EQ(pread(fd, b, 4, 0), 4);
	CHECK(memcmp(b, "orig", 4) == 0);
	CHECK_EQ(pwrite(fd, "new!", 4, 0), 4);
	s[4] = 'S';
	CHECK(memcmp(p, "Prig", 4) == 0);
	CHECK_EQ(p[4], 0);
	CHECK(memcmp(s, "new!S", 5) == 0);
	munmap(p, PAGE);
	munmap(s, PAGE);
	close(fd);
}

/* Hole punching (fallocate) and MADV_REMOVE zero the pages every mapper sees. */
static void punch_hole_mapped(void)
{
	int fd;
	char b[2];
	CHECK_OK(fd = shm_file("punch", 3));
	char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	memset(m, 'h', 3 * PAGE);
	CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PAGE, PAGE));
	CHECK_EQ(m[PAGE], 0);
	CHECK_EQ(m[2 * PAGE - 1], 0);
	CHECK_EQ(m[2 * PAGE], 'h');
	CHECK_OK(madvise(m + 2 * PAGE, PAGE, MADV_REMOVE));
	CHECK_EQ(pread(fd, b, 1, 2 * PAGE + 7), 1);
	CHECK_EQ(b[0], 0);
	CHECK_EQ(m[0], 'h');
	/* Stores after the punch fill the hole again. */
	m[PAGE] = 'n';
	CHECK_EQ(pread(fd, b, 1, PAGE), 1);
	CHECK_EQ(b[0], 'n');
	munmap(m, 3 * PAGE);
	close(fd);
}

/* A tmpfs size= limit applies to pages made by stores through a mapping: SIGBUS when it is full. */
static void size_limit_sigbus(void)
{
	char dir[64], path[96];
	snprintf(dir, sizeof dir, "/tmp/tsvisor-shmlim-%d", (int)getpid());
	CHECK_OK(mkdir(dir, 0700));
	if (mount("tmpfs", dir, "tmpfs", 0, "size=8k") != 0) {
		int e = errno;
		rmdir(dir);
		errno = e;
		CHECK(!"mount tmpfs size=8k");
	}
	snprintf(path, sizeof path, "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0600);
	char c = 0;
	int r1 = -1, r2 = -1, r3 = -1;
	long wr = -1;
	char *m = MAP_FAILED;
	if (fd >= 0 && ftruncate(fd, 4 * PAGE) == 0)
		m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED) {
		r1 = probe_write(m, 'a');
		r2 = probe_write(m + PAGE, 'b');
		r3 = probe_write(m + 2 * PAGE, 'c');     /* the limit is two pages */
		wr = pwrite(fd, "d", 1, 3 * PAGE);      /* ENOSPC */
		probe_read(m + 3 * PAGE, &c);           /* a hole reads as zero */
		munmap(m, 4 * PAGE);
	}
	if (fd >= 0)
		close(fd);
	umount(dir);
	rmdir(dir);
	CHECK(m != MAP_FAILED);
	CHECK_EQ(r1, 0);
	CHECK_EQ(r2, 0);
	CHECK_EQ(r3, SIGBUS);
	CHECK_EQ(wr, -1);
	CHECK_EQ(errno, ENOSPC);
	CHECK_EQ(c, 0);
}

/* F_SEAL_WRITE is EBUSY while a shared mapping may write (VM_MAYWRITE); private ones do not count. */
static void seal_write_busy(void)
{
	int fd = (int)syscall(SYS_memfd_create, "seal", MFD_ALLOW_SEALING);
	CHECK_OK(fd);
	CHECK_OK(ftruncate(fd, PAGE));
	char *w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(w != MAP_FAILED);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	CHECK_OK(munmap(w, PAGE));
	/* Read-only, but it could be mprotect'ed writable. */
	char *r = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(r != MAP_FAILED);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	CHECK_OK(munmap(r, PAGE));
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	p[0] = 1; /* a private copy */
	CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
	CHECK_EQ(errno, EPERM);
	munmap(p, PAGE);
	close(fd);
}

/* Named semaphores (sem_open, in /dev/shm as sem.NAME) between parent and child. */
static void sem_open_fork(void)
{
	char sname[64], path[96];
	struct stat st;
	snprintf(sname, sizeof sname, "/tsvisor-sem-%d", (int)getpid());
	snprintf(path, sizeof path, "/dev/shm/sem.%s", sname + 1);
	sem_t *s = sem_open(sname, O_CREAT | O_EXCL, 0600, 0);
	CHECK(s != SEM_FAILED);
	CHECK_OK(stat(path, &st));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		sem_t *c = sem_open(sname, 0);
		if (c == SEM_FAILED)
			_exit(1);
		for (int i = 0; i < 5; i++)
			if (sem_post(c) != 0)
				_exit(2);
		_exit(0);
	}
	for (int i = 0; i < 5; i++)
		CHECK_OK(sem_wait(s));
	CHECK_EQ(reap(pid), 0);
	int v = -1;
	CHECK_OK(sem_getvalue(s, &v));
	CHECK_EQ(v, 0);
	CHECK_ERR(sem_trywait(s), EAGAIN);
	CHECK_OK(sem_close(s));
	CHECK_OK(sem_unlink(sname));
	CHECK_ERR(stat(path, &st), ENOENT);
}

struct shared_state {
	pthread_mutex_t mu;
	sem_t done;
	long counter;
};

/* A process-shared mutex and semaphore in a MAP_SHARED /dev/shm file, used by parent and child. */
static void pshared_mutex_sem(void)
{
	int fd;
	enum { N = 2000 };
	CHECK_OK(fd = shm_file("mutex", 1));
	struct shared_state *st = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(st != MAP_FAILED);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	CHECK_EQ(pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED), 0);
	CHECK_EQ(pthread_mutex_init(&st->mu, &a), 0);
	CHECK_OK(sem_init(&st->done, 1, 0));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		for (int i = 0; i < N; i++) {
			pthread_mutex_lock(&st->mu);
			long v = st->counter;
			if ((i & 63) == 0)
				sched_yield();
			st->counter = v + 1;
			pthread_mutex_unlock(&st->mu);
		}
		sem_post(&st->done);
		_exit(0);
	}
	for (int i = 0; i < N; i++) {
		CHECK_EQ(pthread_mutex_lock(&st->mu), 0);
		long v = st->counter;
		if ((i & 63) == 0)
			sched_yield();
		st->counter = v + 1;
		CHECK_EQ(pthread_mutex_unlock(&st->mu), 0);
	}
	CHECK_OK(sem_wait(&st->done));
	CHECK_EQ(st->counter, 2 * N);
	long c = 0;
	CHECK_EQ(pread(fd, &c, sizeof c, offsetof(struct shared_state, counter)), sizeof c);
	CHECK_EQ(c, 2 * N);
	CHECK_EQ(reap(pid), 0);
	munmap(st, PAGE);
	close(fd);
}

int main(void)
{
	RUN(shm_open_dev_shm);
	RUN(map_store_seen_by_read);
	RUN(write_seen_by_map);
	RUN(fork_shares_pages);
	RUN(unrelated_opens);
	RUN(tmp_file_coherent);
	RUN(rootfs_file_coherent);
	RUN(memfd_coherent);
	RUN(truncate_sigbus);
	RUN(truncate_sigbus_child);
	RUN(mremap_shared);
	RUN(private_copy);
	RUN(punch_hole_mapped);
	RUN(size_limit_sigbus);
	RUN(seal_write_busy);
	RUN(sem_open_fork);
	RUN(pshared_mutex_sem);
	DONE();
}
