/* Fills /tmp with many files (each under the file-size limit) until the disk is full, then
 * does the job. The size-capped tmpfs must stop the filling; nothing may reach the host. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	static char block[1 << 20];
	char name[64], buf[4096];
	ssize_t n;
	long total = 0;

	memset(block, 'x', sizeof block);
	for (int i = 0; i < 256; i++) {
		snprintf(name, sizeof name, "/tmp/fill-%d", i);
		FILE *f = fopen(name, "w");
		if (!f)
			break;
		int full = 0;
		for (int k = 0; k < 4 && !full; k++) {
			full = fwrite(block, 1, sizeof block, f) != sizeof block;
			total += !full;
		}
		full |= fclose(f) != 0;
		if (full)
			break;
	}
	if (total >= 256 * 4)
		printf("ESCAPED: wrote %ld MiB to /tmp without hitting a limit\n", total);
	for (int i = 0; i < 256; i++) {
		snprintf(name, sizeof name, "/tmp/fill-%d", i);
		unlink(name);
	}
	fflush(stdout);
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(1, buf, n) != n)
			return 1;
	return 0;
}
