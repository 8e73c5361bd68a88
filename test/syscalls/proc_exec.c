/*
 * proc_exec.c: execve(2) and execveat(2): the new image's argv, envp and
 * auxiliary vector, close-on-exec descriptors, "#!" scripts (optional
 * argument, whitespace, nesting and ELOOP), errors, /proc/self/comm, signal
 * dispositions, mask and pending signals across exec, setpgid after exec
 * (EACCES), vfork + exec, exec from a secondary thread, PT_INTERP programs.
 *
 * Every exec happens in a forked child. The new image is this same program:
 * with PROC_EXEC_MODE in its environment it checks what the case expects and
 * writes one line to the descriptor named by PROC_EXEC_FD ("ok pid=P tid=T
 * ppid=Q" or "bad: why"), then exits. The parent reads that line until EOF
 * and reports the case.
 */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef AT_EXECFN
#define AT_EXECFN 31
#endif

extern char **environ;

/* This binary (/proc/self/exe), its directory and its base name. */
static char self[PATH_MAX];
static char self_dir[PATH_MAX];
static const char *self_base;

/* ------------------------------------------------------------------ */
/* The new image's side.                                              */
/* ------------------------------------------------------------------ */

static int report_fd = -1;

__attribute__((format(printf, 1, 2))) static void image_bad(const char *fmt, ...)
{
	char buf[900];
	int n = snprintf(buf, sizeof(buf), "bad: ");
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	if (report_fd >= 0)
		(void)!write(report_fd, buf, (size_t)n);
	_exit(1);
}

static void image_ok(void)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "ok pid=%d tid=%ld ppid=%d", (int)getpid(), syscall(SYS_gettid), (int)getppid());
	(void)!write(report_fd, buf, (size_t)n);
}

/* Splits EXPECT_ARGV (fields separated by \1) and compares it with argv. */
static void image_check_argv(int argc, char **argv)
{
	const char *want = getenv("EXPECT_ARGV");
	if (want == NULL)
		image_bad("no EXPECT_ARGV");
	int i = 0;
	const char *p = want;
	for (;;) {
		const char *e = strchr(p, '\1');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (i >= argc)
			image_bad("argc %d: too few arguments (missing '%.*s')", argc, (int)len, p);
		if (strlen(argv[i]) != len || memcmp(argv[i], p, len) != 0)
			image_bad("argv[%d] is '%s', expected '%.*s'", i, argv[i], (int)len, p);
		i++;
		if (e == NULL)
			break;
		p = e + 1;
	}
	if (argc != i)
		image_bad("argc %d, expected %d (argv[%d] '%s')", argc, i, i, argv[i]);
	if (argv[argc] != NULL)
		image_bad("argv[argc] is not NULL");
}

static void image_env(char **envp)
{
	/* The exact environment, in order. */
	char fdvar[32];
	snprintf(fdvar, sizeof(fdvar), "PROC_EXEC_FD=%d", report_fd);
	const char *want[] = {"PROC_EXEC_MODE=env", fdvar, "A=1", "EMPTY=", "MARKER=proc exec", "EXPECT_ARGV", NULL};
	int n = 0;
	while (envp[n] != NULL)
		n++;
	if (n != 6)
		image_bad("%d environment strings, expected 6", n);
	for (int i = 0; i < 5; i++)
		if (strcmp(envp[i], want[i]) != 0)
			image_bad("envp[%d] is '%s', expected '%s'", i, envp[i], want[i]);
	if (strncmp(envp[5], "EXPECT_ARGV=", 12) != 0)
		image_bad("envp[5] is '%s'", envp[5]);
	if (environ != envp)
		image_bad("environ != envp");
	const char *e = getenv("EMPTY");
	if (e == NULL || *e != 0)
		image_bad("getenv(EMPTY)");
}

static void image_auxv(void)
{
	unsigned long v;
	errno = 0;
	if ((v = getauxval(AT_PAGESZ)) != 4096)
		image_bad("AT_PAGESZ %lu", v);
	if (getauxval(AT_SECURE) != 0 || errno != 0)
		image_bad("AT_SECURE %lu errno %s", getauxval(AT_SECURE), errname(errno));
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	if (rnd == NULL)
		image_bad("AT_RANDOM is NULL");
	int nonzero = 0;
	for (int i = 0; i < 16; i++)
		nonzero |= rnd[i];
	if (!nonzero)
		image_bad("the 16 AT_RANDOM bytes are all zero");
	const char *fn = (const char *)getauxval(AT_EXECFN);
	const char *want = getenv("EXPECT_EXECFN");
	if (fn == NULL || want == NULL || strcmp(fn, want) != 0)
		image_bad("AT_EXECFN '%s', expected '%s'", fn ? fn : "(null)", want ? want : "(null)");
	if (getauxval(AT_UID) != getuid() || getauxval(AT_EUID) != geteuid() || getauxval(AT_GID) != getgid() ||
	    getauxval(AT_EGID) != getegid())
		image_bad("AT_UID/EUID/GID/EGID %lu/%lu/%lu/%lu", getauxval(AT_UID), getauxval(AT_EUID), getauxval(AT_GID),
			  getauxval(AT_EGID));
	if (getauxval(AT_PHDR) == 0 || getauxval(AT_ENTRY) == 0 || getauxval(AT_PHNUM) == 0)
		image_bad("AT_PHDR/AT_ENTRY/AT_PHNUM missing");
	if (getauxval(AT_PHENT) != 56)
		image_bad("AT_PHENT %lu", getauxval(AT_PHENT));
	if (getauxval(AT_CLKTCK) != 100)
		image_bad("AT_CLKTCK %lu", getauxval(AT_CLKTCK));
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	if (plat == NULL || strcmp(plat, "x86_64") != 0)
		image_bad("AT_PLATFORM '%s'", plat ? plat : "(null)");
}

