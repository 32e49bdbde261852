/*
 * pipemsg: forward stdin to a child process through a pipe.
 *
 * The parent writes everything it reads from stdin into a pipe; the
 * child copies everything it reads from the pipe to stdout. The parent
 * then waits for the child and exits with the child's status: its exit
 * code, or 128 + N if signal N killed it.
 *
 * The data is treated as bytes, never as strings: NUL bytes and input
 * of any size pass through unchanged.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF_SIZE 65536

/* Write all n bytes: a write to a pipe may be partial or interrupted. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t done = write(fd, buf, n);

		if (done < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += done;
		n -= (size_t)done;
	}
	return 0;
}

/*
 * Copy everything from in to out, until end of file.
 * Returns 0, or -1 after an error (reported, except EPIPE: a reader
 * that went away is explained by its own exit status).
 */
static int copy_fd(int in, int out)
{
	char buf[BUF_SIZE];

	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("pipemsg: read");
			return -1;
		}
		if (write_all(out, buf, (size_t)n) < 0) {
			if (errno != EPIPE)
				perror("pipemsg: write");
			return -1;
		}
	}
}

/* The shell convention: the exit code, or 128 + N for signal N. */
static int exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/* Reap the child. Returns its status, or 1 if waiting failed. */
static int wait_child(pid_t pid)
{
	int wstatus;

	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			perror("pipemsg: waitpid");
			return 1;
		}
	}
	return exit_status(wstatus);
}

/* The child: copy the pipe to stdout. */
static noreturn void child(const int pipefd[2])
{
	int failed;

	/* Our copy of the write end would keep end of file from ever coming. */
	if (close(pipefd[1]) < 0) {
		perror("pipemsg: close");
		_exit(1);
	}
	failed = copy_fd(pipefd[0], STDOUT_FILENO) < 0;
	/* _exit: the stdio buffers copied from the parent are not ours to flush. */
	_exit(failed ? 1 : 0);
}

/* The parent: copy stdin into the pipe, then reap the child. */
static int parent(const int pipefd[2], pid_t pid)
{
	int failed = 0;
	int status;

	/*
	 * Our copy of the read end would keep the pipe alive after the child
	 * is gone: our writes would then block forever instead of failing.
	 */
	if (close(pipefd[0]) < 0) {
		perror("pipemsg: close");
		failed = 1;
	}
	/*
	 * A dead reader should make write() fail with EPIPE rather than kill
	 * us: we still have to reap the child and report its status. The
	 * child was forked before this, so it keeps the default action.
	 */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		perror("pipemsg: signal");
		failed = 1;
	}
	if (copy_fd(STDIN_FILENO, pipefd[1]) < 0)
		failed = 1;
	/* Closing the write end is what sends end of file to the child. */
	if (close(pipefd[1]) < 0) {
		perror("pipemsg: close");
		failed = 1;
	}
	status = wait_child(pid);
	/* The child's status explains an EPIPE; otherwise report our own failure. */
	return status != 0 ? status : failed;
}

int main(void)
{
	int pipefd[2];
	pid_t pid;

	if (pipe(pipefd) < 0) {
		perror("pipemsg: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("pipemsg: fork");
		return 1;
	}
	if (pid == 0)
		child(pipefd);
	return parent(pipefd, pid);
}
