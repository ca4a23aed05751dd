/*
 * cmd_slab.c - scenario commands for the SLAB allocator and kmalloc
 * (include/kmm/slab.h):
 *
 *   C = kmem_cache_create NAME SIZE [align=N] [flags=F|F...] [ctor=pattern:0xNN]
 *   C = kmem_cache_find NAME               kmem_cache_destroy $C
 *   [R =] kmem_cache_shrink $C
 *   O = kmem_cache_alloc $C [gfp=] [node=N] [cpu=N]      (and kmem_cache_zalloc)
 *   kmem_cache_free $C $O [at=N] [cpu=N]
 *   P = kmalloc SIZE [gfp=] [node=N] [cpu=N]              (and kzalloc)
 *   P = kcalloc N SIZE     P = krealloc $P SIZE     P = kstrdup TEXT
 *   P = kstrndup TEXT MAX  P = kmemdup $Q LEN       [R =] ksize $P
 *   kfree $P [at=N]        kzfree $P
 *   POOL = kmalloc_many SIZE count=N        POOL = kmem_cache_alloc_many $C count=N
 *   kfree $POOL / kmem_cache_free $C $POOL  [every=N [offset=K] | random=PCT]
 *   write $P OFFSET BYTE...    fill_bytes $P OFFSET LEN BYTE    [R =] read $P OFFSET [size=N]
 *
 * A failed allocation leaves its variable holding NULL ($P.ok is 0), as
 * alloc_pages does.  A freed variable keeps its pointer, so that a script
 * can free it again or write through it; slab_state.c decides what the
 * kernel gets to see (see slab_state.h).  Bad input (sizes, flags, gfp
 * masks the kernel would BUG() on) is a script error.  The values these
 * commands make are in slab_values.c.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include "tools/kmm/slab_state.h"
#include "tools/kmm/workload.h"

#define MAX_POOL_OBJECTS	(1 << 22)
#define MAX_NAME_LEN		64

/* ---- arguments ---- */

/*
 * gfp= for a slab allocation.  Linux BUG()s on __GFP_HIGHMEM and
 * __GFP_DMA32 (slab pages must be in the direct map) and on a GFP_DMA
 * that does not match the cache: those are refused here.  A DMA cache's
 * default is GFP_KERNEL|GFP_DMA.
 */
static int slab_gfp(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a,
		    struct kmem_cache *cache, unsigned int *gfp)
{
	bool given = arg_given(a, "gfp"), dma = false;

	if (cache) {
		struct kmem_cache_info info;

		kmem_cache_get_info(cache, &info);
		dma = info.flags & SLAB_CACHE_DMA;
	}
	*gfp = given ? (unsigned int)arg_num(a, "gfp") : GFP_KERNEL | (dma ? GFP_DMA : 0);
	if (*gfp & (__GFP_HIGHMEM | __GFP_DMA32))
		return rt_error(rt, c, "%s: gfp=%#x: slab memory cannot come from __GFP_HIGHMEM or __GFP_DMA32 (Linux BUG()s)",
				c->def->name, *gfp);
	if (given && cache && dma != !!(*gfp & GFP_DMA))
		return rt_error(rt, c, "%s: cache `%s' %s (Linux BUG()s when the cache grows)",
				c->def->name, kmem_cache_name(cache), dma ?
				"is a DMA cache: allocate with GFP_DMA" :
				"is not a DMA cache: GFP_DMA is not allowed");
	return 0;
}

static struct kmem_cache *cache_arg(const struct cmd_args *a)
{
	return ((struct slab_cache_value *)arg_data(a, "cache", &slab_cache))->cache;
}

static void assign_ptr(struct runtime *rt, struct script_cmd *c, void *ptr, size_t size)
{
	struct slab_obj_value *o = rt_result(rt, c, &slab_object);

	if (o) {
		o->ptr = ptr;
		o->size = size;
	}
}

/* A pointer that ksize()/krealloc() may look at: NULL, ZERO_SIZE_PTR or a slab object. */
static int object_ptr(struct runtime *rt, struct script_cmd *c, const char *word, void *p)
{
	struct kmem_obj_info in;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	kmem_obj_info(&in, p);
	if (in.state != KMEM_OBJ_FREE && in.state != KMEM_OBJ_ALLOCATED)
		return rt_error(rt, c, "%s: %s (%llx) is not a slab object any more", c->def->name,
				word, (unsigned long long)kaddr_to_linux(p));
	return 0;
}

