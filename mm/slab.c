/*
 * mm/slab.c - the SLAB allocator's caches: creating them (with the slab
 * geometry Linux 2.6.34 computes), tuning their per-CPU arrays,
 * shrinking and destroying them, the bootstrap, and cache_reap.
 *
 * A cache hands out objects of one size.  It gets them from slabs: runs
 * of 2^gfporder pages cut into num objects, plus a descriptor with a
 * free-index array (kmem_bufctl_t per object) either at the start of the
 * slab or, for large objects, in an object of a smaller cache.  Each
 * node keeps a cache's slabs on three lists (full, partial, free), and
 * each CPU keeps an array of free objects so that most allocations and
 * frees touch neither the lists nor a lock.  Objects and their slabs are
 * in mm/slab_alloc.c.
 *
 * Lock order: cache_chain_mutex (creation, destruction, tuning, reaping)
 * outside l3->list_lock outside zone->lock; the per-CPU arrays are
 * protected by disabling interrupts.
 */
#include <kmm/bitops.h>
#include <kmm/cpu.h>
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/smp.h>
#include <kmm/string.h>
#include <kmm/timer.h>
#include "hw/ram.h"
#include "mm/slab.h"

/* ---- global state ---- */

enum cpucache_state g_cpucache_up __state_zero;
DEFINE_MUTEX(cache_chain_mutex);
struct list_head cache_chain __state_zero;
int slab_break_gfp_order __state = BREAK_GFP_ORDER_LO;
int use_alien_caches __state = 1;
int nr_node_ids __state = 1;
bool slab_debug __state_zero;
static int slab_early_init __state = 1;

/*
 * cache_cache, the cache of struct kmem_cache, is static: the first cache
 * cannot come from a cache.  Its nodelists[] has room for every node.
 */
static struct {
	struct kmem_cache cache;
	struct kmem_list3 *nodelists[MAX_NUMNODES];
	struct slab_stats stats;	/* room for cache_stats() past nodelists[63] */
} cache_cache_storage __state_bulk;
#define cache_cache_p	(&cache_cache_storage.cache)
struct kmem_cache *const cache_cachep = cache_cache_p;

/*
 * The bootstrap's static arrays and lists (__initdata in Linux): the head
 * arrays of cache_cache and of the first kmalloc cache, and the kmem_list3
 * of cache_cache, size-32 (the array caches' cache) and the cache of
 * struct kmem_list3, per node.
 */
static struct arraycache_init initarray_cache __state_zero;
static struct arraycache_init initarray_generic __state_zero;
#define NUM_INIT_LISTS	(3 * MAX_NUMNODES)
#define CACHE_CACHE	0
#define SIZE_AC		MAX_NUMNODES
#define SIZE_L3		(2 * MAX_NUMNODES)
static struct kmem_list3 initkmem_list3[NUM_INIT_LISTS] __state_bulk;

/*
 * The general caches (include/linux/kmalloc_sizes.h).  With 64-byte cache
 * lines there is no size-96 (only below 64) but there is size-192 (below
 * 128); the largest is KMALLOC_MAX_SIZE.  The last entry ends the walk.
 */
#define NR_GENERAL_CACHES	19
struct cache_sizes malloc_sizes[NR_GENERAL_CACHES + 1] __state = {
	{ 32 }, { 64 }, { 128 }, { 192 }, { 256 }, { 512 }, { 1024 }, { 2048 }, { 4096 },
	{ 8192 }, { 16384 }, { 32768 }, { 65536 }, { 131072 }, { 262144 }, { 524288 },
	{ 1048576 }, { 2097152 }, { 4194304 }, { ~0UL },
};

static const struct {
	const char *name;
	const char *name_dma;
} cache_names[NR_GENERAL_CACHES] = {
#define CN(x) { "size-" #x, "size-" #x "(DMA)" }
	CN(32), CN(64), CN(128), CN(192), CN(256), CN(512), CN(1024), CN(2048), CN(4096),
	CN(8192), CN(16384), CN(32768), CN(65536), CN(131072), CN(262144), CN(524288),
	CN(1048576), CN(2097152), CN(4194304),
#undef CN
};

/* Entry (size + 7) / 8 is the general cache for sizes up to 192 (see kmalloc_index). */
const u8 kmalloc_size_index[25] = {
	0, 0, 0, 0, 0,			/* 1..32 */
	1, 1, 1, 1,			/* 33..64 */
	2, 2, 2, 2, 2, 2, 2, 2,		/* 65..128 */
	3, 3, 3, 3, 3, 3, 3, 3,		/* 129..192 */
};

static int parse_slab_debug(const char *val)
{
	if (!val || !strcmp(val, "on") || !strcmp(val, "1")) {
		slab_debug = true;
		return 0;
	}
	if (!strcmp(val, "off") || !strcmp(val, "0")) {
		slab_debug = false;
		return 0;
	}
	return -EINVAL;
}
early_param("slab_debug", parse_slab_debug,
	    "on|off: CONFIG_DEBUG_SLAB's checks in every cache (red zones, poisoning, "
	    "last user, statistics)");

static int parse_noaliencache(const char *val)
{
	use_alien_caches = 0;
	return 0;
}
early_param("noaliencache", parse_noaliencache, "free remote objects straight to their node");

bool slab_is_available(void)
{
	return g_cpucache_up >= EARLY;
}

unsigned int kmem_cache_size(struct kmem_cache *cachep)
{
	return cachep->obj_size;
}

const char *kmem_cache_name(struct kmem_cache *cachep)
{
	return cachep->name;
}

int nr_cpus_node(int node)
{
	int cpu, n = 0;

	for_each_online_cpu(cpu)
		if (cpu_to_node(cpu) == node)
			n++;
	return n;
}

/* ---- per-node lists ---- */

/*
 * The lock classes of the per-node lists (mm/internal.h declares their
 * order): an off-slab cache destroying a slab under its list_lock frees
 * the slab descriptor into an on-slab general cache, whose list_lock is
 * then taken inside: two classes, in that order (Linux's on_slab_l3_key).
 */
const struct lock_class_key l3_list_lock_key, l3_list_lock_off_slab_key;

