/*
 * echo_server: a TCP echo server, one child process per connection.
 *
 *     echo_server PORT
 *
 * Listens on 0.0.0.0:PORT (IPv4) and sends every byte it receives on a
 * connection back on that connection, in order, until the client closes
 * its side; then it closes the connection. Each connection is served by
 * a child process of its own, so a slow or idle client never holds up
 * the others. The server runs until it is killed, and prints nothing.
 *
 * Exit status: 2 for a usage error, 1 if the port cannot be set up.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"

#define BUF_SIZE 65536

static noreturn void usage(void)
{
	fputs("usage: echo_server PORT\n", stderr);
	exit(2);
}

/* ------------------------------------------------------------- signals */

/*
 * SIGCHLD: reap every child that has exited. Signals do not queue: one
 * SIGCHLD may stand for several children, hence the loop; WNOHANG stops
 * it once only running children are left.
 */
static void reap_children(int sig)
{
	/* waitpid() may change errno under the code we interrupted. */
	int saved_errno = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		continue;
	errno = saved_errno;
}

/* Returns 0, or -1 after reporting an error. */
static int setup_signals(void)
{
	struct sigaction sa;

	/*
	 * Writing to a client that has gone away raises SIGPIPE, whose
	 * default action kills the writer. Ignored, write() fails with EPIPE
	 * instead and only that connection ends. Set before the first fork:
	 * the children inherit it.
	 */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		perror("echo_server: signal");
		return -1;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = reap_children;
	sigemptyset(&sa.sa_mask);
	/*
	 * SA_RESTART: accept() resumes after the handler instead of failing
	 * with EINTR (we retry on EINTR anyway). SA_NOCLDSTOP: only children
	 * that exit matter, not stopped ones.
	 */
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	if (sigaction(SIGCHLD, &sa, NULL) < 0) {
		perror("echo_server: sigaction");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- sockets */

/* The listening socket on 0.0.0.0:port, or -1 after reporting an error. */
static int open_listener(int port)
{
	struct sockaddr_in addr;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("echo_server: socket");
		return -1;
	}
	/*
	 * Without SO_REUSEADDR, restarting the server soon after it stopped
	 * fails with EADDRINUSE while its old connections are in TIME_WAIT.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
		perror("echo_server: setsockopt");
		close(fd);
		return -1;
	}
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		perror("echo_server: bind");
		close(fd);
		return -1;
	}
	if (listen(fd, SOMAXCONN) < 0) {
		perror("echo_server: listen");
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Wait for the next client. Returns its connected socket. Never gives
 * up: the server must not exit on its own.
 */
static int accept_client(int listen_fd)
{
	for (;;) {
		int conn = accept(listen_fd, NULL, NULL);

		if (conn >= 0)
			return conn;
		/*
		 * EINTR: a SIGCHLD arrived. ECONNABORTED: the client left
		 * before we got to it. Neither is a problem of ours.
		 */
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		/* Out of descriptors or memory, perhaps only for a moment. */
		perror("echo_server: accept");
		sleep(1);
	}
}

/* ---------------------------------------------------------- one client */

/*
 * Send back everything the client sends, until it closes its side.
 * Returns 0 at end of file, -1 after an error. A client that vanished
 * (EPIPE, ECONNRESET) ends its connection like end of file would, so it
 * is not reported.
 */
static int echo_connection(int fd)
{
	char buf[BUF_SIZE];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECONNRESET)
				perror("echo_server: read");
			return -1;
		}
		/* A write may take only part of the buffer: write_all loops. */
		if (write_all(fd, buf, (size_t)n) < 0) {
			if (errno != EPIPE && errno != ECONNRESET)
				perror("echo_server: write");
			return -1;
		}
	}
}

/* In the child: serve the client on conn, then exit. */
static noreturn void serve_client(int listen_fd, int conn)
{
	int failed;

	/*
	 * The listening socket is the parent's business. A child holding a
	 * copy would keep the port open after the server itself is stopped:
	 * new clients would still connect, and nobody would answer them.
	 */
	if (close(listen_fd) < 0)
		perror("echo_server: close");
	failed = echo_connection(conn) < 0;
	/* The connection ends when its last descriptor is closed: this one. */
	if (close(conn) < 0) {
		perror("echo_server: close");
		failed = 1;
	}
	/* _exit: the stdio buffers copied from the parent are not ours. */
	_exit(failed ? 1 : 0);
}

int main(int argc, char *argv[])
{
	int port, listen_fd;

	if (argc != 2)
		usage();
	port = parse_port(argv[1]);
	if (port < 0) {
		fprintf(stderr, "echo_server: invalid port: %s\n", argv[1]);
		usage();
	}
	if (setup_signals() < 0)
		return 1;
	listen_fd = open_listener(port);
	if (listen_fd < 0)
		return 1;

	for (;;) {
		int conn = accept_client(listen_fd);
		pid_t pid = fork();

		if (pid < 0) {
			/* Too many processes: this client is turned away, not the next. */
			perror("echo_server: fork");
			if (close(conn) < 0)
				perror("echo_server: close");
			continue;
		}
		if (pid == 0)
			serve_client(listen_fd, conn);
		/*
		 * The child has its own copy of conn. Ours would leak one
		 * descriptor per client, and the client would never see the
		 * connection close: that happens only when every copy is closed.
		 */
		if (close(conn) < 0)
			perror("echo_server: close");
	}
}
