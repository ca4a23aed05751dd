/*
 * mm/slab.h - the SLAB allocator's structures, shared by its files:
 *
 *   slab.c         caches: creation and geometry, destruction, tuning,
 *                  the bootstrap, cache_reap
 *   slab_alloc.c   objects: the per-CPU arrays, refill and flush, slabs
 *                  growing and shrinking, kmalloc and kfree
 *   slab_debug.c   red zones, poisoning, the last user, the reports
 *   slab_proc.c    /proc/slabinfo, read and written
 *   slab_check.c   mm_check() for slab
 *
 * The layout of each structure is 2.6.34's (include/linux/slab_def.h and
 * mm/slab.c), field for field, so that on x86_64 every internal
 * allocation has Linux's size.  One exception: struct slab, the slab
 * descriptor, lives in the struct page of the slab's first page (see
 * below).
 */
#ifndef KMM_MM_SLAB_H
#define KMM_MM_SLAB_H

#include <kmm/jiffies.h>
#include <kmm/list.h>
#include <kmm/mm.h>
#include <kmm/mutex.h>
#include <kmm/slab.h>
#include <kmm/spinlock.h>
#include "mm/internal.h"

/* ---- constants ---- */

/*
 * Sizes in the simulated kernel.  BYTES_PER_WORD is its sizeof(void *);
 * a struct slab there is list_head, colouroff, s_mem, inuse, free and
 * nodeid: 48 bytes on x86_64, 28 on i386.
 */
#define BYTES_PER_WORD		((size_t)arch->sizeof_ptr)
#define SIM_SIZEOF_SLAB		((size_t)ALIGN(4 * arch->sizeof_ptr + 10, arch->sizeof_ptr))
#define REDZONE_ALIGN		8	/* max(BYTES_PER_WORD, __alignof__(u64)) on both */
#define ARCH_KMALLOC_MINALIGN	8	/* __alignof__(unsigned long long) */
#define ARCH_KMALLOC_FLAGS	SLAB_HWCACHE_ALIGN
#define ARCH_SLAB_MINALIGN	0
#define L1_CACHE_BYTES		64
#define cache_line_size()	64	/* boot_cpu_data.x86_cache_alignment */

#define CFLGS_OFF_SLAB		0x80000000UL	/* descriptor in an object of slabp_cache */
#define OFF_SLAB(c)		((c)->flags & CFLGS_OFF_SLAB)
/*
 * kmm: the cache debugs (SLAB_RED_ZONE, _POISON, _STORE_USER, or
 * slab_debug=on with its statistics), so its objects take the full path;
 * one test of a word the fast path loads anyway.
 */
#define CFLGS_SLOWPATH		0x40000000UL
/* Frees take the general path: a debug cache, or several nodes (alien objects). */
#define CFLGS_FREE_SLOWPATH	0x20000000UL
/* kmm: slab_harden=on when the cache was made: its free-index array is hardened (below). */
#define CFLGS_HARDEN		0x10000000UL
#define SLAB_DEBUG_MASK		(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)
#define CREATE_MASK		(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER |	\
				 SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA |			\
				 SLAB_RECLAIM_ACCOUNT | SLAB_PANIC |			\
				 SLAB_DESTROY_BY_RCU | SLAB_MEM_SPREAD |		\
				 SLAB_DEBUG_OBJECTS | SLAB_NOLEAKTRACE | SLAB_NOTRACK |	\
				 SLAB_FAILSLAB | SLAB_DEBUG_FREE)

#define BOOT_CPUCACHE_ENTRIES	1
#define BATCHREFILL_LIMIT	16
#define REAPTIMEOUT_CPUC	(2 * HZ)
#define REAPTIMEOUT_LIST3	(4 * HZ)
#define BREAK_GFP_ORDER_HI	1
#define BREAK_GFP_ORDER_LO	0
#define MAX_SLABINFO_WRITE	128

