/* Leaves a copy of its input where a later check could find it (its folder, /tmp, /dev/shm),
 * and looks for what an earlier check left, and for a check's name in its folder's path:
 * what it finds it prints, so finding anything fails the check. Each check must see
 * nothing of another. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int snoop(const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *e;
	int found = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "input-", 6) == 0) {
			printf("found %s/%s\n", folder, e->d_name);
			found = 1;
		}
	closedir(d);
	return found;
}

static void leave(const char *folder, const char *data, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/input-%d", folder, (int)getpid());
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(data, 1, n, f);
		fclose(f);
	}
}

int main(void)
{
	const char *places[] = {".", "..", "/tmp", "/dev/shm"};
	char cwd[4096], buf[4096];
	size_t n = fread(buf, 1, sizeof buf, stdin);

	for (size_t i = 0; i < sizeof places / sizeof *places; i++)
		snoop(places[i]);
	if (getcwd(cwd, sizeof cwd) && (strstr(cwd, "first") || strstr(cwd, "second")))
		printf("my check is named in %s\n", cwd);
	for (size_t i = 0; i < sizeof places / sizeof *places; i++)
		leave(places[i], buf, n);
	fwrite(buf, 1, n, stdout);
	return 0;
}
