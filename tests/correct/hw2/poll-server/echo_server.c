/*
 * echo_server PORT: a TCP echo server.
 *
 * One process, no fork and no threads: every socket is non-blocking and
 * a single poll() loop serves them all. Each connection has its own
 * buffer holding bytes read from the client and not yet written back.
 * While that buffer is full the server stops reading from the client
 * (flow control), so a client that does not read its echoes costs at
 * most one buffer. After the client's end of file, whatever is left in
 * the buffer is written, then the connection is closed.
 */

#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)

struct client {
	char *buf;		/* bytes to echo: buf[head .. tail) */
	size_t head, tail;
	int eof;		/* the client has shut down its side */
};

/*
 * The poll set: slot 0 is the listening socket, slots 1 .. n-1 are
 * connections; clients[i] goes with fds[i].
 */
static struct pollfd *fds;
static struct client *clients;
static size_t nfds, capacity;

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

/* The client vanished (reset, broken pipe): not worth a message. */
static int client_gone(int err)
{
	return err == ECONNRESET || err == EPIPE || err == ETIMEDOUT;
}

static void add_client(int fd)
{
	if (nfds == capacity) {
		size_t cap = capacity ? capacity * 2 : 16;
		struct pollfd *f = realloc(fds, cap * sizeof *f);

		if (f != NULL)
			fds = f;
		struct client *c = realloc(clients, cap * sizeof *c);

		if (c != NULL)
			clients = c;
		if (f == NULL || c == NULL) {
			fputs("echo_server: out of memory\n", stderr);
			close(fd);
			return;
		}
		capacity = cap;
	}

	char *buf = malloc(BUF_SIZE);

	if (buf == NULL) {
		fputs("echo_server: out of memory\n", stderr);
		close(fd);
		return;
	}
	fds[nfds] = (struct pollfd){ .fd = fd, .events = POLLIN };
	clients[nfds] = (struct client){ .buf = buf };
	nfds++;
}

/* Close connection i; its slot is removed later by compact(). */
static void drop_client(size_t i)
{
	if (close(fds[i].fd) == -1)
		perror("echo_server: close");
	free(clients[i].buf);
	clients[i].buf = NULL;
	fds[i].fd = -1;
}

/* Remove the slots of closed connections, keeping the others in order. */
static void compact(void)
{
	size_t kept = 1;

	for (size_t i = 1; i < nfds; i++) {
		if (fds[i].fd == -1)
			continue;
		fds[kept] = fds[i];
		clients[kept] = clients[i];
		kept++;
	}
	nfds = kept;
}

/* Accept every connection that is waiting. */
static void accept_all(int listener)
{
	for (;;) {
		int fd = accept(listener, NULL, NULL);

		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				perror("echo_server: accept");
			return;
		}
		if (set_nonblocking(fd) == -1) {
			perror("echo_server: fcntl");
			close(fd);
			continue;
		}
		add_client(fd);
	}
}

/* Read what the client sent into the free end of its buffer. */
static void do_read(size_t i)
{
	struct client *c = &clients[i];
	ssize_t n = read(fds[i].fd, c->buf + c->tail, BUF_SIZE - c->tail);

	if (n > 0) {
		c->tail += (size_t)n;
	} else if (n == 0) {
		c->eof = 1;
	} else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
		if (!client_gone(errno))
			perror("echo_server: read");
		drop_client(i);
	}
}

/* Write as much of the pending echo as the socket takes. */
static void do_write(size_t i)
{
	struct client *c = &clients[i];
	ssize_t n = write(fds[i].fd, c->buf + c->head, c->tail - c->head);

	if (n >= 0) {
		c->head += (size_t)n;
		if (c->head == c->tail)
			c->head = c->tail = 0;	/* all sent: reuse the buffer */
	} else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
		if (!client_gone(errno))
			perror("echo_server: write");
		drop_client(i);
	}
}

/* What to wait for on connection i. */
static short wanted(size_t i)
{
	const struct client *c = &clients[i];
	short ev = 0;

	if (!c->eof && c->tail < BUF_SIZE)
		ev |= POLLIN;
	if (c->head < c->tail)
		ev |= POLLOUT;
	return ev;
}

static int open_listener(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	struct sockaddr_in addr;

	if (fd == -1) {
		perror("echo_server: socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1) {
		perror("echo_server: setsockopt");
		close(fd);
		return -1;
	}
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((unsigned short)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == -1) {
		perror("echo_server: bind");
		close(fd);
		return -1;
	}
	if (listen(fd, SOMAXCONN) == -1) {
		perror("echo_server: listen");
		close(fd);
		return -1;
	}
	if (set_nonblocking(fd) == -1) {
		perror("echo_server: fcntl");
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	int port;

	if (argc != 2 || (port = port_number(argv[1])) == -1) {
		fprintf(stderr, "usage: echo_server PORT (1 to 65535)\n");
		return 2;
	}

	/* A write to a reset connection must fail with EPIPE, not kill us. */
	struct sigaction sa = { .sa_handler = SIG_IGN };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) == -1) {
		perror("echo_server: sigaction");
		return 1;
	}

	int listener = open_listener(port);

	if (listener == -1)
		return 1;

	capacity = 16;
	fds = malloc(capacity * sizeof *fds);
	clients = malloc(capacity * sizeof *clients);
	if (fds == NULL || clients == NULL) {
		fputs("echo_server: out of memory\n", stderr);
		return 1;
	}
	fds[0] = (struct pollfd){ .fd = listener, .events = POLLIN };
	nfds = 1;

	for (;;) {
		for (size_t i = 1; i < nfds; i++)
			fds[i].events = wanted(i);

		if (poll(fds, (nfds_t)nfds, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("echo_server: poll");
			return 1;
		}

		/* Only the connections that were polled: new ones come after. */
		size_t polled = nfds;

		for (size_t i = 1; i < polled; i++) {
			short ev = fds[i].events, rev = fds[i].revents;

			if (rev == 0)
				continue;
			if (rev & POLLNVAL) {
				drop_client(i);
				continue;
			}
			/* An error or hang-up shows in the read or write itself. */
			if ((ev & POLLOUT) && (rev & (POLLOUT | POLLERR | POLLHUP)))
				do_write(i);
			if (fds[i].fd != -1 && (ev & POLLIN) &&
			    (rev & (POLLIN | POLLERR | POLLHUP)))
				do_read(i);
			/* End of file and everything echoed: done. */
			if (fds[i].fd != -1 && clients[i].eof &&
			    clients[i].head == clients[i].tail)
				drop_client(i);
		}

		if (fds[0].revents & POLLIN)
			accept_all(listener);
		else if (fds[0].revents & (POLLERR | POLLNVAL)) {
			fputs("echo_server: listening socket failed\n", stderr);
			return 1;
		}
		compact();
	}
}
