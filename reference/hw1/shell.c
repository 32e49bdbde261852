/*
 * shell: a small shell that runs pipelines.
 *
 * Reads command lines from stdin, one per line, until end of file:
 *
 *     cmd [arg...] [< in] [| cmd [arg...]]... [> out]
 *
 * Words are separated by spaces and tabs; "|", "<" and ">" are words of
 * their own. Every stage of a line is started before any is waited for,
 * so the data flows through the pipes while all stages run; then every
 * child is reaped. The status of a line is the status of its last stage
 * (its exit code, or 128 + N if signal N killed it). At end of file the
 * shell exits with the status of the last line.
 *
 * Built-ins, when the line is a single stage: exit [N], cd [DIR], pwd.
 * The prompt "$ " is printed only when stdin is a terminal.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROMPT "$ "
#define SEPARATORS " \t\n"
#define STATUS_SYNTAX 2
#define STATUS_NOT_FOUND 127
#define STATUS_NOT_EXECUTABLE 126

/* One command line, parsed in place. */
struct pipeline {
	char **words;		/* the line's words; a NULL ends each stage */
	char ***argv;		/* argv[i]: the arguments of stage i */
	size_t n;		/* number of stages, 0 for a blank line */
	const char *infile;	/* "< file" of the first stage, or NULL */
	const char *outfile;	/* "> file" of the last stage, or NULL */
};

/* ---------------------------------------------------------------- memory */

static noreturn void out_of_memory(void)
{
	fputs("shell: out of memory\n", stderr);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		out_of_memory();
	return p;
}

static void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		out_of_memory();
	p = realloc(p, n * size);
	if (p == NULL)
		out_of_memory();
	return p;
}

/* --------------------------------------------------------------- parsing */

/* Split line into words, in place. Returns a NULL-terminated array. */
static char **split_words(char *line)
{
	size_t n = 0, cap = 8;
	char **words = xreallocarray(NULL, cap, sizeof *words);
	char *save;

	for (char *w = strtok_r(line, SEPARATORS, &save); w != NULL;
	     w = strtok_r(NULL, SEPARATORS, &save)) {
		if (n + 1 == cap) {
			cap *= 2;
			words = xreallocarray(words, cap, sizeof *words);
		}
		words[n++] = w;
	}
	words[n] = NULL;
	return words;
}

static int is_word(const char *w, const char *op)
{
	return strcmp(w, op) == 0;
}

static int is_operator(const char *w)
{
	return is_word(w, "|") || is_word(w, "<") || is_word(w, ">");
}

static size_t count_stages(char **words)
{
	size_t n = 1;

	for (size_t i = 0; words[i] != NULL; i++)
		n += is_word(words[i], "|");
	return n;
}

static int syntax_error(const char *why)
{
	fprintf(stderr, "shell: syntax error: %s\n", why);
	return -1;
}

/*
 * Parse one line into pl. Redirections are taken out of the word list
 * and each "|" becomes the NULL that ends a stage, so every stage's argv
 * points straight into pl->words.
 * Returns 0, or -1 after reporting a syntax error. Free pl either way.
 */
static int parse_line(char *line, struct pipeline *pl)
{
	char **words = split_words(line);
	size_t w = 0;		/* words kept so far; never ahead of r */

	*pl = (struct pipeline){ .words = words };
	if (words[0] == NULL)
		return 0;
	pl->argv = xcalloc(count_stages(words), sizeof *pl->argv);
	pl->argv[pl->n++] = words;

	for (size_t r = 0; words[r] != NULL; r++) {
		char *word = words[r];

		if (is_word(word, "|")) {
			if (pl->outfile != NULL)
				return syntax_error("'>' must be in the last stage");
			words[w++] = NULL;
			pl->argv[pl->n++] = &words[w];
		} else if (is_word(word, "<") || is_word(word, ">")) {
			char *file = words[++r];

			if (file == NULL || is_operator(file))
				return syntax_error("missing file name after '<' or '>'");
			if (is_word(word, ">")) {
				if (pl->outfile != NULL)
					return syntax_error("more than one '>'");
				pl->outfile = file;
			} else {
				if (pl->n > 1)
					return syntax_error("'<' must be in the first stage");
				if (pl->infile != NULL)
					return syntax_error("more than one '<'");
				pl->infile = file;
			}
		} else {
			words[w++] = word;
		}
	}
	words[w] = NULL;

	for (size_t i = 0; i < pl->n; i++)
		if (pl->argv[i][0] == NULL)
			return syntax_error("empty command");
	return 0;
}

