/*
 * page_alloc.c - the zoned buddy allocator (seed 003, 2.5).
 *
 * Each zone keeps its free memory as blocks of 2^order pages, order 0 to
 * MAX_ORDER-1, on free_area[order].free_list[migratetype].  A block of
 * order o starts at a pfn that is a multiple of 2^o; its "buddy" is the
 * other half of the order o+1 block containing it, found by flipping bit o
 * of the pfn.  Allocation takes the smallest block that fits and splits off
 * the unused halves (expand); freeing merges a block with its free buddy
 * for as long as it can (__free_one_page).
 *
 * Blocks are also sorted by mobility: each pageblock (2^pageblock_order
 * pages) has a migrate type, and an allocation takes from its own type's
 * lists first, falling back to other types only in large chunks, so that
 * unmovable allocations do not scatter over the whole zone.
 *
 * Order-0 pages go through per-CPU lists (per_cpu_pages): a CPU allocates
 * and frees there without the zone lock, refilling and draining in batches.
 *
 * Locking: zone->lock protects the free lists, nr_free and the pageblock
 * bits; the per-CPU lists are protected by disabling "interrupts" on their
 * CPU.  Lock order: see mm/internal.h.
 */
#include <kmm/bootmem.h>
#include <kmm/cpu.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fault-inject.h>
#include <kmm/gfp.h>
#include <kmm/highmem.h>
#include <kmm/jiffies.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/smp.h>
#include <kmm/string.h>
#include <kmm/trace.h>
#include <kmm/vmstat.h>
#include "hw/cpu.h"
#include "mm/internal.h"

gfp_t gfp_allowed_mask __state = GFP_BOOT_MASK;
int page_group_by_mobility_disabled __state_zero;
int pageblock_order __state_zero;
u8 gfp_zone_table[16] __state_zero;
struct per_cpu_pageset boot_pageset[NR_CPUS] __state_bulk;
static bool boot_done __state_zero;

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Reclaimable", "Movable", "Reserve", "Isolate",
};

/*
 * Where to look when a migrate type's own lists are empty, in order.
 * RESERVE is the last resort and is handled by __rmqueue() itself.
 */
const int fallbacks[MIGRATE_TYPES][MIGRATE_TYPES - 1] = {
	[MIGRATE_UNMOVABLE]   = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE,   MIGRATE_RESERVE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE,   MIGRATE_MOVABLE,   MIGRATE_RESERVE },
	[MIGRATE_MOVABLE]     = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, MIGRATE_RESERVE },
	[MIGRATE_RESERVE]     = { MIGRATE_RESERVE,     MIGRATE_RESERVE,   MIGRATE_RESERVE },
};

bool mm_boot_done(void)
{
	return boot_done;
}

void mm_set_boot_done(void)
{
	boot_done = true;
}

/* ---- pageblock flags ---- */

/*
 * Writers hold zone->lock (or run at boot, alone); readers such as
 * free_hot_cold_page do not take it, so each bit is changed with a single
 * store of its word.  A reader racing with a change may see a mix of old
 * and new bits, as in Linux: the worst outcome is a page freed to the
 * wrong list, which the next fallback or merge sorts out.
 */
static void pageblock_bit_assign(unsigned long *map, unsigned long nr, bool on)
{
	unsigned long *word = &map[BIT_WORD(nr)];
	unsigned long v = READ_ONCE(*word);

	WRITE_ONCE(*word, on ? v | BIT_MASK(nr) : v & ~BIT_MASK(nr));
}

/* The pageblock of @pfn in @zone, whose struct pages need not be initialised yet. */
void set_zone_pageblock_migratetype(struct zone *zone, unsigned long pfn, int migratetype)
{
	unsigned long bitidx = pfn_to_bitidx(zone, pfn);

	if (unlikely(page_group_by_mobility_disabled))
		migratetype = MIGRATE_UNMOVABLE;
	for (int i = 0; i < NR_PAGEBLOCK_BITS; i++)
		pageblock_bit_assign(zone->pageblock_flags, bitidx + i, migratetype & (1 << i));
}

void set_pageblock_migratetype(struct page *page, int migratetype)
{
	set_zone_pageblock_migratetype(page_zone(page), page_to_pfn(page), migratetype);
}

/* ---- tracepoints ---- */

static void trace_page(enum trace_event_id id, const char *fmt_tail, struct page *page,
		       unsigned int order, int a, int b)
{
	char gfp[160];

	switch (id) {
	case TRACE_mm_page_alloc:
		format_gfp_flags(gfp, sizeof(gfp), b);
		trace_event(id, "page=%0*llx pfn=%lu order=%u migratetype=%d gfp_flags=%s",
			    arch->sizeof_ptr * 2, page ? (unsigned long long)page_to_linux(page) : 0ULL,
			    page ? page_to_pfn(page) : 0UL, order, a, gfp);
		break;
	case TRACE_mm_page_alloc_zone_locked:
		trace_event(id, "page=%0*llx pfn=%lu order=%u migratetype=%d percpu_refill=%d",
			    arch->sizeof_ptr * 2, page ? (unsigned long long)page_to_linux(page) : 0ULL,
			    page ? page_to_pfn(page) : 0UL, order, a, order == 0);
		break;
	default:
		trace_event(id, fmt_tail, arch->sizeof_ptr * 2,
			    (unsigned long long)page_to_linux(page), page_to_pfn(page), order, a);
		break;
	}
}

#define trace_mm_page_alloc(page, order, gfp, mt) \
	do { if (trace_on(mm_page_alloc)) trace_page(TRACE_mm_page_alloc, NULL, page, order, mt, gfp); } while (0)
#define trace_mm_page_alloc_zone_locked(page, order, mt) \
	do { if (trace_on(mm_page_alloc_zone_locked)) trace_page(TRACE_mm_page_alloc_zone_locked, NULL, page, order, mt, 0); } while (0)
#define trace_mm_page_free_direct(page, order) \
	do { if (trace_on(mm_page_free_direct)) trace_page(TRACE_mm_page_free_direct, "page=%0*llx pfn=%lu order=%u", page, order, 0, 0); } while (0)
