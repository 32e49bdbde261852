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
 * Exit status: 1 for a usage error or if the port cannot be set up.
 * Otherwise it runs until it is killed.
 *
 * This starter compiles and runs: it parses its arguments, listens, and
 * answers every connection with 501 Not Implemented, one at a time. The
 * argument parsing, the listening socket, the accept loop and libhttp
 * are given; each TODO is yours. "(step N)" is the handout's numbered
 * step that writes it: done in that order, each step earns points.
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

/*
 * A complete error response with a small HTML body: every response, an
 * error too, has a Content-Type and an exact Content-Length. A write
 * error is ignored: the connection is about to be closed anyway.
 */
static void send_error(int fd, int status)
{
	char body[128], length[32];
	int n = snprintf(body, sizeof body,
			 "<html><body><h1>%d %s</h1></body></html>\n", status,
			 http_get_response_message(status));

	snprintf(length, sizeof length, "%d", n);
	if (http_start_response(fd, status) < 0 ||
	    http_send_header(fd, "Content-Type", "text/html") < 0 ||
	    http_send_header(fd, "Content-Length", length) < 0 ||
	    http_end_headers(fd) < 0)
		return;
	http_send_data(fd, body, (size_t)n);
}

/* ---------------------------------------------------------------- files */

/*
 * The --files handler: read one request on fd and answer it. Do not close
 * fd: serve_connection() does, once this returns.
 */
static void handle_files_request(int fd)
{
	struct http_request *request = http_request_parse(fd);

	/*
	 * TODO (step 1): answer the request. In this order:
	 *  - request == NULL: 400 (the client may be gone already: then the
	 *    write fails, and that is fine);
	 *  - a method other than "GET": 405;
	 *  - a path with a ".." segment ("/../x", "/a/../b", "/a/.."): 403.
	 *    Nothing outside server_files_directory may ever be served;
	 *  - the file is server_files_directory + request->path (the path
	 *    starts with '/' and is percent-decoded already). stat() it:
	 *      - missing, or neither a file nor a directory: 404;
	 *      - a regular file: 200, Content-Type from http_get_mime_type(),
	 *        Content-Length its size (fstat() the open descriptor), then
	 *        its bytes, CHUNK_SIZE at a time with read() and
	 *        http_send_data() (files may be far larger than any buffer).
	 *        A file you cannot open: 404. Close it when done;
	 *      - a directory: 501 until step 2.
	 *  - Stop at the first write that fails (the client went away).
	 *  - Free what you allocated: the request (http_request_free()), the
	 *    path, the strings from libhttp.
	 *
	 * TODO (step 2): a directory, with or without a trailing '/': if it
	 * holds an index.html (http_format_index()), serve that file exactly
	 * as above; otherwise 200 text/html, a listing: one http_format_href()
	 * line per entry but "." (".." included), in scandir(..., alphasort)
	 * order. Build the whole page in a growing heap buffer first:
	 * Content-Length must be exact. Free the scandir() entries.
	 */
	http_request_free(request);
	send_error(fd, 501);
}

/* ---------------------------------------------------------------- proxy */

/*
 * The --proxy handler: relay fd to proxy_host:proxy_port. Do not close
 * fd: serve_connection() does, once this returns.
 */
static void handle_proxy_request(int fd)
{
	/*
	 * TODO (step 4):
	 *  - resolve proxy_host and proxy_port with getaddrinfo()
	 *    (ai_socktype SOCK_STREAM) and connect() to the first address
	 *    that accepts. If none does: 502, and return;
	 *  - relay both directions at once, for as long as both sides are
	 *    open: whatever the client sends goes to upstream, whatever
	 *    upstream sends goes to the client, in any amounts, many
	 *    requests in a row on one connection. Parse nothing. poll() on
	 *    both sockets is the simplest way (or one thread per direction);
	 *  - the client sends end of file (read() returns 0): tell upstream
	 *    with shutdown(upstream, SHUT_WR), and go on relaying upstream's
	 *    answer to the client;
	 *  - upstream closes: finish writing what you read from it, then
	 *    return. Any read or write error: return;
	 *  - close the upstream socket.
	 *
	 * As given, it reads the request before it answers 501: closing a
	 * connection with a request unread resets it, and the reset can
	 * destroy the answer before the client reads it.
	 */
	http_request_free(http_request_parse(fd));
	send_error(fd, 501);
}

/* ---------------------------------------------------------- connections */

/* Serve one connection, then close it: every mode goes through here. */
static void serve_connection(int fd)
{
	request_handler(fd);
	close(fd);
}

#ifdef THREADSERVER
/*
 * TODO (step 6): serve fd in a new thread (pthread_create()), and detach it
 * (pthread_detach()): nobody joins it. Pass the descriptor in a malloc'd
 * int, not as the address of a local variable: why? The thread frees it,
 * then calls serve_connection(). If the thread cannot be created, close
 * fd and go on.
 */
static void dispatch(int fd)
{
	serve_connection(fd);
}
#endif

#ifdef POOLSERVER
static wq_t work_queue;

/*
 * TODO (step 7, with wq.c): start num_threads worker threads, once, before the first
 * connection. Each one loops forever: wq_pop() a socket from work_queue,
 * serve_connection() it. The pool never grows: with every worker busy,
 * new connections wait in the queue (make wq.c thread-safe first).
 */
static void init_thread_pool(int num_threads)
{
	wq_init(&work_queue);
	(void)num_threads;
}

/* TODO (step 7): hand fd to the pool: wq_push() it on work_queue. */
static void dispatch(int fd)
{
	serve_connection(fd);
}
#endif

#ifdef FORKSERVER
/*
 * TODO (step 5): serve fd in a child process (fork()). The child closes the
 * listening socket, calls serve_connection() and _exit()s. The parent
 * closes fd (two reasons: which?) and returns to accept the next client.
 * If fork() fails, close fd and go on. Children need not be waited for:
 * main() can make the kernel reap them (see the TODO there). Until this
 * step, forkserver serves one connection at a time, like httpserver.
 */
static void dispatch(int fd, int listen_fd)
{
	(void)listen_fd;
	serve_connection(fd);
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
	 * TODO (step 3): a client that goes away mid-response raises
	 * SIGPIPE, whose default action kills the whole server: ignore it.
	 */
#ifdef FORKSERVER
	/*
	 * TODO (step 5): set SIGCHLD to SIG_IGN: the kernel then reaps the
	 * children that exit, and no zombies pile up.
	 */
#endif

	listen_fd = open_listener((int)port);
	if (listen_fd < 0)
		return 1;
#ifdef POOLSERVER
	init_thread_pool((int)num_threads);
#endif
	serve_forever(listen_fd);
}
