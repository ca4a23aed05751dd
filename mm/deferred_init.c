/*
 * deferred_init.c - struct pages initialised when the allocator first
 * needs them (the idea of Linux's later CONFIG_DEFERRED_STRUCT_PAGE_INIT
 * and deferred_grow_zone; kmm's own way, so that nothing shown changes).
 *
 * What a full boot leaves: the hand-over frees boot memory in ascending
 * pfn order and every free block goes to the head of its list, so each
 * zone's top-order MOVABLE list ends up holding the zone's wholly free
 * MAX_ORDER blocks ("clean" blocks) highest pfn first.  Lists only ever
 * grow at the head, and blocks leave them from the head (allocation,
 * fallback) or are moved away one by one (move_freepages_block, which only
 * touches a block the caller already holds, or the lowest blocks when
 * setup_zone_migrate_reserve marks RESERVE pageblocks).  So, however the
 * machine runs, the top-order MOVABLE list is
 *
 *	[blocks put there since boot] ++ [clean blocks not yet taken, descending]
 *
 * and a suffix of that descending run can stay virtual: its blocks are
 * counted (nr_free, NR_FREE_PAGES, pgfree, totalram) but their struct
 * pages are never written, so they cost the host nothing.
 *
 * The boundary.  Per zone, the deferred blocks are all clean blocks below
 * some pfn (all of them, unless a zone has more separate runs than the
 * table holds; the runs above the table are initialised at boot, and they
 * come first in the list anyway).  Zones smaller than DEFERRED_MIN_ZONE
 * (unless deferred_init=all), i386 (FLATMEM and highmem, like Linux, which defers on 64-bit only),
 * deferred_init=off and a boot traced page by page initialise everything.
 * memmap_init_zone() skips every MAX_ORDER block that lies wholly in RAM of
 * the zone's node ("candidates"); the hand-over, which knows the final
 * reservations, initialises the candidates that are not clean and records
 * the clean ones as ranges.
 *
 * Growth.  When __rmqueue_smallest() or __rmqueue_fallback() finds the
 * zone's top-order MOVABLE list empty and deferred blocks remain, they call
 * deferred_grow_zone(): the highest deferred block is initialised as the
 * free block a full boot made of it and added at the list's tail, which is
 * exactly where it was.  The reserve
 * walk takes the lowest deferred block (the list's last) with
 * deferred_init_lowest().  Nothing else can reach a deferred block.
 *
 * Lending (kmm's own, for libkmm-malloc's blocks beyond 4 MiB: a library
 * policy, not a Linux rule).  alloc_deferred_run() takes a run of blocks
 * from the top of a deferred range (deferred_lend_run) and writes the
 * struct pages of its first block only (the page block's marker lives in
 * its first page) and of its last when the caller gives a tail of it
 * back; the blocks between are "lent": in use, counted as allocated
 * (nr_free, NR_FREE_PAGES and nr_deferred fall as alloc_free_range()
 * would make them fall), their struct pages still unwritten.  A program
 * that mallocs a RAM-sized buffer and fills a little of it (sort(1)) then
 * costs no host page for the struct pages of what it never touches.  The
 * lent ranges are a second table; every walk over the memory map skips
 * them as it skips deferred ones (deferred_next and deferred_range_end
 * cover both), and those that must tell a free page from one in use ask
 * deferred_lent_end().
 *
 * Return.  free_run_pages() (page_isolation.c) gives a run back block by
 * block: a lent block joins the deferred ranges unwritten
 * (deferred_return_lent), a written block wholly free again leaves its
 * list and joins them too, its struct pages given back to the host
 * (deferred_absorb, memmap_discard); a block that cannot (no table slot,
 * a pageblock no longer MOVABLE) is written as the free block a free
 * would make.  Deferred blocks are then no longer only boot's clean
 * blocks in boot's order: a freed big block waits at the list's tail (as
 * deferred) instead of its head.  The counters and every /proc view are
 * what they would be with the struct pages written; only which free
 * block of the top order the next allocation gets differs, and only in
 * the library (the kmm program has no big blocks: check_deferred.sh
 * still compares boots).  Ranges may grow now, and the table is no
 * longer sorted (lookups take the lowest range that fits): a walk
 * without zone->lock that reads a block's struct pages while a big block
 * is freed may see them go (the library's walks run at exit).
 *
 * Hot-added memory.  add_memory_online() (memory_hotplug.c, libkmm-malloc's
 * growth) hands its new blocks to deferred_add_hot() while the other CPUs
 * are stopped: they join the ranges (one slot for the whole add, or
 * extending the range below) without their struct pages ever being
 * written, counted in nr_free and nr_deferred here and in NR_FREE_PAGES
 * and pgfree by the caller, as online_pages()'s frees would count them.
 * The memory map's pages of a section are taken from the top of the RAM
 * there is, below the new range: onlining a section at a time would cut
 * the deferred memory into a range per section, the whole add keeps it
 * one.
 *
 * Invariants (mm_check, below and in buddy_check.c): the ranges are
 * MAX_ORDER-aligned, disjoint, each in RAM of its zone's node and
 * outside every boot reservation; their pageblocks are MOVABLE; their
 * struct pages are backed by no host page; per zone, their blocks number
 * zone->nr_deferred and are counted in free_area[MAX_ORDER-1].nr_free.
 * Lent ranges are MAX_ORDER-aligned, inside their zone, disjoint from
 * each other and from the deferred ones, and unbacked too.
 */
