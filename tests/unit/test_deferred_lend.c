/*
 * test_deferred_lend.c - big runs lent from deferred memory and given back
 * (mm/deferred_init.c: lending and return; mm/page_isolation.c:
 * alloc_deferred_run, free_run_pages), against their oracle: the same
 * machine booted with deferred_init=off taking the same pfns with
 * alloc_free_range() and freeing them with __free_pages().  The /proc
 * views (buddyinfo, pagetypeinfo, zoneinfo, meminfo, vmstat) must read
 * the same after the allocation and after the free; the lending machine
 * must have written only the run's first and last blocks' struct pages,
 * and after the free none; mm_check() passes throughout, and notices a
 * lent block whose struct pages were written.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/kernel-page-flags.h>
#include <kmm/memory_hotplug.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/process.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "tests/harness.h"

#define GFP_BIG		(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN)
#define BLOCK		MAX_ORDER_NR_PAGES
#define HOST_PAGES	(BLOCK * sizeof(struct page) / 4096)	/* a block's struct pages */

static struct zone *normal(void)
{
	return &NODE_DATA(0)->node_zones[ZONE_NORMAL];
}

/*
 * The oracle's free of [@from, @to): block by block from the top, as
 * free_run_pages() goes, so that the per-CPU counter deltas fold at the
 * same points and /proc/zoneinfo's NR_FREE_PAGES reads the same.
 */
static void free_top_down(struct page *first, unsigned long from, unsigned long to)
{
	for (unsigned long blk = (to - 1) / BLOCK + 1; blk-- > from / BLOCK;)
		free_block_pieces(first, max(from, blk * BLOCK), min(to, (blk + 1) * BLOCK));
}

/* A run of @nr pages lent from Normal's deferred memory (one interrupts-disabled section, as the library calls it). */
static struct page *lend(unsigned long nr)
{
	unsigned long flags;
	struct page *first;

	local_irq_save(flags);
	first = alloc_deferred_run(GFP_BIG, nr);
	local_irq_restore(flags);
	assert_non_null(first);
	assert_ptr_equal(page_zone(first), normal());
	return first;
}

static u64 kpageflags(unsigned long pfn)
{
	u64 w = ~0ULL;

	assert_int_equal(proc_kpageflags(pfn, &w, 1), 1);
	return w;
}

#define RUN_BLOCKS	10
#define RUN_PAGES	(RUN_BLOCKS * BLOCK - 100)	/* ends inside its last block */

/*
 * A run of ten blocks lent from the top of Normal's deferred range: the
 * first block's struct pages written (the caller marks its first page),
 * the last one's too (its tail goes back), the eight between lent and
 * unwritten, seen by the walks as pages in use; the counters as if all
 * were written.  Given back, every block returns to the range, which is
 * whole again, and no host page backs the run's struct pages.  The
 * oracle does the same with alloc_free_range() on a machine that defers
 * nothing: the same views after each step.
 */
