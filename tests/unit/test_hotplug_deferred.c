/*
 * test_hotplug_deferred.c - memory added and onlined in one step with its
 * struct pages unwritten (mm/memory_hotplug.c add_memory_online, mm/
 * deferred_init.c deferred_add_hot), against the oracle: the same machine
 * booted with deferred_init=off making the same calls, which writes and
 * frees every page as online_pages() does.  The /proc views (buddyinfo,
 * pagetypeinfo, zoneinfo, meminfo, vmstat) and the memory blocks' state
 * files must read the same after the add, after a big run is taken from
 * the new memory, and after a section of it is offlined; the deferring
 * machine must have written no struct page of the added memory but the
 * run's first block's, and mm_check passes throughout.  Two zones: one
 * populated for the first time (its boot pageset, no drain) and one that
 * had pages (per-CPU lists on several CPUs), and that one again with
 * lists shorter than the stat threshold (the counters' deltas folded at
 * the same points).
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/memory_hotplug.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/procfs.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "tests/harness.h"

#define BLOCK		MAX_ORDER_NR_PAGES
#define HOST_PAGES	(BLOCK * sizeof(struct page) / 4096)	/* a block's struct pages */
#define ADD_SIZE	(512ULL << 20)				/* four sections */
#define ADD_PAGES	(unsigned long)(ADD_SIZE >> PAGE_SHIFT)
#define RUN_BLOCKS	20
#define SECTION_PAGES	(memory_block_size_bytes() >> PAGE_SHIFT)

static struct zone *normal(void)
{
	return &NODE_DATA(0)->node_zones[ZONE_NORMAL];
}

/* Every view the oracle must match, the added blocks' state files too. */
static char *views(unsigned long start_pfn)
{
	char *v = oracle_views(false);
	size_t len = strlen(v);

	for (unsigned long pfn = start_pfn; pfn < start_pfn + ADD_PAGES;
	     pfn += memory_block_size_bytes() >> PAGE_SHIFT) {
		char path[96];
		const char *state;

		snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%lu/state",
			 (unsigned long)(((u64)pfn << PAGE_SHIFT) / memory_block_size_bytes()));
		state = proc_text(path);
		v = realloc(v, len + strlen(state) + 1);
		strcpy(v + len, state);
		len += strlen(state);
	}
	return v;
}

/* The added memory's blocks holding a MIGRATE_RESERVE pageblock. */
static unsigned long reserve_blocks(unsigned long start_pfn)
{
	unsigned long n = 0;

	for (unsigned long pfn = start_pfn; pfn < start_pfn + ADD_PAGES; pfn += BLOCK)
		for (unsigned long b = pfn; b < pfn + BLOCK; b += pageblock_nr_pages)
			if (__get_pageblock_migratetype(normal(), b) == MIGRATE_RESERVE) {
				n++;
				break;
			}
	return n;
}

/*
 * Top-order blocks written and freed: at the head of their list, the
 * add's memory map (2M blocks) is taken from them, so the new struct
 * pages lie on host pages that were in use.  The oracle does the same.
 */
static void dirty_and_free_blocks(void)
{
	struct page *blocks[4];

	for (int i = 0; i < 4; i++) {
		blocks[i] = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
		assert_non_null(blocks[i]);
		memset(page_address(blocks[i]), 0x5a, BLOCK << PAGE_SHIFT);
	}
	for (int i = 0; i < 4; i++)
		__free_pages(blocks[i], MAX_ORDER - 1);
	/* CPU 1 keeps pages on its lists: onlining drains them, or (a zone's first pages) not. */
	kmm_set_cpu(1);
	for (int i = 0; i < 4; i++)
		blocks[i] = alloc_pages(GFP_KERNEL, 0);
	for (int i = 0; i < 4; i++)
		__free_pages(blocks[i], 0);
	kmm_set_cpu(0);
}

struct steps {
	char *added, *lent, *offlined;
	unsigned long start_pfn, lo, reserved;
};

/*
 * Add and online 512M at the end of RAM, take a run of RUN_BLOCKS blocks
 * from the new memory's top (lent on the deferring machine; on the
 * oracle, alloc_free_range() of the same pfns), then offline the added
 * memory's lowest section.  The views after each step.
 */
