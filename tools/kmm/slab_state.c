/*
 * slab_state.c - the slab allocator as the kmm program sees it (see
 * slab_state.h): what a pointer points at, the checks before a free or a
 * write, the script's caches, and the values of slab variables (fields
 * for $NAME.field, show).
 *
 * Whether an object is free is read from the allocator's own structures:
 * it is free if its slab's free chain reaches it or if one of its cache's
 * arrays (per CPU, shared, alien) holds it.  Arrays hold buffer starts,
 * the allocator's view of an object, red zone included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/kmm.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include <kmm/slab.h>
#include "mm/slab.h"
#include "tools/kmm/slab_state.h"

/* ---- what a pointer points at ---- */

static bool direct_mapped(const void *p)
{
	return virt_addr_valid(p) && (__pa(p) >> PAGE_SHIFT) < max_low_pfn;
}

static bool array_holds(const struct array_cache *ac, const void *buffer)
{
	if (!ac)
		return false;
	for (unsigned int i = 0; i < ac->avail && i < ac->limit; i++)
		if (ac->entry[i] == buffer)
			return true;
	return false;
}

static bool object_is_free(struct kmem_cache *cache, struct slab *slabp, unsigned int idx,
			   const void *buffer)
{
	int cpu, node;

	if (slab_obj_free_in_chain(cache, slabp, idx))
		return true;
	for_each_online_cpu(cpu)
		if (array_holds(cache->array[cpu], buffer))
			return true;
	for_each_online_node(node) {
		struct kmem_list3 *l3 = cache->nodelists[node];

		if (!l3)
			continue;
		if (array_holds(l3->shared, buffer))
			return true;
		for (int n = 0; l3->alien && n < nr_node_ids; n++)
			if (array_holds(l3->alien[n], buffer))
				return true;
	}
	return false;
}

void slab_obj_info(const void *p, struct obj_info *info)
{
	struct kmem_cache *cache;
	struct slab *slabp;
	struct page *page;
	char *s_mem;
	size_t off;

	memset(info, 0, sizeof(*info));
	if (!direct_mapped(p)) {
		info->state = OBJ_OUTSIDE;
		return;
	}
	page = virt_to_page(p);
	if (!PageSlab(page)) {
		info->state = OBJ_NOT_SLAB;
		return;
	}
	slabp = virt_to_slab(p);
	cache = page_get_cache(page);
	s_mem = slab_s_mem(slabp);
	info->cache = cache;
	info->slab = lowmem_page_address(slab_page(slabp));
	info->node = slab_nodeid(slabp);
	if ((const char *)p < s_mem || (const char *)p >= s_mem + cache->num * cache->buffer_size) {
		info->state = OBJ_METADATA;
		return;
	}
	off = (const char *)p - s_mem;
	info->index = off / cache->buffer_size;
	info->buffer = s_mem + info->index * cache->buffer_size;
	info->object = info->buffer + cache->obj_offset;
	info->free = object_is_free(cache, slabp, info->index, info->buffer);
	if ((const char *)p != info->object)
		info->state = OBJ_INSIDE;
	else
		info->state = info->free ? OBJ_FREE : OBJ_ALLOCATED;
}

/* ---- frees and writes ---- */

/* Does a live variable or pool of the script hold @object? */
static bool script_holds(struct runtime *rt, const void *object)
{
	for (int i = 0; i < rt->nvars; i++) {
		const struct value *v = &rt->vars[i].v;

		if (v->kind == VAL_PTR && !v->freed && v->ptr == object)
			return true;
		if (v->kind == VAL_OBJPOOL)
			for (size_t k = 0; k < v->nr_objs; k++)
				if (v->objs[k] == object)
					return true;
	}
	return false;
}

/* A free object whose red zones both say "inactive": the kernel will see the double free. */
static bool redzones_inactive(struct kmem_cache *cache, char *buffer)
{
	return (cache->flags & SLAB_RED_ZONE) && *dbg_redzone1(cache, buffer) == RED_INACTIVE &&
	       *dbg_redzone2(cache, buffer) == RED_INACTIVE;
}

