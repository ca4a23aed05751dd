/*
 * test_pcp.c - the per-CPU page lists of 2.6.34, rule by rule: their size
 * (zone_batchsize, high = 6 * batch, percpu_pagelist_fraction), where a
 * freed page goes (hot at the head, cold at the tail, RESERVE pages on the
 * MOVABLE list), where an allocation takes from (head, or tail for
 * __GFP_COLD), the order a refill chains its batch in, and which pages a
 * bulk free gives back (round robin over the lists, coldest first, more
 * from a list the more empty lists were passed to reach it).
 *
 * The list tests run on a zone emptied by the lab (tests/zone_lab.h):
 * x86_64, 64M, DMA32 (pfns 4096-16383), pageblocks B(k) = 8192 + 512 k as
 * in test_migrate.c.  min_free_kbytes is 0 there, so the watermark check
 * passes while the zone has a free page: one spare page stays free in a
 * RESERVE pageblock, which no refill reaches while its own type has pages.
 */
#include <stdlib.h>

#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/procfs.h>
#include "mm/internal.h"
#include "tests/harness.h"
#include "tests/zone_lab.h"

#define U	MIGRATE_UNMOVABLE
#define R	MIGRATE_RECLAIMABLE
#define M	MIGRATE_MOVABLE
#define RES	MIGRATE_RESERVE
#define B(k)	(8192UL + 512UL * (k))
#define SPARE	B(6)

static struct zone *zone_of(int nid, enum zone_type z)
{
	return &NODE_DATA(nid)->node_zones[z];
}

static struct per_cpu_pages *pcp_of(struct zone *zone, int cpu)
{
	return &zone->pageset[cpu].pcp;
}

static void assert_pcp(struct zone *zone, int cpu, int high, int batch)
{
	struct per_cpu_pages *pcp = pcp_of(zone, cpu);

	if (pcp->high != high || pcp->batch != batch)
		fail_msg("%s cpu %d: high %d batch %d, expected %d %d", zone->name, cpu, pcp->high,
			 pcp->batch, high, batch);
}

/*
 * zone_batchsize(): batch = present / 1024, at most 512K of pages (128),
 * divided by 4, at least 1, then rounddown_pow_of_two(batch + batch / 2)
 * - 1; setup_pageset(): high = 6 * batch, and batch at least 1.
 *   DMA (present 3943): 3, /4 = 0 -> 1; rounddown(1) - 1 = 0: high 0, batch 1
 *   64M DMA32 (12120): 11, /4 = 2; rounddown(3) - 1 = 1: high 6, batch 1
 *   128M DMA32 (28280): 27, /4 = 6; rounddown(9) - 1 = 7: high 42, batch 7
 *   256M DMA32 (60600): 59, /4 = 14; rounddown(21) - 1 = 15: high 90, batch 15
 *   1G DMA32 (254520): 248 pages are over 512K: 128, /4 = 32;
 *   rounddown(48) - 1 = 31: high 186, batch 31
 *   200M DMA32: spans 51200 - 4096 = 47104 pages, less a memory map of
 *   ceil(47104 * 56 / 4096) = 644: 46460 present; 45, /4 = 11;
 *   11 + 5 = 16: rounddown(16) - 1 = 15: high 90, batch 15
 *   66224K DMA32: spans 16556 - 4096 = 12460 pages, less a memory map of
 *   ceil(12460 * 56 / 4096) = 171: 12289 present, just over 12 * 1024:
 *   12, /4 = 3; rounddown(4) - 1 = 3: high 18, batch 3
 * Every CPU gets the same; the boot log prints the batch ("LIFO batch").
 */