static void free_pipeline(struct pipeline *pl)
{
	free(pl->argv);
	free(pl->words);
}

/* --------------------------------------------------------------- helpers */

/* The shell convention: the exit code, or 128 + N for signal N. */
static int exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/* Reap one child. Returns its status, or 1 if waiting failed. */
static int wait_child(pid_t pid)
{
	int wstatus;

	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			perror("shell: waitpid");
			return 1;
		}
	}
	return exit_status(wstatus);
}

/* Close fd if it is open (>= 0); a failure means a bookkeeping bug. */
static void close_fd(int fd)
{
	if (fd >= 0 && close(fd) < 0)
		perror("shell: close");
}

static int open_output(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
}

/* ---------------------------------------------------- in a child process */

/* Report a failed call and leave; _exit keeps the parent's stdio buffers
 * from being flushed a second time. */
static noreturn void child_fail(const char *what)
{
	fprintf(stderr, "shell: %s: %s\n", what, strerror(errno));
	_exit(1);
}

/* Make fd the descriptor target and close the original. */
static void move_fd(int fd, int target)
{
	if (fd == target)
		return;
	if (dup2(fd, target) < 0)
		child_fail("dup2");
	if (close(fd) < 0)
		child_fail("close");
}

/*
 * Stage i: connect stdin to in_fd (the previous pipe's read end, or -1)
 * and stdout to pipefd[1] (or -1 for the last stage), apply the
 * redirections, then exec. Only descriptors 0, 1 and 2 stay open.
 */
static noreturn void run_stage(const struct pipeline *pl, size_t i,
			       int in_fd, const int pipefd[2])
{
	char **argv = pl->argv[i];

	/*
	 * The read end of our output pipe belongs to the next stage; holding
	 * it would keep the pipe readable after that stage has exited, and
	 * we would never get SIGPIPE.
	 */
	if (pipefd[0] >= 0 && close(pipefd[0]) < 0)
		child_fail("close");
	if (in_fd >= 0)
		move_fd(in_fd, STDIN_FILENO);
	if (pipefd[1] >= 0)
		move_fd(pipefd[1], STDOUT_FILENO);

	if (i == 0 && pl->infile != NULL) {
		int fd = open(pl->infile, O_RDONLY);

		if (fd < 0)
			child_fail(pl->infile);
		move_fd(fd, STDIN_FILENO);
	}
	if (i == pl->n - 1 && pl->outfile != NULL) {
		int fd = open_output(pl->outfile);

		if (fd < 0)
			child_fail(pl->outfile);
		move_fd(fd, STDOUT_FILENO);
	}

	execvp(argv[0], argv);
	if (errno == ENOENT) {
		fprintf(stderr, "shell: %s: command not found\n", argv[0]);
		_exit(STATUS_NOT_FOUND);
	}
	fprintf(stderr, "shell: %s: %s\n", argv[0], strerror(errno));
	_exit(STATUS_NOT_EXECUTABLE);
}

/* ------------------------------------------------------------ pipelines */

/*
 * Start every stage, each connected to the next by a pipe, then reap
 * them all. Returns the status of the last stage.
 */
static int run_pipeline(const struct pipeline *pl)
{
	pid_t *pids = xcalloc(pl->n, sizeof *pids);
	size_t started = 0;
	int in_fd = -1;		/* read end that feeds the next stage */
	int status = 1;

	for (size_t i = 0; i < pl->n; i++) {
		int pipefd[2] = { -1, -1 };
		pid_t pid;

		if (i + 1 < pl->n && pipe(pipefd) < 0) {
			perror("shell: pipe");
			break;
		}
		/* Whatever stdio still holds would otherwise be written twice. */
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			perror("shell: fork");
			close_fd(pipefd[0]);
			close_fd(pipefd[1]);
			break;
		}
		if (pid == 0)
			run_stage(pl, i, in_fd, pipefd);
		pids[started++] = pid;

		/*
		 * The children have their copies now. Our write end would keep
		 * the reader from ever seeing end of file; our read end would
		 * keep the writer from getting SIGPIPE once the reader is gone.
		 */
		close_fd(in_fd);
		close_fd(pipefd[1]);
		in_fd = pipefd[0];
	}
	/* Only a stage that failed to start leaves a read end behind. */
	close_fd(in_fd);

	/*
	 * Wait only now: waiting for a stage before starting the next one
	 * deadlocks as soon as a stage writes more than a pipe holds.
	 */
	for (size_t i = 0; i < started; i++)
		status = wait_child(pids[i]);

	free(pids);
	return started == pl->n ? status : 1;
}

