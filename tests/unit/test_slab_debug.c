/*
 * test_slab_debug.c - the slab allocator's debug checks (red zones,
 * poisoning, the last user, the free chain) each caught and reported in
 * 2.6.34's words, without damage to the cache: every test ends with
 * mm_check() clean.
 *
 * Layout of a debug object here (x86_64): [red zone 1: 8][object][red
 * zone 2: 8][last user: 8].  RED_ACTIVE is 0xd84156c5635688c0 while the
 * object is allocated, RED_INACTIVE 0x9f911029d74e35b while it is free.
 */
#include <stdio.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/slab.h>
#include "mm/slab.h"
#include "tests/harness.h"

static struct array_cache *ac_of(struct kmem_cache *c)
{
	return cpu_cache_get(c);
}

/*
 * A red-zoned object freed twice: the second free finds both red zones
 * inactive, says so, and is not carried out (Linux would put the object
 * in the array a second time).
 */
static void double_free_in_red_zone(void **state)
{
	struct kmem_cache *c;
	char line[128];
	void *p;

	boot_with_sites("ram=64M cpus=1");
	c = kmem_cache_create("t-rz", 64, 0, SLAB_RED_ZONE, NULL);
	assert_int_equal(c->obj_offset, 8);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(*dbg_redzone1(c, (char *)p - 8), RED_ACTIVE);
	kmem_cache_free(c, p);
	{
		unsigned int avail = ac_of(c)->avail;

		kmem_cache_free(c, p);
		assert_int_equal(ac_of(c)->avail, avail);
	}
	assert_true(dmesg_has("slab error in verify_redzone_free(): cache `t-rz': "
			      "double free detected"));
	snprintf(line, sizeof(line), "%lx: redzone 1:0x9f911029d74e35b, redzone 2:0x9f911029d74e35b.",
		 lptr((char *)p - 8));
	assert_true(dmesg_has(line));
	assert_mm_check();
}

/*
 * Without a red zone the double free is caught where Linux catches it:
 * returning the object to its slab finds its free-index entry already a
 * link of the free chain.
 */
static void double_free_in_free_chain(void **state)
{
	struct kmem_cache *c;
	char line[128];
	void *p, *q;

	boot_with_sites("ram=64M cpus=1");
	c = kmem_cache_create("t-poison", 64, 0, SLAB_POISON, NULL);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	q = kmem_cache_alloc(c, GFP_KERNEL);	/* keeps the slab from being freed */
	kmem_cache_free(c, p);
	kmem_cache_shrink(c);		/* the object is back in its slab */
	kmem_cache_free(c, p);		/* into the array again... */
	kmem_cache_shrink(c);		/* ...and back to the slab: caught */
	snprintf(line, sizeof(line), "slab: double free detected in cache 't-poison', objp %lx",
		 lptr(p));
	assert_true(dmesg_has(line));
	kmem_cache_free(c, q);
	assert_mm_check();
}

/* One byte past the end of a kmalloc'd object (slab_debug=on), seen at kfree. */
static void write_past_the_end(void **state)
{
	struct kmem_cache *c;
	char line[160];
	unsigned char *p;

	boot_with_sites("ram=64M cpus=1 slab_debug=on");
	p = kmalloc(64, GFP_KERNEL);
	c = virt_to_cache(p);
	assert_string_equal(c->name, "size-64");
	assert_int_equal(c->obj_size, 64);
	p[64] = 0x00;	/* the low byte of red zone 2 (little-endian) */
	kfree(p);
	assert_true(dmesg_has("slab error in verify_redzone_free(): cache `size-64': "
			      "memory outside object was overwritten"));
	snprintf(line, sizeof(line), "%lx: redzone 1:0xd84156c5635688c0, redzone 2:0xd84156c563568800.",
		 lptr(p - 8));
	assert_true(dmesg_has(line));
	/* The free itself went ahead: the object is free and its red zones reset. */
	assert_int_equal(*dbg_redzone2(c, p - 8), RED_INACTIVE);
	assert_mm_check();
}

/*
 * A write after free: the poison (0x6b, ending in 0xa5) is checked when the
 * object is handed out again, and the bad line dumped.
 */