static void l3_set_lock_class(struct kmem_list3 *l3, bool off_slab)
{
	if (off_slab)
		spin_lock_set_class(&l3->list_lock, &l3_list_lock_off_slab_key,
				    "&l3->list_lock (off-slab)");
	else
		spin_lock_set_class(&l3->list_lock, &l3_list_lock_key, "&l3->list_lock");
}

static void kmem_list3_init(struct kmem_list3 *parent, bool off_slab)
{
	INIT_LIST_HEAD(&parent->slabs_full);
	INIT_LIST_HEAD(&parent->slabs_partial);
	INIT_LIST_HEAD(&parent->slabs_free);
	parent->shared = NULL;
	parent->alien = NULL;
	parent->colour_next = 0;
	l3_set_lock_class(parent, off_slab);
	parent->free_objects = 0;
	parent->free_touched = 0;
}

/*
 * When a node's lists are next due for cache_reap: in 4 s, the caches
 * staggered over those 4 s by their address, as in Linux.  The address is
 * the one Linux would use (lptr): a host address changes from run to run,
 * and so would every reap after the first.  cache_cache, a static object
 * with no address in RAM, counts as 0.
 */
static unsigned long reap_time(struct kmem_cache *cachep)
{
	unsigned long addr = cachep == cache_cache_p ? 0 : lptr(cachep);

	return jiffies + REAPTIMEOUT_LIST3 + addr % REAPTIMEOUT_LIST3;
}

/* Point @cachep's lists at the static ones from @index on (the bootstrap). */
static void set_up_list3s(struct kmem_cache *cachep, int index)
{
	int node;

	for_each_online_node(node) {
		cachep->nodelists[node] = &initkmem_list3[index + node];
		cachep->nodelists[node]->next_reap = reap_time(cachep);
	}
}

/* Move a static list3 into kmalloc'd memory, slabs and all. */
static void init_list(struct kmem_cache *cachep, struct kmem_list3 *list, int nodeid)
{
	struct kmem_list3 *ptr = kmalloc_node(sizeof(*ptr), GFP_NOWAIT, nodeid);

	BUG_ON(!ptr);
	memcpy(ptr, list, sizeof(*ptr));
	l3_set_lock_class(ptr, OFF_SLAB(cachep));
	INIT_LIST_HEAD(&ptr->slabs_full);
	INIT_LIST_HEAD(&ptr->slabs_partial);
	INIT_LIST_HEAD(&ptr->slabs_free);
	list_splice_init(&list->slabs_full, &ptr->slabs_full);
	list_splice_init(&list->slabs_partial, &ptr->slabs_partial);
	list_splice_init(&list->slabs_free, &ptr->slabs_free);
	cachep->nodelists[nodeid] = ptr;
}

/* ---- geometry ---- */

static size_t slab_mgmt_size(size_t nr_objs, size_t align)
{
	return ALIGN(SIM_SIZEOF_SLAB + nr_objs * sizeof(kmem_bufctl_t), align);
}

/*
 * How many objects of @buffer_size fit in a slab of 2^gfporder pages, and
 * what is left over.  On-slab, the descriptor and one kmem_bufctl_t per
 * object come out of the same pages: guess the count ignoring the
 * descriptor's alignment, then take one back if the aligned descriptor
 * does not fit.
 */
static void cache_estimate(unsigned long gfporder, size_t buffer_size, size_t align, int flags,
			   size_t *left_over, unsigned int *num)
{
	size_t slab_size = PAGE_SIZE << gfporder;
	size_t mgmt_size;
	long nr_objs;

	if (flags & CFLGS_OFF_SLAB) {
		mgmt_size = 0;
		nr_objs = slab_size / buffer_size;
		if (nr_objs > SLAB_LIMIT)
			nr_objs = SLAB_LIMIT;
	} else {
		nr_objs = (slab_size - SIM_SIZEOF_SLAB) / (buffer_size + sizeof(kmem_bufctl_t));
		if (slab_mgmt_size(nr_objs, align) + nr_objs * buffer_size > slab_size)
			nr_objs--;
		if (nr_objs > SLAB_LIMIT)
			nr_objs = SLAB_LIMIT;
		mgmt_size = slab_mgmt_size(nr_objs, align);
	}
	*num = nr_objs;
	*left_over = slab_size - nr_objs * buffer_size - mgmt_size;
}

/*
 * The slab size: the smallest order that holds an object, grown while the
 * waste is over an eighth of the slab, but no higher than
 * slab_break_gfp_order unless needed, and never for reclaimable caches
 * (their callers often cannot wait for higher orders).  Off-slab, the
 * descriptor must fit in an object of the cache's own size class, which
 * caps the object count.  Returns the bytes left over.
 */
static size_t calculate_slab_order(struct kmem_cache *cachep, size_t size, size_t align,
				   unsigned long flags)
{
	size_t left_over = 0;

	for (unsigned int gfporder = 0; gfporder <= KMALLOC_MAX_ORDER; gfporder++) {
		unsigned int num;
		size_t remainder;

		cache_estimate(gfporder, size, align, flags, &remainder, &num);
		if (!num)
			continue;
		if (flags & CFLGS_OFF_SLAB) {
			unsigned long offslab_limit = (size - SIM_SIZEOF_SLAB) / sizeof(kmem_bufctl_t);

			if (num > offslab_limit)
				break;
		}
		cachep->num = num;
		cachep->gfporder = gfporder;
		left_over = remainder;
		if (flags & SLAB_RECLAIM_ACCOUNT)
			break;
		if ((int)gfporder >= slab_break_gfp_order)
			break;
		if (left_over * 8 <= (PAGE_SIZE << gfporder))
			break;
	}
	return left_over;
}

/* ---- per-CPU arrays ---- */

struct array_cache *alloc_arraycache(int node, int entries, int batchcount, gfp_t gfp)
{
	size_t memsize = sizeof(void *) * entries + sizeof(struct array_cache);
	struct array_cache *nc = kmalloc_node(memsize, gfp, node);

	if (nc) {
		nc->avail = 0;
		nc->limit = entries;
		nc->batchcount = batchcount;
		nc->touched = 0;
		spin_lock_init(&nc->lock);
	}
	return nc;
}

/*
 * Give every online node of @cachep its shared array, its alien arrays and
 * a kmem_list3 (if it has none), with free_limit for the current tuning.
 */
