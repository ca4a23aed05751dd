/*
 * test_memory_hotplug.c - memory hotplug (mm/memory_hotplug.c): the spans
 * an add leaves, and every allocation of add_memory() and online_pages()
 * failed in turn, each failure unwinding to exactly the machine before.
 *
 * The machine: x86_64, ram=1G (pfns 0x1-0x40000 in DMA and DMA32, no
 * Normal zone), hotplug_max=2G.  The add: 256M at 0x40000000, pfns
 * 0x40000-0x50000, two 128M sections (memory8, memory9), ZONE_NORMAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <kmm/errno.h>
#include <kmm/fault-inject.h>
#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/memory_hotplug.h>
#include <kmm/mm.h>
#include <kmm/procfs.h>
#include <kmm/vmstat.h>
#include "arch/x86/e820.h"
#include "arch/x86/kernel_map.h"
#include "hw/ram.h"
#include "mm/internal.h"
#include "tests/harness.h"

#define GB		(1ULL << 30)
#define ADD_START	GB
#define ADD_SIZE	(256ULL << 20)
#define ADD_PFN		0x40000UL
#define ADD_PAGES	0x10000UL

static struct zone *normal(void)
{
	return &NODE_DATA(0)->node_zones[ZONE_NORMAL];
}

/*
 * add_memory() grows the spans and nothing else: ZONE_NORMAL starts at
 * pfn 0x40000 with 65536 pages spanned and none present; node 0 spanned
 * pfns 1-0x40000 (0x3ffff pages) and now reaches 0x50000 (0x4ffff); the
 * new struct pages exist (pfn_valid) and are PG_reserved; max_pfn is
 * 0x50000.  online_pages() then makes the first section present: 32768
 * pages free in 32 blocks of order 10.
 */
static void add_grows_zone_and_node_spans(void **state)
{
	struct pglist_data *pgdat;

	boot_or_fail("ram=1G hotplug_max=2G cpus=1");
	pgdat = NODE_DATA(0);
	assert_int_equal(pgdat->node_start_pfn, 1);
	assert_int_equal(pgdat->node_spanned_pages, 0x3ffff);
	assert_int_equal(normal()->spanned_pages, 0);
	assert_false(pfn_valid(ADD_PFN));

	assert_int_equal(add_memory(0, ADD_START, ADD_SIZE), 0);
	assert_int_equal(normal()->zone_start_pfn, ADD_PFN);
	assert_int_equal(normal()->spanned_pages, ADD_PAGES);
	assert_int_equal(normal()->present_pages, 0);
	assert_int_equal(pgdat->node_start_pfn, 1);
	assert_int_equal(pgdat->node_spanned_pages, 0x4ffff);
	assert_int_equal(max_pfn, 0x50000);
	assert_true(pfn_valid(ADD_PFN) && pfn_valid(ADD_PFN + ADD_PAGES - 1));
	assert_false(pfn_valid(ADD_PFN + ADD_PAGES));
	assert_true(PageReserved(pfn_to_page(ADD_PFN)));
	assert_int_equal(page_zonenum(pfn_to_page(ADD_PFN + 5)), ZONE_NORMAL);
	assert_int_equal(hw_ram_size, GB + ADD_SIZE);
	assert_mm_check();

	/* The range is RAM already: -EEXIST; not a whole section: -EINVAL; past 2G: -ERANGE. */
	assert_int_equal(add_memory(0, ADD_START, ADD_SIZE), -EEXIST);
	assert_int_equal(add_memory(0, ADD_START + ADD_SIZE, 64ULL << 20), -EINVAL);
	assert_int_equal(add_memory(0, ADD_START + ADD_SIZE, GB), -ERANGE);

	/*
	 * A section whose struct pages begin inside a vmemmap block that a
	 * present section backs: pfn 0x50000's are at 0x50000 * 56 =
	 * 0x1180000, in the block at 0x1000000 of the first add.  Only the
	 * block from 0x1200000 is new; memory9's struct pages stay.
	 */
	assert_int_equal(add_memory(0, ADD_START + ADD_SIZE, 128ULL << 20), 0);
	assert_int_equal(normal()->spanned_pages, ADD_PAGES + 0x8000);
	assert_true(PageReserved(pfn_to_page(ADD_PFN + ADD_PAGES - 1)));
	assert_int_equal(page_zonenum(pfn_to_page(ADD_PFN + ADD_PAGES - 1)), ZONE_NORMAL);
	assert_mm_check();

	assert_int_equal(online_pages(ADD_PFN, ADD_PAGES / 2), 0);
	assert_int_equal(normal()->present_pages, 32768);
	assert_int_equal(pgdat->node_present_pages, 262047 + 32768);
	assert_int_equal(pgdat->node_spanned_pages, 0x57fff);
	assert_int_equal(normal()->free_area[MAX_ORDER - 1].nr_free, 32);
	assert_mm_check();

	/* Offlining needs pageblock alignment and one zone. */
	assert_int_equal(offline_pages(ADD_PFN + 1, ADD_PFN + 512), -EINVAL);
	assert_int_equal(offline_pages(0x3fc00, ADD_PFN + 1024), -EINVAL);
	assert_mm_check();
}