/* The free-index array: entry i names the free object after object i. */
typedef unsigned int kmem_bufctl_t;
#define BUFCTL_END		(((kmem_bufctl_t)(~0U)) - 0)
#define BUFCTL_FREE		(((kmem_bufctl_t)(~0U)) - 1)
#define BUFCTL_ACTIVE		(((kmem_bufctl_t)(~0U)) - 2)
#define SLAB_LIMIT		(((kmem_bufctl_t)(~0U)) - 3)

/*
 * kmm: the free-index array of a hardened cache (slab_harden=on) says
 * where every object is, in two state bits and 30 bits keyed by a secret,
 * the slab and the index (bufctl_key):
 *
 *   01 | next ^ key   on the slab's free chain; next is an index, or
 *                     BUFCTL_H_END for the chain's end
 *   10 | key          in an array (per-CPU, shared or alien): free, cached
 *   11 | key          handed out to a caller: allocated
 *
 * The object's owner alone writes its entry: the caller's CPU while the
 * object is handed out or in that CPU's array, list_lock's holder while
 * it is on the chain or in a shared or alien array; the entry moves with
 * the object, so every hand-over is ordered by the lock or by the caller.
 * A free finds "11 | key" or stops: "10" or a link is a double free,
 * anything else an overwritten entry.  Values 00, and any whose key does
 * not match, never occur in an intact slab.
 */
#define BUFCTL_H_STATE		0xc0000000U
#define BUFCTL_H_FREE		0x40000000U
#define BUFCTL_H_CACHED		0x80000000U
#define BUFCTL_H_ACTIVE		0xc0000000U
#define BUFCTL_H_MASK		0x3fffffffU
#define BUFCTL_H_END		BUFCTL_H_MASK

/* Debug patterns (include/linux/poison.h). */
#define POISON_INUSE		0x5a	/* allocated, not yet written */
#define POISON_FREE		0x6b	/* freed */
#define POISON_END		0xa5	/* last byte of a poisoned object */
#define RED_INACTIVE		0x09F911029D74E35BULL
#define RED_ACTIVE		0xD84156C5635688C0ULL

/* ---- per-CPU arrays and per-node lists ---- */

/*
 * A stack of free objects owned by one CPU (touched: used since the last
 * reap), or shared by a node's CPUs, or holding frees of another node's
 * objects (alien).  Only the last two use the lock.
 */
struct array_cache {
	unsigned int avail;
	unsigned int limit;
	unsigned int batchcount;
	unsigned int touched;
	spinlock_t lock;
	void *entry[];
};

/* The bootstrap arrays: one entry, static, until kmalloc can make real ones. */
struct arraycache_init {
	struct array_cache cache;
	void *entries[BOOT_CPUCACHE_ENTRIES];
};

/* A cache's slabs on one node. */
struct kmem_list3 {
	struct list_head slabs_partial;	/* partial first: the allocation order */
	struct list_head slabs_full;
	struct list_head slabs_free;
	unsigned long free_objects;	/* free objects in the slabs (not in arrays) */
	unsigned int free_limit;	/* above it, freed slabs go back to the pages */
	unsigned int colour_next;
	spinlock_t list_lock;
	struct array_cache *shared;	/* shared by the node's CPUs */
	struct array_cache **alien;	/* per remote node: frees of its objects */
	unsigned long next_reap;	/* jiffies */
	int free_touched;
};

/* ---- the cache ---- */

struct kmem_cache {
	struct array_cache *array[NR_CPUS];
	unsigned int batchcount;
	unsigned int limit;
	unsigned int shared;
	unsigned int buffer_size;	/* object size with padding and debug words */
	u32 reciprocal_buffer_size;
	unsigned int flags;
	unsigned int num;		/* objects per slab */
	unsigned int gfporder;		/* pages per slab, log2 */
	gfp_t gfpflags;
	int obj_offset;			/* kmm: where Linux pads; red zone before the object */
	size_t colour;			/* colours: offsets a slab's objects can start at */
	unsigned int colour_off;	/* bytes between colours */
	int obj_size;			/* kmm: where Linux pads; the caller's size */
	struct kmem_cache *slabp_cache;	/* off-slab descriptors come from here */
	unsigned int slab_size;		/* descriptor and free-index array */
	unsigned int dflags;
	void (*ctor)(void *obj);
	const char *name;
	struct list_head next;		/* cache_chain, newest first */
	/*
	 * nr_node_ids entries, the object being only as large as they need
	 * (2.6.34's layout: "do not add fields after nodelists[]"); in
	 * statistics mode (slab_debug) a struct slab_stats follows them.
	 */
	struct kmem_list3 *nodelists[];
};

