#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libhttp.h"
#include "wq.h"

#if defined(BASICSERVER) + defined(FORKSERVER) + defined(THREADSERVER) + defined(POOLSERVER) != 1
#error "compile with exactly one of BASICSERVER, FORKSERVER, THREADSERVER, POOLSERVER"
#endif

/*
 * Global configuration variables.
 * You need to use these in your implementation of handle_files_request and
 * handle_proxy_request. Their values are set up in main() using the
 * command line arguments (already implemented for you).
 */
wq_t work_queue; // Only used by poolserver
int num_threads; // Only used by poolserver
int server_port; // Default value: 8000
char *server_files_directory;
char *server_proxy_hostname;
char *server_proxy_port; // a string: getaddrinfo() wants one
char *program_name = "httpserver";

#define FILE_BUFFER_SIZE 4096
#define PROXY_BUFFER_SIZE 8192

/*
 * Sends a whole error response: the status line, Content-Type and
 * Content-Length, and a tiny HTML page.
 */
void send_error_response(int fd, int status_code) {
  char body[128];
  char length[16];
  snprintf(body, sizeof(body), "<center><h1>%d %s</h1><hr></center>\n", status_code,
           http_get_response_message(status_code));
  snprintf(length, sizeof(length), "%zu", strlen(body));
  if (http_start_response(fd, status_code) && http_send_header(fd, "Content-Type", "text/html") &&
      http_send_header(fd, "Content-Length", length) && http_end_headers(fd))
    http_send_string(fd, body);
}

/*
 * Serves the contents the file stored at `path` to the client socket `fd`.
 * A file that cannot be opened is a 404, like a missing one.
 */
void serve_file(int fd, char *path) {
  int file_fd = open(path, O_RDONLY);
  if (file_fd < 0) {
    send_error_response(fd, 404);
    return;
  }
  struct stat st;
  if (fstat(file_fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    close(file_fd);
    send_error_response(fd, 404);
    return;
  }

  char content_length[32];
  snprintf(content_length, sizeof(content_length), "%lld", (long long) st.st_size);

  if (!http_start_response(fd, 200) ||
      !http_send_header(fd, "Content-Type", http_get_mime_type(path)) ||
      !http_send_header(fd, "Content-Length", content_length) ||
      !http_send_header(fd, "Server", "httpserver/1.0") || !http_end_headers(fd)) {
    close(file_fd);
    return;
  }

  char buffer[FILE_BUFFER_SIZE];
  for (;;) {
    ssize_t bytes_read = read(file_fd, buffer, sizeof(buffer));
    if (bytes_read < 0 && errno == EINTR)
      continue;
    if (bytes_read <= 0)
      break;
    if (!http_send_data(fd, buffer, (size_t) bytes_read))
      break; /* the client went away: stop here */
  }
  close(file_fd);
}

/* Appends the string s to the growing page *buffer (of *length bytes). */
static void append(char **buffer, size_t *length, size_t *capacity, const char *s) {
  size_t n = strlen(s);
  if (*length + n + 1 > *capacity) {
    while (*length + n + 1 > *capacity)
      *capacity *= 2;
    char *bigger = realloc(*buffer, *capacity);
    if (bigger == NULL)
      http_fatal_error("Malloc failed");
    *buffer = bigger;
  }
  memcpy(*buffer + *length, s, n + 1);
  *length += n;
}

/*
 * Lists the directory at `path` (its URL is `url_path`): a link to the parent
 * directory, then one link per entry.
 */
void serve_directory(int fd, char *path, char *url_path) {
  struct dirent **entries;
  int count = scandir(path, &entries, NULL, alphasort);
  if (count < 0) {
    send_error_response(fd, 404);
    return;
  }

  size_t capacity = 1024, length = 0;
  char *page = malloc(capacity);
  if (page == NULL)
    http_fatal_error("Malloc failed");
  page[0] = '\0';
  append(&page, &length, &capacity, "<html><body>\n");

  /* The parent directory: "../" taken from the directory's own absolute URL,
   * so that it works with or without a trailing slash in the request. */
  char *parent = malloc(strlen(url_path) + 64);
  if (parent == NULL)
    http_fatal_error("Malloc failed");
  char *trimmed = url_path;
  while (*trimmed == '/') trimmed++;
  size_t trimmed_length = strlen(trimmed);
  while (trimmed_length > 0 && trimmed[trimmed_length - 1] == '/') trimmed_length--;
  if (trimmed_length == 0)
    sprintf(parent, "<a href=\"/../\">Parent directory</a><br/>\n");
  else
    sprintf(parent, "<a href=\"/%.*s/../\">Parent directory</a><br/>\n", (int) trimmed_length,
            trimmed);
  append(&page, &length, &capacity, parent);
  free(parent);

  for (int i = 0; i < count; i++) {
    char *name = entries[i]->d_name;
    if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
      char *line = malloc(strlen(url_path) + 2 * strlen(name) + 32);
      if (line == NULL)
        http_fatal_error("Malloc failed");
      http_format_href(line, url_path, name);
      append(&page, &length, &capacity, line);
      free(line);
    }
    free(entries[i]);
  }
  free(entries);
  append(&page, &length, &capacity, "</body></html>\n");

  char content_length[32];
  snprintf(content_length, sizeof(content_length), "%zu", length);
  if (http_start_response(fd, 200) && http_send_header(fd, "Content-Type", "text/html") &&
      http_send_header(fd, "Content-Length", content_length) &&
      http_send_header(fd, "Server", "httpserver/1.0") && http_end_headers(fd))
    http_send_data(fd, page, length);
  free(page);
}

