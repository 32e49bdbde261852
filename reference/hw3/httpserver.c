/*
 * httpserver: a small HTTP/1.0 file server and proxy, built four ways.
 *
 *     httpserver   --files DIR          [--port N]
 *     httpserver   --proxy HOST[:PORT]  [--port N]
 *     poolserver   ... --num-threads N
 *
 * With --files, answers each GET with the file at that path under DIR: a
 * regular file as is, a directory by its index.html or else by a listing
 * of links. With --proxy, relays each connection, both ways and byte for
 * byte, to HOST:PORT (port 80 by default). Every response is HTTP/1.0
 * with Content-Type and Content-Length, and ends the connection.
 *
 * The same source is compiled four times (see the Makefile); one macro
 * picks how connections are served:
 *
 *   BASICSERVER   one at a time, in the main thread;
 *   FORKSERVER    a child process per connection;
 *   THREADSERVER  a detached thread per connection;
 *   POOLSERVER    --num-threads worker threads, fed through a work queue.
 *
 * Statuses: 400 for a request that cannot be parsed, 405 for a method
 * other than GET, 403 for a path with a ".." segment, 404 for anything
 * that is not there or cannot be opened, 502 when the proxy's upstream
 * cannot be reached. The server logs nothing but its own failures.
 *
 * Exit status: 1 for a usage error or if the port cannot be set up.
 * Otherwise it runs until it is killed.
 */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "libhttp.h"
#include "wq.h"

#if defined(BASICSERVER) + defined(FORKSERVER) + defined(THREADSERVER) + \
	defined(POOLSERVER) != 1
#error "build with exactly one of -DBASICSERVER, -DFORKSERVER, -DTHREADSERVER, -DPOOLSERVER"
#endif

#define CHUNK_SIZE 65536
#define LISTEN_BACKLOG 1024
#define MAX_THREADS 1024

/* Set by main() before the first connection; only read afterwards. */
static const char *program = "httpserver";
static const char *server_files_directory;
static char *proxy_host;
static char *proxy_port;
static void (*request_handler)(int fd);

static noreturn void usage(void)
{
	fprintf(stderr,
		"usage: %s (--files DIR | --proxy HOST[:PORT]) [--port N]"
		" [--num-threads N]\n",
		program);
	exit(1);
}

/* Report the failure of a call, named what, and errno: "poolserver: bind: ...". */
static void report(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program, what, strerror(errno));
}

/* ----------------------------------------------------------- responses */

/* Status line, Content-Type, Content-Length, empty line. 0 or -1. */
static int send_headers(int fd, int status, const char *type, long long length)
{
	char value[32];

	snprintf(value, sizeof value, "%lld", length);
	if (http_start_response(fd, status) < 0 ||
	    http_send_header(fd, "Content-Type", type) < 0 ||
	    http_send_header(fd, "Content-Length", value) < 0)
		return -1;
	return http_end_headers(fd);
}

/*
 * A complete error response with a small HTML body. A write error is
 * ignored: the connection is about to be closed anyway, and a client
 * that has gone away does not need to know why.
 */
static void send_error(int fd, int status)
{
	char body[128];
	int n = snprintf(body, sizeof body,
			 "<html><body><h1>%d %s</h1></body></html>\n", status,
			 http_get_response_message(status));

	if (send_headers(fd, status, "text/html", n) == 0)
		http_send_data(fd, body, (size_t)n);
}

/* ---------------------------------------------------------------- files */

/*
 * Send what is left to read of the open file file_fd, a chunk at a time:
 * a file may be far larger than any buffer. Returns 0, or -1 if reading
 * or writing failed (then the connection must end: its Content-Length
 * can no longer be honoured).
 */
static int send_file_body(int fd, int file_fd)
{
	char buf[CHUNK_SIZE];

	for (;;) {
		ssize_t n = read(file_fd, buf, sizeof buf);

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (http_send_data(fd, buf, (size_t)n) < 0)
			return -1;
	}
}