static void write_after_free(void **state)
{
	struct kmem_cache *c;
	char line[160];
	unsigned char *p, *q;

	boot_with_sites("ram=64M cpus=1");
	c = kmem_cache_create("t-poison", 32, 0, SLAB_POISON, NULL);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(p[0], POISON_INUSE);
	kmem_cache_free(c, p);
	assert_int_equal(p[0], POISON_FREE);
	assert_int_equal(p[31], POISON_END);
	p[5] = 0x00;
	q = kmem_cache_alloc(c, GFP_KERNEL);	/* LIFO: the same object */
	assert_ptr_equal(q, p);
	snprintf(line, sizeof(line), "Slab corruption: t-poison start=%lx, len=32", lptr(p));
	assert_true(dmesg_has(line));
	assert_true(dmesg_has("000: 6b 6b 6b 6b 6b 00 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b"));
	/* Not a single-bit flip: 0x6b ^ 0x00 has five bits. */
	assert_false(dmesg_has("Single bit error detected"));
	kmem_cache_free(c, q);
	/* A single-bit flip is called out (in a line without the end byte 0xa5). */
	q = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, q);
	q[3] = 0x6a;
	kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
	assert_true(dmesg_has("000: 6b 6b 6b 6a 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b"));
	assert_true(dmesg_has("Single bit error detected. Probably bad RAM."));
	/* Past the end byte's line: a5 differs from 0x6b too, so two differ there. */
	q = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, q);
	q[20] = 0x6a;
	kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
	assert_true(dmesg_has("010: 6b 6b 6b 6b 6a 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b a5"));
	assert_mm_check();
}

/* The last user of an object is its allocator's call site, then its freer's. */
static void last_user_recorded(void **state)
{
	struct kmem_cache *c;
	unsigned char *p;

	boot_with_sites("ram=64M cpus=1");
	c = kmem_cache_create("t-user", 32, 0, SLAB_POISON | SLAB_RED_ZONE | SLAB_STORE_USER, NULL);
	current->call_site = SITE(41);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(*dbg_userword(c, p - 8), SITE(41));
	current->call_site = SITE(42);
	kmem_cache_free(c, p);
	assert_int_equal(*dbg_userword(c, p - 8), SITE(42));
	p[0] = 0;
	current->call_site = SITE(43);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	current->call_site = 0;
	assert_true(dmesg_has("Redzone: 0x9f911029d74e35b/0x9f911029d74e35b."));
	assert_true(dmesg_has("Last user: [<ffffffff8100002a>](test:42)"));
	kmem_cache_free(c, p);
	assert_mm_check();
}

/* kmem_cache_free with the wrong cache, or a pointer into an object: refused. */
static void bad_frees_refused(void **state)
{
	struct kmem_cache *a, *b;
	char line[200];
	unsigned char *p;
	unsigned int avail;

	boot_with_sites("ram=64M cpus=1 slab_debug=on");
	a = kmem_cache_create("t-a", 64, 0, 0, NULL);
	b = kmem_cache_create("t-b", 64, 0, 0, NULL);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	avail = ac_of(b)->avail;
	kmem_cache_free(b, p);
	snprintf(line, sizeof(line), "slab error in cache_free_debugcheck(): cache `t-b': object %lx "
		 "belongs to cache `t-a'", lptr(p));
	assert_true(dmesg_has(line));
	assert_int_equal(ac_of(b)->avail, avail);
	/* Eight bytes into the object. */
	kmem_cache_free(a, p + 8);
	snprintf(line, sizeof(line), "slab error in cache_free_debugcheck(): cache `t-a': %lx is not "
		 "an object (8 bytes into object", lptr(p + 8));
	assert_true(dmesg_has(line));
	kmem_cache_free(a, p);
	assert_false(dmesg_has("double free"));
	assert_mm_check();
}

/* kfree of memory that is not a slab object: reported, nothing freed. */
static void kfree_of_a_non_object(void **state)
{
	struct page *page;
	char line[100];
	int local;

	boot_with_sites("ram=64M cpus=1");
	page = alloc_page(GFP_KERNEL);
	kfree(page_address(page));
	snprintf(line, sizeof(line), "kfree_debugcheck: bad ptr %lxh.", lptr(page_address(page)));
	assert_true(dmesg_has(line));
	assert_int_equal(page_count(page), 1);
	__free_page(page);
	kfree(&local);
	assert_true(dmesg_has("kfree_debugcheck: out of range ptr"));
	assert_mm_check();
}

