/*
 * echo_client HOST PORT < input: send stdin to an echo server one line at
 * a time and print each line's echo.
 *
 * The socket is made non-blocking once connected, and each line is
 * carried by a small poll() loop that writes the line and reads its echo
 * back at the same time: the client waits until exactly as many bytes
 * came back as the line has, so even a line longer than what the socket
 * buffers hold cannot dead-lock with the server. At end of input the
 * client half-closes and waits for the server to close.
 */

#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

static const char *prog = "echo_client";

static void fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static void closed_early(void)
{
	fprintf(stderr, "%s: server closed the connection early\n", prog);
	exit(1);
}

/* Resolve host:port (IPv4, TCP) and connect to the first that accepts. */
static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { 0 };
	struct addrinfo *res, *ai;
	int sock = -1, last_err = 0;

	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	int gai = getaddrinfo(host, port, &hints, &res);

	if (gai != 0) {
		fprintf(stderr, "%s: getaddrinfo: %s: %s\n", prog, host,
			gai_strerror(gai));
		exit(1);
	}
	for (ai = res; ai != NULL && sock < 0; ai = ai->ai_next) {
		sock = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (sock < 0) {
			last_err = errno;
		} else if (connect(sock, ai->ai_addr, ai->ai_addrlen) < 0) {
			last_err = errno;
			close(sock);
			sock = -1;
		}
	}
	freeaddrinfo(res);
	if (sock < 0) {
		errno = last_err;
		fail("connect");
	}
	return sock;
}

/*
 * Send line[0..len) on sock and read exactly len bytes of echo into echo.
 * Exits with a message if the server goes away first.
 */
static void exchange(int sock, const char *line, char *echo, size_t len)
{
	size_t sent = 0, got = 0;

	while (got < len) {
		struct pollfd p = { .fd = sock, .events = POLLIN };

		if (sent < len)
			p.events |= POLLOUT;
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fail("poll");
		}

		if (sent < len && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t n = write(sock, line + sent, len - sent);

			if (n >= 0)
				sent += (size_t)n;
			else if (errno == EPIPE || errno == ECONNRESET)
				closed_early();
			else if (errno != EAGAIN && errno != EWOULDBLOCK &&
				 errno != EINTR)
				fail("write");
		}
		if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
			ssize_t n = read(sock, echo + got, len - got);

			if (n > 0)
				got += (size_t)n;
			else if (n == 0 || errno == ECONNRESET)
				closed_early();
			else if (errno != EAGAIN && errno != EWOULDBLOCK &&
				 errno != EINTR)
				fail("read");
		}
	}
}

/* After the half-close: nothing more may arrive before the server closes. */
static void wait_for_close(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	char byte;

	for (;;) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fail("poll");
		}
		ssize_t n = read(sock, &byte, 1);

		if (n == 0)
			return;
		if (n > 0) {
			fprintf(stderr, "%s: more data than was sent\n", prog);
			exit(1);
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			fail("read");
	}
}

int main(int argc, char *argv[])
{
	unsigned short port;

	if (argc != 3 || read_port(argv[2], &port) < 0) {
		fprintf(stderr, "%s: usage: echo_client HOST PORT\n", prog);
		return 2;
	}
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fail("signal");

	int sock = connect_to(argv[1], argv[2]);
	int flags = fcntl(sock, F_GETFL);

	if (flags < 0 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) < 0)
		fail("fcntl");

	char *line = NULL, *echo = NULL;
	size_t line_size = 0, echo_size = 0;
	ssize_t len;

	while ((len = getline(&line, &line_size, stdin)) > 0) {
		if ((size_t)len > echo_size) {
			char *bigger = realloc(echo, (size_t)len);

			if (bigger == NULL) {
				fprintf(stderr, "%s: out of memory\n", prog);
				return 1;
			}
			echo = bigger;
			echo_size = (size_t)len;
		}
		exchange(sock, line, echo, (size_t)len);
		if (write_all(STDOUT_FILENO, echo, (size_t)len) < 0)
			fail("write to stdout");
	}
	if (ferror(stdin))
		fail("read stdin");

	if (shutdown(sock, SHUT_WR) < 0)
		fail("shutdown");
	wait_for_close(sock);
	if (close(sock) < 0)
		fail("close");
	free(line);
	free(echo);
	return 0;
}
