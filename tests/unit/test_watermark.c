/*
 * test_watermark.c - how much each zone keeps free, and who may take it:
 * min_free_kbytes from the size of lowmem, its split over the zones
 * (min, low = min + 1/4, high = min + 1/2; highmem's token min), the
 * lowmem_reserve protection of lower zones, totalreserve_pages and
 * inactive_ratio, on machines of each shape; zone_watermark_ok() at its
 * edges, order by order; and, with exact counters, the depth to which each
 * kind of allocation may empty a zone (GFP_KERNEL to min, __GFP_HIGH to
 * half of it, atomic allocations a quarter less again, PF_MEMALLOC to
 * nothing) and the fast path's low watermark against the slow path's min.
 *
 * Every expected number is derived in the comment above its test from
 * 2.6.34's formulas and the zones' present pages (which test_boot.c
 * derives from the machine).
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/jiffies.h>
#include <kmm/mm.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "tests/harness.h"
#include "tests/zone_lab.h"

static struct zone *zone_of(int nid, enum zone_type z)
{
	return &NODE_DATA(nid)->node_zones[z];
}

/* A zone with @free pages, of which nr[o] blocks at each order below 4. */
static void fake_zone(struct zone *z, long free, const unsigned long *nr)
{
	memset(z, 0, sizeof(*z));
	atomic_long_set(&z->vm_stat[NR_FREE_PAGES], free);
	for (int o = 0; o < 4; o++)
		z->free_area[o].nr_free = nr ? nr[o] : 0;
}

/*
 * zone_watermark_ok at its edges (seed 003, 2.5.5.2.1): after taking 2^order
 * pages, more than mark (halved by ALLOC_HIGH, less a quarter by
 * ALLOC_HARDER) plus the reserve for the class must stay free; and at each
 * lower order the pages still free in larger blocks must exceed the
 * requirement halved once per order.
 */
static void watermark_ok_at_the_edges(void **state)
{
	struct zone z;
	unsigned long nr[4] = { 50, 12, 0, 0 };

	fake_zone(&z, 101, NULL);
	assert_true(zone_watermark_ok(&z, 0, 100, 0, 0));	/* 101 > 100 */
	fake_zone(&z, 100, NULL);
	assert_false(zone_watermark_ok(&z, 0, 100, 0, 0));	/* 100 > 100 fails */

	/* ALLOC_HIGH: 100 - 50 = 50. */
	fake_zone(&z, 51, NULL);
	assert_true(zone_watermark_ok(&z, 0, 100, 0, ALLOC_HIGH));
	fake_zone(&z, 50, NULL);
	assert_false(zone_watermark_ok(&z, 0, 100, 0, ALLOC_HIGH));
	/* ALLOC_HARDER: 100 - 25 = 75. */
	fake_zone(&z, 76, NULL);
	assert_true(zone_watermark_ok(&z, 0, 100, 0, ALLOC_HARDER));
	fake_zone(&z, 75, NULL);
	assert_false(zone_watermark_ok(&z, 0, 100, 0, ALLOC_HARDER));
	/* Both: 100 - 50 = 50, 50 - 12 = 38. */
	fake_zone(&z, 39, NULL);
	assert_true(zone_watermark_ok(&z, 0, 100, 0, ALLOC_HIGH | ALLOC_HARDER));
	fake_zone(&z, 38, NULL);
	assert_false(zone_watermark_ok(&z, 0, 100, 0, ALLOC_HIGH | ALLOC_HARDER));
	/* lowmem_reserve of the class is added to the mark. */
	fake_zone(&z, 121, NULL);
	z.lowmem_reserve[ZONE_DMA32] = 20;
	assert_true(zone_watermark_ok(&z, 0, 100, ZONE_DMA32, 0));
	assert_true(zone_watermark_ok(&z, 0, 100, ZONE_DMA, 0));
	z.vm_stat[NR_FREE_PAGES].counter = 120;
	assert_false(zone_watermark_ok(&z, 0, 100, ZONE_DMA32, 0));
	assert_true(zone_watermark_ok(&z, 0, 100, ZONE_DMA, 0));

	/*
	 * Order 2, mark 100, 104 free: 104 - 4 + 1 = 101 > 100.  Order 0:
	 * 101 - 50 = 51 > 50.  Order 1: 51 - 12 * 2 = 27 > 25.  Passes.
	 */
	fake_zone(&z, 104, nr);
	assert_true(zone_watermark_ok(&z, 2, 100, 0, 0));
	nr[1] = 13;		/* 51 - 26 = 25, not > 25 */
	fake_zone(&z, 104, nr);
	assert_false(zone_watermark_ok(&z, 2, 100, 0, 0));
	nr[1] = 12;
	nr[0] = 51;		/* 101 - 51 = 50, not > 50 */
	fake_zone(&z, 104, nr);
	assert_false(zone_watermark_ok(&z, 2, 100, 0, 0));
	fake_zone(&z, 103, NULL);	/* 103 - 3 = 100: fails before the loop */
	assert_false(zone_watermark_ok(&z, 2, 100, 0, 0));
}

