/*
 * slab_state.h - what the kmm program knows about slab objects and
 * caches, for the slab commands (cmd_slab.c): what a pointer points at,
 * whether the script may free it or write through it, the caches the
 * script created, and cache flags as text.
 *
 * The commands exist to misuse the allocator on purpose (double frees,
 * writes past the end, writes after free), but the misuse must stay the
 * simulated kernel's problem: never the host's.  So before a free or a
 * write the tool looks at the object itself.  What the kernel would catch
 * and report (a debug cache's red zones, poison, its free-time checks) is
 * passed on; what it would not catch and would turn into wild host
 * pointers (a double free in a cache without red zones, a write over the
 * slab's own free list or over an object the kernel itself is using) is
 * refused as a script error.
 */
#ifndef KMM_TOOL_SLAB_STATE_H
#define KMM_TOOL_SLAB_STATE_H

#include "tools/kmm/script.h"

struct kmem_cache;

enum obj_state {
	OBJ_OUTSIDE,		/* not in the direct map of lowmem */
	OBJ_NOT_SLAB,		/* in the direct map, on a page that is not a slab's */
	OBJ_METADATA,		/* on a slab, outside its objects (descriptor, colour...) */
	OBJ_INSIDE,		/* inside an object's buffer, not where the object starts */
	OBJ_FREE,		/* an object, free: on its slab's free chain or in an array */
	OBJ_ALLOCATED,		/* an object, allocated */
};

struct obj_info {
	enum obj_state state;
	struct kmem_cache *cache;	/* the slab's cache (OBJ_METADATA and after) */
	void *slab;			/* the slab's first byte (its first page) */
	int node;			/* the slab's node */
	unsigned int index;		/* its index in the slab (OBJ_INSIDE and after) */
	char *buffer;			/* its buffer: red zone, object, debug words */
	char *object;			/* what the allocator hands out: buffer + obj_offset */
	bool free;			/* the object (containing the pointer) is free */
};

/* Describe the pointer @p. */
void slab_obj_info(const void *p, struct obj_info *info);

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

/*
 * The script's caches.  slab_cache_add() keeps a copy of @name (the
 * kernel keeps the pointer) until the machine shuts down; slab_ctor() is
 * the constructor of the caches created with ctor=pattern:0xNN.
 */
struct script_cache *slab_cache_add(struct runtime *rt, const char *name, int ctor_byte);
void slab_cache_drop_last(struct runtime *rt);
struct script_cache *slab_cache_lookup(struct runtime *rt, struct kmem_cache *cache);
void slab_ctor(void *obj);

/* Cache flags: "SLAB_HWCACHE_ALIGN|SLAB_RED_ZONE" or a number; -1 if a name is unknown. */
int slab_flags_parse(const char *s, unsigned long *out);
void slab_flags_format(char *buf, size_t size, unsigned long flags);

#endif /* KMM_TOOL_SLAB_STATE_H */
