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
 * How: every socket is non-blocking and one poll() waits on all of them.
 * Each client has an input buffer where its current line is assembled
 * (a line may arrive in many pieces) and an output queue of the bytes the
 * server owes it. A message is appended to the queues of its recipients,
 * all in the same order, and written as far as each socket takes it; what
 * a socket does not take now waits in the queue until poll() says it can.
 * So a client that does not read delays nobody but itself.
 *
 * Exit status: 1 for a usage error or if the port cannot be set up.
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
#define OUTQ_LIMIT	(4u << 20)	/* a client owed more is disconnected */
#define BACKLOG		128

struct client {
	int fd;
	int joined;		/* its name line has arrived */
	int leaving;		/* closed and announced at the end of this round */
	char name[NAME_MAX_LEN + 1];
	char in[LINE_MAX_LEN];	/* the line being assembled */
	size_t in_len;
	struct outq out;	/* bytes owed to this client */
};

/* Every connected client, in the order they connected. */
static struct client **clients;
static size_t nclients, clients_cap;

/* Set when accept() ran out of descriptors: stop polling the listener. */
static int accept_paused;

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

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return 0;
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
	/* Non-blocking: accept() in a loop until nobody is left waiting. */
	if (set_nonblocking(fd) < 0) {
		perror("chat_server: fcntl");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* ------------------------------------------------------------- output */

/*
 * Write as much of c's queue as its socket takes now. A write that fails
 * (the client reset or closed) discards the queue but does not end the
 * client: read() reports its departure, after delivering whatever whole
 * lines it sent before. Without SIGPIPE ignored, such a write would kill
 * the server.
 */
static void flush(struct client *c)
{
	while (outq_len(&c->out) > 0) {
		ssize_t n = write(c->fd, c->out.buf + c->out.head,
				  outq_len(&c->out));

		if (n > 0) {
			outq_drop(&c->out, (size_t)n);	/* maybe only part */
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;		/* full: poll() says when to go on */
		} else {
			outq_free(&c->out);
			return;
		}
	}
}

/* Queue msg for c and start writing it. */
static void send_to(struct client *c, const char *msg, size_t len)
{
	/* A client that reads nothing must not make us hold unbounded data. */
	if (outq_len(&c->out) + len > OUTQ_LIMIT) {
		c->leaving = 1;
		return;
	}
	if (outq_push(&c->out, msg, len) < 0) {
		fputs("chat_server: out of memory\n", stderr);
		c->leaving = 1;
		return;
	}
	flush(c);
}

/*
 * Send msg to every joined client but from. Every message goes through
 * here, one at a time, so every client gets its messages in one order.
 */
static void broadcast(const struct client *from, const char *msg, size_t len)
{
	for (size_t i = 0; i < nclients; i++) {
		struct client *c = clients[i];

		if (c == from || !c->joined || c->leaving)
			continue;
		send_to(c, msg, len);
	}
}

/* "* NAME what\n" to everyone else. */
static void announce(const struct client *c, const char *what)
{
	char msg[NAME_MAX_LEN + 16];
	int len = snprintf(msg, sizeof msg, "* %s %s\n", c->name, what);

	broadcast(c, msg, (size_t)len);
}

/* -------------------------------------------------------------- input */

/* 1 to NAME_MAX_LEN bytes, no space and no ':'. */
static int valid_name(const char *s, size_t len)
{
	if (len < 1 || len > NAME_MAX_LEN)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == ' ' || s[i] == ':')
			return 0;
	return 1;
}

/* One whole line from c, without its newline. */
static void handle_line(struct client *c, const char *line, size_t len)
{
	char msg[NAME_MAX_LEN + 2 + LINE_MAX_LEN];
	size_t name_len;

	if (!c->joined) {
		if (!valid_name(line, len)) {
			c->leaving = 1;		/* never joined: not announced */
			return;
		}
		memcpy(c->name, line, len);
		c->name[len] = '\0';
		c->joined = 1;
		announce(c, "joined");
		return;
	}
	/* "NAME: TEXT\n" */
	name_len = strlen(c->name);

	memcpy(msg, c->name, name_len);
	memcpy(msg + name_len, ": ", 2);
	memcpy(msg + name_len + 2, line, len);
	msg[name_len + 2 + len] = '\n';
	broadcast(c, msg, name_len + 2 + len + 1);
}

/*
 * Read what c sent and handle every line it completes. The rest of the
 * bytes, a line not yet whole, stays in c->in for the next read.
 */
