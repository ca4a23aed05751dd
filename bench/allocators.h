/*
 * allocators.h - the allocators a worker process measures, behind the
 * same few function pointers: kmm (kmalloc/kfree, and kmem_cache_alloc/
 * kmem_cache_free on a 64-byte cache) and the peers glibc, mimalloc,
 * jemalloc and tcmalloc.
 *
 * Every workload calls every allocator, kmm included, through these
 * pointers: one indirect call per operation for all, as a call through
 * the PLT costs a program that uses a shared malloc.
 *
 * glibc, jemalloc and tcmalloc all define malloc, so one process can host
 * only one of them as "the" malloc; each allocator therefore runs in a
 * worker process of its own (peer.h), started with its library as
 * LD_PRELOAD.  Inside the worker the functions are looked up in that very
 * library (dlsym on its handle), and the worker reports which object they
 * came from, so a preload that silently failed cannot pass for the peer.
 */
#ifndef KMM_BENCH_ALLOCATORS_H
#define KMM_BENCH_ALLOCATORS_H

#include <stdbool.h>
#include <stddef.h>

struct allocator {
	const char *name;		/* "kmm", "glibc", ... */
	const char *library;		/* the shared object its functions come from; NULL: kmm */
	bool preload;			/* its worker runs with LD_PRELOAD=library */
	const char *calls;		/* what is called, for the tables */
	const char *calls64;		/* the same, for the 64-byte objects */
	/* Worker side: make the pointers below usable; 0 or -1 with @msg saying why. */
	int (*init)(struct allocator *a, const char *arg, char *msg, size_t size);
	void (*release)(void);		/* give back what it can: shrink, trim, purge */
	const char *release_how;	/* what release() calls, in short */
	const char *held_how;		/* what held_bytes() counts */

	/* Set by init(): */
	void *(*alloc)(size_t size);
	void (*free)(void *p);
	void *(*alloc64)(size_t size);	/* 64-byte objects; size is 64 */
	void (*free64)(void *p);
	void (*thread_start)(void);	/* a new thread calls it first; NULL: nothing */
	void (*thread_end)(void);	/* and last */
	long (*held_bytes)(void);	/* bytes held: kmm's slab pages, a peer's RSS */
};

extern struct allocator allocators[];
extern const int nr_allocators;

struct allocator *allocator_find(const char *name);

/* The machine kmm's worker boots, for @threads worker threads besides the driving one. */
void allocator_kmm_cmdline(char *buf, size_t size, int threads);

#endif /* KMM_BENCH_ALLOCATORS_H */