#define trace_mm_page_pcpu_drain(page, order, mt) \
	do { if (trace_on(mm_page_pcpu_drain)) trace_page(TRACE_mm_page_pcpu_drain, "page=%0*llx pfn=%lu order=%u migratetype=%d", page, order, mt, 0); } while (0)

static void trace_mm_page_alloc_extfrag(struct page *page, int alloc_order, int fallback_order,
					int alloc_mt, int fallback_mt)
{
	if (!trace_on(mm_page_alloc_extfrag))
		return;
	trace_event(TRACE_mm_page_alloc_extfrag,
		    "page=%0*llx pfn=%lu alloc_order=%d fallback_order=%d pageblock_order=%d alloc_migratetype=%d fallback_migratetype=%d fragmenting=%d change_ownership=%d",
		    arch->sizeof_ptr * 2, (unsigned long long)page_to_linux(page), page_to_pfn(page),
		    alloc_order, fallback_order, pageblock_order, alloc_mt, fallback_mt,
		    fallback_order < pageblock_order, alloc_mt == fallback_mt);
}

/* ---- compound pages ---- */

static void free_compound_page(struct page *page);

void prep_compound_page(struct page *page, unsigned long order)
{
	int nr_pages = 1 << order;

	set_compound_page_dtor(page, free_compound_page);
	set_compound_order(page, order);
	__SetPageHead(page);
	for (int i = 1; i < nr_pages; i++) {
		struct page *p = page + i;

		__SetPageTail(p);
		p->first_page = page;
	}
}

/* Undo prep_compound_page(); returns the number of inconsistencies found. */
static int destroy_compound_page(struct page *page, unsigned long order)
{
	int nr_pages = 1 << order, bad = 0;

	if (unlikely(compound_order(page) != (int)order) || unlikely(!PageHead(page))) {
		bad_page(page);
		bad++;
	}
	__ClearPageHead(page);
	for (int i = 1; i < nr_pages; i++) {
		struct page *p = page + i;

		if (unlikely(!PageTail(p) || p->first_page != page)) {
			bad_page(page);
			bad++;
		}
		__ClearPageTail(p);
	}
	return bad;
}

/* ---- freeing ---- */

/*
 * page_is_buddy - can @page (of @order) merge with @buddy?
 * Only if the buddy is itself a free block of the same order (PG_buddy and
 * ->private == order) in the same zone of the same node: a block beyond
 * the zone's end, in a hole, or split into smaller free blocks does not
 * qualify.  The check is made under zone->lock, which serialises PG_buddy.
 */
static inline bool page_is_buddy(struct page *page, struct page *buddy, int order)
{
	if (!pfn_valid(page_to_pfn(buddy)))
		return false;
	if (page_zone_id(page) != page_zone_id(buddy))
		return false;
	if (PageBuddy(buddy) && page_order(buddy) == (unsigned long)order) {
		VM_BUG_ON(page_count(buddy) != 0);
		return true;
	}
	return false;
}

/*
 * __free_one_page - return a block of 2^order pages to the free lists,
 * merging it with its buddies.
 *
 * Why merging by XOR works: a free block of order o always starts at a pfn
 * that is a multiple of 2^o.  The two halves of the order o+1 block that
 * contains it differ only in bit o of their start pfn, so the buddy is at
 * pfn ^ (1 << o), and the merged block starts at pfn & ~(1 << o), again a
 * multiple of 2^(o+1).  If the buddy is free and whole (page_is_buddy), it
 * leaves its list and the merged block tries again one order up; otherwise
 * the block goes on the list of its order.  Every free page belongs to
 * exactly one free block, whose first page alone carries PG_buddy and the
 * order, so the buddy test is O(1) and the whole free is O(MAX_ORDER).
 *
 * The caller holds zone->lock and accounts NR_FREE_PAGES.
 */
static void __free_one_page(struct page *page, struct zone *zone, unsigned int order,
			    int migratetype)
{
	unsigned long page_idx;

	if (unlikely(PageCompound(page)))
		if (unlikely(destroy_compound_page(page, order)))
			return;
	VM_BUG_ON(migratetype == -1);
	assert_spin_locked(&zone->lock);

	page_idx = page_to_pfn(page) & ((1 << MAX_ORDER) - 1);
	VM_BUG_ON(page_idx & ((1 << order) - 1));

	while (order < MAX_ORDER - 1) {
		unsigned long buddy_idx = page_idx ^ (1 << order);
		unsigned long combined_idx;
		struct page *buddy = page + ((long)buddy_idx - (long)page_idx);

		if (!page_is_buddy(page, buddy, order))
			break;
		list_del(&buddy->lru);
		area_add_free(&zone->free_area[order], -1);
		rmv_page_order(buddy);
		combined_idx = page_idx & ~(1UL << order);
		page = page + ((long)combined_idx - (long)page_idx);
		page_idx = combined_idx;
		order++;
	}
	set_page_order(page, order);
	list_add(&page->lru, &zone->free_area[order].free_list[migratetype]);
	area_add_free(&zone->free_area[order], 1);
}

/*
 * A page being freed must be unmapped, unreferenced and flag-free (except
 * flags that only describe its past, cleared here).  Returns 1 if it is
 * not; the page is then reported and left out of the free lists.
 */
static inline int free_pages_check(struct page *page)
{
	if (unlikely(!page_refs_idle(page) | (page->mapping != NULL) |
		     (page->flags & PAGE_FLAGS_CHECK_AT_FREE) | pcp_marked(page))) {
		/* A free block or a pcp page is not ours to change: report only. */
		if (PageBuddy(page) || pcp_marked(page))
			bad_page_report(page);
		else
			bad_page(page);
		return 1;
	}
	if (page->flags & PAGE_FLAGS_CHECK_AT_PREP)
		__page_flags_clear(page, PAGE_FLAGS_CHECK_AT_PREP);
	return 0;
}

