/*
 * pipemsg: the parent forwards its standard input through a pipe to a
 * child, which writes it to standard output.
 *
 * Exit status: the child's exit code, 128 + N if signal N killed it, or 1
 * if the child succeeded but the parent itself failed.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK (64 * 1024)	/* one pipe's worth per read() */

/* How a copy ended. */
enum copy_result { COPY_OK, COPY_READ_ERROR, COPY_WRITE_ERROR };

static char chunk[CHUNK];

/* Write all n bytes of buf to fd. Returns 0, or -1 with errno set. */
static int write_fully(int fd, const char *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, buf + done, n - done);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

/* Copy from `in` to `out` until end of file. errno is set on failure. */
static enum copy_result pump(int in, int out)
{
	for (;;) {
		ssize_t got = read(in, chunk, sizeof chunk);

		if (got == 0)
			return COPY_OK;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return COPY_READ_ERROR;
		}
		if (write_fully(out, chunk, (size_t)got) < 0)
			return COPY_WRITE_ERROR;
	}
}

/* The child: pipe to stdout. Never returns. */
static void run_child(int rd)
{
	/*
	 * Whoever started us may have ignored SIGPIPE; the child must die of
	 * it when its reader goes away, so put it back to the default.
	 */
	struct sigaction sa = { .sa_handler = SIG_DFL };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		perror("pipemsg: child: sigaction");

	switch (pump(rd, STDOUT_FILENO)) {
	case COPY_OK:
		break;
	case COPY_READ_ERROR:
		perror("pipemsg: child: read from pipe");
		_exit(1);
	case COPY_WRITE_ERROR:
		perror("pipemsg: child: write to stdout");
		_exit(1);
	}
	if (close(rd) < 0) {
		perror("pipemsg: child: close");
		_exit(1);
	}
	_exit(0);
}

int main(void)
{
	int fds[2];
	int failed = 0;
	pid_t pid;

	if (pipe(fds) < 0) {
		perror("pipemsg: pipe");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("pipemsg: fork");
		return 1;
	}
	if (pid == 0) {
		if (close(fds[1]) < 0) {
			perror("pipemsg: child: close");
			_exit(1);
		}
		run_child(fds[0]);
	}

	/* The parent: stdin to pipe. */
	if (close(fds[0]) < 0) {
		perror("pipemsg: close");
		failed = 1;
	}

	/*
	 * If the child dies early, our writes to the pipe must fail with
	 * EPIPE instead of killing us: we still have to reap it.
	 */
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGPIPE, &ign, NULL) < 0) {
		perror("pipemsg: sigaction");
		failed = 1;
	}

	switch (pump(STDIN_FILENO, fds[1])) {
	case COPY_OK:
		break;
	case COPY_READ_ERROR:
		perror("pipemsg: read from stdin");
		failed = 1;
		break;
	case COPY_WRITE_ERROR:
		/* EPIPE: the child is gone, and its status says why. */
		if (errno != EPIPE)
			perror("pipemsg: write to pipe");
		failed = 1;
		break;
	}
	if (close(fds[1]) < 0) {
		perror("pipemsg: close");
		failed = 1;
	}

	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("pipemsg: waitpid");
			return 1;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	if (WEXITSTATUS(status) != 0)
		return WEXITSTATUS(status);
	return failed ? 1 : 0;
}
