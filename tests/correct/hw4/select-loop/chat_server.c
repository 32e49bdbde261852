/*
 * chat_server PORT: a single-threaded chat server around select().
 *
 * Clients are kept in a table indexed by descriptor. A message is built
 * once, reference-counted, and every recipient's queue holds a pointer to
 * it plus how much of the head message it has already sent; the server
 * writes only when select() says a socket can take more. Input goes into
 * a growable buffer consumed from a moving start offset.
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_NAME	32
#define MAX_LINE	4096			/* with the newline */
#define MAX_OWED	((size_t)8 << 20)	/* a client owed more is dropped */

struct msg {
	size_t refs, len;
	char data[];
};

struct node {
	struct msg *m;
	struct node *next;
};

struct client {
	char name[MAX_NAME + 1];	/* empty until joined */
	char *in;			/* received bytes: in[start..end) */
	size_t start, end, cap;
	struct node *head, *tail;	/* messages owed, oldest first */
	size_t sent;			/* bytes of head->m already sent */
	size_t owed;
	int write_failed;		/* peer gone: stop writing, keep reading */
	int drop;			/* close at the end of this pass */
};

static struct client *table[FD_SETSIZE];
static int max_fd = -1;

static void msg_unref(struct msg *m)
{
	if (--m->refs == 0)
		free(m);
}

static void clear_queue(struct client *c)
{
	while (c->head != NULL) {
		struct node *n = c->head;

		c->head = n->next;
		msg_unref(n->m);
		free(n);
	}
	c->tail = NULL;
	c->sent = c->owed = 0;
}

/* Queue m for every joined client other than the one on fd except. */
static void deliver(struct msg *m, int except)
{
	m->refs++;			/* held while we loop */
	for (int fd = 0; fd <= max_fd; fd++) {
		struct client *c = table[fd];
		struct node *n;

		if (c == NULL || fd == except || c->name[0] == '\0' || c->drop ||
		    c->write_failed)
			continue;
		if (c->owed + m->len > MAX_OWED) {
			c->drop = 1;
			continue;
		}
		n = malloc(sizeof *n);
		if (n == NULL) {
			c->drop = 1;
			continue;
		}
		n->m = m;
		n->next = NULL;
		m->refs++;
		if (c->tail)
			c->tail->next = n;
		else
			c->head = n;
		c->tail = n;
		c->owed += m->len;
	}
	msg_unref(m);
}

/* An announcement built from fmt, "%.*s" then "%s". */
static void say(int except, const char *fmt, size_t alen, const char *a, const char *b)
{
	size_t cap = MAX_NAME + MAX_LINE + 32;
	struct msg *m = malloc(sizeof *m + cap);
	int n;

	if (m == NULL)
		return;
	n = snprintf(m->data, cap, fmt, (int)alen, a, b);
	m->len = (size_t)n;
	m->refs = 0;
	deliver(m, except);
}

static void drop_client(int fd)
{
	struct client *c = table[fd];

	table[fd] = NULL;
	close(fd);
	if (c->name[0] != '\0')
		say(fd, "* %.*s %s\n", strlen(c->name), c->name, "left");
	clear_queue(c);
	free(c->in);
	free(c);
	while (max_fd >= 0 && table[max_fd] == NULL)
		max_fd--;
}

static void handle_line(int fd, struct client *c, char *line, size_t len)
{
	if (c->name[0] == '\0') {
		if (len == 0 || len > MAX_NAME || memchr(line, ' ', len) ||
		    memchr(line, ':', len)) {
			c->drop = 1;
			return;
		}
		memcpy(c->name, line, len);
		c->name[len] = '\0';
		say(fd, "* %.*s %s\n", len, line, "joined");
	} else {
		/* "%.*s" stops at a NUL byte: copy the text by hand instead. */
		size_t nl = strlen(c->name);
		struct msg *m = malloc(sizeof *m + nl + 2 + len + 1);

		if (m == NULL)
			return;
		memcpy(m->data, c->name, nl);
		memcpy(m->data + nl, ": ", 2);
		memcpy(m->data + nl + 2, line, len);
		m->data[nl + 2 + len] = '\n';
		m->len = nl + 2 + len + 1;
		m->refs = 0;
		deliver(m, fd);
	}
}