/* ---- caches ---- */

static int check_cache_args(struct runtime *rt, struct script_cmd *c, const char *name,
			    long long size, long long align, unsigned long flags)
{
	size_t word = (size_t)arch->sizeof_ptr;	/* BYTES_PER_WORD */

	if (!*name || strlen(name) > MAX_NAME_LEN || strpbrk(name, " \t:"))
		return rt_error(rt, c, "kmem_cache_create: '%s' is not a cache name (1 to %d characters, no blank or ':', so that /proc/slabinfo can name it)",
				name, MAX_NAME_LEN);
	if (size < (long long)word || size > (long long)KMALLOC_MAX_SIZE)
		return rt_error(rt, c, "kmem_cache_create: size %lld is out of range (%zu to %lu bytes)",
				size, word, KMALLOC_MAX_SIZE);
	if (align < 0 || align > (long long)PAGE_SIZE || (align & (align - 1)))
		return rt_error(rt, c, "kmem_cache_create: align=%lld: need 0 or a power of two up to %lu",
				align, PAGE_SIZE);
	if (flags & ~(unsigned long)SLAB_CREATE_MASK)
		return rt_error(rt, c, "kmem_cache_create: flags %#lx: not cache flags (Linux BUG()s on %#lx)",
				flags, flags & ~(unsigned long)SLAB_CREATE_MASK);
	if ((flags & SLAB_DESTROY_BY_RCU) && (flags & SLAB_POISON))
		return rt_error(rt, c, "kmem_cache_create: SLAB_DESTROY_BY_RCU and SLAB_POISON do not go together (Linux BUG()s)");
	return 0;
}

static int cmd_cache_create(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const char *name = arg_str(a, "name");
	long long size = arg_num(a, "size"), align = arg_num(a, "align");
	unsigned long flags = arg_num(a, "flags");
	int ctor = (int)arg_num(a, "ctor");
	struct slab_cache_value *v;
	struct kmem_cache *cache;

	if (check_cache_args(rt, c, name, size, align, flags))
		return -1;
	cache = kmem_cache_create(slab_cache_add(name, ctor), size, align, flags,
				  ctor >= 0 ? slab_ctor : NULL);
	slab_cache_created(cache);
	if (!cache && kmem_cache_find(name))
		return rt_error(rt, c, "kmem_cache_create: the kernel refused a second cache named `%s'",
				name);
	v = rt_result(rt, c, &slab_cache);
	if (v)
		v->cache = cache;
	return 0;
}

static int cmd_cache_find(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct kmem_cache *cache = kmem_cache_find(arg_str(a, "name"));
	struct slab_cache_value *v = rt_result(rt, c, &slab_cache);

	if (v)
		v->cache = cache;
	else
		fprintf(rt->out, "%s\n", cache ? "found" : "none");
	return 0;
}

/*
 * Linux refuses to destroy a cache that still has objects (and says so in
 * the log); the cache then stays, and so do the variables naming it.
 */
static int cmd_cache_destroy(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct kmem_cache *cache = cache_arg(a);
	const char *name = kmem_cache_name(cache);	/* the script's copy: it outlives the cache */

	if (!slab_cache_ours(cache))
		return rt_error(rt, c, "kmem_cache_destroy: cache `%s' was not created by this script (the kernel's own caches stay)",
				name);
	kmem_cache_destroy(cache);
	if (kmem_cache_find(name) != cache)
		slab_cache_destroyed(rt, cache);
	return 0;
}

static int cmd_cache_shrink(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	rt_give_num(rt, c, kmem_cache_shrink(cache_arg(a)), "%lld\n");
	return 0;
}

/* ---- objects ---- */

static void *cache_alloc(struct kmem_cache *cache, unsigned int gfp, long long node)
{
	return node >= 0 ? kmem_cache_alloc_node(cache, gfp, (int)node) :
			   kmem_cache_alloc(cache, gfp);
}

static int do_cache_alloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a,
			  unsigned int extra)
{
	struct kmem_cache *cache = cache_arg(a);
	unsigned int gfp;

	if (slab_gfp(rt, c, a, cache, &gfp))
		return -1;
	assign_ptr(rt, c, cache_alloc(cache, gfp | extra, arg_num(a, "node")),
		   kmem_cache_size(cache));
	return 0;
}