static void a_lent_run_reads_as_a_taken_one(void **state)
{
	struct pfn_range before[NR_DEFERRED_RANGES], after[NR_DEFERRED_RANGES];
	unsigned long lo, flags, deferred, nr_free, free_pages;
	char *lent_views, *freed_views;
	struct page *first;

	boot_or_fail("ram=8G cpus=1");
	assert_int_equal(deferred_zone_ranges(normal(), before, NR_DEFERRED_RANGES), 1);
	deferred = normal()->nr_deferred;
	nr_free = normal()->free_area[MAX_ORDER - 1].nr_free;
	free_pages = zone_page_state(normal(), NR_FREE_PAGES);

	first = lend(RUN_PAGES);
	lo = page_to_pfn(first);
	assert_int_equal(lo, before[0].end - RUN_BLOCKS * BLOCK);
	assert_int_equal(page_count(first), 1);
	assert_int_equal(normal()->nr_deferred, deferred - RUN_BLOCKS);
	assert_int_equal(normal()->free_area[MAX_ORDER - 1].nr_free, nr_free - RUN_BLOCKS);
	assert_int_equal(zone_page_state(normal(), NR_FREE_PAGES), free_pages - RUN_BLOCKS * BLOCK);
	/* Written: the first and last blocks; the eight between cost nothing. */
	assert_int_equal(memmap_resident_pages(lo, BLOCK), HOST_PAGES);
	assert_int_equal(memmap_resident_pages(lo + BLOCK, (RUN_BLOCKS - 2) * BLOCK), 0);
	assert_int_equal(memmap_resident_pages(lo + (RUN_BLOCKS - 1) * BLOCK, BLOCK), HOST_PAGES);
	assert_false(page_lent(lo) || page_lent(lo + RUN_BLOCKS * BLOCK - 1));
	assert_true(page_lent(lo + BLOCK) && page_lent(lo + (RUN_BLOCKS - 1) * BLOCK - 1));
	assert_int_equal(deferred_lent_end(lo + 3 * BLOCK), lo + (RUN_BLOCKS - 1) * BLOCK);
	assert_int_equal(deferred_range_end(lo + BLOCK), lo + (RUN_BLOCKS - 1) * BLOCK);
	assert_int_equal(deferred_range_end(lo), 0);
	/* /proc/kpageflags: a lent page is in use (no flags), a deferred block's head is free. */
	assert_int_equal(kpageflags(lo + 2 * BLOCK), 0);
	assert_int_equal(kpageflags(lo - BLOCK), 1ULL << KPF_BUDDY);
	local_irq_save(flags);
	free_block_pieces(first, RUN_PAGES, RUN_BLOCKS * BLOCK);
	local_irq_restore(flags);
	assert_mm_check();
	lent_views = oracle_views(false);

	local_irq_save(flags);
	free_run_pages(first, 0, RUN_PAGES);
	local_irq_restore(flags);
	assert_mm_check();
	freed_views = oracle_views(false);
	assert_int_equal(deferred_zone_ranges(normal(), after, NR_DEFERRED_RANGES), 1);
	assert_int_equal(after[0].start, before[0].start);
	assert_int_equal(after[0].end, before[0].end);
	assert_int_equal(normal()->nr_deferred, deferred);
	assert_int_equal(memmap_resident_pages(lo, RUN_BLOCKS * BLOCK), 0);
	assert_false(page_lent(lo + BLOCK));

	/* The oracle. */
	boot_or_fail("ram=8G cpus=1 deferred_init=off");
	assert_int_equal(alloc_free_range(lo, lo + RUN_BLOCKS * BLOCK), 0);
	first = pfn_to_page(lo);
	free_block_pieces(first, RUN_PAGES, RUN_BLOCKS * BLOCK);
	assert_views_now("the views with the run lent", lent_views, false, true);
	free_top_down(first, 0, RUN_PAGES);
	assert_views_now("the views once it is given back", freed_views, false, true);
	free(lent_views);
	free(freed_views);
}

/*
 * A shrink in place (realloc) frees the top of a lent run: the whole
 * blocks above the new end go back unwritten, the block the end falls in
 * is written (its pages are freed one piece at a time), the rest stays
 * lent.  A lent block whose pageblock is no longer MOVABLE comes back
 * written, as the free block a free makes, on its type's list.  The
 * machine stays consistent, and the views agree with the oracle's.
 */
