/*
 * threads.c - many threads allocating at once, every block checked.
 *
 *   threads NTHREADS ROUNDS [SEED]
 *
 * Each thread keeps a table of blocks and, at random, allocates one
 * (malloc, calloc, posix_memalign, aligned_alloc), grows or shrinks one
 * with realloc, or frees one; sizes range from 0 to 8 MiB, so every path
 * of an allocator is taken (small objects, whole pages, host mappings).
 * Every block is filled with a pattern of its own and checked before it
 * changes hands: realloc must keep the old contents, calloc must zero,
 * every pointer must be 16-byte aligned (or as asked), malloc(0) must give
 * a pointer that free accepts.  Threads also pass blocks to each other
 * through a mailbox, so that blocks are freed by threads (CPUs) other than
 * the one that allocated them.  All threads are alive, and have called
 * malloc once, before any starts (a barrier), so NTHREADS beyond the
 * machine's CPUs really are more threads than CPUs at once.
 *
 * What it prints depends only on its arguments, so the output is the same
 * under any correct malloc; a problem is reported on stderr and makes the
 * exit status 1.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS		128
#define MAILBOX		64

struct block {
	unsigned char *p;
	size_t size;
	unsigned char seed;	/* byte i holds (seed + i * 7) & 0xff */
};

static int nthreads, rounds;
static pthread_barrier_t start;	/* all threads alive before any allocates */
static unsigned long seed0;
static struct block *mailbox[MAILBOX];	/* exchanged atomically */
static int errors;

struct worker {
	int id;
	unsigned long long rng;
	unsigned long long checksum;	/* of what the thread itself decided */
	pthread_t tid;
};

static unsigned long long next(struct worker *w)
{
	unsigned long long x = w->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return w->rng = x;
}

static void fail(const char *what, const struct block *b)
{
	fprintf(stderr, "threads: %s (block %p, %zu bytes)\n", what, (void *)b->p, b->size);
	__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
}

static void fill(struct block *b, size_t from)
{
	for (size_t i = from; i < b->size; i++)
		b->p[i] = (unsigned char)(b->seed + i * 7);
}

/* Check every byte of small blocks, and a sample of 4 KiB-strided bytes of large ones. */
static void check(const struct block *b, size_t upto)
{
	size_t step = upto > 65536 ? 4093 : 1;

	for (size_t i = 0; i < upto; i += step)
		if (b->p[i] != (unsigned char)(b->seed + i * 7)) {
			fail("contents changed", b);
			return;
		}
	if (upto && b->p[upto - 1] != (unsigned char)(b->seed + (upto - 1) * 7))
		fail("last byte changed", b);
}

static size_t pick_size(struct worker *w)
{
	unsigned r = next(w) % 1000;

	if (r < 20)
		return 0;
	if (r < 700)
		return next(w) % 512 + 1;
	if (r < 950)
		return next(w) % 32768 + 1;
	if (r < 995)
		return next(w) % (1 << 20) + 1;
	return next(w) % (8 << 20) + 1;
}

static void allocate(struct worker *w, struct block *b)
{
	unsigned how = next(w) % 10;
	size_t align = 16;

	b->size = pick_size(w);
	b->seed = (unsigned char)next(w);
	if (how < 6) {
		b->p = malloc(b->size);
	} else if (how < 8) {
		b->p = calloc(1, b->size);
		for (size_t i = 0; b->p && i < b->size; i++)
			if (b->p[i]) {
				fail("calloc memory not zero", b);
				break;
			}
	} else if (how < 9) {
		align = 32UL << (next(w) % 8);	/* 32 .. 4096 */
		if (posix_memalign((void **)&b->p, align, b->size))
			b->p = NULL;
	} else {
		align = 64UL << (next(w) % 10);	/* 64 .. 32768 */
		b->p = aligned_alloc(align, (b->size + align - 1) / align * align);
	}
	if (!b->p) {
		fail("allocation failed", b);
		b->size = 0;
		return;
	}
	if ((uintptr_t)b->p % align)
		fail("misaligned block", b);
	if (malloc_usable_size(b->p) < b->size)
		fail("usable size below the size asked", b);
	fill(b, 0);
	w->checksum = w->checksum * 31 + b->size + how;
}

static void release(struct block *b)
{
	check(b, b->size);
	free(b->p);
	b->p = NULL;
}

static void resize(struct worker *w, struct block *b)
{
	size_t size = pick_size(w) + 1, keep = size < b->size ? size : b->size;
	unsigned char *p;

	check(b, b->size);
	p = realloc(b->p, size);
	if (!p) {
		fail("realloc failed", b);
		return;
	}
	b->p = p;
	check(b, keep);
	b->size = size;
	fill(b, keep);
	w->checksum = w->checksum * 31 + size;
}

/* Pass @b to whichever thread looks at the same mailbox slot next. */
static void exchange(struct worker *w, struct block *b)
{
	struct block *mine = malloc(sizeof(*mine)), *theirs;

	*mine = *b;
	b->p = NULL;
	theirs = __atomic_exchange_n(&mailbox[next(w) % MAILBOX], mine, __ATOMIC_ACQ_REL);
	if (theirs) {
		release(theirs);
		free(theirs);
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct block blocks[SLOTS] = { 0 };
	void *volatile first = malloc(1);	/* with the library: a CPU, or turns on a shared one */

	pthread_barrier_wait(&start);
	free(first);
	for (int r = 0; r < rounds; r++) {
		struct block *b = &blocks[next(w) % SLOTS];
		unsigned what = next(w) % 10;

		if (!b->p)
			allocate(w, b);
		else if (what < 4)
			release(b);
		else if (what < 8)
			resize(w, b);
		else
			exchange(w, b);
	}
	for (int i = 0; i < SLOTS; i++)
		if (blocks[i].p)
			release(&blocks[i]);
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker *w;
	unsigned long long sum = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: threads NTHREADS ROUNDS [SEED]\n");
		return 2;
	}
	nthreads = atoi(argv[1]);
	rounds = atoi(argv[2]);
	seed0 = argc > 3 ? strtoul(argv[3], NULL, 0) : 1;
	w = calloc(nthreads, sizeof(*w));
	if (nthreads < 1 || !w || pthread_barrier_init(&start, NULL, (unsigned)nthreads)) {
		fprintf(stderr, "threads: bad thread count %d\n", nthreads);
		return 2;
	}
	for (int i = 0; i < nthreads; i++) {
		w[i].id = i;
		w[i].rng = seed0 * 0x9e3779b97f4a7c15ULL + i + 1;
		if (pthread_create(&w[i].tid, NULL, work, &w[i])) {
			fprintf(stderr, "threads: cannot create thread %d\n", i);
			return 1;
		}
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		sum = sum * 1000003 + w[i].checksum;
	}
	for (int i = 0; i < MAILBOX; i++)
		if (mailbox[i]) {
			release(mailbox[i]);
			free(mailbox[i]);
		}
	free(w);
	printf("threads=%d rounds=%d checksum=%016llx errors=%d\n", nthreads, rounds, sum, errors);
	return errors != 0;
}
