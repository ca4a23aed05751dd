/*
 * page_isolation.c - MIGRATE_ISOLATE: taking pageblocks out of the page
 * allocator's reach so that a range can be proven free and removed
 * (2.6.34's mm/page_isolation.c, and set_migratetype_isolate and
 * __offline_isolated_pages of mm/page_alloc.c).
 *
 * An isolated pageblock's free pages sit on the MIGRATE_ISOLATE free list,
 * which no allocation takes from; a page freed into it goes straight back
 * to that list (free_hot_cold_page).  A range is offlinable when every
 * page of it is a free buddy page or a free isolated page: then nothing
 * can allocate it and it can leave the buddy allocator.
 *
 * alloc_free_range() takes a range that is wholly free out of the buddy
 * allocator directly, for an allocation larger than the largest buddy
 * block (libkmm-malloc's blocks beyond 4 MiB); alloc_deferred_run() takes
 * such a run from deferred memory leaving the struct pages of all but its
 * ends unwritten ("lent", mm/deferred_init.c), and free_run_pages() gives
 * any of these runs back, its whole blocks to the deferred ranges.
 *
 * 2.6.34 isolates a pageblock only if it is MIGRATE_MOVABLE or in
 * ZONE_MOVABLE (or a balloon driver's notifier accounts for every
 * immobile page; kmm has none).  Undoing makes the block MOVABLE.
 */
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include "mm/internal.h"

static struct page *first_valid_page(unsigned long pfn, unsigned long nr_pages)
{
	for (unsigned long i = 0; i < nr_pages; i++)
		if (pfn_valid(pfn + i))
			return pfn_to_page(pfn + i);
	return NULL;
}

int set_migratetype_isolate(struct page *page)
{
	struct zone *zone = page_zone(page);
	unsigned long flags;
	int ret = -EBUSY;

	spin_lock_irqsave(&zone->lock, flags);
	if (get_pageblock_migratetype(page) == MIGRATE_MOVABLE || zone_idx(zone) == ZONE_MOVABLE) {
		set_pageblock_migratetype(page, MIGRATE_ISOLATE);
		move_freepages_block(zone, page, MIGRATE_ISOLATE);
		ret = 0;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	if (!ret)
		drain_all_pages();
	return ret;
}

void unset_migratetype_isolate(struct page *page)
{
	struct zone *zone = page_zone(page);
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	if (get_pageblock_migratetype(page) == MIGRATE_ISOLATE) {
		set_pageblock_migratetype(page, MIGRATE_MOVABLE);
		move_freepages_block(zone, page, MIGRATE_MOVABLE);
	}
	spin_unlock_irqrestore(&zone->lock, flags);
}

/*
 * Isolate every pageblock of [start_pfn, end_pfn) (pageblock-aligned), or
 * none: on the first block that refuses, the ones before it are undone.
 * 0 or -EBUSY.
 */
int start_isolate_page_range(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long pfn;
	struct page *page;

	BUG_ON((start_pfn | end_pfn) & (pageblock_nr_pages - 1));
	for (pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages) {
		page = first_valid_page(pfn, pageblock_nr_pages);
		if (page && set_migratetype_isolate(page))
			goto undo;
	}
	return 0;
undo:
	undo_isolate_page_range(start_pfn, pfn);
	return -EBUSY;
}

void undo_isolate_page_range(unsigned long start_pfn, unsigned long end_pfn)
{
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages) {
		struct page *page = first_valid_page(pfn, pageblock_nr_pages);

		if (page)
			unset_migratetype_isolate(page);
	}
}

/*
 * 0 if every pageblock of the range is isolated and every page of it is
 * free (a buddy block, or a free page on its way to the isolated list),
 * else -EBUSY.  A buddy block starts a walk step of its whole size: free
 * blocks never straddle the range's pageblock-aligned edges.
 */
