/*
 * test_alloc.c - the allocator's policies: zonelist fallback across zones
 * and nodes, zone and node constraints of gfp flags, pageblock stealing
 * seen through /proc/pagetypeinfo, fault injection, the failure report,
 * and the anti-fragmentation experiment.  The rules one by one, with exact
 * states: test_migrate.c, test_pcp.c, test_watermark.c.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/fault-inject.h>
#include <kmm/printk.h>
#include <kmm/gfp.h>
#include <kmm/jiffies.h>
#include <kmm/mm.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/trace.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "tests/harness.h"
#include "tests/zone_lab.h"
#include "tools/kmm/workload.h"

static struct zone *zone_of(int nid, enum zone_type z)
{
	return &NODE_DATA(nid)->node_zones[z];
}

/* An allocation that cannot be served says so, as Linux does. */
static void failure_is_reported_with_order_and_mode(void **state)
{
	boot_or_fail("ram=64M cpus=1");
	current->flags |= PF_MEMALLOC;
	struct wl_pool pool = { 0 };
	wl_fill(&pool, GFP_ATOMIC | __GFP_NOWARN, 0, -1, 0, -1);
	current->flags &= ~PF_MEMALLOC;
	assert_null(alloc_pages(GFP_ATOMIC, 1));
	assert_true(dmesg_has("init: page allocation failure. order:1, mode:0x20\n"));
	assert_true(dmesg_has("Mem-Info:\n"));
	assert_true(dmesg_has("] Node 0 DMA32 per-cpu:\n"));
	assert_true(dmesg_has("] CPU    0: hi:    6, btch:   1 usd:"));
	assert_true(dmesg_has("] lowmem_reserve[]: 0 47 47 47\n"));
	assert_true(dmesg_has("] Node 0 DMA32: "));
	assert_true(dmesg_has("pages RAM\n"));
	/* __GFP_NOWARN keeps quiet. */
	log_buf_clear();
	assert_null(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 1));
	assert_false(dmesg_has("page allocation failure"));
	wl_pool_free(&pool, 0, 0, -1);
	free(pool.blocks);
	assert_mm_check();
}

/* With no task to kill, a GFP_KERNEL allocation that nothing can satisfy panics. */
static void oom_without_a_victim_panics(void **state)
{
	struct wl_pool pool = { 0 };

	boot_or_fail("ram=64M cpus=1");
	current->flags |= PF_MEMALLOC;
	wl_fill(&pool, GFP_ATOMIC | __GFP_NOWARN, 0, -1, 0, -1);
	current->flags &= ~PF_MEMALLOC;
	EXPECT_KERNEL_STOP(alloc_pages(GFP_KERNEL, 0));
	assert_true(dmesg_has("init invoked oom-killer: gfp_mask=0xd0, order=0"));
	assert_true(dmesg_has("Kernel panic - not syncing: Out of memory and no killable processes..."));
	free(pool.blocks);
	kmm_shutdown();
}

/*
 * The OOM killer is for small allocations only: with memory exhausted, a
 * GFP_KERNEL request above PAGE_ALLOC_COSTLY_ORDER (3) fails, reported as
 * a failure without invoking it and without retrying (no __GFP_REPEAT or
 * __GFP_NOFAIL); one of order 3 invokes it (and, with no task to kill,
 * panics).
 */