/* CONFIG_DEBUG_SLAB's statistics (slabinfo's globalstat and cpustat columns). */
struct slab_stats {
	unsigned long num_active;
	unsigned long num_allocations;
	unsigned long high_mark;
	unsigned long grown;
	unsigned long reaped;
	unsigned long errors;
	unsigned long max_freeable;
	unsigned long node_allocs;
	unsigned long node_frees;
	unsigned long node_overflow;
	atomic_t allochit;
	atomic_t allocmiss;
	atomic_t freehit;
	atomic_t freemiss;
};

/* What CONFIG_DEBUG_SLAB adds to struct kmem_cache in Linux (10 longs, 4 atomics, 2 ints). */
#define LINUX_DEBUG_CACHE_FIELDS	104
_Static_assert(sizeof(struct slab_stats) <= LINUX_DEBUG_CACHE_FIELDS, "slab_stats too big");

/*
 * struct slab - a slab's descriptor.  Linux keeps it at the start of the
 * slab (on-slab) or in an object of slabp_cache (off-slab), followed by the
 * free-index array.  kmm reserves exactly that space, in the same places,
 * so the geometry and the memory used are Linux's; the array lives there,
 * at Linux's offset.  The descriptor's fields live in the struct page of
 * the slab's first page, in words the page allocator leaves alone while
 * the page is in use: the descriptor is found with the page, without one
 * more cache miss, and its size no longer depends on the host's pointers
 * (i386's is 28 bytes, kmm's pointers are 8).  s_mem is the page's address
 * plus colouroff; nodeid is the page's node.
 *
 * The other pages of a multi-page slab point at the first through
 * lru.next; every page of a slab has PG_slab and its cache in private.
 */
struct slab {
	unsigned long flags;		/* page->flags */
	atomic_t _count;		/* page->_count */
	kmem_bufctl_t free;		/* page->_mapcount: first free object, or BUFCTL_END */
	struct kmem_cache *cache;	/* page->private */
	kmem_bufctl_t *bufctl;		/* page->mapping: the free-index array */
	unsigned int colouroff;		/* page->index: first object's offset in the slab */
	unsigned int inuse;		/*   objects allocated (in arrays or in use) */
	struct list_head list;		/* page->lru: on slabs_full, _partial or _free */
};

_Static_assert(sizeof(struct slab) == sizeof(struct page), "struct slab overlays struct page");
_Static_assert(offsetof(struct slab, free) == offsetof(struct page, _mapcount), "free");
_Static_assert(offsetof(struct slab, cache) == offsetof(struct page, private), "cache");
_Static_assert(offsetof(struct slab, bufctl) == offsetof(struct page, mapping), "bufctl");
_Static_assert(offsetof(struct slab, colouroff) == offsetof(struct page, index), "colouroff");
_Static_assert(offsetof(struct slab, list) == offsetof(struct page, lru), "list");

extern u32 slab_harden_secret;

/* The 30 bits that key object @idx's entry: wrong for any other slab or index. */
static inline u32 bufctl_key(struct slab *slabp, unsigned int idx)
{
	return (slab_harden_secret ^ (u32)((unsigned long)slabp >> 3) ^ (idx * 0x9e3779b9U)) &
	       BUFCTL_H_MASK;
}

static inline struct page *slab_page(struct slab *slabp)
{
	return (struct page *)slabp;
}

static inline kmem_bufctl_t *slab_bufctl(struct slab *slabp)
{
	return slabp->bufctl;
}

static inline void *slab_s_mem(struct slab *slabp)
{
	return (char *)lowmem_page_address(slab_page(slabp)) + slabp->colouroff;
}