static void run_steps(const char *boot, const char *fraction, bool oracle, struct steps *s)
{
	u64 start;
	unsigned long flags, deferred = 0;
	struct page *first;

	boot_or_fail(boot);
	dirty_and_free_blocks();
	if (fraction) {
		/* Short per-CPU lists: what one holds at the drain is below the stat threshold. */
		assert_int_equal(proc_write("/proc/sys/vm/percpu_pagelist_fraction", fraction), 0);
		assert_true(normal()->pageset[0].pcp.high < normal()->pageset[0].stat_threshold);
	}
	start = memory_hotplug_next_start();
	s->start_pfn = (unsigned long)(start >> PAGE_SHIFT);
	assert_int_equal(add_memory_online(0, start, ADD_SIZE), 0);
	assert_mm_check();
	if (!oracle) {
		/*
		 * Nothing of the added memory was written but the blocks the
		 * watermarks' reserve took (the zone's lowest, as a full boot
		 * marks them): its other blocks wait, free and counted.
		 */
		s->reserved = reserve_blocks(s->start_pfn);
		assert_int_equal(memmap_resident_pages(s->start_pfn, ADD_PAGES), s->reserved * HOST_PAGES);
		for (unsigned long pfn = s->start_pfn; pfn < s->start_pfn + ADD_PAGES; pfn += BLOCK)
			deferred += page_init_deferred(pfn);
		assert_int_equal(deferred, ADD_PAGES / BLOCK - s->reserved);
		assert_true(normal()->nr_deferred >= deferred);
		assert_true(page_init_deferred(s->start_pfn + ADD_PAGES - 1));
	}
	s->added = views(s->start_pfn);

	if (oracle) {
		assert_int_equal(alloc_free_range(s->lo, s->lo + RUN_BLOCKS * BLOCK), 0);
	} else {
		local_irq_save(flags);
		first = alloc_deferred_run(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, RUN_BLOCKS * BLOCK);
		local_irq_restore(flags);
		assert_non_null(first);
		s->lo = page_to_pfn(first);
		/* From the top of the new memory; only its first block's struct pages written. */
		assert_int_equal(s->lo, s->start_pfn + ADD_PAGES - RUN_BLOCKS * BLOCK);
		assert_int_equal(memmap_resident_pages(s->start_pfn, ADD_PAGES),
				 (s->reserved + 1) * HOST_PAGES);
	}
	assert_mm_check();
	s->lent = views(s->start_pfn);

	/*
	 * A section with unwritten free blocks offlines (the lowest may hold
	 * the watermarks' reserve, the top one the run: the second).
	 */
	assert_int_equal(offline_pages(s->start_pfn + SECTION_PAGES, s->start_pfn + 2 * SECTION_PAGES), 0);
	assert_mm_check();
	s->offlined = views(s->start_pfn);
}

static void same_as_the_oracle(const char *boot, const char *fraction)
{
	struct steps d = { 0 }, o = { 0 };
	char oboot[128];

	run_steps(boot, fraction, false, &d);
	snprintf(oboot, sizeof(oboot), "%s deferred_init=off", boot);
	o.lo = d.lo;
	run_steps(oboot, fraction, true, &o);
	assert_int_equal(o.start_pfn, d.start_pfn);
	assert_same_views("the views once added and onlined", o.added, d.added);
	assert_same_views("the views with a run taken from the new memory", o.lent, d.lent);
	assert_same_views("the views once a section is offlined", o.offlined, d.offlined);
	free(d.added), free(d.lent), free(d.offlined);
	free(o.added), free(o.lent), free(o.offlined);
}

/* ZONE_NORMAL's first pages: the boot pageset counts each page, no drain, zonelists rebuilt. */
static void a_first_add_to_a_zone_reads_as_two_steps(void **state)
{
	same_as_the_oracle("ram=1G hotplug_max=2G cpus=2 deferred_init=all", NULL);
	assert_true(populated_zone(normal()));
}

/*
 * A zone with pages (and deferred blocks of its own below), four CPUs,
 * pages on CPU 1's lists to drain.
 */
static void an_add_to_a_zone_with_pages_reads_as_two_steps(void **state)
{
	same_as_the_oracle("ram=5G hotplug_max=8G cpus=4", NULL);
}

/* The kmm program's separate add and online write every struct page, as 2.6.34. */
static void add_memory_alone_defers_nothing(void **state)
{
	u64 start;

	boot_or_fail("ram=1G hotplug_max=2G cpus=1 deferred_init=all");
	start = memory_hotplug_next_start();
	assert_int_equal(add_memory(0, start, ADD_SIZE), 0);
	assert_false(page_init_deferred((unsigned long)(start >> PAGE_SHIFT)));
	assert_true(PageReserved(pfn_to_page((unsigned long)(start >> PAGE_SHIFT))));
	assert_int_equal(online_pages((unsigned long)(start >> PAGE_SHIFT), ADD_PAGES), 0);
	assert_false(page_init_deferred((unsigned long)(start >> PAGE_SHIFT)));
	assert_mm_check();
}

/*
 * percpu_pagelist_fraction makes the lists short (high 5, batch 1), below
 * the stat threshold (30): each batch's delta stays on the CPU until the
 * sum passes it, so where the deltas folded shows in the free pages
 * /proc/zoneinfo reads.
 */
static void an_add_folds_its_deltas_as_the_frees_do(void **state)
{
	same_as_the_oracle("ram=5G hotplug_max=8G cpus=4", "100000");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(a_first_add_to_a_zone_reads_as_two_steps, teardown_machine),
	cmocka_unit_test_teardown(an_add_to_a_zone_with_pages_reads_as_two_steps, teardown_machine),
	cmocka_unit_test_teardown(an_add_folds_its_deltas_as_the_frees_do, teardown_machine),
	cmocka_unit_test_teardown(add_memory_alone_defers_nothing, teardown_machine),
};

KMM_TEST_MAIN(tests)
