/*
 * test_buddy.c - the buddy allocator against its rules (seed 003, 2.5):
 * splitting and merging list by list against a reference model, the XOR
 * buddy rule, the seed's worked example, a randomized multi-CPU run against
 * a map of allocated ranges, bad frees, the per-CPU lists,
 * alloc_pages_exact, and compound pages.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/string.h>
#include <kmm/mm.h>
#include <kmm/random.h>
#include <kmm/sched.h>
#include <kmm/smp.h>
#include <kmm/vmstat.h>
#include <kmm/procfs.h>
#include "mm/internal.h"
#include "tests/harness.h"
#include "tests/zone_lab.h"

#define MOVABLE (GFP_HIGHUSER_MOVABLE | __GFP_NOWARN)

static struct zone *zone_of(int nid, enum zone_type z)
{
	return &NODE_DATA(nid)->node_zones[z];
}

/* ---- a reference buddy model: per order and type, a LIFO list of pfns ---- */

struct model {
	unsigned long *list[MAX_ORDER][MIGRATE_TYPES];
	int len[MAX_ORDER][MIGRATE_TYPES];
	int cap;
};

static void model_init_from_zone(struct model *m, struct zone *zone)
{
	m->cap = 1 << 16;
	for (int o = 0; o < MAX_ORDER; o++)
		for (int t = 0; t < MIGRATE_TYPES; t++) {
			struct page *page;
			int n = 0;

			m->list[o][t] = calloc(m->cap, sizeof(unsigned long));
			/* The kernel's list head is the model's top (end of the array). */
			list_for_each_entry_reverse(page, &zone->free_area[o].free_list[t], lru)
				m->list[o][t][n++] = page_to_pfn(page);
			m->len[o][t] = n;
		}
}

static void model_free_all(struct model *m)
{
	for (int o = 0; o < MAX_ORDER; o++)
		for (int t = 0; t < MIGRATE_TYPES; t++)
			free(m->list[o][t]);
}

static void model_push(struct model *m, int o, int t, unsigned long pfn)
{
	m->list[o][t][m->len[o][t]++] = pfn;
}

/* Take from the head; the lowest 2^order pages are returned, halves go back (expand). */
static long model_alloc(struct model *m, int order, int t)
{
	for (int o = order; o < MAX_ORDER; o++) {
		unsigned long pfn;

		if (!m->len[o][t])
			continue;
		pfn = m->list[o][t][--m->len[o][t]];
		while (o > order) {
			o--;
			model_push(m, o, t, pfn + (1UL << o));
		}
		return pfn;
	}
	return -1;
}

static bool model_remove(struct model *m, int o, unsigned long pfn)
{
	for (int t = 0; t < MIGRATE_TYPES; t++)
		for (int i = 0; i < m->len[o][t]; i++)
			if (m->list[o][t][i] == pfn) {
				memmove(&m->list[o][t][i], &m->list[o][t][i + 1],
					(m->len[o][t] - i - 1) * sizeof(unsigned long));
				m->len[o][t]--;
				return true;
			}
	return false;
}

/* Merge with the buddy at pfn ^ 2^o for as long as it is free, in any list. */
static void model_free(struct model *m, unsigned long pfn, int o, int t, struct zone *zone)
{
	while (o < MAX_ORDER - 1) {
		unsigned long buddy = pfn ^ (1UL << o);

		if (buddy < zone->zone_start_pfn ||
		    buddy >= zone->zone_start_pfn + zone->spanned_pages || !model_remove(m, o, buddy))
			break;
		pfn &= ~(1UL << o);
		o++;
	}
	model_push(m, o, t, pfn);
}

static void assert_zone_matches_model(struct zone *zone, struct model *m)
{
	for (int o = 0; o < MAX_ORDER; o++) {
		unsigned long n = 0;

		for (int t = 0; t < MIGRATE_TYPES; t++) {
			struct page *page;
			int i = m->len[o][t];

			list_for_each_entry(page, &zone->free_area[o].free_list[t], lru) {
				if (--i < 0 || m->list[o][t][i] != page_to_pfn(page))
					fail_msg("order %d type %d: kernel list differs from the model at pfn %#lx",
						 o, t, page_to_pfn(page));
			}
			assert_int_equal(i, 0);
			n += m->len[o][t];
		}
		assert_int_equal(zone->free_area[o].nr_free, n);
	}
}