static inline int slab_nodeid(struct slab *slabp)
{
	return page_to_nid(slab_page(slabp));
}

/* The first page of the slab holding @page. */
static inline struct page *slab_head(struct page *page)
{
	return page->mapping ? page : (struct page *)page->lru.next;
}

static inline struct kmem_cache *page_get_cache(struct page *page)
{
	return (struct kmem_cache *)page->private;
}

void slab_pagemap_set(struct page *page, int nr, struct kmem_cache *cachep);

static inline struct slab *virt_to_slab(const void *obj)
{
	return (struct slab *)slab_head(virt_to_page(obj));
}

static inline struct kmem_cache *virt_to_cache(const void *obj)
{
	return page_get_cache(virt_to_page(obj));
}

/* ---- objects ---- */

/* Linux's reciprocal division: exact for offsets within one slab. */
static inline u32 reciprocal_value(u32 k)
{
	return (u32)(((1ULL << 32) + k - 1) / k);
}

static inline u32 reciprocal_divide(u32 a, u32 r)
{
	return (u32)(((u64)a * r) >> 32);
}

static inline void *index_to_obj(struct kmem_cache *cache, struct slab *slab, unsigned int idx)
{
	return (char *)slab_s_mem(slab) + cache->buffer_size * idx;
}

static inline unsigned int obj_to_index(struct kmem_cache *cache, struct slab *slab,
					const void *obj)
{
	u32 offset = (u32)((const char *)obj - (const char *)slab_s_mem(slab));

	return reciprocal_divide(offset, cache->reciprocal_buffer_size);
}

static inline bool cache_debug(struct kmem_cache *cachep)
{
	return cachep->flags & CFLGS_SLOWPATH;
}

static inline bool cache_hardened(const struct kmem_cache *cachep)
{
	return cachep->flags & CFLGS_HARDEN;
}

/*
 * The free chain's link after object @i (an index, or BUFCTL_END), and
 * setting it: raw in a cache that is not hardened, as in Linux; encoded
 * in a hardened one, where an entry that is no chain link reads as
 * BUFCTL_FREE (no index: the walkers stop there).
 */
static inline kmem_bufctl_t slab_next(struct kmem_cache *c, struct slab *slabp, unsigned int i)
{
	kmem_bufctl_t v = slab_bufctl(slabp)[i];

	if (!cache_hardened(c))
		return v;
	if ((v & BUFCTL_H_STATE) != BUFCTL_H_FREE)
		return BUFCTL_FREE;
	v = (v ^ bufctl_key(slabp, i)) & BUFCTL_H_MASK;
	return v == BUFCTL_H_END ? BUFCTL_END : v;
}

static inline void slab_set_next(struct kmem_cache *c, struct slab *slabp, unsigned int i,
				 kmem_bufctl_t next)
{
	if (cache_hardened(c))
		next = BUFCTL_H_FREE | ((next == BUFCTL_END ? BUFCTL_H_END : next) ^
					bufctl_key(slabp, i));
	slab_bufctl(slabp)[i] = next;
}

/* The entry of object @i of a hardened cache in state @state (cached or active). */
static inline kmem_bufctl_t bufctl_tag(struct slab *slabp, unsigned int i, u32 state)
{
	return state | bufctl_key(slabp, i);
}

/* slab_harden.c */
void slab_harden_init(void);
/*
 * A failed check: report @objp (of @cachep, NULL if none) and stop.  The
 * cache is left as it was; @call names the API call that found it.
 */
void slab_harden_fail(enum slab_harden_fault fault, struct kmem_cache *cachep,
		      const void *objp, const char *call) __cold __noreturn;
/* A hardened object's entry was not what a free must find: classify it, report, stop. */
void slab_harden_bad_free(struct kmem_cache *cachep, struct slab *slabp, unsigned int objnr,
			  const void *objp, const char *call) __cold __noreturn;

