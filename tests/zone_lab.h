/*
 * zone_lab.h - a zone emptied for experiments on the buddy allocator's rules.
 *
 * lab_take_zone() takes every free page of a zone, each free list from its
 * own migrate type's blocks (so no fallback runs and no pageblock changes
 * type), and splits what it took into single pages the lab owns.  The zone
 * then has no free page at all, and a test decides which pages become free,
 * in pageblocks of which migrate type: from that state the allocator's next
 * step is predictable exactly, block by block and list by list, which is
 * what the rule tests (tests/unit/test_migrate.c, test_pcp.c) assert.
 *
 * Pages go back one at a time: lab_free() straight to the buddy lists (the
 * blocks they form are the canonical buddy decomposition of the free set,
 * whatever the order of the frees), lab_free_hot() through this CPU's
 * per-CPU list as __free_pages() does.  Nothing else may allocate from the
 * zone while a lab holds it: tests take blocks with lab_alloc() (the buddy
 * lists alone, rmqueue_buddy) or keep their allocations to other zones.
 */
#ifndef KMM_TEST_ZONE_LAB_H
#define KMM_TEST_ZONE_LAB_H

#include <stdbool.h>
#include <stddef.h>

#include <kmm/mm.h>

struct zone_lab {
	struct zone *zone;
	unsigned long start, end;	/* the zone's pfns, [start, end) */
	unsigned char *owned;		/* per pfn - start: 1 while the lab holds the page */
};

/* One free block as the free lists hold it: first pfn, order, list (migrate type). */
struct lab_block {
	unsigned long pfn;
	unsigned int order;
	int mt;
};

/*
 * Fold every per-CPU counter delta and set every zone's stat_threshold to
 * 0, so that zone counters (NR_FREE_PAGES, which the watermark check
 * reads) are exact from now on instead of lagging by up to a threshold.
 */
void exact_vm_stats(void);

/* Make the counters exact, drain the per-CPU lists and take every free page of @zone. */
void lab_take_zone(struct zone_lab *lab, struct zone *zone);
/* Give everything the lab holds back to the buddy lists; drain the per-CPU lists. */
void lab_release(struct zone_lab *lab);

/* Fail the test unless the lab holds every page of the pageblock at @pfn. */
void lab_require_pageblock(struct zone_lab *lab, unsigned long pfn);
/* Set the migrate type of the pageblock holding @pfn (the lab holds its pages). */
void lab_set_type(struct zone_lab *lab, unsigned long pfn, int mt);
int lab_type(struct zone_lab *lab, unsigned long pfn);

/* Free the lab's pages [pfn, pfn + nr), one by one, straight to the buddy lists. */
void lab_free(struct zone_lab *lab, unsigned long pfn, unsigned long nr);
/* Free the lab's page @pfn as __free_pages(page, 0) does: hot, onto this CPU's list. */
void lab_free_hot(struct zone_lab *lab, unsigned long pfn);
/* Mark pages the test got from the allocator as the lab's again (released at the end). */
void lab_own(struct zone_lab *lab, struct page *page, unsigned int order);

/*
 * One block of @order of migrate type @mt from the buddy lists (__rmqueue:
 * own type, fallback, reserve); its pfn, or -1 when nothing is free.  The
 * pages become the lab's.
 */
long lab_alloc(struct zone_lab *lab, unsigned int order, int mt);

/*
 * Fail the test unless the zone's free lists hold exactly @expect (in any
 * list order), and NR_FREE_PAGES agrees.  Mismatches are listed.
 */
void lab_assert_free(struct zone_lab *lab, const struct lab_block *expect, size_t n);
#define LAB_ASSERT_FREE(lab, ...)						\
	do {									\
		const struct lab_block __e[] = { __VA_ARGS__ };			\
		lab_assert_free(lab, __e, sizeof(__e) / sizeof(__e[0]));	\
	} while (0)
#define lab_assert_no_free(lab) lab_assert_free(lab, NULL, 0)

/* Is @page on one of this zone's per-CPU lists of @cpu (and which)?  -1 if not. */
int lab_pcp_list_of(struct zone *zone, int cpu, struct page *page);
/* The pfns on @cpu's per-CPU list @mt of @zone, head first; returns how many (at most @max). */
int lab_pcp_pfns(struct zone *zone, int cpu, int mt, unsigned long *pfns, int max);

#endif /* KMM_TEST_ZONE_LAB_H */