/*
 * Free @count pages from @pcp's lists to the buddy lists.  The lists are
 * visited round-robin, taking more pages from a list the more empty lists
 * were skipped to reach it, coldest (tail) pages first.
 */
static noinline void free_pcppages_bulk(struct zone *zone, int count, struct per_cpu_pages *pcp)
{
	int migratetype = 0, batch_free = 0, to_free = count;

	spin_lock(&zone->lock);
	zone->all_unreclaimable = 0;
	zone->pages_scanned = 0;
	while (to_free) {
		struct list_head *list;
		struct page *page;

		do {
			batch_free++;
			if (++migratetype == MIGRATE_PCPTYPES)
				migratetype = 0;
			list = &pcp->lists[migratetype];
		} while (list_empty(list));

		do {
			page = list_entry(list->prev, struct page, lru);
			list_del(&page->lru);
			pcp_mark(page, false);
			/* MIGRATE_MOVABLE lists may hold MIGRATE_RESERVE pages: private says which. */
			__free_one_page(page, zone, 0, page_private(page));
			trace_mm_page_pcpu_drain(page, 0, (int)page_private(page));
		} while (--to_free && --batch_free && !list_empty(list));
	}
	__mod_zone_page_state(zone, NR_FREE_PAGES, count);
	spin_unlock(&zone->lock);
}

static noinline void free_one_page(struct zone *zone, struct page *page, int order,
				   int migratetype)
{
	spin_lock(&zone->lock);
	zone->all_unreclaimable = 0;
	zone->pages_scanned = 0;
	__free_one_page(page, zone, order, migratetype);
	__mod_zone_page_state(zone, NR_FREE_PAGES, 1 << order);
	spin_unlock(&zone->lock);
}

static void __free_pages_ok(struct page *page, unsigned int order)
{
	unsigned long flags;
	int bad = 0;

	trace_mm_page_free_direct(page, order);
	for (int i = 0; i < (1 << order); i++)
		bad += free_pages_check(page + i);
	if (bad)
		return;
	kernel_map_pages(page, 1 << order, 0);
	local_irq_save(flags);
	__count_vm_events(PGFREE, 1 << order);
	free_one_page(page_zone(page), page, order, get_pageblock_migratetype(page));
	local_irq_restore(flags);
}

static void free_compound_page(struct page *page)
{
	__free_pages_ok(page, compound_order(page));
}

/*
 * Free an order-0 page to this CPU's list: hot pages (likely still in the
 * cache) at the head, where allocation takes from; cold ones at the tail.
 * When the list reaches pcp->high a batch goes back to the buddy lists.
 */
void free_hot_cold_page(struct page *page, int cold)
{
	struct zone *zone = page_zone(page);
	struct per_cpu_pages *pcp;
	unsigned long flags;
	int migratetype;

	trace_mm_page_free_direct(page, 0);
	if ((unsigned long)page->mapping & 1)	/* PageAnon */
		page->mapping = NULL;
	if (free_pages_check(page))
		return;
	kernel_map_pages(page, 1, 0);

	migratetype = __get_pageblock_migratetype(zone, page_to_pfn(page));
	set_page_private(page, migratetype);
	local_irq_save(flags);
	__count_vm_event(PGFREE);

	/*
	 * Only the three mobility types have pcp lists.  Isolated pages go
	 * straight back to the buddy lists; RESERVE pages travel on the
	 * MOVABLE list, their private field remembering where they belong.
	 */
	if (migratetype >= MIGRATE_PCPTYPES) {
		if (unlikely(migratetype == MIGRATE_ISOLATE)) {
			free_one_page(zone, page, 0, migratetype);
			goto out;
		}
		migratetype = MIGRATE_MOVABLE;
	}
	pcp = &zone->pageset[smp_processor_id()].pcp;
	if (cold)
		list_add_tail(&page->lru, &pcp->lists[migratetype]);
	else
		list_add(&page->lru, &pcp->lists[migratetype]);
	pcp_mark(page, true);
	pcp->count++;
	if (pcp->count >= pcp->high) {
		free_pcppages_bulk(zone, pcp->batch, pcp);
		pcp->count -= pcp->batch;
	}
out:
	local_irq_restore(flags);
}

/* The hand-over frees pages that were reserved since memmap_init_zone(). */
void __free_pages_bootmem(struct page *page, unsigned int order)
{
	if (order == 0) {
		__ClearPageReserved(page);
		set_page_count(page, 0);
		set_page_refcounted(page);
		__free_page(page);
	} else {
		for (unsigned int i = 0; i < (1U << order); i++) {
			__ClearPageReserved(page + i);
			set_page_count(page + i, 0);
		}
		set_page_refcounted(page);
		__free_pages(page, order);
	}
}

void __free_pages(struct page *page, unsigned int order)
{
	/*
	 * No reference to drop (a double free, or a page never allocated), or
	 * a block not aligned to its order (freed with the wrong order):
	 * report, and leave the page as it is.
	 */
	if (unlikely(page_count(page) <= 0 ||
		     (order && (page_to_pfn(page) & ((1UL << order) - 1))))) {
		bad_page_report(page);
		return;
	}
	if (put_page_last(page)) {
		if (order == 0)
			free_hot_cold_page(page, 0);
		else
			__free_pages_ok(page, order);
	}
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr != 0) {
		VM_BUG_ON(!virt_addr_valid((void *)addr));
		__free_pages(virt_to_page((void *)addr), order);
	}
}

/* Drop a reference; compound pages go through their destructor. */
void put_page(struct page *page)
{
	if (unlikely(PageCompound(page))) {
		page = compound_head(page);
		if (put_page_testzero(page))
			get_compound_page_dtor(page)(page);
		return;
	}
	if (put_page_testzero(page)) {
		if (PageLRU(page))
			__page_cache_release(page);
		free_hot_cold_page(page, 0);
	}
}

/*
 * Turn a non-compound block of 2^order pages into independent pages, each
 * with its own reference, so they can be freed one by one.
 */
void split_page(struct page *page, unsigned int order)
{
	VM_BUG_ON(PageCompound(page));
	VM_BUG_ON(!page_count(page));
	for (unsigned int i = 1; i < (1U << order); i++)
		set_page_refcounted(page + i);
}