#include <kmm/bootmem.h>
#include <kmm/irqflags.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/params.h>
#include <kmm/string.h>
#include <kmm/trace.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"

/*
 * Zones spanning less (one section) initialise at boot: deferring saves
 * little there.  With deferred_init=all every zone with a whole block
 * defers, the 16M DMA zone too: libkmm-malloc.so boots so, and with its
 * 1M kernel image three of the DMA zone's four blocks are free, 42 host
 * pages of struct pages that every process under the library wrote at
 * boot for nothing.
 */
#define DEFERRED_MIN_ZONE	(128UL << (20 - PAGE_SHIFT))

struct deferred_range {
	unsigned long start, end;	/* pfns, MAX_ORDER-aligned; empty once start == end */
	struct zone *zone;
};

/*
 * Ranges shrink under zone->lock, but the walks over the memory map
 * (pagetypeinfo, show_mem) read them without it and then read the struct
 * pages outside them: a block's struct pages are written before the range
 * lets go of it (release), and a walk reads the bounds with acquire.
 */
#define range_publish(field, v)	__atomic_store_n(&(field), (v), __ATOMIC_RELEASE)
#define range_read(field)	__atomic_load_n(&(field), __ATOMIC_ACQUIRE)

static struct {
	bool off;			/* deferred_init=off */
	bool all;			/* deferred_init=all: small zones too */
	int nr;				/* range slots used (published with release) */
	struct deferred_range range[NR_DEFERRED_RANGES];
	/* blocks in use by a big run, unwritten; a free slot is [0, 0) */
	struct deferred_range lent[NR_LENT_RANGES];
} dfr __state_zero;

static int set_deferred_init(const char *val)
{
	if (val && (!strcmp(val, "off") || !strcmp(val, "on") || !strcmp(val, "all"))) {
		dfr.off = !strcmp(val, "off");
		dfr.all = !strcmp(val, "all");
	} else {
		return kmm_error("deferred_init=%s: need on, all or off", val ? val : "");
	}
	return 0;
}
early_param("deferred_init", set_deferred_init, "initialise free struct pages when first allocated (on, the default: zones of 128M and more; all: every zone) or all at boot (off); nothing shown differs");

static bool zone_may_defer(const struct zone *zone)
{
	return !dfr.off && !arch->highmem &&
	       zone->spanned_pages >= (dfr.all ? MAX_ORDER_NR_PAGES : DEFERRED_MIN_ZONE);
}

/* Is [pfn, pfn + MAX_ORDER_NR_PAGES) inside one active range of @nid? */
static bool block_in_node_ram(unsigned long pfn, int nid)
{
	for (int i = 0; i < nr_nodemap_entries; i++)
		if (early_node_map[i].nid == nid && pfn >= early_node_map[i].start_pfn &&
		    pfn + MAX_ORDER_NR_PAGES <= early_node_map[i].end_pfn)
			return true;
	return false;
}

/*
 * A candidate: a MAX_ORDER block (@pfn aligned) wholly in @zone and in RAM
 * of its node, in a zone that may defer.  memmap_init_zone() leaves it to
 * the hand-over.
 */
bool deferred_block_candidate(const struct zone *zone, unsigned long pfn)
{
	return zone_may_defer(zone) && pfn >= zone->zone_start_pfn &&
	       pfn + MAX_ORDER_NR_PAGES <= zone->zone_start_pfn + zone->spanned_pages &&
	       block_in_node_ram(pfn, zone->node);
}

