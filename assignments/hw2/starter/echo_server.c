/*
 * echo_server: a TCP echo server, one child process per connection.
 *
 *     echo_server PORT
 *
 * Listens on 0.0.0.0:PORT (IPv4) and sends every byte it receives on a
 * connection back on that connection, in order, until the client closes
 * its side; then it closes the connection. Each connection is served by
 * a child process of its own, so a slow or idle client never holds up
 * the others. The server runs until it is killed, and prints nothing.
 *
 * Exit status: 2 for a usage error, 1 if the port cannot be set up.
 *
 * This starter compiles and runs, but opens no socket yet: the argument
 * parsing and the echo loop are given, the TODOs are yours.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"

#define BUF_SIZE 65536

static noreturn void usage(void)
{
	fputs("usage: echo_server PORT\n", stderr);
	exit(2);
}

/* Stands in for code not written yet. Remove it when you are done. */
static noreturn void todo(const char *what)
{
	fprintf(stderr, "echo_server: %s is not written yet\n", what);
	exit(1);
}

/* ------------------------------------------------------------- signals */

/* Returns 0, or -1 after reporting an error. */
static int setup_signals(void)
{
	/*
	 * TODO:
	 *  - Writing to a client that has gone away raises SIGPIPE, and its
	 *    default action kills the writer. Ignore it (before the first
	 *    fork, so that the children inherit it): write() then fails
	 *    with EPIPE, and echo_connection() ends just that connection.
	 *  - Every child that exits stays a zombie until it is waited for.
	 *    Install a SIGCHLD handler with sigaction() (sa_flags
	 *    SA_RESTART) that reaps with waitpid(-1, NULL, WNOHANG) in a
	 *    loop. Why a loop? Why WNOHANG? Save and restore errno in it.
	 */
	return 0;
}

/* ------------------------------------------------------------- sockets */

/* The listening socket on 0.0.0.0:port, or -1 after reporting an error. */
static int open_listener(int port)
{
	/*
	 * TODO:
	 *  - socket(AF_INET, SOCK_STREAM, 0);
	 *  - setsockopt() SO_REUSEADDR to 1, so that the server can be
	 *    restarted at once on the same port;
	 *  - bind() to a struct sockaddr_in: sin_family AF_INET, sin_addr
	 *    htonl(INADDR_ANY), sin_port htons(port). On failure (the port
	 *    is taken), perror("echo_server: bind") and return -1;
	 *  - listen().
	 * Check every call; on failure close the socket and return -1.
	 */
	(void)port;
	todo("open_listener()");
}

/*
 * Wait for the next client. Returns its connected socket. Never gives
 * up: the server must not exit on its own.
 */
static int accept_client(int listen_fd)
{
	/*
	 * TODO: accept(listen_fd, NULL, NULL). It fails with EINTR when a
	 * SIGCHLD arrives, and with ECONNABORTED when the client left
	 * before we got to it: just try again. Any other failure: report
	 * it, wait a moment (sleep(1)) and try again.
	 */
	(void)listen_fd;
	todo("accept_client()");
}

/* ---------------------------------------------------------- one client */

/*
 * Send back everything the client sends, until it closes its side.
 * Returns 0 at end of file, -1 after an error. A client that vanished
 * (EPIPE, ECONNRESET) ends its connection like end of file would, so it
 * is not reported.
 */
static int echo_connection(int fd)
{
	char buf[BUF_SIZE];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECONNRESET)
				perror("echo_server: read");
			return -1;
		}
		/* A write may take only part of the buffer: write_all loops. */
		if (write_all(fd, buf, (size_t)n) < 0) {
			if (errno != EPIPE && errno != ECONNRESET)
				perror("echo_server: write");
			return -1;
		}
	}
}

/*
 * Serve the client on conn until it is done, then close conn: the
 * connection ends when its last descriptor is closed. Returns 0, or -1
 * after an error (reported).
 */
static int serve_connection(int conn)
{
	int failed = echo_connection(conn) < 0;

	if (close(conn) < 0) {
		perror("echo_server: close");
		failed = 1;
	}
	return failed ? -1 : 0;
}

int main(int argc, char *argv[])
{
	int port, listen_fd;

	if (argc != 2)
		usage();
	port = parse_port(argv[1]);
	if (port < 0) {
		fprintf(stderr, "echo_server: invalid port: %s\n", argv[1]);
		usage();
	}
	if (setup_signals() < 0)
		return 1;
	listen_fd = open_listener(port);
	if (listen_fd < 0)
		return 1;

	for (;;) {
		int conn = accept_client(listen_fd);

		/*
		 * TODO (the last step): serve each client in a child process
		 * of its own, so that the next one need not wait:
		 *  - fork(); if it fails, report it, close conn and go on with
		 *    the next client;
		 *  - the child closes listen_fd first: the listening socket is
		 *    the parent's business, and a child holding a copy would
		 *    keep the port open after the server itself is stopped. It
		 *    then calls serve_connection(conn) and leaves with _exit()
		 *    (status 1 if that failed): the stdio buffers it copied from
		 *    the parent are not its own to flush;
		 *  - the parent closes conn (why must it? two reasons) and
		 *    accepts the next client.
		 * As written, the server serves its clients one at a time: the
		 * next client waits until this one is done.
		 */
		serve_connection(conn);
	}
}
