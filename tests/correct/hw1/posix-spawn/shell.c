/*
 * shell: a small shell that runs pipelines such as
 *
 *     cat data.txt | sort | uniq -c > counts.txt
 *
 * Each line is scanned into stages; the stages are started one after the
 * other with posix_spawnp(), whose file actions wire each program's
 * standard input and output to its pipes (dup2) and close every other
 * pipe descriptor in the new process. Only then does the shell wait for
 * every stage. Built-ins (exit, cd, pwd) run in the shell itself when the
 * line is a single stage.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define EXIT_SYNTAX     2
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND  127

/* One stage of a pipeline: its words, NULL-terminated. */
struct stage {
	char **argv;
	size_t argc;
	size_t cap;
};

/* A parsed command line. The words point into the line itself. */
struct command {
	struct stage *stages;
	size_t count;		/* number of stages; 0 for a blank line */
	size_t cap;
	char *input;		/* "< file", or NULL */
	char *output;		/* "> file", or NULL */
};

static void *grow(void *p, size_t n, size_t size)
{
	if (n != 0 && size > (size_t)-1 / n) {
		fputs("shell: out of memory\n", stderr);
		exit(1);
	}
	p = realloc(p, n * size);
	if (p == NULL) {
		fputs("shell: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static void free_command(struct command *cmd)
{
	for (size_t i = 0; i < cmd->count; i++)
		free(cmd->stages[i].argv);
	free(cmd->stages);
	*cmd = (struct command){ 0 };
}

/* Append word (NULL to terminate) to a stage's argv. */
static void add_word(struct stage *st, char *word)
{
	if (st->argc + 1 >= st->cap) {
		st->cap = st->cap ? 2 * st->cap : 8;
		st->argv = grow(st->argv, st->cap, sizeof *st->argv);
	}
	st->argv[st->argc] = word;
	if (word != NULL)
		st->argc++;
	st->argv[st->argc] = NULL;
}

static struct stage *new_stage(struct command *cmd)
{
	if (cmd->count == cmd->cap) {
		cmd->cap = cmd->cap ? 2 * cmd->cap : 4;
		cmd->stages = grow(cmd->stages, cmd->cap, sizeof *cmd->stages);
	}
	cmd->stages[cmd->count] = (struct stage){ 0 };
	add_word(&cmd->stages[cmd->count], NULL);
	return &cmd->stages[cmd->count++];
}

/*
 * Cut the next word out of the line at *pos: skip blanks, NUL-terminate
 * the word in place and leave *pos after it. NULL at the end of the line.
 */
static char *next_word(char **pos)
{
	char *p = *pos;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p == '\0') {
		*pos = p;
		return NULL;
	}
	char *start = p;

	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*pos = p;
	return start;
}

static int is_op(const char *w)
{
	return strcmp(w, "|") == 0 || strcmp(w, "<") == 0 || strcmp(w, ">") == 0;
}

static int syntax_error(const char *what)
{
	fprintf(stderr, "shell: syntax error: %s\n", what);
	return -1;
}

/*
 * Parse line into cmd. Returns 0 (cmd->count is 0 for a blank line), or
 * -1 after reporting a syntax error.
 */
static int parse(char *line, struct command *cmd)
{
	char *pos = line;
	char *word;
	struct stage *cur = NULL;
	size_t output_stage = 0;

	*cmd = (struct command){ 0 };
	while ((word = next_word(&pos)) != NULL) {
		if (cur == NULL)
			cur = new_stage(cmd);

		if (strcmp(word, "|") == 0) {
			if (cur->argc == 0)
				return syntax_error("empty command before '|'");
			cur = new_stage(cmd);
		} else if (strcmp(word, "<") == 0 || strcmp(word, ">") == 0) {
			char *file = next_word(&pos);

			if (file == NULL || is_op(file))
				return syntax_error("missing file name after redirection");
			if (word[0] == '<') {
				if (cmd->input != NULL)
					return syntax_error("more than one '<'");
				if (cmd->count != 1)
					return syntax_error("'<' outside the first command");
				cmd->input = file;
			} else {
				if (cmd->output != NULL)
					return syntax_error("more than one '>'");
				cmd->output = file;
				output_stage = cmd->count;
			}
		} else {
			add_word(cur, word);
		}
	}
	if (cur == NULL)
		return 0;	/* a blank line */
	if (cur->argc == 0)
		return syntax_error("empty command");
	if (cmd->output != NULL && output_stage != cmd->count)
		return syntax_error("'>' outside the last command");
	return 0;
}

/* Status of a reaped child, as the shell reports it. */
static int decode_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

static int open_input(const char *file)
{
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		fprintf(stderr, "shell: %s: %s\n", file, strerror(errno));
	return fd;
}

static int open_output(const char *file)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		fprintf(stderr, "shell: %s: %s\n", file, strerror(errno));
	return fd;
}

static void close_checked(int fd)
{
	if (fd >= 0 && close(fd) < 0)
		perror("shell: close");
}

/* ------------------------------------------------------------- built-ins */

static int write_fully(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static int builtin_pwd(int out)
{
	size_t size = 256;
	char *dir = NULL;

	for (;;) {
		dir = grow(dir, size, 1);
		if (getcwd(dir, size - 1) != NULL)
			break;
		if (errno != ERANGE) {
			perror("shell: pwd");
			free(dir);
			return 1;
		}
		size *= 2;
	}
	size_t len = strlen(dir);

	dir[len++] = '\n';
	int rc = write_fully(out, dir, len);

	if (rc < 0)
		perror("shell: pwd: write");
	free(dir);
	return rc < 0 ? 1 : 0;
}

static int builtin_cd(char **argv)
{
	const char *dir = argv[1];

	if (dir != NULL && argv[2] != NULL) {
		fputs("shell: cd: too many arguments\n", stderr);
		return 1;
	}
	if (dir == NULL) {
		dir = getenv("HOME");
		if (dir == NULL) {
			fputs("shell: cd: HOME not set\n", stderr);
			return 1;
		}
	}
	if (chdir(dir) < 0) {
		fprintf(stderr, "shell: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	return 0;
}

/* exit [N]: returns only on error (too many arguments). */
static int builtin_exit(char **argv, int last_status)
{
	if (argv[1] == NULL) {
		fflush(stdout);
		exit(last_status);
	}
	if (argv[2] != NULL) {
		fputs("shell: exit: too many arguments\n", stderr);
		return 1;
	}
	char *end;

	errno = 0;
	long n = strtol(argv[1], &end, 10);

	if (errno != 0 || end == argv[1] || *end != '\0') {
		fprintf(stderr, "shell: exit: %s: numeric argument required\n",
			argv[1]);
		fflush(stdout);
		exit(EXIT_SYNTAX);
	}
	fflush(stdout);
	exit((int)(n & 0xff));
}

/*
 * If cmd is a single-stage built-in, run it, store its status and return
 * 1; otherwise return 0.
 */
static int try_builtin(struct command *cmd, int *status)
{
	char **argv = cmd->stages[0].argv;
	const char *name = argv[0];

	if (cmd->count != 1 ||
	    (strcmp(name, "exit") != 0 && strcmp(name, "cd") != 0 &&
	     strcmp(name, "pwd") != 0))
		return 0;

	/* The redirections apply to built-ins too. */
	int out = STDOUT_FILENO;

	if (cmd->input != NULL) {
		int fd = open_input(cmd->input);

		if (fd < 0) {
			*status = 1;
			return 1;
		}
		close_checked(fd);
	}
	if (cmd->output != NULL) {
		out = open_output(cmd->output);
		if (out < 0) {
			*status = 1;
			return 1;
		}
	}

	if (strcmp(name, "pwd") == 0)
		*status = builtin_pwd(out);
	else if (strcmp(name, "cd") == 0)
		*status = builtin_cd(argv);
	else
		*status = builtin_exit(argv, *status);

	if (out != STDOUT_FILENO)
		close_checked(out);
	return 1;
}

/* ------------------------------------------------------------- pipelines */

/*
 * Start one program with `in` and `out` as its standard input and output
 * and every descriptor in `extra` (-1 entries skipped) closed. Returns
 * its pid, or -1 after a message, with *status set to what the stage
 * would have exited with.
 */
static pid_t spawn_stage(char **argv, int in, int out, int extra, int *status)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t sigs;
	pid_t pid = -1;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		fprintf(stderr, "shell: posix_spawn: %s\n", strerror(rc));
		*status = EXIT_CANNOT_RUN;
		return -1;
	}
	if ((rc = posix_spawnattr_init(&attr)) != 0) {
		fprintf(stderr, "shell: posix_spawn: %s\n", strerror(rc));
		posix_spawn_file_actions_destroy(&fa);
		*status = EXIT_CANNOT_RUN;
		return -1;
	}

	/* dup2() the pipe ends onto 0 and 1, then close the originals. */
	if (in != STDIN_FILENO)
		rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	if (out != STDOUT_FILENO)
		rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	if (in != STDIN_FILENO)
		rc = rc ? rc : posix_spawn_file_actions_addclose(&fa, in);
	if (out != STDOUT_FILENO)
		rc = rc ? rc : posix_spawn_file_actions_addclose(&fa, out);
	if (extra >= 0)
		rc = rc ? rc : posix_spawn_file_actions_addclose(&fa, extra);

	/* The program starts with SIGPIPE at its default and nothing blocked. */
	sigemptyset(&sigs);
	rc = rc ? rc : posix_spawnattr_setsigmask(&attr, &sigs);
	sigaddset(&sigs, SIGPIPE);
	rc = rc ? rc : posix_spawnattr_setsigdefault(&attr, &sigs);
	rc = rc ? rc : posix_spawnattr_setflags(&attr,
				POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

	if (rc != 0) {
		fprintf(stderr, "shell: posix_spawn: %s\n", strerror(rc));
		*status = EXIT_CANNOT_RUN;
	} else {
		rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
		if (rc == 0) {
			/* started */
		} else if (rc == ENOENT && strchr(argv[0], '/') == NULL) {
			fprintf(stderr, "shell: %s: command not found\n", argv[0]);
			*status = EXIT_NOT_FOUND;
		} else {
			fprintf(stderr, "shell: %s: %s\n", argv[0], strerror(rc));
			*status = rc == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
		}
		if (rc != 0)
			pid = -1;
	}
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* Run every stage of cmd at once, wait for all; returns the line's status. */
static int run_pipeline(struct command *cmd)
{
	pid_t *pids = grow(NULL, cmd->count, sizeof *pids);
	int last_status = 0;	/* of the last stage, if it never started */
	int from_prev = -1;	/* read end of the pipe from the previous stage */
	size_t started = 0;

	/* Programs run from the shell's own stdin must not lose buffered input. */
	fflush(stdout);
	fflush(stdin);

	for (size_t i = 0; i < cmd->count; i++) {
		int p[2] = { -1, -1 };
		int in = STDIN_FILENO, out = STDOUT_FILENO;
		int status = 1;
		int ok = 1;

		pids[i] = -1;
		if (i + 1 < cmd->count && pipe(p) < 0) {
			perror("shell: pipe");
			close_checked(from_prev);
			last_status = 1;
			break;	/* start nothing more; reap what runs */
		}

		if (i > 0)
			in = from_prev;
		else if (cmd->input != NULL && (in = open_input(cmd->input)) < 0)
			ok = 0;

		if (i + 1 < cmd->count)
			out = p[1];
		else if (cmd->output != NULL && ok &&
			 (out = open_output(cmd->output)) < 0)
			ok = 0;

		if (ok)
			pids[i] = spawn_stage(cmd->stages[i].argv, in, out, p[0],
					      &status);
		if (pids[i] > 0)
			started = i + 1;
		if (i + 1 == cmd->count)
			last_status = status;

		/* The shell keeps only the read end for the next stage. */
		if (in != STDIN_FILENO && in >= 0)
			close_checked(in);
		if (out != STDOUT_FILENO && out >= 0)
			close_checked(out);
		from_prev = p[0];
	}

	for (size_t i = 0; i < started; i++) {
		int wstatus;

		if (pids[i] <= 0)
			continue;
		while (waitpid(pids[i], &wstatus, 0) < 0) {
			if (errno != EINTR) {
				perror("shell: waitpid");
				wstatus = 1 << 8;
				break;
			}
		}
		if (i + 1 == cmd->count)
			last_status = decode_status(wstatus);
	}
	free(pids);
	return last_status;
}

int main(void)
{
	int interactive = isatty(STDIN_FILENO);
	int status = 0;
	char *line = NULL;
	size_t cap = 0;

	for (;;) {
		if (interactive) {
			fputs("$ ", stdout);
			fflush(stdout);
		}
		errno = 0;
		if (getline(&line, &cap, stdin) < 0) {
			if (ferror(stdin)) {
				perror("shell: read");
				status = 1;
			}
			break;
		}

		struct command cmd;

		if (parse(line, &cmd) < 0)
			status = EXIT_SYNTAX;
		else if (cmd.count > 0 && !try_builtin(&cmd, &status))
			status = run_pipeline(&cmd);
		free_command(&cmd);
	}
	if (interactive)
		fputc('\n', stdout);
	free(line);
	return status;
}