/* FDS_CLOSED and FDS_OPEN: comma-separated descriptors; FD_OFFSET7: a file at offset 7. */
static void image_fds(void)
{
	const char *s = getenv("FDS_CLOSED");
	while (s && *s) {
		int fd = atoi(s);
		errno = 0;
		int r = fcntl(fd, F_GETFD);
		if (r != -1 || errno != EBADF)
			image_bad("close-on-exec fd %d: F_GETFD %d errno %s, expected EBADF", fd, r, errname(errno));
		s = strchr(s, ',');
		if (s)
			s++;
	}
	s = getenv("FDS_OPEN");
	while (s && *s) {
		int fd = atoi(s);
		errno = 0;
		int r = fcntl(fd, F_GETFD);
		if (r != 0)
			image_bad("fd %d: F_GETFD %d errno %s, expected 0 (open, no FD_CLOEXEC)", fd, r, errname(errno));
		s = strchr(s, ',');
		if (s)
			s++;
	}
	s = getenv("FD_OFFSET7");
	if (s) {
		int fd = atoi(s);
		off_t o = lseek(fd, 0, SEEK_CUR);
		if (o != 7)
			image_bad("fd %d offset %ld, expected 7", fd, (long)o);
		char c = 0;
		if (read(fd, &c, 1) != 1 || c != 'h')
			image_bad("fd %d: read '%c'", fd, c);
	}
}

static void image_sig(void)
{
	struct sigaction sa;
	static const int ign[] = {SIGUSR1, SIGPIPE};
	static const int dfl[] = {SIGUSR2, SIGINT};
	for (int i = 0; i < 2; i++) {
		if (sigaction(ign[i], NULL, &sa) != 0)
			image_bad("sigaction(%d)", ign[i]);
		if (sa.sa_handler != SIG_IGN)
			image_bad("signal %d: handler %p after exec, expected SIG_IGN", ign[i], (void *)sa.sa_handler);
	}
	for (int i = 0; i < 2; i++) {
		if (sigaction(dfl[i], NULL, &sa) != 0)
			image_bad("sigaction(%d)", dfl[i]);
		if (sa.sa_handler != SIG_DFL)
			image_bad("signal %d: handler %p after exec, expected SIG_DFL (it was caught)", dfl[i],
				  (void *)sa.sa_handler);
	}
	sigset_t m;
	sigemptyset(&m);
	if (sigprocmask(SIG_BLOCK, NULL, &m) != 0)
		image_bad("sigprocmask");
	if (!sigismember(&m, SIGTERM) || !sigismember(&m, SIGHUP))
		image_bad("SIGTERM/SIGHUP no longer blocked after exec");
	if (sigismember(&m, SIGUSR2) || sigismember(&m, SIGINT))
		image_bad("SIGUSR2/SIGINT blocked after exec");
}

/* SigPnd | ShdPnd from /proc/self/status (what is pending, without rt_sigpending). */
static unsigned long long proc_pending(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	if (fd < 0)
		image_bad("open /proc/self/status: %s", errname(errno));
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		image_bad("read /proc/self/status");
	buf[n] = 0;
	const char *a = strstr(buf, "\nSigPnd:\t"), *b = strstr(buf, "\nShdPnd:\t");
	if (a == NULL || b == NULL)
		image_bad("no SigPnd/ShdPnd in /proc/self/status");
	return strtoull(a + 9, NULL, 16) | strtoull(b + 9, NULL, 16);
}

static void image_pending(void)
{
	sigset_t m;
	sigemptyset(&m);
	if (sigprocmask(SIG_BLOCK, NULL, &m) != 0 || !sigismember(&m, SIGHUP))
		image_bad("SIGHUP no longer blocked after exec");
	unsigned long long pend = proc_pending();
	if (pend != 1ULL << (SIGHUP - 1))
		image_bad("pending signals 0x%llx after exec, expected SIGHUP (0x%llx)", pend, 1ULL << (SIGHUP - 1));
}

static void image_comm(void)
{
	char buf[64] = {0};
	int fd = open("/proc/self/comm", O_RDONLY);
	if (fd < 0)
		image_bad("open /proc/self/comm: %s", errname(errno));
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		image_bad("read /proc/self/comm");
	buf[n] = 0;
	const char *want = getenv("EXPECT_COMM");
	char w[64];
	snprintf(w, sizeof(w), "%s\n", want ? want : "?");
	if (strcmp(buf, w) != 0) {
		if (n > 0 && buf[n - 1] == '\n')
			buf[n - 1] = 0;
		image_bad("/proc/self/comm is '%s', expected '%s'", buf, want ? want : "?");
	}
	char name[32] = {0};
	if (prctl(PR_GET_NAME, name, 0, 0, 0) != 0 || strcmp(name, want) != 0)
		image_bad("PR_GET_NAME '%s', expected '%s'", name, want);
}