/* ---- the hand-over ---- */

/* Append a clean block to the table; false when the table is full. */
static bool add_deferred_block(struct zone *zone, unsigned long pfn)
{
	struct deferred_range *last = dfr.nr ? &dfr.range[dfr.nr - 1] : NULL;

	if (last && last->zone == zone && last->end == pfn) {
		last->end += MAX_ORDER_NR_PAGES;
		return true;
	}
	if (dfr.nr == NR_DEFERRED_RANGES)
		return false;
	dfr.range[dfr.nr] = (struct deferred_range){ pfn, pfn + MAX_ORDER_NR_PAGES, zone };
	range_publish(dfr.nr, dfr.nr + 1);
	return true;
}

/* Account the zone's deferred blocks as the full hand-over counts its frees. */
static void account_deferred(struct zone *zone, unsigned long blocks)
{
	unsigned long pages = blocks * MAX_ORDER_NR_PAGES, flags;

	zone->nr_deferred = blocks;
	area_add_free(&zone->free_area[MAX_ORDER - 1], blocks);
	local_irq_save(flags);
	__count_vm_events(PGFREE, pages);
	__mod_zone_page_state(zone, NR_FREE_PAGES, pages);
	local_irq_restore(flags);
}

/*
 * The hand-over's first step (free_all_bootmem, before it frees): sort each
 * candidate block into clean (deferred, and accounted as freed) or not
 * (initialised now, then freed or kept reserved like any other page).
 * @res: the reservations in pfns, sorted by start, possibly overlapping.
 */
void deferred_init_boot(const struct pfn_range *res, int nres)
{
	/* A traced hand-over shows every free: then nothing waits. */
	bool defer = !trace_on(mm_page_free_direct);
	struct zone *zone;

	for_each_zone(zone) {
		unsigned long end = zone->zone_start_pfn + zone->spanned_pages;
		unsigned long max_end = 0, blocks = 0;
		bool table_full = false;
		int i = 0;

		if (!zone_may_defer(zone))
			continue;
		for (unsigned long pfn = round_up(zone->zone_start_pfn, MAX_ORDER_NR_PAGES);
		     pfn + MAX_ORDER_NR_PAGES <= end; pfn += MAX_ORDER_NR_PAGES) {
			if (!block_in_node_ram(pfn, zone->node))
				continue;
			/* Some reservation starting before the block's end reaches into it? */
			for (; i < nres && res[i].start < pfn + MAX_ORDER_NR_PAGES; i++)
				max_end = max(max_end, res[i].end);
			if (max_end <= pfn && defer && !table_full) {
				if (add_deferred_block(zone, pfn)) {
					blocks++;
					continue;
				}
				/* The zone's higher clean blocks come first in its list: they start initialised. */
				table_full = true;
			}
			memmap_init_block(zone, pfn);
		}
		if (blocks)
			account_deferred(zone, blocks);
	}
	/* Zones come node by node: keep the table in pfn order. */
	for (int a = 1; a < dfr.nr; a++)
		for (int b = a; b > 0 && dfr.range[b].start < dfr.range[b - 1].start; b--) {
			struct deferred_range t = dfr.range[b];

			dfr.range[b] = dfr.range[b - 1];
			dfr.range[b - 1] = t;
		}
}

/* ---- growth ---- */

/*
 * Write the struct pages of the clean block at @pfn as the full hand-over
 * left them: the block's first page heads a free block of order
 * MAX_ORDER-1 (not yet on a list); no page is reserved or referenced; the
 * first pages of the chunks that were merged away (every other chunk but
 * the first) have the list pointers list_del() poisoned.
 */
static struct page *write_block(struct zone *zone, unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);
	unsigned long merged = 2UL << arch->free_chunk_order;

	for (unsigned long i = 0; i < MAX_ORDER_NR_PAGES; i++) {
		struct page *p = page + i;

		memset(p, 0, sizeof(*p));
		set_page_links(p, zone_idx(zone), zone_to_nid(zone));
		reset_page_mapcount(p);
		if (i && !(i & (merged - 1))) {
			p->lru.next = LIST_POISON1;
			p->lru.prev = LIST_POISON2;
		} else {
			INIT_LIST_HEAD(&p->lru);
		}
	}
	return page;
}

static struct page *init_free_block(struct zone *zone, unsigned long pfn)
{
	struct page *page = write_block(zone, pfn);