static int cmd_cache_alloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return do_cache_alloc(rt, c, a, 0);
}

static int cmd_cache_zalloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return do_cache_alloc(rt, c, a, __GFP_ZERO);
}

static int do_kmalloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a,
		      unsigned int extra)
{
	long long size = arg_num(a, "size"), node = arg_num(a, "node");
	unsigned int gfp;

	if (slab_gfp(rt, c, a, NULL, &gfp))
		return -1;
	assign_ptr(rt, c, node >= 0 ? kmalloc_node(size, gfp | extra, (int)node) :
				      kmalloc(size, gfp | extra), size);
	return 0;
}

static int cmd_kmalloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return do_kmalloc(rt, c, a, 0);
}

static int cmd_kzalloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return do_kmalloc(rt, c, a, __GFP_ZERO);
}

static int cmd_kcalloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	long long n = arg_num(a, "count"), size = arg_num(a, "size");
	unsigned int gfp;

	if (slab_gfp(rt, c, a, NULL, &gfp))
		return -1;
	/* An overflowing product is what kcalloc refuses; the variable says what was asked. */
	assign_ptr(rt, c, kcalloc(n, size, gfp), (size_t)n * (size_t)size);
	return 0;
}

static int cmd_krealloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct slab_obj_value *o = arg_data(a, "object", &slab_object);
	long long size = arg_num(a, "size");
	void *old = o->ptr, *p;
	unsigned int gfp;

	if (slab_gfp(rt, c, a, NULL, &gfp) || object_ptr(rt, c, arg(a, "object")->written, old) ||
	    slab_check_free(rt, c, NULL, old))
		return -1;
	p = krealloc(old, size, gfp);
	if (p != old)
		slab_note_freed(rt, old);
	assign_ptr(rt, c, p, size);
	return 0;
}

static int cmd_ksize(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct slab_obj_value *o = arg_data(a, "object", &slab_object);
	const char *w = arg(a, "object")->written;

	if (!o->ptr)
		return rt_error(rt, c, "ksize: %s is NULL (Linux BUG()s)", w);
	if (object_ptr(rt, c, w, o->ptr))
		return -1;
	rt_give_num(rt, c, (long long)ksize(o->ptr), "%lld\n");
	return 0;
}

static int cmd_kstrdup(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const char *text = arg_str(a, "text");
	unsigned int gfp;

	if (slab_gfp(rt, c, a, NULL, &gfp))
		return -1;
	assign_ptr(rt, c, kstrdup(text, gfp), strlen(text) + 1);
	return 0;
}

static int cmd_kstrndup(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const char *text = arg_str(a, "text");
	size_t max = arg_num(a, "max"), len = strlen(text);
	unsigned int gfp;

	if (slab_gfp(rt, c, a, NULL, &gfp))
		return -1;
	assign_ptr(rt, c, kstrndup(text, max, gfp), (len > max ? max : len) + 1);
	return 0;
}

static int cmd_kmemdup(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct slab_obj_value *o = arg_data(a, "object", &slab_object);
	long long len = arg_num(a, "length");
	unsigned int gfp;

	if (slab_gfp(rt, c, a, NULL, &gfp))
		return -1;
	if (!o->ptr)
		return rt_error(rt, c, "kmemdup: %s is NULL", arg(a, "object")->written);
	/* Over KMALLOC_MAX_SIZE kmalloc fails first, and nothing is read. */
	if (len && len <= (long long)KMALLOC_MAX_SIZE && slab_check_read(rt, c, o->ptr, len))
		return -1;
	assign_ptr(rt, c, kmemdup(o->ptr, len, gfp), len);
	return 0;
}

/* ---- frees ---- */

/* Free @p (kfree when @cache is NULL), after the checks; marks the variables it freed. */
static int free_one(struct runtime *rt, struct script_cmd *c, struct kmem_cache *cache, void *p,
		    void *object)
{
	if (slab_check_free(rt, c, cache, p))
		return -1;
	if (cache)
		kmem_cache_free(cache, p);
	else
		kfree(p);
	slab_note_freed(rt, object);
	return 0;
}

