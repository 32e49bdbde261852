/* Spins on the CPU: the CPU-time limit must stop it. */
int main(void)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
}