/*
 * Random allocations and frees of orders 1..6 (above the per-CPU lists) in
 * the DMA32 zone, movable, compared after every step with the model.
 */
static void split_and_merge_match_the_model(void **state)
{
	struct { unsigned long pfn; int order; } held[256];
	struct zone *zone;
	struct model m;
	int nheld = 0;

	boot_or_fail("ram=64M cpus=1 seed=3");
	zone = zone_of(0, ZONE_DMA32);
	model_init_from_zone(&m, zone);
	for (int step = 0; step < 600; step++) {
		bool do_alloc = nheld == 0 || (nheld < 256 && prandom_below(100) < 55);

		if (do_alloc) {
			int order = 1 + prandom_below(6);
			struct page *page = alloc_pages(MOVABLE, order);
			long want = model_alloc(&m, order, MIGRATE_MOVABLE);

			assert_non_null(page);
			assert_ptr_equal(page_zone(page), zone);
			assert_int_equal(page_to_pfn(page), want);
			held[nheld].pfn = want;
			held[nheld++].order = order;
		} else {
			int i = prandom_below(nheld);

			__free_pages(pfn_to_page(held[i].pfn), held[i].order);
			model_free(&m, held[i].pfn, held[i].order, MIGRATE_MOVABLE, zone);
			held[i] = held[--nheld];
		}
		assert_zone_matches_model(zone, &m);
	}
	while (nheld--)
		__free_pages(pfn_to_page(held[nheld].pfn), held[nheld].order);
	model_free_all(&m);
	assert_mm_check();
}

struct held {
	struct page *page;
	int order;
};

/* Allocate everything, largest blocks first; returns one order-10 block of DMA32. */
static struct page *take_all_memory(struct held *pool, int *npool)
{
	struct zone *zone = zone_of(0, ZONE_DMA32);
	struct page *page, *last = NULL;

	*npool = 0;
	drain_all_pages();
	/* PF_MEMALLOC ignores the watermarks: everything can be taken. */
	current->flags |= PF_MEMALLOC;
	for (int o = MAX_ORDER - 1; o >= 0; o--) {
		while ((page = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, o)) != NULL) {
			pool[*npool].page = page;
			pool[(*npool)++].order = o;
			if (o == MAX_ORDER - 1 && page_zone(page) == zone)
				last = page;
		}
		drain_all_pages();
	}
	current->flags &= ~PF_MEMALLOC;
	assert_non_null(last);
	return last;
}

/*
 * Seed 003, 2.5.2: a request for 256 pages when only a 1024-page block is
 * free takes the block, returns its upper half (512) to the order-9 list
 * and the upper half of the rest (256) to the order-8 list, and hands out
 * the lowest 256 pages.
 */