/*
 * min_free_kbytes = 1024 on 64M: pages_min 256, lowmem = 3943 + 12120 =
 * 16063 pages.  DMA gets 256 * 3943 / 16063 = 62, DMA32 256 * 12120 /
 * 16063 = 193; low = min + tmp/4, high = min + tmp/2.  lowmem_reserve of
 * DMA against DMA32 allocations: 12120 / 256 = 47.
 */
static void watermarks_split_min_free_kbytes_by_zone_size(void **state)
{
	struct zone *dma, *dma32;

	boot_or_fail("ram=64M cpus=1");
	dma = zone_of(0, ZONE_DMA);
	dma32 = zone_of(0, ZONE_DMA32);
	/* The default: sqrt(16 * lowmem KB) = sqrt(16 * 64252) = 1013. */
	assert_int_equal(min_free_kbytes, 1013);
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "1024"), 0);
	assert_string_equal(proc_text("/proc/sys/vm/min_free_kbytes"), "1024\n");
	assert_int_equal(min_wmark_pages(dma), 62);
	assert_int_equal(low_wmark_pages(dma), 62 + 15);
	assert_int_equal(high_wmark_pages(dma), 62 + 31);
	assert_int_equal(min_wmark_pages(dma32), 193);
	assert_int_equal(low_wmark_pages(dma32), 193 + 48);
	assert_int_equal(high_wmark_pages(dma32), 193 + 96);
	assert_int_equal(dma->lowmem_reserve[ZONE_DMA32], 47);
	assert_int_equal(dma->lowmem_reserve[ZONE_DMA], 0);
	assert_string_equal(proc_text("/proc/sys/vm/lowmem_reserve_ratio"), "256\t256\t32\n");
	assert_non_null(strstr(proc_text("/proc/zoneinfo"), "        protection: (0, 47, 47, 47)"));

	/* A larger ratio: 12120 / 1000 = 12. */
	assert_int_equal(proc_write("/proc/sys/vm/lowmem_reserve_ratio", "1000 256 32"), 0);
	assert_int_equal(dma->lowmem_reserve[ZONE_DMA32], 12);
	/*
	 * All of lowmem, 64252 KB = 16063 pages: each zone's share is exactly
	 * its present pages (3943, 12120); low and high add a quarter and a half.
	 */
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "64252"), 0);
	assert_int_equal(min_wmark_pages(dma), 3943);
	assert_int_equal(low_wmark_pages(dma), 3943 + 985);
	assert_int_equal(high_wmark_pages(dma32), 12120 + 6060);
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "-1"), -EINVAL);
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "2147483648"), -EINVAL);
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "2147483647"), 0);
	assert_int_equal(min_free_kbytes, 2147483647);
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "lots"), -EINVAL);
	assert_mm_check();
}