	set_page_order(page, MAX_ORDER - 1);
	WRITE_ONCE(zone->nr_deferred, zone->nr_deferred - 1);
	return page;
}

/*
 * The struct pages of block @pfn as a free block leaves them once
 * alloc_free_range() took it off its list: list_del() poisoned the first
 * page's list pointers and rmv_page_order() undid set_page_order().
 */
static void write_taken_block(struct zone *zone, unsigned long pfn)
{
	struct page *page = write_block(zone, pfn);

	page->lru.next = LIST_POISON1;
	page->lru.prev = LIST_POISON2;
}

/* The zone's highest (or lowest) non-empty range that holds at least @pages pages. */
static struct deferred_range *zone_range_holding(const struct zone *zone, bool highest,
						 unsigned long pages)
{
	struct deferred_range *found = NULL;

	for (int i = 0; i < dfr.nr; i++) {
		struct deferred_range *r = &dfr.range[i];

		if (r->zone != zone || r->end - r->start < pages || r->start == r->end)
			continue;
		if (!found || (highest ? r->start > found->start : r->start < found->start))
			found = r;
	}
	return found;
}

static struct deferred_range *zone_range(const struct zone *zone, bool highest)
{
	struct deferred_range *found = zone_range_holding(zone, highest, 1);

	BUG_ON(!found);
	return found;
}

/*
 * The highest deferred block joins the tail of the zone's top-order
 * MOVABLE list: the next block after the list's initialised ones.
 */
void deferred_grow_zone(struct zone *zone)
{
	struct deferred_range *r = zone_range(zone, true);
	struct page *page;

	assert_spin_locked(&zone->lock);
	page = init_free_block(zone, r->end - MAX_ORDER_NR_PAGES);
	range_publish(r->end, r->end - MAX_ORDER_NR_PAGES);
	list_add_tail(&page->lru, &zone->free_area[MAX_ORDER - 1].free_list[MIGRATE_MOVABLE]);
}

/*
 * The zone's lowest deferred block, which must start at @pfn, initialised
 * and put at the head of the @migratetype top-order list: where
 * move_freepages_block() puts the last block of the MOVABLE list.
 */
void deferred_init_lowest(struct zone *zone, unsigned long pfn, int migratetype)
{
	struct deferred_range *r = zone_range(zone, false);
	struct page *page;

	assert_spin_locked(&zone->lock);
	BUG_ON(r->start != pfn);
	page = init_free_block(zone, pfn);
	range_publish(r->start, pfn + MAX_ORDER_NR_PAGES);
	list_add(&page->lru, &zone->free_area[MAX_ORDER - 1].free_list[migratetype]);
}

/*
 * Initialise every deferred block now, in list order: the machine is then
 * exactly as a boot with deferred_init=off left it (tests compare them).
 */
