/*
 * echo_client HOST PORT < input: send stdin to an echo server line by
 * line and print each echo as it comes back.
 *
 * Lines go out with a write() loop; the echoes are read through a stdio
 * stream opened on the socket (fdopen), whose fread() keeps reading until
 * it has the whole line back, however the server splits it. At the end
 * of input the client half-closes and reads until the server closes.
 */

#include "io.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

static void die_early(void)
{
	fputs("echo_client: server closed the connection early\n", stderr);
	exit(1);
}

/* Connect to host:port over IPv4 TCP. Returns the socket; exits on failure. */
static int dial(const char *host, const char *port)
{
	struct addrinfo hints, *list;
	int err, fd = -1, saved = ECONNREFUSED;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	err = getaddrinfo(host, port, &hints, &list);
	if (err != 0) {
		fprintf(stderr, "echo_client: %s: %s\n", host, gai_strerror(err));
		exit(1);
	}
	for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(list);
	if (fd == -1) {
		fprintf(stderr, "echo_client: connect: %s\n", strerror(saved));
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 3 || port_number(argv[2]) == -1) {
		fprintf(stderr, "usage: echo_client HOST PORT (1 to 65535)\n");
		return 2;
	}

	/* A vanished server must show up as EPIPE, not kill us silently. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		perror("echo_client: signal");
		return 1;
	}

	int sock = dial(argv[1], argv[2]);
	FILE *from_server = fdopen(sock, "r");

	if (from_server == NULL) {
		perror("echo_client: fdopen");
		return 1;
	}

	char *line = NULL, *echo = NULL;
	size_t line_cap = 0, echo_cap = 0;
	ssize_t len;

	while ((len = getline(&line, &line_cap, stdin)) != -1) {
		size_t n = (size_t)len;

		if (send_all(sock, line, n) == -1) {
			if (errno == EPIPE || errno == ECONNRESET)
				die_early();
			perror("echo_client: write");
			return 1;
		}

		if (n > echo_cap) {
			free(echo);
			echo = malloc(n);
			if (echo == NULL) {
				fputs("echo_client: out of memory\n", stderr);
				return 1;
			}
			echo_cap = n;
		}
		if (fread(echo, 1, n, from_server) != n)
			die_early();	/* end of file or error before the whole echo */

		if (fwrite(echo, 1, n, stdout) != n || fflush(stdout) == EOF) {
			perror("echo_client: write to stdout");
			return 1;
		}
	}
	if (ferror(stdin)) {
		perror("echo_client: read stdin");
		return 1;
	}

	/* No more lines: let the server see end of file, then wait for its. */
	if (shutdown(sock, SHUT_WR) == -1) {
		perror("echo_client: shutdown");
		return 1;
	}
	int c = getc(from_server);

	if (c != EOF) {
		fputs("echo_client: unexpected data after the last echo\n", stderr);
		return 1;
	}
	if (ferror(from_server)) {
		perror("echo_client: read");
		return 1;
	}
	if (fclose(from_server) == EOF) {	/* closes the socket too */
		perror("echo_client: close");
		return 1;
	}
	free(line);
	free(echo);
	return 0;
}
