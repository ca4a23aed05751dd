/*
 * test_migrate.c - the migrate-type rules of 2.6.34's buddy allocator,
 * each pinned down by an exact expected state: which type an allocation
 * falls back to and in which order (the fallbacks table), the largest
 * block first, the steal threshold (a block of at least pageblock_order/2
 * drags its pageblock's free pages along), the claim threshold (the
 * pageblock changes type when at least half of it moved), reclaimable
 * allocations that always steal, whole pageblocks claimed by an order-10
 * fallback, pageblocks that cross the zone's end, and MIGRATE_RESERVE: how
 * many blocks each zone reserves (setup_zone_migrate_reserve), which ones,
 * and that the reserve is the last resort and never stolen.
 *
 * Each test empties a zone with the lab (tests/zone_lab.h), frees chosen
 * pages into pageblocks of chosen types, asks __rmqueue for a block
 * (lab_alloc: the buddy lists alone) and compares every free list with the
 * state derived by hand in the comment.
 *
 * The machine: x86_64, 64M, one CPU.  ZONE_DMA32 spans pfns 0x1000-0x4000
 * (4096-16383); pageblock_order is 9 (512 pages), MAX_ORDER 11.  The tests
 * use the pageblocks from pfn 8192 (32M) on, which boot leaves free: B(k)
 * starts at 8192 + 512 k, and B(2j), B(2j+1) are the two halves of an
 * order-10 block.  Notation: {pfn, order, list} is a free block; "the
 * pieces of expand(p, 0, o, T)" are {p + 2^k, k, T} for k = 0 .. o-1,
 * what splitting the order-o block at p down to its first page leaves.
 */
#include <stdlib.h>

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

static struct zone *dma32(void)
{
	return &NODE_DATA(0)->node_zones[ZONE_DMA32];
}

static void lab_start(struct zone_lab *lab, const char *machine)
{
	boot_or_fail(machine);
	lab_take_zone(lab, dma32());
}

static void lab_end(struct zone_lab *lab)
{
	lab_release(lab);
	assert_mm_check();
}

/* An expected free-list state, built block by block. */
struct expect {
	struct lab_block b[600];
	size_t n;
};

static void want(struct expect *e, unsigned long pfn, unsigned int order, int mt)
{
	e->b[e->n++] = (struct lab_block){ pfn, order, mt };
}

/* The pieces expand() leaves when the order-@order block at @pfn yields its first page. */
static void want_expand(struct expect *e, unsigned long pfn, unsigned int order, int mt)
{
	for (unsigned int k = 0; k < order; k++)
		want(e, pfn + (1UL << k), k, mt);
}

static void assert_free(struct zone_lab *lab, struct expect *e)
{
	lab_assert_free(lab, e->b, e->n);
}

/* A whole pageblock of type @mt, freed: one order-9 block (its buddy pageblock stays held). */
static void free_pageblock(struct zone_lab *lab, unsigned long pfn, int mt)
{
	lab_require_pageblock(lab, pfn);
	lab_set_type(lab, pfn, mt);
	lab_free(lab, pfn, 512);
}

/*
 * The fallbacks table: UNMOVABLE tries RECLAIMABLE then MOVABLE,
 * RECLAIMABLE tries UNMOVABLE then MOVABLE, MOVABLE tries RECLAIMABLE then
 * UNMOVABLE.  For each type T with fallbacks (F1, F2): B(0) of type F1
 * and B(2) of type F2 are free, whole.  An order-0 request of T finds its
 * own lists empty; __rmqueue_fallback looks at order 10 (nothing), then
 * order 9, where F1 comes first: B(0).  Order 9 >= pageblock_order/2, so
 * B(0)'s free pages (512) move to T's lists, 512 >= 256 claims the
 * pageblock for T, and expand() leaves its pieces on T's lists.  A second
 * request, of order 9, finds T's lists holding orders 0-8 only: the
 * fallback at order 9 now has only F2's B(2), which is taken whole and
 * claimed.
 */
