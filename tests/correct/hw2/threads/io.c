/*
 * io.c: what echo_server and echo_client share.
 */

#include "io.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int read_port(const char *text, unsigned short *port)
{
	size_t len = strlen(text);
	unsigned long value = 0;

	/* Leading zeros are fine, but no more than 5 significant digits. */
	if (len == 0 || strspn(text, "0123456789") != len)
		return -1;
	while (*text == '0')
		text++;
	if (strlen(text) > 5)
		return -1;
	for (; *text != '\0'; text++)
		value = 10 * value + (unsigned long)(*text - '0');
	if (value < 1 || value > 65535)
		return -1;
	*port = (unsigned short)value;
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	const unsigned char *end = p + len;

	while (p < end) {
		ssize_t n = write(fd, p, (size_t)(end - p));

		if (n >= 0)
			p += n;
		else if (errno != EINTR)
			return -1;
	}
	return 0;
}

ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n == -1 && errno == EINTR);
	return n;
}