static void seed_worked_example_256_from_1024(void **state)
{
	static struct held pool[70000];
	struct zone *zone;
	struct page *big, *p;
	unsigned long pfn;
	int npool;

	boot_or_fail("ram=64M cpus=1");
	zone = zone_of(0, ZONE_DMA32);
	big = take_all_memory(pool, &npool);
	pfn = page_to_pfn(big);
	/* Give the block back: it is now the zone's only free memory. */
	for (int i = 0; i < npool; i++)
		if (pool[i].page == big)
			pool[i].page = NULL;
	__free_pages(big, MAX_ORDER - 1);
	for (int o = 0; o < MAX_ORDER; o++)
		assert_int_equal(zone->free_area[o].nr_free, o == MAX_ORDER - 1);

	p = alloc_pages(GFP_ATOMIC, 8);
	assert_int_equal(page_to_pfn(p), pfn);
	assert_int_equal(zone->free_area[10].nr_free, 0);
	assert_int_equal(zone->free_area[9].nr_free, 1);
	assert_int_equal(zone->free_area[8].nr_free, 1);
	for (int o = 0; o < 8; o++)
		assert_int_equal(zone->free_area[o].nr_free, 0);
	{
		int mt = get_pageblock_migratetype(big);

		assert_int_equal(page_to_pfn(list_first_entry(&zone->free_area[9].free_list[mt],
							    struct page, lru)), pfn + 512);
		assert_int_equal(page_to_pfn(list_first_entry(&zone->free_area[8].free_list[mt],
							    struct page, lru)), pfn + 256);
	}
	assert_true(PageBuddy(pfn_to_page(pfn + 512)));
	assert_int_equal(page_order(pfn_to_page(pfn + 256)), 8);

	/* Freeing the 256 merges with its buddy (256) and then with the 512: 1024 again. */
	__free_pages(p, 8);
	assert_int_equal(zone->free_area[10].nr_free, 1);
	for (int o = 0; o < 10; o++)
		assert_int_equal(zone->free_area[o].nr_free, 0);
	for (int i = 0; i < npool; i++)
		if (pool[i].page)
			__free_pages(pool[i].page, pool[i].order);
	assert_mm_check();
}

/* The order of the free block that contains @pfn, or -1. */
static int free_order_containing(unsigned long pfn)
{
	for (int k = 0; k < MAX_ORDER; k++) {
		struct page *head = pfn_to_page(pfn & ~((1UL << k) - 1));

		if (PageBuddy(head) && page_order(head) >= (unsigned long)k)
			return page_order(head);
	}
	return -1;
}

/*
 * The buddy of a block of order o at pfn p is at p ^ 2^o: free the two
 * halves of an order-(o+1) block, in either order, and one block of order
 * o+1 at p & ~2^o results.
 */
static void xor_buddy_rule_at_every_order(void **state)
{
	struct zone *zone;

	boot_or_fail("ram=64M cpus=1");
	zone = zone_of(0, ZONE_DMA32);
	for (int o = 0; o < MAX_ORDER - 1; o++) {
		for (int first_low = 0; first_low < 2; first_low++) {
			struct page *big = alloc_pages(MOVABLE, o + 1);
			unsigned long pfn = page_to_pfn(big), n_before;
			struct page *lo = big, *hi = big + (1 << o);

			assert_int_equal(pfn & ((2UL << o) - 1), 0);
			split_page(big, o + 1);		/* every page its own reference */
			for (unsigned long i = 1; i < (1UL << o); i++) {
				set_page_count(lo + i, 0);
				set_page_count(hi + i, 0);
			}
			assert_int_equal(page_to_pfn(lo) ^ (1UL << o), page_to_pfn(hi));
			n_before = zone->free_area[o + 1].nr_free;
			drain_all_pages();
			__free_pages(first_low ? lo : hi, o);
			drain_all_pages();
			assert_true(PageBuddy(first_low ? lo : hi));
			__free_pages(first_low ? hi : lo, o);
			drain_all_pages();
			/* Merged: hi heads nothing, lo lies in a free block of order > o. */
			assert_false(PageBuddy(hi));
			assert_true(free_order_containing(page_to_pfn(lo)) > o);
			(void)n_before;
		}
	}
	assert_mm_check();
}

/*
 * Thousands of mixed-order allocations and frees on four CPUs, against a
 * map of what is allocated: no two allocations overlap, every block is
 * aligned to its order, in RAM, in a zone its flags allow.  When all is
 * freed (and the per-CPU lists drained) the free areas are as after boot.
 */
