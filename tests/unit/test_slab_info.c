/*
 * test_slab_info.c - the slab allocator's debug API (mm/slab_info.c):
 * kmem_obj_info() says where any pointer falls and where a free object
 * waits, kmem_cache_get_info() gives a cache's geometry and tunables.
 * Tools read the allocator only through these.
 */
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/procfs.h>
#include <kmm/slab.h>
#include "tests/harness.h"

static void info(struct kmem_obj_info *in, const void *p)
{
	kmem_obj_info(in, p);
	assert_ptr_equal(in->kp_ptr, p);
}

/*
 * A 1024-byte cache has 4 objects per one-page slab, its descriptor off
 * the slab (in size-64).  With its per-CPU array tuned down to one entry
 * (limit 1, batchcount 1) the first allocation takes object 0 and leaves
 * 1..3 on the slab's free chain; freeing it parks it in CPU 0's array.
 */
static void where_objects_are(void **state)
{
	struct kmem_cache *c;
	struct kmem_obj_info in;
	struct page *page;
	char *o, *s_mem;

	boot_or_fail("ram=64M cpus=1");
	c = kmem_cache_create("info-1024", 1024, 0, 0, NULL);
	assert_non_null(c);
	assert_int_equal(proc_write("/proc/slabinfo", "info-1024 1 1 0"), 0);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(o);
	assert_true(kmem_valid_obj(o));

	info(&in, o);
	assert_int_equal(in.state, KMEM_OBJ_ALLOCATED);
	assert_ptr_equal(in.kp_slab_cache, c);
	assert_ptr_equal(in.kp_objp, o);
	assert_ptr_equal(in.kp_buffer, o);
	assert_int_equal(in.kp_node, 0);
	assert_false(in.kp_free);
	assert_int_equal(in.kp_free_in, KMEM_FREE_NONE);
	assert_int_equal(in.kp_redzone, KMEM_RZ_NONE);
	s_mem = o - 1024 * in.kp_index;
	assert_ptr_equal(in.kp_slab, s_mem);	/* off-slab: objects start the slab */

	info(&in, s_mem + 1024 * ((in.kp_index + 1) % 4));
	assert_int_equal(in.state, KMEM_OBJ_FREE);
	assert_int_equal(in.kp_free_in, KMEM_FREE_SLAB);

	info(&in, o + 100);
	assert_int_equal(in.state, KMEM_OBJ_INSIDE);
	assert_ptr_equal(in.kp_objp, o);
	assert_int_equal(in.kp_data_offset, 100);

	kmem_cache_free(c, o);
	info(&in, o);
	assert_int_equal(in.state, KMEM_OBJ_FREE);
	assert_int_equal(in.kp_free_in, KMEM_FREE_CPU);
	assert_int_equal(in.kp_free_id, 0);

	page = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(page);
	assert_false(kmem_valid_obj(page_address(page)));
	info(&in, page_address(page));
	assert_int_equal(in.state, KMEM_OBJ_NOT_SLAB);
	assert_null(in.kp_slab_cache);
	__free_pages(page, 0);

	info(&in, NULL);
	assert_int_equal(in.state, KMEM_OBJ_OUTSIDE);
	assert_false(kmem_valid_obj(NULL));

	kmem_cache_destroy(c);
	assert_mm_check();
}

/* An on-slab descriptor (size-64's) is the slab's metadata, not an object. */
static void descriptor_is_metadata(void **state)
{
	struct kmem_obj_info in;
	char *p;

	boot_or_fail("ram=64M cpus=1");
	p = kmalloc(64, GFP_KERNEL);
	assert_non_null(p);
	info(&in, p);
	assert_int_equal(in.state, KMEM_OBJ_ALLOCATED);
	assert_string_equal(kmem_cache_name(in.kp_slab_cache), "size-64");
	info(&in, in.kp_slab);
	assert_int_equal(in.state, KMEM_OBJ_METADATA);
	assert_string_equal(kmem_cache_name(in.kp_slab_cache), "size-64");
	kfree(p);
	assert_mm_check();
}

/* Red zones say allocated, then free; a write over one shows as corrupt. */
static void red_zones(void **state)
{
	struct kmem_cache *c;
	struct kmem_obj_info in;
	char *o;

	boot_or_fail("ram=64M cpus=1");
	c = kmem_cache_create("info-rz", 100, 0, SLAB_RED_ZONE, NULL);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	info(&in, o);
	assert_int_equal(in.kp_redzone, KMEM_RZ_ACTIVE);
	assert_ptr_equal(in.kp_buffer, o - 8);		/* red zone 1 before the object */
	kmem_cache_free(c, o);
	info(&in, o);
	assert_int_equal(in.state, KMEM_OBJ_FREE);
	assert_int_equal(in.kp_redzone, KMEM_RZ_INACTIVE);
	o[-1] ^= 0xff;
	info(&in, o);
	assert_int_equal(in.kp_redzone, KMEM_RZ_CORRUPT);
	o[-1] ^= 0xff;
	assert_mm_check();
}

/* The geometry /proc/slabinfo and `show $cache` print (hand-checked there). */
static void cache_geometry(void **state)
{
	struct kmem_cache_info ci;
	struct kmem_cache *c;

	boot_or_fail("ram=64M cpus=1");
	kmem_cache_get_info(kmem_cache_find("size-64"), &ci);
	assert_string_equal(ci.name, "size-64");
	assert_int_equal(ci.object_size, 64);
	assert_int_equal(ci.buffer_size, 64);
	assert_int_equal(ci.num, 59);
	assert_int_equal(ci.gfporder, 0);
	assert_int_equal(ci.flags, SLAB_HWCACHE_ALIGN | SLAB_PANIC);
	assert_false(ci.debug);
	assert_null(ci.slabp_cache);
	assert_int_equal(ci.limit, 120);
	assert_int_equal(ci.batchcount, 60);

	c = kmem_cache_create("info-1024", 1024, 0, 0, NULL);
	kmem_cache_get_info(c, &ci);
	assert_int_equal(ci.num, 4);
	assert_ptr_equal(ci.slabp_cache, kmem_cache_find("size-64"));
	assert_int_equal(ci.limit, 54);
	assert_int_equal(ci.batchcount, 27);

	c = kmem_cache_create("info-rz", 100, 0, SLAB_RED_ZONE, NULL);
	kmem_cache_get_info(c, &ci);
	assert_int_equal(ci.object_size, 104);
	assert_int_equal(ci.buffer_size, 120);
	assert_int_equal(ci.num, 32);
	assert_int_equal(ci.colour, 1);
	assert_int_equal(ci.colour_off, 64);
	assert_int_equal(ci.flags, SLAB_RED_ZONE);
	assert_true(ci.debug);
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(where_objects_are, teardown_machine),
		cmocka_unit_test_teardown(descriptor_is_metadata, teardown_machine),
		cmocka_unit_test_teardown(red_zones, teardown_machine),
		cmocka_unit_test_teardown(cache_geometry, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
