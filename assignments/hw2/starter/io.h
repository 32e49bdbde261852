/*
 * io.h: small helpers shared by echo_server and echo_client.
 */

#ifndef IO_H
#define IO_H

#include <stddef.h>
#include <sys/types.h>

/* A TCP port number, 1 to 65535, in decimal. Returns it, or -1. */
int parse_port(const char *s);

/*
 * Write all n bytes of buf to fd, however many write() calls it takes.
 * Returns 0, or -1 with errno set.
 */
int write_all(int fd, const void *buf, size_t n);

/*
 * Read exactly n bytes from fd into buf, however many read() calls it
 * takes. Returns n, fewer than n if end of file came first, or -1 with
 * errno set.
 */
ssize_t read_exactly(int fd, void *buf, size_t n);

#endif