static void fallback_follows_the_fallbacks_table(void **state)
{
	static const int table[3][3] = { { U, R, M }, { R, U, M }, { M, R, U } };

	for (int t = 0; t < 3; t++) {
		int type = table[t][0], first = table[t][1], second = table[t][2];
		struct zone_lab lab;
		struct expect e = { .n = 0 };

		lab_start(&lab, "ram=64M cpus=1");
		free_pageblock(&lab, B(0), first);
		free_pageblock(&lab, B(2), second);
		if (lab_alloc(&lab, 0, type) != (long)B(0))
			fail_msg("type %d: expected its first fallback's block B(0)", type);
		assert_int_equal(lab_type(&lab, B(0)), type);
		assert_int_equal(lab_type(&lab, B(2)), second);
		want_expand(&e, B(0), 9, type);
		want(&e, B(2), 9, second);
		assert_free(&lab, &e);

		assert_int_equal(lab_alloc(&lab, 9, type), B(2));
		assert_int_equal(lab_type(&lab, B(2)), type);
		e.n = 0;
		want_expand(&e, B(0), 9, type);
		assert_free(&lab, &e);
		lab_end(&lab);
	}
}

/*
 * The largest block first, before the order of types: B(0) is
 * RECLAIMABLE with only its first 32 pages free (one order-5 block), B(2)
 * MOVABLE and whole.  An UNMOVABLE request scans orders from 10 down and
 * meets MOVABLE's order-9 block before RECLAIMABLE's order-5 one.
 */
static void fallback_takes_the_largest_block_first(void **state)
{
	struct zone_lab lab;
	struct expect e = { .n = 0 };

	lab_start(&lab, "ram=64M cpus=1");
	lab_require_pageblock(&lab, B(0));
	/* Each pageblock's bits are its own: setting B(0) leaves B(1) RESERVE. */
	lab_set_type(&lab, B(1), RES);
	lab_set_type(&lab, B(0), R);
	assert_int_equal(lab_type(&lab, B(1)), RES);
	lab_set_type(&lab, B(1), M);
	lab_free(&lab, B(0), 32);
	free_pageblock(&lab, B(2), M);
	assert_int_equal(lab_alloc(&lab, 0, U), B(2));
	assert_int_equal(lab_type(&lab, B(0)), R);
	assert_int_equal(lab_type(&lab, B(2)), U);
	want(&e, B(0), 5, R);
	want_expand(&e, B(2), 9, U);
	assert_free(&lab, &e);
	lab_end(&lab);
}

/*
 * Below the steal threshold: B(0) is MOVABLE with pages 8-15 (an order-3
 * block), 20-21 (order 1) and 100 (order 0) free; B(2), also MOVABLE, has
 * page 7 free.  An UNMOVABLE request falls back at order 3 (the largest):
 * 3 < pageblock_order/2 = 4, so nothing else moves, the block is split on
 * MOVABLE's own lists and B(0) stays MOVABLE.  Each piece goes to the head
 * of its list, so a MOVABLE order-1 request then gets B0+10, not B0+20.
 */
static void fallback_below_half_a_pageblock_order_takes_the_block_alone(void **state)
{
	struct zone_lab lab;
	struct expect e = { .n = 0 };

	lab_start(&lab, "ram=64M cpus=1");
	lab_require_pageblock(&lab, B(0));
	lab_require_pageblock(&lab, B(2));
	lab_set_type(&lab, B(0), M);
	lab_set_type(&lab, B(2), M);
	lab_free(&lab, B(0) + 8, 8);
	lab_free(&lab, B(0) + 20, 2);
	lab_free(&lab, B(0) + 100, 1);
	lab_free(&lab, B(2) + 7, 1);
	assert_int_equal(lab_alloc(&lab, 0, U), B(0) + 8);
	assert_int_equal(lab_type(&lab, B(0)), M);
	want_expand(&e, B(0) + 8, 3, M);
	want(&e, B(0) + 20, 1, M);
	want(&e, B(0) + 100, 0, M);
	want(&e, B(2) + 7, 0, M);
	assert_free(&lab, &e);
	/* expand() put its pieces at the list heads: B0+10 is ahead of B0+20. */
	assert_int_equal(lab_alloc(&lab, 1, M), B(0) + 10);
	lab_end(&lab);
}