static void random_ops_against_a_range_map(void **state)
{
	enum { SLOTS = 512 };
	struct { struct page *page; int order; } slot[SLOTS] = { 0 };
	unsigned long nr_free_at_boot[2][MAX_ORDER];
	unsigned char *owned;
	const gfp_t gfps[] = { GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_TEMPORARY, GFP_DMA,
			       GFP_KERNEL | __GFP_ZERO, GFP_ATOMIC };

	boot_or_fail("ram=128M cpus=4 seed=11");
	drain_all_pages();
	for (int z = 0; z < 2; z++)
		for (int o = 0; o < MAX_ORDER; o++)
			nr_free_at_boot[z][o] = zone_of(0, z)->free_area[o].nr_free;
	owned = calloc(max_pfn, 1);
	for (int step = 0; step < 20000; step++) {
		int i = prandom_below(SLOTS);

		kmm_set_cpu(prandom_below(4));
		if (!slot[i].page) {
			int order = prandom_below(100) < 70 ? 0 : prandom_below(6);
			gfp_t gfp = gfps[prandom_below(ARRAY_SIZE(gfps))] | __GFP_NOWARN;
			struct page *page = alloc_pages(gfp, order);
			unsigned long pfn;

			if (!page)
				continue;
			pfn = page_to_pfn(page);
			assert_int_equal(pfn & ((1UL << order) - 1), 0);
			assert_true(pfn + (1UL << order) <= max_pfn);
			if (gfp & __GFP_DMA)
				assert_int_equal(page_zonenum(page), ZONE_DMA);
			for (unsigned long p = pfn; p < pfn + (1UL << order); p++) {
				assert_int_equal(owned[p], 0);
				owned[p] = 1;
			}
			if (gfp & __GFP_ZERO)
				assert_null(memchr_inv(page_address(page), 0, PAGE_SIZE << order));
			memset(page_address(page), 0x5a, PAGE_SIZE << order);
			slot[i].page = page;
			slot[i].order = order;
		} else {
			unsigned long pfn = page_to_pfn(slot[i].page);

			for (unsigned long p = pfn; p < pfn + (1UL << slot[i].order); p++)
				owned[p] = 0;
			__free_pages(slot[i].page, slot[i].order);
			slot[i].page = NULL;
		}
	}
	assert_mm_check();
	for (int i = 0; i < SLOTS; i++)
		if (slot[i].page)
			__free_pages(slot[i].page, slot[i].order);
	drain_all_pages();
	for (int z = 0; z < 2; z++)
		for (int o = 0; o < MAX_ORDER; o++)
			assert_int_equal(zone_of(0, z)->free_area[o].nr_free, nr_free_at_boot[z][o]);
	free(owned);
	assert_mm_check();
}

/* ---- bad frees are reported, the lists stay intact ---- */

static void double_free_is_reported(void **state)
{
	struct page *p;
	unsigned long bad;

	boot_or_fail("ram=64M cpus=1");
	p = alloc_pages(GFP_KERNEL, 0);
	__free_pages(p, 0);
	bad = bad_page_count();
	__free_pages(p, 0);			/* on the pcp list: count 0 */
	assert_int_equal(bad_page_count(), bad + 1);
	assert_true(dmesg_has("BUG: Bad page state in process init  pfn:"));
	p = alloc_pages(GFP_KERNEL, 2);
	__free_pages(p, 2);
	__free_pages(p, 2);			/* a free block now */
	assert_int_equal(bad_page_count(), bad + 2);
	assert_mm_check();
}

/*
 * A page freed while still mapped (->mapping set) is reported and kept
 * out of the free lists; an anonymous page's mapping (bit 0 set) is only
 * its anon_vma, cleared on the way out.
 */
static void freeing_a_mapped_page_is_reported(void **state)
{
	unsigned long bad, free_before;
	struct page *p, *anon;

	boot_or_fail("ram=64M cpus=1");
	p = alloc_pages(GFP_KERNEL, 0);
	anon = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	drain_all_pages();
	refresh_all_vm_stats();
	free_before = nr_free_pages();
	bad = bad_page_count();
	anon->mapping = (void *)0x1001;		/* PAGE_MAPPING_ANON */
	__free_pages(anon, 0);
	assert_int_equal(bad_page_count(), bad);
	assert_null(anon->mapping);
	p->mapping = (void *)0x1000;
	__free_pages(p, 0);
	assert_int_equal(bad_page_count(), bad + 1);
	assert_true(dmesg_has("BUG: Bad page state in process init  pfn:"));
	drain_all_pages();
	refresh_all_vm_stats();
	assert_int_equal(nr_free_pages(), free_before + 1);	/* anon's page only */
	p->mapping = NULL;
	assert_mm_check();
}

