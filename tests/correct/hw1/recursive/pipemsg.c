/*
 * pipemsg: copy standard input to standard output through a pipe between
 * two processes. The parent reads stdin and writes the pipe; the child
 * reads the pipe and writes stdout. The parent exits with the child's
 * status (128 + N if signal N killed it), or 1 if only the parent failed.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUFSIZE 512

/*
 * Copy everything from fd `from` to fd `to`, BUFSIZE bytes at a time.
 * Returns 0 at end of file, or -1 with errno set; *in_read tells whether
 * it was read() (1) or write() (0) that failed.
 */
static int copy_fd(int from, int to, int *in_read)
{
	char buf[BUFSIZE];

	for (;;) {
		ssize_t n = read(from, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*in_read = 1;
			return (int)n;	/* 0 at end of file, -1 on error */
		}

		/* write() may take only part of it: go on from where it stopped */
		ssize_t off = 0;

		while (off < n) {
			ssize_t w = write(to, buf + off, (size_t)(n - off));

			if (w >= 0) {
				off += w;
			} else if (errno != EINTR) {
				*in_read = 0;
				return -1;
			}
		}
	}
}

static int child(int pipe_rd)
{
	int in_read;
	sigset_t pipe_only;
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	/* Whatever we inherited, a vanished reader must kill us with SIGPIPE. */
	sigemptyset(&dfl.sa_mask);
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	if (sigaction(SIGPIPE, &dfl, NULL) < 0 ||
	    sigprocmask(SIG_UNBLOCK, &pipe_only, NULL) < 0) {
		perror("pipemsg (child): SIGPIPE");
		return 1;
	}

	if (copy_fd(pipe_rd, STDOUT_FILENO, &in_read) < 0) {
		perror(in_read ? "pipemsg (child): read" : "pipemsg (child): write");
		return 1;
	}
	if (close(pipe_rd) < 0) {
		perror("pipemsg (child): close");
		return 1;
	}
	return 0;
}

int main(void)
{
	int p[2];

	if (pipe(p) == -1) {
		perror("pipemsg: pipe");
		return 1;
	}

	pid_t pid = fork();

	if (pid == -1) {
		perror("pipemsg: fork");
		return 1;
	}
	if (pid == 0) {
		if (close(p[1]) == -1) {
			perror("pipemsg (child): close");
			_exit(1);
		}
		_exit(child(p[0]));
	}

	int bad = 0;		/* the parent's own failure */
	int in_read;
	sigset_t pipe_only;

	if (close(p[0]) == -1) {
		perror("pipemsg: close");
		bad = 1;
	}

	/*
	 * Block SIGPIPE in the parent: if the child has died, writing to the
	 * pipe then fails with EPIPE and we go on to reap the child.
	 */
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &pipe_only, NULL) == -1) {
		perror("pipemsg: sigprocmask");
		bad = 1;
	}

	if (copy_fd(STDIN_FILENO, p[1], &in_read) == -1) {
		bad = 1;
		if (in_read)
			perror("pipemsg: read");
		else if (errno != EPIPE)	/* EPIPE: the child's status tells */
			perror("pipemsg: write");
	}
	if (close(p[1]) == -1) {
		perror("pipemsg: close");
		bad = 1;
	}

	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, 0);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		perror("pipemsg: waitpid");
		return 1;
	}

	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return bad;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
