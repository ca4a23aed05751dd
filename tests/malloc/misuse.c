/*
 * misuse.c - one misuse of the malloc family, named on the command line,
 * for misuse.sh: under libkmm-malloc.so each must abort (SIGABRT) with
 * its report on standard error before "survived" is printed.
 *
 *   misuse CASE          one case (see the table below)
 *   misuse random SEED   random malloc/free/realloc (sizes 1 - 200,000,
 *                        up to 500 live), checking that no block is ever
 *                        handed out while live, then one misuse chosen by
 *                        SEED; prints which one to standard output first
 *
 * Each case says where the pointer comes from; the slab cases leave an
 * object in the per-CPU array, the shared array (after enough frees to
 * flush a batch there) or back in its slab (after even more).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *__libc_malloc(size_t size);

static char static_buf[64];
static volatile uintptr_t sink;

/* Hide a pointer from the compiler's own misuse warnings. */
static void *launder(void *p)
{
	sink = (uintptr_t)p;
	return (void *)sink;
}

static void free_twice(void *p)
{
	void *again = launder(p);

	free(p);
	free(again);
}

/*
 * A size-128 object freed, then freed again after it moved on.  Its
 * per-CPU array holds 120 objects and flushes its 60 oldest at a time into
 * the shared array (8 batches, 480), or back into their slabs once that is
 * full.  The object, p, is taken from the middle of 1700 allocations, so
 * that its slab holds only ours; its slab mates stay allocated, so that
 * its slab is never freed.  @fill objects are freed before it (700 fill
 * both arrays), @after after it: 180 move it to the shared array (when it
 * was not full), 200 move it into its slab (when it was).
 */
static void double_free_after(int fill, int after)
{
	enum { N = 1700 };
	static char *more[N];
	uintptr_t page;
	char *p;
	int i = 0;

	for (int j = 0; j < N; j++)
		more[j] = malloc(100);
	p = more[N / 2];
	page = (uintptr_t)p & ~4095UL;
	for (int done = 0; done < fill + after; i++) {
		if (((uintptr_t)more[i] & ~4095UL) == page)
			continue;
		if (done++ == fill)
			free(launder(p));
		free(more[i]);
	}
	free(launder(p));
}

/*
 * Find a slab page whose every object is ours (the most objects of ours
 * on one page: a full slab of size-64, 59 objects), then overwrite what
 * precedes its first object: the colour and the slab's descriptor with
 * its free-index array.  A buffer underflow from object 0 does that.
 */
static void overwrite_slab_record(void)
{
	enum { N = 600 };
	static char *obj[N];
	uintptr_t best = 0, lowest = 0;
	int best_count = 0;

	for (int i = 0; i < N; i++)
		obj[i] = malloc(64);
	for (int i = 0; i < N; i++) {
		uintptr_t page = (uintptr_t)obj[i] & ~4095UL, low = (uintptr_t)obj[i];
		int count = 0;

		for (int j = 0; j < N; j++)
			if (((uintptr_t)obj[j] & ~4095UL) == page) {
				count++;
				if ((uintptr_t)obj[j] < low)
					low = (uintptr_t)obj[j];
			}
		if (count > best_count) {
			best_count = count;
			best = page;
			lowest = low;
		}
	}
	memset(launder((void *)best), 0x41, lowest - best);
	free((void *)(lowest + 64));
}

static int run_case(const char *c)
{
	char *p = malloc(100), local[32];

	strcpy(local, "stack");
	if (!strcmp(c, "double-free"))
		free_twice(p);
	else if (!strcmp(c, "double-free-shared"))
		double_free_after(0, 180);
	else if (!strcmp(c, "double-free-slab"))
		double_free_after(700, 200);
	else if (!strcmp(c, "free-interior"))
		free(launder(p + 16));
	else if (!strcmp(c, "free-stack"))
		free(launder(local));
	else if (!strcmp(c, "free-static"))
		free(launder(static_buf));
	else if (!strcmp(c, "free-foreign"))
		free(__libc_malloc(64));
	else if (!strcmp(c, "free-mmap"))
		free(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	else if (!strcmp(c, "free-page-block-interior"))
		free(launder((char *)malloc(100000) + 8192));
	else if (!strcmp(c, "double-free-page-block")) {
		char *q = malloc(100000);

		free_twice(q);
	} else if (!strcmp(c, "double-free-big-block")) {
		char *q = malloc(8 << 20);	/* contiguous 4 MiB blocks: a page block */

		free_twice(q);
	} else if (!strcmp(c, "double-free-mmap-block")) {
		char *q = aligned_alloc(8 << 20, 8 << 20);	/* beyond 4 MiB aligned: the host's */

		free_twice(q);
	} else if (!strcmp(c, "overwritten-slab-record"))
		overwrite_slab_record();
	else if (!strcmp(c, "realloc-freed"))
		p = launder(p), free(launder(p)), p = realloc(p, 50);
	else if (!strcmp(c, "realloc-interior"))
		p = realloc(launder(p + 8), 200);
	else if (!strcmp(c, "realloc-stack"))
		p = realloc(launder(local), 200);
	else if (!strcmp(c, "realloc-static"))
		p = realloc(launder(static_buf), 200);
	else if (!strcmp(c, "realloc-foreign"))
		p = realloc(__libc_malloc(64), 200);
	else
		return fprintf(stderr, "misuse: no case %s\n", c), 2;
	printf("survived %s %p\n", c, (void *)p);
	return 0;
}

static const char *const random_cases[] = {
	"double-free", "free-interior", "free-stack", "free-static", "realloc-freed",
	"realloc-interior", "double-free-page-block", "free-page-block-interior",
};

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random traffic with a check that no live block is handed out again, then one misuse. */
static int run_random(unsigned long seed)
{
	enum { MAX = 500, STEPS = 200000 };
	static char *live[MAX];
	static size_t size[MAX];
	int nr = 0;
	const char *c;

	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	c = random_cases[seed % (sizeof(random_cases) / sizeof(random_cases[0]))];
	printf("random %lu then %s\n", seed, c);
	fflush(stdout);
	for (int step = 0; step < STEPS; step++) {
		uint64_t r = next();
		size_t sz = (r >> 8) % 8 ? 1 + (r >> 16) % 2048 : 1 + (r >> 16) % 200000;

		if (r % 3 == 0 && nr < MAX) {
			char *p = malloc(sz);

			for (int i = 0; i < nr; i++)
				if (live[i] == p)
					return fprintf(stderr, "misuse: %p handed out twice\n", p), 1;
			memset(p, (int)step, sz < 64 ? sz : 64);
			live[nr] = p;
			size[nr++] = sz;
		} else if (r % 3 == 1 && nr) {
			int i = (r >> 20) % nr;

			live[i] = realloc(live[i], sz);
			size[i] = sz;
			for (int j = 0; j < nr; j++)
				if (j != i && live[j] == live[i])
					return fprintf(stderr, "misuse: %p handed out twice\n", live[i]), 1;
		} else if (nr) {
			int i = (r >> 20) % nr;

			free(live[i]);
			live[i] = live[--nr];
			size[i] = size[nr];
		}
	}
	return run_case(c);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "random"))
		return run_random(strtoul(argv[2], NULL, 10));
	if (argc != 2)
		return fprintf(stderr, "usage: misuse CASE | misuse random SEED\n"), 2;
	return run_case(argv[1]);
}