static void image_pid(void)
{
	const char *s = getenv("EXPECT_PID");
	if (s && atoi(s) != getpid())
		image_bad("getpid() %d, expected %s", (int)getpid(), s);
	if (syscall(SYS_gettid) != getpid())
		image_bad("gettid() %ld != getpid() %d after exec", syscall(SYS_gettid), (int)getpid());
	s = getenv("EXPECT_PPID");
	if (s && atoi(s) != getppid())
		image_bad("getppid() %d, expected %s", (int)getppid(), s);
	/* Only one thread is left. */
	DIR *d = opendir("/proc/self/task");
	if (d == NULL)
		image_bad("opendir /proc/self/task: %s", errname(errno));
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	if (n != 1)
		image_bad("%d threads in /proc/self/task after exec, expected 1", n);
}

static int image_main(const char *mode, int argc, char **argv, char **envp)
{
	const char *fds = getenv("PROC_EXEC_FD");
	report_fd = fds ? atoi(fds) : -1;
	if (strcmp(mode, "exit") == 0)
		_exit(0);
	if (report_fd < 0 || fcntl(report_fd, F_GETFD) != 0)
		_exit(2);
	if (getenv("EXPECT_ARGV"))
		image_check_argv(argc, argv);
	if (strcmp(mode, "env") == 0)
		image_env(envp);
	else if (strcmp(mode, "auxv") == 0)
		image_auxv();
	else if (strcmp(mode, "fds") == 0)
		image_fds();
	else if (strcmp(mode, "sig") == 0)
		image_sig();
	else if (strcmp(mode, "pending") == 0)
		image_pending();
	else if (strcmp(mode, "comm") == 0)
		image_comm();
	else if (strcmp(mode, "pid") == 0)
		image_pid();
	else if (strcmp(mode, "argv") == 0)
		;
	else if (strcmp(mode, "wait") == 0) {
		/* Report, then block until GO_FD has a byte or EOF. */
		image_ok();
		const char *g = getenv("GO_FD");
		char c;
		if (g)
			(void)!read(atoi(g), &c, 1);
		_exit(0);
	} else
		image_bad("unknown mode '%s'", mode);
	if (strcmp(mode, "comm") != 0 && getenv("EXPECT_COMM"))
		image_comm();
	image_ok();
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The parent's side.                                                 */
/* ------------------------------------------------------------------ */

static char tmpdir[64];

static void make_file(const char *path, const char *content, size_t len, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	(void)!write(fd, content, len);
	fchmod(fd, mode);
	close(fd);
}

/* An environment: PROC_EXEC_MODE=mode, PROC_EXEC_FD=fd, then extras (NULL-terminated). */
struct env {
	char *v[24];
	char mode[64], fd[32], store[8][PATH_MAX + 64];
	int n, ns;
};

static void env_init(struct env *e, const char *mode, int fd)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->mode, sizeof(e->mode), "PROC_EXEC_MODE=%s", mode);
	snprintf(e->fd, sizeof(e->fd), "PROC_EXEC_FD=%d", fd);
	e->v[e->n++] = e->mode;
	e->v[e->n++] = e->fd;
}

__attribute__((format(printf, 2, 3))) static void env_add(struct env *e, const char *fmt, ...)
{
	char *s = e->store[e->ns++];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s, PATH_MAX + 64, fmt, ap);
	va_end(ap);
	e->v[e->n++] = s;
}

/* EXPECT_ARGV from a NULL-terminated list. */
static void env_expect_argv(struct env *e, const char *const *args)
{
	char *s = e->store[e->ns++];
	size_t off = (size_t)snprintf(s, PATH_MAX + 64, "EXPECT_ARGV=");
	for (int i = 0; args[i]; i++)
		off += (size_t)snprintf(s + off, PATH_MAX + 64 - off, "%s%s", i ? "\1" : "", args[i]);
	e->v[e->n++] = s;
}

struct result {
	int status;
	pid_t pid;
	char text[1024];
};

typedef void (*exec_fn)(int report_wfd, void *arg);

/*
 * Forks a child that runs fn(report_wfd, arg) (which sets up and execs);
 * collects what the new image writes to report_wfd, and its exit status.
 * If fn returns, the child reports "exec failed" with errno and exits 127.
 */
