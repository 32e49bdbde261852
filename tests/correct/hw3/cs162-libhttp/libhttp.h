/*
 * A simple HTTP library, in the shape of the one CS162's hw-http hands out.
 *
 * Usage example:
 *
 *     // Returns NULL if the request could not be read or parsed.
 *     struct http_request *request = http_request_parse(fd);
 *
 *     ...
 *
 *     http_start_response(fd, 200);
 *     http_send_header(fd, "Content-Type", http_get_mime_type("index.html"));
 *     http_send_header(fd, "Server", "httpserver/1.0");
 *     http_end_headers(fd);
 *     http_send_string(fd, "<html><body><a href='/'>Home</a></body></html>");
 *
 *     close(fd);
 */

#ifndef LIBHTTP_H
#define LIBHTTP_H

#include <stdbool.h>
#include <stddef.h>

#define LIBHTTP_REQUEST_MAX_SIZE 8192

/* Prints message on stderr and exits: for out-of-memory errors. */
void http_fatal_error(char *message);

/*
 * Functions for parsing an HTTP request.
 */
struct http_request {
  char *method;
  char *path; /* as sent (no percent-decoding), the query cut off */
};

/* Reads the request head (up to the blank line) and parses its first line.
 * Returns NULL for anything that is not "METHOD /path HTTP/x.y". */
struct http_request *http_request_parse(int fd);
void http_request_free(struct http_request *request);

/*
 * Functions for sending an HTTP response.
 * Each one returns true on success, and false once a write failed.
 */
bool http_start_response(int fd, int status_code);
bool http_send_header(int fd, char *key, char *value);
bool http_end_headers(int fd);
bool http_send_string(int fd, char *data);
bool http_send_data(int fd, char *data, size_t size);

char *http_get_response_message(int status_code);

/*
 * Helper function: gets the Content-Type based on a file name.
 */
char *http_get_mime_type(char *file_name);

/*
 * Puts `<a href="/path/filename">filename</a><br/>` into buffer, which must
 * hold strlen(path) + 2 * strlen(filename) + 32 bytes.
 */
void http_format_href(char *buffer, char *path, char *filename);

/*
 * Puts `path/index.html` into buffer, which must hold strlen(path) + 12 bytes.
 */
void http_format_index(char *buffer, char *path);

#endif