static void assert_marks(struct zone *z, unsigned long min, unsigned long low, unsigned long high)
{
	if (min_wmark_pages(z) != min || low_wmark_pages(z) != low || high_wmark_pages(z) != high)
		fail_msg("%s: min %lu low %lu high %lu, expected %lu %lu %lu", z->name,
			 min_wmark_pages(z), low_wmark_pages(z), high_wmark_pages(z), min, low, high);
}

/*
 * Odd marks: ALLOC_HIGH keeps min - min / 2 (101 -> 51), ALLOC_HARDER
 * min - min / 4 (101 -> 76).  At order 1 the loop runs for order 0 only:
 * mark 10, 20 free, 7 blocks of order 1: 20 - 2 + 1 = 19 > 10; with 5
 * single pages 19 - 5 = 14 > 10 / 2 passes (the 14 pages of order 1 are
 * not discounted), with 9 19 - 9 = 10 > 5 passes, with 14 5 > 5 fails.  The class reserve adds to the mark before the loop only:
 * mark 100, reserve 50, order 1, 200 free of which 148 single pages:
 * 199 > 150, 199 - 148 = 51 > 50 passes; 149 single pages fail.
 */
static void watermark_ok_halves_and_quarters_and_stops_below_the_order(void **state)
{
	unsigned long nr[4] = { 5, 7, 0, 0 };
	struct zone z;

	fake_zone(&z, 52, NULL);
	assert_true(zone_watermark_ok(&z, 0, 101, 0, ALLOC_HIGH));
	fake_zone(&z, 51, NULL);
	assert_false(zone_watermark_ok(&z, 0, 101, 0, ALLOC_HIGH));
	fake_zone(&z, 77, NULL);
	assert_true(zone_watermark_ok(&z, 0, 101, 0, ALLOC_HARDER));
	fake_zone(&z, 76, NULL);
	assert_false(zone_watermark_ok(&z, 0, 101, 0, ALLOC_HARDER));

	fake_zone(&z, 20, nr);
	assert_true(zone_watermark_ok(&z, 1, 10, 0, 0));
	nr[0] = 9;
	fake_zone(&z, 20, nr);
	assert_true(zone_watermark_ok(&z, 1, 10, 0, 0));
	nr[0] = 14;
	fake_zone(&z, 20, nr);
	assert_false(zone_watermark_ok(&z, 1, 10, 0, 0));

	nr[0] = 148;
	nr[1] = 0;
	fake_zone(&z, 200, nr);
	z.lowmem_reserve[ZONE_NORMAL] = 50;
	assert_true(zone_watermark_ok(&z, 1, 100, ZONE_NORMAL, 0));
	nr[0] = 149;
	fake_zone(&z, 200, nr);
	z.lowmem_reserve[ZONE_NORMAL] = 50;
	assert_false(zone_watermark_ok(&z, 1, 100, ZONE_NORMAL, 0));
	/* The same zone for an allocation of class DMA: no reserve, 199 > 100, 50 > 50 fails. */
	assert_false(zone_watermark_ok(&z, 1, 100, ZONE_DMA, 0));
	nr[0] = 148;
	fake_zone(&z, 200, nr);
	assert_true(zone_watermark_ok(&z, 1, 100, ZONE_DMA, 0));
}