int slab_check_free(struct runtime *rt, struct script_cmd *c, struct kmem_cache *cache,
		    const void *p)
{
	const char *fn = c->def->name;
	unsigned long addr = (unsigned long)kaddr_to_linux(p);
	struct kmem_cache *target;
	struct obj_info in;
	bool debug;

	if (ZERO_OR_NULL_PTR(p)) {
		if (!cache)
			return 0;	/* kfree(NULL) and kfree(ZERO_SIZE_PTR) do nothing */
		return rt_error(rt, c, "%s: the pointer is %s (Linux would oops)", fn,
				p ? "ZERO_SIZE_PTR" : "NULL");
	}
	slab_obj_info(p, &in);
	target = cache ? cache : in.cache;
	debug = target && cache_debug(target);
	switch (in.state) {
	case OBJ_OUTSIDE:
	case OBJ_NOT_SLAB:
		/* kfree() checks the page; a debug cache checks it too. */
		if (!cache || debug)
			return 0;
		return rt_error(rt, c, "%s: %lx is not on a slab page; cache `%s' has no debug checks and would be corrupted (create it with flags=SLAB_RED_ZONE or boot with slab_debug=on to see the report)",
				fn, addr, kmem_cache_name(cache));
	case OBJ_METADATA:
	case OBJ_INSIDE:
		if (debug)
			return 0;	/* reported as "not an object" */
		return rt_error(rt, c, "%s: %lx is not the start of an object of cache `%s'; without debug checks the cache would be corrupted (use flags=SLAB_RED_ZONE or slab_debug=on to see the report)",
				fn, addr, in.cache->name);
	case OBJ_FREE:
	case OBJ_ALLOCATED:
		break;
	}
	if (cache && cache != in.cache) {
		if (debug)
			return 0;	/* reported as "belongs to cache" */
		return rt_error(rt, c, "%s: %lx belongs to cache `%s', not `%s'; without debug checks `%s' would be corrupted (use flags=SLAB_RED_ZONE or slab_debug=on to see the report)",
				fn, addr, in.cache->name, cache->name, cache->name);
	}
	if (in.state == OBJ_FREE) {
		if (redzones_inactive(in.cache, in.buffer))
			return 0;	/* reported as "double free detected" */
		if (in.cache->flags & SLAB_RED_ZONE)
			return rt_error(rt, c, "%s: double free of %lx in cache `%s', whose red zones were overwritten: the kernel would not see it and would corrupt the cache",
					fn, addr, in.cache->name);
		return rt_error(rt, c, "%s: double free of %lx in cache `%s', which has no red zones: the kernel would not notice and would corrupt the cache (use flags=SLAB_RED_ZONE or slab_debug=on to see the report)",
				fn, addr, in.cache->name);
	}
	if (!script_holds(rt, p))
		return rt_error(rt, c, "%s: %lx is an allocated object of cache `%s' that no variable of the script holds: the kernel may be using it",
				fn, addr, in.cache->name);
	return 0;
}

void slab_note_freed(struct runtime *rt, const void *object)
{
	struct obj_info in;

	if (ZERO_OR_NULL_PTR(object))
		return;
	slab_obj_info(object, &in);
	if (in.state == OBJ_ALLOCATED)
		return;
	for (int i = 0; i < rt->nvars; i++)
		if (rt->vars[i].v.kind == VAL_PTR && rt->vars[i].v.ptr == object)
			rt->vars[i].v.freed = true;
}

/*
 * The range is walked page by page in integer arithmetic: a script's
 * offset may point anywhere, and only addresses found inside RAM turn
 * back into pointers.
 */
int slab_check_read(struct runtime *rt, struct script_cmd *c, const char *start, long long len)
{
	unsigned long a = (unsigned long)start, end = a + (unsigned long)len;

	if (len < 0 || (unsigned long long)len > hw_ram_size || end < a)
		return rt_error(rt, c, "%s: %lld bytes at %lx: outside the direct map of simulated RAM",
				c->def->name, len, (unsigned long)kaddr_to_linux(start));
	for (; a < end; a = (a | (PAGE_SIZE - 1)) + 1)
		if (!direct_mapped((const void *)a))
			return rt_error(rt, c, "%s: %llx is outside the direct map of simulated RAM",
					c->def->name, kaddr_to_linux((const void *)a));
	return 0;
}

/*
 * Slab pages: any object buffer (red zones and last-user word included)
 * that is free or that the script holds; never the slab's descriptor and
 * free list, never an object the kernel itself holds.  Other pages: only
 * free ones (a freed slab's pages go back to the page allocator).
 */