static void overrun_ctor(void *obj)
{
	memset(obj, 0x11, 40);	/* the object is 32 bytes */
}

static void constructor_overrun(void **state)
{
	struct kmem_cache *c;

	boot_with_sites("ram=64M cpus=1");
	c = kmem_cache_create("t-ctor", 32, 0, SLAB_RED_ZONE, overrun_ctor);
	kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
	assert_true(dmesg_has("slab error in cache_init_objs(): cache `t-ctor': "
			      "constructor overwrote the end of an object"));
}

/* A corrupt free chain stops the machine, with the descriptor dumped. */
static void corrupt_free_chain_is_fatal(void **state)
{
	struct kmem_cache *c;
	struct slab *s;
	void *p;

	boot_with_sites("ram=64M cpus=1");
	c = kmem_cache_create("t-chain", 64, 0, SLAB_POISON, NULL);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	s = virt_to_slab(p);
	slab_bufctl(s)[s->free] = c->num + 5;	/* a link out of the slab */
	/* The array's objects go back to the slab: free_block checks the chain first. */
	EXPECT_KERNEL_STOP(kmem_cache_shrink(c));
	assert_true(dmesg_has("slab: Internal list corruption detected in cache 't-chain'(59)"));
	assert_true(dmesg_has("Hexdump:"));
}

/*
 * slabinfo in statistics mode: the extra header fields and, per cache,
 * globalstat (with 2.6.34's four tab characters) and cpustat.
 */
static void slabinfo_statistics(void **state)
{
	struct kmem_cache *c;
	const char *text;
	char line[400];
	void *objs[20];

	boot_with_sites("ram=64M cpus=1 slab_debug=on");
	c = kmem_cache_create("t-stat", 100, 0, 0, NULL);
	/*
	 * Debug: 104 + 16 + 8 = 128, on-slab: 4048 / 132 = 30.  limit 120
	 * capped at 32, batch 16.  20 allocations: the first refill (array
	 * untouched, batch 16) grows one slab and moves 16 (listallocs 16); 15
	 * hits; the 17th allocation refills the slab's last 14 (listallocs
	 * 30, maxobjs 30); 3 more hits: 18 hits, 2 misses.  The 20 frees fit
	 * in the array (limit 32): 20 hits.  One slab grown, full.
	 */
	for (int i = 0; i < 20; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (int i = 0; i < 20; i++)
		kmem_cache_free(c, objs[i]);
	text = proc_text("/proc/slabinfo");
	assert_non_null(strstr(text, "slabinfo - version: 2.1 (statistics)\n"));
	assert_non_null(strstr(text, " : globalstat <listallocs> <maxobjs> <grown> <reaped> <error> "
				     "<maxfreeable> <nodeallocs> <remotefrees> <alienoverflow> : "
				     "cpustat <allochit> <allocmiss> <freehit> <freemiss>\n"));
	/* Linux's format strings, with the values derived above. */
	snprintf(line, sizeof(line),
		 "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu"
		 " : globalstat %7lu %6lu %5lu %4lu \t\t\t\t%4lu %4lu %4lu %4lu %4lu"
		 " : cpustat %6lu %6lu %6lu %6lu\n",
		 "t-stat", 30UL, 30UL, 128u, 30u, 1, 32u, 16u, 0u, 1UL, 1UL, 0UL,
		 30UL, 30UL, 1UL, 0UL, 0UL, 0UL, 0UL, 0UL, 0UL, 18UL, 2UL, 20UL, 0UL);
	if (!strstr(text, line))
		fail_msg("no line\n%s\nin\n%s", line, text);
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(double_free_in_red_zone, teardown_machine),
		cmocka_unit_test_teardown(double_free_in_free_chain, teardown_machine),
		cmocka_unit_test_teardown(write_past_the_end, teardown_machine),
		cmocka_unit_test_teardown(write_after_free, teardown_machine),
		cmocka_unit_test_teardown(last_user_recorded, teardown_machine),
		cmocka_unit_test_teardown(bad_frees_refused, teardown_machine),
		cmocka_unit_test_teardown(kfree_of_a_non_object, teardown_machine),
		cmocka_unit_test_teardown(constructor_overrun, teardown_machine),
		cmocka_unit_test_teardown(corrupt_free_chain_is_fatal, teardown_machine),
		cmocka_unit_test_teardown(slabinfo_statistics, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
