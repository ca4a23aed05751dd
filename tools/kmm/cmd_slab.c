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
 * masks the kernel would BUG() on) is a script error.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/random.h>
#include <kmm/slab.h>
#include "mm/slab.h"
#include "tools/kmm/script.h"
#include "tools/kmm/workload.h"
#include "tools/kmm/slab_state.h"

#define MAX_POOL_OBJECTS	(1 << 22)
#define MAX_NAME_LEN		64

/* ---- arguments ---- */

/* Positional argument @idx must be $C holding a cache. */
static int cache_arg(struct runtime *rt, struct script_cmd *c, int idx, struct kmem_cache **out)
{
	struct value *v;
	const char *w;

	if (rt_var_arg(rt, c, idx, &v, &w))
		return -1;
	if (v->kind != VAL_CACHE)
		return rt_error(rt, c, "%s: %s is not a cache", c->def->name, w);
	if (!v->cache)
		return rt_error(rt, c, "%s: %s holds no cache (its creation failed, or it was destroyed)",
				c->def->name, w);
	*out = v->cache;
	return 0;
}

/* Positional argument @idx must be $P holding an object pointer (or NULL). */
static int ptr_arg(struct runtime *rt, struct script_cmd *c, int idx, struct value **out,
		   const char **word)
{
	if (rt_var_arg(rt, c, idx, out, word))
		return -1;
	if ((*out)->kind != VAL_PTR)
		return rt_error(rt, c, "%s: %s is not an object (made by kmalloc or kmem_cache_alloc)",
				c->def->name, *word);
	return 0;
}

static int pos_number(struct runtime *rt, struct script_cmd *c, int idx, const char *what,
		      long long *out)
{
	char *s = rt_pos(rt, c, idx);
	int r;

	if (!s)
		return -1;
	r = rt_number(rt, c, what, s, out);
	free(s);
	return r;
}

/*
 * gfp= for a slab allocation.  Linux BUG()s on __GFP_HIGHMEM and
 * __GFP_DMA32 (slab pages must be in the direct map) and on a GFP_DMA
 * that does not match the cache: those are refused here.  A DMA cache's
 * default is GFP_KERNEL|GFP_DMA.
 */
static int slab_gfp(struct runtime *rt, struct script_cmd *c, struct kmem_cache *cache,
		    unsigned int *gfp)
{
	bool dma = cache && (cache->flags & SLAB_CACHE_DMA);
	bool given = false;

	*gfp = GFP_KERNEL | (dma ? GFP_DMA : 0);
	for (int i = 0; i < c->argc; i++)
		given |= c->argv[i].key && !strcmp(c->argv[i].key, "gfp");
	if (rt_opt_gfp(rt, c, gfp))
		return -1;
	if (*gfp & (__GFP_HIGHMEM | __GFP_DMA32))
		return rt_error(rt, c, "%s: gfp=%#x: slab memory cannot come from __GFP_HIGHMEM or __GFP_DMA32 (Linux BUG()s)",
				c->def->name, *gfp);
	if (given && cache && dma != !!(*gfp & GFP_DMA))
		return rt_error(rt, c, "%s: cache `%s' %s (Linux BUG()s when the cache grows)",
				c->def->name, cache->name, dma ?
				"is a DMA cache: allocate with GFP_DMA" :
				"is not a DMA cache: GFP_DMA is not allowed");
	return 0;
}

static int node_opt(struct runtime *rt, struct script_cmd *c, long long *node)
{
	*node = -1;
	if (rt_opt_number(rt, c, "node", node))
		return -1;
	if (*node < -1 || *node >= MAX_NUMNODES || (*node >= 0 && !node_online(*node)))
		return rt_error(rt, c, "node=%lld: the machine has no such node", *node);
	return 0;
}

static void assign_ptr(struct runtime *rt, struct script_cmd *c, void *ptr, size_t size,
		       struct kmem_cache *cache)
{
	struct value *v;

	if (!c->assign)
		return;
	v = rt_assign(rt, c->assign);
	v->kind = VAL_PTR;
	v->ptr = ptr;
	v->size = size;
	v->cache = cache;
}

/* ---- caches ---- */

