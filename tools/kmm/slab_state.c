/*
 * slab_state.c - the slab allocator as the kmm program sees it (see
 * slab_state.h): the checks before a free or a write, the caches the
 * script created and their constructors, and cache flags as arguments.
 * The values themselves (objects, caches, pools) are in slab_values.c.
 *
 * What a pointer is comes from the allocator's debug API, kmem_obj_info():
 * an object is free when its slab's free chain reaches it or one of its
 * cache's arrays (per CPU, shared, alien) holds it.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include "tools/kmm/slab_state.h"

static bool direct_mapped(const void *p)
{
	return virt_addr_valid(p) && (__pa(p) >> PAGE_SHIFT) < max_low_pfn;
}

/* ---- frees and writes ---- */

/* Does a live variable or pool of the script hold @object? */
static bool script_holds(struct runtime *rt, const void *object)
{
	for (int i = 0; i < rt->nvars; i++) {
		const struct slab_obj_value *o = value_as(&rt->vars[i]->v, &slab_object);
		const struct slab_pool_value *pool = value_as(&rt->vars[i]->v, &slab_pool);

		if (o && !o->freed && o->ptr == object)
			return true;
		for (size_t k = 0; pool && k < pool->nr_objs; k++)
			if (pool->objs[k] == object)
				return true;
	}
	return false;
}

static bool cache_debug(struct kmem_cache *cache)
{
	struct kmem_cache_info info;

	kmem_cache_get_info(cache, &info);
	return info.debug;
}

static bool cache_hardened(struct kmem_cache *cache)
{
	struct kmem_cache_info info;

	kmem_cache_get_info(cache, &info);
	return info.hardened;
}

int slab_check_free(struct runtime *rt, struct script_cmd *c, struct kmem_cache *cache,
		    const void *p)
{
	const char *fn = c->def->name;
	unsigned long addr = (unsigned long)kaddr_to_linux(p);
	struct kmem_cache *target;
	struct kmem_obj_info in;
	bool debug;

	if (ZERO_OR_NULL_PTR(p)) {
		if (!cache)
			return 0;	/* kfree(NULL) and kfree(ZERO_SIZE_PTR) do nothing */
		return rt_error(rt, c, "%s: the pointer is %s (Linux would oops)", fn,
				p ? "ZERO_SIZE_PTR" : "NULL");
	}
	kmem_obj_info(&in, p);
	target = cache ? cache : in.kp_slab_cache;
	/* A debug cache reports misuse, a hardened one (slab_harden=on) stops on it. */
	debug = target && (cache_debug(target) || cache_hardened(target));
	switch (in.state) {
	case KMEM_OBJ_OUTSIDE:
	case KMEM_OBJ_NOT_SLAB:
		/* kfree() checks the page; a debug cache checks it too. */
		if (!cache || debug)
			return 0;
		return rt_error(rt, c, "%s: %lx is not on a slab page; cache `%s' has no debug checks and would be corrupted (create it with flags=SLAB_RED_ZONE or boot with slab_debug=on to see the report)",
				fn, addr, kmem_cache_name(cache));
	case KMEM_OBJ_METADATA:
	case KMEM_OBJ_INSIDE:
		if (debug)
			return 0;	/* reported as "not an object" */
		return rt_error(rt, c, "%s: %lx is not the start of an object of cache `%s'; without debug checks the cache would be corrupted (use flags=SLAB_RED_ZONE or slab_debug=on to see the report)",
				fn, addr, kmem_cache_name(in.kp_slab_cache));
	case KMEM_OBJ_FREE:
	case KMEM_OBJ_ALLOCATED:
		break;
	}
	if (cache && cache != in.kp_slab_cache) {
		if (debug)
			return 0;	/* reported as "belongs to cache" */
		return rt_error(rt, c, "%s: %lx belongs to cache `%s', not `%s'; without debug checks `%s' would be corrupted (use flags=SLAB_RED_ZONE or slab_debug=on to see the report)",
				fn, addr, kmem_cache_name(in.kp_slab_cache), kmem_cache_name(cache),
				kmem_cache_name(cache));
	}
	if (in.state == KMEM_OBJ_FREE) {
		if (in.kp_redzone == KMEM_RZ_INACTIVE || cache_hardened(in.kp_slab_cache))
			return 0;	/* reported as "double free detected" */
		if (in.kp_redzone != KMEM_RZ_NONE)
			return rt_error(rt, c, "%s: double free of %lx in cache `%s', whose red zones were overwritten: the kernel would not see it and would corrupt the cache",
					fn, addr, kmem_cache_name(in.kp_slab_cache));
		return rt_error(rt, c, "%s: double free of %lx in cache `%s', which has no red zones: the kernel would not notice and would corrupt the cache (use flags=SLAB_RED_ZONE or slab_debug=on to see the report)",
				fn, addr, kmem_cache_name(in.kp_slab_cache));
	}
	if (!script_holds(rt, p))
		return rt_error(rt, c, "%s: %lx is an allocated object of cache `%s' that no variable of the script holds: the kernel may be using it",
				fn, addr, kmem_cache_name(in.kp_slab_cache));
	return 0;
}

void slab_note_freed(struct runtime *rt, const void *object)
{
	struct kmem_obj_info in;

	if (ZERO_OR_NULL_PTR(object))
		return;
	kmem_obj_info(&in, object);
	if (in.state == KMEM_OBJ_ALLOCATED)
		return;
	for (int i = 0; i < rt->nvars; i++) {
		struct slab_obj_value *o = value_as(&rt->vars[i]->v, &slab_object);

		if (o && o->ptr == object)
			o->freed = true;
	}
}