/* ------------------------------------------------------------- built-ins */

static int is_builtin(const char *name)
{
	return is_word(name, "exit") || is_word(name, "cd") ||
	       is_word(name, "pwd");
}

/* exit [N]: without N, exit with the status of the last line. */
static int builtin_exit(char **argv, int last_status)
{
	char *end;
	long code;

	if (argv[1] == NULL)
		exit(last_status);
	if (argv[2] != NULL) {
		fputs("shell: exit: too many arguments\n", stderr);
		return 1;
	}
	errno = 0;
	code = strtol(argv[1], &end, 10);
	if (errno != 0 || end == argv[1] || *end != '\0') {
		fprintf(stderr, "shell: exit: %s: numeric argument required\n",
			argv[1]);
		exit(STATUS_SYNTAX);
	}
	exit((int)(code & 0xff));
}

/* cd [DIR]: without DIR, go to $HOME. */
static int builtin_cd(char **argv)
{
	const char *dir = argv[1];

	if (dir != NULL && argv[2] != NULL) {
		fputs("shell: cd: too many arguments\n", stderr);
		return 1;
	}
	if (dir == NULL)
		dir = getenv("HOME");
	if (dir == NULL) {
		fputs("shell: cd: HOME not set\n", stderr);
		return 1;
	}
	if (chdir(dir) < 0) {
		fprintf(stderr, "shell: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	return 0;
}

/* pwd: print the working directory on out. */
static int builtin_pwd(int out)
{
	size_t size = 256;
	char *cwd = NULL;
	int status = 0;

	for (;;) {
		cwd = xreallocarray(cwd, size, 1);
		if (getcwd(cwd, size) != NULL)
			break;
		if (errno != ERANGE) {
			perror("shell: pwd");
			free(cwd);
			return 1;
		}
		size *= 2;
	}
	if (dprintf(out, "%s\n", cwd) < 0) {
		perror("shell: pwd");
		status = 1;
	}
	free(cwd);
	return status;
}

/*
 * Built-ins run in the shell itself: cd must change the shell's own
 * directory, exit must end the shell. Redirections still apply: "<" must
 * name a readable file, ">" receives the output.
 */
static int run_builtin(const struct pipeline *pl, int last_status)
{
	char **argv = pl->argv[0];
	int out = STDOUT_FILENO;
	int status;

	if (pl->infile != NULL) {
		int fd = open(pl->infile, O_RDONLY);

		if (fd < 0) {
			fprintf(stderr, "shell: %s: %s\n", pl->infile,
				strerror(errno));
			return 1;
		}
		close_fd(fd);
	}
	if (pl->outfile != NULL) {
		out = open_output(pl->outfile);
		if (out < 0) {
			fprintf(stderr, "shell: %s: %s\n", pl->outfile,
				strerror(errno));
			return 1;
		}
	}

	if (is_word(argv[0], "cd"))
		status = builtin_cd(argv);
	else if (is_word(argv[0], "pwd"))
		status = builtin_pwd(out);
	else
		status = builtin_exit(argv, last_status);

	if (out != STDOUT_FILENO)
		close_fd(out);
	return status;
}

/* ------------------------------------------------------------ main loop */

/* Run one line. Returns its status; a blank line keeps last_status. */
static int run_line(char *line, int last_status)
{
	struct pipeline pl;
	int status;

	if (parse_line(line, &pl) < 0)
		status = STATUS_SYNTAX;
	else if (pl.n == 0)
		status = last_status;
	else if (pl.n == 1 && is_builtin(pl.argv[0][0]))
		status = run_builtin(&pl, last_status);
	else
		status = run_pipeline(&pl);
	free_pipeline(&pl);
	return status;
}

int main(void)
{
	int interactive = isatty(STDIN_FILENO);
	char *line = NULL;
	size_t cap = 0;
	int status = 0;

	for (;;) {
		if (interactive) {
			fputs(PROMPT, stdout);
			fflush(stdout);
		}
		if (getline(&line, &cap, stdin) < 0)
			break;
		status = run_line(line, status);
	}
	if (ferror(stdin)) {
		perror("shell: read");
		status = 1;
	}
	free(line);
	return status;
}
