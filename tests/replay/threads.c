/*
 * threads.c - a multi-threaded program for the strace replay test: four
 * threads (clone3 or clone with CLONE_VM|CLONE_THREAD, each on a stack
 * glibc mmaps) map, protect, advise and unmap memory of their own, then
 * the main thread maps what the threads returned into a ring.
 *
 * "threads serial": the threads take turns (each waits for the one before
 * to end its calls), so that the log's order of results is the order in
 * which the kernel placed the mappings -- what the replay with --exec
 * compares placement by (concurrent calls may be placed in either order).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define NTHREADS 4

static void *work(uintptr_t i);

static pthread_mutex_t turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cond = PTHREAD_COND_INITIALIZER;
static int serial, turn;

static void wait_turn(uintptr_t i)
{
	pthread_mutex_lock(&turn_lock);
	while (serial && turn != (int)i)
		pthread_cond_wait(&turn_cond, &turn_lock);
	pthread_mutex_unlock(&turn_lock);
}

static void next_turn(void)
{
	pthread_mutex_lock(&turn_lock);
	turn++;
	pthread_cond_broadcast(&turn_cond);
	pthread_mutex_unlock(&turn_lock);
}

static void *worker(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	void *p = (wait_turn(i), work(i));

	next_turn();
	return p;
}

static void *work(uintptr_t i)
{
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

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	void *ret[NTHREADS];
	char *ring;

	serial = argc > 1 && !strcmp(argv[1], "serial");
	turn = serial ? -1 : 0;		/* serial: no thread starts before all exist */
	for (uintptr_t i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	next_turn();
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], &ret[i]);
	ring = mmap(NULL, 3 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ring != MAP_FAILED)
		mprotect(ring + (1 << 20), 1 << 20, PROT_READ | PROT_WRITE);
	/* a failed call, which kmm must fail too */
	mprotect((void *)4096, 4096, PROT_READ);
	return 0;
}