/*
 * Serve the regular file at file_path: 200 with its type and size, then
 * its bytes. 404 if it cannot be opened (missing, or no permission) or is
 * not a regular file. The size comes from fstat() on the open descriptor,
 * so it is the size of the very file being sent.
 */
static void serve_file(int fd, const char *file_path)
{
	struct stat st;
	int file_fd = open(file_path, O_RDONLY);

	if (file_fd < 0) {
		send_error(fd, 404);
		return;
	}
	if (fstat(file_fd, &st) < 0 || !S_ISREG(st.st_mode))
		send_error(fd, 404);
	else if (send_headers(fd, 200, http_get_mime_type(file_path),
			      (long long)st.st_size) == 0)
		send_file_body(fd, file_fd);
	close(file_fd);
}

/* A growing, heap-allocated byte buffer. */
struct buffer {
	char *data;
	size_t len, cap;
};

/* Append s to b. Returns 0, or -1 if out of memory. */
static int buffer_append(struct buffer *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *data;

		while (cap < b->len + n)
			cap *= 2;
		data = realloc(b->data, cap);
		if (data == NULL)
			return -1;
		b->data = data;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	return 0;
}

/* Whether dir_path/name is a directory (following symbolic links). */
static bool entry_is_dir(const char *dir_path, const char *name)
{
	struct stat st;
	char *path = malloc(strlen(dir_path) + strlen(name) + 2);
	bool is_dir;

	if (path == NULL)
		return false;
	sprintf(path, "%s/%s", dir_path, name);
	is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	free(path);
	return is_dir;
}

/*
 * The listing of the directory at dir_path, whose URL path is url_path,
 * into b: one link per entry but ".", in alphasort() order so that the
 * page is the same every time; ".." leads to the parent (at the root, to
 * the root itself). Returns 0, or -1 if the directory cannot be read.
 */
static int build_listing(struct buffer *b, const char *dir_path,
			 const char *url_path)
{
	struct dirent **names;
	int n = scandir(dir_path, &names, NULL, alphasort);
	int failed = 0;

	if (n < 0)
		return -1;
	failed |= buffer_append(b, "<html><body>\n");
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *line;

		if (strcmp(name, ".") != 0 && !failed) {
			line = http_format_href(url_path, name,
						entry_is_dir(dir_path, name));
			failed |= line == NULL ? -1 : buffer_append(b, line);
			free(line);
		}
		free(names[i]);
	}
	free(names);
	failed |= buffer_append(b, "</body></html>\n");
	return failed ? -1 : 0;
}

/* Serve the listing of a directory without index.html. */
static void serve_listing(int fd, const char *dir_path, const char *url_path)
{
	/* The whole page first: Content-Length must be exact. */
	struct buffer b = {NULL, 0, 0};

	if (build_listing(&b, dir_path, url_path) < 0)
		send_error(fd, 404);
	else if (send_headers(fd, 200, "text/html", (long long)b.len) == 0)
		http_send_data(fd, b.data, b.len);
	free(b.data);
}

/*
 * Serve a directory, whether or not its URL ends with '/': its
 * index.html, exactly as that file would be served, or else a listing.
 */
static void serve_directory(int fd, const char *dir_path, const char *url_path)
{
	struct stat st;
	char *index = http_format_index(dir_path);

	if (index != NULL && stat(index, &st) == 0 && S_ISREG(st.st_mode))
		serve_file(fd, index);
	else
		serve_listing(fd, dir_path, url_path);
	free(index);
}

/* Whether path has a ".." segment: "/..", "/a/../b", "/a/..". */
static bool has_dotdot_segment(const char *path)
{
	for (const char *s = path; *s != '\0';) {
		size_t n = strcspn(s, "/");

		if (n == 2 && strncmp(s, "..", 2) == 0)
			return true;
		s += n;
		if (*s == '/')
			s++;
	}
	return false;
}

/*
 * The --files handler: read one request on fd and answer it. The checks
 * come in this order: 400, 405, 403, then what the path names.
 */