int test_pages_isolated(unsigned long start_pfn, unsigned long end_pfn)
{
	struct page *page = first_valid_page(start_pfn, end_pfn - start_pfn);
	unsigned long pfn, flags;
	struct zone *zone;

	for (pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages) {
		struct page *p = first_valid_page(pfn, pageblock_nr_pages);

		if (p && get_pageblock_migratetype(p) != MIGRATE_ISOLATE)
			return -EBUSY;
	}
	if (!page)
		return -EBUSY;
	zone = page_zone(page);
	spin_lock_irqsave(&zone->lock, flags);
	for (pfn = start_pfn; pfn < end_pfn;) {
		if (!pfn_valid(pfn)) {
			pfn++;
			continue;
		}
		page = pfn_to_page(pfn);
		if (PageBuddy(page))
			pfn += 1UL << page_order(page);
		else if (!page_count(page) && page_private(page) == MIGRATE_ISOLATE)
			pfn++;
		else
			break;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	return pfn < end_pfn ? -EBUSY : 0;
}

/*
 * The isolated, all-free range leaves the buddy allocator: each free block
 * off its list, NR_FREE_PAGES down by its size, its pages PG_reserved as
 * they were before online_pages() freed them.
 */
void __offline_isolated_pages(unsigned long start_pfn, unsigned long end_pfn)
{
	struct page *page = first_valid_page(start_pfn, end_pfn - start_pfn);
	unsigned long pfn = start_pfn, flags;
	struct zone *zone;

	if (!page)
		return;
	zone = page_zone(page);
	spin_lock_irqsave(&zone->lock, flags);
	while (pfn < end_pfn) {
		unsigned int order;

		if (!pfn_valid(pfn)) {
			pfn++;
			continue;
		}
		page = pfn_to_page(pfn);
		BUG_ON(page_count(page));
		BUG_ON(!PageBuddy(page));
		order = page_order(page);
		list_del(&page->lru);
		rmv_page_order(page);
		area_add_free(&zone->free_area[order], -1);
		__mod_zone_page_state(zone, NR_FREE_PAGES, -(1L << order));
		for (unsigned long i = 0; i < (1UL << order); i++)
			__SetPageReserved(page + i);
		pfn += 1UL << order;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
}

/* Can the block of the largest order at @pfn be looked at (struct pages written)? */
static bool max_block_present(unsigned long pfn)
{
	return pfn_valid(pfn) && !page_init_deferred(pfn);
}

/*
 * Take [start_pfn, end_pfn) out of @zone's buddy allocator if every page of
 * it is free; the caller holds zone->lock and checked that each block of
 * the largest order in the range has struct pages (pfn_valid, not deferred).
 */
static int __alloc_free_range(struct zone *zone, unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long nr = end_pfn - start_pfn, pfn;

	assert_spin_locked(&zone->lock);
	if (zone_page_state(zone, NR_FREE_PAGES) < min_wmark_pages(zone) + nr)
		return -ENOMEM;
	/* Blocks become unwritten under their zone's lock (free_run_pages): look again. */
	for (pfn = start_pfn; pfn < end_pfn; pfn = (pfn | (MAX_ORDER_NR_PAGES - 1)) + 1)
		if (!max_block_present(pfn))
			return -EBUSY;
	for (pfn = start_pfn; pfn < end_pfn;) {
		struct page *page = pfn_to_page(pfn);

		if (page_zone(page) != zone || !PageBuddy(page) ||
		    pfn + (1UL << page_order(page)) > end_pfn ||
		    get_pageblock_migratetype(page) == MIGRATE_ISOLATE)
			return -EBUSY;
		pfn += 1UL << page_order(page);
	}
	for (pfn = start_pfn; pfn < end_pfn;) {
		struct page *page = pfn_to_page(pfn);
		unsigned int order = page_order(page);

		list_del(&page->lru);
		rmv_page_order(page);
		area_add_free(&zone->free_area[order], -1);
		pfn += 1UL << order;
	}
	__mod_zone_page_state(zone, NR_FREE_PAGES, -(long)nr);
	set_page_refcounted(pfn_to_page(start_pfn));
	return 0;
}

/*
 * Take [start_pfn, end_pfn) out of the buddy allocator if every page of it
 * is free: what alloc_contig_range() (Linux 3.5, for CMA) does once it has
 * migrated the range's pages away.  kmm migrates nothing, so a page in use
 * refuses with -EBUSY, as does a free block reaching outside the range, a
 * deferred or isolated one, a hole or another zone; the zone keeps its min
 * watermark (-ENOMEM).  Then nothing changed.  On success the range is the
 * caller's as one high-order allocation would be (no page can be in a
 * per-CPU list: those are not PG_buddy): the first page has one reference,
 * the others none; it goes back as aligned pieces through __free_pages().
 * Under zone->lock, so the test and the taking are one step.
 */
int alloc_free_range(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long pfn, flags;
	struct zone *zone;
	int ret;

	if (start_pfn >= end_pfn)
		return -EINVAL;
	for (pfn = start_pfn; pfn < end_pfn; pfn = (pfn | (MAX_ORDER_NR_PAGES - 1)) + 1)
		if (!max_block_present(pfn))
			return -EBUSY;
	zone = page_zone(pfn_to_page(start_pfn));
	spin_lock_irqsave(&zone->lock, flags);
	ret = __alloc_free_range(zone, start_pfn, end_pfn);
	spin_unlock_irqrestore(&zone->lock, flags);
	if (!ret)
		kernel_map_pages(pfn_to_page(start_pfn), (int)(end_pfn - start_pfn), 1);
	return ret;
}

/*
 * Take the first run of @blocks free blocks of the largest order in @zone,
 * or NULL.  The walk reads a block's first page (PG_buddy and its order)
 * under zone->lock: O(zone pages / MAX_ORDER_NR_PAGES) with interrupts
 * off, for the rare allocations beyond the largest buddy block.
 */
static struct page *zone_free_run(struct zone *zone, unsigned long blocks)
{
	unsigned long start = ALIGN(zone->zone_start_pfn, MAX_ORDER_NR_PAGES), flags, run = 0;
	unsigned long end = zone->zone_start_pfn + zone->spanned_pages;
	struct page *found = NULL;

	spin_lock_irqsave(&zone->lock, flags);
	for (unsigned long pfn = start; pfn + MAX_ORDER_NR_PAGES <= end; pfn += MAX_ORDER_NR_PAGES) {
		struct page *page = max_block_present(pfn) ? pfn_to_page(pfn) : NULL;
		unsigned long first = pfn - (blocks - 1) * MAX_ORDER_NR_PAGES;

		run = page && PageBuddy(page) && page_order(page) == MAX_ORDER - 1 ? run + 1 : 0;
		if (run < blocks)
			continue;
		if (!__alloc_free_range(zone, first, pfn + MAX_ORDER_NR_PAGES)) {
			found = pfn_to_page(first);
			break;
		}
		run = 0;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	if (found)
		kernel_map_pages(found, (int)(blocks * MAX_ORDER_NR_PAGES), 1);
	return found;
}

#define FREE_RUN_TRIES	4	/* searches of a zone, deferred blocks joining between them */

/* Zones a run may come from: not ZONE_DMA (2.6.34 keeps it for those who need it), not empty. */
static bool run_zone(const struct zone *zone)
{
	return zone_idx(zone) != ZONE_DMA && populated_zone(zone);
}

/*
 * Find and take @nr_pages free pages starting on a MAX_ORDER boundary, in
 * a zone @gfp_mask may allocate from (not ZONE_DMA, which 2.6.34 keeps
 * for those who need it), highest zone first (zone_free_run).  A zone
 * with deferred blocks (mm/deferred_init.c) initialises its highest ones,
 * as many as the run needs, between searches: they are contiguous, from
 * the top down.  The run's first page, or NULL.
 */
struct page *alloc_free_run(gfp_t gfp_mask, unsigned long nr_pages)
{
	struct zonelist *zonelist = node_zonelist(numa_node_id(), gfp_mask);
	unsigned long blocks = DIV_ROUND_UP(nr_pages, MAX_ORDER_NR_PAGES);
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist(zone, z, zonelist, gfp_zone(gfp_mask)) {
		if (!run_zone(zone))
			continue;
		for (int tries = 0; tries < FREE_RUN_TRIES; tries++) {
			struct page *page = zone_free_run(zone, blocks);
			unsigned long flags;

			if (page)
				return page;
			/* Deferred blocks are free but unseen: the highest join the lists, then look again. */
			spin_lock_irqsave(&zone->lock, flags);
			if (!zone->nr_deferred) {
				spin_unlock_irqrestore(&zone->lock, flags);
				break;
			}
			for (unsigned long i = 0; i < blocks && zone->nr_deferred; i++)
				deferred_grow_zone(zone);
			spin_unlock_irqrestore(&zone->lock, flags);
		}
	}
	return NULL;
}

/*
 * A run from the top of a deferred range (mm/deferred_init.c: lending),
 * in a zone @gfp_mask may allocate from, not ZONE_DMA, highest zone first,
 * keeping the zone's min watermark as alloc_free_range() does.  Only the
 * first block's struct pages are written (and the last's, when the run
 * ends inside it and its tail goes back): a RAM-sized buffer of which a
 * program touches a little costs the host nothing for the rest.
 */
struct page *alloc_deferred_run(gfp_t gfp_mask, unsigned long nr_pages)
{
	struct zonelist *zonelist = node_zonelist(numa_node_id(), gfp_mask);
	unsigned long blocks = DIV_ROUND_UP(nr_pages, MAX_ORDER_NR_PAGES);
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist(zone, z, zonelist, gfp_zone(gfp_mask)) {
		unsigned long flags, pfn = 0;
		struct page *first;

		if (!run_zone(zone) || READ_ONCE(zone->nr_deferred) < blocks)
			continue;
		spin_lock_irqsave(&zone->lock, flags);
		if (zone_page_state(zone, NR_FREE_PAGES) >= min_wmark_pages(zone) + blocks * MAX_ORDER_NR_PAGES)
			pfn = deferred_lend_run(zone, blocks, nr_pages & (MAX_ORDER_NR_PAGES - 1));
		spin_unlock_irqrestore(&zone->lock, flags);
		if (!pfn)
			continue;
		first = pfn_to_page(pfn);
		kernel_map_pages(first, MAX_ORDER_NR_PAGES, 1);
		if (blocks > 1 && (nr_pages & (MAX_ORDER_NR_PAGES - 1)))
			kernel_map_pages(first + (blocks - 1) * MAX_ORDER_NR_PAGES, MAX_ORDER_NR_PAGES, 1);
		return first;
	}
	return NULL;
}

/*
 * The block's first page is aligned to a power of two of at least @to
 * pages (or to MAX_ORDER), so an offset's alignment is its pfn's: each
 * piece is a naturally aligned block of the order its offset allows.
 * Pages after the first of an order-n allocation have a count of 0: each
 * piece's first page gets the reference it is freed by.
 */
void free_block_pieces(struct page *first, unsigned long from, unsigned long to)
{
	while (from < to) {
		int order = from ? __builtin_ctzl(from) : MAX_ORDER - 1;

		if (order > MAX_ORDER - 1)
			order = MAX_ORDER - 1;
		while ((1UL << order) > to - from)
			order--;
		if (from)
			set_page_count(first + from, 1);
		__free_pages(first + from, order);
		from += 1UL << order;
	}
}

/*
 * The blocks of the run are visited from the top down, so that a lent
 * block freed whole or written for a partial free is always at the top
 * of what is left of its lent range.  A lent block freed whole returns to
 * the deferred ranges unwritten; a lent block freed in part is written
 * first, then its pieces freed; a written block's pieces are freed as
 * pblock pieces are, and if it is then one free block of the top order
 * (its other pieces free too), it becomes deferred again, its struct
 * pages given back (deferred_absorb).  Counters move as __free_pages()
 * moves them.  The caller discarded the pages' contents.
 */
void free_run_pages(struct page *first, unsigned long from, unsigned long to)
{
	unsigned long base = page_to_pfn(first);

	if (from >= to)
		return;
	for (unsigned long blk = (to - 1) / MAX_ORDER_NR_PAGES + 1; blk-- > from / MAX_ORDER_NR_PAGES;) {
		unsigned long lo = max(from, blk * MAX_ORDER_NR_PAGES);
		unsigned long hi = min(to, (blk + 1) * MAX_ORDER_NR_PAGES);
		unsigned long pfn = base + blk * MAX_ORDER_NR_PAGES, flags;
		struct zone *zone = deferred_lent_zone(pfn);

		if (zone) {
			spin_lock_irqsave(&zone->lock, flags);
			if (hi - lo == MAX_ORDER_NR_PAGES)
				deferred_return_lent(zone, pfn);
			else
				deferred_write_lent(zone, pfn);
			spin_unlock_irqrestore(&zone->lock, flags);
			if (hi - lo == MAX_ORDER_NR_PAGES)
				continue;
		}
		free_block_pieces(first, lo, hi);
		zone = page_zone(pfn_to_page(pfn));
		spin_lock_irqsave(&zone->lock, flags);
		deferred_absorb(zone, pfn);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
}