static void costly_orders_fail_without_the_oom_killer(void **state)
{
	struct wl_pool pool = { 0 };
	unsigned long start;

	boot_or_fail("ram=64M cpus=1");
	current->flags |= PF_MEMALLOC;
	wl_fill(&pool, GFP_ATOMIC | __GFP_NOWARN, 0, -1, 0, -1);
	current->flags &= ~PF_MEMALLOC;
	start = jiffies;
	assert_null(alloc_pages(GFP_KERNEL, PAGE_ALLOC_COSTLY_ORDER + 1));
	assert_true(dmesg_has("init: page allocation failure. order:4, mode:0xd0\n"));
	assert_false(dmesg_has("invoked oom-killer"));
	assert_int_equal(jiffies, start);	/* and no retry: nothing waited */
	/*
	 * Without __GFP_FS there is no OOM killer to try; then only small
	 * orders retry (as if __GFP_NOFAIL), waiting HZ / 50 between rounds
	 * until kmm's livelock guard gives up: an order-4 request fails at
	 * once, an order-3 one after waiting.
	 */
	assert_null(alloc_pages(GFP_NOFS | __GFP_NOWARN, PAGE_ALLOC_COSTLY_ORDER + 1));
	assert_int_equal(jiffies, start);
	assert_false(dmesg_has("allocation livelock"));
	assert_null(alloc_pages(GFP_NOFS | __GFP_NOWARN, PAGE_ALLOC_COSTLY_ORDER));
	assert_true(jiffies > start);
	assert_true(dmesg_has("init: allocation livelock: no task can free memory, failing the allocation\n"));
	start = jiffies;
	EXPECT_KERNEL_STOP(alloc_pages(GFP_KERNEL, PAGE_ALLOC_COSTLY_ORDER));
	assert_true(dmesg_has("init invoked oom-killer: gfp_mask=0xd0, order=3"));
	free(pool.blocks);
	kmm_shutdown();
}

/*
 * Two nodes of 256M, CPU 0 on node 0: allocations come from node 0 until
 * its zones reach their watermarks, then from node 1.
 */
static void zonelist_falls_back_to_the_next_node(void **state)
{
	bool seen_node1 = false;
	long taken = 0;

	boot_or_fail("ram=512M nodes=2 cpus=2");
	for (;;) {
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0);

		if (!p)
			break;
		if (page_to_nid(p) == 1) {
			seen_node1 = true;
			/* Node 0 was used down to its watermarks first. */
			assert_true(zone_page_state(zone_of(0, ZONE_DMA32), NR_FREE_PAGES) <=
				    low_wmark_pages(zone_of(0, ZONE_DMA32)) + 64);
			break;
		}
		taken++;
	}
	assert_true(seen_node1);
	assert_true(taken > 60000);
}

static void thisnode_and_dma_constraints_hold(void **state)
{
	struct page *p;
	long n = 0;

	boot_or_fail("ram=512M nodes=2 cpus=2");
	/* __GFP_THISNODE: node 1's memory only, until it runs out. */
	while ((p = alloc_pages_node(1, GFP_KERNEL | GFP_THISNODE, 0)) != NULL) {
		assert_int_equal(page_to_nid(p), 1);
		n++;
	}
	assert_true(n > 60000);
	/* GFP_DMA: ZONE_DMA only. */
	n = 0;
	while ((p = alloc_pages(GFP_DMA | __GFP_NORETRY | __GFP_NOWARN, 0)) != NULL) {
		assert_int_equal(page_zonenum(p), ZONE_DMA);
		n++;
	}
	assert_true(n > 1500);		/* 16M, less the kernel image at 1M-9M */
	/* GFP_DMA32 on x86_64 stays at or below ZONE_DMA32. */
	p = alloc_pages(GFP_DMA32 | __GFP_NOWARN, 0);
	assert_non_null(p);
	assert_true(page_zonenum(p) <= ZONE_DMA32);
}

/*
 * GFP_THISNODE allocations (the slab allocator's own) never enter the slow
 * path on a NUMA machine: they fail as soon as the fast path, at the low
 * watermark, does.  Node 1 of 512M has one zone, DMA32; with exact
 * counters and a per-CPU batch of 1 (fraction 100000: high 0, batch 1),
 * each allocation takes one page, so the node stops at exactly its low
 * watermark, not min; node 0 gives nothing.
 */