/*
 * At the steal threshold: the same with an order-4 block (pages 16-31)
 * instead of the order-3 one, and B(0)'s last page (511) free too.  4 >=
 * pageblock_order/2, so every free block of B(0), first page to last,
 * moves to UNMOVABLE's lists (16 + 2 + 1 + 1 = 20 pages, fewer than 256:
 * B(0) stays MOVABLE) and the split pieces go there too.  B(2)'s
 * free page, in another pageblock, stays where it was.
 */
static void fallback_of_half_a_pageblock_order_moves_the_pageblocks_free_pages(void **state)
{
	struct zone_lab lab;
	struct expect e = { .n = 0 };

	lab_start(&lab, "ram=64M cpus=1");
	lab_require_pageblock(&lab, B(0));
	lab_require_pageblock(&lab, B(2));
	lab_set_type(&lab, B(0), M);
	lab_set_type(&lab, B(2), M);
	lab_free(&lab, B(0) + 16, 16);
	lab_free(&lab, B(0) + 40, 2);
	lab_free(&lab, B(0) + 100, 1);
	lab_free(&lab, B(0) + 511, 1);
	lab_free(&lab, B(2) + 7, 1);
	assert_int_equal(lab_alloc(&lab, 0, U), B(0) + 16);
	assert_int_equal(lab_type(&lab, B(0)), M);
	want_expand(&e, B(0) + 16, 4, U);
	want(&e, B(0) + 40, 1, U);
	want(&e, B(0) + 100, 0, U);
	want(&e, B(0) + 511, 0, U);
	want(&e, B(2) + 7, 0, M);
	assert_free(&lab, &e);
	lab_end(&lab);
}

/*
 * The claim threshold, half a pageblock: move_freepages_block() counts
 * the pages it moved and the pageblock changes type when that is at least
 * 1 << (pageblock_order - 1) = 256.
 *   256 free (pages 0-255 of B(0), one order-8 block): claimed.
 *   255 free (pages 0-254: blocks of orders 7, 6, 5, 4, 3, 2, 1, 0 at 0,
 *   128, 192, 224, 240, 248, 252, 254): all moved to UNMOVABLE's lists,
 *   the order-7 block split there, but B(0) stays MOVABLE.
 */
static void pageblock_is_claimed_when_half_of_it_moves(void **state)
{
	static const unsigned long at[] = { 0, 128, 192, 224, 240, 248, 252, 254 };
	struct zone_lab lab;
	struct expect e = { .n = 0 };

	lab_start(&lab, "ram=64M cpus=1");
	lab_require_pageblock(&lab, B(0));
	lab_set_type(&lab, B(0), M);
	lab_free(&lab, B(0), 256);
	assert_int_equal(lab_alloc(&lab, 0, U), B(0));
	assert_int_equal(lab_type(&lab, B(0)), U);
	want_expand(&e, B(0), 8, U);
	assert_free(&lab, &e);
	lab_end(&lab);

	lab_start(&lab, "ram=64M cpus=1");
	lab_set_type(&lab, B(0), M);
	lab_free(&lab, B(0), 255);
	assert_int_equal(lab_alloc(&lab, 0, U), B(0));
	assert_int_equal(lab_type(&lab, B(0)), M);
	e.n = 0;
	want_expand(&e, B(0), 7, U);
	for (int i = 1; i < 8; i++)
		want(&e, B(0) + at[i], 7 - i, U);
	assert_free(&lab, &e);
	lab_end(&lab);
}

/*
 * Reclaimable allocations take ownership even through small blocks: in
 * each 16-page chunk c of MOVABLE B(0), pages 16c .. 16c+14 are free
 * (blocks of order 3, 2, 1, 0 at 16c, +8, +12, +14; 480 pages, none of
 * order 4 or more).  Freed in ascending order, chunk 31's order-3 block
 * forms last and heads the order-3 list.
 *   RECLAIMABLE request: UNMOVABLE has nothing, MOVABLE's order-3 head is
 *   taken; start type RECLAIMABLE moves B(0)'s 480 free pages to its
 *   lists and claims the pageblock (480 >= 256).
 *   UNMOVABLE request, same state: 3 < 4, nothing moves, B(0) stays
 *   MOVABLE.
 */
