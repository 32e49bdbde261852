/*
 * echo_client: send lines to an echo server and print its echoes.
 *
 *     echo_client HOST PORT < input
 *
 * Connects to HOST:PORT over TCP (IPv4). For each line of stdin: sends
 * the line, reads exactly as many bytes back and writes them to stdout.
 * At end of input it half-closes the connection, waits for the server
 * to close its side, and exits 0.
 *
 * Exit status: 2 for a usage error; 1 if it cannot connect, if the
 * server goes away before every echo came back, or after any other error.
 *
 * This starter compiles and runs, but connects nowhere yet: the argument
 * parsing and the line loop are given, the TODOs are yours.
 */

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "io.h"

static noreturn void usage(void)
{
	fputs("usage: echo_client HOST PORT\n", stderr);
	exit(2);
}

/* Stands in for code not written yet. Remove it when you are done. */
static noreturn void todo(const char *what)
{
	fprintf(stderr, "echo_client: %s is not written yet\n", what);
	exit(1);
}

static noreturn void server_gone(void)
{
	fputs("echo_client: server closed the connection early\n", stderr);
	exit(1);
}

/*
 * A socket call failed. EPIPE (we wrote after the server closed),
 * ECONNRESET (the server reset the connection) and ENOTCONN (shutdown
 * after a reset) all mean the server went away.
 */
static noreturn void socket_failed(const char *what)
{
	if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
		server_gone();
	fprintf(stderr, "echo_client: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A socket connected to host:port, or -1 after reporting an error. */
static int connect_to(const char *host, const char *port)
{
	/*
	 * TODO:
	 *  - getaddrinfo(host, port, &hints, &addrs) with hints.ai_family
	 *    AF_INET and hints.ai_socktype SOCK_STREAM (memset the rest to
	 *    0). It returns an error code: report gai_strerror() of it;
	 *  - for each address in the list: socket(), then connect(); stop
	 *    at the first that connects, close the socket of each that
	 *    does not;
	 *  - freeaddrinfo();
	 *  - when none connects, print "echo_client: connect: " and
	 *    strerror() of connect()'s errno ("Connection refused").
	 */
	(void)host;
	(void)port;
	todo("connect_to()");
}

/*
 * Send one line and print its echo. The echo is read back into the
 * line's own buffer: the line has been sent, the buffer is free.
 * The echo may arrive in any number of pieces; read_exactly waits for
 * all of them, so the output is never short or out of step.
 */
static void echo_line(int fd, char *line, size_t len)
{
	ssize_t got;

	if (write_all(fd, line, len) < 0)
		socket_failed("write");
	got = read_exactly(fd, line, len);
	if (got < 0)
		socket_failed("read");
	if ((size_t)got < len)
		server_gone();
	/* write(2), not stdio: nothing waits in a buffer if we exit early. */
	if (write_all(STDOUT_FILENO, line, len) < 0) {
		perror("echo_client: write to stdout");
		exit(1);
	}
}

/* End of input: tell the server, then wait for it to close its side. */
static void finish(int fd)
{
	/*
	 * TODO:
	 *  - shutdown(fd, SHUT_WR): the server reads end of file, and we
	 *    can still read. Why not close()?
	 *  - read until read() returns 0: the server has closed. It has
	 *    echoed everything already, so any byte read now is an error
	 *    (a message, exit 1); so is a failed read (socket_failed());
	 *  - close(fd).
	 */
	(void)fd;
}

int main(int argc, char *argv[])
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int fd;

	if (argc != 3)
		usage();
	if (parse_port(argv[2]) < 0) {
		fprintf(stderr, "echo_client: invalid port: %s\n", argv[2]);
		usage();
	}

	/*
	 * TODO: writing to a server that has gone away raises SIGPIPE,
	 * which would kill us without a word. Ignore it, so that write()
	 * fails with EPIPE and socket_failed() says what happened.
	 */
	fd = connect_to(argv[1], argv[2]);
	if (fd < 0)
		return 1;

	/*
	 * getline, not fgets: lines of any length, and the length it
	 * returns counts the NUL bytes that strlen would stop at. The last
	 * line may lack its newline.
	 */
	while ((len = getline(&line, &cap, stdin)) > 0)
		echo_line(fd, line, (size_t)len);
	if (ferror(stdin)) {
		perror("echo_client: read stdin");
		return 1;
	}
	free(line);
	finish(fd);
	return 0;
}