static void batch_and_high_follow_the_zone_size(void **state)
{
	static const struct {
		const char *machine;
		unsigned long dma32_present;
		int high, batch;
	} cases[] = {
		{ "ram=64M cpus=2", 12120, 6, 1 },
		{ "ram=128M cpus=2", 28280, 42, 7 },
		{ "ram=256M cpus=2", 60600, 90, 15 },
		{ "ram=1G cpus=2", 254520, 186, 31 },
		{ "ram=66224K cpus=2", 12289, 18, 3 },
		{ "ram=200M cpus=2", 46460, 90, 15 },
	};
	char line[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		boot_or_fail(cases[i].machine);
		assert_int_equal(zone_of(0, ZONE_DMA)->present_pages, 3943);
		assert_int_equal(zone_of(0, ZONE_DMA32)->present_pages, cases[i].dma32_present);
		for (int cpu = 0; cpu < 2; cpu++) {
			assert_pcp(zone_of(0, ZONE_DMA), cpu, 0, 1);
			assert_pcp(zone_of(0, ZONE_DMA32), cpu, cases[i].high, cases[i].batch);
		}
		snprintf(line, sizeof(line), "DMA32 zone: %lu pages, LIFO batch:%d\n",
			 cases[i].dma32_present, cases[i].batch);
		assert_true(dmesg_has(line));
		assert_true(dmesg_has("DMA zone: 3943 pages, LIFO batch:0\n"));
	}
	assert_mm_check();
}

/*
 * /proc/sys/vm/percpu_pagelist_fraction F (at least 8): high = present /
 * F, batch = max(1, high / 4) but at most PAGE_SHIFT * 8 = 96, on every
 * CPU.  On 64M (DMA 3943, DMA32 12120 pages):
 *   F = 8:    DMA32 high 1515, batch 378 -> 96;  DMA 492, 123 -> 96
 *   F = 100:  DMA32 121, 30;                     DMA 39, 9
 *   F = 5000: DMA32 2, max(1, 0) = 1;            DMA 0, 1
 * 7 is refused and changes nothing.
 */
static void percpu_pagelist_fraction_sets_high_and_batch(void **state)
{
	static const struct {
		const char *fraction;
		int dma32_high, dma32_batch, dma_high, dma_batch;
	} cases[] = {
		{ "8", 1515, 96, 492, 96 },
		{ "100", 121, 30, 39, 9 },
		{ "5000", 2, 1, 0, 1 },
	};

	boot_or_fail("ram=64M cpus=2");
	assert_string_equal(proc_text("/proc/sys/vm/percpu_pagelist_fraction"), "0\n");
	assert_int_not_equal(proc_write("/proc/sys/vm/percpu_pagelist_fraction", "7"), 0);
	assert_string_equal(proc_text("/proc/sys/vm/percpu_pagelist_fraction"), "0\n");
	assert_pcp(zone_of(0, ZONE_DMA32), 1, 6, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(proc_write("/proc/sys/vm/percpu_pagelist_fraction", cases[i].fraction), 0);
		for (int cpu = 0; cpu < 2; cpu++) {
			assert_pcp(zone_of(0, ZONE_DMA32), cpu, cases[i].dma32_high, cases[i].dma32_batch);
			assert_pcp(zone_of(0, ZONE_DMA), cpu, cases[i].dma_high, cases[i].dma_batch);
		}
	}
	assert_mm_check();
}

/* ---- the lists, in an emptied DMA32 ---- */

static void lab_start(struct zone_lab *lab, const char *fraction)
{
	boot_or_fail("ram=64M cpus=1");
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "0"), 0);
	if (fraction)
		assert_int_equal(proc_write("/proc/sys/vm/percpu_pagelist_fraction", fraction), 0);
	lab_take_zone(lab, zone_of(0, ZONE_DMA32));
	lab_require_pageblock(lab, SPARE);
	lab_set_type(lab, SPARE, RES);
	lab_free(lab, SPARE, 1);
}

static void lab_end(struct zone_lab *lab)
{
	lab_release(lab);
	assert_mm_check();
}

/* Fail unless @cpu's list @mt of @zone holds exactly @pfns, head first. */
static void assert_pcp_list(struct zone *zone, int mt, const unsigned long *pfns, int n)
{
	unsigned long got[64];
	int k = lab_pcp_pfns(zone, 0, mt, got, 64);

	for (int i = 0; i < n || i < k; i++)
		if (i >= n || i >= k || got[i] != pfns[i])
			fail_msg("pcp list %d, position %d: pfn %#lx, expected %#lx (%d pages, expected %d)",
				 mt, i, i < k ? got[i] : 0UL, i < n ? pfns[i] : 0UL, k, n);
}
#define ASSERT_PCP_LIST(zone, mt, ...)						\
	do {									\
		const unsigned long __p[] = { __VA_ARGS__ };			\
		assert_pcp_list(zone, mt, __p, sizeof(__p) / sizeof(__p[0]));	\
	} while (0)

struct expect {
	struct lab_block b[64];
	size_t n;
};