static int parse_ctor(struct runtime *rt, struct script_cmd *c, int *byte)
{
	char *s = rt_arg(rt, c, "ctor");
	long long v;
	int r = 0;

	*byte = -1;
	if (!s)
		return 0;
	if (strncmp(s, "pattern:", 8) || rt_number(rt, c, "ctor", s + 8, &v) || v < 0 || v > 255)
		r = rt_error(rt, c, "ctor=%s: the constructor is pattern:BYTE (e.g. pattern:0x3c)", s);
	else
		*byte = (int)v;
	free(s);
	return r;
}

static int check_cache_args(struct runtime *rt, struct script_cmd *c, const char *name,
			    long long size, long long align, unsigned long flags)
{
	if (!*name || strlen(name) > MAX_NAME_LEN || strpbrk(name, " \t:"))
		return rt_error(rt, c, "kmem_cache_create: '%s' is not a cache name (1 to %d characters, no blank or ':', so that /proc/slabinfo can name it)",
				name, MAX_NAME_LEN);
	if (size < (long long)BYTES_PER_WORD || size > (long long)KMALLOC_MAX_SIZE)
		return rt_error(rt, c, "kmem_cache_create: size %lld is out of range (%zu to %lu bytes)",
				size, BYTES_PER_WORD, KMALLOC_MAX_SIZE);
	if (align < 0 || align > (long long)PAGE_SIZE || (align & (align - 1)))
		return rt_error(rt, c, "kmem_cache_create: align=%lld: need 0 or a power of two up to %lu",
				align, PAGE_SIZE);
	if (flags & ~(unsigned long)CREATE_MASK)
		return rt_error(rt, c, "kmem_cache_create: flags %#lx: not cache flags (Linux BUG()s on %#lx)",
				flags, flags & ~(unsigned long)CREATE_MASK);
	if ((flags & SLAB_DESTROY_BY_RCU) && (flags & SLAB_POISON))
		return rt_error(rt, c, "kmem_cache_create: SLAB_DESTROY_BY_RCU and SLAB_POISON do not go together (Linux BUG()s)");
	return 0;
}

static int cmd_cache_create(struct runtime *rt, struct script_cmd *c)
{
	long long size, align = 0;
	unsigned long flags = 0;
	struct script_cache *e;
	struct kmem_cache *cache;
	char *name, *fl = NULL;
	int ctor, r = -1;

	if (rt_kernel_cmd(rt, c) || !(name = rt_pos(rt, c, 0)))
		return -1;
	if (pos_number(rt, c, 1, "size", &size) || rt_opt_number(rt, c, "align", &align) ||
	    parse_ctor(rt, c, &ctor))
		goto out;
	fl = rt_arg(rt, c, "flags");
	if (fl && slab_flags_parse(fl, &flags)) {
		rt_error(rt, c, "flags=%s: not cache flags (SLAB_HWCACHE_ALIGN, SLAB_RED_ZONE, SLAB_POISON, SLAB_STORE_USER, SLAB_CACHE_DMA, SLAB_RECLAIM_ACCOUNT, ... joined by |, or a number)",
			 fl);
		goto out;
	}
	if (check_cache_args(rt, c, name, size, align, flags))
		goto out;
	e = slab_cache_add(rt, name, ctor);
	cache = kmem_cache_create(e->name, size, align, flags, ctor >= 0 ? slab_ctor : NULL);
	if (!cache) {
		slab_cache_drop_last(rt);
		if (kmem_cache_find(name)) {
			rt_error(rt, c, "kmem_cache_create: the kernel refused a second cache named `%s'",
				 name);
			goto out;
		}
	} else {
		e->cache = cache;
	}
	if (c->assign) {
		struct value *v = rt_assign(rt, c->assign);

		v->kind = VAL_CACHE;
		v->cache = cache;
	}
	r = 0;
out:
	free(fl);
	free(name);
	return r;
}

static int cmd_cache_find(struct runtime *rt, struct script_cmd *c)
{
	char *name;
	struct kmem_cache *cache;

	if (rt_kernel_cmd(rt, c) || !(name = rt_pos(rt, c, 0)))
		return -1;
	cache = kmem_cache_find(name);
	free(name);
	if (c->assign) {
		struct value *v = rt_assign(rt, c->assign);

		v->kind = VAL_CACHE;
		v->cache = cache;
	} else {
		fprintf(rt->out, "%s\n", cache ? "found" : "none");
	}
	return 0;
}

/*
 * Linux refuses to destroy a cache that still has objects (and says so in
 * the log); the cache then stays, and so do the variables naming it.
 */
