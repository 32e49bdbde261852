/* Prints without end: the output cap must stop it. */
#include <unistd.h>

int main(void)
{
	static const char line[] = "flood flood flood flood flood flood flood flood\n";

	for (;;)
		if (write(1, line, sizeof line - 1) < 0)
			return 1;
}
