/*
 * test_slab.c - the SLAB allocator against 2.6.34's rules: the geometry of
 * every general cache and of assorted caches on x86_64 and i386 (each
 * derived by hand below from calculate_slab_order and cache_estimate), the
 * per-CPU array's refill and flush state by state, the shared array,
 * alien arrays on two nodes, colouring, cache_reap, destroy and shrink,
 * every failure point of creation, retuning and growth unwinding exactly,
 * and a randomized multi-CPU run checked by content patterns.
 *
 * Notation in the derivations: S = sizeof(struct slab) of the simulated
 * kernel (48 on x86_64, 28 on i386), 4 bytes per kmem_bufctl_t, on-slab
 * count nr = (4096 * 2^order - S) / (size + 4), then one fewer if
 * ALIGN(S + 4 nr, align) + nr * size > slab bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/fault-inject.h>
#include <kmm/gfp.h>
#include <kmm/procfs.h>
#include <kmm/random.h>
#include <kmm/slab.h>
#include <kmm/vmstat.h>
#include "mm/slab.h"
#include "tests/harness.h"

struct geometry {
	const char *name;
	unsigned int buffer_size, num, pages, limit, batch, shared;
	bool off_slab;
	const char *slabp_cache;	/* off-slab descriptors come from */
	unsigned int colour;
};

static void assert_geometry(const struct geometry *g)
{
	struct kmem_cache *c = kmem_cache_find(g->name);

	if (!c)
		fail_msg("no cache %s", g->name);
	if (c->buffer_size != g->buffer_size || c->num != g->num ||
	    (1u << c->gfporder) != g->pages || c->limit != g->limit ||
	    c->batchcount != g->batch || c->shared != g->shared ||
	    !!OFF_SLAB(c) != g->off_slab || c->colour != g->colour)
		fail_msg("%s: size %u num %u pages %u tunables %u %u %u off-slab %d colour %zu; "
			 "expected %u %u %u, %u %u %u, %d, %u", g->name, c->buffer_size, c->num,
			 1u << c->gfporder, c->limit, c->batchcount, c->shared, !!OFF_SLAB(c),
			 c->colour, g->buffer_size, g->num, g->pages, g->limit, g->batch, g->shared,
			 g->off_slab, g->colour);
	if (g->off_slab)
		assert_string_equal(c->slabp_cache->name, g->slabp_cache);
}

/*
 * x86_64, 2 CPUs, 256M (over 32M: slab_break_gfp_order 1).  Alignment of
 * the kmalloc caches: 8 (ARCH_KMALLOC_MINALIGN) raised by HWCACHE_ALIGN to
 * 64 halved while the object fits in half: 32 for size-32, 64 above.
 *
 *   size-32:  nr = 4048 / 36 = 112; ALIGN(48 + 448, 32) = 512, + 3584 = 4096: fits, left 0
 *   size-64:  nr = 4048 / 68 = 59; ALIGN(48 + 236, 64) = 320, + 3776 = 4096, left 0
 *   size-128: nr = 4048 / 132 = 30; ALIGN(168, 64) = 192, + 3840 = 4032, left 64: 1 colour
 *   size-192: nr = 4048 / 196 = 20; ALIGN(128, 64) = 128, + 3840, left 128: 2 colours
 *   size-256: nr = 4048 / 260 = 15; ALIGN(108, 64) = 128, + 3840, left 128: 2 colours
 *   size-512 and up: 512 >= PAGE_SIZE / 8, so off-slab: nr = 4096 / size, left 0; the
 *     descriptor S + 4 nr (80, 64, 56, 52) comes from size-128, -64, -64, -64.
 *   size-8192: order 0 holds none; order 1 holds 1, and 1 >= break order: 2 pages.
 *     The larger ones likewise take the first order that holds one object.
 *
 * enable_cpucache: limit 120 up to 256 bytes, 54 up to 1024, 24 up to
 * 4096, 8 up to 128K, 1 above; batchcount (limit + 1) / 2; shared 8 for
 * objects up to a page (more than one CPU), else 0.
 */
static const struct geometry x86_64_general[] = {
	{ "size-32", 32, 112, 1, 120, 60, 8, false, NULL, 0 },
	{ "size-64", 64, 59, 1, 120, 60, 8, false, NULL, 0 },
	{ "size-128", 128, 30, 1, 120, 60, 8, false, NULL, 1 },
	{ "size-192", 192, 20, 1, 120, 60, 8, false, NULL, 2 },
	{ "size-256", 256, 15, 1, 120, 60, 8, false, NULL, 2 },
	{ "size-512", 512, 8, 1, 54, 27, 8, true, "size-128", 0 },
	{ "size-1024", 1024, 4, 1, 54, 27, 8, true, "size-64", 0 },
	{ "size-2048", 2048, 2, 1, 24, 12, 8, true, "size-64", 0 },
	{ "size-4096", 4096, 1, 1, 24, 12, 8, true, "size-64", 0 },
	{ "size-8192", 8192, 1, 2, 8, 4, 0, true, "size-64", 0 },
	{ "size-16384", 16384, 1, 4, 8, 4, 0, true, "size-64", 0 },
	{ "size-32768", 32768, 1, 8, 8, 4, 0, true, "size-64", 0 },
	{ "size-65536", 65536, 1, 16, 8, 4, 0, true, "size-64", 0 },
	{ "size-131072", 131072, 1, 32, 8, 4, 0, true, "size-64", 0 },
	{ "size-262144", 262144, 1, 64, 1, 1, 0, true, "size-64", 0 },
	{ "size-524288", 524288, 1, 128, 1, 1, 0, true, "size-64", 0 },
	{ "size-1048576", 1048576, 1, 256, 1, 1, 0, true, "size-64", 0 },
	{ "size-2097152", 2097152, 1, 512, 1, 1, 0, true, "size-64", 0 },
	{ "size-4194304", 4194304, 1, 1024, 1, 1, 0, true, "size-64", 0 },
};

/*
 * i386 (S = 28): the same except size-32, nr = 4068 / 36 = 113,
 * ALIGN(28 + 452, 32) = 480, + 3616 = 4096: 113 objects; and the off-slab
 * descriptors, 28 + 4 nr: 60 (size-64), 44 (size-64), 36 (size-64), and
 * 32 (size-32) from size-4096 on, where each slab holds one object.
 */
static const struct geometry i386_differences[] = {
	{ "size-32", 32, 113, 1, 120, 60, 8, false, NULL, 0 },
	{ "size-512", 512, 8, 1, 54, 27, 8, true, "size-64", 0 },
	{ "size-4096", 4096, 1, 1, 24, 12, 8, true, "size-32", 0 },
};

