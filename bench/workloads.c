/*
 * workloads.c - the single-threaded workloads of workloads.h, the memory
 * workload, and the dispatch to the threaded ones (workloads_mt.c).
 *
 * The random window keeps one pre-generated sequence of sizes and one of
 * victims (which slot each step frees), SEQ_LEN long and walked from the
 * start in every sample, so that the sizes live at any step are the same
 * for every allocator.  A sample fills the window, churns it untimed
 * (CHURN steps per live object: the heap is then as mixed as it will
 * get), and times the next n steps.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench/bench.h"
#include "bench/workloads.h"

#define SEQ_LEN		(1 << 18)	/* steps before the sequence repeats */
#define CHURN		4		/* untimed steps before a sample, per live object */
#define SEED_SIZES	0x5eed0001ULL
#define SEED_VICTIMS	0x5eed0002ULL
#define SEED_MEMORY	0x5eed0003ULL

struct work {
	struct allocator *a;
	struct work_params p;
	void *(*alloc)(size_t size);	/* a->alloc or a->alloc64, as p.fixed64 says */
	void (*free)(void *p);
	void **slots;			/* batch: objects out; window: the live objects */
	uint16_t *sizes;		/* window: SEQ_LEN sizes, then count for the first fill */
	uint32_t *victims;		/* window: SEQ_LEN slots to free, each < count */
};

void *work_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void work_unmap(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}

static void fill_sizes(uint16_t *sizes, long nr, const struct work_params *p, uint64_t seed)
{
	for (long i = 0; i < nr; i++)
		sizes[i] = p->size_min + work_below(&seed, p->size_max - p->size_min + 1);
}

struct work *work_setup(struct allocator *a, const struct work_params *p, char *msg,
			size_t size)
{
	struct work *w = work_map(sizeof(*w));
	uint64_t seed = SEED_VICTIMS;

	if (!w)
		goto nomem;
	*w = (struct work){ .a = a, .p = *p };
	w->alloc = p->fixed64 ? a->alloc64 : a->alloc;
	w->free = p->fixed64 ? a->free64 : a->free;
	if (p->kind == WORK_BATCH || p->kind == WORK_WINDOW) {
		if (p->count < 1 || p->count > 65536 || p->size_min < 8 || p->size_max > 65535) {
			snprintf(msg, size, "bad parameters");
			work_unmap(w, sizeof(*w));
			return NULL;
		}
		w->slots = work_map(p->count * sizeof(void *));
		if (!w->slots)
			goto nomem;
	}
	if (p->kind == WORK_WINDOW) {
		w->sizes = work_map((SEQ_LEN + p->count) * sizeof(*w->sizes));
		w->victims = work_map(SEQ_LEN * sizeof(*w->victims));
		if (!w->sizes || !w->victims)
			goto nomem;
		fill_sizes(w->sizes, SEQ_LEN + p->count, p, SEED_SIZES);
		for (long i = 0; i < SEQ_LEN; i++)
			w->victims[i] = work_below(&seed, p->count);
	}
	return w;
nomem:
	snprintf(msg, size, "out of host memory for the workload");
	work_teardown(w);
	return NULL;
}

void work_teardown(struct work *w)
{
	if (!w)
		return;
	work_unmap(w->slots, w->p.count * sizeof(void *));
	work_unmap(w->sizes, (SEQ_LEN + w->p.count) * sizeof(*w->sizes));
	work_unmap(w->victims, SEQ_LEN * sizeof(*w->victims));
	work_unmap(w, sizeof(*w));
}

static double run_pair(struct work *w, long n)
{
	void *(*alloc)(size_t) = w->alloc;
	void (*free_fn)(void *) = w->free;
	size_t size = w->p.size_min;
	double t0 = bench_now_ns();

	for (long i = 0; i < n; i++) {
		long *o = alloc(size);

		if (__builtin_expect(!o, 0))
			return -1;
		*o = i;
		free_fn(o);
	}
	return bench_now_ns() - t0;
}

/* n rounded up to whole batches; the time is scaled back to n. */
static double run_batch(struct work *w, long n)
{
	void *(*alloc)(size_t) = w->alloc;
	void (*free_fn)(void *) = w->free;
	size_t size = w->p.size_min;
	int k = w->p.count;
	long rounds = (n + k - 1) / k;
	double t0 = bench_now_ns();

	for (long r = 0; r < rounds; r++) {
		for (int i = 0; i < k; i++) {
			long *o = alloc(size);

			if (__builtin_expect(!o, 0))
				return -1;
			*o = i;
			w->slots[i] = o;
		}
		for (int i = 0; i < k; i++)
			free_fn(w->slots[i]);
	}
	return (bench_now_ns() - t0) * n / (rounds * k);
}

