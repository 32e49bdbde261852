/* Ignores SIGTERM and sleeps for ever: the wall-time limit and SIGKILL must stop it. */
#include <signal.h>
#include <unistd.h>

int main(void)
{
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	for (;;)
		pause();
}