void deferred_init_all(void)
{
	struct zone *zone;

	for_each_zone(zone) {
		unsigned long flags;

		spin_lock_irqsave(&zone->lock, flags);
		while (zone->nr_deferred)
			deferred_grow_zone(zone);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
}

/* ---- lending to big runs, and the way back ---- */

static bool block_movable(struct zone *zone, unsigned long pfn)
{
	return __get_pageblock_migratetype(zone, pfn) == MIGRATE_MOVABLE &&
	       __get_pageblock_migratetype(zone, pfn + MAX_ORDER_NR_PAGES - 1) == MIGRATE_MOVABLE;
}

/*
 * The tables are machine-wide and their ranges are each their zone's,
 * changed under its lock; taking a slot (or giving a lent one up) takes
 * slot_lock too, inside the zone's.  A deferred slot is only ever reused
 * by its own zone, so that a reader filtering by zone under its lock never
 * meets another zone's range in a slot it read as its own.
 */
static DEFINE_SPINLOCK(slot_lock);

static bool __range_add_block(struct zone *zone, unsigned long pfn)
{
	unsigned long end = pfn + MAX_ORDER_NR_PAGES;
	struct deferred_range *below = NULL, *above = NULL, *slot = NULL;

	for (int i = 0; i < dfr.nr; i++) {
		struct deferred_range *r = &dfr.range[i];

		if (r->zone != zone)
			continue;
		if (r->start == r->end) {
			slot = slot ? slot : r;
			continue;
		}
		if (r->end == pfn)
			below = r;
		else if (r->start == end)
			above = r;
	}
	if (below) {
		range_publish(below->end, above ? above->end : end);
		if (above)
			range_publish(above->start, above->end);	/* empty now */
		return true;
	}
	if (above) {
		range_publish(above->start, pfn);
		return true;
	}
	if (!slot && dfr.nr < NR_DEFERRED_RANGES)
		slot = &dfr.range[dfr.nr];
	if (!slot)
		return false;
	range_publish(slot->end, 0UL);
	slot->zone = zone;
	range_publish(slot->start, pfn);
	range_publish(slot->end, end);
	if (slot == &dfr.range[dfr.nr])
		range_publish(dfr.nr, dfr.nr + 1);
	return true;
}

/*
 * Block @pfn of @zone joins the deferred ranges: it extends a range of the
 * zone it touches (two merge when it fills the gap between them), or takes
 * a slot of its own.  False when no slot is left; then nothing changed.
 * A reused slot is emptied first (end 0), so that a lock-free reader never
 * sees it cover less than it does.
 */
static bool range_add_block(struct zone *zone, unsigned long pfn)
{
	bool added;

	spin_lock(&slot_lock);
	added = __range_add_block(zone, pfn);
	spin_unlock(&slot_lock);
	return added;
}

/* The lent range holding @pfn, or NULL (lock-free: bounds read with acquire). */
static struct deferred_range *lent_range(unsigned long pfn)
{
	for (int i = 0; i < NR_LENT_RANGES; i++) {
		struct deferred_range *l = &dfr.lent[i];

		if (pfn < range_read(l->end) && pfn >= range_read(l->start))
			return l;
	}
	return NULL;
}

/* Lent block @pfn, at either end of its range @l, is no longer lent. */
static void lent_drop_block(struct deferred_range *l, unsigned long pfn)
{
	if (pfn == l->start)
		range_publish(l->start, pfn + MAX_ORDER_NR_PAGES);
	else if (pfn + MAX_ORDER_NR_PAGES == l->end)
		range_publish(l->end, pfn);
	else
		BUG();
	if (l->start == l->end) {
		spin_lock(&slot_lock);
		range_publish(l->end, 0UL);
		range_publish(l->start, 0UL);
		spin_unlock(&slot_lock);
	}
}

/*
 * Lend the top @blocks blocks of the highest deferred range of @zone that
 * holds them: the caller's run (zone->lock held; it checked the
 * watermark).  The first block's struct pages are written as a block
 * alloc_free_range() took, and the last one's if @write_last (the caller
 * gives part of it back); those between become a lent range.  The counters
 * fall as alloc_free_range() makes them fall: the run's first page has
 * one reference.  Its first pfn, or 0 (no range holds the run: nothing
 * changed).  With no lent slot free, the blocks between are written too.
 */
unsigned long deferred_lend_run(struct zone *zone, unsigned long blocks, bool write_last)
{
	unsigned long nr = blocks * MAX_ORDER_NR_PAGES, lo, hi, mid_lo, mid_hi;
	struct deferred_range *r, *l = NULL;

	assert_spin_locked(&zone->lock);
	r = blocks ? zone_range_holding(zone, true, nr) : NULL;
	if (!r)
		return 0;
	hi = r->end;
	lo = hi - nr;
	mid_lo = lo + MAX_ORDER_NR_PAGES;
	mid_hi = write_last ? hi - MAX_ORDER_NR_PAGES : hi;
	write_taken_block(zone, lo);
	if (blocks > 1 && write_last)
		write_taken_block(zone, hi - MAX_ORDER_NR_PAGES);
	if (mid_lo < mid_hi) {
		spin_lock(&slot_lock);
		for (int i = 0; i < NR_LENT_RANGES && !l; i++)
			if (!dfr.lent[i].end)
				l = &dfr.lent[i];
		if (l) {
			l->zone = zone;
			range_publish(l->start, mid_lo);
			range_publish(l->end, mid_hi);
		}
		spin_unlock(&slot_lock);
		/* No slot: the blocks between are written, the old way (rare: 64 big runs at once). */
		for (unsigned long pfn = mid_lo; !l && pfn < mid_hi; pfn += MAX_ORDER_NR_PAGES)
			write_taken_block(zone, pfn);
	}
	/* Lent (or written) before the deferred range lets go of it. */
	range_publish(r->end, lo);
	WRITE_ONCE(zone->nr_deferred, zone->nr_deferred - blocks);
	area_add_free(&zone->free_area[MAX_ORDER - 1], -(long)blocks);
	__mod_zone_page_state(zone, NR_FREE_PAGES, -(long)nr);
	set_page_refcounted(pfn_to_page(lo));
	return lo;
}

/* The zone lent block @pfn belongs to, or NULL if it is not lent. */
struct zone *deferred_lent_zone(unsigned long pfn)
{
	struct deferred_range *l = lent_range(pfn);

	return l ? l->zone : NULL;
}

/*
 * Lent block @pfn (at an end of its lent range) is freed, zone->lock held:
 * counted as __free_pages() of a free block of the top order counts it,
 * it joins the deferred ranges unwritten, or, when it cannot (its
 * pageblocks are no longer MOVABLE, no slot), is written as the free block
 * a free makes and goes to the head of its list.
 */
void deferred_return_lent(struct zone *zone, unsigned long pfn)
{
	struct deferred_range *l = lent_range(pfn);

	assert_spin_locked(&zone->lock);
	BUG_ON(!l || l->zone != zone);
	zone->all_unreclaimable = 0;
	zone->pages_scanned = 0;
	__count_vm_events(PGFREE, MAX_ORDER_NR_PAGES);
	__mod_zone_page_state(zone, NR_FREE_PAGES, MAX_ORDER_NR_PAGES);
	area_add_free(&zone->free_area[MAX_ORDER - 1], 1);
	if (block_movable(zone, pfn) && range_add_block(zone, pfn)) {
		WRITE_ONCE(zone->nr_deferred, zone->nr_deferred + 1);
	} else {
		struct page *page = write_block(zone, pfn);

		set_page_order(page, MAX_ORDER - 1);
		list_add(&page->lru, &zone->free_area[MAX_ORDER - 1]
				      .free_list[__get_pageblock_migratetype(zone, pfn)]);
	}
	lent_drop_block(l, pfn);
}

/*
 * Lent block @pfn (at an end of its lent range) is written as a block
 * taken whole, still in use, zone->lock held: part of it is about to be
 * freed page by page.
 */
void deferred_write_lent(struct zone *zone, unsigned long pfn)
{
	struct deferred_range *l = lent_range(pfn);

	assert_spin_locked(&zone->lock);
	BUG_ON(!l || l->zone != zone);
	write_taken_block(zone, pfn);
	lent_drop_block(l, pfn);
}

/*
 * The free block of the top order at @pfn leaves its list and joins the
 * deferred ranges, its struct pages given back to the host (zone->lock
 * held; the counters do not change: deferred blocks are free blocks of
 * the MOVABLE list).  Only a block that could have been deferred at boot:
 * a whole free block in RAM of the zone's node, MOVABLE, in a zone that
 * defers.  False (nothing changed) otherwise, with no slot left, or when
 * the block is unwritten already.
 */
bool deferred_absorb(struct zone *zone, unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);

	assert_spin_locked(&zone->lock);
	/* Unwritten already (a caller not serialised with big runs raced): nothing to read. */
	if (page_init_deferred(pfn))
		return false;
	if (!zone_may_defer(zone) || (pfn & (MAX_ORDER_NR_PAGES - 1)) ||
	    !block_in_node_ram(pfn, zone->node) || page_zone(page) != zone ||
	    !PageBuddy(page) || page_order(page) != MAX_ORDER - 1 || !block_movable(zone, pfn))
		return false;
	if (!range_add_block(zone, pfn))
		return false;
	list_del(&page->lru);
	rmv_page_order(page);
	WRITE_ONCE(zone->nr_deferred, zone->nr_deferred + 1);
	memmap_discard(pfn, MAX_ORDER_NR_PAGES);
	return true;
}