/* ---- allocating ---- */

/*
 * expand - split the order @high block at @page down to order @low,
 * returning the upper halves to the free lists of @migratetype.
 *
 * Taking 2^low pages from a block of 2^high: the block is halved
 * high - low times; each time the upper half (which starts at a multiple of
 * its own size, so is a valid free block) goes on the list one order down,
 * and the lower half is kept.  The caller gets the lowest 2^low pages.
 */
static inline void expand(struct zone *zone, struct page *page, int low, int high,
			  struct free_area *area, int migratetype)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		area--;
		high--;
		size >>= 1;
		list_add(&page[size].lru, &area->free_list[migratetype]);
		area_add_free(area, 1);
		set_page_order(&page[size], high);
	}
}

/* A page leaving the allocator must be clean; see free_pages_check(). */
static inline int check_new_page(struct page *page)
{
	if (unlikely(!page_refs_idle(page) | (page->mapping != NULL) |
		     (page->flags & PAGE_FLAGS_CHECK_AT_PREP))) {
		bad_page(page);
		return 1;
	}
	return 0;
}

/*
 * Each page through an atomic mapping (highmem pages have no other):
 * clear_highpage() takes this CPU's KM_USER0 slot, which an interrupt's
 * allocation must not, hence no __GFP_HIGHMEM|__GFP_ZERO in interrupts.
 */
static void prep_zero_page(struct page *page, int order, gfp_t gfp_flags)
{
	VM_BUG_ON((gfp_flags & __GFP_HIGHMEM) && in_interrupt());
	for (int i = 0; i < (1 << order); i++)
		clear_highpage(page + i);
}

static __always_inline int prep_new_page(struct page *page, int order, gfp_t gfp_flags)
{
	for (int i = 0; i < (1 << order); i++)
		if (unlikely(check_new_page(page + i)))
			return 1;
	set_page_private(page, 0);
	set_page_refcounted(page);
	kernel_map_pages(page, 1 << order, 1);
	if (gfp_flags & __GFP_ZERO)
		prep_zero_page(page, order, gfp_flags);
	if (order && (gfp_flags & __GFP_COMP))
		prep_compound_page(page, order);
	return 0;
}

/*
 * Is this free list empty?  Deferred memory (mm/deferred_init.c) is the
 * tail of a zone's top-order MOVABLE list, in the order a full boot put it
 * there: when the list's initialised part runs out, the next deferred block
 * joins it, so the list never looks empty while one is left.
 */
static __always_inline bool free_list_empty(struct zone *zone, unsigned int order,
					    int migratetype)
{
	if (likely(!list_empty(&zone->free_area[order].free_list[migratetype])))
		return false;
	if (unlikely(order == MAX_ORDER - 1 && migratetype == MIGRATE_MOVABLE &&
		     zone->nr_deferred)) {
		deferred_grow_zone(zone);
		return false;
	}
	return true;
}

/* The smallest block of @migratetype that fits, split down to @order. */
static inline struct page *__rmqueue_smallest(struct zone *zone, unsigned int order,
					      int migratetype)
{
	for (unsigned int current_order = order; current_order < MAX_ORDER; current_order++) {
		struct free_area *area = &zone->free_area[current_order];
		struct page *page;

		if (free_list_empty(zone, current_order, migratetype))
			continue;
		page = list_entry(area->free_list[migratetype].next, struct page, lru);
		list_del(&page->lru);
		rmv_page_order(page);
		area_add_free(area, -1);
		expand(zone, page, order, current_order, area, migratetype);
		return page;
	}
	return NULL;
}

/*
 * Move the free blocks between @start_page and @end_page (inclusive) to
 * the lists of @migratetype.  Returns the number of pages moved.
 */
static int move_freepages(struct zone *zone, struct page *start_page, struct page *end_page,
			  int migratetype)
{
	struct page *page;
	int pages_moved = 0;

	BUG_ON(page_zone(start_page) != page_zone(end_page));
	for (page = start_page; page <= end_page;) {
		unsigned long order;

		if (!pfn_valid(page_to_pfn(page)) || !PageBuddy(page)) {
			page++;
			continue;
		}
		VM_BUG_ON(page_to_nid(page) != zone_to_nid(zone));
		order = page_order(page);
		list_del(&page->lru);
		list_add(&page->lru, &zone->free_area[order].free_list[migratetype]);
		page += 1 << order;
		pages_moved += 1 << order;
	}
	return pages_moved;
}

int move_freepages_block(struct zone *zone, struct page *page, int migratetype)
{
	unsigned long start_pfn = page_to_pfn(page) & ~(pageblock_nr_pages - 1);
	unsigned long end_pfn = start_pfn + pageblock_nr_pages - 1;
	struct page *start_page = pfn_to_page(start_pfn);
	struct page *end_page = start_page + pageblock_nr_pages - 1;

	/* Do not cross zone boundaries. */
	if (start_pfn < zone->zone_start_pfn)
		start_page = page;
	if (end_pfn >= zone->zone_start_pfn + zone->spanned_pages)
		return 0;
	return move_freepages(zone, start_page, end_page, migratetype);
}

static void change_pageblock_range(struct page *pageblock_page, int start_order,
				   int migratetype)
{
	int nr_pageblocks = 1 << (start_order - pageblock_order);

	while (nr_pageblocks--) {
		set_pageblock_migratetype(pageblock_page, migratetype);
		pageblock_page += pageblock_nr_pages;
	}
}

/*
 * __rmqueue_fallback - take a block from another migrate type's lists.
 *
 * The largest block available is taken first: if an allocation must
 * pollute another type's pageblock, better to claim that pageblock whole
 * than to leave small foreign pieces everywhere.  A block of at least half
 * a pageblock (or any block for reclaimable allocations, which arrive in
 * bursts) drags the rest of its pageblock's free pages along, and when that
 * is most of the pageblock, the pageblock changes type.
 */
