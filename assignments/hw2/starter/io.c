/*
 * io.c: small helpers shared by echo_server and echo_client.
 *
 * On a socket, read() returns whatever has arrived so far, which may be
 * less than was sent, and write() may accept less than it was given
 * (or be interrupted by a signal). These loops hide both.
 */

#include "io.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int parse_port(const char *s)
{
	char *end;
	long port;

	/* strtol alone would also take " 80", "+80" and "-1". */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	port = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || port < 1 || port > 65535)
		return -1;
	return (int)port;
}

int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t done = write(fd, p, n);

		if (done < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += done;
		n -= (size_t)done;
	}
	return 0;
}

ssize_t read_exactly(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return (ssize_t)got;
}
