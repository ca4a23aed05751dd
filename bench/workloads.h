/*
 * workloads.h - what a worker process runs against one allocator: the
 * allocation patterns of the slab benchmarks, written once for all
 * allocators (allocators.h).
 *
 *   WORK_PAIR      alloc + free of one object, over and over
 *   WORK_BATCH     count objects out, then back in the same order
 *   WORK_WINDOW    a window of count live objects of random sizes; each
 *                  step frees a random one and allocates the next size
 *                  of the sequence in its place
 *   WORK_PRODCONS  two threads: one allocates and hands objects over a
 *                  ring, the other frees them (remote frees)
 *   WORK_LARSON    threads threads, count slots each; each step frees a
 *                  random slot (or, one step in eight, hands its object
 *                  to the next thread, which frees it) and allocates a
 *                  random size into it
 *
 * Random choices come from fixed seeds, so every allocator runs the same
 * sequence.  A sample starts from the same state every time (the window
 * or the slots filled, untimed), times its n operations, and frees
 * everything (untimed): samples of different allocators with the same n
 * run exactly the same operations.  An operation is one allocation and
 * one free.  Each new object has its first word written, as a user of
 * the memory would.
 */
#ifndef KMM_BENCH_WORKLOADS_H
#define KMM_BENCH_WORKLOADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/allocators.h"

enum work_kind { WORK_PAIR, WORK_BATCH, WORK_WINDOW, WORK_PRODCONS, WORK_LARSON };

struct work_params {
	int kind;
	bool fixed64;		/* the 64-byte objects (alloc64/free64), else alloc/free */
	int size_min, size_max;	/* random sizes, bytes, both included */
	int count;		/* batch: objects; window: live objects; larson: slots per
				 * thread; memory: objects allocated */
	int threads;		/* larson */
};

struct work;

/* Prepare @p for @a (sequences, rings); NULL with @msg saying why. */
struct work *work_setup(struct allocator *a, const struct work_params *p, char *msg,
			size_t size);
/* Run @n operations; the nanoseconds they took, or -1 (with @msg) on failure. */
double work_sample(struct work *w, long n, char *msg, size_t size);
void work_teardown(struct work *w);

/*
 * The memory workload: allocate p->count objects of random sizes, each
 * fully written, free a random half, then ask the allocator to give back
 * what it can.  Bytes as the allocator's held_bytes() counts them, above
 * what it held before.
 */
struct mem_result {
	double live_full, held_full;	/* all allocated: bytes requested, bytes held */
	double live, held;		/* after the random half was freed */
	double held_released;		/* after a->release() */
};
int work_memory(struct allocator *a, const struct work_params *p, struct mem_result *r,
		char *msg, size_t size);

/* ---- shared by workloads.c and workloads_mt.c ---- */

/* splitmix64: a fast, seedable stream, the same on every machine. */
static inline uint64_t work_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform pick in [0, range) from one draw. */
static inline uint32_t work_below(uint64_t *state, uint32_t range)
{
	return (uint32_t)(((work_rand(state) & 0xffffffffULL) * range) >> 32);
}

/* Bookkeeping memory from mmap, prefaulted: never from the allocator measured. */
void *work_map(size_t bytes);
void work_unmap(void *p, size_t bytes);

double work_mt_prodcons(struct allocator *a, const struct work_params *p, long n);
double work_mt_larson(struct allocator *a, const struct work_params *p, long n);

#endif /* KMM_BENCH_WORKLOADS_H */
