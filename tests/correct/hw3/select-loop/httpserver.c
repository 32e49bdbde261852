/*
 * httpserver: an HTTP/1.0 file server and TCP relay, built four ways.
 *
 *   httpserver  --files DIR | --proxy HOST[:PORT]  [--port N] [--num-threads N]
 *
 * Files go out with sendfile(); folders without an index.html are listed
 * with links relative to the URL that was asked for; the relay is a single
 * poll() loop over two non-blocking half-duplex buffers.
 */

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "libhttp.h"
#include "wq.h"

#if defined(BASICSERVER) + defined(FORKSERVER) + defined(THREADSERVER) + \
	defined(POOLSERVER) != 1
#error "define exactly one of BASICSERVER FORKSERVER THREADSERVER POOLSERVER"
#endif

#define RELAY_CHUNK (64 * 1024)
#define SENDFILE_CHUNK (1 << 20)

static struct {
	const char *name;	/* argv[0]'s last component */
	const char *files;	/* --files DIR, or NULL */
	char *host, *port;	/* --proxy HOST[:PORT], or NULL */
	long listen_port;
	long threads;		/* --num-threads, or 0 */
} conf = {"httpserver", NULL, NULL, NULL, 8000, 0};

/* ================================================================ files */

static bool has_dotdot(const char *path)
{
	const char *seg = path;

	for (;;) {
		const char *slash = strchr(seg, '/');
		size_t len = slash ? (size_t)(slash - seg) : strlen(seg);

		if (len == 2 && seg[0] == '.' && seg[1] == '.')
			return true;
		if (slash == NULL)
			return false;
		seg = slash + 1;
	}
}

/* The canonical segments of path: no empty ones, no ".". In a copy. */
struct segments {
	char **v;
	int n;
	char *copy;
};

static void split_path(const char *path, size_t len, struct segments *s)
{
	char *p;

	s->copy = strndup(path, len);
	s->v = malloc(sizeof(char *) * (len / 2 + 2));
	s->n = 0;
	if (s->copy == NULL || s->v == NULL) {
		fputs("httpserver: out of memory\n", stderr);
		exit(1);
	}
	for (p = s->copy; *p != '\0';) {
		char *end = p + strcspn(p, "/");
		bool last = *end == '\0';

		*end = '\0';
		if (*p != '\0' && strcmp(p, ".") != 0)
			s->v[s->n++] = p;
		p = last ? end : end + 1;
	}
}

static void free_segments(struct segments *s)
{
	free(s->v);
	free(s->copy);
}

/*
 * Append to page the href of the folder dir[0..ndir) followed by file
 * (a name, or "" for the folder itself), relative to the browser's base
 * folder base[0..nbase): "../" to climb, then the rest, percent-encoded.
 */
static void add_relative(struct strbuf *page, char **base, int nbase,
			 char **dir, int ndir, const char *file)
{
	int common = 0;
	size_t start = page->length;

	while (common < nbase && common < ndir &&
	       strcmp(base[common], dir[common]) == 0)
		common++;
	for (int i = common; i < nbase; i++)
		strbuf_puts(page, "../");
	for (int i = common; i < ndir; i++) {
		strbuf_add_encoded(page, dir[i]);
		strbuf_puts(page, "/");
	}
	strbuf_add_encoded(page, file);
	if (page->length == start)
		strbuf_puts(page, "./");
}

/* Append the absolute href of dir[0..ndir) + file. */
static void add_absolute(struct strbuf *page, char **dir, int ndir,
			 const char *file)
{
	strbuf_puts(page, "/");
	for (int i = 0; i < ndir; i++) {
		strbuf_add_encoded(page, dir[i]);
		strbuf_puts(page, "/");
	}
	strbuf_add_encoded(page, file);
}

/*
 * Can links be relative to the URL as the browser holds it? Only if the
 * browser's idea of its folder has the same segments as ours: no "//",
 * no "." segment, no "%2F" turned into a '/' by decoding.
 */
static bool base_is_plain(const struct http_request *req)
{
	const char *raw = req->raw_path;
	size_t raw_slashes = 0, slashes = 0;

	for (const char *p = raw; *p; p++)
		raw_slashes += *p == '/';
	for (const char *p = req->path; *p; p++)
		slashes += *p == '/';
	return raw_slashes == slashes && strstr(req->path, "//") == NULL &&
	       strstr(req->path, "/./") == NULL;
}