/*
 * min_free_kbytes = sqrt(16 * lowmem KB), lowmem being the pages of the
 * zones GFP_USER may use (nr_free_buffer_pages at boot, before any
 * watermark).  pages_min = min_free_kbytes / 4 is split over the lowmem
 * zones by present pages: tmp = pages_min * present / lowmem; min = tmp,
 * low = min + tmp / 4, high = min + tmp / 2.
 *
 * x86_64 5G (DMA 3943, DMA32 768056, Normal 517120 present; lowmem
 * 1289119 pages = 5156476 KB): sqrt(82503616) = 9083, pages_min 2270.
 *   DMA    2270 * 3943 / 1289119 = 6:        6, 7, 9
 *   DMA32  2270 * 768056 / 1289119 = 1352:   1352, 1690, 2028
 *   Normal 2270 * 517120 / 1289119 = 910:    910, 1137, 1365
 * i386 2G (DMA 3967, Normal 223520, HighMem 292608; lowmem 227487 pages =
 * 909948 KB): sqrt(14559168) = 3815, pages_min 953.
 *   DMA    953 * 3967 / 227487 = 16:         16, 20, 24
 *   Normal 953 * 223520 / 227487 = 936:      936, 1170, 1404
 *   HighMem: min = present / 1024 = 285, at most 128; low and high add
 *   the share HighMem would have had, tmp = 953 * 292608 / 227487 = 1225:
 *   128, 128 + 306, 128 + 612
 * i386 1200M: HighMem 304M spans 77824 pages, less 608 of memory map:
 * 77216 present; min 77216 / 1024 = 75; tmp = 953 * 77216 / 227487 = 323:
 * 75, 155, 236.
 * i386 960M: HighMem 64M, 16384 - 128 = 16256 present; 16256 / 1024 = 15,
 * at least SWAP_CLUSTER_MAX = 32; tmp = 953 * 16256 / 227487 = 68:
 * 32, 49, 66.
 * i386 1231104K: HighMem spans 78400 pages, whose memory map takes
 * ceil(78400 * 32 / 4096) = 613 (32-byte struct pages): 77787 present; 77787 / 1024 = 75.96:
 * 75, a near miss for any other divisor; tmp = 953 * 77787 / 227487 =
 * 325: 75, 156, 237.
 * i386 1227124K: HighMem spans 77405 pages, memory map ceil(77405 / 128) =
 * 605: 76800 present = 75 * 1024 exactly: 75; tmp = 953 * 76800 /
 * 227487 = 321: 75, 155, 235.
 */
static void watermarks_on_every_machine_shape(void **state)
{
	boot_or_fail("ram=5G cpus=1");
	assert_int_equal(min_free_kbytes, 9083);
	assert_marks(zone_of(0, ZONE_DMA), 6, 7, 9);
	assert_marks(zone_of(0, ZONE_DMA32), 1352, 1690, 2028);
	assert_marks(zone_of(0, ZONE_NORMAL), 910, 1137, 1365);
	assert_mm_check();

	boot_or_fail("arch=i386 ram=2G cpus=1");
	assert_int_equal(min_free_kbytes, 3815);
	assert_marks(zone_of(0, ZONE_DMA), 16, 20, 24);
	assert_marks(zone_of(0, ZONE_NORMAL), 936, 1170, 1404);
	assert_int_equal(zone_of(0, ZONE_HIGHMEM)->present_pages, 292608);
	assert_marks(zone_of(0, ZONE_HIGHMEM), 128, 434, 740);

	boot_or_fail("arch=i386 ram=1200M cpus=1");
	assert_int_equal(min_free_kbytes, 3815);
	assert_int_equal(zone_of(0, ZONE_HIGHMEM)->present_pages, 77216);
	assert_marks(zone_of(0, ZONE_HIGHMEM), 75, 155, 236);

	boot_or_fail("arch=i386 ram=1231104K cpus=1");
	assert_int_equal(zone_of(0, ZONE_HIGHMEM)->present_pages, 77787);
	assert_marks(zone_of(0, ZONE_HIGHMEM), 75, 156, 237);

	boot_or_fail("arch=i386 ram=1227124K cpus=1");
	assert_int_equal(zone_of(0, ZONE_HIGHMEM)->present_pages, 76800);
	assert_marks(zone_of(0, ZONE_HIGHMEM), 75, 155, 235);

	boot_or_fail("arch=i386 ram=960M cpus=1");
	assert_int_equal(zone_of(0, ZONE_HIGHMEM)->present_pages, 16256);
	assert_marks(zone_of(0, ZONE_HIGHMEM), 32, 49, 66);
	assert_mm_check();
}