static void reclaimable_fallback_steals_from_any_block_size(void **state)
{
	for (int type = U; type <= R; type++) {
		int list = type == R ? R : M;
		struct zone_lab lab;
		struct expect e = { .n = 0 };

		lab_start(&lab, "ram=64M cpus=1");
		lab_require_pageblock(&lab, B(0));
		lab_set_type(&lab, B(0), M);
		for (int c = 0; c < 32; c++)
			lab_free(&lab, B(0) + 16 * c, 15);
		assert_int_equal(lab_alloc(&lab, 0, type), B(0) + 496);
		assert_int_equal(lab_type(&lab, B(0)), type == R ? R : M);
		for (int c = 0; c < 32; c++) {
			if (c < 31)
				want(&e, B(0) + 16 * c, 3, list);
			want(&e, B(0) + 16 * c + 8, 2, list);
			want(&e, B(0) + 16 * c + 12, 1, list);
			want(&e, B(0) + 16 * c + 14, 0, list);
		}
		want_expand(&e, B(0) + 496, 3, list);
		assert_free(&lab, &e);
		lab_end(&lab);
	}
}

/*
 * An order-10 fallback: B(0) and B(1) are MOVABLE and free, one order-10
 * block.  The UNMOVABLE request takes it: move_freepages_block() on B(0)
 * moves the block (1024 pages counted), B(0) is claimed, and since the
 * block is larger than a pageblock change_pageblock_range() gives B(1) to
 * UNMOVABLE as well; expand() leaves B(1) as an order-9 piece.
 */
static void order10_fallback_claims_both_pageblocks(void **state)
{
	struct zone_lab lab;
	struct expect e = { .n = 0 };

	lab_start(&lab, "ram=64M cpus=1");
	lab_require_pageblock(&lab, B(0));
	lab_require_pageblock(&lab, B(1));
	lab_set_type(&lab, B(0), M);
	lab_set_type(&lab, B(1), M);
	lab_free(&lab, B(0), 1024);
	LAB_ASSERT_FREE(&lab, { B(0), 10, M });
	assert_int_equal(lab_alloc(&lab, 0, U), B(0));
	assert_int_equal(lab_type(&lab, B(0)), U);
	assert_int_equal(lab_type(&lab, B(1)), U);
	want_expand(&e, B(0), 10, U);
	assert_free(&lab, &e);
	lab_end(&lab);
}

/*
 * A pageblock that crosses the zone's end is never claimed: on 63M,
 * DMA32 ends at pfn 16128 (0x3f00), inside the pageblock 15872-16383.
 * Its 256 pages in the zone are free (one order-8 block), MOVABLE.
 * move_freepages_block() refuses a pageblock whose end lies beyond the
 * zone and reports 0 pages moved, so there is no claim; the block is still
 * split on UNMOVABLE's lists.
 */
static void pageblock_crossing_the_zone_end_is_not_claimed(void **state)
{
	struct zone_lab lab;
	struct expect e = { .n = 0 };

	lab_start(&lab, "ram=63M cpus=1");
	assert_int_equal(lab.end, 16128);
	for (unsigned long p = 15872; p < 16128; p++)
		assert_int_equal(lab.owned[p - lab.start], 1);
	lab_set_type(&lab, 15872, M);
	lab_free(&lab, 15872, 256);
	LAB_ASSERT_FREE(&lab, { 15872, 8, M });
	assert_int_equal(lab_alloc(&lab, 0, U), 15872);
	assert_int_equal(lab_type(&lab, 15872), M);
	want_expand(&e, 15872, 8, U);
	assert_free(&lab, &e);
	lab_end(&lab);

	/*
	 * One page short: 65532K ends DMA32 at pfn 16383, so the last
	 * pageblock's last pfn, 16383, is the first beyond the zone.  Its 511
	 * pages (blocks of order 8 down to 0 at 15872, 16128, .., 16382) are
	 * free; the fallback takes the order-8 block, moves nothing else and
	 * claims nothing.
	 */
	lab_start(&lab, "ram=65532K cpus=1");
	assert_int_equal(lab.end, 16383);
	lab_set_type(&lab, 15872, M);
	lab_free(&lab, 15872, 511);
	assert_int_equal(lab_alloc(&lab, 0, U), 15872);
	assert_int_equal(lab_type(&lab, 15872), M);
	e.n = 0;
	want_expand(&e, 15872, 8, U);
	for (unsigned int o = 0; o < 8; o++)
		want(&e, 16384 - (2UL << o), o, M);
	assert_free(&lab, &e);
	lab_end(&lab);
}