static void run_exec(exec_fn fn, void *arg, struct result *res)
{
	int p[2];
	memset(res, 0, sizeof(*res));
	res->status = -1;
	if (pipe(p) != 0) {
		snprintf(res->text, sizeof(res->text), "pipe failed");
		return;
	}
	pid_t c = fork();
	if (c == 0) {
		close(p[0]);
		fn(p[1], arg);
		char buf[128];
		int n = snprintf(buf, sizeof(buf), "exec failed: errno %s", errname(errno));
		(void)!write(p[1], buf, (size_t)n);
		_exit(127);
	}
	close(p[1]);
	res->pid = c;
	size_t off = 0;
	for (;;) {
		ssize_t n = read(p[0], res->text + off, sizeof(res->text) - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
		if (off >= sizeof(res->text) - 1)
			break;
	}
	res->text[off] = 0;
	close(p[0]);
	if (c > 0)
		while (waitpid(c, &res->status, 0) < 0 && errno == EINTR)
			;
}

/* The result of a run_exec that must have succeeded. */
#define CHECK_IMAGE_OK(res)                                                                           \
	do {                                                                                          \
		CHECKF(strncmp((res).text, "ok ", 3) == 0, "new image: '%s' (status 0x%x)", (res).text, \
		       (res).status);                                                                 \
		CHECKF((res).status == 0, "new image exit status 0x%x ('%s')", (res).status, (res).text);   \
	} while (0)

/* pid=P in the report. */
static long field(const char *text, const char *name)
{
	const char *p = strstr(text, name);
	return p ? atol(p + strlen(name)) : -999;
}

/* ---- argv and envp ---- */

static void do_env(int wfd, void *arg)
{
	(void)arg;
	struct env e;
	env_init(&e, "env", wfd);
	env_add(&e, "A=1");
	env_add(&e, "EMPTY=");
	env_add(&e, "MARKER=proc exec");
	const char *want[] = {"arg0 marker", "alpha", "", "with space", "\xc3\xbc", NULL};
	env_expect_argv(&e, want);
	char *argv[] = {"arg0 marker", "alpha", "", "with space", "\xc3\xbc", NULL};
	execve(self, argv, e.v);
}

static void exec_argv_envp(void)
{
	struct result r;
	run_exec(do_env, NULL, &r);
	CHECK_IMAGE_OK(r);
	CHECK_EQ(field(r.text, "pid="), r.pid); /* the same process */
	CHECK_EQ(field(r.text, "tid="), r.pid);
	CHECK_EQ(field(r.text, "ppid="), getpid());
}

/* ---- auxv ---- */

static void do_auxv(int wfd, void *arg)
{
	const char *path = arg;
	struct env e;
	env_init(&e, "auxv", wfd);
	env_add(&e, "EXPECT_EXECFN=%s", path);
	char *argv[] = {"zz", NULL};
	if (path[0] != '/' && chdir(self_dir) != 0)
		return;
	execve(path, argv, e.v);
}

static void exec_auxv(void)
{
	struct result r;
	run_exec(do_auxv, self, &r);
	CHECK_IMAGE_OK(r);
	/* A relative path is what AT_EXECFN shows. */
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "./%s", self_base);
	run_exec(do_auxv, rel, &r);
	CHECK_IMAGE_OK(r);
	/* Through a ".." component. */
	const char *slash = strrchr(self_dir, '/');
	CHECK(slash != NULL);
	snprintf(rel, sizeof(rel), "../%s/%s", slash + 1, self_base);
	if (strcmp(self_dir, "/") != 0 && slash[1] != 0) {
		run_exec(do_auxv, rel, &r);
		CHECK_IMAGE_OK(r);
	}
}

/* ---- close-on-exec ---- */

struct fds_arg {
	char path[PATH_MAX];
};

static void do_fds(int wfd, void *arg)
{
	struct fds_arg *a = arg;
	struct env e;
	env_init(&e, "fds", wfd);
	int plain = open("/dev/null", O_RDONLY);
	int cloexec = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return;
	int dupc = fcntl(plain, F_DUPFD_CLOEXEC, 20);
	int dup3c = dup3(plain, 30, O_CLOEXEC);
	int setfd = dup(plain);
	fcntl(setfd, F_SETFD, FD_CLOEXEC);
	int cleared = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fcntl(cleared, F_SETFD, 0);
	int dupped = dup(cloexec); /* dup clears FD_CLOEXEC */
	int file = open(a->path, O_RDONLY);
	lseek(file, 7, SEEK_SET);
	if (plain < 0 || cloexec < 0 || dupc < 0 || dup3c < 0 || setfd < 0 || cleared < 0 || dupped < 0 || file < 0)
		return;
	env_add(&e, "FDS_CLOSED=%d,%d,%d,%d,%d,%d", cloexec, p[0], p[1], dupc, dup3c, setfd);
	env_add(&e, "FDS_OPEN=%d,%d,%d,%d", plain, cleared, dupped, file);
	env_add(&e, "FD_OFFSET7=%d", file);
	char *argv[] = {self, NULL};
	execve(self, argv, e.v);
}

static void exec_cloexec_fds(void)
{
	struct fds_arg a;
	struct result r;
	snprintf(a.path, sizeof(a.path), "%s/offset", tmpdir);
	make_file(a.path, "0123456hello", 12, 0644);
	run_exec(do_fds, &a, &r);
	unlink(a.path);
	CHECK_IMAGE_OK(r);
}

/* ---- #! scripts ---- */

struct script_arg {
	char path[PATH_MAX];
	const char *want[12];
};

static void do_script(int wfd, void *arg)
{
	struct script_arg *a = arg;
	struct env e;
	env_init(&e, "argv", wfd);
	env_expect_argv(&e, a->want);
	char *argv[] = {"script-argv0", "x1", "x 2", NULL};
	execve(a->path, argv, e.v);
}

