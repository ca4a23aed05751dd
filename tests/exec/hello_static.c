/* hello_static.c - the static program the exec tests load (built with -static at configure time). */
#include <stdio.h>

static char bss[3 * 4096];			/* a bss of several pages */
int data = 42;					/* a data segment */

int main(int argc, char **argv)
{
	bss[argc] = (char)data;
	printf("hello from %s (%d)\n", argv[0], bss[argc]);
	return 0;
}
