/*
 * libhttp.c: see libhttp.h.
 */

#include "libhttp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void out_of_memory(void)
{
	fputs("httpserver: out of memory\n", stderr);
	exit(1);
}

/* ------------------------------------------------------------ strbuf */

void strbuf_init(struct strbuf *sb)
{
	sb->capacity = 512;
	sb->length = 0;
	sb->data = malloc(sb->capacity);
	if (sb->data == NULL)
		out_of_memory();
}

void strbuf_add(struct strbuf *sb, const char *bytes, size_t n)
{
	if (sb->length + n > sb->capacity) {
		size_t want = sb->capacity;
		char *grown;

		while (sb->length + n > want)
			want += want / 2 + 64;
		grown = realloc(sb->data, want);
		if (grown == NULL)
			out_of_memory();
		sb->data = grown;
		sb->capacity = want;
	}
	memcpy(sb->data + sb->length, bytes, n);
	sb->length += n;
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_add_encoded(struct strbuf *sb, const char *s)
{
	static const char digits[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[3];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			strbuf_add(sb, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = digits[c >> 4];
		esc[2] = digits[c & 0xf];
		strbuf_add(sb, esc, 3);
	}
}

void strbuf_add_escaped(struct strbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': strbuf_puts(sb, "&amp;"); break;
		case '<': strbuf_puts(sb, "&lt;"); break;
		case '>': strbuf_puts(sb, "&gt;"); break;
		case '"': strbuf_puts(sb, "&quot;"); break;
		case '\'': strbuf_puts(sb, "&#39;"); break;
		default: strbuf_add(sb, s, 1); break;
		}
	}
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->length = sb->capacity = 0;
}

/* ----------------------------------------------------------- writing */

int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t k = write(fd, p + done, n - done);

		if (k > 0)
			done += (size_t)k;
		else if (k < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}

const char *http_get_response_message(int status)
{
	static const struct {
		int code;
		const char *text;
	} reasons[] = {
		{200, "OK"},
		{400, "Bad Request"},
		{403, "Forbidden"},
		{404, "Not Found"},
		{405, "Method Not Allowed"},
		{500, "Internal Server Error"},
		{502, "Bad Gateway"},
	};

	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "Unknown";
}

int http_send_head(int fd, int status, const char *type, long long length)
{
	char head[256];
	int n = snprintf(head, sizeof head,
			 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %lld\r\n\r\n",
			 status, http_get_response_message(status), type, length);

	if (n < 0 || (size_t)n >= sizeof head) {
		errno = EINVAL;
		return -1;
	}
	return write_all(fd, head, (size_t)n);
}

int http_send_error(int fd, int status)
{
	char body[128];
	int n = snprintf(body, sizeof body,
			 "<html><body><h1>%d %s</h1></body></html>\n", status,
			 http_get_response_message(status));

	if (http_send_head(fd, status, "text/html", n) < 0)
		return -1;
	return write_all(fd, body, (size_t)n);
}

const char *http_get_mime_type(const char *file_name)
{
	static const char *const table[][2] = {
		{"html", "text/html"},   {"htm", "text/html"},
		{"txt", "text/plain"},   {"css", "text/css"},
		{"js", "application/javascript"},
		{"json", "application/json"},
		{"png", "image/png"},    {"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},  {"gif", "image/gif"},
		{"pdf", "application/pdf"},
	};
	const char *name = strrchr(file_name, '/');
	const char *ext;

	name = name != NULL ? name + 1 : file_name;
	ext = strrchr(name, '.');
	if (ext != NULL)
		for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
			if (strcasecmp(ext + 1, table[i][0]) == 0)
				return table[i][1];
	return "application/octet-stream";
}

/* ----------------------------------------------------------- reading */

/*
 * Read until the head is complete. The end, "\r\n\r\n", is spotted with a
 * little state machine fed each new byte once. Returns the head's length,
 * or 0 when the client closed, failed or sent too much.
 */
static size_t read_head(int fd, char *buf, size_t cap)
{
	static const char end[] = "\r\n\r\n";
	size_t have = 0;
	int matched = 0;

	while (have < cap) {
		ssize_t n = read(fd, buf + have, cap - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		for (size_t i = have; i < have + (size_t)n; i++) {
			if (buf[i] == end[matched])
				matched++;
			else
				matched = buf[i] == '\r' ? 1 : 0;
			if (matched == 4)
				return i + 1;
		}
		have += (size_t)n;
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode %XX in place. False for a malformed escape or %00. */
static bool decode_in_place(char *s)
{
	char *out = s;

	while (*s != '\0') {
		if (*s == '%') {
			int hi = hex_digit(s[1]);
			int lo = hi < 0 ? -1 : hex_digit(s[2]);

			if (lo < 0 || (hi | lo) == 0)
				return false;
			*out++ = (char)(hi << 4 | lo);
			s += 3;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
	return true;
}

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static struct http_request *parse_line(char *line)
{
	char *sp1, *sp2, *version, *query;
	struct http_request *req;

	/* METHOD */
	for (sp1 = line; is_tchar((unsigned char)*sp1); sp1++)
		;
	if (sp1 == line || *sp1 != ' ')
		return NULL;
	/* SP /PATH: printable, no space */
	for (sp2 = sp1 + 1; (unsigned char)*sp2 > 0x20 && *sp2 != 0x7f; sp2++)
		;
	if (sp2 == sp1 + 1 || sp1[1] != '/' || *sp2 != ' ')
		return NULL;
	/* SP HTTP/d.d, then the line must end */
	version = sp2 + 1;
	if (strncmp(version, "HTTP/", 5) != 0 || version[5] < '0' ||
	    version[5] > '9' || version[6] != '.' || version[7] < '0' ||
	    version[7] > '9' || version[8] != '\0')
		return NULL;

	*sp1 = '\0';
	*sp2 = '\0';
	query = strchr(sp1 + 1, '?');
	if (query != NULL)
		*query = '\0';

	req = calloc(1, sizeof *req);
	if (req == NULL)
		return NULL;
	req->method = strdup(line);
	req->raw_path = strdup(sp1 + 1);
	req->path = strdup(sp1 + 1);
	if (req->method == NULL || req->raw_path == NULL || req->path == NULL ||
	    !decode_in_place(req->path)) {
		http_request_free(req);
		return NULL;
	}
	return req;
}

struct http_request *http_request_parse(int fd)
{
	char *buf = malloc(HTTP_MAX_REQUEST_SIZE + 1);
	struct http_request *req = NULL;
	size_t len;

	if (buf == NULL)
		return NULL;
	len = read_head(fd, buf, HTTP_MAX_REQUEST_SIZE);
	if (len > 0) {
		char *eol = memchr(buf, '\r', len);

		/* The head ends with "\r\n\r\n": the first line has its CR. */
		if (eol != NULL && eol[1] == '\n') {
			*eol = '\0';
			if (memchr(buf, '\0', (size_t)(eol - buf)) == NULL)
				req = parse_line(buf);
		}
	}
	free(buf);
	return req;
}

void http_request_free(struct http_request *request)
{
	if (request != NULL) {
		free(request->method);
		free(request->path);
		free(request->raw_path);
		free(request);
	}
}
