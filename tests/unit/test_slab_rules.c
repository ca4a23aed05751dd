/*
 * test_slab_rules.c - the SLAB rules that decide where objects and slabs
 * go, each with an exact expected state: cache_reap's amounts (a fifth of
 * an idle array's limit, or half of what it holds; free slabs per node
 * pass from free_limit), its schedule (arrays every 2 s, each node's lists
 * every 4 s, staggered by the cache's address, skipped once after free
 * slabs were wanted), the free_limit formula and its boundary, which free
 * slab goes first, where free_block and a refill put slabs on the lists,
 * a flush into a nearly full shared array, alien array sizes,
 * reclaimable caches' pages, the debug limit, and the boundaries of the
 * slab geometry that test_slab.c does not reach.
 *
 * The cache t-100 is used throughout: 100 bytes, SLAB_HWCACHE_ALIGN, so
 * 128-byte buffers, 30 per one-page slab (test_slab.c derives it), limit
 * 120, batchcount 60.  Timing: cache_reap runs every REAPTIMEOUT_CPUC = 2 s
 * on each CPU; kmm_advance_clock(2 s) is one pass.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/procfs.h>
#include <kmm/slab.h>
#include <kmm/vmstat.h>
#include "mm/slab.h"
#include "tests/harness.h"
#include "tests/zone_lab.h"

#define SECONDS(n)	((u64)(n) * 1000000000ULL)

static struct kmem_cache *t100(void)
{
	struct kmem_cache *c = kmem_cache_create("t-100", 100, 0, SLAB_HWCACHE_ALIGN, NULL);

	assert_non_null(c);
	assert_int_equal(c->num, 30);
	return c;
}

static struct kmem_list3 *l3_of(struct kmem_cache *c)
{
	return c->nodelists[0];
}

static void tune(const char *line)
{
	assert_int_equal(proc_write("/proc/slabinfo", line), 0);
}

/* Allocate @n objects of @c into @objs, then empty the array back into the slabs. */
static void alloc_n(struct kmem_cache *c, void **objs, int n)
{
	for (int i = 0; i < n; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(c, GFP_KERNEL));
	kmem_cache_shrink(c);
	assert_int_equal(cpu_cache_get(c)->avail, 0);
}

/* ---- cache_reap: the per-CPU arrays ---- */

/*
 * An array not used since the last pass gives back (limit + 4) / 5 of its
 * oldest objects, or, when it holds fewer than that, (avail + 1) / 2.
 * t-300: 304 bytes, over 256, so limit 54: a fifth is (54 + 4) / 5 = 11.
 * The allocations mark the array touched, so the first pass only clears
 * the mark.
 *   40 objects: 29, 18, 7; then 11 > 7: (7 + 1) / 2 = 4 go, 3; 2 go, 1; 1.
 *   33 objects, and one allocation served from the array (and freed back)
 *   after the first pass: that marks the array touched again, so the
 *   second pass only clears the mark; then 22, 11; then 11 is not more
 *   than 11: all 11 go, 0.
 * The oldest go: after the first drain the array starts at object 11.
 */
static void reap_gives_back_a_fifth_of_an_idle_array(void **state)
{
	static const int starts[2] = { 40, 33 };
	static const int after[2][7] = { { 40, 29, 18, 7, 3, 1, 0 }, { 33, 33, 22, 11, 0, 0, 0 } };

	for (int k = 0; k < 2; k++) {
		struct kmem_cache *c;
		struct array_cache *ac;
		void *objs[40];

		boot_or_fail("ram=64M cpus=1");
		c = kmem_cache_create("t-300", 300, 0, 0, NULL);
		assert_int_equal(c->limit, 54);
		ac = cpu_cache_get(c);
		alloc_n(c, objs, starts[k]);
		for (int i = 0; i < starts[k]; i++)
			kmem_cache_free(c, objs[i]);
		assert_int_equal(ac->avail, starts[k]);
		assert_int_equal(ac->touched, 1);
		kmm_advance_clock(SECONDS(2));
		assert_int_equal(ac->touched, 0);
		if (k == 1) {
			kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
			assert_int_equal(ac->touched, 1);
		}
		for (int pass = 0; pass < 7; pass++) {
			if ((int)ac->avail != after[k][pass])
				fail_msg("start %d, pass %d: %u objects left, expected %d", starts[k], pass + 2,
					 ac->avail, after[k][pass]);
			if (pass == 1 + k)
				assert_ptr_equal(ac->entry[0], objs[11]);
			kmm_advance_clock(SECONDS(2));
		}
		assert_mm_check();
	}
}

