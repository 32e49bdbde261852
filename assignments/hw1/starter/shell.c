/*
 * shell: a small shell that runs pipelines.
 *
 * Reads command lines from stdin, one per line, until end of file:
 *
 *     cmd [arg...] [< in] [| cmd [arg...]]... [> out]
 *
 * Words are separated by spaces and tabs; "|", "<" and ">" are words of
 * their own. Every stage of a line must be started before any is waited
 * for; then every child is reaped. The status of a line is the status of
 * its last stage (its exit code, or 128 + N if signal N killed it). At
 * end of file the shell exits with the status of the last line.
 *
 * Built-ins, when the line is a single stage: exit [N], cd [DIR], pwd.
 * The prompt "$ " is printed only when stdin is a terminal.
 *
 * This starter reads and parses lines but runs nothing yet: the parsing
 * is given, the TODOs are yours.
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

/* ------------------------------------------------------------ pipelines */

/*
 * Run the stages of pl, each connected to the next by a pipe.
 * Returns the status of the last stage.
 */
static int run_pipeline(const struct pipeline *pl)
{
	/*
	 * TODO, for each stage i (its arguments are pl->argv[i], ready for
	 * execvp):
	 *  - unless it is the last stage, create a pipe to the next stage;
	 *  - fflush(stdout), then fork();
	 *  - in the child: dup2() the previous pipe's read end onto stdin
	 *    and this pipe's write end onto stdout, apply "< pl->infile"
	 *    (first stage only) and "> pl->outfile" (last stage only;
	 *    O_WRONLY | O_CREAT | O_TRUNC, mode 0644), close every other
	 *    pipe descriptor, then execvp(). If execvp() fails with ENOENT,
	 *    print "shell: NAME: command not found" on stderr and _exit(127);
	 *  - in the parent: close the pipe ends the shell no longer needs.
	 * Start every stage before waiting for any. Then waitpid() for every
	 * child; the line's status is the last stage's (exit code, or
	 * 128 + N if signal N killed it).
	 */
	(void)pl;
	return 0;
}

/* ------------------------------------------------------------- built-ins */

static int is_builtin(const char *name)
{
	return is_word(name, "exit") || is_word(name, "cd") ||
	       is_word(name, "pwd");
}

/*
 * Run a built-in in the shell itself (cd must change the shell's own
 * directory, exit must end the shell). Returns its status.
 */
static int run_builtin(const struct pipeline *pl, int last_status)
{
	/*
	 * TODO:
	 *  - exit [N]: exit with N, or with last_status without N;
	 *  - cd [DIR]: chdir() to DIR, or to $HOME without DIR; on failure
	 *    print a message on stderr, status 1;
	 *  - pwd: print the working directory (getcwd()).
	 */
	(void)pl;
	(void)last_status;
	return 0;
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
