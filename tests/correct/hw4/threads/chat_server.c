/*
 * chat_server PORT: a chat server with two threads per client.
 *
 * The main thread accepts. Each client gets a reader thread, which
 * assembles its lines and broadcasts them, and a writer thread, which
 * sends what is queued for it with blocking send(MSG_NOSIGNAL) calls. One
 * mutex guards the list of joined clients and every queue: a broadcast
 * appends to all the queues while holding it, so all clients see one
 * order. A client that does not read blocks only its own writer.
 */

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { NAME_MAX_LEN = 32, LINE_MAX_LEN = 4096 };
#define QUEUE_LIMIT ((size_t)16 << 20)	/* owed more than this: dropped */

struct client {
	int fd;
	char name[NAME_MAX_LEN + 1];
	int closing;		/* reader is done: the writer must stop */
	int dropped;		/* send failed or queue overflowed */
	char *queue;		/* bytes owed to this client */
	size_t queued, queue_cap;
	pthread_cond_t wake;	/* signalled when queue or closing changes */
	pthread_t writer;
	struct client *next;	/* in the list of joined clients */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct client *joined;	/* guarded by lock */
static pthread_attr_t small_stack;

/* Queue len bytes for c. Called with lock held. */
static void enqueue(struct client *c, const char *msg, size_t len)
{
	if (c->dropped)
		return;
	if (c->queued + len > QUEUE_LIMIT) {
		/* Too far behind: make its reader see end of file. */
		c->dropped = 1;
		shutdown(c->fd, SHUT_RDWR);
		return;
	}
	if (c->queued + len > c->queue_cap) {
		size_t cap = c->queue_cap ? c->queue_cap : 8192;
		char *q;

		while (cap < c->queued + len)
			cap *= 2;
		q = realloc(c->queue, cap);
		if (q == NULL) {
			c->dropped = 1;
			shutdown(c->fd, SHUT_RDWR);
			return;
		}
		c->queue = q;
		c->queue_cap = cap;
	}
	memcpy(c->queue + c->queued, msg, len);
	c->queued += len;
	pthread_cond_signal(&c->wake);
}

/* To every joined client except from. Called with lock held. */
static void broadcast(const struct client *from, const char *msg, size_t len)
{
	for (struct client *c = joined; c != NULL; c = c->next)
		if (c != from)
			enqueue(c, msg, len);
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends whatever is queued, taking the whole queue at a time. */
static void *writer_main(void *arg)
{
	struct client *c = arg;

	pthread_mutex_lock(&lock);
	for (;;) {
		char *buf;
		size_t len;

		while (c->queued == 0 && !c->closing)
			pthread_cond_wait(&c->wake, &lock);
		if (c->closing)
			break;
		buf = c->queue;
		len = c->queued;
		c->queue = NULL;
		c->queued = c->queue_cap = 0;
		pthread_mutex_unlock(&lock);
		/*
		 * A failed send (the client reset) stops the writing; the
		 * reader still gets what the client sent before, then the
		 * error, and announces the departure.
		 */
		int failed = send_all(c->fd, buf, len) < 0;

		free(buf);
		pthread_mutex_lock(&lock);
		if (failed)
			c->dropped = 1;
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

static int valid_name(const char *s, size_t len)
{
	return len >= 1 && len <= NAME_MAX_LEN && memchr(s, ' ', len) == NULL &&
	       memchr(s, ':', len) == NULL;
}

/* One whole line (no newline). Returns 0, or -1 to end the client. */
static int on_line(struct client *c, int *is_joined, const char *line, size_t len)
{
	char msg[NAME_MAX_LEN + 2 + LINE_MAX_LEN + 16];
	int n;

	if (!*is_joined) {
		if (!valid_name(line, len))
			return -1;
		memcpy(c->name, line, len);
		c->name[len] = '\0';
		n = snprintf(msg, sizeof msg, "* %s joined\n", c->name);
		pthread_mutex_lock(&lock);
		broadcast(c, msg, (size_t)n);
		c->next = joined;
		joined = c;
		pthread_mutex_unlock(&lock);
		*is_joined = 1;
		return 0;
	}
	/* By hand, not "%.*s", which would stop at a NUL byte in the text. */
	size_t nl = strlen(c->name);

	memcpy(msg, c->name, nl);
	memcpy(msg + nl, ": ", 2);
	memcpy(msg + nl + 2, line, len);
	msg[nl + 2 + len] = '\n';
	pthread_mutex_lock(&lock);
	broadcast(c, msg, nl + 2 + len + 1);
	pthread_mutex_unlock(&lock);
	return 0;
}

/* Reads lines until the client goes; then cleans up everything. */
static void *reader_main(void *arg)
{
	struct client *c = arg;
	char line[LINE_MAX_LEN];
	size_t have = 0;
	int is_joined = 0, writer_started;

	writer_started = pthread_create(&c->writer, &small_stack, writer_main, c) == 0;
	while (writer_started) {
		char chunk[4096];
		ssize_t n = recv(c->fd, chunk, sizeof chunk, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* Append byte runs to the line; each newline completes one. */
		char *p = chunk, *end = chunk + n;
		int bad = 0;

		while (p < end && !bad) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t take = (size_t)((nl ? nl : end) - p);

			if (have + take > LINE_MAX_LEN - 1) {
				bad = 1;	/* longer than allowed */
				break;
			}
			memcpy(line + have, p, take);
			have += take;
			p += take;
			if (nl) {
				bad = on_line(c, &is_joined, line, have) < 0;
				have = 0;
				p++;
			}
		}
		if (bad)
			break;
	}

	/* Out of the list first: nothing more is queued for it. */
	pthread_mutex_lock(&lock);
	if (is_joined)
		for (struct client **pp = &joined; *pp != NULL; pp = &(*pp)->next)
			if (*pp == c) {
				*pp = c->next;
				break;
			}
	c->closing = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&lock);
	/* A writer blocked on a client that stopped reading wakes up too. */
	shutdown(c->fd, SHUT_RDWR);
	if (writer_started)
		pthread_join(c->writer, NULL);
	close(c->fd);
	/* Announced last, once nothing of the client is left but this. */
	if (is_joined) {
		char msg[NAME_MAX_LEN + 16];
		int n = snprintf(msg, sizeof msg, "* %s left\n", c->name);

		pthread_mutex_lock(&lock);
		broadcast(c, msg, (size_t)n);
		pthread_mutex_unlock(&lock);
	}
	pthread_cond_destroy(&c->wake);
	free(c->queue);
	free(c);
	return NULL;
}

int main(int argc, char **argv)
{
	char *end;
	unsigned long port = 0;
	struct sockaddr_in addr = { 0 };
	int one = 1, lfd;

	if (argc == 2 && argv[1][0] >= '0' && argv[1][0] <= '9')
		port = strtoul(argv[1], &end, 10);
	if (argc != 2 || port < 1 || port > 65535 || *end != '\0') {
		fprintf(stderr, "usage: %s PORT (1..65535)\n", argv[0]);
		return 1;
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((unsigned short)port);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(lfd, SOMAXCONN) < 0) {
		perror("chat_server");
		return 1;
	}
	pthread_attr_init(&small_stack);
	pthread_attr_setstacksize(&small_stack, 256 * 1024);
	pthread_attr_setdetachstate(&small_stack, PTHREAD_CREATE_JOINABLE);

	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		pthread_attr_t detached;
		pthread_t reader;
		struct client *c;

		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				perror("chat_server: accept");
			if (errno == EMFILE || errno == ENFILE)
				sleep(1);	/* wait for someone to leave */
			continue;
		}
		c = calloc(1, sizeof *c);
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		pthread_cond_init(&c->wake, NULL);
		pthread_attr_init(&detached);
		pthread_attr_setstacksize(&detached, 256 * 1024);
		pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&reader, &detached, reader_main, c) != 0) {
			pthread_cond_destroy(&c->wake);
			free(c);
			close(fd);
		}
		pthread_attr_destroy(&detached);
	}
}
