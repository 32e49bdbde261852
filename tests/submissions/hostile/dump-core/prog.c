/* Aborts, asking for a core dump: a crash with SIGABRT, and no core file (core limit 0). */
#include <stdlib.h>

int main(void)
{
	abort();
}
