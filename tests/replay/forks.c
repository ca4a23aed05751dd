/*
 * forks.c - a program that forks, for the strace replay test.  The parent
 * maps memory, forks twice (fork, then vfork whose child exits at once);
 * the first child changes its copy (unmaps, protects, grows its heap with
 * brk through malloc, remaps with mremap) and exits; the parent waits,
 * then remaps its own copy, which the child's changes must not reach.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	char *a = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, 256 << 10, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t child, v;

	if (a == MAP_FAILED || b == MAP_FAILED)
		return 1;
	memset(a, 1, 4096);
	child = fork();
	if (child == 0) {
		char *c;
		void *heap = malloc(200 << 10);		/* brk, or an mmap past the threshold */

		munmap(a + (512 << 10), 256 << 10);
		mprotect(a, 4096, PROT_READ);
		c = mremap(b, 256 << 10, 512 << 10, MREMAP_MAYMOVE);
		(void)c;
		free(heap);
		(void)sbrk(64 << 10);
		exit(0);
	}
	waitpid(child, NULL, 0);
	v = vfork();
	if (v == 0)
		_exit(3);
	waitpid(v, NULL, 0);
	a = mremap(a, 1 << 20, 4 << 20, MREMAP_MAYMOVE);
	munmap(b + 4096, 4096);
	/* a failed call: an unaligned munmap is EINVAL here and in the log */
	munmap(a + 1, 4096);
	return 0;
}
