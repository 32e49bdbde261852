/*
 * io.h: what echo_server and echo_client share.
 */

#ifndef IO_H
#define IO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Parse a TCP port: decimal digits only, 1 to 65535.
 * Returns 0 and stores it in *port, or -1.
 */
int read_port(const char *text, unsigned short *port);

/*
 * write() until every byte of buf is gone; EINTR is retried.
 * Returns 0, or -1 with errno set.
 */
int write_all(int fd, const void *buf, size_t len);

/* read() that retries EINTR. */
ssize_t read_retry(int fd, void *buf, size_t len);

#endif