static int cmd_cache_destroy(struct runtime *rt, struct script_cmd *c)
{
	struct kmem_cache *cache;
	struct script_cache *e;

	if (rt_kernel_cmd(rt, c) || cache_arg(rt, c, 0, &cache))
		return -1;
	e = slab_cache_lookup(rt, cache);
	if (!e)
		return rt_error(rt, c, "kmem_cache_destroy: cache `%s' was not created by this script (the kernel's own caches stay)",
				cache->name);
	kmem_cache_destroy(cache);
	if (kmem_cache_find(e->name) == cache)
		return 0;
	e->cache = NULL;
	for (int i = 0; i < rt->nvars; i++)
		if (rt->vars[i].v.cache == cache)
			rt->vars[i].v.cache = NULL;
	return 0;
}

static int cmd_cache_shrink(struct runtime *rt, struct script_cmd *c)
{
	struct kmem_cache *cache;
	int ret;

	if (rt_kernel_cmd(rt, c) || cache_arg(rt, c, 0, &cache))
		return -1;
	ret = kmem_cache_shrink(cache);
	rt_give_num(rt, c, ret, "%lld\n");
	return 0;
}

/* ---- objects ---- */

static void *cache_alloc(struct kmem_cache *cache, unsigned int gfp, long long node)
{
	return node >= 0 ? kmem_cache_alloc_node(cache, gfp, (int)node) :
			   kmem_cache_alloc(cache, gfp);
}

static int do_cache_alloc(struct runtime *rt, struct script_cmd *c, unsigned int extra)
{
	struct kmem_cache *cache;
	unsigned int gfp;
	long long node;
	void *obj;
	int prev;

	if (rt_kernel_cmd(rt, c) || cache_arg(rt, c, 0, &cache) || slab_gfp(rt, c, cache, &gfp) ||
	    node_opt(rt, c, &node) || rt_enter_cpu(rt, c, &prev))
		return -1;
	obj = cache_alloc(cache, gfp | extra, node);
	kmm_set_cpu(prev);
	assign_ptr(rt, c, obj, kmem_cache_size(cache), cache);
	return 0;
}

static int cmd_cache_alloc(struct runtime *rt, struct script_cmd *c)
{
	return do_cache_alloc(rt, c, 0);
}

static int cmd_cache_zalloc(struct runtime *rt, struct script_cmd *c)
{
	return do_cache_alloc(rt, c, __GFP_ZERO);
}

static int do_kmalloc(struct runtime *rt, struct script_cmd *c, unsigned int extra)
{
	long long size, node;
	unsigned int gfp;
	void *p;
	int prev;

	if (rt_kernel_cmd(rt, c) || pos_number(rt, c, 0, "size", &size) ||
	    slab_gfp(rt, c, NULL, &gfp) || node_opt(rt, c, &node))
		return -1;
	if (size < 0)
		return rt_error(rt, c, "%s: size %lld is negative", c->def->name, size);
	if (rt_enter_cpu(rt, c, &prev))
		return -1;
	p = node >= 0 ? kmalloc_node(size, gfp | extra, (int)node) : kmalloc(size, gfp | extra);
	kmm_set_cpu(prev);
	assign_ptr(rt, c, p, size, NULL);
	return 0;
}

static int cmd_kmalloc(struct runtime *rt, struct script_cmd *c)
{
	return do_kmalloc(rt, c, 0);
}

static int cmd_kzalloc(struct runtime *rt, struct script_cmd *c)
{
	return do_kmalloc(rt, c, __GFP_ZERO);
}

static int cmd_kcalloc(struct runtime *rt, struct script_cmd *c)
{
	long long n, size;
	unsigned int gfp;
	void *p;
	int prev;

	if (rt_kernel_cmd(rt, c) || pos_number(rt, c, 0, "count", &n) ||
	    pos_number(rt, c, 1, "size", &size) || slab_gfp(rt, c, NULL, &gfp))
		return -1;
	if (n < 0 || size < 0)
		return rt_error(rt, c, "kcalloc: negative count or size");
	if (rt_enter_cpu(rt, c, &prev))
		return -1;
	p = kcalloc(n, size, gfp);
	kmm_set_cpu(prev);
	/* An overflowing product is what kcalloc refuses; the variable says what was asked. */
	assign_ptr(rt, c, p, (size_t)n * (size_t)size, NULL);
	return 0;
}

