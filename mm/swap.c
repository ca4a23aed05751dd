/*
 * swap.c - the LRU lists a page joins when it is mapped into a process,
 * and leaves when its last reference goes.
 *
 * Each zone has five lists (inactive/active anon, inactive/active file,
 * unevictable) under zone->lru_lock; PG_lru says a page is on one,
 * PG_active which half.  Their sizes are the zone counters behind
 * meminfo's Active(anon), Inactive(anon)...  Reclaim (a later issue)
 * walks them; here pages only arrive and depart.  2.6.34 batches
 * arrivals per CPU in pagevecs; kmm adds each page at once (the
 * counters then read exactly, which meminfo tests rely on).
 */
#include <kmm/irqflags.h>
#include <kmm/list.h>
#include <kmm/mm.h>
#include <kmm/spinlock.h>
#include "mm/internal.h"

static bool is_active_lru(enum lru_list lru)
{
	return lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE;
}

void lru_cache_add_lru(struct page *page, enum lru_list lru)
{
	struct zone *zone = page_zone(page);
	unsigned long flags;

	VM_BUG_ON(PageLRU(page) || PageActive(page));
	spin_lock_irqsave(&zone->lru_lock, flags);
	SetPageLRU(page);
	if (is_active_lru(lru))
		SetPageActive(page);
	list_add(&page->lru, &zone->lru[lru].list);
	__mod_zone_page_state(zone, NR_LRU_BASE + lru, 1);
	spin_unlock_irqrestore(&zone->lru_lock, flags);
}

/* Which list a page on the LRU is on. */
static enum lru_list page_lru(struct page *page)
{
	enum lru_list lru;

	if (PageUnevictable(page))
		return LRU_UNEVICTABLE;
	lru = PageSwapBacked(page) ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
	if (PageActive(page))
		lru += 1;
	return lru;
}

/* The last reference went: off the LRU before the page is freed. */
void __page_cache_release(struct page *page)
{
	struct zone *zone = page_zone(page);
	unsigned long flags;

	spin_lock_irqsave(&zone->lru_lock, flags);
	if (TestClearPageLRU(page)) {
		enum lru_list lru = page_lru(page);

		list_del(&page->lru);
		ClearPageActive(page);
		ClearPageUnevictable(page);
		__mod_zone_page_state(zone, NR_LRU_BASE + lru, -1);
	}
	spin_unlock_irqrestore(&zone->lru_lock, flags);
}

/*
 * Mark a page dirty: its contents differ from its backing store (a file
 * page written through a shared mapping).  Anonymous and shmem pages
 * have no writeback here; the flag is what smaps' Dirty reads.
 */
int set_page_dirty(struct page *page)
{
	return !TestSetPageDirty(page);
}

/* Free and total swap pages (swapfile.c in Linux): 0 until the swap issue adds swap. */
long nr_swap_pages __state;
long total_swap_pages __state;
