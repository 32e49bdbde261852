/* Sends every client bytes without end and never reads what it is sent: the agent must keep
 * only a bounded part of what arrives, and charge the check to the student. */
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char flood[65536];
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (argc != 2 || fd < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	memset(flood, 'F', sizeof flood);
	addr.sin_port = htons((unsigned short)atoi(argv[1]));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 16) < 0)
		return 1;
	for (;;) {
		int conn = accept(fd, NULL, NULL);

		while (conn >= 0 && write(conn, flood, sizeof flood) > 0)
			;
		close(conn);
	}
}