/* Free objects of a pool: all, every Nth from offset, or a random share (seeded). */
static int free_pool(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a,
		     struct slab_pool_value *pool, struct kmem_cache *cache)
{
	long long every = arg_num(a, "every"), offset = arg_num(a, "offset");
	long long pct = arg_num(a, "random");
	size_t kept = 0, i;
	int err = 0;

	if (cache && pool->cache != cache)
		return rt_error(rt, c, "%s: the pool's objects are not from cache `%s'", c->def->name,
				kmem_cache_name(cache));
	for (i = 0; i < pool->nr_objs; i++) {
		void *obj = pool->objs[i];
		bool drop = wl_pool_pick(i, every, offset, pct);

		if (drop && !err) {
			if (free_one(rt, c, cache, obj, obj) == 0)
				continue;	/* freed: it leaves the pool */
			err = -1;	/* refused: it and the rest stay */
		}
		pool->objs[kept++] = pool->objs[i];
	}
	pool->nr_objs = kept;
	return err;
}

static int do_free(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a,
		   struct kmem_cache *cache)
{
	struct slab_pool_value *pool = arg_data(a, "object", &slab_pool);
	struct slab_obj_value *o = arg_data(a, "object", &slab_object);
	long long at = arg_num(a, "at");

	if (pool)
		return free_pool(rt, c, a, pool, cache);
	if (at && ZERO_OR_NULL_PTR(o->ptr))
		return rt_error(rt, c, "%s: at=%lld into %s, which holds no object", c->def->name, at,
				arg(a, "object")->written);
	/* Integer arithmetic: at= may point anywhere, even off the object. */
	return free_one(rt, c, cache, (void *)((unsigned long)o->ptr + at), o->ptr);
}

static int cmd_kfree(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return do_free(rt, c, a, NULL);
}

static int cmd_cache_free(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return do_free(rt, c, a, cache_arg(a));
}

static int cmd_kzfree(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct slab_obj_value *o = arg_data(a, "object", &slab_object);

	if (object_ptr(rt, c, arg(a, "object")->written, o->ptr) ||
	    slab_check_free(rt, c, NULL, o->ptr))
		return -1;
	kzfree(o->ptr);
	slab_note_freed(rt, o->ptr);
	return 0;
}

/* ---- pools ---- */

static bool pool_add(struct slab_pool_value *pool, void *obj)
{
	if (pool->nr_objs == pool->cap_objs) {
		size_t cap = pool->cap_objs ? pool->cap_objs * 2 : 256;
		void **objs = realloc(pool->objs, cap * sizeof(*objs));

		if (!objs)
			return false;
		pool->objs = objs;
		pool->cap_objs = cap;
	}
	pool->objs[pool->nr_objs++] = obj;
	return true;
}

/* Allocate count= objects (fewer if an allocation fails) into the pool variable. */
static int alloc_many(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a,
		      struct kmem_cache *cache, long long size)
{
	long long count = arg_num(a, "count"), node = arg_num(a, "node");
	struct slab_pool_value *pool;
	unsigned int gfp;

	if (slab_gfp(rt, c, a, cache, &gfp))
		return -1;
	pool = rt_assign(rt, c->assign ? c->assign : "_pool", &slab_pool);
	pool->cache = cache;
	for (long long i = 0; i < count; i++) {
		void *obj = cache ? cache_alloc(cache, gfp, node) :
			    node >= 0 ? kmalloc_node(size, gfp, (int)node) : kmalloc(size, gfp);

		if (!obj)
			break;
		if (ZERO_OR_NULL_PTR(obj) || !pool_add(pool, obj)) {
			kfree(obj);
			break;
		}
	}
	return 0;
}

static int cmd_kmalloc_many(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return alloc_many(rt, c, a, NULL, arg_num(a, "size"));
}

static int cmd_cache_alloc_many(struct runtime *rt, struct script_cmd *c,
				const struct cmd_args *a)
{
	return alloc_many(rt, c, a, cache_arg(a), 0);
}

/* ---- memory ---- */

/* $P OFFSET: the address, for write, fill_bytes and read. */
static int address_arg(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a,
		       char **addr)
{
	struct slab_obj_value *o = arg_data(a, "object", &slab_object);

	if (!o->ptr)
		return rt_error(rt, c, "%s: %s is NULL", c->def->name, arg(a, "object")->written);
	*addr = (char *)((unsigned long)o->ptr + arg_num(a, "offset"));
	return 0;
}

