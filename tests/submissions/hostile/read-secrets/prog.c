/* Tries to read what the sandbox hides from students: the agent's code, its input (the check
 * being run), and the init process's environment. Prints ESCAPED for anything it could read. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static void try(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY | O_NONBLOCK);

	if (fd >= 0 && read(fd, &c, 1) >= 0)
		printf("ESCAPED: read %s\n", path);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	char path[64], buf[4096];
	ssize_t n;

	try("/opt/grader/grader_agent/__main__.py");
	try("/proc/1/environ");
	snprintf(path, sizeof path, "/proc/%d/environ", (int)getppid());
	try(path);
	snprintf(path, sizeof path, "/proc/%d/fd/0", (int)getppid());
	try(path);
	fflush(stdout);
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(1, buf, n) != n)
			return 1;
	return 0;
}
