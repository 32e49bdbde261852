/*
 * libhttp.c: a small HTTP/1.0 helper library for httpserver.
 *
 * Reading: http_request_parse() gathers the request head with as many
 * read() calls as it takes, then parses the request line. Writing: each
 * http_* function writes its piece with write_all(), which loops over
 * partial writes. Tables: reason phrases and MIME types. Listings:
 * http_format_href() builds one percent-encoded, absolute link.
 *
 * See libhttp.h for what each function promises.
 */

#include "libhttp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ------------------------------------------------------------- writing */

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

int http_send_data(int fd, const void *data, size_t size)
{
	return write_all(fd, data, size);
}

int http_send_string(int fd, const char *s)
{
	return write_all(fd, s, strlen(s));
}

int http_start_response(int fd, int status_code)
{
	char line[128];
	int n = snprintf(line, sizeof line, "HTTP/1.0 %d %s\r\n", status_code,
			 http_get_response_message(status_code));

	return write_all(fd, line, (size_t)n);
}

int http_send_header(int fd, const char *key, const char *value)
{
	if (http_send_string(fd, key) < 0 || http_send_string(fd, ": ") < 0 ||
	    http_send_string(fd, value) < 0)
		return -1;
	return http_send_string(fd, "\r\n");
}

int http_end_headers(int fd)
{
	return http_send_string(fd, "\r\n");
}

/* -------------------------------------------------------------- tables */

const char *http_get_response_message(int status_code)
{
	switch (status_code) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	default:
		return "Unknown";
	}
}

const char *http_get_mime_type(const char *file_name)
{
	static const struct {
		const char *extension;
		const char *type;
	} types[] = {
		{"html", "text/html"},
		{"htm", "text/html"},
		{"txt", "text/plain"},
		{"css", "text/css"},
		{"js", "application/javascript"},
		{"json", "application/json"},
		{"png", "image/png"},
		{"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},
		{"gif", "image/gif"},
		{"pdf", "application/pdf"},
	};
	/* Only the last component counts: "www/a.b/README" has no extension. */
	const char *base = strrchr(file_name, '/');
	const char *dot;

	base = base ? base + 1 : file_name;
	dot = strrchr(base, '.');
	if (dot != NULL) {
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot + 1, types[i].extension) == 0)
				return types[i].type;
	}
	return "application/octet-stream";
}

/* ------------------------------------------------------------- reading */

/* The offset just past the first "\r\n\r\n" in buf[0..len), or 0. */
static size_t find_head_end(const char *buf, size_t len, size_t from)
{
	for (size_t i = from; i + 4 <= len; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	return 0;
}

/*
 * Read into buf until it holds the end of the headers. Returns the length
 * of the head, or 0 if the client closed, failed, or sent too much.
 */
static size_t read_head(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		/* Only the bytes just read, and the 3 before them, are new. */
		size_t from = len > 3 ? len - 3 : 0;
		ssize_t n;
		size_t end;

		if (len == size)
			return 0;
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		len += (size_t)n;
		end = find_head_end(buf, len, from);
		if (end > 0)
			return end;
	}
}

/* RFC 9110's token characters, of which a method is made. */
static bool is_token_char(char c)
{
	/* strchr() would also find the string's NUL: c must not be one. */
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode the n bytes at s into a malloc'd string. Returns NULL
 * for a malformed escape ("%4", "%zz") or "%00", which would cut the path
 * short behind the server's back.
 */
static char *percent_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t j = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] != '%') {
			out[j++] = s[i];
			continue;
		}
		hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
		lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		out[j++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[j] = '\0';
	return out;
}

/* The length of the token at s, stopping at the first non-token char. */
static size_t token_length(const char *s)
{
	size_t n = 0;

	while (is_token_char(s[n]))
		n++;
	return n;
}

/* The length of the request target at s: no space, no control byte. */
static size_t target_length(const char *s)
{
	size_t n = 0;

	while ((unsigned char)s[n] > ' ' && s[n] != 0x7f)
		n++;
	return n;
}

/* Parse "METHOD SP PATH SP HTTP/x.y\r\n" at line. Returns NULL if not. */
static struct http_request *parse_request_line(const char *line)
{
	size_t method_len = token_length(line);
	const char *target = line + method_len + 1;
	size_t target_len, path_len;
	const char *version;
	struct http_request *request;