static struct page *__rmqueue_fallback(struct zone *zone, int order, int start_migratetype)
{
	for (int current_order = MAX_ORDER - 1; current_order >= order; --current_order) {
		for (int i = 0; i < MIGRATE_TYPES - 1; i++) {
			int migratetype = fallbacks[start_migratetype][i];
			struct free_area *area;
			struct page *page;

			if (migratetype == MIGRATE_RESERVE)
				continue;
			area = &zone->free_area[current_order];
			if (free_list_empty(zone, current_order, migratetype))
				continue;
			page = list_entry(area->free_list[migratetype].next, struct page, lru);
			area_add_free(area, -1);

			if (unlikely(current_order >= (pageblock_order >> 1)) ||
			    start_migratetype == MIGRATE_RECLAIMABLE ||
			    page_group_by_mobility_disabled) {
				int pages = move_freepages_block(zone, page, start_migratetype);

				/* Claim the whole block if over half of it is free. */
				if (pages >= (1 << (pageblock_order - 1)) ||
				    page_group_by_mobility_disabled)
					set_pageblock_migratetype(page, start_migratetype);
				migratetype = start_migratetype;
			}
			list_del(&page->lru);
			rmv_page_order(page);
			if (current_order >= pageblock_order)
				change_pageblock_range(page, current_order, start_migratetype);
			expand(zone, page, order, current_order, area, migratetype);
			trace_mm_page_alloc_extfrag(page, order, current_order, start_migratetype,
						    migratetype);
			return page;
		}
	}
	return NULL;
}

/* Remove one block of @order; zone->lock held. */
static struct page *__rmqueue(struct zone *zone, unsigned int order, int migratetype)
{
	struct page *page;

retry_reserve:
	page = __rmqueue_smallest(zone, order, migratetype);
	if (unlikely(!page) && migratetype != MIGRATE_RESERVE) {
		page = __rmqueue_fallback(zone, order, migratetype);
		/* Use MIGRATE_RESERVE rather than fail the allocation. */
		if (!page) {
			migratetype = MIGRATE_RESERVE;
			goto retry_reserve;
		}
	}
	trace_mm_page_alloc_zone_locked(page, order, migratetype);
	return page;
}

/*
 * Take @count blocks of @order under one hold of the lock and chain them
 * onto @list in the order obtained (physically ascending after a split),
 * each marked with the migrate type it was asked for.
 */
static noinline int rmqueue_bulk(struct zone *zone, unsigned int order, unsigned long count,
			struct list_head *list, int migratetype, int cold)
{
	unsigned long i;

	spin_lock(&zone->lock);
	for (i = 0; i < count; ++i) {
		struct page *page = __rmqueue(zone, order, migratetype);

		if (unlikely(!page))
			break;
		if (likely(cold == 0))
			list_add(&page->lru, list);
		else
			list_add_tail(&page->lru, list);
		set_page_private(page, migratetype);
		if (order == 0)
			pcp_mark(page, true);
		list = &page->lru;
	}
	__mod_zone_page_state(zone, NR_FREE_PAGES, -(int)(i << order));
	spin_unlock(&zone->lock);
	return i;
}

/*
 * buffered_rmqueue() for order > 0: straight from the buddy lists.
 * Returns ERR_PTR(-EAGAIN) when the block failed prep_new_page's checks
 * (reported, and left out), so the caller takes another.
 */
static noinline struct page *rmqueue_order(struct zone *preferred_zone, struct zone *zone,
					   int order, gfp_t gfp_flags, int migratetype)
{
	unsigned long flags;
	struct page *page;

	if (unlikely(gfp_flags & __GFP_NOFAIL))
		WARN_ON_ONCE(order > 1);
	spin_lock_irqsave(&zone->lock, flags);
	page = __rmqueue(zone, order, migratetype);
	if (page)
		__mod_zone_page_state(zone, NR_FREE_PAGES, -(1 << order));
	spin_unlock(&zone->lock);
	if (!page) {
		local_irq_restore(flags);
		return NULL;
	}
	__count_zone_vm_events(PGALLOC, zone, 1 << order);
	zone_statistics(preferred_zone, zone);
	local_irq_restore(flags);

	VM_BUG_ON(page_zone(page) != zone);
	if (prep_new_page(page, order, gfp_flags))
		return ERR_PTR(-EAGAIN);
	return page;
}

/*
 * Take a block from @zone: order 0 from this CPU's list, larger from the
 * buddy lists.  The order-0 branch is the allocator's hottest path: it
 * finds this CPU's pageset once and hands it to the counters, and
 * prep_new_page() is inlined with the order known to be 0.
 */
static __always_inline struct page *buffered_rmqueue(struct zone *preferred_zone,
						     struct zone *zone, int order,
						     gfp_t gfp_flags, int migratetype)
{
	unsigned long flags;
	struct page *page;
	int cold = !!(gfp_flags & __GFP_COLD);

again:
	if (likely(order == 0)) {
		struct per_cpu_pageset *pset;
		struct per_cpu_pages *pcp;
		struct list_head *list;

		local_irq_save(flags);
		pset = &zone->pageset[smp_processor_id()];
		pcp = &pset->pcp;
		list = &pcp->lists[migratetype];
		if (list_empty(list)) {
			pcp->count += rmqueue_bulk(zone, 0, pcp->batch, list, migratetype, cold);
			if (unlikely(list_empty(list)))
				goto failed;
		}
		if (cold)
			page = list_entry(list->prev, struct page, lru);
		else
			page = list_entry(list->next, struct page, lru);
		list_del(&page->lru);
		pcp_mark(page, false);
		pcp->count--;
		__count_zone_vm_events(PGALLOC, zone, 1);
		__zone_statistics(preferred_zone, zone, pset);
		local_irq_restore(flags);

		VM_BUG_ON(page_zone(page) != zone);
		if (prep_new_page(page, 0, gfp_flags))
			goto again;
		return page;
	}

	page = rmqueue_order(preferred_zone, zone, order, gfp_flags, migratetype);
	if (page == ERR_PTR(-EAGAIN))
		goto again;
	return page;

failed:
	local_irq_restore(flags);
	return NULL;
}

