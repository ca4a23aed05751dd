/*
 * workload.h - bulk page-allocator workloads for scenarios, tests and
 * benchmarks: fill memory, fragment it, free parts of a pool.
 */
#ifndef KMM_TOOL_WORKLOAD_H
#define KMM_TOOL_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>

struct page;

struct pool_block {
	struct page *page;
	unsigned int order;
};

/* Blocks of pages a workload allocated: { 0 } is an empty pool; free(blocks) at the end. */
struct wl_pool {
	struct pool_block *blocks;
	size_t nr_blocks, cap_blocks;
};

struct value;
/* The block a value of kind page holds (cmd_pages.c); page NULL if none. */
struct pool_block page_value_block(const struct value *v);

/* Record a block in a pool; false if out of host memory. */
bool wl_pool_add(struct wl_pool *pool, struct page *page, unsigned int order);

/*
 * Allocate blocks of @order with @gfp on @node (-1: local) until only
 * @leave pages are free in the machine, @max_pages pages were taken
 * (-1: no limit), or an allocation fails.  Returns the blocks allocated.
 */
long wl_fill(struct wl_pool *pool, unsigned int gfp, unsigned int order, long node,
	     long long leave, long long max_pages);

/*
 * Does a pool's item @i go, for the selection every=@every offset=@offset
 * (every > 0), or random=@random_pct (>= 0), or else all of them?
 */
bool wl_pool_pick(size_t i, long long every, long long offset, long long random_pct);

/*
 * Free blocks of a pool: every @every-th starting at @offset (every > 0),
 * or a random @random_pct percent (random_pct >= 0), or all of them.
 * Freed blocks leave the pool.
 */
void wl_pool_free(struct wl_pool *pool, long long every, long long offset, long long random_pct);

/*
 * The fragmentation workload: allocate @pages single pages (-1: until
 * allocation fails), each movable with probability @movable_pct, unmovable
 * otherwise; then free all the movable ones (@free_pct < 0) or a random
 * @free_pct percent of all.  The pool keeps what stays allocated.
 */
void wl_fragment(struct wl_pool *pool, long long pages, long long movable_pct, long long free_pct);

#endif /* KMM_TOOL_WORKLOAD_H */
