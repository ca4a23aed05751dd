/*
 * swap.c - the LRU lists a page joins when it is mapped into a process,
 * and leaves when its last reference goes.
 *
 * Each zone has five lists (inactive/active anon, inactive/active file,
 * unevictable) under zone->lru_lock; PG_lru says a page is on one,
 * PG_active which half.  Their sizes are the zone counters behind
 * meminfo's Active(anon), Inactive(anon)...  Reclaim (a later issue)
 * walks them; here pages arrive, depart, and move between the
 * evictable lists and the unevictable one when they are mlocked or
 * munlocked (mm/mlock.c).  2.6.34 batches arrivals per CPU in pagevecs;
 * kmm adds each page at once (the counters then read exactly, which
 * meminfo tests rely on).
 *
 * A page on the unevictable list has PG_unevictable and never PG_active;
 * in kmm it is there because it is mlocked (PG_mlocked), the only reason
 * kmm has (2.6.34 also has SHM_LOCK and ramfs).
 */
#include <kmm/irqflags.h>
#include <kmm/list.h>
#include <kmm/mm.h>
#include <kmm/pagemap.h>
#include <kmm/spinlock.h>
#include <kmm/vmstat.h>
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

/*
 * The last reference went: off the LRU before the page is freed.  A page
 * still mlocked (munmap and exit munlock first, so only a path that
 * forgot) leaves Mlocked here, as 2.6.34's free path does with
 * free_page_mlock: the free checks would otherwise call it a bad page.
 */
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
	if (unlikely(TestClearPageMlocked(page))) {
		__mod_zone_page_state(zone, NR_MLOCK, -1);
		__count_vm_event(UNEVICTABLE_MLOCKFREED);
	}
	spin_unlock_irqrestore(&zone->lru_lock, flags);
}

/*
 * A new page that a locked VMA maps (already PG_mlocked): straight onto
 * the unevictable list, never on the evictable ones first.
 */
void add_page_to_unevictable_list(struct page *page)
{
	struct zone *zone = page_zone(page);
	unsigned long flags;

	VM_BUG_ON(PageLRU(page) || PageActive(page));
	spin_lock_irqsave(&zone->lru_lock, flags);
	SetPageUnevictable(page);
	SetPageLRU(page);
	list_add(&page->lru, &zone->lru[LRU_UNEVICTABLE].list);
	__mod_zone_page_state(zone, NR_LRU_BASE + LRU_UNEVICTABLE, 1);
	spin_unlock_irqrestore(&zone->lru_lock, flags);
}

/*
 * A page was mlocked or munlocked: put it, at the head, on the list its
 * flags now call for -- unevictable while PG_mlocked (PG_active dropped),
 * else the inactive or active list of its kind (an unevictable page has
 * no PG_active, so a munlocked page starts inactive).  This is 2.6.34's
 * isolate_lru_page followed by putback_lru_page, done in one hold of
 * zone->lru_lock so that no one sees the page off every list; the
 * culled/rescued events count the moves across the evictable line.
 * Returns false, moving nothing, for a page on no LRU list.
 */
bool move_page_lru(struct page *page)
{
	struct zone *zone = page_zone(page);
	enum lru_list from, to;
	unsigned long flags;

	spin_lock_irqsave(&zone->lru_lock, flags);
	if (!PageLRU(page)) {
		spin_unlock_irqrestore(&zone->lru_lock, flags);
		return false;
	}
	from = page_lru(page);
	if (PageMlocked(page)) {
		to = LRU_UNEVICTABLE;
		ClearPageActive(page);
		SetPageUnevictable(page);
	} else {
		ClearPageUnevictable(page);
		to = page_lru(page);
	}
	list_move(&page->lru, &zone->lru[to].list);
	if (from != to) {
		__mod_zone_page_state(zone, NR_LRU_BASE + from, -1);
		__mod_zone_page_state(zone, NR_LRU_BASE + to, 1);
	}
	if (from == LRU_UNEVICTABLE && to != LRU_UNEVICTABLE)
		__count_vm_event(UNEVICTABLE_PGRESCUED);
	else if (from != LRU_UNEVICTABLE && to == LRU_UNEVICTABLE)
		__count_vm_event(UNEVICTABLE_PGCULLED);
	spin_unlock_irqrestore(&zone->lru_lock, flags);
	return true;
}

/*
 * A read used @page (2.6.34's mark_page_accessed): the first use marks it
 * referenced, the second moves an inactive page to its active list.
 */
void mark_page_accessed(struct page *page)
{
	if (!PageActive(page) && !PageUnevictable(page) && PageReferenced(page) &&
	    PageLRU(page)) {
		struct zone *zone = page_zone(page);
		unsigned long flags;

		spin_lock_irqsave(&zone->lru_lock, flags);
		if (PageLRU(page) && !PageActive(page) && !PageUnevictable(page)) {
			enum lru_list from = page_lru(page);

			SetPageActive(page);
			list_move(&page->lru, &zone->lru[from + 1].list);
			__mod_zone_page_state(zone, NR_LRU_BASE + from, -1);
			__mod_zone_page_state(zone, NR_LRU_BASE + from + 1, 1);
			__count_vm_event(PGACTIVATE);
		}
		spin_unlock_irqrestore(&zone->lru_lock, flags);
		ClearPageReferenced(page);
	} else if (!PageReferenced(page)) {
		SetPageReferenced(page);
	}
}

/* Free and total swap pages (swapfile.c in Linux): 0 until the swap issue adds swap. */
long nr_swap_pages __state_zero;
long total_swap_pages __state_zero;
