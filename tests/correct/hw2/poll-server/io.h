/*
 * io.h: helpers shared by echo_server and echo_client.
 */

#ifndef IO_H
#define IO_H

#include <stddef.h>

/* The port number in s (decimal digits only, 1 to 65535), or -1. */
int port_number(const char *s);

/*
 * Send all len bytes of data to fd, retrying after partial writes and
 * EINTR. Returns 0, or -1 with errno set.
 */
int send_all(int fd, const char *data, size_t len);

#endif
