/*
 * libhttp.h: a small HTTP/1.0 helper library for httpserver.
 *
 * It reads and parses a request's first line, writes the pieces of a
 * response (status line, headers, body), and knows the few tables a file
 * server needs: reason phrases, MIME types, the links of a directory
 * listing. It decides nothing: which response to send is the server's
 * business.
 *
 * Every function that writes returns 0, or -1 with errno set when the
 * write failed (typically EPIPE or ECONNRESET: the client went away).
 * A server should then stop serving that connection and close it.
 */

#ifndef LIBHTTP_H
#define LIBHTTP_H

#include <stdbool.h>
#include <stddef.h>

/* The largest request head (request line and headers) accepted: 8 KiB. */
#define HTTP_MAX_REQUEST_SIZE 8192

struct http_request {
	char *method;	/* "GET", "POST", ...: as sent, case included */
	char *path;	/* percent-decoded, starts with '/', query removed */
};

/*
 * Read a request head from fd: read() as often as it takes (a client may
 * send it one byte at a time) until the empty line that ends the headers
 * ("\r\n\r\n"), then parse the request line, METHOD SP PATH SP HTTP/x.y.
 * The path is percent-decoded ("%20" becomes a space) and anything from
 * '?' on (the query) is dropped. Headers are read but ignored.
 *
 * Returns a request to free with http_request_free(), or NULL when there
 * is no valid request: the client closed the connection or it failed
 * before the end of the headers, the head is longer than
 * HTTP_MAX_REQUEST_SIZE, the request line is malformed, the path does not
 * start with '/', or it holds a malformed escape or "%00". A server
 * answers NULL with 400 Bad Request.
 */
struct http_request *http_request_parse(int fd);

/* Free a request from http_request_parse(). NULL is allowed. */
void http_request_free(struct http_request *request);

/* Send the status line: "HTTP/1.0 404 Not Found\r\n". */
int http_start_response(int fd, int status_code);

/* Send one header line: "Key: value\r\n". */
int http_send_header(int fd, const char *key, const char *value);

/* Send the empty line that ends the headers: "\r\n". */
int http_end_headers(int fd);

/* Send size bytes of data (any bytes, NUL included). */
int http_send_data(int fd, const void *data, size_t size);

/* Send a NUL-terminated string, without its NUL. */
int http_send_string(int fd, const char *s);

/* The reason phrase of a status code ("Not Found" for 404). */
const char *http_get_response_message(int status_code);

/*
 * The MIME type for a file name, from its extension (case ignored):
 * .html/.htm text/html, .txt text/plain, .css text/css, .js
 * application/javascript, .json application/json, .png image/png,
 * .jpg/.jpeg image/jpeg, .gif image/gif, .pdf application/pdf, anything
 * else application/octet-stream.
 */
const char *http_get_mime_type(const char *file_name);

/*
 * One line of a directory listing, as a malloc'd string to free():
 *
 *     <a href="HREF">NAME</a><br>\n
 *
 * path is the URL path of the directory being listed ("/files",
 * "/files/", even "//files//": extra slashes are ignored), filename the
 * name of one of its entries, is_dir whether that entry is a directory.
 * HREF is an absolute path from the site root, percent-encoded (every
 * byte but A-Z a-z 0-9 - . _ ~ becomes %XX; '/' separates), with a
 * trailing '/' for a directory: "/files/notes.txt", "/files/nested/",
 * "/files/name%20with%20spaces.txt". The filename ".." links to the
 * parent directory ("/files/nested" -> "/files/"; the root's parent is
 * "/"). NAME is filename as is. Returns NULL if out of memory.
 */
char *http_format_href(const char *path, const char *filename, bool is_dir);

/*
 * path + "/index.html" as a malloc'd string to free(), without doubling
 * a slash that path already ends with. Returns NULL if out of memory.
 */
char *http_format_index(const char *path);

/*
 * Write all n bytes of buf to fd, however many write() calls it takes,
 * retrying on EINTR. Returns 0, or -1 with errno set.
 */
int write_all(int fd, const void *buf, size_t n);

#endif