static void read_client(struct client *c)
{
	ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
	size_t start = 0;
	char *nl;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		/* End of file, reset or error: a partial line is dropped. */
		c->leaving = 1;
		return;
	}
	c->in_len += (size_t)n;
	while ((nl = memchr(c->in + start, '\n', c->in_len - start)) != NULL) {
		size_t len = (size_t)(nl - (c->in + start));

		handle_line(c, c->in + start, len);
		start += len + 1;
		if (c->leaving)
			return;
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (c->in_len == sizeof c->in)
		c->leaving = 1;		/* a line longer than allowed */
}

/* ------------------------------------------------------------ clients */

static void add_client(int fd)
{
	struct client *c;

	if (nclients == clients_cap) {
		size_t cap = clients_cap ? 2 * clients_cap : 64;
		struct client **grown = realloc(clients, cap * sizeof *grown);

		if (grown == NULL) {
			fputs("chat_server: out of memory\n", stderr);
			close(fd);
			return;
		}
		clients = grown;
		clients_cap = cap;
	}
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		fputs("chat_server: out of memory\n", stderr);
		close(fd);
		return;
	}
	c->fd = fd;
	clients[nclients++] = c;
}

/* Take every connection waiting on the listener. */
static void accept_clients(int listen_fd)
{
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				/* Wait until a client leaves and frees one. */
				perror("chat_server: accept");
				accept_paused = 1;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				perror("chat_server: accept");
			}
			return;
		}
		if (set_nonblocking(fd) < 0) {
			perror("chat_server: fcntl");
			close(fd);
			continue;
		}
		add_client(fd);
	}
}

/*
 * Close and forget every client marked leaving, announcing those that had
 * joined. An announcement can mark another client leaving (its queue is
 * full), hence the scan starts again after each one.
 */
static void remove_leaving(void)
{
	size_t i = 0;

	while (i < nclients) {
		struct client *c = clients[i];

		if (!c->leaving) {
			i++;
			continue;
		}
		/* Keep the others in the order they connected. */
		memmove(&clients[i], &clients[i + 1],
			(nclients - i - 1) * sizeof *clients);
		nclients--;
		if (close(c->fd) < 0)
			perror("chat_server: close");
		accept_paused = 0;
		if (c->joined)
			announce(c, "left");
		outq_free(&c->out);
		free(c);
		i = 0;
	}
}

/* ---------------------------------------------------------------- main */

int main(int argc, char *argv[])
{
	struct pollfd *pfds = NULL;
	size_t pfds_cap = 0;
	int listen_fd, port;

	if (argc != 2)
		usage();
	port = parse_port(argv[1]);
	if (port < 0) {
		fprintf(stderr, "chat_server: invalid port: %s\n", argv[1]);
		usage();
	}
	/*
	 * Writing to a client that has gone away raises SIGPIPE, whose
	 * default action ends the whole server. Ignored, write() fails with
	 * EPIPE instead and only that client is affected.
	 */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		perror("chat_server: signal");
		return 1;
	}
	listen_fd = open_listener(port);
	if (listen_fd < 0)
		return 1;

	for (;;) {
		size_t n = nclients;	/* clients accepted below wait a round */

		if (pfds_cap < n + 1) {
			struct pollfd *grown = realloc(pfds, 2 * (n + 1) * sizeof *grown);

			if (grown == NULL) {
				fputs("chat_server: out of memory\n", stderr);
				return 1;
			}
			pfds = grown;
			pfds_cap = 2 * (n + 1);
		}
		pfds[0].fd = accept_paused ? -1 : listen_fd;
		pfds[0].events = POLLIN;
		for (size_t i = 0; i < n; i++) {
			pfds[i + 1].fd = clients[i]->fd;
			/* POLLOUT only while something waits: no busy loop. */
			pfds[i + 1].events = POLLIN;
			if (outq_len(&clients[i]->out) > 0)
				pfds[i + 1].events |= POLLOUT;
		}
		if (poll(pfds, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("chat_server: poll");
			return 1;
		}
		/* Nobody is removed before the round ends: indices hold. */
		for (size_t i = 0; i < n; i++) {
			struct client *c = clients[i];
			short re = pfds[i + 1].revents;

			if (c->leaving)
				continue;
			if (re & POLLOUT)
				flush(c);
			if (re & (POLLIN | POLLHUP | POLLERR))
				read_client(c);
		}
		if (pfds[0].revents & POLLIN)
			accept_clients(listen_fd);
		remove_leaving();
	}
}