static void list_folder(int fd, const char *folder,
			const struct http_request *req)
{
	DIR *d = opendir(folder);
	struct segments here, base;
	struct strbuf page;
	struct dirent *e;
	bool relative = base_is_plain(req);
	const char *last_slash = strrchr(req->path, '/');

	if (d == NULL) {
		http_send_error(fd, 404);
		return;
	}
	split_path(req->path, strlen(req->path), &here);
	split_path(req->path, (size_t)(last_slash - req->path) + 1, &base);

	strbuf_init(&page);
	strbuf_puts(&page, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			   "<title>Index of ");
	strbuf_add_escaped(&page, req->path);
	strbuf_puts(&page, "</title></head>\n<body><ul>\n");
	/* readdir() order, as the file system keeps it. */
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		bool up = strcmp(e->d_name, "..") == 0;
		bool folder_entry;
		int ndir = up ? (here.n > 0 ? here.n - 1 : 0) : here.n;
		const char *file = e->d_name;

		if (strcmp(e->d_name, ".") == 0)
			continue;
		folder_entry = up || (fstatat(dirfd(d), e->d_name, &st, 0) == 0 &&
				      S_ISDIR(st.st_mode));
		strbuf_puts(&page, "<li><a href='");
		if (folder_entry && !up) {
			/* The entry becomes one more folder segment. */
			here.v[here.n] = e->d_name;
			ndir = here.n + 1;
		}
		if (folder_entry)
			file = "";
		if (relative)
			add_relative(&page, base.v, base.n, here.v, ndir, file);
		else
			add_absolute(&page, here.v, ndir, file);
		strbuf_puts(&page, "'>");
		strbuf_add_escaped(&page, e->d_name);
		strbuf_puts(&page, folder_entry && !up ? "/" : "");
		strbuf_puts(&page, "</a></li>\n");
	}
	closedir(d);
	strbuf_puts(&page, "</ul></body></html>\n");

	if (http_send_head(fd, 200, "text/html", (long long)page.length) == 0)
		write_all(fd, page.data, page.length);
	strbuf_free(&page);
	free_segments(&here);
	free_segments(&base);
}

/* Send the regular file at path, sendfile() a chunk at a time. */
static void send_file(int fd, const char *path)
{
	struct stat st;
	off_t offset = 0;
	int file = open(path, O_RDONLY);

	if (file < 0 || fstat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (file >= 0)
			close(file);
		http_send_error(fd, 404);
		return;
	}
	if (http_send_head(fd, 200, http_get_mime_type(path),
			   (long long)st.st_size) == 0) {
		while (offset < st.st_size) {
			off_t left = st.st_size - offset;
			ssize_t n = sendfile(fd, file, &offset,
					     left < SENDFILE_CHUNK ? (size_t)left
								   : SENDFILE_CHUNK);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;	/* the client left, or the file shrank */
		}
	}
	close(file);
}

static void serve_files(int fd)
{
	struct http_request *req = http_request_parse(fd);
	struct stat st;
	char *target;
	size_t len;

	if (req == NULL) {
		http_send_error(fd, 400);
		return;
	}
	if (strcmp(req->method, "GET") != 0) {
		http_send_error(fd, 405);
		http_request_free(req);
		return;
	}
	if (has_dotdot(req->path)) {
		http_send_error(fd, 403);
		http_request_free(req);
		return;
	}

	/* Room for DIR + path + "/index.html". */
	len = strlen(conf.files) + strlen(req->path) + sizeof "/index.html";
	target = malloc(len);
	if (target == NULL) {
		http_send_error(fd, 500);
		http_request_free(req);
		return;
	}
	snprintf(target, len, "%s%s", conf.files, req->path);

	if (stat(target, &st) == 0 && S_ISREG(st.st_mode)) {
		send_file(fd, target);
	} else if (stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t n = strlen(target);
		struct stat index;

		snprintf(target + n, len - n, "%sindex.html",
			 n > 0 && target[n - 1] == '/' ? "" : "/");
		if (stat(target, &index) == 0 && S_ISREG(index.st_mode)) {
			send_file(fd, target);
		} else {
			target[n] = '\0';
			list_folder(fd, target, req);
		}
	} else {
		http_send_error(fd, 404);
	}
	free(target);
	http_request_free(req);
}