	if (method_len == 0 || line[method_len] != ' ')
		return NULL;
	target_len = target_length(target);
	if (target_len == 0 || target[0] != '/' || target[target_len] != ' ')
		return NULL;
	version = target + target_len + 1;
	if (strncmp(version, "HTTP/", 5) != 0 || !is_digit(version[5]) ||
	    version[6] != '.' || !is_digit(version[7]) ||
	    strncmp(version + 8, "\r\n", 2) != 0)
		return NULL;

	/* The query ("?a=b") names no file: drop it before decoding. */
	path_len = strcspn(target, "? ");
	request = calloc(1, sizeof *request);
	if (request == NULL)
		return NULL;
	request->method = strndup(line, method_len);
	request->path = percent_decode(target, path_len);
	if (request->method == NULL || request->path == NULL) {
		http_request_free(request);
		return NULL;
	}
	return request;
}

struct http_request *http_request_parse(int fd)
{
	/* One extra byte: the head is parsed as a NUL-terminated string. */
	char *buf = malloc(HTTP_MAX_REQUEST_SIZE + 1);
	struct http_request *request = NULL;
	size_t len;

	if (buf == NULL)
		return NULL;
	len = read_head(fd, buf, HTTP_MAX_REQUEST_SIZE);
	if (len > 0) {
		buf[len] = '\0';
		request = parse_request_line(buf);
	}
	free(buf);
	return request;
}

void http_request_free(struct http_request *request)
{
	if (request == NULL)
		return;
	free(request->method);
	free(request->path);
	free(request);
}

/* ------------------------------------------------------------ listings */

/* Append the n bytes at s to out, percent-encoding unsafe bytes. */
static char *append_encoded(char *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || (c != '\0' && strchr("-._~", c))) {
			*out++ = (char)c;
		} else {
			*out++ = '%';
			*out++ = hex[c >> 4];
			*out++ = hex[c & 15];
		}
	}
	return out;
}

/*
 * Write the canonical, encoded href of path + filename at out: one '/'
 * before each segment, empty and "." segments skipped, ".." removing the
 * segment before it. out must hold 3 * (strlen(path) + strlen(filename))
 * + 3 bytes. Returns the end of what was written (not NUL-terminated).
 */
static char *build_href(char *out, const char *path, const char *filename,
			bool is_dir)
{
	char *start = out;
	const char *parts[2] = {path, filename};

	for (int k = 0; k < 2; k++) {
		const char *s = parts[k];

		while (*s != '\0') {
			size_t n = strcspn(s, "/");

			if (n == 2 && strncmp(s, "..", 2) == 0) {
				/* Back to the '/' that began the last segment. */
				while (out > start && *--out != '/')
					continue;
			} else if (n > 0 && !(n == 1 && s[0] == '.')) {
				*out++ = '/';
				out = append_encoded(out, s, n);
			}
			s += n;
			if (*s == '/')
				s++;
		}
	}
	/* The root is "/"; any other directory ends with '/'. */
	if (out == start || is_dir)
		*out++ = '/';
	return out;
}

char *http_format_href(const char *path, const char *filename, bool is_dir)
{
	static const char open[] = "<a href=\"", middle[] = "\">",
			  close[] = "</a><br>\n";
	size_t max_href = 3 * (strlen(path) + strlen(filename)) + 3;
	char *line = malloc(sizeof open + max_href + sizeof middle +
			   strlen(filename) + sizeof close);
	char *p;

	if (line == NULL)
		return NULL;
	p = stpcpy(line, open);
	p = build_href(p, path, filename, is_dir);
	p = stpcpy(p, middle);
	p = stpcpy(p, filename);
	strcpy(p, close);
	return line;
}

char *http_format_index(const char *path)
{
	size_t len = strlen(path);
	const char *slash = len > 0 && path[len - 1] == '/' ? "" : "/";
	char *index = malloc(len + sizeof "/index.html");

	if (index == NULL)
		return NULL;
	sprintf(index, "%s%sindex.html", path, slash);
	return index;
}