static void want(struct expect *e, unsigned long pfn, unsigned int order, int mt)
{
	e->b[e->n++] = (struct lab_block){ pfn, order, mt };
}

/* An order-0 allocation from the emptied zone; the page becomes the lab's. */
static unsigned long alloc_one(struct zone_lab *lab, gfp_t gfp)
{
	struct page *page = alloc_pages(gfp | __GFP_NOWARN, 0);

	assert_non_null(page);
	assert_ptr_equal(page_zone(page), lab->zone);
	lab_own(lab, page, 0);
	return page_to_pfn(page);
}

/*
 * Hot pages go to the head of the list, cold ones to its tail; an
 * allocation takes the head, a __GFP_COLD one the tail.  Pages a, b, c
 * (B(0) + 1, 3, 5, MOVABLE) are freed hot, cold, hot: the MOVABLE list is
 * c, a, b.  Then hot gets c, cold gets b, hot gets a.  A page on a list
 * remembers its type in ->private; an allocated page has private 0.
 */
static void hot_pages_at_the_head_cold_at_the_tail(void **state)
{
	struct zone_lab lab;
	unsigned long a = B(0) + 1, b = B(0) + 3, c = B(0) + 5;
	struct zone *z;

	lab_start(&lab, NULL);
	z = lab.zone;
	lab_set_type(&lab, B(0), M);
	lab_free_hot(&lab, a);
	lab.owned[b - lab.start] = 0;
	assert_true(put_page_testzero(pfn_to_page(b)));	/* as __free_pages does, then cold */
	free_hot_cold_page(pfn_to_page(b), 1);
	lab_free_hot(&lab, c);
	ASSERT_PCP_LIST(z, M, c, a, b);
	assert_int_equal(pcp_of(z, 0)->count, 3);
	assert_int_equal(page_private(pfn_to_page(b)), M);
	assert_int_equal(alloc_one(&lab, GFP_HIGHUSER_MOVABLE), c);
	assert_int_equal(alloc_one(&lab, GFP_HIGHUSER_MOVABLE | __GFP_COLD), b);
	assert_int_equal(alloc_one(&lab, GFP_HIGHUSER_MOVABLE), a);
	assert_int_equal(pcp_of(z, 0)->count, 0);
	/* The list's mark is gone once a page is handed out. */
	assert_int_equal(page_private(pfn_to_page(b)), 0);
	LAB_ASSERT_FREE(&lab, { SPARE, 0, RES });
	lab_end(&lab);
}

/*
 * A refill chains its batch in the order __rmqueue hands the pages out:
 * from a split block, ascending.  Fraction 400 on 64M: DMA32 high 30,
 * batch 7.  B(0) is free and MOVABLE (order 9); an empty MOVABLE list is
 * refilled with B0 .. B0+6 (the split of B0 leaves B0+1 on order 0, B0+2
 * on order 1, and so on; each next page is the smallest block).
 *   Hot refill: list_add after the previous page: B0, B0+1, .., B0+6.
 *   Cold refill: list_add_tail before it: B0+6, .., B0+1, B0.
 * Either way the first page handed out is B0 (the head, or for cold the
 * tail); after a cold refill a hot allocation gets B0+6, a cold one B0+1.
 * Each page is marked with the type it was asked for.
 */
static void refill_chains_the_batch_in_physical_order(void **state)
{
	for (int cold = 0; cold < 2; cold++) {
		gfp_t gfp = GFP_HIGHUSER_MOVABLE | (cold ? __GFP_COLD : 0);
		struct zone_lab lab;
		unsigned long b0 = B(0);
		struct zone *z;

		lab_start(&lab, "400");
		z = lab.zone;
		assert_pcp(z, 0, 30, 7);
		lab_set_type(&lab, B(0), M);
		lab_free(&lab, B(0), 512);
		assert_int_equal(alloc_one(&lab, gfp), b0);
		assert_int_equal(pcp_of(z, 0)->count, 6);
		if (cold) {
			ASSERT_PCP_LIST(z, M, b0 + 6, b0 + 5, b0 + 4, b0 + 3, b0 + 2, b0 + 1);
			assert_int_equal(alloc_one(&lab, GFP_HIGHUSER_MOVABLE), b0 + 6);
			assert_int_equal(alloc_one(&lab, gfp), b0 + 1);
		} else {
			ASSERT_PCP_LIST(z, M, b0 + 1, b0 + 2, b0 + 3, b0 + 4, b0 + 5, b0 + 6);
			assert_int_equal(alloc_one(&lab, gfp), b0 + 1);
		}
		for (int i = 1; i < 7; i++)
			if (lab_pcp_list_of(z, 0, pfn_to_page(b0 + i)) == M)
				assert_int_equal(page_private(pfn_to_page(b0 + i)), M);
		lab_end(&lab);
	}
}