int slab_check_write(struct runtime *rt, struct script_cmd *c, const char *start, long long len)
{
	unsigned long a = (unsigned long)start, end = a + (unsigned long)len;

	if (slab_check_read(rt, c, start, len))
		return -1;
	while (a < end) {
		const char *p = (const char *)a;
		struct page *page = virt_to_page(p);
		unsigned long addr = (unsigned long)kaddr_to_linux(p), stop;

		if (PageSlab(page)) {
			struct obj_info in;

			slab_obj_info(p, &in);
			if (in.state == OBJ_METADATA)
				return rt_error(rt, c, "%s: %lx is not in an object of cache `%s' (the slab's descriptor, free list or unused space); writing it would corrupt the allocator",
						c->def->name, addr, in.cache->name);
			if (!in.free && !script_holds(rt, in.object))
				return rt_error(rt, c, "%s: %lx is in object %llx of cache `%s', which the kernel is using now",
						c->def->name, addr, kaddr_to_linux(in.object),
						in.cache->name);
			stop = (unsigned long)in.buffer + in.cache->buffer_size;
		} else {
			if (PageReserved(page) || page_count(page))
				return rt_error(rt, c, "%s: %lx is in page 0x%lx, which is in use and not a slab's",
						c->def->name, addr, page_to_pfn(page));
			stop = (a | (PAGE_SIZE - 1)) + 1;
		}
		a = stop < end ? stop : end;
	}
	return 0;
}

/* ---- the script's caches ---- */

static struct runtime *ctor_rt;		/* whose caches slab_ctor() serves */

struct script_cache *slab_cache_add(struct runtime *rt, const char *name, int ctor_byte)
{
	struct script_cache *e;

	if (rt->ncaches == rt->capcaches) {
		rt->capcaches = rt->capcaches ? 2 * rt->capcaches : 8;
		rt->caches = realloc(rt->caches, rt->capcaches * sizeof(*rt->caches));
	}
	e = &rt->caches[rt->ncaches++];
	e->cache = NULL;
	e->name = strdup(name);
	e->ctor_byte = ctor_byte;
	ctor_rt = rt;
	return e;
}

/* The last cache added was not created after all: the kernel does not hold its name. */
void slab_cache_drop_last(struct runtime *rt)
{
	free(rt->caches[--rt->ncaches].name);
}

struct script_cache *slab_cache_lookup(struct runtime *rt, struct kmem_cache *cache)
{
	for (int i = 0; i < rt->ncaches; i++)
		if (cache && rt->caches[i].cache == cache)
			return &rt->caches[i];
	return NULL;
}

/* Constructors get only the object: its slab page names the cache, the cache the byte. */
void slab_ctor(void *obj)
{
	struct script_cache *e = ctor_rt ? slab_cache_lookup(ctor_rt, virt_to_cache(obj)) : NULL;

	if (e && e->ctor_byte >= 0)
		memset(obj, e->ctor_byte, kmem_cache_size(e->cache));
}

void slab_release(struct runtime *rt)
{
	for (int i = 0; i < rt->ncaches; i++)
		free(rt->caches[i].name);
	free(rt->caches);
	rt->caches = NULL;
	rt->ncaches = rt->capcaches = 0;
	if (ctor_rt == rt)
		ctor_rt = NULL;
}

/* ---- cache flags ---- */

