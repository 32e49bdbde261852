/* Closes its stdout before writing anything, then reads all its input and exits 0. */
#include <unistd.h>

int main(void)
{
	char buf[4096];

	close(1);
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}