/*
 * The buddy lists alone: a block taken straight from @zone's free lists
 * and given straight back, with no per-CPU list, zonelist walk or
 * watermark check on the way.  Linux has no such entry point; benchmarks
 * and tests use it to measure and exercise __rmqueue and __free_one_page
 * at every order, order 0 included.  Returns NULL when the zone has no
 * block of that order or above.
 */
struct page *rmqueue_buddy(struct zone *zone, unsigned int order, int migratetype)
{
	unsigned long flags;
	struct page *page;

	spin_lock_irqsave(&zone->lock, flags);
	page = __rmqueue(zone, order, migratetype);
	if (page)
		__mod_zone_page_state(zone, NR_FREE_PAGES, -(1 << order));
	spin_unlock_irqrestore(&zone->lock, flags);
	if (page && prep_new_page(page, order, 0))
		return NULL;	/* reported as a bad page; the block stays out */
	return page;
}

void free_buddy(struct page *page, unsigned int order)
{
	if (put_page_testzero(page))
		__free_pages_ok(page, order);
}

/*
 * zone_watermark_ok - may @z give 2^order pages and keep @mark free?
 *
 * The free pages left after the allocation must exceed the mark plus the
 * zone's reserve against allocations of @classzone_idx.  For a high-order
 * request, free pages of orders below it cannot serve it, so at each order
 * they are discounted while the requirement halves: there must be enough
 * memory in blocks at least as large as the request.
 */
static __always_inline int __zone_watermark_ok(struct zone *z, int order, unsigned long mark,
					       int classzone_idx, int alloc_flags)
{
	long min = mark;
	long free_pages = zone_page_state(z, NR_FREE_PAGES) - (1 << order) + 1;

	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_flags & ALLOC_HARDER)
		min -= min / 4;
	if (free_pages <= min + (long)READ_ONCE(z->lowmem_reserve[classzone_idx]))
		return 0;
	for (int o = 0; o < order; o++) {
		free_pages -= READ_ONCE(z->free_area[o].nr_free) << o;
		min >>= 1;
		if (free_pages <= min)
			return 0;
	}
	return 1;
}

int zone_watermark_ok(struct zone *z, int order, unsigned long mark, int classzone_idx,
		      int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, classzone_idx, alloc_flags);
}

/*
 * get_page_from_freelist - walk the zonelist, allocating from the first
 * zone that passes the watermark check (or from any, with
 * ALLOC_NO_WATERMARKS).
 */
static __always_inline struct page *
__get_page_from_freelist(gfp_t gfp_mask, unsigned long *nodemask, unsigned int order,
			 struct zonelist *zonelist, int high_zoneidx, int alloc_flags,
			 struct zone *preferred_zone, int migratetype)
{
	int classzone_idx = zone_idx(preferred_zone);
	struct zoneref *z;
	struct zone *zone;
	struct page *page = NULL;

	for_each_zone_zonelist(zone, z, zonelist, high_zoneidx) {
		if (nodemask && !(*nodemask & (1UL << zone_to_nid(zone))))
			continue;
		if (!(alloc_flags & ALLOC_NO_WATERMARKS)) {
			unsigned long mark = READ_ONCE(zone->watermark[alloc_flags & ALLOC_WMARK_MASK]);

			if (!__zone_watermark_ok(zone, order, mark, classzone_idx, alloc_flags)) {
				if (!zone_reclaim_mode)
					continue;
				switch (zone_reclaim(zone, gfp_mask, order)) {
				case ZONE_RECLAIM_NOSCAN:
				case ZONE_RECLAIM_FULL:
					continue;
				default:
					if (!zone_watermark_ok(zone, order, mark, classzone_idx,
							       alloc_flags))
						continue;
				}
			}
		}
		page = buffered_rmqueue(preferred_zone, zone, order, gfp_mask, migratetype);
		if (page)
			break;
	}
	return page;
}

/* The slow path's calls: one out-of-line copy. */
static noinline struct page *get_page_from_freelist(gfp_t gfp_mask, unsigned long *nodemask,
						    unsigned int order, struct zonelist *zonelist,
						    int high_zoneidx, int alloc_flags,
						    struct zone *preferred_zone, int migratetype)
{
	return __get_page_from_freelist(gfp_mask, nodemask, order, zonelist, high_zoneidx,
					alloc_flags, preferred_zone, migratetype);
}

static inline int should_alloc_retry(gfp_t gfp_mask, unsigned int order,
				     unsigned long pages_reclaimed)
{
	if (gfp_mask & __GFP_NORETRY)
		return 0;
	/* Small allocations behave as if __GFP_NOFAIL. */
	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		return 1;
	/* Large __GFP_REPEAT ones retry until they reclaimed their own size. */
	if ((gfp_mask & __GFP_REPEAT) && pages_reclaimed < (1UL << order))
		return 1;
	if (gfp_mask & __GFP_NOFAIL)
		return 1;
	return 0;
}

static struct page *__alloc_pages_may_oom(gfp_t gfp_mask, unsigned int order,
					  struct zonelist *zonelist, int high_zoneidx,
					  unsigned long *nodemask, struct zone *preferred_zone,
					  int migratetype)
{
	struct page *page;

	/* One more look at the high watermark, to notice a parallel OOM kill. */
	page = get_page_from_freelist(gfp_mask | __GFP_HARDWALL, nodemask, order, zonelist,
				      high_zoneidx, ALLOC_WMARK_HIGH | ALLOC_CPUSET,
				      preferred_zone, migratetype);
	if (page)
		return page;
	if (!(gfp_mask & __GFP_NOFAIL)) {
		/* Killing a task does not help a high-order allocation. */
		if (order > PAGE_ALLOC_COSTLY_ORDER)
			return NULL;
		if (gfp_mask & __GFP_THISNODE)
			return NULL;
	}
	out_of_memory(zonelist, gfp_mask, order, nodemask);
	return NULL;
}