/*
 * Hot-added memory onlined in the same step (add_memory_online(), with
 * the other CPUs stopped and zone->lock held): the whole blocks of
 * [@start, @end) join the deferred ranges, their struct pages never
 * written, as boot defers its clean blocks.  nr_free and nr_deferred
 * count them here; NR_FREE_PAGES and pgfree follow from the caller, as
 * online_page()'s frees would have counted them.  One slot takes the
 * whole range (or it extends a range ending at @start).  False, nothing
 * changed, when the zone defers nothing, a trace would show each free,
 * or no slot is left: then the caller writes and frees every page.
 */
bool deferred_add_hot(struct zone *zone, unsigned long start, unsigned long end)
{
	unsigned long blocks = (end - start) / MAX_ORDER_NR_PAGES;

	assert_spin_locked(&zone->lock);
	if (!blocks || ((start | end) & (MAX_ORDER_NR_PAGES - 1)) || !zone_may_defer(zone) ||
	    trace_on(mm_page_free_direct) || trace_on(mm_page_pcpu_drain))
		return false;
	if (!range_add_block(zone, start))
		return false;
	/* Each next block extends the range the one before it is in. */
	for (unsigned long pfn = start + MAX_ORDER_NR_PAGES; pfn < end; pfn += MAX_ORDER_NR_PAGES)
		BUG_ON(!range_add_block(zone, pfn));
	WRITE_ONCE(zone->nr_deferred, zone->nr_deferred + blocks);
	area_add_free(&zone->free_area[MAX_ORDER - 1], (long)blocks);
	return true;
}

