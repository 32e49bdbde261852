/*
 * shell: reads command lines from stdin and runs each as a pipeline,
 *
 *     prog [args] [< in] | prog [args] | ... [> out]
 *
 * A line is split into words with strtok_r(), then into one argv array
 * per stage. All the pipes of a line are created up front; the stages
 * are forked by a recursive function (stage i forks, then starts stages
 * i+1...), so every stage runs before the shell waits. The shell then
 * closes all its pipe ends and waits for each stage by its pid.
 *
 * Built-ins (exit [N], cd [DIR], pwd) run in the shell when the line has
 * a single stage; their "> file" is applied by pointing the shell's own
 * stdout at the file for the duration of the command.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define ST_SYNTAX	2
#define ST_NOEXEC	126
#define ST_NOTFOUND	127

struct line {
	char **words;		/* every word of the line (the storage) */
	size_t nwords;
	char ***argv;		/* argv[i]: NULL-terminated words of stage i */
	size_t nstages;
	const char *in;		/* < file, or NULL */
	const char *out;	/* > file, or NULL */
};

static void *xmalloc(size_t count, size_t size)
{
	void *p = NULL;

	if (count == 0 || size == 0)
		count = size = 1;	/* malloc(0) may return NULL */
	if (count <= (size_t)-1 / size)
		p = malloc(count * size);
	if (p == NULL) {
		fputs("shell: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static void line_free(struct line *l)
{
	if (l->argv != NULL)
		for (size_t i = 0; i < l->nstages; i++)
			free(l->argv[i]);
	free(l->argv);
	free(l->words);
}

/* Break text into words separated by blanks (the array is NULL-ended). */
static char **tokenize(char *text, size_t *count)
{
	size_t cap = 16, n = 0;
	char **w = xmalloc(cap, sizeof *w);
	char *state = NULL;

	for (char *tok = strtok_r(text, " \t\n", &state); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &state)) {
		if (n + 2 > cap) {
			char **bigger = xmalloc(cap * 2, sizeof *w);

			memcpy(bigger, w, n * sizeof *w);
			free(w);
			w = bigger;
			cap *= 2;
		}
		w[n++] = tok;
	}
	w[n] = NULL;
	*count = n;
	return w;
}

static int eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static int bad_syntax(const char *msg)
{
	fprintf(stderr, "shell: syntax error: %s\n", msg);
	return -1;
}

/*
 * Check the words and build one argv per stage. Returns 0 or -1 (after a
 * message). A blank line gives nstages == 0.
 */
static int parse(char *text, struct line *l)
{
	memset(l, 0, sizeof *l);
	l->words = tokenize(text, &l->nwords);
	if (l->nwords == 0)
		return 0;

	/* First pass: validate, count stages. */
	size_t stage = 0, len = 0, out_stage = 0;

	for (size_t i = 0; i < l->nwords; i++) {
		char *w = l->words[i];

		if (eq(w, "|")) {
			if (len == 0)
				return bad_syntax("empty stage before '|'");
			stage++;
			len = 0;
		} else if (eq(w, "<") || eq(w, ">")) {
			char *file = l->words[i + 1];

			if (file == NULL || eq(file, "|") || eq(file, "<") ||
			    eq(file, ">"))
				return bad_syntax("redirection without a file name");
			if (eq(w, "<")) {
				if (l->in != NULL)
					return bad_syntax("two '<' on one line");
				if (stage != 0)
					return bad_syntax("'<' after the first stage");
				l->in = file;
			} else {
				if (l->out != NULL)
					return bad_syntax("two '>' on one line");
				l->out = file;
				out_stage = stage;
			}
			i++;	/* the file name is not an argument */
		} else {
			len++;
		}
	}
	if (len == 0)
		return bad_syntax("empty stage at end of line");
	if (l->out != NULL && out_stage != stage)
		return bad_syntax("'>' before the last stage");

	/* Second pass: copy each stage's arguments into its own argv. */
	l->nstages = stage + 1;
	l->argv = xmalloc(l->nstages, sizeof *l->argv);
	for (size_t s = 0; s < l->nstages; s++)
		l->argv[s] = NULL;

	size_t first = 0;

	for (size_t s = 0; s < l->nstages; s++) {
		size_t end = first, k = 0;

		while (end < l->nwords && !eq(l->words[end], "|"))
			end++;
		l->argv[s] = xmalloc(end - first + 1, sizeof(char *));
		for (size_t i = first; i < end; i++) {
			if (eq(l->words[i], "<") || eq(l->words[i], ">"))
				i++;
			else
				l->argv[s][k++] = l->words[i];
		}
		l->argv[s][k] = NULL;
		first = end + 1;
	}
	return 0;
}

static int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) == -1) {
		if (errno != EINTR) {
			perror("shell: waitpid");
			return 1;
		}
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

/* --------------------------------------------------------------- child */

/* Open file and move it onto target. Returns 0 or -1 after a message. */
static int redirect(const char *file, int flags, int target)
{
	int fd = open(file, flags, 0644);

	if (fd == -1) {
		fprintf(stderr, "shell: %s: %s\n", file, strerror(errno));
		return -1;
	}
	if (fd != target) {
		if (dup2(fd, target) == -1) {
			perror("shell: dup2");
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/*
 * In the child for stage i: wire up descriptors, reset signals, exec.
 * pipes holds 2 * (nstages - 1) descriptors: pipe k is pipes[2k],
 * pipes[2k + 1] and joins stage k to stage k + 1.
 */
_Noreturn static void exec_stage(struct line *l, int *pipes, size_t i)
{
	size_t npipefds = 2 * (l->nstages - 1);
	struct sigaction sa;

	/* Default dispositions and an empty mask for the new program. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) == -1 ||
	    sigprocmask(SIG_SETMASK, &sa.sa_mask, NULL) == -1) {
		perror("shell: signals");
		_exit(1);
	}

	if (i > 0 && dup2(pipes[2 * (i - 1)], STDIN_FILENO) == -1) {
		perror("shell: dup2");
		_exit(1);
	}
	if (i + 1 < l->nstages && dup2(pipes[2 * i + 1], STDOUT_FILENO) == -1) {
		perror("shell: dup2");
		_exit(1);
	}
	for (size_t k = 0; k < npipefds; k++) {
		if (close(pipes[k]) == -1) {
			perror("shell: close");
			_exit(1);
		}
	}

	if (i == 0 && l->in != NULL &&
	    redirect(l->in, O_RDONLY, STDIN_FILENO) == -1)
		_exit(1);
	if (i + 1 == l->nstages && l->out != NULL &&
	    redirect(l->out, O_WRONLY | O_CREAT | O_TRUNC, STDOUT_FILENO) == -1)
		_exit(1);

	char **argv = l->argv[i];

	execvp(argv[0], argv);
	if (errno == ENOENT && strchr(argv[0], '/') == NULL) {
		fprintf(stderr, "shell: %s: command not found\n", argv[0]);
		_exit(ST_NOTFOUND);
	}
	fprintf(stderr, "shell: %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? ST_NOTFOUND : ST_NOEXEC);
}

/*
 * Start stages i, i+1, ..., nstages-1: fork stage i, then recurse for the
 * rest. pids[k] is -1 for a stage that could not be forked.
 */
static void start_from(struct line *l, int *pipes, pid_t *pids, size_t i)
{
	if (i == l->nstages)
		return;
	pids[i] = fork();
	if (pids[i] == 0)
		exec_stage(l, pipes, i);
	if (pids[i] == -1)
		perror("shell: fork");
	start_from(l, pipes, pids, i + 1);
}

static int run_pipeline(struct line *l)
{
	size_t npipes = l->nstages - 1;
	int *pipes = xmalloc(2 * npipes, sizeof *pipes);
	pid_t *pids = xmalloc(l->nstages, sizeof *pids);
	int status = 1;

	for (size_t k = 0; k < npipes; k++) {
		if (pipe(&pipes[2 * k]) == -1) {
			perror("shell: pipe");
			for (size_t j = 0; j < 2 * k; j++)
				close(pipes[j]);
			goto out;
		}
	}

	/* Nothing buffered may be copied into the children. */
	fflush(stdout);
	fflush(stderr);
	/* A program reading the shell's stdin starts after the current line. */
	fflush(stdin);

	start_from(l, pipes, pids, 0);

	/* The shell uses no pipe end itself. */
	for (size_t k = 0; k < 2 * npipes; k++)
		if (close(pipes[k]) == -1)
			perror("shell: close");

	for (size_t s = 0; s < l->nstages; s++) {
		int st = pids[s] == -1 ? 1 : wait_status(pids[s]);

		if (s + 1 == l->nstages)
			status = st;
	}
out:
	free(pids);
	free(pipes);
	return status;
}

/* ------------------------------------------------------------ built-ins */

static int is_builtin(const char *name)
{
	return eq(name, "cd") || eq(name, "pwd") || eq(name, "exit");
}

/* Runs with stdout already redirected. May not return (exit). */
static int builtin(char **argv, int last)
{
	size_t argc = 0;

	while (argv[argc] != NULL)
		argc++;

	if (eq(argv[0], "pwd")) {
		char *buf = NULL;

		for (size_t size = 128;; size *= 2) {
			free(buf);
			buf = xmalloc(size, 1);
			if (getcwd(buf, size) != NULL)
				break;
			if (errno != ERANGE) {
				perror("shell: pwd");
				free(buf);
				return 1;
			}
		}
		printf("%s\n", buf);
		free(buf);
		if (fflush(stdout) == EOF) {
			perror("shell: pwd");
			return 1;
		}
		return 0;
	}

	if (eq(argv[0], "cd")) {
		const char *dir = argc > 1 ? argv[1] : getenv("HOME");

		if (argc > 2) {
			fprintf(stderr, "shell: cd: too many arguments\n");
			return 1;
		}
		if (dir == NULL) {
			fprintf(stderr, "shell: cd: HOME is not set\n");
			return 1;
		}
		if (chdir(dir) == -1) {
			fprintf(stderr, "shell: cd: %s: %s\n", dir, strerror(errno));
			return 1;
		}
		return 0;
	}

	/* exit */
	if (argc > 2) {
		fprintf(stderr, "shell: exit: too many arguments\n");
		return 1;
	}
	if (argc == 1)
		exit(last);

	char *end;
	long n;

	errno = 0;
	n = strtol(argv[1], &end, 10);
	if (errno != 0 || end == argv[1] || *end != '\0') {
		fprintf(stderr, "shell: exit: %s: not a number\n", argv[1]);
		exit(ST_SYNTAX);
	}
	exit((int)(n & 0xff));
}

/* A built-in line, with its redirections. */
static int run_builtin(struct line *l, int last)
{
	int saved = -1, status;

	if (l->in != NULL) {
		int fd = open(l->in, O_RDONLY);

		if (fd == -1) {
			fprintf(stderr, "shell: %s: %s\n", l->in, strerror(errno));
			return 1;
		}
		close(fd);
	}
	if (l->out != NULL) {
		fflush(stdout);
		saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		if (saved == -1) {
			perror("shell: fcntl");
			return 1;
		}
		if (redirect(l->out, O_WRONLY | O_CREAT | O_TRUNC,
			     STDOUT_FILENO) == -1) {
			close(saved);
			return 1;
		}
	}

	status = builtin(l->argv[0], last);

	if (saved != -1) {
		fflush(stdout);
		if (dup2(saved, STDOUT_FILENO) == -1)
			perror("shell: dup2");
		close(saved);
	}
	return status;
}

int main(void)
{
	const int tty = isatty(STDIN_FILENO);
	int last = 0;
	char *buf = NULL;
	size_t bufsize = 0;

	for (;;) {
		if (tty) {
			printf("$ ");
			fflush(stdout);
		}
		if (getline(&buf, &bufsize, stdin) == -1)
			break;

		struct line l;

		if (parse(buf, &l) == -1)
			last = ST_SYNTAX;
		else if (l.nstages == 1 && is_builtin(l.argv[0][0]))
			last = run_builtin(&l, last);
		else if (l.nstages > 0)
			last = run_pipeline(&l);
		line_free(&l);
	}
	if (ferror(stdin)) {
		perror("shell: stdin");
		last = 1;
	}
	free(buf);
	return last;
}
