/*
 * threads.c - a multi-threaded program for the strace replay test: four
 * threads (clone3 or clone with CLONE_VM|CLONE_THREAD, each on a stack
 * glibc mmaps) map, protect, advise and unmap memory of their own, then
 * the main thread maps what the threads returned into a ring.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define NTHREADS 4

static void *worker(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	size_t len = (i + 1) << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q;

	if (p == MAP_FAILED)
		return NULL;
	memset(p, (int)i, 4096);
	mprotect(p + 4096, 4096, PROT_READ);	/* splits the mapping in three */
	madvise(p, len, MADV_DONTNEED);
	q = mmap(NULL, 65536, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(q, 65536);
	munmap(p + len - 8192, 8192);
	return p;
}

int main(void)
{
	pthread_t t[NTHREADS];
	void *ret[NTHREADS];
	char *ring;

	for (uintptr_t i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], &ret[i]);
	ring = mmap(NULL, 3 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ring != MAP_FAILED)
		mprotect(ring + (1 << 20), 1 << 20, PROT_READ | PROT_WRITE);
	/* a failed call, which kmm must fail too */
	mprotect((void *)4096, 4096, PROT_READ);
	return 0;
}
