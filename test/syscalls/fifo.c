/* Named pipes (man 7 fifo): blocking and non-blocking opens, data through a FIFO between processes, EOF. */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char path[64];

static void make_fifo(void)
{
	snprintf(path, sizeof path, "/tmp/fifo-%d", getpid());
	unlink(path);
	CHECK_OK(mkfifo(path, 0600));
	struct stat st;
	CHECK_OK(stat(path, &st));
	CHECK(S_ISFIFO(st.st_mode));
}

static void nonblocking_opens(void)
{
	/* A writer without a reader: ENXIO; a reader without a writer succeeds at once. */
	CHECK_ERR(open(path, O_WRONLY | O_NONBLOCK), ENXIO);
	int r = open(path, O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0);
	char b;
	CHECK_EQ(read(r, &b, 1), 0);
	int w = open(path, O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0);
	CHECK_ERR(read(r, &b, 1), EAGAIN);
	CHECK_EQ(write(w, "z", 1), 1);
	CHECK_EQ(read(r, &b, 1), 1);
	CHECK_EQ(b, 'z');
	close(w);
	close(r);
	/* O_RDWR never blocks. */
	int rw = open(path, O_RDWR);
	CHECK(rw >= 0);
	close(rw);
}

static void blocking_open_meets_writer(void)
{
	pid_t c = fork();
	if (c == 0) {
		int w = open(path, O_WRONLY);
		if (w < 0)
			_exit(1);
		if (write(w, "hello", 5) != 5)
			_exit(2);
		close(w);
		_exit(0);
	}
	/* Blocks until the child opens its end. */
	int r = open(path, O_RDONLY);
	CHECK(r >= 0);
	char b[16] = {0};
	size_t got = 0;
	while (got < 5) {
		ssize_t n = read(r, b + got, sizeof b - 1 - got);
		CHECK(n > 0);
		got += (size_t)n;
	}
	CHECK_EQ(strcmp(b, "hello"), 0);
	CHECK_EQ(read(r, b, 1), 0);
	struct pollfd pf = {r, POLLIN, 0};
	CHECK_EQ(poll(&pf, 1, 0), 1);
	CHECK(pf.revents & POLLHUP);
	close(r);
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
	RUN(make_fifo);
	RUN(nonblocking_opens);
	RUN(blocking_open_meets_writer);
	unlink(path);
	DONE();
}