static void handle_files_request(int fd)
{
	struct http_request *request = http_request_parse(fd);
	char *file_path = NULL;
	struct stat st;

	if (request == NULL) {
		send_error(fd, 400);
		return;
	}
	if (strcmp(request->method, "GET") != 0) {
		send_error(fd, 405);
	} else if (has_dotdot_segment(request->path)) {
		/* Nothing outside --files may ever be served. */
		send_error(fd, 403);
	} else if ((file_path = malloc(strlen(server_files_directory) +
				       strlen(request->path) + 1)) == NULL) {
		/* Out of memory: there is nothing we can serve. */
		send_error(fd, 404);
	} else {
		/* request->path starts with '/': DIR + "/hello.txt". */
		strcpy(stpcpy(file_path, server_files_directory), request->path);
		if (stat(file_path, &st) < 0)
			send_error(fd, 404);
		else if (S_ISDIR(st.st_mode))
			serve_directory(fd, file_path, request->path);
		else if (S_ISREG(st.st_mode))
			serve_file(fd, file_path);
		else
			/* A device or a FIFO: even open() could block. */
			send_error(fd, 404);
	}
	free(file_path);
	http_request_free(request);
}

/* ---------------------------------------------------------------- proxy */

/* A connected socket to the upstream server, or -1. */
static int connect_upstream(void)
{
	struct addrinfo hints, *list, *ai;
	int fd = -1;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(proxy_host, proxy_port, &hints, &list) != 0)
		return -1;
	for (ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(list);
	return fd;
}

/*
 * One direction of a relay: bytes read from `from` wait in buf[start..end)
 * until `to` takes them. Only when they have all gone is `from` read
 * again, so a slow reader slows its writer down instead of filling memory.
 */
struct direction {
	int from, to;
	char buf[CHUNK_SIZE];
	size_t start, end;
	bool eof;	/* `from` has sent everything it will send */
};

static bool has_pending(const struct direction *d)
{
	return d->start < d->end;
}

static bool wants_read(const struct direction *d)
{
	return !d->eof && !has_pending(d);
}

/*
 * Move bytes along d as far as poll() said it could: write pending bytes
 * if `to` is ready, else read more if `from` is. Sockets are non-blocking,
 * so EAGAIN just means "not yet". Returns 0, or -1 if the connection broke.
 */
static int step(struct direction *d, short from_events, short to_events)
{
	const short ready = POLLIN | POLLOUT | POLLERR | POLLHUP;
	ssize_t n;

	if (has_pending(d)) {
		if (!(to_events & ready))
			return 0;
		n = write(d->to, d->buf + d->start, d->end - d->start);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		d->start += (size_t)n;
		return 0;
	}
	if (!wants_read(d) || !(from_events & ready))
		return 0;
	n = read(d->from, d->buf, sizeof d->buf);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	d->start = 0;
	d->end = (size_t)n;
	d->eof = n == 0;
	return 0;
}

/*
 * Relay client <-> upstream until upstream has closed and everything it
 * sent has reached the client, or either side fails. When the client is
 * done sending, upstream is told so with shutdown(SHUT_WR) and may still
 * answer. poll() watches both sockets at once, so neither direction ever
 * waits for the other.
 */
static void relay(int client, int upstream)
{
	/* 2 x 64 KiB: the heap's business more than a thread's stack. */
	struct direction *up = malloc(sizeof *up), *down = malloc(sizeof *down);
	bool upstream_shut = false;

	if (up == NULL || down == NULL)
		goto out;
	*up = (struct direction){.from = client, .to = upstream};
	*down = (struct direction){.from = upstream, .to = client};
	fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK);
	fcntl(upstream, F_SETFL, fcntl(upstream, F_GETFL) | O_NONBLOCK);

	while (!(down->eof && !has_pending(down))) {
		struct pollfd p[2] = {{.fd = client}, {.fd = upstream}};

		if (up->eof && !has_pending(up) && !upstream_shut) {
			shutdown(upstream, SHUT_WR);
			upstream_shut = true;
		}
		p[0].events = (wants_read(up) ? POLLIN : 0) |
			      (has_pending(down) ? POLLOUT : 0);
		p[1].events = (wants_read(down) ? POLLIN : 0) |
			      (has_pending(up) ? POLLOUT : 0);
		/* A socket we wait for nothing on would report POLLHUP forever. */
		for (int i = 0; i < 2; i++)
			if (p[i].events == 0)
				p[i].fd = -1;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (step(up, p[0].revents, p[1].revents) < 0 ||
		    step(down, p[1].revents, p[0].revents) < 0)
			break;
	}