static void exec_script(void)
{
	struct script_arg a;
	struct result r;
	char text[PATH_MAX + 64];
	snprintf(a.path, sizeof(a.path), "%s/script", tmpdir);

	/* One optional argument. */
	int n = snprintf(text, sizeof(text), "#!%s @opt\nignored\n", self);
	make_file(a.path, text, (size_t)n, 0755);
	const char *w1[] = {self, "@opt", a.path, "x1", "x 2", NULL};
	memcpy(a.want, w1, sizeof(w1));
	run_exec(do_script, &a, &r);
	CHECK_IMAGE_OK(r);
	CHECK_EQ(field(r.text, "pid="), r.pid);

	/* None. */
	n = snprintf(text, sizeof(text), "#!%s\n", self);
	make_file(a.path, text, (size_t)n, 0755);
	const char *w2[] = {self, a.path, "x1", "x 2", NULL};
	memcpy(a.want, w2, sizeof(w2));
	run_exec(do_script, &a, &r);
	CHECK_IMAGE_OK(r);

	/* Whitespace around: the argument is the rest of the line, trailing blanks cut. */
	n = snprintf(text, sizeof(text), "#! \t%s \t one  two \t \n", self);
	make_file(a.path, text, (size_t)n, 0755);
	const char *w3[] = {self, "one  two", a.path, "x1", "x 2", NULL};
	memcpy(a.want, w3, sizeof(w3));
	run_exec(do_script, &a, &r);
	CHECK_IMAGE_OK(r);

	/* No newline at the end of the file. */
	n = snprintf(text, sizeof(text), "#!%s end", self);
	make_file(a.path, text, (size_t)n, 0755);
	const char *w4[] = {self, "end", a.path, "x1", "x 2", NULL};
	memcpy(a.want, w4, sizeof(w4));
	run_exec(do_script, &a, &r);
	CHECK_IMAGE_OK(r);
	unlink(a.path);
}

/* Scripts s1..sN, each naming the next as its interpreter; sN names this binary. */
static void make_chain(int n, char paths[][PATH_MAX])
{
	char text[PATH_MAX + 8];
	for (int i = 1; i <= n; i++)
		snprintf(paths[i], PATH_MAX, "%s/s%d", tmpdir, i);
	for (int i = 1; i <= n; i++) {
		int len = snprintf(text, sizeof(text), "#!%s\n", i < n ? paths[i + 1] : self);
		make_file(paths[i], text, (size_t)len, 0755);
	}
}

static void exec_script_nesting(void)
{
	char paths[8][PATH_MAX];
	struct script_arg a;
	struct result r;
	/* Five levels work: argv is [self, s5, s4, s3, s2, s1, x1, x 2]. */
	make_chain(5, paths);
	snprintf(a.path, sizeof(a.path), "%s", paths[1]);
	const char *w[] = {self, paths[5], paths[4], paths[3], paths[2], paths[1], "x1", "x 2", NULL};
	memcpy(a.want, w, sizeof(w));
	run_exec(do_script, &a, &r);
	CHECK_IMAGE_OK(r);
	/* Six are one too many: ELOOP. */
	make_chain(6, paths);
	run_exec(do_script, &a, &r);
	for (int i = 1; i <= 6; i++)
		unlink(paths[i]);
	CHECKF(r.status == 127 << 8 && strcmp(r.text, "exec failed: errno ELOOP") == 0,
	       "six nested scripts: '%s' status 0x%x, expected ELOOP", r.text, r.status);
}

/* ---- errors ---- */

struct try_arg {
	int at; /* use execveat */
	int dirfd;
	const char *path;
	char *const *argv;
	char *const *envp;
	int flags;
};

/*
 * Execs in a child; returns the errno it failed with, or -1 if the exec
 * succeeded (the image exits at once: PROC_EXEC_MODE=exit).
 */
static int try_exec(struct try_arg *a)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -2;
	pid_t c = fork();
	if (c == 0) {
		close(p[0]);
		if (a->at)
			syscall(SYS_execveat, a->dirfd, a->path, a->argv, a->envp, a->flags);
		else
			syscall(SYS_execve, a->path, a->argv, a->envp);
		int e = errno;
		(void)!write(p[1], &e, sizeof(e));
		_exit(0);
	}
	close(p[1]);
	int e = 0;
	ssize_t n = read(p[0], &e, sizeof(e));
	close(p[0]);
	waitpid(c, NULL, 0);
	return n == (ssize_t)sizeof(e) ? e : -1;
}

static char *exit_env[] = {"PROC_EXEC_MODE=exit", NULL};

static int exec_errno(const char *path)
{
	char *argv[] = {(char *)path, NULL};
	struct try_arg a = {0, 0, path, argv, exit_env, 0};
	return try_exec(&a);
}

#define CHECK_EXEC_ERR(got, want)                                                                             \
	do {                                                                                                   \
		int check_x = (got);                                                                           \
		CHECKF(check_x == (want), "%s: %s, expected %s", #got, check_x == -1 ? "succeeded" : errname(check_x), \
		       errname(want));                                                                         \
	} while (0)

