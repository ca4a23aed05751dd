/*
 * slab_values.c - the three kinds of value the slab commands make: an
 * object (kmalloc, kmem_cache_alloc...), a cache (kmem_cache_create,
 * kmem_cache_find) and a pool of objects (kmalloc_many...): their fields,
 * their text, their show.
 *
 * Everything shown is read through public and debug APIs: the object's
 * slab, index and state through kmem_obj_info(), a cache's geometry and
 * tunables through kmem_cache_get_info(), its counts from its line of
 * /proc/slabinfo as a user reads it.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/mm.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include <kmm/slab.h>
#include "tools/kmm/slab_state.h"

/* ---- an object ---- */

#define OBJ(data)	((const struct slab_obj_value *)(data))

static int obj_ok(const void *d, long long *out, char *err, size_t n)
{
	*out = OBJ(d)->ptr != NULL;
	return 0;
}

static int obj_size(const void *d, long long *out, char *err, size_t n)
{
	*out = OBJ(d)->size;
	return 0;
}

static int obj_addr(const void *d, long long *out, char *err, size_t n)
{
	*out = OBJ(d)->ptr ? (long long)kaddr_to_linux(OBJ(d)->ptr) : 0;
	return 0;
}

static int obj_freed(const void *d, long long *out, char *err, size_t n)
{
	*out = OBJ(d)->freed;
	return 0;
}

/* The fields that need the object itself: it must still be a slab object. */
static int obj_info(const void *d, struct kmem_obj_info *in, char *err, size_t n)
{
	kmem_obj_info(in, OBJ(d)->ptr);
	if (in->state == KMEM_OBJ_FREE || in->state == KMEM_OBJ_ALLOCATED)
		return 0;
	snprintf(err, n, "%s is not a slab object (%s)", OBJ(d)->ptr ? "the pointer" : "NULL",
		 OBJ(d)->freed ? "freed" : "no object");
	return -1;
}

static int obj_ksize(const void *d, long long *out, char *err, size_t n)
{
	struct kmem_obj_info in;

	if (OBJ(d)->ptr == ZERO_SIZE_PTR) {
		*out = 0;
		return 0;
	}
	if (obj_info(d, &in, err, n))
		return -1;
	*out = kmem_cache_size(in.kp_slab_cache);
	return 0;
}

static int obj_node(const void *d, long long *out, char *err, size_t n)
{
	struct kmem_obj_info in;

	if (obj_info(d, &in, err, n))
		return -1;
	*out = in.kp_node;
	return 0;
}

static int obj_pfn(const void *d, long long *out, char *err, size_t n)
{
	struct kmem_obj_info in;

	if (obj_info(d, &in, err, n))
		return -1;
	*out = __pa(OBJ(d)->ptr) >> PAGE_SHIFT;
	return 0;
}

static int obj_index(const void *d, long long *out, char *err, size_t n)
{
	struct kmem_obj_info in;

	if (obj_info(d, &in, err, n))
		return -1;
	*out = in.kp_index;
	return 0;
}

static void obj_format(const void *d, char *buf, size_t size)
{
	if (OBJ(d)->ptr)
		snprintf(buf, size, "%llx", (unsigned long long)kaddr_to_linux(OBJ(d)->ptr));
	else
		snprintf(buf, size, "NULL");
}