static int cmd_write(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const struct arg_val *bytes = arg(a, "byte");
	char *addr = NULL;

	if (address_arg(rt, c, a, &addr) || slab_check_write(rt, c, addr, bytes->nitems))
		return -1;
	for (int i = 0; i < bytes->nitems; i++)
		addr[i] = (char)bytes->items[i];
	return 0;
}

static int cmd_fill_bytes(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	long long len = arg_num(a, "length");
	char *addr = NULL;

	if (address_arg(rt, c, a, &addr) || slab_check_write(rt, c, addr, len))
		return -1;
	memset(addr, (int)arg_num(a, "byte"), len);
	return 0;
}

/* The little-endian number of size= bytes (1, 2, 4, 8; default 1) at the address. */
static int cmd_read(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	long long size = arg_num(a, "size");
	unsigned long long x = 0;
	char *addr = NULL;

	if (address_arg(rt, c, a, &addr))
		return -1;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return rt_error(rt, c, "read: size=%lld: 1, 2, 4 or 8 bytes", size);
	if (slab_check_read(rt, c, addr, size))
		return -1;
	for (int i = (int)size - 1; i >= 0; i--)
		x = x << 8 | (unsigned char)addr[i];
	rt_give_num(rt, c, (long long)x, "%#llx\n");
	return 0;
}

/* ---- the table ---- */

static const struct value_type *const cache_kind[] = { &slab_cache, NULL };
static const struct value_type *const object_kind[] = { &slab_object, NULL };
static const struct value_type *const object_or_pool[] = { &slab_object, &slab_pool, NULL };

#define POS_REQ		(ARG_POS | ARG_REQUIRED)
#define ARG_CACHE	{ "cache", &arg_var, POS_REQ | ARG_PRESENT, .meta = "$C", \
			  .kinds = cache_kind, .help = "the cache" }
#define ARG_OBJECT(m)	{ "object", &arg_var, POS_REQ, .meta = m, .kinds = object_kind, \
			  .help = "the object" }
#define ARG_GFP		{ "gfp", &arg_gfp, .def = GFP_KERNEL, \
			  .def_text = "GFP_KERNEL; GFP_KERNEL|GFP_DMA for a DMA cache" }
#define ARG_NODE	{ "node", &arg_node, .def = -1, \
			  .help = "allocate on that node (the _node variant)", \
			  .def_text = "the CPU's node" }
#define ARG_SIZE(lo)	{ "size", &arg_size, POS_REQ | ARG_RANGE, .min = lo, .max = ARG_NO_MAX, \
			  .help = "bytes asked for" }
#define ARG_POOL_PICK									\
	{ "every", &arg_number, ARG_RANGE, .min = 0, .max = MAX_POOL_OBJECTS,		\
	  .help = "a pool: free every Nth object", .def_text = "all of them" },		\
	{ "offset", &arg_number, ARG_RANGE, .min = 0, .max = MAX_POOL_OBJECTS, .meta = "K", \
	  .help = "a pool, with every=: starting at the Kth", .def_text = "0" },	\
	{ "random", &arg_number, ARG_RANGE, .def = -1, .min = 0, .max = 100, .meta = "PCT", \
	  .help = "a pool: free a random PCT percent, drawn from the machine's seeded generator" }
#define ARG_AT		{ "at", &arg_number, .help = "free the address N bytes into the object", \
			  .def_text = "0" }
#define ARG_COUNT	{ "count", &arg_number, ARG_REQUIRED | ARG_RANGE, .min = 0,	\
			  .max = MAX_POOL_OBJECTS, .help = "objects to allocate" }
#define ARG_OFFSET	{ "offset", &arg_number, POS_REQ, .meta = "OFFSET",		\
			  .help = "bytes from the object's start (may be negative)" }

static const struct arg_def cache_only_args[] = { ARG_CACHE, { NULL } };
static const struct arg_def cache_alloc_args[] = { ARG_CACHE, ARG_GFP, ARG_NODE, { NULL } };
static const struct arg_def kmalloc_args[] = { ARG_SIZE(0), ARG_GFP, ARG_NODE, { NULL } };
static const struct arg_def name_args[] = {
	{ "name", &arg_string, POS_REQ, .meta = "NAME", .help = "the cache's name" }, { NULL },
};

