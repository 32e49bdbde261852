/*
 * pipemsg: forward stdin to a child process through a pipe.
 *
 * The parent writes everything it reads from stdin into a pipe; the
 * child copies everything it reads from the pipe to stdout. The parent
 * then waits for the child and exits with the child's status: its exit
 * code, or 128 + N if signal N killed it.
 *
 * Treat the data as bytes, never as strings: NUL bytes and input of any
 * size must pass through unchanged.
 *
 * This starter compiles and runs, but copies nothing yet: fill in the
 * TODOs.
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

/*
 * Copy everything from in to out, until end of file.
 * Returns 0, or -1 after an error.
 */
static int copy_fd(int in, int out)
{
	/*
	 * TODO: read() into a buffer of BUF_SIZE bytes until read() returns
	 * 0 (end of file). Remember:
	 *  - read() and write() may be interrupted (-1 with errno EINTR):
	 *    just try again;
	 *  - write() may write fewer bytes than asked: loop until the whole
	 *    buffer is written;
	 *  - the data may contain NUL bytes: no string functions.
	 */
	(void)in;
	(void)out;
	return 0;
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

/* The child: copy the pipe to stdout. */
static noreturn void child(const int pipefd[2])
{
	int failed;

	/* TODO: close the descriptor the child does not use. Why must it? */
	failed = copy_fd(pipefd[0], STDOUT_FILENO) < 0;
	/* _exit, not exit: the stdio buffers copied from the parent are not ours. */
	_exit(failed ? 1 : 0);
}

/* The parent: copy stdin into the pipe, then reap the child. */
static int parent(const int pipefd[2], pid_t pid)
{
	int wstatus = 0;
	int failed = 0;

	/* TODO: close the descriptor the parent does not use. Why must it? */
	/*
	 * TODO: if the child dies early, write() into the pipe raises
	 * SIGPIPE. Decide how the parent should survive that so it can
	 * still reap the child and exit with the child's status (the child
	 * itself must keep the default action).
	 */
	if (copy_fd(STDIN_FILENO, pipefd[1]) < 0)
		failed = 1;
	/* TODO: close the write end: this is what sends end of file. */
	/* TODO: waitpid(pid, &wstatus, 0), trying again on EINTR. */
	(void)pid;

	return exit_status(wstatus) != 0 ? exit_status(wstatus) : failed;
}

int main(void)
{
	int pipefd[2] = { -1, -1 };
	pid_t pid = -1;

	/*
	 * TODO: create the pipe with pipe(), then fork(). Check both for
	 * errors (report with perror and exit 1).
	 */

	if (pid == 0)
		child(pipefd);
	return parent(pipefd, pid);
}
