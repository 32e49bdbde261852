/* Pins 64 MiB of System V shared memory that outlives the program, then does the job. The
 * segment is charged to the container's memory (128 MiB): if it survived into the next check,
 * that check's own 64 MiB would run it out of memory. Each check must start without it. */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

int main(void)
{
	size_t size = 64u << 20;
	char buf[4096];
	ssize_t n;
	int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);

	if (id >= 0) {
		char *mem = shmat(id, NULL, 0);
		if (mem != (void *)-1) {
			memset(mem, 'x', size);	/* every page resident, and charged */
			shmdt(mem);
		}
	}
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(1, buf, (size_t)n) != n)
			return 1;
	return 0;
}
