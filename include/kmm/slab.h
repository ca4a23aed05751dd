/*
 * slab.h - the SLAB allocator and kmalloc (Linux 2.6.34's mm/slab.c).
 *
 *   struct kmem_cache *c = kmem_cache_create("inode", 600, 0, SLAB_HWCACHE_ALIGN, NULL);
 *   struct inode *i = kmem_cache_alloc(c, GFP_KERNEL);
 *   kmem_cache_free(c, i);
 *   char *s = kmalloc(100, GFP_KERNEL);      from "size-128"
 *   kfree(s);
 *
 * Objects are real memory (the direct map of simulated RAM): C code reads
 * and writes them.  A cache keeps a small array of free objects per CPU
 * (taken and refilled in batches from its slabs), a list of slabs per node
 * (full, partial, free), and colours successive slabs so that their
 * objects start at different cache-line offsets.  See mm/slab.c.
 */
#ifndef KMM_SLAB_H
#define KMM_SLAB_H

#include <kmm/compiler.h>
#include <kmm/gfp.h>
#include <kmm/types.h>
#include <kmm/asm/page.h>

/* Cache flags (2.6.34's values). */
#define SLAB_DEBUG_FREE		0x00000100UL	/* SLUB only; accepted, no effect */
#define SLAB_RED_ZONE		0x00000400UL	/* guard words around each object */
#define SLAB_POISON		0x00000800UL	/* fill free objects with 0x6b, new with 0x5a */
#define SLAB_HWCACHE_ALIGN	0x00002000UL	/* align objects to cache lines */
#define SLAB_CACHE_DMA		0x00004000UL	/* pages from ZONE_DMA */
#define SLAB_STORE_USER		0x00010000UL	/* record the last caller of each object */
#define SLAB_RECLAIM_ACCOUNT	0x00020000UL	/* pages count as reclaimable */
#define SLAB_TEMPORARY		SLAB_RECLAIM_ACCOUNT
#define SLAB_PANIC		0x00040000UL	/* panic if creation fails */
#define SLAB_DESTROY_BY_RCU	0x00080000UL	/* free slab pages after a grace period */
#define SLAB_MEM_SPREAD		0x00100000UL	/* spread over the cpuset's nodes */
#define SLAB_TRACE		0x00200000UL	/* SLUB only */
#define SLAB_DEBUG_OBJECTS	0x00000000UL	/* CONFIG_DEBUG_OBJECTS is off */
#define SLAB_NOLEAKTRACE	0x00800000UL	/* kmemleak ignores it (and no off-slab) */
#define SLAB_NOTRACK		0x00000000UL	/* CONFIG_KMEMCHECK is off */
#define SLAB_FAILSLAB		0x02000000UL	/* failslab's cache-filter selects it */

/*
 * The flags kmem_cache_create() accepts (2.6.34's CREATE_MASK with the
 * debug flags): it BUG()s on any other bit.
 */
#define SLAB_CREATE_MASK	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER |	\
				 SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA |			\
				 SLAB_RECLAIM_ACCOUNT | SLAB_PANIC |			\
				 SLAB_DESTROY_BY_RCU | SLAB_MEM_SPREAD |		\
				 SLAB_DEBUG_OBJECTS | SLAB_NOLEAKTRACE | SLAB_NOTRACK |	\
				 SLAB_FAILSLAB | SLAB_DEBUG_FREE)

/* kmalloc(0) returns this: not NULL, but faults if used; kfree() accepts it. */
#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

/* The largest kmalloc: 2^(MAX_ORDER + PAGE_SHIFT - 1) = 4 MiB, one order-10 slab. */
#define KMALLOC_SHIFT_HIGH	22
#define KMALLOC_MAX_SIZE	(1UL << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_ORDER	(KMALLOC_SHIFT_HIGH - 12)

struct kmem_cache;

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     unsigned long flags, void (*ctor)(void *));
/* Refused ("Can't free all objects") while objects are allocated. */
void kmem_cache_destroy(struct kmem_cache *cachep);
/* Release free slabs; 0 if the cache now holds no slab at all, else 1. */
int kmem_cache_shrink(struct kmem_cache *cachep);
void *kmem_cache_alloc(struct kmem_cache *cachep, gfp_t flags);
void *kmem_cache_alloc_node(struct kmem_cache *cachep, gfp_t flags, int nodeid);
void kmem_cache_free(struct kmem_cache *cachep, void *objp);
unsigned int kmem_cache_size(struct kmem_cache *cachep);
const char *kmem_cache_name(struct kmem_cache *cachep);
/* Look a cache up by name (kmm: for scripts and tools); NULL if none. */
struct kmem_cache *kmem_cache_find(const char *name);

static inline void *kmem_cache_zalloc(struct kmem_cache *cachep, gfp_t flags)
{
	return kmem_cache_alloc(cachep, flags | __GFP_ZERO);
}