static void a_lent_run_shrinks_and_comes_back_written_when_it_must(void **state)
{
	unsigned long lo, flags, keep = 3 * BLOCK + 512, deferred;
	char *shrunk, *freed;
	struct page *first;

	boot_or_fail("ram=8G cpus=1");
	deferred = normal()->nr_deferred;
	first = lend(8 * BLOCK);
	lo = page_to_pfn(first);
	/* The run ends on a block boundary: only its first block is written. */
	assert_int_equal(memmap_resident_pages(lo, 8 * BLOCK), HOST_PAGES);
	assert_true(page_lent(lo + 7 * BLOCK));

	local_irq_save(flags);
	free_run_pages(first, keep, 8 * BLOCK);
	local_irq_restore(flags);
	assert_mm_check();
	assert_int_equal(memmap_resident_pages(lo + 3 * BLOCK, BLOCK), HOST_PAGES);
	assert_int_equal(memmap_resident_pages(lo + BLOCK, 2 * BLOCK), 0);
	assert_int_equal(memmap_resident_pages(lo + 4 * BLOCK, 4 * BLOCK), 0);
	assert_true(page_lent(lo + 2 * BLOCK));
	assert_false(page_lent(lo + 3 * BLOCK) || page_lent(lo + 4 * BLOCK));
	assert_int_equal(normal()->nr_deferred, deferred - 8 + 4);
	shrunk = oracle_views(false);

	/* Block 1's second pageblock becomes Unmovable: that block cannot wait unwritten. */
	set_zone_pageblock_migratetype(normal(), lo + BLOCK + pageblock_nr_pages, MIGRATE_UNMOVABLE);
	local_irq_save(flags);
	free_run_pages(first, 0, keep);
	local_irq_restore(flags);
	assert_mm_check();
	assert_true(PageBuddy(pfn_to_page(lo + BLOCK)));
	assert_int_equal(page_order(pfn_to_page(lo + BLOCK)), MAX_ORDER - 1);
	assert_int_equal(memmap_resident_pages(lo + BLOCK, BLOCK), HOST_PAGES);
	assert_int_equal(memmap_resident_pages(lo + 2 * BLOCK, 6 * BLOCK), 0);
	/* Blocks 0, 2 and 3 wait again; block 1 is a written free block. */
	assert_int_equal(normal()->nr_deferred, deferred - 1);
	assert_int_equal(memmap_resident_pages(lo, BLOCK), 0);
	freed = oracle_views(false);

	boot_or_fail("ram=8G cpus=1 deferred_init=off");
	assert_int_equal(alloc_free_range(lo, lo + 8 * BLOCK), 0);
	first = pfn_to_page(lo);
	free_top_down(first, keep, 8 * BLOCK);
	assert_views_now("the views once it shrank", shrunk, false, true);
	set_zone_pageblock_migratetype(normal(), lo + BLOCK + pageblock_nr_pages, MIGRATE_UNMOVABLE);
	free_top_down(first, 0, keep);
	assert_views_now("the views once it is given back", freed, false, true);
	free(shrunk);
	free(freed);
}

/*
 * Written blocks of a run come back deferred too: a run taken with
 * alloc_free_range() from blocks the allocator brought in (their struct
 * pages written) leaves no host page behind its struct pages once freed
 * whole, and the range it came from is whole again.  A run whose last
 * block's tail is still in use keeps that block written.
 */
static void freed_runs_give_their_struct_pages_back(void **state)
{
	struct pfn_range r[NR_DEFERRED_RANGES];
	unsigned long lo, flags;
	struct page *first, *tail;

	boot_or_fail("ram=8G cpus=1");
	assert_int_equal(deferred_zone_ranges(normal(), r, NR_DEFERRED_RANGES), 1);
	spin_lock_irqsave(&normal()->lock, flags);
	for (int i = 0; i < 4; i++)
		deferred_grow_zone(normal());
	spin_unlock_irqrestore(&normal()->lock, flags);
	lo = r[0].end - 4 * BLOCK;
	assert_int_equal(memmap_resident_pages(lo, 4 * BLOCK), 4 * HOST_PAGES);
	assert_int_equal(alloc_free_range(lo, lo + 4 * BLOCK), 0);
	first = pfn_to_page(lo);
	/* Pages past 3.5 blocks go back now; one piece of them is taken by someone else. */
	local_irq_save(flags);
	free_block_pieces(first, 3 * BLOCK + 512, 4 * BLOCK);
	local_irq_restore(flags);
	assert_int_equal(alloc_free_range(lo + 3 * BLOCK + 512, lo + 4 * BLOCK), 0);
	tail = pfn_to_page(lo + 3 * BLOCK + 512);
	local_irq_save(flags);
	free_run_pages(first, 0, 3 * BLOCK + 512);
	local_irq_restore(flags);
	assert_mm_check();
	assert_int_equal(memmap_resident_pages(lo, 3 * BLOCK), 0);
	assert_int_equal(memmap_resident_pages(lo + 3 * BLOCK, BLOCK), HOST_PAGES);
	assert_int_equal(deferred_range_end(lo), lo + 3 * BLOCK);
	/* The tail's holder lets go: that block is free and written, and stays so until a run frees it. */
	__free_pages(tail, 9);
	assert_mm_check();
	assert_int_equal(deferred_range_end(lo + 3 * BLOCK), 0);
}