/*
 * lowmem_reserve[j] of zone i: the pages of zones i+1 .. j divided by
 * sysctl_lowmem_reserve_ratio[i] (256 for DMA and DMA32, 32 for Normal).
 *   x86_64 5G: DMA:   DMA32 768056 / 256 = 3000; + Normal: 1285176 / 256 = 5020
 *              DMA32: Normal 517120 / 256 = 2020
 *   i386 2G:   DMA:   Normal 223520 / 256 = 873; + HighMem: 516128 / 256 = 2016
 *              Normal: HighMem 292608 / 32 = 9144
 * The last column is ZONE_MOVABLE, empty: the same as the one before.
 */
static void lowmem_reserve_protects_each_lower_zone(void **state)
{
	boot_or_fail("ram=5G cpus=1");
	assert_non_null(strstr(proc_text("/proc/zoneinfo"), "protection: (0, 3000, 5020, 5020)"));
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_DMA32], 3000);
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_NORMAL], 5020);
	assert_int_equal(zone_of(0, ZONE_DMA32)->lowmem_reserve[ZONE_NORMAL], 2020);
	assert_int_equal(zone_of(0, ZONE_DMA32)->lowmem_reserve[ZONE_DMA32], 0);
	assert_int_equal(zone_of(0, ZONE_NORMAL)->lowmem_reserve[ZONE_NORMAL], 0);
	/* Ratios 100 32 8: 768056 / 100 = 7680, 1285176 / 100 = 12851, 517120 / 32 = 16160. */
	assert_int_equal(proc_write("/proc/sys/vm/lowmem_reserve_ratio", "100 32 8"), 0);
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_DMA32], 7680);
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_NORMAL], 12851);
	assert_int_equal(zone_of(0, ZONE_DMA32)->lowmem_reserve[ZONE_NORMAL], 16160);
	/* A ratio below 1 becomes 1 (and reads back so): DMA keeps all of the zones above it. */
	assert_int_equal(proc_write("/proc/sys/vm/lowmem_reserve_ratio", "0 256 32"), 0);
	assert_string_equal(proc_text("/proc/sys/vm/lowmem_reserve_ratio"), "1\t256\t32\n");
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_DMA32], 768056);
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_NORMAL], 1285176);
	/* Fewer values than zones: only the first ones change. */
	assert_int_equal(proc_write("/proc/sys/vm/lowmem_reserve_ratio", "512"), 0);
	assert_string_equal(proc_text("/proc/sys/vm/lowmem_reserve_ratio"), "512\t256\t32\n");
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_DMA32], 768056 / 512);

	boot_or_fail("arch=i386 ram=2G cpus=1");
	assert_string_equal(proc_text("/proc/sys/vm/lowmem_reserve_ratio"), "256\t32\t32\n");
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_NORMAL], 873);
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_HIGHMEM], 2016);
	assert_int_equal(zone_of(0, ZONE_NORMAL)->lowmem_reserve[ZONE_HIGHMEM], 9144);
	assert_mm_check();
}

/*
 * totalreserve_pages: per zone, its largest lowmem_reserve plus its high
 * watermark, at most its present pages.  64M at boot: DMA 47 + 93 = 140,
 * DMA32 0 + 285 = 285: 425.  5G: DMA 5020 + 9 is over its 3943 present
 * pages: 3943; DMA32 2020 + 2028 = 4048; Normal 0 + 1365: 9356.  inactive_ratio: int_sqrt(10 * GB of the
 * zone), 1 below a gigabyte; 5G: DMA32 768056 pages = 2 GB: sqrt(20) = 4;
 * Normal 1 GB: sqrt(10) = 3; DMA 1.
 */