out:
	free(up);
	free(down);
}

/* The --proxy handler: relay fd to the upstream server, or answer 502. */
static void handle_proxy_request(int fd)
{
	int upstream = connect_upstream();

	if (upstream < 0) {
		/*
		 * Read the request first: closing with it unread would reset
		 * the connection, and a reset can destroy the 502 in flight.
		 */
		http_request_free(http_request_parse(fd));
		send_error(fd, 502);
		return;
	}
	relay(fd, upstream);
	close(upstream);
}

/* ---------------------------------------------------------- connections */

/* Serve one connection, then close it: every mode goes through here. */
static void serve_connection(int fd)
{
	request_handler(fd);
	close(fd);
}

#ifdef THREADSERVER
/* A detached thread's body: arg is a malloc'd int holding the socket. */
static void *connection_thread(void *arg)
{
	int fd = *(int *)arg;

	free(arg);
	serve_connection(fd);
	return NULL;
}

/*
 * Serve fd in a new, detached thread: nobody joins it, and its resources
 * are freed when it returns. The descriptor travels in a malloc'd int,
 * not the address of a local: that one is reused by the next accept()
 * before the thread may have read it.
 */
static void dispatch(int fd)
{
	pthread_t thread;
	int *arg = malloc(sizeof *arg);

	if (arg == NULL) {
		close(fd);
		return;
	}
	*arg = fd;
	if (pthread_create(&thread, NULL, connection_thread, arg) != 0) {
		/* Too many threads: this client is turned away, not the next. */
		free(arg);
		close(fd);
		return;
	}
	pthread_detach(thread);
}
#endif

#ifdef POOLSERVER
static wq_t work_queue;

/* A worker: serve the connections the main thread queues, forever. */
static void *worker_thread(void *arg)
{
	(void)arg;
	for (;;)
		serve_connection(wq_pop(&work_queue));
	return NULL;
}

/*
 * Start the fixed pool of workers. There are never more: when all of them
 * are busy (or held by idle clients), new connections wait in the queue.
 */
static void init_thread_pool(int num_threads)
{
	wq_init(&work_queue);
	for (int i = 0; i < num_threads; i++) {
		pthread_t thread;

		if (pthread_create(&thread, NULL, worker_thread, NULL) != 0) {
			fprintf(stderr, "%s: cannot start the thread pool\n",
				program);
			exit(1);
		}
		pthread_detach(thread);
	}
}

static void dispatch(int fd)
{
	wq_push(&work_queue, fd);
}
#endif

#ifdef FORKSERVER
/*
 * Serve fd in a child process. The child does not need the listening
 * socket, and the parent does not need fd: each closes its copy. The
 * parent's matters most: it would leak a descriptor per connection, and
 * the client would never see the connection end.
 */
static void dispatch(int fd, int listen_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		close(listen_fd);
		serve_connection(fd);
		/* _exit: the stdio buffers copied from the parent are not ours. */
		_exit(0);
	}
	/* If fork() failed, this client is turned away, not the next. */
	close(fd);
}
#endif

#ifdef BASICSERVER
static void dispatch(int fd)
{
	serve_connection(fd);
}
#endif

/*
 * Wait for the next client. Returns its connected socket. Never gives
 * up: the server must not exit on its own.
 */
static int accept_client(int listen_fd)
{
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd >= 0)
			return fd;
		/* The client left before we got to it, or a signal came. */
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		/* Out of descriptors or memory, perhaps only for a moment. */
		report("accept");
		sleep(1);
	}
}

static noreturn void serve_forever(int listen_fd)
{
	for (;;) {
		int fd = accept_client(listen_fd);

#ifdef FORKSERVER
		dispatch(fd, listen_fd);
#else
		dispatch(fd);
#endif
	}
}

