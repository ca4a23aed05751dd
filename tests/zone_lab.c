/* zone_lab.c - see zone_lab.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "tests/harness.h"
#include "tests/zone_lab.h"

static unsigned char *owned_of(struct zone_lab *lab, unsigned long pfn)
{
	if (pfn < lab->start || pfn >= lab->end)
		fail_msg("pfn %#lx is outside zone %s [%#lx, %#lx)", pfn, lab->zone->name,
			 lab->start, lab->end);
	return &lab->owned[pfn - lab->start];
}

void lab_own(struct zone_lab *lab, struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	split_page(page, order);
	for (unsigned long i = 0; i < (1UL << order); i++) {
		unsigned char *o = owned_of(lab, pfn + i);

		if (*o)
			fail_msg("pfn %#lx handed out twice", pfn + i);
		*o = 1;
	}
}

void exact_vm_stats(void)
{
	struct zone *zone;
	int cpu;

	refresh_all_vm_stats();
	for_each_populated_zone(zone)
		for_each_online_cpu(cpu)
			zone->pageset[cpu].stat_threshold = 0;
}

void lab_take_zone(struct zone_lab *lab, struct zone *zone)
{
	exact_vm_stats();
	lab->zone = zone;
	lab->start = zone->zone_start_pfn;
	lab->end = zone->zone_start_pfn + zone->spanned_pages;
	lab->owned = calloc(zone->spanned_pages, 1);
	drain_all_pages();
	/*
	 * Largest blocks first, each list from its own type: __rmqueue_smallest
	 * then finds the block at exactly this order and never falls back.
	 */
	for (int o = MAX_ORDER - 1; o >= 0; o--)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			while (!list_empty(&zone->free_area[o].free_list[mt])) {
				struct page *page = rmqueue_buddy(zone, o, mt);

				if (!page)
					fail_msg("%s: order %d type %d: listed but not taken", zone->name,
						 o, mt);
				lab_own(lab, page, o);
			}
	if (zone_page_state_snapshot(zone, NR_FREE_PAGES) != 0)
		fail_msg("%s: %lu pages still free after taking them all", zone->name,
			 zone_page_state_snapshot(zone, NR_FREE_PAGES));
}

void lab_release(struct zone_lab *lab)
{
	for (unsigned long pfn = lab->start; pfn < lab->end; pfn++)
		if (lab->owned[pfn - lab->start])
			lab_free(lab, pfn, 1);
	drain_all_pages();
	free(lab->owned);
	lab->owned = NULL;
}

void lab_require_pageblock(struct zone_lab *lab, unsigned long pfn)
{
	unsigned long start = pfn & ~(pageblock_nr_pages - 1);

	for (unsigned long p = start; p < start + pageblock_nr_pages; p++)
		if (!*owned_of(lab, p))
			fail_msg("the lab does not hold pfn %#lx of pageblock %#lx", p, start);
}

void lab_set_type(struct zone_lab *lab, unsigned long pfn, int mt)
{
	set_pageblock_migratetype(pfn_to_page(pfn), mt);
	if (lab_type(lab, pfn) != mt)
		fail_msg("pageblock of pfn %#lx: type %d did not stick", pfn, mt);
}

int lab_type(struct zone_lab *lab, unsigned long pfn)
{
	(void)owned_of(lab, pfn);
	return get_pageblock_migratetype(pfn_to_page(pfn));
}

void lab_free(struct zone_lab *lab, unsigned long pfn, unsigned long nr)
{
	for (unsigned long p = pfn; p < pfn + nr; p++) {
		unsigned char *o = owned_of(lab, p);

		if (!*o)
			fail_msg("pfn %#lx freed but the lab does not hold it", p);
		*o = 0;
		free_buddy(pfn_to_page(p), 0);
	}
}

void lab_free_hot(struct zone_lab *lab, unsigned long pfn)
{
	unsigned char *o = owned_of(lab, pfn);

	if (!*o)
		fail_msg("pfn %#lx freed but the lab does not hold it", pfn);
	*o = 0;
	__free_pages(pfn_to_page(pfn), 0);
}

long lab_alloc(struct zone_lab *lab, unsigned int order, int mt)
{
	struct page *page = rmqueue_buddy(lab->zone, order, mt);

	if (!page)
		return -1;
	lab_own(lab, page, order);
	return page_to_pfn(page);
}

static const char *const type_name[MIGRATE_TYPES] = { "U", "R", "M", "RES", "ISO" };

void lab_assert_free(struct zone_lab *lab, const struct lab_block *expect, size_t n)
{
	struct zone *zone = lab->zone;
	bool *matched = calloc(n + 1, sizeof(bool));
	unsigned long pages = 0, expected_pages = 0;
	char report[4096] = "";
	size_t len = 0;
	int problems = 0;

#define REPORT(...)								\
	do {									\
		if (len < sizeof(report) - 200)					\
			len += snprintf(report + len, sizeof(report) - len, __VA_ARGS__); \
		problems++;							\
	} while (0)

	for (unsigned int o = 0; o < MAX_ORDER; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct page *page;

			list_for_each_entry(page, &zone->free_area[o].free_list[mt], lru) {
				unsigned long pfn = page_to_pfn(page);
				size_t i;

				pages += 1UL << o;
				for (i = 0; i < n; i++)
					if (!matched[i] && expect[i].pfn == pfn && expect[i].order == o &&
					    expect[i].mt == mt)
						break;
				if (i == n)
					REPORT("  unexpected free block %#lx order %u on the %s list\n", pfn,
					       o, type_name[mt]);
				else
					matched[i] = true;
			}
		}
	for (size_t i = 0; i < n; i++) {
		expected_pages += 1UL << expect[i].order;
		if (!matched[i])
			REPORT("  missing free block %#lx order %u on the %s list\n", expect[i].pfn,
			       expect[i].order, type_name[expect[i].mt]);
	}
	if (zone_page_state_snapshot(zone, NR_FREE_PAGES) != expected_pages)
		REPORT("  NR_FREE_PAGES is %lu, expected %lu (the lists hold %lu)\n",
		       zone_page_state_snapshot(zone, NR_FREE_PAGES), expected_pages, pages);
	free(matched);
	if (problems)
		fail_msg("%s: the free lists differ from the expected state:\n%s", zone->name, report);
#undef REPORT
}

int lab_pcp_list_of(struct zone *zone, int cpu, struct page *page)
{
	struct per_cpu_pages *pcp = &zone->pageset[cpu].pcp;

	for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
		struct page *p;

		list_for_each_entry(p, &pcp->lists[mt], lru)
			if (p == page)
				return mt;
	}
	return -1;
}

int lab_pcp_pfns(struct zone *zone, int cpu, int mt, unsigned long *pfns, int max)
{
	struct per_cpu_pages *pcp = &zone->pageset[cpu].pcp;
	struct page *p;
	int n = 0;

	list_for_each_entry(p, &pcp->lists[mt], lru)
		if (n < max)
			pfns[n++] = page_to_pfn(p);
	return n;
}