static int alloc_kmemlist(struct kmem_cache *cachep, gfp_t gfp)
{
	struct array_cache *new_shared;
	struct array_cache **new_alien = NULL;
	struct kmem_list3 *l3;
	int node;

	for_each_online_node(node) {
		if (use_alien_caches) {
			new_alien = alloc_alien_cache(node, cachep->limit, gfp, OFF_SLAB(cachep));
			if (!new_alien)
				goto fail;
		}
		new_shared = NULL;
		if (cachep->shared) {
			new_shared = alloc_arraycache(node, cachep->shared * cachep->batchcount,
						      0xbaadf00d, gfp);
			if (!new_shared) {
				free_alien_cache(new_alien);
				goto fail;
			}
		}
		l3 = cachep->nodelists[node];
		if (l3) {
			struct array_cache *shared = l3->shared;

			spin_lock_irq(&l3->list_lock);
			if (shared)
				free_block(cachep, shared->entry, shared->avail, node);
			l3->shared = new_shared;
			if (!l3->alien) {
				l3->alien = new_alien;
				new_alien = NULL;
			}
			l3->free_limit = (1 + nr_cpus_node(node)) * cachep->batchcount + cachep->num;
			spin_unlock_irq(&l3->list_lock);
			kfree(shared);
			free_alien_cache(new_alien);
			continue;
		}
		l3 = kmalloc_node(sizeof(struct kmem_list3), gfp, node);
		if (!l3) {
			free_alien_cache(new_alien);
			kfree(new_shared);
			goto fail;
		}
		kmem_list3_init(l3, OFF_SLAB(cachep));
		l3->next_reap = reap_time(cachep);
		l3->shared = new_shared;
		l3->alien = new_alien;
		l3->free_limit = (1 + nr_cpus_node(node)) * cachep->batchcount + cachep->num;
		cachep->nodelists[node] = l3;
	}
	return 0;

fail:
	if (!cachep->next.next) {
		/* Not on the chain yet: undo what this call made. */
		node--;
		while (node >= 0) {
			if (cachep->nodelists[node]) {
				l3 = cachep->nodelists[node];
				kfree(l3->shared);
				free_alien_cache(l3->alien);
				kfree(l3);
				cachep->nodelists[node] = NULL;
			}
			node--;
		}
	}
	return -ENOMEM;
}

struct ccupdate_struct {
	struct kmem_cache *cachep;
	struct array_cache *new[NR_CPUS];
};

/* On each CPU: swap in its new array; the old one is returned in new[]. */
static void do_ccupdate_local(void *info)
{
	struct ccupdate_struct *new = info;
	struct array_cache *old = cpu_cache_get(new->cachep);

	new->cachep->array[smp_processor_id()] = new->new[smp_processor_id()];
	new->new[smp_processor_id()] = old;
}

/* Give @cachep per-CPU arrays of @limit entries, moving @batchcount at a time. */
static int do_tune_cpucache(struct kmem_cache *cachep, int limit, int batchcount, int shared,
			    gfp_t gfp)
{
	struct ccupdate_struct *new = kzalloc(sizeof(*new), gfp);
	int i;

	if (!new)
		return -ENOMEM;
	for_each_online_cpu(i) {
		new->new[i] = alloc_arraycache(cpu_to_node(i), limit, batchcount, gfp);
		if (!new->new[i]) {
			for (i--; i >= 0; i--)
				kfree(new->new[i]);
			kfree(new);
			return -ENOMEM;
		}
	}
	new->cachep = cachep;
	on_each_cpu(do_ccupdate_local, new, 1);

	cachep->batchcount = batchcount;
	cachep->limit = limit;
	cachep->shared = shared;

	for_each_online_cpu(i) {
		struct array_cache *ccold = new->new[i];
		struct kmem_list3 *l3;

		if (!ccold)
			continue;
		l3 = cachep->nodelists[cpu_to_node(i)];
		spin_lock_irq(&l3->list_lock);
		free_block(cachep, ccold->entry, ccold->avail, cpu_to_node(i));
		spin_unlock_irq(&l3->list_lock);
		kfree(ccold);
	}
	kfree(new);
	return alloc_kmemlist(cachep, gfp);
}

/*
 * The default tuning: large objects get short arrays (a cached 128K object
 * is a lot of memory sitting idle), small ones long ones; a shared array
 * of 8 batches when there is more than one CPU to share with.
 */
static int enable_cpucache(struct kmem_cache *cachep, gfp_t gfp)
{
	int limit, shared, err;

	if (cachep->buffer_size > 131072)
		limit = 1;
	else if (cachep->buffer_size > PAGE_SIZE)
		limit = 8;
	else if (cachep->buffer_size > 1024)
		limit = 24;
	else if (cachep->buffer_size > 256)
		limit = 54;
	else
		limit = 120;
	shared = 0;
	if (cachep->buffer_size <= PAGE_SIZE && num_possible_cpus() > 1)
		shared = 8;
	if (slab_debug && limit > 32)
		limit = 32;
	err = do_tune_cpucache(cachep, limit, (limit + 1) / 2, shared, gfp);
	if (err)
		printk(KERN_ERR "enable_cpucache failed for %s, error %d.\n", cachep->name, -err);
	return err;
}

/* /proc/slabinfo's tuning: checked by the caller (slab_proc.c), under cache_chain_mutex. */
int slab_tune_cpucache(struct kmem_cache *cachep, int limit, int batchcount, int shared)
{
	return do_tune_cpucache(cachep, limit, batchcount, shared, GFP_KERNEL);
}

/*
 * The last step of kmem_cache_create.  During the bootstrap the first
 * caches get the static head array and lists; then each new cache gets a
 * one-entry head array until kmem_cache_init_late tunes them all.
 */