/* The state a failed call must leave: what the allocators hold, the machine's size, the views. */
struct machine_state {
	char slabinfo[16384];
	unsigned long free_pages, host_maps, max_pfn, normal_span;
	u64 ram_size;
	u32 e820_entries;
	char directmap[64];
};

static void take_state(struct machine_state *s)
{
	struct kernel_map_stats st;
	const char *dm;

	slab_counts_at_rest(s->slabinfo, sizeof(s->slabinfo));
	s->free_pages = free_pages_drained();
	kernel_map_stats(&st);
	s->host_maps = st.host_maps;
	s->max_pfn = max_pfn;
	s->normal_span = normal()->spanned_pages;
	s->ram_size = hw_ram_size;
	s->e820_entries = e820.nr_map;
	dm = strstr(proc_text("/proc/meminfo"), "DirectMap2M:");
	snprintf(s->directmap, sizeof(s->directmap), "%.*s", (int)strcspn(dm, "\n"), dm);
}

static void assert_state_equal(const struct machine_state *a, const struct machine_state *b,
			       const char *what)
{
	if (strcmp(a->slabinfo, b->slabinfo) || a->free_pages != b->free_pages ||
	    a->host_maps != b->host_maps || a->max_pfn != b->max_pfn ||
	    a->normal_span != b->normal_span || a->ram_size != b->ram_size ||
	    a->e820_entries != b->e820_entries || strcmp(a->directmap, b->directmap))
		fail_msg("%s: the machine changed: free pages %lu -> %lu, host maps %lu -> %lu, "
			 "max_pfn %#lx -> %#lx, Normal span %lu -> %lu, RAM %llu -> %llu, e820 %u -> %u, "
			 "'%s' -> '%s'\nslabs before:\n%s\nafter:\n%s",
			 what, a->free_pages, b->free_pages, a->host_maps, b->host_maps, a->max_pfn,
			 b->max_pfn, a->normal_span, b->normal_span, (unsigned long long)a->ram_size,
			 (unsigned long long)b->ram_size, a->e820_entries, b->e820_entries, a->directmap,
			 b->directmap, a->slabinfo, b->slabinfo);
}

static void inject_everywhere(void)
{
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/min-order", "0"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/failslab/ignore-gfp-wait", "N"), 0);
	fault_attr_set(&fail_page_alloc_attr, "verbose", 0);
	fault_attr_set(&failslab_attr, "verbose", 0);
}

/*
 * Fail the 1st, 2nd... eligible call of @attr in add_memory() until an
 * add succeeds: each failed add returns -ENOMEM and leaves the machine as
 * it was.  Returns the number of failing points; the last run added the
 * memory.
 */
static int sweep_add_memory(struct fault_attr *attr)
{
	struct machine_state before, after;
	int nth, err;

	take_state(&before);
	for (nth = 1;; nth++) {
		unsigned long failures = attr->failures;
		char label[64];

		fault_attr_set(attr, "fail-nth", nth);
		err = add_memory(0, ADD_START, ADD_SIZE);
		fault_attr_set(attr, "fail-nth", 0);
		/*
		 * The last run either met no failure or absorbed it: a slab
		 * whose descriptor could not be had is grown again by
		 * fallback_alloc(), as in 2.6.34.
		 */
		if (!err)
			return nth - 1;
		assert_true(attr->failures > failures);
		assert_int_equal(err, -ENOMEM);
		assert_false(pfn_valid(ADD_PFN));
		take_state(&after);
		snprintf(label, sizeof(label), "add_memory, failure %d", nth);
		assert_state_equal(&before, &after, label);
		assert_mm_check();
	}
}