/* A pointer that ksize()/krealloc() may look at: NULL, ZERO_SIZE_PTR or a slab object. */
static int object_ptr(struct runtime *rt, struct script_cmd *c, const char *word, void *p)
{
	struct obj_info in;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	slab_obj_info(p, &in);
	if (in.state != OBJ_FREE && in.state != OBJ_ALLOCATED)
		return rt_error(rt, c, "%s: %s (%llx) is not a slab object any more", c->def->name,
				word, (unsigned long long)kaddr_to_linux(p));
	return 0;
}

static int cmd_krealloc(struct runtime *rt, struct script_cmd *c)
{
	struct value *v;
	const char *w;
	long long size;
	unsigned int gfp;
	void *old, *p;
	int prev;

	if (rt_kernel_cmd(rt, c) || ptr_arg(rt, c, 0, &v, &w) ||
	    pos_number(rt, c, 1, "size", &size) || slab_gfp(rt, c, NULL, &gfp))
		return -1;
	old = v->ptr;
	if (size < 0)
		return rt_error(rt, c, "krealloc: size %lld is negative", size);
	if (object_ptr(rt, c, w, old) || slab_check_free(rt, c, NULL, old) ||
	    rt_enter_cpu(rt, c, &prev))
		return -1;
	p = krealloc(old, size, gfp);
	kmm_set_cpu(prev);
	if (p != old)
		slab_note_freed(rt, old);
	assign_ptr(rt, c, p, size, NULL);
	return 0;
}

static int cmd_ksize(struct runtime *rt, struct script_cmd *c)
{
	struct value *v;
	const char *w;
	size_t n;

	if (rt_kernel_cmd(rt, c) || ptr_arg(rt, c, 0, &v, &w))
		return -1;
	if (!v->ptr)
		return rt_error(rt, c, "ksize: %s is NULL (Linux BUG()s)", w);
	if (object_ptr(rt, c, w, v->ptr))
		return -1;
	n = ksize(v->ptr);
	rt_give_num(rt, c, (long long)n, "%lld\n");
	return 0;
}

static int cmd_kstrdup(struct runtime *rt, struct script_cmd *c)
{
	bool ndup = !strcmp(c->def->name, "kstrndup");
	long long max = 0;
	unsigned int gfp;
	char *text, *p;
	int prev;

	if (rt_kernel_cmd(rt, c) || !(text = rt_pos(rt, c, 0)))
		return -1;
	if ((ndup && pos_number(rt, c, 1, "max", &max)) || slab_gfp(rt, c, NULL, &gfp) ||
	    (max < 0 && rt_error(rt, c, "kstrndup: max %lld is negative", max)) ||
	    rt_enter_cpu(rt, c, &prev)) {
		free(text);
		return -1;
	}
	p = ndup ? kstrndup(text, max, gfp) : kstrdup(text, gfp);
	kmm_set_cpu(prev);
	assign_ptr(rt, c, p, (ndup && strlen(text) > (size_t)max ? (size_t)max : strlen(text)) + 1,
		   NULL);
	free(text);
	return 0;
}