/*
 * MIGRATE_RESERVE is the last resort, and never stolen.
 *   B(0) RESERVE and B(2) MOVABLE, both free and whole: an UNMOVABLE
 *   request skips RESERVE in the fallback and takes B(2); B(0) stays.
 *   An order-9 UNMOVABLE request then finds no list of its own with an
 *   order-9 block and no fallback (RESERVE is skipped there): __rmqueue
 *   retries with MIGRATE_RESERVE, smallest first, and gets B(0), which
 *   stays RESERVE.
 *   Freed, B(0) goes back to RESERVE's list, and an order-0 request (the
 *   UNMOVABLE lists hold B(2)'s pieces) does not touch it.
 *   With only the reserve free, an order-0 request splits B(0) on
 *   RESERVE's lists.
 */
static void reserve_is_the_last_resort_and_never_stolen(void **state)
{
	struct zone_lab lab;
	struct expect e = { .n = 0 };

	lab_start(&lab, "ram=64M cpus=1");
	free_pageblock(&lab, B(0), RES);
	free_pageblock(&lab, B(2), M);
	assert_int_equal(lab_alloc(&lab, 0, U), B(2));
	assert_int_equal(lab_type(&lab, B(0)), RES);
	want(&e, B(0), 9, RES);
	want_expand(&e, B(2), 9, U);
	assert_free(&lab, &e);

	assert_int_equal(lab_alloc(&lab, 9, U), B(0));
	assert_int_equal(lab_type(&lab, B(0)), RES);
	e.n = 0;
	want_expand(&e, B(2), 9, U);
	assert_free(&lab, &e);
	lab_end(&lab);

	lab_start(&lab, "ram=64M cpus=1");
	free_pageblock(&lab, B(0), RES);
	assert_int_equal(lab_alloc(&lab, 0, U), B(0));
	assert_int_equal(lab_type(&lab, B(0)), RES);
	e.n = 0;
	want_expand(&e, B(0), 9, RES);
	assert_free(&lab, &e);
	/* Given back, the page merges into the reserve's order-9 block again. */
	lab_free(&lab, B(0), 1);
	LAB_ASSERT_FREE(&lab, { B(0), 9, RES });
	lab_end(&lab);
}

/* ---- setup_zone_migrate_reserve ---- */

/* The pageblocks of @zone whose type is @mt, by first pfn; returns how many. */
static int blocks_of_type(struct zone *zone, int mt, unsigned long *pfns, int max)
{
	unsigned long start = zone->zone_start_pfn & ~(pageblock_nr_pages - 1);
	int n = 0;

	for (unsigned long pfn = start; pfn < zone->zone_start_pfn + zone->spanned_pages;
	     pfn += pageblock_nr_pages) {
		unsigned long p = pfn < zone->zone_start_pfn ? zone->zone_start_pfn : pfn;

		if (get_pageblock_migratetype(pfn_to_page(p)) == mt && n < max)
			pfns[n++] = pfn;
	}
	return n;
}