/* ---- cache_reap: the node's lists ---- */

/*
 * Each node's lists are reaped every REAPTIMEOUT_LIST3 = 4 s, the caches
 * staggered over those 4 s by their address (as Linux does, the address
 * Linux would use, so that runs repeat): a new cache's node is first due
 * at jiffies + 1000 + address % 1000.
 */
static void node_reap_is_staggered_by_the_caches_address(void **state)
{
	unsigned long now;
	struct kmem_cache *c;

	boot_or_fail("ram=64M cpus=1");
	now = jiffies;
	c = t100();
	assert_int_equal(l3_of(c)->next_reap, now + REAPTIMEOUT_LIST3 + lptr(c) % REAPTIMEOUT_LIST3);
	assert_int_equal(REAPTIMEOUT_LIST3, 1000);
}

/*
 * The node's part of a pass, when due: the free slabs beyond need go,
 * (free_limit + 5 num - 1) / (5 num) of them, oldest first; unless a
 * refill took from a free slab since the last look (free_touched), which
 * spares them once.  After it, the node is due again 4 s later.
 *
 * t-100 tuned to limit 270, batchcount 135 (one CPU): free_limit (1 + 1) *
 * 135 + 30 = 300; (300 + 149) / 150 = 2 slabs per node pass.  180 objects
 * (6 slabs, all full once the array is shrunk) are freed into the array
 * and tuned out of it again: free_block() empties the slabs one by one
 * (free_objects stays within 300, so all 6 stay), each to the head of the
 * free list, so the first emptied is at the tail.
 * The node is made due at the next pass:
 *   pass 1: free_touched (the refills took fresh slabs) is cleared: 6 slabs
 *   pass 2: not due (4 s have not passed): 6
 *   pass 3: 2 go, the two emptied first: 4
 *   pass 4: 4;  pass 5: 2;  pass 7: 0
 */
