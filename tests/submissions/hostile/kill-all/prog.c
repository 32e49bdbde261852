/* kill(-1, SIGKILL): every process this user may signal (Linux spares the caller). The grader
 * must survive it; the program then does its job. */
#include <signal.h>
#include <unistd.h>

int main(void)
{
	char buf[4096];
	ssize_t n;

	kill(-1, SIGKILL);
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(1, buf, n) != n)
			return 1;
	return 0;
}
