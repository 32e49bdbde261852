/*
 * io.c: helpers shared by echo_server and echo_client.
 */

#include "io.h"

#include <errno.h>
#include <unistd.h>

int port_number(const char *s)
{
	long value = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		value = value * 10 + (*s - '0');
		if (value > 65535)
			return -1;
	}
	return value >= 1 ? (int)value : -1;
}

int send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}
