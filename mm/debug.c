/*
 * debug.c - mm_check(): the framework that runs every layer's invariant
 * checks, and the checks of the boot layer: nodes, zones, the memory map,
 * and the pages the boot allocator kept.
 *
 * Boot layer invariants:
 *   zones of a node are in index order, disjoint, inside the node's span;
 *   sum of present pages + memory map pages + dma_reserve == node present;
 *   every struct page of a zone says that zone and node (page->flags);
 *   every page outside RAM (a hole) with a struct page is PG_reserved;
 *   every page the boot allocator reserved is still PG_reserved;
 *   totalram_pages + reserved + absent == max_pfn (x86_64 accounting);
 * deferred memory (deferred_init.c) is free, never reserved, and its
 * struct pages are not read here.
 */
#include <stdarg.h>

#include <kmm/bootmem.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/seq_file.h>
#include "mm/internal.h"

extern const struct mm_checker __start_kmm_checks[], __stop_kmm_checks[];

static const char *current_checker __state_zero;

void check_report(struct seq_file *report, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!report)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	seq_printf(report, "mm_check: %s: %s\n", current_checker, line);
}

int mm_check(struct seq_file *report)
{
	int problems = 0;

	for (const struct mm_checker *c = __start_kmm_checks; (const void *)c != (const void *)__stop_kmm_checks; c++) {
		current_checker = c->name;
		problems += c->check(report);
	}
	return problems;
}

/* ---- the boot reservations, remembered for checking after the hand-over ---- */

#define MAX_KEPT_RES 8192

static struct {
	unsigned long start_pfn[MAX_KEPT_RES];
	unsigned long end_pfn[MAX_KEPT_RES];
	int nr;
	bool overflow;
} kept __state_bulk;

void remember_boot_reservation(u64 start, u64 end)
{
	if (kept.nr == MAX_KEPT_RES) {
		kept.overflow = true;
		return;
	}
	kept.start_pfn[kept.nr] = PFN_DOWN(start);
	kept.end_pfn[kept.nr] = PFN_UP(end);
	kept.nr++;
}

static bool in_active_range(unsigned long pfn, int nid)
{
	for (int i = 0; i < nr_nodemap_entries; i++)
		if (pfn >= early_node_map[i].start_pfn && pfn < early_node_map[i].end_pfn)
			return nid < 0 || early_node_map[i].nid == nid;
	return false;
}

static int check_boot_layer(struct seq_file *report)
{
	pg_data_t *pgdat;
	int problems = 0;

	for_each_online_pgdat(pgdat) {
		unsigned long node_end = pgdat->node_start_pfn + pgdat->node_spanned_pages;
		unsigned long present = 0, memmap = 0, prev_end = pgdat->node_start_pfn;

		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *zone = &pgdat->node_zones[j];
			unsigned long start = zone->zone_start_pfn, end = start + zone->spanned_pages;

			if (!zone->spanned_pages)
				continue;
			if (start < prev_end || end > node_end) {
				check_report(report, "node %d zone %s [%#lx, %#lx) overlaps a lower zone or leaves the node [%#lx, %#lx)",
					     pgdat->node_id, zone->name, start, end,
					     pgdat->node_start_pfn, node_end);
				problems++;
			}
			prev_end = end;
			if (zone->present_pages > zone->spanned_pages) {
				check_report(report, "zone %s: present %lu > spanned %lu", zone->name,
					     zone->present_pages, zone->spanned_pages);
				problems++;
			}
			present += zone->present_pages;
			/* The memory map of hot-added sections came from the page allocator. */
			memmap += PAGE_ALIGN((zone->spanned_pages - zone_hotplug_span(zone)) *
					     arch->sizeof_page) >> PAGE_SHIFT;
			for (unsigned long pfn = start; pfn < end; pfn++) {
				unsigned long dend;
				struct page *page;

				if (!pfn_valid(pfn))
					continue;
				if (!(pfn & (MAX_ORDER_NR_PAGES - 1)) && (dend = deferred_range_end(pfn))) {
					pfn = min(dend, end) - 1;
					continue;
				}
				page = pfn_to_page(pfn);
				if (!in_active_range(pfn, -1)) {
					if (!PageReserved(page)) {
						check_report(report, "pfn %#lx is a hole but not PG_reserved", pfn);
						problems++;
					}
					continue;
				}
				if (!in_active_range(pfn, pgdat->node_id))
					continue;
				/* Lowmem is the direct map's; highmem has an address only through kmap. */
				if (PageHighMem(page) != is_highmem(zone) ||
				    (!is_highmem(zone) && page_address(page) != __va(PFN_PHYS(pfn)))) {
					check_report(report, "pfn %#lx in zone %s: page_address %p, highmem %d",
						     pfn, zone->name, page_address(page), PageHighMem(page));
					if (++problems > 20)
						return problems;
				}
				if (page_zonenum(page) != (enum zone_type)j ||
				    page_to_nid(page) != pgdat->node_id) {
					check_report(report, "pfn %#lx: flags say node %d zone %d, it is in node %d zone %s",
						     pfn, page_to_nid(page), page_zonenum(page),
						     pgdat->node_id, zone->name);
					if (++problems > 20)
						return problems;
				}
			}
		}
		if (present + memmap > pgdat->node_present_pages) {
			check_report(report, "node %d: zones hold %lu present + %lu memmap pages, node has %lu",
				     pgdat->node_id, present, memmap, pgdat->node_present_pages);
			problems++;
		}
	}
	for (int i = 0; i < kept.nr; i++) {
		unsigned long dend, dstart = deferred_next(kept.start_pfn[i], &dend);

		if (dstart < kept.end_pfn[i]) {
			check_report(report, "pfns %#lx-%#lx were reserved at boot but are deferred free memory",
				     max(dstart, kept.start_pfn[i]), min(dend, kept.end_pfn[i]) - 1);
			return problems + 1;
		}
		for (unsigned long pfn = kept.start_pfn[i]; pfn < kept.end_pfn[i]; pfn++) {
			if (!pfn_valid(pfn) || !in_active_range(pfn, -1))
				continue;
			if (!PageReserved(pfn_to_page(pfn))) {
				check_report(report, "pfn %#lx was reserved at boot but is not PG_reserved",
					     pfn);
				if (++problems > 20)
					return problems;
			}
		}
	}
	if (!arch->highmem) {
		unsigned long reserved = 0, absent = absent_pages_in_range(0, max_pfn);

		for (unsigned long pfn = 0; pfn < max_pfn; pfn++) {
			unsigned long dend;

			if (!(pfn & (MAX_ORDER_NR_PAGES - 1)) && (dend = deferred_range_end(pfn))) {
				pfn = dend - 1;
				continue;
			}
			if (pfn_valid(pfn) && in_active_range(pfn, -1) && PageReserved(pfn_to_page(pfn)))
				reserved++;
		}
		if (totalram_pages + reserved + absent != max_pfn) {
			check_report(report, "totalram %lu + reserved %lu + absent %lu != max_pfn %lu",
				     totalram_pages, reserved, absent, max_pfn);
			problems++;
		}
	}
	return problems;
}
MM_CHECK(boot, check_boot_layer);