static double run_window(struct work *w, long n)
{
	void *(*alloc)(size_t) = w->alloc;
	void (*free_fn)(void *) = w->free;
	const uint16_t *sizes = w->sizes, *first = w->sizes + SEQ_LEN;
	const uint32_t *victims = w->victims;
	void **slot = w->slots;
	int count = w->p.count;
	double t0, dt = -1;
	long i, pos = 0;

	for (i = 0; i < count; i++)
		if (!(slot[i] = alloc(first[i])))
			goto out;
	/* Untimed churn first: the timed steps start from a well-mixed heap, not a fresh fill. */
	for (i = 0; i < CHURN * count; i++) {
		uint32_t v = victims[pos];

		free_fn(slot[v]);
		slot[v] = alloc(sizes[pos]);
		if (__builtin_expect(!slot[v], 0)) {
			i = count;
			goto out;
		}
		pos = (pos + 1) & (SEQ_LEN - 1);
	}
	t0 = bench_now_ns();
	for (i = 0; i < n; i++) {
		uint32_t v = victims[pos];
		long *o;

		free_fn(slot[v]);
		o = alloc(sizes[pos]);
		slot[v] = o;
		if (__builtin_expect(!o, 0)) {
			i = count;
			goto out;
		}
		*o = i;
		pos = (pos + 1) & (SEQ_LEN - 1);
	}
	dt = bench_now_ns() - t0;
	i = count;
out:
	while (i-- > 0)
		if (slot[i])
			free_fn(slot[i]);
	return dt;
}

double work_sample(struct work *w, long n, char *msg, size_t size)
{
	double dt = -1;

	switch (w->p.kind) {
	case WORK_PAIR:
		dt = run_pair(w, n);
		break;
	case WORK_BATCH:
		dt = run_batch(w, n);
		break;
	case WORK_WINDOW:
		dt = run_window(w, n);
		break;
	case WORK_PRODCONS:
		dt = work_mt_prodcons(w->a, &w->p, n);
		break;
	case WORK_LARSON:
		dt = work_mt_larson(w->a, &w->p, n);
		break;
	}
	if (dt < 0)
		snprintf(msg, size, "%s: allocation failed", w->a->name);
	return dt;
}

int work_memory(struct allocator *a, const struct work_params *p, struct mem_result *r,
		char *msg, size_t size)
{
	long count = p->count, base, live = 0;
	uint16_t *sizes = work_map(count * sizeof(*sizes));
	uint32_t *order = work_map(count * sizeof(*order));
	void **objs = work_map(count * sizeof(*objs));
	uint64_t seed = SEED_MEMORY;
	int err = -1;

	if (!sizes || !order || !objs) {
		snprintf(msg, size, "out of host memory for the workload");
		goto out;
	}
	fill_sizes(sizes, count, p, SEED_MEMORY);
	/* The half to free: the first count / 2 of a random permutation (Fisher-Yates). */
	for (long i = 0; i < count; i++)
		order[i] = i;
	for (long i = count - 1; i > 0; i--) {
		uint32_t j = work_below(&seed, i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}

	base = a->held_bytes();
	for (long i = 0; i < count; i++) {
		objs[i] = a->alloc(sizes[i]);
		if (!objs[i]) {
			snprintf(msg, size, "%s: allocation %ld failed", a->name, i);
			goto out;
		}
		memset(objs[i], 0x5a, sizes[i]);
		live += sizes[i];
	}
	r->live_full = live;
	r->held_full = a->held_bytes() - base;
	for (long i = 0; i < count / 2; i++) {
		long k = order[i];

		a->free(objs[k]);
		objs[k] = NULL;
		live -= sizes[k];
	}
	r->live = live;
	r->held = a->held_bytes() - base;
	a->release();
	r->held_released = a->held_bytes() - base;
	err = 0;
out:
	for (long i = 0; objs && i < count; i++)
		if (objs[i])
			a->free(objs[i]);
	work_unmap(sizes, count * sizeof(*sizes));
	work_unmap(order, count * sizeof(*order));
	work_unmap(objs, count * sizeof(*objs));
	return err;
}