static int setup_cpu_cache(struct kmem_cache *cachep, gfp_t gfp)
{
	int node;

	if (g_cpucache_up == FULL)
		return enable_cpucache(cachep, gfp);

	if (g_cpucache_up == NONE) {
		/* size-32, which will hold the array caches. */
		cachep->array[smp_processor_id()] = &initarray_generic.cache;
		set_up_list3s(cachep, SIZE_AC);
		if (kmalloc_index(sizeof(struct arraycache_init)) ==
		    kmalloc_index(sizeof(struct kmem_list3)))
			g_cpucache_up = PARTIAL_L3;
		else
			g_cpucache_up = PARTIAL_AC;
	} else {
		cachep->array[smp_processor_id()] = kmalloc(sizeof(struct arraycache_init), gfp);
		if (g_cpucache_up == PARTIAL_AC) {
			set_up_list3s(cachep, SIZE_L3);
			g_cpucache_up = PARTIAL_L3;
		} else {
			for_each_online_node(node) {
				cachep->nodelists[node] =
					kmalloc_node(sizeof(struct kmem_list3), gfp, node);
				BUG_ON(!cachep->nodelists[node]);
				kmem_list3_init(cachep->nodelists[node], OFF_SLAB(cachep));
			}
		}
	}
	cachep->nodelists[numa_node_id()]->next_reap = reap_time(cachep);
	cpu_cache_get(cachep)->avail = 0;
	cpu_cache_get(cachep)->limit = BOOT_CPUCACHE_ENTRIES;
	cpu_cache_get(cachep)->batchcount = 1;
	cpu_cache_get(cachep)->touched = 0;
	cachep->batchcount = 1;
	cachep->limit = BOOT_CPUCACHE_ENTRIES;
	return 0;
}

/* ---- creation ---- */

static void __kmem_cache_destroy(struct kmem_cache *cachep)
{
	int i;

	for_each_online_cpu(i)
		kfree(cachep->array[i]);
	for_each_online_node(i) {
		struct kmem_list3 *l3 = cachep->nodelists[i];

		if (l3) {
			kfree(l3->shared);
			free_alien_cache(l3->alien);
			kfree(l3);
		}
	}
	kmem_cache_free(cache_cache_p, cachep);
}

/* Under CONFIG_DEBUG_SLAB every cache gets red zones, a last-user word and poisoning. */
static unsigned long forced_debug_flags(size_t size, unsigned long flags)
{
	if (size < 4096 || fls(size - 1) == fls(size - 1 + REDZONE_ALIGN + 2 * sizeof(u64)))
		flags |= SLAB_RED_ZONE | SLAB_STORE_USER;
	if (!(flags & SLAB_DESTROY_BY_RCU))
		flags |= SLAB_POISON;
	return flags;
}

/**
 * kmem_cache_create - make a cache of objects of @size bytes.
 *
 * The object size is rounded up to a word, then to the alignment: the
 * caller's @align, raised to a cache line (halved while two objects still
 * fit in one) for SLAB_HWCACHE_ALIGN, or lowered to 8 for the debug words.
 * Objects of PAGE_SIZE/8 and more keep their descriptor off the slab,
 * unless it fits in the leftover anyway.  The leftover, in units of a
 * cache line, gives the number of colours.  @name is kept, not copied.
 * Returns NULL (or panics with SLAB_PANIC) if the cache cannot be made or
 * the name is taken; BUG()s on sizes and flags no cache can have, as Linux
 * does.  kmm also accepts the debug flags without slab_debug=on (Linux
 * needs CONFIG_DEBUG_SLAB for them) and SLAB_FAILSLAB.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     unsigned long flags, void (*ctor)(void *))
{
	size_t left_over, slab_size, ralign;
	struct kmem_cache *cachep = NULL, *pc;
	gfp_t gfp;

	if (!name || in_interrupt() || size < BYTES_PER_WORD || size > KMALLOC_MAX_SIZE) {
		printk(KERN_ERR "kmem_cache_create: Early error in slab %s\n", name ? name : "(null)");
		BUG();
	}
	if (slab_is_available())
		mutex_lock(&cache_chain_mutex);

	list_for_each_entry(pc, &cache_chain, next) {
		if (!strcmp(pc->name, name)) {
			printk(KERN_ERR "kmem_cache_create: duplicate cache %s\n", name);
			dump_stack();
			goto oops;
		}
	}

	if (slab_debug) {
		WARN_ON(strchr(name, ' '));
		flags = forced_debug_flags(size, flags);
	}
	if (flags & SLAB_DESTROY_BY_RCU)
		BUG_ON(flags & SLAB_POISON);
	BUG_ON(flags & ~CREATE_MASK);

	/* Whole words, so that the free-object links stay aligned. */
	if (size & (BYTES_PER_WORD - 1)) {
		size += BYTES_PER_WORD - 1;
		size &= ~(BYTES_PER_WORD - 1);
	}
	if (flags & SLAB_HWCACHE_ALIGN) {
		ralign = cache_line_size();
		while (size <= ralign / 2)
			ralign /= 2;
	} else {
		ralign = BYTES_PER_WORD;
	}
	if (flags & SLAB_STORE_USER)
		ralign = BYTES_PER_WORD;
	if (flags & SLAB_RED_ZONE) {
		ralign = REDZONE_ALIGN;
		size += REDZONE_ALIGN - 1;
		size &= ~(size_t)(REDZONE_ALIGN - 1);
	}
	/* ARCH_SLAB_MINALIGN is 0 on x86: no minimum to raise ralign to. */
	if (ralign < align)
		ralign = align;
	/* The debug words are 8-aligned: a larger alignment turns them off. */
	if (ralign > __alignof__(unsigned long long))
		flags &= ~(SLAB_RED_ZONE | SLAB_STORE_USER);
	align = ralign;

	gfp = slab_is_available() ? GFP_KERNEL : GFP_NOWAIT;
	cachep = kmem_cache_zalloc(cache_cache_p, gfp);
	if (!cachep)
		goto oops;

	cachep->obj_size = size;
	if (flags & SLAB_RED_ZONE) {
		cachep->obj_offset += sizeof(unsigned long long);
		size += 2 * sizeof(unsigned long long);
	}
	if (flags & SLAB_STORE_USER)
		size += (flags & SLAB_RED_ZONE) ? REDZONE_ALIGN : BYTES_PER_WORD;

	/* Large objects keep the descriptor off the slab (so it can pack whole pages). */
	if (size >= (PAGE_SIZE >> 3) && !slab_early_init && !(flags & SLAB_NOLEAKTRACE))
		flags |= CFLGS_OFF_SLAB;
	size = ALIGN(size, align);

	left_over = calculate_slab_order(cachep, size, align, flags);
	if (!cachep->num) {
		printk(KERN_ERR "kmem_cache_create: couldn't create cache %s.\n", name);
		kmem_cache_free(cache_cache_p, cachep);
		cachep = NULL;
		goto oops;
	}
	slab_size = ALIGN(cachep->num * sizeof(kmem_bufctl_t) + SIM_SIZEOF_SLAB, align);

	/* The descriptor fits in the leftover: keep it on the slab after all. */
	if ((flags & CFLGS_OFF_SLAB) && left_over >= slab_size) {
		flags &= ~CFLGS_OFF_SLAB;
		left_over -= slab_size;
	}
	if (flags & CFLGS_OFF_SLAB)
		slab_size = cachep->num * sizeof(kmem_bufctl_t) + SIM_SIZEOF_SLAB;

	cachep->colour_off = cache_line_size();
	if (cachep->colour_off < align)
		cachep->colour_off = align;
	cachep->colour = left_over / cachep->colour_off;
	cachep->slab_size = slab_size;
	if (slab_debug || (flags & SLAB_DEBUG_MASK))
		flags |= CFLGS_SLOWPATH | CFLGS_FREE_SLOWPATH;
	if (nr_online_nodes > 1)
		flags |= CFLGS_FREE_SLOWPATH;
	if (slab_harden)
		flags |= CFLGS_HARDEN;
	cachep->flags = flags;
	cachep->gfpflags = 0;
	if (flags & SLAB_CACHE_DMA)
		cachep->gfpflags |= GFP_DMA;
	cachep->buffer_size = size;
	cachep->reciprocal_buffer_size = reciprocal_value(size);
	/* Without debugging, obj_size() is the buffer size, as in a non-debug kernel. */
	if (!slab_debug && !(flags & SLAB_DEBUG_MASK))
		cachep->obj_size = size;

	if (flags & CFLGS_OFF_SLAB) {
		cachep->slabp_cache = kmem_find_general_cachep(slab_size, 0u);
		BUG_ON(ZERO_OR_NULL_PTR(cachep->slabp_cache));
	}
	cachep->ctor = ctor;
	cachep->name = name;

	if (setup_cpu_cache(cachep, gfp)) {
		__kmem_cache_destroy(cachep);
		cachep = NULL;
		goto oops;
	}
	list_add(&cachep->next, &cache_chain);