static void exec_errors(void)
{
	char path[PATH_MAX + 8], text[PATH_MAX + 16];
	CHECK_EXEC_ERR(exec_errno("/nonexistent-dir/prog"), ENOENT);
	CHECK_EXEC_ERR(exec_errno(""), ENOENT);
	CHECK_EXEC_ERR(exec_errno(tmpdir), EACCES); /* a directory */
	snprintf(path, sizeof(path), "%s/", self);
	CHECK_EXEC_ERR(exec_errno(path), ENOTDIR);
	snprintf(path, sizeof(path), "%s/x", self);
	CHECK_EXEC_ERR(exec_errno(path), ENOTDIR); /* through a regular file */

	/* Not executable (root too: no x bit at all). */
	snprintf(path, sizeof(path), "%s/nox", tmpdir);
	int n = snprintf(text, sizeof(text), "#!%s\n", self);
	make_file(path, text, (size_t)n, 0644);
	CHECK_EXEC_ERR(exec_errno(path), EACCES);
	/* Garbage with x bits; an empty file. */
	make_file(path, "garbage\n\1\2\3\4 more garbage\n", 25, 0755);
	CHECK_EXEC_ERR(exec_errno(path), ENOEXEC);
	make_file(path, "", 0, 0755);
	CHECK_EXEC_ERR(exec_errno(path), ENOEXEC);
	make_file(path, "\177ELF", 4, 0755); /* a truncated ELF header */
	CHECK_EXEC_ERR(exec_errno(path), ENOEXEC);
	/* A script whose interpreter does not exist, or is a directory. */
	make_file(path, "#!/nonexistent/interp\n", 22, 0755);
	CHECK_EXEC_ERR(exec_errno(path), ENOENT);
	n = snprintf(text, sizeof(text), "#!%s\n", tmpdir);
	make_file(path, text, (size_t)n, 0755);
	CHECK_EXEC_ERR(exec_errno(path), EACCES);
	unlink(path);

	/* Faults. */
	char *argv[] = {self, NULL};
	struct try_arg a = {0, 0, (const char *)BAD_LOW, argv, exit_env, 0};
	CHECK_EXEC_ERR(try_exec(&a), EFAULT);
	a.path = self;
	a.argv = (char *const *)BAD_LOW;
	CHECK_EXEC_ERR(try_exec(&a), EFAULT);
	char *badarg[] = {self, (char *)BAD_HIGH, NULL};
	a.argv = badarg;
	CHECK_EXEC_ERR(try_exec(&a), EFAULT);
	a.argv = argv;
	a.envp = (char *const *)BAD_LOW;
	CHECK_EXEC_ERR(try_exec(&a), EFAULT);
	char *badenv[] = {"PROC_EXEC_MODE=exit", (char *)BAD_LOW, NULL};
	a.envp = badenv;
	CHECK_EXEC_ERR(try_exec(&a), EFAULT);

	/* One string over MAX_ARG_STRLEN (32 pages), in argv or envp. */
	static char huge[200001];
	memset(huge, 'a', 200000);
	char *bigargv[] = {self, huge, NULL};
	a.argv = bigargv;
	a.envp = exit_env;
	CHECK_EXEC_ERR(try_exec(&a), E2BIG);
	memcpy(huge, "BIG=", 4);
	char *bigenv[] = {"PROC_EXEC_MODE=exit", huge, NULL};
	a.argv = argv;
	a.envp = bigenv;
	CHECK_EXEC_ERR(try_exec(&a), E2BIG);
	/* Just under the limit is fine. */
	huge[131071] = 0;
	CHECK_EXEC_ERR(try_exec(&a), -1);
}

/* ---- execveat ---- */

static void do_execveat(int wfd, void *arg)
{
	const char *how = arg;
	struct env e;
	env_init(&e, "auxv", wfd);
	char *argv[] = {"at", NULL};
	/*
	 * The comm is the file's name in both forms (for AT_EMPTY_PATH, Linux
	 * takes the dentry's name; older kernels showed the descriptor number).
	 */
	env_add(&e, "EXPECT_COMM=%.15s", self_base);
	if (strcmp(how, "empty") == 0) {
		int fd = open(self, O_PATH);
		env_add(&e, "EXPECT_EXECFN=/dev/fd/%d", fd);
		syscall(SYS_execveat, fd, "", argv, e.v, AT_EMPTY_PATH);
	} else if (strcmp(how, "dirfd") == 0) {
		int dfd = open(self_dir, O_RDONLY | O_DIRECTORY);
		env_add(&e, "EXPECT_EXECFN=/dev/fd/%d/%s", dfd, self_base);
		syscall(SYS_execveat, dfd, self_base, argv, e.v, 0);
	} else if (strcmp(how, "abs") == 0) {
		env_add(&e, "EXPECT_EXECFN=%s", self);
		syscall(SYS_execveat, 12345, self, argv, e.v, 0); /* an absolute path ignores dirfd */
	}
}

