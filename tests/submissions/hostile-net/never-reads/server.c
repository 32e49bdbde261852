/* Accepts every client and never reads from it or closes it: a client that sends more than
 * the socket buffers hold blocks in send(). The agent must not block with it. */
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1, listener = socket(AF_INET, SOCK_STREAM, 0);

	if (argc != 2 || listener < 0)
		return 1;
	addr.sin_port = htons((unsigned short)atoi(argv[1]));
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 16) < 0)
		return 1;
	for (;;)
		if (accept(listener, NULL, NULL) < 0)	/* kept open, never read */
			sleep(1);
}
