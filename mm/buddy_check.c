/*
 * buddy_check.c - mm_check() for the page allocator.
 *
 * Invariants, per zone:
 *   a block on free_area[o].free_list[t] starts at a pfn aligned to 2^o,
 *   lies inside the zone, has PG_buddy, ->private == o, no references;
 *   its other pages are neither PG_buddy nor referenced;
 *   no two free blocks overlap (a bitmap of the zone's pfns says);
 *   nothing sits on the ISOLATE lists (kmm isolates nothing);
 *   deferred blocks (deferred_init.c) overlap no listed block or pcp page;
 *   nr_free[o] == blocks on the lists of order o (+ the deferred blocks at
 *   the top order);
 *   NR_FREE_PAGES (with the per-CPU deltas) == sum of nr_free[o] << o;
 * and per CPU:
 *   pcp->count == pages on its lists; each such page is unreferenced, not
 *   PG_buddy, of this zone, and not also in a free block.
 */
#include <kmm/bitmap.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"

#define LIMIT 20	/* stop describing after this many problems per zone */

static int check_free_block(struct seq_file *report, struct zone *zone, struct page *page,
			    unsigned int order, int mt, unsigned long *seen)
{
	unsigned long pfn = page_to_pfn(page), start = zone->zone_start_pfn;
	int problems = 0;

	if (pfn & ((1UL << order) - 1)) {
		check_report(report, "%s: free block pfn %#lx on the order-%u list is not aligned",
			     zone->name, pfn, order);
		return 1;
	}
	if (pfn < start || pfn + (1UL << order) > start + zone->spanned_pages ||
	    page_zone(page) != zone) {
		check_report(report, "%s: free block pfn %#lx order %u is outside the zone",
			     zone->name, pfn, order);
		return 1;
	}
	if (!PageBuddy(page) || page_order(page) != order || page_count(page)) {
		check_report(report, "%s: free block pfn %#lx order %u: buddy=%d private=%lu count=%d",
			     zone->name, pfn, order, PageBuddy(page), page_order(page),
			     page_count(page));
		problems++;
	}
	if (mt == MIGRATE_ISOLATE) {
		check_report(report, "%s: pfn %#lx is on an ISOLATE list", zone->name, pfn);
		problems++;
	}
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *p = page + i;

		if (__test_and_set_bit(pfn - start + i, seen)) {
			check_report(report, "%s: pfn %#lx is in two free blocks", zone->name, pfn + i);
			return problems + 1;
		}
		if (i && (PageBuddy(p) || page_count(p) || PageReserved(p))) {
			check_report(report, "%s: pfn %#lx inside free block %#lx/%u: buddy=%d count=%d reserved=%d",
				     zone->name, pfn + i, pfn, order, PageBuddy(p), page_count(p),
				     PageReserved(p));
			return problems + 1;
		}
	}
	return problems;
}

static int check_zone(struct seq_file *report, struct zone *zone)
{
	unsigned long *seen = kmm_scratch_alloc((BITS_TO_LONGS(zone->spanned_pages) + 1) * sizeof(long));
	unsigned long total = 0, flags;
	int problems = 0, cpu;

	if (!seen) {
		check_report(report, "%s: no memory to check the zone", zone->name);
		return 1;
	}
	spin_lock_irqsave(&zone->lock, flags);
	if (zone->nr_deferred) {
		struct pfn_range r[NR_DEFERRED_RANGES];
		int n = deferred_zone_ranges(zone, r, ARRAY_SIZE(r));

		for (int i = 0; i < n; i++)
			bitmap_set(seen, r[i].start - zone->zone_start_pfn, r[i].end - r[i].start);
	}
	for (unsigned int order = 0; order < MAX_ORDER && problems < LIMIT; order++) {
		struct free_area *area = &zone->free_area[order];
		unsigned long blocks = order == MAX_ORDER - 1 ? zone->nr_deferred : 0;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct page *page;

			list_for_each_entry(page, &area->free_list[mt], lru) {
				problems += check_free_block(report, zone, page, order, mt, seen);
				blocks++;
				if (problems >= LIMIT)
					break;
			}
		}
		if (blocks != area->nr_free) {
			check_report(report, "%s: order %u: nr_free is %lu but the lists hold %lu blocks",
				     zone->name, order, area->nr_free, blocks);
			problems++;
		}
		total += area->nr_free << order;
	}
	if (zone_page_state_snapshot(zone, NR_FREE_PAGES) != total) {
		check_report(report, "%s: NR_FREE_PAGES is %lu but the free lists hold %lu pages",
			     zone->name, zone_page_state_snapshot(zone, NR_FREE_PAGES), total);
		problems++;
	}
	for_each_online_cpu(cpu) {
		struct per_cpu_pages *pcp = &zone->pageset[cpu].pcp;
		int count = 0;

		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
			struct page *page;

			list_for_each_entry(page, &pcp->lists[mt], lru) {
				unsigned long pfn = page_to_pfn(page);

				count++;
				if (page_count(page) || PageBuddy(page) ||
				    page_private(page) >= MIGRATE_TYPES) {
					check_report(report, "%s: cpu %d pcp page pfn %#lx: count=%d buddy=%d private=%lu",
						     zone->name, cpu, pfn, page_count(page),
						     PageBuddy(page), page_private(page));
					problems++;
				}
				if (zone->pageset != boot_pageset && page_zone(page) != zone) {
					check_report(report, "%s: cpu %d pcp holds pfn %#lx of another zone",
						     zone->name, cpu, pfn);
					problems++;
				} else if (page_zone(page) == zone &&
					   test_bit(pfn - zone->zone_start_pfn, seen)) {
					check_report(report, "%s: pfn %#lx is both on a pcp list and free",
						     zone->name, pfn);
					problems++;
				}
			}
		}
		if (count != pcp->count) {
			check_report(report, "%s: cpu %d pcp count is %d but its lists hold %d pages",
				     zone->name, cpu, pcp->count, count);
			problems++;
		}
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	kmm_scratch_free(seen);
	return problems;
}

static int check_buddy(struct seq_file *report)
{
	struct zone *zone;
	int problems = 0;

	for_each_populated_zone(zone)
		problems += check_zone(report, zone);
	return problems;
}
MM_CHECK(buddy, check_buddy);