/* i386 and larger than a page: one object, a 32-byte descriptor from size-32. */
static bool i386_big(const struct geometry *g)
{
	return g->num == 1 && g->buffer_size > 4096;
}

static void general_caches_x86_64(void **state)
{
	char dma[32];

	boot_or_fail("ram=256M cpus=2");
	for (size_t i = 0; i < sizeof(x86_64_general) / sizeof(x86_64_general[0]); i++) {
		struct geometry g = x86_64_general[i];

		assert_geometry(&g);
		/* The DMA twin has the same geometry. */
		snprintf(dma, sizeof(dma), "%s(DMA)", g.name);
		g.name = dma;
		assert_geometry(&g);
	}
	assert_mm_check();
}

static void general_caches_i386(void **state)
{
	boot_or_fail("arch=i386 ram=2G cpus=2");
	for (size_t i = 0; i < sizeof(x86_64_general) / sizeof(x86_64_general[0]); i++) {
		const struct geometry *g = &x86_64_general[i];

		struct geometry big;

		for (size_t k = 0; k < sizeof(i386_differences) / sizeof(i386_differences[0]); k++)
			if (!strcmp(i386_differences[k].name, g->name))
				g = &i386_differences[k];
		if (i386_big(g)) {
			big = *g;
			big.slabp_cache = "size-32";
			g = &big;
		}
		assert_geometry(g);
	}
	assert_mm_check();
}

/*
 * One CPU: no shared array (shared needs more than one possible CPU), and
 * the caches' order in /proc/slabinfo is newest first, ending with the
 * bootstrap's: size-32(DMA), size-128, size-32, kmem_cache on x86_64
 * (size-128 holds struct kmem_list3, 104 bytes, so it is made second).
 */
static void one_cpu_and_creation_order(void **state)
{
	const char *text, *p;

	boot_or_fail("ram=64M cpus=1");
	assert_int_equal(kmem_cache_find("size-64")->shared, 0);
	assert_int_equal(kmem_cache_find("size-64")->limit, 120);
	text = proc_text("/proc/slabinfo");
	p = strstr(text, "\nsize-64(DMA) ");
	assert_non_null(p);
	p = strstr(p, "\nsize-64 ");
	assert_non_null(p);
	p = strstr(p, "\nsize-32(DMA) ");
	assert_non_null(p);
	p = strstr(p, "\nsize-128 ");
	assert_non_null(p);
	p = strstr(p, "\nsize-32 ");
	assert_non_null(p);
	p = strstr(p, "\nkmem_cache ");
	assert_non_null(p);
	assert_string_equal(strchr(p + 1, '\n'), "\n");	/* the last line */
	/*
	 * kmem_cache on x86_64 with NR_CPUS 64 and one node: offsetof(nodelists)
	 * 8 * 64 + 104 = 616, + 8 = 624, to 64 bytes: 640.  nr = 4048 / 644 =
	 * 6; ALIGN(48 + 24, 64) = 128, + 3840 = 3968, left 128: 2 colours.
	 */
	assert_non_null(strstr(text, "kmem_cache           "));
	assert_int_equal(cache_cachep->buffer_size, 640);
	assert_int_equal(cache_cachep->num, 6);
	assert_int_equal(cache_cachep->colour, 2);
}