/*
 * A hardened cache's check of a free of the object whose buffer starts at
 * @buf (the pointer, less obj_offset): the page is a slab page of @cachep
 * (the caller made sure it is a slab page), @buf starts an object, and its
 * entry reads "handed out".  Returns the entry, for the caller to mark the
 * object cached (entry ^ (ACTIVE ^ CACHED)); on failure reports and stops.
 * The offset is taken as u32: a pointer below s_mem wraps to an index far
 * beyond num.
 */
static __always_inline kmem_bufctl_t *slab_harden_entry(struct kmem_cache *cachep,
							 const void *buf, const char *call)
{
	struct page *page = virt_to_page(buf);
	struct slab *slabp = (struct slab *)slab_head(page);
	u32 offset = (u32)((const char *)buf - (const char *)slab_s_mem(slabp));
	unsigned int objnr = reciprocal_divide(offset, cachep->reciprocal_buffer_size);
	const void *objp = (const char *)buf + cachep->obj_offset;
	kmem_bufctl_t *entry;

	if (unlikely(page_get_cache(page) != cachep))
		slab_harden_fail(SLAB_HARDEN_WRONG_CACHE, cachep, objp, call);
	if (unlikely(objnr >= cachep->num || offset != objnr * cachep->buffer_size))
		slab_harden_fail(SLAB_HARDEN_NOT_OBJECT, cachep, objp, call);
	entry = &slab_bufctl(slabp)[objnr];
	if (unlikely(*entry != bufctl_tag(slabp, objnr, BUFCTL_H_ACTIVE)))
		slab_harden_bad_free(cachep, slabp, objnr, objp, call);
	return entry;
}

/*
 * A hardened cache hands out the object whose buffer is @buf: it must have
 * been cached (in an array, or just taken off the chain), and is now
 * handed out.  On failure reports and stops.
 */
static __always_inline void slab_harden_alloc(struct kmem_cache *cachep, const void *buf)
{
	struct slab *slabp = virt_to_slab(buf);
	unsigned int objnr = obj_to_index(cachep, slabp, buf);
	kmem_bufctl_t *entry = &slab_bufctl(slabp)[objnr];

	if (unlikely(*entry != bufctl_tag(slabp, objnr, BUFCTL_H_CACHED)))
		slab_harden_fail(SLAB_HARDEN_CORRUPT, cachep, (const char *)buf + cachep->obj_offset,
				 "kmem_cache_alloc");
	*entry |= BUFCTL_H_ACTIVE;
}

/*
 * Is object @objnr on @slabp's free chain?  The walk stops after num
 * links, so a corrupt chain cannot hang the caller (checks, tools).
 */
static inline bool slab_obj_free_in_chain(struct kmem_cache *c, struct slab *slabp,
					  unsigned int objnr)
{
	unsigned int n = 0;

	for (kmem_bufctl_t i = slabp->free; i < c->num && n <= c->num;
	     i = slab_next(c, slabp, i), n++)
		if (i == objnr)
			return true;
	return false;
}

static inline struct array_cache *cpu_cache_get(struct kmem_cache *cachep)
{
	return cachep->array[smp_processor_id()];
}

/* ---- shared state ---- */

enum cpucache_state { NONE, PARTIAL_AC, PARTIAL_L3, EARLY, FULL };
extern enum cpucache_state g_cpucache_up;
extern struct mutex cache_chain_mutex;
extern struct list_head cache_chain;
extern struct kmem_cache *const cache_cachep;	/* "kmem_cache", the cache of caches */
extern int slab_break_gfp_order;
extern int use_alien_caches;
extern int nr_node_ids;
extern bool slab_debug;		/* slab_debug=on: CONFIG_DEBUG_SLAB's behaviour */
extern bool slab_harden;	/* slab_harden=on: caches made from now on are hardened */

static inline struct slab_stats *cache_stats(struct kmem_cache *cachep)
{
	return (struct slab_stats *)&cachep->nodelists[nr_node_ids];
}

#define STATS_INC(c, field)	do { if (slab_debug) cache_stats(c)->field++; } while (0)
#define STATS_DEC(c, field)	do { if (slab_debug) cache_stats(c)->field--; } while (0)
#define STATS_ADD(c, field, n)	do { if (slab_debug) cache_stats(c)->field += (n); } while (0)
#define STATS_ATOMIC_INC(c, f)							\
	do {									\
		if (unlikely(cache_debug(c)) && slab_debug)			\
			atomic_inc(&cache_stats(c)->f);				\
	} while (0)
