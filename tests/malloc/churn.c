/*
 * churn.c - a program that starts and ends many short threads.
 *
 *   churn NTHREADS [MAXWAVE [HOLD]]
 *
 * The threads come in waves: wave w starts 1 + (w * 37) % MAXWAVE threads
 * at once (default MAXWAVE 48), waits for them all and starts the next,
 * until NTHREADS have run; so the number of threads alive goes up and down
 * between 1 and MAXWAVE.  Each thread allocates a few blocks (32 B to
 * 64 KiB), checks and frees half of them, and leaves the other half in a
 * shared table where the next wave's threads free them: every thread frees
 * blocks that a thread now gone allocated.
 *
 * Then HOLD threads (default 0) each allocate a block and wait, and the
 * program exits with them still alive: the library's dump at exit sees
 * their CPUs.
 *
 * Under libkmm-malloc.so every thread takes a CPU of its own and gives it
 * back at exit; with KMM_MALLOC_DUMP, /sys/devices/system/cpu/online in the
 * dump shows how many stayed online (tests/malloc/churn.sh).
 *
 * What it prints depends only on its arguments; a problem goes to stderr
 * and makes the exit status 1.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PER_THREAD	8
#define TABLE		4096

struct left {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

static struct left table[TABLE];	/* slot (thread * 4 + i) % TABLE */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static int errors;

static void fail(const char *what)
{
	fprintf(stderr, "churn: %s\n", what);
	__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
}

static int check(const unsigned char *p, size_t size, unsigned char fill)
{
	for (size_t i = 0; i < size; i++)
		if (p[i] != fill)
			return 0;
	return 1;
}

/* Leave @l in the table; free whatever an earlier thread left in that slot. */
static void leave(unsigned int slot, struct left l)
{
	struct left old;

	pthread_mutex_lock(&table_lock);
	old = table[slot % TABLE];
	table[slot % TABLE] = l;
	pthread_mutex_unlock(&table_lock);
	if (old.p) {
		if (!check(old.p, old.size, old.fill))
			fail("a block left by an ended thread changed");
		free(old.p);
	}
}

static void *run(void *arg)
{
	unsigned int id = (unsigned int)(unsigned long)arg, x = id * 2654435761u + 1;

	for (int i = 0; i < PER_THREAD; i++) {
		size_t size;
		unsigned char *p;

		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		size = 32 + x % (i == 0 ? 65536 : 2048);
		p = malloc(size);
		if (!p) {
			fail("malloc failed");
			continue;
		}
		memset(p, (int)(id + i), size);
		if (i % 2) {
			if (!check(p, size, (unsigned char)(id + i)))
				fail("a block changed");
			free(p);
		} else {
			leave(id * 4 + i / 2, (struct left){ p, size, (unsigned char)(id + i) });
		}
	}
	return NULL;
}

static int holding;

/* Allocate, then wait for the end of the program. */
static void *hold(void *arg)
{
	void *p = malloc(100);

	(void)arg;
	if (!p)
		fail("malloc failed");
	__atomic_add_fetch(&holding, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
	return p;
}

int main(int argc, char **argv)
{
	int n, maxwave, nhold, started = 0, waves = 0;
	pthread_t *t;

	if (argc < 2) {
		fprintf(stderr, "usage: churn NTHREADS [MAXWAVE]\n");
		return 2;
	}
	n = atoi(argv[1]);
	maxwave = argc > 2 ? atoi(argv[2]) : 48;
	nhold = argc > 3 ? atoi(argv[3]) : 0;
	if (n < 1 || maxwave < 1 || nhold < 0) {
		fprintf(stderr, "churn: NTHREADS and MAXWAVE must be positive\n");
		return 2;
	}
	t = calloc(maxwave, sizeof(*t));
	while (started < n) {
		int k = 1 + (waves * 37) % maxwave;

		if (k > n - started)
			k = n - started;
		for (int i = 0; i < k; i++)
			if (pthread_create(&t[i], NULL, run, (void *)(unsigned long)(started + i))) {
				fprintf(stderr, "churn: cannot create thread %d\n", started + i);
				return 1;
			}
		for (int i = 0; i < k; i++)
			pthread_join(t[i], NULL);
		started += k;
		waves++;
	}
	for (int i = 0; i < TABLE; i++)
		if (table[i].p) {
			if (!check(table[i].p, table[i].size, table[i].fill))
				fail("a block left in the table changed");
			free(table[i].p);
		}
	free(t);
	for (int i = 0; i < nhold; i++) {
		pthread_t h;

		if (pthread_create(&h, NULL, hold, NULL)) {
			fprintf(stderr, "churn: cannot create a held thread\n");
			return 1;
		}
	}
	while (__atomic_load_n(&holding, __ATOMIC_ACQUIRE) < nhold)
		sched_yield();
	printf("threads=%d waves=%d held=%d errors=%d\n", n, waves, nhold, errors);
	return errors != 0;
}