/* Does the URL path have a ".." segment ("/..", "/a/../b", "/a/..")? */
static int has_dotdot_segment(char *path) {
  char *segment = path;
  while (*segment != '\0') {
    size_t n = strcspn(segment, "/");
    if (n == 2 && segment[0] == '.' && segment[1] == '.')
      return 1;
    segment += n;
    if (*segment == '/')
      segment++;
  }
  return 0;
}

/*
 * Reads an HTTP request from client socket (fd), and writes an HTTP response
 * containing:
 *
 *   1) If user requested an existing file, respond with the file
 *   2) If user requested a directory and index.html exists in the directory,
 *      send the index.html file.
 *   3) If user requested a directory and index.html doesn't exist, send a list
 *      of files in the directory with links to each.
 *   4) Send a 404 Not Found response.
 *
 *   Closes the client socket (fd) when finished.
 */
void handle_files_request(int fd) {
  struct http_request *request = http_request_parse(fd);

  if (request == NULL) {
    send_error_response(fd, 400);
    close(fd);
    return;
  }
  if (strcmp(request->method, "GET") != 0) {
    send_error_response(fd, 405);
    http_request_free(request);
    close(fd);
    return;
  }
  if (has_dotdot_segment(request->path)) {
    send_error_response(fd, 403);
    http_request_free(request);
    close(fd);
    return;
  }

  char *path = malloc(strlen(server_files_directory) + strlen(request->path) + 1);
  if (path == NULL)
    http_fatal_error("Malloc failed");
  strcpy(path, server_files_directory);
  strcat(path, request->path);

  struct stat st;
  if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
    serve_file(fd, path);
  } else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    char *index_path = malloc(strlen(path) + strlen("/index.html") + 1);
    if (index_path == NULL)
      http_fatal_error("Malloc failed");
    http_format_index(index_path, path);
    struct stat index_st;
    if (stat(index_path, &index_st) == 0 && S_ISREG(index_st.st_mode))
      serve_file(fd, index_path);
    else
      serve_directory(fd, path, request->path);
    free(index_path);
  } else {
    send_error_response(fd, 404);
  }

  free(path);
  http_request_free(request);
  close(fd);
}

struct proxy_pipe {
  int from_fd;
  int to_fd;
};

/*
 * The client-to-upstream half of the proxy, run in its own thread. When the
 * client has sent everything, upstream hears it through a half-close; any
 * error tears both connections down.
 */
void *relay_client_to_upstream(void *arg) {
  struct proxy_pipe *pipe = arg;
  char buffer[PROXY_BUFFER_SIZE];
  for (;;) {
    ssize_t n = read(pipe->from_fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR)
      continue;
    if (n == 0) {
      shutdown(pipe->to_fd, SHUT_WR);
      break;
    }
    if (n < 0 || !http_send_data(pipe->to_fd, buffer, (size_t) n)) {
      shutdown(pipe->from_fd, SHUT_RDWR);
      shutdown(pipe->to_fd, SHUT_RDWR);
      break;
    }
  }
  return NULL;
}

/* A connection to server_proxy_hostname:server_proxy_port, or -1. */
static int connect_to_upstream(void) {
  struct addrinfo hints, *results, *ai;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(server_proxy_hostname, server_proxy_port, &hints, &results) != 0)
    return -1;
  int target_fd = -1;
  for (ai = results; ai != NULL && target_fd < 0; ai = ai->ai_next) {
    target_fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (target_fd >= 0 && connect(target_fd, ai->ai_addr, ai->ai_addrlen) < 0) {
      close(target_fd);
      target_fd = -1;
    }
  }
  freeaddrinfo(results);
  return target_fd;
}

