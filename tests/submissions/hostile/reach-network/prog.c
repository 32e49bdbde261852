/* Tries to reach the network. It only ever attempts a connection when loopback is the sole
 * interface (so nothing can leave), to a documentation address (192.0.2.1, never routed). */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	char buf[4096];
	ssize_t n;
	int others = 0;
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && strcmp(e->d_name, "lo") != 0) {
			printf("ESCAPED: network interface %s\n", e->d_name);
			others = 1;
		}
	if (d)
		closedir(d);
	if (!others) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80) };
		int s = socket(AF_INET, SOCK_STREAM, 0);

		inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
		if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0)
			printf("ESCAPED: connected to 192.0.2.1\n");
	}
	fflush(stdout);
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(1, buf, n) != n)
			return 1;
	return 0;
}
