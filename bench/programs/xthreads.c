/*
 * xthreads.c - the programs benchmark's threaded C program: T threads,
 * each with a table of blocks it allocates, grows with realloc and frees,
 * and one step in eight hands a block to another thread through a shared
 * mailbox, so that it is freed by a thread (a CPU, for kmm) other than its
 * allocator's.  Sizes: mostly 8-512 bytes, some to 32 KiB, a few to 256 KiB.
 * The threads start together (a barrier, after each one's first malloc),
 * so all are alive at once: 600 threads are more than kmm's 512 CPUs.
 *
 *   xthreads THREADS STEPS
 *
 * Only malloc, realloc and free: the peers' and glibc's common ground (the
 * stricter checks of every API live in tests/malloc/threads.c).  Prints a
 * checksum of the first byte of every block freed (it varies with the
 * threads' interleaving: it only keeps the work observable); exits 1 if an
 * allocation fails.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS	256
#define MAILBOX	256

static int steps;
static pthread_barrier_t start;
static unsigned char *mailbox[MAILBOX];
static unsigned long long sums[1024];

static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t pick(unsigned long long *s)
{
	unsigned r = rnd(s) % 100;

	if (r < 80)
		return 8 + rnd(s) % 505;
	if (r < 98)
		return 8 + rnd(s) % 32761;
	return 8 + rnd(s) % 262137;
}

static unsigned char *get(size_t size)
{
	unsigned char *p = malloc(size);

	if (!p) {
		fprintf(stderr, "xthreads: malloc(%zu) failed\n", size);
		exit(1);
	}
	p[0] = (unsigned char)size;
	p[size - 1] = 1;
	return p;
}

static void *work(void *arg)
{
	long id = (long)arg;
	unsigned long long s = 0x9e3779b97f4a7c15ULL * (id + 1), sum = 0;
	unsigned char *slot[SLOTS] = { NULL };

	/* Every thread has called in (kmm: has its CPU, or turns) before any works. */
	slot[0] = get(pick(&s));
	pthread_barrier_wait(&start);
	for (int i = 0; i < steps; i++) {
		unsigned k = rnd(&s) % SLOTS, what = rnd(&s) % 8;

		if (!slot[k]) {
			slot[k] = get(pick(&s));
		} else if (what == 0) {
			/* Hand it over; free whatever was waiting there. */
			unsigned char *old = __atomic_exchange_n(&mailbox[rnd(&s) % MAILBOX], slot[k],
								 __ATOMIC_ACQ_REL);

			slot[k] = NULL;
			if (old) {
				sum += old[0];
				free(old);
			}
		} else if (what == 1) {
			size_t size = pick(&s);
			unsigned char *p = realloc(slot[k], size);

			if (!p) {
				fprintf(stderr, "xthreads: realloc(%zu) failed\n", size);
				exit(1);
			}
			p[0] = (unsigned char)size;
			p[size - 1] = 1;
			slot[k] = p;
		} else {
			sum += slot[k][0];
			free(slot[k]);
			slot[k] = NULL;
		}
	}
	for (int k = 0; k < SLOTS; k++)
		free(slot[k]);
	sums[id] = sum;
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0;
	pthread_t tid[1024];
	unsigned long long total = 0;

	if (n < 1 || n > 1024) {
		fprintf(stderr, "usage: xthreads THREADS(1-1024) STEPS\n");
		return 2;
	}
	steps = atoi(argv[2]);
	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (long i = 0; i < n; i++)
		if (pthread_create(&tid[i], NULL, work, (void *)i)) {
			fprintf(stderr, "xthreads: cannot create thread %ld\n", i);
			return 1;
		}
	for (int i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		total = total * 31 + sums[i];
	}
	for (int i = 0; i < MAILBOX; i++)
		free(mailbox[i]);
	printf("threads=%d steps=%d checksum=%016llx\n", n, steps, total);
	return 0;
}
