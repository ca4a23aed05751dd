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