/* ---- lookups for the walks over the memory map ---- */

/*
 * The lowest non-empty unwritten range (deferred or lent) that ends after
 * @pfn: returns its start (which may be below @pfn) and sets *end;
 * ULONG_MAX if none.  The tables are not sorted: every slot is looked at.
 */
unsigned long deferred_next(unsigned long pfn, unsigned long *end)
{
	unsigned long best = ULONG_MAX, best_end = ULONG_MAX;
	int nr = range_read(dfr.nr);

	for (int i = 0; i < nr + NR_LENT_RANGES; i++) {
		struct deferred_range *r = i < nr ? &dfr.range[i] : &dfr.lent[i - nr];
		unsigned long start = range_read(r->start), e = range_read(r->end);

		if (e > pfn && start < e && start < best) {
			best = start;
			best_end = e;
		}
	}
	*end = best_end;
	return best;
}

/* The end of the unwritten range holding @pfn, or 0 if @pfn's struct page is written. */
unsigned long deferred_range_end(unsigned long pfn)
{
	unsigned long end, start = deferred_next(pfn, &end);

	return start <= pfn ? end : 0;
}

bool page_init_deferred(unsigned long pfn)
{
	return deferred_range_end(pfn) != 0;
}

/* The end of the lent range holding @pfn (in use, unwritten), or 0. */
unsigned long deferred_lent_end(unsigned long pfn)
{
	struct deferred_range *l = lent_range(pfn);

	return l ? range_read(l->end) : 0;
}

bool page_lent(unsigned long pfn)
{
	return lent_range(pfn) != NULL;
}

/* Is any block of [start, end) lent? */
bool deferred_lent_in(unsigned long start, unsigned long end)
{
	for (int i = 0; i < NR_LENT_RANGES; i++) {
		unsigned long s = range_read(dfr.lent[i].start), e = range_read(dfr.lent[i].end);

		if (s < e && s < end && e > start)
			return true;
	}
	return false;
}

/* The zone's non-empty deferred ranges, at most @max of them, ascending. */
int deferred_zone_ranges(const struct zone *zone, struct pfn_range *out, int max)
{
	int n = 0, nr = range_read(dfr.nr);

	for (int i = 0; i < nr; i++) {
		unsigned long start = range_read(dfr.range[i].start), end = range_read(dfr.range[i].end);
		int j = n;

		if (dfr.range[i].zone != zone || start >= end)
			continue;
		if (n == max) {
			if (start > out[n - 1].start)
				continue;
			j = --n;
		}
		for (; j > 0 && out[j - 1].start > start; j--)
			out[j] = out[j - 1];
		out[j] = (struct pfn_range){ start, end };
		n++;
	}
	return n;
}

unsigned long free_list_blocks(struct zone *zone, int order, int mt)
{
	unsigned long n = list_count(&zone->free_area[order].free_list[mt]);

	if (order == MAX_ORDER - 1 && mt == MIGRATE_MOVABLE)
		n += READ_ONCE(zone->nr_deferred);
	return n;
}

/* ---- mm_check ---- */

