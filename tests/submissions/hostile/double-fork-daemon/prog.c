/* Does the job, but leaves a daemon behind (double fork + setsid): it must be found and killed. */
#include <unistd.h>

int main(void)
{
	char buf[4096];
	ssize_t n;

	if (fork() == 0) {
		setsid();
		if (fork() == 0) {
			close(0);
			close(1);
			close(2);
			for (;;)
				pause();
		}
		_exit(0);
	}
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(1, buf, n) != n)
			return 1;
	return 0;
}