static void totalreserve_and_inactive_ratio(void **state)
{
	boot_or_fail("ram=64M cpus=1");
	assert_int_equal(totalreserve_pages, 140 + 285);
	/* min_free_kbytes 1024: DMA high 62 + 31, DMA32 193 + 96. */
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "1024"), 0);
	assert_int_equal(totalreserve_pages, 47 + 93 + 289);
	boot_or_fail("ram=5G cpus=1");
	assert_int_equal(totalreserve_pages, 3943 + 4048 + 1365);
	assert_int_equal(zone_of(0, ZONE_DMA)->inactive_ratio, 1);
	assert_int_equal(zone_of(0, ZONE_DMA32)->inactive_ratio, 4);
	assert_int_equal(zone_of(0, ZONE_NORMAL)->inactive_ratio, 3);
	assert_non_null(strstr(proc_text("/proc/zoneinfo"), "inactive_ratio:    4\n"));
}

/* ---- who gets the last pages ---- */

/* Allocate single pages with @gfp until it fails; they join @pool. */
static void fill(struct page **pool, int *n, gfp_t gfp)
{
	struct page *page;

	while ((page = alloc_pages(gfp | __GFP_NOWARN, 0)) != NULL)
		pool[(*n)++] = page;
}

static unsigned long free_in(enum zone_type z)
{
	return zone_page_state_snapshot(zone_of(0, z), NR_FREE_PAGES);
}

/*
 * 64M, min_free_kbytes 1024: DMA min 62 with a reserve of 47 against
 * DMA32-class allocations; DMA32 min 193.  Counters exact, per-CPU batch
 * 1: each allocation takes one page from the buddy lists, and succeeds
 * while more than the mark stays free.  Filling with each kind in turn,
 * least privileged first, leaves in DMA32 / DMA:
 *   GFP_KERNEL (min):                           193 / 62 + 47 = 109
 *   GFP_NOWAIT (ALLOC_HARDER: min - min/4):     193 - 48 = 145 / 62 - 15 + 47 = 94
 *   GFP_KERNEL|__GFP_HIGH (ALLOC_HIGH: min - min/2):  97 / 31 + 47 = 78
 *   GFP_ATOMIC (both: 97 - 97/4):               73 / 24 + 47 = 71
 *   PF_MEMALLOC (no watermark at all):          0 / 0
 * (__GFP_NORETRY keeps the sleeping kinds from the OOM killer.)
 */
static void each_kind_of_allocation_stops_at_its_own_depth(void **state)
{
	static struct page *pool[20000];
	static const struct {
		gfp_t gfp;
		unsigned long dma32, dma;
	} steps[] = {
		{ GFP_KERNEL | __GFP_NORETRY, 193, 109 },
		{ GFP_NOWAIT, 145, 94 },
		{ GFP_KERNEL | __GFP_HIGH | __GFP_NORETRY, 97, 78 },
		{ GFP_ATOMIC, 73, 71 },
	};
	unsigned long start;
	int n = 0;

	boot_or_fail("ram=64M cpus=1");
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "1024"), 0);
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_DMA32], 47);
	exact_vm_stats();
	drain_all_pages();
	start = jiffies;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		fill(pool, &n, steps[i].gfp);
		if (free_in(ZONE_DMA32) != steps[i].dma32 || free_in(ZONE_DMA) != steps[i].dma)
			fail_msg("step %zu: DMA32 %lu DMA %lu free, expected %lu %lu", i,
				 free_in(ZONE_DMA32), free_in(ZONE_DMA), steps[i].dma32, steps[i].dma);
	}
	current->flags |= PF_MEMALLOC;
	fill(pool, &n, GFP_ATOMIC);
	current->flags &= ~PF_MEMALLOC;
	assert_int_equal(free_in(ZONE_DMA32), 0);
	assert_int_equal(free_in(ZONE_DMA), 0);
	/* Nothing waited: only __GFP_NOFAIL and retries sleep (congestion_wait moves the clock). */
	assert_int_equal(jiffies, start);
	while (n)
		__free_pages(pool[--n], 0);
	assert_mm_check();
}