const struct command_def slab_commands[] = {
	{ "kmem_cache_create", "create a cache of SIZE-byte objects (C holds NULL if the kernel cannot make it)",
	  (const struct arg_def[]){
		  { "name", &arg_string, POS_REQ, .meta = "NAME",
		    .help = "its name in /proc/slabinfo: no blank or ':', at most 64 characters" },
		  { "size", &arg_size, POS_REQ, .help = "the object size, from a word to 4M" },
		  { "align", &arg_number, .help = "0 or a power of two up to a page", .def_text = "0" },
		  { "flags", &arg_slab_flags, .def_text = "0" },
		  { "ctor", &arg_ctor, .def = -1, .def_text = "none" },
		  { NULL } },
	  .result = "C", .gives = &slab_cache, .machine = true, .run = cmd_cache_create },
	{ "kmem_cache_find", "a cache by name, the kernel's own (size-64...) included; without C =, prints found or none",
	  name_args, .result = "C", .prints = true, .gives = &slab_cache, .machine = true,
	  .run = cmd_cache_find },
	{ "kmem_cache_destroy", "destroy a cache the script created (refused, in the log, while it has objects)",
	  cache_only_args, .machine = true, .run = cmd_cache_destroy },
	{ "kmem_cache_shrink", "give a cache's free slabs back: 0 if it holds no slab now, else 1",
	  cache_only_args, .result = "R", .prints = true, .gives = &value_number, .machine = true,
	  .run = cmd_cache_shrink },
	{ "kmem_cache_alloc", "an object of the cache (node=: kmem_cache_alloc_node)",
	  cache_alloc_args, .contexts = CTX_CPU, .result = "O", .gives = &slab_object,
	  .machine = true, .run = cmd_cache_alloc },
	{ "kmem_cache_zalloc", "a zeroed object of the cache", cache_alloc_args,
	  .contexts = CTX_CPU, .result = "O", .gives = &slab_object, .machine = true,
	  .run = cmd_cache_zalloc },
	{ "kmem_cache_free", "free an object into the cache (at=N: the address N bytes into it), or objects of a pool",
	  (const struct arg_def[]){
		  ARG_CACHE,
		  { "object", &arg_var, POS_REQ, .meta = "$O", .kinds = object_or_pool,
		    .help = "the object, or a pool of them" },
		  ARG_AT, ARG_POOL_PICK, { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_cache_free },
	{ "kmem_cache_alloc_many", "allocate count objects of the cache (fewer if an allocation fails)",
	  (const struct arg_def[]){ ARG_CACHE, ARG_COUNT, ARG_GFP, ARG_NODE, { NULL } },
	  .contexts = CTX_CPU, .result = "POOL", .gives = &slab_pool, .machine = true,
	  .run = cmd_cache_alloc_many },
	{ "kmalloc", "SIZE bytes from the general caches (0: ZERO_SIZE_PTR; node=: kmalloc_node)",
	  kmalloc_args, .contexts = CTX_CPU, .result = "P", .gives = &slab_object,
	  .machine = true, .run = cmd_kmalloc },
	{ "kzalloc", "kmalloc, zeroed", kmalloc_args, .contexts = CTX_CPU, .result = "P",
	  .gives = &slab_object, .machine = true, .run = cmd_kzalloc },
	{ "kcalloc", "N zeroed elements of SIZE bytes (NULL if the product overflows)",
	  (const struct arg_def[]){
		  { "count", &arg_number, POS_REQ | ARG_RANGE, .min = 0, .max = ARG_NO_MAX,
		    .meta = "N", .help = "elements" },
		  ARG_SIZE(0), ARG_GFP, { NULL } },
	  .contexts = CTX_CPU, .result = "P", .gives = &slab_object, .machine = true,
	  .run = cmd_kcalloc },
	{ "krealloc", "resize: the same object if it is large enough, else a new one (and Q is freed)",
	  (const struct arg_def[]){ ARG_OBJECT("$Q"), ARG_SIZE(0), ARG_GFP, { NULL } },
	  .contexts = CTX_CPU, .result = "P", .gives = &slab_object, .machine = true,
	  .run = cmd_krealloc },
	{ "kmalloc_many", "kmalloc count objects (fewer if an allocation fails)",
	  (const struct arg_def[]){ ARG_SIZE(1), ARG_COUNT, ARG_GFP, ARG_NODE, { NULL } },
	  .contexts = CTX_CPU, .result = "POOL", .gives = &slab_pool, .machine = true,
	  .run = cmd_kmalloc_many },
	{ "kfree", "free a kmalloc'd object (at=N: the address N bytes into it), or objects of a pool",
	  (const struct arg_def[]){
		  { "object", &arg_var, POS_REQ, .meta = "$P", .kinds = object_or_pool,
		    .help = "the object (NULL and ZERO_SIZE_PTR too), or a pool of them" },
		  ARG_AT, ARG_POOL_PICK, { NULL } },
	  .contexts = CTX_CPU, .machine = true, .run = cmd_kfree },
	{ "kzfree", "clear an object, then free it",
	  (const struct arg_def[]){ ARG_OBJECT("$P"), { NULL } }, .contexts = CTX_CPU,
	  .machine = true, .run = cmd_kzfree },
	{ "ksize", "the usable size of an object (its cache's object size)",
	  (const struct arg_def[]){ ARG_OBJECT("$P"), { NULL } }, .result = "R", .prints = true,
	  .gives = &value_number, .machine = true, .run = cmd_ksize },
	{ "kstrdup", "a kmalloc'd copy of TEXT with its NUL",
	  (const struct arg_def[]){
		  { "text", &arg_string, POS_REQ, .meta = "TEXT",
		    .help = "a word, or a quoted string without =" },
		  ARG_GFP, { NULL } },
	  .contexts = CTX_CPU, .result = "P", .gives = &slab_object, .machine = true,
	  .run = cmd_kstrdup },
	{ "kstrndup", "a kmalloc'd copy of at most MAX characters of TEXT, NUL-terminated",
	  (const struct arg_def[]){
		  { "text", &arg_string, POS_REQ, .meta = "TEXT",
		    .help = "a word, or a quoted string without =" },
		  { "max", &arg_number, POS_REQ | ARG_RANGE, .min = 0, .max = ARG_NO_MAX,
		    .meta = "MAX", .help = "characters at most" },
		  ARG_GFP, { NULL } },
	  .contexts = CTX_CPU, .result = "P", .gives = &slab_object, .machine = true,
	  .run = cmd_kstrndup },
	{ "kmemdup", "a kmalloc'd copy of LEN bytes at $Q",
	  (const struct arg_def[]){
		  ARG_OBJECT("$Q"),
		  { "length", &arg_size, POS_REQ | ARG_RANGE, .min = 0, .max = ARG_NO_MAX,
		    .meta = "LEN", .help = "bytes to copy" },
		  ARG_GFP, { NULL } },
	  .contexts = CTX_CPU, .result = "P", .gives = &slab_object, .machine = true,
	  .run = cmd_kmemdup },
	{ "write", "store bytes at OFFSET (may be negative) from an object, freed or not: to corrupt it on purpose",
	  (const struct arg_def[]){
		  ARG_OBJECT("$P"), ARG_OFFSET,
		  { "byte", &arg_number, POS_REQ | ARG_REPEAT | ARG_RANGE, .min = 0, .max = 255,
		    .meta = "BYTE", .help = "the bytes, in order" },
		  { NULL } },
	  .machine = true, .run = cmd_write },
	{ "fill_bytes", "store LEN copies of BYTE at OFFSET from an object",
	  (const struct arg_def[]){
		  ARG_OBJECT("$P"), ARG_OFFSET,
		  { "length", &arg_size, POS_REQ | ARG_RANGE, .min = 0, .max = KMALLOC_MAX_SIZE,
		    .meta = "LEN", .help = "bytes to store" },
		  { "byte", &arg_number, POS_REQ | ARG_RANGE, .min = 0, .max = 255, .meta = "BYTE",
		    .help = "the byte" },
		  { NULL } },
	  .machine = true, .run = cmd_fill_bytes },
	{ "read", "the little-endian number at OFFSET from an object",
	  (const struct arg_def[]){
		  ARG_OBJECT("$P"), ARG_OFFSET,
		  { "size", &arg_number, .def = 1, .meta = "1|2|4|8", .help = "bytes to read",
		    .def_text = "1" },
		  { NULL } },
	  .result = "R", .prints = true, .gives = &value_number, .machine = true,
	  .run = cmd_read },
	{ NULL },
};