#define STATS_SET_HIGH(c)							\
	do {									\
		if (slab_debug && cache_stats(c)->num_active > cache_stats(c)->high_mark) \
			cache_stats(c)->high_mark = cache_stats(c)->num_active;	\
	} while (0)
#define STATS_SET_FREEABLE(c, n)						\
	do {									\
		if (slab_debug && cache_stats(c)->max_freeable < (n))		\
			cache_stats(c)->max_freeable = (n);			\
	} while (0)

/* ---- between the files ---- */

/* slab.c */
int slab_tune_cpucache(struct kmem_cache *cachep, int limit, int batchcount, int shared);
struct array_cache *alloc_arraycache(int node, int entries, int batchcount, gfp_t gfp);
void slab_destroy(struct kmem_cache *cachep, struct slab *slabp);
int drain_freelist(struct kmem_cache *cache, struct kmem_list3 *l3, int tofree);
int nr_cpus_node(int node);

/* slab_alloc.c */
void *____cache_alloc(struct kmem_cache *cachep, gfp_t flags);
void *____cache_alloc_node(struct kmem_cache *cachep, gfp_t flags, int nodeid);
void free_block(struct kmem_cache *cachep, void **objpp, int nr_objects, int node);
int transfer_objects(struct array_cache *to, struct array_cache *from, unsigned int max);
struct array_cache **alloc_alien_cache(int node, int limit, gfp_t gfp, bool off_slab);
void free_alien_cache(struct array_cache **ac_ptr);
void drain_alien_cache(struct kmem_cache *cachep, struct array_cache **alien);
void reap_alien(struct kmem_cache *cachep, struct kmem_list3 *l3);
void kmem_freepages(struct kmem_cache *cachep, void *addr);
void init_reap_node(int cpu);
void next_reap_node(void);
/* The call site slab debugging and the kmem traces record. */
unsigned long slab_caller(unsigned long ret_ip);

/* slab_debug.c */
void poison_obj(struct kmem_cache *cachep, void *addr, unsigned char val);
u64 *dbg_redzone1(struct kmem_cache *cachep, void *objp);
u64 *dbg_redzone2(struct kmem_cache *cachep, void *objp);
unsigned long *dbg_userword(struct kmem_cache *cachep, void *objp);
void cache_init_objs_debug(struct kmem_cache *cachep, void *objp);
void *cache_alloc_debugcheck_after(struct kmem_cache *cachep, gfp_t flags, void *objp,
				   unsigned long caller);
/* Checks a freed object; returns its buffer start, or NULL if it must not be freed. */
void *cache_free_debugcheck(struct kmem_cache *cachep, void *objp, unsigned long caller);
void slab_destroy_debugcheck(struct kmem_cache *cachep, struct slab *slabp);
/* A free of an object that is already free (bufctl says so): report; true if so. */
bool slab_double_free(struct kmem_cache *cachep, struct slab *slabp, unsigned int objnr,
		      const void *objp);
int check_slabp(struct kmem_cache *cachep, struct slab *slabp);

void __slab_error(const char *function, struct kmem_cache *cachep, const char *msg);
#define slab_error(cachep, msg) __slab_error(__func__, cachep, msg)
/* The Linux address of a kernel pointer, for messages (%p in 2.6.34 prints it bare). */
static inline unsigned long lptr(const void *p)
{
	return (unsigned long)kaddr_to_linux(p);
}

/* 2.6.34's %p: "(null)", or the address zero-padded to the pointer's width. */
static inline const char *sprint_ptr(char *buf, size_t size, const void *p)
{
	if (!p)
		snprintf(buf, size, "(null)");
	else
		snprintf(buf, size, "%0*lx", arch->sizeof_ptr * 2, lptr(p));
	return buf;
}

#endif /* KMM_MM_SLAB_H */