oops:
	if (!cachep && (flags & SLAB_PANIC))
		panic("kmem_cache_create(): failed to create slab `%s'\n", name);
	if (slab_is_available())
		mutex_unlock(&cache_chain_mutex);
	return cachep;
}

struct kmem_cache *kmem_cache_find(const char *name)
{
	struct kmem_cache *c, *found = NULL;

	mutex_lock(&cache_chain_mutex);
	list_for_each_entry(c, &cache_chain, next)
		if (!strcmp(c->name, name)) {
			found = c;
			break;
		}
	mutex_unlock(&cache_chain_mutex);
	return found;
}

/* ---- draining, shrinking, destroying ---- */

static void do_drain(void *arg)
{
	struct kmem_cache *cachep = arg;
	struct array_cache *ac = cpu_cache_get(cachep);
	int node = numa_node_id();

	spin_lock(&cachep->nodelists[node]->list_lock);
	free_block(cachep, ac->entry, ac->avail, node);
	spin_unlock(&cachep->nodelists[node]->list_lock);
	ac->avail = 0;
}

/*
 * Give back part of an array's objects: all of them with @force; else,
 * unless it was used since the last look (then only clear the mark), a
 * fifth of its limit, or half of what it holds if that is less.  The
 * oldest objects (the bottom of the stack) go.
 */
static void drain_array(struct kmem_cache *cachep, struct kmem_list3 *l3,
			struct array_cache *ac, int force, int node)
{
	int tofree;

	if (!ac)
		return;
	/*
	 * Linux peeks at avail and touched without the lock; a shared array's
	 * are written by other CPUs under it, so kmm looks under it.
	 */
	spin_lock_irq(&l3->list_lock);
	if (ac->avail && ac->touched && !force) {
		ac->touched = 0;
	} else if (ac->avail) {
		tofree = force ? ac->avail : (ac->limit + 4) / 5;
		if (tofree > (int)ac->avail)
			tofree = (ac->avail + 1) / 2;
		free_block(cachep, ac->entry, tofree, node);
		ac->avail -= tofree;
		memmove(ac->entry, &ac->entry[tofree], sizeof(void *) * ac->avail);
	}
	spin_unlock_irq(&l3->list_lock);
}

static void drain_cpu_caches(struct kmem_cache *cachep)
{
	struct kmem_list3 *l3;
	int node;

	on_each_cpu(do_drain, cachep, 1);
	for_each_online_node(node) {
		l3 = cachep->nodelists[node];
		if (l3 && l3->alien)
			drain_alien_cache(cachep, l3->alien);
	}
	for_each_online_node(node) {
		l3 = cachep->nodelists[node];
		if (l3)
			drain_array(cachep, l3, l3->shared, 1, node);
	}
}

/* Destroy up to @tofree free slabs of @l3, oldest first; returns how many. */
int drain_freelist(struct kmem_cache *cache, struct kmem_list3 *l3, int tofree)
{
	int nr_freed = 0;

	/* Linux peeks at the list without the lock first; kmm looks only under it. */
	while (nr_freed < tofree) {
		struct slab *slabp;

		spin_lock_irq(&l3->list_lock);
		if (list_empty(&l3->slabs_free)) {
			spin_unlock_irq(&l3->list_lock);
			break;
		}
		slabp = list_entry(l3->slabs_free.prev, struct slab, list);
		BUG_ON(slabp->inuse);
		list_del(&slabp->list);
		l3->free_objects -= cache->num;
		spin_unlock_irq(&l3->list_lock);
		slab_destroy(cache, slabp);
		nr_freed++;
	}
	return nr_freed;
}

/*
 * Destroy every free slab of @l3.  The bound, free_objects, is read under
 * the lock (2.6.34 reads it without: other CPUs refill meanwhile).
 */
static void drain_free_slabs(struct kmem_cache *cachep, struct kmem_list3 *l3)
{
	int tofree;

	spin_lock_irq(&l3->list_lock);
	tofree = l3->free_objects;
	spin_unlock_irq(&l3->list_lock);
	drain_freelist(cachep, l3, tofree);
}