/* ================================================================ proxy */

/* One direction of the relay: bytes read from one side, not yet written
 * to the other. Read only when empty, written until empty. */
struct half {
	char *buf;
	size_t start, end;
	bool eof;	/* the source sent end of file */
};

static int connect_upstream(void)
{
	struct addrinfo hints = {0}, *list, *ai;
	int fd = -1;

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	if (getaddrinfo(conf.host, conf.port, &hints, &list) != 0)
		return -1;
	for (ai = list; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(list);
	return fd;
}

/* 502, then let the client finish sending so that closing resets nothing. */
static void bad_gateway(int fd)
{
	char sink[4096];
	struct pollfd p = {fd, POLLIN, 0};
	size_t drained = 0;

	if (http_send_error(fd, 502) < 0)
		return;
	shutdown(fd, SHUT_WR);
	while (drained < 1 << 20 && poll(&p, 1, 500) > 0) {
		ssize_t n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);

		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
			break;
		if (n > 0)
			drained += (size_t)n;
	}
}

/* Move bytes from fd into h. False on a real error. */
static bool fill(struct half *h, int fd)
{
	ssize_t n = recv(fd, h->buf, RELAY_CHUNK, MSG_DONTWAIT);

	if (n > 0) {
		h->start = 0;
		h->end = (size_t)n;
	} else if (n == 0) {
		h->eof = true;
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		return false;
	}
	return true;
}

/* Move bytes from h to fd. False on a real error. */
static bool drain(struct half *h, int fd)
{
	ssize_t n = send(fd, h->buf + h->start, h->end - h->start,
			 MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n > 0) {
		h->start += (size_t)n;
		if (h->start == h->end)
			h->start = h->end = 0;
	} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		   errno != EINTR) {
		return false;
	}
	return true;
}

static void relay(int client, int upstream)
{
	struct half up = {0}, down = {0};	/* client->upstream, upstream->client */
	bool upstream_told = false;

	up.buf = malloc(RELAY_CHUNK);
	down.buf = malloc(RELAY_CHUNK);
	while (up.buf != NULL && down.buf != NULL) {
		struct pollfd p[2];
		bool up_pending = up.end > up.start, down_pending = down.end > down.start;

		/* Upstream closed and all it said is delivered: done. */
		if (down.eof && !down_pending)
			break;
		/* The client has said all: upstream hears it, and answers. */
		if (up.eof && !up_pending && !upstream_told) {
			shutdown(upstream, SHUT_WR);
			upstream_told = true;
		}
		p[0].fd = client;
		p[0].events = (short)((!up.eof && !up_pending ? POLLIN : 0) |
				      (down_pending ? POLLOUT : 0));
		p[1].fd = upstream;
		p[1].events = (short)((!down.eof && !down_pending ? POLLIN : 0) |
				      (up_pending ? POLLOUT : 0));
		/* Nothing wanted from a socket: leave it out, HUP and all. */
		for (int i = 0; i < 2; i++)
			if (p[i].events == 0)
				p[i].fd = -1;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents != 0 && (p[0].events & POLLIN) && !fill(&up, client))
			break;
		if (p[1].revents != 0 && (p[1].events & POLLIN) &&
		    !fill(&down, upstream))
			break;
		if (p[0].revents != 0 && (p[0].events & POLLOUT) &&
		    !drain(&down, client))
			break;
		if (p[1].revents != 0 && (p[1].events & POLLOUT) &&
		    !drain(&up, upstream))
			break;
	}
	free(up.buf);
	free(down.buf);
}

static void serve_proxy(int fd)
{
	int upstream = connect_upstream();

	if (upstream < 0) {
		bad_gateway(fd);
		return;
	}
	relay(fd, upstream);
	close(upstream);
}

/* ========================================================== concurrency */

static void (*handler)(int fd);

/* Every mode ends here: answer, then close. */
static void serve(int fd)
{
	handler(fd);
	close(fd);
}

#ifdef THREADSERVER
static void *connection_thread(void *arg)
{
	int fd = *(int *)arg;

	free(arg);
	serve(fd);
	return NULL;
}
#endif

#ifdef POOLSERVER
static wq_t queue;

static void *worker(void *unused)
{
	(void)unused;
	for (;;)
		serve(wq_pop(&queue));
	return NULL;
}
#endif