/*
 * add_memory()'s allocations, in order: the direct map's PMD table for
 * the second gigabyte (one page: the boot tables map only the first); the
 * vmemmap's two new 2M blocks (0x40000 * 56 = 0xe00000 is a block
 * boundary, and 0x50000 * 56 = 0x1180000 ends in the second; the PMD
 * table covering them is the boot one); the zone's pageblock bitmap (192
 * bytes: 3 bits for each of the 512 pageblocks from pfn 0x40000 up to
 * hotplug_max=2G) and its wait table (256 entries for 65536 pages), both
 * from the slab allocator.  So fail_page_alloc has three
 * points (no slab cache needs to grow) and failslab two.
 */
static void add_memory_failures_unwind(void **state)
{
	int page_points;

	boot_with_sites("ram=1G hotplug_max=2G cpus=1");
	inject_everywhere();
	assert_int_equal(sweep_add_memory(&failslab_attr), 2);
	teardown_machine(state);

	boot_with_sites("ram=1G hotplug_max=2G cpus=1");
	inject_everywhere();
	page_points = sweep_add_memory(&fail_page_alloc_attr);
	/* The slab objects came from slabs there already: no cache grew. */
	assert_int_equal(page_points, 3);
	assert_mm_check();
}

/*
 * online_pages() of the first section of an unpopulated zone allocates
 * one thing before freeing a page: the zone's per-CPU pagesets.  A failed
 * online returns -ENOMEM with no page onlined; the next one succeeds.
 */
static void online_failure_unwinds(void **state)
{
	struct machine_state before, after;
	unsigned long total;
	int err;

	boot_with_sites("ram=1G hotplug_max=2G cpus=2");
	inject_everywhere();
	assert_int_equal(add_memory(0, ADD_START, ADD_SIZE), 0);
	take_state(&before);
	total = totalram_pages;
	fault_attr_set(&failslab_attr, "fail-nth", 1);
	err = online_pages(ADD_PFN, ADD_PAGES / 2);
	fault_attr_set(&failslab_attr, "fail-nth", 0);
	assert_int_equal(err, -ENOMEM);
	assert_int_equal(totalram_pages, total);
	assert_int_equal(normal()->present_pages, 0);
	assert_true(PageReserved(pfn_to_page(ADD_PFN)));
	take_state(&after);
	assert_state_equal(&before, &after, "online_pages, its pagesets refused");
	assert_mm_check();
	assert_int_equal(online_pages(ADD_PFN, ADD_PAGES / 2), 0);
	assert_int_equal(totalram_pages, total + 32768);
	assert_mm_check();
}

/*
 * A range that cannot be isolated leaves its pageblocks as they were: an
 * UNMOVABLE allocation takes its page from the top of Normal (the
 * fallback steals the largest free block, the last one freed: pfn
 * 0x4fc00, in memory9) and claims that pageblock.  Offlining memory9
 * isolates its pageblocks from 0x48000 up, meets the unmovable one, and
 * undoes the isolation of those before it: -EBUSY, every pageblock of the
 * section as before, none left MIGRATE_ISOLATE - even once the page is
 * freed, as 2.6.34's set_migratetype_isolate refuses a block that is not
 * MOVABLE.
 */
static void offline_refused_restores_pageblocks(void **state)
{
	const unsigned long start = ADD_PFN + ADD_PAGES / 2, end = ADD_PFN + ADD_PAGES;
	int type_before[64], i;
	struct page *page;

	boot_or_fail("ram=1G hotplug_max=2G cpus=1");
	assert_int_equal(add_memory(0, ADD_START, ADD_SIZE), 0);
	assert_int_equal(online_pages(ADD_PFN, ADD_PAGES), 0);
	page = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(page);
	assert_true(page_to_pfn(page) >= start + pageblock_nr_pages && page_to_pfn(page) < end);
	for (i = 0; i < 64; i++)
		type_before[i] = get_pageblock_migratetype(pfn_to_page(start + i * pageblock_nr_pages));
	assert_int_equal(type_before[0], MIGRATE_MOVABLE);
	assert_int_equal(offline_pages(start, end), -EBUSY);
	for (i = 0; i < 64; i++)
		assert_int_equal(get_pageblock_migratetype(pfn_to_page(start + i * pageblock_nr_pages)),
				 type_before[i]);
	__free_pages(page, 0);
	assert_int_equal(offline_pages(start, end), -EBUSY);
	assert_mm_check();
}