static void thisnode_stops_at_the_low_watermark(void **state)
{
	struct zone *z, *dma32_0;
	unsigned long node0;
	struct page *p;
	long n = 0;

	boot_or_fail("ram=512M nodes=2 cpus=2");
	assert_int_equal(proc_write("/proc/sys/vm/percpu_pagelist_fraction", "100000"), 0);
	exact_vm_stats();
	drain_all_pages();
	z = zone_of(1, ZONE_DMA32);
	dma32_0 = zone_of(0, ZONE_DMA32);
	node0 = zone_page_state_snapshot(dma32_0, NR_FREE_PAGES);
	assert_int_equal(z->pageset[0].pcp.batch, 1);
	while ((p = alloc_pages_node(1, GFP_KERNEL | GFP_THISNODE, 0)) != NULL)
		n++;
	assert_true(n > 60000);
	assert_int_equal(zone_page_state_snapshot(z, NR_FREE_PAGES), low_wmark_pages(z));
	assert_int_equal(zone_page_state_snapshot(dma32_0, NR_FREE_PAGES), node0);
	assert_false(dmesg_has("page allocation failure"));
}

/* gfp_zone() per architecture: the zone a mask allows at most. */
static void gfp_flags_map_to_zones_per_arch(void **state)
{
	boot_or_fail("ram=64M");
	assert_int_equal(gfp_zone(GFP_KERNEL), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_DMA), ZONE_DMA);
	assert_int_equal(gfp_zone(GFP_DMA32), ZONE_DMA32);
	assert_int_equal(gfp_zone(GFP_HIGHUSER), ZONE_NORMAL);	/* no highmem on x86_64 */
	assert_int_equal(gfp_zone(GFP_HIGHUSER_MOVABLE), ZONE_MOVABLE);
	assert_int_equal(allocflags_to_migratetype(GFP_KERNEL), MIGRATE_UNMOVABLE);
	assert_int_equal(allocflags_to_migratetype(GFP_TEMPORARY), MIGRATE_RECLAIMABLE);
	assert_int_equal(allocflags_to_migratetype(GFP_HIGHUSER_MOVABLE), MIGRATE_MOVABLE);
	boot_or_fail("arch=i386 ram=2G");
	assert_int_equal(gfp_zone(GFP_DMA32), ZONE_NORMAL);	/* no DMA32 on i386 */
	assert_int_equal(gfp_zone(GFP_HIGHUSER), ZONE_HIGHMEM);
	/* Highmem allocations prefer HighMem, kernel ones never get it. */
	struct page *h = alloc_pages(GFP_HIGHUSER, 0), *k = alloc_pages(GFP_KERNEL, 0);
	assert_true(PageHighMem(h));
	assert_false(PageHighMem(k));
	assert_non_null(page_address(k));
	__free_pages(h, 0);
	__free_pages(k, 0);
	assert_mm_check();
}

static long blocks_of(const char *zone, const char *type)
{
	char spec[64];
	const char *text = proc_text("/proc/pagetypeinfo");
	const char *p = strstr(text, "Number of blocks type");
	const char *types[] = { "Unmovable", "Reclaimable", "Movable", "Reserve", "Isolate" };
	int col = 0;

	for (int i = 0; i < 5; i++)
		if (!strcmp(type, types[i]))
			col = i;
	snprintf(spec, sizeof(spec), "Node 0, zone %8s ", zone);
	p = strstr(p, spec) + strlen(spec);
	for (int i = 0; i < col; i++)
		strtol(p, (char **)&p, 10);
	return strtol(p, NULL, 10);
}

/*
 * Unmovable allocations on a machine whose pageblocks are all movable
 * steal whole pageblocks (the fallback claims a block once at least half
 * of it moves), visible in pagetypeinfo's block counts; reclaimable ones
 * take their blocks from the unmovable type first.
 */