/*
 * The fast path asks for the low watermark, the slow path (after waking
 * kswapd) for min.  64M, min_free_kbytes 1024: DMA32 min 193, low 241; DMA
 * min 62, low 77, reserve 47 against DMA32-class allocations.  After a
 * GFP_KERNEL fill (193 / 109 left), pages are given back to reach:
 *   DMA32 200, DMA 135: the fast path passes over DMA32 (200 <= 241) and
 *   takes from DMA (135 > 77 + 47): a DMA page.
 *   DMA32 200, DMA 115 (both below low): the fast path fails; the slow
 *   path takes from DMA32 (200 > 193).
 */
static void fast_path_wants_low_slow_path_min(void **state)
{
	static struct page *pool[20000];
	int n = 0, dma32_pages = 0, dma_pages = 0;
	struct page *p, *kept[40];

	boot_or_fail("ram=64M cpus=1");
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "1024"), 0);
	assert_int_equal(low_wmark_pages(zone_of(0, ZONE_DMA32)), 241);
	assert_int_equal(low_wmark_pages(zone_of(0, ZONE_DMA)), 77);
	exact_vm_stats();
	drain_all_pages();
	fill(pool, &n, GFP_KERNEL | __GFP_NORETRY);
	assert_int_equal(free_in(ZONE_DMA32), 193);
	assert_int_equal(free_in(ZONE_DMA), 109);
	/* Give back 7 DMA32 pages and 26 DMA pages (the last ones taken). */
	for (int i = n - 1; i >= 0 && (dma32_pages < 7 || dma_pages < 26); i--) {
		bool dma = page_zonenum(pool[i]) == ZONE_DMA;

		if (dma ? dma_pages++ >= 26 : dma32_pages++ >= 7)
			continue;
		__free_pages(pool[i], 0);
		pool[i] = NULL;
	}
	drain_all_pages();
	assert_int_equal(free_in(ZONE_DMA32), 200);
	assert_int_equal(free_in(ZONE_DMA), 135);

	p = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_zonenum(p), ZONE_DMA);
	__free_pages(p, 0);
	for (int i = 0; i < 20; i++)
		kept[i] = alloc_pages(GFP_DMA, 0);
	drain_all_pages();
	assert_int_equal(free_in(ZONE_DMA), 115);
	p = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_zonenum(p), ZONE_DMA32);
	__free_pages(p, 0);
	/* The slow path woke kswapd for the order it wanted: 0, then 1. */
	assert_int_equal(NODE_DATA(0)->kswapd_max_order, 0);
	p = alloc_pages(GFP_KERNEL, 1);
	assert_int_equal(page_zonenum(p), ZONE_DMA32);
	assert_int_equal(NODE_DATA(0)->kswapd_max_order, 1);
	__free_pages(p, 1);
	for (int i = 0; i < 20; i++)
		__free_pages(kept[i], 0);
	for (int i = 0; i < n; i++)
		if (pool[i])
			__free_pages(pool[i], 0);
	assert_mm_check();
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(watermark_ok_at_the_edges),
	cmocka_unit_test(watermark_ok_halves_and_quarters_and_stops_below_the_order),
	cmocka_unit_test_teardown(watermarks_split_min_free_kbytes_by_zone_size, teardown_machine),
	cmocka_unit_test_teardown(watermarks_on_every_machine_shape, teardown_machine),
	cmocka_unit_test_teardown(lowmem_reserve_protects_each_lower_zone, teardown_machine),
	cmocka_unit_test_teardown(totalreserve_and_inactive_ratio, teardown_machine),
	cmocka_unit_test_teardown(each_kind_of_allocation_stops_at_its_own_depth, teardown_machine),
	cmocka_unit_test_teardown(fast_path_wants_low_slow_path_min, teardown_machine),
};

KMM_TEST_MAIN(tests)