#if defined(THREADSERVER) || defined(POOLSERVER)
static int spawn_detached(void *(*body)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t tid;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, body, arg);
	pthread_attr_destroy(&attr);
	return err;
}
#endif

static void accept_loop(int listener)
{
	for (;;) {
		int fd = accept(listener, NULL, NULL);

		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED) {
				perror("accept");
				sleep(1);
			}
			continue;
		}
#if defined(BASICSERVER)
		serve(fd);
#elif defined(FORKSERVER)
		pid_t pid = fork();

		if (pid == 0) {
			close(listener);
			serve(fd);
			_exit(0);
		}
		if (pid < 0)
			perror("fork");
		close(fd);
#elif defined(THREADSERVER)
		int *box = malloc(sizeof *box);

		if (box == NULL) {
			close(fd);
			continue;
		}
		*box = fd;
		if (spawn_detached(connection_thread, box) != 0) {
			free(box);
			close(fd);
		}
#else
		wq_push(&queue, fd);
#endif
	}
}

/* ================================================================= setup */

static void usage(void)
{
	fprintf(stderr,
		"usage: %s --files DIR [--port N] [--num-threads N]\n"
		"       %s --proxy HOST[:PORT] [--port N] [--num-threads N]\n",
		conf.name, conf.name);
	exit(1);
}

static long number(const char *s, long lo, long hi)
{
	long v = 0;

	if (*s == '\0')
		usage();
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			usage();
		v = v * 10 + (*s - '0');
		if (v > hi)
			usage();
	}
	if (v < lo)
		usage();
	return v;
}

static void proxy_target(const char *arg)
{
	const char *host = arg, *host_end, *port = NULL;

	if (*arg == '[') {
		host = arg + 1;
		host_end = strchr(host, ']');
		if (host_end == NULL)
			usage();
		if (host_end[1] == ':')
			port = host_end + 2;
		else if (host_end[1] != '\0')
			usage();
	} else {
		host_end = strchr(arg, ':');
		if (host_end != NULL)
			port = host_end + 1;
		else
			host_end = arg + strlen(arg);
	}
	if (host_end == host)
		usage();
	if (port != NULL)
		number(port, 1, 65535);
	conf.host = strndup(host, (size_t)(host_end - host));
	conf.port = strdup(port != NULL ? port : "80");
	if (conf.host == NULL || conf.port == NULL)
		usage();
}

static int listen_on(long port)
{
	struct sockaddr_in sin;
	int on = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(fd, 1024) < 0) {
		fprintf(stderr, "%s: port %ld: %s\n", conf.name, port, strerror(errno));
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *proxy = NULL;
	struct sigaction sa;
	struct stat st;
	int listener;

	if (argc > 0 && argv[0] != NULL)
		conf.name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	for (int i = 1; i < argc; i += 2) {
		const char *flag = argv[i], *value = argv[i + 1];

		if (value == NULL)
			usage();
		if (strcmp(flag, "--files") == 0)
			conf.files = value;
		else if (strcmp(flag, "--proxy") == 0)
			proxy = value;
		else if (strcmp(flag, "--port") == 0)
			conf.listen_port = number(value, 1, 65535);
		else if (strcmp(flag, "--num-threads") == 0)
			conf.threads = number(value, 1, 1024);
		else
			usage();
	}
	if ((conf.files != NULL) == (proxy != NULL))
		usage();
#ifdef POOLSERVER
	if (conf.threads == 0)
		usage();
#endif
	if (proxy != NULL) {
		proxy_target(proxy);
		handler = serve_proxy;
	} else {
		if (stat(conf.files, &st) != 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "%s: %s: not a folder\n", conf.name, conf.files);
			return 1;
		}
		handler = serve_files;
	}

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
#ifdef FORKSERVER
	sa.sa_flags = SA_NOCLDWAIT;	/* the kernel reaps the children */
	sigaction(SIGCHLD, &sa, NULL);
#endif

	listener = listen_on(conf.listen_port);
#ifdef POOLSERVER
	wq_init(&queue);
	for (long i = 0; i < conf.threads; i++) {
		if (spawn_detached(worker, NULL) != 0) {
			fprintf(stderr, "%s: cannot start the pool\n", conf.name);
			return 1;
		}
	}
#endif
	accept_loop(listener);
	return 0;
}