/*
 * At boot (64M, min_free_kbytes 1013, pages_min 253, lowmem 16063 pages):
 * reserve = min(2, roundup(min, 512) / 512) blocks per zone.
 *   DMA:   min = 253 * 3943 / 16063 = 62    -> 1 block
 *   DMA32: min = 253 * 12120 / 16063 = 190  -> 1 block
 * setup_zone_migrate_reserve() walks the zone from zone_start_pfn in
 * steps of 512 and turns the first MOVABLE pageblocks whose walked page
 * is not PageReserved into RESERVE:
 *   DMA starts at pfn 1: pfn 1 lies in pageblock 0, which memmap_init
 *   never made MOVABLE (its first pfn is outside the zone), so it is
 *   UNMOVABLE; pfns 513, 1025, 1537, 2049 are the kernel image
 *   (1M-9M, pfns 256-2303, reserved); pfn 2561 is free: pageblock 2560.
 *   DMA32: pfn 4096 is NODE_DATA (16M), 4608 the memory map (18M-20M),
 *   both reserved; 5120 is free: pageblock 5120.
 */
static void reserve_blocks_at_boot(void **state)
{
	unsigned long pfns[8];

	boot_or_fail("ram=64M cpus=1");
	assert_int_equal(blocks_of_type(&NODE_DATA(0)->node_zones[ZONE_DMA], RES, pfns, 8), 1);
	assert_int_equal(pfns[0], 2560);
	assert_int_equal(blocks_of_type(dma32(), RES, pfns, 8), 1);
	assert_int_equal(pfns[0], 5120);
	assert_mm_check();
}

/*
 * The reserve follows min_free_kbytes, at most 2 blocks, only MOVABLE
 * ones, and blocks beyond the count go back to MOVABLE.  With the lab
 * holding DMA32 (no free page to move), pageblocks 5120 and 6144 are
 * MOVABLE and 5632 UNMOVABLE.
 *   min_free_kbytes 8192: pages_min 2048, DMA32 min 2048 * 12120 / 16063
 *   = 1545 -> roundup 2048 -> 4 blocks -> at most 2: 5120, then 5632 is
 *   passed over (UNMOVABLE), 6144.  DMA: 2048 * 3943 / 16063 = 502 -> 1.
 *   min_free_kbytes 1024: DMA32 min 193 -> 1 block: 5120 is counted, and
 *   6144, a reserve beyond the count, returns to MOVABLE.
 *   min_free_kbytes 0: roundup(0, 512) = 0 blocks: 5120 returns too; DMA
 *   has none either.
 */
static void reserve_blocks_follow_min_free_kbytes(void **state)
{
	struct zone *dma;
	struct zone_lab lab;
	unsigned long pfns[8];

	lab_start(&lab, "ram=64M cpus=1");
	dma = &NODE_DATA(0)->node_zones[ZONE_DMA];
	lab_set_type(&lab, 5120, M);
	lab_set_type(&lab, 5632, U);
	lab_set_type(&lab, 6144, M);

	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "8192"), 0);
	assert_int_equal(min_wmark_pages(dma32()), 1545);
	assert_int_equal(blocks_of_type(dma32(), RES, pfns, 8), 2);
	assert_int_equal(pfns[0], 5120);
	assert_int_equal(pfns[1], 6144);
	assert_int_equal(lab_type(&lab, 5632), U);
	assert_int_equal(blocks_of_type(dma, RES, pfns, 8), 1);
	assert_int_equal(pfns[0], 2560);

	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "1024"), 0);
	assert_int_equal(blocks_of_type(dma32(), RES, pfns, 8), 1);
	assert_int_equal(pfns[0], 5120);
	assert_int_equal(lab_type(&lab, 6144), M);

	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "0"), 0);
	assert_int_equal(blocks_of_type(dma32(), RES, pfns, 8), 0);
	assert_int_equal(lab_type(&lab, 5120), M);
	assert_int_equal(blocks_of_type(dma, RES, pfns, 8), 0);
	lab_end(&lab);
}

/*
 * A reserve block given back takes its free pages with it: after boot
 * DMA32's reserve, pageblock 5120, heads a free order-10 block (5120-6143)
 * on RESERVE's order-10 list.  min_free_kbytes 0 turns 5120 MOVABLE and
 * move_freepages_block() moves that block to MOVABLE's list: no page is
 * left on any RESERVE list of the zone.
 */
