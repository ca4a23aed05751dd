/*
 * test_deferred.c - deferred struct page initialisation (mm/deferred_init.c)
 * against its oracle, the same machine booted with deferred_init=off:
 * the same /proc views at boot, the same pfns from the same allocations
 * (many of which bring deferred blocks in), and, once every deferred
 * block is initialised, the same free lists and the same struct pages.
 * mm_check() runs after every phase; it also checks the deferred ranges
 * (aligned, in RAM, outside reservations, pageblocks Movable, no host
 * page behind their struct pages), and the last tests break them on
 * purpose to show that it notices.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/sched.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "tests/harness.h"

#define MAX_PFNS	40000

/* What a machine shows and holds, to compare two boots. */
struct state {
	char *views;		/* the /proc views and the boot log */
	unsigned long *lists;	/* every free list's pfns, in list order, lists separated by ~0 */
	size_t nlists;
	u64 *block_hash;	/* per MAX_ORDER block: a hash of its struct pages */
	size_t nblocks;
};

static void state_free(struct state *s)
{
	free(s->views);
	free(s->lists);
	free(s->block_hash);
	memset(s, 0, sizeof(*s));
}

static unsigned long deferred_blocks(void)
{
	struct zone *zone;
	unsigned long n = 0;

	for_each_zone(zone)
		n += zone->nr_deferred;
	return n;
}