static void fallback_steals_pageblocks(void **state)
{
	struct wl_pool pool = { 0 };
	long u0, m0, r0, u1, m1, r1, total0, total1;

	struct zone *dma32;
	long unmovable_free = 0, wanted = 3 * 512;

	boot_or_fail("ram=256M cpus=1");
	drain_all_pages();
	dma32 = zone_of(0, ZONE_DMA32);
	trace_set_event("mm_page_alloc_extfrag", 1);
	u0 = blocks_of("DMA32", "Unmovable");
	m0 = blocks_of("DMA32", "Movable");
	r0 = blocks_of("DMA32", "Reclaimable");
	total0 = u0 + m0 + r0 + blocks_of("DMA32", "Reserve");
	for (int o = 0; o < MAX_ORDER; o++)
		unmovable_free += (long)list_count(&dma32->free_area[o].free_list[MIGRATE_UNMOVABLE]) << o;
	/* Three pageblocks' worth of unmovable pages: what the unmovable lists lack is stolen. */
	wl_fill(&pool, GFP_KERNEL, 0, -1, 0, wanted);
	u1 = blocks_of("DMA32", "Unmovable");
	m1 = blocks_of("DMA32", "Movable");
	assert_true((u1 - u0) * 512 >= wanted - unmovable_free);
	assert_true(u1 > u0);
	assert_int_equal(u1 - u0, m0 - m1);		/* blocks changed type, none appeared */
	assert_non_null(strstr(proc_text("/sys/kernel/debug/tracing/trace"), "mm_page_alloc_extfrag:"));
	assert_non_null(strstr(proc_text("/sys/kernel/debug/tracing/trace"), "fragmenting=0 change_ownership=1"));

	/*
	 * Reclaimable: its own type did not exist before.  The fallback takes
	 * the largest free block, order 10, and claims both of its pageblocks.
	 */
	assert_int_equal(r0, 0);
	struct page *t = alloc_pages(GFP_TEMPORARY, 0);
	r1 = blocks_of("DMA32", "Reclaimable");
	assert_int_equal(r1, 2);
	total1 = blocks_of("DMA32", "Unmovable") + blocks_of("DMA32", "Movable") + r1 +
		 blocks_of("DMA32", "Reserve");
	assert_int_equal(total1, total0);
	__free_pages(t, 0);
	wl_pool_free(&pool, 0, 0, -1);
	free(pool.blocks);
	assert_mm_check();
}

/* ---- fault injection ---- */

static void fault_injection_makes_every_allocator_return_null(void **state)
{
	unsigned long free_before;

	boot_or_fail("ram=64M cpus=1");
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/min-order", "0"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/verbose", "0"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/times", "-1"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/probability", "100"), 0);
	drain_all_pages();
	free_before = nr_free_pages();
	assert_null(alloc_pages(GFP_KERNEL, 0));
	assert_null(alloc_pages(GFP_KERNEL | __GFP_COMP, 3));
	assert_null(alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, 1));
	assert_int_equal(__get_free_pages(GFP_KERNEL, 2), 0);
	assert_int_equal(get_zeroed_page(GFP_KERNEL), 0);
	assert_null(alloc_pages_exact(5 * PAGE_SIZE, GFP_KERNEL));
	/* __GFP_NOFAIL allocations are never failed on purpose. */
	struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0);
	assert_non_null(p);
	__free_pages(p, 0);
	drain_all_pages();
	assert_int_equal(nr_free_pages(), free_before);
	assert_false(dmesg_has("page allocation failure"));
	assert_true(fail_page_alloc_attr.failures >= 6);
	assert_mm_check();
}