static int __cache_shrink(struct kmem_cache *cachep)
{
	int ret = 0, node;

	drain_cpu_caches(cachep);
	for_each_online_node(node) {
		struct kmem_list3 *l3 = cachep->nodelists[node];

		if (!l3)
			continue;
		drain_free_slabs(cachep, l3);
		spin_lock_irq(&l3->list_lock);
		ret += !list_empty(&l3->slabs_full) || !list_empty(&l3->slabs_partial);
		spin_unlock_irq(&l3->list_lock);
	}
	return ret ? 1 : 0;
}

int kmem_cache_shrink(struct kmem_cache *cachep)
{
	int ret;

	BUG_ON(!cachep || in_interrupt());
	mutex_lock(&cache_chain_mutex);
	ret = __cache_shrink(cachep);
	mutex_unlock(&cache_chain_mutex);
	return ret;
}

/**
 * kmem_cache_destroy - remove a cache that holds no objects.
 *
 * With objects still allocated the cache stays (back at the head of the
 * chain, as Linux puts it back) and the error is logged.
 */
void kmem_cache_destroy(struct kmem_cache *cachep)
{
	BUG_ON(!cachep || in_interrupt());
	mutex_lock(&cache_chain_mutex);
	list_del(&cachep->next);
	if (__cache_shrink(cachep)) {
		slab_error(cachep, "Can't free all objects");
		list_add(&cachep->next, &cache_chain);
		mutex_unlock(&cache_chain_mutex);
		return;
	}
	__kmem_cache_destroy(cachep);
	mutex_unlock(&cache_chain_mutex);
}

/* ---- reaping ---- */

/*
 * cache_reap - every two seconds on each CPU: give back part of the
 * arrays not used since the last pass; every four seconds per cache and
 * node, the same for the shared array and a fifth of free_limit worth of
 * free slabs (unless a free slab was wanted since).
 */
static void cache_reap(void *unused)
{
	struct kmem_cache *searchp;
	int node = numa_node_id();

	if (!mutex_trylock(&cache_chain_mutex))
		return;
	list_for_each_entry(searchp, &cache_chain, next) {
		struct kmem_list3 *l3 = searchp->nodelists[node];

		reap_alien(searchp, l3);
		drain_array(searchp, l3, cpu_cache_get(searchp), 0, node);
		if (time_after(l3->next_reap, jiffies))
			continue;
		l3->next_reap = jiffies + REAPTIMEOUT_LIST3;
		drain_array(searchp, l3, l3->shared, 0, node);
		/* A flag set under list_lock by refills, read and cleared here without it. */
		if (READ_ONCE(l3->free_touched)) {
			WRITE_ONCE(l3->free_touched, 0);
		} else {
			int freed = drain_freelist(searchp, l3,
						   (l3->free_limit + 5 * searchp->num - 1) /
						   (5 * searchp->num));

			STATS_ADD(searchp, reaped, freed);
		}
	}
	mutex_unlock(&cache_chain_mutex);
}

static void cache_reap_cpu(void *unused)
{
	cache_reap(NULL);
	next_reap_node();
}

/* Each CPU's reap, in CPU order (Linux staggers them within the tick). */
static void cache_reap_all(void)
{
	int cpu;

	if (hw_irqs_disabled())
		return;
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, cache_reap_cpu, NULL, 1);
}

static struct kmm_timer reap_timer __state = { .name = "cache_reap",
					       .period = REAPTIMEOUT_CPUC,
					       .fn = cache_reap_all };

/* ---- the bootstrap ---- */

/**
 * kmem_cache_init - bring up the slab allocator (called once the page
 * allocator works).
 *
 * The chicken-and-egg: caches are objects of cache_cache, array caches
 * and kmem_list3s are kmalloc'd.  So cache_cache is static, the first
 * kmalloc cache (size-32, which holds the array caches) uses a static
 * head array and static lists, the cache of kmem_list3 (size-128 on
 * x86_64) static lists, and once kmalloc works the static structures are
 * replaced by kmalloc'd copies.  g_cpucache_up tracks the stages.
 */
/* ---- the slab page map (mm/slab.h) ---- */

struct kmem_cache **slab_pagemap __state_zero;
unsigned long slab_pagemap_pfns __state_zero, slab_pagemap_nr __state_zero;

/*
 * Reserve the map for every pfn RAM may reach: hw_ram_max() covers memory
 * hotplug's room (hotplug_max=).  Without it (no host address space)
 * kfree() takes its slow path, which reads the struct page, every time.
 */
static void slab_pagemap_init(void)
{
	unsigned long pfns = (unsigned long)(hw_ram_max() >> PAGE_SHIFT);
	u64 bytes = round_up((u64)pfns * sizeof(*slab_pagemap), PAGE_SIZE);
	void *map = hw_window_reserve(bytes);

	if (!map || hw_window_anon(map, bytes)) {
		hw_window_release(map, bytes);
		return;
	}
	slab_pagemap = map;
	slab_pagemap_pfns = pfns;
}

void slab_pagemap_release(void)
{
	hw_window_release(slab_pagemap, round_up((u64)slab_pagemap_pfns * sizeof(*slab_pagemap),
						 PAGE_SIZE));
	slab_pagemap = NULL;
	slab_pagemap_pfns = 0;
}

/* Pages [@page, @page + @nr) now belong to @cachep's slab, or (NULL) to none. */
void slab_pagemap_set(struct page *page, int nr, struct kmem_cache *cachep)
{
	unsigned long pfn = page_to_pfn(page);
	long delta = 0;

	for (int i = 0; i < nr; i++, pfn++) {
		if (pfn >= slab_pagemap_pfns)
			break;
		delta += (cachep != NULL) - (slab_pagemap[pfn] != NULL);
		WRITE_ONCE(slab_pagemap[pfn], cachep);
	}
	if (delta)
		__atomic_add_fetch(&slab_pagemap_nr, (unsigned long)delta, __ATOMIC_RELAXED);
}