static u64 hash_step(u64 h, u64 v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

/*
 * A word that may be a pointer into the direct map (a slab page's cache in
 * ->private, its bufctl array in ->mapping), as the physical address it
 * names: the two boots may map RAM at different host addresses.
 */
static u64 word_value(unsigned long w)
{
	return w && virt_addr_valid((void *)w) ? (u64)__pa((void *)w) | 1ULL << 63 : w;
}

/* A hash of what a struct page holds; list pointers only by kind (self, poison, elsewhere). */
static u64 hash_page(u64 h, const struct page *p)
{
	int lru = p->lru.next == &p->lru ? 1 : p->lru.next == LIST_POISON1 ? 2 : p->lru.next ? 3 : 0;

	h = hash_step(h, p->flags);
	h = hash_step(h, (u64)(u32)p->_count.counter << 32 | (u32)p->_mapcount.counter);
	h = hash_step(h, word_value(p->private));
	h = hash_step(h, word_value((unsigned long)p->mapping));
	h = hash_step(h, p->index);
	return hash_step(h, lru);
}

/* Everything, once no block is deferred any more. */
static void take_state(struct state *s)
{
	struct zone *zone;
	size_t cap = 1024;

	assert_int_equal(deferred_blocks(), 0);
	s->views = oracle_views(true);
	s->lists = malloc(cap * sizeof(*s->lists));
	s->nlists = 0;
	for_each_populated_zone(zone)
		for (int o = 0; o < MAX_ORDER; o++)
			for (int t = 0; t < MIGRATE_TYPES; t++) {
				struct page *page;

				list_for_each_entry(page, &zone->free_area[o].free_list[t], lru) {
					if (s->nlists + 2 > cap)
						s->lists = realloc(s->lists, (cap *= 2) * sizeof(*s->lists));
					s->lists[s->nlists++] = page_to_pfn(page);
				}
				if (s->nlists + 1 > cap)
					s->lists = realloc(s->lists, (cap *= 2) * sizeof(*s->lists));
				s->lists[s->nlists++] = ~0UL;
			}
	s->nblocks = DIV_ROUND_UP(max_pfn, MAX_ORDER_NR_PAGES);
	s->block_hash = calloc(s->nblocks, sizeof(u64));
	for (unsigned long pfn = 0; pfn < max_pfn; pfn++)
		if (pfn_valid(pfn))
			s->block_hash[pfn / MAX_ORDER_NR_PAGES] =
				hash_page(s->block_hash[pfn / MAX_ORDER_NR_PAGES], pfn_to_page(pfn));
}

static void assert_same_state(const struct state *want, const struct state *got)
{
	assert_same_views("views", want->views, got->views);
	assert_int_equal(want->nlists, got->nlists);
	for (size_t i = 0; i < want->nlists; i++)
		if (want->lists[i] != got->lists[i])
			fail_msg("free lists differ at entry %zu: pfn %#lx in the full boot, %#lx here", i,
				 want->lists[i], got->lists[i]);
	assert_int_equal(want->nblocks, got->nblocks);
	for (size_t i = 0; i < want->nblocks; i++)
		if (want->block_hash[i] != got->block_hash[i])
			fail_msg("the struct pages of block %#zx differ from the full boot's",
				 i * MAX_ORDER_NR_PAGES);
}

static long pfn_of(struct page *page)
{
	return page ? (long)page_to_pfn(page) : -1;
}

/*
 * The same allocations on both machines, in phases, mm_check() between
 * them: every order and migrate type, DMA32 and DMA, per-CPU refills,
 * frees that merge, and the reserve pageblocks redone twice.  @scale
 * multiplies the counts.  Returns how many pfns were recorded.
 */
static size_t workload(long *pfns, int scale)
{
	/* Never the OOM killer: a DMA zone runs out on the 64G machine. */
	static const gfp_t gfps[] = {
		GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_TEMPORARY, GFP_ATOMIC, GFP_DMA32 | GFP_KERNEL,
		GFP_USER, GFP_DMA | GFP_KERNEL,
	};
	static struct page *held[MAX_PFNS];
	static int held_order[MAX_PFNS];
	size_t n = 0, nheld = 0;
	int mfk = min_free_kbytes;

	for (int i = 0; i < 60 * scale; i++) {
		int order = i % MAX_ORDER;
		struct page *p = alloc_pages(gfps[i % 7] | __GFP_NOWARN | __GFP_NORETRY, order);

		pfns[n++] = pfn_of(p);
		held_order[nheld] = order;
		held[nheld++] = p;
	}
	assert_mm_check();
	for (int i = 0; i < 1500 * scale; i++) {
		struct page *p = alloc_pages(i % 3 ? GFP_HIGHUSER_MOVABLE : GFP_KERNEL, 0);

		pfns[n++] = pfn_of(p);
		held_order[nheld] = 0;
		held[nheld++] = p;
	}
	assert_mm_check();
	for (size_t i = 1; i < nheld; i += 2)
		if (held[i])
			__free_pages(held[i], held_order[i]);
	drain_all_pages();
	assert_mm_check();
	/* The reserve pageblocks: none, then the usual ones again. */
	assert_int_equal(min_free_kbytes_set(0), 0);
	assert_mm_check();
	assert_int_equal(min_free_kbytes_set(mfk), 0);
	assert_mm_check();
	for (int i = 0; i < 80 * scale; i++) {
		struct page *p = alloc_pages(gfps[(i * 5) % 7] | __GFP_NOWARN | __GFP_NORETRY,
					     (i * 7) % MAX_ORDER);

		pfns[n++] = pfn_of(p);
	}
	assert_mm_check();
	return n;
}

/*
 * Boot @cmdline twice, with and without deferral, run the workload on
 * each, and require the same views at boot and after it, the same pfns,
 * and the same machine once the deferred blocks are all in.
 */
static void compare_with_full_boot(const char *cmdline, int scale)
{
	static long want_pfns[MAX_PFNS], got_pfns[MAX_PFNS];
	char line[256];
	struct state want, got;
	char *boot_views, *after_views;
	size_t n_want, n_got;

	snprintf(line, sizeof(line), "%s deferred_init=off", cmdline);
	boot_or_fail(line);
	assert_int_equal(deferred_blocks(), 0);
	boot_views = oracle_views(true);
	n_want = workload(want_pfns, scale);
	after_views = oracle_views(true);
	take_state(&want);

	boot_or_fail(cmdline);
	assert_true(deferred_blocks() > 0);
	assert_mm_check();
	assert_views_now("views at boot", boot_views, true, false);
	n_got = workload(got_pfns, scale);
	assert_int_equal(n_want, n_got);
	for (size_t i = 0; i < n_want; i++)
		if (want_pfns[i] != got_pfns[i])
			fail_msg("%s: allocation %zu: pfn %#lx in the full boot, %#lx here", cmdline, i,
				 want_pfns[i], got_pfns[i]);
	assert_views_now("views after the workload", after_views, true, false);
	deferred_init_all();
	assert_mm_check();
	take_state(&got);
	assert_same_state(&want, &got);
	state_free(&want);
	state_free(&got);
	free(boot_views);
	free(after_views);
}

static void one_node_with_the_pci_hole(void **state)
{
	compare_with_full_boot("ram=5G cpus=2", 1);
}

static void two_nodes(void **state)
{
	compare_with_full_boot("ram=4G nodes=2 cpus=4", 1);
}

static void four_nodes_in_zone_order(void **state)
{
	compare_with_full_boot("ram=8G nodes=4 cpus=4 numa_zonelist_order=zone", 1);
}

/* ZONE_MOVABLE starts clean: its reserve pageblocks come from deferred memory. */
static void kernelcore_and_movablecore(void **state)
{
	compare_with_full_boot("ram=3G kernelcore=1G", 1);
	compare_with_full_boot("ram=3G nodes=2 movablecore=1G cpus=2", 1);
}

static void without_mobility_grouping(void **state)
{
	compare_with_full_boot("ram=2G mobility_grouping=off", 1);
}

/* RAM in pieces: several runs of deferred blocks in one zone. */
static void an_e820_map_with_holes(void **state)
{
	compare_with_full_boot("e820=0-640K:ram,1M-700M:ram,700M-712M:reserved,712M-1G:ram,"
			       "1G-1030M:nvs,1030M-3G:ram,4G-4100M:ram,4104M-6G:ram", 1);
}

/*
 * A large machine, allocating well past the first deferred blocks of its
 * zones (Normal gives 18 MB in order-0 pages alone, DMA32 and DMA their
 * share of the rest).
 */
static void a_64G_machine(void **state)
{
	compare_with_full_boot("ram=64G cpus=4", 4);
}

/*
 * Taking every page there is brings in every deferred block, and the
 * pages come in the order a full boot hands them out.
 */
static void exhausting_memory_brings_in_every_block(void **state)
{
	unsigned long first_pfn[2], count[2], sum[2];

	for (int run = 0; run < 2; run++) {
		struct page *p, *prev = NULL;

		boot_or_fail(run ? "ram=1G cpus=1" : "ram=1G cpus=1 deferred_init=off");
		assert_int_equal(deferred_blocks() > 0, run);
		current->flags |= PF_MEMALLOC;
		count[run] = sum[run] = 0;
		while ((p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0))) {
			if (!prev)
				first_pfn[run] = page_to_pfn(p);
			/* Chain the pages through their own memory, to free them after. */
			*(struct page **)page_address(p) = prev;
			prev = p;
			count[run]++;
			sum[run] = sum[run] * 31 + page_to_pfn(p);
		}
		current->flags &= ~PF_MEMALLOC;
		assert_int_equal(deferred_blocks(), 0);
		assert_mm_check();
		while (prev) {
			p = *(struct page **)page_address(prev);
			__free_pages(prev, 0);
			prev = p;
		}
		assert_mm_check();
	}
	assert_int_equal(first_pfn[0], first_pfn[1]);
	assert_int_equal(count[0], count[1]);
	assert_int_equal(sum[0], sum[1]);
}