static void reserve_given_back_moves_its_free_pages(void **state)
{
	struct zone *z;

	boot_or_fail("ram=64M cpus=1");
	z = dma32();
	assert_int_equal(list_count(&z->free_area[10].free_list[RES]), 1);
	assert_int_equal(page_to_pfn(list_first_entry(&z->free_area[10].free_list[RES],
						      struct page, lru)), 5120);
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "0"), 0);
	for (int o = 0; o < MAX_ORDER; o++)
		assert_true(list_empty(&z->free_area[o].free_list[RES]));
	assert_int_equal(get_pageblock_migratetype(pfn_to_page(5120)), M);
	assert_mm_check();
}

/*
 * With grouping by mobility off (mobility_grouping=off; 2.6.34 also turns
 * it off on tiny machines), pageblocks keep the MOVABLE type memmap_init
 * gave them before the zonelists were built, but every later change of
 * type sets UNMOVABLE: the blocks setup_zone_migrate_reserve picks (DMA
 * 2560, DMA32 5120, as with grouping on) become UNMOVABLE, and no RESERVE
 * block exists.  Every allocation is UNMOVABLE, and a fallback takes the
 * whole pageblock whatever the size of the block it took: in an emptied
 * DMA32, B(0) (MOVABLE since boot) with one free page; an order-0 request
 * of any type takes that page and claims B(0).
 */
static void mobility_grouping_off_claims_on_any_fallback(void **state)
{
	struct zone_lab lab;
	unsigned long pfns[64];

	lab_start(&lab, "ram=64M cpus=1 mobility_grouping=off");
	assert_true(dmesg_has("mobility grouping off"));
	assert_int_equal(blocks_of_type(dma32(), RES, pfns, 64), 0);
	assert_int_equal(blocks_of_type(&NODE_DATA(0)->node_zones[ZONE_DMA], RES, pfns, 64), 0);
	assert_int_equal(lab_type(&lab, 5120), U);
	assert_int_equal(get_pageblock_migratetype(pfn_to_page(2561)), U);
	assert_int_equal(allocflags_to_migratetype(GFP_HIGHUSER_MOVABLE), U);
	lab_require_pageblock(&lab, B(0));
	assert_int_equal(lab_type(&lab, B(0)), M);
	lab_free(&lab, B(0) + 7, 1);
	assert_int_equal(lab_alloc(&lab, 0, U), B(0) + 7);
	assert_int_equal(lab_type(&lab, B(0)), U);
	lab_end(&lab);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(fallback_follows_the_fallbacks_table, teardown_machine),
	cmocka_unit_test_teardown(fallback_takes_the_largest_block_first, teardown_machine),
	cmocka_unit_test_teardown(fallback_below_half_a_pageblock_order_takes_the_block_alone,
				  teardown_machine),
	cmocka_unit_test_teardown(fallback_of_half_a_pageblock_order_moves_the_pageblocks_free_pages,
				  teardown_machine),
	cmocka_unit_test_teardown(pageblock_is_claimed_when_half_of_it_moves, teardown_machine),
	cmocka_unit_test_teardown(reclaimable_fallback_steals_from_any_block_size, teardown_machine),
	cmocka_unit_test_teardown(order10_fallback_claims_both_pageblocks, teardown_machine),
	cmocka_unit_test_teardown(pageblock_crossing_the_zone_end_is_not_claimed, teardown_machine),
	cmocka_unit_test_teardown(reserve_is_the_last_resort_and_never_stolen, teardown_machine),
	cmocka_unit_test_teardown(reserve_blocks_at_boot, teardown_machine),
	cmocka_unit_test_teardown(reserve_blocks_follow_min_free_kbytes, teardown_machine),
	cmocka_unit_test_teardown(reserve_given_back_moves_its_free_pages, teardown_machine),
	cmocka_unit_test_teardown(mobility_grouping_off_claims_on_any_fallback, teardown_machine),
};

KMM_TEST_MAIN(tests)