void kmem_cache_init(void)
{
	struct kmem_cache *cc = cache_cache_p;
	size_t left_over;
	int i, order, node;

	nr_node_ids = fls64(node_online_mask);
	slab_harden_init();
	slab_pagemap_init();
	if (nr_online_nodes == 1)
		use_alien_caches = 0;
	for (i = 0; i < NUM_INIT_LISTS; i++) {
		kmem_list3_init(&initkmem_list3[i], false);	/* bootstrap caches: on-slab */
		if (i < MAX_NUMNODES)
			cc->nodelists[i] = NULL;
	}
	set_up_list3s(cc, CACHE_CACHE);

	/* Over 32 MB of RAM, slabs of two pages are fine when they waste less. */
	if (totalram_pages > (32 << 20) >> PAGE_SHIFT)
		slab_break_gfp_order = BREAK_GFP_ORDER_HI;

	node = numa_node_id();
	INIT_LIST_HEAD(&cache_chain);
	cc->batchcount = 1;
	cc->limit = BOOT_CPUCACHE_ENTRIES;
	cc->shared = 1;
	cc->name = "kmem_cache";
	if (slab_debug)
		cc->flags |= CFLGS_SLOWPATH | CFLGS_FREE_SLOWPATH;	/* statistics */
	if (nr_online_nodes > 1)
		cc->flags |= CFLGS_FREE_SLOWPATH;
	if (slab_harden)
		cc->flags |= CFLGS_HARDEN;
	list_add(&cc->next, &cache_chain);
	cc->colour_off = cache_line_size();
	initarray_cache.cache = (struct array_cache){ .limit = BOOT_CPUCACHE_ENTRIES,
						      .batchcount = 1 };
	spin_lock_init(&initarray_cache.cache.lock);
	initarray_generic = initarray_cache;
	cc->array[smp_processor_id()] = &initarray_cache.cache;
	cc->nodelists[node] = &initkmem_list3[CACHE_CACHE + node];

	/* A kmem_cache is as long as its nodelists[] for this machine's nodes. */
	cc->buffer_size = offsetof(struct kmem_cache, nodelists) +
			  nr_node_ids * sizeof(struct kmem_list3 *) +
			  (slab_debug ? LINUX_DEBUG_CACHE_FIELDS : 0);
	cc->obj_size = cc->buffer_size;
	cc->buffer_size = ALIGN(cc->buffer_size, cache_line_size());
	if (!slab_debug)
		cc->obj_size = cc->buffer_size;
	cc->reciprocal_buffer_size = reciprocal_value(cc->buffer_size);
	for (order = 0; order < MAX_ORDER; order++) {
		cache_estimate(order, cc->buffer_size, cache_line_size(), 0, &left_over, &cc->num);
		if (cc->num)
			break;
	}
	BUG_ON(!cc->num);
	cc->gfporder = order;
	cc->colour = left_over / cc->colour_off;
	cc->slab_size = ALIGN(cc->num * sizeof(kmem_bufctl_t) + SIM_SIZEOF_SLAB,
			      cache_line_size());

	/*
	 * The cache of the array caches first, then (if different) that of
	 * the kmem_list3s; from then on descriptors may go off-slab.
	 */
	{
		int index_ac = kmalloc_index(sizeof(struct arraycache_init));
		int index_l3 = kmalloc_index(sizeof(struct kmem_list3));
		struct cache_sizes *sizes = malloc_sizes;

		sizes[index_ac].cs_cachep =
			kmem_cache_create(cache_names[index_ac].name, sizes[index_ac].cs_size,
					  ARCH_KMALLOC_MINALIGN, ARCH_KMALLOC_FLAGS | SLAB_PANIC,
					  NULL);
		if (index_ac != index_l3)
			sizes[index_l3].cs_cachep =
				kmem_cache_create(cache_names[index_l3].name,
						  sizes[index_l3].cs_size, ARCH_KMALLOC_MINALIGN,
						  ARCH_KMALLOC_FLAGS | SLAB_PANIC, NULL);
		slab_early_init = 0;

		for (i = 0; i < NR_GENERAL_CACHES; i++) {
			if (!sizes[i].cs_cachep)
				sizes[i].cs_cachep =
					kmem_cache_create(cache_names[i].name, sizes[i].cs_size,
							  ARCH_KMALLOC_MINALIGN,
							  ARCH_KMALLOC_FLAGS | SLAB_PANIC, NULL);
			sizes[i].cs_dmacachep =
				kmem_cache_create(cache_names[i].name_dma, sizes[i].cs_size,
						  ARCH_KMALLOC_MINALIGN,
						  ARCH_KMALLOC_FLAGS | SLAB_CACHE_DMA | SLAB_PANIC,
						  NULL);
		}

		/* Replace the static head arrays... */
		{
			struct arraycache_init *ptr = kmalloc(sizeof(*ptr), GFP_NOWAIT);

			BUG_ON(cpu_cache_get(cc) != &initarray_cache.cache);
			memcpy(ptr, cpu_cache_get(cc), sizeof(*ptr));
			spin_lock_init(&ptr->cache.lock);
			cc->array[smp_processor_id()] = &ptr->cache;

			ptr = kmalloc(sizeof(*ptr), GFP_NOWAIT);
			BUG_ON(cpu_cache_get(sizes[index_ac].cs_cachep) != &initarray_generic.cache);
			memcpy(ptr, cpu_cache_get(sizes[index_ac].cs_cachep), sizeof(*ptr));
			spin_lock_init(&ptr->cache.lock);
			sizes[index_ac].cs_cachep->array[smp_processor_id()] = &ptr->cache;
		}
		/* ...and the static lists. */
		for_each_online_node(node) {
			init_list(cc, &initkmem_list3[CACHE_CACHE + node], node);
			init_list(sizes[index_ac].cs_cachep, &initkmem_list3[SIZE_AC + node], node);
			if (index_ac != index_l3)
				init_list(sizes[index_l3].cs_cachep,
					  &initkmem_list3[SIZE_L3 + node], node);
		}
	}
	g_cpucache_up = EARLY;
}

/*
 * kmem_cache_init_late - once the other CPUs exist: give every cache its
 * real per-CPU arrays (newest first, so the tuning's own allocations land
 * in caches already tuned or not yet, as in Linux), then start cache_reap.
 */
static void cpuup_canceled(int cpu);
static struct notifier_block cpucache_notifier;

void kmem_cache_init_late(void)
{
	struct kmem_cache *cachep;

	mutex_lock(&cache_chain_mutex);
	list_for_each_entry(cachep, &cache_chain, next)
		if (enable_cpucache(cachep, GFP_NOWAIT))
			BUG();
	mutex_unlock(&cache_chain_mutex);
	g_cpucache_up = FULL;
	register_cpu_notifier(&cpucache_notifier);
}