/*
 * Where the boundary is: zones of 128M (a section) and more defer their
 * free MAX_ORDER blocks, smaller ones and i386 (flat map, highmem)
 * nothing; deferred_init=off nothing.  A deferred block costs the host
 * nothing until it is brought in: then its 1024 struct pages take 14 host
 * pages.
 */
static void which_memory_waits(void **state)
{
	struct zone *dma32, *normal;
	struct pfn_range r[NR_DEFERRED_RANGES];
	unsigned long flags;

	boot_or_fail("ram=128M");	/* DMA32 is [16M, 128M) */
	assert_int_equal(deferred_blocks(), 0);
	boot_or_fail("ram=256M");
	assert_true(NODE_DATA(0)->node_zones[ZONE_DMA32].nr_deferred > 0);
	boot_or_fail("arch=i386 ram=3G");
	assert_int_equal(deferred_blocks(), 0);
	boot_or_fail("ram=16G deferred_init=off");
	assert_int_equal(deferred_blocks(), 0);

	boot_or_fail("ram=16G cpus=1");
	dma32 = &NODE_DATA(0)->node_zones[ZONE_DMA32];
	normal = &NODE_DATA(0)->node_zones[ZONE_NORMAL];
	assert_int_equal(NODE_DATA(0)->node_zones[ZONE_DMA].nr_deferred, 0);
	assert_true(dma32->nr_deferred > 0);
	/*
	 * Normal [4G, 17G): 3328 blocks.  At boot, the one holding NODE_DATA
	 * at 4G is not free; the lowest free one became a RESERVE pageblock;
	 * the boot's own allocations (slab, pagesets) took the highest one,
	 * stealing it for Unmovable: 3325 wait, [0x100800, 0x43fc00).
	 */
	assert_int_equal(normal->nr_deferred, 3325);
	assert_int_equal(deferred_zone_ranges(normal, r, NR_DEFERRED_RANGES), 1);
	assert_int_equal(r[0].start, 0x100800);
	assert_int_equal(r[0].end, 0x43fc00);
	assert_int_equal(memmap_resident_pages(r[0].start, r[0].end - r[0].start), 0);
	/* The next block to come in is the highest deferred one. */
	spin_lock_irqsave(&normal->lock, flags);
	deferred_grow_zone(normal);
	spin_unlock_irqrestore(&normal->lock, flags);
	assert_int_equal(memmap_resident_pages(0x43f800, MAX_ORDER_NR_PAGES),
			 MAX_ORDER_NR_PAGES * sizeof(struct page) / 4096);
	assert_int_equal(deferred_range_end(0x43f800), 0);
	assert_int_equal(deferred_range_end(0x43f7ff), 0x43f800);
	assert_int_equal(deferred_range_end(0x100800), 0x43f800);
	assert_int_equal(deferred_range_end(0x1007ff), 0);
	/*
	 * The next one comes only when the allocator finds the list empty:
	 * not while smaller Movable blocks serve, then for the next 4M.
	 */
	assert_true(alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_ORDER - 1) == pfn_to_page(0x43f800));
	assert_true(alloc_pages(GFP_HIGHUSER_MOVABLE, 0) != NULL);
	assert_int_equal(normal->nr_deferred, 3324);
	assert_true(alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_ORDER - 1) == pfn_to_page(0x43f400));
	assert_int_equal(normal->nr_deferred, 3323);
	assert_mm_check();
}