/* ------------------------------------------------------------ the setup */

/* The listening socket on 0.0.0.0:port, or -1 after reporting an error. */
static int open_listener(int port)
{
	struct sockaddr_in addr;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		report("socket");
		return -1;
	}
	/* Restart at once, even while old connections are in TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
		report("setsockopt");
		close(fd);
		return -1;
	}
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		report("bind");
		close(fd);
		return -1;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		report("listen");
		close(fd);
		return -1;
	}
	return fd;
}

/* A decimal number from min to max, or -1. */
static long parse_number(const char *s, long min, long max)
{
	char *end;
	long n;

	/* strtol alone would also take " 80", "+80" and "-1". */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	return n;
}

/*
 * Split HOST[:PORT] ("example.com", "localhost:8080", "[::1]:8080") into
 * proxy_host and proxy_port. Port 80 if none is given.
 */
static void parse_proxy(const char *arg)
{
	const char *colon;
	size_t host_len;

	if (arg[0] == '[') {
		const char *bracket = strchr(arg, ']');

		if (bracket == NULL)
			usage();
		colon = bracket[1] == ':' ? bracket + 1 : NULL;
		if (bracket[1] != '\0' && colon == NULL)
			usage();
		arg++;
		host_len = (size_t)(bracket - arg);
	} else {
		colon = strchr(arg, ':');
		host_len = colon ? (size_t)(colon - arg) : strlen(arg);
	}
	if (host_len == 0 ||
	    (colon != NULL && parse_number(colon + 1, 1, 65535) < 0))
		usage();
	proxy_host = strndup(arg, host_len);
	proxy_port = strdup(colon ? colon + 1 : "80");
	if (proxy_host == NULL || proxy_port == NULL) {
		report("strdup");
		exit(1);
	}
}

int main(int argc, char *argv[])
{
	long port = 8000, num_threads = -1;
	const char *proxy = NULL;
	struct stat st;
	int listen_fd;

	if (argc > 0 && argv[0] != NULL) {
		const char *slash = strrchr(argv[0], '/');

		program = slash ? slash + 1 : argv[0];
	}
	for (int i = 1; i < argc; i++) {
		const char *flag = argv[i], *value = argv[i + 1];

		if (value == NULL)
			usage();
		if (strcmp(flag, "--files") == 0)
			server_files_directory = value;
		else if (strcmp(flag, "--proxy") == 0)
			proxy = value;
		else if (strcmp(flag, "--port") == 0)
			port = parse_number(value, 1, 65535);
		else if (strcmp(flag, "--num-threads") == 0)
			num_threads = parse_number(value, 1, MAX_THREADS);
		else
			usage();
		/* A bad number becomes -1: as good as missing. */
		if (port < 0 || (num_threads < 0 &&
				 strcmp(flag, "--num-threads") == 0))
			usage();
		i++;
	}
	if ((server_files_directory == NULL) == (proxy == NULL))
		usage();
#ifdef POOLSERVER
	if (num_threads < 0)
		usage();
#endif

	if (proxy != NULL) {
		parse_proxy(proxy);
		request_handler = handle_proxy_request;
	} else {
		if (stat(server_files_directory, &st) < 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "%s: %s: not a directory\n", program,
				server_files_directory);
			return 1;
		}
		request_handler = handle_files_request;
	}

	/*
	 * A client that goes away mid-response would raise SIGPIPE, whose
	 * default action kills the whole server. Ignored, write() fails with
	 * EPIPE instead and only that connection ends.
	 */
	signal(SIGPIPE, SIG_IGN);
#ifdef FORKSERVER
	/* Children that exit are reaped by the kernel: no zombies pile up. */
	signal(SIGCHLD, SIG_IGN);
#endif

	listen_fd = open_listener((int)port);
	if (listen_fd < 0)
		return 1;
#ifdef POOLSERVER
	init_thread_pool((int)num_threads);
#endif
	serve_forever(listen_fd);
}
