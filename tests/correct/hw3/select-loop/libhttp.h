/*
 * libhttp.h: reading a request head, writing whole response heads, and the
 * small tables and string helpers a file server needs.
 *
 * Writers return 0, or -1 with errno set once a write failed: the server
 * then stops serving that connection.
 */

#ifndef LIBHTTP_H
#define LIBHTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_REQUEST_SIZE 8192

struct http_request {
	char *method;	/* a token, as sent */
	char *path;	/* percent-decoded, starts with '/', no query */
	char *raw_path;	/* the same, before decoding: what the browser sees */
};

/*
 * Read the head (up to "\r\n\r\n", at most HTTP_MAX_REQUEST_SIZE bytes, in
 * as many reads as it takes) and parse "METHOD SP /PATH SP HTTP/x.y".
 * NULL: no valid request (400).
 */
struct http_request *http_request_parse(int fd);
void http_request_free(struct http_request *request);

/* All n bytes, through partial writes and EINTR. */
int write_all(int fd, const void *buf, size_t n);

/* "HTTP/1.0 <status> <reason>", Content-Type, Content-Length, blank line:
 * one write. */
int http_send_head(int fd, int status, const char *type, long long length);

/* A complete error response, a short text/html page. */
int http_send_error(int fd, int status);

const char *http_get_response_message(int status);

/* By extension, case ignored; application/octet-stream when unknown. */
const char *http_get_mime_type(const char *file_name);

/* A growing byte buffer. */
struct strbuf {
	char *data;
	size_t length;
	size_t capacity;
};

void strbuf_init(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const char *bytes, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
/* s with every byte but A-Z a-z 0-9 - . _ ~ as %XX. */
void strbuf_add_encoded(struct strbuf *sb, const char *s);
/* s with & < > " ' as HTML entities. */
void strbuf_add_escaped(struct strbuf *sb, const char *s);
void strbuf_free(struct strbuf *sb);

#endif