/* Memory hotplug cannot take a range a big run holds unwritten. */
static void offlining_a_lent_block_is_busy(void **state)
{
	unsigned long lo;
	struct page *first;

	boot_or_fail("ram=8G cpus=1");
	first = lend(4 * BLOCK);
	lo = page_to_pfn(first);
	assert_int_equal(offline_pages(lo + BLOCK, lo + 2 * BLOCK), -EBUSY);
	assert_int_equal(memmap_resident_pages(lo + BLOCK, 3 * BLOCK), 0);
	assert_mm_check();
}

/*
 * Runs lent, searched for and given back in a random order, whole or
 * shrunk first, up to eight alive at once: the machine stays consistent
 * (mm_check after every step), and once all are back every block of the
 * runs is deferred again or a written free block, no page lost (the zone's
 * free pages as at the start).
 */
static void lending_and_returning_in_any_order(void **state)
{
	struct { struct page *first; unsigned long nr; } run[8] = { { 0 } };
	unsigned int seed = 7;
	unsigned long free_pages, flags, taken = 0, shrunk = 0;

	boot_or_fail("ram=8G cpus=1");
	free_pages = zone_page_state_snapshot(normal(), NR_FREE_PAGES);
	for (int step = 0; step < 300; step++) {
		int i = rand_r(&seed) % 8;

		local_irq_save(flags);
		if (!run[i].first) {
			unsigned long nr = 2 * (BLOCK / 2 + rand_r(&seed) % (20 * BLOCK));

			run[i].first = rand_r(&seed) % 4 ? alloc_deferred_run(GFP_BIG, nr)
							 : alloc_free_run(GFP_BIG, nr);
			if (run[i].first) {
				taken++;
				run[i].nr = nr;
				free_block_pieces(run[i].first, nr, DIV_ROUND_UP(nr, BLOCK) * BLOCK);
			}
		} else if (run[i].nr > 2 * BLOCK && rand_r(&seed) % 3 == 0) {
			unsigned long keep = 2 * (BLOCK / 2 + rand_r(&seed) % (run[i].nr / 2 - BLOCK / 2));

			free_run_pages(run[i].first, keep, run[i].nr);
			run[i].nr = keep;
			shrunk++;
		} else {
			free_run_pages(run[i].first, 0, run[i].nr);
			run[i].first = NULL;
		}
		local_irq_restore(flags);
		if (step % 25 == 0)
			assert_mm_check();
	}
	local_irq_save(flags);
	for (int i = 0; i < 8; i++)
		if (run[i].first)
			free_run_pages(run[i].first, 0, run[i].nr);
	local_irq_restore(flags);
	drain_all_pages();
	assert_mm_check();
	assert_int_equal(zone_page_state_snapshot(normal(), NR_FREE_PAGES), free_pages);
	assert_true(taken > 100 && shrunk > 20);
}

/* mm_check notices a lent block whose struct pages were written. */
static void mm_check_catches_a_written_lent_block(void **state)
{
	struct page *first;

	boot_or_fail("ram=8G cpus=1");
	first = lend(4 * BLOCK);
	assert_mm_check();
	first[2 * BLOCK + 7].flags = 0;
	assert_check_reports("host pages back its struct pages");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(a_lent_run_reads_as_a_taken_one, teardown_machine),
	cmocka_unit_test_teardown(a_lent_run_shrinks_and_comes_back_written_when_it_must,
				  teardown_machine),
	cmocka_unit_test_teardown(freed_runs_give_their_struct_pages_back, teardown_machine),
	cmocka_unit_test_teardown(offlining_a_lent_block_is_busy, teardown_machine),
	cmocka_unit_test_teardown(lending_and_returning_in_any_order, teardown_machine),
	cmocka_unit_test_teardown(mm_check_catches_a_written_lent_block, teardown_machine),
};

KMM_TEST_MAIN(tests)
