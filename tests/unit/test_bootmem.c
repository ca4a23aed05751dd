/*
 * test_bootmem.c - early reservations and the boot allocator (seed 003,
 * 2.3.1): overlap detection, alignment, goal ranges, exhaustion, the
 * table's doubling, and that what the boot allocator handed out stays
 * reserved after the hand-over to the buddy allocator.
 *
 * The early tests run the boot-time functions on a bare simulated RAM,
 * with a hand-made e820 map and active ranges, outside any boot.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/bootmem.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/sched.h>
#include <kmm/string.h>
#include <kmm/vmstat.h>
#include "arch/x86/e820.h"
#include "hw/ram.h"
#include "mm/internal.h"
#include "tests/harness.h"
#include "tools/kmm/workload.h"

int kmm_state_snapshot(void);
void kmm_state_restore(void);

#define MB (1ULL << 20)

/* 64M of RAM: usable [0, 640K) and [1M, 64M), as active ranges of node 0. */
static int early_setup(void **state)
{
	kmm_state_snapshot();
	assert_int_equal(hw_ram_create(64 * MB), 0);
	e820.nr_map = 2;
	e820.map[0] = (struct e820entry){ 0, 0xa0000, E820_RAM };
	e820.map[1] = (struct e820entry){ MB, 63 * MB, E820_RAM };
	add_active_range(0, 0, 0xa0);
	add_active_range(0, 0x100, 0x4000);
	max_pfn_mapped = 0x4000;
	return 0;
}

static int early_teardown(void **state)
{
	hw_ram_destroy();
	kmm_state_restore();
	return 0;
}

static void add_active_range_merges_neighbours(void **state)
{
	assert_int_equal(nr_nodemap_entries, 2);
	add_active_range(0, 0x4000, 0x5000);		/* extends [0x100, 0x4000) forward */
	add_active_range(0, 0x80, 0x100);		/* extends [0, 0xa0) forward to 0x100 */
	add_active_range(0, 0x200, 0x300);		/* already covered */
	add_active_range(1, 0x5000, 0x6000);		/* another node: a range of its own */
	assert_int_equal(nr_nodemap_entries, 3);
	assert_int_equal(early_node_map[0].end_pfn, 0x100);
	assert_int_equal(early_node_map[1].start_pfn, 0x100);
	assert_int_equal(early_node_map[1].end_pfn, 0x5000);
	assert_int_equal(early_node_map[2].nid, 1);
	/* Node 0 now has no hole below 0x5000; node 1's range is a hole for node 0. */
	assert_int_equal(__absent_pages_in_range(0, 0, 0x5000), 0);
	assert_int_equal(__absent_pages_in_range(0, 0, 0x6000), 0x1000);
}

static void find_early_area_aligns_and_respects_the_goal(void **state)
{
	/* The lowest 64K-aligned address at or above the 5M goal. */
	assert_int_equal(find_early_area(MB, 64 * MB, 5 * MB + 1, 64 * MB, 4096, 0x10000),
			 5 * MB + 0x10000);
	/* Alignment of the range start, with no goal. */
	assert_int_equal(find_early_area(MB + 4096, 64 * MB, 0, 64 * MB, 4096, 2 * MB), 2 * MB);
	/* The request must end by the end of the goal range... */
	assert_int_equal(find_early_area(MB, 64 * MB, 0, 3 * MB, 4 * MB, 4096), -1ULL);
	/* ...and of the RAM range. */
	assert_int_equal(find_early_area(MB, 2 * MB, 0, 64 * MB, 2 * MB, 4096), -1ULL);
	/* A goal beyond the range fails. */
	assert_int_equal(find_early_area(MB, 2 * MB, 3 * MB, 64 * MB, 4096, 4096), -1ULL);
}

static void find_early_area_steps_over_reservations(void **state)
{
	reserve_early(MB, 3 * MB, "A");
	reserve_early(3 * MB + 4096, 4 * MB, "B");
	/* [1M, 3M) and [3M+4K, 4M) are taken: 8K fits only from 4M. */
	assert_int_equal(find_early_area(MB, 64 * MB, 0, 64 * MB, 8192, 4096), 4 * MB);
	/* 4K fits in the gap at 3M. */
	assert_int_equal(find_early_area(MB, 64 * MB, 0, 64 * MB, 4096, 4096), 3 * MB);
	assert_true(early_res_overlaps(2 * MB, 2 * MB + 1));
	assert_false(early_res_overlaps(3 * MB, 3 * MB + 4096));
}

static void overlapping_reservations_panic(void **state)
{
	reserve_early(MB, 2 * MB, "KERNEL");
	EXPECT_KERNEL_STOP(reserve_early(MB + 4096, 3 * MB, "OTHER"));
	assert_true(dmesg_has("Overlapping early reservations 101000-2fffff OTHER to 100000-1fffff KERNEL"));
}

static void overlap_ok_reservations_are_split(void **state)
{
	reserve_early_overlap_ok(0x9f000, MB, "BIOS reserved");
	reserve_early(0xa0000, 0xb0000, "VIDEO");
	/* The BIOS area now has a part before and a part after. */
	assert_int_equal(early_res_nr(), 3);
	assert_int_equal(early_res_entry(0)->start, 0x9f000);
	assert_int_equal(early_res_entry(0)->end, 0xa0000);
	assert_string_equal(early_res_entry(1)->name, "BIOS reserved");
	assert_int_equal(early_res_entry(1)->start, 0xb0000);
	assert_int_equal(early_res_entry(1)->end, MB);
	assert_string_equal(early_res_entry(2)->name, "VIDEO");
}