static void wrong_order_free_is_reported(void **state)
{
	struct page *a, *b;
	unsigned long bad;

	boot_or_fail("ram=64M cpus=1");
	/* An order-0 page freed as order 3 covers pages that are not its own. */
	a = alloc_pages(GFP_KERNEL, 3);
	split_page(a, 3);
	b = a + 1;				/* pfn not aligned to 2 */
	bad = bad_page_count();
	__free_pages(b, 1);
	assert_int_equal(bad_page_count(), bad + 1);
	assert_int_equal(page_count(b), 1);	/* nothing was dropped */
	__free_pages(a, 3);			/* a+1..a+7 are allocated: 7 reports */
	assert_int_equal(bad_page_count(), bad + 8);
	for (int i = 1; i < 8; i++)
		__free_pages(a + i, 0);
	assert_mm_check();
}

static void freeing_a_reserved_page_is_reported(void **state)
{
	struct page *kernel_text;
	unsigned long bad, free_before;

	boot_or_fail("ram=64M cpus=1");
	kernel_text = pfn_to_page(0x100);	/* the kernel image at 1M */
	assert_true(PageReserved(kernel_text));
	bad = bad_page_count();
	free_before = nr_free_pages();
	__free_pages(kernel_text, 0);
	assert_int_equal(bad_page_count(), bad + 1);
	assert_int_equal(nr_free_pages(), free_before);
	assert_true(dmesg_has("page flags: 0x"));
	assert_true(dmesg_has("(reserved)"));
	set_page_count(kernel_text, 1);		/* restore what the bad free dropped */
	assert_mm_check();
}

/* ---- the per-CPU lists ---- */

/*
 * DMA32 of a 64M machine: batch ((12120/1024)/4 = 2 -> 2 + 1 -> 2) - 1 = 1,
 * high 6.  Frees accumulate until count reaches high, then one batch goes
 * back to the buddy lists.
 */