static void obj_show(FILE *out, const char *word, const void *d)
{
	static const char *const states[] = {
		[KMEM_OBJ_OUTSIDE] = "outside the direct map",
		[KMEM_OBJ_NOT_SLAB] = "not on a slab page",
		[KMEM_OBJ_METADATA] = "in a slab but not in an object",
		[KMEM_OBJ_INSIDE] = "inside an object",
		[KMEM_OBJ_FREE] = "free",
		[KMEM_OBJ_ALLOCATED] = "allocated",
	};
	const struct slab_obj_value *o = d;
	const char *freed = o->freed ? " (the script freed it)" : "";
	struct kmem_obj_info in;

	if (ZERO_OR_NULL_PTR(o->ptr)) {
		fprintf(out, "%s: %s\n", word, o->ptr ? "ZERO_SIZE_PTR (kmalloc of 0 bytes)" :
			"NULL (the allocation failed)");
		return;
	}
	kmem_obj_info(&in, o->ptr);
	if (in.state == KMEM_OBJ_FREE || in.state == KMEM_OBJ_ALLOCATED)
		fprintf(out, "%s: object %llx of cache %s, size %zu, ksize %u: object %u of slab %llx on node %d, %s%s\n",
			word, (unsigned long long)kaddr_to_linux(o->ptr),
			kmem_cache_name(in.kp_slab_cache), o->size, kmem_cache_size(in.kp_slab_cache),
			in.kp_index, (unsigned long long)kaddr_to_linux(in.kp_slab), in.kp_node,
			states[in.state], freed);
	else
		fprintf(out, "%s: %llx, size %zu: %s%s\n", word,
			(unsigned long long)kaddr_to_linux(o->ptr), o->size, states[in.state], freed);
}

const struct value_type slab_object = {
	.name = "object",
	.noun = "an object",
	.made_by = "kmalloc or kmem_cache_alloc",
	.size = sizeof(struct slab_obj_value),
	.fields = (const struct value_field[]){
		{ "ok", obj_ok, true }, { "addr", obj_addr, true }, { "size", obj_size, true },
		{ "ksize", obj_ksize, true }, { "freed", obj_freed, true },
		{ "node", obj_node, true }, { "pfn", obj_pfn, true }, { "index", obj_index, true },
		{ NULL } },
	.format = obj_format,
	.show = obj_show,
};

/* ---- a cache ---- */

static struct kmem_cache *cache_of(const void *d)
{
	return ((const struct slab_cache_value *)d)->cache;
}

static bool cache_holds(const void *d)
{
	return cache_of(d) != NULL;
}

static int cache_ok(const void *d, long long *out, char *err, size_t n)
{
	*out = cache_of(d) != NULL;
	return 0;
}

/* A field of the cache's kmem_cache_get_info(). */
#define INFO_FIELD(fn, member)							\
	static int fn(const void *d, long long *out, char *err, size_t n)	\
	{									\
		struct kmem_cache_info info;					\
										\
		kmem_cache_get_info(cache_of(d), &info);			\
		*out = (long long)info.member;					\
		return 0;							\
	}
INFO_FIELD(cache_objsize, object_size)
INFO_FIELD(cache_size, buffer_size)
INFO_FIELD(cache_num, num)
INFO_FIELD(cache_order, gfporder)
INFO_FIELD(cache_limit, limit)
INFO_FIELD(cache_batchcount, batchcount)
INFO_FIELD(cache_shared, shared)
INFO_FIELD(cache_colour, colour)
INFO_FIELD(cache_colour_off, colour_off)
INFO_FIELD(cache_flags, flags)

static int cache_pagesperslab(const void *d, long long *out, char *err, size_t n)
{
	cache_order(d, out, err, n);
	*out = 1LL << *out;
	return 0;
}

static int cache_offslab(const void *d, long long *out, char *err, size_t n)
{
	struct kmem_cache_info info;

	kmem_cache_get_info(cache_of(d), &info);
	*out = info.slabp_cache != NULL;
	return 0;
}

/* A column of the cache's /proc/slabinfo line, as a user reads it. */
static int slabinfo_column(const void *d, const char *field, long long *out, char *err,
			   size_t errlen)
{
	char spec[160];
	struct seq_file m;
	int r;

	seq_init(&m);
	r = proc_read("/proc/slabinfo", &m);
	snprintf(spec, sizeof(spec), "%s:%s", kmem_cache_name(cache_of(d)), field);
	if (!r)
		r = view_field(m.buf ? m.buf : "", "/proc/slabinfo", spec, out, err, errlen);
	else
		snprintf(err, errlen, "/proc/slabinfo cannot be read");
	seq_release(&m);
	return r;
}