static void on_readable(int fd, struct client *c)
{
	ssize_t n;

	if (c->cap - c->end < 1024) {
		/* Move the unread bytes to the front, grow if still short. */
		memmove(c->in, c->in + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
		if (c->cap - c->end < 1024) {
			char *p = realloc(c->in, c->cap * 2);

			if (p == NULL) {
				c->drop = 1;
				return;
			}
			c->in = p;
			c->cap *= 2;
		}
	}
	n = recv(fd, c->in + c->end, c->cap - c->end, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		c->drop = 1;
		return;
	}
	c->end += (size_t)n;
	for (;;) {
		char *s = c->in + c->start;
		char *nl = memchr(s, '\n', c->end - c->start);

		if (nl == NULL)
			break;
		c->start += (size_t)(nl - s) + 1;
		handle_line(fd, c, s, (size_t)(nl - s));
		if (c->drop)
			return;
	}
	if (c->end - c->start >= MAX_LINE)
		c->drop = 1;	/* no newline within the longest line allowed */
}

static void on_writable(int fd, struct client *c)
{
	while (c->head != NULL) {
		struct msg *m = c->head->m;
		ssize_t n = send(fd, m->data + c->sent, m->len - c->sent, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				c->write_failed = 1;
				clear_queue(c);
			}
			return;
		}
		c->sent += (size_t)n;
		c->owed -= (size_t)n;
		if (c->sent < m->len)
			return;		/* short write: the rest next time */
		struct node *done = c->head;

		c->head = done->next;
		if (c->head == NULL)
			c->tail = NULL;
		c->sent = 0;
		msg_unref(done->m);
		free(done);
	}
}

int main(int argc, char *argv[])
{
	struct sigaction ign;
	struct sockaddr_in sa;
	int lfd, on = 1, port = 0;
	char extra;

	if (argc != 2 || sscanf(argv[1], "%d%c", &port, &extra) != 1 ||
	    argv[1][0] < '0' || argv[1][0] > '9' || port < 1 || port > 65535) {
		fputs("chat_server: usage: chat_server PORT\n", stderr);
		exit(1);
	}
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, NULL);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0) {
		perror("socket");
		exit(1);
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 256) < 0) {
		perror("bind/listen");
		exit(1);
	}

	for (;;) {
		fd_set rd, wr;
		int top = lfd;

		FD_ZERO(&rd);
		FD_ZERO(&wr);
		FD_SET(lfd, &rd);
		for (int fd = 0; fd <= max_fd; fd++) {
			if (table[fd] == NULL)
				continue;
			FD_SET(fd, &rd);
			if (table[fd]->head != NULL)
				FD_SET(fd, &wr);
			if (fd > top)
				top = fd;
		}
		if (select(top + 1, &rd, &wr, NULL, NULL) < 0) {
			if (errno == EINTR)
				continue;
			perror("select");
			exit(1);
		}
		for (int fd = 0; fd <= max_fd; fd++) {
			struct client *c = table[fd];

			if (c == NULL)
				continue;
			if (FD_ISSET(fd, &wr) && !c->drop)
				on_writable(fd, c);
			if (FD_ISSET(fd, &rd) && !c->drop)
				on_readable(fd, c);
		}
		/* Announcing one departure may mark others: until none is left. */
		for (int again = 1; again;) {
			again = 0;
			for (int fd = 0; fd <= max_fd; fd++)
				if (table[fd] != NULL && table[fd]->drop) {
					drop_client(fd);
					again = 1;
				}
		}
		if (FD_ISSET(lfd, &rd)) {
			int cfd = accept(lfd, NULL, NULL);

			if (cfd < 0)
				continue;
			if (cfd >= FD_SETSIZE) {
				close(cfd);	/* select() cannot watch it */
				continue;
			}
			fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK);
			table[cfd] = calloc(1, sizeof *table[cfd]);
			if (table[cfd] == NULL || (table[cfd]->in = malloc(8192)) == NULL) {
				free(table[cfd]);
				table[cfd] = NULL;
				close(cfd);
				continue;
			}
			table[cfd]->cap = 8192;
			if (cfd > max_fd)
				max_fd = cfd;
		}
	}
}
