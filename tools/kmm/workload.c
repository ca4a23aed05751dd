/*
 * workload.c - bulk allocation patterns (see workload.h).  Randomness comes
 * from the machine's seeded generator, so a workload is reproducible.
 */
#include <stdlib.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/random.h>
#include <kmm/vmstat.h>
#include "tools/kmm/workload.h"

#define MOVABLE_MARK 0x80000000u	/* in pool_block.order: the block is movable */

bool wl_pool_add(struct wl_pool *pool, struct page *page, unsigned int order)
{
	if (pool->nr_blocks == pool->cap_blocks) {
		size_t cap = pool->cap_blocks ? pool->cap_blocks * 2 : 1024;
		struct pool_block *b = realloc(pool->blocks, cap * sizeof(*b));

		if (!b)
			return false;
		pool->blocks = b;
		pool->cap_blocks = cap;
	}
	pool->blocks[pool->nr_blocks].page = page;
	pool->blocks[pool->nr_blocks].order = order;
	pool->nr_blocks++;
	return true;
}

long wl_fill(struct wl_pool *pool, unsigned int gfp, unsigned int order, long node,
	     long long leave, long long max_pages)
{
	long n = 0;
	long long taken = 0;

	while (max_pages < 0 || taken + (1LL << order) <= max_pages) {
		struct page *page;

		if ((long long)nr_free_pages() - (1LL << order) < leave)
			break;
		page = alloc_pages_node(node, gfp, order);
		if (!page)
			break;
		if (!wl_pool_add(pool, page, order)) {
			__free_pages(page, order);
			break;
		}
		taken += 1LL << order;
		n++;
	}
	return n;
}

static void free_block(struct pool_block *b)
{
	__free_pages(b->page, b->order & ~MOVABLE_MARK);
}

bool wl_pool_pick(size_t i, long long every, long long offset, long long random_pct)
{
	if (every > 0)
		return i >= (size_t)offset && (i - offset) % every == 0;
	if (random_pct >= 0)
		return (long long)prandom_below(100) < random_pct;
	return true;
}

void wl_pool_free(struct wl_pool *pool, long long every, long long offset, long long random_pct)
{
	size_t kept = 0;

	for (size_t i = 0; i < pool->nr_blocks; i++) {
		if (wl_pool_pick(i, every, offset, random_pct))
			free_block(&pool->blocks[i]);
		else
			pool->blocks[kept++] = pool->blocks[i];
	}
	pool->nr_blocks = kept;
}

void wl_fragment(struct wl_pool *pool, long long pages, long long movable_pct, long long free_pct)
{
	const unsigned int tries = __GFP_NORETRY | __GFP_NOWARN;
	size_t kept = 0;

	for (long long i = 0; pages < 0 || i < pages; i++) {
		bool movable = (long long)prandom_below(100) < movable_pct;
		struct page *page = alloc_pages(movable ? GFP_HIGHUSER_MOVABLE | tries
							: GFP_KERNEL | tries, 0);

		if (!page)
			break;
		if (!wl_pool_add(pool, page, movable ? MOVABLE_MARK : 0)) {
			__free_page(page);
			break;
		}
	}
	for (size_t i = 0; i < pool->nr_blocks; i++) {
		struct pool_block *b = &pool->blocks[i];
		bool drop = free_pct < 0 ? (b->order & MOVABLE_MARK) != 0
					 : (long long)prandom_below(100) < free_pct;

		if (drop)
			free_block(b);
		else
			pool->blocks[kept++] = *b;
	}
	pool->nr_blocks = kept;
	for (size_t i = 0; i < kept; i++)
		pool->blocks[i].order &= ~MOVABLE_MARK;
}