static struct page *__alloc_pages_direct_reclaim(gfp_t gfp_mask, unsigned int order,
						 struct zonelist *zonelist, int high_zoneidx,
						 unsigned long *nodemask, int alloc_flags,
						 struct zone *preferred_zone, int migratetype,
						 unsigned long *did_some_progress)
{
	struct page *page = NULL;

	cond_resched();
	current->flags |= PF_MEMALLOC;
	*did_some_progress = try_to_free_pages(zonelist, order, gfp_mask, nodemask);
	current->flags &= ~PF_MEMALLOC;
	cond_resched();
	if (order != 0)
		drain_all_pages();
	if (likely(*did_some_progress))
		page = get_page_from_freelist(gfp_mask, nodemask, order, zonelist, high_zoneidx,
					      alloc_flags, preferred_zone, migratetype);
	return page;
}

/* Ignore watermarks; with __GFP_NOFAIL, wait and retry until it works. */
static struct page *__alloc_pages_high_priority(gfp_t gfp_mask, unsigned int order,
						struct zonelist *zonelist, int high_zoneidx,
						unsigned long *nodemask,
						struct zone *preferred_zone, int migratetype)
{
	struct page *page;

	do {
		page = get_page_from_freelist(gfp_mask, nodemask, order, zonelist, high_zoneidx,
					      ALLOC_NO_WATERMARKS, preferred_zone, migratetype);
		if (!page && (gfp_mask & __GFP_NOFAIL))
			congestion_wait(HZ / 50);
	} while (!page && (gfp_mask & __GFP_NOFAIL) && !alloc_livelocked());
	return page;
}

static void wake_all_kswapd(unsigned int order, struct zonelist *zonelist, int high_zoneidx)
{
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist(zone, z, zonelist, high_zoneidx)
		wakeup_kswapd(zone, order);
}

static inline int gfp_to_alloc_flags(gfp_t gfp_mask)
{
	struct task_struct *p = current;
	int alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
	const gfp_t wait = gfp_mask & __GFP_WAIT;

	BUILD_BUG_ON(__GFP_HIGH != ALLOC_HIGH);
	alloc_flags |= (gfp_mask & __GFP_HIGH);
	if (!wait) {
		alloc_flags |= ALLOC_HARDER;
		alloc_flags &= ~ALLOC_CPUSET;
	} else if (unlikely(rt_task(p)) && !in_interrupt()) {
		alloc_flags |= ALLOC_HARDER;
	}
	if (likely(!(gfp_mask & __GFP_NOMEMALLOC)) && !in_interrupt() &&
	    ((p->flags & PF_MEMALLOC) || unlikely(test_thread_flag(TIF_MEMDIE))))
		alloc_flags |= ALLOC_NO_WATERMARKS;
	return alloc_flags;
}

/*
 * The slow path (seed 003, 2.5.5.3): wake kswapd, retry at the min
 * watermark with easier flags, ignore watermarks if the context allows,
 * reclaim directly, kill a task, and decide whether to retry.
 */
static struct page *__alloc_pages_slowpath(gfp_t gfp_mask, unsigned int order,
					   struct zonelist *zonelist, int high_zoneidx,
					   unsigned long *nodemask, struct zone *preferred_zone,
					   int migratetype)
{
	const gfp_t wait = gfp_mask & __GFP_WAIT;
	struct task_struct *p = current;
	unsigned long pages_reclaimed = 0, did_some_progress;
	struct page *page = NULL;
	int alloc_flags;

	alloc_livelock_reset();
	if (order >= MAX_ORDER) {
		WARN_ON_ONCE(!(gfp_mask & __GFP_NOWARN));
		return NULL;
	}
	/* GFP_THISNODE callers (slab) handle failure and reclaim themselves. */
	if (arch->numa && (gfp_mask & GFP_THISNODE) == GFP_THISNODE)
		goto nopage;

restart:
	wake_all_kswapd(order, zonelist, high_zoneidx);
	alloc_flags = gfp_to_alloc_flags(gfp_mask);
	page = get_page_from_freelist(gfp_mask, nodemask, order, zonelist, high_zoneidx,
				      alloc_flags & ~ALLOC_NO_WATERMARKS, preferred_zone,
				      migratetype);
	if (page)
		goto got_pg;

rebalance:
	if (alloc_flags & ALLOC_NO_WATERMARKS) {
		page = __alloc_pages_high_priority(gfp_mask, order, zonelist, high_zoneidx,
						   nodemask, preferred_zone, migratetype);
		if (page)
			goto got_pg;
	}
	if (!wait)
		goto nopage;
	if (p->flags & PF_MEMALLOC)
		goto nopage;
	if (test_thread_flag(TIF_MEMDIE) && !(gfp_mask & __GFP_NOFAIL))
		goto nopage;

	page = __alloc_pages_direct_reclaim(gfp_mask, order, zonelist, high_zoneidx, nodemask,
					    alloc_flags, preferred_zone, migratetype,
					    &did_some_progress);
	if (page)
		goto got_pg;

	if (!did_some_progress) {
		if ((gfp_mask & __GFP_FS) && !(gfp_mask & __GFP_NORETRY)) {
			if (oom_killer_disabled)
				goto nopage;
			page = __alloc_pages_may_oom(gfp_mask, order, zonelist, high_zoneidx,
						     nodemask, preferred_zone, migratetype);
			if (page)
				goto got_pg;
			if (order > PAGE_ALLOC_COSTLY_ORDER && !(gfp_mask & __GFP_NOFAIL))
				goto nopage;
			if (alloc_livelocked())
				goto nopage;
			goto restart;
		}
	}
	pages_reclaimed += did_some_progress;
	if (should_alloc_retry(gfp_mask, order, pages_reclaimed) && !alloc_livelocked()) {
		congestion_wait(HZ / 50);
		goto rebalance;
	}

nopage:
	if (!(gfp_mask & __GFP_NOWARN) && printk_ratelimit()) {
		printk(KERN_WARNING "%s: page allocation failure. order:%d, mode:0x%x\n",
		       p->comm, order, gfp_mask);
		dump_stack();
		show_mem();
	}
	return page;
got_pg:
	return page;
}