/*
 * cpuup_prepare - a CPU comes online (CPU_UP_PREPARE, then CPU_ONLINE):
 * make sure every cache has lists on its node, raise their free_limit for
 * one more CPU, give the CPU its arrays (and the node a shared array and
 * alien arrays if it has none), then mark it online before letting go of
 * cache_chain_mutex, so that creating and tuning caches, which walk the
 * online CPUs under that mutex, find every online CPU with its arrays.
 * Runs on another CPU (the new one has no arrays to allocate with yet).
 */
static int cpuup_prepare(int cpu)
{
	int node = cpu_to_node(cpu);
	struct kmem_cache *cachep;
	struct kmem_list3 *l3;

	mutex_lock(&cache_chain_mutex);
	list_for_each_entry(cachep, &cache_chain, next) {
		if (!cachep->nodelists[node]) {
			l3 = kmalloc_node(sizeof(struct kmem_list3), GFP_KERNEL, node);
			if (!l3)
				goto bad;
			kmem_list3_init(l3, OFF_SLAB(cachep));
			l3->next_reap = reap_time(cachep);
			cachep->nodelists[node] = l3;
		}
		spin_lock_irq(&cachep->nodelists[node]->list_lock);
		cachep->nodelists[node]->free_limit =
			(1 + nr_cpus_node(node)) * cachep->batchcount + cachep->num;
		spin_unlock_irq(&cachep->nodelists[node]->list_lock);
	}
	list_for_each_entry(cachep, &cache_chain, next) {
		struct array_cache *nc, *shared = NULL, **alien = NULL;

		nc = alloc_arraycache(node, cachep->limit, cachep->batchcount, GFP_KERNEL);
		if (!nc)
			goto bad;
		if (cachep->shared) {
			shared = alloc_arraycache(node, cachep->shared * cachep->batchcount,
						  0xbaadf00d, GFP_KERNEL);
			if (!shared) {
				kfree(nc);
				goto bad;
			}
		}
		if (use_alien_caches) {
			alien = alloc_alien_cache(node, cachep->limit, GFP_KERNEL, OFF_SLAB(cachep));
			if (!alien) {
				kfree(shared);
				kfree(nc);
				goto bad;
			}
		}
		cachep->array[cpu] = nc;
		l3 = cachep->nodelists[node];
		spin_lock_irq(&l3->list_lock);
		if (!l3->shared) {
			l3->shared = shared;
			shared = NULL;
		}
		if (!l3->alien) {
			l3->alien = alien;
			alien = NULL;
		}
		spin_unlock_irq(&l3->list_lock);
		kfree(shared);
		free_alien_cache(alien);
	}
	init_reap_node(cpu);
	set_cpu_online(cpu, true);
	mutex_unlock(&cache_chain_mutex);
	return 0;
bad:
	cpuup_canceled(cpu);	/* what was given so far goes back */
	mutex_unlock(&cache_chain_mutex);
	return -ENOMEM;
}

/*
 * cpuup_canceled - CPU @cpu is dead (CPU_DEAD), or never came up
 * (CPU_UP_CANCELED, or cpuup_prepare failing part way): under
 * cache_chain_mutex, each cache loses the CPU's array, its objects freed
 * to their slabs, and one batch of free_limit; when no online CPU is left
 * on the node, the node's shared array and alien arrays go too (their
 * objects freed, or sent home).  The node's lists stay (2.6.34: a
 * kmalloc_node from another CPU may still want them).  Then each node's
 * free slabs are destroyed down to what free_limit allows.
 */
static void cpuup_canceled(int cpu)
{
	int node = cpu_to_node(cpu);
	bool node_empty = nr_cpus_node(node) == 0;
	struct kmem_cache *cachep;

	list_for_each_entry(cachep, &cache_chain, next) {
		struct array_cache *nc = cachep->array[cpu], *shared;
		struct array_cache **alien;
		struct kmem_list3 *l3 = cachep->nodelists[node];

		cachep->array[cpu] = NULL;
		if (!l3)
			goto free_array_cache;
		spin_lock_irq(&l3->list_lock);
		l3->free_limit -= cachep->batchcount;
		if (nc)
			free_block(cachep, nc->entry, nc->avail, node);
		if (!node_empty) {
			spin_unlock_irq(&l3->list_lock);
			goto free_array_cache;
		}
		shared = l3->shared;
		if (shared) {
			free_block(cachep, shared->entry, shared->avail, node);
			l3->shared = NULL;
		}
		alien = l3->alien;
		l3->alien = NULL;
		spin_unlock_irq(&l3->list_lock);
		kfree(shared);
		if (alien) {
			drain_alien_cache(cachep, alien);
			free_alien_cache(alien);
		}
free_array_cache:
		kfree(nc);
	}
	list_for_each_entry(cachep, &cache_chain, next)
		if (cachep->nodelists[node])
			drain_free_slabs(cachep, cachep->nodelists[node]);
}

/*
 * The slab allocator's CPU hotplug callback (2.6.34's cpuup_callback):
 * arrays for a CPU coming up, freed for one that died or did not come up.
 * Its reap runs from one timer over the online CPUs, so DOWN_PREPARE and
 * ONLINE have nothing to stop or start.
 */
static int cpuup_callback(struct notifier_block *nb, unsigned long action, void *hcpu)
{
	int cpu = (int)(unsigned long)hcpu, err = 0;

	switch (action) {
	case CPU_UP_PREPARE:
		err = cpuup_prepare(cpu);
		break;
	case CPU_DEAD:
	case CPU_UP_CANCELED:
		mutex_lock(&cache_chain_mutex);
		cpuup_canceled(cpu);
		mutex_unlock(&cache_chain_mutex);
		break;
	}
	return notifier_from_errno(err);
}

/* Last in the chain: it marks the CPU online, after every other callback agreed. */
static struct notifier_block cpucache_notifier __state = {
	.notifier_call = cpuup_callback, .priority = -100,
};

/* The reap work of every CPU (an initcall, once the CPUs are up). */
void cpucache_init(void)
{
	int cpu;

	for_each_online_cpu(cpu)
		init_reap_node(cpu);
	timer_add(&reap_timer);
}