static int check_range(struct seq_file *report, struct zone *zone, const struct pfn_range *r)
{
	unsigned long zend = zone->zone_start_pfn + zone->spanned_pages;
	long resident;

	if ((r->start | r->end) & (MAX_ORDER_NR_PAGES - 1)) {
		check_report(report, "%s: deferred range [%#lx, %#lx) is not MAX_ORDER-aligned",
			     zone->name, r->start, r->end);
		return 1;
	}
	if (r->start < zone->zone_start_pfn || r->end > zend || !zone_may_defer(zone)) {
		check_report(report, "%s: deferred range [%#lx, %#lx) is outside the zone or the zone defers nothing",
			     zone->name, r->start, r->end);
		return 1;
	}
	for (unsigned long pfn = r->start; pfn < r->end; pfn += MAX_ORDER_NR_PAGES) {
		if (!block_in_node_ram(pfn, zone->node)) {
			check_report(report, "%s: deferred block %#lx is not RAM of node %d",
				     zone->name, pfn, zone->node);
			return 1;
		}
		for (unsigned long b = pfn; b < pfn + MAX_ORDER_NR_PAGES; b += pageblock_nr_pages) {
			int mt = __get_pageblock_migratetype(zone, b);

			if (mt != MIGRATE_MOVABLE) {
				check_report(report, "%s: deferred pageblock %#lx is %s, not Movable",
					     zone->name, b, migratetype_names[mt]);
				return 1;
			}
		}
	}
	resident = memmap_resident_pages(r->start, r->end - r->start);
	if (resident) {
		check_report(report, "%s: deferred range [%#lx, %#lx): %ld host pages back its struct pages",
			     zone->name, r->start, r->end, resident);
		return 1;
	}
	return 0;
}

/* Is [@start, @end) disjoint from the first @n of @r (and from their others, @skip aside)? */
static bool range_disjoint(const struct pfn_range *r, int n, int skip, unsigned long start,
			   unsigned long end)
{
	for (int i = 0; i < n; i++)
		if (i != skip && start < r[i].end && r[i].start < end)
			return false;
	return true;
}

/* The zone's lent ranges: aligned, inside it, unwritten, disjoint from each other and the deferred ones. */
static int check_lent(struct seq_file *report, struct zone *zone, const struct pfn_range *r, int n)
{
	unsigned long zend = zone->zone_start_pfn + zone->spanned_pages;
	struct pfn_range l[NR_LENT_RANGES];
	int nl = 0, problems = 0;

	spin_lock(&slot_lock);
	for (int i = 0; i < NR_LENT_RANGES; i++)
		if (dfr.lent[i].zone == zone && dfr.lent[i].start < dfr.lent[i].end)
			l[nl++] = (struct pfn_range){ dfr.lent[i].start, dfr.lent[i].end };
	spin_unlock(&slot_lock);
	for (int i = 0; i < nl; i++) {
		long resident = memmap_resident_pages(l[i].start, l[i].end - l[i].start);

		if (((l[i].start | l[i].end) & (MAX_ORDER_NR_PAGES - 1)) ||
		    l[i].start < zone->zone_start_pfn || l[i].end > zend) {
			check_report(report, "%s: lent range [%#lx, %#lx) is not MAX_ORDER-aligned or leaves the zone",
				     zone->name, l[i].start, l[i].end);
			problems++;
		} else if (!range_disjoint(l, nl, i, l[i].start, l[i].end) ||
			   !range_disjoint(r, n, -1, l[i].start, l[i].end)) {
			check_report(report, "%s: lent range [%#lx, %#lx) overlaps another or a deferred one",
				     zone->name, l[i].start, l[i].end);
			problems++;
		} else if (resident) {
			check_report(report, "%s: lent range [%#lx, %#lx): %ld host pages back its struct pages",
				     zone->name, l[i].start, l[i].end, resident);
			problems++;
		}
	}
	return problems;
}

static int check_deferred(struct seq_file *report)
{
	struct zone *zone;
	int problems = 0;

	for_each_zone(zone) {
		struct pfn_range r[NR_DEFERRED_RANGES];
		unsigned long blocks = 0, flags;
		int n;

		spin_lock_irqsave(&zone->lock, flags);
		n = deferred_zone_ranges(zone, r, NR_DEFERRED_RANGES);
		for (int i = 0; i < n; i++) {
			if (i && r[i].start < r[i - 1].end) {
				check_report(report, "%s: deferred range [%#lx, %#lx) overlaps the one before",
					     zone->name, r[i].start, r[i].end);
				problems++;
			}
			problems += check_range(report, zone, &r[i]);
			blocks += (r[i].end - r[i].start) / MAX_ORDER_NR_PAGES;
		}
		if (blocks != zone->nr_deferred) {
			check_report(report, "%s: nr_deferred is %u but the ranges hold %lu blocks",
				     zone->name, zone->nr_deferred, blocks);
			problems++;
		}
		problems += check_lent(report, zone, r, n);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	return problems;
}
MM_CHECK(deferred, check_deferred);