#define SLABINFO_FIELD(column)							\
	static int cache_##column(const void *d, long long *out, char *err, size_t n) \
	{									\
		return slabinfo_column(d, #column, out, err, n);		\
	}
SLABINFO_FIELD(active_objs)
SLABINFO_FIELD(num_objs)
SLABINFO_FIELD(active_slabs)
SLABINFO_FIELD(num_slabs)
SLABINFO_FIELD(sharedavail)

static void cache_format(const void *d, char *buf, size_t size)
{
	snprintf(buf, size, "%s", cache_of(d) ? kmem_cache_name(cache_of(d)) : "NULL");
}

static void cache_show(FILE *out, const char *word, const void *d)
{
	struct kmem_cache_info in;
	char flags[256];

	if (!cache_of(d)) {
		fprintf(out, "%s: no cache\n", word);
		return;
	}
	kmem_cache_get_info(cache_of(d), &in);
	slab_flags_format(flags, sizeof(flags), in.flags);
	fprintf(out, "%s: cache %s: objsize %u, buffer %u, %u object%s per slab of %d page%s, "
		"%zu colour%s of %u bytes, descriptor %s%s, flags %s, tunables %u %u %u\n",
		word, in.name, in.object_size, in.buffer_size, in.num, in.num == 1 ? "" : "s",
		1 << in.gfporder, in.gfporder ? "s" : "", in.colour, in.colour == 1 ? "" : "s",
		in.colour_off, in.slabp_cache ? "off-slab in " : "on-slab",
		in.slabp_cache ? kmem_cache_name(in.slabp_cache) : "", flags, in.limit,
		in.batchcount, in.shared);
}

const struct value_type slab_cache = {
	.name = "cache",
	.noun = "a cache",
	.made_by = "kmem_cache_create or kmem_cache_find",
	.size = sizeof(struct slab_cache_value),
	.fields = (const struct value_field[]){
		{ "ok", cache_ok, true }, { "objsize", cache_objsize }, { "size", cache_size },
		{ "num", cache_num }, { "objperslab", cache_num },
		{ "pagesperslab", cache_pagesperslab }, { "order", cache_order },
		{ "limit", cache_limit }, { "batchcount", cache_batchcount },
		{ "shared", cache_shared }, { "sharedfactor", cache_shared },
		{ "colour", cache_colour }, { "colour_off", cache_colour_off },
		{ "offslab", cache_offslab }, { "flags", cache_flags },
		{ "active_objs", cache_active_objs }, { "num_objs", cache_num_objs },
		{ "active_slabs", cache_active_slabs }, { "num_slabs", cache_num_slabs },
		{ "sharedavail", cache_sharedavail },
		{ NULL } },
	.holds = cache_holds,
	.empty = "holds no cache (its creation failed, or it was destroyed)",
	.format = cache_format,
	.show = cache_show,
};

/* ---- a pool of objects ---- */

#define POOL(data)	((const struct slab_pool_value *)(data))

static int pool_objects(const void *d, long long *out, char *err, size_t n)
{
	*out = POOL(d)->nr_objs;
	return 0;
}

static void pool_format(const void *d, char *buf, size_t size)
{
	snprintf(buf, size, "pool of %zu objects", POOL(d)->nr_objs);
}

static void pool_show(FILE *out, const char *word, const void *d)
{
	const struct slab_pool_value *p = d;

	fprintf(out, "%s: pool of %zu objects of %s%s\n", word, p->nr_objs,
		p->cache ? "cache " : p->cache_destroyed ? "a destroyed cache" : "kmalloc",
		p->cache ? kmem_cache_name(p->cache) : "");
}

static void pool_release(void *d)
{
	free(((struct slab_pool_value *)d)->objs);
}

const struct value_type slab_pool = {
	.name = "object_pool",
	.noun = "a pool of objects",
	.made_by = "kmalloc_many or kmem_cache_alloc_many",
	.size = sizeof(struct slab_pool_value),
	.fields = (const struct value_field[]){ { "objects", pool_objects, true }, { NULL } },
	.format = pool_format,
	.show = pool_show,
	.release = pool_release,
};
