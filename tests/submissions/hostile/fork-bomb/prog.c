/* Forks without end: the container's process limit must stop it. */
#include <unistd.h>

int main(void)
{
	for (;;)
		fork();
}
