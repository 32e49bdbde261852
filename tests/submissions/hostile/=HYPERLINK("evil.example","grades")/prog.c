/* A correct program in a folder named like a spreadsheet formula: the gradebook must show
 * the name, never run it. Copies stdin to stdout. */
#include <unistd.h>

int main(void)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(1, buf, n) != n)
			return 1;
	return n < 0;
}