/*
 * Opens a connection to the proxy target (hostname=server_proxy_hostname and
 * port=server_proxy_port) and relays traffic to/from the stream fd and the
 * proxy target_fd. HTTP requests from the client (fd) should be sent to the
 * proxy target (target_fd), and HTTP responses from the proxy target (target_fd)
 * should be sent to the client (fd).
 *
 *   +--------+     +------------+     +--------------+
 *   | client | <-> | httpserver | <-> | proxy target |
 *   +--------+     +------------+     +--------------+
 *
 *   Closes client socket (fd) and proxy target fd (target_fd) when finished.
 */
void handle_proxy_request(int fd) {
  int target_fd = connect_to_upstream();
  if (target_fd < 0) {
    /* Dummy request parsing, just to be compliant. */
    struct http_request *request = http_request_parse(fd);
    http_request_free(request);
    send_error_response(fd, 502);
    close(fd);
    return;
  }

  /* One thread per direction: this one carries upstream's answers. */
  struct proxy_pipe up = {fd, target_fd};
  pthread_t up_thread;
  if (pthread_create(&up_thread, NULL, relay_client_to_upstream, &up) != 0) {
    close(target_fd);
    close(fd);
    return;
  }

  char buffer[PROXY_BUFFER_SIZE];
  for (;;) {
    ssize_t n = read(target_fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0 || !http_send_data(fd, buffer, (size_t) n))
      break;
  }
  /* Upstream is done (or a side failed): wake the other thread, wherever it
   * is blocked, and wait for it before closing anything. */
  shutdown(fd, SHUT_RD);
  shutdown(target_fd, SHUT_RDWR);
  pthread_join(up_thread, NULL);
  close(target_fd);
  close(fd);
}

#ifdef POOLSERVER
void (*pool_request_handler)(int);

void *handle_clients(void *unused) {
  (void) unused;
  for (;;) {
    int client_socket_fd = wq_pop(&work_queue);
    pool_request_handler(client_socket_fd);
  }
  return NULL;
}

void init_thread_pool(int num_threads, void (*request_handler)(int)) {
  pool_request_handler = request_handler;
  for (int i = 0; i < num_threads; i++) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, handle_clients, NULL) != 0) {
      perror("pthread_create");
      exit(1);
    }
    pthread_detach(thread);
  }
}
#endif

#ifdef THREADSERVER
struct thread_args {
  int client_socket_fd;
  void (*request_handler)(int);
};

void *serve_in_thread(void *arg) {
  struct thread_args args = *(struct thread_args *) arg;
  free(arg);
  args.request_handler(args.client_socket_fd);
  return NULL;
}
#endif

#ifdef FORKSERVER
/* Reaps every child that has exited, so that none lingers as a zombie. */
void reap_children(int signum) {
  (void) signum;
  int saved_errno = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0)
    ;
  errno = saved_errno;
}
#endif

void dispatch(int client_socket_number, int server_socket_number,
              void (*request_handler)(int)) {
  (void) server_socket_number;
#ifdef BASICSERVER
  request_handler(client_socket_number);
#elif defined(FORKSERVER)
  pid_t pid = fork();
  if (pid == 0) {
    close(server_socket_number);
    request_handler(client_socket_number);
    _exit(0);
  }
  if (pid < 0)
    perror("fork");
  close(client_socket_number);
#elif defined(THREADSERVER)
  struct thread_args *args = malloc(sizeof(struct thread_args));
  pthread_t thread;
  if (args == NULL) {
    close(client_socket_number);
    return;
  }
  args->client_socket_fd = client_socket_number;
  args->request_handler = request_handler;
  if (pthread_create(&thread, NULL, serve_in_thread, args) != 0) {
    perror("pthread_create");
    free(args);
    close(client_socket_number);
    return;
  }
  pthread_detach(thread);
#elif defined(POOLSERVER)
  (void) request_handler; /* the workers already know it */
  wq_push(&work_queue, client_socket_number);
#endif
}

/*
 * Opens a TCP stream socket on all interfaces with port number PORTNO. Saves
 * the fd number of the server socket in *socket_number. For each accepted
 * connection, calls request_handler with the accepted fd number.
 */