static void node_reap_frees_a_fifth_of_free_limit_in_slabs(void **state)
{
	static const int slabs_after[7] = { 6, 6, 4, 4, 2, 2, 0 };
	struct kmem_cache *c;
	struct kmem_list3 *l3;
	struct slab *emptied[6];
	void *objs[180];
	int n = 0;

	boot_or_fail("ram=64M cpus=1");
	c = t100();
	l3 = l3_of(c);
	tune("t-100 270 135 0");
	assert_int_equal(l3->free_limit, 300);
	alloc_n(c, objs, 180);
	assert_int_equal(list_count(&l3->slabs_full), 6);
	for (int i = 0; i < 180; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(cpu_cache_get(c)->avail, 180);
	/* The order the slabs will empty in: that of their last object among objs[]. */
	for (int i = 0; i < 180; i++) {
		struct slab *s = virt_to_slab(objs[i]);
		int last = i;

		for (int j = i + 1; j < 180; j++)
			if (virt_to_slab(objs[j]) == s)
				last = j;
		if (last == i)
			emptied[n++] = s;
	}
	assert_int_equal(n, 6);
	tune("t-100 270 135 0");
	assert_int_equal(cpu_cache_get(c)->avail, 0);
	assert_int_equal(list_count(&l3->slabs_free), 6);
	assert_int_equal(l3->free_objects, 180);
	assert_ptr_equal(list_entry(l3->slabs_free.prev, struct slab, list), emptied[0]);
	assert_true(l3->free_touched);

	l3->next_reap = jiffies;	/* due at the next pass */
	for (int pass = 0; pass < 7; pass++) {
		kmm_advance_clock(SECONDS(2));
		if ((int)list_count(&l3->slabs_free) != slabs_after[pass])
			fail_msg("pass %d: %lu free slabs, expected %d", pass + 1,
				 list_count(&l3->slabs_free), slabs_after[pass]);
		if (pass == 2) {
			struct slab *s;

			list_for_each_entry(s, &l3->slabs_free, list)
				assert_true(s != emptied[0] && s != emptied[1]);
		}
	}
	assert_int_equal(l3->free_objects, 0);
	assert_mm_check();
}

/* ---- free_limit ---- */

/*
 * free_limit = (1 + CPUs of the node) * batchcount + num, set when the
 * node's lists are made or retuned, and by cpuup_prepare() as each CPU
 * comes up, before it counts as online.  Four CPUs:
 *   size-64 (batchcount 60, 59 per slab), made at boot with one CPU, then
 *   raised for CPUs 1, 2, 3: the last, for CPU 3, counts 3: 4 * 60 + 59 = 299
 *   t-100 made after boot: 5 * 60 + 30 = 330; retuned the same: 330;
 *   tuned to limit 1, batchcount 1: 5 * 1 + 30 = 35
 */
static void free_limit_counts_the_cpus_of_the_node(void **state)
{
	struct kmem_cache *c;

	boot_or_fail("ram=64M cpus=4");
	assert_int_equal(l3_of(kmem_cache_find("size-64"))->free_limit, 299);
	c = t100();
	assert_int_equal(l3_of(c)->free_limit, 330);
	tune("t-100 120 60 8");
	assert_int_equal(l3_of(c)->free_limit, 330);
	tune("t-100 1 1 0");
	assert_int_equal(l3_of(c)->free_limit, 35);
	assert_mm_check();
}

/*
 * A slab that empties stays (on the free list) while the node's free
 * objects do not exceed free_limit, and goes back to the page allocator
 * once they do.  t-100 tuned to limit 1, batchcount 1 (one CPU):
 * free_limit 2 * 1 + 30 = 32, and each free flushes the previous object
 * to its slab.  88 objects: s1 and s2 full, s3 with 28 in use (2 free
 * objects).  Freeing s1's 30 objects and one of s2's flushes all of s1:
 * free_objects 2 + 30 = 32, not over 32: s1 stays.  Then s2 empties:
 * 32 + 30 = 62 > 32: s2's page goes back.  With s3 holding 27 (3 free),
 * s1 empties at 33 and goes at once.
 */
static void free_limit_is_the_most_free_objects_a_node_keeps(void **state)
{
	for (int in_s3 = 28; in_s3 >= 27; in_s3--) {
		struct kmem_cache *c;
		struct kmem_list3 *l3;
		struct page *s1, *s2;
		void *objs[88];
		int n = 60 + in_s3;

		boot_or_fail("ram=64M cpus=1");
		c = t100();
		l3 = l3_of(c);
		tune("t-100 1 1 0");
		assert_int_equal(l3->free_limit, 32);
		alloc_n(c, objs, n);
		s1 = slab_page(virt_to_slab(objs[0]));
		s2 = slab_page(virt_to_slab(objs[30]));
		assert_int_equal(l3->free_objects, 30 - in_s3);
		for (int i = 0; i <= 30; i++)
			kmem_cache_free(c, objs[i]);
		if (in_s3 == 28) {
			assert_int_equal(l3->free_objects, 32);
			assert_int_equal(list_count(&l3->slabs_free), 1);
			assert_true(PageSlab(s1));
		} else {
			assert_int_equal(l3->free_objects, 3);
			assert_int_equal(list_count(&l3->slabs_free), 0);
			assert_false(PageSlab(s1));
		}
		for (int i = 31; i < n; i++)
			kmem_cache_free(c, objs[i]);
		assert_false(PageSlab(s2));
		assert_mm_check();
	}
}

/* ---- the slab lists ---- */

/*
 * Where free_block() and a refill put slabs.  t-100, limit 1, batchcount
 * 1, 90 objects: s1, s2, s3 full.  Each free flushes the previous one.
 *   free a (s1), b (s2), c (s3): a and b reach their slabs; a slab that is
 *   partial now goes to the tail of the partial list: s1, s2.
 *   Allocations: the array gives c; the next refill takes the head of the
 *   partial list, s1, whose free object is a; s1 is full again and goes to
 *   the head of the full list.  The next gives b (s2).
 *   Free a, d (s1), b, e (s2), then f (s3) to flush e: s1 has two free, s2
 *   two.  A refill takes one from s1, still partial: it goes back to the
 *   head of the partial list, so the next refill takes from s1 again.
 *   A free slab (s2) and a partial one (s3): the partial is used first.
 */
static void slabs_move_between_lists_as_2634_puts_them(void **state)
{
	struct kmem_cache *c;
	struct kmem_list3 *l3;
	struct slab *s1, *s2, *s3;
	void *objs[90], *a, *b, *d, *e, *f, *p;

	boot_or_fail("ram=64M cpus=1");
	c = t100();
	l3 = l3_of(c);
	tune("t-100 1 1 0");
	alloc_n(c, objs, 90);
	s1 = virt_to_slab(objs[0]);
	s2 = virt_to_slab(objs[30]);
	s3 = virt_to_slab(objs[60]);
	a = objs[0];
	b = objs[30];
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	kmem_cache_free(c, objs[60]);
	assert_ptr_equal(l3->slabs_partial.next, &s1->list);
	assert_ptr_equal(l3->slabs_partial.prev, &s2->list);
	assert_ptr_equal(kmem_cache_alloc(c, GFP_KERNEL), objs[60]);
	assert_ptr_equal(kmem_cache_alloc(c, GFP_KERNEL), a);
	assert_ptr_equal(l3->slabs_full.next, &s1->list);
	assert_ptr_equal(kmem_cache_alloc(c, GFP_KERNEL), b);

	d = objs[1];
	e = objs[31];
	f = objs[61];
	kmem_cache_free(c, a);
	kmem_cache_free(c, d);
	kmem_cache_free(c, b);
	kmem_cache_free(c, e);
	kmem_cache_free(c, f);	/* flushes e; f waits in the array */
	assert_int_equal(s1->inuse, 28);
	assert_int_equal(s2->inuse, 28);
	assert_ptr_equal(kmem_cache_alloc(c, GFP_KERNEL), f);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_equal(virt_to_slab(p), s1);
	assert_ptr_equal(l3->slabs_partial.next, &s1->list);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_equal(virt_to_slab(p), s1);

	/*
	 * s2's other 28 objects (b and e are free in it already), then one of
	 * s3 to flush the last: s2 is empty, and kept (30 free objects).  One
	 * more of s3 flushes the first: s3 is partial.  The refill after the
	 * array's object takes s3's free object, not one of the free slab.
	 */
	for (int i = 30; i < 60; i++)
		if (objs[i] != b && objs[i] != e)
			kmem_cache_free(c, objs[i]);
	kmem_cache_free(c, objs[62]);
	assert_int_equal(s2->inuse, 0);
	assert_ptr_equal(l3->slabs_free.next, &s2->list);
	kmem_cache_free(c, objs[63]);
	assert_ptr_equal(kmem_cache_alloc(c, GFP_KERNEL), objs[63]);
	assert_ptr_equal(kmem_cache_alloc(c, GFP_KERNEL), objs[62]);
	assert_ptr_equal(l3->slabs_full.next, &s3->list);
	assert_mm_check();
}

/* ---- the shared array ---- */

/*
 * A flush moves batchcount objects into the shared array, or as many as
 * it has room for.  Two CPUs, t-100: shared array 8 * 60 = 480 entries.
 * CPU 0 frees 600 objects: its array fills (120), and each later 60th
 * free flushes 60 to the shared array, which is full after the eighth
 * flush; CPU 0's array ends at 120.  CPU 1's first allocation refills 16
 * (untouched) from the shared array's top: 464 left.  CPU 0 frees that
 * object: its array is full, the shared array has room for 16: only the
 * 16 oldest move, 104 stay (the 17th oldest first), then the free: 105.
 */
static void flush_fills_the_shared_array_to_its_limit(void **state)
{
	struct kmem_cache *c;
	struct array_cache *ac0, *shared;
	void *objs[600], *x, *seventeenth;

	boot_or_fail("ram=64M cpus=2");
	c = t100();
	shared = l3_of(c)->shared;
	assert_int_equal(shared->limit, 480);
	alloc_n(c, objs, 600);
	for (int i = 0; i < 600; i++)
		kmem_cache_free(c, objs[i]);
	ac0 = cpu_cache_get(c);
	assert_int_equal(shared->avail, 480);
	assert_int_equal(ac0->avail, 120);
	seventeenth = ac0->entry[16];
	kmm_set_cpu(1);
	x = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(shared->avail, 464);
	kmm_set_cpu(0);
	kmem_cache_free(c, x);
	assert_int_equal(shared->avail, 480);
	assert_int_equal(ac0->avail, 105);
	assert_ptr_equal(ac0->entry[0], seventeenth);
	assert_ptr_equal(ac0->entry[104], x);
	assert_mm_check();
}

/*
 * Alien arrays: 12 entries, or 1 for a cache whose arrays hold 1 (limit
 * 1: objects over 128K); size-8192's limit 8 still gets 12.
 */
static void alien_arrays_hold_12_or_1(void **state)
{
	boot_or_fail("ram=256M nodes=2 cpus=2");
	assert_int_equal(kmem_cache_find("size-262144")->limit, 1);
	assert_int_equal(l3_of(kmem_cache_find("size-262144"))->alien[1]->limit, 1);
	assert_int_equal(l3_of(kmem_cache_find("size-8192"))->alien[1]->limit, 12);
	assert_int_equal(kmem_cache_find("size-8192")->nodelists[1]->alien[0]->limit, 12);
}

/*
 * Alien arrays are drained by cache_reap one remote node per pass: each
 * CPU starts with the node after its own (init_reap_node) and moves on to
 * the next online node after every pass.  2 nodes, CPU 0 on node 0: pass
 * 1 drains node 0's array of node-1 objects, pass 2 looks at node 0 (no
 * array: its own node), pass 3 drains again.
 */
static void cache_reap_drains_alien_arrays_node_by_node(void **state)
{
	struct kmem_cache *c;
	struct array_cache *alien;
	void *objs[10];

	boot_or_fail("ram=256M nodes=2 cpus=2");
	c = t100();
	alien = l3_of(c)->alien[1];
	kmm_set_cpu(1);
	for (int i = 0; i < 10; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	kmm_set_cpu(0);
	for (int i = 0; i < 5; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(alien->avail, 5);
	kmm_advance_clock(SECONDS(2));
	assert_int_equal(alien->avail, 0);
	for (int i = 5; i < 10; i++)
		kmem_cache_free(c, objs[i]);
	kmm_advance_clock(SECONDS(2));
	assert_int_equal(alien->avail, 5);
	kmm_advance_clock(SECONDS(2));
	assert_int_equal(alien->avail, 0);
	/* kmalloc_node of nothing is the zero-size pointer, as kmalloc's. */
	assert_ptr_equal(kmalloc_node(0, GFP_KERNEL, 1), ZERO_SIZE_PTR);
	/* Node -1 means this CPU's node. */
	kmm_set_cpu(1);
	objs[0] = kmem_cache_alloc_node(c, GFP_KERNEL, -1);
	assert_int_equal(slab_nodeid(virt_to_slab(objs[0])), 1);
	kmem_cache_free(c, objs[0]);
	kmm_set_cpu(0);
	assert_mm_check();
}

/*
 * An allocation for a node that has no free object and cannot grow (its
 * memory is gone: GFP_THISNODE fails at its low watermark) falls back to
 * the nodes of the zonelist that have free objects, before growing a slab
 * anywhere: t-100 on 2 nodes, one object allocated on node 0 (its slab
 * keeps 14 free objects after the refill of 16); node 1 exhausted; an
 * allocation for node 1 gets an object of that same node-0 slab.
 */
static void node_allocation_falls_back_to_free_objects_elsewhere(void **state)
{
	struct kmem_cache *c;
	struct slab *s0;
	void *first, *p;

	boot_or_fail("ram=256M nodes=2 cpus=2");
	c = t100();
	first = kmem_cache_alloc(c, GFP_KERNEL);
	s0 = virt_to_slab(first);
	assert_int_equal(slab_nodeid(s0), 0);
	assert_int_equal(c->nodelists[0]->free_objects, 14);
	while (alloc_pages_node(1, GFP_KERNEL | GFP_THISNODE, 0))
		;
	p = kmem_cache_alloc_node(c, GFP_KERNEL, 1);
	assert_ptr_equal(virt_to_slab(p), s0);
	assert_int_equal(c->nodelists[0]->free_objects, 13);
	assert_int_equal(list_count(&c->nodelists[0]->slabs_partial) +
			 list_count(&c->nodelists[0]->slabs_full) +
			 list_count(&c->nodelists[0]->slabs_free), 1);
	assert_int_equal(list_count(&c->nodelists[1]->slabs_partial) +
			 list_count(&c->nodelists[1]->slabs_full) +
			 list_count(&c->nodelists[1]->slabs_free), 0);
}

/* ---- pages ---- */

/*
 * A SLAB_RECLAIM_ACCOUNT cache takes its pages as reclaimable
 * (__GFP_RECLAIMABLE) and counts them as NR_SLAB_RECLAIMABLE.  In a DMA32
 * emptied by the lab, with min_free_kbytes 0, B = pfn 8192 is a free
 * RECLAIMABLE pageblock and B + 1024 a free UNMOVABLE one (other zones
 * keep what they have): the reclaimable cache's one-page slab comes from
 * the first, t-100's from the second (each is its own type's only block).
 */
static void reclaimable_caches_take_reclaimable_pages(void **state)
{
	unsigned long rec, unrec;
	struct kmem_cache *r, *u;
	struct zone_lab lab;
	void *pr, *pu;

	boot_or_fail("ram=64M cpus=1");
	r = kmem_cache_create("t-3000r", 3000, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	u = t100();
	assert_int_equal(r->gfporder, 0);
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "0"), 0);
	lab_take_zone(&lab, &NODE_DATA(0)->node_zones[ZONE_DMA32]);
	lab_require_pageblock(&lab, 8192);
	lab_require_pageblock(&lab, 8192 + 1024);
	lab_set_type(&lab, 8192, MIGRATE_RECLAIMABLE);
	lab_set_type(&lab, 8192 + 1024, MIGRATE_UNMOVABLE);
	lab_free(&lab, 8192, 512);
	lab_free(&lab, 8192 + 1024, 512);
	rec = global_page_state(NR_SLAB_RECLAIMABLE);
	unrec = global_page_state(NR_SLAB_UNRECLAIMABLE);
	pr = kmem_cache_alloc(r, GFP_KERNEL);
	pu = kmem_cache_alloc(u, GFP_KERNEL);
	assert_int_equal(page_to_pfn(virt_to_page(pr)) & ~511UL, 8192);
	assert_int_equal(page_to_pfn(virt_to_page(pu)) & ~511UL, 8192 + 1024);
	assert_int_equal(global_page_state(NR_SLAB_RECLAIMABLE), rec + 1);
	assert_int_equal(global_page_state(NR_SLAB_UNRECLAIMABLE), unrec + 1);
	kmem_cache_free(r, pr);
	kmem_cache_free(u, pu);
	kmem_cache_destroy(r);
	kmem_cache_destroy(u);
	lab_release(&lab);
	assert_mm_check();
}

/* ---- tunables and geometry ---- */

/*
 * With slab_debug=on (or =1) every cache's arrays hold at most 32: size-64
 * (120) and size-512 (54) get 32 and batchcount 16; size-2048 keeps 24 and 12.
 * Every cache is poisoned; red zones and the last-user word are added
 * below 4096 bytes, or where they fit in the same power of two: not for
 * size-4096 (fls(4095) = 12, fls(4095 + 8 + 16) = 13) nor size-8192.
 */
static void slab_debug_caps_the_arrays_at_32(void **state)
{
	const unsigned long words = SLAB_RED_ZONE | SLAB_STORE_USER;

	boot_or_fail("ram=64M cpus=2 slab_debug=1");
	assert_int_equal(kmem_cache_find("size-2048")->flags & words, words);
	assert_int_equal(kmem_cache_find("size-4096")->flags & words, 0);
	assert_int_equal(kmem_cache_find("size-8192")->flags & words, 0);
	assert_true(kmem_cache_find("size-4096")->flags & SLAB_POISON);
	assert_true(kmem_cache_find("size-32")->flags & SLAB_POISON);
	assert_int_equal(kmem_cache_find("size-64")->limit, 32);
	assert_int_equal(kmem_cache_find("size-64")->batchcount, 16);
	assert_int_equal(kmem_cache_find("size-512")->limit, 32);
	assert_int_equal(kmem_cache_find("size-2048")->limit, 24);
	assert_int_equal(kmem_cache_find("size-2048")->batchcount, 12);
	/* =off and =0 turn it off: the default limits, no debug words. */
	boot_or_fail("ram=64M cpus=2 slab_debug=off");
	assert_int_equal(kmem_cache_find("size-64")->limit, 120);
	boot_or_fail("ram=64M cpus=2 slab_debug=0");
	assert_int_equal(kmem_cache_find("size-64")->limit, 120);
	assert_int_equal(kmem_cache_find("size-2048")->flags & words, 0);
}

/*
 * The statistics' maxfreeable: the most free slabs a node held after a
 * flush.  slab_debug=on, one CPU, t-stat (100 bytes: 128 with the debug
 * words, 30 per slab, limit 32, batchcount 16, free_limit 2 * 16 + 30 =
 * 62).  60 objects: objs[0..29] are the first slab's (a refill of 16, then
 * its last 14), objs[30..59] the second's; the array is shrunk empty.
 * Frees: 32 fill the array; the 33rd flushes objs[0..15]; the 49th flushes
 * objs[16..31], which empties the first slab (kept: 32 free objects): one
 * free slab.
 */
static void statistics_count_the_most_free_slabs(void **state)
{
	struct kmem_cache *c;
	void *objs[60];

	boot_or_fail("ram=64M cpus=1 slab_debug=on");
	c = kmem_cache_create("t-stat", 100, 0, 0, NULL);
	assert_int_equal(c->buffer_size, 128);
	assert_int_equal(c->limit, 32);
	alloc_n(c, objs, 60);
	for (int i = 0; i < 30; i++)
		assert_ptr_equal(virt_to_slab(objs[i]), virt_to_slab(objs[0]));
	for (int i = 0; i < 48; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(cache_stats(c)->max_freeable, 0);
	kmem_cache_free(c, objs[48]);
	assert_int_equal(list_count(&l3_of(c)->slabs_free), 1);
	assert_int_equal(cache_stats(c)->max_freeable, 1);
	for (int i = 49; i < 60; i++)
		kmem_cache_free(c, objs[i]);
	assert_mm_check();
}

/*
 * Geometry at its boundaries.
 *   t-1008: 1008 bytes, word-aligned, off-slab at first (>= 512): 4 per
 *   page, 4096 - 4032 = 64 left (64 * 8 <= 4096: order 0 accepted); the
 *   descriptor, ALIGN(48 + 16, 8) = 64, fits the 64 left exactly, so it
 *   goes on the slab: nothing left, no colour.
 *   t-896: 4 per page, 4096 - 3584 = 512 left, exactly an eighth of the
 *   slab: accepted at order 0 (waste up to an eighth is fine); the
 *   descriptor, ALIGN(48 + 16, 8) = 64, fits: on-slab, 448 left, 7
 *   colours of 64.
 *   On 64M, over 32M of RAM: slab_break_gfp_order is 1, so t-1100 takes
 *   two-page slabs (7 objects; test_slab.c derives it on 256M and 16M).
 *   t-97p: 97 bytes, SLAB_POISON: whole words first, 104, which is also
 *   its object size (what is poisoned, what ksize reports).
 *   t-100u: 100 bytes, SLAB_HWCACHE_ALIGN | SLAB_STORE_USER: the last-user
 *   word needs word alignment only, so the cache line is given up (else
 *   the word would be dropped): 104 + 8 = 112-byte buffers; ksize is the
 *   object's 104.
 */
static void geometry_at_its_boundaries(void **state)
{
	struct kmem_cache *c;

	boot_or_fail("ram=64M cpus=1");
	c = kmem_cache_create("t-1008", 1008, 0, 0, NULL);
	assert_int_equal(c->num, 4);
	assert_int_equal(c->gfporder, 0);
	assert_false(OFF_SLAB(c));
	assert_int_equal(c->slab_size, 64);
	assert_int_equal(c->colour, 0);
	c = kmem_cache_create("t-1100", 1100, 0, 0, NULL);
	assert_int_equal(c->gfporder, 1);
	assert_int_equal(c->num, 7);
	c = kmem_cache_create("t-896", 896, 0, 0, NULL);
	assert_int_equal(c->gfporder, 0);
	assert_int_equal(c->num, 4);
	assert_false(OFF_SLAB(c));
	assert_int_equal(c->colour, 7);
	c = kmem_cache_create("t-97p", 97, 0, SLAB_POISON, NULL);
	assert_int_equal(kmem_cache_size(c), 104);
	assert_int_equal(c->buffer_size, 104);
	c = kmem_cache_create("t-100u", 100, 0, SLAB_HWCACHE_ALIGN | SLAB_STORE_USER, NULL);
	assert_true(c->flags & SLAB_STORE_USER);
	assert_int_equal(c->buffer_size, 112);
	assert_int_equal(ksize(kmem_cache_alloc(c, GFP_KERNEL)), 104);
	assert_mm_check();
}

/*
 * Slabs of two pages are allowed (slab_break_gfp_order 1) only with more
 * than 32M of RAM: more than 8192 pages managed by the page allocator.
 * The machines of 43444K and 43448K are the two sizes whose RAM, after
 * the kernel's reservations, comes to exactly 8192 and 8193 pages
 * (MemTotal 32768 and 32772 kB; fixtures, checked first).  Of the direct
 * mapping's 3-page table estimate (PUD, PMD, the PTEs of the 4K tail) only
 * the tail's PTE table is used and reserved.  t-1100 keeps
 * one-page slabs (3 objects) on the first, two-page ones (7) on the second.
 */
static void two_page_slabs_need_more_than_32m(void **state)
{
	static const struct {
		const char *machine;
		unsigned long pages;
		int order, num;
	} cases[] = {
		{ "ram=43444K cpus=1", 8192, 0, 3 },
		{ "ram=43448K cpus=1", 8193, 1, 7 },
	};

	for (int i = 0; i < 2; i++) {
		struct kmem_cache *c;

		boot_or_fail(cases[i].machine);
		assert_int_equal(totalram_pages, cases[i].pages);
		assert_int_equal(slab_break_gfp_order, cases[i].order);
		c = kmem_cache_create("t-1100", 1100, 0, 0, NULL);
		assert_int_equal(c->gfporder, cases[i].order);
		assert_int_equal(c->num, cases[i].num);
	}
	assert_mm_check();
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(reap_gives_back_a_fifth_of_an_idle_array, teardown_machine),
	cmocka_unit_test_teardown(node_reap_is_staggered_by_the_caches_address, teardown_machine),
	cmocka_unit_test_teardown(node_reap_frees_a_fifth_of_free_limit_in_slabs, teardown_machine),
	cmocka_unit_test_teardown(free_limit_counts_the_cpus_of_the_node, teardown_machine),
	cmocka_unit_test_teardown(free_limit_is_the_most_free_objects_a_node_keeps, teardown_machine),
	cmocka_unit_test_teardown(slabs_move_between_lists_as_2634_puts_them, teardown_machine),
	cmocka_unit_test_teardown(flush_fills_the_shared_array_to_its_limit, teardown_machine),
	cmocka_unit_test_teardown(alien_arrays_hold_12_or_1, teardown_machine),
	cmocka_unit_test_teardown(cache_reap_drains_alien_arrays_node_by_node, teardown_machine),
	cmocka_unit_test_teardown(node_allocation_falls_back_to_free_objects_elsewhere,
				  teardown_machine),
	cmocka_unit_test_teardown(reclaimable_caches_take_reclaimable_pages, teardown_machine),
	cmocka_unit_test_teardown(slab_debug_caps_the_arrays_at_32, teardown_machine),
	cmocka_unit_test_teardown(statistics_count_the_most_free_slabs, teardown_machine),
	cmocka_unit_test_teardown(geometry_at_its_boundaries, teardown_machine),
	cmocka_unit_test_teardown(two_page_slabs_need_more_than_32m, teardown_machine),
};

KMM_TEST_MAIN(tests)
