#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libhttp.h"

void http_fatal_error(char *message) {
  fprintf(stderr, "%s\n", message);
  exit(ENOBUFS);
}

/* Is c one of the characters an HTTP method (a token) is made of? */
static bool is_method_char(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
    return true;
  return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/*
 * Reads from fd until the buffer holds "\r\n\r\n" (the end of the headers).
 * Returns false if the client closed or failed first, or sent too much.
 */
static bool read_request_head(int fd, char *buffer, size_t capacity) {
  size_t used = 0;
  buffer[0] = '\0';
  while (strstr(buffer, "\r\n\r\n") == NULL) {
    if (used == capacity)
      return false;
    ssize_t n = read(fd, buffer + used, capacity - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    /* A NUL byte would hide the rest from strstr(): nothing valid has one. */
    if (memchr(buffer + used, '\0', (size_t) n) != NULL)
      return false;
    used += (size_t) n;
    buffer[used] = '\0';
  }
  return true;
}

struct http_request *http_request_parse(int fd) {
  struct http_request *request = calloc(1, sizeof(struct http_request));
  if (!request) http_fatal_error("Malloc failed");

  char *read_buffer = malloc(LIBHTTP_REQUEST_MAX_SIZE + 1);
  if (!read_buffer) http_fatal_error("Malloc failed");

  char *read_start, *read_end;
  size_t read_size;

  do {
    if (!read_request_head(fd, read_buffer, LIBHTTP_REQUEST_MAX_SIZE)) break;

    /* Read in the HTTP method: a token, "GET" */
    read_start = read_end = read_buffer;
    while (is_method_char(*read_end)) read_end++;
    read_size = read_end - read_start;
    if (read_size == 0) break;
    request->method = malloc(read_size + 1);
    if (!request->method) http_fatal_error("Malloc failed");
    memcpy(request->method, read_start, read_size);
    request->method[read_size] = '\0';

    /* Read in a space character. */
    if (*read_end != ' ') break;
    read_end++;

    /* Read in the path: "/[^ ]*", no control characters */
    read_start = read_end;
    while ((unsigned char) *read_end > ' ' && *read_end != 0x7f) read_end++;
    read_size = read_end - read_start;
    if (read_size == 0 || *read_start != '/') break;
    /* The query names no file. */
    char *query = memchr(read_start, '?', read_size);
    if (query != NULL) read_size = query - read_start;
    request->path = malloc(read_size + 1);
    if (!request->path) http_fatal_error("Malloc failed");
    memcpy(request->path, read_start, read_size);
    request->path[read_size] = '\0';

    /* Read in the HTTP version: " HTTP/x.y\r\n" */
    if (*read_end != ' ') break;
    read_end++;
    if (strncmp(read_end, "HTTP/", 5) != 0) break;
    read_end += 5;
    if (*read_end < '0' || *read_end > '9') break;
    read_end++;
    if (*read_end != '.') break;
    read_end++;
    if (*read_end < '0' || *read_end > '9') break;
    read_end++;
    if (strncmp(read_end, "\r\n", 2) != 0) break;

    /* The headers are read, and ignored. */
    free(read_buffer);
    return request;
  } while (0);

  /* An error occurred. */
  http_request_free(request);
  free(read_buffer);
  return NULL;
}

void http_request_free(struct http_request *request) {
  if (request == NULL)
    return;
  free(request->method);
  free(request->path);
  free(request);
}

char *http_get_response_message(int status_code) {
  switch (status_code) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 502:
      return "Bad Gateway";
    default:
      return "Internal Server Error";
  }
}

bool http_send_data(int fd, char *data, size_t size) {
  while (size > 0) {
    ssize_t bytes_sent = write(fd, data, size);
    if (bytes_sent < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    size -= bytes_sent;
    data += bytes_sent;
  }
  return true;
}

bool http_send_string(int fd, char *data) {
  return http_send_data(fd, data, strlen(data));
}

bool http_start_response(int fd, int status_code) {
  char line[64];
  snprintf(line, sizeof(line), "HTTP/1.0 %d %s\r\n", status_code,
           http_get_response_message(status_code));
  return http_send_string(fd, line);
}

bool http_send_header(int fd, char *key, char *value) {
  size_t length = strlen(key) + strlen(value) + 5;
  char *line = malloc(length);
  if (!line) http_fatal_error("Malloc failed");
  snprintf(line, length, "%s: %s\r\n", key, value);
  bool ok = http_send_string(fd, line);
  free(line);
  return ok;
}

bool http_end_headers(int fd) {
  return http_send_string(fd, "\r\n");
}

char *http_get_mime_type(char *file_name) {
  char *file_extension = strrchr(file_name, '.');
  if (file_extension == NULL) {
    return "text/plain";
  }

  if (strcmp(file_extension, ".html") == 0 || strcmp(file_extension, ".htm") == 0) {
    return "text/html";
  } else if (strcmp(file_extension, ".jpg") == 0 || strcmp(file_extension, ".jpeg") == 0) {
    return "image/jpeg";
  } else if (strcmp(file_extension, ".png") == 0) {
    return "image/png";
  } else if (strcmp(file_extension, ".css") == 0) {
    return "text/css";
  } else if (strcmp(file_extension, ".js") == 0) {
    return "application/javascript";
  } else if (strcmp(file_extension, ".pdf") == 0) {
    return "application/pdf";
  } else {
    return "text/plain";
  }
}

void http_format_href(char *buffer, char *path, char *filename) {
  /* One '/' between the two halves, and one in front: a leading "//" would
   * make the browser read the first segment as a host name. */
  while (*path == '/') path++;
  size_t path_length = strlen(path);
  while (path_length > 0 && path[path_length - 1] == '/') path_length--;
  int length = strlen("<a href=\"//\"></a><br/>\n") + path_length + strlen(filename) * 2 + 1;
  if (path_length == 0)
    snprintf(buffer, length, "<a href=\"/%s\">%s</a><br/>\n", filename, filename);
  else
    snprintf(buffer, length, "<a href=\"/%.*s/%s\">%s</a><br/>\n", (int) path_length, path,
             filename, filename);
}

void http_format_index(char *buffer, char *path) {
  int length = strlen(path) + strlen("/index.html") + 1;
  snprintf(buffer, length, "%s/index.html", path);
}