static void fault_injection_fails_the_nth_allocation_only(void **state)
{
	struct page *p[6];

	boot_or_fail("ram=64M cpus=1");
	proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	proc_write("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	proc_write("/sys/kernel/debug/fail_page_alloc/fail-nth", "3");
	for (int i = 0; i < 6; i++) {
		p[i] = alloc_pages(GFP_KERNEL, 0);
		if (i == 2)
			assert_null(p[i]);
		else
			assert_non_null(p[i]);
	}
	assert_true(dmesg_has("FAULT_INJECTION: forcing a failure\n"));
	for (int i = 0; i < 6; i++)
		if (p[i])
			__free_pages(p[i], 0);
	/* The filters: order-0 and sleeping allocations are spared by default. */
	boot_or_fail("ram=64M cpus=1");
	proc_write("/sys/kernel/debug/fail_page_alloc/probability", "100");
	proc_write("/sys/kernel/debug/fail_page_alloc/times", "-1");
	p[0] = alloc_pages(GFP_ATOMIC, 0);		/* below min-order 1 */
	p[1] = alloc_pages(GFP_KERNEL, 1);		/* may sleep */
	p[2] = alloc_pages(GFP_ATOMIC, 1);		/* neither: fails */
	assert_non_null(p[0]);
	assert_non_null(p[1]);
	assert_null(p[2]);
	__free_pages(p[0], 0);
	__free_pages(p[1], 1);
	assert_mm_check();
}

/*
 * The anti-fragmentation experiment: single pages, half movable, fill the
 * machine; the movable ones are freed (as reclaim would); then order-9
 * blocks are asked for.  Grouping pages by mobility keeps the unmovable
 * ones together, so most freed memory forms whole pageblocks; without it,
 * unmovable pages are everywhere and almost no order-9 block forms.
 */
static long antifrag_run(const char *cmdline, long *possible)
{
	struct wl_pool frag = { 0 }, huge = { 0 };
	long got;

	boot_or_fail(cmdline);
	wl_fragment(&frag, -1, 50, -1);
	*possible = nr_free_pages() / 512;
	wl_fill(&huge, GFP_HIGHUSER_MOVABLE | __GFP_NORETRY | __GFP_NOWARN, 9, -1, 0, -1);
	got = huge.nr_blocks;
	assert_mm_check();
	wl_pool_free(&huge, 0, 0, -1);
	wl_pool_free(&frag, 0, 0, -1);
	free(huge.blocks);
	free(frag.blocks);
	return got;
}

static void grouping_by_mobility_prevents_fragmentation(void **state)
{
	long possible_on, possible_off;
	long on = antifrag_run("ram=256M cpus=2 seed=5", &possible_on);
	long off = antifrag_run("ram=256M cpus=2 seed=5 mobility_grouping=off", &possible_off);

	print_message("order-9 blocks: grouping on %ld of %ld, off %ld of %ld\n", on, possible_on,
		      off, possible_off);
	assert_true(dmesg_has("mobility grouping off"));
	assert_true(on * 10 >= possible_on * 8);	/* at least 80% of what could form */
	assert_true(off * 10 <= possible_off);		/* at most 10% */
	assert_true(on >= 4 * (off + 1));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(failure_is_reported_with_order_and_mode, teardown_machine),
	cmocka_unit_test_teardown(oom_without_a_victim_panics, teardown_machine),
	cmocka_unit_test_teardown(costly_orders_fail_without_the_oom_killer, teardown_machine),
	cmocka_unit_test_teardown(zonelist_falls_back_to_the_next_node, teardown_machine),
	cmocka_unit_test_teardown(thisnode_and_dma_constraints_hold, teardown_machine),
	cmocka_unit_test_teardown(thisnode_stops_at_the_low_watermark, teardown_machine),
	cmocka_unit_test_teardown(gfp_flags_map_to_zones_per_arch, teardown_machine),
	cmocka_unit_test_teardown(fallback_steals_pageblocks, teardown_machine),
	cmocka_unit_test_teardown(fault_injection_makes_every_allocator_return_null, teardown_machine),
	cmocka_unit_test_teardown(fault_injection_fails_the_nth_allocation_only, teardown_machine),
	cmocka_unit_test_teardown(grouping_by_mobility_prevents_fragmentation, teardown_machine),
};

KMM_TEST_MAIN(tests)