/*
 * The range is walked page by page in integer arithmetic: a script's
 * offset may point anywhere, and only addresses found inside RAM turn
 * back into pointers.
 */
int slab_check_read(struct runtime *rt, struct script_cmd *c, const char *start, long long len)
{
	unsigned long a = (unsigned long)start, end = a + (unsigned long)len;

	if (len < 0 || (unsigned long long)len > (unsigned long long)max_low_pfn << PAGE_SHIFT ||
	    end < a)
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

		if (kmem_valid_obj(p)) {
			struct kmem_cache_info info;
			struct kmem_obj_info in;

			kmem_obj_info(&in, p);
			if (in.state == KMEM_OBJ_METADATA)
				return rt_error(rt, c, "%s: %lx is not in an object of cache `%s' (the slab's descriptor, free list or unused space); writing it would corrupt the allocator",
						c->def->name, addr, kmem_cache_name(in.kp_slab_cache));
			if (!in.kp_free && !script_holds(rt, in.kp_objp))
				return rt_error(rt, c, "%s: %lx is in object %llx of cache `%s', which the kernel is using now",
						c->def->name, addr, kaddr_to_linux(in.kp_objp),
						kmem_cache_name(in.kp_slab_cache));
			kmem_cache_get_info(in.kp_slab_cache, &info);
			stop = (unsigned long)in.kp_buffer + info.buffer_size;
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

/*
 * A cache the script created: the kernel keeps the name's pointer, so the
 * name lives until the machine shuts down (cache NULL once destroyed).
 */
struct script_cache {
	struct kmem_cache *cache;
	char *name;
	int ctor_byte;			/* >= 0: the constructor fills each object with it */
};

static struct script_cache *caches;	/* the running script's; one runs at a time */
static int ncaches, capcaches;

const char *slab_cache_add(const char *name, int ctor_byte)
{
	struct script_cache *e;

	if (ncaches == capcaches) {
		capcaches = capcaches ? 2 * capcaches : 8;
		caches = realloc(caches, capcaches * sizeof(*caches));
	}
	e = &caches[ncaches++];
	e->cache = NULL;
	e->name = strdup(name);
	e->ctor_byte = ctor_byte;
	return e->name;
}

void slab_cache_created(struct kmem_cache *cache)
{
	if (cache)
		caches[ncaches - 1].cache = cache;
	else
		free(caches[--ncaches].name);	/* the kernel does not hold it */
}

static struct script_cache *lookup(struct kmem_cache *cache)
{
	for (int i = 0; i < ncaches; i++)
		if (cache && caches[i].cache == cache)
			return &caches[i];
	return NULL;
}

bool slab_cache_ours(struct kmem_cache *cache)
{
	return lookup(cache) != NULL;
}

void slab_cache_destroyed(struct runtime *rt, struct kmem_cache *cache)
{
	lookup(cache)->cache = NULL;
	for (int i = 0; i < rt->nvars; i++) {
		struct slab_cache_value *cv = value_as(&rt->vars[i]->v, &slab_cache);
		struct slab_pool_value *pool = value_as(&rt->vars[i]->v, &slab_pool);

		if (cv && cv->cache == cache)
			cv->cache = NULL;
		if (pool && pool->cache == cache) {
			pool->cache = NULL;
			pool->cache_destroyed = true;
		}
	}
}

/* Constructors get only the object: its slab names the cache, the cache the byte. */
void slab_ctor(void *obj)
{
	struct kmem_obj_info in;
	struct script_cache *e;

	kmem_obj_info(&in, obj);
	e = lookup(in.kp_slab_cache);
	if (e && e->ctor_byte >= 0)
		memset(obj, e->ctor_byte, kmem_cache_size(e->cache));
}

void slab_machine_gone(struct runtime *rt)
{
	for (int i = 0; i < ncaches; i++)
		free(caches[i].name);
	free(caches);
	caches = NULL;
	ncaches = capcaches = 0;
}

/* ---- cache flags and constructors ---- */

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

/* "SLAB_HWCACHE_ALIGN|SLAB_RED_ZONE" or a number; -1 if a name is unknown. */
static int slab_flags_parse(const char *s, unsigned long *out)
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

static int parse_slab_flags(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
			    const char *text, struct arg_val *out)
{
	unsigned long flags;

	if (slab_flags_parse(text, &flags))
		return rt_error(rt, c, "%s=%s: not cache flags (SLAB_HWCACHE_ALIGN, SLAB_RED_ZONE, SLAB_POISON, SLAB_STORE_USER, SLAB_CACHE_DMA, SLAB_RECLAIM_ACCOUNT, ... joined by |, or a number)",
				d->name, text);
	out->num = flags;
	return 0;
}

const struct arg_type arg_slab_flags = {
	"cache flags", "SLAB_...|...",
	"SLAB_ names joined by | (SLAB_HWCACHE_ALIGN|SLAB_RED_ZONE), or a number", 0,
	parse_slab_flags,
};

static int parse_ctor(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		      const char *text, struct arg_val *out)
{
	unsigned long long v;
	char *end;

	if (strncmp(text, "pattern:", 8))
		goto bad;
	v = memparse(text + 8, &end);
	if (end == text + 8 || *end || v > 255)
		goto bad;
	out->num = (long long)v;
	return 0;
bad:
	return rt_error(rt, c, "%s=%s: the constructor is pattern:BYTE (e.g. pattern:0x3c)", d->name,
			text);
}

const struct arg_type arg_ctor = {
	"constructor", "pattern:0xNN", "pattern:BYTE: each new object is filled with BYTE", 0,
	parse_ctor,
};
