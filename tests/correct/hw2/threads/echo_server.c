/*
 * echo_server PORT: a TCP echo server with one thread per connection.
 *
 * The main thread only accepts. Each connection gets a detached thread
 * that echoes until the client's end of file and then closes the socket,
 * so nothing needs to be joined and no descriptor outlives its client.
 * SIGPIPE is ignored for the whole process: a write to a client that has
 * reset fails with EPIPE and ends that connection only.
 */

#include "io.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define BACKLOG 16		/* pending connections the kernel may queue */
#define CHUNK   16384

/* Echo everything on one connection, then close it. */
static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[CHUNK];

	for (;;) {
		ssize_t n = read_retry(fd, buf, sizeof buf);

		if (n == 0)
			break;	/* the client is done sending */
		if (n < 0) {
			if (errno != ECONNRESET)
				perror("echo_server: read");
			break;
		}
		if (write_all(fd, buf, (size_t)n) < 0) {
			/* EPIPE or ECONNRESET: the client went away. */
			if (errno != EPIPE && errno != ECONNRESET)
				perror("echo_server: write");
			break;
		}
	}
	if (close(fd) < 0)
		perror("echo_server: close");
	return NULL;
}

static int listen_on(unsigned short port)
{
	struct sockaddr_in addr;
	int on = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("echo_server: socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) {
		perror("echo_server: setsockopt");
		goto fail;
	}
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (const struct sockaddr *)&addr, sizeof addr) < 0) {
		perror("echo_server: bind");
		goto fail;
	}
	if (listen(fd, BACKLOG) < 0) {
		perror("echo_server: listen");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int main(int argc, char *argv[])
{
	unsigned short port;

	if (argc != 2 || read_port(argv[1], &port) < 0) {
		fprintf(stderr, "echo_server: usage: echo_server PORT\n");
		return 2;
	}

	struct sigaction ign;

	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGPIPE, &ign, NULL) < 0) {
		perror("echo_server: sigaction");
		return 1;
	}

	int lfd = listen_on(port);

	if (lfd < 0)
		return 1;

	pthread_attr_t attr;
	int rc = pthread_attr_init(&attr);

	if (rc == 0)
		rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (rc != 0) {
		fprintf(stderr, "echo_server: pthread_attr: %s\n", strerror(rc));
		return 1;
	}

	for (;;) {
		int cfd = accept(lfd, NULL, NULL);

		if (cfd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				perror("echo_server: accept");
			continue;
		}

		pthread_t tid;

		rc = pthread_create(&tid, &attr, serve, (void *)(intptr_t)cfd);
		if (rc != 0) {
			fprintf(stderr, "echo_server: pthread_create: %s\n",
				strerror(rc));
			close(cfd);
		}
	}
}