static int cmd_kmemdup(struct runtime *rt, struct script_cmd *c)
{
	struct value *v;
	const char *w;
	long long len;
	unsigned int gfp;
	void *p;
	int prev;

	if (rt_kernel_cmd(rt, c) || ptr_arg(rt, c, 0, &v, &w) ||
	    pos_number(rt, c, 1, "length", &len) || slab_gfp(rt, c, NULL, &gfp))
		return -1;
	if (len < 0)
		return rt_error(rt, c, "kmemdup: length %lld is negative", len);
	if (!v->ptr)
		return rt_error(rt, c, "kmemdup: %s is NULL", w);
	/* Over KMALLOC_MAX_SIZE kmalloc fails first, and nothing is read. */
	if (len && len <= (long long)KMALLOC_MAX_SIZE && slab_check_read(rt, c, v->ptr, len))
		return -1;
	p = v->ptr;
	if (rt_enter_cpu(rt, c, &prev))
		return -1;
	p = kmemdup(p, len, gfp);
	kmm_set_cpu(prev);
	assign_ptr(rt, c, p, len, NULL);
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
static int free_pool(struct runtime *rt, struct script_cmd *c, struct value *pool,
		     struct kmem_cache *cache)
{
	long long every = 0, offset = 0, pct = -1;
	size_t kept = 0, i;
	int err = 0;

	if (rt_opt_number(rt, c, "every", &every) || rt_opt_number(rt, c, "offset", &offset) ||
	    rt_opt_number(rt, c, "random", &pct))
		return -1;
	if (every < 0 || offset < 0 || pct > 100)
		return rt_error(rt, c, "%s: every= and offset= count objects, random= is a percentage",
				c->def->name);
	if (cache && pool->cache != cache)
		return rt_error(rt, c, "%s: the pool's objects are not from cache `%s'", c->def->name,
				cache->name);
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

static int do_free(struct runtime *rt, struct script_cmd *c, struct kmem_cache *cache, int idx)
{
	struct value *v;
	const char *w;
	long long at = 0;
	int prev, err;

	if (rt_var_arg(rt, c, idx, &v, &w) || rt_opt_number(rt, c, "at", &at) ||
	    rt_enter_cpu(rt, c, &prev))
		return -1;
	if (v->kind == VAL_OBJPOOL) {
		err = free_pool(rt, c, v, cache);
	} else if (v->kind != VAL_PTR) {
		err = rt_error(rt, c, "%s: %s is not an object or a pool of objects", c->def->name, w);
	} else if (at && ZERO_OR_NULL_PTR(v->ptr)) {
		err = rt_error(rt, c, "%s: at=%lld into %s, which holds no object", c->def->name, at,
			       w);
	} else {
		/* Integer arithmetic: at= may point anywhere, even off the object. */
		err = free_one(rt, c, cache, (void *)((unsigned long)v->ptr + at), v->ptr);
	}
	kmm_set_cpu(prev);
	return err;
}

static int cmd_kfree(struct runtime *rt, struct script_cmd *c)
{
	if (rt_kernel_cmd(rt, c))
		return -1;
	return do_free(rt, c, NULL, 0);
}

static int cmd_cache_free(struct runtime *rt, struct script_cmd *c)
{
	struct kmem_cache *cache;

	if (rt_kernel_cmd(rt, c) || cache_arg(rt, c, 0, &cache))
		return -1;
	return do_free(rt, c, cache, 1);
}

static int cmd_kzfree(struct runtime *rt, struct script_cmd *c)
{
	struct value *v;
	const char *w;
	int prev;

	if (rt_kernel_cmd(rt, c) || ptr_arg(rt, c, 0, &v, &w) || object_ptr(rt, c, w, v->ptr) ||
	    slab_check_free(rt, c, NULL, v->ptr) || rt_enter_cpu(rt, c, &prev))
		return -1;
	kzfree(v->ptr);
	kmm_set_cpu(prev);
	slab_note_freed(rt, v->ptr);
	return 0;
}

/* ---- pools ---- */

static bool pool_add(struct value *pool, void *obj)
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
static int alloc_many(struct runtime *rt, struct script_cmd *c, struct kmem_cache *cache,
		      long long size)
{
	long long count = -1, node;
	struct value *pool;
	unsigned int gfp;
	int prev;

	if (rt_opt_number(rt, c, "count", &count) || slab_gfp(rt, c, cache, &gfp) ||
	    node_opt(rt, c, &node))
		return -1;
	if (count < 0 || count > MAX_POOL_OBJECTS)
		return rt_error(rt, c, "%s: need count=N (0 to %d)", c->def->name, MAX_POOL_OBJECTS);
	if (rt_enter_cpu(rt, c, &prev))
		return -1;
	pool = rt_assign(rt, c->assign ? c->assign : "_pool");
	pool->kind = VAL_OBJPOOL;
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
	kmm_set_cpu(prev);
	return 0;
}

static int cmd_kmalloc_many(struct runtime *rt, struct script_cmd *c)
{
	long long size;

	if (rt_kernel_cmd(rt, c) || pos_number(rt, c, 0, "size", &size))
		return -1;
	if (size < 1)
		return rt_error(rt, c, "kmalloc_many: size %lld: at least 1 byte", size);
	return alloc_many(rt, c, NULL, size);
}

static int cmd_cache_alloc_many(struct runtime *rt, struct script_cmd *c)
{
	struct kmem_cache *cache;

	if (rt_kernel_cmd(rt, c) || cache_arg(rt, c, 0, &cache))
		return -1;
	return alloc_many(rt, c, cache, 0);
}

/* ---- memory ---- */

/* $P OFFSET: the address, for write, fill_bytes and read. */
static int address_arg(struct runtime *rt, struct script_cmd *c, char **addr)
{
	struct value *v;
	const char *w;
	long long off;

	if (rt_kernel_cmd(rt, c) || ptr_arg(rt, c, 0, &v, &w) ||
	    pos_number(rt, c, 1, "offset", &off))
		return -1;
	if (!v->ptr)
		return rt_error(rt, c, "%s: %s is NULL", c->def->name, w);
	*addr = (char *)((unsigned long)v->ptr + off);
	return 0;
}

static int byte_arg(struct runtime *rt, struct script_cmd *c, int idx, unsigned char *out)
{
	long long b;

	if (pos_number(rt, c, idx, "byte", &b))
		return -1;
	if (b < 0 || b > 255)
		return rt_error(rt, c, "%s: %lld is not a byte (0 to 255)", c->def->name, b);
	*out = (unsigned char)b;
	return 0;
}

static int cmd_write(struct runtime *rt, struct script_cmd *c)
{
	unsigned char bytes[64];
	int n = 0;
	char *addr;

	if (address_arg(rt, c, &addr))
		return -1;
	for (int i = 0; i < c->argc; i++)
		n += !c->argv[i].key;
	n -= 2;
	for (int i = 0; i < n; i++)
		if (byte_arg(rt, c, 2 + i, &bytes[i]))
			return -1;
	if (slab_check_write(rt, c, addr, n))
		return -1;
	memcpy(addr, bytes, n);
	return 0;
}

static int cmd_fill_bytes(struct runtime *rt, struct script_cmd *c)
{
	unsigned char byte;
	long long len;
	char *addr;

	if (address_arg(rt, c, &addr) || pos_number(rt, c, 2, "length", &len) ||
	    byte_arg(rt, c, 3, &byte))
		return -1;
	if (len < 0 || len > (long long)KMALLOC_MAX_SIZE)
		return rt_error(rt, c, "fill_bytes: length %lld is out of range", len);
	if (slab_check_write(rt, c, addr, len))
		return -1;
	memset(addr, byte, len);
	return 0;
}

/* The little-endian number of size= bytes (1, 2, 4, 8; default 1) at the address. */
static int cmd_read(struct runtime *rt, struct script_cmd *c)
{
	long long size = 1;
	unsigned long long x = 0;
	char *addr;

	if (address_arg(rt, c, &addr) || rt_opt_number(rt, c, "size", &size))
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

static const char *const create_keys[] = { "align", "flags", "ctor", NULL };
static const char *const alloc_keys[] = { "gfp", "node", "cpu", NULL };
static const char *const free_keys[] = { "at", "cpu", "every", "offset", "random", NULL };
static const char *const zfree_keys[] = { "cpu", NULL };
static const char *const gfp_keys[] = { "gfp", "cpu", NULL };
static const char *const many_keys[] = { "count", "gfp", "node", "cpu", NULL };
static const char *const read_keys[] = { "size", NULL };
static const char *const no_keys[] = { NULL };

const struct command_def slab_commands[] = {
	{ "kmem_cache_create", "C = kmem_cache_create NAME SIZE [align=N] [flags=SLAB_...|...] [ctor=pattern:0xNN]",
	  "create a cache of SIZE-byte objects (C holds NULL if the kernel cannot make it)",
	  create_keys, 2, 2, .assigns = true, .run = cmd_cache_create },
	{ "kmem_cache_find", "C = kmem_cache_find NAME", "a cache by name, the kernel's own (size-64...) included",
	  no_keys, 1, 1, .assigns = true, .run = cmd_cache_find },
	{ "kmem_cache_destroy", "kmem_cache_destroy $C",
	  "destroy a cache the script created (refused, in the log, while it has objects)",
	  no_keys, 1, 1, .run = cmd_cache_destroy },
	{ "kmem_cache_shrink", "[R =] kmem_cache_shrink $C",
	  "give a cache's free slabs back: 0 if it holds no slab now, else 1", no_keys, 1, 1,
	  .assigns = true, .run = cmd_cache_shrink },
	{ "kmem_cache_alloc", "O = kmem_cache_alloc $C [gfp=FLAGS] [node=N] [cpu=N]",
	  "an object of the cache (node=: kmem_cache_alloc_node)", alloc_keys, 1, 1,
	  .assigns = true, .run = cmd_cache_alloc },
	{ "kmem_cache_zalloc", "O = kmem_cache_zalloc $C [gfp=FLAGS] [node=N] [cpu=N]",
	  "a zeroed object of the cache", alloc_keys, 1, 1, .assigns = true,
	  .run = cmd_cache_zalloc },
	{ "kmem_cache_free", "kmem_cache_free $C $O [at=N] [cpu=N] | kmem_cache_free $C $POOL [every=N [offset=K] | random=PCT]",
	  "free an object into the cache (at=N: the address N bytes into it), or objects of a pool",
	  free_keys, 2, 2, .run = cmd_cache_free },
	{ "kmem_cache_alloc_many", "POOL = kmem_cache_alloc_many $C count=N [gfp=FLAGS] [node=N] [cpu=N]",
	  "allocate count objects of the cache (fewer if an allocation fails)", many_keys, 1, 1,
	  .assigns = true, .run = cmd_cache_alloc_many },
	{ "kmalloc", "P = kmalloc SIZE [gfp=FLAGS] [node=N] [cpu=N]",
	  "SIZE bytes from the general caches (0: ZERO_SIZE_PTR; node=: kmalloc_node)",
	  alloc_keys, 1, 1, .assigns = true, .run = cmd_kmalloc },
	{ "kzalloc", "P = kzalloc SIZE [gfp=FLAGS] [node=N] [cpu=N]", "kmalloc, zeroed",
	  alloc_keys, 1, 1, .assigns = true, .run = cmd_kzalloc },
	{ "kcalloc", "P = kcalloc N SIZE [gfp=FLAGS] [cpu=N]",
	  "N zeroed elements of SIZE bytes (NULL if the product overflows)", gfp_keys, 2, 2,
	  .assigns = true, .run = cmd_kcalloc },
	{ "krealloc", "P = krealloc $Q SIZE [gfp=FLAGS] [cpu=N]",
	  "resize: the same object if it is large enough, else a new one (and Q is freed)",
	  gfp_keys, 2, 2, .assigns = true, .run = cmd_krealloc },
	{ "kmalloc_many", "POOL = kmalloc_many SIZE count=N [gfp=FLAGS] [node=N] [cpu=N]",
	  "kmalloc count objects (fewer if an allocation fails)", many_keys, 1, 1,
	  .assigns = true, .run = cmd_kmalloc_many },
	{ "kfree", "kfree $P [at=N] [cpu=N] | kfree $POOL [every=N [offset=K] | random=PCT]",
	  "free a kmalloc'd object (at=N: the address N bytes into it), or objects of a pool",
	  free_keys, 1, 1, .run = cmd_kfree },
	{ "kzfree", "kzfree $P [cpu=N]", "clear an object, then free it", zfree_keys, 1, 1,
	  .run = cmd_kzfree },
	{ "ksize", "[R =] ksize $P", "the usable size of an object (its cache's object size)",
	  no_keys, 1, 1, .assigns = true, .run = cmd_ksize },
	{ "kstrdup", "P = kstrdup TEXT [gfp=FLAGS] [cpu=N]", "a kmalloc'd copy of TEXT with its NUL",
	  gfp_keys, 1, 1, .assigns = true, .run = cmd_kstrdup },
	{ "kstrndup", "P = kstrndup TEXT MAX [gfp=FLAGS] [cpu=N]",
	  "a kmalloc'd copy of at most MAX characters of TEXT, NUL-terminated", gfp_keys, 2, 2,
	  .assigns = true, .run = cmd_kstrdup },
	{ "kmemdup", "P = kmemdup $Q LEN [gfp=FLAGS] [cpu=N]", "a kmalloc'd copy of LEN bytes at $Q",
	  gfp_keys, 2, 2, .assigns = true, .run = cmd_kmemdup },
	{ "write", "write $P OFFSET BYTE...",
	  "store bytes at OFFSET (may be negative) from an object, freed or not: to corrupt it on purpose",
	  no_keys, 3, 62, .run = cmd_write },
	{ "fill_bytes", "fill_bytes $P OFFSET LEN BYTE", "store LEN copies of BYTE at OFFSET from an object",
	  no_keys, 4, 4, .run = cmd_fill_bytes },
	{ "read", "[R =] read $P OFFSET [size=1|2|4|8]",
	  "the little-endian number at OFFSET from an object", read_keys, 2, 2, .assigns = true,
	  .run = cmd_read },
	{ NULL },
};