static void pcp_lists_fill_to_high_then_drain_a_batch(void **state)
{
	struct per_cpu_pages *pcp;
	struct page *pages[8];

	boot_or_fail("ram=64M cpus=2");
	drain_all_pages();
	pcp = &zone_of(0, ZONE_DMA32)->pageset[0].pcp;
	assert_int_equal(pcp->batch, 1);
	assert_int_equal(pcp->high, 6);
	for (int i = 0; i < 8; i++)
		pages[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(pcp->count, 0);
	for (int i = 0; i < 5; i++)
		__free_pages(pages[i], 0);
	assert_int_equal(pcp->count, 5);
	__free_pages(pages[5], 0);		/* reaches high: one batch goes */
	assert_int_equal(pcp->count, 5);
	/* Hot pages come back first (LIFO): the last freed is the next allocated. */
	assert_ptr_equal(alloc_pages(GFP_HIGHUSER_MOVABLE, 0), pages[5]);
	__free_pages(pages[5], 0);
	__free_pages(pages[6], 0);
	__free_pages(pages[7], 0);
	/* Another CPU's list is drained from here, through that CPU. */
	kmm_set_cpu(1);
	drain_all_pages();
	assert_int_equal(pcp->count, 0);
	kmm_set_cpu(0);
	assert_mm_check();
}

static void order0_refill_takes_a_batch(void **state)
{
	struct per_cpu_pages *pcp;
	struct page *p;

	boot_or_fail("ram=1G cpus=1");
	drain_all_pages();
	pcp = &zone_of(0, ZONE_DMA32)->pageset[0].pcp;
	assert_int_equal(pcp->batch, 31);
	p = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(pcp->count, 30);	/* a batch came, one went out */
	/* The batch came from one split block: in ascending physical order. */
	struct page *next = list_first_entry(&pcp->lists[MIGRATE_MOVABLE], struct page, lru);
	assert_int_equal(page_to_pfn(next), page_to_pfn(p) + 1);
	assert_int_equal(page_private(next), MIGRATE_MOVABLE);
	assert_ptr_equal(alloc_pages(GFP_HIGHUSER_MOVABLE, 0), next);
	__free_pages(next, 0);
	__free_pages(p, 0);
	assert_mm_check();
}

/*
 * alloc_pages_exact(size): the block of the order that covers
 * PAGE_ALIGN(size), split, its pages beyond the size given back one by
 * one.  In a DMA32 emptied by the lab (min_free_kbytes 0), B = pfn 8192
 * is a free UNMOVABLE pageblock.  Five pages less 100 bytes: order 3,
 * pages B..B+7 (the pieces of B's split, B+8 .. B+256, stay free); B+5,
 * B+6, B+7 go back (through the per-CPU list: drained, they are B+5 and
 * the order-1 block B+6).  free_pages_exact() returns B..B+4, and B is
 * whole again.
 */
static void alloc_pages_exact_gives_back_the_tail(void **state)
{
	struct zone_lab lab;
	struct lab_block expect[16];
	size_t size = 5 * PAGE_SIZE - 100, n = 0;
	unsigned long bad;
	void *p;

	boot_or_fail("ram=64M cpus=1");
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "0"), 0);
	lab_take_zone(&lab, zone_of(0, ZONE_DMA32));
	lab_require_pageblock(&lab, 8192);
	lab_set_type(&lab, 8192, MIGRATE_UNMOVABLE);
	lab_free(&lab, 8192, 512);
	p = alloc_pages_exact(size, GFP_KERNEL);
	assert_int_equal(page_to_pfn(virt_to_page(p)), 8192);
	drain_all_pages();
	expect[n++] = (struct lab_block){ 8192 + 5, 0, MIGRATE_UNMOVABLE };
	expect[n++] = (struct lab_block){ 8192 + 6, 1, MIGRATE_UNMOVABLE };
	for (unsigned int o = 3; o < 9; o++)
		expect[n++] = (struct lab_block){ 8192 + (1UL << o), o, MIGRATE_UNMOVABLE };
	lab_assert_free(&lab, expect, n);
	for (int i = 0; i < 5; i++)
		assert_int_equal(page_count(pfn_to_page(8192 + i)), 1);
	bad = bad_page_count();
	free_pages_exact(p, size);
	drain_all_pages();
	LAB_ASSERT_FREE(&lab, { 8192, 9, MIGRATE_UNMOVABLE });
	assert_int_equal(bad_page_count(), bad);	/* exactly its own five pages */
	lab_release(&lab);
	assert_mm_check();
}

/*
 * __GFP_COMP: the head page carries the order, every tail page points at
 * the head; dropping the last reference through any page frees the whole
 * block (through the destructor, with the order the head carries), and
 * the free pages are what they were.  A plain block has none of this.
 */
static void compound_pages_know_their_head(void **state)
{
	unsigned long before;
	struct page *page;

	boot_or_fail("ram=64M cpus=1");
	drain_all_pages();
	refresh_all_vm_stats();
	before = nr_free_pages();
	page = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);
	assert_true(PageHead(page));
	assert_int_equal(compound_order(page), 3);
	for (int i = 1; i < 8; i++) {
		assert_true(PageTail(page + i));
		assert_ptr_equal(compound_head(page + i), page);
	}
	put_page(page + 5);
	refresh_all_vm_stats();
	assert_int_equal(nr_free_pages(), before);
	assert_false(PageHead(page));
	assert_false(PageTail(page + 5));
	page = alloc_pages(GFP_KERNEL, 3);
	assert_false(PageHead(page));
	assert_int_equal(compound_order(page), 0);
	__free_pages(page, 3);
	assert_int_equal(bad_page_count(), 0);
	assert_mm_check();
}