static const struct {
	const char *name;
	unsigned long flag;
} slab_flag_names[] = {
	{ "SLAB_DEBUG_FREE", SLAB_DEBUG_FREE }, { "SLAB_RED_ZONE", SLAB_RED_ZONE },
	{ "SLAB_POISON", SLAB_POISON }, { "SLAB_HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN },
	{ "SLAB_CACHE_DMA", SLAB_CACHE_DMA }, { "SLAB_STORE_USER", SLAB_STORE_USER },
	{ "SLAB_RECLAIM_ACCOUNT", SLAB_RECLAIM_ACCOUNT }, { "SLAB_PANIC", SLAB_PANIC },
	{ "SLAB_DESTROY_BY_RCU", SLAB_DESTROY_BY_RCU }, { "SLAB_MEM_SPREAD", SLAB_MEM_SPREAD },
	{ "SLAB_NOLEAKTRACE", SLAB_NOLEAKTRACE }, { "SLAB_FAILSLAB", SLAB_FAILSLAB },
	/* Aliases and flags that are 0 in this configuration: accepted, never printed. */
	{ "SLAB_TEMPORARY", SLAB_TEMPORARY }, { "SLAB_DEBUG_OBJECTS", SLAB_DEBUG_OBJECTS },
	{ "SLAB_NOTRACK", SLAB_NOTRACK },
};
#define NR_PRINTED_FLAGS	12

int slab_flags_parse(const char *s, unsigned long *out)
{
	char buf[512], *tok, *save = NULL;
	unsigned long flags = 0;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		size_t i, n = sizeof(slab_flag_names) / sizeof(slab_flag_names[0]);
		char *end;
		unsigned long v;

		for (i = 0; i < n; i++)
			if (!strcmp(tok, slab_flag_names[i].name))
				break;
		if (i < n) {
			flags |= slab_flag_names[i].flag;
			continue;
		}
		v = strtoul(tok, &end, 0);
		if (end == tok || *end || v > 0xffffffffUL)
			return -1;
		flags |= v;
	}
	*out = flags;
	return 0;
}

void slab_flags_format(char *buf, size_t size, unsigned long flags)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < NR_PRINTED_FLAGS && n < size; i++)
		if (flags & slab_flag_names[i].flag)
			n += snprintf(buf + n, size - n, "%s%s", n ? "|" : "",
				      slab_flag_names[i].name);
	if (!n)
		snprintf(buf, size, "0");
}

/* ---- values: fields and show ---- */

/* A column of the cache's /proc/slabinfo line, as a user reads it. */
static int slabinfo_column(struct kmem_cache *cache, const char *field, long long *out)
{
	char spec[160], err[160];
	struct seq_file m;
	int r;

	seq_init(&m);
	r = proc_read("/proc/slabinfo", &m);
	snprintf(spec, sizeof(spec), "%s:%s", cache->name, field);
	if (!r)
		r = view_field(m.buf ? m.buf : "", "/proc/slabinfo", spec, out, err, sizeof(err));
	seq_release(&m);
	return r;
}

static int cache_field(struct kmem_cache *cache, const char *f, long long *out)
{
	static const char *const slabinfo_cols[] = { "active_objs", "num_objs", "active_slabs",
						     "num_slabs", "sharedavail" };

	if (!strcmp(f, "objsize"))
		*out = kmem_cache_size(cache);
	else if (!strcmp(f, "size"))
		*out = cache->buffer_size;
	else if (!strcmp(f, "num") || !strcmp(f, "objperslab"))
		*out = cache->num;
	else if (!strcmp(f, "pagesperslab"))
		*out = 1LL << cache->gfporder;
	else if (!strcmp(f, "order"))
		*out = cache->gfporder;
	else if (!strcmp(f, "limit"))
		*out = cache->limit;
	else if (!strcmp(f, "batchcount"))
		*out = cache->batchcount;
	else if (!strcmp(f, "shared") || !strcmp(f, "sharedfactor"))
		*out = cache->shared;
	else if (!strcmp(f, "colour"))
		*out = cache->colour;
	else if (!strcmp(f, "colour_off"))
		*out = cache->colour_off;
	else if (!strcmp(f, "offslab"))
		*out = OFF_SLAB(cache) ? 1 : 0;
	else if (!strcmp(f, "flags"))
		*out = cache->flags & CREATE_MASK;	/* not the allocator's own bits */
	else {
		for (size_t i = 0; i < sizeof(slabinfo_cols) / sizeof(slabinfo_cols[0]); i++)
			if (!strcmp(f, slabinfo_cols[i]))
				return slabinfo_column(cache, f, out);
		return -1;
	}
	return 0;
}