/*
 * The refill of an UNMOVABLE list when only MOVABLE pages are free: the
 * first page comes by the fallback (B(0), 512 pages, is claimed for
 * UNMOVABLE), the other six from UNMOVABLE's own lists; all seven are
 * marked UNMOVABLE and wait on the UNMOVABLE list, the MOVABLE list stays
 * empty.  Drained, they go back to UNMOVABLE's free lists and merge into
 * B(0) whole again.
 */
static void refill_marks_pages_with_the_requested_type(void **state)
{
	struct zone_lab lab;
	unsigned long b0 = B(0);
	struct zone *z;

	lab_start(&lab, "400");
	z = lab.zone;
	lab_set_type(&lab, B(0), M);
	lab_free(&lab, B(0), 512);
	assert_int_equal(alloc_one(&lab, GFP_KERNEL), b0);
	assert_int_equal(lab_type(&lab, B(0)), U);
	ASSERT_PCP_LIST(z, U, b0 + 1, b0 + 2, b0 + 3, b0 + 4, b0 + 5, b0 + 6);
	assert_true(list_empty(&pcp_of(z, 0)->lists[M]));
	for (int i = 1; i < 7; i++)
		assert_int_equal(page_private(pfn_to_page(b0 + i)), U);
	lab_free_hot(&lab, b0);
	drain_all_pages();
	LAB_ASSERT_FREE(&lab, { B(0), 9, U }, { SPARE, 0, RES });
	lab_end(&lab);
}

/*
 * A page of a RESERVE pageblock freed hot waits on the MOVABLE list (only
 * the three mobility types have lists), its private field remembering
 * RESERVE, and goes back to RESERVE's free list when drained.
 */
static void reserve_pages_wait_on_the_movable_list(void **state)
{
	struct zone_lab lab;
	struct zone *z;

	lab_start(&lab, NULL);
	z = lab.zone;
	lab_free_hot(&lab, SPARE + 3);
	ASSERT_PCP_LIST(z, M, SPARE + 3);
	assert_int_equal(page_private(pfn_to_page(SPARE + 3)), RES);
	drain_all_pages();
	assert_int_equal(pcp_of(z, 0)->count, 0);
	LAB_ASSERT_FREE(&lab, { SPARE, 0, RES }, { SPARE + 3, 0, RES });
	lab_end(&lab);
}

/*
 * The bulk free when a list reaches high.  free_pcppages_bulk(batch)
 * starts its round robin after list 0: RECLAIMABLE, MOVABLE, UNMOVABLE,
 * RECLAIMABLE, ...; each list visited adds one to batch_free, and a
 * non-empty list gives up to batch_free pages from its tail (the coldest,
 * the first freed), which brings batch_free back to 0.
 *   Fraction 195 on 64M: DMA32 high 12120 / 195 = 62, batch 15.
 *   u1..u20 (UNMOVABLE B(0) + 0, 2, ..) then m1..m42 (MOVABLE B(2) + 0,
 *   2, ..) freed hot; the 62nd free reaches high.  RECLAIMABLE is empty
 *   each time round (batch_free 2 when MOVABLE comes): m1, m2; u1; m3, m4;
 *   u2; ... five rounds: m1..m10 and u1..u5.
 *   Fraction 400: high 30, batch 7.  r1..r3 (RECLAIMABLE B(4) + 0, 2, 4),
 *   u1..u9, m1..m18: r1, m1, u1, r2, m2, u2, r3.
 * The rest stay; those given back are single free blocks (no two are
 * buddies).
 */