/* mm_check notices deferred memory that is miscounted, retyped or written. */
static void mm_check_catches_broken_deferred_memory(void **state)
{
	struct zone *normal;
	struct pfn_range r[NR_DEFERRED_RANGES];

	boot_or_fail("ram=8G cpus=1");
	normal = &NODE_DATA(0)->node_zones[ZONE_NORMAL];
	assert_int_equal(deferred_zone_ranges(normal, r, NR_DEFERRED_RANGES), 1);

	normal->nr_deferred++;
	assert_check_reports("nr_deferred is");
	assert_check_reports("nr_free is");
	normal->nr_deferred--;
	assert_mm_check();

	set_zone_pageblock_migratetype(normal, r[0].start + MAX_ORDER_NR_PAGES, MIGRATE_UNMOVABLE);
	assert_check_reports("is Unmovable, not Movable");
	set_zone_pageblock_migratetype(normal, r[0].start + MAX_ORDER_NR_PAGES, MIGRATE_MOVABLE);
	assert_mm_check();

	/* Someone wrote a deferred struct page: its host page now exists. */
	pfn_to_page(r[0].start + 5 * MAX_ORDER_NR_PAGES)->flags = 0;
	assert_check_reports("host pages back its struct pages");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(one_node_with_the_pci_hole, teardown_machine),
	cmocka_unit_test_teardown(two_nodes, teardown_machine),
	cmocka_unit_test_teardown(four_nodes_in_zone_order, teardown_machine),
	cmocka_unit_test_teardown(kernelcore_and_movablecore, teardown_machine),
	cmocka_unit_test_teardown(without_mobility_grouping, teardown_machine),
	cmocka_unit_test_teardown(an_e820_map_with_holes, teardown_machine),
	cmocka_unit_test_teardown(a_64G_machine, teardown_machine),
	cmocka_unit_test_teardown(exhausting_memory_brings_in_every_block, teardown_machine),
	cmocka_unit_test_teardown(which_memory_waits, teardown_machine),
	cmocka_unit_test_teardown(mm_check_catches_broken_deferred_memory, teardown_machine),
};

KMM_TEST_MAIN(tests)