/* The heart of the zoned buddy allocator. */
struct page *__alloc_pages_nodemask(gfp_t gfp_mask, unsigned int order,
				    struct zonelist *zonelist, unsigned long *nodemask)
{
	enum zone_type high_zoneidx = gfp_zone(gfp_mask);
	struct zone *preferred_zone;
	struct page *page;
	int migratetype = allocflags_to_migratetype(gfp_mask);

	gfp_mask &= gfp_allowed_mask;
	if (KMM_DEBUG && (gfp_mask & __GFP_WAIT))
		might_sleep();
	/* Linux notices this only in the slow path; checked first, 1 << order stays defined. */
	if (unlikely(order >= MAX_ORDER)) {
		WARN_ON_ONCE(!(gfp_mask & __GFP_NOWARN));
		return NULL;
	}
	if (should_fail_alloc_page(gfp_mask, order))
		return NULL;
	/* An empty zonelist: __GFP_THISNODE on a node without memory. */
	if (unlikely(!zonelist->_zonerefs->zone))
		return NULL;
	first_zones_zonelist(zonelist, high_zoneidx, &preferred_zone);
	if (!preferred_zone)
		return NULL;

	page = __get_page_from_freelist(gfp_mask | __GFP_HARDWALL, nodemask, order, zonelist,
					high_zoneidx, ALLOC_WMARK_LOW | ALLOC_CPUSET,
					preferred_zone, migratetype);
	if (unlikely(!page))
		page = __alloc_pages_slowpath(gfp_mask, order, zonelist, high_zoneidx, nodemask,
					      preferred_zone, migratetype);
	trace_mm_page_alloc(page, order, gfp_mask, migratetype);
	return page;
}

unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order)
{
	struct page *page;

	VM_BUG_ON((gfp_mask & __GFP_HIGHMEM) != 0);
	page = alloc_pages(gfp_mask, order);
	if (!page)
		return 0;
	return (unsigned long)page_address(page);
}

unsigned long get_zeroed_page(gfp_t gfp_mask)
{
	return __get_free_pages(gfp_mask | __GFP_ZERO, 0);
}

/*
 * Allocate PAGE_ALIGN(size) bytes of physically contiguous pages: a block
 * of the next power of two, split, with the unused tail pages freed.
 */
void *alloc_pages_exact(size_t size, gfp_t gfp_mask)
{
	unsigned int order = get_order(size);
	unsigned long addr = __get_free_pages(gfp_mask, order);

	if (addr) {
		unsigned long alloc_end = addr + (PAGE_SIZE << order);
		unsigned long used = addr + PAGE_ALIGN(size);

		split_page(virt_to_page((void *)addr), order);
		while (used < alloc_end) {
			free_page(used);
			used += PAGE_SIZE;
		}
	}
	return (void *)addr;
}

void free_pages_exact(void *virt, size_t size)
{
	unsigned long addr = (unsigned long)virt;
	unsigned long end = addr + PAGE_ALIGN(size);

	while (addr < end) {
		free_page(addr);
		addr += PAGE_SIZE;
	}
}

/* ---- per-CPU list draining ---- */

/* Empty CPU @cpu's lists into the buddy allocator; runs on that CPU. */
static void drain_pages(unsigned int cpu)
{
	struct zone *zone;
	unsigned long flags;

	for_each_populated_zone(zone) {
		struct per_cpu_pages *pcp;

		local_irq_save(flags);
		pcp = &zone->pageset[cpu].pcp;
		if (pcp->count)
			free_pcppages_bulk(zone, pcp->count, pcp);
		pcp->count = 0;
		local_irq_restore(flags);
	}
}

void drain_local_pages(void *arg)
{
	drain_pages(smp_processor_id());
}

void drain_all_pages(void)
{
	on_each_cpu(drain_local_pages, NULL, 1);
}

/* On behalf of a CPU coming up: its pagesets, fresh. */
static void pageset_up_prepare(void *unused)
{
	pageset_cpu_up(smp_processor_id());
}

/* On a dead CPU's behalf: its lists into the buddy allocator, its stat deltas into the zones. */
static void drain_dead_cpu(void *unused)
{
	drain_pages(smp_processor_id());
	refresh_cpu_vm_stats(smp_processor_id());
}

/*
 * The page allocator's CPU hotplug callback (2.6.34's
 * page_alloc_cpu_notify): a CPU coming up gets its pagesets set up; a
 * dead CPU's per-CPU lists go back to the buddy allocator, its stat
 * deltas are folded into the zones, and its event counts are added to
 * this CPU's (so /proc/vmstat's sums stay whole).  Linux does it from
 * the CPU that asked; kmm sets up and empties the lists as that CPU
 * (hw_run_on_cpu), which also waits for a cross-CPU call (a
 * drain_all_pages that saw the CPU online) still running there.
 */
static int page_alloc_cpu_notify(struct notifier_block *nb, unsigned long action, void *hcpu)
{
	int cpu = (int)(unsigned long)hcpu;

	if (action == CPU_UP_PREPARE) {
		hw_run_on_cpu(cpu, pageset_up_prepare, NULL);
	} else if (action == CPU_DEAD) {
		hw_run_on_cpu(cpu, drain_dead_cpu, NULL);
		vm_events_fold_cpu(cpu);
	}
	return NOTIFY_OK;
}

static struct notifier_block page_alloc_notifier __state = {
	.notifier_call = page_alloc_cpu_notify,
};

void page_alloc_init(void)
{
	register_cpu_notifier(&page_alloc_notifier);
}

bool mobility_grouping_off __state_zero;

static int set_mobility_grouping(const char *val)
{
	if (val && !strcmp(val, "off"))
		mobility_grouping_off = true;
	else if (val && !strcmp(val, "on"))
		mobility_grouping_off = false;
	else
		return kmm_error("mobility_grouping=%s: need on or off", val ? val : "");
	return 0;
}
early_param("mobility_grouping", set_mobility_grouping, "group pages by mobility (on, the default) or not (off)");