/* Give back a run taken by alloc_free_range/alloc_free_run, block by block. */
static void free_run(struct page *page, unsigned long blocks)
{
	for (unsigned long i = 1; i < blocks; i++)
		set_page_count(page + i * MAX_ORDER_NR_PAGES, 1);
	for (unsigned long i = 0; i < blocks; i++)
		__free_pages(page + i * MAX_ORDER_NR_PAGES, MAX_ORDER - 1);
}

/*
 * alloc_free_range() takes a range whole or not at all.  The 256M onlined
 * in Normal are 64 free blocks of order 10 (pfns 0x40000-0x50000).  Two of
 * them go at once: 62 left, NR_FREE_PAGES 2048 down, the first page
 * counted and the second block's not.  Taking them again, a range
 * overlapping them, half of a free block, or the block holding an allocated page (GFP_KERNEL's
 * fallback steals the last block freed, pfn 0x4fc00) is -EBUSY with
 * nothing changed.  alloc_free_run() scans Normal from its start: the
 * first three free blocks in a row start right after the two taken
 * (0x40800).  In DMA32, which is mostly deferred at boot, a run of two is
 * found after the highest deferred blocks join the lists.
 */
static void free_range_taken_whole_or_not_at_all(void **state)
{
	unsigned long free_before;
	struct page *page, *run;

	boot_or_fail("ram=1G hotplug_max=2G cpus=1");
	assert_int_equal(add_memory(0, ADD_START, ADD_SIZE), 0);
	assert_int_equal(online_pages(ADD_PFN, ADD_PAGES), 0);
	drain_all_pages();
	assert_int_equal(normal()->free_area[MAX_ORDER - 1].nr_free, 64);
	free_before = zone_page_state(normal(), NR_FREE_PAGES);

	assert_int_equal(alloc_free_range(ADD_PFN, ADD_PFN + 2048), 0);
	assert_int_equal(normal()->free_area[MAX_ORDER - 1].nr_free, 62);
	assert_int_equal(zone_page_state(normal(), NR_FREE_PAGES), free_before - 2048);
	assert_int_equal(page_count(pfn_to_page(ADD_PFN)), 1);
	assert_int_equal(page_count(pfn_to_page(ADD_PFN + 1024)), 0);
	assert_false(PageBuddy(pfn_to_page(ADD_PFN + 1024)));
	assert_int_equal(alloc_free_range(ADD_PFN, ADD_PFN + 2048), -EBUSY);
	assert_int_equal(alloc_free_range(ADD_PFN + 1024, ADD_PFN + 3072), -EBUSY);
	/* Half of a free block: the block reaches outside the range. */
	assert_int_equal(alloc_free_range(ADD_PFN + 4096, ADD_PFN + 4096 + 512), -EBUSY);
	page = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(page) & ~(MAX_ORDER_NR_PAGES - 1), 0x4fc00);
	assert_int_equal(alloc_free_range(0x4f800, 0x50000), -EBUSY);
	assert_int_equal(normal()->free_area[MAX_ORDER - 1].nr_free, 61);
	__free_pages(page, 0);
	drain_all_pages();
	assert_mm_check();

	run = alloc_free_run(GFP_KERNEL, 3 * MAX_ORDER_NR_PAGES);
	assert_non_null(run);
	assert_int_equal(page_to_pfn(run), ADD_PFN + 2048);
	assert_int_equal(normal()->free_area[MAX_ORDER - 1].nr_free, 59);
	free_run(run, 3);
	free_run(pfn_to_page(ADD_PFN), 2);
	assert_int_equal(normal()->free_area[MAX_ORDER - 1].nr_free, 64);
	assert_int_equal(zone_page_state(normal(), NR_FREE_PAGES), free_before);
	assert_mm_check();

	run = alloc_free_run(GFP_DMA32, 2 * MAX_ORDER_NR_PAGES);
	assert_non_null(run);
	assert_int_equal(page_zonenum(run), ZONE_DMA32);
	free_run(run, 2);
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(add_grows_zone_and_node_spans, teardown_machine),
		cmocka_unit_test_teardown(add_memory_failures_unwind, teardown_machine),
		cmocka_unit_test_teardown(online_failure_unwinds, teardown_machine),
		cmocka_unit_test_teardown(offline_refused_restores_pageblocks, teardown_machine),
		cmocka_unit_test_teardown(free_range_taken_whole_or_not_at_all, teardown_machine),
	};

	return kmm_test_main(tests, ARRAY_SIZE(tests), argc, argv);
}
