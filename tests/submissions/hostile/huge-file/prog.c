/* Writes one file far bigger than the file-size limit: SIGXFSZ must stop it. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	static char block[1 << 20];
	FILE *f = fopen("huge.bin", "w");

	memset(block, 'x', sizeof block);
	for (int i = 0; f && i < 1024; i++)
		fwrite(block, 1, sizeof block, f);
	return 0;
}