/* Caches of assorted sizes and flags on x86_64, 256M (break order 1) and 16M (0). */
static void assorted_caches(void **state)
{
	struct kmem_cache *c;

	boot_or_fail("ram=256M cpus=2");

	/*
	 * 100 bytes, HWCACHE_ALIGN: 104 (words), align 64 (104 > 32) -> 128.
	 * On-slab (128 < 512): nr = 4048 / 132 = 30, ALIGN(48 + 120, 64) = 192,
	 * + 3840 = 4032, left 64: one colour.  Tunables 120 60 8.
	 */
	c = kmem_cache_create("t-100", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	assert_int_equal(c->buffer_size, 128);
	assert_int_equal(c->num, 30);
	assert_int_equal(c->gfporder, 0);
	assert_int_equal(c->slab_size, 192);
	assert_int_equal(c->colour, 1);
	assert_int_equal(c->limit, 120);

	/*
	 * 8 bytes, HWCACHE_ALIGN: the alignment halves 64, 32, 16, 8 while 8
	 * still fits in half.  nr = 4048 / 12 = 337, ALIGN(48 + 1348, 8) =
	 * 1400, + 2696 = 4096: 337 objects, nothing left.
	 */
	c = kmem_cache_create("t-8", 8, 0, SLAB_HWCACHE_ALIGN, NULL);
	assert_int_equal(c->buffer_size, 8);
	assert_int_equal(c->num, 337);
	assert_int_equal(c->colour, 0);

	/*
	 * 100 bytes aligned to 128 (no HWCACHE): buffer 128, nr = 30 but
	 * ALIGN(168, 128) = 256, + 3840 = 4096: still 30, left 0; colour_off
	 * is the larger of a cache line and the alignment.
	 */
	c = kmem_cache_create("t-100a128", 100, 128, 0, NULL);
	assert_int_equal(c->buffer_size, 128);
	assert_int_equal(c->num, 30);
	assert_int_equal(c->colour_off, 128);
	assert_int_equal(c->colour, 0);

	/*
	 * 1100 bytes, word-aligned (8): 1104.  Off-slab at first (>= 512).
	 * Order 0: 3 objects, 784 left, 784 * 8 > 4096 and 0 < break order 1:
	 * try order 1: 7 objects, 8192 - 7728 = 464 left; stop at the break
	 * order.  The descriptor, ALIGN(48 + 28, 8) = 80, fits in the 464 left:
	 * back on-slab, 384 left, 6 colours of 64.  Tunables: over 1024 bytes,
	 * 24 12 8.
	 */
	c = kmem_cache_create("t-1100", 1100, 0, 0, NULL);
	assert_int_equal(c->buffer_size, 1104);
	assert_int_equal(c->gfporder, 1);
	assert_int_equal(c->num, 7);
	assert_false(OFF_SLAB(c));
	assert_int_equal(c->slab_size, 80);
	assert_int_equal(c->colour, 6);
	assert_int_equal(c->limit, 24);

	/*
	 * 3000 bytes, reclaimable: the first order that holds an object is
	 * kept (order 0, 1 object, 1096 left); the descriptor 48 + 4 -> 56
	 * fits: on-slab, 1040 left, 16 colours.  Not reclaimable: order 0
	 * wastes too much, order 1 holds 2 (2192 left), on-slab (56), 2136
	 * left: 33 colours.  Tunables 24 12 8.
	 */
	c = kmem_cache_create("t-3000r", 3000, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	assert_int_equal(c->gfporder, 0);
	assert_int_equal(c->num, 1);
	assert_false(OFF_SLAB(c));
	assert_int_equal(c->colour, 16);
	c = kmem_cache_create("t-3000", 3000, 0, 0, NULL);
	assert_int_equal(c->gfporder, 1);
	assert_int_equal(c->num, 2);
	assert_int_equal(c->colour, 33);
	assert_int_equal(c->limit, 24);

	/*
	 * 600 bytes with a red zone and a last-user word: ralign 8; 600 + 16
	 * + 8 = 624, off-slab (>= 512): 4096 / 624 = 6 objects, 352 left,
	 * 352 * 8 = 2816 <= 4096 so order 0 is accepted; the descriptor
	 * ALIGN(48 + 24, 8) = 72 fits in the 352: on-slab, 280 left, 4 colours.
	 * The object starts 8 bytes into its buffer.
	 */
	c = kmem_cache_create("t-600dbg", 600, 0, SLAB_RED_ZONE | SLAB_STORE_USER, NULL);
	assert_int_equal(c->buffer_size, 624);
	assert_int_equal(c->obj_size, 600);
	assert_int_equal(c->obj_offset, 8);
	assert_int_equal(c->num, 6);
	assert_false(OFF_SLAB(c));
	assert_int_equal(c->colour, 4);
	/* An alignment over 8 turns the red zone and the last user off. */
	c = kmem_cache_create("t-600a64", 600, 64, SLAB_RED_ZONE | SLAB_STORE_USER, NULL);
	assert_int_equal(c->flags & (SLAB_RED_ZONE | SLAB_STORE_USER), 0);
	assert_int_equal(c->buffer_size, 640);

	/* A name already in use: refused, with Linux's message. */
	assert_null(kmem_cache_create("t-100", 64, 0, 0, NULL));
	assert_true(dmesg_has("kmem_cache_create: duplicate cache t-100"));
	assert_mm_check();

	/*
	 * 16M: 32M or less keeps slab_break_gfp_order 0, so t-1100 stops at
	 * order 0: 3 objects, 784 left; the descriptor ALIGN(48 + 12, 8) = 64
	 * fits: on-slab, 720 left, 11 colours.
	 */
	boot_or_fail("ram=16M cpus=1");
	c = kmem_cache_create("t-1100", 1100, 0, 0, NULL);
	assert_int_equal(c->gfporder, 0);
	assert_int_equal(c->num, 3);
	assert_false(OFF_SLAB(c));
	assert_int_equal(c->colour, 11);
	assert_mm_check();
}

/* ---- the per-CPU array, state by state ---- */

static struct kmem_list3 *l3_of(struct kmem_cache *c, int node)
{
	return c->nodelists[node];
}

static void *obj_at(struct kmem_cache *c, struct slab *s, unsigned int i)
{
	return index_to_obj(c, s, i);
}

/*
 * One CPU, cache t-100 (30 objects per slab; limit 120, batchcount 60, no
 * shared array; free_limit (1 + 1) * 60 + 30 = 150).
 */
static void array_refill_and_flush(void **state)
{
	struct kmem_cache *c;
	struct array_cache *ac;
	struct kmem_list3 *l3;
	struct slab *s1, *s2;
	void *objs[200];

	boot_or_fail("ram=64M cpus=1");
	c = kmem_cache_create("t-100", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	ac = cpu_cache_get(c);
	l3 = l3_of(c, 0);
	assert_int_equal(l3->free_limit, 150);
	assert_int_equal(ac->avail, 0);
	assert_int_equal(ac->touched, 0);

	/*
	 * First allocation: the array is empty and untouched, so the refill
	 * takes at most BATCHREFILL_LIMIT = 16.  No slab: grow one (30 free),
	 * retry, take objects 0..15 (the free chain runs in address order);
	 * the slab is partial with 16 in use, 14 free objects remain counted.
	 * The last one taken, object 15, is returned.
	 */
	objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	s1 = list_entry(l3->slabs_partial.next, struct slab, list);
	assert_ptr_equal(objs[0], obj_at(c, s1, 15));
	assert_int_equal(ac->avail, 15);
	assert_int_equal(ac->touched, 1);
	assert_int_equal(s1->inuse, 16);
	assert_int_equal(l3->free_objects, 14);
	assert_true(l3->free_touched);
	/* The next 15 come off the top of the array: objects 14 down to 0. */
	for (int i = 1; i <= 15; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_ptr_equal(objs[i], obj_at(c, s1, 15 - i));
	}
	assert_int_equal(ac->avail, 0);

	/*
	 * Touched now, so the full batch of 60 is wanted: the partial slab
	 * gives its last 14 (it becomes full) and there is no other slab, so
	 * the refill stops there without growing (the array is not empty).
	 */
	objs[16] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_equal(objs[16], obj_at(c, s1, 29));
	assert_int_equal(ac->avail, 13);
	assert_int_equal(s1->inuse, 30);
	assert_ptr_equal(l3->slabs_full.next, &s1->list);
	assert_int_equal(l3->free_objects, 0);
	for (int i = 17; i < 30; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(ac->avail, 0);
	/* Empty again: a new slab, of which the full batch (capped by 30) goes to the array. */
	objs[30] = kmem_cache_alloc(c, GFP_KERNEL);
	s2 = list_entry(l3->slabs_full.next, struct slab, list);
	assert_ptr_equal(objs[30], obj_at(c, s2, 29));
	assert_int_equal(ac->avail, 29);
	assert_int_equal(l3->free_objects, 0);
	for (int i = 31; i < 60; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);

	/*
	 * Frees fill the array up to its limit of 120 without touching the
	 * slabs; 60 objects are in use, so every free is a hit.
	 */
	for (int i = 0; i < 60; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(ac->avail, 60);
	assert_int_equal(s1->inuse, 30);
	assert_int_equal(s2->inuse, 30);
	assert_int_equal(l3->free_objects, 0);
	assert_ptr_equal(ac->entry[59], objs[59]);
	assert_mm_check();
}

/*
 * The flush: with the array at its limit, a free moves the batchcount
 * oldest objects (the bottom of the stack) back to their slabs.
 */
static void array_flush_takes_the_oldest(void **state)
{
	struct kmem_cache *c;
	struct array_cache *ac;
	struct kmem_list3 *l3;
	void *objs[125];

	boot_or_fail("ram=64M cpus=1");
	c = kmem_cache_create("t-100", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	ac = cpu_cache_get(c);
	l3 = l3_of(c, 0);
	for (int i = 0; i < 121; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	/* 121 objects out of 5 slabs (150 objects); the array holds the rest. */
	assert_int_equal(ac->avail + l3->free_objects, 150 - 121);
	/* Drain the array so the flush below starts from an empty array. */
	kmem_cache_shrink(c);
	assert_int_equal(ac->avail, 0);
	for (int i = 0; i < 120; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(ac->avail, 120);
	/* The 121st free: objs[0..59] go back to their slabs, objs[60..119] slide down. */
	kmem_cache_free(c, objs[120]);
	assert_int_equal(ac->avail, 61);
	assert_ptr_equal(ac->entry[0], objs[60]);
	assert_ptr_equal(ac->entry[59], objs[119]);
	assert_ptr_equal(ac->entry[60], objs[120]);
	assert_int_equal(l3->free_objects, 150 - 121 + 60);
	for (int i = 0; i < 60; i++) {
		struct slab *s = virt_to_slab(objs[i]);

		assert_true(s->inuse < c->num);
	}
	assert_mm_check();
}

/*
 * Slabs that empty go to the free list until the node holds more than
 * free_limit free objects; then they go back to the page allocator.
 */
static void free_limit_returns_slabs(void **state)
{
	struct kmem_cache *c;
	struct kmem_list3 *l3;
	unsigned long slab_pages;
	void *objs[600];
	int n = 0;

	boot_or_fail("ram=64M cpus=1");
	c = kmem_cache_create("t-100", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	l3 = l3_of(c, 0);
	/* 20 slabs' worth, then give back the array so all are full. */
	for (n = 0; n < 600; n++)
		objs[n] = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_shrink(c);
	slab_pages = global_page_state(NR_SLAB_UNRECLAIMABLE);
	/*
	 * Tune the array down to 1 entry (batchcount 1) so that every free
	 * reaches free_block: limit 1, batch 1 gives free_limit (1 + 1) * 1 +
	 * 30 = 32.
	 */
	assert_int_equal(proc_write("/proc/slabinfo", "t-100 1 1 0"), 0);
	assert_int_equal(l3->free_limit, 32);
	for (int i = 0; i < 600; i++)
		kmem_cache_free(c, objs[i]);
	/*
	 * Each free of a slab's last object: free_objects goes over 32 once a
	 * second slab is emptied (60 > 32), so only one free slab is kept (30
	 * free objects) and the array holds the last object freed.
	 */
	assert_int_equal(cpu_cache_get(c)->avail, 1);
	assert_true(l3->free_objects <= 32 + c->num);
	assert_int_equal(list_count(&l3->slabs_full), 0);
	assert_true(global_page_state(NR_SLAB_UNRECLAIMABLE) < slab_pages);
	assert_mm_check();
}

/* ---- the slab page map ---- */

/*
 * Every page of every slab names its cache in the map (an order-3 slab:
 * all eight pages), and no other page does: a page from alloc_pages(),
 * NULL, ZERO_SIZE_PTR, an address outside RAM.  The map holds one entry
 * per slab page (NR_SLAB_*), and a destroyed cache's pages lose theirs;
 * kfree() of a page block is still refused (its slow path reads the
 * struct page and reports).
 */
static void slab_page_map_names_each_slab_page(void **state)
{
	struct kmem_cache *c;
	struct page *page, *slab;
	char *obj, *small, local;
	unsigned long before;

	boot_or_fail("ram=64M cpus=1");
	before = slab_pagemap_nr;
	assert_int_equal(before, global_page_state(NR_SLAB_RECLAIMABLE) +
			 global_page_state(NR_SLAB_UNRECLAIMABLE));
	c = kmem_cache_create("t-20000", 20000, 0, 0, NULL);
	assert_int_equal(c->gfporder, 3);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	page = slab = slab_page(virt_to_slab(obj));
	for (int i = 0; i < 8; i++)
		assert_ptr_equal(slab_pagemap_cache(page_address(page + i)), c);
	assert_ptr_equal(slab_pagemap_cache(page_address(page) + 8 * PAGE_SIZE - 1), c);
	assert_int_equal(slab_pagemap_nr, before + 8);
	assert_null(slab_pagemap_cache(NULL));
	assert_null(slab_pagemap_cache(ZERO_SIZE_PTR));
	assert_null(slab_pagemap_cache(&local));
	assert_null(slab_pagemap_cache(hw_ram_base + slab_pagemap_pfns * PAGE_SIZE));	/* past the map */
	page = alloc_pages(GFP_KERNEL, 0);
	assert_null(slab_pagemap_cache(page_address(page)));
	small = kmalloc(100, GFP_KERNEL);
	assert_ptr_equal(slab_pagemap_cache(small), kmem_find_general_cachep(100, GFP_KERNEL));
	assert_mm_check();
	kfree(small);
	kmem_cache_free(c, obj);
	kmem_cache_destroy(c);
	for (int i = 0; i < 8; i++)
		assert_null(slab_pagemap_cache((char *)page_address(slab) + i * PAGE_SIZE));
	assert_int_equal(slab_pagemap_nr, global_page_state(NR_SLAB_RECLAIMABLE) +
			 global_page_state(NR_SLAB_UNRECLAIMABLE));
	__free_pages(page, 0);
	assert_mm_check();
}

/* ---- colouring ---- */

/*
 * t-1100 (order 1, on-slab descriptor of 80 bytes, 6 colours of 64):
 * successive slabs start their descriptor at 0, 64, ..., 320, then 0 again;
 * the objects follow the descriptor.
 */
static void colouring_wraps(void **state)
{
	struct kmem_cache *c;
	void *objs[7 * 8];

	boot_or_fail("ram=256M cpus=1");
	c = kmem_cache_create("t-1100", 1100, 0, 0, NULL);
	assert_int_equal(c->colour, 6);
	for (int slab = 0; slab < 8; slab++) {
		struct slab *s;
		unsigned long page;

		for (int i = 0; i < 7; i++)
			objs[slab * 7 + i] = kmem_cache_alloc(c, GFP_KERNEL);
		s = virt_to_slab(objs[slab * 7]);
		page = (unsigned long)lowmem_page_address(slab_page(s));
		assert_int_equal(s->colouroff, (slab % 6) * 64 + 80);
		assert_int_equal((unsigned long)slab_s_mem(s) - page, (slab % 6) * 64 + 80);
		assert_int_equal((unsigned long)slab_bufctl(s) - page, (slab % 6) * 64 + 48);
	}
	for (int i = 0; i < 7 * 8; i++)
		kmem_cache_free(c, objs[i]);
	assert_mm_check();
}

/* ---- two CPUs: the shared array ---- */

/*
 * Two CPUs, t-100 (limit 120, batch 60, shared 8 * 60 = 480 entries).  A
 * full array flushes into the shared array; the other CPU's refill takes
 * from it (marking it touched) before any slab.
 */
static void shared_array_between_cpus(void **state)
{
	struct kmem_cache *c;
	struct kmem_list3 *l3;
	void *objs[121], *p;

	boot_or_fail("ram=64M cpus=2");
	c = kmem_cache_create("t-100", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	l3 = l3_of(c, 0);
	assert_int_equal(l3->shared->limit, 480);
	/* free_limit: (1 + 2 CPUs) * 60 + 30 = 210. */
	assert_int_equal(l3->free_limit, 210);
	kmm_set_cpu(0);
	for (int i = 0; i < 121; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_shrink(c);
	for (int i = 0; i < 121; i++)
		kmem_cache_free(c, objs[i]);
	/* The 121st free moved objs[0..59] into the shared array. */
	assert_int_equal(l3->shared->avail, 60);
	assert_int_equal(cpu_cache_get(c)->avail, 61);
	/* CPU 1's first refill (untouched: 16) takes the shared array's top 16. */
	kmm_set_cpu(1);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_equal(p, objs[59]);
	assert_int_equal(l3->shared->avail, 44);
	assert_int_equal(l3->shared->touched, 1);
	assert_int_equal(cpu_cache_get(c)->avail, 15);
	kmem_cache_free(c, p);
	kmm_set_cpu(0);
	assert_mm_check();
}

/* ---- two nodes: alien arrays ---- */

/*
 * 2 nodes, one CPU each.  An object of node 1 freed on CPU 0 (node 0)
 * goes into node 0's alien array for node 1 (12 entries for limit > 1);
 * the 13th such free drains it to node 1 (its shared array first).
 */
static void alien_frees_on_two_nodes(void **state)
{
	struct kmem_cache *c;
	struct array_cache *alien;
	void *objs[13];

	boot_or_fail("ram=256M nodes=2 cpus=2");
	assert_int_equal(cpu_to_node(1), 1);
	c = kmem_cache_create("t-100", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	alien = l3_of(c, 0)->alien[1];
	assert_non_null(alien);
	assert_int_equal(alien->limit, 12);
	assert_null(l3_of(c, 0)->alien[0]);
	kmm_set_cpu(1);
	for (int i = 0; i < 13; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_int_equal(slab_nodeid(virt_to_slab(objs[i])), 1);
	}
	kmm_set_cpu(0);
	for (int i = 0; i < 12; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(alien->avail, 12);
	assert_int_equal(cpu_cache_get(c)->avail, 0);
	kmem_cache_free(c, objs[12]);
	/* Drained into node 1's shared array (room for 480), then the new one. */
	assert_int_equal(alien->avail, 1);
	assert_int_equal(l3_of(c, 1)->shared->avail, 12);
	/* kmem_cache_alloc_node for node 1 from CPU 0 takes a node-1 object. */
	objs[0] = kmem_cache_alloc_node(c, GFP_KERNEL, 1);
	assert_int_equal(slab_nodeid(virt_to_slab(objs[0])), 1);
	kmem_cache_free(c, objs[0]);
	kmem_cache_shrink(c);
	assert_int_equal(alien->avail, 0);
	assert_mm_check();
}

/* ---- cache_reap ---- */

/*
 * Every 2 s: an array touched since the last pass is only un-touched; an
 * untouched one gives back (limit + 4) / 5 = 24 of its oldest objects (or
 * half, if it holds fewer).  Every 4 s per node: free slabs beyond need.
 */
static void cache_reap_drains_idle_arrays(void **state)
{
	struct kmem_cache *c;
	struct array_cache *ac;
	void *objs[60];

	boot_or_fail("ram=64M cpus=1");
	c = kmem_cache_create("t-100", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	ac = cpu_cache_get(c);
	for (int i = 0; i < 60; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (int i = 0; i < 60; i++)
		kmem_cache_free(c, objs[i]);
	/* 60 in use came from 2 slabs; freeing them filled the array (touched by the allocs). */
	assert_int_equal(ac->avail, 60);
	assert_int_equal(ac->touched, 1);
	kmm_advance_clock(2ULL * 1000000000ULL);	/* first pass: touched -> cleared */
	assert_int_equal(ac->avail, 60);
	assert_int_equal(ac->touched, 0);
	kmm_advance_clock(2ULL * 1000000000ULL);	/* second: 24 oldest go back */
	assert_int_equal(ac->avail, 36);
	assert_ptr_equal(ac->entry[0], objs[24]);
	kmm_advance_clock(2ULL * 1000000000ULL);
	assert_int_equal(ac->avail, 12);
	kmm_advance_clock(2ULL * 1000000000ULL);	/* 24 > 12: half, (12 + 1) / 2 = 6 */
	assert_int_equal(ac->avail, 6);
	assert_mm_check();
}

/* ---- destroy, shrink, kmalloc ---- */

static void destroy_refused_while_in_use(void **state)
{
	struct kmem_cache *c;
	unsigned long warm;
	void *p;

	boot_or_fail("ram=64M cpus=2");
	c = kmem_cache_create("t-destroy", 200, 0, 0, NULL);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_destroy(c);
	assert_true(dmesg_has("slab error in kmem_cache_destroy(): cache `t-destroy': "
			      "Can't free all objects"));
	/* Still there, and back at the head of the chain (first in slabinfo). */
	assert_ptr_equal(kmem_cache_find("t-destroy"), c);
	assert_non_null(strstr(proc_text("/proc/slabinfo"), "sharedavail>\nt-destroy "));
	kmem_cache_free(c, p);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	assert_null(kmem_cache_find("t-destroy"));
	/*
	 * Its slab pages, arrays and lists are all given back: once the
	 * general caches are warm, twenty more lives of a cache leave the
	 * slab page count where it was.
	 */
	refresh_all_vm_stats();
	warm = global_page_state(NR_SLAB_UNRECLAIMABLE);
	for (int i = 0; i < 20; i++) {
		c = kmem_cache_create("t-destroy", 200, 0, 0, NULL);
		for (int k = 0; k < 50; k++)
			kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
		kmem_cache_destroy(c);
	}
	refresh_all_vm_stats();
	assert_true(global_page_state(NR_SLAB_UNRECLAIMABLE) <= warm);
	assert_mm_check();
}

static void kmalloc_picks_the_size_class(void **state)
{
	static const struct {
		size_t size;
		const char *cache;
	} cases[] = {
		{ 1, "size-32" }, { 32, "size-32" }, { 33, "size-64" }, { 64, "size-64" },
		{ 65, "size-128" }, { 128, "size-128" }, { 129, "size-192" }, { 192, "size-192" },
		{ 193, "size-256" }, { 257, "size-512" }, { 4096, "size-4096" },
		{ 4097, "size-8192" }, { 4194304, "size-4194304" },
	};
	void *p;

	boot_or_fail("ram=256M cpus=1");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = kmalloc(cases[i].size, GFP_KERNEL);
		assert_non_null(p);
		assert_string_equal(virt_to_cache(p)->name, cases[i].cache);
		assert_int_equal(ksize(p), virt_to_cache(p)->buffer_size);
		kfree(p);
	}
	/* The DMA twin, and its pages in ZONE_DMA. */
	p = kmalloc(100, GFP_KERNEL | GFP_DMA);
	assert_string_equal(virt_to_cache(p)->name, "size-128(DMA)");
	assert_int_equal(page_zonenum(virt_to_page(p)), ZONE_DMA);
	kfree(p);
	/* The lookup table agrees with Linux's walk of malloc_sizes for every size. */
	for (size_t size = 1; size <= KMALLOC_MAX_SIZE; size += size < 8192 ? 1 : 4093) {
		int walk = 0;

		while (size > malloc_sizes[walk].cs_size)
			walk++;
		if (kmalloc_index(size) != walk)
			fail_msg("size %zu: index %d, walk %d", size, kmalloc_index(size), walk);
	}
	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	assert_int_equal(ksize(ZERO_SIZE_PTR), 0);
}

static void util_helpers(void **state)
{
	char *s, *t;
	int *v;

	boot_or_fail("ram=64M cpus=1");
	s = kstrdup("hello, slab", GFP_KERNEL);
	assert_string_equal(s, "hello, slab");
	assert_string_equal(virt_to_cache(s)->name, "size-32");
	t = kstrndup("abcdef", 3, GFP_KERNEL);
	assert_string_equal(t, "abc");
	/* krealloc within the object's size keeps it; beyond moves and frees. */
	assert_ptr_equal(krealloc(s, 30, GFP_KERNEL), s);
	t = krealloc(t, 100, GFP_KERNEL);
	assert_string_equal(t, "abc");
	assert_string_equal(virt_to_cache(t)->name, "size-128");
	assert_ptr_equal(krealloc(t, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	v = kcalloc(10, sizeof(int), GFP_KERNEL);
	for (int i = 0; i < 10; i++)
		assert_int_equal(v[i], 0);
	assert_null(kcalloc(~0UL / 2, 4, GFP_KERNEL));
	kzfree(v);
	t = kmemdup("xyz", 4, GFP_KERNEL);
	assert_string_equal(t, "xyz");
	kfree(t);
	kfree(s);
	assert_mm_check();
}

/* A constructor runs once per object when its slab is made, not per allocation. */
static int ctor_calls;

static void count_ctor(void *obj)
{
	ctor_calls++;
	memset(obj, 0x42, 16);
}

static void constructors_run_at_grow(void **state)
{
	struct kmem_cache *c;
	unsigned char *p;

	boot_or_fail("ram=64M cpus=1");
	ctor_calls = 0;
	c = kmem_cache_create("t-ctor", 64, 0, 0, count_ctor);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(ctor_calls, c->num);
	assert_int_equal(p[0], 0x42);
	p[0] = 0;
	kmem_cache_free(c, p);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(ctor_calls, c->num);
	assert_int_equal(p[0], 0);	/* the object keeps what it had: no second ctor */
	kmem_cache_free(c, p);
}

/* ---- fault injection: every failure unwinds, exactly ---- */

/*
 * What the slab allocator holds, once every cache is shrunk and the
 * per-CPU page lists drained: per cache (in chain order) the objects its
 * callers hold ("in_use": the objects in use less the descriptors of
 * off-slab caches' slabs) and its objects and slabs in all and what its
 * shared array holds ("all", the /proc/slabinfo columns; tunables are
 * left out, a failed retune may keep its new limits as in Linux); the slab
 * pages; the free pages.
 */
struct slab_snapshot {
	char in_use[8192], all[16384];
	unsigned long slab_pages, free_pages;
};

static void slab_snapshot(struct slab_snapshot *snap)
{
	struct {
		char name[64];
		unsigned long active, num, active_slabs, num_slabs, shared;
	} e[128];
	struct kmem_cache *c;
	const char *line;
	size_t n = 0, k = 0;
	int nr = 0;

	list_for_each_entry(c, &cache_chain, next)
		kmem_cache_shrink(c);
	drain_all_pages();
	refresh_all_vm_stats();
	snap->slab_pages = global_page_state(NR_SLAB_UNRECLAIMABLE) +
			   global_page_state(NR_SLAB_RECLAIMABLE);
	snap->free_pages = nr_free_pages();
	for (line = strchr(proc_text("/proc/slabinfo"), '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		if (line[1] == '#')
			continue;
		assert_true(nr < 128);
		if (sscanf(line + 1, "%63s %lu %lu %*u %*u %*u : tunables %*u %*u %*u : slabdata %lu %lu %lu",
			   e[nr].name, &e[nr].active, &e[nr].num, &e[nr].active_slabs, &e[nr].num_slabs,
			   &e[nr].shared) != 6)
			fail_msg("unreadable slabinfo line: %.80s", line + 1);
		k += snprintf(snap->all + k, sizeof(snap->all) - k, "%s %lu %lu %lu %lu %lu\n",
			      e[nr].name, e[nr].active, e[nr].num, e[nr].active_slabs, e[nr].num_slabs,
			      e[nr].shared);
		nr++;
	}
	/* In use by callers: an off-slab cache's descriptors are objects of its slabp_cache. */
	for (int i = 0; i < nr; i++) {
		c = kmem_cache_find(e[i].name);
		if (c && OFF_SLAB(c))
			for (int j = 0; j < nr; j++)
				if (!strcmp(e[j].name, c->slabp_cache->name))
					e[j].active -= e[i].num_slabs;
	}
	for (int i = 0; i < nr; i++)
		n += snprintf(snap->in_use + n, sizeof(snap->in_use) - n, "%s %lu\n", e[i].name,
			      e[i].active);
}

/* Print the lines of @b and @a that differ; returns how many. */
static int diff_lines(const char *what, const char *b, const char *a)
{
	int changed = 0;

	while (*b || *a) {
		size_t lb = strcspn(b, "\n"), la = strcspn(a, "\n");

		if (lb != la || strncmp(b, a, lb)) {
			print_message("%s: before: %.*s\n%s:  after: %.*s\n", what, (int)lb, b, what,
				      (int)la, a);
			changed++;
		}
		b += lb + !!b[lb];
		a += la + !!a[la];
	}
	return changed;
}

/*
 * Fail, naming each cache that changed, unless the allocator holds what
 * @before says.  @exact: every count, the slab pages and the free pages
 * are the same.  Otherwise (an operation that legitimately reshuffles
 * objects, as a retune does: partial slabs may stay) every cache has the
 * same objects in use and the pages are all accounted for: free plus slab
 * pages are the same.  A leaked object or page fails either way.
 */
static void assert_same_snapshot(const struct slab_snapshot *before, const char *what, bool exact)
{
	struct slab_snapshot after;
	int changed;

	slab_snapshot(&after);
	if (exact) {
		changed = diff_lines(what, before->all, after.all);
		if (changed || before->slab_pages != after.slab_pages ||
		    before->free_pages != after.free_pages)
			fail_msg("%s: %d caches changed; slab pages %lu -> %lu, free pages %lu -> %lu",
				 what, changed, before->slab_pages, after.slab_pages, before->free_pages,
				 after.free_pages);
		return;
	}
	changed = diff_lines(what, before->in_use, after.in_use);
	if (changed || before->slab_pages + before->free_pages != after.slab_pages + after.free_pages)
		fail_msg("%s: %d caches have other objects in use; slab + free pages %lu -> %lu", what,
			 changed, before->slab_pages + before->free_pages,
			 after.slab_pages + after.free_pages);
}

/*
 * failslab fails allocations from every cache but cache_cache; by default
 * it spares those that may sleep.  With probability 100 every eligible
 * kmalloc fails and a cache cannot even be created.
 */
static void failslab_fails_kmalloc_and_spares_sleepers_by_default(void **state)
{
	void *p;

	boot_or_fail("ram=64M cpus=2");
	fault_attr_set(&failslab_attr, "verbose", 0);
	fault_attr_set(&failslab_attr, "probability", 100);
	fault_attr_set(&failslab_attr, "times", -1);
	assert_null(kmalloc(64, GFP_ATOMIC));
	assert_non_null(p = kmalloc(64, GFP_KERNEL));
	kfree(p);
	*fault_filter_file("failslab", "ignore-gfp-wait") = 0;
	assert_null(kmalloc(64, GFP_KERNEL));
	assert_null(kmem_cache_create("t-fail", 100, 0, 0, NULL));
	assert_null(kmem_cache_find("t-fail"));
	fault_attr_set(&failslab_attr, "probability", 0);
	assert_mm_check();
}

/*
 * With every page allocation failing, an allocation that needs a new slab
 * returns NULL (the refill grows nothing and gives up; it does not retry
 * for ever), and the cache is as it was.
 */
static void slab_allocation_fails_when_no_page_comes(void **state)
{
	struct kmem_cache *c;

	boot_or_fail("ram=64M cpus=1");
	c = kmem_cache_create("t-nopage", 3000, 0, 0, NULL);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/min-order", "0"), 0);
	fault_attr_set(&fail_page_alloc_attr, "verbose", 0);
	fault_attr_set(&fail_page_alloc_attr, "times", -1);
	fault_attr_set(&fail_page_alloc_attr, "probability", 100);
	assert_null(kmem_cache_alloc(c, GFP_KERNEL));
	assert_null(kmem_cache_alloc(c, GFP_ATOMIC));
	fault_attr_set(&fail_page_alloc_attr, "probability", 0);
	assert_int_equal(list_count(&c->nodelists[0]->slabs_free), 0);
	assert_int_equal(cpu_cache_get(c)->avail, 0);
	kmem_cache_destroy(c);
	assert_mm_check();
}

/*
 * Walk every failure point of an operation (SQLite's way): fail the 1st
 * eligible allocation, then the 2nd, ..., until the operation runs without
 * reaching the failure.  @op returns true when it left something for
 * @undo to take back.  After each attempt the allocator must hold what it
 * held (assert_same_snapshot, @exact or not).  Returns the number of
 * failure points.
 */
static int sweep_failures(struct fault_attr *attr, const char *what, bool (*op)(void),
			  void (*undo)(void), bool exact)
{
	struct slab_snapshot before;
	int nth;

	slab_snapshot(&before);
	for (nth = 1;; nth++) {
		unsigned long failures = attr->failures;
		bool ok;
		char label[96];

		fault_attr_set(attr, "fail-nth", nth);
		ok = op();
		fault_attr_set(attr, "fail-nth", 0);
		if (ok)
			undo();
		snprintf(label, sizeof(label), "%s, failure %d", what, nth);
		assert_same_snapshot(&before, label, exact);
		if (attr->failures == failures) {
			assert_true(ok);
			return nth - 1;
		}
	}
}

/* Create t-fail and use it; true if the cache exists (to be destroyed). */
static bool create_t_fail(void)
{
	struct kmem_cache *c = kmem_cache_create("t-fail", 100, 0, 0, NULL);
	void *p;

	assert_ptr_equal(kmem_cache_find("t-fail"), c);
	if (!c)
		return false;
	/* An object: the cache's first slab and its array's first refill (which may fail). */
	p = kmem_cache_alloc(c, GFP_KERNEL);
	if (p)
		kmem_cache_free(c, p);
	return true;
}

static void destroy_t_fail(void)
{
	kmem_cache_destroy(kmem_cache_find("t-fail"));
	assert_null(kmem_cache_find("t-fail"));
}

/* Retune size-64; its old tunables come back whether or not this worked. */
static bool retune_size64(void)
{
	proc_write("/proc/slabinfo", "size-64 64 32 4");
	return true;
}

static void retune_size64_back(void)
{
	assert_int_equal(proc_write("/proc/slabinfo", "size-64 120 60 8"), 0);
}

static bool kmalloc_a_slab(void)
{
	void *p = kmalloc(3000, GFP_KERNEL);

	kfree(p);
	return p != NULL;
}

static void nothing(void)
{
}

/*
 * Every failure of a cache's creation (its kmem_list3s, array caches,
 * shared and alien arrays, on one node and on two), of a retune through
 * /proc/slabinfo, and of the page allocator under a growing cache, leaves
 * the allocator exactly as it was.
 */
static void every_failure_point_unwinds_exactly(void **state)
{
	static const char *const machines[] = { "ram=64M cpus=2", "ram=256M nodes=2 cpus=2" };

	for (int m = 0; m < 2; m++) {
		boot_or_fail(machines[m]);
		fault_attr_set(&failslab_attr, "verbose", 0);
		*fault_filter_file("failslab", "ignore-gfp-wait") = 0;
		assert_true(sweep_failures(&failslab_attr, "kmem_cache_create", create_t_fail,
					   destroy_t_fail, true) >= 4);
		assert_true(sweep_failures(&failslab_attr, "retune", retune_size64,
					   retune_size64_back, false) >= 2);
		fault_attr_set(&fail_page_alloc_attr, "verbose", 0);
		assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N"), 0);
		assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/min-order", "0"), 0);
		assert_true(sweep_failures(&fail_page_alloc_attr, "kmem_cache_create, pages",
					   create_t_fail, destroy_t_fail, true) >= 1);
		assert_true(sweep_failures(&fail_page_alloc_attr, "kmalloc, pages", kmalloc_a_slab,
					   nothing, true) >= 1);
		assert_mm_check();
	}
}

/* ---- a randomized run on several CPUs ---- */

struct live {
	void *p;
	struct kmem_cache *c;	/* NULL: kmalloc'd */
	size_t size;
	u64 tag;
};

static void fill_tag(struct live *l)
{
	for (size_t i = 0; i + 8 <= l->size; i += 8)
		memcpy((char *)l->p + i, &l->tag, 8);
}

static bool tag_intact(const struct live *l)
{
	for (size_t i = 0; i + 8 <= l->size; i += 8)
		if (memcmp((char *)l->p + i, &l->tag, 8))
			return false;
	return true;
}

/*
 * Random allocations and frees from three caches and kmalloc on 4 CPUs
 * and 2 nodes, each object filled with its own tag: a tag overwritten
 * means two live objects overlapped.  At the end everything is freed, the
 * caches are destroyed, and the slab pages return to what they were.
 */
static void randomized_against_tags(void **state)
{
	enum { N = 3000, STEPS = 40000 };
	struct live *live = calloc(N, sizeof(*live));
	struct kmem_cache *caches[3];
	unsigned long slab_before;
	int n = 0;

	boot_or_fail("ram=256M nodes=2 cpus=4 seed=9");
	refresh_all_vm_stats();
	slab_before = global_page_state(NR_SLAB_UNRECLAIMABLE);
	caches[0] = kmem_cache_create("r-40", 40, 0, 0, NULL);
	caches[1] = kmem_cache_create("r-300", 300, 0, SLAB_HWCACHE_ALIGN, NULL);
	caches[2] = kmem_cache_create("r-5000", 5000, 0, 0, NULL);
	for (int step = 0; step < STEPS; step++) {
		kmm_set_cpu(prandom_below(4));
		if (n < N && (n == 0 || prandom_below(100) < 55)) {
			struct live *l = &live[n];
			unsigned int kind = prandom_below(4);

			l->c = kind < 3 ? caches[kind] : NULL;
			l->size = l->c ? kmem_cache_size(l->c) : 8 + prandom_below(3000);
			if (l->c && prandom_below(4) == 0)
				l->p = kmem_cache_alloc_node(l->c, GFP_KERNEL, prandom_below(2));
			else
				l->p = l->c ? kmem_cache_alloc(l->c, GFP_KERNEL) :
					      kmalloc(l->size, GFP_KERNEL);
			assert_non_null(l->p);
			l->tag = prandom_u64();
			fill_tag(l);
			n++;
		} else if (n) {
			int i = prandom_below(n);

			if (!tag_intact(&live[i]))
				fail_msg("object %p overwritten (step %d)", live[i].p, step);
			if (live[i].c)
				kmem_cache_free(live[i].c, live[i].p);
			else
				kfree(live[i].p);
			live[i] = live[--n];
		}
		if (step % 10000 == 9999)
			assert_mm_check();
	}
	for (int i = 0; i < n; i++) {
		assert_true(tag_intact(&live[i]));
		if (live[i].c)
			kmem_cache_free(live[i].c, live[i].p);
		else
			kfree(live[i].p);
	}
	assert_mm_check();
	for (int i = 0; i < 3; i++) {
		kmm_set_cpu(i);
		kmem_cache_destroy(caches[i]);
		assert_false(dmesg_has("Can't free all objects"));
	}
	free(live);
	assert_mm_check();
	/* With every cache shrunk, no more slab pages than right after boot. */
	{
		struct kmem_cache *c;

		list_for_each_entry(c, &cache_chain, next)
			kmem_cache_shrink(c);
	}
	refresh_all_vm_stats();
	assert_true(global_page_state(NR_SLAB_UNRECLAIMABLE) <= slab_before);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(general_caches_x86_64, teardown_machine),
		cmocka_unit_test_teardown(general_caches_i386, teardown_machine),
		cmocka_unit_test_teardown(one_cpu_and_creation_order, teardown_machine),
		cmocka_unit_test_teardown(assorted_caches, teardown_machine),
		cmocka_unit_test_teardown(array_refill_and_flush, teardown_machine),
		cmocka_unit_test_teardown(array_flush_takes_the_oldest, teardown_machine),
		cmocka_unit_test_teardown(free_limit_returns_slabs, teardown_machine),
		cmocka_unit_test_teardown(slab_page_map_names_each_slab_page, teardown_machine),
		cmocka_unit_test_teardown(colouring_wraps, teardown_machine),
		cmocka_unit_test_teardown(shared_array_between_cpus, teardown_machine),
		cmocka_unit_test_teardown(alien_frees_on_two_nodes, teardown_machine),
		cmocka_unit_test_teardown(cache_reap_drains_idle_arrays, teardown_machine),
		cmocka_unit_test_teardown(destroy_refused_while_in_use, teardown_machine),
		cmocka_unit_test_teardown(kmalloc_picks_the_size_class, teardown_machine),
		cmocka_unit_test_teardown(util_helpers, teardown_machine),
		cmocka_unit_test_teardown(constructors_run_at_grow, teardown_machine),
		cmocka_unit_test_teardown(failslab_fails_kmalloc_and_spares_sleepers_by_default,
					  teardown_machine),
		cmocka_unit_test_teardown(every_failure_point_unwinds_exactly, teardown_machine),
		cmocka_unit_test_teardown(slab_allocation_fails_when_no_page_comes, teardown_machine),
		cmocka_unit_test_teardown(randomized_against_tags, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
