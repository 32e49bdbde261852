/* Binds port 80 and listens. Inside the sandbox that is its own loopback, nobody else's:
 * the program then does its job, and nothing on the host listens on port 80 because of it. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	char buf[4096];
	ssize_t n;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0)
		listen(s, 1);
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(1, buf, n) != n)
			return 1;
	return 0;
}