static void bulk_free_goes_round_robin_coldest_first(void **state)
{
	static const struct {
		const char *fraction;
		int high, batch, nr, nu, nm, gone_u, gone_m;
	} cases[] = {
		{ "195", 62, 15, 0, 20, 42, 5, 10 },
		{ "400", 30, 7, 3, 9, 18, 2, 2 },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		int nr = cases[k].nr, nu = cases[k].nu, nm = cases[k].nm;
		int gone_u = cases[k].gone_u, gone_m = cases[k].gone_m;
		struct expect e = { .n = 0 };
		unsigned long pfns[64];
		struct zone_lab lab;
		struct zone *z;

		lab_start(&lab, cases[k].fraction);
		z = lab.zone;
		assert_pcp(z, 0, cases[k].high, cases[k].batch);
		lab_set_type(&lab, B(0), U);
		lab_set_type(&lab, B(2), M);
		lab_set_type(&lab, B(4), R);
		for (int i = 0; i < nr; i++)
			lab_free_hot(&lab, B(4) + 2 * i);
		for (int i = 0; i < nu; i++)
			lab_free_hot(&lab, B(0) + 2 * i);
		for (int i = 0; i < nm; i++)
			lab_free_hot(&lab, B(2) + 2 * i);
		assert_int_equal(pcp_of(z, 0)->count, nr + nu + nm - cases[k].batch);

		/* What stays: the lists, newest first, minus their coldest pages. */
		assert_int_equal(lab_pcp_pfns(z, 0, R, pfns, 64), 0);
		assert_int_equal(lab_pcp_pfns(z, 0, U, pfns, 64), nu - gone_u);
		for (int i = 0; i < nu - gone_u; i++)
			assert_int_equal(pfns[i], B(0) + 2 * (nu - 1 - i));
		assert_int_equal(lab_pcp_pfns(z, 0, M, pfns, 64), nm - gone_m);
		for (int i = 0; i < nm - gone_m; i++)
			assert_int_equal(pfns[i], B(2) + 2 * (nm - 1 - i));
		want(&e, SPARE, 0, RES);
		for (int i = 0; i < nr; i++)
			want(&e, B(4) + 2 * i, 0, R);
		for (int i = 0; i < gone_u; i++)
			want(&e, B(0) + 2 * i, 0, U);
		for (int i = 0; i < gone_m; i++)
			want(&e, B(2) + 2 * i, 0, M);
		lab_assert_free(&lab, e.b, e.n);
		lab_end(&lab);
	}
}

/*
 * The list keeps at most high - 1 pages between frees: with high 6 and
 * batch 1 (64M DMA32), five hot frees stay, the sixth sends the coldest
 * (the first freed) back; a drain empties the list.
 */
static void list_reaching_high_gives_back_its_coldest_batch(void **state)
{
	struct zone_lab lab;
	struct zone *z;

	lab_start(&lab, NULL);
	z = lab.zone;
	assert_pcp(z, 0, 6, 1);
	lab_set_type(&lab, B(0), M);
	for (int i = 0; i < 5; i++)
		lab_free_hot(&lab, B(0) + 2 * i);
	assert_int_equal(pcp_of(z, 0)->count, 5);
	LAB_ASSERT_FREE(&lab, { SPARE, 0, RES });
	lab_free_hot(&lab, B(0) + 10);
	assert_int_equal(pcp_of(z, 0)->count, 5);
	ASSERT_PCP_LIST(z, M, B(0) + 10, B(0) + 8, B(0) + 6, B(0) + 4, B(0) + 2);
	LAB_ASSERT_FREE(&lab, { SPARE, 0, RES }, { B(0), 0, M });
	drain_all_pages();
	assert_int_equal(pcp_of(z, 0)->count, 0);
	lab_end(&lab);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(batch_and_high_follow_the_zone_size, teardown_machine),
	cmocka_unit_test_teardown(percpu_pagelist_fraction_sets_high_and_batch, teardown_machine),
	cmocka_unit_test_teardown(hot_pages_at_the_head_cold_at_the_tail, teardown_machine),
	cmocka_unit_test_teardown(refill_chains_the_batch_in_physical_order, teardown_machine),
	cmocka_unit_test_teardown(refill_marks_pages_with_the_requested_type, teardown_machine),
	cmocka_unit_test_teardown(reserve_pages_wait_on_the_movable_list, teardown_machine),
	cmocka_unit_test_teardown(bulk_free_goes_round_robin_coldest_first, teardown_machine),
	cmocka_unit_test_teardown(list_reaching_high_gives_back_its_coldest_batch, teardown_machine),
};

KMM_TEST_MAIN(tests)
