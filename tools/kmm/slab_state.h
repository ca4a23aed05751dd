/*
 * slab_state.h - the slab allocator as the kmm program sees it, for the
 * slab commands (cmd_slab.c): the three kinds of value they make, whether
 * the script may free a pointer or write through it, the caches the
 * script created, and the argument types of cache flags and constructors.
 *
 * The commands exist to misuse the allocator on purpose (double frees,
 * writes past the end, writes after free), but the misuse must stay the
 * simulated kernel's problem: never the host's.  So before a free or a
 * write the tool looks at the object itself, through the allocator's
 * debug API (kmem_obj_info, include/kmm/slab.h).  What the kernel would
 * catch and report (a debug cache's red zones, poison, its free-time
 * checks) is passed on; what it would not catch and would turn into wild
 * host pointers (a double free in a cache without red zones, a write over
 * the slab's own free list or over an object the kernel itself is using)
 * is refused as a script error.
 */
#ifndef KMM_TOOL_SLAB_STATE_H
#define KMM_TOOL_SLAB_STATE_H

#include "tools/kmm/command.h"

struct kmem_cache;

/* ---- the values ---- */

/* An object: kmalloc, kmem_cache_alloc and the rest of the family. */
struct slab_obj_value {
	void *ptr;			/* the object, NULL or ZERO_SIZE_PTR; kept after a free */
	size_t size;			/* the size asked for */
	bool freed;			/* the script freed it */
};

/* A cache: kmem_cache_create, kmem_cache_find. */
struct slab_cache_value {
	struct kmem_cache *cache;	/* NULL: creation failed, or destroyed */
};

/* A pool of objects: kmalloc_many, kmem_cache_alloc_many. */
struct slab_pool_value {
	struct kmem_cache *cache;	/* NULL: kmalloc's */
	bool cache_destroyed;		/* its cache was destroyed since */
	void **objs;			/* allocated and not freed */
	size_t nr_objs, cap_objs;
};

extern const struct value_type slab_object, slab_cache, slab_pool;

/* ---- frees and writes ---- */

/*
 * May the script free @p into @cache (NULL: kfree)?  0: go ahead (the
 * kernel frees it, or reports what is wrong with it); -1: refused, with a
 * script error saying why.
 */
int slab_check_free(struct runtime *rt, struct script_cmd *c, struct kmem_cache *cache,
		    const void *p);
/* May the script write @len bytes at @start?  0 or -1 (reported). */
int slab_check_write(struct runtime *rt, struct script_cmd *c, const char *start, long long len);
/* May the script read them?  The direct map is enough. */
int slab_check_read(struct runtime *rt, struct script_cmd *c, const char *start, long long len);
/* After a free: variables holding @object, now no longer allocated, are marked freed. */
void slab_note_freed(struct runtime *rt, const void *object);

/* ---- the script's caches ---- */

/*
 * slab_cache_add() keeps a copy of @name (the kernel keeps the pointer)
 * until the machine shuts down; ctor_byte >= 0: the cache's constructor
 * (slab_ctor) fills each object with that byte.  Returns the name to give
 * kmem_cache_create(); slab_cache_created() records what it returned
 * (NULL: the name is dropped again).
 */
const char *slab_cache_add(const char *name, int ctor_byte);
void slab_cache_created(struct kmem_cache *cache);
/* Did the script create @cache? */
bool slab_cache_ours(struct kmem_cache *cache);
/* @cache was destroyed: forget it, and every variable naming it holds no cache. */
void slab_cache_destroyed(struct runtime *rt, struct kmem_cache *cache);
void slab_ctor(void *obj);
/* The machine is gone: forget the caches (the slab group's machine_gone). */
void slab_machine_gone(struct runtime *rt);

/* ---- cache flags, and argument types ---- */

/* "SLAB_RED_ZONE|SLAB_HWCACHE_ALIGN", or "0". */
void slab_flags_format(char *buf, size_t size, unsigned long flags);

/* flags=SLAB_HWCACHE_ALIGN|SLAB_RED_ZONE, or a number. */
extern const struct arg_type arg_slab_flags;
/* ctor=pattern:0xNN: the byte (num), or -1 when not given. */
extern const struct arg_type arg_ctor;

#endif /* KMM_TOOL_SLAB_STATE_H */