void serve_forever(int *socket_number, void (*request_handler)(int)) {
  struct sockaddr_in server_address, client_address;
  socklen_t client_address_length = sizeof(client_address);
  int client_socket_number;

  *socket_number = socket(PF_INET, SOCK_STREAM, 0);
  if (*socket_number == -1) {
    perror("Failed to create a new socket");
    exit(1);
  }

  int socket_option = 1;
  if (setsockopt(*socket_number, SOL_SOCKET, SO_REUSEADDR, &socket_option,
                 sizeof(socket_option)) == -1) {
    perror("Failed to set socket options");
    exit(1);
  }

  memset(&server_address, 0, sizeof(server_address));
  server_address.sin_family = AF_INET;
  server_address.sin_addr.s_addr = INADDR_ANY;
  server_address.sin_port = htons(server_port);

  if (bind(*socket_number, (struct sockaddr *) &server_address, sizeof(server_address)) == -1) {
    perror("Failed to bind on socket");
    exit(1);
  }

  if (listen(*socket_number, 1024) == -1) {
    perror("Failed to listen on socket");
    exit(1);
  }

#ifdef POOLSERVER
  wq_init(&work_queue);
  init_thread_pool(num_threads, request_handler);
#endif

  for (;;) {
    client_address_length = sizeof(client_address);
    client_socket_number = accept(*socket_number, (struct sockaddr *) &client_address,
                                  &client_address_length);
    if (client_socket_number < 0) {
      if (errno != EINTR && errno != ECONNABORTED) {
        perror("Error accepting socket");
        sleep(1);
      }
      continue;
    }
    dispatch(client_socket_number, *socket_number, request_handler);
  }
}

int server_fd;

char *USAGE = "Usage: ./%s --files some_directory/ [--port 8000 --num-threads 5]\n"
              "       ./%s --proxy inst.eecs.berkeley.edu:80 [--port 8000 --num-threads 5]\n";

void exit_with_usage(void) {
  fprintf(stderr, USAGE, program_name, program_name);
  exit(1);
}

/* A whole decimal number from low to high, or -1. */
static long parse_bounded(char *s, long low, long high) {
  if (s == NULL || *s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  long value = strtol(s, &end, 10);
  if (errno != 0 || *end != '\0' || value < low || value > high)
    return -1;
  return value;
}

/* Splits HOST[:PORT] ("[v6]:PORT" too) into the two proxy globals. */
static void parse_proxy_target(char *target) {
  char *host = target, *port = NULL;
  if (*host == '[') {
    char *close_bracket = strchr(host, ']');
    if (close_bracket == NULL || (close_bracket[1] != '\0' && close_bracket[1] != ':'))
      exit_with_usage();
    *close_bracket = '\0';
    host++;
    if (close_bracket[1] == ':')
      port = close_bracket + 2;
  } else {
    char *colon = strrchr(host, ':');
    if (colon != NULL) {
      *colon = '\0';
      port = colon + 1;
    }
  }
  if (*host == '\0' || (port != NULL && parse_bounded(port, 1, 65535) < 0))
    exit_with_usage();
  server_proxy_hostname = host;
  server_proxy_port = port != NULL ? port : "80";
}

int main(int argc, char **argv) {
  void (*request_handler)(int) = NULL;
  char *proxy_target = NULL;
  int have_num_threads = 0;

  char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
  if (argc > 0)
    program_name = slash ? slash + 1 : argv[0];

  server_port = 8000;
  num_threads = 1;

  for (int i = 1; i < argc; i++) {
    char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (value == NULL)
      exit_with_usage();
    if (strcmp("--files", argv[i]) == 0) {
      server_files_directory = value;
    } else if (strcmp("--proxy", argv[i]) == 0) {
      proxy_target = value;
    } else if (strcmp("--port", argv[i]) == 0) {
      long port = parse_bounded(value, 1, 65535);
      if (port < 0)
        exit_with_usage();
      server_port = (int) port;
    } else if (strcmp("--num-threads", argv[i]) == 0) {
      long threads = parse_bounded(value, 1, 1024);
      if (threads < 0)
        exit_with_usage();
      num_threads = (int) threads;
      have_num_threads = 1;
    } else {
      exit_with_usage();
    }
    i++;
  }

  if ((server_files_directory == NULL) == (proxy_target == NULL))
    exit_with_usage();
#ifdef POOLSERVER
  if (!have_num_threads)
    exit_with_usage();
#else
  (void) have_num_threads;
#endif

  if (proxy_target != NULL) {
    parse_proxy_target(proxy_target);
    request_handler = handle_proxy_request;
  } else {
    struct stat st;
    if (stat(server_files_directory, &st) < 0 || !S_ISDIR(st.st_mode)) {
      fprintf(stderr, "%s: %s is not a directory\n", program_name, server_files_directory);
      exit(1);
    }
    request_handler = handle_files_request;
  }

  /* A client that hangs up mid-response must not kill the server. */
  signal(SIGPIPE, SIG_IGN);
#ifdef FORKSERVER
  struct sigaction reaper;
  memset(&reaper, 0, sizeof(reaper));
  reaper.sa_handler = reap_children;
  sigemptyset(&reaper.sa_mask);
  reaper.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &reaper, NULL);
#endif

  serve_forever(&server_fd, request_handler);

  return EXIT_SUCCESS;
}