static void free_early_needs_an_exact_match(void **state)
{
	reserve_early(MB, 2 * MB, "X");
	free_early(MB, 2 * MB);
	assert_int_equal(early_res_nr(), 0);
	reserve_early(MB, 2 * MB, "X");
	EXPECT_KERNEL_STOP(free_early(MB, MB + 4096));
	assert_true(dmesg_has("free_early on not reserved area: 100000-100fff!"));
}

static void boot_allocator_takes_the_lowest_fit_and_zeroes(void **state)
{
	char *p;
	u64 pa;

	memset(__va(16 * MB), 0xee, 4096);
	reserve_early(16 * MB, 16 * MB + 100, "SOMETHING");
	p = __alloc_memory_core_early(0, 4096, 4096, 16 * MB, -1ULL);
	pa = __pa(p);
	assert_int_equal(pa, 16 * MB + 4096);		/* next aligned address past the reservation */
	assert_null(memchr_inv(p, 0, 4096));
	assert_string_equal(early_res_entry(early_res_nr() - 1)->name, "BOOTMEM");
	assert_true(early_res_overlaps(pa, pa + 1));
	/* A goal above all RAM is dropped rather than fail: the lowest fit is at 0. */
	p = __alloc_bootmem(8192, 4096, 64 * MB);
	assert_int_equal(__pa(p), 0);
	/* Beyond the mapped memory nothing is handed out. */
	max_pfn_mapped = 0x800;		/* 8M */
	assert_null(__alloc_bootmem_nopanic(8 * MB, 4096, 0));
	EXPECT_KERNEL_STOP(__alloc_bootmem(8 * MB, 4096, 0));
	assert_true(dmesg_has("bootmem alloc of 8388608 bytes failed!"));
}

static void the_table_doubles_when_it_fills(void **state)
{
	for (int i = 0; i < 40; i++)
		reserve_early(MB + i * 8192ULL, MB + i * 8192ULL + 4096, "R");
	assert_true(dmesg_has("early_res array is doubled to 64 at ["));
	/* Entry 0 describes the table itself; every reservation survived. */
	assert_string_equal(early_res_entry(0)->name, "EARLY RES");
	assert_int_equal(early_res_nr(), 41);
	for (int i = 0; i < 40; i++)
		assert_true(early_res_overlaps(MB + i * 8192ULL, MB + i * 8192ULL + 1));
}

/*
 * After boot, every page the boot allocator or an early reservation took
 * stays PG_reserved and never reaches the free lists: taking all free
 * memory never returns one of them.
 */
static void reserved_memory_stays_reserved_after_the_handover(void **state)
{
	struct wl_pool pool = { 0 };
	unsigned long reserved = 0;

	boot_or_fail("ram=128M cpus=1");
	current->flags |= PF_MEMALLOC;
	wl_fill(&pool, GFP_ATOMIC | __GFP_NOWARN, 0, -1, 0, -1);
	current->flags &= ~PF_MEMALLOC;
	drain_all_pages();
	refresh_all_vm_stats();		/* fold the per-CPU counter deltas */
	assert_int_equal(nr_free_pages(), 0);
	for (size_t i = 0; i < pool.nr_blocks; i++)
		assert_false(PageReserved(pool.blocks[i].page));
	/* The kernel image, the vmemmap block and NODE_DATA are reserved pages. */
	for (unsigned long pfn = 0x100; pfn < 0x900; pfn++)
		reserved += PageReserved(pfn_to_page(pfn));
	assert_int_equal(reserved, 0x800);
	assert_true(PageReserved(virt_to_page(NODE_DATA(0))));
	assert_true(PageReserved(virt_to_page(__va(18 * MB))));	/* the first vmemmap block */
	wl_pool_free(&pool, 0, 0, -1);
	free(pool.blocks);
	assert_mm_check();
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(add_active_range_merges_neighbours, early_setup, early_teardown),
	cmocka_unit_test_setup_teardown(find_early_area_aligns_and_respects_the_goal, early_setup,
					early_teardown),
	cmocka_unit_test_setup_teardown(find_early_area_steps_over_reservations, early_setup,
					early_teardown),
	cmocka_unit_test_setup_teardown(overlapping_reservations_panic, early_setup, early_teardown),
	cmocka_unit_test_setup_teardown(overlap_ok_reservations_are_split, early_setup, early_teardown),
	cmocka_unit_test_setup_teardown(free_early_needs_an_exact_match, early_setup, early_teardown),
	cmocka_unit_test_setup_teardown(boot_allocator_takes_the_lowest_fit_and_zeroes, early_setup,
					early_teardown),
	cmocka_unit_test_setup_teardown(the_table_doubles_when_it_fills, early_setup, early_teardown),
	cmocka_unit_test_teardown(reserved_memory_stays_reserved_after_the_handover, teardown_machine),
};

KMM_TEST_MAIN(tests)