static void execveat_cases(void)
{
	struct result r;
	run_exec(do_execveat, "empty", &r);
	CHECK_IMAGE_OK(r);
	run_exec(do_execveat, "dirfd", &r);
	CHECK_IMAGE_OK(r);
	run_exec(do_execveat, "abs", &r);
	CHECK_IMAGE_OK(r);

	char *argv[] = {self, NULL};
	int fd = open(self, O_PATH);
	CHECK(fd >= 0);
	struct try_arg a = {1, fd, "", argv, exit_env, 0};
	CHECK_EXEC_ERR(try_exec(&a), ENOENT); /* "" without AT_EMPTY_PATH */
	a.path = self;
	a.flags = 0x1;
	CHECK_EXEC_ERR(try_exec(&a), EINVAL); /* unknown flag */
	a.path = "";
	a.flags = AT_EMPTY_PATH;
	a.dirfd = 9999;
	CHECK_EXEC_ERR(try_exec(&a), EBADF);
	a.dirfd = fd;
	a.path = "x";
	a.flags = 0;
	CHECK_EXEC_ERR(try_exec(&a), ENOTDIR); /* relative to a non-directory */
	close(fd);
	/* AT_SYMLINK_NOFOLLOW on a symlink: ELOOP. */
	char link[PATH_MAX];
	snprintf(link, sizeof(link), "%s/link", tmpdir);
	unlink(link);
	CHECK_EQ(symlink(self, link), 0);
	a.dirfd = AT_FDCWD;
	a.path = link;
	a.flags = AT_SYMLINK_NOFOLLOW;
	int e = try_exec(&a);
	unlink(link);
	CHECK_EXEC_ERR(e, ELOOP);
}

/* ---- /proc/self/comm ---- */

struct comm_arg {
	char path[PATH_MAX];
	char want[32];
};

static void do_comm(int wfd, void *arg)
{
	struct comm_arg *a = arg;
	struct env e;
	env_init(&e, "comm", wfd);
	env_add(&e, "EXPECT_COMM=%s", a->want);
	prctl(PR_SET_NAME, "before-exec", 0, 0, 0);
	char *argv[] = {"argv0-is-not-comm", NULL};
	execve(a->path, argv, e.v);
}

static void exec_comm(void)
{
	struct comm_arg a;
	struct result r;
	snprintf(a.path, sizeof(a.path), "%s", self);
	snprintf(a.want, sizeof(a.want), "%.15s", self_base);
	run_exec(do_comm, &a, &r);
	CHECK_IMAGE_OK(r);
	/* Through a symlink: the name used, cut to 15 bytes. */
	snprintf(a.path, sizeof(a.path), "%s/abcdefghijklmnopqrstu", tmpdir);
	unlink(a.path);
	CHECK_EQ(symlink(self, a.path), 0);
	snprintf(a.want, sizeof(a.want), "abcdefghijklmno");
	run_exec(do_comm, &a, &r);
	unlink(a.path);
	CHECK_IMAGE_OK(r);
}

/* ---- signals ---- */

static void handler(int sig) { (void)sig; }

static void do_sig(int wfd, void *arg)
{
	(void)arg;
	struct env e;
	env_init(&e, "sig", wfd);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGTERM);
	sigaddset(&m, SIGHUP);
	sigprocmask(SIG_SETMASK, &m, NULL);
	char *argv[] = {self, NULL};
	execve(self, argv, e.v);
}

static void exec_signal_dispositions(void)
{
	struct result r;
	run_exec(do_sig, NULL, &r);
	CHECK_IMAGE_OK(r);
}

static void do_pending(int wfd, void *arg)
{
	(void)arg;
	struct env e;
	env_init(&e, "pending", wfd);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGHUP);
	sigprocmask(SIG_SETMASK, &m, NULL);
	kill(getpid(), SIGHUP); /* blocked: stays pending across exec */
	char *argv[] = {self, NULL};
	execve(self, argv, e.v);
}

static void exec_keeps_pending_signal(void)
{
	struct result r;
	run_exec(do_pending, NULL, &r);
	CHECK_IMAGE_OK(r);
}

/* ---- process groups ---- */

struct wait_arg {
	int go;
};

static void do_wait_image(int wfd, void *arg)
{
	struct wait_arg *w = arg;
	struct env e;
	env_init(&e, "wait", wfd);
	env_add(&e, "GO_FD=%d", w->go);
	char *argv[] = {self, NULL};
	execve(self, argv, e.v);
}