/*
 * The general caches, size-32 to size-4194304 and their (DMA) twins.
 * kmalloc_index() maps a size to its entry exactly as Linux's walk of
 * malloc_sizes[] does, without the walk.
 */
struct cache_sizes {
	size_t cs_size;
	struct kmem_cache *cs_cachep;
	struct kmem_cache *cs_dmacachep;
};
extern struct cache_sizes malloc_sizes[];
extern const u8 kmalloc_size_index[25];	/* (size + 7) / 8 for sizes up to 192 */

static __always_inline int kmalloc_index(size_t size)
{
	if (size <= 192)
		return kmalloc_size_index[(size + 7) >> 3];
	/* 256 and up are powers of two: size-256 is entry 4. */
	return 64 - __builtin_clzl(size - 1) - 4;
}

void *__kmalloc(size_t size, gfp_t flags);
void *__kmalloc_node(size_t size, gfp_t flags, int node);
/* The caches kmalloc would use for @size; ZERO_SIZE_PTR for 0, NULL if too big. */
struct kmem_cache *kmem_find_general_cachep(size_t size, gfp_t gfpflags);

static __always_inline void *kmalloc(size_t size, gfp_t flags)
{
	return __kmalloc(size, flags);
}

static __always_inline void *kmalloc_node(size_t size, gfp_t flags, int node)
{
	return __kmalloc_node(size, flags, node);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

static inline void *kzalloc_node(size_t size, gfp_t flags, int node)
{
	return kmalloc_node(size, flags | __GFP_ZERO, node);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	if (size != 0 && n > (~0UL) / size)
		return NULL;
	return __kmalloc(n * size, flags | __GFP_ZERO);
}

void kfree(const void *objp);

/*
 * The slab page map (kmm's own; 2.6.34 has only page->private): the cache
 * of every page of every slab, by pfn, NULL for any other page.  kfree()
 * reads its object's cache here, 8 bytes a page, rather than in the
 * struct page (56 or 64 bytes a page): with thousands of objects live,
 * the struct pages of their slabs miss the CPU's caches and the map's few
 * pages do not (kmm_bench slab, kmalloc 8-4096 with 10,000 live: 21 -> 17
 * ns).  Host memory reserved at kmem_cache_init() for every pfn RAM may
 * reach (memory hotplug included), written only where slabs are; set
 * with the struct pages (slab_map_pages), cleared at kmem_freepages().
 * mm_check: each slab's pages name its cache here, and the map holds
 * exactly slab_pagemap_nr entries, so no other page has one.
 */
extern struct kmem_cache **slab_pagemap;
extern unsigned long slab_pagemap_pfns, slab_pagemap_nr;

/* The cache of the slab holding @obj, or NULL: not in a slab page, or no map. */
static inline struct kmem_cache *slab_pagemap_cache(const void *obj)
{
	unsigned long pfn = (unsigned long)((const char *)obj - hw_ram_base) >> PAGE_SHIFT;

	return pfn < slab_pagemap_pfns ? slab_pagemap[pfn] : NULL;
}
/* Usable bytes of a kmalloc'd object (its cache's object size). */
size_t ksize(const void *objp);
void kzfree(const void *objp);
void *__krealloc(const void *p, size_t new_size, gfp_t flags);
void *krealloc(const void *p, size_t new_size, gfp_t flags);
char *kstrdup(const char *s, gfp_t gfp);
char *kstrndup(const char *s, size_t max, gfp_t gfp);
void *kmemdup(const void *src, size_t len, gfp_t gfp);

/* True once kmalloc works (after kmem_cache_init). */
bool slab_is_available(void);

/*
 * Hardening (kmm, boot option slab_harden=on; off by default, 2.6.34 has
 * none): every kfree and kmem_cache_free checks, in O(1), that it frees
 * an object handed out and not freed since, from the start of the object,
 * through its own cache, and that the slab's record of it is intact; each
 * allocation checks the object it hands out.  A failed check is reported
 * (printk, then the hook below) and stops the kernel (BUG) without
 * touching the cache.  See mm/slab_harden.c.
 */
enum slab_harden_fault {
	SLAB_HARDEN_DOUBLE_FREE,	/* the object is free already */
	SLAB_HARDEN_NOT_OBJECT,		/* on a slab, but not the start of an object */
	SLAB_HARDEN_NOT_SLAB,		/* not on a slab page at all */
	SLAB_HARDEN_WRONG_CACHE,	/* an object of another cache (kmem_cache_free) */
	SLAB_HARDEN_CORRUPT,		/* its slab's record of it was overwritten */
};

struct slab_harden_report {
	enum slab_harden_fault fault;
	const char *what;		/* the fault in words: "double free detected" */
	const char *call;		/* "kfree", "kmem_cache_free", "kmem_cache_alloc"... */
	const void *objp;		/* the pointer (a host address) */
	const char *cache;		/* its cache's name, or NULL */
};

/* Called with each report before the stop (kmm-malloc words it as free() would). */
typedef void (*slab_harden_hook_t)(const struct slab_harden_report *report);
void slab_harden_set_hook(slab_harden_hook_t hook);
/* slab_harden= for machines booted from now on, unless the command line says (default off). */
void slab_harden_set_default(bool on);
/* Does the running machine harden its caches? */
bool slab_hardened(void);
/*
 * Check, as kfree() would, that @objp is an allocated kmalloc object, without
 * freeing it (a realloc about to use it); @call names the caller in a report.
 * Does nothing unless the machine is hardened.
 */
void kmem_harden_check(const void *objp, const char *call);

/*
 * Debugging: what a pointer is, and a cache's geometry (mm/slab_info.c).
 * After Linux 5.11's kmem_valid_obj() and kmem_obj_info(), for tools and
 * tests that must not read the allocator's private structures.  They read
 * the cache without its locks: the caller keeps the cache still (the
 * deterministic mode, or no concurrent use of the cache).
 */
struct page;

enum kmem_obj_state {
	KMEM_OBJ_OUTSIDE,	/* not in the direct map of lowmem */
	KMEM_OBJ_NOT_SLAB,	/* in the direct map, on a page that is not a slab's */
	KMEM_OBJ_METADATA,	/* on a slab, outside its objects (descriptor, free list, colour) */
	KMEM_OBJ_INSIDE,	/* inside an object's buffer, not where the object starts */
	KMEM_OBJ_FREE,		/* an object, free */
	KMEM_OBJ_ALLOCATED,	/* an object, allocated */
};

/* Where a free object waits to be handed out again. */
enum kmem_obj_free_in {
	KMEM_FREE_NONE,		/* allocated */
	KMEM_FREE_SLAB,		/* on its slab's free chain */
	KMEM_FREE_CPU,		/* in a CPU's array (kp_free_id: the CPU) */
	KMEM_FREE_SHARED,	/* in a node's shared array (kp_free_id: the node) */
	KMEM_FREE_ALIEN,	/* in an alien array, on its way home (kp_free_id: its node) */
};

/* What an object's red zones say (caches with SLAB_RED_ZONE). */
enum kmem_redzone {
	KMEM_RZ_NONE,		/* the cache has no red zones */
	KMEM_RZ_ACTIVE,		/* both say "allocated" */
	KMEM_RZ_INACTIVE,	/* both say "free": a free of it is reported as a double free */
	KMEM_RZ_CORRUPT,	/* anything else: overwritten */
};

struct kmem_obj_info {
	enum kmem_obj_state state;
	const void *kp_ptr;		/* the pointer described */
	struct kmem_cache *kp_slab_cache; /* the slab's cache (KMEM_OBJ_METADATA and after) */
	struct page *kp_page;		/* the slab's first page */
	void *kp_slab;			/* the slab's first byte */
	int kp_node;			/* the slab's node */
	unsigned int kp_index;		/* the object's index in its slab (KMEM_OBJ_INSIDE and after) */
	void *kp_buffer;		/* its buffer: red zone, object, debug words */
	void *kp_objp;			/* the object, as the allocator hands it out */
	unsigned long kp_data_offset;	/* kp_ptr - kp_objp (KMEM_OBJ_INSIDE) */
	bool kp_free;			/* the object holding the pointer is free */
	enum kmem_obj_free_in kp_free_in; /* and where it waits */
	int kp_free_id;			/*   the CPU or node of that array */
	enum kmem_redzone kp_redzone;
};

/* Is @object on a slab page? (Linux 5.11) */
bool kmem_valid_obj(const void *object);
/* Describe @object: any pointer, in RAM or not. */
void kmem_obj_info(struct kmem_obj_info *kpp, const void *object);

/* A cache's geometry, flags and tunables: what /proc/slabinfo does not say. */
struct kmem_cache_info {
	const char *name;
	unsigned int object_size;	/* the size asked for (kmem_cache_size) */
	unsigned int buffer_size;	/* with alignment and debug words: slabinfo's objsize */
	unsigned int num;		/* objects per slab */
	unsigned int gfporder;		/* pages per slab, log2 */
	size_t colour;			/* colours: offsets a slab's objects can start at */
	unsigned int colour_off;	/* bytes between colours */
	unsigned long flags;		/* its SLAB_ flags (within SLAB_CREATE_MASK) */
	bool debug;			/* each allocation and free is checked (red zones, poison...) */
	bool hardened;			/* slab_harden=on when it was made: misuse stops the kernel */
	struct kmem_cache *slabp_cache;	/* where off-slab descriptors live; NULL: on-slab */
	unsigned int limit;		/* per-CPU arrays: capacity */
	unsigned int batchcount;	/*   objects moved at a time */
	unsigned int shared;		/*   the shared array holds shared * batchcount */
};

void kmem_cache_get_info(struct kmem_cache *cachep, struct kmem_cache_info *info);

#endif /* KMM_SLAB_H */