/*
 * get_zeroed_page: one page, zeroed even when it comes back dirty from the
 * per-CPU list (the last page freed is the next one handed out).
 */
static void get_zeroed_page_is_one_clean_page(void **state)
{
	unsigned long p, q, before;

	boot_or_fail("ram=64M cpus=1");
	drain_all_pages();
	refresh_all_vm_stats();
	before = nr_free_pages();
	p = __get_free_pages(GFP_KERNEL, 0);
	memset((void *)p, 0x5a, PAGE_SIZE);
	free_page(p);
	q = get_zeroed_page(GFP_KERNEL);
	assert_int_equal(q, p);
	assert_null(memchr_inv((void *)q, 0, PAGE_SIZE));
	free_page(q);
	drain_all_pages();
	refresh_all_vm_stats();
	assert_int_equal(nr_free_pages(), before);
	assert_mm_check();
}

/*
 * Page poisoning (CONFIG_DEBUG_PAGEALLOC's, debug builds only: the release
 * core compiles it away, so the test skips itself there).  A page given
 * back to the allocator is filled with 0xaa, on either path (a block of
 * order 1 straight to the buddy lists, a single page onto the per-CPU
 * list); when a page is handed out again the pattern is checked, and a
 * write after the free is reported with its offset and bytes.  The last
 * page freed is the next one handed out (the per-CPU list's head).
 */
static void freed_pages_are_poisoned_and_checked(void **state)
{
	struct page *p;
	unsigned char *a;

	if (!KMM_DEBUG)
		skip();
	boot_or_fail("ram=64M cpus=1");
	p = alloc_pages(GFP_KERNEL, 1);
	memset(page_address(p), 0x11, 2 * PAGE_SIZE);
	__free_pages(p, 1);
	assert_null(memchr_inv(page_address(p), 0xaa, 2 * PAGE_SIZE));
	p = alloc_pages(GFP_KERNEL, 0);
	a = page_address(p);
	memset(a, 0x11, PAGE_SIZE);
	__free_pages(p, 0);
	assert_null(memchr_inv(a, 0xaa, PAGE_SIZE));
	assert_ptr_equal(alloc_pages(GFP_KERNEL, 0), p);
	assert_false(dmesg_has("pagealloc: memory corruption"));
	__free_pages(p, 0);
	a[100] = 0x55;
	assert_ptr_equal(alloc_pages(GFP_KERNEL, 0), p);
	assert_true(dmesg_has("pagealloc: memory corruption\n"));
	assert_true(dmesg_has("offset:0x64 bytes: 55\n"));
	__free_pages(p, 0);
	assert_mm_check();
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(split_and_merge_match_the_model, teardown_machine),
	cmocka_unit_test_teardown(seed_worked_example_256_from_1024, teardown_machine),
	cmocka_unit_test_teardown(xor_buddy_rule_at_every_order, teardown_machine),
	cmocka_unit_test_teardown(random_ops_against_a_range_map, teardown_machine),
	cmocka_unit_test_teardown(double_free_is_reported, teardown_machine),
	cmocka_unit_test_teardown(freeing_a_mapped_page_is_reported, teardown_machine),
	cmocka_unit_test_teardown(wrong_order_free_is_reported, teardown_machine),
	cmocka_unit_test_teardown(freeing_a_reserved_page_is_reported, teardown_machine),
	cmocka_unit_test_teardown(pcp_lists_fill_to_high_then_drain_a_batch, teardown_machine),
	cmocka_unit_test_teardown(order0_refill_takes_a_batch, teardown_machine),
	cmocka_unit_test_teardown(alloc_pages_exact_gives_back_the_tail, teardown_machine),
	cmocka_unit_test_teardown(compound_pages_know_their_head, teardown_machine),
	cmocka_unit_test_teardown(get_zeroed_page_is_one_clean_page, teardown_machine),
	cmocka_unit_test_teardown(freed_pages_are_poisoned_and_checked, teardown_machine),
};

KMM_TEST_MAIN(tests)