/* Reads the new image's report line (up to 'ppid=N'), without waiting for EOF. */
static int read_report(int fd, char *buf, size_t size)
{
	size_t off = 0;
	while (off < size - 1) {
		ssize_t n = read(fd, buf + off, size - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
		buf[off] = 0;
		if (strstr(buf, "ppid=") && off > 0)
			break;
	}
	buf[off] = 0;
	return (int)off;
}

static void exec_then_setpgid(void)
{
	int rep[2], go[2];
	int st = -1;
	char buf[256];
	CHECK_EQ(pipe(rep), 0);
	CHECK_EQ(pipe(go), 0);
	pid_t c = fork();
	if (c == 0) {
		struct wait_arg w = {go[0]};
		close(rep[0]);
		close(go[1]);
		setpgid(0, 0); /* allowed before exec */
		do_wait_image(rep[1], &w);
		_exit(127);
	}
	close(rep[1]);
	close(go[0]);
	CHECK(c > 0);
	read_report(rep[0], buf, sizeof(buf));
	/* The child has exec'd: setpgid on it is EACCES now, whatever the group. */
	errno = 0;
	int r1 = setpgid(c, c);
	int e1 = errno;
	errno = 0;
	int r2 = setpgid(c, getpgrp());
	int e2 = errno;
	pid_t g = getpgid(c);
	close(go[1]);
	close(rep[0]);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECKF(strncmp(buf, "ok ", 3) == 0, "new image: '%s'", buf);
	CHECK_EQ(st, 0);
	CHECK_EQ(r1, -1);
	CHECK_EQ(e1, EACCES);
	CHECK_EQ(r2, -1);
	CHECK_EQ(e2, EACCES);
	CHECK_EQ(g, c);
}

/* ---- vfork + exec ---- */

static char *vfork_argv[2];
static struct env vfork_env;

static void exec_after_vfork(void)
{
	int rep[2], go[2];
	int st = -1;
	char buf[256];
	CHECK_EQ(pipe(rep), 0);
	CHECK_EQ(pipe(go), 0);
	env_init(&vfork_env, "wait", rep[1]);
	env_add(&vfork_env, "GO_FD=%d", go[0]);
	vfork_argv[0] = self;
	vfork_argv[1] = NULL;
	pid_t c = vfork();
	if (c == 0) {
		execve(self, vfork_argv, vfork_env.v);
		_exit(127);
	}
	/* We run again once the child has exec'd: it is still alive, blocked on go. */
	close(rep[1]);
	close(go[0]);
	CHECK(c > 0);
	int alive = waitpid(c, &st, WNOHANG);
	read_report(rep[0], buf, sizeof(buf));
	(void)!write(go[1], "g", 1); /* the image holds go[1] too: no EOF */
	close(go[1]);
	close(rep[0]);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK_EQ(alive, 0);
	CHECKF(strncmp(buf, "ok ", 3) == 0, "new image: '%s'", buf);
	CHECK_EQ(field(buf, "pid="), c);
	CHECK_EQ(st, 0);
}

/* ---- exec from a thread ---- */

static int thread_wfd;

static void *exec_thread(void *arg)
{
	(void)arg;
	struct env e;
	env_init(&e, "pid", thread_wfd);
	env_add(&e, "EXPECT_PID=%d", (int)getpid());
	env_add(&e, "EXPECT_PPID=%d", (int)getppid());
	char *argv[] = {self, NULL};
	execve(self, argv, e.v);
	return NULL;
}

static void do_from_thread(int wfd, void *arg)
{
	(void)arg;
	pthread_t t;
	int p[2];
	thread_wfd = wfd;
	if (pipe(p) != 0)
		return;
	/* A second thread, blocked, that exec must get rid of too. */
	if (pthread_create(&t, NULL, exec_thread, NULL) != 0)
		return;
	char c;
	(void)!read(p[0], &c, 1); /* never returns: the exec replaces us */
}

static void exec_from_thread(void)
{
	struct result r;
	run_exec(do_from_thread, NULL, &r);
	CHECK_IMAGE_OK(r);
	CHECK_EQ(field(r.text, "pid="), r.pid); /* the thread took over the process's PID */
	CHECK_EQ(field(r.text, "tid="), r.pid);
	CHECK_EQ(field(r.text, "ppid="), getpid());
}

/* ---- a dynamically linked program (PT_INTERP) ---- */

static void do_sh(int wfd, void *arg)
{
	(void)arg;
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "echo sh-ran >&%d; exit 7", wfd);
	char *argv[] = {"sh", "-c", cmd, NULL};
	char *envp[] = {"PATH=/bin:/usr/bin", NULL};
	execve("/bin/sh", argv, envp);
}

static void exec_dynamic(void)
{
	struct result r;
	run_exec(do_sh, NULL, &r);
	CHECKF(strcmp(r.text, "sh-ran\n") == 0, "/bin/sh -c: '%s' status 0x%x", r.text, r.status);
	CHECK_EQ(r.status, 7 << 8);
}

int main(int argc, char **argv, char **envp)
{
	const char *mode = getenv("PROC_EXEC_MODE");
	if (mode != NULL)
		return image_main(mode, argc, argv, envp);

	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		say("FAIL setup: readlink /proc/self/exe: %s", errname(errno));
		return 1;
	}
	self[n] = 0;
	snprintf(self_dir, sizeof(self_dir), "%s", self);
	char *slash = strrchr(self_dir, '/');
	if (slash == self_dir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	self_base = strrchr(self, '/') + 1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/proc_exec.%d", (int)getpid());
	if (mkdir(tmpdir, 0755) != 0) {
		say("FAIL setup: mkdir %s: %s", tmpdir, errname(errno));
		return 1;
	}

	RUN(exec_argv_envp);
	RUN(exec_auxv);
	RUN(exec_cloexec_fds);
	RUN(exec_script);
	RUN(exec_script_nesting);
	RUN(exec_errors);
	RUN(execveat_cases);
	RUN(exec_comm);
	RUN(exec_signal_dispositions);
	RUN(exec_keeps_pending_signal);
	RUN(exec_then_setpgid);
	RUN(exec_after_vfork);
	RUN(exec_from_thread);
	RUN(exec_dynamic);
	rmdir(tmpdir);
	DONE();
}