static int object_field(const struct value *v, const char *f, long long *out, char *err,
			size_t errlen)
{
	struct obj_info in;

	if (!strcmp(f, "ok"))
		*out = v->ptr != NULL;
	else if (!strcmp(f, "size"))
		*out = v->size;
	else if (!strcmp(f, "addr"))
		*out = v->ptr ? (long long)kaddr_to_linux(v->ptr) : 0;
	else if (!strcmp(f, "freed"))
		*out = v->freed;
	else if (strcmp(f, "ksize") && strcmp(f, "node") && strcmp(f, "pfn") && strcmp(f, "index"))
		return -1;
	else {
		if (v->ptr == ZERO_SIZE_PTR && !strcmp(f, "ksize")) {
			*out = 0;
			return 0;
		}
		slab_obj_info(v->ptr, &in);
		if (in.state != OBJ_FREE && in.state != OBJ_ALLOCATED) {
			snprintf(err, errlen, "%s is not a slab object (%s)",
				 v->ptr ? "the pointer" : "NULL", v->freed ? "freed" : "no object");
			return -2;
		}
		if (!strcmp(f, "ksize"))
			*out = kmem_cache_size(in.cache);
		else if (!strcmp(f, "node"))
			*out = in.node;
		else if (!strcmp(f, "pfn"))
			*out = __pa(v->ptr) >> PAGE_SHIFT;
		else
			*out = in.index;
	}
	return 0;
}

int slab_value_field(const struct value *v, const char *field, long long *out, char *err,
		     size_t errlen)
{
	int r = -1;

	switch (v->kind) {
	case VAL_PTR:
		r = object_field(v, field, out, err, errlen);
		if (r == -2)
			return -1;
		break;
	case VAL_CACHE:
		if (!strcmp(field, "ok")) {
			*out = v->cache != NULL;
			return 0;
		}
		if (!v->cache) {
			snprintf(err, errlen, "no cache (its creation failed, or it was destroyed)");
			return -1;
		}
		r = cache_field(v->cache, field, out);
		break;
	case VAL_OBJPOOL:
		if (!strcmp(field, "objects")) {
			*out = v->nr_objs;
			r = 0;
		}
		break;
	default:
		break;
	}
	if (r)
		snprintf(err, errlen, "no field '%s' here", field);
	return r;
}

static void show_cache(struct runtime *rt, const char *name, struct kmem_cache *cache)
{
	char flags[256];

	slab_flags_format(flags, sizeof(flags), cache->flags);
	fprintf(rt->out, "%s: cache %s: objsize %d, buffer %u, %u object%s per slab of %d page%s, "
		"%zu colour%s of %u bytes, descriptor %s%s, flags %s, tunables %u %u %u\n",
		name, cache->name, cache->obj_size, cache->buffer_size, cache->num,
		cache->num == 1 ? "" : "s", 1 << cache->gfporder, cache->gfporder ? "s" : "",
		cache->colour,
		cache->colour == 1 ? "" : "s", cache->colour_off,
		OFF_SLAB(cache) ? "off-slab in " : "on-slab",
		OFF_SLAB(cache) ? cache->slabp_cache->name : "", flags, cache->limit,
		cache->batchcount, cache->shared);
}

void slab_show(struct runtime *rt, const char *name, const struct value *v)
{
	static const char *const states[] = { "outside the direct map", "not on a slab page",
					      "in a slab but not in an object",
					      "inside an object", "free", "allocated" };
	struct obj_info in;

	if (v->kind == VAL_CACHE) {
		if (v->cache)
			show_cache(rt, name, v->cache);
		else
			fprintf(rt->out, "%s: no cache\n", name);
		return;
	}
	if (v->kind == VAL_OBJPOOL) {
		fprintf(rt->out, "%s: pool of %zu objects of %s%s\n", name, v->nr_objs,
			v->cache ? "cache " : "kmalloc", v->cache ? kmem_cache_name(v->cache) : "");
		return;
	}
	if (!v->ptr || v->ptr == ZERO_SIZE_PTR) {
		fprintf(rt->out, "%s: %s\n", name, v->ptr ? "ZERO_SIZE_PTR (kmalloc of 0 bytes)" :
			"NULL (the allocation failed)");
		return;
	}
	slab_obj_info(v->ptr, &in);
	if (in.state == OBJ_FREE || in.state == OBJ_ALLOCATED)
		fprintf(rt->out, "%s: object %llx of cache %s, size %zu, ksize %u: object %u of slab %llx on node %d, %s%s\n",
			name, (unsigned long long)kaddr_to_linux(v->ptr), in.cache->name, v->size,
			kmem_cache_size(in.cache), in.index,
			(unsigned long long)kaddr_to_linux(in.slab), in.node, states[in.state],
			v->freed ? " (the script freed it)" : "");
	else
		fprintf(rt->out, "%s: %llx, size %zu: %s%s\n", name,
			(unsigned long long)kaddr_to_linux(v->ptr), v->size, states[in.state],
			v->freed ? " (the script freed it)" : "");
}
