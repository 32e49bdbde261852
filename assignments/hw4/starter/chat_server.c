/*
 * chat_server: a multi-client chat server, one process, one poll() loop.
 *
 *     chat_server PORT
 *
 * Listens on 0.0.0.0:PORT (IPv4). A client's first line is its name; every
 * later line it sends goes to every other client that has joined, as
 * "NAME: TEXT\n". Joins and departures are announced as "* NAME joined\n"
 * and "* NAME left\n". The server runs until it is killed.
 *
 * Exit status: 1 for a usage error or if the port cannot be set up.
 *
 * This starter compiles and runs: it parses its argument, listens, and
 * accepts connections, which it closes at once. The TODOs are yours, in
 * their numbered order. outq.c (a client's output queue) is given.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "outq.h"

#define NAME_MAX_LEN	32		/* bytes in a name, without the newline */
#define LINE_MAX_LEN	4096		/* bytes in a line, with its newline */
#define OUTQ_LIMIT	(4u << 20)	/* a client owed more may be disconnected */
#define BACKLOG		128

/*
 * TODO 2: what the server keeps for each client. Suggested:
 *
 *	struct client {
 *		int fd;
 *		int joined;			// its name line has arrived
 *		int leaving;			// close it at the end of this round
 *		char name[NAME_MAX_LEN + 1];
 *		char in[LINE_MAX_LEN];		// the line being assembled
 *		size_t in_len;
 *		struct outq out;		// bytes owed to it (outq.h)
 *	};
 *
 * and a growable array of them (realloc): at least 256 clients at once,
 * so no small fixed table.
 */

static noreturn void usage(void)
{
	fputs("usage: chat_server PORT\n", stderr);
	exit(1);
}

/* A TCP port number, 1 to 65535, in decimal. Returns it, or -1. */
static int parse_port(const char *s)
{
	char *end;
	long port;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	port = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || port < 1 || port > 65535)
		return -1;
	return (int)port;
}

/* The listening socket on 0.0.0.0:port, or -1 after reporting an error. */
static int open_listener(int port)
{
	struct sockaddr_in addr;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("chat_server: socket");
		return -1;
	}
	/* Restart at once on the same port, despite old connections. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
		perror("chat_server: setsockopt");
		goto fail;
	}
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((unsigned short)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		perror("chat_server: bind");
		goto fail;
	}
	if (listen(fd, BACKLOG) < 0) {
		perror("chat_server: listen");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * TODO 3: read_client(c): read() what the client sent into c->in, after
 * the bytes already there, and handle every line it completes (a line may
 * arrive in many pieces: keep the rest for the next read). Its first line
 * is its name (1 to 32 bytes, no space, no ':'); once it is whole the
 * client has joined: announce "* NAME joined\n" to the others. read()
 * returning 0 or failing (a reset) means the client left: mark it; a
 * partial line it left behind is dropped.
 *
 * TODO 4: broadcast(from, msg, len): append msg to the output queue of
 * every joined client but from, in one loop, so every client gets its
 * messages in the order the server handled them. Never write() in a way
 * that waits for a client: a client that does not read must delay nobody.
 *
 * TODO 5: flush(c): write() as much of c's queue as the socket takes now
 * (non-blocking: EAGAIN means full; a short write leaves the rest queued,
 * never dropped), and ask poll() for POLLOUT while anything is left.
 *
 * TODO 6: remove the clients that left: close() the socket, announce
 * "* NAME left\n" to the others if it had joined, free its memory. No
 * descriptor and no memory may stay behind.
 */

int main(int argc, char *argv[])
{
	int listen_fd, port;

	if (argc != 2)
		usage();
	port = parse_port(argv[1]);
	if (port < 0) {
		fprintf(stderr, "chat_server: invalid port: %s\n", argv[1]);
		usage();
	}
	/*
	 * TODO 1: ignore SIGPIPE. Writing to a client that has gone away
	 * raises it, and its default action ends the whole server: one
	 * client that resets would disconnect everyone.
	 */
	listen_fd = open_listener(port);
	if (listen_fd < 0)
		return 1;

	/*
	 * TODO 2 (continued): replace this loop by the poll() loop: make
	 * the listener and every client socket non-blocking (fcntl
	 * O_NONBLOCK), and each round poll() the listener (POLLIN: accept
	 * every waiting client) and every client (POLLIN; POLLOUT too while
	 * its queue is not empty, never otherwise: no busy loop). Handle
	 * each client's events (TODO 3, 5), then remove the ones that left
	 * (TODO 6).
	 */
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				perror("chat_server: accept");
			continue;
		}
		close(fd);	/* for now: nobody is served */
	}
}
